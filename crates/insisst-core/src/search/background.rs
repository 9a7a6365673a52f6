//! Keeping the index current while the app runs: a thread that follows the workspace's change
//! sequence, whoever wrote (this process or the CLI beside it), and commits at most every
//! ~100 ms so that a saved record is searchable well within 200 ms.

use super::SearchIndex;
use crate::store::{Workspace, WorkspaceOptions};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long to gather saves before committing them together.
const BATCH_WINDOW: Duration = Duration::from_millis(100);
/// How often to look at the change sequence when nobody said anything changed (writes by
/// another process), and to try again for the writer when another process held it.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

enum Message {
    Changed,
    Stop,
}

/// The running follower; dropping it stops the thread.
pub struct IndexFollower {
    tx: Sender<Message>,
    handle: Option<JoinHandle<()>>,
}

impl IndexFollower {
    /// Follows the workspace in `root` with its own database connection.
    pub fn spawn(root: PathBuf, index: Arc<SearchIndex>) -> crate::Result<IndexFollower> {
        let ws = Workspace::open(&root, WorkspaceOptions::default())?;
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("insisst-index".into())
            .spawn(move || {
                let mut last_commit = Instant::now() - BATCH_WINDOW;
                loop {
                    match rx.recv_timeout(POLL_INTERVAL) {
                        Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                        Ok(Message::Changed) | Err(RecvTimeoutError::Timeout) => {}
                    }
                    let since = last_commit.elapsed();
                    if since < BATCH_WINDOW {
                        std::thread::sleep(BATCH_WINDOW - since);
                    }
                    // Drain what arrived meanwhile: one commit covers it all.
                    while let Ok(m) = rx.try_recv() {
                        if matches!(m, Message::Stop) {
                            return;
                        }
                    }
                    if !index.is_writer() && !index.try_acquire_writer() {
                        continue;
                    }
                    match ws.change_seq() {
                        Ok(seq) if seq > index.indexed_seq() => {
                            if let Err(e) = index.sync(&ws) {
                                tracing::warn!("index sync failed: {e}");
                            }
                            last_commit = Instant::now();
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!("reading the change sequence failed: {e}"),
                    }
                }
            })
            .map_err(|e| crate::Error::io("start the index thread", e))?;
        Ok(IndexFollower {
            tx,
            handle: Some(handle),
        })
    }

    /// Something was written: index it soon. Cheap; call it from the change listener.
    pub fn notifier(&self) -> impl Fn(i64) + Send + 'static {
        let tx = self.tx.clone();
        move |_| {
            let _ = tx.send(Message::Changed);
        }
    }
}

impl Drop for IndexFollower {
    fn drop(&mut self) {
        let _ = self.tx.send(Message::Stop);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
