//! reachdiff: what an infrastructure change does to the network.
//!
//! reachdiff reads a Terraform plan, builds the network *before* and *after* the change,
//! and reports which flows the change **opens** and which it **closes**, exactly: over
//! sets of packets, not over rule text.
//!
//! # Pipeline
//!
//! Each stage hands one named type to the next; the folder tree is the pipeline.
//!
//! ```text
//!  plan.json ──► source ──► SnapshotPair ──► reach ──► delta ──► Delta ──► risk ──► report
//!               (terraform_plan)  │ before, after  │ who reaches   │ opened,     │ score, rule,
//!                                 ▼                ▼ what          ▼ closed      │ policy, gate
//!                               model ◄──────── header_space ──────┘             ▼
//!           (filters, topology, endpoints)   (HeaderSpace: exact packet sets)  Assessment
//! ```
//!
//! - [`header_space`]: exact sets of packets (peer × protocol × ports) — pure algebra.
//! - [`model`]: the normalized [`model::Snapshot`]: security groups, network ACLs, the
//!   topology (VPCs, subnets, routes, gateways) and the endpoints that carry groups.
//! - [`source`]: input formats → a [`source::SnapshotPair`] (before and after).
//! - [`reach`]: who can reach each endpoint in one snapshot, and the hop-by-hop trace
//!   of one flow.
//! - [`delta`]: [`delta::Delta::between`] the two snapshots: opened / closed, per rule
//!   and per endpoint.
//! - [`risk`]: a score, severity and rule for every change, the policy file
//!   (`reachdiff.toml`: named networks, accepted risks, invariants) and the gate.
//! - [`report`]: renderers (`table`, `json`, `show`) of a [`report::Report`].
//!
//! Imperfect input never stops the analysis: it becomes a [`warning::Warning`] and the
//! affected values are widened, so no opening is missed. An [`error::Error`] means there
//! is no result at all.
//!
//! ```
//! use reachdiff::{delta::Delta, source::terraform_plan, warning::Warnings};
//!
//! let plan = std::fs::read("testdata/scenarios/demo/plan.json").unwrap();
//! let mut warnings = Warnings::new();
//! let pair = terraform_plan::load(&plan, &mut warnings).unwrap();
//! let delta = Delta::between(&pair);
//! assert!(!delta.is_empty());
//! ```

#![deny(missing_docs)]

pub mod delta;
pub mod error;
pub mod header_space;
pub mod limits;
pub mod model;
mod parallel;
pub mod reach;
pub mod report;
pub mod risk;
pub mod source;
pub mod warning;
pub mod why;

pub use error::{Error, ErrorKind};

/// The pipeline after reading: the [`delta::Delta`] between the two snapshots, its
/// [`risk::Assessment`], and the [`report::Report`] that renderers print. The rules of
/// the causing resources as text (for the Markdown diff) are left out: they cost a
/// rendering of every rule, so [`with_rule_text`] adds them when a format needs them.
#[must_use]
pub fn analyse(
    inputs: Vec<source::Input>,
    pair: &source::SnapshotPair,
    settings: &risk::Settings<'_>,
    warnings: Warnings,
) -> report::Report {
    analyse_with(inputs, pair, settings, warnings, &mut |_| {})
}

/// [`analyse`], naming each stage to `stage` as it starts, for progress reports.
#[must_use]
pub fn analyse_with(
    inputs: Vec<source::Input>,
    pair: &source::SnapshotPair,
    settings: &risk::Settings<'_>,
    mut warnings: Warnings,
    stage: &mut dyn FnMut(&'static str),
) -> report::Report {
    if let Some(why) = [&pair.before, &pair.after]
        .into_iter()
        .find_map(reach::over_budget)
    {
        warnings.push(warning::WarningKind::Input, None, why);
    }
    let delta = delta::Delta::compute_with(pair, settings.assumptions, stage);
    delta.warn_missing(&mut warnings);
    stage("scoring");
    let (delta, risk) = risk::assess(delta, pair, settings, &mut warnings);
    report::Report {
        inputs,
        delta,
        risk,
        rule_text: std::collections::BTreeMap::new(),
        comment: report::markdown::CommentMeta::default(),
        warnings: warnings.into_sorted(),
        width: None,
        colour: false,
        repository: None,
    }
}
pub use warning::{Warning, Warnings};

/// Adds to `report` the rules of every resource that caused a change, before and
/// after, as text (the Markdown comment's diffs).
pub fn with_rule_text(report: &mut report::Report, pair: &source::SnapshotPair) {
    report.rule_text = report::rule_text::of(
        &pair.before,
        &pair.after,
        report
            .delta
            .changes
            .iter()
            .flat_map(|c| c.causes.iter().map(|k| k.resource.as_str())),
    );
}
