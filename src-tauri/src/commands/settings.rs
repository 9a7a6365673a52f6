//! Settings: backups of the workspace, and restoring one into a new folder. Restoring never
//! touches the open workspace: the app keeps it open, so a restore goes into an empty folder
//! (what `insisst init --from-backup` does), to be opened from there.

use crate::dto::BackupSummary;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use insisst_core::{Workspace, WorkspaceOptions};
use std::path::PathBuf;
use tauri::{AppHandle, State};

fn path_arg(path: &str, what: &str) -> AppResult<PathBuf> {
    let path = path.trim();
    if path.is_empty() {
        return Err(AppError::new("invalid", format!("choose {what}")));
    }
    Ok(PathBuf::from(path))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new("internal", format!("a background task failed: {e}")))?
}

/// Writes a backup of the workspace to `path` (a zip: the database, copied online, and every
/// attachment). Runs on a connection of its own, so the app keeps answering meanwhile.
#[tauri::command]
pub async fn backup_create(state: State<'_, AppState>, path: String) -> AppResult<BackupSummary> {
    let dest = path_arg(&path, "where to save the backup")?;
    let root = state.root.clone();
    blocking(move || {
        let ws = Workspace::open(&root, WorkspaceOptions::default())?;
        let summary = insisst_core::backup::create(&ws, &dest)?;
        Ok(BackupSummary {
            path: summary.path.display().to_string(),
            bytes: summary.bytes,
            attachments: u32::try_from(summary.attachments).unwrap_or(u32::MAX),
        })
    })
    .await
}

/// Restores the backup `backup` into `folder`, which must be empty or not exist yet. The
/// workspace open in the app is not touched. Returns the restored workspace's folder.
#[tauri::command]
pub async fn backup_restore(
    state: State<'_, AppState>,
    backup: String,
    folder: String,
) -> AppResult<String> {
    let src = path_arg(&backup, "the backup file to restore")?;
    let dest = path_arg(&folder, "an empty folder to restore into")?;
    let root = state.root.clone();
    blocking(move || {
        if dest == root {
            return Err(AppError::new(
                "invalid",
                "this is the open workspace's folder: choose an empty folder",
            ));
        }
        if dest.is_file() {
            return Err(AppError::new(
                "invalid",
                format!("{} is a file: choose an empty folder", dest.display()),
            ));
        }
        if dest.is_dir() {
            let mut entries = std::fs::read_dir(&dest)
                .map_err(|e| AppError::new("io", format!("cannot read {}: {e}", dest.display())))?;
            if entries.next().is_some() {
                return Err(AppError::new(
                    "invalid",
                    format!("{} is not empty: choose an empty folder", dest.display()),
                ));
            }
        }
        insisst_core::backup::restore(&src, &dest)?;
        Ok(dest.display().to_string())
    })
    .await
}

/// The system's file dialog for backups: where to save one (`save`), or which to open.
#[tauri::command]
pub async fn backup_pick_file(
    app: AppHandle,
    save: bool,
    suggested_name: Option<String>,
) -> AppResult<Option<String>> {
    super::dialog::pick_file(
        &app,
        Some(("Insisst backup", &["zip"])),
        save,
        suggested_name,
    )
}

/// The system's folder dialog: where to restore a backup.
#[tauri::command]
pub async fn backup_pick_folder(app: AppHandle) -> AppResult<Option<String>> {
    super::dialog::pick_folder(&app)
}
