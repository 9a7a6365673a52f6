//! Exchange: bundles out and in, conflicts, the keyring. Exports and imports run on their own
//! connection to the workspace, so the rest of the app keeps answering while they work; the
//! search index follows their writes by polling, as it does for the CLI's.

use crate::commands::records::record_detail;
use crate::dto::{
    BundleAuthor, ConflictDetail, ConflictResolution, ConflictSummary, ConflictVersion,
    ExchangeProgress, ExportRequest, ExportSummary, ImportPreview, ImportSummary, KindCount,
    KindPlan, KnownKey, RecordDetail, SignatureStatus,
};
use crate::error::{AppError, AppResult};
use crate::state::{with_workspace, AppState};
use insisst_core::exchange::{self, keyring, ExportScope, ImportOptions, ImportPlan, Phase};
use insisst_core::{Workspace, WorkspaceOptions};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, State};

/// The event long exchanges report progress with.
const PROGRESS_EVENT: &str = "exchange-progress";

/// Progress as events to the window, and the cancel flag the UI sets.
struct WindowProgress {
    app: AppHandle,
    cancel: Arc<AtomicBool>,
}

impl exchange::Progress for WindowProgress {
    fn update(&self, phase: Phase, done: u64, total: u64) {
        let _ = self.app.emit(
            PROGRESS_EVENT,
            ExchangeProgress {
                phase: phase.as_str().to_string(),
                done,
                total,
            },
        );
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// Runs a long exchange on a blocking thread, with a connection of its own.
async fn on_own_connection<T: Send + 'static>(
    state: &AppState,
    app: AppHandle,
    f: impl FnOnce(&mut Workspace, &WindowProgress) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let root = state.root.clone();
    let cancel = Arc::clone(&state.exchange_cancel);
    cancel.store(false, Ordering::SeqCst);
    tauri::async_runtime::spawn_blocking(move || {
        let mut ws = Workspace::open(&root, WorkspaceOptions::default())?;
        f(&mut ws, &WindowProgress { app, cancel })
    })
    .await
    .map_err(|e| AppError::new("internal", format!("a background task failed: {e}")))?
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_day(s: Option<String>, field: &str) -> AppResult<Option<chrono::NaiveDate>> {
    non_empty(s)
        .map(|d| {
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                AppError::new(
                    "invalid",
                    format!("{field}: `{d}` is not a date (YYYY-MM-DD)"),
                )
            })
        })
        .transpose()
}

#[tauri::command]
pub async fn exchange_export(
    state: State<'_, AppState>,
    app: AppHandle,
    request: ExportRequest,
) -> AppResult<ExportSummary> {
    let path = PathBuf::from(request.path.trim());
    if request.path.trim().is_empty() {
        return Err(AppError::new("invalid", "choose where to save the bundle"));
    }
    let s = request.scope;
    let scope = ExportScope {
        tag: non_empty(s.tag),
        session: non_empty(s.session),
        question: non_empty(s.question),
        from: parse_day(s.from, "from")?,
        to: parse_day(s.to, "to")?,
        changed_since_last_to: non_empty(s.changed_since_last_to),
        for_org: non_empty(s.for_org),
    };
    on_own_connection(&state, app, move |ws, progress| {
        let summary = exchange::export(ws, &path, &scope, progress)?;
        Ok(ExportSummary {
            path: summary.path.display().to_string(),
            bundle_id: summary.bundle_id,
            records: count(summary.records),
            revisions: count(summary.revisions),
            attachments: count(summary.attachments),
            bytes: summary.bytes,
            left_out_contacts: count(summary.left_out_contacts),
            counts: summary
                .counts
                .iter()
                .map(|(k, n)| KindCount {
                    kind: k.as_str().to_string(),
                    count: count(*n),
                })
                .collect(),
        })
    })
    .await
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn kind_plan(kind: &str, p: &exchange::KindPlan) -> KindPlan {
    KindPlan {
        kind: kind.to_string(),
        new: count(p.new),
        updated: count(p.updated),
        unchanged: count(p.unchanged),
        conflicting: count(p.conflicting),
        deleted: count(p.deleted),
    }
}

fn preview_dto(path: &std::path::Path, plan: &ImportPlan) -> ImportPreview {
    let m = &plan.manifest;
    ImportPreview {
        path: path.display().to_string(),
        bundle_id: m.bundle_id.clone(),
        format_version: m.format_version.clone(),
        created_at: m.created_at.clone(),
        author: BundleAuthor {
            member: m.author.member.clone(),
            organisation: m.author.organisation.clone(),
            node_id: m.author.node_id.clone(),
            fingerprint: m.author.fingerprint(),
        },
        signature: match plan.signature {
            exchange::SignatureStatus::KnownKey => SignatureStatus::KnownKey,
            exchange::SignatureStatus::NewAuthor => SignatureStatus::NewAuthor,
            exchange::SignatureStatus::ChangedKey => SignatureStatus::ChangedKey,
            exchange::SignatureStatus::Own => SignatureStatus::Own,
        },
        scope: plan.scope_text(),
        kinds: plan
            .kinds
            .iter()
            .map(|(k, p)| kind_plan(k.as_str(), p))
            .collect(),
        total: kind_plan("all", &plan.total()),
        new_attachments: count(plan.new_attachments),
        seen_before: plan.seen_before,
    }
}

#[tauri::command]
pub async fn exchange_preview(
    state: State<'_, AppState>,
    app: AppHandle,
    path: String,
) -> AppResult<ImportPreview> {
    let path = PathBuf::from(path.trim());
    on_own_connection(&state, app, move |ws, progress| {
        let plan = exchange::preview(ws, &path, progress)?;
        Ok(preview_dto(&path, &plan))
    })
    .await
}

#[tauri::command]
pub async fn exchange_import(
    state: State<'_, AppState>,
    app: AppHandle,
    path: String,
    trust_new_key: bool,
) -> AppResult<ImportSummary> {
    let path = PathBuf::from(path.trim());
    on_own_connection(&state, app, move |ws, progress| {
        let plan = exchange::import(ws, &path, ImportOptions { trust_new_key }, progress)?;
        Ok(ImportSummary {
            preview: preview_dto(&path, &plan),
            key_recorded: plan.key_recorded,
        })
    })
    .await
}

#[tauri::command]
pub async fn exchange_cancel(state: State<'_, AppState>) -> AppResult<()> {
    state.exchange_cancel.store(true, Ordering::SeqCst);
    Ok(())
}

/// The system's file dialog: where to save a bundle, or which one to open.
#[tauri::command]
pub async fn exchange_pick_file(
    app: AppHandle,
    save: bool,
    suggested_name: Option<String>,
) -> AppResult<Option<String>> {
    super::dialog::pick_file(
        &app,
        Some(("Insisst bundle", &["insisst"])),
        save,
        suggested_name,
    )
}

#[tauri::command]
pub async fn conflicts_list(state: State<'_, AppState>) -> AppResult<Vec<ConflictSummary>> {
    with_workspace(state.shared(), state.root.clone(), |ws| {
        Ok(ws
            .conflicts()?
            .into_iter()
            .map(|c| ConflictSummary {
                id: c.id,
                kind: c.kind.as_str().to_string(),
                title: c.title,
                winner: c.winner,
                losers: c.losers,
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn conflict_get(state: State<'_, AppState>, id: String) -> AppResult<ConflictDetail> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let record = ws.get_any(&id)?;
        let versions = ws
            .conflict_versions(&record.id)?
            .into_iter()
            .map(|v| {
                let mut content = v.content.unwrap_or_default();
                content.insert("rev".into(), Value::String(v.rev.clone()));
                ConflictVersion {
                    rev: v.rev,
                    is_winner: v.is_winner,
                    author: v.author,
                    author_org: v.author_org,
                    created_at: v.created_at,
                    record: Value::Object(content),
                }
            })
            .collect();
        Ok(ConflictDetail {
            id: record.id.clone(),
            kind: record.kind.as_str().to_string(),
            title: record.title().to_string(),
            versions,
        })
    })
    .await
}

#[tauri::command]
pub async fn conflict_resolve(
    state: State<'_, AppState>,
    resolution: ConflictResolution,
) -> AppResult<RecordDetail> {
    let merged = match resolution.content {
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            return Err(AppError::new(
                "invalid",
                "merged content must be a record (a JSON object)",
            ))
        }
        None => None,
    };
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let record = ws.resolve_conflict(&resolution.id, resolution.pick.as_deref(), merged)?;
        record_detail(ws, record)
    })
    .await
}

#[tauri::command]
pub async fn keys_list(state: State<'_, AppState>) -> AppResult<Vec<KnownKey>> {
    with_workspace(state.shared(), state.root.clone(), |ws| {
        Ok(keyring::list(ws)?
            .into_iter()
            .map(|k| KnownKey {
                node_id: k.node_id,
                member: k.member,
                organisation: k.organisation,
                fingerprint: k.fingerprint,
                first_seen: k.first_seen,
                last_seen: k.last_seen,
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn keys_remove(state: State<'_, AppState>, node_id: String) -> AppResult<()> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        keyring::remove(ws, &node_id)?;
        Ok(())
    })
    .await
}
