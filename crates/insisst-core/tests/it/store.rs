//! The store end to end, on real SQLite files in temporary folders.

use crate::util::{dump, new_ws, obj, options, owner};
use insisst_core::store::{ListQuery, NewOwner, Workspace};
use insisst_core::{Error, Kind};
use serde_json::{json, Value};
use std::path::Path;

#[test]
fn a_new_workspace_has_identity_and_the_seven_partners() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_ws(dir.path());
    let id = ws.identity();
    assert_eq!(id.owner.member, "Aino Mäkelä");
    assert_eq!(
        id.owner.org_name,
        "THL — Finnish Institute for Health and Welfare"
    );
    assert_eq!(id.public_key_hex().len(), 64);
    let orgs = ws
        .list(&ListQuery {
            kind: Some(Kind::Org),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(orgs.len(), 7);
    assert!(orgs.iter().all(|o| o.content["is_partner"] == json!(true)));
}

#[test]
fn partners_are_byte_identical_in_every_workspace() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let wa = Workspace::init(a.path(), &owner(), options(1)).unwrap();
    let wb = Workspace::init(
        b.path(),
        &NewOwner {
            member: "Jens".into(),
            organisation: Some("SIA".into()),
        },
        options(2),
    )
    .unwrap();
    for p in &insisst_core::partners::PARTNERS {
        let (ra, rb) = (wa.get(p.id).unwrap(), wb.get(p.id).unwrap());
        assert_eq!(ra.rev, rb.rev);
        assert_eq!(ra.content, rb.content);
        assert!(ra.rev.starts_with("1-"));
    }
    assert_ne!(wa.identity().node_id, wb.identity().node_id);
}

#[test]
fn the_same_seed_and_clock_give_the_same_workspace() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [a.path(), b.path()] {
        let mut ws = new_ws(dir);
        let n = ws
            .create(
                Kind::Note,
                obj(json!({"title": "Życie społeczne", "body": "x"})),
            )
            .unwrap();
        ws.update(
            &n.id,
            obj(json!({"title": "Życie społeczne", "body": "y"})),
            None,
        )
        .unwrap();
    }
    assert_eq!(dump(a.path()), dump(b.path()));
}

#[test]
fn edits_write_revisions_and_any_revision_can_be_restored() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let seq0 = ws.change_seq().unwrap();
    let q = ws
        .create(Kind::Question, obj(json!({"title": "How do we scale co-creation?", "status": "open", "tags": ["scaling"]})))
        .unwrap();
    assert!(q.rev.starts_with("1-"));
    let mut c = q.content.clone();
    c.insert("status".into(), json!("provisional"));
    c.insert(
        "provisional_answer".into(),
        json!("Start with two municipalities."),
    );
    let q2 = ws.update(&q.id, c.clone(), Some(&q.rev)).unwrap();
    assert!(q2.rev.starts_with("2-"));
    assert_eq!(q2.content["created_at"], q.content["created_at"]);
    assert_ne!(q2.content["updated_at"], q.content["updated_at"]);

    // Saving the same content again is not a change.
    let same = ws.update(&q.id, c, None).unwrap();
    assert_eq!(same.rev, q2.rev);

    // A stale base revision is refused.
    let err = ws
        .update(&q.id, q.content.clone(), Some(&q.rev))
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");

    let gone = ws.delete(&q.id).unwrap();
    assert!(gone.deleted && gone.rev.starts_with("3-"));
    assert!(matches!(ws.get(&q.id), Err(Error::Deleted { .. })));
    assert_eq!(
        ws.list(&ListQuery {
            kind: Some(Kind::Question),
            ..Default::default()
        })
        .unwrap()
        .len(),
        0
    );

    let back = ws.restore(&q.id, &q.rev).unwrap();
    assert!(back.rev.starts_with("4-"));
    assert_eq!(back.content["status"], json!("open"));
    assert_eq!(back.content["created_at"], q.content["created_at"]);

    let history = ws.history(&q.id).unwrap();
    let revs: Vec<_> = history.iter().map(|h| h.rev.as_str()).collect();
    assert_eq!(revs.len(), 4);
    assert_eq!(revs[3], q.rev);
    assert!(history[0].is_winner && history[0].is_leaf);
    assert!(history[1].deleted);
    assert!(history.iter().skip(1).all(|h| !h.is_leaf));
    assert_eq!(history[0].author, "Aino Mäkelä");
    assert_eq!(
        ws.change_seq().unwrap(),
        seq0 + 4,
        "one change number per revision"
    );
    let problems = insisst_core::check::run(&ws).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn bad_input_is_refused_naming_the_field_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let s = ws
        .create(
            Kind::Session,
            obj(json!({"title": "Study visit Århus", "timezone": "Europe/Copenhagen"})),
        )
        .unwrap();
    let before = dump(dir.path());
    let cases: Vec<(Kind, Value, &str)> = vec![
        (
            Kind::Session,
            json!({"title": "S", "timezone": "Mars/Olympus"}),
            "timezone",
        ),
        (
            Kind::Session,
            json!({"title": "S", "starts_at": "2026-02-30T10:00"}),
            "starts_at",
        ),
        (Kind::Review, json!({"title": "R"}), "session_id"),
        (
            Kind::Review,
            json!({"title": "R", "session_id": "0190b3a0-0000-7000-8000-000000000001"}),
            "session_id",
        ),
        (
            Kind::Evaluation,
            json!({"title": "E", "session_id": "019c0000-0000-7000-8000-000000000000"}),
            "session_id",
        ),
        (
            Kind::Note,
            json!({"title": "N", "links": ["not-an-id"]}),
            "links[0]",
        ),
        (
            Kind::Contact,
            json!({"title": "C", "email": "a@b"}),
            "email",
        ),
    ];
    for (kind, content, field) in cases {
        match ws.create(kind, obj(content.clone())) {
            Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field, "{content}"),
            other => panic!("{content}: expected invalid {field}, got {other:?}"),
        }
    }
    let mut bad = s.content.clone();
    bad.insert("status".into(), json!("postponed"));
    let err = ws.update(&s.id, bad, None).unwrap_err();
    assert!(
        err.to_string().contains(&s.id) && err.to_string().contains("status"),
        "{err}"
    );
    assert_eq!(dump(dir.path()), before, "a refused write changes nothing");
}

#[test]
fn wiki_links_resolve_by_title_with_backlinks_and_typed_refs() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let note = ws
        .create(Kind::Note, obj(json!({"title": "Notes from Gdańsk", "body": "We met at [[Peer exchange Gdańsk|the exchange]] and discussed [[Future question]]."})))
        .unwrap();
    // Written before its target existed; resolves once it does.
    assert!(ws.links_of(&note.id).unwrap().is_empty());
    let session = ws.create(Kind::Session, obj(json!({"title": "Peer exchange  gdańsk", "host_org": "0190b3a0-0000-7000-8000-000000000006"}))).unwrap();
    let links = ws.links_of(&note.id).unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].id.as_str(), links[0].rel.as_str()),
        (session.id.as_str(), "wiki")
    );
    let eval = ws
        .create(
            Kind::Evaluation,
            obj(json!({"title": "Reactions", "session_id": session.id, "ratings": {"overall": 4}})),
        )
        .unwrap();
    let back = ws.backlinks(&session.id).unwrap();
    let rels: Vec<_> = back
        .iter()
        .map(|l| (l.id.as_str(), l.rel.as_str()))
        .collect();
    assert!(rels.contains(&(note.id.as_str(), "wiki")));
    assert!(rels.contains(&(eval.id.as_str(), "session_id")));
    let shipyard = ws
        .backlinks("0190b3a0-0000-7000-8000-000000000006")
        .unwrap();
    assert_eq!(shipyard[0].rel, "host_org");
    // Explicit links.
    ws.link(&note.id, &eval.id).unwrap();
    assert!(ws
        .links_of(&note.id)
        .unwrap()
        .iter()
        .any(|l| l.id == eval.id && l.rel == "links"));
    // Deleting the target hides it from links and backlinks.
    ws.delete(&eval.id).unwrap();
    assert!(!ws
        .backlinks(&session.id)
        .unwrap()
        .iter()
        .any(|l| l.id == eval.id));
}

#[test]
fn lists_filter_by_kind_tag_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    for (title, status, tag) in [
        ("A", "open", "Ageing"),
        ("B", "resolved", "ageing"),
        ("C", "open", "housing"),
    ] {
        ws.create(
            Kind::Question,
            obj(json!({"title": title, "status": status, "tags": [tag]})),
        )
        .unwrap();
    }
    let q = |tag: Option<&str>, status: Option<&str>| {
        ws.list(&ListQuery {
            kind: Some(Kind::Question),
            tag: tag.map(Into::into),
            status: status.map(Into::into),
            ..Default::default()
        })
        .unwrap()
        .iter()
        .map(|r| r.title().to_string())
        .collect::<Vec<_>>()
    };
    assert_eq!(q(Some("AGEING"), None).len(), 2);
    assert_eq!(q(Some("ageing"), Some("open")), vec!["A"]);
    assert_eq!(q(None, Some("open")).len(), 2);
}

#[test]
fn attachments_are_stored_once_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let note = ws
        .create(Kind::Note, obj(json!({"title": "Workshop photos"})))
        .unwrap();
    let other = ws
        .create(Kind::Session, obj(json!({"title": "Workshop"})))
        .unwrap();
    let file = dir.path().join("board.png");
    std::fs::write(&file, b"\x89PNG fake image bytes").unwrap();
    let a1 = ws.attach(&note.id, &file).unwrap();
    let a2 = ws.attach(&other.id, &file).unwrap();
    assert_eq!(a1.id, a2.id, "one attachment record per content");
    assert_eq!(a1.content["media_type"], json!("image/png"));
    let sha = a1.str("sha256").unwrap().to_string();
    assert_eq!(
        ws.get(&note.id).unwrap().content["attachments"],
        json!([sha])
    );
    assert!(insisst_core::check::run(&ws).unwrap().is_empty());
    std::fs::write(ws.attachments_dir().join(&sha), b"tampered").unwrap();
    let problems = insisst_core::check::run(&ws).unwrap();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("damaged"), "{problems:?}");
    let missing = ws
        .attach(&note.id, &dir.path().join("nope.pdf"))
        .unwrap_err();
    assert!(missing.to_string().contains("nope.pdf"), "{missing}");
}

#[test]
fn backup_restores_the_same_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(&dir.path().join("a"));
    insisst_core::demo::generate(&mut ws, 120, 9).unwrap();
    let backup = dir.path().join("a.zip");
    let summary = insisst_core::backup::create(&ws, &backup).unwrap();
    assert!(summary.bytes > 0);
    let restored_dir = dir.path().join("b");
    insisst_core::backup::restore(&backup, &restored_dir).unwrap();
    let restored = Workspace::open(&restored_dir, options(3)).unwrap();
    assert_eq!(restored.identity().node_id, ws.identity().node_id);
    assert_eq!(
        restored.identity().public_key_hex(),
        ws.identity().public_key_hex()
    );
    assert_eq!(restored.stats().unwrap().counts, ws.stats().unwrap().counts);
    assert!(insisst_core::check::run(&restored).unwrap().is_empty());
    // Never over an existing workspace.
    assert!(matches!(
        insisst_core::backup::restore(&backup, &restored_dir),
        Err(Error::WorkspaceExists { .. })
    ));
    // A file that is not a backup leaves nothing behind.
    let junk = dir.path().join("junk.zip");
    std::fs::write(&junk, b"not a zip").unwrap();
    let err = insisst_core::backup::restore(&junk, &dir.path().join("c")).unwrap_err();
    assert!(err.to_string().contains("junk.zip"), "{err}");
    assert!(!dir.path().join("c").exists());
}

#[test]
fn a_newer_schema_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    drop(new_ws(dir.path()));
    let conn = rusqlite::Connection::open(dir.path().join("workspace.sqlite3")).unwrap();
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    let err = Workspace::open(dir.path(), options(1)).unwrap_err();
    assert!(
        matches!(err, Error::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer version"), "{err}");
}

#[test]
fn opening_a_missing_workspace_says_so_and_init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let err = Workspace::open(&dir.path().join("nowhere"), options(1)).unwrap_err();
    assert!(matches!(err, Error::NoWorkspace { .. }));
    drop(new_ws(dir.path()));
    let err = Workspace::init(dir.path(), &owner(), options(1)).unwrap_err();
    assert!(matches!(err, Error::WorkspaceExists { .. }));
}

#[test]
fn the_demo_is_deterministic_and_valid() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ids = vec![];
    for dir in [a.path(), b.path()] {
        let mut ws = new_ws(dir);
        let summary = insisst_core::demo::generate(&mut ws, 400, 42).unwrap();
        assert!(summary.total >= 400);
        let all = ws.list(&ListQuery::default()).unwrap();
        let mut titles: Vec<_> = all
            .iter()
            .map(|r| (r.id.clone(), r.title().to_string()))
            .collect();
        titles.sort();
        ids.push(titles);
        assert!(insisst_core::check::run(&ws).unwrap().is_empty());
        let stats = ws.stats().unwrap();
        let count = |k: Kind| stats.counts.iter().find(|(kind, _)| *kind == k).unwrap().1;
        assert!(count(Kind::Note) > count(Kind::Session));
        assert!(count(Kind::Session) > count(Kind::Question));
        assert!(count(Kind::Attachment) >= 1);
    }
    assert_eq!(ids[0], ids[1]);
    let text: String = ids[0].iter().map(|(_, t)| t.as_str()).collect();
    for diacritic in ['å', 'ä', 'č', 'ř', 'ł', 'ż', 'ø'] {
        assert!(
            text.contains(diacritic) || diacritic == 'ø',
            "demo titles lack {diacritic}"
        );
    }
}

#[test]
fn deleting_a_referenced_record_does_not_block_its_referrers() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let c = ws
        .create(Kind::Contact, obj(json!({"title": "Jens Æbelø"})))
        .unwrap();
    let s = ws
        .create(
            Kind::Session,
            obj(json!({"title": "Study visit", "participants": [c.id]})),
        )
        .unwrap();
    ws.delete(&c.id).unwrap();
    let mut content = s.content.clone();
    content.insert("title".into(), json!("Study visit Odense"));
    ws.update(&s.id, content, None).unwrap();
    // A new reference to a deleted record is still refused.
    let err = ws
        .create(
            Kind::Session,
            obj(json!({"title": "Another", "participants": [c.id]})),
        )
        .unwrap_err();
    assert!(err.to_string().contains("deleted"), "{err}");
}

#[test]
fn oversized_records_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let blocks: Vec<Value> = (0..60)
        .map(|i| json!({"title": format!("b{i}"), "notes": "x".repeat(90_000)}))
        .collect();
    let err = ws
        .create(
            Kind::Session,
            obj(json!({"title": "Huge", "agenda": blocks})),
        )
        .unwrap_err();
    assert!(err.to_string().contains("at most"), "{err}");
}

#[test]
fn a_backup_with_foreign_triggers_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_ws(&dir.path().join("a"));
    rusqlite::Connection::open(dir.path().join("a/workspace.sqlite3"))
        .unwrap()
        .execute_batch("CREATE TRIGGER sneaky AFTER INSERT ON records BEGIN DELETE FROM tags; END;")
        .unwrap();
    let backup = dir.path().join("a.zip");
    insisst_core::backup::create(&ws, &backup).unwrap();
    let err = insisst_core::backup::restore(&backup, &dir.path().join("b")).unwrap_err();
    assert!(err.to_string().contains("trigger sneaky"), "{err}");
    assert!(!dir.path().join("b").exists(), "nothing left behind");
}

#[test]
fn a_schema_1_workspace_opens_and_upgrades() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schema-v1");
    std::fs::copy(
        fixture.join("workspace.sqlite3"),
        dir.path().join("workspace.sqlite3"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("attachments")).unwrap();
    for file in std::fs::read_dir(fixture.join("attachments")).unwrap() {
        let file = file.unwrap();
        std::fs::copy(
            file.path(),
            dir.path().join("attachments").join(file.file_name()),
        )
        .unwrap();
    }
    let mut ws = Workspace::open(dir.path(), options(1)).unwrap();
    let version: i64 = rusqlite::Connection::open(dir.path().join("workspace.sqlite3"))
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, insisst_core::store::latest_version());
    // What schema 1 wrote reads back: the edit, the deletion, and the history.
    let edited = ws.get("019b76da-a850-7f84-88eb-d9afe7040621").unwrap();
    assert_eq!(edited.title(), "Edited in schema 1");
    assert_eq!(ws.history(&edited.id).unwrap().len(), 2);
    assert!(matches!(
        ws.get("019b76da-a84e-77b0-93fb-2e1cf17a94e8"),
        Err(Error::Deleted { .. })
    ));
    let live: u64 = ws.stats().unwrap().counts.iter().map(|(_, n)| n).sum();
    assert_eq!(live, 47);
    // And it takes new writes.
    let note = ws
        .create(Kind::Note, obj(json!({"title": "After the upgrade"})))
        .unwrap();
    assert!(note.rev.starts_with("1-"));
    let problems = insisst_core::check::run(&ws).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn upcoming_sessions_are_those_of_the_next_days_in_their_time_zones() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let now: chrono::DateTime<chrono::Utc> = "2026-03-10T12:00:00Z".parse().unwrap();
    let mut add = |title: &str, fields: Value| {
        let mut content = obj(fields);
        content.insert("title".into(), json!(title));
        ws.create(Kind::Session, content).unwrap().id
    };
    // 13:30 in Prague is 12:30 UTC: still to come. 12:30 in Helsinki is 10:30 UTC: past.
    let prague = add(
        "Prague",
        json!({"starts_at": "2026-03-10T13:30", "timezone": "Europe/Prague"}),
    );
    add(
        "Helsinki, over",
        json!({"starts_at": "2026-03-10T12:30", "ends_at": "2026-03-10T13:00", "timezone": "Europe/Helsinki"}),
    );
    // Under way: started yesterday, ends tomorrow.
    let ongoing = add(
        "Two days",
        json!({"starts_at": "2026-03-09T09:00", "ends_at": "2026-03-11T17:00", "timezone": "Europe/Brussels"}),
    );
    let later = add("In a week", json!({"starts_at": "2026-03-17T09:00"}));
    add("Too far", json!({"starts_at": "2026-03-25T09:00"}));
    add(
        "Cancelled",
        json!({"starts_at": "2026-03-12T09:00", "status": "cancelled"}),
    );
    add("No date", json!({}));
    let ws = ws;
    let found = ws.upcoming_sessions(now, 14, 10).unwrap();
    let ids: Vec<&str> = found.iter().map(|(r, _)| r.id.as_str()).collect();
    assert_eq!(ids, [ongoing.as_str(), prague.as_str(), later.as_str()]);
    assert_eq!(found[1].1.to_rfc3339(), "2026-03-10T12:30:00+00:00");
    assert_eq!(ws.upcoming_sessions(now, 14, 1).unwrap().len(), 1);
}

#[test]
fn sessions_between_dates_are_a_calendar_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let mut add = |title: &str, fields: Value| {
        let mut content = obj(fields);
        content.insert("title".into(), json!(title));
        ws.create(Kind::Session, content).unwrap().id
    };
    let before = add("Before", json!({"starts_at": "2026-02-27T09:00"}));
    let spanning = add(
        "Across the month's start",
        json!({"starts_at": "2026-02-28T09:00", "ends_at": "2026-03-02T17:00"}),
    );
    let cancelled = add(
        "Cancelled",
        json!({"starts_at": "2026-03-15T09:00", "status": "cancelled"}),
    );
    let last = add("Last day", json!({"starts_at": "2026-03-31T23:30"}));
    add("After", json!({"starts_at": "2026-04-01T00:00"}));
    add("No date", json!({}));
    let gone = add("Deleted", json!({"starts_at": "2026-03-10T09:00"}));
    ws.delete(&gone).unwrap();
    let ids = |from: &str, to: &str, limit: usize| -> Vec<String> {
        ws.sessions_between(from, to, limit)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(
        ids("2026-03-01", "2026-03-31", 100),
        [spanning.clone(), cancelled.clone(), last.clone()]
    );
    assert_eq!(ids("2026-02-27", "2026-02-27", 100), [before]);
    assert_eq!(ids("2026-03-01", "2026-03-31", 1), [spanning]);
}

#[test]
fn lists_filter_by_field_values_and_lists_offer_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let mut add = |title: &str, fields: Value| {
        let mut content = obj(fields);
        content.insert("title".into(), json!(title));
        ws.create(Kind::Contact, content).unwrap().id
    };
    let aino = add(
        "Aino",
        json!({"country": "FI", "sector": "academia", "languages": ["fi", "en"], "expertise": ["housing", "evaluation"]}),
    );
    let jan = add(
        "Jan",
        json!({"country": "CZ", "sector": "government", "languages": ["cs", "en"], "expertise": ["Housing"]}),
    );
    add("Nobody", json!({}));
    let ids = |fields: &[(&str, &str)]| -> Vec<String> {
        let mut out: Vec<String> = ws
            .list(&ListQuery {
                kind: Some(Kind::Contact),
                fields: fields
                    .iter()
                    .map(|(f, v)| (f.to_string(), v.to_string()))
                    .collect(),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        out.sort();
        out
    };
    let mut both = vec![aino.clone(), jan.clone()];
    both.sort();
    assert_eq!(ids(&[("country", "fi")]), std::slice::from_ref(&aino));
    assert_eq!(ids(&[("languages", "en")]), both);
    assert_eq!(ids(&[("expertise", "housing")]), both);
    assert_eq!(
        ids(&[("expertise", "housing"), ("sector", "government")]),
        [jan]
    );
    assert!(ids(&[("country", "DK")]).is_empty());
    // Not a field name: matches nothing rather than reaching into SQL.
    assert!(ids(&[("country') OR 1=1 --", "FI")]).is_empty());
    let count = ws
        .count(&ListQuery {
            kind: Some(Kind::Contact),
            fields: vec![("languages".into(), "EN".into())],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(count, 2);
    let languages = ws.field_values(Kind::Contact, "languages", 10).unwrap();
    assert_eq!(
        languages,
        [
            ("en".to_string(), 2),
            ("cs".to_string(), 1),
            ("fi".to_string(), 1)
        ]
    );
    assert_eq!(
        ws.field_values(Kind::Contact, "country", 1).unwrap(),
        [("CZ".to_string(), 1)]
    );
    assert!(ws.field_values(Kind::Contact, "bad field", 1).is_err());
}

#[test]
fn questions_come_by_priority() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let mut add = |title: &str, status: &str, priority: Option<&str>| {
        let mut content = obj(json!({"title": title, "status": status}));
        if let Some(p) = priority {
            content.insert("priority".into(), json!(p));
        }
        ws.create(Kind::Question, content).unwrap().id
    };
    let low = add("low", "open", Some("low"));
    let none = add("none", "open", None);
    let high = add("high", "open", Some("high"));
    add("resolved", "resolved", Some("high"));
    let medium = add("medium", "open", Some("medium"));
    let high2 = add("high, newer", "open", Some("high"));
    let ws = ws;
    let ids: Vec<String> = ws
        .questions_by_priority("open", 10)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, [high2.clone(), high, medium, low, none]);
    assert_eq!(ws.questions_by_priority("open", 1).unwrap()[0].id, high2);
}

#[test]
fn attachments_resolve_by_hash_or_by_the_linked_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let note = ws
        .create(Kind::Note, obj(json!({"title": "Board photos"})))
        .unwrap();
    let other = ws
        .create(Kind::Note, obj(json!({"title": "Other photos"})))
        .unwrap();
    // Two different files with the same name, attached to different notes.
    let (d1, d2) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&d1).unwrap();
    std::fs::create_dir_all(&d2).unwrap();
    std::fs::write(d1.join("board.png"), b"\x89PNG\r\n\x1a\nfirst").unwrap();
    std::fs::write(d2.join("board.png"), b"\x89PNG\r\n\x1a\nsecond").unwrap();
    let a_other = ws.attach(&other.id, &d2.join("board.png")).unwrap();
    let a_note = ws.attach(&note.id, &d1.join("board.png")).unwrap();
    let sha_note = a_note.str("sha256").unwrap().to_string();
    let sha_other = a_other.str("sha256").unwrap().to_string();
    let note = ws.get(&note.id).unwrap();

    // By name: the one this record links, though the other is older.
    assert_eq!(
        ws.resolve_attachment("board.png", Some(&note)).unwrap(),
        Some(sha_note.clone())
    );
    // With no record to prefer, the oldest.
    assert_eq!(
        ws.resolve_attachment("board.png", None).unwrap(),
        Some(sha_other.clone())
    );
    // By hash (any case), only when the file is there.
    assert_eq!(
        ws.resolve_attachment(&sha_note.to_uppercase(), None)
            .unwrap(),
        Some(sha_note.clone())
    );
    assert_eq!(ws.resolve_attachment(&"0".repeat(64), None).unwrap(), None);
    assert_eq!(
        ws.resolve_attachment("nope.png", Some(&note)).unwrap(),
        None
    );
    assert_eq!(
        ws.resolve_attachment("../workspace.sqlite3", None).unwrap(),
        None
    );

    // The file behind a hash: checked before any path is made.
    let root = dir.path();
    let file = insisst_core::store::attachment_file(root, &sha_note).unwrap();
    assert_eq!(file, ws.attachments_dir().join(&sha_note));
    for bad in [
        "",
        "..",
        "../workspace.sqlite3",
        &format!("{sha_note}/x"),
        &"z".repeat(64),
    ] {
        assert_eq!(
            insisst_core::store::attachment_file(root, bad),
            None,
            "{bad}"
        );
    }
    assert_eq!(
        insisst_core::store::attachment_file(root, &"a".repeat(64)),
        None
    );
}

#[test]
fn a_body_renders_with_wiki_links_by_title_and_its_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let target = ws
        .create(Kind::Question, obj(json!({"title": "Housing first"})))
        .unwrap();
    let note = ws
        .create(
            Kind::Note,
            obj(json!({
                "title": "Workshop",
                "body": "# Day one\n\n- [x] done\n\nSee [[housing FIRST]] and [[Nowhere]].\n\n![board](board.png)\n\n[site](https://example.org)",
            })),
        )
        .unwrap();
    let file = dir.path().join("board.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\nbytes").unwrap();
    let att = ws.attach(&note.id, &file).unwrap();
    let sha = att.str("sha256").unwrap();
    let note = ws.get(&note.id).unwrap();

    let html = ws.render_body(&note).unwrap().unwrap();
    assert!(html.contains("<h1>Day one</h1>"), "{html}");
    assert!(html.contains(r#"type="checkbox""#), "{html}");
    assert!(
        html.contains(&format!(r##"href="#/record/{}""##, target.id)),
        "{html}"
    );
    assert!(html.contains(r#"data-title="Nowhere""#), "{html}");
    assert!(
        html.contains(&format!(r#"src="insisst-attachment://localhost/{sha}""#)),
        "{html}"
    );
    assert!(html.contains(r#"class="external""#), "{html}");

    // No body, or only blanks: nothing to render.
    assert_eq!(ws.render_body(&ws.get(&target.id).unwrap()).unwrap(), None);
}

#[test]
fn attachments_are_served_only_as_raster_images_or_octet_streams() {
    use insisst_core::markdown::attachment_content_type as ct;
    assert_eq!(ct(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
    assert_eq!(ct(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), "image/jpeg");
    assert_eq!(ct(b"GIF89a\x01\0\x01\0"), "image/gif");
    assert_eq!(ct(b"RIFF\x10\0\0\0WEBPVP8 "), "image/webp");
    assert_eq!(ct(b"\0\0\0\x1cftypavif\0\0"), "image/avif");
    for active in [
        &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"[..],
        b"<?xml version=\"1.0\"?><svg/>",
        b"<!DOCTYPE html><script>alert(1)</script>",
        b"%PDF-1.7",
        b"",
    ] {
        assert_eq!(ct(active), "application/octet-stream");
    }
}

#[test]
fn only_http_and_mailto_urls_go_to_the_system_browser() {
    use insisst_core::markdown::external_url;
    for ok in [
        "https://example.org/a?b#c",
        "HTTP://example.org",
        "mailto:a@example.org",
    ] {
        assert_eq!(external_url(ok), Some(ok));
    }
    for bad in [
        "",
        "https://",
        "mailto:",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "insisst-attachment://localhost/00",
        "ftp://example.org",
        "https://example.org/a b",
        "https://example.org/\n",
        " https://example.org",
        "#/record/x",
    ] {
        assert_eq!(external_url(bad), None, "{bad:?}");
    }
}

#[test]
fn attaching_at_a_revision_refuses_a_record_changed_meanwhile_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let note = ws
        .create(Kind::Note, obj(json!({"title": "Plan", "body": "first"})))
        .unwrap();
    let seen = note.rev.clone();
    // Someone else (another window, a bundle) edits the note after the editor loaded it.
    let edited = ws
        .update(
            &note.id,
            obj(json!({"title": "Plan", "body": "their edit"})),
            None,
        )
        .unwrap();
    let file = dir.path().join("drop.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\nan image dropped").unwrap();
    let before = dump(dir.path());
    let err = ws.attach_at(&note.id, &file, Some(&seen)).unwrap_err();
    match &err {
        Error::Conflict {
            id,
            expected,
            actual,
        } => {
            assert_eq!(
                (id, expected, actual),
                (&note.id, &seen, &edited.rev),
                "{err}"
            );
        }
        other => panic!("not a conflict: {other}"),
    }
    assert_eq!(
        dump(dir.path()),
        before,
        "a refused attach changed something"
    );
    assert_eq!(ws.get(&note.id).unwrap().str("body"), Some("their edit"));
    // At the current revision it attaches, and keeps the other edit.
    let att = ws.attach_at(&note.id, &file, Some(&edited.rev)).unwrap();
    let now = ws.get(&note.id).unwrap();
    assert_eq!(now.str("body"), Some("their edit"));
    assert!(now.content["links"]
        .as_array()
        .unwrap()
        .contains(&json!(att.id)));
}
