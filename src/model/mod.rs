//! The normalized network at one point in time: a [`Snapshot`].
//!
//! Sources ([`crate::source`]) turn Terraform plans (and later HCL and `CloudFormation`)
//! into two snapshots, *before* and *after*. Every rule here is normalized: protocol
//! spellings resolved to numbers, ports and ICMP type/code turned into a
//! [`ServiceSet`], sources and destinations into a [`PeerSet`] in which referenced
//! security groups and prefix lists stay symbolic ([`Principal`]). Each rule remembers
//! its [`Origin`], and whether it is [`Certainty::Definite`] or only
//! [`Certainty::Possible`] because some value is known only after apply.
//!
//! Around the filters sit the topology (VPCs, subnets, route tables, gateways, prefix
//! lists) and the [`Endpoint`]s that carry security groups; objects known only after
//! apply that the input cannot name are [`unknown_key`]s.
//!
//! The evaluation of one filter in isolation lives here too
//! ([`SecurityGroup::allowed`], [`NetworkAcl::allowed`]); comparing snapshots is
//! [`crate::delta`]'s job, and this module knows nothing of input formats.

mod endpoint;
mod nacl;
mod protocol;
mod security_group;
mod topology;

use std::collections::BTreeMap;
use std::fmt;

pub use endpoint::{Endpoint, EndpointKind, Interface, Listener};
pub use nacl::{Action, NaclRule, NetworkAcl};
pub use protocol::{Protocol, host_bits_set, nacl_services, sg_services};
pub use security_group::{SecurityGroup, SgRule};
pub use topology::{
    Gateway, NatGateway, PrefixList, Route, RouteDestination, RouteTable, RouteTarget, Subnet, Tri,
    Vpc,
};

pub use crate::header_space::{HeaderSpace, PeerSet, Principal, ServiceSet};

/// The normalized network at one point in time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Security groups by key: the resource address when Terraform manages the group
    /// (`aws_security_group.web`), else its id (`sg-0123…`).
    pub security_groups: BTreeMap<String, SecurityGroup>,
    /// Network ACLs by key, as for security groups.
    pub network_acls: BTreeMap<String, NetworkAcl>,
    /// VPCs by key.
    pub vpcs: BTreeMap<String, Vpc>,
    /// Subnets by key.
    pub subnets: BTreeMap<String, Subnet>,
    /// Route tables by key.
    pub route_tables: BTreeMap<String, RouteTable>,
    /// Internet and egress-only internet gateways by key.
    pub gateways: BTreeMap<String, Gateway>,
    /// NAT gateways by key.
    pub nat_gateways: BTreeMap<String, NatGateway>,
    /// Managed prefix lists by key.
    pub prefix_lists: BTreeMap<String, PrefixList>,
    /// Endpoints by key.
    pub endpoints: BTreeMap<String, Endpoint>,
}

/// The key standing for a resource of type `noun` that a value known only after apply
/// names and the plan does not show (`(subnet known after apply)`). Nothing is known of
/// it: evaluation treats it as allowing everything in the [`Bound::Upper`] world and
/// nothing in the [`Bound::Lower`] one.
#[must_use]
pub fn unknown_key(noun: &str) -> String {
    format!("({noun} known after apply)")
}

/// The instances an unknown key stands for one of, as an address pattern with `[*]` for
/// any index: `aws_security_group.g[*]` for `(aws_security_group.g[*] known after
/// apply)`; `None` for a key that says nothing of what it stands for.
#[must_use]
pub fn unknown_family(key: &str) -> Option<&str> {
    let inner = key.strip_prefix('(')?.strip_suffix(" known after apply)")?;
    inner.contains("[*]").then_some(inner)
}

/// Up to this many members, a group known only as one of a family (an instance of
/// `aws_security_group.g[*]`, the plan does not say which) allows at most what one of
/// them allows, its carriers count for each member, and a trace names each member that
/// admits a flow. A larger family is any group in the permissive world: unioning
/// thousands of groups' rules gives every interface of the family an enormous answer
/// that no reviewer reads, at a quadratic cost (`--source` resolves such references
/// exactly instead).
pub const FAMILY_NAMED: usize = 16;

/// The keys among `keys` that the unknown key `key` stands for one of; empty when it
/// names no family.
fn family_members<'a>(key: &str, keys: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    match unknown_family(key) {
        Some(f) => keys
            .map(String::as_str)
            .filter(|k| family_matches(f, k))
            .collect(),
        None => Vec::new(),
    }
}

/// Whether `key` (`aws_security_group.g[5]`, `module.m["a"].aws_subnet.s[0]`) is an
/// instance of `pattern`, in which each `[*]` stands for one index of any value.
#[must_use]
pub fn family_matches(pattern: &str, key: &str) -> bool {
    let mut rest = key;
    let mut pieces = pattern.split("[*]").peekable();
    while let Some(piece) = pieces.next() {
        let Some(after) = rest.strip_prefix(piece) else {
            return false;
        };
        rest = after;
        if pieces.peek().is_none() {
            return rest.is_empty();
        }
        // One index: `[0]` or `["a]b"]` (a JSON string may hold brackets).
        let Some(after) = skip_index(rest) else {
            return false;
        };
        rest = after;
    }
    rest.is_empty()
}

/// The text after one leading `[index]`.
fn skip_index(text: &str) -> Option<&str> {
    let body = text.strip_prefix('[')?;
    if body.starts_with('"') {
        let mut escaped = false;
        for (i, c) in body.char_indices().skip(1) {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return body[i + 1..].strip_prefix(']'),
                _ => {}
            }
        }
        None
    } else {
        let end = body.find(']')?;
        Some(&body[end + 1..])
    }
}

/// `true` for a key made by [`unknown_key`] (or the bare [`Principal::UNKNOWN`]).
#[must_use]
pub fn is_unknown_key(key: &str) -> bool {
    crate::header_space::is_unknown_name(key)
}

/// The direction of a rule, seen from the filtered resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Traffic arriving; the peer is the source.
    Ingress,
    /// Traffic leaving; the peer is the destination.
    Egress,
}

impl Direction {
    /// Both directions, ingress first.
    pub const BOTH: [Self; 2] = [Self::Ingress, Self::Egress];

    /// `ingress` or `egress`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a rule (or a change) is certain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    /// Fully known.
    #[default]
    Definite,
    /// Depends on values known only after apply; the space given is an upper bound.
    Possible,
}

impl Certainty {
    /// `definite` or `possible`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Definite => "definite",
            Self::Possible => "possible",
        }
    }
}

/// Which bound of an uncertain filter to evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// What is allowed whatever the unknown values turn out to be.
    Lower,
    /// What may be allowed for some value of the unknowns.
    Upper,
}

/// Where a rule comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The resource address that declares the rule (`aws_security_group_rule.ssh`).
    pub resource: String,
    /// Which rule of that resource (`ingress[2]`, `egress rule 100`), empty when the
    /// resource is the rule.
    pub rule: String,
}

impl Origin {
    /// An origin with a rule label.
    #[must_use]
    pub fn new(resource: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rule.is_empty() {
            f.write_str(&self.resource)
        } else {
            write!(f, "{} {}", self.resource, self.rule)
        }
    }
}

/// Which endpoints carry each security group and sit in each subnet, by key (endpoint
/// keys sorted), for one snapshot.
#[derive(Clone, Debug, Default)]
pub struct Carriers<'s> {
    /// Security group key → the endpoints with an interface in it.
    pub by_group: BTreeMap<&'s str, std::collections::BTreeSet<&'s str>>,
    /// Subnet key → the endpoints with an interface in it.
    pub by_subnet: BTreeMap<&'s str, std::collections::BTreeSet<&'s str>>,
    /// Family (`aws_security_group.g[*]`) → the endpoints with an interface in a group
    /// known only as one of that family; each member may carry them.
    group_families: BTreeMap<&'s str, std::collections::BTreeSet<&'s str>>,
    /// The same for subnets (`aws_subnet.s[*]`).
    subnet_families: BTreeMap<&'s str, std::collections::BTreeSet<&'s str>>,
}

impl<'s> Carriers<'s> {
    /// The endpoints that carry group `g`, then those that may carry it through a
    /// family (in key order within each), without collecting them.
    pub fn of_group<'c>(&'c self, g: &'c str) -> impl Iterator<Item = &'s str> + 'c {
        Self::of(&self.by_group, &self.group_families, g)
    }

    /// The endpoints that sit in subnet `s`, then those that may sit in it through a
    /// family.
    pub fn of_subnet<'c>(&'c self, s: &'c str) -> impl Iterator<Item = &'s str> + 'c {
        Self::of(&self.by_subnet, &self.subnet_families, s)
    }

    fn of<'c>(
        exact: &'c BTreeMap<&'s str, std::collections::BTreeSet<&'s str>>,
        families: &'c BTreeMap<&'s str, std::collections::BTreeSet<&'s str>>,
        key: &'c str,
    ) -> impl Iterator<Item = &'s str> + 'c {
        exact
            .get(key)
            .into_iter()
            .flatten()
            .chain(
                families
                    .iter()
                    .filter(move |(f, _)| family_matches(f, key))
                    .flat_map(|(_, members)| members),
            )
            .copied()
    }
}

/// What an endpoint's interfaces are built from, as a reader found them.
#[derive(Clone, Copy, Debug)]
pub struct InterfaceFacts<'a> {
    /// Subnet keys; empty when unknown (one interface without a subnet).
    pub subnets: &'a [String],
    /// Security group keys, and whether that list is certain.
    pub groups: (&'a [String], Certainty),
    /// An empty, certain list means the VPC's default group (instances, interfaces,
    /// databases; not a network load balancer or a function that only sends).
    pub default_group: bool,
    /// Whether the interfaces have a public IPv4 address.
    pub public_ipv4: Tri,
    /// Whether they have an IPv6 address.
    pub ipv6: Tri,
}

impl Snapshot {
    /// The default security group of the VPC of `subnet`, when the snapshot knows it.
    #[must_use]
    pub fn default_group_of(&self, subnet: Option<&str>) -> Option<String> {
        let vpc = self.subnets.get(subnet?)?.vpc.as_ref()?;
        self.vpcs.get(vpc)?.default_security_group.clone()
    }

    /// One interface per subnet, each with the groups, or the VPC's default group when
    /// `facts` call for it. The flag is `true` when a default group was called for but
    /// its VPC is unknown: that interface's groups are then only possible, and the
    /// reader should say so in its own words.
    #[must_use]
    pub fn interfaces_in(&self, facts: InterfaceFacts<'_>) -> (Vec<Interface>, bool) {
        let subnets: Vec<Option<&String>> = if facts.subnets.is_empty() {
            vec![None]
        } else {
            facts.subnets.iter().map(Some).collect()
        };
        let mut missing_default = false;
        let interfaces = subnets
            .into_iter()
            .map(|subnet| {
                let (mut security_groups, mut groups_certainty) =
                    (facts.groups.0.to_vec(), facts.groups.1);
                if security_groups.is_empty()
                    && facts.default_group
                    && groups_certainty == Certainty::Definite
                {
                    if let Some(default) = self.default_group_of(subnet.map(String::as_str)) {
                        security_groups.push(default);
                    } else {
                        missing_default = true;
                        groups_certainty = Certainty::Possible;
                    }
                }
                security_groups.sort();
                security_groups.dedup();
                Interface {
                    subnet: subnet.cloned(),
                    security_groups,
                    groups_certainty,
                    filtered: true,
                    private_ipv4: None,
                    public_ipv4: facts.public_ipv4,
                    ipv6: facts.ipv6,
                    ipv6_addresses: Vec::new(),
                }
            })
            .collect();
        (interfaces, missing_default)
    }

    /// The security groups of the plan an unknown key stands for one of
    /// (`(aws_security_group.g[*] known after apply)`: each `aws_security_group.g[k]`),
    /// in key order; empty for any other key.
    #[must_use]
    pub fn group_family<'a>(&'a self, key: &str) -> Vec<&'a str> {
        family_members(key, self.security_groups.keys())
    }

    /// The endpoints behind each group and each subnet. An interface whose group or
    /// subnet is one of a small family known only after apply may sit behind any member:
    /// [`Carriers::of_group`] and [`Carriers::of_subnet`] count it for each (kept per
    /// family, not per member: a family of n groups on n instances is n entries, not
    /// n²).
    #[must_use]
    pub fn carriers(&self) -> Carriers<'_> {
        // Only a family of at most `FAMILY_NAMED` members stands for each member.
        let mut small_groups: BTreeMap<&str, bool> = BTreeMap::new();
        let mut small_subnets: BTreeMap<&str, bool> = BTreeMap::new();
        let mut c = Carriers::default();
        for e in self.endpoints.values() {
            for i in &e.interfaces {
                for g in &i.security_groups {
                    c.by_group.entry(g).or_default().insert(&e.key);
                    if let Some(f) = unknown_family(g).filter(|f| {
                        *small_groups.entry(f).or_insert_with(|| {
                            family_members(g, self.security_groups.keys()).len() <= FAMILY_NAMED
                        })
                    }) {
                        c.group_families.entry(f).or_default().insert(&e.key);
                    }
                }
                if let Some(s) = &i.subnet {
                    c.by_subnet.entry(s).or_default().insert(&e.key);
                    if let Some(f) = unknown_family(s).filter(|f| {
                        *small_subnets.entry(f).or_insert_with(|| {
                            family_members(s, self.subnets.keys()).len() <= FAMILY_NAMED
                        })
                    }) {
                        c.subnet_families.entry(f).or_default().insert(&e.key);
                    }
                }
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_names_its_family_only_when_it_has_one() {
        assert_eq!(
            unknown_family("(aws_security_group.g[*] known after apply)"),
            Some("aws_security_group.g[*]")
        );
        assert_eq!(unknown_family("(security group known after apply)"), None);
        assert_eq!(unknown_family(Principal::UNKNOWN), None);
        assert_eq!(unknown_family("aws_security_group.g[*]"), None);
    }

    #[test]
    fn a_family_pattern_matches_one_index_per_star() {
        let p = "aws_security_group.g[*]";
        assert!(family_matches(p, "aws_security_group.g[0]"));
        assert!(family_matches(p, r#"aws_security_group.g["a]b"]"#));
        assert!(!family_matches(p, "aws_security_group.g"));
        assert!(!family_matches(p, "aws_security_group.gx[0]"));
        assert!(!family_matches(p, "aws_security_group.g[0].x"));
        assert!(!family_matches(p, "module.m.aws_security_group.g[0]"));
        let m = r#"module.net[*].aws_subnet.s["a"]"#;
        assert!(family_matches(m, r#"module.net[3].aws_subnet.s["a"]"#));
        assert!(!family_matches(m, r#"module.net[3].aws_subnet.s["b"]"#));
        assert!(family_matches("aws_vpc.v", "aws_vpc.v"));
    }
}
