//! `insisst check`: is this workspace whole? SQLite's own checks, the revision tree, and every
//! attachment present with the right hash.

use crate::error::{Result, SqlContext};
use crate::store::Workspace;
use sha2::{Digest, Sha256};
use std::io::Read;

/// Every problem found, one line each; empty when the workspace is whole.
pub fn run(ws: &Workspace) -> Result<Vec<String>> {
    let conn = ws.conn();
    let mut problems = vec![];
    let mut stmt = conn
        .prepare("PRAGMA integrity_check")
        .ctx("run integrity_check")?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .ctx("run integrity_check")?;
    for row in rows {
        let line = row.ctx("run integrity_check")?;
        if line != "ok" {
            problems.push(format!("database: {line}"));
        }
    }
    let mut stmt = conn
        .prepare("PRAGMA foreign_key_check")
        .ctx("run foreign_key_check")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .ctx("run foreign_key_check")?;
    for row in rows {
        let (table, rowid, parent) = row.ctx("run foreign_key_check")?;
        problems.push(format!(
            "database: a row of {table} (rowid {}) refers to a missing {parent} row",
            rowid.map_or("-".into(), |r| r.to_string())
        ));
    }
    let mut stmt = conn
        .prepare(
            "SELECT r.id FROM records r LEFT JOIN revisions v ON v.id = r.id AND v.rev = r.rev
             WHERE v.rev IS NULL OR v.is_leaf = 0",
        )
        .ctx("check the revision tree")?;
    for id in stmt
        .query_map([], |r| r.get::<_, String>(0))
        .ctx("check the revision tree")?
    {
        problems.push(format!(
            "record {}: its current revision is missing or not a leaf",
            id.ctx("check")?
        ));
    }
    let mut stmt = conn
        .prepare(
            "SELECT r.id, json_extract(v.content, '$.sha256'), json_extract(v.content, '$.size')
             FROM records r JOIN revisions v ON v.id = r.id AND v.rev = r.rev
             WHERE r.kind = 'attachment' AND r.deleted = 0",
        )
        .ctx("list attachments")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })
        .ctx("list attachments")?;
    for row in rows {
        let (id, sha, size) = row.ctx("list attachments")?;
        let Some(sha) = sha else {
            problems.push(format!("attachment {id}: no sha256"));
            continue;
        };
        let path = ws.attachments_dir().join(&sha);
        match hash_file(&path) {
            Err(_) => problems.push(format!(
                "attachment {id}: file {} is missing",
                path.display()
            )),
            Ok((actual, len)) => {
                if actual != sha {
                    problems.push(format!(
                        "attachment {id}: file {} is damaged (hash {actual})",
                        path.display()
                    ));
                } else if size.is_some_and(|s| s as u64 != len) {
                    problems.push(format!(
                        "attachment {id}: file {} has {len} bytes, the record says {}",
                        path.display(),
                        size.unwrap_or(0)
                    ));
                }
            }
        }
    }
    Ok(problems)
}

fn hash_file(path: &std::path::Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut len = 0;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        len += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), len))
}
