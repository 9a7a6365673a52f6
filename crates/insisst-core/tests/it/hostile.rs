//! The hostile-bundle corpus (issue 5; targets.md, "Reliability and security", first row).
//!
//! Every case starts from a real bundle, exported from the deterministic `rich` workspace,
//! and breaks one thing. Whatever the case does not target stays valid: entries it changes
//! are listed again with their true size and sha256, and the manifest is signed again with
//! the base workspace's key, so that each case trips exactly the check it is about and not an
//! earlier one. The bytes are deterministic (fixed clock, seeded entropy, fixed zip
//! timestamps), so the corpus is checked in under `tests/data/hostile/` and compared with
//! what this generator makes: `UPDATE_HOSTILE=1 cargo test -p insisst-core --test it hostile`
//! rewrites it.
//!
//! Each case is imported into a fresh workspace (or one that imported the good base bundle
//! first): it must be refused with a message naming the problem, change nothing in the
//! workspace, and write nothing anywhere.

use crate::exchange::{export_all, partner, rich};
use crate::util::dump;
use ed25519_dalek::{Signer, SigningKey};
use insisst_core::exchange::{self, ImportOptions, Quiet, SignatureStatus};
use insisst_core::revision::{canonical_json, Rev};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

/// The bomb: 100 MiB of zeros, about 100 KB deflated.
const BOMB_BYTES: u64 = 100 << 20;
/// Its sha256 (`head -c 104857600 /dev/zero | sha256sum`), written out: hashing 100 MiB in
/// an unoptimised test build takes seconds.
const BOMB_SHA256: &str = "20492a4d0d84f8beb1767f6616229f85d44c2827b64bdbfb260ee12fa1109e0e";

/// A record id no workspace of these tests has.
const FOREIGN_ID: &str = "019c0000-0000-7000-8000-000000000bad";

/// What an entry holds.
#[derive(Clone)]
enum Data {
    Bytes(Vec<u8>),
    /// This many zero bytes, streamed into the archive at the highest compression.
    Zeros(u64),
    Symlink(String),
}

/// The good bundle every case starts from, and what the cases need to know about it.
struct Base {
    bytes: Vec<u8>,
    /// Every entry but manifest.json and manifest.sig, in archive order.
    entries: Vec<(String, Vec<u8>)>,
    manifest: Value,
    key: SigningKey,
    node_id: String,
    /// The live note "Workshop notes" and the one session.
    note_id: String,
    session_id: String,
    attachment_id: String,
    attachment_sha: String,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = rich(&dir.path().join("base"));
        let file = dir.path().join("base.insisst");
        export_all(&mut ws, &file);
        let bytes = std::fs::read(&file).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
        let mut entries = vec![];
        let mut manifest = Value::Null;
        for i in 0..zip.len() {
            let mut e = zip.by_index(i).unwrap();
            let mut data = vec![];
            e.read_to_end(&mut data).unwrap();
            match e.name() {
                "manifest.json" => manifest = serde_json::from_slice(&data).unwrap(),
                "manifest.sig" => {}
                name => entries.push((name.to_string(), data)),
            }
        }
        let find = |kind: &str, title: &str| -> String {
            ws.find_by_title(title)
                .unwrap()
                .into_iter()
                .find(|r| r.kind.as_str() == kind)
                .unwrap_or_else(|| panic!("no {kind} {title}"))
                .id
        };
        let note_id = find("note", "Workshop notes");
        let session_id = find("session", "Peer learning in Tampere");
        let attachment = ws
            .list(&Default::default())
            .unwrap()
            .into_iter()
            .find(|r| r.kind.as_str() == "attachment")
            .unwrap();
        Base {
            bytes,
            entries,
            manifest,
            key: ws.identity().signing_key.clone(),
            node_id: ws.identity().node_id.clone(),
            note_id,
            session_id,
            attachment_sha: attachment.content["sha256"].as_str().unwrap().to_string(),
            attachment_id: attachment.id,
        }
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The options the exporter uses (export.rs), so unchanged entries stay as they were.
fn entry_options(name: &str) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .large_file(name.starts_with("records/"))
}

fn pack(entries: &[(String, Data)]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        let mut options = entry_options(name);
        let large = match data {
            Data::Bytes(b) => b.len() > 1 << 20,
            Data::Zeros(_) => true,
            Data::Symlink(_) => false,
        };
        if large {
            // Big cases deflate as far as they go: the corpus stays small.
            options = options.compression_level(Some(9));
        }
        match data {
            Data::Bytes(bytes) => {
                zip.start_file(name.as_str(), options).unwrap();
                zip.write_all(bytes).unwrap();
            }
            Data::Zeros(n) => {
                zip.start_file(name.as_str(), options).unwrap();
                let chunk = vec![0u8; 1 << 20];
                let mut left = *n;
                while left > 0 {
                    let k = left.min(chunk.len() as u64);
                    zip.write_all(&chunk[..k as usize]).unwrap();
                    left -= k;
                }
            }
            Data::Symlink(target) => zip.add_symlink(name.as_str(), target, options).unwrap(),
        }
    }
    zip.finish().unwrap().into_inner()
}

/// Replaces every occurrence of `from` (the local header's and the central directory's copy
/// of an entry name) with `to`, of the same length: names the zip writer would not write.
fn patch_name(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at: Vec<usize> = bytes
        .windows(from.len())
        .enumerate()
        .filter(|(_, w)| *w == from)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 2, "{}", String::from_utf8_lossy(from));
    for i in at {
        bytes[i..i + to.len()].copy_from_slice(to);
    }
    bytes
}

/// A bundle being broken: its entries and its manifest, signed when packed.
#[derive(Clone)]
struct Draft {
    entries: Vec<(String, Data)>,
    manifest: Value,
}

impl Draft {
    fn new() -> Draft {
        let b = base();
        Draft {
            entries: b
                .entries
                .iter()
                .map(|(n, d)| (n.clone(), Data::Bytes(d.clone())))
                .collect(),
            manifest: b.manifest.clone(),
        }
    }

    fn get(&self, name: &str) -> Vec<u8> {
        match self.entries.iter().find(|(n, _)| n == name) {
            Some((_, Data::Bytes(b))) => b.clone(),
            _ => panic!("no entry {name}"),
        }
    }

    /// Sets entry `name` (adding it at the end if new) without touching the manifest.
    fn put_unlisted(&mut self, name: &str, data: Data) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = data,
            None => self.entries.push((name.to_string(), data)),
        }
    }

    /// Sets entry `name` and lists it in the manifest with its true size and sha256.
    fn put(&mut self, name: &str, data: Data) {
        let (size, sha) = match &data {
            Data::Bytes(b) => (b.len() as u64, sha256_hex(b)),
            Data::Zeros(n) => {
                assert_eq!(*n, BOMB_BYTES);
                (*n, BOMB_SHA256.to_string())
            }
            Data::Symlink(_) => unreachable!(),
        };
        self.put_unlisted(name, data);
        self.unlist(name);
        let files = self.manifest["files"].as_array_mut().unwrap();
        files.push(json!({"path": name, "size": size, "sha256": sha}));
        files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    }

    fn remove(&mut self, name: &str) {
        let before = self.entries.len();
        self.entries.retain(|(n, _)| n != name);
        assert_eq!(self.entries.len() + 1, before, "{name}");
    }

    fn unlist(&mut self, name: &str) {
        self.manifest["files"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["path"] != name);
    }

    fn lines(&self, name: &str) -> Vec<Value> {
        self.get(name)
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }

    fn put_lines(&mut self, name: &str, lines: &[Value]) {
        let mut text = String::new();
        for l in lines {
            text.push_str(&canonical_json(l));
            text.push('\n');
        }
        self.put(name, Data::Bytes(text.into_bytes()));
    }

    /// The 1-based line of record `id` in `name`, and the line.
    fn line_of(&self, name: &str, id: &str) -> (usize, Value) {
        self.lines(name)
            .into_iter()
            .enumerate()
            .find(|(_, l)| l["id"] == id)
            .map(|(i, l)| (i + 1, l))
            .unwrap_or_else(|| panic!("no {id} in {name}"))
    }

    fn set_line(&mut self, name: &str, line: Value) {
        let mut lines = self.lines(name);
        let slot = lines.iter_mut().find(|l| l["id"] == line["id"]).unwrap();
        *slot = line;
        self.put_lines(name, &lines);
    }

    fn manifest_bytes(&self) -> Vec<u8> {
        canonical_json(&self.manifest).into_bytes()
    }

    /// The archive with `manifest` and, if given, `signature` as its last entries.
    fn pack_with(&self, manifest: Vec<u8>, signature: Option<Vec<u8>>) -> Vec<u8> {
        let mut all = self.entries.clone();
        all.push(("manifest.json".into(), Data::Bytes(manifest)));
        if let Some(sig) = signature {
            all.push(("manifest.sig".into(), Data::Bytes(sig)));
        }
        pack(&all)
    }

    fn signed_by(&self, manifest: Vec<u8>, key: &SigningKey) -> Vec<u8> {
        let sig = hex::encode(key.sign(&manifest).to_bytes()).into_bytes();
        self.pack_with(manifest, Some(sig))
    }

    /// Signed by the base workspace, as an honest exporter would.
    fn zip(&self) -> Vec<u8> {
        self.signed_by(self.manifest_bytes(), &base().key)
    }
}

/// Gives `leaf` the rev its content hashes to (under its parent).
fn rerev(leaf: &mut Value) {
    let parent = leaf["ancestry"]
        .as_array()
        .unwrap()
        .first()
        .map(|p| Rev::parse(p.as_str().unwrap()).unwrap());
    let deleted = leaf["deleted"].as_bool().unwrap();
    let rev = Rev::next_canonical(parent.as_ref(), deleted, &canonical_json(&leaf["content"]));
    leaf["rev"] = json!(rev.to_string());
}

/// Gives a record line another id, in the line and its content, with matching revs.
fn reidentify(line: &mut Value, id: &str) {
    line["id"] = json!(id);
    for leaf in line["leaves"].as_array_mut().unwrap() {
        leaf["content"]["id"] = json!(id);
        assert!(leaf["ancestry"].as_array().unwrap().is_empty());
        rerev(leaf);
    }
}

/// Deterministic text of few distinct words: it deflates about ten times, well under the
/// ratio cap, so a long record stays an honest long record and the corpus stays small.
fn words(bytes: usize) -> String {
    const WORDS: [&str; 4] = ["co-design ", "workshop ", "citizens ", "municipality "];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = String::with_capacity(bytes + 16);
    while out.len() < bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push_str(WORDS[(state >> 60) as usize % WORDS.len()]);
    }
    out
}

/// How the importing workspace is prepared.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Setup {
    Fresh,
    /// The good base bundle imported first: its author's key is known, its records are here.
    BaseImported,
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// A fragment the error message must contain.
    expect: String,
    setup: Setup,
}

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(generate)
}

fn generate() -> Vec<Case> {
    let b = base();
    let mut out = vec![];
    let mut case = |name: &'static str, bytes: Vec<u8>, expect: String, setup: Setup| {
        out.push(Case {
            name,
            bytes,
            expect,
            setup,
        })
    };
    let fresh = Setup::Fresh;
    let note_md = format!("notes/{}.md", b.note_id);
    let notes = "records/note.ndjson";
    let sessions = "records/session.ndjson";
    let attachment_entry = format!("attachments/{}", b.attachment_sha);

    // The container: names, types, duplicates, the listed set.
    for (name, entry, expect) in [
        (
            "path_traversal",
            "../evil.txt",
            "entry `../evil.txt` is a path that leaves the bundle",
        ),
        (
            "absolute_path",
            "/tmp/evil.txt",
            "entry `/tmp/evil.txt` is an absolute path",
        ),
        (
            "backslash_path",
            "attachments\\evil",
            "entry `attachments\\\\evil` is a path with backslashes",
        ),
    ] {
        let mut d = Draft::new();
        d.put_unlisted(entry, Data::Bytes(b"evil\n".to_vec()));
        case(name, d.zip(), expect.into(), fresh);
    }

    let link = format!("attachments/{}", sha256_hex(b"/etc/passwd"));
    let mut d = Draft::new();
    d.put_unlisted(&link, Data::Symlink("/etc/passwd".into()));
    case(
        "symlink_entry",
        d.zip(),
        format!("entry `{link}` is a symbolic link"),
        fresh,
    );

    // Two entries named notes/<id>.md; the manifest lists the second, the one a reader that
    // keeps the last of each name would see.
    let mut d = Draft::new();
    let mut other = d.get(&note_md);
    other.extend_from_slice(b"\nA second text under the same name.\n");
    let placeholder = format!("notes/{}.mX", &b.note_id);
    assert_eq!(placeholder.len(), note_md.len());
    d.put(&note_md, Data::Bytes(other.clone()));
    d.entries.push((placeholder.clone(), Data::Bytes(other)));
    let bytes = patch_name(d.zip(), placeholder.as_bytes(), note_md.as_bytes());
    case(
        "duplicate_names",
        bytes,
        format!("entry `{note_md}` appears twice"),
        fresh,
    );

    let mut d = Draft::new();
    let placeholder = "notes/XXXX.md";
    d.put_unlisted(placeholder, Data::Bytes(b"not listed".to_vec()));
    let bytes = patch_name(
        d.zip(),
        placeholder.as_bytes(),
        b"notes/\xff\xfe\xfd\xfc.md",
    );
    case(
        "bad_utf8_name",
        bytes,
        "has a name that is not UTF-8".into(),
        fresh,
    );

    let extra = format!("notes/{FOREIGN_ID}.md");
    let mut d = Draft::new();
    d.put_unlisted(
        &extra,
        Data::Bytes(b"---\ntitle: \"smuggled\"\n---\n".to_vec()),
    );
    case(
        "entry_not_in_manifest",
        d.zip(),
        format!("entry `{extra}` is not listed in manifest.json"),
        fresh,
    );

    let mut d = Draft::new();
    d.remove(&note_md);
    case(
        "manifest_lists_missing_entry",
        d.zip(),
        format!("manifest.json lists `{note_md}`, which the archive does not contain"),
        fresh,
    );

    // Sizes: bombs and lies.
    // Named by its true hash, as a real attachment file would be.
    let true_name = format!("attachments/{BOMB_SHA256}");
    let mut d = Draft::new();
    d.put(&true_name, Data::Zeros(BOMB_BYTES));
    case(
        "zip_bomb_ratio",
        d.zip(),
        format!("entry `{true_name}`: inflates more than 200 times its compressed size"),
        fresh,
    );

    let mut d = Draft::new();
    let honest = d.get(&note_md);
    let mut longer = honest.clone();
    longer.extend_from_slice(&[b' '; 4096]);
    d.put_unlisted(&note_md, Data::Bytes(longer));
    case(
        "size_lie",
        d.zip(),
        format!(
            "entry `{note_md}`: holds more than the {} bytes manifest.json says (altered or damaged)",
            honest.len()
        ),
        fresh,
    );

    let mut d = Draft::new();
    for f in d.manifest["files"].as_array_mut().unwrap() {
        if f["path"].as_str().unwrap().starts_with("records/") {
            f["size"] = json!(8u64 << 30);
        }
    }
    case(
        "zip_bomb_total",
        d.zip(),
        "a bundle may hold at most 17179869184".into(),
        fresh,
    );

    // The archive itself.
    let mut cut = b.bytes.clone();
    cut.truncate(b.bytes.len() * 2 / 3);
    case(
        "truncated_zip",
        cut,
        "it is not a zip archive, or it is truncated or damaged".into(),
        fresh,
    );

    let corrupt = {
        let mut zip = zip::ZipArchive::new(Cursor::new(b.bytes.clone())).unwrap();
        let e = zip.by_name(notes).unwrap();
        let (start, len) = (e.data_start() as usize, e.compressed_size() as usize);
        drop(e);
        let mut bytes = b.bytes.clone();
        for byte in &mut bytes[start + len / 3..start + len / 3 + 16] {
            *byte ^= 0x5a;
        }
        bytes
    };
    case(
        "corrupt_entry_data",
        corrupt,
        format!("entry `{notes}`: holds more than the 1229 bytes manifest.json says (altered or damaged)"),
        fresh,
    );

    case(
        "not_a_zip",
        b"Dear partner, this is not a bundle.\n".to_vec(),
        "it is not a zip archive, or it is truncated or damaged".into(),
        fresh,
    );

    // Hashes and signatures.
    let mut d = Draft::new();
    let mut altered = d.get(&note_md);
    let last = altered.len() - 2;
    altered[last] ^= 0x01;
    d.put_unlisted(&note_md, Data::Bytes(altered));
    case(
        "hash_mismatch",
        d.zip(),
        format!("entry `{note_md}` does not match its sha256 in manifest.json"),
        fresh,
    );

    let d = Draft::new();
    case(
        "missing_signature",
        d.pack_with(d.manifest_bytes(), None),
        "it has no manifest.sig".into(),
        fresh,
    );

    let d = Draft::new();
    let mut other_message = d.manifest_bytes();
    other_message.push(b' ');
    let sig = hex::encode(b.key.sign(&other_message).to_bytes()).into_bytes();
    case(
        "bad_signature",
        d.pack_with(d.manifest_bytes(), Some(sig)),
        "the signature does not match manifest.json".into(),
        fresh,
    );

    let mut d = Draft::new();
    let impostor = SigningKey::from_bytes(&[0x42; 32]);
    d.manifest["author"]["public_key"] = json!(hex::encode(impostor.verifying_key().to_bytes()));
    case(
        "changed_partner_key",
        d.signed_by(d.manifest_bytes(), &impostor),
        format!(
            "({}) with a key that differs from the one known for them",
            b.node_id
        ),
        Setup::BaseImported,
    );

    // The manifest's JSON.
    let d = Draft::new();
    let mut cut = d.manifest_bytes();
    cut.truncate(cut.len() - 40);
    case(
        "malformed_manifest",
        d.signed_by(cut, &b.key),
        "manifest.json is not valid JSON".into(),
        fresh,
    );

    let mut d = Draft::new();
    let mut deep = json!("bottom");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    d.manifest["scope"]["tag"] = deep.clone();
    case(
        "too_deep_manifest",
        d.zip(),
        "manifest.json is nested deeper than 64 levels".into(),
        fresh,
    );

    // Signed is the honest manifest: the size cap comes before the signature, and signing
    // 64 MiB takes long in an unoptimised test build.
    let d = Draft::new();
    let honest = d.manifest_bytes();
    let mut huge = honest.clone();
    huge.pop();
    huge.resize(huge.len() + (64 << 20), b' ');
    huge.push(b'}');
    let sig = hex::encode(b.key.sign(&honest).to_bytes()).into_bytes();
    case(
        "too_large_manifest",
        d.pack_with(huge, Some(sig)),
        "manifest.json is larger than 67108864 bytes".into(),
        fresh,
    );

    let mut d = Draft::new();
    d.manifest["format_version"] = json!("3.0");
    case(
        "future_format_version",
        d.zip(),
        "it is format version 3.0, newer than this version of Insisst reads (2.0)".into(),
        fresh,
    );

    // Erasure markers (format 2.0): exactly four keys, contacts only, never in a 1.x bundle.
    let marker = |id: &str| json!({"erased_at": "2026-03-02T09:00:00Z", "id": id, "kind": "contact", "node_id": b.node_id});
    let with_erasure = |line: Value, version: &str| {
        let mut d = Draft::new();
        d.put(
            "erasures.ndjson",
            Data::Bytes(format!("{}\n", canonical_json(&line)).into_bytes()),
        );
        d.manifest["format_version"] = json!(version);
        d.manifest["erasures"] = json!(1);
        d
    };
    let mut smuggled = marker(FOREIGN_ID);
    smuggled["title"] = json!("Zdeňka Přívětivá");
    case(
        "erasure_with_personal_field",
        with_erasure(smuggled, "2.0").zip(),
        "`erasures.ndjson` line 1: not an erasure (unknown field `title`".into(),
        fresh,
    );
    case(
        "erasures_in_a_1_0_bundle",
        with_erasure(marker(FOREIGN_ID), "1.0").zip(),
        "manifest.json: `files` lists `erasures.ndjson`, which format 1.0 does not have (erasures need 2.0)".into(),
        fresh,
    );

    let mut d = Draft::new();
    let n = d.manifest["counts"]["note"].as_u64().unwrap();
    d.manifest["counts"]["note"] = json!(n + 1);
    case(
        "counts_mismatch",
        d.zip(),
        format!(
            "manifest.json counts {} note records; `{notes}` has {n}",
            n + 1
        ),
        fresh,
    );

    // Record lines.
    let (at, note_line) = Draft::new().line_of(notes, &b.note_id);
    let line_at = |file: &str, n: usize| format!("`{file}` line {n}: ");

    let mut d = Draft::new();
    let text = String::from_utf8(d.get(notes)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let broken = &mut lines[at - 1];
    broken.truncate(broken.len() - 20);
    d.put(
        notes,
        Data::Bytes(format!("{}\n", lines.join("\n")).into_bytes()),
    );
    case(
        "malformed_json",
        d.zip(),
        format!("{}not a record line", line_at(notes, at)),
        fresh,
    );

    let mut d = Draft::new();
    let mut line = note_line.clone();
    line["leaves"][0]["content"]["title"] = deep;
    d.set_line(notes, line);
    case(
        "too_deep_json",
        d.zip(),
        format!("{}nested deeper than 64 levels", line_at(notes, at)),
        fresh,
    );

    let mut d = Draft::new();
    let mut line = note_line.clone();
    let body = words((1 << 20) + 1000);
    let body_len = body.len();
    line["leaves"][0]["content"]["body"] = json!(body);
    rerev(&mut line["leaves"][0]);
    let rev = line["leaves"][0]["rev"].as_str().unwrap().to_string();
    d.set_line(notes, line);
    case(
        "too_large_record",
        d.zip(),
        format!(
            "{}record {}, revision {rev}: field `body`: is {body_len} bytes long; at most 1048576 allowed",
            line_at(notes, at),
            b.note_id
        ),
        fresh,
    );

    let mut d = Draft::new();
    let mut bytes = d.get(notes);
    let title = b"\"title\":\"Workshop notes\"";
    let i = bytes.windows(title.len()).position(|w| w == title).unwrap();
    bytes[i + 9..i + 13].copy_from_slice(b"\xc3\x28\xff\xfe");
    d.put(notes, Data::Bytes(bytes));
    case(
        "bad_utf8",
        d.zip(),
        format!("{}not UTF-8 text", line_at(notes, at)),
        fresh,
    );

    let mut d = Draft::new();
    let widget_line = json!({"id": FOREIGN_ID, "kind": "widget", "leaves": []});
    d.put(
        "records/widget.ndjson",
        Data::Bytes(format!("{}\n", canonical_json(&widget_line)).into_bytes()),
    );
    case(
        "unknown_kind_file",
        d.zip(),
        "entry `records/widget.ndjson` names an unknown record kind `widget`".into(),
        fresh,
    );

    for (name, kind) in [
        ("unknown_kind_line", "widget"),
        ("kind_differs_from_file", "session"),
    ] {
        let mut d = Draft::new();
        let mut line = note_line.clone();
        line["kind"] = json!(kind);
        d.set_line(notes, line);
        case(
            name,
            d.zip(),
            format!(
                "{}record {} says kind `{kind}` in the note file",
                line_at(notes, at),
                b.note_id
            ),
            fresh,
        );
    }

    // The session takes the note's id (with revs that match, so only the clash is wrong).
    let mut d = Draft::new();
    let (s_at, mut session_line) = d.line_of(sessions, &b.session_id);
    reidentify(&mut session_line, &b.note_id);
    let mut lines = d.lines(sessions);
    lines[s_at - 1] = session_line.clone();
    d.put_lines(sessions, &lines);
    case(
        "id_reused_across_kinds",
        d.zip(),
        format!(
            "{}id {} is used by a note and a session",
            line_at(sessions, s_at),
            b.note_id
        ),
        fresh,
    );

    // The same, with the note left out of the bundle: the clash is with the note the
    // importing workspace already has.
    let mut d2 = d.clone();
    let rest: Vec<Value> = d2
        .lines(notes)
        .into_iter()
        .filter(|l| l["id"] != b.note_id.as_str())
        .collect();
    d2.put_lines(notes, &rest);
    d2.manifest["counts"]["note"] = json!(rest.len());
    case(
        "id_collides_with_local_record_of_other_kind",
        d2.zip(),
        format!(
            "{}record {} is a session in the bundle but a note here",
            line_at(sessions, s_at),
            b.note_id
        ),
        Setup::BaseImported,
    );

    let mut d = Draft::new();
    let mut line = note_line.clone();
    line["leaves"][0]["content"]["title"] = json!("Workshop notes, quietly changed");
    d.set_line(notes, line);
    case(
        "altered_content_same_rev",
        d.zip(),
        format!(
            "{}record {}, revision {}: the revision does not match its content",
            line_at(notes, at),
            b.note_id,
            note_line["leaves"][0]["rev"].as_str().unwrap()
        ),
        fresh,
    );

    // An erasure of the note the bundle itself carries: only people are erased.
    let d = with_erasure(marker(&b.note_id), "2.0");
    case(
        "erasure_of_a_note",
        d.zip(),
        format!(
            "{}record {} is a note, but it was erased as a contact",
            line_at(notes, at),
            b.note_id
        ),
        fresh,
    );

    let mut d = Draft::new();
    d.remove(&attachment_entry);
    d.unlist(&attachment_entry);
    case(
        "attachment_file_missing",
        d.zip(),
        format!(
            "attachment {} names file {}, which is neither in the bundle nor in this workspace",
            b.attachment_id, b.attachment_sha
        ),
        fresh,
    );

    out
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile")
}

fn corpus_file(name: &str) -> PathBuf {
    corpus_dir().join(format!("{name}.insisst"))
}

#[test]
fn hostile_corpus_matches_its_generator() {
    let cases = cases();
    let dir = corpus_dir();
    let update = std::env::var_os("UPDATE_HOSTILE").is_some_and(|v| v == "1");
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for c in cases {
        assert!(
            c.bytes.len() < 1 << 20,
            "{} is {} bytes; keep the corpus small",
            c.name,
            c.bytes.len()
        );
        let file = corpus_file(c.name);
        if update {
            std::fs::write(&file, &c.bytes).unwrap();
            continue;
        }
        let stored = std::fs::read(&file).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; regenerate with UPDATE_HOSTILE=1 (see tests/data/hostile/README.md)",
                file.display()
            )
        });
        if stored != c.bytes {
            let at = stored
                .iter()
                .zip(&c.bytes)
                .position(|(a, b)| a != b)
                .unwrap_or(stored.len().min(c.bytes.len()));
            panic!(
                "{} differs from what the generator makes (first at byte {at}; {} vs {} bytes); regenerate with UPDATE_HOSTILE=1 and review",
                file.display(),
                stored.len(),
                c.bytes.len()
            );
        }
    }
    // No case left behind that the generator no longer makes.
    let mut known: Vec<String> = cases
        .iter()
        .map(|c| format!("{}.insisst", c.name))
        .collect();
    known.sort();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".insisst") && known.binary_search(&name).is_err() {
            if update {
                std::fs::remove_file(dir.join(&name)).unwrap();
            } else {
                panic!("{name} in {} is not made by the generator", dir.display());
            }
        }
    }
    // The generator is deterministic: the base bundle repacks to its own bytes, so every
    // case differs from a real export only where it means to.
    let d = Draft::new();
    assert_eq!(
        d.zip(),
        base().bytes,
        "repacking the base bundle changed it"
    );
}

/// Every path under `dir`, with the size of files outside `skip_sizes_under`.
fn tree(dir: &Path, skip_sizes_under: &Path, out: &mut BTreeMap<PathBuf, Option<u64>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let path = e.path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            out.insert(path.clone(), None);
            tree(&path, skip_sizes_under, out);
        } else {
            let size = (!path.starts_with(skip_sizes_under)).then_some(meta.len());
            out.insert(path, size);
        }
    }
}

/// Places outside the test's folders where a careless extractor would put `evil.txt`.
fn evil_places() -> Vec<PathBuf> {
    let mut places = vec![
        PathBuf::from("/tmp/evil.txt"),
        std::env::temp_dir().join("evil.txt"),
        std::env::current_dir().unwrap().join("evil.txt"),
    ];
    if let Some(parent) = std::env::current_dir().unwrap().parent() {
        places.push(parent.join("evil.txt"));
    }
    places
}

#[test]
fn every_hostile_bundle_is_refused_and_changes_nothing() {
    let b = base();
    for c in cases() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let mut ws = partner(&root, "Jan de Vries", "SIF", 8);
        if c.setup == Setup::BaseImported {
            let good = dir.path().join("good").join("base.insisst");
            std::fs::create_dir_all(good.parent().unwrap()).unwrap();
            std::fs::write(&good, &b.bytes).unwrap();
            crate::exchange::import(&mut ws, &good);
        }
        // The checked-in file, copied so that a careless reader's stray writes land where
        // this test looks.
        let bundles = dir.path().join("bundles");
        std::fs::create_dir_all(&bundles).unwrap();
        let file = bundles.join(format!("{}.insisst", c.name));
        let stored = std::fs::read(corpus_file(c.name)).unwrap_or_else(|_| c.bytes.clone());
        std::fs::write(&file, stored).unwrap();

        let evil_before: Vec<bool> = evil_places().iter().map(|p| p.exists()).collect();
        let mut files_before = BTreeMap::new();
        tree(dir.path(), &root, &mut files_before);
        let before = dump(&root);

        let check = |what: &str, err: insisst_core::Error, code: &str| {
            let message = err.to_string();
            assert_eq!(err.code(), code, "{} ({what}): {message}", c.name);
            assert!(
                message.contains(&c.expect),
                "{} ({what}): the message\n  {message}\ndoes not say\n  {}",
                c.name,
                c.expect
            );
            assert!(
                message.contains(&*file.to_string_lossy()),
                "{} ({what}): the message does not name the file: {message}",
                c.name
            );
        };
        match exchange::preview(&ws, &file, &Quiet) {
            Err(e) => check("preview", e, "bundle_refused"),
            // A changed key is shown by the preview, for a person to decide; import refuses.
            Ok(plan) if c.name == "changed_partner_key" => {
                assert_eq!(plan.signature, SignatureStatus::ChangedKey)
            }
            Ok(_) => panic!("{}: preview accepted it", c.name),
        }
        let code = if c.name == "changed_partner_key" {
            "key_changed"
        } else {
            "bundle_refused"
        };
        match exchange::import(&mut ws, &file, ImportOptions::default(), &Quiet) {
            Err(e) => check("import", e, code),
            Ok(_) => panic!("{}: import accepted it", c.name),
        }

        assert_eq!(dump(&root), before, "{}: the workspace changed", c.name);
        let mut files_after = BTreeMap::new();
        tree(dir.path(), &root, &mut files_after);
        assert_eq!(
            files_after, files_before,
            "{}: files appeared, vanished or changed",
            c.name
        );
        for (place, existed) in evil_places().iter().zip(evil_before) {
            assert!(
                existed || !place.exists(),
                "{}: {} was written",
                c.name,
                place.display()
            );
        }
        drop(ws);
    }
}

/// Peak resident memory of this process, in KiB.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

const MEMORY_CHILD: &str = "INSISST_HOSTILE_MEMORY_CHILD";

/// Run alone in a child process by [`a_zip_bomb_is_refused_in_bounded_memory`] (the test
/// binary runs tests on threads, whose memory a measurement here would include). Reports how
/// much the peak resident memory grew while the bomb was refused.
#[test]
fn zip_bomb_memory_child() {
    if std::env::var_os(MEMORY_CHILD).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut ws = partner(&dir.path().join("ws"), "Jan de Vries", "SIF", 8);
    let file = corpus_file("zip_bomb_ratio");
    let start = vm_hwm_kib();
    assert!(exchange::preview(&ws, &file, &Quiet).is_err());
    assert!(exchange::import(&mut ws, &file, ImportOptions::default(), &Quiet).is_err());
    println!("vmhwm-growth-kib={}", vm_hwm_kib() - start);
}

#[test]
fn a_zip_bomb_is_refused_in_bounded_memory() {
    if std::env::var_os(MEMORY_CHILD).is_some() || !Path::new("/proc/self/status").exists() {
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "hostile::zip_bomb_memory_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(MEMORY_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let grew: u64 = stdout
        .lines()
        .find_map(|l| l.split_once("vmhwm-growth-kib=").map(|(_, n)| n.trim()))
        .unwrap_or_else(|| panic!("no measurement in\n{stdout}"))
        .parse()
        .unwrap();
    // The bomb inflates to 100 MiB; the reader stops at the ratio cap, streaming in small
    // buffers. Approximate on purpose: a bound, not a benchmark.
    assert!(grew < 300 << 10, "peak memory grew by {grew} KiB");
}
