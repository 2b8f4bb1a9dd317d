//! `nacl-duplicate-rule-number`: a guardrail, checked on the state after the change (`risk::guardrails`).

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// Two entries of one network ACL with the same rule number in the same direction
    /// (inline `ingress`/`egress` blocks and `aws_network_acl_rule` resources mixed, or a
    /// copy-paste).
    ///
    /// ## Why it matters
    ///
    /// AWS rejects the second entry, so the apply fails, or the two styles fight on every
    /// apply. Only one of the two can be in effect.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// resource "aws_network_acl_rule" "a" { network_acl_id = aws_network_acl.x.id rule_number = 100 ... }
    /// resource "aws_network_acl_rule" "b" { network_acl_id = aws_network_acl.x.id rule_number = 100 ... } # flagged
    /// ```
    ///
    /// ## References
    ///
    /// - Amazon VPC User Guide: network ACL rules (numbers are unique per direction)
    pub struct NaclDuplicateRuleNumber {
        id: "nacl-duplicate-rule-number",
        title: "Duplicate network ACL rule number",
        matches: |_profile, _score| false,
    }
}
