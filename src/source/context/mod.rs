//! Context files (`--context FILE`): what AWS, or a Terraform state, says about the
//! objects an input knows only by id.
//!
//! A plan that launches an instance into an existing subnet and security group names
//! both by id (`subnet-0123…`, `sg-0456…`) and shows neither: their rules, CIDRs and
//! routes are assumed, and flows through them are only *possible*. A context file
//! settles them offline. It is the JSON of `aws ec2 describe-security-groups`,
//! `describe-network-acls`, `describe-route-tables`, `describe-subnets`, `describe-vpcs`,
//! `describe-internet-gateways`, `describe-instances` or `describe-managed-prefix-lists`
//! (with each list's `Entries`), or `terraform show -json` of a state; the kind is told
//! by the top-level keys ([`kind_of`]), and one file may hold several.
//!
//! Everything a context file describes is keyed by its AWS id ([`Context`] holds one
//! id-keyed [`Snapshot`], merged from every file). Two steps use it:
//!
//! - [`Context::seed`], inside the readers, just before endpoints are built: subnets,
//!   VPCs and internet gateways, so that an endpoint's defaults (a public address from
//!   the subnet's `MapPublicIpOnLaunch`, the VPC's default group) come out as AWS would
//!   set them;
//! - [`Context::settle`], after reading: every object the input refers to only by id
//!   (and what those refer to: a subnet's ACL and route table, a VPC's main table, a
//!   table's gateways and prefix lists) is filled in on both sides — the context is the
//!   world *now*, before the change, and stays so after it for what the change does not
//!   touch. Existing instances in a group or subnet the input refers to, or in a group
//!   whose rules name one the input uses, become endpoints (keyed by instance id):
//!   they are the real peers of the change.
//!
//! The input always wins: an object it manages is never replaced, and a difference
//! between its state before the change and a context file is a warning. Between context
//! files, an AWS description wins over a Terraform state; two files of the same kind
//! that describe one object differently are an error, so that the result never depends
//! on the order of the files. See `docs/context.md`.
//!
//! Not here: reading inputs (see the other readers) or reachability.

mod describe;
mod merge;
mod rename;
mod settle;
mod state;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Input, SourceFormat, read_input, sha256_hex};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Snapshot;
use crate::warning::Warnings;

/// What every context file given says, merged and keyed by AWS id.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The files, as the report lists them (sorted by path).
    inputs: Vec<Input>,
    /// Every object described, keyed by AWS id; references between them are ids too.
    known: Snapshot,
    /// The file that describes each object (by id), for warnings.
    described_by: BTreeMap<String, String>,
    /// What could not be used of each object (by id), warned about only when the
    /// object matters to the input.
    notes: BTreeMap<String, Vec<String>>,
}

/// How much a description is trusted when two files describe one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// `aws ec2 describe-…`: AWS itself.
    Describe,
    /// A Terraform state: what Terraform saw at its last refresh.
    State,
    /// Facts implied by another object (a VPC's blocks from its tables' local routes).
    Derived,
}

/// What one file (or one part of it) describes.
#[derive(Debug, Default)]
struct Piece {
    /// The file's path as given.
    label: String,
    rank: Option<Rank>,
    /// Objects keyed by id; VPCs may hold only some facts (the rest `None` or empty).
    s: Snapshot,
    /// Notes by object id.
    notes: BTreeMap<String, Vec<String>>,
}

impl Piece {
    fn new(label: &str, rank: Rank) -> Self {
        Self {
            label: label.to_owned(),
            rank: Some(rank),
            ..Self::default()
        }
    }

    fn note(&mut self, id: &str, message: impl Into<String>) {
        self.notes
            .entry(id.to_owned())
            .or_default()
            .push(message.into());
    }

    /// The VPC entry for `id`, created empty (no facts) if needed.
    fn vpc(&mut self, id: &str) -> &mut crate::model::Vpc {
        self.s
            .vpcs
            .entry(id.to_owned())
            .or_insert_with(|| crate::model::Vpc {
                key: id.to_owned(),
                id: Some(id.to_owned()),
                ..crate::model::Vpc::default()
            })
    }
}

/// The top-level keys of `aws ec2 describe-…` outputs reachdiff reads, with the command
/// that writes each.
pub const DESCRIBE_KEYS: [(&str, &str); 8] = [
    ("SecurityGroups", "describe-security-groups"),
    ("NetworkAcls", "describe-network-acls"),
    ("RouteTables", "describe-route-tables"),
    ("Subnets", "describe-subnets"),
    ("Vpcs", "describe-vpcs"),
    ("InternetGateways", "describe-internet-gateways"),
    ("Reservations", "describe-instances"),
    ("PrefixLists", "describe-managed-prefix-lists"),
];

/// What a context file is, by its top-level keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextKind {
    /// `aws ec2 describe-…` output: the recognised keys it holds.
    Describe(Vec<&'static str>),
    /// `terraform show -json` of a state.
    TerraformState,
}

/// Tells the kind of a context file from its top-level JSON object.
///
/// # Errors
///
/// [`ErrorKind::Context`] naming the keys found when the object is no context file (a
/// plan, a template, `get-managed-prefix-list-entries` alone, anything else).
pub fn kind_of(top: &serde_json::Map<String, Value>) -> Result<ContextKind, ErrorKind> {
    let found: Vec<&'static str> = DESCRIBE_KEYS
        .iter()
        .filter(|(k, _)| top.contains_key(*k))
        .map(|(k, _)| *k)
        .collect();
    if !found.is_empty() {
        return Ok(ContextKind::Describe(found));
    }
    let is_plan = ["resource_changes", "planned_values", "prior_state"]
        .iter()
        .any(|k| top.contains_key(*k));
    if top.contains_key("format_version") && top.contains_key("values") && !is_plan {
        return Ok(ContextKind::TerraformState);
    }
    let hint = if is_plan {
        " (this is a Terraform plan: give it as the input, and the state of the network it builds on with --context)"
    } else if top.contains_key("lineage") && top.contains_key("resources") {
        " (this is a raw state file, as `terraform state pull` writes it: give `terraform show -json` instead, which reads the same state)"
    } else if top.contains_key("Entries") && top.len() <= 2 {
        " (this is `get-managed-prefix-list-entries`, which does not say which list: put each list's Entries into the describe-managed-prefix-lists output, see docs/context.md)"
    } else if top.contains_key("format_version") && !top.contains_key("values") {
        " (a Terraform state without `values` is empty: was it written by `terraform show -json` after an apply?)"
    } else {
        ""
    };
    let mut keys: Vec<&str> = top.keys().map(String::as_str).take(8).collect();
    if top.len() > keys.len() {
        keys.push("…");
    }
    let keys = if keys.is_empty() {
        "none".to_owned()
    } else {
        keys.join(", ")
    };
    Err(ErrorKind::Context(format!(
        "not a context file: expected the JSON of aws ec2 describe-security-groups, describe-network-acls, describe-route-tables, describe-subnets, describe-vpcs, describe-internet-gateways, describe-instances or describe-managed-prefix-lists, or terraform show -json of a state; found keys {keys}{hint}"
    )))
}

impl Context {
    /// Reads every context file (`-` for standard input) and merges what they say.
    ///
    /// # Errors
    ///
    /// When a file cannot be read, is not JSON, is not a context file, or describes an
    /// object differently from another file of the same kind; the error names the file.
    pub fn load(paths: &[PathBuf]) -> Result<Self> {
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            files.push((label(path), read_input(path, crate::limits::CONTEXT)?));
        }
        Self::from_files(&files)
    }

    /// Like [`Context::load`], from files already read: `(path as given, bytes)`.
    ///
    /// # Errors
    ///
    /// As for [`Context::load`].
    pub fn from_files(files: &[(String, Vec<u8>)]) -> Result<Self> {
        let mut pieces = Vec::new();
        let mut inputs = Vec::new();
        for (label, bytes) in files {
            let err = |kind| Error::new(Some(PathBuf::from(label)), kind);
            let top = parse(bytes).map_err(err)?;
            let kind = kind_of(&top).map_err(err)?;
            let format = match kind {
                ContextKind::Describe(keys) => {
                    pieces.extend(describe::read(&top, &keys, label).map_err(err)?);
                    SourceFormat::AwsDescribe
                }
                ContextKind::TerraformState => {
                    pieces.push(state::read(bytes, label).map_err(err)?);
                    SourceFormat::TerraformState
                }
            };
            inputs.push(Input {
                path: label.clone(),
                format,
                sha256: sha256_hex(bytes),
                revision: None,
                locations: BTreeMap::new(),
            });
        }
        // The result must not depend on the order the files were given in.
        inputs.sort_by(|a, b| (&a.path, &a.sha256).cmp(&(&b.path, &b.sha256)));
        inputs.dedup();
        let mut cx = merge::merge(pieces)?;
        cx.inputs = inputs;
        Ok(cx)
    }

    /// `true` when no context file was given.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The context files, as the report lists its inputs (sorted by path).
    #[must_use]
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// Everything the files describe, keyed by AWS id.
    #[must_use]
    pub fn known(&self) -> &Snapshot {
        &self.known
    }

    /// Adds the subnets, VPCs and internet gateways the files describe to a snapshot
    /// being built, before its endpoints are: an endpoint in a subnet known only by id
    /// then gets the subnet's default public addressing and its VPC's default security
    /// group, as AWS gives them. Objects are added under their id (or under the key of
    /// a data source in `aliases` that reads them), never over an object of the input;
    /// [`Context::settle`] later keeps only those the input refers to.
    pub fn seed(&self, s: &mut Snapshot, aliases: &BTreeMap<String, String>) {
        settle::seed(self, s, aliases);
    }

    /// Fills in, on both sides, the objects the input knows only by id, from what the
    /// files describe; adds the described instances that carry a group or sit in a
    /// subnet the input refers to; warns where the input's state before the change and
    /// a file disagree (the input wins), and where an object the input knows only by id
    /// is described by no file. Without files, warns about the subnets of endpoints
    /// whose routes the input does not list.
    pub fn settle(&self, pair: &mut super::SnapshotPair, warnings: &mut Warnings) {
        if self.is_empty() {
            settle::unknown_routes(pair, warnings);
        } else {
            settle::settle(self, pair, warnings);
        }
    }
}

/// The file's top-level JSON object.
fn parse(bytes: &[u8]) -> Result<serde_json::Map<String, Value>, ErrorKind> {
    let text = super::terraform_plan::decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ErrorKind::Context(
            "the file is empty; give the JSON written by `aws ec2 describe-… --output json` or `terraform show -json`".into(),
        ));
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(top)) => Ok(top),
        Ok(other) => Err(ErrorKind::Context(format!(
            "not a context file: expected a JSON object (the output of aws ec2 describe-… or terraform show -json of a state), found {}",
            match other {
                Value::Array(_) => "a list",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        ))),
        Err(e) if e.is_eof() => Err(ErrorKind::Truncated {
            line: e.line(),
            column: e.column(),
        }),
        Err(e) => Err(ErrorKind::json(&e)),
    }
}

fn label(path: &Path) -> String {
    super::path_label(path)
}

#[cfg(test)]
mod tests;
