//! The workspace itself: is there one, whose is it, make one.

use crate::dto::{KindCount, Owner, PartnerOrg, SetupRequest, WorkspaceStatus};
use crate::error::{AppError, AppResult};
use crate::state::{lock, with_workspace, AppState};
use insisst_core::store::NewOwner;
use insisst_core::{Workspace, WorkspaceOptions};
use tauri::State;

fn status_of(ws: &Workspace) -> AppResult<WorkspaceStatus> {
    let id = ws.identity();
    let stats = ws.stats()?;
    Ok(WorkspaceStatus {
        path: ws.root().display().to_string(),
        ready: true,
        owner: Some(Owner {
            member: id.owner.member.clone(),
            organisation: id.owner.org_name.clone(),
            organisation_id: id.owner.org_id.clone(),
            node_id: id.node_id.clone(),
            fingerprint: id.fingerprint(),
        }),
        counts: stats
            .counts
            .iter()
            .map(|(k, n)| KindCount {
                kind: k.as_str().to_string(),
                count: u32::try_from(*n).unwrap_or(u32::MAX),
            })
            .collect(),
    })
}

#[tauri::command]
pub async fn workspace_status(state: State<'_, AppState>) -> AppResult<WorkspaceStatus> {
    let root = state.root.clone();
    if !insisst_core::store::exists(&root) {
        return Ok(WorkspaceStatus {
            path: root.display().to_string(),
            ready: false,
            owner: None,
            counts: vec![],
        });
    }
    with_workspace(state.shared(), root, |ws| status_of(ws)).await
}

#[tauri::command]
pub async fn workspace_partners() -> AppResult<Vec<PartnerOrg>> {
    Ok(insisst_core::partners::PARTNERS
        .iter()
        .map(|p| PartnerOrg {
            id: p.id.to_string(),
            name: p.name.to_string(),
            short_name: p.short_name.to_string(),
            country: p.country.to_string(),
        })
        .collect())
}

/// First start: creates the workspace for its owner, with demo records if asked.
#[tauri::command]
pub async fn workspace_setup(
    state: State<'_, AppState>,
    request: SetupRequest,
) -> AppResult<WorkspaceStatus> {
    let root = state.root.clone();
    let slot = state.shared();
    let status = tauri::async_runtime::spawn_blocking(move || {
        let mut guard = lock(&slot);
        if guard.is_some() || insisst_core::store::exists(&root) {
            return Err(AppError::from(insisst_core::Error::WorkspaceExists {
                path: root,
            }));
        }
        let owner = NewOwner {
            member: request.member,
            organisation: Some(request.organisation).filter(|o| !o.trim().is_empty()),
        };
        let mut ws = Workspace::init(&root, &owner, WorkspaceOptions::default())?;
        if let Some(n) = request.demo_records.filter(|n| *n > 0) {
            insisst_core::demo::generate(&mut ws, u64::from(n.min(100_000)), 1)?;
        }
        let status = status_of(&ws)?;
        *guard = Some(ws);
        Ok(status)
    })
    .await
    .map_err(|e| AppError::new("internal", format!("a background task failed: {e}")))??;
    state.start_search();
    Ok(status)
}
