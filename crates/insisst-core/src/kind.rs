//! The kinds of record a workspace keeps (product.md, "What it keeps").

use crate::error::Error;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Question,
    Review,
    Session,
    Evaluation,
    Note,
    Method,
    Contact,
    Org,
    Attachment,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Question,
        Kind::Review,
        Kind::Session,
        Kind::Evaluation,
        Kind::Note,
        Kind::Method,
        Kind::Contact,
        Kind::Org,
        Kind::Attachment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Question => "question",
            Kind::Review => "review",
            Kind::Session => "session",
            Kind::Evaluation => "evaluation",
            Kind::Note => "note",
            Kind::Method => "method",
            Kind::Contact => "contact",
            Kind::Org => "org",
            Kind::Attachment => "attachment",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let lower = s.trim().to_ascii_lowercase();
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == lower)
            .or(match lower.as_str() {
                // Plurals and the long name are what people type.
                "questions" => Some(Kind::Question),
                "reviews" => Some(Kind::Review),
                "sessions" => Some(Kind::Session),
                "evaluations" => Some(Kind::Evaluation),
                "notes" => Some(Kind::Note),
                "methods" => Some(Kind::Method),
                "contacts" => Some(Kind::Contact),
                "orgs" | "organisation" | "organisations" | "organization" => Some(Kind::Org),
                "attachments" => Some(Kind::Attachment),
                _ => None,
            })
            .ok_or_else(|| Error::UnknownKind(s.to_string()))
    }
}
