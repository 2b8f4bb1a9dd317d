//! `too-many-security-groups`: a guardrail, checked on the state after the change (`risk::guardrails`).

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A network interface with more than five security groups, AWS's default quota.
    ///
    /// ## Why it matters
    ///
    /// The apply fails (`SecurityGroupsPerInterfaceLimitExceeded`) unless the quota was
    /// raised for the account — better found in review than half-way through an apply.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// resource "aws_instance" "app" {
    ///   vpc_security_group_ids = [a, b, c, d, e, f] # flagged: 6 > 5
    /// }
    /// ```
    ///
    /// ## References
    ///
    /// - Amazon VPC quotas: security groups per network interface (default 5)
    pub struct TooManySecurityGroups {
        id: "too-many-security-groups",
        title: "More security groups than the quota",
        matches: |_profile, _score| false,
    }
}
