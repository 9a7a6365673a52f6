//! `insisst review`, `insisst evaluation` and `insisst stats --monitoring`: the learning
//! agenda's reviews and history, evaluations, and the monitoring figures. Thin: the core's
//! `learning`, `evaluation` and `monitoring` modules decide; this parses and prints.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use insisst_core::evaluation::{self, CsvImportOptions, Target};
use insisst_core::learning::{self, ReviewDiff, Snapshot, DEFAULT_PERSISTENCE_THRESHOLD};
use insisst_core::monitoring::{self, MonitoringFilter};
use insisst_core::Workspace;
use serde::Serialize;
use std::io::Write as _;
use std::path::PathBuf;

/// Writes a line; a closed pipe (`| head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

fn print_json(v: &impl Serialize) -> Result<()> {
    say!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

#[derive(Subcommand)]
pub enum ReviewAction {
    /// Take a review of the learning agenda at a session: every question's status, priority,
    /// provisional answer and owner now. Prints the review's id.
    Take {
        /// The session (meeting) the review is taken at.
        #[arg(long, value_name = "ID")]
        session: String,
        /// The facilitator's remarks, from a file (`-` for standard input).
        #[arg(long, value_name = "FILE")]
        remarks_file: Option<PathBuf>,
    },
    /// The reviews, oldest first, with the agenda's state at each.
    List {
        /// Open in this many consecutive reviews makes a question persistent.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_PERSISTENCE_THRESHOLD)]
        persistent_after: usize,
    },
    /// What changed from review A to review B: added, resolved, dropped, changed questions.
    Diff { a: String, b: String },
    /// The learning history: each question across the reviews, persistent ones first, and
    /// the questions per theme and per owner.
    History {
        /// Open in this many consecutive reviews makes a question persistent.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_PERSISTENCE_THRESHOLD)]
        persistent_after: usize,
    },
}

#[derive(Subcommand)]
pub enum EvaluationAction {
    /// Import a survey tool's CSV export of a session's evaluation forms (LimeSurvey, Google
    /// Forms, Microsoft Forms saved as CSV): bad rows are reported and left out, the others
    /// imported together. Exit 0 when the file could be read.
    ImportCsv {
        file: PathBuf,
        /// The session evaluated.
        #[arg(long, value_name = "ID")]
        session: String,
        /// Map a column: ITEM=HEADING (or ITEM=column number). Items: relevance, usefulness,
        /// facilitation, organisation, overall, before, after, comments, submitted_at.
        #[arg(long = "column", value_name = "ITEM=HEADING")]
        columns: Vec<String>,
        /// Plan a behaviour follow-up on this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        follow_up_due: Option<String>,
        /// Check and report; import nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Behaviour follow-ups that are due: planned on or before today, no behaviour form yet.
    Due {
        /// The day to check for (default: today).
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
    },
    /// One session's evaluation: forms per level, mean ratings, comments, follow-up.
    Show { session: String },
}

/// `stats`'s options.
#[derive(Args, Default)]
pub struct StatsArgs {
    /// The monitoring figures (sessions held, participants reached, agenda progress,
    /// evaluation scores, experts) instead of counts and sizes.
    #[arg(long)]
    pub monitoring: bool,
    /// From this day (YYYY-MM-DD), with --monitoring.
    #[arg(long, value_name = "DATE", requires = "monitoring")]
    pub from: Option<String>,
    /// Up to this day (YYYY-MM-DD), with --monitoring.
    #[arg(long, value_name = "DATE", requires = "monitoring")]
    pub to: Option<String>,
    /// Only this partner's sessions and questions, with --monitoring.
    #[arg(long, value_name = "ORG", requires = "monitoring")]
    pub partner: Option<String>,
    /// Open in this many consecutive reviews makes a question persistent.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PERSISTENCE_THRESHOLD, requires = "monitoring")]
    pub persistent_after: usize,
}

fn day(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .with_context(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

fn snapshot_text(s: &Option<Snapshot>) -> String {
    match s {
        None => "—".into(),
        Some(s) => {
            let mut t = s.status.clone();
            if let Some(p) = &s.priority {
                t.push_str(&format!(", {p}"));
            }
            if let Some(a) = &s.provisional_answer {
                let short: String = a.chars().take(60).collect();
                t.push_str(&format!(", “{short}”"));
            }
            t
        }
    }
}

pub fn review(ws: &mut Workspace, json: bool, action: ReviewAction) -> Result<()> {
    match action {
        ReviewAction::Take {
            session,
            remarks_file,
        } => {
            let remarks = remarks_file.as_deref().map(crate::read_input).transpose()?;
            let record = learning::take_review(ws, &session, remarks.as_deref())?;
            if json {
                print_json(&serde_json::json!({"id": record.id, "rev": record.rev}))
            } else {
                say!("{}", record.id);
                Ok(())
            }
        }
        ReviewAction::List { persistent_after } => {
            let history = learning::history(ws, persistent_after)?;
            if json {
                return print_json(&history.reviews);
            }
            if history.reviews.is_empty() {
                say!("No reviews yet: take one with `insisst review take --session ID`.");
            }
            for r in &history.reviews {
                say!(
                    "{}  {}  {}  open {} · provisional {} · resolved {} · dropped {} · persistent {}",
                    r.id,
                    r.taken_at,
                    r.session_title.as_deref().unwrap_or(&r.session_id),
                    r.open,
                    r.provisional,
                    r.resolved,
                    r.dropped,
                    r.persistent
                );
            }
            Ok(())
        }
        ReviewAction::Diff { a, b } => {
            let d = learning::diff_reviews(ws, &a, &b)?;
            if json {
                return print_json(&d);
            }
            print_diff(&d);
            Ok(())
        }
        ReviewAction::History { persistent_after } => {
            let h = learning::history(ws, persistent_after)?;
            if json {
                return print_json(&h);
            }
            say!(
                "{} reviews; persistent = open in {} reviews in a row",
                h.reviews.len(),
                h.persistence_threshold
            );
            for q in &h.questions {
                let mark = if q.persistent { "PERSISTENT " } else { "" };
                say!(
                    "{mark}{} — {} (open streak {}; since {})",
                    q.title,
                    q.last_status,
                    q.open_streak,
                    q.first_seen_at
                );
                for e in &q.events {
                    say!(
                        "    {}  {}: {} → {}",
                        e.taken_at,
                        e.change.as_str(),
                        snapshot_text(&e.before),
                        snapshot_text(&e.after)
                    );
                }
            }
            for (what, groups) in [("theme", &h.by_theme), ("owner", &h.by_owner)] {
                say!("By {what}:");
                for g in groups {
                    say!(
                        "  {}: {} questions (open {}, provisional {}, resolved {}, dropped {}, persistent {})",
                        g.label,
                        g.questions,
                        g.open,
                        g.provisional,
                        g.resolved,
                        g.dropped,
                        g.persistent
                    );
                }
            }
            Ok(())
        }
    }
}

fn print_diff(d: &ReviewDiff) {
    for (name, items) in [
        ("added", &d.added),
        ("resolved", &d.resolved),
        ("dropped", &d.dropped),
        ("changed", &d.changed),
    ] {
        say!("{name}: {}", items.len());
        for i in items {
            say!(
                "  {} {}: {} → {}",
                i.question_id,
                i.title.as_deref().unwrap_or("(unknown question)"),
                snapshot_text(&i.before),
                snapshot_text(&i.after)
            );
        }
    }
}

pub fn evaluation(ws: &mut Workspace, json: bool, action: EvaluationAction) -> Result<()> {
    match action {
        EvaluationAction::ImportCsv {
            file,
            session,
            columns,
            follow_up_due,
            dry_run,
        } => {
            let mut mapped = vec![];
            for c in &columns {
                let Some((item, heading)) = c.split_once('=') else {
                    bail!("--column {c}: expected ITEM=HEADING");
                };
                let target = Target::parse(item).with_context(|| {
                    format!("--column {c}: `{item}` is not an item (relevance, usefulness, facilitation, organisation, overall, before, after, comments, submitted_at)")
                })?;
                mapped.push((target, heading.to_string()));
            }
            let report = evaluation::import_csv(
                ws,
                &file,
                &CsvImportOptions {
                    session_id: session,
                    columns: mapped,
                    follow_up_due,
                    dry_run,
                },
            )?;
            if json {
                return print_json(&report);
            }
            let verb = if dry_run { "would import" } else { "imported" };
            say!(
                "{}: {} rows; {verb} {} ({} records), {} imported before, {} left out",
                report.file,
                report.rows,
                report.imported_rows,
                report.records_created.len(),
                report.already_imported,
                report.problems.len()
            );
            for (heading, target) in &report.mapped {
                say!("  column “{heading}” → {target}");
            }
            if !report.ignored.is_empty() {
                say!("  ignored columns: {}", report.ignored.join(", "));
            }
            for p in &report.problems {
                say!("  row {} (line {}): {}", p.row, p.line, p.problem);
            }
            Ok(())
        }
        EvaluationAction::Due { today } => {
            let today = match today {
                Some(t) => day(&t)?,
                None => ws.now().date_naive(),
            };
            let due = evaluation::due_followups(ws, today)?;
            if json {
                return print_json(&due);
            }
            if due.is_empty() {
                say!("No behaviour follow-up is due.");
            }
            for f in &due {
                say!(
                    "{}  {}  due {} ({} days ago)",
                    f.session_id,
                    f.session_title,
                    f.due,
                    f.days_overdue
                );
            }
            Ok(())
        }
        EvaluationAction::Show { session } => {
            let e = evaluation::session_evaluation(ws, &session)?;
            if json {
                return print_json(&e);
            }
            let forms: Vec<String> = e.forms.iter().map(|(l, n)| format!("{l} {n}")).collect();
            say!("forms: {}", forms.join(", "));
            for s in &e.scores {
                say!("  {}: {:.2} ({} responses)", s.item, s.mean, s.responses);
            }
            match (&e.follow_up_due, e.follow_up_done) {
                (_, true) => say!("behaviour follow-up: done"),
                (Some(d), false) => say!("behaviour follow-up: due {d}"),
                (None, false) => say!("behaviour follow-up: not planned"),
            }
            Ok(())
        }
    }
}

pub fn monitoring(ws: &Workspace, json: bool, args: &StatsArgs) -> Result<()> {
    let partner = match &args.partner {
        Some(p) => Some(
            ws.find_org(p)?
                .map(|o| o.id)
                .or_else(|| ws.get(p).ok().map(|r| r.id))
                .with_context(|| format!("no organisation `{p}`"))?,
        ),
        None => None,
    };
    let filter = MonitoringFilter {
        from: args.from.as_deref().map(day).transpose()?,
        to: args.to.as_deref().map(day).transpose()?,
        partner,
        persistence_threshold: args.persistent_after,
    };
    let m = monitoring::compute(ws, &filter)?;
    if json {
        return print_json(&m);
    }
    say!("Sessions held: {}", m.sessions_held_total);
    for c in &m.sessions_held {
        say!("  {}  {}: {}", c.quarter, c.partner, c.sessions);
    }
    say!("Participants reached per sector (headcount + named):");
    for s in &m.participants_by_sector {
        say!(
            "  {}: {} ({} + {})",
            s.sector,
            s.total,
            s.headcount,
            s.contacts
        );
    }
    say!("Named participants per country:");
    for c in &m.participants_by_country {
        say!("  {}: {}", c.country, c.contacts);
    }
    say!("Agenda progress (open / provisional / resolved / dropped, persistent):");
    for p in &m.agenda_progress {
        say!(
            "  {}  {} / {} / {} / {}, {}",
            p.taken_at,
            p.open,
            p.provisional,
            p.resolved,
            p.dropped,
            p.persistent
        );
    }
    say!("Evaluation scores:");
    for s in &m.evaluation_scores {
        say!(
            "  {}  {}: {:.2} ({} responses)",
            s.quarter,
            s.item,
            s.mean,
            s.responses
        );
    }
    say!(
        "Experts involved: {} ({} facilitators, {} participants, {} external)",
        m.experts.distinct,
        m.experts.facilitators,
        m.experts.participants,
        m.experts.external
    );
    Ok(())
}
