//! The default terminal output: a verdict line and the gate's decision, tables of
//! changes (most severe first), why the gating findings scored as they did, accepted
//! risks, invariant violations, warnings, and the gate's decision again as the last
//! line (what stays on screen after a long report).
//!
//! Two layouts. The wide one draws tables with box-drawing characters, one column per
//! field; it is used when no width is known (a pipe or a file without `COLUMNS`: the
//! output is then the same everywhere) and when it fits the width. When it does not
//! fit — a terminal or `COLUMNS` under the table's width, typically 80–160 columns —
//! the compact layout gives one line per finding with its details indented beneath,
//! every line wrapped to the width. Colour only on terminals that want it.

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
    let wide = wide_tables(report, &endpoint_rows, &rule_rows);
    let fits = |w: u16| {
        wide.iter()
            .flat_map(|t| t.lines())
            .all(|l| l.chars().count() <= usize::from(w))
    };
    match report.width {
        Some(width) if !fits(width) => {
            let width = usize::from(width).max(MIN_WIDTH);
            compact(report, &endpoint_rows, &rule_rows, width, out)?;
        }
        _ => {
            let titles = [
                (!endpoint_rows.is_empty()).then_some("Endpoints: who can reach what"),
                (!rule_rows.is_empty())
                    .then_some("Rules: what each security group and network ACL lets through"),
            ];
            for (title, table) in titles.into_iter().flatten().zip(&wide) {
                writeln!(out, "\n{title}")?;
                writeln!(out, "{table}")?;
            }
            if report.summary().possible > 0 {
                writeln!(out, "{POSSIBLE}")?;
            }
            write_reasons(report, &rows, None, out)?;
            write_accepted(&rows, None, out)?;
            write_violations(report, out)?;
            write_guardrails(report, None, out)?;
            super::write_warnings(out, &report.warnings)?;
        }
    }
    write_gate(report, rows.is_empty(), out)
}

/// The narrowest width the compact layout wraps to.
const MIN_WIDTH: usize = 40;

const POSSIBLE: &str =
    "? = possible: depends on values known only after apply or on an assumption (see warnings)";

/// The wide layout's tables of endpoint and rule rows (those there are), unwrapped.
fn wide_tables(report: &Report, endpoint_rows: &[&Row<'_>], rule_rows: &[&Row<'_>]) -> Vec<String> {
    let mut tables = Vec::new();
    if !endpoint_rows.is_empty() {
        let header = [
            "Risk",
            "Change",
            "Endpoint",
            "Dir",
            "Traffic",
            "Peer",
            "Why",
            "Caused by",
        ];
        tables.push(wide_table(header, report.colour, endpoint_rows, |row| {
            let endpoint = match row.via {
                Some(lb) => format!("{} (via {lb})", row.subject),
                None => row.subject.to_owned(),
            };
            [
                risk_cell(row, report.colour),
                Cell::new(row.kind_label()),
                Cell::new(endpoint),
                Cell::new(dir_label(row.direction)),
                Cell::new(&row.services),
                Cell::new(&row.peers),
                Cell::new(row.explanation.unwrap_or_default()),
                Cell::new(causes(report, row)),
            ]
        }));
    }
    if !rule_rows.is_empty() {
        let header = [
            "Risk",
            "Change",
            "Subject",
            "Dir",
            "Traffic",
            "Peer",
            "Effect",
            "Caused by",
        ];
        tables.push(wide_table(header, report.colour, rule_rows, |row| {
            let effect = match row.effect {
                Some(Effect::Live) => "live".to_owned(),
                Some(Effect::Latent(why) | Effect::Unused(why)) => format!("latent: {why}"),
                None => String::new(),
            };
            [
                risk_cell(row, report.colour),
                Cell::new(row.kind_label()),
                Cell::new(row.subject),
                Cell::new(dir_label(row.direction)),
                Cell::new(&row.services),
                Cell::new(&row.peers),
                Cell::new(effect),
                Cell::new(causes(report, row)),
            ]
        }));
    }
    tables
}

/// Rows a wide table renders at a time. comfy-table lays out and renders a whole table
/// at once, holding several copies of its text: a 100,000-row table took 5 s and
/// 658 MB. Beyond this many rows the table is rendered in pieces whose columns are
/// fixed to the widest content of all, and the pieces are joined into one table.
const WIDE_CHUNK: usize = 2_000;

/// One wide table of `rows`, each made into cells by `cells`.
fn wide_table<const N: usize>(
    header: [&str; N],
    colour: bool,
    rows: &[&Row<'_>],
    cells: impl Fn(&Row<'_>) -> [Cell; N],
) -> String {
    wide_table_in(header, colour, rows, cells, WIDE_CHUNK)
}

/// [`wide_table`], rendered `chunk` rows at a time beyond `chunk` rows.
fn wide_table_in<const N: usize>(
    header: [&str; N],
    colour: bool,
    rows: &[&Row<'_>],
    cells: impl Fn(&Row<'_>) -> [Cell; N],
    chunk: usize,
) -> String {
    let piece = |part: &[&Row<'_>]| {
        let mut table = super::table_style(header, None, colour);
        for row in part {
            table.add_row(cells(row));
        }
        table
    };
    if rows.len() <= chunk {
        return piece(rows).to_string();
    }
    // The widest content of each column over every piece (the header included).
    let mut widths = [0_u16; N];
    for part in rows.chunks(chunk) {
        for (w, m) in widths
            .iter_mut()
            .zip(piece(part).column_max_content_widths())
        {
            *w = (*w).max(m);
        }
    }
    let last = rows.len().div_ceil(chunk) - 1;
    let mut out = String::new();
    for (i, part) in rows.chunks(chunk).enumerate() {
        let mut table = piece(part);
        // The padding (one space each side) counts in an absolute width.
        table
            .set_constraints(widths.map(|w| {
                comfy_table::ColumnConstraint::Absolute(comfy_table::Width::Fixed(w + 2))
            }));
        let text = table.to_string();
        let lines: Vec<&str> = text.lines().collect();
        // Each piece is top border, header, header rule, rows, bottom border: keep the
        // head of the first piece only and the bottom border of the last only.
        let from = if i == 0 { 0 } else { 3 };
        let to = if i == last {
            lines.len()
        } else {
            lines.len() - 1
        };
        for line in &lines[from..to] {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.pop();
    out
}

/// The compact layout: one line per finding, its details indented beneath, every line
/// wrapped to `width`.
fn compact(
    report: &Report,
    endpoint_rows: &[&Row<'_>],
    rule_rows: &[&Row<'_>],
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    for (title, rows) in [
        ("Endpoints: who can reach what", endpoint_rows),
        (
            "Rules: what each security group and network ACL lets through",
            rule_rows,
        ),
    ] {
        if rows.is_empty() {
            continue;
        }
        writeln!(out, "\n{title}")?;
        for row in rows {
            let accepted = if row.is_accepted() { ", accepted" } else { "" };
            let risk = format!("{} {}{accepted}", row.severity.as_str(), row.score);
            let via = row.via.map(|lb| format!(" (via {lb})")).unwrap_or_default();
            let preposition = match row.direction {
                crate::model::Direction::Ingress => "from",
                crate::model::Direction::Egress => "to",
            };
            let first = format!(
                "{} {}{via} {} {} {preposition} {}",
                row.kind_label(),
                row.subject,
                dir_label(row.direction),
                row.services,
                row.peers
            );
            let lines = wrap(&format!("{risk}  {first}"), width, "", "      ");
            for (i, line) in lines.iter().enumerate() {
                if i == 0 && report.colour {
                    let rest = &line[risk.len()..];
                    writeln!(
                        out,
                        "{}{rest}",
                        paint(&risk, super::severity_colour(row.severity))
                    )?;
                } else {
                    writeln!(out, "{line}")?;
                }
            }
            let mut detail = |label: &str, text: &str| -> io::Result<()> {
                if text.is_empty() {
                    return Ok(());
                }
                for line in wrap(&format!("{label}: {text}"), width, "    ", "      ") {
                    writeln!(out, "{line}")?;
                }
                Ok(())
            };
            detail("rule", row.rule)?;
            match row.effect {
                Some(Effect::Live) => detail("effect", "live")?,
                Some(Effect::Latent(why) | Effect::Unused(why)) => {
                    detail("effect", &format!("latent: {why}"))?;
                }
                None => {}
            }
            detail("path", row.explanation.unwrap_or_default())?;
            detail("caused by", &causes(report, row).replace('\n', "; "))?;
        }
    }
    if report.summary().possible > 0 {
        for line in wrap(POSSIBLE, width, "", "  ") {
            writeln!(out, "{line}")?;
        }
    }
    let rows: Vec<Row<'_>> = endpoint_rows
        .iter()
        .chain(rule_rows)
        .map(|r| (*r).clone())
        .collect();
    write_reasons(report, &rows, Some(width), out)?;
    write_accepted(&rows, Some(width), out)?;
    write_compact_violations(report, width, out)?;
    write_guardrails(report, Some(width), out)?;
    if !report.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{} warning(s):", report.warnings.len())?;
        for w in &report.warnings {
            for line in wrap(
                &format!("warning[{}]: {w}", w.kind.as_str()),
                width,
                "  ",
                "    ",
            ) {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

/// The gate's decision once more, as the last line: a long report scrolls the head
/// away.
fn write_gate(report: &Report, no_rows: bool, out: &mut dyn Write) -> io::Result<()> {
    if no_rows && report.risk.violations.is_empty() && report.risk.guardrails.is_empty() {
        return Ok(());
    }
    let gate = super::gate_line(report);
    writeln!(out)?;
    if report.colour {
        let decision = if report.risk.gate.failed {
            comfy_table::Color::Red
        } else {
            comfy_table::Color::Green
        };
        writeln!(out, "{}", paint(&gate, decision))
    } else {
        writeln!(out, "{gate}")
    }
}

/// `text` broken at spaces into lines of at most `width` characters, the first
/// starting with `first`, the others with `rest`; a word longer than a line is split.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    let indent_of = |lines: &Vec<String>| if lines.is_empty() { first } else { rest };
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let need = word.len() + usize::from(!empty);
            if used + need <= width {
                if !empty {
                    line.push(' ');
                }
                line.extend(word.iter());
                empty = false;
                break;
            }
            if empty {
                // Longer than a whole line: split it.
                let room = width.saturating_sub(used).max(1);
                let head: String = word.drain(..room.min(word.len())).collect();
                line.push_str(&head);
                if word.is_empty() {
                    empty = false;
                    break;
                }
            }
            lines.push(std::mem::take(&mut line));
            indent_of(&lines).clone_into(&mut line);
            empty = true;
        }
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The verdict and the gate's decision, coloured by severity on terminals.
fn write_head(
    report: &Report,
    rows: &[Row<'_>],
    inputs: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let verdict = format!("reachdiff: {} in {inputs}", super::verdict(report, rows));
    // Wrapped to the width, when there is one (the lines are painted whole).
    let verdict = match report.width {
        Some(w) => wrap(&verdict, usize::from(w).max(MIN_WIDTH), "", "  ").join("\n"),
        None => verdict,
    };
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
fn write_reasons(
    report: &Report,
    rows: &[Row<'_>],
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
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
        let line = format!(
            "{} {} {}: {}{via} {} {} {preposition} {}",
            r.severity.as_str(),
            r.score,
            r.rule,
            r.subject,
            r.kind_label(),
            r.services,
            r.peers,
        );
        write_wrapped(out, &line, width, "  ", "    ")?;
        for reason in r.reasons {
            write_wrapped(out, &format!("- {reason}"), width, "    ", "      ")?;
        }
    }
    Ok(())
}

/// One line, or with a width, the line wrapped with hanging indents.
fn write_wrapped(
    out: &mut dyn Write,
    text: &str,
    width: Option<usize>,
    first: &str,
    rest: &str,
) -> io::Result<()> {
    match width {
        None => writeln!(out, "{first}{text}"),
        Some(w) => {
            for line in wrap(text, w, first, rest) {
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
    }
}

fn write_accepted(rows: &[Row<'_>], width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
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
        let line = format!(
            "{} {}: {} {} {} {} — \"{}\" ({}, {state}; policy line {})",
            r.severity.as_str(),
            r.rule,
            r.subject,
            dir_label(r.direction),
            r.services,
            r.peers,
            a.reason,
            a.owner,
            a.line
        );
        write_wrapped(out, &line, width, "  ", "    ")?;
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
        None,
        report.colour,
    );
    for v in violations {
        let status = violation_status(v);
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

/// Invariant violations in the compact layout: one line per forbidden flow.
fn write_compact_violations(report: &Report, width: usize, out: &mut dyn Write) -> io::Result<()> {
    let violations = &report.risk.violations;
    if violations.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nInvariants broken after the change:")?;
    for v in violations {
        let status = violation_status(v);
        for (part, certainty) in &v.parts {
            let possible = if *certainty == Certainty::Possible {
                "?"
            } else {
                ""
            };
            let line = format!(
                "{} {} ({status}{possible}): {} {} {}",
                v.severity.as_str(),
                v.invariant,
                v.endpoint,
                dir_label(v.direction),
                super::describe_part(part, v.direction, None, &report.risk.networks)
            );
            write_wrapped(out, &line, Some(width), "  ", "    ")?;
        }
    }
    Ok(())
}

fn violation_status(v: &crate::risk::invariants::Violation) -> String {
    match (&v.acceptance, v.preexisting) {
        (Some(a), _) if !a.expired => format!("accepted until {}", a.expires),
        (_, true) => "pre-existing".to_owned(),
        (_, false) => "introduced".to_owned(),
    }
}

fn write_guardrails(report: &Report, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let guardrails = &report.risk.guardrails;
    if guardrails.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nGuardrails after the change (introduced ones count for the gate):"
    )?;
    for g in guardrails {
        let line = format!(
            "{} {} ({}): {}",
            g.severity.as_str(),
            g.rule,
            super::guardrail_status(g),
            g.message
        );
        write_wrapped(out, &line, width, "  ", "    ")?;
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

#[cfg(test)]
mod tests {
    use super::wrap;

    /// A table rendered in pieces is the table rendered whole, byte for byte, whatever
    /// the piece size (the columns take the widest content of every piece).
    #[test]
    fn a_table_in_pieces_is_the_whole_table() {
        use crate::risk::{Settings, date::Date, policy::Policy};
        let plan = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/scenarios/endpoint-everything-created/plan.json");
        let mut warnings = crate::Warnings::new();
        let (input, pair) = crate::source::load_path(&plan, &mut warnings).unwrap();
        let policy = Policy::default();
        let settings = Settings {
            policy: &policy,
            fail_on: None,
            fail_on_unknown: false,
            today: Date::parse("2026-06-01").unwrap(),
            assumptions: &crate::reach::Assumptions::default(),
        };
        let report = crate::analyse(vec![input], &pair, &settings, warnings);
        let rows = super::super::rows(&report);
        let rows: Vec<&super::Row<'_>> = rows.iter().collect();
        assert!(rows.len() >= 5, "{} rows", rows.len());
        let cells = |r: &super::Row<'_>| {
            [
                super::risk_cell(r, false),
                super::Cell::new(r.subject),
                super::Cell::new(&r.peers),
                super::Cell::new(super::causes(&report, r)),
            ]
        };
        let header = ["Risk", "Subject", "Peer", "Caused by"];
        let whole = super::wide_table_in(header, false, &rows, cells, usize::MAX);
        for chunk in [1, 2, 3] {
            assert_eq!(
                super::wide_table_in(header, false, &rows, cells, chunk),
                whole,
                "pieces of {chunk}"
            );
        }
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width() {
        let text = "critical 90 opened aws_instance.web in tcp 22 from 0.0.0.0/0 except 10.0.0.0/8, 203.0.113.0/24 module.a_very_long_module_name.aws_security_group.with_a_very_long_name_indeed";
        for width in [20, 40, 80] {
            let lines = wrap(text, width, "  ", "    ");
            assert!(
                lines.iter().all(|l| l.chars().count() <= width),
                "{lines:#?}"
            );
            assert!(lines[0].starts_with("  critical"));
            assert!(lines[1..].iter().all(|l| l.starts_with("    ")));
            let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
            assert_eq!(words.concat(), text.split_whitespace().collect::<String>());
        }
    }
}
