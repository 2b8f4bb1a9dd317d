//! Terraform plans: `terraform show -json plan.out` → before and after [`Snapshot`]s.
//!
//! Reads plan `format_version` 0.x and 1.x, from UTF-8 (with or without BOM) or UTF-16
//! (PowerShell's `>` writes that). The *before* side of each resource is
//! `change.before` (resources only in `prior_state` count as unchanged), the *after*
//! side is `change.after` with `after_unknown` honoured; actions map to
//! [`ChangeAction`]. Ids of resources created in the plan are unknown, so references
//! are followed through the `configuration` section (the `config` submodule).
//! `deferred_changes` (a `count`/`for_each` known only after apply) are read too, and
//! what they contribute is possible (`possible`). Values serde cannot hold are read as
//! unknown where they are (`lenient`), never dropped with their resource.
//!
//! Security groups are read by the `security_groups` submodule, network ACLs by `network_acls`.
//! Everything that cannot be modelled exactly becomes a [`Warning`](crate::Warning).
//!
//! [`Snapshot`]: crate::model::Snapshot

pub(crate) mod address;
mod common;
mod config;
mod endpoints;
mod lenient;
mod network_acls;
mod possible;
mod raw;
mod refs;
mod security_groups;
mod topology;
mod values;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::rc::Rc;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use self::address::Address;
use self::config::{Candidates, ConfigIndex};
use self::raw::{RawChange, RawPlan, RawStateModule};
use self::refs::Want;
use super::context::Context;
use super::terraform_hcl;
use super::{ChangeAction, SnapshotPair};
use crate::error::ErrorKind;
use crate::model::Snapshot;
use crate::warning::{WarningKind, Warnings};

/// `true` when the bytes are a binary saved plan (a zip archive).
#[must_use]
pub fn is_binary_plan(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Converts a binary saved plan to JSON with `terraform show -json`, run in the plan's
/// directory (it needs the initialised working directory for provider schemas).
///
/// # Errors
///
/// [`ErrorKind::BinaryPlan`] when `terraform` is missing or fails.
pub fn show_binary_plan(path: &Path) -> Result<Vec<u8>, ErrorKind> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let file = path.file_name().unwrap_or(path.as_os_str());
    let output = Command::new("terraform")
        .arg("show")
        .arg("-json")
        // Diagnostics without colour codes (they are stripped below all the same).
        .arg("-no-color")
        .arg(file)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output();
    match output {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ErrorKind::BinaryPlan(
            "this is a binary plan file and `terraform` is not on PATH to read it; run `terraform show -json plan.out > plan.json` where the plan was made and give reachdiff plan.json".into(),
        )),
        Err(e) => Err(ErrorKind::BinaryPlan(format!(
            "this is a binary plan file and running `terraform show -json` failed: {e}"
        ))),
        Ok(out) if !out.status.success() => Err(ErrorKind::BinaryPlan(format!(
            "this is a binary plan file and `terraform show -json` failed in {}: {}; run it yourself in the initialised working directory (the one the plan was made in) and give reachdiff the JSON",
            dir.display(),
            terraform_failure(&out.stderr)
        ))),
        Ok(out) => Ok(out.stdout),
    }
}

/// The cause of a failed terraform command, from its standard error, on one line: the
/// `Error:` diagnostics (summary and detail), else every line; box-drawing and colour
/// codes removed, at most [`MAX_CAUSE`] characters.
fn terraform_failure(stderr: &[u8]) -> String {
    let text = strip_ansi(&String::from_utf8_lossy(stderr));
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || matches!(c, '│' | '╷' | '╵')))
        .collect();
    // A diagnostic is a block of lines from its `Error:`/`Warning:` line to a blank
    // line that ends it (`╵`, now empty, or the end).
    let mut errors: Vec<String> = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in &lines {
        if let Some(summary) = line.strip_prefix("Error: ") {
            if let Some(block) = current.take() {
                errors.push(block.join(" "));
            }
            current = Some(vec![summary]);
        } else if line.starts_with("Warning: ") {
            if let Some(block) = current.take() {
                errors.push(block.join(" "));
            }
        } else if let Some(block) = &mut current
            && !line.is_empty()
        {
            block.push(line);
        }
    }
    if let Some(block) = current {
        errors.push(block.join(" "));
    }
    let cause = if errors.is_empty() {
        lines
            .iter()
            .filter(|l| !l.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        errors.join("; ")
    };
    let cause = if cause.is_empty() {
        "it printed no reason".to_owned()
    } else {
        cause
    };
    match cause.char_indices().nth(MAX_CAUSE) {
        Some((at, _)) => format!("{}…", &cause[..at]),
        None => cause,
    }
}

/// The most characters of a terraform failure shown.
const MAX_CAUSE: usize = 600;

/// `text` without ANSI escape sequences (CSI `ESC [ … final`, and other `ESC x` pairs).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                // Parameters and intermediates, then one final byte in @..~.
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            Some(']') => {
                // Operating-system command: up to BEL or ESC \.
                while let Some(d) = chars.next() {
                    if d == '\u{7}' || (d == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Reads a `terraform show -json` plan into before and after snapshots.
///
/// # Errors
///
/// When the bytes are not a readable Terraform plan (see [`ErrorKind`]).
pub fn load(bytes: &[u8], warnings: &mut Warnings) -> Result<SnapshotPair, ErrorKind> {
    load_in(bytes, &Context::default(), warnings)
}

/// `terraform show -json` of a *state*, read as a plan that changes nothing: the
/// snapshot of what the state manages (for context files, `--context`).
///
/// # Errors
///
/// When the bytes are not readable JSON text.
pub(crate) fn load_state(bytes: &[u8], warnings: &mut Warnings) -> Result<Snapshot, ErrorKind> {
    let text = decode(bytes)?;
    let wrapped = format!("{{\"format_version\":\"1.0\",\"prior_state\":{text}}}");
    load(wrapped.as_bytes(), warnings).map(|pair| pair.before)
}

/// Like [`load`], with context files: the subnets and VPCs they describe are in the
/// snapshots before endpoints are built ([`Context::seed`]), so that an instance in a
/// subnet the plan knows only by id gets that subnet's public addressing and its VPC's
/// default group. (Settling the rest is [`Context::settle`]'s job, after reading.)
///
/// # Errors
///
/// As for [`load`].
pub fn load_in(
    bytes: &[u8],
    context: &Context,
    warnings: &mut Warnings,
) -> Result<SnapshotPair, ErrorKind> {
    load_with(bytes, context, None, warnings)
}

/// Evaluates the configuration a plan was made from, given the plan's variables as
/// `(name, value)` pairs (values as JSON text, which HCL reads); `None` when it cannot.
pub type Evaluate<'e> = &'e dyn Fn(Vec<(String, String)>) -> Option<terraform_hcl::Configuration>;

/// [`load_in`], with the plan's configuration directory at hand (`plan --source`):
/// `evaluate` gives what each attribute known only after apply refers to, instance by
/// instance, where the plan's `configuration` section records only which resources an
/// expression mentions (`aws_subnet.s` and `count.index`, not `count.index % 2`).
///
/// # Errors
///
/// As [`load_in`].
pub fn load_with(
    bytes: &[u8],
    context: &Context,
    evaluate: Option<Evaluate<'_>>,
    warnings: &mut Warnings,
) -> Result<SnapshotPair, ErrorKind> {
    if is_binary_plan(bytes) {
        return Err(ErrorKind::BinaryPlan(
            "this is a binary plan file; give reachdiff the output of `terraform show -json plan.out`".into(),
        ));
    }
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ErrorKind::Empty);
    }
    if is_event_stream(&text) {
        return Err(ErrorKind::EventStream);
    }
    // Parse the text as it is, so that error positions match the file.
    let raw: RawPlan<'_> = serde_json::from_str(&text).map_err(|e| json_error(&e))?;
    check_is_plan(&raw)?;
    let mut plan = Plan::new(&raw, warnings);
    if let Some(evaluate) = evaluate {
        let vars = raw
            .variables
            .iter()
            .map(|(name, v)| (name.clone(), v.value.to_string()))
            .collect();
        match evaluate(vars) {
            Some(config) => {
                plan.evaluated = config
                    .resources
                    .into_iter()
                    .filter(|r| !r.data && !r.deferred)
                    .map(|r| (r.address, r.values))
                    .collect();
            }
            None => warnings.push(
                WarningKind::Input,
                None,
                "--source: the configuration could not be evaluated, so references known only after apply are resolved from the plan alone (possible where it cannot tell); check that --source names the directory `terraform plan` ran in, and run `reachdiff plan DIR` on it to see why it does not evaluate".to_owned(),
            ),
        }
    }
    warn_unsupported(&plan, warnings);
    let (before_sgs, after_sgs) = security_groups::build(&plan, warnings);
    let (before_acls, after_acls) = network_acls::build(&plan, warnings);
    let mut before = Snapshot {
        security_groups: before_sgs,
        network_acls: before_acls,
        ..Snapshot::default()
    };
    let mut after = Snapshot {
        security_groups: after_sgs,
        network_acls: after_acls,
        ..Snapshot::default()
    };
    let aliases = data_source_ids(&plan);
    for (snapshot, is_after) in [(&mut before, false), (&mut after, true)] {
        topology::build(&plan, is_after, snapshot, warnings);
        context.seed(snapshot, &aliases);
        endpoints::build(&plan, is_after, snapshot, warnings);
    }
    for e in &plan.entries {
        for note in e.notes.borrow().iter() {
            warnings.push(WarningKind::InvalidRule, Some(&e.label()), note.clone());
        }
    }
    let deferred = possible::deferred(&plan, warnings);
    possible::mark(&mut before, &deferred);
    possible::mark(&mut after, &deferred);
    Ok(SnapshotPair {
        before,
        after,
        actions: plan
            .entries
            .iter()
            .filter(|e| !e.data)
            .map(|e| (e.label(), e.action))
            .collect(),
        aliases,
    })
}

/// The data sources that read an object by its AWS id (known at plan time): references
/// to them are keyed by the data source's address, which stands for that id.
fn data_source_ids(plan: &Plan<'_>) -> BTreeMap<String, String> {
    plan.entries
        .iter()
        .filter(|e| e.data)
        .filter_map(|e| {
            let id = [&e.after_id, &e.before_id]
                .into_iter()
                .flatten()
                .find_map(|i| i.get(IdAttr::Id))
                .filter(|id| !id.is_empty())?
                .to_owned();
            Some((e.label(), id))
        })
        .collect()
}

/// The text of a JSON file: UTF-8 with or without BOM, or UTF-16.
pub(crate) fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, ErrorKind> {
    let utf16 = |bytes: &[u8], le: bool| -> Result<String, ErrorKind> {
        if !bytes.len().is_multiple_of(2) {
            return Err(ErrorKind::Encoding(
                "UTF-16 with an odd number of bytes".into(),
            ));
        }
        let units = bytes.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| ErrorKind::Encoding(format!("invalid UTF-16: {e}")))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|e| ErrorKind::Encoding(format!("invalid UTF-8: {e}"))),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true).map(Into::into),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false).map(Into::into),
        // UTF-16 without a byte-order mark: JSON starts with an ASCII character.
        [a, 0, ..] if *a != 0 => utf16(bytes, true).map(Into::into),
        [0, b, ..] if *b != 0 => utf16(bytes, false).map(Into::into),
        _ => std::str::from_utf8(bytes)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|e| ErrorKind::Encoding(format!("invalid UTF-8: {e}"))),
    }
}

/// `terraform plan -json` prints one JSON object per line, each with `@level` and
/// `@message`.
fn is_event_stream(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    lines.next().is_some()
        && serde_json::from_str::<Value>(first)
            .is_ok_and(|v| v.get("@message").is_some() || v.get("@level").is_some())
}

fn json_error(e: &serde_json::Error) -> ErrorKind {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => ErrorKind::Truncated {
            line: e.line(),
            column: e.column(),
        },
        Category::Data => ErrorKind::NotAPlan(format!(
            "the JSON is not a Terraform plan ({e}); give reachdiff the output of `terraform show -json plan.out`"
        )),
        Category::Syntax | Category::Io => ErrorKind::json(e),
    }
}

fn check_is_plan(raw: &RawPlan<'_>) -> Result<(), ErrorKind> {
    let not_a_plan = |what: &str| {
        Err(ErrorKind::NotAPlan(format!(
            "{what}; reachdiff reads plans: `terraform plan -out plan.out && terraform show -json plan.out > plan.json`"
        )))
    };
    if raw.cfn_changes.is_some() {
        return Err(ErrorKind::NotAPlan(
            "this is a CloudFormation change set, not a Terraform plan; `reachdiff plan cs.json` reads it (with property values), or `reachdiff diff old.yaml new.yaml --changeset cs.json` with the stack's templates".into(),
        ));
    }
    if raw.cfn_resources.is_some() {
        return not_a_plan("this looks like a CloudFormation template, not a Terraform plan");
    }
    let Some(version) = raw.format_version.as_deref() else {
        return not_a_plan("the JSON has no `format_version`, so it is not a Terraform plan");
    };
    let is_plan = raw.planned_values.is_some()
        || raw.resource_changes.is_some()
        || raw.configuration.is_some()
        || raw.prior_state.is_some();
    if !is_plan {
        if raw.values.is_some() {
            return not_a_plan(
                "this is Terraform state (`terraform show -json` without a plan file), not a plan",
            );
        }
        return not_a_plan(
            "the JSON has no `planned_values` or `resource_changes`, so it is not a Terraform plan",
        );
    }
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(0 | 1) => Ok(()),
        _ => Err(ErrorKind::UnsupportedFormatVersion(version.to_owned())),
    }
}

/// Identity attributes read from every relevant resource (cheaply, without building a
/// full JSON tree), as the plan spells them.
#[derive(Deserialize)]
struct RawIdentity {
    #[serde(default)]
    id: Option<String>,
    /// Load balancers, target groups and listeners are referenced by ARN.
    #[serde(default)]
    arn: Option<String>,
    /// Subnet groups are referenced by name.
    #[serde(default)]
    name: Option<String>,
    /// An instance's primary network interface (what EIPs and SG attachments name).
    #[serde(default)]
    primary_network_interface_id: Option<String>,
    #[serde(default)]
    default_security_group_id: Option<String>,
    #[serde(default)]
    default_network_acl_id: Option<String>,
    #[serde(default)]
    main_route_table_id: Option<String>,
    #[serde(default)]
    ipv6_cidr_block: Option<String>,
}

/// One attribute of [`Identity`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum IdAttr {
    Id,
    Arn,
    Name,
    PrimaryNetworkInterfaceId,
    DefaultSecurityGroupId,
    DefaultNetworkAclId,
    MainRouteTableId,
    Ipv6CidrBlock,
}

/// The identity attributes a side of an entry holds: only those present, so an entry
/// of a large plan (most of whose attributes are absent or known only after apply)
/// carries 16 bytes per side instead of eight empty strings.
struct Identity(Box<[(IdAttr, Box<str>)]>);

impl Identity {
    /// The attribute's value as the plan wrote it (possibly empty); `None` when absent.
    fn get(&self, attr: IdAttr) -> Option<&str> {
        self.0.iter().find(|(a, _)| *a == attr).map(|(_, v)| &**v)
    }
}

impl From<RawIdentity> for Identity {
    fn from(r: RawIdentity) -> Self {
        Identity(
            [
                (IdAttr::Id, r.id),
                (IdAttr::Arn, r.arn),
                (IdAttr::Name, r.name),
                (
                    IdAttr::PrimaryNetworkInterfaceId,
                    r.primary_network_interface_id,
                ),
                (IdAttr::DefaultSecurityGroupId, r.default_security_group_id),
                (IdAttr::DefaultNetworkAclId, r.default_network_acl_id),
                (IdAttr::MainRouteTableId, r.main_route_table_id),
                (IdAttr::Ipv6CidrBlock, r.ipv6_cidr_block),
            ]
            .into_iter()
            .filter_map(|(a, v)| Some((a, v?.into_boxed_str())))
            .collect(),
        )
    }
}

/// Which identity attributes `after_unknown` marks as known only after apply.
#[derive(Deserialize, Default, Clone, Copy)]
#[allow(clippy::struct_excessive_bools)] // one flag per attribute of `Identity`, as the plan marks them
struct UnknownIdentity {
    #[serde(default, deserialize_with = "marked")]
    id: bool,
    #[serde(default, deserialize_with = "marked")]
    arn: bool,
    #[serde(default, deserialize_with = "marked")]
    name: bool,
    #[serde(default, deserialize_with = "marked")]
    primary_network_interface_id: bool,
    #[serde(default, deserialize_with = "marked")]
    default_security_group_id: bool,
    #[serde(default, deserialize_with = "marked")]
    default_network_acl_id: bool,
    #[serde(default, deserialize_with = "marked")]
    main_route_table_id: bool,
}

/// `true` for an `after_unknown` leaf that is `true`; anything else is `false`.
fn marked<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(matches!(Value::deserialize(d)?, Value::Bool(true)))
}

fn unknown_identity(raw: Option<&RawValue>) -> UnknownIdentity {
    raw.and_then(|r| serde_json::from_str::<UnknownIdentity>(r.get()).ok())
        .unwrap_or_default()
}

fn identity(raw: Option<&RawValue>) -> Option<Identity> {
    // A mistyped field (an id that is a number, say) only loses the identity; a value
    // serde cannot hold elsewhere in the object does not.
    let raw = raw?;
    serde_json::from_str::<RawIdentity>(raw.get())
        .ok()
        .or_else(|| {
            let value = lenient::parse(raw.get()).value;
            serde_json::from_value::<RawIdentity>(value).ok()
        })
        .map(Identity::from)
}

/// One resource instance of the plan, from `resource_changes` or (when unchanged and
/// absent there) `prior_state`.
struct Entry<'a> {
    /// Full address, e.g. `module.net.aws_security_group.web[0]`.
    address: String,
    /// Parsed address (`None` for an address reachdiff cannot parse).
    addr: Option<Address>,
    kind: String,
    data: bool,
    /// Deposed object key, for leftover objects of `create_before_destroy`.
    deposed: Option<String>,
    action: ChangeAction,
    before: Option<&'a RawValue>,
    after: Option<&'a RawValue>,
    after_unknown: Option<&'a RawValue>,
    /// Only in plans synthesized from configuration (see [`RawChange::before_unknown`]).
    before_unknown: Option<&'a RawValue>,
    before_id: Option<Identity>,
    after_id: Option<Identity>,
    /// Which of `after_id`'s attributes are known only after apply.
    after_unknown_id: UnknownIdentity,
    /// What could not be read as written (see [`Entry::values`]); warned about once the
    /// snapshots are built.
    notes: std::cell::RefCell<Vec<String>>,
    /// From `deferred_changes`, with Terraform's reason (`instance_count_unknown`):
    /// what it contributes is possible ([`possible::mark`]).
    deferred: Option<String>,
}

impl Entry<'_> {
    /// The name used for this object in the model and reports.
    fn label(&self) -> String {
        match &self.deposed {
            Some(k) => format!("{} (deposed {k})", self.address),
            None => self.address.clone(),
        }
    }

    /// Whether an identity attribute (`None`: the id) is known only after apply on the
    /// side after the change: `Some(true)` when `after_unknown` says so, `Some(false)`
    /// when `after` holds it, `None` when the plan does not say (or for another
    /// attribute).
    fn attribute_unknown(&self, attr: Option<&str>) -> Option<bool> {
        let u = &self.after_unknown_id;
        let known = |attr| {
            self.after_id
                .as_ref()
                .is_some_and(|i| i.get(attr).is_some_and(|v| !v.is_empty()))
        };
        let (unknown, known) = match attr {
            None | Some("id") => (u.id, known(IdAttr::Id)),
            Some("arn") => (u.arn, known(IdAttr::Arn)),
            Some("name") => (u.name, known(IdAttr::Name)),
            Some("primary_network_interface_id") => (
                u.primary_network_interface_id,
                known(IdAttr::PrimaryNetworkInterfaceId),
            ),
            Some("default_security_group_id") => (
                u.default_security_group_id,
                known(IdAttr::DefaultSecurityGroupId),
            ),
            Some("default_network_acl_id") => {
                (u.default_network_acl_id, known(IdAttr::DefaultNetworkAclId))
            }
            Some("main_route_table_id") => (u.main_route_table_id, known(IdAttr::MainRouteTableId)),
            Some(_) => return None,
        };
        if unknown {
            Some(true)
        } else if known {
            Some(false)
        } else {
            None
        }
    }

    /// Every id this object is known by (id, ARN, primary network interface id).
    fn ids(&self) -> impl Iterator<Item = &str> {
        [&self.before_id, &self.after_id]
            .into_iter()
            .flatten()
            .flat_map(|i| {
                [IdAttr::Id, IdAttr::Arn, IdAttr::PrimaryNetworkInterfaceId].map(|a| i.get(a))
            })
            .flatten()
            .filter(|s| !s.is_empty())
    }

    /// The `name` attribute on either side (subnet groups are referenced by name).
    fn name_attr(&self) -> Option<&str> {
        [&self.after_id, &self.before_id]
            .into_iter()
            .flatten()
            .find_map(|i| i.get(IdAttr::Name))
            .filter(|s| !s.is_empty())
    }

    /// Parses `before`, `after`, `before_unknown` and `after_unknown` into JSON trees.
    ///
    /// Never drops a side it cannot read: what `serde_json` refuses (`1e400`, a lone
    /// surrogate, nesting past 128 levels) is read as unknown ([`lenient`]), and a note
    /// for the warning is kept in [`Entry::notes`].
    fn values(&self) -> (Option<Value>, Option<Value>, Value, Value) {
        self.values_from(parse_values(self.raw_values()))
    }

    /// The texts [`Entry::values`] parses, in the order [`Parsed`] holds them.
    fn raw_values(&self) -> [Option<&str>; 4] {
        [
            self.before,
            self.after,
            self.before_unknown,
            self.after_unknown,
        ]
        .map(|r| r.map(RawValue::get))
    }

    /// [`Entry::values`] from what `serde_json` made of [`Entry::raw_values`].
    fn values_from(&self, parsed: Parsed) -> (Option<Value>, Option<Value>, Value, Value) {
        let [before, after, before_unknown, after_unknown] = parsed;
        let [raw_before, raw_after, ..] = self.raw_values();
        let read = |name: &str, raw: Option<&str>, parsed| -> (Option<Value>, Value) {
            let (Some(raw), Some(parsed)) = (raw, parsed) else {
                return (None, Value::Null);
            };
            if let Ok(v) = parsed {
                return (Some(v).filter(|v: &Value| !v.is_null()), Value::Null);
            }
            let l = lenient::parse(raw);
            self.note(format!(
                "in `{name}`, {}; read as unknown, so the rules and endpoints that depend on it are widened and possible",
                l.problem
            ));
            let value = match l.value {
                Value::Null => Value::Object(serde_json::Map::new()),
                v => v,
            };
            (Some(value), l.unknown)
        };
        let mask = |name: &str, parsed: Option<serde_json::Result<Value>>| -> Value {
            match parsed {
                None => Value::Null,
                Some(Ok(v)) => v,
                Some(Err(_)) => {
                    self.note(format!(
                        "`{name}` cannot be read; every value on that side is taken as unknown"
                    ));
                    Value::Bool(true)
                }
            }
        };
        let (before, before_extra) = read("before", raw_before, before);
        let (after, after_extra) = read("after", raw_after, after);
        (
            before,
            after,
            lenient::merge_unknown(mask("before_unknown", before_unknown), before_extra),
            lenient::merge_unknown(mask("after_unknown", after_unknown), after_extra),
        )
    }

    /// Keeps a note about reading this entry (a warning once the model is built).
    fn note(&self, message: String) {
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&message) {
            notes.push(message);
        }
    }
}

/// What the VPC behind a default security group or ACL looked like.
#[derive(Clone, Debug, Default)]
struct VpcFacts {
    /// The VPC existed before the change (its default SG/ACL had AWS's default rules).
    existed_before: bool,
    /// Whether the VPC had an IPv6 block before; `None` when the VPC is not in the plan.
    had_ipv6: Option<bool>,
}

/// The plan, indexed for the builders.
struct Plan<'a> {
    entries: Vec<Entry<'a>>,
    config: ConfigIndex<'a>,
    /// (data?, type, name) → entry indices, for matching reference targets.
    by_name: HashMap<(bool, String, String), Vec<usize>>,
    /// Resource id → entry index, for every resource that has an id.
    by_id: HashMap<String, usize>,
    /// [`Entry::label`] → entry index.
    by_label: HashMap<String, usize>,
    /// Id of a VPC's default security group, default network ACL or main route table →
    /// the VPC's entry index.
    by_default_id: HashMap<String, usize>,
    /// [`Plan::resolve_keys`] by what is wanted, whether one value is expected, and what
    /// the expression may evaluate to: the instances of a `count` resource share one
    /// expression, which is interpreted once rather than once per instance (each
    /// interpretation visits every instance of the resources it names).
    resolved_keys: RefCell<HashMap<(Want, bool, Candidates), Rc<ResolvedKeys>>>,
    /// With `plan --source`: each managed resource instance's values as the
    /// configuration evaluates them, by address; references to resources are symbolic
    /// ids naming their instance (`subnet-aws_subnet.s[1]`).
    evaluated: HashMap<String, serde_json::Value>,
}

/// A reference resolved to the keys of what it names ([`Plan::resolve_keys`]).
struct ResolvedKeys {
    /// The resolution, without its entries (only whether it is open or ambiguous).
    resolved: Resolved,
    /// [`Plan::candidate_keys`] of the full resolution.
    keys: Vec<String>,
}

/// What an id-valued attribute refers to, after following ids and references.
#[derive(Debug, Default)]
struct Resolved {
    /// Entry indices of the resources referred to.
    entries: Vec<usize>,
    /// Ids that match no resource of the plan.
    external: Vec<String>,
    /// Some value could not be followed; the result may be incomplete.
    open: bool,
    /// Several candidates where one was expected.
    ambiguous: bool,
    /// Instances of one `count`/`for_each` resource the reference may name, any of them
    /// (`aws_subnet.s[count.index % 3]`): one unknown object, not each of them.
    families: Vec<Family>,
}

/// Several instances of one resource that a reference may name.
#[derive(Debug)]
struct Family {
    /// `aws_subnet.s[*]`, `module.net[*].aws_subnet.private`.
    label: String,
    /// Their entries.
    members: Vec<usize>,
}

/// A reference target as an address pattern, `[*]` standing for any index.
fn family_label(t: &config::Target) -> String {
    let key = |k: &config::KeyPat| match k {
        config::KeyPat::Any => "[*]".to_owned(),
        config::KeyPat::Is(Some(k)) => k.to_string(),
        config::KeyPat::Is(None) => String::new(),
    };
    let mut out = String::new();
    for (name, k) in &t.modules {
        out.push_str("module.");
        out.push_str(name);
        out.push_str(&key(k));
        out.push('.');
    }
    if t.data {
        out.push_str("data.");
    }
    out.push_str(&t.kind);
    out.push('.');
    out.push_str(&t.name);
    out.push_str(&key(&t.index));
    if let Some(attr) = t.attr.as_deref().filter(|a| !matches!(*a, "id" | "arn")) {
        out.push('.');
        out.push_str(attr);
    }
    out
}

impl Resolved {
    /// Marks the result ambiguous when it names more than one object: for attributes
    /// that hold one id (`security_group_id`), unlike lists (`subnet_ids`).
    /// Whether it is open or ambiguous, without what it found.
    fn flags(&self) -> Self {
        Self {
            open: self.open,
            ambiguous: self.ambiguous,
            ..Self::default()
        }
    }

    fn expect_one(mut self) -> Self {
        self.ambiguous |= self.entries.len() + self.external.len() > 1;
        self
    }
}

impl<'a> Plan<'a> {
    fn new(raw: &'a RawPlan<'a>, warnings: &mut Warnings) -> Self {
        let mut entries = collect_entries(raw, warnings);
        entries.sort_by(|a, b| (&a.address, &a.deposed).cmp(&(&b.address, &b.deposed)));

        let mut by_name: HashMap<(bool, String, String), Vec<usize>> = HashMap::new();
        let mut by_id = HashMap::new();
        let by_label = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.label(), i))
            .collect();
        for (i, e) in entries.iter_mut().enumerate() {
            e.before_id = identity(e.before);
            e.after_id = identity(e.after);
            e.after_unknown_id = unknown_identity(e.after_unknown);
            if let Some(a) = &e.addr {
                by_name
                    .entry((a.data, a.kind.clone(), a.name.clone()))
                    .or_default()
                    .push(i);
            }
        }
        let mut by_default_id = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            for ident in [&e.before_id, &e.after_id].into_iter().flatten() {
                for id in [
                    IdAttr::DefaultSecurityGroupId,
                    IdAttr::DefaultNetworkAclId,
                    IdAttr::MainRouteTableId,
                ]
                .into_iter()
                .filter_map(|a| ident.get(a))
                .filter(|id| !id.is_empty())
                {
                    by_default_id.insert(id.to_owned(), i);
                }
            }
            // Managed resources win over data sources reading the same object.
            for id in e.ids() {
                let slot = by_id.entry(id.to_owned()).or_insert(i);
                if entries[*slot].data && !e.data {
                    *slot = i;
                }
            }
        }
        Self {
            entries,
            config: ConfigIndex::new(
                raw.configuration.as_ref().map(|c| &c.root_module),
                &raw.variables,
            ),
            by_name,
            by_id,
            by_label,
            by_default_id,
            resolved_keys: RefCell::default(),
            evaluated: HashMap::new(),
        }
    }

    /// Whether the configuration sets `attr` on entry `i` (`None`: the plan has no
    /// configuration for it). Readers take an unknown value that is not configured as
    /// "the provider's default" (no rules, nothing associated); an entry with values
    /// reachdiff could not read answers `Some(true)`, so that what it could not read is
    /// widened, never taken as empty.
    fn configured(&self, i: usize, attr: &str) -> Option<bool> {
        let e = &self.entries[i];
        if !e.notes.borrow().is_empty() {
            return Some(true);
        }
        e.addr.as_ref().and_then(|a| self.config.sets(a, attr))
    }

    /// The VPC whose default security group or network ACL has this id.
    fn vpc_by_default_id(&self, id: &str) -> Option<usize> {
        self.by_default_id.get(id).copied()
    }

    /// The entry whose [`Entry::label`] is `label`.
    fn entry_by_label(&self, label: &str) -> Option<usize> {
        self.by_label.get(label).copied()
    }

    /// The entry with this id, if any resource of the plan has it.
    fn entry_by_id(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Follows the configuration expression of `attr` on entry `from` to the resources
    /// (and literal ids) it may refer to, keeping those `accept` recognises (by entry
    /// and referenced attribute) and literals starting with `id_prefix`.
    fn resolve_reference(
        &self,
        from: usize,
        attr: &str,
        accept: &dyn Fn(&Entry<'_>, Option<&str>) -> bool,
        id_prefix: &str,
    ) -> Resolved {
        let entry = &self.entries[from];
        let Some(addr) = &entry.addr else {
            return Resolved {
                open: true,
                ..Resolved::default()
            };
        };
        let Some(cands) = self.config.resolve(addr, attr) else {
            return Resolved {
                open: true,
                ..Resolved::default()
            };
        };
        self.interpret(&cands, accept, id_prefix)
    }

    /// The keys of what the reference in attribute `attr` of entry `from` names, as
    /// [`Want::accepts`] them, with [`Resolved::expect_one`] when `single`; memoised.
    fn resolve_keys(&self, from: usize, attr: &str, want: Want, single: bool) -> Rc<ResolvedKeys> {
        if let Some(keys) = self.evaluated_keys(from, attr, want) {
            return Rc::new(ResolvedKeys {
                resolved: Resolved::default(),
                keys,
            });
        }
        let cands = self.entries[from]
            .addr
            .as_ref()
            .and_then(|addr| self.config.resolve(addr, attr));
        let Some(cands) = cands else {
            let resolved = Resolved {
                open: true,
                ..Resolved::default()
            };
            let keys = self.candidate_keys(want, &resolved);
            return Rc::new(ResolvedKeys { resolved, keys });
        };
        let memo_key = (want, single, cands);
        if let Some(hit) = self.resolved_keys.borrow().get(&memo_key) {
            return Rc::clone(hit);
        }
        let mut resolved =
            self.interpret(&memo_key.2, &|e, a| want.accepts(e, a), want.id_prefix());
        if single {
            resolved = resolved.expect_one();
        }
        let keys = self.candidate_keys(want, &resolved);
        let out = Rc::new(ResolvedKeys {
            resolved: resolved.flags(),
            keys,
        });
        self.resolved_keys
            .borrow_mut()
            .insert(memo_key, Rc::clone(&out));
        out
    }

    /// The keys attribute `attr` of entry `from` names as the evaluated configuration
    /// says (`plan --source`), when it says: every value a symbolic id of an instance
    /// of the plan of the wanted type.
    fn evaluated_keys(&self, from: usize, attr: &str, want: Want) -> Option<Vec<String>> {
        let value = self.evaluated.get(&self.entries[from].label())?.get(attr)?;
        let ids: Vec<&str> = match value {
            Value::String(id) => vec![id.as_str()],
            Value::Array(items) => items.iter().map(Value::as_str).collect::<Option<_>>()?,
            _ => return None,
        };
        if ids.is_empty() {
            return None;
        }
        // The plan knows every value the configuration can know by itself, so a value
        // it does not know is something created (or read) with it: accept only symbolic
        // ids of its own instances, else say nothing.
        let mut keys: Vec<String> = ids
            .into_iter()
            .map(|id| {
                let entry = *self.by_label.get(id.strip_prefix(want.id_prefix())?)?;
                want.accepts(&self.entries[entry], Some("id"))
                    .then(|| self.key_of(want, entry))
            })
            .collect::<Option<_>>()?;
        keys.sort();
        keys.dedup();
        Some(keys)
    }

    fn interpret(
        &self,
        cands: &Candidates,
        accept: &dyn Fn(&Entry<'_>, Option<&str>) -> bool,
        id_prefix: &str,
    ) -> Resolved {
        let mut out = Resolved {
            open: cands.open,
            ..Resolved::default()
        };
        let mut per_target: Vec<(&config::Target, Vec<usize>)> = Vec::new();
        for t in &cands.targets {
            let Some(idx) = self.by_name.get(&(t.data, t.kind.clone(), t.name.clone())) else {
                continue;
            };
            let hits: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| {
                    let e = &self.entries[i];
                    e.deposed.is_none()
                        && e.addr.as_ref().is_some_and(|a| t.matches(a))
                        && accept(e, t.attr.as_deref())
                })
                .collect();
            // No pairing by index: `s[count.index]`, `s[count.index % 3]` and
            // `s[(count.index + 1) % var.n]` all read as `aws_subnet.s` plus
            // `count.index` in `configuration`, so an index says nothing here.
            per_target.push((t, hits));
        }
        // An unknown value comes from an unknown input: when the whole expression was
        // followed, a candidate whose referenced attribute is known (an existing
        // resource) cannot be what it evaluated to, as long as one candidate is unknown.
        let unknown = |i: usize, attr: Option<&str>| self.entries[i].attribute_unknown(attr);
        let filter_known = !cands.open
            && per_target.iter().any(|(t, hits)| {
                hits.iter()
                    .any(|&i| unknown(i, t.attr.as_deref()) == Some(true))
            });
        for (t, mut hits) in per_target {
            if filter_known {
                hits.retain(|&i| unknown(i, t.attr.as_deref()) != Some(false));
            }
            if hits.len() > 1 {
                out.ambiguous = true;
                out.families.push(Family {
                    label: family_label(t),
                    members: hits.clone(),
                });
            }
            out.entries.extend(hits);
        }
        if filter_known {
            // Constants are known values too.
            out.entries.sort_unstable();
            out.entries.dedup();
            return out;
        }
        for lit in &cands.literals {
            if lit.starts_with(id_prefix) || lit.contains(&format!("/{id_prefix}")) {
                match self.entry_by_id(lit) {
                    Some(i) => out.entries.push(i),
                    None => out.external.push(lit.clone()),
                }
            }
        }
        out.entries.sort_unstable();
        out.entries.dedup();
        out.external.sort();
        out.external.dedup();
        out
    }

    /// The VPC with this id, or (with the id unknown) the VPC that the entry's `vpc_id`
    /// expression refers to.
    fn find_vpc(&self, entry: usize, vpc_id: Option<&str>) -> Option<usize> {
        match vpc_id {
            Some(id) => self.entry_by_id(id),
            None => self
                .resolve_reference(
                    entry,
                    "vpc_id",
                    &|e, _| e.kind == "aws_vpc" || e.kind == "aws_default_vpc",
                    "vpc-",
                )
                .entries
                .first()
                .copied(),
        }
    }

    /// What the VPC at entry `vpc` looked like before the change. Without the VPC in
    /// the plan, `exists` says whether it is known to exist (a known id).
    fn vpc_facts(&self, vpc: Option<usize>, exists: bool) -> VpcFacts {
        match vpc.map(|i| &self.entries[i]) {
            Some(v) => VpcFacts {
                existed_before: v.before.is_some_and(|b| b.get() != "null")
                    && v.action != ChangeAction::Create,
                had_ipv6: Some(
                    v.before_id
                        .as_ref()
                        .and_then(|i| i.get(IdAttr::Ipv6CidrBlock))
                        .is_some_and(|s| !s.is_empty()),
                ),
            },
            None => VpcFacts {
                existed_before: exists,
                had_ipv6: None,
            },
        }
    }
}

/// Every resource instance of the plan: `resource_changes`, plus (as unchanged) the
/// resources of `prior_state` that are absent there (older plans, `-target`).
fn collect_entries<'a>(raw: &'a RawPlan<'a>, warnings: &mut Warnings) -> Vec<Entry<'a>> {
    // Sized once: grown by doubling, the entries of a 10,000-instance plan held a
    // third more than they needed at the run's peak (the plan's text is alive too).
    let mut entries = Vec::with_capacity(
        raw.resource_changes.as_ref().map_or(0, Vec::len)
            + raw.deferred_changes.as_ref().map_or(0, Vec::len),
    );
    let mut seen: HashSet<String> = HashSet::new();
    let changes = raw.resource_changes.iter().flatten().map(|rc| (rc, None));
    let deferred = raw.deferred_changes.iter().flatten().map(|d| {
        (
            &d.resource_change,
            Some(d.reason.clone().unwrap_or_default()),
        )
    });
    for (rc, deferred) in changes.chain(deferred) {
        let change: RawChange<'a> = match serde_json::from_str(rc.change.get()) {
            Ok(c) => c,
            Err(e) => {
                warnings.push(
                    WarningKind::Input,
                    Some(&rc.address),
                    format!("the change object cannot be read ({e}); the resource is ignored"),
                );
                continue;
            }
        };
        let action = parse_actions(&change.actions, &rc.address, warnings);
        let data = rc.mode.as_deref() == Some("data")
            || rc.address.starts_with("data.")
            || rc.address.contains(".data.");
        if rc.deposed.is_none() {
            seen.insert(rc.address.clone());
        }
        entries.push(Entry {
            address: rc.address.clone(),
            addr: Address::parse(&rc.address),
            kind: rc.kind.clone(),
            data,
            deposed: rc.deposed.clone(),
            action,
            before: change.before,
            after: change.after,
            after_unknown: change.after_unknown,
            before_unknown: change.before_unknown,
            before_id: None,
            after_id: None,
            after_unknown_id: UnknownIdentity::default(),
            notes: std::cell::RefCell::default(),
            deferred,
        });
    }
    // Resources absent from resource_changes (older plans, -target) are unchanged.
    if let Some(root) = raw
        .prior_state
        .as_ref()
        .and_then(|s| s.values.as_ref())
        .and_then(|v| v.root_module.as_ref())
    {
        let mut stack: Vec<&RawStateModule<'a>> = vec![root];
        while let Some(m) = stack.pop() {
            for r in &m.resources {
                if r.deposed_key.is_some() || seen.contains(&r.address) {
                    continue;
                }
                seen.insert(r.address.clone());
                entries.push(Entry {
                    address: r.address.clone(),
                    addr: Address::parse(&r.address),
                    kind: r.kind.clone(),
                    data: r.mode.as_deref() == Some("data"),
                    deposed: None,
                    action: ChangeAction::NoOp,
                    before: r.values,
                    after: r.values,
                    after_unknown: None,
                    before_unknown: None,
                    before_id: None,
                    after_id: None,
                    after_unknown_id: UnknownIdentity::default(),
                    notes: std::cell::RefCell::default(),
                    deferred: None,
                });
            }
            stack.extend(m.child_modules.iter());
        }
    }
    entries
}

/// Changed resources that filter traffic in ways the model does not cover.
fn warn_unsupported(plan: &Plan<'_>, warnings: &mut Warnings) {
    for e in &plan.entries {
        if e.data || matches!(e.action, ChangeAction::NoOp | ChangeAction::Read) {
            continue;
        }
        let why = match e.kind.as_str() {
            "aws_db_security_group"
            | "aws_elasticache_security_group"
            | "aws_redshift_security_group" => {
                "is an EC2-Classic security group, which reachdiff does not model"
            }
            _ => continue,
        };
        warnings.push(
            WarningKind::UnsupportedResource,
            Some(&e.label()),
            format!("{} {why}; its rules are not in the report", e.kind),
        );
    }
}

fn parse_actions(actions: &[String], address: &str, warnings: &mut Warnings) -> ChangeAction {
    let a: Vec<&str> = actions.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["no-op"] => ChangeAction::NoOp,
        ["create"] => ChangeAction::Create,
        ["delete"] => ChangeAction::Delete,
        ["update"] => ChangeAction::Update,
        ["delete", "create"] | ["create", "delete"] => ChangeAction::Replace,
        ["read"] => ChangeAction::Read,
        ["forget"] => ChangeAction::Forget,
        other => {
            warnings.push(
                WarningKind::UnsupportedPlanFeature,
                Some(address),
                format!("unknown plan actions {other:?}; read as an update"),
            );
            ChangeAction::Update
        }
    }
}

/// The before and after objects of an entry, as the model should see them.
///
/// `forget` leaves the AWS object untouched, so after = before. A default security
/// group or ACL is never deleted by Terraform (destroy only forgets it), and adopting
/// one (create) replaces the rules AWS put there; the builders synthesize those.
struct Sides {
    before: Option<Value>,
    after: Option<Value>,
    /// `Null` (all known) except in plans synthesized from configuration.
    before_unknown: Value,
    after_unknown: Value,
}

impl Sides {
    /// One side for reading, with what is unknown on that side.
    fn side(&self, after: bool) -> Option<values::Side<'_>> {
        let (values, unknown) = if after {
            (&self.after, &self.after_unknown)
        } else {
            (&self.before, &self.before_unknown)
        };
        values
            .as_ref()
            .map(|values| values::Side { values, unknown })
    }
}

impl Entry<'_> {
    fn sides(&self) -> Sides {
        self.sides_from(parse_values(self.raw_values()))
    }

    /// [`Entry::sides`] from what `serde_json` made of [`Entry::raw_values`].
    fn sides_from(&self, parsed: Parsed) -> Sides {
        let (before, after, before_unknown, after_unknown) = self.values_from(parsed);
        let default_kind = matches!(
            self.kind.as_str(),
            "aws_default_security_group" | "aws_default_network_acl"
        );
        match self.action {
            ChangeAction::Forget => Sides {
                after: before.clone(),
                before,
                after_unknown: before_unknown.clone(),
                before_unknown,
            },
            ChangeAction::Delete if default_kind => Sides {
                after: before.clone(),
                before,
                after_unknown: before_unknown.clone(),
                before_unknown,
            },
            ChangeAction::Delete => Sides {
                before,
                after: None,
                before_unknown,
                after_unknown: Value::Null,
            },
            ChangeAction::Create => Sides {
                before: None,
                after,
                before_unknown: Value::Null,
                after_unknown,
            },
            ChangeAction::Read => Sides {
                before: None,
                after: None,
                before_unknown: Value::Null,
                after_unknown: Value::Null,
            },
            _ => Sides {
                before,
                after,
                before_unknown,
                after_unknown,
            },
        }
    }
}

/// What `serde_json` makes of an entry's `before`, `after`, `before_unknown` and
/// `after_unknown` (`None` where the plan has no such value).
type Parsed = [Option<serde_json::Result<Value>>; 4];

fn parse_values(raw: [Option<&str>; 4]) -> Parsed {
    raw.map(|r| r.map(serde_json::from_str::<Value>))
}

/// Entries below which [`with_sides`] parses on the calling thread: a thread costs more
/// than it saves.
const PARSE_AHEAD_MIN: usize = 64;

/// How many entries' values [`with_sides`] parses ahead at most (what it holds parsed
/// but unused).
const PARSE_AHEAD: usize = 32;

/// Calls `each` on every entry in order with its [`Sides`], the values parsed on a
/// second core a few entries ahead. Parsing the values is about an eighth of reading a
/// large plan, and the second core is otherwise idle by then; `each` does the rest
/// (and anything that cannot be parsed is read leniently there, as by
/// [`Entry::sides`]), so the result is the same as calling `each(i, e, e.sides())`.
fn with_sides<'p, 'a: 'p>(
    entries: impl Iterator<Item = (usize, &'p Entry<'a>)>,
    mut each: impl FnMut(usize, &'p Entry<'a>, Sides),
) {
    let entries: Vec<(usize, &'p Entry<'a>)> = entries.collect();
    if entries.len() < PARSE_AHEAD_MIN {
        for (i, e) in entries {
            each(i, e, e.sides());
        }
        return;
    }
    let raws: Vec<[Option<&'p str>; 4]> = entries.iter().map(|(_, e)| e.raw_values()).collect();
    std::thread::scope(|scope| {
        let (parsed, received) = std::sync::mpsc::sync_channel::<Parsed>(PARSE_AHEAD);
        scope.spawn(move || {
            for raw in raws {
                // The receiver is gone only when `each` panicked: stop.
                if parsed.send(parse_values(raw)).is_err() {
                    break;
                }
            }
        });
        for ((i, e), values) in entries.into_iter().zip(received) {
            each(i, e, e.sides_from(values));
        }
    });
}

/// Groups entries by type for the builders.
fn entries_of<'p>(
    plan: &'p Plan<'_>,
    kinds: &'p [&str],
) -> impl Iterator<Item = (usize, &'p Entry<'p>)> + 'p {
    plan.entries
        .iter()
        .enumerate()
        .filter(move |(_, e)| !e.data && kinds.contains(&e.kind.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values parsed ahead on a second core (more than [`PARSE_AHEAD_MIN`] entries) are
    /// read exactly as [`Entry::sides`] reads them, in order, unreadable ones included
    /// (with their note).
    #[test]
    fn sides_parsed_ahead_match_sides() {
        let n = PARSE_AHEAD_MIN + PARSE_AHEAD + 7;
        let changes: Vec<String> = (0..n)
            .map(|k| {
                let after = match k {
                    40 => r#"{"name": "g40", "ingress": [{"from_port": 1e400}]}"#.to_owned(),
                    _ => format!(r#"{{"name": "g{k}", "ingress": [{{"from_port": {k}}}]}}"#),
                };
                let after_unknown = if k == 50 { "[1e400]" } else { r#"{"id": true}"# };
                format!(
                    r#"{{"address": "aws_security_group.g{k}", "mode": "managed", "type": "aws_security_group", "name": "g{k}", "change": {{"actions": ["create"], "before": null, "after": {after}, "after_unknown": {after_unknown}}}}}"#
                )
            })
            .collect();
        let text = format!(
            r#"{{"format_version": "1.2", "resource_changes": [{}]}}"#,
            changes.join(",")
        );
        let raw: RawPlan<'_> = serde_json::from_str(&text).unwrap();
        let plan = Plan::new(&raw, &mut Warnings::new());
        let mut seen = Vec::new();
        with_sides(entries_of(&plan, &["aws_security_group"]), |i, e, sides| {
            let notes = e.notes.borrow().len();
            seen.push((i, notes, sides));
        });
        assert_eq!(seen.len(), n);
        let mut with_notes = Vec::new();
        for (i, notes, ahead) in seen {
            let e = &plan.entries[i];
            if notes > 0 {
                with_notes.push(e.address.clone());
            }
            let here = e.sides();
            assert_eq!(
                (
                    ahead.before,
                    ahead.after,
                    ahead.before_unknown,
                    ahead.after_unknown
                ),
                (
                    here.before,
                    here.after,
                    here.before_unknown,
                    here.after_unknown
                ),
                "{}",
                e.address
            );
        }
        assert_eq!(
            with_notes,
            ["aws_security_group.g40", "aws_security_group.g50"]
        );
    }

    /// An identity keeps the attributes the plan gives, empty ones included (an empty
    /// `after` id is not the `before` one), and only those.
    #[test]
    fn identity_keeps_present_attributes_only() {
        let raw: Box<RawValue> = serde_json::from_str(
            r#"{"id": "", "arn": "arn:aws:x", "name": null, "ingress": [{"id": "no"}]}"#,
        )
        .unwrap();
        let id = identity(Some(&raw)).unwrap();
        assert_eq!(id.get(IdAttr::Id), Some(""));
        assert_eq!(id.get(IdAttr::Arn), Some("arn:aws:x"));
        assert_eq!(id.get(IdAttr::Name), None);
        assert_eq!(id.get(IdAttr::PrimaryNetworkInterfaceId), None);
        assert_eq!(id.0.len(), 2);
        let mistyped: Box<RawValue> = serde_json::from_str(r#"{"id": 7}"#).unwrap();
        assert!(identity(Some(&mistyped)).is_none());
    }

    /// What terraform 1.11 prints for a plan file it cannot read, colours and all
    /// (`terraform show -json bad.out`), after a warning about its CLI configuration.
    const SHOW_FAILED: &str = "There are some problems with the CLI configuration:\n\u{256d}\n\u{2502} Warning: Unable to open CLI configuration file\n\u{2502}\n\u{2502} The CLI configuration file at \"/root/.terraformrc\" does not exist.\n\u{2575}\n\n\u{1b}[31m\u{256d}\u{1b}[0m\u{1b}[0m\n\u{1b}[31m\u{2502}\u{1b}[0m \u{1b}[0m\u{1b}[1m\u{1b}[31mError: \u{1b}[0m\u{1b}[0m\u{1b}[1mFailed to read the given file as a state or plan file\u{1b}[0m\n\u{1b}[31m\u{2502}\u{1b}[0m \u{1b}[0m\n\u{1b}[31m\u{2502}\u{1b}[0m \u{1b}[0m\u{1b}[0mPlan read error: couldn't load the provided path as either a local plan\n\u{1b}[31m\u{2502}\u{1b}[0m \u{1b}[0mfile (zip: not a valid zip file)\n\u{1b}[31m\u{2575}\u{1b}[0m\u{1b}[0m\n";

    #[test]
    fn a_terraform_failure_is_its_error_diagnostics_without_colour_codes() {
        let cause = terraform_failure(SHOW_FAILED.as_bytes());
        assert_eq!(
            cause,
            "Failed to read the given file as a state or plan file Plan read error: couldn't load the provided path as either a local plan file (zip: not a valid zip file)"
        );
    }

    #[test]
    fn a_terraform_failure_without_diagnostics_keeps_every_line_and_is_cut() {
        assert_eq!(terraform_failure(b""), "it printed no reason");
        assert_eq!(
            terraform_failure(b"\x1b[31mpanic:\x1b[0m\n  boom\n"),
            "panic: boom"
        );
        let long = "x".repeat(2 * MAX_CAUSE);
        assert_eq!(
            terraform_failure(long.as_bytes()).chars().count(),
            MAX_CAUSE + 1
        );
    }

    #[test]
    fn ansi_escapes_are_removed() {
        assert_eq!(
            strip_ansi("\u{1b}[1;31mred\u{1b}[0m \u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{1b}\\"),
            "red link"
        );
    }
}
