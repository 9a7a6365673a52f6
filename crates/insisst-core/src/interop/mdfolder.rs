//! A folder of Markdown files, or an Obsidian vault, in and out as notes.
//!
//! Import reads every `.md` file under the folder (hidden folders such as `.obsidian` and
//! `.trash` skipped) and nothing outside it: the folder is canonicalised, symbolic links that
//! leave it are refused, and links that point out of it are left as text, never followed.
//! A note's identity is its path relative to the folder (`source_path`), or the `insisst_id`
//! our own exports write, so re-importing updates and two files of the same name in
//! different folders are two notes. Front matter: `title`, `tags`, `language`, `note_kind`,
//! `session_id` become fields, `attachments` (file names, as export writes them) attach files; every other property (`aliases`, dates, anything) is kept
//! verbatim in a `front-matter` code block at the top of the body, which export writes back
//! into the front matter, so a round trip keeps it. Folder names become tags. `[[links]]`,
//! `[[link|alias]]` and relative links to other files of the folder become `[[Title]]` links;
//! `![[embeds]]` and links to other files attach those files through the attachment store.
//!
//! Export writes one file per note at its `source_path` (else its title), with front matter,
//! its attachments beside it, and links as `[[Title]]`.

use super::{ExportReport, ImportReport, ItemReport, Outcome};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::store::{Record, Workspace};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

/// The largest Markdown file read (4 MiB; a body may hold 1 MiB).
pub const MAX_NOTE_FILE_BYTES: u64 = 4 << 20;
/// The most files a folder may hold (notes and others).
pub const MAX_FILES: usize = 50_000;
/// The deepest folder nesting walked.
pub const MAX_DEPTH: usize = 32;
/// The info string of the code block that keeps the front matter's other properties.
pub const PROPERTIES_FENCE: &str = "front-matter";

/// A file found in the folder: its path relative to the root (with `/`) and on disk.
#[derive(Debug, Clone)]
struct Found {
    rel: String,
    abs: PathBuf,
}

/// What a walk of the folder found.
#[derive(Default)]
struct Vault {
    notes: Vec<Found>,
    /// Every other file, by relative path.
    files: BTreeMap<String, PathBuf>,
    problems: Vec<String>,
}

fn is_markdown(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

fn walk(root: &Path) -> Result<Vault> {
    let mut vault = Vault::default();
    let mut stack: Vec<(PathBuf, String, usize)> = vec![(root.to_path_buf(), String::new(), 0)];
    let mut count = 0usize;
    while let Some((dir, rel_dir, depth)) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| Error::io(format!("read {}", dir.display()), e))?;
        let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let rel = if rel_dir.is_empty() {
                name.clone()
            } else {
                format!("{rel_dir}/{name}")
            };
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                vault
                    .problems
                    .push(format!("{rel}: cannot be read; left out"));
                continue;
            };
            let (is_dir, is_file) = if meta.file_type().is_symlink() {
                // Followed only when it stays inside the folder, and never into folders
                // (a link to a parent would walk forever).
                match path.canonicalize() {
                    Ok(target) if target.starts_with(root) => {
                        let m = std::fs::metadata(&target).ok();
                        if m.as_ref().is_some_and(|m| m.is_dir()) {
                            vault
                                .problems
                                .push(format!("{rel}: a symbolic link to a folder; not followed"));
                            continue;
                        }
                        (false, m.is_some_and(|m| m.is_file()))
                    }
                    _ => {
                        vault.problems.push(format!(
                            "{rel}: a symbolic link that leaves the folder; not followed"
                        ));
                        continue;
                    }
                }
            } else {
                (meta.is_dir(), meta.is_file())
            };
            if is_dir {
                if depth + 1 > MAX_DEPTH {
                    vault.problems.push(format!(
                        "{rel}: nested deeper than {MAX_DEPTH} folders; left out"
                    ));
                } else {
                    stack.push((path, rel, depth + 1));
                }
                continue;
            }
            if !is_file {
                continue;
            }
            count += 1;
            if count > MAX_FILES {
                return Err(Error::Invalid(format!(
                    "{} holds more than {MAX_FILES} files; import a smaller folder",
                    root.display()
                )));
            }
            if is_markdown(&name) {
                vault.notes.push(Found { rel, abs: path });
            } else {
                vault.files.insert(rel, path);
            }
        }
    }
    vault.notes.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(vault)
}

/// A front matter entry: its key, its text as written (all its lines), and its value read
/// as a scalar or a list when it is one.
#[derive(Debug, Clone)]
struct Entry {
    key: String,
    raw: String,
    value: Option<YamlValue>,
}

#[derive(Debug, Clone, PartialEq)]
enum YamlValue {
    Scalar(String),
    List(Vec<String>),
}

/// Splits a file into its front matter (the text between `---` lines at the top) and body.
fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare == "..." {
            return (Some(&rest[..offset]), &rest[offset + line.len()..]);
        }
        offset += line.len();
    }
    (None, text)
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        if let Ok(Value::String(v)) = serde_json::from_str::<Value>(s) {
            return v;
        }
        return s[1..s.len() - 1].to_string();
    }
    if s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'') {
        return s[1..s.len() - 1].replace("''", "'");
    }
    s.to_string()
}

/// Reads the YAML subset front matter uses: `key: scalar`, `key: [a, b]` and block lists.
/// Anything else is kept as written without a value.
fn parse_front_matter(fm: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for line in fm.lines() {
        let starts_key = !line.starts_with([' ', '\t', '-', '#']) && line.contains(':');
        if starts_key || entries.is_empty() {
            let (key, _) = line.split_once(':').unwrap_or((line, ""));
            entries.push(Entry {
                key: key.trim().to_string(),
                raw: String::new(),
                value: None,
            });
        }
        let e = entries.last_mut().expect("pushed");
        e.raw.push_str(line);
        e.raw.push('\n');
    }
    for e in &mut entries {
        let mut lines = e.raw.lines();
        let first = lines.next().unwrap_or_default();
        let inline = first.split_once(':').map(|(_, v)| v.trim()).unwrap_or("");
        let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
        e.value = if inline.starts_with('[') && inline.ends_with(']') && rest.is_empty() {
            let inner = &inline[1..inline.len() - 1];
            Some(YamlValue::List(
                split_flow(inner)
                    .iter()
                    .map(|s| unquote(s))
                    .filter(|s| !s.is_empty())
                    .collect(),
            ))
        } else if inline.is_empty() && !rest.is_empty() && rest.iter().all(|l| l.starts_with('-')) {
            Some(YamlValue::List(
                rest.iter()
                    .map(|l| unquote(l.trim_start_matches('-')))
                    .filter(|s| !s.is_empty())
                    .collect(),
            ))
        } else if rest.is_empty() && !inline.starts_with(['|', '>', '{', '&', '*']) {
            Some(YamlValue::Scalar(unquote(inline)))
        } else {
            None
        };
    }
    entries
}

fn split_flow(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        out.last_mut().expect("not empty").push(c);
    }
    out
}

fn entry_list(e: &Entry) -> Vec<String> {
    match &e.value {
        Some(YamlValue::List(l)) => l.clone(),
        Some(YamlValue::Scalar(s)) => s
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        None => Vec::new(),
    }
}

fn entry_scalar(e: &Entry) -> Option<String> {
    match &e.value {
        Some(YamlValue::Scalar(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The fence that holds `raw` (longer than any backtick run in it).
fn fence_for(raw: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in raw.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat(longest.max(2) + 1)
}

/// Splits a stored body into the kept front matter properties and the rest.
pub fn split_properties(body: &str) -> (Option<String>, &str) {
    let ticks = body.chars().take_while(|c| *c == '`').count();
    if ticks < 3 {
        return (None, body);
    }
    let fence = &body[..ticks];
    let Some(after) = body[ticks..].strip_prefix(PROPERTIES_FENCE) else {
        return (None, body);
    };
    let Some(after) = after.strip_prefix('\n') else {
        return (None, body);
    };
    let close = format!("\n{fence}\n");
    let Some(end) = after.find(&close) else {
        return (None, body);
    };
    let raw = &after[..end + 1];
    let rest = &after[end + close.len()..];
    (
        Some(raw.to_string()),
        rest.strip_prefix('\n').unwrap_or(rest),
    )
}

fn with_properties(raw: &str, body: &str) -> String {
    let fence = fence_for(raw);
    format!("{fence}{PROPERTIES_FENCE}\n{raw}{fence}\n\n{body}")
}

/// Where a file of the folder is, relative to the root, when `target` is written in the
/// note at `from` (a relative path). `None` when it leaves the folder.
fn resolve_rel(from: &str, target: &str) -> Option<String> {
    let base: Vec<&str> = if let Some(stripped) = target.strip_prefix('/') {
        return normalise(Vec::new(), stripped);
    } else {
        let mut b: Vec<&str> = from.split('/').collect();
        b.pop();
        b
    };
    normalise(base, target)
}

fn normalise<'a>(mut parts: Vec<&'a str>, target: &'a str) -> Option<String> {
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// What the notes of the folder are called, to turn file names into titles.
struct Names {
    /// Relative path without extension (lower-case) -> title.
    by_path: HashMap<String, String>,
    /// Title (lower-case) -> title, the first note's by path.
    by_title: HashMap<String, String>,
    /// File stem (lower-case) -> the titles of every note with that stem, by path.
    by_stem: HashMap<String, Vec<(String, String)>>,
    /// Base name (lower-case) -> relative paths of the other files.
    files_by_name: HashMap<String, Vec<String>>,
}

fn strip_md(rel: &str) -> &str {
    let lower = rel.to_ascii_lowercase();
    if lower.ends_with(".markdown") {
        &rel[..rel.len() - 9]
    } else if lower.ends_with(".md") {
        &rel[..rel.len() - 3]
    } else {
        rel
    }
}

fn base_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

impl Names {
    /// The title of the note a `[[target]]` names, from the note at `from`: by path, else by
    /// file name, the one in the same folder first (as Obsidian resolves them).
    fn note(&self, from: &str, target: &str) -> Option<String> {
        let t = strip_md(target.trim()).to_lowercase();
        if let Some(title) = self.by_path.get(&t) {
            return Some(title.clone());
        }
        if let Some(r) = resolve_rel(from, &t) {
            if let Some(title) = self.by_path.get(&r) {
                return Some(title.clone());
            }
        }
        // A title (what our own exports link by) before a file name.
        if let Some(title) = self.by_title.get(&t) {
            return Some(title.clone());
        }
        let list = self.by_stem.get(base_name(&t))?;
        let here = dir_of(from).to_lowercase();
        list.iter()
            .find(|(path, _)| dir_of(path) == here)
            .or(list.first())
            .map(|(_, title)| title.clone())
    }

    /// The relative path of the other file an embed names.
    fn file(&self, from: &str, target: &str) -> Option<String> {
        let t = target.trim();
        if t.contains('/') {
            if let Some(r) = resolve_rel(from, t) {
                if self
                    .files_by_name
                    .get(&base_name(&r).to_lowercase())
                    .is_some_and(|l| l.contains(&r))
                {
                    return Some(r);
                }
            }
            // Obsidian also writes paths from the vault's root.
            let root_rel = normalise(Vec::new(), t)?;
            return self
                .files_by_name
                .get(&base_name(&root_rel).to_lowercase())
                .and_then(|l| l.iter().find(|p| **p == root_rel).cloned());
        }
        let list = self.files_by_name.get(&t.to_lowercase())?;
        let here = dir_of(from);
        list.iter()
            .find(|p| dir_of(p) == here)
            .or(list.first())
            .cloned()
    }
}

/// A note file's front matter entries and body, or why it could not be read.
type ReadNote = std::result::Result<(Vec<Entry>, String), String>;

/// A note read from its file, before it is written.
struct Prepared {
    rel: String,
    title: String,
    content: Map<String, Value>,
    /// Relative paths of the files it embeds or links.
    files: Vec<String>,
    insisst_id: Option<String>,
    messages: Vec<String>,
}

/// Imports the Markdown folder (or Obsidian vault) at `dir` as notes.
pub fn import(ws: &mut Workspace, dir: &Path) -> Result<ImportReport> {
    let root = dir
        .canonicalize()
        .map_err(|e| Error::io(format!("open {}", dir.display()), e))?;
    if !root.is_dir() {
        return Err(Error::Invalid(format!("{} is not a folder", dir.display())));
    }
    let vault = walk(&root)?;
    if vault.notes.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: no Markdown file (.md) in it",
            dir.display()
        )));
    }
    let mut report = ImportReport::new(dir);
    report.problems = vault.problems.clone();

    // Pass 1: read every note, its front matter and title.
    let mut read: Vec<(Found, ReadNote)> = Vec::new();
    for found in &vault.notes {
        // Checked again when read: a link swapped since the walk still cannot lead out.
        let inside = found.abs.canonicalize().is_ok_and(|c| c.starts_with(&root));
        let parsed = if inside {
            read_note(&found.abs)
        } else {
            Err("leaves the folder; not read".to_string())
        };
        let parsed = parsed.map(|text| {
            let (fm, body) = split_front_matter(&text);
            let entries = fm.map(parse_front_matter).unwrap_or_default();
            (entries, body.to_string())
        });
        read.push((found.clone(), parsed));
    }
    let title_of = |found: &Found, entries: &[Entry]| -> String {
        entries
            .iter()
            .find(|e| e.key == "title")
            .and_then(entry_scalar)
            .unwrap_or_else(|| base_name(strip_md(&found.rel)).to_string())
    };
    let mut names = Names {
        by_path: HashMap::new(),
        by_stem: HashMap::new(),
        by_title: HashMap::new(),
        files_by_name: HashMap::new(),
    };
    for (found, parsed) in &read {
        if let Ok((entries, _)) = parsed {
            let title = title_of(found, entries);
            let key = strip_md(&found.rel).to_lowercase();
            names
                .by_stem
                .entry(base_name(&key).to_string())
                .or_default()
                .push((key.clone(), title.clone()));
            names
                .by_title
                .entry(title.to_lowercase())
                .or_insert_with(|| title.clone());
            names.by_path.insert(key, title);
        }
    }
    for rel in vault.files.keys() {
        names
            .files_by_name
            .entry(base_name(rel).to_lowercase())
            .or_default()
            .push(rel.clone());
    }

    // Pass 2: each note's content, links resolved.
    let mut prepared: Vec<std::result::Result<Prepared, ItemReport>> = Vec::new();
    for (found, parsed) in read {
        let item = found.rel.clone();
        match parsed {
            Err(why) => prepared.push(Err(ItemReport {
                item,
                outcome: Outcome::Skipped,
                record_id: None,
                messages: vec![why],
            })),
            Ok((entries, body)) => {
                let title = title_of(&found, &entries);
                prepared.push(Ok(prepare(&found, title, &entries, &body, &names)));
            }
        }
    }

    // The files notes use go into the attachment store first (by content hash: a file
    // stored for an import that then fails is only an unreferenced copy).
    let mut stored: HashMap<String, crate::store::StoredFile> = HashMap::new();
    let mut file_problems: HashMap<String, String> = HashMap::new();
    for p in prepared.iter().flatten() {
        for rel in &p.files {
            if stored.contains_key(rel) || file_problems.contains_key(rel) {
                continue;
            }
            let abs = &vault.files[rel];
            let inside = abs.canonicalize().is_ok_and(|c| c.starts_with(&root));
            if !inside {
                file_problems.insert(rel.clone(), format!("{rel} leaves the folder; not read"));
                continue;
            }
            match crate::store::store_attachment_file(&ws.attachments_dir(), abs) {
                Ok(f) => {
                    stored.insert(rel.clone(), f);
                }
                Err(e) => {
                    file_problems.insert(rel.clone(), format!("{rel}: {e}; not attached"));
                }
            }
        }
    }

    ws.write(|w| {
        for p in prepared {
            let mut p = match p {
                Ok(p) => p,
                Err(item) => {
                    report.push(item);
                    continue;
                }
            };
            let label = format!("{} \"{}\"", p.rel, p.title);
            let result = super::in_savepoint(w, |w| {
                let mut shas: Vec<Value> = Vec::new();
                let mut attachment_ids: Vec<String> = Vec::new();
                for rel in &p.files {
                    if let Some(why) = file_problems.get(rel) {
                        p.messages.push(why.clone());
                        continue;
                    }
                    let Some(file) = stored.get(rel) else {
                        continue;
                    };
                    let mut named = file.clone();
                    named.filename = base_name(rel).to_string();
                    let att = attachment_record(w, &named)?;
                    if !shas.contains(&Value::String(file.sha256.clone())) {
                        shas.push(Value::String(file.sha256.clone()));
                    }
                    if !attachment_ids.contains(&att.id) {
                        attachment_ids.push(att.id);
                    }
                }
                let mut content = p.content;
                if !shas.is_empty() {
                    content.insert("attachments".into(), Value::Array(shas));
                }
                if let Some(sid) = content.get("session_id").and_then(Value::as_str) {
                    if w.get(sid).map(|r| r.kind != Kind::Session).unwrap_or(true) {
                        p.messages
                            .push(format!("session_id {sid} is no session here; left out"));
                        content.remove("session_id");
                    }
                }
                let mut content =
                    super::validate_lenient(Kind::Note, content, &label, &mut p.messages)?;
                // Identity: our id, then the relative path.
                let mut existing = None;
                let mut new_id = None;
                if let Some(id) = &p.insisst_id {
                    match w.get_any(id) {
                        Ok(r) if r.kind == Kind::Note && !r.deleted => existing = Some(r),
                        Ok(r) if r.kind == Kind::Note => {
                            return Err(Error::Invalid(format!(
                            "its note ({}) was deleted here; restore it to import the file again",
                            r.id
                        )))
                        }
                        Ok(r) => p.messages.push(format!(
                            "insisst_id names a {} here, not a note; matched by path",
                            r.kind
                        )),
                        Err(Error::NotFound(_)) => new_id = Some(id.clone()),
                        Err(e) => return Err(e),
                    }
                }
                if existing.is_none() {
                    existing = super::find_by_field(w, Kind::Note, "source_path", &p.rel)?;
                    if existing.is_some() {
                        new_id = None;
                    }
                }
                let mut links = existing
                    .as_ref()
                    .map(|r| crate::store::string_list(&r.content, "links"))
                    .unwrap_or_default();
                for id in attachment_ids {
                    if !links.contains(&id) {
                        links.push(id);
                    }
                }
                if !links.is_empty() {
                    content.insert("links".into(), Value::from(links));
                }
                super::upsert(w, Kind::Note, existing, new_id.as_deref(), content)
            });
            report.push(match result {
                Ok((outcome, record)) => ItemReport {
                    item: label,
                    outcome,
                    record_id: Some(record.id),
                    messages: p.messages,
                },
                Err(e) => {
                    p.messages.push(e.to_string());
                    ItemReport {
                        item: label,
                        outcome: Outcome::Skipped,
                        record_id: None,
                        messages: p.messages,
                    }
                }
            });
        }
        Ok(())
    })?;
    Ok(report)
}

fn read_note(path: &Path) -> std::result::Result<String, String> {
    let bytes = super::read_capped(path, MAX_NOTE_FILE_BYTES).map_err(|e| e.to_string())?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
        format!(
            "not valid UTF-8 (at byte {}); save it as UTF-8 and import again",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(text.replace("\r\n", "\n"))
}

fn prepare(found: &Found, title: String, entries: &[Entry], body: &str, names: &Names) -> Prepared {
    let mut messages = Vec::new();
    let mut content = Map::new();
    content.insert("title".into(), Value::String(title.clone()));
    content.insert("source_path".into(), Value::String(found.rel.clone()));
    let mut tags: Vec<String> = Vec::new();
    let mut files = Vec::new();
    let mut insisst_id = None;
    let mut kept = String::new();
    for e in entries {
        match e.key.as_str() {
            "tags" | "tag" => tags.extend(entry_list(e)),
            "language" | "lang" => {
                if let Some(l) = entry_scalar(e) {
                    content.insert("language".into(), Value::String(l));
                }
            }
            "note_kind" | "session_id" => {
                if let Some(v) = entry_scalar(e) {
                    content.insert(e.key.clone(), Value::String(v));
                }
            }
            "insisst_id" => insisst_id = entry_scalar(e),
            "attachments" => {
                for name in entry_list(e) {
                    match names.file(&found.rel, &name) {
                        Some(rel) if !files.contains(&rel) => files.push(rel),
                        Some(_) => {}
                        None => messages.push(format!(
                            "attachment `{name}` is not a file of the folder; left out"
                        )),
                    }
                }
            }
            "title" => {}
            _ => kept.push_str(&e.raw),
        }
    }
    // Obsidian writes tags with or without `#`; folders become tags too.
    let mut tags: Vec<String> = tags
        .into_iter()
        .map(|t| t.trim_start_matches('#').to_string())
        .collect();
    for folder in found
        .rel
        .split('/')
        .rev()
        .skip(1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        let tag: String = folder.replace(',', " ").chars().take(64).collect();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if !tags.is_empty() {
        content.insert("tags".into(), Value::from(tags));
    }
    let body = rewrite_links(&found.rel, body, names, &mut files, &mut messages);
    let body = if kept.is_empty() {
        body
    } else {
        with_properties(&kept, &body)
    };
    if !body.trim().is_empty() {
        content.insert("body".into(), Value::String(body));
    }
    Prepared {
        rel: found.rel.clone(),
        title,
        content,
        files,
        insisst_id,
        messages,
    }
}

/// Rewrites the links of a body (outside code): wiki links and relative links to notes of
/// the folder become `[[Title]]`, embeds and links to its other files name the file and
/// attach it; links out of the folder stay as written and are reported.
fn rewrite_links(
    from: &str,
    body: &str,
    names: &Names,
    files: &mut Vec<String>,
    messages: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<String> = None;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        if marker.len() >= 3 {
            match &fence {
                None => fence = Some(marker),
                Some(f) if marker.starts_with(f.as_str()) => fence = None,
                _ => {}
            }
            out.push_str(line);
            continue;
        }
        if fence.is_some() {
            out.push_str(line);
            continue;
        }
        // Inline code spans are left alone: split on backticks, rewrite the even parts.
        for (i, part) in line.split('`').enumerate() {
            if i > 0 {
                out.push('`');
            }
            if i % 2 == 1 {
                out.push_str(part);
            } else {
                out.push_str(&rewrite_segment(from, part, names, files, messages));
            }
        }
    }
    out
}

fn rewrite_segment(
    from: &str,
    text: &str,
    names: &Names,
    files: &mut Vec<String>,
    messages: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let wiki = rest.find("[[");
        let md = find_md_link(rest);
        match (wiki, md) {
            (Some(w), m) if m.is_none_or(|(s, _, _, _)| w <= s) => {
                let embed = w > 0 && rest.as_bytes()[w - 1] == b'!';
                let after = &rest[w + 2..];
                let Some(close) = after.find("]]") else {
                    out.push_str(rest);
                    break;
                };
                let inner = &after[..close];
                out.push_str(&rest[..w]);
                out.push_str("[[");
                out.push_str(&rewrite_wiki(from, inner, embed, names, files, messages));
                out.push_str("]]");
                rest = &after[close + 2..];
            }
            (_, Some((start, end, label, url))) => {
                out.push_str(&rest[..start]);
                out.push_str(&rewrite_md_link(
                    from,
                    &rest[start..end],
                    label,
                    url,
                    names,
                    files,
                    messages,
                ));
                rest = &rest[end..];
            }
            _ => {
                out.push_str(rest);
                break;
            }
        }
    }
    out
}

/// The next `[label](url)` (or `![alt](url)`) in `s`: its start (the `!` or `[`), end, label
/// and url.
fn find_md_link(s: &str) -> Option<(usize, usize, &str, &str)> {
    let mut from = 0;
    while let Some(open) = s[from..].find('[').map(|i| i + from) {
        if s[open..].starts_with("[[") {
            from = open + 2;
            continue;
        }
        let close = s[open..].find("](").map(|i| i + open)?;
        let label = &s[open + 1..close];
        if label.contains('[') {
            from = open + 1;
            continue;
        }
        let url_start = close + 2;
        let url_end = s[url_start..].find(')').map(|i| i + url_start)?;
        let start = if open > 0 && s.as_bytes()[open - 1] == b'!' {
            open - 1
        } else {
            open
        };
        return Some((start, url_end + 1, label, &s[url_start..url_end]));
    }
    None
}

fn rewrite_wiki(
    from: &str,
    inner: &str,
    embed: bool,
    names: &Names,
    files: &mut Vec<String>,
    messages: &mut Vec<String>,
) -> String {
    let (target, alias) = match inner.split_once('|') {
        Some((t, a)) => (t, Some(a)),
        None => (inner, None),
    };
    let (path, heading) = match target.split_once('#') {
        Some((p, h)) => (p, Some(h)),
        None => (target, None),
    };
    if path.trim().is_empty() {
        return inner.to_string();
    }
    let is_note = is_markdown(path) || !base_name(path).contains('.');
    if !is_note {
        match names.file(from, path) {
            Some(rel) => {
                if !files.contains(&rel) {
                    files.push(rel.clone());
                }
                let name = base_name(&rel);
                // The renderer finds attachments by file name; the size hint stays.
                return match alias {
                    Some(a) => format!("{name}|{a}"),
                    None => name.to_string(),
                };
            }
            None => {
                messages.push(format!(
                    "{} `{path}` is not a file of the folder; left as written",
                    if embed { "embed" } else { "link" }
                ));
                return inner.to_string();
            }
        }
    }
    match names.note(from, path) {
        Some(title) => {
            let heading = heading.map(|h| format!("#{h}")).unwrap_or_default();
            let alias = match alias {
                Some(a) => Some(a.to_string()),
                None if title != path.trim() && title != base_name(strip_md(path.trim())) => {
                    Some(target.trim().to_string())
                }
                None => None,
            };
            match alias {
                Some(a) if a != title => format!("{title}{heading}|{a}"),
                _ => format!("{title}{heading}"),
            }
        }
        // A link to a note that does not exist (yet): a wiki link by that title still works
        // once a record of that title exists.
        None => inner.to_string(),
    }
}

fn rewrite_md_link(
    from: &str,
    whole: &str,
    label: &str,
    url: &str,
    names: &Names,
    files: &mut Vec<String>,
    messages: &mut Vec<String>,
) -> String {
    let raw = url.trim();
    let (target, _title) = match raw.strip_prefix('<') {
        Some(r) => (r.split('>').next().unwrap_or(r), ""),
        None => (raw.split(' ').next().unwrap_or(raw), ""),
    };
    let has_scheme = target
        .split_once(':')
        .is_some_and(|(s, _)| !s.is_empty() && !s.contains('/') && s.len() > 1);
    if target.is_empty() || has_scheme || target.starts_with('#') {
        return whole.to_string();
    }
    let decoded = crate::markdown::percent_decode(target.split('#').next().unwrap_or(target));
    let Some(rel) = resolve_rel(from, &decoded) else {
        messages.push(format!(
            "link `{target}` points outside the folder; not followed"
        ));
        return whole.to_string();
    };
    if is_markdown(&rel) {
        if let Some(title) = names.note(from, &rel) {
            return if label.trim().is_empty() || label == title {
                format!("[[{title}]]")
            } else {
                format!("[[{title}|{label}]]")
            };
        }
    }
    if names
        .files_by_name
        .get(&base_name(&rel).to_lowercase())
        .is_some_and(|l| l.contains(&rel))
    {
        if !files.contains(&rel) {
            files.push(rel.clone());
        }
        let name = base_name(&rel);
        let url = if name.contains([' ', '(', ')']) {
            format!("<{name}>")
        } else {
            name.to_string()
        };
        let bang = if whole.starts_with('!') { "!" } else { "" };
        return format!("{bang}[{label}]({url})");
    }
    messages.push(format!(
        "link `{target}` is not a file of the folder; left as written"
    ));
    whole.to_string()
}

/// The live attachment record of a stored file (by content hash), made when there is none.
fn attachment_record(
    w: &mut crate::store::Writer<'_>,
    file: &crate::store::StoredFile,
) -> Result<Record> {
    if let Some(r) = super::find_by_field(w, Kind::Attachment, "sha256", &file.sha256)? {
        return Ok(r);
    }
    let content = serde_json::json!({
        "title": file.filename,
        "filename": file.filename,
        "sha256": file.sha256,
        "media_type": crate::store::media_type_for(&file.filename),
        "size": file.size,
    });
    w.create(
        Kind::Attachment,
        content.as_object().cloned().unwrap_or_default(),
    )
}

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Only notes with this tag.
    pub tag: Option<String>,
}

/// A relative path that stays inside the folder it is written to, or `None`.
fn safe_rel(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => {
                let s = s.to_string_lossy();
                if s.starts_with('.')
                    || s.chars()
                        .any(|c| c.is_control() || "\\:*?\"<>|".contains(c))
                {
                    return None;
                }
                out.push(&*s);
            }
            _ => return None,
        }
    }
    (out.components().count() > 0).then_some(out)
}

/// A file name from a title: characters file systems refuse replaced.
fn file_name_for(title: &str) -> String {
    let name: String = title
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|#^[]".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    let name = name
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(120)
        .collect::<String>();
    if name.is_empty() {
        "Untitled".into()
    } else {
        name
    }
}

/// The file text of a note: front matter (title, our id, tags, fields, the names of its
/// attachment files, kept properties), then its body.
pub fn note_file(note: &Record, attachments: &[String]) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut fm = String::new();
    fm.push_str(&format!("title: {}\n", q(note.title())));
    fm.push_str(&format!("insisst_id: {}\n", note.id));
    let tags = note.tags();
    if !tags.is_empty() {
        fm.push_str("tags:\n");
        for t in &tags {
            fm.push_str(&format!("  - {}\n", q(t)));
        }
    }
    for f in ["note_kind", "session_id", "language"] {
        if let Some(v) = note.str(f) {
            fm.push_str(&format!("{f}: {}\n", q(v)));
        }
    }
    // Every attachment, also those the body does not show: the files beside the note.
    if !attachments.is_empty() {
        fm.push_str("attachments:\n");
        for a in attachments {
            fm.push_str(&format!("  - {}\n", q(a)));
        }
    }
    let body = note.str("body").unwrap_or_default();
    let (kept, body) = split_properties(body);
    if let Some(kept) = kept {
        fm.push_str(&kept);
    }
    format!("---\n{fm}---\n{body}")
}

/// Writes the live notes (those `options` select) into `dir`, one file each, with their
/// attachments beside them.
pub fn export(ws: &Workspace, dir: &Path, options: &ExportOptions) -> Result<ExportReport> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("create {}", dir.display()), e))?;
    let mut report = ExportReport {
        target: dir.display().to_string(),
        ..Default::default()
    };
    let mut notes = ws.list(&crate::store::ListQuery {
        kind: Some(Kind::Note),
        tag: options.tag.clone(),
        ..Default::default()
    })?;
    notes.sort_by(|a, b| a.id.cmp(&b.id));
    // Every note's path first, so that no attachment is written where a note goes (later or
    // earlier): paths compared lower-cased, as a case-insensitive file system would.
    let mut taken: HashMap<String, String> = HashMap::new();
    let mut note_paths = Vec::with_capacity(notes.len());
    for note in &notes {
        let wanted = note
            .str("source_path")
            .and_then(safe_rel)
            .filter(|p| is_markdown(&p.to_string_lossy()))
            .unwrap_or_else(|| PathBuf::from(format!("{}.md", file_name_for(note.title()))));
        let mut rel = wanted.clone();
        let mut n = 2;
        while taken.contains_key(&rel.to_string_lossy().to_lowercase()) {
            let stem = wanted.file_stem().unwrap_or_default().to_string_lossy();
            rel = wanted.with_file_name(format!("{stem} ({n}).md"));
            n += 1;
        }
        taken.insert(rel.to_string_lossy().to_lowercase(), note.id.clone());
        note_paths.push(rel);
    }
    // Attachment file written at a path (lower-cased) -> its sha256.
    let mut written_files: HashMap<String, String> = HashMap::new();
    for (note, rel) in notes.iter().zip(&note_paths) {
        let path = dir.join(rel);
        let parent = path.parent().unwrap_or(dir).to_path_buf();
        std::fs::create_dir_all(&parent)
            .map_err(|e| Error::io(format!("create {}", parent.display()), e))?;
        let rel_dir = rel.parent().unwrap_or(Path::new(""));
        let key = |name: &str| rel_dir.join(name).to_string_lossy().to_lowercase();
        // Attachments first: the note's front matter names the ones written beside it.
        let mut names = Vec::new();
        for sha in crate::store::string_list(&note.content, "attachments") {
            let mut name = attachment_name(ws, note, &sha)?;
            let clashes = |name: &str| {
                taken.contains_key(&key(name))
                    || written_files.get(&key(name)).is_some_and(|s| *s != sha)
            };
            if clashes(&name) {
                // Named like a note file or another attachment beside it: it goes by its
                // hash instead of over that file.
                name = sha.clone();
            }
            let target = parent.join(&name);
            let target_key = key(&name);
            if written_files.get(&target_key) == Some(&sha) {
                names.push(name);
                continue;
            }
            let Some(source) = crate::store::attachment_file(ws.root(), &sha) else {
                report.messages.push(format!(
                    "{}: attachment {sha} has no file here",
                    rel.display()
                ));
                continue;
            };
            std::fs::copy(&source, &target)
                .map_err(|e| Error::io(format!("write {}", target.display()), e))?;
            written_files.insert(target_key, sha);
            names.push(name);
            report.files += 1;
        }
        super::write_atomically(&path, note_file(note, &names).as_bytes())?;
        report.written += 1;
    }
    Ok(report)
}

/// The file name an attachment of `note` is written under: its record's, the one the note
/// links first.
fn attachment_name(ws: &Workspace, note: &Record, sha: &str) -> Result<String> {
    for id in crate::store::string_list(&note.content, "links") {
        if let Ok(r) = ws.get(&id) {
            if r.kind == Kind::Attachment && r.str("sha256") == Some(sha) {
                if let Some(name) = r.str("filename").and_then(safe_rel) {
                    if name.components().count() == 1 {
                        return Ok(name.to_string_lossy().into_owned());
                    }
                }
            }
        }
    }
    Ok(sha.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_subset() {
        let (fm, body) = split_front_matter(
            "---\ntitle: \"A: b\"\ntags: [one, \"two\"]\naliases:\n  - Al\n  - 'B''s'\ncreated: 2024-01-02\n---\nBody\n",
        );
        assert_eq!(body, "Body\n");
        let e = parse_front_matter(fm.unwrap());
        assert_eq!(e[0].value, Some(YamlValue::Scalar("A: b".into())));
        assert_eq!(
            e[1].value,
            Some(YamlValue::List(vec!["one".into(), "two".into()]))
        );
        assert_eq!(
            e[2].value,
            Some(YamlValue::List(vec!["Al".into(), "B's".into()]))
        );
        assert_eq!(e[2].raw, "aliases:\n  - Al\n  - 'B''s'\n");
        assert_eq!(e[3].key, "created");
    }

    #[test]
    fn properties_block_round_trips() {
        let raw = "aliases:\n  - x\nweird: ```\n";
        let body = with_properties(raw, "Text\n");
        assert_eq!(split_properties(&body), (Some(raw.to_string()), "Text\n"));
        assert_eq!(split_properties("plain"), (None, "plain"));
    }

    #[test]
    fn relative_paths_never_leave() {
        assert_eq!(resolve_rel("a/b.md", "../c.png").as_deref(), Some("c.png"));
        assert_eq!(
            resolve_rel("a/b.md", "img/c.png").as_deref(),
            Some("a/img/c.png")
        );
        assert_eq!(resolve_rel("b.md", "../../etc/passwd"), None);
        assert!(safe_rel("../x.md").is_none());
        assert!(safe_rel("/etc/x.md").is_none());
        assert!(safe_rel("a/b.md").is_some());
    }
}
