//! `egress-to-internet-opened`.

use crate::model::Direction;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A new outbound path to the internet or a large public block: an egress rule, or
    /// an endpoint that can now send to public addresses. It weighs most when the
    /// source holds data (a database that can now reach the internet) and when any
    /// protocol or port may leave.
    ///
    /// ## Why it matters
    ///
    /// Outbound paths are how data is exfiltrated and how malware calls home. Egress
    /// to the internet from a data tier is rarely needed; package mirrors and AWS
    /// services are reachable through VPC endpoints instead.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # before: the database group had no egress rule
    /// # after: flagged
    /// egress { protocol = "-1" from_port = 0 to_port = 0 cidr_blocks = ["0.0.0.0/0"] }
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Well-Architected Security Pillar SEC05-BP02 (control traffic flow within
    ///   your network layers)
    pub struct EgressToInternetOpened {
        id: "egress-to-internet-opened",
        title: "Outbound path to the internet opened",
        matches: |p, _score| p.opens(Direction::Egress)
            && p.breadth.is_internet_wide(),
    }
}
