//! Putting what context files describe into the snapshots of an input.
//!
//! [`seed`] runs inside the readers, before endpoints are built; [`settle`] after
//! reading, on the pair. Settling:
//!
//! 1. removes the seeds (they come back below when needed);
//! 2. collects, in AWS ids, everything the input refers to: groups its endpoints carry
//!    or its rules name, subnets, VPCs, ACLs, route tables, gateways, prefix lists;
//! 3. takes the described instances that carry one of those groups, a group whose
//!    rules name one of them, or sit in one of those subnets, and closes the set over what each object needs (a subnet its VPC,
//!    ACL and route table; a VPC its main table, default ACL and internet gateways; a
//!    table its gateways and prefix lists; a group the prefix lists its rules name);
//! 4. warns where the input's state before the change differs from a file about an
//!    object the input manages;
//! 5. adds each object of the set the input does not manage to both sides, under the
//!    input's key for it; an object the input knows only partly (a group it adds rule
//!    resources to, a table it adds routes to, an ACL it adds entries to) keeps the
//!    input's parts, and the file's parts that the input manages on either side are
//!    dropped, so that deleting a rule resource still closes its flow;
//! 6. warns about objects the input knows only by id that no file describes.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::merge::{route_set, same_acl, same_group, what_differs};
use super::{Context, rename};
use crate::header_space::Principal;
use crate::model::{
    Bound, Certainty, Direction, NetworkAcl, RouteDestination, RouteTarget, SecurityGroup, SgRule,
    Snapshot,
};
use crate::source::SnapshotPair;
use crate::warning::{WarningKind, Warnings};

/// Each AWS id with the keys of the data sources that read it.
fn alias_keys(aliases: &BTreeMap<String, String>) -> BTreeMap<&str, Vec<&str>> {
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (key, id) in aliases {
        out.entry(id.as_str()).or_default().push(key.as_str());
    }
    out
}

/// Id → key of every object of `s` keyed by something other than its id (the input
/// manages it).
pub(super) fn managed_ids(s: &Snapshot, out: &mut BTreeMap<String, String>) {
    let keyed = (s.security_groups.values().map(|x| (&x.key, &x.id)))
        .chain(s.network_acls.values().map(|x| (&x.key, &x.id)))
        .chain(s.route_tables.values().map(|x| (&x.key, &x.id)))
        .chain(s.subnets.values().map(|x| (&x.key, &x.id)))
        .chain(s.vpcs.values().map(|x| (&x.key, &x.id)))
        .chain(s.gateways.values().map(|x| (&x.key, &x.id)))
        .chain(s.nat_gateways.values().map(|x| (&x.key, &x.id)))
        .chain(s.prefix_lists.values().map(|x| (&x.key, &x.id)))
        .chain(s.endpoints.values().map(|x| (&x.key, &x.id)));
    for (key, id) in keyed {
        if let Some(id) = id.as_ref().filter(|id| !id.is_empty() && *id != key) {
            out.entry(id.clone()).or_insert_with(|| key.clone());
        }
    }
}

/// The keys an object with this id goes under: the data sources reading it, else its
/// id.
fn keys_for<'a>(aliases: &BTreeMap<&'a str, Vec<&'a str>>, id: &'a str) -> Vec<&'a str> {
    aliases.get(id).cloned().unwrap_or_else(|| vec![id])
}

pub(super) fn seed(cx: &Context, s: &mut Snapshot, aliases: &BTreeMap<String, String>) {
    if cx.is_empty() {
        return;
    }
    let known = &cx.known;
    let mut key_of = BTreeMap::new();
    managed_ids(s, &mut key_of);
    let managed: BTreeSet<String> = key_of.keys().cloned().collect();
    for (key, id) in aliases {
        key_of.entry(id.clone()).or_insert_with(|| key.clone());
    }
    let name = |id: &str| key_of.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let by_id = alias_keys(aliases);
    let skip = &managed;
    seed_kind(&mut s.subnets, &known.subnets, skip, &by_id, |x, key| {
        crate::model::Subnet {
            key: key.to_owned(),
            ..rename::subnet(&name, x)
        }
    });
    seed_kind(&mut s.vpcs, &known.vpcs, skip, &by_id, |v, key| {
        crate::model::Vpc {
            key: key.to_owned(),
            ..rename::vpc(&name, v)
        }
    });
    seed_kind(&mut s.gateways, &known.gateways, skip, &by_id, |g, key| {
        crate::model::Gateway {
            key: key.to_owned(),
            ..rename::gateway(&name, g)
        }
    });
}

/// Copies the described objects of one kind into a snapshot being built, under every
/// key each goes by (`renamed` gives the object under a key), never over an object
/// already there, and not those the input manages (`skip`).
fn seed_kind<T>(
    into: &mut BTreeMap<String, T>,
    from: &BTreeMap<String, T>,
    skip: &BTreeSet<String>,
    by_id: &BTreeMap<&str, Vec<&str>>,
    renamed: impl Fn(&T, &str) -> T,
) {
    for (id, x) in from.iter().filter(|(id, _)| !skip.contains(*id)) {
        for key in keys_for(by_id, id) {
            if !into.contains_key(key) {
                into.insert(key.to_owned(), renamed(x, key));
            }
        }
    }
}

/// Removes what [`seed`] added.
fn unseed(known: &Snapshot, aliases: &BTreeMap<String, String>, s: &mut Snapshot) {
    let seeded = |key: &str, has: &dyn Fn(&str) -> bool| {
        has(key) || aliases.get(key).is_some_and(|id| has(id))
    };
    s.subnets
        .retain(|k, _| !seeded(k, &|id| known.subnets.contains_key(id)));
    s.vpcs
        .retain(|k, _| !seeded(k, &|id| known.vpcs.contains_key(id)));
    s.gateways
        .retain(|k, _| !seeded(k, &|id| known.gateways.contains_key(id)));
}

/// What the input refers to, in AWS ids (or keys, for objects without one).
#[derive(Debug, Default)]
struct Wanted {
    /// Groups endpoints carry, and groups the input has (managed or in part).
    groups: BTreeSet<String>,
    /// Groups the input's rules name as peers: their members matter, not their rules.
    named: BTreeSet<String>,
    subnets: BTreeSet<String>,
    vpcs: BTreeSet<String>,
    acls: BTreeSet<String>,
    tables: BTreeSet<String>,
    lists: BTreeSet<String>,
    gateways: BTreeSet<String>,
    endpoints: BTreeSet<String>,
}

impl Wanted {
    fn size(&self) -> usize {
        self.groups.len()
            + self.subnets.len()
            + self.vpcs.len()
            + self.acls.len()
            + self.tables.len()
            + self.lists.len()
            + self.gateways.len()
            + self.endpoints.len()
    }

    /// Everything `s` refers to, through `id` (key → AWS id).
    fn collect(&mut self, s: &Snapshot, id: &dyn Fn(&str) -> String) {
        for e in s.endpoints.values() {
            for i in &e.interfaces {
                self.subnets.extend(i.subnet.as_deref().map(id));
                self.groups.extend(i.security_groups.iter().map(|g| id(g)));
            }
        }
        for g in s.security_groups.values() {
            self.groups.insert(id(&g.key));
            self.vpcs.extend(g.vpc.as_deref().map(id));
            for r in &g.rules {
                for p in &r.peers.principals {
                    match p {
                        Principal::SecurityGroup(n) => {
                            self.named.insert(id(n));
                        }
                        Principal::PrefixList(n) => {
                            self.lists.insert(id(n));
                        }
                        Principal::Endpoint(_) | Principal::Endpoints(_) => {}
                    }
                }
            }
        }
        for a in s.network_acls.values() {
            self.acls.insert(id(&a.key));
            self.subnets.extend(a.subnets.iter().map(|x| id(x)));
            self.vpcs.extend(a.vpc.as_deref().map(id));
        }
        for t in s.route_tables.values() {
            self.tables.insert(id(&t.key));
            self.subnets.extend(t.subnets.iter().map(|x| id(x)));
            self.vpcs.extend(t.vpc.as_deref().map(id));
            self.table_needs(t, id);
        }
        for x in s.subnets.values() {
            self.subnets.insert(id(&x.key));
            self.vpcs.extend(x.vpc.as_deref().map(id));
        }
        for v in s.vpcs.values() {
            self.vpcs.insert(id(&v.key));
            self.tables.extend(v.main_route_table.as_deref().map(id));
            self.acls.extend(v.default_network_acl.as_deref().map(id));
        }
        for g in s.gateways.values() {
            self.gateways.insert(id(&g.key));
            self.vpcs.extend(g.vpc.as_deref().map(id));
        }
        for l in s.prefix_lists.values() {
            self.lists.insert(id(&l.key));
        }
        for n in s.nat_gateways.values() {
            self.subnets.extend(n.subnet.as_deref().map(id));
        }
    }

    fn table_needs(&mut self, t: &crate::model::RouteTable, id: &dyn Fn(&str) -> String) {
        for r in &t.routes {
            if let RouteDestination::PrefixList(p) = &r.destination {
                self.lists.insert(id(p));
            }
            if let RouteTarget::InternetGateway(g) | RouteTarget::EgressOnlyInternetGateway(g) =
                &r.target
            {
                self.gateways.insert(id(g));
            }
        }
    }

    /// Adds what the described objects in the set need, until nothing more is added.
    fn close(&mut self, known: &Snapshot, managed: &BTreeSet<String>) {
        let mut acl_of: BTreeMap<&str, &str> = BTreeMap::new();
        for a in known.network_acls.values() {
            for s in &a.subnets {
                acl_of.insert(s, &a.key);
            }
        }
        let mut table_of: BTreeMap<&str, &str> = BTreeMap::new();
        for t in known.route_tables.values() {
            for s in &t.subnets {
                table_of.insert(s, &t.key);
            }
        }
        let same = |x: &str| x.to_owned();
        loop {
            let size = self.size();
            for e in self.endpoints.clone() {
                for i in known.endpoints.get(&e).map_or(&[][..], |e| &e.interfaces) {
                    self.subnets.extend(i.subnet.clone());
                    self.groups.extend(i.security_groups.iter().cloned());
                }
            }
            for s in self.subnets.clone() {
                if let Some(x) = known.subnets.get(&s) {
                    self.vpcs.extend(x.vpc.clone());
                }
                self.acls
                    .extend(acl_of.get(s.as_str()).map(|a| (*a).to_owned()));
                self.tables
                    .extend(table_of.get(s.as_str()).map(|t| (*t).to_owned()));
            }
            for v in self.vpcs.clone() {
                if !managed.contains(&v)
                    && let Some(x) = known.vpcs.get(&v)
                {
                    self.tables.extend(x.main_route_table.clone());
                    self.acls.extend(x.default_network_acl.clone());
                }
                self.gateways.extend(
                    known
                        .gateways
                        .values()
                        .filter(|g| g.vpc.as_deref() == Some(v.as_str()))
                        .map(|g| g.key.clone()),
                );
            }
            for t in self.tables.clone() {
                if let Some(x) = known.route_tables.get(&t) {
                    self.vpcs.extend(x.vpc.clone());
                    self.table_needs(x, &same);
                }
            }
            for g in self.groups.clone() {
                for r in known.security_groups.get(&g).map_or(&[][..], |g| &g.rules) {
                    for p in &r.peers.principals {
                        if let Principal::PrefixList(n) = p {
                            self.lists.insert(n.clone());
                        }
                    }
                }
            }
            if self.size() == size {
                break;
            }
        }
    }
}

/// What the input says about the objects it knows only in part, on both sides: the
/// file's parts these replace are dropped.
#[derive(Default)]
struct InputParts {
    /// Rules of a group the input adds rule resources to (definite ones).
    rules: BTreeMap<String, Vec<SgRule>>,
    /// Entry numbers of an ACL it adds entries to; `true` when some number is unknown.
    entries: BTreeMap<String, (BTreeSet<(Direction, u32)>, bool)>,
    /// Destinations of a table it adds routes to.
    routes: BTreeMap<String, BTreeSet<RouteDestination>>,
    /// Entries of a prefix list it adds entries to.
    list_entries: BTreeMap<String, BTreeSet<IpNet>>,
    /// Subnets whose ACL association the input sets, and whose route table association.
    acl_associated: BTreeSet<String>,
    table_associated: BTreeSet<String>,
}

impl InputParts {
    fn collect(&mut self, s: &Snapshot) {
        for g in s.security_groups.values().filter(|g| !g.rules_known()) {
            self.rules.entry(g.key.clone()).or_default().extend(
                g.rules
                    .iter()
                    .filter(|r| r.certainty == Certainty::Definite)
                    .cloned(),
            );
        }
        for a in s.network_acls.values() {
            self.acl_associated.extend(a.subnets.iter().cloned());
            if a.rules_known() {
                continue;
            }
            let slot = self.entries.entry(a.key.clone()).or_default();
            for r in &a.rules {
                match r.number {
                    Some(n) => {
                        slot.0.insert((r.direction, n));
                    }
                    None => slot.1 = true,
                }
            }
        }
        for t in s.route_tables.values() {
            self.table_associated.extend(t.subnets.iter().cloned());
            if t.routes_known {
                continue;
            }
            self.routes
                .entry(t.key.clone())
                .or_default()
                .extend(t.routes.iter().map(|r| r.destination.clone()));
        }
        for l in s.prefix_lists.values() {
            self.list_entries
                .entry(l.key.clone())
                .or_default()
                .extend(l.entries.iter().flatten().copied());
        }
    }
}

pub(super) fn settle(cx: &Context, pair: &mut SnapshotPair, warnings: &mut Warnings) {
    let known = &cx.known;
    let SnapshotPair {
        before,
        after,
        aliases,
        ..
    } = pair;
    unseed(known, aliases, before);
    unseed(known, aliases, after);

    // Ids and keys, both ways.
    let mut key_of: BTreeMap<String, String> = BTreeMap::new();
    managed_ids(before, &mut key_of);
    managed_ids(after, &mut key_of);
    let managed: BTreeSet<String> = key_of.keys().cloned().collect();
    let mut id_of: BTreeMap<String, String> =
        key_of.iter().map(|(i, k)| (k.clone(), i.clone())).collect();
    for (key, id) in aliases.iter() {
        key_of.entry(id.clone()).or_insert_with(|| key.clone());
        id_of.entry(key.clone()).or_insert_with(|| id.clone());
    }
    let name = |id: &str| key_of.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let id = |key: &str| id_of.get(key).cloned().unwrap_or_else(|| key.to_owned());

    let mut wanted = Wanted::default();
    wanted.collect(before, &id);
    wanted.collect(after, &id);
    // Described groups whose rules admit (or let out to) a group the input uses: their
    // members are peers the change may open or close.
    let admitting: BTreeSet<&str> = known
        .security_groups
        .values()
        .filter(|g| {
            g.rules.iter().any(|r| {
                r.peers
                    .principals
                    .iter()
                    .any(|p| matches!(p, Principal::SecurityGroup(n) if wanted.groups.contains(n)))
            })
        })
        .map(|g| g.key.as_str())
        .collect();
    for (eid, e) in &known.endpoints {
        let relevant = e.interfaces.iter().any(|i| {
            i.security_groups.iter().any(|g| {
                wanted.groups.contains(g)
                    || wanted.named.contains(g)
                    || admitting.contains(g.as_str())
            }) || i
                .subnet
                .as_ref()
                .is_some_and(|s| wanted.subnets.contains(s))
        });
        if relevant && !managed.contains(eid) {
            wanted.endpoints.insert(eid.clone());
        }
    }
    wanted.close(known, &managed);

    disagreements(cx, before, &id, &name, warnings);

    let mut parts = InputParts::default();
    parts.collect(before);
    parts.collect(after);
    let mut used: BTreeMap<String, String> = BTreeMap::new();
    for s in [&mut *before, &mut *after] {
        insert(cx, s, &wanted, &managed, &parts, &name, &mut used);
    }
    for (oid, key) in &used {
        for note in cx.notes.get(oid).into_iter().flatten() {
            warnings.push(WarningKind::Context, Some(key), note.clone());
        }
    }
    undescribed(before, after, &used, warnings);
}

/// Adds the wanted objects to one side.
fn insert(
    cx: &Context,
    s: &mut Snapshot,
    wanted: &Wanted,
    managed: &BTreeSet<String>,
    parts: &InputParts,
    name: &dyn Fn(&str) -> String,
    used: &mut BTreeMap<String, String>,
) {
    // The main table the input sets for a VPC on this side, before any is added.
    let input_main: BTreeMap<String, String> = s
        .route_tables
        .values()
        .filter(|t| t.main)
        .filter_map(|t| Some((t.vpc.clone()?, t.key.clone())))
        .collect();
    insert_filters(cx, s, wanted, managed, parts, name, used);
    insert_topology(cx, s, wanted, managed, (parts, &input_main), name, used);
    let fresh = |id: &&String| !managed.contains(id.as_str());
    for eid in wanted.endpoints.iter().filter(fresh) {
        if let Some(e) = cx.known.endpoints.get(eid) {
            let e = rename::endpoint(name, e);
            used.insert(eid.clone(), e.key.clone());
            s.endpoints.entry(e.key.clone()).or_insert(e);
        }
    }
}

/// Adds the wanted groups, ACLs and route tables to one side, completing those the
/// input knows in part.
fn insert_filters(
    cx: &Context,
    s: &mut Snapshot,
    wanted: &Wanted,
    managed: &BTreeSet<String>,
    parts: &InputParts,
    name: &dyn Fn(&str) -> String,
    used: &mut BTreeMap<String, String>,
) {
    let known = &cx.known;
    let fresh = |id: &&String| !managed.contains(id.as_str());
    for gid in wanted.groups.iter().filter(fresh) {
        let Some(g) = known.security_groups.get(gid) else {
            continue;
        };
        let g = rename::group(name, g);
        used.insert(gid.clone(), g.key.clone());
        let theirs = parts.rules.get(&g.key).map_or(&[][..], Vec::as_slice);
        put(&mut s.security_groups, g.key.clone(), g, |mine, g| {
            if !mine.rules_known() {
                merge_group(mine, g, theirs);
            }
        });
    }
    for aid in wanted.acls.iter().filter(fresh) {
        let Some(a) = known.network_acls.get(aid) else {
            continue;
        };
        let mut a = rename::acl(name, a);
        a.subnets.retain(|x| !parts.acl_associated.contains(x));
        used.insert(aid.clone(), a.key.clone());
        let (numbers, _) = parts.entries.get(&a.key).cloned().unwrap_or_default();
        put(&mut s.network_acls, a.key.clone(), a, |mine, a| {
            if !mine.rules_known() {
                merge_acl(mine, a, &numbers);
            }
        });
    }
    for tid in wanted.tables.iter().filter(fresh) {
        let Some(t) = known.route_tables.get(tid) else {
            continue;
        };
        let mut t = rename::table(name, t);
        t.subnets.retain(|x| !parts.table_associated.contains(x));
        used.insert(tid.clone(), t.key.clone());
        let replaced = parts.routes.get(&t.key).cloned().unwrap_or_default();
        put(&mut s.route_tables, t.key.clone(), t, |mine, t| {
            if !mine.routes_known {
                merge_table(mine, t, &replaced);
            }
        });
    }
}

/// Inserts a described object under `key`, or lets `complete` finish the input's own
/// object there (which it does only for an object the input knows in part).
fn put<T>(map: &mut BTreeMap<String, T>, key: String, theirs: T, complete: impl FnOnce(&mut T, T)) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, theirs);
        }
        Some(mine) => complete(mine, theirs),
    }
}

/// A table the input adds routes to: the file's routes to destinations the input
/// routes (on either side: `replaced`) are left to the input.
fn merge_table(
    mine: &mut crate::model::RouteTable,
    file: crate::model::RouteTable,
    replaced: &BTreeSet<RouteDestination>,
) {
    mine.routes.extend(
        file.routes
            .into_iter()
            .filter(|r| !replaced.contains(&r.destination)),
    );
    mine.routes_known = true;
    mine.subnets.extend(file.subnets);
    mine.subnets.sort();
    mine.subnets.dedup();
    mine.main |= file.main;
    if mine.vpc.is_none() {
        mine.vpc = file.vpc;
    }
    mine.id = mine.id.take().or(file.id);
}

/// Adds the wanted subnets, VPCs, gateways and prefix lists to one side.
fn insert_topology(
    cx: &Context,
    s: &mut Snapshot,
    wanted: &Wanted,
    managed: &BTreeSet<String>,
    (parts, input_main): (&InputParts, &BTreeMap<String, String>),
    name: &dyn Fn(&str) -> String,
    used: &mut BTreeMap<String, String>,
) {
    let known = &cx.known;
    let fresh = |id: &&String| !managed.contains(id.as_str());
    for sid in wanted.subnets.iter().filter(fresh) {
        if let Some(x) = known.subnets.get(sid) {
            let x = rename::subnet(name, x);
            used.insert(sid.clone(), x.key.clone());
            s.subnets.entry(x.key.clone()).or_insert(x);
        }
    }
    for vid in wanted.vpcs.iter().filter(fresh) {
        let Some(v) = known.vpcs.get(vid) else {
            continue;
        };
        let mut v = rename::vpc(name, v);
        used.insert(vid.clone(), v.key.clone());
        if let Some(t) = input_main.get(&v.key) {
            v.main_route_table = Some(t.clone());
        }
        // A default ACL no file describes: an object whose entries are unknown, so that
        // a subnet using it is assumed open and its flows possible (never AWS's
        // defaults, which the VPC's owner may have changed).
        let key = v
            .default_network_acl
            .clone()
            .unwrap_or_else(|| format!("{}.default_network_acl_id", v.key));
        s.network_acls.entry(key.clone()).or_insert_with(|| {
            let mut acl = NetworkAcl::new(&key);
            acl.vpc = Some(v.key.clone());
            acl.is_default = true;
            acl
        });
        v.default_network_acl = Some(key);
        s.vpcs.entry(v.key.clone()).or_insert(v);
    }
    for gid in wanted.gateways.iter().filter(fresh) {
        if let Some(g) = known.gateways.get(gid) {
            let g = rename::gateway(name, g);
            used.insert(gid.clone(), g.key.clone());
            s.gateways.entry(g.key.clone()).or_insert(g);
        }
    }
    for lid in wanted.lists.iter().filter(fresh) {
        let Some(l) = known.prefix_lists.get(lid) else {
            continue;
        };
        let l = rename::prefix_list(name, l);
        used.insert(lid.clone(), l.key.clone());
        // The input adds entries to a list it does not manage: the file's entries it
        // adds (on either side) are the input's.
        let replaced = parts.list_entries.get(&l.key).cloned().unwrap_or_default();
        put(&mut s.prefix_lists, l.key.clone(), l, |mine, l| {
            mine.entries = match (mine.entries.take(), l.entries) {
                (Some(own), Some(theirs)) => {
                    let mut all: Vec<IpNet> = own
                        .into_iter()
                        .chain(theirs.into_iter().filter(|e| !replaced.contains(e)))
                        .collect();
                    all.sort();
                    all.dedup();
                    Some(all)
                }
                _ => None,
            };
        });
    }
}

/// A group the input knows only by id, with the rules of its rule resources (`mine`),
/// completed by the file's description: the file's rules that a rule resource of the
/// input manages (on either side: `theirs_in_input`) are left to the input.
fn merge_group(mine: &mut SecurityGroup, file: SecurityGroup, theirs_in_input: &[SgRule]) {
    let managed_by_input = |r: &SgRule| {
        theirs_in_input.iter().any(|p| {
            p.direction == r.direction
                && p.services == r.services
                && r.space().is_subset(&p.space())
        })
    };
    mine.rules
        .extend(file.rules.into_iter().filter(|r| !managed_by_input(r)));
    mine.from_context = true;
    mine.id = mine.id.take().or(file.id);
    if mine.vpc.is_none() {
        mine.vpc = file.vpc;
    }
    mine.is_default |= file.is_default;
    if mine.tags.is_empty() {
        mine.tags = file.tags;
    }
}

/// An ACL the input adds entries to: the file's entries whose number the input uses (on
/// either side) are left to the input; with an input entry of unknown number every
/// file entry stays (which one it replaces cannot be told).
fn merge_acl(mine: &mut NetworkAcl, file: NetworkAcl, numbers: &BTreeSet<(Direction, u32)>) {
    mine.rules.extend(file.rules.into_iter().filter(|r| {
        r.number
            .is_none_or(|n| !numbers.contains(&(r.direction, n)))
    }));
    mine.subnets.extend(file.subnets);
    mine.subnets.sort();
    mine.subnets.dedup();
    mine.from_context = true;
    mine.id = mine.id.take().or(file.id);
    if mine.vpc.is_none() {
        mine.vpc = file.vpc;
    }
    mine.is_default |= file.is_default;
    if mine.tags.is_empty() {
        mine.tags = file.tags;
    }
}

/// Where the input's state before the change and a file differ about an object the
/// input manages (or the rules it adds to a group it does not).
fn disagreements(
    cx: &Context,
    before: &Snapshot,
    id: &dyn Fn(&str) -> String,
    name: &dyn Fn(&str) -> String,
    warnings: &mut Warnings,
) {
    let known = &cx.known;
    let file = |oid: &str| cx.described_by.get(oid).cloned().unwrap_or_default();
    let mut warn = |key: &str, oid: &str, what: String| {
        warnings.push(
            WarningKind::Context,
            Some(key),
            format!(
                "{} describes {oid} differently from the plan's state before the change ({what}); the plan is used",
                file(oid)
            ),
        );
    };
    for g in before.security_groups.values() {
        let oid = id(&g.key);
        let Some(theirs) = known.security_groups.get(&oid) else {
            continue;
        };
        let theirs = rename::group(name, theirs);
        if g.managed {
            if g.rules.iter().any(|r| r.certainty != Certainty::Definite) || same_group(g, &theirs)
            {
                continue;
            }
            let what = what_differs(
                |d| g.allowed(d, Bound::Upper),
                |d| theirs.allowed(d, Bound::Upper),
                "the plan",
                "the file",
            );
            warn(&g.key, &oid, what.unwrap_or_else(|| "its VPC".into()));
        } else if !g.rules_known() {
            let allowed = |d| theirs.allowed(d, Bound::Upper);
            for r in g
                .rules
                .iter()
                .filter(|r| r.certainty == Certainty::Definite)
            {
                if !r.space().is_subset(&allowed(r.direction)) {
                    warn(
                        &g.key,
                        &oid,
                        format!("{} is not among the file's rules", r.origin),
                    );
                }
            }
        }
    }
    for a in before.network_acls.values().filter(|a| a.managed) {
        let oid = id(&a.key);
        let Some(theirs) = known.network_acls.get(&oid) else {
            continue;
        };
        let theirs = rename::acl(name, theirs);
        let definite = a.rules.iter().all(|r| r.certainty == Certainty::Definite);
        // Associations the plan makes elsewhere are compared by the plan's own reading.
        let same_rules = NetworkAcl {
            subnets: a.subnets.clone(),
            ..theirs.clone()
        };
        if definite && !same_acl(a, &same_rules) {
            warn(&a.key, &oid, "its entries differ".into());
        }
    }
    for t in before.route_tables.values().filter(|t| t.routes_known) {
        let oid = id(&t.key);
        let Some(theirs) = known.route_tables.get(&oid) else {
            continue;
        };
        let theirs = rename::table(name, theirs);
        let definite = t.routes.iter().all(|r| r.certainty == Certainty::Definite);
        if definite && route_set(t) != route_set(&theirs) {
            warn(&t.key, &oid, "its routes differ".into());
        }
    }
    for x in before.subnets.values() {
        let oid = id(&x.key);
        let Some(theirs) = known.subnets.get(&oid) else {
            continue;
        };
        if (x.ipv4, x.ipv6) != (theirs.ipv4, theirs.ipv6) && x.ipv4.is_some() {
            warn(&x.key, &oid, "its CIDR blocks differ".into());
        }
    }
}

/// AWS ids the input's endpoints depend on that no file describes: their groups, their
/// subnets, and the ACLs and route tables of those subnets. Flows through them stay
/// possible.
fn undescribed(
    before: &Snapshot,
    after: &Snapshot,
    used: &BTreeMap<String, String>,
    warnings: &mut Warnings,
) {
    let described: BTreeSet<&str> = used.values().map(String::as_str).collect();
    // Key → the command whose output would describe it.
    let mut missing: BTreeMap<String, &str> = BTreeMap::new();
    let by_id = |key: &str, prefix: &str| key.starts_with(prefix) && !key.contains('.');
    for s in [before, after] {
        for i in s.endpoints.values().flat_map(|e| &e.interfaces) {
            for g in &i.security_groups {
                let settled = s
                    .security_groups
                    .get(g)
                    .is_some_and(SecurityGroup::rules_known);
                if by_id(g, "sg-") && !settled {
                    missing.insert(g.clone(), "describe-security-groups");
                }
            }
            let Some(x) = &i.subnet else { continue };
            let Some(subnet) = s.subnets.get(x) else {
                if by_id(x, "subnet-") {
                    missing.insert(x.clone(), "describe-subnets");
                }
                continue;
            };
            let vpc = subnet.vpc.as_ref().and_then(|v| s.vpcs.get(v));
            let acl = s
                .network_acls
                .values()
                .find(|a| a.subnets.contains(x))
                .map(|a| a.key.clone())
                .or_else(|| vpc.and_then(|v| v.default_network_acl.clone()));
            if let Some(a) = acl
                && by_id(&a, "acl-")
                && s.network_acls.get(&a).is_some_and(|a| !a.rules_known())
            {
                missing.insert(a, "describe-network-acls");
            }
            let table = s
                .route_tables
                .values()
                .find(|t| t.subnets.contains(x))
                .map(|t| t.key.clone())
                .or_else(|| vpc.and_then(|v| v.main_route_table.clone()));
            match table {
                Some(t)
                    if by_id(&t, "rtb-")
                        && s.route_tables.get(&t).is_none_or(|t| !t.routes_known) =>
                {
                    missing.insert(t, "describe-route-tables");
                }
                // A VPC from a context file whose main table no file names.
                None if vpc.is_some_and(|v| by_id(&v.key, "vpc-")) => {
                    warnings.push(
                        WarningKind::Context,
                        Some(x),
                        "no context file says which route table it uses (its VPC's main table); its routes are assumed and flows through it are possible (add the output of aws ec2 describe-route-tables)",
                    );
                }
                _ => {}
            }
        }
    }
    for (key, command) in missing {
        if described.contains(key.as_str()) {
            continue;
        }
        warnings.push(
            WarningKind::Context,
            Some(&key),
            format!(
                "known only by id and described by no context file; flows through it stay possible (add the output of aws ec2 {command} for it)"
            ),
        );
    }
}

/// Without context files: warns about each subnet an endpoint sits in whose route table
/// the input does not list — associated with a table known only by id, or with none in
/// a VPC whose main table the input does not manage. Its routes out of the VPC are an
/// assumption (see `reach`): flows through it are possible, never definite.
pub(super) fn unknown_routes(pair: &SnapshotPair, warnings: &mut Warnings) {
    let mut seen = BTreeSet::new();
    for s in [&pair.before, &pair.after] {
        for x in s
            .endpoints
            .values()
            .flat_map(|e| &e.interfaces)
            .filter_map(|i| i.subnet.as_ref())
        {
            let Some(subnet) = s.subnets.get(x) else {
                continue;
            };
            if !seen.insert(x.clone()) {
                continue;
            }
            let associated = s.route_tables.values().find(|t| t.subnets.contains(x));
            let vpc = subnet.vpc.as_deref();
            let main = vpc
                .and_then(|v| s.vpcs.get(v))
                .and_then(|v| v.main_route_table.as_ref())
                .and_then(|m| s.route_tables.get(m))
                .or_else(|| {
                    s.route_tables
                        .values()
                        .find(|t| t.main && t.vpc.as_deref() == vpc && vpc.is_some())
                });
            let what = match associated.or(main) {
                Some(t) if t.routes_known => continue,
                Some(t) if associated.is_some() => {
                    format!("its route table {} is known only by id", t.key)
                }
                Some(t) => format!(
                    "it uses its VPC's main route table {}, whose routes the input does not list",
                    t.key
                ),
                None => match vpc {
                    Some(v) => format!(
                        "it uses the main route table of {v}, a VPC the input does not manage"
                    ),
                    // Already warned about: flows through it are left out.
                    None => continue,
                },
            };
            warnings.push(
                WarningKind::UnresolvedReference,
                Some(x),
                format!(
                    "{what}: its routes out of the VPC are assumed (the permissive world sends what is not local to the VPC's internet gateway, if the input has one; the restrictive world nowhere), so flows through it are possible (a --context file of aws ec2 describe-route-tables settles it)"
                ),
            );
        }
    }
}
