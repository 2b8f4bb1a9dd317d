//! `too-many-rules`: a guardrail, checked on the state after the change (`risk::guardrails`).

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A security group with more than 60 inbound or 60 outbound rules, counting one rule
    /// per CIDR block or referenced group, as AWS does.
    ///
    /// ## Why it matters
    ///
    /// The apply fails (`RulesPerSecurityGroupLimitExceeded`) unless the quota was raised;
    /// a group that large is also hard to review — prefix lists or separate groups help.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// ingress { protocol = "tcp" from_port = 443 to_port = 443 cidr_blocks = local.all_61_partner_ranges } # flagged
    /// ```
    ///
    /// ## References
    ///
    /// - Amazon VPC quotas: inbound or outbound rules per security group (default 60)
    pub struct TooManyRules {
        id: "too-many-rules",
        title: "More rules than the quota",
        matches: |_profile, _score| false,
    }
}
