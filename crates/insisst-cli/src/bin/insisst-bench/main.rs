//! `insisst-bench`: the figures of targets.md for the store, each beside a baseline measured
//! in the same run on the same machine (shared machines are noisy: compare ratios, not
//! remembered numbers). Run it through `make bench` (release build).
//!
//! For each size (10k and 100k records by default):
//! - bulk insert through the store (validation, revisions, tags, references, change sequence),
//!   against the floor: the same number of JSON rows inserted into a bare SQLite table in one
//!   transaction with a prepared statement;
//! - cold `insisst stats` (a new process opening the workspace), median of 7, against the
//!   bare process start of `insisst --version`;
//! - the database's size, against the bytes of record content it holds;
//! - search (see `search.rs`): reindex throughput and query latency against SQLite FTS5 on
//!   the same corpus and queries, and the index's size beside the database's;
//! - exchange (see `exchange.rs`): export, import into an empty workspace (time, peak RSS)
//!   and the no-op re-import.

mod exchange;
mod search;

use anyhow::{Context, Result};
use insisst_core::store::{NewOwner, Workspace, WorkspaceOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child-import") {
        anyhow::ensure!(args.len() == 4, "--child-import WORKSPACE BUNDLE");
        return exchange::run_child(Path::new(&args[2]), Path::new(&args[3]));
    }
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .context("sizes are record counts, e.g. `insisst-bench 10000 100000`")
        })
        .collect::<Result<_>>()?;
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    let cli = sibling_binary("insisst")?;
    println!(
        "insisst-bench: {} cores, release build, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cli.display()
    );
    println!();
    println!(
        "{:<52} {:>14} {:>16} {:>8}  target",
        "figure", "measured", "baseline", "ratio"
    );
    for n in sizes {
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("ws");
        let mut ws = Workspace::init(
            &root,
            &NewOwner {
                member: "Bench".into(),
                organisation: Some("SIF".into()),
            },
            WorkspaceOptions::default(),
        )?;
        let started = Instant::now();
        let summary = insisst_core::demo::generate(&mut ws, n, 1)?;
        let insert = started.elapsed();
        let rate = summary.total as f64 / insert.as_secs_f64();
        let content_bytes: u64 = content_bytes(&root)?;
        drop(ws);
        let floor = raw_sqlite_floor(dir.path(), summary.total)?;
        let floor_rate = summary.total as f64 / floor.as_secs_f64();
        row(
            &format!("bulk insert, {n} records (records/s)"),
            rate,
            floor_rate,
            "≥ 20000/s",
            0,
        );

        let stats = median_run(
            &cli,
            &["--workspace", root.to_str().unwrap_or_default(), "stats"],
            7,
        )?;
        let start = median_run(&cli, &["--version"], 7)?;
        row(
            &format!("cold `insisst stats`, {n} records (ms)"),
            ms(stats),
            ms(start),
            "≤ 300 ms",
            1,
        );

        let db = std::fs::metadata(root.join("workspace.sqlite3"))?.len()
            + std::fs::metadata(root.join("workspace.sqlite3-wal")).map_or(0, |m| m.len());
        row(
            &format!("database size, {n} records (MiB)"),
            mib(db),
            mib(content_bytes),
            "(content)",
            1,
        );
        search::figures(&root, dir.path(), n, db)?;
        exchange::figures(&root, dir.path(), n, insert)?;
    }
    println!();
    println!("baselines: bare SQLite inserts of the same rows; `insisst --version` process start; the JSON content held;");
    println!("           SQLite FTS5 (unicode61 remove_diacritics 2, bm25, snippet, GROUP BY facets) on the same corpus and queries;");
    println!("           exchange: raw JSON written once; the store's bulk insert of the same records; RSS with the workspace open; one plain read of the bundle");
    Ok(())
}

pub(crate) fn row(name: &str, measured: f64, baseline: f64, target: &str, decimals: usize) {
    let ratio = if baseline > 0.0 {
        measured / baseline
    } else {
        f64::NAN
    };
    println!("{name:<52} {measured:>14.decimals$} {baseline:>16.decimals$} {ratio:>8.2}  {target}");
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(crate) fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn sibling_binary(name: &str) -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let path = me.with_file_name(name);
    anyhow::ensure!(
        path.exists(),
        "{} is missing: build it with `cargo build --release -p insisst-cli`",
        path.display()
    );
    Ok(path)
}

fn median_run(bin: &Path, args: &[&str], runs: usize) -> Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let out = Command::new(bin).args(args).output()?;
        times.push(started.elapsed());
        anyhow::ensure!(
            out.status.success(),
            "{} {args:?} failed: {}",
            bin.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    times.sort();
    Ok(times[runs / 2])
}

fn content_bytes(root: &Path) -> Result<u64> {
    let conn = rusqlite_conn(root)?;
    Ok(conn.query_row(
        "SELECT COALESCE(SUM(length(content)), 0) FROM revisions",
        [],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

fn rusqlite_conn(root: &Path) -> Result<rusqlite::Connection> {
    rusqlite::Connection::open(root.join("workspace.sqlite3")).context("open the bench database")
}

/// The same number of rows, ~2.5 KB of JSON each, into a bare table: the floor that
/// validation, revisions and references sit on.
fn raw_sqlite_floor(dir: &Path, rows: u64) -> Result<Duration> {
    let path = dir.join("floor.sqlite3");
    let mut conn = rusqlite::Connection::open(&path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (id TEXT PRIMARY KEY, content TEXT NOT NULL)")?;
    let body = "Deltagerne sammenlignede, hvordan partnerne inddrager borgerne i udviklingen af lokale tilbud. ".repeat(26);
    let started = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare("INSERT INTO t (id, content) VALUES (?1, ?2)")?;
        for i in 0..rows {
            let id = format!("{i:032x}");
            let content =
                format!(r#"{{"id":"{id}","kind":"note","title":"Note {i}","body":"{body}"}}"#);
            stmt.execute([&id, &content])?;
        }
    }
    tx.commit()?;
    Ok(started.elapsed())
}
