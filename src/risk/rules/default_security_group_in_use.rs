//! `default-security-group-in-use`: a guardrail, checked on the state after the change (`risk::guardrails`).

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A resource attached to — or launched into — its VPC's **default security group**:
    /// an instance or interface created without security groups gets it, and so does
    /// anything that names it.
    ///
    /// ## Why it matters
    ///
    /// The default group is shared by everything that forgets to name a group, so its
    /// rules grant access between unrelated workloads, and a rule added for one of them
    /// opens every other. CIS asks that the default group allow nothing; give each
    /// workload its own group.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// resource "aws_instance" "app" {
    ///   # no vpc_security_group_ids: AWS attaches the VPC's default group — flagged
    /// }
    /// ```
    ///
    /// ## References
    ///
    /// - CIS AWS Foundations Benchmark v3.0.0 5.4
    /// - AWS Security Hub EC2.2
    pub struct DefaultSecurityGroupInUse {
        id: "default-security-group-in-use",
        title: "Default security group in use",
        matches: |_profile, _score| false,
    }
}
