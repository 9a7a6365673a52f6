//! The learning agenda over time (reviews, diffs, history, persistence), evaluations (CSV
//! survey import, due follow-ups) and the monitoring figures, on real workspaces.

use crate::util::{dump, new_ws, obj};
use chrono::NaiveDate;
use insisst_core::evaluation::{self, CsvImportOptions, EvaluationForm, Target};
use insisst_core::learning::{self, Change, ReviewDiff};
use insisst_core::monitoring::{self, MonitoringFilter};
use insisst_core::store::Record;
use insisst_core::{Kind, Workspace};
use serde_json::{json, Value};
use std::path::PathBuf;

const THL: &str = "0190b3a0-0000-7000-8000-000000000004";
const GENIO: &str = "0190b3a0-0000-7000-8000-000000000003";

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/learning")
        .join(name)
}

fn add(ws: &mut Workspace, kind: Kind, v: Value) -> Record {
    ws.create(kind, obj(v)).unwrap()
}

fn set(ws: &mut Workspace, id: &str, changes: Value) {
    let mut content = ws.get(id).unwrap().content;
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            content.remove(k);
        } else {
            content.insert(k.clone(), v.clone());
        }
    }
    ws.update(id, content, None).unwrap();
}

fn ids(items: &[learning::DiffItem]) -> Vec<&str> {
    items.iter().map(|i| i.question_id.as_str()).collect()
}

fn empty(d: &ReviewDiff) -> bool {
    d.added.is_empty() && d.resolved.is_empty() && d.dropped.is_empty() && d.changed.is_empty()
}

/// The scripted agenda history of the tests below: four reviews at one meeting series.
struct Script {
    ws: Workspace,
    _dir: tempfile::TempDir,
    a: String,
    b: String,
    c: String,
    d: String,
    reviews: Vec<String>,
}

fn script() -> Script {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let session = add(
        &mut ws,
        Kind::Session,
        json!({"title": "Consortium meeting Tampere", "status": "held", "host_org": THL}),
    )
    .id;
    let q = |ws: &mut Workspace, title: &str, theme: &str, owner: Option<&str>, priority: &str| {
        let mut v = json!({"title": title, "theme": theme, "status": "open", "priority": priority});
        if let Some(o) = owner {
            v["owner_org"] = json!(o);
        }
        add(ws, Kind::Question, v).id
    };
    let a = q(
        &mut ws,
        "How do we fund the long haul?",
        "Funding",
        Some(THL),
        "high",
    );
    let b = q(
        &mut ws,
        "Do outcome funds work for small NGOs?",
        "Funding",
        Some(GENIO),
        "medium",
    );
    let c = q(
        &mut ws,
        "What makes scaling stick?",
        "Scaling",
        Some(THL),
        "low",
    );
    let mut reviews = vec![];
    // R1: everything open.
    reviews.push(
        learning::take_review(&mut ws, &session, Some("First walk through."))
            .unwrap()
            .id,
    );
    // R2: b gets a provisional answer, c's priority goes up.
    set(
        &mut ws,
        &b,
        json!({"status": "provisional", "provisional_answer": "Pilot an outcome fund"}),
    );
    set(&mut ws, &c, json!({"priority": "high"}));
    reviews.push(learning::take_review(&mut ws, &session, None).unwrap().id);
    // R3: b resolved, a new question d.
    set(&mut ws, &b, json!({"status": "resolved"}));
    let d = q(
        &mut ws,
        "Who owns scaled services?",
        "Scaling",
        None,
        "medium",
    );
    reviews.push(learning::take_review(&mut ws, &session, None).unwrap().id);
    // R4: c dropped, d deleted, b reopened.
    set(&mut ws, &c, json!({"status": "dropped"}));
    ws.delete(&d).unwrap();
    set(&mut ws, &b, json!({"status": "open"}));
    reviews.push(learning::take_review(&mut ws, &session, None).unwrap().id);
    Script {
        ws,
        _dir: dir,
        a,
        b,
        c,
        d,
        reviews,
    }
}

#[test]
fn a_review_snapshots_every_question_at_its_session() {
    let s = script();
    let r1 = s.ws.get(&s.reviews[0]).unwrap();
    assert_eq!(r1.kind, Kind::Review);
    assert_eq!(r1.str("remarks"), Some("First walk through."));
    assert!(r1
        .title()
        .starts_with("Agenda review — Consortium meeting Tampere (2026-03-02)"));
    assert!(r1.str("taken_at").unwrap().starts_with("2026-03-02T08:"));
    let entries = r1.content["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let b = entries
        .iter()
        .find(|e| e["question_id"] == json!(s.b))
        .unwrap();
    assert_eq!(
        b,
        &json!({"question_id": s.b, "status": "open", "priority": "medium", "owner_org": GENIO})
    );
    let r2 = learning::review(&s.ws, &s.reviews[1]).unwrap();
    let b2 = r2.entries.iter().find(|e| e.question_id == s.b).unwrap();
    assert_eq!(b2.snapshot.status, "provisional");
    assert_eq!(
        b2.snapshot.provisional_answer.as_deref(),
        Some("Pilot an outcome fund")
    );
    // The review is linked to its session: it shows among the session's backlinks.
    let session = r1.str("session_id").unwrap();
    assert!(s
        .ws
        .backlinks(session)
        .unwrap()
        .iter()
        .any(|l| l.id == r1.id && l.rel == "session_id"));
    // Reviews come back oldest first.
    let listed: Vec<String> = learning::reviews(&s.ws)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed, s.reviews);
}

#[test]
fn diffs_of_the_scripted_history() {
    let s = script();
    let r = &s.reviews;
    let d12 = learning::diff_reviews(&s.ws, &r[0], &r[1]).unwrap();
    assert!(d12.added.is_empty() && d12.resolved.is_empty() && d12.dropped.is_empty());
    let mut changed = vec![s.b.as_str(), s.c.as_str()];
    changed.sort();
    assert_eq!(ids(&d12.changed), changed);
    let b = d12.changed.iter().find(|i| i.question_id == s.b).unwrap();
    assert_eq!(
        b.title.as_deref(),
        Some("Do outcome funds work for small NGOs?")
    );
    assert_eq!(b.before.as_ref().unwrap().status, "open");
    assert_eq!(b.after.as_ref().unwrap().status, "provisional");
    assert_eq!(
        b.after.as_ref().unwrap().provisional_answer.as_deref(),
        Some("Pilot an outcome fund")
    );
    let c = d12.changed.iter().find(|i| i.question_id == s.c).unwrap();
    assert_eq!(c.before.as_ref().unwrap().priority.as_deref(), Some("low"));
    assert_eq!(c.after.as_ref().unwrap().priority.as_deref(), Some("high"));

    let d23 = learning::diff_reviews(&s.ws, &r[1], &r[2]).unwrap();
    assert_eq!(ids(&d23.added), [s.d.as_str()]);
    assert!(d23.added[0].before.is_none());
    assert_eq!(ids(&d23.resolved), [s.b.as_str()]);
    assert!(d23.dropped.is_empty() && d23.changed.is_empty());

    let d34 = learning::diff_reviews(&s.ws, &r[2], &r[3]).unwrap();
    assert!(d34.added.is_empty() && d34.resolved.is_empty());
    let mut dropped = vec![s.c.as_str(), s.d.as_str()];
    dropped.sort();
    assert_eq!(ids(&d34.dropped), dropped);
    let d_item = d34.dropped.iter().find(|i| i.question_id == s.d).unwrap();
    assert!(
        d_item.after.is_none(),
        "a deleted question leaves the agenda"
    );
    assert_eq!(d_item.title.as_deref(), Some("Who owns scaled services?"));
    assert_eq!(ids(&d34.changed), [s.b.as_str()], "reopened is a change");

    // Over the whole span: d came and went, b is open again but now carries an answer.
    let d14 = learning::diff_reviews(&s.ws, &r[0], &r[3]).unwrap();
    assert!(d14.added.is_empty() && d14.resolved.is_empty());
    assert_eq!(ids(&d14.dropped), [s.c.as_str()]);
    assert_eq!(ids(&d14.changed), [s.b.as_str()]);
    // a never changed and is in no list; a review compared with itself shows nothing.
    assert!(!serde_json::to_string(&d14).unwrap().contains(&s.a));
    assert!(empty(&learning::diff_reviews(&s.ws, &r[2], &r[2]).unwrap()));
    // Backwards: d comes back, b is resolved, c reopened.
    let d43 = learning::diff_reviews(&s.ws, &r[3], &r[2]).unwrap();
    assert_eq!(ids(&d43.added), [s.d.as_str()]);
    assert_eq!(ids(&d43.resolved), [s.b.as_str()]);
    assert_eq!(ids(&d43.changed), [s.c.as_str()]);
    assert!(d43.dropped.is_empty());
    // Not a review: refused with what it is.
    let err = learning::diff_reviews(&s.ws, &r[0], &s.a).unwrap_err();
    assert!(err.to_string().contains("is not a review"), "{err}");
}

#[test]
fn the_learning_history_and_the_persistence_threshold() {
    let s = script();
    let h = learning::history(&s.ws, 3).unwrap();
    assert_eq!(h.persistence_threshold, 3);
    let per_review: Vec<(usize, usize, usize, usize, usize)> = h
        .reviews
        .iter()
        .map(|r| (r.open, r.provisional, r.resolved, r.dropped, r.persistent))
        .collect();
    assert_eq!(
        per_review,
        [
            (3, 0, 0, 0, 0),
            (2, 1, 0, 0, 0),
            (3, 0, 1, 0, 2),
            (2, 0, 0, 1, 1)
        ]
    );
    assert_eq!(
        h.reviews[0].session_title.as_deref(),
        Some("Consortium meeting Tampere")
    );
    let q = |id: &str| h.questions.iter().find(|q| q.question_id == id).unwrap();
    // a: open in all four reviews: persistent, listed first.
    assert_eq!(h.questions[0].question_id, s.a);
    let a = q(&s.a);
    assert!(a.persistent);
    assert_eq!((a.open_streak, a.longest_open_streak), (4, 4));
    assert_eq!(a.events.len(), 1);
    assert_eq!(a.events[0].change, Change::Appeared);
    assert_eq!(a.first_review, s.reviews[0]);
    // b: appeared, answered, resolved, reopened.
    let b = q(&s.b);
    let changes: Vec<Change> = b.events.iter().map(|e| e.change).collect();
    assert_eq!(
        changes,
        [
            Change::Appeared,
            Change::Changed,
            Change::Resolved,
            Change::Reopened
        ]
    );
    assert_eq!(b.events[2].review_id, s.reviews[2]);
    assert_eq!(b.resolved_in, None, "reopened since");
    assert_eq!((b.open_streak, b.longest_open_streak), (1, 2));
    assert!(!b.persistent);
    // c: open three reviews in a row, then dropped: no longer persistent.
    let c = q(&s.c);
    assert_eq!(c.dropped_in.as_deref(), Some(s.reviews[3].as_str()));
    assert_eq!((c.open_streak, c.longest_open_streak), (0, 3));
    assert!(!c.persistent);
    assert_eq!(c.last_status, "dropped");
    // d: came in review 3, deleted before review 4.
    let d = q(&s.d);
    let changes: Vec<Change> = d.events.iter().map(|e| e.change).collect();
    assert_eq!(changes, [Change::Appeared, Change::Removed]);
    assert!(d.deleted && !d.on_agenda);
    assert_eq!(d.title, "Who owns scaled services?");
    assert_eq!(d.first_review, s.reviews[2]);

    // Per theme and per owner.
    let theme: Vec<(&str, usize, usize, usize, usize)> = h
        .by_theme
        .iter()
        .map(|g| {
            (
                g.label.as_str(),
                g.questions,
                g.open,
                g.dropped,
                g.persistent,
            )
        })
        .collect();
    assert_eq!(theme, [("Funding", 2, 2, 0, 1), ("Scaling", 2, 1, 1, 0)]);
    let owner: Vec<(&str, usize)> = h
        .by_owner
        .iter()
        .map(|g| (g.key.as_str(), g.questions))
        .collect();
    assert_eq!(owner, [(GENIO, 1), (THL, 2), ("", 1)]);
    assert_eq!(h.by_owner[0].label, "Genio");
    assert_eq!(h.by_owner[2].label, "(no owner)");

    // A lower threshold: provisional counts as open, so three questions persist at review 2.
    let h2 = learning::history(&s.ws, 2).unwrap();
    let persistent: Vec<usize> = h2.reviews.iter().map(|r| r.persistent).collect();
    assert_eq!(persistent, [0, 3, 2, 1]);
    // A higher one: nobody yet, until a is open in five reviews.
    assert!(learning::history(&s.ws, 5)
        .unwrap()
        .questions
        .iter()
        .all(|q| !q.persistent));
}

#[test]
fn a_refused_review_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let session = add(&mut ws, Kind::Session, json!({"title": "Webinar"})).id;
    let note = add(&mut ws, Kind::Note, json!({"title": "Notes"})).id;
    let before = dump(dir.path());
    let err = learning::take_review(&mut ws, &session, None).unwrap_err();
    assert!(err.to_string().contains("no questions"), "{err}");
    add(&mut ws, Kind::Question, json!({"title": "Why?"}));
    let before_q = dump(dir.path());
    assert_ne!(before, before_q);
    let err = learning::take_review(&mut ws, &note, None).unwrap_err();
    assert!(err.to_string().contains("is not a session"), "{err}");
    let err =
        learning::take_review(&mut ws, "0193a000-0000-7000-8000-00000000dead", None).unwrap_err();
    assert!(err.to_string().contains("no record"), "{err}");
    assert_eq!(dump(dir.path()), before_q);
    // A question without a status is reviewed as open.
    let r = learning::take_review(&mut ws, &session, Some("  ")).unwrap();
    assert_eq!(r.content["entries"][0]["status"], "open");
    assert!(r.str("remarks").is_none(), "blank remarks are none");
}

#[test]
fn reviews_travel_in_bundles_and_read_the_same_elsewhere() {
    use insisst_core::exchange::{self, ExportScope, ImportOptions, Quiet};
    let s = script();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.insisst");
    let mut from = s.ws;
    exchange::export(&mut from, &file, &ExportScope::default(), &Quiet).unwrap();
    let mut other = Workspace::init(
        &dir.path().join("b"),
        &insisst_core::store::NewOwner {
            member: "Jens Æbelø".into(),
            organisation: Some("Social Innovation Academy".into()),
        },
        crate::util::options(11),
    )
    .unwrap();
    exchange::import(&mut other, &file, ImportOptions::default(), &Quiet).unwrap();
    let here = learning::history(&from, 3).unwrap();
    let there = learning::history(&other, 3).unwrap();
    assert_eq!(here.reviews, there.reviews);
    assert_eq!(
        learning::diff_reviews(&from, &s.reviews[0], &s.reviews[3]).unwrap(),
        learning::diff_reviews(&other, &s.reviews[0], &s.reviews[3]).unwrap()
    );
}

fn csv_session(ws: &mut Workspace) -> String {
    add(
        ws,
        Kind::Session,
        json!({"title": "Co-creation workshop Brno", "status": "held", "starts_at": "2026-03-12T13:00", "host_org": GENIO}),
    )
    .id
}

#[test]
fn a_survey_export_with_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let session = csv_session(&mut ws);
    let options = CsvImportOptions {
        session_id: session.clone(),
        dry_run: true,
        ..Default::default()
    };
    let before = dump(dir.path());
    let dry = evaluation::import_csv(&mut ws, &data("limesurvey-reaction.csv"), &options).unwrap();
    assert_eq!(dump(dir.path()), before, "a dry run writes nothing");
    assert!(dry.records_created.is_empty());

    let report = evaluation::import_csv(
        &mut ws,
        &data("limesurvey-reaction.csv"),
        &CsvImportOptions {
            dry_run: false,
            follow_up_due: Some("2026-07-01".into()),
            ..options.clone()
        },
    )
    .unwrap();
    assert_eq!(report.rows, 10);
    assert_eq!(report.imported_rows, 5);
    assert_eq!(dry.imported_rows, 5);
    assert_eq!(
        report.records_created.len(),
        9,
        "4 rows × 2 forms + 1 learning-only"
    );
    let problems: Vec<(u64, u64, &str)> = report
        .problems
        .iter()
        .map(|p| (p.row, p.line, p.problem.as_str()))
        .collect();
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert_eq!(problems[0].0, 4);
    assert_eq!(problems[0].1, 5, "row 3 spans two lines");
    assert!(problems[0].2.contains("relevance") && problems[0].2.contains("7 is not a rating"));
    assert_eq!(problems[1].0, 5);
    assert!(problems[1].2.contains("usefulness") && problems[1].2.contains("`good`"));
    assert_eq!(problems[2].0, 6);
    assert!(problems[2].2.contains("no answer"));
    assert_eq!(problems[3].0, 8);
    assert!(problems[3]
        .2
        .contains("has 4 cells; the heading row has 16"));
    assert_eq!(problems[4].0, 9);
    assert!(problems[4].2.contains("2026-13-45"));
    let mapped: Vec<&str> = report.mapped.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        mapped,
        [
            "submitted_at",
            "relevance",
            "usefulness",
            "facilitation",
            "organisation",
            "overall",
            "before",
            "after",
            "comments"
        ]
    );
    assert!(report
        .ignored
        .contains(&"What will you do differently after the workshop?".to_string()));

    // What landed: forms of the session, dated by submission, with the diacritics and the
    // two-line comment intact.
    let summary = evaluation::session_evaluation(&ws, &session).unwrap();
    assert_eq!(summary.forms["reaction"], 4);
    assert_eq!(summary.forms["learning"], 5);
    let score = |item: &str| {
        summary
            .scores
            .iter()
            .find(|s| s.item == item)
            .map(|s| (s.responses, s.sum, s.mean))
            .unwrap()
    };
    assert_eq!(score("relevance"), (4, 17, 4.25));
    assert_eq!(score("before"), (5, 10, 2.0));
    assert_eq!(score("after"), (5, 20, 4.0));
    assert_eq!(summary.scores[0].item, "relevance", "fixed items first");
    assert!(summary
        .comments
        .iter()
        .any(|c| c == "Více času na diskusi, prosím.\r\nA kratší úvod."));
    assert!(summary
        .comments
        .iter()
        .any(|c| c == "Dziękuję — było świetnie."));
    assert_eq!(summary.follow_up_due.as_deref(), Some("2026-07-01"));
    let first = ws.get(&report.records_created[0]).unwrap();
    assert_eq!(first.str("recorded_at"), Some("2026-03-12T16:05:11Z"));
    assert_eq!(first.str("level"), Some("reaction"));

    // Importing the same export again adds nothing; nor does a later export with the same
    // rows. The identical answers of rows 2 and 11 stay two respondents.
    let again = evaluation::import_csv(
        &mut ws,
        &data("limesurvey-reaction.csv"),
        &CsvImportOptions {
            dry_run: false,
            ..options
        },
    )
    .unwrap();
    assert_eq!((again.imported_rows, again.already_imported), (0, 5));
    assert!(again.records_created.is_empty());
    assert_eq!(evaluation::evaluations_of(&ws, &session).unwrap().len(), 9);
}

#[test]
fn a_google_forms_export_and_explicit_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let session = csv_session(&mut ws);
    let report = evaluation::import_csv(
        &mut ws,
        &data("google-forms-reaction.csv"),
        &CsvImportOptions {
            session_id: session.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(report.imported_rows, 2);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].row, 3);
    assert!(report.problems[0].problem.contains("6 is not a rating"));
    assert_eq!(report.ignored, ["Email Address"]);
    let first = ws.get(&report.records_created[0]).unwrap();
    assert_eq!(
        first.str("recorded_at"),
        Some("2026-03-12T15:05:11Z"),
        "GMT+1"
    );
    assert_eq!(
        first.content["ratings"],
        json!({"relevance": 5, "usefulness": 4, "overall": 5})
    );
    assert!(
        !first.to_json().to_string().contains("example.org"),
        "no e-mail imported"
    );

    // Headings in another language need --column; without one nothing maps: refused.
    let file = dir.path().join("fi.csv");
    std::fs::write(
        &file,
        "Aikaleima;Hyödyllisyys;Kommentit\n2026-03-12 10:00:00;4;Hyvä\n",
    )
    .unwrap();
    let before = dump(dir.path());
    let err = evaluation::import_csv(
        &mut ws,
        &file,
        &CsvImportOptions {
            session_id: session.clone(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("--column"), "{err}");
    assert_eq!(dump(dir.path()), before);
    let report = evaluation::import_csv(
        &mut ws,
        &file,
        &CsvImportOptions {
            session_id: session.clone(),
            columns: vec![
                (Target::Item("usefulness".into()), "Hyödyllisyys".into()),
                (Target::Comments, "3".into()),
                (Target::SubmittedAt, "Aikaleima".into()),
            ],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(report.imported_rows, 1);
    let r = ws.get(&report.records_created[0]).unwrap();
    assert_eq!(r.content["ratings"], json!({"usefulness": 4}));
    assert_eq!(r.str("comments"), Some("Hyvä"));
    assert_eq!(r.str("recorded_at"), Some("2026-03-12T10:00:00Z"));

    // Without a submission time a response is dated by its session, and a second import of
    // the same file still adds nothing.
    let untimed = dir.path().join("untimed.csv");
    std::fs::write(&untimed, "Overall;Comments\n4;\n4;\n5;Good\n").unwrap();
    let opts = CsvImportOptions {
        session_id: session.clone(),
        ..Default::default()
    };
    let first = evaluation::import_csv(&mut ws, &untimed, &opts).unwrap();
    assert_eq!(first.imported_rows, 3);
    let r = ws.get(&first.records_created[0]).unwrap();
    assert_eq!(r.str("recorded_at"), Some("2026-03-12"));
    let again = evaluation::import_csv(&mut ws, &untimed, &opts).unwrap();
    assert_eq!((again.imported_rows, again.already_imported), (0, 3));

    // Not UTF-8, or not a session: refused, nothing written.
    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"Overall,Comments\n4,Tr\xe8s bien\n").unwrap();
    let before = dump(dir.path());
    let err = evaluation::import_csv(
        &mut ws,
        &latin1,
        &CsvImportOptions {
            session_id: session.clone(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
    // Caps: columns, and a file larger than the import reads.
    let wide = dir.path().join("wide.csv");
    std::fs::write(&wide, format!("Overall{}\n4\n", ",x".repeat(1_000))).unwrap();
    let err = evaluation::import_csv(
        &mut ws,
        &wide,
        &CsvImportOptions {
            session_id: session.clone(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("1001 columns"), "{err}");
    let big = dir.path().join("big.csv");
    let mut text = String::from("Overall,Comments\n");
    while text.len() as u64 <= evaluation::MAX_CSV_BYTES {
        text.push_str(&format!("4,{}\n", "x".repeat(1_000)));
    }
    std::fs::write(&big, text).unwrap();
    let err = evaluation::import_csv(
        &mut ws,
        &big,
        &CsvImportOptions {
            session_id: session.clone(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("larger than 10 MiB"), "{err}");
    let err = evaluation::import_csv(
        &mut ws,
        &data("google-forms-reaction.csv"),
        &CsvImportOptions {
            session_id: GENIO.into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("not a session"), "{err}");
    assert_eq!(dump(dir.path()), before);
}

#[test]
fn behaviour_follow_ups_fall_due() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let s1 = csv_session(&mut ws);
    let s2 = add(
        &mut ws,
        Kind::Session,
        json!({"title": "Study visit Odense"}),
    )
    .id;
    let form = |due: Option<&str>| EvaluationForm {
        level: "reaction".into(),
        ratings: [("overall".to_string(), 4)].into(),
        follow_up_due: due.map(str::to_string),
        ..Default::default()
    };
    let written = evaluation::record_forms(
        &mut ws,
        &s1,
        &[
            form(Some("2026-06-15")),
            form(Some("2026-06-01")),
            form(None),
        ],
    )
    .unwrap();
    assert_eq!(written.len(), 3);
    assert!(written[0]
        .title()
        .starts_with("Reaction — Co-creation workshop Brno — form 1"));
    evaluation::record_forms(&mut ws, &s2, &[form(Some("2026-09-01"))]).unwrap();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert!(evaluation::due_followups(&ws, day("2026-05-31"))
        .unwrap()
        .is_empty());
    let due = evaluation::due_followups(&ws, day("2026-06-01")).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].session_id.as_str(), due[0].due.as_str()),
        (s1.as_str(), "2026-06-01")
    );
    assert_eq!(due[0].evaluation_ids.len(), 2);
    assert_eq!(due[0].days_overdue, 0);
    let due = evaluation::due_followups(&ws, day("2026-09-10")).unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].days_overdue, 101, "most overdue first");
    // A behaviour form for the first session: its follow-up is done.
    evaluation::record_forms(
        &mut ws,
        &s1,
        &[EvaluationForm {
            level: "behaviour".into(),
            comments: Some("Three of five now run a check-in round.".into()),
            ..Default::default()
        }],
    )
    .unwrap();
    let due = evaluation::due_followups(&ws, day("2026-09-10")).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].session_id, s2);
    // A bad form refuses the lot.
    let before = dump(dir.path());
    let err = evaluation::record_forms(
        &mut ws,
        &s2,
        &[
            form(None),
            EvaluationForm {
                level: "feelings".into(),
                ..Default::default()
            },
        ],
    )
    .unwrap_err();
    assert!(err.to_string().contains("level"), "{err}");
    assert_eq!(dump(dir.path()), before);
}

/// The fixture workspace of the monitoring test, with its figures computed by hand in the
/// comments.
#[test]
fn monitoring_figures_equal_hand_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let lab = add(
        &mut ws,
        Kind::Org,
        json!({"title": "Aarhus Social Lab", "country": "DK", "sector": "business"}),
    )
    .id;
    let c1 = add(
        &mut ws,
        Kind::Contact,
        json!({"title": "Aino Mäkelä", "org_id": THL, "sector": "government", "country": "FI"}),
    )
    .id;
    let c2 = add(
        &mut ws,
        Kind::Contact,
        json!({"title": "Søren Østergaard", "org_id": lab, "sector": "business", "country": "DK"}),
    )
    .id;
    let c3 = add(
        &mut ws,
        Kind::Contact,
        json!({"title": "Mette Kjær", "org_id": lab}),
    )
    .id;
    let c4 = add(
        &mut ws,
        Kind::Contact,
        json!({"title": "Jiří Dvořák", "sector": "academia", "country": "CZ"}),
    )
    .id;
    let session =
        |ws: &mut Workspace, title: &str, status: &str, host: &str, starts: &str, extra: Value| {
            let mut v =
                json!({"title": title, "status": status, "host_org": host, "starts_at": starts});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            add(ws, Kind::Session, v).id
        };
    let s1 = session(
        &mut ws,
        "S1",
        "held",
        THL,
        "2026-01-20T10:00",
        json!({"headcount": {"government": 5, "citizens": 3}, "participants": [c2, c3], "facilitators": [c1]}),
    );
    let s2 = session(
        &mut ws,
        "S2",
        "held",
        THL,
        "2026-02-10T09:00",
        json!({"headcount": {"government": 2}, "participants": [c2, c4], "facilitators": [c1, c4]}),
    );
    let s3 = session(
        &mut ws,
        "S3",
        "held",
        GENIO,
        "2026-04-05T10:00",
        json!({"headcount": {"non_profit": 10}, "participants": [c1], "facilitators": [c2]}),
    );
    session(
        &mut ws,
        "S4 (planned)",
        "planned",
        GENIO,
        "2026-05-01T10:00",
        json!({"headcount": {"business": 50}, "participants": [c3]}),
    );
    session(
        &mut ws,
        "S5",
        "held",
        GENIO,
        "2025-12-01T10:00",
        json!({"headcount": {"academia": 4}}),
    );
    let eval = |ws: &mut Workspace, s: &str, level: &str, day: &str, ratings: Value| {
        add(
            ws,
            Kind::Evaluation,
            json!({"title": "E", "session_id": s, "level": level, "recorded_at": day, "ratings": ratings}),
        );
    };
    eval(
        &mut ws,
        &s1,
        "reaction",
        "2026-01-20",
        json!({"relevance": 5, "overall": 4}),
    );
    eval(
        &mut ws,
        &s1,
        "reaction",
        "2026-01-21",
        json!({"relevance": 3, "overall": 5}),
    );
    eval(
        &mut ws,
        &s3,
        "reaction",
        "2026-04-06",
        json!({"relevance": 4}),
    );
    eval(
        &mut ws,
        &s2,
        "learning",
        "2026-02-10",
        json!({"before": 2, "after": 4}),
    );
    let q1 = add(
        &mut ws,
        Kind::Question,
        json!({"title": "Q1", "status": "open", "owner_org": THL}),
    )
    .id;
    let q2 = add(
        &mut ws,
        Kind::Question,
        json!({"title": "Q2", "status": "open", "owner_org": GENIO}),
    )
    .id;
    add(
        &mut ws,
        Kind::Question,
        json!({"title": "Q3", "status": "provisional", "owner_org": THL}),
    );
    learning::take_review(&mut ws, &s1, None).unwrap();
    set(&mut ws, &q2, json!({"status": "resolved"}));
    learning::take_review(&mut ws, &s2, None).unwrap();
    let _ = q1;

    let all = monitoring::compute(
        &ws,
        &MonitoringFilter {
            persistence_threshold: 2,
            ..Default::default()
        },
    )
    .unwrap();
    // Held sessions: S5 (Genio, 2025-Q4), S1 + S2 (THL, 2026-Q1), S3 (Genio, 2026-Q2); S4 is
    // only planned.
    assert_eq!(all.sessions_held_total, 4);
    let held: Vec<(&str, &str, u64)> = all
        .sessions_held
        .iter()
        .map(|c| (c.partner.as_str(), c.quarter.as_str(), c.sessions))
        .collect();
    assert_eq!(
        held,
        [
            ("Genio", "2025-Q4", 1),
            ("Genio", "2026-Q2", 1),
            (
                "THL — Finnish Institute for Health and Welfare",
                "2026-Q1",
                2
            )
        ]
    );
    assert_eq!(all.quarters, ["2025-Q4", "2026-Q1", "2026-Q2"]);
    // Headcounts: government 5+2, citizens 3, non_profit 10, academia 4. Named: S1 c2
    // (business) and c3 (no sector), S2 c2 (business) and c4 (academia), S3 c1 (government).
    let sectors: Vec<(&str, u64, u64, u64)> = all
        .participants_by_sector
        .iter()
        .map(|s| (s.sector.as_str(), s.headcount, s.contacts, s.total))
        .collect();
    assert_eq!(
        sectors,
        [
            ("government", 7, 1, 8),
            ("non_profit", 10, 0, 10),
            ("business", 0, 2, 2),
            ("citizens", 3, 0, 3),
            ("academia", 4, 1, 5),
            ("unknown", 0, 1, 1)
        ]
    );
    // Countries: c2 DK twice, c3 DK through the lab, c4 CZ, c1 FI.
    let countries: Vec<(&str, u64)> = all
        .participants_by_country
        .iter()
        .map(|c| (c.country.as_str(), c.contacts))
        .collect();
    assert_eq!(countries, [("DK", 3), ("CZ", 1), ("FI", 1)]);
    // Facilitators c1, c4, c2; participants c2, c3, c4, c1; c1 is THL staff.
    let e = &all.experts;
    assert_eq!(
        (e.facilitators, e.participants, e.distinct, e.external),
        (3, 4, 4, 3)
    );
    // Agenda: R1 q1 open, q2 open, q3 provisional; R2 q2 resolved. Threshold 2: q1 and q3
    // open in both.
    let agenda: Vec<(usize, usize, usize, usize)> = all
        .agenda_progress
        .iter()
        .map(|p| (p.open, p.provisional, p.resolved, p.persistent))
        .collect();
    assert_eq!(agenda, [(2, 1, 0, 0), (1, 1, 1, 2)]);
    // Scores: 2026-Q1 relevance (5+3)/2, overall (4+5)/2, before 2, after 4; 2026-Q2
    // relevance 4.
    let scores: Vec<(&str, &str, u64, f64)> = all
        .evaluation_scores
        .iter()
        .map(|s| (s.quarter.as_str(), s.item.as_str(), s.responses, s.mean))
        .collect();
    assert_eq!(
        scores,
        [
            ("2026-Q1", "relevance", 2, 4.0),
            ("2026-Q1", "overall", 2, 4.5),
            ("2026-Q1", "before", 1, 2.0),
            ("2026-Q1", "after", 1, 4.0),
            ("2026-Q2", "relevance", 1, 4.0)
        ]
    );

    // THL only: S1 and S2; its questions q1 and q3.
    let thl = monitoring::compute(
        &ws,
        &MonitoringFilter {
            partner: Some(THL.into()),
            persistence_threshold: 2,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(thl.sessions_held_total, 2);
    assert_eq!(
        thl.partner_name.as_deref(),
        Some("THL — Finnish Institute for Health and Welfare")
    );
    let sectors: Vec<(&str, u64)> = thl
        .participants_by_sector
        .iter()
        .map(|s| (s.sector.as_str(), s.total))
        .collect();
    assert_eq!(
        sectors,
        [
            ("government", 7),
            ("non_profit", 0),
            ("business", 2),
            ("citizens", 3),
            ("academia", 1),
            ("unknown", 1)
        ]
    );
    let e = &thl.experts;
    assert_eq!(
        (e.facilitators, e.participants, e.distinct, e.external),
        (2, 3, 4, 3)
    );
    let agenda: Vec<(usize, usize, usize, usize)> = thl
        .agenda_progress
        .iter()
        .map(|p| (p.open, p.provisional, p.resolved, p.persistent))
        .collect();
    assert_eq!(agenda, [(1, 1, 0, 0), (1, 1, 0, 2)]);
    assert_eq!(thl.evaluation_scores.len(), 4, "S3's evaluation is Genio's");

    // From April on: S3 only; the reviews (March) fall outside.
    let spring = monitoring::compute(
        &ws,
        &MonitoringFilter {
            from: NaiveDate::from_ymd_opt(2026, 4, 1),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(spring.sessions_held_total, 1);
    assert!(spring.agenda_progress.is_empty());
    assert_eq!(spring.quarters, ["2026-Q2"]);
    assert_eq!(spring.experts.distinct, 2);
    assert_eq!(spring.evaluation_scores.len(), 1);

    // The structure the app charts is plain JSON.
    let json = serde_json::to_value(&all).unwrap();
    assert_eq!(json["sessions_held"][0]["partner_id"], GENIO);
    assert_eq!(json["filter"]["persistence_threshold"], 2);
    // A period that ends before it starts, or a partner that is not an organisation: refused.
    assert!(monitoring::compute(
        &ws,
        &MonitoringFilter {
            from: NaiveDate::from_ymd_opt(2026, 4, 1),
            to: NaiveDate::from_ymd_opt(2026, 3, 1),
            ..Default::default()
        }
    )
    .is_err());
    assert!(monitoring::compute(
        &ws,
        &MonitoringFilter {
            partner: Some(c1),
            ..Default::default()
        }
    )
    .is_err());
}

#[test]
fn the_demo_has_a_learning_history_and_a_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    insisst_core::demo::generate(&mut ws, 400, 3).unwrap();
    let h = learning::history(&ws, 3).unwrap();
    assert_eq!(h.reviews.len(), 4);
    assert!(
        h.questions.iter().any(|q| q.persistent),
        "some questions persist"
    );
    assert!(
        h.questions.iter().any(|q| q.resolved_in.is_some()),
        "some are resolved"
    );
    // The last review shows each question as it stands now.
    let last = learning::review(&ws, &h.reviews.last().unwrap().id).unwrap();
    for e in &last.entries {
        let q = ws.get(&e.question_id).unwrap();
        assert_eq!(
            Some(e.snapshot.status.as_str()),
            q.str("status"),
            "{}",
            q.title()
        );
    }
    let m = monitoring::compute(&ws, &MonitoringFilter::default()).unwrap();
    assert!(m.sessions_held_total > 0);
    assert!(m.evaluation_scores.iter().any(|s| s.item == "usefulness"));
    assert!(m.evaluation_scores.iter().any(|s| s.item == "after"));
    assert_eq!(m.agenda_progress.len(), 4);
    assert!(insisst_core::check::run(&ws).unwrap().is_empty());
}

#[test]
fn the_history_as_a_report_shows_it() {
    let s = script();
    let h = learning::history(&s.ws, 3).unwrap();
    let notes = learning::review_notes(&h, &s.b);
    let words: Vec<String> = notes.iter().map(|n| n.changes.join("; ")).collect();
    assert_eq!(
        words,
        [
            "on the agenda (open, medium)",
            "status open → provisional; provisional answer changed",
            "status provisional → resolved",
            "status resolved → open"
        ]
    );
    assert_eq!(notes[0].who, "agenda review at Consortium meeting Tampere");
    let a = learning::review_notes(&h, &s.a);
    assert_eq!(a.len(), 2);
    assert_eq!(a[1].changes, ["persistent: open in 4 reviews in a row"]);
    assert!(learning::review_notes(&h, "nope").is_empty());
    let md = learning::history_markdown(&h);
    assert!(md.starts_with("## Learning history\n"), "{md}");
    assert!(md.contains("### Persistent questions (1)"));
    assert!(md.contains("- **How do we fund the long haul?** — open in 4 reviews in a row"));
    assert!(md.contains("| Funding | 2 | 2 | 0 | 0 | 0 | 1 |"), "{md}");
    assert!(md.contains("| Genio | 1 |"));
    assert_eq!(
        md.matches("| 2026-03-02 | Consortium meeting Tampere |")
            .count(),
        4
    );
    let dir = tempfile::tempdir().unwrap();
    let empty = learning::history(&new_ws(dir.path()), 3).unwrap();
    assert_eq!(learning::history_markdown(&empty), "");
}
