//! Symbolic identities: the ids and ARNs a resource will have once created, named after
//! its address so that two configurations agree on them.
//!
//! `symbolic("aws_security_group", "aws_security_group.web", "id")` is
//! `sg-aws_security_group.web` on both sides of a change, so a rule that points at the
//! group resolves to the same group before and after. Not real AWS ids, and not for any
//! attribute but the identity ones listed in [`symbolic`].

/// The symbolic value of the identity attribute `attr` of resource `address` of type
/// `kind` (a data source's address starts with `data.`), or `None` when `attr` is not an
/// identity attribute of that type.
#[must_use]
pub fn symbolic(kind: &str, address: &str, attr: &str) -> Option<String> {
    let arn = || format!("arn:aws:reachdiff:::{address}");
    match attr {
        "arn" => Some(arn()),
        "id" => Some(match id_prefix(kind) {
            Some(prefix) => format!("{prefix}{address}"),
            None if is_load_balancer(kind) => arn(),
            None => format!("tf-{address}"),
        }),
        "primary_network_interface_id" if kind == "aws_instance" => {
            Some(format!("eni-{address}.primary"))
        }
        // What the plan reader calls a VPC's default objects when their ids are
        // unknown, so that both read the same (`aws_vpc.main.default_security_group_id`).
        "default_security_group_id" | "default_network_acl_id" | "main_route_table_id"
            if is_vpc(kind) =>
        {
            Some(format!("{address}.{attr}"))
        }
        _ => None,
    }
}

/// The identity attributes of a resource type, in the order they are added to values.
#[must_use]
pub(crate) fn attributes(kind: &str) -> &'static [&'static str] {
    if kind == "aws_instance" {
        &["arn", "id", "primary_network_interface_id"]
    } else if is_vpc(kind) {
        &[
            "arn",
            "default_network_acl_id",
            "default_security_group_id",
            "id",
            "main_route_table_id",
        ]
    } else {
        &["arn", "id"]
    }
}

fn is_vpc(kind: &str) -> bool {
    matches!(kind, "aws_vpc" | "aws_default_vpc")
}

fn is_load_balancer(kind: &str) -> bool {
    matches!(
        kind,
        "aws_lb"
            | "aws_alb"
            | "aws_lb_target_group"
            | "aws_alb_target_group"
            | "aws_lb_listener"
            | "aws_alb_listener"
    )
}

fn id_prefix(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "aws_vpc" | "aws_default_vpc" => "vpc-",
        "aws_subnet" | "aws_default_subnet" => "subnet-",
        "aws_security_group" | "aws_default_security_group" => "sg-",
        "aws_network_acl" | "aws_default_network_acl" => "acl-",
        "aws_route_table" | "aws_default_route_table" => "rtb-",
        "aws_internet_gateway" => "igw-",
        "aws_egress_only_internet_gateway" => "eigw-",
        "aws_nat_gateway" => "nat-",
        "aws_instance" => "i-",
        "aws_network_interface" => "eni-",
        "aws_eip" => "eipalloc-",
        "aws_ec2_managed_prefix_list" => "pl-",
        "aws_vpc_endpoint" => "vpce-",
        "aws_vpc_peering_connection" => "pcx-",
        "aws_ec2_transit_gateway" => "tgw-",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::symbolic;

    #[test]
    fn ids_by_type() {
        let id = |k: &str, a: &str| symbolic(k, a, "id").unwrap_or_default();
        assert_eq!(
            id("aws_security_group", "aws_security_group.web"),
            "sg-aws_security_group.web"
        );
        assert_eq!(
            id("aws_vpc", "module.a[\"x\"].aws_vpc.main"),
            "vpc-module.a[\"x\"].aws_vpc.main"
        );
        assert_eq!(
            id("aws_lb", "aws_lb.front"),
            "arn:aws:reachdiff:::aws_lb.front"
        );
        assert_eq!(id("aws_s3_bucket", "aws_s3_bucket.b"), "tf-aws_s3_bucket.b");
        assert_eq!(
            id("aws_security_group", "data.aws_security_group.x"),
            "sg-data.aws_security_group.x"
        );
        assert_eq!(
            symbolic("aws_s3_bucket", "aws_s3_bucket.b", "arn").as_deref(),
            Some("arn:aws:reachdiff:::aws_s3_bucket.b")
        );
        assert_eq!(
            symbolic(
                "aws_instance",
                "aws_instance.a",
                "primary_network_interface_id"
            )
            .as_deref(),
            Some("eni-aws_instance.a.primary")
        );
        assert_eq!(
            symbolic("aws_vpc", "aws_vpc.m", "main_route_table_id").as_deref(),
            Some("aws_vpc.m.main_route_table_id")
        );
        assert_eq!(
            symbolic("aws_vpc", "aws_vpc.m", "default_security_group_id").as_deref(),
            Some("aws_vpc.m.default_security_group_id")
        );
        assert_eq!(
            symbolic("aws_vpc", "aws_vpc.m", "default_network_acl_id").as_deref(),
            Some("aws_vpc.m.default_network_acl_id")
        );
        assert_eq!(
            symbolic("aws_instance", "aws_instance.a", "private_ip"),
            None
        );
    }
}
