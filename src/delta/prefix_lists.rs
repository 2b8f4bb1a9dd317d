//! Rule-level changes a prefix list makes to the groups that name it: the group's rules
//! stay the same, but the addresses they admit follow the list's entries.
//!
//! The rule level compares groups with prefix lists as opaque principals (`pl:office`),
//! so a change to a list's entries alone shows nothing there. Here every group that
//! names, on both sides, a list whose entries differ has the list expanded to its
//! entries on each side, and what it then admits is compared: opened = the addresses
//! the list admits after that nothing in the group admitted before; closed likewise.
//! The change is caused by the prefix list. Worlds as at the endpoint level: entries
//! known only after apply are every address in the upper world and none in the lower;
//! a change in both worlds is definite, in one possible.

use std::collections::{BTreeMap, BTreeSet};

use super::{Cause, Change, ChangeKind, Level, SubjectKind};
use crate::header_space::{HeaderSpace, PeerSet, Principal, v4_block, v6_block};
use crate::model::{Bound, Certainty, Direction, PrefixList, Snapshot};
use crate::source::ChangeAction;

/// The prefix list a principal names (by key or id), if the snapshot has it.
fn list<'s>(s: &'s Snapshot, name: &str) -> Option<&'s PrefixList> {
    s.prefix_lists.get(name).or_else(|| {
        s.prefix_lists
            .values()
            .find(|l| l.id.as_deref() == Some(name))
    })
}

/// The resources that make up a prefix list, on either side: its key (the principal's
/// name when the snapshots do not have it) and its entry resources.
fn resources_of(before: &Snapshot, after: &Snapshot, name: &str) -> Vec<String> {
    let mut out = vec![
        list(after, name)
            .or_else(|| list(before, name))
            .map_or_else(|| name.to_owned(), |l| l.key.clone()),
    ];
    for s in [before, after] {
        out.extend(
            list(s, name)
                .into_iter()
                .flat_map(|l| l.sources.iter().cloned()),
        );
    }
    out
}

/// `space` with each prefix list replaced by its entries on `s` in `world`.
fn expand(space: &HeaderSpace, s: &Snapshot, world: Bound) -> HeaderSpace {
    space.map_peers(|peers| {
        let mut out = peers.clone();
        for p in &peers.principals {
            let Principal::PrefixList(name) = p else {
                continue;
            };
            out.principals.remove(p);
            match list(s, name).and_then(|l| l.entries.as_ref()) {
                Some(entries) => {
                    for e in entries {
                        let block = match e {
                            ipnet::IpNet::V4(n) => PeerSet::from_v4(v4_block(*n)),
                            ipnet::IpNet::V6(n) => PeerSet::from_v6(v6_block(*n)),
                        };
                        out = out.union(&block);
                    }
                }
                None if world == Bound::Upper => out = out.union(&PeerSet::all_addresses()),
                None => {}
            }
        }
        out
    })
}

/// Only the prefix-list principals of `space`.
fn lists_only(space: &HeaderSpace) -> HeaderSpace {
    space.map_peers(|peers| PeerSet {
        principals: peers
            .principals
            .iter()
            .filter(|p| matches!(p, Principal::PrefixList(_)))
            .cloned()
            .collect(),
        ..PeerSet::empty()
    })
}

/// Only the addresses of `space`.
fn addresses(space: &HeaderSpace) -> HeaderSpace {
    space.map_peers(|peers| PeerSet {
        principals: BTreeSet::new(),
        ..peers.clone()
    })
}

/// Whether a group has a rule naming a prefix list.
fn names_a_list(g: &crate::model::SecurityGroup) -> bool {
    g.rules.iter().any(|r| {
        r.peers
            .principals
            .iter()
            .any(|p| matches!(p, Principal::PrefixList(_)))
    })
}

/// The resources among `lists` that the change changes.
fn causes(lists: &[String], actions: &BTreeMap<String, ChangeAction>) -> Vec<Cause> {
    lists
        .iter()
        .filter_map(|l| Cause::changed(l, actions))
        .collect()
}

/// The rule-level changes prefix lists whose entries changed make to the groups that
/// name them on both sides.
pub(super) fn changes(
    before: &Snapshot,
    after: &Snapshot,
    actions: &BTreeMap<String, ChangeAction>,
    out: &mut Vec<Change>,
) {
    let entries = |s: &Snapshot, name: &str| list(s, name).map(|l| l.entries.clone());
    let changed = |name: &str| entries(before, name) != entries(after, name);
    // Most changes touch no prefix list: then there is nothing to expand.
    let any_changed = before
        .prefix_lists
        .keys()
        .chain(after.prefix_lists.keys())
        .any(|k| changed(k));
    if !any_changed {
        return;
    }
    for (key, b) in &before.security_groups {
        let Some(a) = after.security_groups.get(key) else {
            continue;
        };
        if !names_a_list(b) || !names_a_list(a) {
            continue;
        }
        for direction in Direction::BOTH {
            // Per world: the lists the group names on both sides, expanded each side.
            let per_world = [Bound::Lower, Bound::Upper].map(|w| {
                let (bs, as_) = (b.allowed(direction, w), a.allowed(direction, w));
                let shared = lists_only(&bs.intersection(&as_));
                let touched = shared.any_principal(|p| changed(p.name()));
                if !touched {
                    return None;
                }
                let (eb, ea) = (expand(&bs, before, w), expand(&as_, after, w));
                // What the rules themselves changed is the ordinary rule level's.
                let by_rules =
                    addresses(&as_.difference(&bs)).union(&addresses(&bs.difference(&as_)));
                let opened = addresses(&expand(&shared, after, w))
                    .difference(&eb)
                    .difference(&by_rules);
                let closed = addresses(&expand(&shared, before, w))
                    .difference(&ea)
                    .difference(&by_rules);
                let mut lists: Vec<String> = Vec::new();
                shared.any_principal(|p| {
                    if changed(p.name()) {
                        lists.extend(resources_of(before, after, p.name()));
                    }
                    false
                });
                Some((opened, closed, lists))
            });
            if per_world.iter().all(Option::is_none) {
                continue;
            }
            let empty = || (HeaderSpace::empty(), HeaderSpace::empty(), Vec::new());
            let [lo, hi] = per_world.map(|w| w.unwrap_or_else(empty));
            let mut lists: Vec<String> = lo.2.iter().chain(&hi.2).cloned().collect();
            lists.sort();
            lists.dedup();
            let causes = causes(&lists, actions);
            for (kind, lo, hi) in [
                (ChangeKind::Opened, &lo.0, &hi.0),
                (ChangeKind::Closed, &lo.1, &hi.1),
            ] {
                let definite = lo.intersection(hi);
                let possible = lo.union(hi).difference(&definite);
                for (certainty, region) in [
                    (Certainty::Definite, definite),
                    (Certainty::Possible, possible),
                ] {
                    for part in region.parts() {
                        out.push(Change {
                            level: Level::Rule,
                            kind,
                            direction,
                            subject: key.clone(),
                            subject_kind: SubjectKind::SecurityGroup,
                            part,
                            certainty,
                            causes: causes.clone(),
                            via: None,
                            explanation: None,
                            effect: None,
                            missing: Vec::new(),
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header_space::ServiceSet;
    use crate::model::{Origin, SecurityGroup, SgRule};

    fn snapshot(entries: Option<&[&str]>, sources: &[&str]) -> Snapshot {
        let mut s = Snapshot::default();
        let mut g = SecurityGroup::new("g");
        g.managed = true;
        g.rules = vec![SgRule {
            direction: Direction::Ingress,
            services: ServiceSet::ports(6, 22, 22),
            peers: PeerSet::from_principal(Principal::PrefixList("pl".into())),
            certainty: Certainty::Definite,
            origin: Origin::new("g", "ingress[0]"),
        }];
        s.security_groups.insert("g".into(), g);
        s.prefix_lists.insert(
            "pl".into(),
            PrefixList {
                key: "pl".into(),
                entries: entries.map(|e| e.iter().map(|c| c.parse().unwrap()).collect()),
                sources: sources.iter().map(|x| (*x).to_owned()).collect(),
                ..PrefixList::default()
            },
        );
        s
    }

    fn run(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
        let actions = BTreeMap::from([
            ("pl".to_owned(), ChangeAction::NoOp),
            ("entry.branch".to_owned(), ChangeAction::Create),
        ]);
        let mut out = Vec::new();
        changes(before, after, &actions, &mut out);
        out
    }

    #[test]
    fn an_entry_added_to_a_named_list_opens_its_block_caused_by_the_entry() {
        let before = snapshot(Some(&["203.0.113.0/24"]), &[]);
        let after = snapshot(
            Some(&["203.0.113.0/24", "198.51.100.0/24"]),
            &["entry.branch"],
        );
        let out = run(&before, &after);
        assert_eq!(out.len(), 1, "{out:?}");
        let c = &out[0];
        assert_eq!(
            (c.kind, c.certainty),
            (ChangeKind::Opened, Certainty::Definite)
        );
        assert_eq!(
            c.part.peers,
            PeerSet::from_v4(v4_block("198.51.100.0/24".parse().unwrap()))
        );
        let causes: Vec<&str> = c.causes.iter().map(|k| k.resource.as_str()).collect();
        assert_eq!(causes, ["entry.branch"]);
        assert!(
            run(&after, &before)
                .iter()
                .all(|c| c.kind == ChangeKind::Closed)
        );
    }

    #[test]
    fn entries_known_only_after_apply_open_possibly() {
        let before = snapshot(Some(&["203.0.113.0/24"]), &[]);
        let after = snapshot(None, &["entry.branch"]);
        let out = run(&before, &after);
        assert!(!out.is_empty());
        assert!(out.iter().all(|c| c.certainty == Certainty::Possible));
    }

    #[test]
    fn unchanged_entries_change_nothing() {
        let s = snapshot(Some(&["203.0.113.0/24"]), &[]);
        assert!(run(&s, &s).is_empty());
    }
}
