//! What every flow computation needs about one snapshot, computed once: the allowed
//! spaces of each security group and network ACL, each subnet's ACL and routing.

use std::collections::{BTreeMap, HashMap};

use ipnet::IpNet;

use super::Assumptions;
use crate::header_space::service::{ICMP, ICMPV6, TCP, UDP};
use crate::header_space::{HeaderSpace, PeerSet, Principal, ServiceSet, v4_block, v6_block};
use crate::model::{
    Bound, Certainty, Direction, FAMILY_NAMED, Interface, RouteDestination, RouteTable,
    RouteTarget, Snapshot, Subnet, Tri, family_matches, is_unknown_key, unknown_family,
};

/// Where traffic from one subnet to an address goes, per kind of next hop.
#[derive(Clone, Debug, Default)]
pub(super) struct Routes {
    /// To an attached internet gateway.
    pub internet: PeerSet,
    /// To a NAT gateway (outbound only).
    pub nat: PeerSet,
    /// To an egress-only internet gateway (IPv6 outbound only).
    pub egress_only: PeerSet,
    /// To another network (peering, transit gateway, VPN, appliance).
    pub networks: PeerSet,
    /// Inside the VPC.
    pub local: PeerSet,
    /// The route table is not in the plan; the routes are an assumption.
    pub assumed: bool,
    /// The route table used (key), when there is one.
    pub table: Option<String>,
    /// The resource that chose the table for the subnet (its association, or what
    /// made it the VPC's main table), when the input has one.
    pub selected_by: Option<String>,
}

/// One subnet's context.
#[derive(Clone, Debug, Default)]
pub(super) struct SubnetCtx {
    pub vpc: Option<String>,
    /// The subnet's addresses (IPv4 and IPv6 blocks).
    pub range: PeerSet,
    /// The network ACL; `None` when it is the VPC's default ACL and not in the plan
    /// (AWS's default rules: allow all), or when its rules are unknown (see
    /// `acl_assumed`).
    pub acl: Option<String>,
    /// The subnet uses an ACL whose rules are not (all) in the plan: what it allows is
    /// an assumption.
    pub acl_assumed: bool,
    pub routes: Routes,
}

/// A security group's or ACL's allowed space in both directions.
type Pair = [HeaderSpace; 2];

fn dir(d: Direction) -> usize {
    match d {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

/// The precomputed context.
pub(super) struct Ctx<'s> {
    pub snapshot: &'s Snapshot,
    pub world: Bound,
    sg: HashMap<&'s str, Pair>,
    /// Upper world: the rules of rule resources whose group is known only after apply,
    /// with the instances it is one of (`None`: any group). They may belong to any
    /// group of that family, so they widen each such group.
    orphans: Vec<(Option<&'s str>, Pair)>,
    /// Each family some interface uses a group of (`aws_security_group.g[*]`) with at
    /// most [`FAMILY_NAMED`] members: the union of its members' spaces, computed once.
    families: HashMap<&'s str, Pair>,
    acl: HashMap<&'s str, Pair>,
    acl_reply: HashMap<&'s str, Pair>,
    pub subnets: BTreeMap<&'s str, SubnetCtx>,
    everything: HeaderSpace,
}

impl<'s> Ctx<'s> {
    pub(super) fn new(snapshot: &'s Snapshot, world: Bound, assumptions: &Assumptions) -> Self {
        let everything = HeaderSpace::product(&PeerSet::all_addresses(), &ServiceSet::all());
        let mut ctx = Self {
            snapshot,
            world,
            sg: HashMap::new(),
            orphans: Vec::new(),
            families: HashMap::new(),
            acl: HashMap::new(),
            acl_reply: HashMap::new(),
            subnets: BTreeMap::new(),
            everything,
        };
        // Only the filters some endpoint uses matter here. Filters known only by id with
        // no rule in the plan (and no context file describing them) are left out: they
        // count as open (an assumption the traces flag).
        let used_groups: std::collections::BTreeSet<&str> = snapshot
            .endpoints
            .values()
            .flat_map(|e| &e.interfaces)
            .flat_map(|i| &i.security_groups)
            .map(String::as_str)
            .collect();
        // An interface in `(aws_security_group.g[*] known after apply)` uses one of them,
        // when the family is small enough to stand for its members (`FAMILY_NAMED`);
        // a larger one is any group, and its members' spaces are not needed.
        let used_families: Vec<&str> = used_groups
            .iter()
            .filter(|g| (1..=FAMILY_NAMED).contains(&snapshot.group_family(g).len()))
            .filter_map(|g| unknown_family(g))
            .collect();
        let used =
            |k: &str| used_groups.contains(k) || used_families.iter().any(|f| family_matches(f, k));
        for (key, g) in snapshot
            .security_groups
            .iter()
            .filter(|(k, g)| used(k) && (g.rules_known() || !g.rules.is_empty()))
        {
            // A key known only after apply is not one group: an interface naming it may
            // carry any group of its family, and rules filed under it belong to one.
            if is_unknown_key(key) {
                continue;
            }
            let pair = Direction::BOTH.map(|d| ctx.expand_prefix_lists(&g.allowed(d, world)));
            ctx.sg.insert(key.as_str(), pair);
        }
        ctx.families = ctx.family_unions(&used_families);
        if world == Bound::Upper {
            ctx.orphans = ctx.orphan_rules();
        }
        let with_subnets = !snapshot.endpoints.is_empty();
        for (key, a) in snapshot
            .network_acls
            .iter()
            .filter(|(_, a)| with_subnets && (a.rules_known() || !a.rules.is_empty()))
        {
            let pair = Direction::BOTH.map(|d| a.allowed(d, world));
            let reply = [
                reply_space(&pair[0], assumptions.ephemeral),
                reply_space(&pair[1], assumptions.ephemeral),
            ];
            ctx.acl.insert(key.as_str(), pair);
            ctx.acl_reply.insert(key.as_str(), reply);
        }
        // Which route table and ACL each subnet is associated with, indexed once.
        let mut tables: HashMap<&str, &RouteTable> = HashMap::new();
        for t in snapshot.route_tables.values() {
            for k in &t.subnets {
                tables.entry(k.as_str()).or_insert(t);
            }
        }
        let mut acls: HashMap<&str, &str> = HashMap::new();
        for a in snapshot.network_acls.values() {
            for k in &a.subnets {
                acls.entry(k.as_str()).or_insert(a.key.as_str());
            }
        }
        for (key, subnet) in &snapshot.subnets {
            let mut range = PeerSet::empty();
            if let Some(n) = subnet.ipv4 {
                range.v4 = v4_block(n);
            }
            if let Some(n) = subnet.ipv6 {
                range.v6 = v6_block(n);
            }
            let acl = acls
                .get(key.as_str())
                .map(|a| (*a).to_owned())
                .or_else(|| default_acl(snapshot, subnet.vpc.as_deref()));
            let acl_assumed = acl
                .as_ref()
                .and_then(|a| snapshot.network_acls.get(a))
                .is_some_and(|a| !a.rules_known());
            let acl = acl.filter(|a| ctx.acl.contains_key(a.as_str()));
            let routes = ctx.routes(subnet, &tables);
            ctx.subnets.insert(
                key.as_str(),
                SubnetCtx {
                    vpc: subnet.vpc.clone(),
                    range,
                    acl,
                    acl_assumed,
                    routes,
                },
            );
        }
        ctx
    }

    /// Replaces prefix-list principals by their entries (unknown entries: every address
    /// in the upper world, none in the lower).
    pub(super) fn expand_prefix_lists(&self, space: &HeaderSpace) -> HeaderSpace {
        let lists = &self.snapshot.prefix_lists;
        if !space.any_principal(|p| matches!(p, Principal::PrefixList(_))) {
            return space.clone();
        }
        space.map_peers(|peers| {
            let mut out = peers.clone();
            for p in &peers.principals {
                let Principal::PrefixList(name) = p else {
                    continue;
                };
                let entries = lists
                    .get(name)
                    .or_else(|| lists.values().find(|l| l.id.as_deref() == Some(name)))
                    .and_then(|l| l.entries.as_ref());
                match entries {
                    Some(entries) => {
                        out.principals.remove(p);
                        for e in entries {
                            out = out.union(&cidr_peers(*e));
                        }
                    }
                    None if self.world == Bound::Upper => {
                        out.principals.remove(p);
                        out = out.union(&PeerSet::all_addresses());
                    }
                    None => {
                        out.principals.remove(p);
                    }
                }
            }
            out
        })
    }

    /// The upper world's rules of rule resources whose group is known only after
    /// apply ([`Self::orphans`]).
    fn orphan_rules(&self) -> Vec<(Option<&'s str>, Pair)> {
        let snapshot = self.snapshot;
        let mut out = Vec::new();
        for (key, g) in &snapshot.security_groups {
            if is_unknown_key(key) && !g.rules.is_empty() {
                let pair =
                    Direction::BOTH.map(|d| self.expand_prefix_lists(&g.allowed(d, self.world)));
                out.push((unknown_family(key), pair));
            }
        }
        out
    }

    /// The union of the members' spaces of each family.
    fn family_unions(&self, families: &[&'s str]) -> HashMap<&'s str, Pair> {
        let mut out = HashMap::new();
        for f in families {
            let members: Vec<&Pair> = self
                .sg
                .iter()
                .filter(|(k, _)| family_matches(f, k))
                .map(|(_, pair)| pair)
                .collect();
            if !members.is_empty() {
                let pair = Direction::BOTH
                    .map(|d| HeaderSpace::union_all(members.iter().map(|p| p[dir(d)].clone())));
                out.insert(*f, pair);
            }
        }
        out
    }

    /// The space an interface's security groups allow in one direction; `None` (no
    /// filtering) when the interface has no security groups by design or a group is
    /// not in the plan (assumed open).
    pub(super) fn groups(&self, iface: &Interface, d: Direction) -> Option<HeaderSpace> {
        if !iface.filtered {
            return None;
        }
        let mut parts = Vec::new();
        for g in &iface.security_groups {
            match self.sg.get(g.as_str()) {
                Some(pair) => parts.push(pair[dir(d)].clone()),
                // A group known only after apply: it may allow anything, or nothing.
                None if is_unknown_key(g) && self.world == Bound::Lower => {}
                // ...but one of a family the plan has (`aws_security_group.g[*]`)
                // allows at most what one of them does.
                None => match self.family_space(g, d) {
                    Some(space) => parts.push(space),
                    None => return None,
                },
            }
            for (family, pair) in &self.orphans {
                if family.is_none_or(|f| family_matches(f, g) || unknown_family(g) == Some(f)) {
                    parts.push(pair[dir(d)].clone());
                }
            }
        }
        Some(HeaderSpace::union_all(parts))
    }

    /// The union of the group spaces of the family an unknown key stands for one of
    /// (`(aws_security_group.g[*] known after apply)`: each `aws_security_group.g[k]` of
    /// the plan); `None` when the key names no family or the plan has none of it.
    pub(super) fn family_space(&self, key: &str, d: Direction) -> Option<HeaderSpace> {
        let pair = self.families.get(unknown_family(key)?)?;
        Some(pair[dir(d)].clone())
    }

    /// Every network ACL space [`Self::acl`] and [`Self::acl_reply`] can return.
    pub(super) fn acl_spaces(&self) -> impl Iterator<Item = &HeaderSpace> {
        self.acl
            .values()
            .chain(self.acl_reply.values())
            .flatten()
            .chain(std::iter::once(&self.everything))
    }

    /// A subnet's ACL space in one direction (everything when the ACL is not in the plan).
    pub(super) fn acl(&self, subnet: Option<&str>, d: Direction) -> &HeaderSpace {
        self.acl_of(subnet)
            .and_then(|a| self.acl.get(a))
            .map_or(&self.everything, |p| &p[dir(d)])
    }

    /// The requests whose replies a subnet's ACL lets through in one direction.
    pub(super) fn acl_reply(&self, subnet: Option<&str>, d: Direction) -> &HeaderSpace {
        self.acl_of(subnet)
            .and_then(|a| self.acl_reply.get(a))
            .map_or(&self.everything, |p| &p[dir(d)])
    }

    pub(super) fn acl_of(&self, subnet: Option<&str>) -> Option<&str> {
        subnet
            .and_then(|s| self.subnets.get(s))
            .and_then(|s| s.acl.as_deref())
    }

    /// `true` when the subnet's ACL rules are not (all) known.
    pub(super) fn acl_assumed(&self, subnet: Option<&str>) -> bool {
        subnet
            .and_then(|s| self.subnets.get(s))
            .is_some_and(|s| s.acl_assumed)
    }

    /// `true` when a group of the interface is known only by id: its rules, or some of
    /// them, are neither in the plan nor in a context file.
    pub(super) fn group_assumed(&self, group: &str) -> bool {
        self.snapshot
            .security_groups
            .get(group)
            .is_none_or(|g| !g.rules_known())
    }

    /// Routing of a subnet: longest prefix match over its route table (the one `tables`
    /// associates it with, else its VPC's main table) and the VPC's local routes.
    fn routes(&self, subnet: &Subnet, tables: &HashMap<&str, &RouteTable>) -> Routes {
        let s = self.snapshot;
        let associated = tables.get(subnet.key.as_str()).copied();
        let vpc = subnet.vpc.as_deref();
        let selected_by = match associated {
            Some(t) => t
                .associations
                .iter()
                .find(|(k, _)| *k == subnet.key)
                .map(|(_, r)| r.clone()),
            None => vpc
                .and_then(|v| s.vpcs.get(v))
                .and_then(|v| v.main_association.clone()),
        };
        let table = associated.or_else(|| {
            let main = vpc
                .and_then(|v| s.vpcs.get(v))
                .and_then(|v| v.main_route_table.as_ref());
            main.and_then(|m| s.route_tables.get(m)).or_else(|| {
                s.route_tables
                    .values()
                    .find(|t| t.main && t.vpc.as_deref() == vpc)
            })
        });
        let vpc_blocks: Vec<IpNet> = vpc
            .and_then(|v| s.vpcs.get(v))
            .map(|v| {
                v.ipv4
                    .iter()
                    .map(|n| IpNet::V4(*n))
                    .chain(v.ipv6.iter().map(|n| IpNet::V6(*n)))
                    .collect()
            })
            .unwrap_or_default();
        // A route to an internet gateway can only be created when the gateway is attached
        // to the route table's VPC, so a route settles an attachment the plan does not
        // show; only a gateway known to be detached drops the traffic.
        let attached_igw =
            |key: &str| -> bool { s.gateways.get(key).is_none_or(|g| g.attached != Tri::No) };
        let vpc_igw = s.gateways.values().find(|g| {
            !g.egress_only && g.vpc.as_deref() == vpc && g.vpc.is_some() && attached_igw(&g.key)
        });

        // (prefix length, destination, target class)
        let mut entries: Vec<(u8, PeerSet, Class)> = vpc_blocks
            .iter()
            .map(|b| (b.prefix_len(), cidr_peers(*b), Class::Local))
            .collect();
        let assumed = match table {
            Some(t) if t.routes_known => {
                self.table_routes(t, &attached_igw, &mut entries);
                false
            }
            _ => {
                // A table whose routes the input does not list (one known only by id,
                // or the main table of a VPC it does not manage): the routes the input
                // adds to it are there; the rest may send what is not local to the
                // VPC's internet gateway (as the default VPC's main table does) — in
                // the permissive world only, so that nothing through it is definite.
                if let Some(t) = table {
                    self.table_routes(t, &attached_igw, &mut entries);
                }
                if vpc_igw.is_some() && self.world == Bound::Upper {
                    entries.push((0, PeerSet::all_addresses(), Class::Internet));
                }
                true
            }
        };
        entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        let mut routes = Routes {
            assumed,
            table: table.map(|t| t.key.clone()),
            selected_by,
            ..Routes::default()
        };
        let mut taken = PeerSet::empty();
        for (_, dest, class) in entries {
            let fresh = dest.difference(&taken);
            taken = taken.union(&dest);
            let slot = match class {
                Class::Local => &mut routes.local,
                Class::Internet => &mut routes.internet,
                Class::Nat => &mut routes.nat,
                Class::EgressOnly => &mut routes.egress_only,
                Class::Network => &mut routes.networks,
                Class::Drop => continue,
            };
            *slot = slot.union(&fresh);
        }
        routes
    }
    /// The routes of a table as (prefix length, destination, class) entries.
    fn table_routes(
        &self,
        t: &RouteTable,
        attached_igw: &dyn Fn(&str) -> bool,
        entries: &mut Vec<(u8, PeerSet, Class)>,
    ) {
        let s = self.snapshot;
        for r in &t.routes {
            if r.certainty == Certainty::Possible && self.world == Bound::Lower {
                continue;
            }
            let class = match &r.target {
                RouteTarget::Local => Class::Local,
                RouteTarget::InternetGateway(g) if attached_igw(g) => Class::Internet,
                RouteTarget::InternetGateway(_) | RouteTarget::Blackhole => Class::Drop,
                RouteTarget::EgressOnlyInternetGateway(_) => Class::EgressOnly,
                RouteTarget::NatGateway(_) => Class::Nat,
                RouteTarget::Network(_) => Class::Network,
                RouteTarget::Unknown => match self.world {
                    Bound::Upper => Class::Internet,
                    Bound::Lower => Class::Drop,
                },
            };
            match &r.destination {
                RouteDestination::Cidr(n) => {
                    entries.push((n.prefix_len(), cidr_peers(*n), class));
                }
                RouteDestination::PrefixList(pl) => {
                    let list = s.prefix_lists.get(pl).and_then(|l| l.entries.as_ref());
                    match list {
                        Some(cidrs) => {
                            for c in cidrs {
                                entries.push((c.prefix_len(), cidr_peers(*c), class));
                            }
                        }
                        // AWS-managed lists (S3, DynamoDB) are AWS service ranges.
                        None if self.world == Bound::Upper => {
                            entries.push((1, PeerSet::all_addresses(), class));
                        }
                        None => {}
                    }
                }
                RouteDestination::Unknown if self.world == Bound::Upper => {
                    entries.push((0, PeerSet::all_addresses(), class));
                }
                RouteDestination::Unknown => {}
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Local,
    Internet,
    Nat,
    EgressOnly,
    Network,
    Drop,
}

/// The ACL of a subnet without an explicit association: the VPC's default ACL if the
/// plan has it; `None` (AWS's default ACL, which allows all) otherwise.
fn default_acl(s: &Snapshot, vpc: Option<&str>) -> Option<String> {
    let default = vpc
        .and_then(|v| s.vpcs.get(v))
        .and_then(|v| v.default_network_acl.as_ref())?;
    s.network_acls
        .contains_key(default)
        .then(|| default.clone())
}

/// The addresses of a CIDR block.
pub(super) fn cidr_peers(n: IpNet) -> PeerSet {
    match n {
        IpNet::V4(n) => PeerSet::from_v4(v4_block(n)),
        IpNet::V6(n) => PeerSet::from_v6(v6_block(n)),
    }
}

/// The requests whose replies `acl` (one direction) lets through: a TCP or UDP request
/// to any port when some port of the clients' ephemeral range passes back, ICMP when
/// some ICMP passes, other protocols when the protocol passes.
fn reply_space(acl: &HeaderSpace, ephemeral: (u16, u16)) -> HeaderSpace {
    let mut out = HeaderSpace::empty();
    for p in [TCP, UDP] {
        let peers = acl
            .restrict_services(&ServiceSet::ports(p, ephemeral.0, ephemeral.1))
            .peers();
        out = out.union(&HeaderSpace::product(&peers, &ServiceSet::protocol(p)));
    }
    for p in [ICMP, ICMPV6] {
        let peers = acl.restrict_services(&ServiceSet::protocol(p)).peers();
        out = out.union(&HeaderSpace::product(&peers, &ServiceSet::protocol(p)));
    }
    let others = [TCP, UDP, ICMP, ICMPV6]
        .iter()
        .fold(ServiceSet::all(), |acc, p| {
            acc.difference(&ServiceSet::protocol(*p))
        });
    out.union(&acl.restrict_services(&others))
}

/// Whether an interface has a public address of each family, in this world.
pub(super) fn public(world: Bound, t: Tri) -> bool {
    match world {
        Bound::Upper => t.maybe(),
        Bound::Lower => t.surely(),
    }
}
