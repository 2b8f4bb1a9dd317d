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
        fail_on_unknown: false,
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
        assert_shows_our_severity(&sarif, &dir.display().to_string());
        results += sarif["runs"][0]["results"].as_array().unwrap().len();
    }
    assert!(
        results > 50,
        "only {results} results: the check would prove little"
    );
}

/// The security severity code scanning shows for a rule's `security-severity`: "over
/// 9.0 is critical, 7.0 to 8.9 is high, 4.0 to 6.9 is medium and 3.9 or less is low"
/// (GitHub's "SARIF support for code scanning", reportingDescriptor object); none
/// without the property.
fn code_scanning_severity(rule: &Value) -> Option<&'static str> {
    let score: f64 = rule["properties"]["security-severity"]
        .as_str()?
        .parse()
        .unwrap();
    Some(match score {
        s if s > 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        _ => "low",
    })
}

/// Every result's rule (found as code scanning finds it: `ruleIndex`, and the same id)
/// carries a security severity that code scanning shows as the result's severity.
fn assert_shows_our_severity(sarif: &Value, what: &str) {
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        let rule = &rules[index];
        assert_eq!(rule["id"], r["ruleId"], "{what}");
        let ours = r["properties"]["severity"].as_str().unwrap();
        let shown = code_scanning_severity(rule);
        if ours == "info" || ours == "unknown" {
            // Unknown exposure is no severity code scanning could show.
            assert_eq!(shown, None, "{what}: {ours} has no security severity");
        } else {
            assert_eq!(shown, Some(ours), "{what}: {}", r["ruleId"]);
        }
        assert_eq!(
            r["ruleId"].as_str().unwrap().split('/').next_back(),
            Some(ours)
        );
    }
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
    // One entry per rule and severity the results use: hierarchical ids whose first
    // part is the registry's rule.
    assert_eq!(
        rules,
        [
            "admin-port-open-to-internet/critical",
            "service-cut-off/high",
            "service-cut-off/medium"
        ]
    );
    for id in &rules {
        let rule = id.split('/').next().unwrap();
        assert!(reachdiff::risk::registry::by_id(rule).is_some(), "{rule}");
    }
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
            r["ruleId"] == "admin-port-open-to-internet/critical"
                && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    == "aws_instance.web"
        })
        .unwrap();
    assert_eq!(ssh["level"], "error");
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

/// SARIF from the binary, run in `cwd` with `args`.
fn sarif_from(cwd: &Path, args: &[&str]) -> Value {
    let out = assert_cmd::Command::cargo_bin("reachdiff")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .args(["--format", "sarif", "--fail-on", "never"])
        .env_remove("GITHUB_WORKSPACE")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn first_location(sarif: &Value) -> &Value {
    &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root() {
    // This checkout is a git work tree: its root holds `.git`.
    let plan = root().join("testdata/scenarios/demo/plan.json");
    for cwd in [root().to_path_buf(), root().join("testdata/scenarios")] {
        for given in [
            plan.display().to_string(),
            "../../testdata/scenarios/demo/plan.json".into(),
        ] {
            if given.starts_with("..") && cwd == root() {
                continue;
            }
            let sarif = sarif_from(&cwd, &["plan", &given]);
            let at = first_location(&sarif);
            assert_eq!(
                at["uri"],
                "testdata/scenarios/demo/plan.json",
                "{given} from {}",
                cwd.display()
            );
            assert_eq!(at["uriBaseId"], "%SRCROOT%");
            let base = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                base.starts_with("file:///") && base.ends_with('/'),
                "{base}"
            );
            let artifact = &sarif["runs"][0]["artifacts"][0]["location"];
            assert_eq!(artifact["uri"], "testdata/scenarios/demo/plan.json");
        }
    }
}

#[test]
fn sarif_points_at_the_configuration_when_it_is_known() {
    // With --source the plan's findings land on the configuration's lines, relative to
    // the repository's root.
    let sarif = sarif_from(
        root(),
        &[
            "plan",
            "testdata/scenarios/demo/plan.json",
            "--source",
            "testdata/scenarios/demo/after",
        ],
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let physical = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            physical["artifactLocation"]["uri"],
            "testdata/scenarios/demo/after/main.tf"
        );
        assert!(physical["region"]["startLine"].as_u64().unwrap() > 1);
    }
    // A directory read on its own, likewise.
    let sarif = sarif_from(
        root(),
        &[
            "diff",
            "testdata/scenarios/demo/before",
            "testdata/scenarios/demo/after",
        ],
    );
    let at = first_location(&sarif);
    assert_eq!(at["uri"], "testdata/scenarios/demo/after/main.tf");
    assert_eq!(at["uriBaseId"], "%SRCROOT%");
}

fn analysed(name: &str, plan: &str) -> Report {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("formats");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, plan).unwrap();
    analyse(&path)
}

#[test]
fn the_same_change_on_many_endpoints_is_one_row_and_one_annotation() {
    // 1,000 instances over 50 configurations; every fifth configuration's group widens
    // a port range, so 200 instances get the same change in groups of 20.
    let report = analysed("fleet.json", &data::synthetic_fleet(1000, 50));
    let comment = report::markdown::comment(&report, report::markdown::GITHUB_LIMIT);
    // The findings table: 10 rows (one per widened group), not 200.
    let rows: Vec<&str> = comment
        .split("\n\n")
        .find(|t| t.starts_with("| Risk | Change"))
        .unwrap()
        .lines()
        .skip(2)
        .collect();
    assert_eq!(rows.len(), 10, "{comment}");
    assert!(
        rows.iter().all(|l| l.contains(" → 20 endpoints |")),
        "{comment}"
    );
    assert!(
        comment.contains("**Endpoints (20):** `aws_instance.i"),
        "{comment}"
    );
    // Sorted by score within a severity.
    let scores: Vec<u32> = rows
        .iter()
        .map(|l| {
            l.split(" | ")
                .next()
                .unwrap()
                .rsplit(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    let mut sorted = scores.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(scores, sorted);
    let mut out = Vec::new();
    report::github::render(&report, &mut out).unwrap();
    let log = String::from_utf8(out).unwrap();
    for kind in ["error", "warning", "notice"] {
        let n = log
            .lines()
            .filter(|l| l.starts_with(&format!("::{kind} ")))
            .count();
        assert!(n <= report::github::PER_KIND, "{n} {kind} annotations");
    }
}

#[test]
fn a_big_plan_keeps_to_githubs_annotation_and_summary_limits() {
    let report = analysed("big-summary.json", &data::synthetic_plan(1500));
    // Annotations: GitHub shows 10 of each kind per step; the tenth says how many more.
    let mut out = Vec::new();
    report::github::render(&report, &mut out).unwrap();
    let log = String::from_utf8(out).unwrap();
    let notices: Vec<&str> = log.lines().filter(|l| l.starts_with("::notice ")).collect();
    assert_eq!(notices.len(), report::github::PER_KIND, "{log}");
    assert!(
        notices[9].contains("more notice-level findings are not annotated"),
        "{}",
        notices[9]
    );
    // The job summary: cut by bytes, not characters, to GitHub's 1 MiB.
    let full = report::markdown::job_summary(&report, usize::MAX);
    assert!(
        full.len() > report::markdown::SUMMARY_LIMIT,
        "the test needs a summary over 1 MiB: {} bytes",
        full.len()
    );
    let cut = report::markdown::job_summary(&report, report::markdown::SUMMARY_LIMIT);
    assert!(
        cut.len() <= report::markdown::SUMMARY_LIMIT,
        "{} bytes",
        cut.len()
    );
    assert!(
        cut.len() > report::markdown::SUMMARY_LIMIT * 9 / 10,
        "{} bytes",
        cut.len()
    );
    assert!(cut.contains("Cut to fit the job summary's 1048576-byte limit"));
    // The worst rows stay.
    let first_row = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("| ") && !l.starts_with("| Risk"))
            .map(str::to_owned)
    };
    assert_eq!(first_row(&cut), first_row(&full));
}

/// `sarif::render` writes the results one at a time as it builds them (a 100,000-finding
/// plan held 2 GB of JSON values otherwise); what it writes must be, byte for byte, the
/// log `sarif::log` builds whole.
#[test]
fn streamed_sarif_is_the_log_byte_for_byte() {
    let mut compared = 0;
    for dir in scenarios() {
        let report = analyse(&dir.join("plan.json"));
        let mut streamed = Vec::new();
        report::sarif::render(&report, &mut streamed).unwrap();
        let whole = serde_json::to_string_pretty(&report::sarif::log(&report)).unwrap() + "\n";
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            whole,
            "{}",
            dir.display()
        );
        compared += 1;
    }
    assert!(compared >= 30, "only {compared} scenarios");
}
