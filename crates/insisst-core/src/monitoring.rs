//! The monitoring dashboard's figures, computed from the records: what the app charts and
//! `insisst stats --monitoring --json` prints, one structure for both.
//!
//! What each figure counts:
//! - **sessions held** per partner and quarter: live sessions with status `held`, by their
//!   host organisation (`host_org`) and the quarter of their start (local date);
//! - **participants reached** per pentagon sector: the sessions' `headcount` plus their named
//!   `participants` by each contact's `sector` (`unknown` without one), summed over sessions
//!   (a person at two sessions counts twice, as a headcount does); per country: the named
//!   participants by the contact's `country`, else their organisation's (headcounts carry no
//!   country);
//! - **agenda progress**: per review, its questions by status and the persistent ones (see
//!   `learning`);
//! - **evaluation scores**: the mean of each rated item per quarter of `recorded_at` (else the
//!   record's creation), over the evaluations of the sessions in scope, held or not;
//! - **experts involved**: distinct contacts as facilitators, as participants, both together,
//!   and those of them not on a partner's staff (`external`: their organisation is none of the
//!   seven partners and not marked `is_partner`).
//!
//! Filters: a period (`from`/`to`, inclusive days) selects sessions by start, reviews by
//! `taken_at` and evaluations by their day; a session without a start falls outside any
//! period (without a period it counts, in quarter `undated`). A partner selects sessions
//! it hosted (and so their participants, experts and evaluations) and, on the agenda, the
//! questions it owns. Persistence is counted over every review, whatever the period.

use crate::error::{Error, Result};
use crate::evaluation::{add_ratings, mean, recorded_day};
use crate::kind::Kind;
use crate::learning::{self, AgendaPoint};
use crate::store::{ListQuery, Record, Workspace};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the figures cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// An organisation's id.
    pub partner: Option<String>,
    pub persistence_threshold: usize,
}

impl Default for MonitoringFilter {
    fn default() -> Self {
        MonitoringFilter {
            from: None,
            to: None,
            partner: None,
            persistence_threshold: learning::DEFAULT_PERSISTENCE_THRESHOLD,
        }
    }
}

impl MonitoringFilter {
    fn in_period(&self, day: Option<NaiveDate>) -> bool {
        match day {
            Some(d) => self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t),
            None => self.from.is_none() && self.to.is_none(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerQuarter {
    /// The host organisation's id; empty for sessions without one.
    pub partner_id: String,
    pub partner: String,
    pub quarter: String,
    pub sessions: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorReach {
    /// One of the five pentagon sectors, or `unknown`.
    pub sector: String,
    pub headcount: u64,
    pub contacts: u64,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryReach {
    /// ISO 3166 alpha-2, or `unknown`.
    pub country: String,
    pub contacts: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterScore {
    pub quarter: String,
    pub item: String,
    pub responses: u64,
    pub sum: u64,
    /// `sum / responses`, rounded to two decimals.
    pub mean: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Experts {
    pub facilitators: u64,
    pub participants: u64,
    /// Distinct contacts in either role.
    pub distinct: u64,
    /// Of those, the ones not on a partner's staff.
    pub external: u64,
}

/// The dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Monitoring {
    pub filter: MonitoringFilter,
    /// The partner filter's name, when one is set.
    pub partner_name: Option<String>,
    /// Every quarter from the first to the last that any figure has (`2026-Q1`), in order;
    /// `undated` last when undated sessions count.
    pub quarters: Vec<String>,
    pub sessions_held_total: u64,
    /// Non-zero cells only, by partner name then quarter.
    pub sessions_held: Vec<PartnerQuarter>,
    /// The five sectors in pentagon order, then `unknown` if any.
    pub participants_by_sector: Vec<SectorReach>,
    /// Most participants first.
    pub participants_by_country: Vec<CountryReach>,
    pub agenda_progress: Vec<AgendaPoint>,
    /// By quarter, then item (fixed items first).
    pub evaluation_scores: Vec<QuarterScore>,
    pub experts: Experts,
}

pub fn quarter(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), day.month0() / 3 + 1)
}

fn session_day(s: &Record) -> Option<NaiveDate> {
    crate::schema::parse_local(s.str("starts_at")?).map(|t| t.date())
}

fn list(ws: &Workspace, kind: Kind) -> Result<Vec<Record>> {
    ws.list(&ListQuery {
        kind: Some(kind),
        ..Default::default()
    })
}

fn ids(r: &Record, field: &str) -> Vec<String> {
    r.content
        .get(field)
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Computes the dashboard's figures for `filter`.
pub fn compute(ws: &Workspace, filter: &MonitoringFilter) -> Result<Monitoring> {
    if let (Some(f), Some(t)) = (filter.from, filter.to) {
        if t < f {
            return Err(Error::Invalid(format!(
                "the period ends ({t}) before it starts ({f})"
            )));
        }
    }
    let partner_name = match &filter.partner {
        Some(p) => {
            let org = ws.get(p)?;
            if org.kind != Kind::Org {
                return Err(Error::Invalid(format!(
                    "{} is not an organisation",
                    org.label()
                )));
            }
            Some(org.title().to_string())
        }
        None => None,
    };
    let orgs: HashMap<String, Record> = list(ws, Kind::Org)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let contacts: HashMap<String, Record> = list(ws, Kind::Contact)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let all_sessions = list(ws, Kind::Session)?;
    let hosted = |s: &Record| {
        filter
            .partner
            .as_deref()
            .is_none_or(|p| s.str("host_org") == Some(p))
    };
    let sessions: Vec<&Record> = all_sessions
        .iter()
        .filter(|s| s.str("status") == Some("held") && hosted(s))
        .filter(|s| filter.in_period(session_day(s)))
        .collect();

    let mut quarters: BTreeSet<String> = BTreeSet::new();
    let mut undated = false;

    // Sessions held per partner and quarter.
    let mut held: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for s in &sessions {
        let q = match session_day(s) {
            Some(d) => {
                let q = quarter(d);
                quarters.insert(q.clone());
                q
            }
            None => {
                undated = true;
                "undated".to_string()
            }
        };
        let host = s.str("host_org").unwrap_or_default().to_string();
        let name = if host.is_empty() {
            "(no host)".to_string()
        } else {
            orgs.get(&host)
                .map(|o| o.title().to_string())
                .unwrap_or_else(|| host.clone())
        };
        *held.entry((name, host, q)).or_default() += 1;
    }
    let sessions_held: Vec<PartnerQuarter> = held
        .into_iter()
        .map(
            |((partner, partner_id, quarter), sessions)| PartnerQuarter {
                partner_id,
                partner,
                quarter,
                sessions,
            },
        )
        .collect();

    // Participants reached, and experts.
    let mut by_sector: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
    let mut facilitators: BTreeSet<String> = BTreeSet::new();
    let mut participants: BTreeSet<String> = BTreeSet::new();
    for s in &sessions {
        if let Some(counts) = s.content.get("headcount").and_then(|v| v.as_object()) {
            for (sector, n) in counts {
                by_sector.entry(sector.clone()).or_default().0 += n.as_u64().unwrap_or(0);
            }
        }
        for c in ids(s, "participants") {
            let contact = contacts.get(&c);
            let sector = contact
                .and_then(|r| r.str("sector"))
                .unwrap_or("unknown")
                .to_string();
            by_sector.entry(sector).or_default().1 += 1;
            let country = contact
                .and_then(|r| {
                    r.str("country")
                        .or_else(|| orgs.get(r.str("org_id")?).and_then(|o| o.str("country")))
                })
                .unwrap_or("unknown")
                .to_string();
            *by_country.entry(country).or_default() += 1;
            participants.insert(c);
        }
        facilitators.extend(ids(s, "facilitators"));
    }
    let mut participants_by_sector: Vec<SectorReach> = crate::schema::SECTOR
        .iter()
        .chain(&["unknown"])
        .filter_map(|sector| {
            let (headcount, contacts) = by_sector.get(*sector).copied().unwrap_or((0, 0));
            (*sector != "unknown" || headcount + contacts > 0).then(|| SectorReach {
                sector: sector.to_string(),
                headcount,
                contacts,
                total: headcount + contacts,
            })
        })
        .collect();
    participants_by_sector.shrink_to_fit();
    let mut participants_by_country: Vec<CountryReach> = by_country
        .into_iter()
        .map(|(country, contacts)| CountryReach { country, contacts })
        .collect();
    participants_by_country.sort_by(|a, b| {
        b.contacts
            .cmp(&a.contacts)
            .then_with(|| (a.country == "unknown").cmp(&(b.country == "unknown")))
            .then_with(|| a.country.cmp(&b.country))
    });
    let everyone: BTreeSet<&String> = facilitators.iter().chain(&participants).collect();
    let on_partner_staff = |id: &str| {
        contacts
            .get(id)
            .and_then(|c| c.str("org_id"))
            .is_some_and(|org| {
                crate::partners::PARTNERS.iter().any(|p| p.id == org)
                    || orgs
                        .get(org)
                        .and_then(|o| o.content.get("is_partner"))
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(false)
            })
    };
    let experts = Experts {
        facilitators: facilitators.len() as u64,
        participants: participants.len() as u64,
        distinct: everyone.len() as u64,
        external: everyone.iter().filter(|c| !on_partner_staff(c)).count() as u64,
    };

    // Agenda progress.
    let reviews = learning::reviews(ws)?;
    let owner = filter.partner.clone();
    let agenda_progress: Vec<AgendaPoint> =
        learning::agenda_progress(&reviews, filter.persistence_threshold.max(1), &|e| {
            owner
                .as_deref()
                .is_none_or(|p| e.snapshot.owner_org.as_deref() == Some(p))
        })
        .into_iter()
        .filter(|p| {
            let day = p
                .taken_at
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            filter.in_period(day)
        })
        .inspect(|p| {
            if let Some(d) = p
                .taken_at
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                quarters.insert(quarter(d));
            }
        })
        .collect();

    // Evaluation scores per quarter.
    let in_scope: BTreeSet<&str> = all_sessions
        .iter()
        .filter(|s| hosted(s))
        .map(|s| s.id.as_str())
        .collect();
    let mut sums: BTreeMap<String, HashMap<String, (u64, u64)>> = BTreeMap::new();
    for e in list(ws, Kind::Evaluation)? {
        if !e.str("session_id").is_some_and(|s| in_scope.contains(s)) {
            continue;
        }
        let day = recorded_day(&e);
        if !filter.in_period(day) {
            continue;
        }
        let Some(day) = day else { continue };
        let q = quarter(day);
        quarters.insert(q.clone());
        add_ratings(&e, sums.entry(q).or_default());
    }
    let mut evaluation_scores = vec![];
    for (q, items) in sums {
        let mut items: Vec<(String, (u64, u64))> = items.into_iter().collect();
        items.sort_by_key(|(i, _)| crate::evaluation::item_order(i));
        for (item, (sum, n)) in items {
            evaluation_scores.push(QuarterScore {
                quarter: q.clone(),
                item,
                responses: n,
                sum,
                mean: mean(sum, n),
            });
        }
    }

    let mut quarters = fill_quarters(&quarters);
    if undated {
        quarters.push("undated".into());
    }
    Ok(Monitoring {
        filter: filter.clone(),
        partner_name,
        quarters,
        sessions_held_total: sessions.len() as u64,
        sessions_held,
        participants_by_sector,
        participants_by_country,
        agenda_progress,
        evaluation_scores,
        experts,
    })
}

/// Every quarter from the first to the last of `seen`, gaps included: a chart's axis.
fn fill_quarters(seen: &BTreeSet<String>) -> Vec<String> {
    let parse = |q: &str| -> Option<(i32, u32)> {
        let (y, n) = q.split_once("-Q")?;
        Some((y.parse().ok()?, n.parse().ok()?))
    };
    let (Some(first), Some(last)) = (
        seen.first().and_then(|q| parse(q)),
        seen.last().and_then(|q| parse(q)),
    ) else {
        return vec![];
    };
    let mut out = vec![];
    let (mut y, mut n) = first;
    while (y, n) <= last && out.len() < 400 {
        out.push(format!("{y}-Q{n}"));
        (y, n) = if n == 4 { (y + 1, 1) } else { (y, n + 1) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_fill_the_gaps() {
        let seen: BTreeSet<String> = ["2025-Q4", "2026-Q3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            fill_quarters(&seen),
            ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
        );
        assert_eq!(
            quarter(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()),
            "2026-Q1"
        );
        assert_eq!(
            quarter(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()),
            "2026-Q2"
        );
    }
}
