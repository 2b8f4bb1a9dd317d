//! Conversions between CIDR blocks and address ranges.
//!
//! Addresses are plain integers here (`u32` for IPv4, `u128` for IPv6) so that the
//! algebra in [`RangeSet`] stays generic; this module is the only place that speaks
//! CIDR notation.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::RangeSet;

/// An IPv4 address set.
pub type Ipv4Set = RangeSet<u32>;
/// An IPv6 address set.
pub type Ipv6Set = RangeSet<u128>;

/// The addresses of an IPv4 CIDR block (host bits are ignored, as AWS does).
#[must_use]
pub fn v4_block(net: Ipv4Net) -> Ipv4Set {
    let net = net.trunc();
    RangeSet::range(u32::from(net.network()), u32::from(net.broadcast()))
}

/// The addresses of an IPv6 CIDR block (host bits are ignored, as AWS does).
#[must_use]
pub fn v6_block(net: Ipv6Net) -> Ipv6Set {
    let net = net.trunc();
    RangeSet::range(u128::from(net.network()), u128::from(net.broadcast()))
}

/// The minimal list of IPv4 CIDR blocks covering exactly `set`, ascending.
#[must_use]
#[expect(
    clippy::missing_panics_doc,
    reason = "blocks of a 32-bit range fit in 32 bits"
)]
pub fn v4_cidrs(set: &Ipv4Set) -> Vec<Ipv4Net> {
    let mut out = Vec::new();
    for &(lo, hi) in set.ranges() {
        decompose(u128::from(lo), u128::from(hi), 32, &mut |addr, len| {
            let addr = u32::try_from(addr).expect("IPv4 block start fits in 32 bits");
            out.push(Ipv4Net::new(Ipv4Addr::from(addr), len).expect("prefix length ≤ 32"));
        });
    }
    out
}

/// The minimal list of IPv6 CIDR blocks covering exactly `set`, ascending.
#[must_use]
#[expect(clippy::missing_panics_doc, reason = "prefix lengths are at most 128")]
pub fn v6_cidrs(set: &Ipv6Set) -> Vec<Ipv6Net> {
    let mut out = Vec::new();
    for &(lo, hi) in set.ranges() {
        decompose(lo, hi, 128, &mut |addr, len| {
            out.push(Ipv6Net::new(Ipv6Addr::from(addr), len).expect("prefix length ≤ 128"));
        });
    }
    out
}

/// The smallest single CIDR block containing every address of a non-empty `set`, as
/// (network, prefix length); `bits` is 32 or 128.
#[must_use]
#[expect(
    clippy::missing_panics_doc,
    reason = "a count of differing bits is at most 128"
)]
pub fn covering_block(lo: u128, hi: u128, bits: u8) -> (u128, u8) {
    let differing = u8::try_from(128 - (lo ^ hi).leading_zeros()).expect("≤ 128");
    let len = bits - differing.min(bits);
    let host = u32::from(bits - len);
    let mask = if host >= 128 {
        0
    } else {
        !((1u128 << host) - 1)
    };
    (lo & mask, len)
}

/// Splits `lo..=hi` into the fewest aligned blocks (greedy from the low end is optimal
/// for one range), calling `emit(network, prefix_len)` for each.
fn decompose(mut lo: u128, hi: u128, bits: u8, emit: &mut dyn FnMut(u128, u8)) {
    loop {
        // Largest aligned block starting at `lo`...
        let mut size_log = if lo == 0 {
            u32::from(bits)
        } else {
            lo.trailing_zeros().min(u32::from(bits))
        };
        // ...that does not run past `hi`.
        let end = |size_log: u32| -> u128 {
            if size_log >= 128 {
                u128::MAX
            } else {
                lo + ((1u128 << size_log) - 1)
            }
        };
        while end(size_log) > hi {
            size_log -= 1;
        }
        let e = end(size_log);
        emit(lo, bits - u8::try_from(size_log).expect("≤ 128"));
        if e >= hi {
            break;
        }
        lo = e + 1;
    }
}

/// Parses a CIDR (`10.0.0.0/8`, `::/0`) or a bare address (`10.0.0.1`, taken as /32 or
/// /128), returning `None` when the text is neither.
#[must_use]
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Ipv4Set {
        v4_block(s.parse().unwrap())
    }

    #[test]
    fn two_halves_render_as_their_parent() {
        let s = v4("10.0.0.0/17").union(&v4("10.0.128.0/17"));
        assert_eq!(
            v4_cidrs(&s),
            vec!["10.0.0.0/16".parse::<Ipv4Net>().unwrap()]
        );
    }

    #[test]
    fn whole_internet_minus_a_block_is_minimal() {
        let s = v4("0.0.0.0/0").difference(&v4("10.0.0.0/8"));
        let got: Vec<String> = v4_cidrs(&s).iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "0.0.0.0/5",
                "8.0.0.0/7",
                "11.0.0.0/8",
                "12.0.0.0/6",
                "16.0.0.0/4",
                "32.0.0.0/3",
                "64.0.0.0/2",
                "128.0.0.0/1"
            ]
        );
    }

    #[test]
    fn full_ipv6_space_is_one_block() {
        let s = v6_block("::/0".parse().unwrap());
        assert_eq!(v6_cidrs(&s), vec!["::/0".parse::<Ipv6Net>().unwrap()]);
        assert!(s.is_full());
    }

    #[test]
    fn host_bits_are_ignored() {
        assert_eq!(v4("100.68.0.18/18"), v4("100.68.0.0/18"));
    }

    #[test]
    fn covering_block_of_a_range() {
        let lo = u128::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)));
        let hi = u128::from(u32::from(Ipv4Addr::new(10, 0, 3, 255)));
        assert_eq!(covering_block(lo, hi, 32), (lo, 22));
        assert_eq!(covering_block(0, u128::from(u32::MAX), 32), (0, 0));
        assert_eq!(covering_block(0, u128::MAX, 128), (0, 0));
        assert_eq!(covering_block(5, 5, 32), (5, 32));
    }

    proptest::proptest! {
        #[test]
        fn cidr_rendering_round_trips(ranges in proptest::collection::vec((proptest::num::u32::ANY, 0u32..5000), 0..5)) {
            let set = Ipv4Set::from_ranges(ranges.into_iter().map(|(lo, len)| (lo, lo.saturating_add(len))));
            let cidrs = v4_cidrs(&set);
            let back = cidrs.iter().fold(Ipv4Set::empty(), |acc, n| acc.union(&v4_block(*n)));
            proptest::prop_assert_eq!(back, set);
            // Minimal: no two blocks could merge into their parent.
            for w in cidrs.windows(2) {
                let merged = w[0].supernet().filter(|p| p.prefix_len() + 1 == w[0].prefix_len()
                    && w[1].prefix_len() == w[0].prefix_len()
                    && p.contains(&w[1]));
                proptest::prop_assert!(merged.is_none(), "{:?} could merge", w);
            }
        }
    }
}
