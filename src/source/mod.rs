//! Readers that turn infrastructure-as-code inputs into a [`SnapshotPair`].
//!
//! Each format exposes `load(bytes, &mut Warnings) -> Result<SnapshotPair, ErrorKind>`;
//! [`load_path`] picks the format, reads the file (or standard input) and records the
//! [`Input`] for the report. Readers speak their source format and nothing else: they
//! never evaluate reachability.

pub mod cloudformation;
pub mod terraform_plan;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::model::Snapshot;
use crate::warning::Warnings;

/// The kind of input a snapshot pair was read from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SourceFormat {
    /// `terraform show -json` of a saved plan.
    TerraformPlanJson,
    /// A binary saved plan, converted with `terraform show -json`.
    TerraformPlanBinary,
    /// A `CloudFormation` template (YAML or JSON).
    CloudformationTemplate,
    /// A `CloudFormation` change set (`aws cloudformation describe-change-set`).
    CloudformationChangeSet,
}

impl SourceFormat {
    /// The stable kebab-case name used in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TerraformPlanJson => "terraform-plan-json",
            Self::TerraformPlanBinary => "terraform-plan-binary",
            Self::CloudformationTemplate => "cloudformation-template",
            Self::CloudformationChangeSet => "cloudformation-change-set",
        }
    }
}

/// One input file as the report records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Input {
    /// The path as given (`-` for standard input).
    pub path: String,
    /// What it was read as.
    pub format: SourceFormat,
    /// SHA-256 of the bytes read, lowercase hex.
    pub sha256: String,
    /// Where each resource is in the file (its entry in `resource_changes`), for
    /// reports that point at lines; empty when the file is not the JSON read (a binary
    /// plan).
    #[serde(skip)]
    pub locations: BTreeMap<String, Location>,
}

/// A place in an input file, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// Line.
    pub line: usize,
    /// Column, in characters.
    pub column: usize,
}

impl Location {
    /// Line and column in the input file itself.
    #[must_use]
    pub fn at(line: usize, column: usize) -> Self {
        Self { line, column }
    }
}

/// The location of every `"address": "…"` of a plan's `resource_changes`, by address
/// (the first one after the `resource_changes` key). One pass over the text.
#[must_use]
pub fn locate_addresses(text: &str) -> BTreeMap<String, Location> {
    locate_values(text, "\"resource_changes\"", "\"address\"")
}

/// The location of every `key: "value"` after `section` in JSON text, by value (the
/// first one of each).
fn locate_values(text: &str, section: &str, key: &str) -> BTreeMap<String, Location> {
    let mut out = BTreeMap::new();
    let Some(start) = text.find(section) else {
        return out;
    };
    let (mut line, mut column, mut at) = (1, 1, 0);
    let mut advance = |to: usize| {
        for c in text[at..to].chars() {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        at = to;
        Location::at(line, column)
    };
    let mut from = start;
    while let Some(i) = text[from..].find(key) {
        let key_at = from + i;
        from = key_at + key.len();
        let rest = text[from..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(value) = rest.strip_prefix('"') else {
            continue;
        };
        // Addresses may hold escaped quotes (`aws_x.y["a\"b"]`): read to the closing one.
        let mut end = None;
        let mut escaped = false;
        for (j, c) in value.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(j);
                    break;
                }
                _ => escaped = false,
            }
        }
        let Some(end) = end else { break };
        let raw = &value[..end];
        let address = serde_json::from_str::<String>(&format!("\"{raw}\""))
            .unwrap_or_else(|_| raw.to_owned());
        if let std::collections::btree_map::Entry::Vacant(slot) = out.entry(address) {
            slot.insert(advance(key_at));
        }
    }
    out
}

/// What a plan does to one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeAction {
    /// Unchanged.
    NoOp,
    /// Created.
    Create,
    /// Destroyed.
    Delete,
    /// Changed in place.
    Update,
    /// Destroyed and created again (either order); the new object has a new id.
    Replace,
    /// A data source read at apply time.
    Read,
    /// Removed from Terraform state; the AWS object is left as it is.
    Forget,
}

impl ChangeAction {
    /// The stable kebab-case name used in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoOp => "no-op",
            Self::Create => "create",
            Self::Delete => "delete",
            Self::Update => "update",
            Self::Replace => "replace",
            Self::Read => "read",
            Self::Forget => "forget",
        }
    }
}

impl fmt::Display for ChangeAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two snapshots of a change, and what the change does to each resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotPair {
    /// The network before the change.
    pub before: Snapshot,
    /// The network after the change.
    pub after: Snapshot,
    /// Every resource of the input by address, with what the change does to it.
    pub actions: BTreeMap<String, ChangeAction>,
}

/// Reads `path` (`-` for standard input), detects its format and loads it.
///
/// # Errors
///
/// Any [`ErrorKind`], with the path attached.
pub fn load_path(path: &Path, warnings: &mut Warnings) -> Result<(Input, SnapshotPair)> {
    load_input(path, &BTreeMap::new(), warnings)
}

/// `true` when the first non-blank byte does not start JSON (nor a UTF-8/16 byte-order
/// mark): the input can only be YAML, so the YAML reader's error is the one to show.
fn yaml_like(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| !matches!(b, b'{' | b'[' | 0xEF | 0xFE | 0xFF))
}

/// The bytes of `path`, or of standard input for `-`.
fn read_input(path: &Path) -> Result<Vec<u8>> {
    let err = |kind| Error::new(Some(path.to_path_buf()), kind);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| err(ErrorKind::Io(e)))?;
    } else {
        if path.is_dir() {
            return Err(err(ErrorKind::IsDirectory));
        }
        bytes = std::fs::read(path).map_err(|e| err(ErrorKind::Io(e)))?;
    }
    Ok(bytes)
}

/// Two `CloudFormation` templates, the stack before and after (`reachdiff diff`), and
/// optionally the change set between them, which gives each resource's action.
///
/// # Errors
///
/// Any [`ErrorKind`], with the path attached; a side that is not a template is
/// [`ErrorKind::NotATemplate`], a change set for another stack
/// [`ErrorKind::ChangeSet`].
pub fn load_templates(
    before: &Path,
    after: &Path,
    change_set: Option<&Path>,
    parameters: &BTreeMap<String, String>,
    warnings: &mut Warnings,
) -> Result<(Vec<Input>, SnapshotPair)> {
    let (b, a) = (read_input(before)?, read_input(after)?);
    let change_set = match change_set {
        None => None,
        Some(path) => {
            let bytes = read_input(path)?;
            let cs = cloudformation::changeset::parse(&bytes)
                .map_err(|kind| Error::new(Some(path.to_path_buf()), kind))?;
            Some((path, bytes, cs))
        }
    };
    let loaded = match &change_set {
        None => cloudformation::load_pair(&b, &a, parameters, warnings),
        Some((path, _, cs)) => {
            match cloudformation::changeset::load_pair_with(&b, &a, cs, parameters, warnings) {
                Err(kind @ ErrorKind::ChangeSet(_)) => {
                    return Err(Error::new(Some(path.to_path_buf()), kind));
                }
                other => other,
            }
        }
    };
    let pair = loaded.map_err(|kind| {
        // Only on failure: find the side at fault, to name its file (a template error
        // names its own line) or to say it is no template at all.
        let before_fails = cloudformation::load(&b, parameters, &mut Warnings::new()).is_err();
        let (path, bytes) = if before_fails { (before, &b) } else { (after, &a) };
        let kind = if yaml_like(bytes) || cloudformation::is_template(bytes) {
            kind
        } else {
            ErrorKind::NotATemplate(
                "is not a CloudFormation template; `reachdiff diff` compares two templates (for a Terraform change, give its plan to `reachdiff plan`)".into(),
            )
        };
        Error::new(Some(path.to_path_buf()), kind)
    })?;
    let input = |path: &Path, bytes: &[u8], format| Input {
        path: path_label(path),
        format,
        sha256: sha256_hex(bytes),
        locations: locations_of(format, bytes),
    };
    let mut inputs = vec![
        input(before, &b, SourceFormat::CloudformationTemplate),
        input(after, &a, SourceFormat::CloudformationTemplate),
    ];
    // Reports point at the template after the change; at the one before only for
    // resources the change removes.
    let after_ids: Vec<String> = inputs[1].locations.keys().cloned().collect();
    for id in &after_ids {
        inputs[0].locations.remove(id);
    }
    if let Some((path, bytes, _)) = &change_set {
        inputs.push(input(path, bytes, SourceFormat::CloudformationChangeSet));
    }
    Ok((inputs, pair))
}

/// Where each resource is in an input, for reports that point at lines.
fn locations_of(format: SourceFormat, bytes: &[u8]) -> BTreeMap<String, Location> {
    match (format, std::str::from_utf8(bytes)) {
        (SourceFormat::TerraformPlanJson, Ok(text)) => locate_addresses(text),
        (SourceFormat::CloudformationTemplate, _) => cloudformation::locate_resources(bytes),
        (SourceFormat::CloudformationChangeSet, Ok(text)) => {
            locate_values(text, "\"Changes\"", "\"LogicalResourceId\"")
        }
        _ => BTreeMap::new(),
    }
}

/// Like [`load_path`], with `CloudFormation` parameters (they override the
/// template's defaults; ignored for plans).
///
/// # Errors
///
/// Any [`ErrorKind`], with the path attached.
pub fn load_input(
    path: &Path,
    parameters: &BTreeMap<String, String>,
    warnings: &mut Warnings,
) -> Result<(Input, SnapshotPair)> {
    let err = |kind| Error::new(Some(path.to_path_buf()), kind);
    let stdin = path == Path::new("-");
    let bytes = read_input(path)?;
    let sha256 = sha256_hex(&bytes);
    let (format, pair) = if terraform_plan::is_binary_plan(&bytes) {
        if stdin {
            return Err(err(ErrorKind::BinaryPlan(
                "standard input holds a binary plan file; pipe the JSON instead: `terraform show -json plan.out | reachdiff -`".into(),
            )));
        }
        let json = terraform_plan::show_binary_plan(path).map_err(err)?;
        let pair = terraform_plan::load(&json, warnings).map_err(err)?;
        (SourceFormat::TerraformPlanBinary, pair)
    } else {
        // A plan first (the common case, read once); a template only when the bytes are
        // not a plan, so that plans never pay for template detection.
        match terraform_plan::load(&bytes, warnings) {
            Ok(pair) => (SourceFormat::TerraformPlanJson, pair),
            Err(_) if cloudformation::changeset::is_change_set(&bytes) => {
                let cs = cloudformation::changeset::parse(&bytes).map_err(err)?;
                let pair =
                    cloudformation::changeset::load_standalone(&cs, warnings).map_err(err)?;
                (SourceFormat::CloudformationChangeSet, pair)
            }
            Err(plan_error) => {
                // Not a plan: a template, read once. Its own error (a YAML line, an
                // empty `Resources`) is the better one unless the input is JSON that is
                // no template at all.
                match cloudformation::load_created(&bytes, parameters, warnings) {
                    Ok(pair) => (SourceFormat::CloudformationTemplate, pair),
                    Err(e) if yaml_like(&bytes) || cloudformation::is_template(&bytes) => {
                        return Err(err(e));
                    }
                    Err(_) => return Err(err(plan_error)),
                }
            }
        }
    };
    let locations = locations_of(format, &bytes);
    let input = Input {
        path: path_label(path),
        format,
        sha256,
        locations,
    };
    Ok((input, pair))
}

fn path_label(path: &Path) -> String {
    let p: PathBuf = path.components().collect();
    p.to_string_lossy().replace('\\', "/")
}

/// SHA-256 of `bytes`, lowercase hex (the digests of the evidence record).
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
