//! The dynamic learning agenda over time, evaluations and the monitoring dashboard: agenda
//! reviews taken at a session, their differences and the learning history
//! (insisst-core's `learning`), evaluation forms and survey imports (`evaluation`), and the
//! dashboard's figures (`monitoring`), plus saving a chart's export where the person chooses.

use crate::dto::{
    AgendaProgressPoint, CountryCount, CsvColumn, CsvImportResult, CsvRowProblem, DiffEntry,
    EvaluationFormInput, EvaluationItems, ExpertCounts, FollowUpDue, HistoryStep, ItemMean,
    LearningTimeline, LevelCount, MonitoringFigures, MonitoringRequest, QuarterItemScore,
    QuestionSnapshot, QuestionTimeline, ReviewComparison, ReviewListItem, SectorCount,
    SessionEvaluationSummary, SessionsHeldCell, TakenReview, TimelineGroup,
};
use crate::error::{AppError, AppResult};
use crate::state::{with_workspace, AppState};
use chrono::NaiveDate;
use insisst_core::evaluation::{self, CsvImportOptions, EvaluationForm, SessionEvaluation};
use insisst_core::learning::{self, DiffItem, HistoryGroup, LearningHistory, Snapshot};
use insisst_core::monitoring::{self, Monitoring, MonitoringFilter};
use std::path::PathBuf;
use tauri::{AppHandle, State};

/// The largest export a chart writes (a PNG of a wide chart at twice the pixels is well
/// under this); more is a mistake, not a chart.
const MAX_EXPORT_BYTES: usize = 32 << 20;

fn count(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

fn snapshot(s: Snapshot) -> QuestionSnapshot {
    QuestionSnapshot {
        status: s.status,
        priority: s.priority,
        provisional_answer: s.provisional_answer,
        owner_org: s.owner_org,
    }
}

fn diff_entry(d: DiffItem) -> DiffEntry {
    DiffEntry {
        question_id: d.question_id,
        title: d.title,
        before: d.before.map(snapshot),
        after: d.after.map(snapshot),
    }
}

fn group(g: HistoryGroup) -> TimelineGroup {
    TimelineGroup {
        key: g.key,
        label: g.label,
        questions: count(g.questions),
        open: count(g.open),
        provisional: count(g.provisional),
        resolved: count(g.resolved),
        dropped: count(g.dropped),
        persistent: count(g.persistent),
        question_ids: g.question_ids,
    }
}

/// A threshold of 0 would make every question persistent, even a resolved one: at least 1.
fn threshold(n: u32) -> usize {
    (n as usize).max(1)
}

/// Takes a review of the whole learning agenda at session `session_id`, with the
/// facilitator's `remarks`: the questions as they stand now (the review screen saves each
/// question's changes first).
#[tauri::command]
pub async fn review_take(
    state: State<'_, AppState>,
    session_id: String,
    remarks: Option<String>,
) -> AppResult<TakenReview> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let record = learning::take_review(ws, &session_id, remarks.as_deref())?;
        let review = learning::Review::from_record(&record)?;
        Ok(TakenReview {
            id: review.id,
            title: review.title,
            questions: count(review.entries.len()),
        })
    })
    .await
}

/// The learning history: every review in order and every question across them, persistent
/// when open in `persistence_threshold` reviews in a row.
#[tauri::command]
pub async fn learning_history(
    state: State<'_, AppState>,
    persistence_threshold: u32,
) -> AppResult<LearningTimeline> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(timeline_of(learning::history(
            ws,
            threshold(persistence_threshold),
        )?))
    })
    .await
}

/// The learning history as the UI reads it.
fn timeline_of(h: LearningHistory) -> LearningTimeline {
    LearningTimeline {
        persistence_threshold: count(h.persistence_threshold),
        reviews: h
            .reviews
            .into_iter()
            .map(|r| ReviewListItem {
                id: r.id,
                title: r.title,
                session_id: r.session_id,
                session_title: r.session_title,
                taken_at: r.taken_at,
                remarks: r.remarks,
                questions: count(r.questions),
                open: count(r.open),
                provisional: count(r.provisional),
                resolved: count(r.resolved),
                dropped: count(r.dropped),
                persistent: count(r.persistent),
            })
            .collect(),
        questions: h
            .questions
            .into_iter()
            .map(|q| QuestionTimeline {
                question_id: q.question_id,
                title: q.title,
                theme: q.theme,
                owner_org: q.owner_org,
                owner_name: q.owner_name,
                deleted: q.deleted,
                first_review: q.first_review,
                first_seen_at: q.first_seen_at,
                resolved_in: q.resolved_in,
                dropped_in: q.dropped_in,
                last_status: q.last_status,
                on_agenda: q.on_agenda,
                open_streak: count(q.open_streak),
                longest_open_streak: count(q.longest_open_streak),
                persistent: q.persistent,
                events: q
                    .events
                    .into_iter()
                    .map(|e| HistoryStep {
                        review_id: e.review_id,
                        taken_at: e.taken_at,
                        change: e.change.as_str().to_string(),
                        before: e.before.map(snapshot),
                        after: e.after.map(snapshot),
                    })
                    .collect(),
            })
            .collect(),
        by_theme: h.by_theme.into_iter().map(group).collect(),
        by_owner: h.by_owner.into_iter().map(group).collect(),
    }
}

/// Review `from` (before) against review `to` (after).
#[tauri::command]
pub async fn review_diff(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> AppResult<ReviewComparison> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let d = learning::diff_reviews(ws, &from, &to)?;
        Ok(ReviewComparison {
            from: d.from,
            to: d.to,
            added: d.added.into_iter().map(diff_entry).collect(),
            resolved: d.resolved.into_iter().map(diff_entry).collect(),
            dropped: d.dropped.into_iter().map(diff_entry).collect(),
            changed: d.changed.into_iter().map(diff_entry).collect(),
        })
    })
    .await
}

/// The fixed items of the reaction and learning forms.
#[tauri::command]
pub async fn evaluation_items() -> AppResult<EvaluationItems> {
    let owned = |items: &[&str]| items.iter().map(|i| i.to_string()).collect();
    Ok(EvaluationItems {
        reaction: owned(evaluation::REACTION_ITEMS),
        learning: owned(evaluation::LEARNING_ITEMS),
    })
}

/// The evaluation of session `session_id` at a glance.
#[tauri::command]
pub async fn evaluation_summary(
    state: State<'_, AppState>,
    session_id: String,
) -> AppResult<SessionEvaluationSummary> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(summary_of(evaluation::session_evaluation(ws, &session_id)?))
    })
    .await
}

/// A session's evaluation as the UI reads it (levels in Kirkpatrick's order).
fn summary_of(e: SessionEvaluation) -> SessionEvaluationSummary {
    let order = |level: &str| {
        insisst_core::schema::EVALUATION_LEVEL
            .iter()
            .position(|l| *l == level)
            .unwrap_or(usize::MAX)
    };
    let mut forms: Vec<LevelCount> = e
        .forms
        .into_iter()
        .map(|(level, n)| LevelCount {
            level,
            forms: count(n),
        })
        .collect();
    forms.sort_by_key(|f| (order(&f.level), f.level.clone()));
    SessionEvaluationSummary {
        session_id: e.session_id,
        forms,
        scores: e
            .scores
            .into_iter()
            .map(|s| ItemMean {
                item: s.item,
                responses: count(s.responses),
                mean: s.mean,
            })
            .collect(),
        comments: e.comments,
        reflection: e.reflection,
        follow_up_due: e.follow_up_due,
        follow_up_done: e.follow_up_done,
    }
}

/// Writes `forms` as evaluations of session `session_id`, all or none. Returns the new
/// records' ids, in the order given.
#[tauri::command]
pub async fn evaluation_record(
    state: State<'_, AppState>,
    session_id: String,
    forms: Vec<EvaluationFormInput>,
) -> AppResult<Vec<String>> {
    if forms.is_empty() {
        return Err(AppError::new("invalid", "there is no form to save"));
    }
    let forms: Vec<EvaluationForm> = forms
        .into_iter()
        .map(|f| EvaluationForm {
            level: f.level,
            ratings: f.ratings,
            comments: f.comments.filter(|c| !c.trim().is_empty()),
            recorded_at: None,
            follow_up_due: f.follow_up_due.filter(|d| !d.trim().is_empty()),
        })
        .collect();
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(evaluation::record_forms(ws, &session_id, &forms)?
            .into_iter()
            .map(|r| r.id)
            .collect())
    })
    .await
}

/// Imports a survey tool's CSV export at `path` as evaluations of session `session_id`
/// (headings mapped automatically); with `dry_run`, checks and reports only.
#[tauri::command]
pub async fn evaluation_import_csv(
    state: State<'_, AppState>,
    session_id: String,
    path: String,
    follow_up_due: Option<String>,
    dry_run: bool,
) -> AppResult<CsvImportResult> {
    let path = PathBuf::from(path.trim());
    if path.as_os_str().is_empty() {
        return Err(AppError::new("invalid", "choose the CSV file to import"));
    }
    let options = CsvImportOptions {
        session_id,
        columns: vec![],
        follow_up_due: follow_up_due.filter(|d| !d.trim().is_empty()),
        dry_run,
    };
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let r = evaluation::import_csv(ws, &path, &options)?;
        Ok(CsvImportResult {
            file: r.file,
            session_id: r.session_id,
            dry_run: r.dry_run,
            mapped: r
                .mapped
                .into_iter()
                .map(|(heading, target)| CsvColumn { heading, target })
                .collect(),
            ignored: r.ignored,
            rows: count(r.rows),
            imported_rows: count(r.imported_rows),
            already_imported: count(r.already_imported),
            records_created: count(r.records_created.len()),
            problems: r
                .problems
                .into_iter()
                .map(|p| CsvRowProblem {
                    row: count(p.row),
                    line: count(p.line),
                    problem: p.problem,
                })
                .collect(),
        })
    })
    .await
}

/// The system's file dialog for a survey export (CSV); `None` when cancelled.
#[tauri::command]
pub async fn evaluation_pick_csv(app: AppHandle) -> AppResult<Option<String>> {
    super::dialog::pick_file(&app, Some(("CSV", &["csv", "txt"])), false, None)
}

/// Behaviour follow-ups due today (the workspace clock's day) or earlier, most overdue first.
#[tauri::command]
pub async fn followups_due(state: State<'_, AppState>) -> AppResult<Vec<FollowUpDue>> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let today = ws.now().date_naive();
        Ok(evaluation::due_followups(ws, today)?
            .into_iter()
            .map(|f| FollowUpDue {
                session_id: f.session_id,
                session_title: f.session_title,
                due: f.due,
                days_overdue: i32::try_from(f.days_overdue).unwrap_or(i32::MAX),
                evaluation_ids: f.evaluation_ids,
            })
            .collect())
    })
    .await
}

fn day(value: Option<String>, field: &str) -> AppResult<Option<NaiveDate>> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                AppError::new(
                    "invalid",
                    format!("{field}: `{v}` is not a date (YYYY-MM-DD)"),
                )
            }),
    }
}

/// The monitoring dashboard's figures over the period and partner asked for.
#[tauri::command]
pub async fn monitoring_figures(
    state: State<'_, AppState>,
    request: MonitoringRequest,
) -> AppResult<MonitoringFigures> {
    let filter = monitoring_filter(request)?;
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(figures_of(monitoring::compute(ws, &filter)?))
    })
    .await
}

/// What the dashboard's request asks for, as the core's filter.
fn monitoring_filter(request: MonitoringRequest) -> AppResult<MonitoringFilter> {
    Ok(MonitoringFilter {
        from: day(request.from, "from")?,
        to: day(request.to, "to")?,
        partner: request
            .partner
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty()),
        persistence_threshold: threshold(request.persistence_threshold),
    })
}

/// The dashboard's figures as the UI reads them.
fn figures_of(m: Monitoring) -> MonitoringFigures {
    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    MonitoringFigures {
        from: date(m.filter.from),
        to: date(m.filter.to),
        partner: m.filter.partner,
        partner_name: m.partner_name,
        persistence_threshold: count(m.filter.persistence_threshold),
        quarters: m.quarters,
        sessions_held_total: count(m.sessions_held_total),
        sessions_held: m
            .sessions_held
            .into_iter()
            .map(|c| SessionsHeldCell {
                partner_id: c.partner_id,
                partner: c.partner,
                quarter: c.quarter,
                sessions: count(c.sessions),
            })
            .collect(),
        participants_by_sector: m
            .participants_by_sector
            .into_iter()
            .map(|s| SectorCount {
                sector: s.sector,
                headcount: count(s.headcount),
                contacts: count(s.contacts),
                total: count(s.total),
            })
            .collect(),
        participants_by_country: m
            .participants_by_country
            .into_iter()
            .map(|c| CountryCount {
                country: c.country,
                contacts: count(c.contacts),
            })
            .collect(),
        agenda_progress: m
            .agenda_progress
            .into_iter()
            .map(|p| AgendaProgressPoint {
                review_id: p.review_id,
                taken_at: p.taken_at,
                open: count(p.open),
                provisional: count(p.provisional),
                resolved: count(p.resolved),
                dropped: count(p.dropped),
                persistent: count(p.persistent),
            })
            .collect(),
        evaluation_scores: m
            .evaluation_scores
            .into_iter()
            .map(|s| QuarterItemScore {
                quarter: s.quarter,
                item: s.item,
                responses: count(s.responses),
                mean: s.mean,
            })
            .collect(),
        experts: ExpertCounts {
            facilitators: count(m.experts.facilitators),
            participants: count(m.experts.participants),
            distinct: count(m.experts.distinct),
            external: count(m.experts.external),
        },
    }
}

/// The file filter of the save dialog for an export named `name` (by its extension).
fn export_filter(name: &str) -> AppResult<(&'static str, &'static [&'static str])> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv") => Ok(("CSV", &["csv"])),
        Some("svg") => Ok(("SVG image", &["svg"])),
        Some("png") => Ok(("PNG image", &["png"])),
        _ => Err(AppError::new(
            "invalid",
            format!("`{name}`: a chart exports as .csv, .svg or .png"),
        )),
    }
}

/// Saves a chart's export (`contents`, the bytes the window made: CSV text, the SVG element,
/// or the SVG drawn on a canvas as PNG) where the person chooses, suggesting
/// `suggested_name`. Returns the path written, `None` when the dialog was cancelled. The
/// window itself has no file-system permission: the dialog is the only way out.
#[tauri::command]
pub async fn chart_export_save(
    app: AppHandle,
    suggested_name: String,
    contents: Vec<u8>,
) -> AppResult<Option<String>> {
    let filter = export_filter(&suggested_name)?;
    if contents.len() > MAX_EXPORT_BYTES {
        return Err(AppError::new(
            "invalid",
            format!(
                "the export is {} bytes, more than a chart makes ({MAX_EXPORT_BYTES} at most)",
                contents.len()
            ),
        ));
    }
    tauri::async_runtime::spawn_blocking(move || {
        let Some(path) = super::dialog::pick_file(&app, Some(filter), true, Some(suggested_name))?
        else {
            return Ok(None);
        };
        std::fs::write(&path, &contents)
            .map_err(|e| AppError::new("io", format!("could not write {path}: {e}")))?;
        Ok(Some(path))
    })
    .await
    .map_err(|e| AppError::new("internal", format!("a background task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_csv_svg_or_png_only() {
        assert_eq!(export_filter("agenda.csv").unwrap().1, &["csv"]);
        assert_eq!(export_filter("Sessions held.SVG").unwrap().1, &["svg"]);
        assert_eq!(export_filter("a.b.png").unwrap().1, &["png"]);
        for bad in ["chart", "chart.exe", "chart.csv.sh", ""] {
            let e = export_filter(bad).unwrap_err();
            assert_eq!(e.code, "invalid", "{bad}");
        }
    }

    #[test]
    fn dates_are_days_or_nothing() {
        assert_eq!(day(None, "from").unwrap(), None);
        assert_eq!(day(Some("  ".into()), "from").unwrap(), None);
        assert_eq!(
            day(Some("2026-03-31".into()), "to").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 31)
        );
        let e = day(Some("31/03/2026".into()), "to").unwrap_err();
        assert!(e.message.contains("to: `31/03/2026`"), "{}", e.message);
    }

    /// A demo workspace (reviews, evaluations, sessions of every partner) read the way the
    /// commands read it: the figures the screens draw agree with each other and with the
    /// core, and every partner the filter offers is accepted.
    #[test]
    fn a_demo_workspace_reads_as_the_screens_expect() {
        use insisst_core::store::NewOwner;
        use insisst_core::{Kind, Workspace, WorkspaceOptions};
        let dir = tempfile::tempdir().unwrap();
        let owner = NewOwner {
            member: "Aino Mäkelä".into(),
            organisation: Some("THL".into()),
        };
        let mut ws = Workspace::init(dir.path(), &owner, WorkspaceOptions::default()).unwrap();
        insisst_core::demo::generate(&mut ws, 600, 11).unwrap();

        let h = timeline_of(learning::history(&ws, 2).unwrap());
        assert!(h.reviews.len() >= 2, "the demo takes reviews");
        assert_eq!(h.persistence_threshold, 2);
        for q in &h.questions {
            assert_eq!(q.persistent, q.open_streak >= 2, "{}", q.question_id);
        }
        for r in &h.reviews {
            assert_eq!(
                r.open + r.provisional + r.resolved + r.dropped,
                r.questions,
                "{}",
                r.id
            );
        }

        // A review taken now holds every question; its difference from the one before is
        // the core's, each question in at most one list.
        let session = ws
            .list(&insisst_core::store::ListQuery {
                kind: Some(Kind::Session),
                ..Default::default()
            })
            .unwrap()
            .remove(0);
        let record = learning::take_review(&mut ws, &session.id, Some("  remarks ")).unwrap();
        let taken = learning::Review::from_record(&record).unwrap();
        assert_eq!(taken.remarks.as_deref(), Some("remarks"));
        let after = timeline_of(learning::history(&ws, 3).unwrap());
        // Reviews are ordered by when they were taken; the demo may hold later ones.
        let at = after.reviews.iter().position(|r| r.id == taken.id).unwrap();
        assert_eq!(after.reviews.len(), h.reviews.len() + 1);
        assert_eq!(after.reviews[at].questions as usize, taken.entries.len());
        let before = &after.reviews[if at > 0 { at - 1 } else { 1 }];
        let d = learning::diff_reviews(&ws, &before.id, &taken.id).unwrap();
        let mut ids: Vec<String> = [&d.added, &d.resolved, &d.dropped, &d.changed]
            .iter()
            .flat_map(|l| l.iter().map(|i| i.question_id.clone()))
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);

        // Quick entry's forms land in the session's summary, levels in Kirkpatrick's order.
        let forms = vec![EvaluationForm {
            level: "reaction".into(),
            ratings: [("relevance".to_string(), 4u8), ("overall".to_string(), 2)]
                .into_iter()
                .collect(),
            comments: Some("Useful — děkuji".into()),
            recorded_at: None,
            follow_up_due: Some("2020-01-01".into()),
        }];
        let fresh = ws
            .create(
                Kind::Session,
                serde_json::json!({"title": "Fresh session", "status": "held"})
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .unwrap();
        evaluation::record_forms(&mut ws, &fresh.id, &forms).unwrap();
        let summary = summary_of(evaluation::session_evaluation(&ws, &fresh.id).unwrap());
        let levels: Vec<&str> = summary.forms.iter().map(|f| f.level.as_str()).collect();
        assert_eq!(levels, ["reaction", "learning", "behaviour", "results"]);
        assert_eq!(summary.forms[0].forms, 1);
        let means: Vec<(&str, f64)> = summary
            .scores
            .iter()
            .map(|s| (s.item.as_str(), s.mean))
            .collect();
        assert_eq!(means, [("relevance", 4.0), ("overall", 2.0)]);
        let today = ws.now().date_naive();
        let due = evaluation::due_followups(&ws, today).unwrap();
        assert!(due.iter().any(|f| f.session_id == fresh.id));

        let all = figures_of(monitoring::compute(&ws, &MonitoringFilter::default()).unwrap());
        assert!(all.sessions_held_total > 0);
        assert_eq!(
            all.sessions_held.iter().map(|c| c.sessions).sum::<u32>(),
            all.sessions_held_total
        );
        assert_eq!(all.agenda_progress.len(), after.reviews.len());
        for p in insisst_core::partners::PARTNERS {
            let filter = monitoring_filter(MonitoringRequest {
                from: Some("2026-01-01".into()),
                to: Some(" 2027-12-31 ".into()),
                partner: Some(p.id.to_string()),
                persistence_threshold: 0,
            })
            .unwrap();
            let one = figures_of(monitoring::compute(&ws, &filter).unwrap());
            assert_eq!(one.partner.as_deref(), Some(p.id), "{}", p.id);
            assert!(one.partner_name.is_some(), "{}", p.id);
            assert_eq!(one.persistence_threshold, 1);
            assert!(one.sessions_held.iter().all(|c| c.partner_id == p.id));
        }
        let json = serde_json::to_value(&all).unwrap();
        for key in [
            "sessions_held",
            "participants_by_sector",
            "participants_by_country",
            "agenda_progress",
            "evaluation_scores",
            "experts",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn a_threshold_is_at_least_one() {
        assert_eq!(threshold(0), 1);
        assert_eq!(threshold(3), 3);
    }
}
