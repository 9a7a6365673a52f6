//! Reading a bundle into the workspace. [`preview`] checks all of it and says what importing
//! would do, writing nothing. [`import()`] does the same checks, then reads the file a second
//! time inside one write transaction, re-hashing every entry (the file may sit on a shared
//! drive and change), merges record by record, and commits only if all of it held.

use super::reader::{classify, json_too_deep, read_line, refuse, Bundle, EntryName};
use super::{check_cancel, is_record_id, keyring, limits, Manifest, Phase, Progress};
use crate::error::{Error, Result, SqlContext};
use crate::kind::Kind;
use crate::revision::{canonical_map, winner_order, Rev};
use crate::schema::{self, format_timestamp, parse_timestamp};
use crate::store::{self, IncomingLeaf, IncomingRecord, RevisionAuthor, Workspace, Writer};
use rusqlite::{params, Connection};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufReader, Read, Write};
use std::path::Path;

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Accept a known author's changed key (and record it).
    pub trust_new_key: bool,
}

/// What a bundle's (valid) signature means here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStatus {
    KnownKey,
    NewAuthor,
    ChangedKey,
    Own,
}

impl SignatureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStatus::KnownKey => "known_key",
            SignatureStatus::NewAuthor => "new_author",
            SignatureStatus::ChangedKey => "changed_key",
            SignatureStatus::Own => "own",
        }
    }
}

/// What importing does to the records of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindPlan {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub conflicting: u64,
    pub deleted: u64,
}

impl KindPlan {
    fn add(&mut self, o: &KindPlan) {
        self.new += o.new;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.conflicting += o.conflicting;
        self.deleted += o.deleted;
    }

    /// Records that change.
    pub fn changes(&self) -> u64 {
        self.new + self.updated + self.conflicting + self.deleted
    }
}

/// What a bundle holds and what importing it does (or did).
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub manifest: Manifest,
    pub signature: SignatureStatus,
    pub kinds: BTreeMap<Kind, KindPlan>,
    /// Attachment files this workspace does not have yet.
    pub new_attachments: u64,
    /// This bundle was imported here before.
    pub seen_before: bool,
    /// Set by [`import()`]: the author's key was recorded in the keyring.
    pub key_recorded: bool,
    /// sha256 of manifest.json: names this exact bundle (the manifest hashes every file).
    pub manifest_sha256: String,
    /// Erasure markers the bundle carries, and how many of them this workspace did not
    /// know: importing purges those people here, history included.
    pub erasures: u64,
    pub new_erasures: u64,
    /// Markers for people already erased here, made earlier than the one known: the earliest
    /// is kept, so that every workspace ends with the same marker.
    pub earlier_erasures: u64,
    /// Record lines of erased people with revisions new here: their content is dropped, their
    /// revs kept (as deletions) so that the revision tree stays whole.
    pub erased_ignored: u64,
}

impl ImportPlan {
    pub fn total(&self) -> KindPlan {
        let mut t = KindPlan::default();
        for k in self.kinds.values() {
            t.add(k);
        }
        t
    }

    /// The bundle's scope in words.
    pub fn scope_text(&self) -> String {
        let s = &self.manifest.scope;
        if s.get("all").and_then(Value::as_bool) == Some(true) {
            return "everything".into();
        }
        let mut parts = vec![];
        for (key, label) in [
            ("tag", "tag"),
            ("session", "session"),
            ("question", "question"),
            ("from", "from"),
            ("to", "to"),
            ("changed_since_last_to", "changed since the last bundle to"),
            ("for_org", "for"),
        ] {
            if let Some(v) = s.get(key) {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                parts.push(format!("{label} {v}"));
            }
        }
        if parts.is_empty() {
            "everything".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Checks all of bundle `path` against this workspace and says what importing would do.
/// Writes nothing.
pub fn preview(ws: &Workspace, path: &Path, progress: &dyn Progress) -> Result<ImportPlan> {
    Ok(check(ws, path, progress)?.0)
}

/// Imports bundle `path`: all of it, or (on any problem) nothing.
pub fn import(
    ws: &mut Workspace,
    path: &Path,
    options: ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportPlan> {
    let (mut plan, _) = check(ws, path, progress)?;
    if plan.signature == SignatureStatus::ChangedKey && !options.trust_new_key {
        let known = keyring::get(ws.conn(), &plan.manifest.author.node_id)?
            .map(|k| k.fingerprint)
            .unwrap_or_default();
        return Err(Error::KeyChanged {
            path: path.to_path_buf(),
            member: plan.manifest.author.member.clone(),
            node_id: plan.manifest.author.node_id.clone(),
            known,
            presented: plan.manifest.author.fingerprint(),
        });
    }
    let attachments_dir = ws.attachments_dir();
    let expected_manifest = plan.manifest.clone();
    let changes = plan.total().changes()
        + plan.new_attachments
        + plan.new_erasures
        + plan.earlier_erasures
        + plan.erased_ignored;
    let now = format_timestamp(ws.now());
    let own = plan.signature == SignatureStatus::Own;
    let manifest_sha = plan.manifest_sha256.clone();
    // An erasure empties revisions here: as for a forget, the freed bytes are overwritten
    // (`secure_delete`) and the files purged after the commit, or the person's name would
    // stay in free pages and the WAL.
    let erases = plan.new_erasures + plan.earlier_erasures > 0;
    if erases {
        ws.conn()
            .execute_batch("PRAGMA secure_delete = ON")
            .ctx("turn on secure_delete")?;
    }
    let key_recorded = ws.write(|w| {
        let key_recorded = if own {
            false
        } else {
            keyring::record(w.tx(), &expected_manifest.author, &now)?
        };
        let staged = if changes > 0 {
            apply(
                w,
                path,
                &expected_manifest,
                &manifest_sha,
                &attachments_dir,
                progress,
            )?
        } else {
            vec![]
        };
        w.tx()
            .execute(
                "INSERT INTO bundles_seen (bundle_id, sha256, author_node, seen_at, changed)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    expected_manifest.bundle_id,
                    manifest_sha,
                    expected_manifest.author.node_id,
                    now,
                    changes as i64
                ],
            )
            .ctx("log the bundle")?;
        // Everything held: the attachment files move into place, then the transaction
        // commits. A crash in between leaves files nothing refers to yet (named by their
        // hash, harmless, reused by the next import), never records without their files.
        for (file, dest) in staged {
            if dest.exists() {
                continue;
            }
            file.persist(&dest).map_err(|e| {
                Error::io(
                    format!("move attachment file into {}", dest.display()),
                    e.error,
                )
            })?;
        }
        Ok(key_recorded)
    })?;
    plan.key_recorded = key_recorded;
    if erases {
        // The import is committed; a WAL another reader holds is emptied by the next purge.
        crate::privacy::purge_database_files(ws);
    }
    Ok(plan)
}

/// The record line of a bundle, with contents left unparsed until they are needed.
#[derive(Deserialize)]
struct Line<'a> {
    id: String,
    kind: String,
    #[serde(borrow)]
    leaves: Vec<LeafLine<'a>>,
}

#[derive(Deserialize)]
struct LeafLine<'a> {
    rev: String,
    deleted: bool,
    author: String,
    author_org: Option<String>,
    node_id: String,
    time: String,
    ancestry: Vec<String>,
    #[serde(borrow)]
    content: &'a RawValue,
}

/// How much of a line [`parse_line`] checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// The first reading: everything a refusal could come from.
    Check,
    /// The second reading, inside the write transaction: the same bytes were checked (the
    /// entry's hash proves it at its end), so each new revision's content is only checked
    /// against its rev, which catches a file changed in between before anything is merged.
    Apply,
}

/// Parses and checks one record line. Leaves this workspace knows are not parsed further: a
/// known revision changes nothing, whatever it claims to hold.
fn parse_line(
    conn: &Connection,
    kind: Kind,
    text: &str,
    reading: Reading,
) -> std::result::Result<IncomingRecord, String> {
    if json_too_deep(text.as_bytes(), limits::MAX_JSON_DEPTH) {
        return Err(format!(
            "nested deeper than {} levels",
            limits::MAX_JSON_DEPTH
        ));
    }
    let line: Line<'_> =
        serde_json::from_str(text).map_err(|e| format!("not a record line ({e})"))?;
    if !is_record_id(&line.id) {
        return Err(format!("`{}` is not a record id", line.id.escape_debug()));
    }
    let id = line.id;
    if line.kind != kind.as_str() {
        return Err(format!(
            "record {id} says kind `{}` in the {kind} file",
            line.kind.escape_debug()
        ));
    }
    if line.leaves.is_empty() || line.leaves.len() > limits::MAX_LEAVES {
        return Err(format!(
            "record {id} has {} leaf revisions; 1 to {} are allowed",
            line.leaves.len(),
            limits::MAX_LEAVES
        ));
    }
    let mut leaves = Vec::with_capacity(line.leaves.len());
    for leaf in line.leaves {
        let rev = Rev::parse(&leaf.rev).ok_or_else(|| {
            format!(
                "record {id}: `{}` is not a revision",
                leaf.rev.escape_debug()
            )
        })?;
        if leaf.ancestry.len() > limits::MAX_ANCESTRY {
            return Err(format!(
                "record {id}, revision {rev}: ancestry longer than {}",
                limits::MAX_ANCESTRY
            ));
        }
        let mut ancestry = Vec::with_capacity(leaf.ancestry.len());
        let mut expected = rev.generation;
        for a in &leaf.ancestry {
            let a = Rev::parse(a).ok_or_else(|| {
                format!(
                    "record {id}, revision {rev}: ancestor `{}` is not a revision",
                    a.escape_debug()
                )
            })?;
            if a.generation + 1 != expected {
                return Err(format!(
                    "record {id}, revision {rev}: ancestor {a} is out of order"
                ));
            }
            expected = a.generation;
            ancestry.push(a);
        }
        // An ancestry may stop short of generation 1: a workspace that received a history
        // cut at 1,000 revisions passes on what it knows.
        for (field, value) in [("author", &leaf.author), ("node_id", &leaf.node_id)] {
            if value.chars().count() > limits::MAX_NAME_CHARS || value.chars().any(char::is_control)
            {
                return Err(format!(
                    "record {id}, revision {rev}: `{field}` is not a name"
                ));
            }
        }
        if let Some(org) = &leaf.author_org {
            if org.chars().count() > limits::MAX_NAME_CHARS || org.chars().any(char::is_control) {
                return Err(format!(
                    "record {id}, revision {rev}: `author_org` is not a name"
                ));
            }
        }
        if parse_timestamp(&leaf.time).is_none() {
            return Err(format!(
                "record {id}, revision {rev}: `time` `{}` is not a time",
                leaf.time.escape_debug()
            ));
        }
        let rev_text = rev.to_string();
        let known = store::revision_state(conn, &id, &rev_text)
            .map_err(|e| e.to_string())?
            .is_some();
        let canonical = match (known, reading) {
            (true, _) => None,
            (false, Reading::Check) => Some(check_content(
                kind,
                &id,
                &rev,
                leaf.deleted,
                ancestry.first(),
                leaf.content.get(),
            )?),
            (false, Reading::Apply) => {
                let raw = leaf.content.get();
                if Rev::next_canonical(ancestry.first(), leaf.deleted, raw) != rev {
                    return Err(format!(
                        "record {id}, revision {rev} differs from the first reading: the bundle changed while it was being imported"
                    ));
                }
                Some(raw.to_string())
            }
        };
        leaves.push(IncomingLeaf {
            rev,
            deleted: leaf.deleted,
            by: RevisionAuthor {
                author: leaf.author,
                author_org: leaf.author_org,
                node_id: leaf.node_id,
                time: leaf.time,
            },
            ancestry,
            canonical,
        });
    }
    Ok(IncomingRecord { id, kind, leaves })
}

/// A revision's content must be a record as Insisst writes it, and must hash to its rev.
fn check_content(
    kind: Kind,
    id: &str,
    rev: &Rev,
    deleted: bool,
    parent: Option<&Rev>,
    raw: &str,
) -> std::result::Result<String, String> {
    let at = format!("record {id}, revision {rev}");
    let content: Map<String, Value> = match serde_json::from_str(raw) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(format!("{at}: content is not an object")),
        Err(e) => return Err(format!("{at}: content is not valid JSON ({e})")),
    };
    if content.get("id").and_then(Value::as_str) != Some(id) {
        return Err(format!("{at}: content names another id"));
    }
    if content.get("kind").and_then(Value::as_str) != Some(kind.as_str()) {
        return Err(format!("{at}: content names another kind"));
    }
    let stamp = |field: &str| -> std::result::Result<(), String> {
        match content.get(field).and_then(Value::as_str) {
            Some(t) if parse_timestamp(t).is_some() => Ok(()),
            _ => Err(format!("{at}: field `{field}` is missing or not a time")),
        }
    };
    stamp("updated_at")?;
    if deleted {
        if crate::partners::PARTNERS.iter().any(|p| p.id == id) {
            // The consortium's partners exist in every workspace; no bundle removes one.
            return Err(format!("{at}: a bundle cannot delete a consortium partner"));
        }
        if let Some(extra) = content
            .keys()
            .find(|k| !["id", "kind", "updated_at"].contains(&k.as_str()))
        {
            return Err(format!("{at}: a deletion carries field `{extra}`"));
        }
    } else {
        stamp("created_at")?;
        let normal = schema::validate(kind, &content, &at).map_err(|e| e.to_string())?;
        let user_fields = content
            .iter()
            .filter(|(k, _)| !["id", "kind", "created_at", "updated_at"].contains(&k.as_str()));
        for (k, v) in user_fields {
            if normal.get(k) != Some(v) {
                return Err(format!(
                    "{at}: field `{k}` is not in the form Insisst writes"
                ));
            }
        }
    }
    let canonical = canonical_map(&content);
    if canonical != raw {
        // Stored as it came, so it must come as Insisst writes it: canonical JSON.
        return Err(format!(
            "{at}: content is not canonical JSON (keys sorted, no spaces)"
        ));
    }
    if canonical.len() > store::MAX_RECORD_BYTES {
        return Err(format!(
            "{at}: content is larger than {} bytes",
            store::MAX_RECORD_BYTES
        ));
    }
    if Rev::next_canonical(parent, deleted, &canonical) != *rev {
        return Err(format!(
            "{at}: the revision does not match its content (altered or damaged)"
        ));
    }
    Ok(canonical)
}

#[derive(Clone, Copy)]
enum Class {
    New,
    Updated,
    Unchanged,
    Conflicting,
    Deleted,
}

/// What merging `incoming` would do to this workspace.
fn classify_record(conn: &Connection, incoming: &IncomingRecord) -> Result<Class> {
    let unknown: Vec<&IncomingLeaf> = incoming
        .leaves
        .iter()
        .filter(|l| l.canonical.is_some())
        .collect();
    if unknown.is_empty() {
        return Ok(Class::Unchanged);
    }
    let local = store::leaves(conn, &incoming.id)?;
    let local_winner = local
        .iter()
        .filter_map(|(r, d)| Rev::parse(r).map(|p| (p, *d)))
        .max_by(|a, b| winner_order((&a.0, a.1), (&b.0, b.1)));
    let Some(local_winner) = local_winner else {
        return Ok(if unknown.iter().all(|l| l.deleted) {
            Class::Deleted
        } else {
            Class::New
        });
    };
    let mut after: Vec<(Rev, bool)> = local
        .iter()
        .filter_map(|(r, d)| Rev::parse(r).map(|p| (p, *d)))
        .filter(|(r, _)| !unknown.iter().any(|l| l.ancestry.contains(r)))
        .collect();
    after.extend(unknown.iter().map(|l| (l.rev.clone(), l.deleted)));
    let winner = after
        .iter()
        .max_by(|a, b| winner_order((&a.0, a.1), (&b.0, b.1)))
        .cloned();
    let live = after.iter().filter(|(_, d)| !d).count();
    Ok(match winner {
        Some((_, true)) if !local_winner.1 => Class::Deleted,
        _ if live > 1 => Class::Conflicting,
        _ => Class::Updated,
    })
}

/// Checks the whole bundle (everything a refusal could come from) and plans the import.
fn check(ws: &Workspace, path: &Path, progress: &dyn Progress) -> Result<(ImportPlan, ())> {
    let mut bundle = Bundle::open(path)?;
    let conn = ws.conn();
    let author = &bundle.manifest.author;
    let own_key = ws.identity().public_key_hex();
    let signature = if author.node_id == ws.identity().node_id {
        if author.public_key == own_key {
            SignatureStatus::Own
        } else {
            SignatureStatus::ChangedKey
        }
    } else {
        match keyring::get(conn, &author.node_id)? {
            Some(k) if k.public_key == author.public_key => SignatureStatus::KnownKey,
            Some(_) => SignatureStatus::ChangedKey,
            None => SignatureStatus::NewAuthor,
        }
    };
    let seen_before: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM bundles_seen WHERE bundle_id = ?1)",
            [&bundle.manifest.bundle_id],
            |r| r.get(0),
        )
        .ctx("read the bundles seen")?;
    let manifest_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        &bundle.manifest_bytes,
    ));
    let attachments_dir = ws.attachments_dir();
    if already_applied(conn, &bundle.manifest, &manifest_sha256, &attachments_dir)? {
        // Every revision this exact bundle holds was merged here before, and revisions are
        // never forgotten (erasure empties them, keeps their ids): importing it again can
        // change nothing, so its records are not parsed again (CouchDB's replication
        // checkpoints rest on the same fact). Its entries are still read through the caps
        // and hashed: a damaged or altered file is refused, not reported as "nothing new".
        let total_bytes: u64 = bundle.manifest.files.iter().map(|f| f.size).sum();
        let mut done_bytes = 0u64;
        let files: Vec<(String, u64)> = bundle
            .manifest
            .files
            .iter()
            .map(|f| (f.path.clone(), f.size))
            .collect();
        for (name, size) in files {
            check_cancel(progress)?;
            bundle.entry(&name)?.finish()?;
            done_bytes += size;
            progress.update(Phase::Check, done_bytes, total_bytes);
        }
        let kinds = bundle
            .manifest
            .counts
            .iter()
            .filter_map(|(k, n)| {
                let kind: Kind = k.parse().ok()?;
                Some((
                    kind,
                    KindPlan {
                        unchanged: *n,
                        ..Default::default()
                    },
                ))
            })
            .collect();
        return Ok((
            ImportPlan {
                erasures: bundle.manifest.erasures,
                manifest: bundle.manifest,
                signature,
                kinds,
                new_attachments: 0,
                seen_before: true,
                key_recorded: false,
                manifest_sha256,
                new_erasures: 0,
                earlier_erasures: 0,
                erased_ignored: 0,
            },
            (),
        ));
    }
    let total_bytes: u64 = bundle.manifest.files.iter().map(|f| f.size).sum();
    let mut done_bytes = 0u64;
    let mut kinds: BTreeMap<Kind, KindPlan> = BTreeMap::new();
    let mut ids: HashMap<String, Kind> = HashMap::new();
    let mut in_bundle: HashSet<String> = HashSet::new();
    let mut needed: Vec<(String, String)> = vec![];
    let mut new_attachments = 0u64;
    let names: Vec<(String, u64)> = bundle
        .manifest
        .files
        .iter()
        .map(|f| (f.path.clone(), f.size))
        .collect();
    let counts = bundle.manifest.counts.clone();
    let mut line = Vec::new();
    let erasures = read_erasures(&mut bundle, path, conn, &mut line)?;
    let bundle_erased: HashSet<&str> = erasures.iter().map(|e| e.id.as_str()).collect();
    let (mut new_erasures, mut earlier_erasures) = (0u64, 0u64);
    let known = crate::privacy::erasures(conn)?;
    for e in &erasures {
        match known.binary_search_by(|k| k.id.cmp(&e.id)) {
            Err(_) => new_erasures += 1,
            Ok(i) if (&e.erased_at, &e.node_id) < (&known[i].erased_at, &known[i].node_id) => {
                earlier_erasures += 1
            }
            Ok(_) => {}
        }
    }
    let mut erased_ignored = 0u64;
    for (name, size) in names {
        check_cancel(progress)?;
        let entry_name =
            classify(&name).ok_or_else(|| refuse(path, format!("`{name}` is not allowed")))?;
        let mut entry = bundle.entry(&name)?;
        match entry_name {
            EntryName::Attachment(hash) => {
                std::io::copy(&mut entry, &mut std::io::sink()).map_err(|e| entry.problem(e))?;
                entry.finish()?;
                if !attachments_dir.join(&hash).is_file() {
                    new_attachments += 1;
                }
                in_bundle.insert(hash);
            }
            EntryName::Note => {
                let mut text = Vec::new();
                entry.read_to_end(&mut text).map_err(|e| entry.problem(e))?;
                if std::str::from_utf8(&text).is_err() {
                    return Err(refuse(path, format!("entry `{name}` is not UTF-8 text")));
                }
                entry.finish()?;
            }
            EntryName::Records(kind) => {
                let plan = kinds.entry(kind).or_default();
                let n = for_each_line(
                    entry,
                    path,
                    &name,
                    &mut line,
                    limits::MAX_LINE_BYTES,
                    |n, text, read| {
                        let at =
                            |problem: String| refuse(path, format!("`{name}` line {n}: {problem}"));
                        let incoming = parse_line(conn, kind, text, Reading::Check).map_err(at)?;
                        if let Some(other) = ids.insert(incoming.id.clone(), kind) {
                            return Err(at(if other == kind {
                                format!("record {} appears twice", incoming.id)
                            } else {
                                format!("id {} is used by a {other} and a {kind}", incoming.id)
                            }));
                        }
                        if let Some(local) = store::kind_of(conn, &incoming.id)? {
                            if local != kind.as_str() {
                                return Err(at(format!(
                                    "record {} is a {kind} in the bundle but a {local} here",
                                    incoming.id
                                )));
                            }
                        }
                        if kind == Kind::Attachment {
                            for leaf in incoming.leaves.iter().filter(|l| !l.deleted) {
                                if let Some(c) = &leaf.canonical {
                                    let v: Value = serde_json::from_str(c).unwrap_or(Value::Null);
                                    if let Some(h) = v.get("sha256").and_then(Value::as_str) {
                                        needed.push((incoming.id.clone(), h.to_string()));
                                    }
                                }
                            }
                        }
                        if bundle_erased.contains(incoming.id.as_str())
                            || store::is_erased(conn, &incoming.id)?
                        {
                            if kind != Kind::Contact {
                                return Err(at(format!(
                                    "record {} is a {kind}, but it was erased as a contact",
                                    incoming.id
                                )));
                            }
                            // Erasure is final: this person's revisions are kept by rev only (so
                            // that the tree stays the same in every workspace that saw them).
                            if incoming.leaves.iter().any(|l| l.canonical.is_some()) {
                                erased_ignored += 1;
                            } else {
                                plan.unchanged += 1;
                            }
                            return Ok(());
                        }
                        match classify_record(conn, &incoming)? {
                            Class::New => plan.new += 1,
                            Class::Updated => plan.updated += 1,
                            Class::Unchanged => plan.unchanged += 1,
                            Class::Conflicting => plan.conflicting += 1,
                            Class::Deleted => plan.deleted += 1,
                        }
                        if n.is_multiple_of(1024) {
                            check_cancel(progress)?;
                            progress.update(Phase::Check, done_bytes + read, total_bytes);
                        }
                        Ok(())
                    },
                )?;
                let declared = counts.get(kind.as_str()).copied().unwrap_or(0);
                if declared != n {
                    return Err(refuse(
                        path,
                        format!("manifest.json counts {declared} {kind} records; `{name}` has {n}"),
                    ));
                }
            }
            // Read (and hashed) first, above.
            EntryName::Erasures => {}
            EntryName::Manifest | EntryName::Signature => {
                return Err(refuse(path, format!("manifest.json lists `{name}`")))
            }
        }
        done_bytes += size;
        progress.update(Phase::Check, done_bytes, total_bytes);
    }
    for (id, hash) in needed {
        if !in_bundle.contains(&hash) && !attachments_dir.join(&hash).is_file() {
            return Err(refuse(
                path,
                format!("attachment {id} names file {hash}, which is neither in the bundle nor in this workspace"),
            ));
        }
    }
    for kind in bundle.manifest.counts.keys() {
        let kind: Kind = kind.parse()?;
        if !kinds.contains_key(&kind) {
            return Err(refuse(path, format!("manifest.json counts {kind} records but the bundle has no records/{kind}.ndjson")));
        }
    }
    let plan = ImportPlan {
        erasures: bundle.manifest.erasures,
        manifest: bundle.manifest,
        signature,
        kinds,
        new_attachments,
        seen_before,
        key_recorded: false,
        manifest_sha256,
        new_erasures,
        earlier_erasures,
        erased_ignored,
    };
    Ok((plan, ()))
}

/// Whether this workspace merged a bundle with exactly this manifest before (the manifest
/// hashes every entry), and still has its attachment files.
fn already_applied(
    conn: &Connection,
    manifest: &Manifest,
    manifest_sha256: &str,
    attachments_dir: &Path,
) -> Result<bool> {
    let seen: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM bundles_seen WHERE sha256 = ?1)",
            [manifest_sha256],
            |r| r.get(0),
        )
        .ctx("read the bundles seen")?;
    Ok(seen
        && manifest.files.iter().all(|f| match classify(&f.path) {
            Some(EntryName::Attachment(hash)) => attachments_dir.join(hash).is_file(),
            _ => true,
        }))
}

/// Reads the record lines of entry `name` through the line cap, as UTF-8 text, calling
/// `each(line number, text, bytes read so far)`; then checks the entry's size and hash.
/// Returns how many lines there were.
fn for_each_line(
    entry: super::reader::EntryReader<'_>,
    path: &Path,
    name: &str,
    line: &mut Vec<u8>,
    cap: usize,
    mut each: impl FnMut(u64, &str, u64) -> Result<()>,
) -> Result<u64> {
    let mut reader = BufReader::with_capacity(256 * 1024, entry);
    let mut n = 0u64;
    while read_line(&mut reader, line, cap).map_err(|e| reader.get_ref().problem(e))? {
        n += 1;
        let text = std::str::from_utf8(line)
            .map_err(|_| refuse(path, format!("`{name}` line {n}: not UTF-8 text")))?;
        each(n, text, reader.get_ref().bytes_read())?;
    }
    reader.into_inner().finish()?;
    Ok(n)
}

/// One line of `erasures.ndjson`. Exactly these keys: a marker that carried more could carry a
/// person.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErasureLine {
    id: String,
    kind: String,
    erased_at: String,
    node_id: String,
}

/// Reads and checks `erasures.ndjson` (through its caps and hash), if the bundle has it; its
/// line count must be the manifest's `erasures`.
fn read_erasures(
    bundle: &mut Bundle,
    path: &Path,
    conn: &Connection,
    line: &mut Vec<u8>,
) -> Result<Vec<store::Erasure>> {
    let name = "erasures.ndjson";
    let declared = bundle.manifest.erasures;
    if !bundle.manifest.files.iter().any(|f| f.path == name) {
        if declared > 0 {
            return Err(refuse(
                path,
                format!("manifest.json counts {declared} erasures but the bundle has no {name}"),
            ));
        }
        return Ok(vec![]);
    }
    let entry = bundle.entry(name)?;
    let mut out: Vec<store::Erasure> = vec![];
    let mut seen: HashSet<String> = HashSet::new();
    let n = for_each_line(
        entry,
        path,
        name,
        line,
        limits::MAX_ERASURE_LINE_BYTES,
        |n, text, _| {
            let at = |problem: String| refuse(path, format!("`{name}` line {n}: {problem}"));
            if json_too_deep(text.as_bytes(), 1) {
                return Err(at("an erasure is one flat JSON object".into()));
            }
            let e: ErasureLine =
                serde_json::from_str(text).map_err(|e| at(format!("not an erasure ({e})")))?;
            if !is_record_id(&e.id) {
                return Err(at(format!("`{}` is not a record id", e.id.escape_debug())));
            }
            if e.kind != Kind::Contact.as_str() {
                return Err(at(format!(
                    "erases a `{}`; only contacts are erased",
                    e.kind.escape_debug()
                )));
            }
            if parse_timestamp(&e.erased_at).is_none() {
                return Err(at(format!(
                    "`erased_at` `{}` is not a time",
                    e.erased_at.escape_debug()
                )));
            }
            if !is_record_id(&e.node_id) {
                return Err(at(format!(
                    "`node_id` `{}` is not a workspace id",
                    e.node_id.escape_debug()
                )));
            }
            if !seen.insert(e.id.clone()) {
                return Err(at(format!("record {} is erased twice", e.id)));
            }
            if let Some(local) = store::kind_of(conn, &e.id)? {
                if local != Kind::Contact.as_str() {
                    return Err(at(format!(
                        "erases record {}, which is a {local} here; only contacts are erased",
                        e.id
                    )));
                }
            }
            out.push(store::Erasure {
                id: e.id,
                erased_at: e.erased_at,
                node_id: e.node_id,
            });
            Ok(())
        },
    )?;
    if n != declared {
        return Err(refuse(
            path,
            format!("manifest.json counts {declared} erasures; `{name}` has {n}"),
        ));
    }
    Ok(out)
}

type Staged = Vec<(tempfile::NamedTempFile, std::path::PathBuf)>;

/// The second reading, inside the write transaction.
fn apply(
    w: &mut Writer<'_>,
    path: &Path,
    expected: &Manifest,
    expected_sha: &str,
    attachments_dir: &Path,
    progress: &dyn Progress,
) -> Result<Staged> {
    let mut bundle = Bundle::open(path)?;
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        &bundle.manifest_bytes,
    ));
    if sha != expected_sha {
        return Err(refuse(
            path,
            "the bundle changed while it was being imported; nothing was changed",
        ));
    }
    let total_bytes: u64 = expected.files.iter().map(|f| f.size).sum();
    let mut done_bytes = 0u64;
    let mut staged: Staged = vec![];
    let mut line = Vec::new();
    // Erasures first: the records that follow find their people already erased.
    for erasure in read_erasures(&mut bundle, path, w.tx(), &mut line)? {
        w.erase(&erasure)
            .map_err(|e| refuse(path, format!("`erasures.ndjson`: {e}")))?;
    }
    for f in &expected.files {
        check_cancel(progress)?;
        let entry_name = classify(&f.path)
            .ok_or_else(|| refuse(path, format!("`{}` is not allowed", f.path)))?;
        match entry_name {
            EntryName::Attachment(hash) => {
                let dest = attachments_dir.join(&hash);
                let mut entry = bundle.entry(&f.path)?;
                if dest.is_file() {
                    entry.finish()?;
                } else {
                    std::fs::create_dir_all(attachments_dir).map_err(|e| {
                        Error::io(format!("create {}", attachments_dir.display()), e)
                    })?;
                    let mut tmp = tempfile::Builder::new()
                        .prefix(".incoming-")
                        .tempfile_in(attachments_dir)
                        .map_err(|e| {
                            Error::io(format!("write into {}", attachments_dir.display()), e)
                        })?;
                    std::io::copy(&mut entry, tmp.as_file_mut()).map_err(|e| entry.problem(e))?;
                    entry.finish()?;
                    tmp.as_file_mut()
                        .flush()
                        .and_then(|_| tmp.as_file().sync_all())
                        .map_err(|e| {
                            Error::io(format!("write into {}", attachments_dir.display()), e)
                        })?;
                    staged.push((tmp, dest));
                }
            }
            EntryName::Note => bundle.entry(&f.path)?.finish()?,
            EntryName::Records(kind) => {
                let entry = bundle.entry(&f.path)?;
                for_each_line(
                    entry,
                    path,
                    &f.path,
                    &mut line,
                    limits::MAX_LINE_BYTES,
                    |n, text, read| {
                        let at = |problem: String| {
                            refuse(path, format!("`{}` line {n}: {problem}", f.path))
                        };
                        let incoming =
                            parse_line(w.tx(), kind, text, Reading::Apply).map_err(at)?;
                        w.merge_record(&incoming)?;
                        if n.is_multiple_of(1024) {
                            check_cancel(progress)?;
                            progress.update(Phase::Apply, done_bytes + read, total_bytes);
                        }
                        Ok(())
                    },
                )?;
            }
            EntryName::Erasures | EntryName::Manifest | EntryName::Signature => {}
        }
        done_bytes += f.size;
        progress.update(Phase::Apply, done_bytes, total_bytes);
    }
    Ok(staged)
}
