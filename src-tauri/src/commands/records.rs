//! Records: lists and details.

use crate::dto::{
    CalendarSession, FieldFilter, FieldValueCount, LinkRef, MethodCard, QuestionCard, RecordDetail,
    RecordPage, RecordSummary, RevisionEntry, ScheduledBlock,
};
use crate::error::AppResult;
use crate::state::{with_workspace, AppState};
use insisst_core::store::ListQuery;
use insisst_core::Kind;
use std::collections::HashMap;
use tauri::State;

/// The most rows one call returns: lists page through longer results.
const MAX_PAGE: usize = 1_000;

#[tauri::command]
pub async fn records_list(
    state: State<'_, AppState>,
    kind: String,
    offset: u32,
    limit: u32,
    filters: Option<Vec<FieldFilter>>,
) -> AppResult<RecordPage> {
    let kind: Kind = kind.parse()?;
    let offset = offset as usize;
    let limit = (limit as usize).min(MAX_PAGE);
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let query = ListQuery {
            kind: Some(kind),
            fields: filters
                .unwrap_or_default()
                .into_iter()
                .map(|f| (f.field, f.value))
                .collect(),
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
                consent_missing: insisst_core::Workspace::lacks_basis(r),
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
    let body_html = ws.render_body(&r)?;
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
        body_html,
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
    let content = fields_object(fields)?;
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let r = ws.create(kind, content)?;
        record_detail(ws, r)
    })
    .await
}

fn fields_object(
    fields: serde_json::Value,
) -> AppResult<serde_json::Map<String, serde_json::Value>> {
    match fields {
        serde_json::Value::Object(content) => Ok(content),
        _ => Err(crate::error::AppError::new(
            "invalid",
            "a record's fields must be an object",
        )),
    }
}

/// Replaces the fields of record `id` (the whole record, as `record` shows it). With
/// `expected_rev`, the core refuses with `conflict` when the record changed since.
#[tauri::command]
pub async fn record_update(
    state: State<'_, AppState>,
    id: String,
    fields: serde_json::Value,
    expected_rev: Option<String>,
) -> AppResult<RecordDetail> {
    let content = fields_object(fields)?;
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let r = ws.update(&id, content, expected_rev.as_deref())?;
        record_detail(ws, r)
    })
    .await
}

/// Every revision of record `id`, newest first.
#[tauri::command]
pub async fn record_history(
    state: State<'_, AppState>,
    id: String,
) -> AppResult<Vec<RevisionEntry>> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(ws
            .history(&id)?
            .into_iter()
            .map(|v| {
                let title = v
                    .content
                    .as_ref()
                    .and_then(|c| c.get("title"))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let record = match v.content {
                    Some(mut content) => {
                        content.insert("rev".into(), serde_json::Value::String(v.rev.clone()));
                        serde_json::Value::Object(content)
                    }
                    None => serde_json::Value::Null,
                };
                RevisionEntry {
                    generation: u32::try_from(v.generation).unwrap_or(0),
                    rev: v.rev,
                    author: v.author,
                    author_org: v.author_org,
                    created_at: v.created_at,
                    deleted: v.deleted,
                    is_winner: v.is_winner,
                    stub: v.stub,
                    title,
                    record,
                }
            })
            .collect())
    })
    .await
}

/// Makes revision `rev` of record `id` current again, as a new revision.
#[tauri::command]
pub async fn record_restore(
    state: State<'_, AppState>,
    id: String,
    rev: String,
) -> AppResult<RecordDetail> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let r = ws.restore(&id, &rev)?;
        record_detail(ws, r)
    })
    .await
}

/// Deletes record `id` (a tombstone revision; its history stays restorable).
#[tauri::command]
pub async fn record_delete(state: State<'_, AppState>, id: String) -> AppResult<()> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        ws.delete(&id)?;
        Ok(())
    })
    .await
}

/// Every live learning question, newest updated first, with its owner's name.
#[tauri::command]
pub async fn questions_list(state: State<'_, AppState>) -> AppResult<Vec<QuestionCard>> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let questions = ws.list(&ListQuery {
            kind: Some(Kind::Question),
            ..Default::default()
        })?;
        let mut names: HashMap<String, Option<String>> = HashMap::new();
        let text = |r: &insisst_core::store::Record, f: &str| {
            r.str(f).filter(|s| !s.is_empty()).map(str::to_string)
        };
        let mut out = Vec::with_capacity(questions.len());
        for q in &questions {
            let owner_org = text(q, "owner_org");
            let owner_name = match &owner_org {
                Some(org) => names
                    .entry(org.clone())
                    .or_insert_with(|| {
                        ws.get(org).ok().map(|o| {
                            o.str("short_name")
                                .filter(|s| !s.is_empty())
                                .unwrap_or(o.title())
                                .to_string()
                        })
                    })
                    .clone(),
                None => None,
            };
            out.push(QuestionCard {
                id: q.id.clone(),
                rev: q.rev.clone(),
                title: q.title().to_string(),
                status: text(q, "status"),
                priority: text(q, "priority"),
                theme: text(q, "theme"),
                owner_org,
                owner_name,
                created_at: text(q, "created_at").unwrap_or_default(),
                updated_at: q.updated_at().to_string(),
            });
        }
        Ok(out)
    })
    .await
}

/// The method library, by title: what the session editor offers for a new agenda block.
#[tauri::command]
pub async fn methods_list(state: State<'_, AppState>) -> AppResult<Vec<MethodCard>> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let mut methods: Vec<MethodCard> = ws
            .list(&ListQuery {
                kind: Some(Kind::Method),
                ..Default::default()
            })?
            .into_iter()
            .map(|m| MethodCard {
                minutes: m
                    .content
                    .get("minutes")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok()),
                group_size: m.str("group_size").map(str::to_string),
                materials: m.str("materials").map(str::to_string),
                tags: m.tags(),
                title: m.title().to_string(),
                id: m.id,
            })
            .collect();
        methods.sort_by_cached_key(|m| (m.title.to_lowercase(), m.id.clone()));
        Ok(methods)
    })
    .await
}

/// The most sessions one calendar page shows.
const CALENDAR_LIMIT: usize = 2_000;

/// Sessions meeting the local dates `from`..=`to` (`YYYY-MM-DD`): a month or week page of
/// the calendar, by start.
#[tauri::command]
pub async fn sessions_calendar(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> AppResult<Vec<CalendarSession>> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let text = |r: &insisst_core::store::Record, f: &str| r.str(f).map(str::to_string);
        Ok(ws
            .sessions_between(&from, &to, CALENDAR_LIMIT)?
            .iter()
            .map(|r| CalendarSession {
                id: r.id.clone(),
                title: r.title().to_string(),
                status: text(r, "status"),
                session_kind: text(r, "session_kind"),
                starts_at: text(r, "starts_at").unwrap_or_default(),
                ends_at: text(r, "ends_at"),
                timezone: text(r, "timezone"),
            })
            .collect())
    })
    .await
}

/// The most values a list filter offers for one field.
const FILTER_VALUES: usize = 200;

/// The values `field` takes among live records of `kind`, most frequent first: the choices
/// of a list's filter (a contact's country, sector, languages, expertise …).
#[tauri::command]
pub async fn field_values(
    state: State<'_, AppState>,
    kind: String,
    field: String,
) -> AppResult<Vec<FieldValueCount>> {
    let kind: Kind = kind.parse()?;
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(ws
            .field_values(kind, &field, FILTER_VALUES)?
            .into_iter()
            .map(|(value, count)| FieldValueCount {
                value,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            })
            .collect())
    })
    .await
}
