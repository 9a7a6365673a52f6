// A hello-world Tauri 2 app: one window showing a static page. The baseline of bench/app-bench.sh.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the hello-world app");
}
