//! Exact sets of packets ("header spaces") and their canonical rendering.
//!
//! A [`HeaderSpace`] is a set of (remote party × service) pairs, where the remote party
//! is an IPv4 address, an IPv6 address or a symbolic [`Principal`], and the service is a
//! protocol with its destination port or ICMP type/code (see [`service`]). The set is
//! stored as a canonical map from disjoint service ranges to the [`PeerSet`] allowed on
//! them, so equality is structural and every operation is exact.
//!
//! This module is pure algebra: it knows nothing of AWS, rules or snapshots. The model
//! builds header spaces from rules ([`crate::model`]); the delta subtracts them
//! ([`crate::delta`]); [`HeaderSpace::parts`] renders them back into CIDR lists and port
//! ranges.

mod ip;
mod peer;
mod range_set;
mod render;
pub mod service;

pub use ip::{
    Ipv4Set, Ipv6Set, covering_block, parse_cidr, v4_block, v4_cidrs, v6_block, v6_cidrs,
};
pub use peer::{PeerPoint, PeerSet, Principal, is_unknown_name};
pub use range_set::{Point, RangeSet};
pub use render::{IcmpItem, Part, Service, port_range, thousands};
pub use service::ServiceSet;

use service::SERVICE_MAX;

/// One service range and the parties allowed on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Segment {
    lo: u32,
    hi: u32,
    peers: PeerSet,
}

/// A set of packets: remote party × protocol × port (or ICMP type/code).
///
/// Canonical: segments are sorted, disjoint, never empty, and two touching segments
/// never carry the same [`PeerSet`]. Hence `a == b` exactly when both hold the same
/// packets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct HeaderSpace {
    segments: Vec<Segment>,
}

impl HeaderSpace {
    /// No packet.
    #[must_use]
    pub const fn empty() -> Self {
        Self {
            segments: Vec::new(),
        }
    }

    /// Every packet from (or to) anyone in `peers` on any service in `services`.
    #[must_use]
    pub fn product(peers: &PeerSet, services: &ServiceSet) -> Self {
        if peers.is_empty() {
            return Self::empty();
        }
        Self {
            segments: services
                .as_set()
                .ranges()
                .iter()
                .map(|&(lo, hi)| Segment {
                    lo,
                    hi,
                    peers: peers.clone(),
                })
                .collect(),
        }
    }

    /// `true` when the set holds no packet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// `true` when the packet (peer, protocol, detail) is in the set; `detail` is the
    /// destination port for TCP/UDP, `type << 8 | code` for ICMP, ignored otherwise.
    #[must_use]
    pub fn contains(&self, peer: PeerPoint<'_>, protocol: u8, detail: u16) -> bool {
        let detail = if service::has_ports(protocol) || service::is_icmp(protocol) {
            detail
        } else {
            0
        };
        let point = service::encode(protocol, detail);
        let i = self.segments.partition_point(|s| s.hi < point);
        self.segments
            .get(i)
            .is_some_and(|s| s.lo <= point && s.peers.contains(peer))
    }

    /// Union.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        combine(&self.segments, &other.segments, |a, b| match (a, b) {
            (Some(a), Some(b)) => a.union(b),
            (Some(x), None) | (None, Some(x)) => x.clone(),
            (None, None) => PeerSet::empty(),
        })
    }

    /// The union of many sets, merged pairwise like a balanced tree: O(n log n) segment
    /// work where folding one by one is O(n²) for rules that do not overlap.
    #[must_use]
    pub fn union_all(spaces: impl IntoIterator<Item = Self>) -> Self {
        let mut level: Vec<Self> = spaces.into_iter().filter(|s| !s.is_empty()).collect();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| match pair {
                    [a, b] => a.union(b),
                    [a] => a.clone(),
                    _ => unreachable!("chunks(2) yields one or two"),
                })
                .collect();
        }
        level.pop().unwrap_or_default()
    }

    /// What each set of a sequence adds to the sets before it: `spaces[i]` minus the
    /// union of `spaces[..i]`. First-match evaluation (network ACLs) is this: an entry
    /// decides exactly the packets no earlier entry matched.
    ///
    /// Subtracting a running union entry by entry is O(n²) in the union's size (4,000
    /// ACL entries took 17 s). Instead, the unions of a balanced tree over the sequence
    /// are built bottom up (O(n log n)), and each subtree receives only the part of the
    /// earlier entries' union that meets its own union, so every level of the tree
    /// handles sets of linear total size: O(n log n) set work for rules whose spaces do
    /// not overlap heavily (what overlaps is merged as it goes).
    #[must_use]
    pub fn first_match(spaces: &[Self]) -> Vec<Self> {
        /// The union of a range of the sequence, with its halves.
        struct Node {
            union: HeaderSpace,
            halves: Option<Box<(Node, Node)>>,
        }
        fn build(spaces: &[HeaderSpace]) -> Node {
            if let [one] = spaces {
                return Node {
                    union: one.clone(),
                    halves: None,
                };
            }
            let (l, r) = spaces.split_at(spaces.len() / 2);
            let (left, right) = (build(l), build(r));
            Node {
                union: left.union.union(&right.union),
                halves: Some(Box::new((left, right))),
            }
        }
        /// `earlier`: the union of the sets before this range, within its union.
        fn walk(
            node: &Node,
            spaces: &[HeaderSpace],
            earlier: &HeaderSpace,
            out: &mut Vec<HeaderSpace>,
        ) {
            match &node.halves {
                None => out.push(spaces[0].difference(earlier)),
                Some(halves) => {
                    let (left, right) = &**halves;
                    let (l, r) = spaces.split_at(spaces.len() / 2);
                    walk(left, l, &earlier.intersection(&left.union), out);
                    let before_right = earlier.union(&left.union).intersection(&right.union);
                    walk(right, r, &before_right, out);
                }
            }
        }
        let mut out = Vec::with_capacity(spaces.len());
        if !spaces.is_empty() {
            walk(&build(spaces), spaces, &Self::empty(), &mut out);
        }
        out
    }

    /// Intersection.
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Self {
        if self.is_empty() || other.is_empty() {
            return Self::empty();
        }
        combine(&self.segments, &other.segments, |a, b| match (a, b) {
            (Some(a), Some(b)) => a.intersection(b),
            _ => PeerSet::empty(),
        })
    }

    /// The packets of `self` not in `other`.
    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        if self.is_empty() || other.is_empty() {
            return self.clone();
        }
        combine(&self.segments, &other.segments, |a, b| match (a, b) {
            (Some(a), Some(b)) => a.difference(b),
            (Some(a), None) => a.clone(),
            _ => PeerSet::empty(),
        })
    }

    /// `true` when the two sets share a packet.
    #[must_use]
    pub fn intersects(&self, other: &Self) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(a), Some(b)) = (self.segments.get(i), other.segments.get(j)) {
            if a.lo.max(b.lo) <= a.hi.min(b.hi) && a.peers.intersects(&b.peers) {
                return true;
            }
            if a.hi < b.hi {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// `true` when every packet of `self` is in `other`.
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool {
        self.difference(other).is_empty()
    }

    /// The services on which some party `matches` accepts.
    #[must_use]
    pub fn services_matching(&self, matches: impl Fn(&PeerSet) -> bool) -> ServiceSet {
        ServiceSet::from_set(RangeSet::from_ranges(
            self.segments
                .iter()
                .filter(|s| matches(&s.peers))
                .map(|s| (s.lo, s.hi)),
        ))
    }

    /// The same services with each peer set replaced by `f(peers)`.
    #[must_use]
    pub fn map_peers(&self, f: impl Fn(&PeerSet) -> PeerSet) -> Self {
        Self::union_all(self.segments.iter().map(|s| {
            Self::product(
                &f(&s.peers),
                &ServiceSet::from_set(RangeSet::range(s.lo, s.hi)),
            )
        }))
    }

    /// Only the given peers, on every service.
    #[must_use]
    pub fn restrict_peers(&self, peers: &PeerSet) -> Self {
        self.intersection(&Self::product(peers, &ServiceSet::all()))
    }

    /// Only the given services, for every peer.
    #[must_use]
    pub fn restrict_services(&self, services: &ServiceSet) -> Self {
        let keep = services.as_set();
        let mut segments = Vec::new();
        for seg in &self.segments {
            // Pieces of one segment never touch (the service ranges are canonical), and
            // pieces of different segments keep those segments' distinct peers.
            for &(lo, hi) in keep.intersection(&RangeSet::range(seg.lo, seg.hi)).ranges() {
                segments.push(Segment {
                    lo,
                    hi,
                    peers: seg.peers.clone(),
                });
            }
        }
        Self { segments }
    }

    /// Every party that appears on some service.
    #[must_use]
    pub fn peers(&self) -> PeerSet {
        self.segments
            .iter()
            .fold(PeerSet::empty(), |acc, s| acc.union(&s.peers))
    }

    /// Whether some party named by a principal satisfying `pred` may send or receive
    /// some packet: [`Self::peers`] without building the union.
    pub fn any_principal(&self, mut pred: impl FnMut(&Principal) -> bool) -> bool {
        self.segments
            .iter()
            .any(|s| s.peers.principals.iter().any(&mut pred))
    }

    /// The parties of each segment (services with the same parties), in order; several
    /// segments may name the same parties.
    pub fn peer_sets(&self) -> impl Iterator<Item = &PeerSet> {
        self.segments.iter().map(|s| &s.peers)
    }

    /// Every service that some party may use.
    #[must_use]
    pub fn services(&self) -> ServiceSet {
        ServiceSet::from_set(RangeSet::from_ranges(
            self.segments.iter().map(|s| (s.lo, s.hi)),
        ))
    }

    /// `true` when every service of the whole domain is covered.
    fn covers_every_service(&self) -> bool {
        let mut next = 0u32;
        for s in &self.segments {
            if s.lo != next {
                return false;
            }
            next = s.hi + 1;
        }
        next == SERVICE_MAX + 1
    }
}

/// Merges two canonical segment lists point-wise with `f`, returning a canonical list.
/// `f(None, None)` must be empty.
fn combine(
    left: &[Segment],
    right: &[Segment],
    op: impl Fn(Option<&PeerSet>, Option<&PeerSet>) -> PeerSet,
) -> HeaderSpace {
    // Every segment boundary of either side cuts the domain into elementary intervals
    // that lie wholly inside or outside each segment.
    let mut cuts: Vec<u32> = Vec::with_capacity(2 * (left.len() + right.len()));
    for seg in left.iter().chain(right) {
        cuts.push(seg.lo);
        cuts.push(seg.hi + 1);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let (mut li, mut ri) = (0, 0);
    let mut out: Vec<Segment> = Vec::new();
    for w in cuts.windows(2) {
        let (lo, hi) = (w[0], w[1] - 1);
        while left.get(li).is_some_and(|s| s.hi < lo) {
            li += 1;
        }
        while right.get(ri).is_some_and(|s| s.hi < lo) {
            ri += 1;
        }
        let l = left.get(li).filter(|s| s.lo <= lo).map(|s| &s.peers);
        let r = right.get(ri).filter(|s| s.lo <= lo).map(|s| &s.peers);
        if l.is_none() && r.is_none() {
            continue;
        }
        let peers = op(l, r);
        if peers.is_empty() {
            continue;
        }
        if let Some(last) = out.last_mut()
            && last.hi + 1 == lo
            && last.peers == peers
        {
            last.hi = hi;
            continue;
        }
        out.push(Segment { lo, hi, peers });
    }
    HeaderSpace { segments: out }
}

#[cfg(test)]
mod tests;
