//! Personal data: contacts without a lawful basis, forgetting a person (with the plan shown
//! first), and a person's data on request. The rules are insisst-core's `privacy`.

use super::dialog;
use crate::dto::{ConsentGapsView, ForgetPlanView, ForgotView, PlanRecord};
use crate::error::{AppError, AppResult};
use crate::state::{with_workspace, AppState};
use insisst_core::privacy::{write_person_export, PersonExportFormat};
use tauri::{AppHandle, State};

/// How many contacts without a basis Home lists by name.
const GAPS_LISTED: usize = 8;

/// Contacts with no lawful basis recorded: how many, and the first few.
#[tauri::command]
pub async fn consent_gaps(state: State<'_, AppState>) -> AppResult<ConsentGapsView> {
    with_workspace(state.shared(), state.root.clone(), |ws| {
        let gaps = ws.contacts_without_basis(GAPS_LISTED)?;
        Ok(ConsentGapsView {
            count: u32::try_from(gaps.count).unwrap_or(u32::MAX),
            contacts: u32::try_from(gaps.contacts).unwrap_or(u32::MAX),
            listed: gaps
                .without_basis
                .into_iter()
                .map(|c| PlanRecord {
                    id: c.id,
                    kind: "contact".into(),
                    title: c.title,
                    detail: c.basis,
                })
                .collect(),
        })
    })
    .await
}

/// What forgetting contact `id` will do, for the confirmation.
#[tauri::command]
pub async fn forget_plan(state: State<'_, AppState>, id: String) -> AppResult<ForgetPlanView> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let plan = ws.forget_plan(&id)?;
        Ok(plan_view(plan))
    })
    .await
}

/// Forgets contact `id`: every revision purged, links cut, an erasure marker that travels.
/// `expected_title` is the name the confirmation showed: a different person is refused.
#[tauri::command]
pub async fn contact_forget(
    state: State<'_, AppState>,
    id: String,
    expected_title: String,
) -> AppResult<ForgotView> {
    with_workspace(state.shared(), state.root.clone(), move |ws| {
        let plan = ws.forget_plan(&id)?;
        if plan.title != expected_title {
            return Err(AppError::new(
                "conflict",
                format!(
                    "contact {id} is now “{}”, not “{expected_title}”: look at it again before forgetting",
                    plan.title
                ),
            ));
        }
        let report = ws.forget(&id)?;
        Ok(ForgotView {
            id: report.plan.id,
            revisions: u32::try_from(report.plan.revisions).unwrap_or(u32::MAX),
            links_cut: u32::try_from(report.plan.links_cut.len()).unwrap_or(u32::MAX),
            files_purged: report.files_purged,
        })
    })
    .await
}

/// Everything held about contact `id`, written where the person chooses as JSON, Markdown
/// or HTML (`format`: json, md, html); the path, or `None` when they cancel.
#[tauri::command]
pub async fn person_export_save(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    format: String,
) -> AppResult<Option<String>> {
    let (parsed, extension): (PersonExportFormat, &str) = match format.as_str() {
        "json" => (PersonExportFormat::Json, "json"),
        "md" => (PersonExportFormat::Markdown, "md"),
        "html" => (PersonExportFormat::Html, "html"),
        other => {
            return Err(AppError::new(
                "invalid",
                format!("`{other}` is not a format of a person export (json, md or html)"),
            ))
        }
    };
    let lookup = id.clone();
    let export = with_workspace(state.shared(), state.root.clone(), move |ws| {
        Ok(ws.person_export(&lookup)?)
    })
    .await?;
    let name = format!("person-export-{}.{extension}", &id[..id.len().min(8)]);
    let Some(path) = dialog::pick_file(
        &app,
        Some(("Person export", &[extension])),
        true,
        Some(name),
    )?
    else {
        return Ok(None);
    };
    write_person_export(&export, std::path::Path::new(&path), parsed)?;
    Ok(Some(path))
}

fn plan_view(plan: insisst_core::privacy::ForgetPlan) -> ForgetPlanView {
    let refs = |items: Vec<insisst_core::privacy::RecordRef>| {
        items
            .into_iter()
            .map(|r| PlanRecord {
                id: r.id,
                kind: r.kind.as_str().to_string(),
                title: r.title,
                detail: None,
            })
            .collect()
    };
    ForgetPlanView {
        id: plan.id,
        title: plan.title,
        revisions: u32::try_from(plan.revisions).unwrap_or(u32::MAX),
        links_cut: plan
            .links_cut
            .into_iter()
            .map(|l| PlanRecord {
                id: l.id,
                kind: l.kind.as_str().to_string(),
                title: l.title,
                detail: Some(l.fields.join(", ")),
            })
            .collect(),
        notes_mentioning: refs(plan.notes_mentioning),
        attachments: refs(plan.attachments),
        attachments_kept: refs(plan.attachments_kept),
        already_erased: plan.already_erased,
    }
}
