//! The workspace store: a folder with one SQLite database (the source of truth) and the
//! attachment files, and the one write path through which every change goes.
//!
//! Layout of a workspace folder:
//! - `workspace.sqlite3` (WAL mode): identity, records, revisions, tags, references;
//! - `attachments/<sha256>`: attachment bytes, stored once by content hash;
//! - `index/`: the search index, derived and rebuildable, and `index.lock`, held by the
//!   process that owns it (see `search`).
//!
//! Every create, edit, delete and restore goes through [`Writer::put`], which validates,
//! writes the revision, moves the record's winner, refreshes tags and references and takes
//! the next change sequence number, all in the caller's transaction.

mod migrations;
mod writer;

pub use migrations::latest_version;
pub(crate) use writer::{is_erased, media_type_for, store_attachment_file, StoredFile};
pub use writer::{
    Erasure, IncomingLeaf, IncomingRecord, RevisionAuthor, Writer, MAX_ATTACHMENT_BYTES,
    MAX_RECORD_BYTES,
};

use crate::clock::{Clock, Entropy, OsEntropy, SystemClock};
use crate::error::{Error, Result, SqlContext};
use crate::identity::{Identity, Owner};
use crate::kind::Kind;
use crate::wiki::title_key;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const DATABASE_FILE: &str = "workspace.sqlite3";
pub const ATTACHMENTS_DIR: &str = "attachments";
pub const INDEX_DIR: &str = "index";

/// How a workspace gets its time and randomness.
pub struct WorkspaceOptions {
    pub clock: Arc<dyn Clock>,
    pub entropy: Box<dyn Entropy>,
}

impl Default for WorkspaceOptions {
    fn default() -> Self {
        WorkspaceOptions {
            clock: Arc::new(SystemClock),
            entropy: Box::new(OsEntropy),
        }
    }
}

/// Who creates a workspace: a member of an organisation, named as a person types it
/// (`THL`, `Genio`, or a new organisation's name).
#[derive(Debug, Clone, Default)]
pub struct NewOwner {
    pub member: String,
    pub organisation: Option<String>,
}

/// A record as the store holds it: the winning revision's content, with the store-owned
/// fields (`id`, `kind`, `created_at`, `updated_at`) inside `content`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub kind: Kind,
    pub rev: String,
    pub deleted: bool,
    pub content: Map<String, Value>,
}

impl Record {
    pub fn title(&self) -> &str {
        self.str("title").unwrap_or_default()
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.content.get(field).and_then(Value::as_str)
    }

    pub fn updated_at(&self) -> &str {
        self.str("updated_at").unwrap_or_default()
    }

    pub fn tags(&self) -> Vec<String> {
        string_list(&self.content, "tags")
    }

    /// The record as the contract of product.md shows it: its fields plus `rev` (and
    /// `deleted` for a tombstone).
    pub fn to_json(&self) -> Value {
        let mut m = self.content.clone();
        m.insert("rev".into(), Value::String(self.rev.clone()));
        if self.deleted {
            m.insert("deleted".into(), Value::Bool(true));
        }
        Value::Object(m)
    }

    /// What a person calls this record in a message: its kind and title, and its id.
    pub fn label(&self) -> String {
        format!("{} \"{}\" ({})", self.kind, self.title(), self.id)
    }
}

pub(crate) fn string_list(content: &Map<String, Value>, field: &str) -> Vec<String> {
    content
        .get(field)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// One revision of a record, for history and restore.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionInfo {
    pub rev: String,
    pub generation: i64,
    pub parent: Option<String>,
    pub deleted: bool,
    pub is_leaf: bool,
    pub is_winner: bool,
    pub author: String,
    pub author_org: Option<String>,
    pub node_id: String,
    pub created_at: String,
    /// `None` once purged, or for an ancestor this workspace knows by rev only.
    pub content: Option<Map<String, Value>>,
    /// An ancestor a bundle named by rev only: its content never was in this workspace.
    pub stub: bool,
}

/// A record whose branches diverged: its winner and the other live leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictInfo {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub winner: String,
    pub losers: Vec<String>,
}

/// A reference between two records, resolved for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// `links`, `wiki`, or the field that holds the reference (`session_id`, `participants` …).
    pub rel: String,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub kind: Option<Kind>,
    pub tag: Option<String>,
    pub status: Option<String>,
    /// `(field, value)`: the field (dotted for nested, e.g. `consent.basis`) is `value`, or
    /// is a list holding it; compared case-insensitively. Field names outside
    /// `[a-z_.]` match nothing.
    pub fields: Vec<(String, String)>,
    pub limit: Option<usize>,
    pub offset: usize,
    pub include_deleted: bool,
}

/// Counts and sizes, for `insisst stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Live records per kind, every kind present (zero included).
    pub counts: Vec<(Kind, u64)>,
    pub deleted: u64,
    pub revisions: u64,
    pub change_seq: i64,
    pub database_bytes: u64,
    pub attachment_files: u64,
    pub attachments_bytes: u64,
    pub index_bytes: u64,
}

pub struct Workspace {
    root: PathBuf,
    conn: Connection,
    clock: Arc<dyn Clock>,
    entropy: Box<dyn Entropy>,
    identity: Identity,
    on_change: Option<Box<dyn Fn(i64) + Send>>,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("root", &self.root)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

pub fn database_path(root: &Path) -> PathBuf {
    root.join(DATABASE_FILE)
}

/// Whether `root` holds a workspace.
pub fn exists(root: &Path) -> bool {
    database_path(root).is_file()
}

/// The file of the attachment with this sha256 in the workspace at `root`, if `sha256` is
/// 64 hex digits and that file exists. Only ever a direct child of `attachments/` named by a
/// lower-case hash: no part of `sha256` is joined to a path before it has been checked.
/// (The app's attachment URI scheme serves exactly these files.)
pub fn attachment_file(root: &Path, sha256: &str) -> Option<PathBuf> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let path = root.join(ATTACHMENTS_DIR).join(sha256.to_ascii_lowercase());
    // symlink_metadata: a link planted in attachments/ is not followed out of the folder.
    std::fs::symlink_metadata(&path)
        .ok()
        .filter(|m| m.is_file())
        .map(|_| path)
}

fn open_connection(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).ctx(&format!("open {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .ctx("set busy timeout")?;
    conn.execute_batch(
        // A 32 MiB page cache: the default 2 MiB makes bulk writes re-read index pages
        // from the OS at every step (measured: 3x slower demo inserts at 10k records).
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -32768;",
    )
    .ctx("configure the connection")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .ctx("read the schema version")?;
    let supported = migrations::latest_version();
    if found > supported {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    migrations::migrations()
        .to_latest(conn)
        .map_err(|e| Error::Migration {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

impl Workspace {
    /// Creates a workspace in `root` (made if missing): schema, identity and key pair, the
    /// seven partners, and the owner's organisation. Nothing is left behind if it fails.
    pub fn init(root: &Path, owner: &NewOwner, options: WorkspaceOptions) -> Result<Workspace> {
        let db = database_path(root);
        if db.exists() {
            return Err(Error::WorkspaceExists {
                path: root.to_path_buf(),
            });
        }
        let member = owner.member.trim();
        if member.is_empty() || member.chars().count() > 200 || member.chars().any(char::is_control)
        {
            return Err(Error::field(
                "workspace owner",
                "member",
                "must be a name of 1–200 characters",
            ));
        }
        let made_root = !root.exists();
        std::fs::create_dir_all(root.join(ATTACHMENTS_DIR))
            .map_err(|e| Error::io(format!("create {}", root.display()), e))?;
        let result = Self::init_in(root, member, owner.organisation.as_deref(), options);
        if result.is_err() {
            // Leave the folder as we found it: a half-made workspace must not be opened later.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            let _ = std::fs::remove_dir(root.join(ATTACHMENTS_DIR));
            if made_root {
                let _ = std::fs::remove_dir(root);
            }
        }
        result
    }

    fn init_in(
        root: &Path,
        member: &str,
        organisation: Option<&str>,
        mut options: WorkspaceOptions,
    ) -> Result<Workspace> {
        let db = database_path(root);
        let mut conn = open_connection(&db, true)?;
        migrate(&mut conn, &db)?;
        let now = options.clock.now();
        let node_id = crate::clock::new_id(now, options.entropy.as_mut()).to_string();
        let mut secret = [0u8; 32];
        options.entropy.fill(&mut secret);
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&secret);
        conn.execute(
            "INSERT INTO identity (singleton, node_id, member, org_id, secret_key, created_at)
             VALUES (1, ?1, ?2, NULL, ?3, ?4)",
            params![
                node_id,
                member,
                secret.as_slice(),
                crate::schema::format_timestamp(now)
            ],
        )
        .ctx("write the workspace identity")?;
        secret.fill(0);
        let identity = Identity {
            node_id,
            owner: Owner {
                member: member.to_string(),
                org_id: String::new(),
                org_name: String::new(),
            },
            signing_key,
        };
        let mut ws = Workspace {
            root: root.to_path_buf(),
            conn,
            clock: options.clock,
            entropy: options.entropy,
            identity,
            on_change: None,
        };
        ws.write(|w| {
            w.seed_partners()?;
            if let Some(org) = organisation.map(str::trim).filter(|o| !o.is_empty()) {
                let org_id = match w.find_org(org)? {
                    Some(existing) => existing.id,
                    None => {
                        let mut content = Map::new();
                        content.insert("title".into(), Value::String(org.to_string()));
                        w.create(Kind::Org, content)?.id
                    }
                };
                w.tx()
                    .execute("UPDATE identity SET org_id = ?1", [&org_id])
                    .ctx("record the owner's organisation")?;
            }
            Ok(())
        })?;
        ws.identity = load_identity(&ws.conn)?;
        Ok(ws)
    }

    /// Opens the workspace in `root`, upgrading its schema if it is older than this build.
    pub fn open(root: &Path, options: WorkspaceOptions) -> Result<Workspace> {
        let db = database_path(root);
        if !db.is_file() {
            return Err(Error::NoWorkspace {
                path: root.to_path_buf(),
            });
        }
        let mut conn = open_connection(&db, false)?;
        migrate(&mut conn, &db)?;
        let identity = load_identity(&conn)?;
        Ok(Workspace {
            root: root.to_path_buf(),
            conn,
            clock: options.clock,
            entropy: options.entropy,
            identity,
            on_change: None,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The connection, for the core's other modules (backup, check). Writes must go through
    /// [`Workspace::write`].
    pub(crate) fn entropy_mut(&mut self) -> &mut dyn Entropy {
        self.entropy.as_mut()
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn attachments_dir(&self) -> PathBuf {
        self.root.join(ATTACHMENTS_DIR)
    }

    /// Called with the new change sequence after every committed write: where the search
    /// index learns that it has work to do.
    pub fn set_change_listener(&mut self, listener: Box<dyn Fn(i64) + Send>) {
        self.on_change = Some(listener);
    }

    /// Runs `f` in one write transaction: all of its changes land, or none.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .ctx("begin a write")?;
        let mut writer = Writer::new(
            tx,
            self.clock.as_ref(),
            self.entropy.as_mut(),
            &self.identity,
        )?;
        let value = f(&mut writer)?;
        let seq = writer.commit()?;
        if let (Some(seq), Some(listener)) = (seq, &self.on_change) {
            listener(seq);
        }
        Ok(value)
    }

    // ---- writes, one record at a time -------------------------------------------------------

    pub fn create(&mut self, kind: Kind, content: Map<String, Value>) -> Result<Record> {
        self.write(|w| w.create(kind, content))
    }

    /// Replaces the content of record `id`. With `expected_rev`, refuses if someone else
    /// changed it since.
    pub fn update(
        &mut self,
        id: &str,
        content: Map<String, Value>,
        expected_rev: Option<&str>,
    ) -> Result<Record> {
        self.write(|w| w.update(id, content, expected_rev))
    }

    pub fn delete(&mut self, id: &str) -> Result<Record> {
        self.write(|w| w.delete(id))
    }

    pub fn restore(&mut self, id: &str, rev: &str) -> Result<Record> {
        self.write(|w| w.restore(id, rev))
    }

    pub fn link(&mut self, from: &str, to: &str) -> Result<Record> {
        self.write(|w| w.link(from, to))
    }

    /// Resolves the conflict of record `id` by keeping revision `pick` or by `merged` content.
    pub fn resolve_conflict(
        &mut self,
        id: &str,
        pick: Option<&str>,
        merged: Option<Map<String, Value>>,
    ) -> Result<Record> {
        self.write(|w| w.resolve_conflict(id, pick, merged))
    }

    /// Stores the file at `path` as an attachment (once per content hash) and links it from
    /// record `id`. Returns the attachment record.
    pub fn attach(&mut self, id: &str, path: &Path) -> Result<Record> {
        self.attach_at(id, path, None)
    }

    /// As [`Workspace::attach`], but with `expected_rev` refuses (with the
    /// [`Error::Conflict`] of [`Workspace::update`]) when record `id` changed since that
    /// revision: linking the file writes a new revision of the whole record, which would
    /// otherwise carry an editor's stale view over the change made meanwhile. Checked before
    /// the file is stored and again inside the write transaction.
    pub fn attach_at(
        &mut self,
        id: &str,
        path: &Path,
        expected_rev: Option<&str>,
    ) -> Result<Record> {
        if let Some(expected) = expected_rev {
            check_rev(&self.get(id)?, expected)?;
        }
        let stored = crate::store::writer::store_attachment_file(&self.attachments_dir(), path)?;
        self.write(|w| {
            if let Some(expected) = expected_rev {
                check_rev(&w.get(id)?, expected)?;
            }
            w.attach(id, &stored)
        })
    }

    // ---- reads ------------------------------------------------------------------------------

    /// The live record `id`.
    pub fn get(&self, id: &str) -> Result<Record> {
        let r = self.get_any(id)?;
        if r.deleted {
            return Err(Error::Deleted { id: r.id });
        }
        Ok(r)
    }

    /// Record `id`, deleted or not.
    pub fn get_any(&self, id: &str) -> Result<Record> {
        load_record(&self.conn, id)?.ok_or_else(|| Error::NotFound(id.to_string()))
    }

    pub fn list(&self, q: &ListQuery) -> Result<Vec<Record>> {
        let (where_sql, args) = list_filter(q);
        let limit = q.limit.map_or(-1, |l| l as i64);
        // Order and page on `records` alone (its index covers it), then fetch the content of
        // just that page: a page of 20 out of 100k reads 20 contents, not 100k. Limit and
        // offset are bound, so that paging reuses one cached statement.
        let n = args.len();
        let sql = format!(
            "SELECT r.id, r.kind, r.rev, r.deleted, v.content FROM (
                SELECT r.id, r.kind, r.rev, r.deleted, r.updated_at FROM records r
                WHERE {where_sql} ORDER BY r.updated_at DESC, r.id DESC LIMIT ?{} OFFSET ?{}
             ) r JOIN revisions v ON v.id = r.id AND v.rev = r.rev
             ORDER BY r.updated_at DESC, r.id DESC",
            n + 1,
            n + 2
        );
        let mut params: Vec<rusqlite::types::Value> =
            args.into_iter().map(rusqlite::types::Value::Text).collect();
        params.push(rusqlite::types::Value::Integer(limit));
        params.push(rusqlite::types::Value::Integer(q.offset as i64));
        let mut stmt = self.conn.prepare_cached(&sql).ctx("list records")?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), row_to_parts)
            .ctx("list records")?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parts_to_record(row.ctx("read a record")?)?);
        }
        Ok(out)
    }

    /// Calls `f` with every record, deleted ones included, in change order, without holding
    /// them all in memory (a reindex of 100k records streams through here).
    pub fn for_each_record(&self, mut f: impl FnMut(Record) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.kind, r.rev, r.deleted, v.content FROM records r
                 JOIN revisions v ON v.id = r.id AND v.rev = r.rev ORDER BY r.seq",
            )
            .ctx("read records")?;
        let mut rows = stmt.query([]).ctx("read records")?;
        while let Some(row) = rows.next().ctx("read records")? {
            f(parts_to_record(row_to_parts(row).ctx("read a record")?)?)?;
        }
        Ok(())
    }

    /// Ids of the records whose fields or links refer to record `id`.
    pub fn referrers(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT source_id FROM refs WHERE target_id = ?1")
            .ctx("read referrers")?;
        let rows = stmt.query_map([id], |r| r.get(0)).ctx("read referrers")?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
            .ctx("read referrers")
    }

    pub fn count(&self, q: &ListQuery) -> Result<u64> {
        let (where_sql, args) = list_filter(q);
        let sql = format!("SELECT COUNT(*) FROM records r WHERE {where_sql}");
        self.conn
            .query_row(&sql, rusqlite::params_from_iter(args.iter()), |r| r.get(0))
            .ctx("count records")
    }

    /// Every revision of record `id`, newest first.
    pub fn history(&self, id: &str) -> Result<Vec<RevisionInfo>> {
        let record = self.get_any(id)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT rev, generation, parent, deleted, is_leaf, author, author_org, node_id,
                        created_at, content, stub
                 FROM revisions WHERE id = ?1 ORDER BY generation DESC, created_at DESC, rev DESC",
            )
            .ctx("read history")?;
        let rows = stmt
            .query_map([&record.id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, bool>(10)?,
                ))
            })
            .ctx("read history")?;
        let mut out = Vec::new();
        for row in rows {
            let (
                rev,
                generation,
                parent,
                deleted,
                is_leaf,
                author,
                author_org,
                node_id,
                created_at,
                content,
                stub,
            ) = row.ctx("read a revision")?;
            let content = content.map(|c| parse_content(&record.id, &c)).transpose()?;
            out.push(RevisionInfo {
                is_winner: rev == record.rev,
                rev,
                generation,
                parent,
                deleted,
                is_leaf,
                author,
                author_org,
                node_id,
                created_at,
                content,
                stub,
            });
        }
        Ok(out)
    }

    /// Every record with conflicting live leaves, by title.
    pub fn conflicts(&self) -> Result<Vec<ConflictInfo>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.id, r.kind, r.title, r.rev, v.rev FROM revisions v
                 JOIN records r ON r.id = v.id
                 WHERE v.is_leaf = 1 AND v.deleted = 0 AND v.rev != r.rev
                 ORDER BY r.title_key, r.id, v.rev",
            )
            .ctx("list conflicts")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .ctx("list conflicts")?;
        let mut out: Vec<ConflictInfo> = vec![];
        for row in rows {
            let (id, kind, title, winner, loser) = row.ctx("list conflicts")?;
            match out.last_mut() {
                Some(last) if last.id == id => last.losers.push(loser),
                _ => out.push(ConflictInfo {
                    kind: kind
                        .parse()
                        .map_err(|_| Error::Corrupt(format!("record {id} has kind `{kind}`")))?,
                    id,
                    title,
                    winner,
                    losers: vec![loser],
                }),
            }
        }
        Ok(out)
    }

    /// The live leaves of record `id`, the winner first: the versions a person chooses
    /// between. One version means no conflict.
    pub fn conflict_versions(&self, id: &str) -> Result<Vec<RevisionInfo>> {
        let mut versions: Vec<RevisionInfo> = self
            .history(id)?
            .into_iter()
            .filter(|r| r.is_leaf && !r.deleted)
            .collect();
        versions.sort_by_key(|r| !r.is_winner);
        Ok(versions)
    }

    /// How many revisions record `id` has.
    pub fn revision_count(&self, id: &str) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM revisions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .ctx("count revisions")
    }

    /// Resolved outgoing references of record `id`: explicit links, field references and
    /// wiki links that name an existing record. Deleted targets are left out.
    pub fn links_of(&self, id: &str) -> Result<Vec<LinkRef>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT t.id, t.kind, t.title, f.rel FROM refs f JOIN records t ON t.id = f.target_id
                 WHERE f.source_id = ?1 AND t.deleted = 0
                 UNION
                 SELECT t.id, t.kind, t.title, 'wiki' FROM wiki_refs w
                 JOIN records t ON t.title_key = w.title_key AND t.deleted = 0 AND t.id <> w.source_id
                 WHERE w.source_id = ?1
                 ORDER BY 4, 3",
            )
            .ctx("read links")?;
        collect_links(&mut stmt, id)
    }

    /// Records that refer to record `id`: by link, by field, or by a wiki link to its title.
    pub fn backlinks(&self, id: &str) -> Result<Vec<LinkRef>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.id, s.kind, s.title, f.rel FROM refs f JOIN records s ON s.id = f.source_id
                 WHERE f.target_id = ?1 AND s.deleted = 0
                 UNION
                 SELECT s.id, s.kind, s.title, 'wiki' FROM records t
                 JOIN wiki_refs w ON w.title_key = t.title_key AND w.source_id <> t.id
                 JOIN records s ON s.id = w.source_id AND s.deleted = 0
                 WHERE t.id = ?1
                 ORDER BY 4, 3",
            )
            .ctx("read backlinks")?;
        collect_links(&mut stmt, id)
    }

    /// Live records whose title is `title` (case and spacing folded).
    pub fn find_by_title(&self, title: &str) -> Result<Vec<Record>> {
        find_by_title(&self.conn, title)
    }

    /// The sha256 of the attachment a markdown body names with `name` (what
    /// [`crate::markdown::render`] asks its `attachments` callback): a 64-hex sha256 whose
    /// file is in `attachments/`, else a live attachment record whose `filename` is `name`,
    /// preferring one that `from` links (by id in `links` or by hash in `attachments`), then
    /// the oldest. `None` when nothing matches.
    pub fn resolve_attachment(&self, name: &str, from: Option<&Record>) -> Result<Option<String>> {
        if attachment_file(&self.root, name).is_some() {
            return Ok(Some(name.to_ascii_lowercase()));
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.id, json_extract(v.content, '$.sha256') FROM records r
                 JOIN revisions v ON v.id = r.id AND v.rev = r.rev
                 WHERE r.kind = 'attachment' AND r.deleted = 0
                   AND json_extract(v.content, '$.filename') = ?1
                 ORDER BY r.created_at, r.id",
            )
            .ctx("find an attachment by name")?;
        let candidates = stmt
            .query_map([name], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .ctx("find an attachment by name")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("find an attachment by name")?;
        let candidates: Vec<(String, String)> = candidates
            .into_iter()
            .filter_map(|(id, sha)| {
                let sha = sha?.to_ascii_lowercase();
                (sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit())).then_some((id, sha))
            })
            .collect();
        let (links, hashes) = from
            .map(|r| {
                (
                    string_list(&r.content, "links"),
                    string_list(&r.content, "attachments"),
                )
            })
            .unwrap_or_default();
        let linked = candidates.iter().find(|(id, sha)| {
            links.contains(id) || hashes.iter().any(|h| h.eq_ignore_ascii_case(sha))
        });
        Ok(linked.or(candidates.first()).map(|(_, sha)| sha.clone()))
    }

    /// Record `record`'s markdown `body` rendered to sanitised HTML ([`crate::markdown::render`]),
    /// or `None` when it has no body. Wiki links resolve by title ([`Workspace::find_by_title`],
    /// the oldest match), attachments through [`Workspace::resolve_attachment`] from this record.
    pub fn render_body(&self, record: &Record) -> Result<Option<String>> {
        let Some(body) = record.str("body").filter(|b| !b.trim().is_empty()) else {
            return Ok(None);
        };
        self.render_from(body, Some(record)).map(Some)
    }

    /// Markdown that is no record's body (a report) rendered like one: wiki links by title,
    /// attachments by hash or file name.
    pub fn render_markdown(&self, markdown: &str) -> Result<String> {
        self.render_from(markdown, None)
    }

    fn render_from(&self, markdown: &str, record: Option<&Record>) -> Result<String> {
        // The renderer's callbacks cannot fail; the first error is kept and returned.
        let failure = std::cell::RefCell::new(None::<Error>);
        let keep = |e: Error| {
            failure.borrow_mut().get_or_insert(e);
        };
        let resolve = |title: &str| match self.find_by_title(title) {
            Ok(found) => found
                .into_iter()
                .next()
                .map(|r| crate::markdown::WikiTarget {
                    title: r.title().to_string(),
                    id: r.id,
                }),
            Err(e) => {
                keep(e);
                None
            }
        };
        let attachments = |name: &str| match self.resolve_attachment(name, record) {
            Ok(sha) => sha,
            Err(e) => {
                keep(e);
                None
            }
        };
        let html = crate::markdown::render(markdown, &resolve, &attachments);
        match failure.into_inner() {
            Some(e) => Err(e),
            None => Ok(html),
        }
    }

    /// The organisation a person means: a seeded partner by name or short name, else an
    /// organisation record with that title.
    pub fn find_org(&self, query: &str) -> Result<Option<Record>> {
        find_org(&self.conn, query)
    }

    /// Sessions under way or starting within `days` days after `now`, soonest first, each
    /// with its start as an instant (its local time in its `timezone`, else read as UTC).
    /// Cancelled sessions are left out.
    pub fn upcoming_sessions(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        days: u32,
        limit: usize,
    ) -> Result<Vec<(Record, chrono::DateTime<chrono::Utc>)>> {
        use chrono::Duration;
        let until = now + Duration::days(i64::from(days));
        // Local wall-clock strings compare as text; a day of margin either side covers every
        // time zone's offset, and the exact window is applied below on instants.
        let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M").to_string();
        let (low, high) = (fmt(now - Duration::days(1)), fmt(until + Duration::days(1)));
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.id, r.kind, r.rev, r.deleted, v.content FROM records r
                 JOIN revisions v ON v.id = r.id AND v.rev = r.rev
                 WHERE r.kind = 'session' AND r.deleted = 0
                   AND coalesce(r.status, '') <> 'cancelled'
                   AND json_extract(v.content, '$.starts_at') <= ?2
                   AND coalesce(json_extract(v.content, '$.ends_at'),
                                json_extract(v.content, '$.starts_at')) >= ?1",
            )
            .ctx("list upcoming sessions")?;
        let rows = stmt
            .query_map([&low, &high], row_to_parts)
            .ctx("list upcoming sessions")?;
        let mut out = Vec::new();
        for row in rows {
            let record = parts_to_record(row.ctx("read a record")?)?;
            let tz: Option<chrono_tz::Tz> = record.str("timezone").and_then(|s| s.parse().ok());
            let instant = |field: &str| {
                let local = crate::schema::parse_local(record.str(field)?)?;
                Some(match tz {
                    Some(tz) => crate::agenda::to_utc(tz, local),
                    None => local.and_utc(),
                })
            };
            let Some(start) = instant("starts_at") else {
                continue;
            };
            let end = instant("ends_at").filter(|e| *e >= start).unwrap_or(start);
            if start <= until && end >= now {
                out.push((record, start));
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
        out.truncate(limit);
        Ok(out)
    }

    /// The values field `field` takes among live records of `kind` (a list field's items one
    /// by one), most frequent first, with their counts: what a list's filter offers.
    pub fn field_values(
        &self,
        kind: Kind,
        field: &str,
        limit: usize,
    ) -> Result<Vec<(String, u64)>> {
        if !is_field_path(field) {
            return Err(Error::Invalid(format!("`{field}` is not a field name")));
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT j.value, COUNT(*) AS n FROM records r
                 JOIN revisions v ON v.id = r.id AND v.rev = r.rev, json_each(v.content, ?2) j
                 WHERE r.kind = ?1 AND r.deleted = 0 AND j.type = 'text' AND trim(j.value) <> ''
                 GROUP BY j.value ORDER BY n DESC, j.value LIMIT ?3",
            )
            .ctx("list a field's values")?;
        let rows = stmt
            .query_map(
                rusqlite::params![kind.as_str(), format!("$.{field}"), limit as i64],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)),
            )
            .ctx("list a field's values")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("list a field's values")
    }

    /// Live sessions whose local days (in their own zone, as written) meet the local dates
    /// `from`..=`to` (`YYYY-MM-DD`), cancelled ones included, by start: what a calendar page
    /// shows. At most `limit`.
    pub fn sessions_between(&self, from: &str, to: &str, limit: usize) -> Result<Vec<Record>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.id, r.kind, r.rev, r.deleted, v.content FROM records r
                 JOIN revisions v ON v.id = r.id AND v.rev = r.rev
                 WHERE r.kind = 'session' AND r.deleted = 0
                   AND substr(json_extract(v.content, '$.starts_at'), 1, 10) <= ?2
                   AND substr(coalesce(json_extract(v.content, '$.ends_at'),
                                       json_extract(v.content, '$.starts_at')), 1, 10) >= ?1
                 ORDER BY json_extract(v.content, '$.starts_at'), r.id
                 LIMIT ?3",
            )
            .ctx("list sessions by date")?;
        let rows = stmt
            .query_map(rusqlite::params![from, to, limit as i64], row_to_parts)
            .ctx("list sessions by date")?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parts_to_record(row.ctx("read a record")?)?);
        }
        Ok(out)
    }

    /// Learning questions of `status`, highest priority first (high, medium, low, then
    /// none), most recently updated first within a priority.
    pub fn questions_by_priority(&self, status: &str, limit: usize) -> Result<Vec<Record>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.id, r.kind, r.rev, r.deleted, v.content FROM records r
                 JOIN revisions v ON v.id = r.id AND v.rev = r.rev
                 WHERE r.kind = 'question' AND r.deleted = 0 AND r.status = ?1
                 ORDER BY CASE json_extract(v.content, '$.priority')
                     WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END,
                   r.updated_at DESC, r.id DESC
                 LIMIT ?2",
            )
            .ctx("list questions by priority")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![status, limit], row_to_parts)
            .ctx("list questions by priority")?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parts_to_record(row.ctx("read a record")?)?);
        }
        Ok(out)
    }

    /// The highest change sequence number written so far.
    pub fn change_seq(&self) -> Result<i64> {
        current_seq(&self.conn)
    }

    /// Records changed after `seq`, in the order of their changes: `(id, seq, deleted)`.
    pub fn changes_since(&self, seq: i64) -> Result<Vec<(String, i64, bool)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, seq, deleted FROM records WHERE seq > ?1 ORDER BY seq")
            .ctx("read changes")?;
        let rows = stmt
            .query_map([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("read changes")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("read changes")
    }

    pub fn stats(&self) -> Result<Stats> {
        let mut counts: Vec<(Kind, u64)> = Kind::ALL.iter().map(|k| (*k, 0)).collect();
        let mut stmt = self
            .conn
            .prepare("SELECT kind, deleted, COUNT(*) FROM records GROUP BY kind, deleted")
            .ctx("count records")?;
        let mut deleted_total = 0;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, u64>(2)?,
                ))
            })
            .ctx("count records")?;
        for row in rows {
            let (kind, deleted, n) = row.ctx("count records")?;
            if deleted {
                deleted_total += n;
            } else if let Some(slot) = counts.iter_mut().find(|(k, _)| k.as_str() == kind) {
                slot.1 = n;
            }
        }
        let revisions: u64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM revisions", [], |r| r.get(0))
            .ctx("count revisions")?;
        let db = database_path(&self.root);
        let database_bytes = ["", "-wal"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
            .map(|m| m.len())
            .sum();
        let (attachment_files, attachments_bytes) = dir_size(&self.attachments_dir());
        let (_, index_bytes) = dir_size(&self.root.join(INDEX_DIR));
        Ok(Stats {
            counts,
            deleted: deleted_total,
            revisions,
            change_seq: self.change_seq()?,
            database_bytes,
            attachment_files,
            attachments_bytes,
            index_bytes,
        })
    }
}

fn dir_size(dir: &Path) -> (u64, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => {
                    files += 1;
                    bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
                }
                _ => {}
            }
        }
    }
    (files, bytes)
}

fn collect_links(stmt: &mut rusqlite::CachedStatement<'_>, id: &str) -> Result<Vec<LinkRef>> {
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .ctx("read links")?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, title, rel) = row.ctx("read links")?;
        out.push(LinkRef {
            kind: kind
                .parse()
                .map_err(|_| Error::Corrupt(format!("record {id} has unknown kind `{kind}`")))?,
            id,
            title,
            rel,
        });
    }
    Ok(out)
}

fn list_filter(q: &ListQuery) -> (String, Vec<String>) {
    let mut clauses = vec![];
    let mut args = vec![];
    if !q.include_deleted {
        clauses.push("r.deleted = 0".to_string());
    }
    if let Some(kind) = q.kind {
        args.push(kind.as_str().to_string());
        clauses.push(format!("r.kind = ?{}", args.len()));
    }
    if let Some(tag) = &q.tag {
        args.push(tag.trim().trim_start_matches('#').to_lowercase());
        clauses.push(format!(
            "r.id IN (SELECT record_id FROM tags WHERE tag_key = ?{})",
            args.len()
        ));
    }
    if let Some(status) = &q.status {
        args.push(status.trim().to_ascii_lowercase());
        clauses.push(format!("r.status = ?{}", args.len()));
    }
    for (field, value) in &q.fields {
        if !is_field_path(field) {
            clauses.push("0".into());
            continue;
        }
        args.push(format!("$.{field}"));
        args.push(value.trim().to_lowercase());
        // json_each walks a list, and yields a scalar as itself: one clause for both.
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM revisions f, json_each(f.content, ?{}) j
                     WHERE f.id = r.id AND f.rev = r.rev AND lower(j.value) = ?{})",
            args.len() - 1,
            args.len()
        ));
    }
    if clauses.is_empty() {
        clauses.push("1".into());
    }
    (clauses.join(" AND "), args)
}

/// `country`, `consent.basis`: what a list filter may name (it becomes a JSON path).
fn is_field_path(field: &str) -> bool {
    !field.is_empty()
        && field.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        })
}

type RecordParts = (String, String, String, bool, Option<String>);

fn row_to_parts(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordParts> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn parts_to_record((id, kind, rev, deleted, content): RecordParts) -> Result<Record> {
    let kind: Kind = kind
        .parse()
        .map_err(|_| Error::Corrupt(format!("record {id} has unknown kind `{kind}`")))?;
    let content = match content {
        Some(c) => parse_content(&id, &c)?,
        None => {
            // Purged content (erasure): only what identifies the record remains.
            let mut m = Map::new();
            m.insert("id".into(), Value::String(id.clone()));
            m.insert("kind".into(), Value::String(kind.as_str().into()));
            m
        }
    };
    Ok(Record {
        id,
        kind,
        rev,
        deleted,
        content,
    })
}

pub(crate) fn parse_content(id: &str, text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::Corrupt(format!(
            "record {id}: stored content is not a JSON object"
        ))),
    }
}

pub(crate) fn load_record(conn: &Connection, id: &str) -> Result<Option<Record>> {
    let id = id.trim();
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.id, r.kind, r.rev, r.deleted, v.content FROM records r
             JOIN revisions v ON v.id = r.id AND v.rev = r.rev WHERE r.id = ?1",
        )
        .ctx("read a record")?;
    let parts = stmt
        .query_row([id.to_ascii_lowercase()], row_to_parts)
        .optional()
        .ctx(&format!("read record {id}"))?;
    parts.map(parts_to_record).transpose()
}

pub(crate) fn find_by_title(conn: &Connection, title: &str) -> Result<Vec<Record>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.id, r.kind, r.rev, r.deleted, v.content FROM records r
             JOIN revisions v ON v.id = r.id AND v.rev = r.rev
             WHERE r.title_key = ?1 AND r.deleted = 0 ORDER BY r.created_at, r.id",
        )
        .ctx("find by title")?;
    let rows = stmt
        .query_map([title_key(title)], row_to_parts)
        .ctx("find by title")?;
    let mut out = vec![];
    for row in rows {
        out.push(parts_to_record(row.ctx("find by title")?)?);
    }
    Ok(out)
}

pub(crate) fn find_org(conn: &Connection, query: &str) -> Result<Option<Record>> {
    if let Some(p) = crate::partners::find(query) {
        if let Some(r) = load_record(conn, p.id)? {
            return Ok(Some(r));
        }
    }
    Ok(find_by_title(conn, query)?
        .into_iter()
        .find(|r| r.kind == Kind::Org))
}

/// The leaf revisions of record `id`: `(rev, deleted)`.
pub(crate) fn leaves(conn: &Connection, id: &str) -> Result<Vec<(String, bool)>> {
    let mut stmt = conn
        .prepare_cached("SELECT rev, deleted FROM revisions WHERE id = ?1 AND is_leaf = 1")
        .ctx("read the revision tree")?;
    let rows = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("read the revision tree")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read the revision tree")
}

/// Whether record `id` has revision `rev`: `Some(is_leaf)`, or `None` if it is unknown.
pub(crate) fn revision_state(conn: &Connection, id: &str, rev: &str) -> Result<Option<bool>> {
    conn.prepare_cached("SELECT is_leaf FROM revisions WHERE id = ?1 AND rev = ?2")
        .and_then(|mut s| s.query_row(params![id, rev], |r| r.get(0)).optional())
        .ctx("read the revision tree")
}

/// The kind of record `id` here, if this workspace has it.
pub(crate) fn kind_of(conn: &Connection, id: &str) -> Result<Option<String>> {
    conn.prepare_cached("SELECT kind FROM records WHERE id = ?1")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
        .ctx("read a record")
}

pub(crate) fn current_seq(conn: &Connection) -> Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM records", [], |r| {
        r.get(0)
    })
    .ctx("read the change sequence")
}

fn load_identity(conn: &Connection) -> Result<Identity> {
    let (node_id, member, org_id, secret): (String, String, Option<String>, Vec<u8>) = conn
        .query_row(
            "SELECT node_id, member, org_id, secret_key FROM identity WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .ctx("read the workspace identity")?
        .ok_or_else(|| Error::Corrupt("the workspace has no identity".into()))?;
    let secret: [u8; 32] = secret
        .try_into()
        .map_err(|_| Error::Corrupt("the workspace key is not 32 bytes".into()))?;
    let org_name = match &org_id {
        Some(id) => load_record(conn, id)?
            .map(|r| r.title().to_string())
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(Identity {
        node_id,
        owner: Owner {
            member,
            org_id: org_id.unwrap_or_default(),
            org_name,
        },
        signing_key: ed25519_dalek::SigningKey::from_bytes(&secret),
    })
}

/// Refuses when `current` is no longer at revision `expected` (someone changed it since).
fn check_rev(current: &Record, expected: &str) -> Result<()> {
    if current.rev == expected {
        return Ok(());
    }
    Err(Error::Conflict {
        id: current.id.clone(),
        expected: expected.to_string(),
        actual: current.rev.clone(),
    })
}
