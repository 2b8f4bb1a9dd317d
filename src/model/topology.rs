//! The network around the filters: VPCs, subnets, route tables, gateways and prefix
//! lists.
//!
//! Keys follow the same convention as security groups: the resource address when the
//! input manages the object, else its AWS id. Values the input does not know are
//! `None` (or [`Tri::Unknown`]) — never a guess.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::{Certainty, Origin};

/// A yes/no fact that may be unknown until apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tri {
    /// Known to hold.
    Yes,
    /// Known not to hold.
    No,
    /// Known only after apply (or not in the input).
    #[default]
    Unknown,
}

impl Tri {
    /// `Yes`/`No` from a known boolean.
    #[must_use]
    pub fn from_bool(b: bool) -> Self {
        if b { Self::Yes } else { Self::No }
    }

    /// `true` only when known to hold (the lower bound).
    #[must_use]
    pub fn surely(self) -> bool {
        self == Self::Yes
    }

    /// `true` unless known not to hold (the upper bound).
    #[must_use]
    pub fn maybe(self) -> bool {
        self != Self::No
    }

    /// Either fact holds.
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        match (self, other) {
            (Self::Yes, _) | (_, Self::Yes) => Self::Yes,
            (Self::No, Self::No) => Self::No,
            _ => Self::Unknown,
        }
    }
}

/// A VPC.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vpc {
    /// Snapshot key.
    pub key: String,
    /// AWS id when known.
    pub id: Option<String>,
    /// IPv4 blocks (primary and secondary).
    pub ipv4: Vec<Ipv4Net>,
    /// IPv6 blocks.
    pub ipv6: Vec<Ipv6Net>,
    /// The main route table's key, when known.
    pub main_route_table: Option<String>,
    /// The resource that made `main_route_table` the main table
    /// (`aws_main_route_table_association`), when the input has one.
    pub main_association: Option<String>,
    /// The default network ACL's key, when known.
    pub default_network_acl: Option<String>,
    /// The default security group's key, when known.
    pub default_security_group: Option<String>,
}

/// A subnet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subnet {
    /// Snapshot key.
    pub key: String,
    /// AWS id when known.
    pub id: Option<String>,
    /// The VPC's key, when known.
    pub vpc: Option<String>,
    /// IPv4 block, when known.
    pub ipv4: Option<Ipv4Net>,
    /// IPv6 block, when it has one and it is known.
    pub ipv6: Option<Ipv6Net>,
    /// Whether the subnet has an IPv6 block.
    pub has_ipv6: Tri,
    /// Whether instances launched here get a public IPv4 address by default.
    pub map_public_ip: Tri,
}

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteTarget {
    /// Inside the VPC.
    Local,
    /// An internet gateway (by key).
    InternetGateway(String),
    /// An egress-only internet gateway: IPv6 out, nothing in.
    EgressOnlyInternetGateway(String),
    /// A NAT gateway: out only.
    NatGateway(String),
    /// A peering connection, transit gateway, VPN gateway, endpoint or appliance:
    /// another network, named `kind:key`.
    Network(String),
    /// Dropped.
    Blackhole,
    /// Known only after apply.
    Unknown,
}

/// Where a route applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteDestination {
    /// A CIDR block.
    Cidr(IpNet),
    /// A managed prefix list (by key).
    PrefixList(String),
    /// Known only after apply.
    Unknown,
}

/// One route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Destination.
    pub destination: RouteDestination,
    /// Target.
    pub target: RouteTarget,
    /// Definite, or possible when part of it is unknown.
    pub certainty: Certainty,
    /// Where the route is declared.
    pub origin: Origin,
}

/// A route table and the subnets explicitly associated with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteTable {
    /// Snapshot key.
    pub key: String,
    /// AWS id when known.
    pub id: Option<String>,
    /// The VPC's key, when known.
    pub vpc: Option<String>,
    /// Routes other than the implicit local ones.
    pub routes: Vec<Route>,
    /// Subnets (keys) explicitly associated.
    pub subnets: Vec<String>,
    /// (subnet key, the resource that associates it), for the associations the input
    /// declares as resources of their own.
    pub associations: Vec<(String, String)>,
    /// `true` when this is its VPC's main route table.
    pub main: bool,
    /// `false` when the input does not list the table's routes (an unmanaged table).
    pub routes_known: bool,
}

/// An internet gateway or egress-only internet gateway.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gateway {
    /// Snapshot key.
    pub key: String,
    /// AWS id when known.
    pub id: Option<String>,
    /// The VPC it is attached to (key); `None` when detached or unknown.
    pub vpc: Option<String>,
    /// Whether it is attached to `vpc`.
    pub attached: Tri,
    /// `true` for an egress-only internet gateway.
    pub egress_only: bool,
}

/// A NAT gateway.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NatGateway {
    /// Snapshot key.
    pub key: String,
    /// AWS id when known.
    pub id: Option<String>,
    /// The subnet it sits in (key).
    pub subnet: Option<String>,
    /// `true` for a public NAT gateway (the default), `false` for a private one.
    pub public: bool,
}

/// A managed prefix list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrefixList {
    /// Snapshot key.
    pub key: String,
    /// AWS id when known.
    pub id: Option<String>,
    /// Its CIDR blocks; `None` when unknown (an AWS-managed list, or values known only
    /// after apply).
    pub entries: Option<Vec<IpNet>>,
    /// The resources that add entries to it besides the list itself
    /// (`aws_ec2_managed_prefix_list_entry`), sorted: what changes its entries.
    pub sources: Vec<String>,
}
