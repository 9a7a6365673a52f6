//! The keyring: the authors whose bundles this workspace has read, by node id, with the key
//! they signed with. Trust on first use: a new author is recorded; a changed key for a known
//! author is refused unless a person trusts it.

use super::BundleAuthor;
use crate::error::{Error, Result, SqlContext};
use crate::identity::fingerprint;
use crate::store::Workspace;
use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownKey {
    pub node_id: String,
    pub member: String,
    pub organisation: String,
    pub public_key: String,
    pub fingerprint: String,
    pub first_seen: String,
    pub last_seen: String,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<KnownKey> {
    let public_key: String = r.get(1)?;
    Ok(KnownKey {
        node_id: r.get(0)?,
        fingerprint: hex::decode(&public_key)
            .map(|k| fingerprint(&k))
            .unwrap_or_default(),
        public_key,
        member: r.get(2)?,
        organisation: r.get(3)?,
        first_seen: r.get(4)?,
        last_seen: r.get(5)?,
    })
}

const COLUMNS: &str = "node_id, public_key, member, organisation, first_seen, last_seen";

pub(crate) fn get(conn: &Connection, node_id: &str) -> Result<Option<KnownKey>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM keyring WHERE node_id = ?1"),
        [node_id],
        row,
    )
    .optional()
    .ctx("read the keyring")
}

/// Every known author's key.
pub fn list(ws: &Workspace) -> Result<Vec<KnownKey>> {
    list_in(ws.conn())
}

/// Forgets the key of the author with this node id (or key fingerprint): their next bundle
/// counts as a first use again.
pub fn remove(ws: &mut Workspace, who: &str) -> Result<KnownKey> {
    remove_in(ws.conn(), who)
}

/// Trusts the key that signed bundle `path` (after checking the signature): how a person
/// accepts a partner's new key before importing.
pub fn trust(ws: &mut Workspace, path: &std::path::Path) -> Result<KnownKey> {
    let bundle = super::reader::Bundle::open(path)?;
    let author = &bundle.manifest.author;
    if author.node_id == ws.identity().node_id {
        return Err(Error::Invalid(format!(
            "{} was made by this workspace",
            path.display()
        )));
    }
    let now = crate::schema::format_timestamp(ws.now());
    record(ws.conn(), author, &now)?;
    get(ws.conn(), &author.node_id)?
        .ok_or_else(|| Error::Corrupt("a recorded key is missing".into()))
}

fn list_in(conn: &Connection) -> Result<Vec<KnownKey>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM keyring ORDER BY organisation, member, node_id"
        ))
        .ctx("read the keyring")?;
    let rows = stmt.query_map([], row).ctx("read the keyring")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read the keyring")
}

/// Records `author`'s key (new, or replacing a trusted change); returns whether the keyring
/// changed beyond the last-seen time.
pub(crate) fn record(conn: &Connection, author: &BundleAuthor, now: &str) -> Result<bool> {
    let existing = get(conn, &author.node_id)?;
    let changed = existing
        .as_ref()
        .is_none_or(|k| k.public_key != author.public_key);
    conn.execute(
        "INSERT INTO keyring (node_id, public_key, member, organisation, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (node_id) DO UPDATE SET public_key = excluded.public_key,
           member = excluded.member, organisation = excluded.organisation,
           last_seen = excluded.last_seen,
           first_seen = CASE WHEN keyring.public_key = excluded.public_key
                             THEN keyring.first_seen ELSE excluded.first_seen END",
        params![
            author.node_id,
            author.public_key,
            author.member,
            author.organisation,
            now
        ],
    )
    .ctx("record a key")?;
    Ok(changed)
}

fn remove_in(conn: &Connection, who: &str) -> Result<KnownKey> {
    let who = who.trim();
    let found = list_in(conn)?
        .into_iter()
        .find(|k| k.node_id == who || k.fingerprint == who)
        .ok_or_else(|| Error::Invalid(format!("no known key for `{who}` (see `insisst keys`)")))?;
    conn.execute("DELETE FROM keyring WHERE node_id = ?1", [&found.node_id])
        .ctx("remove a key")?;
    Ok(found)
}
