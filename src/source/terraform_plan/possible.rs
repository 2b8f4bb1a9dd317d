//! Deferred changes: resources whose instances Terraform (or reachdiff, reading
//! configuration) cannot know before apply, read as possible.
//!
//! A `count` or `for_each` known only after apply leaves one instance (`[*]`) standing
//! for every instance there may be — none, one or many. Whatever it contributes to the
//! model therefore exists only in the permissive world: its rules (and the rules of a
//! group or ACL it is) are possible, its routes are possible, and an endpoint it is
//! exists only possibly (reachability leaves it out of the restrictive world). The
//! builders read it like any other resource; this pass marks the result afterwards, so
//! that no builder needs to know.

use std::collections::BTreeSet;

use super::Plan;
use crate::model::{Certainty, Snapshot};
use crate::warning::{WarningKind, Warnings};

/// The labels of the deferred entries, each warned about once.
pub(super) fn deferred(plan: &Plan<'_>, warnings: &mut Warnings) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in &plan.entries {
        let Some(reason) = &e.deferred else { continue };
        let label = e.label();
        let why = match reason.as_str() {
            "instance_count_unknown" | "" => {
                "its count or for_each (or its module's) is known only after apply".to_owned()
            }
            other => format!("Terraform deferred it ({other})"),
        };
        warnings.push(
            WarningKind::UnknownValue,
            Some(&label),
            format!(
                "{why}, so its instances cannot be known before apply; this one stands for all of them, and what it allows is possible"
            ),
        );
        out.insert(label);
    }
    out
}

/// Marks possible everything of `snapshot` that a deferred resource contributes.
pub(super) fn mark(snapshot: &mut Snapshot, deferred: &BTreeSet<String>) {
    if deferred.is_empty() {
        return;
    }
    let from = |resource: &str| deferred.contains(resource);
    for g in snapshot.security_groups.values_mut() {
        let whole = from(&g.key);
        for r in &mut g.rules {
            if whole || from(&r.origin.resource) {
                r.certainty = Certainty::Possible;
            }
        }
    }
    for a in snapshot.network_acls.values_mut() {
        let whole = from(&a.key);
        for r in &mut a.rules {
            if whole || from(&r.origin.resource) {
                r.certainty = Certainty::Possible;
            }
        }
    }
    for t in snapshot.route_tables.values_mut() {
        let whole = from(&t.key);
        for r in &mut t.routes {
            if whole || from(&r.origin.resource) {
                r.certainty = Certainty::Possible;
            }
        }
    }
    for e in snapshot.endpoints.values_mut() {
        if from(&e.key) {
            e.existence = Certainty::Possible;
        }
    }
}
