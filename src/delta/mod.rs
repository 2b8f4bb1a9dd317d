//! What a change does to each filter: the [`Delta`] between two snapshots.
//!
//! For every security group and network ACL present before or after, and each
//! direction, the effective allowed [`HeaderSpace`] is computed on both sides (see
//! [`SecurityGroup::allowed`] and [`NetworkAcl::allowed`]). What is allowed after but
//! not before is **opened**; what was allowed before but not after is **closed**. The
//! comparison is over packets, not over rule text, so a rewrite that allows the same
//! packets yields nothing.
//!
//! Unknown values give each side a lower and an upper bound. A change is *definite* when
//! it holds between the bounds (`after.lower − before.upper`), *possible* when it holds
//! only for some values of the unknowns.
//!
//! This is the rule level: it does not know which endpoints carry a group or sit behind
//! an ACL. Each resulting region is split into readable [`Part`]s and attributed to the
//! resources whose rules touch it.

mod effects;
mod endpoints;
mod prefix_lists;

use std::collections::{BTreeMap, BTreeSet};

use crate::header_space::{HeaderSpace, Part};
use crate::model::{
    Bound, Certainty, Direction, EndpointKind, NetworkAcl, Origin, SecurityGroup, Snapshot,
};
use crate::reach::{Assumptions, Tracer};
use crate::source::{ChangeAction, SnapshotPair};

/// Whether a change lets more or less through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// Allowed after, not before.
    Opened,
    /// Allowed before, not after.
    Closed,
}

impl ChangeKind {
    /// `opened` or `closed`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::Closed => "closed",
        }
    }
}

/// What a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectKind {
    /// A security group (rule level).
    SecurityGroup,
    /// A network ACL (rule level).
    NetworkAcl,
    /// An endpoint (endpoint level).
    Endpoint(EndpointKind),
}

impl SubjectKind {
    /// `security-group`, `network-acl`, or the endpoint's kind (`instance`, …).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecurityGroup => "security-group",
            Self::NetworkAcl => "network-acl",
            Self::Endpoint(k) => k.as_str(),
        }
    }
}

/// Whether a change is about what one filter lets through, or about what reaches an
/// endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// What a security group or network ACL lets through, whatever carries it.
    Rule,
    /// What reaches (or leaves) a real endpoint, across every layer.
    Endpoint,
}

impl Level {
    /// `rule` or `endpoint`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule => "rule",
            Self::Endpoint => "endpoint",
        }
    }
}

/// Whether a rule-level change reaches any endpoint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// Some endpoint-level change comes from it.
    Live,
    /// No endpoint is affected; the reason says why (another layer blocks it, other
    /// rules already allowed it, …). One more change could make it live.
    Latent(String),
    /// No endpoint *in the plan* carries the filter (or the group a rule names), so
    /// nothing here is affected; resources outside the plan may be. Reported as
    /// latent, but weighed as possibly live.
    Unused(String),
}

impl Effect {
    /// Why the change is not live (`None` when it is).
    #[must_use]
    pub fn latent_reason(&self) -> Option<&str> {
        match self {
            Self::Live => None,
            Self::Latent(why) | Self::Unused(why) => Some(why),
        }
    }
}

/// A rule's origin, direction and space, and whether it is on the side after the
/// change.
type SidedRule<'s> = ((&'s Origin, Direction, HeaderSpace), bool);

/// A resource that caused a change, and what the plan does to it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cause {
    /// Resource address.
    pub resource: String,
    /// What the change does to it.
    pub action: ChangeAction,
    /// The rules of the resource that touch the change (`ingress[1]`, `egress rule
    /// 100`), sorted; empty when not known (endpoint-level changes) or when the
    /// resource is the rule.
    pub rules: Vec<String>,
}

impl Cause {
    /// `resource` as a cause, when the change changes it (not a no-op, not a read);
    /// no rules named.
    pub(super) fn changed(
        resource: &str,
        actions: &BTreeMap<String, ChangeAction>,
    ) -> Option<Self> {
        changed_action(resource, actions).map(|action| Self {
            resource: resource.to_owned(),
            action,
            rules: Vec::new(),
        })
    }
}

/// What the change does to `resource`, when it changes it (not a no-op, not a read).
fn changed_action(
    resource: &str,
    actions: &BTreeMap<String, ChangeAction>,
) -> Option<ChangeAction> {
    actions
        .get(resource)
        .copied()
        .filter(|a| !matches!(a, ChangeAction::NoOp | ChangeAction::Read))
}

/// One opened or closed region, as one readable part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Rule or endpoint level.
    pub level: Level,
    /// Opened or closed.
    pub kind: ChangeKind,
    /// Ingress or egress of the subject.
    pub direction: Direction,
    /// The security group or ACL (its snapshot key).
    pub subject: String,
    /// Which kind of filter the subject is.
    pub subject_kind: SubjectKind,
    /// The services and parties concerned.
    pub part: Part,
    /// Definite, or possible because of unknown values.
    pub certainty: Certainty,
    /// The changed resources whose rules touch this region.
    pub causes: Vec<Cause>,
    /// Endpoint level: the load balancer the flow goes through, when it does.
    pub via: Option<String>,
    /// Endpoint level: the hop whose verdict changed, in words.
    pub explanation: Option<String>,
    /// Rule level: whether it reaches an endpoint (`None` before that is known).
    pub effect: Option<Effect>,
    /// Endpoint level: the objects neither the input nor a context file describes
    /// whose assumed behaviour makes this change possible (its exposure is unknown
    /// until they are described), sorted; empty when nothing assumed decides it.
    pub missing: Vec<crate::reach::Missing>,
}

impl Change {
    /// The packets of this change.
    #[must_use]
    pub fn space(&self) -> HeaderSpace {
        HeaderSpace::product(&self.part.peers, &self.part.service.to_set())
    }
}

/// Every change between two snapshots, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    /// Sorted by subject, direction, kind, certainty, then service.
    pub changes: Vec<Change>,
    /// The members of each set of endpoints the changes name as peers
    /// ([`Principal::Endpoints`](crate::header_space::Principal::Endpoints)), sorted.
    pub endpoint_sets: BTreeMap<String, Vec<String>>,
}

/// A filter seen the same way whether it is a security group or an ACL.
trait Filter {
    fn allowed(&self, direction: Direction, bound: Bound) -> HeaderSpace;
    /// `true` when nothing in the filter is unknown, so both bounds (and the upper
    /// bound without shared rules) are the same set, computed once.
    fn exact(&self) -> bool;
    /// The upper bound without the possible rules `other` has too, identical (same
    /// origin, same unknown content): such a rule resolves the same way on both sides,
    /// so the packets only it may allow can never be a change. ACLs keep every rule
    /// (first match makes a rule's effect depend on the others).
    fn upper_unshared(&self, direction: Direction, _other: Option<&Self>) -> HeaderSpace {
        self.allowed(direction, Bound::Upper)
    }
    /// (origin, direction, space) of every rule, denies included.
    fn rule_spaces(&self) -> Vec<(&Origin, Direction, HeaderSpace)>;
}

impl Filter for SecurityGroup {
    fn allowed(&self, direction: Direction, bound: Bound) -> HeaderSpace {
        SecurityGroup::allowed(self, direction, bound)
    }
    fn exact(&self) -> bool {
        self.rules
            .iter()
            .all(|r| r.certainty == Certainty::Definite)
    }
    fn upper_unshared(&self, direction: Direction, other: Option<&Self>) -> HeaderSpace {
        let shared = |r: &crate::model::SgRule| {
            r.certainty == Certainty::Possible
                && other.is_some_and(|o| o.rules.iter().any(|x| x == r))
        };
        HeaderSpace::union_all(
            self.rules
                .iter()
                .filter(|r| r.direction == direction && !shared(r))
                .map(crate::model::SgRule::space),
        )
    }
    fn rule_spaces(&self) -> Vec<(&Origin, Direction, HeaderSpace)> {
        self.rules
            .iter()
            .map(|r| (&r.origin, r.direction, r.space()))
            .collect()
    }
}

impl Filter for NetworkAcl {
    fn allowed(&self, direction: Direction, bound: Bound) -> HeaderSpace {
        NetworkAcl::allowed(self, direction, bound)
    }
    fn exact(&self) -> bool {
        self.rules
            .iter()
            .all(|r| r.certainty == Certainty::Definite && r.number.is_some() && r.action.is_some())
    }
    fn rule_spaces(&self) -> Vec<(&Origin, Direction, HeaderSpace)> {
        self.rules
            .iter()
            .map(|r| (&r.origin, r.direction, r.space()))
            .collect()
    }
}

impl Delta {
    /// Compares the two snapshots of a pair at both levels, with default assumptions.
    #[must_use]
    pub fn between(pair: &SnapshotPair) -> Self {
        Self::compute(pair, &Assumptions::default())
    }

    /// Compares the two snapshots of a pair: what each filter lets through (rule
    /// level) and what reaches each endpoint (endpoint level).
    #[must_use]
    pub fn compute(pair: &SnapshotPair, assumptions: &Assumptions) -> Self {
        Self::compute_with(pair, assumptions, &mut |_| {})
    }

    /// [`Delta::compute`], naming each stage to `stage` as it starts (`comparing rules`,
    /// `reachability of endpoints`), for progress reports.
    #[must_use]
    pub fn compute_with(
        pair: &SnapshotPair,
        assumptions: &Assumptions,
        stage: &mut dyn FnMut(&'static str),
    ) -> Self {
        stage("comparing rules");
        let mut delta = Self::of(&pair.before, &pair.after, &pair.actions);
        if pair.before.endpoints.is_empty() && pair.after.endpoints.is_empty() {
            for c in &mut delta.changes {
                c.effect = Some(Effect::Unused("no endpoint is in the plan".into()));
            }
            return delta;
        }
        if let Some(why) = crate::reach::over_budget(&pair.before)
            .or_else(|| crate::reach::over_budget(&pair.after))
        {
            for c in &mut delta.changes {
                c.effect = Some(Effect::Unused(why.clone()));
            }
            return delta;
        }
        stage("reachability of endpoints, before and after");
        let tracers = [
            Tracer::new(&pair.before, assumptions),
            Tracer::new(&pair.after, assumptions),
        ];
        let (endpoint_changes, endpoint_sets) = endpoints::compare(pair, assumptions, &tracers);
        effects::mark(&mut delta.changes, &endpoint_changes, pair, &tracers);
        delta.changes.extend(endpoint_changes);
        delta.endpoint_sets = endpoint_sets;
        delta.changes.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        // Grown by doubling, the vector may hold half as much again as it needs, for
        // the rest of the run (10,000 new instances: 35 MB for 24 MB of changes).
        delta.changes.shrink_to_fit();
        delta
    }

    /// Compares the filters of two snapshots (rule level only); `actions` says what the
    /// change does to each resource (used to name causes).
    #[must_use]
    pub fn of(
        before: &Snapshot,
        after: &Snapshot,
        actions: &BTreeMap<String, ChangeAction>,
    ) -> Self {
        let mut changes = Vec::new();
        compare(
            &before.security_groups,
            &after.security_groups,
            SubjectKind::SecurityGroup,
            actions,
            &mut changes,
        );
        compare(
            &before.network_acls,
            &after.network_acls,
            SubjectKind::NetworkAcl,
            actions,
            &mut changes,
        );
        prefix_lists::changes(before, after, actions, &mut changes);
        changes.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        Self {
            changes,
            endpoint_sets: BTreeMap::new(),
        }
    }

    /// `true` when nothing changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// One warning per object the endpoint changes rest on that no input describes
    /// ([`Change::missing`]), naming the `aws ec2 describe-…` output that would settle
    /// it — unless a context warning already names it. Every change that is possible
    /// because of such an object thus points at a warning that exists.
    pub fn warn_missing(&self, warnings: &mut crate::warning::Warnings) {
        let mut count: BTreeMap<&crate::reach::Missing, usize> = BTreeMap::new();
        for c in &self.changes {
            for m in &c.missing {
                *count.entry(m).or_default() += 1;
            }
        }
        let named: BTreeSet<String> = warnings
            .iter()
            .filter(|w| w.kind == crate::warning::WarningKind::Context)
            .filter_map(|w| w.resource.clone())
            .collect();
        for (m, n) in count {
            if named.contains(&m.object) {
                continue;
            }
            let filter = match m.command {
                "describe-security-groups" => "--group-ids",
                "describe-subnets" => "--subnet-ids",
                "describe-network-acls" => "--network-acl-ids",
                _ => "--route-table-ids",
            };
            let plural = if n == 1 { "" } else { "s" };
            let message = if crate::model::is_unknown_key(&m.object) {
                // No id yet: AWS (a default subnet or group) or something read at apply
                // picks it.
                format!(
                    "{} the input does not name (known only after apply: a default, or a value read at apply): what it lets through is assumed, so the exposure of {n} endpoint change{plural} resting on it is unknown (severity unknown); name it by id in the configuration and pass the output of `aws ec2 {}` for it with --context to settle it",
                    m.what, m.command
                )
            } else {
                let by_id = !m.object.contains(['.', ' ']);
                let command = if by_id {
                    format!("aws ec2 {} {filter} {}", m.command, m.object)
                } else {
                    format!("aws ec2 {}", m.command)
                };
                format!(
                    "{} in neither the input nor a context file: what it lets through is assumed, so the exposure of {n} endpoint change{plural} resting on it is unknown (severity unknown); pass the output of `{command}` with --context to settle it",
                    m.what
                )
            };
            warnings.push(
                crate::warning::WarningKind::NotInInput,
                Some(&m.object),
                message,
            );
        }
    }
}

type SortKey<'c> = (
    Level,
    &'c str,
    Option<&'c str>,
    Direction,
    ChangeKind,
    Certainty,
    u8,
    &'c crate::header_space::Service,
    &'c crate::header_space::PeerSet,
);

fn sort_key(c: &Change) -> SortKey<'_> {
    (
        c.level,
        &c.subject,
        c.via.as_deref(),
        c.direction,
        c.kind,
        c.certainty,
        c.part.service.first_protocol(),
        &c.part.service,
        &c.part.peers,
    )
}

fn compare<F: Filter>(
    before: &BTreeMap<String, F>,
    after: &BTreeMap<String, F>,
    subject_kind: SubjectKind,
    actions: &BTreeMap<String, ChangeAction>,
    out: &mut Vec<Change>,
) {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (b, a) = (before.get(key), after.get(key));
        for direction in Direction::BOTH {
            // (lower bound, upper bound, upper bound without the rules shared with
            // `other`)
            let bounds = |f: Option<&F>, other: Option<&F>| match f {
                None => (
                    HeaderSpace::empty(),
                    HeaderSpace::empty(),
                    HeaderSpace::empty(),
                ),
                Some(f) if f.exact() => {
                    let s = f.allowed(direction, Bound::Lower);
                    (s.clone(), s.clone(), s)
                }
                Some(f) => (
                    f.allowed(direction, Bound::Lower),
                    f.allowed(direction, Bound::Upper),
                    f.upper_unshared(direction, other),
                ),
            };
            let (b_lo, b_hi, b_unshared) = bounds(b, a);
            let (a_lo, a_hi, a_unshared) = bounds(a, b);
            let opened = a_lo.difference(&b_hi);
            let opened_possibly = a_unshared.difference(&b_lo).difference(&opened);
            let closed = b_lo.difference(&a_hi);
            let closed_possibly = b_unshared.difference(&a_lo).difference(&closed);
            let regions = [
                (ChangeKind::Opened, Certainty::Definite, opened),
                (ChangeKind::Opened, Certainty::Possible, opened_possibly),
                (ChangeKind::Closed, Certainty::Definite, closed),
                (ChangeKind::Closed, Certainty::Possible, closed_possibly),
            ];
            if regions.iter().all(|r| r.2.is_empty()) {
                continue;
            }
            // Each rule with the side it is on: `true` after the change.
            let rules: Vec<SidedRule<'_>> = b
                .into_iter()
                .flat_map(|f| f.rule_spaces().into_iter().map(|r| (r, false)))
                .chain(
                    a.into_iter()
                        .flat_map(|f| f.rule_spaces().into_iter().map(|r| (r, true))),
                )
                .collect();
            for (kind, certainty, region) in regions {
                for part in region.parts() {
                    let space = HeaderSpace::product(&part.peers, &part.service.to_set());
                    // Rules are named as the after side numbers them, so only opened
                    // regions name theirs (a closed one's rule may be gone).
                    let name_rules = kind == ChangeKind::Opened;
                    let causes = causes(key, direction, &space, &rules, name_rules, actions);
                    out.push(Change {
                        level: Level::Rule,
                        kind,
                        direction,
                        subject: key.clone(),
                        subject_kind,
                        part,
                        certainty,
                        causes,
                        via: None,
                        explanation: None,
                        effect: None,
                        missing: Vec::new(),
                    });
                }
            }
        }
    }
}

/// The changed resources whose rules (in this direction, on either side) touch
/// `space`; failing that, every changed resource with rules in the subject; failing
/// that, the subject itself.
fn causes(
    subject: &str,
    direction: Direction,
    space: &HeaderSpace,
    rules: &[SidedRule<'_>],
    name_rules: bool,
    actions: &BTreeMap<String, ChangeAction>,
) -> Vec<Cause> {
    let changed = |resource: &str| changed_action(resource, actions);
    // One pass: the changed resources among the rules `filter` keeps, and (when `name`)
    // the labels of their after-side rules.
    let collect = |filter: &dyn Fn(&SidedRule<'_>) -> bool, name: bool| -> Vec<Cause> {
        let mut by_resource: BTreeMap<&str, (ChangeAction, BTreeSet<&str>)> = BTreeMap::new();
        for rule @ ((o, _, _), after) in rules {
            if !filter(rule) {
                continue;
            }
            if let Some(action) = changed(&o.resource) {
                let (_, labels) = by_resource
                    .entry(&o.resource)
                    .or_insert_with(|| (action, BTreeSet::new()));
                if name && *after && !o.rule.is_empty() {
                    labels.insert(&o.rule);
                }
            }
        }
        by_resource
            .into_iter()
            .map(|(resource, (action, labels))| Cause {
                resource: resource.to_owned(),
                action,
                rules: labels.into_iter().map(str::to_owned).collect(),
            })
            .collect()
    };
    let touching = collect(
        &|((_, d, s), _)| *d == direction && s.intersects(space),
        name_rules,
    );
    if !touching.is_empty() {
        return touching;
    }
    let any = collect(&|_| true, false);
    if !any.is_empty() {
        return any;
    }
    changed(subject)
        .map(|action| {
            vec![Cause {
                resource: subject.to_owned(),
                action,
                rules: Vec::new(),
            }]
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header_space::{PeerSet, RangeSet, ServiceSet};
    use crate::model::SgRule;

    fn rule(port: u16, certainty: Certainty) -> SgRule {
        SgRule {
            direction: Direction::Ingress,
            services: ServiceSet::ports(6, port, port),
            peers: PeerSet::from_v4(RangeSet::full()),
            certainty,
            origin: Origin::new("g", format!("ingress {port}")),
        }
    }

    fn snapshot(rules: Vec<SgRule>) -> Snapshot {
        let mut s = Snapshot::default();
        let mut g = SecurityGroup::new("g");
        g.rules = rules;
        s.security_groups.insert("g".into(), g);
        s
    }

    fn summary(d: &Delta) -> Vec<(ChangeKind, Certainty, String)> {
        d.changes
            .iter()
            .map(|c| (c.kind, c.certainty, c.part.service.to_string()))
            .collect()
    }

    #[test]
    fn the_same_unknown_rule_on_both_sides_is_no_change() {
        let before = snapshot(vec![rule(22, Certainty::Possible)]);
        let d = Delta::of(&before, &before.clone(), &BTreeMap::new());
        assert!(d.is_empty(), "{:?}", summary(&d));
    }

    #[test]
    fn a_definite_rule_over_a_shared_unknown_one_is_still_possibly_opened() {
        // Before, tcp 22 may be allowed (unknown); after, it is also allowed by a
        // definite rule: opened unless the unknown rule allowed it already.
        let before = snapshot(vec![rule(22, Certainty::Possible)]);
        let mut after_rules = vec![rule(22, Certainty::Possible)];
        let mut definite = rule(22, Certainty::Definite);
        definite.origin = Origin::new("g", "ingress new");
        after_rules.push(definite);
        let d = Delta::of(&before, &snapshot(after_rules), &BTreeMap::new());
        assert_eq!(
            summary(&d),
            [(ChangeKind::Opened, Certainty::Possible, "tcp 22".to_owned())]
        );
    }

    #[test]
    fn an_unknown_rule_that_changed_is_a_possible_change() {
        let before = snapshot(vec![rule(22, Certainty::Possible)]);
        let after = snapshot(vec![rule(23, Certainty::Possible)]);
        let d = Delta::of(&before, &after, &BTreeMap::new());
        assert_eq!(
            summary(&d),
            [
                (ChangeKind::Opened, Certainty::Possible, "tcp 23".to_owned()),
                (ChangeKind::Closed, Certainty::Possible, "tcp 22".to_owned()),
            ]
        );
    }
}
