//! The corpus sweep: reachdiff reads every real plan in `../shared/corpus/tfplan/`
//! without an error, and every change set in `changesets/` (standalone when it has
//! property values, else with the clear error that asks for them). Warnings are fine and counted. Skipped (with a note) when the
//! corpus is not next to the repository; set `REACHDIFF_CORPUS` to point elsewhere.

#![expect(
    clippy::disallowed_macros,
    reason = "the sweep reports its counts on stderr"
)]

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use reachdiff::reach::Assumptions;
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::Policy;
use reachdiff::risk::{Settings, Severity};
use reachdiff::source;
use reachdiff::warning::Warnings;

fn corpus() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("REACHDIFF_CORPUS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("tfplan").is_dir())
}

#[test]
fn every_corpus_plan_reads_without_error() {
    let Some(root) = corpus() else {
        eprintln!("corpus not found (../shared/corpus or $REACHDIFF_CORPUS): sweep skipped");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tfplan"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let (mut warnings_total, mut changes_total, mut errors) = (0, 0, Vec::new());
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    let policy = Policy::default();
    let assumptions = Assumptions::default();
    let settings = Settings {
        policy: &policy,
        fail_on: Some(Severity::High),
        fail_on_unknown: false,
        today: Date::parse("2026-06-01").unwrap(),
        assumptions: &assumptions,
    };
    for f in &files {
        let mut warnings = Warnings::new();
        match source::load_path(f, &mut warnings) {
            Ok((input, pair)) => {
                let report = reachdiff::analyse(vec![input], &pair, &settings, warnings);
                assert_eq!(report.delta.changes.len(), report.risk.findings.len());
                changes_total += report.delta.changes.len();
                warnings_total += report.warnings.len();
                for finding in &report.risk.findings {
                    *by_severity.entry(finding.severity).or_default() += 1;
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    eprintln!(
        "corpus sweep: {} plans read, {changes_total} changes ({by_severity:?}), {warnings_total} warnings, {} errors",
        files.len(),
        errors.len()
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The change sets of the corpus: the four AWS documentation samples have no property
/// values (the clear error asking for them); the three newer ones load standalone.
#[test]
fn every_corpus_change_set_loads_or_asks_for_property_values() {
    let Some(root) = corpus() else {
        eprintln!("corpus not found (../shared/corpus or $REACHDIFF_CORPUS): change sets skipped");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("changesets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut outcomes = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let mut warnings = Warnings::new();
        let outcome = match source::load_path(f, &mut warnings) {
            Ok((input, pair)) => {
                assert_eq!(input.format, source::SourceFormat::CloudformationChangeSet);
                // None of them holds a network resource: nothing to compare, every
                // listed resource has its action.
                assert!(pair.after.security_groups.is_empty() && pair.after.endpoints.is_empty());
                format!("{name}: standalone, {} resources", pair.actions.len())
            }
            Err(e) => {
                let e = e.to_string();
                assert!(
                    e.contains("has no property values") && e.contains("--include-property-values"),
                    "{name}: {e}"
                );
                format!("{name}: needs property values")
            }
        };
        eprintln!("{outcome}");
        outcomes.push(outcome);
    }
    assert_eq!(
        outcomes,
        [
            "ankon__explain-cloudformation-changeset__aws-examples__SampleChangeSet-addremove.json: needs property values",
            "ankon__explain-cloudformation-changeset__aws-examples__SampleChangeSet-direct.json: needs property values",
            "ankon__explain-cloudformation-changeset__aws-examples__SampleChangeSet-multiple.json: needs property values",
            "ankon__explain-cloudformation-changeset__aws-examples__SampleChangeSet.json: needs property values",
            "trek10inc__cfn-changeset-viewer__examples__multiple.json: standalone, 4 resources",
            "trek10inc__cfn-changeset-viewer__examples__nested.json: standalone, 1 resources",
            "trek10inc__cfn-changeset-viewer__examples__nested.nested.json: standalone, 5 resources",
        ]
    );
}
