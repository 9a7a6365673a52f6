//! Reading a bundle as hostile input. Opening it vets every entry of the archive (names,
//! types, compression) and the manifest and its signature; entries are then read through
//! [`EntryReader`], which enforces the manifest's size and hash and the caps of
//! [`super::limits`] on the bytes actually inflated, never on what the archive declares.

use super::limits::*;
use super::{is_record_id, is_sha256, Manifest, FORMAT, FORMAT_MAJOR};
use crate::error::{Error, Result};
use crate::kind::Kind;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use zip::ZipArchive;

/// What an archive entry is, by its name. Anything else is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryName {
    Manifest,
    Signature,
    Records(Kind),
    /// `erasures.ndjson`: erasure markers (format 2.0).
    Erasures,
    Note,
    Attachment(String),
}

pub(crate) fn classify(name: &str) -> Option<EntryName> {
    match name {
        "manifest.json" => return Some(EntryName::Manifest),
        "manifest.sig" => return Some(EntryName::Signature),
        "erasures.ndjson" => return Some(EntryName::Erasures),
        _ => {}
    }
    if let Some(kind) = name
        .strip_prefix("records/")
        .and_then(|n| n.strip_suffix(".ndjson"))
    {
        return kind
            .parse::<Kind>()
            .ok()
            .filter(|k| k.as_str() == kind)
            .map(EntryName::Records);
    }
    if let Some(id) = name
        .strip_prefix("notes/")
        .and_then(|n| n.strip_suffix(".md"))
    {
        return is_record_id(id).then_some(EntryName::Note);
    }
    if let Some(hash) = name.strip_prefix("attachments/") {
        return is_sha256(hash).then(|| EntryName::Attachment(hash.to_string()));
    }
    None
}

/// The most bytes an entry of this name may hold.
pub(crate) fn cap_for(name: &EntryName) -> u64 {
    match name {
        EntryName::Manifest => MAX_MANIFEST_BYTES,
        EntryName::Signature => MAX_SIGNATURE_BYTES,
        EntryName::Records(_) => MAX_RECORDS_FILE_BYTES,
        EntryName::Erasures => MAX_ERASURES_FILE_BYTES,
        EntryName::Note => MAX_NOTE_FILE_BYTES,
        EntryName::Attachment(_) => MAX_ATTACHMENT_BYTES,
    }
}

/// An opened, vetted bundle: its manifest is well formed and signed by the key it names.
pub(crate) struct Bundle {
    pub path: PathBuf,
    pub manifest: Manifest,
    pub manifest_bytes: Vec<u8>,
    pub archive: ZipArchive<BufReader<File>>,
    /// Compressed size of each listed entry, for the ratio cap.
    compressed: BTreeMap<String, u64>,
    /// Where each path is in `manifest.files`: a bundle of 100k records has ~50k entries,
    /// and a scan per entry would make reading it quadratic.
    listed: HashMap<String, usize>,
}

pub(crate) fn refuse(path: &Path, problem: impl Into<String>) -> Error {
    Error::Bundle {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

impl Bundle {
    pub fn open(path: &Path) -> Result<Bundle> {
        let file =
            File::open(path).map_err(|e| Error::io(format!("open {}", path.display()), e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io(format!("read {}", path.display()), e))?;
        if !meta.is_file() {
            return Err(refuse(path, "not a file"));
        }
        let mut archive = ZipArchive::new(BufReader::new(file)).map_err(|e| {
            refuse(
                path,
                format!("it is not a zip archive, or it is truncated or damaged ({e})"),
            )
        })?;
        if archive.len() > MAX_ENTRIES {
            return Err(refuse(
                path,
                format!(
                    "it has {} entries; a bundle may have at most {MAX_ENTRIES}",
                    archive.len()
                ),
            ));
        }
        // The zip crate keeps one entry per name (the last one written), so a name written
        // twice never reaches the loop below: look for it in the central directory itself.
        // Two entries of one name are how a bundle shows `unzip` one file and Insisst another.
        let listed = central_directory_names(path, archive.central_directory_start())?;
        let mut seen = HashSet::new();
        for raw in &listed {
            if !seen.insert(raw.as_slice()) {
                return Err(refuse(
                    path,
                    format!(
                        "entry `{}` appears twice",
                        String::from_utf8_lossy(raw).escape_debug()
                    ),
                ));
            }
        }
        if listed.len() != archive.len() {
            return Err(refuse(
                path,
                "its central directory is damaged (entries the zip reader does not see)",
            ));
        }
        let mut names = HashSet::new();
        let mut compressed = BTreeMap::new();
        for i in 0..archive.len() {
            let entry = archive
                .by_index_raw(i)
                .map_err(|e| refuse(path, format!("entry {i} is unreadable ({e})")))?;
            let raw = entry.name_raw().to_vec();
            let name = String::from_utf8(raw).map_err(|_| {
                refuse(
                    path,
                    format!(
                        "entry {i} has a name that is not UTF-8 ({:?})",
                        entry.name()
                    ),
                )
            })?;
            let shown = name.escape_debug().to_string();
            if entry.is_dir() || name.ends_with('/') {
                return Err(refuse(
                    path,
                    format!("entry `{shown}` is a directory; bundles hold files only"),
                ));
            }
            if entry.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000) {
                return Err(refuse(
                    path,
                    format!("entry `{shown}` is a symbolic link; bundles hold files only"),
                ));
            }
            if classify(&name).is_none() {
                let unknown_kind = name
                    .strip_prefix("records/")
                    .and_then(|n| n.strip_suffix(".ndjson"))
                    .filter(|k| !k.is_empty() && !k.contains(['/', '\\', '.', ':']));
                let why = if let Some(kind) = unknown_kind {
                    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    format!(
                        "names an unknown record kind `{}` (kinds: {})",
                        kind.escape_debug(),
                        kinds.join(", ")
                    )
                } else if name.starts_with('/') || name.contains(':') {
                    "is an absolute path".into()
                } else if name.contains("..") {
                    "is a path that leaves the bundle".into()
                } else if name.contains('\\') {
                    "is a path with backslashes".into()
                } else {
                    "is not a name a bundle may contain".into()
                };
                return Err(refuse(path, format!("entry `{shown}` {why}")));
            }
            if !names.insert(name.clone()) {
                return Err(refuse(path, format!("entry `{shown}` appears twice")));
            }
            match entry.compression() {
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated => {}
                other => {
                    return Err(refuse(
                        path,
                        format!("entry `{shown}` uses compression {other:?}; bundles use deflate"),
                    ))
                }
            }
            if entry.encrypted() {
                return Err(refuse(path, format!("entry `{shown}` is encrypted")));
            }
            compressed.insert(name, entry.compressed_size());
        }
        for required in ["manifest.json", "manifest.sig"] {
            if !names.contains(required) {
                return Err(refuse(path, format!("it has no {required}")));
            }
        }
        let manifest_bytes = read_small(&mut archive, path, "manifest.json", MAX_MANIFEST_BYTES)?;
        let manifest = parse_manifest(path, &manifest_bytes)?;
        let signature = read_small(&mut archive, path, "manifest.sig", MAX_SIGNATURE_BYTES)?;
        verify_signature(path, &manifest, &manifest_bytes, &signature)?;
        let mut listed = HashSet::new();
        for f in &manifest.files {
            if !listed.insert(f.path.as_str()) {
                return Err(refuse(
                    path,
                    format!("manifest.json lists `{}` twice", f.path),
                ));
            }
            if !names.contains(&f.path) {
                return Err(refuse(
                    path,
                    format!(
                        "manifest.json lists `{}`, which the archive does not contain",
                        f.path
                    ),
                ));
            }
        }
        for name in &names {
            if name != "manifest.json" && name != "manifest.sig" && !listed.contains(name.as_str())
            {
                return Err(refuse(
                    path,
                    format!("entry `{name}` is not listed in manifest.json"),
                ));
            }
        }
        let listed = manifest
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        Ok(Bundle {
            path: path.to_path_buf(),
            manifest,
            manifest_bytes,
            archive,
            compressed,
            listed,
        })
    }

    /// Reads entry `name` through the caps, its manifest size and its manifest hash.
    pub fn entry(&mut self, name: &str) -> Result<EntryReader<'_>> {
        let listed = self
            .listed
            .get(name)
            .map(|&i| &self.manifest.files[i])
            .ok_or_else(|| refuse(&self.path, format!("`{name}` is not in manifest.json")))?;
        let (size, sha256) = (listed.size, listed.sha256.clone());
        let cap = classify(name).map_or(0, |n| cap_for(&n));
        let compressed = self.compressed.get(name).copied().unwrap_or(0);
        let path = self.path.clone();
        let inner = self
            .archive
            .by_name(name)
            .map_err(|e| refuse(&path, format!("entry `{name}` is unreadable ({e})")))?;
        Ok(EntryReader {
            inner,
            name: name.to_string(),
            path,
            hasher: Sha256::new(),
            read: 0,
            size,
            sha256,
            cap,
            compressed,
        })
    }
}

fn read_small(
    archive: &mut ZipArchive<BufReader<File>>,
    path: &Path,
    name: &str,
    cap: u64,
) -> Result<Vec<u8>> {
    let entry = archive
        .by_name(name)
        .map_err(|e| refuse(path, format!("entry `{name}` is unreadable ({e})")))?;
    let mut bytes = Vec::new();
    entry.take(cap + 1).read_to_end(&mut bytes).map_err(|e| {
        refuse(
            path,
            format!("entry `{name}` is damaged or truncated ({e})"),
        )
    })?;
    if bytes.len() as u64 > cap {
        return Err(refuse(path, format!("{name} is larger than {cap} bytes")));
    }
    Ok(bytes)
}

/// The entry names of the central directory starting at `start`, in order, duplicates
/// included; at most one more than [`MAX_ENTRIES`]. Each header is 46 bytes (signature
/// `PK\x01\x02`; name, extra field and comment lengths at 28, 30 and 32), then the name,
/// extra field and comment.
fn central_directory_names(path: &Path, start: u64) -> Result<Vec<Vec<u8>>> {
    let damaged = |e: std::io::Error| {
        refuse(
            path,
            format!("its zip central directory is truncated or damaged ({e})"),
        )
    };
    let file = File::open(path).map_err(|e| Error::io(format!("open {}", path.display()), e))?;
    let mut r = BufReader::new(file);
    r.seek(SeekFrom::Start(start)).map_err(damaged)?;
    let mut names = vec![];
    let mut header = [0u8; 46];
    while names.len() <= MAX_ENTRIES {
        if r.read_exact(&mut header[..4]).is_err() || header[..4] != *b"PK\x01\x02" {
            break;
        }
        r.read_exact(&mut header[4..]).map_err(damaged)?;
        let len = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]) as usize;
        let mut name = vec![0u8; len(28)];
        r.read_exact(&mut name).map_err(damaged)?;
        r.seek_relative((len(30) + len(32)) as i64)
            .map_err(damaged)?;
        names.push(name);
    }
    Ok(names)
}

/// Whether JSON `text` nests arrays and objects more than `max` deep. Counted on the bytes
/// (brackets outside strings) before any parser recurses into them; serde_json's own limit
/// (128) is deeper than a bundle may go, and says less.
pub(crate) fn json_too_deep(text: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in text {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

fn parse_manifest(path: &Path, bytes: &[u8]) -> Result<Manifest> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| refuse(path, format!("manifest.json is not UTF-8 ({e})")))?;
    if json_too_deep(bytes, MAX_JSON_DEPTH) {
        return Err(refuse(
            path,
            format!("manifest.json is nested deeper than {MAX_JSON_DEPTH} levels"),
        ));
    }
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| refuse(path, format!("manifest.json is not valid JSON ({e})")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| refuse(path, "manifest.json is not a JSON object"))?;
    if obj.get("format").and_then(|v| v.as_str()) != Some(FORMAT) {
        return Err(refuse(
            path,
            format!("manifest.json: `format` is not \"{FORMAT}\"; this is not an Insisst bundle"),
        ));
    }
    let version = obj
        .get("format_version")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let major = version
        .split_once('.')
        .and_then(|(m, n)| Some((m.parse::<u32>().ok()?, n.parse::<u32>().ok()?)))
        .map(|(m, _)| m)
        .ok_or_else(|| {
            refuse(
                path,
                format!("manifest.json: `format_version` `{version}` is not MAJOR.MINOR"),
            )
        })?;
    let version = version.to_string();
    if major > FORMAT_MAJOR {
        return Err(refuse(
            path,
            format!(
                "it is format version {version}, newer than this version of Insisst reads ({}); update Insisst to import it",
                super::FORMAT_VERSION
            ),
        ));
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| refuse(path, format!("manifest.json: {e}")))?;
    let bad =
        |field: &str, problem: String| refuse(path, format!("manifest.json: `{field}` {problem}"));
    if !is_record_id(&manifest.bundle_id) {
        return Err(bad("bundle_id", "is not an id".into()));
    }
    if crate::schema::parse_timestamp(&manifest.created_at).is_none() {
        return Err(bad(
            "created_at",
            "is not a time (YYYY-MM-DDTHH:MM:SSZ)".into(),
        ));
    }
    let a = &manifest.author;
    if !is_record_id(&a.node_id) {
        return Err(bad("author.node_id", "is not an id".into()));
    }
    if !a.organisation_id.is_empty() && !is_record_id(&a.organisation_id) {
        return Err(bad("author.organisation_id", "is not an id".into()));
    }
    for (field, value) in [
        ("author.member", &a.member),
        ("author.organisation", &a.organisation),
    ] {
        if value.chars().count() > MAX_NAME_CHARS || value.chars().any(char::is_control) {
            return Err(bad(
                field,
                format!("must be at most {MAX_NAME_CHARS} printable characters"),
            ));
        }
    }
    if a.member.trim().is_empty() {
        return Err(bad("author.member", "is empty".into()));
    }
    let mut total = 0u64;
    for f in &manifest.files {
        let Some(name) = classify(&f.path) else {
            return Err(bad(
                "files",
                format!(
                    "lists `{}`, not a name a bundle may contain",
                    f.path.escape_debug()
                ),
            ));
        };
        if matches!(name, EntryName::Manifest | EntryName::Signature) {
            return Err(bad(
                "files",
                format!("lists `{}`, which it cannot describe", f.path),
            ));
        }
        if !is_sha256(&f.sha256) {
            return Err(bad(
                "files",
                format!("gives `{}` a sha256 that is not 64 hex digits", f.path),
            ));
        }
        // A 1.x reader refuses the unknown entry; a bundle that says 1.x and carries
        // erasures anyway was not made by Insisst.
        if name == EntryName::Erasures && major < 2 {
            return Err(bad(
                "files",
                format!(
                    "lists `{}`, which format {version} does not have (erasures need 2.0)",
                    f.path
                ),
            ));
        }
        // An attachment is named by its hash: other bytes under a known name would be
        // stored (and later served and exported) as the file that name promises.
        if let EntryName::Attachment(named) = &name {
            if *named != f.sha256 {
                return Err(bad(
                    "files",
                    format!("gives `{}` the sha256 of other content", f.path),
                ));
            }
        }
        if f.size > cap_for(&name) {
            return Err(bad(
                "files",
                format!(
                    "gives `{}` {} bytes; at most {} are allowed",
                    f.path,
                    f.size,
                    cap_for(&name)
                ),
            ));
        }
        total = total.saturating_add(f.size);
    }
    if total > MAX_TOTAL_BYTES {
        return Err(refuse(
            path,
            format!(
                "its files add up to {total} bytes; a bundle may hold at most {MAX_TOTAL_BYTES}"
            ),
        ));
    }
    for kind in manifest.counts.keys() {
        if kind.parse::<Kind>().ok().map(|k| k.as_str()) != Some(kind.as_str()) {
            return Err(bad("counts", format!("names unknown kind `{kind}`")));
        }
    }
    Ok(manifest)
}

fn lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn verify_signature(path: &Path, manifest: &Manifest, bytes: &[u8], sig: &[u8]) -> Result<()> {
    let key: [u8; 32] = Some(&manifest.author.public_key)
        .filter(|k| lower_hex(k))
        .and_then(|k| hex::decode(k).ok())
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| {
            refuse(
                path,
                "manifest.json: `author.public_key` is not 64 lowercase hex digits",
            )
        })?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| {
        refuse(
            path,
            "manifest.json: `author.public_key` is not an Ed25519 key",
        )
    })?;
    let sig: [u8; 64] = std::str::from_utf8(sig)
        .ok()
        .filter(|s| lower_hex(s))
        .and_then(|s| hex::decode(s).ok())
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| {
            refuse(
                path,
                "manifest.sig is not a signature (128 lowercase hex digits)",
            )
        })?;
    key.verify_strict(bytes, &Signature::from_bytes(&sig)).map_err(|_| {
        refuse(
            path,
            "the signature does not match manifest.json: the bundle was altered, or not signed by the key it names",
        )
    })
}

/// One entry, read through its caps while hashed. [`EntryReader::finish`] checks that it was
/// exactly what the manifest says.
pub(crate) struct EntryReader<'a> {
    inner: zip::read::ZipFile<'a, BufReader<File>>,
    name: String,
    path: PathBuf,
    hasher: Sha256,
    read: u64,
    size: u64,
    sha256: String,
    cap: u64,
    compressed: u64,
}

impl EntryReader<'_> {
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Reads to the end, then compares size and hash with the manifest.
    pub fn finish(mut self) -> Result<()> {
        let mut sink = [0u8; 16 * 1024];
        loop {
            match self.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return Err(self.problem(e)),
            }
        }
        if self.read != self.size {
            return Err(refuse(
                &self.path,
                format!(
                    "entry `{}` holds {} bytes; manifest.json says {}",
                    self.name, self.read, self.size
                ),
            ));
        }
        let digest = hex::encode(std::mem::take(&mut self.hasher).finalize());
        if digest != self.sha256 {
            return Err(refuse(
                &self.path,
                format!(
                    "entry `{}` does not match its sha256 in manifest.json (altered or damaged)",
                    self.name
                ),
            ));
        }
        Ok(())
    }

    /// The bundle error for an I/O error met while reading this entry.
    pub fn problem(&self, e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::Other && e.get_ref().is_some_and(|i| i.is::<CapError>())
        {
            return refuse(
                &self.path,
                format!(
                    "entry `{}`: {}",
                    self.name,
                    e.into_inner().map(|i| i.to_string()).unwrap_or_default()
                ),
            );
        }
        refuse(
            &self.path,
            format!("entry `{}` is damaged or truncated ({e})", self.name),
        )
    }
}

/// A cap crossed while reading: told apart from damage.
#[derive(Debug)]
struct CapError(String);

impl std::fmt::Display for CapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CapError {}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let over = |msg: String| Err(std::io::Error::other(CapError(msg)));
        if self.read > self.size {
            // Corrupt deflate data often inflates to more than was written, too.
            return over(format!(
                "holds more than the {} bytes manifest.json says (altered or damaged)",
                self.size
            ));
        }
        if self.read > self.cap {
            return over(format!("is larger than {} bytes", self.cap));
        }
        if self.read > RATIO_FLOOR && self.read > self.compressed.saturating_mul(MAX_RATIO) {
            return over(format!(
                "inflates more than {MAX_RATIO} times its compressed size (a zip bomb?)"
            ));
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads one line (without its `\n`) of at most `cap` bytes into `line`; `false` at the end.
pub(crate) fn read_line(
    reader: &mut impl std::io::BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<bool> {
    line.clear();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(!line.is_empty());
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if line.len() + take > cap + 1 {
            return Err(std::io::Error::other(CapError(format!(
                "has a line longer than {cap} bytes"
            ))));
        }
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if done {
            line.pop();
            return Ok(true);
        }
    }
}
