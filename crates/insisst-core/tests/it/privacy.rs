//! Personal data (issue 9): consent gaps, the consent filter on bundles, forgetting a person
//! (gone from the database and index files; the erasure travels A → B → C and is final), and
//! the person export.

use crate::exchange::{export_all, import, partner};
use crate::util::obj;
use insisst_core::exchange::{self, ExportScope, ImportOptions, Quiet};
use insisst_core::privacy::{self, PersonExportFormat};
use insisst_core::search::{SearchIndex, SearchOptions};
use insisst_core::{Kind, Workspace};
use serde_json::{json, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

const NAME: &str = "Zdeňka Přívětivá";
const EMAIL: &str = "zdenka.privetiva@mpsv.example.cz";
const PHONE: &str = "+420 777 123 456";

/// Every entry of a bundle, by name.
fn entries(file: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let mut data = vec![];
            e.read_to_end(&mut data).unwrap();
            (e.name().to_string(), data)
        })
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    !n.is_empty() && hay.windows(n.len()).any(|w| w == n)
}

/// The forms in which the person could sit in a file: as typed, lower-cased (the index's
/// exact field), and their parts (tokens).
fn needles() -> Vec<String> {
    let mut out = vec![
        NAME.to_string(),
        NAME.to_lowercase(),
        EMAIL.to_string(),
        PHONE.to_string(),
        "přívětivá".to_string(),
        "privetiva".to_string(),
        "777 123 456".to_string(),
    ];
    out.dedup();
    out
}

/// Every file of the workspace that holds records or their index: the database, its WAL and
/// shared memory, and every file under `index/`.
fn data_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![];
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!(
            "{}{suffix}",
            root.join("workspace.sqlite3").display()
        ));
        if p.exists() {
            files.push(p);
        }
    }
    let mut stack = vec![root.join("index")];
    while let Some(d) = stack.pop() {
        // A workspace that never opened its index has no `index/`.
        let Ok(dir) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in dir {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files
}

/// Which files hold which of the person's strings.
fn traces(root: &Path) -> Vec<String> {
    let mut found = vec![];
    for f in data_files(root) {
        let bytes = std::fs::read(&f).unwrap();
        for n in needles() {
            if contains(&bytes, &n) {
                found.push(format!("{} holds `{n}`", f.display()));
            }
        }
    }
    found
}

/// What the index's files still hold of the person, deleted documents included: every term
/// of every text field of every segment, and every stored document. Compression hides words
/// from a byte search (the doc store is compressed, the term dictionary an FST), so the
/// index is read through tantivy, ignoring which documents are marked deleted.
fn index_traces(root: &Path) -> Vec<String> {
    use tantivy::schema::FieldType;
    let tokens = ["přívětivá", "privetiva"];
    let index = tantivy::Index::open_in_dir(root.join("index")).unwrap();
    let schema = index.schema();
    let mut found = vec![];
    for segment in index.searchable_segments().unwrap() {
        let reader = tantivy::SegmentReader::open(&segment).unwrap();
        for (field, entry) in schema.fields() {
            if !matches!(entry.field_type(), FieldType::Str(_)) {
                continue;
            }
            let inverted = reader.inverted_index(field).unwrap();
            let mut terms = inverted.terms().stream().unwrap();
            while terms.advance() {
                let term = String::from_utf8_lossy(terms.key()).into_owned();
                if tokens.iter().any(|t| term.contains(t)) {
                    found.push(format!("term `{term}` in {}", entry.name()));
                }
            }
        }
        let store = reader.get_store_reader(0).unwrap();
        for doc in 0..reader.max_doc() {
            let doc: tantivy::TantivyDocument = store.get(doc).unwrap();
            let text = format!("{:?}", tantivy::Document::to_named_doc(&doc, &schema));
            if text.contains(NAME) || text.contains(EMAIL) {
                found.push(format!("stored document {text}"));
            }
        }
    }
    found
}

fn zdenka(ws: &mut Workspace, share: bool) -> String {
    ws.create(
        Kind::Contact,
        obj(
            json!({"title": NAME, "email": EMAIL, "phone": PHONE, "role": "policy officer",
                   "expertise": ["social economy"],
                   "consent": {"basis": "consent", "share_with_partners": share}}),
        ),
    )
    .unwrap()
    .id
}

#[test]
fn contacts_without_a_lawful_basis_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = partner(&dir.path().join("w"), "Aino Mäkelä", "THL", 7);
    zdenka(&mut ws, true);
    ws.create(Kind::Contact, obj(json!({"title": "No Basis"})))
        .unwrap();
    ws.create(
        Kind::Contact,
        obj(json!({"title": "Basis None", "consent": {"basis": "none"}})),
    )
    .unwrap();
    let gone = ws
        .create(Kind::Contact, obj(json!({"title": "Deleted Nobasis"})))
        .unwrap();
    ws.delete(&gone.id).unwrap();
    let gaps = ws.contacts_without_basis(1).unwrap();
    assert_eq!(gaps.count, 2);
    assert_eq!(gaps.contacts, 3);
    assert_eq!(gaps.without_basis.len(), 1);
    assert_eq!(gaps.without_basis[0].title, "Basis None");
    assert_eq!(gaps.without_basis[0].basis.as_deref(), Some("none"));
    let all = ws.contacts_without_basis(10).unwrap();
    assert_eq!(all.without_basis[1].title, "No Basis");
    assert_eq!(all.without_basis[1].basis, None);
    assert!(Workspace::lacks_basis(
        &ws.get(&all.without_basis[1].id).unwrap()
    ));
}

#[test]
fn a_contact_that_may_not_be_shared_travels_in_no_bundle_but_links_to_it_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = partner(&dir.path().join("w"), "Aino Mäkelä", "THL", 7);
    let private = zdenka(&mut ws, false);
    let session = ws
        .create(
            Kind::Session,
            obj(
                json!({"title": "Study visit to Prague", "participants": [private],
                       "starts_at": "2026-06-01T09:00", "tags": ["cz"]}),
            ),
        )
        .unwrap();
    let note = ws
        .create(
            Kind::Note,
            obj(
                json!({"title": "Visit notes", "body": "Notes of the visit.", "links": [private],
                       "session_id": session.id, "tags": ["cz"]}),
            ),
        )
        .unwrap();
    let scopes = [
        ExportScope::default(),
        ExportScope {
            tag: Some("cz".into()),
            ..Default::default()
        },
        ExportScope {
            session: Some(session.id.clone()),
            ..Default::default()
        },
        ExportScope {
            changed_since_last_to: Some("Genio".into()),
            ..Default::default()
        },
    ];
    for (i, scope) in scopes.iter().enumerate() {
        let file = dir.path().join(format!("b{i}.insisst"));
        let summary = exchange::export(&mut ws, &file, scope, &Quiet).unwrap();
        let all = entries(&file);
        assert!(all
            .iter()
            .any(|(n, _)| *n == format!("notes/{}.md", note.id)));
        for (name, data) in &all {
            for n in needles() {
                assert!(
                    !contains(data, &n),
                    "scope {i}: {name} carries `{n}` of a contact who may not be shared"
                );
            }
        }
        let lines: Vec<u8> = all
            .iter()
            .filter(|(n, _)| n.starts_with("records/"))
            .flat_map(|(_, d)| d.clone())
            .collect();
        // The links stay: an id names nobody.
        assert!(contains(&lines, &private), "scope {i}: the links were cut");
        assert!(!all
            .iter()
            .any(|(n, d)| n == "records/contact.ndjson" && !d.is_empty()));
        if scope.tag.is_none() {
            assert_eq!(summary.left_out_contacts, 1, "scope {i}");
        }
    }
}

#[test]
fn forget_refuses_what_is_not_a_person_and_plans_what_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = partner(&dir.path().join("w"), "Aino Mäkelä", "THL", 7);
    let id = zdenka(&mut ws, true);
    let linking = ws
        .create(
            Kind::Note,
            obj(json!({"title": "Linking note", "links": [id]})),
        )
        .unwrap();
    let mentioning = ws
        .create(
            Kind::Note,
            obj(json!({"title": "Mentioning note", "body": format!("Call {} about the visit.", NAME.to_uppercase())})),
        )
        .unwrap();
    ws.create(
        Kind::Note,
        obj(json!({"title": "Unrelated", "body": "Zdeňka Přívětivý is someone else."})),
    )
    .unwrap();
    let err = ws.forget(&linking.id).unwrap_err();
    assert!(
        err.to_string()
            .contains("only contacts (people) can be forgotten"),
        "{err}"
    );
    assert!(ws.get(&linking.id).is_ok());
    ws.update(
        &id,
        obj(
            json!({"title": NAME, "email": EMAIL, "phone": PHONE, "consent": {"basis": "consent"}}),
        ),
        None,
    )
    .unwrap();
    let cv = dir.path().join("cv.pdf");
    std::fs::write(&cv, b"%PDF-1.4 a CV").unwrap();
    ws.attach(&id, &cv).unwrap();
    let plan = ws.forget_plan(&id).unwrap();
    assert_eq!(plan.title, NAME);
    // Created, edited, and the attachment linked.
    assert_eq!(plan.revisions, 3);
    assert_eq!(plan.links_cut.len(), 1);
    assert_eq!(plan.links_cut[0].id, linking.id);
    assert_eq!(plan.links_cut[0].fields, vec!["links".to_string()]);
    assert_eq!(plan.notes_mentioning.len(), 1);
    assert_eq!(plan.notes_mentioning[0].id, mentioning.id);
    assert!(!plan.already_erased);
    assert_eq!(plan.attachments.len(), 1);
    assert_eq!(plan.attachments[0].title, "cv.pdf");
    let report = ws.forget(&id).unwrap();
    assert_eq!(report.plan, plan);
    // The mention is the users' text and stays; the link is cut.
    assert!(ws
        .get(&mentioning.id)
        .unwrap()
        .str("body")
        .unwrap()
        .contains(&NAME.to_uppercase()));
    assert!(ws.get(&linking.id).unwrap().content.get("links").is_none());
    // Final: no edit, restore or re-creation brings them back.
    assert!(ws.update(&id, obj(json!({"title": NAME})), None).is_err());
    let first = ws.history(&id).unwrap().last().unwrap().rev.clone();
    assert!(ws.restore(&id, &first).is_err());
    assert!(ws
        .write(|w| w.create_with_id(Kind::Contact, &id, obj(json!({"title": NAME}))))
        .is_err());
    assert!(ws.forget_plan(&id).unwrap().already_erased);
    assert!(insisst_core::check::run(&ws).unwrap().is_empty());
}

#[test]
fn forget_leaves_no_trace_in_the_database_or_index_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("w");
    let mut ws = partner(&root, "Aino Mäkelä", "THL", 7);
    // A first spelling, corrected later: the old one sits in an earlier revision and in
    // freed space of the pages the record row was rewritten in.
    let id = ws
        .create(
            Kind::Contact,
            obj(json!({"title": "Zdenka Privetiva", "email": EMAIL, "tags": ["prague"]})),
        )
        .unwrap()
        .id;
    for i in 0..3 {
        ws.update(
            &id,
            obj(json!({"title": NAME, "email": EMAIL, "phone": PHONE, "role": format!("officer {i}"),
                       "tags": ["prague"], "consent": {"basis": "consent", "share_with_partners": true}})),
            None,
        )
        .unwrap();
    }
    let session = ws
        .create(
            Kind::Session,
            obj(json!({"title": "Study visit", "participants": [id]})),
        )
        .unwrap();
    ws.create(
        Kind::Note,
        obj(json!({"title": "Visit notes", "links": [id], "session_id": session.id})),
    )
    .unwrap();
    insisst_core::demo::generate(&mut ws, 200, 3).unwrap();
    let (index, _) = SearchIndex::open(&ws).unwrap();
    let hits = index
        .search(&ws, "Přívětivá", &SearchOptions::default())
        .unwrap();
    assert_eq!(hits.hits[0].id, id);
    // The positive control: before, the person is in the files (or this test proves nothing).
    let before = traces(&root);
    assert!(
        before.iter().any(|t| t.contains("workspace.sqlite3")),
        "{before:?}"
    );
    assert!(!index_traces(&root).is_empty());

    let report = ws.forget(&id).unwrap();
    assert!(report.files_purged);
    assert_eq!(report.plan.revisions, 4);
    assert_eq!(report.plan.links_cut.len(), 2);
    index.sync(&ws).unwrap();

    assert_eq!(traces(&root), Vec::<String>::new());
    assert_eq!(index_traces(&root), Vec::<String>::new());
    let hits = index
        .search(&ws, "Přívětivá", &SearchOptions::default())
        .unwrap();
    assert!(hits.hits.is_empty());
    let record = ws.get_any(&id).unwrap();
    assert!(record.deleted);
    assert_eq!(record.title(), "");
    assert!(ws
        .history(&id)
        .unwrap()
        .iter()
        .all(|h| h.content.is_none() && h.deleted));
    assert!(ws
        .get(&session.id)
        .unwrap()
        .content
        .get("participants")
        .is_none());
    assert_eq!(ws.erasures().unwrap().len(), 1);
    assert!(insisst_core::check::run(&ws).unwrap().is_empty());
    // A rebuilt index has nothing of them either.
    index.rebuild(&ws, &mut |_, _| {}).unwrap();
    index.purge(&ws).unwrap();
    assert_eq!(traces(&root), Vec::<String>::new());
    assert_eq!(index_traces(&root), Vec::<String>::new());
}

fn contact_state(ws: &Workspace, id: &str) -> (bool, Vec<(String, bool, bool)>) {
    let record = ws.get_any(id).unwrap();
    let revs = ws
        .history(id)
        .unwrap()
        .into_iter()
        .map(|h| (h.rev, h.deleted, h.content.is_some()))
        .collect();
    (record.deleted, revs)
}

fn assert_gone(ws: &Workspace, id: &str, who: &str) {
    let record = ws.get_any(id).unwrap();
    assert!(record.deleted, "{who}: the contact is live");
    assert_eq!(record.title(), "", "{who}");
    for h in ws.history(id).unwrap() {
        assert!(
            h.content.is_none(),
            "{who}: revision {} kept content",
            h.rev
        );
    }
    assert!(ws.is_erased(id).unwrap(), "{who}: no erasure marker");
    assert!(ws.find_by_title(NAME).unwrap().is_empty(), "{who}");
    assert!(insisst_core::check::run(ws).unwrap().is_empty(), "{who}");
}

#[test]
fn an_erasure_travels_a_to_b_to_c_and_is_final() {
    let dir = tempfile::tempdir().unwrap();
    let f = |n: &str| dir.path().join(n);
    let mut a = partner(&f("a"), "Aino Mäkelä", "THL", 7);
    let mut b = partner(&f("b"), "Jan de Vries", "SIF", 8);
    let mut c = partner(&f("c"), "Tomasz Nowak", "Shipyard", 9);
    let id = zdenka(&mut a, true);
    let note = a
        .create(
            Kind::Note,
            obj(json!({"title": "Prague notes", "links": [id], "tags": ["cz"]})),
        )
        .unwrap();
    export_all(&mut a, &f("a1.insisst"));
    // A second bundle from before the erasure that nobody has read yet.
    export_all(&mut a, &f("a1-late.insisst"));
    // Before any erasure a bundle is a 1.0 bundle: partners who have not updated read it.
    let before: Value = serde_json::from_slice(
        &entries(&f("a1.insisst"))
            .into_iter()
            .find(|(n, _)| n == "manifest.json")
            .unwrap()
            .1,
    )
    .unwrap();
    assert_eq!(before["format_version"], "1.0");
    assert!(before.get("erasures").is_none());
    import(&mut b, &f("a1.insisst"));
    export_all(&mut b, &f("b1.insisst"));
    import(&mut c, &f("b1.insisst"));
    assert_eq!(c.get(&id).unwrap().title(), NAME);

    // C edits the contact before hearing of the erasure.
    let mut content = c.get(&id).unwrap().content;
    content.insert("role".into(), json!("director"));
    c.update(&id, content, None).unwrap();
    export_all(&mut c, &f("c-edit.insisst"));

    a.forget(&id).unwrap();
    // Every bundle carries the marker, whatever its scope: here one of an unrelated tag.
    let a2 = f("a2.insisst");
    let summary = exchange::export(
        &mut a,
        &a2,
        &ExportScope {
            tag: Some("nothing-has-this".into()),
            ..Default::default()
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(summary.erasures, 1);
    let all = entries(&a2);
    let manifest: Value =
        serde_json::from_slice(&all.iter().find(|(n, _)| n == "manifest.json").unwrap().1).unwrap();
    assert_eq!(manifest["format_version"], "2.0");
    assert_eq!(manifest["erasures"], 1);
    let marker = &all.iter().find(|(n, _)| n == "erasures.ndjson").unwrap().1;
    let line: Value = serde_json::from_slice(marker.strip_suffix(b"\n").unwrap()).unwrap();
    let keys: Vec<&str> = line
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["erased_at", "id", "kind", "node_id"]);
    assert_eq!(line["id"], id.as_str());
    assert_eq!(line["node_id"], a.identity().node_id.as_str());
    for (name, data) in &all {
        for n in needles() {
            assert!(!contains(data, &n), "{name} carries `{n}`");
        }
    }
    // The full bundle carries the cut link too.
    export_all(&mut a, &f("a2-all.insisst"));

    let plan = exchange::preview(&b, &f("a2-all.insisst"), &Quiet).unwrap();
    assert_eq!((plan.erasures, plan.new_erasures), (1, 1));
    import(&mut b, &f("a2-all.insisst"));
    assert_gone(&b, &id, "B");
    assert!(b.get(&note.id).unwrap().content.get("links").is_none());
    export_all(&mut b, &f("b2.insisst"));
    import(&mut c, &f("b2.insisst"));
    assert_gone(&c, &id, "C (its own edit included)");

    // Nothing brings them back: an old bundle read again, one never read, the partner's
    // concurrent edit arriving late, in any order.
    for (who, file) in [
        ("B", "a1.insisst"),
        ("B", "a1-late.insisst"),
        ("B", "c-edit.insisst"),
        ("A", "c-edit.insisst"),
        ("A", "b1.insisst"),
        ("C", "a1-late.insisst"),
    ] {
        let ws = match who {
            "A" => &mut a,
            "B" => &mut b,
            _ => &mut c,
        };
        let plan = import(ws, &f(file));
        assert_gone(ws, &id, &format!("{who} after {file}"));
        assert!(plan.total().changes() < 10, "{who} {file}");
    }
    // Everyone who saw the same bundles holds the same (empty) tree for them.
    import(&mut a, &f("b2.insisst"));
    import(&mut c, &f("c-edit.insisst"));
    export_all(&mut c, &f("c3.insisst"));
    import(&mut a, &f("c3.insisst"));
    import(&mut b, &f("c3.insisst"));
    export_all(&mut a, &f("a3.insisst"));
    import(&mut b, &f("a3.insisst"));
    import(&mut c, &f("a3.insisst"));
    let state = contact_state(&a, &id);
    assert_eq!(contact_state(&b, &id), state);
    assert_eq!(contact_state(&c, &id), state);
    // The concurrent edit is known by rev (the tree stays whole), never by content.
    assert!(state.1.len() >= 2);
}

#[test]
fn a_bundle_erasing_a_record_that_is_not_a_contact_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = |n: &str| dir.path().join(n);
    let mut a = partner(&f("a"), "Aino Mäkelä", "THL", 7);
    let mut b = partner(&f("b"), "Jan de Vries", "SIF", 8);
    let id = zdenka(&mut a, true);
    a.forget(&id).unwrap();
    export_all(&mut a, &f("a.insisst"));
    // B holds a note under the erased id (ids are UUIDs: only a hostile bundle does this).
    b.write(|w| w.create_with_id(Kind::Note, &id, obj(json!({"title": "Not a person"}))))
        .unwrap();
    let err =
        exchange::import(&mut b, &f("a.insisst"), ImportOptions::default(), &Quiet).unwrap_err();
    assert!(
        err.to_string()
            .contains("which is a note here; only contacts are erased"),
        "{err}"
    );
    assert_eq!(b.get(&id).unwrap().title(), "Not a person");
}

#[test]
fn a_person_export_holds_the_contact_its_consent_history_and_every_record_about_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = partner(&dir.path().join("w"), "Aino Mäkelä", "THL", 7);
    let id = ws
        .create(
            Kind::Contact,
            obj(
                json!({"title": NAME, "email": EMAIL, "consent": {"basis": "legitimate_interest"}}),
            ),
        )
        .unwrap()
        .id;
    let mut content = ws.get(&id).unwrap().content;
    content.insert(
        "consent".into(),
        json!({"basis": "consent", "recorded_at": "2026-03-01", "share_with_partners": true}),
    );
    ws.update(&id, content.clone(), None).unwrap();
    content.insert("phone".into(), json!(PHONE));
    ws.update(&id, content, None).unwrap();
    let session = ws
        .create(
            Kind::Session,
            obj(json!({"title": "Study visit", "participants": [id]})),
        )
        .unwrap();
    let linking = ws
        .create(
            Kind::Note,
            obj(json!({"title": "Linking note", "links": [id]})),
        )
        .unwrap();
    let wiki = ws
        .create(
            Kind::Note,
            obj(json!({"title": "Wiki note", "body": format!("Met [[{NAME}]] <script>alert(1)</script>")})),
        )
        .unwrap();
    let mention = ws
        .create(
            Kind::Question,
            obj(json!({"title": "Ask the ministry", "body": format!("Write to {EMAIL} first.")})),
        )
        .unwrap();
    ws.create(Kind::Note, obj(json!({"title": "Unrelated"})))
        .unwrap();

    let export = ws.person_export(&id).unwrap();
    assert_eq!(export.contact["title"], NAME);
    assert_eq!(export.consent.as_ref().unwrap()["basis"], "consent");
    // Created with legitimate interest, then consent; the phone edit changed no consent.
    assert_eq!(export.consent_history.len(), 2);
    assert_eq!(
        export.consent_history[0].consent.as_ref().unwrap()["basis"],
        "legitimate_interest"
    );
    assert_eq!(export.consent_history[1].author, "Aino Mäkelä");
    let mut linked: Vec<&str> = export.linked_from.iter().map(|r| r.id.as_str()).collect();
    linked.sort();
    let mut expected = vec![session.id.as_str(), linking.id.as_str(), wiki.id.as_str()];
    expected.sort();
    assert_eq!(linked, expected);
    let by_id = |i: &str| export.linked_from.iter().find(|r| r.id == i).unwrap();
    assert_eq!(by_id(&session.id).because, vec!["participants".to_string()]);
    assert_eq!(by_id(&wiki.id).because, vec!["wiki".to_string()]);
    assert_eq!(export.mentioned_in.len(), 1);
    assert_eq!(export.mentioned_in[0].id, mention.id);
    assert!(export.mentioned_in[0]
        .excerpt
        .as_ref()
        .unwrap()
        .contains(EMAIL));

    let json_file = dir.path().join("out").join("person.json");
    std::fs::create_dir_all(json_file.parent().unwrap()).unwrap();
    privacy::write_person_export(&export, &json_file, PersonExportFormat::Json).unwrap();
    let back: Value = serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    assert_eq!(back["contact"]["email"], EMAIL);
    assert_eq!(back["linked_from"].as_array().unwrap().len(), 3);
    let html_file = dir.path().join("out").join("person.html");
    privacy::write_person_export(&export, &html_file, PersonExportFormat::Html).unwrap();
    let html = std::fs::read_to_string(&html_file).unwrap();
    assert!(html.contains("Přívětivá"));
    assert!(!html.contains("<script"), "{html}");
    let md = privacy::person_markdown(&export);
    assert!(md.contains("Records that link to them (3)"), "{md}");
    // Nothing but the two files in the folder: written whole, through a renamed temp file.
    assert_eq!(
        std::fs::read_dir(dir.path().join("out")).unwrap().count(),
        2
    );

    ws.forget(&id).unwrap();
    assert!(ws.person_export(&id).is_err());
}

/// Which of the database's files (the file, its WAL) hold which of the person's strings.
fn database_traces(root: &Path) -> Vec<String> {
    traces(root)
        .into_iter()
        .filter(|t| !t.contains("/index/"))
        .collect()
}

#[test]
fn an_erasure_imported_from_a_bundle_leaves_the_database_files_too() {
    let dir = tempfile::tempdir().unwrap();
    let f = |n: &str| dir.path().join(n);
    let mut a = partner(&f("a"), "Aino Mäkelä", "THL", 7);
    let mut b = partner(&f("b"), "Jan de Vries", "SIF", 8);
    let id = zdenka(&mut a, true);
    // Edited once, so that B holds an older revision (and its freed pages) too.
    let mut content = a.get(&id).unwrap().content;
    content.insert("role".into(), json!("head of unit"));
    a.update(&id, content, None).unwrap();
    a.create(
        Kind::Note,
        obj(json!({"title": "Prague notes", "links": [id]})),
    )
    .unwrap();
    export_all(&mut a, &f("a1.insisst"));
    import(&mut b, &f("a1.insisst"));
    // The positive control: B holds the person in its files before the erasure arrives.
    assert!(
        !database_traces(&f("b")).is_empty(),
        "B never held the person: this test proves nothing"
    );

    a.forget(&id).unwrap();
    export_all(&mut a, &f("a2.insisst"));
    let plan = import(&mut b, &f("a2.insisst"));
    assert_eq!(plan.new_erasures, 1);
    assert_gone(&b, &id, "B");
    assert_eq!(database_traces(&f("b")), Vec::<String>::new());
}

#[test]
fn a_forgotten_contacts_own_attachment_goes_with_them_and_travels_in_no_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let f = |n: &str| dir.path().join(n);
    let mut ws = partner(&f("w"), "Aino Mäkelä", "THL", 7);
    let private = zdenka(&mut ws, false);
    let cv = f("zdenka-cv.pdf");
    std::fs::write(&cv, b"%PDF-1.4 the CV of one person").unwrap();
    let attachment = ws.attach(&private, &cv).unwrap();
    let sha = attachment.str("sha256").unwrap().to_string();
    // A file two records link stays: only the contact's own goes with them.
    let shared_file = f("agenda.pdf");
    std::fs::write(&shared_file, b"%PDF-1.4 an agenda").unwrap();
    let shared = ws.attach(&private, &shared_file).unwrap();
    let note = ws
        .create(Kind::Note, obj(json!({"title": "Visit notes"})))
        .unwrap();
    ws.attach(&note.id, &shared_file).unwrap();
    // Before: held back with the contact who may not be shared.
    export_all(&mut ws, &f("before.insisst"));
    let before = entries(&f("before.insisst"));
    assert!(!before
        .iter()
        .any(|(n, d)| *n == format!("attachments/{sha}") || contains(d, &attachment.id)));

    let plan = ws.forget_plan(&private).unwrap();
    assert_eq!(plan.attachments.len(), 1);
    assert_eq!(plan.attachments[0].id, attachment.id);
    assert_eq!(plan.attachments_kept.len(), 1);
    assert_eq!(plan.attachments_kept[0].id, shared.id);
    let report = ws.forget(&private).unwrap();
    assert!(ws.get_any(&attachment.id).unwrap().deleted);
    assert!(ws.get(&shared.id).is_ok());
    assert_eq!(report.plan.attachments, plan.attachments);

    export_all(&mut ws, &f("after.insisst"));
    let after = entries(&f("after.insisst"));
    assert!(
        !after
            .iter()
            .any(|(n, _)| *n == format!("attachments/{sha}")),
        "the forgotten person's file travels"
    );
    for (name, data) in &after {
        assert!(
            !contains(data, "the CV of one person") && !contains(data, "zdenka-cv.pdf"),
            "{name} carries the forgotten person's attachment"
        );
    }
    assert!(after
        .iter()
        .any(|(n, d)| n == "records/attachment.ndjson" && contains(d, &shared.id)));
}

#[test]
fn a_deleted_contacts_attachment_is_held_back_like_the_contact_was() {
    let dir = tempfile::tempdir().unwrap();
    let f = |n: &str| dir.path().join(n);
    let mut ws = partner(&f("w"), "Aino Mäkelä", "THL", 7);
    let private = zdenka(&mut ws, false);
    let cv = f("zdenka-cv.pdf");
    std::fs::write(&cv, b"%PDF-1.4 the CV of one person").unwrap();
    let attachment = ws.attach(&private, &cv).unwrap();
    ws.delete(&private).unwrap();
    export_all(&mut ws, &f("after.insisst"));
    for (name, data) in entries(&f("after.insisst")) {
        assert!(
            !contains(&data, "the CV of one person") && !contains(&data, &attachment.id),
            "{name} carries the deleted contact's attachment"
        );
    }
}

#[test]
fn forget_names_the_linking_record_that_blocks_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("w");
    let mut ws = partner(&root, "Aino Mäkelä", "THL", 7);
    let id = zdenka(&mut ws, true);
    let session = ws
        .create(
            Kind::Session,
            obj(json!({"title": "Study visit", "participants": [id]})),
        )
        .unwrap();
    // A record that no longer validates (written by an older version, say): a session whose
    // start is no time.
    let conn = rusqlite::Connection::open(root.join("workspace.sqlite3")).unwrap();
    conn.execute(
        "UPDATE revisions SET content = json_set(content, '$.starts_at', 'next Tuesday')
         WHERE id = ?1",
        [&session.id],
    )
    .unwrap();
    drop(conn);
    let err = ws.forget(&id).unwrap_err().to_string();
    assert!(
        err.contains(&session.id) && err.contains("Study visit"),
        "{err}"
    );
    assert_eq!(ws.get(&id).unwrap().title(), NAME);
}
