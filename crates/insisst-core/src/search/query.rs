//! The search box's little language: words, `"phrases"`, `-exclusions`, and filters
//! (`kind:`, `tag:`, `org:`, `country:`, `sector:`, `status:`, `lang:`, `before:`, `after:`).
//!
//! Parsing never fails: whatever does not parse as syntax is searched as plain words, so a
//! stray quote or a bad date is never an error page.

use crate::kind::Kind;
use chrono::NaiveDate;

/// At most this many clauses are taken from one query; the rest is ignored.
pub const MAX_CLAUSES: usize = 32;
/// Words longer than this are cut (no real word is; a pasted blob must not blow up queries).
pub const MAX_WORD_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Kind(Kind),
    Tag(String),
    Org(String),
    Country(String),
    Sector(String),
    Status(String),
    Lang(String),
    /// Records dated before this day (exclusive).
    Before(NaiveDate),
    /// Records dated on or after this day.
    After(NaiveDate),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Word(String),
    Phrase(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub include: Vec<Clause>,
    pub exclude: Vec<Clause>,
    pub filters: Vec<Filter>,
    /// The last included word is still being typed: match it as a prefix too.
    pub prefix_last: bool,
}

impl ParsedQuery {
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.include.iter().filter_map(|c| match c {
            Clause::Word(w) => Some(w.as_str()),
            Clause::Phrase(_) => None,
        })
    }
}

/// Parses `input`. With `as_you_type`, a last word not followed by a space is a prefix.
pub fn parse(input: &str, as_you_type: bool) -> ParsedQuery {
    let mut q = ParsedQuery::default();
    let mut last_was_word = false;
    for raw in split(input).into_iter().take(MAX_CLAUSES) {
        last_was_word = false;
        let (negated, quoted, text) = raw;
        if quoted {
            let phrase = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if phrase.is_empty() {
                continue;
            }
            let clause = if phrase.contains(' ') {
                Clause::Phrase(phrase)
            } else {
                Clause::Word(cut(&phrase))
            };
            if negated {
                q.exclude.push(clause);
            } else {
                q.include.push(clause);
            }
            continue;
        }
        if !negated {
            if let Some(filter) = parse_filter(&text) {
                q.filters.push(filter);
                continue;
            }
        }
        let word = cut(&text);
        if word.chars().all(|c| !c.is_alphanumeric()) {
            continue;
        }
        if negated {
            q.exclude.push(Clause::Word(word));
        } else {
            q.include.push(Clause::Word(word));
            last_was_word = true;
        }
    }
    let ends_open = !input.ends_with(char::is_whitespace) && !input.ends_with('"');
    q.prefix_last = as_you_type && ends_open && last_was_word;
    q
}

fn cut(word: &str) -> String {
    word.chars().take(MAX_WORD_CHARS).collect()
}

/// Splits into `(negated, quoted, text)` pieces. An unclosed quote runs to the end.
fn split(input: &str) -> Vec<(bool, bool, String)> {
    let mut out = vec![];
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' {
            chars.next();
            match chars.peek() {
                Some(n) if !n.is_whitespace() => negated = true,
                _ => continue,
            }
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut text = String::new();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(c);
            }
            out.push((negated, true, text));
        } else {
            let mut text = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                text.push(c);
                chars.next();
            }
            out.push((negated, false, text));
        }
    }
    out
}

fn parse_filter(token: &str) -> Option<Filter> {
    let (key, value) = token.split_once(':')?;
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let lower = value.to_lowercase();
    Some(match key.to_ascii_lowercase().as_str() {
        "kind" | "type" => Filter::Kind(value.parse().ok()?),
        "tag" => Filter::Tag(lower.trim_start_matches('#').to_string()),
        "org" | "organisation" | "organization" => Filter::Org(value.to_string()),
        "country" => Filter::Country(value.to_ascii_uppercase()),
        "sector" => Filter::Sector(lower.replace('-', "_")),
        "status" => Filter::Status(lower),
        "lang" | "language" => Filter::Lang(lower),
        "before" => Filter::Before(NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?),
        "after" => Filter::After(NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn w(s: &str) -> Clause {
        Clause::Word(s.into())
    }

    #[test]
    fn words_phrases_exclusions_and_filters() {
        let q = parse(
            r#"Århus "peer exchange" -draft kind:session tag:#Youth after:2026-01-01 co-creat"#,
            true,
        );
        assert_eq!(
            q.include,
            vec![
                w("Århus"),
                Clause::Phrase("peer exchange".into()),
                w("co-creat")
            ]
        );
        assert_eq!(q.exclude, vec![w("draft")]);
        assert_eq!(
            q.filters,
            vec![
                Filter::Kind(Kind::Session),
                Filter::Tag("youth".into()),
                Filter::After(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
            ]
        );
        assert!(q.prefix_last);
        assert!(!parse("co-creat ", true).prefix_last);
        assert!(!parse("co-creat", false).prefix_last);
    }

    #[test]
    fn what_does_not_parse_is_searched_as_words() {
        let q = parse(r#"before:someday kind:widget "unclosed phrase"#, false);
        assert_eq!(
            q.include,
            vec![
                w("before:someday"),
                w("kind:widget"),
                Clause::Phrase("unclosed phrase".into())
            ]
        );
        assert!(q.filters.is_empty());
        assert_eq!(parse(" - -- \"\" ", true), ParsedQuery::default());
    }

    proptest! {
        #[test]
        fn any_input_parses_within_limits(s in "\\PC{0,300}") {
            let q = parse(&s, true);
            prop_assert!(q.include.len() + q.exclude.len() + q.filters.len() <= MAX_CLAUSES);
            for c in q.include.iter().chain(&q.exclude) {
                if let Clause::Word(w) = c {
                    prop_assert!(w.chars().count() <= MAX_WORD_CHARS);
                }
            }
        }
    }
}
