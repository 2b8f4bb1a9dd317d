//! `port-open-to-internet`.

use crate::model::Direction;
use crate::risk::registry::declare_rule;

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
    pub struct PortOpenToInternet {
        id: "port-open-to-internet",
        title: "Port open to the internet",
        matches: |p, _score| p.opens(Direction::Ingress)
            && p.breadth.is_internet_wide(),
    }
}
