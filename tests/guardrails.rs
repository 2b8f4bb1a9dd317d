//! Guardrails on the scenarios' real plans: what each finds in the state after the
//! change, and whether the change introduced it — only introduced ones count for the
//! gate. (Each check has unit tests on hand-built snapshots in `risk::guardrails`.)

use std::path::Path;

use reachdiff::reach::Assumptions;
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::{self, Policy};
use reachdiff::risk::{Settings, Severity};
use reachdiff::source;
use reachdiff::warning::Warnings;

fn guardrails(scenario: &str, policy: &Policy, fail_on: Severity) -> (Vec<String>, bool) {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/scenarios")
        .join(scenario)
        .join("plan.json");
    let (input, pair) = source::load_path(&plan, &mut Warnings::new()).unwrap();
    let settings = Settings {
        policy,
        fail_on: Some(fail_on),
        fail_on_unknown: false,
        today: Date::parse("2026-06-01").unwrap(),
        assumptions: &Assumptions::default(),
    };
    let report = reachdiff::analyse(vec![input], &pair, &settings, Warnings::new());
    let list = report
        .risk
        .guardrails
        .iter()
        .map(|g| {
            format!(
                "{} {} {} {}",
                g.severity.as_str(),
                g.rule,
                if g.introduced {
                    "introduced"
                } else {
                    "pre-existing"
                },
                g.message
            )
        })
        .collect();
    (list, report.risk.gate.failed)
}

#[test]
fn moving_an_acl_deny_behind_an_allow_all_makes_it_dead() {
    let (found, _) = guardrails(
        "endpoint-nacl-rule-moved-behind-allow-all",
        &Policy::default(),
        Severity::High,
    );
    assert_eq!(
        found,
        [
            "low nacl-rule-shadowed introduced aws_network_acl.public ingress rule 110 (deny tcp 22 from 0.0.0.0/0) never decides anything: earlier rules match every packet it would"
        ]
    );
}

#[test]
fn instances_in_the_default_group_are_flagged_as_pre_existing() {
    let (found, _) = guardrails(
        "endpoint-default-sg-locked-down",
        &Policy::default(),
        Severity::High,
    );
    assert_eq!(
        found,
        [
            "medium default-security-group-in-use pre-existing aws_instance.one carries its VPC's default security group aws_default_security_group.default",
            "medium default-security-group-in-use pre-existing aws_instance.two carries its VPC's default security group aws_default_security_group.default",
        ]
    );
    // Even made critical, a pre-existing guardrail does not fail the gate (the
    // change's own findings here are medium).
    let critical =
        policy::parse("[rules.default-security-group-in-use]\nseverity = \"critical\"\n").unwrap();
    let (found, failed) = guardrails(
        "endpoint-default-sg-locked-down",
        &critical,
        Severity::Critical,
    );
    assert!(found[0].starts_with("critical default-security-group-in-use pre-existing"));
    assert!(!failed, "pre-existing guardrails do not fail the gate");
}

#[test]
fn a_new_rule_for_the_whole_vpc_is_introduced_and_can_fail_the_gate() {
    let (found, failed) = guardrails(
        "endpoint-nacl-masks-new-sg-rule",
        &Policy::default(),
        Severity::Low,
    );
    assert_eq!(
        found,
        [
            "low ingress-from-whole-vpc introduced aws_security_group.app ingress[0] admits the whole VPC aws_vpc.main (10.0.0.0/16) (tcp 8080 from 10.0.0.0/16); a security-group reference would admit only the callers"
        ]
    );
    assert!(failed);
    // Switched off in the policy, it is neither reported nor counted.
    let off = policy::parse("[rules.ingress-from-whole-vpc]\nenabled = false\n").unwrap();
    let (found, _) = guardrails("endpoint-nacl-masks-new-sg-rule", &off, Severity::Low);
    assert!(found.is_empty());
}

#[test]
fn a_widened_port_range_keeps_its_guardrail_pre_existing() {
    let (found, _) = guardrails(
        "sg-rule-port-range-widened",
        &Policy::default(),
        Severity::High,
    );
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("low ingress-from-whole-vpc pre-existing"),
        "{found:?}"
    );
}
