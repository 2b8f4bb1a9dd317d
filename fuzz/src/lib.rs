//! What every fuzz target does with what a reader produced: the whole analysis and a
//! JSON report, which must not panic either.

use reachdiff::Warnings;
use reachdiff::reach::Assumptions;
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::Policy;
use reachdiff::risk::{Settings, Severity};
use reachdiff::source::SnapshotPair;

/// Analyses `pair` and renders the JSON report.
pub fn analyse(pair: &SnapshotPair, warnings: Warnings) {
    let policy = Policy::default();
    let assumptions = Assumptions::default();
    let settings = Settings {
        policy: &policy,
        fail_on: Some(Severity::High),
        fail_on_unknown: false,
        today: Date::parse("2026-01-01").expect("a date"),
        assumptions: &assumptions,
    };
    let report = reachdiff::analyse(Vec::new(), pair, &settings, warnings);
    let mut sink = Vec::new();
    reachdiff::report::json::render(&report, &mut sink).expect("writing to memory");
}
