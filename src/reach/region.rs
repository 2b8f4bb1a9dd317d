//! Where a class's members may be — the groups they carry and their addresses — and an
//! index from what a rule names (a group, an address range) to the classes it matches,
//! so that each destination looks only at the sources its rules can admit.

use std::collections::{BTreeSet, HashMap};

use super::context::{Ctx, public};
use crate::header_space::{HeaderSpace, PeerSet, Principal, RangeSet, ServiceSet};
use crate::model::{Bound, Certainty, Interface, is_unknown_key};

/// Where a class's members may be: the security groups they carry (as principals), and
/// their addresses.
#[derive(Clone, Debug)]
pub(super) struct Region {
    pub principals: BTreeSet<Principal>,
    /// Exact addresses, when fixed in the input.
    pub exact: PeerSet,
    /// The subnet's addresses, when the exact ones are not known (per family: only
    /// the families the interface has).
    pub range: PeerSet,
    /// The subnet is not known: the address could be anything.
    pub unknown: bool,
    /// Upper world: the members carry a group known only after apply, which any
    /// security-group reference may name.
    pub any_group: bool,
}

impl Region {
    pub(super) fn of(ctx: &Ctx<'_>, iface: &Interface) -> Self {
        let world = ctx.world;
        let principals = if iface.groups_certainty == Certainty::Definite || world == Bound::Upper {
            iface
                .security_groups
                .iter()
                .map(|g| Principal::SecurityGroup(g.clone()))
                .collect()
        } else {
            BTreeSet::new()
        };
        let subnet = iface.subnet.as_deref().and_then(|s| ctx.subnets.get(s));
        let mut exact = PeerSet::empty();
        let mut range = PeerSet::empty();
        if let Some(ip) = iface.private_ipv4 {
            exact.v4 = RangeSet::range(u32::from(ip), u32::from(ip));
        } else if let Some(s) = subnet {
            range.v4 = s.range.v4.clone();
        }
        if public(world, iface.ipv6) {
            if iface.ipv6_addresses.is_empty() {
                if let Some(s) = subnet {
                    range.v6 = s.range.v6.clone();
                }
            } else {
                for a in &iface.ipv6_addresses {
                    let n = u128::from(*a);
                    exact.v6 = exact.v6.union(&RangeSet::range(n, n));
                }
            }
        }
        Self {
            any_group: world == Bound::Upper
                && iface.security_groups.iter().any(|g| is_unknown_key(g)),
            principals,
            exact,
            range,
            unknown: subnet.is_none(),
        }
    }

    /// Whether a rule naming `peers` applies to this region's members, in `world`.
    pub(super) fn matched_by(&self, peers: &PeerSet, world: Bound) -> bool {
        if self.principals.iter().any(|p| peers.principals.contains(p)) {
            return true;
        }
        if peers.intersects(&self.exact) {
            return true;
        }
        match world {
            Bound::Upper => {
                // A reference known only after apply may name any group, and a group
                // known only after apply may be the one any reference names.
                let groups = || {
                    peers
                        .principals
                        .iter()
                        .filter(|p| matches!(p, Principal::SecurityGroup(_)))
                };
                peers.intersects(&self.range)
                    || (self.unknown && !peers.v4.is_empty())
                    || (self.any_group && groups().next().is_some())
                    || (!self.principals.is_empty() && groups().any(Principal::is_unknown))
            }
            Bound::Lower => {
                (!self.range.v4.is_empty() && self.range.v4.is_subset(&peers.v4))
                    || (!self.range.v6.is_empty() && self.range.v6.is_subset(&peers.v6))
            }
        }
    }

    /// The addresses the members may have: their fixed ones, else the subnet's blocks.
    pub(super) fn addresses(&self) -> PeerSet {
        self.exact.union(&self.range)
    }
}

/// The services a filter allows for a peer in `region` (`None`: no filter).
pub(super) fn services_for(
    filter: Option<&HeaderSpace>,
    region: &Region,
    world: Bound,
) -> ServiceSet {
    match filter {
        None => ServiceSet::all(),
        Some(space) => space.services_matching(|peers| region.matched_by(peers, world)),
    }
}

/// Classes by what a rule may name them by, to find the classes a filter can admit
/// without testing every class: a superset of those [`Region::matched_by`] accepts.
pub(super) struct SourceIndex<'r> {
    world: Bound,
    every: Vec<usize>,
    /// Group key → the classes carrying it.
    by_group: HashMap<&'r str, Vec<usize>>,
    /// Classes carrying some group (an unknown reference may name any of them).
    with_groups: Vec<usize>,
    /// Upper world: classes carrying a group known only after apply.
    any_group: Vec<usize>,
    /// Classes whose subnet is not known.
    unknown_subnet: Vec<usize>,
    /// Each class's address ranges, sorted by their first address, and the widest.
    v4: Vec<(u32, u32, usize)>,
    v4_widest: u32,
    v6: Vec<(u128, u128, usize)>,
    v6_widest: u128,
}

impl<'r> SourceIndex<'r> {
    pub(super) fn new(regions: &'r [Region], world: Bound) -> Self {
        let mut index = Self {
            world,
            every: (0..regions.len()).collect(),
            by_group: HashMap::new(),
            with_groups: Vec::new(),
            any_group: Vec::new(),
            unknown_subnet: Vec::new(),
            v4: Vec::new(),
            v4_widest: 0,
            v6: Vec::new(),
            v6_widest: 0,
        };
        for (c, r) in regions.iter().enumerate() {
            for p in &r.principals {
                index.by_group.entry(p.name()).or_default().push(c);
            }
            if !r.principals.is_empty() {
                index.with_groups.push(c);
            }
            if r.any_group {
                index.any_group.push(c);
            }
            if r.unknown {
                index.unknown_subnet.push(c);
            }
            let addresses = r.addresses();
            for &(lo, hi) in addresses.v4.ranges() {
                index.v4.push((lo, hi, c));
                index.v4_widest = index.v4_widest.max(hi - lo);
            }
            for &(lo, hi) in addresses.v6.ranges() {
                index.v6.push((lo, hi, c));
                index.v6_widest = index.v6_widest.max(hi - lo);
            }
        }
        index.v4.sort_unstable();
        index.v6.sort_unstable();
        index
    }

    /// The classes a filter may admit (every class when there is no filter), sorted.
    pub(super) fn candidates(&self, filter: Option<&HeaderSpace>) -> Vec<usize> {
        let Some(filter) = filter else {
            return self.every.clone();
        };
        let peers = filter.peers();
        let mut out = Vec::new();
        let upper = self.world == Bound::Upper;
        let mut any_reference = false;
        for p in &peers.principals {
            if let Principal::SecurityGroup(g) = p {
                any_reference = true;
                if upper && p.is_unknown() {
                    out.extend_from_slice(&self.with_groups);
                }
                if let Some(classes) = self.by_group.get(g.as_str()) {
                    out.extend_from_slice(classes);
                }
            }
        }
        if upper && any_reference {
            out.extend_from_slice(&self.any_group);
        }
        if upper && !peers.v4.is_empty() {
            out.extend_from_slice(&self.unknown_subnet);
        }
        overlapping(&self.v4, self.v4_widest, peers.v4.ranges(), &mut out);
        overlapping(&self.v6, self.v6_widest, peers.v6.ranges(), &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Pushes the class of every entry of `sorted` (ranges sorted by first address, none
/// wider than `widest`) that overlaps one of `ranges`.
fn overlapping<T>(sorted: &[(T, T, usize)], widest: T, ranges: &[(T, T)], out: &mut Vec<usize>)
where
    T: Copy + Ord + std::ops::Sub<Output = T> + Default,
{
    for &(lo, hi) in ranges {
        // An entry starting before `lo - widest` ends before `lo`.
        let from = if lo > widest {
            lo - widest
        } else {
            T::default()
        };
        let start = sorted.partition_point(|e| e.0 < from);
        for &(elo, ehi, c) in &sorted[start..] {
            if elo > hi {
                break;
            }
            if ehi >= lo {
                out.push(c);
            }
        }
    }
}
