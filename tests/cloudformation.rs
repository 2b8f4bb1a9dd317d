//! `CloudFormation` end to end: `reachdiff diff` and `plan` on the project's own
//! templates (exact flows), and the shared corpus — every template loads, and the
//! before/after pairs its provenance lists give the deltas it describes (skipped when
//! the corpus is not on this machine).

#![expect(
    clippy::disallowed_macros,
    reason = "the sweep reports what each file gave on stderr"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use reachdiff::Warnings;
use reachdiff::source::cloudformation;

/// The corpus's `cfn` folder: `$REACHDIFF_CORPUS/cfn`, else `../shared/corpus/cfn`.
fn corpus() -> Option<PathBuf> {
    [
        std::env::var_os("REACHDIFF_CORPUS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")),
    ]
    .into_iter()
    .flatten()
    .map(|p| p.join("cfn"))
    .find(|p| p.is_dir())
}

/// Fixtures that are not deployable templates and may be refused, with a clear error.
const MAY_FAIL: [&str; 2] = ["__bad__", "RainModules"];

#[test]
fn every_corpus_template_loads() {
    let Some(dir) = corpus() else {
        eprintln!("note: the corpus is missing; corpus test skipped");
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let mut warnings = Warnings::new();
        let result = cloudformation::load(&bytes, &BTreeMap::new(), &mut warnings);
        match result {
            Ok(s) => eprintln!(
                "{name}: loaded ({} groups, {} acls, {} subnets, {} endpoints, {} warnings)",
                s.security_groups.len(),
                s.network_acls.len(),
                s.subnets.len(),
                s.endpoints.len(),
                warnings.len()
            ),
            Err(e) => {
                eprintln!("{name}: error: {e}");
                assert!(
                    MAY_FAIL.iter().any(|m| name.contains(m)),
                    "{name} should load: {e}"
                );
                assert!(!e.to_string().is_empty());
            }
        }
        assert!(
            cloudformation::is_template(&bytes) || MAY_FAIL.iter().any(|m| name.contains(m)),
            "{name} not detected"
        );
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/cloudformation")
        .join(name)
}

/// Runs `reachdiff ARGS --format json --fail-on never`; returns the exit status and
/// each change as `kind level subject summary` (` via X` through a load balancer).
fn run(args: &[&str], paths: &[PathBuf]) -> (i32, Vec<String>, Value) {
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .args(args)
        .args(paths)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}{} {} {}{}",
                c["kind"].as_str().unwrap(),
                if c["certainty"] == "possible" {
                    "possible "
                } else {
                    ""
                },
                c["level"].as_str().unwrap(),
                c["subject"].as_str().unwrap(),
                c["summary"].as_str().unwrap(),
                c["via"]
                    .as_str()
                    .map(|v| format!(" via {v}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    (code, changes, doc)
}

#[test]
fn diff_of_two_templates_gives_the_exact_flows() {
    let (_, changes, doc) = run(
        &["diff"],
        &[fixture("web.yaml"), fixture("web-ssh-open.yaml")],
    );
    // The admin CIDR's default widens to the world. The ACL passes it, the group too; the
    // instance still only answers inside its subnet, because the ACL has no egress rule
    // for the replies.
    assert_eq!(
        changes,
        [
            "opened rule Acl tcp 22 from 0.0.0.0/0 except 203.0.113.0/24",
            "opened rule WebSecurityGroup tcp 22 from 0.0.0.0/0 except 203.0.113.0/24",
            "opened endpoint Web tcp 22 from 10.0.0.0/24",
        ]
    );
    assert_eq!(doc["inputs"][0]["format"], "cloudformation-template");
    assert_eq!(doc["changes"][1]["causes"][0]["action"], "update");
}

#[test]
fn the_same_network_in_json_and_yaml_diffs_to_nothing() {
    let (_, changes, _) = run(&["diff"], &[fixture("web.yaml"), fixture("web.json")]);
    assert!(changes.is_empty(), "{changes:?}");
    // A parameter given to both sides changes nothing either.
    let (_, changes, _) = run(
        &["diff", "--parameter", "AdminCidr=0.0.0.0/0"],
        &[fixture("web.yaml"), fixture("web.yaml")],
    );
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn one_template_is_the_change_that_creates_its_stack() {
    let (_, changes, doc) = run(
        &["plan", "--parameter", "AdminCidr=0.0.0.0/0"],
        &[fixture("web.yaml")],
    );
    // CloudFormation keeps a group's allow-all egress unless it declares egress rules
    // (WebSecurityGroup keeps it, AppSecurityGroup replaces it). The ACL has no egress
    // entry, so Web sends only inside its own subnet, where no ACL applies.
    assert_eq!(
        changes,
        [
            "opened rule Acl tcp 22 from 0.0.0.0/0",
            "opened rule AppSecurityGroup tcp 8080 from sg:WebSecurityGroup",
            "opened rule AppSecurityGroup all traffic to 127.0.0.1/32",
            "opened rule WebSecurityGroup tcp 22, 443 from 0.0.0.0/0",
            "opened rule WebSecurityGroup all traffic to 0.0.0.0/0",
            "opened endpoint Web tcp 22, 443 from 10.0.0.0/24",
            "opened endpoint Web all traffic to 10.0.0.0/24",
        ]
    );
    assert_eq!(doc["changes"][0]["causes"][0]["action"], "create");
}

#[test]
fn bad_template_inputs_are_clear() {
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .arg("diff")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/demo/plan.json"))
        .arg(fixture("web.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .contains("is not a CloudFormation template; `reachdiff diff` compares two templates"),
        "{stderr}"
    );
    // A parameter file meant for another template is warned about.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cfn");
    std::fs::create_dir_all(&dir).unwrap();
    let params = dir.join("params.json");
    std::fs::write(
        &params,
        r#"[{"ParameterKey": "DbPassword", "ParameterValue": "x"}]"#,
    )
    .unwrap();
    let (_, _, doc) = run(
        &["plan", "--parameters", params.to_str().unwrap()],
        &[fixture("web.yaml")],
    );
    let warned = doc["warnings"].as_array().unwrap().iter().any(|w| {
        w["message"]
            .as_str()
            .unwrap()
            .contains("parameter DbPassword is given but the template does not declare it")
    });
    assert!(warned, "{}", doc["warnings"]);
}

#[test]
fn the_corpus_pairs_give_the_deltas_their_provenance_describes() {
    let Some(dir) = corpus() else {
        eprintln!("note: the corpus is missing; pairs skipped");
        return;
    };
    let f = |name: &str| dir.join(name);
    let pair = |a: &str, b: &str, params: &[&str]| {
        let mut args = vec!["diff"];
        for p in params {
            args.push("--parameter");
            args.push(p);
        }
        run(&args, &[f(a), f(b)]).1
    };
    // The same template in JSON and YAML.
    assert!(pair(
        "aws-cloudformation__aws-cloudformation-templates__VPC__VPC_With_Managed_NAT_And_Private_Subnet.json",
        "aws-cloudformation__aws-cloudformation-templates__VPC__VPC_With_Managed_NAT_And_Private_Subnet.yaml",
        &[]
    )
    .is_empty());
    // Integer ports for string ports, parameters for imports: no flow change.
    assert!(pair(
        "aws-cloudformation__aws-cloudformation-templates__Solutions__CloudFrontCustomOriginLambda@Edge__CloudFront__at-86fdef4.yaml",
        "aws-cloudformation__aws-cloudformation-templates__Solutions__CloudFrontCustomOriginLambda@Edge__CloudFront__at-5988bbe.yaml",
        &[]
    )
    .is_empty());
    // Inline rules refactored into conditional standalone ingress: no change.
    assert!(pair(
        "aws-quickstart__quickstart-linux-bastion__templates__linux-bastion-entrypoint-existing-vpc.template__at-a86a9ad.yaml",
        "aws-quickstart__quickstart-linux-bastion__templates__linux-bastion-entrypoint-existing-vpc.template__at-571dc59.yaml",
        &[]
    )
    .is_empty());
    // NACL-protected subnets (when created) go from no entries to allow-all.
    let nacl = pair(
        "aws-quickstart__quickstart-aws-vpc__templates__aws-vpc__at-b173df8.template",
        "aws-quickstart__quickstart-aws-vpc__templates__aws-vpc__at-09b7711.template",
        &["CreateNACLProtectedSubnets=true"],
    );
    for expected in [
        "opened rule NACLProtectedSubnet1NetworkAcl all traffic from 0.0.0.0/0",
        "opened rule NACLProtectedSubnet1NetworkAcl all traffic to 0.0.0.0/0",
        "opened rule NACLProtectedSubnet2NetworkAcl all traffic from 0.0.0.0/0",
        "opened rule NACLProtectedSubnet2NetworkAcl all traffic to 0.0.0.0/0",
    ] {
        assert!(nacl.contains(&expected.to_owned()), "{expected}: {nacl:?}");
    }
}

#[test]
fn broken_templates_are_clear_errors_or_warnings() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cfn-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let error_of = |path: &Path| {
        let out = Command::cargo_bin("reachdiff")
            .unwrap()
            .arg("plan")
            .arg(path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        stderr
    };
    let bad_yaml = write(
        "bad.yaml",
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n     Properties: [\n",
    );
    assert!(
        error_of(&bad_yaml).contains("invalid YAML at line 4, column 16"),
        "{}",
        error_of(&bad_yaml)
    );
    // In a diff, the broken side is the one named.
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .arg("diff")
        .arg(&bad_yaml)
        .arg(fixture("web.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "error: {}: invalid YAML at line 4",
            bad_yaml.display()
        )),
        "{stderr}"
    );
    let no_resources = write(
        "empty.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: {}\n",
    );
    assert!(error_of(&no_resources).contains("`Resources` mapping is empty"));
    // An unknown tag is a function reachdiff cannot evaluate: the value widens.
    let tag = write(
        "tag.yaml",
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Bogus 0.0.0.0/0}\n",
    );
    let (_, changes, doc) = run(&["plan"], &[tag]);
    assert!(
        changes.contains(&"opened possible rule Sg tcp 22 from 0.0.0.0/0".to_owned()),
        "{changes:?}"
    );
    assert!(
        doc["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Fn::Bogus")
    );
}

/// The changes of `reachdiff diff` on two templates of `testdata/cloudformation/scenarios`.
fn scenario(before: &str, after: &str) -> Vec<String> {
    let dir = fixture("scenarios");
    run(&["diff"], &[dir.join(before), dir.join(after)]).1
}

#[test]
fn cloudformation_versions_of_terraform_scenarios_give_the_same_flows() {
    // testdata/scenarios/sg-inline-ssh-opened-to-world, written as templates (the
    // protocol spelled "6", the ports as strings). The default egress CloudFormation
    // keeps is the same on both sides: no change there.
    assert_eq!(
        scenario("sg-ssh-opened-before.yaml", "sg-ssh-opened-after.yaml"),
        [
            "opened rule Web tcp 22 from 0.0.0.0/0 except 10.0.0.0/8",
            "opened rule Web tcp 443 from ::/0",
        ]
    );
    // testdata/scenarios/nacl-deny-added-before-allow, in JSON: rule 90 comes first.
    assert_eq!(
        scenario("nacl-deny-before.json", "nacl-deny-after.json"),
        ["closed rule Main tcp 22 from 0.0.0.0/0"]
    );
}

/// The lines of the `reachdiff-expected-cfn` block of a scenario's README.
fn expected_of(readme: &str) -> Vec<String> {
    let start = readme
        .find("```reachdiff-expected-cfn\n")
        .expect("the README has a reachdiff-expected-cfn block")
        + "```reachdiff-expected-cfn\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].lines().map(str::to_owned).collect()
}

#[test]
fn every_cloudformation_scenario_folder_gives_its_readmes_exact_flows() {
    let dir = fixture("scenarios");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let names: Vec<String> = folders
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "db-sg-open-to-world-private",
            "igw-route-added",
            "ipv6-world-added",
            "load-balancer-in-front",
            "nacl-egress-drops-ephemeral",
            "sg-replaced-identical",
        ]
    );
    for folder in folders {
        let readme = std::fs::read_to_string(folder.join("README.md")).unwrap();
        // Each names the Terraform scenario it mirrors, which must exist.
        let mirrored = readme
            .split('`')
            .find(|s| s.starts_with("testdata/scenarios/"))
            .expect("the README names the Terraform scenario it mirrors");
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(mirrored)
                .is_dir(),
            "{mirrored}"
        );
        let (_, changes, _) = run(
            &["diff"],
            &[folder.join("before.yaml"), folder.join("after.yaml")],
        );
        assert_eq!(changes, expected_of(&readme), "{}", folder.display());
    }
}

fn changeset(name: &str) -> PathBuf {
    fixture("changesets").join(name)
}

/// Runs reachdiff and returns its exit status and standard error.
fn failing(args: &[&str], paths: &[PathBuf]) -> (Option<i32>, String) {
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .args(args)
        .args(paths)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

fn warning_messages(doc: &Value) -> Vec<String> {
    doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            format!(
                "{}: {}",
                w["resource"].as_str().unwrap_or("-"),
                w["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_change_set_with_property_values_reads_on_its_own() {
    let (_, changes, doc) = run(&["plan"], &[changeset("open-ssh-with-values.json")]);
    // The new rule names the modified group by its physical id: read as that group.
    // The other group is outside the change set: its physical id is its key. A value
    // known only after apply widens the rule and makes it possible.
    assert_eq!(
        changes,
        [
            "opened rule Web tcp 22 from 0.0.0.0/0 except 10.0.0.0/8",
            "opened rule sg-0456app tcp 8080 from sg:Web",
            "opened possible rule sg-0456app tcp 9000 from 0.0.0.0/0",
        ]
    );
    assert_eq!(doc["inputs"][0]["format"], "cloudformation-change-set");
    let causes: Vec<&str> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["causes"][0]["action"].as_str().unwrap())
        .collect();
    assert_eq!(causes, ["update", "create", "create"]);
    let warnings = warning_messages(&doc);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].starts_with("Later: the IPv4 CIDR cannot be read (it is not known offline: the change set gives it as known only after the change runs)"), "{warnings:?}");
    assert!(
        warnings[1].contains("lists only the resources that change"),
        "{warnings:?}"
    );
}

#[test]
fn a_change_set_with_both_templates_gives_the_actions() {
    let dir = fixture("scenarios");
    let (_, changes, doc) = run(
        &[
            "diff",
            "--changeset",
            changeset("sg-ssh-opened-no-values.json").to_str().unwrap(),
        ],
        &[
            dir.join("sg-ssh-opened-before.yaml"),
            dir.join("sg-ssh-opened-after.yaml"),
        ],
    );
    // The same flows as the templates alone; the action is the change set's: a
    // conditional replacement, read as a replacement and said so.
    assert_eq!(
        changes,
        [
            "opened rule Web tcp 22 from 0.0.0.0/0 except 10.0.0.0/8",
            "opened rule Web tcp 443 from ::/0",
        ]
    );
    assert_eq!(doc["changes"][0]["causes"][0]["action"], "replace");
    assert_eq!(
        warning_messages(&doc),
        [
            "Web: its replacement is Conditional (it depends on a value known only when the change runs); read as a replacement"
        ]
    );
    let formats: Vec<&str> = doc["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "cloudformation-template",
            "cloudformation-template",
            "cloudformation-change-set"
        ]
    );
}

#[test]
fn a_difference_the_change_set_does_not_list_is_warned_about() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cfn-changeset");
    std::fs::create_dir_all(&dir).unwrap();
    let cs = dir.join("vpc-only.json");
    std::fs::write(
        &cs,
        r#"{"ChangeSetName": "vpc-only", "StackName": "web-stack", "Changes": [{"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "Vpc", "PhysicalResourceId": "vpc-0abc", "ResourceType": "AWS::EC2::VPC", "Replacement": "False", "Details": []}}]}"#,
    )
    .unwrap();
    let scenarios = fixture("scenarios");
    let (_, changes, doc) = run(
        &["diff", "--changeset", cs.to_str().unwrap()],
        &[
            scenarios.join("sg-ssh-opened-before.yaml"),
            scenarios.join("sg-ssh-opened-after.yaml"),
        ],
    );
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(doc["changes"][0]["causes"][0]["action"], "update");
    assert_eq!(
        warning_messages(&doc),
        [
            "Web: the templates change it but the change set vpc-only does not list it; are the templates the deployed one and the one the change set was made from? Its difference is still analysed"
        ]
    );
}

#[test]
fn bad_change_sets_are_clear_errors() {
    let scenarios = fixture("scenarios");
    let templates = [
        scenarios.join("sg-ssh-opened-before.yaml"),
        scenarios.join("sg-ssh-opened-after.yaml"),
    ];
    // Without property values, a change set alone says nothing about the network.
    let (code, stderr) = failing(&["plan"], &[changeset("sg-ssh-opened-no-values.json")]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("the change set open-ssh-scenario has no property values (no BeforeContext/AfterContext), so it does not say what the resources become; re-run `aws cloudformation describe-change-set --include-property-values`, or give both templates: `reachdiff diff old.yaml new.yaml --changeset cs.json`"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // Another stack's change set.
    let other = changeset("other-stack.json");
    let (code, stderr) = failing(
        &["diff", "--changeset", other.to_str().unwrap()],
        &templates,
    );
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {}: the change set billing-update (stack billing) is for a different stack: neither template declares InvoiceQueue (AWS::SQS::Queue)",
            other.display()
        )
    );
    // Not JSON.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cfn-changeset");
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"Changes\": [\n  {,}\n]}").unwrap();
    let (code, stderr) = failing(
        &["diff", "--changeset", broken.to_str().unwrap()],
        &templates,
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with(&format!(
            "error: {}: invalid JSON at line 2",
            broken.display()
        )),
        "{stderr}"
    );
    // A nested stack's change set is named, to be described separately.
    let (_, changes, doc) = run(&["plan"], &[changeset("nested.json")]);
    assert!(changes.is_empty(), "{changes:?}");
    let warnings = warning_messages(&doc);
    assert!(
        warnings.contains(&"Network: the nested stack has its own change set, which is not read here: describe it separately (`aws cloudformation describe-change-set --change-set-name arn:aws:cloudformation:us-east-1:123456789012:changeSet/parent-update-Network-XYZ/00000000-0000-0000-0000-000000000004 --include-property-values`) and give it to reachdiff; the nested stack's resources are not in this report".to_owned()),
        "{warnings:?}"
    );
}

/// (rule, file name, line, column, resource) of every SARIF result's primary location.
fn sarif_locations(args: &[&str], paths: &[PathBuf]) -> Vec<(String, String, u64, u64, String)> {
    let out = Command::cargo_bin("reachdiff")
        .unwrap()
        .args(args)
        .args(paths)
        .args(["--format", "sarif", "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut rows: Vec<_> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let l = &r["locations"][0];
            let p = &l["physicalLocation"];
            let uri = p["artifactLocation"]["uri"].as_str().unwrap();
            // The rule, without the severity its SARIF id ends with.
            let rule = r["ruleId"].as_str().unwrap().split('/').next().unwrap();
            (
                rule.to_owned(),
                uri.rsplit('/').take(2).collect::<Vec<_>>().join("<"),
                p["region"]["startLine"].as_u64().unwrap(),
                p["region"]["startColumn"].as_u64().unwrap(),
                l["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows.dedup();
    rows
}

#[test]
fn sarif_results_point_at_the_logical_id_in_the_template() {
    // A YAML diff points at the template after the change (AppSg at line 49, App at
    // line 57 of load-balancer-in-front/after.yaml).
    let dir = fixture("scenarios").join("load-balancer-in-front");
    let row = |rule: &str, line, resource: &str| {
        (
            rule.to_owned(),
            "after.yaml<load-balancer-in-front".to_owned(),
            line,
            3,
            resource.to_owned(),
        )
    };
    assert_eq!(
        sarif_locations(
            &["diff"],
            &[dir.join("before.yaml"), dir.join("after.yaml")]
        ),
        [
            row("access-widened", 49, "AppSg"),
            row("access-widened", 57, "App"),
            row("port-open-to-internet", 57, "App"),
        ]
    );
    // A JSON template: the key under `Resources`.
    let json = sarif_locations(&["plan"], &[fixture("web.json")]);
    let at: Vec<(u64, u64, &str)> = json
        .iter()
        .map(|(_, _, l, c, r)| (*l, *c, r.as_str()))
        .collect();
    for expected in [
        (119, 5, "WebSecurityGroup"),
        (162, 5, "AppSecurityGroup"),
        (208, 5, "Acl"),
        (246, 5, "Web"),
    ] {
        assert!(at.contains(&expected), "{expected:?} in {at:?}");
    }
    // A resource the change removes (WebSg) is found in the template before it.
    let ssh = fixture("scenarios");
    let removed = sarif_locations(
        &["diff"],
        &[
            ssh.join("igw-route-added").join("before.yaml"),
            ssh.join("sg-ssh-opened-before.yaml"),
        ],
    );
    assert!(
        removed.contains(&(
            "service-cut-off".to_owned(),
            "before.yaml<igw-route-added".to_owned(),
            18,
            3,
            "WebSg".to_owned()
        )),
        "{removed:?}"
    );
}
