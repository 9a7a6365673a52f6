//! Tauri's build step, pointed at src-tauri/ (the package root is the repository root), with
//! every app command listed so that each gets an `allow-…` permission and nothing runs that a
//! capability does not grant.

/// Every `#[tauri::command]` of the app. A command missing here cannot be called at all.
const COMMANDS: &[&str] = &[
    "workspace_status",
    "workspace_partners",
    "workspace_setup",
    "records_list",
    "record_get",
    "record_create",
    "record_update",
    "record_history",
    "record_restore",
    "record_delete",
    "questions_list",
    "methods_list",
    "sessions_calendar",
    "field_values",
    "interop_pick",
    "interop_import",
    "interop_export",
    "session_to_calendar",
    "report_view",
    "report_save",
    "consent_gaps",
    "forget_plan",
    "contact_forget",
    "person_export_save",
    "body_preview",
    "attachment_add",
    "attachment_pick",
    "home_overview",
    "open_external",
    "backup_create",
    "backup_restore",
    "backup_pick_file",
    "backup_pick_folder",
    "search_query",
    "exchange_export",
    "exchange_preview",
    "exchange_import",
    "exchange_cancel",
    "exchange_pick_file",
    "conflicts_list",
    "conflict_get",
    "conflict_resolve",
    "keys_list",
    "keys_remove",
    "review_take",
    "learning_history",
    "review_diff",
    "evaluation_items",
    "evaluation_summary",
    "evaluation_record",
    "evaluation_import_csv",
    "evaluation_pick_csv",
    "followups_due",
    "monitoring_figures",
    "chart_export_save",
];

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/permissions");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(
            tauri_build::AppManifest::new()
                .commands(COMMANDS)
                .permissions_path_pattern("src-tauri/permissions/**/*"),
        );
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
