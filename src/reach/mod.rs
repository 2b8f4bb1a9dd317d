//! Reachability over a single [`Snapshot`]: which sources can reach each endpoint, and
//! which addresses each endpoint can send traffic to (outside its VPC and in it).
//!
//! Sources are addresses — the internet (addresses the destination's subnet routes to
//! an attached internet gateway), other networks (peering, transit gateway, VPN), any
//! host in the VPC — and the modelled endpoints themselves, which are matched by
//! security-group references as well as by address. Path semantics follow
//! `../shared/reference/aws-network-semantics.md` §3: security groups are stateful
//! (checked in the initiating direction only), network ACLs are stateless (the request
//! and the reply on the client's ephemeral ports must both pass) and skipped inside one
//! subnet, the internet needs a public address and a route to an attached internet
//! gateway, NAT gateways and egress-only gateways never admit inbound traffic.
//!
//! Interfaces with the same subnet, security groups and addressing form one
//! [`EndpointClass`], so the cost grows with distinct configurations, not with the
//! number of instances. The computation is done in one *world* ([`Bound`]): the lower
//! world resolves every value known only after apply restrictively, the upper world
//! permissively. Objects the plan does not contain get one documented assumption in
//! both worlds (see `docs/tricky_cases.md`). Comparing snapshots is [`crate::delta`]'s
//! job.

mod compute;
mod context;
mod region;
mod trace;

use std::collections::{BTreeMap, BTreeSet};

use crate::header_space::{HeaderSpace, PeerSet, Principal, ServiceSet, thousands};
use crate::model::{Bound, Certainty, Endpoint, EndpointKind, Interface, Snapshot};

pub use trace::{Flow, FlowSource, Hop, HopVerdict, Layer, Missing, Path, Tracer};

/// Assumptions about what the input cannot say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumptions {
    /// The source ports clients use, which replies must be allowed back to through
    /// stateless network ACLs. Default 1024–65535, as AWS advises for internet clients
    /// (Linux uses 32768–60999, Windows 49152–65535).
    pub ephemeral: (u16, u16),
}

impl Default for Assumptions {
    fn default() -> Self {
        Self {
            ephemeral: (1024, u16::MAX),
        }
    }
}

/// Interfaces that behave alike: same subnet, security groups, addressing, and the
/// same services accepted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClassKey {
    /// The shared interface facts.
    pub interface: Interface,
    /// The services its members accept connections on (load balancers: their
    /// listeners; functions: none).
    pub accepts: ServiceSet,
    /// Whether members initiate connections to addresses (load balancers do not: they
    /// only forward to their targets).
    pub sends_out: bool,
    /// Members exist only possibly ([`Endpoint::existence`]).
    pub possible: bool,
}

/// What one class of interfaces can receive and send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointClass {
    /// The class's facts.
    pub key: ClassKey,
    /// Endpoints with an interface in this class, sorted.
    pub members: Vec<String>,
    /// Inbound from addresses (internet, other networks, hosts in the VPC): sources ×
    /// services.
    pub from_addresses: HeaderSpace,
    /// Inbound from classes: each class (by index, ascending) whose members can reach
    /// this one's, with the services they can use. Classes that cannot are left out.
    pub from_classes: Vec<(usize, ServiceSet)>,
    /// Outbound to addresses: outside the VPC where the subnet routes them, and every
    /// address inside it (hosts the input does not model are peers too; the modelled
    /// ones are also reached as classes, see `from_classes`): destinations × services.
    pub to_addresses: HeaderSpace,
}

impl EndpointClass {
    /// The services members of class `e` can use to reach this class's members, when
    /// they can reach them at all.
    #[must_use]
    pub fn from_class(&self, e: usize) -> Option<&ServiceSet> {
        self.from_classes
            .binary_search_by_key(&e, |(c, _)| *c)
            .ok()
            .map(|i| &self.from_classes[i].1)
    }
}

/// The reachability of one snapshot in one world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reachability {
    /// Which world it was computed in.
    pub world: Bound,
    /// Every class of interfaces.
    pub classes: Vec<EndpointClass>,
    /// Each endpoint's classes (indices into `classes`).
    pub endpoints: BTreeMap<String, Vec<usize>>,
    /// Load balancers' forwarding: (balancer, listener protocol and port, target,
    /// target port).
    pub forwards: Vec<Forward>,
    /// Each class's possible addresses (see [`Reachability::class_region`]).
    regions: Vec<PeerSet>,
}

/// One listener's forwarding to one target.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Forward {
    /// The load balancer.
    pub balancer: String,
    /// The listener's protocol.
    pub protocol: u8,
    /// The listener's port.
    pub port: u16,
    /// The target endpoint.
    pub target: String,
    /// The port traffic is forwarded to.
    pub target_port: u16,
}

/// Why the endpoint level of `snapshot` is beyond what reachdiff computes: more
/// than [`crate::limits::ENDPOINT_CLASSES`] interface classes, or more pairs with a
/// class in a subnet the snapshot does not have than
/// [`crate::limits::ENDPOINT_UNPLACED_PAIRS`] (in the permissive world such a class
/// may sit next to any other, so each is compared with every class). `None` within
/// both.
#[must_use]
pub fn over_budget(snapshot: &Snapshot) -> Option<String> {
    use crate::limits::{ENDPOINT_CLASSES, ENDPOINT_UNPLACED_PAIRS};
    let mut keys: BTreeSet<ClassKey> = BTreeSet::new();
    let mut unplaced = 0_usize;
    for ep in snapshot.endpoints.values() {
        for iface in &ep.interfaces {
            let placed = iface
                .subnet
                .as_deref()
                .is_some_and(|s| snapshot.subnets.contains_key(s));
            if keys.insert(class_key(ep, iface)) && !placed {
                unplaced += 1;
            }
            if keys.len() > ENDPOINT_CLASSES {
                return Some(format!(
                    "the network has more than {} distinct interface configurations (subnet, security groups, addresses), more than reachdiff compares; endpoint-level changes are not computed (rule-level changes are complete)",
                    thousands(ENDPOINT_CLASSES as u64)
                ));
            }
        }
    }
    let pairs = keys.len().saturating_mul(unplaced);
    (pairs > ENDPOINT_UNPLACED_PAIRS).then(|| {
        format!(
            "{} of the network's {} distinct interface configurations sit in subnets the inputs do not describe, and each may sit next to any other: {} pairs, more than reachdiff compares ({}); endpoint-level changes are not computed (rule-level changes are complete). A `--context` file of `aws ec2 describe-subnets` places them",
            thousands(unplaced as u64),
            thousands(keys.len() as u64),
            thousands(pairs as u64),
            thousands(ENDPOINT_UNPLACED_PAIRS as u64),
        )
    })
}

/// The classes of a snapshot's interfaces, in a deterministic order, with each
/// endpoint's memberships.
#[must_use]
pub fn classes(snapshot: &Snapshot) -> (Vec<ClassKey>, BTreeMap<String, Vec<usize>>) {
    let mut keys: BTreeMap<ClassKey, Vec<String>> = BTreeMap::new();
    for ep in snapshot.endpoints.values() {
        for iface in &ep.interfaces {
            let key = class_key(ep, iface);
            keys.entry(key).or_default().push(ep.key.clone());
        }
    }
    let list: Vec<ClassKey> = keys.keys().cloned().collect();
    let mut memberships: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, members) in keys.values().enumerate() {
        for m in members {
            memberships.entry(m.clone()).or_default().push(i);
        }
    }
    for v in memberships.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    (list, memberships)
}

fn class_key(ep: &Endpoint, iface: &Interface) -> ClassKey {
    ClassKey {
        interface: iface.clone(),
        accepts: accepted_services(ep),
        sends_out: !is_balancer(ep.kind),
        possible: ep.existence == Certainty::Possible,
    }
}

fn is_balancer(kind: EndpointKind) -> bool {
    matches!(
        kind,
        EndpointKind::ApplicationLoadBalancer
            | EndpointKind::NetworkLoadBalancer
            | EndpointKind::GatewayLoadBalancer
            | EndpointKind::ClassicLoadBalancer
    )
}

/// The services an endpoint accepts connections on.
fn accepted_services(ep: &Endpoint) -> ServiceSet {
    if !ep.accepts {
        return ServiceSet::none();
    }
    if is_balancer(ep.kind) {
        return ep.listeners.iter().fold(ServiceSet::none(), |acc, l| {
            acc.union(&ServiceSet::ports(l.protocol, l.port, l.port))
        });
    }
    ServiceSet::all()
}

impl Reachability {
    /// Everything that can reach `endpoint` directly: source addresses and source
    /// endpoints (`ep:` principals) × services.
    #[must_use]
    pub fn inbound(&self, endpoint: &str) -> HeaderSpace {
        let Some(mine) = self.endpoints.get(endpoint) else {
            return HeaderSpace::empty();
        };
        let mut spaces = Vec::new();
        for &d in mine {
            let class = &self.classes[d];
            spaces.push(class.from_addresses.clone());
            for (e, services) in &class.from_classes {
                let e = *e;
                let mut peers = PeerSet::empty();
                peers.principals = self.classes[e]
                    .members
                    .iter()
                    .filter(|m| *m != endpoint)
                    .map(|m| Principal::Endpoint(m.clone()))
                    .collect();
                spaces.push(HeaderSpace::product(&peers, services));
            }
        }
        HeaderSpace::union_all(spaces)
    }

    /// Like [`Reachability::inbound`], without the source endpoints that an address
    /// source of the same service already covers (every address they may have is in
    /// it): the readable form.
    #[must_use]
    pub fn inbound_compact(&self, endpoint: &str) -> HeaderSpace {
        let region = |e: &str| -> Option<PeerSet> {
            let classes = self.endpoints.get(e)?;
            let r = classes
                .iter()
                .fold(PeerSet::empty(), |acc, &c| acc.union(&self.regions[c]));
            (!r.is_empty()).then_some(r)
        };
        self.inbound(endpoint).map_peers(|peers| {
            let mut out = peers.clone();
            out.principals.retain(|p| match p {
                Principal::Endpoint(e) => region(e)
                    .is_none_or(|r| !(r.v4.is_subset(&peers.v4) && r.v6.is_subset(&peers.v6))),
                _ => true,
            });
            out
        })
    }

    /// The addresses members of class `c` may have: their fixed addresses, else their
    /// subnet's blocks (empty when the subnet is unknown).
    #[must_use]
    pub fn class_region(&self, c: usize) -> PeerSet {
        self.regions[c].clone()
    }

    /// Where `endpoint` can send traffic by address — outside its VPC, and to the
    /// addresses in it: destinations × services.
    #[must_use]
    pub fn outbound(&self, endpoint: &str) -> HeaderSpace {
        self.endpoints
            .get(endpoint)
            .map_or_else(HeaderSpace::empty, |mine| {
                HeaderSpace::union_all(mine.iter().map(|&c| self.classes[c].to_addresses.clone()))
            })
    }

    /// Sources that reach `target` through load balancer `balancer`, on the target port.
    #[must_use]
    pub fn via(&self, balancer: &str, target: &str) -> HeaderSpace {
        let mut out = Vec::new();
        for f in self
            .forwards
            .iter()
            .filter(|f| f.balancer == balancer && f.target == target)
        {
            // The balancer must reach the target on the target port...
            let hop = self.inbound(target).restrict_services(&ServiceSet::ports(
                f.protocol,
                f.target_port,
                f.target_port,
            ));
            let lb = Principal::Endpoint(balancer.to_owned());
            if !hop.any_principal(|p| *p == lb) {
                continue;
            }
            // ...and the sources reach the balancer on the listener port.
            let sources = self
                .inbound(balancer)
                .restrict_services(&ServiceSet::ports(f.protocol, f.port, f.port))
                .peers();
            out.push(HeaderSpace::product(
                &sources,
                &ServiceSet::ports(f.protocol, f.target_port, f.target_port),
            ));
        }
        HeaderSpace::union_all(out)
    }
}
