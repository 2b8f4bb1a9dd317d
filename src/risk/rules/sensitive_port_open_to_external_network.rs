//! `sensitive-port-open-to-external-network`.

use crate::model::Direction;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A sensitive service (admin, data store, file sharing, cluster API, …, or all
    /// traffic) opened to a party outside the VPC that is narrower than the internet
    /// and not declared trusted: a partner's public block, a peered or on-premises
    /// network, a prefix list whose entries are not in the input, or a value known
    /// only after apply.
    ///
    /// ## Why it matters
    ///
    /// Third-party and peered networks are outside your control: their compromise
    /// becomes yours. Declare the networks you do trust (office, VPN) in
    /// `reachdiff.toml` so that their access scores as trusted.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # after: flagged
    /// ingress { protocol = "tcp" from_port = 22 to_port = 22 cidr_blocks = ["198.51.100.0/24"] }
    /// ```
    ///
    /// ## References
    ///
    /// - CIS AWS Foundations Benchmark v3.0.0 5.5 (least-access peering routes)
    pub struct SensitivePortOpenToExternalNetwork {
        id: "sensitive-port-open-to-external-network",
        title: "Sensitive port open to an external network",
        matches: |p, _score| p.opens(Direction::Ingress)
            && p.breadth.is_outside()
            && p.exposure.is_sensitive(),
    }
}
