//! insisst-core: the product behind Insisst Workspace.
//!
//! Everything the desktop app and the `insisst` command share lives here: the record model and
//! its validation, the workspace store (SQLite, append-only migrations, revisions), identity,
//! wiki links, markdown rendered to sanitised HTML, session agendas, backups, integrity checks
//! and the demo generator. It knows nothing of Tauri, IPC or any UI; time and randomness come
//! in through [`Clock`] and [`Entropy`] so that every test is deterministic.

pub mod agenda;
pub mod backup;
pub mod check;
pub mod clock;
pub mod demo;
pub mod error;
pub mod evaluation;
pub mod exchange;
pub mod identity;
pub mod interop;
pub mod kind;
pub mod learning;
pub mod location;
pub mod markdown;
pub mod monitoring;
pub mod partners;
pub mod privacy;
pub mod report;
pub mod revision;
pub mod schema;
pub mod search;
pub mod store;
pub mod wiki;

pub use clock::{Clock, Entropy, FixedClock, OsEntropy, SeededEntropy, SystemClock};
pub use error::{Error, Result};
pub use kind::Kind;
pub use store::{Workspace, WorkspaceOptions};
