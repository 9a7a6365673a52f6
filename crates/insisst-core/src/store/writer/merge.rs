//! Revisions that come from elsewhere (bundles), and conflicts resolved by a person.
//!
//! Merging follows design.md's rules: a known revision changes nothing; a leaf whose ancestry
//! holds the local winner fast-forwards; otherwise both branches stay and the deterministic
//! winner ([`crate::revision::winner_order`]) holds the record. Ancestors this workspace never
//! had are kept by rev only (stubs), so that the tree stays whole and an older bundle arriving
//! later is recognised as old.

use super::{Origin, RevisionAuthor, Writer};
use crate::error::{Error, Result, SqlContext};
use crate::kind::Kind;
use crate::revision::{canonical_map, Rev};
use crate::schema::format_timestamp;
use crate::store::{self, Record};
use rusqlite::params;
use serde_json::{Map, Value};

/// A record as a bundle carries it: every leaf revision the sender knows.
#[derive(Debug, Clone)]
pub struct IncomingRecord {
    pub id: String,
    pub kind: Kind,
    pub leaves: Vec<IncomingLeaf>,
}

#[derive(Debug, Clone)]
pub struct IncomingLeaf {
    pub rev: Rev,
    pub deleted: bool,
    pub by: RevisionAuthor,
    /// Parent first, oldest last.
    pub ancestry: Vec<Rev>,
    /// The canonical JSON of the content, already checked against `rev`; `None` when the
    /// reader skipped a revision this workspace knows (its content is not needed).
    pub canonical: Option<String>,
}

impl Writer<'_> {
    /// Whether this workspace knows revision `rev` of record `id`.
    pub(crate) fn knows(&self, id: &str, rev: &str) -> Result<bool> {
        Ok(store::revision_state(&self.tx, id, rev)?.is_some())
    }

    /// Adds the leaves of `incoming` this workspace does not know, and moves the record to its
    /// deterministic winner. Returns whether anything changed.
    pub fn merge_record(&mut self, incoming: &IncomingRecord) -> Result<bool> {
        let id = incoming.id.as_str();
        let local_kind = store::kind_of(&self.tx, id)?;
        if let Some(kind) = &local_kind {
            if kind != incoming.kind.as_str() {
                return Err(Error::Invalid(format!(
                    "record {id} is a {kind} here and a {} in the bundle",
                    incoming.kind
                )));
            }
        }
        let erased = self.is_erased(id)?;
        let mut changed = false;
        let mut last_written = None;
        for leaf in &incoming.leaves {
            let rev = leaf.rev.to_string();
            if self.knows(id, &rev)? {
                continue;
            }
            let canonical = leaf.canonical.as_deref().ok_or_else(|| {
                Error::Invalid(format!("revision {rev} of {id} arrived without content"))
            })?;
            let parent = leaf.ancestry.first().map(Rev::to_string);
            // A revision of an erased record is kept by rev only, as a deletion: the tree
            // stays whole (so older bundles stay recognisably old) and the person stays gone,
            // whatever order the bundles come in.
            let (content, deleted) = if erased {
                (None, true)
            } else {
                (Some(canonical), leaf.deleted)
            };
            self.insert_revision(id, &leaf.rev, parent.as_deref(), deleted, content, &leaf.by)?;
            for (i, ancestor) in leaf.ancestry.iter().enumerate() {
                let ancestor_text = ancestor.to_string();
                match store::revision_state(&self.tx, id, &ancestor_text)? {
                    Some(true) => {
                        self.retire_leaf(id, &ancestor_text)?;
                        break;
                    }
                    // Everything older is known too: ancestries are whole.
                    Some(false) => break,
                    None => {
                        let parent = leaf.ancestry.get(i + 1).map(Rev::to_string);
                        self.insert_stub(id, ancestor, parent.as_deref())?;
                    }
                }
            }
            changed = true;
            if !erased {
                last_written = Some((rev, canonical));
            }
        }
        if changed {
            let written = last_written.as_ref().map(|(r, c)| (r.as_str(), *c));
            self.settle_winner(incoming.kind, id, local_kind.is_some(), written)?;
        }
        Ok(changed)
    }

    fn insert_stub(&mut self, id: &str, rev: &Rev, parent: Option<&str>) -> Result<()> {
        let rev_text = rev.to_string();
        self.tx
            .prepare_cached(
                "INSERT INTO revisions (id, rev, generation, parent, deleted, is_leaf, content,
                                        author, author_org, node_id, created_at, stub)
                 VALUES (?1, ?2, ?3, ?4, 0, 0, NULL, '', NULL, '', '', 1)",
            )
            .and_then(|mut s| s.execute(params![id, rev_text, rev.generation as i64, parent]))
            .ctx(&format!("write ancestor {rev_text} of {id}"))?;
        Ok(())
    }

    /// Resolves the conflict of record `id`: keeps revision `pick`, or writes `merged` content,
    /// as a new revision on the winning branch, and closes every other live leaf with a
    /// tombstone. Every workspace that receives the result converges on it.
    pub fn resolve_conflict(
        &mut self,
        id: &str,
        pick: Option<&str>,
        merged: Option<Map<String, Value>>,
    ) -> Result<Record> {
        let current = self.get_any(id)?;
        let id = current.id.clone();
        let live: Vec<String> = self
            .leaves(&id)?
            .into_iter()
            .filter(|(_, deleted)| !deleted)
            .map(|(rev, _)| rev)
            .collect();
        if live.len() < 2 {
            return Err(Error::Invalid(format!(
                "{} has no conflict to resolve",
                current.label()
            )));
        }
        let content = match (pick, merged) {
            (Some(rev), None) => {
                let rev = rev.trim();
                if !live.iter().any(|l| l == rev) {
                    return Err(Error::Invalid(format!(
                        "{rev} is not one of the conflicting versions of {} ({})",
                        current.label(),
                        live.join(", ")
                    )));
                }
                if rev == current.rev {
                    None
                } else {
                    let text: Option<String> = self
                        .tx
                        .query_row(
                            "SELECT content FROM revisions WHERE id = ?1 AND rev = ?2",
                            params![id, rev],
                            |r| r.get(0),
                        )
                        .ctx("read a revision")?;
                    let text = text.ok_or_else(|| {
                        Error::Invalid(format!("revision {rev} of {id} has no content"))
                    })?;
                    Some(store::parse_content(&id, &text)?)
                }
            }
            (None, Some(merged)) => Some(merged),
            _ => {
                return Err(Error::Invalid(
                    "resolve a conflict with either a version to keep or merged content".into(),
                ))
            }
        };
        // What any version refers to may be kept: a partner's version can name contacts
        // this workspace never received.
        self.held_elsewhere = live
            .iter()
            .filter_map(|rev| {
                self.tx
                    .query_row(
                        "SELECT content FROM revisions WHERE id = ?1 AND rev = ?2",
                        params![id, rev],
                        |r| r.get::<_, Option<String>>(0),
                    )
                    .ok()
                    .flatten()
            })
            .filter_map(|text| store::parse_content(&id, &text).ok())
            .flat_map(|c| crate::schema::references(current.kind, &c))
            .map(|r| r.target)
            .collect();
        let written = match content {
            Some(content) => self.put(
                current.kind,
                &id,
                Some(&current),
                Some(content),
                None,
                Origin::Local,
            ),
            None => Ok(current.clone()),
        };
        self.held_elsewhere.clear();
        written?;
        let now = format_timestamp(self.clock.now());
        let by = RevisionAuthor {
            author: self.identity.owner.member.clone(),
            author_org: Some(self.identity.owner.org_name.clone()).filter(|o| !o.is_empty()),
            node_id: self.identity.node_id.clone(),
            time: now.clone(),
        };
        // The new revision continued the winner's branch; every other live leaf ends here.
        for loser in live.iter().filter(|rev| **rev != current.rev) {
            let parent = Rev::parse(loser)
                .ok_or_else(|| Error::Corrupt(format!("record {id} has revision `{loser}`")))?;
            let mut tomb = Map::new();
            tomb.insert("id".into(), Value::String(id.clone()));
            tomb.insert("kind".into(), Value::String(current.kind.as_str().into()));
            tomb.insert("updated_at".into(), Value::String(now.clone()));
            let canonical = canonical_map(&tomb);
            let rev = Rev::next_canonical(Some(&parent), true, &canonical);
            self.insert_revision(&id, &rev, Some(loser), true, Some(&canonical), &by)?;
            self.retire_leaf(&id, loser)?;
        }
        self.settle_winner(current.kind, &id, true, None)
    }
}
