//! Security groups: stateful, allow-only, unordered.

use std::collections::BTreeMap;

use super::{Bound, Certainty, Direction, HeaderSpace, Origin, PeerSet, ServiceSet};
use crate::header_space::PeerPoint;

/// A security group and its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityGroup {
    /// The snapshot key: resource address, or id for a group Terraform does not manage.
    pub key: String,
    /// The AWS id when known (`sg-…`).
    pub id: Option<String>,
    /// The VPC id or resource address when known.
    pub vpc: Option<String>,
    /// `true` for a VPC's default security group.
    pub is_default: bool,
    /// `true` when the group itself is a resource in the input (not only referenced).
    pub managed: bool,
    /// `true` when a context file (`--context`) describes the group: the input does not
    /// manage it, yet all its rules are known.
    pub from_context: bool,
    /// Every rule, both directions.
    pub rules: Vec<SgRule>,
    /// Its tags (`tags_all` merged with `tags`), for policy selectors.
    pub tags: BTreeMap<String, String>,
}

/// One security-group rule: `services` from (ingress) or to (egress) `peers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SgRule {
    /// Ingress or egress.
    pub direction: Direction,
    /// Protocol and ports.
    pub services: ServiceSet,
    /// The remote parties.
    pub peers: PeerSet,
    /// Whether every value of the rule is known.
    pub certainty: Certainty,
    /// Where the rule is declared.
    pub origin: Origin,
}

impl SgRule {
    /// The packets the rule matches (an upper bound when possible).
    #[must_use]
    pub fn space(&self) -> HeaderSpace {
        HeaderSpace::product(&self.peers, &self.services)
    }
}

impl SecurityGroup {
    /// A group with no rules.
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            id: None,
            vpc: None,
            is_default: false,
            managed: false,
            from_context: false,
            rules: Vec::new(),
            tags: BTreeMap::new(),
        }
    }

    /// `true` when every rule of the group is known: the input manages it, or a context
    /// file describes it. Otherwise it is known only by id (with at most the rules the
    /// input adds to it) and assumed open.
    #[must_use]
    pub fn rules_known(&self) -> bool {
        self.managed || self.from_context
    }

    /// The first rule (in input order) that allows a packet from or to any of `peers`,
    /// counting only definite rules for [`Bound::Lower`].
    #[must_use]
    pub fn matching_rule(
        &self,
        direction: Direction,
        peers: &[PeerPoint<'_>],
        protocol: u8,
        detail: u16,
        bound: Bound,
    ) -> Option<&SgRule> {
        self.rules.iter().find(|r| {
            r.direction == direction
                && (bound == Bound::Upper || r.certainty == Certainty::Definite)
                && peers
                    .iter()
                    .any(|p| r.space().contains(*p, protocol, detail))
        })
    }

    /// The packets the group allows in one direction: the union of its rules. With
    /// [`Bound::Lower`] only definite rules count; with [`Bound::Upper`] every rule does.
    #[must_use]
    pub fn allowed(&self, direction: Direction, bound: Bound) -> HeaderSpace {
        HeaderSpace::union_all(
            self.rules
                .iter()
                .filter(|r| r.direction == direction)
                .filter(|r| bound == Bound::Upper || r.certainty == Certainty::Definite)
                .map(SgRule::space),
        )
    }
}
