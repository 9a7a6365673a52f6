//! Evaluating capacity building along Kirkpatrick's levels, on records of kind `evaluation`.
//!
//! One evaluation record is one person's form at one level, for one session:
//! - **reaction**: `ratings` 1–5 on the fixed items of [`REACTION_ITEMS`], and `comments`;
//! - **learning**: self-assessed `ratings` `before` and `after` the session (1–5);
//! - **behaviour**: the follow-up months later (what people do differently), in `comments`
//!   and, if wanted, ratings;
//! - **results**: what changed in the organisations, in `comments`.
//!
//! The facilitators' reflection is the session's own `reflection` field.
//!
//! A behaviour follow-up is planned by giving an evaluation of the session a
//! `follow_up_due` date. It is **due** once that date has passed (today or earlier) while the
//! session has no behaviour evaluation yet: [`due_followups`], for the reminder on Home.
//!
//! Forms come in one by one or many at once ([`record_forms`], for quick keyboard entry), or
//! from a survey tool's CSV export ([`import_csv`]): columns are mapped to items by their
//! headings, every bad row is reported with its row number and why, and the good rows are
//! written in one transaction.

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::schema::{format_timestamp, parse_timestamp};
use crate::store::{ListQuery, Record, Workspace};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The reaction items every form rates 1–5, in the order forms show them.
pub const REACTION_ITEMS: &[&str] = &[
    "relevance",
    "usefulness",
    "facilitation",
    "organisation",
    "overall",
];

/// The learning level's self-assessment: knowledge of the topic before and after, 1–5.
pub const LEARNING_ITEMS: &[&str] = &["before", "after"];

/// The largest CSV file read (10 MiB: tens of thousands of responses).
pub const MAX_CSV_BYTES: u64 = 10 << 20;
/// The most rows one import reads.
pub const MAX_CSV_ROWS: usize = 20_000;
/// The most columns (a long survey has a few hundred).
pub const MAX_CSV_COLUMNS: usize = 1_000;

/// One filled-in form, as the app's quick entry or an import gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationForm {
    /// `reaction`, `learning`, `behaviour` or `results`.
    pub level: String,
    /// Item name → 1–5.
    #[serde(default)]
    pub ratings: BTreeMap<String, u8>,
    #[serde(default)]
    pub comments: Option<String>,
    /// A date or RFC 3339 time; `None` is the time of writing.
    #[serde(default)]
    pub recorded_at: Option<String>,
    /// When a behaviour follow-up of the session is due (`YYYY-MM-DD`).
    #[serde(default)]
    pub follow_up_due: Option<String>,
}

fn level_label(level: &str) -> String {
    let mut c = level.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn form_content(
    session: &Record,
    form: &EvaluationForm,
    number: usize,
    now: DateTime<Utc>,
) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert(
        "title".into(),
        json!(format!(
            "{} — {} — form {number}",
            level_label(form.level.trim()),
            session.title()
        )),
    );
    c.insert("session_id".into(), json!(session.id));
    c.insert("level".into(), json!(form.level));
    c.insert(
        "recorded_at".into(),
        json!(form
            .recorded_at
            .clone()
            .unwrap_or_else(|| format_timestamp(now))),
    );
    if !form.ratings.is_empty() {
        c.insert("ratings".into(), json!(form.ratings));
    }
    if let Some(t) = form.comments.as_deref().filter(|t| !t.trim().is_empty()) {
        c.insert("comments".into(), json!(t));
    }
    if let Some(d) = &form.follow_up_due {
        c.insert("follow_up_due".into(), json!(d));
    }
    c
}

/// Writes `forms` as evaluation records of session `session_id`, all or none (one bad form
/// refuses the lot, naming it). Returns the records in the order given.
pub fn record_forms(
    ws: &mut Workspace,
    session_id: &str,
    forms: &[EvaluationForm],
) -> Result<Vec<Record>> {
    let now = ws.now();
    let existing = evaluations_of(ws, session_id)?.len();
    ws.write(|w| {
        let session = w.get(session_id)?;
        if session.kind != Kind::Session {
            return Err(Error::field(
                "new evaluation",
                "session_id",
                format!("{} is not a session", session.label()),
            ));
        }
        forms
            .iter()
            .enumerate()
            .map(|(i, f)| {
                w.create(
                    Kind::Evaluation,
                    form_content(&session, f, existing + i + 1, now),
                )
            })
            .collect()
    })
}

/// The live evaluations of session `session_id`.
pub fn evaluations_of(ws: &Workspace, session_id: &str) -> Result<Vec<Record>> {
    let session_id = session_id.trim().to_ascii_lowercase();
    Ok(all_evaluations(ws)?
        .into_iter()
        .filter(|r| r.str("session_id") == Some(session_id.as_str()))
        .collect())
}

fn all_evaluations(ws: &Workspace) -> Result<Vec<Record>> {
    ws.list(&ListQuery {
        kind: Some(Kind::Evaluation),
        ..Default::default()
    })
}

/// The day an evaluation was recorded: `recorded_at`'s date, else its creation's.
pub fn recorded_day(r: &Record) -> Option<NaiveDate> {
    let day = |s: &str| {
        s.get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    r.str("recorded_at")
        .and_then(day)
        .or_else(|| r.str("created_at").and_then(day))
}

/// A behaviour follow-up whose day has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueFollowUp {
    pub session_id: String,
    pub session_title: String,
    /// The earliest `follow_up_due` among the session's evaluations.
    pub due: String,
    pub days_overdue: i64,
    /// The evaluations that asked for it.
    pub evaluation_ids: Vec<String>,
}

/// Behaviour follow-ups due on `today`: sessions with an evaluation whose `follow_up_due` is
/// `today` or earlier and no behaviour evaluation yet. Most overdue first.
pub fn due_followups(ws: &Workspace, today: NaiveDate) -> Result<Vec<DueFollowUp>> {
    let evaluations = all_evaluations(ws)?;
    let mut done: Vec<&str> = vec![];
    let mut asked: BTreeMap<&str, (NaiveDate, Vec<String>)> = BTreeMap::new();
    for e in &evaluations {
        let Some(session) = e.str("session_id") else {
            continue;
        };
        if e.str("level") == Some("behaviour") {
            done.push(session);
        }
        let Some(due) = e
            .str("follow_up_due")
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            continue;
        };
        let slot = asked.entry(session).or_insert((due, vec![]));
        slot.0 = slot.0.min(due);
        slot.1.push(e.id.clone());
    }
    let mut out = vec![];
    for (session_id, (due, mut ids)) in asked {
        if due > today || done.contains(&session_id) {
            continue;
        }
        let session = match ws.get(session_id) {
            Ok(s) => s,
            // A follow-up of a deleted session is no longer anyone's to do.
            Err(Error::Deleted { .. } | Error::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        ids.sort();
        out.push(DueFollowUp {
            session_id: session_id.to_string(),
            session_title: session.title().to_string(),
            due: due.format("%Y-%m-%d").to_string(),
            days_overdue: (today - due).num_days(),
            evaluation_ids: ids,
        });
    }
    out.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| a.session_id.cmp(&b.session_id))
    });
    Ok(out)
}

/// The mean of one rating item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub item: String,
    pub responses: u64,
    pub sum: u64,
    /// `sum / responses`, rounded to two decimals.
    pub mean: f64,
}

pub(crate) fn mean(sum: u64, n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    (sum as f64 / n as f64 * 100.0).round() / 100.0
}

/// Rating items in display order: the fixed ones first, then any others by name.
pub(crate) fn item_order(item: &str) -> (usize, String) {
    let fixed = REACTION_ITEMS
        .iter()
        .chain(LEARNING_ITEMS)
        .position(|i| *i == item)
        .unwrap_or(usize::MAX);
    (fixed, item.to_string())
}

/// A session's evaluation at a glance: what the app's evaluation screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionEvaluation {
    pub session_id: String,
    /// Forms per level (every level present, zero included).
    pub forms: BTreeMap<String, u64>,
    /// Every rated item over all the session's forms, fixed items first.
    pub scores: Vec<ItemScore>,
    pub comments: Vec<String>,
    pub reflection: Option<String>,
    /// The earliest planned behaviour follow-up, and whether a behaviour form exists.
    pub follow_up_due: Option<String>,
    pub follow_up_done: bool,
}

/// The evaluation of session `session_id`.
pub fn session_evaluation(ws: &Workspace, session_id: &str) -> Result<SessionEvaluation> {
    let session = ws.get(session_id)?;
    let evaluations = evaluations_of(ws, &session.id)?;
    let mut forms: BTreeMap<String, u64> = crate::schema::EVALUATION_LEVEL
        .iter()
        .map(|l| (l.to_string(), 0))
        .collect();
    let mut sums: HashMap<String, (u64, u64)> = HashMap::new();
    let mut comments = vec![];
    let mut due: Option<String> = None;
    for e in &evaluations {
        if let Some(level) = e.str("level") {
            *forms.entry(level.to_string()).or_default() += 1;
        }
        add_ratings(e, &mut sums);
        if let Some(c) = e.str("comments") {
            comments.push(c.to_string());
        }
        if let Some(d) = e.str("follow_up_due") {
            if due.as_deref().is_none_or(|x| d < x) {
                due = Some(d.to_string());
            }
        }
    }
    Ok(SessionEvaluation {
        session_id: session.id.clone(),
        follow_up_done: forms.get("behaviour").copied().unwrap_or(0) > 0,
        forms,
        scores: scores(sums),
        comments,
        reflection: session.str("reflection").map(str::to_string),
        follow_up_due: due,
    })
}

pub(crate) fn add_ratings(e: &Record, sums: &mut HashMap<String, (u64, u64)>) {
    if let Some(ratings) = e.content.get("ratings").and_then(Value::as_object) {
        for (item, v) in ratings {
            if let Some(n) = v.as_u64() {
                let s = sums.entry(item.clone()).or_default();
                s.0 += n;
                s.1 += 1;
            }
        }
    }
}

pub(crate) fn scores(sums: HashMap<String, (u64, u64)>) -> Vec<ItemScore> {
    let mut out: Vec<ItemScore> = sums
        .into_iter()
        .map(|(item, (sum, n))| ItemScore {
            mean: mean(sum, n),
            item,
            responses: n,
            sum,
        })
        .collect();
    out.sort_by_key(|s| item_order(&s.item));
    out
}

// ---- CSV import ---------------------------------------------------------------------------

/// What a column of the survey export holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A rating item: one of [`REACTION_ITEMS`] or [`LEARNING_ITEMS`].
    Item(String),
    Comments,
    /// When the response was submitted.
    SubmittedAt,
}

impl Target {
    /// Parses what `--column` names: an item, `comments` or `submitted_at`.
    pub fn parse(name: &str) -> Option<Target> {
        let n = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match n.as_str() {
            "comments" | "comment" => Some(Target::Comments),
            "submitted_at" | "recorded_at" | "timestamp" => Some(Target::SubmittedAt),
            _ => REACTION_ITEMS
                .iter()
                .chain(LEARNING_ITEMS)
                .find(|i| **i == n)
                .map(|i| Target::Item(i.to_string())),
        }
    }

    fn name(&self) -> String {
        match self {
            Target::Item(i) => i.clone(),
            Target::Comments => "comments".into(),
            Target::SubmittedAt => "submitted_at".into(),
        }
    }
}

/// How to read a survey export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvImportOptions {
    pub session_id: String,
    /// Explicit mappings, over the automatic ones: (target, the column's heading exactly as
    /// in the file, or its 1-based number).
    #[serde(default)]
    pub columns: Vec<(Target, String)>,
    /// Planned behaviour follow-up, set on every imported reaction form.
    #[serde(default)]
    pub follow_up_due: Option<String>,
    /// Check and report, write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// The row as a spreadsheet numbers it: the heading is row 1.
    pub row: u64,
    /// The line of the file where the row starts (differs from `row` after multi-line cells).
    pub line: u64,
    pub problem: String,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvImportReport {
    pub file: String,
    pub session_id: String,
    pub dry_run: bool,
    /// Heading → what it was read as.
    pub mapped: Vec<(String, String)>,
    /// Headings left out (names, e-mails, tool bookkeeping …).
    pub ignored: Vec<String>,
    pub rows: u64,
    /// Rows read well (each gives a reaction form, a learning form, or both).
    pub imported_rows: u64,
    /// Rows that were imported before (the same answers at the same time).
    pub already_imported: u64,
    pub records_created: Vec<String>,
    pub problems: Vec<RowProblem>,
}

fn csv_error(path: &Path, problem: impl Into<String>) -> Error {
    Error::Invalid(format!("{}: {}", path.display(), problem.into()))
}

/// A heading as the automatic mapping compares it: lower case, letters and digits.
fn heading_key(h: &str) -> String {
    let lowered = h.to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    for c in lowered.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

/// What a heading means when no `--column` says: rules for the English headings that
/// LimeSurvey, Google Forms and Microsoft Forms write for such a form. Others need `--column`.
fn auto_target(heading: &str) -> Option<Target> {
    let k = heading_key(heading);
    let item = |i: &str| Some(Target::Item(i.to_string()));
    const SUBMITTED: &[&str] = &[
        "timestamp",
        "date submitted",
        "submitdate",
        "completion time",
        "submitted at",
        "submitted",
        "submission date",
        "recorded at",
    ];
    if SUBMITTED.contains(&k.as_str()) {
        return Some(Target::SubmittedAt);
    }
    let has = |words: &[&str]| words.iter().any(|w| k.contains(w));
    if has(&[
        "comment",
        "suggestion",
        "remark",
        "feedback",
        "anything else",
    ]) {
        return Some(Target::Comments);
    }
    if has(&["relevan"]) {
        return item("relevance");
    }
    if has(&["useful"]) {
        return item("usefulness");
    }
    if has(&["facilitat"]) {
        return item("facilitation");
    }
    if has(&["organis", "organiz", "logistic"]) {
        return item("organisation");
    }
    if has(&["overall"]) {
        return item("overall");
    }
    if has(&["before"]) {
        return item("before");
    }
    if has(&["after"]) {
        return item("after");
    }
    None
}

/// A rating as survey tools write it: `4`, `4.0`, `4 - Good`, `4/5`. `Ok(None)` for an
/// empty or "no answer" cell.
fn parse_rating(cell: &str) -> std::result::Result<Option<u8>, String> {
    let t = cell.trim();
    let lower = t.to_lowercase();
    if t.is_empty() || ["n/a", "na", "-", "no answer", "not applicable"].contains(&lower.as_str()) {
        return Ok(None);
    }
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let rest = t[digits.len()..].trim_start();
    let tail_ok = rest.is_empty()
        || rest == ".0"
        || rest == "/5"
        || rest.starts_with('-')
        || rest.starts_with('–')
        || rest.starts_with('(');
    match digits.parse::<u8>() {
        Ok(n @ 1..=5) if tail_ok => Ok(Some(n)),
        Ok(n) if tail_ok => Err(format!("{n} is not a rating from 1 to 5")),
        _ => Err(format!("`{t}` is not a rating from 1 to 5")),
    }
}

/// A submission time as survey tools write it, as an RFC 3339 UTC time (or a date).
/// LimeSurvey `2026-03-12 14:03:45`, Google Forms `2026/03/12 2:03:45 PM GMT+1`, ISO forms
/// with `T` and an offset or `Z`, and day-first `12.03.2026 14:03`. A time without an offset
/// is read as UTC.
fn parse_submitted(cell: &str) -> std::result::Result<Option<String>, String> {
    let t = cell.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(Some(format_timestamp(d.with_timezone(&Utc))));
    }
    if parse_timestamp(t).is_some() {
        return Ok(Some(t.to_string()));
    }
    // Google Forms: a 12-hour clock and a "GMT+h" zone name.
    let (body, offset_minutes) = match t.rsplit_once(" GMT") {
        Some((b, z)) => {
            let z = z.trim();
            let minutes = if z.is_empty() {
                Some(0)
            } else {
                let (sign, digits) = z.split_at(1);
                let (h, m) = digits.split_once(':').unwrap_or((digits, "0"));
                match (sign, h.parse::<i64>(), m.parse::<i64>()) {
                    ("+", Ok(h), Ok(m)) => Some(h * 60 + m),
                    ("-", Ok(h), Ok(m)) => Some(-(h * 60 + m)),
                    _ => None,
                }
            };
            match minutes {
                Some(m) => (b.trim(), m),
                None => return Err(format!("`{t}` has a time zone this import does not read")),
            }
        }
        None => (t, 0),
    };
    const FORMATS: &[&str] = &[
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %I:%M:%S %p",
        "%Y/%m/%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
    ];
    for f in FORMATS {
        if let Ok(local) = NaiveDateTime::parse_from_str(body, f) {
            let utc = local - chrono::Duration::minutes(offset_minutes);
            return Ok(Some(format_timestamp(utc.and_utc())));
        }
    }
    for f in ["%Y-%m-%d", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(body, f) {
            return Ok(Some(d.format("%Y-%m-%d").to_string()));
        }
    }
    Err(format!(
        "`{t}` is not a date and time this import reads (2026-03-12 14:03:45, 2026/03/12 2:03:45 PM GMT+1, 12.03.2026 14:03)"
    ))
}

/// The bytes of a CSV file as text: UTF-8, a byte-order mark dropped. Anything else is
/// refused with what to do about it.
fn read_csv_text(path: &Path) -> Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let mut bytes = vec![];
    file.take(MAX_CSV_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    if bytes.len() as u64 > MAX_CSV_BYTES {
        return Err(csv_error(
            path,
            format!("is larger than {} MiB", MAX_CSV_BYTES >> 20),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(csv_error(
            path,
            "is UTF-16 text; save or export it as \"CSV UTF-8\"",
        ));
    }
    let bytes = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF])
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        csv_error(
            path,
            format!(
                "is not UTF-8 text (byte {}); save or export it as \"CSV UTF-8\"",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The delimiter of the heading line: comma, semicolon (spreadsheets in many European
/// locales) or tab, whichever occurs most outside quotes.
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|i| (counts[*i], std::cmp::Reverse(*i)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// One row, read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Response {
    submitted_at: Option<String>,
    reaction: BTreeMap<String, u8>,
    learning: BTreeMap<String, u8>,
    comments: Option<String>,
}

/// What identifies an evaluation already in the workspace, for "imported before": its level,
/// time, ratings and comments.
fn identity(
    level: &str,
    at: Option<&str>,
    ratings: &BTreeMap<String, u8>,
    comments: Option<&str>,
) -> String {
    json!([level, at, ratings, comments]).to_string()
}

fn record_identity(r: &Record) -> String {
    let ratings: BTreeMap<String, u8> = r
        .content
        .get("ratings")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), u8::try_from(v.as_u64()?).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    identity(
        r.str("level").unwrap_or_default(),
        r.str("recorded_at"),
        &ratings,
        r.str("comments"),
    )
}

/// Imports a survey tool's CSV export of session `options.session_id`'s evaluation forms.
///
/// Each row is one respondent: its reaction ratings and comments become a `reaction` form,
/// its before/after self-assessment a `learning` form. Columns are mapped by heading (see
/// [`auto_target`]) or by `options.columns`; other columns (names, e-mails, the tool's
/// bookkeeping) are ignored and listed, so personal data in the export stays out. A row with
/// a bad value, the wrong number of cells or no answer at all is reported with its row number
/// and left out; the other rows are written in one transaction. A row imported before (the
/// same time, ratings and comments) is not written twice, so importing a later export of the
/// same survey adds only the new responses.
///
/// Fails, writing nothing, only when the file cannot be read as CSV, the session does not
/// exist, or no column can be mapped.
pub fn import_csv(
    ws: &mut Workspace,
    path: &Path,
    options: &CsvImportOptions,
) -> Result<CsvImportReport> {
    let session = ws.get(&options.session_id)?;
    if session.kind != Kind::Session {
        return Err(Error::Invalid(format!(
            "{} is not a session; evaluations belong to a session",
            session.label()
        )));
    }
    if let Some(d) = &options.follow_up_due {
        NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
            Error::Invalid(format!("follow-up date `{d}` is not a date (YYYY-MM-DD)"))
        })?;
    }
    let text = read_csv_text(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(&text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headings: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, format!("cannot read the heading row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headings.iter().all(String::is_empty) {
        return Err(csv_error(path, "has no heading row"));
    }
    if headings.len() > MAX_CSV_COLUMNS {
        return Err(csv_error(
            path,
            format!(
                "has {} columns; at most {MAX_CSV_COLUMNS} are read",
                headings.len()
            ),
        ));
    }

    // Map the columns: explicit ones first, then the automatic rules for the rest.
    let mut targets: Vec<Option<Target>> = vec![None; headings.len()];
    for (target, name) in &options.columns {
        let idx = headings
            .iter()
            .position(|h| h == name.trim())
            .or_else(|| {
                name.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=headings.len()).contains(n))
                    .map(|n| n - 1)
            })
            .ok_or_else(|| {
                csv_error(
                    path,
                    format!("has no column `{name}` (for {})", target.name()),
                )
            })?;
        targets[idx] = Some(target.clone());
    }
    let explicit: Vec<Target> = options.columns.iter().map(|(t, _)| t.clone()).collect();
    for (i, h) in headings.iter().enumerate() {
        if targets[i].is_none() {
            targets[i] = auto_target(h).filter(|t| !explicit.contains(t));
        }
    }
    let rows: Vec<csv::StringRecord> = {
        let mut rows = vec![];
        for (n, row) in reader.records().enumerate() {
            if n >= MAX_CSV_ROWS {
                return Err(csv_error(
                    path,
                    format!("has more than {MAX_CSV_ROWS} rows; split it"),
                ));
            }
            rows.push(row.map_err(|e| csv_error(path, format!("is not readable as CSV: {e}")))?);
        }
        rows
    };
    // A column whose cells hold no rating at all is text, whatever its heading says ("What
    // will you do after the session?").
    for (i, t) in targets.iter_mut().enumerate() {
        if matches!(t, Some(Target::Item(_)))
            && !explicit.contains(t.as_ref().unwrap_or(&Target::Comments))
        {
            let any_rating = rows
                .iter()
                .filter_map(|r| r.get(i))
                .any(|c| matches!(parse_rating(c), Ok(Some(_))));
            if !any_rating {
                *t = None;
            }
        }
    }
    for (i, t) in targets.iter().enumerate() {
        if let Some(t) = t {
            if let Some(j) = targets[..i].iter().position(|o| o.as_ref() == Some(t)) {
                return Err(csv_error(
                    path,
                    format!(
                        "columns `{}` and `{}` both read as {}; say which one with --column {}=HEADING",
                        headings[j],
                        headings[i],
                        t.name(),
                        t.name()
                    ),
                ));
            }
        }
    }
    if !targets
        .iter()
        .any(|t| matches!(t, Some(Target::Item(_) | Target::Comments)))
    {
        return Err(csv_error(
            path,
            format!(
                "no column reads as a rating or comments (headings: {}); map them with --column ITEM=HEADING (items: {}, comments, submitted_at)",
                headings.join(", "),
                REACTION_ITEMS.iter().chain(LEARNING_ITEMS).copied().collect::<Vec<_>>().join(", ")
            ),
        ));
    }

    let mut report = CsvImportReport {
        file: path.display().to_string(),
        session_id: session.id.clone(),
        dry_run: options.dry_run,
        mapped: headings
            .iter()
            .zip(&targets)
            .filter_map(|(h, t)| Some((h.clone(), t.as_ref()?.name())))
            .collect(),
        ignored: headings
            .iter()
            .zip(&targets)
            .filter(|(_, t)| t.is_none())
            .map(|(h, _)| h.clone())
            .collect(),
        rows: rows.len() as u64,
        ..Default::default()
    };

    let mut good: Vec<Response> = vec![];
    for (n, row) in rows.iter().enumerate() {
        let row_number = n as u64 + 2;
        // The reader's own line count misses a CRLF's line feed and so falls behind: count
        // the newlines before the row's first byte here (its position may point at the
        // previous row's terminator).
        let line = row.position().map_or(row_number, |p| {
            let bytes = text.as_bytes();
            let mut start = usize::try_from(p.byte())
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                start += 1;
            }
            1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
        });
        let problem = |p: String| RowProblem {
            row: row_number,
            line,
            problem: p,
        };
        if row.len() != headings.len() {
            report.problems.push(problem(format!(
                "has {} cells; the heading row has {}",
                row.len(),
                headings.len()
            )));
            continue;
        }
        let mut response = Response {
            submitted_at: None,
            reaction: BTreeMap::new(),
            learning: BTreeMap::new(),
            comments: None,
        };
        let mut errors = vec![];
        for (i, t) in targets.iter().enumerate() {
            let cell = &row[i];
            match t {
                None => {}
                Some(Target::Item(item)) => match parse_rating(cell) {
                    Ok(Some(v)) => {
                        let slot = if LEARNING_ITEMS.contains(&item.as_str()) {
                            &mut response.learning
                        } else {
                            &mut response.reaction
                        };
                        slot.insert(item.clone(), v);
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(format!("{item} (column `{}`): {e}", headings[i])),
                },
                Some(Target::Comments) => {
                    let c = cell.trim();
                    if c.len() > 100_000 {
                        errors.push("comments are longer than 100000 bytes".to_string());
                    } else if c
                        .chars()
                        .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
                    {
                        errors.push("comments contain control characters".to_string());
                    } else if !c.is_empty() {
                        response.comments = Some(match response.comments.take() {
                            Some(prev) => format!("{prev}\n\n{c}"),
                            None => c.to_string(),
                        });
                    }
                }
                Some(Target::SubmittedAt) => match parse_submitted(cell) {
                    Ok(t) => response.submitted_at = t,
                    Err(e) => errors.push(format!("submitted_at (column `{}`): {e}", headings[i])),
                },
            }
        }
        if !errors.is_empty() {
            report.problems.push(problem(errors.join("; ")));
            continue;
        }
        if response.reaction.is_empty()
            && response.learning.is_empty()
            && response.comments.is_none()
        {
            report.problems.push(problem(
                "has no answer (an empty or unfinished response)".into(),
            ));
            continue;
        }
        good.push(response);
    }

    // Imported before: count what the workspace holds per identity, and write only the
    // surplus (two respondents may well give the same answers at the same minute).
    let mut held: HashMap<String, usize> = HashMap::new();
    for r in evaluations_of(ws, &session.id)? {
        *held.entry(record_identity(&r)).or_default() += 1;
    }
    // A response without a submission time is dated by its session's day (else today's):
    // a stable date, so that importing the same file again recognises it.
    let undated = session
        .str("starts_at")
        .and_then(|s| s.get(..10))
        .map(str::to_string)
        .unwrap_or_else(|| ws.now().format("%Y-%m-%d").to_string());
    let mut forms: Vec<EvaluationForm> = vec![];
    for response in good {
        let mut parts = vec![];
        if !response.reaction.is_empty() || response.comments.is_some() {
            parts.push(EvaluationForm {
                level: "reaction".into(),
                ratings: response.reaction.clone(),
                comments: response.comments.clone(),
                recorded_at: Some(
                    response
                        .submitted_at
                        .clone()
                        .unwrap_or_else(|| undated.clone()),
                ),
                follow_up_due: options.follow_up_due.as_ref().map(|d| d.trim().to_string()),
            });
        }
        if !response.learning.is_empty() {
            parts.push(EvaluationForm {
                level: "learning".into(),
                ratings: response.learning.clone(),
                comments: None,
                recorded_at: Some(
                    response
                        .submitted_at
                        .clone()
                        .unwrap_or_else(|| undated.clone()),
                ),
                follow_up_due: None,
            });
        }
        // A response counts as imported before when all of its forms are there.
        let keys: Vec<String> = parts
            .iter()
            .map(|f| {
                identity(
                    &f.level,
                    f.recorded_at.as_deref(),
                    &f.ratings,
                    f.comments.as_deref(),
                )
            })
            .collect();
        if keys.iter().all(|k| held.get(k).copied().unwrap_or(0) > 0) {
            for k in &keys {
                if let Some(n) = held.get_mut(k) {
                    *n -= 1;
                }
            }
            report.already_imported += 1;
            continue;
        }
        report.imported_rows += 1;
        forms.extend(parts);
    }
    if !options.dry_run && !forms.is_empty() {
        let records = record_forms(ws, &session.id, &forms)?;
        report.records_created = records.into_iter().map(|r| r.id).collect();
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_as_survey_tools_write_them() {
        for (cell, want) in [
            ("4", Some(4)),
            (" 5 ", Some(5)),
            ("3.0", Some(3)),
            ("2 - Poor", Some(2)),
            ("4/5", Some(4)),
            ("", None),
            ("N/A", None),
        ] {
            assert_eq!(parse_rating(cell), Ok(want), "{cell}");
        }
        for bad in ["0", "6", "4.5", "good", "-1", "10"] {
            assert!(parse_rating(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn submission_times_as_survey_tools_write_them() {
        let ok = |s: &str| parse_submitted(s).unwrap().unwrap();
        assert_eq!(ok("2026-03-12 14:03:45"), "2026-03-12T14:03:45Z");
        assert_eq!(ok("2026/03/12 2:03:45 PM GMT+1"), "2026-03-12T13:03:45Z");
        assert_eq!(ok("2026/03/12 11:59:00 PM GMT-2"), "2026-03-13T01:59:00Z");
        assert_eq!(ok("2026-03-12T14:03:45+02:00"), "2026-03-12T12:03:45Z");
        assert_eq!(ok("12.03.2026 14:03"), "2026-03-12T14:03:00Z");
        assert_eq!(ok("2026-03-12"), "2026-03-12");
        assert_eq!(parse_submitted(" ").unwrap(), None);
        assert!(parse_submitted("yesterday").is_err());
        assert!(parse_submitted("2026-02-30 10:00:00").is_err());
    }

    #[test]
    fn headings_map_to_items() {
        let t = |h: &str| auto_target(h).map(|t| t.name());
        assert_eq!(t("Timestamp").as_deref(), Some("submitted_at"));
        assert_eq!(t("Date submitted").as_deref(), Some("submitted_at"));
        assert_eq!(t("Date started"), None);
        assert_eq!(
            t("How would you rate the session? [Relevance to my work]").as_deref(),
            Some("relevance")
        );
        assert_eq!(
            t("Organisation and logistics").as_deref(),
            Some("organisation")
        );
        assert_eq!(
            t("Any other comments or suggestions?").as_deref(),
            Some("comments")
        );
        assert_eq!(
            t("My knowledge of the topic BEFORE the session").as_deref(),
            Some("before")
        );
        assert_eq!(t("Email Address"), None);
    }

    #[test]
    fn the_delimiter_is_the_heading_rows() {
        assert_eq!(sniff_delimiter("a;b;\"c,d\"\n1,2,3"), b';');
        assert_eq!(sniff_delimiter("a,b,c\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
    }
}
