//! Command-line definitions (clap) and the subcommands that wire the pipeline together.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use reachdiff::delta::{ChangeKind, Delta};
use reachdiff::report::{self, Report};
use reachdiff::source;
use reachdiff::warning::Warnings;

/// What a reviewer needs to know about a network change: which flows it opens and
/// which it closes.
#[derive(Debug, Parser)]
#[command(name = "reachdiff", version, about, long_about = None)]
#[command(
    after_help = "A bare path runs `plan`: `terraform show -json plan.out | reachdiff -`.\n\
Exit status: 0 no finding at or above --fail-on, 1 findings, 2 error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Analyse a Terraform plan (`terraform show -json plan.out`).
    Plan(PlanArgs),
}

/// Arguments of `reachdiff plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// The plan as JSON (`terraform show -json plan.out > plan.json`), `-` for standard
    /// input, or a binary plan file (converted with `terraform show -json` when
    /// terraform is on PATH).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Which changes make reachdiff exit with status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Opened, value_name = "WHEN")]
    pub fail_on: FailOn,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table for terminals and CI logs.
    Table,
    /// The versioned JSON record (docs/json-format.md).
    Json,
}

/// Which changes count as findings for the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// Any opened flow, definite or possible.
    Opened,
    /// Any change, opened or closed.
    Changed,
    /// Never: always exit 0 unless there is an error.
    Never,
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

const SUBCOMMANDS: [&str; 2] = ["plan", "help"];

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
    }
}

fn plan(args: &PlanArgs) -> Result<ExitStatus> {
    let mut warnings = Warnings::new();
    let (input, pair) = source::load_path(&args.plan, &mut warnings)?;
    let delta = Delta::between(&pair);
    let report = Report {
        inputs: vec![input],
        delta,
        warnings: warnings.into_sorted(),
    };
    write_report(&report, args.format, args.output.as_ref())?;
    let findings = report.delta.changes.iter().any(|c| match args.fail_on {
        FailOn::Opened => c.kind == ChangeKind::Opened,
        FailOn::Changed => true,
        FailOn::Never => false,
    });
    Ok(if findings {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

fn write_report(report: &Report, format: Format, output: Option<&PathBuf>) -> Result<()> {
    let render = |out: &mut dyn Write| -> io::Result<()> {
        match format {
            Format::Table => report::table::render(report, out),
            Format::Json => report::json::render(report, out),
        }
    };
    if let Some(path) = output {
        let file = File::create(path)
            .with_context(|| format!("cannot create the report file {}", path.display()))?;
        let mut w = BufWriter::new(file);
        render(&mut w)
            .and_then(|()| w.flush())
            .with_context(|| format!("writing the report to {}", path.display()))?;
    } else {
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        render(&mut w).and_then(|()| w.flush())?;
    }
    Ok(())
}
