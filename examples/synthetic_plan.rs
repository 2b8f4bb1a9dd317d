//! Writes a synthetic Terraform plan to standard output, for measuring reachdiff on
//! large inputs: `cargo run --release --example synthetic_plan -- 40000 > big.json`.

#[path = "../benches/data.rs"]
mod data;

use std::io::Write;

fn main() {
    let groups = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let plan = data::synthetic_plan(groups);
    std::io::stdout()
        .write_all(plan.as_bytes())
        .expect("writing the plan to standard output");
}
