//! Readers that turn infrastructure-as-code inputs into a [`SnapshotPair`].
//!
//! Each format exposes `load(bytes, &mut Warnings) -> Result<SnapshotPair, ErrorKind>`;
//! [`load_path`] picks the format, reads the file (or standard input) and records the
//! [`Input`] for the report. Readers speak their source format and nothing else: they
//! never evaluate reachability.

pub mod cloudformation;
pub mod context;
pub mod git;
pub mod terraform_hcl;
pub mod terraform_plan;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::limits;
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
    /// A directory of Terraform configuration (`*.tf`, `*.tf.json`), evaluated.
    TerraformConfiguration,
    /// A context file: the JSON of `aws ec2 describe-…` commands (`--context`).
    AwsDescribe,
    /// A context file: `terraform show -json` of a state (`--context`).
    TerraformState,
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
            Self::TerraformConfiguration => "terraform-configuration",
            Self::AwsDescribe => "aws-describe",
            Self::TerraformState => "terraform-state",
        }
    }

    /// `true` for context files (`--context`): they settle what the change's input
    /// knows only by id, and are never the change itself.
    #[must_use]
    pub fn is_context(self) -> bool {
        matches!(self, Self::AwsDescribe | Self::TerraformState)
    }
}

/// One input file as the report records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Input {
    /// The path as given (`-` for standard input).
    pub path: String,
    /// What it was read as.
    pub format: SourceFormat,
    /// SHA-256 of the bytes read, lowercase hex. For a directory, of the files read
    /// (configuration, `*.tfvars`, `--var-file`s): each file's path, a NUL, its length
    /// in decimal, a NUL and its bytes, in path order.
    pub sha256: String,
    /// The git revision the input was read at (`reachdiff diff --git BASE`); absent for
    /// the working tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Where each resource is (a plan: its entry in `resource_changes`; configuration:
    /// its block, and each nested block under `ADDRESS BLOCK`), for reports that point
    /// at lines; empty when the file is not the JSON read (a binary plan).
    #[serde(skip)]
    pub locations: BTreeMap<String, Location>,
}

/// Where a resource is written: a file, a line and a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file as the user named it (`plan.json`, `infra/network.tf`).
    pub path: String,
    /// The git revision the file was read at, if not the working tree.
    pub revision: Option<String>,
    /// Line, 1-based.
    pub line: usize,
    /// Column, 1-based.
    pub column: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(rev) = &self.revision {
            write!(f, "{rev}:")?;
        }
        write!(f, "{}:{}", self.path, self.line)
    }
}

impl Input {
    /// Where `resource` is written in this input.
    #[must_use]
    pub fn place(&self, resource: &str) -> Option<Place> {
        let at = self.locations.get(resource)?;
        let path = match &at.file {
            Some(file) => join_label(&self.path, file),
            None => self.path.clone(),
        };
        Some(Place {
            path,
            revision: self.revision.clone(),
            line: at.line,
            column: at.column,
        })
    }
}

/// Where `resource` is written, looking at the later inputs first: the state after the
/// change (`diff BEFORE AFTER`), the configuration given with `--source`.
#[must_use]
pub fn locate(inputs: &[Input], resource: &str) -> Option<Place> {
    inputs.iter().rev().find_map(|i| i.place(resource))
}

/// A place in an input, 1-based: in the input file itself, or in a file of an input
/// directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file, relative to the input directory (`/`-separated); `None` for the input
    /// file itself.
    pub file: Option<String>,
    /// Line.
    pub line: usize,
    /// Column, in characters.
    pub column: usize,
}

impl Location {
    /// Line and column in the input file itself.
    #[must_use]
    pub fn at(line: usize, column: usize) -> Self {
        Self {
            file: None,
            line,
            column,
        }
    }

    /// Line and column in `file`, relative to the input directory.
    #[must_use]
    pub fn in_file(file: &str, line: usize, column: usize) -> Self {
        Self {
            file: Some(file.to_owned()),
            line,
            column,
        }
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
    /// Keys that name an object the input only reads (a Terraform data source), with
    /// the AWS id it has: a context file describes the object under that id.
    pub aliases: BTreeMap<String, String>,
}

/// Reads `path` (`-` for standard input), detects its format and loads it.
///
/// # Errors
///
/// Any [`ErrorKind`], with the path attached.
pub fn load_path(path: &Path, warnings: &mut Warnings) -> Result<(Input, SnapshotPair)> {
    load_input(path, &LoadOptions::default(), warnings)
}

/// `true` when the first non-blank byte does not start JSON (nor a UTF-8/16 byte-order
/// mark): the input can only be YAML, so the YAML reader's error is the one to show.
fn yaml_like(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| !matches!(b, b'{' | b'[' | 0xEF | 0xFE | 0xFF))
}

/// The bytes of `path`, or of standard input for `-`, at most `limit` of them (a
/// `PLAN` may be any kind: [`limits::PLAN`], the largest, and each reader checks its
/// own limit once it knows the kind).
fn read_input(path: &Path, limit: limits::SizeLimit) -> Result<Vec<u8>> {
    let err = |kind| Error::new(Some(path.to_path_buf()), kind);
    if path == Path::new("-") {
        return limits::read_stdin(limit).map_err(err);
    }
    if path.is_dir() {
        return Err(err(ErrorKind::IsDirectory));
    }
    limits::read_file(path, limit).map_err(err)
}

/// One side of `reachdiff diff`: a path of the working tree, or a path at a git
/// revision.
#[derive(Debug)]
pub enum Side {
    /// A file or directory as it is now.
    Path(PathBuf),
    /// A file or directory at a git revision (`--git BASE`).
    Git(git::GitPath),
}

/// What the readers need besides the input: `CloudFormation` parameters and Terraform
/// variables.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `CloudFormation` parameters, overriding the template's defaults.
    pub parameters: BTreeMap<String, String>,
    /// Terraform variables (`--var`, `--var-file`).
    pub terraform: terraform_hcl::Options,
    /// The `CloudFormation` change set between two templates (`diff --changeset`).
    pub change_set: Option<PathBuf>,
    /// Context files (`--context`): what the input knows only by id.
    pub context: context::Context,
    /// The configuration directory a plan was made from (`plan --source`): evaluated
    /// with the plan's variables, it says what each reference known only after apply
    /// names, exactly.
    pub plan_source: Option<PathBuf>,
}

/// The change between two sides (`reachdiff diff`): two directories of Terraform
/// configuration, or two `CloudFormation` templates. A side missing at a git revision
/// (a new directory or file) is empty: everything is created.
///
/// # Errors
///
/// Any [`ErrorKind`], with the path attached; sides of different kinds are
/// [`ErrorKind::Mismatch`]; a file that is no template is [`ErrorKind::NotATemplate`].
pub fn load_diff(
    before: &Side,
    after: &Side,
    options: &LoadOptions,
    warnings: &mut Warnings,
) -> Result<(Vec<Input>, SnapshotPair)> {
    let (inputs, mut pair) = read_diff(before, after, options, warnings)?;
    options.context.settle(&mut pair, warnings);
    Ok((inputs, pair))
}

fn read_diff(
    before: &Side,
    after: &Side,
    options: &LoadOptions,
    warnings: &mut Warnings,
) -> Result<(Vec<Input>, SnapshotPair)> {
    let dir = |s: &Side| match s {
        Side::Path(p) => Some(p.is_dir()),
        Side::Git(_) => None,
    };
    let (b, a) = (dir(before), dir(after));
    if let (Some(bd), Some(ad)) = (b, a)
        && bd != ad
    {
        let (d, f) = if bd { (before, after) } else { (after, before) };
        return Err(Error::new(
            Some(side_path(f)),
            ErrorKind::Mismatch(format!(
                "is a file and {} is a directory; `reachdiff diff` compares two directories of Terraform configuration or two CloudFormation templates",
                side_path(d).display()
            )),
        ));
    }
    if b.or(a).unwrap_or(false) {
        if let Some(cs) = &options.change_set {
            return Err(Error::new(
                Some(cs.clone()),
                ErrorKind::Mismatch(
                    "is a CloudFormation change set, and the sides compared are Terraform directories; --changeset goes with two templates".into(),
                ),
            ));
        }
        load_configurations(before, after, options, warnings)
    } else {
        load_templates(before, after, options, warnings)
    }
}

fn side_path(side: &Side) -> PathBuf {
    match side {
        Side::Path(p) => p.clone(),
        Side::Git(g) => PathBuf::from(g.label()),
    }
}

/// A directory of Terraform configuration, evaluated, with its [`Input`].
///
/// `positional_blocks`: locate nested blocks by position, true only when the plan read
/// is synthesized from this configuration (see [`terraform_hcl::locations`]).
fn read_configuration(
    tree: &dyn terraform_hcl::Tree,
    (path, revision): (&str, Option<&str>),
    options: &terraform_hcl::Options,
    positional_blocks: bool,
    warnings: &mut Warnings,
) -> Result<(Input, terraform_hcl::Configuration)> {
    let config = terraform_hcl::evaluate(tree, "", options, warnings).map_err(|mut e| {
        // The evaluator names files relative to the directory; name them as given.
        let inner = e
            .path
            .take()
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        let mut shown = match revision {
            Some(rev) => format!("{rev}:{path}"),
            None => path.to_owned(),
        };
        if let Some(inner) = inner.filter(|i| i != "." && !i.is_empty()) {
            shown = match revision {
                Some(rev) => format!("{rev}:{}", join_label(path, &inner)),
                None => join_label(path, &inner),
            };
        }
        e.path = Some(PathBuf::from(shown));
        e
    })?;
    let mut digest = Sha256::new();
    for (file, text) in &config.files {
        digest.update(file.as_bytes());
        digest.update([0]);
        digest.update(text.len().to_string().as_bytes());
        digest.update([0]);
        digest.update(text.as_bytes());
    }
    let input = Input {
        path: path.to_owned(),
        format: SourceFormat::TerraformConfiguration,
        sha256: hex(&digest.finalize()),
        revision: revision.map(str::to_owned),
        locations: terraform_hcl::locations(&config, positional_blocks),
    };
    Ok((input, config))
}

/// Reads one side of a Terraform diff; `None` for a directory absent at a revision.
fn configuration_side(
    side: &Side,
    options: &terraform_hcl::Options,
    warnings: &mut Warnings,
) -> Result<Option<(Input, terraform_hcl::Configuration)>> {
    match side {
        Side::Path(p) => {
            let tree = terraform_hcl::DiskTree { root: p.clone() };
            read_configuration(&tree, (&path_label(p), None), options, true, warnings).map(Some)
        }
        Side::Git(g) => match g.tree()? {
            Some(tree) => {
                let label = if g.inner.is_empty() { "." } else { &g.inner };
                read_configuration(&tree, (label, Some(&g.revision)), options, true, warnings)
                    .map(Some)
            }
            None => Ok(None),
        },
    }
}

fn load_configurations(
    before: &Side,
    after: &Side,
    options: &LoadOptions,
    warnings: &mut Warnings,
) -> Result<(Vec<Input>, SnapshotPair)> {
    let old = configuration_side(before, &options.terraform, warnings)?;
    let Some(new) = configuration_side(after, &options.terraform, warnings)? else {
        return Err(Error::new(
            Some(side_path(after)),
            ErrorKind::Mismatch(
                "holds no files at that revision; the side after the change must exist (`--git` compares a revision with the working tree)".into(),
            ),
        ));
    };
    let plan = terraform_hcl::synthesize(old.as_ref().map(|(_, c)| c), &new.1);
    let pair = terraform_plan::load_in(plan.as_bytes(), &options.context, warnings)
        .map_err(|kind| Error::new(Some(side_path(after)), kind))?;
    let mut inputs: Vec<Input> = old.into_iter().map(|(i, _)| i).collect();
    inputs.push(new.0);
    Ok((inputs, pair))
}

/// Two `CloudFormation` templates, the stack before and after (`reachdiff diff`), and
/// optionally the change set between them, which gives each resource's action.
fn load_templates(
    before: &Side,
    after: &Side,
    options: &LoadOptions,
    warnings: &mut Warnings,
) -> Result<(Vec<Input>, SnapshotPair)> {
    let parameters = &options.parameters;
    let context = &options.context;
    let read = |side: &Side| -> Result<Option<Vec<u8>>> {
        match side {
            Side::Path(p) => read_input(p, limits::TEMPLATE).map(Some),
            Side::Git(g) => g.read(),
        }
    };
    let (b, a) = (read(before)?, read(after)?);
    let Some(a) = a else {
        return Err(Error::new(
            Some(side_path(after)),
            ErrorKind::Mismatch(
                "did not exist at that revision; the side after the change must exist (`--git` compares a revision with the working tree)".into(),
            ),
        ));
    };
    let change_set = match &options.change_set {
        None => None,
        Some(path) => {
            let bytes = read_input(path, limits::CHANGE_SET)?;
            let cs = cloudformation::changeset::parse(&bytes)
                .map_err(|kind| Error::new(Some(path.clone()), kind))?;
            Some((path, bytes, cs))
        }
    };
    let not_a_template = |side: &Side, bytes: &[u8], kind: ErrorKind| {
        // A template error names its own line; other input is said to be no template.
        let kind = if yaml_like(bytes) || cloudformation::is_template(bytes) {
            kind
        } else {
            ErrorKind::NotATemplate(
                "is not a CloudFormation template; `reachdiff diff` compares two templates or two directories of Terraform configuration (for a Terraform plan, use `reachdiff plan`)".into(),
            )
        };
        Error::new(Some(side_path(side)), kind)
    };
    let pair = match (&b, &change_set) {
        (Some(b), None) => cloudformation::load_pair(b, &a, parameters, context, warnings),
        (Some(b), Some((_, _, cs))) => {
            cloudformation::changeset::load_pair_with(b, &a, cs, parameters, context, warnings)
        }
        (None, _) => cloudformation::load_created(&a, parameters, context, warnings),
    };
    let pair = pair.map_err(|kind| match (kind, &change_set) {
        (kind @ ErrorKind::ChangeSet(_), Some((path, _, _))) => {
            Error::new(Some((*path).clone()), kind)
        }
        // Only on failure: find the side at fault.
        (kind, _) => match &b {
            Some(b) if cloudformation::load(b, parameters, &mut Warnings::new()).is_err() => {
                not_a_template(before, b, kind)
            }
            _ => not_a_template(after, &a, kind),
        },
    })?;
    let input = |side: &Side, bytes: &[u8]| {
        let (path, revision) = match side {
            Side::Path(p) => (path_label(p), None),
            Side::Git(g) => (g.inner.clone(), Some(g.revision.clone())),
        };
        let format = SourceFormat::CloudformationTemplate;
        Input {
            path,
            format,
            sha256: sha256_hex(bytes),
            revision,
            locations: locations_of(format, bytes),
        }
    };
    let mut inputs: Vec<Input> = b.iter().map(|b| input(before, b)).collect();
    inputs.push(input(after, &a));
    if let Some((path, bytes, _)) = &change_set {
        // Reports point at the templates, not at the change set's entries.
        inputs.push(Input {
            path: path_label(path),
            format: SourceFormat::CloudformationChangeSet,
            sha256: sha256_hex(bytes),
            revision: None,
            locations: BTreeMap::new(),
        });
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

/// Like [`load_path`], with `CloudFormation` parameters and Terraform variables; a
/// directory of Terraform configuration reads as the change that creates it.
///
/// # Errors
///
/// Any [`ErrorKind`], with the path attached.
pub fn load_input(
    path: &Path,
    options: &LoadOptions,
    warnings: &mut Warnings,
) -> Result<(Input, SnapshotPair)> {
    let (input, mut pair) = read_one(path, options, warnings)?;
    options.context.settle(&mut pair, warnings);
    Ok((input, pair))
}

fn read_one(
    path: &Path,
    options: &LoadOptions,
    warnings: &mut Warnings,
) -> Result<(Input, SnapshotPair)> {
    if path != Path::new("-") && path.is_dir() {
        return load_created_configuration(path, options, warnings);
    }
    let bytes = read_input(path, limits::PLAN)?;
    // The digest for the evidence record and the resources' lines take about a seventh
    // of the time of reading a large plan: found on a second core meanwhile, the lines
    // as a plan's (most large inputs are plans; any other kind is located once known).
    let (read, (sha256, plan_lines)) = crate::parallel::join(
        || read_kind(path, &bytes, options, warnings),
        || {
            let lines = locations_of(SourceFormat::TerraformPlanJson, &bytes);
            (sha256_hex(&bytes), lines)
        },
    );
    let (format, pair) = read?;
    let locations = match format {
        SourceFormat::TerraformPlanJson => plan_lines,
        _ => locations_of(format, &bytes),
    };
    let input = Input {
        path: path_label(path),
        format,
        sha256,
        revision: None,
        locations,
    };
    Ok((input, pair))
}

/// Reads `bytes` (the input at `path`) as whichever kind it is: a plan (JSON or binary),
/// a change set or a template.
fn read_kind(
    path: &Path,
    bytes: &[u8],
    options: &LoadOptions,
    warnings: &mut Warnings,
) -> Result<(SourceFormat, SnapshotPair)> {
    let err = |kind| Error::new(Some(path.to_path_buf()), kind);
    let stdin = path == Path::new("-");
    let context = &options.context;
    let parameters = &options.parameters;
    Ok(if terraform_plan::is_binary_plan(bytes) {
        if stdin {
            return Err(err(ErrorKind::BinaryPlan(
                "standard input holds a binary plan file; pipe the JSON instead: `terraform show -json plan.out | reachdiff -`".into(),
            )));
        }
        let json = terraform_plan::show_binary_plan(path).map_err(err)?;
        let pair = terraform_plan::load_in(&json, context, warnings).map_err(err)?;
        (SourceFormat::TerraformPlanBinary, pair)
    } else {
        // A plan first (the common case, read once); a template only when the bytes are
        // not a plan, so that plans never pay for template detection.
        let evaluate = options.plan_source.as_deref().map(|dir| {
            move |vars: Vec<(String, String)>| evaluate_source(dir, &options.terraform, vars)
        });
        let evaluate = evaluate
            .as_ref()
            .map(|f| f as &dyn Fn(Vec<(String, String)>) -> Option<terraform_hcl::Configuration>);
        match terraform_plan::load_with(bytes, context, evaluate, warnings) {
            Ok(pair) => (SourceFormat::TerraformPlanJson, pair),
            Err(_) if cloudformation::changeset::is_change_set(bytes) => {
                let cs = cloudformation::changeset::parse(bytes).map_err(err)?;
                let pair = cloudformation::changeset::load_standalone(&cs, context, warnings)
                    .map_err(err)?;
                (SourceFormat::CloudformationChangeSet, pair)
            }
            Err(plan_error) => {
                // Not a plan: a template, read once. Its own error (a YAML line, an
                // empty `Resources`) is the better one unless the input is JSON that is
                // no template at all.
                match cloudformation::load_created(bytes, parameters, context, warnings) {
                    Ok(pair) => (SourceFormat::CloudformationTemplate, pair),
                    // Too large or too deep: no other reader got further.
                    Err(e @ (ErrorKind::TooDeep { .. } | ErrorKind::TooLarge { .. })) => {
                        return Err(err(e));
                    }
                    Err(e) if yaml_like(bytes) || cloudformation::is_template(bytes) => {
                        return Err(err(e));
                    }
                    Err(_) => return Err(err(plan_error)),
                }
            }
        }
    })
}

/// A directory of Terraform configuration as the change that creates it.
fn load_created_configuration(
    path: &Path,
    options: &LoadOptions,
    warnings: &mut Warnings,
) -> Result<(Input, SnapshotPair)> {
    let tree = terraform_hcl::DiskTree {
        root: path.to_path_buf(),
    };
    let (input, config) = read_configuration(
        &tree,
        (&path_label(path), None),
        &options.terraform,
        true,
        warnings,
    )?;
    let plan = terraform_hcl::synthesize(None, &config);
    let pair = terraform_plan::load_in(plan.as_bytes(), &options.context, warnings)
        .map_err(|kind| Error::new(Some(path.to_path_buf()), kind))?;
    Ok((input, pair))
}

/// The configuration in `dir` evaluated with `vars` (a plan's variables) after the
/// command line's; `None` when it cannot be (`source_locations` says why).
fn evaluate_source(
    dir: &Path,
    options: &terraform_hcl::Options,
    vars: Vec<(String, String)>,
) -> Option<terraform_hcl::Configuration> {
    let tree = terraform_hcl::DiskTree {
        root: dir.to_path_buf(),
    };
    let mut options = options.clone();
    options.vars.extend(vars);
    // What evaluating warns about (values it cannot know) does not concern the plan,
    // which knows them.
    terraform_hcl::evaluate(&tree, "", &options, &mut Warnings::new()).ok()
}

/// The places of a plan's resources in its configuration directory (`--source DIR`),
/// as an extra [`Input`] that reports consult before the plan.
///
/// # Errors
///
/// When the directory cannot be evaluated.
pub fn source_locations(dir: &Path, options: &terraform_hcl::Options) -> Result<Input> {
    let tree = terraform_hcl::DiskTree {
        root: dir.to_path_buf(),
    };
    // The plan is the evidence of the change; what evaluating the configuration would
    // warn about (unknown values) does not concern it.
    let mut ignored = Warnings::new();
    let label = path_label(dir);
    read_configuration(&tree, (&label, None), options, false, &mut ignored).map(|(i, _)| i)
}

/// `file` (relative to the input directory `base`) as the user would name it: joined
/// and with `dir/..` folded (`envs/prod` + `../../modules/x/main.tf` is
/// `modules/x/main.tf`); `..` above `base`'s start stays.
pub(crate) fn join_label(base: &str, file: &str) -> String {
    if base == "." || base.is_empty() {
        return file.to_owned();
    }
    let absolute = base.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(file.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
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
