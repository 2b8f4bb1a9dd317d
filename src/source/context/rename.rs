//! Renaming the keys an object carries and the keys it refers to: a state's resource
//! addresses become AWS ids, and a context object's ids become the input's keys (the
//! address of an object the input manages, the key of a data source reading it).

use std::collections::BTreeSet;

use crate::header_space::{PeerSet, Principal};
use crate::model::{
    Endpoint, Gateway, NetworkAcl, Origin, PrefixList, RouteDestination, RouteTable, RouteTarget,
    SecurityGroup, Subnet, Vpc,
};

/// A renaming of keys; keys it does not know stay as they are.
pub(super) type Names<'a> = &'a dyn Fn(&str) -> String;

fn opt(name: Names<'_>, key: Option<&String>) -> Option<String> {
    key.map(|k| name(k))
}

fn list(name: Names<'_>, keys: &[String]) -> Vec<String> {
    let mut out: Vec<String> = keys.iter().map(|k| name(k)).collect();
    out.sort();
    out.dedup();
    out
}

/// The principals of a peer set renamed.
pub(super) fn peers(name: Names<'_>, p: &PeerSet) -> PeerSet {
    if p.principals.is_empty() {
        return p.clone();
    }
    let principals: BTreeSet<Principal> = p
        .principals
        .iter()
        .map(|q| match q {
            Principal::SecurityGroup(n) => Principal::SecurityGroup(name(n)),
            Principal::PrefixList(n) => Principal::PrefixList(name(n)),
            Principal::Endpoint(n) => Principal::Endpoint(name(n)),
            Principal::Endpoints(n) => Principal::Endpoints(n.clone()),
        })
        .collect();
    PeerSet {
        principals,
        ..p.clone()
    }
}

/// An origin whose resource is the object itself follows the object's new key; a rule
/// of another resource keeps its name (`aws_security_group_rule.ssh` of a state).
fn origin(name: Names<'_>, o: &Origin, old_key: &str, new_key: &str) -> Origin {
    if o.resource == old_key {
        Origin::new(new_key, o.rule.clone())
    } else {
        Origin::new(name(&o.resource), o.rule.clone())
    }
}

pub(super) fn group(name: Names<'_>, g: &SecurityGroup) -> SecurityGroup {
    let key = name(&g.key);
    let mut out = g.clone();
    out.vpc = opt(name, g.vpc.as_ref());
    for r in &mut out.rules {
        r.peers = peers(name, &r.peers);
        r.origin = origin(name, &r.origin, &g.key, &key);
    }
    out.key = key;
    out
}

pub(super) fn acl(name: Names<'_>, a: &NetworkAcl) -> NetworkAcl {
    let key = name(&a.key);
    let mut out = a.clone();
    out.vpc = opt(name, a.vpc.as_ref());
    out.subnets = list(name, &a.subnets);
    for r in &mut out.rules {
        r.origin = origin(name, &r.origin, &a.key, &key);
    }
    out.key = key;
    out
}

pub(super) fn table(name: Names<'_>, t: &RouteTable) -> RouteTable {
    let key = name(&t.key);
    let mut out = t.clone();
    out.vpc = opt(name, t.vpc.as_ref());
    out.subnets = list(name, &t.subnets);
    for (subnet, _) in &mut out.associations {
        *subnet = name(subnet);
    }
    for r in &mut out.routes {
        if let RouteDestination::PrefixList(p) = &r.destination {
            r.destination = RouteDestination::PrefixList(name(p));
        }
        r.target = match &r.target {
            RouteTarget::InternetGateway(g) => RouteTarget::InternetGateway(name(g)),
            RouteTarget::EgressOnlyInternetGateway(g) => {
                RouteTarget::EgressOnlyInternetGateway(name(g))
            }
            RouteTarget::NatGateway(g) => RouteTarget::NatGateway(name(g)),
            other => other.clone(),
        };
        r.origin = origin(name, &r.origin, &t.key, &key);
    }
    out.key = key;
    out
}

pub(super) fn subnet(name: Names<'_>, s: &Subnet) -> Subnet {
    Subnet {
        key: name(&s.key),
        vpc: opt(name, s.vpc.as_ref()),
        ..s.clone()
    }
}

pub(super) fn vpc(name: Names<'_>, v: &Vpc) -> Vpc {
    Vpc {
        key: name(&v.key),
        main_route_table: opt(name, v.main_route_table.as_ref()),
        default_network_acl: opt(name, v.default_network_acl.as_ref()),
        default_security_group: opt(name, v.default_security_group.as_ref()),
        ..v.clone()
    }
}

pub(super) fn gateway(name: Names<'_>, g: &Gateway) -> Gateway {
    Gateway {
        key: name(&g.key),
        vpc: opt(name, g.vpc.as_ref()),
        ..g.clone()
    }
}

pub(super) fn prefix_list(name: Names<'_>, p: &PrefixList) -> PrefixList {
    PrefixList {
        key: name(&p.key),
        ..p.clone()
    }
}

pub(super) fn endpoint(name: Names<'_>, e: &Endpoint) -> Endpoint {
    let mut out = e.clone();
    out.key = name(&e.key);
    for i in &mut out.interfaces {
        i.subnet = opt(name, i.subnet.as_ref());
        i.security_groups = list(name, &i.security_groups);
    }
    for l in &mut out.listeners {
        for (target, _) in &mut l.targets {
            *target = name(target);
        }
        l.origin = origin(name, &l.origin, &e.key, &out.key);
    }
    out
}
