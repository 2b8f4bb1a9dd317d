//! Security groups from a plan: `aws_security_group` and `aws_default_security_group`
//! with their inline `ingress`/`egress`, plus the rule resources
//! `aws_security_group_rule` and `aws_vpc_security_group_ingress_rule` /
//! `_egress_rule`.
//!
//! A group's rules on each side are assembled so that nothing is counted twice: rules
//! of separate rule resources reappear inside the group's refreshed inline attribute in
//! `before`, so inline rules with the same content as a rule resource's (before) rule
//! are attributed to the rule resource, and on the *after* side only inline rules that no
//! rule resource accounts for are kept. See `docs/tricky_cases.md`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::common::{
    Both, Parts, cidr_peer, host_bits, owners, scope, settle, warn_conflicting_styles, whole_family,
};
use super::refs::Want;
use super::values::{Side, StrList, str_list};
use super::{Entry, Plan, Resolved, Sides};
use crate::header_space::{PeerSet, Principal, RangeSet, ServiceSet};
use crate::model::{Certainty, Direction, Origin, Protocol, SecurityGroup, SgRule, sg_services};
use crate::source::ChangeAction;
use crate::warning::{WarningKind, Warnings};

const GROUP_KINDS: [&str; 2] = ["aws_security_group", "aws_default_security_group"];
const RULE_KINDS: [&str; 3] = [
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
];

type Groups = BTreeMap<String, SecurityGroup>;

/// Builds the before and after security groups of the plan.
pub(super) fn build(plan: &Plan<'_>, warnings: &mut Warnings) -> (Groups, Groups) {
    let mut b = Builder { plan, warnings };
    let mut both: Both<SgRule> = Both::default();
    super::with_sides(super::entries_of(plan, &GROUP_KINDS), |i, e, sides| {
        b.add_group(i, e, &sides, &mut both);
    });
    super::with_sides(super::entries_of(plan, &RULE_KINDS), |i, _, sides| {
        b.add_rule_resource(i, &sides, &mut both);
    });
    both.add_unmanaged("sg-");
    warn_conflicting_styles(
        plan,
        b.warnings,
        &both.after,
        |r: &SgRule| r.direction,
        "security group rule",
    );
    assemble(both)
}

/// Puts each group's rules together without counting any twice: inline rules with the
/// content of a rule resource's rule (on either side) are that resource's rules
/// reappearing in the refreshed group.
fn assemble(both: Both<SgRule>) -> (Groups, Groups) {
    let before_resources: BTreeMap<String, Vec<SgRule>> = both
        .before
        .iter()
        .map(|(k, p)| (k.clone(), p.resources.clone()))
        .collect();
    let side = |parts: BTreeMap<String, Parts<SgRule>>| -> Groups {
        parts
            .into_iter()
            .filter(|(_, p)| p.exists)
            .map(|(key, p)| {
                let shadow = before_resources.get(&key).map_or(&[][..], Vec::as_slice);
                let mut rules = p.resources;
                let own = rules.clone();
                rules.extend(
                    p.inline
                        .into_iter()
                        .filter(|r| !shadow.iter().chain(&own).any(|s| same_content(s, r))),
                );
                // Extending grows by doubling; the rules live for the whole run.
                rules.shrink_to_fit();
                let group = SecurityGroup {
                    key: key.clone(),
                    id: p.id,
                    vpc: p.vpc,
                    is_default: p.is_default,
                    managed: p.managed,
                    from_context: false,
                    rules,
                    tags: p.tags,
                };
                (key, group)
            })
            .collect()
    };
    (side(both.before), side(both.after))
}

/// `true` when a rule object names no CIDR and no `self` (so an unknown reference
/// attribute may be its only source).
fn peers_so_far_empty(f: &Fields<'_>) -> bool {
    let cidrs = str_list(f.cidr4).items.is_empty() && str_list(f.cidr6).items.is_empty();
    let me = f.self_flag.is_some_and(|s| s.bool() == Some(true));
    cidrs && !me
}

fn same_content(a: &SgRule, b: &SgRule) -> bool {
    a.direction == b.direction && a.services == b.services && a.peers == b.peers
}

/// AWS's rules in a default security group: all traffic from the group itself, all
/// traffic out to the IPv4 internet, and to the IPv6 internet when the VPC has IPv6
/// (unknown when the VPC is not in the plan: then a possible rule).
fn default_group_rules(key: &str, had_ipv6: Option<bool>) -> Vec<SgRule> {
    let origin = |rule: &str| Origin::new(key, format!("AWS default {rule}"));
    let mut rules = vec![
        SgRule {
            direction: Direction::Ingress,
            services: ServiceSet::all(),
            peers: PeerSet::from_principal(Principal::SecurityGroup(key.to_owned())),
            certainty: Certainty::Definite,
            origin: origin("ingress from itself"),
        },
        SgRule {
            direction: Direction::Egress,
            services: ServiceSet::all(),
            peers: PeerSet::from_v4(RangeSet::full()),
            certainty: Certainty::Definite,
            origin: origin("egress to 0.0.0.0/0"),
        },
    ];
    if had_ipv6 != Some(false) {
        rules.push(SgRule {
            direction: Direction::Egress,
            services: ServiceSet::all(),
            peers: PeerSet::from_v6(RangeSet::full()),
            certainty: if had_ipv6 == Some(true) {
                Certainty::Definite
            } else {
                Certainty::Possible
            },
            origin: origin("egress to ::/0"),
        });
    }
    rules
}

/// Which fields of a rule object hold what; the three Terraform rule shapes differ.
struct Fields<'v> {
    direction: Direction,
    protocol: Side<'v>,
    from: Side<'v>,
    to: Side<'v>,
    cidr4: Side<'v>,
    cidr6: Side<'v>,
    /// Referenced security groups and prefix lists, indexed by [`RefKind`].
    refs: [Side<'v>; 2],
    self_flag: Option<Side<'v>>,
    /// An inline rule of the group (not a rule resource).
    inline: bool,
}

/// The two kinds of symbolic reference a rule can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefKind {
    Group = 0,
    PrefixList = 1,
}

impl RefKind {
    const BOTH: [Self; 2] = [Self::Group, Self::PrefixList];

    fn principal(self, name: String) -> Principal {
        match self {
            Self::Group => Principal::SecurityGroup(name),
            Self::PrefixList => Principal::PrefixList(name),
        }
    }

    fn placeholder(self) -> Principal {
        self.principal(Principal::UNKNOWN.to_owned())
    }

    fn want(self) -> Want {
        match self {
            Self::Group => Want::SecurityGroup,
            Self::PrefixList => Want::PrefixList,
        }
    }
}

/// How to read references that are unknown in `after`, per [`RefKind`].
enum Unknowns {
    /// A rule resource: follow each attribute's own expression.
    Attribute([&'static str; 2]),
    /// An inline block set: the whole `ingress`/`egress` is one expression, resolved
    /// once for all its blocks.
    Inline([(Vec<Principal>, Certainty); 2]),
}

struct Builder<'p, 'a, 'w> {
    plan: &'p Plan<'a>,
    warnings: &'w mut Warnings,
}

impl Builder<'_, '_, '_> {
    /// Adds a group resource's own rules (inline attributes) on both sides.
    fn add_group(&mut self, i: usize, e: &Entry<'_>, sides: &Sides, both: &mut Both<SgRule>) {
        let key = e.label();
        let is_default = e.kind == "aws_default_security_group";
        if let (Some(v), Some(side)) = (&sides.before, sides.side(false)) {
            let p = both.slot(false, &key);
            p.present(v, is_default);
            for dir in Direction::BOTH {
                let rules = self.inline_rules(i, &key, dir, side, false);
                both.slot(false, &key).inline.extend(rules);
            }
        } else if is_default && e.action == ChangeAction::Create {
            // Adoption replaces whatever AWS put in the default group: its default rules.
            let vpc_id = sides
                .after
                .as_ref()
                .and_then(|v| v.get("vpc_id"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            let facts = self
                .plan
                .vpc_facts(self.plan.find_vpc(i, vpc_id), vpc_id.is_some());
            if facts.existed_before {
                let p = both.slot(false, &key);
                p.exists = true;
                p.managed = true;
                p.is_default = true;
                p.vpc = vpc_id.map(str::to_owned);
                p.inline = default_group_rules(&key, facts.had_ipv6);
            }
        }
        if let Some(v) = &sides.after {
            both.slot(true, &key).present(v, is_default);
            let fresh = matches!(e.action, ChangeAction::Create | ChangeAction::Replace);
            let side = sides.side(true).expect("after is present");
            for dir in Direction::BOTH {
                let rules = self.inline_rules(i, &key, dir, side, fresh);
                both.slot(true, &key).inline.extend(rules);
            }
        }
    }

    /// Adds a rule resource's rules to the groups it belongs to, on both sides.
    fn add_rule_resource(&mut self, i: usize, sides: &Sides, both: &mut Both<SgRule>) {
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
                "security_group_id",
                Want::SecurityGroup,
                Principal::UNKNOWN,
            ) {
                let rules = self.rule_resource_rules(i, &owner, side, certainty);
                both.slot(after, &owner).resources.extend(rules);
            }
        }
    }

    fn label(&self, entry: usize) -> String {
        self.plan.entries[entry].label()
    }

    /// The principal for a referenced id (`sg-…`, `pl-…`): the resource's address when
    /// the plan has it, else the id.
    fn principal_of_id(&self, kind: RefKind, id: &str) -> Principal {
        kind.principal(self.plan.key_for_id(kind.want(), id))
    }

    /// Turns a resolution into principals and a certainty, warning when it is not exact.
    fn settle(
        &mut self,
        entry: usize,
        what: &str,
        resolved: &Resolved,
        principals: Vec<Principal>,
        placeholder: Principal,
    ) -> (Vec<Principal>, Certainty) {
        let label = self.label(entry);
        let s = settle(
            self.warnings,
            &label,
            what,
            resolved,
            principals,
            placeholder,
        );
        (s.names, s.certainty)
    }

    /// The rules of one rule resource.
    fn rule_resource_rules(
        &mut self,
        entry: usize,
        owner: &str,
        side: Side<'_>,
        owner_certainty: Certainty,
    ) -> Vec<SgRule> {
        let e = &self.plan.entries[entry];
        let origin = Origin::new(e.label(), "");
        let (fields, unknowns) = match e.kind.as_str() {
            "aws_security_group_rule" => {
                let direction = match side.key("type").str() {
                    Some("ingress") => Direction::Ingress,
                    Some("egress") => Direction::Egress,
                    other => {
                        let label = e.label();
                        self.warnings.push(
                            WarningKind::InvalidRule,
                            Some(&label),
                            format!("rule type {other:?} is neither ingress nor egress; the rule is ignored"),
                        );
                        return Vec::new();
                    }
                };
                let self_rule = side.key("self").bool() == Some(true);
                (
                    Fields {
                        direction,
                        protocol: side.key("protocol"),
                        from: side.key("from_port"),
                        to: side.key("to_port"),
                        cidr4: side.key("cidr_blocks"),
                        cidr6: side.key("ipv6_cidr_blocks"),
                        // With `self`, source_security_group_id is computed as the group itself.
                        refs: [
                            if self_rule {
                                Side::known(&Value::Null)
                            } else {
                                side.key("source_security_group_id")
                            },
                            side.key("prefix_list_ids"),
                        ],
                        self_flag: Some(side.key("self")),
                        inline: false,
                    },
                    Unknowns::Attribute(["source_security_group_id", "prefix_list_ids"]),
                )
            }
            kind => {
                let direction = if kind.ends_with("ingress_rule") {
                    Direction::Ingress
                } else {
                    Direction::Egress
                };
                (
                    Fields {
                        direction,
                        protocol: side.key("ip_protocol"),
                        from: side.key("from_port"),
                        to: side.key("to_port"),
                        cidr4: side.key("cidr_ipv4"),
                        cidr6: side.key("cidr_ipv6"),
                        refs: [
                            side.key("referenced_security_group_id"),
                            side.key("prefix_list_id"),
                        ],
                        self_flag: None,
                        inline: false,
                    },
                    Unknowns::Attribute(["referenced_security_group_id", "prefix_list_id"]),
                )
            }
        };
        let mut rules = self.rules_from_fields(entry, owner, &fields, &unknowns, &origin);
        if owner_certainty == Certainty::Possible {
            for r in &mut rules {
                r.certainty = Certainty::Possible;
            }
        }
        rules
    }

    /// The rules of an inline attribute that is wholly unknown in `after`: none for a
    /// new group that does not configure it (Terraform creates groups without rules and
    /// even revokes AWS's default egress), else possibly everything.
    fn unknown_inline(&mut self, entry: usize, direction: Direction, fresh: bool) -> Vec<SgRule> {
        let attr = direction.as_str();
        let label = self.label(entry);
        let sets = self.plan.configured(entry, attr);
        if fresh && sets == Some(false) {
            return Vec::new();
        }
        if fresh && sets.is_none() {
            self.warnings.push(
                WarningKind::Input,
                Some(&label),
                format!(
                    "`{attr}` is known only after apply and the plan has no configuration for the group; assumed empty, as Terraform creates groups without rules"
                ),
            );
            return Vec::new();
        }
        self.warnings.push(
            WarningKind::UnknownValue,
            Some(&label),
            format!("every `{attr}` rule is known only after apply; treated as possibly allowing all traffic"),
        );
        let peers = PeerSet {
            v4: RangeSet::full(),
            v6: RangeSet::full(),
            principals: BTreeSet::from([Principal::SecurityGroup(Principal::UNKNOWN.to_owned())]),
        };
        vec![SgRule {
            direction,
            services: ServiceSet::all(),
            peers,
            certainty: Certainty::Possible,
            origin: Origin::new(label, attr),
        }]
    }

    /// The rules of an inline `ingress` or `egress` attribute of a group, on one side.
    /// `fresh`: the object is new (created or replaced), so an attribute the
    /// configuration does not set is empty rather than unknown.
    fn inline_rules(
        &mut self,
        entry: usize,
        owner: &str,
        direction: Direction,
        group: Side<'_>,
        fresh: bool,
    ) -> Vec<SgRule> {
        let attr = direction.as_str();
        let list = group.key(attr);
        let label = self.label(entry);
        if list.is_unknown() {
            return self.unknown_inline(entry, direction, fresh);
        }

        // Unknown reference lists inside blocks share one expression: resolve it once.
        let items: Vec<Side<'_>> = list.items().collect();
        let unknowns = Unknowns::Inline(
            RefKind::BOTH.map(|kind| self.inline_unknown_refs(entry, attr, kind, &items)),
        );
        let mut out = Vec::new();
        for (n, item) in items.into_iter().enumerate() {
            let fields = Fields {
                direction,
                protocol: item.key("protocol"),
                from: item.key("from_port"),
                to: item.key("to_port"),
                cidr4: item.key("cidr_blocks"),
                cidr6: item.key("ipv6_cidr_blocks"),
                refs: [item.key("security_groups"), item.key("prefix_list_ids")],
                self_flag: Some(item.key("self")),
                inline: true,
            };
            let origin = Origin::new(label.clone(), format!("{attr}[{n}]"));
            out.extend(self.rules_from_fields(entry, owner, &fields, &unknowns, &origin));
        }
        out
    }

    /// What the unknown `security_groups` (or `prefix_list_ids`) of inline blocks may
    /// refer to. The plan gives one expression for all blocks of the attribute, so the
    /// result is exact only when one block has unknown references and the expression
    /// names only resources; references already visible in other blocks are left out.
    fn inline_unknown_refs(
        &mut self,
        entry: usize,
        attr: &str,
        kind: RefKind,
        items: &[Side<'_>],
    ) -> (Vec<Principal>, Certainty) {
        let field = match kind {
            RefKind::Group => "security_groups",
            RefKind::PrefixList => "prefix_list_ids",
        };
        let unknown_blocks = items
            .iter()
            .filter(|r| str_list(r.key(field)).any_unknown())
            .count();
        if unknown_blocks == 0 {
            return (Vec::new(), Certainty::Definite);
        }
        let known: BTreeSet<Principal> = items
            .iter()
            .flat_map(|r| str_list(r.key(field)).items)
            .map(|id| self.principal_of_id(kind, id))
            .collect();
        let found = self.plan.resolve_keys(entry, attr, kind.want(), false);
        let resolved = Resolved {
            ambiguous: found.resolved.ambiguous || unknown_blocks > 1,
            ..found.resolved.flags()
        };
        let principals = found
            .keys
            .iter()
            .map(|k| kind.principal(k.clone()))
            .filter(|p| !known.contains(p))
            .collect();
        self.settle(
            entry,
            &format!("`{field}` in `{attr}`"),
            &resolved,
            principals,
            kind.placeholder(),
        )
    }

    /// One rule per remote party of a rule object (so that rules from different
    /// resources can be matched one to one).
    fn rules_from_fields(
        &mut self,
        entry: usize,
        owner: &str,
        f: &Fields<'_>,
        unknowns: &Unknowns,
        origin: &Origin,
    ) -> Vec<SgRule> {
        let (services, service_certainty) = self.services(entry, f, origin);
        let mut peers: Vec<(PeerSet, Certainty)> = Vec::new();

        self.cidrs(entry, origin, str_list(f.cidr4), true, &mut peers);
        self.cidrs(entry, origin, str_list(f.cidr6), false, &mut peers);

        for kind in RefKind::BOTH {
            let list = str_list(f.refs[kind as usize]);
            for id in &list.items {
                peers.push((
                    PeerSet::from_principal(self.principal_of_id(kind, id)),
                    Certainty::Definite,
                ));
            }
            if !list.any_unknown() {
                continue;
            }
            let (principals, certainty) = match unknowns {
                Unknowns::Attribute(attrs) => {
                    let attr = attrs[kind as usize];
                    if self.computed_unset(entry, attr, f) {
                        continue;
                    }
                    // Every attribute of a rule resource holds one id but `prefix_list_ids`.
                    let single = attr != "prefix_list_ids";
                    let found = self.plan.resolve_keys(entry, attr, kind.want(), single);
                    let principals = found
                        .keys
                        .iter()
                        .map(|k| kind.principal(k.clone()))
                        .collect();
                    self.settle(
                        entry,
                        &format!("`{attr}`"),
                        &found.resolved,
                        principals,
                        kind.placeholder(),
                    )
                }
                Unknowns::Inline(settled) => settled[kind as usize].clone(),
            };
            for p in principals {
                peers.push((PeerSet::from_principal(p), certainty));
            }
        }

        if let Some(flag) = f.self_flag {
            let me = PeerSet::from_principal(Principal::SecurityGroup(owner.to_owned()));
            if flag.is_unknown() {
                peers.push((me, Certainty::Possible));
            } else if flag.bool() == Some(true) {
                peers.push((me, Certainty::Definite));
            }
        }

        if peers.is_empty() {
            let label = self.label(entry);
            self.warnings.push(
                WarningKind::InvalidRule,
                Some(&label),
                format!(
                    "{}the rule names no source or destination; it allows nothing",
                    scope(origin)
                ),
            );
        }
        peers
            .into_iter()
            .map(|(peers, certainty)| SgRule {
                direction: f.direction,
                services: services.clone(),
                peers,
                certainty: certainty.max(service_certainty),
                origin: origin.clone(),
            })
            .collect()
    }

    /// `true` when `attr` is an Optional+Computed attribute the configuration does not
    /// set: the provider fills it in (e.g. `source_security_group_id` next to
    /// `cidr_blocks`), so "unknown" in `after` refers to nothing. Without configuration,
    /// the rule's other sources decide.
    fn computed_unset(&self, entry: usize, attr: &str, f: &Fields<'_>) -> bool {
        match self.plan.configured(entry, attr) {
            Some(set) => !set,
            None => !peers_so_far_empty(f),
        }
    }

    fn services(
        &mut self,
        entry: usize,
        f: &Fields<'_>,
        origin: &Origin,
    ) -> (ServiceSet, Certainty) {
        let label = self.label(entry);
        if f.protocol.is_unknown() {
            self.warnings.push(
                WarningKind::UnknownValue,
                Some(&label),
                format!(
                    "{}the protocol is known only after apply; treated as possibly all traffic",
                    scope(origin)
                ),
            );
            return (ServiceSet::all(), Certainty::Possible);
        }
        let text = f.protocol.text().unwrap_or_default();
        let Some(protocol) = Protocol::parse(&text) else {
            self.warnings.push(
                WarningKind::InvalidRule,
                Some(&label),
                format!(
                    "{}protocol {text:?} is not one AWS accepts; treated as possibly all traffic",
                    scope(origin)
                ),
            );
            return (ServiceSet::all(), Certainty::Possible);
        };
        let whole = match protocol {
            Protocol::All => ServiceSet::all(),
            Protocol::Number(p) => ServiceSet::protocol(p),
        };
        if let Some((name, text)) = [("from_port", f.from), ("to_port", f.to)]
            .into_iter()
            .find_map(|(name, s)| s.not_an_int().map(|t| (name, t)))
        {
            self.warnings.push(
                WarningKind::InvalidRule,
                Some(&label),
                format!(
                    "{}{name} {text} is not a port number; treated as possibly the whole protocol",
                    scope(origin)
                ),
            );
            return (whole, Certainty::Possible);
        }
        let nonzero = |s: Side<'_>| s.int().is_some_and(|p| p != 0);
        if f.inline && protocol == Protocol::All && (nonzero(f.from) || nonzero(f.to)) {
            // `aws_security_group_rule` accepts this (AWS ignores the ports); an inline
            // rule fails at apply.
            self.warnings.push(
                WarningKind::InvalidRule,
                Some(&label),
                format!(
                    "{}protocol -1 with ports {}-{} fails at apply (inline rules of every protocol take from_port = to_port = 0); treated as possibly all traffic",
                    scope(origin),
                    f.from.int().unwrap_or_default(),
                    f.to.int().unwrap_or_default()
                ),
            );
            return (ServiceSet::all(), Certainty::Possible);
        }
        let mut certainty = Certainty::Definite;
        let port = |s: Side<'_>, certainty: &mut Certainty| {
            if s.is_unknown() {
                *certainty = Certainty::Possible;
                None
            } else {
                s.int()
            }
        };
        let from = port(f.from, &mut certainty);
        let to = port(f.to, &mut certainty);
        if certainty == Certainty::Possible {
            self.warnings.push(
                WarningKind::UnknownValue,
                Some(&label),
                format!(
                    "{}the ports are known only after apply; treated as possibly every port",
                    scope(origin)
                ),
            );
            return (whole, certainty);
        }
        match sg_services(protocol, from, to) {
            Ok(s) => (s, Certainty::Definite),
            Err(msg) => {
                self.warnings.push(
                    WarningKind::InvalidRule,
                    Some(&label),
                    format!(
                        "{}{msg}; treated as possibly the whole protocol",
                        scope(origin)
                    ),
                );
                (whole, Certainty::Possible)
            }
        }
    }

    fn cidrs(
        &mut self,
        entry: usize,
        origin: &Origin,
        list: StrList<'_>,
        v4_attr: bool,
        out: &mut Vec<(PeerSet, Certainty)>,
    ) {
        let label = self.label(entry);
        let family = if v4_attr { "IPv4" } else { "IPv6" };
        if list.any_unknown() {
            self.warnings.push(
                WarningKind::UnknownValue,
                Some(&label),
                format!(
                    "{}an {family} CIDR is known only after apply; treated as possibly any {family} address",
                    scope(origin)
                ),
            );
            out.push((whole_family(v4_attr), Certainty::Possible));
        }
        for text in list.items {
            if let Some((peers, _)) = cidr_peer(text) {
                let mut certainty = Certainty::Definite;
                if let Some(why) = host_bits(text) {
                    self.warnings.push(
                        WarningKind::InvalidRule,
                        Some(&label),
                        format!("{}{why}", scope(origin)),
                    );
                    certainty = Certainty::Possible;
                }
                out.push((peers, certainty));
            } else {
                self.warnings.push(
                    WarningKind::InvalidRule,
                    Some(&label),
                    format!(
                        "{}{text:?} is not a CIDR block; treated as possibly any {family} address",
                        scope(origin)
                    ),
                );
                out.push((whole_family(v4_attr), Certainty::Possible));
            }
        }
    }
}
