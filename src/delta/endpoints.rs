//! Endpoint-level changes: what reaches each endpoint (and which addresses it reaches)
//! before and after, compared world by world.
//!
//! The reachability of each side is computed in both worlds (see [`crate::reach`]).
//! Within one world both sides resolve shared unknowns alike, so they cancel; a change
//! found in both worlds is *definite*, one found in only one world *possible*.
//! Endpoints are grouped by their classes on both sides ("joint classes"), so the
//! comparison costs (distinct configurations)², not (instances)². Each change is
//! explained by tracing one example flow before and after and naming the first hop
//! whose verdict differs.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{Cause, Change, ChangeKind, Level, SubjectKind};
use crate::header_space::service::{ICMP, TCP};
use crate::header_space::{
    HeaderSpace, IcmpItem, Part, PeerSet, Principal, Service, ServiceSet, thousands,
};
use crate::model::{Bound, Certainty, Direction};

use crate::reach::{Assumptions, Flow, FlowSource, Layer, Missing, Path, Reachability, Tracer};
use crate::source::SnapshotPair;

const WORLDS: [Bound; 2] = [Bound::Lower, Bound::Upper];

/// Endpoints that share their classes on both sides.
struct Joint {
    before: Vec<usize>,
    after: Vec<usize>,
    members: Vec<String>,
}

/// Every endpoint-level change of `pair`, and the sets of endpoints they name
/// ([`Principal::Endpoints`]) with their members.
pub(super) fn compare(
    pair: &SnapshotPair,
    assumptions: &Assumptions,
    tracers: &[Tracer<'_>; 2],
) -> (Vec<Change>, BTreeMap<String, Vec<String>>) {
    // The two snapshots' worlds are independent: the before side on a second core.
    let (after, before) = crate::parallel::join(
        || WORLDS.map(|w| Reachability::compute(&pair.after, w, assumptions)),
        || WORLDS.map(|w| Reachability::compute(&pair.before, w, assumptions)),
    );
    let joints = joints(&before[0], &after[0]);
    let index = JointIndex::new(&joints, before[0].classes.len(), after[0].classes.len());
    let explainer = Explainer {
        before: &tracers[0],
        after: &tracers[1],
        pair,
    };
    let regions: Vec<PeerSet> = joints
        .iter()
        .map(|j| joint_region(j, &before[1], &after[1]))
        .collect();
    let mut sets = Sets::new(&joints);
    let mut scratch = Scratch::new(joints.len());
    let mut out = Vec::new();
    for d in &joints {
        let inbound = [0, 1].map(|w| Inbound::of(&before[w], &after[w], &index, d, &mut scratch));
        for kind in [ChangeKind::Opened, ChangeKind::Closed] {
            let per_world = inbound.each_ref().map(|i| i.changes(kind));
            let split = Split::of(&per_world[0], &per_world[1]);
            for member in &d.members {
                for (certainty, part) in split.parts() {
                    let region = expand(part, &regions, &mut sets, member);
                    explainer.emit(
                        &mut out,
                        member,
                        Direction::Ingress,
                        kind,
                        certainty,
                        &region,
                        None,
                    );
                }
            }
        }
        // Outbound to addresses (outside the VPC and in it): the same for every member.
        let union = |r: &Reachability, classes: &[usize]| {
            HeaderSpace::union_all(classes.iter().map(|&c| r.classes[c].to_addresses.clone()))
        };
        let spaces = [0, 1].map(|w| (union(&before[w], &d.before), union(&after[w], &d.after)));
        for kind in [ChangeKind::Opened, ChangeKind::Closed] {
            let parts = by_certainty(kind, &spaces);
            for member in &d.members {
                for (certainty, region) in &parts {
                    explainer.emit(
                        &mut out,
                        member,
                        Direction::Egress,
                        kind,
                        *certainty,
                        region,
                        None,
                    );
                }
            }
        }
    }
    through_balancers(&before, &after, &explainer, &mut out);
    (out, sets.named)
}

/// Flows that reach a load balancer's targets through it, before and after.
fn through_balancers(
    before: &[Reachability; 2],
    after: &[Reachability; 2],
    explainer: &Explainer<'_, '_>,
    out: &mut Vec<Change>,
) {
    let mut forwards: Vec<(String, String)> = before[1]
        .forwards
        .iter()
        .chain(&after[1].forwards)
        .map(|f| (f.balancer.clone(), f.target.clone()))
        .collect();
    forwards.sort();
    forwards.dedup();
    for (lb, target) in forwards {
        let spaces = [0, 1].map(|w| (before[w].via(&lb, &target), after[w].via(&lb, &target)));
        for kind in [ChangeKind::Opened, ChangeKind::Closed] {
            for (certainty, region) in &by_certainty(kind, &spaces) {
                explainer.emit(
                    out,
                    &target,
                    Direction::Ingress,
                    kind,
                    *certainty,
                    region,
                    Some(&lb),
                );
            }
        }
    }
}

/// What `kind` of change goes from `before` to `after`.
fn changed(kind: ChangeKind, before: &HeaderSpace, after: &HeaderSpace) -> HeaderSpace {
    match kind {
        ChangeKind::Opened => after.difference(before),
        ChangeKind::Closed => before.difference(after),
    }
}

/// The definite part (found in both worlds) and the possible part (found in one) of
/// a change between the (before, after) spaces of the lower and upper worlds.
fn by_certainty(
    kind: ChangeKind,
    spaces: &[(HeaderSpace, HeaderSpace); 2],
) -> [(Certainty, HeaderSpace); 2] {
    let [lo, hi] = spaces.each_ref().map(|(b, a)| changed(kind, b, a));
    let definite = lo.intersection(&hi);
    let possible = lo.union(&hi).difference(&definite);
    [
        (Certainty::Definite, definite),
        (Certainty::Possible, possible),
    ]
}

fn joints(before: &Reachability, after: &Reachability) -> Vec<Joint> {
    let mut map: BTreeMap<(Vec<usize>, Vec<usize>), Vec<String>> = BTreeMap::new();
    let keys: std::collections::BTreeSet<&String> = before
        .endpoints
        .keys()
        .chain(after.endpoints.keys())
        .collect();
    for k in keys {
        let b = before.endpoints.get(k).cloned().unwrap_or_default();
        let a = after.endpoints.get(k).cloned().unwrap_or_default();
        map.entry((b, a)).or_default().push(k.clone());
    }
    map.into_iter()
        .map(|((before, after), members)| Joint {
            before,
            after,
            members,
        })
        .collect()
}

/// Which joints hold each class, on each side.
struct JointIndex {
    before: Vec<Vec<usize>>,
    after: Vec<Vec<usize>>,
}

impl JointIndex {
    fn new(joints: &[Joint], before_classes: usize, after_classes: usize) -> Self {
        let mut index = Self {
            before: vec![Vec::new(); before_classes],
            after: vec![Vec::new(); after_classes],
        };
        for (j, joint) in joints.iter().enumerate() {
            for &c in &joint.before {
                index.before[c].push(j);
            }
            for &c in &joint.after {
                index.after[c].push(j);
            }
        }
        index
    }
}

/// Source joints with more members than this are named as one set
/// ([`Principal::Endpoints`]) rather than one by one.
const SET_ABOVE: usize = 16;

/// The sets of endpoints named so far, and the name of each large joint.
struct Sets<'j> {
    joints: &'j [Joint],
    names: Vec<Option<String>>,
    named: BTreeMap<String, Vec<String>>,
}

impl<'j> Sets<'j> {
    fn new(joints: &'j [Joint]) -> Self {
        Self {
            joints,
            names: vec![None; joints.len()],
            named: BTreeMap::new(),
        }
    }

    /// The members of joint `j` as peers of `me`: each member but `me`, or — for a
    /// large joint — the joint as one set.
    fn peers(&mut self, j: usize, me: &str) -> PeerSet {
        let members = &self.joints[j].members;
        let mut peers = PeerSet::empty();
        if members.len() <= SET_ABOVE {
            peers.principals = members
                .iter()
                .filter(|m| *m != me)
                .map(|m| Principal::Endpoint(m.clone()))
                .collect();
            return peers;
        }
        let name = self.names[j].get_or_insert_with(|| {
            let name = format!(
                "{} and {} more",
                members[0],
                thousands(members.len() as u64 - 1)
            );
            self.named.insert(name.clone(), members.clone());
            name
        });
        peers.principals.insert(Principal::Endpoints(name.clone()));
        peers
    }
}

/// The addresses a joint's members may have (their subnets, or fixed addresses), on
/// the side where they exist (after first).
fn joint_region(j: &Joint, before: &Reachability, after: &Reachability) -> PeerSet {
    let (r, classes) = if j.after.is_empty() {
        (before, &j.before)
    } else {
        (after, &j.after)
    };
    classes
        .iter()
        .fold(PeerSet::empty(), |acc, &c| acc.union(&r.class_region(c)))
}

/// What opened (or closed) towards a joint in one world: from addresses, and from each
/// source joint (by index, ascending; only those with a change) on which services.
struct Changes {
    addresses: HeaderSpace,
    sources: Vec<(usize, ServiceSet)>,
}

/// What reaches a joint in one world, before and after: from addresses, and from each
/// source joint (by index, ascending) that some class of the joint admits on either
/// side, on which services.
struct Inbound {
    addresses: [HeaderSpace; 2],
    sources: Vec<(usize, [ServiceSet; 2])>,
}

/// Per source joint, the services gathered for the destination at hand, and which
/// joints were touched: reused from one destination to the next, so that a destination
/// that thousands of joints reach costs as many slots, not a map that grows and
/// rebalances.
struct Scratch {
    slots: Vec<Option<[ServiceSet; 2]>>,
    touched: Vec<usize>,
}

impl Scratch {
    fn new(joints: usize) -> Self {
        Self {
            slots: vec![None; joints],
            touched: Vec::new(),
        }
    }
}

impl Inbound {
    fn of(
        before: &Reachability,
        after: &Reachability,
        index: &JointIndex,
        d: &Joint,
        scratch: &mut Scratch,
    ) -> Self {
        let union_addr = |r: &Reachability, classes: &[usize]| {
            HeaderSpace::union_all(classes.iter().map(|&c| r.classes[c].from_addresses.clone()))
        };
        let addresses = [union_addr(before, &d.before), union_addr(after, &d.after)];
        for (side, r, dst, by_class) in [
            (0, before, &d.before, &index.before),
            (1, after, &d.after, &index.after),
        ] {
            for &dc in dst {
                for (sc, svc) in &r.classes[dc].from_classes {
                    for &j in &by_class[*sc] {
                        let slot = scratch.slots[j].get_or_insert_with(|| {
                            scratch.touched.push(j);
                            [ServiceSet::none(), ServiceSet::none()]
                        });
                        slot[side] = slot[side].union(svc);
                    }
                }
            }
        }
        scratch.touched.sort_unstable();
        let sources = scratch
            .touched
            .drain(..)
            .filter_map(|j| scratch.slots[j].take().map(|s| (j, s)))
            .collect();
        Self { addresses, sources }
    }

    /// What `kind` of change it holds.
    fn changes(&self, kind: ChangeKind) -> Changes {
        let sources = self
            .sources
            .iter()
            .filter_map(|(j, [b, a])| {
                let diff = match kind {
                    ChangeKind::Opened => a.difference(b),
                    ChangeKind::Closed => b.difference(a),
                };
                (!diff.is_empty()).then_some((*j, diff))
            })
            .collect();
        Changes {
            addresses: changed(kind, &self.addresses[0], &self.addresses[1]),
            sources,
        }
    }
}

/// The definite and possible parts of a change found in the lower and upper worlds.
struct Split {
    definite: Changes,
    possible: Changes,
}

impl Split {
    fn of(lo: &Changes, hi: &Changes) -> Self {
        let definite_addr = lo.addresses.intersection(&hi.addresses);
        let possible_addr = lo.addresses.union(&hi.addresses).difference(&definite_addr);
        let (mut definite, mut possible) = (Vec::new(), Vec::new());
        let none = ServiceSet::none();
        // Both lists ascend by joint: merge them.
        let (mut lower, mut upper) = (lo.sources.iter().peekable(), hi.sources.iter().peekable());
        loop {
            let joint = match (lower.peek(), upper.peek()) {
                (None, None) => break,
                (Some((a, _)), Some((b, _))) => *a.min(b),
                (Some((a, _)), None) => *a,
                (None, Some((b, _))) => *b,
            };
            let in_lower = lower
                .next_if(|(k, _)| *k == joint)
                .map_or(&none, |(_, s)| s);
            let in_upper = upper
                .next_if(|(k, _)| *k == joint)
                .map_or(&none, |(_, s)| s);
            let both = in_lower.intersection(in_upper);
            let one = in_lower.union(in_upper).difference(&both);
            if !both.is_empty() {
                definite.push((joint, both));
            }
            if !one.is_empty() {
                possible.push((joint, one));
            }
        }
        Self {
            definite: Changes {
                addresses: definite_addr,
                sources: definite,
            },
            possible: Changes {
                addresses: possible_addr,
                sources: possible,
            },
        }
    }

    fn parts(&self) -> [(Certainty, &Changes); 2] {
        [
            (Certainty::Definite, &self.definite),
            (Certainty::Possible, &self.possible),
        ]
    }
}

/// The change as packets for one destination: the address part, plus each source
/// joint's members (the destination itself left out; a large joint as one set) on the
/// services where they are not already covered — a source whose every possible address
/// is among the change's source addresses for a service is implied by them.
fn expand(c: &Changes, regions: &[PeerSet], sets: &mut Sets<'_>, me: &str) -> HeaderSpace {
    let mut parts = vec![c.addresses.clone()];
    for &(s, ref services) in &c.sources {
        let region = &regions[s];
        let covered = if region.is_empty() {
            ServiceSet::none()
        } else {
            c.addresses.services_matching(|peers| {
                region.v4.is_subset(&peers.v4) && region.v6.is_subset(&peers.v6)
            })
        };
        let services = services.difference(&covered);
        if services.is_empty() {
            continue;
        }
        let peers = sets.peers(s, me);
        if !peers.is_empty() {
            parts.push(HeaderSpace::product(&peers, &services));
        }
    }
    HeaderSpace::union_all(parts)
}

struct Explainer<'s, 't> {
    before: &'t Tracer<'s>,
    after: &'t Tracer<'s>,
    pair: &'s SnapshotPair,
}

impl Explainer<'_, '_> {
    /// One change per readable part of `region`, each explained.
    #[allow(clippy::too_many_arguments)] // the change's coordinates, spelled out
    fn emit(
        &self,
        out: &mut Vec<Change>,
        endpoint: &str,
        direction: Direction,
        kind: ChangeKind,
        certainty: Certainty,
        region: &HeaderSpace,
        via: Option<&str>,
    ) {
        if region.is_empty() {
            return;
        }
        let subject_kind = self
            .pair
            .after
            .endpoints
            .get(endpoint)
            .or_else(|| self.pair.before.endpoints.get(endpoint))
            .map(|e| SubjectKind::Endpoint(e.kind));
        let Some(subject_kind) = subject_kind else {
            return;
        };
        for part in region.parts() {
            let flow = example_flow(&part, endpoint, direction).map(|f| match via {
                // Through a load balancer, what changes is usually its hop to the target.
                Some(lb) => Flow {
                    source: FlowSource::Endpoint(lb.to_owned()),
                    ..f
                },
                None => f,
            });
            let (explanation, causes, assumed, missing) = match &flow {
                Some(flow) => self.explain(flow),
                None => (None, Vec::new(), false, Vec::new()),
            };
            let certainty = if assumed {
                Certainty::Possible
            } else {
                certainty
            };
            out.push(Change {
                level: Level::Endpoint,
                kind,
                direction,
                subject: endpoint.to_owned(),
                subject_kind,
                part,
                certainty,
                causes,
                via: via.map(str::to_owned),
                explanation,
                effect: None,
                missing,
            });
        }
    }

    /// The first hop whose verdict differs between the flow's paths before and after,
    /// the changed resources that decided it, whether an assumption was involved, and
    /// the objects no input describes that it was about.
    fn explain(&self, flow: &Flow) -> (Option<String>, Vec<Cause>, bool, Vec<Missing>) {
        let (b, a) = (self.before.trace(flow), self.after.trace(flow));
        // A side whose verdict a definite hop settles does not rest on an assumption.
        let assumed = b.uncertain() || a.uncertain();
        let mut missing: Vec<Missing> = [&b, &a]
            .into_iter()
            .filter(|p| p.uncertain())
            .flat_map(|p| &p.hops)
            .filter(|h| h.assumed)
            .flat_map(|h| h.missing.iter().cloned())
            // One of a family the plan has (`(aws_subnet.s[*] known after apply)`) is
            // in the input: which one is an unknown value, which the worlds cover.
            .filter(|m| crate::model::unknown_family(&m.object).is_none())
            .collect();
        missing.sort();
        missing.dedup();
        let all = differences(&b, &a);
        let changed = all.first().copied();
        let actions = &self.pair.actions;
        let changed_resource = |r: &String| Cause::changed(r, actions);
        let mut causes: Vec<Cause> = Vec::new();
        // Every hop that differs: a flow that needs a new rule and a new route names
        // both (either alone would have opened nothing).
        for (bh, ah) in &all {
            for h in [bh, ah].into_iter().flatten() {
                causes.extend(h.resources.iter().filter_map(changed_resource));
            }
        }
        let text = changed.map(|(bh, ah)| match (bh, ah) {
            (Some(h), _) if h.layer == Layer::Existence => {
                format!("{} is new (created by this change)", h.subject)
            }
            (_, Some(h)) if h.layer == Layer::Existence => {
                format!("{} is removed by this change", h.subject)
            }
            (Some(bh), Some(ah)) => format!(
                "{} {}: {} → {}",
                ah.layer.as_str(),
                if bh.subject == ah.subject {
                    ah.subject.clone()
                } else {
                    format!("{} → {}", bh.subject, ah.subject)
                },
                bh.describe(),
                ah.describe()
            ),
            (None, Some(h)) | (Some(h), None) => {
                format!("{} {}: {}", h.layer.as_str(), h.subject, h.describe())
            }
            (None, None) => String::new(),
        });
        let existence = changed.is_some_and(|(bh, ah)| {
            [bh, ah]
                .into_iter()
                .flatten()
                .any(|h| h.layer == Layer::Existence)
        });
        if causes.is_empty() || existence {
            // The path did not change hop by hop (an endpoint created or deleted, or its
            // interfaces moved): the changed resources along either path.
            for h in b.hops.iter().chain(&a.hops) {
                causes.extend(h.resources.iter().filter_map(changed_resource));
            }
            for e in [&flow.source, &flow.destination] {
                if let FlowSource::Endpoint(k) = e {
                    causes.extend(changed_resource(k));
                }
            }
        }
        causes.sort();
        causes.dedup();
        let text = text.filter(|t| !t.is_empty()).or_else(|| {
            Some(format!(
                "{}: {} → {}",
                flow.destination,
                if b.allowed() { "allowed" } else { "blocked" },
                if a.allowed() { "allowed" } else { "blocked" }
            ))
        });
        (text, causes, assumed, missing)
    }
}

/// Every hop (by layer and subject) whose verdict differs, in path order: the hops
/// after, then the hops only before. An endpoint that exists on one side only
/// explains everything (only that hop).
fn differences<'p>(
    b: &'p Path,
    a: &'p Path,
) -> Vec<(Option<&'p crate::reach::Hop>, Option<&'p crate::reach::Hop>)> {
    let existence = |p: &'p Path| p.hops.iter().find(|h| h.layer == Layer::Existence);
    match (existence(b), existence(a)) {
        (Some(h), None) => return vec![(Some(h), None)],
        (None, Some(h)) => return vec![(None, Some(h))],
        _ => {}
    }
    let mut out = Vec::new();
    for ah in &a.hops {
        let bh = b
            .hops
            .iter()
            .find(|h| h.layer == ah.layer && h.subject == ah.subject)
            .or_else(|| same_route_hop(a, ah, b));
        match bh {
            Some(bh)
                if bh.verdict != ah.verdict
                    || (bh.reason != ah.reason
                        && bh.verdict == crate::reach::HopVerdict::Denied) =>
            {
                out.push((Some(bh), Some(ah)));
            }
            None if ah.verdict == crate::reach::HopVerdict::Denied => {
                out.push((None, Some(ah)));
            }
            _ => {}
        }
    }
    for bh in &b.hops {
        let found = a
            .hops
            .iter()
            .any(|h| h.layer == bh.layer && h.subject == bh.subject)
            || same_route_hop(b, bh, a).is_some();
        if !found && bh.verdict == crate::reach::HopVerdict::Denied {
            out.push((Some(bh), None));
        }
    }
    out
}

/// The route hop of `other` in the place of route hop `hop` of `path`, when the two
/// paths route through different tables (a subnet associated with another table, or a
/// VPC given another main table): the same routing decision, made by another table.
fn same_route_hop<'p>(
    path: &'p Path,
    hop: &'p crate::reach::Hop,
    other: &'p Path,
) -> Option<&'p crate::reach::Hop> {
    if hop.layer != Layer::Route {
        return None;
    }
    let routes = |p: &'p Path| p.hops.iter().filter(|h| h.layer == Layer::Route);
    let n = routes(path).position(|h| std::ptr::eq(h, hop))?;
    routes(other)
        .nth(n)
        .filter(|h| h.subject != hop.subject && routes(path).all(|x| x.subject != h.subject))
}

/// One packet of a change part: its first service point, and its first source (an
/// endpoint if any, else an address of the largest block).
pub(super) fn example_flow(part: &Part, endpoint: &str, direction: Direction) -> Option<Flow> {
    let (protocol, detail) = match &part.service {
        Service::All => (TCP, 0),
        Service::Ports { protocol, ranges } => (*protocol, ranges.first()?.0),
        Service::Icmp { protocol, items } => {
            let detail = match items.first()? {
                IcmpItem::All => u16::from_be_bytes([if *protocol == ICMP { 8 } else { 128 }, 0]),
                IcmpItem::Type(t) => u16::from_be_bytes([*t, 0]),
                IcmpItem::TypeCode(t, c) => u16::from_be_bytes([*t, *c]),
            };
            (*protocol, detail)
        }
        Service::Protocols { lo, .. } => (*lo, 0),
    };
    let other = if let Some(p) = part
        .peers
        .principals
        .iter()
        .find(|p| matches!(p, Principal::Endpoint(_)))
    {
        FlowSource::Endpoint(p.name().to_owned())
    } else if let Some(a) = largest_v4(&part.peers) {
        FlowSource::Address(IpAddr::V4(a))
    } else {
        let lo = part.peers.v6.ranges().first()?.0;
        FlowSource::Address(IpAddr::V6(Ipv6Addr::from(lo)))
    };
    let me = FlowSource::Endpoint(endpoint.to_owned());
    let (source, destination) = match direction {
        Direction::Ingress => (other, me),
        Direction::Egress => (me, other),
    };
    Some(Flow {
        source,
        destination,
        protocol,
        detail,
    })
}

/// An address from the largest CIDR block of the IPv4 peers (a readable example).
fn largest_v4(peers: &PeerSet) -> Option<Ipv4Addr> {
    crate::header_space::v4_cidrs(&peers.v4)
        .into_iter()
        .min_by_key(|n| (n.prefix_len(), n.network()))
        .map(|n| {
            let base = u32::from(n.network());
            // Skip the network address when the block has room.
            Ipv4Addr::from(if n.prefix_len() < 31 { base + 1 } else { base })
        })
}
