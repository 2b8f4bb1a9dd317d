//! The service catalogue: which ports name which service, and how much exposing each
//! kind of service weighs.
//!
//! Built from the ports reviewers flag when they are open to the internet (see
//! `aws-network-semantics.md` §7.1, CIS AWS Foundations 5.1–5.3, Security Hub EC2.19).
//! A change *exposes* an entry when its services overlap the entry's ports at all: a
//! range containing port 22 counts as SSH. The policy file can add entries
//! (`[[sensitive_ports]]`).
//!
//! This module only names services; how much a change weighs overall is
//! [`super::factors`].

use crate::header_space::ServiceSet;
use crate::header_space::service::{TCP, UDP};

/// What kind of service a port belongs to; decides its weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Remote administration: SSH, RDP, Telnet, VNC, `WinRM`.
    Admin,
    /// Databases.
    Database,
    /// In-memory caches.
    Cache,
    /// Search engines and their dashboards.
    Search,
    /// Container and cluster control planes (Kubernetes, Docker, etcd).
    ClusterApi,
    /// File sharing and RPC (SMB, `NetBIOS`, NFS, FTP, TFTP).
    FileSharing,
    /// Directory and authentication (LDAP, Kerberos).
    Directory,
    /// Message brokers.
    Messaging,
    /// Web admin consoles and dashboards on well-known ports.
    AdminUi,
    /// Mail.
    Mail,
    /// UDP services abused for amplification (DNS, NTP, SNMP).
    Amplification,
    /// VPN endpoints (often intended).
    Vpn,
    /// Plain web traffic, 80 and 443: expected on a public site.
    Web,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Self; 13] = [
        Self::Admin,
        Self::Database,
        Self::Cache,
        Self::Search,
        Self::ClusterApi,
        Self::FileSharing,
        Self::Directory,
        Self::Messaging,
        Self::AdminUi,
        Self::Mail,
        Self::Amplification,
        Self::Vpn,
        Self::Web,
    ];

    /// The kebab-case name used in the policy file and reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Database => "database",
            Self::Cache => "cache",
            Self::Search => "search",
            Self::ClusterApi => "cluster-api",
            Self::FileSharing => "file-sharing",
            Self::Directory => "directory",
            Self::Messaging => "messaging",
            Self::AdminUi => "admin-ui",
            Self::Mail => "mail",
            Self::Amplification => "amplification",
            Self::Vpn => "vpn",
            Self::Web => "web",
        }
    }

    /// What the category is, for reasons ("remote administration").
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Admin => "remote administration",
            Self::Database => "a database",
            Self::Cache => "an in-memory cache",
            Self::Search => "a search engine",
            Self::ClusterApi => "a container or cluster control plane",
            Self::FileSharing => "file sharing / RPC",
            Self::Directory => "directory and authentication",
            Self::Messaging => "a message broker",
            Self::AdminUi => "a web admin console",
            Self::Mail => "mail",
            Self::Amplification => "a UDP service used for amplification attacks",
            Self::Vpn => "a VPN endpoint (often intended)",
            Self::Web => "web traffic (expected on a public site)",
        }
    }

    /// How much exposing the category weighs, 0–100, before source breadth and the
    /// destination are taken into account.
    #[must_use]
    pub fn weight(self) -> u8 {
        match self {
            Self::Admin => 90,
            Self::Database | Self::Cache | Self::ClusterApi | Self::FileSharing => 85,
            Self::Search => 80,
            Self::Directory => 75,
            Self::Messaging => 70,
            Self::AdminUi => 65,
            Self::Amplification => 60,
            Self::Mail => 55,
            Self::Vpn => 30,
            Self::Web => 20,
        }
    }

    /// `true` for the categories that hold data (databases, caches, search engines).
    #[must_use]
    pub fn is_data_store(self) -> bool {
        matches!(self, Self::Database | Self::Cache | Self::Search)
    }
}

/// One named service: its ports on TCP and/or UDP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its name (`SSH`).
    pub name: String,
    /// Its kind.
    pub category: Category,
    /// Its ports, as a service set.
    pub services: ServiceSet,
    /// A weight overriding the category's (Telnet and the unauthenticated Docker API
    /// weigh more than their category).
    pub weight: Option<u8>,
}

impl Entry {
    /// The weight of this entry.
    #[must_use]
    pub fn weight(&self) -> u8 {
        self.weight.unwrap_or_else(|| self.category.weight())
    }
}

/// Which transport protocols an entry uses.
#[derive(Clone, Copy)]
enum On {
    Tcp,
    Udp,
    Both,
}

fn entry(name: &str, category: Category, on: On, ports: &[(u16, u16)]) -> Entry {
    let protocols: &[u8] = match on {
        On::Tcp => &[TCP],
        On::Udp => &[UDP],
        On::Both => &[TCP, UDP],
    };
    let mut services = ServiceSet::none();
    for &p in protocols {
        for &(lo, hi) in ports {
            services = services.union(&ServiceSet::ports(p, lo, hi));
        }
    }
    Entry {
        name: name.to_owned(),
        category,
        services,
        weight: None,
    }
}

fn heavier(mut e: Entry, weight: u8) -> Entry {
    e.weight = Some(weight);
    e
}

/// The built-in catalogue, in a fixed order (the order reasons list services in).
#[must_use]
pub fn builtin() -> Vec<Entry> {
    use Category::{
        Admin, AdminUi, Amplification, Cache, ClusterApi, Database, Directory, FileSharing, Mail,
        Messaging, Search, Vpn, Web,
    };
    use On::{Both, Tcp, Udp};
    vec![
        entry("SSH", Admin, Tcp, &[(22, 22)]),
        entry("RDP", Admin, Both, &[(3389, 3389)]),
        heavier(entry("Telnet", Admin, Tcp, &[(23, 23)]), 95),
        entry("VNC", Admin, Tcp, &[(5900, 5903)]),
        entry("WinRM", Admin, Tcp, &[(5985, 5986)]),
        entry("MySQL", Database, Tcp, &[(3306, 3306)]),
        entry("PostgreSQL", Database, Tcp, &[(5432, 5432)]),
        entry("SQL Server", Database, Tcp, &[(1433, 1433)]),
        entry("SQL Server Browser", Database, Udp, &[(1434, 1434)]),
        entry("Oracle", Database, Tcp, &[(1521, 1521), (2483, 2484)]),
        entry("Db2", Database, Tcp, &[(50000, 50000)]),
        entry("MongoDB", Database, Tcp, &[(27017, 27019)]),
        entry(
            "Cassandra",
            Database,
            Tcp,
            &[(7000, 7001), (7199, 7199), (9042, 9042)],
        ),
        entry("Redshift", Database, Tcp, &[(5439, 5439)]),
        entry("Neptune", Database, Tcp, &[(8182, 8182)]),
        entry("Redis", Cache, Tcp, &[(6379, 6380)]),
        entry("Memcached", Cache, Both, &[(11211, 11211)]),
        entry("Elasticsearch", Search, Tcp, &[(9200, 9200), (9300, 9300)]),
        entry("Kibana", Search, Tcp, &[(5601, 5601)]),
        entry("Kubernetes API", ClusterApi, Tcp, &[(6443, 6443)]),
        entry(
            "kubelet",
            ClusterApi,
            Tcp,
            &[(10250, 10250), (10255, 10255)],
        ),
        entry("etcd", ClusterApi, Tcp, &[(2379, 2380)]),
        heavier(
            entry(
                "Docker API (unauthenticated)",
                ClusterApi,
                Tcp,
                &[(2375, 2375)],
            ),
            95,
        ),
        entry("Docker API (TLS)", ClusterApi, Tcp, &[(2376, 2376)]),
        entry("SMB", FileSharing, Tcp, &[(445, 445)]),
        entry("NetBIOS", FileSharing, Both, &[(137, 139)]),
        entry("MS RPC", FileSharing, Tcp, &[(135, 135)]),
        entry("RPC portmapper", FileSharing, Both, &[(111, 111)]),
        entry("NFS", FileSharing, Both, &[(2049, 2049)]),
        entry("FTP", FileSharing, Tcp, &[(20, 21)]),
        entry("TFTP", FileSharing, Udp, &[(69, 69)]),
        entry("LDAP", Directory, Both, &[(389, 389)]),
        entry("LDAPS", Directory, Tcp, &[(636, 636)]),
        entry("Kerberos", Directory, Both, &[(88, 88)]),
        entry(
            "Kafka",
            Messaging,
            Tcp,
            &[(9092, 9092), (9094, 9094), (9098, 9098)],
        ),
        entry("ZooKeeper", Messaging, Tcp, &[(2181, 2181)]),
        entry("RabbitMQ", Messaging, Tcp, &[(5672, 5672), (15672, 15672)]),
        entry("ActiveMQ", Messaging, Tcp, &[(61616, 61616)]),
        entry("MQTT", Messaging, Tcp, &[(1883, 1883), (8883, 8883)]),
        entry(
            "admin consoles (Jenkins, Jupyter, Grafana, Prometheus, Consul, Vault, …)",
            AdminUi,
            Tcp,
            &[
                (3000, 3000),
                (8000, 8000),
                (8080, 8080),
                (8200, 8200),
                (8443, 8443),
                (8500, 8500),
                (8888, 8888),
                (9000, 9000),
                (9090, 9090),
                (9100, 9100),
            ],
        ),
        entry("SMTP", Mail, Tcp, &[(25, 25)]),
        entry("POP3", Mail, Tcp, &[(110, 110)]),
        entry("IMAP", Mail, Tcp, &[(143, 143)]),
        entry("DNS", Amplification, Both, &[(53, 53)]),
        entry("NTP", Amplification, Udp, &[(123, 123)]),
        entry("SNMP", Amplification, Udp, &[(161, 162)]),
        entry("IPsec", Vpn, Udp, &[(500, 500), (4500, 4500)]),
        entry("OpenVPN", Vpn, Udp, &[(1194, 1194)]),
        entry("WireGuard", Vpn, Udp, &[(51820, 51820)]),
        entry("HTTP", Web, Tcp, &[(80, 80)]),
        entry("HTTPS", Web, Tcp, &[(443, 443)]),
    ]
}

/// The entries a service set overlaps, in catalogue order.
#[must_use]
pub fn matching<'c>(catalogue: &'c [Entry], services: &ServiceSet) -> Vec<&'c Entry> {
    catalogue
        .iter()
        .filter(|e| !e.services.intersection(services).is_empty())
        .collect()
}

/// Every web port (80, 443) of the catalogue: what a load balancer is expected to serve.
#[must_use]
pub fn web_ports() -> ServiceSet {
    ServiceSet::ports(TCP, 80, 80).union(&ServiceSet::ports(TCP, 443, 443))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_containing_a_sensitive_port_counts_as_that_port() {
        let cat = builtin();
        let names: Vec<&str> = matching(&cat, &ServiceSet::ports(TCP, 0, 1024))
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert!(names.contains(&"SSH"), "{names:?}");
        assert!(names.contains(&"Telnet"));
        assert!(!names.contains(&"RDP"));
    }

    #[test]
    fn udp_only_services_do_not_match_tcp() {
        let cat = builtin();
        let names: Vec<&str> = matching(&cat, &ServiceSet::ports(TCP, 123, 123))
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert!(names.is_empty(), "{names:?}");
        let udp: Vec<&str> = matching(&cat, &ServiceSet::ports(UDP, 123, 123))
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(udp, ["NTP"]);
    }

    #[test]
    fn every_category_has_an_entry_and_kebab_names_round_trip() {
        let cat = builtin();
        for c in Category::ALL {
            assert!(cat.iter().any(|e| e.category == c), "{c:?}");
            let parsed: Category =
                serde::Deserialize::deserialize(serde::de::value::StrDeserializer::<
                    serde::de::value::Error,
                >::new(c.as_str()))
                .unwrap();
            assert_eq!(parsed, c);
        }
    }
}
