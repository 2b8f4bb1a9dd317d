//! Network ACLs from a plan: `aws_network_acl` and `aws_default_network_acl` with their
//! inline `ingress`/`egress` entries and `subnet_ids`, plus `aws_network_acl_rule` and
//! `aws_network_acl_association`.
//!
//! AWS keys an entry by (direction, rule number), so that is how inline entries and
//! rule resources are matched: an inline entry whose number belongs to a rule resource
//! is that resource's entry reappearing in the refreshed ACL.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::common::{
    Both, Parts, cidr_peer, host_bits, owners, scope, warn_conflicting_styles, whole_family,
};
use super::refs::Want;
use super::values::Side;
use super::{Entry, Plan, Sides};
use crate::header_space::service::{has_ports, is_icmp};
use crate::header_space::{PeerSet, ServiceSet};
use crate::model::{
    Action, Certainty, Direction, NaclRule, NetworkAcl, Origin, Protocol, nacl_services,
};
use crate::source::ChangeAction;
use crate::warning::{WarningKind, Warnings};

const ACL_KINDS: [&str; 2] = ["aws_network_acl", "aws_default_network_acl"];

type Acls = BTreeMap<String, NetworkAcl>;

/// Builds the before and after network ACLs of the plan.
pub(super) fn build(plan: &Plan<'_>, warnings: &mut Warnings) -> (Acls, Acls) {
    let mut b = Builder { plan, warnings };
    let mut both: Both<NaclRule> = Both::default();
    super::with_sides(super::entries_of(plan, &ACL_KINDS), |i, e, sides| {
        b.add_acl(i, e, &sides, &mut both);
    });
    super::with_sides(
        super::entries_of(
            plan,
            &["aws_network_acl_rule", "aws_network_acl_association"],
        ),
        |i, e, sides| b.add_rule_or_association(i, e, &sides, &mut both),
    );
    both.add_unmanaged("acl-");
    warn_conflicting_styles(
        plan,
        b.warnings,
        &both.after,
        |r: &NaclRule| r.direction,
        "aws_network_acl_rule",
    );
    assemble(both)
}

/// Puts each ACL's entries together: an inline entry whose (direction, number) belongs
/// to a rule resource (before or after) is that resource's entry reappearing.
fn assemble(both: Both<NaclRule>) -> (Acls, Acls) {
    let numbers = |rules: &[NaclRule]| -> BTreeSet<(Direction, u32)> {
        rules
            .iter()
            .filter_map(|r| r.number.map(|n| (r.direction, n)))
            .collect()
    };
    let before_numbers: BTreeMap<String, BTreeSet<(Direction, u32)>> = both
        .before
        .iter()
        .map(|(k, p)| (k.clone(), numbers(&p.resources)))
        .collect();
    let side = |parts: BTreeMap<String, Parts<NaclRule>>| -> Acls {
        parts
            .into_iter()
            .filter(|(_, p)| p.exists)
            .map(|(key, p)| {
                let mut taken = before_numbers.get(&key).cloned().unwrap_or_default();
                taken.extend(numbers(&p.resources));
                let mut rules = p.resources;
                rules.extend(
                    p.inline
                        .into_iter()
                        .filter(|r| r.number.is_none_or(|n| !taken.contains(&(r.direction, n)))),
                );
                let acl = NetworkAcl {
                    key: key.clone(),
                    id: p.id,
                    vpc: p.vpc,
                    is_default: p.is_default,
                    managed: p.managed,
                    from_context: false,
                    subnets: p.subnets.into_iter().collect(),
                    rules,
                    tags: p.tags,
                };
                (key, acl)
            })
            .collect()
    };
    (side(both.before), side(both.after))
}

/// AWS's entries in a default network ACL: rule 100 allows all IPv4 traffic each way,
/// and rule 101 all IPv6 traffic when the VPC has IPv6 (possible when unknown).
fn default_acl_rules(key: &str, had_ipv6: Option<bool>) -> Vec<NaclRule> {
    let mut rules = Vec::new();
    for direction in Direction::BOTH {
        rules.push(NaclRule {
            direction,
            number: Some(100),
            action: Some(Action::Allow),
            services: ServiceSet::all(),
            peers: whole_family(true),
            certainty: Certainty::Definite,
            origin: Origin::new(key, format!("AWS default {direction} rule 100")),
        });
        if had_ipv6 != Some(false) {
            rules.push(NaclRule {
                direction,
                number: Some(101),
                action: Some(Action::Allow),
                services: ServiceSet::all(),
                peers: whole_family(false),
                certainty: if had_ipv6 == Some(true) {
                    Certainty::Definite
                } else {
                    Certainty::Possible
                },
                origin: Origin::new(key, format!("AWS default {direction} rule 101")),
            });
        }
    }
    rules
}

struct Builder<'p, 'a, 'w> {
    plan: &'p Plan<'a>,
    warnings: &'w mut Warnings,
}

impl Builder<'_, '_, '_> {
    /// Adds an ACL resource's own entries and subnets on both sides.
    fn add_acl(&mut self, i: usize, e: &Entry<'_>, sides: &Sides, both: &mut Both<NaclRule>) {
        let key = e.label();
        let is_default = e.kind == "aws_default_network_acl";
        if let (Some(v), Some(side)) = (&sides.before, sides.side(false)) {
            let subnets = self.subnets(i, side, "subnet_ids");
            let mut inline = Vec::new();
            for dir in Direction::BOTH {
                inline.extend(self.inline_rules(i, dir, side, false));
            }
            let p = both.slot(false, &key);
            p.present(v, is_default);
            p.subnets.extend(subnets);
            p.inline.extend(inline);
        } else if is_default && e.action == ChangeAction::Create {
            // Adoption deletes the entries AWS put in the default ACL.
            let acl_id = sides
                .after
                .as_ref()
                .and_then(|v| v.get("default_network_acl_id"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            let vpc = self.vpc_of_default_acl(i, acl_id);
            let facts = self.plan.vpc_facts(vpc, acl_id.is_some());
            if facts.existed_before {
                let p = both.slot(false, &key);
                p.exists = true;
                p.managed = true;
                p.is_default = true;
                p.inline = default_acl_rules(&key, facts.had_ipv6);
            }
        }
        if let Some(v) = &sides.after {
            let side = sides.side(true).expect("after is present");
            let fresh = matches!(e.action, ChangeAction::Create | ChangeAction::Replace);
            let subnets = self.subnets(i, side, "subnet_ids");
            let mut inline = Vec::new();
            for dir in Direction::BOTH {
                inline.extend(self.inline_rules(i, dir, side, fresh));
            }
            let p = both.slot(true, &key);
            p.present(v, is_default);
            p.subnets.extend(subnets);
            p.inline.extend(inline);
        }
    }

    /// Adds an `aws_network_acl_rule` entry, or an association's subnet, to the ACL it
    /// belongs to, on both sides.
    fn add_rule_or_association(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        sides: &Sides,
        both: &mut Both<NaclRule>,
    ) {
        let is_rule = e.kind == "aws_network_acl_rule";
        for after in [false, true] {
            let Some(side) = sides.side(after) else {
                continue;
            };
            for (owner, certainty) in owners(
                self.plan,
                self.warnings,
                i,
                side,
                after,
                "network_acl_id",
                Want::NetworkAcl,
                "(unknown network ACL)",
            ) {
                if is_rule {
                    if let Some(mut r) = self.rule_resource(i, side) {
                        if certainty == Certainty::Possible {
                            r.certainty = Certainty::Possible;
                        }
                        both.slot(after, &owner).resources.push(r);
                    }
                } else {
                    let subnets = self.subnets(i, side, "subnet_id");
                    both.slot(after, &owner).subnets.extend(subnets);
                }
            }
        }
    }

    fn label(&self, entry: usize) -> String {
        self.plan.entries[entry].label()
    }

    /// The VPC whose default ACL an `aws_default_network_acl` adopts.
    fn vpc_of_default_acl(&self, entry: usize, acl_id: Option<&str>) -> Option<usize> {
        if let Some(v) = acl_id.and_then(|id| self.plan.vpc_by_default_id(id)) {
            return Some(v);
        }
        self.plan
            .resolve_reference(
                entry,
                "default_network_acl_id",
                &|e, a| {
                    matches!(e.kind.as_str(), "aws_vpc" | "aws_default_vpc")
                        && a == Some("default_network_acl_id")
                },
                "acl-",
            )
            .entries
            .first()
            .copied()
    }

    /// Subnet ids or, for subnets created in the plan, their resource addresses.
    fn subnets(&mut self, entry: usize, side: Side<'_>, attr: &str) -> Vec<String> {
        self.plan
            .refs(
                entry,
                side.key(attr),
                attr,
                Want::Subnet,
                false,
                self.warnings,
            )
            .known()
            .collect()
    }

    fn rule_resource(&mut self, entry: usize, side: Side<'_>) -> Option<NaclRule> {
        let direction = match side.key("egress") {
            s if s.is_unknown() => {
                let label = self.label(entry);
                self.warnings.push(
                    WarningKind::UnknownValue,
                    Some(&label),
                    "whether the entry is egress is known only after apply; read as ingress",
                );
                Direction::Ingress
            }
            s if s.bool() == Some(true) => Direction::Egress,
            _ => Direction::Ingress,
        };
        let fields = Fields {
            number: side.key("rule_number"),
            action: side.key("rule_action"),
            protocol: side.key("protocol"),
            cidr4: side.key("cidr_block"),
            cidr6: side.key("ipv6_cidr_block"),
            from: side.key("from_port"),
            to: side.key("to_port"),
            icmp_type: side.key("icmp_type"),
            icmp_code: side.key("icmp_code"),
        };
        let label = self.label(entry);
        self.rule(direction, &fields, &label, None)
    }

    /// Entries of an inline `ingress`/`egress` attribute on one side. `fresh`: a new
    /// object, where an attribute the configuration does not set means no entries.
    fn inline_rules(
        &mut self,
        entry: usize,
        direction: Direction,
        acl: Side<'_>,
        fresh: bool,
    ) -> Vec<NaclRule> {
        let attr = direction.as_str();
        let list = acl.key(attr);
        let label = self.label(entry);
        if list.is_unknown() {
            let sets = self.plan.configured(entry, attr);
            if fresh && sets != Some(true) {
                if sets.is_none() {
                    self.warnings.push(
                        WarningKind::Input,
                        Some(&label),
                        format!("`{attr}` is known only after apply and the plan has no configuration for the ACL; assumed to have no entries"),
                    );
                }
                return Vec::new();
            }
            self.warnings.push(
                WarningKind::UnknownValue,
                Some(&label),
                format!("every `{attr}` entry is known only after apply; treated as possibly allowing all traffic"),
            );
            return vec![NaclRule {
                direction,
                number: None,
                action: None,
                services: ServiceSet::all(),
                peers: whole_family(true).union(&whole_family(false)),
                certainty: Certainty::Possible,
                origin: Origin::new(label, attr),
            }];
        }
        let mut out = Vec::new();
        for (n, item) in list.items().enumerate() {
            let fields = Fields {
                number: item.key("rule_no"),
                action: item.key("action"),
                protocol: item.key("protocol"),
                cidr4: item.key("cidr_block"),
                cidr6: item.key("ipv6_cidr_block"),
                from: item.key("from_port"),
                to: item.key("to_port"),
                icmp_type: item.key("icmp_type"),
                icmp_code: item.key("icmp_code"),
            };
            out.extend(self.rule(direction, &fields, &label, Some(n)));
        }
        out
    }

    fn rule(
        &mut self,
        direction: Direction,
        f: &Fields<'_>,
        label: &str,
        position: Option<usize>,
    ) -> Option<NaclRule> {
        let number = if f.number.is_unknown() {
            None
        } else {
            f.number.int()
        };
        let number = number.and_then(|n| u32::try_from(n).ok());
        let rule_label = match (number, position) {
            (Some(n), _) => format!("{direction} rule {n}"),
            (None, Some(p)) => format!("{direction}[{p}]"),
            (None, None) => direction.as_str().to_owned(),
        };
        let origin = Origin::new(label, rule_label);
        let mut certainty = Certainty::Definite;
        let note = |w: &mut Warnings, kind, msg: String| {
            w.push(kind, Some(label), format!("{}{msg}", scope(&origin)));
        };
        if number.is_none() {
            if f.number.is_unknown() {
                note(
                    self.warnings,
                    WarningKind::UnknownValue,
                    "the rule number is known only after apply; its order is uncertain".into(),
                );
            } else {
                note(
                    self.warnings,
                    WarningKind::InvalidRule,
                    "no valid rule number; its order is uncertain".into(),
                );
            }
        }
        let action = if f.action.is_unknown() {
            note(
                self.warnings,
                WarningKind::UnknownValue,
                "the action is known only after apply".into(),
            );
            None
        } else {
            let text = f.action.str().unwrap_or_default();
            let a = Action::parse(text);
            if a.is_none() {
                note(
                    self.warnings,
                    WarningKind::InvalidRule,
                    format!("action {text:?} is neither allow nor deny; treated as uncertain"),
                );
            }
            a
        };

        let (peers, ipv4) = self.entry_peer(f, &mut certainty, &note)?;
        let services = self.entry_services(f, ipv4, &mut certainty, &note);
        Some(NaclRule {
            direction,
            number,
            action,
            services,
            peers,
            certainty,
            origin,
        })
    }

    /// The one CIDR block of an entry, and whether it is IPv4; `None` when it has none.
    fn entry_peer(
        &mut self,
        f: &Fields<'_>,
        certainty: &mut Certainty,
        note: &Note<'_>,
    ) -> Option<(PeerSet, bool)> {
        if f.cidr4.is_unknown() || f.cidr6.is_unknown() {
            *certainty = Certainty::Possible;
            let v4 = f.cidr4.is_unknown();
            note(
                self.warnings,
                WarningKind::UnknownValue,
                format!(
                    "the {} CIDR is known only after apply; treated as possibly any address",
                    if v4 { "IPv4" } else { "IPv6" }
                ),
            );
            return Some((whole_family(v4), v4));
        }
        let Some(text) = f.cidr4.str().or_else(|| f.cidr6.str()) else {
            note(
                self.warnings,
                WarningKind::InvalidRule,
                "the entry has no CIDR block; it matches nothing".into(),
            );
            return None;
        };
        if let Some(why) = host_bits(text) {
            *certainty = Certainty::Possible;
            note(self.warnings, WarningKind::InvalidRule, why);
        }
        Some(cidr_peer(text).unwrap_or_else(|| {
            *certainty = Certainty::Possible;
            note(
                self.warnings,
                WarningKind::InvalidRule,
                format!("{text:?} is not a CIDR block; treated as possibly any address"),
            );
            (whole_family(true).union(&whole_family(false)), true)
        }))
    }

    /// The protocol and ports (or ICMP type/code) an entry matches.
    fn entry_services(
        &mut self,
        f: &Fields<'_>,
        ipv4: bool,
        certainty: &mut Certainty,
        note: &Note<'_>,
    ) -> ServiceSet {
        if f.protocol.is_unknown() {
            *certainty = Certainty::Possible;
            note(
                self.warnings,
                WarningKind::UnknownValue,
                "the protocol is known only after apply; treated as possibly all traffic".into(),
            );
            return ServiceSet::all();
        }
        let text = f.protocol.text().unwrap_or_default();
        let Some(protocol) = Protocol::parse(&text) else {
            *certainty = Certainty::Possible;
            note(
                self.warnings,
                WarningKind::InvalidRule,
                format!(
                    "protocol {text:?} is not one AWS accepts; treated as possibly all traffic"
                ),
            );
            return ServiceSet::all();
        };
        let whole = match protocol {
            Protocol::All => ServiceSet::all(),
            Protocol::Number(p) => ServiceSet::protocol(p),
        };
        let fields = [f.from, f.to, f.icmp_type, f.icmp_code];
        if fields.iter().any(|s| s.is_unknown()) {
            *certainty = Certainty::Possible;
            note(
                self.warnings,
                WarningKind::UnknownValue,
                "ports or ICMP type/code are known only after apply; treated as possibly the whole protocol".into(),
            );
            return whole;
        }
        // Only the fields the protocol reads: ICMP fields of a TCP entry are ignored.
        let names = ["from_port", "to_port", "icmp_type", "icmp_code"];
        let read = |name: &str| match protocol {
            Protocol::Number(p) if has_ports(p) => name.ends_with("_port"),
            Protocol::Number(p) if is_icmp(p) => name.starts_with("icmp"),
            _ => false,
        };
        if let Some((name, text)) = names
            .into_iter()
            .zip(fields)
            .filter(|(name, _)| read(name))
            .find_map(|(name, s)| s.not_an_int().map(|t| (name, t)))
        {
            *certainty = Certainty::Possible;
            note(
                self.warnings,
                WarningKind::InvalidRule,
                format!(
                    "{name} {text} is not a whole number; treated as possibly the whole protocol"
                ),
            );
            return whole;
        }
        let [from, to, icmp_type, icmp_code] = fields.map(Side::int);
        nacl_services(protocol, from, to, icmp_type, icmp_code, ipv4).unwrap_or_else(|msg| {
            *certainty = Certainty::Possible;
            note(
                self.warnings,
                WarningKind::InvalidRule,
                format!("{msg}; treated as possibly the whole protocol"),
            );
            whole
        })
    }
}

/// Records a warning about the entry being read.
type Note<'n> = dyn Fn(&mut Warnings, WarningKind, String) + 'n;

struct Fields<'v> {
    number: Side<'v>,
    action: Side<'v>,
    protocol: Side<'v>,
    cidr4: Side<'v>,
    cidr6: Side<'v>,
    from: Side<'v>,
    to: Side<'v>,
    icmp_type: Side<'v>,
    icmp_code: Side<'v>,
}
