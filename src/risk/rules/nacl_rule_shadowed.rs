//! `nacl-rule-shadowed`: a guardrail, checked on the state after the change (`risk::guardrails`).

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A network ACL entry that can never decide anything: entries with lower numbers
    /// already match every packet it would match (first match wins).
    ///
    /// ## Why it matters
    ///
    /// A shadowed entry is dead text that reviewers read as if it applied — a `deny`
    /// behind an `allow` for the same traffic protects nothing.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// ingress { rule_no = 100 action = "allow" protocol = "-1" cidr_block = "0.0.0.0/0" from_port = 0 to_port = 0 }
    /// ingress { rule_no = 200 action = "deny" protocol = "tcp" cidr_block = "0.0.0.0/0" from_port = 22 to_port = 22 } # flagged
    /// ```
    ///
    /// ## References
    ///
    /// - Amazon VPC User Guide: network ACL rule evaluation (lowest number first)
    pub struct NaclRuleShadowed {
        id: "nacl-rule-shadowed",
        title: "Network ACL rule never decides",
        matches: |_profile, _score| false,
    }
}
