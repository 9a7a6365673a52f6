//! What the tests share: deterministic workspaces in temp folders.

use chrono::{DateTime, Duration, Utc};
use insisst_core::store::{NewOwner, Workspace, WorkspaceOptions};
use insisst_core::{FixedClock, SeededEntropy};
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::Arc;

pub fn options(seed: u64) -> WorkspaceOptions {
    let start: DateTime<Utc> = "2026-03-02T08:00:00Z".parse().unwrap();
    WorkspaceOptions {
        clock: Arc::new(FixedClock::new(start, Duration::seconds(1))),
        entropy: Box::new(SeededEntropy::new(seed)),
    }
}

pub fn owner() -> NewOwner {
    NewOwner {
        member: "Aino Mäkelä".into(),
        organisation: Some("THL".into()),
    }
}

pub fn new_ws(dir: &Path) -> Workspace {
    Workspace::init(dir, &owner(), options(7)).unwrap()
}

pub fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// Everything the database holds, and the attachment files, as text: for "nothing changed"
/// assertions.
pub fn dump(dir: &Path) -> String {
    dump_except(dir, &[])
}

/// As [`dump`], without the tables named (bookkeeping a test does not care about).
pub fn dump_except(dir: &Path, skip: &[&str]) -> String {
    let conn = rusqlite::Connection::open(dir.join("workspace.sqlite3")).unwrap();
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in tables.iter().filter(|t| !skip.contains(&t.as_str())) {
        out.push_str(&format!("[{table}]\n"));
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        for row in rows {
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    out.push_str("[attachments]\n");
    let mut files: Vec<String> = std::fs::read_dir(dir.join("attachments"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    out.push_str(&files.join("\n"));
    out
}
