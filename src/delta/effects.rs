//! Whether each rule-level change reaches an endpoint ([`Effect::Live`]) or not
//! ([`Effect::Latent`], with the reason: nothing carries the group, nothing sits behind
//! the ACL, or another layer blocks the traffic).

use std::collections::{BTreeSet, HashSet};

use super::endpoints::example_flow;
use super::{Change, ChangeKind, Effect, Level, SubjectKind};
use crate::header_space::{PeerSet, Principal};
use crate::model::{Carriers, Snapshot};
use crate::reach::{HopVerdict, Tracer};
use crate::source::SnapshotPair;

/// Sets `effect` on every rule-level change.
pub(super) fn mark(
    rules: &mut [Change],
    endpoint_changes: &[Change],
    pair: &SnapshotPair,
    tracers: &[Tracer<'_>; 2],
) {
    let carriers = [pair.before.carriers(), pair.after.carriers()];
    // Which resources cause an endpoint change of each kind: one lookup per cause.
    let causing: HashSet<(ChangeKind, &str)> = endpoint_changes
        .iter()
        .flat_map(|e| e.causes.iter().map(move |k| (e.kind, k.resource.as_str())))
        .collect();
    for c in rules.iter_mut().filter(|c| c.level == Level::Rule) {
        let mine: BTreeSet<&str> = c
            .causes
            .iter()
            .map(|k| k.resource.as_str())
            .chain(std::iter::once(c.subject.as_str()))
            .collect();
        let live = mine.iter().any(|r| causing.contains(&(c.kind, *r)));
        c.effect = Some(if live {
            Effect::Live
        } else {
            // Opened: look at the world after; closed: at the world before.
            let side = match c.kind {
                ChangeKind::Opened => 1,
                ChangeKind::Closed => 0,
            };
            let snapshot = if side == 1 { &pair.after } else { &pair.before };
            latent_reason(c, snapshot, &carriers[side], &tracers[side])
        });
    }
}

/// Why a rule-level change reaches no endpoint: [`Effect::Unused`] when nothing in the
/// plan carries it, else [`Effect::Latent`].
fn latent_reason(c: &Change, s: &Snapshot, carriers: &Carriers<'_>, tracer: &Tracer<'_>) -> Effect {
    let carrier = match c.subject_kind {
        SubjectKind::SecurityGroup => carriers.of_group(&c.subject).next(),
        SubjectKind::NetworkAcl => {
            let subnets = s
                .network_acls
                .get(&c.subject)
                .map(|a| a.subnets.as_slice())
                .unwrap_or_default();
            if subnets.is_empty() {
                return Effect::Unused("no subnet in the plan uses this network ACL".into());
            }
            subnets.iter().find_map(|k| carriers.of_subnet(k).next())
        }
        SubjectKind::Endpoint(_) => return Effect::Latent(String::new()),
    };
    let Some(carrier) = carrier else {
        return Effect::Unused(match c.subject_kind {
            SubjectKind::SecurityGroup => {
                "no endpoint in the plan carries this security group".into()
            }
            _ => "no endpoint in the plan sits in a subnet using this network ACL".into(),
        });
    };
    // A rule naming a security group: its members are the sources.
    let mut part = c.part.clone();
    if let Some(Principal::SecurityGroup(g)) = part.peers.principals.iter().next().cloned() {
        let member = carriers.of_group(g.as_str()).find(|m| *m != carrier);
        match member {
            Some(m) => part.peers = PeerSet::from_principal(Principal::Endpoint(m.to_owned())),
            None => {
                return Effect::Unused(format!(
                    "no endpoint in the plan carries {}, the group the rule names",
                    Principal::SecurityGroup(g)
                ));
            }
        }
    }
    let Some(flow) = example_flow(&part, carrier, c.direction) else {
        return Effect::Latent("no endpoint's reachability changes".into());
    };
    let path = tracer.trace(&flow);
    Effect::Latent(
        match path.hops.iter().find(|h| h.verdict == HopVerdict::Denied) {
            Some(h) => format!(
                "on {carrier} (e.g. {} to {}), {} {} denies it ({})",
                flow.source,
                flow.destination,
                h.layer.as_str(),
                h.subject,
                h.reason
            ),
            None => {
                format!(
                    "on {carrier}, other rules already allowed (or still deny) the same traffic"
                )
            }
        },
    )
}
