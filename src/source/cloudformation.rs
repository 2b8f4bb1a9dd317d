//! `CloudFormation` templates (YAML or JSON) → a [`Snapshot`], and two templates → a
//! [`SnapshotPair`].
//!
//! A template is read as the stack it would deploy: parameters take the given values,
//! else their `Default`; intrinsic functions are resolved as far as the template
//! allows (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`,
//! `Fn::FindInMap`, `Fn::If` with `Conditions`, `Fn::Cidr`); resources whose
//! `Condition` is false do not exist. Snapshot keys are logical ids: a `Ref` to a
//! resource is that resource's identity. Whatever is known only at deploy time (pseudo
//! parameters, `Fn::ImportValue`, an undecidable condition) widens the rules it
//! touches to [`Certainty::Possible`](crate::model::Certainty::Possible) with a
//! [`Warning`](crate::Warning) — never a guess.
//!
//! Endpoints (instances, interfaces, Elastic IPs, load balancers with listeners and
//! target groups, databases, caches, functions, ECS services, interface VPC endpoints)
//! map to the same model as a plan's.
//!
//! Change sets (`describe-change-set`) are read by [`changeset`].
//!
//! Not here: `Transform`s (SAM, language
//! extensions) and nested stacks, which are not expanded; peering, transit gateways
//! and classic load balancers, which are warned about as unsupported. This module does not detect
//! formats for the CLI ([`is_template`] is offered to whoever does).

mod build;
pub mod changeset;
mod intrinsics;
mod parse;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::ErrorKind;
use crate::model::Snapshot;
use crate::source::context::Context;
use crate::source::{ChangeAction, Location, SnapshotPair};
use crate::warning::{WarningKind, Warnings};
use intrinsics::{Template, Val};

/// Resource types that filter or carry traffic and are not modelled yet.
const UNSUPPORTED: [&str; 5] = [
    "AWS::EC2::VPCPeeringConnection",
    "AWS::EC2::TransitGatewayAttachment",
    "AWS::EC2::NetworkInterfaceAttachment",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::EC2::SecurityGroupVpcAssociation",
];

/// A template's resources as the change compares them: type and resolved properties.
type Resolved = BTreeMap<String, (String, Val)>;

/// One template as a change that creates its stack: nothing before, the stack after,
/// every resource created.
///
/// `context` gives what the template refers to only by id (see [`Context::seed`]).
pub fn load_created(
    bytes: &[u8],
    parameters: &BTreeMap<String, String>,
    context: &Context,
    warnings: &mut Warnings,
) -> Result<SnapshotPair, ErrorKind> {
    let (after, resolved) = load_resolved(bytes, parameters, context, warnings)?;
    Ok(SnapshotPair {
        before: Snapshot::default(),
        after,
        actions: resolved
            .into_keys()
            .map(|k| (k, ChangeAction::Create))
            .collect(),
        aliases: BTreeMap::new(),
    })
}

/// Reads one template into the [`Snapshot`] of the stack it describes.
///
/// `parameters` override the template's `Default`s (pseudo parameters such as
/// `AWS::Region` may be given too).
pub fn load(
    bytes: &[u8],
    parameters: &BTreeMap<String, String>,
    warnings: &mut Warnings,
) -> Result<Snapshot, ErrorKind> {
    load_resolved(bytes, parameters, &Context::default(), warnings).map(|(s, _)| s)
}

/// Reads the templates before and after a change into a [`SnapshotPair`], with the
/// same `parameters` for both. Resources only in `after` are created, only in `before`
/// deleted, in both with different resolved properties (or type) updated. `context`
/// gives what the templates refer to only by id (see [`Context::seed`]).
pub fn load_pair(
    before: &[u8],
    after: &[u8],
    parameters: &BTreeMap<String, String>,
    context: &Context,
    warnings: &mut Warnings,
) -> Result<SnapshotPair, ErrorKind> {
    let (before, b) = load_resolved(before, parameters, context, warnings)?;
    let (after, a) = load_resolved(after, parameters, context, warnings)?;
    Ok(SnapshotPair {
        before,
        after,
        actions: actions_between(&b, &a),
        aliases: BTreeMap::new(),
    })
}

/// What a change does to each resource of two resolved templates: only in `a`
/// created, only in `b` deleted, in both with different properties (or type) updated.
fn actions_between(b: &Resolved, a: &Resolved) -> BTreeMap<String, ChangeAction> {
    let mut actions = BTreeMap::new();
    for (id, old) in b {
        let action = match a.get(id) {
            None => ChangeAction::Delete,
            Some(new) if new == old => ChangeAction::NoOp,
            Some(_) => ChangeAction::Update,
        };
        actions.insert(id.clone(), action);
    }
    for id in a.keys().filter(|id| !b.contains_key(*id)) {
        actions.insert(id.clone(), ChangeAction::Create);
    }
    actions
}

/// Where each resource of a template is written: its logical id's line and column
/// under `Resources` (YAML or JSON); empty when the text does not parse.
#[must_use]
pub fn locate_resources(bytes: &[u8]) -> BTreeMap<String, Location> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_or_else(
        |_| BTreeMap::new(),
        |text| {
            parse::locate(text)
                .into_iter()
                .map(|(id, (line, column))| (id, Location::at(line, column)))
                .collect()
        },
    )
}

/// `true` when `bytes` look like a `CloudFormation` template: a top-level
/// `AWSTemplateFormatVersion`, or a `Resources` mapping with an `AWS::…` `Type`.
#[must_use]
pub fn is_template(bytes: &[u8]) -> bool {
    let Ok(Value::Object(root)) = parse::parse(bytes) else {
        return false;
    };
    if root.contains_key("AWSTemplateFormatVersion") {
        return true;
    }
    root.get("Resources")
        .and_then(Value::as_object)
        .is_some_and(|r| {
            r.values().any(|d| {
                d.get("Type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.starts_with("AWS::"))
            })
        })
}

fn load_resolved(
    bytes: &[u8],
    parameters: &BTreeMap<String, String>,
    context: &Context,
    warnings: &mut Warnings,
) -> Result<(Snapshot, Resolved), ErrorKind> {
    resolve_root(&parse::parse(bytes)?, parameters, context, warnings)
}

/// A parsed template (or one a change set's contexts make) → its snapshot and
/// resolved resources.
fn resolve_root(
    root: &Value,
    parameters: &BTreeMap<String, String>,
    context: &Context,
    warnings: &mut Warnings,
) -> Result<(Snapshot, Resolved), ErrorKind> {
    let Value::Object(root) = root else {
        return Err(ErrorKind::NotATemplate(
            "the file is not a CloudFormation template: its top level is not a mapping".into(),
        ));
    };
    let Some(resources) = root.get("Resources").and_then(Value::as_object) else {
        return Err(ErrorKind::NotATemplate(
            "the template has no `Resources` mapping; a CloudFormation template declares at least one resource".into(),
        ));
    };
    if resources.is_empty() {
        return Err(ErrorKind::NotATemplate(
            "the template's `Resources` mapping is empty; a CloudFormation template declares at least one resource".into(),
        ));
    }
    if let Some(t) = root.get("Transform") {
        let name = t.as_str().map_or_else(|| t.to_string(), str::to_owned);
        warnings.push(
            WarningKind::Input,
            None,
            format!("the template uses Transform {name}, which reachdiff does not expand; resources the transform generates are not modelled"),
        );
    }
    let declared = root.get("Parameters").and_then(Value::as_object);
    for key in parameters.keys().filter(|k| !k.starts_with("AWS::")) {
        if !declared.is_some_and(|d| d.contains_key(key)) {
            warnings.push(
                WarningKind::Input,
                None,
                format!(
                    "parameter {key} is given but the template does not declare it; is the parameter file for another template?"
                ),
            );
        }
    }
    let (template, notes) = Template::new(root, resources, parameters);
    for (resource, message) in notes {
        warnings.push(WarningKind::Input, resource.as_deref(), message);
    }
    let mut props = BTreeMap::new();
    let mut resolved = BTreeMap::new();
    for (id, r) in &template.resources {
        let v = match &r.properties {
            Value::Null => Val::Map(BTreeMap::new()),
            p => template.resolve(p, 0),
        };
        if UNSUPPORTED.contains(&r.kind.as_str()) {
            warnings.push(
                WarningKind::UnsupportedResource,
                Some(id),
                format!(
                    "{} is not modelled yet; its effect on reachability is not in the report",
                    r.kind
                ),
            );
        }
        resolved.insert(id.clone(), (r.kind.clone(), v.clone()));
        props.insert(id.clone(), v);
    }
    let snapshot = build::build(&template, &props, context, warnings);
    Ok((snapshot, resolved))
}

#[cfg(test)]
mod tests;
