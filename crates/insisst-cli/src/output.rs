//! How the command prints: plain text for people, the product.md record contract as JSON for
//! scripts.

use anyhow::Result;
use insisst_core::backup::BackupSummary;
use insisst_core::demo::DemoSummary;
use insisst_core::exchange::keyring::KnownKey;
use insisst_core::exchange::{ExportSummary, ImportPlan, KindPlan, SignatureStatus};
use insisst_core::search::SearchResults;
use insisst_core::store::{ConflictInfo, LinkRef, Record, RevisionInfo, Stats};
use insisst_core::{Kind, Workspace};
use serde_json::{json, Value};

/// `println!` that does not panic when stdout is a closed pipe (`insisst list all | head`):
/// the reader has what it wanted.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub struct Printer {
    pub json: bool,
}

fn print_json(v: &Value) {
    say!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

impl Printer {
    pub fn init(&self, ws: &Workspace, restored: bool) -> Result<()> {
        let id = ws.identity();
        if self.json {
            print_json(&json!({
                "workspace": ws.root(),
                "node_id": id.node_id,
                "member": id.owner.member,
                "organisation": id.owner.org_name,
                "organisation_id": id.owner.org_id,
                "public_key": id.public_key_hex(),
                "fingerprint": id.fingerprint(),
                "restored": restored,
            }));
        } else {
            let verb = if restored { "Restored" } else { "Created" };
            say!("{verb} the workspace at {}", ws.root().display());
            say!("  owner:       {}", id.owner.member);
            if !id.owner.org_name.is_empty() {
                say!("  organisation: {}", id.owner.org_name);
            }
            say!("  node:        {}", id.node_id);
            say!("  key:         {}", id.fingerprint());
        }
        Ok(())
    }

    pub fn id(&self, record: &Record) -> Result<()> {
        if self.json {
            print_json(&json!({"id": record.id, "rev": record.rev}));
        } else {
            say!("{}", record.id);
        }
        Ok(())
    }

    pub fn done(&self, record: &Record, what: &str) -> Result<()> {
        if self.json {
            print_json(&json!({"id": record.id, "rev": record.rev, "deleted": record.deleted}));
        } else {
            say!("{what} {} (now {})", record.id, record.rev);
        }
        Ok(())
    }

    pub fn record(&self, record: &Record, links: &[LinkRef], backlinks: &[LinkRef]) -> Result<()> {
        if self.json {
            print_json(&record.to_json());
            return Ok(());
        }
        if record.deleted {
            say!(
                "{} {} (deleted; `insisst history {}` shows what it was)",
                record.kind,
                record.id,
                record.id
            );
            return Ok(());
        }
        say!("{}  [{}]", record.title(), record.kind);
        say!("  id:  {}", record.id);
        say!("  rev: {}", record.rev);
        let skip = ["id", "kind", "title", "body", "rev", "agenda"];
        for (k, v) in &record.content {
            if skip.contains(&k.as_str()) {
                continue;
            }
            say!("  {k}: {}", text_value(v));
        }
        if record.kind == Kind::Session {
            if let Some(schedule) = insisst_core::agenda::schedule(&record.content) {
                let tz = record.str("timezone").unwrap_or("local time");
                say!("\nAgenda ({tz}):");
                for b in schedule {
                    say!(
                        "  day {}  {}–{}  {:>4} min  {}",
                        b.day,
                        &b.starts_at[11..],
                        &b.ends_at[11..],
                        b.minutes,
                        b.title
                    );
                }
            } else if let Some(Value::Array(blocks)) = record.content.get("agenda") {
                say!("\nAgenda (no start time set):");
                for b in blocks {
                    say!(
                        "  {} min  {}",
                        b.get("minutes").and_then(Value::as_i64).unwrap_or(0),
                        b.get("title").and_then(Value::as_str).unwrap_or_default()
                    );
                }
            }
        }
        if let Some(body) = record.str("body") {
            say!("\n{body}");
        }
        for (heading, list) in [("Links", links), ("Backlinks", backlinks)] {
            if !list.is_empty() {
                say!("\n{heading}:");
                for l in list {
                    say!("  {} {} \"{}\" ({})", l.kind, l.id, l.title, l.rel);
                }
            }
        }
        Ok(())
    }

    pub fn list(&self, records: &[Record]) -> Result<()> {
        if self.json {
            let records: Vec<Value> = records.iter().map(Record::to_json).collect();
            print_json(&json!({ "records": records }));
            return Ok(());
        }
        if records.is_empty() {
            say!("(no records)");
        }
        for r in records {
            let status = r.str("status").unwrap_or("");
            let title: String = r.title().chars().take(60).collect();
            say!(
                "{}  {:<10} {:<11} {}  {}",
                r.id,
                r.kind.as_str(),
                status,
                &r.updated_at()[..10.min(r.updated_at().len())],
                title
            );
        }
        Ok(())
    }

    pub fn history(&self, revisions: &[RevisionInfo]) -> Result<()> {
        if self.json {
            let revisions: Vec<Value> = revisions
                .iter()
                .map(|r| {
                    json!({
                        "rev": r.rev, "parent": r.parent, "generation": r.generation,
                        "deleted": r.deleted, "leaf": r.is_leaf, "current": r.is_winner,
                        "author": r.author, "author_org": r.author_org, "node_id": r.node_id,
                        "created_at": r.created_at, "content": r.content, "stub": r.stub,
                    })
                })
                .collect();
            print_json(&json!({ "revisions": revisions }));
            return Ok(());
        }
        for r in revisions {
            let marker = if r.is_winner { "*" } else { " " };
            let what = if r.stub {
                "(known by its id only: made elsewhere)".to_string()
            } else if r.deleted {
                "deleted".to_string()
            } else {
                r.content
                    .as_ref()
                    .and_then(|c| c.get("title"))
                    .and_then(Value::as_str)
                    .map_or("(erased)".to_string(), |t| format!("\"{t}\""))
            };
            let by = match &r.author_org {
                Some(org) => format!("{} ({org})", r.author),
                None => r.author.clone(),
            };
            say!("{marker} {}  {}  {by}  {what}", r.rev, r.created_at);
        }
        Ok(())
    }

    pub fn stats(&self, s: &Stats) -> Result<()> {
        if self.json {
            let counts: serde_json::Map<String, Value> = s
                .counts
                .iter()
                .map(|(k, n)| (k.as_str().to_string(), json!(n)))
                .collect();
            print_json(&json!({
                "counts": counts,
                "deleted": s.deleted,
                "revisions": s.revisions,
                "change_seq": s.change_seq,
                "sizes": {
                    "database_bytes": s.database_bytes,
                    "attachments_bytes": s.attachments_bytes,
                    "attachment_files": s.attachment_files,
                    "index_bytes": s.index_bytes,
                },
            }));
            return Ok(());
        }
        let total: u64 = s.counts.iter().map(|(_, n)| n).sum();
        say!("{total} records");
        for (k, n) in &s.counts {
            say!("  {:<11} {n}", k.as_str());
        }
        say!(
            "{} deleted, {} revisions, change sequence {}",
            s.deleted,
            s.revisions,
            s.change_seq
        );
        say!("database     {}", human_bytes(s.database_bytes));
        say!(
            "attachments  {} in {} files",
            human_bytes(s.attachments_bytes),
            s.attachment_files
        );
        say!("index        {}", human_bytes(s.index_bytes));
        Ok(())
    }

    pub fn check(&self, problems: &[String]) -> Result<()> {
        if self.json {
            print_json(&json!({"ok": problems.is_empty(), "problems": problems}));
        } else if problems.is_empty() {
            say!("ok: the workspace is whole");
        } else {
            say!("{} problem(s):", problems.len());
            for p in problems {
                say!("  {p}");
            }
        }
        Ok(())
    }

    pub fn backup(&self, b: &BackupSummary) -> Result<()> {
        if self.json {
            print_json(&json!({"path": b.path, "bytes": b.bytes, "attachments": b.attachments}));
        } else {
            say!(
                "backup written to {} ({}, {} attachments)",
                b.path.display(),
                human_bytes(b.bytes),
                b.attachments
            );
        }
        Ok(())
    }

    pub fn search(&self, r: &SearchResults) -> Result<()> {
        if self.json {
            let hits: Vec<Value> = r
                .hits
                .iter()
                .map(|h| json!({"id": h.id, "kind": h.kind, "title": h.title, "snippet": h.snippet, "score": h.score}))
                .collect();
            let facet = |f: &[(String, u64)]| -> serde_json::Map<String, Value> {
                f.iter().map(|(k, n)| (k.clone(), json!(n))).collect()
            };
            print_json(&json!({
                "total": r.total,
                "hits": hits,
                "facets": {"kind": facet(&r.facets.kind), "tag": facet(&r.facets.tag), "org": facet(&r.facets.org)},
                "fuzzy": r.fuzzy,
            }));
            return Ok(());
        }
        if r.fuzzy {
            say!("(no exact matches; showing close spellings)");
        }
        say!("{} result(s)", r.total);
        for h in &r.hits {
            say!("{}  {:<10} {}", h.id, h.kind, h.title);
            let plain = strip_tags(&h.snippet);
            if !plain.trim().is_empty() {
                say!(
                    "    {}",
                    plain.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
        }
        Ok(())
    }

    pub fn reindex(&self, records: usize, took: std::time::Duration) -> Result<()> {
        if self.json {
            print_json(&json!({"indexed": records, "seconds": took.as_secs_f64()}));
        } else {
            let rate = records as f64 / took.as_secs_f64().max(1e-9);
            say!(
                "indexed {records} records in {:.1} s ({rate:.0} records/s)",
                took.as_secs_f64()
            );
        }
        Ok(())
    }

    pub fn export(&self, s: &ExportSummary) -> Result<()> {
        let counts: serde_json::Map<String, Value> = s
            .counts
            .iter()
            .map(|(k, n)| (k.as_str().to_string(), json!(n)))
            .collect();
        if self.json {
            print_json(&json!({
                "path": s.path, "bundle_id": s.bundle_id, "records": s.records,
                "revisions": s.revisions, "attachments": s.attachments, "bytes": s.bytes,
                "left_out": {"contacts_without_consent": s.left_out_contacts},
                "counts": counts, "since_seq": s.since_seq, "erasures": s.erasures,
            }));
            return Ok(());
        }
        say!(
            "exported {} records ({} revisions, {} attachment files) to {} ({})",
            s.records,
            s.revisions,
            s.attachments,
            s.path.display(),
            human_bytes(s.bytes)
        );
        for (k, n) in &s.counts {
            say!("  {:<11} {n}", k.as_str());
        }
        if s.left_out_contacts > 0 {
            say!(
                "left out {} contact(s): they have not consented to sharing with partners",
                s.left_out_contacts
            );
        }
        if s.erasures > 0 {
            say!(
                "carries {} erasure(s): partners who import it forget those people too",
                s.erasures
            );
        }
        Ok(())
    }

    pub fn import(&self, plan: &ImportPlan, dry_run: bool) -> Result<()> {
        let m = &plan.manifest;
        let row = |k: &KindPlan| {
            json!({"new": k.new, "updated": k.updated, "unchanged": k.unchanged,
                   "conflicting": k.conflicting, "deleted": k.deleted})
        };
        if self.json {
            let kinds: serde_json::Map<String, Value> = plan
                .kinds
                .iter()
                .map(|(k, p)| (k.as_str().to_string(), row(p)))
                .collect();
            print_json(&json!({
                "applied": !dry_run,
                "bundle_id": m.bundle_id, "format_version": m.format_version,
                "created_at": m.created_at,
                "author": {"member": m.author.member, "organisation": m.author.organisation,
                           "node_id": m.author.node_id, "fingerprint": m.author.fingerprint()},
                "signature": plan.signature.as_str(), "key_recorded": plan.key_recorded,
                "scope": plan.scope_text(), "kinds": kinds, "total": row(&plan.total()),
                "new_attachments": plan.new_attachments, "seen_before": plan.seen_before,
                "erasures": plan.erasures, "new_erasures": plan.new_erasures,
                "erased_ignored": plan.erased_ignored,
            }));
            return Ok(());
        }
        let org = if m.author.organisation.is_empty() {
            String::new()
        } else {
            format!(" ({})", m.author.organisation)
        };
        say!(
            "bundle {} by {}{org}, made {}, scope: {}",
            m.bundle_id,
            m.author.member,
            m.created_at,
            plan.scope_text()
        );
        let key = m.author.fingerprint();
        let signature = match plan.signature {
            SignatureStatus::KnownKey => format!("valid, known key {key}"),
            SignatureStatus::NewAuthor if plan.key_recorded => {
                format!("valid, first bundle from this author: key {key} recorded")
            }
            SignatureStatus::NewAuthor => {
                format!("valid, first bundle from this author: key {key} (recorded on import)")
            }
            SignatureStatus::ChangedKey if plan.key_recorded => {
                format!("valid, NEW key {key} trusted and recorded")
            }
            SignatureStatus::ChangedKey => format!(
                "valid, but signed with a NEW key {key} for a known author (import needs --trust-new-key)"
            ),
            SignatureStatus::Own => "valid, made by this workspace".to_string(),
        };
        say!("signature: {signature}");
        if plan.seen_before {
            say!("this bundle was imported before");
        }
        say!(
            "  {:<11} {:>7} {:>7} {:>9} {:>11} {:>7}",
            "kind",
            "new",
            "updated",
            "unchanged",
            "conflicting",
            "deleted"
        );
        let line = |name: &str, p: &KindPlan| {
            say!(
                "  {:<11} {:>7} {:>7} {:>9} {:>11} {:>7}",
                name,
                p.new,
                p.updated,
                p.unchanged,
                p.conflicting,
                p.deleted
            );
        };
        for (k, p) in &plan.kinds {
            line(k.as_str(), p);
        }
        line("total", &plan.total());
        if plan.new_attachments > 0 {
            say!("  {} new attachment file(s)", plan.new_attachments);
        }
        if plan.new_erasures > 0 {
            say!(
                "  {} person(s) erased by the sender: forgotten here too, history included",
                plan.new_erasures
            );
        }
        if plan.erased_ignored > 0 {
            say!(
                "  {} record(s) of erased people ignored (erasure is final)",
                plan.erased_ignored
            );
        }
        let changes = plan.total().changes() + plan.new_erasures;
        if dry_run {
            say!("dry run: nothing was changed");
        } else if changes == 0 {
            say!("nothing to change: everything in this bundle is already here");
        } else {
            say!("imported: {changes} record(s) changed");
        }
        Ok(())
    }

    pub fn keys(&self, keys: &[KnownKey]) -> Result<()> {
        if self.json {
            let keys: Vec<Value> = keys.iter().map(key_json).collect();
            print_json(&json!({ "keys": keys }));
            return Ok(());
        }
        if keys.is_empty() {
            say!("no known keys yet: they are recorded when you import a partner's bundle");
        }
        for k in keys {
            say!(
                "{}  {} ({})  node {}  first seen {}  last seen {}",
                k.fingerprint,
                k.member,
                k.organisation,
                k.node_id,
                k.first_seen,
                k.last_seen
            );
        }
        Ok(())
    }

    pub fn key_done(&self, k: &KnownKey, what: &str) -> Result<()> {
        if self.json {
            print_json(&json!({ what: key_json(k) }));
        } else {
            say!(
                "{what} key {} of {} ({})",
                k.fingerprint,
                k.member,
                k.organisation
            );
        }
        Ok(())
    }

    pub fn conflicts(&self, conflicts: &[ConflictInfo]) -> Result<()> {
        if self.json {
            let list: Vec<Value> = conflicts
                .iter()
                .map(|c| {
                    json!({"id": c.id, "kind": c.kind.as_str(), "title": c.title,
                           "winner": c.winner, "losers": c.losers})
                })
                .collect();
            print_json(&json!({ "conflicts": list }));
            return Ok(());
        }
        if conflicts.is_empty() {
            say!("no conflicts");
        }
        for c in conflicts {
            say!(
                "{}  {:<10} {}  (winner {}; also {})",
                c.id,
                c.kind.as_str(),
                c.title,
                c.winner,
                c.losers.join(", ")
            );
        }
        Ok(())
    }

    pub fn conflict_versions(&self, record: &Record, versions: &[RevisionInfo]) -> Result<()> {
        if self.json {
            let list: Vec<Value> = versions
                .iter()
                .map(|r| {
                    json!({"rev": r.rev, "winner": r.is_winner, "author": r.author,
                           "author_org": r.author_org, "created_at": r.created_at,
                           "content": r.content})
                })
                .collect();
            print_json(&json!({"id": record.id, "kind": record.kind.as_str(), "versions": list}));
            return Ok(());
        }
        if versions.len() < 2 {
            say!("{} has no conflict", record.label());
            return Ok(());
        }
        say!("{}: {} versions", record.label(), versions.len());
        for r in versions {
            let by = match &r.author_org {
                Some(org) => format!("{} ({org})", r.author),
                None => r.author.clone(),
            };
            say!(
                "\n{} {}  by {by}  at {}",
                if r.is_winner { "*" } else { " " },
                r.rev,
                r.created_at
            );
            if let Some(content) = &r.content {
                for (k, v) in content {
                    if ["id", "kind", "created_at", "updated_at"].contains(&k.as_str()) {
                        continue;
                    }
                    say!("    {k}: {}", text_value(v));
                }
            }
        }
        Ok(())
    }

    pub fn demo(&self, d: &DemoSummary) -> Result<()> {
        if self.json {
            let created: serde_json::Map<String, Value> = d
                .created
                .iter()
                .map(|(k, n)| (k.as_str().to_string(), json!(n)))
                .collect();
            print_json(&json!({"created": created, "total": d.total}));
        } else {
            let parts: Vec<String> = d.created.iter().map(|(k, n)| format!("{n} {k}")).collect();
            say!("added {} demo records: {}", d.total, parts.join(", "));
        }
        Ok(())
    }
}

/// The snippet's text for a terminal: tags dropped, entities decoded.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn key_json(k: &KnownKey) -> Value {
    json!({"node_id": k.node_id, "member": k.member, "organisation": k.organisation,
           "fingerprint": k.fingerprint, "public_key": k.public_key,
           "first_seen": k.first_seen, "last_seen": k.last_seen})
}

fn text_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
