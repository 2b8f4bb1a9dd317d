//! Reachability over a single [`Snapshot`]: which sources can reach each endpoint, and
//! where each endpoint can send traffic outside its VPC.
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

mod context;
mod trace;

use std::collections::{BTreeMap, BTreeSet};

use crate::header_space::{HeaderSpace, PeerSet, Principal, RangeSet, ServiceSet};
use crate::model::{
    Bound, Certainty, Direction, Endpoint, EndpointKind, Interface, Snapshot, is_unknown_key,
};

use context::{Ctx, public};
pub use trace::{Flow, FlowSource, Hop, HopVerdict, Layer, Path, Tracer};

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
    /// Whether members initiate connections outside the VPC (load balancers do not).
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
    /// Inbound from each class (by index): the services its members can use.
    pub from_classes: Vec<ServiceSet>,
    /// Outbound to addresses outside the VPC: destinations × services.
    pub to_addresses: HeaderSpace,
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

/// Why the endpoint level of `snapshot` is beyond [`crate::limits::ENDPOINT_CLASSES`]
/// (reachability compares every pair of interface classes); `None` within it.
#[must_use]
pub fn over_budget(snapshot: &Snapshot) -> Option<String> {
    let mut keys: BTreeSet<ClassKey> = BTreeSet::new();
    for ep in snapshot.endpoints.values() {
        for iface in &ep.interfaces {
            keys.insert(class_key(ep, iface));
            if keys.len() > crate::limits::ENDPOINT_CLASSES {
                return Some(format!(
                    "the network has more than {} distinct interface configurations (subnet, security groups, addresses), more than reachdiff compares pairwise; endpoint-level changes are not computed (rule-level changes are complete)",
                    crate::limits::ENDPOINT_CLASSES
                ));
            }
        }
    }
    None
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

/// Where a class's members may be: the security groups they carry (as principals), and
/// their addresses.
struct Region {
    principals: BTreeSet<Principal>,
    /// Exact addresses, when fixed in the input.
    exact: PeerSet,
    /// The subnet's addresses, when the exact ones are not known (per family: only
    /// the families the interface has).
    range: PeerSet,
    /// The subnet is not known: the address could be anything.
    unknown: bool,
    /// Upper world: the members carry a group known only after apply, which any
    /// security-group reference may name.
    any_group: bool,
}

impl Region {
    fn of(ctx: &Ctx<'_>, iface: &Interface) -> Self {
        let world = ctx.world;
        let principals = if iface.groups_certainty == Certainty::Definite || world == Bound::Upper {
            iface
                .security_groups
                .iter()
                .map(|g| Principal::SecurityGroup(g.clone()))
                .collect()
        } else {
            BTreeSet::new()
        };
        let subnet = iface.subnet.as_deref().and_then(|s| ctx.subnets.get(s));
        let mut exact = PeerSet::empty();
        let mut range = PeerSet::empty();
        if let Some(ip) = iface.private_ipv4 {
            exact.v4 = RangeSet::range(u32::from(ip), u32::from(ip));
        } else if let Some(s) = subnet {
            range.v4 = s.range.v4.clone();
        }
        if public(world, iface.ipv6) {
            if iface.ipv6_addresses.is_empty() {
                if let Some(s) = subnet {
                    range.v6 = s.range.v6.clone();
                }
            } else {
                for a in &iface.ipv6_addresses {
                    let n = u128::from(*a);
                    exact.v6 = exact.v6.union(&RangeSet::range(n, n));
                }
            }
        }
        Self {
            any_group: world == Bound::Upper
                && iface.security_groups.iter().any(|g| is_unknown_key(g)),
            principals,
            exact,
            range,
            unknown: subnet.is_none(),
        }
    }

    /// Whether a rule naming `peers` applies to this region's members, in `world`.
    fn matched_by(&self, peers: &PeerSet, world: Bound) -> bool {
        if self.principals.iter().any(|p| peers.principals.contains(p)) {
            return true;
        }
        if peers.intersects(&self.exact) {
            return true;
        }
        match world {
            Bound::Upper => {
                // A reference known only after apply may name any group, and a group
                // known only after apply may be the one any reference names.
                let groups = || {
                    peers
                        .principals
                        .iter()
                        .filter(|p| matches!(p, Principal::SecurityGroup(_)))
                };
                peers.intersects(&self.range)
                    || (self.unknown && !peers.v4.is_empty())
                    || (self.any_group && groups().next().is_some())
                    || (!self.principals.is_empty() && groups().any(Principal::is_unknown))
            }
            Bound::Lower => {
                (!self.range.v4.is_empty() && self.range.v4.is_subset(&peers.v4))
                    || (!self.range.v6.is_empty() && self.range.v6.is_subset(&peers.v6))
            }
        }
    }
}

/// The services a filter allows for a peer in `region` (`None`: no filter).
fn services_for(filter: Option<&HeaderSpace>, region: &Region, world: Bound) -> ServiceSet {
    match filter {
        None => ServiceSet::all(),
        Some(space) => space.services_matching(|peers| region.matched_by(peers, world)),
    }
}

impl Reachability {
    /// Computes the reachability of `snapshot` in `world`. Classes of endpoints that
    /// exist only possibly ([`Endpoint::existence`]) neither send nor receive in the
    /// restrictive world (they keep their place, so that class indices agree across
    /// worlds).
    #[must_use]
    pub fn compute(snapshot: &Snapshot, world: Bound, assumptions: &Assumptions) -> Self {
        let absent = |k: &ClassKey| world == Bound::Lower && k.possible;
        let ctx = Ctx::new(snapshot, world, assumptions);
        let (keys, endpoints) = classes(snapshot);
        let regions: Vec<Region> = keys
            .iter()
            .map(|k| Region::of(&ctx, &k.interface))
            .collect();
        let members: Vec<Vec<String>> = {
            let mut m = vec![Vec::new(); keys.len()];
            for (ep, idx) in &endpoints {
                for &i in idx {
                    m[i].push(ep.clone());
                }
            }
            m
        };
        let vpc_of = |k: &ClassKey| -> Option<&str> {
            k.interface
                .subnet
                .as_deref()
                .and_then(|s| ctx.subnets.get(s))
                .and_then(|s| s.vpc.as_deref())
        };
        let mut classes = Vec::with_capacity(keys.len());
        for (d, dkey) in keys.iter().enumerate() {
            let from_addresses = if absent(dkey) {
                HeaderSpace::empty()
            } else {
                from_addresses(&ctx, dkey, &regions[d]).restrict_services(&dkey.accepts)
            };
            let from_classes = keys
                .iter()
                .enumerate()
                .map(|(e, ekey)| {
                    let same_vpc = match (vpc_of(ekey), vpc_of(dkey)) {
                        (Some(a), Some(b)) => a == b,
                        _ => world == Bound::Upper,
                    };
                    if !same_vpc || dkey.accepts.is_empty() || absent(dkey) || absent(ekey) {
                        return ServiceSet::none();
                    }
                    pair_services(&ctx, ekey, &regions[e], dkey, &regions[d])
                        .intersection(&dkey.accepts)
                })
                .collect();
            let to_addresses = if dkey.sends_out && !absent(dkey) {
                to_addresses(&ctx, dkey)
            } else {
                HeaderSpace::empty()
            };
            classes.push(EndpointClass {
                key: dkey.clone(),
                members: members[d].clone(),
                from_addresses,
                from_classes,
                to_addresses,
            });
        }
        let mut forwards = Vec::new();
        for ep in snapshot.endpoints.values().filter(|e| is_balancer(e.kind)) {
            for l in &ep.listeners {
                for (target, port) in &l.targets {
                    forwards.push(Forward {
                        balancer: ep.key.clone(),
                        protocol: l.protocol,
                        port: l.port,
                        target: target.clone(),
                        target_port: *port,
                    });
                }
            }
        }
        forwards.sort();
        let regions = regions.iter().map(|r| r.exact.union(&r.range)).collect();
        Self {
            world,
            classes,
            endpoints,
            forwards,
            regions,
        }
    }

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
            for (e, services) in class.from_classes.iter().enumerate() {
                if services.is_empty() {
                    continue;
                }
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

    /// Where `endpoint` can send traffic outside its VPC: destinations × services.
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
            if !hop.peers().principals.contains(&lb) {
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

/// The services class `e`'s members can use to reach class `d`'s members (same VPC):
/// source security-group egress, destination ingress, and — between different subnets
/// — both subnets' ACLs for the request and the reply.
fn pair_services(
    ctx: &Ctx<'_>,
    ekey: &ClassKey,
    e: &Region,
    dkey: &ClassKey,
    d: &Region,
) -> ServiceSet {
    let world = ctx.world;
    let (ei, di) = (&ekey.interface, &dkey.interface);
    let mut svc = services_for(ctx.groups(ei, Direction::Egress).as_ref(), d, world);
    if svc.is_empty() {
        return svc;
    }
    svc = svc.intersection(&services_for(
        ctx.groups(di, Direction::Ingress).as_ref(),
        e,
        world,
    ));
    let (es, ds) = (ei.subnet.as_deref(), di.subnet.as_deref());
    if svc.is_empty() || (es.is_some() && es == ds) {
        return svc;
    }
    for (space, region) in [
        (ctx.acl(es, Direction::Egress), d),
        (ctx.acl(ds, Direction::Ingress), e),
        (ctx.acl_reply(ds, Direction::Egress), e),
        (ctx.acl_reply(es, Direction::Ingress), d),
    ] {
        svc = svc.intersection(&services_for(Some(space), region, world));
        if svc.is_empty() {
            break;
        }
    }
    svc
}

/// Inbound to a class from addresses: the internet, other networks and hosts in the VPC.
fn from_addresses(ctx: &Ctx<'_>, dkey: &ClassKey, d: &Region) -> HeaderSpace {
    let world = ctx.world;
    let iface = &dkey.interface;
    let subnet_key = iface.subnet.as_deref();
    let sg_in = ctx.groups(iface, Direction::Ingress);
    let Some(subnet) = subnet_key.and_then(|s| ctx.subnets.get(s)) else {
        // Its subnet is not known: in the upper world it may sit anywhere, reachable
        // from any address its groups admit; in the lower world from none.
        return unknown_subnet(world, sg_in.as_ref(), iface);
    };
    let through_acl = ctx
        .acl(subnet_key, Direction::Ingress)
        .intersection(ctx.acl_reply(subnet_key, Direction::Egress));
    let base = match &sg_in {
        Some(g) => g.intersection(&through_acl),
        None => through_acl,
    };
    let routes = &subnet.routes;
    let mut internet = PeerSet::empty();
    if public(world, iface.public_ipv4) {
        internet.v4 = routes.internet.v4.clone();
    }
    if public(world, iface.ipv6) {
        internet.v6 = routes.internet.v6.clone();
    }
    let mut parts = vec![
        base.restrict_peers(&internet),
        base.restrict_peers(&routes.networks),
    ];
    // Hosts in the VPC, subnet by subnet (none needs its own ACL inside one subnet).
    let mut covered = PeerSet::empty();
    for (key, other) in &ctx.subnets {
        if other.vpc.is_none() || other.vpc != subnet.vpc {
            continue;
        }
        covered = covered.union(&other.range);
        if Some(*key) == subnet_key {
            let same = match &sg_in {
                Some(g) => g.restrict_peers(&other.range),
                None => HeaderSpace::product(&other.range, &ServiceSet::all()),
            };
            parts.push(same);
            continue;
        }
        let out_ok =
            services_for(Some(ctx.acl(Some(key), Direction::Egress)), d, world).intersection(
                &services_for(Some(ctx.acl_reply(Some(key), Direction::Ingress)), d, world),
            );
        parts.push(base.restrict_peers(&other.range).restrict_services(&out_ok));
    }
    // Addresses of the VPC outside any subnet the plan shows (subnets managed elsewhere).
    parts.push(base.restrict_peers(&routes.local.difference(&covered)));
    HeaderSpace::union_all(parts).restrict_peers(&families(world, iface))
}

/// Every address of the families an interface has in `world`: IPv4, and IPv6 only
/// with an IPv6 address (IPv4 and IPv6 are separate worlds: without an IPv6 address
/// nothing reaches it over IPv6).
fn families(world: Bound, iface: &Interface) -> PeerSet {
    let mut out = PeerSet::from_v4(RangeSet::full());
    if public(world, iface.ipv6) {
        out.v6 = RangeSet::full();
    }
    out
}

/// An interface whose subnet is unknown: every address its groups allow in the upper
/// world (IPv6 only when it may have IPv6), nothing in the lower world.
fn unknown_subnet(world: Bound, groups: Option<&HeaderSpace>, iface: &Interface) -> HeaderSpace {
    if world == Bound::Lower {
        return HeaderSpace::empty();
    }
    let families = families(world, iface);
    match groups {
        Some(g) => g.restrict_peers(&families),
        None => HeaderSpace::product(&families, &ServiceSet::all()),
    }
}

/// Outbound from a class to addresses outside its VPC.
fn to_addresses(ctx: &Ctx<'_>, ekey: &ClassKey) -> HeaderSpace {
    let world = ctx.world;
    let iface = &ekey.interface;
    let subnet_key = iface.subnet.as_deref();
    let Some(subnet) = subnet_key.and_then(|s| ctx.subnets.get(s)) else {
        return unknown_subnet(world, ctx.groups(iface, Direction::Egress).as_ref(), iface);
    };
    let through_acl = ctx
        .acl(subnet_key, Direction::Egress)
        .intersection(ctx.acl_reply(subnet_key, Direction::Ingress));
    let base = match ctx.groups(iface, Direction::Egress) {
        Some(g) => g.intersection(&through_acl),
        None => through_acl,
    };
    let routes = &subnet.routes;
    let mut dests = routes.networks.clone();
    if public(world, iface.public_ipv4) {
        dests.v4 = dests.v4.union(&routes.internet.v4);
    }
    dests.v4 = dests.v4.union(&routes.nat.v4);
    if public(world, iface.ipv6) {
        dests.v6 = dests
            .v6
            .union(&routes.internet.v6)
            .union(&routes.egress_only.v6);
    }
    base.restrict_peers(&dests)
}
