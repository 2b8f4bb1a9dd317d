//! Invariants: flows the policy forbids in the state after any change.
//!
//! An `[[invariant]]` names endpoints (by address pattern or tags) and the remote
//! parties they must never be reached from (ingress) or reach (egress), optionally
//! for some services only. Each is checked against the reachability of the snapshot
//! *after* the change, whatever the change did: a violation is reported as
//! *introduced* when some of it was not definitely there before, else as
//! *pre-existing*. Both count for the gate.
//!
//! This module needs the full reachability of both snapshots, so it computes it only
//! when the policy has invariants.

use std::collections::BTreeSet;

use super::{Acceptance, Settings, Severity, World, accepted};
use crate::delta::SubjectKind;
use crate::header_space::{HeaderSpace, Part, ServiceSet};
use crate::model::{Bound, Certainty, Direction, EndpointKind};
use crate::reach::Reachability;
use crate::source::SnapshotPair;
use crate::warning::{WarningKind, Warnings};

/// One invariant broken on one endpoint.
#[derive(Clone, Debug)]
pub struct Violation {
    /// The invariant's name.
    pub invariant: String,
    /// What it says, when the policy describes it.
    pub description: Option<String>,
    /// The invariant's severity.
    pub severity: Severity,
    /// The endpoint concerned.
    pub endpoint: String,
    /// Its kind.
    pub kind: EndpointKind,
    /// Ingress (forbidden sources) or egress (forbidden destinations).
    pub direction: Direction,
    /// The forbidden flows that exist after the change, each one readable part.
    pub parts: Vec<(Part, Certainty)>,
    /// `true` when all of it was definitely there before the change.
    pub preexisting: bool,
    /// The accepted risk covering it, if any.
    pub acceptance: Option<Acceptance>,
    /// The invariant's line in the policy file.
    pub line: usize,
}

impl Violation {
    /// `true` when an unexpired accepted risk covers it.
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        self.acceptance.as_ref().is_some_and(Acceptance::holds)
    }
}

/// Everything an endpoint can be reached from (directly and through load balancers),
/// or reach.
fn flows(r: &Reachability, endpoint: &str, direction: Direction) -> HeaderSpace {
    match direction {
        Direction::Egress => r.outbound(endpoint),
        Direction::Ingress => {
            let balancers: BTreeSet<&str> = r
                .forwards
                .iter()
                .filter(|f| f.target == endpoint)
                .map(|f| f.balancer.as_str())
                .collect();
            HeaderSpace::union_all(
                std::iter::once(r.inbound_compact(endpoint))
                    .chain(balancers.into_iter().map(|lb| r.via(lb, endpoint))),
            )
        }
    }
}

/// Checks every invariant of the policy against the snapshot after the change.
pub(super) fn check(
    pair: &SnapshotPair,
    settings: &Settings<'_>,
    after: &World<'_>,
    warnings: &mut Warnings,
) -> Vec<Violation> {
    let policy = settings.policy;
    if policy.invariants.is_empty() {
        return Vec::new();
    }
    if let Some(why) = [&pair.before, &pair.after]
        .into_iter()
        .find_map(crate::reach::over_budget)
    {
        warnings.push(
            WarningKind::Policy,
            None,
            format!("the invariants are not checked: {why}"),
        );
        return Vec::new();
    }
    let compute = |s, w| Reachability::compute(s, w, settings.assumptions);
    let (lower, upper) = (
        compute(&pair.after, Bound::Lower),
        compute(&pair.after, Bound::Upper),
    );
    let before = compute(&pair.before, Bound::Lower);
    let mut out = Vec::new();
    for inv in &policy.invariants {
        let services = inv.services.clone().unwrap_or_else(ServiceSet::all);
        let forbidden = HeaderSpace::product(&inv.forbidden, &services);
        let mut selected = 0;
        for (key, ep) in &pair.after.endpoints {
            if !inv.endpoints.matches_resource(key, Some(&ep.tags)) {
                continue;
            }
            selected += 1;
            let definite = flows(&lower, key, inv.direction).intersection(&forbidden);
            let possible = flows(&upper, key, inv.direction)
                .intersection(&forbidden)
                .difference(&definite);
            if definite.is_empty() && possible.is_empty() {
                continue;
            }
            let all = definite.union(&possible);
            let earlier = flows(&before, key, inv.direction).intersection(&forbidden);
            let preexisting = all.difference(&earlier).is_empty();
            let mut parts: Vec<(Part, Certainty)> = definite
                .parts()
                .into_iter()
                .map(|p| (p, Certainty::Definite))
                .collect();
            parts.extend(
                possible
                    .parts()
                    .into_iter()
                    .map(|p| (p, Certainty::Possible)),
            );
            let kind = SubjectKind::Endpoint(ep.kind);
            let acceptance = accepted(policy, settings.today, |a| {
                after.accepted_region(a, inv.direction, key, kind, &all) == all
            });
            out.push(Violation {
                invariant: inv.name.clone(),
                description: inv.description.clone(),
                severity: inv.severity,
                endpoint: key.clone(),
                kind: ep.kind,
                direction: inv.direction,
                parts,
                preexisting,
                acceptance,
                line: inv.line,
            });
        }
        if selected == 0 {
            warnings.push(
                WarningKind::Policy,
                None,
                format!(
                    "invariant `{}` (line {} of the policy) selects no endpoint in the plan, so it was not checked",
                    inv.name, inv.line
                ),
            );
        }
    }
    out
}
