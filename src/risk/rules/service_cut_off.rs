//! `service-cut-off`.

use crate::delta::ChangeKind;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A flow that worked before and no longer does: an application that loses its
    /// database, a site whose clients (or whose replies, through a stateless network
    /// ACL) are dropped, a host that loses outbound access. Weighs most when a data
    /// store or public web traffic is cut.
    ///
    /// ## Why it matters
    ///
    /// Closed flows are outages waiting for the apply. They are as easy to miss in a
    /// plan as opened ones — a NACL egress rule that stops covering ephemeral ports
    /// looks harmless and takes a whole subnet offline.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # before: the app may reach the database
    /// egress { protocol = "tcp" from_port = 5432 to_port = 5432 security_groups = [aws_security_group.db.id] }
    /// # after: flagged — the rule was removed
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Well-Architected Reliability Pillar REL02 (plan your network topology)
    pub struct ServiceCutOff {
        id: "service-cut-off",
        title: "Working flow cut off",
        matches: |p, _score| p.kind == ChangeKind::Closed,
    }
}
