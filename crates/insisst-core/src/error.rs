//! The core's one error type. Every variant carries the context a person needs to act on it:
//! which file, which record, which field.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no workspace at {path}: run `insisst init` to create one")]
    NoWorkspace { path: PathBuf },

    #[error("a workspace already exists at {path}")]
    WorkspaceExists { path: PathBuf },

    #[error(
        "the workspace at {path} was written by a newer version of Insisst (schema {found}, this version knows up to {supported}); update the app"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("unknown record kind `{0}` (kinds: question, review, session, evaluation, note, method, contact, org, attachment)")]
    UnknownKind(String),

    #[error("{record}: field `{field}`: {problem}")]
    InvalidField {
        /// The record the field belongs to: its id, or its kind and title when it is new.
        record: String,
        field: String,
        problem: String,
    },

    #[error("no record with id {0}")]
    NotFound(String),

    #[error("record {id} has no revision {rev}")]
    RevisionNotFound { id: String, rev: String },

    #[error("record {id} is deleted")]
    Deleted { id: String },

    #[error(
        "record {id} changed since revision {expected} (now {actual}); reload it and try again"
    )]
    Conflict {
        id: String,
        expected: String,
        actual: String,
    },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("database {context}: {source}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },

    #[error("schema migration of {path} failed: {message}")]
    Migration { path: PathBuf, message: String },

    #[error("backup {path}: {problem}")]
    Backup { path: PathBuf, problem: String },

    #[error("search index {path}: {message}")]
    Index { path: PathBuf, message: String },

    #[error("the search index at {path} is being written by another process (is the app open?); close it and try again")]
    IndexBusy { path: PathBuf },

    /// A bundle refused on import: what is wrong, where (entry, line, record, field).
    #[error("bundle {path} refused: {problem}")]
    Bundle { path: PathBuf, problem: String },

    #[error(
        "bundle {path} is signed by {member} ({node_id}) with a key that differs from the one known for them (known {known}, now {presented}); if they really changed keys, import with --trust-new-key"
    )]
    KeyChanged {
        path: PathBuf,
        member: String,
        node_id: String,
        known: String,
        presented: String,
    },

    #[error("cancelled; nothing was changed")]
    Cancelled,

    #[error("stored data is damaged: {0}")]
    Corrupt(String),

    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// A stable, machine-readable code for this error: the CLI's `--json` errors and the app's
    /// IPC error carry it beside the message.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NoWorkspace { .. } => "no_workspace",
            Error::WorkspaceExists { .. } => "workspace_exists",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::UnknownKind(_) => "unknown_kind",
            Error::InvalidField { .. } => "invalid_field",
            Error::NotFound(_) => "not_found",
            Error::RevisionNotFound { .. } => "revision_not_found",
            Error::Deleted { .. } => "deleted",
            Error::Conflict { .. } => "conflict",
            Error::Io { .. } => "io",
            Error::Sqlite { .. } => "database",
            Error::Migration { .. } => "migration",
            Error::Backup { .. } => "backup",
            Error::Index { .. } => "index",
            Error::IndexBusy { .. } => "index_busy",
            Error::Bundle { .. } => "bundle_refused",
            Error::KeyChanged { .. } => "key_changed",
            Error::Cancelled => "cancelled",
            Error::Corrupt(_) => "corrupt",
            Error::Invalid(_) => "invalid",
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn field(
        record: impl Into<String>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Error::InvalidField {
            record: record.into(),
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Attaches "what we were doing" to a rusqlite error.
pub(crate) trait SqlContext<T> {
    fn ctx(self, context: &str) -> Result<T>;
}

impl<T> SqlContext<T> for std::result::Result<T, rusqlite::Error> {
    fn ctx(self, context: &str) -> Result<T> {
        self.map_err(|source| Error::Sqlite {
            context: context.to_string(),
            source,
        })
    }
}
