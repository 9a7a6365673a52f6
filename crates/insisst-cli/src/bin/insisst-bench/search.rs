//! Search figures beside SQLite FTS5 on the same corpus and queries, in the same run.
//!
//! FTS5 is set up as targets.md says: `unicode61 remove_diacritics 2`, `bm25()` ranking,
//! `snippet()`, and facets by GROUP BY over the matches. Queries FTS5 cannot express (typo
//! tolerance) are left out of both sides of the ratio and reported on their own.

use super::{mib, ms, row};
use anyhow::Result;
use insisst_core::search::{searchable_text, SearchIndex, SearchOptions};
use insisst_core::store::{Workspace, WorkspaceOptions};
use std::path::Path;
use std::time::{Duration, Instant};

/// One query of the mixed set: ours, and the same thing in FTS5's language (None: FTS5
/// cannot say it).
struct Case {
    ours: &'static str,
    as_you_type: bool,
    fts: Option<(&'static str, Option<&'static str>)>,
}

const fn case(ours: &'static str, fts_match: &'static str, kind: Option<&'static str>) -> Case {
    Case {
        ours,
        as_you_type: false,
        fts: Some((fts_match, kind)),
    }
}

const CASES: &[Case] = &[
    case("kommune", "kommune", None),
    case("citizens services", "citizens AND services", None),
    case("sociální inovace", "socialni AND inovace", None),
    case("innovaatio", "innovaatio", None),
    case("\"peer exchange\"", "\"peer exchange\"", None),
    case("\"jakość życia\"", "\"jakosc zycia\"", None),
    case("youth kind:session", "youth", Some("session")),
    case("funding kind:note", "funding", Some("note")),
    case("impact -funding", "impact NOT funding", None),
    case("arhus", "arhus", None),
    case("Århus", "århus", None),
    case("zycie", "zycie", None),
    case("Łódź", "łódź", None),
    Case {
        ours: "capac",
        as_you_type: true,
        fts: Some(("capac*", None)),
    },
    Case {
        ours: "samskab",
        as_you_type: true,
        fts: Some(("samskab*", None)),
    },
    Case {
        ours: "co-creation spolutv",
        as_you_type: true,
        fts: Some(("co AND creation AND spolutv*", None)),
    },
    // Typos: only we can answer these.
    Case {
        ours: "effektmaling regionr",
        as_you_type: false,
        fts: None,
    },
    Case {
        ours: "participatroy",
        as_you_type: false,
        fts: None,
    },
];

const ROUNDS: usize = 15;

pub fn figures(root: &Path, scratch: &Path, n: u64, db_bytes: u64) -> Result<()> {
    let ws = Workspace::open(root, WorkspaceOptions::default())?;
    let index_dir = root.join("index");
    let _ = std::fs::remove_dir_all(&index_dir);
    // Opening a missing index builds it from scratch: that is the reindex.
    let started = Instant::now();
    let (index, report) = SearchIndex::open(&ws)?;
    let reindex = started.elapsed();
    let rate = report.indexed as f64 / reindex.as_secs_f64();

    let fts = scratch.join("fts.sqlite3");
    let started = Instant::now();
    let conn = build_fts(&ws, &fts)?;
    let fts_build = started.elapsed();
    let fts_rate = report.indexed as f64 / fts_build.as_secs_f64();
    row(
        &format!("reindex, {n} records (records/s)"),
        rate,
        fts_rate,
        "≥ 10000/s",
        0,
    );

    // Warm both the same way, then alternate rounds so that noise hits both alike.
    let mut ours = vec![];
    let mut theirs = vec![];
    let mut fuzzy = vec![];
    for round in 0..=ROUNDS {
        for c in CASES {
            let opts = SearchOptions {
                as_you_type: c.as_you_type,
                ..Default::default()
            };
            let t = Instant::now();
            let r = index.search(&ws, c.ours, &opts)?;
            let ours_t = t.elapsed();
            std::hint::black_box(r);
            match c.fts {
                Some((m, kind)) => {
                    let t = Instant::now();
                    fts_query(&conn, m, kind)?;
                    let theirs_t = t.elapsed();
                    if round > 0 {
                        ours.push(ours_t);
                        theirs.push(theirs_t);
                    }
                }
                None if round > 0 => fuzzy.push(ours_t),
                None => {}
            }
        }
    }
    ours.sort();
    theirs.sort();
    fuzzy.sort();
    row(
        &format!("search p50, {n} records (ms, vs FTS5)"),
        ms(pct(&ours, 50)),
        ms(pct(&theirs, 50)),
        "≤ 3 ms, < FTS5",
        2,
    );
    row(
        &format!("search p99, {n} records (ms, vs FTS5)"),
        ms(pct(&ours, 99)),
        ms(pct(&theirs, 99)),
        "≤ 15 ms",
        2,
    );
    row(
        &format!("typo search p50, {n} records (ms, vs exact)"),
        ms(pct(&fuzzy, 50)),
        ms(pct(&ours, 50)),
        "(FTS5 cannot)",
        2,
    );
    let (visible, save) = save_to_searchable(root, index)?;
    row(
        &format!("saved → searchable p50, {n} records (ms, vs save)"),
        ms(visible),
        ms(save),
        "≤ 200 ms",
        1,
    );
    let index_bytes = dir_bytes(&index_dir);
    row(
        &format!("index size, {n} records (MiB, vs database)"),
        mib(index_bytes),
        mib(db_bytes),
        "",
        1,
    );
    drop(conn);
    let fts_bytes = std::fs::metadata(&fts)?.len()
        + std::fs::metadata(scratch.join("fts.sqlite3-wal")).map_or(0, |m| m.len());
    row(
        &format!("FTS5 size, {n} records (MiB, vs database)"),
        mib(fts_bytes),
        mib(db_bytes),
        "",
        1,
    );
    Ok(())
}

/// How long after a save the record is found, with the app's background follower running:
/// median of 9 saves, beside the median time of the save itself.
fn save_to_searchable(root: &Path, index: SearchIndex) -> Result<(Duration, Duration)> {
    let index = std::sync::Arc::new(index);
    let follower =
        insisst_core::search::background::IndexFollower::spawn(root.to_path_buf(), index.clone())?;
    let mut ws = Workspace::open(root, WorkspaceOptions::default())?;
    ws.set_change_listener(Box::new(follower.notifier()));
    let mut visible = vec![];
    let mut saves = vec![];
    for i in 0..9 {
        let word = format!("benchmarkword{i}x");
        let mut content = serde_json::Map::new();
        content.insert(
            "title".into(),
            serde_json::Value::String(format!("Fresh note {word}")),
        );
        let t = Instant::now();
        ws.create(insisst_core::Kind::Note, content)?;
        saves.push(t.elapsed());
        loop {
            if index.search(&ws, &word, &SearchOptions::default())?.total > 0 {
                break;
            }
            anyhow::ensure!(
                t.elapsed() < Duration::from_secs(10),
                "a saved note never became searchable"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        visible.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(150));
    }
    drop(follower);
    visible.sort();
    saves.sort();
    Ok((pct(&visible, 50), pct(&saves, 50)))
}

fn pct(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) * p / 100).min(sorted.len() - 1)]
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn build_fts(ws: &Workspace, path: &Path) -> Result<rusqlite::Connection> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
         CREATE TABLE meta (rowid INTEGER PRIMARY KEY, id TEXT, kind TEXT, org TEXT);
         CREATE TABLE tags (rowid INTEGER, tag TEXT);
         CREATE INDEX tags_rowid ON tags (rowid);",
    )?;
    let tx = conn.transaction()?;
    {
        let mut ins_fts = tx.prepare("INSERT INTO fts (rowid, title, body) VALUES (?1, ?2, ?3)")?;
        let mut ins_meta =
            tx.prepare("INSERT INTO meta (rowid, id, kind, org) VALUES (?1, ?2, ?3, ?4)")?;
        let mut ins_tag = tx.prepare("INSERT INTO tags (rowid, tag) VALUES (?1, ?2)")?;
        let mut rowid = 0i64;
        ws.for_each_record(|r| {
            if r.deleted {
                return Ok(());
            }
            rowid += 1;
            let org = ["org_id", "host_org", "owner_org"]
                .into_iter()
                .find_map(|k| r.str(k))
                .map(str::to_string);
            let to_err = |e: rusqlite::Error| insisst_core::Error::Invalid(e.to_string());
            ins_fts
                .execute(rusqlite::params![rowid, r.title(), searchable_text(&r)])
                .map_err(to_err)?;
            ins_meta
                .execute(rusqlite::params![rowid, r.id, r.kind.as_str(), org])
                .map_err(to_err)?;
            for t in r.tags() {
                ins_tag
                    .execute(rusqlite::params![rowid, t.to_lowercase()])
                    .map_err(to_err)?;
            }
            Ok(())
        })?;
    }
    tx.commit()?;
    Ok(conn)
}

/// Top 20 by bm25 with snippets, the total, and facet counts by kind, tag and organisation:
/// the same work our search does.
fn fts_query(conn: &rusqlite::Connection, m: &str, kind: Option<&str>) -> Result<usize> {
    let kind_clause = if kind.is_some() {
        "AND meta.kind = ?2"
    } else {
        "AND ?2 IS NULL"
    };
    let mut top = conn.prepare_cached(&format!(
        "SELECT meta.id, meta.kind, fts.title, snippet(fts, 1, '<b>', '</b>', '…', 24), bm25(fts, 4.0, 1.0)
         FROM fts JOIN meta ON meta.rowid = fts.rowid
         WHERE fts MATCH ?1 {kind_clause} ORDER BY bm25(fts, 4.0, 1.0) LIMIT 20"
    ))?;
    let hits: Vec<(String, String, String, String, f64)> = top
        .query_map(rusqlite::params![m, kind], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let matches = format!("SELECT fts.rowid FROM fts JOIN meta ON meta.rowid = fts.rowid WHERE fts MATCH ?1 {kind_clause}");
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM ({matches})"),
        rusqlite::params![m, kind],
        |r| r.get(0),
    )?;
    for facet in [
        format!("SELECT kind, COUNT(*) FROM meta WHERE rowid IN ({matches}) GROUP BY kind"),
        format!("SELECT tag, COUNT(*) FROM tags WHERE rowid IN ({matches}) GROUP BY tag ORDER BY 2 DESC LIMIT 20"),
        format!("SELECT org, COUNT(*) FROM meta WHERE rowid IN ({matches}) AND org IS NOT NULL GROUP BY org ORDER BY 2 DESC LIMIT 20"),
    ] {
        let mut stmt = conn.prepare_cached(&facet)?;
        let n = stmt.query_map(rusqlite::params![m, kind], |r| r.get::<_, i64>(1))?.count();
        std::hint::black_box(n);
    }
    std::hint::black_box(&hits);
    Ok(total as usize)
}
