//! Tests of the template reader: exact rules from small templates.

use std::collections::BTreeMap;

use super::*;
use crate::header_space::{PeerSet, Principal, RangeSet, ServiceSet, parse_cidr, v4_block};
use crate::model::{Action, Certainty, Direction, RouteTarget, SgRule, Tri};

const WEB_YAML: &[u8] = include_bytes!("../../../testdata/cloudformation/web.yaml");
const WEB_JSON: &[u8] = include_bytes!("../../../testdata/cloudformation/web.json");
const IMPORTED: &[u8] = include_bytes!("../../../testdata/cloudformation/imported.yaml");

fn v4(cidr: &str) -> PeerSet {
    match parse_cidr(cidr).unwrap() {
        ipnet::IpNet::V4(n) => PeerSet::from_v4(v4_block(n)),
        ipnet::IpNet::V6(_) => unreachable!(),
    }
}

fn load_str(text: &str) -> (Snapshot, Warnings) {
    let mut w = Warnings::new();
    let s = load(text.as_bytes(), &BTreeMap::new(), &mut w).unwrap();
    (s, w)
}

fn rules(s: &Snapshot, group: &str, dir: Direction) -> Vec<SgRule> {
    s.security_groups[group]
        .rules
        .iter()
        .filter(|r| r.direction == dir)
        .cloned()
        .collect()
}

#[test]
fn yaml_short_forms_and_json_long_forms_give_the_same_snapshot() {
    let (mut wy, mut wj) = (Warnings::new(), Warnings::new());
    let yaml = load(WEB_YAML, &BTreeMap::new(), &mut wy).unwrap();
    let json = load(WEB_JSON, &BTreeMap::new(), &mut wj).unwrap();
    assert_eq!(yaml, json);
    assert_eq!(wy, wj);
    assert!(wy.is_empty(), "{:?}", wy.iter().collect::<Vec<_>>());
}

#[test]
fn the_web_template_resolves_parameters_mappings_and_cidr() {
    let (s, _) = load_str(std::str::from_utf8(WEB_YAML).unwrap());
    let ingress = rules(&s, "WebSecurityGroup", Direction::Ingress);
    assert_eq!(ingress.len(), 2);
    assert_eq!(ingress[0].services, ServiceSet::ports(6, 443, 443));
    assert_eq!(ingress[0].peers, PeerSet::from_v4(RangeSet::full()));
    assert_eq!(ingress[0].certainty, Certainty::Definite);
    assert_eq!(
        ingress[0].origin.to_string(),
        "WebSecurityGroup SecurityGroupIngress[0]"
    );
    assert_eq!(ingress[1].services, ServiceSet::ports(6, 22, 22));
    assert_eq!(ingress[1].peers, v4("203.0.113.0/24"));
    let subnet = &s.subnets["PublicSubnet"];
    assert_eq!(subnet.ipv4.unwrap().to_string(), "10.0.0.0/24");
    assert_eq!(subnet.vpc.as_deref(), Some("Vpc"));
    assert_eq!(subnet.map_public_ip, Tri::Yes);
    let rt = &s.route_tables["Rt"];
    assert_eq!(rt.subnets, ["PublicSubnet"]);
    assert_eq!(
        rt.routes[0].target,
        RouteTarget::InternetGateway("Igw".into())
    );
    assert_eq!(s.gateways["Igw"].attached, Tri::Yes);
    assert_eq!(s.gateways["Igw"].vpc.as_deref(), Some("Vpc"));
    assert!(s.route_tables["Vpc.MainRouteTable"].main);
    let web = &s.endpoints["Web"];
    assert_eq!(web.interfaces[0].security_groups, ["WebSecurityGroup"]);
    assert_eq!(web.interfaces[0].public_ipv4, Tri::Yes);
}

#[test]
fn a_group_without_egress_keeps_allow_all_egress() {
    let (s, _) = load_str(std::str::from_utf8(WEB_YAML).unwrap());
    let egress = rules(&s, "WebSecurityGroup", Direction::Egress);
    // The VPC is in the template without IPv6: no ::/0 rule.
    assert_eq!(egress.len(), 1, "{egress:?}");
    assert_eq!(egress[0].peers, PeerSet::from_v4(RangeSet::full()));
    assert_eq!(egress[0].services, ServiceSet::all());
    assert_eq!(egress[0].certainty, Certainty::Definite);
    // A VPC outside the template may have IPv6: ::/0 egress is possible.
    let (s, _) = load_str(
        "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: g, VpcId: vpc-1}\n",
    );
    let egress = rules(&s, "G", Direction::Egress);
    assert_eq!(egress.len(), 2);
    assert_eq!(egress[1].peers, PeerSet::from_v6(RangeSet::full()));
    assert_eq!(egress[1].certainty, Certainty::Possible);
}

#[test]
fn one_egress_rule_replaces_the_default_egress() {
    let (s, _) = load_str(std::str::from_utf8(WEB_YAML).unwrap());
    let egress = rules(&s, "AppSecurityGroup", Direction::Egress);
    assert_eq!(egress.len(), 1);
    assert_eq!(egress[0].peers, v4("127.0.0.1/32"));
    assert_eq!(egress[0].services, ServiceSet::all());
}

#[test]
fn standalone_rules_join_their_group_and_false_conditions_remove_resources() {
    let (s, _) = load_str(std::str::from_utf8(WEB_YAML).unwrap());
    let ingress = rules(&s, "AppSecurityGroup", Direction::Ingress);
    // DevOnly's condition is false with the default Env: only AppFromWeb.
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0].origin.to_string(), "AppFromWeb");
    assert_eq!(
        ingress[0].peers,
        PeerSet::from_principal(Principal::SecurityGroup("WebSecurityGroup".into()))
    );
    assert_eq!(ingress[0].services, ServiceSet::ports(6, 8080, 8080));

    let mut w = Warnings::new();
    let params = BTreeMap::from([("Env".to_owned(), "dev".to_owned())]);
    let dev = load(WEB_YAML, &params, &mut w).unwrap();
    let ingress = rules(&dev, "AppSecurityGroup", Direction::Ingress);
    assert_eq!(ingress.len(), 2);
    assert_eq!(ingress[1].origin.to_string(), "DevOnly");
    assert_eq!(ingress[1].services, ServiceSet::all());
    // The mapping follows the parameter too.
    let web = rules(&dev, "WebSecurityGroup", Direction::Ingress);
    assert_eq!(web[0].services, ServiceSet::ports(6, 8443, 8443));
}

#[test]
fn a_nacl_entry_with_protocol_6_and_port_range_22() {
    let (s, _) = load_str(std::str::from_utf8(WEB_YAML).unwrap());
    let acl = &s.network_acls["Acl"];
    assert_eq!(acl.subnets, ["PublicSubnet"]);
    assert_eq!(acl.vpc.as_deref(), Some("Vpc"));
    assert_eq!(acl.rules.len(), 1);
    let r = &acl.rules[0];
    assert_eq!(r.direction, Direction::Ingress);
    assert_eq!(r.number, Some(100));
    assert_eq!(r.action, Some(Action::Allow));
    assert_eq!(r.services, ServiceSet::ports(6, 22, 22));
    assert_eq!(r.peers, v4("203.0.113.0/24"));
    assert_eq!(r.certainty, Certainty::Definite);
}

#[test]
fn an_imported_source_is_possible_and_warned() {
    let mut w = Warnings::new();
    let s = load(IMPORTED, &BTreeMap::new(), &mut w).unwrap();
    let ingress = rules(&s, "Db", Direction::Ingress);
    assert_eq!(ingress.len(), 2);
    assert_eq!(ingress[0].peers, PeerSet::from_v4(RangeSet::full()));
    assert_eq!(ingress[0].certainty, Certainty::Possible);
    assert_eq!(
        ingress[1].peers,
        PeerSet::from_principal(Principal::SecurityGroup(Principal::UNKNOWN.into()))
    );
    assert_eq!(ingress[1].certainty, Certainty::Possible);
    let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("Fn::ImportValue shared-vpc-cidr")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("app-sg-id")), "{msgs:?}");
}

#[test]
fn an_undecidable_condition_makes_both_branches_possible() {
    let (s, w) = load_str(
        "Parameters:\n  Open: {Type: String}\nConditions:\n  IsOpen: !Equals [!Ref Open, 'yes']\nResources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: !If [IsOpen, 0.0.0.0/0, 10.0.0.0/8]\n",
    );
    let ingress = rules(&s, "G", Direction::Ingress);
    assert_eq!(ingress.len(), 2);
    assert_eq!(ingress[0].peers, PeerSet::from_v4(RangeSet::full()));
    assert_eq!(ingress[1].peers, v4("10.0.0.0/8"));
    assert!(ingress.iter().all(|r| r.certainty == Certainty::Possible));
    assert!(!w.is_empty());
}

#[test]
fn protocol_spellings_and_icmp() {
    let (s, _) = load_str(
        "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n      SecurityGroupIngress:\n        - {IpProtocol: icmp, FromPort: 8, ToPort: -1, CidrIp: 10.0.0.0/8}\n        - {IpProtocol: 17, FromPort: 53, ToPort: 53, CidrIpv6: '::/0'}\n        - {IpProtocol: '-1', SourcePrefixListId: pl-123}\n        - {IpProtocol: '50', FromPort: 1, ToPort: 2, CidrIp: 10.0.0.0/8}\n",
    );
    let ingress = rules(&s, "G", Direction::Ingress);
    assert_eq!(ingress[0].services, ServiceSet::icmp(1, (8, 8), (0, 255)));
    assert_eq!(ingress[1].services, ServiceSet::ports(17, 53, 53));
    assert_eq!(ingress[1].peers, PeerSet::from_v6(RangeSet::full()));
    assert_eq!(ingress[2].services, ServiceSet::all());
    assert_eq!(
        ingress[2].peers,
        PeerSet::from_principal(Principal::PrefixList("pl-123".into()))
    );
    assert_eq!(ingress[3].services, ServiceSet::protocol(50));
}

#[test]
fn invalid_yaml_is_an_error_with_a_line() {
    let mut w = Warnings::new();
    let err = load(
        b"Resources:\n  A:\n    Type: [x\n",
        &BTreeMap::new(),
        &mut w,
    )
    .unwrap_err();
    assert!(
        matches!(err, ErrorKind::Yaml { line, .. } if line >= 3),
        "{err}"
    );
    assert!(err.to_string().contains("line"), "{err}");
}

#[test]
fn a_template_without_resources_is_an_error() {
    let mut w = Warnings::new();
    let err = load(
        b"AWSTemplateFormatVersion: '2010-09-09'\nParameters: {}\n",
        &BTreeMap::new(),
        &mut w,
    )
    .unwrap_err();
    assert!(err.to_string().contains("Resources"), "{err}");
}

#[test]
fn is_template_recognises_templates_only() {
    assert!(is_template(WEB_YAML));
    assert!(is_template(WEB_JSON));
    assert!(is_template(
        b"Resources:\n  A:\n    Type: AWS::SNS::Topic\n"
    ));
    assert!(!is_template(
        b"{\"format_version\": \"1.2\", \"resource_changes\": []}"
    ));
    assert!(!is_template(b"\x00\xff"));
}

#[test]
fn load_pair_names_each_resource_action() {
    let before = "Resources:\n  A:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: a}\n  B:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: b}\n  C:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: c}\n";
    let after = "Resources:\n  A:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: a}\n  B:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: b\n      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]\n  D:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: d}\n";
    let mut w = Warnings::new();
    let pair = load_pair(
        before.as_bytes(),
        after.as_bytes(),
        &BTreeMap::new(),
        &crate::source::context::Context::default(),
        &mut w,
    )
    .unwrap();
    let actions: Vec<(&str, ChangeAction)> =
        pair.actions.iter().map(|(k, a)| (k.as_str(), *a)).collect();
    assert_eq!(
        actions,
        [
            ("A", ChangeAction::NoOp),
            ("B", ChangeAction::Update),
            ("C", ChangeAction::Delete),
            ("D", ChangeAction::Create)
        ]
    );
    assert_eq!(rules(&pair.after, "B", Direction::Ingress).len(), 1);
    assert!(rules(&pair.before, "B", Direction::Ingress).is_empty());
}

const ENDPOINTS: &[u8] = include_bytes!("../../../testdata/cloudformation/endpoints.yaml");

/// One line per endpoint: key, kind, then per interface subnet, groups (`?` when
/// possible), public IPv4, fixed address; accepts, public address sources, listeners.
fn endpoint_lines(s: &Snapshot) -> Vec<String> {
    s.endpoints
        .values()
        .map(|ep| {
            let ifaces: Vec<String> = ep
                .interfaces
                .iter()
                .map(|i| {
                    format!(
                        "{} [{}{}] public={:?}{}{}",
                        i.subnet.as_deref().unwrap_or("-"),
                        i.security_groups.join(","),
                        if i.groups_certainty == Certainty::Possible {
                            "?"
                        } else {
                            ""
                        },
                        i.public_ipv4,
                        i.private_ipv4.map(|a| format!(" {a}")).unwrap_or_default(),
                        if i.filtered { "" } else { " unfiltered" },
                    )
                })
                .collect();
            let listeners: Vec<String> = ep
                .listeners
                .iter()
                .map(|l| {
                    let t: Vec<String> =
                        l.targets.iter().map(|(k, p)| format!("{k}:{p}")).collect();
                    format!("{}/{}->{}", l.protocol, l.port, t.join("+"))
                })
                .collect();
            format!(
                "{} {} {}{}{}{}",
                ep.key,
                ep.kind,
                ifaces.join(" | "),
                if ep.accepts { "" } else { " sends-only" },
                if ep.public_ip_sources.is_empty() {
                    String::new()
                } else {
                    format!(" via {}", ep.public_ip_sources.join(","))
                },
                if listeners.is_empty() {
                    String::new()
                } else {
                    format!(" listeners {}", listeners.join(" "))
                },
            )
        })
        .collect()
}

#[test]
fn every_endpoint_kind_maps_into_the_model() {
    let mut w = Warnings::new();
    let s = load(ENDPOINTS, &BTreeMap::new(), &mut w).unwrap();
    assert_eq!(
        endpoint_lines(&s),
        [
            "App instance Private [AppSg] public=No 10.0.3.10",
            // An instance without groups gets its VPC's default group; its EIP makes it
            // public although its subnet does not map public addresses.
            "Bastion instance PubB [Vpc.DefaultSecurityGroup] public=Yes via BastionEip",
            "Cache cache Private [DbSg] public=No",
            // The cluster has a member instance: the member is the endpoint.
            "Db database Private [DbSg] public=Yes | PubB [DbSg] public=Yes",
            // The instance launched with a template interface is that interface, which
            // its EIP association makes public.
            "Eni network-interface Private [AppSg] public=Yes 10.0.3.20 via EniEip,EniEipAssociation",
            "Fn function Private [AppSg] public=No sends-only",
            "Lb application-load-balancer PubA [LbSg] public=Yes | PubB [LbSg] public=Yes listeners 6/80->App:8080+Eni:9090+Svc:3000",
            "Member database Private [DbSg] public=No | PubB [DbSg] public=No",
            "Nic instance PubA [AppSg] public=No",
            "Nlb network-load-balancer Private [] public=No unfiltered listeners 6/443->Eni:443",
            "Redis cache Private [DbSg] public=No",
            "Svc container-service Private [AppSg] public=No",
            "Vpce vpc-endpoint Private [Vpc.DefaultSecurityGroup] public=No",
        ]
    );
    let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert!(msgs.is_empty(), "{msgs:?}");
}

#[test]
fn a_database_without_publicly_accessible_follows_its_vpcs_gateway() {
    // The API default: public when the subnet group's VPC has an internet gateway.
    let text = std::str::from_utf8(ENDPOINTS)
        .unwrap()
        .replace("  IgwAttachment:\n    Type: AWS::EC2::VPCGatewayAttachment\n    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}\n", "");
    let (s, _) = load_str(&text);
    assert_eq!(s.endpoints["Db"].interfaces[0].public_ipv4, Tri::No);
    // A subnet group outside the template: unknown, warned.
    let (s, w) = load_str(
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {DBSubnetGroupName: shared, VPCSecurityGroups: [sg-1]}\n",
    );
    let db = &s.endpoints["Db"];
    assert_eq!(db.interfaces[0].public_ipv4, Tri::Unknown);
    assert_eq!(db.interfaces[0].security_groups, ["sg-1"]);
    assert!(
        w.iter()
            .any(|w| w.to_string().contains("PubliclyAccessible is not set")),
        "{:?}",
        w.iter().collect::<Vec<_>>()
    );
}

#[test]
fn peering_and_classic_load_balancers_are_still_warned_about() {
    let (_, w) = load_str(
        "Resources:\n  Elb:\n    Type: AWS::ElasticLoadBalancing::LoadBalancer\n    Properties: {Listeners: []}\n  Peer:\n    Type: AWS::EC2::VPCPeeringConnection\n    Properties: {VpcId: vpc-1, PeerVpcId: vpc-2}\n  Eni:\n    Type: AWS::EC2::NetworkInterface\n    Properties: {SubnetId: subnet-1, GroupSet: [sg-1]}\n",
    );
    let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("AWS::ElasticLoadBalancing::LoadBalancer is not modelled yet"));
    assert!(msgs[1].contains("AWS::EC2::VPCPeeringConnection is not modelled yet"));
}

#[test]
fn circular_conditions_are_named_and_left_undecidable() {
    let (s, w) = load_str(
        "Conditions:\n  A: !And [!Condition B, !Equals [x, x]]\n  B: !Not [!Condition C]\n  C: !Or [!Condition A, !Equals [y, z]]\n  D: !Condition D\n  Fine: !Condition Base\n  Base: !Equals [a, a]\nResources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Condition: A\n    Properties: {GroupDescription: g}\n  H:\n    Type: AWS::EC2::SecurityGroup\n    Condition: Fine\n    Properties: {GroupDescription: h}\n",
    );
    let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter().any(|m| m.contains(
            "the Conditions A → B → C → A refer to each other in a cycle, which CloudFormation rejects"
        )),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("the Conditions D → D refer to each other in a cycle")),
        "{msgs:?}"
    );
    // Exactly the two cycles; `Fine` → `Base` is no cycle.
    assert_eq!(
        msgs.iter().filter(|m| m.contains("in a cycle")).count(),
        2,
        "{msgs:?}"
    );
    // G is guarded by a condition in the cycle: possible. H is certain.
    assert_eq!(
        s.security_groups["G"].rules[0].certainty,
        Certainty::Possible
    );
    assert_eq!(
        s.security_groups["H"].rules[0].certainty,
        Certainty::Definite
    );
}

#[test]
fn circular_references_between_resources_are_named() {
    // Two groups naming each other inline (Ref and Fn::GetAtt), a third through
    // Fn::Sub and DependsOn: CloudFormation rejects both cycles.
    let (s, w) = load_str(
        "Resources:\n  A:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: a\n      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 1, ToPort: 1, SourceSecurityGroupId: !Ref B}]\n  B:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: b\n      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 2, ToPort: 2, SourceSecurityGroupId: !GetAtt A.GroupId}]\n  C:\n    Type: AWS::EC2::SecurityGroup\n    DependsOn: [D]\n    Properties: {GroupDescription: !Sub '${D.GroupId} ${!Literal} ${X}'}\n  D:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: !Sub ['${V}', {V: !Ref C}]}\n  E:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: !Sub ['${C}', {X: 1}]}\n",
    );
    let cycles: Vec<String> = w
        .iter()
        .map(ToString::to_string)
        .filter(|m| m.contains("circular dependency"))
        .collect();
    assert_eq!(cycles.len(), 2, "{cycles:?}");
    assert!(
        cycles[0].contains(
            "circular dependency between resources A → B → A: CloudFormation rejects the template"
        ),
        "{cycles:?}"
    );
    assert!(
        cycles[1].contains("circular dependency between resources C → D → C"),
        "{cycles:?}"
    );
    // Read as written all the same.
    assert_eq!(
        s.security_groups["A"].rules[0].peers,
        PeerSet::from_principal(Principal::SecurityGroup("B".into()))
    );
}
