//! `invariant-violated`.

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A flow, in the state after the change, that an `[[invariant]]` of
    /// `reachdiff.toml` forbids — whether or not this change caused it. Violations the
    /// change introduced and pre-existing ones are reported separately; both count for
    /// the gate (accept a pre-existing one with an `[[accept]]` entry while it is being
    /// fixed). The severity is the invariant's (`high` unless it says otherwise).
    ///
    /// ## Why it matters
    ///
    /// Some properties must always hold ("nothing tagged `tier=db` is reachable from
    /// the internet", "admin ports only from the office"). Checking them on every
    /// change catches the regression the day it is written, not at the next audit.
    ///
    /// ## Example
    ///
    /// ```toml
    /// [[invariant]]
    /// name = "db-never-public"
    /// from = ["internet"]
    /// to_tags = { tier = "db" }
    /// severity = "critical"
    /// ```
    ///
    /// ## References
    ///
    /// - CIS AWS Foundations Benchmark v3.0.0 5.2–5.4
    pub struct InvariantViolated {
        id: "invariant-violated",
        title: "Policy invariant violated",
        matches: |_profile, _score| false,
    }
}
