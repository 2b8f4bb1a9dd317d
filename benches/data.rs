//! Named benchmark inputs: a generator of large synthetic Terraform plans.
//!
//! The plan has the shape `terraform show -json` writes (format 1.2): every resource in
//! `resource_changes` with `before`/`after`/`after_unknown`/sensitivity trees, plus
//! `planned_values`, `prior_state` and `configuration`, so parsing cost is realistic.
//! Each group gets `RULES` inline rules and an in-place update that widens one port
//! range; two rule resources per group target a group managed elsewhere (by id); every
//! tenth group has a network ACL whose deny and allow for SSH swap rule numbers.
//! Output is deterministic for a given size.

#![allow(dead_code)] // Each bench uses a different part of the shared data.

use std::fmt::Write;

/// Inline rules per security group.
pub(crate) const RULES: usize = 8;

/// A plan with `groups` security groups (and `groups / 10` network ACLs).
#[must_use]
pub(crate) fn synthetic_plan(groups: usize) -> String {
    let mut changes = Vec::with_capacity(groups * 4);
    let mut planned = Vec::with_capacity(groups * 4);
    let mut prior = Vec::with_capacity(groups * 4);
    let mut config = Vec::with_capacity(groups * 4);
    for g in 0..groups {
        let id = format!("sg-{g:017x}");
        let before_rules = sg_rules(g, false);
        let after_rules = sg_rules(g, true);
        let before = format!(
            r#"{{"arn":"arn:aws:ec2:us-east-1:123456789012:security-group/{id}","description":"group {g}","egress":[{egress}],"id":"{id}","ingress":[{before_rules}],"name":"group-{g}","name_prefix":"","owner_id":"123456789012","revoke_rules_on_delete":false,"tags":{{"Name":"group-{g}","team":"t{t}"}},"tags_all":{{"Name":"group-{g}","team":"t{t}"}},"timeouts":null,"vpc_id":"vpc-0123456789abcdef0"}}"#,
            egress = rule_json("-1", 0, 0, "0.0.0.0/0"),
            t = g % 7
        );
        let after = before.replace(&before_rules, &after_rules);
        let address = format!("aws_security_group.g{g}");
        changes.push(change(
            &address,
            "aws_security_group",
            &format!("g{g}"),
            "update",
            Some(&before),
            Some(&after),
        ));
        planned.push(value(
            &address,
            "aws_security_group",
            &format!("g{g}"),
            &after,
        ));
        prior.push(value(
            &address,
            "aws_security_group",
            &format!("g{g}"),
            &before,
        ));
        config.push(format!(
            r#"{{"address":"{address}","mode":"managed","type":"aws_security_group","name":"g{g}","provider_config_key":"aws","expressions":{{"description":{{"constant_value":"group {g}"}},"ingress":{{"constant_value":[]}},"name":{{"constant_value":"group-{g}"}},"vpc_id":{{"constant_value":"vpc-0123456789abcdef0"}}}},"schema_version":1}}"#
        ));
        for r in 0..2 {
            let rule = format!(
                r#"{{"cidr_blocks":["10.{a}.{b}.0/24"],"description":"rule {r}","from_port":{p},"id":"sgrule-{g}{r}","ipv6_cidr_blocks":null,"prefix_list_ids":null,"protocol":"tcp","security_group_id":"sg-e{g:016x}","security_group_rule_id":"sgr-{g:015x}{r}","self":false,"source_security_group_id":null,"timeouts":null,"to_port":{p},"type":"ingress"}}"#,
                a = g % 256,
                b = (g / 256) % 256,
                p = 8000 + r
            );
            let address = format!("aws_security_group_rule.g{g}_r{r}");
            changes.push(change(
                &address,
                "aws_security_group_rule",
                &format!("g{g}_r{r}"),
                "no-op",
                Some(&rule),
                Some(&rule),
            ));
            planned.push(value(
                &address,
                "aws_security_group_rule",
                &format!("g{g}_r{r}"),
                &rule,
            ));
            prior.push(value(
                &address,
                "aws_security_group_rule",
                &format!("g{g}_r{r}"),
                &rule,
            ));
        }
        if g % 10 == 0 {
            acl_resources(g, &mut changes, &mut planned, &mut prior);
        }
    }
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{{"root_module":{{"resources":[{planned}]}}}},"resource_changes":[{changes}],"prior_state":{{"format_version":"1.0","terraform_version":"1.11.4","values":{{"root_module":{{"resources":[{prior}]}}}}}},"configuration":{{"provider_config":{{"aws":{{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws"}}}},"root_module":{{"resources":[{config}]}}}},"timestamp":"2026-11-27T00:00:00Z","applyable":true,"complete":true,"errored":false}}"#,
        planned = planned.join(","),
        changes = changes.join(","),
        prior = prior.join(","),
        config = config.join(",")
    )
}

/// A network ACL whose first two inbound entries (deny 22, allow 22) swap numbers.
fn acl_resources(
    g: usize,
    changes: &mut Vec<String>,
    planned: &mut Vec<String>,
    prior: &mut Vec<String>,
) {
    let acl_id = format!("acl-{g:017x}");
    let entries = |swap: bool| -> String {
        (0..10)
                .map(|e| {
                    let (n, action) = match (e, swap) {
                (0, false) => (100, "deny"),
                (0, true) => (110, "deny"),
                (1, false) => (110, "allow"),
                (1, true) => (100, "allow"),
                _ => (200 + e * 10, "allow"),
            };
                    format!(
                        r#"{{"action":"{action}","cidr_block":"{c}","from_port":{p},"icmp_code":0,"icmp_type":0,"ipv6_cidr_block":"","protocol":"6","rule_no":{n},"to_port":{p}}}"#,
                        c = if e < 2 { "0.0.0.0/0".to_owned() } else { format!("172.{e}.0.0/16") },
                        p = if e < 2 { 22 } else { 1000 + e }
                    )
                })
                .collect::<Vec<_>>()
                .join(",")
    };
    let acl = |swap: bool| {
        format!(
            r#"{{"arn":"arn:aws:ec2:us-east-1:123456789012:network-acl/{acl_id}","egress":[{e}],"id":"{acl_id}","ingress":[{i}],"owner_id":"123456789012","subnet_ids":["subnet-{g:017x}"],"tags":{{}},"tags_all":{{}},"vpc_id":"vpc-0123456789abcdef0"}}"#,
            e = entries(false),
            i = entries(swap)
        )
    };
    let address = format!("aws_network_acl.a{g}");
    changes.push(change(
        &address,
        "aws_network_acl",
        &format!("a{g}"),
        "update",
        Some(&acl(false)),
        Some(&acl(true)),
    ));
    planned.push(value(
        &address,
        "aws_network_acl",
        &format!("a{g}"),
        &acl(true),
    ));
    prior.push(value(
        &address,
        "aws_network_acl",
        &format!("a{g}"),
        &acl(false),
    ));
}

/// A VPC with an internet gateway and `subnets` subnets, even ones on a public route
/// table and odd ones on a private one.
fn fleet_network(subnets: usize, changes: &mut Vec<String>) {
    let vpc = r#"{"cidr_block":"10.0.0.0/16","default_network_acl_id":"acl-default","default_security_group_id":"sg-default","id":"vpc-1","ipv6_cidr_block":"","main_route_table_id":"rtb-main"}"#;
    changes.push(change(
        "aws_vpc.main",
        "aws_vpc",
        "main",
        "no-op",
        Some(vpc),
        Some(vpc),
    ));
    let igw = r#"{"id":"igw-1","vpc_id":"vpc-1"}"#;
    changes.push(change(
        "aws_internet_gateway.main",
        "aws_internet_gateway",
        "main",
        "no-op",
        Some(igw),
        Some(igw),
    ));
    let rt = r#"{"id":"rtb-public","vpc_id":"vpc-1","route":[{"cidr_block":"0.0.0.0/0","gateway_id":"igw-1","ipv6_cidr_block":"","destination_prefix_list_id":"","nat_gateway_id":"","egress_only_gateway_id":"","transit_gateway_id":"","vpc_peering_connection_id":"","vpc_endpoint_id":"","network_interface_id":"","carrier_gateway_id":"","local_gateway_id":"","core_network_arn":""}]}"#;
    changes.push(change(
        "aws_route_table.public",
        "aws_route_table",
        "public",
        "no-op",
        Some(rt),
        Some(rt),
    ));
    let rt_private = r#"{"id":"rtb-private","vpc_id":"vpc-1","route":[]}"#;
    changes.push(change(
        "aws_route_table.private",
        "aws_route_table",
        "private",
        "no-op",
        Some(rt_private),
        Some(rt_private),
    ));
    for s in 0..subnets {
        let v = format!(
            r#"{{"cidr_block":"10.0.{s}.0/24","id":"subnet-{s}","ipv6_cidr_block":"","map_public_ip_on_launch":false,"vpc_id":"vpc-1"}}"#
        );
        changes.push(change(
            &format!("aws_subnet.s{s}"),
            "aws_subnet",
            &format!("s{s}"),
            "no-op",
            Some(&v),
            Some(&v),
        ));
        let table = if s % 2 == 0 {
            "rtb-public"
        } else {
            "rtb-private"
        };
        let a = format!(
            r#"{{"id":"rtbassoc-{s}","route_table_id":"{table}","subnet_id":"subnet-{s}","gateway_id":""}}"#
        );
        changes.push(change(
            &format!("aws_route_table_association.s{s}"),
            "aws_route_table_association",
            &format!("s{s}"),
            "no-op",
            Some(&a),
            Some(&a),
        ));
    }
}

fn sg_rules(g: usize, after: bool) -> String {
    (0..RULES)
        .map(|r| {
            let port = 1000 + (g * 7 + r * 13) % 60000;
            let to = if after && r == 0 { port + 50 } else { port };
            let cidr = format!("10.{}.{}.0/24", (g + r) % 256, (g / 256 + r) % 256);
            rule_json("tcp", port, to, &cidr)
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn rule_json(protocol: &str, from: usize, to: usize, cidr: &str) -> String {
    format!(
        r#"{{"cidr_blocks":["{cidr}"],"description":"","from_port":{from},"ipv6_cidr_blocks":[],"prefix_list_ids":[],"protocol":"{protocol}","security_groups":[],"self":false,"to_port":{to}}}"#
    )
}

fn change(
    address: &str,
    kind: &str,
    name: &str,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut s = String::with_capacity(before.map_or(0, str::len) * 3);
    let _ = write!(
        s,
        r#"{{"address":"{address}","mode":"managed","type":"{kind}","name":"{name}","provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["{action}"],"before":{b},"after":{a},"after_unknown":{{}},"before_sensitive":{{"tags":{{}},"tags_all":{{}}}},"after_sensitive":{{"tags":{{}},"tags_all":{{}}}}}}}}"#,
        b = before.unwrap_or("null"),
        a = after.unwrap_or("null"),
    );
    s
}

fn value(address: &str, kind: &str, name: &str, values: &str) -> String {
    format!(
        r#"{{"address":"{address}","mode":"managed","type":"{kind}","name":"{name}","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":1,"values":{values},"sensitive_values":{{}}}}"#
    )
}

/// A plan with a VPC, `configs` distinct (subnet, security group) configurations and
/// `instances` instances spread over them; every fifth configuration's group widens a
/// port range in the change, and half the subnets route to an internet gateway with
/// every tenth instance holding an Elastic IP.
#[must_use]
pub(crate) fn synthetic_fleet(instances: usize, configs: usize) -> String {
    let subnets = (configs / 10).clamp(1, 250);
    let mut changes = Vec::new();
    let mut config = Vec::new();
    fleet_network(subnets, &mut changes);
    for c in 0..configs {
        let rules = |widen: bool| -> String {
            let to = if widen { 8090 } else { 8080 };
            [
                rule_json("tcp", 8080, to, "10.0.0.0/16"),
                rule_json("tcp", 443, 443, "0.0.0.0/0"),
                rule_json("tcp", 22, 22, &format!("10.{}.0.0/16", c % 200)),
            ]
            .join(",")
        };
        let sg = |widen: bool| {
            format!(
                r#"{{"description":"config {c}","egress":[{e}],"id":"sg-c{c}","ingress":[{i}],"name":"config-{c}","vpc_id":"vpc-1"}}"#,
                e = rule_json("-1", 0, 0, "0.0.0.0/0"),
                i = rules(widen)
            )
        };
        let action = if c.is_multiple_of(5) {
            "update"
        } else {
            "no-op"
        };
        let (b, a) = (sg(false), sg(c.is_multiple_of(5)));
        changes.push(change(
            &format!("aws_security_group.c{c}"),
            "aws_security_group",
            &format!("c{c}"),
            action,
            Some(&b),
            Some(&a),
        ));
        config.push(format!(
            r#"{{"address":"aws_security_group.c{c}","mode":"managed","type":"aws_security_group","name":"c{c}","provider_config_key":"aws","expressions":{{"ingress":{{"constant_value":[]}}}},"schema_version":1}}"#
        ));
    }
    for i in 0..instances {
        let c = i % configs;
        let s = c % subnets;
        let public = if s.is_multiple_of(2) && i.is_multiple_of(10) {
            format!("127.0.{}.{}", i / 250 % 250, i % 250)
        } else {
            String::new()
        };
        let v = format!(
            r#"{{"associate_public_ip_address":false,"id":"i-{i:08x}","ipv6_address_count":0,"ipv6_addresses":[],"network_interface":[],"primary_network_interface_id":"eni-{i:08x}","private_ip":"","public_ip":"{public}","security_groups":[],"subnet_id":"subnet-{s}","vpc_security_group_ids":["sg-c{c}"]}}"#
        );
        changes.push(change(
            &format!("aws_instance.i{i}"),
            "aws_instance",
            &format!("i{i}"),
            "no-op",
            Some(&v),
            Some(&v),
        ));
    }
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{{"root_module":{{}}}},"resource_changes":[{changes}],"configuration":{{"root_module":{{"resources":[{config}]}}}}}}"#,
        changes = changes.join(","),
        config = config.join(",")
    )
}

/// A `CloudFormation` template (YAML, short-form tags) with one VPC and `groups`
/// security groups of `RULES` ingress rules each, referencing the VPC and a parameter;
/// `widened` widens one port range per group (the change `template_diff` measures).
#[must_use]
pub(crate) fn synthetic_template(groups: usize, widened: bool) -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Office:\n    Type: String\n    Default: 203.0.113.0/24\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n",
    );
    for g in 0..groups {
        let _ = write!(
            t,
            "  Group{g}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: !Sub \"group {g} in ${{Vpc}}\"\n      VpcId: !Ref Vpc\n      SecurityGroupIngress:\n"
        );
        for r in 0..RULES {
            let port = 1000 + r * 10;
            let to = if widened && r == 0 { port + 5 } else { port };
            let cidr = if r % 2 == 0 {
                "!Ref Office".to_owned()
            } else {
                format!("10.{}.{}.0/24", g % 250, r)
            };
            let _ = writeln!(
                t,
                "        - {{IpProtocol: tcp, FromPort: {port}, ToPort: {to}, CidrIp: {cidr}}}"
            );
        }
    }
    t
}

/// A Terraform configuration tree of about `20 × tiers` resources, as files (path →
/// text): a root module with one VPC and a `tier` module instance per tier (`for_each`
/// over a map), each tier calling a nested `sg` module; variables, locals, `count`,
/// `for_each`, a `dynamic` block and `cidrsubnet` on every tier. `widened` opens one
/// more port on every tier, so every tier changes.
pub(crate) fn synthetic_configuration(tiers: usize, widened: bool) -> Vec<(String, String)> {
    use std::fmt::Write as _;
    let mut vars = String::from("tiers = {\n");
    for t in 0..tiers {
        let ports = if widened {
            "[443, 8443, 9000]"
        } else {
            "[443, 8443]"
        };
        let _ = writeln!(vars, "  t{t:04} = {{ index = {t}, ports = {ports} }}");
    }
    vars.push_str("}\n");
    vec![
        ("main.tf".to_owned(), ROOT_MODULE.to_owned()),
        ("terraform.tfvars".to_owned(), vars),
        ("modules/tier/main.tf".to_owned(), TIER_MODULE.to_owned()),
        ("modules/sg/main.tf".to_owned(), SG_MODULE.to_owned()),
    ]
}

/// The root module of [`synthetic_configuration`].
const ROOT_MODULE: &str = r#"variable "tiers" {
  type = map(object({ index = number, ports = list(number) }))
}

locals {
  vpc_cidr = "10.0.0.0/8"
}

resource "aws_vpc" "main" {
  cidr_block = local.vpc_cidr
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

module "tier" {
  source   = "./modules/tier"
  for_each = var.tiers

  name     = each.key
  vpc_id   = aws_vpc.main.id
  igw_id   = aws_internet_gateway.main.id
  cidr     = cidrsubnet(local.vpc_cidr, 12, each.value.index)
  ports    = each.value.ports
}
"#;

/// One tier: a public subnet, its route table and ACL, five hosts, and the `sg` module.
const TIER_MODULE: &str = r#"variable "name" { type = string }
variable "vpc_id" { type = string }
variable "igw_id" { type = string }
variable "cidr" { type = string }
variable "ports" { type = list(number) }

locals {
  hosts = 5
}

resource "aws_subnet" "this" {
  vpc_id                  = var.vpc_id
  cidr_block              = var.cidr
  map_public_ip_on_launch = true
}

resource "aws_route_table" "this" {
  vpc_id = var.vpc_id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = var.igw_id
  }
}

resource "aws_route_table_association" "this" {
  subnet_id      = aws_subnet.this.id
  route_table_id = aws_route_table.this.id
}

resource "aws_network_acl" "this" {
  vpc_id     = var.vpc_id
  subnet_ids = [aws_subnet.this.id]

  dynamic "ingress" {
    for_each = var.ports
    content {
      rule_no    = 100 + ingress.key
      action     = "allow"
      protocol   = "tcp"
      from_port  = ingress.value
      to_port    = ingress.value
      cidr_block = "0.0.0.0/0"
    }
  }

  ingress {
    rule_no    = 90
    action     = "deny"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = "${cidrhost(var.cidr, 5)}/32"
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = "0.0.0.0/0"
  }
}

module "sg" {
  source = "../sg"
  name   = var.name
  vpc_id = var.vpc_id
  ports  = var.ports
}

resource "aws_instance" "host" {
  count                  = local.hosts
  ami                    = "ami-12345678"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.this.id
  vpc_security_group_ids = [module.sg.id]
  tags                   = { Name = format("%s-%02d", var.name, count.index) }
}
"#;

/// A tier's security group, with `for_each` rule resources.
const SG_MODULE: &str = r#"variable "name" { type = string }
variable "vpc_id" { type = string }
variable "ports" { type = list(number) }

locals {
  admin = { ssh = 22, rdp = 3389, winrm = 5986 }
}

resource "aws_security_group" "this" {
  name   = "${var.name}-web"
  vpc_id = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "web" {
  for_each          = toset([for p in var.ports : tostring(p)])
  security_group_id = aws_security_group.this.id
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "admin" {
  for_each          = local.admin
  security_group_id = aws_security_group.this.id
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "10.0.0.0/8"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.this.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

output "id" {
  value = aws_security_group.this.id
}
"#;
