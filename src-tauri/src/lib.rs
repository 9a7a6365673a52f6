//! The desktop shell: Tauri setup, the app's state, and thin commands that call insisst-core.
//! No product logic lives here; see ARCHITECTURE.md.

mod attachment_scheme;
mod commands;
pub mod dto;
pub mod error;
mod state;

pub use error::AppError;
use tauri_plugin_window_state::StateFlags;

/// Starts the app on the workspace that `$INSISST_WORKSPACE` names, else the platform's data
/// folder: the same one the `insisst` command opens.
pub fn run() {
    let root = insisst_core::location::resolve(None);
    let state = state::AppState::new(root);
    let attachments_root = state.root.clone();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        // Rust side only: `open_external` calls it. Its script that opens every link of the
        // page in the browser is off; the window decides which clicks leave the app.
        .plugin(
            tauri_plugin_opener::Builder::new()
                .open_js_links_on_click(false)
                .build(),
        )
        // `insisst-attachment://localhost/<sha256>`: attachment files, for rendered bodies'
        // images (rules in attachment_scheme.rs). Files are read off the main thread.
        .register_asynchronous_uri_scheme_protocol(
            insisst_core::markdown::ATTACHMENT_SCHEME,
            move |_ctx, request, responder| {
                let root = attachments_root.clone();
                tauri::async_runtime::spawn_blocking(move || {
                    responder.respond(attachment_scheme::respond(&root, &request));
                });
            },
        )
        // The window comes back at the size, place and maximised state it was closed in.
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED)
                .build(),
        )
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::workspace::workspace_status,
            commands::workspace::workspace_partners,
            commands::workspace::workspace_setup,
            commands::records::records_list,
            commands::records::record_get,
            commands::records::record_create,
            commands::records::record_update,
            commands::records::record_history,
            commands::records::record_restore,
            commands::records::record_delete,
            commands::records::questions_list,
            commands::records::methods_list,
            commands::records::sessions_calendar,
            commands::records::field_values,
            commands::interop::interop_pick,
            commands::interop::interop_import,
            commands::interop::interop_export,
            commands::interop::session_to_calendar,
            commands::interop::report_view,
            commands::interop::report_save,
            commands::privacy::consent_gaps,
            commands::privacy::forget_plan,
            commands::privacy::contact_forget,
            commands::privacy::person_export_save,
            commands::notes::body_preview,
            commands::notes::attachment_add,
            commands::notes::attachment_pick,
            commands::home::home_overview,
            commands::links::open_external,
            commands::settings::backup_create,
            commands::settings::backup_restore,
            commands::settings::backup_pick_file,
            commands::settings::backup_pick_folder,
            commands::search::search_query,
            commands::exchange::exchange_export,
            commands::exchange::exchange_preview,
            commands::exchange::exchange_import,
            commands::exchange::exchange_cancel,
            commands::exchange::exchange_pick_file,
            commands::exchange::conflicts_list,
            commands::exchange::conflict_get,
            commands::exchange::conflict_resolve,
            commands::exchange::keys_list,
            commands::exchange::keys_remove,
            commands::learning::review_take,
            commands::learning::learning_history,
            commands::learning::review_diff,
            commands::learning::evaluation_items,
            commands::learning::evaluation_summary,
            commands::learning::evaluation_record,
            commands::learning::evaluation_import_csv,
            commands::learning::evaluation_pick_csv,
            commands::learning::followups_due,
            commands::learning::monitoring_figures,
            commands::learning::chart_export_save,
        ])
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("the Insisst window could not start");
}
