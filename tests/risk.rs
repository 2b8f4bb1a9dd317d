//! Risk and policy over hand-built snapshots: named and trusted networks, accepted
//! risks (by address pattern and by tag) and their expiry, severity overrides, extra
//! sensitive ports, and invariants. The fixtures' plans carry no tags, so tags are set
//! here; the scenario tests cover scoring on real plans.

use std::collections::BTreeMap;

use reachdiff::delta::{ChangeKind, Level};
use reachdiff::header_space::{PeerSet, RangeSet, ServiceSet, parse_cidr, v4_block};
use reachdiff::model::{
    Certainty, Direction, Endpoint, EndpointKind, Gateway, Interface, Origin, Route,
    RouteDestination, RouteTable, RouteTarget, SecurityGroup, SgRule, Snapshot, Subnet, Tri, Vpc,
};
use reachdiff::reach::Assumptions;
use reachdiff::report::{self, Report};
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::{self, Policy};
use reachdiff::risk::{Settings, Severity};
use reachdiff::source::{ChangeAction, SnapshotPair};
use reachdiff::warning::Warnings;

const TCP: u8 = 6;

fn cidr(text: &str) -> PeerSet {
    let Some(ipnet::IpNet::V4(n)) = parse_cidr(text) else {
        panic!("{text}")
    };
    PeerSet::from_v4(v4_block(n))
}

fn rule(group: &str, i: usize, port: u16, peers: PeerSet) -> SgRule {
    SgRule {
        direction: Direction::Ingress,
        services: ServiceSet::ports(TCP, port, port),
        peers,
        certainty: Certainty::Definite,
        origin: Origin::new(group, format!("ingress[{i}]")),
    }
}

/// A public subnet routed to an attached internet gateway, with `aws_instance.web`
/// (tagged `tier=web`, group `aws_security_group.web`) and `aws_db_instance.db`
/// (tagged `tier=db`, group `aws_security_group.db`), both with public addresses.
/// `web` allows tcp 443 from anywhere, `db` tcp 5432 from `web`'s members; `extra`
/// rules are added to the groups.
fn network(extra: &[(&str, u16, &str)]) -> Snapshot {
    let mut s = topology();
    let web_members = PeerSet::from_principal(reachdiff::header_space::Principal::SecurityGroup(
        "aws_security_group.web".into(),
    ));
    let mut groups = BTreeMap::from([
        (
            "aws_security_group.web",
            vec![rule(
                "aws_security_group.web",
                0,
                443,
                PeerSet::from_v4(RangeSet::full()),
            )],
        ),
        (
            "aws_security_group.db",
            vec![rule("aws_security_group.db", 0, 5432, web_members)],
        ),
    ]);
    for (group, port, source) in extra {
        let rules = groups.get_mut(group).unwrap();
        let i = rules.len();
        rules.push(rule(group, i, *port, cidr(source)));
    }
    for (key, rules) in groups {
        s.security_groups.insert(
            key.into(),
            SecurityGroup {
                vpc: Some("aws_vpc.main".into()),
                managed: true,
                rules,
                ..SecurityGroup::new(key)
            },
        );
    }
    for (key, kind, group, tier) in [
        (
            "aws_instance.web",
            EndpointKind::Instance,
            "aws_security_group.web",
            "web",
        ),
        (
            "aws_db_instance.db",
            EndpointKind::Database,
            "aws_security_group.db",
            "db",
        ),
    ] {
        let mut e = Endpoint::new(key, kind);
        e.interfaces.push(Interface {
            subnet: Some("aws_subnet.public".into()),
            security_groups: vec![group.into()],
            filtered: true,
            public_ipv4: Tri::Yes,
            ..Interface::default()
        });
        e.tags = BTreeMap::from([("tier".to_owned(), tier.to_owned())]);
        s.endpoints.insert(key.into(), e);
    }
    s
}

/// The VPC, its public subnet and its route to an attached internet gateway.
fn topology() -> Snapshot {
    let mut s = Snapshot::default();
    s.vpcs.insert(
        "aws_vpc.main".into(),
        Vpc {
            key: "aws_vpc.main".into(),
            ipv4: vec!["10.0.0.0/16".parse().unwrap()],
            ..Vpc::default()
        },
    );
    s.subnets.insert(
        "aws_subnet.public".into(),
        Subnet {
            key: "aws_subnet.public".into(),
            vpc: Some("aws_vpc.main".into()),
            ipv4: Some("10.0.1.0/24".parse().unwrap()),
            ..Subnet::default()
        },
    );
    s.gateways.insert(
        "aws_internet_gateway.main".into(),
        Gateway {
            key: "aws_internet_gateway.main".into(),
            vpc: Some("aws_vpc.main".into()),
            attached: Tri::Yes,
            ..Gateway::default()
        },
    );
    s.route_tables.insert(
        "aws_route_table.public".into(),
        RouteTable {
            key: "aws_route_table.public".into(),
            vpc: Some("aws_vpc.main".into()),
            routes: vec![Route {
                destination: RouteDestination::Cidr("0.0.0.0/0".parse().unwrap()),
                target: RouteTarget::InternetGateway("aws_internet_gateway.main".into()),
                certainty: Certainty::Definite,
                origin: Origin::new("aws_route_table.public", "route[0]"),
            }],
            subnets: vec!["aws_subnet.public".into()],
            routes_known: true,
            ..RouteTable::default()
        },
    );
    s
}

fn pair(after: &[(&str, u16, &str)]) -> SnapshotPair {
    SnapshotPair {
        before: network(&[]),
        after: network(after),
        actions: BTreeMap::from([
            ("aws_security_group.web".to_owned(), ChangeAction::Update),
            ("aws_security_group.db".to_owned(), ChangeAction::Update),
        ]),
        ..SnapshotPair::default()
    }
}

fn analyse(pair: &SnapshotPair, policy: &str, today: &str) -> Report {
    let policy: Policy = policy::parse(policy).expect("valid policy");
    let settings = Settings {
        policy: &policy,
        fail_on: Some(Severity::High),
        fail_on_unknown: false,
        today: Date::parse(today).unwrap(),
        assumptions: &Assumptions::default(),
    };
    reachdiff::analyse(Vec::new(), pair, &settings, Warnings::new())
}

/// `severity rule subject peers services` of every endpoint-level opened row.
fn opened(report: &Report) -> Vec<String> {
    report::rows(report)
        .iter()
        .filter(|r| r.level == Level::Endpoint && r.kind == ChangeKind::Opened)
        .map(|r| {
            let accepted = if r.is_accepted() { " (accepted)" } else { "" };
            format!(
                "{} {} {} {} from {}{accepted}",
                r.severity.as_str(),
                r.rule,
                r.subject,
                r.services,
                r.peers
            )
        })
        .collect()
}

#[test]
fn an_untrusted_office_range_scores_as_an_external_network() {
    let report = analyse(
        &pair(&[("aws_security_group.web", 22, "203.0.113.0/24")]),
        "",
        "2026-06-01",
    );
    assert_eq!(
        opened(&report),
        [
            "medium sensitive-port-open-to-external-network aws_instance.web tcp 22 from 203.0.113.0/24"
        ]
    );
    assert!(!report.risk.gate.failed);
}

#[test]
fn a_trusted_named_network_scores_low_and_is_shown_by_name() {
    let report = analyse(
        &pair(&[("aws_security_group.web", 22, "203.0.113.0/24")]),
        r#"
        [networks.office]
        cidrs = ["203.0.113.0/24"]
        trusted = true
        "#,
        "2026-06-01",
    );
    assert_eq!(
        opened(&report),
        ["info access-widened aws_instance.web tcp 22 from office"]
    );
}

const ACCEPT_DB: &str = r#"
[[accept]]
from = "internet"
to_tags = { tier = "db" }
protocol = "tcp"
ports = [5432]
reason = "migration from the old data centre"
owner = "dba@example.com"
expires = 2026-12-31
"#;

#[test]
fn an_accepted_risk_is_shown_as_accepted_and_does_not_fail_the_gate() {
    let p = pair(&[("aws_security_group.db", 5432, "0.0.0.0/0")]);
    let without = analyse(&p, "", "2026-06-01");
    assert_eq!(
        opened(&without),
        ["critical database-reachable-from-internet aws_db_instance.db tcp 5432 from 0.0.0.0/0"]
    );
    assert!(without.risk.gate.failed);
    let with = analyse(&p, ACCEPT_DB, "2026-06-01");
    assert_eq!(
        opened(&with),
        [
            "critical database-reachable-from-internet aws_db_instance.db tcp 5432 from 0.0.0.0/0 (accepted)"
        ]
    );
    assert!(!with.risk.gate.failed, "{:?}", with.risk.gate);
    let table = render(&with);
    assert!(table.contains("Accepted risks:"), "{table}");
    assert!(
        table.contains("\"migration from the old data centre\" (dba@example.com, until 2026-12-31; policy line 2)"),
        "{table}"
    );
}

#[test]
fn an_accepted_risk_counts_again_after_it_expires() {
    let p = pair(&[("aws_security_group.db", 5432, "0.0.0.0/0")]);
    let report = analyse(&p, ACCEPT_DB, "2027-01-01");
    assert!(report.risk.gate.failed);
    assert_eq!(
        opened(&report),
        ["critical database-reachable-from-internet aws_db_instance.db tcp 5432 from 0.0.0.0/0"]
    );
    let table = render(&report);
    assert!(table.contains("EXPIRED on 2026-12-31"), "{table}");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.message.contains("expired on 2026-12-31")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn an_accepted_risk_covers_only_the_flows_it_names() {
    let p = pair(&[
        ("aws_security_group.db", 5432, "0.0.0.0/0"),
        ("aws_security_group.db", 22, "0.0.0.0/0"),
    ]);
    let report = analyse(&p, ACCEPT_DB, "2026-06-01");
    // tcp 22 is not in the accepted ports; the web instance is not tagged db.
    assert_eq!(
        opened(&report),
        [
            "critical admin-port-open-to-internet aws_db_instance.db tcp 22 from 0.0.0.0/0",
            "critical database-reachable-from-internet aws_db_instance.db tcp 5432 from 0.0.0.0/0 (accepted)",
        ]
    );
    assert!(report.risk.gate.failed);
    // By address pattern: a pattern that names the web tier does not cover the database.
    let by_pattern = analyse(
        &p,
        &ACCEPT_DB.replace("to_tags = { tier = \"db\" }", "to = \"aws_instance.*\""),
        "2026-06-01",
    );
    assert!(
        opened(&by_pattern)
            .iter()
            .all(|r| !r.ends_with("(accepted)"))
    );
}

#[test]
fn a_severity_override_replaces_the_scored_severity_and_says_so() {
    let report = analyse(
        &pair(&[("aws_security_group.db", 5432, "0.0.0.0/0")]),
        "[rules.database-reachable-from-internet]\nseverity = \"low\"\n",
        "2026-06-01",
    );
    let f = report
        .risk
        .findings
        .iter()
        .find(|f| f.rule == "database-reachable-from-internet")
        .unwrap();
    assert_eq!(f.severity, Severity::Low);
    assert!(f.score >= 80, "the score is kept: {}", f.score);
    assert!(
        f.reasons
            .last()
            .unwrap()
            .contains("[rules.database-reachable-from-internet]")
    );
    assert!(!report.risk.gate.failed);
}

#[test]
fn extra_sensitive_ports_join_the_catalogue() {
    let p = pair(&[("aws_security_group.web", 9999, "0.0.0.0/0")]);
    assert_eq!(
        opened(&analyse(&p, "", "2026-06-01")),
        ["medium port-open-to-internet aws_instance.web tcp 9999 from 0.0.0.0/0"]
    );
    let report = analyse(
        &p,
        r#"
        [[sensitive_ports]]
        name = "ops agent"
        ports = ["9999"]
        category = "admin"
        "#,
        "2026-06-01",
    );
    assert_eq!(
        opened(&report),
        ["critical admin-port-open-to-internet aws_instance.web tcp 9999 from 0.0.0.0/0"]
    );
}

#[test]
fn invariants_report_introduced_and_pre_existing_violations() {
    let p = pair(&[("aws_security_group.db", 5432, "0.0.0.0/0")]);
    let report = analyse(
        &p,
        r#"
        [networks.office]
        cidrs = ["203.0.113.0/24"]

        [[invariant]]
        name = "db-never-public"
        from = ["internet"]
        to_tags = { tier = "db" }
        severity = "critical"

        [[invariant]]
        name = "web-https-only-from-office"
        from_outside = ["office"]
        to = "aws_instance.web"
        ports = [443]
        severity = "medium"

        [[invariant]]
        name = "caches-private"
        from = "internet"
        to_tags = { tier = "cache" }
        "#,
        "2026-06-01",
    );
    let violations: Vec<String> = report
        .risk
        .violations
        .iter()
        .map(|v| {
            format!(
                "{} {} {} {} {}",
                v.invariant,
                v.endpoint,
                if v.preexisting {
                    "pre-existing"
                } else {
                    "introduced"
                },
                v.severity.as_str(),
                v.parts
                    .iter()
                    .map(|(p, _)| report::describe_part(p, v.direction, None, &[]))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect();
    assert_eq!(
        violations,
        [
            // Only public addresses count as the internet.
            "db-never-public aws_db_instance.db introduced critical tcp 5432 from 0.0.0.0/0 except 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.168.0.0/16, 224.0.0.0/3",
            "web-https-only-from-office aws_instance.web pre-existing medium tcp 443 from 0.0.0.0/0 except 203.0.113.0/24",
        ]
    );
    assert!(
        report.risk.gate.failed,
        "a critical violation fails the gate"
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.message.contains("caches-private")),
        "an invariant selecting nothing is warned about"
    );
}

#[test]
fn a_pre_existing_violation_can_be_accepted() {
    let report = analyse(
        &pair(&[]),
        r#"
        [[invariant]]
        name = "web-not-public"
        from = "internet"
        to = "aws_instance.web"

        [[accept]]
        from = "internet"
        to = "aws_instance.web"
        ports = [443]
        reason = "public site"
        owner = "web-team"
        expires = "2027-01-31"
        "#,
        "2026-06-01",
    );
    assert_eq!(report.risk.violations.len(), 1);
    let v = &report.risk.violations[0];
    assert!(v.preexisting);
    assert!(v.acceptance.as_ref().is_some_and(|a| !a.expired));
    assert!(!report.risk.gate.failed);
}

fn render(report: &Report) -> String {
    let mut out = Vec::new();
    report::table::render(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}
