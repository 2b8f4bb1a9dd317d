//! The factors a change is scored on, each computed from the flow itself.
//!
//! A [`Profile`] describes one change the way a reviewer would: how wide the remote
//! party is ([`Breadth`], by counting addresses, never by matching strings), what it
//! exposes ([`Exposure`], from the service [`catalogue`]), what kind
//! of endpoint is on our side, whether it is live, and how certain it is.
//! [`Profile::score`] turns that into a score 0–100 with one reason per factor:
//!
//! | Change | Score |
//! | --- | --- |
//! | opened ingress | service weight × source breadth ± destination |
//! | opened egress | source weight × service breadth × destination breadth |
//! | closed | availability: what stops working |
//!
//! then × liveness (live 1.0, no carrier in the plan 0.8, latent 0.5) × certainty
//! (definite 1.0, possible 0.85). A rule-level change that is live on some endpoints
//! is scored as latent (0.5) with the worst of those endpoints' scores as its floor. `docs/risk.md` documents every factor with its
//! values.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::LazyLock;

use super::catalogue::{self, Category, Entry};
use crate::delta::{ChangeKind, Effect, Level};
use crate::header_space::service::{ICMP, ICMPV6, TCP, UDP};
use crate::header_space::{Ipv4Set, Ipv6Set, PeerSet, Principal, RangeSet, ServiceSet, thousands};
use crate::model::{Certainty, Direction, EndpointKind};

/// How wide a remote party is, from the widest to the narrowest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Breadth {
    /// At least 99 % of the public IPv4 or IPv6 address space.
    Internet,
    /// A public block of 65,536 addresses or more (IPv6: a /32 or more).
    LargePublicBlock,
    /// A value known only after apply: it may be anything.
    Unknown,
    /// A prefix list whose entries the input does not show.
    PrefixList,
    /// Public addresses: a partner, a vendor, an office not declared trusted.
    ExternalNetwork,
    /// Private addresses outside every VPC in the plan: peered or on-premises networks.
    PrivateNetwork,
    /// A whole VPC CIDR block.
    WholeVpc,
    /// Part of a VPC: subnets, ranges.
    PartOfVpc,
    /// The members of a security group.
    SecurityGroup,
    /// One address, or one endpoint.
    Single,
    /// Only networks the policy file declares trusted.
    Trusted,
}

impl Breadth {
    /// The multiplier of this breadth, in percent.
    #[must_use]
    pub fn factor(self) -> u32 {
        match self {
            Self::Internet => 100,
            Self::LargePublicBlock => 80,
            Self::Unknown => 60,
            Self::ExternalNetwork => 55,
            Self::PrefixList => 50,
            Self::PrivateNetwork => 40,
            Self::WholeVpc => 30,
            Self::PartOfVpc => 25,
            Self::SecurityGroup => 20,
            Self::Single => 15,
            Self::Trusted => 10,
        }
    }

    /// The whole internet, or a large public block of it.
    #[must_use]
    pub fn is_internet_wide(self) -> bool {
        matches!(self, Self::Internet | Self::LargePublicBlock)
    }

    /// Parties outside the VPCs of the plan that the policy does not trust.
    #[must_use]
    pub fn is_outside(self) -> bool {
        matches!(
            self,
            Self::Internet
                | Self::LargePublicBlock
                | Self::Unknown
                | Self::PrefixList
                | Self::ExternalNetwork
                | Self::PrivateNetwork
        )
    }

    /// In words.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Internet => "the whole internet",
            Self::LargePublicBlock => "a large public address block",
            Self::Unknown => "a party known only after apply",
            Self::PrefixList => "a prefix list whose entries are not in the input",
            Self::ExternalNetwork => "an external network (public addresses)",
            Self::PrivateNetwork => "a private network outside the VPC (peered or on-premises)",
            Self::WholeVpc => "a whole VPC",
            Self::PartOfVpc => "part of a VPC",
            Self::SecurityGroup => "the members of a security group",
            Self::Single => "a single address or endpoint",
            Self::Trusted => "a trusted network",
        }
    }
}

/// The address blocks that are not on the public internet (RFC 6890 special-purpose
/// blocks that cannot be internet sources). Documentation blocks (192.0.2.0/24, …)
/// count as public: examples use them to stand for public addresses.
const NOT_PUBLIC_V4: [(u32, u8); 9] = [
    (0x0000_0000, 8),  // 0.0.0.0/8 "this network"
    (0x0A00_0000, 8),  // 10.0.0.0/8
    (0x6440_0000, 10), // 100.64.0.0/10 shared address space (CGNAT)
    (0x7F00_0000, 8),  // 127.0.0.0/8 loopback
    (0xA9FE_0000, 16), // 169.254.0.0/16 link-local
    (0xAC10_0000, 12), // 172.16.0.0/12
    (0xC0A8_0000, 16), // 192.168.0.0/16
    (0xE000_0000, 4),  // 224.0.0.0/4 multicast
    (0xF000_0000, 4),  // 240.0.0.0/4 reserved
];

/// Public IPv4 addresses: everything but the special-purpose blocks above.
pub static PUBLIC_V4: LazyLock<Ipv4Set> = LazyLock::new(|| {
    NOT_PUBLIC_V4
        .iter()
        .fold(Ipv4Set::full(), |acc, &(net, len)| {
            let size = u32::MAX >> len;
            acc.difference(&RangeSet::range(net, net | size))
        })
});

/// Public IPv6 addresses: global unicast, `2000::/3`.
pub static PUBLIC_V6: LazyLock<Ipv6Set> = LazyLock::new(|| {
    let lo = 0x2000_u128 << 112;
    RangeSet::range(lo, lo | (u128::MAX >> 3))
});

/// The number of addresses in a set, as a float (IPv6 counts overflow integers).
fn count<T: crate::header_space::Point + Into<u128>>(set: &RangeSet<T>) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "an order of magnitude is enough"
    )]
    set.ranges()
        .iter()
        .map(|&(lo, hi)| (hi.into() - lo.into()) as f64 + 1.0)
        .sum()
}

/// What the score needs to know of the world around a change.
#[derive(Clone, Debug, Default)]
pub struct Surroundings {
    /// The IPv4 blocks of every VPC in the snapshot.
    pub vpc_v4: Ipv4Set,
    /// The IPv6 blocks of every VPC in the snapshot.
    pub vpc_v6: Ipv6Set,
    /// Every VPC block, one by one (to tell a whole VPC from part of one).
    pub vpc_blocks: Vec<PeerSet>,
    /// The addresses of the networks the policy declares trusted.
    pub trusted: PeerSet,
    /// Prefix lists whose entries are known, by key.
    pub prefix_lists: std::collections::BTreeMap<String, PeerSet>,
}

/// The breadth of a remote party, with a detail for the reason ("3,702,258,432 public
/// addresses").
#[must_use]
pub fn breadth(peers: &PeerSet, around: &Surroundings) -> (Breadth, String) {
    let mut found: Vec<(Breadth, String)> = Vec::new();
    let had_addresses = !peers.v4.is_empty() || !peers.v6.is_empty();
    let v4 = peers.v4.difference(&around.trusted.v4);
    let v6 = peers.v6.difference(&around.trusted.v6);
    if had_addresses && v4.is_empty() && v6.is_empty() {
        found.push((Breadth::Trusted, String::new()));
    }
    // Addresses inside a VPC of the plan, then public and private ones outside.
    let (in_v4, in_v6) = (
        v4.intersection(&around.vpc_v4),
        v6.intersection(&around.vpc_v6),
    );
    let (out_v4, out_v6) = (v4.difference(&around.vpc_v4), v6.difference(&around.vpc_v6));
    let (pub_v4, pub_v6) = (
        out_v4.intersection(&PUBLIC_V4),
        out_v6.intersection(&PUBLIC_V6),
    );
    let (n4, n6) = (count(&pub_v4), count(&pub_v6));
    if n4 >= 0.99 * count(&PUBLIC_V4) || n6 >= 0.99 * count(&PUBLIC_V6) {
        let family = match (
            n4 >= 0.99 * count(&PUBLIC_V4),
            n6 >= 0.99 * count(&PUBLIC_V6),
        ) {
            (true, true) => "IPv4 and IPv6",
            (true, false) => "IPv4",
            _ => "IPv6",
        };
        found.push((Breadth::Internet, format!("every public {family} address")));
    } else if n4 >= 65_536.0 || n6 >= 2f64.powi(96) {
        found.push((Breadth::LargePublicBlock, amount(n4, n6, "public")));
    } else if n4 + n6 > 0.0 {
        let b = if n4 + n6 < 1.5 {
            Breadth::Single
        } else {
            Breadth::ExternalNetwork
        };
        found.push((b, amount(n4, n6, "public")));
    }
    let (priv_v4, priv_v6) = (out_v4.difference(&pub_v4), out_v6.difference(&pub_v6));
    let n_priv = count(&priv_v4) + count(&priv_v6);
    if (n_priv - 1.0).abs() < 0.5 {
        found.push((Breadth::Single, "one private address".into()));
    } else if n_priv > 0.0 {
        let detail = if around.vpc_blocks.is_empty() {
            "no VPC is in the input, so it may be the VPC itself".to_owned()
        } else {
            amount(count(&priv_v4), count(&priv_v6), "private")
        };
        found.push((Breadth::PrivateNetwork, detail));
    }
    if !in_v4.is_empty() || !in_v6.is_empty() {
        let inside = PeerSet {
            v4: in_v4.clone(),
            v6: in_v6.clone(),
            principals: BTreeSet::new(),
        };
        let whole = around
            .vpc_blocks
            .iter()
            .any(|b| b.difference(&inside).is_empty());
        let n = count(&in_v4) + count(&in_v6);
        found.push(if whole {
            (Breadth::WholeVpc, String::new())
        } else if n < 1.5 {
            (Breadth::Single, "one address in the VPC".into())
        } else {
            (Breadth::PartOfVpc, amount(count(&in_v4), count(&in_v6), ""))
        });
    }
    for p in &peers.principals {
        found.push(match p {
            _ if p.is_unknown() => (Breadth::Unknown, String::new()),
            // Endpoints that behave alike are as broad as a group of them.
            Principal::SecurityGroup(_) | Principal::Endpoints(_) => {
                (Breadth::SecurityGroup, p.to_string())
            }
            Principal::Endpoint(_) => (Breadth::Single, p.to_string()),
            Principal::PrefixList(key) => match around.prefix_lists.get(key) {
                Some(entries) => {
                    let (b, d) = breadth(entries, around);
                    (b, format!("{p}: {d}"))
                }
                None => (Breadth::PrefixList, p.to_string()),
            },
        });
    }
    found
        .into_iter()
        .max_by_key(|(b, _)| (b.factor(), std::cmp::Reverse(*b)))
        .unwrap_or((Breadth::Single, "nobody".into()))
}

/// "65,536 public addresses", "a /48 of public IPv6".
fn amount(v4: f64, v6: f64, adjective: &str) -> String {
    let adjective = if adjective.is_empty() {
        String::new()
    } else {
        format!("{adjective} ")
    };
    let mut parts = Vec::new();
    if v4 > 0.0 {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "IPv4 counts are exact below 2^53"
        )]
        let n = v4 as u64;
        parts.push(format!(
            "{} {adjective}IPv4 address{}",
            thousands(n),
            if n == 1 { "" } else { "es" }
        ));
    }
    if v6 > 0.0 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "log2 of a count up to 2^128"
        )]
        let bits = v6.log2().round() as i32;
        parts.push(format!("about 2^{bits} {adjective}IPv6 addresses"));
    }
    parts.join(" and ")
}

/// What a change exposes, seen through the catalogue.
#[derive(Clone, Debug)]
pub struct Exposure<'c> {
    /// The weight, 0–100.
    pub weight: u8,
    /// Every protocol, or every TCP and UDP port.
    pub all_traffic: bool,
    /// A port range of 1,000 ports or more.
    pub wide: bool,
    /// The catalogue entries the services overlap.
    pub entries: Vec<&'c Entry>,
    /// In words.
    pub reason: String,
}

impl Exposure<'_> {
    /// `true` when it exposes a catalogued service other than web or VPN, or a wide range.
    #[must_use]
    pub fn is_sensitive(&self) -> bool {
        self.all_traffic
            || self.wide
            || self
                .entries
                .iter()
                .any(|e| !matches!(e.category, Category::Web | Category::Vpn))
    }

    /// `true` when some entry is of `category`.
    #[must_use]
    pub fn has(&self, category: Category) -> bool {
        self.entries.iter().any(|e| e.category == category)
    }
}

/// Weights of exposures that are not catalogue entries.
mod weight {
    pub(super) const ALL_TRAFFIC: u8 = 100;
    pub(super) const WIDE_RANGE: u8 = 60;
    pub(super) const UNLISTED_PORT: u8 = 45;
    pub(super) const OTHER_PROTOCOL: u8 = 30;
    pub(super) const ICMP: u8 = 15;
}

/// How many TCP and UDP ports a service set holds.
fn port_count(services: &ServiceSet) -> u32 {
    [TCP, UDP]
        .iter()
        .map(|&p| {
            let of = services.intersection(&ServiceSet::protocol(p));
            of.as_set()
                .ranges()
                .iter()
                .map(|&(lo, hi)| hi - lo + 1)
                .sum::<u32>()
        })
        .sum()
}

/// What `services` exposes.
#[must_use]
pub fn exposure<'c>(services: &ServiceSet, catalogue: &'c [Entry]) -> Exposure<'c> {
    let every_port = ServiceSet::protocol(TCP).union(&ServiceSet::protocol(UDP));
    let all_traffic = services.is_all() || every_port.difference(services).is_empty();
    let entries = catalogue::matching(catalogue, services);
    let ports = port_count(services);
    let wide = !all_traffic && ports >= 1000;
    let transport = services.intersection(&every_port).difference(
        &entries
            .iter()
            .fold(ServiceSet::none(), |a, e| a.union(&e.services)),
    );
    let icmp = ServiceSet::protocol(ICMP).union(&ServiceSet::protocol(ICMPV6));
    let other = services.difference(&every_port).difference(&icmp);
    let mut candidates: Vec<(u8, String)> = Vec::new();
    if all_traffic {
        let what = if services.is_all() {
            "all traffic (every protocol and port)"
        } else {
            "every TCP and UDP port"
        };
        candidates.push((weight::ALL_TRAFFIC, what.to_owned()));
    }
    if let Some(top) = entries.iter().max_by_key(|e| e.weight()) {
        let mut names: Vec<&str> = entries
            .iter()
            .filter(|e| e.category == top.category)
            .map(|e| e.name.as_str())
            .collect();
        names.dedup();
        let more = entries.len() - names.len();
        let mut text = format!("{}: {}", names.join(", "), top.category.describe());
        if more > 0 {
            let _ = write!(text, " (and {more} other catalogued service(s))");
        }
        candidates.push((top.weight(), text));
    }
    if wide {
        candidates.push((
            weight::WIDE_RANGE,
            format!("a wide port range ({ports} ports)"),
        ));
    }
    if !transport.is_empty() && !all_traffic && !wide {
        candidates.push((weight::UNLISTED_PORT, "ports outside the catalogue".into()));
    }
    if !other.is_empty() && !services.is_all() {
        candidates.push((
            weight::OTHER_PROTOCOL,
            "protocols other than TCP, UDP and ICMP".into(),
        ));
    }
    if !services.intersection(&icmp).is_empty() && !services.is_all() {
        candidates.push((weight::ICMP, "ICMP".into()));
    }
    let (weight, reason) = candidates
        .into_iter()
        .max_by_key(|(w, _)| *w)
        .unwrap_or((0, "nothing".into()));
    Exposure {
        weight,
        all_traffic,
        wide,
        entries,
        reason,
    }
}

/// Whether a change reaches an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// It changes what reaches an endpoint.
    Live,
    /// A rule-level change that reaches some endpoints: those endpoint-level changes
    /// are scored on their own and give this one its floor; the rest of its region may
    /// reach nothing.
    PartlyLive,
    /// Nothing in the plan carries it; resources outside the plan may.
    NoCarrierInPlan,
    /// Another layer blocks it, or other rules already allowed it.
    Latent,
}

impl Liveness {
    /// Of a change's level and effect.
    #[must_use]
    pub fn of(level: Level, effect: Option<&Effect>) -> Self {
        match (level, effect) {
            (Level::Endpoint, _) => Self::Live,
            (Level::Rule, Some(Effect::Live)) => Self::PartlyLive,
            (Level::Rule, Some(Effect::Latent(_))) => Self::Latent,
            (Level::Rule, Some(Effect::Unused(_)) | None) => Self::NoCarrierInPlan,
        }
    }

    /// The multiplier, in percent.
    #[must_use]
    pub fn factor(self) -> u32 {
        match self {
            Self::Live => 100,
            Self::NoCarrierInPlan => 80,
            Self::PartlyLive | Self::Latent => 50,
        }
    }
}

/// Everything the score and the rules look at, for one change.
#[derive(Clone, Debug)]
pub struct Profile<'c> {
    /// Opened or closed.
    pub kind: ChangeKind,
    /// Ingress (the peers are sources) or egress (the peers are destinations).
    pub direction: Direction,
    /// Rule or endpoint level.
    pub level: Level,
    /// How wide the peers are.
    pub breadth: Breadth,
    /// Detail of the breadth, for the reason.
    pub breadth_detail: String,
    /// The services of the change.
    pub services: ServiceSet,
    /// What they expose.
    pub exposure: Exposure<'c>,
    /// The kinds of endpoint on our side: the endpoint itself, or the carriers of the
    /// security group / the endpoints behind the ACL.
    pub subject_kinds: BTreeSet<EndpointKind>,
    /// The kinds of the endpoints among the peers.
    pub peer_kinds: BTreeSet<EndpointKind>,
    /// Live, latent, or without a carrier in the plan.
    pub liveness: Liveness,
    /// Definite or possible.
    pub certainty: Certainty,
}

/// Data stores: the endpoints whose compromise or loss matters most.
#[must_use]
pub fn is_data_store(kind: EndpointKind) -> bool {
    matches!(
        kind,
        EndpointKind::Database | EndpointKind::Cache | EndpointKind::FileSystem
    )
}

fn is_load_balancer(kind: EndpointKind) -> bool {
    matches!(
        kind,
        EndpointKind::ApplicationLoadBalancer
            | EndpointKind::NetworkLoadBalancer
            | EndpointKind::ClassicLoadBalancer
    )
}

/// Availability weights of closed flows.
mod availability {
    pub(super) const DATA_STORE: u32 = 60;
    pub(super) const PUBLIC_WEB: u32 = 60;
    pub(super) const CLIENTS: u32 = 45;
    pub(super) const OUTBOUND_INTERNET: u32 = 40;
    pub(super) const PUBLIC_OTHER: u32 = 30;
    pub(super) const EXPOSURE_REDUCED: u32 = 5;
}

/// Egress weights of opened flows: what can leave, by the kind of the source.
mod egress {
    pub(super) const FROM_DATA_STORE: u32 = 75;
    pub(super) const FROM_OTHER: u32 = 50;
}

/// A score and its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Score {
    /// 0–100.
    pub value: u8,
    /// One line per factor, in the order applied.
    pub reasons: Vec<String>,
    /// A closed flow that only removes exposure of sensitive services to the internet.
    pub reduces_exposure: bool,
}

impl Profile<'_> {
    /// `true` for an opened change in `direction`.
    #[must_use]
    pub fn opens(&self, direction: Direction) -> bool {
        self.kind == ChangeKind::Opened && self.direction == direction
    }

    /// The names of the endpoint kinds on our side ("database, instance").
    fn subject_names(&self) -> String {
        self.subject_kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn party(&self) -> String {
        let detail = if self.breadth_detail.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.breadth_detail)
        };
        let role = match self.direction {
            Direction::Ingress => "source",
            Direction::Egress => "destination",
        };
        format!(
            "{role}: {}{detail} — breadth ×{}",
            self.breadth.describe(),
            percent(self.breadth.factor())
        )
    }

    /// The score of the change, with one reason per factor.
    #[must_use]
    pub fn score(&self) -> Score {
        let mut reasons = Vec::new();
        let mut reduces_exposure = false;
        // Points are kept ×100 so that percent factors stay integral.
        let mut points: i64 = match (self.kind, self.direction) {
            (ChangeKind::Opened, Direction::Ingress) => {
                reasons.push(format!(
                    "exposes {} — weight {}",
                    self.exposure.reason, self.exposure.weight
                ));
                reasons.push(self.party());
                let mut p = i64::from(self.exposure.weight) * i64::from(self.breadth.factor());
                if let Some((adjust, why)) = self.destination_adjustment() {
                    reasons.push(format!("{why} — {adjust:+}"));
                    p += adjust * 100;
                }
                p
            }
            (ChangeKind::Opened, Direction::Egress) => {
                let (base, who) = if self.subject_kinds.iter().any(|k| is_data_store(*k)) {
                    (
                        egress::FROM_DATA_STORE,
                        format!("a data store ({})", self.subject_names()),
                    )
                } else if self.subject_kinds.is_empty() {
                    (egress::FROM_OTHER, "whatever carries the filter".to_owned())
                } else {
                    (egress::FROM_OTHER, self.subject_names())
                };
                reasons.push(format!("new outbound path from {who} — weight {base}"));
                let spread = if self.exposure.all_traffic || self.exposure.wide {
                    (100, "any protocol or a wide port range")
                } else if self.is_routine_outbound() {
                    (50, "routine outbound services (web, DNS, NTP)")
                } else {
                    (70, "specific ports")
                };
                reasons.push(format!("over {} — ×{}", spread.1, percent(spread.0)));
                reasons.push(self.party());
                i64::from(base) * i64::from(spread.0) * i64::from(self.breadth.factor()) / 100
            }
            (ChangeKind::Closed, _) => {
                let (base, why) = self.availability();
                reduces_exposure = base == availability::EXPOSURE_REDUCED;
                reasons.push(format!("{why} — weight {base}"));
                i64::from(base) * 100
            }
        };
        let live = match self.liveness {
            Liveness::Live => "live: it changes what reaches an endpoint",
            Liveness::PartlyLive => {
                "live on some endpoints (scored there); the rest of it may reach nothing"
            }
            Liveness::NoCarrierInPlan => {
                "no endpoint in the plan is affected; resources outside the plan may be"
            }
            Liveness::Latent => {
                "latent: another layer blocks it, or it changes nothing on an endpoint"
            }
        };
        reasons.push(format!("{live} — ×{}", percent(self.liveness.factor())));
        points = points * i64::from(self.liveness.factor()) / 100;
        if self.certainty == Certainty::Possible {
            reasons.push("possible: depends on values known only after apply — ×0.85".into());
            points = points * 85 / 100;
        }
        let value = u8::try_from(((points + 50) / 100).clamp(0, 100)).unwrap_or(100);
        Score {
            value,
            reasons,
            reduces_exposure,
        }
    }

    /// Only web, DNS and NTP: what hosts routinely send to the internet.
    fn is_routine_outbound(&self) -> bool {
        let routine = self
            .exposure
            .entries
            .iter()
            .filter(|e| matches!(e.category, Category::Web | Category::Amplification))
            .fold(ServiceSet::none(), |acc, e| acc.union(&e.services));
        !routine.is_empty() && self.services.difference(&routine).is_empty()
    }

    /// Opened ingress: data stores and control planes weigh more; a load balancer
    /// serving web ports is expected exposure.
    fn destination_adjustment(&self) -> Option<(i64, String)> {
        if self.subject_kinds.iter().any(|k| is_data_store(*k)) {
            return Some((
                10,
                format!("destination holds data ({})", self.subject_names()),
            ));
        }
        if self
            .subject_kinds
            .contains(&EndpointKind::KubernetesCluster)
        {
            return Some((10, "destination is a cluster control plane".into()));
        }
        if !self.subject_kinds.is_empty()
            && self.subject_kinds.iter().all(|k| is_load_balancer(*k))
            && self.services.difference(&catalogue::web_ports()).is_empty()
        {
            return Some((
                -15,
                "a load balancer serving web ports is expected exposure".into(),
            ));
        }
        None
    }

    /// Closed flows: what stops working.
    fn availability(&self) -> (u32, String) {
        // A narrow rule on a database port is an app's way to its database; all
        // traffic merely includes database ports.
        let data_port = !self.exposure.all_traffic
            && !self.exposure.wide
            && self
                .exposure
                .entries
                .iter()
                .any(|e| e.category.is_data_store());
        let from_internet = self.direction == Direction::Ingress && self.breadth.is_internet_wide();
        let data_store_lost = !from_internet
            && (data_port
                || match self.direction {
                    Direction::Ingress => self.subject_kinds.iter().any(|k| is_data_store(*k)),
                    Direction::Egress => self.peer_kinds.iter().any(|k| is_data_store(*k)),
                });
        if data_store_lost {
            return (
                availability::DATA_STORE,
                "clients may lose their data store (availability)".into(),
            );
        }
        match self.direction {
            Direction::Ingress if self.breadth.is_internet_wide() => {
                let web = !self
                    .services
                    .intersection(&catalogue::web_ports())
                    .is_empty();
                if web {
                    (
                        availability::PUBLIC_WEB,
                        "public clients lose web access: a site may go down (availability)".into(),
                    )
                } else if self.exposure.is_sensitive() && !self.exposure.all_traffic {
                    (
                        availability::EXPOSURE_REDUCED,
                        format!(
                            "removes internet exposure of {}; check nobody relied on it",
                            self.exposure.reason
                        ),
                    )
                } else {
                    (
                        availability::PUBLIC_OTHER,
                        "public clients lose access (availability)".into(),
                    )
                }
            }
            Direction::Ingress => (
                availability::CLIENTS,
                "clients lose access to a service (availability)".into(),
            ),
            Direction::Egress if self.breadth.is_internet_wide() => (
                availability::OUTBOUND_INTERNET,
                "loses outbound access to the internet: updates, APIs (availability)".into(),
            ),
            Direction::Egress => (
                availability::CLIENTS,
                "loses access to a dependency (availability)".into(),
            ),
        }
    }
}

/// `1.0`, `0.85`, `0.5` for a percent.
fn percent(p: u32) -> String {
    if p.is_multiple_of(100) {
        format!("{}.0", p / 100)
    } else {
        format!("{}", f64::from(p) / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header_space::{parse_cidr, v4_block};

    fn v4(cidrs: &[&str]) -> PeerSet {
        let mut set = Ipv4Set::empty();
        for c in cidrs {
            let Some(ipnet::IpNet::V4(n)) = parse_cidr(c) else {
                panic!("{c}")
            };
            set = set.union(&v4_block(n));
        }
        PeerSet::from_v4(set)
    }

    fn vpc(cidr: &str) -> Surroundings {
        let block = v4(&[cidr]);
        Surroundings {
            vpc_v4: block.v4.clone(),
            vpc_blocks: vec![block],
            ..Surroundings::default()
        }
    }

    #[test]
    fn the_internet_is_counted_not_string_matched() {
        let around = Surroundings::default();
        for peers in [
            v4(&["0.0.0.0/0"]),
            v4(&["0.0.0.0/1", "128.0.0.0/1"]),
            v4(&["0.0.0.0/0"]).difference(&v4(&["10.0.0.0/8"])),
        ] {
            assert_eq!(breadth(&peers, &around).0, Breadth::Internet, "{peers:?}");
        }
        assert_eq!(
            breadth(&v4(&["0.0.0.0/1"]), &around).0,
            Breadth::LargePublicBlock
        );
        let v6 = PeerSet::from_v6(Ipv6Set::full());
        assert_eq!(breadth(&v6, &around).0, Breadth::Internet);
    }

    #[test]
    fn breadth_tells_public_private_vpc_and_single_addresses_apart() {
        let around = vpc("10.0.0.0/16");
        let b = |c: &[&str]| breadth(&v4(c), &around).0;
        assert_eq!(b(&["203.0.113.0/24"]), Breadth::ExternalNetwork);
        assert_eq!(b(&["198.51.100.7/32"]), Breadth::Single);
        assert_eq!(b(&["8.0.0.0/8"]), Breadth::LargePublicBlock);
        assert_eq!(b(&["172.16.0.0/12"]), Breadth::PrivateNetwork);
        assert_eq!(b(&["10.0.0.0/16"]), Breadth::WholeVpc);
        assert_eq!(b(&["10.0.0.0/8"]), Breadth::PrivateNetwork);
        assert_eq!(b(&["10.0.1.0/24"]), Breadth::PartOfVpc);
        assert_eq!(b(&["10.0.1.5/32"]), Breadth::Single);
    }

    #[test]
    fn trusted_networks_and_principals_have_their_own_breadth() {
        let mut around = vpc("10.0.0.0/16");
        around.trusted = v4(&["203.0.113.0/24"]);
        assert_eq!(
            breadth(&v4(&["203.0.113.0/25"]), &around).0,
            Breadth::Trusted
        );
        // Trusted addresses do not hide untrusted ones next to them.
        assert_eq!(
            breadth(&v4(&["203.0.113.0/24", "198.51.100.0/24"]), &around).0,
            Breadth::ExternalNetwork
        );
        let sg = PeerSet::from_principal(Principal::SecurityGroup("aws_security_group.a".into()));
        assert_eq!(breadth(&sg, &around).0, Breadth::SecurityGroup);
        let unknown = PeerSet::from_principal(Principal::SecurityGroup(Principal::UNKNOWN.into()));
        assert_eq!(breadth(&unknown, &around).0, Breadth::Unknown);
        let pl = PeerSet::from_principal(Principal::PrefixList("pl-1".into()));
        assert_eq!(breadth(&pl, &around).0, Breadth::PrefixList);
        around
            .prefix_lists
            .insert("pl-1".into(), v4(&["0.0.0.0/0"]));
        assert_eq!(breadth(&pl, &around).0, Breadth::Internet);
    }

    #[test]
    fn exposure_takes_the_heaviest_service_a_range_overlaps() {
        let cat = catalogue::builtin();
        let e = exposure(&ServiceSet::ports(TCP, 20, 30), &cat);
        assert_eq!(e.weight, 95, "{}", e.reason); // Telnet
        assert!(e.has(Category::Admin));
        let e = exposure(&ServiceSet::all(), &cat);
        assert_eq!((e.weight, e.all_traffic), (100, true));
        let e = exposure(
            &ServiceSet::ports(TCP, 0, 65535).union(&ServiceSet::ports(UDP, 0, 65535)),
            &cat,
        );
        assert!(e.all_traffic);
        let e = exposure(&ServiceSet::ports(TCP, 443, 443), &cat);
        assert_eq!(e.weight, 20);
        assert!(!e.is_sensitive());
        let e = exposure(&ServiceSet::ports(TCP, 8081, 8081), &cat);
        assert_eq!(e.weight, weight::UNLISTED_PORT);
        let e = exposure(&ServiceSet::ports(TCP, 30000, 40000), &cat);
        assert_eq!(e.weight, weight::WIDE_RANGE);
        assert!(e.wide);
        let e = exposure(&ServiceSet::protocol(ICMP), &cat);
        assert_eq!(e.weight, weight::ICMP);
        let e = exposure(&ServiceSet::protocol(50), &cat);
        assert_eq!(e.weight, weight::OTHER_PROTOCOL);
    }

    fn profile<'c>(
        cat: &'c [Entry],
        kind: ChangeKind,
        direction: Direction,
        services: ServiceSet,
        breadth: Breadth,
        subject: &[EndpointKind],
    ) -> Profile<'c> {
        Profile {
            kind,
            direction,
            level: Level::Endpoint,
            breadth,
            breadth_detail: String::new(),
            exposure: exposure(&services, cat),
            services,
            subject_kinds: subject.iter().copied().collect(),
            peer_kinds: BTreeSet::new(),
            liveness: Liveness::Live,
            certainty: Certainty::Definite,
        }
    }

    #[test]
    fn opened_ingress_scores_service_times_breadth_plus_destination() {
        use ChangeKind::Opened;
        use Direction::Ingress;
        let cat = catalogue::builtin();
        let ssh = ServiceSet::ports(TCP, 22, 22);
        let s = |services: &ServiceSet, b, kinds: &[EndpointKind]| {
            profile(&cat, Opened, Ingress, services.clone(), b, kinds)
                .score()
                .value
        };
        assert_eq!(s(&ssh, Breadth::Internet, &[EndpointKind::Instance]), 90);
        assert_eq!(s(&ssh, Breadth::Trusted, &[EndpointKind::Instance]), 9);
        assert_eq!(
            s(&ssh, Breadth::SecurityGroup, &[EndpointKind::Instance]),
            18
        );
        let pg = ServiceSet::ports(TCP, 5432, 5432);
        assert_eq!(s(&pg, Breadth::Internet, &[EndpointKind::Database]), 95);
        let web = catalogue::web_ports();
        assert_eq!(
            s(
                &web,
                Breadth::Internet,
                &[EndpointKind::ApplicationLoadBalancer]
            ),
            5
        );
        assert_eq!(s(&web, Breadth::Internet, &[EndpointKind::Instance]), 20);
    }

    #[test]
    fn liveness_and_certainty_scale_the_score() {
        let cat = catalogue::builtin();
        let mut p = profile(
            &cat,
            ChangeKind::Opened,
            Direction::Ingress,
            ServiceSet::all(),
            Breadth::Internet,
            &[],
        );
        assert_eq!(p.score().value, 100);
        p.liveness = Liveness::NoCarrierInPlan;
        assert_eq!(p.score().value, 80);
        p.liveness = Liveness::Latent;
        assert_eq!(p.score().value, 50);
        p.certainty = Certainty::Possible;
        assert_eq!(p.score().value, 43);
        assert_eq!(p.score().reasons.len(), 4, "{:?}", p.score().reasons);
    }

    #[test]
    fn opened_egress_weighs_the_source_and_what_can_leave() {
        let cat = catalogue::builtin();
        let s = |services: ServiceSet, kinds: &[EndpointKind]| {
            profile(
                &cat,
                ChangeKind::Opened,
                Direction::Egress,
                services,
                Breadth::Internet,
                kinds,
            )
            .score()
            .value
        };
        assert_eq!(s(ServiceSet::all(), &[EndpointKind::Database]), 75);
        assert_eq!(s(ServiceSet::all(), &[EndpointKind::Instance]), 50);
        assert_eq!(
            s(ServiceSet::ports(TCP, 443, 443), &[EndpointKind::Instance]),
            25
        );
        // 443 next to an unlisted port is not routine any more.
        assert_eq!(
            s(
                ServiceSet::ports(TCP, 443, 443).union(&ServiceSet::ports(TCP, 9999, 9999)),
                &[EndpointKind::Instance]
            ),
            35
        );
        assert_eq!(
            s(
                ServiceSet::ports(TCP, 9999, 9999),
                &[EndpointKind::Instance]
            ),
            35
        );
    }

    #[test]
    fn closed_flows_weigh_what_stops_working() {
        use Direction::{Egress, Ingress};
        let cat = catalogue::builtin();
        let s = |direction, services: ServiceSet, b, kinds: &[EndpointKind]| {
            let score = profile(&cat, ChangeKind::Closed, direction, services, b, kinds).score();
            (score.value, score.reduces_exposure)
        };
        let pg = ServiceSet::ports(TCP, 5432, 5432);
        assert_eq!(
            s(
                Ingress,
                pg.clone(),
                Breadth::SecurityGroup,
                &[EndpointKind::Database]
            ),
            (60, false)
        );
        assert_eq!(
            s(Egress, pg, Breadth::PartOfVpc, &[EndpointKind::Instance]),
            (60, false)
        );
        // An app losing its database on an instance is still losing its database...
        assert_eq!(
            s(
                Ingress,
                ServiceSet::ports(TCP, 5432, 5432),
                Breadth::Single,
                &[EndpointKind::Instance]
            ),
            (60, false)
        );
        // ...but the internet losing it is the fix.
        assert_eq!(
            s(
                Ingress,
                ServiceSet::ports(TCP, 5432, 5432),
                Breadth::Internet,
                &[EndpointKind::Database]
            ),
            (5, true)
        );
        assert_eq!(
            s(Ingress, catalogue::web_ports(), Breadth::Internet, &[]),
            (60, false)
        );
        assert_eq!(
            s(
                Ingress,
                ServiceSet::ports(TCP, 22, 22),
                Breadth::Internet,
                &[]
            ),
            (5, true)
        );
        assert_eq!(
            s(
                Ingress,
                ServiceSet::ports(TCP, 22, 22),
                Breadth::SecurityGroup,
                &[]
            ),
            (45, false)
        );
        assert_eq!(
            s(Egress, ServiceSet::all(), Breadth::Internet, &[]),
            (40, false)
        );
    }

    #[test]
    fn percents_print_as_factors() {
        assert_eq!(percent(100), "1.0");
        assert_eq!(percent(85), "0.85");
        assert_eq!(percent(50), "0.5");
        assert_eq!(thousands(3_702_258_432), "3,702,258,432");
    }
}
