//! Bringing data in from the formats people already have, and taking it out again: vCard
//! contacts ([`vcard`]), iCalendar sessions ([`ical`]) and Markdown folders or Obsidian vaults
//! ([`mdfolder`]).
//!
//! Every importer follows one rule: its file is hostile input (size caps, line caps, item
//! caps, bad encodings, invalid dates, missing fields), the valid items are imported and each
//! refused item is reported with why, in an [`ImportReport`]. An importer fails as a whole
//! only when its file cannot be read or nothing in it is understood. All the writes of one
//! import are one transaction through the [`crate::store::Writer`]; re-importing updates the
//! records it made before instead of duplicating them (how each format finds them is in its
//! module).

pub mod contentline;
pub mod ical;
pub mod mdfolder;
pub mod vcard;

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::store::{Record, Writer};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// The largest vCard or iCalendar file read (64 MiB: an address book with photos).
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// The longest logical line (after unfolding) accepted: a photo of a few MiB in base64.
pub const MAX_LINE_BYTES: usize = 8 << 20;
/// The most items (cards, events) one file may hold.
pub const MAX_ITEMS: usize = 100_000;

/// What happened to one item of an imported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Skipped,
}

/// One item of an import: where it was in the file, what became of it and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemReport {
    /// The item as a person finds it in the file: `card 3 (line 12) "Jane Doe"`.
    pub item: String,
    pub outcome: Outcome,
    pub record_id: Option<String>,
    /// Why it was skipped, or what was left out or changed while importing it.
    pub messages: Vec<String>,
}

/// What an import did, item by item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub source: String,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub items: Vec<ItemReport>,
    /// Problems of the file outside any item (a broken line between cards, …).
    pub problems: Vec<String>,
}

impl ImportReport {
    pub(crate) fn new(source: &Path) -> Self {
        ImportReport {
            source: source.display().to_string(),
            ..Default::default()
        }
    }

    pub(crate) fn push(&mut self, item: ItemReport) {
        match item.outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Skipped => self.skipped += 1,
        }
        self.items.push(item);
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    pub target: String,
    /// Items written (cards, events, notes).
    pub written: usize,
    /// Contacts written whose consent does not allow sharing with partners (exports for the
    /// user's own use include them and say how many).
    pub not_shareable_included: usize,
    /// Contacts left out because they may not be shared (`--shareable-only`).
    pub not_shareable_left_out: usize,
    /// Attachment files written beside the notes.
    pub files: usize,
    pub messages: Vec<String>,
}

/// Reads a whole file of at most `max` bytes, refusing anything else.
pub(crate) fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>> {
    let ctx = |e| Error::io(format!("read {}", path.display()), e);
    let meta = std::fs::metadata(path).map_err(ctx)?;
    if !meta.is_file() {
        return Err(Error::Invalid(format!("{} is not a file", path.display())));
    }
    if meta.len() > max {
        return Err(Error::Invalid(format!(
            "{} is {} bytes; at most {max} are read",
            path.display(),
            meta.len()
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .map_err(ctx)?
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(ctx)?;
    if bytes.len() as u64 > max {
        return Err(Error::Invalid(format!(
            "{} grew past {max} bytes while read",
            path.display()
        )));
    }
    Ok(bytes)
}

/// A record id for an identity that comes from another program (a vCard's or an event's UID):
/// the UUID itself when the UID is one (`urn:uuid:…`, Apple's and our own exports), else a
/// UUID made from the SHA-256 of `namespace` and the UID, so the same UID always finds the
/// same record and re-import never needs a table of its own.
pub fn id_for_uid(namespace: &str, uid: &str) -> String {
    let uid = uid.trim();
    let bare = uid
        .strip_prefix("urn:uuid:")
        .or_else(|| uid.strip_prefix("URN:UUID:"))
        .unwrap_or(uid);
    let bare = bare.split('@').next().unwrap_or(bare);
    if bare.len() == 36 {
        if let Ok(u) = uuid::Uuid::parse_str(bare) {
            if !u.is_nil() {
                return u.hyphenated().to_string();
            }
        }
    }
    let digest = Sha256::new()
        .chain_update(namespace.as_bytes())
        .chain_update([0])
        .chain_update(uid.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Validates `content` as a `kind`, leaving out each field the schema refuses (with a message
/// saying which and why) instead of refusing the item; the title is never left out.
pub(crate) fn validate_lenient(
    kind: Kind,
    mut content: Map<String, Value>,
    label: &str,
    messages: &mut Vec<String>,
) -> Result<Map<String, Value>> {
    loop {
        match crate::schema::validate(kind, &content, label) {
            Ok(v) => return Ok(v),
            Err(Error::InvalidField { field, problem, .. }) => {
                let top = field.split(['.', '[']).next().unwrap_or(&field).to_string();
                if top == "title" || content.remove(&top).is_none() {
                    return Err(Error::Invalid(format!("{field} {problem}")));
                }
                messages.push(format!("{field} {problem}; left out"));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs one item's writes in a savepoint: a refused item leaves nothing behind, the
/// transaction of the whole import goes on.
pub(crate) fn in_savepoint<T>(
    w: &mut Writer<'_>,
    f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
) -> Result<T> {
    use crate::error::SqlContext;
    w.tx()
        .execute_batch("SAVEPOINT interop_item")
        .ctx("begin an item")?;
    match f(w) {
        Ok(v) => {
            w.tx()
                .execute_batch("RELEASE interop_item")
                .ctx("end an item")?;
            Ok(v)
        }
        Err(e) => {
            w.tx()
                .execute_batch("ROLLBACK TO interop_item; RELEASE interop_item")
                .ctx("undo an item")?;
            Err(e)
        }
    }
}

/// Creates or updates: `existing` is the record found for the item (by its identity), whose
/// fields the item's `content` replaces one by one (fields the item does not carry stay).
/// Returns the outcome and the record.
pub(crate) fn upsert(
    w: &mut Writer<'_>,
    kind: Kind,
    existing: Option<Record>,
    new_id: Option<&str>,
    content: Map<String, Value>,
) -> Result<(Outcome, Record)> {
    match existing {
        Some(current) => {
            let mut merged = current.content.clone();
            for (k, v) in content {
                merged.insert(k, v);
            }
            let after = w.update(&current.id, merged, Some(&current.rev))?;
            let outcome = if after.rev == current.rev {
                Outcome::Unchanged
            } else {
                Outcome::Updated
            };
            Ok((outcome, after))
        }
        None => {
            let record = match new_id {
                Some(id) => w.create_with_id(kind, id, content)?,
                None => w.create(kind, content)?,
            };
            Ok((Outcome::Created, record))
        }
    }
}

/// The live record of `kind` whose top-level text field `field` equals `value` (ASCII case
/// folded), the oldest first.
pub(crate) fn find_by_field(
    w: &Writer<'_>,
    kind: Kind,
    field: &str,
    value: &str,
) -> Result<Option<Record>> {
    use crate::error::SqlContext;
    use rusqlite::OptionalExtension;
    let path = format!("$.{field}");
    let id: Option<String> = w
        .tx()
        .query_row(
            "SELECT r.id FROM records r JOIN revisions v ON v.id = r.id AND v.rev = r.rev
             WHERE r.kind = ?1 AND r.deleted = 0
               AND lower(json_extract(v.content, ?2)) = lower(?3)
             ORDER BY r.created_at, r.id LIMIT 1",
            rusqlite::params![kind.as_str(), path, value],
            |r| r.get(0),
        )
        .optional()
        .ctx("find a record by field")?;
    id.map(|id| w.get(&id)).transpose()
}

/// Whether a contact may be shared with partners (its consent says so explicitly).
pub fn contact_is_shareable(content: &Map<String, Value>) -> bool {
    content
        .get("consent")
        .and_then(|c| c.get("share_with_partners"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let ctx = |e| Error::io(format!("write {}", path.display()), e);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(ctx)?;
    tmp.write_all(bytes).map_err(ctx)?;
    tmp.persist(path).map_err(|e| ctx(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_ids_are_stable_and_keep_uuids() {
        let u = "5f3b1a52-1c1e-4a0e-9a53-6b2a3c1d0e9f";
        assert_eq!(id_for_uid("vcard", &format!("urn:uuid:{u}")), u);
        assert_eq!(id_for_uid("ics", &format!("{u}@insisst")), u);
        let a = id_for_uid("ics", "abc123@google.com");
        assert_eq!(a, id_for_uid("ics", "abc123@google.com"));
        assert_ne!(a, id_for_uid("vcard", "abc123@google.com"));
        assert!(uuid::Uuid::parse_str(&a).is_ok());
    }
}
