//! Exchange between partner workspaces: signed `.insisst` bundles (docs/bundle-format.md).
//!
//! [`export()`] writes what a scope selects, with every leaf revision and its ancestry, signed
//! with the workspace key. [`preview`] and [`import()`] read a bundle as hostile input: every
//! check happens before anything is written ([`reader`]), and applying reads the file again
//! and re-hashes it, in one transaction, through the store's merge ([`crate::store::Writer::merge_record`]).

mod export;
mod import;
pub mod keyring;
mod reader;

pub use export::{export, ExportScope, ExportSummary};
pub use import::{import, preview, ImportOptions, ImportPlan, KindPlan, SignatureStatus};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format this build reads and writes. A bundle of a greater major version is refused.
pub const FORMAT: &str = "insisst-bundle";
pub const FORMAT_VERSION: &str = "2.0";
pub const FORMAT_MAJOR: u32 = 2;
/// What a bundle without erasure markers is marked: nothing in it needs 2.0, so apps that
/// read only 1.0 still read it (docs/bundle-format.md, section 9).
pub const FORMAT_VERSION_WITHOUT_ERASURES: &str = "1.0";

/// Caps on what a bundle may hold, enforced while reading (declared sizes are never trusted).
pub mod limits {
    pub const MAX_ENTRIES: usize = 500_000;
    pub const MAX_MANIFEST_BYTES: u64 = 64 << 20;
    pub const MAX_SIGNATURE_BYTES: u64 = 1024;
    pub const MAX_LINE_BYTES: usize = 64 << 20;
    pub const MAX_RECORDS_FILE_BYTES: u64 = 8 << 30;
    pub const MAX_NOTE_FILE_BYTES: u64 = 8 << 20;
    pub const MAX_ATTACHMENT_BYTES: u64 = crate::store::MAX_ATTACHMENT_BYTES;
    pub const MAX_TOTAL_BYTES: u64 = 16 << 30;
    /// Uncompressed to compressed, for entries over [`RATIO_FLOOR`]: text deflates 3–10×,
    /// a bomb thousands of times.
    pub const MAX_RATIO: u64 = 200;
    pub const RATIO_FLOOR: u64 = 1 << 20;
    pub const MAX_LEAVES: usize = 100;
    pub const MAX_ANCESTRY: usize = 1000;
    pub const MAX_NAME_CHARS: usize = 200;
    /// `erasures.ndjson`: a marker line is about 150 bytes; a million people is far above
    /// any consortium.
    pub const MAX_ERASURES_FILE_BYTES: u64 = 256 << 20;
    pub const MAX_ERASURE_LINE_BYTES: usize = 1024;
    /// Arrays and objects inside one another, in a record line or the manifest.
    pub const MAX_JSON_DEPTH: usize = 64;
}

/// Who made a bundle, as its manifest says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleAuthor {
    pub member: String,
    pub organisation: String,
    pub organisation_id: String,
    pub node_id: String,
    /// Ed25519 public key, 64 lowercase hex digits.
    pub public_key: String,
}

impl BundleAuthor {
    pub fn fingerprint(&self) -> String {
        hex::decode(&self.public_key)
            .map(|k| crate::identity::fingerprint(&k))
            .unwrap_or_default()
    }
}

/// One file of a bundle as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// manifest.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: String,
    pub bundle_id: String,
    pub created_at: String,
    pub author: BundleAuthor,
    pub scope: serde_json::Map<String, serde_json::Value>,
    pub counts: BTreeMap<String, u64>,
    #[serde(default)]
    pub left_out: BTreeMap<String, u64>,
    pub files: Vec<FileEntry>,
    /// Lines of `erasures.ndjson` (format 2.0); absent when there are none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub erasures: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The phases of a long exchange, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Export,
    /// Reading and verifying a bundle before anything is written.
    Check,
    Apply,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Export => "export",
            Phase::Check => "check",
            Phase::Apply => "apply",
        }
    }
}

/// Where a long export or import reports progress, and how it learns it should stop.
/// Stopping leaves nothing behind: no partial file, no partial import.
pub trait Progress {
    fn update(&self, _phase: Phase, _done: u64, _total: u64) {}
    fn cancelled(&self) -> bool {
        false
    }
}

/// No progress reports, no cancel.
pub struct Quiet;
impl Progress for Quiet {}

pub(crate) fn check_cancel(progress: &dyn Progress) -> crate::Result<()> {
    if progress.cancelled() {
        Err(crate::Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Whether `s` is a record id as this workspace writes it: a lowercase hyphenated UUID.
pub(crate) fn is_record_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

pub(crate) fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
