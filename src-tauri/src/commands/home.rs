//! Home: what is coming up, what is open, what changed lately.

use crate::dto::{HomeOverview, QuestionSummary, RecordSummary, UpcomingSession};
use crate::error::AppResult;
use crate::state::{with_workspace, AppState};
use insisst_core::store::ListQuery;
use insisst_core::Kind;
use tauri::State;

/// How far ahead Home looks for sessions.
const UPCOMING_DAYS: u32 = 14;
const UPCOMING_LIMIT: usize = 20;
const OPEN_QUESTIONS_LIMIT: usize = 8;
const RECENT_NOTES_LIMIT: usize = 8;

#[tauri::command]
pub async fn home_overview(state: State<'_, AppState>) -> AppResult<HomeOverview> {
    with_workspace(state.shared(), state.root.clone(), |ws| {
        let text = |r: &insisst_core::store::Record, field: &str| r.str(field).map(str::to_string);
        let upcoming = ws
            .upcoming_sessions(ws.now(), UPCOMING_DAYS, UPCOMING_LIMIT)?
            .into_iter()
            .map(|(r, start)| UpcomingSession {
                id: r.id.clone(),
                title: r.title().to_string(),
                status: text(&r, "status"),
                session_kind: text(&r, "session_kind"),
                starts_at: text(&r, "starts_at").unwrap_or_default(),
                ends_at: text(&r, "ends_at"),
                timezone: text(&r, "timezone"),
                starts_at_utc: insisst_core::schema::format_timestamp(start),
                venue: text(&r, "venue"),
            })
            .collect();
        let open_questions = ws
            .questions_by_priority("open", OPEN_QUESTIONS_LIMIT)?
            .iter()
            .map(|r| QuestionSummary {
                id: r.id.clone(),
                title: r.title().to_string(),
                priority: text(r, "priority"),
                theme: text(r, "theme"),
                updated_at: r.updated_at().to_string(),
            })
            .collect();
        let open_question_count = ws.count(&ListQuery {
            kind: Some(Kind::Question),
            status: Some("open".into()),
            ..Default::default()
        })?;
        let recent_notes = ws
            .list(&ListQuery {
                kind: Some(Kind::Note),
                limit: Some(RECENT_NOTES_LIMIT),
                ..Default::default()
            })?
            .iter()
            .map(|r| RecordSummary {
                id: r.id.clone(),
                kind: r.kind.as_str().to_string(),
                title: r.title().to_string(),
                updated_at: r.updated_at().to_string(),
                tags: r.tags(),
                status: text(r, "status"),
                consent_missing: false,
            })
            .collect();
        Ok(HomeOverview {
            upcoming_days: UPCOMING_DAYS,
            upcoming,
            open_questions,
            open_question_count: u32::try_from(open_question_count).unwrap_or(u32::MAX),
            recent_notes,
        })
    })
    .await
}
