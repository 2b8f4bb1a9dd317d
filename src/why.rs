//! `reachdiff why`: can this flow pass, before and after the change — and if not, what
//! blocks it?
//!
//! An offline Reachability Analyzer. A [`Question`] names a source (an address, a
//! CIDR block, `internet`, or an endpoint of the plan), a destination (an endpoint or
//! an address inside a VPC) and a service. Each side of the change gets an
//! [`Answer`]: the path hop by hop with the deciding rule at each hop (the request
//! through the source's security groups and ACL, the route, the destination's ACL and
//! security groups, then the reply through both stateless ACLs), traced in both
//! worlds, so that a flow that passes only if some value known after apply turns out
//! permissive is *possibly* reachable, with those values named. A blocked flow names
//! the change that would unblock each denying hop.
//!
//! This module asks [`crate::reach::Tracer`] and words its answers; it computes no
//! reachability of its own.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::header_space::service::{ICMP, ICMPV6, TCP, UDP, has_ports};
use crate::header_space::{parse_cidr, port_range};
use crate::model::{Bound, Snapshot};
use crate::reach::{Assumptions, Flow, FlowSource, Hop, HopVerdict, Layer, Path, Tracer};

/// The address standing for the IPv4 internet: public, and in no documentation or
/// private block a rule is likely to name.
pub const INTERNET_V4: &str = "8.8.8.8";
/// The address standing for the IPv6 internet.
pub const INTERNET_V6: &str = "2001:4860:4860::8888";

/// One end of the question, as the user named it and as traced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct End {
    /// What the user wrote (`internet`, `10.0.0.0/8`, `aws_instance.app`).
    pub name: String,
    /// What is traced.
    pub traced: FlowSource,
}

impl End {
    /// Whether it stands for the internet (`internet`, `internet6`, or a block that
    /// holds the stand-in address).
    #[must_use]
    pub fn is_internet(&self) -> bool {
        matches!(&self.traced, FlowSource::Address(a)
            if a.to_string() == INTERNET_V4 || a.to_string() == INTERNET_V6)
    }

    /// How to print it: `internet (as 8.8.8.8)`, `aws_instance.app`.
    #[must_use]
    pub fn label(&self) -> String {
        match &self.traced {
            FlowSource::Address(a) if a.to_string() != self.name => {
                format!("{} (as {a})", self.name)
            }
            FlowSource::Endpoint(e) if *e != self.name => format!("{} ({e})", self.name),
            _ => self.name.clone(),
        }
    }
}

/// Why an end of a question could not be understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    /// Occurs when a name is neither an address, a CIDR block, `internet`, nor an
    /// endpoint of either snapshot.
    #[error("{0}")]
    UnknownEnd(String),
    /// Occurs when the protocol or port is missing or invalid.
    #[error("{0}")]
    Service(String),
}

/// Reads one end: `internet`, `internet6`, an IP address (the endpoint that has it, when
/// one does), a CIDR block (traced from its first address), or the address of an
/// endpoint present before or after.
///
/// # Errors
///
/// [`QuestionError::UnknownEnd`], listing the endpoints that exist.
///
/// # Panics
///
/// Never: the internet's stand-in addresses are valid constants.
pub fn parse_end(text: &str, snapshots: [&Snapshot; 2]) -> Result<End, QuestionError> {
    let address = |a: &str| -> IpAddr { a.parse().expect("a valid constant address") };
    let traced = match text {
        "internet" | "internet4" => FlowSource::Address(address(INTERNET_V4)),
        "internet6" => FlowSource::Address(address(INTERNET_V6)),
        // An endpoint's own address is that endpoint (its groups filter the flow).
        t if t.parse::<IpAddr>().is_ok() => {
            let a = address(t);
            snapshots
                .iter()
                .flat_map(|s| s.endpoints.values())
                .find(|e| {
                    e.interfaces.iter().any(|i| match a {
                        IpAddr::V4(v4) => i.private_ipv4 == Some(v4),
                        IpAddr::V6(v6) => i.ipv6_addresses.contains(&v6),
                    })
                })
                .map_or(FlowSource::Address(a), |e| {
                    FlowSource::Endpoint(e.key.clone())
                })
        }
        t if t.contains('/') && parse_cidr(t).is_some() => {
            // The internet's stand-in when the block holds it (`0.0.0.0/0`), else the
            // block's first host.
            let net = parse_cidr(t).expect("checked");
            let stand_in = [address(INTERNET_V4), address(INTERNET_V6)]
                .into_iter()
                .find(|a| net.contains(a));
            let first_host = match net {
                ipnet::IpNet::V4(n) if n.prefix_len() < 31 => {
                    IpAddr::V4((u32::from(n.network()) + 1).into())
                }
                ipnet::IpNet::V6(n) if n.prefix_len() < 127 => {
                    IpAddr::V6((u128::from(n.network()) + 1).into())
                }
                n => n.network(),
            };
            FlowSource::Address(stand_in.unwrap_or(first_host))
        }
        t if snapshots.iter().any(|s| s.endpoints.contains_key(t)) => {
            FlowSource::Endpoint(t.to_owned())
        }
        t => {
            let mut known: Vec<&str> = snapshots
                .iter()
                .flat_map(|s| s.endpoints.keys().map(String::as_str))
                .collect();
            known.sort_unstable();
            known.dedup();
            let listed = if known.is_empty() {
                "the plan has no endpoints".to_owned()
            } else {
                let more = known.len().saturating_sub(12);
                let mut l = known.into_iter().take(12).collect::<Vec<_>>().join(", ");
                if more > 0 {
                    let _ = write!(l, ", and {more} more");
                }
                format!("endpoints in the plan: {l}")
            };
            return Err(QuestionError::UnknownEnd(format!(
                "{t:?} is not an address, a CIDR block, `internet`/`internet6`, or an endpoint of the plan ({listed})"
            )));
        }
    };
    Ok(End {
        name: text.to_owned(),
        traced,
    })
}

/// Reads the protocol and port: `tcp`/`udp` with a port, `icmp`/`icmpv6` with
/// `TYPE[:CODE]` (default 8 echo request / 128), or a protocol number.
///
/// # Errors
///
/// [`QuestionError::Service`] saying what to write.
pub fn parse_service(protocol: &str, port: Option<&str>) -> Result<(u8, u16), QuestionError> {
    let number = match protocol.to_ascii_lowercase().as_str() {
        "tcp" => TCP,
        "udp" => UDP,
        "icmp" => ICMP,
        "icmpv6" => ICMPV6,
        n => n.parse().map_err(|_| {
            QuestionError::Service(format!(
                "{protocol:?} is not a protocol; use tcp, udp, icmp, icmpv6 or a number"
            ))
        })?,
    };
    let detail = if has_ports(number) {
        let Some(port) = port else {
            return Err(QuestionError::Service(format!(
                "give the destination port: --port N (with --protocol {protocol})"
            )));
        };
        port.parse::<u16>()
            .map_err(|_| QuestionError::Service(format!("{port:?} is not a port (0-65535)")))?
    } else if number == ICMP || number == ICMPV6 {
        let text = port.unwrap_or(if number == ICMP { "8" } else { "128" });
        let (t, c) = text.split_once(':').unwrap_or((text, "0"));
        match (t.parse::<u8>(), c.parse::<u8>()) {
            (Ok(t), Ok(c)) => u16::from(t) << 8 | u16::from(c),
            _ => {
                return Err(QuestionError::Service(format!(
                    "{text:?} is not an ICMP type: write TYPE or TYPE:CODE, e.g. 8 or 3:4"
                )));
            }
        }
    } else {
        0
    };
    Ok((number, detail))
}

/// The question: one flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The source.
    pub from: End,
    /// The destination.
    pub to: End,
    /// IP protocol number.
    pub protocol: u8,
    /// Destination port, or ICMP `type << 8 | code`.
    pub detail: u16,
}

impl Question {
    /// The service in words: `tcp 5432`, `icmp type 8 code 0`.
    #[must_use]
    pub fn service(&self) -> String {
        let name = crate::header_space::service::protocol_name(self.protocol);
        if has_ports(self.protocol) {
            format!("{name} {}", port_range(self.detail, self.detail))
        } else if self.protocol == ICMP || self.protocol == ICMPV6 {
            format!(
                "{name} type {} code {}",
                self.detail >> 8,
                self.detail & 0xff
            )
        } else {
            name
        }
    }

    fn flow(&self) -> Flow {
        Flow {
            source: self.from.traced.clone(),
            destination: self.to.traced.clone(),
            protocol: self.protocol,
            detail: self.detail,
        }
    }
}

/// The answer for one snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Every hop passes whatever the unknowns are.
    Reachable,
    /// Every hop passes only for some values known after apply (or on an assumption
    /// about something the input does not contain).
    Possibly,
    /// Some hop stops it.
    Blocked,
}

impl Verdict {
    /// `reachable`, `possibly reachable`, `not reachable`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reachable => "reachable",
            Self::Possibly => "possibly reachable",
            Self::Blocked => "not reachable",
        }
    }
}

/// One side's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// `before` or `after`.
    pub side: &'static str,
    /// Reachable, possibly, or blocked.
    pub verdict: Verdict,
    /// The path, traced with unknowns resolved permissively (every hop, the reply
    /// included; a trace never stops at the first denial).
    pub path: Path,
    /// Hops that pass only because of unknown values or assumptions, in words.
    pub unknowns: Vec<String>,
    /// For each denying hop, the smallest change that would let the flow through it.
    pub fixes: Vec<String>,
}

impl Answer {
    /// The first denying hop, described: "ACL in `aws_network_acl.db`: denied by ingress
    /// rule 90".
    #[must_use]
    pub fn blocked_by(&self) -> Option<String> {
        self.path
            .hops
            .iter()
            .find(|h| h.verdict == HopVerdict::Denied)
            .map(|h| format!("{} {}: {}", h.layer.as_str(), h.subject, h.describe()))
    }
}

/// Both sides, and what changed between them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The question.
    pub question: Question,
    /// Before, then after.
    pub answers: Vec<Answer>,
    /// "reachable before; after: blocked by …", or "unchanged: …".
    pub change: String,
}

/// Answers `question` on one snapshot.
#[must_use]
pub fn answer(
    question: &Question,
    snapshot: &Snapshot,
    side: &'static str,
    assumptions: &Assumptions,
) -> Answer {
    let flow = question.flow();
    let upper = Tracer::in_world(snapshot, Bound::Upper, assumptions).trace(&flow);
    let lower = Tracer::in_world(snapshot, Bound::Lower, assumptions).trace(&flow);
    let verdict = if !upper.allowed() {
        Verdict::Blocked
    } else if lower.allowed() && !upper.assumed() {
        Verdict::Reachable
    } else {
        Verdict::Possibly
    };
    let describe = |h: &Hop| format!("{} {}: {}", h.layer.as_str(), h.subject, h.describe());
    // An end that exists only in the permissive world (one instance standing for
    // instances not known before apply) is a hop of its own in the restrictive trace:
    // it is an unknown, and the hops after it pair up with the permissive ones.
    let (existence, lower_hops): (Vec<&Hop>, Vec<&Hop>) = lower.hops.iter().partition(|h| {
        h.layer == Layer::Existence && !upper.hops.iter().any(|u| u.layer == Layer::Existence)
    });
    let mut unknowns: Vec<String> = existence.into_iter().map(describe).collect();
    unknowns.extend(
        upper
            .hops
            .iter()
            .zip(lower_hops)
            .filter(|(u, l)| {
                u.verdict == HopVerdict::Allowed && (l.verdict == HopVerdict::Denied || u.assumed)
            })
            .map(|(u, _)| describe(u)),
    );
    unknowns.dedup();
    let fixes = upper
        .hops
        .iter()
        .filter(|h| h.verdict == HopVerdict::Denied)
        .map(|h| fix(h, question, assumptions))
        .collect();
    Answer {
        side,
        verdict,
        path: upper,
        unknowns,
        fixes,
    }
}

/// Answers `question` before and after a change.
#[must_use]
pub fn compare(
    question: Question,
    before: &Snapshot,
    after: &Snapshot,
    assumptions: &Assumptions,
) -> Report {
    let b = answer(&question, before, "before", assumptions);
    let a = answer(&question, after, "after", assumptions);
    let blocked = |x: &Answer| x.blocked_by().unwrap_or_default();
    let change = if b.verdict == a.verdict && b.path == a.path {
        format!("unchanged: {} before and after", a.verdict.as_str())
    } else if b.verdict == a.verdict {
        format!("{} before and after; the path changed", a.verdict.as_str())
    } else {
        match a.verdict {
            Verdict::Blocked => format!(
                "{} before; after: blocked by {}",
                b.verdict.as_str(),
                blocked(&a)
            ),
            _ => format!(
                "{} before{}; after: {}",
                b.verdict.as_str(),
                if b.verdict == Verdict::Blocked {
                    format!(" (blocked by {})", blocked(&b))
                } else {
                    String::new()
                },
                a.verdict.as_str()
            ),
        }
    };
    Report {
        question,
        answers: vec![b, a],
        change,
    }
}

/// The change that would let a flow through a denying hop.
fn fix(hop: &Hop, q: &Question, assumptions: &Assumptions) -> String {
    let service = q.service();
    let (lo, hi) = assumptions.ephemeral;
    let groups = if hop.resources.is_empty() {
        hop.subject.clone()
    } else {
        hop.resources.join(" or ")
    };
    match hop.layer {
        Layer::SecurityGroupIngress => format!(
            "allow {service} from {} in an ingress rule of {groups}",
            q.from.label()
        ),
        Layer::SecurityGroupEgress => format!(
            "allow {service} to {} in an egress rule of {groups}",
            q.to.label()
        ),
        Layer::NaclInbound | Layer::NaclOutbound => {
            let (dir, peer) = if hop.layer == Layer::NaclInbound {
                ("inbound", q.from.label())
            } else {
                ("outbound", q.to.label())
            };
            if hop.by_rule {
                format!(
                    "in {}, {} stops it: remove that deny, or allow {service} {dir} for {peer} with a lower rule number",
                    hop.subject, hop.reason
                )
            } else {
                format!(
                    "add an {dir} allow rule for {service} ({peer}) to {}",
                    hop.subject
                )
            }
        }
        Layer::NaclReplyOutbound | Layer::NaclReplyInbound => {
            let dir = if hop.layer == Layer::NaclReplyOutbound {
                "outbound"
            } else {
                "inbound"
            };
            format!(
                "the reply is stateless through {}: allow {dir} traffic on the clients' ephemeral ports ({lo}-{hi}){}",
                hop.subject,
                if hop.by_rule {
                    format!(", which {} stops", hop.reason)
                } else {
                    String::new()
                }
            )
        }
        Layer::Route if [&q.from, &q.to].into_iter().any(End::is_internet) => format!(
            "route the traffic in {} (e.g. 0.0.0.0/0 to an attached internet gateway)",
            hop.subject
        ),
        Layer::Route => format!(
            "route the other end's block in {} to the network it is in (e.g. a peered VPC's block to the peering connection or a transit gateway)",
            hop.subject
        ),
        Layer::PublicAddress => format!(
            "give {} a public address (associate_public_ip_address, or an Elastic IP)",
            hop.subject
        ),
        Layer::Listener => format!("add a listener for {service} on {}", hop.subject),
        Layer::Existence => format!("{} does not exist on this side", hop.subject),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_parse_with_clear_errors() {
        assert_eq!(parse_service("tcp", Some("5432")), Ok((TCP, 5432)));
        assert_eq!(parse_service("ICMP", None), Ok((ICMP, 8 << 8)));
        assert_eq!(parse_service("icmp", Some("3:4")), Ok((ICMP, 3 << 8 | 4)));
        assert_eq!(parse_service("50", None), Ok((50, 0)));
        assert!(
            matches!(parse_service("tcp", None), Err(QuestionError::Service(m)) if m.contains("--port"))
        );
        assert!(parse_service("tcp", Some("99999")).is_err());
        assert!(parse_service("sctp-ish", None).is_err());
    }

    #[test]
    fn ends_are_addresses_networks_the_internet_or_endpoints() {
        let mut s = Snapshot::default();
        s.endpoints.insert(
            "aws_instance.app".into(),
            crate::model::Endpoint::new("aws_instance.app", crate::model::EndpointKind::Instance),
        );
        let e = |t| parse_end(t, [&Snapshot::default(), &s]);
        assert_eq!(e("internet").unwrap().label(), "internet (as 8.8.8.8)");
        assert_eq!(e("10.0.0.0/8").unwrap().label(), "10.0.0.0/8 (as 10.0.0.1)");
        assert_eq!(e("0.0.0.0/0").unwrap().label(), "0.0.0.0/0 (as 8.8.8.8)");
        assert_eq!(e("10.1.2.3").unwrap().label(), "10.1.2.3");
        assert_eq!(
            e("aws_instance.app").unwrap().traced,
            FlowSource::Endpoint("aws_instance.app".into())
        );
        let err = e("aws_instance.ap").unwrap_err().to_string();
        assert!(
            err.contains("endpoints in the plan: aws_instance.app"),
            "{err}"
        );
    }
}
