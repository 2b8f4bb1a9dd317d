//! `egress-to-internet-opened`.

use crate::delta::ChangeKind;
use crate::model::Direction;
use crate::risk::factors::{Profile, Score};
use crate::risk::registry::{RiskRule, declare_rule};

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
    pub struct EgressToInternetOpened;
}

impl RiskRule for EgressToInternetOpened {
    fn id(&self) -> &'static str {
        "egress-to-internet-opened"
    }
    fn title(&self) -> &'static str {
        "Outbound path to the internet opened"
    }
    fn doc(&self) -> &'static str {
        Self::DOC
    }
    fn matches(&self, p: &Profile<'_>, _: &Score) -> bool {
        p.kind == ChangeKind::Opened
            && p.direction == Direction::Egress
            && p.breadth.is_internet_wide()
    }
}
