//! Terraform configuration without a plan: `reachdiff diff BEFORE AFTER` on
//! directories, `reachdiff diff --git BASE [PATH]`, `reachdiff plan DIR`, `--source`,
//! and a clear error for every kind of bad configuration.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

fn reachdiff() -> Command {
    Command::cargo_bin("reachdiff").unwrap()
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/scenarios")
        .join(name)
}

/// A fresh scratch directory for one test, holding `files` (path → text).
fn tree(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("configuration")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Runs the command and expects exit status `status`.
fn run(cmd: &mut Command, status: i32) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(status),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (kind, level, subject, protocol, ports, cidrs) of every change of a JSON report.
fn changes(report: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {} {} {}",
                c["kind"].as_str().unwrap(),
                c["level"].as_str().unwrap(),
                c["certainty"].as_str().unwrap(),
                c["subject"].as_str().unwrap(),
                c["protocol"].as_str().unwrap(),
                c["ports"],
                c["peer"]["cidrs"]
            )
        })
        .collect();
    out.sort();
    out
}

/// Runs reachdiff, expects exit status 2 and one error line containing every needle.
fn assert_error(args: &[&std::ffi::OsStr], cwd: Option<&Path>, needles: &[&str]) {
    let mut cmd = reachdiff();
    cmd.args(args);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "no report on error");
    assert_eq!(stderr.lines().count(), 1, "one error line, got: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    }
}

#[test]
fn two_directories_give_the_changes_of_the_plan_and_point_at_lines() {
    let dir = scenario("sg-inline-ssh-opened-to-world");
    let out = run(
        reachdiff()
            .args(["diff", "--format", "json", "--fail-on", "high"])
            .arg(dir.join("before"))
            .arg(dir.join("after")),
        1,
    );
    let report = json(&out);
    // "0.0.0.0/0 except 10.0.0.0/8", as the algebra renders it.
    let world_but_ten = r#"["0.0.0.0/5","8.0.0.0/7","11.0.0.0/8","12.0.0.0/6","16.0.0.0/4","32.0.0.0/3","64.0.0.0/2","128.0.0.0/1"]"#;
    assert_eq!(
        changes(&report),
        [
            format!(r#"opened rule definite aws_security_group.web tcp ["22"] {world_but_ten}"#),
            r#"opened rule definite aws_security_group.web tcp ["443"] ["::/0"]"#.to_owned(),
        ]
    );
    // Every cause points at the block of the rule that opened it (SSH at line 10,
    // https at 18) in the after configuration.
    let located: Vec<(String, String)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let cause = &c["causes"][0];
            assert_eq!(cause["resource"], "aws_security_group.web");
            (
                c["ports"][0].as_str().unwrap().to_owned(),
                cause["location"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let at = |line: u32| format!("{}/after/main.tf:{line}", dir.display());
    assert_eq!(
        located,
        [("22".to_owned(), at(10)), ("443".to_owned(), at(18))]
    );
    assert_eq!(report["inputs"][0]["format"], "terraform-configuration");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Process::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn git_base_is_read_without_touching_the_working_tree() {
    let dir = scenario("sg-inline-ssh-opened-to-world");
    let before = std::fs::read_to_string(dir.join("before/main.tf")).unwrap();
    let after = std::fs::read_to_string(dir.join("after/main.tf")).unwrap();
    let repo = tree("git-base", &[("infra/main.tf", &before), ("README", "x\n")]);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "before"]);
    std::fs::write(repo.join("infra/main.tf"), &after).unwrap();

    let by_git = run(
        reachdiff()
            .args(["diff", "--git", "HEAD", "infra", "--format", "json"])
            .current_dir(&repo),
        1,
    );
    let by_dirs = reachdiff()
        .args(["diff", "--format", "json"])
        .arg(dir.join("before"))
        .arg(dir.join("after"))
        .output()
        .unwrap();
    let (by_git, by_dirs) = (json(&by_git), json(&by_dirs));
    assert_eq!(changes(&by_git), changes(&by_dirs));
    assert_eq!(by_git["inputs"][0]["revision"], "HEAD");
    assert_eq!(by_git["inputs"][0]["path"], "infra");
    assert!(by_git["inputs"][1].get("revision").is_none());
    // The working tree is as it was: only our edit.
    assert_eq!(
        std::fs::read_to_string(repo.join("infra/main.tf")).unwrap(),
        after
    );

    // From inside the directory, the path defaults to `.`.
    let here = reachdiff()
        .args(["diff", "--git", "HEAD", "--format", "json"])
        .current_dir(repo.join("infra"))
        .output()
        .unwrap();
    assert_eq!(changes(&json(&here)), changes(&by_dirs));
}

#[test]
fn a_directory_new_since_the_base_is_created_whole() {
    let dir = scenario("sg-inline-ssh-opened-to-world");
    let after = std::fs::read_to_string(dir.join("after/main.tf")).unwrap();
    let repo = tree("git-new-dir", &[("README", "x\n")]);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "base"]);
    std::fs::create_dir_all(repo.join("infra")).unwrap();
    std::fs::write(repo.join("infra/main.tf"), after).unwrap();
    let out = run(
        reachdiff()
            .args([
                "diff",
                "--git",
                "HEAD",
                "infra",
                "--format",
                "json",
                "--fail-on",
                "never",
            ])
            .current_dir(&repo),
        0,
    );
    let report = json(&out);
    assert_eq!(
        report["inputs"].as_array().unwrap().len(),
        1,
        "nothing before"
    );
    // The group is new: all it allows opens (egress to everywhere, SSH and https in).
    assert_eq!(
        changes(&report),
        [
            r#"opened rule definite aws_security_group.web all null ["0.0.0.0/0"]"#,
            r#"opened rule definite aws_security_group.web tcp ["22"] ["0.0.0.0/0"]"#,
            r#"opened rule definite aws_security_group.web tcp ["443"] ["0.0.0.0/0","::/0"]"#,
        ]
    );
}

#[test]
fn a_git_revision_that_does_not_exist_is_a_clear_error() {
    let repo = tree(
        "git-bad-rev",
        &[(
            "main.tf",
            "resource \"aws_vpc\" \"a\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
        )],
    );
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "base"]);
    assert_error(
        &["diff".as_ref(), "--git".as_ref(), "no-such-branch".as_ref()],
        Some(&repo),
        &["the git revision `no-such-branch` does not exist"],
    );
}

#[test]
fn git_outside_a_repository_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("reachdiff-not-a-repo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), "").unwrap();
    assert_error(
        &[
            "diff".as_ref(),
            "--git".as_ref(),
            "HEAD".as_ref(),
            dir.as_os_str(),
        ],
        None,
        &["is not inside a git repository"],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_directory_without_terraform_files_is_a_clear_error() {
    let empty = tree("empty", &[("notes.txt", "nothing here\n")]);
    let other = tree("empty-other", &[("main.tf", "")]);
    assert_error(
        &["diff".as_ref(), empty.as_os_str(), other.as_os_str()],
        None,
        &["no Terraform files"],
    );
}

#[test]
fn an_hcl_syntax_error_names_file_line_and_column() {
    let bad = tree(
        "syntax",
        &[(
            "network.tf",
            "resource \"aws_vpc\" \"a\" {\n  cidr_block = \n}\n",
        )],
    );
    let out = reachdiff().arg("plan").arg(&bad).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("network.tf"), "{stderr}");
    assert!(
        stderr.contains("line 2") || stderr.contains("line 3"),
        "{stderr}"
    );
}

#[test]
fn a_file_and_a_directory_are_not_compared() {
    let dir = scenario("sg-inline-ssh-opened-to-world");
    assert_error(
        &[
            "diff".as_ref(),
            dir.join("plan.json").as_os_str(),
            dir.join("after").as_os_str(),
        ],
        None,
        &["is a file and", "is a directory"],
    );
}

#[test]
fn a_plan_with_its_source_points_at_configuration_lines() {
    let dir = scenario("sg-inline-ssh-opened-to-world");
    let out = run(
        reachdiff()
            .args(["plan", "--format", "sarif", "--fail-on", "never"])
            .arg(dir.join("plan.json"))
            .arg("--source")
            .arg(dir.join("after")),
        0,
    );
    let sarif = json(&out);
    let located = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    let uri = located["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.ends_with("after/main.tf"), "{uri}");
    // The resource's block (a plan orders set blocks its own way, so not the rule's).
    assert_eq!(located["region"]["startLine"], 5);
}

#[test]
fn unknown_values_are_possible_not_guessed() {
    // The SSH source comes from a data source: unknown, so the opening is possible.
    let before = tree(
        "unknown-before",
        &[(
            "main.tf",
            "resource \"aws_security_group\" \"web\" {\n  name = \"web\"\n}\n",
        )],
    );
    let after = tree(
        "unknown-after",
        &[(
            "main.tf",
            r#"data "aws_vpc" "shared" {
  tags = { Name = "shared" }
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [data.aws_vpc.shared.cidr_block]
  }
}
"#,
        )],
    );
    let out = run(
        reachdiff()
            .args(["diff", "--format", "json", "--fail-on", "never"])
            .arg(&before)
            .arg(&after),
        0,
    );
    let report = json(&out);
    let all = changes(&report);
    // Not dropped, not guessed: possibly SSH from any IPv4 address.
    assert_eq!(
        all,
        [r#"opened rule possible aws_security_group.web tcp ["22"] ["0.0.0.0/0"]"#]
    );
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("aws_security_group.web"), "{warnings}");
}

#[test]
fn a_cycle_between_locals_is_a_clear_error() {
    let dir = tree(
        "locals-cycle",
        &[("locals.tf", "locals {\n  a = local.b\n  b = local.a\n}\n")],
    );
    assert_error(
        &["plan".as_ref(), dir.as_os_str()],
        None,
        &["locals-cycle/locals.tf", "cycle between locals"],
    );
}

#[test]
fn a_missing_local_module_is_a_clear_error() {
    let dir = tree(
        "missing-module",
        &[(
            "main.tf",
            "module \"sg\" {\n  source = \"./modules/sg\"\n}\n",
        )],
    );
    assert_error(
        &["plan".as_ref(), dir.as_os_str()],
        None,
        &["missing-module/main.tf", "line 1", "./modules/sg"],
    );
}

#[test]
fn unknown_functions_and_remote_modules_are_warnings_with_unknown_values() {
    let dir = tree(
        "warnings",
        &[(
            "main.tf",
            r#"module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}

resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = module.vpc.vpc_id
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [frobnicate("10.0.0.0/8")]
  }
}
"#,
        )],
    );
    let out = run(
        reachdiff()
            .args(["plan", "--format", "json", "--fail-on", "never"])
            .arg(&dir),
        0,
    );
    let report = json(&out);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("frobnicate"), "{warnings}");
    assert!(warnings.contains("cannot be read offline"), "{warnings}");
    // The rule's source is unknown: its opening is possible, never dropped.
    let all = changes(&report);
    assert!(
        all.iter()
            .any(|c| c.starts_with("opened rule possible aws_security_group.web tcp [\"443\"]")),
        "{all:?}"
    );
}

#[test]
fn variables_come_from_tfvars_var_files_and_var() {
    let dir = tree(
        "variables",
        &[
            (
                "main.tf",
                r#"variable "admin_cidr" {
  type    = string
  default = "10.0.0.0/8"
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.admin_cidr]
  }
}
"#,
            ),
            ("terraform.tfvars", "admin_cidr = \"192.168.0.0/16\"\n"),
            ("extra.tfvars", "admin_cidr = \"172.16.0.0/12\"\n"),
        ],
    );
    let cidrs = |extra: &[&str]| {
        let out = run(
            reachdiff()
                .args(["plan", "--format", "json", "--fail-on", "never"])
                .arg(&dir)
                .args(extra),
            0,
        );
        json(&out)["changes"][0]["peer"]["cidrs"].to_string()
    };
    assert_eq!(cidrs(&[]), r#"["192.168.0.0/16"]"#);
    let var_file = dir.join("extra.tfvars");
    assert_eq!(
        cidrs(&["--var-file", var_file.to_str().unwrap()]),
        r#"["172.16.0.0/12"]"#
    );
    assert_eq!(
        cidrs(&[
            "--var-file",
            var_file.to_str().unwrap(),
            "--var",
            "admin_cidr=203.0.113.0/24"
        ]),
        r#"["203.0.113.0/24"]"#
    );
    // The evidence digest covers the variable files: another file, another digest.
    let digest = |extra: &[&str]| {
        let out = run(
            reachdiff()
                .args(["plan", "--format", "json", "--fail-on", "never"])
                .arg(&dir)
                .args(extra),
            0,
        );
        json(&out)["inputs"][0]["sha256"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_ne!(
        digest(&[]),
        digest(&["--var-file", var_file.to_str().unwrap()])
    );
    assert_error(
        &[
            "plan".as_ref(),
            dir.as_os_str(),
            "--var".as_ref(),
            "oops".as_ref(),
        ],
        None,
        &["--var oops: give a variable as NAME=VALUE"],
    );
}

#[test]
fn an_instance_without_groups_gets_its_vpcs_default_group() {
    // Configuration says what a plan cannot: no groups at launch means the default one,
    // so the instance is not widened to "any group known after apply".
    let dir = tree(
        "default-group",
        &[(
            "main.tf",
            r#"resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_instance" "x" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.a.id
}
"#,
        )],
    );
    let out = run(reachdiff().args(["show", "--format", "json"]).arg(&dir), 0);
    let report = json(&out);
    assert_eq!(report["warnings"], serde_json::json!([]));
    let endpoint = &report["endpoints"][0];
    assert_eq!(endpoint["endpoint"], "aws_instance.x");
    let flows: Vec<String> = endpoint["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {}", f["direction"], f["summary"], f["certainty"]))
        .collect();
    assert_eq!(
        flows,
        [r#""ingress" "tcp 443 from 10.0.0.0/16" "definite""#]
    );
}

#[test]
fn git_base_works_for_a_cloudformation_template_too() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cloudformation/scenarios");
    let before = std::fs::read_to_string(scenarios.join("sg-ssh-opened-before.yaml")).unwrap();
    let after = std::fs::read_to_string(scenarios.join("sg-ssh-opened-after.yaml")).unwrap();
    let repo = tree("git-template", &[("stack/network.yaml", &before)]);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "base"]);
    std::fs::write(repo.join("stack/network.yaml"), &after).unwrap();
    let by_git = run(
        reachdiff()
            .args(["diff", "--git", "HEAD", "stack/network.yaml"])
            .args(["--format", "json", "--fail-on", "never"])
            .current_dir(&repo),
        0,
    );
    let by_files = run(
        reachdiff()
            .args(["diff", "--format", "json", "--fail-on", "never"])
            .arg(scenarios.join("sg-ssh-opened-before.yaml"))
            .arg(scenarios.join("sg-ssh-opened-after.yaml")),
        0,
    );
    let (by_git, by_files) = (json(&by_git), json(&by_files));
    assert!(!changes(&by_files).is_empty());
    assert_eq!(changes(&by_git), changes(&by_files));
    assert_eq!(by_git["inputs"][0]["revision"], "HEAD");
    assert_eq!(by_git["inputs"][0]["path"], "stack/network.yaml");
    assert_eq!(by_git["inputs"][0]["format"], "cloudformation-template");
}

#[test]
fn removing_every_ingress_block_leaves_the_rules_but_an_empty_list_removes_them() {
    // `ingress` is an attribute-as-blocks: omitting it tells Terraform to leave the
    // rules alone; `ingress = []` removes them.
    let group = |ingress: &str| {
        format!("resource \"aws_security_group\" \"web\" {{\n  name = \"web\"\n{ingress}\n}}\n")
    };
    let ssh = "  ingress {\n    protocol    = \"tcp\"\n    from_port   = 22\n    to_port     = 22\n    cidr_blocks = [\"10.0.0.0/8\"]\n  }";
    let before = tree("blocks-before", &[("main.tf", &group(ssh))]);
    let omitted = tree("blocks-omitted", &[("main.tf", &group(""))]);
    let emptied = tree("blocks-emptied", &[("main.tf", &group("  ingress = []"))]);
    let diff = |after: &Path| {
        let out = run(
            reachdiff()
                .args(["diff", "--format", "json", "--fail-on", "never"])
                .arg(&before)
                .arg(after),
            0,
        );
        changes(&json(&out))
    };
    assert_eq!(diff(&omitted), Vec::<String>::new());
    assert_eq!(
        diff(&emptied),
        [r#"closed rule definite aws_security_group.web tcp ["22"] ["10.0.0.0/8"]"#]
    );
}

#[test]
fn the_same_unknown_value_on_both_sides_is_no_change() {
    // A data source's CIDR is unknown before and after; the rule using it did not
    // change, so nothing opens or closes — not even possibly.
    let config = r#"data "aws_vpc" "shared" {
  tags = { Name = "shared" }
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "DESCRIPTION"
  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [data.aws_vpc.shared.cidr_block]
  }
}
"#;
    let before = tree(
        "shared-unknown-before",
        &[("main.tf", &config.replace("DESCRIPTION", "before"))],
    );
    let after = tree(
        "shared-unknown-after",
        &[("main.tf", &config.replace("DESCRIPTION", "after"))],
    );
    let out = run(
        reachdiff()
            .args(["diff", "--format", "json", "--fail-on", "never"])
            .arg(&before)
            .arg(&after),
        0,
    );
    assert_eq!(changes(&json(&out)), Vec::<String>::new());
}

/// A monorepo: `envs/prod` calls `../../modules/sg` (issue 14 item 9).
const MONOREPO_ENV: &str = "module \"sg\" {\n  source = \"../../modules/sg\"\n  port   = 22\n}\n";
const MONOREPO_MODULE: &str = r#"variable "port" {}
resource "aws_security_group" "this" {
  name   = "this"
  vpc_id = "vpc-1"
  ingress {
    protocol    = "tcp"
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = ["10.0.0.0/8"]
  }
}
"#;

#[test]
fn a_module_above_the_directory_is_read_on_disk_and_at_a_git_revision() {
    let repo = tree(
        "monorepo",
        &[
            ("envs/prod/main.tf", MONOREPO_ENV),
            ("modules/sg/main.tf", MONOREPO_MODULE),
        ],
    );
    // On disk: used to be "not a directory of this configuration".
    let out = run(
        reachdiff()
            .args(["plan", "--format", "json", "--fail-on", "never"])
            .arg(repo.join("envs/prod")),
        0,
    );
    let report = json(&out);
    assert_eq!(
        changes(&report),
        [r#"opened rule definite module.sg.aws_security_group.this tcp ["22"] ["10.0.0.0/8"]"#]
    );
    // Findings point at the module's file, named from the directory given.
    assert!(
        report.to_string().contains("monorepo/modules/sg/main.tf"),
        "{report:#}"
    );

    // At a revision: the module changes (port 22 → 22 and 443).
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "base"]);
    std::fs::write(
        repo.join("envs/prod/main.tf"),
        MONOREPO_ENV.replace("port   = 22", "port   = 443"),
    )
    .unwrap();
    let out = run(
        reachdiff()
            .args([
                "diff",
                "--git",
                "HEAD",
                "envs/prod",
                "--format",
                "json",
                "--fail-on",
                "never",
            ])
            .current_dir(&repo),
        0,
    );
    assert_eq!(
        changes(&json(&out)),
        [
            r#"closed rule definite module.sg.aws_security_group.this tcp ["22"] ["10.0.0.0/8"]"#,
            r#"opened rule definite module.sg.aws_security_group.this tcp ["443"] ["10.0.0.0/8"]"#,
        ]
    );
}

#[test]
fn a_module_source_that_does_not_exist_says_where_it_looked() {
    let repo = tree(
        "monorepo-missing",
        &[(
            "envs/prod/main.tf",
            "module \"sg\" {\n  source = \"../../modules/nope\"\n}\n",
        )],
    );
    assert_error(
        &["plan".as_ref(), repo.join("envs/prod").as_os_str()],
        None,
        &[
            "envs/prod/main.tf: at line 1, column 1: module sg: its source \"../../modules/nope\" is ",
            "monorepo-missing/modules/nope, which does not exist; fix the source",
        ],
    );
    // Outside the repository at a revision: said so.
    let repo = tree(
        "monorepo-outside",
        &[(
            "envs/prod/main.tf",
            "module \"sg\" {\n  source = \"../../../outside\"\n}\n",
        )],
    );
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "base"]);
    assert_error(
        &[
            "diff".as_ref(),
            "--git".as_ref(),
            "HEAD".as_ref(),
            "envs/prod".as_ref(),
        ],
        Some(&repo),
        &[
            "its source \"../../../outside\" leaves the git repository, and --git reads only the repository",
        ],
    );
}

#[cfg(unix)]
#[test]
fn symlinked_configuration_files_are_followed_and_loops_refused() {
    let repo = tree(
        "symlinks",
        &[(
            "shared/sg.tf",
            &MONOREPO_MODULE
                .replace("var.port", "22")
                .replace("variable \"port\" {}\n", ""),
        )],
    );
    std::fs::create_dir_all(repo.join("env")).unwrap();
    std::os::unix::fs::symlink("../shared/sg.tf", repo.join("env/sg.tf")).unwrap();
    let out = run(
        reachdiff()
            .args(["plan", "--format", "json", "--fail-on", "never"])
            .arg(repo.join("env")),
        0,
    );
    assert_eq!(
        changes(&json(&out)),
        [r#"opened rule definite aws_security_group.this tcp ["22"] ["10.0.0.0/8"]"#]
    );
    std::os::unix::fs::symlink("loop.tf", repo.join("env/loop.tf")).unwrap();
    assert_error(
        &["plan".as_ref(), repo.join("env").as_os_str()],
        None,
        &["env/loop.tf: cannot read the file: ", "symbolic links"],
    );
}
