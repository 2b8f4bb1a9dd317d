//! One file per risk rule; see [`super::registry`] for the order they are tried in.

pub mod access_widened;
pub mod admin_port_open_to_internet;
pub mod all_traffic_open;
pub mod database_reachable_from_internet;
pub mod default_security_group_has_rules;
pub mod default_security_group_in_use;
pub mod egress_to_internet_opened;
pub mod exposure_reduced;
pub mod ingress_from_whole_vpc;
pub mod invariant_violated;
pub mod nacl_duplicate_rule_number;
pub mod nacl_rule_shadowed;
pub mod port_open_to_internet;
pub mod security_group_rule_redundant;
pub mod sensitive_port_open_to_external_network;
pub mod sensitive_port_open_to_internet;
pub mod service_cut_off;
pub mod too_many_rules;
pub mod too_many_security_groups;
