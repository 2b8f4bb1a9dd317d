//! `terraform show -json` of a state → id-keyed model objects.
//!
//! The state is read by the plan reader (as a plan that changes nothing), so a state's
//! groups, ACLs and tables mean exactly what the same resources mean in a plan. Only
//! what the state *manages* is a full description: a group known to the state only by
//! id (one it adds `aws_security_group_rule`s to) is left out, since its other rules
//! are not in the state. Resource addresses become AWS ids; a rule keeps the address
//! that declares it in its origin (`sg-0123 aws_security_group.web ingress[0]`).
//! Security-group rules are split into one rule per peer, as AWS stores them.

use std::collections::BTreeMap;

use super::rename;
use super::{Piece, Rank};
use crate::error::ErrorKind;
use crate::header_space::{PeerSet, Principal, v4_block, v4_cidrs, v6_block, v6_cidrs};
use crate::model::{SgRule, Snapshot};
use crate::warning::Warnings;

/// Reads a state file's managed objects.
pub(super) fn read(bytes: &[u8], label: &str) -> Result<Piece, ErrorKind> {
    // What the plan reader would warn about (no configuration to follow references
    // through) does not concern a state, whose ids are all known.
    let mut ignored = Warnings::new();
    let s = crate::source::terraform_plan::load_state(bytes, &mut ignored)?;
    let mut p = Piece::new(label, Rank::State);
    // Address → id, for every object the state manages.
    let mut by_id = BTreeMap::new();
    super::settle::managed_ids(&s, &mut by_id);
    let ids: BTreeMap<String, String> = by_id.into_iter().map(|(id, key)| (key, id)).collect();
    let name = |k: &str| ids.get(k).cloned().unwrap_or_else(|| k.to_owned());
    let managed = |k: &str| ids.contains_key(k);
    let Snapshot {
        security_groups,
        network_acls,
        vpcs,
        subnets,
        route_tables,
        gateways,
        nat_gateways: _,
        prefix_lists,
        endpoints,
    } = &s;
    for g in security_groups
        .values()
        .filter(|g| g.managed && managed(&g.key))
    {
        let mut out = rename::group(&name, g);
        out.from_context = true;
        out.managed = false;
        let key = out.key.clone();
        for r in out.rules.iter_mut().filter(|r| r.origin.resource == key) {
            r.origin.rule = format!("{} {}", g.key, r.origin.rule);
        }
        out.rules = out.rules.iter().flat_map(atoms).collect();
        p.s.security_groups.insert(out.key.clone(), out);
    }
    for a in network_acls
        .values()
        .filter(|a| a.managed && managed(&a.key))
    {
        let mut out = rename::acl(&name, a);
        out.from_context = true;
        out.managed = false;
        p.s.network_acls.insert(out.key.clone(), out);
    }
    for t in route_tables
        .values()
        .filter(|t| t.routes_known && managed(&t.key))
    {
        let out = rename::table(&name, t);
        p.s.route_tables.insert(out.key.clone(), out);
    }
    for x in subnets.values().filter(|x| managed(&x.key)) {
        let out = rename::subnet(&name, x);
        p.s.subnets.insert(out.key.clone(), out);
    }
    for v in vpcs.values().filter(|v| managed(&v.key)) {
        let mut out = rename::vpc(&name, v);
        // A default object the state names only as `<vpc>.<attribute>` has no id.
        for slot in [
            &mut out.main_route_table,
            &mut out.default_network_acl,
            &mut out.default_security_group,
        ] {
            if slot.as_deref().is_some_and(|k| k.contains('.')) {
                *slot = None;
            }
        }
        p.s.vpcs.insert(out.key.clone(), out);
    }
    for g in gateways.values().filter(|g| managed(&g.key)) {
        let out = rename::gateway(&name, g);
        p.s.gateways.insert(out.key.clone(), out);
    }
    for l in prefix_lists.values().filter(|l| managed(&l.key)) {
        let out = rename::prefix_list(&name, l);
        p.s.prefix_lists.insert(out.key.clone(), out);
    }
    for e in endpoints.values().filter(|e| managed(&e.key)) {
        let out = rename::endpoint(&name, e);
        p.s.endpoints.insert(out.key.clone(), out);
    }
    Ok(p)
}

/// A rule split into one rule per peer (CIDR block, prefix list, group), keeping its
/// services, certainty and origin.
fn atoms(r: &SgRule) -> Vec<SgRule> {
    let one = |peers: PeerSet| SgRule { peers, ..r.clone() };
    let mut out: Vec<SgRule> = v4_cidrs(&r.peers.v4)
        .into_iter()
        .map(|n| one(PeerSet::from_v4(v4_block(n))))
        .collect();
    out.extend(
        v6_cidrs(&r.peers.v6)
            .into_iter()
            .map(|n| one(PeerSet::from_v6(v6_block(n)))),
    );
    out.extend(
        r.peers
            .principals
            .iter()
            .map(|p: &Principal| one(PeerSet::from_principal(p.clone()))),
    );
    out
}
