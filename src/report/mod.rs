//! Reports: the [`Report`] handed to renderers, and one module per output format.
//!
//! Every renderer has the same shape, `fn render(&Report, &mut dyn Write) ->
//! io::Result<()>`, and is deterministic: the same report gives byte-identical output.
//! Renderers never read inputs; they only format what the pipeline produced.

pub mod github;
pub mod json;
pub mod markdown;
pub mod rule_text;
pub mod sarif;
pub mod show;
pub mod table;
pub mod why;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::delta::{Cause, Change, ChangeKind, Delta, Effect, Level, SubjectKind};
use crate::header_space::{
    HeaderSpace, Part, PeerSet, Principal, RangeSet, ServiceSet, covering_block, v4_cidrs, v6_cidrs,
};
use crate::model::{Certainty, Direction};
use crate::risk::{Acceptance, Assessment, Finding, Severity};
use crate::source::Input;
use crate::warning::Warning;

/// Everything one run found, ready to render.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The inputs read, in order.
    pub inputs: Vec<Input>,
    /// What the change does.
    pub delta: Delta,
    /// How much each change matters, and the gate's verdict.
    pub risk: Assessment,
    /// The rules of every resource that caused a change, before and after.
    pub rule_text: BTreeMap<String, rule_text::RuleText>,
    /// What identifies the pull-request comment (Markdown).
    pub comment: markdown::CommentMeta,
    /// What could not be modelled exactly, sorted.
    pub warnings: Vec<Warning>,
    /// Wrap tables to this width (a terminal's); `None` never wraps (pipes, files).
    pub width: Option<u16>,
    /// Colour the table (a terminal, unless `NO_COLOR`); never for pipes and files.
    pub colour: bool,
    /// Where the repository is, so that SARIF can name files relative to its root;
    /// `None` writes paths as the inputs name them.
    pub repository: Option<Repository>,
}

/// The repository the inputs are in, as the binary found it (renderers never look at
/// the file system or the environment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    /// The repository's root, absolute (`$GITHUB_WORKSPACE`, or the nearest directory up
    /// from the working directory that holds `.git`).
    pub root: std::path::PathBuf,
    /// The working directory, absolute: relative input paths start there.
    pub cwd: std::path::PathBuf,
}

/// Counts per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct BySeverity {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Info.
    pub info: usize,
    /// Unknown: exposure resting on objects the input does not describe (left out
    /// when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts shown in summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Opened changes (definite and possible).
    pub opened: usize,
    /// Closed changes (definite and possible).
    pub closed: usize,
    /// Changes (of either kind) that depend on unknown values.
    pub possible: usize,
    /// Warnings.
    pub warnings: usize,
    /// Changes by severity (accepted ones excluded).
    pub by_severity: BySeverity,
    /// Changes covered by an unexpired accepted risk.
    pub accepted: usize,
    /// Invariant violations (accepted ones excluded).
    pub violations: usize,
    /// Guardrails broken after the change, and how many of them the change introduced.
    pub guardrails: usize,
    /// Guardrails the change introduced.
    pub guardrails_introduced: usize,
}

impl Report {
    /// The counts of this report.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let count = |k: ChangeKind| self.delta.changes.iter().filter(|c| c.kind == k).count();
        Summary {
            opened: count(ChangeKind::Opened),
            closed: count(ChangeKind::Closed),
            possible: self
                .delta
                .changes
                .iter()
                .filter(|c| c.certainty == Certainty::Possible)
                .count(),
            warnings: self.warnings.len(),
            by_severity: self.risk.findings.iter().filter(|f| !f.is_accepted()).fold(
                BySeverity::default(),
                |mut b, f| {
                    *match f.severity {
                        Severity::Critical => &mut b.critical,
                        Severity::High => &mut b.high,
                        Severity::Medium => &mut b.medium,
                        Severity::Low => &mut b.low,
                        Severity::Info => &mut b.info,
                        Severity::Unknown => &mut b.unknown,
                    } += 1;
                    b
                },
            ),
            accepted: self
                .risk
                .findings
                .iter()
                .filter(|f| f.is_accepted())
                .count(),
            violations: self
                .risk
                .violations
                .iter()
                .filter(|v| !v.is_accepted())
                .count(),
            guardrails: self.risk.guardrails.len(),
            guardrails_introduced: self.risk.guardrails.iter().filter(|g| g.introduced).count(),
        }
    }
}

/// `introduced by this change` or `pre-existing`.
#[must_use]
pub fn guardrail_status(g: &crate::risk::guardrails::Guardrail) -> &'static str {
    if g.introduced {
        "introduced by this change"
    } else {
        "pre-existing"
    }
}

/// Named networks (from the policy), shown instead of their CIDR blocks.
pub type Names = [(String, PeerSet)];

/// Where `resource` is in the working tree, for annotations (a place at a git revision
/// is no file a viewer can open): the block of the rule at fault when one of `causes`
/// is the resource and names its rules.
#[must_use]
pub fn working_place(
    inputs: &[crate::source::Input],
    resource: &str,
    causes: &[&Cause],
) -> Option<crate::source::Place> {
    let rules = causes
        .iter()
        .find(|c| c.resource == resource)
        .map_or(&[][..], |c| c.rules.as_slice());
    place_where(inputs, resource, rules, |i| i.revision.is_none())
}

/// Where a cause is written in the configuration or template the change came from
/// (`infra/main.tf:12`); `None` for a plan's own JSON, whose lines say nothing to a
/// reviewer, unless `--source` gave its configuration.
#[must_use]
pub fn source_place(inputs: &[crate::source::Input], cause: &Cause) -> Option<String> {
    use crate::source::SourceFormat;
    place_where(inputs, &cause.resource, &cause.rules, |i| {
        !matches!(
            i.format,
            SourceFormat::TerraformPlanJson | SourceFormat::TerraformPlanBinary
        )
    })
    .map(|p| p.to_string())
}

/// The place of `resource` (of the block of its first located rule, if any) in the
/// inputs `keep` accepts, the later inputs first (the state after the change, the
/// configuration given with `--source`).
fn place_where(
    inputs: &[crate::source::Input],
    resource: &str,
    rules: &[String],
    keep: impl Fn(&crate::source::Input) -> bool,
) -> Option<crate::source::Place> {
    let kept = || inputs.iter().rev().filter(|i| keep(i));
    rules
        .iter()
        .find_map(|rule| {
            let key = format!("{resource} {rule}");
            kept().find_map(|i| i.place(&key))
        })
        .or_else(|| kept().find_map(|i| i.place(resource)))
}

/// A cause as the reports write it: `aws_security_group.web (update)`, with its place
/// in the configuration when known (`aws_security_group.web (update, main.tf:12)`).
#[must_use]
pub fn cause_text(inputs: &[crate::source::Input], cause: &Cause) -> String {
    match source_place(inputs, cause) {
        Some(at) => format!("{} ({}, {at})", cause.resource, cause.action),
        None => format!("{} ({})", cause.resource, cause.action),
    }
}

/// The peers of a change as JSON lists: CIDR blocks (IPv4 then IPv6, minimal) and
/// principals (`sg:…`, `pl:…`, `ep:…`, or `self` for the subject itself).
#[must_use]
pub fn peer_lists(change: &Change) -> (Vec<String>, Vec<String>) {
    part_peer_lists(&change.part, Some(&change.subject))
}

/// The named networks wholly inside `peers`, largest first, and what is left of
/// `peers` once they are taken out.
#[must_use]
pub fn name_networks(peers: &PeerSet, names: &Names) -> (Vec<String>, PeerSet) {
    let mut inside: Vec<&(String, PeerSet)> = names
        .iter()
        .filter(|(_, n)| !n.is_empty() && n.difference(peers).is_empty())
        .collect();
    // Largest first, so that `office` is not listed inside `corporate`.
    inside.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut rest = peers.clone();
    let mut out = Vec::new();
    for (name, net) in inside {
        if net.difference(&rest).is_empty() {
            rest = rest.difference(net);
            out.push(name.clone());
        }
    }
    (out, rest)
}

/// The peers of a part as JSON lists; a security group named `subject` prints as
/// `self` (unless it is a key known only after apply, which stands for one of several).
#[must_use]
pub fn part_peer_lists(part: &Part, subject: Option<&str>) -> (Vec<String>, Vec<String>) {
    let peers = &part.peers;
    let cidrs = v4_cidrs(&peers.v4)
        .iter()
        .map(ToString::to_string)
        .chain(v6_cidrs(&peers.v6).iter().map(ToString::to_string))
        .collect();
    (cidrs, principal_names(part, subject))
}

fn principal_names(part: &Part, subject: Option<&str>) -> Vec<String> {
    part.peers
        .principals
        .iter()
        .map(|p| {
            // An unknown key is no one group: the same key in a rule filed under it
            // stands for one of several groups, not necessarily the same one.
            if Some(p.name()) == subject
                && matches!(p, Principal::SecurityGroup(_))
                && !p.is_unknown()
            {
                "self".to_owned()
            } else {
                p.to_string()
            }
        })
        .collect()
}

/// The peers of a change for people: named networks, then the shorter of the CIDR
/// list and "block except holes" (`0.0.0.0/0 except 10.0.0.0/8`), then principals.
#[must_use]
pub fn describe_peers(change: &Change, names: &Names) -> String {
    describe_part_peers(&change.part, Some(&change.subject), names)
}

/// The peers of a part for people (see [`describe_peers`]).
#[must_use]
#[expect(
    clippy::missing_panics_doc,
    reason = "an IPv4 covering block fits in 32 bits"
)]
pub fn describe_part_peers(part: &Part, subject: Option<&str>, names: &Names) -> String {
    let (mut parts, rest) = name_networks(&part.peers, names);
    let peers: &PeerSet = &rest;
    if !peers.v4.is_empty() {
        parts.push(describe_family(
            &peers.v4,
            |s| v4_cidrs(s).iter().map(ToString::to_string).collect(),
            |lo, hi| {
                let (net, len) = covering_block(u128::from(lo), u128::from(hi), 32);
                let net = u32::try_from(net).expect("IPv4 block");
                (
                    RangeSet::range(net, net | u32::MAX.checked_shr(u32::from(len)).unwrap_or(0)),
                    len,
                )
            },
        ));
    }
    if !peers.v6.is_empty() {
        parts.push(describe_family(
            &peers.v6,
            |s| v6_cidrs(s).iter().map(ToString::to_string).collect(),
            |lo, hi| {
                let (net, len) = covering_block(lo, hi, 128);
                (
                    RangeSet::range(
                        net,
                        net | u128::MAX.checked_shr(u32::from(len)).unwrap_or(0),
                    ),
                    len,
                )
            },
        ));
    }
    parts.extend(principal_names(part, subject));
    parts.join(", ")
}

/// A table with reachdiff's style: box drawing, coloured only when asked (a terminal),
/// wrapped to `width` when given (a terminal) and never otherwise, so that piped
/// output is stable.
pub(crate) fn table_style<const N: usize>(
    header: [&str; N],
    width: Option<u16>,
    colour: bool,
) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    if colour {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(header);
    match width {
        Some(w) => {
            table
                .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                .set_width(w);
            // Names and short columns keep their width; prose columns wrap.
            for i in 0..N.min(4) {
                if let Some(c) = table.column_mut(i) {
                    c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
                }
            }
        }
        None => {
            table.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
        }
    }
    table
}

fn describe_family<T: crate::header_space::Point>(
    set: &RangeSet<T>,
    cidrs: impl Fn(&RangeSet<T>) -> Vec<String>,
    cover: impl Fn(T, T) -> (RangeSet<T>, u8),
) -> String {
    let listed = cidrs(set);
    let (first, last) = (set.ranges()[0].0, set.ranges()[set.ranges().len() - 1].1);
    let (block, _) = cover(first, last);
    let holes = block.difference(set);
    if holes.is_empty() {
        return listed.join(", ");
    }
    let holes = cidrs(&holes);
    if 1 + holes.len() < listed.len() {
        format!("{} except {}", cidrs(&block)[0], holes.join(", "))
    } else {
        listed.join(", ")
    }
}

/// "tcp 22 from 0.0.0.0/0" for one change (direction decides from/to).
#[must_use]
pub fn describe_change(change: &Change, names: &Names) -> String {
    describe_part(&change.part, change.direction, Some(&change.subject), names)
}

/// "tcp 22 from 0.0.0.0/0" for one part seen from `subject` (direction decides
/// from/to; see [`describe_part_peers`]).
#[must_use]
pub fn describe_part(
    part: &Part,
    direction: Direction,
    subject: Option<&str>,
    names: &Names,
) -> String {
    let preposition = match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    format!(
        "{} {preposition} {}",
        part.service,
        describe_part_peers(part, subject, names)
    )
}

/// The ANSI colour of a severity, for terminals.
pub(crate) fn severity_colour(s: Severity) -> comfy_table::Color {
    match s {
        Severity::Critical => comfy_table::Color::Magenta,
        Severity::High => comfy_table::Color::Red,
        Severity::Medium => comfy_table::Color::Yellow,
        Severity::Low => comfy_table::Color::Blue,
        Severity::Info | Severity::Unknown => comfy_table::Color::DarkGrey,
    }
}

/// `in` or `out`, for table columns.
pub(crate) fn dir_label(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "in",
        Direction::Egress => "out",
    }
}

/// The warnings section of a table report (nothing when there is none).
pub(crate) fn write_warnings(
    out: &mut dyn std::io::Write,
    warnings: &[Warning],
) -> std::io::Result<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{} warning(s):", warnings.len())?;
    for w in warnings {
        writeln!(out, "  warning[{}]: {w}", w.kind.as_str())?;
    }
    Ok(())
}

/// One line of a human-readable report: the changes of one subject, direction, kind
/// and certainty that concern the same peers, with their services described together
/// ("all traffic except tcp 443" rather than nine protocol lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row<'r> {
    /// Rule or endpoint level.
    pub level: Level,
    /// Opened or closed.
    pub kind: ChangeKind,
    /// Definite or possible.
    pub certainty: Certainty,
    /// Ingress or egress.
    pub direction: Direction,
    /// The filter's key.
    pub subject: &'r str,
    /// Which kind of filter or endpoint the subject is.
    pub subject_kind: SubjectKind,
    /// The services, described.
    pub services: String,
    /// The peers, described.
    pub peers: String,
    /// Every cause of the merged changes, sorted.
    pub causes: Vec<&'r Cause>,
    /// The load balancer the flows go through.
    pub via: Option<&'r str>,
    /// Endpoint level: why (the same for every change merged).
    pub explanation: Option<&'r str>,
    /// Rule level: live, or latent and why.
    pub effect: Option<&'r Effect>,
    /// The rule naming the changes of the row.
    pub rule: &'static str,
    /// Their severity.
    pub severity: Severity,
    /// The highest score among them.
    pub score: u8,
    /// The reasons of the highest-scoring one.
    pub reasons: &'r [crate::risk::Reason],
    /// The accepted risk covering them, if any.
    pub acceptance: Option<&'r Acceptance>,
}

impl Row<'_> {
    /// `true` when an unexpired accepted risk covers the row.
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        self.acceptance.is_some_and(Acceptance::holds)
    }

    /// `opened`, `closed`, or with `?` when possible.
    #[must_use]
    pub fn kind_label(&self) -> &'static str {
        match (self.kind, self.certainty) {
            (ChangeKind::Opened, Certainty::Definite) => "opened",
            (ChangeKind::Opened, Certainty::Possible) => "opened?",
            (ChangeKind::Closed, Certainty::Definite) => "closed",
            (ChangeKind::Closed, Certainty::Possible) => "closed?",
        }
    }

    /// The row in one sentence: `aws_instance.web (via aws_lb.web) opened tcp 22 from
    /// 0.0.0.0/0 (possible)`.
    #[must_use]
    pub fn sentence(&self) -> String {
        let preposition = match self.direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        let via = self.via.map(|v| format!(" (via {v})")).unwrap_or_default();
        let possible = match (self.certainty, self.severity) {
            (Certainty::Possible, Severity::Unknown) => {
                " (possible: rests on objects the input does not describe, see warnings)"
            }
            (Certainty::Possible, _) => " (possible: depends on values known only after apply)",
            (Certainty::Definite, _) => "",
        };
        format!(
            "{}{via} {} {} {preposition} {}{possible}",
            self.subject,
            self.kind.as_str(),
            self.services,
            self.peers
        )
    }
}

/// An invariant violation's forbidden flows, each "tcp 22 from 0.0.0.0/0", and its
/// status in words.
#[must_use]
pub fn violation_text(
    v: &crate::risk::invariants::Violation,
    names: &Names,
) -> (Vec<String>, &'static str) {
    let flows = v
        .parts
        .iter()
        .map(|(p, _)| describe_part(p, v.direction, None, names))
        .collect();
    let status = if v.preexisting {
        "pre-existing"
    } else {
        "introduced by this change"
    };
    (flows, status)
}

/// The rows of a report: the most severe first, the highest score first within a
/// severity, then opened before closed, definite before possible, then by subject and
/// direction (the delta's order within that).
#[must_use]
pub fn rows(report: &Report) -> Vec<Row<'_>> {
    // Changes merge into one row only when everything but the services is the same:
    // the explanation, effect, rule, severity and acceptance included (merging would
    // show only one of them).
    type Key<'r> = (
        Level,
        &'r str,
        Option<&'r str>,
        Direction,
        ChangeKind,
        Certainty,
        &'r PeerSet,
        Option<&'r str>,
        Option<&'r Effect>,
        (&'static str, Severity, Option<&'r Acceptance>),
    );
    type Group<'r> = (Key<'r>, ServiceSet, Vec<(&'r Change, &'r Finding)>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut index: BTreeMap<Key<'_>, usize> = BTreeMap::new();
    for (c, f) in report.delta.changes.iter().zip(&report.risk.findings) {
        let key = (
            c.level,
            c.subject.as_str(),
            c.via.as_deref(),
            c.direction,
            c.kind,
            c.certainty,
            &c.part.peers,
            c.explanation.as_deref(),
            c.effect.as_ref(),
            (f.rule, f.severity, f.acceptance.as_ref()),
        );
        let i = *index.entry(key).or_insert_with(|| {
            groups.push((key, ServiceSet::none(), Vec::new()));
            groups.len() - 1
        });
        groups[i].1 = groups[i].1.union(&c.part.service.to_set());
        groups[i].2.push((c, f));
    }
    groups.sort_by_cached_key(
        |(
            (level, subject, via, direction, kind, certainty, .., (_, severity, acceptance)),
            _,
            changes,
        )| {
            let score = changes.iter().map(|(_, f)| f.score).max().unwrap_or(0);
            (
                *level,
                std::cmp::Reverse(*severity),
                // What still needs a decision before what was accepted.
                acceptance.is_some_and(Acceptance::holds),
                std::cmp::Reverse(score),
                *kind,
                *certainty,
                *subject,
                *via,
                *direction,
            )
        },
    );
    groups
        .into_iter()
        .map(|(_, services, changes)| {
            // Every change of a group agrees on all but the services and score.
            let (first, finding) = changes[0];
            let mut causes: Vec<&Cause> = changes.iter().flat_map(|(c, _)| &c.causes).collect();
            causes.sort();
            // One entry per resource: the rules of the first change locate it.
            causes.dedup_by(|a, b| a.resource == b.resource && a.action == b.action);
            let top = changes
                .iter()
                .map(|(_, f)| *f)
                .max_by_key(|f| f.score)
                .unwrap_or(finding);
            Row {
                level: first.level,
                kind: first.kind,
                certainty: first.certainty,
                direction: first.direction,
                subject: &first.subject,
                subject_kind: first.subject_kind,
                services: describe_services(&services),
                peers: describe_peers(first, &report.risk.networks),
                causes,
                via: first.via.as_deref(),
                explanation: first.explanation.as_deref(),
                effect: first.effect.as_ref(),
                rule: finding.rule,
                severity: finding.severity,
                score: top.score,
                reasons: &top.reasons,
                acceptance: finding.acceptance.as_ref(),
            }
        })
        .collect()
}

/// Whether a row is a flow of its own when counting: every row but a rule-level change
/// that is live. Such a change is the same flow as the endpoint-level changes it causes,
/// which are counted instead (its part that reaches no endpoint is still weighed by the
/// gate; see [`FlowCounts`]).
#[must_use]
pub fn counted(row: &Row<'_>) -> bool {
    !(row.level == Level::Rule && row.effect == Some(&Effect::Live))
}

/// The findings of a report, each flow counted once ([`counted`]): what the headline,
/// the step outputs and the comment's findings table agree on.
///
/// `opened`, `closed` and `by_severity` count the flows that need a decision: not
/// accepted, and not latent (a rule-level change another layer blocks today). Latent
/// and accepted flows are counted apart. The gate's `worst` may still be above every
/// count: it also weighs the part of a live rule-level change that reaches no endpoint
/// yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowCounts {
    /// Opened flows.
    pub opened: usize,
    /// Closed flows.
    pub closed: usize,
    /// Opened and closed flows by severity.
    pub by_severity: BySeverity,
    /// Rule-level changes that reach no endpoint because another layer blocks them.
    pub latent: usize,
    /// Flows an unexpired accepted risk covers.
    pub accepted: usize,
}

/// Where a counted row is counted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tally {
    Finding,
    Latent,
    Accepted,
}

fn tally(row: &Row<'_>) -> Tally {
    if row.is_accepted() {
        Tally::Accepted
    } else if matches!(row.effect, Some(Effect::Latent(_))) {
        Tally::Latent
    } else {
        Tally::Finding
    }
}

/// Counts the flows of `rows` ([`FlowCounts`]).
#[must_use]
pub fn flow_counts(rows: &[Row<'_>]) -> FlowCounts {
    let mut c = FlowCounts::default();
    for r in rows.iter().filter(|r| counted(r)) {
        match tally(r) {
            Tally::Accepted => c.accepted += 1,
            Tally::Latent => c.latent += 1,
            Tally::Finding => {
                match r.kind {
                    ChangeKind::Opened => c.opened += 1,
                    ChangeKind::Closed => c.closed += 1,
                }
                *match r.severity {
                    Severity::Critical => &mut c.by_severity.critical,
                    Severity::High => &mut c.by_severity.high,
                    Severity::Medium => &mut c.by_severity.medium,
                    Severity::Low => &mut c.by_severity.low,
                    Severity::Info => &mut c.by_severity.info,
                    Severity::Unknown => &mut c.by_severity.unknown,
                } += 1;
            }
        }
    }
    c
}

/// The verdict for people: the flows opened and closed by severity, each counted once
/// ([`flow_counts`]), then how many are latent or accepted, which invariants are
/// broken and which guardrails the change broke.
#[must_use]
pub fn verdict(report: &Report, rows: &[Row<'_>]) -> String {
    let findings: Vec<&Row<'_>> = rows
        .iter()
        .filter(|r| counted(r) && tally(r) == Tally::Finding)
        .collect();
    let by_severity = |kind: ChangeKind| -> Option<String> {
        let counts: Vec<String> = Severity::DESCENDING
            .iter()
            .filter_map(|s| {
                let n = findings
                    .iter()
                    .filter(|r| r.kind == kind && r.severity == *s)
                    .count();
                (n > 0).then(|| format!("{n} {}", s.as_str()))
            })
            .collect();
        (!counts.is_empty()).then(|| counts.join(", "))
    };
    let mut sections = Vec::new();
    if let Some(o) = by_severity(ChangeKind::Opened) {
        sections.push(format!("{o} opened"));
    }
    if let Some(c) = by_severity(ChangeKind::Closed) {
        sections.push(format!("{c} closed"));
    }
    let counts = flow_counts(rows);
    if counts.latent > 0 {
        sections.push(format!("{} latent", counts.latent));
    }
    if counts.accepted > 0 {
        sections.push(format!("{} accepted", counts.accepted));
    }
    let violations = &report.risk.violations;
    if !violations.is_empty() {
        let pre = violations.iter().filter(|v| v.preexisting).count();
        let n = violations.len();
        let mut text = format!("{n} invariant violation{}", if n == 1 { "" } else { "s" });
        if pre > 0 {
            let _ = write!(text, " ({pre} pre-existing)");
        }
        sections.push(text);
    }
    let guardrails = &report.risk.guardrails;
    let introduced = guardrails.iter().filter(|g| g.introduced).count();
    if introduced > 0 {
        sections.push(format!(
            "{introduced} guardrail{} broken by the change",
            if introduced == 1 { "" } else { "s" }
        ));
    }
    if sections.is_empty() && !rows.is_empty() {
        // Live rule-level rows always come with endpoint rows; should they not, say
        // what there is rather than "no change".
        sections.push(format!("{} live rule change(s)", rows.len()));
    }
    if sections.is_empty() {
        "no reachability change".to_owned()
    } else {
        sections.join("; ")
    }
}

/// Rows that differ only in their subject: the same change on many endpoints (or on
/// many filters), shown as one line with the subjects listed beneath.
///
/// Rows group when everything but the subject is the same: level, the subject's kind
/// (instance, security group, …), kind, certainty,
/// direction, services, peers, the load balancer, rule, severity, score, acceptance,
/// and — with the subject's own name taken out — the causes, the explanation, the
/// effect and the reasons. Grouping reads only the rows, so it does not depend on how
/// the delta represents changes.
#[derive(Clone, Debug)]
pub struct Group<'r> {
    /// The rows, in report order (the first stands for all).
    pub rows: Vec<&'r Row<'r>>,
}

impl<'r> Group<'r> {
    /// The row that stands for the group.
    #[must_use]
    pub fn first(&self) -> &'r Row<'r> {
        self.rows[0]
    }

    /// How many subjects share the change.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// `true` when the group has no row (never, for groups from [`groups`]).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The subjects, sorted.
    #[must_use]
    pub fn subjects(&self) -> Vec<&'r str> {
        let mut s: Vec<&str> = self.rows.iter().map(|r| r.subject).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    /// The subject for people: the one subject, or "12 endpoints".
    #[must_use]
    pub fn subject_label(&self) -> String {
        if self.len() == 1 {
            return self.first().subject.to_owned();
        }
        let what = match self.first().subject_kind {
            SubjectKind::SecurityGroup => "security groups",
            SubjectKind::NetworkAcl => "network ACLs",
            SubjectKind::Endpoint(_) => "endpoints",
        };
        format!("{} {what}", self.len())
    }
}

/// The rows of `rows` grouped ([`Group`]), in the order of each group's first row (so
/// the worst first).
#[must_use]
pub fn groups<'r>(rows: &[&'r Row<'r>]) -> Vec<Group<'r>> {
    let mut out: Vec<Group<'r>> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for &row in rows {
        let i = *index.entry(group_key(row)).or_insert_with(|| {
            out.push(Group { rows: Vec::new() });
            out.len() - 1
        });
        out[i].rows.push(row);
    }
    out
}

/// Everything about a row but its subject, as one string (the subject's name replaced
/// by a placeholder wherever it appears).
fn group_key(row: &Row<'_>) -> String {
    let own = |text: &str| text.replace(row.subject, "\u{0}");
    let causes: Vec<String> = row
        .causes
        .iter()
        .map(|c| {
            format!(
                "{}({}){}",
                own(&c.resource),
                c.action,
                own(&c.rules.join(","))
            )
        })
        .collect();
    let effect = match row.effect {
        None => String::new(),
        Some(Effect::Live) => "live".to_owned(),
        Some(Effect::Latent(w)) => format!("latent {}", own(w)),
        Some(Effect::Unused(w)) => format!("unused {}", own(w)),
    };
    let acceptance = row
        .acceptance
        .map(|a| format!("{}|{}|{}|{}", a.line, a.expires, a.expired, a.reason))
        .unwrap_or_default();
    [
        row.level.as_str().to_owned(),
        row.subject_kind.as_str().to_owned(),
        row.kind.as_str().to_owned(),
        row.certainty.as_str().to_owned(),
        row.direction.as_str().to_owned(),
        row.services.clone(),
        own(&row.peers),
        row.via.unwrap_or_default().to_owned(),
        row.rule.to_owned(),
        row.severity.as_str().to_owned(),
        row.score.to_string(),
        acceptance,
        causes.join(";"),
        own(row.explanation.unwrap_or_default()),
        effect,
        own(&row.reasons.join(";")),
    ]
    .join("\u{1}")
}

/// The gate's decision in one line: "gate: failed (--fail-on high): the worst finding
/// is critical".
#[must_use]
pub fn gate_line(report: &Report) -> String {
    let gate = &report.risk.gate;
    let threshold = gate
        .fail_on
        .map_or_else(|| "never".to_owned(), |s| s.as_str().to_owned());
    let mut worst = gate.worst.map_or_else(
        || "nothing to count".to_owned(),
        |w| format!("the worst is {}", w.as_str()),
    );
    if gate.unknown > 0 {
        let gated = if gate.fail_on_unknown {
            "gated by --fail-on-unknown"
        } else {
            "not gated without --fail-on-unknown"
        };
        let _ = write!(
            worst,
            "; {} of unknown exposure ({gated}; see the not-in-input warnings)",
            gate.unknown
        );
    }
    format!(
        "gate: {} (--fail-on {threshold}): {worst}",
        if gate.failed { "failed" } else { "passed" }
    )
}

/// Services for people: "all traffic", a list ("tcp 22, 443; udp 53"), or "all traffic
/// except …" when that is shorter.
#[must_use]
pub fn describe_services(services: &ServiceSet) -> String {
    let listed = |s: &ServiceSet| -> Vec<String> {
        let anyone = PeerSet::from_v4(RangeSet::range(0, 0));
        HeaderSpace::product(&anyone, s)
            .parts()
            .iter()
            .map(|p| p.service.to_string())
            .collect()
    };
    if services.is_all() {
        return "all traffic".to_owned();
    }
    let present = listed(services);
    let missing = listed(&ServiceSet::all().difference(services));
    if missing.len() < present.len() {
        format!("all traffic except {}", missing.join("; "))
    } else {
        present.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delta::SubjectKind;
    use crate::header_space::Service;

    fn change(port: u16, effect: Effect) -> Change {
        Change {
            level: Level::Rule,
            kind: ChangeKind::Opened,
            direction: Direction::Ingress,
            subject: "aws_security_group.web".into(),
            subject_kind: SubjectKind::SecurityGroup,
            part: Part {
                service: Service::Ports {
                    protocol: 6,
                    ranges: vec![(port, port)],
                },
                peers: PeerSet::from_v4(RangeSet::full()),
            },
            certainty: Certainty::Definite,
            causes: Vec::new(),
            via: None,
            explanation: None,
            effect: Some(effect),
            missing: Vec::new(),
        }
    }

    fn finding(rule: &'static str, severity: Severity) -> Finding {
        Finding {
            rule,
            severity,
            score: 0,
            reasons: Vec::new(),
            acceptance: None,
        }
    }

    fn report(changes: Vec<(Change, Finding)>) -> Report {
        let (changes, findings) = changes.into_iter().unzip();
        Report {
            delta: Delta {
                changes,
                ..Delta::default()
            },
            risk: Assessment {
                findings,
                ..Assessment::default()
            },
            ..Report::default()
        }
    }

    #[test]
    fn rows_merge_services_only_when_the_effect_is_the_same() {
        let low = || finding("access-widened", Severity::Low);
        let report = report(vec![
            (change(22, Effect::Live), low()),
            (change(80, Effect::Live), low()),
            (change(443, Effect::Latent("no endpoint".into())), low()),
        ]);
        let rows = rows(&report);
        let summary: Vec<(String, Option<&Effect>)> = rows
            .iter()
            .map(|r| (r.services.clone(), r.effect))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("tcp 22, 80".to_owned(), Some(&Effect::Live)),
                (
                    "tcp 443".to_owned(),
                    Some(&Effect::Latent("no endpoint".into()))
                ),
            ]
        );
    }

    #[test]
    fn rows_split_by_severity_and_put_the_worst_first() {
        let report = report(vec![
            (
                change(80, Effect::Live),
                finding("port-open-to-internet", Severity::Low),
            ),
            (
                change(443, Effect::Live),
                finding("port-open-to-internet", Severity::Low),
            ),
            (
                change(22, Effect::Live),
                finding("admin-port-open-to-internet", Severity::Critical),
            ),
        ]);
        let rows = rows(&report);
        let summary: Vec<(&str, Severity, String)> = rows
            .iter()
            .map(|r| (r.rule, r.severity, r.services.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "admin-port-open-to-internet",
                    Severity::Critical,
                    "tcp 22".to_owned()
                ),
                (
                    "port-open-to-internet",
                    Severity::Low,
                    "tcp 80, 443".to_owned()
                ),
            ]
        );
        assert_eq!(verdict(&report, &rows), "2 live rule change(s)");
    }

    fn endpoint_change(subject: &str, port: u16) -> Change {
        let mut c = change(port, Effect::Live);
        c.level = Level::Endpoint;
        c.subject = subject.into();
        c.subject_kind = SubjectKind::Endpoint(crate::model::EndpointKind::Instance);
        c.effect = None;
        c.explanation = Some(format!("SG in {subject}: denied → allowed"));
        c.causes = vec![Cause {
            resource: "aws_security_group.web".into(),
            action: crate::source::ChangeAction::Update,
            rules: vec!["ingress[0]".into()],
        }];
        c
    }

    #[test]
    fn each_flow_counts_once_and_a_live_rule_change_is_its_endpoints() {
        let critical = || finding("admin-port-open-to-internet", Severity::Critical);
        let mut latent = change(80, Effect::Latent("an ACL denies it".into()));
        latent.subject = "aws_security_group.other".into();
        let report = report(vec![
            (endpoint_change("aws_instance.a", 22), critical()),
            (change(22, Effect::Live), critical()),
            (latent, finding("port-open-to-internet", Severity::Low)),
        ]);
        let rows = rows(&report);
        let counts = flow_counts(&rows);
        assert_eq!(counts.by_severity.critical, 1, "not once per level");
        assert_eq!((counts.opened, counts.closed, counts.latent), (1, 0, 1));
        assert_eq!(verdict(&report, &rows), "1 critical opened; 1 latent");
    }

    #[test]
    fn the_same_change_on_many_endpoints_is_one_group() {
        let high = || finding("admin-port-open-to-internet", Severity::High);
        let report = report(vec![
            (endpoint_change("aws_instance.b", 22), high()),
            (endpoint_change("aws_instance.a", 22), high()),
            (endpoint_change("aws_instance.c", 23), high()),
        ]);
        let rows = rows(&report);
        let refs: Vec<&Row<'_>> = rows.iter().collect();
        let groups = groups(&refs);
        let shape: Vec<(String, Vec<&str>)> = groups
            .iter()
            .map(|g| (g.subject_label(), g.subjects()))
            .collect();
        assert_eq!(
            shape,
            [
                (
                    "2 endpoints".to_owned(),
                    vec!["aws_instance.a", "aws_instance.b"]
                ),
                ("aws_instance.c".to_owned(), vec!["aws_instance.c"]),
            ]
        );
    }

    #[test]
    fn rows_are_sorted_by_score_within_a_severity() {
        let scored = |score| Finding {
            score,
            ..finding("port-open-to-internet", Severity::Low)
        };
        let mut other = change(80, Effect::Unused("none".into()));
        other.subject = "aws_security_group.a".into();
        let report = report(vec![
            (other, scored(20)),
            (change(443, Effect::Unused("none".into())), scored(35)),
        ]);
        let order: Vec<u8> = rows(&report).iter().map(|r| r.score).collect();
        assert_eq!(order, [35, 20]);
    }

    #[test]
    fn named_networks_replace_their_blocks_largest_first() {
        let net = |c: &str| {
            let Some(ipnet::IpNet::V4(n)) = crate::header_space::parse_cidr(c) else {
                panic!("{c}")
            };
            PeerSet::from_v4(crate::header_space::v4_block(n))
        };
        let names = vec![
            ("office".to_owned(), net("203.0.113.0/25")),
            ("corporate".to_owned(), net("203.0.113.0/24")),
            ("partner".to_owned(), net("192.0.2.0/24")),
        ];
        let peers = net("203.0.113.0/24").union(&net("198.51.100.7/32"));
        let (found, rest) = name_networks(&peers, &names);
        assert_eq!(found, ["corporate"]);
        assert_eq!(rest, net("198.51.100.7/32"));
    }
}
