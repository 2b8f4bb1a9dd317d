//! Reachability over hand-built snapshots, for the cases no real plan pins down
//! cleanly: resources known only after apply, and gateways whose attachment the plan
//! does not show. The scenario tests cover the rest from real `terraform` plans.

use reachdiff::header_space::{
    HeaderSpace, PeerPoint, PeerSet, Principal, RangeSet, ServiceSet, v4_block,
};
use reachdiff::model::{
    Bound, Certainty, Direction, Endpoint, EndpointKind, Interface, Origin, SecurityGroup, SgRule,
    Snapshot, Tri, unknown_key,
};
use reachdiff::reach::{Assumptions, Flow, FlowSource, Reachability, Tracer};

mod common;
use common::network;

const TCP: u8 = 6;

fn inbound(s: &Snapshot, world: Bound) -> HeaderSpace {
    Reachability::compute(s, world, &Assumptions::default()).inbound("host")
}

fn ssh_from_anywhere() -> HeaderSpace {
    HeaderSpace::product(
        &PeerSet::from_v4(RangeSet::full()),
        &ServiceSet::ports(TCP, 22, 22),
    )
}

/// Whether 8.8.8.8 may send `tcp/port` to the host.
fn internet_reaches(space: &HeaderSpace, port: u16) -> bool {
    space.contains(PeerPoint::V4(u32::from_be_bytes([8, 8, 8, 8])), TCP, port)
}

#[test]
fn a_known_network_lets_the_internet_in_through_the_group_only() {
    let s = network(Tri::Yes, "subnet", &["web"]);
    for world in [Bound::Lower, Bound::Upper] {
        let space = inbound(&s, world);
        assert!(internet_reaches(&space, 22), "{world:?}");
        assert!(!internet_reaches(&space, 80), "{world:?}");
    }
}

#[test]
fn a_route_to_a_gateway_of_unknown_attachment_counts_as_attached() {
    // AWS refuses a route to a gateway not attached to the VPC, so the route settles it.
    let s = network(Tri::Unknown, "subnet", &["web"]);
    assert!(internet_reaches(&inbound(&s, Bound::Lower), 22));
    assert!(internet_reaches(&inbound(&s, Bound::Upper), 22));
}

#[test]
fn a_detached_gateway_lets_nothing_in() {
    let s = network(Tri::No, "subnet", &["web"]);
    assert!(!internet_reaches(&inbound(&s, Bound::Upper), 22));
}

#[test]
fn a_group_known_only_after_apply_may_allow_anything_or_nothing() {
    let s = network(Tri::Yes, "subnet", &[&unknown_key("security group")]);
    let upper = inbound(&s, Bound::Upper);
    assert!(internet_reaches(&upper, 22));
    assert!(internet_reaches(&upper, 80));
    assert!(inbound(&s, Bound::Lower).is_empty());
}

#[test]
fn an_unknown_group_next_to_a_known_one_keeps_the_known_one_certain() {
    let s = network(Tri::Yes, "subnet", &["web", &unknown_key("security group")]);
    let lower = inbound(&s, Bound::Lower);
    assert!(internet_reaches(&lower, 22));
    assert!(!internet_reaches(&lower, 80));
    assert!(internet_reaches(&inbound(&s, Bound::Upper), 80));
}

#[test]
fn an_interface_in_an_unknown_subnet_may_be_reached_through_its_groups() {
    let s = network(Tri::Yes, &unknown_key("subnet"), &["web"]);
    let upper = inbound(&s, Bound::Upper);
    assert!(ssh_from_anywhere().is_subset(&upper));
    assert!(!internet_reaches(&upper, 80), "its group still filters");
    assert!(inbound(&s, Bound::Lower).is_empty());
}

#[test]
fn an_address_inside_the_vpc_reaches_the_host_through_the_local_route() {
    let s = network(Tri::No, "subnet", &["web"]);
    let space = inbound(&s, Bound::Lower);
    let neighbour = HeaderSpace::product(
        &PeerSet::from_v4(v4_block("10.0.2.0/24".parse().unwrap())),
        &ServiceSet::ports(TCP, 22, 22),
    );
    assert!(
        neighbour.is_subset(&space),
        "the VPC's own addresses need no gateway"
    );
}

/// `network` plus a second host `db` in the same subnet, whose group `db` admits
/// tcp/5432 from the members of `source_group`.
fn with_db(host_groups: &[&str], source_group: &str) -> Snapshot {
    let mut s = network(Tri::Yes, "subnet", host_groups);
    s.security_groups.insert(
        "db".into(),
        SecurityGroup {
            vpc: Some("vpc".into()),
            managed: true,
            rules: vec![SgRule {
                direction: Direction::Ingress,
                services: ServiceSet::ports(TCP, 5432, 5432),
                peers: PeerSet::from_principal(Principal::SecurityGroup(source_group.into())),
                certainty: Certainty::Definite,
                origin: Origin::new("db", "ingress[0]"),
            }],
            ..SecurityGroup::new("db")
        },
    );
    let mut db = Endpoint::new("db", EndpointKind::Instance);
    db.interfaces.push(Interface {
        subnet: Some("subnet".into()),
        security_groups: vec!["db".into()],
        filtered: true,
        ..Interface::default()
    });
    s.endpoints.insert("db".into(), db);
    s
}

fn host_reaches_db(s: &Snapshot, world: Bound) -> bool {
    let host = Principal::Endpoint("host".into());
    Reachability::compute(s, world, &Assumptions::default())
        .inbound("db")
        .contains(PeerPoint::Principal(&host), TCP, 5432)
}

#[test]
fn a_group_reference_matches_the_members_of_that_group_only() {
    assert!(host_reaches_db(&with_db(&["web"], "web"), Bound::Lower));
    assert!(!host_reaches_db(&with_db(&["web"], "other"), Bound::Upper));
}

#[test]
fn a_reference_known_only_after_apply_may_name_any_group() {
    let s = with_db(&["web"], Principal::UNKNOWN);
    assert!(host_reaches_db(&s, Bound::Upper));
    assert!(!host_reaches_db(&s, Bound::Lower));
}

#[test]
fn a_group_known_only_after_apply_may_be_the_referenced_one() {
    let s = with_db(&[&unknown_key("security group")], "web");
    assert!(host_reaches_db(&s, Bound::Upper));
    assert!(!host_reaches_db(&s, Bound::Lower));
}

#[test]
fn a_trace_through_a_reference_known_only_after_apply_is_allowed_on_an_assumption() {
    let s = with_db(&["web"], Principal::UNKNOWN);
    let flow = Flow {
        source: FlowSource::Endpoint("host".into()),
        destination: FlowSource::Endpoint("db".into()),
        protocol: TCP,
        detail: 5432,
    };
    let path = Tracer::new(&s, &Assumptions::default()).trace(&flow);
    assert!(path.allowed(), "{path:?}");
    assert!(path.assumed(), "{path:?}");
    let known = with_db(&["web"], "web");
    let path = Tracer::new(&known, &Assumptions::default()).trace(&flow);
    assert!(path.allowed() && !path.assumed(), "{path:?}");
}

/// `network` without the route table's association: the subnet uses its VPC's main
/// route table, which no input lists (a VPC the plan does not manage).
fn on_an_unlisted_main_table() -> Snapshot {
    let mut s = network(Tri::Yes, "subnet", &["web"]);
    s.route_tables.clear();
    s
}

// See: issue 14 item 1.
#[test]
fn a_main_table_no_input_lists_routes_to_the_gateway_in_the_permissive_world_only() {
    let s = on_an_unlisted_main_table();
    assert!(internet_reaches(&inbound(&s, Bound::Upper), 22));
    assert!(!internet_reaches(&inbound(&s, Bound::Lower), 22));
    let flow = Flow {
        source: FlowSource::Address("8.8.8.8".parse().unwrap()),
        destination: FlowSource::Endpoint("host".into()),
        protocol: TCP,
        detail: 22,
    };
    let assumptions = Assumptions::default();
    let upper = Tracer::in_world(&s, Bound::Upper, &assumptions).trace(&flow);
    assert!(upper.allowed() && upper.assumed(), "{upper:?}");
    let lower = Tracer::in_world(&s, Bound::Lower, &assumptions).trace(&flow);
    assert!(!lower.allowed() && lower.assumed(), "{lower:?}");
}

/// Whether `host` may send `tcp/port` to `address`.
fn host_sends(s: &Snapshot, world: Bound, address: [u8; 4], port: u16) -> bool {
    Reachability::compute(s, world, &Assumptions::default())
        .outbound("host")
        .contains(PeerPoint::V4(u32::from_be_bytes(address)), TCP, port)
}

// See: issue 14 item 2.
#[test]
fn egress_reaches_every_address_of_the_vpc_and_only_routed_ones_outside_it() {
    // No route out at all: the VPC's addresses are still peers — its own subnet's and
    // those outside every subnet of the input.
    let s = on_an_unlisted_main_table();
    for world in [Bound::Lower, Bound::Upper] {
        assert!(host_sends(&s, world, [10, 0, 1, 77], 5432), "{world:?}");
        assert!(host_sends(&s, world, [10, 0, 200, 5], 5432), "{world:?}");
    }
    // Outside the VPC, only the permissive world routes (to the gateway).
    assert!(host_sends(&s, Bound::Upper, [8, 8, 8, 8], 443));
    assert!(!host_sends(&s, Bound::Lower, [8, 8, 8, 8], 443));
    assert!(!host_sends(&s, Bound::Lower, [10, 1, 0, 5], 5432));
    // Without an egress rule, nothing.
    let mut closed = s.clone();
    closed
        .security_groups
        .get_mut("web")
        .unwrap()
        .rules
        .retain(|r| r.direction == Direction::Ingress);
    assert!(!host_sends(&closed, Bound::Upper, [10, 0, 1, 77], 5432));
    assert!(!host_sends(&closed, Bound::Upper, [10, 0, 200, 5], 5432));
}

#[test]
fn a_subnet_on_a_main_table_no_input_lists_is_warned_about_without_context() {
    let s = on_an_unlisted_main_table();
    let mut pair = reachdiff::source::SnapshotPair {
        before: s.clone(),
        after: s,
        actions: std::collections::BTreeMap::new(),
        aliases: std::collections::BTreeMap::new(),
    };
    let mut warnings = reachdiff::warning::Warnings::new();
    reachdiff::source::context::Context::default().settle(&mut pair, &mut warnings);
    let warnings = warnings.into_sorted();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].resource.as_deref(), Some("subnet"));
    assert!(
        warnings[0]
            .message
            .starts_with("it uses the main route table of vpc, a VPC the input does not manage"),
        "{}",
        warnings[0].message
    );
    // A listed table is no assumption: no warning.
    let mut pair = reachdiff::source::SnapshotPair {
        before: network(Tri::Yes, "subnet", &["web"]),
        after: network(Tri::Yes, "subnet", &["web"]),
        actions: std::collections::BTreeMap::new(),
        aliases: std::collections::BTreeMap::new(),
    };
    let mut warnings = reachdiff::warning::Warnings::new();
    reachdiff::source::context::Context::default().settle(&mut pair, &mut warnings);
    assert!(warnings.is_empty());
}

#[test]
fn a_route_the_plan_adds_to_a_table_it_does_not_list_counts_in_both_worlds() {
    // `aws_route` aimed at the main table of a VPC the plan does not manage: the route
    // is there whatever else the table holds.
    let mut s = network(Tri::Yes, "subnet", &["web"]);
    let rt = s.route_tables.get_mut("rt").unwrap();
    rt.subnets.clear();
    rt.routes_known = false;
    rt.main = true;
    s.vpcs.get_mut("vpc").unwrap().main_route_table = Some("rt".into());
    assert!(internet_reaches(&inbound(&s, Bound::Lower), 22));
    assert!(internet_reaches(&inbound(&s, Bound::Upper), 22));
}

// See: issue 14 items 4, 5 and 7.

/// A flow from the internet (8.8.8.8) to `host` on tcp/22.
fn ssh_from_the_internet() -> Flow {
    Flow {
        source: FlowSource::Address("8.8.8.8".parse().unwrap()),
        destination: FlowSource::Endpoint("host".into()),
        protocol: TCP,
        detail: 22,
    }
}

#[test]
fn a_definite_denial_settles_a_path_through_an_assumed_route() {
    // A group no input describes (assumed to allow), and no route table: the subnet
    // uses its VPC's main table, which the snapshot does not show.
    let mut s = network(Tri::Yes, "subnet", &["sg-0abc"]);
    s.route_tables.clear();
    s.endpoints.get_mut("host").unwrap().interfaces[0].public_ipv4 = Tri::No;
    let path = Tracer::new(&s, &Assumptions::default()).trace(&ssh_from_the_internet());
    assert!(path.assumed(), "the group's hop rests on an assumption");
    assert!(!path.allowed());
    assert!(
        !path.uncertain(),
        "no public address is a definite denial, whatever the route"
    );
}

#[test]
fn a_group_not_in_the_input_is_named_by_the_hop_that_assumes_it() {
    let s = network(Tri::Yes, "subnet", &["sg-0abc"]);
    let path = Tracer::new(&s, &Assumptions::default()).trace(&ssh_from_the_internet());
    assert!(path.allowed() && path.uncertain());
    let missing: Vec<&str> = path
        .hops
        .iter()
        .flat_map(|h| &h.missing)
        .map(|m| m.object.as_str())
        .collect();
    assert_eq!(missing, ["sg-0abc"]);
    assert!(
        path.hops
            .iter()
            .flat_map(|h| &h.missing)
            .all(|m| m.command == "describe-security-groups")
    );
}

#[test]
fn an_attachment_that_gives_the_group_is_a_cause_of_what_it_opens() {
    use reachdiff::delta::{ChangeKind, Delta, Level};
    use reachdiff::source::{ChangeAction, SnapshotPair};
    let before = network(Tri::Yes, "subnet", &[]);
    let mut after = network(Tri::Yes, "subnet", &["web"]);
    let attachment = "aws_network_interface_sg_attachment.web";
    after.endpoints.get_mut("host").unwrap().group_sources = vec![attachment.into()];
    let pair = SnapshotPair {
        before,
        after,
        actions: [(attachment.to_owned(), ChangeAction::Create)].into(),
        aliases: std::collections::BTreeMap::default(),
    };
    let delta = Delta::between(&pair);
    let opened: Vec<_> = delta
        .changes
        .iter()
        .filter(|c| c.level == Level::Endpoint && c.kind == ChangeKind::Opened)
        .collect();
    assert!(!opened.is_empty());
    for c in opened {
        assert!(
            c.causes.iter().any(|k| k.resource == attachment),
            "{:?}",
            c.causes
        );
    }
}
