//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! # Format
//!
//! One run. `tool.driver.rules` lists every risk rule of the registry (id, title, the
//! rule's documentation as help text, and its default level). Each report row is one
//! result: `ruleId`, `level` (`error` for critical and high, `warning` for medium,
//! `note` for low and info), a message, the location of the resource in the input (the
//! plan's `resource_changes` entry: line and column; the resource address as a logical
//! location), `partialFingerprints["reachdiffFlow/v1"]` (a digest of the flow — rule,
//! level, subject, direction, kind, traffic and peers — so that an alert keeps its
//! identity across runs and line moves), and properties with the score and GitHub's
//! `security-severity`. A change covered by an accepted risk is a result with an
//! external suppression carrying the reason, owner and expiry. Invariant violations are
//! results of `invariant-violated`.
//!
//! Targets the OASIS SARIF 2.1.0 schema (`$schema` below); tests validate the output
//! against it.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, Row};
use crate::delta::Cause;
use crate::risk::Severity;
use crate::risk::registry::{self, RULES};

/// The schema the output declares.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity`: 0.0–10.0, from the score.
fn security_severity(score: u8) -> String {
    format!("{:.1}", f64::from(score) / 10.0)
}

fn place(report: &Report, resource: &str, causes: &[&Cause]) -> Option<crate::source::Place> {
    super::working_place(&report.inputs, resource, causes)
}

fn location(report: &Report, resource: &str, causes: &[&Cause]) -> Value {
    let at = place(report, resource, causes);
    let uri = match &at {
        Some(p) => p.path.as_str(),
        None => report
            .inputs
            .iter()
            .rev()
            .find(|i| !i.format.is_context())
            .map_or("", |i| i.path.as_str()),
    };
    let mut physical = json!({ "artifactLocation": { "uri": uri } });
    if let Some(at) = at {
        physical["region"] = json!({ "startLine": at.line, "startColumn": at.column });
    }
    json!({
        "physicalLocation": physical,
        "logicalLocations": [{ "fullyQualifiedName": resource, "kind": "resource" }]
    })
}

fn fingerprint(row: &Row<'_>) -> String {
    let text = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}",
        row.rule,
        row.level.as_str(),
        row.subject,
        row.via.unwrap_or_default(),
        row.direction.as_str(),
        row.kind.as_str(),
        row.services,
        row.peers
    );
    crate::source::sha256_hex(text.as_bytes())
}

fn result(report: &Report, row: &Row<'_>) -> Value {
    let mut text = format!(
        "{}: {}. {} (score {}).",
        row.severity.as_str(),
        row.sentence(),
        row.reasons.join("; "),
        row.score
    );
    if let Some(e) = row.explanation {
        let _ = write!(text, " Path: {e}.");
    }
    // The subject's entry in the input; a filter the plan knows only by id has none,
    // so the first cause that has one stands in.
    let located = |r: &str| place(report, r, &row.causes).is_some();
    let primary = std::iter::once(row.subject)
        .chain(row.causes.iter().map(|c| c.resource.as_str()))
        .find(|r| located(r))
        .unwrap_or(row.subject);
    let locations = vec![location(report, primary, &row.causes)];
    let related: Vec<Value> = row
        .causes
        .iter()
        .filter(|c| c.resource != row.subject)
        .enumerate()
        .map(|(i, c)| {
            let mut l = location(report, &c.resource, &row.causes);
            l["id"] = json!(i);
            l["message"] = json!({ "text": format!("{} ({})", c.resource, c.action) });
            l
        })
        .collect();
    let mut r = json!({
        "ruleId": row.rule,
        "level": level(row.severity),
        "message": { "text": text },
        "locations": locations,
        "partialFingerprints": { "reachdiffFlow/v1": fingerprint(row) },
        "properties": {
            "severity": row.severity.as_str(),
            "score": row.score,
            "security-severity": security_severity(row.score),
            "level": row.level.as_str(),
            "change": row.kind.as_str(),
            "certainty": row.certainty.as_str()
        }
    });
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    suppress(&mut r, row.acceptance);
    r
}

/// Marks a result suppressed when an unexpired accepted risk covers it.
fn suppress(result: &mut Value, acceptance: Option<&crate::risk::Acceptance>) {
    if let Some(a) = acceptance.filter(|a| a.holds()) {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!("{} (owner {}, until {})", a.reason, a.owner, a.expires)
        }]);
    }
}

fn rules() -> Vec<Value> {
    RULES
        .iter()
        .map(|r| {
            let doc = registry::doc_text(*r);
            let summary = doc
                .split("## What it flags")
                .nth(1)
                .and_then(|s| s.split("##").next())
                .map_or_else(
                    || r.title().to_owned(),
                    |s| s.split_whitespace().collect::<Vec<_>>().join(" "),
                );
            json!({
                "id": r.id(),
                "name": r.title(),
                "shortDescription": { "text": r.title() },
                "fullDescription": { "text": summary },
                "help": { "text": doc, "markdown": doc },
                "properties": { "tags": ["security", "network"] }
            })
        })
        .collect()
}

fn violation_results(report: &Report) -> Vec<Value> {
    report
        .risk
        .violations
        .iter()
        .map(|v| {
            let (flows, status) = super::violation_text(v, &report.risk.networks);
            let mut r = json!({
                "ruleId": "invariant-violated",
                "level": level(v.severity),
                "message": { "text": format!(
                    "invariant {} broken on {} ({status}): {}",
                    v.invariant, v.endpoint, flows.join("; ")
                )},
                "locations": [location(report, &v.endpoint, &[])],
                "partialFingerprints": {
                    "reachdiffFlow/v1": crate::source::sha256_hex(
                        format!("invariant|{}|{}|{}", v.invariant, v.endpoint, v.direction.as_str()).as_bytes()
                    )
                },
                "properties": {
                    "severity": v.severity.as_str(),
                    "status": status,
                    "policy-line": v.line
                }
            });
            suppress(&mut r, v.acceptance.as_ref());
            r
        })
        .collect()
}

/// The SARIF log as a JSON value.
#[must_use]
pub fn log(report: &Report) -> Value {
    let mut results: Vec<Value> = super::rows(report)
        .iter()
        .map(|r| result(report, r))
        .collect();
    results.extend(violation_results(report));
    results.extend(report.risk.guardrails.iter().map(|g| {
        json!({
            "ruleId": g.rule,
            "level": level(g.severity),
            "message": { "text": format!("{} ({})", g.message, super::guardrail_status(g)) },
            "locations": [location(report, &g.resource, &[])],
            "partialFingerprints": {
                "reachdiffFlow/v1": crate::source::sha256_hex(
                    format!("guardrail|{}|{}|{}", g.rule, g.resource, g.message).as_bytes()
                )
            },
            "properties": {
                "severity": g.severity.as_str(),
                "status": super::guardrail_status(g),
            }
        })
    }));
    let artifacts: Vec<Value> = report
        .inputs
        .iter()
        .map(|i| {
            json!({
                "location": { "uri": i.path },
                "hashes": { "sha-256": i.sha256 }
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "reachdiff",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules()
            }},
            "artifacts": artifacts,
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}

/// Writes the SARIF log.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report))?;
    writeln!(out)
}
