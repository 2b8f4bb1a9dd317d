//! `aws ec2 describe-…` outputs → id-keyed model objects.
//!
//! Field names and meanings are the EC2 API's (`IpPermission`, `NetworkAclEntry`,
//! `Route`, `Subnet`, `Vpc`, `InternetGateway`, `Instance`, `ManagedPrefixList`).
//! Security-group rules are split into one rule per source or destination, as AWS
//! stores them (each is a security-group rule `sgr-…` of its own), so that a rule the
//! input manages can be told apart from the rest of the group. Network-ACL entries
//! 32767 and 32768 are the implicit final deny, which the model applies anyway. A
//! table's local routes are left out (the model derives them from the VPC's blocks)
//! but tell the VPC's blocks when no `describe-vpcs` is given.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use serde::Deserialize;
use serde_json::Value;

use super::{Piece, Rank};
use crate::error::ErrorKind;
use crate::header_space::{
    PeerSet, Principal, RangeSet, ServiceSet, parse_cidr, v4_block, v6_block,
};
use crate::model::{
    Action, Certainty, Direction, Endpoint, EndpointKind, Gateway, Interface, NaclRule, NetworkAcl,
    Origin, PrefixList, Protocol, Route, RouteDestination, RouteTable, RouteTarget, SecurityGroup,
    SgRule, Subnet, Tri, nacl_services, sg_services,
};

/// Reads the recognised `keys` of one describe output (or of several merged into one
/// object): the AWS description, and the VPC blocks implied by local routes.
pub(super) fn read(
    top: &serde_json::Map<String, Value>,
    keys: &[&str],
    label: &str,
) -> Result<Vec<Piece>, ErrorKind> {
    let mut p = Piece::new(label, Rank::Describe);
    let mut derived = Piece::new(label, Rank::Derived);
    for key in keys {
        let value = top.get(*key).cloned().unwrap_or(Value::Null);
        let bad = |e: serde_json::Error| {
            ErrorKind::Context(format!(
                "`{key}` is not what aws ec2 writes there ({e}); give the unedited JSON of the command (`--output json`)"
            ))
        };
        match *key {
            "SecurityGroups" => {
                for g in list::<RawGroup>(value).map_err(bad)? {
                    group(&mut p, &g);
                }
            }
            "NetworkAcls" => {
                for a in list::<RawAcl>(value).map_err(bad)? {
                    acl(&mut p, &a);
                }
            }
            "RouteTables" => {
                for t in list::<RawTable>(value).map_err(bad)? {
                    table(&mut p, &mut derived, &t);
                }
            }
            "Subnets" => {
                for s in list::<RawSubnet>(value).map_err(bad)? {
                    subnet(&mut p, &s);
                }
            }
            "Vpcs" => {
                for v in list::<RawVpc>(value).map_err(bad)? {
                    vpc(&mut p, &v);
                }
            }
            "InternetGateways" => {
                for g in list::<RawGateway>(value).map_err(bad)? {
                    gateway(&mut p, &g);
                }
            }
            "Reservations" => {
                for r in list::<RawReservation>(value).map_err(bad)? {
                    for i in &r.instances {
                        instance(&mut p, i);
                    }
                }
            }
            "PrefixLists" => {
                for l in list::<RawPrefixList>(value).map_err(bad)? {
                    prefix_list(&mut p, &l);
                }
            }
            _ => {}
        }
    }
    Ok(vec![p, derived])
}

fn list<T: for<'de> Deserialize<'de>>(value: Value) -> Result<Vec<T>, serde_json::Error> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    serde_json::from_value(value)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Tag {
    key: String,
    value: String,
}

fn tags(t: &[Tag]) -> std::collections::BTreeMap<String, String> {
    t.iter().map(|t| (t.key.clone(), t.value.clone())).collect()
}

// --- Security groups -------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawGroup {
    group_id: String,
    group_name: String,
    vpc_id: Option<String>,
    owner_id: Option<String>,
    ip_permissions: Vec<RawPermission>,
    ip_permissions_egress: Vec<RawPermission>,
    tags: Vec<Tag>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawPermission {
    ip_protocol: String,
    from_port: Option<i64>,
    to_port: Option<i64>,
    ip_ranges: Vec<RawRange>,
    ipv6_ranges: Vec<RawRange>,
    prefix_list_ids: Vec<RawPrefixListId>,
    user_id_group_pairs: Vec<RawPair>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRange {
    #[serde(rename = "CidrIp")]
    cidr_ip: Option<String>,
    #[serde(rename = "CidrIpv6")]
    cidr_ipv6: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawPrefixListId {
    prefix_list_id: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawPair {
    group_id: String,
    user_id: Option<String>,
}

fn group(p: &mut Piece, g: &RawGroup) {
    if g.group_id.is_empty() {
        return;
    }
    let id = g.group_id.clone();
    let mut out = SecurityGroup::new(&id);
    out.id = Some(id.clone());
    out.vpc.clone_from(&g.vpc_id);
    out.is_default = g.group_name == "default";
    out.from_context = true;
    out.tags = tags(&g.tags);
    for (direction, perms) in [
        (Direction::Ingress, &g.ip_permissions),
        (Direction::Egress, &g.ip_permissions_egress),
    ] {
        for (n, perm) in perms.iter().enumerate() {
            let rules = permission(p, g, direction, n, perm);
            out.rules.extend(rules);
        }
    }
    if out.is_default
        && let Some(vpc) = &g.vpc_id
    {
        p.vpc(vpc).default_security_group = Some(id.clone());
    }
    p.s.security_groups.insert(id, out);
}

/// One `IpPermission` as rules, one per peer.
fn permission(
    p: &mut Piece,
    g: &RawGroup,
    direction: Direction,
    n: usize,
    perm: &RawPermission,
) -> Vec<SgRule> {
    let label = format!("{direction}[{n}]");
    let (services, mut certainty) = services(p, &g.group_id, &label, &perm.ip_protocol, |x| {
        sg_services(x, perm.from_port, perm.to_port)
    });
    let mut peers: Vec<PeerSet> = Vec::new();
    for r in &perm.ip_ranges {
        peers.push(cidr(p, &g.group_id, r.cidr_ip.as_deref(), &mut certainty));
    }
    for r in &perm.ipv6_ranges {
        peers.push(cidr(p, &g.group_id, r.cidr_ipv6.as_deref(), &mut certainty));
    }
    for l in &perm.prefix_list_ids {
        peers.push(PeerSet::from_principal(Principal::PrefixList(
            l.prefix_list_id.clone(),
        )));
    }
    for pair in &perm.user_id_group_pairs {
        // Another account's group is written `account/sg-…`, as Terraform does.
        let name = match (&pair.user_id, &g.owner_id) {
            (Some(user), Some(owner)) if user != owner => format!("{user}/{}", pair.group_id),
            _ => pair.group_id.clone(),
        };
        peers.push(PeerSet::from_principal(Principal::SecurityGroup(name)));
    }
    let origin = Origin::new(&g.group_id, label);
    peers
        .into_iter()
        .filter(|x| !x.is_empty())
        .map(|peers| SgRule {
            direction,
            services: services.clone(),
            peers,
            certainty,
            origin: origin.clone(),
        })
        .collect()
}

/// The services of a protocol as AWS writes it, through `read` (the rule kind's port
/// conventions). What does not read widens — to the protocol, or to all traffic — as a
/// possible rule, with a note.
fn services(
    p: &mut Piece,
    id: &str,
    label: &str,
    protocol: &str,
    read: impl Fn(Protocol) -> Result<ServiceSet, String>,
) -> (ServiceSet, Certainty) {
    let Some(x) = Protocol::parse(protocol) else {
        p.note(
            id,
            format!("{label}: protocol {protocol:?} is not one reachdiff reads; read as all traffic, possible"),
        );
        return (ServiceSet::all(), Certainty::Possible);
    };
    match read(x) {
        Ok(s) => (s, Certainty::Definite),
        Err(why) => {
            p.note(
                id,
                format!("{label}: {why}; read as the whole protocol, possible"),
            );
            let widened = match x {
                Protocol::All => ServiceSet::all(),
                Protocol::Number(n) => ServiceSet::protocol(n),
            };
            (widened, Certainty::Possible)
        }
    }
}

/// The addresses of a CIDR written by AWS; one that does not parse widens to its whole
/// family, as a possible rule.
fn cidr(p: &mut Piece, id: &str, text: Option<&str>, certainty: &mut Certainty) -> PeerSet {
    match text.and_then(parse_cidr).map(|n| n.trunc()) {
        Some(IpNet::V4(n)) => PeerSet::from_v4(v4_block(n)),
        Some(IpNet::V6(n)) => PeerSet::from_v6(v6_block(n)),
        None => {
            p.note(
                id,
                format!(
                    "CIDR {text:?} does not parse; read as every address of its family, possible"
                ),
            );
            *certainty = Certainty::Possible;
            if text.is_some_and(|t| t.contains(':')) {
                PeerSet::from_v6(RangeSet::full())
            } else {
                PeerSet::from_v4(RangeSet::full())
            }
        }
    }
}

// --- Network ACLs ----------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawAcl {
    network_acl_id: String,
    vpc_id: Option<String>,
    is_default: bool,
    associations: Vec<RawAclAssociation>,
    entries: Vec<RawEntry>,
    tags: Vec<Tag>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawAclAssociation {
    subnet_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawEntry {
    rule_number: i64,
    protocol: String,
    rule_action: String,
    egress: bool,
    cidr_block: Option<String>,
    ipv6_cidr_block: Option<String>,
    port_range: Option<RawPortRange>,
    icmp_type_code: Option<RawIcmp>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawPortRange {
    from: Option<i64>,
    to: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawIcmp {
    #[serde(rename = "Type")]
    kind: Option<i64>,
    code: Option<i64>,
}

/// The implicit final deny: listed by the API as 32767 (IPv4) and 32768 (IPv6).
const IMPLICIT_DENY: i64 = 32767;

fn acl(p: &mut Piece, a: &RawAcl) {
    if a.network_acl_id.is_empty() {
        return;
    }
    let id = a.network_acl_id.clone();
    let mut out = NetworkAcl::new(&id);
    out.id = Some(id.clone());
    out.vpc.clone_from(&a.vpc_id);
    out.is_default = a.is_default;
    out.from_context = true;
    out.tags = tags(&a.tags);
    out.subnets = a
        .associations
        .iter()
        .filter_map(|x| x.subnet_id.clone())
        .collect();
    out.subnets.sort();
    out.subnets.dedup();
    for e in a.entries.iter().filter(|e| e.rule_number < IMPLICIT_DENY) {
        out.rules.push(entry(p, &id, e));
    }
    if a.is_default
        && let Some(vpc) = &a.vpc_id
    {
        p.vpc(vpc).default_network_acl = Some(id.clone());
    }
    p.s.network_acls.insert(id, out);
}

fn entry(p: &mut Piece, id: &str, e: &RawEntry) -> NaclRule {
    let direction = if e.egress {
        Direction::Egress
    } else {
        Direction::Ingress
    };
    let label = format!("{direction} rule {}", e.rule_number);
    let mut certainty = Certainty::Definite;
    let peers = cidr(
        p,
        id,
        e.cidr_block.as_deref().or(e.ipv6_cidr_block.as_deref()),
        &mut certainty,
    );
    let ports = e.port_range.as_ref();
    let icmp = e.icmp_type_code.as_ref();
    let (services, c) = services(p, id, &label, &e.protocol, |x| {
        nacl_services(
            x,
            ports.and_then(|r| r.from),
            ports.and_then(|r| r.to),
            icmp.and_then(|i| i.kind),
            icmp.and_then(|i| i.code),
            e.cidr_block.is_some(),
        )
    });
    certainty = certainty.max(c);
    let action = Action::parse(&e.rule_action);
    if action.is_none() {
        p.note(
            id,
            format!(
                "{label}: action {:?} is neither allow nor deny; read as unknown",
                e.rule_action
            ),
        );
    }
    NaclRule {
        direction,
        number: u32::try_from(e.rule_number).ok(),
        action,
        services,
        peers,
        certainty,
        origin: Origin::new(id, label),
    }
}

// --- Route tables ----------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawTable {
    route_table_id: String,
    vpc_id: Option<String>,
    routes: Vec<RawRoute>,
    associations: Vec<RawTableAssociation>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawRoute {
    destination_cidr_block: Option<String>,
    destination_ipv6_cidr_block: Option<String>,
    destination_prefix_list_id: Option<String>,
    gateway_id: Option<String>,
    egress_only_internet_gateway_id: Option<String>,
    nat_gateway_id: Option<String>,
    transit_gateway_id: Option<String>,
    vpc_peering_connection_id: Option<String>,
    network_interface_id: Option<String>,
    instance_id: Option<String>,
    carrier_gateway_id: Option<String>,
    local_gateway_id: Option<String>,
    core_network_arn: Option<String>,
    state: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawTableAssociation {
    main: bool,
    subnet_id: Option<String>,
    gateway_id: Option<String>,
    association_state: Option<RawState>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawState {
    state: Option<String>,
}

/// `associated` (or no state given).
fn associated(s: Option<&RawState>) -> bool {
    s.and_then(|s| s.state.as_deref())
        .is_none_or(|x| x == "associated")
}

fn table(p: &mut Piece, derived: &mut Piece, t: &RawTable) {
    if t.route_table_id.is_empty() {
        return;
    }
    let id = t.route_table_id.clone();
    let mut out = RouteTable {
        key: id.clone(),
        id: Some(id.clone()),
        vpc: t.vpc_id.clone(),
        routes_known: true,
        ..RouteTable::default()
    };
    for a in t
        .associations
        .iter()
        .filter(|a| associated(a.association_state.as_ref()))
    {
        if a.main {
            out.main = true;
        }
        if let Some(s) = &a.subnet_id {
            out.subnets.push(s.clone());
        }
        if let Some(g) = &a.gateway_id {
            p.note(
                &id,
                format!("it is associated with gateway {g} (ingress routing to an appliance), which reachdiff does not model"),
            );
        }
    }
    out.subnets.sort();
    out.subnets.dedup();
    for r in &t.routes {
        if r.gateway_id.as_deref() == Some("local") {
            // The VPC's own blocks.
            if let (Some(vpc), Some(net)) = (&t.vpc_id, route_destination(r)) {
                let v = derived.vpc(vpc);
                match net {
                    IpNet::V4(n) => v.ipv4.push(n),
                    IpNet::V6(n) => v.ipv6.push(n),
                }
            }
            continue;
        }
        out.routes.push(route(p, &id, r));
    }
    if out.main
        && let Some(vpc) = &t.vpc_id
    {
        p.vpc(vpc).main_route_table = Some(id.clone());
    }
    p.s.route_tables.insert(id, out);
}

fn route_destination(r: &RawRoute) -> Option<IpNet> {
    r.destination_cidr_block
        .as_deref()
        .or(r.destination_ipv6_cidr_block.as_deref())
        .and_then(parse_cidr)
        .map(|n| n.trunc())
}

fn route(p: &mut Piece, id: &str, r: &RawRoute) -> Route {
    let mut certainty = Certainty::Definite;
    let destination = match (route_destination(r), &r.destination_prefix_list_id) {
        (Some(n), _) => RouteDestination::Cidr(n),
        (None, Some(pl)) => RouteDestination::PrefixList(pl.clone()),
        (None, None) => {
            p.note(
                id,
                "a route has no destination reachdiff reads; read as any address, possible",
            );
            certainty = Certainty::Possible;
            RouteDestination::Unknown
        }
    };
    let label = match &destination {
        RouteDestination::Cidr(n) => format!("route {n}"),
        RouteDestination::PrefixList(pl) => format!("route {pl}"),
        RouteDestination::Unknown => "route".to_owned(),
    };
    let network = |kind: &str, v: &str| RouteTarget::Network(format!("{kind}:{v}"));
    let target = if r.state.as_deref() == Some("blackhole") {
        // The target is gone: AWS drops the traffic.
        RouteTarget::Blackhole
    } else if let Some(g) = &r.gateway_id {
        if g.starts_with("igw-") {
            RouteTarget::InternetGateway(g.clone())
        } else if g.starts_with("vpce-") {
            // A gateway endpoint (S3, DynamoDB): named as a plan names `vpc_endpoint_id`.
            network("vpc-endpoint", g)
        } else {
            network("gateway", g)
        }
    } else if let Some(g) = &r.egress_only_internet_gateway_id {
        RouteTarget::EgressOnlyInternetGateway(g.clone())
    } else if let Some(g) = &r.nat_gateway_id {
        RouteTarget::NatGateway(g.clone())
    } else if let Some(g) = &r.transit_gateway_id {
        network("transit-gateway", g)
    } else if let Some(g) = &r.vpc_peering_connection_id {
        network("peering", g)
    } else if let Some(g) = &r.network_interface_id {
        network("network-interface", g)
    } else if let Some(g) = &r.instance_id {
        network("instance", g)
    } else if let Some(g) = &r.carrier_gateway_id {
        network("carrier-gateway", g)
    } else if let Some(g) = &r.local_gateway_id {
        network("local-gateway", g)
    } else if let Some(g) = &r.core_network_arn {
        network("core-network", g)
    } else {
        p.note(
            id,
            format!("{label} has no target reachdiff recognises; treated as leaving the VPC to an unknown network"),
        );
        certainty = Certainty::Possible;
        RouteTarget::Unknown
    };
    Route {
        destination,
        target,
        certainty,
        origin: Origin::new(id, label),
    }
}

// --- Subnets, VPCs, gateways -----------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawSubnet {
    subnet_id: String,
    vpc_id: Option<String>,
    cidr_block: Option<String>,
    ipv6_cidr_block_association_set: Vec<RawV6Association>,
    map_public_ip_on_launch: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawV6Association {
    ipv6_cidr_block: Option<String>,
    ipv6_cidr_block_state: Option<RawState>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawV4Association {
    cidr_block: Option<String>,
    cidr_block_state: Option<RawState>,
}

fn v6_blocks(set: &[RawV6Association]) -> Vec<ipnet::Ipv6Net> {
    set.iter()
        .filter(|a| associated(a.ipv6_cidr_block_state.as_ref()))
        .filter_map(
            |a| match a.ipv6_cidr_block.as_deref().and_then(parse_cidr) {
                Some(IpNet::V6(n)) => Some(n.trunc()),
                _ => None,
            },
        )
        .collect()
}

fn subnet(p: &mut Piece, s: &RawSubnet) {
    if s.subnet_id.is_empty() {
        return;
    }
    let ipv4 = match s.cidr_block.as_deref().and_then(parse_cidr) {
        Some(IpNet::V4(n)) => Some(n.trunc()),
        _ => None,
    };
    let ipv6 = v6_blocks(&s.ipv6_cidr_block_association_set)
        .first()
        .copied();
    p.s.subnets.insert(
        s.subnet_id.clone(),
        Subnet {
            key: s.subnet_id.clone(),
            id: Some(s.subnet_id.clone()),
            vpc: s.vpc_id.clone(),
            ipv4,
            ipv6,
            has_ipv6: Tri::from_bool(ipv6.is_some()),
            map_public_ip: s
                .map_public_ip_on_launch
                .map_or(Tri::Unknown, Tri::from_bool),
        },
    );
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawVpc {
    vpc_id: String,
    cidr_block: Option<String>,
    cidr_block_association_set: Vec<RawV4Association>,
    ipv6_cidr_block_association_set: Vec<RawV6Association>,
}

fn vpc(p: &mut Piece, v: &RawVpc) {
    if v.vpc_id.is_empty() {
        return;
    }
    let mut ipv4: Vec<ipnet::Ipv4Net> = v
        .cidr_block_association_set
        .iter()
        .filter(|a| associated(a.cidr_block_state.as_ref()))
        .filter_map(|a| match a.cidr_block.as_deref().and_then(parse_cidr) {
            Some(IpNet::V4(n)) => Some(n.trunc()),
            _ => None,
        })
        .collect();
    if ipv4.is_empty()
        && let Some(IpNet::V4(n)) = v.cidr_block.as_deref().and_then(parse_cidr)
    {
        ipv4.push(n.trunc());
    }
    let ipv6 = v6_blocks(&v.ipv6_cidr_block_association_set);
    let out = p.vpc(&v.vpc_id);
    out.ipv4 = ipv4;
    out.ipv6 = ipv6;
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawGateway {
    internet_gateway_id: String,
    attachments: Vec<RawAttachment>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawAttachment {
    vpc_id: Option<String>,
    state: Option<String>,
}

fn gateway(p: &mut Piece, g: &RawGateway) {
    if g.internet_gateway_id.is_empty() {
        return;
    }
    // `available` is what EC2 reports for an attached internet gateway.
    let attached = g
        .attachments
        .iter()
        .find(|a| matches!(a.state.as_deref(), Some("available" | "attached") | None));
    p.s.gateways.insert(
        g.internet_gateway_id.clone(),
        Gateway {
            key: g.internet_gateway_id.clone(),
            id: Some(g.internet_gateway_id.clone()),
            vpc: attached.and_then(|a| a.vpc_id.clone()),
            attached: Tri::from_bool(attached.is_some_and(|a| a.vpc_id.is_some())),
            egress_only: false,
        },
    );
}

// --- Instances -------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawReservation {
    instances: Vec<RawInstance>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawInstance {
    instance_id: String,
    state: Option<RawInstanceState>,
    subnet_id: Option<String>,
    private_ip_address: Option<String>,
    public_ip_address: Option<String>,
    security_groups: Vec<RawGroupRef>,
    network_interfaces: Vec<RawInterface>,
    tags: Vec<Tag>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawInstanceState {
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawGroupRef {
    group_id: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawInterface {
    subnet_id: Option<String>,
    private_ip_address: Option<String>,
    groups: Vec<RawGroupRef>,
    association: Option<RawPublic>,
    private_ip_addresses: Vec<RawPrivateIp>,
    ipv6_addresses: Vec<RawIpv6>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawPublic {
    public_ip: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawPrivateIp {
    private_ip_address: Option<String>,
    primary: bool,
    association: Option<RawPublic>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawIpv6 {
    ipv6_address: Option<String>,
}

fn public(a: Option<&RawPublic>) -> bool {
    a.and_then(|a| a.public_ip.as_deref())
        .is_some_and(|ip| !ip.is_empty())
}

fn instance(p: &mut Piece, i: &RawInstance) {
    let gone = matches!(
        i.state.as_ref().and_then(|s| s.name.as_deref()),
        Some("terminated" | "shutting-down")
    );
    if i.instance_id.is_empty() || gone {
        return;
    }
    let mut ep = Endpoint::new(&i.instance_id, EndpointKind::Instance);
    ep.id = Some(i.instance_id.clone());
    ep.tags = tags(&i.tags);
    let groups = |g: &[RawGroupRef]| {
        let mut v: Vec<String> = g.iter().map(|g| g.group_id.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let base = Interface {
        groups_certainty: Certainty::Definite,
        filtered: true,
        ipv6: Tri::No,
        public_ipv4: Tri::No,
        ..Interface::default()
    };
    if i.network_interfaces.is_empty() {
        ep.interfaces.push(Interface {
            subnet: i.subnet_id.clone(),
            security_groups: groups(&i.security_groups),
            private_ipv4: i.private_ip_address.as_deref().and_then(|a| a.parse().ok()),
            public_ipv4: Tri::from_bool(
                i.public_ip_address
                    .as_deref()
                    .is_some_and(|a| !a.is_empty()),
            ),
            ..base.clone()
        });
    }
    for eni in &i.network_interfaces {
        let ipv6: Vec<Ipv6Addr> = eni
            .ipv6_addresses
            .iter()
            .filter_map(|a| a.ipv6_address.as_deref()?.parse().ok())
            .collect();
        // One interface per private address: each is matched by address on its own,
        // with the public address associated with it.
        let mut addresses: Vec<(Option<Ipv4Addr>, bool, bool)> = eni
            .private_ip_addresses
            .iter()
            .map(|a| {
                (
                    a.private_ip_address.as_deref().and_then(|x| x.parse().ok()),
                    a.primary,
                    public(a.association.as_ref()),
                )
            })
            .collect();
        if addresses.is_empty() {
            addresses.push((
                eni.private_ip_address
                    .as_deref()
                    .and_then(|x| x.parse().ok()),
                true,
                public(eni.association.as_ref()),
            ));
        }
        for (address, primary, has_public) in addresses {
            ep.interfaces.push(Interface {
                subnet: eni.subnet_id.clone().or_else(|| i.subnet_id.clone()),
                security_groups: groups(&eni.groups),
                private_ipv4: address,
                public_ipv4: Tri::from_bool(has_public),
                ipv6: Tri::from_bool(primary && !ipv6.is_empty()),
                ipv6_addresses: if primary { ipv6.clone() } else { Vec::new() },
                ..base.clone()
            });
        }
    }
    ep.interfaces.retain(|x| x.subnet.is_some());
    if !ep.interfaces.is_empty() {
        p.s.endpoints.insert(i.instance_id.clone(), ep);
    }
}

// --- Prefix lists ----------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawPrefixList {
    prefix_list_id: String,
    /// Not in `describe-managed-prefix-lists` itself: the `Entries` of
    /// `get-managed-prefix-list-entries` for this list (see docs/context.md).
    entries: Option<Vec<RawPrefixEntry>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawPrefixEntry {
    cidr: String,
}

fn prefix_list(p: &mut Piece, l: &RawPrefixList) {
    if l.prefix_list_id.is_empty() {
        return;
    }
    // An entry that does not parse makes the list's entries unknown, never smaller.
    let entries = l.entries.as_ref().and_then(|entries| {
        let parsed: Option<Vec<IpNet>> = entries
            .iter()
            .map(|e| parse_cidr(&e.cidr).map(|n| n.trunc()))
            .collect();
        if parsed.is_none() {
            p.note(
                &l.prefix_list_id,
                "an entry does not parse, so its entries are read as unknown",
            );
        }
        parsed.map(|mut v| {
            v.sort();
            v.dedup();
            v
        })
    });
    p.s.prefix_lists.insert(
        l.prefix_list_id.clone(),
        PrefixList {
            key: l.prefix_list_id.clone(),
            id: Some(l.prefix_list_id.clone()),
            entries,
            sources: Vec::new(),
        },
    );
}
