//! Whether each rule-level change reaches an endpoint ([`Effect::Live`]) or not
//! ([`Effect::Latent`], with the reason: nothing carries the group, nothing sits behind
//! the ACL, or another layer blocks the traffic).

use std::collections::BTreeSet;

use super::endpoints::example_flow;
use super::{Change, ChangeKind, Effect, Level, SubjectKind};
use crate::header_space::{PeerSet, Principal};
use crate::model::Snapshot;
use crate::reach::{HopVerdict, Tracer};
use crate::source::SnapshotPair;

/// Sets `effect` on every rule-level change.
pub(super) fn mark(
    rules: &mut [Change],
    endpoint_changes: &[Change],
    pair: &SnapshotPair,
    tracers: &[Tracer<'_>; 2],
) {
    for c in rules.iter_mut().filter(|c| c.level == Level::Rule) {
        let mine: BTreeSet<&str> = c
            .causes
            .iter()
            .map(|k| k.resource.as_str())
            .chain(std::iter::once(c.subject.as_str()))
            .collect();
        let live = endpoint_changes.iter().any(|e| {
            e.kind == c.kind && e.causes.iter().any(|k| mine.contains(k.resource.as_str()))
        });
        c.effect = Some(if live {
            Effect::Live
        } else {
            // Opened: look at the world after; closed: at the world before.
            let (snapshot, tracer) = match c.kind {
                ChangeKind::Opened => (&pair.after, &tracers[1]),
                ChangeKind::Closed => (&pair.before, &tracers[0]),
            };
            Effect::Latent(latent_reason(c, snapshot, tracer))
        });
    }
}

/// Why a rule-level change reaches no endpoint.
fn latent_reason(c: &Change, s: &Snapshot, tracer: &Tracer<'_>) -> String {
    let carriers: Vec<&str> = match c.subject_kind {
        SubjectKind::SecurityGroup => s
            .endpoints
            .values()
            .filter(|e| {
                e.interfaces
                    .iter()
                    .any(|i| i.security_groups.contains(&c.subject))
            })
            .map(|e| e.key.as_str())
            .collect(),
        SubjectKind::NetworkAcl => {
            let subnets: BTreeSet<&str> = s
                .network_acls
                .get(&c.subject)
                .map(|a| a.subnets.iter().map(String::as_str).collect())
                .unwrap_or_default();
            if subnets.is_empty() {
                return "no subnet in the plan uses this network ACL".into();
            }
            s.endpoints
                .values()
                .filter(|e| {
                    e.interfaces
                        .iter()
                        .any(|i| i.subnet.as_deref().is_some_and(|k| subnets.contains(k)))
                })
                .map(|e| e.key.as_str())
                .collect()
        }
        SubjectKind::Endpoint(_) => return String::new(),
    };
    let Some(carrier) = carriers.first() else {
        return match c.subject_kind {
            SubjectKind::SecurityGroup => {
                "no endpoint in the plan carries this security group".into()
            }
            _ => "no endpoint in the plan sits in a subnet using this network ACL".into(),
        };
    };
    // A rule naming a security group: its members are the sources.
    let mut part = c.part.clone();
    if let Some(Principal::SecurityGroup(g)) = part.peers.principals.iter().next().cloned() {
        let member = s.endpoints.values().find(|e| {
            e.interfaces.iter().any(|i| i.security_groups.contains(&g)) && e.key != *carrier
        });
        match member {
            Some(m) => part.peers = PeerSet::from_principal(Principal::Endpoint(m.key.clone())),
            None => {
                return format!(
                    "no endpoint in the plan carries {}, the group the rule names",
                    Principal::SecurityGroup(g)
                );
            }
        }
    }
    let Some(flow) = example_flow(&part, carrier, c.direction, None) else {
        return "no endpoint's reachability changes".into();
    };
    let path = tracer.trace(&flow);
    match path.hops.iter().find(|h| h.verdict == HopVerdict::Denied) {
        Some(h) => format!(
            "on {carrier} (example: {} to {}), {} {} denies it ({})",
            flow.source,
            flow.destination,
            h.layer.as_str(),
            h.subject,
            h.reason
        ),
        None => {
            format!("on {carrier}, other rules already allowed (or still deny) the same traffic")
        }
    }
}
