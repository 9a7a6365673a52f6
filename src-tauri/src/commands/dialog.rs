//! The system's file dialogs, opened from Rust so that the window itself needs no
//! file-system permission. Blocking: commands call them from the async runtime's threads.

use crate::error::{AppError, AppResult};
use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, FilePath};

/// A file to save (`save`, suggesting `suggested_name`) or to open, of the kind the filter
/// names (any file without one); `None` when the person cancels.
pub fn pick_file(
    app: &AppHandle,
    filter: Option<(&str, &[&str])>,
    save: bool,
    suggested_name: Option<String>,
) -> AppResult<Option<String>> {
    let mut dialog = app.dialog().file();
    if let Some((name, extensions)) = filter {
        dialog = dialog.add_filter(name, extensions);
    }
    let picked = if save {
        let dialog = match suggested_name {
            Some(name) => dialog.set_file_name(name),
            None => dialog,
        };
        dialog.blocking_save_file()
    } else {
        dialog.blocking_pick_file()
    };
    picked.map(local_path).transpose()
}

/// A folder; `None` when the person cancels.
pub fn pick_folder(app: &AppHandle) -> AppResult<Option<String>> {
    app.dialog()
        .file()
        .blocking_pick_folder()
        .map(local_path)
        .transpose()
}

fn local_path(picked: FilePath) -> AppResult<String> {
    picked
        .into_path()
        .map(|p| p.display().to_string())
        .map_err(|e| AppError::new("invalid", format!("not a local path: {e}")))
}
