//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! # Format
//!
//! One run. A rule's severity is not fixed (the score decides it), and GitHub code
//! scanning shows an alert's security severity from its *rule*
//! (`properties.security-severity`: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
//! 0.1–3.9 low), so `tool.driver.rules` has one entry per rule and severity that the
//! results use, with a hierarchical id (SARIF §3.49.3): `admin-port-open-to-internet/critical`
//! — the kebab rule id, then the severity. Each has the title, the rule's
//! documentation as help text, a default level and `security-severity` (critical 9.5,
//! high 8.0, medium 5.5, low 2.0; none for info, which code scanning then shows as a
//! note).
//!
//! Each report row is one result: `ruleId` and `ruleIndex`, `level` (`error` for
//! critical and high, `warning` for medium, `note` for low and info), a message, the
//! location of the resource in the input (the configuration's block with `--source` or
//! for a directory, else the plan's `resource_changes` entry: line and column; the
//! resource address as a logical location), `partialFingerprints["reachdiffFlow/v1"]`
//! (a digest of the flow — rule, level, subject, direction, kind, traffic and peers —
//! so that an alert keeps its identity across runs and line moves), and properties with
//! the score. A change covered by an accepted risk is a result with an external
//! suppression carrying the reason, owner and expiry. Invariant violations are results
//! of `invariant-violated`, guardrails of their own ids.
//!
//! File URIs are relative to the repository's root, with `uriBaseId` `%SRCROOT%`
//! (`originalUriBaseIds` gives the root's absolute `file://` URI when the binary knows
//! it), as code scanning wants them; a file outside the repository gets an absolute
//! `file://` URI.
//!
//! Targets the OASIS SARIF 2.1.0 schema (`$schema` below); tests validate the output
//! against it.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, Repository, Row};
use crate::delta::Cause;
use crate::risk::Severity;
use crate::risk::registry;

/// The schema the output declares.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info | Severity::Unknown => "note",
    }
}

/// GitHub's `security-severity` for a severity: a value inside the band code scanning
/// shows as that severity; `None` for info (no security severity: a note).
fn security_severity(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info | Severity::Unknown => None,
    }
}

/// The base every relative URI is resolved against.
const SRCROOT: &str = "%SRCROOT%";

/// `path` as a SARIF artifact location: relative to the repository's root with
/// `uriBaseId` when it is inside it (or when the root is unknown and the path is
/// relative), else an absolute `file://` URI.
fn artifact(path: &str, repository: Option<&Repository>) -> Value {
    use std::path::{Component, Path, PathBuf};
    let given = Path::new(path);
    let absolute = match repository {
        Some(r) if given.is_relative() => Some(r.cwd.join(given)),
        _ if given.is_absolute() => Some(given.to_path_buf()),
        _ => None,
    };
    let Some(absolute) = absolute else {
        return json!({ "uri": encode(path), "uriBaseId": SRCROOT });
    };
    // `.` and `..` taken out by hand: the file need not exist any more.
    let mut clean = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    match repository.and_then(|r| clean.strip_prefix(&r.root).ok()) {
        Some(inside) => json!({
            "uri": encode(&slashes(inside)),
            "uriBaseId": SRCROOT
        }),
        None => json!({ "uri": file_uri(&clean) }),
    }
}

/// A path with `/` between its parts, whatever the platform.
fn slashes(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c != "/")
        .collect::<Vec<_>>()
        .join("/")
}

/// `file:///abs/path`, percent-encoded.
fn file_uri(path: &std::path::Path) -> String {
    format!("file:///{}", encode(&slashes(path)))
}

/// Percent-encodes everything but unreserved characters and `/` (RFC 3986).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn place(report: &Report, resource: &str, causes: &[&Cause]) -> Option<crate::source::Place> {
    super::working_place(&report.inputs, resource, causes)
}

fn location(report: &Report, resource: &str, causes: &[&Cause]) -> Value {
    let at = place(report, resource, causes);
    let path = match &at {
        Some(p) => p.path.as_str(),
        None => report
            .inputs
            .iter()
            .rev()
            .find(|i| !i.format.is_context())
            .map_or("-", |i| i.path.as_str()),
    };
    let logical = json!([{ "fullyQualifiedName": resource, "kind": "resource" }]);
    // Standard input is no file a viewer can open.
    if path == "-" {
        return json!({ "logicalLocations": logical });
    }
    let mut physical = json!({ "artifactLocation": artifact(path, report.repository.as_ref()) });
    if let Some(at) = at {
        physical["region"] = json!({ "startLine": at.line, "startColumn": at.column });
    }
    json!({ "physicalLocation": physical, "logicalLocations": logical })
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
        "ruleId": rule_id(row.rule, row.severity),
        "level": level(row.severity),
        "message": { "text": text },
        "locations": locations,
        "partialFingerprints": { "reachdiffFlow/v1": fingerprint(row) },
        "properties": {
            "severity": row.severity.as_str(),
            "score": row.score,
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

/// The hierarchical rule id of a result: the rule's kebab id, then the severity.
fn rule_id(rule: &str, severity: Severity) -> String {
    format!("{rule}/{}", severity.as_str())
}

/// One rule entry per (rule, severity) the results use, in the order of `used`.
fn rules(used: &[(String, Severity)]) -> Vec<Value> {
    used.iter()
        .map(|(id, severity)| {
            let (title, summary, doc) = match registry::by_id(id) {
                Some(r) => {
                    let doc = registry::doc_text(r);
                    let summary = doc
                        .split("## What it flags")
                        .nth(1)
                        .and_then(|s| s.split("##").next())
                        .map_or_else(
                            || r.title().to_owned(),
                            |s| s.split_whitespace().collect::<Vec<_>>().join(" "),
                        );
                    (r.title().to_owned(), summary, doc)
                }
                None if id == "invariant-violated" => {
                    let t = "An invariant of the policy is broken after the change".to_owned();
                    (t.clone(), t.clone(), t)
                }
                None => {
                    let t = format!("Guardrail {id} is broken after the change");
                    (t.clone(), t.clone(), t)
                }
            };
            let mut properties =
                json!({ "tags": ["security", "network"], "severity": severity.as_str() });
            if let Some(s) = security_severity(*severity) {
                properties["security-severity"] = json!(s);
            }
            json!({
                "id": rule_id(id, *severity),
                "name": title,
                "shortDescription": { "text": format!("{title} ({})", severity.as_str()) },
                "fullDescription": { "text": summary },
                "help": { "text": doc, "markdown": doc },
                "defaultConfiguration": { "level": level(*severity) },
                "properties": properties
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
                "ruleId": rule_id("invariant-violated", v.severity),
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
    let rows = super::rows(report);
    let (mut log, others, indices) = skeleton(report, &rows);
    let results: Vec<Value> = results(report, &rows, others, &indices).collect();
    log["runs"][0]["results"] = Value::Array(results);
    log
}

/// Everything of the log but the rows' results (`results` is empty), the other results
/// (invariant violations, then guardrails), and each result's rule index in order.
fn skeleton(report: &Report, rows: &[Row<'_>]) -> (Value, Vec<Value>, Vec<usize>) {
    let mut others = violation_results(report);
    others.extend(report.risk.guardrails.iter().map(|g| {
        json!({
            "ruleId": rule_id(g.rule, g.severity),
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
    // Rule entries for what the results use, each result pointing at its own.
    let ids = rows.iter().map(|r| rule_id(r.rule, r.severity)).chain(
        others
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap_or_default().to_owned()),
    );
    let mut used: Vec<(String, Severity)> = Vec::new();
    let mut indices = Vec::new();
    for id in ids {
        let (rule, severity) = id.rsplit_once('/').unwrap_or((&id, "info"));
        let severity = Severity::parse(severity).unwrap_or(Severity::Info);
        let key = (rule.to_owned(), severity);
        let index = used.iter().position(|u| *u == key).unwrap_or_else(|| {
            used.push(key);
            used.len() - 1
        });
        indices.push(index);
    }
    let artifacts: Vec<Value> = report
        .inputs
        .iter()
        .filter(|i| i.path != "-")
        .map(|i| {
            json!({
                "location": artifact(&i.path, report.repository.as_ref()),
                "hashes": { "sha-256": i.sha256 }
            })
        })
        .collect();
    let mut run = json!({
        "tool": { "driver": {
            "name": "reachdiff",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": rules(&used)
        }},
        "artifacts": artifacts,
        "columnKind": "unicodeCodePoints",
        "results": []
    });
    if let Some(r) = &report.repository {
        // A directory's URI ends with a slash (SARIF §3.14.14).
        let root = format!("{}/", file_uri(&r.root).trim_end_matches('/'));
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": root } });
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run]
    });
    (log, others, indices)
}

/// The results in order — the rows', built one at a time, then `others` — each with
/// its rule index.
fn results<'r>(
    report: &'r Report,
    rows: &'r [Row<'r>],
    others: Vec<Value>,
    indices: &'r [usize],
) -> impl Iterator<Item = Value> + 'r {
    rows.iter()
        .map(move |r| result(report, r))
        .chain(others)
        .zip(indices)
        .map(|(mut r, index)| {
            r["ruleIndex"] = json!(index);
            r
        })
}

/// The log's top object, serialised as [`serde_json`] would serialise [`log`], but with
/// the results made one at a time as they are written: a plan with 100,000 findings
/// held them all as JSON values at once (2 GB).
struct Streamed<'v, I> {
    top: &'v Value,
    results: std::cell::RefCell<Option<I>>,
}

/// The one run of [`Streamed`].
struct StreamedRun<'v, 's, I> {
    run: &'v Value,
    results: &'s std::cell::RefCell<Option<I>>,
}

/// The results of [`StreamedRun`], taken from the iterator as they are written.
struct StreamedResults<'s, I>(&'s std::cell::RefCell<Option<I>>);

impl<I: Iterator<Item = Value>> serde::Serialize for Streamed<'_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let object = self.top.as_object().expect("the log is an object");
        let mut map = s.serialize_map(Some(object.len()))?;
        for (k, v) in object {
            if k == "runs" {
                map.serialize_key(k)?;
                map.serialize_value(&OneRun(StreamedRun {
                    run: &v[0],
                    results: &self.results,
                }))?;
            } else {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// A one-element array holding the run.
struct OneRun<'v, 's, I>(StreamedRun<'v, 's, I>);

impl<I: Iterator<Item = Value>> serde::Serialize for OneRun<'_, '_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(1))?;
        seq.serialize_element(&self.0)?;
        seq.end()
    }
}

impl<I: Iterator<Item = Value>> serde::Serialize for StreamedRun<'_, '_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let object = self.run.as_object().expect("a run is an object");
        let mut map = s.serialize_map(Some(object.len()))?;
        for (k, v) in object {
            if k == "results" {
                map.serialize_entry(k, &StreamedResults(self.results))?;
            } else {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

impl<I: Iterator<Item = Value>> serde::Serialize for StreamedResults<'_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        if let Some(results) = self.0.borrow_mut().take() {
            for r in results {
                seq.serialize_element(&r)?;
            }
        }
        seq.end()
    }
}

/// Writes the SARIF log.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rows = super::rows(report);
    let (top, others, indices) = skeleton(report, &rows);
    let streamed = Streamed {
        top: &top,
        results: std::cell::RefCell::new(Some(results(report, &rows, others, &indices))),
    };
    serde_json::to_writer_pretty(&mut *out, &streamed)?;
    writeln!(out)
}
