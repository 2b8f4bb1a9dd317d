//! `reachdiff why` answers on the scenarios' real plans: reachable and blocked, each
//! blocking layer (security group in, network ACL in, the stateless reply through an
//! ACL, the route, a missing endpoint), what changed between before and after, the
//! suggested fix — and, on a hand-built snapshot, a flow that passes only if a value
//! known after apply allows it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use reachdiff::model::{Tri, unknown_key};

mod common;
use reachdiff::reach::{Assumptions, HopVerdict, Layer};
use reachdiff::source;
use reachdiff::warning::Warnings;
use reachdiff::why::{self, Question, Verdict};

fn plan(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/scenarios")
        .join(name)
        .join("plan.json")
}

fn ask(scenario: &str, from: &str, to: &str, port: &str) -> why::Report {
    let (_, pair) = source::load_path(&plan(scenario), &mut Warnings::new()).unwrap();
    let snapshots = [&pair.before, &pair.after];
    let (protocol, detail) = why::parse_service("tcp", Some(port)).unwrap();
    let question = Question {
        from: why::parse_end(from, snapshots).unwrap(),
        to: why::parse_end(to, snapshots).unwrap(),
        protocol,
        detail,
    };
    why::compare(question, &pair.before, &pair.after, &Assumptions::default())
}

/// (layer, subject, verdict, reason) of every hop of one side.
fn hops(a: &why::Answer) -> Vec<(Layer, String, HopVerdict, String)> {
    a.path
        .hops
        .iter()
        .map(|h| (h.layer, h.subject.clone(), h.verdict, h.reason.clone()))
        .collect()
}

#[test]
fn ssh_from_the_internet_is_blocked_by_the_security_group_before_and_reachable_after() {
    use HopVerdict::{Allowed, Denied};
    let r = ask("demo", "internet", "aws_instance.web", "22");
    assert_eq!(
        r.change,
        "not reachable before (blocked by SG in aws_instance.web: denied: no rule matches); after: reachable"
    );
    let [before, after] = [&r.answers[0], &r.answers[1]];
    assert_eq!(
        (before.verdict, after.verdict),
        (Verdict::Blocked, Verdict::Reachable)
    );
    let common = |sg: (HopVerdict, &str)| {
        vec![
            (
                Layer::Route,
                "aws_route_table.public".to_owned(),
                Allowed,
                "8.8.8.8 routes to an internet gateway".to_owned(),
            ),
            (
                Layer::PublicAddress,
                "aws_instance.web".to_owned(),
                Allowed,
                "has a public IPv4 address".to_owned(),
            ),
            (
                Layer::NaclInbound,
                "aws_network_acl.public".to_owned(),
                Allowed,
                "ingress rule 100".to_owned(),
            ),
            (
                Layer::SecurityGroupIngress,
                "aws_instance.web".to_owned(),
                sg.0,
                sg.1.to_owned(),
            ),
            (
                Layer::NaclReplyOutbound,
                "aws_network_acl.public".to_owned(),
                Allowed,
                "egress rule 100".to_owned(),
            ),
        ]
    };
    assert_eq!(hops(before), common((Denied, "no rule matches")));
    assert_eq!(
        hops(after),
        common((
            Allowed,
            "aws_security_group.web ingress[1] (tcp 22 0.0.0.0/0)"
        ))
    );
    assert_eq!(
        before.fixes,
        ["allow tcp 22 from internet (as 8.8.8.8) in an ingress rule of aws_security_group.web"]
    );
    assert!(after.fixes.is_empty());
}

#[test]
fn the_new_acl_deny_blocks_the_app_from_its_database() {
    let r = ask(
        "endpoint-nacl-between-subnets-cuts-app-to-db",
        "aws_instance.app",
        "aws_instance.db",
        "5432",
    );
    assert_eq!(
        r.change,
        "reachable before; after: blocked by ACL in aws_network_acl.db: denied by ingress rule 90"
    );
    let after = &r.answers[1];
    // Between two subnets the request crosses both ACLs, and so does the reply.
    let layers: Vec<Layer> = after.path.hops.iter().map(|h| h.layer).collect();
    assert_eq!(
        layers,
        [
            Layer::SecurityGroupEgress,
            Layer::NaclOutbound,
            Layer::NaclInbound,
            Layer::SecurityGroupIngress,
            Layer::NaclReplyOutbound,
            Layer::NaclReplyInbound
        ]
    );
    assert_eq!(
        after.fixes,
        [
            "in aws_network_acl.db, ingress rule 90 stops it: remove that deny, or allow tcp 5432 inbound for aws_instance.app with a lower rule number"
        ]
    );
}

#[test]
fn a_reply_dropped_by_a_stateless_acl_blocks_the_flow() {
    let r = ask(
        "endpoint-nacl-egress-drops-ephemeral",
        "internet",
        "aws_instance.web",
        "443",
    );
    assert_eq!(
        r.change,
        "reachable before; after: blocked by ACL reply out aws_network_acl.public: denied: no egress rule matches (implicit deny)"
    );
    assert_eq!(
        r.answers[1].fixes,
        [
            "the reply is stateless through aws_network_acl.public: allow outbound traffic on the clients' ephemeral ports (1024-65535)"
        ]
    );
}

#[test]
fn a_missing_route_blocks_and_a_new_route_opens() {
    let r = ask(
        "endpoint-igw-route-added",
        "internet",
        "aws_instance.web",
        "443",
    );
    assert_eq!(
        r.change,
        "not reachable before (blocked by route aws_route_table.web: denied: 8.8.8.8 routes to nowhere); after: reachable"
    );
    assert_eq!(
        r.answers[0].fixes,
        [
            "route the traffic in aws_route_table.web (e.g. 0.0.0.0/0 to an attached internet gateway)"
        ]
    );
}

#[test]
fn an_endpoint_created_by_the_change_does_not_exist_before() {
    let r = ask(
        "endpoint-everything-created",
        "aws_instance.web",
        "aws_instance.db",
        "5432",
    );
    assert_eq!(r.answers[0].verdict, Verdict::Blocked);
    assert_eq!(
        hops(&r.answers[0]),
        [(
            Layer::Existence,
            "aws_instance.web".to_owned(),
            HopVerdict::Denied,
            "does not exist".to_owned()
        )]
    );
    assert_eq!(r.answers[1].verdict, Verdict::Reachable);
}

#[test]
fn a_flow_that_depends_on_an_unknown_value_is_possibly_reachable_and_names_it() {
    // A public host whose only security group is known only after apply: it may allow
    // anything, or nothing.
    let s = common::network(Tri::Yes, "subnet", &[&unknown_key("security group")]);
    let (protocol, detail) = why::parse_service("tcp", Some("22")).unwrap();
    let q = Question {
        from: why::parse_end("internet", [&s, &s]).unwrap(),
        to: why::parse_end("host", [&s, &s]).unwrap(),
        protocol,
        detail,
    };
    let a = why::answer(&q, &s, "after", &Assumptions::default());
    assert_eq!(a.verdict, Verdict::Possibly);
    assert_eq!(a.unknowns.len(), 1, "{:?}", a.unknowns);
    assert!(
        a.unknowns[0].starts_with("SG in host: allowed"),
        "{:?}",
        a.unknowns
    );
}

#[test]
fn the_command_exits_0_when_reachable_and_1_when_not_and_explains_bad_ends() {
    let run = |args: &[&str]| {
        Command::cargo_bin("reachdiff")
            .unwrap()
            .arg("why")
            .arg(plan("demo"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "--from",
        "internet",
        "--to",
        "aws_instance.web",
        "--port",
        "22",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("reachdiff why: internet (as 8.8.8.8) → aws_instance.web on tcp 22: not reachable before"), "{stdout}");
    assert!(
        stdout.contains("demo/plan.json:"),
        "hops name the plan's lines: {stdout}"
    );
    let out = run(&[
        "--from",
        "aws_instance.app",
        "--to",
        "aws_instance.db",
        "--port",
        "5432",
    ]);
    assert_eq!(out.status.code(), Some(1), "the app lost its database");
    let out = run(&[
        "--from",
        "internet",
        "--to",
        "aws_instance.wbe",
        "--port",
        "22",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--to: \"aws_instance.wbe\" is not an address"),
        "{stderr}"
    );
    assert!(stderr.contains("aws_instance.web"), "{stderr}");
    let out = run(&["--from", "internet", "--to", "aws_instance.web"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("give the destination port")
    );
    for format in ["json", "markdown"] {
        let out = run(&[
            "--from",
            "internet",
            "--to",
            "aws_instance.web",
            "--port",
            "22",
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("not reachable before"), "{format}: {text}");
    }
}

/// The denying hops of the side after the change: (layer, reason).
fn denied_after(r: &why::Report) -> Vec<(Layer, String)> {
    denied_on(r, 1)
}

/// The denying hops of one side (0 before, 1 after): (layer, reason).
fn denied_on(r: &why::Report, side: usize) -> Vec<(Layer, String)> {
    r.answers[side]
        .path
        .hops
        .iter()
        .filter(|h| h.verdict == HopVerdict::Denied)
        .map(|h| (h.layer, h.reason.clone()))
        .collect()
}

#[test]
fn an_endpoints_own_address_stands_for_the_endpoint() {
    let by_name = ask(
        "endpoint-nacl-between-subnets-cuts-app-to-db",
        "aws_instance.app",
        "aws_instance.db",
        "5432",
    );
    let by_address = ask(
        "endpoint-nacl-between-subnets-cuts-app-to-db",
        "aws_instance.app",
        "10.0.2.10",
        "5432",
    );
    assert_eq!(
        by_address.question.to.label(),
        "10.0.2.10 (aws_instance.db)"
    );
    assert_eq!(
        by_address.answers, by_name.answers,
        "its security group is on the path"
    );
}

#[test]
fn the_source_groups_egress_and_the_destination_groups_ingress_both_block() {
    let r = ask(
        "endpoint-everything-created",
        "aws_instance.db",
        "aws_instance.web",
        "22",
    );
    assert_eq!(
        denied_after(&r),
        [
            (Layer::SecurityGroupEgress, "no rule matches".to_owned()),
            (Layer::SecurityGroupIngress, "no rule matches".to_owned()),
        ]
    );
    assert_eq!(
        r.answers[1].fixes,
        [
            "allow tcp 22 to aws_instance.web in an egress rule of aws_security_group.db",
            "allow tcp 22 from aws_instance.db in an ingress rule of aws_security_group.web",
        ]
    );
}

#[test]
fn a_load_balancer_without_a_listener_on_the_port_blocks() {
    let r = ask(
        "endpoint-load-balancer-in-front",
        "internet",
        "aws_lb.web",
        "81",
    );
    assert_eq!(
        denied_after(&r),
        [
            (Layer::SecurityGroupIngress, "no rule matches".to_owned()),
            (Layer::Listener, "no listener on this port".to_owned()),
        ]
    );
    // Port 80 has its listener and its rule.
    let r = ask(
        "endpoint-load-balancer-in-front",
        "internet",
        "aws_lb.web",
        "80",
    );
    assert_eq!(r.answers[1].verdict, Verdict::Reachable);
}

#[test]
fn a_private_database_is_unreachable_from_the_internet_whatever_its_group_says() {
    let r = ask(
        "endpoint-db-sg-open-to-world-private",
        "internet",
        "aws_db_instance.db",
        "5432",
    );
    assert_eq!(r.change, "not reachable before and after; the path changed");
    assert_eq!(
        denied_after(&r),
        [(Layer::Route, "8.8.8.8 routes to nowhere".to_owned())]
    );
}

// See: issue 14 item 3.
#[test]
fn a_path_between_two_vpcs_needs_a_route_on_each_side() {
    use HopVerdict::{Allowed, Denied};
    let scenario = "endpoint-peering-route-into-main-table";
    for from in ["aws_instance.app", "10.1.1.20"] {
        let r = ask(scenario, from, "aws_instance.db", "5432");
        let routes = |a: &why::Answer| -> Vec<(HopVerdict, String)> {
            a.path
                .hops
                .iter()
                .filter(|h| h.layer == Layer::Route)
                .map(|h| (h.verdict, h.reason.clone()))
                .collect()
        };
        let source = if from == "10.1.1.20" {
            from
        } else {
            "10.1.1.10"
        };
        let there = (
            Allowed,
            "10.0.2.10 routes to another network (peering:pcx-04a42d0b27c3fe13c)".to_owned(),
        );
        assert_eq!(
            routes(&r.answers[0]),
            [
                there.clone(),
                (Denied, format!("{source} routes to nowhere"))
            ],
            "{from}"
        );
        assert_eq!(
            routes(&r.answers[1]),
            [
                there,
                (
                    Allowed,
                    format!("{source} routes to another network (peering:pcx-04a42d0b27c3fe13c)")
                )
            ],
            "{from}"
        );
        assert_eq!(
            (r.answers[0].verdict, r.answers[1].verdict),
            (Verdict::Blocked, Verdict::Reachable),
            "{from}"
        );
        assert!(
            r.answers[0].fixes[0].contains("peering connection"),
            "{:?}",
            r.answers[0].fixes
        );
    }
}

// See: issue 14 item 1.
#[test]
fn the_main_table_of_the_plans_own_vpc_has_the_local_route_only() {
    for scenario in [
        "endpoint-main-table-subnet-gets-igw-table",
        "endpoint-route-into-main-table",
        "endpoint-main-route-table-association-to-igw-table",
    ] {
        let r = ask(scenario, "internet", "aws_instance.web", "443");
        assert_eq!(
            (r.answers[0].verdict, r.answers[1].verdict),
            (Verdict::Blocked, Verdict::Reachable),
            "{scenario}"
        );
        assert_eq!(
            denied_before(&r),
            [(Layer::Route, "8.8.8.8 routes to nowhere".to_owned())],
            "{scenario}"
        );
    }
}

/// The denying hops of the side before the change: (layer, reason).
fn denied_before(r: &why::Report) -> Vec<(Layer, String)> {
    denied_on(r, 0)
}
