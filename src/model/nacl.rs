//! Network ACLs: stateless, numbered, first match wins, implicit final deny.

use std::collections::BTreeMap;

use super::{Bound, Certainty, Direction, HeaderSpace, Origin, PeerSet, ServiceSet};
use crate::header_space::PeerPoint;

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Let the packet through.
    Allow,
    /// Drop the packet.
    Deny,
}

impl Action {
    /// Parses `allow`/`deny` in any case.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "allow" => Some(Self::Allow),
            "deny" => Some(Self::Deny),
            _ => None,
        }
    }

    /// `allow` or `deny`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
        }
    }
}

/// A network ACL and its entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkAcl {
    /// The snapshot key: resource address, or id for an ACL Terraform does not manage.
    pub key: String,
    /// The AWS id when known (`acl-…`).
    pub id: Option<String>,
    /// The VPC id or resource address when known.
    pub vpc: Option<String>,
    /// `true` for a VPC's default network ACL.
    pub is_default: bool,
    /// `true` when the ACL itself is a resource in the input (not only referenced).
    pub managed: bool,
    /// `true` when a context file (`--context`) describes the ACL: the input does not
    /// manage it, yet all its entries are known.
    pub from_context: bool,
    /// Subnets (ids or resource addresses) associated with the ACL.
    pub subnets: Vec<String>,
    /// Every entry, both directions, in input order.
    pub rules: Vec<NaclRule>,
    /// Its tags (`tags_all` merged with `tags`), for policy selectors.
    pub tags: BTreeMap<String, String>,
}

/// One network-ACL entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaclRule {
    /// Inbound or outbound.
    pub direction: Direction,
    /// Rule number (1–32766); `None` when known only after apply.
    pub number: Option<u32>,
    /// Allow or deny; `None` when known only after apply.
    pub action: Option<Action>,
    /// Protocol and ports.
    pub services: ServiceSet,
    /// The remote CIDR block (source inbound, destination outbound).
    pub peers: PeerSet,
    /// Whether the match fields are fully known.
    pub certainty: Certainty,
    /// Where the entry is declared.
    pub origin: Origin,
}

impl NaclRule {
    /// The packets the entry matches (an upper bound when possible).
    #[must_use]
    pub fn space(&self) -> HeaderSpace {
        HeaderSpace::product(&self.peers, &self.services)
    }
}

impl NetworkAcl {
    /// An ACL with no entries (denies everything).
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            id: None,
            vpc: None,
            is_default: false,
            managed: false,
            from_context: false,
            subnets: Vec::new(),
            rules: Vec::new(),
            tags: BTreeMap::new(),
        }
    }

    /// `true` when every entry of the ACL is known: the input manages it, or a context
    /// file describes it. Otherwise it is known only by id and assumed to allow all.
    #[must_use]
    pub fn rules_known(&self) -> bool {
        self.managed || self.from_context
    }

    /// The entry that decides a packet in one direction (the first match in rule
    /// order), or `None` for the implicit final deny. Unknowns are resolved as in
    /// [`NetworkAcl::allowed`] for `bound`.
    #[must_use]
    pub fn decide(
        &self,
        direction: Direction,
        peer: PeerPoint<'_>,
        protocol: u8,
        detail: u16,
        bound: Bound,
    ) -> Option<&NaclRule> {
        let favourable = match bound {
            Bound::Upper => Action::Allow,
            Bound::Lower => Action::Deny,
        };
        let mut order: Vec<(u64, usize, &NaclRule)> = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.direction == direction)
            .map(|(i, r)| {
                let action = r.action.unwrap_or(favourable);
                let order = match r.number {
                    Some(n) => u64::from(n),
                    None if action == favourable => 0,
                    None => u64::MAX,
                };
                (order, i, r)
            })
            .collect();
        order.sort_by_key(|e| (e.0, e.1));
        order.into_iter().map(|(_, _, r)| r).find(|r| {
            let action = r.action.unwrap_or(favourable);
            (r.certainty == Certainty::Definite || action == favourable)
                && r.space().contains(peer, protocol, detail)
        })
    }

    /// The packets the ACL lets through in one direction: entries in ascending rule
    /// number, first match wins, everything unmatched denied.
    ///
    /// Unknowns are resolved to the most permissive completion for [`Bound::Upper`] and
    /// the most restrictive for [`Bound::Lower`]: an uncertain allow matches its widened
    /// space (upper) or nothing (lower), an uncertain deny the reverse; an unknown action
    /// counts as allow (upper) or deny (lower); an entry with an unknown number goes
    /// first when it acts in the bound's favour and last otherwise.
    #[must_use]
    pub fn allowed(&self, direction: Direction, bound: Bound) -> HeaderSpace {
        let favourable = match bound {
            Bound::Upper => Action::Allow,
            Bound::Lower => Action::Deny,
        };
        // (sort key, action, match space)
        let mut entries: Vec<(u64, usize, Action, HeaderSpace)> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.direction != direction {
                continue;
            }
            let action = rule.action.unwrap_or(favourable);
            let matched = if rule.certainty == Certainty::Definite || action == favourable {
                rule.space()
            } else {
                HeaderSpace::empty()
            };
            let order = match rule.number {
                Some(n) => u64::from(n),
                None if action == favourable => 0,
                None => u64::MAX,
            };
            entries.push((order, i, action, matched));
        }
        entries.sort_by_key(|e| (e.0, e.1));
        let matched: Vec<HeaderSpace> = entries.iter().map(|e| e.3.clone()).collect();
        let decided = HeaderSpace::first_match(&matched);
        HeaderSpace::union_all(
            entries
                .iter()
                .zip(decided)
                .filter(|((_, _, action, _), _)| *action == Action::Allow)
                .map(|(_, fresh)| fresh),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header_space::service::TCP;
    use crate::header_space::v4_block;

    fn rule(n: u32, action: Action, cidr: &str, ports: Option<(u16, u16)>) -> NaclRule {
        NaclRule {
            direction: Direction::Ingress,
            number: Some(n),
            action: Some(action),
            services: ports.map_or_else(ServiceSet::all, |(lo, hi)| ServiceSet::ports(TCP, lo, hi)),
            peers: PeerSet::from_v4(v4_block(cidr.parse().unwrap())),
            certainty: Certainty::Definite,
            origin: Origin::new("aws_network_acl.a", format!("ingress rule {n}")),
        }
    }

    fn acl(rules: Vec<NaclRule>) -> NetworkAcl {
        NetworkAcl {
            tags: BTreeMap::new(),
            rules,
            ..NetworkAcl::new("aws_network_acl.a")
        }
    }

    #[test]
    fn nacl_deny_takes_precedence_over_later_allow() {
        let a = acl(vec![
            rule(100, Action::Allow, "0.0.0.0/0", None),
            rule(90, Action::Deny, "0.0.0.0/0", Some((22, 22))),
        ]);
        let got = a.allowed(Direction::Ingress, Bound::Upper);
        let everything = rule(1, Action::Allow, "0.0.0.0/0", None).space();
        let ssh = rule(1, Action::Allow, "0.0.0.0/0", Some((22, 22))).space();
        assert_eq!(got, everything.difference(&ssh));
    }

    #[test]
    fn a_later_deny_does_not_undo_an_earlier_allow() {
        let a = acl(vec![
            rule(100, Action::Allow, "0.0.0.0/0", None),
            rule(200, Action::Deny, "0.0.0.0/0", Some((22, 22))),
        ]);
        assert_eq!(
            a.allowed(Direction::Ingress, Bound::Lower),
            rule(1, Action::Allow, "0.0.0.0/0", None).space()
        );
    }

    #[test]
    fn an_empty_acl_denies_everything() {
        assert!(
            acl(vec![])
                .allowed(Direction::Ingress, Bound::Upper)
                .is_empty()
        );
    }

    #[test]
    fn an_uncertain_deny_only_narrows_the_lower_bound() {
        let mut deny = rule(50, Action::Deny, "0.0.0.0/0", Some((22, 22)));
        deny.certainty = Certainty::Possible;
        let a = acl(vec![rule(100, Action::Allow, "0.0.0.0/0", None), deny]);
        let everything = rule(1, Action::Allow, "0.0.0.0/0", None).space();
        let ssh = rule(1, Action::Allow, "0.0.0.0/0", Some((22, 22))).space();
        assert_eq!(a.allowed(Direction::Ingress, Bound::Upper), everything);
        assert_eq!(
            a.allowed(Direction::Ingress, Bound::Lower),
            everything.difference(&ssh)
        );
    }

    #[test]
    fn an_unknown_rule_number_is_placed_against_the_bound() {
        let mut allow = rule(0, Action::Allow, "0.0.0.0/0", Some((22, 22)));
        allow.number = None;
        let a = acl(vec![
            rule(10, Action::Deny, "0.0.0.0/0", Some((0, 1000))),
            allow,
        ]);
        let ssh = rule(1, Action::Allow, "0.0.0.0/0", Some((22, 22))).space();
        assert_eq!(a.allowed(Direction::Ingress, Bound::Upper), ssh);
        assert!(a.allowed(Direction::Ingress, Bound::Lower).is_empty());
    }
}
