//! Links out of the app: a note's external links, opened in the system browser.

use crate::error::{AppError, AppResult};
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;

/// Opens `url` in the system's browser (or mail program), only for `http`, `https` and
/// `mailto` (insisst-core's `markdown::external_url`); any other scheme is refused with
/// `invalid_url`. The window calls it when a person clicks an `a.external` of a rendered body.
#[tauri::command]
pub async fn open_external(app: AppHandle, url: String) -> AppResult<()> {
    let Some(url) = insisst_core::markdown::external_url(&url) else {
        return Err(AppError::new(
            "invalid_url",
            format!("Only http, https and mailto links open outside the app, not {url:?}"),
        ));
    };
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| AppError::new("open_failed", format!("Could not open {url}: {e}")))
}
