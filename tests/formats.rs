//! The machine formats are valid, not only stable: every scenario's JSON validates
//! against the published schema (`docs/report.schema.json`) and its SARIF against the
//! SARIF 2.1.0 schema (`../shared/schemas/`, skipped with a note when absent). The
//! Markdown comment keeps to GitHub's size limit, and says what it cut.

#![expect(
    clippy::disallowed_macros,
    reason = "a skipped check says so on stderr"
)]

use std::path::{Path, PathBuf};

#[path = "../benches/data.rs"]
mod data;

use reachdiff::reach::Assumptions;
use reachdiff::report::{self, Report};
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::Policy;
use reachdiff::risk::{Settings, Severity};
use reachdiff::source;
use reachdiff::warning::Warnings;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenarios() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("testdata/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("plan.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn analyse(plan: &Path) -> Report {
    let mut warnings = Warnings::new();
    let (input, pair) = source::load_path(plan, &mut warnings).unwrap();
    let policy = Policy::default();
    let settings = Settings {
        policy: &policy,
        fail_on: Some(Severity::High),
        today: Date::parse("2026-06-01").unwrap(),
        assumptions: &Assumptions::default(),
    };
    let mut report = reachdiff::analyse(vec![input], &pair, &settings, warnings);
    reachdiff::with_rule_text(&mut report, &pair);
    report
}

fn rendered(
    report: &Report,
    render: fn(&Report, &mut dyn std::io::Write) -> std::io::Result<()>,
) -> Value {
    let mut out = Vec::new();
    render(report, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

#[test]
fn every_scenario_json_validates_against_the_published_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for dir in scenarios() {
        let report = analyse(&dir.join("plan.json"));
        assert_valid(
            &validator,
            &rendered(&report, report::json::render),
            &dir.display().to_string(),
        );
    }
}

#[test]
fn every_scenario_sarif_validates_against_sarif_2_1_0() {
    let path = root().join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "{} not found: SARIF schema validation skipped",
            path.display()
        );
        return;
    };
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    // Two `pattern`s under `language` use a regex syntax some validators reject
    // (../shared/schemas/README.md); relax them here rather than edit the file.
    strip_language_patterns(&mut schema);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut results = 0;
    for dir in scenarios() {
        let report = analyse(&dir.join("plan.json"));
        let sarif = rendered(&report, report::sarif::render);
        assert_valid(&validator, &sarif, &dir.display().to_string());
        results += sarif["runs"][0]["results"].as_array().unwrap().len();
    }
    assert!(
        results > 50,
        "only {results} results: the check would prove little"
    );
}

fn strip_language_patterns(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                if k == "language"
                    && let Some(c) = child.as_object_mut()
                {
                    c.remove("pattern");
                }
                strip_language_patterns(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_language_patterns),
        _ => {}
    }
}

#[test]
fn sarif_names_every_rule_and_fingerprints_every_result() {
    let report = analyse(&root().join("testdata/scenarios/demo/plan.json"));
    let sarif = rendered(&report, report::sarif::render);
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules.len(), reachdiff::risk::registry::RULES.len());
    let results = run["results"].as_array().unwrap();
    let mut fingerprints: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["reachdiffFlow/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    let n = fingerprints.len();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), n, "fingerprints are unique");
    let ssh = results
        .iter()
        .find(|r| {
            r["ruleId"] == "admin-port-open-to-internet"
                && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    == "aws_instance.web"
        })
        .unwrap();
    assert_eq!(ssh["level"], "error");
    assert_eq!(ssh["properties"]["security-severity"], "9.0");
    // The region points at the resource's entry in `resource_changes`.
    let region = &ssh["locations"][0]["physicalLocation"]["region"];
    let text = std::fs::read_to_string(root().join("testdata/scenarios/demo/plan.json")).unwrap();
    let line = usize::try_from(region["startLine"].as_u64().unwrap()).unwrap();
    let column = usize::try_from(region["startColumn"].as_u64().unwrap()).unwrap();
    let at: String = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .chars()
        .skip(column - 1)
        .collect();
    assert_eq!(at.trim_end(), "\"address\": \"aws_instance.web\",");
    let changes = text.find("\"resource_changes\"").unwrap();
    assert!(
        text[..changes].lines().count() < line,
        "after resource_changes"
    );
}

#[test]
fn the_comment_fits_github_and_says_what_it_cut() {
    // The benchmarks' synthetic plan: 300 groups give hundreds of findings.
    let plan = data::synthetic_plan(300);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("formats");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.json");
    std::fs::write(&path, plan).unwrap();
    let mut report = analyse(&path);
    report.comment.full_report = Some("https://example.com/run/1".into());
    let full = report::markdown::comment(&report, usize::MAX);
    assert!(
        full.chars().count() > report::markdown::GITHUB_LIMIT,
        "the test needs a long report"
    );
    let cut = report::markdown::comment(&report, report::markdown::GITHUB_LIMIT);
    assert!(cut.chars().count() <= report::markdown::GITHUB_LIMIT);
    assert!(cut.starts_with("<!-- reachdiff:comment id=default -->\n### "));
    assert!(
        cut.contains("Cut to fit GitHub's 65536-character limit"),
        "{}",
        &cut[cut.len() - 800..]
    );
    assert!(cut.contains("The full report is at https://example.com/run/1."));
    // The worst findings survive: the first table row is the first row of the full one.
    let first_row = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("| ") && !l.starts_with("| Risk"))
            .map(str::to_owned)
    };
    assert_eq!(first_row(&cut), first_row(&full));
}

#[test]
fn nothing_changed_is_one_line() {
    let report = analyse(&root().join("testdata/scenarios/sg-replaced-identical-rules/plan.json"));
    let text = report::markdown::comment(&report, report::markdown::GITHUB_LIMIT);
    assert_eq!(
        text,
        format!(
            "<!-- reachdiff:comment id=default -->\n✅ reachdiff: no reachability change in `{}`.\n",
            report.inputs[0].path
        )
    );
    assert!(
        report.inputs[0]
            .path
            .ends_with("sg-replaced-identical-rules/plan.json")
    );
}
