//! Endpoints of a template: what carries security groups or receives traffic, with its
//! subnets, groups and addresses — the `CloudFormation` side of
//! `terraform_plan::endpoints`, giving the same model objects.
//!
//! Reads `AWS::EC2::Instance` (with its `NetworkInterfaces`),
//! `AWS::EC2::NetworkInterface`, `AWS::EC2::EIP` and `AWS::EC2::EIPAssociation`,
//! `AWS::ElasticLoadBalancingV2::LoadBalancer` with its `Listener`s, `ListenerRule`s and
//! `TargetGroup`s (targets registered in the group, or by an ECS service's
//! `LoadBalancers`), `AWS::RDS::DBInstance` and `DBCluster` (through their
//! `DBSubnetGroup`), `AWS::ElastiCache::CacheCluster` and `ReplicationGroup` (through
//! their `SubnetGroup`), `AWS::Lambda::Function` (`VpcConfig`, sends only),
//! `AWS::ECS::Service` (`AwsvpcConfiguration`) and interface `AWS::EC2::VPCEndpoint`s.
//! Runs after the topology and security groups, whose subnets, VPCs and gateways give
//! defaults (public IP on launch, the VPC's default group, whether a database is public).
//! Database and cache ports are not modelled (as for plans): a database accepts what
//! its groups allow.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::super::intrinsics::Val;
use super::Builder;
use crate::header_space::service::{TCP, UDP};
use crate::model::{
    Certainty, Endpoint, EndpointKind, Interface, InterfaceFacts, Listener, Origin, Tri,
};
use crate::warning::WarningKind;

/// Security groups of an interface and whether the list is certain.
type Groups = (Vec<String>, Certainty);

impl Builder<'_, '_, '_> {
    /// The ids (and certainty) of the template's resources of one type.
    fn ids_of(&self, kind: &str) -> Vec<(String, Certainty)> {
        self.t
            .resources
            .iter()
            .filter(|(_, r)| r.kind == kind)
            .map(|(id, r)| (id.clone(), r.certainty))
            .collect()
    }

    fn is_kind(&self, key: &str, kind: &str) -> bool {
        self.t.resources.get(key).is_some_and(|r| r.kind == kind)
    }

    /// Builds every endpoint, then what changes them (addresses, listeners).
    pub(super) fn endpoints(&mut self) {
        for (id, c) in self.ids_of("AWS::EC2::NetworkInterface") {
            self.network_interface(&id, c);
        }
        for (id, c) in self.ids_of("AWS::EC2::Instance") {
            self.instance(&id, c);
        }
        for (id, c) in self.ids_of("AWS::ElasticLoadBalancingV2::LoadBalancer") {
            self.load_balancer(&id, c);
        }
        for (id, c) in self.ids_of("AWS::RDS::DBInstance") {
            self.database(&id, c);
        }
        for (id, c) in self.ids_of("AWS::RDS::DBCluster") {
            self.db_cluster(&id, c);
        }
        for kind in [
            "AWS::ElastiCache::CacheCluster",
            "AWS::ElastiCache::ReplicationGroup",
        ] {
            for (id, c) in self.ids_of(kind) {
                self.cache(&id, c);
            }
        }
        for (id, c) in self.ids_of("AWS::Lambda::Function") {
            self.function(&id, c);
        }
        for (id, c) in self.ids_of("AWS::ECS::Service") {
            self.container_service(&id, c);
        }
        for (id, c) in self.ids_of("AWS::EC2::VPCEndpoint") {
            self.vpc_endpoint(&id, c);
        }
        for (id, _) in self.ids_of("AWS::EC2::EIP") {
            self.eip(&id, &id, None, "InstanceId", "");
        }
        for (id, _) in self.ids_of("AWS::EC2::EIPAssociation") {
            let eip = ["AllocationId", "EIP"]
                .iter()
                .find_map(|p| match self.prop(&id, p) {
                    Some(Val::Res(k)) if self.is_kind(&k, "AWS::EC2::EIP") => Some(k),
                    _ => None,
                });
            self.eip(&id, &id, eip, "InstanceId", "NetworkInterfaceId");
        }
        let mut listeners = BTreeMap::new();
        for (id, _) in self.ids_of("AWS::ElasticLoadBalancingV2::Listener") {
            if let Some(lb) = self.listener(&id) {
                listeners.insert(id, lb);
            }
        }
        for (id, _) in self.ids_of("AWS::ElasticLoadBalancingV2::ListenerRule") {
            self.listener_rule(&id, &listeners);
        }
    }

    /// A list of references held by `v` (absent: none, certain).
    fn keys_in(&mut self, id: &str, what: &str, v: Option<&Val>, noun: &str) -> Groups {
        match v {
            None => (Vec::new(), Certainty::Definite),
            Some(v) => self.key_list(id, what, v, noun),
        }
    }

    /// Interfaces in `subnets` (one without a subnet when none is known), each with
    /// `groups`, or the VPC's default security group when the list is known to be empty
    /// and `default_group`.
    fn interfaces(
        &mut self,
        id: &str,
        subnets: &[String],
        groups: &Groups,
        default_group: bool,
        public_ipv4: Tri,
        ipv6: Tri,
    ) -> Vec<Interface> {
        let (interfaces, missing_default) = self.s.interfaces_in(InterfaceFacts {
            subnets,
            groups: (&groups.0, groups.1),
            default_group,
            public_ipv4,
            ipv6,
        });
        if missing_default {
            self.warn(
                WarningKind::UnresolvedReference,
                id,
                "launched without security groups, so AWS gives it its VPC's default group, which the template does not show; flows to it are possible",
            );
        }
        interfaces
    }

    fn insert(&mut self, mut ep: Endpoint, c: Certainty) {
        ep.tags = self.tags(&ep.key);
        if c == Certainty::Possible {
            for iface in &mut ep.interfaces {
                iface.groups_certainty = Certainty::Possible;
            }
        }
        self.s.endpoints.insert(ep.key.clone(), ep);
    }

    // --- Instances and network interfaces -------------------------------------------

    fn instance(&mut self, id: &str, c: Certainty) {
        let mut ep = Endpoint::new(id, EndpointKind::Instance);
        let nics = match self.prop(id, "NetworkInterfaces") {
            Some(Val::List(items)) if !items.is_empty() => items,
            _ => {
                let mut nic = BTreeMap::new();
                for (from, to) in [
                    ("SubnetId", "SubnetId"),
                    ("SecurityGroupIds", "GroupSet"),
                    ("SecurityGroups", "Names"),
                    ("PrivateIpAddress", "PrivateIpAddress"),
                ] {
                    if let Some(v) = self.prop(id, from) {
                        nic.insert(to.to_owned(), v);
                    }
                }
                vec![Val::Map(nic)]
            }
        };
        for nic in nics {
            if let Some(eni) = nic.get("NetworkInterfaceId") {
                // An interface of the template is an endpoint of its own; the instance
                // stands for it where it is named (Elastic IPs, targets).
                match eni {
                    Val::Res(k) if self.is_kind(k, "AWS::EC2::NetworkInterface") => {
                        let primary = nic.get("DeviceIndex").and_then(Val::int).unwrap_or(0) == 0;
                        if primary {
                            self.attached.insert(id.to_owned(), k.clone());
                        }
                    }
                    _ => self.warn(
                        WarningKind::UnsupportedResource,
                        id,
                        "an attached NetworkInterfaceId from outside the template is not followed; that interface is not modelled",
                    ),
                }
                continue;
            }
            let (subnet, sc) = match nic.get("SubnetId") {
                Some(v) => {
                    let (k, c) = self.key_of(id, "SubnetId", &v.clone(), "subnet");
                    (Some(k), c)
                }
                None => (None, Certainty::Definite),
            };
            let mut groups = (Vec::new(), c.max(sc));
            for field in ["GroupSet", "Names"] {
                if let Some(v) = nic.get(field) {
                    let (keys, gc) = self.key_list(id, field, &v.clone(), "security group");
                    groups.0.extend(keys);
                    groups.1 = groups.1.max(gc);
                }
            }
            let subnet_default = subnet
                .as_ref()
                .and_then(|s| self.s.subnets.get(s))
                .map_or(Tri::Unknown, |s| s.map_public_ip);
            let public_ipv4 = match nic.get("AssociatePublicIpAddress") {
                None => subnet_default,
                Some(v) => v.boolean().map_or(Tri::Unknown, Tri::from_bool),
            };
            let ipv6 = match nic
                .get("Ipv6AddressCount")
                .or_else(|| self.props.get(id).and_then(|p| p.get("Ipv6AddressCount")))
            {
                None => Tri::No,
                Some(v) => v.int().map_or(Tri::Unknown, |n| Tri::from_bool(n > 0)),
            };
            let subnets: Vec<String> = subnet.into_iter().collect();
            let mut iface = self.interfaces(id, &subnets, &groups, true, public_ipv4, ipv6);
            iface[0].private_ipv4 = private_ip(nic.get("PrivateIpAddress"));
            ep.interfaces.extend(iface);
        }
        if !ep.interfaces.is_empty() {
            self.insert(ep, Certainty::Definite);
        }
    }

    fn network_interface(&mut self, id: &str, c: Certainty) {
        let subnet = self.opt_key(id, "SubnetId", "subnet");
        let v = self.prop(id, "GroupSet");
        let mut groups = self.keys_in(id, "GroupSet", v.as_ref(), "security group");
        if let Some((_, sc)) = &subnet {
            groups.1 = groups.1.max(*sc);
        }
        let ipv6 = match (
            self.prop(id, "Ipv6AddressCount"),
            self.prop(id, "Ipv6Addresses"),
        ) {
            (_, Some(Val::List(a))) if !a.is_empty() => Tri::Yes,
            (Some(n), _) => n.int().map_or(Tri::Unknown, |n| Tri::from_bool(n > 0)),
            _ => Tri::No,
        };
        let subnets: Vec<String> = subnet.into_iter().map(|s| s.0).collect();
        let mut interfaces = self.interfaces(id, &subnets, &groups, true, Tri::No, ipv6);
        interfaces[0].private_ipv4 = private_ip(self.prop(id, "PrivateIpAddress").as_ref());
        self.insert(
            Endpoint::with_interfaces(id, EndpointKind::NetworkInterface, interfaces),
            c,
        );
    }

    /// The endpoint a reference to an instance or interface stands for: itself, or the
    /// template interface an instance is launched with.
    fn endpoint_key(&self, key: &str) -> Option<String> {
        if self.s.endpoints.contains_key(key) {
            return Some(key.to_owned());
        }
        self.attached
            .get(key)
            .filter(|k| self.s.endpoints.contains_key(*k))
            .cloned()
    }

    /// An Elastic IP (or its association, `id`) giving `InstanceId` or
    /// `NetworkInterfaceId` a public address.
    fn eip(&mut self, id: &str, source: &str, eip: Option<String>, instance: &str, eni: &str) {
        let target = [instance, eni]
            .into_iter()
            .filter(|p| !p.is_empty())
            .find_map(|p| self.prop(id, p));
        let Some(target) = target else { return };
        let key = match &target {
            Val::Res(k) => self.endpoint_key(k),
            _ => None,
        };
        let Some(key) = key else {
            if let Val::Res(_) | Val::Str(_) = target {
                // An instance outside the template: nothing here to give the address to.
                return;
            }
            self.warn(
                WarningKind::UnresolvedReference,
                id,
                format!(
                    "the instance or interface it gives a public address to cannot be resolved offline ({}); no endpoint gains it",
                    target.unknown_reason().unwrap_or_else(|| "it is not an id".into())
                ),
            );
            return;
        };
        if let Some(ep) = self.s.endpoints.get_mut(&key) {
            for iface in &mut ep.interfaces {
                iface.public_ipv4 = Tri::Yes;
            }
            ep.public_ip_sources.push(source.to_owned());
            ep.public_ip_sources.extend(eip);
            ep.public_ip_sources.sort();
            ep.public_ip_sources.dedup();
        }
    }

    // --- Load balancers -------------------------------------------------------------

    fn load_balancer(&mut self, id: &str, c: Certainty) {
        let kind = match self.prop(id, "Type").and_then(|v| v.text()).as_deref() {
            Some("network") => EndpointKind::NetworkLoadBalancer,
            Some("gateway") => EndpointKind::GatewayLoadBalancer,
            _ => EndpointKind::ApplicationLoadBalancer,
        };
        let v = self.prop(id, "Subnets");
        let (mut subnets, _) = self.keys_in(id, "Subnets", v.as_ref(), "subnet");
        let mut eip = false;
        if let Some(Val::List(maps)) = self.prop(id, "SubnetMappings") {
            for m in maps {
                if let Some(s) = m.get("SubnetId") {
                    subnets.push(self.key_of(id, "SubnetMappings", &s.clone(), "subnet").0);
                }
                eip |= m.get("AllocationId").is_some();
            }
        }
        subnets.sort();
        subnets.dedup();
        let v = self.prop(id, "SecurityGroups");
        let groups = self.keys_in(id, "SecurityGroups", v.as_ref(), "security group");
        let public = match self.prop(id, "Scheme") {
            None => Tri::Yes,
            Some(v) => match v.text().as_deref() {
                Some("internal") => Tri::No,
                Some("internet-facing") => Tri::Yes,
                _ => {
                    self.warn(
                        WarningKind::UnknownValue,
                        id,
                        "its Scheme is not known offline; it may be internet-facing",
                    );
                    Tri::Unknown
                }
            },
        };
        let public = if eip { Tri::Yes } else { public };
        let ipv6 = match self.prop(id, "IpAddressType") {
            None => Tri::No,
            Some(v) => v
                .text()
                .map_or(Tri::Unknown, |t| Tri::from_bool(t.starts_with("dualstack"))),
        };
        let alb = kind == EndpointKind::ApplicationLoadBalancer;
        // Network and gateway load balancers created without security groups filter
        // nothing; an application load balancer gets its VPC's default group.
        let unfiltered = !alb && groups.0.is_empty() && groups.1 == Certainty::Definite;
        let mut interfaces = self.interfaces(id, &subnets, &groups, alb, public, ipv6);
        if unfiltered {
            for iface in &mut interfaces {
                iface.filtered = false;
            }
        }
        self.insert(Endpoint::with_interfaces(id, kind, interfaces), c);
    }

    /// Reads a listener onto its load balancer; returns the load balancer's key.
    fn listener(&mut self, id: &str) -> Option<String> {
        let (lb, _) = self.opt_key(id, "LoadBalancerArn", "load balancer")?;
        if !self.s.endpoints.contains_key(&lb) {
            return None; // A load balancer outside the template.
        }
        let protocol = listener_protocol(self.prop(id, "Protocol").as_ref());
        let Some(port) = self
            .prop(id, "Port")
            .and_then(|p| p.int())
            .and_then(|p| u16::try_from(p).ok())
        else {
            self.warn(
                WarningKind::UnknownValue,
                id,
                "the listener port is not known offline; the listener is left out",
            );
            return None;
        };
        let actions = self.prop(id, "DefaultActions");
        let targets = self.forwarded(id, actions.as_ref());
        if let Some(ep) = self.s.endpoints.get_mut(&lb) {
            ep.listeners.push(Listener {
                protocol,
                port,
                targets,
                origin: Origin::new(id, ""),
            });
            ep.listeners.sort();
        }
        Some(lb)
    }

    /// A listener rule adds the targets of its forward actions to its listener.
    fn listener_rule(&mut self, id: &str, listeners: &BTreeMap<String, String>) {
        let Some((listener, _)) = self.opt_key(id, "ListenerArn", "listener") else {
            return;
        };
        let Some(lb) = listeners.get(&listener) else {
            return;
        };
        let actions = self.prop(id, "Actions");
        let targets = self.forwarded(id, actions.as_ref());
        if let Some(l) = self.s.endpoints.get_mut(lb).and_then(|ep| {
            ep.listeners
                .iter_mut()
                .find(|l| l.origin.resource == listener)
        }) {
            l.targets.extend(targets);
            l.targets.sort();
            l.targets.dedup();
        }
    }

    /// The (endpoint, port) pairs the forward actions of `actions` send to.
    fn forwarded(&mut self, id: &str, actions: Option<&Val>) -> Vec<(String, u16)> {
        let Some(Val::List(actions)) = actions else {
            return Vec::new();
        };
        let mut groups = Vec::new();
        for a in actions {
            groups.extend(a.get("TargetGroupArn").cloned());
            if let Some(Val::List(tgs)) = a.get("ForwardConfig").and_then(|f| f.get("TargetGroups"))
            {
                groups.extend(tgs.iter().filter_map(|t| t.get("TargetGroupArn")).cloned());
            }
        }
        let mut out = Vec::new();
        for g in groups {
            let (tg, c) = self.key_of(id, "TargetGroupArn", &g, "target group");
            if c == Certainty::Definite {
                out.extend(self.targets_of(&tg));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The targets of a template target group: its `Targets` (instances, or addresses
    /// of template endpoints) and the ECS services that register with it.
    fn targets_of(&mut self, tg: &str) -> Vec<(String, u16)> {
        if !self.is_kind(tg, "AWS::ElasticLoadBalancingV2::TargetGroup") {
            return Vec::new();
        }
        let tg_port = self
            .prop(tg, "Port")
            .and_then(|p| p.int())
            .and_then(|p| u16::try_from(p).ok());
        let kind = self
            .prop(tg, "TargetType")
            .and_then(|v| v.text())
            .unwrap_or_else(|| "instance".into());
        let mut out = Vec::new();
        if let Some(Val::List(targets)) = self.prop(tg, "Targets") {
            for t in targets {
                let port = t
                    .get("Port")
                    .and_then(Val::int)
                    .and_then(|p| u16::try_from(p).ok())
                    .or(tg_port);
                let key = match (kind.as_str(), t.get("Id")) {
                    ("instance", Some(Val::Res(k))) => self.endpoint_key(k),
                    ("ip", Some(v)) => v
                        .text()
                        .and_then(|a| a.parse::<Ipv4Addr>().ok())
                        .and_then(|a| self.endpoint_with_address(a)),
                    _ => None,
                };
                if let (Some(key), Some(port)) = (key, port) {
                    out.push((key, port));
                }
            }
        }
        for (svc, _) in self.ids_of("AWS::ECS::Service") {
            let Some(Val::List(lbs)) = self.prop(&svc, "LoadBalancers") else {
                continue;
            };
            for l in lbs {
                let to_tg = l.get("TargetGroupArn") == Some(&Val::Res(tg.to_owned()));
                let port = l
                    .get("ContainerPort")
                    .and_then(Val::int)
                    .and_then(|p| u16::try_from(p).ok());
                if let (true, Some(port), true) = (to_tg, port, self.s.endpoints.contains_key(&svc))
                {
                    out.push((svc.clone(), port));
                }
            }
        }
        out
    }

    fn endpoint_with_address(&self, a: Ipv4Addr) -> Option<String> {
        self.s
            .endpoints
            .values()
            .find(|ep| ep.interfaces.iter().any(|i| i.private_ipv4 == Some(a)))
            .map(|ep| ep.key.clone())
    }

    // --- Databases and caches -------------------------------------------------------

    /// The subnets of the subnet group a resource names in `prop`: a template
    /// `group_kind`, or one found by its `name_prop`.
    fn subnet_group(
        &mut self,
        id: &str,
        prop: &str,
        group_kind: &str,
        name_prop: &str,
    ) -> Vec<String> {
        let group = match self.prop(id, prop) {
            Some(Val::Res(k)) if self.is_kind(&k, group_kind) => Some(k),
            Some(v) => v.text().and_then(|name| {
                self.ids_of(group_kind)
                    .into_iter()
                    .map(|(g, _)| g)
                    .find(|g| {
                        self.prop(g, name_prop)
                            .and_then(|n| n.text())
                            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    })
            }),
            None => None,
        };
        let Some(group) = group else {
            return Vec::new();
        };
        let v = self.prop(&group, "SubnetIds");
        self.keys_in(&group, "SubnetIds", v.as_ref(), "subnet").0
    }

    /// Whether a database in `subnets` is public: `PubliclyAccessible`, else (the API's
    /// default) whether their VPC has an internet gateway attached.
    fn publicly_accessible(&mut self, id: &str, subnets: &[String]) -> Tri {
        if let Some(v) = self.prop(id, "PubliclyAccessible") {
            return v.boolean().map_or(Tri::Unknown, Tri::from_bool);
        }
        let vpc = subnets
            .iter()
            .find_map(|s| self.s.subnets.get(s).and_then(|s| s.vpc.clone()));
        let Some(vpc) = vpc.filter(|v| self.s.vpcs.contains_key(v)) else {
            self.warn(
                WarningKind::UnknownValue,
                id,
                "PubliclyAccessible is not set and its VPC is not in the template; AWS makes it public when that VPC has an internet gateway",
            );
            return Tri::Unknown;
        };
        self.s
            .gateways
            .values()
            .filter(|g| !g.egress_only && g.vpc.as_deref() == Some(vpc.as_str()))
            .map(|g| g.attached)
            .max_by_key(|t| match t {
                Tri::No => 0,
                Tri::Unknown => 1,
                Tri::Yes => 2,
            })
            .unwrap_or(Tri::No)
    }

    /// The template cluster a database instance is a member of.
    fn cluster_of(&self, id: &str) -> Option<String> {
        match self.prop(id, "DBClusterIdentifier")? {
            Val::Res(k) if self.is_kind(&k, "AWS::RDS::DBCluster") => Some(k),
            v => v.text().and_then(|name| {
                self.ids_of("AWS::RDS::DBCluster")
                    .into_iter()
                    .map(|(k, _)| k)
                    .find(|k| {
                        self.prop(k, "DBClusterIdentifier")
                            .and_then(|n| n.text())
                            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    })
            }),
        }
    }

    fn database(&mut self, id: &str, c: Certainty) {
        let cluster = self.cluster_of(id);
        // A cluster member is placed by its cluster.
        let (placed_by, groups_prop) = match &cluster {
            Some(k) => (k.clone(), "VpcSecurityGroupIds"),
            None => (id.to_owned(), "VPCSecurityGroups"),
        };
        if cluster.is_none() && self.prop(id, "DBClusterIdentifier").is_some() {
            self.warn(
                WarningKind::UnresolvedReference,
                id,
                "its cluster is not in the template, so its security groups and subnets are unknown; it is left out",
            );
            return;
        }
        let subnets = self.subnet_group(
            &placed_by,
            "DBSubnetGroupName",
            "AWS::RDS::DBSubnetGroup",
            "DBSubnetGroupName",
        );
        let v = self.prop(&placed_by, groups_prop);
        let groups = self.keys_in(&placed_by, groups_prop, v.as_ref(), "security group");
        let public = self.publicly_accessible(id, &subnets);
        let interfaces = self.interfaces(id, &subnets, &groups, true, public, Tri::No);
        self.insert(
            Endpoint::with_interfaces(id, EndpointKind::Database, interfaces),
            c,
        );
    }

    /// A cluster is an endpoint of its own only when no instance of the template is
    /// its member (a Multi-AZ DB cluster declares none).
    fn db_cluster(&mut self, id: &str, c: Certainty) {
        let has_members = self
            .ids_of("AWS::RDS::DBInstance")
            .iter()
            .any(|(i, _)| self.cluster_of(i).as_deref() == Some(id));
        if has_members {
            return;
        }
        let subnets = self.subnet_group(
            id,
            "DBSubnetGroupName",
            "AWS::RDS::DBSubnetGroup",
            "DBSubnetGroupName",
        );
        let v = self.prop(id, "VpcSecurityGroupIds");
        let groups = self.keys_in(id, "VpcSecurityGroupIds", v.as_ref(), "security group");
        let public = self.publicly_accessible(id, &subnets);
        let interfaces = self.interfaces(id, &subnets, &groups, true, public, Tri::No);
        self.insert(
            Endpoint::with_interfaces(id, EndpointKind::Database, interfaces),
            c,
        );
    }

    fn cache(&mut self, id: &str, c: Certainty) {
        let subnets = self.subnet_group(
            id,
            "CacheSubnetGroupName",
            "AWS::ElastiCache::SubnetGroup",
            "CacheSubnetGroupName",
        );
        let prop = if self.is_kind(id, "AWS::ElastiCache::CacheCluster") {
            "VpcSecurityGroupIds"
        } else {
            "SecurityGroupIds"
        };
        let v = self.prop(id, prop);
        let groups = self.keys_in(id, prop, v.as_ref(), "security group");
        // Caches never have public addresses.
        let interfaces = self.interfaces(id, &subnets, &groups, true, Tri::No, Tri::No);
        self.insert(
            Endpoint::with_interfaces(id, EndpointKind::Cache, interfaces),
            c,
        );
    }

    // --- Functions, services, VPC endpoints -----------------------------------------

    /// An endpoint whose subnets and groups sit in one nested block (`block` holds
    /// `subnets` and `groups`); `None` when it is not in a VPC.
    fn in_vpc(
        &mut self,
        id: &str,
        kind: EndpointKind,
        block: &Val,
        [subnets_prop, groups_prop]: [&str; 2],
        public: Tri,
    ) -> Option<Endpoint> {
        let (subnets, _) = self.keys_in(id, subnets_prop, block.get(subnets_prop), "subnet");
        if subnets.is_empty() {
            return None;
        }
        let groups = self.keys_in(id, groups_prop, block.get(groups_prop), "security group");
        let function = kind == EndpointKind::Function;
        let mut ep = Endpoint::new(id, kind);
        ep.accepts = !function;
        ep.interfaces = self.interfaces(id, &subnets, &groups, !function, public, Tri::No);
        Some(ep)
    }

    fn function(&mut self, id: &str, c: Certainty) {
        let Some(config) = self.prop(id, "VpcConfig") else {
            return;
        };
        let ep = self.in_vpc(
            id,
            EndpointKind::Function,
            &config,
            ["SubnetIds", "SecurityGroupIds"],
            Tri::No,
        );
        if let Some(ep) = ep {
            self.insert(ep, c);
        }
    }

    fn container_service(&mut self, id: &str, c: Certainty) {
        let Some(config) = self
            .prop(id, "NetworkConfiguration")
            .and_then(|n| n.get("AwsvpcConfiguration").cloned())
        else {
            return; // Bridge or host networking: the container instances carry it.
        };
        let public = match config.get("AssignPublicIp") {
            None => Tri::No,
            Some(v) => match v.text().as_deref() {
                Some("ENABLED") => Tri::Yes,
                Some("DISABLED") => Tri::No,
                _ => Tri::Unknown,
            },
        };
        let ep = self.in_vpc(
            id,
            EndpointKind::ContainerService,
            &config,
            ["Subnets", "SecurityGroups"],
            public,
        );
        if let Some(ep) = ep {
            self.insert(ep, c);
        }
    }

    fn vpc_endpoint(&mut self, id: &str, c: Certainty) {
        // Gateway endpoints (the default type) are routes, not interfaces.
        let kind = self.prop(id, "VpcEndpointType").and_then(|v| v.text());
        if kind.as_deref() != Some("Interface") {
            return;
        }
        let props = self.props.get(id).cloned().unwrap_or(Val::Null);
        let ep = self.in_vpc(
            id,
            EndpointKind::VpcEndpoint,
            &props,
            ["SubnetIds", "SecurityGroupIds"],
            Tri::No,
        );
        if let Some(ep) = ep {
            self.insert(ep, c);
        }
    }
}

fn private_ip(v: Option<&Val>) -> Option<Ipv4Addr> {
    v.and_then(Val::text).and_then(|a| a.parse().ok())
}

/// A listener's IP protocol: UDP for `UDP`, TCP for everything else (HTTP, HTTPS, TLS,
/// TCP; `TCP_UDP` is read as TCP).
fn listener_protocol(v: Option<&Val>) -> u8 {
    match v
        .and_then(Val::text)
        .map(|p| p.to_ascii_uppercase())
        .as_deref()
    {
        Some("UDP") => UDP,
        _ => TCP,
    }
}
