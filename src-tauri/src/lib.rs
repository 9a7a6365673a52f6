//! The desktop shell: Tauri setup, the app's state, and thin commands that call insisst-core.
//! No product logic lives here; see ARCHITECTURE.md.

mod commands;
pub mod dto;
pub mod error;
mod state;

pub use error::AppError;

/// Starts the app on the workspace that `$INSISST_WORKSPACE` names, else the platform's data
/// folder: the same one the `insisst` command opens.
pub fn run() {
    let root = insisst_core::location::resolve(None);
    let state = state::AppState::new(root);
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::workspace::workspace_status,
            commands::workspace::workspace_partners,
            commands::workspace::workspace_setup,
            commands::records::records_list,
            commands::records::record_get,
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
        ])
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("the Insisst window could not start");
}
