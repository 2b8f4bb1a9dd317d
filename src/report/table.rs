//! The default terminal output: a verdict line and the gate's decision, tables of
//! changes (most severe first), why the gating findings scored as they did, accepted
//! risks, invariant violations, then warnings.
//!
//! Plain text with box-drawing characters, never coloured, and wrapped only to a
//! terminal's width (never when piped or written to a file), so CI logs and saved
//! reports are the same everywhere.

use std::io::{self, Write};

use comfy_table::Cell;

use super::{Report, Row, dir_label};
use crate::delta::{Effect, Level};
use crate::model::Certainty;

/// Writes the report as a table.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let inputs: Vec<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
    let inputs = inputs.join(", ");
    let rows = super::rows(report);
    write_head(report, &rows, &inputs, out)?;
    let (endpoint_rows, rule_rows): (Vec<&Row<'_>>, Vec<&Row<'_>>) =
        rows.iter().partition(|r| r.level == Level::Endpoint);
    if !endpoint_rows.is_empty() {
        writeln!(out, "\nEndpoints: who can reach what")?;
        let mut table = super::table_style(
            [
                "Risk",
                "Change",
                "Endpoint",
                "Dir",
                "Traffic",
                "Peer",
                "Why",
                "Caused by",
            ],
            report.width,
            report.colour,
        );
        for row in &endpoint_rows {
            let endpoint = match row.via {
                Some(lb) => format!("{} (via {lb})", row.subject),
                None => row.subject.to_owned(),
            };
            table.add_row([
                risk_cell(row, report.colour),
                Cell::new(row.kind_label()),
                Cell::new(endpoint),
                Cell::new(dir_label(row.direction)),
                Cell::new(&row.services),
                Cell::new(&row.peers),
                Cell::new(row.explanation.unwrap_or_default()),
                Cell::new(causes(report, row)),
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
                "Risk",
                "Change",
                "Subject",
                "Dir",
                "Traffic",
                "Peer",
                "Effect",
                "Caused by",
            ],
            report.width,
            report.colour,
        );
        for row in &rule_rows {
            let effect = match row.effect {
                Some(Effect::Live) => "live".to_owned(),
                Some(Effect::Latent(why) | Effect::Unused(why)) => format!("latent: {why}"),
                None => String::new(),
            };
            table.add_row([
                risk_cell(row, report.colour),
                Cell::new(row.kind_label()),
                Cell::new(row.subject),
                Cell::new(dir_label(row.direction)),
                Cell::new(&row.services),
                Cell::new(&row.peers),
                Cell::new(effect),
                Cell::new(causes(report, row)),
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
    write_reasons(report, &rows, out)?;
    write_accepted(&rows, out)?;
    write_violations(report, out)?;
    write_guardrails(report, out)?;
    super::write_warnings(out, &report.warnings)
}

/// The verdict and the gate's decision, coloured by severity on terminals.
fn write_head(
    report: &Report,
    rows: &[Row<'_>],
    inputs: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let verdict = format!("reachdiff: {} in {inputs}", super::verdict(report, rows));
    let gate = super::gate_line(report);
    if report.colour {
        let worst = report
            .risk
            .gate
            .worst
            .map_or(comfy_table::Color::Green, super::severity_colour);
        let decision = if report.risk.gate.failed {
            comfy_table::Color::Red
        } else {
            comfy_table::Color::Green
        };
        writeln!(out, "{}", paint(&verdict, worst))?;
        writeln!(out, "{}", paint(&gate, decision))?;
    } else {
        writeln!(out, "{verdict}")?;
        writeln!(out, "{gate}")?;
    }
    Ok(())
}

/// Why each row at or above the gate's threshold scored as it did (rule-level rows
/// that are live are explained by their endpoint rows).
fn write_reasons(report: &Report, rows: &[Row<'_>], out: &mut dyn Write) -> io::Result<()> {
    let Some(threshold) = report.risk.gate.fail_on else {
        return Ok(());
    };
    // Endpoints first, as in the tables above. A rule-level finding that is live is
    // the same exposure as the endpoint findings it causes, explained there.
    let gating: Vec<&Row<'_>> = rows
        .iter()
        .filter(|r| r.level == Level::Endpoint)
        .chain(
            rows.iter()
                .filter(|r| r.level == Level::Rule && r.effect != Some(&Effect::Live)),
        )
        .filter(|r| r.severity >= threshold && !r.is_accepted())
        .collect();
    if gating.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nWhy (findings at or above {}):", threshold.as_str())?;
    for r in gating {
        let via = r.via.map(|lb| format!(" (via {lb})")).unwrap_or_default();
        let preposition = match r.direction {
            crate::model::Direction::Ingress => "from",
            crate::model::Direction::Egress => "to",
        };
        writeln!(
            out,
            "  {} {} {}: {}{via} {} {} {preposition} {}",
            r.severity.as_str(),
            r.score,
            r.rule,
            r.subject,
            r.kind_label(),
            r.services,
            r.peers,
        )?;
        for reason in r.reasons {
            writeln!(out, "    - {reason}")?;
        }
    }
    Ok(())
}

fn write_accepted(rows: &[Row<'_>], out: &mut dyn Write) -> io::Result<()> {
    let accepted: Vec<&Row<'_>> = rows.iter().filter(|r| r.acceptance.is_some()).collect();
    if accepted.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nAccepted risks:")?;
    for r in accepted {
        let Some(a) = r.acceptance else { continue };
        let state = if a.expired {
            format!("EXPIRED on {} — counts again", a.expires)
        } else {
            format!("until {}", a.expires)
        };
        writeln!(
            out,
            "  {} {}: {} {} {} {} — \"{}\" ({}, {state}; policy line {})",
            r.severity.as_str(),
            r.rule,
            r.subject,
            dir_label(r.direction),
            r.services,
            r.peers,
            a.reason,
            a.owner,
            a.line
        )?;
    }
    Ok(())
}

fn write_violations(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let violations = &report.risk.violations;
    if violations.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nInvariants broken after the change:")?;
    let mut table = super::table_style(
        [
            "Risk",
            "Invariant",
            "Status",
            "Endpoint",
            "Dir",
            "Traffic",
            "Peer",
        ],
        report.width,
        report.colour,
    );
    for v in violations {
        let status = match (&v.acceptance, v.preexisting) {
            (Some(a), _) if !a.expired => format!("accepted until {}", a.expires),
            (_, true) => "pre-existing".to_owned(),
            (_, false) => "introduced".to_owned(),
        };
        for (part, certainty) in &v.parts {
            let possible = if *certainty == Certainty::Possible {
                "?"
            } else {
                ""
            };
            table.add_row([
                v.severity.as_str().to_owned(),
                v.invariant.clone(),
                format!("{status}{possible}"),
                v.endpoint.clone(),
                dir_label(v.direction).to_owned(),
                part.service.to_string(),
                super::describe_part_peers(part, None, &report.risk.networks),
            ]);
        }
    }
    writeln!(out, "{table}")
}

fn write_guardrails(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let guardrails = &report.risk.guardrails;
    if guardrails.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nGuardrails after the change (introduced ones count for the gate):"
    )?;
    for g in guardrails {
        writeln!(
            out,
            "  {} {} ({}): {}",
            g.severity.as_str(),
            g.rule,
            super::guardrail_status(g),
            g.message
        )?;
    }
    Ok(())
}

fn risk_cell(row: &Row<'_>, colour: bool) -> Cell {
    let accepted = if row.is_accepted() { ", accepted" } else { "" };
    let cell = Cell::new(format!(
        "{} {}{accepted}\n{}",
        row.severity.as_str(),
        row.score,
        row.rule
    ));
    if colour {
        cell.fg(super::severity_colour(row.severity))
            .add_attribute(comfy_table::Attribute::Bold)
    } else {
        cell
    }
}

/// `text` in `colour` (ANSI), for the lines outside tables.
fn paint(text: &str, colour: comfy_table::Color) -> String {
    let code = match colour {
        comfy_table::Color::Magenta => "1;35",
        comfy_table::Color::Red => "1;31",
        comfy_table::Color::Yellow => "1;33",
        comfy_table::Color::Blue => "1;34",
        comfy_table::Color::Green => "1;32",
        _ => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn causes(report: &Report, row: &Row<'_>) -> String {
    row.causes
        .iter()
        .map(|k| super::cause_text(&report.inputs, k))
        .collect::<Vec<_>>()
        .join("\n")
}
