//! The one search box.

use crate::dto::{FacetCount, SearchFacets, SearchHit, SearchRequest, SearchResults};
use crate::error::{AppError, AppResult};
use crate::state::{lock, AppState};
use insisst_core::search::SearchOptions;
use insisst_core::Kind;
use tauri::State;

#[tauri::command]
pub async fn search_query(
    state: State<'_, AppState>,
    request: SearchRequest,
) -> AppResult<SearchResults> {
    let kind = request
        .kind
        .as_deref()
        .map(str::parse::<Kind>)
        .transpose()?;
    let index = lock_search(&state)?;
    let workspace = state.shared();
    tauri::async_runtime::spawn_blocking(move || {
        let guard = lock(&workspace);
        let ws = guard
            .as_ref()
            .ok_or_else(|| AppError::new("no_workspace", "no workspace is open"))?;
        let opts = SearchOptions {
            limit: request
                .limit
                .map_or(insisst_core::search::DEFAULT_LIMIT, |l| l as usize),
            as_you_type: request.as_you_type,
            kind,
        };
        let r = index.search(ws, &request.query, &opts)?;
        let facet = |v: Vec<(String, u64)>| {
            v.into_iter()
                .map(|(value, count)| FacetCount {
                    value,
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                })
                .collect()
        };
        Ok(SearchResults {
            total: u32::try_from(r.total).unwrap_or(u32::MAX),
            hits: r
                .hits
                .into_iter()
                .map(|h| SearchHit {
                    id: h.id,
                    kind: h.kind,
                    title: h.title,
                    snippet: h.snippet,
                    score: h.score,
                })
                .collect(),
            facets: SearchFacets {
                kind: facet(r.facets.kind),
                tag: facet(r.facets.tag),
                org: facet(r.facets.org),
            },
            fuzzy: r.fuzzy,
        })
    })
    .await
    .map_err(|e| AppError::new("internal", format!("a background task failed: {e}")))?
}

fn lock_search(state: &AppState) -> AppResult<std::sync::Arc<insisst_core::search::SearchIndex>> {
    if let Some(handle) = state
        .search
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        return Ok(std::sync::Arc::clone(&handle.index));
    }
    if let Some(message) = state
        .search_error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        return Err(AppError::new(
            "index",
            format!("Search is unavailable: {message}"),
        ));
    }
    state.ensure_search();
    Err(AppError::new(
        "index_building",
        "The search index is still being built; try again in a moment.",
    ))
}
