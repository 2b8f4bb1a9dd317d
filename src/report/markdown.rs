//! `--format markdown`: the pull-request comment.
//!
//! # Format
//!
//! ```markdown
//! <!-- reachdiff:comment id=default run=123456.1 -->
//! ### 🔴 reachdiff: 1 critical opened; 1 high closed between endpoints — gate failed (`--fail-on high`)
//!
//! | Risk | Change | Source → destination | Traffic | Why |
//! | --- | --- | --- | --- | --- |
//! | 🔴 critical 90 | opened | 0.0.0.0/0 → `aws_instance.web` | tcp 22 | `admin-port-open-to-internet` … |
//!
//! <details><summary>🔴 critical 90 · opened · aws_instance.web …</summary> reasons, path,
//! causes, and the rule-level diff </details>
//!
//! ```mermaid
//! flowchart LR …
//! ```
//!
//! <details> invariants, rule changes, latent, accepted, warnings </details>
//! ```
//!
//! The first line is a hidden marker: `id` tells several reports on one pull request
//! apart (`--comment-id`), `run` orders them (`reachdiff comment github` never replaces
//! a newer run's comment with an older one). The verdict comes next; a comment longer
//! than GitHub's 65,536-character limit loses its least important parts first (the
//! collapsed sections, the diagram, then the details and rows of the least severe
//! findings) and says what was cut and where the full report is. When nothing changed
//! the comment is one line.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Report, Row};
use crate::delta::{ChangeKind, Effect, Level};
use crate::model::{Certainty, Direction};
use crate::risk::Severity;

/// GitHub rejects comments longer than this many characters.
pub const GITHUB_LIMIT: usize = 65_536;

/// A job summary may hold 1 MiB per step.
pub const SUMMARY_LIMIT: usize = 1 << 20;

/// The most edges the diagram draws (GitHub's renderer slows down beyond that).
const MAX_EDGES: usize = 40;

/// What identifies and orders the comment, and where the full report is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommentMeta {
    /// Tells several reachdiff comments on one pull request apart (`default`).
    pub id: String,
    /// Orders runs: `RUN_ID.ATTEMPT` on GitHub Actions; `None` outside CI.
    pub run: Option<String>,
    /// Where the untruncated report is (an artifact or job summary URL).
    pub full_report: Option<String>,
}

/// The hidden marker that starts every comment.
#[must_use]
pub fn marker(meta: &CommentMeta) -> String {
    let id = if meta.id.is_empty() {
        "default"
    } else {
        &meta.id
    };
    match &meta.run {
        Some(run) => format!("<!-- reachdiff:comment id={id} run={run} -->"),
        None => format!("<!-- reachdiff:comment id={id} -->"),
    }
}

/// The emoji of a severity.
fn badge(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🔴",
        Severity::High => "🟠",
        Severity::Medium => "🟡",
        Severity::Low => "🔵",
        Severity::Info => "⚪",
    }
}

/// Text for a table cell: no pipes, no line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// Text for HTML (`<summary>`).
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// "peers → `subject`" for ingress, "`subject` → peers" for egress.
fn route(row: &Row<'_>) -> String {
    let subject = match row.via {
        Some(lb) => format!("{} (via {})", code(row.subject), code(lb)),
        None => code(row.subject),
    };
    match row.direction {
        Direction::Ingress => format!("{} → {subject}", row.peers),
        Direction::Egress => format!("{subject} → {}", row.peers),
    }
}

/// Which section a row belongs in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// The findings table: endpoint-level rows, and rule-level rows nothing in the
    /// plan carries (the plan cannot show their endpoints).
    Findings,
    /// Rule-level rows that are live: the rule change behind endpoint findings.
    RuleChanges,
    /// Rule-level rows another layer blocks.
    Latent,
    /// Rows an unexpired accepted risk covers.
    Accepted,
}

fn section(row: &Row<'_>) -> Section {
    if row.is_accepted() {
        return Section::Accepted;
    }
    match (row.level, row.effect) {
        (Level::Endpoint, _) | (Level::Rule, Some(Effect::Unused(_)) | None) => Section::Findings,
        (Level::Rule, Some(Effect::Live)) => Section::RuleChanges,
        (Level::Rule, Some(Effect::Latent(_))) => Section::Latent,
    }
}

fn table_header() -> &'static str {
    "| Risk | Change | Source → destination | Traffic | Why |\n| --- | --- | --- | --- | --- |\n"
}

/// Why a row scored as it did, in a few words: its first two reasons about the flow
/// itself, without their weights ("exposes SSH: remote administration; source: the
/// whole internet …"). Liveness and certainty show in the Change column and the
/// details.
fn short_why(row: &Row<'_>) -> String {
    const ABOUT_LIVENESS: [&str; 5] = ["live", "latent", "no endpoint", "possible", "its live"];
    row.reasons
        .iter()
        .filter(|r| !ABOUT_LIVENESS.iter().any(|p| r.starts_with(p)))
        .take(2)
        .map(|r| r.split(" — ").next().unwrap_or(r))
        .collect::<Vec<_>>()
        .join("; ")
}

fn table_row(row: &Row<'_>) -> String {
    let why = match row.effect {
        Some(Effect::Latent(w) | Effect::Unused(w)) => {
            format!("{}; latent: {w}", short_why(row))
        }
        _ => short_why(row),
    };
    format!(
        "| {} {} {} | {} | {} | {} | {} — {} |\n",
        badge(row.severity),
        row.severity.as_str(),
        row.score,
        row.kind_label(),
        cell(&route(row)),
        cell(&row.services),
        code(row.rule),
        cell(&why)
    )
}

fn details(report: &Report, row: &Row<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details><summary>{} {} {} · {} · {} · {}</summary>\n",
        badge(row.severity),
        row.severity.as_str(),
        row.score,
        row.kind_label(),
        html(&route(row).replace('`', "")),
        html(&row.services)
    );
    let _ = writeln!(out, "**{}** — score {}:\n", code(row.rule), row.score);
    for r in row.reasons {
        let _ = writeln!(out, "- {r}");
    }
    if let Some(e) = row.explanation {
        let _ = writeln!(out, "\n**What changed on the path:** {e}");
    }
    if !row.causes.is_empty() {
        let causes: Vec<String> = row
            .causes
            .iter()
            .map(|c| match super::source_place(&report.inputs, c) {
                Some(at) => format!("{} ({}, {})", code(&c.resource), c.action, code(&at)),
                None => format!("{} ({})", code(&c.resource), c.action),
            })
            .collect();
        let _ = writeln!(out, "\n**Caused by:** {}", causes.join(", "));
    }
    let diffs: Vec<String> = row
        .causes
        .iter()
        .filter_map(|c| report.rule_text.get(&c.resource))
        .map(super::rule_text::RuleText::diff)
        .filter(|d| !d.is_empty())
        .collect();
    if !diffs.is_empty() {
        let _ = writeln!(out, "\n```diff\n{}```", diffs.concat());
    }
    out.push_str("\n</details>\n");
    out
}

/// A Mermaid flowchart of the rows: peers and endpoints as nodes, one edge per row
/// (solid opened, dashed closed).
fn diagram(rows: &[&Row<'_>]) -> String {
    let mut nodes: Vec<String> = Vec::new();
    let id = |label: &str, nodes: &mut Vec<String>| -> usize {
        nodes.iter().position(|n| n == label).unwrap_or_else(|| {
            nodes.push(label.to_owned());
            nodes.len() - 1
        })
    };
    let mut edges = String::new();
    let mut styles = String::new();
    for (i, r) in rows.iter().take(MAX_EDGES).enumerate() {
        let peer = id(&r.peers, &mut nodes);
        let subject = id(r.subject, &mut nodes);
        let (from, to) = match r.direction {
            Direction::Ingress => (peer, subject),
            Direction::Egress => (subject, peer),
        };
        let label = mermaid_text(&format!("{} {}", r.kind_label(), r.services));
        let arrow = match r.kind {
            ChangeKind::Opened => "-->",
            ChangeKind::Closed => "-.->",
        };
        let _ = writeln!(edges, "  n{from} {arrow}|\"{label}\"| n{to}");
        let colour = match (r.kind, r.severity) {
            (ChangeKind::Closed, _) => "#8c959f",
            (_, Severity::Critical | Severity::High) => "#d1242f",
            (_, Severity::Medium) => "#bf8700",
            _ => "#0969da",
        };
        let _ = writeln!(styles, "  linkStyle {i} stroke:{colour},stroke-width:2px");
    }
    let mut out = String::from("```mermaid\nflowchart LR\n");
    for (i, n) in nodes.iter().enumerate() {
        let _ = writeln!(out, "  n{i}[\"{}\"]", mermaid_text(n));
    }
    out.push_str(&edges);
    out.push_str(&styles);
    if rows.len() > MAX_EDGES {
        let _ = writeln!(
            out,
            "  more[\"… {} more flows in the table\"]",
            rows.len() - MAX_EDGES
        );
    }
    out.push_str("```\n");
    out
}

/// Text inside a quoted Mermaid label.
fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;").replace('\n', " ")
}

fn collapsed(title: &str, body: &str) -> String {
    format!(
        "<details><summary>{}</summary>\n\n{body}\n</details>\n",
        html(title)
    )
}

fn rows_table(rows: &[&Row<'_>]) -> String {
    let mut t = String::from(table_header());
    for r in rows {
        t.push_str(&table_row(r));
    }
    t
}

fn violations(report: &Report) -> String {
    let mut t = String::from(
        "| Risk | Invariant | Status | Endpoint | Traffic |\n| --- | --- | --- | --- | --- |\n",
    );
    for v in &report.risk.violations {
        let status = match &v.acceptance {
            Some(a) if a.holds() => format!("accepted until {}", a.expires),
            _ if v.preexisting => "pre-existing".to_owned(),
            _ => "**introduced**".to_owned(),
        };
        for (part, certainty) in &v.parts {
            let possible = if *certainty == Certainty::Possible {
                " (possible)"
            } else {
                ""
            };
            let _ = writeln!(
                t,
                "| {} {} | {} | {status}{possible} | {} | {} |",
                badge(v.severity),
                v.severity.as_str(),
                code(&v.invariant),
                code(&v.endpoint),
                cell(&super::describe_part(
                    part,
                    v.direction,
                    None,
                    &report.risk.networks
                ))
            );
        }
    }
    t
}

fn accepted(rows: &[&Row<'_>]) -> String {
    let mut t = String::from(
        "| Risk | Change | Source → destination | Traffic | Accepted |\n| --- | --- | --- | --- | --- |\n",
    );
    for r in rows {
        let Some(a) = r.acceptance else { continue };
        let _ = writeln!(
            t,
            "| {} {} | {} | {} | {} | {} — {}, until {} |",
            badge(r.severity),
            r.severity.as_str(),
            r.kind_label(),
            cell(&route(r)),
            cell(&r.services),
            cell(&a.reason),
            cell(&a.owner),
            a.expires
        );
    }
    t
}

fn warnings(report: &Report) -> String {
    let mut t = String::new();
    for w in &report.warnings {
        let _ = writeln!(t, "- `{}`: {}", w.kind.as_str(), html(&w.to_string()));
    }
    t
}

fn footer(report: &Report) -> String {
    let inputs: Vec<String> = report
        .inputs
        .iter()
        .map(|i| {
            format!(
                "{} (sha256 {})",
                code(&i.path),
                &i.sha256[..12.min(i.sha256.len())]
            )
        })
        .collect();
    format!(
        "<sub>reachdiff {} · {} · `?` = possible: depends on values known only after apply</sub>\n",
        env!("CARGO_PKG_VERSION"),
        inputs.join(", ")
    )
}

/// The comment as ordered pieces, most important first within each kind, so that
/// truncation can drop from the end of the least important kind.
struct Pieces {
    head: String,
    rows: Vec<String>,
    details: Vec<String>,
    diagram: String,
    extra: Vec<String>,
    foot: String,
}

impl Pieces {
    fn render(&self, rows: usize, details: usize, diagram: bool, extra: usize) -> String {
        let mut out = self.head.clone();
        if rows > 0 {
            out.push('\n');
            out.push_str(table_header());
            for r in &self.rows[..rows] {
                out.push_str(r);
            }
        }
        if details > 0 {
            out.push('\n');
            for d in &self.details[..details] {
                out.push_str(d);
            }
        }
        if diagram && !self.diagram.is_empty() {
            out.push('\n');
            out.push_str(&self.diagram);
        }
        for e in &self.extra[..extra] {
            out.push('\n');
            out.push_str(e);
        }
        out
    }
}

/// The guardrails section, collapsed; `None` when there is none.
fn guardrails(report: &Report) -> Option<String> {
    let all = &report.risk.guardrails;
    if all.is_empty() {
        return None;
    }
    let introduced = all.iter().filter(|g| g.introduced).count();
    let mut t = String::from("| Risk | Guardrail | Status | What |\n| --- | --- | --- | --- |\n");
    for g in all {
        let _ = writeln!(
            t,
            "| {} {} | {} | {} | {} |",
            badge(g.severity),
            g.severity.as_str(),
            code(g.rule),
            super::guardrail_status(g),
            cell(&g.message)
        );
    }
    Some(collapsed(
        &format!(
            "Guardrails ({}, {introduced} introduced by this change)",
            all.len()
        ),
        &t,
    ))
}

/// The comment, at most `limit` characters long.
#[must_use]
pub fn comment(report: &Report, limit: usize) -> String {
    let rows = super::rows(report);
    let marker = marker(&report.comment);
    let inputs: Vec<String> = report.inputs.iter().map(|i| code(&i.path)).collect();
    if rows.is_empty()
        && report.risk.violations.is_empty()
        && report.risk.guardrails.iter().all(|g| !g.introduced)
    {
        let mut out = format!(
            "{marker}\n✅ reachdiff: no reachability change in {}.\n",
            inputs.join(", ")
        );
        if !report.warnings.is_empty() {
            out.push('\n');
            out.push_str(&collapsed(
                &format!("Warnings ({})", report.warnings.len()),
                &warnings(report),
            ));
        }
        return out;
    }
    let gate = &report.risk.gate;
    let icon = match (gate.failed, gate.worst) {
        (true, Some(w)) => badge(w),
        (true, None) => "❌",
        (false, _) => "✅",
    };
    let threshold = gate.fail_on.map_or("never", Severity::as_str);
    let decision = if gate.failed {
        format!("gate **failed** (`--fail-on {threshold}`)")
    } else {
        format!("gate passed (`--fail-on {threshold}`)")
    };
    let head = format!(
        "{marker}\n### {icon} reachdiff: {} — {decision}\n\nIn {}.\n",
        super::verdict(report, &rows),
        inputs.join(", ")
    );
    let by = |s: Section| -> Vec<&Row<'_>> { rows.iter().filter(|r| section(r) == s).collect() };
    let findings = by(Section::Findings);
    let mut extra = Vec::new();
    if !report.risk.violations.is_empty() {
        extra.push(format!(
            "**Invariants broken after the change**\n\n{}",
            violations(report)
        ));
    }
    for (s, title) in [
        (Section::RuleChanges, "Rule changes behind these findings"),
        (Section::Latent, "Latent changes (blocked elsewhere today)"),
    ] {
        let these = by(s);
        if !these.is_empty() {
            extra.push(collapsed(
                &format!("{title} ({})", these.len()),
                &rows_table(&these),
            ));
        }
    }
    if let Some(g) = guardrails(report) {
        extra.push(g);
    }
    let accepted_rows: Vec<&Row<'_>> = rows.iter().filter(|r| r.acceptance.is_some()).collect();
    if !accepted_rows.is_empty() {
        extra.push(collapsed(
            &format!("Accepted risks ({})", accepted_rows.len()),
            &accepted(&accepted_rows),
        ));
    }
    if !report.warnings.is_empty() {
        extra.push(collapsed(
            &format!("Warnings ({})", report.warnings.len()),
            &warnings(report),
        ));
    }
    let diagram_rows: Vec<&Row<'_>> = if findings.is_empty() {
        rows.iter().collect()
    } else {
        findings.clone()
    };
    let pieces = Pieces {
        head,
        rows: findings.iter().map(|r| table_row(r)).collect(),
        details: findings.iter().map(|r| details(report, r)).collect(),
        diagram: diagram(&diagram_rows),
        extra,
        foot: footer(report),
    };
    fit(&pieces, limit, report)
}

/// Drops pieces until the comment fits: the collapsed sections from the last, the
/// diagram, the details from the least severe, then table rows.
fn fit(p: &Pieces, limit: usize, report: &Report) -> String {
    let (mut rows, mut details, mut diagram, mut extra) =
        (p.rows.len(), p.details.len(), true, p.extra.len());
    // Room for the truncation note.
    let budget = limit.saturating_sub(600 + p.foot.len());
    // The length of what `render` would write, kept up to date piece by piece: one
    // render at the end, whatever the number of findings.
    let len = |t: &String| t.chars().count();
    let (row_len, detail_len, extra_len): (Vec<usize>, Vec<usize>, Vec<usize>) = (
        p.rows.iter().map(len).collect(),
        p.details.iter().map(len).collect(),
        p.extra.iter().map(|e| len(e) + 1).collect(),
    );
    let table = table_header().chars().count() + 1;
    let diagram_len = if p.diagram.is_empty() {
        0
    } else {
        len(&p.diagram) + 1
    };
    let mut total = len(&p.head)
        + if rows > 0 { table } else { 0 }
        + row_len.iter().sum::<usize>()
        + usize::from(details > 0)
        + detail_len.iter().sum::<usize>()
        + diagram_len
        + extra_len.iter().sum::<usize>();
    while total > budget && rows > 0 {
        if extra > 0 {
            extra -= 1;
            total -= extra_len[extra];
        } else if diagram {
            diagram = false;
            total -= diagram_len;
        } else if details > 0 {
            details -= 1;
            total -= detail_len[details] + usize::from(details == 0);
        } else {
            rows -= 1;
            total -= row_len[rows] + if rows == 0 { table } else { 0 };
        }
    }
    let mut out = p.render(rows, details, diagram, extra);
    let cut = rows < p.rows.len() || details < p.details.len() || !diagram || extra < p.extra.len();
    if cut {
        let where_ = report.comment.full_report.as_deref().map_or_else(
            || "in this run's JSON and SARIF reports".to_owned(),
            |u| format!("at {u}"),
        );
        let _ = write!(
            out,
            "\n> ✂️ Cut to fit GitHub's {GITHUB_LIMIT}-character limit: {} of {} findings in the table, {} of {} with details, {}{} of {} other sections. The full report is {where_}.\n",
            rows,
            p.rows.len(),
            details,
            p.details.len(),
            if diagram { "" } else { "no diagram, " },
            extra,
            p.extra.len()
        );
    }
    out.push('\n');
    out.push_str(&p.foot);
    out
}

/// Writes the comment.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(comment(report, GITHUB_LIMIT).as_bytes())
}
