//! A session's agenda as a timetable: block start and end times computed from the session's
//! start, across days (`day_break`), in the session's IANA time zone.

use crate::schema::parse_local;
use chrono::{Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledBlock {
    pub index: usize,
    pub title: String,
    pub minutes: i64,
    /// Local wall-clock times in the session's zone, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    /// The same start as an instant, when the session has a time zone.
    pub starts_at_utc: Option<String>,
    /// 1 for the session's first day.
    pub day: u32,
}

/// The timetable of a session's content, or `None` when it has no start time.
pub fn schedule(session: &Map<String, Value>) -> Option<Vec<ScheduledBlock>> {
    let start = parse_local(session.get("starts_at")?.as_str()?)?;
    let tz: Option<chrono_tz::Tz> = session
        .get("timezone")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok());
    let blocks = session.get("agenda").and_then(Value::as_array)?;
    let mut cursor = start;
    let mut out = Vec::with_capacity(blocks.len());
    for (index, block) in blocks.iter().enumerate() {
        let minutes = block.get("minutes").and_then(Value::as_i64).unwrap_or(0);
        let day_break = block
            .get("day_break")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if day_break && index > 0 {
            let next_day = (cursor.date() + Duration::days(1)).and_time(start.time());
            cursor = cursor.max(next_day);
        }
        let end = cursor + Duration::minutes(minutes);
        out.push(ScheduledBlock {
            index,
            title: block
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            minutes,
            starts_at: cursor.format("%Y-%m-%dT%H:%M").to_string(),
            ends_at: end.format("%Y-%m-%dT%H:%M").to_string(),
            starts_at_utc: tz.map(|tz| crate::schema::format_timestamp(to_utc(tz, cursor))),
            day: u32::try_from((cursor.date() - start.date()).num_days() + 1).unwrap_or(1),
        });
        cursor = end;
    }
    Some(out)
}

/// A local time in `tz` as UTC. In the autumn overlap the earlier instant is taken; in the
/// spring gap the wall clock is moved forward past it, as clocks do.
pub fn to_utc(tz: chrono_tz::Tz, local: NaiveDateTime) -> chrono::DateTime<Utc> {
    let mut probe = local;
    for _ in 0..4 {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => probe += Duration::minutes(30),
        }
    }
    Utc.from_utc_datetime(&local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn session(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn blocks_follow_each_other_and_break_across_days() {
        let s = session(json!({
            "starts_at": "2026-03-29T09:30", "timezone": "Europe/Helsinki",
            "agenda": [
                {"title": "Welcome", "minutes": 30},
                {"title": "Peer exchange", "minutes": 90},
                {"title": "Study visit", "minutes": 120, "day_break": true},
                {"title": "Wrap-up"}
            ]
        }));
        let t = schedule(&s).unwrap();
        let times: Vec<_> = t
            .iter()
            .map(|b| (b.starts_at.as_str(), b.ends_at.as_str(), b.day))
            .collect();
        assert_eq!(
            times,
            vec![
                ("2026-03-29T09:30", "2026-03-29T10:00", 1),
                ("2026-03-29T10:00", "2026-03-29T11:30", 1),
                ("2026-03-30T09:30", "2026-03-30T11:30", 2),
                ("2026-03-30T11:30", "2026-03-30T11:30", 2),
            ]
        );
        // Helsinki is UTC+3 after the change to summer time on 29 March 2026.
        assert_eq!(t[0].starts_at_utc.as_deref(), Some("2026-03-29T06:30:00Z"));
    }

    #[test]
    fn no_start_no_schedule() {
        assert!(schedule(&session(json!({"agenda": [{"title": "x"}]}))).is_none());
    }

    #[test]
    fn spring_gap_moves_forward() {
        let tz: chrono_tz::Tz = "Europe/Brussels".parse().unwrap();
        let local = parse_local("2026-03-29T02:30").unwrap();
        assert_eq!(
            crate::schema::format_timestamp(to_utc(tz, local)),
            "2026-03-29T01:00:00Z"
        );
    }
}
