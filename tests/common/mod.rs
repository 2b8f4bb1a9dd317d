//! Snapshots built by hand, shared by the integration tests that need a network no
//! real plan pins down cleanly.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

pub mod expect;

use reachdiff::header_space::{PeerSet, RangeSet, ServiceSet};
use reachdiff::model::{
    Certainty, Direction, Endpoint, EndpointKind, Gateway, Interface, Origin, Route,
    RouteDestination, RouteTable, RouteTarget, SecurityGroup, SgRule, Snapshot, Subnet, Tri, Vpc,
};

const TCP: u8 = 6;

/// A VPC 10.0.0.0/16 with one subnet routed to internet gateway `igw` (attachment as
/// given), a group `web` allowing tcp/22 from anywhere and all IPv4 out, and an
/// instance `host` with a public address in `subnet` carrying `groups`.
pub fn network(igw_attached: Tri, subnet: &str, groups: &[&str]) -> Snapshot {
    let mut s = Snapshot::default();
    s.vpcs.insert(
        "vpc".into(),
        Vpc {
            key: "vpc".into(),
            ipv4: vec!["10.0.0.0/16".parse().unwrap()],
            ..Vpc::default()
        },
    );
    s.subnets.insert(
        "subnet".into(),
        Subnet {
            key: "subnet".into(),
            vpc: Some("vpc".into()),
            ipv4: Some("10.0.1.0/24".parse().unwrap()),
            ..Subnet::default()
        },
    );
    s.gateways.insert(
        "igw".into(),
        Gateway {
            key: "igw".into(),
            vpc: Some("vpc".into()),
            attached: igw_attached,
            ..Gateway::default()
        },
    );
    s.route_tables.insert(
        "rt".into(),
        RouteTable {
            key: "rt".into(),
            vpc: Some("vpc".into()),
            routes: vec![Route {
                destination: RouteDestination::Cidr("0.0.0.0/0".parse().unwrap()),
                target: RouteTarget::InternetGateway("igw".into()),
                certainty: Certainty::Definite,
                origin: Origin::new("rt", "route[0]"),
            }],
            subnets: vec!["subnet".into()],
            routes_known: true,
            ..RouteTable::default()
        },
    );
    s.security_groups.insert(
        "web".into(),
        SecurityGroup {
            vpc: Some("vpc".into()),
            managed: true,
            rules: vec![
                SgRule {
                    direction: Direction::Ingress,
                    services: ServiceSet::ports(TCP, 22, 22),
                    peers: PeerSet::from_v4(RangeSet::full()),
                    certainty: Certainty::Definite,
                    origin: Origin::new("web", "ingress[0]"),
                },
                SgRule {
                    direction: Direction::Egress,
                    services: ServiceSet::all(),
                    peers: PeerSet::from_v4(RangeSet::full()),
                    certainty: Certainty::Definite,
                    origin: Origin::new("web", "egress[0]"),
                },
            ],
            ..SecurityGroup::new("web")
        },
    );
    let mut host = Endpoint::new("host", EndpointKind::Instance);
    host.interfaces.push(Interface {
        subnet: Some(subnet.into()),
        security_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        filtered: true,
        public_ipv4: Tri::Yes,
        ..Interface::default()
    });
    s.endpoints.insert("host".into(), host);
    s
}
