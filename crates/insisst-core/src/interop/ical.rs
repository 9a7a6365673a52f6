//! iCalendar (RFC 5545) sessions in and out.
//!
//! Export: one `VEVENT` per session with its times in the session's zone and a `VTIMEZONE`
//! per zone generated from chrono-tz's transitions for the years the events span (so a
//! calendar that does not know the zone still places the event right); the agenda with
//! computed times in the description; organiser and attendees from facilitators and
//! participants that have an e-mail.
//!
//! Import: every `VEVENT` becomes a session, `planned` when new (a cancelled event
//! `cancelled`). Identity on re-import: the event's `UID` gives the record id
//! ([`super::id_for_uid`]; our own exports carry the session id in it), so the session is
//! stored without any field for it and a second import updates instead of duplicating.
//! Time zones: IANA names (also behind Thunderbird's old `/mozilla.org/…/` prefixes), the
//! Windows names Outlook writes, a `VTIMEZONE`'s `X-LIC-LOCATION`, and the calendar's
//! `X-WR-TIMEZONE` (Google) for UTC and floating times. Recurring events (`RRULE`, `RDATE`,
//! `RECURRENCE-ID`) are refused with a message: a session is one occurrence.

use super::contentline::{self, Component, Property};
use super::{ExportReport, ImportReport, ItemReport, Outcome};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::store::{Record, Workspace, Writer};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const UID_NAMESPACE: &str = "ics";
/// The domain of the UIDs we write: `<record id>@insisst-workspace`.
pub const UID_DOMAIN: &str = "insisst-workspace";

/// The Windows zone names Outlook writes as TZID, for the zones the consortium lives in and
/// a few more (from CLDR's windowsZones, territory 001).
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("UTC", "UTC"),
    ("Coordinated Universal Time", "UTC"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
];

/// Imports every `VEVENT` of the `.ics` file at `path` as a session.
pub fn import(ws: &mut Workspace, path: &Path) -> Result<ImportReport> {
    let bytes = super::read_capped(path, super::MAX_FILE_BYTES)?;
    let parsed = contentline::parse(&bytes);
    let calendars: Vec<&Component> = parsed
        .components
        .iter()
        .filter(|c| c.name == "VCALENDAR")
        .collect();
    let events: Vec<(&Component, &Component)> = calendars
        .iter()
        .flat_map(|cal| {
            cal.children
                .iter()
                .filter(|c| c.name == "VEVENT")
                .map(move |e| (*cal, e))
        })
        .collect();
    if events.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: no event in it (no BEGIN:VCALENDAR with a BEGIN:VEVENT){}",
            path.display(),
            parsed
                .problems
                .first()
                .map(|p| format!("; {p}"))
                .unwrap_or_default()
        )));
    }
    let mut report = ImportReport::new(path);
    report.problems = parsed.problems.clone();
    for cal in &calendars {
        report.problems.extend(cal.problems.iter().cloned());
    }
    ws.write(|w| {
        for (i, (cal, event)) in events.iter().enumerate() {
            let item = import_event(w, i + 1, cal, event);
            report.push(item);
        }
        Ok(())
    })?;
    Ok(report)
}

fn skipped(item: String, mut messages: Vec<String>, why: String) -> ItemReport {
    messages.push(why);
    ItemReport {
        item,
        outcome: Outcome::Skipped,
        record_id: None,
        messages,
    }
}

fn import_event(w: &mut Writer<'_>, n: usize, cal: &Component, event: &Component) -> ItemReport {
    let mut messages = event.problems.clone();
    let mut label = format!("event {n} (line {})", event.line);
    let text = |name: &str, messages: &mut Vec<String>| -> Option<String> {
        let p = event.prop(name)?;
        match p.unescaped() {
            Ok(t) => Some(t.trim().to_string()).filter(|t| !t.is_empty()),
            Err(e) => {
                messages.push(format!("{e}; left out"));
                None
            }
        }
    };
    let Some(summary) = text("SUMMARY", &mut messages) else {
        return skipped(
            label,
            messages,
            "no SUMMARY: a session needs a title".into(),
        );
    };
    label.push_str(&format!(" \"{summary}\""));
    for recurring in ["RRULE", "RDATE", "RECURRENCE-ID"] {
        if event.prop(recurring).is_some() {
            return skipped(
                label,
                messages,
                format!(
                    "is part of a recurring series ({recurring}); a session is one occurrence: \
                     export the single occurrences from the calendar, or add the sessions by hand"
                ),
            );
        }
    }
    let zones = ZoneContext::new(cal);
    let Some(start_prop) = event.prop("DTSTART") else {
        return skipped(
            label,
            messages,
            "no DTSTART: a session needs a start".into(),
        );
    };
    let start = match zones.read(start_prop) {
        Ok(t) => t,
        Err(why) => return skipped(label, messages, why),
    };
    let end = match (event.prop("DTEND"), event.prop("DURATION")) {
        (Some(p), _) => match zones.read(p) {
            Ok(t) => Some(t),
            Err(why) => {
                messages.push(format!("{why}; the end is left out"));
                None
            }
        },
        (None, Some(p)) => match p.text().ok().and_then(|d| parse_duration(&d)) {
            Some(d) => Some(EventTime {
                local: start.local + d,
                zone: start.zone,
                all_day: start.all_day,
            }),
            None => {
                messages.push(format!(
                    "line {}: DURATION is not a duration; left out",
                    p.line
                ));
                None
            }
        },
        (None, None) => None,
    };
    let mut content = Map::new();
    content.insert(
        "title".into(),
        Value::String(summary.chars().take(500).collect()),
    );
    let fmt = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
    content.insert("starts_at".into(), Value::String(fmt(start.local)));
    if let Some(zone) = start.zone {
        content.insert("timezone".into(), Value::String(zone.name().to_string()));
    }
    if let Some(end) = end {
        // An end in another zone is moved into the start's.
        let local = match (start.zone, end.zone) {
            (Some(sz), Some(ez)) if sz != ez => crate::agenda::to_utc(ez, end.local)
                .with_timezone(&sz)
                .naive_local(),
            _ => end.local,
        };
        content.insert("ends_at".into(), Value::String(fmt(local)));
    }
    if let Some(loc) = text("LOCATION", &mut messages) {
        let lower = loc.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            content.insert("online_url".into(), Value::String(loc));
        } else {
            content.insert("venue".into(), Value::String(loc));
        }
    }
    if let Some(url) = text("URL", &mut messages) {
        content.insert("online_url".into(), Value::String(url));
    }
    if let Some(d) = text("DESCRIPTION", &mut messages) {
        content.insert("body".into(), Value::String(d));
    }
    let tags: Vec<Value> = event
        .all("CATEGORIES")
        .filter_map(|p| p.list().ok())
        .flatten()
        .map(Value::String)
        .collect();
    if !tags.is_empty() {
        content.insert("tags".into(), Value::Array(tags));
    }
    if let Some(k) = text("X-INSISST-SESSION-KIND", &mut messages) {
        content.insert("session_kind".into(), Value::String(k));
    }
    let cancelled = text("STATUS", &mut messages)
        .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
        || cal
            .prop("METHOD")
            .and_then(|p| p.text().ok())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("CANCEL"));
    let uid = text("UID", &mut messages);
    let result = super::in_savepoint(w, |w| {
        let mut unknown = Vec::new();
        let mut people =
            |name: &str, field: &str, content: &mut Map<String, Value>| -> Result<()> {
                let mut ids: Vec<Value> = Vec::new();
                for p in event.all(name) {
                    let Ok(v) = p.text() else { continue };
                    let email = v.trim();
                    let email = email
                        .strip_prefix("mailto:")
                        .or_else(|| email.strip_prefix("MAILTO:"))
                        .unwrap_or(email);
                    match super::find_by_field(w, Kind::Contact, "email", email)? {
                        Some(c) => ids.push(Value::String(c.id)),
                        None => unknown.push(email.to_string()),
                    }
                }
                if !ids.is_empty() {
                    content.insert(field.into(), Value::Array(ids));
                }
                Ok(())
            };
        people("ORGANIZER", "facilitators", &mut content)?;
        people("ATTENDEE", "participants", &mut content)?;
        if !unknown.is_empty() {
            messages.push(format!(
                "{} organiser/attendee address(es) match no contact here and are left out: {}",
                unknown.len(),
                unknown.join(", ")
            ));
        }
        let id = match &uid {
            Some(uid) => super::id_for_uid(UID_NAMESPACE, uid),
            None => {
                messages.push(
                    "no UID: identified by its title and start, so a re-import with another title or start makes a new session".into(),
                );
                let raw = String::from_utf8_lossy(&start_prop.raw).to_string();
                super::id_for_uid(UID_NAMESPACE, &format!("{summary}\u{0}{raw}"))
            }
        };
        let existing = match w.get_any(&id) {
            Ok(r) if r.kind == Kind::Session && !r.deleted => Some(r),
            Ok(r) if r.kind == Kind::Session => {
                return Err(Error::Invalid(format!(
                    "its session ({}) was deleted here; restore it to import the event again",
                    r.id
                )))
            }
            Ok(r) => {
                return Err(Error::Invalid(format!(
                    "its UID names a {} here ({}), not a session",
                    r.kind, r.id
                )))
            }
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        if cancelled {
            content.insert("status".into(), Value::String("cancelled".into()));
        } else if existing.is_none() {
            content.insert("status".into(), Value::String("planned".into()));
        }
        let content = super::validate_lenient(Kind::Session, content, &label, &mut messages)?;
        super::upsert(w, Kind::Session, existing, Some(&id), content)
    });
    match result {
        Ok((outcome, record)) => ItemReport {
            item: label,
            outcome,
            record_id: Some(record.id),
            messages,
        },
        Err(e) => skipped(label, messages, e.to_string()),
    }
}

/// A date-time as read: local wall-clock time, in a zone when it has one.
#[derive(Debug, Clone, Copy)]
struct EventTime {
    local: NaiveDateTime,
    zone: Option<Tz>,
    all_day: bool,
}

/// How a calendar names its zones.
struct ZoneContext {
    /// The calendar's default zone (Google's `X-WR-TIMEZONE`).
    default: Option<Tz>,
    /// TZID of each `VTIMEZONE` to the IANA zone its `X-LIC-LOCATION` names.
    located: HashMap<String, Tz>,
}

impl ZoneContext {
    fn new(cal: &Component) -> Self {
        let default = cal
            .prop("X-WR-TIMEZONE")
            .and_then(|p| p.text().ok())
            .and_then(|s| zone_named(s.trim()));
        let located = cal
            .children
            .iter()
            .filter(|c| c.name == "VTIMEZONE")
            .filter_map(|c| {
                let id = c.prop("TZID")?.text().ok()?.trim().to_string();
                let loc = c.prop("X-LIC-LOCATION")?.text().ok()?;
                Some((id, zone_named(loc.trim())?))
            })
            .collect();
        ZoneContext { default, located }
    }

    fn read(&self, p: &Property) -> std::result::Result<EventTime, String> {
        let bad = |what: &str| format!("line {}: {} {what}", p.line, p.name);
        let raw = p.text().map_err(|e| e.to_string())?;
        let raw = raw.trim();
        let is_date = p
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || raw.len() == 8;
        if is_date {
            let d = NaiveDate::parse_from_str(raw, "%Y%m%d")
                .map_err(|_| bad(&format!("`{raw}` is not a date (YYYYMMDD)")))?;
            return Ok(EventTime {
                local: d.and_hms_opt(0, 0, 0).expect("midnight"),
                zone: self.default,
                all_day: true,
            });
        }
        let (text, utc) = match raw.strip_suffix('Z').or_else(|| raw.strip_suffix('z')) {
            Some(t) => (t, true),
            None => (raw, false),
        };
        let local = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S")
            .map_err(|_| bad(&format!("`{raw}` is not a date-time (YYYYMMDDTHHMMSS)")))?;
        if local.year() < 1900 || local.year() > 2200 {
            return Err(bad(&format!("`{raw}` is out of range (1900–2200)")));
        }
        if utc {
            let zone = self.default.unwrap_or(Tz::UTC);
            return Ok(EventTime {
                local: local.and_utc().with_timezone(&zone).naive_local(),
                zone: Some(zone),
                all_day: false,
            });
        }
        let zone = match p.param("TZID") {
            None => self.default,
            Some(tzid) => Some(
                zone_named(tzid)
                    .or_else(|| self.located.get(tzid).copied())
                    .ok_or_else(|| {
                        bad(&format!(
                            "has time zone `{tzid}`, which is neither an IANA zone, a Windows zone name nor a VTIMEZONE with X-LIC-LOCATION"
                        ))
                    })?,
            ),
        };
        Ok(EventTime {
            local,
            zone,
            all_day: false,
        })
    }
}

/// An IANA zone by its name, also behind a `/mozilla.org/…/` style prefix, or a Windows name.
fn zone_named(name: &str) -> Option<Tz> {
    let name = name.trim().trim_matches('"');
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz);
    }
    if let Some((_, iana)) = WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(name))
    {
        return iana.parse().ok();
    }
    // `/mozilla.org/20070129_1/Europe/Berlin`: the longest suffix that names a zone.
    let parts: Vec<&str> = name.split('/').filter(|s| !s.is_empty()).collect();
    (0..parts.len()).find_map(|i| parts[i..].join("/").parse::<Tz>().ok())
}

/// `P1DT2H30M`, `PT90M`, `P1W` (RFC 5545 3.3.6), non-negative.
fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim().strip_prefix('+').unwrap_or(s.trim());
    let rest = s.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut num = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => num.push(c),
            'T' => in_time = true,
            unit => {
                let n: i64 = num.parse().ok()?;
                num.clear();
                total += match (unit, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    (num.is_empty() && total <= Duration::days(3660)).then_some(total)
}

/// Which sessions to export.
#[derive(Debug, Clone, Default)]
pub enum Selection {
    /// Every live session with a start.
    #[default]
    All,
    /// One session.
    Session(String),
    /// Sessions under way or starting within the next 90 days.
    Upcoming,
}

/// How to export, besides which sessions.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Leave out the ORGANIZER and ATTENDEE lines of contacts whose consent does not allow
    /// sharing with partners (counted in `not_shareable_left_out`).
    pub shareable_only: bool,
}

/// Writes the selected sessions to `path` as an iCalendar file, every organiser and attendee
/// included (those who may not be shared are counted in `not_shareable_included`).
pub fn export(ws: &Workspace, path: &Path, selection: &Selection) -> Result<ExportReport> {
    export_with(ws, path, selection, &ExportOptions::default())
}

/// Writes the selected sessions to `path` as an iCalendar file, as `options` say.
pub fn export_with(
    ws: &Workspace,
    path: &Path,
    selection: &Selection,
    options: &ExportOptions,
) -> Result<ExportReport> {
    let sessions: Vec<Record> = match selection {
        Selection::Session(id) => {
            let r = ws.get(id)?;
            if r.kind != Kind::Session {
                return Err(Error::Invalid(format!("{} is not a session", r.label())));
            }
            vec![r]
        }
        Selection::Upcoming => ws
            .upcoming_sessions(ws.now(), 90, usize::MAX)?
            .into_iter()
            .map(|(r, _)| r)
            .collect(),
        Selection::All => ws.list(&crate::store::ListQuery {
            kind: Some(Kind::Session),
            ..Default::default()
        })?,
    };
    let mut report = ExportReport {
        target: path.display().to_string(),
        ..Default::default()
    };
    let text = calendar_with(ws, &sessions, ws.now(), options, &mut report)?;
    super::write_atomically(path, text.as_bytes())?;
    Ok(report)
}

/// The iCalendar text of `sessions`, stamped `now`, every organiser and attendee included.
/// Sessions without a start are left out and named in `report.messages`.
pub fn calendar(
    ws: &Workspace,
    sessions: &[Record],
    now: DateTime<Utc>,
    report: &mut ExportReport,
) -> Result<String> {
    calendar_with(ws, sessions, now, &ExportOptions::default(), report)
}

/// Contacts who may not be shared, each counted once however many events name them.
#[derive(Default)]
struct NotShareable {
    included: BTreeSet<String>,
    left_out: BTreeSet<String>,
}

/// As [`calendar`], as `options` say.
pub fn calendar_with(
    ws: &Workspace,
    sessions: &[Record],
    now: DateTime<Utc>,
    options: &ExportOptions,
    report: &mut ExportReport,
) -> Result<String> {
    use contentline::write_line;
    let mut not_shareable = NotShareable::default();
    let mut events = String::new();
    // Zone -> (first year, last year) the events span.
    let mut zones: BTreeMap<String, (i32, i32)> = BTreeMap::new();
    let mut sorted: Vec<&Record> = sessions.iter().collect();
    sorted.sort_by(|a, b| {
        a.str("starts_at")
            .cmp(&b.str("starts_at"))
            .then_with(|| a.id.cmp(&b.id))
    });
    for s in sorted {
        let Some(start) = s.str("starts_at").and_then(crate::schema::parse_local) else {
            report
                .messages
                .push(format!("{} has no start; left out", s.label()));
            continue;
        };
        let tz: Option<Tz> = s.str("timezone").and_then(|t| t.parse().ok());
        let end = s
            .str("ends_at")
            .and_then(crate::schema::parse_local)
            .or_else(|| {
                let blocks = crate::agenda::schedule(&s.content)?;
                let last = blocks.last()?;
                crate::schema::parse_local(&last.ends_at).filter(|e| *e > start)
            });
        if let Some(tz) = tz {
            let span = zones
                .entry(tz.name().to_string())
                .or_insert((start.year(), start.year()));
            span.0 = span.0.min(start.year());
            span.1 = span.1.max(end.unwrap_or(start).year());
        }
        let when = EventTimes {
            start,
            end,
            tz,
            now,
        };
        write_event(ws, &mut events, s, &when, options, &mut not_shareable)?;
        report.written += 1;
    }
    report.not_shareable_included += not_shareable.included.len();
    report.not_shareable_left_out += not_shareable.left_out.len();
    let mut out = String::new();
    write_line(&mut out, "BEGIN:VCALENDAR");
    write_line(&mut out, "VERSION:2.0");
    write_line(&mut out, "PRODID:-//Insisst Workspace//Sessions//EN");
    write_line(&mut out, "CALSCALE:GREGORIAN");
    write_line(&mut out, "METHOD:PUBLISH");
    for (name, (from, to)) in &zones {
        let tz: Tz = name.parse().expect("a zone we parsed");
        write_vtimezone(&mut out, tz, *from, *to);
    }
    out.push_str(&events);
    write_line(&mut out, "END:VCALENDAR");
    Ok(out)
}

fn ical_local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// When an event is, and when it was written.
struct EventTimes {
    start: NaiveDateTime,
    end: Option<NaiveDateTime>,
    tz: Option<Tz>,
    now: DateTime<Utc>,
}

fn write_event(
    ws: &Workspace,
    out: &mut String,
    s: &Record,
    times: &EventTimes,
    options: &ExportOptions,
    not_shareable: &mut NotShareable,
) -> Result<()> {
    use contentline::{escape, param_value, write_line, write_text};
    let EventTimes {
        start,
        end,
        tz,
        now,
    } = *times;
    let when = |name: &str, t: NaiveDateTime| match tz {
        Some(tz) => format!("{name};TZID={}:{}", tz.name(), ical_local(t)),
        None => format!("{name}:{}", ical_local(t)),
    };
    write_line(out, "BEGIN:VEVENT");
    write_line(out, &format!("UID:{}@{UID_DOMAIN}", s.id));
    write_line(out, &format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")));
    write_line(out, &when("DTSTART", start));
    if let Some(end) = end.filter(|e| *e >= start) {
        write_line(out, &when("DTEND", end));
    }
    write_text(out, "SUMMARY", s.title());
    if let Some(v) = s.str("venue") {
        write_text(out, "LOCATION", v);
    } else if let Some(u) = s.str("online_url") {
        write_text(out, "LOCATION", u);
    }
    if let Some(u) = s.str("online_url") {
        // URL is a URI value, not text: no escaping, but nothing that breaks the line.
        if !u.contains(['\r', '\n']) {
            write_line(out, &format!("URL:{u}"));
        }
    }
    write_text(out, "DESCRIPTION", &description(s));
    let status = match s.str("status") {
        Some("cancelled") => Some("CANCELLED"),
        Some("confirmed" | "held") => Some("CONFIRMED"),
        Some("planned" | "idea") => Some("TENTATIVE"),
        _ => None,
    };
    if let Some(st) = status {
        write_line(out, &format!("STATUS:{st}"));
    }
    if let Some(k) = s.str("session_kind") {
        write_text(out, "X-INSISST-SESSION-KIND", k);
    }
    let tags = s.tags();
    if !tags.is_empty() {
        let list: Vec<String> = tags.iter().map(|t| escape(t)).collect();
        write_line(out, &format!("CATEGORIES:{}", list.join(",")));
    }
    // A name and an e-mail are personal data: those who may not be shared are counted (the
    // file is then for the user's own calendar), or left out with `shareable_only`.
    let mut person = |id: &str| -> Option<(String, String)> {
        let c = ws.get(id).ok()?;
        let email = c.str("email")?.to_string();
        if !super::contact_is_shareable(&c.content) {
            if options.shareable_only {
                not_shareable.left_out.insert(c.id.clone());
                return None;
            }
            not_shareable.included.insert(c.id.clone());
        }
        Some((c.title().to_string(), email))
    };
    let facilitators: Vec<(String, String)> = crate::store::string_list(&s.content, "facilitators")
        .iter()
        .filter_map(|id| person(id))
        .collect();
    let participants: Vec<(String, String)> = crate::store::string_list(&s.content, "participants")
        .iter()
        .filter_map(|id| person(id))
        .collect();
    if let Some((name, email)) = facilitators.first() {
        write_line(
            out,
            &format!("ORGANIZER;CN={}:mailto:{email}", param_value(name)),
        );
    }
    for (name, email) in facilitators.iter().skip(1) {
        write_line(
            out,
            &format!(
                "ATTENDEE;CN={};ROLE=CHAIR;PARTSTAT=NEEDS-ACTION:mailto:{email}",
                param_value(name)
            ),
        );
    }
    for (name, email) in &participants {
        write_line(
            out,
            &format!(
                "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{email}",
                param_value(name)
            ),
        );
    }
    if let Some(t) = crate::schema::parse_timestamp(s.updated_at()) {
        write_line(
            out,
            &format!("LAST-MODIFIED:{}", t.format("%Y%m%dT%H%M%SZ")),
        );
    }
    write_line(out, "END:VEVENT");
    Ok(())
}

/// The event's description: objectives, the agenda with its computed times, the online link.
fn description(s: &Record) -> String {
    let mut d = String::new();
    if let Some(o) = s.str("objectives") {
        d.push_str(o.trim());
        d.push_str("\n\n");
    }
    if let Some(blocks) = crate::agenda::schedule(&s.content) {
        if !blocks.is_empty() {
            d.push_str("Agenda:\n");
            let agenda = s.content.get("agenda").and_then(Value::as_array);
            for b in &blocks {
                let who = agenda
                    .and_then(|a| a.get(b.index))
                    .and_then(|blk| blk.get("who"))
                    .and_then(Value::as_str)
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default();
                let day = if blocks.iter().any(|x| x.day > 1) {
                    format!("day {} ", b.day)
                } else {
                    String::new()
                };
                d.push_str(&format!(
                    "{day}{}–{} {}{who}\n",
                    &b.starts_at[11..16],
                    &b.ends_at[11..16],
                    b.title
                ));
            }
            d.push('\n');
        }
    }
    if let Some(u) = s.str("online_url") {
        d.push_str(&format!("Online: {u}\n"));
    }
    if d.trim().is_empty() {
        d = s.title().to_string();
    }
    d.trim_end().to_string()
}

/// One offset change of a zone.
struct Transition {
    at: DateTime<Utc>,
    from: i32,
    to: i32,
    dst: bool,
    name: Option<String>,
}

fn offset_at(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

/// The transitions of `tz` from the start of `from - 1` to the end of `to`, found by day and
/// then to the second by bisection (chrono-tz does not list them).
fn transitions(tz: Tz, from: i32, to: i32) -> Vec<Transition> {
    let mut out = Vec::new();
    let start = Utc
        .with_ymd_and_hms(from - 1, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    let end = Utc
        .with_ymd_and_hms(to + 1, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    let mut prev_t = start;
    let mut prev = offset_at(tz, start);
    let mut t = start;
    while t < end {
        t += Duration::hours(12);
        let now = offset_at(tz, t);
        if now != prev {
            // In whole seconds: the first second of the new offset.
            let (mut lo, mut hi) = (prev_t.timestamp(), t.timestamp());
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                let at = DateTime::from_timestamp(mid, 0).expect("in range");
                if offset_at(tz, at) == prev {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let hi = DateTime::from_timestamp(hi, 0).expect("in range");
            let off = tz.offset_from_utc_datetime(&hi.naive_utc());
            out.push(Transition {
                at: hi,
                from: prev,
                to: now,
                dst: !off.dst_offset().is_zero(),
                name: off.abbreviation().map(str::to_string),
            });
            prev = now;
        }
        prev_t = t;
    }
    out
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    let (h, m, s) = (a / 3600, (a % 3600) / 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// A `VTIMEZONE` for `tz` covering the years `from..=to` (and the year before, so every
/// event has an observance starting before it).
pub fn write_vtimezone(out: &mut String, tz: Tz, from: i32, to: i32) {
    use contentline::write_line;
    write_line(out, "BEGIN:VTIMEZONE");
    write_line(out, &format!("TZID:{}", tz.name()));
    write_line(out, &format!("X-LIC-LOCATION:{}", tz.name()));
    let list = transitions(tz, from, to);
    if list.is_empty() {
        let start = Utc
            .with_ymd_and_hms(from - 1, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let off = tz.offset_from_utc_datetime(&start.naive_utc());
        let secs = off.fix().local_minus_utc();
        write_line(out, "BEGIN:STANDARD");
        write_line(out, "DTSTART:19700101T000000");
        write_line(out, &format!("TZOFFSETFROM:{}", offset_text(secs)));
        write_line(out, &format!("TZOFFSETTO:{}", offset_text(secs)));
        if let Some(name) = off.abbreviation() {
            write_line(out, &format!("TZNAME:{name}"));
        }
        write_line(out, "END:STANDARD");
    }
    for t in list {
        let kind = if t.dst { "DAYLIGHT" } else { "STANDARD" };
        // DTSTART is the wall-clock time of the change in the offset it changes from.
        let local = t.at.naive_utc() + Duration::seconds(i64::from(t.from));
        write_line(out, &format!("BEGIN:{kind}"));
        write_line(out, &format!("DTSTART:{}", ical_local(local)));
        write_line(out, &format!("TZOFFSETFROM:{}", offset_text(t.from)));
        write_line(out, &format!("TZOFFSETTO:{}", offset_text(t.to)));
        if let Some(name) = t.name {
            write_line(out, &format!("TZNAME:{name}"));
        }
        write_line(out, &format!("END:{kind}"));
    }
    write_line(out, "END:VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brussels_has_two_transitions_a_year() {
        let tz: Tz = "Europe/Brussels".parse().unwrap();
        let list = transitions(tz, 2026, 2026);
        // 2025 and 2026, spring and autumn.
        assert_eq!(list.len(), 4);
        let spring = &list[2];
        assert_eq!(spring.at.to_rfc3339(), "2026-03-29T01:00:00+00:00");
        assert_eq!((spring.from, spring.to, spring.dst), (3600, 7200, true));
        let mut out = String::new();
        write_vtimezone(&mut out, tz, 2026, 2026);
        assert!(
            out.contains(
                "DTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST"
            ),
            "{out}"
        );
    }

    #[test]
    fn zones_by_every_name_calendars_use() {
        assert_eq!(
            zone_named("Europe/Helsinki").unwrap().name(),
            "Europe/Helsinki"
        );
        assert_eq!(
            zone_named("W. Europe Standard Time").unwrap().name(),
            "Europe/Berlin"
        );
        assert_eq!(
            zone_named("/mozilla.org/20070129_1/Europe/Prague")
                .unwrap()
                .name(),
            "Europe/Prague"
        );
        assert!(zone_named("Mars/Olympus").is_none());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("P1W"), Some(Duration::weeks(1)));
        assert_eq!(parse_duration("P1DT2H"), Some(Duration::hours(26)));
        assert_eq!(parse_duration("1H"), None);
        assert_eq!(parse_duration("PT5X"), None);
    }
}
