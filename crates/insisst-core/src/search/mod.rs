//! Search: one tantivy index in the workspace's `index/` folder, derived from SQLite.
//!
//! Text is indexed three ways: exact (lower-cased, diacritics kept), folded (ASCII folding)
//! and stemmed in the record's language (six stemmers; stem, then fold). Queries hit all of
//! them with the exact fields boosted, so `Århus` ranks exact matches first and `arhus` still
//! finds them. The index stores the change sequence it has reached in its commit payload and
//! catches up from there; when it is missing, damaged or of another schema it is rebuilt.
//! Only one process holds the index writer; another one searches read-only and its writes
//! reach the index through the change sequence.

pub mod analysis;
pub mod background;
pub mod query;

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::store::{Record, Workspace};
use analysis::{analyze, stem_analyzer_name, EXACT, FOLDED, STEMMED_LANGUAGES};
use query::{Clause, Filter, ParsedQuery};
use serde_json::Value;
use std::collections::HashMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::AggregationCollector;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::Value as TantivyValue;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing,
    TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Bump when the fields or analyzers change: an index of another version is rebuilt.
pub const INDEX_SCHEMA_VERSION: u64 = 2;
pub const DEFAULT_LIMIT: usize = 20;
const FACET_SIZE: u32 = 20;
/// Writer memory: small for the steady trickle of saves, larger for a rebuild.
const WRITER_HEAP: usize = 32 << 20;
const REBUILD_HEAP: usize = 96 << 20;
/// From this many changed records on, catching up rebuilds the index instead.
const REBUILD_ABOVE: usize = 20_000;
const SNIPPET_CHARS: usize = 180;

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    tag: Field,
    org: Field,
    org_id: Field,
    org_text: Field,
    country: Field,
    sector: Field,
    status: Field,
    lang: Field,
    date: Field,
    title_exact: Field,
    title_folded: Field,
    body_exact: Field,
    body_folded: Field,
    stems: [Field; 6],
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_with = |analyzer: &str, stored: bool, record: IndexRecordOption| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(record),
        );
        if stored {
            opts.set_stored()
        } else {
            opts
        }
    };
    let text = |analyzer: &str, stored: bool| {
        text_with(analyzer, stored, IndexRecordOption::WithFreqsAndPositions)
    };
    let date_opts = DateOptions::from(INDEXED | FAST).set_precision(DateTimePrecision::Seconds);
    // Stems without positions: phrases are matched on the exact and folded fields, and
    // positions for a third copy of every body cost a good share of indexing time.
    let stems = STEMMED_LANGUAGES.map(|lang| {
        b.add_text_field(
            &format!("stem_{lang}"),
            text_with(
                &stem_analyzer_name(lang),
                false,
                IndexRecordOption::WithFreqs,
            ),
        )
    });

    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        tag: b.add_text_field("tag", STRING | FAST),
        org: b.add_text_field("org", STRING | FAST),
        org_id: b.add_text_field("org_id", STRING),
        org_text: b.add_text_field("org_text", text(FOLDED, false)),
        country: b.add_text_field("country", STRING),
        sector: b.add_text_field("sector", STRING),
        status: b.add_text_field("status", STRING),
        lang: b.add_text_field("lang", STRING),
        date: b.add_date_field("date", date_opts),
        title_exact: b.add_text_field("title_exact", text(EXACT, true)),
        title_folded: b.add_text_field("title_folded", text(FOLDED, false)),
        body_exact: b.add_text_field("body_exact", text(EXACT, false)),
        body_folded: b.add_text_field("body_folded", text(FOLDED, true)),
        stems,
    };
    (b.build(), fields)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    pub limit: usize,
    /// The last word is still being typed: match it as a prefix.
    pub as_you_type: bool,
    pub kind: Option<Kind>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: DEFAULT_LIMIT,
            as_you_type: false,
            kind: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// Sanitised HTML: text escaped, matches in `<b>`.
    pub snippet: String,
    pub score: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    pub kind: Vec<(String, u64)>,
    pub tag: Vec<(String, u64)>,
    pub org: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
    /// Nothing matched exactly; these are the typo-tolerant matches.
    pub fuzzy: bool,
}

/// What opening (or syncing) the index did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub rebuilt: bool,
    /// Records (re)indexed.
    pub indexed: usize,
    /// Another process holds the writer: this one searches what that one commits.
    pub read_only: bool,
}

pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    f: Fields,
    writer: Mutex<Option<IndexWriter>>,
    /// Held while this process owns the index (see [`SearchIndex::open`]).
    owner_lock: Mutex<Option<std::fs::File>>,
    /// The workspace the index belongs to, recorded in every commit.
    node: String,
    /// The change sequence of the last commit this process saw (from the payload on open,
    /// then from its own commits): the follower compares it every poll without reading
    /// the index's meta file.
    committed_seq: std::sync::atomic::AtomicI64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn terr(context: &str, path: &Path) -> impl FnOnce(tantivy::TantivyError) -> Error {
    let context = context.to_string();
    let path = path.to_path_buf();
    move |e| Error::Index {
        path,
        message: format!("{context}: {e}"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Payload {
    seq: i64,
    schema: u64,
    /// The node id of the workspace indexed: an index beside another database is rebuilt.
    node: String,
}

fn read_payload(index: &Index) -> Option<Payload> {
    let text = index.load_metas().ok()?.payload?;
    let v: Value = serde_json::from_str(&text).ok()?;
    Some(Payload {
        seq: v.get("seq")?.as_i64()?,
        schema: v.get("schema")?.as_u64()?,
        node: v.get("node")?.as_str()?.to_string(),
    })
}

/// Takes `index.lock` in the workspace folder if no other process holds it.
fn try_owner_lock(root: &Path) -> Result<Option<std::fs::File>> {
    let path = root.join("index.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("open {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(Error::io(format!("lock {}", path.display()), e))
        }
    }
}

impl SearchIndex {
    /// Opens the index of `ws` and brings it up to date: catches up from the change sequence
    /// it recorded, or rebuilds it when it is missing, damaged or of another schema version.
    /// When another process holds the writer, opens read-only.
    pub fn open(ws: &Workspace) -> Result<(SearchIndex, SyncReport)> {
        let dir = ws.root().join(crate::store::INDEX_DIR);
        let (schema, f) = build_schema();
        // Whoever holds `index.lock` owns the index: only the owner may clear, rebuild or
        // write it. Another process (the CLI beside the app) opens it read-only and never
        // deletes what the owner may be building.
        let owner_lock = try_owner_lock(ws.root())?;
        let valid = |index: &Index| {
            index.schema() == schema
                && read_payload(index).is_some_and(|p| {
                    p.schema == INDEX_SCHEMA_VERSION
                        && p.node == ws.identity().node_id
                        && p.seq <= ws.change_seq().unwrap_or(i64::MAX)
                })
        };
        let (index, fresh) = match (&owner_lock, Index::open_in_dir(&dir)) {
            (_, Ok(index)) if valid(&index) => (index, false),
            (None, Ok(index)) => (index, false),
            (None, Err(_)) => return Err(Error::IndexBusy { path: dir }),
            (Some(_), _) => {
                // Missing, damaged, of another schema, or of another database (a folder
                // copied or restored beside it): start over. SQLite has everything.
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)
                        .map_err(|e| Error::io(format!("clear {}", dir.display()), e))?;
                }
                std::fs::create_dir_all(&dir)
                    .map_err(|e| Error::io(format!("create {}", dir.display()), e))?;
                let index =
                    Index::create_in_dir(&dir, schema).map_err(terr("create the index", &dir))?;
                (index, true)
            }
        };
        analysis::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(terr("open the index reader", &dir))?;
        let writer = match &owner_lock {
            Some(_) => Some(
                index
                    .writer_with_num_threads(1, WRITER_HEAP)
                    .map_err(terr("open the index writer", &dir))?,
            ),
            None => None,
        };
        let read_only = writer.is_none();
        let si = SearchIndex {
            dir,
            index,
            reader,
            f,
            writer: Mutex::new(writer),
            owner_lock: Mutex::new(owner_lock),
            node: ws.identity().node_id.clone(),
            committed_seq: std::sync::atomic::AtomicI64::new(0),
        };
        si.committed_seq.store(
            read_payload(&si.index).map_or(0, |p| p.seq),
            std::sync::atomic::Ordering::SeqCst,
        );
        let mut report = SyncReport {
            read_only,
            ..Default::default()
        };
        if !read_only {
            if fresh {
                report.indexed = si.rebuild(ws, &mut |_, _| {})?;
                report.rebuilt = true;
            } else {
                report.indexed = si.sync(ws)?;
            }
        }
        Ok((si, report))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_writer(&self) -> bool {
        self.writer.lock().map(|w| w.is_some()).unwrap_or(false)
    }

    /// Tries again to become the owner and writer (the process that was may have quit).
    pub fn try_acquire_writer(&self) -> bool {
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let mut lock = self.owner_lock.lock().unwrap_or_else(|e| e.into_inner());
            if lock.is_none() {
                let root = self.dir.parent().unwrap_or(&self.dir);
                *lock = try_owner_lock(root).ok().flatten();
            }
            if lock.is_some() {
                if let Ok(w) = self.index.writer_with_num_threads(1, WRITER_HEAP) {
                    *guard = Some(w);
                    // The previous owner committed meanwhile: continue from where it stopped.
                    self.committed_seq.store(
                        read_payload(&self.index).map_or(0, |p| p.seq),
                        std::sync::atomic::Ordering::SeqCst,
                    );
                }
            }
        }
        guard.is_some()
    }

    /// The change sequence the index has reached.
    pub fn indexed_seq(&self) -> i64 {
        self.committed_seq.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Indexes what changed in `ws` since the index's change sequence. Returns how many
    /// records were (re)indexed; 0 when read-only.
    pub fn sync(&self, ws: &Workspace) -> Result<usize> {
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let Some(writer) = guard.as_mut() else {
            return Ok(0);
        };
        let from = self.indexed_seq();
        let changes = ws.changes_since(from)?;
        if changes.is_empty() {
            return Ok(0);
        }
        if changes.len() >= REBUILD_ABOVE {
            // A large import: indexing everything with the rebuild's bigger, two-thread
            // writer is faster than replacing that many documents one by one.
            drop(guard);
            let indexed = self.rebuild(ws, &mut |_, _| {})?;
            let mut erased = false;
            for (id, _, deleted) in &changes {
                erased = erased || (*deleted && ws.is_erased(id)?);
            }
            if erased {
                let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
                self.purge_deleted(&mut guard)?;
            }
            return Ok(indexed);
        }
        let mut orgs = OrgNames::default();
        let mut last = from;
        let mut ids: Vec<String> = Vec::with_capacity(changes.len());
        for (id, seq, _) in &changes {
            last = last.max(*seq);
            ids.push(id.clone());
            // Records carry their organisation's name: when an organisation changes, the
            // records that refer to it are indexed again.
            if ws.get_any(id)?.kind == Kind::Org {
                ids.extend(ws.referrers(id)?);
            }
        }
        ids.sort();
        ids.dedup();
        let mut erased = false;
        for id in &ids {
            writer.delete_term(Term::from_field_text(self.f.id, id));
            let record = ws.get_any(id)?;
            if !record.deleted {
                writer
                    .add_document(self.document(ws, &record, &mut orgs)?)
                    .map_err(terr("index a record", &self.dir))?;
            } else if record.kind == Kind::Contact && ws.is_erased(id)? {
                erased = true;
            }
        }
        self.commit(writer, last)?;
        if erased {
            // A deleted document stays in its segment's files until the segment is merged:
            // a forgotten person must leave the files now, not at some later merge.
            self.purge_deleted(&mut guard)?;
        }
        Ok(ids.len())
    }

    /// Rewrites the index without the documents deleted so far: waits for merges under way,
    /// merges every segment into one, and removes the files nothing refers to any more.
    /// What `forget` needs so that an erased person is gone from the index's files.
    fn purge_deleted(
        &self,
        guard: &mut std::sync::MutexGuard<'_, Option<IndexWriter>>,
    ) -> Result<()> {
        let Some(writer) = guard.take() else {
            return Ok(());
        };
        // Merges under way hold segments that the merge below must take whole; a failure
        // here is reported after the writer is back, so the index keeps its owner.
        let waited = writer
            .wait_merging_threads()
            .map_err(terr("finish the index merges", &self.dir));
        let mut writer: IndexWriter = self
            .index
            .writer_with_num_threads(1, WRITER_HEAP)
            .map_err(terr("open the index writer", &self.dir))?;
        let result = waited.and_then(|()| {
            let segments = self
                .index
                .searchable_segment_ids()
                .map_err(terr("list the index segments", &self.dir))?;
            if !segments.is_empty() {
                writer
                    .merge(&segments)
                    .wait()
                    .map_err(terr("merge the index segments", &self.dir))?;
            }
            writer
                .garbage_collect_files()
                .wait()
                .map_err(terr("remove old index files", &self.dir))?;
            self.reader
                .reload()
                .map_err(terr("reload the index", &self.dir))
        });
        **guard = Some(writer);
        result
    }

    /// Purges the documents of deleted and erased records from the index files now (see
    /// `sync`, which does it when it meets an erasure). Nothing when read-only.
    pub fn purge(&self, ws: &Workspace) -> Result<()> {
        self.sync(ws)?;
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        self.purge_deleted(&mut guard)
    }

    /// Reindexes every record from scratch, reporting `(done, total)` as it goes.
    pub fn rebuild(&self, ws: &Workspace, progress: &mut dyn FnMut(u64, u64)) -> Result<usize> {
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            return Err(Error::IndexBusy {
                path: self.dir.clone(),
            });
        }
        // A bigger writer for the bulk of it; the small one comes back afterwards.
        *guard = None;
        let mut writer: IndexWriter = self
            .index
            .writer_with_num_threads(2, REBUILD_HEAP)
            .map_err(terr("open the index writer", &self.dir))?;
        let result = (|| {
            writer
                .delete_all_documents()
                .map_err(terr("clear the index", &self.dir))?;
            let seq = ws.change_seq()?;
            let total = ws.count(&crate::store::ListQuery::default())?;
            let mut orgs = OrgNames::default();
            let mut done = 0u64;
            ws.for_each_record(|r| {
                if !r.deleted {
                    writer
                        .add_document(self.document(ws, &r, &mut orgs)?)
                        .map_err(terr("index a record", &self.dir))?;
                    done += 1;
                    if done.is_multiple_of(1_000) {
                        progress(done, total);
                    }
                }
                Ok(())
            })?;
            self.commit(&mut writer, seq)?;
            progress(done, total);
            Ok(done as usize)
        })();
        drop(writer);
        *guard = Some(
            self.index
                .writer_with_num_threads(1, WRITER_HEAP)
                .map_err(terr("open the index writer", &self.dir))?,
        );
        result
    }

    fn commit(&self, writer: &mut IndexWriter, seq: i64) -> Result<()> {
        let payload =
            serde_json::json!({"seq": seq, "schema": INDEX_SCHEMA_VERSION, "node": self.node})
                .to_string();
        let mut prepared = writer
            .prepare_commit()
            .map_err(terr("commit the index", &self.dir))?;
        prepared.set_payload(&payload);
        prepared
            .commit()
            .map_err(terr("commit the index", &self.dir))?;
        self.reader
            .reload()
            .map_err(terr("reload the index", &self.dir))?;
        self.committed_seq
            .store(seq, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn document(&self, ws: &Workspace, r: &Record, orgs: &mut OrgNames) -> Result<TantivyDocument> {
        let f = &self.f;
        let c = &r.content;
        let s = |k: &str| c.get(k).and_then(Value::as_str);
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, &r.id);
        doc.add_text(f.kind, r.kind.as_str());
        for tag in r.tags() {
            doc.add_text(f.tag, tag.to_lowercase());
        }
        let title = r.title();
        let body = searchable_text(r);
        doc.add_text(f.title_exact, title);
        doc.add_text(f.title_folded, title);
        doc.add_text(f.body_exact, &body);
        doc.add_text(f.body_folded, &body);
        let lang = s("language")
            .map(str::to_string)
            .or_else(|| analysis::detect_language(&body).map(str::to_string));
        if let Some(lang) = &lang {
            doc.add_text(f.lang, lang);
            if let Some(i) = STEMMED_LANGUAGES.iter().position(|l| l == lang) {
                doc.add_text(f.stems[i], format!("{title}\n{body}"));
            }
        }
        let org_id = match r.kind {
            Kind::Org => Some(r.id.as_str()),
            _ => ["org_id", "host_org", "owner_org"].into_iter().find_map(s),
        };
        if let Some(org_id) = org_id {
            doc.add_text(f.org_id, org_id);
            if let Some(name) = orgs.name(ws, org_id)? {
                doc.add_text(f.org, &name);
                doc.add_text(f.org_text, &name);
            }
        }
        for (field, key) in [
            (f.country, "country"),
            (f.sector, "sector"),
            (f.status, "status"),
        ] {
            if let Some(v) = s(key) {
                doc.add_text(field, v.to_lowercase());
            }
        }
        let date = ["starts_at", "taken_at", "recorded_at", "updated_at"]
            .into_iter()
            .find_map(s)
            .and_then(parse_date);
        if let Some(d) = date {
            doc.add_date(f.date, d);
        }
        Ok(doc)
    }

    /// Searches. `input` is what a person typed (see [`query`]); it never fails to parse.
    pub fn search(
        &self,
        ws: &Workspace,
        input: &str,
        opts: &SearchOptions,
    ) -> Result<SearchResults> {
        let parsed = query::parse(input, opts.as_you_type);
        if parsed.include.is_empty()
            && parsed.exclude.is_empty()
            && parsed.filters.is_empty()
            && opts.kind.is_none()
        {
            return Ok(SearchResults::default());
        }
        let limit = opts.limit.clamp(1, 1_000);
        let query = self.build(ws, &parsed, opts, false)?;
        let mut results = self.run(&*query, limit)?;
        let has_words = parsed.words().any(|w| w.chars().count() >= 4);
        if results.total == 0 && has_words {
            let query = self.build(ws, &parsed, opts, true)?;
            results = self.run(&*query, limit)?;
            results.fuzzy = true;
        }
        Ok(results)
    }

    fn run(&self, query: &dyn Query, limit: usize) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let aggs: Aggregations = serde_json::from_value(serde_json::json!({
            "kind": {"terms": {"field": "kind", "size": FACET_SIZE}},
            "tag": {"terms": {"field": "tag", "size": FACET_SIZE}},
            "org": {"terms": {"field": "org", "size": FACET_SIZE}},
        }))
        .map_err(|e| Error::Invalid(format!("facet request: {e}")))?;
        let collector = (
            TopDocs::with_limit(limit).order_by_score(),
            Count,
            AggregationCollector::from_aggs(aggs, Default::default()),
        );
        let (top, total, aggs): (_, usize, AggregationResults) = searcher
            .search(query, &collector)
            .map_err(terr("search", &self.dir))?;
        let mut snippets = SnippetGenerator::create(&searcher, query, self.f.body_folded)
            .map_err(terr("make snippets", &self.dir))?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(terr("read a hit", &self.dir))?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| TantivyValue::as_str(&v).map(str::to_string))
                    .unwrap_or_default()
            };
            let snippet = snippets.snippet_from_doc(&doc);
            let snippet = if snippet.fragment().is_empty() {
                escape_html(
                    &text(self.f.body_folded)
                        .chars()
                        .take(SNIPPET_CHARS)
                        .collect::<String>(),
                )
            } else {
                snippet.to_html()
            };
            hits.push(SearchHit {
                id: text(self.f.id),
                kind: text(self.f.kind),
                title: text(self.f.title_exact),
                snippet,
                score,
            });
        }
        let aggs = serde_json::to_value(&aggs).unwrap_or_default();
        let buckets = |name: &str| -> Vec<(String, u64)> {
            aggs.get(name)
                .and_then(|a| a.get("buckets"))
                .and_then(Value::as_array)
                .map(|b| {
                    b.iter()
                        .filter_map(|x| {
                            Some((
                                x.get("key")?.as_str()?.to_string(),
                                x.get("doc_count")?.as_u64()?,
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        Ok(SearchResults {
            total,
            hits,
            facets: Facets {
                kind: buckets("kind"),
                tag: buckets("tag"),
                org: buckets("org"),
            },
            fuzzy: false,
        })
    }

    fn build(
        &self,
        ws: &Workspace,
        q: &ParsedQuery,
        opts: &SearchOptions,
        fuzzy: bool,
    ) -> Result<Box<dyn Query>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![];
        let last_word = q.include.iter().rposition(|c| matches!(c, Clause::Word(_)));
        for (i, clause) in q.include.iter().enumerate() {
            let prefix = q.prefix_last && Some(i) == last_word;
            if let Some(query) = self.clause_query(clause, prefix, fuzzy) {
                clauses.push((Occur::Must, query));
            }
        }
        for clause in &q.exclude {
            if let Some(query) = self.clause_query(clause, false, false) {
                clauses.push((Occur::MustNot, query));
            }
        }
        let mut filters = q.filters.clone();
        if let Some(kind) = opts.kind {
            filters.push(Filter::Kind(kind));
        }
        for filter in &filters {
            clauses.push((Occur::Must, self.filter_query(ws, filter)?));
        }
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    fn clause_query(&self, clause: &Clause, prefix: bool, fuzzy: bool) -> Option<Box<dyn Query>> {
        let f = &self.f;
        let mut targets: Vec<(Field, String, f32)> = vec![
            (f.title_exact, EXACT.into(), 4.0),
            (f.body_exact, EXACT.into(), 2.0),
            (f.title_folded, FOLDED.into(), 2.0),
            (f.body_folded, FOLDED.into(), 1.0),
        ];
        for (i, lang) in STEMMED_LANGUAGES.iter().enumerate() {
            targets.push((f.stems[i], stem_analyzer_name(lang), 1.0));
        }
        let text = match clause {
            Clause::Word(w) | Clause::Phrase(w) => w,
        };
        // Only words of four letters or more are retried with typos; the rest of the query
        // stays exact and required.
        let fuzzy = fuzzy && matches!(clause, Clause::Word(_)) && text.chars().count() >= 4;
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = vec![];
        for (field, analyzer, boost) in targets {
            let Some(mut a) = self.index.tokenizers().get(&analyzer) else {
                continue;
            };
            let tokens = analyze(&mut a, text);
            if tokens.is_empty() {
                continue;
            }
            let folded = analyzer == FOLDED;
            let exact_or_folded = folded || analyzer == EXACT;
            // Typos are looked for in the folded text and in the stems (so that a misspelt
            // `kommnue` still meets `kommunen` through its stem `kommun`).
            let typo_field = analyzer != EXACT;
            if matches!(clause, Clause::Phrase(_)) && !exact_or_folded {
                // A phrase is about word order, which only the exact and folded fields keep.
                continue;
            }
            let terms: Vec<Term> = tokens
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            let q: Box<dyn Query> = if terms.len() == 1 {
                let term = terms[0].clone();
                let len = tokens[0].chars().count();
                let typed_len = text.chars().count();
                if fuzzy && typo_field && len >= 4 {
                    let distance = if typed_len >= 8 && len >= 6 { 2 } else { 1 };
                    Box::new(FuzzyTermQuery::new(term, distance, true))
                } else if fuzzy && !typo_field {
                    // The folded twin of this exact field carries the typo tolerance.
                    continue;
                } else if prefix && exact_or_folded {
                    let exact: Box<dyn Query> =
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
                    let pre: Box<dyn Query> = Box::new(FuzzyTermQuery::new_prefix(term, 0, false));
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Should, exact),
                        (Occur::Should, pre),
                    ]))
                } else {
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                }
            } else if prefix && exact_or_folded {
                Box::new(PhrasePrefixQuery::new(terms))
            } else if exact_or_folded {
                Box::new(PhraseQuery::new(terms))
            } else {
                // Stems have no positions: every part must occur.
                let all = terms
                    .into_iter()
                    .map(|t| {
                        (
                            Occur::Must,
                            Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
                                as Box<dyn Query>,
                        )
                    })
                    .collect();
                Box::new(BooleanQuery::new(all))
            };
            shoulds.push((Occur::Should, Box::new(BoostQuery::new(q, boost))));
        }
        if shoulds.is_empty() {
            return None;
        }
        Some(Box::new(BooleanQuery::new(shoulds)))
    }

    fn filter_query(&self, ws: &Workspace, filter: &Filter) -> Result<Box<dyn Query>> {
        let f = &self.f;
        let term = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ))
        };
        Ok(match filter {
            Filter::Kind(k) => term(f.kind, k.as_str()),
            Filter::Tag(t) => term(f.tag, t),
            Filter::Country(c) => term(f.country, &c.to_lowercase()),
            Filter::Sector(s) => term(f.sector, s),
            Filter::Status(s) => term(f.status, s),
            Filter::Lang(l) => term(f.lang, l),
            Filter::Org(name) => match ws.find_org(name)? {
                Some(org) => term(f.org_id, &org.id),
                None => {
                    let mut a = self.index.tokenizers().get(FOLDED).expect("registered");
                    let terms: Vec<(Occur, Box<dyn Query>)> = analyze(&mut a, name)
                        .iter()
                        .map(|t| (Occur::Must, term(f.org_text, t)))
                        .collect();
                    Box::new(BooleanQuery::new(terms))
                }
            },
            Filter::Before(d) | Filter::After(d) => {
                let at = DateTime::from_timestamp_secs(
                    d.and_hms_opt(0, 0, 0)
                        .unwrap_or_default()
                        .and_utc()
                        .timestamp(),
                );
                let t = Term::from_field_date(f.date, at);
                let (lo, hi) = match filter {
                    Filter::Before(_) => (Bound::Unbounded, Bound::Excluded(t)),
                    _ => (Bound::Included(t), Bound::Unbounded),
                };
                Box::new(RangeQuery::new(lo, hi))
            }
        })
    }
}

/// Organisation names by id, looked up once per sync.
#[derive(Default)]
struct OrgNames(HashMap<String, Option<String>>);

impl OrgNames {
    fn name(&mut self, ws: &Workspace, id: &str) -> Result<Option<String>> {
        if let Some(n) = self.0.get(id) {
            return Ok(n.clone());
        }
        let name = match ws.get_any(id) {
            Ok(r) if !r.deleted => Some(r.title().to_string()),
            Ok(_) | Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        self.0.insert(id.to_string(), name.clone());
        Ok(name)
    }
}

/// Everything of a record a person may search for besides its title: its body, and the
/// fields that carry words (a contact's role and expertise, a session's agenda and outcomes …).
pub fn searchable_text(r: &Record) -> String {
    let c = &r.content;
    let mut parts: Vec<String> = vec![];
    let mut push = |v: Option<&Value>| match v {
        Some(Value::String(s)) => parts.push(s.clone()),
        Some(Value::Array(items)) => {
            for i in items {
                if let Some(s) = i.as_str() {
                    parts.push(s.to_string());
                }
            }
        }
        _ => {}
    };
    for key in [
        "body",
        "theme",
        "provisional_answer",
        "remarks",
        "objectives",
        "outcomes",
        "reflection",
        "venue",
        "comments",
        "role",
        "email",
        "expertise",
        "materials",
        "group_size",
        "filename",
        "website",
    ] {
        push(c.get(key));
    }
    if let Some(Value::Array(blocks)) = c.get("agenda") {
        for b in blocks {
            for key in ["title", "who", "materials", "notes"] {
                if let Some(Value::String(s)) = b.get(key) {
                    parts.push(s.clone());
                }
            }
        }
    }
    parts.join("\n")
}

fn parse_date(s: &str) -> Option<DateTime> {
    let secs = if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        t.timestamp()
    } else if let Some(t) = crate::schema::parse_local(s) {
        t.and_utc().timestamp()
    } else {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
            .timestamp()
    };
    Some(DateTime::from_timestamp_secs(secs))
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
