//! `default-security-group-has-rules`: a guardrail, checked on the state after the change (`risk::guardrails`).

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A VPC's default security group, managed by the plan (`aws_default_security_group`),
    /// that has any inbound or outbound rule.
    ///
    /// ## Why it matters
    ///
    /// CIS asks that the default group restrict all traffic, so that a resource that ends
    /// up in it by omission gets no access. Adopting it with an empty
    /// `aws_default_security_group` removes AWS's default rules.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = aws_vpc.main.id
    ///   ingress { protocol = -1 from_port = 0 to_port = 0 self = true } # flagged
    /// }
    /// ```
    ///
    /// ## References
    ///
    /// - CIS AWS Foundations Benchmark v3.0.0 5.4
    /// - AWS Security Hub EC2.2; AWS Config `vpc-default-security-group-closed`
    pub struct DefaultSecurityGroupHasRules {
        id: "default-security-group-has-rules",
        title: "Default security group has rules",
        matches: |_profile, _score| false,
    }
}
