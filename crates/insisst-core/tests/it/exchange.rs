//! Exchange end to end: bundles written and read through real files, merged into real
//! SQLite workspaces.

use crate::util::{dump, dump_except, obj, options};
use insisst_core::exchange::{self, keyring, ExportScope, ImportOptions, Quiet, SignatureStatus};
use insisst_core::store::{NewOwner, Workspace};
use insisst_core::{Error, Kind};
use serde_json::json;
use std::path::{Path, PathBuf};

pub fn partner(dir: &Path, member: &str, org: &str, seed: u64) -> Workspace {
    Workspace::init(
        dir,
        &NewOwner {
            member: member.into(),
            organisation: Some(org.into()),
        },
        options(seed),
    )
    .unwrap()
}

pub fn export_all(ws: &mut Workspace, file: &Path) -> exchange::ExportSummary {
    exchange::export(ws, file, &ExportScope::default(), &Quiet).unwrap()
}

pub fn import(ws: &mut Workspace, file: &Path) -> exchange::ImportPlan {
    exchange::import(ws, file, ImportOptions::default(), &Quiet).unwrap()
}

/// A workspace with one of everything exchange cares about: linked records, a note with an
/// image, a session, a contact who agreed to sharing and one who did not, a deleted note,
/// and an edited question (history).
pub fn rich(dir: &Path) -> Workspace {
    let mut ws = partner(dir, "Aino Mäkelä", "THL", 7);
    let q = ws
        .create(
            Kind::Question,
            obj(json!({"title": "How do small municipalities co-design?", "status": "open", "priority": "high", "tags": ["co-design"]})),
        )
        .unwrap();
    ws.update(
        &q.id,
        obj(json!({"title": "How do small municipalities co-design services?", "status": "provisional", "priority": "high", "tags": ["co-design"]})),
        None,
    )
    .unwrap();
    let shared = ws
        .create(
            Kind::Contact,
            obj(json!({"title": "Åsa Lindqvist", "email": "asa@example.org", "consent": {"basis": "consent", "share_with_partners": true}})),
        )
        .unwrap();
    ws.create(
        Kind::Contact,
        obj(json!({"title": "Private Person", "email": "private@example.org", "consent": {"basis": "legitimate_interest"}})),
    )
    .unwrap();
    let session = ws
        .create(
            Kind::Session,
            obj(json!({"title": "Peer learning in Tampere", "session_kind": "peer_exchange", "status": "planned",
                       "starts_at": "2026-05-04T09:00", "timezone": "Europe/Helsinki",
                       "participants": [shared.id], "links": [q.id], "tags": ["youth"]})),
        )
        .unwrap();
    let note = ws
        .create(
            Kind::Note,
            obj(json!({"title": "Workshop notes", "body": "We met [[Åsa Lindqvist]] — ✓ café notes.", "session_id": session.id, "tags": ["youth"]})),
        )
        .unwrap();
    let image = dir.parent().unwrap().join(format!(
        "{}-board.png",
        dir.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&image, b"\x89PNG\r\n\x1a\nnot really an image").unwrap();
    ws.attach(&note.id, &image).unwrap();
    let gone = ws
        .create(Kind::Note, obj(json!({"title": "Draft to drop"})))
        .unwrap();
    ws.delete(&gone.id).unwrap();
    ws
}

fn tmp_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// What a workspace holds that exchange must carry: winners (with content), leaves with
/// their authors and times, links, and attachment files.
fn exchanged_state(ws: &Workspace) -> String {
    let conn = rusqlite::Connection::open(ws.root().join("workspace.sqlite3")).unwrap();
    let mut out = String::new();
    for sql in [
        "SELECT r.id, r.kind, r.rev, r.deleted, r.title, v.content FROM records r JOIN revisions v ON v.id = r.id AND v.rev = r.rev
         WHERE r.kind != 'contact' OR r.deleted = 1 OR json_extract(v.content, '$.consent.share_with_partners') = 1 ORDER BY r.id",
        "SELECT v.id, v.rev, v.deleted, v.author, v.author_org, v.node_id, v.created_at FROM revisions v JOIN records r ON r.id = v.id
         WHERE v.is_leaf = 1 AND (r.kind != 'contact' OR r.deleted = 1 OR json_extract(v.content, '$.consent.share_with_partners') = 1) ORDER BY 1, 2",
        "SELECT source_id, target_id, rel FROM refs WHERE source_id NOT IN (SELECT id FROM records WHERE kind = 'contact') ORDER BY 1, 2, 3",
        "SELECT source_id, title_key FROM wiki_refs ORDER BY 1, 2",
        "SELECT record_id, tag FROM tags ORDER BY 1, 2",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        for row in stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
        {
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    let mut files: Vec<String> = std::fs::read_dir(ws.attachments_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    out + &files.join("\n")
}

#[test]
fn export_then_import_into_an_empty_workspace_gives_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let mut b = partner(&dir.path().join("b"), "Jan de Vries", "SIF", 8);
    let file = tmp_file(dir.path(), "a.insisst");
    let summary = export_all(&mut a, &file);
    assert_eq!(summary.left_out_contacts, 1);
    assert_eq!(summary.attachments, 1);
    let plan = import(&mut b, &file);
    assert_eq!(plan.signature, SignatureStatus::NewAuthor);
    assert!(plan.key_recorded);
    assert_eq!(plan.kinds[&Kind::Note].new, 1);
    assert_eq!(plan.kinds[&Kind::Note].deleted, 1);
    assert_eq!(plan.kinds[&Kind::Org].unchanged, 7);
    // b's own organisation is SIF, a partner: nothing of b's own differs.
    assert_eq!(exchanged_state(&a), exchanged_state(&b));
    assert!(insisst_core::check::run(&b).unwrap().is_empty());
    // The contact without consent never arrived.
    assert!(b.find_by_title("Private Person").unwrap().is_empty());
    let keys = keyring::list(&b).unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].fingerprint, a.identity().fingerprint());
}

#[test]
fn reimporting_any_bundle_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let mut b = partner(&dir.path().join("b"), "Jan de Vries", "SIF", 8);
    let first = tmp_file(dir.path(), "first.insisst");
    export_all(&mut a, &first);
    import(&mut b, &first);
    let note = a.find_by_title("Workshop notes").unwrap().remove(0);
    a.update(
        &note.id,
        obj(json!({"title": "Workshop notes, edited", "session_id": note.content["session_id"]})),
        None,
    )
    .unwrap();
    let second = tmp_file(dir.path(), "second.insisst");
    export_all(&mut a, &second);
    import(&mut b, &second);
    // The log of bundles seen and the keyring's last-seen times may move; nothing else.
    let state = |ws: &Workspace| dump_except(ws.root(), &["bundles_seen", "keyring"]);
    let before = state(&b);
    for file in [&first, &second, &first, &second] {
        let plan = import(&mut b, file);
        assert_eq!(plan.total().changes(), 0, "{}", file.display());
        assert!(plan.seen_before);
    }
    assert_eq!(state(&b), before);
    // A new bundle of the same records is read in full (its manifest is new) and changes
    // nothing either.
    let third = tmp_file(dir.path(), "third.insisst");
    export_all(&mut a, &third);
    let plan = import(&mut b, &third);
    assert!(!plan.seen_before);
    assert_eq!(plan.total().changes(), 0);
    assert!(plan.total().unchanged > 10);
    assert_eq!(state(&b), before);
    // The old bundle after the new one: its revision is an ancestor, not news.
    assert_eq!(b.get(&note.id).unwrap().title(), "Workshop notes, edited");
}

#[test]
fn divergent_edits_converge_on_one_winner_and_keep_the_other_as_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let mut b = partner(&dir.path().join("b"), "Jan de Vries", "SIF", 8);
    let f = |n: &str| tmp_file(dir.path(), n);
    export_all(&mut a, &f("base.insisst"));
    import(&mut b, &f("base.insisst"));
    let note = a.find_by_title("Workshop notes").unwrap().remove(0);
    let mut content = note.content.clone();
    content.insert("title".into(), json!("A's version"));
    a.update(&note.id, content.clone(), None).unwrap();
    content.insert("title".into(), json!("B's version"));
    b.update(&note.id, content, None).unwrap();
    export_all(&mut a, &f("a.insisst"));
    export_all(&mut b, &f("b.insisst"));
    let plan = import(&mut b, &f("a.insisst"));
    assert_eq!(plan.kinds[&Kind::Note].conflicting, 1);
    import(&mut a, &f("b.insisst"));
    let (ca, cb) = (a.conflicts().unwrap(), b.conflicts().unwrap());
    assert_eq!(ca, cb);
    assert_eq!(ca.len(), 1);
    assert_eq!(a.get(&note.id).unwrap().rev, b.get(&note.id).unwrap().rev);
    let versions = a.conflict_versions(&note.id).unwrap();
    let titles: Vec<&str> = versions
        .iter()
        .map(|v| v.content.as_ref().unwrap()["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"A's version") && titles.contains(&"B's version"));
    // A person resolves at a: keep B's version. The resolution travels and ends the conflict
    // at b too.
    let b_rev = versions
        .iter()
        .find(|v| v.content.as_ref().unwrap()["title"] == "B's version")
        .unwrap()
        .rev
        .clone();
    let resolved = a.resolve_conflict(&note.id, Some(&b_rev), None).unwrap();
    assert_eq!(resolved.title(), "B's version");
    assert!(a.conflicts().unwrap().is_empty());
    export_all(&mut a, &f("resolved.insisst"));
    import(&mut b, &f("resolved.insisst"));
    assert!(b.conflicts().unwrap().is_empty());
    assert_eq!(b.get(&note.id).unwrap().rev, resolved.rev);
    // Merged content resolves too.
    let q = a
        .find_by_title("How do small municipalities co-design services?")
        .unwrap()
        .remove(0);
    let mut qa = q.content.clone();
    qa.insert("priority".into(), json!("low"));
    a.update(&q.id, qa, None).unwrap();
    let mut qb = q.content.clone();
    qb.insert("status".into(), json!("resolved"));
    qb.insert("provisional_answer".into(), json!("They borrow staff."));
    b.update(&q.id, qb, None).unwrap();
    export_all(&mut b, &f("b2.insisst"));
    import(&mut a, &f("b2.insisst"));
    let mut merged = q.content.clone();
    merged.insert("priority".into(), json!("low"));
    merged.insert("status".into(), json!("resolved"));
    merged.insert("provisional_answer".into(), json!("They borrow staff."));
    let r = a.resolve_conflict(&q.id, None, Some(merged)).unwrap();
    assert_eq!(r.content["priority"], "low");
    assert_eq!(r.content["status"], "resolved");
    assert!(a.conflicts().unwrap().is_empty());
    assert!(matches!(
        a.resolve_conflict(&q.id, None, Some(obj(json!({"title": "x"})))),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn a_changed_key_is_refused_until_trusted_and_keys_can_be_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let mut b = partner(&dir.path().join("b"), "Jan de Vries", "SIF", 8);
    let f = |n: &str| tmp_file(dir.path(), n);
    export_all(&mut a, &f("a.insisst"));
    import(&mut b, &f("a.insisst"));
    // The same workspace id with another key: a restored backup of someone else, or a forgery.
    let impostor_dir = dir.path().join("impostor");
    drop(a);
    copy_dir(&dir.path().join("a"), &impostor_dir);
    let conn = rusqlite::Connection::open(impostor_dir.join("workspace.sqlite3")).unwrap();
    conn.execute("UPDATE identity SET secret_key = ?1", [vec![9u8; 32]])
        .unwrap();
    drop(conn);
    let mut impostor = Workspace::open(&impostor_dir, options(99)).unwrap();
    export_all(&mut impostor, &f("impostor.insisst"));
    let before = dump(b.root());
    let plan = exchange::preview(&b, &f("impostor.insisst"), &Quiet).unwrap();
    assert_eq!(plan.signature, SignatureStatus::ChangedKey);
    let err = exchange::import(
        &mut b,
        &f("impostor.insisst"),
        ImportOptions::default(),
        &Quiet,
    )
    .unwrap_err();
    assert!(matches!(err, Error::KeyChanged { .. }), "{err}");
    assert!(err.to_string().contains("--trust-new-key"), "{err}");
    assert_eq!(dump(b.root()), before);
    let plan = exchange::import(
        &mut b,
        &f("impostor.insisst"),
        ImportOptions {
            trust_new_key: true,
        },
        &Quiet,
    )
    .unwrap();
    assert!(plan.key_recorded);
    assert_eq!(
        keyring::list(&b).unwrap()[0].fingerprint,
        impostor.identity().fingerprint()
    );
    let removed = keyring::remove(&mut b, &impostor.identity().fingerprint()).unwrap();
    assert_eq!(removed.node_id, impostor.identity().node_id);
    assert!(keyring::list(&b).unwrap().is_empty());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn scopes_select_by_tag_session_question_dates_and_changes_since_the_last_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let f = |n: &str| tmp_file(dir.path(), n);
    let ids = |file: &Path| -> Vec<(Kind, String)> {
        let mut b = partner(
            &dir.path()
                .join(format!("b-{}", file.file_name().unwrap().to_string_lossy())),
            "Jan",
            "SIF",
            8,
        );
        let before: Vec<String> = b
            .list(&Default::default())
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        import(&mut b, file);
        let mut out: Vec<(Kind, String)> = b
            .list(&insisst_core::store::ListQuery {
                include_deleted: true,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .filter(|r| !before.contains(&r.id))
            .map(|r| (r.kind, r.title().to_string()))
            .collect();
        out.sort();
        out
    };
    let by_tag = exchange::export(
        &mut a,
        &f("tag.insisst"),
        &ExportScope {
            tag: Some("Youth".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(by_tag.counts.get(&Kind::Attachment), Some(&1));
    let titles: Vec<String> = ids(&f("tag.insisst")).into_iter().map(|(_, t)| t).collect();
    assert!(
        titles.contains(&"Workshop notes".to_string())
            && titles.contains(&"Peer learning in Tampere".to_string())
    );
    assert!(!titles.iter().any(|t| t.contains("municipalities")));

    let session = a
        .find_by_title("Peer learning in Tampere")
        .unwrap()
        .remove(0);
    let s = exchange::export(
        &mut a,
        &f("session.insisst"),
        &ExportScope {
            session: Some(session.id.clone()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    // The session, its question and shared participant, the note about it, and the note's image.
    assert_eq!(s.records, 5, "{:?}", s.counts);
    assert_eq!(s.left_out_contacts, 0);

    let q = a
        .find_by_title("How do small municipalities co-design services?")
        .unwrap()
        .remove(0);
    let by_q = exchange::export(
        &mut a,
        &f("question.insisst"),
        &ExportScope {
            question: Some(q.id.clone()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(by_q.counts.get(&Kind::Session), Some(&1));

    let none = exchange::export(
        &mut a,
        &f("dates.insisst"),
        &ExportScope {
            to: Some("2026-03-01".parse().unwrap()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    // Only the seeded partners are older than the workspace.
    assert_eq!(none.counts.get(&Kind::Org), Some(&7));
    assert_eq!(none.records, 7);

    let first = exchange::export(
        &mut a,
        &f("since1.insisst"),
        &ExportScope {
            changed_since_last_to: Some("SIF".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(first.since_seq, Some(0));
    let again = exchange::export(
        &mut a,
        &f("since2.insisst"),
        &ExportScope {
            changed_since_last_to: Some("SIF".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(again.records, 0);
    a.create(Kind::Note, obj(json!({"title": "After the last bundle"})))
        .unwrap();
    let third = exchange::export(
        &mut a,
        &f("since3.insisst"),
        &ExportScope {
            changed_since_last_to: Some("SIF".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(third.records, 1);
    assert_eq!(
        ids(&f("since3.insisst")),
        vec![(Kind::Note, "After the last bundle".to_string())]
    );
    // Another partner's counter is its own.
    let other = exchange::export(
        &mut a,
        &f("genio.insisst"),
        &ExportScope {
            changed_since_last_to: Some("Genio".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(other.records, first.records + 1);
}

#[test]
fn the_same_workspace_and_scope_give_the_same_bytes_but_for_id_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let f = |n: &str| tmp_file(dir.path(), n);
    export_all(&mut a, &f("1.insisst"));
    export_all(&mut a, &f("2.insisst"));
    let entries = |p: &Path| -> Vec<(String, Vec<u8>)> {
        let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
        (0..z.len())
            .map(|i| {
                let mut e = z.by_index(i).unwrap();
                let mut v = vec![];
                std::io::Read::read_to_end(&mut e, &mut v).unwrap();
                (e.name().to_string(), v)
            })
            .filter(|(n, _)| !n.starts_with("manifest"))
            .collect()
    };
    assert_eq!(entries(&f("1.insisst")), entries(&f("2.insisst")));
    let manifest = |p: &Path| -> serde_json::Value {
        let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
        let mut v = vec![];
        std::io::Read::read_to_end(&mut z.by_name("manifest.json").unwrap(), &mut v).unwrap();
        let mut m: serde_json::Value = serde_json::from_slice(&v).unwrap();
        m["bundle_id"] = json!(null);
        m["created_at"] = json!(null);
        m
    };
    assert_eq!(manifest(&f("1.insisst")), manifest(&f("2.insisst")));
}

#[test]
fn a_cancelled_import_changes_nothing() {
    struct CancelAfter(std::cell::Cell<u32>);
    impl exchange::Progress for CancelAfter {
        fn cancelled(&self) -> bool {
            let n = self.0.get();
            self.0.set(n + 1);
            n > 12
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let mut b = partner(&dir.path().join("b"), "Jan de Vries", "SIF", 8);
    let file = tmp_file(dir.path(), "a.insisst");
    export_all(&mut a, &file);
    let before = dump(b.root());
    let err = exchange::import(
        &mut b,
        &file,
        ImportOptions::default(),
        &CancelAfter(Default::default()),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
    assert_eq!(dump(b.root()), before);
    let leftovers: Vec<_> = std::fs::read_dir(b.attachments_dir())
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert!(
        leftovers.iter().all(|n| *n == 0),
        "temporary attachment files left: {leftovers:?}"
    );
    // A cancelled export leaves no file.
    let err = exchange::export(
        &mut a,
        &tmp_file(dir.path(), "c.insisst"),
        &ExportScope::default(),
        &CancelAfter(std::cell::Cell::new(100)),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("c.insisst") || n.starts_with(".insisst-export")),
        "{names:?}"
    );
}

#[test]
fn files_attached_only_to_contacts_left_out_stay_home() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let private = a.find_by_title("Private Person").unwrap().remove(0);
    let scan = dir.path().join("passport.pdf");
    std::fs::write(&scan, b"%PDF-1.4 a passport scan").unwrap();
    let attachment = a.attach(&private.id, &scan).unwrap();
    let file = tmp_file(dir.path(), "a.insisst");
    let summary = export_all(&mut a, &file);
    assert_eq!(summary.attachments, 1, "only the note's image travels");
    let mut b = partner(&dir.path().join("b"), "Jan de Vries", "SIF", 8);
    import(&mut b, &file);
    assert!(matches!(b.get(&attachment.id), Err(Error::NotFound(_))));
    let sha = attachment.str("sha256").unwrap();
    assert!(!b.attachments_dir().join(sha).exists());
}

#[test]
fn a_record_in_conflict_is_not_deleted_behind_a_persons_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let mut b = partner(&dir.path().join("b"), "Jan de Vries", "SIF", 8);
    let f = |n: &str| tmp_file(dir.path(), n);
    export_all(&mut a, &f("base.insisst"));
    import(&mut b, &f("base.insisst"));
    let note = a.find_by_title("Workshop notes").unwrap().remove(0);
    let mut content = note.content.clone();
    content.insert("title".into(), json!("A's version"));
    a.update(&note.id, content.clone(), None).unwrap();
    content.insert("title".into(), json!("B's version"));
    b.update(&note.id, content, None).unwrap();
    export_all(&mut b, &f("b.insisst"));
    import(&mut a, &f("b.insisst"));
    let err = a.delete(&note.id).unwrap_err();
    assert!(
        err.to_string().contains("resolve the conflict first"),
        "{err}"
    );
    assert_eq!(a.conflicts().unwrap().len(), 1);
}

#[test]
fn a_narrowed_bundle_does_not_move_the_changed_since_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let f = |n: &str| tmp_file(dir.path(), n);
    let first = exchange::export(
        &mut a,
        &f("1.insisst"),
        &ExportScope {
            changed_since_last_to: Some("SIF".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    a.create(
        Kind::Note,
        obj(json!({"title": "Untagged, after the checkpoint"})),
    )
    .unwrap();
    // A bundle for SIF of one tag only: SIF still lacks the untagged note afterwards.
    exchange::export(
        &mut a,
        &f("tag.insisst"),
        &ExportScope {
            tag: Some("youth".into()),
            for_org: Some("SIF".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    let next = exchange::export(
        &mut a,
        &f("2.insisst"),
        &ExportScope {
            changed_since_last_to: Some("SIF".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert!(first.records > 1);
    assert_eq!(next.records, 1, "{:?}", next.counts);
}

#[test]
fn an_attachment_entry_must_hold_the_content_its_name_promises() {
    use ed25519_dalek::Signer;
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let mut a = rich(&dir.path().join("a"));
    let good = tmp_file(dir.path(), "good.insisst");
    export_all(&mut a, &good);
    // Same names, other bytes under the attachment's name, a manifest that lists the other
    // bytes' hash, signed with the author's real key.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&good).unwrap()).unwrap();
    let mut entries: Vec<(String, Vec<u8>)> = (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let mut v = vec![];
            e.read_to_end(&mut v).unwrap();
            (e.name().to_string(), v)
        })
        .collect();
    let other = b"not the image at all".to_vec();
    let other_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&other));
    let name = entries
        .iter()
        .find(|(n, _)| n.starts_with("attachments/"))
        .unwrap()
        .0
        .clone();
    for (n, bytes) in entries.iter_mut() {
        if *n == name {
            *bytes = other.clone();
        }
    }
    let (_, manifest) = entries.iter().find(|(n, _)| n == "manifest.json").unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(manifest).unwrap();
    for file in manifest["files"].as_array_mut().unwrap() {
        if file["path"] == name.as_str() {
            file["sha256"] = json!(other_sha);
            file["size"] = json!(other.len());
        }
    }
    let manifest = insisst_core::revision::canonical_json(&manifest).into_bytes();
    let sig = hex::encode(a.identity().signing_key.sign(&manifest).to_bytes());
    let bad = tmp_file(dir.path(), "bad.insisst");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
    for (n, bytes) in &entries {
        let bytes = match n.as_str() {
            "manifest.json" => manifest.clone(),
            "manifest.sig" => sig.clone().into_bytes(),
            _ => bytes.clone(),
        };
        out.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
    let mut b = partner(&dir.path().join("b"), "Jan de Vries", "SIF", 8);
    let before = dump(b.root());
    let err = exchange::import(&mut b, &bad, ImportOptions::default(), &Quiet).unwrap_err();
    assert!(err.to_string().contains("sha256 of other content"), "{err}");
    assert_eq!(dump(b.root()), before);
}
