//! The worst realistic case for endpoint reachability, as `terraform show -json` writes
//! it: every instance in its own security group, groups referencing each other, and
//! instances spread over shared subnets that each have a network ACL.
//!
//! The configuration ([`configuration`]) is what a user would write:
//!
//! - one VPC (`10.0.0.0/16`) and `subnets` subnets `10.0.<s>.0/24`, each with its own
//!   network ACL (deny tcp 3389, allow everything else, in and out);
//! - `instances` security groups `g[i]`, each with six CIDR rules
//!   (`10.<i % 200>.<k>.0/24` on tcp 22, 80, 443, 8080, 5432 and 6379) and egress to
//!   everywhere;
//! - `instances` rule resources `ref[i]`: `g[i]` admits tcp 9000 from
//!   `g[(i + 1) % n]` (a cross-group reference by arithmetic index);
//! - `instances` instances `i[i]` in `g[i]`, in subnet `s[i % subnets]`.
//!
//! Two plans of it ([`plan`]):
//!
//! - [`Shape::Create`]: everything created at once. Ids are known only after apply, so
//!   the plan names subnets and groups through `configuration` references
//!   (`aws_subnet.s` with `count.index`), which a plan alone cannot pair with an index.
//!   This is the plan of the scale issue (1,500 instances: 14 MB, 4,701 resources), the
//!   same resources and values `terraform plan` wrote for [`configuration`].
//! - [`Shape::Update`]: everything exists (ids known) and the change touches a few
//!   things: every 50th group gains tcp 443 from anywhere, and subnet 0's ACL gains a
//!   deny for tcp 22 ahead of its allow.
//!
//! Output is deterministic for a given size.

#![allow(dead_code)] // Each bench uses a different part of the shared data.

use std::fmt::Write;

/// Which plan of the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Everything created at once.
    Create,
    /// Everything exists; a few groups and one ACL change.
    Update,
}

/// The six CIDR-rule ports of every group.
const PORTS: [u16; 6] = [22, 80, 443, 8080, 5432, 6379];

/// The Terraform configuration (one `main.tf`) the plans are made from.
#[must_use]
pub(crate) fn configuration(instances: usize, subnets: usize) -> String {
    format!(
        r#"variable "n" {{ default = {instances} }}
variable "subnets" {{ default = {subnets} }}

resource "aws_vpc" "main" {{ cidr_block = "10.0.0.0/16" }}

resource "aws_subnet" "s" {{
  count      = var.subnets
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}}

resource "aws_network_acl" "a" {{
  count      = var.subnets
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.s[count.index].id]
  ingress {{
    rule_no    = 100
    action     = "deny"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 3389
    to_port    = 3389
  }}
  ingress {{
    rule_no    = 200
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }}
  egress {{
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }}
}}

resource "aws_security_group" "g" {{
  count  = var.n
  vpc_id = aws_vpc.main.id
  name   = "g${{count.index}}"
  dynamic "ingress" {{
    for_each = [22, 80, 443, 8080, 5432, 6379]
    content {{
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["10.${{count.index % 200}}.${{ingress.key}}.0/24"]
    }}
  }}
  egress {{
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_security_group_rule" "ref" {{
  count                    = var.n
  type                     = "ingress"
  security_group_id        = aws_security_group.g[count.index].id
  source_security_group_id = aws_security_group.g[(count.index + 1) % var.n].id
  protocol                 = "tcp"
  from_port                = 9000
  to_port                  = 9000
}}

resource "aws_instance" "i" {{
  count                  = var.n
  ami                    = "ami-12c6146b"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.s[count.index % var.subnets].id
  vpc_security_group_ids = [aws_security_group.g[count.index].id]
}}
"#
    )
}

/// The plan of [`configuration`] in the given shape.
#[must_use]
pub(crate) fn plan(instances: usize, subnets: usize, shape: Shape) -> String {
    let mut w = Writer {
        shape,
        changes: String::with_capacity(instances * 9_000),
        planned: String::with_capacity(instances * 4_000),
        prior: String::new(),
    };
    // Terraform sorts resource changes by address.
    for i in 0..instances {
        w.instance(i, subnets);
    }
    for s in 0..subnets {
        w.acl(s);
    }
    for g in 0..instances {
        w.group(g, instances);
    }
    for r in 0..instances {
        w.rule(r, instances);
    }
    for s in 0..subnets {
        w.subnet(s);
    }
    w.vpc();
    let prior = if shape == Shape::Update {
        format!(
            r#","prior_state":{{"format_version":"1.0","terraform_version":"1.11.4","values":{{"root_module":{{"resources":[{}]}}}}}}"#,
            w.prior.trim_end_matches(',')
        )
    } else {
        String::new()
    };
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","variables":{{"n":{{"value":{instances}}},"subnets":{{"value":{subnets}}}}},"planned_values":{{"root_module":{{"resources":[{planned}]}}}},"resource_changes":[{changes}]{prior},"configuration":{{"provider_config":{{"aws":{{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws","version_constraint":"5.100.0"}}}},"root_module":{{"resources":[{CONFIG}],"variables":{{"n":{{"default":{instances}}},"subnets":{{"default":{subnets}}}}}}}}},"relevant_attributes":[{{"resource":"aws_security_group.g","attribute":[]}},{{"resource":"aws_subnet.s","attribute":[]}},{{"resource":"aws_vpc.main","attribute":["id"]}}],"timestamp":"2026-12-05T00:00:00Z","applyable":true,"complete":true,"errored":false}}"#,
        planned = w.planned.trim_end_matches(','),
        changes = w.changes.trim_end_matches(','),
    )
}

/// The `configuration` section, as Terraform writes it for [`configuration`].
const CONFIG: &str = r#"{"address":"aws_instance.i","mode":"managed","type":"aws_instance","name":"i","provider_config_key":"aws","expressions":{"ami":{"constant_value":"ami-12c6146b"},"instance_type":{"constant_value":"t3.micro"},"subnet_id":{"references":["aws_subnet.s","count.index","var.subnets"]},"vpc_security_group_ids":{"references":["aws_security_group.g","count.index"]}},"schema_version":1,"count_expression":{"references":["var.n"]}},{"address":"aws_network_acl.a","mode":"managed","type":"aws_network_acl","name":"a","provider_config_key":"aws","expressions":{"egress":{"constant_value":[{"action":"allow","cidr_block":"0.0.0.0/0","from_port":0,"icmp_code":null,"icmp_type":null,"ipv6_cidr_block":null,"protocol":"-1","rule_no":100,"to_port":0}]},"ingress":{"constant_value":[{"action":"deny","cidr_block":"0.0.0.0/0","from_port":3389,"icmp_code":null,"icmp_type":null,"ipv6_cidr_block":null,"protocol":"tcp","rule_no":100,"to_port":3389},{"action":"allow","cidr_block":"0.0.0.0/0","from_port":0,"icmp_code":null,"icmp_type":null,"ipv6_cidr_block":null,"protocol":"-1","rule_no":200,"to_port":0}]},"subnet_ids":{"references":["aws_subnet.s","count.index"]},"vpc_id":{"references":["aws_vpc.main.id","aws_vpc.main"]}},"schema_version":0,"count_expression":{"references":["var.subnets"]}},{"address":"aws_security_group.g","mode":"managed","type":"aws_security_group","name":"g","provider_config_key":"aws","expressions":{"egress":{"constant_value":[{"cidr_blocks":["0.0.0.0/0"],"description":null,"from_port":0,"ipv6_cidr_blocks":null,"prefix_list_ids":null,"protocol":"-1","security_groups":null,"self":null,"to_port":0}]},"name":{"references":["count.index"]},"vpc_id":{"references":["aws_vpc.main.id","aws_vpc.main"]}},"schema_version":1,"count_expression":{"references":["var.n"]}},{"address":"aws_security_group_rule.ref","mode":"managed","type":"aws_security_group_rule","name":"ref","provider_config_key":"aws","expressions":{"from_port":{"constant_value":9000},"protocol":{"constant_value":"tcp"},"security_group_id":{"references":["aws_security_group.g","count.index"]},"source_security_group_id":{"references":["aws_security_group.g","count.index","var.n"]},"to_port":{"constant_value":9000},"type":{"constant_value":"ingress"}},"schema_version":2,"count_expression":{"references":["var.n"]}},{"address":"aws_subnet.s","mode":"managed","type":"aws_subnet","name":"s","provider_config_key":"aws","expressions":{"cidr_block":{"references":["count.index"]},"vpc_id":{"references":["aws_vpc.main.id","aws_vpc.main"]}},"schema_version":1,"count_expression":{"references":["var.subnets"]}},{"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main","provider_config_key":"aws","expressions":{"cidr_block":{"constant_value":"10.0.0.0/16"}},"schema_version":1}"#;

const VPC_ID: &str = "vpc-0a1b2c3d4e5f60718";

fn group_id(g: usize) -> String {
    format!("sg-{g:017x}")
}

fn subnet_id(s: usize) -> String {
    format!("subnet-{s:017x}")
}

struct Writer {
    shape: Shape,
    changes: String,
    planned: String,
    prior: String,
}

impl Writer {
    /// One resource: its change, its planned values and (updates) its prior state.
    /// `before`/`after` are the objects; `unknown` the `after_unknown` tree on create;
    /// `sensitive` the sensitivity tree of the values.
    #[allow(clippy::too_many_arguments)] // the resource's parts, spelled out
    fn resource(
        &mut self,
        kind: &str,
        name: &str,
        index: Option<usize>,
        action: &str,
        before: Option<&str>,
        after: &str,
        unknown: &str,
        sensitive: &str,
    ) {
        let address = match index {
            Some(i) => format!("{kind}.{name}[{i}]"),
            None => format!("{kind}.{name}"),
        };
        let index = index
            .map(|i| format!(r#","index":{i}"#))
            .unwrap_or_default();
        let (before_sensitive, after_unknown) = match before {
            Some(_) => (sensitive, "{}"),
            None => ("false", unknown),
        };
        let _ = write!(
            self.changes,
            r#"{{"address":"{address}","mode":"managed","type":"{kind}","name":"{name}"{index},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["{action}"],"before":{b},"after":{after},"after_unknown":{after_unknown},"before_sensitive":{before_sensitive},"after_sensitive":{sensitive}}}}},"#,
            b = before.unwrap_or("null"),
        );
        let _ = write!(
            self.planned,
            r#"{{"address":"{address}","mode":"managed","type":"{kind}","name":"{name}"{index},"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":1,"values":{after},"sensitive_values":{sensitive}}},"#,
        );
        if let Some(before) = before {
            let _ = write!(
                self.prior,
                r#"{{"address":"{address}","mode":"managed","type":"{kind}","name":"{name}"{index},"provider_name":"registry.terraform.io/hashicorp/aws","schema_version":1,"values":{before},"sensitive_values":{sensitive}}},"#,
            );
        }
    }

    fn instance(&mut self, i: usize, subnets: usize) {
        const SENSITIVE: &str = r#"{"capacity_reservation_specification":[],"cpu_options":[],"credit_specification":[],"ebs_block_device":[],"enclave_options":[],"ephemeral_block_device":[],"instance_market_options":[],"ipv6_addresses":[],"launch_template":[],"maintenance_options":[],"metadata_options":[],"network_interface":[],"private_dns_name_options":[],"root_block_device":[],"secondary_private_ips":[],"security_groups":[],"tags_all":{},"vpc_security_group_ids":[]}"#;
        match self.shape {
            Shape::Create => self.resource(
                "aws_instance",
                "i",
                Some(i),
                "create",
                None,
                r#"{"ami":"ami-12c6146b","credit_specification":[],"get_password_data":false,"hibernation":null,"instance_type":"t3.micro","launch_template":[],"source_dest_check":true,"tags":null,"timeouts":null,"user_data_replace_on_change":false,"volume_tags":null}"#,
                r#"{"arn":true,"associate_public_ip_address":true,"availability_zone":true,"capacity_reservation_specification":true,"cpu_core_count":true,"cpu_options":true,"cpu_threads_per_core":true,"credit_specification":[],"disable_api_stop":true,"disable_api_termination":true,"ebs_block_device":true,"ebs_optimized":true,"enable_primary_ipv6":true,"enclave_options":true,"ephemeral_block_device":true,"host_id":true,"host_resource_group_arn":true,"iam_instance_profile":true,"id":true,"instance_initiated_shutdown_behavior":true,"instance_lifecycle":true,"instance_market_options":true,"instance_state":true,"ipv6_address_count":true,"ipv6_addresses":true,"key_name":true,"launch_template":[],"maintenance_options":true,"metadata_options":true,"monitoring":true,"network_interface":true,"outpost_arn":true,"password_data":true,"placement_group":true,"placement_partition_number":true,"primary_network_interface_id":true,"private_dns":true,"private_dns_name_options":true,"private_ip":true,"public_dns":true,"public_ip":true,"root_block_device":true,"secondary_private_ips":true,"security_groups":true,"spot_instance_request_id":true,"subnet_id":true,"tags_all":true,"tenancy":true,"user_data":true,"user_data_base64":true,"vpc_security_group_ids":true}"#,
                SENSITIVE,
            ),
            Shape::Update => {
                let s = i % subnets;
                let host = 10 + i / subnets;
                let values = format!(
                    r#"{{"ami":"ami-12c6146b","arn":"arn:aws:ec2:us-east-1::instance/i-{i:017x}","associate_public_ip_address":false,"availability_zone":"us-east-1a","capacity_reservation_specification":[],"cpu_core_count":null,"cpu_options":[],"cpu_threads_per_core":null,"credit_specification":[{{"cpu_credits":"standard"}}],"disable_api_stop":false,"disable_api_termination":false,"ebs_block_device":[],"ebs_optimized":false,"enable_primary_ipv6":null,"enclave_options":[],"ephemeral_block_device":[],"get_password_data":false,"hibernation":false,"host_id":"","host_resource_group_arn":null,"iam_instance_profile":"","id":"i-{i:017x}","instance_initiated_shutdown_behavior":"stop","instance_lifecycle":"","instance_market_options":[],"instance_state":"running","instance_type":"t3.micro","ipv6_address_count":0,"ipv6_addresses":[],"key_name":"","launch_template":[],"maintenance_options":[],"metadata_options":[],"monitoring":false,"network_interface":[],"outpost_arn":"","password_data":"","placement_group":"","placement_partition_number":0,"primary_network_interface_id":"eni-{i:017x}","private_dns":"ip-10-0-{s}-{host}.ec2.internal","private_dns_name_options":[],"private_ip":"10.0.{s}.{host}","public_dns":"","public_ip":"","root_block_device":[],"secondary_private_ips":[],"security_groups":[],"source_dest_check":true,"spot_instance_request_id":"","subnet_id":"{subnet}","tags":null,"tags_all":{{}},"tenancy":"default","timeouts":null,"user_data":null,"user_data_base64":null,"user_data_replace_on_change":false,"volume_tags":null,"vpc_security_group_ids":["{group}"]}}"#,
                    subnet = subnet_id(s),
                    group = group_id(i),
                );
                self.resource(
                    "aws_instance",
                    "i",
                    Some(i),
                    "no-op",
                    Some(&values),
                    &values,
                    "{}",
                    SENSITIVE,
                );
            }
        }
    }

    fn acl(&mut self, s: usize) {
        let entry = |action: &str, protocol: &str, no: u16, port: u16| {
            format!(
                r#"{{"action":"{action}","cidr_block":"0.0.0.0/0","from_port":{port},"icmp_code":null,"icmp_type":null,"ipv6_cidr_block":"","protocol":"{protocol}","rule_no":{no},"to_port":{port}}}"#
            )
        };
        let allow_all = entry("allow", "-1", 200, 0);
        let rdp = entry("deny", "tcp", 100, 3389);
        let egress = entry("allow", "-1", 100, 0);
        match self.shape {
            Shape::Create => {
                let after =
                    format!(r#"{{"egress":[{egress}],"ingress":[{allow_all},{rdp}],"tags":null}}"#);
                self.resource(
                    "aws_network_acl",
                    "a",
                    Some(s),
                    "create",
                    None,
                    &after,
                    r#"{"arn":true,"egress":[{}],"id":true,"ingress":[{},{}],"owner_id":true,"subnet_ids":true,"tags_all":true,"vpc_id":true}"#,
                    r#"{"egress":[{}],"ingress":[{},{}],"subnet_ids":[],"tags_all":{}}"#,
                );
            }
            Shape::Update => {
                let values = |ingress: &str| {
                    format!(
                        r#"{{"arn":"arn:aws:ec2:us-east-1:123456789012:network-acl/acl-{s:017x}","egress":[{egress}],"id":"acl-{s:017x}","ingress":[{ingress}],"owner_id":"123456789012","subnet_ids":["{subnet}"],"tags":null,"tags_all":{{}},"vpc_id":"{VPC_ID}"}}"#,
                        subnet = subnet_id(s),
                    )
                };
                let before = values(&format!("{allow_all},{rdp}"));
                // Subnet 0's ACL denies ssh ahead of its allow.
                let (action, after) = if s == 0 {
                    let ssh = entry("deny", "tcp", 110, 22);
                    ("update", values(&format!("{allow_all},{rdp},{ssh}")))
                } else {
                    ("no-op", before.clone())
                };
                self.resource(
                    "aws_network_acl",
                    "a",
                    Some(s),
                    action,
                    Some(&before),
                    &after,
                    "{}",
                    r#"{"egress":[{}],"ingress":[{},{}],"subnet_ids":[],"tags_all":{}}"#,
                );
            }
        }
    }

    fn group(&mut self, g: usize, n: usize) {
        let rule = |port: u16, cidr: &str| {
            format!(
                r#"{{"cidr_blocks":["{cidr}"],"description":"","from_port":{port},"ipv6_cidr_blocks":[],"prefix_list_ids":[],"protocol":"tcp","security_groups":[],"self":false,"to_port":{port}}}"#
            )
        };
        let ingress: Vec<String> = PORTS
            .iter()
            .enumerate()
            .map(|(k, p)| rule(*p, &format!("10.{}.{k}.0/24", g % 200)))
            .collect();
        let egress = r#"{"cidr_blocks":["0.0.0.0/0"],"description":"","from_port":0,"ipv6_cidr_blocks":[],"prefix_list_ids":[],"protocol":"-1","security_groups":[],"self":false,"to_port":0}"#;
        let cell = r#"{"cidr_blocks":[false],"ipv6_cidr_blocks":[],"prefix_list_ids":[],"security_groups":[]}"#;
        let cells = |n: usize| vec![cell; n].join(",");
        let sensitive = format!(
            r#"{{"egress":[{cell}],"ingress":[{}],"tags_all":{{}}}}"#,
            cells(ingress.len())
        );
        match self.shape {
            Shape::Create => {
                let after = format!(
                    r#"{{"description":"Managed by Terraform","egress":[{egress}],"ingress":[{}],"name":"g{g}","revoke_rules_on_delete":false,"tags":null,"timeouts":null}}"#,
                    ingress.join(",")
                );
                let unknown = format!(
                    r#"{{"arn":true,"egress":[{cell}],"id":true,"ingress":[{}],"name_prefix":true,"owner_id":true,"tags_all":true,"vpc_id":true}}"#,
                    cells(ingress.len())
                );
                self.resource(
                    "aws_security_group",
                    "g",
                    Some(g),
                    "create",
                    None,
                    &after,
                    &unknown,
                    &sensitive,
                );
            }
            Shape::Update => {
                let id = group_id(g);
                let values = |ingress: &[String]| {
                    format!(
                        r#"{{"arn":"arn:aws:ec2:us-east-1:123456789012:security-group/{id}","description":"Managed by Terraform","egress":[{egress}],"id":"{id}","ingress":[{}],"name":"g{g}","name_prefix":"","owner_id":"123456789012","revoke_rules_on_delete":false,"tags":null,"tags_all":{{}},"timeouts":null,"vpc_id":"{VPC_ID}"}}"#,
                        ingress.join(",")
                    )
                };
                // The rule resource's rule reappears in the refreshed group.
                let mut before_rules = ingress.clone();
                before_rules.push(format!(
                    r#"{{"cidr_blocks":[],"description":"","from_port":9000,"ipv6_cidr_blocks":[],"prefix_list_ids":[],"protocol":"tcp","security_groups":["{}"],"self":false,"to_port":9000}}"#,
                    group_id((g + 1) % n)
                ));
                let before = values(&before_rules);
                let (action, after) = if g.is_multiple_of(50) {
                    let mut after_rules = before_rules.clone();
                    after_rules.push(rule(443, "0.0.0.0/0"));
                    ("update", values(&after_rules))
                } else {
                    ("no-op", before.clone())
                };
                self.resource(
                    "aws_security_group",
                    "g",
                    Some(g),
                    action,
                    Some(&before),
                    &after,
                    "{}",
                    &sensitive,
                );
            }
        }
    }

    fn rule(&mut self, r: usize, n: usize) {
        match self.shape {
            Shape::Create => self.resource(
                "aws_security_group_rule",
                "ref",
                Some(r),
                "create",
                None,
                r#"{"cidr_blocks":null,"description":null,"from_port":9000,"ipv6_cidr_blocks":null,"prefix_list_ids":null,"protocol":"tcp","self":false,"timeouts":null,"to_port":9000,"type":"ingress"}"#,
                r#"{"id":true,"security_group_id":true,"security_group_rule_id":true,"source_security_group_id":true}"#,
                "{}",
            ),
            Shape::Update => {
                let values = format!(
                    r#"{{"cidr_blocks":null,"description":null,"from_port":9000,"id":"sgrule-{r:010}","ipv6_cidr_blocks":null,"prefix_list_ids":null,"protocol":"tcp","security_group_id":"{}","security_group_rule_id":"sgr-{r:017x}","self":false,"source_security_group_id":"{}","timeouts":null,"to_port":9000,"type":"ingress"}}"#,
                    group_id(r),
                    group_id((r + 1) % n),
                );
                self.resource(
                    "aws_security_group_rule",
                    "ref",
                    Some(r),
                    "no-op",
                    Some(&values),
                    &values,
                    "{}",
                    "{}",
                );
            }
        }
    }

    fn subnet(&mut self, s: usize) {
        match self.shape {
            Shape::Create => {
                let after = format!(
                    r#"{{"assign_ipv6_address_on_creation":false,"cidr_block":"10.0.{s}.0/24","customer_owned_ipv4_pool":null,"enable_dns64":false,"enable_lni_at_device_index":null,"enable_resource_name_dns_a_record_on_launch":false,"enable_resource_name_dns_aaaa_record_on_launch":false,"ipv6_cidr_block":null,"ipv6_native":false,"map_customer_owned_ip_on_launch":null,"map_public_ip_on_launch":false,"outpost_arn":null,"tags":null,"timeouts":null}}"#
                );
                self.resource(
                    "aws_subnet",
                    "s",
                    Some(s),
                    "create",
                    None,
                    &after,
                    r#"{"arn":true,"availability_zone":true,"availability_zone_id":true,"id":true,"ipv6_cidr_block_association_id":true,"owner_id":true,"private_dns_hostname_type_on_launch":true,"tags_all":true,"vpc_id":true}"#,
                    r#"{"tags_all":{}}"#,
                );
            }
            Shape::Update => {
                let values = format!(
                    r#"{{"arn":"arn:aws:ec2:us-east-1:123456789012:subnet/{id}","assign_ipv6_address_on_creation":false,"availability_zone":"us-east-1a","availability_zone_id":"use1-az1","cidr_block":"10.0.{s}.0/24","customer_owned_ipv4_pool":"","enable_dns64":false,"enable_lni_at_device_index":0,"enable_resource_name_dns_a_record_on_launch":false,"enable_resource_name_dns_aaaa_record_on_launch":false,"id":"{id}","ipv6_cidr_block":"","ipv6_cidr_block_association_id":"","ipv6_native":false,"map_customer_owned_ip_on_launch":false,"map_public_ip_on_launch":false,"outpost_arn":"","owner_id":"123456789012","private_dns_hostname_type_on_launch":"ip-name","tags":null,"tags_all":{{}},"timeouts":null,"vpc_id":"{VPC_ID}"}}"#,
                    id = subnet_id(s)
                );
                self.resource(
                    "aws_subnet",
                    "s",
                    Some(s),
                    "no-op",
                    Some(&values),
                    &values,
                    "{}",
                    r#"{"tags_all":{}}"#,
                );
            }
        }
    }

    fn vpc(&mut self) {
        match self.shape {
            Shape::Create => self.resource(
                "aws_vpc",
                "main",
                None,
                "create",
                None,
                r#"{"assign_generated_ipv6_cidr_block":null,"cidr_block":"10.0.0.0/16","enable_dns_support":true,"instance_tenancy":"default","ipv4_ipam_pool_id":null,"ipv4_netmask_length":null,"ipv6_ipam_pool_id":null,"ipv6_netmask_length":null,"tags":null}"#,
                r#"{"arn":true,"default_network_acl_id":true,"default_route_table_id":true,"default_security_group_id":true,"dhcp_options_id":true,"enable_dns_hostnames":true,"enable_network_address_usage_metrics":true,"id":true,"ipv6_association_id":true,"ipv6_cidr_block":true,"ipv6_cidr_block_network_border_group":true,"main_route_table_id":true,"owner_id":true,"tags_all":true}"#,
                r#"{"tags_all":{}}"#,
            ),
            Shape::Update => {
                let values = format!(
                    r#"{{"arn":"arn:aws:ec2:us-east-1:123456789012:vpc/{VPC_ID}","assign_generated_ipv6_cidr_block":false,"cidr_block":"10.0.0.0/16","default_network_acl_id":"acl-0default000000000","default_route_table_id":"rtb-0main00000000000","default_security_group_id":"sg-0default000000000","dhcp_options_id":"dopt-0000000000000000","enable_dns_hostnames":false,"enable_dns_support":true,"enable_network_address_usage_metrics":false,"id":"{VPC_ID}","instance_tenancy":"default","ipv4_ipam_pool_id":null,"ipv4_netmask_length":null,"ipv6_association_id":"","ipv6_cidr_block":"","ipv6_cidr_block_network_border_group":"","ipv6_ipam_pool_id":"","ipv6_netmask_length":0,"main_route_table_id":"rtb-0main00000000000","owner_id":"123456789012","tags":null,"tags_all":{{}}}}"#
                );
                self.resource(
                    "aws_vpc",
                    "main",
                    None,
                    "no-op",
                    Some(&values),
                    &values,
                    "{}",
                    r#"{"tags_all":{}}"#,
                );
            }
        }
    }
}
