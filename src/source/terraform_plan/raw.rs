//! The `terraform show -json` document as serde reads it (`RawPlan`), before any
//! interpretation.
//!
//! Only the parts reachdiff needs are typed; resource values stay as borrowed
//! [`RawValue`] slices of the input and are parsed one resource at a time, and only for
//! resource types the model uses. This keeps a 100 MB plan from becoming a
//! gigabyte-sized tree of `serde_json::Value`s.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// The top level of a plan. Unknown keys are ignored; a few foreign keys are kept to
/// recognise what else the user may have given us.
#[derive(Deserialize)]
pub(super) struct RawPlan<'a> {
    pub format_version: Option<String>,
    #[serde(borrow, default)]
    pub resource_changes: Option<Vec<RawResourceChange<'a>>>,
    /// Changes Terraform deferred (1.9+ with deferrals allowed; the plans reachdiff
    /// synthesizes from configuration, for a `count`/`for_each` it cannot know).
    #[serde(borrow, default)]
    pub deferred_changes: Option<Vec<RawDeferredChange<'a>>>,
    #[serde(borrow, default)]
    pub prior_state: Option<RawState<'a>>,
    #[serde(borrow, default)]
    pub configuration: Option<RawConfiguration<'a>>,
    #[serde(default)]
    pub variables: BTreeMap<String, RawVariable>,
    #[serde(default)]
    pub planned_values: Option<IgnoredAny>,
    /// Present in state files (`terraform show -json` without a plan).
    #[serde(default)]
    pub values: Option<IgnoredAny>,
    /// `CloudFormation` templates.
    #[serde(default, rename = "Resources")]
    pub cfn_resources: Option<IgnoredAny>,
    /// `CloudFormation` change sets.
    #[serde(default, rename = "Changes")]
    pub cfn_changes: Option<IgnoredAny>,
}

/// A root-module input variable's value.
#[derive(Deserialize)]
pub(super) struct RawVariable {
    #[serde(default)]
    pub value: serde_json::Value,
}

/// One entry of `resource_changes`.
#[derive(Deserialize)]
pub(super) struct RawResourceChange<'a> {
    pub address: String,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub deposed: Option<String>,
    #[serde(borrow)]
    pub change: &'a RawValue,
}

/// One entry of `deferred_changes`: why, and the change as it may be.
#[derive(Deserialize)]
pub(super) struct RawDeferredChange<'a> {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(borrow)]
    pub resource_change: RawResourceChange<'a>,
}

/// `resource_changes[].change`.
#[derive(Deserialize)]
pub(super) struct RawChange<'a> {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(borrow, default)]
    pub before: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub after_unknown: Option<&'a RawValue>,
    /// Not written by Terraform (its `before` is always known): the plans reachdiff
    /// synthesizes from configuration directories mark values unknown on both sides.
    #[serde(borrow, default)]
    pub before_unknown: Option<&'a RawValue>,
}

/// `prior_state`.
#[derive(Deserialize)]
pub(super) struct RawState<'a> {
    #[serde(borrow, default)]
    pub values: Option<RawStateValues<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawStateValues<'a> {
    #[serde(borrow, default)]
    pub root_module: Option<RawStateModule<'a>>,
}

/// A module in `prior_state.values`.
#[derive(Deserialize)]
pub(super) struct RawStateModule<'a> {
    #[serde(borrow, default)]
    pub resources: Vec<RawStateResource<'a>>,
    #[serde(borrow, default)]
    pub child_modules: Vec<RawStateModule<'a>>,
}

/// A resource in `prior_state.values`.
#[derive(Deserialize)]
pub(super) struct RawStateResource<'a> {
    pub address: String,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub deposed_key: Option<String>,
    #[serde(borrow, default)]
    pub values: Option<&'a RawValue>,
}

/// `configuration`.
#[derive(Deserialize)]
pub(super) struct RawConfiguration<'a> {
    #[serde(borrow, default)]
    pub root_module: RawConfigModule<'a>,
}

/// A module of `configuration` (the root or a module call's body).
#[derive(Deserialize, Default)]
pub(super) struct RawConfigModule<'a> {
    #[serde(borrow, default)]
    pub resources: Vec<RawConfigResource<'a>>,
    #[serde(borrow, default)]
    pub module_calls: BTreeMap<String, RawModuleCall<'a>>,
    #[serde(borrow, default)]
    pub outputs: BTreeMap<String, RawOutput<'a>>,
}

/// A resource block of `configuration`; `address` is relative to its module.
#[derive(Deserialize)]
pub(super) struct RawConfigResource<'a> {
    pub address: String,
    #[serde(borrow, default)]
    pub expressions: BTreeMap<String, &'a RawValue>,
}

/// A `module` block of `configuration`.
#[derive(Deserialize)]
pub(super) struct RawModuleCall<'a> {
    #[serde(borrow, default)]
    pub expressions: BTreeMap<String, &'a RawValue>,
    #[serde(borrow, default)]
    pub module: RawConfigModule<'a>,
}

/// An `output` block of `configuration`.
#[derive(Deserialize)]
pub(super) struct RawOutput<'a> {
    #[serde(borrow, default)]
    pub expression: Option<&'a RawValue>,
}
