//! The default terminal output: a one-line verdict, a table of changes, then warnings.
//!
//! Plain text with box-drawing characters, never coloured, and wrapped only to a
//! terminal's width (never when piped or written to a file), so CI logs and saved
//! reports are the same everywhere.

use std::io::{self, Write};

use super::{Report, Row, dir_label};
use crate::delta::{ChangeKind, Effect, Level};
use crate::model::Certainty;

/// Writes the report as a table.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let inputs: Vec<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
    let inputs = inputs.join(", ");
    let rows = super::rows(&report.delta);
    let (endpoint_rows, rule_rows): (Vec<Row<'_>>, Vec<Row<'_>>) =
        rows.into_iter().partition(|r| r.level == Level::Endpoint);
    if endpoint_rows.is_empty() && rule_rows.is_empty() {
        writeln!(out, "reachdiff: no reachability change in {inputs}")?;
    } else {
        let mut sections = Vec::new();
        if !endpoint_rows.is_empty() {
            sections.push(counts("between endpoints", &endpoint_rows));
        }
        if !rule_rows.is_empty() {
            sections.push(counts("in rules", &rule_rows));
        }
        writeln!(out, "reachdiff: {} in {inputs}", sections.join("; "))?;
    }
    if !endpoint_rows.is_empty() {
        writeln!(out, "\nEndpoints: who can reach what")?;
        let mut table = super::table_style(
            [
                "Change",
                "Endpoint",
                "Dir",
                "Traffic",
                "Peer",
                "Why",
                "Caused by",
            ],
            report.width,
        );
        for row in &endpoint_rows {
            let endpoint = match row.via {
                Some(lb) => format!("{} (via {lb})", row.subject),
                None => row.subject.to_owned(),
            };
            table.add_row([
                kind_label(row).to_owned(),
                endpoint,
                dir_label(row.direction).to_owned(),
                row.services.clone(),
                row.peers.clone(),
                row.explanation.unwrap_or_default().to_owned(),
                causes(row),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    if !rule_rows.is_empty() {
        writeln!(
            out,
            "\nRules: what each security group and network ACL lets through"
        )?;
        let mut table = super::table_style(
            [
                "Change",
                "Subject",
                "Dir",
                "Traffic",
                "Peer",
                "Effect",
                "Caused by",
            ],
            report.width,
        );
        for row in &rule_rows {
            let effect = match row.effect {
                Some(Effect::Live) => "live".to_owned(),
                Some(Effect::Latent(why)) => format!("latent: {why}"),
                None => String::new(),
            };
            table.add_row([
                kind_label(row).to_owned(),
                row.subject.to_owned(),
                dir_label(row.direction).to_owned(),
                row.services.clone(),
                row.peers.clone(),
                effect,
                causes(row),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    if report.summary().possible > 0 {
        writeln!(
            out,
            "? = possible: depends on values known only after apply or on an assumption (see warnings)"
        )?;
    }
    super::write_warnings(out, &report.warnings)
}

fn counts(what: &str, rows: &[Row<'_>]) -> String {
    let n = |k: ChangeKind| rows.iter().filter(|r| r.kind == k).count();
    let possible = rows
        .iter()
        .filter(|r| r.certainty == Certainty::Possible)
        .count();
    let possible = if possible > 0 {
        format!(", {possible} possible")
    } else {
        String::new()
    };
    format!(
        "{} opened, {} closed {what}{possible}",
        n(ChangeKind::Opened),
        n(ChangeKind::Closed)
    )
}

fn kind_label(row: &Row<'_>) -> &'static str {
    match (row.kind, row.certainty) {
        (ChangeKind::Opened, Certainty::Definite) => "opened",
        (ChangeKind::Opened, Certainty::Possible) => "opened?",
        (ChangeKind::Closed, Certainty::Definite) => "closed",
        (ChangeKind::Closed, Certainty::Possible) => "closed?",
    }
}

fn causes(row: &Row<'_>) -> String {
    row.causes
        .iter()
        .map(|k| format!("{} ({})", k.resource, k.action))
        .collect::<Vec<_>>()
        .join("\n")
}
