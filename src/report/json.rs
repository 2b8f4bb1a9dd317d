//! `--format json`: the machine-readable record of a run.
//!
//! # Format
//!
//! One JSON object, pretty-printed, keys in a fixed order. `schema_version` changes
//! only when a field is removed or changes meaning; new fields may appear at any time.
//! See `docs/json-format.md` for every field.
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "tool": { "name": "reachdiff", "version": "0.1.0" },
//!   "inputs": [{ "path": "plan.json", "format": "terraform-plan-json", "sha256": "…" }],
//!   "policy": { "path": "reachdiff.toml", "sha256": "…" },
//!   "gate": { "fail_on": "high", "worst": "critical", "failed": true },
//!   "summary": { "opened": 1, "closed": 0, "possible": 0, "warnings": 0,
//!                "by_severity": { "critical": 1, "high": 0, … }, "accepted": 0, "violations": 0 },
//!   "changes": [{
//!     "kind": "opened", "level": "rule", "direction": "ingress",
//!     "subject": "aws_security_group.web", "subject_type": "security-group",
//!     "peer": { "cidrs": ["0.0.0.0/0"], "principals": [] },
//!     "protocol": "tcp", "ports": ["22"],
//!     "certainty": "definite",
//!     "causes": [{ "resource": "aws_security_group.web", "action": "update" }],
//!     "risk": { "rule": "admin-port-open-to-internet", "severity": "critical", "score": 80,
//!               "reasons": ["exposes SSH: remote administration — weight 90", "…"] },
//!     "summary": "tcp 22 from 0.0.0.0/0"
//!   }],
//!   "violations": [],
//!   "warnings": []
//! }
//! ```

use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use super::{Report, Summary, describe_change, name_networks, peer_lists};
use crate::delta::{Change, Effect};
use crate::header_space::{IcmpItem, Service};
use crate::risk::policy::PolicySource;
use crate::risk::{Acceptance, Finding, Severity};
use crate::source::Input;
use crate::warning::Warning;

/// The version of the JSON contract this renderer writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize, JsonSchema)]
struct Document<'r> {
    schema_version: u32,
    tool: Tool,
    inputs: &'r [Input],
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'r PolicySource>,
    gate: Gate,
    summary: Summary,
    #[schemars(with = "Vec<JsonChange<'static>>")]
    changes: Changes<'r>,
    /// The members of each set of endpoints that changes name as one peer
    /// (`ep:aws_instance.web[0] and 1,499 more`): endpoints that behave alike, listed
    /// once here rather than in every change. A set never includes the change's
    /// subject. Absent when no change names a set.
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint_sets: Option<&'r std::collections::BTreeMap<String, Vec<String>>>,
    violations: Vec<Violation<'r>>,
    guardrails: Vec<JsonGuardrail<'r>>,
    warnings: &'r [Warning],
}

/// The changes, each made as it is written: a plan with 100,000 changes held them all
/// at once (the largest part of the peak memory).
struct Changes<'r>(&'r Report);

impl Serialize for Changes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let report = self.0;
        let mut seq = s.serialize_seq(Some(report.delta.changes.len()))?;
        for (c, f) in report.delta.changes.iter().zip(&report.risk.findings) {
            seq.serialize_element(&change(c, f, &report.risk.networks, &report.inputs))?;
        }
        seq.end()
    }
}

#[derive(Serialize, JsonSchema)]
struct JsonGuardrail<'r> {
    /// The rule id (`default-security-group-in-use`, …; see docs/rules/).
    rule: &'static str,
    severity: Severity,
    /// The resource concerned.
    resource: &'r str,
    /// What is wrong.
    message: &'r str,
    /// `introduced` (counts for the gate) or `pre-existing`.
    status: &'static str,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize, JsonSchema)]
struct Gate {
    fail_on: &'static str,
    /// `true` with `--fail-on-unknown` (left out otherwise).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    fail_on_unknown: bool,
    /// The worst severity among what is not accepted, `unknown` left out.
    worst: Option<Severity>,
    /// Findings of severity `unknown` not accepted (left out when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    unknown: usize,
    failed: bool,
    /// The day accepted risks were checked against (only when the policy accepts some).
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
}

#[derive(Serialize, JsonSchema)]
struct Risk<'r> {
    rule: &'static str,
    severity: Severity,
    score: u8,
    reasons: &'r [crate::risk::Reason],
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<Accepted<'r>>,
}

#[derive(Serialize, JsonSchema)]
struct Accepted<'r> {
    reason: &'r str,
    owner: &'r str,
    expires: String,
    expired: bool,
    policy_line: usize,
}

fn accepted(a: &Acceptance) -> Accepted<'_> {
    Accepted {
        reason: &a.reason,
        owner: &a.owner,
        expires: a.expires.to_string(),
        expired: a.expired,
        policy_line: a.line,
    }
}

#[derive(Serialize, JsonSchema)]
struct Violation<'r> {
    invariant: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'r str>,
    severity: Severity,
    status: &'static str,
    endpoint: &'r str,
    endpoint_type: &'static str,
    direction: &'static str,
    flows: Vec<Flow<'r>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<Accepted<'r>>,
    policy_line: usize,
}

/// One readable part of a flow set, as `reachdiff show` and `violations[].flows[]`
/// write it.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Flow<'r> {
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<&'static str>,
    protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ports: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icmp: Option<Vec<Icmp>>,
    peer: Peer,
    certainty: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<&'r str>,
    summary: String,
}

impl<'r> Flow<'r> {
    /// `part` seen from an endpoint in `direction` (the peers are sources for ingress,
    /// destinations for egress), with the policy's network `names`.
    pub(crate) fn of(
        part: &crate::header_space::Part,
        direction: crate::model::Direction,
        certainty: crate::model::Certainty,
        names: &super::Names,
    ) -> Self {
        let (cidrs, principals) = super::part_peer_lists(part, None);
        let (networks, _) = name_networks(&part.peers, names);
        let (ports, icmp) = service_fields(&part.service);
        Self {
            direction: None,
            protocol: part.service.protocol_label(),
            ports,
            icmp,
            peer: Peer {
                cidrs,
                principals,
                networks,
            },
            certainty: certainty.as_str(),
            via: None,
            summary: super::describe_part(part, direction, None, names),
        }
    }

    /// With its direction written out (`reachdiff show` lists both directions).
    pub(crate) fn with_direction(mut self, direction: crate::model::Direction) -> Self {
        self.direction = Some(direction.as_str());
        self
    }

    /// Through load balancer `via`.
    pub(crate) fn via(mut self, via: Option<&'r str>) -> Self {
        self.via = via;
        self
    }
}

/// The `tool` object of every JSON document.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Tool {
    name: &'static str,
    version: &'static str,
}

impl Tool {
    /// This build of reachdiff.
    pub(crate) fn this() -> Self {
        Self {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Serialize, JsonSchema)]
struct JsonChange<'r> {
    kind: &'static str,
    level: &'static str,
    direction: &'static str,
    subject: &'r str,
    subject_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<&'r str>,
    peer: Peer,
    protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ports: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icmp: Option<Vec<Icmp>>,
    certainty: &'static str,
    causes: Vec<Cause<'r>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    effect: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latent_reason: Option<&'r str>,
    risk: Risk<'r>,
    summary: String,
}

/// The `peer` object of a change or flow.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Peer {
    pub(crate) cidrs: Vec<String>,
    pub(crate) principals: Vec<String>,
    /// Named networks of the policy wholly inside the peers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) networks: Vec<String>,
}

/// One ICMP type/code, `-1` meaning any.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Icmp {
    #[serde(rename = "type")]
    kind: i16,
    code: i16,
}

/// The `ports` and `icmp` fields of a service.
pub(crate) fn service_fields(service: &Service) -> (Option<Vec<String>>, Option<Vec<Icmp>>) {
    match service {
        Service::Ports { ranges, .. } => (
            Some(
                ranges
                    .iter()
                    .map(|&(lo, hi)| crate::header_space::port_range(lo, hi))
                    .collect(),
            ),
            None,
        ),
        Service::Icmp { items, .. } => (
            None,
            Some(
                items
                    .iter()
                    .map(|i| match *i {
                        IcmpItem::All => Icmp { kind: -1, code: -1 },
                        IcmpItem::Type(t) => Icmp {
                            kind: i16::from(t),
                            code: -1,
                        },
                        IcmpItem::TypeCode(t, code) => Icmp {
                            kind: i16::from(t),
                            code: i16::from(code),
                        },
                    })
                    .collect(),
            ),
        ),
        Service::All | Service::Protocols { .. } => (None, None),
    }
}

#[derive(Serialize, JsonSchema)]
struct Cause<'r> {
    resource: &'r str,
    action: &'static str,
    /// Where the resource is written in the configuration or template
    /// (`infra/main.tf:12`); absent for a plan without `--source`.
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<String>,
}

fn change<'r>(
    c: &'r Change,
    f: &'r Finding,
    names: &super::Names,
    inputs: &[crate::source::Input],
) -> JsonChange<'r> {
    let (cidrs, principals) = peer_lists(c);
    let (networks, _) = name_networks(&c.part.peers, names);
    let (ports, icmp) = service_fields(&c.part.service);
    JsonChange {
        kind: c.kind.as_str(),
        level: c.level.as_str(),
        direction: c.direction.as_str(),
        subject: &c.subject,
        subject_type: c.subject_kind.as_str(),
        via: c.via.as_deref(),
        peer: Peer {
            cidrs,
            principals,
            networks,
        },
        protocol: c.part.service.protocol_label(),
        ports,
        icmp,
        certainty: c.certainty.as_str(),
        causes: c
            .causes
            .iter()
            .map(|k| Cause {
                resource: &k.resource,
                action: k.action.as_str(),
                location: super::source_place(inputs, k),
            })
            .collect(),
        explanation: c.explanation.as_deref(),
        effect: c.effect.as_ref().map(|e| match e {
            Effect::Live => "live",
            Effect::Latent(_) | Effect::Unused(_) => "latent",
        }),
        latent_reason: c.effect.as_ref().and_then(Effect::latent_reason),
        risk: Risk {
            rule: f.rule,
            severity: f.severity,
            score: f.score,
            reasons: &f.reasons,
            accepted: f.acceptance.as_ref().map(accepted),
        },
        summary: describe_change(c, names),
    }
}

fn violation<'r>(v: &'r crate::risk::invariants::Violation, names: &super::Names) -> Violation<'r> {
    Violation {
        invariant: &v.invariant,
        description: v.description.as_deref(),
        severity: v.severity,
        status: if v.preexisting {
            "pre-existing"
        } else {
            "introduced"
        },
        endpoint: &v.endpoint,
        endpoint_type: v.kind.as_str(),
        direction: v.direction.as_str(),
        flows: v
            .parts
            .iter()
            .map(|(part, certainty)| Flow::of(part, v.direction, *certainty, names))
            .collect(),
        accepted: v.acceptance.as_ref().map(accepted),
        policy_line: v.line,
    }
}

/// The JSON Schema of this format (published as `docs/report.schema.json`).
#[must_use]
pub fn schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Document<'static>))
        .unwrap_or(serde_json::Value::Null);
    if let Some(o) = schema.as_object_mut() {
        o.insert(
            "title".into(),
            "reachdiff report (reachdiff plan --format json)".into(),
        );
        o.insert(
            "description".into(),
            format!(
                "schema_version {SCHEMA_VERSION}. Fields may be added without a version change; readers ignore keys they do not know. See docs/json-format.md."
            )
            .into(),
        );
    }
    schema
}

/// Writes the report as JSON.
///
/// # Errors
///
/// When writing fails.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        inputs: &report.inputs,
        policy: report.risk.policy.as_ref(),
        gate: Gate {
            fail_on: report.risk.gate.fail_on.map_or("never", Severity::as_str),
            fail_on_unknown: report.risk.gate.fail_on_unknown,
            worst: report.risk.gate.worst,
            unknown: report.risk.gate.unknown,
            failed: report.risk.gate.failed,
            date: report.risk.today.map(|d| d.to_string()),
        },
        summary: report.summary(),
        changes: Changes(report),
        endpoint_sets: Some(&report.delta.endpoint_sets).filter(|sets| !sets.is_empty()),
        violations: report
            .risk
            .violations
            .iter()
            .map(|v| violation(v, &report.risk.networks))
            .collect(),
        guardrails: report
            .risk
            .guardrails
            .iter()
            .map(|g| JsonGuardrail {
                rule: g.rule,
                severity: g.severity,
                resource: &g.resource,
                message: &g.message,
                status: if g.introduced {
                    "introduced"
                } else {
                    "pre-existing"
                },
            })
            .collect(),
        warnings: &report.warnings,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
