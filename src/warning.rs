//! Warnings: input reachdiff could not model exactly.
//!
//! A warning never stops the analysis. Where a value is unknown the model widens it (so
//! no opening is missed) and says so here; where a resource cannot be modelled it is
//! named here rather than skipped in silence. Every report format prints warnings.

use std::fmt;

use serde::Serialize;

/// What kind of imperfection a [`Warning`] reports. The kebab-case name is stable: it
/// appears in JSON output and may be used to filter warnings.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum WarningKind {
    /// A value is known only after apply; the affected rule was widened and its changes
    /// are marked `possible`.
    UnknownValue,
    /// A reference (security group, prefix list, network ACL) could not be resolved to
    /// one resource; the rule uses every candidate, or a placeholder, as `possible`.
    UnresolvedReference,
    /// A rule has a value AWS would reject or reachdiff cannot read; it was widened.
    InvalidRule,
    /// Inline rules and separate rule resources manage the same group or ACL; Terraform
    /// will flip between them on every apply.
    ConflictingRuleStyles,
    /// The plan uses an action or layout reachdiff does not know; it was read as an update.
    UnsupportedPlanFeature,
    /// A changed resource filters traffic in a way reachdiff does not model yet; its
    /// effect is not in the report.
    UnsupportedResource,
    /// Something about the input itself (encoding, missing sections).
    Input,
    /// Something about the policy file: an accepted risk has expired, an invariant
    /// selects no endpoint.
    Policy,
    /// A context file (`--context`) disagrees with the input or with another context
    /// file about an object (the input, else the AWS description, is used), or part of
    /// it could not be used.
    Context,
    /// An object an endpoint's flows cross (a security group, subnet, network ACL or
    /// route table known only by id, or not named at all: a default AWS picks at apply)
    /// is described by neither the input nor a context file: what it lets through is
    /// assumed, and the endpoint changes resting on it have severity `unknown`. The
    /// message names the `aws ec2 describe-…` output that would settle it.
    NotInInput,
}

impl WarningKind {
    /// The stable kebab-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownValue => "unknown-value",
            Self::UnresolvedReference => "unresolved-reference",
            Self::InvalidRule => "invalid-rule",
            Self::ConflictingRuleStyles => "conflicting-rule-styles",
            Self::UnsupportedPlanFeature => "unsupported-plan-feature",
            Self::UnsupportedResource => "unsupported-resource",
            Self::Input => "input",
            Self::Policy => "policy",
            Self::Context => "context",
            Self::NotInInput => "not-in-input",
        }
    }
}

/// One piece of input reachdiff modelled approximately.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// The kind, as a stable kebab-case name.
    pub kind: WarningKind,
    /// The resource address concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// What happened and what reachdiff assumed, in one sentence.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.resource {
            Some(r) => write!(f, "{r}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The warnings collected while reading one input; passed by `&mut` through the
/// pipeline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Warnings(Vec<Warning>);

impl Warnings {
    /// No warnings yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a warning about a resource.
    pub fn push(&mut self, kind: WarningKind, resource: Option<&str>, message: impl Into<String>) {
        self.0.push(Warning {
            kind,
            resource: resource.map(str::to_owned),
            message: message.into(),
        });
    }

    /// The warnings sorted and without duplicates: the order reports use.
    #[must_use]
    pub fn into_sorted(mut self) -> Vec<Warning> {
        self.0.sort();
        self.0.dedup();
        self.0
    }

    /// How many warnings were recorded (duplicates included).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The warnings in the order recorded.
    pub fn iter(&self) -> impl Iterator<Item = &Warning> {
        self.0.iter()
    }
}
