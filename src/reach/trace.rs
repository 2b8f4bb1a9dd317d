//! One flow, hop by hop: the [`Path`] a concrete packet takes and the rule that decides
//! each hop. Used to explain a change ("denied by `aws_network_acl.public` ingress rule
//! 90 → allowed by rule 100") and to name the resources that caused it.
//!
//! A trace evaluates every hop (it does not stop at the first denial), so the paths of
//! the same flow before and after a change can be compared hop by hop. It uses the same
//! semantics and assumptions as [`super::Reachability`], in the upper world.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::rc::Rc;

use super::Assumptions;
use super::context::{Ctx, Routes, SubnetCtx};
use crate::header_space::service::{has_ports, is_icmp};
use crate::header_space::{HeaderSpace, PeerPoint, Principal};
use crate::model::{
    Bound, Direction, Endpoint, FAMILY_NAMED, Interface, Snapshot, Tri, unknown_family,
};

/// A concrete packet, the example of a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Where it comes from.
    pub source: FlowSource,
    /// Where it goes.
    pub destination: FlowSource,
    /// IP protocol number.
    pub protocol: u8,
    /// Destination port, or ICMP `type << 8 | code`.
    pub detail: u16,
}

/// One end of an example flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowSource {
    /// An address (the internet, another network, a host in the VPC).
    Address(IpAddr),
    /// A modelled endpoint, by key.
    Endpoint(String),
}

impl fmt::Display for FlowSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Address(a) => write!(f, "{a}"),
            Self::Endpoint(e) => f.write_str(e),
        }
    }
}

/// The layers a flow crosses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// The source's security groups, outbound.
    SecurityGroupEgress,
    /// The source subnet's network ACL, outbound (the request).
    NaclOutbound,
    /// The routing between the two ends.
    Route,
    /// A public address, needed to be reached from (or reach) the internet.
    PublicAddress,
    /// The destination subnet's network ACL, inbound (the request).
    NaclInbound,
    /// The destination's security groups, inbound.
    SecurityGroupIngress,
    /// A load balancer's listeners.
    Listener,
    /// The destination subnet's network ACL, outbound (the reply).
    NaclReplyOutbound,
    /// The source subnet's network ACL, inbound (the reply).
    NaclReplyInbound,
    /// The endpoint does not exist in this snapshot.
    Existence,
}

impl Layer {
    /// A short name for reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecurityGroupEgress => "SG out",
            Self::NaclOutbound => "ACL out",
            Self::Route => "route",
            Self::PublicAddress => "public address",
            Self::NaclInbound => "ACL in",
            Self::SecurityGroupIngress => "SG in",
            Self::Listener => "listener",
            Self::NaclReplyOutbound => "ACL reply out",
            Self::NaclReplyInbound => "ACL reply in",
            Self::Existence => "endpoint",
        }
    }
}

/// Whether a hop lets the flow through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HopVerdict {
    /// Passed.
    Allowed,
    /// Stopped.
    Denied,
}

/// One hop of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// Which layer.
    pub layer: Layer,
    /// What filters or routes at this hop (an ACL, an endpoint, a route table).
    pub subject: String,
    /// Passed or stopped.
    pub verdict: HopVerdict,
    /// What decided: `ingress rule 90`, `no rule matches`, `0.0.0.0/0 → igw`.
    pub reason: String,
    /// `reason` names the rule (or listener) that decided, rather than stating a fact.
    pub by_rule: bool,
    /// The resources whose rules decided.
    pub resources: Vec<String>,
    /// The verdict rests on an assumption about something the input does not contain.
    pub assumed: bool,
    /// The objects the input (plan and context files) does not describe that the
    /// assumption is about: what would settle it.
    pub missing: Vec<Missing>,
}

/// An object a hop's verdict rests on that neither the input nor a context file
/// describes, and the AWS CLI command whose JSON output (`--context`) would settle it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Missing {
    /// Its key: an AWS id (`sg-…`, `subnet-…`) or the resource address.
    pub object: String,
    /// What it is: `security group`, `subnet`, `network ACL`, `route table`.
    pub what: &'static str,
    /// The `aws ec2` subcommand that describes it (`describe-security-groups`).
    pub command: &'static str,
}

impl Missing {
    fn group(key: &str) -> Self {
        Self {
            object: key.to_owned(),
            what: "security group",
            command: "describe-security-groups",
        }
    }

    fn subnet(key: &str) -> Self {
        Self {
            object: key.to_owned(),
            what: "subnet",
            command: "describe-subnets",
        }
    }

    fn acl(key: &str) -> Self {
        Self {
            object: key.to_owned(),
            what: "network ACL",
            command: "describe-network-acls",
        }
    }

    fn route_table(key: &str) -> Self {
        Self {
            object: key.to_owned(),
            what: "route table",
            command: "describe-route-tables",
        }
    }
}

impl Hop {
    /// "allowed by ingress rule 100", "denied by ingress rule 90", "denied: no rule
    /// matches".
    #[must_use]
    pub fn describe(&self) -> String {
        let verdict = match self.verdict {
            HopVerdict::Allowed => "allowed",
            HopVerdict::Denied => "denied",
        };
        if self.by_rule {
            format!("{verdict} by {}", self.reason)
        } else {
            format!("{verdict}: {}", self.reason)
        }
    }
}

/// The hops of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// In order from source to destination, then the reply.
    pub hops: Vec<Hop>,
}

impl Path {
    /// `true` when every hop lets the flow through.
    #[must_use]
    pub fn allowed(&self) -> bool {
        self.hops.iter().all(|h| h.verdict == HopVerdict::Allowed)
    }

    /// `true` when some hop rests on an assumption.
    #[must_use]
    pub fn assumed(&self) -> bool {
        self.hops.iter().any(|h| h.assumed)
    }

    /// `true` when the path's verdict rests on an assumption: some hop is assumed and
    /// no hop that rests on none denies the flow. A definite denial settles the path
    /// whatever the assumed hops say (an instance without a public address is not
    /// reachable from the internet, whatever its assumed route table does).
    #[must_use]
    pub fn uncertain(&self) -> bool {
        self.assumed()
            && !self
                .hops
                .iter()
                .any(|h| h.verdict == HopVerdict::Denied && !h.assumed)
    }
}

/// Traces flows through one snapshot.
pub struct Tracer<'s> {
    ctx: Ctx<'s>,
    ephemeral: (u16, u16),
    /// Each security group's rule spaces, built once: a report traces thousands of
    /// flows through the same groups.
    group_spaces: RefCell<HashMap<String, Rc<GroupSpaces>>>,
    /// [`Self::family_members`], memoised.
    families: RefCell<HashMap<String, Rc<Vec<String>>>>,
}

/// The groups a trace checks (each with whether it stands in for a family member) and
/// the large families it checks as a whole (with their size).
type Checked<'i> = (Vec<(Cow<'i, str>, bool)>, Vec<(&'i str, usize)>);

/// A security group's rules as header spaces, with prefix lists expanded.
struct GroupSpaces {
    /// Each rule's space, in the group's rule order.
    rules: Vec<HeaderSpace>,
    /// The union of the ingress rules' spaces, and of the egress rules': a flow that
    /// misses it misses every rule, so a group of thousands of rules (the rules a plan
    /// files under a reference known only after apply) is not scanned per flow.
    union: [HeaderSpace; 2],
}

fn verdict(ok: bool) -> HopVerdict {
    if ok {
        HopVerdict::Allowed
    } else {
        HopVerdict::Denied
    }
}

/// Whether a rule's space admits a flow from (or to) `points` whose peer carries
/// `principals`: exactly, or — as in the upper world of reachability — through a
/// reference known only after apply (which may name any group) or a peer's group known
/// only after apply (which may be any referenced one). `(exact, unknown)`.
fn admits(
    space: &HeaderSpace,
    points: &[PeerPoint<'_>],
    principals: &[Principal],
    protocol: u8,
    detail: u16,
) -> (bool, bool) {
    let exact = points
        .iter()
        .any(|pt| space.contains(*pt, protocol, detail));
    let unknown = !exact
        && !principals.is_empty()
        && space.any_principal(|p| {
            matches!(p, Principal::SecurityGroup(_))
                && (p.is_unknown() || principals.iter().any(Principal::is_unknown))
                && space.contains(PeerPoint::Principal(p), protocol, detail)
        });
    (exact, unknown)
}

/// One end of a flow, located.
struct End<'a> {
    label: String,
    /// The address used to match CIDR rules.
    address: Option<IpAddr>,
    endpoint: Option<(&'a Endpoint, &'a Interface)>,
    subnet: Option<String>,
}

impl<'s> Tracer<'s> {
    /// The rule spaces of `group` (which the snapshot has).
    fn group_spaces(&self, group: &str) -> Rc<GroupSpaces> {
        if let Some(hit) = self.group_spaces.borrow().get(group) {
            return Rc::clone(hit);
        }
        let rules = &self.ctx.snapshot.security_groups[group].rules;
        let spaces: Vec<HeaderSpace> = rules
            .iter()
            .map(|r| self.ctx.expand_prefix_lists(&r.space()))
            .collect();
        let union = |d: Direction| {
            HeaderSpace::union_all(
                rules
                    .iter()
                    .zip(&spaces)
                    .filter(|(r, _)| r.direction == d)
                    .map(|(_, s)| s.clone()),
            )
        };
        let out = Rc::new(GroupSpaces {
            union: [union(Direction::Ingress), union(Direction::Egress)],
            rules: spaces,
        });
        self.group_spaces
            .borrow_mut()
            .insert(group.to_owned(), Rc::clone(&out));
        out
    }

    /// The groups of the plan that an unknown key stands for one of (empty for any
    /// other key), found once per key.
    fn family_members(&self, key: &str) -> Rc<Vec<String>> {
        if unknown_family(key).is_none() {
            return Rc::default();
        }
        if let Some(hit) = self.families.borrow().get(key) {
            return Rc::clone(hit);
        }
        let members: Vec<String> = (self.ctx.snapshot.group_family(key).into_iter())
            .map(str::to_owned)
            .collect();
        let members = Rc::new(members);
        self.families
            .borrow_mut()
            .insert(key.to_owned(), Rc::clone(&members));
        members
    }

    /// A tracer over `snapshot`, resolving unknowns permissively (the upper world).
    #[must_use]
    pub fn new(snapshot: &'s Snapshot, assumptions: &Assumptions) -> Self {
        Self::in_world(snapshot, Bound::Upper, assumptions)
    }

    /// A tracer over `snapshot` in one world: [`Bound::Lower`] lets through only what
    /// passes whatever the unknowns turn out to be.
    #[must_use]
    pub fn in_world(snapshot: &'s Snapshot, world: Bound, assumptions: &Assumptions) -> Self {
        Self {
            ctx: Ctx::new(snapshot, world, assumptions),
            ephemeral: assumptions.ephemeral,
            group_spaces: RefCell::default(),
            families: RefCell::default(),
        }
    }

    /// A hop saying that an end of the flow is an endpoint this snapshot does not have.
    fn missing_endpoint(&self, flow: &Flow) -> Option<Hop> {
        [&flow.source, &flow.destination]
            .into_iter()
            .find_map(|end| match end {
                FlowSource::Endpoint(k) if !self.ctx.snapshot.endpoints.contains_key(k) => {
                    Some(Hop {
                        layer: Layer::Existence,
                        subject: k.clone(),
                        verdict: HopVerdict::Denied,
                        reason: "does not exist".into(),
                        resources: vec![k.clone()],
                        by_rule: false,
                        assumed: false,
                        missing: Vec::new(),
                    })
                }
                // One instance standing for instances not known before apply: in the
                // restrictive world there are none.
                FlowSource::Endpoint(k)
                    if self.ctx.world == Bound::Lower
                        && self
                            .ctx
                            .snapshot
                            .endpoints
                            .get(k)
                            .is_some_and(|e| e.existence == crate::model::Certainty::Possible) =>
                {
                    Some(Hop {
                        layer: Layer::Existence,
                        subject: k.clone(),
                        verdict: HopVerdict::Denied,
                        reason: "may not exist: its count or for_each is known only after apply"
                            .into(),
                        resources: vec![k.clone()],
                        by_rule: false,
                        assumed: true,
                        missing: Vec::new(),
                    })
                }
                _ => None,
            })
    }

    fn locate(&self, end: &FlowSource, v6: bool) -> End<'s> {
        match end {
            FlowSource::Address(a) => {
                let subnet = self
                    .ctx
                    .subnets
                    .iter()
                    .find(|(_, s)| s.range.contains(peer_point(*a)))
                    .map(|(k, _)| (*k).to_owned());
                End {
                    label: a.to_string(),
                    address: Some(*a),
                    endpoint: None,
                    subnet,
                }
            }
            FlowSource::Endpoint(key) => {
                let ep = self.ctx.snapshot.endpoints.get(key);
                let iface = ep.and_then(|e| e.interfaces.first());
                let subnet = iface.and_then(|i| i.subnet.clone());
                let address = iface.and_then(|i| self.address_of(i, v6));
                End {
                    label: key.clone(),
                    address,
                    endpoint: ep.zip(iface),
                    subnet,
                }
            }
        }
    }

    /// A representative address of an interface: its fixed address, else the first
    /// usable address of its subnet (AWS reserves the first four).
    fn address_of(&self, iface: &Interface, v6: bool) -> Option<IpAddr> {
        if v6 {
            if let Some(a) = iface.ipv6_addresses.first() {
                return Some(IpAddr::V6(*a));
            }
        } else if let Some(a) = iface.private_ipv4 {
            return Some(IpAddr::V4(a));
        }
        let s = self.ctx.subnets.get(iface.subnet.as_deref()?)?;
        if v6 {
            let lo = s.range.v6.ranges().first()?.0;
            Some(IpAddr::V6((lo + 4).into()))
        } else {
            let lo = s.range.v4.ranges().first()?.0;
            Some(IpAddr::V4((lo + 4).into()))
        }
    }

    /// The path of `flow`.
    #[must_use]
    pub fn trace(&self, flow: &Flow) -> Path {
        if let Some(missing) = self.missing_endpoint(flow) {
            return Path {
                hops: vec![missing],
            };
        }
        let v6 = match (&flow.source, &flow.destination) {
            (FlowSource::Address(a), _) | (_, FlowSource::Address(a)) => a.is_ipv6(),
            _ => false,
        };
        let src = self.locate(&flow.source, v6);
        let dst = self.locate(&flow.destination, v6);
        let mut hops = Vec::new();
        let same_subnet = src.subnet.is_some() && src.subnet == dst.subnet;
        let (p, d) = (flow.protocol, flow.detail);

        if let Some((_, iface)) = src.endpoint {
            hops.push(self.groups_hop(
                Layer::SecurityGroupEgress,
                &src,
                iface,
                Direction::Egress,
                &dst,
                p,
                d,
            ));
        }
        if !same_subnet && src.subnet.is_some() {
            hops.push(self.acl_hop(
                Layer::NaclOutbound,
                src.subnet.as_deref(),
                Direction::Egress,
                &dst,
                p,
                d,
                false,
            ));
        }
        // Routing and public addresses matter when one end is outside the VPC; when the
        // ends sit in two VPCs (peering, transit gateway), each side's table must send
        // the traffic towards the other (the request out, the reply back).
        let outside = |e: &End<'_>| e.endpoint.is_none() && e.subnet.is_none();
        if outside(&src) {
            hops.extend(self.route_hops(&dst, &src, v6, Crossing::Inbound));
        } else if outside(&dst) {
            hops.extend(self.route_hops(&src, &dst, v6, Crossing::Outbound));
        } else if let (Some(a), Some(b)) = (self.vpc_of(&src), self.vpc_of(&dst))
            && a != b
        {
            hops.extend(self.route_hops(&src, &dst, v6, Crossing::ToOtherVpc));
            hops.extend(self.route_hops(&dst, &src, v6, Crossing::ToOtherVpc));
        }
        if !same_subnet && dst.subnet.is_some() {
            hops.push(self.acl_hop(
                Layer::NaclInbound,
                dst.subnet.as_deref(),
                Direction::Ingress,
                &src,
                p,
                d,
                false,
            ));
        }
        if let Some((ep, iface)) = dst.endpoint {
            hops.push(self.groups_hop(
                Layer::SecurityGroupIngress,
                &dst,
                iface,
                Direction::Ingress,
                &src,
                p,
                d,
            ));
            if !ep.listeners.is_empty() || !ep.accepts {
                hops.push(listener_hop(ep, p, d));
            }
        }
        if !same_subnet && dst.subnet.is_some() {
            hops.push(self.acl_hop(
                Layer::NaclReplyOutbound,
                dst.subnet.as_deref(),
                Direction::Egress,
                &src,
                p,
                d,
                true,
            ));
        }
        if !same_subnet && src.subnet.is_some() {
            hops.push(self.acl_hop(
                Layer::NaclReplyInbound,
                src.subnet.as_deref(),
                Direction::Ingress,
                &dst,
                p,
                d,
                true,
            ));
        }
        Path { hops }
    }

    /// The groups a trace checks for `iface`, and the large families it checks as a
    /// whole. A group known only after apply that is one of a family of the plan is
    /// checked as each member, and as the rules filed under the unknown key itself
    /// (possible: the value may name any of them); a family over [`FAMILY_NAMED`] is any
    /// group, as in the reachability the trace explains.
    fn groups_checked<'i>(&self, iface: &'i Interface) -> Checked<'i> {
        let mut checked: Vec<(Cow<'i, str>, bool)> = Vec::new();
        let mut whole: Vec<(&'i str, usize)> = Vec::new();
        for g in &iface.security_groups {
            let members = self.family_members(g);
            if members.is_empty() {
                checked.push((Cow::Borrowed(g), false));
                continue;
            }
            if members.len() <= FAMILY_NAMED {
                checked.extend(members.iter().map(|m| (Cow::Owned(m.clone()), true)));
            } else {
                whole.push((g, members.len()));
            }
            if self.ctx.snapshot.security_groups.contains_key(g) {
                checked.push((Cow::Borrowed(g), true));
            }
        }
        (checked, whole)
    }

    /// In the permissive world, a large family ([`Self::groups_checked`]) allows it.
    fn family_as_whole(&self, whole: &[(&str, usize)], layer: Layer, subject: &str) -> Option<Hop> {
        if self.ctx.world != Bound::Upper {
            return None;
        }
        let (g, n) = whole.first()?;
        let family = unknown_family(g).unwrap_or(g);
        Some(Hop {
            layer,
            subject: subject.to_owned(),
            verdict: HopVerdict::Allowed,
            reason: format!("{g} may be any of the {n} groups {family}: assumed to allow it"),
            resources: Vec::new(),
            by_rule: false,
            assumed: true,
            missing: Vec::new(),
        })
    }

    /// The security groups of `me` checking `peer` in one direction.
    #[allow(clippy::too_many_arguments)] // the flow's fields, spelled out
    fn groups_hop(
        &self,
        layer: Layer,
        me: &End<'_>,
        iface: &Interface,
        d: Direction,
        peer: &End<'_>,
        protocol: u8,
        detail: u16,
    ) -> Hop {
        let principals = peer_groups(peer);
        let mut points: Vec<PeerPoint<'_>> = peer.address.iter().map(|a| peer_point(*a)).collect();
        points.extend(principals.iter().map(PeerPoint::Principal));
        let subject = me.label.clone();
        // The attachments that give the interface groups decide with the groups.
        let attachments: &[String] = me
            .endpoint
            .map_or(&[], |(ep, _)| ep.group_sources.as_slice());
        if !iface.filtered {
            return Hop {
                layer,
                subject,
                verdict: HopVerdict::Allowed,
                reason: "no security group filters this interface".into(),
                resources: Vec::new(),
                by_rule: false,
                assumed: false,
                missing: Vec::new(),
            };
        }
        let missing = self.assumed_groups(iface);
        let assumed = !missing.is_empty();
        let (checked, whole) = self.groups_checked(iface);
        let mut family_hit: Option<Hop> = None;
        for (g, in_family) in &checked {
            let (g, in_family) = (g.as_ref(), *in_family);
            let group = (self.ctx.snapshot.security_groups)
                .get(g)
                .filter(|g| g.rules_known() || !g.rules.is_empty());
            let Some(group) = group else {
                return Hop {
                    layer,
                    subject,
                    verdict: HopVerdict::Allowed,
                    reason: format!(
                        "{g} is not in the plan or a context file: assumed to allow it"
                    ),
                    resources: Vec::new(),
                    by_rule: false,
                    assumed: true,
                    missing: vec![Missing::group(g)],
                };
            };
            let admits =
                |space: &HeaderSpace| admits(space, &points, &principals, protocol, detail);
            let spaces = self.group_spaces(g);
            if admits(&spaces.union[usize::from(d == Direction::Egress)]) == (false, false) {
                continue;
            }
            for (rule, space) in group.rules.iter().zip(&spaces.rules) {
                if rule.direction != d {
                    continue;
                }
                let (exact, unknown) = admits(space);
                if exact || unknown {
                    let hop = Hop {
                        layer,
                        subject: subject.clone(),
                        verdict: HopVerdict::Allowed,
                        reason: rule_reason(rule, g, space, in_family, unknown),
                        resources: self.rule_resources(rule, g, attachments),
                        by_rule: true,
                        assumed: assumed || unknown || in_family,
                        missing: missing.clone(),
                    };
                    if !in_family {
                        return hop;
                    }
                    // Any member that admits it may be the one: name them all.
                    match &mut family_hit {
                        None => family_hit = Some(hop),
                        Some(first) => first.resources.extend(hop.resources),
                    }
                }
            }
        }
        if let Some(mut hop) = family_hit {
            hop.resources.sort();
            hop.resources.dedup();
            return hop;
        }
        if let Some(hop) = self.family_as_whole(&whole, layer, &subject) {
            return hop;
        }
        Hop {
            layer,
            subject,
            verdict: HopVerdict::Denied,
            reason: "no rule matches".into(),
            resources: iface
                .security_groups
                .iter()
                .chain(attachments)
                .cloned()
                .collect(),
            by_rule: false,
            assumed,
            missing,
        }
    }

    /// The groups of an interface whose rules (or some of them) no input describes.
    fn assumed_groups(&self, iface: &Interface) -> Vec<Missing> {
        iface
            .security_groups
            .iter()
            .filter(|g| self.ctx.group_assumed(g))
            .map(|g| Missing::group(g))
            .collect()
    }

    /// The resources that decide with a matching rule of group `g`: the rule, the group,
    /// the attachments that give the interface its groups, and the prefix lists the rule
    /// names (a changed list changes what the rule admits).
    fn rule_resources(
        &self,
        rule: &crate::model::SgRule,
        g: &str,
        attachments: &[String],
    ) -> Vec<String> {
        let mut resources = vec![rule.origin.resource.clone(), g.to_owned()];
        resources.extend(attachments.iter().cloned());
        for p in &rule.peers.principals {
            if let Principal::PrefixList(name) = p {
                resources.extend(self.prefix_list_resources(name));
            }
        }
        resources
    }

    /// The resources that make up the prefix list a rule names (by key or id): the
    /// list and the entry resources that add to it.
    fn prefix_list_resources(&self, name: &str) -> Vec<String> {
        let lists = &self.ctx.snapshot.prefix_lists;
        match lists
            .get(name)
            .or_else(|| lists.values().find(|l| l.id.as_deref() == Some(name)))
        {
            Some(l) => std::iter::once(l.key.clone())
                .chain(l.sources.iter().cloned())
                .collect(),
            None => vec![name.to_owned()],
        }
    }

    /// The key of a subnet's network ACL: the one associated with it, else its VPC's
    /// default ACL.
    fn acl_key(&self, subnet: &str) -> Option<String> {
        let s = self.ctx.snapshot;
        s.network_acls
            .values()
            .find(|a| a.subnets.iter().any(|x| x == subnet))
            .map(|a| a.key.clone())
            .or_else(|| {
                let vpc = s.subnets.get(subnet)?.vpc.as_deref()?;
                s.vpcs.get(vpc)?.default_network_acl.clone()
            })
    }

    /// A subnet's ACL for a request to (or the reply to) `peer`.
    #[allow(clippy::too_many_arguments)] // the flow's fields, spelled out
    fn acl_hop(
        &self,
        layer: Layer,
        subnet: Option<&str>,
        d: Direction,
        peer: &End<'_>,
        protocol: u8,
        detail: u16,
        reply: bool,
    ) -> Hop {
        let acl_key = self.ctx.acl_of(subnet);
        let acl = acl_key.and_then(|k| self.ctx.snapshot.network_acls.get(k));
        let unknown_subnet = subnet.is_none_or(|s| !self.ctx.subnets.contains_key(s));
        let acl_assumed = self.ctx.acl_assumed(subnet);
        let assumed = acl_assumed || unknown_subnet;
        let mut missing = Vec::new();
        if let Some(s) = subnet.filter(|_| unknown_subnet) {
            missing.push(Missing::subnet(s));
        }
        if acl_assumed && let Some(a) = subnet.and_then(|s| self.acl_key(s)) {
            missing.push(Missing::acl(&a));
        }
        let Some(acl) = acl else {
            return Hop {
                layer,
                subject: subnet.unwrap_or("(unknown subnet)").to_owned(),
                verdict: HopVerdict::Allowed,
                reason: if assumed {
                    "its network ACL's rules are not in the plan or a context file: assumed to allow all".into()
                } else {
                    "the VPC's default network ACL, not in the plan: AWS's default allows all"
                        .into()
                },
                resources: Vec::new(),
                by_rule: false,
                assumed,
                missing,
            };
        };
        let Some(address) = peer.address else {
            return Hop {
                layer,
                subject: acl.key.clone(),
                verdict: HopVerdict::Allowed,
                reason: "address unknown: assumed to pass".into(),
                resources: Vec::new(),
                by_rule: false,
                assumed: true,
                missing: Vec::new(),
            };
        };
        let point = peer_point(address);
        // A reply goes to the client's ephemeral port: pick one the ACL lets through.
        let details: Vec<u16> = if reply && has_ports(protocol) {
            let (lo, hi) = self.ephemeral;
            let mut c = vec![lo, 32768, 49152, hi];
            c.retain(|p| (lo..=hi).contains(p));
            c
        } else if reply && is_icmp(protocol) {
            vec![0]
        } else {
            vec![detail]
        };
        let mut decided = None;
        for det in &details {
            let rule = acl.decide(d, point, protocol, *det, Bound::Upper);
            let allowed = rule.is_some_and(|r| r.action != Some(crate::model::Action::Deny));
            decided = Some((rule, allowed));
            if allowed {
                break;
            }
        }
        let (rule, allowed) = decided.unwrap_or((None, false));
        let reason = match rule {
            Some(r) => match r.number {
                Some(n) => format!("{} rule {n}", d.as_str()),
                None => format!("{} rule (number known after apply)", d.as_str()),
            },
            None => format!("no {} rule matches (implicit deny)", d.as_str()),
        };
        Hop {
            layer,
            subject: acl.key.clone(),
            verdict: verdict(allowed),
            reason,
            resources: rule.map_or_else(
                || vec![acl.key.clone()],
                |r| vec![r.origin.resource.clone()],
            ),
            by_rule: rule.is_some(),
            assumed,
            missing,
        }
    }

    /// The VPC of an end's subnet, when known.
    fn vpc_of(&self, end: &End<'_>) -> Option<&str> {
        let subnet = self.ctx.subnets.get(end.subnet.as_deref()?)?;
        subnet.vpc.as_deref()
    }

    /// Routing from the subnet of `inside` towards the address of `outside`, and the
    /// public address the internet needs. [`Crossing`] says which way the flow goes.
    fn route_hops(
        &self,
        inside: &End<'_>,
        outside: &End<'_>,
        v6: bool,
        crossing: Crossing,
    ) -> Vec<Hop> {
        let Some(address) = outside.address else {
            return Vec::new();
        };
        let subnet: Option<&SubnetCtx> = inside
            .subnet
            .as_deref()
            .and_then(|s| self.ctx.subnets.get(s));
        let Some(subnet) = subnet else {
            return vec![Hop {
                layer: Layer::Route,
                subject: inside.label.clone(),
                verdict: HopVerdict::Allowed,
                reason: "subnet not in the plan or a context file: assumed routed".into(),
                resources: Vec::new(),
                by_rule: false,
                assumed: true,
                missing: inside
                    .subnet
                    .as_deref()
                    .map(Missing::subnet)
                    .into_iter()
                    .collect(),
            }];
        };
        let routes = &subnet.routes;
        let point = peer_point(address);
        let table = routes
            .table
            .clone()
            .unwrap_or_else(|| "(main route table)".into());
        // The table no file describes: the subnet's VPC's main table.
        let subject_table = format!(
            "the main route table of {}",
            subnet.vpc.as_deref().unwrap_or("its VPC")
        );
        let mut resources = vec![table.clone()];
        resources.extend(routes.selected_by.iter().cloned());
        if let Some(t) = routes
            .table
            .as_ref()
            .and_then(|t| self.ctx.snapshot.route_tables.get(t))
        {
            resources.extend(t.routes.iter().map(|r| r.origin.resource.clone()));
        }
        resources.sort();
        resources.dedup();
        let (target, internet, usable) = next_hop(routes, point, crossing);
        // Name the network (`peering:pcx-…`) when a route of the table says which.
        let network = routes
            .table
            .as_ref()
            .and_then(|t| self.ctx.snapshot.route_tables.get(t))
            .filter(|_| routes.networks.contains(point))
            .and_then(|t| network_of(t, address))
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let local = routes.local.contains(point);
        let mut hops = vec![Hop {
            layer: Layer::Route,
            subject: table,
            verdict: verdict(usable),
            reason: format!("{address} routes to {target}{network}"),
            resources,
            by_rule: false,
            // Every table has the VPC's local routes: they are no assumption.
            assumed: routes.assumed && !local,
            missing: if routes.assumed && !local {
                vec![Missing::route_table(
                    routes.table.as_deref().unwrap_or(&subject_table),
                )]
            } else {
                Vec::new()
            },
        }];
        if internet {
            hops.push(public_address_hop(inside, v6));
        }
        hops
    }
}

/// The network (`peering:pcx-…`) of the most specific CIDR route of `table` that holds
/// `address`, when that route goes to another network.
fn network_of(table: &crate::model::RouteTable, address: IpAddr) -> Option<&str> {
    table
        .routes
        .iter()
        .filter_map(|r| match &r.destination {
            crate::model::RouteDestination::Cidr(n) if n.contains(&address) => {
                Some((n.prefix_len(), &r.target))
            }
            _ => None,
        })
        .max_by_key(|(len, _)| *len)
        .and_then(|(_, target)| match target {
            crate::model::RouteTarget::Network(n) => Some(n.as_str()),
            _ => None,
        })
}

/// What `point` routes to from a subnet with `routes`, whether that is an internet
/// gateway, and whether the route carries the flow when it crosses as `crossing` says.
fn next_hop(
    routes: &Routes,
    point: PeerPoint<'_>,
    crossing: Crossing,
) -> (&'static str, bool, bool) {
    let inbound = crossing == Crossing::Inbound;
    let other_vpc = crossing == Crossing::ToOtherVpc;
    if routes.local.contains(point) {
        ("the VPC itself (local)", false, !other_vpc)
    } else if routes.internet.contains(point) && other_vpc {
        (
            "an internet gateway, which carries no private address to another VPC",
            false,
            false,
        )
    } else if routes.internet.contains(point) {
        ("an internet gateway", true, true)
    } else if routes.networks.contains(point) {
        ("another network", false, true)
    } else if routes.nat.contains(point) && other_vpc {
        (
            "a NAT gateway, which carries nothing to another VPC",
            false,
            false,
        )
    } else if routes.nat.contains(point) {
        (
            "a NAT gateway, which admits no inbound connection",
            false,
            !inbound,
        )
    } else if routes.egress_only.contains(point) {
        (
            "an egress-only gateway, which admits no inbound connection",
            false,
            !inbound && !other_vpc,
        )
    } else {
        ("nowhere", false, false)
    }
}

/// Which way a flow crosses the edge of the VPC of the end whose routing is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Crossing {
    /// From an address outside every subnet the input has: the reply must route back.
    Inbound,
    /// To an address outside every subnet the input has.
    Outbound,
    /// To (or, for the reply, back to) an end in a subnet of another VPC: only a route
    /// to another network (peering, transit gateway) carries it there.
    ToOtherVpc,
}

/// Why a rule of group `g` admits a flow: the rule, what it allows, and (when the
/// group is known only after apply) on what condition.
fn rule_reason(
    rule: &crate::model::SgRule,
    g: &str,
    space: &HeaderSpace,
    in_family: bool,
    unknown: bool,
) -> String {
    let which = if rule.origin.rule.is_empty() || rule.origin.resource != g {
        rule.origin.resource.clone()
    } else {
        format!("{g} {}", rule.origin.rule)
    };
    let maybe = if in_family {
        format!(", if the group known only after apply is {g}")
    } else if unknown {
        ", if the group known only after apply is this one".to_owned()
    } else {
        String::new()
    };
    format!("{which} ({}){maybe}", rule_summary(space))
}

/// The security groups of the peer end, as principals a rule may name.
fn peer_groups(peer: &End<'_>) -> Vec<Principal> {
    peer.endpoint
        .map(|(_, i)| {
            i.security_groups
                .iter()
                .map(|g| Principal::SecurityGroup(g.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the end inside the VPC has the public address the internet needs.
fn public_address_hop(inside: &End<'_>, v6: bool) -> Hop {
    let public = inside.endpoint.map_or(
        Tri::Unknown,
        |(_, i)| if v6 { i.ipv6 } else { i.public_ipv4 },
    );
    let mut resources = vec![inside.label.clone()];
    if let Some((ep, _)) = inside.endpoint {
        resources.extend(ep.public_ip_sources.iter().cloned());
    }
    Hop {
        layer: Layer::PublicAddress,
        subject: inside.label.clone(),
        verdict: verdict(public.maybe()),
        reason: match (public, v6) {
            (Tri::Yes, false) => "has a public IPv4 address".into(),
            (Tri::Yes, true) => "has an IPv6 address".into(),
            (Tri::No, false) => "has no public IPv4 address".into(),
            (Tri::No, true) => "has no IPv6 address".into(),
            (Tri::Unknown, _) => "public address known only after apply".into(),
        },
        resources,
        by_rule: false,
        assumed: false,
        missing: Vec::new(),
    }
}

/// Whether a load balancer listens on the flow's port (other endpoints that accept
/// nothing, like functions, have no listener at all).
fn listener_hop(ep: &Endpoint, protocol: u8, port: u16) -> Hop {
    let ok = ep
        .listeners
        .iter()
        .any(|l| l.protocol == protocol && l.port == port);
    Hop {
        layer: Layer::Listener,
        subject: ep.key.clone(),
        verdict: verdict(ok),
        reason: if ok {
            format!("listener on port {port}")
        } else {
            "no listener on this port".into()
        },
        resources: ep
            .listeners
            .iter()
            .map(|l| l.origin.resource.clone())
            .collect(),
        by_rule: ok,
        assumed: false,
        missing: Vec::new(),
    }
}

/// A rule in a few words: "tcp 22 from 0.0.0.0/0".
fn rule_summary(space: &crate::header_space::HeaderSpace) -> String {
    let Some(part) = space.parts().into_iter().next() else {
        return "nothing".into();
    };
    let peers: Vec<String> = crate::header_space::v4_cidrs(&part.peers.v4)
        .iter()
        .map(ToString::to_string)
        .chain(
            crate::header_space::v6_cidrs(&part.peers.v6)
                .iter()
                .map(ToString::to_string),
        )
        .chain(part.peers.principals.iter().map(ToString::to_string))
        .collect();
    let more = if peers.len() > 3 { ", …" } else { "" };
    format!(
        "{} {}{more}",
        part.service,
        peers.into_iter().take(3).collect::<Vec<_>>().join(", ")
    )
}

fn peer_point(a: IpAddr) -> PeerPoint<'static> {
    match a {
        IpAddr::V4(a) => PeerPoint::V4(u32::from(a)),
        IpAddr::V6(a) => PeerPoint::V6(u128::from(a)),
    }
}
