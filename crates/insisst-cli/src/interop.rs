//! `insisst vcf|ics|md import|export` and `insisst report session|agenda`: argument parsing
//! and printing around insisst-core's `interop` and `report`.
//!
//! Import exit codes follow the importers' rule: 0 when the file could be read, whatever was
//! refused in it (each refused item is printed with why); 1 when it could not be read or
//! nothing in it was understood.

use anyhow::{Context, Result};
use clap::Subcommand;
use insisst_core::interop::{self, ExportReport, ImportReport, Outcome};
use insisst_core::report;
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum VcfAction {
    /// Import the contacts of a .vcf file (vCard 4.0, 3.0 or 2.1); re-import updates them.
    Import { file: PathBuf },
    /// Export contacts as vCard 4.0 (for your own address book: contacts without consent to
    /// share are included and counted, unless --shareable-only).
    Export {
        file: PathBuf,
        /// Only contacts with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Leave out contacts whose consent does not allow sharing with partners.
        #[arg(long)]
        shareable_only: bool,
    },
}

#[derive(Subcommand)]
pub enum IcsAction {
    /// Import the events of an .ics file as planned sessions; re-import updates them.
    Import { file: PathBuf },
    /// Export sessions as iCalendar (all sessions with a start unless narrowed).
    Export {
        file: PathBuf,
        /// Only this session.
        #[arg(long, value_name = "ID", conflicts_with = "upcoming")]
        session: Option<String>,
        /// Only sessions under way or starting in the next 90 days.
        #[arg(long)]
        upcoming: bool,
        /// Leave out organisers and attendees whose consent does not allow sharing with
        /// partners (without it they are written and counted).
        #[arg(long)]
        shareable_only: bool,
    },
}

#[derive(Subcommand)]
pub enum MdAction {
    /// Import a folder of Markdown files or an Obsidian vault as notes; re-import updates them.
    Import { dir: PathBuf },
    /// Export notes into a folder: one file per note with front matter, attachments beside.
    Export {
        dir: PathBuf,
        /// Only notes with this tag.
        #[arg(long)]
        tag: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum ReportAction {
    /// A session's report: agenda with times, notes, participants by sector, evaluation.
    Session {
        id: String,
        #[arg(long, default_value = "md", value_parser = ["html", "md"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The learning agenda: questions by status, with their history.
    Agenda {
        #[arg(long, default_value = "md", value_parser = ["html", "md"])]
        format: String,
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

fn print_json(text: String) -> Result<()> {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    Ok(())
}

fn print_import(json: bool, what: &str, r: &ImportReport) -> Result<()> {
    if json {
        return print_json(serde_json::to_string_pretty(r)?);
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "Imported {} {what}: {} created, {} updated, {} unchanged, {} skipped",
        r.source, r.created, r.updated, r.unchanged, r.skipped
    );
    for p in &r.problems {
        let _ = writeln!(out, "  ! {p}");
    }
    for item in &r.items {
        let verb = match item.outcome {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Skipped => "SKIPPED",
        };
        let quiet = item.outcome == Outcome::Unchanged && item.messages.is_empty();
        if quiet {
            continue;
        }
        let id = item
            .record_id
            .as_deref()
            .map(|i| format!(" {i}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {verb:<9} {}{id}", item.item);
        for m in &item.messages {
            let _ = writeln!(out, "            - {m}");
        }
    }
    Ok(())
}

fn print_export(json: bool, what: &str, r: &ExportReport) -> Result<()> {
    if json {
        return print_json(serde_json::to_string_pretty(r)?);
    }
    let mut out = std::io::stdout().lock();
    let files = if r.files > 0 {
        format!(" and {} attachment files", r.files)
    } else {
        String::new()
    };
    let _ = writeln!(out, "Wrote {} {what}{files} to {}", r.written, r.target);
    if r.not_shareable_included > 0 {
        // Cards are the contacts; events name them as organisers and attendees.
        let who = if what == "contacts" {
            "of them"
        } else {
            "contacts named in them"
        };
        let _ = writeln!(
            out,
            "  {} {who} may not be shared with partners (no consent to share): keep this file for your own use, or export again with --shareable-only",
            r.not_shareable_included
        );
    }
    if r.not_shareable_left_out > 0 {
        let _ = writeln!(
            out,
            "  {} contacts without consent to share left out (--shareable-only)",
            r.not_shareable_left_out
        );
    }
    for m in &r.messages {
        let _ = writeln!(out, "  ! {m}");
    }
    Ok(())
}

pub fn vcf(root: &Path, json: bool, action: VcfAction) -> Result<()> {
    match action {
        VcfAction::Import { file } => {
            let mut ws = super::open(root)?;
            let r = interop::vcard::import(&mut ws, &file)
                .with_context(|| format!("importing {}", file.display()))?;
            print_import(json, "contacts", &r)
        }
        VcfAction::Export {
            file,
            tag,
            shareable_only,
        } => {
            let ws = super::open(root)?;
            let options = interop::vcard::ExportOptions {
                tag,
                shareable_only,
            };
            let r = interop::vcard::export(&ws, &file, &options)
                .with_context(|| format!("exporting {}", file.display()))?;
            print_export(json, "contacts", &r)
        }
    }
}

pub fn ics(root: &Path, json: bool, action: IcsAction) -> Result<()> {
    match action {
        IcsAction::Import { file } => {
            let mut ws = super::open(root)?;
            let r = interop::ical::import(&mut ws, &file)
                .with_context(|| format!("importing {}", file.display()))?;
            print_import(json, "events", &r)
        }
        IcsAction::Export {
            file,
            session,
            upcoming,
            shareable_only,
        } => {
            let ws = super::open(root)?;
            let selection = match (session, upcoming) {
                (Some(id), _) => interop::ical::Selection::Session(id),
                (None, true) => interop::ical::Selection::Upcoming,
                (None, false) => interop::ical::Selection::All,
            };
            let options = interop::ical::ExportOptions { shareable_only };
            let r = interop::ical::export_with(&ws, &file, &selection, &options)
                .with_context(|| format!("exporting {}", file.display()))?;
            print_export(json, "sessions", &r)
        }
    }
}

pub fn md(root: &Path, json: bool, action: MdAction) -> Result<()> {
    match action {
        MdAction::Import { dir } => {
            let mut ws = super::open(root)?;
            let r = interop::mdfolder::import(&mut ws, &dir)
                .with_context(|| format!("importing {}", dir.display()))?;
            print_import(json, "notes", &r)
        }
        MdAction::Export { dir, tag } => {
            let ws = super::open(root)?;
            let r = interop::mdfolder::export(&ws, &dir, &interop::mdfolder::ExportOptions { tag })
                .with_context(|| format!("exporting {}", dir.display()))?;
            print_export(json, "notes", &r)
        }
    }
}

pub fn report(root: &Path, json: bool, action: ReportAction) -> Result<()> {
    let ws = super::open(root)?;
    let (text, output) = match action {
        ReportAction::Session { id, format, output } => {
            (report::session(&ws, &id, format.parse()?)?, output)
        }
        ReportAction::Agenda { format, output } => (report::agenda(&ws, format.parse()?)?, output),
    };
    match output {
        Some(path) => {
            std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
            if json {
                print_json(serde_json::json!({"output": path, "bytes": text.len()}).to_string())?;
            } else {
                let _ = writeln!(std::io::stdout().lock(), "Wrote {}", path.display());
            }
        }
        None if json => print_json(serde_json::json!({ "report": text }).to_string())?,
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    Ok(())
}
