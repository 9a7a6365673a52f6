//! Merge convergence, as design.md demands it be proven: N workspaces, random edits, deletes,
//! creations and resolutions, bundles exchanged in random order with duplicates; after everyone
//! has read everyone's last bundle, all hold the same winners and the same conflicts, and no
//! edit is lost (each revision written anywhere is known everywhere: a winner, a conflicting
//! leaf, or an ancestor of one).

use crate::exchange::{export_all, import, partner};
use insisst_core::{Kind, Workspace};
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Debug, Clone)]
enum Op {
    Edit {
        w: u8,
        r: u8,
    },
    Delete {
        w: u8,
        r: u8,
    },
    Create {
        w: u8,
    },
    Export {
        w: u8,
    },
    Import {
        w: u8,
        b: u8,
    },
    Resolve {
        w: u8,
        r: u8,
    },
    /// Forget a person (a contact): the erasure travels and is final.
    Forget {
        w: u8,
        r: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<u8>(), any::<u8>()).prop_map(|(w, r)| Op::Edit { w, r }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(w, r)| Op::Delete { w, r }),
        1 => any::<u8>().prop_map(|w| Op::Create { w }),
        3 => any::<u8>().prop_map(|w| Op::Export { w }),
        4 => (any::<u8>(), any::<u8>()).prop_map(|(w, b)| Op::Import { w, b }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(w, r)| Op::Resolve { w, r }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(w, r)| Op::Forget { w, r }),
    ]
}

/// Winners, leaves and conflicts of a workspace, as comparable text. Erased records are left
/// out: which of their revisions a workspace knows by rev depends on the bundles it saw before
/// the erasure (none carries them after), and their content is gone everywhere (checked apart).
fn state(root: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let conn = rusqlite::Connection::open(root.join("workspace.sqlite3")).unwrap();
    let rows = |sql: &str| -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| {
            Ok(format!(
                "{}|{}|{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    (
        rows("SELECT id, rev, deleted FROM records WHERE id NOT IN (SELECT id FROM erasures) ORDER BY id"),
        rows("SELECT id, rev, deleted FROM revisions WHERE is_leaf = 1 AND id NOT IN (SELECT id FROM erasures) ORDER BY id, rev"),
    )
}

fn revs(ws: &Workspace, id: &str) -> HashSet<String> {
    ws.history(id).unwrap().into_iter().map(|h| h.rev).collect()
}

/// The revisions of `id` written since `before`: what an operation added.
fn new_revs(ws: &Workspace, id: &str, before: &HashSet<String>) -> Vec<(String, String)> {
    revs(ws, id)
        .into_iter()
        .filter(|r| !before.contains(r))
        .map(|r| (id.to_string(), r))
        .collect()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn workspaces_converge_whatever_the_order_of_bundles(
        n in 3usize..=7,
        ops in prop::collection::vec(op(), 1..40),
        order_seed in any::<u64>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut wss: Vec<_> = (0..n)
            .map(|i| partner(&dir.path().join(format!("w{i}")), &format!("Member {i}"), "THL", 100 + i as u64))
            .collect();
        let mut written: Vec<(String, String)> = vec![];
        let mut records: Vec<String> = vec![];
        for i in 0..4 {
            let r = wss[0].create(Kind::Note, json!({"title": format!("Shared {i}")}).as_object().unwrap().clone()).unwrap();
            written.push((r.id.clone(), r.rev.clone()));
            records.push(r.id);
        }
        for i in 0..2 {
            let r = wss[0].create(Kind::Contact, json!({"title": format!("Person {i}"),
                "consent": {"basis": "consent", "share_with_partners": true}}).as_object().unwrap().clone()).unwrap();
            written.push((r.id.clone(), r.rev.clone()));
            records.push(r.id);
        }
        let base = dir.path().join("base.insisst");
        export_all(&mut wss[0], &base);
        for ws in wss.iter_mut().skip(1) {
            import(ws, &base);
        }
        let mut bundles: Vec<PathBuf> = vec![base];
        for (step, op) in ops.iter().enumerate() {
            match *op {
                Op::Edit { w, r } => {
                    let ws = &mut wss[w as usize % n];
                    let id = &records[r as usize % records.len()];
                    if let Ok(rec) = ws.get(id) {
                        let before = revs(ws, id);
                        let mut content = rec.content.clone();
                        content.insert("title".into(), json!(format!("edit {step} at w{}", w as usize % n)));
                        ws.update(id, content, None).unwrap();
                        written.extend(new_revs(ws, id, &before));
                    }
                }
                Op::Delete { w, r } => {
                    let ws = &mut wss[w as usize % n];
                    let id = records[r as usize % records.len()].clone();
                    // A record in conflict is not deleted until a person resolves it.
                    let in_conflict = ws.conflict_versions(&id).is_ok_and(|v| v.len() > 1);
                    if ws.get(&id).is_ok() {
                        let before = revs(ws, &id);
                        match ws.delete(&id) {
                            Ok(_) => written.extend(new_revs(ws, &id, &before)),
                            Err(e) => prop_assert!(in_conflict, "delete failed: {}", e),
                        }
                    }
                }
                Op::Create { w } => {
                    let ws = &mut wss[w as usize % n];
                    let r = ws.create(Kind::Note, json!({"title": format!("made at step {step}")}).as_object().unwrap().clone()).unwrap();
                    written.push((r.id.clone(), r.rev.clone()));
                    records.push(r.id);
                }
                Op::Export { w } => {
                    let file = dir.path().join(format!("b{step}.insisst"));
                    export_all(&mut wss[w as usize % n], &file);
                    bundles.push(file);
                }
                Op::Import { w, b } => {
                    let file = bundles[b as usize % bundles.len()].clone();
                    import(&mut wss[w as usize % n], &file);
                }
                Op::Forget { w, r } => {
                    let ws = &mut wss[w as usize % n];
                    let id = records[r as usize % records.len()].clone();
                    if ws.get(&id).is_ok_and(|rec| rec.kind == Kind::Contact) {
                        ws.forget(&id).unwrap();
                    }
                }
                Op::Resolve { w, r } => {
                    let ws = &mut wss[w as usize % n];
                    let id = records[r as usize % records.len()].clone();
                    let versions = ws.conflict_versions(&id).unwrap_or_default();
                    if versions.len() > 1 {
                        let pick = versions.last().unwrap().rev.clone();
                        let before = revs(ws, &id);
                        ws.resolve_conflict(&id, Some(&pick), None).unwrap();
                        prop_assert!(ws.conflict_versions(&id).unwrap().len() <= 1);
                        written.extend(new_revs(ws, &id, &before));
                    }
                }
            }
        }
        // Everyone exports what they know; everyone reads every last bundle, in an order of
        // its own, then once more (which must change nothing).
        let finals: Vec<PathBuf> = (0..n)
            .map(|i| {
                let file = dir.path().join(format!("final{i}.insisst"));
                export_all(&mut wss[i], &file);
                file
            })
            .collect();
        let mut rng = order_seed;
        for ws in wss.iter_mut() {
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (rng >> 33) as usize % (i + 1));
            }
            for &i in &order {
                import(ws, &finals[i]);
            }
            for &i in &order {
                prop_assert_eq!(import(ws, &finals[i]).total().changes(), 0);
            }
        }
        let reference = state(wss[0].root());
        if std::env::var_os("CONVERGENCE_STATS").is_some() { eprintln!("n={n} ops={} written={} conflicts={} leaves={} erased={}", ops.len(), written.len(), wss[0].conflicts().unwrap().len(), reference.1.len(), wss[0].erasures().unwrap().len()); }
        let conflicts = wss[0].conflicts().unwrap();
        let erased = wss[0].erasures().unwrap();
        for ws in &wss[1..] {
            prop_assert_eq!(&state(ws.root()), &reference);
            prop_assert_eq!(&ws.conflicts().unwrap(), &conflicts);
            prop_assert_eq!(&ws.erasures().unwrap(), &erased);
        }
        for ws in &wss {
            // Erasure is final: whatever arrived before or after, nothing of them is left.
            for e in &erased {
                if let Ok(r) = ws.get_any(&e.id) {
                    prop_assert!(r.deleted);
                    prop_assert!(ws.history(&e.id).unwrap().iter().all(|h| h.content.is_none()));
                }
            }
            for (id, rev) in &written {
                if erased.iter().any(|e| &e.id == id) {
                    continue;
                }
                prop_assert!(
                    ws.history(id).unwrap().iter().any(|h| &h.rev == rev),
                    "revision {} of {} was lost at {}", rev, id, ws.identity().node_id
                );
            }
            // Every live leaf is the winner or a listed conflict.
            for line in &reference.1 {
                let mut parts = line.split('|');
                let (id, rev, deleted) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
                if deleted == "0" {
                    let winner = ws.get_any(id).unwrap().rev;
                    prop_assert!(
                        winner == rev || conflicts.iter().any(|c| c.id == id && c.losers.iter().any(|l| l == rev)),
                        "live leaf {} of {} is neither winner nor conflict", rev, id
                    );
                }
            }
            prop_assert!(insisst_core::check::run(ws).unwrap().is_empty());
        }
    }
}
