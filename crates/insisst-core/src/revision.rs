//! Revision ids, CouchDB style: `<generation>-<hash>`, the hash taken over the canonical JSON
//! of the content, the deleted flag and the parent revision. Two workspaces that make the same
//! change on the same parent get the same revision id, which is what lets merges recognise
//! what they already have.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::fmt::Write;

/// Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant whitespace.
/// Written by hand rather than trusting `serde_json::Map`'s order, which a dependency's
/// `preserve_order` feature would silently change for the whole build.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

/// Canonical JSON of an object, without wrapping (and so copying) it in a `Value` first.
pub fn canonical_map(map: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(256);
    write_object(map, &mut out);
    out
}

fn write_object(map: &Map<String, Value>, out: &mut String) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(k, out);
        out.push(':');
        write_canonical(v, out);
    }
    out.push('}');
}

/// A JSON string exactly as serde_json escapes it (so that hashes never change with the
/// writer): `"` and `\\`, the short escapes, other control characters as `\u00xx`.
pub(crate) fn write_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => write_object(map, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

/// The highest generation a revision may have.
pub const MAX_GENERATION: u64 = 1 << 48;

/// A parsed revision id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rev {
    pub generation: u64,
    pub hash: String,
}

impl Rev {
    pub fn parse(s: &str) -> Option<Rev> {
        let (g, h) = s.split_once('-')?;
        // Digits only, no leading zero: one revision has one spelling.
        if g.is_empty() || g.starts_with('0') || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let generation: u64 = g.parse().ok()?;
        // Far beyond any real history, far from overflow: arithmetic on generations (and
        // their storage as SQLite integers) stays safe for revs from elsewhere.
        if generation > MAX_GENERATION {
            return None;
        }
        let valid_hash = h.len() == 32
            && h.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        (generation >= 1 && valid_hash).then(|| Rev {
            generation,
            hash: h.to_string(),
        })
    }

    /// The revision that follows `parent` with this content.
    pub fn next(parent: Option<&Rev>, deleted: bool, content: &Map<String, Value>) -> Rev {
        Rev::next_canonical(parent, deleted, &canonical_map(content))
    }

    /// As [`Rev::next`], for content already in canonical JSON.
    pub fn next_canonical(parent: Option<&Rev>, deleted: bool, canonical: &str) -> Rev {
        let mut hasher = Sha256::new();
        hasher.update(parent.map(Rev::to_string).unwrap_or_default().as_bytes());
        hasher.update([0, u8::from(deleted), 0]);
        hasher.update(canonical.as_bytes());
        let digest = hasher.finalize();
        let mut hash = String::with_capacity(32);
        for b in &digest[..16] {
            let _ = write!(hash, "{b:02x}");
        }
        Rev {
            generation: parent.map_or(1, |p| p.generation + 1),
            hash,
        }
    }
}

impl std::fmt::Display for Rev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.generation, self.hash)
    }
}

/// CouchDB's deterministic winner among leaves: a live leaf beats a deleted one, then the
/// higher generation, then the higher hash. Every workspace that holds the same leaves picks
/// the same one, whatever order they arrived in.
pub fn winner_order(a: (&Rev, bool), b: (&Rev, bool)) -> Ordering {
    let (ra, deleted_a) = a;
    let (rb, deleted_b) = b;
    (!deleted_a, ra.generation, &ra.hash).cmp(&(!deleted_b, rb.generation, &rb.hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v = json!({"b": 1, "a": {"d": [3, {"z": 0, "y": "ø"}], "c": null}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":null,"d":[3,{"y":"ø","z":0}]},"b":1}"#
        );
    }

    #[test]
    fn revisions_chain_and_parse() {
        let content = json!({"title": "Ålborg"}).as_object().unwrap().clone();
        let first = Rev::next(None, false, &content);
        assert_eq!(first.generation, 1);
        let second = Rev::next(Some(&first), false, &content);
        assert_eq!(second.generation, 2);
        assert_ne!(first.hash, second.hash, "the parent is part of the hash");
        assert_eq!(Rev::parse(&second.to_string()), Some(second));
        assert_ne!(
            Rev::next(None, true, &content),
            first,
            "deletion is part of the hash"
        );
        for bad in [
            "",
            "1",
            "0-00000000000000000000000000000000",
            "x-1",
            "1-ABC",
            "1-abc",
        ] {
            assert_eq!(Rev::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn live_leaves_win_then_generation_then_hash() {
        let a = Rev::parse("2-00000000000000000000000000000001").unwrap();
        let b = Rev::parse("3-00000000000000000000000000000000").unwrap();
        assert_eq!(winner_order((&b, false), (&a, false)), Ordering::Greater);
        assert_eq!(winner_order((&b, true), (&a, false)), Ordering::Less);
        let c = Rev::parse("2-00000000000000000000000000000002").unwrap();
        assert_eq!(winner_order((&c, false), (&a, false)), Ordering::Greater);
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("\\PC{0,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn strings_escape_as_serde_json_does(s in "\\PC{0,40}|[\\x00-\\x1f\"\\\\]{0,8}") {
            let mut ours = String::new();
            write_string(&s, &mut ours);
            prop_assert_eq!(ours, serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn canonical_json_round_trips(v in arb_json()) {
            let text = canonical_json(&v);
            let back: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&back, &v);
            prop_assert_eq!(canonical_json(&back), text);
        }
    }
}
