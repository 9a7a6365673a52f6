//! Files other programs write and read: contacts as vCard, sessions as iCalendar ("Add to
//! calendar" included), notes as a Markdown folder (an Obsidian vault), and printable reports.
//! The formats are insisst-core's `interop` and `report`; these commands pick the path and
//! translate the reports.

use super::dialog;
use crate::dto::{InteropExport, InteropImport, InteropItem, ReportView};
use crate::error::{AppError, AppResult};
use crate::state::{with_workspace, AppState};
use insisst_core::interop::{self, ExportReport, ImportReport};
use insisst_core::report;
use std::path::PathBuf;
use tauri::{AppHandle, State};

/// The file formats, as the UI names them.
#[derive(Clone, Copy)]
enum FileFormat {
    Vcard,
    Ics,
    Markdown,
}

impl FileFormat {
    fn parse(name: &str) -> AppResult<Self> {
        match name {
            "vcard" => Ok(FileFormat::Vcard),
            "ics" => Ok(FileFormat::Ics),
            "markdown" => Ok(FileFormat::Markdown),
            other => Err(AppError::new(
                "invalid",
                format!("`{other}` is not a file format (vcard, ics or markdown)"),
            )),
        }
    }
}

/// The system's dialog for a file of `format` (a folder for Markdown); `None` when cancelled.
#[tauri::command]
pub async fn interop_pick(
    app: AppHandle,
    format: String,
    save: bool,
    suggested_name: Option<String>,
) -> AppResult<Option<String>> {
    match FileFormat::parse(&format)? {
        FileFormat::Vcard => dialog::pick_file(
            &app,
            Some(("vCard", &["vcf", "vcard"])),
            save,
            suggested_name,
        ),
        FileFormat::Ics => {
            dialog::pick_file(&app, Some(("iCalendar", &["ics"])), save, suggested_name)
        }
        FileFormat::Markdown => dialog::pick_folder(&app),
    }
}

/// Imports contacts (vCard), sessions (iCalendar) or notes (a Markdown folder) from `path`:
/// what is valid comes in, every refused item is reported with why.
#[tauri::command]
pub async fn interop_import(
    state: State<'_, AppState>,
    format: String,
    path: String,
) -> AppResult<InteropImport> {
    let format = FileFormat::parse(&format)?;
    let path = PathBuf::from(path);
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let report = match format {
            FileFormat::Vcard => interop::vcard::import(ws, &path)?,
            FileFormat::Ics => interop::ical::import(ws, &path)?,
            FileFormat::Markdown => interop::mdfolder::import(ws, &path)?,
        };
        Ok(import_dto(report))
    })
    .await
}

/// Exports every contact (vCard), every session (iCalendar) or every note (a Markdown
/// folder) to `path`; `tag` narrows contacts and notes; `shareable_only` leaves out the
/// contacts (vCard) or the attendee lines (iCalendar) of people who may not be shared.
#[tauri::command]
pub async fn interop_export(
    state: State<'_, AppState>,
    format: String,
    path: String,
    tag: Option<String>,
    shareable_only: bool,
) -> AppResult<InteropExport> {
    let format = FileFormat::parse(&format)?;
    let path = PathBuf::from(path);
    let tag = tag.filter(|t| !t.trim().is_empty());
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let report = match format {
            FileFormat::Vcard => interop::vcard::export(
                ws,
                &path,
                &interop::vcard::ExportOptions {
                    tag,
                    shareable_only,
                },
            )?,
            FileFormat::Ics => interop::ical::export_with(
                ws,
                &path,
                &interop::ical::Selection::All,
                &interop::ical::ExportOptions { shareable_only },
            )?,
            FileFormat::Markdown => {
                interop::mdfolder::export(ws, &path, &interop::mdfolder::ExportOptions { tag })?
            }
        };
        Ok(export_dto(report))
    })
    .await
}

/// "Add to calendar": session `id` as an .ics file where the person chooses; `None` when
/// they cancel the dialog.
#[tauri::command]
pub async fn session_to_calendar(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> AppResult<Option<InteropExport>> {
    let lookup = id.clone();
    let title = with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(ws.get(&lookup)?.title().to_string())
    })
    .await?;
    let name = format!("{}.ics", file_stem(&title));
    let Some(path) = dialog::pick_file(&app, Some(("iCalendar", &["ics"])), true, Some(name))?
    else {
        return Ok(None);
    };
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let report = interop::ical::export(
            ws,
            std::path::Path::new(&path),
            &interop::ical::Selection::Session(id),
        )?;
        Ok(Some(export_dto(report)))
    })
    .await
}

/// A report to read and print in the app: a session's (`id`) or the learning agenda's
/// (no id), rendered and sanitised like a note's body.
#[tauri::command]
pub async fn report_view(state: State<'_, AppState>, id: Option<String>) -> AppResult<ReportView> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let (title, md) = match &id {
            Some(id) => {
                let session = ws.get(id)?;
                (
                    session.title().to_string(),
                    report::session(ws, id, report::Format::Md)?,
                )
            }
            None => (
                "Learning agenda".to_string(),
                report::agenda(ws, report::Format::Md)?,
            ),
        };
        Ok(ReportView {
            title,
            html: ws.render_markdown(&md)?,
        })
    })
    .await
}

/// Saves a report as a standalone HTML page (printable, sanitised) where the person
/// chooses; `None` when they cancel.
#[tauri::command]
pub async fn report_save(
    app: AppHandle,
    state: State<'_, AppState>,
    id: Option<String>,
) -> AppResult<Option<String>> {
    let lookup = id.clone();
    let page = with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(match &lookup {
            Some(id) => (
                ws.get(id)?.title().to_string(),
                report::session(ws, id, report::Format::Html)?,
            ),
            None => (
                "Learning agenda".to_string(),
                report::agenda(ws, report::Format::Html)?,
            ),
        })
    })
    .await?;
    let name = format!("{}.html", file_stem(&page.0));
    let Some(path) = dialog::pick_file(&app, Some(("HTML", &["html"])), true, Some(name))? else {
        return Ok(None);
    };
    std::fs::write(&path, page.1)
        .map_err(|e| AppError::new("io", format!("cannot write {path}: {e}")))?;
    Ok(Some(path))
}

/// A file name from a title: letters, digits, spaces and dashes.
fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let stem = stem.trim().to_string();
    if stem.is_empty() {
        "report".into()
    } else {
        stem
    }
}

fn import_dto(r: ImportReport) -> InteropImport {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    InteropImport {
        source: r.source,
        created: count(r.created),
        updated: count(r.updated),
        unchanged: count(r.unchanged),
        skipped: count(r.skipped),
        items: r
            .items
            .into_iter()
            .map(|i| InteropItem {
                item: i.item,
                outcome: match i.outcome {
                    interop::Outcome::Created => "created",
                    interop::Outcome::Updated => "updated",
                    interop::Outcome::Unchanged => "unchanged",
                    interop::Outcome::Skipped => "skipped",
                }
                .to_string(),
                record_id: i.record_id,
                messages: i.messages,
            })
            .collect(),
        problems: r.problems,
    }
}

fn export_dto(r: ExportReport) -> InteropExport {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    InteropExport {
        target: r.target,
        written: count(r.written),
        not_shareable_included: count(r.not_shareable_included),
        not_shareable_left_out: count(r.not_shareable_left_out),
        files: count(r.files),
        messages: r.messages,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_from_titles() {
        assert_eq!(
            super::file_stem("Peer exchange: Łódź / Århus"),
            "Peer exchange_ Łódź _ Århus"
        );
        assert_eq!(super::file_stem("///"), "___");
        assert_eq!(super::file_stem("  "), "report");
    }
}
