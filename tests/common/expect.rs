//! The expected-changes grammar of scenario READMEs (`CONTRIBUTING.md` § Adding a
//! scenario): parsed into packet sets, so that any spelling of the same set compares
//! equal. Shared by `tests/scenarios.rs` and `tests/context.rs`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use reachdiff::delta::{ChangeKind, Delta, Level};
use reachdiff::header_space::service::{ICMP, ICMPV6};
use reachdiff::header_space::{
    HeaderSpace, PeerSet, Principal, ServiceSet, parse_cidr, v4_block, v4_cidrs, v6_block, v6_cidrs,
};
use reachdiff::model::{Certainty, Direction, Protocol};

/// (level, kind, certainty, direction, subject, via)
pub type Key = (
    Level,
    ChangeKind,
    Certainty,
    Direction,
    String,
    Option<String>,
);

/// Parses one expected line into its key and packets.
pub fn parse_line(line: &str) -> (Key, HeaderSpace) {
    let (line, via) = match line.split_once(" via ") {
        Some((l, v)) => (l, Some(v.trim().to_owned())),
        None => (line, None),
    };
    let mut words = line.split_whitespace().peekable();
    let kind = match words.next() {
        Some("opened") => ChangeKind::Opened,
        Some("closed") => ChangeKind::Closed,
        other => panic!("bad kind {other:?} in {line:?}"),
    };
    let certainty = if words.peek() == Some(&"possible") {
        words.next();
        Certainty::Possible
    } else {
        Certainty::Definite
    };
    let level = if words.peek() == Some(&"endpoint") {
        words.next();
        Level::Endpoint
    } else {
        Level::Rule
    };
    let direction = match words.next() {
        Some("ingress") => Direction::Ingress,
        Some("egress") => Direction::Egress,
        other => panic!("bad direction {other:?} in {line:?}"),
    };
    // A key known only after apply is written as the report writes it, with spaces:
    // `(aws_security_group.g[*] known after apply)`.
    let mut subject = words.next().expect("subject").to_owned();
    while subject.starts_with('(') && !subject.ends_with(')') {
        subject.push(' ');
        subject.push_str(words.next().expect("the subject's closing parenthesis"));
    }
    let protocol = words.next().expect("protocol");
    let rest: Vec<&str> = words.collect();
    let split = rest
        .iter()
        .position(|w| *w == "from" || *w == "to")
        .unwrap_or_else(|| panic!("no from/to in {line:?}"));
    let detail = rest[..split].join("");
    let peers_text = rest[split + 1..].join(" ");

    // `all except tcp 443` is every service but those named after `except`.
    let services = if protocol == "all" && rest.first() == Some(&"except") {
        ServiceSet::all().difference(&services_of(rest[1], &rest[2..split].join("")))
    } else {
        services_of(protocol, &detail)
    };

    let (include, exclude) = match peers_text.split_once(" except ") {
        Some((a, b)) => (a, Some(b)),
        None => (peers_text.as_str(), None),
    };
    let peer_set = |text: &str| -> PeerSet {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .fold(PeerSet::empty(), |acc, item| {
                let one = if item == "self" {
                    PeerSet::from_principal(Principal::SecurityGroup(subject.clone()))
                } else if let Some(name) = item.strip_prefix("sg:") {
                    PeerSet::from_principal(Principal::SecurityGroup(name.to_owned()))
                } else if let Some(name) = item.strip_prefix("pl:") {
                    PeerSet::from_principal(Principal::PrefixList(name.to_owned()))
                } else if let Some(name) = item.strip_prefix("ep:") {
                    PeerSet::from_principal(Principal::Endpoint(name.to_owned()))
                } else {
                    match parse_cidr(item).unwrap_or_else(|| panic!("peer {item:?} in {line:?}")) {
                        ipnet::IpNet::V4(n) => PeerSet::from_v4(v4_block(n)),
                        ipnet::IpNet::V6(n) => PeerSet::from_v6(v6_block(n)),
                    }
                };
                acc.union(&one)
            })
    };
    let mut peers = peer_set(include);
    if let Some(ex) = exclude {
        peers = peers.difference(&peer_set(ex));
    }
    (
        (level, kind, certainty, direction, subject, via),
        HeaderSpace::product(&peers, &services),
    )
}

/// The services of a protocol word and its detail (ports, or an ICMP `type[:code]` list).
fn services_of(protocol: &str, detail: &str) -> ServiceSet {
    match Protocol::parse(protocol).unwrap_or_else(|| panic!("protocol {protocol:?}")) {
        Protocol::All => ServiceSet::all(),
        Protocol::Number(p) if p == ICMP || p == ICMPV6 => {
            if detail.is_empty() {
                ServiceSet::protocol(p)
            } else {
                detail.split(',').fold(ServiceSet::none(), |acc, item| {
                    let (t, c) = match item.split_once(':') {
                        Some((t, c)) => (t.parse().unwrap(), Some(c.parse::<u8>().unwrap())),
                        None => (item.parse::<u8>().unwrap(), None),
                    };
                    let codes = c.map_or((0, u8::MAX), |c| (c, c));
                    acc.union(&ServiceSet::icmp(p, (t, t), codes))
                })
            }
        }
        Protocol::Number(p) if detail.is_empty() => ServiceSet::protocol(p),
        Protocol::Number(p) => detail.split(',').fold(ServiceSet::none(), |acc, r| {
            let (lo, hi) = r.split_once('-').unwrap_or((r, r));
            acc.union(&ServiceSet::ports(
                p,
                lo.parse().unwrap(),
                hi.parse().unwrap(),
            ))
        }),
    }
}

/// The `reachdiff-expected` and `reachdiff-expected-endpoints` blocks of a README, each
/// (kind, certainty, direction, subject) with the union of its lines' packets; `origin`
/// names the README in failures.
pub fn expected_in(readme: &str, origin: &str) -> BTreeMap<Key, HeaderSpace> {
    let mut out: BTreeMap<Key, HeaderSpace> = BTreeMap::new();
    for (fence, level) in [
        ("```reachdiff-expected\n", Level::Rule),
        ("```reachdiff-expected-endpoints\n", Level::Endpoint),
    ] {
        let start = readme
            .find(fence)
            .unwrap_or_else(|| panic!("{origin}: no {} block", fence.trim()));
        let body = &readme[start + fence.len()..];
        let body = &body[..body.find("```").expect("closing fence")];
        for line in body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (key, space) = parse_line(line);
            assert_eq!(key.0, level, "{origin}: {line:?} is in the wrong block");
            let slot = out.entry(key).or_default();
            *slot = slot.union(&space);
        }
    }
    out
}

/// The `reachdiff-expected-with-configuration` block of a README, when it has one: the
/// exact changes (both levels; `endpoint` marks the endpoint lines) once the
/// configuration is read too — directory mode, or a plan with `--source` — for a
/// scenario whose plan alone knows less.
pub fn expected_with_configuration(readme: &str) -> Option<BTreeMap<Key, HeaderSpace>> {
    let fence = "```reachdiff-expected-with-configuration\n";
    let start = readme.find(fence)?;
    let body = &readme[start + fence.len()..];
    let body = &body[..body.find("```").expect("closing fence")];
    let mut out: BTreeMap<Key, HeaderSpace> = BTreeMap::new();
    for line in body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (key, space) = parse_line(line);
        let slot = out.entry(key).or_default();
        *slot = slot.union(&space);
    }
    Some(out)
}

/// The tool's changes in the same shape as [`expected_in`].
pub fn actual(delta: &Delta) -> BTreeMap<Key, HeaderSpace> {
    let mut out: BTreeMap<Key, HeaderSpace> = BTreeMap::new();
    for c in &delta.changes {
        let key = (
            c.level,
            c.kind,
            c.certainty,
            c.direction,
            c.subject.clone(),
            c.via.clone(),
        );
        let slot = out.entry(key).or_default();
        *slot = slot.union(&c.space());
    }
    out
}

/// Both maps as text, for failures.
pub fn describe(map: &BTreeMap<Key, HeaderSpace>) -> String {
    let mut s = String::new();
    for ((level, kind, certainty, direction, subject, via), space) in map {
        for part in space.parts() {
            let peers: Vec<String> = v4_cidrs(&part.peers.v4)
                .iter()
                .map(ToString::to_string)
                .chain(v6_cidrs(&part.peers.v6).iter().map(ToString::to_string))
                .chain(part.peers.principals.iter().map(ToString::to_string))
                .collect();
            let _ = writeln!(
                s,
                "  {} {} {} {direction} {subject}{}: {} / {}",
                level.as_str(),
                kind.as_str(),
                certainty.as_str(),
                via.as_deref()
                    .map(|v| format!(" via {v}"))
                    .unwrap_or_default(),
                part.service,
                peers.join(" ")
            );
        }
    }
    s
}
