//! Scenario tests: every folder in `testdata/scenarios/` holds a real plan and a
//! README whose `reachdiff-expected` block lists, by hand, the exact changes the plan
//! makes. The test parses those lines into header spaces and requires the tool's changes
//! to be *the same sets of packets* per (kind, certainty, direction, subject) — so an
//! expectation can be written readably ("0.0.0.0/0 except 10.0.0.0/8") and still be
//! exact. Each output format is also snapshotted beside the scenario (`snapshots/`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::expect::{Key, actual, describe, expected_in, expected_with_configuration, parse_line};
use reachdiff::delta::{ChangeKind, Level};
use reachdiff::header_space::service::ICMP;
use reachdiff::header_space::{HeaderSpace, PeerSet, Principal, ServiceSet, v4_block, v6_block};
use reachdiff::model::{Certainty, Direction};
use reachdiff::reach::Assumptions;
use reachdiff::report::{self, Report};
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::Policy;
use reachdiff::risk::{self, Severity};
use reachdiff::source;
use reachdiff::warning::Warnings;

/// Every scenario folder, or only those whose name contains `$SCENARIO` when set
/// (`SCENARIO=nacl cargo test --test scenarios`).
fn scenario_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios");
    let only = std::env::var("SCENARIO").ok();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("testdata/scenarios exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("plan.json").is_file())
        .filter(|p| {
            only.as_deref().is_none_or(|o| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(o))
            })
        })
        .collect();
    dirs.sort();
    dirs
}

fn expected(dir: &Path) -> BTreeMap<Key, HeaderSpace> {
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("scenario README.md");
    expected_in(&readme, &dir.display().to_string())
}

/// The day accepted risks are checked against, fixed so that snapshots never age.
const TODAY: &str = "2026-06-01";

fn run(dir: &Path) -> Report {
    let mut warnings = Warnings::new();
    let rel = dir
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .join("plan.json");
    let (mut input, pair) =
        source::load_path(&dir.join("plan.json"), &mut warnings).expect("plan loads");
    input.path = rel.to_string_lossy().replace('\\', "/");
    let mut report = analyse(vec![input], &pair, warnings);
    reachdiff::with_rule_text(&mut report, &pair);
    report
}

/// The analysis with the default policy, the gate at `high` and the fixed day.
fn analyse(inputs: Vec<source::Input>, pair: &source::SnapshotPair, warnings: Warnings) -> Report {
    let policy = Policy::default();
    let settings = risk::Settings {
        policy: &policy,
        fail_on: Some(Severity::High),
        fail_on_unknown: false,
        today: Date::parse(TODAY).unwrap(),
        assumptions: &Assumptions::default(),
    };
    reachdiff::analyse(inputs, pair, &settings, warnings)
}

/// The `reachdiff-expected-risk` block of a scenario README, when it has one: one line
/// per report row, `severity rule level kind subject`.
fn expected_risk(dir: &Path) -> Option<Vec<String>> {
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let start = readme.find("```reachdiff-expected-risk\n")?;
    let body = &readme[start + "```reachdiff-expected-risk\n".len()..];
    let end = body.find("```").expect("the risk block is closed");
    let mut lines: Vec<String> = body[..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    lines.sort();
    Some(lines)
}

#[test]
fn scenarios_with_a_risk_block_score_exactly_as_written() {
    let mut checked = 0;
    for dir in scenario_dirs() {
        let Some(expected) = expected_risk(&dir) else {
            continue;
        };
        checked += 1;
        let report = run(&dir);
        let mut actual: Vec<String> = report::rows(&report)
            .iter()
            .map(|r| {
                let via = r.via.map(|v| format!(" via {v}")).unwrap_or_default();
                format!(
                    "{} {} {} {} {}{via}",
                    r.severity.as_str(),
                    r.rule,
                    r.level.as_str(),
                    r.kind.as_str(),
                    r.subject
                )
            })
            .collect();
        actual.sort();
        assert_eq!(actual, expected, "{}", dir.display());
    }
    if std::env::var("SCENARIO").is_err() {
        assert!(checked >= 6, "only {checked} scenarios have a risk block");
    }
}

#[test]
fn every_scenario_makes_exactly_its_expected_changes() {
    let dirs = scenario_dirs();
    assert!(
        !dirs.is_empty(),
        "no scenario under testdata/scenarios (or none matches $SCENARIO)"
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let report = run(dir);
        let (want, got) = (expected(dir), actual(&report.delta));
        if want != got {
            failures.push(format!(
                "{}\n expected:\n{} got:\n{}",
                dir.file_name().unwrap().to_string_lossy(),
                describe(&want),
                describe(&got)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_scenario_output_matches_its_snapshots() {
    for dir in scenario_dirs() {
        let report = run(&dir);
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(dir.join("snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| {
            let mut table = Vec::new();
            report::table::render(&report, &mut table).unwrap();
            insta::assert_snapshot!(format!("{name}.table"), String::from_utf8(table).unwrap());
            let mut json = Vec::new();
            report::json::render(&report, &mut json).unwrap();
            let json = redact(&report, &String::from_utf8(json).unwrap());
            insta::assert_snapshot!(format!("{name}.json"), json);
            let mut markdown = Vec::new();
            report::markdown::render(&report, &mut markdown).unwrap();
            insta::assert_snapshot!(
                format!("{name}.markdown"),
                redact(&report, &String::from_utf8(markdown).unwrap())
            );
            let mut sarif = Vec::new();
            report::sarif::render(&report, &mut sarif).unwrap();
            insta::assert_snapshot!(
                format!("{name}.sarif"),
                redact(&report, &String::from_utf8(sarif).unwrap())
            );
            let mut github = Vec::new();
            report::github::render(&report, &mut github).unwrap();
            insta::assert_snapshot!(format!("{name}.github"), String::from_utf8(github).unwrap());
        });
    }
}

/// The version changes with releases and the digest with every regeneration of the
/// fixture (plans carry a timestamp); tests/cli.rs checks the digest.
fn redact(report: &Report, text: &str) -> String {
    let sha = &report.inputs[0].sha256;
    text.replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"[VERSION]\"",
    )
    .replace(
        &format!("reachdiff {}", env!("CARGO_PKG_VERSION")),
        "reachdiff [VERSION]",
    )
    .replace(sha, "[SHA256]")
    .replace(&sha[..12], "[SHA256]")
}

#[test]
fn output_is_byte_identical_across_runs() {
    for dir in scenario_dirs() {
        let render = || {
            let report = run(&dir);
            let mut out = Vec::new();
            report::json::render(&report, &mut out).unwrap();
            report::table::render(&report, &mut out).unwrap();
            out
        };
        assert_eq!(render(), render(), "{}", dir.display());
    }
}

#[test]
fn the_expectation_parser_is_exact() {
    let ((_, kind, certainty, direction, subject, _), space) = parse_line(
        "opened possible ingress aws_security_group.web tcp 22 from self, 0.0.0.0/0 except 10.0.0.0/8",
    );
    assert_eq!(
        (kind, certainty, direction),
        (ChangeKind::Opened, Certainty::Possible, Direction::Ingress)
    );
    assert_eq!(subject, "aws_security_group.web");
    let world = PeerSet::from_v4(v4_block("0.0.0.0/0".parse().unwrap()));
    let ten = PeerSet::from_v4(v4_block("10.0.0.0/8".parse().unwrap()));
    let me = PeerSet::from_principal(Principal::SecurityGroup("aws_security_group.web".into()));
    let ssh = ServiceSet::ports(6, 22, 22);
    // `except` subtracts from everything listed before it.
    assert_eq!(
        space,
        HeaderSpace::product(&world.union(&me).difference(&ten), &ssh)
    );
    let ((level, .., via), ep) = parse_line(
        "opened endpoint ingress aws_instance.app tcp 8080 from ep:aws_lb.front via aws_lb.front",
    );
    assert_eq!(
        (level, via.as_deref()),
        (Level::Endpoint, Some("aws_lb.front"))
    );
    let lb = PeerSet::from_principal(Principal::Endpoint("aws_lb.front".into()));
    assert_eq!(
        ep,
        HeaderSpace::product(&lb, &ServiceSet::ports(6, 8080, 8080))
    );
    let (_, rest) = parse_line("closed egress x all except tcp 443 to 0.0.0.0/0");
    let https = ServiceSet::ports(6, 443, 443);
    assert_eq!(
        rest,
        HeaderSpace::product(&world, &ServiceSet::all().difference(&https))
    );
    let (_, icmp) = parse_line("closed egress x icmp 8:0,3 to ::/0");
    let v6 = PeerSet::from_v6(v6_block("::/0".parse().unwrap()));
    let want =
        ServiceSet::icmp(ICMP, (8, 8), (0, 0)).union(&ServiceSet::icmp(ICMP, (3, 3), (0, 255)));
    assert_eq!(icmp, HeaderSpace::product(&v6, &want));
}

/// The same scenario read from its two configuration directories (`reachdiff diff
/// before/ after/`, no plan). An empty `before/` (a scenario that creates everything)
/// reads as nothing before.
fn run_configurations(dir: &Path) -> Report {
    let mut warnings = Warnings::new();
    let has_tf = |d: &Path| {
        std::fs::read_dir(d).is_ok_and(|mut e| {
            e.any(|f| f.is_ok_and(|f| f.path().extension().is_some_and(|x| x == "tf")))
        })
    };
    let options = source::LoadOptions::default();
    let (inputs, pair) = if has_tf(&dir.join("before")) {
        source::load_diff(
            &source::Side::Path(dir.join("before")),
            &source::Side::Path(dir.join("after")),
            &options,
            &mut warnings,
        )
        .expect("configurations load")
    } else {
        let (input, pair) =
            source::load_input(&dir.join("after"), &options, &mut warnings).expect("after loads");
        (vec![input], pair)
    };
    analyse(inputs, &pair, warnings)
}

/// The scenario's plan read with its `after` configuration at hand (`reachdiff plan
/// plan.json --source after`), which resolves what the plan records only as
/// references.
fn run_with_source(dir: &Path) -> Report {
    let mut warnings = Warnings::new();
    let options = source::LoadOptions {
        plan_source: Some(dir.join("after")),
        ..source::LoadOptions::default()
    };
    let (input, pair) = source::load_input(&dir.join("plan.json"), &options, &mut warnings)
        .expect("plan loads with its configuration");
    assert!(
        warnings.is_empty(),
        "{}: the configuration should settle every reference: {warnings:?}",
        dir.display()
    );
    analyse(vec![input], &pair, warnings)
}

/// Configuration and plan go through one model builder, so they must agree exactly:
/// same changes, same certainty. (Where a plan knows more — real addresses, provider
/// defaults — no scenario depends on it yet; one that does should be compared here
/// with the configuration's extra changes required to be `possible`.)
#[test]
fn configurations_and_plans_give_the_same_changes() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for dir in scenario_dirs() {
        if !dir.join("after").is_dir() {
            continue;
        }
        compared += 1;
        let config = actual(&run_configurations(&dir).delta);
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        if let Some(want) = expected_with_configuration(&readme) {
            // The plan alone knows less here; with its configuration it knows as much.
            let with_source = actual(&run_with_source(&dir).delta);
            for (what, got) in [("configurations", &config), ("plan --source", &with_source)] {
                if *got != want {
                    failures.push(format!(
                        "{} ({what})\n expected:\n{} got:\n{}",
                        dir.file_name().unwrap().to_string_lossy(),
                        describe(&want),
                        describe(got)
                    ));
                }
            }
            continue;
        }
        let plan = actual(&run(&dir).delta);
        if plan != config {
            failures.push(format!(
                "{}\n from the plan:\n{} from the configurations:\n{}",
                dir.file_name().unwrap().to_string_lossy(),
                describe(&plan),
                describe(&config)
            ));
        }
    }
    if std::env::var("SCENARIO").is_err() {
        assert!(
            compared >= 30,
            "only {compared} scenarios have configurations"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
