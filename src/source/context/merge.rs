//! Merging what several context files say into one id-keyed [`Snapshot`].
//!
//! Files are taken by rank (AWS descriptions, then Terraform states, then facts implied
//! by other objects), then by path, so the result never depends on the order given.
//! The first description of an object wins; a different one of a lower rank is noted
//! (warned about if the object is used), a different one of the same rank is an error.
//! A VPC is merged fact by fact (its blocks, main route table, default ACL and default
//! group come from different commands), and a prefix list without entries never
//! conflicts with one that has them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{Context, Piece, Rank};
use crate::error::{Error, ErrorKind, Result};
use crate::header_space::{v4_cidrs, v6_cidrs};
use crate::model::{
    Bound, Direction, Endpoint, Gateway, HeaderSpace, NetworkAcl, PrefixList, RouteTable,
    RouteTarget, SecurityGroup, Snapshot, Subnet, Vpc,
};

/// One description chosen so far: the object, its rank and its file.
struct Chosen<T> {
    value: T,
    rank: Rank,
    label: String,
}

/// Merges the pieces of every file.
pub(super) fn merge(mut pieces: Vec<Piece>) -> Result<Context> {
    pieces.sort_by(|a, b| (a.rank, &a.label).cmp(&(b.rank, &b.label)));
    let mut m = Merger::default();
    for p in pieces {
        let rank = p.rank.unwrap_or(Rank::Derived);
        for (id, notes) in p.notes {
            m.notes.entry(id).or_default().extend(notes);
        }
        let s = p.s;
        let label = p.label;
        let at = (rank, label.as_str());
        one(
            &mut m.groups,
            s.security_groups,
            at,
            &mut m.notes,
            group_differs,
        )?;
        one(&mut m.acls, s.network_acls, at, &mut m.notes, acl_differs)?;
        one(
            &mut m.tables,
            s.route_tables,
            at,
            &mut m.notes,
            |a, b, _, _| (!same_table(a, b)).then(String::new),
        )?;
        one(&mut m.subnets, s.subnets, at, &mut m.notes, |a, b, _, _| {
            (a != b).then(String::new)
        })?;
        one(
            &mut m.gateways,
            s.gateways,
            at,
            &mut m.notes,
            |a, b, _, _| (!same_gateway(a, b)).then(String::new),
        )?;
        one(
            &mut m.endpoints,
            s.endpoints,
            at,
            &mut m.notes,
            |a, b, _, _| (!same_endpoint(a, b)).then(String::new),
        )?;
        for (id, list) in s.prefix_lists {
            m.prefix_list(id, list, rank, &label)?;
        }
        for (id, vpc) in s.vpcs {
            m.vpc(&id, vpc, rank, &label)?;
        }
    }
    Ok(m.finish())
}

/// A VPC's IPv4 and IPv6 blocks, sorted.
type Blocks = (Vec<ipnet::Ipv4Net>, Vec<ipnet::Ipv6Net>);

#[derive(Default)]
struct Merger {
    groups: BTreeMap<String, Chosen<SecurityGroup>>,
    acls: BTreeMap<String, Chosen<NetworkAcl>>,
    tables: BTreeMap<String, Chosen<RouteTable>>,
    subnets: BTreeMap<String, Chosen<Subnet>>,
    gateways: BTreeMap<String, Chosen<Gateway>>,
    endpoints: BTreeMap<String, Chosen<Endpoint>>,
    prefix_lists: BTreeMap<String, Chosen<PrefixList>>,
    /// Each VPC fact separately: blocks, main table, default ACL, default group.
    vpc_blocks: BTreeMap<String, Chosen<Blocks>>,
    vpc_refs: BTreeMap<(String, usize), Chosen<String>>,
    notes: BTreeMap<String, Vec<String>>,
}

/// How two descriptions of one object differ: `None` when they do not, else what
/// differs (possibly nothing worth saying), given the two files' names.
type Differs<T> = fn(&T, &T, &str, &str) -> Option<String>;

/// Adds the objects of one piece (of this rank and file) to the chosen ones.
fn one<T>(
    chosen: &mut BTreeMap<String, Chosen<T>>,
    objects: BTreeMap<String, T>,
    (rank, label): (Rank, &str),
    notes: &mut BTreeMap<String, Vec<String>>,
    differs_by: Differs<T>,
) -> Result<()> {
    for (id, value) in objects {
        let Some(c) = chosen.get(&id) else {
            chosen.insert(
                id,
                Chosen {
                    value,
                    rank,
                    label: label.to_owned(),
                },
            );
            continue;
        };
        if let Some(detail) = differs_by(&c.value, &value, &c.label, label) {
            differs(&id, (c.rank, &c.label), (rank, label), &detail, notes)?;
        }
    }
    Ok(())
}

/// Two descriptions of `id` differ: an error between files of the same rank, a note
/// otherwise (the first, better one stays). `detail` says how, when known.
fn differs(
    id: &str,
    (kept_rank, kept): (Rank, &str),
    (rank, label): (Rank, &str),
    detail: &str,
    notes: &mut BTreeMap<String, Vec<String>>,
) -> Result<()> {
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    };
    if kept_rank == rank && rank != Rank::Derived {
        return Err(Error::new(
            Some(PathBuf::from(label)),
            ErrorKind::Context(format!(
                "describes {id} differently from {kept}{detail}; give each object in one file, or files written at the same time (reachdiff does not guess which one is current)"
            )),
        ));
    }
    if rank != Rank::Derived {
        notes.entry(id.to_owned()).or_default().push(format!(
            "{label} ({}) describes it differently from {kept}{detail}; {kept} is used",
            rank_name(rank)
        ));
    }
    Ok(())
}

fn rank_name(rank: Rank) -> &'static str {
    match rank {
        Rank::Describe => "aws ec2 describe",
        Rank::State => "a Terraform state",
        Rank::Derived => "implied",
    }
}

impl Merger {
    fn prefix_list(&mut self, id: String, list: PrefixList, rank: Rank, label: &str) -> Result<()> {
        let Some(c) = self.prefix_lists.get_mut(&id) else {
            let label = label.to_owned();
            self.prefix_lists.insert(
                id,
                Chosen {
                    value: list,
                    rank,
                    label,
                },
            );
            return Ok(());
        };
        match (&c.value.entries, &list.entries) {
            // A list described without entries says nothing about them.
            (_, None) => Ok(()),
            (None, Some(_)) => {
                *c = Chosen {
                    value: list,
                    rank,
                    label: label.to_owned(),
                };
                Ok(())
            }
            (Some(a), Some(b)) if sorted(a) == sorted(b) => Ok(()),
            (Some(_), Some(_)) => {
                let kept = (c.rank, c.label.clone());
                differs(&id, (kept.0, &kept.1), (rank, label), "", &mut self.notes)
            }
        }
    }

    fn vpc(&mut self, id: &str, vpc: Vpc, rank: Rank, label: &str) -> Result<()> {
        if !vpc.ipv4.is_empty() || !vpc.ipv6.is_empty() {
            let mut blocks = (vpc.ipv4.clone(), vpc.ipv6.clone());
            blocks.0.sort();
            blocks.1.sort();
            match self.vpc_blocks.get_mut(id) {
                None => {
                    self.vpc_blocks.insert(
                        id.to_owned(),
                        Chosen {
                            value: blocks,
                            rank,
                            label: label.to_owned(),
                        },
                    );
                }
                Some(c) if c.value == blocks => {}
                // Local routes of several tables: every block any of them shows.
                Some(c) if c.rank == Rank::Derived && rank == Rank::Derived => {
                    c.value.0.extend(blocks.0);
                    c.value.1.extend(blocks.1);
                    c.value.0.sort();
                    c.value.0.dedup();
                    c.value.1.sort();
                    c.value.1.dedup();
                }
                Some(c) => {
                    let kept = (c.rank, c.label.clone());
                    differs(id, (kept.0, &kept.1), (rank, label), "", &mut self.notes)?;
                }
            }
        }
        let refs = [
            vpc.main_route_table,
            vpc.default_network_acl,
            vpc.default_security_group,
        ];
        for (i, value) in refs.into_iter().enumerate() {
            let Some(value) = value else { continue };
            let slot = (id.to_owned(), i);
            match self.vpc_refs.get(&slot) {
                None => {
                    self.vpc_refs.insert(
                        slot,
                        Chosen {
                            value,
                            rank,
                            label: label.to_owned(),
                        },
                    );
                }
                Some(c) if c.value == value => {}
                Some(c) => {
                    let kept = (c.rank, c.label.clone());
                    differs(id, (kept.0, &kept.1), (rank, label), "", &mut self.notes)?;
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Context {
        let mut described_by = BTreeMap::new();
        let mut s = Snapshot::default();
        macro_rules! take {
            ($field:ident, $from:expr) => {
                for (id, c) in $from {
                    described_by.insert(id.clone(), c.label);
                    s.$field.insert(id, c.value);
                }
            };
        }
        take!(security_groups, self.groups);
        take!(network_acls, self.acls);
        take!(route_tables, self.tables);
        take!(subnets, self.subnets);
        take!(gateways, self.gateways);
        take!(endpoints, self.endpoints);
        take!(prefix_lists, self.prefix_lists);
        let ids: std::collections::BTreeSet<String> = self
            .vpc_blocks
            .keys()
            .cloned()
            .chain(self.vpc_refs.keys().map(|(id, _)| id.clone()))
            .collect();
        for id in ids {
            let mut vpc = Vpc {
                key: id.clone(),
                id: Some(id.clone()),
                ..Vpc::default()
            };
            if let Some(c) = self.vpc_blocks.get(&id) {
                vpc.ipv4.clone_from(&c.value.0);
                vpc.ipv6.clone_from(&c.value.1);
                described_by
                    .entry(id.clone())
                    .or_insert_with(|| c.label.clone());
            }
            let get = |i: usize| self.vpc_refs.get(&(id.clone(), i)).map(|c| c.value.clone());
            vpc.main_route_table = get(0);
            vpc.default_network_acl = get(1);
            vpc.default_security_group = get(2);
            s.vpcs.insert(id, vpc);
        }
        Context {
            inputs: Vec::new(),
            known: s,
            described_by,
            notes: self.notes,
        }
    }
}

fn sorted<T: Ord + Clone>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort();
    v.dedup();
    v
}

/// Both bounds of both directions of a filter.
fn behaviour(f: impl Fn(Direction, Bound) -> HeaderSpace) -> Vec<HeaderSpace> {
    let mut out = Vec::new();
    for d in Direction::BOTH {
        for b in [Bound::Lower, Bound::Upper] {
            out.push(f(d, b));
        }
    }
    out
}

/// The same packets allowed, in the same VPC: rule order, origins and tags do not
/// matter.
pub(super) fn same_group(a: &SecurityGroup, b: &SecurityGroup) -> bool {
    a.vpc == b.vpc
        && a.is_default == b.is_default
        && behaviour(|d, w| a.allowed(d, w)) == behaviour(|d, w| b.allowed(d, w))
}

fn group_differs(a: &SecurityGroup, b: &SecurityGroup, la: &str, lb: &str) -> Option<String> {
    (!same_group(a, b)).then(|| {
        what_differs(
            |d| a.allowed(d, Bound::Upper),
            |d| b.allowed(d, Bound::Upper),
            la,
            lb,
        )
        .unwrap_or_default()
    })
}

pub(super) fn same_acl(a: &NetworkAcl, b: &NetworkAcl) -> bool {
    a.vpc == b.vpc
        && a.is_default == b.is_default
        && sorted(&a.subnets) == sorted(&b.subnets)
        && behaviour(|d, w| a.allowed(d, w)) == behaviour(|d, w| b.allowed(d, w))
}

fn acl_differs(a: &NetworkAcl, b: &NetworkAcl, la: &str, lb: &str) -> Option<String> {
    // Same packets, different subnets: the associations differ.
    (!same_acl(a, b)).then(|| {
        what_differs(
            |d| a.allowed(d, Bound::Upper),
            |d| b.allowed(d, Bound::Upper),
            la,
            lb,
        )
        .unwrap_or_else(|| "its associations".into())
    })
}

/// The first direction in which two filters let different packets through, in words:
/// `ingress: only a.json allows tcp 22 from 0.0.0.0/0`.
pub(super) fn what_differs(
    a: impl Fn(Direction) -> HeaderSpace,
    b: impl Fn(Direction) -> HeaderSpace,
    a_name: &str,
    b_name: &str,
) -> Option<String> {
    Direction::BOTH.into_iter().find_map(|d| {
        let (x, y) = (a(d), b(d));
        let only_a = x.difference(&y);
        if !only_a.is_empty() {
            return Some(format!("{d}: only {a_name} allows {}", brief(&only_a, d)));
        }
        let only_b = y.difference(&x);
        (!only_b.is_empty()).then(|| format!("{d}: only {b_name} allows {}", brief(&only_b, d)))
    })
}

/// A packet set in a few words: its first part, `tcp 22 from 0.0.0.0/0`.
fn brief(space: &HeaderSpace, d: Direction) -> String {
    let parts = space.parts();
    let Some(part) = parts.first() else {
        return "nothing".into();
    };
    let peers: Vec<String> = v4_cidrs(&part.peers.v4)
        .iter()
        .map(ToString::to_string)
        .chain(v6_cidrs(&part.peers.v6).iter().map(ToString::to_string))
        .chain(part.peers.principals.iter().map(ToString::to_string))
        .take(3)
        .collect();
    let more = if parts.len() > 1 { " …" } else { "" };
    let preposition = match d {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    format!("{} {preposition} {}{more}", part.service, peers.join(", "))
}

/// A table's routes as a comparable set: (destination, target), without local routes
/// and routes to gateway endpoints (a state does not list them in the table: AWS adds
/// the former, `aws_vpc_endpoint_route_table_association` the latter).
pub(super) fn route_set(t: &RouteTable) -> Vec<(crate::model::RouteDestination, RouteTarget)> {
    let gateway_endpoint = |target: &RouteTarget| match target {
        RouteTarget::Network(n) => n.contains(":vpce-"),
        _ => false,
    };
    let mut v: Vec<_> = t
        .routes
        .iter()
        .filter(|r| r.target != RouteTarget::Local && !gateway_endpoint(&r.target))
        .map(|r| (r.destination.clone(), r.target.clone()))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn same_table(a: &RouteTable, b: &RouteTable) -> bool {
    a.vpc == b.vpc
        && a.main == b.main
        && sorted(&a.subnets) == sorted(&b.subnets)
        && route_set(a) == route_set(b)
}

fn same_gateway(a: &Gateway, b: &Gateway) -> bool {
    (&a.vpc, a.attached, a.egress_only) == (&b.vpc, b.attached, b.egress_only)
}

fn same_endpoint(a: &Endpoint, b: &Endpoint) -> bool {
    a.kind == b.kind && sorted(&a.interfaces) == sorted(&b.interfaces)
}
