//! `security-group-rule-redundant`: a guardrail, checked on the state after the change (`risk::guardrails`).

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A security-group rule whose every packet another rule of the same group already
    /// allows (a narrower duplicate).
    ///
    /// ## Why it matters
    ///
    /// Redundant rules make a group look more restrictive than it is: narrowing the
    /// visible rule changes nothing while the broader one stays. They also count against
    /// the rules quota.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// ingress { protocol = "-1"  from_port = 0  to_port = 0  cidr_blocks = ["10.0.0.0/8"] }
    /// ingress { protocol = "tcp" from_port = 22 to_port = 22 cidr_blocks = ["10.0.1.0/24"] } # flagged
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Well-Architected Security Pillar SEC05-BP02
    pub struct SecurityGroupRuleRedundant {
        id: "security-group-rule-redundant",
        title: "Redundant security-group rule",
        matches: |_profile, _score| false,
    }
}
