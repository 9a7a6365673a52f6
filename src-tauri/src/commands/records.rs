//! Records: lists and details.

use crate::dto::{LinkRef, RecordDetail, RecordPage, RecordSummary, ScheduledBlock};
use crate::error::AppResult;
use crate::state::{with_workspace, AppState};
use insisst_core::store::ListQuery;
use insisst_core::Kind;
use tauri::State;

/// The most rows one call returns: lists page through longer results.
const MAX_PAGE: usize = 1_000;

#[tauri::command]
pub async fn records_list(
    state: State<'_, AppState>,
    kind: String,
    offset: u32,
    limit: u32,
) -> AppResult<RecordPage> {
    let kind: Kind = kind.parse()?;
    let offset = offset as usize;
    let limit = (limit as usize).min(MAX_PAGE);
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let query = ListQuery {
            kind: Some(kind),
            limit: Some(limit),
            offset,
            ..Default::default()
        };
        let total = ws.count(&query)?;
        let records = ws
            .list(&query)?
            .iter()
            .map(|r| RecordSummary {
                id: r.id.clone(),
                kind: r.kind.as_str().to_string(),
                title: r.title().to_string(),
                updated_at: r.updated_at().to_string(),
                tags: r.tags(),
                status: r.str("status").map(str::to_string),
            })
            .collect();
        Ok(RecordPage {
            records,
            total: u32::try_from(total).unwrap_or(u32::MAX),
            offset: offset as u32,
        })
    })
    .await
}

#[tauri::command]
pub async fn record_get(state: State<'_, AppState>, id: String) -> AppResult<RecordDetail> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let r = ws.get(&id)?;
        record_detail(ws, r)
    })
    .await
}

/// A record with what the detail view shows beside it: links both ways, its timed agenda.
pub(crate) fn record_detail(
    ws: &insisst_core::Workspace,
    r: insisst_core::store::Record,
) -> AppResult<RecordDetail> {
    let to_dto = |l: insisst_core::store::LinkRef| LinkRef {
        id: l.id,
        kind: l.kind.as_str().to_string(),
        title: l.title,
        rel: l.rel,
    };
    let links = ws.links_of(&r.id)?.into_iter().map(to_dto).collect();
    let backlinks = ws.backlinks(&r.id)?.into_iter().map(to_dto).collect();
    let schedule = (r.kind == Kind::Session)
        .then(|| insisst_core::agenda::schedule(&r.content))
        .flatten()
        .map(|blocks| {
            blocks
                .into_iter()
                .map(|b| ScheduledBlock {
                    index: b.index as u32,
                    title: b.title,
                    starts_at: b.starts_at,
                    ends_at: b.ends_at,
                    minutes: u32::try_from(b.minutes).unwrap_or(0),
                    day: b.day,
                })
                .collect()
        });
    let revision_count = u32::try_from(ws.revision_count(&r.id)?).unwrap_or(u32::MAX);
    Ok(RecordDetail {
        id: r.id.clone(),
        kind: r.kind.as_str().to_string(),
        title: r.title().to_string(),
        rev: r.rev.clone(),
        created_at: r.str("created_at").unwrap_or_default().to_string(),
        updated_at: r.updated_at().to_string(),
        record: r.to_json(),
        links,
        backlinks,
        schedule,
        revision_count,
    })
}

/// Creates a record of `kind` from `fields` (an object in product.md's contract; the core
/// validates it and names the field it refuses).
#[tauri::command]
pub async fn record_create(
    state: State<'_, AppState>,
    kind: String,
    fields: serde_json::Value,
) -> AppResult<RecordDetail> {
    let kind: Kind = kind.parse()?;
    let serde_json::Value::Object(content) = fields else {
        return Err(crate::error::AppError::new(
            "invalid",
            "a record's fields must be an object",
        ));
    };
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let r = ws.create(kind, content)?;
        record_detail(ws, r)
    })
    .await
}
