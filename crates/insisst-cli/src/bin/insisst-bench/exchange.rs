//! Exchange figures: export all records, import that bundle into an empty workspace (index
//! included, time and peak memory, in a child process of its own so that the peak is the
//! import's), and import it again (nothing to do). Baselines from the same run: writing the
//! same content raw to a file, the store's bulk insert of the same records, the child's memory
//! with the workspace just opened, and one plain read of the bundle (inflate + sha256).

use crate::{mib, row};
use anyhow::{Context, Result};
use insisst_core::exchange::{self, ExportScope, ImportOptions, Quiet};
use insisst_core::search::SearchIndex;
use insisst_core::store::{NewOwner, Workspace, WorkspaceOptions};
use sha2::Digest;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub fn figures(root: &Path, dir: &Path, n: u64, bulk_insert: Duration) -> Result<()> {
    let bundle = dir.join("all.insisst");
    let mut ws = Workspace::open(root, WorkspaceOptions::default())?;
    let started = Instant::now();
    let summary = exchange::export(&mut ws, &bundle, &ExportScope::default(), &Quiet)?;
    let export = started.elapsed();
    drop(ws);
    let raw = raw_write(root, &dir.join("raw.json"))?;
    row(
        &format!("export bundle, all {n} records (s)"),
        export.as_secs_f64(),
        raw.as_secs_f64(),
        "≤ 8 s",
        2,
    );
    row(
        &format!("bundle size, {n} records (MiB)"),
        mib(summary.bytes),
        mib(std::fs::metadata(dir.join("raw.json"))?.len()),
        "(raw JSON)",
        1,
    );

    let empty = dir.join("empty");
    Workspace::init(
        &empty,
        &NewOwner {
            member: "Importer".into(),
            organisation: Some("THL".into()),
        },
        WorkspaceOptions::default(),
    )?;
    let first = child_import(&empty, &bundle)?;
    row(
        &format!("import into an empty workspace, {n} (s)"),
        first.seconds,
        bulk_insert.as_secs_f64(),
        "≤ 15 s (index incl.)",
        2,
    );
    row(
        "  of which the index catches up (s)",
        first.index_seconds,
        first.seconds,
        "",
        2,
    );
    row(
        &format!("import peak RSS, {n} records (MiB)"),
        first.peak_kib as f64 / 1024.0,
        first.opened_kib as f64 / 1024.0,
        "≤ 300 MB",
        0,
    );
    row(
        "  of which before the index catches up (MiB)",
        first.import_peak_kib as f64 / 1024.0,
        first.opened_kib as f64 / 1024.0,
        "",
        0,
    );
    let again = child_import(&empty, &bundle)?;
    let read = plain_read(&bundle)?;
    row(
        &format!("re-import the same bundle (no-op), {n} (s)"),
        again.seconds,
        read.as_secs_f64(),
        "≤ 3 s",
        2,
    );
    // A new bundle of the same records: its manifest is new, so all of it is read and
    // checked, and every revision is found known.
    let mut ws = Workspace::open(root, WorkspaceOptions::default())?;
    let second = dir.join("again.insisst");
    exchange::export(&mut ws, &second, &ExportScope::default(), &Quiet)?;
    drop(ws);
    let nothing_new = child_import(&empty, &second)?;
    row(
        "  a new bundle with nothing new, read whole (s)",
        nothing_new.seconds,
        plain_read(&second)?.as_secs_f64(),
        "",
        2,
    );
    for (what, run) in [("re-import", &again), ("nothing-new import", &nothing_new)] {
        anyhow::ensure!(
            run.changed == 0,
            "the {what} changed {} records",
            run.changed
        );
    }
    Ok(())
}

/// What the child reports.
struct ChildImport {
    seconds: f64,
    index_seconds: f64,
    peak_kib: u64,
    import_peak_kib: u64,
    opened_kib: u64,
    changed: u64,
}

fn child_import(ws: &Path, bundle: &Path) -> Result<ChildImport> {
    let me = std::env::current_exe()?;
    let out = Command::new(me)
        .arg("--child-import")
        .arg(ws)
        .arg(bundle)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "the import child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    let v: Vec<f64> = text
        .split_whitespace()
        .map(|x| x.parse().context("child output"))
        .collect::<Result<_>>()?;
    anyhow::ensure!(v.len() == 6, "unexpected child output: {text}");
    Ok(ChildImport {
        seconds: v[0],
        index_seconds: v[1],
        peak_kib: v[2] as u64,
        import_peak_kib: v[3] as u64,
        opened_kib: v[4] as u64,
        changed: v[5] as u64,
    })
}

/// The child: open, import, catch the index up; print seconds, index seconds, peak RSS,
/// peak RSS before the index, RSS with the workspace opened (KiB), records changed.
pub fn run_child(ws: &Path, bundle: &Path) -> Result<()> {
    let started = Instant::now();
    let mut workspace = Workspace::open(ws, WorkspaceOptions::default())?;
    let opened = peak_rss_kib()?;
    let plan = exchange::import(&mut workspace, bundle, ImportOptions::default(), &Quiet)?;
    let import_peak = peak_rss_kib()?;
    let index_started = Instant::now();
    let (_index, _) = SearchIndex::open(&workspace)?;
    let index = index_started.elapsed();
    let seconds = started.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{seconds} {} {} {import_peak} {opened} {}",
        index.as_secs_f64(),
        peak_rss_kib()?,
        plan.total().changes()
    )?;
    Ok(())
}

fn peak_rss_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM in /proc/self/status")
}

/// The floor under an export: every winning record's JSON, read and written once.
fn raw_write(root: &Path, dest: &Path) -> Result<Duration> {
    let started = Instant::now();
    let conn = rusqlite::Connection::open(root.join("workspace.sqlite3"))?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(dest)?);
    let mut stmt = conn.prepare(
        "SELECT v.content FROM records r JOIN revisions v ON v.id = r.id AND v.rev = r.rev ORDER BY r.kind, r.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let content: Option<String> = row.get(0)?;
        file.write_all(content.unwrap_or_default().as_bytes())?;
        file.write_all(b"\n")?;
    }
    file.flush()?;
    Ok(started.elapsed())
}

/// The floor under a no-op import: inflate and hash every entry once.
fn plain_read(bundle: &Path) -> Result<Duration> {
    let started = Instant::now();
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(std::fs::File::open(bundle)?))?;
    let mut buf = vec![0u8; 256 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let mut hasher = sha2::Sha256::new();
        loop {
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let _ = hasher.finalize();
    }
    Ok(started.elapsed())
}
