//! Endpoints from a plan: what carries security groups or receives traffic, with its
//! subnets, groups and addresses.
//!
//! Reads `aws_instance`, `aws_network_interface`, `aws_network_interface_sg_attachment`,
//! `aws_eip` and `aws_eip_association`, `aws_lb`/`aws_alb` with their listeners, target
//! groups and attachments, `aws_elb` (classic, with its listeners, `instances` and
//! `aws_elb_attachment`s), `aws_db_instance`, `aws_rds_cluster_instance`,
//! `aws_elasticache_cluster`, `aws_elasticache_replication_group`,
//! `aws_lambda_function`, `aws_ecs_service`, `aws_vpc_endpoint` (interface),
//! `aws_efs_mount_target` and `aws_eks_cluster`. Runs after the topology reader, whose
//! subnets and VPCs give defaults (public IP on launch, the default security group).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::refs::Want;
use super::values::{Side, str_list};
use super::{Entry, Plan, entries_of};
use crate::header_space::service::{TCP, UDP};
use crate::model::{
    Certainty, Endpoint, EndpointKind, Interface, InterfaceFacts, Listener, Origin, Snapshot, Tri,
};
use crate::warning::{WarningKind, Warnings};

/// The resource types that are endpoints, read first.
const ENDPOINT_KINDS: [&str; 14] = [
    "aws_instance",
    "aws_network_interface",
    "aws_lb",
    "aws_alb",
    "aws_elb",
    "aws_db_instance",
    "aws_rds_cluster_instance",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_lambda_function",
    "aws_ecs_service",
    "aws_eks_cluster",
    "aws_vpc_endpoint",
    "aws_efs_mount_target",
];

/// The resource types that change endpoints read first.
const MODIFIER_KINDS: [&str; 5] = [
    "aws_network_interface_sg_attachment",
    "aws_eip",
    "aws_eip_association",
    "aws_lb_listener",
    "aws_alb_listener",
];

/// Target group attachments: what a listener forwards to.
const ATTACHMENT_KINDS: [&str; 2] = [
    "aws_lb_target_group_attachment",
    "aws_alb_target_group_attachment",
];

/// Fills the endpoints of one side of `snapshot` (`after` selects the side).
pub(super) fn build(
    plan: &Plan<'_>,
    after: bool,
    snapshot: &mut Snapshot,
    warnings: &mut Warnings,
) {
    let mut r = Reader {
        plan,
        warnings,
        attachments: None,
    };
    super::with_sides(entries_of(plan, &ENDPOINT_KINDS), |i, e, sides| {
        let Some(side) = sides.side(after) else {
            return;
        };
        let endpoint = match e.kind.as_str() {
            "aws_instance" => r.instance(i, e, side, snapshot),
            "aws_network_interface" => Some(r.network_interface(i, e, side, snapshot)),
            "aws_lb" | "aws_alb" => Some(r.load_balancer(i, e, side, snapshot)),
            "aws_elb" => Some(r.classic_load_balancer(i, e, side, snapshot, after)),
            "aws_db_instance" => Some(r.database(i, e, side, snapshot, after)),
            "aws_rds_cluster_instance" => r.cluster_instance(i, e, side, snapshot, after),
            "aws_elasticache_cluster" | "aws_elasticache_replication_group" => {
                Some(r.cache(i, e, side, snapshot, after))
            }
            "aws_lambda_function" => r.in_vpc_config(
                i,
                e,
                side,
                snapshot,
                EndpointKind::Function,
                "vpc_config",
                "subnet_ids",
                "security_group_ids",
            ),
            "aws_ecs_service" => r.in_vpc_config(
                i,
                e,
                side,
                snapshot,
                EndpointKind::ContainerService,
                "network_configuration",
                "subnets",
                "security_groups",
            ),
            "aws_eks_cluster" => r.in_vpc_config(
                i,
                e,
                side,
                snapshot,
                EndpointKind::KubernetesCluster,
                "vpc_config",
                "subnet_ids",
                "security_group_ids",
            ),
            "aws_vpc_endpoint" if side.key("vpc_endpoint_type").str() == Some("Interface") => {
                Some(r.simple(
                    i,
                    e,
                    side,
                    snapshot,
                    EndpointKind::VpcEndpoint,
                    "subnet_ids",
                    "security_group_ids",
                ))
            }
            "aws_efs_mount_target" => Some(r.simple(
                i,
                e,
                side,
                snapshot,
                EndpointKind::FileSystem,
                "subnet_id",
                "security_groups",
            )),
            _ => None,
        };
        if let Some(mut ep) = endpoint {
            ep.tags = super::values::tags(side.values);
            ep.id = side.key("id").str().map(str::to_owned);
            snapshot.endpoints.insert(ep.key.clone(), ep);
        }
    });
    // Second pass: resources that change endpoints read above.
    for (i, e) in entries_of(plan, &MODIFIER_KINDS) {
        let sides = e.sides();
        let Some(side) = sides.side(after) else {
            continue;
        };
        match e.kind.as_str() {
            "aws_network_interface_sg_attachment" => r.sg_attachment(i, side, snapshot),
            "aws_eip" => r.eip(i, side, "instance", "network_interface", snapshot),
            "aws_eip_association" => {
                r.eip(i, side, "instance_id", "network_interface_id", snapshot);
            }
            "aws_lb_listener" | "aws_alb_listener" => r.listener(i, e, side, snapshot, after),
            _ => {}
        }
    }
}

struct Reader<'p, 'a, 'w> {
    plan: &'p Plan<'a>,
    warnings: &'w mut Warnings,
    /// Every target group attachment of the side, read once (on the first listener).
    attachments: Option<Vec<Attachment>>,
}

/// A target group attachment: the groups it may belong to, its target and port.
struct Attachment {
    groups: Vec<String>,
    targets: Vec<String>,
    port: Option<u16>,
}

fn tri(side: Side<'_>) -> Tri {
    if side.is_unknown() {
        Tri::Unknown
    } else {
        side.bool().map_or(Tri::No, Tri::from_bool)
    }
}

impl Reader<'_, '_, '_> {
    /// The keys an attribute of the resource's side refers to (see [`Self::keys`]).
    fn attr(
        &mut self,
        entry: usize,
        side: Side<'_>,
        attr: &str,
        want: Want,
    ) -> (Vec<String>, Certainty) {
        self.keys(entry, side.key(attr), attr, want)
    }

    fn keys(
        &mut self,
        entry: usize,
        value: Side<'_>,
        config_attr: &str,
        want: Want,
    ) -> (Vec<String>, Certainty) {
        // Keeps the stand-in for an unknown subnet or group, so reach can widen for it.
        let refs = self
            .plan
            .refs(entry, value, config_attr, want, false, self.warnings);
        (refs.keys, refs.certainty)
    }

    /// Interfaces in `subnets`, each with `groups` (or the VPC's default security group
    /// when the list is known to be empty and `default_group`).
    #[allow(clippy::too_many_arguments)] // the interface facts, each from the resource
    fn interfaces(
        &mut self,
        label: &str,
        subnets: &[String],
        groups: &(Vec<String>, Certainty),
        default_group: bool,
        public_ipv4: Tri,
        ipv6: Tri,
        s: &Snapshot,
    ) -> Vec<Interface> {
        let (interfaces, missing_default) = s.interfaces_in(InterfaceFacts {
            subnets,
            groups: (&groups.0, groups.1),
            default_group,
            public_ipv4,
            ipv6,
        });
        if missing_default {
            self.warnings.push(
                WarningKind::UnresolvedReference,
                Some(label),
                "launched without security groups, so AWS gives it its VPC's default group, which the plan does not show; flows to it are possible",
            );
        }
        interfaces
    }

    fn instance(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        side: Side<'_>,
        s: &Snapshot,
    ) -> Option<Endpoint> {
        let label = e.label();
        if side.key("network_interface").items().next().is_some() {
            // Its interfaces are aws_network_interface resources, read on their own.
            return None;
        }
        let (subnets, subnet_certainty) = self.attr(i, side, "subnet_id", Want::Subnet);
        let mut groups = self.attr(i, side, "vpc_security_group_ids", Want::SecurityGroup);
        for name in str_list(side.key("security_groups")).items {
            // Names (EC2-Classic / default VPC style).
            groups.0.push(self.group_by_name(name));
        }
        groups.1 = groups.1.max(subnet_certainty);
        let subnet_default = subnets
            .first()
            .and_then(|k| s.subnets.get(k))
            .map_or(Tri::Unknown, |sub| sub.map_public_ip);
        let public_ipv4 = match side.key("public_ip") {
            p if p.str().is_some() => Tri::Yes,
            p if !p.is_unknown() && p.values.is_string() => Tri::No,
            _ => match side.key("associate_public_ip_address") {
                a if a.is_unknown() || !a.present() => subnet_default,
                a => tri(a),
            },
        };
        let ipv6_addresses: Vec<Ipv6Addr> = str_list(side.key("ipv6_addresses"))
            .items
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect();
        let ipv6 = if ipv6_addresses.is_empty() {
            match side.key("ipv6_address_count") {
                c if c.is_unknown() => Tri::Unknown,
                c => Tri::from_bool(c.int().unwrap_or(0) > 0),
            }
        } else {
            Tri::Yes
        };
        let mut interfaces = self.interfaces(&label, &subnets, &groups, true, public_ipv4, ipv6, s);
        for iface in &mut interfaces {
            iface.private_ipv4 = side
                .key("private_ip")
                .str()
                .and_then(|a| a.parse::<Ipv4Addr>().ok());
            iface.ipv6_addresses.clone_from(&ipv6_addresses);
        }
        Some(Endpoint::with_interfaces(
            label,
            EndpointKind::Instance,
            interfaces,
        ))
    }

    fn group_by_name(&self, name: &str) -> String {
        entries_of(self.plan, &["aws_security_group"])
            .find(|(_, e)| e.name_attr() == Some(name))
            .map_or_else(|| format!("sg-name:{name}"), |(_, e)| e.label())
    }

    fn network_interface(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        side: Side<'_>,
        s: &Snapshot,
    ) -> Endpoint {
        let label = e.label();
        let (subnets, _) = self.attr(i, side, "subnet_id", Want::Subnet);
        let groups = self.attr(i, side, "security_groups", Want::SecurityGroup);
        let ipv6 = match side.key("ipv6_address_count") {
            c if c.is_unknown() => Tri::Unknown,
            c => Tri::from_bool(
                c.int().unwrap_or(0) > 0 || !str_list(side.key("ipv6_addresses")).items.is_empty(),
            ),
        };
        let mut interfaces = self.interfaces(&label, &subnets, &groups, true, Tri::No, ipv6, s);
        if let Some(ip) = str_list(side.key("private_ips"))
            .items
            .first()
            .and_then(|a| a.parse().ok())
        {
            interfaces[0].private_ipv4 = Some(ip);
        }
        Endpoint::with_interfaces(label, EndpointKind::NetworkInterface, interfaces)
    }

    fn load_balancer(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &Snapshot) -> Endpoint {
        let label = e.label();
        let kind = match side.key("load_balancer_type").str() {
            Some("network") => EndpointKind::NetworkLoadBalancer,
            Some("gateway") => EndpointKind::GatewayLoadBalancer,
            _ => EndpointKind::ApplicationLoadBalancer,
        };
        let (mut subnets, _) = self.attr(i, side, "subnets", Want::Subnet);
        for m in side.key("subnet_mapping").items() {
            let (more, _) = self.keys(i, m.key("subnet_id"), "subnet_mapping", Want::Subnet);
            subnets.extend(more);
        }
        subnets.sort();
        subnets.dedup();
        let groups = self.attr(i, side, "security_groups", Want::SecurityGroup);
        let internal = tri(side.key("internal"));
        let public = match internal {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Unknown => Tri::Unknown,
        };
        let ipv6 = match side.key("ip_address_type") {
            t if t.is_unknown() => Tri::Unknown,
            t => Tri::from_bool(t.str().is_some_and(|v| v.starts_with("dualstack"))),
        };
        // Network load balancers created without security groups filter nothing.
        let unfiltered = kind != EndpointKind::ApplicationLoadBalancer
            && groups.0.is_empty()
            && groups.1 == Certainty::Definite;
        let mut interfaces = self.interfaces(
            &label,
            &subnets,
            &groups,
            kind == EndpointKind::ApplicationLoadBalancer,
            public,
            ipv6,
            s,
        );
        if unfiltered {
            for iface in &mut interfaces {
                iface.filtered = false;
            }
        }
        Endpoint::with_interfaces(label, kind, interfaces)
    }

    /// A classic load balancer: its subnets and groups (the VPC's default group when
    /// it names none, as AWS gives it), internet-facing unless `internal`, and its
    /// inline listeners forwarding to the `instances` it registers and those its
    /// `aws_elb_attachment`s register. HTTP, HTTPS, TCP and SSL are all TCP.
    fn classic_load_balancer(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        side: Side<'_>,
        s: &Snapshot,
        after: bool,
    ) -> Endpoint {
        let label = e.label();
        let (subnets, _) = self.attr(i, side, "subnets", Want::Subnet);
        if subnets.is_empty() && !side.key("subnets").is_unknown() {
            self.warnings.push(
                WarningKind::UnsupportedResource,
                Some(&label),
                "the classic load balancer names no subnets (availability zones of EC2-Classic or the default VPC), so where it is cannot be known; its exposure is not in the report",
            );
        }
        let groups = self.attr(i, side, "security_groups", Want::SecurityGroup);
        let public = match tri(side.key("internal")) {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Unknown => Tri::Unknown,
        };
        let interfaces = self.interfaces(&label, &subnets, &groups, true, public, Tri::No, s);
        let mut ep =
            Endpoint::with_interfaces(&label, EndpointKind::ClassicLoadBalancer, interfaces);
        // `instances` is computed when attachments register them: unknown and not
        // configured is "what the attachments add".
        let registered = side.key("instances");
        let mut instances = if registered.str().is_some()
            || registered.items().next().is_some()
            || (registered.is_unknown() && self.plan.configured(i, "instances") != Some(false))
        {
            self.attr(i, side, "instances", Want::Instance).0
        } else {
            Vec::new()
        };
        instances.extend(self.classic_attachments(&label, after));
        instances.sort();
        instances.dedup();
        for (n, l) in side.key("listener").items().enumerate() {
            let port = |k: &str| l.key(k).int().and_then(|p| u16::try_from(p).ok());
            let (Some(lb_port), Some(instance_port)) = (port("lb_port"), port("instance_port"))
            else {
                self.warnings.push(
                    WarningKind::UnknownValue,
                    Some(&label),
                    format!("listener[{n}]: its ports are not known before apply; the listener is left out, so nothing is reported through it"),
                );
                continue;
            };
            ep.listeners.push(Listener {
                protocol: TCP,
                port: lb_port,
                targets: instances
                    .iter()
                    .map(|k| (k.clone(), instance_port))
                    .collect(),
                origin: Origin::new(&label, format!("listener[{n}]")),
            });
        }
        ep.listeners.sort();
        ep
    }

    /// The instances `aws_elb_attachment`s of the side register with `elb`.
    fn classic_attachments(&mut self, elb: &str, after: bool) -> Vec<String> {
        let mut out = Vec::new();
        for (j, a) in entries_of(self.plan, &["aws_elb_attachment"]) {
            let sides = a.sides();
            let Some(side) = sides.side(after) else {
                continue;
            };
            let to_elb = self
                .plan
                .refs(
                    j,
                    side.key("elb"),
                    "elb",
                    Want::ClassicLoadBalancer,
                    true,
                    self.warnings,
                )
                .known()
                .any(|k| k == elb);
            if to_elb {
                out.extend(self.attr(j, side, "instance", Want::Instance).0);
            }
        }
        out
    }

    /// The subnets of a subnet group named by `attr` (`db_subnet_group_name`,
    /// `subnet_group_name`), read on the same side.
    fn subnet_group(
        &mut self,
        i: usize,
        side: Side<'_>,
        attr: &str,
        group_kind: &str,
        after: bool,
    ) -> Vec<String> {
        let name = side.key(attr);
        let group = match name.str() {
            Some(n) => entries_of(self.plan, &[group_kind])
                .find(|(_, g)| g.name_attr() == Some(n))
                .map(|(j, _)| j),
            None if name.is_unknown() => self
                .plan
                .resolve_reference(i, attr, &|g, _| g.kind == group_kind, "")
                .entries
                .first()
                .copied(),
            None => None,
        };
        let Some(g) = group else {
            return Vec::new();
        };
        let sides = self.plan.entries[g].sides();
        let Some(gside) = sides.side(after) else {
            return Vec::new();
        };
        self.attr(g, gside, "subnet_ids", Want::Subnet).0
    }

    /// The subnets (through the DB subnet group) and security groups of an RDS
    /// instance or cluster.
    fn rds_placement(
        &mut self,
        i: usize,
        side: Side<'_>,
        after: bool,
    ) -> (Vec<String>, (Vec<String>, Certainty)) {
        let subnets = self.subnet_group(
            i,
            side,
            "db_subnet_group_name",
            "aws_db_subnet_group",
            after,
        );
        let groups = self.attr(i, side, "vpc_security_group_ids", Want::SecurityGroup);
        (subnets, groups)
    }

    fn database(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        side: Side<'_>,
        s: &Snapshot,
        after: bool,
    ) -> Endpoint {
        let label = e.label();
        let (subnets, groups) = self.rds_placement(i, side, after);
        // publicly_accessible defaults to false in Terraform.
        let public = tri(side.key("publicly_accessible"));
        let interfaces = self.interfaces(&label, &subnets, &groups, true, public, Tri::No, s);
        Endpoint::with_interfaces(label, EndpointKind::Database, interfaces)
    }

    fn cluster_instance(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        side: Side<'_>,
        s: &Snapshot,
        after: bool,
    ) -> Option<Endpoint> {
        let label = e.label();
        let cluster = match side.key("cluster_identifier").str() {
            Some(id) => self.plan.entry_by_id(id),
            None => self
                .plan
                .resolve_reference(
                    i,
                    "cluster_identifier",
                    &|x, _| x.kind == "aws_rds_cluster",
                    "",
                )
                .entries
                .first()
                .copied(),
        };
        let Some(cluster) = cluster else {
            self.warnings.push(
                WarningKind::UnresolvedReference,
                Some(&label),
                "its cluster is not in the plan, so its security groups and subnets are unknown; it is left out",
            );
            return None;
        };
        let csides = self.plan.entries[cluster].sides();
        let cside = csides.side(after)?;
        let (subnets, groups) = self.rds_placement(cluster, cside, after);
        let public = tri(side.key("publicly_accessible"));
        let interfaces = self.interfaces(&label, &subnets, &groups, true, public, Tri::No, s);
        Some(Endpoint::with_interfaces(
            label,
            EndpointKind::Database,
            interfaces,
        ))
    }

    fn cache(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        side: Side<'_>,
        s: &Snapshot,
        after: bool,
    ) -> Endpoint {
        let label = e.label();
        let subnets = self.subnet_group(
            i,
            side,
            "subnet_group_name",
            "aws_elasticache_subnet_group",
            after,
        );
        let groups = self.attr(i, side, "security_group_ids", Want::SecurityGroup);
        let interfaces = self.interfaces(&label, &subnets, &groups, true, Tri::No, Tri::No, s);
        Endpoint::with_interfaces(label, EndpointKind::Cache, interfaces)
    }

    /// Endpoints whose subnets and groups sit in one nested block.
    #[allow(clippy::too_many_arguments, clippy::many_single_char_names)] // one reader per resource shape
    fn in_vpc_config(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        side: Side<'_>,
        s: &Snapshot,
        kind: EndpointKind,
        block: &str,
        subnets_attr: &str,
        groups_attr: &str,
    ) -> Option<Endpoint> {
        let label = e.label();
        let config = side.key(block).items().next()?;
        let (subnets, _) = self.keys(i, config.key(subnets_attr), block, Want::Subnet);
        if subnets.is_empty() {
            return None;
        }
        let mut groups = self.keys(i, config.key(groups_attr), block, Want::SecurityGroup);
        if kind == EndpointKind::KubernetesCluster {
            // The cluster security group EKS creates is not a plan resource.
            match config.key("cluster_security_group_id") {
                c if c.str().is_some() => groups.0.push(
                    self.plan
                        .key_for_id(Want::SecurityGroup, c.str().unwrap_or_default()),
                ),
                _ => groups.0.push(format!("{label}.cluster_security_group_id")),
            }
        }
        let public = tri(config.key("assign_public_ip"));
        let mut endpoint = Endpoint::new(label.clone(), kind);
        endpoint.accepts = kind != EndpointKind::Function;
        endpoint.interfaces = self.interfaces(
            &label,
            &subnets,
            &groups,
            kind != EndpointKind::Function,
            public,
            Tri::No,
            s,
        );
        Some(endpoint)
    }

    #[allow(clippy::too_many_arguments, clippy::many_single_char_names)] // one reader per resource shape
    fn simple(
        &mut self,
        i: usize,
        e: &Entry<'_>,
        side: Side<'_>,
        s: &Snapshot,
        kind: EndpointKind,
        subnets_attr: &str,
        groups_attr: &str,
    ) -> Endpoint {
        let label = e.label();
        let (subnets, _) = self.attr(i, side, subnets_attr, Want::Subnet);
        let groups = self.attr(i, side, groups_attr, Want::SecurityGroup);
        let interfaces = self.interfaces(&label, &subnets, &groups, true, Tri::No, Tri::No, s);
        Endpoint::with_interfaces(label, kind, interfaces)
    }

    /// The endpoint an instance or network-interface reference names.
    fn endpoint_of(
        &mut self,
        i: usize,
        side: Side<'_>,
        instance_attr: &str,
        eni_attr: &str,
    ) -> Option<String> {
        for (attr, want) in [
            (instance_attr, Want::Instance),
            (eni_attr, Want::NetworkInterface),
        ] {
            let v = side.key(attr);
            // An unknown value the configuration does not set is computed by AWS
            // (an EIP's `instance` stays empty until something associates it).
            let configured = self.plan.configured(i, attr) != Some(false);
            if v.str().is_some() || (v.is_unknown() && configured) {
                let refs = self.plan.refs(i, v, attr, want, true, self.warnings);
                if let Some(k) = refs.known().next() {
                    return Some(k);
                }
            }
        }
        None
    }

    fn sg_attachment(&mut self, i: usize, side: Side<'_>, s: &mut Snapshot) {
        let Some(target) = self.endpoint_of(i, side, "", "network_interface_id") else {
            return;
        };
        let (groups, certainty) = self.attr(i, side, "security_group_id", Want::SecurityGroup);
        if let Some(ep) = s.endpoints.get_mut(&target) {
            for iface in &mut ep.interfaces {
                iface.security_groups.extend(groups.iter().cloned());
                iface.security_groups.sort();
                iface.security_groups.dedup();
                iface.groups_certainty = iface.groups_certainty.max(certainty);
            }
            ep.group_sources.push(self.plan.entries[i].label());
            ep.group_sources.sort();
            ep.group_sources.dedup();
        }
    }

    fn eip(
        &mut self,
        i: usize,
        side: Side<'_>,
        instance_attr: &str,
        eni_attr: &str,
        s: &mut Snapshot,
    ) {
        let Some(target) = self.endpoint_of(i, side, instance_attr, eni_attr) else {
            return;
        };
        if let Some(ep) = s.endpoints.get_mut(&target) {
            for iface in &mut ep.interfaces {
                iface.public_ipv4 = Tri::Yes;
            }
            ep.public_ip_sources.push(self.plan.entries[i].label());
            ep.public_ip_sources.sort();
            ep.public_ip_sources.dedup();
        }
    }

    fn listener(&mut self, i: usize, e: &Entry<'_>, side: Side<'_>, s: &mut Snapshot, after: bool) {
        let label = e.label();
        let refs = self.plan.refs(
            i,
            side.key("load_balancer_arn"),
            "load_balancer_arn",
            Want::LoadBalancer,
            true,
            self.warnings,
        );
        let Some(lb) = refs.known().next() else {
            return;
        };
        let protocol = match side
            .key("protocol")
            .str()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("UDP") => UDP,
            _ => TCP,
        };
        let Some(port) = side.key("port").int().and_then(|p| u16::try_from(p).ok()) else {
            self.warnings.push(
                WarningKind::UnknownValue,
                Some(&label),
                "the listener port is known only after apply; the listener is left out",
            );
            return;
        };
        let mut targets = Vec::new();
        for action in side.key("default_action").items() {
            let mut groups: Vec<Side<'_>> = vec![action.key("target_group_arn")];
            for fwd in action.key("forward").items() {
                groups.extend(fwd.key("target_group").items().map(|t| t.key("arn")));
            }
            for g in groups {
                if g.str().is_none() && !g.is_unknown() {
                    continue;
                }
                let tgs = self.plan.refs(
                    i,
                    g,
                    "default_action",
                    Want::TargetGroup,
                    false,
                    self.warnings,
                );
                for tg in tgs.known() {
                    targets.extend(self.targets_of(&tg, after));
                }
            }
        }
        if let Some(ep) = s.endpoints.get_mut(&lb) {
            ep.listeners.push(Listener {
                protocol,
                port,
                targets,
                origin: Origin::new(label, ""),
            });
            ep.listeners.sort();
        }
    }

    /// (endpoint key, port) of every attachment to the target group `tg`.
    fn targets_of(&mut self, tg: &str, after: bool) -> Vec<(String, u16)> {
        let Some(g) = self.plan.entry_by_label(tg) else {
            return Vec::new();
        };
        let tg_port = {
            let sides = self.plan.entries[g].sides();
            sides
                .side(after)
                .and_then(|v| v.key("port").int())
                .and_then(|p| u16::try_from(p).ok())
        };
        if self.attachments.is_none() {
            self.attachments = Some(self.read_attachments(after));
        }
        let attachments = self.attachments.as_deref().unwrap_or_default();
        attachments
            .iter()
            .filter(|a| a.groups.iter().any(|k| k == tg))
            .filter_map(|a| Some((a, a.port.or(tg_port)?)))
            .flat_map(|(a, port)| a.targets.iter().map(move |t| (t.clone(), port)))
            .collect()
    }

    fn read_attachments(&mut self, after: bool) -> Vec<Attachment> {
        let mut out = Vec::new();
        for (j, e) in entries_of(self.plan, &ATTACHMENT_KINDS) {
            let sides = e.sides();
            let Some(a) = sides.side(after) else { continue };
            let groups = self.plan.refs(
                j,
                a.key("target_group_arn"),
                "target_group_arn",
                Want::TargetGroup,
                true,
                self.warnings,
            );
            let targets = self.plan.refs(
                j,
                a.key("target_id"),
                "target_id",
                Want::Instance,
                true,
                self.warnings,
            );
            out.push(Attachment {
                groups: groups.known().collect(),
                targets: targets.known().collect(),
                port: a.key("port").int().and_then(|p| u16::try_from(p).ok()),
            });
        }
        out
    }
}
