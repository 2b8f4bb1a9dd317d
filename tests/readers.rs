//! What the readers make of input they cannot take at face value (issue 14, items
//! 9–14): values serde cannot hold, values AWS or the provider rejects, unknowns that
//! must widen only what they touch. Every test states the exact changes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn reachdiff() -> Command {
    Command::cargo_bin("reachdiff").unwrap()
}

/// A fresh scratch directory for one test, holding `files` (path → text).
fn tree(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("readers")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// A plan creating (or changing) the given resources: `(address, type, before, after,
/// after_unknown)`, written as text so that values serde cannot hold stay as written.
fn plan(resources: &[(&str, &str, &str, &str, &str)]) -> String {
    let changes: Vec<String> = resources
        .iter()
        .map(|(address, kind, before, after, unknown)| {
            let action = if *before == "null" { "create" } else { "update" };
            format!(
                r#"{{"address": "{address}", "mode": "managed", "type": "{kind}", "change": {{"actions": ["{action}"], "before": {before}, "after": {after}, "after_unknown": {unknown}}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": [{}]}}"#,
        changes.join(", ")
    )
}

/// Runs `reachdiff ARGS --format json --fail-on never` and returns the report.
fn report(args: &[&std::ffi::OsStr]) -> Value {
    let out = reachdiff()
        .args(args)
        .args(["--format", "json", "--fail-on", "never", "--no-config"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn report_of_plan(test: &str, plan_text: &str) -> Value {
    let dir = tree(test, &[("plan.json", plan_text)]);
    report(&["plan".as_ref(), dir.join("plan.json").as_os_str()])
}

/// Every rule-level change: `kind certainty subject direction protocol ports cidrs`.
fn changes(report: &Value) -> Vec<String> {
    changes_at(report, "rule")
}

/// Every change of `level` (`rule`, `endpoint`), as [`changes`] writes them.
fn changes_at(report: &Value, level: &str) -> Vec<String> {
    let mut out: Vec<String> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["level"] == level)
        .map(|c| {
            let principals = &c["peer"]["principals"];
            format!(
                "{} {} {} {} {} {} {}{}",
                c["kind"].as_str().unwrap(),
                c["certainty"].as_str().unwrap(),
                c["subject"].as_str().unwrap(),
                c["direction"].as_str().unwrap(),
                c["protocol"].as_str().unwrap(),
                c["ports"],
                c["peer"]["cidrs"],
                if principals.as_array().is_some_and(|p| !p.is_empty()) {
                    format!(" {principals}")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    out.sort();
    out
}

/// Every warning as `RESOURCE: MESSAGE`.
fn warnings(report: &Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            format!(
                "{}: {}",
                w["resource"].as_str().unwrap_or("-"),
                w["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn assert_warned(report: &Value, resource: &str, needle: &str) {
    let all = warnings(report);
    assert!(
        all.iter()
            .any(|w| w.starts_with(&format!("{resource}: ")) && w.contains(needle)),
        "expected a warning on {resource} containing {needle:?}, got {all:#?}"
    );
}

fn sg_rule(protocol: &str, from: &str, to: &str, cidrs: &str) -> String {
    format!(
        r#"{{"protocol": "{protocol}", "from_port": {from}, "to_port": {to}, "cidr_blocks": {cidrs}, "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}}"#
    )
}

fn group(ingress: &[String], extra: &str) -> String {
    format!(
        r#"{{"name": "web", "vpc_id": "vpc-1", "ingress": [{}], "egress": []{extra}}}"#,
        ingress.join(", ")
    )
}

// ---- item 12: fail-open reading ----

#[test]
fn values_serde_cannot_hold_are_widened_and_warned_not_dropped() {
    // A port of 1e400 and a CIDR with a lone surrogate: the group used to vanish from
    // the model with no warning, so the opening was missed.
    let after = group(
        &[
            sg_rule("tcp", "1e400", "22", r#"["0.0.0.0/0"]"#),
            sg_rule("udp", "53", "53", r#"["\ud800"]"#),
        ],
        "",
    );
    let r = report_of_plan(
        "unreadable-values",
        &plan(&[(
            "aws_security_group.web",
            "aws_security_group",
            "null",
            &after,
            r#"{"id": true}"#,
        )]),
    );
    assert_eq!(
        changes(&r),
        [
            r#"opened possible aws_security_group.web ingress tcp ["0-65535"] ["0.0.0.0/0"]"#,
            r#"opened possible aws_security_group.web ingress udp ["53"] ["0.0.0.0/0"]"#,
        ]
    );
    assert_warned(
        &r,
        "aws_security_group.web",
        "in `after`, values at ingress[0].from_port, ingress[1].cidr_blocks[0] cannot be read",
    );
}

#[test]
fn an_unreadable_attribute_the_model_does_not_use_costs_only_a_warning() {
    let after = group(
        &[sg_rule("tcp", "22", "22", r#"["0.0.0.0/0"]"#)],
        r#", "description": "caf\udce9""#,
    );
    let r = report_of_plan(
        "unreadable-description",
        &plan(&[(
            "aws_security_group.web",
            "aws_security_group",
            "null",
            &after,
            r#"{"id": true}"#,
        )]),
    );
    assert_eq!(
        changes(&r),
        [r#"opened definite aws_security_group.web ingress tcp ["22"] ["0.0.0.0/0"]"#]
    );
    assert_warned(
        &r,
        "aws_security_group.web",
        "the value at description cannot be read",
    );
}

#[test]
fn a_value_nested_past_the_parser_limit_makes_the_whole_side_unknown() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let after = format!(r#"{{"name": "web", "vpc_id": "vpc-1", "tags": {deep}}}"#);
    let r = report_of_plan(
        "unreadable-deep",
        &plan(&[(
            "aws_security_group.web",
            "aws_security_group",
            "null",
            &after,
            r#"{"id": true}"#,
        )]),
    );
    // Nothing of the group can be read: every rule is possible, both ways (never
    // "a new group without rules", which is what an unknown `ingress` otherwise means).
    let all = changes(&r);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(
        all[0].starts_with("opened possible aws_security_group.web egress all"),
        "{all:#?}"
    );
    assert!(
        all[1].starts_with("opened possible aws_security_group.web ingress all"),
        "{all:#?}"
    );
    assert_warned(&r, "aws_security_group.web", "nests deeper than 128 levels");
}

#[test]
fn an_unreadable_port_widens_to_the_protocol_with_a_warning() {
    // "abc" used to read as "no port": a definite tcp 0-65535, silently.
    let after = group(&[sg_rule("tcp", r#""abc""#, "22", r#"["10.0.0.0/8"]"#)], "");
    let r = report_of_plan(
        "unreadable-port",
        &plan(&[(
            "aws_security_group.web",
            "aws_security_group",
            "null",
            &after,
            r#"{"id": true}"#,
        )]),
    );
    assert_eq!(
        changes(&r),
        [r#"opened possible aws_security_group.web ingress tcp ["0-65535"] ["10.0.0.0/8"]"#]
    );
    assert_warned(
        &r,
        "aws_security_group.web",
        r#"ingress[0]: from_port "abc" is not a port number; treated as possibly the whole protocol"#,
    );
}

// ---- item 14: values AWS or the provider rejects ----

#[test]
fn cidrs_with_host_bits_are_read_as_their_network_possible_and_warned() {
    let after = group(
        &[
            sg_rule("tcp", "22", "22", r#"["10.0.0.1/8"]"#),
            sg_rule("tcp", "443", "443", r#"["0.0.1.0/0"]"#),
        ],
        "",
    );
    let r = report_of_plan(
        "host-bits",
        &plan(&[(
            "aws_security_group.web",
            "aws_security_group",
            "null",
            &after,
            r#"{"id": true}"#,
        )]),
    );
    assert_eq!(
        changes(&r),
        [
            r#"opened possible aws_security_group.web ingress tcp ["22"] ["10.0.0.0/8"]"#,
            r#"opened possible aws_security_group.web ingress tcp ["443"] ["0.0.0.0/0"]"#,
        ]
    );
    assert_warned(
        &r,
        "aws_security_group.web",
        r#"ingress[0]: "10.0.0.1/8" has host bits set beyond its prefix, which Terraform's AWS provider rejects; read as 10.0.0.0/8, possible"#,
    );
    assert_warned(
        &r,
        "aws_security_group.web",
        r#""0.0.1.0/0" has host bits set"#,
    );
}

#[test]
fn an_inline_all_protocol_rule_with_ports_is_possible_and_warned() {
    let after = group(&[sg_rule("-1", "0", "65535", r#"["10.0.0.0/8"]"#)], "");
    let r = report_of_plan(
        "all-with-ports",
        &plan(&[(
            "aws_security_group.web",
            "aws_security_group",
            "null",
            &after,
            r#"{"id": true}"#,
        )]),
    );
    assert_eq!(
        changes(&r),
        [r#"opened possible aws_security_group.web ingress all null ["10.0.0.0/8"]"#]
    );
    assert_warned(
        &r,
        "aws_security_group.web",
        "protocol -1 with ports 0-65535 fails at apply",
    );
}

#[test]
fn a_tcp_acl_entry_without_ports_is_possible_and_warned() {
    let rule = r#"{"network_acl_id": "acl-1", "rule_number": 100, "egress": false, "protocol": "tcp", "rule_action": "allow", "cidr_block": "10.0.0.0/8", "from_port": null, "to_port": null, "icmp_type": null, "icmp_code": null}"#;
    let r = report_of_plan(
        "acl-no-ports",
        &plan(&[(
            "aws_network_acl_rule.r",
            "aws_network_acl_rule",
            "null",
            rule,
            r#"{"id": true}"#,
        )]),
    );
    assert_eq!(
        changes(&r),
        [r#"opened possible acl-1 ingress tcp ["0-65535"] ["10.0.0.0/8"]"#]
    );
    assert_warned(
        &r,
        "aws_network_acl_rule.r",
        "a tcp entry without a port range, which AWS rejects; treated as possibly the whole protocol",
    );
}

#[test]
fn cloudformation_acl_entries_without_a_port_range_and_cidrs_with_host_bits_are_warned() {
    let dir = tree(
        "cfn-invalid",
        &[(
            "t.yaml",
            r"Resources:
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties:
      VpcId: vpc-1
  Entry:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 6
      RuleAction: allow
      CidrBlock: 10.0.0.0/8
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      VpcId: vpc-1
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 10.0.0.1/8
",
        )],
    );
    let r = report(&["plan".as_ref(), dir.join("t.yaml").as_os_str()]);
    // AWS masks the block: the rule is the network's, definitely. (The egress is
    // CloudFormation's default for a group without egress rules.)
    assert_eq!(
        changes(&r),
        [
            r#"opened definite Sg egress all null ["0.0.0.0/0"]"#,
            r#"opened definite Sg ingress tcp ["22"] ["10.0.0.0/8"]"#,
            r#"opened possible Acl ingress tcp ["0-65535"] ["10.0.0.0/8"]"#,
            r#"opened possible Sg egress all null ["::/0"]"#,
        ]
    );
    assert_warned(
        &r,
        "Entry",
        "a tcp entry without a port range, which AWS rejects",
    );
    assert_warned(
        &r,
        "Sg",
        r#""10.0.0.1/8" has host bits set beyond its prefix; AWS reads it as 10.0.0.0/8"#,
    );
}

// ---- item 9: count and for_each known only after apply ----

const DEFERRED: &str = r#"
variable "web_count" {
  type = number
}
variable "enable_ssh" {
  type = bool
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.main.id
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "ssh" {
  count             = var.enable_ssh ? 1 : 0
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["203.0.113.0/24"]
}
resource "aws_instance" "web" {
  count                       = var.web_count
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public.id
  vpc_security_group_ids      = [aws_security_group.web.id]
  associate_public_ip_address = true
}
"#;

#[test]
fn an_unknown_count_makes_one_possible_instance_not_nothing() {
    // Both resources used to be dropped: the SSH rule and the web servers were not in
    // the report, and the gate passed.
    let dir = tree("deferred", &[("main.tf", DEFERRED)]);
    let r = report(&["plan".as_ref(), dir.as_os_str()]);
    assert_eq!(
        changes(&r),
        [
            r#"opened definite aws_security_group.web ingress tcp ["443"] ["0.0.0.0/0"]"#,
            r#"opened possible aws_security_group.web ingress tcp ["22"] ["203.0.113.0/24"]"#,
        ]
    );
    // The instances may not exist: what reaches them is possible. (SSH from
    // 203.0.113.0/24 is possible twice over: the rule may not exist either.)
    assert_eq!(
        changes_at(&r, "endpoint"),
        [
            r#"opened possible aws_instance.web[*] ingress tcp ["22"] ["203.0.113.0/24"]"#,
            r#"opened possible aws_instance.web[*] ingress tcp ["443"] ["0.0.0.0/0"]"#,
        ]
    );
    for resource in ["aws_instance.web[*]", "aws_security_group_rule.ssh[*]"] {
        assert_warned(
            &r,
            resource,
            "its count or for_each (or its module's) is known only after apply, so its instances cannot be known before apply; this one stands for all of them",
        );
    }
}

#[test]
fn why_calls_a_flow_to_a_deferred_instance_possible() {
    let dir = tree("deferred-why", &[("main.tf", DEFERRED)]);
    let out = reachdiff()
        .args([
            "why",
            "--from",
            "internet",
            "--to",
            "aws_instance.web[*]",
            "--port",
            "443",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.ends_with("after: possibly reachable")),
        "{text}"
    );
    assert!(
        text.contains("may not exist: its count or for_each is known only after apply"),
        "{text}"
    );
}

// ---- item 10: one undeclared reference widens one field ----

const UNDECLARED: &str = r#"resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = "vpc-1"
  ingress = [
    {
      description      = "https from the load balancer"
      protocol         = "tcp"
      from_port        = 443
      to_port          = 443
      cidr_blocks      = []
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      self             = false
      security_groups  = [aws_security_group.gone.id]
    },
    {
      description      = "ssh from the office"
      protocol         = "tcp"
      from_port        = 22
      to_port          = 22
      cidr_blocks      = ["10.0.0.0/8"]
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      self             = false
      security_groups  = []
    },
  ]
}
"#;

#[test]
fn a_reference_to_an_undeclared_resource_widens_only_the_field_that_uses_it() {
    // The whole `ingress` list used to become unknown: possibly all traffic from
    // anywhere. Now the one `security_groups` is unknown; the other rule is exact.
    let dir = tree("undeclared", &[("main.tf", UNDECLARED)]);
    let r = report(&["plan".as_ref(), dir.as_os_str()]);
    assert_eq!(
        changes(&r),
        [
            r#"opened definite aws_security_group.web ingress tcp ["22"] ["10.0.0.0/8"]"#,
            r#"opened possible aws_security_group.web ingress tcp ["443"] [] ["sg:(known after apply)"]"#,
        ]
    );
    assert_warned(
        &r,
        "-",
        "main.tf:14: the configuration refers to resource aws_security_group.gone, which it does not declare",
    );
}

// ---- item 11: CloudFormation conditions ----

#[test]
fn an_undecidable_if_with_no_value_is_the_union_of_its_branches_as_possible() {
    // The whole rule list under `!If [cond, [rules], !Ref AWS::NoValue]`: the absent
    // branch used to be read as a rule that could not be read, so "possibly all
    // traffic from anywhere".
    let dir = tree(
        "cfn-if-novalue",
        &[(
            "t.yaml",
            r"Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: vpc-1
      SecurityGroupIngress: !If
        - IsProd
        - - IpProtocol: tcp
            FromPort: 443
            ToPort: 443
            CidrIp: 0.0.0.0/0
        - !Ref AWS::NoValue
      SecurityGroupEgress: !If
        - IsProd
        - - IpProtocol: tcp
            FromPort: 5432
            ToPort: 5432
            CidrIp: 10.0.0.0/16
        - !Ref AWS::NoValue
",
        )],
    );
    let r = report(&["plan".as_ref(), dir.join("t.yaml").as_os_str()]);
    // Egress: the rule in one branch, AWS's default (all traffic) in the other.
    assert_eq!(
        changes(&r),
        [
            r#"opened possible Sg egress all null ["0.0.0.0/0","::/0"]"#,
            r#"opened possible Sg ingress tcp ["443"] ["0.0.0.0/0"]"#,
        ]
    );
    assert_warned(
        &r,
        "Sg",
        "`SecurityGroupIngress` depends on a condition that cannot be decided offline; every variant is possible",
    );
}

// ---- item 13: change sets CloudFormation will not run ----

fn change_set_with_status(status: &str, reason: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/cloudformation/changesets/open-ssh-with-values.json"),
    )
    .unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["Status"] = status.into();
    v["StatusReason"] = reason.into();
    if reason.contains("didn't contain changes") {
        v["Changes"] = Value::Array(Vec::new());
    }
    v.to_string()
}

#[test]
fn a_failed_change_set_is_an_error_not_no_change() {
    let dir = tree(
        "failed-change-set",
        &[(
            "cs.json",
            &change_set_with_status(
                "FAILED",
                "Template format error: Unresolved resource dependencies [Vpc] in the Resources block of the template",
            ),
        )],
    );
    let out = reachdiff()
        .arg("plan")
        .arg(dir.join("cs.json"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cs.json: the change set open-ssh has Status FAILED (Template format error: Unresolved resource dependencies [Vpc] in the Resources block of the template), so CloudFormation will not run it"),
        "{err}"
    );
}

#[test]
fn a_change_set_failed_for_containing_no_changes_is_no_change_with_a_warning() {
    let dir = tree(
        "empty-change-set",
        &[(
            "cs.json",
            &change_set_with_status(
                "FAILED",
                "The submitted information didn't contain changes. Submit different information to create a change set.",
            ),
        )],
    );
    let r = report(&["plan".as_ref(), dir.join("cs.json").as_os_str()]);
    assert!(changes(&r).is_empty(), "{:#?}", changes(&r));
    assert_warned(
        &r,
        "-",
        "the change set open-ssh has Status FAILED because it contains no changes",
    );
}

// ---- item 13: classic load balancers ----

#[test]
fn a_classic_load_balancer_forwards_to_its_attached_instances() {
    // An internal classic load balancer, its instance registered by an
    // aws_elb_attachment: the VPC (not the internet) reaches the instance through it.
    let text = ELB_BASE.to_owned()
        + r#"
resource "aws_elb" "web" {
  name            = "web"
  internal        = true
  security_groups = [aws_security_group.lb.id]
  subnets         = [aws_subnet.a.id]
  listener {
    lb_port           = 443
    lb_protocol       = "tcp"
    instance_port     = 8443
    instance_protocol = "tcp"
  }
}
resource "aws_elb_attachment" "app" {
  elb      = aws_elb.web.id
  instance = aws_instance.app.id
}
"#;
    let dir = tree("classic-elb", &[("main.tf", &text)]);
    let r = report(&["plan".as_ref(), dir.as_os_str()]);
    let endpoint = changes_at(&r, "endpoint");
    assert_eq!(
        endpoint,
        [
            r#"opened definite aws_elb.web ingress tcp ["443"] ["10.0.0.0/16"]"#,
            r#"opened definite aws_instance.app ingress tcp ["8443"] ["10.0.0.0/16"]"#,
            r#"opened definite aws_instance.app ingress tcp ["8443"] [] ["ep:aws_elb.web"]"#,
        ],
        "{endpoint:#?}"
    );
    let via: Vec<String> = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["via"] == "aws_elb.web")
        .map(|c| format!("{} {} {}", c["subject"], c["ports"], c["peer"]["cidrs"]))
        .collect();
    assert_eq!(
        via,
        [r#""aws_instance.app" ["8443"] ["10.0.0.0/16"]"#],
        "{endpoint:#?}"
    );
}

const ELB_BASE: &str = r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table" "a" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.a.id
}
resource "aws_security_group" "lb" {
  name   = "lb"
  vpc_id = aws_vpc.main.id
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    protocol    = "tcp"
    from_port   = 8443
    to_port     = 8443
    cidr_blocks = ["10.0.1.0/24"]
  }
}
resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = aws_vpc.main.id
  ingress {
    protocol        = "tcp"
    from_port       = 8443
    to_port         = 8443
    security_groups = [aws_security_group.lb.id]
  }
}
resource "aws_instance" "app" {
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.a.id
  private_ip             = "10.0.1.10"
  vpc_security_group_ids = [aws_security_group.app.id]
}
"#;
