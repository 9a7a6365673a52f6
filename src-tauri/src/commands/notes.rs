//! Writing a body: its live preview while typing, and attachments added to a record by drag
//! and drop (the bytes, sent as the raw IPC body) or through the system's file dialog.

use super::dialog;
use super::records::record_detail;
use crate::dto::AttachedFile;
use crate::error::{AppError, AppResult};
use crate::state::{with_workspace, AppState};
use insisst_core::store::MAX_ATTACHMENT_BYTES;
use std::io::Write;
use std::path::Path;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, State};

/// The longest body the preview renders: the core's record cap; a longer body would be
/// refused on save anyway.
const MAX_PREVIEW_BYTES: usize = 4 * 1024 * 1024;

/// `body` rendered as record `id` would show it once saved (wiki links resolved by title,
/// attachments by hash or by a file name the record links), sanitised like every body.
#[tauri::command]
pub async fn body_preview(
    state: State<'_, AppState>,
    id: String,
    body: String,
) -> AppResult<Option<String>> {
    if body.len() > MAX_PREVIEW_BYTES {
        return Err(AppError::new(
            "invalid",
            format!(
                "the text is {} bytes; a record's body may be at most {MAX_PREVIEW_BYTES}",
                body.len()
            ),
        ));
    }
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let mut record = ws.get(&id)?;
        record
            .content
            .insert("body".into(), serde_json::Value::String(body));
        Ok(ws.render_body(&record)?)
    })
    .await
}

/// Attaches the request's raw body as a file to record `x-record-id`, named
/// `x-file-name` (URI-encoded, as headers are ASCII), on top of revision `x-expected-rev`
/// (the one the editor holds: a record changed meanwhile is the core's `conflict`). Returns
/// the record, now linking it, and the attachment's sha256.
#[tauri::command]
pub async fn attachment_add(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> AppResult<AttachedFile> {
    let header = |name: &str| -> AppResult<String> {
        let raw = request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| AppError::new("invalid", format!("the request has no {name} header")))?;
        percent_decode(raw)
            .ok_or_else(|| AppError::new("invalid", format!("the {name} header is not UTF-8")))
    };
    let id = header("x-record-id")?;
    let file_name = safe_file_name(&header("x-file-name")?);
    let expected_rev = header("x-expected-rev")?;
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new(
            "invalid",
            "the file's bytes must be the raw request body",
        ));
    };
    if bytes.len() as u64 > MAX_ATTACHMENT_BYTES {
        return Err(AppError::new(
            "invalid",
            format!(
                "{file_name} is {} bytes; attachments may be at most {MAX_ATTACHMENT_BYTES} bytes",
                bytes.len()
            ),
        ));
    }
    let bytes = bytes.clone();
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        // The core stores a file by path and keeps its name: the bytes go to a private
        // folder inside the workspace (same disk, removed afterwards) under their own name.
        let staging = tempfile::Builder::new()
            .prefix(".drop-")
            .tempdir_in(ws.root())
            .map_err(|e| AppError::new("io", format!("cannot stage {file_name}: {e}")))?;
        let path = staging.path().join(&file_name);
        let mut file = std::fs::File::create(&path)
            .map_err(|e| AppError::new("io", format!("cannot stage {file_name}: {e}")))?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| AppError::new("io", format!("cannot stage {file_name}: {e}")))?;
        drop(file);
        attach(ws, &id, &path, &expected_rev)
    })
    .await
}

/// Opens the system's file dialog and attaches the chosen file to record `id` on top of
/// `expected_rev`; `None` when the person cancels.
#[tauri::command]
pub async fn attachment_pick(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    expected_rev: String,
) -> AppResult<Option<AttachedFile>> {
    let picked = dialog::pick_file(&app, None, false, None)?;
    let Some(path) = picked else {
        return Ok(None);
    };
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        attach(ws, &id, Path::new(&path), &expected_rev).map(Some)
    })
    .await
}

fn attach(
    ws: &mut insisst_core::Workspace,
    id: &str,
    path: &Path,
    expected_rev: &str,
) -> AppResult<AttachedFile> {
    let attachment = ws.attach_at(id, path, Some(expected_rev))?;
    let record = ws.get(id)?;
    Ok(AttachedFile {
        sha256: attachment.str("sha256").unwrap_or_default().to_string(),
        file_name: attachment.str("filename").unwrap_or_default().to_string(),
        media_type: attachment.str("media_type").map(str::to_string),
        record: record_detail(ws, record)?,
    })
}

/// A file name that is one plain path component: what a drop names could be anything.
fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "attachment".to_string()
    } else {
        cleaned
    }
}

/// `encodeURIComponent` undone.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_from_a_drop_are_one_plain_component() {
        assert_eq!(safe_file_name("photo.png"), "photo.png");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\x\\board.jpg"), "board.jpg");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name("a\u{0}b\n.png"), "ab.png");
        assert_eq!(safe_file_name(".."), "attachment");
        assert_eq!(safe_file_name(""), "attachment");
    }

    #[test]
    fn percent_encoded_headers_decode() {
        assert_eq!(
            percent_decode("Caf%C3%A9%20board.png").as_deref(),
            Some("Café board.png")
        );
        assert_eq!(percent_decode("plain").as_deref(), Some("plain"));
        assert_eq!(percent_decode("%FF"), None);
        assert_eq!(percent_decode("bad%zz"), None);
        assert_eq!(percent_decode("end%4"), Some("end%4".to_string()));
    }
}
