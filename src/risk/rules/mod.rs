//! One file per risk rule; see [`super::registry`] for the order they are tried in.

pub mod access_widened;
pub mod admin_port_open_to_internet;
pub mod all_traffic_open;
pub mod database_reachable_from_internet;
pub mod egress_to_internet_opened;
pub mod exposure_reduced;
pub mod invariant_violated;
pub mod port_open_to_internet;
pub mod sensitive_port_open_to_external_network;
pub mod sensitive_port_open_to_internet;
pub mod service_cut_off;
