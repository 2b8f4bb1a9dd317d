//! [`Reachability::compute`]: every class's inbound and outbound in one world, at a cost
//! that grows with what can reach what rather than with the square of the classes.
//!
//! - Each distinct set of security groups is evaluated once (many classes share one).
//! - Each destination looks only at the classes its ingress rules can admit (through
//!   the groups they name and the addresses they cover, see [`SourceIndex`]), not at
//!   every class.
//! - What network ACLs let through depends only on the two subnets and where in them
//!   the two ends sit; it is computed once per such combination, and so is what the
//!   rest of the VPC can send to a subnet.

use std::collections::HashMap;
use std::rc::Rc;

use super::context::{Ctx, public};
use super::region::{Region, SourceIndex, services_for};
use super::{Assumptions, ClassKey, EndpointClass, Forward, Reachability, classes, is_balancer};
use crate::header_space::{HeaderSpace, PeerSet, RangeSet, ServiceSet};
use crate::model::{Bound, Direction, Interface, Snapshot};

/// What one computation evaluates once and reuses.
struct Shared<'c, 's> {
    ctx: &'c Ctx<'s>,
    keys: &'c [ClassKey],
    regions: &'c [Region],
    /// Each class's ingress and egress filter (`None`: not filtered), by index into
    /// `filters`.
    filter_of: Vec<usize>,
    filters: Vec<[Option<HeaderSpace>; 2]>,
    /// Each class's place as network ACLs see it: a single IPv4 address is known by the
    /// stretch between consecutive bounds of every ACL entry's addresses (all addresses
    /// of a stretch meet the same entries), anything else by its addresses (and whether
    /// its subnet is unknown), interned. Keys the ACL
    /// memo, which would otherwise hold one entry per pair of classes in different
    /// subnets.
    acl_place_of: Vec<usize>,
    /// What network ACLs let through between two places: (source subnet, destination
    /// subnet, source ACL place, destination ACL place).
    acl_memo: HashMap<(&'c str, &'c str, usize, usize), ServiceSet>,
    /// What the rest of the VPC can send to a place (ingress), or receive from it
    /// (egress), as far as the other subnets' ACLs go: (its subnet, its ACL place,
    /// direction).
    vpc_memo: HashMap<(&'c str, usize, Direction), Rc<HeaderSpace>>,
    /// What a subnet's ACL lets in (with the replies out), and out (with the replies
    /// in).
    through_memo: HashMap<&'c str, [HeaderSpace; 2]>,
}

impl Reachability {
    /// Computes the reachability of `snapshot` in `world`. Classes of endpoints that
    /// exist only possibly ([`crate::model::Endpoint::existence`]) neither send nor
    /// receive in the restrictive world (they keep their place, so that class indices
    /// agree across worlds).
    #[must_use]
    pub fn compute(snapshot: &Snapshot, world: Bound, assumptions: &Assumptions) -> Self {
        let absent = |k: &ClassKey| world == Bound::Lower && k.possible;
        let ctx = Ctx::new(snapshot, world, assumptions);
        let (keys, endpoints) = classes(snapshot);
        let regions: Vec<Region> = keys
            .iter()
            .map(|k| Region::of(&ctx, &k.interface))
            .collect();
        let mut members: Vec<Vec<String>> = vec![Vec::new(); keys.len()];
        for (ep, idx) in &endpoints {
            for &i in idx {
                members[i].push(ep.clone());
            }
        }
        let mut shared = Shared::new(&ctx, &keys, &regions);
        let index = SourceIndex::new(&regions, world);
        let vpc_of: Vec<Option<&str>> = keys
            .iter()
            .map(|k| {
                k.interface
                    .subnet
                    .as_deref()
                    .and_then(|s| ctx.subnets.get(s))
                    .and_then(|s| s.vpc.as_deref())
            })
            .collect();
        let mut classes = Vec::with_capacity(keys.len());
        for (d, dkey) in keys.iter().enumerate() {
            let from_addresses = if absent(dkey) {
                HeaderSpace::empty()
            } else {
                shared.address_inbound(d).restrict_services(&dkey.accepts)
            };
            let mut from_classes = Vec::new();
            if !dkey.accepts.is_empty() && !absent(dkey) {
                let ingress = shared.filters[shared.filter_of[d]][0].as_ref();
                for e in index.candidates(ingress) {
                    let same_vpc = match (vpc_of[e], vpc_of[d]) {
                        (Some(a), Some(b)) => a == b,
                        _ => world == Bound::Upper,
                    };
                    if !same_vpc || absent(&keys[e]) {
                        continue;
                    }
                    let services = shared.pair(e, d).intersection(&dkey.accepts);
                    if !services.is_empty() {
                        from_classes.push((e, services));
                    }
                }
            }
            let to_addresses = if dkey.sends_out && !absent(dkey) {
                shared.address_outbound(d)
            } else {
                HeaderSpace::empty()
            };
            classes.push(EndpointClass {
                key: dkey.clone(),
                members: std::mem::take(&mut members[d]),
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
        let regions = regions.iter().map(Region::addresses).collect();
        Self {
            world,
            classes,
            endpoints,
            forwards,
            regions,
        }
    }
}

impl<'c, 's> Shared<'c, 's> {
    fn new(ctx: &'c Ctx<'s>, keys: &'c [ClassKey], regions: &'c [Region]) -> Self {
        let mut by_groups: HashMap<(bool, &[String]), usize> = HashMap::new();
        let mut filters = Vec::new();
        let filter_of = keys
            .iter()
            .map(|k| {
                let iface = &k.interface;
                *by_groups
                    .entry((iface.filtered, iface.security_groups.as_slice()))
                    .or_insert_with(|| {
                        filters.push(Direction::BOTH.map(|d| ctx.groups(iface, d)));
                        filters.len() - 1
                    })
            })
            .collect();
        let mut places: HashMap<(&PeerSet, &PeerSet, bool), usize> = HashMap::new();
        let place_of: Vec<usize> = regions
            .iter()
            .map(|r| {
                let n = places.len();
                *places.entry((&r.exact, &r.range, r.unknown)).or_insert(n)
            })
            .collect();
        let mut bounds: Vec<u64> = ctx
            .acl_spaces()
            .flat_map(HeaderSpace::peer_sets)
            .flat_map(|p| p.v4.ranges())
            .flat_map(|&(lo, hi)| [u64::from(lo), u64::from(hi) + 1])
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let acl_place_of = regions
            .iter()
            .zip(&place_of)
            .map(|(r, &place)| match r.exact.v4.ranges() {
                [(lo, hi)]
                    if lo == hi && r.exact.v6.is_empty() && r.range.is_empty() && !r.unknown =>
                {
                    bounds.partition_point(|&b| b <= u64::from(*lo))
                }
                _ => bounds.len() + 1 + place,
            })
            .collect();
        Self {
            ctx,
            keys,
            regions,
            filter_of,
            filters,
            acl_place_of,
            acl_memo: HashMap::new(),
            vpc_memo: HashMap::new(),
            through_memo: HashMap::new(),
        }
    }

    fn filter(&self, c: usize, d: Direction) -> Option<&HeaderSpace> {
        self.filters[self.filter_of[c]][usize::from(d == Direction::Egress)].as_ref()
    }

    fn subnet(&self, c: usize) -> Option<&'c str> {
        self.keys[c].interface.subnet.as_deref()
    }

    /// The services class `e`'s members can use to reach class `d`'s members (same
    /// VPC): source security-group egress, destination ingress, and — between different
    /// subnets — both subnets' ACLs for the request and the reply.
    fn pair(&mut self, e: usize, d: usize) -> ServiceSet {
        let world = self.ctx.world;
        let mut svc = services_for(self.filter(e, Direction::Egress), &self.regions[d], world);
        if svc.is_empty() {
            return svc;
        }
        svc = svc.intersection(&services_for(
            self.filter(d, Direction::Ingress),
            &self.regions[e],
            world,
        ));
        let (es, ds) = (self.subnet(e), self.subnet(d));
        if svc.is_empty() || (es.is_some() && es == ds) {
            return svc;
        }
        let key = (
            es.unwrap_or_default(),
            ds.unwrap_or_default(),
            self.acl_place_of[e],
            self.acl_place_of[d],
        );
        if let Some(acls) = self.acl_memo.get(&key) {
            return svc.intersection(acls);
        }
        let ctx = self.ctx;
        let (er, dr) = (&self.regions[e], &self.regions[d]);
        let mut acls = ServiceSet::all();
        for (space, region) in [
            (ctx.acl(es, Direction::Egress), dr),
            (ctx.acl(ds, Direction::Ingress), er),
            (ctx.acl_reply(ds, Direction::Egress), er),
            (ctx.acl_reply(es, Direction::Ingress), dr),
        ] {
            acls = acls.intersection(&services_for(Some(space), region, world));
            if acls.is_empty() {
                break;
            }
        }
        let out = svc.intersection(&acls);
        self.acl_memo.insert(key, acls);
        out
    }

    /// What a subnet's ACL lets through in `d`'s direction together with the replies
    /// the other way: `[in, out]`.
    fn through(&mut self, subnet: &'c str) -> &[HeaderSpace; 2] {
        let ctx = self.ctx;
        self.through_memo.entry(subnet).or_insert_with(|| {
            let s = Some(subnet);
            [
                ctx.acl(s, Direction::Ingress)
                    .intersection(ctx.acl_reply(s, Direction::Egress)),
                ctx.acl(s, Direction::Egress)
                    .intersection(ctx.acl_reply(s, Direction::Ingress)),
            ]
        })
    }

    /// Inbound to class `d` from addresses: the internet, other networks and hosts in
    /// the VPC.
    fn address_inbound(&mut self, d: usize) -> HeaderSpace {
        let ctx = self.ctx;
        let world = ctx.world;
        let iface = &self.keys[d].interface;
        let sg_in = self.filter(d, Direction::Ingress).cloned();
        let Some((subnet_key, subnet)) = self
            .subnet(d)
            .and_then(|k| ctx.subnets.get(k).map(|s| (k, s)))
        else {
            // Its subnet is not known: in the upper world it may sit anywhere, reachable
            // from any address its groups admit; in the lower world from none.
            return unknown_subnet(world, sg_in.as_ref(), iface);
        };
        let through = self.through(subnet_key)[0].clone();
        let base = match &sg_in {
            Some(g) => g.intersection(&through),
            None => through,
        };
        let routes = &subnet.routes;
        let mut internet = PeerSet::empty();
        if public(world, iface.public_ipv4) {
            internet.v4 = routes.internet.v4.clone();
        }
        if public(world, iface.ipv6) {
            internet.v6 = routes.internet.v6.clone();
        }
        let own = match &sg_in {
            Some(g) => g.restrict_peers(&subnet.range),
            None => HeaderSpace::product(&subnet.range, &ServiceSet::all()),
        };
        let vpc = self.rest_of_vpc(subnet_key, d, Direction::Ingress);
        let parts = vec![
            base.restrict_peers(&internet),
            base.restrict_peers(&routes.networks),
            // Hosts in the same subnet: no ACL between them.
            own,
            base.intersection(&vpc),
        ];
        HeaderSpace::union_all(parts).restrict_peers(&families(world, iface))
    }

    /// What hosts elsewhere in the VPC of `subnet` can send towards class `c`'s place
    /// (`Ingress`: the request out of their subnet, the reply in), or receive from it
    /// (`Egress`: the request into their subnet, the reply out), as far as their own
    /// subnets' ACLs go: each other subnet's addresses on the services its ACL passes,
    /// and the VPC's addresses outside every subnet the plan shows on every service.
    fn rest_of_vpc(&mut self, subnet: &'c str, c: usize, d: Direction) -> Rc<HeaderSpace> {
        // `c`'s region meets only ACLs here: its ACL place keys the memo.
        let key = (subnet, self.acl_place_of[c], d);
        if let Some(space) = self.vpc_memo.get(&key) {
            return Rc::clone(space);
        }
        let ctx = self.ctx;
        let world = ctx.world;
        let region = &self.regions[c];
        // The other subnet's request direction, and its reply direction.
        let (request, reply) = match d {
            Direction::Ingress => (Direction::Egress, Direction::Ingress),
            Direction::Egress => (Direction::Ingress, Direction::Egress),
        };
        let own = &ctx.subnets[subnet];
        // Subnets sharing an ACL pass the same services: evaluate each ACL once.
        let mut by_acl: HashMap<Option<&str>, ServiceSet> = HashMap::new();
        let mut ranges: Vec<(ServiceSet, PeerSet)> = Vec::new();
        let mut covered = PeerSet::empty();
        for (key, other) in &ctx.subnets {
            if other.vpc.is_none() || other.vpc != own.vpc {
                continue;
            }
            covered = covered.union(&other.range);
            if *key == subnet {
                continue;
            }
            let acl = ctx.acl_of(Some(key));
            let out_ok = by_acl
                .entry(acl)
                .or_insert_with(|| {
                    services_for(Some(ctx.acl(Some(key), request)), region, world).intersection(
                        &services_for(Some(ctx.acl_reply(Some(key), reply)), region, world),
                    )
                })
                .clone();
            match ranges.iter_mut().find(|(s, _)| *s == out_ok) {
                Some((_, peers)) => *peers = peers.union(&other.range),
                None => ranges.push((out_ok, other.range.clone())),
            }
        }
        let mut parts: Vec<HeaderSpace> = ranges
            .iter()
            .map(|(services, peers)| HeaderSpace::product(peers, services))
            .collect();
        // Addresses of the VPC outside any subnet the plan shows (subnets managed
        // elsewhere).
        parts.push(HeaderSpace::product(
            &own.routes.local.difference(&covered),
            &ServiceSet::all(),
        ));
        let space = HeaderSpace::union_all(parts);
        let space = Rc::new(space);
        self.vpc_memo.insert(key, Rc::clone(&space));
        space
    }

    /// Outbound from class `e` to addresses: outside its VPC where its subnet routes
    /// them, and inside it (hosts the input does not model are peers too: the
    /// modelled ones are reached as classes as well).
    fn address_outbound(&mut self, e: usize) -> HeaderSpace {
        let ctx = self.ctx;
        let world = ctx.world;
        let iface = &self.keys[e].interface;
        let sg_out = self.filter(e, Direction::Egress).cloned();
        let Some((subnet_key, subnet)) = self
            .subnet(e)
            .and_then(|k| ctx.subnets.get(k).map(|s| (k, s)))
        else {
            return unknown_subnet(world, sg_out.as_ref(), iface);
        };
        let through = self.through(subnet_key)[1].clone();
        let base = match &sg_out {
            Some(g) => g.intersection(&through),
            None => through,
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
        let own = match &sg_out {
            Some(g) => g.restrict_peers(&subnet.range),
            None => HeaderSpace::product(&subnet.range, &ServiceSet::all()),
        };
        let vpc = self.rest_of_vpc(subnet_key, e, Direction::Egress);
        let inside = HeaderSpace::union_all(vec![
            // Hosts in the same subnet: no ACL between them.
            own,
            base.intersection(&vpc),
        ])
        .restrict_peers(&families(world, iface));
        base.restrict_peers(&dests).union(&inside)
    }
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
