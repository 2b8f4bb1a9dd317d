//! The rule registry: every [`RiskRule`], in the order they are tried.
//!
//! A rule *classifies* a scored change: the first rule whose `matches` holds names the
//! finding (its stable kebab-case id is what every format, the policy file and
//! suppressions use). The score itself comes from the flow ([`super::factors`]), not
//! from the rule, so two rules never disagree on how bad the same flow is. The last
//! rules of each kind match everything, so every change gets exactly one rule.
//!
//! Each rule lives in its own file under `rules/`, with its documentation as the doc
//! comment of its type (`## What it flags`, `## Why it matters`, `## Example`,
//! `## References`); `docs/rules/` is generated from it (see [`markdown`]).

use std::fmt::Write as _;

use super::factors::{Profile, Score};
use super::rules;

/// A rule that names a kind of change.
pub trait RiskRule: Sync {
    /// The stable kebab-case id (`admin-port-open-to-internet`).
    fn id(&self) -> &'static str;
    /// A short title ("Admin port open to the internet").
    fn title(&self) -> &'static str;
    /// The documentation: the doc comment of the rule's type, as Markdown.
    fn doc(&self) -> &'static str;
    /// Whether the rule names this change.
    fn matches(&self, profile: &Profile<'_>, score: &Score) -> bool;
}

/// Declares a rule: its type, whose doc comment is also its run-time documentation
/// (so `docs/rules/` and `reachdiff rules ID` show exactly what rustdoc shows), its id,
/// its title and when it matches.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it flags …
///     pub struct AdminPortOpenToInternet {
///         id: "admin-port-open-to-internet",
///         title: "Admin port open to the internet",
///         matches: |p, _score| p.opens(Direction::Ingress) && p.exposure.has(Category::Admin),
///     }
/// }
/// ```
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis struct $name:ident {
            id: $id:literal,
            title: $title:literal,
            matches: |$p:pat_param, $s:pat_param| $body:expr $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $name;

        impl $crate::risk::registry::RiskRule for $name {
            fn id(&self) -> &'static str {
                $id
            }
            fn title(&self) -> &'static str {
                $title
            }
            fn doc(&self) -> &'static str {
                concat!($($doc, "\n"),+)
            }
            fn matches(
                &self,
                $p: &$crate::risk::factors::Profile<'_>,
                $s: &$crate::risk::factors::Score,
            ) -> bool {
                $body
            }
        }
    };
}
pub(crate) use declare_rule;

/// Every rule, in the order they are tried: the specific before the general.
pub static RULES: &[&dyn RiskRule] = &[
    &rules::all_traffic_open::AllTrafficOpen,
    &rules::admin_port_open_to_internet::AdminPortOpenToInternet,
    &rules::database_reachable_from_internet::DatabaseReachableFromInternet,
    &rules::sensitive_port_open_to_internet::SensitivePortOpenToInternet,
    &rules::port_open_to_internet::PortOpenToInternet,
    &rules::sensitive_port_open_to_external_network::SensitivePortOpenToExternalNetwork,
    &rules::egress_to_internet_opened::EgressToInternetOpened,
    &rules::access_widened::AccessWidened,
    &rules::exposure_reduced::ExposureReduced,
    &rules::service_cut_off::ServiceCutOff,
    &rules::invariant_violated::InvariantViolated,
    &rules::default_security_group_in_use::DefaultSecurityGroupInUse,
    &rules::default_security_group_has_rules::DefaultSecurityGroupHasRules,
    &rules::too_many_security_groups::TooManySecurityGroups,
    &rules::too_many_rules::TooManyRules,
    &rules::ingress_from_whole_vpc::IngressFromWholeVpc,
    &rules::nacl_rule_shadowed::NaclRuleShadowed,
    &rules::nacl_duplicate_rule_number::NaclDuplicateRuleNumber,
    &rules::security_group_rule_redundant::SecurityGroupRuleRedundant,
];

/// The rules checked on the state after the change rather than on changes: the
/// policy's invariants and the guardrails. They never name a change.
pub const STATE_RULES: [&str; 9] = [
    "invariant-violated",
    "default-security-group-in-use",
    "default-security-group-has-rules",
    "too-many-security-groups",
    "too-many-rules",
    "ingress-from-whole-vpc",
    "nacl-rule-shadowed",
    "nacl-duplicate-rule-number",
    "security-group-rule-redundant",
];

/// The rule that names a change: the first that matches.
///
/// # Panics
///
/// Never: the catch-all rules match every opened and every closed change (a unit test
/// checks it).
#[must_use]
pub fn classify(profile: &Profile<'_>, score: &Score) -> &'static dyn RiskRule {
    RULES
        .iter()
        .copied()
        .find(|r| r.matches(profile, score))
        .expect("the catch-all rules match every change")
}

/// The rule with this id.
#[must_use]
pub fn by_id(id: &str) -> Option<&'static dyn RiskRule> {
    RULES.iter().copied().find(|r| r.id() == id)
}

/// Strips the one leading space rustdoc keeps on each line of a doc comment.
#[must_use]
pub fn doc_text(rule: &dyn RiskRule) -> String {
    rule.doc()
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
        + "\n"
}

/// The generated documentation: `(file name, Markdown)` for every rule, and the index
/// (`README.md`).
#[must_use]
pub fn markdown() -> Vec<(String, String)> {
    const HEADER: &str = "<!-- Generated from src/risk/rules/ by `REACHDIFF_UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n";
    let mut files = Vec::new();
    let mut index = format!(
        "{HEADER}\n# Risk rules\n\nEvery finding is named by one of these rules. The score comes from the flow \
         (see [../risk.md](../risk.md)); the rule says what kind of change it is. Rules are tried in this \
         order and the first that matches names the finding.\n\n| Id | Title |\n| --- | --- |\n"
    );
    for rule in RULES {
        let id = rule.id();
        let _ = writeln!(index, "| [`{id}`]({id}.md) | {} |", rule.title());
        files.push((
            format!("{id}.md"),
            format!(
                "{HEADER}\n# `{id}`: {}\n\n{}",
                rule.title(),
                doc_text(*rule)
            ),
        ));
    }
    files.push(("README.md".to_owned(), index));
    files
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::delta::{ChangeKind, Level};
    use crate::header_space::ServiceSet;
    use crate::header_space::service::TCP;
    use crate::model::{Certainty, Direction, EndpointKind};
    use crate::risk::catalogue;
    use crate::risk::factors::{Breadth, Liveness, exposure};

    /// The rule naming a change of `kind` and `direction` over `services`, with peers
    /// of `breadth` and an endpoint of `subject` kinds on our side.
    fn rule_for(
        kind: ChangeKind,
        direction: Direction,
        services: ServiceSet,
        breadth: Breadth,
        subject: &[EndpointKind],
    ) -> &'static str {
        let cat = catalogue::builtin();
        let profile = Profile {
            kind,
            direction,
            level: Level::Endpoint,
            breadth,
            breadth_detail: String::new(),
            exposure: exposure(&services, &cat),
            services,
            subject_kinds: subject.iter().copied().collect(),
            peer_kinds: BTreeSet::new(),
            liveness: Liveness::Live,
            certainty: Certainty::Definite,
        };
        classify(&profile, &profile.score()).id()
    }

    type Case = (
        ChangeKind,
        Direction,
        ServiceSet,
        Breadth,
        EndpointKind,
        &'static str,
    );

    /// (kind, direction, services, breadth, endpoint kind, expected rule)
    #[rustfmt::skip]
    fn cases() -> Vec<Case> {
        use ChangeKind::{Closed, Opened};
        use Direction::{Egress, Ingress};
        use EndpointKind::{Database, Instance};
        let port = |p| ServiceSet::ports(TCP, p, p);
        vec![
            (Opened, Ingress, ServiceSet::all(), Breadth::Internet, Instance, "all-traffic-open"),
            (Opened, Ingress, ServiceSet::all(), Breadth::PrivateNetwork, Instance, "all-traffic-open"),
            (Opened, Ingress, port(22), Breadth::Internet, Instance, "admin-port-open-to-internet"),
            (Opened, Ingress, ServiceSet::ports(TCP, 0, 1024), Breadth::LargePublicBlock, Instance, "admin-port-open-to-internet"),
            (Opened, Ingress, port(5432), Breadth::Internet, Instance, "database-reachable-from-internet"),
            (Opened, Ingress, port(443), Breadth::Internet, Database, "database-reachable-from-internet"),
            (Opened, Ingress, port(2375), Breadth::Internet, Instance, "sensitive-port-open-to-internet"),
            (Opened, Ingress, port(443), Breadth::Internet, Instance, "port-open-to-internet"),
            (Opened, Ingress, port(22), Breadth::ExternalNetwork, Instance, "sensitive-port-open-to-external-network"),
            (Opened, Ingress, port(22), Breadth::Unknown, Instance, "sensitive-port-open-to-external-network"),
            (Opened, Ingress, port(443), Breadth::ExternalNetwork, Instance, "access-widened"),
            (Opened, Ingress, ServiceSet::all(), Breadth::SecurityGroup, Instance, "access-widened"),
            (Opened, Ingress, port(22), Breadth::Trusted, Instance, "access-widened"),
            (Opened, Egress, ServiceSet::all(), Breadth::Internet, Database, "egress-to-internet-opened"),
            (Opened, Egress, port(5432), Breadth::PartOfVpc, Instance, "access-widened"),
            (Closed, Ingress, port(22), Breadth::Internet, Instance, "exposure-reduced"),
            (Closed, Ingress, port(443), Breadth::Internet, Instance, "service-cut-off"),
            (Closed, Ingress, port(5432), Breadth::SecurityGroup, Database, "service-cut-off"),
            (Closed, Egress, ServiceSet::all(), Breadth::Internet, Instance, "service-cut-off"),
        ]
    }

    #[test]
    fn every_rule_names_the_changes_it_documents() {
        let cases = cases();
        let mut named = BTreeSet::new();
        for (kind, direction, services, breadth, subject, expected) in cases {
            let got = rule_for(kind, direction, services.clone(), breadth, &[subject]);
            assert_eq!(
                got, expected,
                "{kind:?} {direction:?} {services:?} {breadth:?} {subject:?}"
            );
            named.insert(got);
        }
        // Every rule but the invariant one (checked on states, not changes) is reached.
        for r in RULES {
            assert!(
                named.contains(r.id()) != STATE_RULES.contains(&r.id()),
                "{} is named by no case, or is a state rule that names changes",
                r.id()
            );
        }
    }

    #[test]
    fn rule_ids_are_unique_kebab_case_and_documented() {
        let mut ids = BTreeSet::new();
        for r in RULES {
            let id = r.id();
            assert!(ids.insert(id), "{id} twice");
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id} is not kebab-case"
            );
            let doc = doc_text(*r);
            for section in [
                "## What it flags",
                "## Why it matters",
                "## Example",
                "## References",
            ] {
                assert!(doc.contains(section), "{id} lacks {section}");
            }
            assert_eq!(by_id(id).map(RiskRule::id), Some(id));
        }
    }
}
