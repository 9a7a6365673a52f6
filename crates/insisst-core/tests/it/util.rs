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
