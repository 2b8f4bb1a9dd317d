//! Guardrails: the hygiene checks AWS users are told to follow, on the state after the
//! change — whatever the change did — each marked as introduced by the change or
//! pre-existing.
//!
//! Every check is a rule of the registry (with its documentation in `rules/`), can be
//! given another severity or switched off in `reachdiff.toml` (`[rules.ID]`), and
//! counts for the gate only when the change introduced it: a pre-existing problem is
//! reported, not blamed on the change.

use std::collections::{BTreeMap, BTreeSet};

use super::Severity;
use super::policy::Policy;
use crate::header_space::{HeaderSpace, v4_block, v4_cidrs, v6_cidrs};
use crate::model::{Action, Certainty, Direction, Snapshot};

/// AWS's default quota of security groups per network interface.
pub const GROUPS_PER_INTERFACE: usize = 5;
/// AWS's default quota of inbound (or outbound) rules per security group.
pub const RULES_PER_GROUP: usize = 60;

/// One guardrail broken in the state after the change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Guardrail {
    /// The rule id.
    pub rule: &'static str,
    /// Its severity (the rule's default, or the policy's).
    pub severity: Severity,
    /// The resource concerned.
    pub resource: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// `true` when the state before the change did not have it.
    pub introduced: bool,
}

/// The default severity of each guardrail rule.
#[must_use]
pub fn default_severity(rule: &str) -> Severity {
    match rule {
        "too-many-security-groups" | "too-many-rules" | "nacl-duplicate-rule-number" => {
            Severity::High
        }
        "default-security-group-in-use" | "default-security-group-has-rules" => Severity::Medium,
        "ingress-from-whole-vpc" | "nacl-rule-shadowed" => Severity::Low,
        _ => Severity::Info,
    }
}

/// A rule of a group or ACL in a few words: `tcp 22 from 10.0.0.0/8`.
fn brief(space: &HeaderSpace, direction: Direction) -> String {
    let preposition = match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    space
        .parts()
        .iter()
        .map(|p| {
            let mut peers: Vec<String> = v4_cidrs(&p.peers.v4)
                .iter()
                .map(ToString::to_string)
                .chain(v6_cidrs(&p.peers.v6).iter().map(ToString::to_string))
                .collect();
            peers.extend(p.peers.principals.iter().map(ToString::to_string));
            format!("{} {preposition} {}", p.service, peers.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// (rule, resource, what identifies the instance across before and after, message).
type Found = (&'static str, String, String, String);

fn default_group_in_use(s: &Snapshot, out: &mut Vec<Found>) {
    for e in s.endpoints.values() {
        let defaults: BTreeSet<&str> = e
            .interfaces
            .iter()
            .flat_map(|i| &i.security_groups)
            .filter(|g| s.security_groups.get(*g).is_some_and(|g| g.is_default))
            .map(String::as_str)
            .collect();
        for g in defaults {
            out.push((
                "default-security-group-in-use",
                e.key.clone(),
                g.to_owned(),
                format!("{} carries its VPC's default security group {g}", e.key),
            ));
        }
    }
}

fn default_group_has_rules(s: &Snapshot, out: &mut Vec<Found>) {
    for g in s.security_groups.values() {
        // Only a group the plan manages: an unmanaged default group's rules are AWS's
        // defaults as reachdiff assumes them, not something the plan shows.
        if g.is_default && g.managed && !g.rules.is_empty() {
            out.push((
                "default-security-group-has-rules",
                g.key.clone(),
                String::new(),
                format!(
                    "the default security group {} has {} rule(s); it should allow nothing",
                    g.key,
                    g.rules.len()
                ),
            ));
        }
    }
}

fn quotas(s: &Snapshot, out: &mut Vec<Found>) {
    for e in s.endpoints.values() {
        for i in &e.interfaces {
            if i.security_groups.len() > GROUPS_PER_INTERFACE {
                out.push((
                    "too-many-security-groups",
                    e.key.clone(),
                    String::new(),
                    format!(
                        "an interface of {} has {} security groups; AWS allows {GROUPS_PER_INTERFACE} unless the quota was raised",
                        e.key,
                        i.security_groups.len()
                    ),
                ));
                break;
            }
        }
    }
    for g in s.security_groups.values() {
        for d in [Direction::Ingress, Direction::Egress] {
            // AWS counts one rule per CIDR block or referenced group.
            let n: usize = g
                .rules
                .iter()
                .filter(|r| r.direction == d)
                .map(|r| {
                    v4_cidrs(&r.peers.v4).len()
                        + v6_cidrs(&r.peers.v6).len()
                        + r.peers.principals.len()
                })
                .sum();
            if n > RULES_PER_GROUP {
                out.push((
                    "too-many-rules",
                    g.key.clone(),
                    d.as_str().to_owned(),
                    format!(
                        "{} has {n} {} rules (one per CIDR block or group); AWS allows {RULES_PER_GROUP} unless the quota was raised",
                        g.key,
                        d.as_str()
                    ),
                ));
            }
        }
    }
}

fn whole_vpc(s: &Snapshot, out: &mut Vec<Found>) {
    let mut blocks: Vec<(String, crate::header_space::Ipv4Set)> = Vec::new();
    for v in s.vpcs.values() {
        for b in &v.ipv4 {
            blocks.push((format!("the whole VPC {} ({b})", v.key), v4_block(*b)));
        }
    }
    for sub in s.subnets.values() {
        if let Some(b) = sub.ipv4 {
            blocks.push((format!("the whole subnet {} ({b})", sub.key), v4_block(b)));
        }
    }
    let inside = s
        .vpcs
        .values()
        .flat_map(|v| &v.ipv4)
        .fold(crate::header_space::Ipv4Set::empty(), |acc, b| {
            acc.union(&v4_block(*b))
        });
    for g in s.security_groups.values() {
        for r in g.rules.iter().filter(|r| r.direction == Direction::Ingress) {
            // Only rules aimed at the VPC itself: `0.0.0.0/0` holds the VPC too, but
            // is another finding.
            if r.peers.v4.is_empty() || !r.peers.v4.is_subset(&inside) {
                continue;
            }
            if let Some((what, _)) = blocks.iter().find(|(_, b)| b.is_subset(&r.peers.v4)) {
                out.push((
                    "ingress-from-whole-vpc",
                    g.key.clone(),
                    r.origin.to_string(),
                    format!(
                        "{} admits {what} ({}); a security-group reference would admit only the callers",
                        r.origin,
                        brief(&r.space(), r.direction)
                    ),
                ));
            }
        }
    }
}

fn nacl_rules(s: &Snapshot, out: &mut Vec<Found>) {
    for a in s.network_acls.values() {
        for d in [Direction::Ingress, Direction::Egress] {
            let mut rules: Vec<_> = a
                .rules
                .iter()
                .filter(|r| r.direction == d && r.number.is_some())
                .collect();
            rules.sort_by_key(|r| r.number);
            let mut seen: BTreeMap<u32, usize> = BTreeMap::new();
            for r in &rules {
                *seen.entry(r.number.unwrap_or_default()).or_default() += 1;
            }
            for (n, count) in seen.iter().filter(|(_, c)| **c > 1) {
                out.push((
                    "nacl-duplicate-rule-number",
                    a.key.clone(),
                    format!("{} {n}", d.as_str()),
                    format!(
                        "{} has {count} {} rules numbered {n}; AWS rejects the second",
                        a.key,
                        d.as_str()
                    ),
                ));
            }
            // A definite entry none of whose packets is left once the definite entries
            // before it have matched (first_match: O(n log n), not a running union).
            let spaces: Vec<HeaderSpace> = rules
                .iter()
                .map(|r| {
                    if r.certainty == Certainty::Definite {
                        r.space()
                    } else {
                        HeaderSpace::empty()
                    }
                })
                .collect();
            let fresh = HeaderSpace::first_match(&spaces);
            for ((r, space), fresh) in rules.iter().zip(&spaces).zip(&fresh) {
                if r.certainty == Certainty::Definite && !space.is_empty() && fresh.is_empty() {
                    let action = r.action.map_or("entry", Action::as_str);
                    out.push((
                        "nacl-rule-shadowed",
                        a.key.clone(),
                        r.origin.to_string(),
                        format!(
                            "{} {} rule {} ({action} {}) never decides anything: earlier rules match every packet it would",
                            a.key,
                            d.as_str(),
                            r.number.unwrap_or_default(),
                            brief(space, d)
                        ),
                    ));
                }
            }
        }
    }
}

fn redundant_group_rules(s: &Snapshot, out: &mut Vec<Found>) {
    use crate::model::SgRule;
    // A rule's packets are peers × services, so one rule covers another exactly when
    // both factors do: no header-space arithmetic needed. Every pair of a group's rules
    // is compared, so the test starts with the bounds of each dimension (integers,
    // no allocation); 4,000 rules are 16 million pairs.
    let covers = |o: &SgRule, r: &SgRule| {
        fn inside<T: Ord + Copy>(r: Option<(T, T)>, o: Option<(T, T)>) -> bool {
            match (r, o) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some((rlo, rhi)), Some((olo, ohi))) => olo <= rlo && rhi <= ohi,
            }
        }
        inside(r.services.as_set().bounds(), o.services.as_set().bounds())
            && inside(r.peers.v4.bounds(), o.peers.v4.bounds())
            && inside(r.peers.v6.bounds(), o.peers.v6.bounds())
            && r.peers.is_subset(&o.peers)
            && r.services.as_set().is_subset(o.services.as_set())
    };
    for g in s.security_groups.values() {
        let rules: Vec<(usize, &SgRule)> = g
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.certainty == Certainty::Definite && !r.peers.is_empty())
            .collect();
        for &(i, r) in &rules {
            let broader = rules.iter().find(|&&(j, o)| {
                j != i && o.direction == r.direction && covers(o, r) && (!covers(r, o) || j < i)
            });
            if let Some(&(_, o)) = broader {
                out.push((
                    "security-group-rule-redundant",
                    g.key.clone(),
                    r.origin.to_string(),
                    format!(
                        "{} ({}) adds nothing to {}: {} ({}) already allows it",
                        r.origin,
                        brief(&r.space(), r.direction),
                        g.key,
                        o.origin,
                        brief(&o.space(), o.direction)
                    ),
                ));
            }
        }
    }
}

fn found(s: &Snapshot) -> Vec<Found> {
    let mut out = Vec::new();
    default_group_in_use(s, &mut out);
    default_group_has_rules(s, &mut out);
    quotas(s, &mut out);
    whole_vpc(s, &mut out);
    nacl_rules(s, &mut out);
    redundant_group_rules(s, &mut out);
    out
}

/// Every guardrail the state after the change breaks, sorted, with whether the state
/// before broke it too. Rules the policy switches off are left out.
#[must_use]
pub fn check(before: &Snapshot, after: &Snapshot, policy: &Policy) -> Vec<Guardrail> {
    // The same rule on the same resource and rule counts as the same instance, even when
    // its wording changed (a widened port range stays pre-existing).
    let earlier: BTreeSet<(&'static str, String, String)> = found(before)
        .into_iter()
        .map(|(rule, resource, key, _)| (rule, resource, key))
        .collect();
    let mut out: Vec<Guardrail> = found(after)
        .into_iter()
        .filter(|(rule, ..)| !policy.disabled.contains(*rule))
        .map(|(rule, resource, key, message)| {
            let introduced = !earlier.contains(&(rule, resource.clone(), key));
            Guardrail {
                rule,
                severity: policy
                    .severity
                    .get(rule)
                    .copied()
                    .unwrap_or_else(|| default_severity(rule)),
                resource,
                message,
                introduced,
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header_space::{PeerSet, RangeSet, ServiceSet};
    use crate::model::{
        Endpoint, EndpointKind, Interface, NaclRule, NetworkAcl, Origin, SecurityGroup, SgRule,
    };

    fn sg_rule(group: &str, i: usize, lo: u16, hi: u16, peers: PeerSet) -> SgRule {
        SgRule {
            direction: Direction::Ingress,
            services: ServiceSet::ports(6, lo, hi),
            peers,
            certainty: Certainty::Definite,
            origin: Origin::new(group, format!("ingress[{i}]")),
        }
    }

    fn v4(a: u32, len: u8) -> PeerSet {
        PeerSet::from_v4(RangeSet::range(
            a,
            a | u32::MAX.checked_shr(u32::from(len)).unwrap_or(0),
        ))
    }

    fn rules_of(s: &Snapshot) -> Vec<(&'static str, String)> {
        found(s)
            .into_iter()
            .map(|(r, res, _, _)| (r, res))
            .collect()
    }

    #[test]
    fn six_groups_on_an_interface_exceed_the_quota() {
        let mut s = Snapshot::default();
        let mut e = Endpoint::new("aws_instance.app", EndpointKind::Instance);
        e.interfaces.push(Interface {
            security_groups: (0..6).map(|i| format!("sg-{i}")).collect(),
            ..Interface::default()
        });
        s.endpoints.insert(e.key.clone(), e.clone());
        assert_eq!(
            rules_of(&s),
            [("too-many-security-groups", "aws_instance.app".to_owned())]
        );
        e.interfaces[0].security_groups.pop();
        s.endpoints.insert(e.key.clone(), e);
        assert!(rules_of(&s).is_empty(), "five is allowed");
    }

    #[test]
    fn sixty_one_cidr_blocks_exceed_the_rules_quota() {
        let mut g = SecurityGroup::new("aws_security_group.big");
        // One rule naming 61 distinct /32 blocks counts as 61 rules.
        let peers = (0..61u32).fold(PeerSet::empty(), |acc, i| {
            acc.union(&v4(0x0A00_0000 + i * 2, 32))
        });
        g.rules.push(sg_rule(&g.key, 0, 443, 443, peers));
        let mut s = Snapshot::default();
        s.security_groups.insert(g.key.clone(), g);
        assert_eq!(
            rules_of(&s),
            [("too-many-rules", "aws_security_group.big".to_owned())]
        );
    }

    #[test]
    fn a_narrower_rule_is_redundant_and_an_exact_duplicate_is_flagged_once() {
        let mut g = SecurityGroup::new("aws_security_group.a");
        g.rules
            .push(sg_rule(&g.key, 0, 0, 65535, v4(0x0A00_0000, 8)));
        g.rules
            .push(sg_rule(&g.key, 1, 22, 22, v4(0x0A00_0100, 24)));
        g.rules
            .push(sg_rule(&g.key, 2, 0, 65535, v4(0x0A00_0000, 8)));
        let mut s = Snapshot::default();
        s.security_groups.insert(g.key.clone(), g);
        let found: Vec<String> = found(&s).into_iter().map(|(_, _, key, _)| key).collect();
        assert_eq!(
            found,
            [
                "aws_security_group.a ingress[1]",
                "aws_security_group.a ingress[2]"
            ]
        );
    }

    fn acl_rule(n: u32, action: Action, lo: u16, hi: u16) -> NaclRule {
        NaclRule {
            direction: Direction::Ingress,
            number: Some(n),
            action: Some(action),
            services: ServiceSet::ports(6, lo, hi),
            peers: PeerSet::from_v4(RangeSet::full()),
            certainty: Certainty::Definite,
            origin: Origin::new("aws_network_acl.a", format!("ingress rule {n}")),
        }
    }

    #[test]
    fn acl_rules_behind_broader_ones_and_duplicate_numbers_are_found() {
        let mut a = NetworkAcl::new("aws_network_acl.a");
        a.rules = vec![
            acl_rule(100, Action::Allow, 0, 1024),
            acl_rule(110, Action::Deny, 22, 22),
            acl_rule(120, Action::Deny, 1000, 2000),
            acl_rule(120, Action::Allow, 443, 443),
        ];
        let mut s = Snapshot::default();
        s.network_acls.insert(a.key.clone(), a);
        let found: Vec<(&str, String)> = found(&s)
            .into_iter()
            .map(|(r, _, key, _)| (r, key))
            .collect();
        assert_eq!(
            found,
            [
                ("nacl-duplicate-rule-number", "ingress 120".to_owned()),
                (
                    "nacl-rule-shadowed",
                    "aws_network_acl.a ingress rule 110".to_owned()
                ),
                (
                    "nacl-rule-shadowed",
                    "aws_network_acl.a ingress rule 120".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_managed_default_group_with_rules_is_flagged_and_the_change_is_told_apart() {
        let mut g = SecurityGroup::new("aws_default_security_group.default");
        g.is_default = true;
        g.managed = true;
        let before = {
            let mut s = Snapshot::default();
            s.security_groups.insert(g.key.clone(), g.clone());
            s
        };
        g.rules.push(sg_rule(&g.key, 0, 0, 65535, v4(0, 0)));
        let mut after = Snapshot::default();
        after.security_groups.insert(g.key.clone(), g);
        let policy = Policy::default();
        let found = check(&before, &after, &policy);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "default-security-group-has-rules");
        assert!(found[0].introduced);
        assert_eq!(found[0].severity, Severity::Medium);
        assert!(check(&after, &after, &policy)[0].introduced.eq(&false));
        let off = super::super::policy::parse(
            "[rules.default-security-group-has-rules]\nenabled = false\n",
        )
        .unwrap();
        assert!(check(&before, &after, &off).is_empty());
        let low = super::super::policy::parse(
            "[rules.default-security-group-has-rules]\nseverity = \"low\"\n",
        )
        .unwrap();
        assert_eq!(check(&before, &after, &low)[0].severity, Severity::Low);
    }
}
