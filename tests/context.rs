//! Context files (`--context`): the state and `aws ec2 describe-…` outputs of a real
//! network (made against moto by `scripts/generate-context-fixtures.sh`) settle what a
//! plan knows only by id. Each folder of `testdata/context/` holds a plan, its context
//! files, and a README listing the exact changes *with* the context, in the grammar of
//! the scenario READMEs; `{name}` there stands for an output of the network, read from
//! `context/network-state.json` (ids vary between regenerations).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::expect::{Key, actual, describe, expected_in};
use reachdiff::delta::{Delta, Level};
use reachdiff::header_space::{HeaderSpace, Principal};
use reachdiff::model::Certainty;
use reachdiff::source::context::Context;
use reachdiff::source::{self, LoadOptions, SnapshotPair};
use reachdiff::warning::{Warning, WarningKind, Warnings};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/context")
}

fn scenario(name: &str) -> PathBuf {
    root().join(name)
}

/// Every scenario folder (those with a plan).
fn scenarios() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("plan.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The context files of a scenario, in path order.
fn context_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("context"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// The network's outputs (`vpc_id`, `web_sg_id`, …) as recorded in its state.
fn outputs(dir: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(dir.join("context/network-state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    state["values"]["outputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].as_str().unwrap().to_owned()))
        .collect()
}

fn expected(dir: &Path) -> BTreeMap<Key, HeaderSpace> {
    let mut readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for (name, value) in outputs(dir) {
        readme = readme.replace(&format!("{{{name}}}"), &value);
    }
    expected_in(&readme, &dir.display().to_string())
}

fn options(files: &[PathBuf]) -> LoadOptions {
    LoadOptions {
        context: Context::load(files).expect("the context loads"),
        ..LoadOptions::default()
    }
}

/// Reads `input` with the context files; the pair and the warnings.
fn load(input: &Path, files: &[PathBuf]) -> (SnapshotPair, Vec<Warning>) {
    load_with(input, &options(files))
}

fn load_with(input: &Path, options: &LoadOptions) -> (SnapshotPair, Vec<Warning>) {
    let mut warnings = Warnings::new();
    let (_, pair) = source::load_input(input, options, &mut warnings).expect("the input loads");
    (pair, warnings.into_sorted())
}

fn changes(pair: &SnapshotPair) -> BTreeMap<Key, HeaderSpace> {
    actual(&Delta::between(pair))
}

#[test]
fn every_context_scenario_makes_exactly_its_expected_changes() {
    let dirs = scenarios();
    assert!(dirs.len() >= 4, "the context scenarios are missing");
    let mut failures = Vec::new();
    for dir in &dirs {
        let (pair, _) = load(&dir.join("plan.json"), &context_files(dir));
        let (want, got) = (expected(dir), changes(&pair));
        if want != got {
            failures.push(format!(
                "{}\n expected:\n{} got:\n{}",
                dir.display(),
                describe(&want),
                describe(&got)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_context_the_new_instances_exposure_is_only_possible() {
    let dir = scenario("instance-into-existing-network");
    let (pair, _) = load(&dir.join("plan.json"), &[]);
    let got = changes(&pair);
    assert!(!got.is_empty());
    for (level, kind, certainty, direction, subject, _) in got.keys() {
        assert_eq!(
            (*level, *certainty),
            (Level::Endpoint, Certainty::Possible),
            "{kind:?} {direction} {subject}"
        );
        assert!(subject.starts_with("aws_instance."), "{subject}");
    }
}

#[test]
fn with_context_the_new_instance_is_exposed_exactly_and_definitely() {
    // Every expected line of the README is definite; the exact sets are checked by
    // every_context_scenario_makes_exactly_its_expected_changes.
    let dir = scenario("instance-into-existing-network");
    let got = changes(&load(&dir.join("plan.json"), &context_files(&dir)).0);
    assert!(
        got.keys().all(|k| k.2 == Certainty::Definite),
        "{}",
        describe(&got)
    );
    let app_in: Vec<&HeaderSpace> = got
        .iter()
        .filter(|(k, _)| k.4 == "aws_instance.app" && k.3 == reachdiff::model::Direction::Ingress)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(app_in.len(), 1);
}

#[test]
fn without_context_a_rule_on_a_group_known_by_id_reaches_no_endpoint() {
    let dir = scenario("rule-added-to-existing-group");
    let got = changes(&load(&dir.join("plan.json"), &[]).0);
    assert!(got.keys().all(|k| k.0 == Level::Rule), "{}", describe(&got));
    assert_eq!(got.len(), 2, "{}", describe(&got));
}

#[test]
fn the_plan_wins_and_each_disagreement_is_a_warning_naming_both() {
    let dir = scenario("context-disagrees-with-plan");
    let files = context_files(&dir);
    let (_, warnings) = load(&dir.join("plan.json"), &files);
    let out = outputs(&dir);
    let context: Vec<&Warning> = warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Context)
        .collect();
    let sg_file = dir.join("context/security-groups.json");
    let sg_file = sg_file.to_string_lossy();
    let app = context
        .iter()
        .find(|w| w.resource.as_deref() == Some("aws_security_group.app"))
        .unwrap_or_else(|| panic!("{context:#?}"));
    assert!(app.message.contains(&*sg_file), "{}", app.message);
    assert!(app.message.contains("tcp 8001"), "{}", app.message);
    assert!(app.message.contains("the plan is used"), "{}", app.message);
    let web = context
        .iter()
        .find(|w| w.resource.as_deref() == Some(out["web_sg_id"].as_str()))
        .unwrap_or_else(|| panic!("{context:#?}"));
    assert!(
        web.message.contains("aws_security_group_rule.legacy"),
        "{}",
        web.message
    );
    assert!(web.message.contains(&*sg_file), "{}", web.message);
    assert_eq!(context.len(), 2, "{context:#?}");
}

#[test]
fn a_context_that_lacks_the_group_leaves_its_flows_possible_and_says_so() {
    let dir = scenario("instance-into-existing-network");
    let out = outputs(&dir);
    let files: Vec<PathBuf> = context_files(&dir)
        .into_iter()
        .filter(|f| {
            let name = f.file_name().unwrap().to_string_lossy();
            name != "security-groups.json" && name != "network-state.json"
        })
        .collect();
    let (pair, warnings) = load(&dir.join("plan.json"), &files);
    let got = changes(&pair);
    for (k, _) in got.iter().filter(|(k, _)| k.4 == "aws_instance.app") {
        assert_eq!(k.2, Certainty::Possible, "{}", describe(&got));
    }
    for group in ["web_sg_id", "admin_sg_id"] {
        let w = warnings
            .iter()
            .find(|w| w.resource.as_deref() == Some(out[group].as_str()))
            .unwrap_or_else(|| panic!("no warning for {group}: {warnings:#?}"));
        assert_eq!(w.kind, WarningKind::Context);
        assert!(
            w.message.contains("described by no context file"),
            "{}",
            w.message
        );
        assert!(
            w.message.contains("describe-security-groups"),
            "{}",
            w.message
        );
    }
}

#[test]
fn without_the_route_tables_the_main_table_stays_an_assumption() {
    // The worker's subnet has no table of its own: its VPC's main table decides, and
    // only describe-route-tables says which table that is and what it routes.
    let dir = scenario("instance-into-existing-network");
    let files: Vec<PathBuf> = context_files(&dir)
        .into_iter()
        .filter(|f| !f.ends_with("route-tables.json"))
        .collect();
    let (pair, warnings) = load(&dir.join("plan.json"), &files);
    let got = changes(&pair);
    assert!(
        got.keys()
            .any(|k| k.4 == "aws_instance.worker" && k.2 == Certainty::Possible),
        "{}",
        describe(&got)
    );
    // The state names the main table (aws_vpc.main_route_table_id), nobody describes it.
    let main = warnings
        .iter()
        .find(|w| w.resource.as_deref().is_some_and(|r| r.starts_with("rtb-")))
        .unwrap_or_else(|| panic!("{warnings:#?}"));
    assert!(
        main.message.contains("describe-route-tables"),
        "{}",
        main.message
    );
}

#[test]
fn the_state_alone_settles_what_it_manages_and_nothing_more() {
    // The network's state has its groups, ACL, public table and prefix list, but not
    // AWS's default ACL entries or the main table (nobody manages them in Terraform).
    let dir = scenario("instance-into-existing-network");
    let (pair, warnings) = load(
        &dir.join("plan.json"),
        &[dir.join("context/network-state.json")],
    );
    let got = changes(&pair);
    let app: Vec<_> = got.keys().filter(|k| k.4 == "aws_instance.app").collect();
    assert!(!app.is_empty());
    assert!(
        app.iter().all(|k| k.2 == Certainty::Definite),
        "{}",
        describe(&got)
    );
    assert!(
        got.keys()
            .any(|k| k.4 == "aws_instance.worker" && k.2 == Certainty::Possible),
        "{}",
        describe(&got)
    );
    // The default ACL's id is in the state; its entries are not.
    assert!(
        warnings.iter().any(
            |w| w.resource.as_deref().is_some_and(|r| r.starts_with("acl-"))
                && w.message.contains("describe-network-acls")
        ),
        "{warnings:#?}"
    );
}

fn reachdiff() -> Command {
    Command::cargo_bin("reachdiff").unwrap()
}

fn json_report(plan: &Path, files: &[PathBuf]) -> Vec<u8> {
    let mut cmd = reachdiff();
    cmd.arg("plan")
        .arg(plan)
        .args(["--no-config", "--fail-on", "never", "-f", "json"]);
    for f in files {
        cmd.arg("--context").arg(f);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn context_files_in_any_order_give_byte_identical_reports() {
    let dir = scenario("instance-into-existing-network");
    let files = context_files(&dir);
    let forward = json_report(&dir.join("plan.json"), &files);
    let mut reversed = files.clone();
    reversed.reverse();
    assert_eq!(forward, json_report(&dir.join("plan.json"), &reversed));
    let mut rotated = files.clone();
    rotated.rotate_left(3);
    assert_eq!(forward, json_report(&dir.join("plan.json"), &rotated));
    // Every context file is an input, with its digest.
    let report: serde_json::Value = serde_json::from_slice(&forward).unwrap();
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1 + files.len());
    assert_eq!(inputs[0]["format"], "terraform-plan-json");
    let state = inputs
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("network-state.json"))
        .unwrap();
    assert_eq!(state["format"], "terraform-state");
    let sgs = inputs
        .iter()
        .find(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .ends_with("security-groups.json")
        })
        .unwrap();
    assert_eq!(sgs["format"], "aws-describe");
    let bytes = std::fs::read(dir.join("context/security-groups.json")).unwrap();
    assert_eq!(sgs["sha256"], source::sha256_hex(&bytes));
}

#[test]
fn a_file_that_is_no_context_is_an_error_naming_its_keys() {
    let dir = scenario("instance-into-existing-network");
    let plan = dir.join("plan.json");
    for (bad, needle) in [
        (
            plan.clone(),
            "found keys applyable, complete, configuration",
        ),
        (dir.join("template.yaml"), "invalid JSON"),
    ] {
        let out = reachdiff()
            .arg("plan")
            .arg(&plan)
            .arg("--context")
            .arg(&bad)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        let want = format!("error: {}: ", bad.display());
        assert!(stderr.starts_with(&want), "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("context-not.json");
    std::fs::write(&scratch, br#"{"Volumes": [], "NextToken": "x"}"#).unwrap();
    let out = reachdiff()
        .arg("show")
        .arg(&plan)
        .arg("--context")
        .arg(&scratch)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .contains("not a context file: expected the JSON of aws ec2 describe-security-groups"),
        "{stderr}"
    );
    assert!(stderr.contains("found keys NextToken, Volumes"), "{stderr}");
}

/// The security-groups file of the instance scenario with one port changed.
fn edited_groups(dir: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(dir.join("context/security-groups.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let web = outputs(dir)["web_sg_id"].clone();
    let group = v["SecurityGroups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|g| g["GroupId"] == web.as_str())
        .unwrap();
    for p in group["IpPermissions"].as_array_mut().unwrap() {
        if p["FromPort"] == 80 {
            p["FromPort"] = 8080.into();
            p["ToPort"] = 8080.into();
        }
    }
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn two_descriptions_of_one_kind_that_disagree_are_an_error_in_any_order() {
    let dir = scenario("instance-into-existing-network");
    let original = std::fs::read(dir.join("context/security-groups.json")).unwrap();
    let edited = edited_groups(&dir);
    for files in [
        vec![
            ("a.json".to_owned(), original.clone()),
            ("b.json".to_owned(), edited.clone()),
        ],
        vec![
            ("b.json".to_owned(), edited.clone()),
            ("a.json".to_owned(), original.clone()),
        ],
    ] {
        let err = Context::from_files(&files).unwrap_err().to_string();
        assert!(err.starts_with("b.json: describes sg-"), "{err}");
        assert!(err.contains("differently from a.json"), "{err}");
    }
    // The same description twice is no conflict.
    Context::from_files(&[
        ("a.json".to_owned(), original.clone()),
        ("b.json".to_owned(), original),
    ])
    .unwrap();
}

#[test]
fn an_aws_description_wins_over_a_state_and_the_difference_is_warned_about() {
    let dir = scenario("instance-into-existing-network");
    let state = std::fs::read(dir.join("context/network-state.json")).unwrap();
    let edited = edited_groups(&dir);
    let context = Context::from_files(&[
        ("state.json".to_owned(), state),
        ("groups.json".to_owned(), edited),
    ])
    .unwrap();
    let options = LoadOptions {
        context,
        ..LoadOptions::default()
    };
    let (pair, warnings) = load_with(&dir.join("plan.json"), &options);
    let web = outputs(&dir)["web_sg_id"].clone();
    let w = warnings
        .iter()
        .find(|w| w.resource.as_deref() == Some(web.as_str()))
        .unwrap_or_else(|| panic!("{warnings:#?}"));
    assert_eq!(
        w.message,
        "state.json (a Terraform state) describes it differently from groups.json (ingress: only groups.json allows tcp 8080 from 0.0.0.0/0, ::/0); groups.json is used"
    );
    // tcp 8080 (the description) reaches the new instance, tcp 80 (the state) does not.
    let got = changes(&pair);
    let app = got
        .iter()
        .filter(|(k, _)| k.4 == "aws_instance.app" && k.3 == reachdiff::model::Direction::Ingress)
        .fold(HeaderSpace::empty(), |acc, (_, v)| acc.union(v));
    let port = |p: u16| app.contains(reachdiff::header_space::PeerPoint::V4(0x0808_0808), 6, p);
    assert!(port(8080) && !port(80), "{}", describe(&got));
}

/// The changes with every subject and endpoint principal renamed.
fn renamed(map: &BTreeMap<Key, HeaderSpace>, names: &[(&str, &str)]) -> BTreeMap<Key, HeaderSpace> {
    let name = |s: &str| {
        names
            .iter()
            .find(|(from, _)| *from == s)
            .map_or_else(|| s.to_owned(), |(_, to)| (*to).to_owned())
    };
    map.iter()
        .map(
            |((level, kind, certainty, direction, subject, via), space)| {
                let space = space.map_peers(|p| {
                    let mut p = p.clone();
                    p.principals = p
                        .principals
                        .iter()
                        .map(|q| match q {
                            Principal::Endpoint(e) => Principal::Endpoint(name(e)),
                            other => other.clone(),
                        })
                        .collect();
                    p
                });
                (
                    (
                        *level,
                        *kind,
                        *certainty,
                        *direction,
                        name(subject),
                        via.clone(),
                    ),
                    space,
                )
            },
        )
        .collect()
}

#[test]
fn a_directory_of_configuration_is_settled_like_its_plan() {
    let dir = scenario("instance-into-existing-network");
    let files = context_files(&dir);
    let from_plan = changes(&load(&dir.join("plan.json"), &files).0);
    let from_dir = changes(&load(&dir.join("after"), &files).0);
    assert_eq!(
        from_dir,
        from_plan,
        "{}\n{}",
        describe(&from_dir),
        describe(&from_plan)
    );
}

#[test]
fn a_cloudformation_template_is_settled_like_the_plan() {
    let dir = scenario("instance-into-existing-network");
    let files = context_files(&dir);
    let out = outputs(&dir);
    let mut options = options(&files);
    options.parameters = BTreeMap::from([
        ("PublicSubnetId".to_owned(), out["public_subnet_id"].clone()),
        (
            "PrivateSubnetId".to_owned(),
            out["private_subnet_id"].clone(),
        ),
        ("WebSgId".to_owned(), out["web_sg_id"].clone()),
        ("AdminSgId".to_owned(), out["admin_sg_id"].clone()),
    ]);
    let from_template = changes(&load_with(&dir.join("template.yaml"), &options).0);
    let from_plan = renamed(
        &changes(&load(&dir.join("plan.json"), &files).0),
        &[
            ("aws_instance.app", "App"),
            ("aws_instance.worker", "Worker"),
        ],
    );
    assert_eq!(
        from_template,
        from_plan,
        "{}\n{}",
        describe(&from_template),
        describe(&from_plan)
    );
}

#[test]
fn why_follows_the_acl_order_and_the_prefix_list_of_the_context() {
    let dir = scenario("instance-into-existing-network");
    let files = context_files(&dir);
    let why = |from: &str| {
        let mut cmd = reachdiff();
        cmd.arg("why").arg(dir.join("plan.json")).args([
            "--from",
            from,
            "--to",
            "aws_instance.app",
            "--port",
            "22",
        ]);
        for f in &files {
            cmd.arg("--context").arg(f);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    // Head office: in the prefix list and allowed by ACL entry 80.
    let (code, text) = why("198.51.100.7");
    assert_eq!(code, Some(0), "{text}");
    // Branch office: in the prefix list, but ACL entry 90 denies it first.
    let (code, text) = why("203.0.113.7");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("ingress rule 90"), "{text}");
}
