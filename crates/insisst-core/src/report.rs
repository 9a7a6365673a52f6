//! Reports people print or send: a session report (its agenda with computed times, its
//! notes rendered, participants by pentagon sector, its evaluation records) and the learning
//! agenda report (questions by status with their history), as Markdown or as one printable
//! HTML page.
//!
//! Both are written as Markdown first; HTML is that Markdown through the same renderer and
//! sanitiser as note bodies ([`crate::markdown::render`], ammonia), wrapped in a page with
//! print styles. No user text reaches the HTML except through the sanitiser.

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::store::{string_list, Record, Workspace};
use serde_json::Value;
use std::fmt::Write as _;

/// The output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Html,
    Md,
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "html" => Ok(Format::Html),
            "md" | "markdown" => Ok(Format::Md),
            other => Err(Error::Invalid(format!(
                "unknown report format `{other}` (html or md)"
            ))),
        }
    }
}

/// The session report of session `id` in `format`.
pub fn session(ws: &Workspace, id: &str, format: Format) -> Result<String> {
    let session = ws.get(id)?;
    if session.kind != Kind::Session {
        return Err(Error::Invalid(format!(
            "{} is not a session",
            session.label()
        )));
    }
    let md = session_markdown(ws, &session)?;
    Ok(match format {
        Format::Md => md,
        Format::Html => html_page(ws, session.title(), &md),
    })
}

/// The learning agenda report in `format`.
pub fn agenda(ws: &Workspace, format: Format) -> Result<String> {
    let md = agenda_markdown(ws)?;
    Ok(match format {
        Format::Md => md,
        Format::Html => html_page(ws, "Learning agenda", &md),
    })
}

/// Text for a Markdown table cell or a one-line item: no pipes, no line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .trim()
        .to_string()
}

/// Text that starts a line without being read as Markdown structure (a heading, a list).
fn inline(s: &str) -> String {
    let s = cell(s);
    let escaped: String = s
        .chars()
        .flat_map(|c| match c {
            '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    escaped
}

fn record_title(ws: &Workspace, id: &str) -> String {
    ws.get(id)
        .map(|r| r.title().to_string())
        .unwrap_or_else(|_| format!("({id})"))
}

/// Records of `kind` whose `session_id` is `session`, oldest first.
fn of_session(ws: &Workspace, session: &Record, kind: Kind) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    for id in ws.referrers(&session.id)? {
        let Ok(r) = ws.get(&id) else { continue };
        if r.kind == kind && r.str("session_id") == Some(session.id.as_str()) {
            out.push(r);
        }
    }
    out.sort_by(|a, b| {
        a.str("created_at")
            .cmp(&b.str("created_at"))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}

/// The session report as Markdown.
pub fn session_markdown(ws: &Workspace, s: &Record) -> Result<String> {
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", inline(s.title()));
    let tz = s.str("timezone");
    let mut facts: Vec<(String, String)> = Vec::new();
    if let Some(k) = s.str("session_kind") {
        facts.push(("Kind".into(), k.replace('_', " ")));
    }
    if let Some(st) = s.str("status") {
        facts.push(("Status".into(), st.into()));
    }
    if let Some(start) = s.str("starts_at") {
        let end = s
            .str("ends_at")
            .map(|e| format!(" – {e}"))
            .unwrap_or_default();
        let zone = tz.map(|z| format!(" ({z})")).unwrap_or_default();
        facts.push((
            "When".into(),
            format!("{start}{end}{zone}").replace('T', " "),
        ));
    }
    if let Some(v) = s.str("venue") {
        facts.push(("Venue".into(), inline(v)));
    }
    if let Some(u) = s.str("online_url") {
        facts.push(("Online".into(), format!("<{}>", cell(u))));
    }
    if let Some(h) = s.str("host_org") {
        facts.push(("Host".into(), inline(&record_title(ws, h))));
    }
    let facilitators: Vec<String> = string_list(&s.content, "facilitators")
        .iter()
        .map(|id| inline(&record_title(ws, id)))
        .collect();
    if !facilitators.is_empty() {
        facts.push(("Facilitators".into(), facilitators.join(", ")));
    }
    for (k, v) in &facts {
        let _ = writeln!(md, "- **{k}:** {v}");
    }
    if !facts.is_empty() {
        md.push('\n');
    }
    if let Some(o) = s.str("objectives") {
        let _ = writeln!(md, "## Objectives\n\n{}\n", o.trim());
    }

    if let Some(blocks) = crate::agenda::schedule(&s.content).filter(|b| !b.is_empty()) {
        let _ = writeln!(md, "## Agenda\n");
        if let Some(tz) = tz {
            let _ = writeln!(md, "Times in {tz}.\n");
        }
        let multi_day = blocks.iter().any(|b| b.day > 1);
        let agenda = s.content.get("agenda").and_then(Value::as_array);
        if multi_day {
            md.push_str(
                "| Day | Time | Block | Minutes | Who | Method |\n|---|---|---|---|---|---|\n",
            );
        } else {
            md.push_str("| Time | Block | Minutes | Who | Method |\n|---|---|---|---|---|\n");
        }
        for b in &blocks {
            let block = agenda.and_then(|a| a.get(b.index));
            let field = |f: &str| {
                block
                    .and_then(|x| x.get(f))
                    .and_then(Value::as_str)
                    .map(cell)
                    .unwrap_or_default()
            };
            let method = block
                .and_then(|x| x.get("method_id"))
                .and_then(Value::as_str)
                .map(|id| cell(&record_title(ws, id)))
                .unwrap_or_default();
            if multi_day {
                let _ = write!(md, "| {} ", b.day);
            }
            let _ = writeln!(
                md,
                "| {}–{} | {} | {} | {} | {} |",
                &b.starts_at[11..16],
                &b.ends_at[11..16],
                cell(&b.title),
                b.minutes,
                field("who"),
                method
            );
        }
        md.push('\n');
    }

    participants_section(ws, s, &mut md);

    let notes = of_session(ws, s, Kind::Note)?;
    if !notes.is_empty() {
        let _ = writeln!(md, "## Notes\n");
        for n in &notes {
            let _ = writeln!(md, "### {}\n", inline(n.title()));
            if let Some(body) = n.str("body") {
                // The note's own headings sit below the report's.
                let _ = writeln!(md, "{}\n", demote_headings(body.trim()));
            }
        }
    }

    let evaluations = of_session(ws, s, Kind::Evaluation)?;
    if !evaluations.is_empty() {
        let _ = writeln!(md, "## Evaluation\n");
        for e in &evaluations {
            let level = e.str("level").unwrap_or("evaluation");
            let when = e
                .str("recorded_at")
                .map(|d| format!(", {d}"))
                .unwrap_or_default();
            let _ = writeln!(md, "### {} ({level}{when})\n", inline(e.title()));
            if let Some(ratings) = e.content.get("ratings").and_then(Value::as_object) {
                if !ratings.is_empty() {
                    md.push_str("| Item | Rating (1–5) |\n|---|---|\n");
                    for (item, v) in ratings {
                        let _ = writeln!(md, "| {} | {} |", cell(item), v);
                    }
                    md.push('\n');
                }
            }
            if let Some(c) = e.str("comments") {
                let _ = writeln!(md, "{}\n", demote_headings(c.trim()));
            }
        }
    }
    for (field, heading) in [("outcomes", "Outcomes"), ("reflection", "Reflection")] {
        if let Some(t) = s.str(field) {
            let _ = writeln!(md, "## {heading}\n\n{}\n", demote_headings(t.trim()));
        }
    }
    Ok(md.trim_end().to_string() + "\n")
}

fn participants_section(ws: &Workspace, s: &Record, md: &mut String) {
    let contacts: Vec<Record> = string_list(&s.content, "participants")
        .iter()
        .filter_map(|id| ws.get(id).ok())
        .collect();
    let orgs: Vec<String> = string_list(&s.content, "participant_orgs")
        .iter()
        .map(|id| inline(&record_title(ws, id)))
        .collect();
    let headcount = s.content.get("headcount").and_then(Value::as_object);
    if contacts.is_empty() && orgs.is_empty() && headcount.is_none_or(|h| h.is_empty()) {
        return;
    }
    let _ = writeln!(md, "## Participants\n");
    let mut sectors: Vec<&str> = crate::schema::SECTOR.to_vec();
    sectors.push("");
    for sector in sectors {
        let here: Vec<&Record> = contacts
            .iter()
            .filter(|c| c.str("sector").unwrap_or("") == sector)
            .collect();
        let count = headcount
            .and_then(|h| h.get(sector))
            .and_then(Value::as_i64);
        if here.is_empty() && count.is_none() {
            continue;
        }
        let name = if sector.is_empty() {
            "Sector not recorded".to_string()
        } else {
            let mut n = sector.replace('_', "-");
            n[..1].make_ascii_uppercase();
            n
        };
        let count = count
            .map(|c| format!(" (head count {c})"))
            .unwrap_or_default();
        let _ = writeln!(md, "### {name}{count}\n");
        for c in &here {
            let org = c
                .str("org_id")
                .map(|o| format!(", {}", inline(&record_title(ws, o))))
                .unwrap_or_default();
            let role = c
                .str("role")
                .map(|r| format!(", {}", inline(r)))
                .unwrap_or_default();
            let _ = writeln!(md, "- {}{role}{org}", inline(c.title()));
        }
        if !here.is_empty() {
            md.push('\n');
        }
    }
    if !orgs.is_empty() {
        let _ = writeln!(md, "Organisations taking part: {}\n", orgs.join(", "));
    }
    let not_shareable = contacts
        .iter()
        .filter(|c| !crate::interop::contact_is_shareable(&c.content))
        .count();
    if not_shareable > 0 {
        let _ = writeln!(
            md,
            "*{not_shareable} of these participants have not consented to their data being shared with partners: this report is for your own use.*\n"
        );
    }
}

/// Moves every ATX heading of `text` two levels down (a note's `#` becomes `###`), code
/// blocks left alone.
fn demote_headings(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut fence: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        if marker.len() >= 3 {
            fence = match fence {
                None => Some(marker),
                Some(f) if marker.starts_with(&f) => None,
                keep => keep,
            };
        } else if fence.is_none() && line.starts_with('#') {
            let hashes = line.chars().take_while(|c| *c == '#').count();
            if hashes <= 6 && line[hashes..].starts_with([' ', '\t', '\n']) {
                let level = (hashes + 2).min(6);
                out.push_str(&"#".repeat(level));
                out.push_str(&line[hashes..]);
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// One change in a learning question's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryEntry {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: the author, with their organisation.
    pub who: String,
    /// What changed, in words: `created (open, high)`, `status open → provisional`, …
    pub changes: Vec<String>,
}

/// The history of question `q`, oldest first, from its revisions: what changed in status,
/// priority, provisional answer, owner and title.
///
/// This is the one place the agenda report reads history from. Agenda reviews (snapshots
/// taken at meetings) are a second source; when they land, their entries for `q` belong
/// here, merged by time, so the report shows both without changing.
pub fn question_history(ws: &Workspace, q: &Record) -> Result<Vec<HistoryEntry>> {
    let mut revisions = ws.history(&q.id)?;
    revisions.reverse();
    let mut out = Vec::new();
    let mut previous: Option<serde_json::Map<String, Value>> = None;
    for r in revisions {
        if r.stub {
            continue;
        }
        // The organisation is stored by name (an id in older revisions): shown by name.
        let who = match r.author_org.as_deref().filter(|o| !o.is_empty()) {
            Some(org) => {
                let name = ws
                    .get(org)
                    .map(|o| o.title().to_string())
                    .unwrap_or_else(|_| org.to_string());
                format!("{} ({name})", r.author)
            }
            None => r.author.clone(),
        };
        let mut changes = Vec::new();
        if r.deleted {
            changes.push("deleted".to_string());
            out.push(HistoryEntry {
                at: r.created_at.clone(),
                who,
                changes,
            });
            previous = None;
            continue;
        }
        let Some(content) = r.content else { continue };
        let get = |m: &serde_json::Map<String, Value>, f: &str| {
            m.get(f).and_then(Value::as_str).map(str::to_string)
        };
        match &previous {
            None => {
                let facts: Vec<String> = ["status", "priority"]
                    .iter()
                    .filter_map(|f| get(&content, f))
                    .collect();
                changes.push(if facts.is_empty() {
                    "created".into()
                } else {
                    format!("created ({})", facts.join(", "))
                });
            }
            Some(prev) => {
                for f in ["title", "status", "priority"] {
                    let (a, b) = (get(prev, f), get(&content, f));
                    if a != b {
                        changes.push(format!(
                            "{f} {} → {}",
                            a.as_deref().unwrap_or("none"),
                            b.as_deref().unwrap_or("none")
                        ));
                    }
                }
                if get(prev, "owner_org") != get(&content, "owner_org") {
                    let owner = get(&content, "owner_org")
                        .map(|o| record_title(ws, &o))
                        .unwrap_or_else(|| "none".into());
                    changes.push(format!("owner → {owner}"));
                }
                if get(prev, "provisional_answer") != get(&content, "provisional_answer") {
                    changes.push(match get(&content, "provisional_answer") {
                        Some(a) => format!("provisional answer: {}", cell(&a)),
                        None => "provisional answer removed".into(),
                    });
                }
            }
        }
        if !changes.is_empty() {
            out.push(HistoryEntry {
                at: r.created_at.clone(),
                who,
                changes,
            });
        }
        previous = Some(content);
    }
    Ok(out)
}

/// The learning agenda report as Markdown.
pub fn agenda_markdown(ws: &Workspace) -> Result<String> {
    let questions = ws.list(&crate::store::ListQuery {
        kind: Some(Kind::Question),
        ..Default::default()
    })?;
    let mut md = String::from("# Learning agenda\n\n");
    let _ = writeln!(
        md,
        "{} questions, as of {}.\n",
        questions.len(),
        crate::schema::format_timestamp(ws.now())
    );
    let rank = |q: &Record| match q.str("priority") {
        Some("high") => 0,
        Some("medium") => 1,
        Some("low") => 2,
        _ => 3,
    };
    let mut statuses: Vec<&str> = crate::schema::QUESTION_STATUS.to_vec();
    statuses.push("");
    for status in statuses {
        let mut here: Vec<&Record> = questions
            .iter()
            .filter(|q| q.str("status").unwrap_or("") == status)
            .collect();
        if here.is_empty() {
            continue;
        }
        here.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| a.title().cmp(b.title()))
                .then_with(|| a.id.cmp(&b.id))
        });
        let name = match status {
            "" => "No status".to_string(),
            s => {
                let mut n = s.to_string();
                n[..1].make_ascii_uppercase();
                n
            }
        };
        let _ = writeln!(md, "## {name} ({})\n", here.len());
        for q in here {
            let _ = writeln!(md, "### {}\n", inline(q.title()));
            let mut facts = Vec::new();
            if let Some(p) = q.str("priority") {
                facts.push(format!("**Priority:** {p}"));
            }
            if let Some(t) = q.str("theme") {
                facts.push(format!("**Theme:** {}", inline(t)));
            }
            if let Some(o) = q.str("owner_org") {
                facts.push(format!("**Owner:** {}", inline(&record_title(ws, o))));
            }
            if !facts.is_empty() {
                let _ = writeln!(md, "{}\n", facts.join(" · "));
            }
            if let Some(a) = q.str("provisional_answer") {
                let _ = writeln!(
                    md,
                    "**Provisional answer:** {}\n",
                    demote_headings(a.trim())
                );
            }
            let history = question_history(ws, q)?;
            if !history.is_empty() {
                md.push_str("History:\n\n");
                for h in history {
                    let at = h.at.get(..16).unwrap_or(&h.at).replace('T', " ");
                    let _ = writeln!(
                        md,
                        "- {at} — {}: {}",
                        inline(&h.who),
                        h.changes
                            .iter()
                            .map(|c| inline(c))
                            .collect::<Vec<_>>()
                            .join("; ")
                    );
                }
                md.push('\n');
            }
        }
    }
    Ok(md.trim_end().to_string() + "\n")
}

/// Styles for screen and paper: one column, readable type, tables that do not break rows
/// across pages, URLs printed after external links.
pub const PRINT_CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: "Noto Serif", Georgia, serif; font-size: 11pt; line-height: 1.45;
  color: #111; background: #fff; max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1, h2, h3, h4 { font-family: "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  line-height: 1.2; break-after: avoid; page-break-after: avoid; }
h1 { font-size: 1.8em; border-bottom: 2px solid #333; padding-bottom: .2em; }
h2 { font-size: 1.35em; margin-top: 1.6em; border-bottom: 1px solid #aaa; }
h3 { font-size: 1.1em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; }
th, td { border: 1px solid #999; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
tr, img, pre, blockquote { break-inside: avoid; page-break-inside: avoid; }
img { max-width: 100%; }
pre, code { font-family: "Noto Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
pre { background: #f5f5f5; padding: .5em; overflow-x: auto; white-space: pre-wrap; }
a { color: #0645ad; }
a.wiki.missing { color: #b00; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { margin: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  a.external::after { content: " (" attr(href) ")"; font-size: .85em; color: #555; }
}
"#;

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `md` rendered and sanitised like a note body, in a page of its own with print styles.
pub fn html_page(ws: &Workspace, title: &str, md: &str) -> String {
    let resolve = |t: &str| {
        ws.find_by_title(t)
            .ok()
            .and_then(|found| found.into_iter().next())
            .map(|r| crate::markdown::WikiTarget {
                title: r.title().to_string(),
                id: r.id,
            })
    };
    let attachments = |name: &str| ws.resolve_attachment(name, None).ok().flatten();
    let body = crate::markdown::render(md, &resolve, &attachments);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        escape_html(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_move_down_outside_code() {
        assert_eq!(
            demote_headings("# A\ntext\n```\n# not\n```\n###### deep\n#tag"),
            "### A\ntext\n```\n# not\n```\n###### deep\n#tag"
        );
    }

    #[test]
    fn cells_and_inline_text_cannot_break_structure() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(inline("# [x](y) <b>"), "\\# \\[x\\](y) \\<b\\>");
    }
}
