//! The network around the filters from a plan: VPCs, subnets, route tables and routes,
//! internet and NAT gateways, managed prefix lists.
//!
//! Reads `aws_vpc`, `aws_default_vpc`, `aws_vpc_ipv4_cidr_block_association`,
//! `aws_subnet`, `aws_default_subnet`, `aws_route_table`, `aws_default_route_table`,
//! `aws_route`, `aws_route_table_association`, `aws_main_route_table_association`,
//! `aws_internet_gateway`, `aws_internet_gateway_attachment`,
//! `aws_egress_only_internet_gateway`, `aws_nat_gateway`,
//! `aws_ec2_managed_prefix_list` and `aws_ec2_managed_prefix_list_entry`.

use ipnet::IpNet;

use super::refs::{VpcDefault, Want};
use super::values::Side;
use super::{Entry, Plan, entries_of};
use crate::header_space::parse_cidr;
use crate::model::{
    Certainty, Gateway, NatGateway, Origin, PrefixList, Route, RouteDestination, RouteTable,
    RouteTarget, Snapshot, Subnet, Tri, Vpc,
};
use crate::warning::{WarningKind, Warnings};

/// The resource types read first: the objects themselves.
const OBJECT_KINDS: [&str; 10] = [
    "aws_vpc",
    "aws_default_vpc",
    "aws_subnet",
    "aws_default_subnet",
    "aws_route_table",
    "aws_default_route_table",
    "aws_internet_gateway",
    "aws_egress_only_internet_gateway",
    "aws_nat_gateway",
    "aws_ec2_managed_prefix_list",
];

/// The resource types read second: those that modify the objects.
const MODIFIER_KINDS: [&str; 7] = [
    "aws_vpc_ipv4_cidr_block_association",
    "aws_vpc_ipv6_cidr_block_association",
    "aws_route",
    "aws_route_table_association",
    "aws_main_route_table_association",
    "aws_internet_gateway_attachment",
    "aws_ec2_managed_prefix_list_entry",
];

/// Fills the topology of one side of `snapshot` (`after` selects the side).
pub(super) fn build(
    plan: &Plan<'_>,
    after: bool,
    snapshot: &mut Snapshot,
    warnings: &mut Warnings,
) {
    let mut r = Reader { plan, warnings };
    for (i, e) in entries_of(plan, &OBJECT_KINDS) {
        let sides = e.sides();
        let Some(side) = sides.side(after) else {
            continue;
        };
        match e.kind.as_str() {
            "aws_vpc" | "aws_default_vpc" => r.vpc(i, e, side, snapshot),
            "aws_subnet" | "aws_default_subnet" => r.subnet(i, e, side, snapshot),
            "aws_route_table" | "aws_default_route_table" => r.route_table(i, e, side, snapshot),
            "aws_internet_gateway" | "aws_egress_only_internet_gateway" => {
                r.gateway(i, e, side, snapshot);
            }
            "aws_nat_gateway" => r.nat_gateway(i, e, side, snapshot),
            "aws_ec2_managed_prefix_list" => prefix_list(e, side, snapshot),
            _ => {}
        }
    }
    // Second pass: resources that modify the objects read above.
    for (i, e) in entries_of(plan, &MODIFIER_KINDS) {
        let sides = e.sides();
        let Some(side) = sides.side(after) else {
            continue;
        };
        match e.kind.as_str() {
            "aws_vpc_ipv4_cidr_block_association" | "aws_vpc_ipv6_cidr_block_association" => {
                r.vpc_block(i, side, snapshot);
            }
            "aws_route" => r.route(i, e, side, snapshot),
            "aws_route_table_association" => r.association(i, e, side, snapshot),
            "aws_main_route_table_association" => r.main_association(i, e, side, snapshot),
            "aws_internet_gateway_attachment" => r.attachment(i, side, snapshot),
            "aws_ec2_managed_prefix_list_entry" => r.prefix_list_entry(i, side, snapshot),
            _ => {}
        }
    }
    main_tables(plan, after, snapshot);
    deduce_vpcs(snapshot, r.warnings);
}

/// The main route table of each VPC the plan creates or keeps in its state
/// (`aws_vpc`): AWS creates it with the local routes only, so it holds exactly the
/// `aws_route`s aimed at it (or what `aws_default_route_table` declares) — known, not
/// assumed. A main table adopted by `aws_default_route_table` is that resource already.
/// `aws_default_vpc` is left alone: AWS made that VPC's main table (with a route to
/// its own internet gateway), and the plan does not say what it holds now.
fn main_tables(plan: &Plan<'_>, after: bool, s: &mut Snapshot) {
    for (i, e) in entries_of(plan, &["aws_vpc"]) {
        if e.sides().side(after).is_none() {
            continue;
        }
        let vpc = e.label();
        let original = plan.default_key(i, VpcDefault::RouteTable);
        let main = s
            .vpcs
            .get(&vpc)
            .and_then(|v| v.main_route_table.as_ref())
            .is_none_or(|m| *m == original);
        let table = s
            .route_tables
            .entry(original.clone())
            .or_insert_with(|| unmanaged_table(&original));
        table.routes_known = true;
        table.vpc.get_or_insert(vpc);
        // `aws_main_route_table_association` may have made another table the main one.
        table.main = main;
    }
}

/// Fills in VPCs the plan leaves unknown, from facts that cannot be otherwise: a
/// subnet lies in the one VPC of the plan whose blocks contain its IPv4 block; a route
/// table belongs to the VPC of the subnets associated with it. A subnet whose VPC
/// stays unknown is warned about (flows through it cannot be placed).
fn deduce_vpcs(s: &mut Snapshot, warnings: &mut Warnings) {
    let vpc_blocks: Vec<(String, Vec<ipnet::Ipv4Net>)> = s
        .vpcs
        .values()
        .map(|v| (v.key.clone(), v.ipv4.clone()))
        .collect();
    for subnet in s.subnets.values_mut().filter(|x| x.vpc.is_none()) {
        let mut holders = vpc_blocks.iter().filter(|(_, blocks)| {
            subnet
                .ipv4
                .is_some_and(|block| blocks.iter().any(|b| b.contains(&block)))
        });
        match (holders.next(), holders.next()) {
            (Some((key, _)), None) => subnet.vpc = Some(key.clone()),
            _ => warnings.push(
                WarningKind::UnresolvedReference,
                Some(&subnet.key),
                "its VPC is known only after apply and no single VPC of the plan contains its block; flows through it are left out",
            ),
        }
    }
    let subnet_vpc: std::collections::BTreeMap<String, String> = s
        .subnets
        .values()
        .filter_map(|x| Some((x.key.clone(), x.vpc.clone()?)))
        .collect();
    for table in s.route_tables.values_mut().filter(|t| t.vpc.is_none()) {
        table.vpc = table
            .subnets
            .iter()
            .find_map(|k| subnet_vpc.get(k).cloned());
    }
    // An internet gateway belongs to the VPC whose route tables route to it.
    for gateway in s.gateways.values_mut().filter(|g| g.vpc.is_none()) {
        gateway.vpc = s.route_tables.values().find_map(|t| {
            let routes_here = t.routes.iter().any(|r| match &r.target {
                RouteTarget::InternetGateway(k) | RouteTarget::EgressOnlyInternetGateway(k) => {
                    *k == gateway.key
                }
                _ => false,
            });
            if routes_here { t.vpc.clone() } else { None }
        });
    }
}

struct Reader<'p, 'a, 'w> {
    plan: &'p Plan<'a>,
    warnings: &'w mut Warnings,
}

fn cidr(side: Side<'_>) -> Option<IpNet> {
    side.str().and_then(parse_cidr).map(|n| n.trunc())
}

impl Reader<'_, '_, '_> {
    /// A VPC reference, without warning: when it cannot be followed (typically
    /// `local.vpc_id` in `terraform-aws-modules/vpc`), the VPC is deduced afterwards
    /// (see [`deduce_vpcs`]), and only a failed deduction warns.
    fn vpc_ref(&self, entry: usize, side: Side<'_>) -> Option<String> {
        let mut quiet = Warnings::new();
        let refs = self.plan.refs(
            entry,
            side.key("vpc_id"),
            "vpc_id",
            Want::Vpc,
            true,
            &mut quiet,
        );
        // Several candidates are no answer: the deduction decides among them.
        match refs.certainty {
            Certainty::Definite => refs.keys.into_iter().next(),
            Certainty::Possible => None,
        }
    }

    fn one(&mut self, entry: usize, side: Side<'_>, attr: &str, want: Want) -> Option<String> {
        let refs = self
            .plan
            .refs(entry, side.key(attr), attr, want, true, self.warnings);
        refs.known().next()
    }

    fn vpc(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
        let key = e.label();
        let mut vpc = Vpc {
            key: key.clone(),
            id: side.key("id").str().map(str::to_owned),
            main_route_table: Some(self.plan.default_key(i, VpcDefault::RouteTable)),
            default_network_acl: Some(self.plan.default_key(i, VpcDefault::NetworkAcl)),
            default_security_group: Some(self.plan.default_key(i, VpcDefault::SecurityGroup)),
            ..Vpc::default()
        };
        match cidr(side.key("cidr_block")) {
            Some(IpNet::V4(n)) => vpc.ipv4.push(n),
            _ if side.key("cidr_block").is_unknown() => self.unknown(&key, "cidr_block"),
            _ => {}
        }
        if let Some(IpNet::V6(n)) = cidr(side.key("ipv6_cidr_block")) {
            vpc.ipv6.push(n);
        }
        s.vpcs.insert(key, vpc);
    }

    fn vpc_block(&mut self, i: usize, side: Side<'_>, s: &mut Snapshot) {
        let Some(vpc) = self.one(i, side, "vpc_id", Want::Vpc) else {
            return;
        };
        let block = cidr(side.key("cidr_block")).or_else(|| cidr(side.key("ipv6_cidr_block")));
        if let (Some(v), Some(block)) = (s.vpcs.get_mut(&vpc), block) {
            match block {
                IpNet::V4(n) => v.ipv4.push(n),
                IpNet::V6(n) => v.ipv6.push(n),
            }
        }
    }

    fn subnet(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
        let key = e.label();
        let ipv4 = match cidr(side.key("cidr_block")) {
            Some(IpNet::V4(n)) => Some(n),
            _ => None,
        };
        let ipv6 = match cidr(side.key("ipv6_cidr_block")) {
            Some(IpNet::V6(n)) => Some(n),
            _ => None,
        };
        let has_ipv6 = if ipv6.is_some() {
            Tri::Yes
        } else if side.key("ipv6_cidr_block").is_unknown() {
            Tri::Unknown
        } else {
            Tri::No
        };
        // aws_default_subnet maps public IPs by default; aws_subnet does not.
        let map_public_ip = match side.key("map_public_ip_on_launch") {
            m if m.is_unknown() => Tri::Unknown,
            m => Tri::from_bool(m.bool().unwrap_or(e.kind == "aws_default_subnet")),
        };
        let subnet = Subnet {
            key: key.clone(),
            id: side.key("id").str().map(str::to_owned),
            vpc: self.vpc_ref(i, side),
            ipv4,
            ipv6,
            has_ipv6,
            map_public_ip,
        };
        s.subnets.insert(key, subnet);
    }

    fn route_table(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
        let key = e.label();
        let default = e.kind == "aws_default_route_table";
        let mut table = RouteTable {
            key: key.clone(),
            id: side.key("id").str().map(str::to_owned),
            vpc: if default { None } else { self.vpc_ref(i, side) },
            main: default,
            routes_known: true,
            ..RouteTable::default()
        };
        if default {
            // The VPC whose main table this is: by `vpc_id` (computed), else by the id
            // it adopts, else through the configuration.
            let by_id = side
                .key("default_route_table_id")
                .str()
                .and_then(|id| self.plan.vpc_by_default_id(id));
            let vpc = by_id.or_else(|| {
                self.plan
                    .resolve_reference(
                        i,
                        "default_route_table_id",
                        &|e, a| {
                            matches!(e.kind.as_str(), "aws_vpc" | "aws_default_vpc")
                                && a == Some("main_route_table_id")
                        },
                        "rtb-",
                    )
                    .entries
                    .first()
                    .copied()
            });
            table.vpc = self
                .vpc_ref(i, side)
                .or_else(|| vpc.map(|v| self.plan.entries[v].label()));
        }
        let routes = side.key("route");
        if routes.is_unknown() {
            let fresh = e.sides().before.is_none();
            let configured = self.plan.configured(i, "route");
            if !(fresh && configured == Some(false)) {
                table.routes.push(Route {
                    destination: RouteDestination::Unknown,
                    target: RouteTarget::Unknown,
                    certainty: Certainty::Possible,
                    origin: Origin::new(&key, "route"),
                });
                self.unknown(&key, "route");
            }
        } else {
            for (n, r) in routes.items().enumerate() {
                let route = self.route_fields(
                    i,
                    &key,
                    r,
                    Some("route"),
                    Origin::new(&key, format!("route[{n}]")),
                );
                table.routes.push(route);
            }
        }
        s.route_tables.insert(key, table);
    }

    /// One route from its fields (`aws_route` and inline `route` name them alike, the
    /// destination with or without a `destination_` prefix). `block` is the inline
    /// block's attribute (`route`), whose configuration expression holds references;
    /// `None` for `aws_route`, whose fields are attributes of their own.
    fn route_fields(
        &mut self,
        entry: usize,
        label: &str,
        r: Side<'_>,
        block: Option<&str>,
        origin: Origin,
    ) -> Route {
        let mut certainty = Certainty::Definite;
        let dest_fields = [
            "destination_cidr_block",
            "cidr_block",
            "destination_ipv6_cidr_block",
            "ipv6_cidr_block",
        ];
        let mut destination = dest_fields
            .iter()
            .find_map(|f| cidr(r.key(f)))
            .map(RouteDestination::Cidr);
        if destination.is_none() {
            let pl = r.key("destination_prefix_list_id");
            if let Some(id) = pl.str() {
                destination = Some(RouteDestination::PrefixList(
                    self.plan.key_for_id(Want::PrefixList, id),
                ));
            } else if pl.is_unknown() {
                let refs = self.plan.refs(
                    entry,
                    pl,
                    block.unwrap_or("destination_prefix_list_id"),
                    Want::PrefixList,
                    true,
                    self.warnings,
                );
                certainty = certainty.max(refs.certainty);
                destination = refs.known().next().map(RouteDestination::PrefixList);
            }
        }
        let destination = destination.unwrap_or_else(|| {
            if dest_fields.iter().any(|f| r.key(f).is_unknown()) {
                self.unknown(label, "a route destination");
            }
            certainty = Certainty::Possible;
            RouteDestination::Unknown
        });
        let target = self.route_target(entry, label, r, block, &mut certainty);
        Route {
            destination,
            target,
            certainty,
            origin,
        }
    }

    fn route_target(
        &mut self,
        entry: usize,
        label: &str,
        r: Side<'_>,
        block: Option<&str>,
        certainty: &mut Certainty,
    ) -> RouteTarget {
        let network = |kind: &str, v: &str| RouteTarget::Network(format!("{kind}:{v}"));
        let fields = [
            ("gateway_id", "gateway"),
            ("egress_only_gateway_id", "egress-only-gateway"),
            ("nat_gateway_id", "nat-gateway"),
            ("transit_gateway_id", "transit-gateway"),
            ("vpc_peering_connection_id", "peering"),
            ("vpc_endpoint_id", "vpc-endpoint"),
            ("network_interface_id", "network-interface"),
            ("instance_id", "instance"),
            ("carrier_gateway_id", "carrier-gateway"),
            ("local_gateway_id", "local-gateway"),
            ("core_network_arn", "core-network"),
        ];
        for (field, kind) in fields {
            let v = r.key(field);
            if let Some(id) = v.str() {
                return match field {
                    "gateway_id" if id == "local" => RouteTarget::Local,
                    "gateway_id" if id.starts_with("igw-") => {
                        RouteTarget::InternetGateway(self.plan.key_for_id(Want::Gateway, id))
                    }
                    "gateway_id" => {
                        let key = self.plan.key_for_id(Want::Gateway, id);
                        if key == id {
                            network("gateway", id)
                        } else {
                            RouteTarget::InternetGateway(key)
                        }
                    }
                    "egress_only_gateway_id" => RouteTarget::EgressOnlyInternetGateway(
                        self.plan.key_for_id(Want::Gateway, id),
                    ),
                    "nat_gateway_id" => {
                        RouteTarget::NatGateway(self.plan.key_for_id(Want::NatGateway, id))
                    }
                    _ => network(kind, id),
                };
            }
            if v.is_unknown() {
                let want = match field {
                    "gateway_id" | "egress_only_gateway_id" => Some(Want::Gateway),
                    "nat_gateway_id" => Some(Want::NatGateway),
                    _ => None,
                };
                let Some(want) = want else {
                    // Another network, created in this plan.
                    return network(kind, "(known after apply)");
                };
                let refs =
                    self.plan
                        .refs(entry, v, block.unwrap_or(field), want, true, self.warnings);
                *certainty = (*certainty).max(refs.certainty);
                return match (refs.known().next(), field) {
                    (Some(k), "nat_gateway_id") => RouteTarget::NatGateway(k),
                    (Some(k), "egress_only_gateway_id") => {
                        RouteTarget::EgressOnlyInternetGateway(k)
                    }
                    (Some(k), _) => RouteTarget::InternetGateway(k),
                    (None, _) => {
                        *certainty = Certainty::Possible;
                        RouteTarget::Unknown
                    }
                };
            }
        }
        if r.key("blackhole").bool() == Some(true) {
            return RouteTarget::Blackhole;
        }
        self.warnings.push(
            WarningKind::InvalidRule,
            Some(label),
            "a route has no target reachdiff recognises; treated as leaving the VPC to an unknown network",
        );
        *certainty = Certainty::Possible;
        RouteTarget::Unknown
    }

    fn route(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
        let Some(table) = self.one(i, side, "route_table_id", Want::RouteTable) else {
            return;
        };
        let label = e.label();
        let route = self.route_fields(i, &label, side, None, Origin::new(&label, ""));
        s.route_tables
            .entry(table.clone())
            .or_insert_with(|| unmanaged_table(&table))
            .routes
            .push(route);
    }

    fn association(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
        if side.key("gateway_id").str().is_some() {
            self.warnings.push(
                WarningKind::UnsupportedResource,
                Some(&e.label()),
                "an edge association (gateway route table) redirects inbound traffic to an appliance; reachdiff does not model ingress routing",
            );
            return;
        }
        let (Some(table), Some(subnet)) = (
            self.one(i, side, "route_table_id", Want::RouteTable),
            self.one(i, side, "subnet_id", Want::Subnet),
        ) else {
            return;
        };
        let t = s
            .route_tables
            .entry(table.clone())
            .or_insert_with(|| unmanaged_table(&table));
        t.associations.push((subnet.clone(), e.label()));
        t.subnets.push(subnet);
    }

    fn main_association(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
        let (Some(table), Some(vpc)) = (
            self.one(i, side, "route_table_id", Want::RouteTable),
            self.one(i, side, "vpc_id", Want::Vpc),
        ) else {
            return;
        };
        let t = s
            .route_tables
            .entry(table.clone())
            .or_insert_with(|| unmanaged_table(&table));
        t.main = true;
        t.vpc = Some(vpc.clone());
        if let Some(v) = s.vpcs.get_mut(&vpc) {
            v.main_route_table = Some(table);
            v.main_association = Some(e.label());
        }
    }

    fn gateway(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
        let key = e.label();
        let vpc = self.vpc_ref(i, side);
        let attached = if vpc.is_some() {
            Tri::Yes
        } else if side.key("vpc_id").is_unknown() {
            Tri::Unknown
        } else {
            Tri::No
        };
        s.gateways.insert(
            key.clone(),
            Gateway {
                key,
                id: side.key("id").str().map(str::to_owned),
                vpc,
                attached,
                egress_only: e.kind == "aws_egress_only_internet_gateway",
            },
        );
    }

    fn attachment(&mut self, i: usize, side: Side<'_>, s: &mut Snapshot) {
        let (Some(gw), Some(vpc)) = (
            self.one(i, side, "internet_gateway_id", Want::Gateway),
            self.one(i, side, "vpc_id", Want::Vpc),
        ) else {
            return;
        };
        if let Some(g) = s.gateways.get_mut(&gw) {
            g.vpc = Some(vpc);
            g.attached = Tri::Yes;
        }
    }

    fn nat_gateway(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
        let key = e.label();
        let nat = NatGateway {
            key: key.clone(),
            id: side.key("id").str().map(str::to_owned),
            subnet: self.one(i, side, "subnet_id", Want::Subnet),
            public: side.key("connectivity_type").str() != Some("private"),
        };
        s.nat_gateways.insert(key, nat);
    }

    fn prefix_list_entry(&mut self, i: usize, side: Side<'_>, s: &mut Snapshot) {
        let Some(list) = self.one(i, side, "prefix_list_id", Want::PrefixList) else {
            return;
        };
        let pl = s
            .prefix_lists
            .entry(list.clone())
            .or_insert_with(|| PrefixList {
                key: list.clone(),
                entries: Some(Vec::new()),
                ..PrefixList::default()
            });
        match (cidr(side.key("cidr")), &mut pl.entries) {
            (Some(c), Some(entries)) => entries.push(c),
            _ => pl.entries = None,
        }
        pl.sources.push(self.plan.entries[i].label());
        pl.sources.sort();
        pl.sources.dedup();
    }

    fn unknown(&mut self, resource: &str, what: &str) {
        self.warnings.push(
            WarningKind::UnknownValue,
            Some(resource),
            format!("{what} is known only after apply; flows that depend on it are possible"),
        );
    }
}

/// A managed prefix list and its entries (unknown entries make the list unknown).
fn prefix_list(e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot) {
    let key = e.label();
    let entries = side.key("entry");
    let entries = if entries.is_unknown() {
        None
    } else {
        entries
            .items()
            .map(|x| cidr(x.key("cidr")))
            .collect::<Option<Vec<IpNet>>>()
    };
    s.prefix_lists.insert(
        key.clone(),
        PrefixList {
            key,
            id: side.key("id").str().map(str::to_owned),
            entries,
            sources: Vec::new(),
        },
    );
}

/// A route table known only through its id (its routes are not in the plan).
fn unmanaged_table(key: &str) -> RouteTable {
    RouteTable {
        key: key.to_owned(),
        id: key.starts_with("rtb-").then(|| key.to_owned()),
        routes_known: false,
        ..RouteTable::default()
    }
}
