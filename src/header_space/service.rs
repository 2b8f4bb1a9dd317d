//! The service dimension of a header space: IP protocol × destination port (TCP, UDP)
//! or ICMP type × code (ICMP, `ICMPv6`).
//!
//! Every (protocol, detail) pair is encoded as one integer, `protocol << 16 | detail`,
//! so a set of services is a single [`RangeSet<u32>`]:
//!
//! | protocol | detail (16 bits) |
//! | --- | --- |
//! | TCP (6), UDP (17) | destination port 0–65535 |
//! | ICMP (1), `ICMPv6` (58) | `type << 8 \| code` |
//! | any other | always the whole 0–65535 block: these protocols have no ports |
//!
//! "All traffic" (`-1`) is then simply the full range, and "ICMP type 3, any code" the
//! contiguous block `1<<16 | 3<<8 ..= 1<<16 | 3<<8 | 255`.

use super::RangeSet;

/// IANA protocol number of ICMP.
pub const ICMP: u8 = 1;
/// IANA protocol number of TCP.
pub const TCP: u8 = 6;
/// IANA protocol number of UDP.
pub const UDP: u8 = 17;
/// IANA protocol number of `ICMPv6`.
pub const ICMPV6: u8 = 58;

/// Largest encoded service value.
pub(crate) const SERVICE_MAX: u32 = (1 << 24) - 1;

/// `true` for protocols whose packets carry ports (TCP, UDP).
#[must_use]
pub fn has_ports(protocol: u8) -> bool {
    protocol == TCP || protocol == UDP
}

/// `true` for protocols whose packets carry an ICMP type and code.
#[must_use]
pub fn is_icmp(protocol: u8) -> bool {
    protocol == ICMP || protocol == ICMPV6
}

/// The name reachdiff prints for a protocol number: `tcp`, `udp`, `icmp`, `icmpv6`, or
/// the number itself.
#[must_use]
pub fn protocol_name(protocol: u8) -> String {
    match protocol {
        TCP => "tcp".into(),
        UDP => "udp".into(),
        ICMP => "icmp".into(),
        ICMPV6 => "icmpv6".into(),
        n => n.to_string(),
    }
}

/// Encodes one service point.
#[must_use]
pub fn encode(protocol: u8, detail: u16) -> u32 {
    (u32::from(protocol) << 16) | u32::from(detail)
}

/// Splits an encoded service point into (protocol, detail).
#[must_use]
pub fn decode(point: u32) -> (u8, u16) {
    let [_, protocol, hi, lo] = point.to_be_bytes();
    (protocol, u16::from_be_bytes([hi, lo]))
}

/// A set of services (protocol × ports or ICMP type/code).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceSet(RangeSet<u32>);

impl ServiceSet {
    /// No service.
    #[must_use]
    pub const fn none() -> Self {
        Self(RangeSet::empty())
    }

    /// Every protocol, port and ICMP type/code (protocol `-1`).
    #[must_use]
    pub fn all() -> Self {
        Self(RangeSet::range(0, SERVICE_MAX))
    }

    /// Every packet of one protocol, whatever its ports or ICMP type/code.
    #[must_use]
    pub fn protocol(protocol: u8) -> Self {
        Self(RangeSet::range(
            encode(protocol, 0),
            encode(protocol, u16::MAX),
        ))
    }

    /// Destination ports `lo..=hi` of a port-carrying protocol; a protocol without
    /// ports gets all of its packets (AWS ignores the range there).
    #[must_use]
    pub fn ports(protocol: u8, lo: u16, hi: u16) -> Self {
        if has_ports(protocol) {
            Self(RangeSet::range(encode(protocol, lo), encode(protocol, hi)))
        } else {
            Self::protocol(protocol)
        }
    }

    /// ICMP (or `ICMPv6`) types `types.0..=types.1`, each with codes `codes.0..=codes.1`.
    #[must_use]
    pub fn icmp(protocol: u8, types: (u8, u8), codes: (u8, u8)) -> Self {
        debug_assert!(is_icmp(protocol), "icmp() on protocol {protocol}");
        let point = |t: u8, c: u8| encode(protocol, u16::from_be_bytes([t, c]));
        if codes == (0, u8::MAX) {
            return Self(RangeSet::range(point(types.0, 0), point(types.1, u8::MAX)));
        }
        Self(RangeSet::from_ranges(
            (types.0..=types.1).map(|t| (point(t, codes.0), point(t, codes.1))),
        ))
    }

    /// Wraps raw encoded ranges (used by the header space).
    #[must_use]
    pub(crate) fn from_set(set: RangeSet<u32>) -> Self {
        Self(set)
    }

    /// The encoded ranges.
    #[must_use]
    pub fn as_set(&self) -> &RangeSet<u32> {
        &self.0
    }

    /// `true` when no service is in the set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `true` when every service is in the set.
    #[must_use]
    pub fn is_all(&self) -> bool {
        self.0 == RangeSet::range(0, SERVICE_MAX)
    }

    /// `true` when (protocol, detail) is in the set.
    #[must_use]
    pub fn contains(&self, protocol: u8, detail: u16) -> bool {
        self.0.contains(encode(protocol, detail))
    }

    /// Union.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        Self(self.0.union(&other.0))
    }

    /// Intersection.
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Self {
        Self(self.0.intersection(&other.0))
    }

    /// Difference.
    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        Self(self.0.difference(&other.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_the_union_of_every_protocol() {
        let every = (0..=255u8).fold(ServiceSet::none(), |acc, p| {
            acc.union(&ServiceSet::protocol(p))
        });
        assert!(every.is_all());
    }

    #[test]
    fn ports_on_a_portless_protocol_mean_the_whole_protocol() {
        assert_eq!(ServiceSet::ports(50, 22, 22), ServiceSet::protocol(50));
    }

    #[test]
    fn icmp_type_with_any_code_is_one_block() {
        let s = ServiceSet::icmp(ICMP, (3, 3), (0, 255));
        assert_eq!(s.as_set().ranges().len(), 1);
        assert!(s.contains(ICMP, u16::from_be_bytes([3, 4])));
        assert!(!s.contains(ICMP, u16::from_be_bytes([8, 0])));
        assert!(!s.contains(ICMPV6, u16::from_be_bytes([3, 4])));
    }
}
