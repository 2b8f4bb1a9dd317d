//! `access-widened`.

use crate::delta::ChangeKind;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// Every other opened flow: access between parties inside the VPC (security group
    /// members, subnets, the whole VPC), from trusted networks, to non-sensitive ports
    /// of external networks, and outbound paths that do not reach the internet.
    ///
    /// ## Why it matters
    ///
    /// Usually intended, and scored low; it still widens lateral movement. The score
    /// rises with the breadth of the source and the sensitivity of the service (all
    /// traffic from the whole VPC to a database is not the same as port 443 from one
    /// group).
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # after: flagged (low)
    /// ingress { protocol = "tcp" from_port = 5432 to_port = 5432 security_groups = [aws_security_group.app.id] }
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Well-Architected Security Pillar SEC05-BP01 (create network layers)
    pub struct AccessWidened {
        id: "access-widened",
        title: "Access widened",
        matches: |p, _score| p.kind == ChangeKind::Opened,
    }
}
