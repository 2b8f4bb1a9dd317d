//! The remote-party dimension of a header space: IPv4 and IPv6 addresses, plus symbolic
//! principals (security groups, prefix lists) whose addresses are not known here.
//!
//! A principal is an opaque atom: `sg:aws_security_group.app` is neither a subset nor a
//! superset of `10.0.0.0/8` as far as this algebra is concerned. Later stages may
//! resolve principals to addresses; this module never guesses.

use std::collections::BTreeSet;
use std::fmt;

use super::ip::{Ipv4Set, Ipv6Set};

/// A symbolic party whose addresses are not known to the algebra.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Principal {
    /// The members of a security group, named by resource address (`aws_security_group.app`)
    /// or id (`sg-0123…`).
    SecurityGroup(String),
    /// The entries of a managed prefix list, named by resource address or id (`pl-…`).
    PrefixList(String),
    /// A modelled endpoint (an instance, a load balancer, …) as a source, by address.
    Endpoint(String),
    /// Many modelled endpoints that behave alike, as sources, by the name of the set
    /// (`aws_instance.web[0] and 1,499 more`); whoever holds the set (a
    /// [`crate::delta::Delta`]) lists its members. A set never stands for the subject of
    /// the change it appears in: an endpoint is not its own peer.
    Endpoints(String),
}

impl Principal {
    /// The name used for a reference whose target is known only after apply.
    pub const UNKNOWN: &'static str = "(known after apply)";

    /// The bare name, without the `sg:`/`pl:` kind prefix.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::SecurityGroup(n)
            | Self::PrefixList(n)
            | Self::Endpoint(n)
            | Self::Endpoints(n) => n,
        }
    }

    /// `true` for the placeholder of an unresolved reference (see [`is_unknown_name`]).
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        is_unknown_name(self.name())
    }
}

/// `true` for a name that stands for something known only after apply:
/// [`Principal::UNKNOWN`], or a model key such as `(subnet known after apply)`.
#[must_use]
pub fn is_unknown_name(name: &str) -> bool {
    name.starts_with('(') && name.ends_with("known after apply)")
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SecurityGroup(n) => write!(f, "sg:{n}"),
            Self::PrefixList(n) => write!(f, "pl:{n}"),
            Self::Endpoint(n) | Self::Endpoints(n) => write!(f, "ep:{n}"),
        }
    }
}

/// One remote party, used to test membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerPoint<'a> {
    /// An IPv4 address.
    V4(u32),
    /// An IPv6 address.
    V6(u128),
    /// A symbolic principal.
    Principal(&'a Principal),
}

/// A set of remote parties.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerSet {
    /// IPv4 addresses.
    pub v4: Ipv4Set,
    /// IPv6 addresses.
    pub v6: Ipv6Set,
    /// Symbolic principals.
    pub principals: BTreeSet<Principal>,
}

impl PeerSet {
    /// Nobody.
    #[must_use]
    pub const fn empty() -> Self {
        Self {
            v4: Ipv4Set::empty(),
            v6: Ipv6Set::empty(),
            principals: BTreeSet::new(),
        }
    }

    /// Every address of both families (no principal).
    #[must_use]
    pub fn all_addresses() -> Self {
        Self {
            v4: Ipv4Set::full(),
            v6: Ipv6Set::full(),
            principals: BTreeSet::new(),
        }
    }

    /// Exactly the given IPv4 addresses.
    #[must_use]
    pub fn from_v4(v4: Ipv4Set) -> Self {
        Self {
            v4,
            ..Self::empty()
        }
    }

    /// Exactly the given IPv6 addresses.
    #[must_use]
    pub fn from_v6(v6: Ipv6Set) -> Self {
        Self {
            v6,
            ..Self::empty()
        }
    }

    /// Exactly one principal.
    #[must_use]
    pub fn from_principal(p: Principal) -> Self {
        Self {
            principals: BTreeSet::from([p]),
            ..Self::empty()
        }
    }

    /// `true` when nobody is in the set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty() && self.principals.is_empty()
    }

    /// `true` when `p` is in the set.
    #[must_use]
    pub fn contains(&self, p: PeerPoint<'_>) -> bool {
        match p {
            PeerPoint::V4(a) => self.v4.contains(a),
            PeerPoint::V6(a) => self.v6.contains(a),
            PeerPoint::Principal(pr) => self.principals.contains(pr),
        }
    }

    /// Union.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        Self {
            v4: self.v4.union(&other.v4),
            v6: self.v6.union(&other.v6),
            principals: self.principals.union(&other.principals).cloned().collect(),
        }
    }

    /// Intersection.
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Self {
        Self {
            v4: self.v4.intersection(&other.v4),
            v6: self.v6.intersection(&other.v6),
            principals: self
                .principals
                .intersection(&other.principals)
                .cloned()
                .collect(),
        }
    }

    /// Difference.
    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        Self {
            v4: self.v4.difference(&other.v4),
            v6: self.v6.difference(&other.v6),
            principals: self
                .principals
                .difference(&other.principals)
                .cloned()
                .collect(),
        }
    }

    /// `true` when every party of `self` is in `other` (no allocation).
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool {
        self.v4.is_subset(&other.v4)
            && self.v6.is_subset(&other.v6)
            && self.principals.is_subset(&other.principals)
    }

    /// `true` when the two sets share a party.
    #[must_use]
    pub fn intersects(&self, other: &Self) -> bool {
        self.v4.intersects(&other.v4)
            || self.v6.intersects(&other.v6)
            || self
                .principals
                .intersection(&other.principals)
                .next()
                .is_some()
    }
}
