//! Risk: how much each change matters, which ones the policy accepts, which invariants
//! the state after the change breaks, and the gate's verdict.
//!
//! Every [`Change`] of a [`Delta`] gets a [`Finding`]: a score 0–100 computed from the
//! flow itself ([`factors`]: how wide the remote party is, what service is exposed,
//! what kind of endpoint is on our side, whether it is live, whether it is certain),
//! the severity that score falls in, the reasons, and the [`registry`] rule that names
//! it. The [`policy`] file can rename networks, trust some of them, override a rule's
//! severity, add sensitive ports, accept a flow until a date, and state
//! [`invariants`] that must always hold.
//!
//! This stage never changes the delta and never reads input files other than the
//! policy; reports render what it decides.

pub mod catalogue;
pub mod date;
pub mod factors;
pub mod guardrails;
pub mod invariants;
pub mod policy;
pub mod registry;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};

use crate::delta::{Change, ChangeKind, Delta, Effect, Level, SubjectKind};
use crate::header_space::{HeaderSpace, PeerSet, Principal, ServiceSet, v4_block, v6_block};
use crate::model::{Direction, EndpointKind, Snapshot};
use crate::reach::Assumptions;
use crate::source::SnapshotPair;
use crate::warning::Warnings;
use date::Date;
use factors::{Liveness, Profile, Surroundings};
use invariants::Violation;
use policy::{Accept, Policy, PolicySource, Selector};

/// How much a finding matters, from the least to the most.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// An endpoint change whose exposure rests on objects the input does not describe
    /// (a group or subnet known only by id): what it does is not known, so it is not
    /// scored into a severity. The gate ignores it unless `--fail-on-unknown`.
    Unknown,
    /// Score 0–19: worth knowing, nothing to do.
    Info,
    /// Score 20–39.
    Low,
    /// Score 40–59.
    Medium,
    /// Score 60–79.
    High,
    /// Score 80–100.
    Critical,
}

impl Severity {
    /// Every severity, from the most to the least severe.
    pub const DESCENDING: [Self; 6] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Info,
        Self::Unknown,
    ];

    /// The severity a score falls in.
    #[must_use]
    pub fn from_score(score: u8) -> Self {
        match score {
            80.. => Self::Critical,
            60..=79 => Self::High,
            40..=59 => Self::Medium,
            20..=39 => Self::Low,
            _ => Self::Info,
        }
    }

    /// `critical`, `high`, `medium`, `low`, `info` or `unknown`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Info => "info",
            Self::Unknown => "unknown",
        }
    }

    /// Parses a name, case-insensitively.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::DESCENDING
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// An accepted risk that matched, from the policy file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Acceptance {
    /// Why it was accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// The last day it is accepted.
    pub expires: Date,
    /// `true` once that day has passed: the finding counts again.
    pub expired: bool,
    /// The `[[accept]]` entry's line in the policy file.
    pub line: usize,
}

impl Acceptance {
    /// `true` until the expiry date has passed.
    #[must_use]
    pub fn holds(&self) -> bool {
        !self.expired
    }
}

/// The risk of one change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The id of the rule that names it.
    pub rule: &'static str,
    /// The severity (the score's, unless the policy overrides the rule's).
    pub severity: Severity,
    /// 0–100.
    pub score: u8,
    /// One line per factor. Shared: a large plan repeats the same few dozen reasons
    /// over hundreds of thousands of findings, each held once.
    pub reasons: Vec<Reason>,
    /// The accepted risk covering it, if any.
    pub acceptance: Option<Acceptance>,
}

impl Finding {
    /// `true` when an unexpired accepted risk covers it.
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        self.acceptance.as_ref().is_some_and(Acceptance::holds)
    }
}

/// One line of a finding's reasons.
pub type Reason = std::sync::Arc<str>;

/// What scoring repeats across findings, kept once per run.
///
/// 10,000 new instances make 313,104 findings with 313,104 reason lines, but only 25
/// distinct lines (held once, that saves some 40 MB) over a handful of service sets
/// (what a service set exposes took half the time of scoring).
#[derive(Default)]
struct Memo<'c> {
    reasons: std::collections::HashSet<Reason>,
    exposures: std::collections::HashMap<ServiceSet, factors::Exposure<'c>>,
}

impl<'c> Memo<'c> {
    fn share(&mut self, line: String) -> Reason {
        if let Some(r) = self.reasons.get(line.as_str()) {
            return r.clone();
        }
        let r = Reason::from(line);
        self.reasons.insert(r.clone());
        r
    }

    /// [`factors::exposure`], which depends only on its arguments; the catalogue is
    /// the same for the whole run.
    fn exposure(
        &mut self,
        services: &ServiceSet,
        catalogue: &'c [catalogue::Entry],
    ) -> factors::Exposure<'c> {
        if let Some(e) = self.exposures.get(services) {
            return e.clone();
        }
        let e = factors::exposure(services, catalogue);
        self.exposures.insert(services.clone(), e.clone());
        e
    }
}

/// When the gate fails: findings at or above this severity; `None` never fails.
pub type Threshold = Option<Severity>;

/// The gate's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gate {
    /// The threshold applied.
    pub fail_on: Threshold,
    /// Whether findings of severity `unknown` fail the gate (`--fail-on-unknown`).
    pub fail_on_unknown: bool,
    /// The worst severity among findings and violations that are not accepted,
    /// `unknown` left out.
    pub worst: Option<Severity>,
    /// Findings of severity `unknown` that are not accepted.
    pub unknown: usize,
    /// `true` when something not accepted is at or above the threshold, or — with
    /// `fail_on_unknown` — of severity `unknown`.
    pub failed: bool,
}

/// Everything risk decided about one run.
#[derive(Clone, Debug)]
pub struct Assessment {
    /// One finding per change of the delta, in the same order.
    pub findings: Vec<Finding>,
    /// Invariants broken in the state after the change.
    pub violations: Vec<Violation>,
    /// Guardrails broken in the state after the change (introduced or pre-existing).
    pub guardrails: Vec<guardrails::Guardrail>,
    /// The gate.
    pub gate: Gate,
    /// The policy file used, if any.
    pub policy: Option<PolicySource>,
    /// Named networks, to show instead of their CIDR blocks.
    pub networks: Vec<(String, PeerSet)>,
    /// The day accepted risks were checked against, when the policy accepts any (the
    /// only time the date changes the result).
    pub today: Option<Date>,
}

impl Default for Assessment {
    /// No finding, no violation, and a gate at `high` that passes.
    fn default() -> Self {
        Self {
            findings: Vec::new(),
            violations: Vec::new(),
            guardrails: Vec::new(),
            gate: Gate {
                fail_on: Some(Severity::High),
                fail_on_unknown: false,
                worst: None,
                unknown: 0,
                failed: false,
            },
            policy: None,
            networks: Vec::new(),
            today: None,
        }
    }
}

/// What assessing needs besides the delta.
#[derive(Clone, Copy, Debug)]
pub struct Settings<'p> {
    /// The policy (the default one when there is no file).
    pub policy: &'p Policy,
    /// The gate's threshold.
    pub fail_on: Threshold,
    /// Whether findings of severity `unknown` fail the gate (`--fail-on-unknown`).
    pub fail_on_unknown: bool,
    /// The day against which `expires` is checked.
    pub today: Date,
    /// Reachability assumptions, for invariants.
    pub assumptions: &'p Assumptions,
}

/// Scores every change of `delta`, checks the invariants and decides the gate.
///
/// Returns the delta with each change that an accepted risk covers only in part split
/// into the covered and uncovered packets (the same packets in all), and the
/// assessment, whose findings follow the returned delta's changes one for one.
#[must_use]
pub fn assess(
    delta: Delta,
    pair: &SnapshotPair,
    settings: &Settings<'_>,
    warnings: &mut Warnings,
) -> (Delta, Assessment) {
    let policy = settings.policy;
    let mut catalogue = catalogue::builtin();
    catalogue.extend(policy.sensitive_ports.iter().cloned());
    let sets = delta.endpoint_sets.clone();
    let worlds = [
        World::of(&pair.before, policy, &sets),
        World::of(&pair.after, policy, &sets),
    ];
    let delta = Delta {
        changes: split_by_acceptance(delta.changes, policy, &worlds),
        endpoint_sets: delta.endpoint_sets,
    };
    // Endpoint-level changes first: rule-level changes live on some endpoints take
    // the worst of those endpoints' scores as their floor.
    let mut memo = Memo::default();
    let mut findings: Vec<Option<Finding>> = vec![None; delta.changes.len()];
    let mut by_cause: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for level in [Level::Endpoint, Level::Rule] {
        for (i, c) in delta.changes.iter().enumerate() {
            if c.level != level {
                continue;
            }
            // Opened flows exist after the change, closed ones before it.
            let world = match c.kind {
                ChangeKind::Opened => &worlds[1],
                ChangeKind::Closed => &worlds[0],
            };
            let floor = (c.effect == Some(Effect::Live))
                .then(|| worst_related(c, &delta, &by_cause, &findings))
                .flatten();
            let mut f = score(c, world, &catalogue, policy, floor, &mut memo);
            if level == Level::Endpoint && !c.missing.is_empty() {
                unknown_exposure(&mut f, c);
            }
            let space = c.space();
            f.acceptance = accepted(policy, settings.today, |a| {
                world.accepted_region(a, c.direction, &c.subject, c.subject_kind, &space) == space
            });
            if level == Level::Endpoint {
                for k in &c.causes {
                    by_cause.entry(k.resource.as_str()).or_default().push(i);
                }
            }
            findings[i] = Some(f);
        }
    }
    // Every slot is filled. `filter_map` collects in place (`flatten` would allocate a
    // second vector next to this one, the largest of the run).
    #[allow(clippy::filter_map_identity)]
    let findings: Vec<Finding> = findings.into_iter().filter_map(|f| f).collect();
    for a in &policy.accepts {
        if a.expires < settings.today {
            warnings.push(
                crate::warning::WarningKind::Policy,
                None,
                format!(
                    "the accepted risk at line {} of the policy ({}) expired on {}; findings it covered count again",
                    a.line, a.reason, a.expires
                ),
            );
        }
    }
    let violations = invariants::check(pair, settings, &worlds[1], warnings);
    let guardrails = guardrails::check(&pair.before, &pair.after, policy);
    let mut gate = decide(&findings, &violations, &guardrails, settings.fail_on);
    gate.fail_on_unknown = settings.fail_on_unknown;
    gate.failed |= settings.fail_on_unknown && gate.unknown > 0;
    let assessment = Assessment {
        findings,
        violations,
        guardrails,
        gate,
        policy: policy.source.clone(),
        networks: policy
            .networks
            .iter()
            .map(|n| (n.name.clone(), n.peers.clone()))
            .collect(),
        today: (!policy.accepts.is_empty()).then_some(settings.today),
    };
    (delta, assessment)
}

/// The worst score among the endpoint-level changes a rule-level change causes: same
/// kind and a cause in common (as [`crate::delta::Effect::Live`] is decided), and for a
/// security group also the same direction and overlapping services. A network ACL's
/// change may act on the reply path: an egress rule on ephemeral ports closes inbound
/// tcp 443.
fn worst_related(
    c: &Change,
    delta: &Delta,
    by_cause: &BTreeMap<&str, Vec<usize>>,
    findings: &[Option<Finding>],
) -> Option<u8> {
    let services = c.part.service.to_set();
    c.causes
        .iter()
        .map(|k| k.resource.as_str())
        .chain(std::iter::once(c.subject.as_str()))
        .filter_map(|r| by_cause.get(r))
        .flatten()
        .filter(|&&i| {
            let e = &delta.changes[i];
            e.kind == c.kind
                && (c.subject_kind == SubjectKind::NetworkAcl
                    || e.direction == c.direction
                        && !e.part.service.to_set().intersection(&services).is_empty())
        })
        .filter_map(|&i| findings[i].as_ref())
        // An unknown exposure is not a score to floor anything at.
        .filter(|f| f.severity != Severity::Unknown)
        .map(|f| f.score)
        .max()
}

/// Makes `f` a finding of severity `unknown`: `c`'s exposure rests on objects no input
/// describes (`c.missing`), so the score says what it could be at worst, not what it
/// is. Each object is named by a warning (`not-in-input`) with the command that would
/// describe it.
fn unknown_exposure(f: &mut Finding, c: &Change) {
    let objects: Vec<String> = c
        .missing
        .iter()
        .map(|m| format!("{} {}", m.what, m.object))
        .collect();
    for r in &mut f.reasons {
        if r.starts_with("possible: ") {
            *r = Reason::from(
                "possible: rests on an assumption about what the input does not describe — ×0.85",
            );
        }
    }
    f.reasons.push(Reason::from(format!(
        "exposure unknown: it rests on {}, which neither the input nor a context file describes (see the not-in-input warning on each); the score is what it could be at worst — severity unknown, not gated unless --fail-on-unknown",
        objects.join(", ")
    )));
    f.severity = Severity::Unknown;
}

/// The first accepted risk of the policy that `covers`, with its expiry checked.
fn accepted(policy: &Policy, today: Date, covers: impl Fn(&Accept) -> bool) -> Option<Acceptance> {
    // An unexpired entry wins over an expired one that also matches.
    let matching: Vec<&Accept> = policy.accepts.iter().filter(|a| covers(a)).collect();
    let best = matching
        .iter()
        .find(|a| a.expires >= today)
        .or_else(|| matching.first())?;
    Some(Acceptance {
        reason: best.reason.clone(),
        owner: best.owner.clone(),
        expires: best.expires,
        expired: best.expires < today,
        line: best.line,
    })
}

/// Findings and violations not accepted count; guardrails only when the change
/// introduced them.
fn decide(
    findings: &[Finding],
    violations: &[Violation],
    guardrails: &[guardrails::Guardrail],
    fail_on: Threshold,
) -> Gate {
    let unknown = findings
        .iter()
        .filter(|f| !f.is_accepted() && f.severity == Severity::Unknown)
        .count();
    let worst = findings
        .iter()
        .filter(|f| !f.is_accepted() && f.severity != Severity::Unknown)
        .map(|f| f.severity)
        .chain(
            violations
                .iter()
                .filter(|v| !v.is_accepted())
                .map(|v| v.severity),
        )
        .chain(
            guardrails
                .iter()
                .filter(|g| g.introduced)
                .map(|g| g.severity),
        )
        .max();
    Gate {
        fail_on,
        fail_on_unknown: false,
        worst,
        unknown,
        // `--fail-on unknown` counts everything, unknown exposures included.
        failed: matches!((worst, fail_on), (Some(w), Some(t)) if w >= t)
            || (fail_on == Some(Severity::Unknown) && unknown > 0),
    }
}

/// One snapshot seen by the risk stage: its surroundings, and which endpoints carry
/// each group and sit in each subnet.
pub(crate) struct World<'s> {
    pub(crate) snapshot: &'s Snapshot,
    around: Surroundings,
    carriers: crate::model::Carriers<'s>,
    /// The kinds of endpoint in each set of endpoints the delta names.
    set_kinds: BTreeMap<&'s str, BTreeSet<EndpointKind>>,
    /// The kinds of endpoint carrying each security group.
    group_kinds: BTreeMap<&'s str, BTreeSet<EndpointKind>>,
}

impl<'s> World<'s> {
    fn of(
        snapshot: &'s Snapshot,
        policy: &Policy,
        sets: &'s BTreeMap<String, Vec<String>>,
    ) -> Self {
        let mut around = Surroundings {
            trusted: policy::trusted(&policy.networks),
            ..Surroundings::default()
        };
        for vpc in snapshot.vpcs.values() {
            for b in &vpc.ipv4 {
                let set = v4_block(*b);
                around.vpc_v4 = around.vpc_v4.union(&set);
                around.vpc_blocks.push(PeerSet::from_v4(set));
            }
            for b in &vpc.ipv6 {
                let set = v6_block(*b);
                around.vpc_v6 = around.vpc_v6.union(&set);
                around.vpc_blocks.push(PeerSet::from_v6(set));
            }
        }
        for pl in snapshot.prefix_lists.values() {
            if let Some(entries) = &pl.entries {
                let peers = entries.iter().fold(PeerSet::empty(), |acc, n| {
                    acc.union(&match n {
                        ipnet::IpNet::V4(n) => PeerSet::from_v4(v4_block(*n)),
                        ipnet::IpNet::V6(n) => PeerSet::from_v6(v6_block(*n)),
                    })
                });
                around.prefix_lists.insert(pl.key.clone(), peers);
            }
        }
        let kind_of = |e: &str| snapshot.endpoints.get(e).map(|e| e.kind);
        let carriers = snapshot.carriers();
        let group_kinds = carriers
            .by_group
            .iter()
            .map(|(g, members)| (*g, members.iter().filter_map(|e| kind_of(e)).collect()))
            .collect();
        let set_kinds = sets
            .iter()
            .map(|(name, members)| {
                (
                    name.as_str(),
                    members.iter().filter_map(|e| kind_of(e)).collect(),
                )
            })
            .collect();
        Self {
            snapshot,
            around,
            carriers,
            set_kinds,
            group_kinds,
        }
    }

    /// The endpoints a subject stands for: itself, the carriers of a security group,
    /// or the endpoints in the subnets of a network ACL.
    fn endpoints_of(&self, subject: &'s str, kind: SubjectKind) -> BTreeSet<&'s str> {
        match kind {
            SubjectKind::Endpoint(_) => BTreeSet::from([subject]),
            SubjectKind::SecurityGroup => self.carriers.of_group(subject).collect(),
            SubjectKind::NetworkAcl => self
                .snapshot
                .network_acls
                .get(subject)
                .map(|a| {
                    a.subnets
                        .iter()
                        .flat_map(|s| self.carriers.of_subnet(s))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn kinds(&self, endpoints: &BTreeSet<&str>) -> BTreeSet<EndpointKind> {
        endpoints
            .iter()
            .filter_map(|e| self.snapshot.endpoints.get(*e).map(|e| e.kind))
            .collect()
    }

    /// The kinds of endpoint a subject stands for.
    fn subject_kinds(&self, subject: &'s str, kind: SubjectKind) -> BTreeSet<EndpointKind> {
        match kind {
            SubjectKind::Endpoint(k) => BTreeSet::from([k]),
            _ => self.kinds(&self.endpoints_of(subject, kind)),
        }
    }

    /// The kinds of endpoint among principals.
    fn peer_kinds(&self, peers: &PeerSet) -> BTreeSet<EndpointKind> {
        let mut kinds = BTreeSet::new();
        for p in &peers.principals {
            match p {
                Principal::Endpoint(e) => {
                    kinds.extend(self.snapshot.endpoints.get(e).map(|e| e.kind));
                }
                Principal::Endpoints(set) => {
                    kinds.extend(self.set_kinds.get(set.as_str()).into_iter().flatten());
                }
                Principal::SecurityGroup(g) => {
                    kinds.extend(self.group_kinds.get(g.as_str()).into_iter().flatten());
                }
                Principal::PrefixList(_) => {}
            }
        }
        kinds
    }

    /// The tags of a resource of this snapshot (endpoint, security group or ACL).
    pub(crate) fn tags(&self, key: &str) -> Option<&'s BTreeMap<String, String>> {
        let s = self.snapshot;
        s.endpoints
            .get(key)
            .map(|e| &e.tags)
            .or_else(|| s.security_groups.get(key).map(|g| &g.tags))
            .or_else(|| s.network_acls.get(key).map(|a| &a.tags))
    }

    /// Whether a selector names a subject: by its own address or tags, or — for a
    /// security group or network ACL — because it names every endpoint behind it
    /// (accepting `tier=db` accepts the rule that exposes exactly the databases).
    fn selects(&self, selector: &Selector, subject: &'s str, kind: SubjectKind) -> bool {
        if selector.matches_resource(subject, self.tags(subject)) {
            return true;
        }
        let behind = match kind {
            SubjectKind::Endpoint(_) => return false,
            _ => self.endpoints_of(subject, kind),
        };
        !behind.is_empty()
            && behind
                .iter()
                .all(|e| selector.matches_resource(e, self.tags(e)))
    }

    /// The packets of `space` (flows of `subject`: sources for ingress, destinations
    /// for egress) that `accept` names; empty when it does not name the subject.
    pub(crate) fn accepted_region(
        &self,
        accept: &Accept,
        direction: Direction,
        subject: &'s str,
        kind: SubjectKind,
        space: &HeaderSpace,
    ) -> HeaderSpace {
        let (here, there) = match direction {
            Direction::Ingress => (&accept.to, &accept.from),
            Direction::Egress => (&accept.from, &accept.to),
        };
        if !self.selects(here, subject, kind) {
            return HeaderSpace::empty();
        }
        let tags_of = |k: &str| self.tags(k);
        let peers = there.named(&space.peers(), &tags_of);
        let services = accept.services.clone().unwrap_or_else(ServiceSet::all);
        HeaderSpace::product(&peers, &services).intersection(space)
    }
}

/// Splits each change that an accepted risk covers only in part into the covered and
/// the uncovered packets, so that accepting `tcp 5432` does not hide `tcp 22` in the
/// same rule, nor leave the accepted port unmarked.
fn split_by_acceptance(
    changes: Vec<Change>,
    policy: &Policy,
    worlds: &[World<'_>; 2],
) -> Vec<Change> {
    if policy.accepts.is_empty() {
        return changes;
    }
    let mut out = Vec::with_capacity(changes.len());
    for c in changes {
        let world = match c.kind {
            ChangeKind::Opened => &worlds[1],
            ChangeKind::Closed => &worlds[0],
        };
        let mut pieces = vec![c];
        for a in &policy.accepts {
            let mut next = Vec::with_capacity(pieces.len());
            for piece in pieces {
                let space = piece.space();
                let region = world.accepted_region(
                    a,
                    piece.direction,
                    &piece.subject,
                    piece.subject_kind,
                    &space,
                );
                if region.is_empty() || region == space {
                    next.push(piece);
                    continue;
                }
                for part in region
                    .parts()
                    .into_iter()
                    .chain(space.difference(&region).parts())
                {
                    next.push(Change {
                        part,
                        ..piece.clone()
                    });
                }
            }
            pieces = next;
        }
        out.extend(pieces);
    }
    out
}

fn score<'c>(
    c: &Change,
    world: &World<'_>,
    catalogue: &'c [catalogue::Entry],
    policy: &Policy,
    floor: Option<u8>,
    memo: &mut Memo<'c>,
) -> Finding {
    let (breadth, breadth_detail) = factors::breadth(&c.part.peers, &world.around);
    let services = c.part.service.to_set();
    let mut exposure = memo.exposure(&services, catalogue);
    // Through an application load balancer the internet speaks HTTP(S) to the
    // listener; the target port is not exposed as such.
    if let Some(lb) = c
        .via
        .as_deref()
        .and_then(|k| world.snapshot.endpoints.get(k))
        && lb.kind == EndpointKind::ApplicationLoadBalancer
    {
        exposure = factors::Exposure {
            weight: catalogue::Category::Web.weight(),
            all_traffic: false,
            wide: false,
            entries: Vec::new(),
            reason: format!(
                "HTTP(S) proxied by the application load balancer {}",
                lb.key
            ),
        };
    }
    let profile = Profile {
        kind: c.kind,
        direction: c.direction,
        level: c.level,
        breadth,
        breadth_detail,
        exposure,
        services,
        subject_kinds: world.subject_kinds(&c.subject, c.subject_kind),
        peer_kinds: world.peer_kinds(&c.part.peers),
        liveness: Liveness::of(c.level, c.effect.as_ref()),
        certainty: c.certainty,
    };
    let mut s = profile.score();
    if let Some(floor) = floor.filter(|f| *f > s.value) {
        s.reasons.push(format!(
            "its live part reaches endpoints whose worst change scores {floor} — floor {floor}"
        ));
        s.value = floor;
    }
    let rule = registry::classify(&profile, &s);
    let mut severity = Severity::from_score(s.value);
    if let Some(&forced) = policy.severity.get(rule.id()) {
        s.reasons.push(format!(
            "severity set to {} by the policy ([rules.{}])",
            forced.as_str(),
            rule.id()
        ));
        severity = forced;
    }
    Finding {
        rule: rule.id(),
        severity,
        score: s.value,
        reasons: s.reasons.into_iter().map(|r| memo.share(r)).collect(),
        acceptance: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_fall_in_documented_bands() {
        let bands: Vec<(u8, Severity)> = [0, 19, 20, 39, 40, 59, 60, 79, 80, 100]
            .into_iter()
            .map(|s| (s, Severity::from_score(s)))
            .collect();
        assert_eq!(
            bands,
            [
                (0, Severity::Info),
                (19, Severity::Info),
                (20, Severity::Low),
                (39, Severity::Low),
                (40, Severity::Medium),
                (59, Severity::Medium),
                (60, Severity::High),
                (79, Severity::High),
                (80, Severity::Critical),
                (100, Severity::Critical),
            ]
        );
        assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
        assert_eq!(Severity::parse("severe"), None);
    }

    fn finding(severity: Severity, acceptance: Option<Acceptance>) -> Finding {
        Finding {
            rule: "access-widened",
            severity,
            score: 0,
            reasons: Vec::new(),
            acceptance,
        }
    }

    #[test]
    fn the_gate_ignores_accepted_findings_until_they_expire() {
        let acceptance = |expired| Acceptance {
            reason: "r".into(),
            owner: "o".into(),
            expires: Date::parse("2026-01-01").unwrap(),
            expired,
            line: 1,
        };
        let gate = decide(
            &[
                finding(Severity::Critical, Some(acceptance(false))),
                finding(Severity::Medium, None),
            ],
            &[],
            &[],
            Some(Severity::High),
        );
        assert_eq!((gate.worst, gate.failed), (Some(Severity::Medium), false));
        let gate = decide(
            &[finding(Severity::Critical, Some(acceptance(true)))],
            &[],
            &[],
            Some(Severity::High),
        );
        assert_eq!((gate.worst, gate.failed), (Some(Severity::Critical), true));
        let gate = decide(&[finding(Severity::Critical, None)], &[], &[], None);
        assert!(!gate.failed, "never fails with no threshold");
        let gate = decide(
            &[finding(Severity::High, None)],
            &[],
            &[],
            Some(Severity::High),
        );
        assert!(gate.failed, "at the threshold fails");
    }

    // See: issue 14 item 7.
    #[test]
    fn unknown_exposure_is_counted_apart_and_gated_only_on_request() {
        let findings = [
            finding(Severity::Unknown, None),
            finding(Severity::Info, None),
        ];
        let gate = decide(&findings, &[], &[], Some(Severity::Info));
        assert_eq!(
            gate.worst,
            Some(Severity::Info),
            "unknown is never the worst"
        );
        assert_eq!(gate.unknown, 1);
        assert!(gate.failed, "info reaches --fail-on info");
        let gate = decide(&findings[..1], &[], &[], Some(Severity::Info));
        assert_eq!((gate.worst, gate.failed), (None, false));
        assert!(Severity::Unknown < Severity::Info);
    }
}
