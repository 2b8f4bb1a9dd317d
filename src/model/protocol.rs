//! Protocol spellings and port / ICMP conventions, turned into a [`ServiceSet`].
//!
//! AWS and Terraform write the same protocol many ways (`tcp`, `TCP`, `6`; `-1`, `all`)
//! and give ports different meanings per protocol: a range for TCP/UDP, type and code
//! for ICMP (with `-1` meaning "any"), nothing at all for other protocols. This module
//! is the one place that knows those conventions.

use crate::header_space::ServiceSet;
use crate::header_space::service::{ICMP, ICMPV6, TCP, UDP, has_ports, is_icmp};

/// A parsed protocol: every protocol (`-1`), or one IANA number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `-1` / `all`: every protocol, port and type.
    All,
    /// One protocol number.
    Number(u8),
}

impl Protocol {
    /// Parses every spelling AWS, Terraform and `CloudFormation` use: `tcp`, `udp`, `icmp`,
    /// `icmpv6` in any case, `-1` or `all` for everything, or a number 0–255.
    /// Returns `None` for anything else.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "-1" | "all" => Some(Self::All),
            "tcp" => Some(Self::Number(TCP)),
            "udp" => Some(Self::Number(UDP)),
            "icmp" => Some(Self::Number(ICMP)),
            "icmpv6" => Some(Self::Number(ICMPV6)),
            other => other.parse::<u8>().ok().map(Self::Number),
        }
    }
}

/// A rule's port bound as written: absent, or a number (possibly `-1`).
type PortField = Option<i64>;

fn port_range(from: PortField, to: PortField) -> Result<(u16, u16), String> {
    match (from, to) {
        (None | Some(-1), None | Some(-1)) => Ok((0, u16::MAX)),
        (Some(f), Some(t)) => {
            let f = u16::try_from(f).map_err(|_| format!("port {f} is out of range"))?;
            let t = u16::try_from(t).map_err(|_| format!("port {t} is out of range"))?;
            if f > t {
                return Err(format!("port range {f}-{t} is reversed"));
            }
            Ok((f, t))
        }
        (Some(p), None) | (None, Some(p)) => {
            let p = u16::try_from(p).map_err(|_| format!("port {p} is out of range"))?;
            Ok((p, p))
        }
    }
}

fn icmp_field(value: PortField, what: &str) -> Result<(u8, u8), String> {
    match value {
        None | Some(-1) => Ok((0, u8::MAX)),
        Some(v) => u8::try_from(v)
            .map(|v| (v, v))
            .map_err(|_| format!("ICMP {what} {v} is out of range")),
    }
}

/// The services a security-group rule allows.
///
/// TCP/UDP: `from_port..=to_port` (absent or `-1` = all ports). ICMP/ICMPv6:
/// `from_port` is the type and `to_port` the code, `-1` meaning any; a type of `-1`
/// means every type and code. Any other protocol, and `-1`: all of it, whatever the
/// ports say. Returns a message for impossible values (the caller widens and warns).
pub fn sg_services(
    protocol: Protocol,
    from: PortField,
    to: PortField,
) -> Result<ServiceSet, String> {
    services(protocol, (from, to), (from, to))
}

/// The network of a CIDR block written with host bits set beyond its prefix
/// (`10.0.0.1/8` → `10.0.0.0/8`, `0.0.1.0/0` → `0.0.0.0/0`); `None` for a proper block.
/// Terraform's AWS provider rejects such blocks; the AWS API reads a network ACL's as
/// its network.
#[must_use]
pub fn host_bits_set(net: ipnet::IpNet) -> Option<ipnet::IpNet> {
    let network = net.trunc();
    (network.addr() != net.addr()).then_some(network)
}

/// The services a network-ACL entry matches.
///
/// TCP/UDP: `from_port..=to_port`. ICMP: `icmp_type`/`icmp_code`, `-1` = any. Protocol
/// 58 with an IPv4 CIDR matches every `ICMPv6` type (AWS ignores type/code there). Any
/// other protocol, and `-1`: all of it.
pub fn nacl_services(
    protocol: Protocol,
    from: PortField,
    to: PortField,
    icmp_type: PortField,
    icmp_code: PortField,
    ipv4: bool,
) -> Result<ServiceSet, String> {
    if ipv4 && protocol == Protocol::Number(ICMPV6) {
        return Ok(ServiceSet::protocol(ICMPV6));
    }
    if let Protocol::Number(p) = protocol
        && has_ports(p)
        && from.is_none()
        && to.is_none()
    {
        // Security-group rules may leave the ports out (all ports); ACL entries may not.
        return Err(format!(
            "a {} entry without a port range, which AWS rejects",
            if p == TCP { "tcp" } else { "udp" }
        ));
    }
    services(protocol, (from, to), (icmp_type, icmp_code))
}

/// The services of a protocol with its port range and its ICMP (type, code).
fn services(
    protocol: Protocol,
    ports: (PortField, PortField),
    icmp: (PortField, PortField),
) -> Result<ServiceSet, String> {
    match protocol {
        Protocol::All => Ok(ServiceSet::all()),
        Protocol::Number(p) if has_ports(p) => {
            let (lo, hi) = port_range(ports.0, ports.1)?;
            Ok(ServiceSet::ports(p, lo, hi))
        }
        Protocol::Number(p) if is_icmp(p) => {
            let types = icmp_field(icmp.0, "type")?;
            // A type of -1 means every type *and* code, whatever the code says.
            let codes = if types == (0, u8::MAX) {
                (0, u8::MAX)
            } else {
                icmp_field(icmp.1, "code")?
            };
            Ok(ServiceSet::icmp(p, types, codes))
        }
        Protocol::Number(p) => Ok(ServiceSet::protocol(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_tcp_is_the_same() {
        for s in ["tcp", "TCP", "Tcp", "6", " 6 "] {
            assert_eq!(Protocol::parse(s), Some(Protocol::Number(TCP)), "{s}");
        }
        for s in ["-1", "all", "ALL"] {
            assert_eq!(Protocol::parse(s), Some(Protocol::All), "{s}");
        }
        assert_eq!(Protocol::parse("58"), Some(Protocol::Number(ICMPV6)));
        assert_eq!(Protocol::parse("icmpv6"), Some(Protocol::Number(ICMPV6)));
        assert_eq!(Protocol::parse("50"), Some(Protocol::Number(50)));
        assert_eq!(Protocol::parse("256"), None);
        assert_eq!(Protocol::parse("esp"), None);
    }

    #[test]
    fn protocol_all_ignores_ports() {
        assert_eq!(
            sg_services(Protocol::All, Some(0), Some(0)).unwrap(),
            ServiceSet::all()
        );
        assert_eq!(
            sg_services(Protocol::Number(50), Some(22), Some(22)).unwrap(),
            ServiceSet::protocol(50)
        );
    }

    #[test]
    fn sg_icmp_ports_are_type_and_code() {
        let echo = sg_services(Protocol::Number(ICMP), Some(8), Some(0)).unwrap();
        assert_eq!(echo, ServiceSet::icmp(ICMP, (8, 8), (0, 0)));
        let unreachable = sg_services(Protocol::Number(ICMP), Some(3), Some(-1)).unwrap();
        assert_eq!(unreachable, ServiceSet::icmp(ICMP, (3, 3), (0, 255)));
        let every = sg_services(Protocol::Number(ICMP), Some(-1), Some(-1)).unwrap();
        assert_eq!(every, ServiceSet::protocol(ICMP));
        let v6 = sg_services(Protocol::Number(ICMPV6), None, None).unwrap();
        assert_eq!(v6, ServiceSet::protocol(ICMPV6));
    }

    #[test]
    fn nacl_icmpv6_with_an_ipv4_cidr_matches_every_type() {
        let s = nacl_services(
            Protocol::Number(ICMPV6),
            None,
            None,
            Some(128),
            Some(0),
            true,
        )
        .unwrap();
        assert_eq!(s, ServiceSet::protocol(ICMPV6));
        let s = nacl_services(
            Protocol::Number(ICMPV6),
            None,
            None,
            Some(128),
            Some(0),
            false,
        )
        .unwrap();
        assert_eq!(s, ServiceSet::icmp(ICMPV6, (128, 128), (0, 0)));
    }

    #[test]
    fn reversed_or_out_of_range_ports_are_errors() {
        assert!(sg_services(Protocol::Number(TCP), Some(500), Some(400)).is_err());
        assert!(sg_services(Protocol::Number(TCP), Some(0), Some(70000)).is_err());
    }
}
