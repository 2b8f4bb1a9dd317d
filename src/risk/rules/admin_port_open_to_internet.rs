//! `admin-port-open-to-internet`.

use crate::model::Direction;
use crate::risk::catalogue::Category;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A change that opens a **remote administration** port — SSH (22), RDP (3389),
    /// Telnet (23), VNC (5900–5903), `WinRM` (5985–5986) — to the internet or a large
    /// public block. A port range that contains one of these ports counts, and so do
    /// network ACL rules (after first-match evaluation, not rule text).
    ///
    /// ## Why it matters
    ///
    /// Admin ports facing the internet are scanned within minutes and brute-forced
    /// continuously; they are the most common initial access to cloud hosts. Use a
    /// bastion, SSM Session Manager, or restrict the source to the office or VPN
    /// (declare them in `reachdiff.toml` as trusted networks).
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # before
    /// ingress { protocol = "tcp" from_port = 22 to_port = 22 cidr_blocks = ["10.0.0.0/16"] }
    /// # after: flagged
    /// ingress { protocol = "tcp" from_port = 22 to_port = 22 cidr_blocks = ["0.0.0.0/0"] }
    /// ```
    ///
    /// ## References
    ///
    /// - CIS AWS Foundations Benchmark v3.0.0 5.1 (network ACLs), 5.2 (security groups,
    ///   IPv4), 5.3 (security groups, IPv6)
    /// - AWS Security Hub EC2.21, EC2.53, EC2.54; AWS Config `restricted-ssh`
    pub struct AdminPortOpenToInternet {
        id: "admin-port-open-to-internet",
        title: "Admin port open to the internet",
        matches: |p, _score| p.opens(Direction::Ingress)
            && p.breadth.is_internet_wide()
            && p.exposure.has(Category::Admin),
    }
}
