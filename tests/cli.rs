//! The binary's contract: exit statuses, standard input, output files, and one clear
//! error line (naming the file and what to do) for every kind of bad input.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary, with the environment that changes its output's layout or adds progress
/// lines (`COLUMNS`, `CI`) removed: tests that want them set them.
fn reachdiff() -> Command {
    let mut cmd = Command::cargo_bin("reachdiff").unwrap();
    cmd.env_remove("COLUMNS").env_remove("CI");
    cmd
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/scenarios")
        .join(name)
        .join("plan.json")
}

/// A file in this test binary's scratch directory.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Runs reachdiff on `path`, expects exit status 2 and exactly one line on stderr that
/// names the file and contains `needle`.
fn assert_one_line_error(path: &Path, needle: &str) {
    let out = reachdiff().arg("plan").arg(path).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "no report on error");
    assert_eq!(stderr.lines().count(), 1, "one error line, got: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains(&path.display().to_string()),
        "names the file: {stderr}"
    );
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_json_is_a_clear_error() {
    let p = scratch("malformed.json", br#"{"format_version": "1.2", ]"#);
    assert_one_line_error(&p, "invalid JSON at line 1, column 27");
}

#[test]
fn json_that_is_not_a_plan_is_a_clear_error() {
    let p = scratch("not-a-plan.json", br#"{"hello": "world"}"#);
    assert_one_line_error(&p, "has no `format_version`, so it is not a Terraform plan");
    let p = scratch("array.json", b"[1, 2, 3]");
    assert_one_line_error(&p, "not a Terraform plan");
}

#[test]
fn terraform_state_is_recognised() {
    let p = scratch(
        "state.json",
        br#"{"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {}}}"#,
    );
    assert_one_line_error(&p, "this is Terraform state");
}

#[test]
fn a_cloudformation_template_is_recognised() {
    let p = scratch(
        "template.json",
        br#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#,
    );
    assert_one_line_error(&p, "`Resources` mapping is empty");
}

#[test]
fn a_truncated_plan_is_a_clear_error() {
    let plan = std::fs::read(scenario("demo")).unwrap();
    let p = scratch("truncated.json", &plan[..plan.len() / 2]);
    assert_one_line_error(&p, "looks truncated");
}

#[test]
fn an_unknown_format_version_is_a_clear_error() {
    let p = scratch(
        "future.json",
        br#"{"format_version": "2.0", "planned_values": {}}"#,
    );
    assert_one_line_error(&p, "format_version 2.0 is not supported");
}

#[test]
fn an_empty_file_is_a_clear_error() {
    assert_one_line_error(&scratch("empty.json", b""), "the input is empty");
    assert_one_line_error(&scratch("blank.json", b" \n\t\n"), "the input is empty");
}

#[test]
fn a_directory_without_configuration_is_a_clear_error() {
    // A directory is read as Terraform configuration; without any, say so.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-dir");
    std::fs::create_dir_all(&dir).unwrap();
    assert_one_line_error(&dir, "holds no Terraform files (*.tf, *.tf.json)");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join("does-not-exist.json");
    assert_one_line_error(&p, "cannot read the file");
}

#[test]
fn the_plan_event_stream_is_explained() {
    let stream = concat!(
        r#"{"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui","type":"version"}"#,
        "\n",
        r#"{"@level":"info","@message":"aws_vpc.main: Plan to create","type":"planned_change"}"#,
        "\n"
    );
    let p = scratch("stream.json", stream.as_bytes());
    assert_one_line_error(&p, "`terraform plan -json` event stream");
}

#[test]
fn a_binary_plan_without_terraform_says_how_to_get_json() {
    let p = scratch("plan.out", b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary plan");
    let out = reachdiff()
        .arg("plan")
        .arg(&p)
        .env("PATH", "")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("binary plan file and `terraform` is not on PATH"),
        "{stderr}"
    );
    assert!(
        stderr.contains("terraform show -json plan.out > plan.json"),
        "{stderr}"
    );
}

#[test]
fn a_utf16_plan_with_bom_reads_like_utf8() {
    let utf8 = std::fs::read_to_string(scenario("demo")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(utf8.encode_utf16().flat_map(u16::to_le_bytes));
    let p = scratch("utf16.json", &utf16);
    let from_utf16 = reachdiff()
        .args(["plan", "--format", "json", "--fail-on", "never"])
        .arg(&p)
        .output()
        .unwrap();
    let from_utf8 = reachdiff()
        .args(["plan", "--format", "json", "--fail-on", "never"])
        .arg(scenario("demo"))
        .output()
        .unwrap();
    assert_eq!(from_utf16.status.code(), Some(0));
    let changes = |o: &std::process::Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["changes"].clone()
    };
    assert_eq!(changes(&from_utf16), changes(&from_utf8));
    assert!(
        changes(&from_utf8)
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let plan = std::fs::read(scenario("demo")).unwrap();
    let out = reachdiff()
        .args(["plan", "-", "--format", "json"])
        .write_stdin(plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["path"], "-");
}

#[test]
fn a_bare_path_means_plan() {
    reachdiff().arg(scenario("demo")).assert().code(1);
    reachdiff()
        .arg("-")
        .write_stdin(std::fs::read(scenario("nacl-renumbered-same-order-no-change")).unwrap())
        .assert()
        .code(0);
}

#[test]
fn exit_status_follows_fail_on() {
    // SSH opened to the world on a group no endpoint in the plan carries: high.
    let ssh = scenario("sg-inline-ssh-opened-to-world");
    reachdiff().arg("plan").arg(&ssh).assert().code(1);
    for (threshold, code) in [
        ("critical", 0),
        ("high", 1),
        ("medium", 1),
        ("never", 0),
        ("HIGH", 1),
    ] {
        reachdiff()
            .args(["plan", "--fail-on", threshold])
            .arg(&ssh)
            .assert()
            .code(code);
    }
    // Only closes flows that nothing in the plan uses: low.
    let closes = scenario("rule-resource-removed-closes");
    reachdiff().arg("plan").arg(&closes).assert().code(0);
    reachdiff()
        .args(["plan", "--fail-on", "low"])
        .arg(&closes)
        .assert()
        .code(1);
    // No change at all.
    reachdiff()
        .args(["plan", "--fail-on", "info"])
        .arg(scenario("protocol-spellings-rewrite-no-change"))
        .assert()
        .code(0);
}

/// Runs reachdiff with `args` on the demo plan, expects exit status 2 and returns the
/// error, which must be one line.
fn error_with(args: &[&str]) -> String {
    let out = reachdiff()
        .args(args)
        .arg(scenario("demo"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    stderr
}

#[test]
fn an_unknown_threshold_names_the_valid_ones() {
    // A usage error: clap's format (the error, then a hint), exit status 2.
    let out = reachdiff()
        .args(["plan", "--fail-on", "opened"])
        .arg(scenario("demo"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("use critical, high, medium, low, info or never"),
        "{stderr}"
    );
}

#[test]
fn the_verdict_and_the_gate_come_first_and_the_gate_last() {
    let out = reachdiff().arg(scenario("demo")).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = stdout.lines();
    // Each flow once: the rule-level changes behind the endpoint ones are not counted
    // again.
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "reachdiff: 1 critical opened; 1 high, 2 medium closed in {}",
            scenario("demo").display()
        )
    );
    let gate = "gate: failed (--fail-on high): the worst is critical";
    assert_eq!(lines.next().unwrap(), gate);
    assert_eq!(stdout.lines().last().unwrap(), gate);
}

/// The demo's standard output with `COLUMNS` set, as in a CI log (a pipe).
fn demo_at(columns: u16) -> String {
    let out = reachdiff()
        .arg(scenario("demo"))
        .env("COLUMNS", columns.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_narrow_width_gets_one_line_per_finding_with_details_beneath() {
    for columns in [80, 100, 120] {
        let text = demo_at(columns);
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(
            widest <= usize::from(columns),
            "{columns}: {widest}\n{text}"
        );
        assert!(
            !text.contains('┆'),
            "no squeezed table at {columns}:\n{text}"
        );
        // One line per finding, the details indented beneath it.
        let findings: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.starts_with("critical ") || l.starts_with("high ") || l.starts_with("medium ")
            })
            .collect();
        assert_eq!(findings.len(), 7, "{text}");
        assert!(
            text.contains("\n    rule: admin-port-open-to-internet\n"),
            "{text}"
        );
        assert!(
            text.contains("\n    caused by: aws_security_group.web (update)\n"),
            "{text}"
        );
        assert_eq!(
            text.lines().last().unwrap(),
            "gate: failed (--fail-on high): the worst is critical"
        );
    }
    // 80 columns: a few screens, not the ~490 lines of a squeezed table.
    assert!(demo_at(80).lines().count() < 70);
}

#[test]
fn the_wide_table_stays_where_it_fits() {
    let wide = demo_at(400);
    assert!(wide.contains('┆'), "{wide}");
    let plain = reachdiff().arg(scenario("demo")).output().unwrap();
    assert_eq!(
        wide,
        String::from_utf8(plain.stdout).unwrap(),
        "without COLUMNS a pipe gets the wide table, unwrapped"
    );
}

/// A scratch directory holding `reachdiff.toml` with `policy`.
fn policy_dir(name: &str, policy: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("policies")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("reachdiff.toml"), policy).unwrap();
    dir
}

const ACCEPT_SSH: &str = r#"# SSH to the web group, accepted for a migration.
[[accept]]
from = "internet"
to = "aws_security_group.web"
protocol = "tcp"
ports = [22]
reason = "migration window"
owner = "ops@example.com"
expires = 2026-12-31
"#;

#[test]
fn a_policy_in_the_working_directory_is_used_unless_told_otherwise() {
    let dir = policy_dir("found", ACCEPT_SSH);
    let ssh = scenario("sg-inline-ssh-opened-to-world");
    let out = reachdiff()
        .current_dir(&dir)
        .args(["plan", "--date", "2026-06-01"])
        .arg(&ssh)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "accepted: the gate passes");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("1 accepted"), "{stdout}");
    assert!(
        stdout.contains("\"migration window\" (ops@example.com, until 2026-12-31; policy line 2)"),
        "{stdout}"
    );
    reachdiff()
        .current_dir(&dir)
        .args(["plan", "--no-config"])
        .arg(&ssh)
        .assert()
        .code(1);
    // After the expiry date the finding counts again, and a warning says so.
    let out = reachdiff()
        .current_dir(&dir)
        .args(["plan", "--date", "2027-01-01"])
        .arg(&ssh)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("EXPIRED on 2026-12-31"), "{stdout}");
    assert!(stdout.contains("warning[policy]"), "{stdout}");
}

#[test]
fn the_policy_sets_the_default_threshold_and_the_flag_wins() {
    let dir = policy_dir("gate", "[gate]\nfail_on = \"critical\"\n");
    let ssh = scenario("sg-inline-ssh-opened-to-world");
    // The finding is high: below the policy's threshold...
    reachdiff()
        .current_dir(&dir)
        .arg("plan")
        .arg(&ssh)
        .assert()
        .code(0);
    // ...and at the command line's.
    reachdiff()
        .current_dir(&dir)
        .args(["plan", "--fail-on", "high"])
        .arg(&ssh)
        .assert()
        .code(1);
}

#[test]
fn the_policy_digest_is_recorded_in_json() {
    let dir = policy_dir("digest", ACCEPT_SSH);
    let out = reachdiff()
        .args([
            "plan",
            "--format",
            "json",
            "--date",
            "2026-06-01",
            "--config",
        ])
        .arg(dir.join("reachdiff.toml"))
        .arg(scenario("sg-inline-ssh-opened-to-world"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["policy"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(v["gate"]["failed"], false);
    assert_eq!(v["gate"]["date"], "2026-06-01");
    assert_eq!(v["summary"]["accepted"], 1);
    let accepted = &v["changes"][0]["risk"]["accepted"];
    assert_eq!(accepted["owner"], "ops@example.com");
    assert_eq!(accepted["expires"], "2026-12-31");
}

#[test]
fn every_kind_of_bad_policy_is_a_clear_error_with_its_line() {
    let cases = [
        ("syntax", "[networks.office\ncidrs = []\n", "line 1"),
        (
            "unknown-key",
            "\n[gate]\nfail_on = \"high\"\nfial = 1\n",
            "line 4",
        ),
        (
            "bad-cidr",
            "[networks.office]\ncidrs = [\"203.0.113.0/33\"]\n",
            "line 2, column 10: `203.0.113.0/33` is not a CIDR block",
        ),
        (
            "unknown-rule",
            "[rules.ssh-open]\nseverity = \"low\"\n",
            "no rule is named `ssh-open`",
        ),
        (
            "change-rule-off",
            "[rules.all-traffic-open]\nenabled = false\n",
            "`all-traffic-open` names changes and cannot be switched off",
        ),
        (
            "empty-rule",
            "[rules.nacl-rule-shadowed]\n",
            "needs `severity = \"…\"` or `enabled = false`",
        ),
        (
            "bad-severity",
            "[rules.all-traffic-open]\nseverity = \"severe\"\n",
            "line 2, column 12: `severe` is not a severity",
        ),
        (
            "bad-date",
            "[[accept]]\nreason = \"r\"\nowner = \"o\"\nexpires = \"next week\"\n",
            "line 4, column 11: `next week` is not a date",
        ),
        (
            "missing-owner",
            "[[accept]]\nreason = \"r\"\nexpires = 2027-01-01\n",
            "missing field `owner`",
        ),
        (
            "unknown-network",
            "[[accept]]\nfrom = \"offices\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-01-01\n",
            "`offices` is not a network, CIDR block or resource address",
        ),
        (
            "invariant-shape",
            "[[invariant]]\nname = \"x\"\nfrom = \"internet\"\nto = \"internet\"\n",
            "line 1, column 1: an invariant names endpoints on one side",
        ),
        (
            "duplicate-invariant",
            "[[invariant]]\nname = \"x\"\nfrom = \"internet\"\nto = \"aws_instance.*\"\n[[invariant]]\nname = \"x\"\nfrom = \"internet\"\nto = \"aws_db_instance.*\"\n",
            "line 6, column 8: two invariants are named `x`",
        ),
        (
            "bad-ports",
            "[[sensitive_ports]]\nname = \"x\"\nports = [\"99999\"]\ncategory = \"admin\"\n",
            "`99999` is not a port or port range",
        ),
        (
            "bad-category",
            "[[sensitive_ports]]\nname = \"x\"\nports = [1]\ncategory = \"secret\"\n",
            "`secret` is not a service category",
        ),
    ];
    for (name, text, needle) in cases {
        let path = policy_dir(name, text).join("reachdiff.toml");
        let stderr = error_with(&["plan", "--config", path.to_str().unwrap()]);
        assert!(
            stderr.contains(&format!("{}: invalid policy at ", path.display())),
            "{name}: {stderr}"
        );
        assert!(stderr.contains(needle), "{name}: {stderr}");
    }
}

#[test]
fn a_missing_policy_file_is_a_clear_error() {
    let stderr = error_with(&["plan", "--config", "no-such-policy.toml"]);
    assert!(
        stderr.starts_with("error: no-such-policy.toml: cannot read the file"),
        "{stderr}"
    );
}

#[test]
fn rules_lists_every_rule_and_explains_one() {
    let out = reachdiff().arg("rules").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for id in [
        "admin-port-open-to-internet",
        "database-reachable-from-internet",
        "all-traffic-open",
        "egress-to-internet-opened",
        "service-cut-off",
    ] {
        assert!(stdout.contains(id), "{id}: {stdout}");
    }
    let out = reachdiff()
        .args(["rules", "admin-port-open-to-internet"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("## What it flags"), "{stdout}");
    assert!(stdout.contains("CIS AWS Foundations"), "{stdout}");
    let out = reachdiff().args(["rules", "ssh-open"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn inputs_are_recorded_with_their_sha256() {
    use sha2::Digest;
    let path = scenario("demo");
    let out = reachdiff()
        .args(["plan", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let digest = sha2::Sha256::digest(std::fs::read(&path).unwrap());
    let hex = digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    assert_eq!(v["inputs"][0]["sha256"], hex.as_str());
    assert_eq!(v["inputs"][0]["format"], "terraform-plan-json");
}

#[test]
fn output_goes_to_the_named_file() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.json");
    let _ = std::fs::remove_file(&out);
    let run = reachdiff()
        .args(["plan", "--format", "json", "--output"])
        .arg(&out)
        .arg(scenario("demo"))
        .output()
        .unwrap();
    assert!(run.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 1);
}

#[test]
fn a_plan_without_changes_says_so() {
    let out = reachdiff()
        .arg("plan")
        .arg(scenario("sg-replaced-identical-rules"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("reachdiff: no reachability change in "),
        "{stdout}"
    );
}

#[test]
fn show_lists_who_reaches_each_endpoint_after_the_change() {
    let out = reachdiff()
        .args(["show", "--format", "json"])
        .arg(scenario("endpoint-load-balancer-in-front"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["snapshot"], "after");
    let flows = |endpoint: &str| -> Vec<String> {
        v["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["endpoint"] == endpoint)
            .unwrap()["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let via = f["via"]
                    .as_str()
                    .map(|v| format!(" via {v}"))
                    .unwrap_or_default();
                format!(
                    "{} {}{via}",
                    f["direction"].as_str().unwrap(),
                    f["summary"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(flows("aws_lb.web"), ["ingress tcp 80 from 0.0.0.0/0"]);
    assert_eq!(
        flows("aws_instance.app"),
        [
            "ingress tcp 8080 from ep:aws_lb.web",
            "ingress tcp 8080 from 0.0.0.0/0 via aws_lb.web"
        ]
    );
}

#[test]
fn show_before_the_change_is_the_other_side() {
    let out = reachdiff()
        .args(["show", "--before", "--format", "json"])
        .arg(scenario("endpoint-load-balancer-in-front"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["snapshot"], "before");
    let app = v["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == "aws_instance.app")
        .unwrap();
    assert_eq!(app["flows"].as_array().unwrap().len(), 0, "{app}");
}

#[test]
fn ephemeral_ports_are_a_stated_assumption() {
    // Replies leave through an ACL that allows only tcp 1024-65535 back out; clients
    // assumed to use ports below 1024 could not be answered, so the site was never
    // reachable and the change closes nothing.
    let endpoint_changes = |ports: &str| {
        let out = reachdiff()
            .args([
                "plan",
                "--format",
                "json",
                "--fail-on",
                "never",
                "--ephemeral-ports",
                ports,
            ])
            .arg(scenario("endpoint-nacl-egress-drops-ephemeral"))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["level"] == "endpoint")
            .count()
    };
    assert!(
        endpoint_changes("1024-65535") > 0,
        "the default closes the site"
    );
    assert_eq!(endpoint_changes("500-600"), 0);
    reachdiff()
        .args(["plan", "--ephemeral-ports", "2000-1000"])
        .arg(scenario("demo"))
        .assert()
        .code(2);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let demo = scenario("demo");
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = reachdiff();
        cmd.arg("plan").arg(&demo).args(args);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    // Piped: plain, whatever NO_COLOR says.
    assert!(!run(&[], false).contains('\x1b'));
    assert!(!run(&["--color", "never"], false).contains('\x1b'));
    let coloured = run(&["--color", "always"], true);
    assert!(
        coloured.starts_with("\x1b[1;35mreachdiff: 1 critical opened"),
        "{coloured}"
    );
    assert!(coloured.contains("\x1b[1;31mgate: failed"));
}

#[test]
fn one_run_writes_several_formats() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("formats-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let (md, sarif, json) = (dir.join("c.md"), dir.join("r.sarif"), dir.join("r.json"));
    let out = reachdiff()
        .arg("plan")
        .arg(scenario("demo"))
        .args(["--format", "table"])
        .arg(format!("--format=markdown={}", md.display()))
        .arg(format!("--format=sarif={}", sarif.display()))
        .arg(format!("--format=json={}", json.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("reachdiff: 1 critical")
    );
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .starts_with("<!-- reachdiff:comment id=default -->")
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(j["gate"]["failed"], true);
    // Two formats cannot share standard output.
    let stderr = error_with(&["plan", "--format", "table", "--format", "json"]);
    assert!(
        stderr.contains("only one format can go to standard output; give the others a file"),
        "{stderr}"
    );
}

#[test]
fn the_github_format_writes_annotations_the_job_summary_and_step_outputs() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("github-format");
    std::fs::create_dir_all(&dir).unwrap();
    let (summary, outputs) = (dir.join("summary.md"), dir.join("outputs"));
    std::fs::write(&summary, "earlier step\n").unwrap();
    std::fs::write(&outputs, "").unwrap();
    let out = reachdiff()
        .arg("plan")
        .arg(scenario("demo"))
        .args(["--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_RUN_ID", "42")
        .env("GITHUB_RUN_ATTEMPT", "3")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("::error file=") && stdout.contains(",title=reachdiff critical%3A admin-port-open-to-internet::aws_instance.web opened tcp 22"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("earlier step\n<!-- reachdiff:comment id=default run=42.3 -->"),
        "{summary}"
    );
    let outputs = std::fs::read_to_string(&outputs).unwrap();
    assert!(
        outputs.contains("failed=true\nworst=critical\ncritical="),
        "{outputs}"
    );
}

#[test]
fn progress_never_reaches_standard_output() {
    // In CI a long run prints heartbeat lines; they go to standard error only, so the
    // report is the same byte for byte.
    let plain = reachdiff().arg(scenario("demo")).output().unwrap();
    let ci = reachdiff()
        .arg(scenario("demo"))
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(ci.status.code(), Some(1));
    assert_eq!(ci.stdout, plain.stdout);
}

// See: issue 14 item 7.
#[test]
fn unknown_exposure_passes_the_gate_unless_fail_on_unknown() {
    let plan = scenario("endpoint-instance-into-existing-network");
    let out = reachdiff().arg(&plan).assert().code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("2 unknown opened"), "{text}");
    assert!(
        text.contains("aws ec2 describe-security-groups --group-ids sg-0a1b2c3d4e5f67890"),
        "{text}"
    );
    reachdiff()
        .arg(&plan)
        .arg("--fail-on-unknown")
        .assert()
        .code(1);
    reachdiff()
        .arg(&plan)
        .args(["--fail-on", "unknown"])
        .assert()
        .code(2);
}

/// `plan --source DIR` with a directory that does not evaluate: the plan is still read
/// (references from the plan alone), and a warning says what to check.
#[test]
fn a_source_directory_that_does_not_evaluate_is_a_warning_that_says_what_to_do() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli/broken-source");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), "resource \"aws_vpc\" \"v\" {\n").unwrap();
    let out = reachdiff()
        .args(["plan", "--format", "json", "--fail-on", "never", "--source"])
        .arg(&dir)
        .arg(scenario("endpoint-count-ring-created"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("--source: the configuration could not be evaluated")
            && stdout.contains("run `reachdiff plan DIR` on it"),
        "{stdout}"
    );
}
