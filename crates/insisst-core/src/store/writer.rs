//! The one write path. Every change to a record, from any caller, ends in [`Writer::put`]:
//! it validates the content and its references, writes the revision, moves the record's
//! winner, refreshes tags and references, and takes the next change sequence number.

use super::{find_org, load_record, parse_content, Record};
use crate::clock::{Clock, Entropy};
use crate::error::{Error, Result, SqlContext};
use crate::identity::Identity;
use crate::kind::Kind;
use crate::revision::{canonical_map, winner_order, Rev};
use crate::schema::{self, format_timestamp};
use crate::wiki;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

mod merge;
pub use merge::{IncomingLeaf, IncomingRecord};

/// The largest record accepted, as canonical JSON (4 MiB): above any real record, low enough
/// that lists of many long items cannot make one record exhaust memory.
pub const MAX_RECORD_BYTES: usize = 4 << 20;

/// The largest attachment accepted (256 MiB).
pub const MAX_ATTACHMENT_BYTES: u64 = 256 << 20;

/// Who wrote a revision, and when.
#[derive(Debug, Clone)]
pub struct RevisionAuthor {
    pub author: String,
    pub author_org: Option<String>,
    pub node_id: String,
    pub time: String,
}

/// Who a revision is by.
enum Origin {
    /// This workspace's owner.
    Local,
    /// The constant first revisions of the seeded partners.
    Seed,
}

pub struct Writer<'a> {
    tx: Transaction<'a>,
    clock: &'a dyn Clock,
    entropy: &'a mut dyn Entropy,
    identity: &'a Identity,
    next_seq: i64,
    wrote: bool,
    /// References that another version of the record being resolved holds: kept without
    /// the check that they exist here.
    held_elsewhere: Vec<String>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(
        tx: Transaction<'a>,
        clock: &'a dyn Clock,
        entropy: &'a mut dyn Entropy,
        identity: &'a Identity,
    ) -> Result<Self> {
        let next_seq = super::current_seq(&tx)? + 1;
        Ok(Writer {
            tx,
            clock,
            entropy,
            identity,
            next_seq,
            wrote: false,
            held_elsewhere: Vec::new(),
        })
    }

    /// Commits; returns the last change sequence number written, if anything was.
    pub(crate) fn commit(self) -> Result<Option<i64>> {
        let seq = self.wrote.then_some(self.next_seq - 1);
        self.tx.commit().ctx("commit")?;
        Ok(seq)
    }

    pub(crate) fn tx(&self) -> &Transaction<'a> {
        &self.tx
    }

    /// The live record `id`, as this transaction sees it.
    pub fn get(&self, id: &str) -> Result<Record> {
        let r = self.get_any(id)?;
        if r.deleted {
            return Err(Error::Deleted { id: r.id });
        }
        Ok(r)
    }

    pub fn get_any(&self, id: &str) -> Result<Record> {
        load_record(&self.tx, id)?.ok_or_else(|| Error::NotFound(id.to_string()))
    }

    pub fn find_org(&self, query: &str) -> Result<Option<Record>> {
        find_org(&self.tx, query)
    }

    pub fn create(&mut self, kind: Kind, content: Map<String, Value>) -> Result<Record> {
        let now = self.clock.now();
        let id = crate::clock::new_id(now, self.entropy).to_string();
        self.put(kind, &id, None, Some(content), None, Origin::Local)
    }

    /// Creates a record with an id chosen by the caller (the demo generator, importers that
    /// keep identities).
    pub fn create_with_id(
        &mut self,
        kind: Kind,
        id: &str,
        content: Map<String, Value>,
    ) -> Result<Record> {
        let id = uuid::Uuid::parse_str(id)
            .map_err(|_| {
                Error::field(
                    format!("new {kind}"),
                    "id",
                    format!("`{id}` is not a record id"),
                )
            })?
            .to_string();
        if load_record(&self.tx, &id)?.is_some() {
            return Err(Error::field(
                format!("new {kind}"),
                "id",
                format!("a record with id {id} exists already"),
            ));
        }
        self.put(kind, &id, None, Some(content), None, Origin::Local)
    }

    pub fn update(
        &mut self,
        id: &str,
        content: Map<String, Value>,
        expected_rev: Option<&str>,
    ) -> Result<Record> {
        let current = self.get(id)?;
        if let Some(expected) = expected_rev {
            if expected != current.rev {
                return Err(Error::Conflict {
                    id: current.id,
                    expected: expected.to_string(),
                    actual: current.rev,
                });
            }
        }
        if let Some(Value::String(k)) = content.get("kind") {
            if k != current.kind.as_str() {
                return Err(Error::field(
                    current.label(),
                    "kind",
                    format!("a {} cannot become a {k}", current.kind),
                ));
            }
        }
        let kind = current.kind;
        let id = current.id.clone();
        self.put(
            kind,
            &id,
            Some(&current),
            Some(content),
            None,
            Origin::Local,
        )
    }

    /// Deletes record `id` by writing a tombstone revision; its history stays restorable.
    pub fn delete(&mut self, id: &str) -> Result<Record> {
        let current = self.get(id)?;
        if crate::partners::PARTNERS.iter().any(|p| p.id == current.id) {
            return Err(Error::Invalid(format!(
                "{} is a consortium partner and cannot be deleted",
                current.label()
            )));
        }
        let live = self.leaves(&current.id)?.iter().filter(|(_, d)| !d).count();
        if live > 1 {
            // A tombstone on the winner would let the other version win: the record would
            // come back with content nobody chose. A person decides first.
            return Err(Error::Invalid(format!(
                "{} has conflicting versions; resolve the conflict first (insisst conflicts)",
                current.label()
            )));
        }
        let (kind, id) = (current.kind, current.id.clone());
        self.put(kind, &id, Some(&current), None, None, Origin::Local)
    }

    /// Makes the content of revision `rev` current again, as a new revision (a deleted
    /// record comes back).
    pub fn restore(&mut self, id: &str, rev: &str) -> Result<Record> {
        let current = self.get_any(id)?;
        if self.is_erased(&current.id)? {
            return Err(erased_error(&current.id));
        }
        let row: Option<(bool, Option<String>, bool)> = self
            .tx
            .query_row(
                "SELECT deleted, content, stub FROM revisions WHERE id = ?1 AND rev = ?2",
                params![current.id, rev.trim()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .ctx("read a revision")?;
        let (deleted, content, stub) = row.ok_or_else(|| Error::RevisionNotFound {
            id: current.id.clone(),
            rev: rev.to_string(),
        })?;
        if stub {
            return Err(Error::Invalid(format!(
                "revision {rev} of {} was made elsewhere and its content never reached this workspace",
                current.id
            )));
        }
        if deleted {
            return Err(Error::Invalid(format!(
                "revision {rev} of {} is a deletion; restore a revision before it",
                current.id
            )));
        }
        let content = content.ok_or_else(|| {
            Error::Invalid(format!(
                "revision {rev} of {} was erased and cannot be restored",
                current.id
            ))
        })?;
        let content = parse_content(&current.id, &content)?;
        let created_at = content
            .get("created_at")
            .and_then(Value::as_str)
            .map(str::to_string);
        let (kind, id) = (current.kind, current.id.clone());
        self.put(
            kind,
            &id,
            Some(&current),
            Some(content),
            created_at,
            Origin::Local,
        )
    }

    /// Adds `to` to the explicit links of `from`.
    pub fn link(&mut self, from: &str, to: &str) -> Result<Record> {
        let source = self.get(from)?;
        let target = self.get(to)?;
        let mut content = source.content.clone();
        let mut links = super::string_list(&content, "links");
        if links.contains(&target.id) {
            return Ok(source);
        }
        links.push(target.id.clone());
        content.insert("links".into(), Value::from(links));
        let (kind, id) = (source.kind, source.id.clone());
        self.put(kind, &id, Some(&source), Some(content), None, Origin::Local)
    }

    /// Links a stored attachment file from record `id`, creating its attachment record if
    /// this workspace has none for that content yet. Returns the attachment record.
    pub(crate) fn attach(&mut self, id: &str, file: &StoredFile) -> Result<Record> {
        let target = self.get(id)?;
        if target.kind == Kind::Attachment {
            return Err(Error::Invalid(format!(
                "{} is itself an attachment",
                target.label()
            )));
        }
        let existing: Option<String> = self
            .tx
            .query_row(
                "SELECT r.id FROM records r JOIN revisions v ON v.id = r.id AND v.rev = r.rev
                 WHERE r.kind = 'attachment' AND r.deleted = 0
                   AND json_extract(v.content, '$.sha256') = ?1 LIMIT 1",
                [&file.sha256],
                |r| r.get(0),
            )
            .optional()
            .ctx("find an attachment")?;
        let attachment = match existing {
            Some(att_id) => self.get(&att_id)?,
            None => {
                let content = serde_json::json!({
                    "title": file.filename,
                    "filename": file.filename,
                    "sha256": file.sha256,
                    "media_type": file.media_type,
                    "size": file.size,
                });
                self.create(
                    Kind::Attachment,
                    content.as_object().cloned().unwrap_or_default(),
                )?
            }
        };
        let mut content = target.content.clone();
        let mut links = super::string_list(&content, "links");
        if !links.contains(&attachment.id) {
            links.push(attachment.id.clone());
        }
        content.insert("links".into(), Value::from(links));
        if target.kind == Kind::Note {
            let mut hashes = super::string_list(&content, "attachments");
            if !hashes.contains(&file.sha256) {
                hashes.push(file.sha256.clone());
            }
            content.insert("attachments".into(), Value::from(hashes));
        }
        let (kind, tid) = (target.kind, target.id.clone());
        self.put(
            kind,
            &tid,
            Some(&target),
            Some(content),
            None,
            Origin::Local,
        )?;
        Ok(attachment)
    }

    /// Writes the seven partners' constant first revisions, unless they are there already.
    pub(crate) fn seed_partners(&mut self) -> Result<()> {
        for p in &crate::partners::PARTNERS {
            if load_record(&self.tx, p.id)?.is_none() {
                self.put(Kind::Org, p.id, None, Some(p.content()), None, Origin::Seed)?;
            }
        }
        Ok(())
    }

    /// The write path. `content: None` writes a tombstone.
    fn put(
        &mut self,
        kind: Kind,
        id: &str,
        parent: Option<&Record>,
        content: Option<Map<String, Value>>,
        created_at_hint: Option<String>,
        origin: Origin,
    ) -> Result<Record> {
        if self.is_erased(id)? {
            // Erasure is final: no edit, restore or new record brings the person back.
            return Err(erased_error(id));
        }
        let now = format_timestamp(self.clock.now());
        let (full, deleted) = match content {
            Some(content) => {
                let label = match parent {
                    Some(p) => format!("{} {}", p.kind, p.id),
                    None => format!(
                        "new {kind} \"{}\"",
                        content
                            .get("title")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                    ),
                };
                let mut full = schema::validate_owned(kind, content, &label)?;
                self.check_references(kind, id, &full, parent, &label)?;
                let created_at = match origin {
                    Origin::Seed => crate::partners::SEEDED_AT.to_string(),
                    Origin::Local => parent
                        .filter(|p| !p.deleted)
                        .and_then(|p| p.str("created_at"))
                        .map(str::to_string)
                        .or(created_at_hint)
                        .unwrap_or_else(|| now.clone()),
                };
                let updated_at = match origin {
                    Origin::Seed => crate::partners::SEEDED_AT.to_string(),
                    Origin::Local => now.clone(),
                };
                full.insert("id".into(), Value::String(id.to_string()));
                full.insert("kind".into(), Value::String(kind.as_str().into()));
                full.insert("created_at".into(), Value::String(created_at));
                full.insert("updated_at".into(), Value::String(updated_at));
                if let Some(p) = parent.filter(|p| !p.deleted) {
                    if same_ignoring_updated_at(&p.content, &full) {
                        // Saving what is already there is not a change: no revision, no noise.
                        return Ok(p.clone());
                    }
                }
                (full, false)
            }
            None => {
                let mut tomb = Map::new();
                tomb.insert("id".into(), Value::String(id.to_string()));
                tomb.insert("kind".into(), Value::String(kind.as_str().into()));
                tomb.insert("updated_at".into(), Value::String(now.clone()));
                (tomb, true)
            }
        };
        let parent_rev = match parent {
            Some(p) => Some(Rev::parse(&p.rev).ok_or_else(|| {
                Error::Corrupt(format!(
                    "record {} has a malformed revision `{}`",
                    p.id, p.rev
                ))
            })?),
            None => None,
        };
        let canonical = canonical_map(&full);
        if canonical.len() > MAX_RECORD_BYTES {
            return Err(Error::field(
                format!("{kind} {id}"),
                "(record)",
                format!(
                    "is {} bytes as JSON; a record may be at most {MAX_RECORD_BYTES}",
                    canonical.len()
                ),
            ));
        }
        let rev = Rev::next_canonical(parent_rev.as_ref(), deleted, &canonical);
        let rev_text = rev.to_string();
        let by = match origin {
            Origin::Local => RevisionAuthor {
                author: self.identity.owner.member.clone(),
                author_org: Some(self.identity.owner.org_name.clone()).filter(|o| !o.is_empty()),
                node_id: self.identity.node_id.clone(),
                time: now.clone(),
            },
            Origin::Seed => RevisionAuthor {
                author: "Insisst".to_string(),
                author_org: None,
                node_id: "seed".to_string(),
                time: crate::partners::SEEDED_AT.to_string(),
            },
        };
        self.insert_revision(
            id,
            &rev,
            parent.map(|p| p.rev.as_str()),
            deleted,
            Some(&canonical),
            &by,
        )?;
        if let Some(p) = parent {
            self.retire_leaf(id, &p.rev)?;
            if self.has_other_leaves(id, &rev_text)? {
                // Conflicting branches exist: the deterministic winner among all leaves
                // holds the record, which need not be the revision just written.
                return self.settle_winner(kind, id, true, None);
            }
        }
        let created_at = full
            .get("created_at")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| parent.and_then(|p| p.str("created_at")).map(str::to_string))
            .unwrap_or_else(|| now.clone());
        let record = Record {
            id: id.to_string(),
            kind,
            rev: rev_text,
            deleted,
            content: full,
        };
        self.set_winner(&record, &created_at, parent.is_some())?;
        Ok(record)
    }

    /// Writes one revision row, as a leaf. `canonical: None` for a revision of an erased
    /// record: kept by rev only, so that the tree stays whole and old bundles stay old.
    fn insert_revision(
        &mut self,
        id: &str,
        rev: &Rev,
        parent: Option<&str>,
        deleted: bool,
        canonical: Option<&str>,
        by: &RevisionAuthor,
    ) -> Result<()> {
        let rev_text = rev.to_string();
        self.tx
            .prepare_cached(
                "INSERT INTO revisions (id, rev, generation, parent, deleted, is_leaf, content,
                                        author, author_org, node_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    rev_text,
                    rev.generation as i64,
                    parent,
                    deleted,
                    canonical,
                    by.author,
                    by.author_org,
                    by.node_id,
                    by.time,
                ])
            })
            .ctx(&format!("write revision {rev_text} of {id}"))?;
        Ok(())
    }

    /// A revision that got a child is no longer a leaf.
    fn retire_leaf(&mut self, id: &str, rev: &str) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE revisions SET is_leaf = 0 WHERE id = ?1 AND rev = ?2")
            .and_then(|mut s| s.execute(params![id, rev]))
            .ctx("update the revision tree")?;
        Ok(())
    }

    fn has_other_leaves(&self, id: &str, rev: &str) -> Result<bool> {
        self.tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM revisions WHERE id = ?1 AND is_leaf = 1 AND rev != ?2)",
            )
            .and_then(|mut s| s.query_row(params![id, rev], |r| r.get(0)))
            .ctx("read the revision tree")
    }

    /// The leaves of record `id`: `(rev, deleted)`.
    pub(crate) fn leaves(&self, id: &str) -> Result<Vec<(String, bool)>> {
        super::leaves(&self.tx, id)
    }

    /// Points the record at the deterministic winner among its leaves (CouchDB's rule, see
    /// [`winner_order`]) and returns it. `existed`: the record had a row before this write;
    /// `written`: a revision just written with its canonical content, which saves reading it
    /// back when it wins.
    fn settle_winner(
        &mut self,
        kind: Kind,
        id: &str,
        existed: bool,
        written: Option<(&str, &str)>,
    ) -> Result<Record> {
        let leaves = self.leaves(id)?;
        let winner = leaves
            .iter()
            .filter_map(|(rev, deleted)| Rev::parse(rev).map(|r| (r, *deleted, rev)))
            .max_by(|a, b| winner_order((&a.0, a.1), (&b.0, b.1)))
            .map(|(_, deleted, rev)| (rev.clone(), deleted))
            .ok_or_else(|| Error::Corrupt(format!("record {id} has no leaf revision")))?;
        let (rev, deleted) = winner;
        let content: Option<std::borrow::Cow<'_, str>> = match written {
            Some((written_rev, text)) if written_rev == rev => Some(text.into()),
            _ => self
                .tx
                .prepare_cached("SELECT content FROM revisions WHERE id = ?1 AND rev = ?2")
                .and_then(|mut s| s.query_row(params![id, rev], |r| r.get::<_, Option<String>>(0)))
                .ctx("read the winning revision")?
                .map(Into::into),
        };
        let content = match content {
            Some(text) => super::parse_content(id, &text)?,
            None => {
                let mut m = Map::new();
                m.insert("id".into(), Value::String(id.to_string()));
                m.insert("kind".into(), Value::String(kind.as_str().into()));
                m
            }
        };
        let previous_created = || -> Result<Option<String>> {
            if !existed {
                return Ok(None);
            }
            self.tx
                .prepare_cached("SELECT created_at FROM records WHERE id = ?1")
                .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
                .ctx("read a record")
        };
        // A tombstone has no created_at: the record keeps the one it had.
        let created_at = match content.get("created_at").and_then(Value::as_str) {
            Some(c) => Some(c.to_string()),
            None => previous_created()?,
        };
        let created_at = created_at
            .or_else(|| {
                content
                    .get("updated_at")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| format_timestamp(self.clock.now()));
        let record = Record {
            id: id.to_string(),
            kind,
            rev,
            deleted,
            content,
        };
        self.set_winner(&record, &created_at, existed)?;
        Ok(record)
    }

    /// Makes `record` the one the `records` row shows, with its tags and references, under
    /// the next change sequence number (the search index and exports follow it).
    fn set_winner(&mut self, record: &Record, created_at: &str, existed: bool) -> Result<()> {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.wrote = true;
        let (title, status) = if record.deleted {
            ("", None)
        } else {
            (record.title(), record.str("status"))
        };
        let now;
        let updated_at = match record.str("updated_at") {
            Some(u) => u,
            None => {
                now = format_timestamp(self.clock.now());
                &now
            }
        };
        self.tx
            .prepare_cached(
                "INSERT INTO records (id, kind, title, title_key, status, rev, deleted, created_at, updated_at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET title = excluded.title, title_key = excluded.title_key,
                   status = excluded.status, rev = excluded.rev, deleted = excluded.deleted,
                   created_at = excluded.created_at, updated_at = excluded.updated_at, seq = excluded.seq",
            )
            .and_then(|mut s| {
                s.execute(params![
                    record.id,
                    record.kind.as_str(),
                    title,
                    wiki::title_key(title),
                    status,
                    record.rev,
                    record.deleted,
                    created_at,
                    updated_at,
                    seq
                ])
            })
            .ctx(&format!("write record {}", record.id))?;
        self.refresh_derived(
            record.kind,
            &record.id,
            if record.deleted {
                None
            } else {
                Some(&record.content)
            },
            existed,
        )
    }

    /// Tags, typed references and wiki links of the winning revision.
    fn refresh_derived(
        &mut self,
        kind: Kind,
        id: &str,
        content: Option<&Map<String, Value>>,
        existed: bool,
    ) -> Result<()> {
        // A record that is new has nothing derived to clear.
        if existed {
            for table in [
                "DELETE FROM tags WHERE record_id = ?1",
                "DELETE FROM refs WHERE source_id = ?1",
                "DELETE FROM wiki_refs WHERE source_id = ?1",
            ] {
                self.tx
                    .prepare_cached(table)
                    .and_then(|mut s| s.execute([id]))
                    .ctx("refresh tags and links")?;
            }
        }
        let Some(content) = content else {
            return Ok(());
        };
        let mut tag_stmt = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO tags (record_id, tag, tag_key) VALUES (?1, ?2, ?3)",
            )
            .ctx("write tags")?;
        for tag in super::string_list(content, "tags") {
            tag_stmt
                .execute(params![id, tag, tag.to_lowercase()])
                .ctx("write tags")?;
        }
        let mut ref_stmt = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO refs (source_id, target_id, rel) VALUES (?1, ?2, ?3)",
            )
            .ctx("write references")?;
        for r in schema::references(kind, content) {
            ref_stmt
                .execute(params![id, r.target, r.rel])
                .ctx("write references")?;
        }
        if let Some(body) = content.get("body").and_then(Value::as_str) {
            let mut wiki_stmt = self
                .tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO wiki_refs (source_id, title_key) VALUES (?1, ?2)",
                )
                .ctx("write wiki links")?;
            for link in wiki::extract(body) {
                wiki_stmt
                    .execute(params![id, wiki::title_key(&link.target)])
                    .ctx("write wiki links")?;
            }
        }
        Ok(())
    }

    /// Every reference must name a live record of the right kind.
    fn check_references(
        &self,
        kind: Kind,
        id: &str,
        content: &Map<String, Value>,
        parent: Option<&Record>,
        label: &str,
    ) -> Result<()> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT kind, deleted FROM records WHERE id = ?1")
            .ctx("check references")?;
        // References the record already had are not checked again: deleting a contact must
        // not make every session that lists it impossible to edit.
        let held: Vec<schema::Reference> = parent
            .filter(|p| !p.deleted)
            .map(|p| schema::references(kind, &p.content))
            .unwrap_or_default();
        for r in schema::references(kind, content) {
            if held.iter().any(|h| h.target == r.target) || self.held_elsewhere.contains(&r.target)
            {
                continue;
            }
            if r.target == id {
                return Err(Error::field(
                    label,
                    &r.rel,
                    "a record cannot refer to itself",
                ));
            }
            let found: Option<(String, bool)> = stmt
                .query_row([&r.target], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
                .ctx("check references")?;
            let what = r.expected.map_or("record".to_string(), |k| k.to_string());
            match found {
                None => {
                    return Err(Error::field(
                        label,
                        &r.rel,
                        format!("no {what} with id {}", r.target),
                    ))
                }
                Some((_, true)) => {
                    return Err(Error::field(
                        label,
                        &r.rel,
                        format!("{what} {} is deleted", r.target),
                    ))
                }
                Some((k, false)) => {
                    if let Some(expected) = r.expected {
                        if k != expected.as_str() {
                            return Err(Error::field(
                                label,
                                &r.rel,
                                format!("{} is a {k}, not a {expected}", r.target),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether record `id` was erased (forgotten) in the workspace of `conn`.
pub(crate) fn is_erased(conn: &rusqlite::Connection, id: &str) -> Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM erasures WHERE id = ?1)")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)))
        .ctx("read the erasures")
}

fn erased_error(id: &str) -> Error {
    Error::Invalid(format!(
        "record {id} was erased (a person forgotten on request); it cannot be written or restored"
    ))
}

/// An erasure: which record (always a contact), when, and by which workspace. It names no
/// person, so it travels in every bundle.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Erasure {
    pub id: String,
    pub erased_at: String,
    pub node_id: String,
}

impl Writer<'_> {
    /// Whether record `id` was erased here (its marker is known).
    pub(crate) fn is_erased(&self, id: &str) -> Result<bool> {
        super::is_erased(&self.tx, id)
    }

    /// Applies an erasure: records the marker (the earliest of two for one person wins, so
    /// workspaces agree), empties the content of every revision of the record and marks them
    /// deleted, and points the record at its (deleted) winner under a new change sequence, so
    /// the index drops it. Refuses a record that is not a contact. Returns whether anything
    /// changed (a known erasure of a record already purged changes nothing).
    pub(crate) fn erase(&mut self, erasure: &Erasure) -> Result<bool> {
        let id = erasure.id.as_str();
        let kind = super::kind_of(&self.tx, id)?;
        if let Some(kind) = &kind {
            if kind != Kind::Contact.as_str() {
                return Err(Error::Invalid(format!(
                    "record {id} is a {kind}; only contacts (people) are erased"
                )));
            }
        }
        let now = format_timestamp(self.clock.now());
        let marker_changed = self
            .tx
            .prepare_cached(
                "INSERT INTO erasures (id, kind, erased_at, node_id, applied_at)
                 VALUES (?1, 'contact', ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET erased_at = excluded.erased_at,
                   node_id = excluded.node_id
                 WHERE (excluded.erased_at, excluded.node_id) < (erasures.erased_at, erasures.node_id)",
            )
            .and_then(|mut s| s.execute(params![id, erasure.erased_at, erasure.node_id, now]))
            .ctx("record an erasure")?
            > 0;
        let purged = self
            .tx
            .prepare_cached(
                "UPDATE revisions SET content = NULL, deleted = 1
                 WHERE id = ?1 AND (content IS NOT NULL OR deleted = 0)",
            )
            .and_then(|mut s| s.execute([id]))
            .ctx("erase revisions")?;
        if purged > 0 && kind.is_some() {
            self.settle_winner(Kind::Contact, id, true, None)?;
        }
        Ok(marker_changed || purged > 0)
    }
}

fn same_ignoring_updated_at(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| k == "updated_at" || b.get(k) == Some(v))
}

/// An attachment file in the workspace's attachments folder.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
    pub filename: String,
    pub media_type: String,
}

/// Copies `source` into `dir` under its sha256, once: hashed while copied to a temporary
/// file, then renamed into place, so a reader never sees half a file.
pub(crate) fn store_attachment_file(dir: &Path, source: &Path) -> Result<StoredFile> {
    let ctx = |e| Error::io(format!("read attachment {}", source.display()), e);
    let meta = std::fs::metadata(source).map_err(ctx)?;
    if !meta.is_file() {
        return Err(Error::Invalid(format!(
            "{} is not a file",
            source.display()
        )));
    }
    if meta.len() > MAX_ATTACHMENT_BYTES {
        return Err(Error::Invalid(format!(
            "{} is {} bytes; attachments may be at most {} bytes",
            source.display(),
            meta.len(),
            MAX_ATTACHMENT_BYTES
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("create {}", dir.display()), e))?;
    let mut input = std::fs::File::open(source).map_err(ctx)?;
    let mut tmp = tempfile_in(dir)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buf).map_err(ctx)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > MAX_ATTACHMENT_BYTES {
            let _ = std::fs::remove_file(&tmp.1);
            return Err(Error::Invalid(format!(
                "{} grew past the attachment limit while read",
                source.display()
            )));
        }
        hasher.update(&buf[..n]);
        tmp.0
            .write_all(&buf[..n])
            .map_err(|e| Error::io(format!("write {}", tmp.1.display()), e))?;
    }
    tmp.0
        .sync_all()
        .map_err(|e| Error::io(format!("write {}", tmp.1.display()), e))?;
    let sha256 = hex::encode(hasher.finalize());
    let dest = dir.join(&sha256);
    if dest.exists() {
        let _ = std::fs::remove_file(&tmp.1);
    } else {
        std::fs::rename(&tmp.1, &dest)
            .map_err(|e| Error::io(format!("store {}", dest.display()), e))?;
    }
    let filename = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| sha256.clone());
    Ok(StoredFile {
        media_type: media_type_for(&filename).to_string(),
        sha256,
        size,
        filename,
    })
}

fn tempfile_in(dir: &Path) -> Result<(std::fs::File, std::path::PathBuf)> {
    for attempt in 0..100u32 {
        let path = dir.join(format!(".incoming-{}-{attempt}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(format!("create {}", path.display()), e)),
        }
    }
    Err(Error::Invalid(format!(
        "cannot create a temporary file in {}",
        dir.display()
    )))
}

/// The media type for a file name, from its extension.
pub fn media_type_for(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "md" | "markdown" => "text/markdown",
        "csv" => "text/csv",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    }
}
