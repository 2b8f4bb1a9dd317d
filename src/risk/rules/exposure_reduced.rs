//! `exposure-reduced`.

use crate::delta::ChangeKind;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A closed flow that only takes a sensitive service (admin, data store, cluster
    /// API, …) off the internet. Scored as information: this is usually the fix a
    /// scanner asked for.
    ///
    /// ## Why it matters
    ///
    /// It is good news, shown so that the reviewer can confirm nobody relied on the
    /// access (an operator's SSH, a partner's database client).
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # before
    /// ingress { protocol = "tcp" from_port = 22 to_port = 22 cidr_blocks = ["0.0.0.0/0"] }
    /// # after: flagged (info)
    /// ingress { protocol = "tcp" from_port = 22 to_port = 22 cidr_blocks = ["10.0.0.0/16"] }
    /// ```
    ///
    /// ## References
    ///
    /// - CIS AWS Foundations Benchmark v3.0.0 5.2, 5.3
    pub struct ExposureReduced {
        id: "exposure-reduced",
        title: "Internet exposure removed",
        matches: |p, score| p.kind == ChangeKind::Closed
            && score.reduces_exposure,
    }
}
