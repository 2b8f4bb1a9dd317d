//! `--format github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! # Format
//!
//! ```text
//! ::error file=plan.json,line=1,col=5123,title=reachdiff critical: admin-port-open-to-internet::aws_instance.web opened tcp 22 from 0.0.0.0/0 …
//! ```
//!
//! `error` for critical and high, `warning` for medium, `notice` for low and info;
//! accepted findings are not annotated. The location is the resource's entry in the
//! plan when it is known. Values are escaped as the runner requires (`%`, `\r`, `\n`,
//! and in properties also `:` and `,`). The job summary (`$GITHUB_STEP_SUMMARY`) gets
//! the Markdown report; the binary writes it, since renderers never touch the
//! environment.

use std::io::{self, Write};

use super::{Report, Row};
use crate::risk::Severity;

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Escapes a message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(
    report: &Report,
    severity: Severity,
    (resource, causes): (&str, &[&crate::delta::Cause]),
    title: &str,
    message: &str,
) -> String {
    let mut props = Vec::new();
    match super::working_place(&report.inputs, resource, causes) {
        Some(at) => {
            props.push(format!("file={}", property(&at.path)));
            props.push(format!("line={}", at.line));
            props.push(format!("col={}", at.column));
        }
        None => {
            if let Some(input) = report.inputs.iter().rev().find(|i| !i.format.is_context()) {
                props.push(format!("file={}", property(&input.path)));
            }
        }
    }
    props.push(format!("title={}", property(title)));
    format!(
        "::{} {}::{}\n",
        command(severity),
        props.join(","),
        data(message)
    )
}

fn message(row: &Row<'_>) -> String {
    format!(
        "{} — score {}: {}",
        row.sentence(),
        row.score,
        row.reasons.join("; ")
    )
}

/// Writes one annotation per finding and violation that is not accepted.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for row in super::rows(report).iter().filter(|r| !r.is_accepted()) {
        let title = format!("reachdiff {}: {}", row.severity.as_str(), row.rule);
        out.write_all(
            annotation(
                report,
                row.severity,
                (row.subject, &row.causes),
                &title,
                &message(row),
            )
            .as_bytes(),
        )?;
    }
    for v in report.risk.violations.iter().filter(|v| !v.is_accepted()) {
        let title = format!(
            "reachdiff {}: invariant {}",
            v.severity.as_str(),
            v.invariant
        );
        let (flows, status) = super::violation_text(v, &report.risk.networks);
        let text = format!("{} ({status}): {}", v.endpoint, flows.join("; "));
        out.write_all(
            annotation(report, v.severity, (&v.endpoint, &[]), &title, &text).as_bytes(),
        )?;
    }
    for g in report.risk.guardrails.iter().filter(|g| g.introduced) {
        let title = format!("reachdiff {}: {}", g.severity.as_str(), g.rule);
        out.write_all(
            annotation(report, g.severity, (&g.resource, &[]), &title, &g.message).as_bytes(),
        )?;
    }
    writeln!(out, "{}", super::gate_line(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_values_are_escaped() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
