//! Backups: one zip file with an online copy of the database (SQLite's backup API, safe while
//! the app runs) and every attachment. Restoring one is moving the workspace: the identity and
//! its key come along.

use crate::error::{Error, Result, SqlContext};
use crate::store::{self, Workspace, ATTACHMENTS_DIR, DATABASE_FILE};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MANIFEST: &str = "backup.json";
const FORMAT: &str = "insisst-backup";
/// Refuse absurd archives before extracting: 64 GiB in all, 1 million files.
const MAX_TOTAL_BYTES: u64 = 64 << 30;
const MAX_ENTRIES: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub attachments: u64,
}

/// Writes a backup of `ws` to `dest` (replaced atomically when complete).
pub fn create(ws: &Workspace, dest: &Path) -> Result<BackupSummary> {
    let err = |problem: String| Error::Backup {
        path: dest.to_path_buf(),
        problem,
    };
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = tempfile::Builder::new()
        .prefix(".insisst-backup-")
        .tempdir_in(dir)
        .map_err(|e| Error::io(format!("create a temporary folder in {}", dir.display()), e))?;
    let db_copy = staging.path().join(DATABASE_FILE);
    snapshot(ws.conn(), &db_copy)?;
    let partial = staging.path().join("backup.zip");
    let file = std::fs::File::create(&partial)
        .map_err(|e| Error::io(format!("create {}", partial.display()), e))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let stats = ws.stats()?;
    let manifest = json!({
        "format": FORMAT,
        "format_version": 1,
        "schema_version": store::latest_version(),
        "created_at": crate::schema::format_timestamp(ws.now()),
        "node_id": ws.identity().node_id,
        "member": ws.identity().owner.member,
        "records": stats.counts.iter().map(|(_, n)| n).sum::<u64>(),
    });
    let zerr = |e: zip::result::ZipError| err(e.to_string());
    zip.start_file(MANIFEST, deflated).map_err(zerr)?;
    zip.write_all(
        serde_json::to_string_pretty(&manifest)
            .unwrap_or_default()
            .as_bytes(),
    )
    .map_err(|e| err(e.to_string()))?;
    zip.start_file(DATABASE_FILE, deflated).map_err(zerr)?;
    copy_file(&db_copy, &mut zip)?;
    let mut attachments = 0;
    let mut names: Vec<_> = std::fs::read_dir(ws.attachments_dir())
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for name in names.into_iter().filter(|n| is_sha256(n)) {
        zip.start_file(format!("{ATTACHMENTS_DIR}/{name}"), stored)
            .map_err(zerr)?;
        copy_file(&ws.attachments_dir().join(&name), &mut zip)?;
        attachments += 1;
    }
    let inner = zip.finish().map_err(zerr)?;
    let file = inner.into_inner().map_err(|e| err(e.to_string()))?;
    // On disk before it replaces an older backup of the same name.
    file.sync_all()
        .map_err(|e| Error::io(format!("write {}", partial.display()), e))?;
    drop(file);
    std::fs::rename(&partial, dest)
        .map_err(|e| Error::io(format!("write {}", dest.display()), e))?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary {
        path: dest.to_path_buf(),
        bytes,
        attachments,
    })
}

/// Copies the live database to `dest` in one step of SQLite's online backup: one consistent
/// snapshot, taken under a read lock that writers in WAL mode do not wait for. Busy or
/// locked (a checkpoint in progress) is retried for a while.
fn snapshot(src: &rusqlite::Connection, dest: &Path) -> Result<()> {
    let mut target = rusqlite::Connection::open(dest).ctx("create the backup copy")?;
    let backup = rusqlite::backup::Backup::new(src, &mut target).ctx("start the backup")?;
    for _ in 0..200 {
        match backup.step(-1).ctx("copy the database for a backup")? {
            rusqlite::backup::StepResult::Done => return Ok(()),
            _ => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    Err(Error::Backup {
        path: dest.to_path_buf(),
        problem: "the database stayed busy for 10 seconds; try again".into(),
    })
}

fn copy_file(path: &Path, out: &mut impl Write) -> Result<()> {
    let mut f =
        std::fs::File::open(path).map_err(|e| Error::io(format!("read {}", path.display()), e))?;
    std::io::copy(&mut f, out).map_err(|e| Error::io(format!("copy {}", path.display()), e))?;
    Ok(())
}

fn is_sha256(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Restores the backup `src` into `root`, which must not hold a workspace. Everything is
/// checked (entries, hashes, database integrity, schema version) in a staging folder first;
/// only a backup that passes is moved into place.
pub fn restore(src: &Path, root: &Path) -> Result<()> {
    let err = |problem: String| Error::Backup {
        path: src.to_path_buf(),
        problem,
    };
    if store::exists(root) {
        return Err(Error::WorkspaceExists {
            path: root.to_path_buf(),
        });
    }
    let file = std::fs::File::open(src)
        .map_err(|e| Error::io(format!("read backup {}", src.display()), e))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| err(format!("not a readable zip file ({e})")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(err(format!(
            "has {} entries; at most {MAX_ENTRIES}",
            archive.len()
        )));
    }
    let made_root = !root.exists();
    std::fs::create_dir_all(root)
        .map_err(|e| Error::io(format!("create {}", root.display()), e))?;
    let staging = tempfile::Builder::new()
        .prefix(".insisst-restore-")
        .tempdir_in(root)
        .map_err(|e| {
            Error::io(
                format!("create a temporary folder in {}", root.display()),
                e,
            )
        })?;
    let result = extract_and_verify(&mut archive, staging.path(), &err).and_then(|()| {
        std::fs::create_dir_all(root.join(ATTACHMENTS_DIR))
            .map_err(|e| Error::io(format!("create {}", root.display()), e))?;
        for entry in std::fs::read_dir(staging.path().join(ATTACHMENTS_DIR))
            .into_iter()
            .flatten()
            .flatten()
        {
            let dest = root.join(ATTACHMENTS_DIR).join(entry.file_name());
            std::fs::rename(entry.path(), &dest)
                .map_err(|e| Error::io(format!("write {}", dest.display()), e))?;
        }
        // An index left in the folder belongs to some other database: drop it, the restored
        // workspace builds its own on first search.
        let stale_index = root.join(crate::store::INDEX_DIR);
        if stale_index.exists() {
            std::fs::remove_dir_all(&stale_index)
                .map_err(|e| Error::io(format!("clear {}", stale_index.display()), e))?;
        }
        // The database last: until it is in place, the folder is not a workspace.
        let dest = store::database_path(root);
        std::fs::rename(staging.path().join(DATABASE_FILE), &dest)
            .map_err(|e| Error::io(format!("write {}", dest.display()), e))
    });
    drop(staging);
    if result.is_err() && made_root {
        let _ = std::fs::remove_dir_all(root);
    }
    result
}

/// A backup's database may only hold what our migrations make: a crafted file with extra
/// triggers or views would run its own SQL on every later write. Checked before the
/// database is opened as a workspace.
fn vet_schema(db: &Path, err: &dyn Fn(String) -> Error) -> Result<()> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| err(format!("the database cannot be opened ({e})")))?;
    let mut stmt = conn
        .prepare("SELECT type, name FROM sqlite_schema WHERE type IN ('trigger', 'view')")
        .map_err(|e| err(format!("the database cannot be read ({e})")))?;
    let extra: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?
            ))
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| err(format!("the database cannot be read ({e})")))?;
    if !extra.is_empty() {
        return Err(err(format!(
            "its database holds objects Insisst never makes ({}); refusing it",
            extra.join(", ")
        )));
    }
    Ok(())
}

fn extract_and_verify(
    archive: &mut zip::ZipArchive<std::fs::File>,
    staging: &Path,
    err: &dyn Fn(String) -> Error,
) -> Result<()> {
    std::fs::create_dir_all(staging.join(ATTACHMENTS_DIR))
        .map_err(|e| Error::io(format!("create {}", staging.display()), e))?;
    let mut total = 0u64;
    let mut seen_db = false;
    let mut seen_manifest = false;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| err(format!("entry {i}: {e}")))?;
        let name = entry.name().to_string();
        let dest: PathBuf = if name == DATABASE_FILE {
            seen_db = true;
            staging.join(DATABASE_FILE)
        } else if name == MANIFEST {
            seen_manifest = true;
            let mut text = String::new();
            entry
                .by_ref()
                .take(64 * 1024)
                .read_to_string(&mut text)
                .map_err(|e| err(format!("{MANIFEST}: {e}")))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| err(format!("{MANIFEST} is not JSON: {e}")))?;
            if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
                return Err(err(format!(
                    "{MANIFEST} does not describe an Insisst backup"
                )));
            }
            continue;
        } else if let Some(hash) = name
            .strip_prefix(&format!("{ATTACHMENTS_DIR}/"))
            .filter(|h| is_sha256(h))
        {
            staging.join(ATTACHMENTS_DIR).join(hash)
        } else {
            return Err(err(format!("unexpected entry `{name}`")));
        };
        if dest.exists() {
            return Err(err(format!("entry `{name}` appears twice")));
        }
        let mut out = std::fs::File::create(&dest)
            .map_err(|e| Error::io(format!("write {}", dest.display()), e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| err(format!("entry `{name}`: {e}")))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_TOTAL_BYTES {
                return Err(err(format!("unpacks to more than {MAX_TOTAL_BYTES} bytes")));
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])
                .map_err(|e| Error::io(format!("write {}", dest.display()), e))?;
        }
        if let Some(expected) = name.strip_prefix(&format!("{ATTACHMENTS_DIR}/")) {
            let actual = hex::encode(hasher.finalize());
            if actual != expected {
                return Err(err(format!(
                    "attachment `{expected}` is damaged (its content hashes to {actual})"
                )));
            }
        }
    }
    if !seen_manifest || !seen_db {
        return Err(err(format!(
            "is not an Insisst backup (it needs {MANIFEST} and {DATABASE_FILE})"
        )));
    }
    // Open it as a workspace: refuses a newer schema, upgrades an older one.
    vet_schema(&staging.join(DATABASE_FILE), err)?;
    let ws = Workspace::open(staging, crate::store::WorkspaceOptions::default())?;
    let problems = crate::check::run(&ws)?;
    if !problems.is_empty() {
        return Err(err(format!(
            "the restored workspace fails its check: {}",
            problems.join("; ")
        )));
    }
    drop(ws);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", staging.join(DATABASE_FILE).display()));
    }
    Ok(())
}
