//! Property tests: every operation of the algebra against a brute-force evaluator.
//!
//! Rules draw addresses, ports and ICMP types from small windows (or take the whole
//! dimension), so a finite list of sample points — every value inside the windows plus
//! one representative of each untouched region — decides every set completely.

use proptest::prelude::*;

use super::service::{ICMP, ICMPV6, TCP, UDP};
use super::*;

#[derive(Clone, Debug)]
enum PeerRule {
    V4(u32, u32),
    V4All,
    V6(u128, u128),
    V6All,
    Principal(usize),
}

#[derive(Clone, Debug)]
enum ServiceRule {
    All,
    Protocol(u8),
    Ports(u8, u16, u16),
    Icmp(u8, (u8, u8), Option<(u8, u8)>),
}

const PROTOCOLS: [u8; 7] = [0, ICMP, TCP, UDP, 50, ICMPV6, 255];

fn principal(i: usize) -> Principal {
    if i.is_multiple_of(2) {
        Principal::SecurityGroup(format!("aws_security_group.g{i}"))
    } else {
        Principal::PrefixList(format!("pl-{i}"))
    }
}

fn arb_peer() -> impl Strategy<Value = PeerRule> {
    prop_oneof![
        4 => (0u32..64, 0u32..8).prop_map(|(lo, len)| PeerRule::V4(lo, lo + len)),
        1 => Just(PeerRule::V4All),
        2 => (0u128..64, 0u128..8).prop_map(|(lo, len)| PeerRule::V6(lo, lo + len)),
        1 => Just(PeerRule::V6All),
        2 => (0usize..4).prop_map(PeerRule::Principal),
    ]
}

fn arb_service() -> impl Strategy<Value = ServiceRule> {
    prop_oneof![
        1 => Just(ServiceRule::All),
        2 => prop::sample::select(PROTOCOLS.to_vec()).prop_map(ServiceRule::Protocol),
        4 => (prop::sample::select(vec![TCP, UDP]), 0u16..20, 0u16..6)
            .prop_map(|(p, lo, len)| ServiceRule::Ports(p, lo, lo + len)),
        3 => (
            prop::sample::select(vec![ICMP, ICMPV6]),
            (0u8..4, 0u8..2),
            prop::option::of((0u8..4, 0u8..2)),
        )
            .prop_map(|(p, (t, tl), c)| ServiceRule::Icmp(p, (t, t + tl), c.map(|(c, cl)| (c, c + cl)))),
    ]
}

type Rule = (PeerRule, ServiceRule);

fn arb_rules() -> impl Strategy<Value = Vec<Rule>> {
    prop::collection::vec((arb_peer(), arb_service()), 0..6)
}

fn space_of(rules: &[Rule]) -> HeaderSpace {
    rules.iter().fold(HeaderSpace::empty(), |acc, (p, s)| {
        let peers = match *p {
            PeerRule::V4(lo, hi) => PeerSet::from_v4(RangeSet::range(lo, hi)),
            PeerRule::V4All => PeerSet::from_v4(RangeSet::full()),
            PeerRule::V6(lo, hi) => PeerSet::from_v6(RangeSet::range(lo, hi)),
            PeerRule::V6All => PeerSet::from_v6(RangeSet::full()),
            PeerRule::Principal(i) => PeerSet::from_principal(principal(i)),
        };
        let services = match *s {
            ServiceRule::All => ServiceSet::all(),
            ServiceRule::Protocol(p) => ServiceSet::protocol(p),
            ServiceRule::Ports(p, lo, hi) => ServiceSet::ports(p, lo, hi),
            ServiceRule::Icmp(p, types, codes) => {
                ServiceSet::icmp(p, types, codes.unwrap_or((0, u8::MAX)))
            }
        };
        acc.union(&HeaderSpace::product(&peers, &services))
    })
}

#[derive(Clone, Debug)]
enum Peer {
    V4(u32),
    V6(u128),
    P(Principal),
}

fn peer_points() -> Vec<Peer> {
    let mut v: Vec<Peer> = (0..72).map(Peer::V4).collect();
    v.extend([Peer::V4(1000), Peer::V4(u32::MAX)]);
    v.extend((0..72).map(Peer::V6));
    v.push(Peer::V6(1 << 100));
    v.extend((0..5).map(|i| Peer::P(principal(i))));
    v
}

fn service_points() -> Vec<(u8, u16)> {
    let mut v = Vec::new();
    for p in [0, ICMP, TCP, UDP, 50, ICMPV6, 100, 255] {
        if p == TCP || p == UDP {
            v.extend((0..27).chain([100, u16::MAX]).map(|d| (p, d)));
        } else if p == ICMP || p == ICMPV6 {
            for t in (0..7).chain([200]) {
                v.extend((0..7).chain([200]).map(|c| (p, u16::from_be_bytes([t, c]))));
            }
        } else {
            v.push((p, 0));
        }
    }
    v
}

fn brute(rules: &[Rule], peer: &Peer, protocol: u8, detail: u16) -> bool {
    rules.iter().any(|(p, s)| {
        let peer_ok = match (p, peer) {
            (PeerRule::V4(lo, hi), Peer::V4(a)) => lo <= a && a <= hi,
            (PeerRule::V4All, Peer::V4(_)) | (PeerRule::V6All, Peer::V6(_)) => true,
            (PeerRule::V6(lo, hi), Peer::V6(a)) => lo <= a && a <= hi,
            (PeerRule::Principal(i), Peer::P(x)) => principal(*i) == *x,
            _ => false,
        };
        let [t, c] = detail.to_be_bytes();
        let service_ok = match *s {
            ServiceRule::All => true,
            ServiceRule::Protocol(x) => x == protocol,
            ServiceRule::Ports(x, lo, hi) => x == protocol && lo <= detail && detail <= hi,
            ServiceRule::Icmp(x, (tlo, thi), codes) => {
                x == protocol
                    && tlo <= t
                    && t <= thi
                    && codes.is_none_or(|(clo, chi)| clo <= c && c <= chi)
            }
        };
        peer_ok && service_ok
    })
}

fn member(space: &HeaderSpace, peer: &Peer, protocol: u8, detail: u16) -> bool {
    let point = match peer {
        Peer::V4(a) => PeerPoint::V4(*a),
        Peer::V6(a) => PeerPoint::V6(*a),
        Peer::P(p) => PeerPoint::Principal(p),
    };
    space.contains(point, protocol, detail)
}

/// Every sample point with a callback.
fn for_each_point(
    mut f: impl FnMut(&Peer, u8, u16) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    let services = service_points();
    for peer in peer_points() {
        for &(p, d) in &services {
            f(&peer, p, d)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn membership_matches_brute_force(rules in arb_rules()) {
        let space = space_of(&rules);
        for_each_point(|peer, p, d| {
            prop_assert_eq!(member(&space, peer, p, d), brute(&rules, peer, p, d), "{:?} {} {}", peer, p, d);
            Ok(())
        })?;
    }

    #[test]
    fn set_operations_match_brute_force(a in arb_rules(), b in arb_rules()) {
        let (sa, sb) = (space_of(&a), space_of(&b));
        let (u, i, d) = (sa.union(&sb), sa.intersection(&sb), sa.difference(&sb));
        let mut any_shared = false;
        let mut a_in_b = true;
        let mut equal = true;
        let mut a_empty = true;
        for_each_point(|peer, p, det| {
            let (x, y) = (brute(&a, peer, p, det), brute(&b, peer, p, det));
            prop_assert_eq!(member(&u, peer, p, det), x || y);
            prop_assert_eq!(member(&i, peer, p, det), x && y);
            prop_assert_eq!(member(&d, peer, p, det), x && !y);
            any_shared |= x && y;
            a_in_b &= !x || y;
            equal &= x == y;
            a_empty &= !x;
            Ok(())
        })?;
        prop_assert_eq!(sa.intersects(&sb), any_shared);
        prop_assert_eq!(sa.is_subset(&sb), a_in_b);
        prop_assert_eq!(sa == sb, equal, "canonical form: equal sets must be equal values");
        prop_assert_eq!(sa.is_empty(), a_empty);
    }

    #[test]
    fn restricting_services_matches_intersecting_with_everyone(rules in arb_rules(), svc in arb_rules()) {
        let space = space_of(&rules);
        let services = space_of(&svc).services();
        let everyone = PeerSet {
            principals: (0..5).map(principal).collect(),
            ..PeerSet::all_addresses()
        };
        let expected = space.intersection(&HeaderSpace::product(&everyone, &services));
        prop_assert_eq!(space.restrict_services(&services), expected);
        let matched = space.services_matching(|p| p.intersects(&everyone));
        prop_assert_eq!(matched, space.services());
    }

    #[test]
    fn union_all_equals_folding(sets in prop::collection::vec(arb_rules(), 0..7)) {
        let spaces: Vec<HeaderSpace> = sets.iter().map(|r| space_of(r)).collect();
        let folded = spaces.iter().fold(HeaderSpace::empty(), |acc, s| acc.union(s));
        prop_assert_eq!(HeaderSpace::union_all(spaces), folded);
    }

    #[test]
    fn first_match_equals_subtracting_a_running_union(sets in prop::collection::vec(arb_rules(), 0..9)) {
        let spaces: Vec<HeaderSpace> = sets.iter().map(|r| space_of(r)).collect();
        let mut before = HeaderSpace::empty();
        let expected: Vec<HeaderSpace> = spaces
            .iter()
            .map(|s| {
                let fresh = s.difference(&before);
                before = before.union(s);
                fresh
            })
            .collect();
        prop_assert_eq!(HeaderSpace::first_match(&spaces), expected);
    }

    #[test]
    fn rendering_round_trips(rules in arb_rules()) {
        let space = space_of(&rules);
        let rebuilt = space.parts().iter().fold(HeaderSpace::empty(), |acc, part| {
            acc.union(&HeaderSpace::product(&part.peers, &part.service.to_set()))
        });
        prop_assert_eq!(rebuilt, space);
    }

    #[test]
    fn rendering_does_not_depend_on_construction_order(mut rules in arb_rules()) {
        let forward = space_of(&rules).parts();
        rules.reverse();
        prop_assert_eq!(space_of(&rules).parts(), forward);
    }
}

fn v4(s: &str) -> PeerSet {
    PeerSet::from_v4(v4_block(s.parse().unwrap()))
}

fn describe(space: &HeaderSpace) -> Vec<String> {
    space
        .parts()
        .iter()
        .map(|p| {
            let cidrs: Vec<String> = v4_cidrs(&p.peers.v4)
                .iter()
                .map(ToString::to_string)
                .collect();
            format!("{} from {}", p.service, cidrs.join(" "))
        })
        .collect()
}

#[test]
fn a_removed_port_splits_the_range() {
    let world = v4("0.0.0.0/0");
    let wide = HeaderSpace::product(&world, &ServiceSet::ports(TCP, 400, 500));
    let https = HeaderSpace::product(&world, &ServiceSet::ports(TCP, 443, 443));
    assert_eq!(
        describe(&wide.difference(&https)),
        ["tcp 400-442, 444-500 from 0.0.0.0/0"]
    );
}

#[test]
fn split_cidrs_render_as_one_block() {
    let a = HeaderSpace::product(&v4("10.0.0.0/17"), &ServiceSet::ports(TCP, 22, 22));
    let b = HeaderSpace::product(&v4("10.0.128.0/17"), &ServiceSet::ports(TCP, 22, 22));
    let whole = HeaderSpace::product(&v4("10.0.0.0/16"), &ServiceSet::ports(TCP, 22, 22));
    assert_eq!(a.union(&b), whole);
    assert_eq!(describe(&whole), ["tcp 22 from 10.0.0.0/16"]);
}

#[test]
fn ports_with_the_same_peers_share_a_line() {
    let world = v4("0.0.0.0/0");
    let s = HeaderSpace::product(&world, &ServiceSet::ports(TCP, 22, 22))
        .union(&HeaderSpace::product(
            &world,
            &ServiceSet::ports(TCP, 443, 443),
        ))
        .union(&HeaderSpace::product(
            &v4("10.0.0.0/8"),
            &ServiceSet::ports(UDP, 53, 53),
        ));
    assert_eq!(
        describe(&s),
        ["tcp 22, 443 from 0.0.0.0/0", "udp 53 from 10.0.0.0/8"]
    );
}

#[test]
fn all_traffic_is_extracted_before_per_protocol_parts() {
    let s = HeaderSpace::product(&v4("10.0.0.0/8"), &ServiceSet::all()).union(
        &HeaderSpace::product(&v4("0.0.0.0/0"), &ServiceSet::ports(TCP, 443, 443)),
    );
    let parts = s.parts();
    assert_eq!(parts[0].service, Service::All);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[1].service.to_string(), "tcp 443");
    assert_eq!(
        parts[1].peers,
        v4("0.0.0.0/0").difference(&v4("10.0.0.0/8"))
    );
}

#[test]
fn all_traffic_minus_one_port_lists_the_rest() {
    let world = v4("0.0.0.0/0");
    let s = HeaderSpace::product(&world, &ServiceSet::all()).difference(&HeaderSpace::product(
        &world,
        &ServiceSet::ports(TCP, 22, 22),
    ));
    let services: Vec<String> = s.parts().iter().map(|p| p.service.to_string()).collect();
    assert_eq!(
        services,
        [
            "protocol 0",
            "icmp all types",
            "protocols 2-5",
            "tcp 0-21, 23-65535",
            "protocols 7-16",
            "udp 0-65535",
            "protocols 18-57",
            "icmpv6 all types",
            "protocols 59-255"
        ]
    );
}

#[test]
fn icmp_items_follow_aws_conventions() {
    let world = v4("0.0.0.0/0");
    let s = HeaderSpace::product(&world, &ServiceSet::icmp(ICMP, (8, 8), (0, 0))).union(
        &HeaderSpace::product(&world, &ServiceSet::icmp(ICMP, (3, 3), (0, 255))),
    );
    assert_eq!(describe(&s), ["icmp type 3, type 8 code 0 from 0.0.0.0/0"]);
}
