//! `sensitive-port-open-to-internet`.

use crate::model::Direction;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A change that opens a **sensitive service** other than admin and data-store
    /// ports to the internet or a large public block: file sharing and RPC (SMB 445,
    /// NFS 2049, `NetBIOS`, FTP), container and cluster control planes (Kubernetes API
    /// 6443, kubelet 10250, etcd, the Docker API 2375), directory services, message
    /// brokers, admin consoles (8080, 9090, …), mail, amplification-prone UDP services
    /// (DNS, NTP, SNMP) — or a wide port range of 1,000 ports or more. The policy
    /// file's `[[sensitive_ports]]` add to the list.
    ///
    /// ## Why it matters
    ///
    /// These services are rarely meant for the public and often authenticate weakly or
    /// not at all (an open Docker API is a root shell; an open resolver joins
    /// `DDoS` attacks).
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # after: flagged
    /// ingress { protocol = "tcp" from_port = 2375 to_port = 2375 cidr_blocks = ["0.0.0.0/0"] }
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Security Hub EC2.19 (high-risk ports)
    /// - AWS Config `restricted-common-ports`
    pub struct SensitivePortOpenToInternet {
        id: "sensitive-port-open-to-internet",
        title: "Sensitive port open to the internet",
        matches: |p, _score| p.opens(Direction::Ingress)
            && p.breadth.is_internet_wide()
            && p.exposure.is_sensitive(),
    }
}
