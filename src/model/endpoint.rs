//! Endpoints: what sends and receives traffic — instances, network interfaces, load
//! balancers, databases, functions — each with the interfaces that carry its security
//! groups.

use std::collections::BTreeMap;

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Certainty, Origin, Tri};

/// What kind of thing an endpoint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum EndpointKind {
    /// An EC2 instance.
    Instance,
    /// A standalone network interface.
    NetworkInterface,
    /// An application load balancer.
    ApplicationLoadBalancer,
    /// A network load balancer.
    NetworkLoadBalancer,
    /// A gateway load balancer.
    GatewayLoadBalancer,
    /// A classic load balancer (`aws_elb`, `AWS::ElasticLoadBalancing::LoadBalancer`).
    ClassicLoadBalancer,
    /// An RDS instance or cluster instance.
    Database,
    /// An `ElastiCache` cluster or replication group.
    Cache,
    /// A Lambda function in a VPC (sends only).
    Function,
    /// An ECS service's tasks.
    ContainerService,
    /// An interface VPC endpoint.
    VpcEndpoint,
    /// An EFS mount target.
    FileSystem,
    /// An EKS cluster's control-plane interfaces.
    KubernetesCluster,
}

impl EndpointKind {
    /// The stable kebab-case name used in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instance => "instance",
            Self::NetworkInterface => "network-interface",
            Self::ApplicationLoadBalancer => "application-load-balancer",
            Self::NetworkLoadBalancer => "network-load-balancer",
            Self::GatewayLoadBalancer => "gateway-load-balancer",
            Self::ClassicLoadBalancer => "classic-load-balancer",
            Self::Database => "database",
            Self::Cache => "cache",
            Self::Function => "function",
            Self::ContainerService => "container-service",
            Self::VpcEndpoint => "vpc-endpoint",
            Self::FileSystem => "file-system",
            Self::KubernetesCluster => "kubernetes-cluster",
        }
    }
}

impl fmt::Display for EndpointKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One network interface of an endpoint: a subnet, its security groups and addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interface {
    /// The subnet (key); `None` when unknown.
    pub subnet: Option<String>,
    /// Security groups (keys), sorted. Empty with `filtered = false` for interfaces
    /// security groups do not apply to (a network load balancer created without them).
    pub security_groups: Vec<String>,
    /// Whether the list of security groups is known for certain.
    pub groups_certainty: Certainty,
    /// `false` when no security group filters this interface.
    pub filtered: bool,
    /// The private IPv4 address, when fixed in the input.
    pub private_ipv4: Option<Ipv4Addr>,
    /// Whether it has a public IPv4 address (auto-assigned or Elastic IP).
    pub public_ipv4: Tri,
    /// Whether it has an IPv6 address.
    pub ipv6: Tri,
    /// Its IPv6 addresses, when fixed in the input.
    pub ipv6_addresses: Vec<Ipv6Addr>,
}

/// A listener of a load balancer and where it forwards.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listener {
    /// `tcp` or `udp` (HTTP, HTTPS and TLS are TCP).
    pub protocol: u8,
    /// The port clients connect to.
    pub port: u16,
    /// Targets (endpoint keys) and the port traffic is forwarded to.
    pub targets: Vec<(String, u16)>,
    /// Where the listener is declared.
    pub origin: Origin,
}

/// Something that sends or receives traffic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Snapshot key: the resource address, or the AWS id of an endpoint a context file
    /// describes (`i-0123…`).
    pub key: String,
    /// The AWS id when known (an instance's `i-…`, a load balancer's ARN).
    pub id: Option<String>,
    /// What it is.
    pub kind: EndpointKind,
    /// Its interfaces; a load balancer or a database has one per subnet.
    pub interfaces: Vec<Interface>,
    /// `false` for endpoints that never accept connections (Lambda functions).
    pub accepts: bool,
    /// Load balancers: the listeners; only their ports accept connections.
    pub listeners: Vec<Listener>,
    /// Resources that give it a public address (Elastic IPs and their associations).
    pub public_ip_sources: Vec<String>,
    /// Resources that attach security groups to it besides its own definition
    /// (`aws_network_interface_sg_attachment`), sorted.
    pub group_sources: Vec<String>,
    /// Its tags (`tags_all` merged with `tags`), for policy selectors.
    pub tags: BTreeMap<String, String>,
    /// Definite; possible for one instance standing for instances not known before
    /// apply (an unknown `count`/`for_each`): it exists in the permissive world only.
    pub existence: Certainty,
}

impl Endpoint {
    /// An endpoint with no interfaces yet.
    #[must_use]
    pub fn new(key: impl Into<String>, kind: EndpointKind) -> Self {
        Self {
            key: key.into(),
            id: None,
            kind,
            interfaces: Vec::new(),
            accepts: true,
            listeners: Vec::new(),
            public_ip_sources: Vec::new(),
            group_sources: Vec::new(),
            tags: BTreeMap::new(),
            existence: Certainty::Definite,
        }
    }

    /// An endpoint with these interfaces.
    #[must_use]
    pub fn with_interfaces(
        key: impl Into<String>,
        kind: EndpointKind,
        interfaces: Vec<Interface>,
    ) -> Self {
        Self {
            interfaces,
            ..Self::new(key, kind)
        }
    }
}
