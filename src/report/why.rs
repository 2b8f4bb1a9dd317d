//! `reachdiff why`: the answer for each side of the change, hop by hop.
//!
//! # Format (`--format json`)
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "tool": { "name": "reachdiff", "version": "0.1.0" },
//!   "inputs": [{ "path": "plan.json", "format": "terraform-plan-json", "sha256": "…" }],
//!   "question": { "from": "internet (as 8.8.8.8)", "to": "aws_instance.web", "service": "tcp 22" },
//!   "change": "not reachable before (blocked by …); after: reachable",
//!   "answers": [{
//!     "side": "before", "verdict": "not reachable",
//!     "hops": [{ "layer": "SG in", "subject": "aws_instance.web", "verdict": "denied",
//!                "reason": "no rule matches", "resources": ["aws_security_group.web"],
//!                "assumed": false, "locations": ["plan.json:2307"] }],
//!     "unknowns": [], "fixes": ["allow tcp 22 from … in an ingress rule of …"]
//!   }]
//! }
//! ```

use std::io::{self, Write};

use serde::Serialize;

use crate::reach::HopVerdict;
use crate::source::Input;
use crate::why::{Answer, Report};

/// Where each resource of a hop is written (`plan.json:2307`, `infra/main.tf:12`).
fn locations(inputs: &[Input], resources: &[String]) -> Vec<String> {
    let mut out: Vec<String> = resources
        .iter()
        .filter_map(|r| crate::source::locate(inputs, r).map(|p| p.to_string()))
        .collect();
    out.dedup();
    out
}

/// The "Where" of a hop: its resources' places, else (not in the input's text, e.g. a
/// binary plan) the resources themselves.
fn where_cell(inputs: &[Input], resources: &[String]) -> Vec<String> {
    let mut out = locations(inputs, resources);
    if out.is_empty() {
        out = resources.to_vec();
        out.dedup();
    }
    out
}

/// Writes the answers as a table per side.
///
/// # Errors
///
/// When writing fails.
pub fn render_table(report: &Report, inputs: &[Input], out: &mut dyn Write) -> io::Result<()> {
    let q = &report.question;
    writeln!(
        out,
        "reachdiff why: {} → {} on {}: {}",
        q.from.label(),
        q.to.label(),
        q.service(),
        report.change
    )?;
    for a in &report.answers {
        writeln!(out, "\n{}: {}", side_title(a), a.verdict.as_str())?;
        let mut table = super::table_style(
            ["#", "Hop", "Subject", "Verdict", "Deciding rule", "Where"],
            None,
            false,
        );
        for (i, h) in a.path.hops.iter().enumerate() {
            let mark = match h.verdict {
                HopVerdict::Allowed => "allowed",
                HopVerdict::Denied => "DENIED",
            };
            let assumed = if h.assumed { " (assumed)" } else { "" };
            let where_ = where_cell(inputs, &h.resources);
            table.add_row([
                (i + 1).to_string(),
                h.layer.as_str().to_owned(),
                h.subject.clone(),
                format!("{mark}{assumed}"),
                h.reason.clone(),
                where_.join("\n"),
            ]);
        }
        writeln!(out, "{table}")?;
        for u in &a.unknowns {
            writeln!(
                out,
                "  passes only if a value known after apply allows it: {u}"
            )?;
        }
        for f in &a.fixes {
            writeln!(out, "  to let it through: {f}")?;
        }
    }
    Ok(())
}

fn side_title(a: &Answer) -> String {
    let mut t = a.side.to_owned();
    if let Some(first) = t.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    t
}

/// Writes the answers as Markdown (for a PR comment or an issue).
///
/// # Errors
///
/// When writing fails.
pub fn render_markdown(report: &Report, inputs: &[Input], out: &mut dyn Write) -> io::Result<()> {
    let q = &report.question;
    writeln!(
        out,
        "### reachdiff why: `{}` → `{}` on {}\n\n**{}**",
        q.from.label(),
        q.to.label(),
        q.service(),
        report.change
    )?;
    for a in &report.answers {
        writeln!(
            out,
            "\n#### {}: {}\n\n| # | Hop | Subject | Verdict | Deciding rule | Where |\n| --- | --- | --- | --- | --- | --- |",
            side_title(a),
            a.verdict.as_str()
        )?;
        for (i, h) in a.path.hops.iter().enumerate() {
            let mark = match h.verdict {
                HopVerdict::Allowed => "✅ allowed",
                HopVerdict::Denied => "⛔ **denied**",
            };
            let cell = |t: &str| t.replace('|', "\\|");
            writeln!(
                out,
                "| {} | {} | `{}` | {mark}{} | {} | {} |",
                i + 1,
                h.layer.as_str(),
                h.subject,
                if h.assumed { " (assumed)" } else { "" },
                cell(&h.reason),
                cell(&where_cell(inputs, &h.resources).join(", "))
            )?;
        }
        for u in &a.unknowns {
            writeln!(
                out,
                "\n- passes only if a value known after apply allows it: {u}"
            )?;
        }
        for f in &a.fixes {
            writeln!(out, "\n- **to let it through:** {f}")?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Document<'r> {
    schema_version: u32,
    tool: super::json::Tool,
    inputs: &'r [Input],
    question: JsonQuestion,
    change: &'r str,
    answers: Vec<JsonAnswer<'r>>,
}

#[derive(Serialize)]
struct JsonQuestion {
    from: String,
    to: String,
    service: String,
}

#[derive(Serialize)]
struct JsonAnswer<'r> {
    side: &'static str,
    verdict: &'static str,
    hops: Vec<JsonHop<'r>>,
    unknowns: &'r [String],
    fixes: &'r [String],
}

#[derive(Serialize)]
struct JsonHop<'r> {
    layer: &'static str,
    subject: &'r str,
    verdict: &'static str,
    reason: &'r str,
    resources: &'r [String],
    assumed: bool,
    locations: Vec<String>,
}

/// Writes the answers as JSON.
///
/// # Errors
///
/// When writing fails.
pub fn render_json(report: &Report, inputs: &[Input], out: &mut dyn Write) -> io::Result<()> {
    let q = &report.question;
    let doc = Document {
        schema_version: super::json::SCHEMA_VERSION,
        tool: super::json::Tool::this(),
        inputs,
        question: JsonQuestion {
            from: q.from.label(),
            to: q.to.label(),
            service: q.service(),
        },
        change: &report.change,
        answers: report
            .answers
            .iter()
            .map(|a| JsonAnswer {
                side: a.side,
                verdict: a.verdict.as_str(),
                hops: a
                    .path
                    .hops
                    .iter()
                    .map(|h| JsonHop {
                        layer: h.layer.as_str(),
                        subject: &h.subject,
                        verdict: match h.verdict {
                            HopVerdict::Allowed => "allowed",
                            HopVerdict::Denied => "denied",
                        },
                        reason: &h.reason,
                        resources: &h.resources,
                        assumed: h.assumed,
                        locations: locations(inputs, &h.resources),
                    })
                    .collect(),
                unknowns: &a.unknowns,
                fixes: &a.fixes,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
