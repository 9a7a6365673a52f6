//! The app's state, set up once: where the workspace is, and the open workspace once it exists.

use crate::error::{AppError, AppResult};
use insisst_core::{Workspace, WorkspaceOptions};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

pub struct AppState {
    pub root: PathBuf,
    /// `None` until the workspace exists (first start) and is opened.
    workspace: Arc<Mutex<Option<Workspace>>>,
}

impl AppState {
    pub fn new(root: PathBuf) -> Self {
        let workspace = if insisst_core::store::exists(&root) {
            match Workspace::open(&root, WorkspaceOptions::default()) {
                Ok(ws) => Some(ws),
                Err(e) => {
                    // Shown again, with its message, by the first command that needs it.
                    eprintln!("insisst: cannot open {}: {e}", root.display());
                    None
                }
            }
        } else {
            None
        };
        AppState {
            root,
            workspace: Arc::new(Mutex::new(workspace)),
        }
    }

    pub fn shared(&self) -> Arc<Mutex<Option<Workspace>>> {
        Arc::clone(&self.workspace)
    }
}

/// Locks the workspace slot; a panic in another command must not lock everyone out.
pub fn lock(slot: &Mutex<Option<Workspace>>) -> MutexGuard<'_, Option<Workspace>> {
    slot.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` on the open workspace, on a blocking thread (SQLite work must not stall the
/// async runtime that serves IPC).
pub async fn with_workspace<T: Send + 'static>(
    slot: Arc<Mutex<Option<Workspace>>>,
    root: PathBuf,
    f: impl FnOnce(&mut Workspace) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tauri::async_runtime::spawn_blocking(move || {
        let mut guard = lock(&slot);
        if guard.is_none() && insisst_core::store::exists(&root) {
            *guard = Some(Workspace::open(&root, WorkspaceOptions::default())?);
        }
        match guard.as_mut() {
            Some(ws) => f(ws),
            None => Err(AppError::from(insisst_core::Error::NoWorkspace {
                path: root,
            })),
        }
    })
    .await
    .map_err(|e| AppError::new("internal", format!("a background task failed: {e}")))?
}
