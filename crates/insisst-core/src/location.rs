//! Where a workspace lives when nobody says: `$INSISST_WORKSPACE`, else the platform's data
//! folder (`~/.local/share/insisst` on Linux). The app and the CLI resolve it the same way,
//! so both open the same workspace.

use std::path::PathBuf;

pub const ENV_VAR: &str = "INSISST_WORKSPACE";

/// The workspace folder: the explicit one, else `$INSISST_WORKSPACE`, else the platform's.
pub fn resolve(explicit: Option<PathBuf>) -> PathBuf {
    explicit
        .or_else(|| {
            std::env::var_os(ENV_VAR)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(platform_default)
}

pub fn platform_default() -> PathBuf {
    directories::ProjectDirs::from("eu", "Insisst", "insisst")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".insisst"))
}
