//! Writing a bundle: the records a scope selects, each with every leaf revision and its
//! ancestry, note bodies as Markdown for people, attachment files once by hash, and a manifest
//! signed with the workspace key. Written to a temporary file beside the destination and
//! renamed into place: a bundle is whole or absent.

use super::{check_cancel, BundleAuthor, FileEntry, Manifest, Phase, Progress, FORMAT};
use crate::error::{Error, Result, SqlContext};
use crate::kind::Kind;
use crate::revision::{canonical_json, winner_order, Rev};
use crate::schema::format_timestamp;
use crate::store::{self, Workspace};
use chrono::NaiveDate;
use ed25519_dalek::Signer;
use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

/// What to export. Filters combine (all must hold); none means everything.
#[derive(Debug, Clone, Default)]
pub struct ExportScope {
    pub tag: Option<String>,
    /// A session id: the session, what it refers to and what refers to it.
    pub session: Option<String>,
    /// A question id: the question, what it refers to and what refers to it.
    pub question: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// An organisation (id or name): only what changed since the last bundle made for it.
    pub changed_since_last_to: Option<String>,
    /// An organisation (id or name) this bundle is for: remembered for the next
    /// `changed_since_last_to`.
    pub for_org: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub bundle_id: String,
    pub records: u64,
    pub revisions: u64,
    pub attachments: u64,
    pub bytes: u64,
    pub left_out_contacts: u64,
    /// Erasure markers carried (every one this workspace knows, whatever the scope).
    pub erasures: u64,
    pub counts: BTreeMap<Kind, u64>,
    /// The change sequence the bundle started from, for `changed_since_last_to`.
    pub since_seq: Option<i64>,
}

/// A leaf revision as the bundle carries it.
struct Leaf {
    rev: String,
    deleted: bool,
    author: String,
    author_org: Option<String>,
    node_id: String,
    time: String,
    /// Canonical JSON, as stored.
    content: String,
    ancestry: Vec<String>,
}

/// One record line, canonical JSON (keys in byte order) written directly: the stored
/// contents are canonical already, so they are copied, not parsed and written again.
fn record_line(id: &str, kind: Kind, leaves: &[Leaf], out: &mut String) {
    use crate::revision::write_string;
    out.push_str("{\"id\":");
    write_string(id, out);
    out.push_str(",\"kind\":");
    write_string(kind.as_str(), out);
    out.push_str(",\"leaves\":[");
    for (i, l) in leaves.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"ancestry\":[");
        for (j, a) in l.ancestry.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write_string(a, out);
        }
        out.push_str("],\"author\":");
        write_string(&l.author, out);
        out.push_str(",\"author_org\":");
        match &l.author_org {
            Some(o) => write_string(o, out),
            None => out.push_str("null"),
        }
        out.push_str(",\"content\":");
        out.push_str(&l.content);
        out.push_str(",\"deleted\":");
        out.push_str(if l.deleted { "true" } else { "false" });
        out.push_str(",\"node_id\":");
        write_string(&l.node_id, out);
        out.push_str(",\"rev\":");
        write_string(&l.rev, out);
        out.push_str(",\"time\":");
        write_string(&l.time, out);
        out.push('}');
    }
    out.push_str("]}\n");
}

/// Entries are deflated fast: the bundle's size matters less than exporting 100k records in
/// seconds, and text still shrinks about four times.
fn entry_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
}

/// Exports what `scope` selects from `ws` to `dest`.
pub fn export(
    ws: &mut Workspace,
    dest: &Path,
    scope: &ExportScope,
    progress: &dyn Progress,
) -> Result<ExportSummary> {
    let for_org = match scope
        .for_org
        .as_ref()
        .or(scope.changed_since_last_to.as_ref())
    {
        Some(q) => Some(
            ws.find_org(q)?
                .ok_or_else(|| Error::Invalid(format!("no organisation called `{q}`")))?,
        ),
        None => None,
    };
    let find = |q: &String| -> Result<store::Record> {
        ws.find_org(q)?
            .ok_or_else(|| Error::Invalid(format!("no organisation called `{q}`")))
    };
    // "Changed since the last bundle to A" starts from A's checkpoint, even when the bundle
    // is made for B.
    let since_org = scope.changed_since_last_to.as_ref().map(find).transpose()?;
    let now = ws.now();
    let bundle_id = crate::clock::new_id(now, ws.entropy_mut()).to_string();
    let created_at = format_timestamp(now);
    let written = {
        let conn = ws.conn();
        // One read transaction: the bundle is one consistent state of the workspace.
        let snapshot = conn.unchecked_transaction().ctx("begin an export")?;
        let seq_now = store::current_seq(conn)?;
        let since_seq = match &since_org {
            Some(org) => Some(
                conn.query_row(
                    "SELECT COALESCE(MAX(change_seq), 0) FROM exports WHERE for_org = ?1",
                    [&org.id],
                    |r| r.get::<_, i64>(0),
                )
                .ctx("read the exports made")?,
            ),
            None => None,
        };
        let selection = select(conn, scope, since_seq)?;
        let mut scope_json = Map::new();
        if let Some(t) = &scope.tag {
            scope_json.insert("tag".into(), json!(t));
        }
        if let Some(s) = &scope.session {
            scope_json.insert("session".into(), json!(s));
        }
        if let Some(q) = &scope.question {
            scope_json.insert("question".into(), json!(q));
        }
        if let Some(d) = scope.from {
            scope_json.insert("from".into(), json!(d.to_string()));
        }
        if let Some(d) = scope.to {
            scope_json.insert("to".into(), json!(d.to_string()));
        }
        if let (Some(org), Some(seq)) = (&since_org, since_seq) {
            scope_json.insert("changed_since_last_to".into(), json!(org.id));
            scope_json.insert("since_seq".into(), json!(seq));
        }
        if let Some(org) = &for_org {
            scope_json.insert("for_org".into(), json!(org.id));
        }
        if scope_json.is_empty() {
            scope_json.insert("all".into(), json!(true));
        }
        let author = BundleAuthor {
            member: ws.identity().owner.member.clone(),
            organisation: ws.identity().owner.org_name.clone(),
            organisation_id: ws.identity().owner.org_id.clone(),
            node_id: ws.identity().node_id.clone(),
            public_key: ws.identity().public_key_hex(),
        };
        let manifest = Manifest {
            format: FORMAT.into(),
            format_version: super::FORMAT_VERSION_WITHOUT_ERASURES.into(),
            bundle_id: bundle_id.clone(),
            created_at: created_at.clone(),
            author,
            scope: scope_json,
            counts: BTreeMap::new(),
            left_out: BTreeMap::new(),
            files: vec![],
            erasures: 0,
        };
        let written = write_bundle(ws, conn, dest, selection, manifest, progress)?;
        snapshot.finish().ctx("end an export")?;
        (
            ExportSummary {
                since_seq,
                ..written
            },
            seq_now,
        )
    };
    let (summary, seq_now) = written;
    // Only a bundle of everything changed since the checkpoint moves it: one narrowed by
    // tag, session, question or dates leaves the rest still to be sent.
    let narrowed = scope.tag.is_some()
        || scope.session.is_some()
        || scope.question.is_some()
        || scope.from.is_some()
        || scope.to.is_some();
    if let (Some(org), false) = (for_org, narrowed) {
        ws.conn()
            .execute(
                "INSERT INTO exports (bundle_id, for_org, change_seq, created_at, records)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    bundle_id,
                    org.id,
                    seq_now,
                    created_at,
                    summary.records as i64
                ],
            )
            .ctx("remember the export")?;
    }
    Ok(summary)
}

/// The ids a scope selects, by kind in the bundle's order, then by id.
fn select(
    conn: &Connection,
    scope: &ExportScope,
    since_seq: Option<i64>,
) -> Result<BTreeMap<Kind, BTreeSet<String>>> {
    let mut clauses: Vec<String> = vec![];
    let mut args: Vec<rusqlite::types::Value> = vec![];
    if let Some(tag) = &scope.tag {
        args.push(tag.trim().to_lowercase().into());
        clauses.push(format!(
            "id IN (SELECT record_id FROM tags WHERE tag_key = ?{})",
            args.len()
        ));
    }
    if let Some(from) = scope.from {
        args.push(from.format("%Y-%m-%d").to_string().into());
        clauses.push(format!("updated_at >= ?{}", args.len()));
    }
    if let Some(to) = scope.to {
        let next = to.succ_opt().unwrap_or(to);
        args.push(next.format("%Y-%m-%d").to_string().into());
        clauses.push(format!("updated_at < ?{}", args.len()));
    }
    if let Some(seq) = since_seq {
        args.push(seq.into());
        clauses.push(format!("seq > ?{}", args.len()));
    }
    let mut around: Option<BTreeSet<String>> = None;
    for (id, kind) in [
        (&scope.session, Kind::Session),
        (&scope.question, Kind::Question),
    ] {
        let Some(id) = id else { continue };
        let record =
            store::load_record(conn, id)?.ok_or_else(|| Error::NotFound(id.to_string()))?;
        if record.kind != kind {
            return Err(Error::Invalid(format!(
                "{} is a {}, not a {kind}",
                record.id, record.kind
            )));
        }
        let mut ids = BTreeSet::from([record.id.clone()]);
        let mut stmt = conn
            .prepare("SELECT target_id FROM refs WHERE source_id = ?1 UNION SELECT source_id FROM refs WHERE target_id = ?1")
            .ctx("read references")?;
        for row in stmt
            .query_map([&record.id], |r| r.get::<_, String>(0))
            .ctx("read references")?
        {
            ids.insert(row.ctx("read references")?);
        }
        around = Some(match around {
            Some(prev) => prev.intersection(&ids).cloned().collect(),
            None => ids,
        });
    }
    let sql = format!(
        "SELECT id, kind FROM records{}",
        if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        }
    );
    let mut stmt = conn.prepare(&sql).ctx("select records to export")?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .ctx("select records to export")?;
    let mut out: BTreeMap<Kind, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        let (id, kind) = row.ctx("select records to export")?;
        if around.as_ref().is_some_and(|a| !a.contains(&id)) {
            continue;
        }
        let kind: Kind = kind
            .parse()
            .map_err(|_| Error::Corrupt(format!("record {id} has kind `{kind}`")))?;
        out.entry(kind).or_default().insert(id);
    }
    // The files of what is exported travel with it: attachments a selected record links.
    if scope.tag.is_some()
        || around.is_some()
        || scope.from.is_some()
        || scope.to.is_some()
        || since_seq.is_some()
    {
        let selected: Vec<String> = out
            .iter()
            .filter(|(k, _)| **k != Kind::Attachment)
            .flat_map(|(_, ids)| ids.iter().cloned())
            .collect();
        let mut stmt = conn
            .prepare_cached(
                "SELECT f.target_id FROM refs f JOIN records r ON r.id = f.target_id
                 WHERE f.source_id = ?1 AND r.kind = 'attachment'",
            )
            .ctx("read attachments")?;
        for id in selected {
            for row in stmt
                .query_map([&id], |r| r.get::<_, String>(0))
                .ctx("read attachments")?
            {
                out.entry(Kind::Attachment)
                    .or_default()
                    .insert(row.ctx("read attachments")?);
            }
        }
    }
    Ok(out)
}

/// The leaves of record `id` with their ancestry, the winner first (by the same rule that
/// chose it), then by rev.
fn leaves_of(conn: &Connection, id: &str) -> Result<Vec<Leaf>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT rev, deleted, author, author_org, node_id, created_at, content, parent
             FROM revisions WHERE id = ?1 AND is_leaf = 1 ORDER BY rev",
        )
        .ctx("read leaves")?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })
        .ctx("read leaves")?;
    let mut out = vec![];
    for row in rows {
        let (rev, deleted, author, author_org, node_id, time, content, parent) =
            row.ctx("read leaves")?;
        // Erased content never leaves the workspace.
        let Some(content) = content else { continue };
        let ancestry = match parent {
            Some(p) => ancestry(conn, id, &p)?,
            None => vec![],
        };
        out.push(Leaf {
            rev,
            deleted,
            author,
            author_org,
            node_id,
            time,
            content,
            ancestry,
        });
    }
    let winner = out
        .iter()
        .filter_map(|l| Rev::parse(&l.rev).map(|r| (r, l.deleted, l.rev.clone())))
        .max_by(|a, b| winner_order((&a.0, a.1), (&b.0, b.1)))
        .map(|(_, _, rev)| rev);
    out.sort_by_key(|l| Some(&l.rev) != winner.as_ref());
    Ok(out)
}

/// The live records that refer to record `id`.
fn referrers_of(conn: &Connection, id: &str) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached("SELECT DISTINCT source_id FROM refs WHERE target_id = ?1")
        .ctx("read referrers")?;
    let rows = stmt
        .query_map([id], |r| r.get::<_, String>(0))
        .ctx("read referrers")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read referrers")
}

/// Whether a revision of a deleted contact links attachment `id` (erased contacts hold no
/// content, so they never match).
fn linked_by_deleted_contact(conn: &Connection, id: &str) -> Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM records r JOIN revisions v ON v.id = r.id,
                json_each(v.content, '$.links') j
             WHERE r.kind = 'contact' AND r.deleted = 1 AND v.content IS NOT NULL
               AND j.value = ?1)",
    )
    .and_then(|mut s| s.query_row([id], |r| r.get(0)))
    .ctx("read the links of deleted contacts")
}

/// `parent` and its ancestors, up to 1,000 (CouchDB's revs_limit).
fn ancestry(conn: &Connection, id: &str, parent: &str) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached(
            "WITH RECURSIVE up(rev, parent, n) AS (
                SELECT rev, parent, 1 FROM revisions WHERE id = ?1 AND rev = ?2
                UNION ALL
                SELECT v.rev, v.parent, up.n + 1 FROM revisions v JOIN up ON v.id = ?1 AND v.rev = up.parent
                WHERE up.n < 1000)
             SELECT rev FROM up ORDER BY n",
        )
        .ctx("read ancestry")?;
    let rows = stmt
        .query_map(params![id, parent], |r| r.get::<_, String>(0))
        .ctx("read ancestry")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read ancestry")
}

/// Whether a contact's version may go to partners: its consent says so.
fn shareable(content: &str) -> bool {
    serde_json::from_str::<Value>(content)
        .ok()
        .and_then(|c| {
            c.pointer("/consent/share_with_partners")
                .and_then(Value::as_bool)
        })
        .unwrap_or(false)
}

/// A zip entry that hashes and counts what is written to it.
struct HashingEntry<'a, W: Write + std::io::Seek> {
    zip: &'a mut ZipWriter<W>,
    hasher: Sha256,
    size: u64,
}

impl<W: Write + std::io::Seek> Write for HashingEntry<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.zip.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.zip.flush()
    }
}

fn start<'a, W: Write + std::io::Seek>(
    zip: &'a mut ZipWriter<W>,
    name: &str,
) -> Result<HashingEntry<'a, W>> {
    // Record files of a large workspace may pass 4 GiB: they get Zip64 sizes.
    let options = entry_options().large_file(name.starts_with("records/"));
    zip.start_file(name, options)
        .map_err(|e| Error::Invalid(format!("write bundle entry {name}: {e}")))?;
    Ok(HashingEntry {
        zip,
        hasher: Sha256::new(),
        size: 0,
    })
}

fn finish_entry<W: Write + std::io::Seek>(entry: HashingEntry<'_, W>, name: &str) -> FileEntry {
    FileEntry {
        path: name.to_string(),
        size: entry.size,
        sha256: hex::encode(entry.hasher.finalize()),
    }
}

fn write_bundle(
    ws: &Workspace,
    conn: &Connection,
    dest: &Path,
    selection: BTreeMap<Kind, BTreeSet<String>>,
    mut manifest: Manifest,
    progress: &dyn Progress,
) -> Result<ExportSummary> {
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |what: &str, e: std::io::Error| Error::io(format!("{what} {}", dest.display()), e);
    let tmp = tempfile::Builder::new()
        .prefix(".insisst-export-")
        .tempfile_in(dir)
        .map_err(|e| io("create a temporary file beside", e))?;
    let mut zip = ZipWriter::new(BufWriter::with_capacity(
        1 << 20,
        tmp.as_file().try_clone().map_err(|e| io("write", e))?,
    ));
    let total: u64 = selection.values().map(|ids| ids.len() as u64).sum();
    let mut done = 0u64;
    let mut files = vec![];
    let mut counts = BTreeMap::new();
    let mut revisions = 0u64;
    let mut left_out = 0u64;
    // Contacts come before attachments in the bundle's kind order, so this is complete by
    // the time attachments are written.
    let mut left_out_ids: std::collections::HashSet<String> = Default::default();
    let mut attachment_hashes = BTreeSet::new();
    let mut notes = vec![];
    let mut line = String::new();
    let werr = |e: std::io::Error| io("write", e);
    // Every erasure known goes in every bundle, whatever the scope: they name nobody, and a
    // partner who never sees one would keep (and pass on) the person.
    let erasures = crate::privacy::erasures(conn)?;
    if !erasures.is_empty() {
        let name = "erasures.ndjson";
        let mut entry = start(&mut zip, name)?;
        for e in &erasures {
            line.clear();
            line.push_str(&canonical_json(&erasure_line(e)));
            line.push('\n');
            entry.write_all(line.as_bytes()).map_err(werr)?;
        }
        files.push(finish_entry(entry, name));
        manifest.erasures = erasures.len() as u64;
        // A 1.0 reader would refuse the unknown entry with a message that says nothing
        // useful; marked 2.0 it says "update Insisst" (docs/bundle-format.md, section 9).
        manifest.format_version = super::FORMAT_VERSION.into();
    } else {
        manifest.format_version = super::FORMAT_VERSION_WITHOUT_ERASURES.into();
    }
    for (kind, ids) in &selection {
        check_cancel(progress)?;
        let name = format!("records/{kind}.ndjson");
        let mut entry = start(&mut zip, &name)?;
        let mut count = 0u64;
        for id in ids {
            done += 1;
            if done.is_multiple_of(512) {
                progress.update(Phase::Export, done, total);
                check_cancel(progress)?;
            }
            let leaves = leaves_of(conn, id)?;
            let Some(winner) = leaves.first() else {
                continue;
            };
            let live = || leaves.iter().filter(|l| !l.deleted);
            // Only contacts and attachments need their content read; everything else is
            // copied as stored (canonical JSON already).
            if *kind == Kind::Contact && live().any(|l| !shareable(&l.content)) {
                left_out += 1;
                left_out_ids.insert(id.clone());
                continue;
            }
            if *kind == Kind::Attachment {
                // A file attached only to contacts who are left out stays with them.
                let referrers = referrers_of(conn, id)?;
                if !referrers.is_empty() && referrers.iter().all(|r| left_out_ids.contains(r)) {
                    continue;
                }
                // A file no live record links any more stays too when a deleted contact linked
                // it (their CV outlives them otherwise), or when it is deleted: forget deletes
                // the files only the forgotten contact linked, and the erased contact no
                // longer says whether they could be shared. A partner who holds such a file
                // keeps it, as before it was deleted here.
                if referrers.is_empty() && (winner.deleted || linked_by_deleted_contact(conn, id)?)
                {
                    continue;
                }
                for l in live() {
                    let content: Value = serde_json::from_str(&l.content).unwrap_or_default();
                    if let Some(h) = content.get("sha256").and_then(Value::as_str) {
                        attachment_hashes.insert(h.to_string());
                    }
                }
            }
            if *kind == Kind::Note && !winner.deleted {
                notes.push(id.clone());
            }
            revisions += leaves.len() as u64;
            line.clear();
            record_line(id, *kind, &leaves, &mut line);
            entry.write_all(line.as_bytes()).map_err(werr)?;
            count += 1;
        }
        files.push(finish_entry(entry, &name));
        if count > 0 {
            counts.insert(*kind, count);
        }
    }
    for id in &notes {
        let Some(record) = store::load_record(conn, id)? else {
            continue;
        };
        let name = format!("notes/{id}.md");
        let mut entry = start(&mut zip, &name)?;
        entry
            .write_all(note_markdown(&record).as_bytes())
            .map_err(werr)?;
        files.push(finish_entry(entry, &name));
    }
    let attachments_dir = ws.attachments_dir();
    for hash in &attachment_hashes {
        let source = attachments_dir.join(hash);
        let mut file = std::fs::File::open(&source).map_err(|e| {
            Error::io(
                format!(
                    "read attachment file {} (run `insisst check`)",
                    source.display()
                ),
                e,
            )
        })?;
        let name = format!("attachments/{hash}");
        let mut entry = start(&mut zip, &name)?;
        std::io::copy(&mut file, &mut entry).map_err(werr)?;
        let written = finish_entry(entry, &name);
        if written.sha256 != *hash {
            return Err(Error::Corrupt(format!(
                "attachment file {} does not match its hash",
                source.display()
            )));
        }
        files.push(written);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    manifest.counts = counts
        .iter()
        .map(|(k, n)| (k.as_str().to_string(), *n))
        .collect();
    if left_out > 0 || selection.contains_key(&Kind::Contact) {
        manifest
            .left_out
            .insert("contacts_without_consent".into(), left_out);
    }
    manifest.files = files;
    let manifest_bytes = canonical_json(
        &serde_json::to_value(&manifest).map_err(|e| Error::Invalid(e.to_string()))?,
    );
    let signature = ws.identity().signing_key.sign(manifest_bytes.as_bytes());
    for (name, bytes) in [
        ("manifest.json", manifest_bytes.into_bytes()),
        (
            "manifest.sig",
            hex::encode(signature.to_bytes()).into_bytes(),
        ),
    ] {
        let mut entry = start(&mut zip, name)?;
        entry.write_all(&bytes).map_err(werr)?;
    }
    let out = zip
        .finish()
        .map_err(|e| Error::Invalid(format!("write {}: {e}", dest.display())))?;
    let file = out.into_inner().map_err(|e| io("write", e.into_error()))?;
    file.sync_all().map_err(|e| io("write", e))?;
    drop(file);
    let bytes = tmp.as_file().metadata().map_err(|e| io("write", e))?.len();
    tmp.persist(dest).map_err(|e| io("write", e.error))?;
    progress.update(Phase::Export, total, total);
    Ok(ExportSummary {
        path: dest.to_path_buf(),
        bundle_id: manifest.bundle_id,
        records: counts.values().sum(),
        revisions,
        attachments: attachment_hashes.len() as u64,
        bytes,
        left_out_contacts: left_out,
        erasures: erasures.len() as u64,
        counts,
        since_seq: None,
    })
}

/// One line of `erasures.ndjson`: exactly these four keys, no personal field.
pub(crate) fn erasure_line(e: &crate::store::Erasure) -> Value {
    json!({"id": e.id, "kind": "contact", "erased_at": e.erased_at, "node_id": e.node_id})
}

/// A note for people: YAML front matter, then its Markdown body as written.
fn note_markdown(record: &store::Record) -> String {
    let mut front = Map::new();
    front.insert("id".into(), json!(record.id));
    front.insert("title".into(), json!(record.title()));
    front.insert("rev".into(), json!(record.rev));
    front.insert("updated_at".into(), json!(record.updated_at()));
    let tags = record.tags();
    let mut out = String::from("---\n");
    for (k, v) in &front {
        out.push_str(&format!("{k}: {}\n", canonical_json(v)));
    }
    if !tags.is_empty() {
        out.push_str(&format!("tags: {}\n", canonical_json(&json!(tags))));
    }
    if let Some(s) = record.str("session_id") {
        out.push_str(&format!("session_id: {}\n", canonical_json(&json!(s))));
    }
    out.push_str("---\n\n");
    out.push_str(record.str("body").unwrap_or_default());
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}
