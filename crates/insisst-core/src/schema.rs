//! The record contract of product.md as data: for each kind, its fields and their rules.
//!
//! One table drives validation of every write (CLI, app, from-JSON, later bundles), the
//! parsing of `--set key=value` assignments, and the extraction of typed references between
//! records. A rule that fails names the record and the field.

use crate::error::{Error, Result};
use crate::kind::Kind;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};

pub const QUESTION_STATUS: &[&str] = &["open", "provisional", "resolved", "dropped"];
pub const PRIORITY: &[&str] = &["low", "medium", "high"];
pub const SESSION_KIND: &[&str] = &[
    "workshop",
    "peer_exchange",
    "study_visit",
    "webinar",
    "training",
    "consortium_meeting",
    "conference",
];
pub const SESSION_STATUS: &[&str] = &["idea", "planned", "confirmed", "held", "cancelled"];
pub const EVALUATION_LEVEL: &[&str] = &["reaction", "learning", "behaviour", "results"];
pub const NOTE_KIND: &[&str] = &["workshop_notes", "case_study", "reflection", "other"];
pub const SECTOR: &[&str] = &[
    "government",
    "non_profit",
    "business",
    "citizens",
    "academia",
];
pub const CONSENT_BASIS: &[&str] = &[
    "consent",
    "legitimate_interest",
    "public_information",
    "none",
];

/// The largest markdown body a record may carry (1 MiB): far above any real note, low enough
/// that one record cannot exhaust memory.
pub const MAX_BODY_BYTES: usize = 1 << 20;
const LONG_TEXT: usize = 100_000;

#[derive(Debug, Clone, Copy)]
pub enum FieldType {
    /// One line of text, at most `max` characters.
    Line(usize),
    /// Free text (markdown), at most `max` bytes.
    Text(usize),
    Enum(&'static [&'static str]),
    Bool,
    Int {
        min: i64,
        max: i64,
    },
    /// `YYYY-MM-DD`.
    Date,
    /// Local wall-clock time `YYYY-MM-DDTHH:MM`, seconds optional; its zone is another field.
    LocalDateTime,
    /// An instant: RFC 3339, or a date.
    Timestamp,
    Email,
    Url,
    Phone,
    /// An IANA time zone name.
    Timezone,
    /// ISO 3166-1 alpha-2.
    Country,
    /// ISO 639-1.
    Language,
    Tag,
    /// A record id, optionally of a given kind.
    Id(Option<Kind>),
    Sha256,
    /// A list of values; comma-separated on the command line.
    List(&'static FieldType),
    Object(&'static [Field]),
    ObjectList(&'static [Field]),
    /// Counts keyed by one of a fixed set of names (head count per sector).
    Counts(&'static [&'static str]),
    /// Ratings 1–5 keyed by item name.
    Ratings,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

const fn opt(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const fn req(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

const ID_LIST: FieldType = FieldType::List(&FieldType::Id(None));
const CONTACT_LIST: FieldType = FieldType::List(&FieldType::Id(Some(Kind::Contact)));
const ORG_LIST: FieldType = FieldType::List(&FieldType::Id(Some(Kind::Org)));
const TAG_LIST: FieldType = FieldType::List(&FieldType::Tag);

/// Fields every record has. `id`, `kind`, `created_at`, `updated_at` and `rev` are written by
/// the store, not by the user.
pub const COMMON: &[Field] = &[
    req("title", FieldType::Line(500)),
    opt("body", FieldType::Text(MAX_BODY_BYTES)),
    opt("tags", TAG_LIST),
    opt("links", ID_LIST),
    opt("language", FieldType::Language),
];

/// Fields the store owns; accepted in input (e.g. `--from-json` of a shown record) but
/// replaced on write.
pub const STORE_OWNED: &[&str] = &["id", "kind", "rev", "created_at", "updated_at"];

const REVIEW_ENTRY: &[Field] = &[
    req("question_id", FieldType::Id(Some(Kind::Question))),
    opt("status", FieldType::Enum(QUESTION_STATUS)),
    opt("priority", FieldType::Enum(PRIORITY)),
    opt("provisional_answer", FieldType::Text(LONG_TEXT)),
    opt("owner_org", FieldType::Id(Some(Kind::Org))),
];

const AGENDA_BLOCK: &[Field] = &[
    req("title", FieldType::Line(500)),
    opt("minutes", FieldType::Int { min: 0, max: 1440 }),
    opt("method_id", FieldType::Id(Some(Kind::Method))),
    opt("who", FieldType::Line(500)),
    opt("materials", FieldType::Text(5_000)),
    opt("notes", FieldType::Text(LONG_TEXT)),
    opt("day_break", FieldType::Bool),
];

const CONSENT: &[Field] = &[
    opt("basis", FieldType::Enum(CONSENT_BASIS)),
    opt("recorded_at", FieldType::Date),
    opt("share_with_partners", FieldType::Bool),
    opt("note", FieldType::Text(2_000)),
];

const QUESTION_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        opt("status", Enum(QUESTION_STATUS)),
        opt("theme", Line(200)),
        opt("priority", Enum(PRIORITY)),
        opt("provisional_answer", Text(LONG_TEXT)),
        opt("owner_org", Id(Some(Kind::Org))),
    ]
};

const REVIEW_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        req("session_id", Id(Some(Kind::Session))),
        opt("taken_at", Timestamp),
        opt("remarks", Text(LONG_TEXT)),
        opt("entries", ObjectList(REVIEW_ENTRY)),
    ]
};

const SESSION_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        opt("session_kind", Enum(SESSION_KIND)),
        opt("status", Enum(SESSION_STATUS)),
        opt("starts_at", LocalDateTime),
        opt("ends_at", LocalDateTime),
        opt("timezone", Timezone),
        opt("venue", Line(500)),
        opt("online_url", Url),
        opt("host_org", Id(Some(Kind::Org))),
        opt("facilitators", CONTACT_LIST),
        opt("participants", CONTACT_LIST),
        opt("participant_orgs", ORG_LIST),
        opt("headcount", Counts(SECTOR)),
        opt("objectives", Text(LONG_TEXT)),
        opt("agenda", ObjectList(AGENDA_BLOCK)),
        opt("outcomes", Text(LONG_TEXT)),
        opt("reflection", Text(LONG_TEXT)),
    ]
};

const EVALUATION_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        req("session_id", Id(Some(Kind::Session))),
        opt("level", Enum(EVALUATION_LEVEL)),
        opt("recorded_at", Timestamp),
        opt("ratings", Ratings),
        opt("comments", Text(LONG_TEXT)),
        // When a behaviour follow-up of the session is due (evaluation::due_followups).
        opt("follow_up_due", Date),
    ]
};

const NOTE_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        opt("note_kind", Enum(NOTE_KIND)),
        opt("session_id", Id(Some(Kind::Session))),
        opt("attachments", List(&Sha256)),
        opt("source_path", Line(1_000)),
    ]
};

const METHOD_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        opt("minutes", Int { min: 0, max: 1440 }),
        opt("group_size", Line(100)),
        opt("materials", Text(5_000)),
    ]
};

const CONTACT_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        opt("org_id", Id(Some(Kind::Org))),
        opt("role", Line(200)),
        opt("email", Email),
        opt("phone", Phone),
        opt("country", Country),
        opt("languages", List(&Language)),
        opt("expertise", List(&Line(100))),
        opt("sector", Enum(SECTOR)),
        opt("consent", Object(CONSENT)),
        opt("last_contacted", Date),
    ]
};

const ORG_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        opt("country", Country),
        opt("sector", Enum(SECTOR)),
        opt("website", Url),
        opt("is_partner", Bool),
    ]
};

const ATTACHMENT_FIELDS: &[Field] = {
    use FieldType::*;
    &[
        req("sha256", Sha256),
        opt("filename", Line(255)),
        opt("media_type", Line(255)),
        opt(
            "size",
            Int {
                min: 0,
                max: i64::MAX,
            },
        ),
    ]
};

/// The fields of `kind` besides the common ones.
pub fn kind_fields(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::Question => QUESTION_FIELDS,
        Kind::Review => REVIEW_FIELDS,
        Kind::Session => SESSION_FIELDS,
        Kind::Evaluation => EVALUATION_FIELDS,
        Kind::Note => NOTE_FIELDS,
        Kind::Method => METHOD_FIELDS,
        Kind::Contact => CONTACT_FIELDS,
        Kind::Org => ORG_FIELDS,
        Kind::Attachment => ATTACHMENT_FIELDS,
    }
}

/// Looks a top-level field of `kind` up by name.
pub fn field(kind: Kind, name: &str) -> Option<&'static Field> {
    COMMON
        .iter()
        .chain(kind_fields(kind))
        .find(|f| f.name == name)
}

fn field_names(kind: Kind) -> String {
    COMMON
        .iter()
        .chain(kind_fields(kind))
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Validates the user-writable content of a record of `kind` and returns it normalised
/// (trimmed text, upper-case countries, de-duplicated lists, nulls and empty values dropped).
/// `label` names the record in errors.
pub fn validate(
    kind: Kind,
    content: &Map<String, Value>,
    label: &str,
) -> Result<Map<String, Value>> {
    validate_owned(kind, content.clone(), label)
}

/// As [`validate`], taking the content: long texts (bodies) move instead of being copied.
pub fn validate_owned(
    kind: Kind,
    content: Map<String, Value>,
    label: &str,
) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (name, value) in content {
        if STORE_OWNED.contains(&name.as_str()) {
            continue;
        }
        let Some(spec) = field(kind, &name) else {
            return Err(Error::field(
                label,
                &name,
                format!("not a field of a {kind} (fields: {})", field_names(kind)),
            ));
        };
        if let (FieldType::Text(max), Value::String(text)) = (&spec.ty, &value) {
            check_text(text, *max, label, &name)?;
            if !text.trim().is_empty() {
                out.insert(name, value);
            }
            continue;
        }
        if let Some(v) = check_value(&spec.ty, &value, label, &name)? {
            out.insert(name, v);
        }
    }
    for spec in COMMON.iter().chain(kind_fields(kind)) {
        if spec.required && !out.contains_key(spec.name) {
            return Err(Error::field(label, spec.name, "is required"));
        }
    }
    cross_field_rules(kind, &out, label)?;
    Ok(out)
}

fn check_text(s: &str, max: usize, label: &str, path: &str) -> Result<()> {
    if s.len() > max {
        return Err(Error::field(
            label,
            path,
            format!("is {} bytes long; at most {max} allowed", s.len()),
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::field(label, path, "contains control characters"));
    }
    Ok(())
}

fn cross_field_rules(kind: Kind, content: &Map<String, Value>, label: &str) -> Result<()> {
    if kind == Kind::Session {
        if let (Some(Value::String(s)), Some(Value::String(e))) =
            (content.get("starts_at"), content.get("ends_at"))
        {
            let (s, e) = (parse_local(s), parse_local(e));
            if let (Some(s), Some(e)) = (s, e) {
                if e < s {
                    return Err(Error::field(label, "ends_at", "is before starts_at"));
                }
            }
        }
    }
    Ok(())
}

pub fn parse_local(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .ok()
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Checks one value against its type. `Ok(None)` means "empty: leave the field out".
fn check_value(ty: &FieldType, value: &Value, label: &str, path: &str) -> Result<Option<Value>> {
    if is_empty(value) {
        return Ok(None);
    }
    let bad = |problem: String| Error::field(label, path, problem);
    let text = |v: &Value| -> Result<String> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| bad(format!("expected text, got {}", json_type(v))))
    };
    let v = match ty {
        FieldType::Line(max) => {
            let s = text(value)?;
            let s = s.trim();
            if s.chars().any(char::is_control) {
                return Err(bad("must be one line without control characters".into()));
            }
            let n = s.chars().count();
            if n > *max {
                return Err(bad(format!(
                    "is {n} characters long; at most {max} allowed"
                )));
            }
            Value::String(s.to_string())
        }
        FieldType::Text(max) => {
            let s = text(value)?;
            check_text(&s, *max, label, path)?;
            Value::String(s)
        }
        FieldType::Enum(values) => {
            let s = text(value)?;
            let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
            if !values.contains(&s.as_str()) {
                return Err(bad(format!(
                    "`{}` is not one of: {}",
                    value.as_str().unwrap_or_default(),
                    values.join(", ")
                )));
            }
            Value::String(s)
        }
        FieldType::Bool => match value {
            Value::Bool(b) => Value::Bool(*b),
            Value::String(s) => Value::Bool(parse_bool(s).ok_or_else(|| {
                bad(format!(
                    "`{s}` is not a yes/no value (true, false, yes, no)"
                ))
            })?),
            other => {
                return Err(bad(format!(
                    "expected true or false, got {}",
                    json_type(other)
                )))
            }
        },
        FieldType::Int { min, max } => {
            let n = match value {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            }
            .ok_or_else(|| bad(format!("`{}` is not a whole number", display(value))))?;
            if n < *min || n > *max {
                return Err(bad(format!("{n} is out of range {min}..={max}")));
            }
            Value::from(n)
        }
        FieldType::Date => {
            let s = text(value)?;
            let s = s.trim();
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| bad(format!("`{s}` is not a date (YYYY-MM-DD)")))?;
            Value::String(s.to_string())
        }
        FieldType::LocalDateTime => {
            let s = text(value)?;
            let s = s.trim();
            let t = parse_local(s)
                .ok_or_else(|| bad(format!("`{s}` is not a local date-time (YYYY-MM-DDTHH:MM)")))?;
            Value::String(if s.len() == 16 {
                t.format("%Y-%m-%dT%H:%M").to_string()
            } else {
                t.format("%Y-%m-%dT%H:%M:%S").to_string()
            })
        }
        FieldType::Timestamp => {
            let s = text(value)?;
            let s = s.trim();
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                Value::String(format_timestamp(t.with_timezone(&Utc)))
            } else if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
                Value::String(s.to_string())
            } else {
                return Err(bad(format!(
                    "`{s}` is not a date or an RFC 3339 time (2026-03-01 or 2026-03-01T10:00:00Z)"
                )));
            }
        }
        FieldType::Email => {
            let s = text(value)?;
            let s = s.trim();
            if !is_email(s) {
                return Err(bad(format!("`{s}` is not an e-mail address")));
            }
            Value::String(s.to_string())
        }
        FieldType::Url => {
            let s = text(value)?;
            let s = s.trim();
            let lower = s.to_ascii_lowercase();
            let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
                && s.len() <= 2_000
                && s.len() > "https://".len()
                && !s.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                return Err(bad(format!("`{s}` is not an http(s) address")));
            }
            Value::String(s.to_string())
        }
        FieldType::Phone => {
            let s = text(value)?;
            let s = s.trim();
            let digits = s.chars().filter(char::is_ascii_digit).count();
            let ok = s.len() <= 40
                && digits >= 3
                && s.chars()
                    .all(|c| c.is_ascii_digit() || " +()-./x".contains(c));
            if !ok {
                return Err(bad(format!("`{s}` is not a phone number")));
            }
            Value::String(s.to_string())
        }
        FieldType::Timezone => {
            let s = text(value)?;
            let s = s.trim();
            if s.parse::<chrono_tz::Tz>().is_err() {
                return Err(bad(format!(
                    "`{s}` is not an IANA time zone (e.g. Europe/Brussels)"
                )));
            }
            Value::String(s.to_string())
        }
        FieldType::Country => {
            let s = text(value)?;
            let s = s.trim().to_ascii_uppercase();
            if s.len() != 2 || !COUNTRIES.split(' ').any(|c| c == s) {
                return Err(bad(format!(
                    "`{s}` is not an ISO 3166 country code (e.g. FI, CZ)"
                )));
            }
            Value::String(s)
        }
        FieldType::Language => {
            let s = text(value)?;
            let s = s.trim().to_ascii_lowercase();
            if s.len() != 2 || !s.chars().all(|c| c.is_ascii_lowercase()) {
                return Err(bad(format!(
                    "`{s}` is not an ISO 639-1 language code (e.g. fi, cs)"
                )));
            }
            Value::String(s)
        }
        FieldType::Tag => {
            let s = text(value)?;
            let s = s.trim().trim_start_matches('#');
            if s.is_empty() {
                return Ok(None);
            }
            if s.chars().count() > 64 || s.chars().any(|c| c.is_control() || c == ',') {
                return Err(bad(format!(
                    "`{s}` is not a tag (at most 64 characters, no commas)"
                )));
            }
            Value::String(s.to_string())
        }
        FieldType::Id(_) => {
            let s = text(value)?;
            let s = s.trim();
            let id =
                uuid::Uuid::parse_str(s).map_err(|_| bad(format!("`{s}` is not a record id")))?;
            Value::String(id.hyphenated().to_string())
        }
        FieldType::Sha256 => {
            let s = text(value)?;
            let s = s.trim().to_ascii_lowercase();
            if s.len() != 64 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad(format!("`{s}` is not a sha256 (64 hex digits)")));
            }
            Value::String(s)
        }
        FieldType::List(inner) => {
            let items: Vec<Value> = match value {
                Value::Array(a) => a.clone(),
                Value::String(s) => s.split(',').map(|p| Value::String(p.to_string())).collect(),
                other => return Err(bad(format!("expected a list, got {}", json_type(other)))),
            };
            if items.len() > 10_000 {
                return Err(bad(format!("has {} items; at most 10000", items.len())));
            }
            let mut out: Vec<Value> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if let Some(v) = check_value(inner, item, label, &format!("{path}[{i}]"))? {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
            if out.is_empty() {
                return Ok(None);
            }
            Value::Array(out)
        }
        FieldType::Object(fields) => {
            let Value::Object(obj) = value else {
                return Err(bad(format!("expected an object, got {}", json_type(value))));
            };
            Value::Object(check_object(fields, obj, label, path)?)
        }
        FieldType::ObjectList(fields) => {
            let Value::Array(items) = value else {
                return Err(bad(format!(
                    "expected a list of objects, got {}",
                    json_type(value)
                )));
            };
            if items.len() > 10_000 {
                return Err(bad(format!("has {} items; at most 10000", items.len())));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                let Value::Object(obj) = item else {
                    return Err(Error::field(
                        label,
                        item_path,
                        format!("expected an object, got {}", json_type(item)),
                    ));
                };
                out.push(Value::Object(check_object(fields, obj, label, &item_path)?));
            }
            Value::Array(out)
        }
        FieldType::Counts(keys) => {
            let Value::Object(obj) = value else {
                return Err(bad(format!(
                    "expected an object of counts, got {}",
                    json_type(value)
                )));
            };
            let mut out = Map::new();
            for (k, v) in obj {
                if !keys.contains(&k.as_str()) {
                    return Err(Error::field(
                        label,
                        format!("{path}.{k}"),
                        format!("not one of: {}", keys.join(", ")),
                    ));
                }
                let ty = FieldType::Int {
                    min: 0,
                    max: 1_000_000,
                };
                if let Some(v) = check_value(&ty, v, label, &format!("{path}.{k}"))? {
                    out.insert(k.clone(), v);
                }
            }
            Value::Object(out)
        }
        FieldType::Ratings => {
            let Value::Object(obj) = value else {
                return Err(bad(format!(
                    "expected an object of ratings, got {}",
                    json_type(value)
                )));
            };
            let mut out = Map::new();
            for (k, v) in obj {
                let key_path = format!("{path}.{k}");
                let key = k.trim();
                if key.is_empty() || key.chars().count() > 100 || key.chars().any(char::is_control)
                {
                    return Err(Error::field(
                        label,
                        key_path,
                        "is not a rating item name (1–100 characters)",
                    ));
                }
                let ty = FieldType::Int { min: 1, max: 5 };
                if let Some(v) = check_value(&ty, v, label, &key_path)? {
                    out.insert(key.to_string(), v);
                }
            }
            Value::Object(out)
        }
    };
    Ok(Some(v))
}

fn check_object(
    fields: &[Field],
    obj: &Map<String, Value>,
    label: &str,
    path: &str,
) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (k, v) in obj {
        let sub = format!("{path}.{k}");
        let Some(spec) = fields.iter().find(|f| f.name == k) else {
            let names: Vec<_> = fields.iter().map(|f| f.name).collect();
            return Err(Error::field(
                label,
                sub,
                format!("not a field here (fields: {})", names.join(", ")),
            ));
        };
        if let Some(v) = check_value(&spec.ty, v, label, &sub)? {
            out.insert(k.clone(), v);
        }
    }
    for spec in fields {
        if spec.required && !out.contains_key(spec.name) {
            return Err(Error::field(
                label,
                format!("{path}.{}", spec.name),
                "is required",
            ));
        }
    }
    Ok(out)
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" => Some(true),
        "false" | "no" | "n" | "0" | "off" => Some(false),
        _ => None,
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 254
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && !local.contains('@')
}

pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses a time as [`format_timestamp`] writes it, and only that form.
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ")
        .ok()
        .filter(|_| s.len() == 20)
        .map(|t| t.and_utc())
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value a command-line assignment `key=value` sets. Lists take comma-separated values;
/// objects and lists of objects take JSON; every other type takes the whole text, commas
/// included. Dotted keys reach into objects (`consent.basis=consent`).
pub fn parse_assignment(kind: Kind, key: &str, raw: &str) -> Result<(Vec<String>, Value)> {
    let path: Vec<String> = key.split('.').map(|p| p.trim().to_string()).collect();
    let label = format!("new {kind}");
    let top = field(kind, &path[0]).ok_or_else(|| {
        Error::field(
            &label,
            key,
            format!("not a field of a {kind} (fields: {})", field_names(kind)),
        )
    })?;
    let mut ty = top.ty;
    for part in &path[1..] {
        ty = match ty {
            FieldType::Object(fields) => fields
                .iter()
                .find(|f| f.name == part)
                .map(|f| f.ty)
                .ok_or_else(|| {
                    Error::field(&label, key, format!("`{part}` is not a field here"))
                })?,
            FieldType::Counts(_) => FieldType::Int {
                min: 0,
                max: 1_000_000,
            },
            FieldType::Ratings => FieldType::Int { min: 1, max: 5 },
            _ => {
                return Err(Error::field(
                    &label,
                    key,
                    "this field has no parts to set with a dot",
                ))
            }
        };
    }
    let value = match ty {
        FieldType::Object(_)
        | FieldType::ObjectList(_)
        | FieldType::Counts(_)
        | FieldType::Ratings => serde_json::from_str(raw)
            .map_err(|e| Error::field(&label, key, format!("expected JSON here: {e}")))?,
        FieldType::List(_) => Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        _ => Value::String(raw.to_string()),
    };
    Ok((path, value))
}

/// Sets `path` in `content` to `value`, creating intermediate objects.
pub fn set_path(content: &mut Map<String, Value>, path: &[String], value: Value) {
    match path {
        [] => {}
        [last] => {
            content.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = content
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

/// A reference from one record to another, found in a validated record's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `links` for explicit links, else the field path's top-level name (`session_id`,
    /// `participants`, `agenda.method_id` …).
    pub rel: String,
    pub target: String,
    pub expected: Option<Kind>,
}

/// Every reference to another record in a validated record of `kind`.
pub fn references(kind: Kind, content: &Map<String, Value>) -> Vec<Reference> {
    let mut out = Vec::new();
    for spec in COMMON.iter().chain(kind_fields(kind)) {
        if let Some(v) = content.get(spec.name) {
            collect_refs(&spec.ty, v, spec.name, &mut out);
        }
    }
    out
}

fn collect_refs(ty: &FieldType, v: &Value, rel: &str, out: &mut Vec<Reference>) {
    match ty {
        FieldType::Id(expected) => {
            if let Some(s) = v.as_str() {
                let r = Reference {
                    rel: rel.to_string(),
                    target: s.to_string(),
                    expected: *expected,
                };
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        FieldType::List(inner) => {
            for item in v.as_array().into_iter().flatten() {
                collect_refs(inner, item, rel, out);
            }
        }
        FieldType::Object(fields) => {
            if let Some(obj) = v.as_object() {
                for f in fields.iter() {
                    if let Some(x) = obj.get(f.name) {
                        collect_refs(&f.ty, x, &format!("{rel}.{}", f.name), out);
                    }
                }
            }
        }
        FieldType::ObjectList(fields) => {
            for item in v.as_array().into_iter().flatten() {
                if let Some(obj) = item.as_object() {
                    for f in fields.iter() {
                        if let Some(x) = obj.get(f.name) {
                            collect_refs(&f.ty, x, &format!("{rel}.{}", f.name), out);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// ISO 3166-1 alpha-2 codes, and XK (Kosovo, in common use).
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn title_is_required() {
        let err = validate(Kind::Note, &obj(json!({"body": "x"})), "new note").unwrap_err();
        assert_eq!(err.to_string(), "new note: field `title`: is required");
    }

    #[test]
    fn bad_values_name_the_field() {
        let cases = [
            (
                Kind::Session,
                json!({"title": "S", "timezone": "Europe/Atlantis"}),
                "timezone",
            ),
            (
                Kind::Session,
                json!({"title": "S", "starts_at": "2026-13-01T10:00"}),
                "starts_at",
            ),
            (
                Kind::Contact,
                json!({"title": "C", "email": "not-an-email"}),
                "email",
            ),
            (
                Kind::Contact,
                json!({"title": "C", "consent": {"basis": "maybe"}}),
                "consent.basis",
            ),
            (
                Kind::Question,
                json!({"title": "Q", "status": "closed"}),
                "status",
            ),
            (
                Kind::Session,
                json!({"title": "S", "agenda": [{"minutes": 5}]}),
                "agenda[0].title",
            ),
            (
                Kind::Evaluation,
                json!({"title": "E", "session_id": "0193a000-0000-7000-8000-000000000001", "ratings": {"overall": 7}}),
                "ratings.overall",
            ),
            (Kind::Note, json!({"title": "N", "colour": "red"}), "colour"),
        ];
        for (kind, value, field) in cases {
            match validate(kind, &obj(value.clone()), "r") {
                Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field, "{value}"),
                other => panic!("{value}: expected an invalid {field}, got {other:?}"),
            }
        }
    }

    #[test]
    fn normalises_values() {
        let v = validate(
            Kind::Contact,
            &obj(json!({"title": "  Søren Ærø ", "country": "dk", "languages": "da, en, da", "tags": ["", "#expert"], "phone": ""})),
            "r",
        )
        .unwrap();
        assert_eq!(
            Value::Object(v),
            json!({"title": "Søren Ærø", "country": "DK", "languages": ["da", "en"], "tags": ["expert"]})
        );
    }

    #[test]
    fn session_end_before_start_is_refused() {
        let err = validate(
            Kind::Session,
            &obj(json!({"title": "S", "starts_at": "2026-03-02T10:00", "ends_at": "2026-03-01T10:00"})),
            "r",
        )
        .unwrap_err();
        assert!(err.to_string().contains("ends_at"));
    }

    #[test]
    fn assignments_follow_field_types() {
        let (p, v) = parse_assignment(Kind::Contact, "consent.share_with_partners", "yes").unwrap();
        assert_eq!(p, vec!["consent", "share_with_partners"]);
        assert_eq!(v, json!("yes"));
        let (_, v) = parse_assignment(Kind::Contact, "expertise", "co-design, evaluation").unwrap();
        assert_eq!(v, json!(["co-design", "evaluation"]));
        let (_, v) = parse_assignment(Kind::Note, "title", "Ghent, Day 1").unwrap();
        assert_eq!(v, json!("Ghent, Day 1"));
        assert!(parse_assignment(Kind::Note, "colour", "red").is_err());
    }

    #[test]
    fn references_are_typed_by_field() {
        let v = obj(
            json!({"title": "S", "host_org": "0193a000-0000-7000-8000-000000000001",
            "agenda": [{"title": "b", "method_id": "0193a000-0000-7000-8000-000000000002"}]}),
        );
        let refs = references(Kind::Session, &v);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].rel, "host_org");
        assert_eq!(refs[1].rel, "agenda.method_id");
        assert_eq!(refs[1].expected, Some(Kind::Method));
    }
}
