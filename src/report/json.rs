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
//!   "summary": { "opened": 1, "closed": 0, "possible": 0, "warnings": 0 },
//!   "changes": [{
//!     "kind": "opened", "level": "rule", "direction": "ingress",
//!     "subject": "aws_security_group.web", "subject_type": "security-group",
//!     "peer": { "cidrs": ["0.0.0.0/0"], "principals": [] },
//!     "protocol": "tcp", "ports": ["22"],
//!     "certainty": "definite",
//!     "causes": [{ "resource": "aws_security_group.web", "action": "update" }],
//!     "summary": "tcp 22 from 0.0.0.0/0"
//!   }],
//!   "warnings": []
//! }
//! ```

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Summary, describe_change, peer_lists};
use crate::delta::{Change, Effect};
use crate::header_space::{IcmpItem, Service};
use crate::source::Input;
use crate::warning::Warning;

/// The version of the JSON contract this renderer writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'r> {
    schema_version: u32,
    tool: Tool,
    inputs: &'r [Input],
    summary: Summary,
    changes: Vec<JsonChange<'r>>,
    warnings: &'r [Warning],
}

/// The `tool` object of every JSON document.
#[derive(Serialize)]
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

#[derive(Serialize)]
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
    summary: String,
}

/// The `peer` object of a change or flow.
#[derive(Serialize)]
pub(crate) struct Peer {
    pub(crate) cidrs: Vec<String>,
    pub(crate) principals: Vec<String>,
}

/// One ICMP type/code, `-1` meaning any.
#[derive(Serialize)]
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

#[derive(Serialize)]
struct Cause<'r> {
    resource: &'r str,
    action: &'static str,
}

fn change(c: &Change) -> JsonChange<'_> {
    let (cidrs, principals) = peer_lists(c);
    let (ports, icmp) = service_fields(&c.part.service);
    JsonChange {
        kind: c.kind.as_str(),
        level: c.level.as_str(),
        direction: c.direction.as_str(),
        subject: &c.subject,
        subject_type: c.subject_kind.as_str(),
        via: c.via.as_deref(),
        peer: Peer { cidrs, principals },
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
            })
            .collect(),
        explanation: c.explanation.as_deref(),
        effect: c.effect.as_ref().map(|e| match e {
            Effect::Live => "live",
            Effect::Latent(_) => "latent",
        }),
        latent_reason: match &c.effect {
            Some(Effect::Latent(r)) => Some(r.as_str()),
            _ => None,
        },
        summary: describe_change(c),
    }
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
        summary: report.summary(),
        changes: report.delta.changes.iter().map(change).collect(),
        warnings: &report.warnings,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
