//! Canonical, minimal rendering of a [`HeaderSpace`] back into readable parts.
//!
//! A header space is printed as a list of [`Part`]s, each one service description
//! (`tcp 400-442, 444-500`, `icmp type 8 code 0`, `all`) with the [`PeerSet`] allowed on
//! it. The rendering is a function of the set alone (never of how it was built), so
//! equal sets print identically:
//!
//! 1. the parties allowed on *every* service become one `all` part;
//! 2. the rest is split per protocol; port (or ICMP) ranges with the same parties are
//!    merged into one part, so `tcp 22` and `tcp 443` from the same CIDRs print as
//!    `tcp 22, 443`;
//! 3. protocols without ports that share their parties merge into number ranges.
//!
//! Within a part, addresses print as the fewest CIDR blocks ([`super::v4_cidrs`]).

use std::collections::BTreeMap;
use std::fmt;

use super::ServiceSet;
use super::service;
use super::{HeaderSpace, PeerSet};

/// One readable piece of a header space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The services of this piece.
    pub service: Service,
    /// Who may use them.
    pub peers: PeerSet,
}

/// A service description: a protocol with its ports or ICMP types.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    /// Every protocol, port and ICMP type (AWS protocol `-1`).
    All,
    /// TCP or UDP destination ports (inclusive ranges, ascending, non-touching).
    Ports {
        /// 6 or 17.
        protocol: u8,
        /// The port ranges.
        ranges: Vec<(u16, u16)>,
    },
    /// ICMP or `ICMPv6` types and codes.
    Icmp {
        /// 1 or 58.
        protocol: u8,
        /// The types/codes, ascending.
        items: Vec<IcmpItem>,
    },
    /// Whole protocols without ports, `lo..=hi` (usually one number).
    Protocols {
        /// First protocol number.
        lo: u8,
        /// Last protocol number.
        hi: u8,
    },
}

/// ICMP types and codes, as AWS writes them (`-1` = any).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IcmpItem {
    /// Every type and code.
    All,
    /// One type, any code.
    Type(u8),
    /// One type and one code.
    TypeCode(u8, u8),
}

impl Service {
    /// The protocol as the JSON report names it: `all`, `tcp`, `udp`, `icmp`, `icmpv6`,
    /// a number (`50`), or a range of numbers (`2-5`).
    #[must_use]
    pub fn protocol_label(&self) -> String {
        match self {
            Self::All => "all".into(),
            Self::Ports { protocol, .. } | Self::Icmp { protocol, .. } => {
                service::protocol_name(*protocol)
            }
            Self::Protocols { lo, hi } if lo == hi => lo.to_string(),
            Self::Protocols { lo, hi } => format!("{lo}-{hi}"),
        }
    }

    /// The services this description stands for (the inverse of rendering).
    #[must_use]
    pub fn to_set(&self) -> ServiceSet {
        match self {
            Self::All => ServiceSet::all(),
            Self::Ports { protocol, ranges } => {
                ranges.iter().fold(ServiceSet::none(), |acc, &(lo, hi)| {
                    acc.union(&ServiceSet::ports(*protocol, lo, hi))
                })
            }
            Self::Icmp { protocol, items } => items.iter().fold(ServiceSet::none(), |acc, item| {
                acc.union(&match *item {
                    IcmpItem::All => ServiceSet::protocol(*protocol),
                    IcmpItem::Type(t) => ServiceSet::icmp(*protocol, (t, t), (0, u8::MAX)),
                    IcmpItem::TypeCode(t, c) => ServiceSet::icmp(*protocol, (t, t), (c, c)),
                })
            }),
            Self::Protocols { lo, hi } => (*lo..=*hi).fold(ServiceSet::none(), |acc, p| {
                acc.union(&ServiceSet::protocol(p))
            }),
        }
    }

    /// The lowest protocol number covered (0 for [`Service::All`]), for ordering.
    #[must_use]
    pub fn first_protocol(&self) -> u8 {
        match self {
            Self::All => 0,
            Self::Ports { protocol, .. } | Self::Icmp { protocol, .. } => *protocol,
            Self::Protocols { lo, .. } => *lo,
        }
    }
}

/// Formats one port range: `22` or `400-442`.
#[must_use]
pub fn port_range(lo: u16, hi: u16) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

impl fmt::Display for IcmpItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all types"),
            Self::Type(t) => write!(f, "type {t}"),
            Self::TypeCode(t, c) => write!(f, "type {t} code {c}"),
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all traffic"),
            Self::Ports { protocol, ranges } => {
                let ports: Vec<String> =
                    ranges.iter().map(|&(lo, hi)| port_range(lo, hi)).collect();
                write!(
                    f,
                    "{} {}",
                    service::protocol_name(*protocol),
                    ports.join(", ")
                )
            }
            Self::Icmp { protocol, items } => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "{} {}",
                    service::protocol_name(*protocol),
                    items.join(", ")
                )
            }
            Self::Protocols { lo, hi } if lo == hi => write!(f, "protocol {lo}"),
            Self::Protocols { lo, hi } => write!(f, "protocols {lo}-{hi}"),
        }
    }
}

impl HeaderSpace {
    /// Renders the set as readable parts, canonically (see the module docs).
    #[must_use]
    pub fn parts(&self) -> Vec<Part> {
        let everywhere = if self.covers_every_service() {
            self.segments
                .iter()
                .skip(1)
                .fold(self.segments[0].peers.clone(), |acc, s| {
                    acc.intersection(&s.peers)
                })
        } else {
            PeerSet::empty()
        };

        // (protocol, peers) → detail ranges, for protocols with ports or ICMP types.
        let mut detailed: BTreeMap<(u8, PeerSet), Vec<(u16, u16)>> = BTreeMap::new();
        // peers → whole protocols without ports.
        let mut whole: BTreeMap<PeerSet, Vec<u8>> = BTreeMap::new();
        for seg in &self.segments {
            let peers = seg.peers.difference(&everywhere);
            if peers.is_empty() {
                continue;
            }
            let (first, _) = service::decode(seg.lo);
            let (last, _) = service::decode(seg.hi);
            for protocol in first..=last {
                let lo = seg.lo.max(service::encode(protocol, 0));
                let hi = seg.hi.min(service::encode(protocol, u16::MAX));
                let (_, dlo) = service::decode(lo);
                let (_, dhi) = service::decode(hi);
                if service::has_ports(protocol) || service::is_icmp(protocol) {
                    let ranges = detailed.entry((protocol, peers.clone())).or_default();
                    match ranges.last_mut() {
                        Some(last) if u32::from(last.1) + 1 == u32::from(dlo) => last.1 = dhi,
                        _ => ranges.push((dlo, dhi)),
                    }
                } else {
                    debug_assert!(dlo == 0 && dhi == u16::MAX, "portless protocol split");
                    whole.entry(peers.clone()).or_default().push(protocol);
                }
            }
        }

        let mut parts = Vec::new();
        if !everywhere.is_empty() {
            parts.push(Part {
                service: Service::All,
                peers: everywhere,
            });
        }
        for ((protocol, peers), ranges) in detailed {
            let service = if service::has_ports(protocol) {
                Service::Ports { protocol, ranges }
            } else {
                Service::Icmp {
                    protocol,
                    items: icmp_items(&ranges),
                }
            };
            parts.push(Part { service, peers });
        }
        for (peers, protocols) in whole {
            let mut run: Option<(u8, u8)> = None;
            for p in protocols {
                run = match run {
                    Some((lo, hi)) if u16::from(hi) + 1 == u16::from(p) => Some((lo, p)),
                    Some((lo, hi)) => {
                        parts.push(Part {
                            service: Service::Protocols { lo, hi },
                            peers: peers.clone(),
                        });
                        Some((p, p))
                    }
                    None => Some((p, p)),
                };
            }
            if let Some((lo, hi)) = run {
                parts.push(Part {
                    service: Service::Protocols { lo, hi },
                    peers,
                });
            }
        }
        parts.sort_by(|a, b| {
            (a.service.first_protocol(), &a.service, &a.peers).cmp(&(
                b.service.first_protocol(),
                &b.service,
                &b.peers,
            ))
        });
        parts
    }
}

/// Splits ICMP detail ranges (`type << 8 | code`) into AWS-style type/code items.
fn icmp_items(ranges: &[(u16, u16)]) -> Vec<IcmpItem> {
    if ranges == [(0, u16::MAX)] {
        return vec![IcmpItem::All];
    }
    let mut items = Vec::new();
    for &(lo, hi) in ranges {
        let [tlo, clo] = lo.to_be_bytes();
        let [thi, chi] = hi.to_be_bytes();
        for t in tlo..=thi {
            let from = if t == tlo { clo } else { 0 };
            let to = if t == thi { chi } else { u8::MAX };
            if (from, to) == (0, u8::MAX) {
                items.push(IcmpItem::Type(t));
            } else {
                items.extend((from..=to).map(|c| IcmpItem::TypeCode(t, c)));
            }
        }
    }
    items
}

/// A count with thousands separators: `3,702,258,432`.
#[must_use]
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
