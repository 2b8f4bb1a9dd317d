//! `--format github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! # Format
//!
//! ```text
//! ::error file=plan.json,line=1,col=5123,title=reachdiff critical: admin-port-open-to-internet::aws_instance.web opened tcp 22 from 0.0.0.0/0 …
//! ```
//!
//! `error` for critical and high, `warning` for medium, `notice` for low and info;
//! accepted findings are not annotated, nor is a live rule-level change (the same flow
//! as the endpoint changes it causes, which are). The same change on many endpoints is one
//! annotation naming them ([`super::groups`]). GitHub shows 10 annotations of each kind
//! per step (and 50 per job; see "Limitations" in the Actions toolkit's
//! `docs/problem-matchers.md`), so at most 10 of each kind are written, the worst
//! first, the tenth saying how many more there are when there are more. The location is the resource's entry in the
//! plan when it is known. Values are escaped as the runner requires (`%`, `\r`, `\n`,
//! and in properties also `:` and `,`). The job summary (`$GITHUB_STEP_SUMMARY`) gets
//! the Markdown report; the binary writes it, since renderers never touch the
//! environment.

use std::io::{self, Write};

use super::{Group, Report, Row};
use crate::risk::Severity;

/// Annotations of one kind GitHub shows per step.
pub const PER_KIND: usize = 10;

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info | Severity::Unknown => "notice",
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

fn message(group: &Group<'_>) -> String {
    let row: &Row<'_> = group.first();
    if group.len() == 1 {
        return format!(
            "{} — score {}: {}",
            row.sentence(),
            row.score,
            row.reasons.join("; ")
        );
    }
    let subjects = group.subjects();
    let named: Vec<&str> = subjects.iter().take(5).copied().collect();
    let more = subjects.len().saturating_sub(named.len());
    format!(
        "{} — score {}: {} — on {}: {}{}",
        row.sentence(),
        row.score,
        row.reasons.join("; "),
        group.subject_label(),
        named.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Writes one annotation per group of findings, violation and introduced guardrail
/// that is not accepted, the worst first, at most [`PER_KIND`] of each kind.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rows = super::rows(report);
    // Each flow once: a live rule-level change is annotated through the endpoint
    // changes it causes.
    let open: Vec<&Row<'_>> = rows
        .iter()
        .filter(|r| !r.is_accepted() && super::counted(r))
        .collect();
    // (severity, annotation), in report order; sorted by severity below (stable).
    let mut all: Vec<(Severity, String)> = Vec::new();
    for group in super::groups(&open) {
        let row = group.first();
        let title = format!("reachdiff {}: {}", row.severity.as_str(), row.rule);
        all.push((
            row.severity,
            annotation(
                report,
                row.severity,
                (row.subject, &row.causes),
                &title,
                &message(&group),
            ),
        ));
    }
    for v in report.risk.violations.iter().filter(|v| !v.is_accepted()) {
        let title = format!(
            "reachdiff {}: invariant {}",
            v.severity.as_str(),
            v.invariant
        );
        let (flows, status) = super::violation_text(v, &report.risk.networks);
        let text = format!("{} ({status}): {}", v.endpoint, flows.join("; "));
        all.push((
            v.severity,
            annotation(report, v.severity, (&v.endpoint, &[]), &title, &text),
        ));
    }
    for g in report.risk.guardrails.iter().filter(|g| g.introduced) {
        let title = format!("reachdiff {}: {}", g.severity.as_str(), g.rule);
        all.push((
            g.severity,
            annotation(report, g.severity, (&g.resource, &[]), &title, &g.message),
        ));
    }
    all.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    for kind in ["error", "warning", "notice"] {
        let these: Vec<&(Severity, String)> =
            all.iter().filter(|(s, _)| command(*s) == kind).collect();
        let shown = if these.len() > PER_KIND {
            PER_KIND - 1
        } else {
            these.len()
        };
        for (_, a) in &these[..shown] {
            out.write_all(a.as_bytes())?;
        }
        if these.len() > shown {
            let more = these.len() - shown;
            writeln!(
                out,
                "::{kind} title={}::{}",
                property(&format!("reachdiff: {more} more")),
                data(&format!(
                    "{more} more {kind}-level findings are not annotated: GitHub shows {PER_KIND} annotations of each kind per step. The job summary, the comment and SARIF list every one."
                ))
            )?;
        }
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
