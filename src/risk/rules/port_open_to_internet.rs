//! `port-open-to-internet`.

use crate::delta::ChangeKind;
use crate::model::Direction;
use crate::risk::factors::{Profile, Score};
use crate::risk::registry::{RiskRule, declare_rule};

declare_rule! {
    /// ## What it flags
    ///
    /// Any other port opened to the internet or a large public block: web ports, VPN
    /// endpoints, ICMP, ports outside the catalogue. Web ports (80, 443) on a load
    /// balancer score lowest: that is what a public load balancer is for.
    ///
    /// ## Why it matters
    ///
    /// Every new internet-facing port is attack surface a reviewer should confirm is
    /// intended — most are, and the score says how much attention each deserves.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # after: flagged (low on a load balancer, medium on an instance)
    /// ingress { protocol = "tcp" from_port = 443 to_port = 443 cidr_blocks = ["0.0.0.0/0"] }
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Security Hub EC2.18 (authorised ports, 80 and 443 by default)
    pub struct PortOpenToInternet;
}

impl RiskRule for PortOpenToInternet {
    fn id(&self) -> &'static str {
        "port-open-to-internet"
    }
    fn title(&self) -> &'static str {
        "Port open to the internet"
    }
    fn doc(&self) -> &'static str {
        Self::DOC
    }
    fn matches(&self, p: &Profile<'_>, _: &Score) -> bool {
        p.kind == ChangeKind::Opened
            && p.direction == Direction::Ingress
            && p.breadth.is_internet_wide()
    }
}
