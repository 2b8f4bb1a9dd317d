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
//! | 🟠 high 70 | opened | 0.0.0.0/0 → 12 endpoints | tcp 8080 | `port-open-to-internet` … |
//!
//! <details><summary>🔴 critical 90 · opened · aws_instance.web …</summary> reasons, path,
//! causes, the rule-level diff, and the endpoints of a group </details>
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
//! a newer run's comment with an older one). The verdict comes next, counting each flow
//! once (see [`super::flow_counts`]). Findings are sorted worst first (severity, then
//! score), and the same change on many endpoints is one row, "12 endpoints", whose
//! details list them ([`super::groups`]). A comment longer than GitHub's
//! 65,536-character limit (a job summary: 1 MiB) loses its least important parts first
//! (the collapsed sections, the diagram, then the details and rows of the least severe
//! findings) and says what was cut and where the full report is. When nothing changed
//! the comment is one line.
//!
//! Everything that comes from the inputs (addresses, `for_each` keys, names, policy
//! text) is escaped for where it lands: code spans that no backtick can close, table
//! cells no pipe can split, text in which `*`, `[`, `<`, `$` … are literal, HTML
//! attributes and Mermaid labels with entities, code fences longer than any run of
//! backticks inside. A line break in an input is shown as `\n`, never as a new line.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Group, Report, Row};
use crate::delta::{ChangeKind, Effect, Level};
use crate::model::{Certainty, Direction};
use crate::risk::Severity;

/// GitHub rejects comments longer than this many characters.
pub const GITHUB_LIMIT: usize = 65_536;

/// A job summary may hold 1 MiB per step (bytes).
pub const SUMMARY_LIMIT: usize = 1 << 20;

/// The most edges the diagram draws (GitHub's renderer slows down beyond that).
const MAX_EDGES: usize = 40;

/// The most subjects a group's details list by name.
const MAX_LISTED: usize = 50;

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

/// The hidden marker that starts every comment. The id keeps to letters, digits and
/// `._/-` (anything else becomes `-`), so that it can neither end the HTML comment nor
/// be mistaken for another field.
#[must_use]
pub fn marker(meta: &CommentMeta) -> String {
    let id: String = meta
        .id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._/-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let id = if id.is_empty() { "default" } else { &id };
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
        Severity::Unknown => "❔",
    }
}

/// Control characters as escapes (`\n`, `\u{1b}`): input text stays on its line.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for Markdown: every character that could start markup is literal (backslash
/// escapes; `&`, `<` and `>` as entities), line breaks shown as `\n`. Pipes are left
/// to [`cell`].
fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Emphasis, code, links and images (no `[`, no link), headings, strike-
            // through, math, mentions.
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '~' | '$' | '@' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A table cell: no pipe splits it (`\|` holds inside code spans too, in GitHub's
/// tables).
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Text for HTML (`<summary>`): entities, and no line break that could end the block.
fn html(text: &str) -> String {
    visible(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A code span no backtick inside can close: the fence is one backtick longer than the
/// longest run inside, padded when the text starts or ends with one.
fn code(text: &str) -> String {
    let text = visible(text);
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    if text.starts_with('`') || text.ends_with('`') || text.starts_with(' ') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A fenced code block: the fence is longer than any run of backticks inside.
fn code_block(info: &str, body: &str) -> String {
    let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{info}\n{body}{newline}{fence}\n")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// The subject of a group: one name in code, or "12 endpoints".
fn subject(group: &Group<'_>) -> String {
    if group.len() == 1 {
        code(group.first().subject)
    } else {
        group.subject_label()
    }
}

/// "peers → `subject`" for ingress, "`subject` → peers" for egress.
fn route(group: &Group<'_>) -> String {
    let row = group.first();
    let subject = match row.via {
        Some(lb) => format!("{} (via {})", subject(group), code(lb)),
        None => subject(group),
    };
    let peers = text(&row.peers);
    match row.direction {
        Direction::Ingress => format!("{peers} → {subject}"),
        Direction::Egress => format!("{subject} → {peers}"),
    }
}

/// The route in plain words, for HTML and Mermaid.
fn plain_route(group: &Group<'_>) -> String {
    let row = group.first();
    let subject = match row.via {
        Some(lb) => format!("{} (via {lb})", group.subject_label()),
        None => group.subject_label(),
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

/// Latent (or without a carrier in the plan): it opens or closes nothing on an
/// endpoint in the plan today.
fn is_latent(row: &Row<'_>) -> bool {
    matches!(row.effect, Some(Effect::Latent(_) | Effect::Unused(_)))
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

fn table_row(group: &Group<'_>) -> String {
    let row = group.first();
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
        cell(&route(group)),
        cell(&text(&row.services)),
        code(row.rule),
        cell(&text(&why))
    )
}

fn details(report: &Report, group: &Group<'_>) -> String {
    let row = group.first();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details><summary>{} {} {} · {} · {} · {}</summary>\n",
        badge(row.severity),
        row.severity.as_str(),
        row.score,
        row.kind_label(),
        html(&plain_route(group)),
        html(&row.services)
    );
    let _ = writeln!(out, "**{}** — score {}:\n", code(row.rule), row.score);
    for r in row.reasons {
        let _ = writeln!(out, "- {}", text(r));
    }
    if let Some(e) = row.explanation {
        if group.len() == 1 {
            let _ = writeln!(out, "\n**What changed on the path:** {}", text(e));
        } else {
            let _ = writeln!(
                out,
                "\n**What changed on the path** (on {}, and alike on each): {}",
                code(row.subject),
                text(e)
            );
        }
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
        let also = if group.len() > 1 && row.causes.iter().any(|c| c.resource == row.subject) {
            " (on each, its own)"
        } else {
            ""
        };
        let _ = writeln!(out, "\n**Caused by:**{also} {}", causes.join(", "));
    }
    let diffs: Vec<String> = row
        .causes
        .iter()
        .filter_map(|c| report.rule_text.get(&c.resource))
        .map(super::rule_text::RuleText::diff)
        .filter(|d| !d.is_empty())
        .collect();
    if !diffs.is_empty() {
        out.push('\n');
        out.push_str(&code_block("diff", &diffs.concat()));
    }
    if group.len() > 1 {
        let subjects = group.subjects();
        let listed: Vec<String> = subjects.iter().take(MAX_LISTED).map(|s| code(s)).collect();
        let more = subjects.len().saturating_sub(MAX_LISTED);
        let _ = writeln!(
            out,
            "\n**{} ({}):** {}{}",
            match row.subject_kind {
                crate::delta::SubjectKind::SecurityGroup => "Security groups",
                crate::delta::SubjectKind::NetworkAcl => "Network ACLs",
                crate::delta::SubjectKind::Endpoint(_) => "Endpoints",
            },
            subjects.len(),
            listed.join(", "),
            if more > 0 {
                format!(", and {more} more (the JSON report lists every one)")
            } else {
                String::new()
            }
        );
    }
    out.push_str("\n</details>\n");
    out
}

/// A Mermaid flowchart of the groups: peers and subjects as nodes, one edge per group
/// (solid opened, dashed closed, dotted and labelled `latent` for a change that reaches
/// no endpoint today).
fn diagram(groups: &[Group<'_>]) -> String {
    // Nodes by identity (a group's subjects), labelled for people.
    let mut nodes: Vec<(String, String)> = Vec::new();
    let id = |key: String, label: String, nodes: &mut Vec<(String, String)>| -> usize {
        nodes.iter().position(|n| n.0 == key).unwrap_or_else(|| {
            nodes.push((key, label));
            nodes.len() - 1
        })
    };
    let mut edges = String::new();
    let mut styles = String::new();
    for (i, g) in groups.iter().take(MAX_EDGES).enumerate() {
        let r = g.first();
        let peer = id(format!("peer {}", r.peers), r.peers.clone(), &mut nodes);
        let subject = id(
            format!("subject {}", g.subjects().join("\u{0}")),
            g.subject_label(),
            &mut nodes,
        );
        let (from, to) = match r.direction {
            Direction::Ingress => (peer, subject),
            Direction::Egress => (subject, peer),
        };
        let latent = is_latent(r);
        let label = mermaid_text(&format!(
            "{}{} {}",
            if latent { "latent: " } else { "" },
            r.kind_label(),
            r.services
        ));
        let arrow = match (r.kind, latent) {
            (_, true) => "-.-o",
            (ChangeKind::Opened, false) => "-->",
            (ChangeKind::Closed, false) => "-.->",
        };
        let _ = writeln!(edges, "  n{from} {arrow}|\"{label}\"| n{to}");
        let colour = match (r.kind, r.severity) {
            _ if latent => "#8c959f",
            (ChangeKind::Closed, _) => "#8c959f",
            (_, Severity::Critical | Severity::High) => "#d1242f",
            (_, Severity::Medium) => "#bf8700",
            _ => "#0969da",
        };
        let dash = if latent { ",stroke-dasharray:2 4" } else { "" };
        let _ = writeln!(
            styles,
            "  linkStyle {i} stroke:{colour},stroke-width:2px{dash}"
        );
    }
    let mut out = String::from("flowchart LR\n");
    for (i, (_, label)) in nodes.iter().enumerate() {
        let _ = writeln!(out, "  n{i}[\"{}\"]", mermaid_text(label));
    }
    out.push_str(&edges);
    out.push_str(&styles);
    if groups.len() > MAX_EDGES {
        let _ = writeln!(
            out,
            "  more[\"… {} more flows in the table\"]",
            groups.len() - MAX_EDGES
        );
    }
    code_block("mermaid", &out)
}

/// Text inside a quoted Mermaid label: every character Mermaid or HTML could read as
/// markup is an entity code (`#35;`), control characters are escapes.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible(text).chars() {
        if "\"#&<>`|[](){};".contains(c) {
            let _ = write!(out, "#{};", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

fn collapsed(title: &str, body: &str) -> String {
    format!(
        "<details><summary>{}</summary>\n\n{body}\n</details>\n",
        html(title)
    )
}

fn groups_table(groups: &[Group<'_>]) -> String {
    let mut t = String::from(table_header());
    for g in groups {
        t.push_str(&table_row(g));
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
                cell(&code(&v.invariant)),
                cell(&code(&v.endpoint)),
                cell(&text(&super::describe_part(
                    part,
                    v.direction,
                    None,
                    &report.risk.networks
                )))
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
        let single = Group { rows: vec![r] };
        let _ = writeln!(
            t,
            "| {} {} | {} | {} | {} | {} — {}, until {} |",
            badge(r.severity),
            r.severity.as_str(),
            r.kind_label(),
            cell(&route(&single)),
            cell(&text(&r.services)),
            cell(&text(&a.reason)),
            cell(&text(&a.owner)),
            a.expires
        );
    }
    t
}

fn warnings(report: &Report) -> String {
    let mut t = String::new();
    for w in &report.warnings {
        let _ = writeln!(t, "- `{}`: {}", w.kind.as_str(), text(&w.to_string()));
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
                text(&i.sha256[..12.min(i.sha256.len())])
            )
        })
        .collect();
    let not_in_input = report
        .warnings
        .iter()
        .any(|w| w.kind == crate::warning::WarningKind::NotInInput);
    format!(
        "<sub>reachdiff {} · {} · `?` = possible: depends on values known only after apply{}</sub>\n",
        env!("CARGO_PKG_VERSION"),
        inputs.join(", "),
        if not_in_input {
            " or on objects the input does not describe (see warnings)"
        } else {
            ""
        }
    )
}

/// How long a comment may be: GitHub counts a comment in characters, a job summary in
/// bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limit {
    Characters(usize),
    Bytes(usize),
}

impl Limit {
    fn len(self, text: &str) -> usize {
        match self {
            Self::Characters(_) => text.chars().count(),
            Self::Bytes(_) => text.len(),
        }
    }

    fn value(self) -> usize {
        match self {
            Self::Characters(n) | Self::Bytes(n) => n,
        }
    }

    fn describe(self) -> String {
        match self {
            Self::Characters(n) => format!("GitHub's {n}-character limit"),
            Self::Bytes(n) => format!("the job summary's {n}-byte limit"),
        }
    }
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
            cell(&text(&g.message))
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
    fitted(report, Limit::Characters(limit))
}

/// The job summary: the comment, at most `limit` bytes long (GitHub's limit for one
/// step's summary is 1 MiB, [`SUMMARY_LIMIT`]).
#[must_use]
pub fn job_summary(report: &Report, limit: usize) -> String {
    fitted(report, Limit::Bytes(limit))
}

fn fitted(report: &Report, limit: Limit) -> String {
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
    let by = |s: Section| -> Vec<Group<'_>> {
        let these: Vec<&Row<'_>> = rows.iter().filter(|r| section(r) == s).collect();
        super::groups(&these)
    };
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
            let n: usize = these.iter().map(Group::len).sum();
            extra.push(collapsed(&format!("{title} ({n})"), &groups_table(&these)));
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
    let diagram_groups = if findings.is_empty() {
        let all: Vec<&Row<'_>> = rows.iter().collect();
        super::groups(&all)
    } else {
        findings.clone()
    };
    let pieces = Pieces {
        head,
        rows: findings.iter().map(table_row).collect(),
        details: findings.iter().map(|g| details(report, g)).collect(),
        diagram: diagram(&diagram_groups),
        extra,
        foot: footer(report),
    };
    fit(&pieces, limit, report)
}

/// Drops pieces until the comment fits: the collapsed sections from the last, the
/// diagram, the details from the least severe, then table rows (the worst stay).
fn fit(p: &Pieces, limit: Limit, report: &Report) -> String {
    let (mut rows, mut details, mut diagram, mut extra) =
        (p.rows.len(), p.details.len(), true, p.extra.len());
    // Room for the truncation note.
    let budget = limit.value().saturating_sub(800 + limit.len(&p.foot));
    // The length of what `render` would write, kept up to date piece by piece: one
    // render at the end, whatever the number of findings.
    let len = |t: &String| limit.len(t);
    let (row_len, detail_len, extra_len): (Vec<usize>, Vec<usize>, Vec<usize>) = (
        p.rows.iter().map(len).collect(),
        p.details.iter().map(len).collect(),
        p.extra.iter().map(|e| len(e) + 1).collect(),
    );
    let table = limit.len(table_header()) + 1;
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
        let where_ = match (limit, report.comment.full_report.as_deref()) {
            (Limit::Characters(_), Some(u)) => format!("at {u}"),
            _ => "in this run's JSON and SARIF reports".to_owned(),
        };
        let _ = write!(
            out,
            "\n> ✂️ Cut to fit {}: {} of {} findings rows in the table, {} of {} with details, {}{} of {} other sections. The full report is {where_}.\n",
            limit.describe(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_cannot_be_closed_from_inside() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a\nb"), "`a\\nb`");
    }

    #[test]
    fn text_is_literal() {
        assert_eq!(
            text("[a](http://e) <img> *b*\n# h"),
            "\\[a\\](http://e) &lt;img&gt; \\*b\\*\\\\n\\# h"
        );
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(code_block("diff", "+a\n"), "```diff\n+a\n```\n");
        assert_eq!(code_block("diff", "+```\n"), "````diff\n+```\n````\n");
    }

    #[test]
    fn mermaid_labels_are_entities() {
        assert_eq!(mermaid_text("a\"<b>`|"), "a#34;#60;b#62;#96;#124;");
    }

    #[test]
    fn the_marker_id_cannot_end_the_comment() {
        let meta = CommentMeta {
            id: "prod --> <b>x</b>".into(),
            ..CommentMeta::default()
        };
        assert_eq!(
            marker(&meta),
            "<!-- reachdiff:comment id=prod------b-x-/b- -->"
        );
    }
}
