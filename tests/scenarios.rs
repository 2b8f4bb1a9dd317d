//! Scenario tests: every folder in `testdata/scenarios/` holds a real plan and a
//! README whose `reachdiff-expected` block lists, by hand, the exact changes the plan
//! makes. The test parses those lines into header spaces and requires the tool's changes
//! to be *the same sets of packets* per (kind, certainty, direction, subject) — so an
//! expectation can be written readably ("0.0.0.0/0 except 10.0.0.0/8") and still be
//! exact. Each output format is also snapshotted beside the scenario (`snapshots/`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use reachdiff::delta::{ChangeKind, Delta, Level};
use reachdiff::header_space::service::{ICMP, ICMPV6};
use reachdiff::header_space::{
    HeaderSpace, PeerSet, Principal, ServiceSet, parse_cidr, v4_block, v4_cidrs, v6_block, v6_cidrs,
};
use reachdiff::model::{Certainty, Direction, Protocol};
use reachdiff::reach::Assumptions;
use reachdiff::report::{self, Report};
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::Policy;
use reachdiff::risk::{self, Severity};
use reachdiff::source;
use reachdiff::warning::Warnings;

/// (level, kind, certainty, direction, subject, via)
type Key = (
    Level,
    ChangeKind,
    Certainty,
    Direction,
    String,
    Option<String>,
);

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

/// Parses one expected line into its key and packets.
fn parse_line(line: &str) -> (Key, HeaderSpace) {
    let (line, via) = match line.split_once(" via ") {
        Some((l, v)) => (l, Some(v.trim().to_owned())),
        None => (line, None),
    };
    let mut words = line.split_whitespace().peekable();
    let kind = match words.next() {
        Some("opened") => ChangeKind::Opened,
        Some("closed") => ChangeKind::Closed,
        other => panic!("bad kind {other:?} in {line:?}"),
    };
    let certainty = if words.peek() == Some(&"possible") {
        words.next();
        Certainty::Possible
    } else {
        Certainty::Definite
    };
    let level = if words.peek() == Some(&"endpoint") {
        words.next();
        Level::Endpoint
    } else {
        Level::Rule
    };
    let direction = match words.next() {
        Some("ingress") => Direction::Ingress,
        Some("egress") => Direction::Egress,
        other => panic!("bad direction {other:?} in {line:?}"),
    };
    let subject = words.next().expect("subject").to_owned();
    let protocol = words.next().expect("protocol");
    let rest: Vec<&str> = words.collect();
    let split = rest
        .iter()
        .position(|w| *w == "from" || *w == "to")
        .unwrap_or_else(|| panic!("no from/to in {line:?}"));
    let detail = rest[..split].join("");
    let peers_text = rest[split + 1..].join(" ");

    // `all except tcp 443` is every service but those named after `except`.
    let services = if protocol == "all" && rest.first() == Some(&"except") {
        ServiceSet::all().difference(&services_of(rest[1], &rest[2..split].join("")))
    } else {
        services_of(protocol, &detail)
    };

    let (include, exclude) = match peers_text.split_once(" except ") {
        Some((a, b)) => (a, Some(b)),
        None => (peers_text.as_str(), None),
    };
    let peer_set = |text: &str| -> PeerSet {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .fold(PeerSet::empty(), |acc, item| {
                let one = if item == "self" {
                    PeerSet::from_principal(Principal::SecurityGroup(subject.clone()))
                } else if let Some(name) = item.strip_prefix("sg:") {
                    PeerSet::from_principal(Principal::SecurityGroup(name.to_owned()))
                } else if let Some(name) = item.strip_prefix("pl:") {
                    PeerSet::from_principal(Principal::PrefixList(name.to_owned()))
                } else if let Some(name) = item.strip_prefix("ep:") {
                    PeerSet::from_principal(Principal::Endpoint(name.to_owned()))
                } else {
                    match parse_cidr(item).unwrap_or_else(|| panic!("peer {item:?} in {line:?}")) {
                        ipnet::IpNet::V4(n) => PeerSet::from_v4(v4_block(n)),
                        ipnet::IpNet::V6(n) => PeerSet::from_v6(v6_block(n)),
                    }
                };
                acc.union(&one)
            })
    };
    let mut peers = peer_set(include);
    if let Some(ex) = exclude {
        peers = peers.difference(&peer_set(ex));
    }
    (
        (level, kind, certainty, direction, subject, via),
        HeaderSpace::product(&peers, &services),
    )
}

/// The services of a protocol word and its detail (ports, or an ICMP `type[:code]` list).
fn services_of(protocol: &str, detail: &str) -> ServiceSet {
    match Protocol::parse(protocol).unwrap_or_else(|| panic!("protocol {protocol:?}")) {
        Protocol::All => ServiceSet::all(),
        Protocol::Number(p) if p == ICMP || p == ICMPV6 => {
            if detail.is_empty() {
                ServiceSet::protocol(p)
            } else {
                detail.split(',').fold(ServiceSet::none(), |acc, item| {
                    let (t, c) = match item.split_once(':') {
                        Some((t, c)) => (t.parse().unwrap(), Some(c.parse::<u8>().unwrap())),
                        None => (item.parse::<u8>().unwrap(), None),
                    };
                    let codes = c.map_or((0, u8::MAX), |c| (c, c));
                    acc.union(&ServiceSet::icmp(p, (t, t), codes))
                })
            }
        }
        Protocol::Number(p) if detail.is_empty() => ServiceSet::protocol(p),
        Protocol::Number(p) => detail.split(',').fold(ServiceSet::none(), |acc, r| {
            let (lo, hi) = r.split_once('-').unwrap_or((r, r));
            acc.union(&ServiceSet::ports(
                p,
                lo.parse().unwrap(),
                hi.parse().unwrap(),
            ))
        }),
    }
}

fn expected(dir: &Path) -> BTreeMap<Key, HeaderSpace> {
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("scenario README.md");
    let mut out: BTreeMap<Key, HeaderSpace> = BTreeMap::new();
    for (fence, level) in [
        ("```reachdiff-expected\n", Level::Rule),
        ("```reachdiff-expected-endpoints\n", Level::Endpoint),
    ] {
        let start = readme
            .find(fence)
            .unwrap_or_else(|| panic!("{}: no {} block", dir.display(), fence.trim()));
        let body = &readme[start + fence.len()..];
        let body = &body[..body.find("```").expect("closing fence")];
        for line in body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (key, space) = parse_line(line);
            assert_eq!(
                key.0,
                level,
                "{}: {line:?} is in the wrong block",
                dir.display()
            );
            let slot = out.entry(key).or_default();
            *slot = slot.union(&space);
        }
    }
    out
}

fn actual(delta: &Delta) -> BTreeMap<Key, HeaderSpace> {
    let mut out: BTreeMap<Key, HeaderSpace> = BTreeMap::new();
    for c in &delta.changes {
        let key = (
            c.level,
            c.kind,
            c.certainty,
            c.direction,
            c.subject.clone(),
            c.via.clone(),
        );
        let slot = out.entry(key).or_default();
        *slot = slot.union(&c.space());
    }
    out
}

fn describe(map: &BTreeMap<Key, HeaderSpace>) -> String {
    let mut s = String::new();
    for ((level, kind, certainty, direction, subject, via), space) in map {
        for part in space.parts() {
            let peers: Vec<String> = v4_cidrs(&part.peers.v4)
                .iter()
                .map(ToString::to_string)
                .chain(v6_cidrs(&part.peers.v6).iter().map(ToString::to_string))
                .chain(part.peers.principals.iter().map(ToString::to_string))
                .collect();
            let _ = writeln!(
                s,
                "  {} {} {} {direction} {subject}{}: {} / {}",
                level.as_str(),
                kind.as_str(),
                certainty.as_str(),
                via.as_deref()
                    .map(|v| format!(" via {v}"))
                    .unwrap_or_default(),
                part.service,
                peers.join(" ")
            );
        }
    }
    s
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
        let plan = actual(&run(&dir).delta);
        let config = actual(&run_configurations(&dir).delta);
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
