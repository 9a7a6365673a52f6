//! The seven consortium partners, present in every workspace from the first start.
//!
//! Their ids, content and timestamps are constants, so their first revisions are
//! byte-identical everywhere: the same records in every workspace, never in conflict.

use crate::kind::Kind;
use serde_json::{json, Map, Value};

pub struct Partner {
    pub id: &'static str,
    pub name: &'static str,
    /// What people type: `--org THL`.
    pub short_name: &'static str,
    pub aliases: &'static [&'static str],
    pub country: &'static str,
    pub sector: &'static str,
    pub website: Option<&'static str>,
    pub coordinator: bool,
}

/// When the seeded revisions say they were written. A constant, like the rest of them.
pub const SEEDED_AT: &str = "2024-01-01T00:00:00Z";

pub const PARTNERS: [Partner; 7] = [
    Partner {
        id: "0190b3a0-0000-7000-8000-000000000001",
        name: "Sociale InnovatieFabriek",
        short_name: "SIF",
        aliases: &["Sociale Innovatiefabriek", "Social Innovation Factory"],
        country: "BE",
        sector: "non_profit",
        website: Some("https://www.socialeinnovatiefabriek.be"),
        coordinator: true,
    },
    Partner {
        id: "0190b3a0-0000-7000-8000-000000000002",
        name: "Rethink Ireland",
        short_name: "Rethink",
        aliases: &[],
        country: "IE",
        sector: "non_profit",
        website: Some("https://rethinkireland.ie"),
        coordinator: false,
    },
    Partner {
        id: "0190b3a0-0000-7000-8000-000000000003",
        name: "Genio",
        short_name: "Genio",
        aliases: &[],
        country: "IE",
        sector: "non_profit",
        website: Some("https://www.genio.ie"),
        coordinator: false,
    },
    Partner {
        id: "0190b3a0-0000-7000-8000-000000000004",
        name: "THL — Finnish Institute for Health and Welfare",
        short_name: "THL",
        aliases: &[
            "Finnish Institute for Health and Welfare",
            "Terveyden ja hyvinvoinnin laitos",
        ],
        country: "FI",
        sector: "government",
        website: Some("https://thl.fi"),
        coordinator: false,
    },
    Partner {
        id: "0190b3a0-0000-7000-8000-000000000005",
        name: "MoLSA — Ministry of Labour and Social Affairs",
        short_name: "MoLSA",
        aliases: &["Ministry of Labour and Social Affairs", "MPSV"],
        country: "CZ",
        sector: "government",
        website: Some("https://www.mpsv.cz"),
        coordinator: false,
    },
    Partner {
        id: "0190b3a0-0000-7000-8000-000000000006",
        name: "Shipyard Foundation",
        short_name: "Shipyard",
        aliases: &["Fundacja Stocznia", "Stocznia"],
        country: "PL",
        sector: "non_profit",
        website: Some("https://stocznia.org.pl"),
        coordinator: false,
    },
    Partner {
        id: "0190b3a0-0000-7000-8000-000000000007",
        name: "Social Innovation Academy",
        short_name: "SIA",
        aliases: &[],
        country: "DK",
        sector: "non_profit",
        website: None,
        coordinator: false,
    },
];

impl Partner {
    /// The record content of the seeded first revision (store-owned fields included).
    pub fn content(&self) -> Map<String, Value> {
        let mut tags = vec!["partner"];
        if self.coordinator {
            tags.push("coordinator");
        }
        let mut v = json!({
            "id": self.id,
            "kind": Kind::Org.as_str(),
            "title": self.name,
            "country": self.country,
            "sector": self.sector,
            "is_partner": true,
            "tags": tags,
            "created_at": SEEDED_AT,
            "updated_at": SEEDED_AT,
        });
        if let Some(w) = self.website {
            v["website"] = json!(w);
        }
        v.as_object().cloned().unwrap_or_default()
    }

    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim();
        q.eq_ignore_ascii_case(self.short_name)
            || q.to_lowercase() == self.name.to_lowercase()
            || self
                .aliases
                .iter()
                .any(|a| a.to_lowercase() == q.to_lowercase())
    }
}

/// The partner a person means by `query` (name, short name or alias, any case).
pub fn find(query: &str) -> Option<&'static Partner> {
    PARTNERS.iter().find(|p| p.matches(query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partners_are_found_by_what_people_type() {
        assert_eq!(find("thl").unwrap().country, "FI");
        assert_eq!(find("molsa").unwrap().country, "CZ");
        assert_eq!(find("Genio").unwrap().country, "IE");
        assert_eq!(find("rethink ireland").unwrap().short_name, "Rethink");
        assert_eq!(find("stocznia").unwrap().country, "PL");
        assert!(find("Acme").is_none());
    }

    #[test]
    fn seeded_content_is_valid() {
        for p in &PARTNERS {
            crate::schema::validate(Kind::Org, &p.content(), p.name).unwrap();
            uuid::Uuid::parse_str(p.id).unwrap();
        }
    }
}
