//! Id-valued attributes (`subnet_id`, `vpc_security_group_ids`, `route_table_id`, …)
//! turned into snapshot keys, for the topology and endpoint readers.
//!
//! A known id becomes the address of the plan resource that has it, or stays the id
//! when the plan does not manage it. An id known only after apply is followed through
//! the configuration (see `config`), keeping only resources of the wanted type; a
//! VPC's `default_security_group_id`, `default_network_acl_id` or
//! `main_route_table_id` becomes that default object's key.

use serde_json::Value;

use super::common::settle;
use super::values::{Side, str_list};
use super::{Entry, IdAttr, Plan, Resolved};
use crate::model::{Certainty, is_unknown_key, unknown_key};
use crate::warning::Warnings;

/// The type of resource an attribute refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Want {
    Vpc,
    Subnet,
    SecurityGroup,
    NetworkAcl,
    RouteTable,
    Gateway,
    NatGateway,
    Instance,
    NetworkInterface,
    LoadBalancer,
    /// A classic load balancer (`aws_elb`), named by its name (its id).
    ClassicLoadBalancer,
    TargetGroup,
    PrefixList,
}

/// What a VPC attribute names, for references like `aws_vpc.main.main_route_table_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum VpcDefault {
    SecurityGroup,
    NetworkAcl,
    RouteTable,
}

impl VpcDefault {
    fn attr(self) -> &'static str {
        match self {
            Self::SecurityGroup => "default_security_group_id",
            Self::NetworkAcl => "default_network_acl_id",
            Self::RouteTable => "main_route_table_id",
        }
    }

    /// The resource type that adopts this default object.
    fn adopter(self) -> (&'static str, &'static str) {
        match self {
            Self::SecurityGroup => ("aws_default_security_group", "vpc_id"),
            Self::NetworkAcl => ("aws_default_network_acl", "default_network_acl_id"),
            Self::RouteTable => ("aws_default_route_table", "default_route_table_id"),
        }
    }
}

impl Want {
    fn kinds(self) -> &'static [&'static str] {
        match self {
            Self::Vpc => &["aws_vpc", "aws_default_vpc"],
            Self::Subnet => &["aws_subnet", "aws_default_subnet"],
            Self::SecurityGroup => &["aws_security_group", "aws_default_security_group"],
            Self::NetworkAcl => &["aws_network_acl", "aws_default_network_acl"],
            Self::RouteTable => &["aws_route_table", "aws_default_route_table"],
            Self::Gateway => &["aws_internet_gateway", "aws_egress_only_internet_gateway"],
            Self::NatGateway => &["aws_nat_gateway"],
            Self::Instance => &["aws_instance"],
            Self::NetworkInterface => &["aws_network_interface", "aws_instance"],
            Self::LoadBalancer => &["aws_lb", "aws_alb"],
            Self::ClassicLoadBalancer => &["aws_elb"],
            Self::TargetGroup => &["aws_lb_target_group", "aws_alb_target_group"],
            Self::PrefixList => &["aws_ec2_managed_prefix_list", "aws_prefix_list"],
        }
    }

    fn vpc_default(self) -> Option<VpcDefault> {
        match self {
            Self::SecurityGroup => Some(VpcDefault::SecurityGroup),
            Self::NetworkAcl => Some(VpcDefault::NetworkAcl),
            Self::RouteTable => Some(VpcDefault::RouteTable),
            _ => None,
        }
    }

    /// The type's name in messages.
    pub(super) fn noun(self) -> &'static str {
        match self {
            Self::Vpc => "VPC",
            Self::Subnet => "subnet",
            Self::SecurityGroup => "security group",
            Self::NetworkAcl => "network ACL",
            Self::RouteTable => "route table",
            Self::Gateway => "gateway",
            Self::NatGateway => "NAT gateway",
            Self::Instance => "instance",
            Self::NetworkInterface => "network interface",
            Self::LoadBalancer => "load balancer",
            Self::ClassicLoadBalancer => "classic load balancer",
            Self::TargetGroup => "target group",
            Self::PrefixList => "prefix list",
        }
    }

    /// The prefix of literal ids of this type (as found in variables).
    pub(super) fn id_prefix(self) -> &'static str {
        match self {
            Self::Vpc => "vpc-",
            Self::Subnet => "subnet-",
            Self::SecurityGroup => "sg-",
            Self::NetworkAcl => "acl-",
            Self::RouteTable => "rtb-",
            Self::Gateway => "igw-",
            Self::NatGateway => "nat-",
            Self::Instance => "i-",
            Self::NetworkInterface => "eni-",
            Self::LoadBalancer | Self::TargetGroup => "arn:",
            // Named by its name: any literal may be one.
            Self::ClassicLoadBalancer => "",
            Self::PrefixList => "pl-",
        }
    }

    /// Whether a referenced resource, read through `attr`, is of this type.
    pub(super) fn accepts(self, e: &Entry<'_>, attr: Option<&str>) -> bool {
        let kind = e.kind.as_str();
        if let Some(d) = self.vpc_default()
            && matches!(kind, "aws_vpc" | "aws_default_vpc")
        {
            return attr == Some(d.attr());
        }
        if self == Self::NetworkInterface && kind == "aws_instance" {
            return attr == Some("primary_network_interface_id");
        }
        self.kinds().contains(&kind) && matches!(attr, None | Some("id" | "arn"))
    }
}

/// The keys an attribute refers to on one side, and how sure that is. A value known
/// only after apply that cannot be followed to what it names adds [`unknown_key`].
#[derive(Debug, Default)]
pub(super) struct Refs {
    pub keys: Vec<String>,
    pub certainty: Certainty,
}

impl Refs {
    /// The keys of objects reachdiff can name, without the stand-in for one known only
    /// after apply ([`unknown_key`]).
    pub(super) fn known(self) -> impl Iterator<Item = String> {
        self.keys.into_iter().filter(|k| !is_unknown_key(k))
    }
}

impl Plan<'_> {
    /// The snapshot key of the object with this id, for a reference of type `want`.
    pub(super) fn key_for_id(&self, want: Want, id: &str) -> String {
        if let Some(i) = self.entry_by_id(id) {
            return self.key_of(want, i);
        }
        if let (Some(d), Some(vpc)) = (want.vpc_default(), self.vpc_by_default_id(id)) {
            return self.default_key(vpc, d);
        }
        id.to_owned()
    }

    /// The keys of what a reference resolved to, sorted and without duplicates. Several
    /// instances of one resource that the reference may name (a [`super::Family`]) are
    /// one key standing for an object known only after apply, `(aws_subnet.s[*] known
    /// after apply)`, never each of them: the reference names one of them.
    pub(super) fn candidate_keys(&self, want: Want, resolved: &Resolved) -> Vec<String> {
        let in_family: std::collections::HashSet<usize> = resolved
            .families
            .iter()
            .flat_map(|f| f.members.iter().copied())
            .collect();
        let in_family = |i: &&usize| in_family.contains(*i);
        let mut keys: Vec<String> = resolved
            .entries
            .iter()
            .filter(|i| !in_family(i))
            .map(|&i| self.key_of(want, i))
            .chain(resolved.external.iter().map(|id| self.key_for_id(want, id)))
            .chain(resolved.families.iter().map(|f| unknown_key(&f.label)))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The key of a referenced entry: its label, or for a VPC the default object
    /// `want` names, or for an instance referenced as a network interface the instance.
    pub(super) fn key_of(&self, want: Want, entry: usize) -> String {
        let e = &self.entries[entry];
        match want.vpc_default() {
            Some(d) if matches!(e.kind.as_str(), "aws_vpc" | "aws_default_vpc") => {
                self.default_key(entry, d)
            }
            _ => e.label(),
        }
    }

    /// The key of a VPC's default security group, network ACL or main route table: the
    /// resource that adopts it when the plan has one, else its id, else
    /// `<vpc address>.<attribute>`.
    pub(super) fn default_key(&self, vpc: usize, which: VpcDefault) -> String {
        let v = &self.entries[vpc];
        let (adopter, link) = which.adopter();
        let vpc_ids: Vec<&str> = v.ids().collect();
        let default_id = [&v.after_id, &v.before_id]
            .into_iter()
            .flatten()
            .find_map(|i| {
                i.get(match which {
                    VpcDefault::SecurityGroup => IdAttr::DefaultSecurityGroupId,
                    VpcDefault::NetworkAcl => IdAttr::DefaultNetworkAclId,
                    VpcDefault::RouteTable => IdAttr::MainRouteTableId,
                })
            })
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        for (i, e) in super::entries_of(self, &[adopter]) {
            let (bv, av, _, _) = e.values();
            let linked_by_id = [bv, av].into_iter().flatten().any(|val| {
                val.get(link)
                    .and_then(Value::as_str)
                    .is_some_and(|id| vpc_ids.contains(&id) || default_id.as_deref() == Some(id))
            });
            let linked = linked_by_id
                || self
                    .resolve_reference(i, link, &|c, _| std::ptr::eq(c, v), "vpc-")
                    .entries
                    .contains(&vpc);
            if linked {
                return e.label();
            }
        }
        match default_id {
            Some(id) => match self.entry_by_id(&id) {
                Some(i) if i != vpc => self.entries[i].label(),
                _ => id,
            },
            None => format!("{}.{}", v.label(), which.attr()),
        }
    }

    /// The keys an id-valued attribute (a string or a list of strings) holds on one
    /// side. `config_attr` is the top-level attribute whose configuration expression
    /// holds the references (`vpc_config` for `vpc_config[0].subnet_ids`); `single`
    /// says whether one value is expected (then several candidates are ambiguous).
    pub(super) fn refs(
        &self,
        entry: usize,
        value: Side<'_>,
        config_attr: &str,
        want: Want,
        single: bool,
        warnings: &mut Warnings,
    ) -> Refs {
        let list = str_list(value);
        let mut keys: Vec<String> = list
            .items
            .iter()
            .map(|id| self.key_for_id(want, id))
            .collect();
        let mut certainty = Certainty::Definite;
        if list.any_unknown() {
            let found = self.resolve_keys(entry, config_attr, want, single);
            let settled = settle(
                warnings,
                &self.entries[entry].label(),
                &format!("`{config_attr}`"),
                &found.resolved,
                found.keys.clone(),
                unknown_key(want.noun()),
            );
            certainty = settled.certainty;
            keys.extend(settled.names);
        }
        keys.sort();
        keys.dedup();
        Refs { keys, certainty }
    }
}
