//! The readers of context files on small documents shaped like AWS's output; the
//! whole path (real outputs, a real plan) is in `tests/context.rs`.

use super::*;
use crate::header_space::{PeerPoint, service::TCP};
use crate::model::{Action, Bound, Certainty, Direction, RouteTarget, Tri};

fn context(json: &str) -> Context {
    Context::from_files(&[("c.json".to_owned(), json.as_bytes().to_vec())]).unwrap()
}

fn v4(a: [u8; 4]) -> PeerPoint<'static> {
    PeerPoint::V4(u32::from_be_bytes(a))
}

#[test]
fn acl_entries_keep_their_order_and_the_implicit_deny_is_the_models() {
    let cx = context(
        r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false,
        "Associations": [{"SubnetId": "subnet-1"}],
        "Entries": [
          {"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": false,
           "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 0, "To": 65535}},
          {"RuleNumber": 90, "Protocol": "6", "RuleAction": "deny", "Egress": false,
           "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}},
          {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": false,
           "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 32768, "Protocol": "-1", "RuleAction": "deny", "Egress": false,
           "Ipv6CidrBlock": "::/0"}]}]}"#,
    );
    let acl = &cx.known().network_acls["acl-1"];
    assert!(acl.from_context && !acl.managed);
    assert_eq!(acl.subnets, ["subnet-1"]);
    assert_eq!(acl.rules.len(), 2, "the implicit deny entries are left out");
    let allowed = acl.allowed(Direction::Ingress, Bound::Lower);
    assert!(allowed.contains(v4([1, 2, 3, 4]), TCP, 443));
    assert!(
        !allowed.contains(v4([1, 2, 3, 4]), TCP, 22),
        "90 comes before 100"
    );
    assert!(!allowed.contains(v4([1, 2, 3, 4]), 17, 53), "implicit deny");
    assert_eq!(acl.rules[1].action, Some(Action::Deny));
    assert_eq!(acl.rules[1].origin.to_string(), "acl-1 ingress rule 90");
}

#[test]
fn group_rules_are_one_per_peer_and_name_other_accounts_and_prefix_lists() {
    let cx = context(
        r#"{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "default", "VpcId": "vpc-1",
        "OwnerId": "111111111111",
        "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
          "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "192.168.0.0/16"}],
          "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
          "PrefixListIds": [{"PrefixListId": "pl-1"}],
          "UserIdGroupPairs": [{"GroupId": "sg-1", "UserId": "111111111111"},
                               {"GroupId": "sg-9", "UserId": "222222222222"}]}],
        "IpPermissionsEgress": []}]}"#,
    );
    let g = &cx.known().security_groups["sg-1"];
    assert!(g.is_default && g.from_context);
    assert_eq!(g.rules.len(), 6);
    let principals: Vec<String> = g
        .rules
        .iter()
        .flat_map(|r| r.peers.principals.iter().map(ToString::to_string))
        .collect();
    assert_eq!(principals, ["pl:pl-1", "sg:sg-1", "sg:222222222222/sg-9"]);
    assert!(
        g.allowed(Direction::Egress, Bound::Upper).is_empty(),
        "no egress rule"
    );
    // The default group names itself as its VPC's default.
    assert_eq!(
        cx.known().vpcs["vpc-1"].default_security_group.as_deref(),
        Some("sg-1")
    );
}

#[test]
fn an_unreadable_protocol_widens_to_all_traffic_as_possible() {
    let cx = context(
        r#"{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 70000, "ToPort": 70001,
         "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "bogus", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]}]}"#,
    );
    let g = &cx.known().security_groups["sg-1"];
    assert!(g.rules.iter().all(|r| r.certainty == Certainty::Possible));
    assert!(
        g.allowed(Direction::Ingress, Bound::Upper)
            .contains(v4([10, 1, 1, 1]), 17, 53)
    );
    assert!(g.allowed(Direction::Ingress, Bound::Lower).is_empty());
    assert_eq!(cx.notes["sg-1"].len(), 2, "{:?}", cx.notes);
}

#[test]
fn route_tables_give_main_tables_vpc_blocks_and_blackholes() {
    let cx = context(
        r#"{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
        "Routes": [
          {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
          {"DestinationIpv6CidrBlock": "2600:1f18::/56", "GatewayId": "local"},
          {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"},
          {"DestinationCidrBlock": "172.16.0.0/12", "VpcPeeringConnectionId": "pcx-1",
           "State": "blackhole"},
          {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1"},
          {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1"}],
        "Associations": [
          {"Main": true, "AssociationState": {"State": "associated"}},
          {"Main": false, "SubnetId": "subnet-1", "AssociationState": {"State": "associated"}},
          {"Main": false, "SubnetId": "subnet-2", "AssociationState": {"State": "disassociated"}}]}]}"#,
    );
    let t = &cx.known().route_tables["rtb-1"];
    assert!(t.main && t.routes_known);
    assert_eq!(t.subnets, ["subnet-1"]);
    let targets: Vec<&RouteTarget> = t.routes.iter().map(|r| &r.target).collect();
    assert_eq!(
        targets,
        [
            &RouteTarget::InternetGateway("igw-1".into()),
            &RouteTarget::Blackhole,
            &RouteTarget::Network("vpc-endpoint:vpce-1".into()),
            &RouteTarget::EgressOnlyInternetGateway("eigw-1".into()),
        ]
    );
    let vpc = &cx.known().vpcs["vpc-1"];
    assert_eq!(vpc.main_route_table.as_deref(), Some("rtb-1"));
    assert_eq!(vpc.ipv4, ["10.0.0.0/16".parse().unwrap()]);
    assert_eq!(vpc.ipv6, ["2600:1f18::/56".parse().unwrap()]);
}

#[test]
fn instances_get_one_interface_per_private_address_and_gone_ones_none() {
    let cx = context(
        r#"{"Reservations": [{"Instances": [
        {"InstanceId": "i-1", "State": {"Name": "running"}, "SubnetId": "subnet-1",
         "Tags": [{"Key": "Name", "Value": "web"}],
         "NetworkInterfaces": [{"SubnetId": "subnet-1", "Groups": [{"GroupId": "sg-2"}, {"GroupId": "sg-1"}],
           "PrivateIpAddress": "10.0.1.5",
           "Ipv6Addresses": [{"Ipv6Address": "2600:1f18::5"}],
           "PrivateIpAddresses": [
             {"PrivateIpAddress": "10.0.1.5", "Primary": true, "Association": {"PublicIp": "3.3.3.3"}},
             {"PrivateIpAddress": "10.0.1.6", "Primary": false}]}]},
        {"InstanceId": "i-2", "State": {"Name": "terminated"}, "SubnetId": "subnet-1"}]}]}"#,
    );
    let known = cx.known();
    assert!(!known.endpoints.contains_key("i-2"));
    let e = &known.endpoints["i-1"];
    assert_eq!(e.id.as_deref(), Some("i-1"));
    assert_eq!(e.tags["Name"], "web");
    assert_eq!(e.interfaces.len(), 2);
    let primary = &e.interfaces[0];
    assert_eq!(primary.security_groups, ["sg-1", "sg-2"]);
    assert_eq!(primary.private_ipv4, Some("10.0.1.5".parse().unwrap()));
    assert_eq!((primary.public_ipv4, primary.ipv6), (Tri::Yes, Tri::Yes));
    let secondary = &e.interfaces[1];
    assert_eq!((secondary.public_ipv4, secondary.ipv6), (Tri::No, Tri::No));
}

#[test]
fn prefix_lists_need_their_entries_and_a_bad_entry_makes_them_unknown() {
    let cx = context(
        r#"{"PrefixLists": [
        {"PrefixListId": "pl-1", "Entries": [{"Cidr": "198.51.100.0/24"}]},
        {"PrefixListId": "pl-2"},
        {"PrefixListId": "pl-3", "Entries": [{"Cidr": "nonsense"}]}]}"#,
    );
    let lists = &cx.known().prefix_lists;
    assert_eq!(
        lists["pl-1"].entries,
        Some(vec!["198.51.100.0/24".parse().unwrap()])
    );
    assert_eq!(lists["pl-2"].entries, None);
    assert_eq!(lists["pl-3"].entries, None);
}

#[test]
fn one_file_may_hold_several_outputs_and_a_list_without_entries_never_conflicts() {
    let cx = Context::from_files(&[
        (
            "a.json".to_owned(),
            br#"{"PrefixLists": [{"PrefixListId": "pl-1"}],
                 "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24",
                              "MapPublicIpOnLaunch": true}]}"#
                .to_vec(),
        ),
        (
            "b.json".to_owned(),
            br#"{"PrefixLists": [{"PrefixListId": "pl-1", "Entries": [{"Cidr": "10.9.0.0/16"}]}]}"#
                .to_vec(),
        ),
    ])
    .unwrap();
    assert!(cx.known().prefix_lists["pl-1"].entries.is_some());
    assert_eq!(cx.known().subnets["subnet-1"].map_public_ip, Tri::Yes);
    assert_eq!(cx.inputs().len(), 2);
}

#[test]
fn what_is_no_context_file_says_what_it_found() {
    let err = |json: &str| {
        Context::from_files(&[("x.json".to_owned(), json.as_bytes().to_vec())])
            .unwrap_err()
            .to_string()
    };
    assert!(
        err(r#"{"Entries": [{"Cidr": "10.0.0.0/8"}]}"#).contains("get-managed-prefix-list-entries"),
    );
    assert!(err("[1]").contains("found a list"));
    assert!(
        err(r#"{"version": 4, "lineage": "x", "resources": [], "serial": 3}"#)
            .contains("terraform state pull")
    );
    assert!(err("").contains("the file is empty"));
    assert!(
        err(r#"{"SecurityGroups": [{"GroupId": 5}]}"#)
            .contains("`SecurityGroups` is not what aws ec2 writes")
    );
    assert!(err(r#"{"Subnets": "#).contains("ends early"));
}
