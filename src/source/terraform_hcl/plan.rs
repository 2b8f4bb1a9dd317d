//! Two evaluated configurations → the `terraform show -json` plan between them, for the
//! plan reader.
//!
//! reachdiff reads a configuration directory by evaluating it (the parent module) and
//! handing the result to the same reader as a real plan, so that both paths share one
//! model builder. This module writes that plan. It says what Terraform would say where
//! configuration and a plan differ:
//!
//! - every managed resource has its symbolic identities (`sg-aws_security_group.web`),
//!   the same on both sides, so references need no guessing;
//! - rules written as blocks that Terraform leaves alone when omitted (`ingress` of a
//!   security group, `route` of a route table) are empty when the resource is created
//!   and keep their earlier value when a later configuration stops setting them;
//! - attributes the provider computes when they are omitted (an instance's security
//!   groups, a database's port) are unknown, unless the earlier configuration set them,
//!   which Terraform keeps;
//! - values the configuration cannot know are unknown on *both* sides (the
//!   `before_unknown` extension of the plan reader), and data sources are read, never
//!   changed.
//!
//! Not here: evaluation (the parent module) and any network semantics (the reader).
//! Replacement cannot be told from configuration, so a changed resource is an update.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Configuration, Resource, SourceLocation};
use crate::source::Location;
use crate::source::terraform_plan::address::Address;

/// Rules written as blocks in "attributes as blocks" mode: omitted means "leave what is
/// there alone" (empty when Terraform creates the resource).
const KEPT_BLOCKS: &[(&str, &[&str])] = &[
    ("aws_security_group", &["ingress", "egress"]),
    ("aws_network_acl", &["ingress", "egress"]),
    ("aws_route_table", &["route"]),
    ("aws_default_route_table", &["route"]),
];

/// Optional and computed attributes that matter to the model: omitted, the provider
/// picks a value at apply (unknown here); no longer set, the earlier value stays.
const COMPUTED: &[(&str, &[&str])] = &[
    (
        "aws_instance",
        &[
            "vpc_security_group_ids",
            "security_groups",
            "subnet_id",
            "associate_public_ip_address",
            "ipv6_addresses",
        ],
    ),
    ("aws_network_acl", &["subnet_ids"]),
    ("aws_network_interface", &["security_groups"]),
    ("aws_lb", &["security_groups", "subnets"]),
    ("aws_alb", &["security_groups", "subnets"]),
    ("aws_elb", &["security_groups", "subnets", "instances"]),
    (
        "aws_db_instance",
        &["vpc_security_group_ids", "db_subnet_group_name", "port"],
    ),
    (
        "aws_rds_cluster",
        &["vpc_security_group_ids", "db_subnet_group_name", "port"],
    ),
    ("aws_rds_cluster_instance", &["db_subnet_group_name"]),
    (
        "aws_elasticache_cluster",
        &["security_group_ids", "subnet_group_name", "port"],
    ),
    ("aws_vpc_endpoint", &["security_group_ids", "subnet_ids"]),
];

fn listed<'t>(table: &'t [(&str, &'t [&'t str])], kind: &str) -> &'t [&'t str] {
    table
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[], |(_, attrs)| attrs)
}

fn index(c: Option<&Configuration>) -> BTreeMap<&str, &Resource> {
    c.map(|c| {
        c.resources
            .iter()
            .map(|r| (r.address.as_str(), r))
            .collect()
    })
    .unwrap_or_default()
}

/// Where each resource of `config` is written, by address, and each nested block under
/// `ADDRESS BLOCK`: by position (`aws_security_group.web ingress[0]`) when
/// `positional`, which only holds for the plan synthesized from this configuration (a
/// real plan orders set-valued blocks its own way), and an ACL's rules by number
/// (`aws_network_acl.a ingress rule 100`), which holds for any plan.
#[must_use]
pub fn locations(config: &Configuration, positional: bool) -> BTreeMap<String, Location> {
    let mut out = BTreeMap::new();
    for r in &config.resources {
        out.insert(r.address.clone(), location(&r.location));
        for (block, at) in &r.blocks {
            if positional {
                out.insert(format!("{} {block}", r.address), location(at));
            }
            if let Some(number) = acl_rule_number(r, block) {
                let direction = block.split('[').next().unwrap_or_default();
                out.insert(
                    format!("{} {direction} rule {number}", r.address),
                    location(at),
                );
            }
        }
    }
    out
}

/// The `rule_no` of an inline network ACL rule block (`ingress[2]`).
fn acl_rule_number(r: &Resource, block: &str) -> Option<i64> {
    if !matches!(
        r.kind.as_str(),
        "aws_network_acl" | "aws_default_network_acl"
    ) {
        return None;
    }
    let (direction, rest) = block.split_once('[')?;
    let index: usize = rest.strip_suffix(']')?.parse().ok()?;
    r.values
        .get(direction)?
        .get(index)?
        .get("rule_no")?
        .as_i64()
}

/// The plan (JSON, as `terraform show -json` writes it, plus `before_unknown`) that
/// takes the network from `before` (nothing, when `None`) to `after`.
#[must_use]
pub fn synthesize(before: Option<&Configuration>, after: &Configuration) -> String {
    let (old, new) = (index(before), index(Some(after)));
    let mut addresses: Vec<&str> = old.keys().chain(new.keys()).copied().collect();
    addresses.sort_unstable();
    addresses.dedup();

    let mut changes = Vec::with_capacity(addresses.len());
    let mut deferred = Vec::new();
    let mut config = ModuleConfig::default();
    for address in addresses {
        let (b, a) = (old.get(address).copied(), new.get(address).copied());
        let Some(r) = a.or(b) else { continue };
        // An instance standing for instances not known before apply goes where
        // Terraform puts such changes (1.9+, with deferrals allowed), with its reason.
        if a.or(b).is_some_and(|r| r.deferred) {
            deferred.push(json!({
                "reason": "instance_count_unknown",
                "resource_change": change(r, b, a),
            }));
        } else {
            changes.push(change(r, b, a));
        }
        config.add(r);
    }
    let plan = json!({
        "format_version": "1.2",
        "resource_changes": changes,
        "deferred_changes": deferred,
        "configuration": { "root_module": config.to_json() },
    });
    plan.to_string()
}

fn location(at: &SourceLocation) -> Location {
    Location::in_file(&at.file, at.line, at.column)
}

/// One side of a resource as the plan shows it: values and what is unknown.
#[derive(Clone)]
struct SideValues {
    values: Map<String, Value>,
    unknown: Map<String, Value>,
}

impl SideValues {
    fn of(r: &Resource) -> Self {
        let obj = |v: &Value| match v {
            Value::Object(o) => o.clone(),
            _ => Map::new(),
        };
        Self {
            values: obj(&r.values),
            unknown: obj(&r.unknown),
        }
    }

    fn sets(&self, attr: &str) -> bool {
        self.values.contains_key(attr) || self.unknown.contains_key(attr)
    }

    fn copy_from(&mut self, other: &Self, attr: &str) {
        match other.values.get(attr) {
            Some(v) => self.values.insert(attr.to_owned(), v.clone()),
            None => self.values.remove(attr),
        };
        match other.unknown.get(attr) {
            Some(u) => self.unknown.insert(attr.to_owned(), u.clone()),
            None => self.unknown.remove(attr),
        };
    }
}

/// The side as the resource is first created from its configuration.
fn created(r: &Resource) -> SideValues {
    let mut side = SideValues::of(r);
    if r.data {
        return side;
    }
    for attr in listed(KEPT_BLOCKS, &r.kind) {
        if !side.sets(attr) {
            side.values
                .insert((*attr).to_owned(), Value::Array(Vec::new()));
        }
    }
    // Launched without security groups, an instance or interface gets its VPC's
    // default group: configuration says so where a plan only says "known after apply".
    let groups = match r.kind.as_str() {
        "aws_instance" if !side.sets("security_groups") && !side.sets("network_interface") => {
            Some("vpc_security_group_ids")
        }
        "aws_network_interface" => Some("security_groups"),
        _ => None,
    };
    if let Some(attr) = groups.filter(|a| !side.sets(a)) {
        side.values
            .insert(attr.to_owned(), Value::Array(Vec::new()));
    }
    for attr in listed(COMPUTED, &r.kind) {
        if !side.sets(attr) {
            side.unknown.insert((*attr).to_owned(), Value::Bool(true));
        }
    }
    side
}

/// The after side of a resource that existed before: what the configuration no longer
/// sets but Terraform keeps comes from the earlier side.
fn updated(r: &Resource, earlier: &SideValues) -> SideValues {
    let mut side = created(r);
    if r.data {
        return side;
    }
    let own = SideValues::of(r);
    for attr in listed(KEPT_BLOCKS, &r.kind)
        .iter()
        .chain(listed(COMPUTED, &r.kind))
    {
        if !own.sets(attr) && earlier.sets(attr) {
            side.copy_from(earlier, attr);
        }
    }
    side
}

/// The `resource_changes` entry of `r` (the after side's resource, else the before
/// side's) between its two sides.
fn change(r: &Resource, before: Option<&Resource>, after: Option<&Resource>) -> Value {
    let old = before.map(created);
    let new = after.map(|a| match &old {
        Some(old) => updated(a, old),
        None => created(a),
    });
    let action = match (&old, &new) {
        _ if r.data => "no-op",
        (None, _) => "create",
        (_, None) => "delete",
        (Some(o), Some(n)) if o.values == n.values && o.unknown == n.unknown => "no-op",
        _ => "update",
    };
    // A data source is read, not changed: the same object on both sides.
    let (old, new) = if r.data {
        let side = new.or(old);
        (side.clone(), side)
    } else {
        (old, new)
    };
    let values = |s: &Option<SideValues>| {
        s.as_ref()
            .map_or(Value::Null, |s| Value::Object(s.values.clone()))
    };
    let unknown = |s: &Option<SideValues>| {
        s.as_ref().map_or(Value::Object(Map::new()), |s| {
            Value::Object(s.unknown.clone())
        })
    };
    json!({
        "address": r.address,
        "mode": if r.data { "data" } else { "managed" },
        "type": r.kind,
        "name": r.name,
        "change": {
            "actions": [action],
            "before": values(&old),
            "after": values(&new),
            "before_unknown": unknown(&old),
            "after_unknown": unknown(&new),
        },
    })
}

/// The `configuration` section: which attributes each resource block sets, so that the
/// reader tells "not set" from "unknown". Known values are constants; an unknown one is
/// an expression the reader cannot follow.
#[derive(Default)]
struct ModuleConfig {
    resources: BTreeMap<String, Map<String, Value>>,
    calls: BTreeMap<String, ModuleConfig>,
}

impl ModuleConfig {
    fn add(&mut self, r: &Resource) {
        let Some(addr) = Address::parse(&r.address) else {
            return;
        };
        let mut module = self;
        for name in addr.module_names() {
            module = module.calls.entry(name.to_owned()).or_default();
        }
        let expressions = module.resources.entry(addr.config_address()).or_default();
        let side = SideValues::of(r);
        for (attr, value) in &side.values {
            // Identities the evaluator filled in are not configuration.
            let symbolic = super::identity::symbolic(&r.kind, &r.address, attr);
            if value
                .as_str()
                .is_some_and(|v| symbolic.as_deref() == Some(v))
            {
                continue;
            }
            let expr = if side.unknown.get(attr).is_some_and(contains_unknown) {
                json!({})
            } else {
                json!({ "constant_value": value })
            };
            expressions.insert(attr.clone(), expr);
        }
        for (attr, u) in &side.unknown {
            if !side.values.contains_key(attr) && contains_unknown(u) {
                expressions.insert(attr.clone(), json!({}));
            }
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "resources": self.resources.iter().map(|(address, expressions)| json!({
                "address": address,
                "expressions": expressions,
            })).collect::<Vec<_>>(),
            "module_calls": self.calls.iter().map(|(name, m)| (name.clone(), json!({
                "expressions": {},
                "module": m.to_json(),
            }))).collect::<Map<String, Value>>(),
        })
    }
}

/// `true` when an `unknown` mask marks anything unknown.
fn contains_unknown(mask: &Value) -> bool {
    match mask {
        Value::Bool(b) => *b,
        Value::Array(a) => a.iter().any(contains_unknown),
        Value::Object(o) => o.values().any(contains_unknown),
        _ => false,
    }
}
