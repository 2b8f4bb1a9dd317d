//! The default terminal output: a one-line verdict, a table of changes, then warnings.
//!
//! Plain text with box-drawing characters, never wrapped and never coloured, so the
//! output is the same on every terminal and in CI logs.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::Report;
use crate::delta::ChangeKind;
use crate::model::{Certainty, Direction};

/// Writes the report as a table.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    let inputs: Vec<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
    let inputs = inputs.join(", ");
    let rows = super::rows(&report.delta);
    if rows.is_empty() {
        writeln!(out, "reachdiff: no reachability change in {inputs}")?;
    } else {
        let count = |k: ChangeKind| rows.iter().filter(|r| r.kind == k).count();
        let possible = rows
            .iter()
            .filter(|r| r.certainty == Certainty::Possible)
            .count();
        let possible = if possible > 0 {
            format!(" ({possible} possible)")
        } else {
            String::new()
        };
        writeln!(
            out,
            "reachdiff: {} opened, {} closed{possible} in {inputs}",
            count(ChangeKind::Opened),
            count(ChangeKind::Closed)
        )?;
        let mut table = Table::new();
        table.force_no_tty();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(["Change", "Subject", "Dir", "Traffic", "Peer", "Caused by"]);
        for row in rows.iter().cloned() {
            let kind = match (row.kind, row.certainty) {
                (ChangeKind::Opened, Certainty::Definite) => "opened",
                (ChangeKind::Opened, Certainty::Possible) => "opened?",
                (ChangeKind::Closed, Certainty::Definite) => "closed",
                (ChangeKind::Closed, Certainty::Possible) => "closed?",
            };
            let dir = match row.direction {
                Direction::Ingress => "in",
                Direction::Egress => "out",
            };
            let causes: Vec<String> = row
                .causes
                .iter()
                .map(|k| format!("{} ({})", k.resource, k.action))
                .collect();
            table.add_row([
                kind.to_owned(),
                row.subject.to_owned(),
                dir.to_owned(),
                row.services,
                row.peers,
                causes.join("\n"),
            ]);
        }
        writeln!(out, "{table}")?;
        if s.possible > 0 {
            writeln!(
                out,
                "? = possible: depends on values known only after apply (see warnings)"
            )?;
        }
    }
    if !report.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{} warning(s):", report.warnings.len())?;
        for w in &report.warnings {
            writeln!(out, "  warning[{}]: {w}", w.kind.as_str())?;
        }
    }
    Ok(())
}
