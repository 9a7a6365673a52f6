//! The app's state, set up once: where the workspace is, and the open workspace once it exists.

use crate::error::{AppError, AppResult};
use insisst_core::search::background::IndexFollower;
use insisst_core::search::SearchIndex;
use insisst_core::{Workspace, WorkspaceOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub struct AppState {
    pub root: PathBuf,
    /// `None` until the workspace exists (first start) and is opened.
    workspace: Arc<Mutex<Option<Workspace>>>,
    /// `None` until the index is open (it may be rebuilding in the background).
    pub search: Arc<Mutex<Option<SearchHandle>>>,
    /// Whether opening the index has started, and why it failed if it did.
    search_started: std::sync::atomic::AtomicBool,
    pub search_error: Arc<Mutex<Option<String>>>,
    /// Set to stop the running export or import (it then changes nothing).
    pub exchange_cancel: Arc<std::sync::atomic::AtomicBool>,
}

/// The open index and the thread that keeps it following the workspace.
pub struct SearchHandle {
    pub index: Arc<SearchIndex>,
    follower: IndexFollower,
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
        let state = AppState {
            root,
            workspace: Arc::new(Mutex::new(workspace)),
            search: Arc::new(Mutex::new(None)),
            search_started: std::sync::atomic::AtomicBool::new(false),
            search_error: Arc::new(Mutex::new(None)),
            exchange_cancel: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        };
        if lock(&state.workspace).is_some() {
            state.start_search();
        }
        state
    }

    /// Opens (or rebuilds) the search index on a thread of its own, so that the window shows
    /// at once; searches answer "still indexing" until it is ready. Every write of this
    /// process then nudges the follower; writes of other processes reach it by polling.
    pub fn start_search(&self) {
        if self
            .search_started
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let root = self.root.clone();
        let slot = Arc::clone(&self.search);
        let failure = Arc::clone(&self.search_error);
        let workspace = Arc::clone(&self.workspace);
        let spawned = std::thread::Builder::new()
            .name("insisst-index-open".into())
            .spawn(move || match open_search(&root) {
                Ok(handle) => {
                    if let Some(ws) = lock(&workspace).as_mut() {
                        ws.set_change_listener(Box::new(handle.follower.notifier()));
                    }
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
                }
                Err(e) => {
                    eprintln!("insisst: the search index could not be opened: {e}");
                    *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
                }
            });
        if let Err(e) = spawned {
            eprintln!("insisst: cannot start the search index: {e}");
            self.search_started
                .store(false, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Starts the index if the workspace exists and nobody has yet (the workspace may have
    /// appeared, or opened, after the app started).
    pub fn ensure_search(&self) {
        if insisst_core::store::exists(&self.root) {
            self.start_search();
        }
    }

    pub fn shared(&self) -> Arc<Mutex<Option<Workspace>>> {
        Arc::clone(&self.workspace)
    }
}

fn open_search(root: &Path) -> insisst_core::Result<SearchHandle> {
    // Its own connection: building the index must not hold the app's workspace lock.
    let ws = Workspace::open(root, WorkspaceOptions::default())?;
    let (index, _) = SearchIndex::open(&ws)?;
    let index = Arc::new(index);
    let follower = IndexFollower::spawn(root.to_path_buf(), Arc::clone(&index))?;
    Ok(SearchHandle { index, follower })
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
