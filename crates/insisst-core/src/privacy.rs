//! Personal data (issue 9): which contacts lack a lawful basis, forgetting a person on request
//! (erasure that travels to partners in bundles and is final), and everything held about a
//! person for an access request.
//!
//! Forgetting is the one place where the store destroys data. [`Workspace::forget`] cuts the
//! links other records hold to the contact (as ordinary revisions through the Writer, so the
//! cut travels), then [`crate::store::Writer`]'s `erase` empties the content of every revision
//! of the contact and records an erasure marker (id, time, node: no personal field). Then the
//! bytes go: `secure_delete` was on for the purge, the database is vacuumed (pages written
//! before this connection turned `secure_delete` on may still hold old copies in their free
//! space) and the WAL checkpointed and truncated. The search index drops the record and merges
//! its segments when it catches up (`search`).
//!
//! Plain-text mentions of the person in other records (a note saying "we met Jana") are the
//! users' words and stay; the plan lists them so that a person can edit them by hand.

use crate::error::{Error, Result, SqlContext};
use crate::kind::Kind;
use crate::schema::format_timestamp;
use crate::store::{Erasure, Record, Workspace};
use rusqlite::params;
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::Path;

/// A contact without a lawful basis for holding their data (no `consent.basis`, or `none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactWithoutBasis {
    pub id: String,
    pub title: String,
    /// `None` when no basis is recorded; `Some("none")` when "none" was recorded.
    pub basis: Option<String>,
    pub updated_at: String,
}

/// The contacts without a lawful basis, for the contacts list and Home.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsentGaps {
    /// How many live contacts lack a basis (all of them, whatever the limit).
    pub count: u64,
    /// Live contacts held, for the proportion.
    pub contacts: u64,
    /// The first of them, by title.
    pub without_basis: Vec<ContactWithoutBasis>,
}

/// A record, named for a person to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordRef {
    pub id: String,
    #[serde(serialize_with = "kind_str")]
    pub kind: Kind,
    pub title: String,
}

/// A record that refers to the contact, and by which field (`links`, `participants` …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkingRecord {
    pub id: String,
    #[serde(serialize_with = "kind_str")]
    pub kind: Kind,
    pub title: String,
    pub fields: Vec<String>,
}

/// What forgetting a contact will do; what a confirmation shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForgetPlan {
    pub id: String,
    /// The contact's name (empty when already erased).
    pub title: String,
    /// Revisions whose content will be emptied.
    pub revisions: u64,
    /// Records whose links to the contact will be cut (new revisions, which travel).
    pub links_cut: Vec<LinkingRecord>,
    /// Notes whose text mentions the name or e-mail: they stay as written.
    pub notes_mentioning: Vec<RecordRef>,
    /// Attachments only the contact links (a CV, a photo): deleted with them (tombstones,
    /// in the same transaction), so that they stop travelling in bundles; their files stay
    /// in `attachments/` for the restorable history until the attachment is purged by hand.
    pub attachments: Vec<RecordRef>,
    /// Attachments the contact links that other records link too: they stay; the contact's
    /// link goes with its content.
    pub attachments_kept: Vec<RecordRef>,
    /// The contact was forgotten before (here, or by a partner whose bundle brought the
    /// erasure): forgetting again purges the files again and cuts the links records made
    /// here still hold (an imported erasure leaves this workspace's own records as they are).
    pub already_erased: bool,
}

/// What [`Workspace::forget`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForgetReport {
    pub plan: ForgetPlan,
    pub erasure: Erasure,
    /// The database file was rewritten and the WAL emptied. `false` when another process
    /// kept a read open or the write lock (the contact is forgotten all the same), so old
    /// pages may linger in the file or the WAL until it lets go; forgetting the same contact
    /// again (or any later forget) finishes the job.
    pub files_purged: bool,
}

/// One change of a contact's consent, from its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentChange {
    pub rev: String,
    pub at: String,
    pub author: String,
    pub author_org: Option<String>,
    /// The consent from this revision on (`None`: none recorded, or the contact was deleted).
    pub consent: Option<Value>,
    pub deleted: bool,
}

/// A record held about the person, whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldRecord {
    pub id: String,
    #[serde(serialize_with = "kind_str")]
    pub kind: Kind,
    pub title: String,
    /// How it concerns the person: the fields that refer to them, or `mention`.
    pub because: Vec<String>,
    /// The text around the first mention, for a summary.
    pub excerpt: Option<String>,
    pub record: Value,
}

/// Everything this workspace holds about a person (an access request).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonExport {
    pub format: &'static str,
    pub generated_at: String,
    pub generated_by: String,
    pub contact: Value,
    pub consent: Option<Value>,
    pub consent_history: Vec<ConsentChange>,
    /// Records that link to the contact (fields, `links`, wiki links).
    pub linked_from: Vec<HeldRecord>,
    /// Records whose title or text mentions the name or e-mail without linking.
    pub mentioned_in: Vec<HeldRecord>,
}

/// How a person export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonExportFormat {
    Json,
    Markdown,
    Html,
}

impl std::str::FromStr for PersonExportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(PersonExportFormat::Json),
            "md" | "markdown" => Ok(PersonExportFormat::Markdown),
            "html" => Ok(PersonExportFormat::Html),
            other => Err(Error::Invalid(format!(
                "unknown format `{other}` (json, md, html)"
            ))),
        }
    }
}

fn kind_str<S: serde::Serializer>(kind: &Kind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(kind.as_str())
}

fn no_basis(content: &Map<String, Value>) -> Option<Option<String>> {
    let basis = content
        .get("consent")
        .and_then(|c| c.get("basis"))
        .and_then(Value::as_str);
    match basis {
        None => Some(None),
        Some("none") => Some(Some("none".into())),
        Some(_) => None,
    }
}

impl Workspace {
    /// Live contacts without a lawful basis (none recorded, or `none`), the first `limit` by
    /// title, and how many there are.
    pub fn contacts_without_basis(&self, limit: usize) -> Result<ConsentGaps> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT r.id, r.title, r.updated_at, json_extract(v.content, '$.consent.basis')
                 FROM records r JOIN revisions v ON v.id = r.id AND v.rev = r.rev
                 WHERE r.kind = 'contact' AND r.deleted = 0
                 ORDER BY r.title_key, r.id",
            )
            .ctx("list contacts by consent")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .ctx("list contacts by consent")?;
        let mut gaps = ConsentGaps::default();
        for row in rows {
            let (id, title, updated_at, basis) = row.ctx("list contacts by consent")?;
            gaps.contacts += 1;
            if basis.as_deref().is_some_and(|b| b != "none") {
                continue;
            }
            gaps.count += 1;
            if gaps.without_basis.len() < limit {
                gaps.without_basis.push(ContactWithoutBasis {
                    id,
                    title,
                    basis,
                    updated_at,
                });
            }
        }
        Ok(gaps)
    }

    /// Whether this contact has no lawful basis recorded (for a flag beside it).
    pub fn lacks_basis(record: &Record) -> bool {
        record.kind == Kind::Contact && !record.deleted && no_basis(&record.content).is_some()
    }

    /// Every erasure this workspace knows, by id: what every bundle carries.
    pub fn erasures(&self) -> Result<Vec<Erasure>> {
        erasures(self.conn())
    }

    /// Whether record `id` was forgotten here.
    pub fn is_erased(&self, id: &str) -> Result<bool> {
        crate::store::is_erased(self.conn(), id)
    }

    /// What [`Workspace::forget`] would do to contact `id`. Only contacts are forgotten:
    /// they are the people; anything else is refused.
    pub fn forget_plan(&self, id: &str) -> Result<ForgetPlan> {
        let record = self.get_any(id)?;
        if record.kind != Kind::Contact {
            return Err(Error::Invalid(format!(
                "{} is a {}; only contacts (people) can be forgotten",
                record.label(),
                record.kind
            )));
        }
        let already_erased = self.is_erased(&record.id)?;
        let revisions: u64 = self
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM revisions WHERE id = ?1 AND content IS NOT NULL",
                [&record.id],
                |r| r.get(0),
            )
            .ctx("count revisions")?;
        let links_cut = linking_records(self, &record.id)?
            .into_iter()
            .filter(|l| l.fields.iter().any(|f| f != "wiki"))
            .map(|mut l| {
                l.fields.retain(|f| f != "wiki");
                l
            })
            .collect();
        let needles = if record.deleted {
            // A deleted contact's name is in its last live revision.
            last_live_needles(self, &record.id)?
        } else {
            person_needles(&record.content)
        };
        let notes_mentioning = mentions(self, &record.id, &needles, Some(Kind::Note))?
            .into_iter()
            .map(|(r, _)| RecordRef {
                id: r.id.clone(),
                kind: r.kind,
                title: r.title().to_string(),
            })
            .collect();
        let mut attachments = vec![];
        let mut attachments_kept = vec![];
        for l in self.links_of(&record.id)? {
            if l.kind != Kind::Attachment {
                continue;
            }
            let only_this = self.referrers(&l.id)?.iter().all(|r| *r == record.id);
            let live = self.get(&l.id).is_ok();
            let r = RecordRef {
                id: l.id,
                kind: l.kind,
                title: l.title,
            };
            match (only_this, live) {
                (true, true) => attachments.push(r),
                (false, true) => attachments_kept.push(r),
                (_, false) => {}
            }
        }
        Ok(ForgetPlan {
            attachments,
            attachments_kept,
            id: record.id.clone(),
            title: if record.deleted {
                needles.first().cloned().unwrap_or_default()
            } else {
                record.title().to_string()
            },
            revisions,
            links_cut,
            notes_mentioning,
            already_erased,
        })
    }

    /// Forgets contact `id`: cuts the links other records hold to them (new revisions that
    /// travel), empties every revision of the contact, records an erasure marker that every
    /// later bundle carries, and purges the database files (see the module docs). One
    /// transaction: a refusal changes nothing. The search index follows when it catches up.
    pub fn forget(&mut self, id: &str) -> Result<ForgetReport> {
        let plan = self.forget_plan(id)?;
        // Deleted cells and freed pages are overwritten with zeros from here on.
        self.conn()
            .execute_batch("PRAGMA secure_delete = ON")
            .ctx("turn on secure_delete")?;
        let erasure = match erasures(self.conn())?.into_iter().find(|e| e.id == plan.id) {
            Some(known) => known,
            None => Erasure {
                id: plan.id.clone(),
                erased_at: format_timestamp(self.now()),
                node_id: self.identity().node_id.clone(),
            },
        };
        let target = plan.id.clone();
        let cut: Vec<String> = plan.links_cut.iter().map(|l| l.id.clone()).collect();
        let own_files: Vec<String> = plan.attachments.iter().map(|a| a.id.clone()).collect();
        self.write(|w| {
            for source in &cut {
                let record = w.get(source)?;
                let mut content = record.content.clone();
                remove_id(&mut content, &target);
                // The cut is a whole new revision, validated as any: a record that no longer
                // validates (written by an older version, say) blocks the forget, and the
                // person must know which one to correct.
                w.update(source, content, None).map_err(|e| {
                    Error::Invalid(format!(
                        "{} links to the contact, and its link cannot be cut because the record \
                         does not save as it is ({e}); correct it, then forget again",
                        record.label(),
                    ))
                })?;
            }
            for attachment in &own_files {
                w.delete(attachment)?;
            }
            w.erase(&erasure)?;
            Ok(())
        })?;
        let files_purged = purge_database_files(self);
        Ok(ForgetReport {
            plan,
            erasure,
            files_purged,
        })
    }

    /// Everything held about contact `id`: the contact, its consent and how it changed,
    /// every record that links to them, and every record whose title or text mentions their
    /// name or e-mail.
    pub fn person_export(&self, id: &str) -> Result<PersonExport> {
        let record = self.get_any(id)?;
        if record.kind != Kind::Contact {
            return Err(Error::Invalid(format!(
                "{} is a {}; a person export is made for a contact",
                record.label(),
                record.kind
            )));
        }
        if self.is_erased(&record.id)? {
            return Err(Error::Invalid(format!(
                "contact {} was forgotten: nothing about them is held",
                record.id
            )));
        }
        let mut history = self.history(&record.id)?;
        history.reverse();
        let mut consent_history: Vec<ConsentChange> = vec![];
        for h in history.iter().filter(|h| !h.stub) {
            let consent = h.content.as_ref().and_then(|c| c.get("consent")).cloned();
            let last = consent_history.last();
            if last.is_none_or(|l| l.consent != consent || l.deleted != h.deleted) {
                consent_history.push(ConsentChange {
                    rev: h.rev.clone(),
                    at: h.created_at.clone(),
                    author: h.author.clone(),
                    author_org: h.author_org.clone(),
                    consent,
                    deleted: h.deleted,
                });
            }
        }
        let needles = if record.deleted {
            last_live_needles(self, &record.id)?
        } else {
            person_needles(&record.content)
        };
        let mut linked_from = vec![];
        for l in linking_records(self, &record.id)? {
            let r = self.get(&l.id)?;
            let excerpt = excerpt_of(&r, &needles);
            linked_from.push(held(&r, l.fields, excerpt));
        }
        let mut mentioned_in = vec![];
        for (r, excerpt) in mentions(self, &record.id, &needles, None)? {
            if linked_from.iter().any(|l: &HeldRecord| l.id == r.id) {
                continue;
            }
            mentioned_in.push(held(&r, vec!["mention".into()], Some(excerpt)));
        }
        Ok(PersonExport {
            format: "insisst-person-export",
            generated_at: format_timestamp(self.now()),
            generated_by: self.identity().owner.member.clone(),
            consent: record.content.get("consent").cloned(),
            contact: record.to_json(),
            consent_history,
            linked_from,
            mentioned_in,
        })
    }
}

fn held(r: &Record, because: Vec<String>, excerpt: Option<String>) -> HeldRecord {
    HeldRecord {
        id: r.id.clone(),
        kind: r.kind,
        title: r.title().to_string(),
        because,
        excerpt,
        record: r.to_json(),
    }
}

pub(crate) fn erasures(conn: &rusqlite::Connection) -> Result<Vec<Erasure>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, erased_at, node_id FROM erasures ORDER BY id")
        .ctx("read the erasures")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Erasure {
                id: r.get(0)?,
                erased_at: r.get(1)?,
                node_id: r.get(2)?,
            })
        })
        .ctx("read the erasures")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read the erasures")
}

/// Live records that refer to `id`, with the fields that do (`wiki` for a wiki link).
fn linking_records(ws: &Workspace, id: &str) -> Result<Vec<LinkingRecord>> {
    let mut out: Vec<LinkingRecord> = vec![];
    for l in ws.backlinks(id)? {
        match out.iter_mut().find(|o| o.id == l.id) {
            Some(o) => {
                if !o.fields.contains(&l.rel) {
                    o.fields.push(l.rel)
                }
            }
            None => out.push(LinkingRecord {
                id: l.id,
                kind: l.kind,
                title: l.title,
                fields: vec![l.rel],
            }),
        }
    }
    Ok(out)
}

/// What identifies a person in text: their name and e-mail.
fn person_needles(content: &Map<String, Value>) -> Vec<String> {
    ["title", "email"]
        .iter()
        .filter_map(|k| content.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| s.chars().count() >= 3)
        .map(str::to_string)
        .collect()
}

/// The needles of the newest revision of `id` that has live content.
fn last_live_needles(ws: &Workspace, id: &str) -> Result<Vec<String>> {
    Ok(ws
        .history(id)?
        .into_iter()
        .find(|h| !h.deleted && h.content.is_some())
        .and_then(|h| h.content)
        .map(|c| person_needles(&c))
        .unwrap_or_default())
}

/// Where in `text` one of `needles` occurs as a whole word (case folded), as a char index
/// range into the folded text; `None` when none does.
fn find_mention(text: &str, needles: &[String]) -> Option<(usize, usize)> {
    let hay: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    for needle in needles {
        let n: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
        if n.is_empty() || n.len() > hay.len() {
            continue;
        }
        for start in 0..=hay.len() - n.len() {
            if hay[start..start + n.len()] != n[..] {
                continue;
            }
            let before = start.checked_sub(1).map(|i| hay[i]);
            let after = hay.get(start + n.len()).copied();
            if !before.is_some_and(char::is_alphanumeric)
                && !after.is_some_and(char::is_alphanumeric)
            {
                return Some((start, start + n.len()));
            }
        }
    }
    None
}

fn excerpt_of(r: &Record, needles: &[String]) -> Option<String> {
    let text = format!("{}\n{}", r.title(), crate::search::searchable_text(r));
    let (start, end) = find_mention(&text, needles)?;
    let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // The excerpt is taken from the original text when folding kept the length (nearly
    // always); otherwise from the folded one.
    let original: Vec<char> = text.chars().collect();
    let source = if original.len() == chars.len() {
        &original
    } else {
        &chars
    };
    let from = start.saturating_sub(60);
    let to = (end + 60).min(source.len());
    let mut s: String = source[from..to].iter().collect();
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(format!(
        "{}{s}{}",
        if from > 0 { "…" } else { "" },
        if to < source.len() { "…" } else { "" }
    ))
}

/// Live records other than `id` (of `kind`, if given) whose title or searchable text mentions
/// one of `needles`, with an excerpt. A scan: forgetting and access requests are rare, and
/// SQLite's `lower()` folds ASCII only (names here carry diacritics).
fn mentions(
    ws: &Workspace,
    id: &str,
    needles: &[String],
    kind: Option<Kind>,
) -> Result<Vec<(Record, String)>> {
    if needles.is_empty() {
        return Ok(vec![]);
    }
    let mut out = vec![];
    let mut stmt = ws
        .conn()
        .prepare(
            "SELECT r.id FROM records r WHERE r.deleted = 0 AND r.id <> ?1
               AND (?2 IS NULL OR r.kind = ?2) ORDER BY r.title_key, r.id",
        )
        .ctx("look for mentions")?;
    let ids: Vec<String> = stmt
        .query_map(params![id, kind.map(|k| k.as_str())], |r| r.get(0))
        .ctx("look for mentions")?
        .collect::<rusqlite::Result<_>>()
        .ctx("look for mentions")?;
    for other in ids {
        let r = ws.get_any(&other)?;
        if let Some(excerpt) = excerpt_of(&r, needles) {
            out.push((r, excerpt));
        }
    }
    Ok(out)
}

/// Removes `id` wherever it is a value in `content`: list items equal to it, and fields that
/// hold only it.
fn remove_id(content: &mut Map<String, Value>, id: &str) {
    let keys: Vec<String> = content.keys().cloned().collect();
    for key in keys {
        if key == "id" {
            continue;
        }
        let remove = match content.get_mut(&key) {
            Some(Value::String(s)) => s == id,
            Some(v) => {
                remove_in_value(v, id);
                v.as_array().is_some_and(|a| a.is_empty())
            }
            None => false,
        };
        if remove {
            content.remove(&key);
        }
    }
}

fn remove_in_value(v: &mut Value, id: &str) {
    match v {
        Value::Array(items) => {
            items.retain(|i| i.as_str() != Some(id));
            for i in items.iter_mut() {
                remove_in_value(i, id);
            }
        }
        Value::Object(map) => remove_id(map, id),
        _ => {}
    }
}

/// Makes the database files hold only what the database holds: rewrites the file (VACUUM,
/// with `secure_delete` on) and empties the WAL. Returns `false` when that could not be done
/// (another connection kept a read open, so the WAL could not be emptied, or held the write
/// lock, so VACUUM was busy). Never an error: it runs after the erasure committed, which is
/// done and will travel; the next forget or erasing import purges again. Also run after an
/// import that applied erasures.
pub(crate) fn purge_database_files(ws: &Workspace) -> bool {
    let conn = ws.conn();
    let checkpoint = || -> bool {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        })
        .is_ok_and(|busy| busy == 0)
    };
    checkpoint();
    if conn.execute_batch("VACUUM").is_err() {
        return false;
    }
    checkpoint()
}

/// Writes `export` to `path` in `format`, through a temporary file beside it renamed into
/// place: the file is whole or absent.
pub fn write_person_export(
    export: &PersonExport,
    path: &Path,
    format: PersonExportFormat,
) -> Result<()> {
    let text = match format {
        PersonExportFormat::Json => {
            let mut s = serde_json::to_string_pretty(export)
                .map_err(|e| Error::Invalid(format!("person export: {e}")))?;
            s.push('\n');
            s
        }
        PersonExportFormat::Markdown => person_markdown(export),
        PersonExportFormat::Html => person_html(export),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |e: std::io::Error| Error::io(format!("write {}", path.display()), e);
    let mut tmp = tempfile::Builder::new()
        .prefix(".insisst-person-")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Text as Markdown shows it literally: ASCII punctuation escaped, lines joined.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.split_whitespace().collect::<Vec<_>>().join(" ").chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn md_value(v: &Value) -> String {
    match v {
        Value::String(s) => md_text(s),
        Value::Array(items) => items.iter().map(md_value).collect::<Vec<_>>().join(", "),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{}: {}", md_text(k), md_value(v)))
            .collect::<Vec<_>>()
            .join("; "),
        other => md_text(&other.to_string()),
    }
}

/// A readable summary of a person export, in Markdown.
pub fn person_markdown(e: &PersonExport) -> String {
    let c = e.contact.as_object().cloned().unwrap_or_default();
    let title = c.get("title").and_then(Value::as_str).unwrap_or_default();
    let mut out = format!(
        "# Data held about {}\n\nMade {} by {}.\n\n## Contact\n\n| field | value |\n|---|---|\n",
        md_text(title),
        md_text(&e.generated_at),
        md_text(&e.generated_by)
    );
    for (k, v) in &c {
        out.push_str(&format!("| {} | {} |\n", md_text(k), md_value(v)));
    }
    out.push_str("\n## Consent\n\n");
    match &e.consent {
        Some(v) => out.push_str(&format!("{}\n", md_value(v))),
        None => out.push_str("No lawful basis is recorded.\n"),
    }
    out.push_str("\n### History\n\n| when | by | consent |\n|---|---|---|\n");
    for h in &e.consent_history {
        let by = match &h.author_org {
            Some(org) => format!("{} ({})", h.author, org),
            None => h.author.clone(),
        };
        let what = if h.deleted {
            "contact deleted".to_string()
        } else {
            h.consent.as_ref().map_or("none recorded".into(), md_value)
        };
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            md_text(&h.at),
            md_text(&by),
            what
        ));
    }
    for (heading, list) in [
        ("Records that link to them", &e.linked_from),
        ("Records that mention them", &e.mentioned_in),
    ] {
        out.push_str(&format!("\n## {heading} ({})\n\n", list.len()));
        if list.is_empty() {
            out.push_str("None.\n");
        }
        for r in list {
            out.push_str(&format!(
                "- {} **{}** ({}), {}",
                r.kind,
                md_text(&r.title),
                md_text(&r.id),
                md_text(&r.because.join(", "))
            ));
            if let Some(x) = &r.excerpt {
                out.push_str(&format!(": “{}”", md_text(x)));
            }
            out.push('\n');
        }
    }
    out
}

/// The Markdown summary as a standalone HTML page, rendered and sanitised by
/// [`crate::markdown::render`] (no links resolved: the page leaves the app).
pub fn person_html(e: &PersonExport) -> String {
    let body = crate::markdown::render(&person_markdown(e), &|_| None, &|_| None);
    let title = e
        .contact
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut escaped = String::new();
    for ch in title.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>Data held about {escaped}</title>\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.2rem .5rem;text-align:left}}</style>\
         </head><body>\n{body}\n</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mentions_are_whole_words_case_folded() {
        let needles = vec!["Jana Nováková".to_string()];
        assert!(find_mention("we met JANA NOVÁKOVÁ today", &needles).is_some());
        assert!(find_mention("Jana Nováková, later", &needles).is_some());
        assert!(find_mention("xJana Nováková", &needles).is_none());
        assert!(find_mention("Jana Novák", &needles).is_none());
        assert!(find_mention("", &needles).is_none());
    }

    #[test]
    fn remove_id_cuts_lists_and_single_fields() {
        let mut c = json!({"id": "x", "links": ["a", "b"], "participants": ["a"],
            "agenda": [{"title": "t", "who": "a"}], "owner_org": "a"})
        .as_object()
        .unwrap()
        .clone();
        remove_id(&mut c, "a");
        assert_eq!(
            Value::Object(c),
            json!({"id": "x", "links": ["b"], "agenda": [{"title": "t"}]})
        );
    }

    /// The purge after a committed forget fails (another connection holds the write lock, so
    /// VACUUM is busy): the erasure is done and will travel, so forget reports it with
    /// `files_purged: false` rather than an error; the next forget finishes the job.
    #[test]
    fn a_purge_that_fails_after_the_commit_is_reported_not_an_error() {
        use crate::store::{NewOwner, WorkspaceOptions};
        use std::sync::{Arc, Mutex};
        let dir = tempfile::tempdir().unwrap();
        let owner = NewOwner {
            member: "Aino Mäkelä".into(),
            organisation: Some("THL".into()),
        };
        let mut ws = Workspace::init(dir.path(), &owner, WorkspaceOptions::default()).unwrap();
        let id = ws
            .create(
                Kind::Contact,
                json!({"title": "Zdeňka Přívětivá"})
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .unwrap()
            .id;
        // After the commit (the change listener runs then), another connection takes the
        // write lock and keeps it.
        let db = dir.path().join("workspace.sqlite3");
        let blocker: Arc<Mutex<Option<rusqlite::Connection>>> = Arc::default();
        let held = Arc::clone(&blocker);
        ws.set_change_listener(Box::new(move |_| {
            let conn = rusqlite::Connection::open(&db).unwrap();
            conn.execute_batch("BEGIN IMMEDIATE").unwrap();
            *held.lock().unwrap() = Some(conn);
        }));
        ws.conn()
            .busy_timeout(std::time::Duration::from_millis(20))
            .unwrap();
        let report = ws.forget(&id).unwrap();
        assert!(!report.files_purged);
        assert!(ws.is_erased(&id).unwrap());
        assert!(
            blocker.lock().unwrap().is_some(),
            "the lock was never taken"
        );
        // Once the lock is gone, forgetting again purges.
        ws.set_change_listener(Box::new(|_| {}));
        blocker.lock().unwrap().take();
        assert!(ws.forget(&id).unwrap().files_purged);
    }

    #[test]
    fn markdown_text_is_literal() {
        assert_eq!(md_text("a|b *c*\n<d>"), "a\\|b \\*c\\* \\<d\\>");
    }
}
