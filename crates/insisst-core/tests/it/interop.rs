//! Interoperability (issue 7): vCard, iCalendar and Markdown folders in and out, and the
//! reports, against files written by other programs (`tests/data/interop/`, origins in its
//! README).
//!
//! Exported files are checked by independent parsers: Python's `icalendar` for `.ics` and
//! `vobject` for `.vcf` (Debian's python3-icalendar and python3-vobject, installed by
//! scripts/install-deps.sh). Without them these tests fail and say so: they never skip.

use crate::util::{dump, new_ws, obj, options, owner};
use insisst_core::interop::{self, ical, mdfolder, vcard, ImportReport, Outcome};
use insisst_core::store::{ListQuery, Record};
use insisst_core::{report, Kind, Workspace};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/interop")
        .join(rel)
}

fn all(ws: &Workspace, kind: Kind) -> Vec<Record> {
    ws.list(&ListQuery {
        kind: Some(kind),
        ..Default::default()
    })
    .unwrap()
}

fn item<'a>(r: &'a ImportReport, needle: &str) -> &'a interop::ItemReport {
    r.items
        .iter()
        .find(|i| i.item.contains(needle))
        .unwrap_or_else(|| panic!("no item {needle} in {:#?}", r.items))
}

fn record_of(ws: &Workspace, r: &ImportReport, needle: &str) -> Record {
    let id = item(r, needle).record_id.clone().expect("imported");
    ws.get(&id).unwrap()
}

/// The fields a person wrote, without the store's bookkeeping.
fn fields(r: &Record) -> Map<String, Value> {
    let mut c = r.content.clone();
    for f in ["created_at", "updated_at", "id", "kind"] {
        c.remove(f);
    }
    c
}

/// The Python with the Debian modules: the system one (a pyenv shim on PATH may not see
/// them), else `python3`. Fails, never skips, when the module is missing.
fn python_with(module: &str) -> Command {
    let exe = if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let ok = Command::new(exe)
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "{exe} cannot import `{module}`: run scripts/install-deps.sh (it installs python3-icalendar and python3-vobject)"
    );
    Command::new(exe)
}

fn run_python(module: &str, script: &str, file: &Path) -> Value {
    let out = python_with(module)
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the independent parser refused {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

// ---- vCard ---------------------------------------------------------------------------------

#[test]
fn real_vcards_from_phones_and_mail_clients_import_card_by_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());

    let android = vcard::import(&mut ws, &data("vcard/John_Doe_ANDROID.vcf")).unwrap();
    assert_eq!(android.items.len(), 6);
    assert_eq!(android.skipped, 2, "{android:#?}");
    assert!(item(&android, "card 1").messages[0].contains("no name"));
    // 2.1 quoted-printable UTF-8 with soft line breaks.
    let n = record_of(&ws, &android, "card 4");
    assert_eq!(n.title(), ["Ñ"; 11].join(" "));
    assert!(n.str("body").unwrap().starts_with("Ñ Ñ Ñ"));
    assert_eq!(n.str("phone"), Some("123456"));
    assert!(item(&android, "card 5")
        .messages
        .contains(&"photo skipped".to_string()));

    let outlook = vcard::import(&mut ws, &data("vcard/outlook-2003.vcf")).unwrap();
    let john = record_of(&ws, &outlook, "John Doe III");
    assert_eq!(
        john.str("body"),
        Some("This is the note field!!\nSecond line\n\nThird line is empty\n")
    );
    assert_eq!(john.str("role"), Some("The Job Title"));
    assert_eq!(john.str("email"), Some("jdoe@hotmail.com"));
    assert_eq!(john.str("country"), Some("US"));
    let org = ws.get(john.str("org_id").unwrap()).unwrap();
    assert_eq!(org.title(), "Company, The");
    let messages = &item(&outlook, "John Doe III").messages;
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`BusinessPhone` is not a phone number")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("KEY")), "{messages:?}");

    let rfc = vcard::import(&mut ws, &data("vcard/rfc6350-example.vcf")).unwrap();
    let simon = record_of(&ws, &rfc, "Simon Perreault");
    assert_eq!(simon.str("phone"), Some("+1-418-656-9254 x102"));
    assert_eq!(simon.str("country"), Some("CA"));
    assert_eq!(
        simon.content["languages"],
        json!(["fr", "en"]),
        "LANG;PREF=1:fr and LANG;PREF=2:en"
    );

    let tb = vcard::import(
        &mut ws,
        &data("vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf"),
    )
    .unwrap();
    let t = record_of(&ws, &tb, "John Doe");
    assert_eq!(
        t.content["tags"],
        json!(["category1", "category2", "category3"])
    );

    // Every other file of the corpus reads, each card created or updated, none refused.
    for f in [
        "John_Doe_BLACK_BERRY.vcf",
        "John_Doe_EVOLUTION.vcf",
        "John_Doe_GMAIL.vcf",
        "John_Doe_IPHONE.vcf",
        "John_Doe_LOTUS_NOTES.vcf",
        "John_Doe_MAC_ADDRESS_BOOK.vcf",
        "John_Doe_MS_OUTLOOK.vcf",
        "fullcontact.vcf",
        "gmail-list.vcf",
        "gmail-single.vcf",
        "gmail-single2.vcf",
        "issue114.vcf",
        "outlook-2007.vcf",
        "rfc2426-example.vcf",
    ] {
        let r = vcard::import(&mut ws, &data(&format!("vcard/{f}"))).unwrap();
        assert!(!r.items.is_empty(), "{f}");
        assert_eq!(r.skipped, 0, "{f}: {r:#?}");
    }
    assert!(insisst_core::check::run(&ws).unwrap().is_empty());
}

#[test]
fn re_importing_vcards_updates_by_uid_then_email_and_never_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let first = vcard::import(&mut ws, &data("vcard/gmail-list.vcf")).unwrap();
    assert_eq!(first.created, 3);
    let again = vcard::import(&mut ws, &data("vcard/gmail-list.vcf")).unwrap();
    assert_eq!((again.created, again.unchanged), (0, 3), "{again:#?}");
    assert_eq!(all(&ws, Kind::Contact).len(), 3);

    // Cards with a name and a phone only (no UID, no e-mail) are found again too.
    let android = data("vcard/John_Doe_ANDROID.vcf");
    assert_eq!(vcard::import(&mut ws, &android).unwrap().created, 4);
    let again = vcard::import(&mut ws, &android).unwrap();
    assert_eq!((again.created, again.unchanged), (0, 4), "{again:#?}");
    assert_eq!(all(&ws, Kind::Contact).len(), 7);

    // The Gmail, iPhone and Mac cards of John Doe share his address: one contact.
    for f in [
        "John_Doe_GMAIL.vcf",
        "John_Doe_IPHONE.vcf",
        "John_Doe_MAC_ADDRESS_BOOK.vcf",
    ] {
        vcard::import(&mut ws, &data(&format!("vcard/{f}"))).unwrap();
    }
    assert_eq!(all(&ws, Kind::Contact).len(), 8);

    // A UID wins over the e-mail: the same UID with a new address updates the same record.
    let card = |email: &str| {
        format!("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:0d7c9f1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f\r\nFN:Marta Kowalska\r\nEMAIL:{email}\r\nEND:VCARD\r\n")
    };
    let f = dir.path().join("m.vcf");
    std::fs::write(&f, card("marta@stocznia.pl")).unwrap();
    let r = vcard::import(&mut ws, &f).unwrap();
    assert_eq!(
        item(&r, "Marta").record_id.as_deref(),
        Some("0d7c9f1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f")
    );
    std::fs::write(&f, card("m.kowalska@stocznia.pl")).unwrap();
    let r = vcard::import(&mut ws, &f).unwrap();
    assert_eq!(r.updated, 1);
    assert_eq!(
        ws.get("0d7c9f1e-8a4b-4c3d-9e2f-1a2b3c4d5e6f")
            .unwrap()
            .str("email"),
        Some("m.kowalska@stocznia.pl")
    );
}

fn contact(ws: &mut Workspace, v: Value) -> Record {
    ws.create(Kind::Contact, obj(v)).unwrap()
}

#[test]
fn a_vcard_round_trip_keeps_every_field_and_another_parser_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = new_ws(&dir.path().join("a"));
    let org = a
        .create(Kind::Org, obj(json!({"title": "Stocznia; Gdańsk, Doki"})))
        .unwrap();
    let thl = a.find_org("THL").unwrap().unwrap();
    let full = contact(
        &mut a,
        json!({
            "title": "Jiří Dvořák",
            "org_id": thl.id,
            "role": "Head of unit, evaluation; \\ methods",
            "email": "jiri.dvorak@example.cz",
            "phone": "+420 221 922 111",
            "country": "CZ",
            "languages": ["cs", "en"],
            "expertise": ["social impact bonds", "evaluation, reflexive"],
            "sector": "government",
            "consent": {"basis": "consent", "recorded_at": "2026-02-01",
                        "share_with_partners": true, "note": "Agreed at the kick-off;\nby mail"},
            "last_contacted": "2026-02-20",
            "tags": ["expert", "cz"],
            "language": "cs",
            "body": "Met in Prague.\n\nLine with, commas; semicolons \\ backslash and ř.",
        }),
    );
    let other = contact(
        &mut a,
        json!({"title": "Ola Nordmann", "org_id": org.id, "email": "ola@example.no",
               "consent": {"basis": "legitimate_interest", "share_with_partners": false}}),
    );
    let vcf = dir.path().join("contacts.vcf");
    let summary = vcard::export(&a, &vcf, &Default::default()).unwrap();
    assert_eq!(summary.written, 2);
    assert_eq!(summary.not_shareable_included, 1);

    let text = std::fs::read_to_string(&vcf).unwrap();
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line: {line}");
    }

    let mut b = new_ws(&dir.path().join("b"));
    let r = vcard::import(&mut b, &vcf).unwrap();
    assert_eq!(r.created, 2, "{r:#?}");
    assert_eq!(fields(&b.get(&full.id).unwrap()), fields(&full));
    let ola = b.get(&other.id).unwrap();
    assert_eq!(
        b.get(ola.str("org_id").unwrap()).unwrap().title(),
        org.title()
    );
    let (mut want, mut got) = (fields(&other), fields(&ola));
    want.remove("org_id");
    got.remove("org_id");
    assert_eq!(got, want);

    // Back into the workspace it came from: nothing changes.
    let before = dump(a.root());
    let again = vcard::import(&mut a, &vcf).unwrap();
    assert_eq!(again.unchanged, 2, "{again:#?}");
    assert_eq!(dump(a.root()), before);

    let parsed = run_python(
        "vobject",
        r#"
import json, sys, vobject
cards = []
for c in vobject.readComponents(open(sys.argv[1], encoding="utf-8").read()):
    cards.append({
        "fn": c.fn.value,
        "uid": c.uid.value,
        "email": c.email.value if hasattr(c, "email") else None,
        "note": c.note.value if hasattr(c, "note") else None,
        "categories": c.categories.value if hasattr(c, "categories") else None,
        "expertise": c.contents["x-insisst-expertise"][0].value if "x-insisst-expertise" in c.contents else None,
        "share": c.contents["x-insisst-consent-share"][0].value if "x-insisst-consent-share" in c.contents else None,
    })
print(json.dumps(cards))
"#,
        &vcf,
    );
    let cards = parsed.as_array().unwrap();
    assert_eq!(cards.len(), 2);
    let jiri = cards.iter().find(|c| c["fn"] == "Jiří Dvořák").unwrap();
    assert_eq!(jiri["uid"], format!("urn:uuid:{}", full.id));
    assert_eq!(jiri["email"], "jiri.dvorak@example.cz");
    assert_eq!(jiri["note"], full.str("body").unwrap());
    assert_eq!(jiri["categories"], json!(["expert", "cz"]));
    assert_eq!(jiri["share"], "true");
}

#[test]
fn contact_exports_count_or_leave_out_those_without_consent_to_share() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    contact(
        &mut ws,
        json!({"title": "Shared", "consent": {"basis": "consent", "share_with_partners": true}}),
    );
    contact(&mut ws, json!({"title": "Private one"}));
    contact(
        &mut ws,
        json!({"title": "Private two", "consent": {"basis": "consent", "share_with_partners": false}}),
    );
    let f = dir.path().join("x.vcf");
    let all = vcard::export(&ws, &f, &Default::default()).unwrap();
    assert_eq!((all.written, all.not_shareable_included), (3, 2));
    let only = vcard::export(
        &ws,
        &f,
        &vcard::ExportOptions {
            shareable_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((only.written, only.not_shareable_left_out), (1, 2));
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.contains("FN:Shared") && !text.contains("Private"));
}

#[test]
fn hostile_vcards_refuse_the_bad_cards_and_import_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let mut bytes: Vec<u8> = Vec::new();
    bytes.extend_from_slice(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Good One\r\nEMAIL:good@example.org\r\nX-INSISST-CONSENT-RECORDED-AT:2026-02-30\r\nX-INSISST-SECTOR:aliens\r\nEND:VCARD\r\n");
    // Latin-1 bytes without a CHARSET parameter: not UTF-8.
    bytes.extend_from_slice(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Caf\xe9 Owner\r\nEND:VCARD\r\n");
    // The same bytes with their charset declared are fine.
    bytes.extend_from_slice(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1:Caf\xe9 Owner\r\nEND:VCARD\r\n",
    );
    bytes.extend_from_slice(b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=KOI8-R:x\r\nEND:VCARD\r\n");
    // A gigantic line: over the cap, reported, the card goes on without it.
    bytes.extend_from_slice(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Big Note\r\nNOTE:");
    bytes.extend(std::iter::repeat_n(b'a', interop::MAX_LINE_BYTES + 10));
    bytes.extend_from_slice(b"\r\nEND:VCARD\r\n");
    bytes.extend_from_slice(b"garbage between cards\r\n");
    bytes.extend_from_slice(b"BEGIN:VCARD\r\nFN:Never Ended\r\n");
    let f = dir.path().join("hostile.vcf");
    std::fs::write(&f, &bytes).unwrap();
    let r = vcard::import(&mut ws, &f).unwrap();
    assert_eq!(r.items.len(), 5, "{r:#?}");
    let good = record_of(&ws, &r, "Good One");
    assert!(good.content.get("consent").is_none());
    assert!(good.content.get("sector").is_none());
    let msgs = item(&r, "Good One").messages.join("\n");
    assert!(
        msgs.contains("2026-02-30") && msgs.contains("aliens"),
        "{msgs}"
    );
    let latin = &r.items[1];
    assert_eq!(latin.outcome, Outcome::Skipped);
    assert!(
        latin.messages.join(" ").contains("not valid UTF-8"),
        "{latin:?}"
    );
    assert_eq!(record_of(&ws, &r, "card 3").title(), "Café Owner");
    assert!(r.items[3].messages.join(" ").contains("KOI8-R"));
    assert_eq!(record_of(&ws, &r, "Big Note").str("body"), None);
    let problems = r.problems.join("\n");
    assert!(problems.contains("longer than"), "{problems}");
    assert!(
        problems.contains("no `:` (not a property line)"),
        "{problems}"
    );
    assert!(problems.contains("has no END"), "{problems}");

    // A file with no card at all is an error, and changes nothing.
    let before = dump(dir.path());
    let junk = dir.path().join("junk.vcf");
    std::fs::write(&junk, "this is not a vCard\n").unwrap();
    let err = vcard::import(&mut ws, &junk).unwrap_err().to_string();
    assert!(err.contains("no vCard"), "{err}");
    assert_eq!(dump(dir.path()), before);
}

fn arb_text() -> impl Strategy<Value = String> {
    // Text with everything that needs escaping or folding, diacritics and long lines.
    proptest::string::string_regex("[a-zA-Z0-9 ,;:\\\\\"'ÅØæøåäöčřžłńĳ€\n-]{1,120}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_contact_survives_a_vcard_round_trip(
        title in "[A-Za-zÅØčřłń][A-Za-z ,;ÅØčřłń.-]{0,60}",
        role in arb_text(),
        body in arb_text(),
        tags in proptest::collection::vec("[a-z0-9ÅØčř_ -]{1,20}", 0..4),
        expertise in proptest::collection::vec("[a-zA-Z0-9 ;:řč-]{1,30}", 0..4),
        share in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut a = new_ws(&dir.path().join("a"));
        let c = a.create(Kind::Contact, obj(json!({
            "title": title, "role": role.replace('\n', " "), "body": body, "tags": tags,
            "expertise": expertise, "consent": {"share_with_partners": share},
        }))).unwrap();
        let f = dir.path().join("c.vcf");
        vcard::export(&a, &f, &Default::default()).unwrap();
        let mut b = Workspace::init(&dir.path().join("b"), &owner(), options(9)).unwrap();
        let r = vcard::import(&mut b, &f).unwrap();
        prop_assert_eq!(r.created, 1, "{:#?}", r);
        prop_assert_eq!(fields(&b.get(&c.id).unwrap()), fields(&c));
    }
}

// ---- iCalendar -----------------------------------------------------------------------------

#[test]
fn calendars_from_google_outlook_and_thunderbird_become_planned_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let jan = contact(
        &mut ws,
        json!({"title": "Jan Novák", "email": "jan.novak@mpsv.cz"}),
    );
    let lieve = contact(
        &mut ws,
        json!({"title": "Lieve Peeters", "email": "Lieve.Peeters@example.be"}),
    );

    let google = ical::import(&mut ws, &data("ical/google.ics")).unwrap();
    assert_eq!((google.created, google.skipped), (2, 2), "{google:#?}");
    let visit = record_of(&ws, &google, "Helsinki social impact bonds");
    // 06:00Z is 09:00 in Helsinki in April (EEST), the calendar's X-WR-TIMEZONE.
    assert_eq!(visit.str("starts_at"), Some("2026-04-14T09:00"));
    assert_eq!(visit.str("ends_at"), Some("2026-04-14T17:00"));
    assert_eq!(visit.str("timezone"), Some("Europe/Helsinki"));
    assert_eq!(visit.str("status"), Some("planned"));
    assert_eq!(
        visit.str("venue"),
        Some("THL, Mannerheimintie 166, 00300 Helsinki, Finland")
    );
    assert_eq!(visit.content["participants"], json!([jan.id]));
    assert!(visit
        .str("body")
        .unwrap()
        .contains("meet.google.com/abc-defg-hij"));
    let conference = record_of(&ws, &google, "two days");
    assert_eq!(conference.str("starts_at"), Some("2026-05-20T00:00"));
    assert_eq!(conference.str("ends_at"), Some("2026-05-22T00:00"));
    assert!(item(&google, "Weekly partner check-in").messages[0].contains("recurring"));
    assert!(item(&google, "impossible date").messages[0].contains("20261331T100000"));

    let outlook = ical::import(&mut ws, &data("ical/outlook.ics")).unwrap();
    assert_eq!((outlook.created, outlook.skipped), (2, 1), "{outlook:#?}");
    let meeting = record_of(&ws, &outlook, "Consortiumvergadering");
    assert_eq!(meeting.str("timezone"), Some("Europe/Paris"));
    assert_eq!(meeting.str("starts_at"), Some("2026-05-12T09:00"));
    assert_eq!(meeting.content["facilitators"], json!([lieve.id]));
    assert_eq!(meeting.content["participants"], json!([jan.id]));
    assert!(item(&outlook, "customised zone").messages[0].contains("Customized Time Zone"));

    let tb = ical::import(&mut ws, &data("ical/thunderbird.ics")).unwrap();
    assert_eq!((tb.created, tb.skipped), (2, 1), "{tb:#?}");
    let webinar = ws.get("6f1c9f2a-3b7e-4c55-9e1d-2a8b7c6d5e4f").unwrap();
    assert_eq!(webinar.title(), "Webinář: sociální inovace v praxi");
    assert_eq!(
        webinar.str("online_url"),
        Some("https://meet.jit.si/insisst-webinar")
    );
    assert_eq!(webinar.content["tags"], json!(["Webinar", "Partners"]));
    assert!(webinar
        .str("body")
        .unwrap()
        .contains("řízení, měření dopadu; diskuse"));
    let gdansk = ws.get("0b8e4d7c-1a2f-4e3d-8c9b-7a6f5e4d3c2b").unwrap();
    assert_eq!(gdansk.str("timezone"), Some("Europe/Warsaw"));
    assert_eq!(gdansk.str("ends_at"), Some("2026-09-15T16:00"));
    assert!(item(&tb, "event 3").messages[0].contains("no SUMMARY"));

    // Again: every event finds its session.
    let n = all(&ws, Kind::Session).len();
    for f in ["google", "outlook", "thunderbird"] {
        let r = ical::import(&mut ws, &data(&format!("ical/{f}.ics"))).unwrap();
        assert_eq!(r.created, 0, "{r:#?}");
        assert_eq!(r.updated, 0, "{r:#?}");
    }
    assert_eq!(all(&ws, Kind::Session).len(), n);
    assert!(insisst_core::check::run(&ws).unwrap().is_empty());
}

#[test]
fn exported_calendars_validate_with_python_icalendar_and_come_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(&dir.path().join("ws"));
    let aino = contact(
        &mut ws,
        json!({"title": "Aino Mäkelä", "email": "aino@thl.fi"}),
    );
    let jan = contact(
        &mut ws,
        json!({"title": "Jan Novák, Jr.", "email": "jan@mpsv.cz"}),
    );
    let nomail = contact(&mut ws, json!({"title": "No Mail"}));
    let helsinki = ws
        .create(
            Kind::Session,
            obj(json!({
                "title": "Peer exchange; evaluation, reflexive",
                "session_kind": "peer_exchange", "status": "confirmed",
                "starts_at": "2026-03-28T09:00", "ends_at": "2026-03-29T15:30",
                "timezone": "Europe/Helsinki", "venue": "THL, Helsinki",
                "online_url": "https://meet.example.org/x?a=1&b=2",
                "facilitators": [aino.id], "participants": [jan.id, nomail.id],
                "objectives": "Learn from each other.",
                "tags": ["peer", "evaluation"],
                "agenda": [
                    {"title": "Welcome", "minutes": 30, "who": "Aino"},
                    {"title": "Cases", "minutes": 120},
                    {"title": "Day two: synthesis", "minutes": 90, "day_break": true}
                ]
            })),
        )
        .unwrap();
    let tokyo = ws
        .create(
            Kind::Session,
            obj(
                json!({"title": "Webinar from Tokyo", "starts_at": "2026-11-02T18:00",
                       "timezone": "Asia/Tokyo"}),
            ),
        )
        .unwrap();
    let floating = ws
        .create(
            Kind::Session,
            obj(json!({"title": "No zone", "starts_at": "2026-07-01T10:00"})),
        )
        .unwrap();
    ws.create(Kind::Session, obj(json!({"title": "No start yet"})))
        .unwrap();

    let ics = dir.path().join("sessions.ics");
    let r = ical::export(&ws, &ics, &ical::Selection::All).unwrap();
    assert_eq!(r.written, 3);
    assert!(r.messages[0].contains("No start yet"), "{r:?}");
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{line}");
        assert!(!line.contains('\n'));
    }
    // Helsinki changes to summer time on 2026-03-29 at 03:00: the zone covers it.
    assert!(
        text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20260329T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300"
        ),
        "{text}"
    );

    let parsed = run_python(
        "icalendar",
        r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
zones = {}
for tz in cal.walk("VTIMEZONE"):
    zones[str(tz["TZID"])] = tz.to_tz()
out = []
for e in cal.walk("VEVENT"):
    def utc(prop):
        if prop not in e:
            return None
        p = e[prop]
        dt = p.dt
        tzid = p.params.get("TZID")
        if tzid:
            # Placed by the file's own VTIMEZONE, not by a zone database.
            dt = zones[tzid].localize(dt.replace(tzinfo=None))
            return dt.astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M")
        return "floating " + dt.strftime("%Y-%m-%dT%H:%M")
    attendees = e.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    out.append({
        "uid": str(e["UID"]),
        "summary": str(e["SUMMARY"]),
        "start": utc("DTSTART"),
        "end": utc("DTEND"),
        "description": str(e.get("DESCRIPTION", "")),
        "url": str(e.get("URL", "")),
        "organizer": str(e.get("ORGANIZER", "")),
        "attendees": [str(a) for a in attendees],
        "cn": [str(a.params.get("CN")) for a in attendees],
    })
print(json.dumps(out))
"#,
        &ics,
    );
    let events = parsed.as_array().unwrap();
    assert_eq!(events.len(), 3);
    let by_uid = |id: &str| {
        events
            .iter()
            .find(|e| e["uid"] == format!("{id}@{}", ical::UID_DOMAIN))
            .unwrap()
    };
    let h = by_uid(&helsinki.id);
    assert_eq!(h["summary"], "Peer exchange; evaluation, reflexive");
    // 09:00 EET (+02) on the 28th; 15:30 EEST (+03) on the 29th, after the change.
    assert_eq!(h["start"], "2026-03-28T07:00");
    assert_eq!(h["end"], "2026-03-29T12:30");
    assert_eq!(h["url"], "https://meet.example.org/x?a=1&b=2");
    assert_eq!(h["organizer"], "mailto:aino@thl.fi");
    assert_eq!(h["attendees"], json!(["mailto:jan@mpsv.cz"]));
    assert_eq!(h["cn"], json!(["Jan Novák, Jr."]));
    let d = h["description"].as_str().unwrap();
    assert!(d.contains("09:00–09:30 Welcome (Aino)"), "{d}");
    assert!(d.contains("day 2 09:00–10:30 Day two: synthesis"), "{d}");
    assert_eq!(by_uid(&tokyo.id)["start"], "2026-11-02T09:00");
    assert_eq!(by_uid(&floating.id)["start"], "floating 2026-07-01T10:00");

    // Re-imported where it came from, the sessions are found by their UIDs: nothing changes
    // but the fields a calendar carries.
    let r = ical::import(&mut ws, &ics).unwrap();
    assert_eq!(r.created, 0, "{r:#?}");
    assert_eq!(all(&ws, Kind::Session).len(), 4);
    let back = ws.get(&helsinki.id).unwrap();
    assert_eq!(back.str("starts_at"), Some("2026-03-28T09:00"));
    assert_eq!(back.str("status"), Some("confirmed"));
    assert_eq!(back.content["agenda"], helsinki.content["agenda"]);

    // One session, and the upcoming ones (the workspace clock is at 2026-03-02).
    let one = dir.path().join("one.ics");
    assert_eq!(
        ical::export(&ws, &one, &ical::Selection::Session(tokyo.id.clone()))
            .unwrap()
            .written,
        1
    );
    let soon = ical::export(&ws, &one, &ical::Selection::Upcoming).unwrap();
    assert_eq!(
        soon.written, 1,
        "only the Helsinki session is within 90 days"
    );
}

#[test]
fn hostile_calendars_are_reported_event_by_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let f = dir.path().join("h.ics");
    std::fs::write(
        &f,
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:No start\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Ends before it starts\r\nDTSTART:20260301T100000Z\r\nDTEND:20260301T090000Z\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Year 9999\r\nDTSTART:99990101T100000\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:Mars time\r\nDTSTART;TZID=Mars/Olympus:20260301T100000\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:e\r\nSUMMARY:Fine\r\nDTSTART:20260301T100000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n\
         END:VCALENDAR\r\n",
    )
    .unwrap();
    let r = ical::import(&mut ws, &f).unwrap();
    assert_eq!((r.created, r.skipped), (2, 3), "{r:#?}");
    assert!(item(&r, "No start").messages[0].contains("no DTSTART"));
    let late = record_of(&ws, &r, "Ends before");
    assert_eq!(late.str("ends_at"), None);
    assert!(item(&r, "Ends before").messages[0].contains("before starts_at"));
    assert!(item(&r, "Year 9999").messages[0].contains("out of range"));
    assert!(item(&r, "Mars time").messages[0].contains("Mars/Olympus"));
    assert_eq!(
        record_of(&ws, &r, "Fine").str("ends_at"),
        Some("2026-03-01T11:00")
    );

    let before = dump(dir.path());
    std::fs::write(&f, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").unwrap();
    assert!(ical::import(&mut ws, &f).is_err());
    assert_eq!(dump(dir.path()), before);
}

#[test]
fn oversized_files_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(&dir.path().join("ws"));
    let before = dump(ws.root());
    // Sparse files: the size is what counts, nothing is read.
    for name in ["big.vcf", "big.ics"] {
        let f = dir.path().join(name);
        std::fs::File::create(&f)
            .unwrap()
            .set_len(interop::MAX_FILE_BYTES + 1)
            .unwrap();
        let err = if name.ends_with("vcf") {
            vcard::import(&mut ws, &f).unwrap_err()
        } else {
            ical::import(&mut ws, &f).unwrap_err()
        };
        assert!(err.to_string().contains("at most"), "{err}");
    }
    let vault = dir.path().join("vault");
    std::fs::create_dir_all(&vault).unwrap();
    std::fs::write(vault.join("ok.md"), "fine\n").unwrap();
    std::fs::File::create(vault.join("huge.md"))
        .unwrap()
        .set_len(mdfolder::MAX_NOTE_FILE_BYTES + 1)
        .unwrap();
    assert_eq!(dump(ws.root()), before);
    let r = mdfolder::import(&mut ws, &vault).unwrap();
    assert_eq!((r.created, r.skipped), (1, 1), "{r:#?}");
    assert!(item(&r, "huge.md").messages[0].contains("at most"));
}

// ---- Markdown folders ----------------------------------------------------------------------

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn notes_by_path(ws: &Workspace) -> std::collections::BTreeMap<String, Record> {
    all(ws, Kind::Note)
        .into_iter()
        .map(|n| (n.str("source_path").unwrap_or_default().to_string(), n))
        .collect()
}

#[test]
fn an_obsidian_vault_imports_with_links_embeds_and_folders_and_nothing_outside() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    copy_dir(&data("vault"), &vault);
    let secret = dir.path().join("secret.md");
    std::fs::write(&secret, "outside the vault").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, vault.join("Linked secret.md")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), vault.join("Up")).unwrap();

    let mut ws = new_ws(&dir.path().join("ws"));
    let r = mdfolder::import(&mut ws, &vault).unwrap();
    assert_eq!((r.created, r.skipped), (4, 1), "{r:#?}");
    assert!(item(&r, "Latin1 note.md").messages[0].contains("not valid UTF-8"));
    #[cfg(unix)]
    {
        let problems = r.problems.join("\n");
        assert!(
            problems.contains("Linked secret.md: a symbolic link that leaves the folder"),
            "{problems}"
        );
        assert!(
            problems.contains("Up: a symbolic link that leaves the folder"),
            "{problems}"
        );
    }
    let notes = notes_by_path(&ws);
    assert_eq!(
        notes.keys().collect::<Vec<_>>(),
        [
            "Daily/2026-03-02.md",
            "Projects/Alpha/Kickoff.md",
            "Projects/Beta/Kickoff.md",
            "Welcome.md"
        ]
    );
    assert!(all(&ws, Kind::Note)
        .iter()
        .all(|n| n.str("body") != Some("outside the vault")));

    let alpha = &notes["Projects/Alpha/Kickoff.md"];
    assert_eq!(alpha.title(), "Alpha kickoff meeting");
    assert_eq!(
        alpha.content["tags"],
        json!(["project/alpha", "meeting", "Projects", "Alpha"])
    );
    let body = alpha.str("body").unwrap();
    assert!(body.starts_with("```front-matter\ndate: 2026-03-05\nattendees:\n  - \"[[Aino Mäkelä]]\"\n  - Jan Novák\nstatus: done\n```\n\n## Agenda"), "{body}");
    assert!(body.contains("![[photo.png|300]]"));
    assert!(body.contains("[[not a link, inside code]] and ![[not-an-embed.png]]"));
    let beta = &notes["Projects/Beta/Kickoff.md"];
    assert_eq!(beta.title(), "Kickoff");
    assert_ne!(beta.id, alpha.id);

    let welcome = &notes["Welcome.md"];
    let body = welcome.str("body").unwrap();
    for want in [
        "aliases:\n  - Start here\n  - Home\ncreated: 2026-03-02T09:14\n",
        "[[Alpha kickoff meeting|Projects/Alpha/Kickoff]]",
        "[[Alpha kickoff meeting|the Alpha kickoff]]",
        "by path: [[Kickoff]]",
        "[[Alpha kickoff meeting#Decisions|Projects/Alpha/Kickoff#Decisions]]",
        "only one file has it: [[2026-03-02]]",
        "[[2026-03-02|daily note]]",
        "[[Evaluation framework]]",
        "![[diagram.png]]",
        "![the diagram](diagram.png)",
        "[passwords](../../../etc/passwd)",
        "[Obsidian help](https://help.obsidian.md/",
    ] {
        assert!(body.contains(want), "{want} not in {body}");
    }
    assert!(item(&r, "Welcome.md")
        .messages
        .iter()
        .any(|m| m.contains("../../../etc/passwd") && m.contains("outside the folder")));

    // The embeds are attachments, stored once, and the rendered note shows them.
    let diagram = ws
        .resolve_attachment("diagram.png", Some(welcome))
        .unwrap()
        .unwrap();
    assert_eq!(welcome.content["attachments"], json!([diagram]));
    let html = ws.render_body(welcome).unwrap().unwrap();
    assert!(
        html.contains(&format!("insisst-attachment://localhost/{diagram}")),
        "{html}"
    );
    assert!(html.contains("href=\"#/record/"));
    assert!(insisst_core::check::run(&ws).unwrap().is_empty());

    // Re-import: the same notes, unchanged.
    let before = dump(ws.root());
    let again = mdfolder::import(&mut ws, &vault).unwrap();
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, 4),
        "{again:#?}"
    );
    assert_eq!(dump(ws.root()), before);

    // A changed file updates its note.
    let p = vault.join("Projects/Beta/Kickoff.md");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replace("different note", "separate note")).unwrap();
    let changed = mdfolder::import(&mut ws, &vault).unwrap();
    assert_eq!((changed.created, changed.updated), (0, 1));

    // Not a folder, or no Markdown in it: an error, nothing written.
    let before = dump(ws.root());
    assert!(mdfolder::import(&mut ws, &dir.path().join("nope")).is_err());
    assert!(mdfolder::import(&mut ws, &vault.join("Attachments")).is_err());
    assert_eq!(dump(ws.root()), before);
}

/// The files of a folder, by relative path, with their bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn a_markdown_folder_round_trip_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = new_ws(&dir.path().join("a"));
    mdfolder::import(&mut a, &data("vault")).unwrap();
    // A note made here, with no path of its own yet, and an attachment.
    let made = a
        .create(
            Kind::Note,
            obj(
                json!({"title": "Made here: a/b?", "body": "Links to [[Welcome]].\n",
                       "tags": ["local"], "note_kind": "reflection", "language": "en"}),
            ),
        )
        .unwrap();
    let png = dir.path().join("chart.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\na chart of its own").unwrap();
    a.attach(&made.id, &png).unwrap();

    let out1 = dir.path().join("out1");
    let r = mdfolder::export(&a, &out1, &Default::default()).unwrap();
    assert_eq!((r.written, r.files), (5, 3), "{r:?}");
    let files = tree(&out1);
    assert!(
        files.contains_key("Made here- a-b-.md"),
        "{:?}",
        files.keys()
    );
    assert!(files.contains_key("chart.png") && files.contains_key("Projects/Alpha/photo.png"));
    let welcome = String::from_utf8(files["Welcome.md"].clone()).unwrap();
    assert!(
        welcome.starts_with("---\ntitle: \"Welcome\"\ninsisst_id: "),
        "{welcome}"
    );
    assert!(welcome.contains("aliases:\n  - Start here\n  - Home\ncreated: 2026-03-02T09:14\ncssclasses:\n  - wide-page\nrating: 4\n---\n# Welcome"), "{welcome}");

    // Into a new workspace and out again: the same files, the same notes.
    let mut b = Workspace::init(&dir.path().join("b"), &owner(), options(11)).unwrap();
    let r = mdfolder::import(&mut b, &out1).unwrap();
    assert_eq!((r.created, r.skipped), (5, 0), "{r:#?}");
    for note in all(&a, Kind::Note) {
        let copy = b.get(&note.id).unwrap();
        let (mut want, mut got) = (fields(&note), fields(&copy));
        // Links name attachment records, which each workspace makes with its own ids.
        want.remove("links");
        got.remove("links");
        if note.id == made.id {
            want.insert("source_path".into(), json!("Made here- a-b-.md"));
        }
        assert_eq!(got, want, "{}", note.title());
    }
    let out2 = dir.path().join("out2");
    mdfolder::export(&b, &out2, &Default::default()).unwrap();
    assert_eq!(tree(&out2), files);

    // And back where it came from: found by id, nothing duplicated.
    let r = mdfolder::import(&mut a, &out1).unwrap();
    assert_eq!(r.created, 0, "{r:#?}");
    assert_eq!(all(&a, Kind::Note).len(), 5);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn any_note_survives_a_markdown_round_trip(
        notes in proptest::collection::vec((
            "[A-Za-zÅØčřłń0-9][A-Za-zÅØčřłń0-9 ,;.'!()-]{0,40}",
            "([A-Za-zčř0-9 ,.;:*_#>|`~\\[\\]()!-]{0,60}\n){0,6}",
            proptest::collection::vec("[a-z0-9čř_/-]{1,12}", 0..3),
        ), 1..5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut a = new_ws(&dir.path().join("a"));
        let mut made = Vec::new();
        for (title, body, tags) in &notes {
            let r = a.create(Kind::Note, obj(json!({"title": title, "body": body, "tags": tags})));
            if let Ok(r) = r {
                made.push(r);
            }
        }
        let out = dir.path().join("out");
        mdfolder::export(&a, &out, &Default::default()).unwrap();
        let mut b = Workspace::init(&dir.path().join("b"), &owner(), options(5)).unwrap();
        mdfolder::import(&mut b, &out).unwrap();
        for note in &made {
            let copy = b.get(&note.id).unwrap();
            let mut got = fields(&copy);
            got.remove("source_path");
            prop_assert_eq!(got, fields(note));
        }
    }
}

// ---- Reports -------------------------------------------------------------------------------

/// A workspace with a session of every part a report shows: a two-day agenda with a method,
/// participants in several sectors (one who may not be shared), a note with a heading and a
/// script, an evaluation, and a question whose status moved twice.
fn report_workspace(dir: &Path) -> (Workspace, Record) {
    let mut ws = new_ws(dir);
    let thl = ws.find_org("THL").unwrap().unwrap();
    let method = ws
        .create(
            Kind::Method,
            obj(json!({"title": "World café", "minutes": 60})),
        )
        .unwrap();
    let aino = contact(
        &mut ws,
        json!({"title": "Aino Mäkelä", "sector": "government", "org_id": thl.id, "role": "Researcher",
               "consent": {"basis": "consent", "share_with_partners": true}}),
    );
    let pia = contact(
        &mut ws,
        json!({"title": "Pia <b>Bold</b> | Pipe", "sector": "academia"}),
    );
    let anon = contact(&mut ws, json!({"title": "Ola Nordmann"}));
    let s = ws
        .create(
            Kind::Session,
            obj(json!({
                "title": "Study visit: Łódź & Århus",
                "session_kind": "study_visit", "status": "held",
                "starts_at": "2026-03-28T09:00", "ends_at": "2026-03-29T12:00",
                "timezone": "Europe/Warsaw", "venue": "Stocznia", "host_org": thl.id,
                "facilitators": [aino.id], "participants": [aino.id, pia.id, anon.id],
                "headcount": {"government": 4, "citizens": 2},
                "objectives": "See **how** it works.",
                "agenda": [
                    {"title": "Welcome", "minutes": 30, "who": "Aino"},
                    {"title": "Café", "minutes": 60, "method_id": method.id},
                    {"title": "Synthesis", "minutes": 90, "day_break": true}
                ],
                "outcomes": "# Outcome\nA plan.",
            })),
        )
        .unwrap();
    ws.create(
        Kind::Note,
        obj(json!({"title": "Notes of day one", "session_id": s.id,
                   "body": "# Heard\n\nSee [[World café]].\n\n<script>alert(1)</script>\n"})),
    )
    .unwrap();
    ws.create(
        Kind::Evaluation,
        obj(
            json!({"title": "Reaction survey", "session_id": s.id, "level": "reaction",
                   "recorded_at": "2026-03-29", "ratings": {"content": 4, "venue": 5},
                   "comments": "Good."}),
        ),
    )
    .unwrap();
    let q = ws
        .create(
            Kind::Question,
            obj(
                json!({"title": "How do we measure reach?", "status": "open", "priority": "high",
                       "theme": "monitoring", "owner_org": thl.id}),
            ),
        )
        .unwrap();
    let mut c = q.content.clone();
    c.insert("status".into(), json!("provisional"));
    c.insert("provisional_answer".into(), json!("Count per sector."));
    let q = ws.update(&q.id, c, None).unwrap();
    let mut c = q.content.clone();
    c.insert("status".into(), json!("resolved"));
    ws.update(&q.id, c, None).unwrap();
    ws.create(
        Kind::Question,
        obj(json!({"title": "Which methods travel?", "status": "open"})),
    )
    .unwrap();
    (ws, s)
}

fn check_snapshot(name: &str, now: &str) {
    let path = data(&format!("reports/{name}"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, now).unwrap();
        return;
    }
    let was = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        was == now,
        "{name} differs from its snapshot (rerun with UPDATE_SNAPSHOTS=1 to accept, and read the diff):\n--- expected\n{was}\n--- rendered\n{now}"
    );
}

#[test]
fn session_and_agenda_reports_match_their_snapshots_and_are_sanitised() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, s) = report_workspace(dir.path());
    let md = report::session(&ws, &s.id, report::Format::Md).unwrap();
    for want in [
        "| 1 | 09:00–09:30 | Welcome | 30 | Aino |  |",
        "| 1 | 09:30–10:30 | Café | 60 |  | World café |",
        "| 2 | 09:00–10:30 | Synthesis | 90 |  |  |",
        "### Government (head count 4)\n\n- Aino Mäkelä, Researcher, THL",
        "### Academia\n\n- Pia \\<b\\>Bold\\</b\\> \\| Pipe",
        "### Citizens (head count 2)",
        "### Sector not recorded\n\n- Ola Nordmann",
        "*2 of these participants have not consented",
        "### Notes of day one\n\n### Heard",
        "| content | 4 |",
        "## Outcomes\n\n### Outcome",
    ] {
        assert!(md.contains(want), "{want:?} not in\n{md}");
    }
    let html = report::session(&ws, &s.id, report::Format::Html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("@media print"));
    assert!(
        !html.contains("<script>alert") && !html.contains("<b>Bold"),
        "{html}"
    );
    assert!(html.contains("<table>"));
    assert!(
        html.contains("href=\"#/record/"),
        "the wiki link to the method resolves"
    );

    let agenda = report::agenda(&ws, report::Format::Md).unwrap();
    assert!(agenda.contains("## Open (1)") && agenda.contains("## Resolved (1)"));
    assert!(
        agenda.contains("status open → provisional; provisional answer: Count per sector."),
        "{agenda}"
    );
    assert!(agenda.contains("status provisional → resolved"), "{agenda}");
    let agenda_html = report::agenda(&ws, report::Format::Html).unwrap();

    check_snapshot("session.md", &md);
    check_snapshot("session.html", &html);
    check_snapshot("agenda.md", &agenda);
    check_snapshot("agenda.html", &agenda_html);

    assert!(report::session(
        &ws,
        &ws.find_org("THL").unwrap().unwrap().id,
        report::Format::Md
    )
    .is_err());
}

#[test]
fn question_history_lists_each_change_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = report_workspace(dir.path());
    let q = ws
        .find_by_title("How do we measure reach?")
        .unwrap()
        .remove(0);
    let h = report::question_history(&ws, &q).unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[0].changes, ["created (open, high)"]);
    assert_eq!(
        h[1].changes,
        [
            "status open → provisional",
            "provisional answer: Count per sector."
        ]
    );
    assert_eq!(h[2].changes, ["status provisional → resolved"]);
    assert!(h[0].who.starts_with("Aino Mäkelä"));
}

#[test]
fn calendar_exports_count_or_leave_out_attendees_who_may_not_be_shared() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(dir.path());
    let shared = contact(
        &mut ws,
        json!({"title": "Sam Shared", "email": "sam@example.org",
               "consent": {"basis": "consent", "share_with_partners": true}}),
    );
    let private = contact(
        &mut ws,
        json!({"title": "Petra Private", "email": "petra@example.org",
               "consent": {"basis": "consent"}}),
    );
    let host = contact(
        &mut ws,
        json!({"title": "Hana Host", "email": "hana@example.org"}),
    );
    // Petra is in two sessions: one person, counted once.
    for title in ["Peer visit", "Follow-up call"] {
        ws.create(
            Kind::Session,
            obj(json!({"title": title, "starts_at": "2026-06-01T09:00",
                       "timezone": "Europe/Prague", "facilitators": [host.id],
                       "participants": [shared.id, private.id]})),
        )
        .unwrap();
    }
    let ics = dir.path().join("all.ics");
    let r = ical::export(&ws, &ics, &ical::Selection::All).unwrap();
    assert_eq!(
        (
            r.written,
            r.not_shareable_included,
            r.not_shareable_left_out
        ),
        (2, 2, 0)
    );
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.contains("petra@example.org") && text.contains("ORGANIZER;CN=Hana Host"));

    let only = ical::export_with(
        &ws,
        &ics,
        &ical::Selection::All,
        &ical::ExportOptions {
            shareable_only: true,
        },
    )
    .unwrap();
    assert_eq!(
        (
            only.written,
            only.not_shareable_included,
            only.not_shareable_left_out
        ),
        (2, 0, 2)
    );
    let text = std::fs::read_to_string(&ics).unwrap();
    for gone in ["Petra", "petra@example.org", "Hana", "hana@example.org"] {
        assert!(!text.contains(gone), "{gone} is in the file:\n{text}");
    }
    assert_eq!(text.matches("ATTENDEE;CN=Sam Shared").count(), 2, "{text}");
    assert!(!text.contains("ORGANIZER"), "{text}");
}

#[test]
fn a_markdown_export_never_writes_an_attachment_over_a_note_or_a_note_over_an_attachment() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(&dir.path().join("w"));
    // Ids decide the order of writing: make both orders happen by two pairs.
    let mut shas = vec![];
    for (i, title) in ["Report", "Minutes", "Plan", "Summary"].iter().enumerate() {
        let note = ws
            .create(
                Kind::Note,
                obj(json!({"title": title, "body": format!("The {title}.")})),
            )
            .unwrap();
        // An attachment named like this note's own file, and one named like the next note's.
        let own = dir
            .path()
            .join(format!("{i}-own"))
            .join(format!("{title}.md"));
        std::fs::create_dir_all(own.parent().unwrap()).unwrap();
        std::fs::write(&own, format!("attachment named like note {title}")).unwrap();
        let att = ws.attach(&note.id, &own).unwrap();
        shas.push(att.str("sha256").unwrap().to_string());
        let next = ["Minutes", "Plan", "Summary", "Report"][i];
        let other = dir
            .path()
            .join(format!("{i}-other"))
            .join(format!("{next}.md"));
        std::fs::create_dir_all(other.parent().unwrap()).unwrap();
        std::fs::write(
            &other,
            format!("attachment named like note {next}, of {title}"),
        )
        .unwrap();
        let att = ws.attach(&note.id, &other).unwrap();
        shas.push(att.str("sha256").unwrap().to_string());
    }
    let out = dir.path().join("out");
    let r = mdfolder::export(&ws, &out, &Default::default()).unwrap();
    assert_eq!((r.written, r.files), (4, 8), "{r:?}");
    let files = tree(&out);
    for title in ["Report", "Minutes", "Plan", "Summary"] {
        let text = String::from_utf8(files[&format!("{title}.md")].clone()).unwrap();
        assert!(
            text.contains(&format!("The {title}.")),
            "{title}.md: {text}"
        );
    }
    // Every attachment is there, under its sha256 where its name was taken.
    for sha in &shas {
        assert!(files.contains_key(sha), "{sha} missing: {:?}", files.keys());
    }
    assert_eq!(files.len(), 12, "{:?}", files.keys());
}

#[test]
fn a_vcard_of_a_forgotten_contact_says_they_were_forgotten_not_restore() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = new_ws(&dir.path().join("w"));
    let deleted = contact(
        &mut ws,
        json!({"title": "Dana Deleted", "email": "dana@example.org"}),
    );
    let forgotten = contact(
        &mut ws,
        json!({"title": "Fiona Forgotten", "email": "fiona@example.org"}),
    );
    let vcf = dir.path().join("both.vcf");
    vcard::export(&ws, &vcf, &Default::default()).unwrap();
    ws.delete(&deleted.id).unwrap();
    ws.forget(&forgotten.id).unwrap();
    let r = vcard::import(&mut ws, &vcf).unwrap();
    let dana = item(&r, "Dana Deleted");
    assert_eq!(dana.outcome, Outcome::Skipped);
    assert!(dana.messages.join(" ").contains("restore it"), "{dana:?}");
    let fiona = item(&r, "Fiona Forgotten");
    assert_eq!(fiona.outcome, Outcome::Skipped);
    let msg = fiona.messages.join(" ");
    assert!(
        msg.contains("forgotten") && !msg.contains("restore"),
        "{msg}"
    );
    assert!(ws.find_by_title("Fiona Forgotten").unwrap().is_empty());
}
