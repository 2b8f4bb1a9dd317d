//! Hostile input: never a crash, never a hang, bounded memory (issue 15, item 8).
//!
//! Every case here was reproduced against the binary (a panic, a stack overflow, an
//! allocation abort, a hang) before it was fixed. Each now ends in one `error:` line
//! (exit status 2) naming the file and what to do, or in a warning where the analysis
//! can go on. Runs that could exhaust memory run under an address-space limit, so a
//! regression fails the test (the allocation aborts) instead of the machine.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn bin() -> Command {
    Command::cargo_bin("reachdiff").unwrap()
}

/// A fresh scratch directory for one test.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `reachdiff ARGS` with at most 2 GiB of address space (Linux: `ulimit -v`), so
/// that unbounded memory shows as a failed allocation (exit 134), not a swapping
/// machine.
fn run_bounded(args: &[&str]) -> Output {
    let exe = assert_cmd::cargo::cargo_bin("reachdiff");
    let mut c = std::process::Command::new("sh");
    c.arg("-c")
        .arg("ulimit -v 2097152 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(exe)
        .args(args);
    c.output().unwrap()
}

/// Exit status 2, one `error:` line naming `what` (the file) and containing `needle`.
fn assert_clear_error(out: &Output, what: &str, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one error line, got: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(what), "names {what}: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

// ---- Terraform configuration: functions and budgets ----

#[test]
fn format_with_a_huge_precision_is_a_warning_not_a_panic() {
    // Rust's formatter panics on a precision over 65,535; Terraform would print
    // 70,000 digits. Both calls used to exit 101.
    let dir = scratch_dir("format-precision");
    write(
        &dir,
        "main.tf",
        r#"
resource "aws_security_group" "a" {
  name        = format("%.70000f", 1)
  description = format("%.65535e", 1)
}
"#,
    );
    let out = bin()
        .args(["plan", "--no-config", "--fail-on", "never"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("a precision of 70000 is more than reachdiff formats (at most 1000)"),
        "{text}"
    );
    assert!(text.contains("a precision of 65535"), "{text}");
}

#[test]
fn nested_for_expressions_stop_at_the_step_budget() {
    // 10^9 elements: used to run until memory ran out.
    let dir = scratch_dir("nested-for");
    write(
        &dir,
        "main.tf",
        r#"
locals {
  a = [for i in range(1000) : [for j in range(1000) : [for k in range(1000) : k]]]
}
resource "aws_security_group" "x" {
  name = length(local.a)
}
"#,
    );
    let out = run_bounded(&["plan", "--no-config", dir.to_str().unwrap()]);
    assert_clear_error(&out, "main.tf", "takes more than 10000000 steps");
}

#[test]
fn doubling_strings_and_lists_become_unknown_with_a_warning() {
    // 2^64 characters and 2^59 elements, each local doubling the one before: used to
    // abort allocating gigabytes.
    let dir = scratch_dir("doubling");
    let mut text = String::from("locals {\n  s0 = \"xxxxxxxxxxxxxxxx\"\n  l0 = [\"x\"]\n");
    for i in 1..60 {
        let p = i - 1;
        let _ = writeln!(
            text,
            "  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"\n  l{i} = concat(local.l{p}, local.l{p})"
        );
    }
    text.push_str(
        "}\nresource \"aws_security_group\" \"x\" {\n  description = local.s59\n  tags = { a = join(\",\", local.l59) }\n}\n",
    );
    write(&dir, "main.tf", &text);
    let out = run_bounded(&[
        "plan",
        "--no-config",
        "--fail-on",
        "never",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "local.s19 (main.tf:40) cannot be evaluated: the value has more than 4194304 characters"
        ),
        "{text}"
    );
    assert!(
        text.contains("local.l20 (main.tf:43) cannot be evaluated: concat: concat makes more than 1000000 elements"),
        "{text}"
    );
}

#[test]
fn module_fan_out_stops_at_the_instance_budget() {
    // 1,000 modules of 1,000 groups each.
    let dir = scratch_dir("fan-out");
    write(
        &dir,
        "main.tf",
        "module \"m\" {\n  source = \"./m\"\n  count  = 1000\n}\n",
    );
    write(
        &dir,
        "m/main.tf",
        "resource \"aws_security_group\" \"x\" {\n  count = 1000\n  name  = \"x\"\n}\n",
    );
    let out = run_bounded(&["plan", "--no-config", dir.to_str().unwrap()]);
    assert_clear_error(
        &out,
        "m/main.tf",
        "has more than 50000 resource instances (count, for_each and modules multiply)",
    );
}

#[test]
fn ten_thousand_subnets_on_one_endpoint_skip_the_endpoint_level_with_a_warning() {
    // Each subnet is an interface class, and reachability compares every pair of
    // classes: 10,000 of them aborted at 2-4 GB. The rule level stays exact.
    let dir = scratch_dir("subnet-list");
    write(
        &dir,
        "main.tf",
        r#"
resource "aws_security_group" "g" {
  vpc_id = "vpc-1"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_lb" "l" {
  subnets         = [for i in range(10000) : "subnet-${i}"]
  security_groups = [aws_security_group.g.id]
}
"#,
    );
    let out = run_bounded(&[
        "plan",
        "--no-config",
        "--format",
        "json",
        "--fail-on",
        "never",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let levels: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["rule"], "{report:#}");
    assert!(
        report["warnings"].to_string().contains(
            "sit in subnets the inputs do not describe, and each may sit next to any other"
        ),
        "{report:#}"
    );
}

#[test]
fn deeply_nested_brackets_in_hcl_are_a_clear_error() {
    // The parser recursed once per bracket: 100,000 of them overflowed the stack.
    let dir = scratch_dir("hcl-deep");
    let depth = 100_000;
    write(
        &dir,
        "main.tf",
        &format!(
            "locals {{\n  a = {}{}\n}}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    let out = bin().arg("plan").arg(&dir).output().unwrap();
    assert_clear_error(&out, "main.tf", "nesting deeper than 128 levels at line 2");
}

// ---- CloudFormation ----

#[test]
fn deeply_nested_yaml_is_a_clear_error() {
    // 20,000 nested block sequences overflowed the stack (exit 134). `- - - x` nests
    // blocks on one line; indented block mappings that deep are a 190 MiB file, which
    // the template size limit refuses before parsing.
    let dir = scratch_dir("yaml-deep");
    let text = format!(
        "Resources:\n  A:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      X:\n        {}x\n",
        "- ".repeat(20_000)
    );
    let path = write(&dir, "deep.yaml", &text);
    let out = bin().arg("plan").arg(&path).output().unwrap();
    assert_clear_error(
        &out,
        "deep.yaml",
        "nesting deeper than 128 levels at line 6, column",
    );
    let mut text = String::from(
        "Resources:\n  A:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      X:\n",
    );
    for i in 0..2_000 {
        text.push_str(&" ".repeat(8 + i));
        text.push_str("a:\n");
    }
    let path = write(&dir, "deep-blocks.yaml", &text);
    let out = bin().arg("plan").arg(&path).output().unwrap();
    assert_clear_error(
        &out,
        "deep-blocks.yaml",
        "nesting deeper than 128 levels at line 130, column",
    );
    let path = write(
        &dir,
        "deep-flow.yaml",
        &format!("Resources: {}{}\n", "[".repeat(20_000), "]".repeat(20_000)),
    );
    let out = bin().arg("plan").arg(&path).output().unwrap();
    assert_clear_error(&out, "deep-flow.yaml", "nesting deeper than 128 levels");
}

#[test]
fn deeply_nested_json_is_a_clear_error_in_every_reader() {
    let dir = scratch_dir("json-deep");
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    // A template, variables: serde_json stops at 128 levels; the message says so
    // instead of "recursion limit exceeded".
    let template = write(
        &dir,
        "template.json",
        &format!(
            r#"{{"Resources": {{"A": {{"Type": "AWS::EC2::SecurityGroup", "Properties": {deep}}}}}}}"#
        ),
    );
    let out = bin().arg("plan").arg(&template).output().unwrap();
    assert_clear_error(&out, "template.json", "nesting deeper than 128 levels");
    let plan = write(
        &dir,
        "plan.json",
        &format!(
            r#"{{"format_version": "1.2", "resource_changes": [{{"address": "aws_security_group.a", "type": "aws_security_group", "change": {{"actions": ["create"], "before": null, "after": {deep}}}}}]}}"#
        ),
    );
    // In a plan, one resource's values too deep to read make that resource's side
    // wholly unknown (widened, with a warning), as any value serde cannot hold does.
    let out = bin()
        .args(["plan", "--no-config", "--fail-on", "never"])
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("aws_security_group.a: in `after`, it nests deeper than 128 levels"),
        "{}",
        stdout(&out)
    );
    let tfvars = write(
        &dir,
        "config/terraform.tfvars.json",
        &format!(r#"{{"a": {deep}}}"#),
    );
    write(&dir, "config/main.tf", "variable \"a\" {}\n");
    let out = bin()
        .arg("plan")
        .arg(tfvars.parent().unwrap())
        .output()
        .unwrap();
    assert_clear_error(
        &out,
        "terraform.tfvars.json",
        "nesting deeper than 128 levels",
    );
}

#[test]
fn deeply_nested_toml_in_the_policy_is_a_clear_error() {
    // The toml crate has its own recursion guard; this pins that it holds.
    let dir = scratch_dir("toml-deep");
    let policy = write(
        &dir,
        "reachdiff.toml",
        &format!(
            "[gate]\nfail_on = {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    );
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/demo/plan.json");
    let out = bin()
        .arg("plan")
        .arg(&demo)
        .arg("--config")
        .arg(&policy)
        .output()
        .unwrap();
    assert_clear_error(&out, "reachdiff.toml", "invalid policy at line 2");
}

#[test]
fn fn_cidr_with_a_huge_count_is_unknown_with_a_warning() {
    // An IPv6 /0 cut into /128s: the count used to run on without end.
    let dir = scratch_dir("fn-cidr");
    let path = write(
        &dir,
        "template.yaml",
        r#"Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIpv6: !Select [0, !Cidr ["::/0", 1000000000000, 0]]
"#,
    );
    let out = run_bounded(&["plan", "--fail-on", "never", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("an Fn::Cidr asks for 1000000000000 blocks; CloudFormation accepts 1 to 256"),
        "{text}"
    );
}

// ---- Files: sizes and kinds ----

#[test]
fn a_policy_file_over_its_limit_is_refused_before_reading() {
    // A sparse 1 GiB file: used to abort allocating 7 GB.
    let dir = scratch_dir("big-policy");
    let policy = dir.join("reachdiff.toml");
    let f = std::fs::File::create(&policy).unwrap();
    f.set_len(1 << 30).unwrap();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/demo/plan.json");
    let out = run_bounded(&[
        "plan",
        plan.to_str().unwrap(),
        "--config",
        policy.to_str().unwrap(),
    ]);
    assert_clear_error(
        &out,
        "reachdiff.toml",
        "is 1 GiB; reachdiff reads a policy file of at most 4 MiB",
    );
}

#[test]
fn a_plan_over_its_limit_is_refused_before_reading() {
    let dir = scratch_dir("big-plan");
    let plan = dir.join("plan.json");
    std::fs::File::create(&plan)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let out = run_bounded(&["plan", plan.to_str().unwrap()]);
    assert_clear_error(
        &out,
        "plan.json",
        "is 3 GiB; reachdiff reads a plan of at most 1 GiB",
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_wherever_a_file_is_expected() {
    // Opening a FIFO waits for a writer: every one of these used to hang.
    let dir = scratch_dir("fifo");
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let f = fifo.to_str().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/demo/plan.json");
    let demo = demo.to_str().unwrap();
    let config = dir.join("config");
    write(&config, "main.tf", "variable \"x\" {\n  default = 1\n}\n");
    let template = write(
        &dir,
        "t.yaml",
        "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n",
    );
    let t = template.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["plan", f],
        vec!["plan", demo, "--config", f],
        vec!["plan", demo, "--parameters", f],
        vec!["plan", config.to_str().unwrap(), "--var-file", f],
        vec!["diff", t, t, "--changeset", f],
        vec!["diff", f, t],
        vec!["show", f],
        vec!["why", f, "--from", "internet", "--to", "10.0.0.1"],
    ];
    for args in cases {
        let mut c = bin();
        c.args(&args).timeout(std::time::Duration::from_secs(60));
        let out = c.output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("pipe: is a named pipe (FIFO), not a regular file"),
            "{args:?}: {err}"
        );
    }
    // A pipe among the configuration files is refused too (not only skipped).
    std::fs::rename(&fifo, config.join("pipe.tf")).unwrap();
    let out = bin()
        .arg("plan")
        .arg(&config)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_clear_error(
        &out,
        "pipe.tf",
        "is a named pipe (FIFO), not a regular file",
    );
}

#[cfg(unix)]
#[test]
fn a_device_is_refused() {
    let out = bin()
        .args(["plan", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_clear_error(&out, "/dev/zero", "is a device, not a regular file");
}

#[test]
fn standard_input_is_still_read() {
    let demo = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/demo/plan.json"),
    )
    .unwrap();
    let out = bin()
        .args(["plan", "-", "--no-config", "--fail-on", "never"])
        .write_stdin(demo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// ---- Standard output ----

#[cfg(any(target_os = "linux", target_os = "macos"))]
#[test]
fn a_closed_standard_output_is_an_error() {
    // The runtime quietly reopens a closed descriptor on /dev/null: the report was lost
    // and the exit status was the gate's (1).
    let exe = assert_cmd::cargo::cargo_bin("reachdiff");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/demo/plan.json");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" plan \"$1\" --no-config >&-")
        .arg(&exe)
        .arg(&demo)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: standard output is closed"), "{err}");
    // Writing only to files needs no standard output.
    let sarif = scratch_dir("closed-stdout").join("r.sarif");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" plan \"$1\" --no-config --format \"sarif=$2\" >&-")
        .arg(&exe)
        .arg(&demo)
        .arg(&sarif)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(sarif.is_file());
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_is_an_error_that_says_so() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/demo/plan.json");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("reachdiff"))
        .arg("plan")
        .arg(&demo)
        .arg("--no-config")
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: writing the report to standard output: No space left on device"),
        "{err}"
    );
}

#[test]
fn a_closed_pipe_keeps_the_gate_status_and_the_other_outputs() {
    // `reachdiff plan.json | head`: the reader leaves early. That is no error, but the
    // gate must not pass because of it, and files are still written.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios/demo/plan.json");
    let sarif = scratch_dir("epipe").join("r.sarif");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("reachdiff"))
        .arg("plan")
        .arg(&demo)
        .args(["--no-config", "--format", "json", "--format"])
        .arg(format!("sarif={}", sarif.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(sarif.is_file());
}

// ---- terraform show ----

#[cfg(unix)]
#[test]
fn a_failing_terraform_show_is_reported_with_its_cause_and_no_colour() {
    use std::os::unix::fs::PermissionsExt;
    // A stand-in `terraform` that fails the way terraform 1.11 does for a plan it
    // cannot read: a warning first, then the error, in colour unless -no-color.
    let dir = scratch_dir("terraform-show");
    let fake = write(
        &dir,
        "bin/terraform",
        r#"#!/bin/sh
case " $* " in *" -no-color "*) ;; *) printf '\033[31mcolour was not turned off\033[0m\n' >&2; exit 1;; esac
printf 'There are some problems with the CLI configuration:\n\342\225\267\n\342\224\202 Warning: Unable to open CLI configuration file\n\342\225\265\n\n' >&2
printf '\342\225\267\n\342\224\202 \033[1mError: \033[0mFailed to read the given file as a state or plan file\n\342\224\202\n\342\224\202 Plan read error: zip: not a valid zip file\n\342\225\265\n' >&2
exit 1
"#,
    );
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let plan = dir.join("plan.out");
    std::fs::write(&plan, b"PK\x03\x04 not really a plan").unwrap();
    let out = bin()
        .arg("plan")
        .arg(&plan)
        .env("PATH", dir.join("bin"))
        .output()
        .unwrap();
    assert_clear_error(&out, "plan.out", "`terraform show -json` failed in");
    let err = stderr(&out);
    assert!(
        err.contains(": Failed to read the given file as a state or plan file Plan read error: zip: not a valid zip file; run it yourself"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "no escape codes: {err:?}");
    assert!(
        !err.contains("CLI configuration"),
        "warnings left out: {err}"
    );
}
