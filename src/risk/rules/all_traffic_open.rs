//! `all-traffic-open`.

use crate::model::Direction;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A change that lets **every protocol** (AWS protocol `-1`), or every TCP and UDP
    /// port, in from parties outside the VPC: the internet, a public block, an external
    /// or peered network, a prefix list, or a value known only after apply.
    ///
    /// ## Why it matters
    ///
    /// Every service on the host is exposed, including the ones nobody meant to
    /// publish (a debug port, a database bound to all interfaces). An allow-all rule is
    /// almost always a shortcut taken while debugging.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # before
    /// ingress { protocol = "tcp"  from_port = 443 to_port = 443 cidr_blocks = ["0.0.0.0/0"] }
    /// # after: flagged
    /// ingress { protocol = "-1"   from_port = 0   to_port = 0   cidr_blocks = ["0.0.0.0/0"] }
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Security Hub EC2.18 (unrestricted incoming traffic only on authorised ports)
    /// - AWS Config `vpc-sg-open-only-to-authorized-ports`
    pub struct AllTrafficOpen {
        id: "all-traffic-open",
        title: "All traffic open to outside parties",
        matches: |p, _score| p.opens(Direction::Ingress)
            && p.exposure.all_traffic
            && p.breadth.is_outside(),
    }
}
