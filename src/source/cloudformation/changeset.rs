//! `CloudFormation` change sets (`aws cloudformation describe-change-set` JSON): what a
//! stack update will do to each resource.
//!
//! Two uses. With both templates (`reachdiff diff old.yaml new.yaml --changeset
//! cs.json`), the templates give the networks and the change set gives each listed
//! resource's action (`Add` → create, `Remove` → delete, `Modify` → update, or replace
//! when `Replacement` is `True`/`Conditional`); a change set naming resources neither
//! template declares is another stack's, an error. On its own (`reachdiff plan
//! cs.json`), a change set described with `--include-property-values` gives the before
//! and after properties of each changed resource (`BeforeContext`/`AfterContext`), read
//! by the template reader as two small templates; resources it does not list are not
//! in them. Not here: describing change sets (no AWS calls) and nested stacks' change
//! sets, which are named in a warning to be described separately.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Resolved, resolve_root};
use crate::error::ErrorKind;
use crate::model::Snapshot;
use crate::source::context::Context;
use crate::source::{ChangeAction, SnapshotPair};
use crate::warning::{WarningKind, Warnings};

/// The text `CloudFormation` shows for a value it knows only when the change runs.
pub(super) const KNOWN_AFTER_APPLY: &str = "{{changeSet:KNOWN_AFTER_APPLY}}";

/// A change set as read: its identity and resource changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// `ChangeSetName` (else the id, else `change set`), for messages.
    pub name: String,
    /// `StackName`, when given.
    pub stack_name: Option<String>,
    /// The resource changes, in the order listed.
    pub changes: Vec<ResourceChange>,
    /// `Status` and `StatusReason` when the change set is not `CREATE_COMPLETE`
    /// (still being created, or failed because it contains no changes).
    pub status: Option<(String, String)>,
}

/// One `ResourceChange` of a change set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceChange {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    /// `LogicalResourceId`.
    pub logical_id: String,
    /// `PhysicalResourceId` (absent for `Add`).
    pub physical_id: Option<String>,
    /// `ResourceType`.
    pub resource_type: String,
    /// `Replacement`: `True`, `False`, `Conditional` (`Modify` only).
    pub replacement: Option<String>,
    /// The properties before, from `BeforeContext` (property values only).
    pub before: Option<Value>,
    /// The properties after, from `AfterContext`.
    pub after: Option<Value>,
    /// A nested stack's own change set (`ChangeSetId` of an
    /// `AWS::CloudFormation::Stack` change).
    pub nested_change_set: Option<String>,
}

impl ResourceChange {
    /// What the change does to the resource, and a note when that is a reading.
    #[must_use]
    pub fn change_action(&self) -> (ChangeAction, Option<String>) {
        match self.action.as_str() {
            "Add" | "Import" => (ChangeAction::Create, None),
            "Remove" => (ChangeAction::Delete, None),
            "Modify" => match self.replacement.as_deref() {
                Some("True") => (ChangeAction::Replace, None),
                Some("Conditional") => (
                    ChangeAction::Replace,
                    Some("its replacement is Conditional (it depends on a value known only when the change runs); read as a replacement".into()),
                ),
                _ => (ChangeAction::Update, None),
            },
            other => (
                ChangeAction::Update,
                Some(format!(
                    "its action is {other} (evaluated when the change runs); read as an update"
                )),
            ),
        }
    }
}

/// `true` when `bytes` are a `describe-change-set` document: a JSON object with a
/// `Changes` list and a change set or stack identity.
#[must_use]
pub fn is_change_set(bytes: &[u8]) -> bool {
    let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(strip_bom(bytes)) else {
        return false;
    };
    root.get("Changes").is_some_and(Value::is_array)
        && ["ChangeSetId", "ChangeSetName", "StackName", "StackId"]
            .iter()
            .any(|k| root.contains_key(*k))
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Reads a `describe-change-set` document.
///
/// # Errors
///
/// [`ErrorKind::Json`] when it is not JSON, [`ErrorKind::ChangeSet`] when it has no
/// `Changes` list.
pub fn parse(bytes: &[u8]) -> Result<ChangeSet, ErrorKind> {
    crate::limits::check_size(bytes, crate::limits::CHANGE_SET)?;
    let root: Value = serde_json::from_slice(strip_bom(bytes)).map_err(|e| ErrorKind::json(&e))?;
    let Some(changes) = root.get("Changes").and_then(Value::as_array) else {
        return Err(ErrorKind::ChangeSet(
            "the JSON has no `Changes` list, so it is not a change set; give the output of `aws cloudformation describe-change-set`".into(),
        ));
    };
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let name = text(&root, "ChangeSetName")
        .or_else(|| text(&root, "ChangeSetId"))
        .unwrap_or_else(|| "change set".into());
    let status = text(&root, "Status").unwrap_or_default();
    let reason = text(&root, "StatusReason").unwrap_or_default();
    // CloudFormation fails a change set that contains no changes: that one is "no
    // change". Any other failure means CloudFormation will not run it.
    let no_changes = reason.contains("didn't contain changes")
        || reason.contains("No updates are to be performed");
    if status == "FAILED" && !no_changes {
        return Err(ErrorKind::ChangeSet(format!(
            "the change set {name} has Status FAILED ({}), so CloudFormation will not run it and it is no change to review; fix what the reason says and create the change set again",
            if reason.is_empty() {
                "no StatusReason given"
            } else {
                reason.as_str()
            }
        )));
    }
    let mut out = ChangeSet {
        name,
        stack_name: text(&root, "StackName"),
        changes: Vec::new(),
        status: (!status.is_empty() && status != "CREATE_COMPLETE").then_some((status, reason)),
    };
    for c in changes {
        let Some(r) = c.get("ResourceChange") else {
            continue; // `Type` other than `Resource` (hooks) carries no resource.
        };
        // The contexts are JSON documents inside strings: `{"Properties": {…}}`.
        let context = |k: &str| {
            let s = text(r, k)?;
            let v: Value = serde_json::from_str(&s).ok()?;
            Some(
                v.get("Properties")
                    .cloned()
                    .unwrap_or(Value::Object(Map::new())),
            )
        };
        out.changes.push(ResourceChange {
            action: text(r, "Action").unwrap_or_default(),
            logical_id: text(r, "LogicalResourceId").unwrap_or_default(),
            physical_id: text(r, "PhysicalResourceId"),
            resource_type: text(r, "ResourceType").unwrap_or_default(),
            replacement: text(r, "Replacement"),
            before: context("BeforeContext"),
            after: context("AfterContext"),
            nested_change_set: text(r, "ChangeSetId").filter(|_| {
                text(r, "ResourceType").as_deref() == Some("AWS::CloudFormation::Stack")
            }),
        });
    }
    Ok(out)
}

/// Warnings about the change set as a whole: its status, and nested stacks' change
/// sets, which are not read here.
fn warn_nested(cs: &ChangeSet, warnings: &mut Warnings) {
    match &cs.status {
        Some((status, reason)) if status == "FAILED" => warnings.push(
            WarningKind::Input,
            None,
            format!(
                "the change set {} has Status FAILED because it contains no changes ({reason})",
                cs.name
            ),
        ),
        Some((status, _)) => warnings.push(
            WarningKind::Input,
            None,
            format!(
                "the change set {} has Status {status}, not CREATE_COMPLETE: its list of changes may be incomplete; describe it again once CloudFormation has created it",
                cs.name
            ),
        ),
        None => {}
    }
    for c in &cs.changes {
        if let Some(id) = &c.nested_change_set {
            warnings.push(
                WarningKind::Input,
                Some(&c.logical_id),
                format!(
                    "the nested stack has its own change set, which is not read here: describe it separately (`aws cloudformation describe-change-set --change-set-name {id} --include-property-values`) and give it to reachdiff; the nested stack's resources are not in this report"
                ),
            );
        }
    }
}

/// Two templates and the change set between them: the templates' networks with the
/// change set's actions.
///
/// # Errors
///
/// A template's error, or [`ErrorKind::ChangeSet`] when the change set names
/// resources neither template declares (or declares with another type): it is for a
/// different stack.
pub fn load_pair_with(
    before: &[u8],
    after: &[u8],
    change_set: &ChangeSet,
    parameters: &BTreeMap<String, String>,
    context: &Context,
    warnings: &mut Warnings,
) -> Result<SnapshotPair, ErrorKind> {
    let (before, b) = super::load_resolved(before, parameters, context, warnings)?;
    let (after, a) = super::load_resolved(after, parameters, context, warnings)?;
    let type_of = |id: &str| a.get(id).or_else(|| b.get(id)).map(|(t, _)| t.as_str());
    let foreign: Vec<String> = change_set
        .changes
        .iter()
        .filter(|c| type_of(&c.logical_id) != Some(c.resource_type.as_str()))
        .map(|c| match type_of(&c.logical_id) {
            None => format!("{} ({})", c.logical_id, c.resource_type),
            Some(t) => format!(
                "{} ({}, a {t} in the templates)",
                c.logical_id, c.resource_type
            ),
        })
        .collect();
    if !foreign.is_empty() {
        let stack = change_set
            .stack_name
            .as_deref()
            .map(|s| format!(" (stack {s})"))
            .unwrap_or_default();
        return Err(ErrorKind::ChangeSet(format!(
            "the change set {}{stack} is for a different stack: neither template declares {}",
            change_set.name,
            foreign.join(", ")
        )));
    }
    let template_actions = super::actions_between(&b, &a);
    let mut actions = BTreeMap::new();
    for (id, action) in &template_actions {
        actions.insert(id.clone(), ChangeAction::NoOp);
        if *action != ChangeAction::NoOp && !change_set.changes.iter().any(|c| &c.logical_id == id)
        {
            warnings.push(
                WarningKind::Input,
                Some(id),
                format!(
                    "the templates {} it but the change set {} does not list it; are the templates the deployed one and the one the change set was made from? Its difference is still analysed",
                    match action {
                        ChangeAction::Create => "add",
                        ChangeAction::Delete => "remove",
                        _ => "change",
                    },
                    change_set.name
                ),
            );
            actions.insert(id.clone(), *action);
        }
    }
    for c in &change_set.changes {
        let (action, note) = c.change_action();
        if let Some(note) = note {
            warnings.push(WarningKind::Input, Some(&c.logical_id), note);
        }
        actions.insert(c.logical_id.clone(), action);
    }
    warn_nested(change_set, warnings);
    Ok(SnapshotPair {
        before,
        after,
        actions,
        aliases: BTreeMap::new(),
    })
}

/// A change set on its own: the before and after properties it holds, read as two
/// templates of the changed resources.
///
/// # Errors
///
/// [`ErrorKind::ChangeSet`] when it was described without property values.
pub fn load_standalone(
    change_set: &ChangeSet,
    context: &Context,
    warnings: &mut Warnings,
) -> Result<SnapshotPair, ErrorKind> {
    let with_values = change_set
        .changes
        .iter()
        .any(|c| c.before.is_some() || c.after.is_some());
    if !with_values && !change_set.changes.is_empty() {
        return Err(ErrorKind::ChangeSet(format!(
            "the change set {} has no property values (no BeforeContext/AfterContext), so it does not say what the resources become; re-run `aws cloudformation describe-change-set --include-property-values`, or give both templates: `reachdiff diff old.yaml new.yaml --changeset cs.json`",
            change_set.name
        )));
    }
    warn_nested(change_set, warnings);
    // Other resources name a listed one by its physical id: read it as the logical id.
    let physical: BTreeMap<&str, &str> = change_set
        .changes
        .iter()
        .filter_map(|c| Some((c.physical_id.as_deref()?, c.logical_id.as_str())))
        .collect();
    let side = |after: bool| {
        let mut resources = Map::new();
        for c in &change_set.changes {
            let props = if after { &c.after } else { &c.before };
            // A resource added has nothing before; one removed nothing after.
            let exists = match c.action.as_str() {
                "Add" | "Import" => after,
                "Remove" => !after,
                _ => true,
            };
            let Some(props) = props.as_ref().filter(|_| exists) else {
                continue;
            };
            let mut def = Map::new();
            def.insert("Type".into(), Value::String(c.resource_type.clone()));
            def.insert("Properties".into(), to_refs(props, &physical));
            resources.insert(c.logical_id.clone(), Value::Object(def));
        }
        resources
    };
    let (before, b) = snapshot_of(side(false), context, warnings)?;
    let (after, a) = snapshot_of(side(true), context, warnings)?;
    if !change_set.changes.is_empty() {
        warnings.push(
            WarningKind::Input,
            None,
            format!(
                "the change set {} lists only the resources that change; instances, subnets and routes it does not list are not in this analysis, so flows to endpoints may be missing: for them, give both templates with --changeset",
                change_set.name
            ),
        );
    }
    let mut actions = super::actions_between(&b, &a);
    for c in &change_set.changes {
        let (action, note) = c.change_action();
        if let Some(note) = note {
            warnings.push(WarningKind::Input, Some(&c.logical_id), note);
        }
        actions.insert(c.logical_id.clone(), action);
    }
    Ok(SnapshotPair {
        before,
        after,
        actions,
        aliases: BTreeMap::new(),
    })
}

fn snapshot_of(
    resources: Map<String, Value>,
    context: &Context,
    warnings: &mut Warnings,
) -> Result<(Snapshot, Resolved), ErrorKind> {
    if resources.is_empty() {
        return Ok((Snapshot::default(), Resolved::new()));
    }
    let mut root = Map::new();
    root.insert("Resources".into(), Value::Object(resources));
    resolve_root(&Value::Object(root), &BTreeMap::new(), context, warnings)
}

/// A context's value with every string that is the physical id of a listed resource
/// turned into a `Ref` to it.
fn to_refs(v: &Value, physical: &BTreeMap<&str, &str>) -> Value {
    match v {
        Value::String(s) => physical.get(s.as_str()).map_or_else(
            || v.clone(),
            |logical| {
                let mut m = Map::new();
                m.insert("Ref".into(), Value::String((*logical).to_owned()));
                Value::Object(m)
            },
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| to_refs(i, physical)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), to_refs(x, physical)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(a: &str, replacement: Option<&str>) -> (ChangeAction, bool) {
        let c = ResourceChange {
            action: a.into(),
            replacement: replacement.map(Into::into),
            ..ResourceChange::default()
        };
        let (action, note) = c.change_action();
        (action, note.is_some())
    }

    #[test]
    fn each_change_set_action_maps_to_a_change_action() {
        assert_eq!(action("Add", None), (ChangeAction::Create, false));
        assert_eq!(action("Import", None), (ChangeAction::Create, false));
        assert_eq!(action("Remove", None), (ChangeAction::Delete, false));
        assert_eq!(
            action("Modify", Some("False")),
            (ChangeAction::Update, false)
        );
        assert_eq!(
            action("Modify", Some("True")),
            (ChangeAction::Replace, false)
        );
        assert_eq!(
            action("Modify", Some("Conditional")),
            (ChangeAction::Replace, true)
        );
        assert_eq!(action("Dynamic", None), (ChangeAction::Update, true));
    }

    #[test]
    fn change_sets_are_told_from_plans_and_templates() {
        assert!(is_change_set(br#"{"ChangeSetName": "x", "Changes": []}"#));
        assert!(!is_change_set(
            br#"{"format_version": "1.2", "resource_changes": []}"#
        ));
        assert!(!is_change_set(
            br#"{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}"#
        ));
        assert!(!is_change_set(b"Changes: []\nStackName: x\n"));
    }

    #[test]
    fn contexts_are_parsed_and_nested_change_sets_kept() {
        let cs = parse(
            br#"{"ChangeSetName": "n", "StackName": "s", "Changes": [
              {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "Sg",
                "PhysicalResourceId": "sg-1", "ResourceType": "AWS::EC2::SecurityGroup", "Replacement": "True",
                "BeforeContext": "{\"Properties\":{\"GroupDescription\":\"a\"}}",
                "AfterContext": "{\"Properties\":{\"GroupDescription\":\"b\"}}"}},
              {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "Child",
                "ResourceType": "AWS::CloudFormation::Stack", "ChangeSetId": "arn:cs/child"}},
              {"Type": "Hook"}]}"#,
        )
        .unwrap();
        assert_eq!(cs.name, "n");
        assert_eq!(cs.stack_name.as_deref(), Some("s"));
        assert_eq!(cs.changes.len(), 2);
        assert_eq!(
            cs.changes[0].before,
            Some(serde_json::json!({"GroupDescription": "a"}))
        );
        assert_eq!(
            cs.changes[0].after,
            Some(serde_json::json!({"GroupDescription": "b"}))
        );
        assert_eq!(cs.changes[0].physical_id.as_deref(), Some("sg-1"));
        assert_eq!(
            cs.changes[1].nested_change_set.as_deref(),
            Some("arn:cs/child")
        );
        assert!(matches!(
            parse(br#"{"StackName": "s"}"#),
            Err(ErrorKind::ChangeSet(m)) if m.contains("no `Changes` list")
        ));
    }
}
