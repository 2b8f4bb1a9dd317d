//! Helpers shared by the security-group and network-ACL builders.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::header_space::{PeerSet, RangeSet, parse_cidr, v4_block, v6_block};
use crate::model::{Certainty, Direction, Origin};
use crate::warning::{WarningKind, Warnings};

use super::refs::Want;
use super::values::Side;
use super::{Plan, Resolved};

/// The rule a warning is about, as a prefix (`ingress[2]: `); empty when the resource
/// is the rule (the warning already names the resource).
pub(super) fn scope(origin: &Origin) -> String {
    if origin.rule.is_empty() {
        String::new()
    } else {
        format!("{}: ", origin.rule)
    }
}

/// Every IPv4 (`v4`) or IPv6 address.
pub(super) fn whole_family(v4: bool) -> PeerSet {
    if v4 {
        PeerSet::from_v4(RangeSet::full())
    } else {
        PeerSet::from_v6(RangeSet::full())
    }
}

/// A CIDR block as a peer set, with whether it is IPv4; `None` when not a CIDR.
pub(super) fn cidr_peer(text: &str) -> Option<(PeerSet, bool)> {
    match parse_cidr(text)? {
        ipnet::IpNet::V4(n) => Some((PeerSet::from_v4(v4_block(n)), true)),
        ipnet::IpNet::V6(n) => Some((PeerSet::from_v6(v6_block(n)), false)),
    }
}

/// What a warning says of a CIDR block with host bits set beyond its prefix
/// (`10.0.0.1/8`), which Terraform's AWS provider rejects at plan or apply: the rule may
/// never exist, so the caller makes it possible, read as the block's network (as the AWS
/// API would). `None` for a proper block.
pub(super) fn host_bits(text: &str) -> Option<String> {
    let network = parse_cidr(text).and_then(crate::model::host_bits_set)?;
    Some(format!(
        "{text:?} has host bits set beyond its prefix, which Terraform's AWS provider rejects; read as {network}, possible"
    ))
}

/// The names a reference settled on, and how sure that is.
pub(super) struct Settled<T> {
    pub names: Vec<T>,
    pub certainty: Certainty,
}

/// Turns the candidates of an unknown reference into names and a certainty, warning
/// when the answer is not exactly one resource. With no candidate at all the result is
/// `placeholder`, possible.
pub(super) fn settle<T: std::fmt::Display>(
    warnings: &mut Warnings,
    resource: &str,
    what: &str,
    resolved: &Resolved,
    names: Vec<T>,
    placeholder: T,
) -> Settled<T> {
    if names.is_empty() {
        warnings.push(
            WarningKind::UnresolvedReference,
            Some(resource),
            format!(
                "{what} is known only after apply and the configuration does not say what it refers to; treated as {placeholder}, possible"
            ),
        );
        return Settled {
            names: vec![placeholder],
            certainty: Certainty::Possible,
        };
    }
    if resolved.open || resolved.ambiguous {
        warnings.push(
            WarningKind::UnresolvedReference,
            Some(resource),
            format!(
                "{what} is known only after apply; it may be any of {}{}, so what depends on it is possible",
                names.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                if resolved.open {
                    " or values reachdiff cannot follow (locals, module outputs without configuration)"
                } else {
                    ""
                }
            ),
        );
        let mut names = names;
        if resolved.open {
            names.push(placeholder);
        }
        return Settled {
            names,
            certainty: Certainty::Possible,
        };
    }
    Settled {
        names,
        certainty: Certainty::Definite,
    }
}

/// The filters (security groups or ACLs) a rule resource at `entry` belongs to, on one
/// side: the object its owner attribute `attr` names by id, else — on the after side,
/// with the attribute unknown — the candidates of following the reference, settled
/// (with `placeholder` when nothing is found).
#[allow(clippy::too_many_arguments)] // the owner attribute, spelled out
pub(super) fn owners(
    plan: &Plan<'_>,
    warnings: &mut Warnings,
    entry: usize,
    side: Side<'_>,
    after: bool,
    attr: &str,
    want: Want,
    placeholder: &str,
) -> Vec<(String, Certainty)> {
    let value = side.key(attr);
    if let Some(id) = value.str() {
        return vec![(plan.key_for_id(want, id), Certainty::Definite)];
    }
    let label = plan.entries[entry].label();
    if !after || !value.is_unknown() {
        warnings.push(
            WarningKind::InvalidRule,
            Some(&label),
            format!("the resource has no {attr}; it is ignored"),
        );
        return Vec::new();
    }
    let found = plan.resolve_keys(entry, attr, want, true);
    let Settled { names, certainty } = settle(
        warnings,
        &label,
        &format!("`{attr}`"),
        &found.resolved,
        found.keys.clone(),
        placeholder.to_owned(),
    );
    names.into_iter().map(|k| (k, certainty)).collect()
}

/// What one filter (security group or ACL) has on one side, gathered from every
/// resource that contributes to it, before assembly.
pub(super) struct Parts<R> {
    pub exists: bool,
    /// The filter itself is a resource of the plan (not only referenced by id).
    pub managed: bool,
    pub id: Option<String>,
    pub vpc: Option<String>,
    pub is_default: bool,
    pub subnets: BTreeSet<String>,
    /// Rules from the filter's own inline attributes.
    pub inline: Vec<R>,
    /// Rules from separate rule resources.
    pub resources: Vec<R>,
    /// The filter's tags.
    pub tags: BTreeMap<String, String>,
}

impl<R> Default for Parts<R> {
    fn default() -> Self {
        Self {
            exists: false,
            managed: false,
            id: None,
            vpc: None,
            is_default: false,
            subnets: BTreeSet::new(),
            inline: Vec::new(),
            resources: Vec::new(),
            tags: BTreeMap::new(),
        }
    }
}

impl<R> Parts<R> {
    /// Records that the filter resource itself exists on this side with `values`.
    pub(super) fn present(&mut self, values: &Value, is_default: bool) {
        let field = |k: &str| {
            values
                .get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        self.exists = true;
        self.managed = true;
        self.is_default = is_default;
        self.id = field("id");
        self.vpc = field("vpc_id");
        self.tags = super::values::tags(values);
    }
}

/// The parts of every filter, before and after.
pub(super) struct Both<R> {
    pub before: BTreeMap<String, Parts<R>>,
    pub after: BTreeMap<String, Parts<R>>,
}

impl<R> Default for Both<R> {
    fn default() -> Self {
        Self {
            before: BTreeMap::new(),
            after: BTreeMap::new(),
        }
    }
}

impl<R> Both<R> {
    /// The parts of `key` on one side.
    pub(super) fn slot(&mut self, after: bool, key: &str) -> &mut Parts<R> {
        let side = if after {
            &mut self.after
        } else {
            &mut self.before
        };
        side.entry(key.to_owned()).or_default()
    }

    /// Filters only referenced by id (managed outside this plan) exist on both sides;
    /// their own rules are unknown, the plan's rule resources are what is compared.
    pub(super) fn add_unmanaged(&mut self, id_prefix: &str) {
        let keys: BTreeSet<String> = self
            .before
            .iter()
            .chain(&self.after)
            .filter(|(_, p)| !p.managed)
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            for after in [false, true] {
                let p = self.slot(after, &key);
                p.exists = true;
                if p.id.is_none() && key.starts_with(id_prefix) {
                    p.id = Some(key.clone());
                }
            }
        }
    }
}

/// Warns when a filter configures inline rules for a direction and also has separate
/// rule resources for that direction: Terraform removes one set or the other on every
/// apply. (An attribute the configuration does not set is left alone by Terraform, so
/// inline `ingress` with an egress rule resource is fine.)
pub(super) fn warn_conflicting_styles<R>(
    plan: &Plan<'_>,
    warnings: &mut Warnings,
    after: &BTreeMap<String, Parts<R>>,
    direction_of: impl Fn(&R) -> Direction,
    what: &str,
) {
    for (key, p) in after {
        if !p.managed || p.resources.is_empty() {
            continue;
        }
        let Some(addr) = plan
            .entry_by_label(key)
            .and_then(|i| plan.entries[i].addr.as_ref())
        else {
            continue;
        };
        for direction in Direction::BOTH {
            let attr = direction.as_str();
            let has_resources = p.resources.iter().any(|r| direction_of(r) == direction);
            if has_resources && plan.config.sets(addr, attr) == Some(true) {
                warnings.push(
                    WarningKind::ConflictingRuleStyles,
                    Some(key),
                    format!(
                        "inline `{attr}` and separate {what} resources both manage this; each apply removes the other's rules. Both are counted as present after the change"
                    ),
                );
            }
        }
    }
}
