//! Resolved template resources → one [`Snapshot`]: security groups and their rules,
//! network ACLs and entries, VPCs, subnets, route tables, gateways and instances.
//!
//! Keys are logical ids (`WebSecurityGroup`); objects a VPC brings with it are
//! `<Vpc>.DefaultSecurityGroup`, `<Vpc>.DefaultNetworkAcl`, `<Vpc>.MainRouteTable`.
//! Values the template cannot decide widen the rule and make it possible, with a
//! warning; this module never reads template syntax (see the `intrinsics` submodule).

mod endpoints;

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::intrinsics::{Template, Val};
use crate::header_space::{
    PeerSet, Principal, RangeSet, ServiceSet, parse_cidr, v4_block, v6_block,
};
use crate::model::{
    Action, Certainty, Direction, Gateway, NaclRule, NatGateway, NetworkAcl, Origin, Protocol,
    Route, RouteDestination, RouteTable, RouteTarget, SecurityGroup, SgRule, Snapshot, Subnet, Tri,
    Vpc, nacl_services, sg_services, unknown_key,
};
use crate::source::context::Context;
use crate::warning::{WarningKind, Warnings};

/// Builds the snapshot of the resources of `t`.
pub(super) fn build(
    t: &Template<'_>,
    props: &BTreeMap<String, Val>,
    context: &Context,
    warnings: &mut Warnings,
) -> Snapshot {
    let mut b = Builder {
        t,
        props,
        warnings,
        s: Snapshot::default(),
        attached: BTreeMap::new(),
    };
    let kinds = |k: &'static [&'static str]| {
        t.resources
            .iter()
            .filter(move |(_, r)| k.contains(&r.kind.as_str()))
            .map(|(id, r)| (id.clone(), r.certainty))
            .collect::<Vec<_>>()
    };
    for (id, _) in kinds(&["AWS::EC2::VPC"]) {
        b.vpc(&id);
    }
    for (id, _) in kinds(&["AWS::EC2::VPCCidrBlock"]) {
        b.vpc_block(&id);
    }
    for (id, c) in kinds(&["AWS::EC2::Subnet"]) {
        b.subnet(&id, c);
    }
    for (id, _) in kinds(&["AWS::EC2::RouteTable"]) {
        b.route_table(&id);
    }
    for (id, _) in kinds(&[
        "AWS::EC2::InternetGateway",
        "AWS::EC2::EgressOnlyInternetGateway",
    ]) {
        b.gateway(&id);
    }
    for (id, _) in kinds(&["AWS::EC2::NatGateway"]) {
        b.nat_gateway(&id);
    }
    for (id, c) in kinds(&["AWS::EC2::VPCGatewayAttachment"]) {
        b.attachment(&id, c);
    }
    for (id, c) in kinds(&["AWS::EC2::Route"]) {
        b.route(&id, c);
    }
    for (id, _) in kinds(&["AWS::EC2::SubnetRouteTableAssociation"]) {
        b.route_association(&id);
    }
    for (id, c) in kinds(&["AWS::EC2::SecurityGroup"]) {
        b.security_group(&id, c);
    }
    for (id, c) in kinds(&[
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
    ]) {
        b.sg_rule_resource(&id, c);
    }
    for (id, _) in kinds(&["AWS::EC2::NetworkAcl"]) {
        b.network_acl(&id);
    }
    for (id, c) in kinds(&["AWS::EC2::NetworkAclEntry"]) {
        b.nacl_entry(&id, c);
    }
    for (id, _) in kinds(&["AWS::EC2::SubnetNetworkAclAssociation"]) {
        b.nacl_association(&id);
    }
    // Subnets and VPCs the template names only by id, from context files: endpoints in
    // them get AWS's defaults (public addressing, the default group).
    context.seed(&mut b.s, &BTreeMap::new());
    b.endpoints();
    b.s
}

struct Builder<'a, 't, 'w> {
    t: &'a Template<'t>,
    props: &'a BTreeMap<String, Val>,
    warnings: &'w mut Warnings,
    s: Snapshot,
    /// Instances launched with a template network interface as their primary one: the
    /// interface (an endpoint of its own) by instance.
    attached: BTreeMap<String, String>,
}

/// A reference to another object: its key, and how sure.
type Key = (String, Certainty);

impl Builder<'_, '_, '_> {
    fn prop(&self, id: &str, name: &str) -> Option<Val> {
        self.props.get(id).and_then(|p| p.get(name)).cloned()
    }

    fn warn(&mut self, kind: WarningKind, resource: &str, message: impl Into<String>) {
        self.warnings.push(kind, Some(resource), message);
    }

    /// The key a reference names: a template resource's logical id, or the id as
    /// written (`sg-0123…`). Unknown → the `noun`'s placeholder, possible.
    fn key_of(&mut self, resource: &str, what: &str, v: &Val, noun: &str) -> Key {
        match v {
            Val::Res(k) => (k.clone(), Certainty::Definite),
            Val::Str(s) if !s.is_empty() => (s.clone(), Certainty::Definite),
            Val::Either(opts) => {
                let first = opts.iter().find_map(|o| match o {
                    Val::Res(k) => Some(k.clone()),
                    Val::Str(s) => Some(s.clone()),
                    _ => None,
                });
                self.warn(
                    WarningKind::UnresolvedReference,
                    resource,
                    format!("`{what}` depends on a condition that cannot be decided offline; read as {}", first.as_deref().unwrap_or("unknown")),
                );
                (
                    first.unwrap_or_else(|| unknown_key(noun)),
                    Certainty::Possible,
                )
            }
            other => {
                let why = other
                    .unknown_reason()
                    .unwrap_or_else(|| "it is not an id".into());
                self.warn(
                    WarningKind::UnresolvedReference,
                    resource,
                    format!("`{what}` cannot be resolved offline ({why})"),
                );
                (unknown_key(noun), Certainty::Possible)
            }
        }
    }

    /// An optional single reference: `None` when absent.
    fn opt_key(&mut self, id: &str, name: &str, noun: &str) -> Option<Key> {
        let v = self.prop(id, name)?;
        Some(self.key_of(id, name, &v, noun))
    }

    /// A list of references (`SecurityGroupIds`): keys and whether the list is certain.
    fn key_list(&mut self, id: &str, what: &str, v: &Val, noun: &str) -> (Vec<String>, Certainty) {
        let mut keys = Vec::new();
        let mut certainty = Certainty::Definite;
        match v {
            Val::List(items) => {
                for item in items {
                    let (k, c) = self.key_of(id, what, item, noun);
                    keys.push(k);
                    certainty = certainty.max(c);
                }
            }
            other => {
                let (k, c) = self.key_of(id, what, other, noun);
                keys.push(k);
                certainty = certainty.max(c);
            }
        }
        keys.sort();
        keys.dedup();
        (keys, certainty)
    }

    // --- Topology -------------------------------------------------------------------

    fn vpc(&mut self, id: &str) {
        let mut vpc = Vpc {
            key: id.to_owned(),
            main_route_table: Some(format!("{id}.MainRouteTable")),
            default_network_acl: Some(format!("{id}.DefaultNetworkAcl")),
            default_security_group: Some(format!("{id}.DefaultSecurityGroup")),
            ..Vpc::default()
        };
        match self.prop(id, "CidrBlock") {
            Some(v) => match v.text().as_deref().and_then(parse_cidr) {
                Some(IpNet::V4(n)) => vpc.ipv4.push(n.trunc()),
                _ => self.warn(
                    WarningKind::UnknownValue,
                    id,
                    "its CidrBlock is not known offline; flows inside it cannot be placed",
                ),
            },
            None => self.warn(
                WarningKind::UnknownValue,
                id,
                "it has no CidrBlock (an IPAM pool allocates it); flows inside it cannot be placed",
            ),
        }
        // AWS creates the main route table with the local routes only; a template
        // cannot add routes to it.
        self.s.route_tables.insert(
            format!("{id}.MainRouteTable"),
            RouteTable {
                key: format!("{id}.MainRouteTable"),
                vpc: Some(id.to_owned()),
                main: true,
                routes_known: true,
                ..RouteTable::default()
            },
        );
        self.s.vpcs.insert(id.to_owned(), vpc);
    }

    fn vpc_block(&mut self, id: &str) {
        let Some((vpc, _)) = self.opt_key(id, "VpcId", "vpc") else {
            return;
        };
        let block = ["CidrBlock", "Ipv6CidrBlock"]
            .iter()
            .find_map(|p| self.prop(id, p)?.text().as_deref().and_then(parse_cidr));
        if let (Some(v), Some(block)) = (self.s.vpcs.get_mut(&vpc), block) {
            match block {
                IpNet::V4(n) => v.ipv4.push(n.trunc()),
                IpNet::V6(n) => v.ipv6.push(n.trunc()),
            }
        }
    }

    /// Whether a VPC of the template has IPv6: `None` when the VPC is not in it.
    fn vpc_has_ipv6(&self, vpc: Option<&str>) -> Option<bool> {
        let vpc = vpc.filter(|v| self.s.vpcs.contains_key(*v))?;
        let v6 = self.t.resources.iter().any(|(rid, r)| {
            r.kind == "AWS::EC2::VPCCidrBlock"
                && self.prop(rid, "VpcId") == Some(Val::Res(vpc.to_owned()))
                && (self
                    .prop(rid, "AmazonProvidedIpv6CidrBlock")
                    .and_then(|b| b.boolean())
                    == Some(true)
                    || self.prop(rid, "Ipv6CidrBlock").is_some()
                    || self.prop(rid, "Ipv6Pool").is_some())
        });
        Some(v6)
    }

    fn subnet(&mut self, id: &str, _c: Certainty) {
        let vpc = self.opt_key(id, "VpcId", "vpc").map(|k| k.0);
        let cidr = |v: Option<Val>| v.and_then(|v| v.text()).as_deref().and_then(parse_cidr);
        let ipv4 = match cidr(self.prop(id, "CidrBlock")) {
            Some(IpNet::V4(n)) => Some(n.trunc()),
            _ => None,
        };
        let v6 = self.prop(id, "Ipv6CidrBlock");
        let ipv6 = match cidr(v6.clone()) {
            Some(IpNet::V6(n)) => Some(n.trunc()),
            _ => None,
        };
        let map_public_ip = match self.prop(id, "MapPublicIpOnLaunch") {
            None => Tri::No,
            Some(v) => v.boolean().map_or_else(
                || {
                    self.warn(WarningKind::UnknownValue, id, "MapPublicIpOnLaunch is not known offline; instances may get public addresses");
                    Tri::Unknown
                },
                Tri::from_bool,
            ),
        };
        self.s.subnets.insert(
            id.to_owned(),
            Subnet {
                key: id.to_owned(),
                id: None,
                vpc,
                ipv4,
                ipv6,
                has_ipv6: if v6.is_some() { Tri::Yes } else { Tri::No },
                map_public_ip,
            },
        );
    }

    fn route_table(&mut self, id: &str) {
        let vpc = self.opt_key(id, "VpcId", "vpc").map(|k| k.0);
        self.s.route_tables.insert(
            id.to_owned(),
            RouteTable {
                key: id.to_owned(),
                vpc,
                routes_known: true,
                ..RouteTable::default()
            },
        );
    }

    fn gateway(&mut self, id: &str) {
        let egress_only = self.t.resources[id].kind == "AWS::EC2::EgressOnlyInternetGateway";
        let vpc = if egress_only {
            self.opt_key(id, "VpcId", "vpc").map(|k| k.0)
        } else {
            None
        };
        self.s.gateways.insert(
            id.to_owned(),
            Gateway {
                key: id.to_owned(),
                id: None,
                attached: if egress_only { Tri::Yes } else { Tri::No },
                vpc,
                egress_only,
            },
        );
    }

    fn nat_gateway(&mut self, id: &str) {
        let subnet = self.opt_key(id, "SubnetId", "subnet").map(|k| k.0);
        let public = self
            .prop(id, "ConnectivityType")
            .and_then(|v| v.text())
            .as_deref()
            != Some("private");
        self.s.nat_gateways.insert(
            id.to_owned(),
            NatGateway {
                key: id.to_owned(),
                id: None,
                subnet,
                public,
            },
        );
    }

    fn attachment(&mut self, id: &str, c: Certainty) {
        let Some((igw, _)) = self.opt_key(id, "InternetGatewayId", "internet gateway") else {
            return; // A VPN gateway attachment.
        };
        let vpc = self.opt_key(id, "VpcId", "vpc").map(|k| k.0);
        let g = self
            .s
            .gateways
            .entry(igw.clone())
            .or_insert_with(|| Gateway {
                key: igw,
                ..Gateway::default()
            });
        g.vpc = vpc;
        g.attached = if c == Certainty::Definite {
            Tri::Yes
        } else {
            Tri::Unknown
        };
    }

    fn route(&mut self, id: &str, c: Certainty) {
        let Some((table, _)) = self.opt_key(id, "RouteTableId", "route table") else {
            self.warn(
                WarningKind::InvalidRule,
                id,
                "the route names no RouteTableId; it is ignored",
            );
            return;
        };
        let mut certainty = c;
        let destination = ["DestinationCidrBlock", "DestinationIpv6CidrBlock"]
            .iter()
            .find_map(|p| self.prop(id, p)?.text().as_deref().and_then(parse_cidr))
            .map(|n| RouteDestination::Cidr(n.trunc()))
            .or_else(|| {
                let pl = self.prop(id, "DestinationPrefixListId")?;
                Some(RouteDestination::PrefixList(
                    self.key_of(id, "DestinationPrefixListId", &pl, "prefix list")
                        .0,
                ))
            })
            .unwrap_or_else(|| {
                certainty = Certainty::Possible;
                RouteDestination::Unknown
            });
        if destination == RouteDestination::Unknown {
            self.warn(
                WarningKind::UnknownValue,
                id,
                "the route's destination is not known offline; treated as possibly any",
            );
        }
        let fields = [
            ("GatewayId", "gateway"),
            ("EgressOnlyInternetGatewayId", "egress-only-gateway"),
            ("NatGatewayId", "nat-gateway"),
            ("TransitGatewayId", "transit-gateway"),
            ("VpcPeeringConnectionId", "peering"),
            ("VpcEndpointId", "vpc-endpoint"),
            ("NetworkInterfaceId", "network-interface"),
            ("InstanceId", "instance"),
            ("CarrierGatewayId", "carrier-gateway"),
            ("LocalGatewayId", "local-gateway"),
            ("CoreNetworkArn", "core-network"),
        ];
        let mut target = None;
        for (field, kind) in fields {
            let Some(v) = self.prop(id, field) else {
                continue;
            };
            let (key, c) = self.key_of(id, field, &v, kind);
            certainty = certainty.max(c);
            let is_kind = |k: &str| self.t.resources.get(&key).is_some_and(|r| r.kind == k);
            target = Some(match field {
                _ if c == Certainty::Possible => RouteTarget::Unknown,
                "GatewayId" if key == "local" => RouteTarget::Local,
                "GatewayId" if key.starts_with("igw-") || is_kind("AWS::EC2::InternetGateway") => {
                    RouteTarget::InternetGateway(key)
                }
                "EgressOnlyInternetGatewayId" => RouteTarget::EgressOnlyInternetGateway(key),
                "NatGatewayId" => RouteTarget::NatGateway(key),
                _ => RouteTarget::Network(format!("{kind}:{key}")),
            });
            break;
        }
        let target = target.unwrap_or_else(|| {
            certainty = Certainty::Possible;
            RouteTarget::Unknown
        });
        let route = Route {
            destination,
            target,
            certainty,
            origin: Origin::new(id, ""),
        };
        let t = self
            .s
            .route_tables
            .entry(table.clone())
            .or_insert_with(|| RouteTable {
                key: table,
                ..RouteTable::default()
            });
        t.routes.push(route);
    }

    fn route_association(&mut self, id: &str) {
        let (Some((table, _)), Some((subnet, _))) = (
            self.opt_key(id, "RouteTableId", "route table"),
            self.opt_key(id, "SubnetId", "subnet"),
        ) else {
            return;
        };
        if let Some(t) = self.s.route_tables.get_mut(&table) {
            t.associations.push((subnet.clone(), id.to_owned()));
            t.subnets.push(subnet);
        }
    }

    // --- Security groups ------------------------------------------------------------

    fn security_group(&mut self, id: &str, c: Certainty) {
        let vpc = self.opt_key(id, "VpcId", "vpc").map(|k| k.0);
        let mut group = SecurityGroup::new(id);
        group.vpc.clone_from(&vpc);
        group.managed = true;
        group.tags = self.tags(id);
        for (dir, prop) in [
            (Direction::Ingress, "SecurityGroupIngress"),
            (Direction::Egress, "SecurityGroupEgress"),
        ] {
            let value = self.prop(id, prop).unwrap_or(Val::List(Vec::new()));
            let (alts, fork) = value.alternatives();
            if fork == Certainty::Possible {
                self.warn(
                    WarningKind::UnknownValue,
                    id,
                    format!("`{prop}` depends on a condition that cannot be decided offline; every variant is possible"),
                );
            }
            for alt in alts {
                let certainty = c.max(fork);
                let items = match alt {
                    Val::List(items) => items,
                    // `!If [cond, [rules], !Ref AWS::NoValue]`: in that variant the
                    // property is absent (no rules; AWS's default egress).
                    Val::Null | Val::NoValue => Vec::new(),
                    other => vec![other],
                };
                if dir == Direction::Egress && items.is_empty() {
                    group
                        .rules
                        .extend(self.default_egress(id, vpc.as_deref(), certainty));
                }
                for (n, item) in items.iter().enumerate() {
                    let origin = Origin::new(id, format!("{prop}[{n}]"));
                    let rules = self.sg_rules(id, dir, item, certainty, origin);
                    group.rules.extend(rules);
                }
            }
        }
        self.s.security_groups.insert(id.to_owned(), group);
    }

    /// AWS's allow-all egress, which `CloudFormation` keeps unless the group declares
    /// egress rules: to `0.0.0.0/0`, and to `::/0` when the VPC has IPv6 (possible when
    /// the VPC is not in the template).
    fn default_egress(&self, id: &str, vpc: Option<&str>, c: Certainty) -> Vec<SgRule> {
        let mut rules = vec![SgRule {
            direction: Direction::Egress,
            services: ServiceSet::all(),
            peers: PeerSet::from_v4(RangeSet::full()),
            certainty: c,
            origin: Origin::new(id, "AWS default egress to 0.0.0.0/0"),
        }];
        let v6 = self.vpc_has_ipv6(vpc);
        if v6 != Some(false) {
            rules.push(SgRule {
                direction: Direction::Egress,
                services: ServiceSet::all(),
                peers: PeerSet::from_v6(RangeSet::full()),
                certainty: if v6 == Some(true) {
                    c
                } else {
                    Certainty::Possible
                },
                origin: Origin::new(id, "AWS default egress to ::/0"),
            });
        }
        rules
    }

    fn sg_rule_resource(&mut self, id: &str, c: Certainty) {
        let dir = if self.t.resources[id].kind.ends_with("Ingress") {
            Direction::Ingress
        } else {
            Direction::Egress
        };
        let owner = self
            .opt_key(id, "GroupId", "security group")
            .or_else(|| self.opt_key(id, "GroupName", "security group"));
        let Some((owner, oc)) = owner else {
            self.warn(
                WarningKind::InvalidRule,
                id,
                "the rule names no GroupId or GroupName; it is ignored",
            );
            return;
        };
        let props = self.props.get(id).cloned().unwrap_or(Val::Null);
        let (alts, fork) = props.alternatives();
        let mut rules = Vec::new();
        for alt in alts {
            rules.extend(self.sg_rules(id, dir, &alt, c.max(oc).max(fork), Origin::new(id, "")));
        }
        let vpc = self
            .s
            .vpcs
            .keys()
            .find(|v| owner == format!("{v}.DefaultSecurityGroup"))
            .cloned();
        let group = self
            .s
            .security_groups
            .entry(owner.clone())
            .or_insert_with(|| {
                let mut g = SecurityGroup::new(owner.clone());
                if owner.starts_with("sg-") {
                    g.id = Some(owner.clone());
                }
                g
            });
        if let Some(vpc) = vpc
            && !group.managed
        {
            // A VPC of the template brings its default group with AWS's rules.
            group.managed = true;
            group.is_default = true;
            group.vpc = Some(vpc.clone());
            let me = PeerSet::from_principal(Principal::SecurityGroup(owner.clone()));
            group.rules.push(SgRule {
                direction: Direction::Ingress,
                services: ServiceSet::all(),
                peers: me,
                certainty: Certainty::Definite,
                origin: Origin::new(&owner, "AWS default ingress from itself"),
            });
            group.rules.push(SgRule {
                direction: Direction::Egress,
                services: ServiceSet::all(),
                peers: PeerSet::from_v4(RangeSet::full()),
                certainty: Certainty::Definite,
                origin: Origin::new(&owner, "AWS default egress to 0.0.0.0/0"),
            });
        }
        group.rules.extend(rules);
    }

    /// The rules of one rule object (inline item or standalone resource): one rule for
    /// its one remote party.
    fn sg_rules(
        &mut self,
        res: &str,
        dir: Direction,
        item: &Val,
        c: Certainty,
        origin: Origin,
    ) -> Vec<SgRule> {
        let scope = if origin.rule.is_empty() {
            String::new()
        } else {
            format!("{}: ", origin.rule)
        };
        if !matches!(item, Val::Map(_)) {
            let why = item
                .unknown_reason()
                .unwrap_or_else(|| "it is not a rule object".into());
            self.warn(
                WarningKind::UnknownValue,
                res,
                format!("{scope}the rule cannot be read offline ({why}); treated as possibly allowing all traffic"),
            );
            let peers = PeerSet {
                principals: [Principal::SecurityGroup(Principal::UNKNOWN.to_owned())].into(),
                ..PeerSet::all_addresses()
            };
            return vec![SgRule {
                direction: dir,
                services: ServiceSet::all(),
                peers,
                certainty: Certainty::Possible,
                origin,
            }];
        }
        let (services, sc) = self.services(
            res,
            &scope,
            item.get("IpProtocol"),
            item.get("FromPort"),
            item.get("ToPort"),
            None,
        );
        let fields: &[(&str, u8)] = match dir {
            Direction::Ingress => &[
                ("CidrIp", 4),
                ("CidrIpv6", 6),
                ("SourceSecurityGroupId", 0),
                ("SourceSecurityGroupName", 0),
                ("SourcePrefixListId", 1),
            ],
            Direction::Egress => &[
                ("CidrIp", 4),
                ("CidrIpv6", 6),
                ("DestinationSecurityGroupId", 0),
                ("DestinationPrefixListId", 1),
            ],
        };
        let mut out = Vec::new();
        for (field, kind) in fields {
            let Some(v) = item.get(field) else { continue };
            let (peers, pc) = match kind {
                4 | 6 => self.cidr_peers(res, &scope, v, *kind == 4),
                _ => {
                    let noun = if *kind == 0 {
                        "security group"
                    } else {
                        "prefix list"
                    };
                    let (key, pc) = self.key_of(res, &format!("{scope}{field}"), v, noun);
                    let name = if pc == Certainty::Possible {
                        Principal::UNKNOWN.to_owned()
                    } else {
                        key
                    };
                    let p = if *kind == 0 {
                        Principal::SecurityGroup(name)
                    } else {
                        Principal::PrefixList(name)
                    };
                    (PeerSet::from_principal(p), pc)
                }
            };
            out.push(SgRule {
                direction: dir,
                services: services.clone(),
                peers,
                certainty: c.max(sc).max(pc),
                origin: origin.clone(),
            });
        }
        if out.is_empty() {
            self.warn(
                WarningKind::InvalidRule,
                res,
                format!("{scope}the rule names no source or destination; it allows nothing"),
            );
        }
        out
    }

    fn cidr_peers(&mut self, res: &str, scope: &str, v: &Val, v4: bool) -> (PeerSet, Certainty) {
        let family = if v4 { "IPv4" } else { "IPv6" };
        let whole = if v4 {
            PeerSet::from_v4(RangeSet::full())
        } else {
            PeerSet::from_v6(RangeSet::full())
        };
        let net = v.text().as_deref().and_then(parse_cidr);
        if let Some(network) = net.and_then(crate::model::host_bits_set) {
            // The AWS API masks such a block (cfn-lint flags it): read it as AWS does.
            self.warn(
                WarningKind::InvalidRule,
                res,
                format!(
                    "{scope}{:?} has host bits set beyond its prefix; AWS reads it as {network}, and so does reachdiff",
                    v.text().unwrap_or_default()
                ),
            );
        }
        match net {
            Some(IpNet::V4(n)) if v4 => (PeerSet::from_v4(v4_block(n)), Certainty::Definite),
            Some(IpNet::V6(n)) if !v4 => (PeerSet::from_v6(v6_block(n)), Certainty::Definite),
            _ => {
                let why = v.unknown_reason().map_or_else(
                    || {
                        format!(
                            "{:?} is not an {family} CIDR block",
                            v.text().unwrap_or_default()
                        )
                    },
                    |r| format!("it is not known offline: {r}"),
                );
                self.warn(
                    if v.unknown_reason().is_some() { WarningKind::UnknownValue } else { WarningKind::InvalidRule },
                    res,
                    format!("{scope}the {family} CIDR cannot be read ({why}); treated as possibly any {family} address"),
                );
                (whole, Certainty::Possible)
            }
        }
    }

    /// The services of a rule: protocol and ports (security groups) or ICMP type and
    /// code (`icmp`, network ACL entries only).
    fn services(
        &mut self,
        res: &str,
        scope: &str,
        protocol: Option<&Val>,
        from: Option<&Val>,
        to: Option<&Val>,
        nacl: Option<(Option<&Val>, Option<&Val>, bool)>,
    ) -> (ServiceSet, Certainty) {
        let text = protocol.and_then(Val::text);
        let Some(p) = text.as_deref().and_then(Protocol::parse) else {
            let why = protocol.and_then(Val::unknown_reason).unwrap_or_else(|| {
                format!(
                    "{:?} is not a protocol AWS accepts",
                    text.unwrap_or_default()
                )
            });
            self.warn(
                WarningKind::UnknownValue,
                res,
                format!(
                    "{scope}the protocol cannot be read ({why}); treated as possibly all traffic"
                ),
            );
            return (ServiceSet::all(), Certainty::Possible);
        };
        let whole = match p {
            Protocol::All => ServiceSet::all(),
            Protocol::Number(n) => ServiceSet::protocol(n),
        };
        let mut unknown = None;
        let mut num = |v: Option<&Val>| -> Option<i64> {
            let v = v?;
            let n = v.int();
            if n.is_none() {
                unknown = Some(v.unknown_reason().unwrap_or_else(|| {
                    format!("{:?} is not a number", v.text().unwrap_or_default())
                }));
            }
            n
        };
        let result = match nacl {
            None => {
                let (f, t) = (num(from), num(to));
                unknown.is_none().then(|| sg_services(p, f, t))
            }
            Some((icmp_type, icmp_code, v4)) => {
                let (f, t, it, ic) = (num(from), num(to), num(icmp_type), num(icmp_code));
                unknown
                    .is_none()
                    .then(|| nacl_services(p, f, t, it, ic, v4))
            }
        };
        match result {
            Some(Ok(s)) => (s, Certainty::Definite),
            Some(Err(msg)) => {
                self.warn(
                    WarningKind::InvalidRule,
                    res,
                    format!("{scope}{msg}; treated as possibly the whole protocol"),
                );
                (whole, Certainty::Possible)
            }
            None => {
                self.warn(
                    WarningKind::UnknownValue,
                    res,
                    format!(
                        "{scope}the ports cannot be read ({}); treated as possibly every port",
                        unknown.unwrap_or_default()
                    ),
                );
                (whole, Certainty::Possible)
            }
        }
    }

    // --- Network ACLs ---------------------------------------------------------------

    fn network_acl(&mut self, id: &str) {
        let vpc = self.opt_key(id, "VpcId", "vpc").map(|k| k.0);
        let mut acl = NetworkAcl::new(id);
        acl.vpc = vpc;
        acl.managed = true;
        acl.tags = self.tags(id);
        self.s.network_acls.insert(id.to_owned(), acl);
    }

    fn acl_slot(&mut self, key: &str) -> &mut NetworkAcl {
        let vpc = self
            .s
            .vpcs
            .keys()
            .find(|v| key == format!("{v}.DefaultNetworkAcl"))
            .cloned();
        let v6 = self.vpc_has_ipv6(vpc.as_deref());
        self.s
            .network_acls
            .entry(key.to_owned())
            .or_insert_with(|| {
                let mut acl = NetworkAcl::new(key);
                if key.starts_with("acl-") {
                    acl.id = Some(key.to_owned());
                }
                if let Some(vpc) = vpc {
                    // A VPC of the template brings its default ACL: rule 100 allows all
                    // IPv4 (and rule 101 all IPv6 when the VPC has IPv6) each way.
                    acl.managed = true;
                    acl.is_default = true;
                    acl.vpc = Some(vpc);
                    for direction in Direction::BOTH {
                        for (n, v4) in [(100, true), (101, false)] {
                            if !v4 && v6 != Some(true) {
                                continue;
                            }
                            acl.rules.push(NaclRule {
                                direction,
                                number: Some(n),
                                action: Some(Action::Allow),
                                services: ServiceSet::all(),
                                peers: if v4 {
                                    PeerSet::from_v4(RangeSet::full())
                                } else {
                                    PeerSet::from_v6(RangeSet::full())
                                },
                                certainty: Certainty::Definite,
                                origin: Origin::new(
                                    key,
                                    format!("AWS default {direction} rule {n}"),
                                ),
                            });
                        }
                    }
                }
                acl
            })
    }

    fn nacl_entry(&mut self, id: &str, c: Certainty) {
        let Some((acl, ac)) = self.opt_key(id, "NetworkAclId", "network acl") else {
            self.warn(
                WarningKind::InvalidRule,
                id,
                "the entry names no NetworkAclId; it is ignored",
            );
            return;
        };
        let props = self.props.get(id).cloned().unwrap_or(Val::Null);
        let (alts, fork) = props.alternatives();
        let mut rules = Vec::new();
        for e in alts {
            let mut certainty = c.max(ac).max(fork);
            let direction = match e.get("Egress").map(Val::boolean) {
                None | Some(Some(false)) => Direction::Ingress,
                Some(Some(true)) => Direction::Egress,
                Some(None) => {
                    self.warn(
                        WarningKind::UnknownValue,
                        id,
                        "`Egress` is not known offline; the entry is read as inbound",
                    );
                    certainty = Certainty::Possible;
                    Direction::Ingress
                }
            };
            let number = e
                .get("RuleNumber")
                .and_then(Val::int)
                .and_then(|n| u32::try_from(n).ok());
            if number.is_none() {
                certainty = Certainty::Possible;
                self.warn(
                    WarningKind::UnknownValue,
                    id,
                    "the rule number is not known offline",
                );
            }
            let action = e
                .get("RuleAction")
                .and_then(Val::text)
                .as_deref()
                .and_then(Action::parse);
            if action.is_none() {
                certainty = Certainty::Possible;
                self.warn(
                    WarningKind::UnknownValue,
                    id,
                    "the rule action is not known offline",
                );
            }
            let (peers, pc) = match (e.get("CidrBlock"), e.get("Ipv6CidrBlock")) {
                (Some(v), _) => self.cidr_peers(id, "", v, true),
                (None, Some(v)) => self.cidr_peers(id, "", v, false),
                (None, None) => {
                    self.warn(WarningKind::InvalidRule, id, "the entry names no CidrBlock or Ipv6CidrBlock; treated as possibly any address");
                    (PeerSet::all_addresses(), Certainty::Possible)
                }
            };
            let v4 = e.get("Ipv6CidrBlock").is_none();
            let ports = e.get("PortRange");
            let icmp = e.get("Icmp");
            let (services, sc) = self.services(
                id,
                "",
                e.get("Protocol"),
                ports.and_then(|p| p.get("From")),
                ports.and_then(|p| p.get("To")),
                Some((
                    icmp.and_then(|i| i.get("Type")),
                    icmp.and_then(|i| i.get("Code")),
                    v4,
                )),
            );
            rules.push(NaclRule {
                direction,
                number,
                action,
                services,
                peers,
                certainty: certainty.max(pc).max(sc),
                origin: Origin::new(id, ""),
            });
        }
        self.acl_slot(&acl).rules.extend(rules);
    }

    fn nacl_association(&mut self, id: &str) {
        let (Some((acl, _)), Some((subnet, _))) = (
            self.opt_key(id, "NetworkAclId", "network acl"),
            self.opt_key(id, "SubnetId", "subnet"),
        ) else {
            return;
        };
        self.acl_slot(&acl).subnets.push(subnet);
    }

    fn tags(&self, id: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(Val::List(items)) = self.prop(id, "Tags") {
            for t in items {
                if let (Some(k), Some(v)) = (
                    t.get("Key").and_then(Val::text),
                    t.get("Value").and_then(Val::text),
                ) {
                    out.insert(k, v);
                }
            }
        }
        out
    }
}
