//! `insisst forget` and `insisst person-export`: a person's data on request (issue 9). The
//! rules live in insisst-core's `privacy` module; this parses, asks, calls and prints.

use anyhow::{bail, Context, Result};
use insisst_core::privacy::{self, ForgetPlan, PersonExportFormat};
use insisst_core::search::SearchIndex;
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

fn print_plan(plan: &ForgetPlan) {
    if plan.already_erased {
        say!(
            "contact {} was forgotten before; forgetting again purges the files again and cuts links made here since",
            plan.id
        );
    } else {
        say!("forget {} ({}):", plan.title, plan.id);
        say!(
            "  {} revision(s) of the contact will be emptied, here and in every workspace that imports a later bundle",
            plan.revisions
        );
    }
    say!(
        "  {} record(s) linking to them will have the link cut:",
        plan.links_cut.len()
    );
    for l in &plan.links_cut {
        say!(
            "    {} \"{}\" ({}) by {}",
            l.kind,
            l.title,
            l.id,
            l.fields.join(", ")
        );
    }
    say!(
        "  {} note(s) mention the name or e-mail; that text is yours and stays (edit it by hand if it must go):",
        plan.notes_mentioning.len()
    );
    for n in &plan.notes_mentioning {
        say!("    note \"{}\" ({})", n.title, n.id);
    }
    if !plan.attachments.is_empty() {
        say!(
            "  {} file(s) attached only to the contact are deleted with them (and travel no more):",
            plan.attachments.len()
        );
        for a in &plan.attachments {
            say!("    attachment \"{}\" ({})", a.title, a.id);
        }
    }
    if !plan.attachments_kept.is_empty() {
        say!(
            "  {} file(s) attached to the contact and to other records stay (delete them by hand if they hold the person):",
            plan.attachments_kept.len()
        );
        for a in &plan.attachments_kept {
            say!("    attachment \"{}\" ({})", a.title, a.id);
        }
    }
    say!("  backups made before now still hold them: delete those files yourself");
}

/// Asks on the terminal; anything but `yes` declines.
fn confirmed(plan: &ForgetPlan) -> Result<bool> {
    eprint!(
        "This cannot be undone. Type `yes` to forget {}: ",
        if plan.title.is_empty() {
            &plan.id
        } else {
            &plan.title
        }
    );
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("reading the answer")?;
    Ok(answer.trim().eq_ignore_ascii_case("yes"))
}

pub fn forget(root: &Path, id: &str, yes: bool, dry_run: bool, json: bool) -> Result<()> {
    let mut ws = super::open(root)?;
    let plan = ws.forget_plan(id)?;
    if dry_run {
        if json {
            say!(
                "{}",
                serde_json::to_string_pretty(&json!({"plan": plan, "forgotten": false}))?
            );
        } else {
            print_plan(&plan);
            say!("dry run: nothing was changed");
        }
        return Ok(());
    }
    if !yes {
        if json || !std::io::stdin().is_terminal() {
            bail!("forgetting a person cannot be undone: add --yes to confirm (see --dry-run for what it does); nothing was changed");
        }
        print_plan(&plan);
        if !confirmed(&plan)? {
            bail!("not confirmed; nothing was changed");
        }
    }
    let report = ws.forget(id)?;
    // The index follows now (catching up purges its files of the person), unless the app
    // holds it: its own follower does the same when it catches up.
    let (_index, sync) = SearchIndex::open(&ws)?;
    if json {
        say!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "forgotten": true, "plan": report.plan, "erasure": report.erasure,
                "database_purged": report.files_purged, "index_purged": !sync.read_only,
            }))?
        );
        return Ok(());
    }
    if yes {
        print_plan(&report.plan);
    }
    say!(
        "forgot {} ({}): {} revision(s) emptied, {} link(s) cut; the erasure travels in every later bundle",
        report.plan.title,
        report.plan.id,
        report.plan.revisions,
        report.plan.links_cut.len()
    );
    if !report.files_purged {
        eprintln!("insisst: another process (the app?) kept the database open: old pages stay in its WAL until it closes; run `insisst forget {}` again then", report.plan.id);
    }
    if sync.read_only {
        eprintln!(
            "insisst: the app holds the search index; it removes them from it when it catches up"
        );
    }
    Ok(())
}

pub fn person_export(
    root: &Path,
    id: &str,
    file: &Path,
    format: Option<&str>,
    json: bool,
) -> Result<()> {
    let format: PersonExportFormat = format.unwrap_or("json").parse()?;
    let ws = super::open(root)?;
    let export = ws.person_export(id)?;
    privacy::write_person_export(&export, file, format)
        .with_context(|| format!("writing {}", file.display()))?;
    if json {
        say!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "path": file, "contact": export.contact.get("id"),
                "linked_from": export.linked_from.len(),
                "mentioned_in": export.mentioned_in.len(),
                "consent_changes": export.consent_history.len(),
            }))?
        );
    } else {
        say!(
            "wrote {}: the contact, {} consent change(s), {} record(s) linking to them, {} mentioning them",
            file.display(),
            export.consent_history.len(),
            export.linked_from.len(),
            export.mentioned_in.len()
        );
    }
    Ok(())
}
