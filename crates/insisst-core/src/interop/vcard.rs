//! vCard contacts in and out: reads 4.0 (RFC 6350), 3.0 (RFC 2426) and 2.1 as phones and mail
//! clients write them (quoted-printable, charsets, bare type parameters); writes 4.0.
//!
//! Identity on re-import: a card's `UID` gives the record id ([`super::id_for_uid`]: a UUID
//! as it is, anything else hashed), so a card exported by any Insisst workspace, or an Apple
//! card, finds its contact again; without a match by id, a live contact with the same e-mail
//! is updated; a card with neither (phones write name and number only) gets an id made from
//! its name and phone. The Insisst fields vCard has no property for travel as `X-INSISST-*`
//! (sector, expertise, consent, last contacted, language) and are read back; the
//! organisation travels by name (`ORG`), found on import or made. A contact's `links` (ids of
//! other records) have no place in a vCard and stay out; a card keeps its first (preferred)
//! e-mail and phone only. Photos are skipped (and reported); properties with no field here
//! are named in the card's report.

use super::contentline::{self, Component, Property};
use super::{ExportReport, ImportReport, ItemReport, Outcome};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::store::{Record, Workspace, Writer};
use serde_json::{json, Map, Value};
use std::path::Path;

const UID_NAMESPACE: &str = "vcard";

/// Properties read into fields, or that carry nothing to keep: not reported as left out.
const READ: &[&str] = &[
    "VERSION",
    "PRODID",
    "REV",
    "UID",
    "FN",
    "N",
    "NICKNAME",
    "ORG",
    "TITLE",
    "ROLE",
    "EMAIL",
    "TEL",
    "ADR",
    "LANG",
    "CATEGORIES",
    "NOTE",
    "PHOTO",
    "KIND",
    "SOURCE",
    "X-INSISST-SECTOR",
    "X-INSISST-EXPERTISE",
    "X-INSISST-CONSENT-BASIS",
    "X-INSISST-CONSENT-RECORDED-AT",
    "X-INSISST-CONSENT-SHARE",
    "X-INSISST-CONSENT-NOTE",
    "X-INSISST-LAST-CONTACTED",
    "X-INSISST-LANGUAGE",
];

/// Imports every card of the `.vcf` file at `path` as a contact. Fails only when the file
/// cannot be read or holds no card at all.
pub fn import(ws: &mut Workspace, path: &Path) -> Result<ImportReport> {
    let bytes = super::read_capped(path, super::MAX_FILE_BYTES)?;
    let parsed = contentline::parse(&bytes);
    let cards: Vec<Component> = parsed
        .components
        .into_iter()
        .filter(|c| c.name == "VCARD")
        .collect();
    if cards.is_empty() {
        let why = parsed.problems.first().cloned().unwrap_or_default();
        return Err(Error::Invalid(format!(
            "{}: no vCard in it (no BEGIN:VCARD … END:VCARD){}",
            path.display(),
            if why.is_empty() {
                String::new()
            } else {
                format!("; {why}")
            }
        )));
    }
    let mut report = ImportReport::new(path);
    report.problems = parsed.problems;
    ws.write(|w| {
        for (i, card) in cards.iter().enumerate() {
            let item = import_card(w, i + 1, card);
            report.push(item);
        }
        Ok(())
    })?;
    Ok(report)
}

fn import_card(w: &mut Writer<'_>, n: usize, card: &Component) -> ItemReport {
    let mut messages: Vec<String> = card.problems.clone();
    let mut label = format!("card {n} (line {})", card.line);
    let (content, uid) = match card_content(card, &mut messages) {
        Ok(c) => c,
        Err(why) => {
            messages.push(why);
            return ItemReport {
                item: label,
                outcome: Outcome::Skipped,
                record_id: None,
                messages,
            };
        }
    };
    let title = content
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    label.push_str(&format!(" \"{title}\""));
    let result = super::in_savepoint(w, |w| {
        let mut content = content;
        // Organisations are found by name, or made: a contact's organisation is a record.
        if let Some(org) = content
            .remove("org_name")
            .and_then(|v| v.as_str().map(String::from))
        {
            let org_id = match w.find_org(&org)? {
                Some(o) => o.id,
                None => {
                    let org_content = json!({ "title": org });
                    let made = w.create(Kind::Org, obj(org_content))?;
                    messages.push(format!("organisation \"{org}\" created"));
                    made.id
                }
            };
            content.insert("org_id".into(), Value::String(org_id));
        }
        let content = super::validate_lenient(Kind::Contact, content, &label, &mut messages)?;
        let (existing, new_id) = find_existing(w, uid.as_deref(), &content, &mut messages)?;
        super::upsert(w, Kind::Contact, existing, new_id.as_deref(), content)
    });
    match result {
        Ok((outcome, record)) => ItemReport {
            item: label,
            outcome,
            record_id: Some(record.id),
            messages,
        },
        Err(e) => {
            messages.push(e.to_string());
            ItemReport {
                item: label,
                outcome: Outcome::Skipped,
                record_id: None,
                messages,
            }
        }
    }
}

/// The contact a card updates: by UID (its id), then by e-mail. `None` with the id a new
/// contact gets (from the UID; `None` again without one).
fn find_existing(
    w: &Writer<'_>,
    uid: Option<&str>,
    content: &Map<String, Value>,
    messages: &mut Vec<String>,
) -> Result<(Option<Record>, Option<String>)> {
    let mut new_id = None;
    if let Some(uid) = uid {
        let id = super::id_for_uid(UID_NAMESPACE, uid);
        // Checked first: a forgotten person cannot be restored, nor created again.
        if w.is_erased(&id)? {
            return Err(Error::Invalid(format!(
                "this person ({id}) was forgotten here on request; their card is not imported"
            )));
        }
        match w.get_any(&id) {
            Ok(r) if r.kind == Kind::Contact && !r.deleted => return Ok((Some(r), None)),
            Ok(r) if r.kind == Kind::Contact => {
                return Err(Error::Invalid(format!(
                    "its contact ({}) was deleted here; restore it to import the card again",
                    r.id
                )))
            }
            Ok(r) => messages.push(format!(
                "its UID names a {} here, not a contact; matched by e-mail instead",
                r.kind
            )),
            Err(Error::NotFound(_)) => new_id = Some(id),
            Err(e) => return Err(e),
        }
    }
    let email = content.get("email").and_then(Value::as_str);
    if let Some(email) = email {
        if let Some(r) = super::find_by_field(w, Kind::Contact, "email", email)? {
            return Ok((Some(r), None));
        }
    }
    if uid.is_none() && email.is_none() {
        // Phones write cards with a name and a number only: their identity is those two,
        // so that importing the same file again finds them.
        let title = content.get("title").and_then(Value::as_str).unwrap_or("");
        let phone = content.get("phone").and_then(Value::as_str).unwrap_or("");
        let id = super::id_for_uid("vcard-name-phone", &format!("{title}\u{0}{phone}"));
        messages.push("no UID and no e-mail: recognised on re-import by its name and phone".into());
        return match w.get_any(&id) {
            Ok(r) if r.kind == Kind::Contact && !r.deleted => Ok((Some(r), None)),
            Ok(r) => Err(Error::Invalid(format!(
                "the contact this card was imported as ({}) was deleted or is no contact; restore it to import the card again",
                r.id
            ))),
            Err(Error::NotFound(_)) => Ok((None, Some(id))),
            Err(e) => Err(e),
        };
    }
    Ok((None, new_id))
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A card's fields as a contact's content (not yet validated), the organisation's name as
/// `org_name`, and its UID. `Err` when the card cannot become a contact (no name).
fn card_content(
    card: &Component,
    messages: &mut Vec<String>,
) -> Result<(Map<String, Value>, Option<String>), String> {
    let mut m = Map::new();
    let text = |p: &Property, messages: &mut Vec<String>| match p.unescaped() {
        Ok(t) => Some(t.trim().to_string()).filter(|t| !t.is_empty()),
        Err(e) => {
            messages.push(format!("{e}; left out"));
            None
        }
    };
    let first = |name: &str, messages: &mut Vec<String>| -> Option<String> {
        // PREF first, then in file order.
        let mut props: Vec<&Property> = card.all(name).collect();
        props.sort_by_key(|p| !p.has_type("PREF"));
        props.into_iter().find_map(|p| match p.unescaped() {
            Ok(t) => Some(t.trim().to_string()).filter(|t| !t.is_empty()),
            Err(e) => {
                messages.push(format!("{e}; left out"));
                None
            }
        })
    };
    let structured_name = card.prop("N").and_then(|p| match p.components() {
        Ok(parts) => {
            let get = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or_default();
            let name = [get(3), get(1), get(2), get(0), get(4)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            Some(name).filter(|n| !n.is_empty())
        }
        Err(e) => {
            messages.push(format!("{e}; left out"));
            None
        }
    });
    let org = card.prop("ORG").and_then(|p| match p.components() {
        Ok(parts) => parts
            .into_iter()
            .map(|s| s.trim().to_string())
            .find(|s| !s.is_empty()),
        Err(e) => {
            messages.push(format!("{e}; left out"));
            None
        }
    });
    let title = first("FN", messages)
        .or(structured_name)
        .or_else(|| first("NICKNAME", messages))
        .or_else(|| org.clone())
        .ok_or_else(|| {
            "no name (FN, N, NICKNAME or ORG): a contact needs one; skipped".to_string()
        })?;
    m.insert(
        "title".into(),
        Value::String(title.chars().take(500).collect()),
    );
    if let Some(org) = org {
        m.insert("org_name".into(), Value::String(org));
    }
    if let Some(role) = first("TITLE", messages).or_else(|| first("ROLE", messages)) {
        m.insert("role".into(), Value::String(role));
    }
    let emails = card.all("EMAIL").count();
    if let Some(email) = first("EMAIL", messages) {
        m.insert("email".into(), Value::String(email));
        if emails > 1 {
            messages.push(format!(
                "kept the preferred e-mail; {} more left out",
                emails - 1
            ));
        }
    }
    let phones = card.all("TEL").count();
    if let Some(tel) = first("TEL", messages) {
        // vCard 4 writes `tel:` URIs with `;ext=`; the phone field writes extensions ` x`.
        let tel = tel
            .strip_prefix("tel:")
            .unwrap_or(&tel)
            .replace(";ext=", " x");
        m.insert("phone".into(), Value::String(tel));
        if phones > 1 {
            messages.push(format!(
                "kept the preferred phone number; {} more left out",
                phones - 1
            ));
        }
    }
    if let Some(adr) = card.prop("ADR").and_then(|p| p.components().ok()) {
        if let Some(country) = adr.get(6).map(|c| c.trim()).filter(|c| !c.is_empty()) {
            m.insert("country".into(), Value::String(country_code(country)));
        }
        if adr.iter().take(6).any(|c| !c.trim().is_empty()) {
            messages.push("postal address left out (only its country is kept)".into());
        }
    }
    let langs: Vec<Value> = card
        .all("LANG")
        .filter_map(|p| text(p, messages))
        .map(|l| Value::String(l.split(['-', '_']).next().unwrap_or(&l).to_string()))
        .collect();
    if !langs.is_empty() {
        m.insert("languages".into(), Value::Array(langs));
    }
    let tags: Vec<Value> = card
        .all("CATEGORIES")
        .filter_map(|p| p.list().map_err(|e| messages.push(e)).ok())
        .flatten()
        // Some writers escape the commas between categories (Thunderbird's address book
        // extensions): a tag holds no comma, so a comma always separates two.
        .flat_map(|t| {
            t.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .map(Value::String)
        .collect();
    if !tags.is_empty() {
        m.insert("tags".into(), Value::Array(tags));
    }
    // A note is kept as written, its line breaks included (only blank notes are dropped).
    let notes: Vec<String> = card
        .all("NOTE")
        .filter_map(|p| match p.unescaped() {
            Ok(t) if !t.trim().is_empty() => Some(t),
            Ok(_) => None,
            Err(e) => {
                messages.push(format!("{e}; left out"));
                None
            }
        })
        .collect();
    if !notes.is_empty() {
        m.insert("body".into(), Value::String(notes.join("\n\n")));
    }
    if let Some(s) = first("X-INSISST-SECTOR", messages) {
        m.insert("sector".into(), Value::String(s));
    }
    if let Some(p) = card.prop("X-INSISST-EXPERTISE") {
        if let Ok(list) = p.list() {
            m.insert("expertise".into(), json!(list));
        }
    }
    if let Some(d) = first("X-INSISST-LAST-CONTACTED", messages) {
        m.insert("last_contacted".into(), Value::String(d));
    }
    if let Some(l) = first("X-INSISST-LANGUAGE", messages) {
        m.insert("language".into(), Value::String(l));
    }
    let mut consent = Map::new();
    if let Some(b) = first("X-INSISST-CONSENT-BASIS", messages) {
        consent.insert("basis".into(), Value::String(b));
    }
    if let Some(d) = first("X-INSISST-CONSENT-RECORDED-AT", messages) {
        consent.insert("recorded_at".into(), Value::String(d));
    }
    if let Some(s) = first("X-INSISST-CONSENT-SHARE", messages) {
        match crate::schema::parse_bool(&s) {
            Some(b) => {
                consent.insert("share_with_partners".into(), Value::Bool(b));
            }
            None => messages.push(format!(
                "X-INSISST-CONSENT-SHARE `{s}` is not true or false; left out"
            )),
        }
    }
    if let Some(s) = first("X-INSISST-CONSENT-NOTE", messages) {
        consent.insert("note".into(), Value::String(s));
    }
    if !consent.is_empty() {
        m.insert("consent".into(), Value::Object(consent));
    }
    if card.prop("PHOTO").is_some() {
        messages.push("photo skipped".into());
    }
    let mut unread: Vec<&str> = card
        .props
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| !READ.contains(n))
        .collect();
    unread.sort_unstable();
    unread.dedup();
    if !unread.is_empty() {
        messages.push(format!(
            "not kept (no field for them): {}",
            unread.join(", ")
        ));
    }
    let uid = card
        .prop("UID")
        .and_then(|p| p.unescaped().ok())
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    Ok((m, uid))
}

/// An address's country as an ISO 3166 code: a code as it is, else the English (or the
/// country's own) name of the consortium's countries and the ones address books most often
/// hold; anything else as written, for validation to report.
fn country_code(name: &str) -> String {
    let key: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect();
    let code = match key.trim() {
        "belgium" | "belgië" | "belgie" | "belgique" => "BE",
        "ireland" | "éire" | "eire" => "IE",
        "finland" | "suomi" => "FI",
        "czech republic" | "czechia" | "česko" | "česká republika" => "CZ",
        "poland" | "polska" => "PL",
        "denmark" | "danmark" => "DK",
        "netherlands" | "the netherlands" | "nederland" => "NL",
        "germany" | "deutschland" => "DE",
        "france" => "FR",
        "austria" | "österreich" => "AT",
        "sweden" | "sverige" => "SE",
        "norway" | "norge" => "NO",
        "estonia" | "eesti" => "EE",
        "spain" | "españa" => "ES",
        "italy" | "italia" => "IT",
        "portugal" => "PT",
        "united kingdom" | "uk" | "great britain" => "GB",
        "united states" | "united states of america" | "usa" | "us" => "US",
        "canada" => "CA",
        _ => return name.to_string(),
    };
    code.to_string()
}

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Only contacts with this tag.
    pub tag: Option<String>,
    /// Leave out contacts whose consent does not allow sharing with partners.
    pub shareable_only: bool,
}

/// Writes the live contacts (those `options` select) to `path` as vCard 4.0.
pub fn export(ws: &Workspace, path: &Path, options: &ExportOptions) -> Result<ExportReport> {
    let mut report = ExportReport {
        target: path.display().to_string(),
        ..Default::default()
    };
    let contacts = ws.list(&crate::store::ListQuery {
        kind: Some(Kind::Contact),
        tag: options.tag.clone(),
        ..Default::default()
    })?;
    let mut contacts = contacts;
    contacts.sort_by(|a, b| a.title().cmp(b.title()).then_with(|| a.id.cmp(&b.id)));
    let mut out = String::new();
    for c in &contacts {
        if !super::contact_is_shareable(&c.content) {
            if options.shareable_only {
                report.not_shareable_left_out += 1;
                continue;
            }
            report.not_shareable_included += 1;
        }
        let org = match c.str("org_id") {
            Some(id) => ws.get(id).ok().map(|o| o.title().to_string()),
            None => None,
        };
        write_card(&mut out, c, org.as_deref());
        report.written += 1;
    }
    super::write_atomically(path, out.as_bytes())?;
    Ok(report)
}

/// One contact as a vCard 4.0.
pub fn write_card(out: &mut String, c: &Record, org: Option<&str>) {
    use contentline::{escape, write_line, write_text};
    let s = |f: &str| c.str(f).filter(|v| !v.is_empty());
    write_line(out, "BEGIN:VCARD");
    write_line(out, "VERSION:4.0");
    write_line(out, "PRODID:-//Insisst Workspace//EN");
    write_line(out, &format!("UID:urn:uuid:{}", c.id));
    write_text(out, "FN", c.title());
    // N is the name split at its last space: the best a display name tells.
    let title = c.title().trim();
    let (given, family) = title.rsplit_once(' ').unwrap_or(("", title));
    write_line(out, &format!("N:{};{};;;", escape(family), escape(given)));
    if let Some(org) = org {
        write_text(out, "ORG", org);
    }
    if let Some(role) = s("role") {
        write_text(out, "TITLE", role);
    }
    if let Some(email) = s("email") {
        write_text(out, "EMAIL", email);
    }
    if let Some(phone) = s("phone") {
        write_line(out, &format!("TEL;VALUE=text:{}", escape(phone)));
    }
    if let Some(country) = s("country") {
        write_line(out, &format!("ADR:;;;;;;{}", escape(country)));
    }
    for lang in crate::store::string_list(&c.content, "languages") {
        write_text(out, "LANG", &lang);
    }
    let tags = c.tags();
    if !tags.is_empty() {
        let list: Vec<String> = tags.iter().map(|t| escape(t)).collect();
        write_line(out, &format!("CATEGORIES:{}", list.join(",")));
    }
    if let Some(body) = s("body") {
        write_text(out, "NOTE", body);
    }
    if let Some(sector) = s("sector") {
        write_text(out, "X-INSISST-SECTOR", sector);
    }
    let expertise = crate::store::string_list(&c.content, "expertise");
    if !expertise.is_empty() {
        let list: Vec<String> = expertise.iter().map(|t| escape(t)).collect();
        write_line(out, &format!("X-INSISST-EXPERTISE:{}", list.join(",")));
    }
    if let Some(consent) = c.content.get("consent").and_then(Value::as_object) {
        if let Some(b) = consent.get("basis").and_then(Value::as_str) {
            write_text(out, "X-INSISST-CONSENT-BASIS", b);
        }
        if let Some(d) = consent.get("recorded_at").and_then(Value::as_str) {
            write_text(out, "X-INSISST-CONSENT-RECORDED-AT", d);
        }
        if let Some(b) = consent.get("share_with_partners").and_then(Value::as_bool) {
            write_text(
                out,
                "X-INSISST-CONSENT-SHARE",
                if b { "true" } else { "false" },
            );
        }
        if let Some(n) = consent.get("note").and_then(Value::as_str) {
            write_text(out, "X-INSISST-CONSENT-NOTE", n);
        }
    }
    if let Some(d) = s("last_contacted") {
        write_text(out, "X-INSISST-LAST-CONTACTED", d);
    }
    if let Some(l) = s("language") {
        write_text(out, "X-INSISST-LANGUAGE", l);
    }
    if let Some(t) = crate::schema::parse_timestamp(c.updated_at()) {
        write_line(out, &format!("REV:{}", t.format("%Y%m%dT%H%M%SZ")));
    }
    write_line(out, "END:VCARD");
}
