//! `reachdiff show`: the reachability of one snapshot — who can reach each endpoint, and
//! what each endpoint can reach outside its VPC — for review and as evidence of the
//! state after a change.
//!
//! # Format (`--format json`)
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "tool": { "name": "reachdiff", "version": "0.1.0" },
//!   "inputs": [{ "path": "plan.json", "format": "terraform-plan-json", "sha256": "…" }],
//!   "snapshot": "after",
//!   "endpoints": [{
//!     "endpoint": "aws_instance.web", "type": "instance",
//!     "flows": [{ "direction": "ingress", "protocol": "tcp", "ports": ["443"],
//!                 "peer": { "cidrs": ["0.0.0.0/0"], "principals": [] },
//!                 "certainty": "definite", "summary": "tcp 443 from 0.0.0.0/0" }]
//!   }],
//!   "warnings": []
//! }
//! ```

use std::io::{self, Write};

use serde::Serialize;

use super::json::Flow as JsonFlow;
use super::{dir_label, table_style};
use crate::header_space::{HeaderSpace, Part};
use crate::model::{Bound, Certainty, Direction, Snapshot};
use crate::reach::{Assumptions, Reachability};
use crate::source::Input;
use crate::warning::Warning;

/// The reachability of one snapshot, ready to render.
#[derive(Clone, Debug)]
pub struct Exposure {
    /// The inputs read.
    pub inputs: Vec<Input>,
    /// `before` or `after`.
    pub side: &'static str,
    /// Every endpoint, sorted by key.
    pub endpoints: Vec<EndpointExposure>,
    /// Warnings from reading the input.
    pub warnings: Vec<Warning>,
    /// Wrap tables to this width (a terminal's); `None` never wraps.
    pub width: Option<u16>,
}

/// What reaches one endpoint and what it reaches.
#[derive(Clone, Debug)]
pub struct EndpointExposure {
    /// The endpoint's key.
    pub endpoint: String,
    /// Its kind (`instance`, …).
    pub kind: &'static str,
    /// Flows, each one readable part.
    pub flows: Vec<Flow>,
}

/// One readable part of an endpoint's reachability.
#[derive(Clone, Debug)]
pub struct Flow {
    /// Inbound (peers are sources) or outbound (peers are destinations).
    pub direction: Direction,
    /// The services and peers.
    pub part: Part,
    /// Definite, or possible (depends on values known only after apply).
    pub certainty: Certainty,
    /// The load balancer inbound flows go through, if any.
    pub via: Option<String>,
}

impl Exposure {
    /// Computes the exposure of `snapshot`.
    #[must_use]
    pub fn of(
        snapshot: &Snapshot,
        side: &'static str,
        assumptions: &Assumptions,
        inputs: Vec<Input>,
        warnings: Vec<Warning>,
    ) -> Self {
        let [lo, hi] =
            [Bound::Lower, Bound::Upper].map(|w| Reachability::compute(snapshot, w, assumptions));
        let mut endpoints = Vec::new();
        for (key, ep) in &snapshot.endpoints {
            let mut flows = Vec::new();
            let mut add = |direction, lower: HeaderSpace, upper: HeaderSpace, via: Option<&str>| {
                let possible = upper.difference(&lower);
                for (certainty, space) in [
                    (Certainty::Definite, lower),
                    (Certainty::Possible, possible),
                ] {
                    for part in space.parts() {
                        flows.push(Flow {
                            direction,
                            part,
                            certainty,
                            via: via.map(str::to_owned),
                        });
                    }
                }
            };
            add(
                Direction::Ingress,
                lo.inbound_compact(key),
                hi.inbound_compact(key),
                None,
            );
            let balancers: std::collections::BTreeSet<&str> = hi
                .forwards
                .iter()
                .filter(|f| f.target == *key)
                .map(|f| f.balancer.as_str())
                .collect();
            for lb in balancers {
                add(
                    Direction::Ingress,
                    lo.via(lb, key),
                    hi.via(lb, key),
                    Some(lb),
                );
            }
            add(Direction::Egress, lo.outbound(key), hi.outbound(key), None);
            endpoints.push(EndpointExposure {
                endpoint: key.clone(),
                kind: ep.kind.as_str(),
                flows,
            });
        }
        Self {
            inputs,
            side,
            endpoints,
            warnings,
            width: None,
        }
    }
}

#[derive(Serialize)]
struct Document<'r> {
    schema_version: u32,
    tool: super::json::Tool,
    inputs: &'r [Input],
    snapshot: &'static str,
    endpoints: Vec<JsonEndpoint<'r>>,
    warnings: &'r [Warning],
}

#[derive(Serialize)]
struct JsonEndpoint<'r> {
    endpoint: &'r str,
    #[serde(rename = "type")]
    kind: &'static str,
    flows: Vec<JsonFlow<'r>>,
}

/// Writes the exposure as JSON.
///
/// # Errors
///
/// When writing fails.
pub fn render_json(e: &Exposure, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        schema_version: super::json::SCHEMA_VERSION,
        tool: super::json::Tool::this(),
        inputs: &e.inputs,
        snapshot: e.side,
        endpoints: e
            .endpoints
            .iter()
            .map(|ep| JsonEndpoint {
                endpoint: &ep.endpoint,
                kind: ep.kind,
                flows: ep
                    .flows
                    .iter()
                    .map(|f| {
                        JsonFlow::of(&f.part, f.direction, f.certainty, &[])
                            .with_direction(f.direction)
                            .via(f.via.as_deref())
                    })
                    .collect(),
            })
            .collect(),
        warnings: &e.warnings,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes the exposure as a table.
///
/// # Errors
///
/// When writing fails.
pub fn render_table(e: &Exposure, out: &mut dyn Write) -> io::Result<()> {
    let inputs: Vec<&str> = e.inputs.iter().map(|i| i.path.as_str()).collect();
    writeln!(
        out,
        "reachdiff show: {} endpoint(s) {} the change in {}",
        e.endpoints.len(),
        e.side,
        inputs.join(", ")
    )?;
    if !e.endpoints.is_empty() {
        let mut table = table_style(
            ["Endpoint", "Dir", "Traffic", "Peer", "Certainty"],
            e.width,
            false,
        );
        for ep in &e.endpoints {
            if ep.flows.is_empty() {
                table.add_row([
                    ep.endpoint.clone(),
                    String::new(),
                    "nothing".into(),
                    String::new(),
                    String::new(),
                ]);
            }
            for f in &ep.flows {
                let name = match &f.via {
                    Some(lb) => format!("{} (via {lb})", ep.endpoint),
                    None => ep.endpoint.clone(),
                };
                table.add_row([
                    name,
                    dir_label(f.direction).to_owned(),
                    f.part.service.to_string(),
                    super::describe_part_peers(&f.part, None, &[]),
                    if f.certainty == Certainty::Possible {
                        "possible".into()
                    } else {
                        String::new()
                    },
                ]);
            }
        }
        writeln!(out, "{table}")?;
    }
    super::write_warnings(out, &e.warnings)
}
