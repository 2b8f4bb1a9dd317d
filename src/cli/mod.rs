//! Command-line definitions (clap) and the subcommands that wire the pipeline together.

mod comment;

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use reachdiff::reach::Assumptions;
use reachdiff::report::show::Exposure;
use reachdiff::report::{self, Report};
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::{self, Policy};
use reachdiff::risk::{self, Severity, Threshold, registry};
use reachdiff::source;
use reachdiff::warning::Warnings;

/// What a reviewer needs to know about a network change: which flows it opens and
/// which it closes.
#[derive(Debug, Parser)]
#[command(name = "reachdiff", version, about, long_about = None)]
#[command(
    after_help = "A bare path runs `plan`: `terraform show -json plan.out | reachdiff -`.\n\
Exit status: 0 no finding at or above --fail-on (default high), 1 findings at or above it (or, with --fail-on-unknown, an unknown exposure), 2 error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// What a change does: the flows a Terraform plan opens and closes.
    Plan(PlanArgs),
    /// What a change does, without a plan: two Terraform directories or templates, or
    /// one and its git base.
    Diff(DiffArgs),
    /// Who can reach what, in one snapshot (after the change, or before with --before).
    Show(ShowArgs),
    /// Can SRC reach DST on a port, before and after the change — and if not, what
    /// blocks it? An offline Reachability Analyzer.
    Why(WhyArgs),
    /// The risk rules: every id with its title, or one rule's documentation.
    Rules(RulesArgs),
    /// Post the Markdown report as a pull-request comment.
    #[command(subcommand)]
    Comment(CommentTarget),
}

/// Where `reachdiff comment` posts.
#[derive(Debug, Subcommand)]
pub(crate) enum CommentTarget {
    /// Create or update the comment on a GitHub pull request (token: `GITHUB_TOKEN`).
    Github(comment::GithubArgs),
}

/// Arguments of `reachdiff why`.
#[derive(Debug, clap::Args)]
pub(crate) struct WhyArgs {
    /// The plan (as for `reachdiff plan`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// The source: an IP address, a CIDR block, `internet` (`internet6`), or an
    /// endpoint's resource address (`aws_instance.app`, `module.web.aws_lb.this`).
    #[arg(long, value_name = "SRC")]
    pub from: String,

    /// The destination: an endpoint's resource address, or an address in a VPC.
    #[arg(long, value_name = "DST")]
    pub to: String,

    /// tcp, udp, icmp, icmpv6, or a protocol number.
    #[arg(long, default_value = "tcp")]
    pub protocol: String,

    /// The destination port (tcp, udp), or TYPE[:CODE] for ICMP.
    #[arg(long, value_name = "PORT")]
    pub port: Option<String>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = WhyFormat::Table)]
    pub format: WhyFormat,

    /// Write the answer to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub inputs: InputArgs,

    #[command(flatten)]
    pub assumptions: AssumptionArgs,
}

/// Output formats of `reachdiff why`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum WhyFormat {
    /// Tables, one per side.
    Table,
    /// JSON.
    Json,
    /// Markdown.
    Markdown,
}

/// Arguments of `reachdiff rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// A rule id (`admin-port-open-to-internet`); without it, every rule is listed.
    #[arg(value_name = "ID")]
    pub id: Option<String>,
}

/// Assumptions shared by the commands that compute reachability.
#[derive(Debug, clap::Args)]
pub(crate) struct AssumptionArgs {
    /// The source ports clients use; replies to them must pass stateless network ACLs.
    /// AWS advises 1024-65535 for internet clients (Linux uses 32768-60999, Windows
    /// 49152-65535).
    #[arg(long, value_name = "LO-HI", default_value = "1024-65535", value_parser = parse_port_range)]
    pub ephemeral_ports: (u16, u16),
}

impl AssumptionArgs {
    fn assumptions(&self) -> Assumptions {
        Assumptions {
            ephemeral: self.ephemeral_ports,
        }
    }
}

fn parse_port_range(text: &str) -> Result<(u16, u16), String> {
    let (lo, hi) = text.split_once('-').unwrap_or((text, text));
    let port = |p: &str| {
        p.trim()
            .parse::<u16>()
            .map_err(|_| format!("{p:?} is not a port (0-65535); write a range like 1024-65535"))
    };
    let (lo, hi) = (port(lo)?, port(hi)?);
    if lo > hi {
        return Err(format!("{lo}-{hi} is reversed; write the lower port first"));
    }
    Ok((lo, hi))
}

/// Arguments of `reachdiff show`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    /// The plan (as for `reachdiff plan`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// Show the network before the change instead of after it.
    #[arg(long)]
    pub before: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub inputs: InputArgs,

    #[command(flatten)]
    pub assumptions: AssumptionArgs,
}

/// Output formats of `reachdiff show`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// A table for terminals and CI logs.
    Table,
    /// JSON (docs/json-format.md).
    Json,
}

/// Arguments of `reachdiff plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// The plan as JSON (`terraform show -json plan.out > plan.json`), `-` for standard
    /// input, or a binary plan file (converted with `terraform show -json` when
    /// terraform is on PATH). A CloudFormation template reads as the change that
    /// creates its stack; a CloudFormation change set described with
    /// `--include-property-values` as the change it makes to the resources it lists; a
    /// directory of Terraform configuration as the change that creates it.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// The plan's Terraform configuration directory: findings then point at the lines
    /// of the configuration (resource addresses of modules and indexes included).
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,

    #[command(flatten)]
    pub inputs: InputArgs,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// Arguments of `reachdiff diff`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The network before the change: a directory of Terraform configuration, or a
    /// CloudFormation template (YAML or JSON). With --git: the directory or template
    /// to compare with the revision (default `.`).
    #[arg(value_name = "BEFORE")]
    pub before: Option<PathBuf>,

    /// The network after the change, of the same kind as BEFORE.
    #[arg(value_name = "AFTER")]
    pub after: Option<PathBuf>,

    /// Compare the path at this git revision (`origin/main`, a tag, a commit) with the
    /// working tree; nothing is checked out.
    #[arg(long, value_name = "BASE")]
    pub git: Option<String>,

    /// The change set between the templates (`aws cloudformation describe-change-set
    /// --output json`): it gives each resource's action (create, update, replace,
    /// delete) and must be for the same stack.
    #[arg(long, value_name = "FILE")]
    pub changeset: Option<PathBuf>,

    #[command(flatten)]
    pub inputs: InputArgs,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// Terraform variables, for directories of configuration.
#[derive(Debug, clap::Args)]
pub(crate) struct TerraformArgs {
    /// A Terraform variable, as `terraform plan -var` (repeatable; applied last).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,

    /// A Terraform variable file (`.tfvars` or `.tfvars.json`; repeatable), applied after
    /// `terraform.tfvars` and `*.auto.tfvars` as Terraform does.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
}

impl TerraformArgs {
    fn options(&self) -> Result<source::terraform_hcl::Options> {
        let vars = self
            .var
            .iter()
            .map(|v| {
                v.split_once('=')
                    .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                    .filter(|(k, _)| !k.is_empty())
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "--var {v}: give a variable as NAME=VALUE (`--var region=eu-west-1`)"
                        )
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(source::terraform_hcl::Options {
            var_files: self.var_file.clone(),
            vars,
        })
    }
}

/// What the readers need besides the input: CloudFormation parameters, Terraform
/// variables and context files (every command that reads an input takes all three).
#[derive(Debug, clap::Args)]
pub(crate) struct InputArgs {
    #[command(flatten)]
    pub template: TemplateArgs,

    #[command(flatten)]
    pub terraform: TerraformArgs,

    /// What the input knows only by id, as AWS describes it now: the JSON of `aws ec2
    /// describe-security-groups`, `describe-network-acls`, `describe-route-tables`,
    /// `describe-subnets`, `describe-vpcs`, `describe-internet-gateways`,
    /// `describe-instances` or `describe-managed-prefix-lists` (with Entries), or
    /// `terraform show -json` of a state (repeatable; docs/context.md). Flows through
    /// the groups, ACLs, tables and subnets it describes are no longer assumed, and the
    /// instances it describes around them (in the groups and subnets the input uses, or
    /// admitting its groups) are reported as endpoints.
    #[arg(long = "context", value_name = "FILE")]
    pub context: Vec<PathBuf>,
}

impl InputArgs {
    fn options(&self) -> Result<source::LoadOptions> {
        Ok(source::LoadOptions {
            parameters: self.template.values()?,
            terraform: self.terraform.options()?,
            change_set: None,
            context: source::context::Context::load(&self.context)?,
            plan_source: None,
        })
    }
}

/// CloudFormation parameters.
#[derive(Debug, clap::Args)]
pub(crate) struct TemplateArgs {
    /// A template parameter, overriding its default (repeatable).
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,

    /// A parameter file in `aws cloudformation` format
    /// (`[{"ParameterKey": "K", "ParameterValue": "V"}]`).
    #[arg(long, value_name = "FILE")]
    pub parameters: Option<PathBuf>,
}

impl TemplateArgs {
    /// The parameters: the file's, then `--parameter`s over them.
    fn values(&self) -> Result<std::collections::BTreeMap<String, String>> {
        let mut out = std::collections::BTreeMap::new();
        if let Some(path) = &self.parameters {
            let bytes = reachdiff::limits::read_file(path, reachdiff::limits::PARAMETERS)
                .map_err(|kind| reachdiff::Error::new(Some(path.clone()), kind))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "{}: the parameter file is not UTF-8 text; give the JSON list of parameters",
                    path.display()
                )
            })?;
            let v: serde_json::Value = serde_json::from_str(&text).with_context(|| {
                format!("{} is not JSON (a parameter file is `[{{\"ParameterKey\": …, \"ParameterValue\": …}}]`)", path.display())
            })?;
            let items = v.as_array().or_else(|| v["Parameters"].as_array()).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: a parameter file is a list of {{\"ParameterKey\": …, \"ParameterValue\": …}}",
                    path.display()
                )
            })?;
            for item in items {
                let (Some(k), Some(val)) = (
                    item["ParameterKey"].as_str(),
                    item["ParameterValue"].as_str(),
                ) else {
                    anyhow::bail!(
                        "{}: every entry needs ParameterKey and ParameterValue strings, not {item}",
                        path.display()
                    );
                };
                out.insert(k.to_owned(), val.to_owned());
            }
        }
        for p in &self.parameter {
            let Some((k, val)) = p.split_once('=') else {
                anyhow::bail!("--parameter {p:?} must be KEY=VALUE");
            };
            out.insert(k.to_owned(), val.to_owned());
        }
        Ok(out)
    }
}

/// What every command that reports a change shares: outputs, the gate, the policy.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Output format: table, json, markdown, sarif or github; FORMAT=FILE writes it to
    /// FILE. Repeat for several reports from one run
    /// (`-f table -f markdown=comment.md -f sarif=reachdiff.sarif`).
    #[arg(short, long, value_name = "FORMAT[=FILE]", value_parser = parse_format, default_value = "table")]
    pub format: Vec<(Format, Option<PathBuf>)>,

    /// Write the report to FILE instead of standard output (the one format without
    /// `=FILE`).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Colour the table: auto (a terminal, unless `NO_COLOR` is set), always, never.
    #[arg(long, value_enum, default_value_t = ColourChoice::Auto, value_name = "WHEN")]
    pub color: ColourChoice,

    /// Markdown: tells several reachdiff comments on one pull request apart.
    #[arg(long, value_name = "ID", default_value = "default")]
    pub comment_id: String,

    /// Markdown: where the full report is when the comment must be cut to GitHub's
    /// size limit (an artifact or job URL).
    #[arg(long, value_name = "URL")]
    pub full_report_url: Option<String>,

    /// Exit with status 1 when a finding (or invariant violation) that is not accepted
    /// is at or above this severity: critical, high, medium, low, info, or never.
    /// Default: the policy's `[gate] fail_on`, else high.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_threshold)]
    pub fail_on: Option<Threshold>,

    /// Also exit with status 1 when an endpoint change of severity `unknown` (its
    /// exposure rests on a group, subnet, ACL or route table the input does not
    /// describe) is not accepted. Without it they are reported, not gated.
    #[arg(long)]
    pub fail_on_unknown: bool,

    /// The policy file (named networks, severity overrides, accepted risks,
    /// invariants). Default: `reachdiff.toml` in the working directory, if present.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore `reachdiff.toml` in the working directory.
    #[arg(long)]
    pub no_config: bool,

    /// Check accepted risks' `expires` against this day instead of today (UTC), to
    /// reproduce an earlier decision.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,

    #[command(flatten)]
    pub assumptions: AssumptionArgs,
}

fn parse_threshold(text: &str) -> Result<Threshold, String> {
    if text.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    if text.trim().eq_ignore_ascii_case("unknown") {
        return Err(
            "\"unknown\" is not a threshold: unknown exposures are gated with --fail-on-unknown"
                .into(),
        );
    }
    Severity::parse(text).map(Some).ok_or_else(|| {
        format!("{text:?} is not a severity; use critical, high, medium, low, info or never")
    })
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("{text:?} is not a date; write YYYY-MM-DD"))
}

/// When to colour terminal output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColourChoice {
    /// When writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always (e.g. `| less -R`).
    Always,
    /// Never.
    Never,
}

impl ColourChoice {
    /// Whether to colour output going to `output` (`None`: standard output).
    fn enabled(self, output: Option<&PathBuf>) -> bool {
        use std::io::IsTerminal;
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => {
                output.is_none()
                    && io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}

/// Output formats of `reachdiff plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table for terminals and CI logs.
    Table,
    /// The versioned JSON evidence record (docs/json-format.md).
    Json,
    /// The pull-request comment (GitHub-flavoured Markdown).
    Markdown,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions annotations (and the job summary when `GITHUB_STEP_SUMMARY` is set).
    Github,
}

fn parse_format(text: &str) -> Result<(Format, Option<PathBuf>), String> {
    let (name, path) = match text.split_once('=') {
        Some((n, p)) if !p.is_empty() => (n, Some(PathBuf::from(p))),
        Some((n, _)) => return Err(format!("`{n}=` needs a file name after `=`")),
        None => (text, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        format!("{name:?} is not a format; use table, json, markdown, sarif or github, optionally as FORMAT=FILE")
    })?;
    Ok((format, path))
}

/// The documented exit statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// No finding at or above `--fail-on`.
    Clean = 0,
    /// At least one finding at or above `--fail-on`.
    Findings = 1,
    /// reachdiff could not run.
    Error = 2,
}

const SUBCOMMANDS: [&str; 7] = ["plan", "diff", "show", "why", "rules", "comment", "help"];

/// Parses the command line; a first argument that is not a subcommand or an option
/// (a path, or `-`) means `plan`.
pub(crate) fn parse() -> Cli {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if let Some(first) = args.get(1).and_then(|a| a.to_str()) {
        let is_option = first.starts_with('-') && first != "-";
        if !is_option && !SUBCOMMANDS.contains(&first) {
            args.insert(1, "plan".into());
        }
    }
    Cli::parse_from(args)
}

/// Runs a parsed command line.
pub(crate) fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Plan(args) => plan(&args),
        Command::Diff(args) => diff(&args),
        Command::Show(args) => show(&args),
        Command::Why(args) => why(&args),
        Command::Rules(args) => rules(&args),
        Command::Comment(CommentTarget::Github(args)) => {
            let outcome = comment::github(&args)?;
            write_to(None, |w| writeln!(w, "reachdiff: {outcome}"))?;
            Ok(ExitStatus::Clean)
        }
    }
}

/// Exit status 0 when the flow is reachable after the change, 1 when it is not (or
/// only possibly), 2 on error.
fn why(args: &WhyArgs) -> Result<ExitStatus> {
    let mut warnings = Warnings::new();
    let options = args.inputs.options()?;
    let (input, pair) = source::load_input(&args.plan, &options, &mut warnings)?;
    let snapshots = [&pair.before, &pair.after];
    let from = reachdiff::why::parse_end(&args.from, snapshots).context("--from")?;
    let to = reachdiff::why::parse_end(&args.to, snapshots).context("--to")?;
    let (protocol, detail) = reachdiff::why::parse_service(&args.protocol, args.port.as_deref())?;
    let question = reachdiff::why::Question {
        from,
        to,
        protocol,
        detail,
    };
    let report = reachdiff::why::compare(
        question,
        &pair.before,
        &pair.after,
        &args.assumptions.assumptions(),
    );
    let mut inputs = vec![input];
    inputs.extend_from_slice(options.context.inputs());
    write_to(args.output.as_ref(), |out| match args.format {
        WhyFormat::Table => report::why::render_table(&report, &inputs, out),
        WhyFormat::Json => report::why::render_json(&report, &inputs, out),
        WhyFormat::Markdown => report::why::render_markdown(&report, &inputs, out),
    })?;
    let reachable = report
        .answers
        .last()
        .is_some_and(|a| a.verdict == reachdiff::why::Verdict::Reachable);
    Ok(if reachable {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    })
}

fn rules(args: &RulesArgs) -> Result<ExitStatus> {
    let mut out = String::new();
    match &args.id {
        None => {
            let width = registry::RULES
                .iter()
                .map(|r| r.id().len())
                .max()
                .unwrap_or(0);
            for r in registry::RULES {
                let _ = writeln!(out, "{:width$}  {}", r.id(), r.title());
            }
            out.push_str("\n`reachdiff rules ID` shows a rule's documentation.\n");
        }
        Some(id) => {
            let Some(rule) = registry::by_id(id) else {
                anyhow::bail!("no rule is named `{id}`; `reachdiff rules` lists them");
            };
            let _ = write!(out, "# `{}`: {}\n\n", rule.id(), rule.title());
            out.push_str(&registry::doc_text(rule));
        }
    }
    write_to(None, |w| w.write_all(out.as_bytes()))?;
    Ok(ExitStatus::Clean)
}

/// The policy: `--config`, else `reachdiff.toml` in the working directory, else none.
fn load_policy(args: &ReportArgs) -> Result<Policy> {
    if let Some(path) = &args.config {
        return Ok(policy::load(path)?);
    }
    let default = PathBuf::from(policy::FILE_NAME);
    if !args.no_config && default.is_file() {
        return Ok(policy::load(&default)?);
    }
    Ok(Policy::default())
}

fn show(args: &ShowArgs) -> Result<ExitStatus> {
    let mut warnings = Warnings::new();
    let options = args.inputs.options()?;
    let (input, pair) = source::load_input(&args.plan, &options, &mut warnings)?;
    let (snapshot, side) = if args.before {
        (&pair.before, "before")
    } else {
        (&pair.after, "after")
    };
    if let Some(why) = reachdiff::reach::over_budget(snapshot) {
        anyhow::bail!(
            "{}: {why}, and `reachdiff show` is made of them",
            args.plan.display()
        );
    }
    let mut inputs = vec![input];
    inputs.extend_from_slice(options.context.inputs());
    let mut exposure = Exposure::of(
        snapshot,
        side,
        &args.assumptions.assumptions(),
        inputs,
        warnings.into_sorted(),
    );
    exposure.width = terminal_width(args.output.as_ref());
    write_to(args.output.as_ref(), |out| match args.format {
        ShowFormat::Table => report::show::render_table(&exposure, out),
        ShowFormat::Json => report::show::render_json(&exposure, out),
    })?;
    Ok(ExitStatus::Clean)
}

/// Where the run is, on standard error (never on standard output, so reports stay
/// byte-identical): in a terminal, a status line naming the stage and the seconds so
/// far, redrawn in place from half a second on and erased before the reports are
/// written; in CI (`CI` set, standard error not a terminal), one heartbeat line every
/// 10 seconds once the run has taken 5, so a long run is not mistaken for a hung one.
/// Nothing otherwise. A thread draws it, so a stage that takes long still ticks.
struct Progress {
    tx: Option<std::sync::mpsc::Sender<Option<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How progress shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ProgressMode {
    Terminal,
    Heartbeat,
}

impl Progress {
    /// A terminal's status line appears after this long.
    const TERMINAL_AFTER: std::time::Duration = std::time::Duration::from_millis(500);
    /// CI's first heartbeat.
    const HEARTBEAT_AFTER: std::time::Duration = std::time::Duration::from_secs(5);
    /// CI's heartbeats after the first.
    const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

    fn off() -> Self {
        Self {
            tx: None,
            thread: None,
        }
    }

    fn start() -> Self {
        use std::io::IsTerminal;
        let mode = if io::stderr().is_terminal() {
            ProgressMode::Terminal
        } else if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false") {
            ProgressMode::Heartbeat
        } else {
            return Self::off();
        };
        let (tx, rx) = std::sync::mpsc::channel::<Option<String>>();
        let thread = std::thread::spawn(move || Self::run(mode, &rx));
        Self {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    fn run(mode: ProgressMode, rx: &std::sync::mpsc::Receiver<Option<String>>) {
        use std::sync::mpsc::RecvTimeoutError;
        let started = std::time::Instant::now();
        let mut stage = String::new();
        let mut drawn = false;
        let mut next_beat = Self::HEARTBEAT_AFTER;
        let tick = match mode {
            ProgressMode::Terminal => std::time::Duration::from_millis(200),
            ProgressMode::Heartbeat => std::time::Duration::from_secs(1),
        };
        loop {
            match rx.recv_timeout(tick) {
                Ok(Some(s)) => stage = s,
                Ok(None) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
            let elapsed = started.elapsed();
            match mode {
                ProgressMode::Terminal if elapsed >= Self::TERMINAL_AFTER => {
                    let _ = write!(
                        io::stderr(),
                        "\r\x1b[2Kreachdiff: {stage}… {} s",
                        elapsed.as_secs()
                    );
                    let _ = io::stderr().flush();
                    drawn = true;
                }
                ProgressMode::Heartbeat if elapsed >= next_beat => {
                    let _ = writeln!(
                        io::stderr(),
                        "reachdiff: still working after {} s: {stage}",
                        elapsed.as_secs()
                    );
                    next_beat += Self::HEARTBEAT_EVERY;
                }
                _ => {}
            }
        }
        if drawn {
            let _ = write!(io::stderr(), "\r\x1b[2K");
            let _ = io::stderr().flush();
        }
    }

    fn stage(&self, what: &str) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Some(what.to_owned()));
        }
    }

    /// Stops and erases the status line; before any report is written.
    fn done(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(None);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done();
    }
}

fn plan(args: &PlanArgs) -> Result<ExitStatus> {
    let policy = load_policy(&args.report)?;
    let mut options = args.inputs.options()?;
    options.plan_source = args.source.clone().filter(|dir| dir.is_dir());
    let mut warnings = Warnings::new();
    let mut progress = Progress::start();
    progress.stage(&format!("reading {}", args.plan.display()));
    let loaded = source::load_input(&args.plan, &options, &mut warnings);
    let (input, pair) = match loaded {
        Ok(l) => l,
        Err(e) => {
            progress.done();
            return Err(e.into());
        }
    };
    let mut inputs = vec![input];
    if let Some(dir) = &args.source {
        if !dir.is_dir() {
            anyhow::bail!(
                "{}: --source names the plan's configuration directory, and this is not a directory",
                dir.display()
            );
        }
        // The plan is the evidence; configuration the evaluator cannot read only costs
        // the line numbers.
        progress.stage(&format!("reading the configuration in {}", dir.display()));
        match source::source_locations(dir, &options.terraform) {
            Ok(input) => inputs.push(input),
            Err(e) => warnings.push(
                reachdiff::warning::WarningKind::Input,
                None,
                format!("--source: {e}; findings point at the plan instead of the configuration"),
            ),
        }
    }
    inputs.extend_from_slice(options.context.inputs());
    report_change(inputs, &pair, &policy, warnings, &args.report, progress)
}

fn diff(args: &DiffArgs) -> Result<ExitStatus> {
    let policy = load_policy(&args.report)?;
    let mut options = args.inputs.options()?;
    options.change_set.clone_from(&args.changeset);
    let (before, after) = match (&args.git, &args.before, &args.after) {
        (Some(_), _, Some(extra)) => anyhow::bail!(
            "with --git, give one path (the directory or template to compare with the revision), not two; `{}` is one too many",
            extra.display()
        ),
        (Some(base), path, None) => {
            let path = path.clone().unwrap_or_else(|| PathBuf::from("."));
            let at_base = source::git::GitPath::new(base, &path)?;
            (source::Side::Git(at_base), source::Side::Path(path))
        }
        (None, Some(before), Some(after)) => (
            source::Side::Path(before.clone()),
            source::Side::Path(after.clone()),
        ),
        (None, _, _) => anyhow::bail!(
            "give the two sides to compare (`reachdiff diff BEFORE AFTER`, each a directory of Terraform configuration or a CloudFormation template), or compare with a git revision: `reachdiff diff --git origin/main [PATH]`"
        ),
    };
    let mut warnings = Warnings::new();
    let mut progress = Progress::start();
    progress.stage("reading both sides");
    let loaded = source::load_diff(&before, &after, &options, &mut warnings);
    let (mut inputs, pair) = match loaded {
        Ok(l) => l,
        Err(e) => {
            progress.done();
            return Err(e.into());
        }
    };
    inputs.extend_from_slice(options.context.inputs());
    report_change(inputs, &pair, &policy, warnings, &args.report, progress)
}

/// Analyses a change and writes every requested report; the exit status is the gate's.
fn report_change(
    inputs: Vec<source::Input>,
    pair: &source::SnapshotPair,
    policy: &Policy,
    warnings: Warnings,
    args: &ReportArgs,
    mut progress: Progress,
) -> Result<ExitStatus> {
    let assumptions = args.assumptions.assumptions();
    let settings = risk::Settings {
        policy,
        fail_on: args
            .fail_on
            .or(policy.fail_on)
            .unwrap_or(Some(Severity::High)),
        fail_on_unknown: args.fail_on_unknown,
        today: args.date.unwrap_or_else(Date::today),
        assumptions: &assumptions,
    };
    let outputs = outputs(args)?;
    let mut report = reachdiff::analyse_with(inputs, pair, &settings, warnings, &mut |s| {
        progress.stage(s);
    });
    if outputs
        .iter()
        .any(|(f, _)| matches!(f, Format::Markdown | Format::Github))
    {
        progress.stage("rules as text");
        reachdiff::with_rule_text(&mut report, pair);
    }
    progress.done();
    report.comment = report::markdown::CommentMeta {
        id: args.comment_id.clone(),
        run: run_stamp(),
        full_report: args.full_report_url.clone(),
    };
    report.repository = repository();
    for (format, path) in &outputs {
        report.width = terminal_width(path.as_ref());
        report.colour = *format == Format::Table && args.color.enabled(path.as_ref());
        write_report(&report, *format, path.as_ref())?;
        if *format == Format::Github {
            write_job_summary(&report)?;
            write_step_outputs(&report)?;
        }
    }
    Ok(if report.risk.gate.failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// Each requested format with where it goes (`None`: standard output). At most one
/// format goes to standard output (or to `--output`).
fn outputs(args: &ReportArgs) -> Result<Vec<(Format, Option<PathBuf>)>> {
    let unnamed = args.format.iter().filter(|(_, p)| p.is_none()).count();
    if unnamed > 1 {
        anyhow::bail!(
            "only one format can go to standard output; give the others a file, e.g. `--format sarif=reachdiff.sarif`"
        );
    }
    Ok(args
        .format
        .iter()
        .map(|(f, p)| (*f, p.clone().or_else(|| args.output.clone())))
        .collect())
}

/// The repository the run is in, for SARIF's relative URIs: `$GITHUB_WORKSPACE` (what
/// code scanning resolves URIs against), else the nearest directory up from the working
/// directory that holds `.git`.
fn repository() -> Option<report::Repository> {
    let cwd = std::env::current_dir().ok()?;
    let root = std::env::var_os("GITHUB_WORKSPACE")
        .filter(|w| !w.is_empty())
        .map(PathBuf::from)
        .filter(|w| w.is_absolute())
        .or_else(|| {
            cwd.ancestors()
                .find(|d| d.join(".git").exists())
                .map(std::path::Path::to_path_buf)
        })?;
    Some(report::Repository { root, cwd })
}

/// `RUN_ID.ATTEMPT` on GitHub Actions: orders comments from successive runs.
fn run_stamp() -> Option<String> {
    let id = std::env::var("GITHUB_RUN_ID")
        .ok()
        .filter(|v| !v.is_empty())?;
    let attempt = std::env::var("GITHUB_RUN_ATTEMPT").unwrap_or_else(|_| "1".into());
    Some(format!("{id}.{attempt}"))
}

/// Appends `text` to the file named by the runner variable `var` (a GitHub Actions
/// file command) when it is set; `what` names it in errors.
fn append_to_runner_file(var: &str, what: &str, text: &str) -> Result<()> {
    let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .with_context(|| format!("cannot write the {what} {} (${var})", path.display()))
}

/// Appends the Markdown report to `$GITHUB_STEP_SUMMARY` when it is set, cut to what
/// the step's 1 MiB summary still has room for (bytes; earlier commands of the step
/// may have written to it).
fn write_job_summary(report: &Report) -> Result<()> {
    let used = std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.is_empty())
        .and_then(|p| std::fs::metadata(p).ok())
        .map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
    let room = report::markdown::SUMMARY_LIMIT.saturating_sub(used);
    let text = report::markdown::job_summary(report, room);
    append_to_runner_file("GITHUB_STEP_SUMMARY", "job summary", &text)
}

/// Appends the step outputs (`failed`, `worst`, counts) to `$GITHUB_OUTPUT` when it
/// is set, for the Action and for workflows that run reachdiff directly. Counts are of
/// flows, each counted once (`report::flow_counts`), as in the headline.
fn write_step_outputs(report: &Report) -> Result<()> {
    let s = report.summary();
    let rows = report::rows(report);
    let c = report::flow_counts(&rows);
    let gate = &report.risk.gate;
    let lines = [
        ("failed", gate.failed.to_string()),
        (
            "worst",
            gate.worst
                .map_or("none", reachdiff::risk::Severity::as_str)
                .to_owned(),
        ),
        ("critical", c.by_severity.critical.to_string()),
        ("high", c.by_severity.high.to_string()),
        ("medium", c.by_severity.medium.to_string()),
        ("low", c.by_severity.low.to_string()),
        ("info", c.by_severity.info.to_string()),
        ("unknown", c.by_severity.unknown.to_string()),
        ("opened", c.opened.to_string()),
        ("closed", c.closed.to_string()),
        ("latent", c.latent.to_string()),
        ("accepted", c.accepted.to_string()),
        ("violations", s.violations.to_string()),
        ("warnings", s.warnings.to_string()),
    ];
    let text = lines.iter().fold(String::new(), |mut acc, (k, v)| {
        let _ = writeln!(acc, "{k}={v}");
        acc
    });
    append_to_runner_file("GITHUB_OUTPUT", "step outputs", &text)
}

fn write_report(report: &Report, format: Format, output: Option<&PathBuf>) -> Result<()> {
    write_to(output, |out| match format {
        Format::Table => report::table::render(report, out),
        Format::Json => report::json::render(report, out),
        Format::Markdown => report::markdown::render(report, out),
        Format::Sarif => report::sarif::render(report, out),
        Format::Github => report::github::render(report, out),
    })
}

/// The width to fit the report to: a terminal's (as it reports it, else `COLUMNS`,
/// else 120 columns); for a pipe, `COLUMNS` when it is set (CI logs); never for a file,
/// nor for a pipe without `COLUMNS`, so that such output is the same everywhere.
fn terminal_width(output: Option<&PathBuf>) -> Option<u16> {
    use std::io::IsTerminal;
    if output.is_some() {
        return None;
    }
    let columns = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|c| *c > 0)
    };
    if !io::stdout().is_terminal() {
        return columns();
    }
    let detected = comfy_table::Table::new().width();
    Some(detected.or_else(columns).unwrap_or(120))
}

/// Runs `render` into FILE, or standard output when there is none.
///
/// Standard output closed by its reader (`reachdiff plan.json | head`, EPIPE) is not an
/// error: the rest is dropped, the other outputs are still written and the exit status
/// stays the gate's (like ripgrep's "a match was found"; exiting 0 would pass a gate
/// that failed). Standard output that cannot be written at all (closed from the start,
/// a full disk) is an error: the report would be lost.
fn write_to(
    output: Option<&PathBuf>,
    render: impl Fn(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    if let Some(path) = output {
        let file = File::create(path)
            .with_context(|| format!("cannot create the report file {}", path.display()))?;
        let mut w = BufWriter::new(file);
        render(&mut w)
            .and_then(|()| w.flush())
            .with_context(|| format!("writing the report to {}", path.display()))?;
    } else {
        if crate::stdout_was_closed() {
            anyhow::bail!(
                "standard output is closed, so the report would be lost; redirect it (`> report.txt`) or write the report to a file (`--output FILE`, `--format FORMAT=FILE`)"
            );
        }
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        match render(&mut w).and_then(|()| w.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
            other => other.context("writing the report to standard output")?,
        }
    }
    Ok(())
}
