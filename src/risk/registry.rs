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

/// Declares a rule type whose doc comment is also available at run time as `DOC`, so
/// that `docs/rules/` and `reachdiff rules ID` show exactly what rustdoc shows.
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])+ $vis:vis struct $name:ident;) => {
        $(#[doc = $doc])+
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $name;

        impl $name {
            /// The documentation above, as Markdown.
            pub(crate) const DOC: &'static str = concat!($($doc, "\n"),+);
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
