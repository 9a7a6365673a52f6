//! `insisst`: the workspace, headless. A thin layer on insisst-core: parse arguments, call the
//! core, print text for people or JSON for scripts (`--json`).
//!
//! Exit codes: 0 success, 1 failure (the error's chain on stderr, or `{"error": {code,
//! message}}` with `--json`), 2 usage errors (from clap).

mod interop;
mod learning;
mod output;
mod privacy;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use insisst_core::exchange::{self, keyring, ExportScope, ImportOptions};
use insisst_core::schema::{parse_assignment, set_path};
use insisst_core::search::{SearchIndex, SearchOptions};
use insisst_core::store::{ListQuery, NewOwner};
use insisst_core::{Kind, Workspace, WorkspaceOptions};
use serde_json::{Map, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "insisst",
    version,
    about = "Insisst Workspace on the command line"
)]
struct Cli {
    /// The workspace folder (default: $INSISST_WORKSPACE, else the platform's data folder).
    #[arg(long, global = true, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a workspace (or restore one from a backup).
    Init {
        /// Your name, as partners will see it on your bundles.
        #[arg(long)]
        member: Option<String>,
        /// Your organisation: a partner's name or short name (THL, MoLSA, Genio …), or a new one.
        #[arg(long)]
        org: Option<String>,
        /// Restore this backup instead of starting empty.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["member", "org"])]
        from_backup: Option<PathBuf>,
    },
    /// Add a record and print its id.
    Add {
        /// question, review, session, evaluation, note, method, contact or org.
        kind: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Show one record.
    Show { id: String },
    /// List records of a kind (or `all`), newest first.
    List {
        kind: String,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Change a record: the options of `add`; `--from-json` replaces the whole content.
    Edit {
        id: String,
        #[command(flatten)]
        fields: FieldArgs,
        /// Remove a field (dotted keys reach inside objects).
        #[arg(long, value_name = "KEY")]
        unset: Vec<String>,
    },
    /// Delete a record (its history stays; `restore` brings it back).
    Delete { id: String },
    /// The revisions of a record, newest first.
    History { id: String },
    /// Make an earlier revision current again.
    Restore { id: String, rev: String },
    /// Link the first record to the second.
    Link { from: String, to: String },
    /// Attach a file to a record.
    Attach { id: String, file: PathBuf },
    /// Counts per kind and sizes (`--monitoring`: the monitoring dashboard's figures).
    Stats(learning::StatsArgs),
    /// Check the workspace's integrity; exit 1 with the list of problems.
    Check,
    /// Write a backup file (safe while the app runs).
    Backup { file: PathBuf },
    /// Search everything: words, "phrases", -exclusions, kind: tag: org: country: sector:
    /// status: lang: before: after: filters; typo-tolerant when nothing matches exactly.
    Search {
        /// The query (several arguments are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = insisst_core::search::DEFAULT_LIMIT)]
        limit: usize,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Export a signed bundle for partners: everything, or what the options select
    /// (they combine). Contacts without consent to share are left out.
    Export {
        /// The `.insisst` file to write.
        file: PathBuf,
        /// Only records with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// A session with what it links to and what refers to it.
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// A learning question with what it links to and what refers to it.
        #[arg(long, value_name = "ID")]
        question: Option<String>,
        /// Records changed on or after this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Records changed on or before this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// What changed since the last bundle made for this organisation (and remember this one).
        #[arg(long, value_name = "ORG")]
        changed_since_last_to: Option<String>,
        /// Remember that this bundle was made for this organisation.
        #[arg(long = "for", value_name = "ORG")]
        for_org: Option<String>,
    },
    /// Import a bundle from a partner: checked whole before anything is written, then applied
    /// all or nothing. Importing the same bundle again changes nothing.
    Import {
        file: PathBuf,
        /// Show what importing would do, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Accept a known author's changed signing key.
        #[arg(long)]
        trust_new_key: bool,
    },
    /// The keys of the authors whose bundles this workspace has read.
    Keys {
        #[command(subcommand)]
        action: Option<KeysAction>,
    },
    /// Records whose versions diverged between workspaces.
    Conflicts {
        #[command(subcommand)]
        action: Option<ConflictsAction>,
    },
    /// Reviews of the learning agenda and its history.
    Review {
        #[command(subcommand)]
        action: learning::ReviewAction,
    },
    /// Evaluations of sessions: survey import, due follow-ups.
    Evaluation {
        #[command(subcommand)]
        action: learning::EvaluationAction,
    },
    /// vCard contacts: import a .vcf file, export contacts.
    Vcf {
        #[command(subcommand)]
        action: interop::VcfAction,
    },
    /// iCalendar: import events as sessions, export sessions to calendars.
    Ics {
        #[command(subcommand)]
        action: interop::IcsAction,
    },
    /// Markdown folders and Obsidian vaults: import notes, export them.
    Md {
        #[command(subcommand)]
        action: interop::MdAction,
    },
    /// Printable reports (Markdown or HTML): a session, the learning agenda.
    Report {
        #[command(subcommand)]
        action: interop::ReportAction,
    },
    /// Forget a person (a contact) on request: empty every revision of the contact, cut the
    /// links to them, purge the files; the erasure travels in every later bundle. Final.
    Forget {
        /// The contact's id.
        id: String,
        /// Confirm without being asked (needed when not on a terminal).
        #[arg(long)]
        yes: bool,
        /// Show what forgetting would do, and change nothing.
        #[arg(long, conflicts_with = "yes")]
        dry_run: bool,
    },
    /// Everything held about a person (a contact): the contact, its consent history, and every
    /// record that links to or mentions them, as JSON (or a readable summary).
    PersonExport {
        /// The contact's id.
        id: String,
        /// The file to write.
        file: PathBuf,
        /// json (the default), md or html.
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
    },
    /// Add realistic demo records (initialising the workspace if needed).
    Demo {
        #[arg(long, default_value_t = 300)]
        records: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// List the known keys (the default).
    List,
    /// Trust the key that signed this bundle (a partner's new key, checked with them).
    Trust { bundle: PathBuf },
    /// Forget a key, by node id or fingerprint: the author's next bundle is a first use again.
    Remove { who: String },
}

#[derive(Subcommand)]
enum ConflictsAction {
    /// List the conflicts (the default).
    List,
    /// Show the versions of one record side by side.
    Show { id: String },
    /// Resolve a conflict: keep one version (`--pick REV`) or merged content (`--from-json`).
    Resolve {
        id: String,
        #[arg(long, value_name = "REV", required_unless_present = "from_json")]
        pick: Option<String>,
        /// The merged record, as `show --json` prints it (`-` for standard input).
        #[arg(long, value_name = "FILE", conflicts_with = "pick")]
        from_json: Option<PathBuf>,
    },
}

#[derive(Args)]
struct FieldArgs {
    #[arg(long)]
    title: Option<String>,
    /// Read the markdown body from a file (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// Set a field: `key=value`; lists take comma-separated values, dotted keys reach inside
    /// objects (`consent.basis=consent`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Add a tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Take the whole record from a JSON file (`-` for standard input).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["title", "body_file", "set"])]
    from_json: Option<PathBuf>,
}

fn main() {
    let cli = Cli::parse();
    let json = cli.json;
    if let Err(err) = run(cli) {
        if json {
            let code = err
                .chain()
                .find_map(|e| e.downcast_ref::<insisst_core::Error>())
                .map_or("failed", insisst_core::Error::code);
            let message = format!("{err:#}");
            println!(
                "{}",
                serde_json::json!({"error": {"code": code, "message": message}})
            );
        } else {
            eprintln!("insisst: {err:#}");
        }
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let root = insisst_core::location::resolve(cli.workspace.clone());
    let out = output::Printer { json: cli.json };
    match cli.command {
        Command::Init {
            member,
            org,
            from_backup,
        } => {
            if let Some(backup) = from_backup {
                insisst_core::backup::restore(&backup, &root)?;
                let ws = open(&root)?;
                return out.init(&ws, true);
            }
            let owner = NewOwner {
                member: member.unwrap_or_else(default_member),
                organisation: org,
            };
            let ws = Workspace::init(&root, &owner, WorkspaceOptions::default())?;
            out.init(&ws, false)
        }
        Command::Add { kind, fields } => {
            let kind = creatable_kind(&kind)?;
            let mut ws = open(&root)?;
            let content = build_content(kind, Map::new(), &fields, &[])?;
            let record = ws.create(kind, content)?;
            out.id(&record)
        }
        Command::Show { id } => {
            let ws = open(&root)?;
            let record = ws.get_any(&id)?;
            let links = ws.links_of(&record.id)?;
            let backlinks = ws.backlinks(&record.id)?;
            out.record(&record, &links, &backlinks)
        }
        Command::List {
            kind,
            tag,
            status,
            limit,
        } => {
            let ws = open(&root)?;
            let kind = if kind.eq_ignore_ascii_case("all") {
                None
            } else {
                Some(kind.parse::<Kind>()?)
            };
            let records = ws.list(&ListQuery {
                kind,
                tag,
                status,
                limit,
                ..Default::default()
            })?;
            out.list(&records)
        }
        Command::Edit { id, fields, unset } => {
            let mut ws = open(&root)?;
            let current = ws.get(&id)?;
            let base = if fields.from_json.is_some() {
                Map::new()
            } else {
                current.content.clone()
            };
            let content = build_content(current.kind, base, &fields, &unset)?;
            // A whole record from a file carries the revision it was based on: if the record
            // changed since, refuse rather than overwrite someone's edit.
            let expected = match content.get("rev").and_then(serde_json::Value::as_str) {
                Some(rev) => rev.to_string(),
                None => current.rev.clone(),
            };
            if let Some(file_id) = content.get("id").and_then(serde_json::Value::as_str) {
                if fields.from_json.is_some() && file_id != current.id {
                    bail!(
                        "the JSON file describes record {file_id}, not {}",
                        current.id
                    );
                }
            }
            let record = ws.update(&current.id, content, Some(&expected))?;
            out.id(&record)
        }
        Command::Delete { id } => {
            let mut ws = open(&root)?;
            let record = ws.delete(&id)?;
            out.done(&record, "deleted")
        }
        Command::History { id } => {
            let ws = open(&root)?;
            out.history(&ws.history(&id)?)
        }
        Command::Restore { id, rev } => {
            let mut ws = open(&root)?;
            let record = ws.restore(&id, &rev)?;
            out.done(&record, "restored")
        }
        Command::Link { from, to } => {
            let mut ws = open(&root)?;
            let record = ws.link(&from, &to)?;
            out.done(&record, "linked")
        }
        Command::Attach { id, file } => {
            let mut ws = open(&root)?;
            let attachment = ws.attach(&id, &file)?;
            out.id(&attachment)
        }
        Command::Stats(args) => {
            let ws = open(&root)?;
            if args.monitoring {
                return learning::monitoring(&ws, cli.json, &args);
            }
            out.stats(&ws.stats()?)
        }
        Command::Review { action } => learning::review(&mut open(&root)?, cli.json, action),
        Command::Evaluation { action } => learning::evaluation(&mut open(&root)?, cli.json, action),
        Command::Vcf { action } => interop::vcf(&root, cli.json, action),
        Command::Ics { action } => interop::ics(&root, cli.json, action),
        Command::Md { action } => interop::md(&root, cli.json, action),
        Command::Report { action } => interop::report(&root, cli.json, action),
        Command::Check => {
            let ws = open(&root)?;
            let problems = insisst_core::check::run(&ws)?;
            out.check(&problems)?;
            if !problems.is_empty() {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Backup { file } => {
            let ws = open(&root)?;
            let summary = insisst_core::backup::create(&ws, &file)
                .with_context(|| format!("backing up {}", root.display()))?;
            out.backup(&summary)
        }
        Command::Search { query, kind, limit } => {
            let ws = open(&root)?;
            let (index, report) = SearchIndex::open(&ws)?;
            if report.read_only && !cli.json {
                eprintln!(
                    "insisst: the app holds the search index; searching what it has indexed so far"
                );
            }
            let kind = kind.map(|k| k.parse::<Kind>()).transpose()?;
            let results = index.search(
                &ws,
                &query.join(" "),
                &SearchOptions {
                    limit,
                    kind,
                    as_you_type: false,
                },
            )?;
            out.search(&results)
        }
        Command::Reindex => {
            let ws = open(&root)?;
            let (index, report) = SearchIndex::open(&ws)?;
            if report.read_only {
                return Err(insisst_core::Error::IndexBusy {
                    path: index.dir().to_path_buf(),
                }
                .into());
            }
            let bar = if cli.json || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                indicatif::ProgressBar::hidden()
            } else {
                indicatif::ProgressBar::new(0).with_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {pos}/{len} records {per_sec} {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                )
            };
            let started = std::time::Instant::now();
            let n = index.rebuild(&ws, &mut |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })?;
            bar.finish_and_clear();
            out.reindex(n, started.elapsed())
        }
        Command::Export {
            file,
            tag,
            session,
            question,
            from,
            to,
            changed_since_last_to,
            for_org,
        } => {
            let mut ws = open(&root)?;
            let scope = ExportScope {
                tag,
                session,
                question,
                from: from.as_deref().map(parse_day).transpose()?,
                to: to.as_deref().map(parse_day).transpose()?,
                changed_since_last_to,
                for_org,
            };
            let bar = progress_bar(cli.json);
            let summary = exchange::export(&mut ws, &file, &scope, &bar)
                .with_context(|| format!("exporting to {}", file.display()))?;
            bar.0.finish_and_clear();
            out.export(&summary)
        }
        Command::Import {
            file,
            dry_run,
            trust_new_key,
        } => {
            let mut ws = open(&root)?;
            let bar = progress_bar(cli.json);
            let plan = if dry_run {
                exchange::preview(&ws, &file, &bar)?
            } else {
                exchange::import(&mut ws, &file, ImportOptions { trust_new_key }, &bar)?
            };
            bar.0.finish_and_clear();
            if !dry_run {
                // The index follows: catch it up now, unless the app holds it (its own
                // follower then picks the import up).
                let (_index, _report) = SearchIndex::open(&ws)?;
            }
            out.import(&plan, dry_run)
        }
        Command::Keys { action } => {
            let mut ws = open(&root)?;
            match action.unwrap_or(KeysAction::List) {
                KeysAction::List => out.keys(&keyring::list(&ws)?),
                KeysAction::Trust { bundle } => {
                    let key = keyring::trust(&mut ws, &bundle)?;
                    out.key_done(&key, "trusted")
                }
                KeysAction::Remove { who } => {
                    let key = keyring::remove(&mut ws, &who)?;
                    out.key_done(&key, "removed")
                }
            }
        }
        Command::Conflicts { action } => {
            let mut ws = open(&root)?;
            match action.unwrap_or(ConflictsAction::List) {
                ConflictsAction::List => out.conflicts(&ws.conflicts()?),
                ConflictsAction::Show { id } => {
                    let record = ws.get_any(&id)?;
                    out.conflict_versions(&record, &ws.conflict_versions(&id)?)
                }
                ConflictsAction::Resolve {
                    id,
                    pick,
                    from_json,
                } => {
                    let merged = match from_json {
                        Some(path) => {
                            let text = read_input(&path)?;
                            match serde_json::from_str(&text)
                                .with_context(|| format!("{} is not valid JSON", path.display()))?
                            {
                                Value::Object(map) => Some(map),
                                _ => {
                                    bail!("{} must hold one JSON object (a record)", path.display())
                                }
                            }
                        }
                        None => None,
                    };
                    let record = ws.resolve_conflict(&id, pick.as_deref(), merged)?;
                    out.done(&record, "resolved")
                }
            }
        }
        Command::Forget { id, yes, dry_run } => privacy::forget(&root, &id, yes, dry_run, cli.json),
        Command::PersonExport { id, file, format } => {
            privacy::person_export(&root, &id, &file, format.as_deref(), cli.json)
        }
        Command::Demo { records, seed } => {
            let mut ws = if insisst_core::store::exists(&root) {
                open(&root)?
            } else {
                let owner = NewOwner {
                    member: default_member(),
                    organisation: Some("SIF".into()),
                };
                Workspace::init(&root, &owner, WorkspaceOptions::default())?
            };
            let show_progress = !cli.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let summary = insisst_core::demo::generate_with_progress(
                &mut ws,
                records,
                seed,
                &mut |done, total| {
                    if show_progress {
                        eprint!("\rdemo: {done}/{total} records");
                    }
                },
            )?;
            if show_progress {
                eprintln!();
            }
            out.demo(&summary)
        }
    }
}

/// Progress of an export or import on stderr, when it is a terminal and text is printed.
struct Bar(indicatif::ProgressBar);

impl exchange::Progress for Bar {
    fn update(&self, phase: exchange::Phase, done: u64, total: u64) {
        self.0.set_message(match phase {
            exchange::Phase::Export => "exporting",
            exchange::Phase::Check => "checking",
            exchange::Phase::Apply => "importing",
        });
        self.0.set_length(total);
        self.0.set_position(done);
    }
}

fn progress_bar(json: bool) -> Bar {
    if json || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return Bar(indicatif::ProgressBar::hidden());
    }
    Bar(indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg:>10} {bar:40} {percent:>3}% {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    ))
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .with_context(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

fn open(root: &Path) -> Result<Workspace> {
    Ok(Workspace::open(root, WorkspaceOptions::default())?)
}

fn default_member() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty() && u != "root")
        .unwrap_or_else(|| "Workspace owner".to_string())
}

fn creatable_kind(kind: &str) -> Result<Kind> {
    let kind: Kind = kind.parse()?;
    if kind == Kind::Attachment {
        bail!("attachments are added with `insisst attach <record-id> <file>`");
    }
    Ok(kind)
}

/// The content an add or edit writes: `base` (the current record for an edit), then the
/// JSON file, title, body, assignments, tags and removals, in that order. Validation happens
/// in the core, which names the field that is wrong.
fn build_content(
    kind: Kind,
    base: Map<String, Value>,
    args: &FieldArgs,
    unset: &[String],
) -> Result<Map<String, Value>> {
    let mut content = base;
    if let Some(path) = &args.from_json {
        let text = read_input(path)?;
        let value: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        let Value::Object(map) = value else {
            bail!("{} must hold one JSON object (a record)", path.display());
        };
        if let Some(Value::String(k)) = map.get("kind") {
            let file_kind: Kind = k.parse()?;
            if file_kind != kind {
                bail!("{} holds a {file_kind}, not a {kind}", path.display());
            }
        }
        content = map;
    }
    if let Some(title) = &args.title {
        content.insert("title".into(), Value::String(title.clone()));
    }
    if let Some(path) = &args.body_file {
        content.insert("body".into(), Value::String(read_input(path)?));
    }
    for assignment in &args.set {
        let Some((key, raw)) = assignment.split_once('=') else {
            bail!("--set {assignment}: expected KEY=VALUE");
        };
        let (path, value) = parse_assignment(kind, key.trim(), raw)?;
        set_path(&mut content, &path, value);
    }
    if !args.tags.is_empty() {
        let mut tags: Vec<Value> = content
            .get("tags")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for t in &args.tags {
            let t = Value::String(t.clone());
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        content.insert("tags".into(), Value::Array(tags));
    }
    for key in unset {
        remove_path(&mut content, key);
    }
    Ok(content)
}

fn remove_path(content: &mut Map<String, Value>, key: &str) {
    match key.split_once('.') {
        None => {
            content.remove(key.trim());
        }
        Some((first, rest)) => {
            if let Some(Value::Object(inner)) = content.get_mut(first.trim()) {
                remove_path(inner, rest);
            }
        }
    }
}

/// The largest file `--body-file` or `--from-json` reads: a little over the core's body limit,
/// so that the core's message about the size is the one people see.
const MAX_INPUT_BYTES: u64 = 2 << 20;

fn read_input(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_INPUT_BYTES)
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
    } else {
        std::fs::File::open(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .take(MAX_INPUT_BYTES)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}
