//! `database-reachable-from-internet`.

use crate::model::Direction;
use crate::risk::factors::is_data_store;
use crate::risk::registry::declare_rule;

declare_rule! {
    /// ## What it flags
    ///
    /// A change that opens a **data store** to the internet or a large public block:
    /// a database, cache or search-engine port (`MySQL` 3306, `PostgreSQL` 5432, Redis
    /// 6379, Elasticsearch 9200, …), or any port of an endpoint that holds data (an
    /// RDS instance, an `ElastiCache` cluster, an EFS mount target).
    ///
    /// ## Why it matters
    ///
    /// Data stores are the target. A database reachable from the internet is one weak
    /// password or one unpatched CVE away from a breach, and ransom bots sweep the
    /// whole IPv4 space for open Redis, `MongoDB` and Elasticsearch every day.
    ///
    /// ## Example
    ///
    /// ```hcl
    /// # before
    /// ingress { protocol = "tcp" from_port = 5432 to_port = 5432 security_groups = [aws_security_group.app.id] }
    /// # after: flagged
    /// ingress { protocol = "tcp" from_port = 5432 to_port = 5432 cidr_blocks = ["0.0.0.0/0"] }
    /// ```
    ///
    /// ## References
    ///
    /// - AWS Security Hub EC2.19 (security groups should not allow unrestricted access to
    ///   high-risk ports), RDS.2 (RDS DB instances should prohibit public access)
    /// - AWS Config `restricted-common-ports`
    pub struct DatabaseReachableFromInternet {
        id: "database-reachable-from-internet",
        title: "Data store reachable from the internet",
        matches: |p, _score| p.opens(Direction::Ingress)
            && p.breadth.is_internet_wide()
            && (p.exposure.entries.iter().any(|e| e.category.is_data_store())
                || p.subject_kinds.iter().any(|k| is_data_store(*k))),
    }
}
