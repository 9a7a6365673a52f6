//! The dynamic learning agenda over time: agenda reviews and the learning history they make.
//!
//! A **review** (a record of kind `review`) is a dated snapshot of every learning question,
//! taken at a meeting (a session): for each question its `status`, `priority`,
//! `provisional_answer` and `owner_org` at that moment. Reviews are ordinary records, so they
//! have revisions, are found by search and travel in bundles; this module reads them back as
//! a sequence, ordered by `taken_at` (a review without one counts from its `created_at`), then
//! by id.
//!
//! An entry without a `status` (possible in a review written by hand) reads as `open`: a
//! question nobody has answered yet.
//!
//! ## Comparing two reviews
//!
//! [`diff`] compares review A (before) with review B (after) question by question. Each
//! question whose snapshot differs lands in exactly one list:
//! - `added`: in B, not in A (a new question, or one that came back to the agenda);
//! - `resolved`: in both, `resolved` in B and not in A;
//! - `dropped`: in both, `dropped` in B and not in A; or in A and not in B (it left the
//!   agenda: deleted, or the question did not exist where B was taken);
//! - `changed`: in both, any other difference of status (a reopened question among them),
//!   priority, provisional answer or owner.
//!
//! A question whose snapshot is the same in both is in none. Each item carries the question's
//! snapshot before (`null` when added) and after (`null` when it left the agenda).
//!
//! ## The learning history
//!
//! [`history`] walks the reviews in order. For each question: the review in which it first
//! appeared, every change between consecutive reviews (appeared, changed, resolved, dropped,
//! reopened, removed from the agenda, returned to it), when it was last resolved or dropped,
//! and its **open streak**: the number of consecutive reviews, up to and including the
//! latest one, in which it was open (`open` or `provisional`). A question is **persistent**
//! when its streak reaches the threshold (3 by default: open in three reviews in a row); a
//! question missing from a review breaks its streak. Questions are also grouped by theme and
//! by owner partner.
//!
//! The threshold is a parameter, not stored here: the app keeps it as a setting of its own
//! and passes it in; the command line takes `--persistent-after`.

use crate::error::{Error, Result, SqlContext};
use crate::kind::Kind;
use crate::schema::format_timestamp;
use crate::store::{ListQuery, Record, Workspace};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Open in this many consecutive reviews makes a question persistent, unless a setting says
/// otherwise.
pub const DEFAULT_PERSISTENCE_THRESHOLD: usize = 3;

/// A question's state as a review saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// `open`, `provisional`, `resolved` or `dropped`.
    pub status: String,
    pub priority: Option<String>,
    pub provisional_answer: Option<String>,
    pub owner_org: Option<String>,
}

impl Snapshot {
    /// Whether the question is still being worked on: open, or with a provisional answer.
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "open" | "provisional")
    }

    fn from_fields(fields: &Map<String, Value>) -> Snapshot {
        let text = |name: &str| {
            fields
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|s| !s.trim().is_empty())
        };
        Snapshot {
            status: text("status").unwrap_or_else(|| "open".to_string()),
            priority: text("priority"),
            provisional_answer: text("provisional_answer"),
            owner_org: text("owner_org"),
        }
    }
}

/// One question in a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEntry {
    pub question_id: String,
    #[serde(flatten)]
    pub snapshot: Snapshot,
}

/// A review record, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: String,
    pub title: String,
    pub session_id: String,
    /// When it was taken: `taken_at`, else when the record was created.
    pub taken_at: String,
    pub remarks: Option<String>,
    pub entries: Vec<ReviewEntry>,
}

impl Review {
    /// Reads a review record. Fails if `record` is not a live review.
    pub fn from_record(record: &Record) -> Result<Review> {
        if record.kind != Kind::Review || record.deleted {
            return Err(Error::Invalid(format!(
                "{} is not a review of the learning agenda",
                record.label()
            )));
        }
        let entries = record
            .content
            .get("entries")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_object)
                    .filter_map(|e| {
                        Some(ReviewEntry {
                            question_id: e.get("question_id")?.as_str()?.to_string(),
                            snapshot: Snapshot::from_fields(e),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Review {
            id: record.id.clone(),
            title: record.title().to_string(),
            session_id: record.str("session_id").unwrap_or_default().to_string(),
            taken_at: record
                .str("taken_at")
                .or_else(|| record.str("created_at"))
                .unwrap_or_default()
                .to_string(),
            remarks: record.str("remarks").map(str::to_string),
            entries,
        })
    }

    /// The entries by question id: a lookup per question, not a scan, when a history walks
    /// thousands of questions through hundreds of reviews.
    fn by_question(&self) -> HashMap<&str, &Snapshot> {
        self.entries
            .iter()
            .map(|e| (e.question_id.as_str(), &e.snapshot))
            .collect()
    }

    /// The order of reviews: by time taken (a bare date counts as its midnight), then id.
    fn order_key(&self) -> (String, String) {
        let t = if self.taken_at.len() == 10 {
            format!("{}T00:00:00Z", self.taken_at)
        } else {
            self.taken_at.clone()
        };
        (t, self.id.clone())
    }
}

/// Takes a review of the learning agenda at session `session_id`: one new review record
/// holding every live question's status, priority, provisional answer and owner, taken now
/// (the workspace's clock), with the facilitator's `remarks`. One transaction: the snapshot
/// is the agenda as it stands when the review is written.
pub fn take_review(ws: &mut Workspace, session_id: &str, remarks: Option<&str>) -> Result<Record> {
    let now = ws.now();
    let remarks = remarks.map(str::trim).filter(|r| !r.is_empty());
    ws.write(|w| {
        let session = w.get(session_id)?;
        if session.kind != Kind::Session {
            return Err(Error::field(
                "new review",
                "session_id",
                format!("{} is not a session", session.label()),
            ));
        }
        let ids: Vec<String> = {
            let mut stmt = w
                .tx()
                .prepare(
                    "SELECT id FROM records WHERE kind = 'question' AND deleted = 0 ORDER BY id",
                )
                .ctx("list the learning questions")?;
            let rows = stmt
                .query_map([], |r| r.get(0))
                .ctx("list the learning questions")?;
            rows.collect::<rusqlite::Result<_>>()
                .ctx("list the learning questions")?
        };
        if ids.is_empty() {
            return Err(Error::Invalid(
                "the learning agenda has no questions yet: there is nothing to review".into(),
            ));
        }
        let mut entries = Vec::with_capacity(ids.len());
        for id in &ids {
            let q = w.get(id)?;
            let s = Snapshot::from_fields(&q.content);
            let mut e = json!({"question_id": q.id, "status": s.status});
            for (name, v) in [
                ("priority", &s.priority),
                ("provisional_answer", &s.provisional_answer),
                ("owner_org", &s.owner_org),
            ] {
                if let Some(v) = v {
                    e[name] = json!(v);
                }
            }
            entries.push(e);
        }
        let mut content = Map::new();
        content.insert(
            "title".into(),
            json!(format!(
                "Agenda review — {} ({})",
                session.title(),
                now.format("%Y-%m-%d")
            )),
        );
        content.insert("session_id".into(), json!(session.id));
        content.insert("taken_at".into(), json!(format_timestamp(now)));
        if let Some(r) = remarks {
            content.insert("remarks".into(), json!(r));
        }
        content.insert("entries".into(), Value::Array(entries));
        w.create(Kind::Review, content)
    })
}

/// Every live review, oldest first (see the module doc for the order).
pub fn reviews(ws: &Workspace) -> Result<Vec<Review>> {
    let records = ws.list(&ListQuery {
        kind: Some(Kind::Review),
        ..Default::default()
    })?;
    let mut out = records
        .iter()
        .map(Review::from_record)
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(Review::order_key);
    Ok(out)
}

/// Review `id`.
pub fn review(ws: &Workspace, id: &str) -> Result<Review> {
    Review::from_record(&ws.get(id)?)
}

/// How a question's snapshot moved from one review to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// First seen in any review.
    Appeared,
    /// Back on the agenda after a review without it.
    Returned,
    Changed,
    Resolved,
    Dropped,
    /// Open or provisional again after being resolved or dropped.
    Reopened,
    /// No longer in the review (the question was deleted).
    Removed,
}

impl Change {
    /// The change as a word, as `--json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Appeared => "appeared",
            Change::Returned => "returned",
            Change::Changed => "changed",
            Change::Resolved => "resolved",
            Change::Dropped => "dropped",
            Change::Reopened => "reopened",
            Change::Removed => "removed",
        }
    }
}

/// The change from `before` to `after`, or `None` when nothing changed. `seen_before` says
/// whether the question was in any earlier review (appeared or returned).
fn classify(
    before: Option<&Snapshot>,
    after: Option<&Snapshot>,
    seen_before: bool,
) -> Option<Change> {
    match (before, after) {
        (None, None) => None,
        (None, Some(_)) => Some(if seen_before {
            Change::Returned
        } else {
            Change::Appeared
        }),
        (Some(_), None) => Some(Change::Removed),
        (Some(b), Some(a)) if a == b => None,
        (Some(b), Some(a)) => Some(if a.status == "resolved" && b.status != "resolved" {
            Change::Resolved
        } else if a.status == "dropped" && b.status != "dropped" {
            Change::Dropped
        } else if a.is_open() && !b.is_open() {
            Change::Reopened
        } else {
            Change::Changed
        }),
    }
}

/// One question in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffItem {
    pub question_id: String,
    /// The question's current title (its last one if deleted); `None` when this workspace
    /// does not have it, or for a diff made without a workspace.
    pub title: Option<String>,
    pub before: Option<Snapshot>,
    pub after: Option<Snapshot>,
}

/// What changed between two reviews; see the module doc for what each list holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDiff {
    pub from: String,
    pub to: String,
    pub added: Vec<DiffItem>,
    pub resolved: Vec<DiffItem>,
    pub dropped: Vec<DiffItem>,
    pub changed: Vec<DiffItem>,
}

/// Compares review `a` (before) with review `b` (after). Each list is ordered by question id.
pub fn diff(a: &Review, b: &Review) -> ReviewDiff {
    let mut ids: Vec<&str> = a
        .entries
        .iter()
        .chain(&b.entries)
        .map(|e| e.question_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = ReviewDiff {
        from: a.id.clone(),
        to: b.id.clone(),
        added: vec![],
        resolved: vec![],
        dropped: vec![],
        changed: vec![],
    };
    let (in_a, in_b) = (a.by_question(), b.by_question());
    for id in ids {
        let (before, after) = (in_a.get(id).copied(), in_b.get(id).copied());
        let Some(change) = classify(before, after, false) else {
            continue;
        };
        let item = DiffItem {
            question_id: id.to_string(),
            title: None,
            before: before.cloned(),
            after: after.cloned(),
        };
        match change {
            Change::Appeared | Change::Returned => out.added.push(item),
            Change::Resolved => out.resolved.push(item),
            Change::Dropped | Change::Removed => out.dropped.push(item),
            Change::Changed | Change::Reopened => out.changed.push(item),
        }
    }
    out
}

/// As [`diff`], for reviews `a` and `b` of the workspace, with the questions' titles.
pub fn diff_reviews(ws: &Workspace, a: &str, b: &str) -> Result<ReviewDiff> {
    let (a, b) = (review(ws, a)?, review(ws, b)?);
    let mut d = diff(&a, &b);
    let mut titles = Titles::new(ws);
    for item in d
        .added
        .iter_mut()
        .chain(&mut d.resolved)
        .chain(&mut d.dropped)
        .chain(&mut d.changed)
    {
        item.title = titles.question(&item.question_id)?.map(|q| q.title);
    }
    Ok(d)
}

/// A question as the history shows it: its title and theme now, or as last known if deleted.
#[derive(Clone)]
struct QuestionInfo {
    title: String,
    theme: Option<String>,
    owner_org: Option<String>,
    deleted: bool,
}

/// Titles of questions and other records, looked up once each.
struct Titles<'a> {
    ws: &'a Workspace,
    questions: HashMap<String, Option<QuestionInfo>>,
    records: HashMap<String, Option<String>>,
}

impl<'a> Titles<'a> {
    fn new(ws: &'a Workspace) -> Self {
        Titles {
            ws,
            questions: HashMap::new(),
            records: HashMap::new(),
        }
    }

    fn question(&mut self, id: &str) -> Result<Option<QuestionInfo>> {
        if let Some(found) = self.questions.get(id) {
            return Ok(found.clone());
        }
        let info = match self.ws.get_any(id) {
            Ok(r) => {
                // A deleted question's tombstone has no fields: its last live revision does.
                let content = if r.deleted {
                    self.ws
                        .history(id)?
                        .into_iter()
                        .find_map(|rev| rev.content.filter(|c| c.contains_key("title")))
                        .unwrap_or_default()
                } else {
                    r.content.clone()
                };
                let text = |f: &str| content.get(f).and_then(Value::as_str).map(str::to_string);
                Some(QuestionInfo {
                    title: text("title").unwrap_or_else(|| id.to_string()),
                    theme: text("theme"),
                    owner_org: text("owner_org"),
                    deleted: r.deleted,
                })
            }
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        self.questions.insert(id.to_string(), info.clone());
        Ok(info)
    }

    /// The title of any record (an organisation, a session).
    fn record(&mut self, id: &str) -> Result<Option<String>> {
        if let Some(found) = self.records.get(id) {
            return Ok(found.clone());
        }
        let name = match self.ws.get_any(id) {
            Ok(r) => Some(r.title().to_string()).filter(|t| !t.is_empty()),
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        self.records.insert(id.to_string(), name.clone());
        Ok(name)
    }
}

/// One review in the history: when, where, and the agenda's state then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: String,
    pub title: String,
    pub session_id: String,
    pub session_title: Option<String>,
    pub taken_at: String,
    pub remarks: Option<String>,
    pub questions: usize,
    pub open: usize,
    pub provisional: usize,
    pub resolved: usize,
    pub dropped: usize,
    /// Questions whose open streak reached the threshold at this review.
    pub persistent: usize,
}

/// One step of a question's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub review_id: String,
    pub taken_at: String,
    pub change: Change,
    pub before: Option<Snapshot>,
    pub after: Option<Snapshot>,
}

/// One question across the reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionHistory {
    pub question_id: String,
    pub title: String,
    pub theme: Option<String>,
    /// The owner in the latest review that holds the question (else the question's own).
    pub owner_org: Option<String>,
    pub owner_name: Option<String>,
    /// The question record is deleted (or unknown here).
    pub deleted: bool,
    pub first_review: String,
    pub first_seen_at: String,
    /// The last review that found it resolved after it was not (cleared when reopened).
    pub resolved_in: Option<String>,
    pub dropped_in: Option<String>,
    /// Its status in the latest review that holds it.
    pub last_status: String,
    /// Whether the latest review holds it.
    pub on_agenda: bool,
    /// Consecutive reviews up to the latest in which it was open or provisional.
    pub open_streak: usize,
    pub longest_open_streak: usize,
    pub persistent: bool,
    pub events: Vec<HistoryEvent>,
}

/// Questions of one theme or one owner, counted by their last status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryGroup {
    /// The theme's text or the owner's id; empty for questions without one.
    pub key: String,
    pub label: String,
    pub questions: usize,
    pub open: usize,
    pub provisional: usize,
    pub resolved: usize,
    pub dropped: usize,
    pub persistent: usize,
    pub question_ids: Vec<String>,
}

/// The learning history: the reviews in order and every question across them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearningHistory {
    pub persistence_threshold: usize,
    pub reviews: Vec<ReviewSummary>,
    /// Every question any review holds, persistent ones first, then by first appearance.
    pub questions: Vec<QuestionHistory>,
    pub by_theme: Vec<HistoryGroup>,
    pub by_owner: Vec<HistoryGroup>,
}

/// For each review in order, each question's open streak at that review.
pub(crate) fn open_streaks(reviews: &[Review]) -> Vec<BTreeMap<String, usize>> {
    let mut out: Vec<BTreeMap<String, usize>> = Vec::with_capacity(reviews.len());
    for (k, r) in reviews.iter().enumerate() {
        let mut now = BTreeMap::new();
        for e in &r.entries {
            let streak = if e.snapshot.is_open() {
                1 + k
                    .checked_sub(1)
                    .and_then(|p| out[p].get(&e.question_id))
                    .copied()
                    .unwrap_or(0)
            } else {
                0
            };
            now.insert(e.question_id.clone(), streak);
        }
        out.push(now);
    }
    out
}

/// The agenda's state at one review, over the entries `keep` accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaPoint {
    pub review_id: String,
    pub taken_at: String,
    pub session_id: String,
    pub open: usize,
    pub provisional: usize,
    pub resolved: usize,
    pub dropped: usize,
    pub persistent: usize,
}

/// Counts per status and the persistent count at each review, over the entries `keep`
/// accepts (all of them for the whole agenda; one owner's for a partner).
pub fn agenda_progress(
    reviews: &[Review],
    threshold: usize,
    keep: &dyn Fn(&ReviewEntry) -> bool,
) -> Vec<AgendaPoint> {
    let streaks = open_streaks(reviews);
    reviews
        .iter()
        .zip(&streaks)
        .map(|(r, s)| {
            let mut p = AgendaPoint {
                review_id: r.id.clone(),
                taken_at: r.taken_at.clone(),
                session_id: r.session_id.clone(),
                open: 0,
                provisional: 0,
                resolved: 0,
                dropped: 0,
                persistent: 0,
            };
            for e in r.entries.iter().filter(|e| keep(e)) {
                match e.snapshot.status.as_str() {
                    "provisional" => p.provisional += 1,
                    "resolved" => p.resolved += 1,
                    "dropped" => p.dropped += 1,
                    _ => p.open += 1,
                }
                if threshold > 0 && s.get(&e.question_id).copied().unwrap_or(0) >= threshold {
                    p.persistent += 1;
                }
            }
            p
        })
        .collect()
}

/// The learning history of the workspace's reviews. `threshold`: open in this many
/// consecutive reviews makes a question persistent (at least 1).
pub fn history(ws: &Workspace, threshold: usize) -> Result<LearningHistory> {
    let threshold = threshold.max(1);
    let reviews = reviews(ws)?;
    let mut titles = Titles::new(ws);
    let progress = agenda_progress(&reviews, threshold, &|_| true);
    let mut summaries = Vec::with_capacity(reviews.len());
    for (r, p) in reviews.iter().zip(progress) {
        summaries.push(ReviewSummary {
            id: r.id.clone(),
            title: r.title.clone(),
            session_title: titles.record(&r.session_id)?,
            session_id: r.session_id.clone(),
            taken_at: r.taken_at.clone(),
            remarks: r.remarks.clone(),
            questions: r.entries.len(),
            open: p.open,
            provisional: p.provisional,
            resolved: p.resolved,
            dropped: p.dropped,
            persistent: p.persistent,
        });
    }

    // Questions in order of first appearance.
    let mut order: Vec<String> = vec![];
    let mut known: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for r in &reviews {
        for e in &r.entries {
            if known.insert(e.question_id.as_str()) {
                order.push(e.question_id.clone());
            }
        }
    }
    let lookups: Vec<HashMap<&str, &Snapshot>> = reviews.iter().map(Review::by_question).collect();
    let streaks = open_streaks(&reviews);
    let mut questions = Vec::with_capacity(order.len());
    for id in &order {
        let mut events = vec![];
        let mut prev: Option<&Snapshot> = None;
        let mut seen = false;
        let (mut resolved_in, mut dropped_in) = (None, None);
        let mut last: Option<&Snapshot> = None;
        let mut longest = 0;
        for (k, r) in reviews.iter().enumerate() {
            let now = lookups[k].get(id.as_str()).copied();
            if let Some(change) = classify(prev, now, seen) {
                match change {
                    Change::Resolved => resolved_in = Some(r.id.clone()),
                    Change::Dropped => dropped_in = Some(r.id.clone()),
                    Change::Reopened => {
                        resolved_in = None;
                        dropped_in = None;
                    }
                    _ => {}
                }
                if matches!(change, Change::Appeared | Change::Returned) {
                    let status = now.map(|s| s.status.as_str());
                    if status == Some("resolved") {
                        resolved_in = Some(r.id.clone());
                    } else if status == Some("dropped") {
                        dropped_in = Some(r.id.clone());
                    }
                }
                events.push(HistoryEvent {
                    review_id: r.id.clone(),
                    taken_at: r.taken_at.clone(),
                    change,
                    before: prev.cloned(),
                    after: now.cloned(),
                });
            }
            if now.is_some() {
                seen = true;
                last = now;
            }
            longest = longest.max(streaks[k].get(id).copied().unwrap_or(0));
            prev = now;
        }
        let open_streak = streaks.last().and_then(|s| s.get(id)).copied().unwrap_or(0);
        let info = titles.question(id)?;
        let last = last
            .cloned()
            .unwrap_or_else(|| Snapshot::from_fields(&Map::new()));
        let owner_org = last
            .owner_org
            .clone()
            .or_else(|| info.as_ref().and_then(|i| i.owner_org.clone()));
        let owner_name = match &owner_org {
            Some(o) => titles.record(o)?,
            None => None,
        };
        let first = events.first();
        questions.push(QuestionHistory {
            question_id: id.clone(),
            title: info
                .as_ref()
                .map(|i| i.title.clone())
                .unwrap_or_else(|| id.clone()),
            theme: info.as_ref().and_then(|i| i.theme.clone()),
            owner_org,
            owner_name,
            deleted: info.as_ref().is_none_or(|i| i.deleted),
            first_review: first.map(|e| e.review_id.clone()).unwrap_or_default(),
            first_seen_at: first.map(|e| e.taken_at.clone()).unwrap_or_default(),
            resolved_in,
            dropped_in,
            last_status: last.status.clone(),
            on_agenda: lookups.last().is_some_and(|l| l.contains_key(id.as_str())),
            open_streak,
            longest_open_streak: longest,
            persistent: open_streak >= threshold,
            events,
        });
    }
    let by_theme = group(&questions, |q| {
        let theme = q.theme.clone().unwrap_or_default();
        let label = if theme.is_empty() {
            "(no theme)".to_string()
        } else {
            theme.clone()
        };
        (theme, label)
    });
    let by_owner = group(&questions, |q| {
        let key = q.owner_org.clone().unwrap_or_default();
        let label = q.owner_name.clone().unwrap_or_else(|| {
            if key.is_empty() {
                "(no owner)".to_string()
            } else {
                key.clone()
            }
        });
        (key, label)
    });
    // Persistent questions first (the longest streaks on top), then by first appearance.
    questions.sort_by_key(|q| std::cmp::Reverse(if q.persistent { q.open_streak } else { 0 }));
    Ok(LearningHistory {
        persistence_threshold: threshold,
        reviews: summaries,
        questions,
        by_theme,
        by_owner,
    })
}

/// Groups `questions` by the `(key, label)` that `by` gives, ordered by label (the group
/// without a key last).
fn group(
    questions: &[QuestionHistory],
    by: impl Fn(&QuestionHistory) -> (String, String),
) -> Vec<HistoryGroup> {
    let mut groups: BTreeMap<(bool, String, String), HistoryGroup> = BTreeMap::new();
    for q in questions {
        let (key, label) = by(q);
        let g = groups
            .entry((key.is_empty(), label.to_lowercase(), key.clone()))
            .or_insert_with(|| HistoryGroup {
                key,
                label,
                questions: 0,
                open: 0,
                provisional: 0,
                resolved: 0,
                dropped: 0,
                persistent: 0,
                question_ids: vec![],
            });
        g.questions += 1;
        match q.last_status.as_str() {
            "provisional" => g.provisional += 1,
            "resolved" => g.resolved += 1,
            "dropped" => g.dropped += 1,
            _ => g.open += 1,
        }
        g.persistent += usize::from(q.persistent);
        g.question_ids.push(q.question_id.clone());
    }
    groups.into_values().collect()
}

// ---- for reports ---------------------------------------------------------------------------

/// One step of a question's history as a report shows it beside the question's revisions:
/// when, which review (at which session), and what the review found, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewNote {
    /// When the review was taken (RFC 3339, or a date).
    pub at: String,
    /// `agenda review at <session>`.
    pub who: String,
    pub changes: Vec<String>,
}

fn snapshot_words(s: &Snapshot) -> String {
    match &s.priority {
        Some(p) => format!("{}, {p}", s.status),
        None => s.status.clone(),
    }
}

/// The review steps of question `question_id` in `history`, oldest first: what a report
/// merges by time with the question's own revisions (`report::question_history`). A
/// persistent question's last step says so.
pub fn review_notes(history: &LearningHistory, question_id: &str) -> Vec<ReviewNote> {
    let Some(q) = history
        .questions
        .iter()
        .find(|q| q.question_id == question_id)
    else {
        return vec![];
    };
    let session_of = |review_id: &str| {
        history
            .reviews
            .iter()
            .find(|r| r.id == review_id)
            .map(|r| {
                r.session_title
                    .clone()
                    .unwrap_or_else(|| r.session_id.clone())
            })
            .unwrap_or_default()
    };
    let mut out: Vec<ReviewNote> = q
        .events
        .iter()
        .map(|e| {
            let mut changes = vec![];
            match (e.change, &e.before, &e.after) {
                (Change::Appeared | Change::Returned, _, Some(a)) => changes.push(format!(
                    "{} the agenda ({})",
                    if e.change == Change::Appeared {
                        "on"
                    } else {
                        "back on"
                    },
                    snapshot_words(a)
                )),
                (Change::Removed, _, _) => changes.push("no longer on the agenda".into()),
                (_, Some(b), Some(a)) => {
                    if a.status != b.status {
                        changes.push(format!("status {} → {}", b.status, a.status));
                    }
                    if a.priority != b.priority {
                        changes.push(format!(
                            "priority {} → {}",
                            b.priority.as_deref().unwrap_or("none"),
                            a.priority.as_deref().unwrap_or("none")
                        ));
                    }
                    if a.provisional_answer != b.provisional_answer {
                        changes.push(match &a.provisional_answer {
                            Some(_) => "provisional answer changed".into(),
                            None => "provisional answer removed".into(),
                        });
                    }
                    if a.owner_org != b.owner_org {
                        changes.push("owner changed".into());
                    }
                }
                _ => {}
            }
            ReviewNote {
                at: e.taken_at.clone(),
                who: format!("agenda review at {}", session_of(&e.review_id)),
                changes,
            }
        })
        .collect();
    if q.persistent {
        if let Some(last) = history.reviews.last() {
            let note = format!("persistent: open in {} reviews in a row", q.open_streak);
            match out.last_mut().filter(|n| n.at == last.taken_at) {
                Some(n) => n.changes.push(note),
                None => out.push(ReviewNote {
                    at: last.taken_at.clone(),
                    who: format!("agenda review at {}", session_of(&last.id)),
                    changes: vec![note],
                }),
            }
        }
    }
    out
}

/// Text placed in a Markdown line without being read as structure.
fn md_text(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
        .trim()
        .chars()
        .flat_map(|c| match c {
            '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// The learning history as a Markdown section for the agenda report: the reviews with the
/// agenda's state at each, the persistent questions, and the questions per theme and per
/// owner partner. Empty when there are no reviews.
pub fn history_markdown(history: &LearningHistory) -> String {
    use std::fmt::Write as _;
    if history.reviews.is_empty() {
        return String::new();
    }
    let mut md = String::from("## Learning history\n\n");
    md.push_str("| Review | Session | Open | Provisional | Resolved | Dropped | Persistent |\n");
    md.push_str("|---|---|---:|---:|---:|---:|---:|\n");
    for r in &history.reviews {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md_text(r.taken_at.get(..10).unwrap_or(&r.taken_at)),
            md_text(r.session_title.as_deref().unwrap_or(&r.session_id)),
            r.open,
            r.provisional,
            r.resolved,
            r.dropped,
            r.persistent
        );
    }
    let persistent: Vec<&QuestionHistory> =
        history.questions.iter().filter(|q| q.persistent).collect();
    let _ = writeln!(
        md,
        "\n### Persistent questions ({})\n\nOpen in {} or more reviews in a row: problems that may be systemic.\n",
        persistent.len(),
        history.persistence_threshold
    );
    for q in &persistent {
        let _ = writeln!(
            md,
            "- **{}** — open in {} reviews in a row, since {}",
            md_text(&q.title),
            q.open_streak,
            md_text(q.first_seen_at.get(..10).unwrap_or(&q.first_seen_at))
        );
    }
    for (title, groups) in [
        ("By theme", &history.by_theme),
        ("By owner", &history.by_owner),
    ] {
        let _ = writeln!(
            md,
            "\n### {title}\n\n| | Questions | Open | Provisional | Resolved | Dropped | Persistent |\n|---|---:|---:|---:|---:|---:|---:|"
        );
        for g in groups {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                md_text(&g.label),
                g.questions,
                g.open,
                g.provisional,
                g.resolved,
                g.dropped,
                g.persistent
            );
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(status: &str, priority: Option<&str>) -> Snapshot {
        Snapshot {
            status: status.into(),
            priority: priority.map(str::to_string),
            provisional_answer: None,
            owner_org: None,
        }
    }

    fn review(id: &str, entries: &[(&str, Snapshot)]) -> Review {
        Review {
            id: id.into(),
            title: id.into(),
            session_id: "s".into(),
            taken_at: "2026-01-01T00:00:00Z".into(),
            remarks: None,
            entries: entries
                .iter()
                .map(|(q, s)| ReviewEntry {
                    question_id: (*q).into(),
                    snapshot: s.clone(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_difference_lands_in_exactly_one_list() {
        let a = review(
            "a",
            &[
                ("q1", snap("open", None)),
                ("q2", snap("open", None)),
                ("q3", snap("provisional", None)),
                ("q4", snap("open", Some("low"))),
                ("q5", snap("resolved", None)),
                ("q6", snap("open", None)),
                ("q7", snap("open", None)),
            ],
        );
        let b = review(
            "b",
            &[
                ("q1", snap("open", None)),
                ("q2", snap("resolved", None)),
                ("q3", snap("dropped", None)),
                ("q4", snap("open", Some("high"))),
                ("q5", snap("open", None)),
                ("q6", snap("provisional", None)),
                ("q8", snap("open", None)),
            ],
        );
        let d = diff(&a, &b);
        let ids = |l: &[DiffItem]| l.iter().map(|i| i.question_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.added), ["q8"]);
        assert_eq!(ids(&d.resolved), ["q2"]);
        assert_eq!(ids(&d.dropped), ["q3", "q7"]);
        assert_eq!(ids(&d.changed), ["q4", "q5", "q6"]);
        assert_eq!(d.dropped[1].after, None);
        assert_eq!(d.added[0].before, None);
        // Nothing changes between a review and itself.
        let same = diff(&b, &b);
        assert!(same.added.is_empty() && same.changed.is_empty() && same.dropped.is_empty());
    }

    #[test]
    fn streaks_break_on_a_closed_or_missing_review() {
        let o = || snap("open", None);
        let reviews = [
            review("r1", &[("q", o()), ("p", o())]),
            review("r2", &[("q", snap("provisional", None)), ("p", o())]),
            review("r3", &[("q", o())]),
            review("r4", &[("q", o()), ("p", o())]),
        ];
        let s = open_streaks(&reviews);
        assert_eq!(s[2]["q"], 3);
        assert_eq!(s[3]["q"], 4);
        assert_eq!(s[3]["p"], 1, "p was missing from r3");
        let progress = agenda_progress(&reviews, 3, &|_| true);
        let persistent: Vec<_> = progress.iter().map(|p| p.persistent).collect();
        assert_eq!(persistent, [0, 0, 1, 1]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const STATUS: &[&str] = &["open", "provisional", "resolved", "dropped"];

        /// A review of up to 6 questions (q0..q5), each present or not, with a status and
        /// a priority.
        fn a_review() -> impl Strategy<Value = Vec<Option<(usize, usize)>>> {
            proptest::collection::vec(proptest::option::of((0..4usize, 0..3usize)), 6)
        }

        fn build(id: &str, spec: &[Option<(usize, usize)>]) -> Review {
            let entries: Vec<(String, Snapshot)> = spec
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    let (st, pr) = (*e)?;
                    Some((
                        format!("q{i}"),
                        snap(STATUS[st], Some(["low", "medium", "high"][pr])),
                    ))
                })
                .collect();
            let refs: Vec<(&str, Snapshot)> = entries
                .iter()
                .map(|(q, s)| (q.as_str(), s.clone()))
                .collect();
            review(id, &refs)
        }

        proptest! {
            #[test]
            fn each_difference_is_in_exactly_one_list(a in a_review(), b in a_review()) {
                let (ra, rb) = (build("a", &a), build("b", &b));
                let d = diff(&ra, &rb);
                for i in 0..6 {
                    let q = format!("q{i}");
                    let n = [&d.added, &d.resolved, &d.dropped, &d.changed]
                        .iter()
                        .filter(|l| l.iter().any(|x| x.question_id == q))
                        .count();
                    let differs = build("a", &a).entries.iter().find(|e| e.question_id == q).map(|e| &e.snapshot)
                        != build("b", &b).entries.iter().find(|e| e.question_id == q).map(|e| &e.snapshot);
                    prop_assert_eq!(n, usize::from(differs), "{}", q);
                }
                // Backwards, what was added has left the agenda.
                let back = diff(&rb, &ra);
                for item in &d.added {
                    prop_assert!(back.dropped.iter().any(|x| x.question_id == item.question_id && x.after.is_none()));
                }
                for item in d.resolved.iter() {
                    prop_assert_eq!(item.after.as_ref().map(|s| s.status.as_str()), Some("resolved"));
                }
            }

            #[test]
            fn persistence_is_open_in_the_last_n_reviews(
                specs in proptest::collection::vec(a_review(), 1..8),
                threshold in 1..5usize,
            ) {
                let reviews: Vec<Review> = specs.iter().enumerate().map(|(k, s)| build(&format!("r{k}"), s)).collect();
                let progress = agenda_progress(&reviews, threshold, &|_| true);
                for (k, point) in progress.iter().enumerate() {
                    let brute = (0..6)
                        .filter(|i| {
                            k + 1 >= threshold
                                && (k + 1 - threshold..=k).all(|j| {
                                    matches!(specs[j][*i], Some((st, _)) if st < 2)
                                })
                        })
                        .count();
                    prop_assert_eq!(point.persistent, brute, "review {}", k);
                }
            }
        }
    }
}
