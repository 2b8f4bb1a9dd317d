//! Writes the worst-case plan of `benches/worst_case.rs` (every instance in its own
//! security group, groups referencing each other, shared subnets with network ACLs) as
//! `terraform show -json` writes it, and optionally the configuration it comes from:
//!
//! ```sh
//! cargo run --release --example worst_case_plan -- 1500 > big.json          # created
//! cargo run --release --example worst_case_plan -- 10000 update > big.json  # changed
//! cargo run --release --example worst_case_plan -- 1500 create infra/ > big.json
//! ```
//!
//! Arguments: instances (default 1,500), `create` or `update` (default `create`), and a
//! directory to write `main.tf` into (for `reachdiff plan big.json --source infra/`).
//! There are 100 subnets, or one per 15 instances when that is fewer.

#[path = "../benches/worst_case.rs"]
mod worst_case;

use std::io::Write;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let instances: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_500);
    let shape = match args.get(1).map(String::as_str) {
        None | Some("create") => worst_case::Shape::Create,
        Some("update") => worst_case::Shape::Update,
        Some(other) => {
            return Err(format!(
                "unknown shape `{other}`: give `create` or `update`"
            ));
        }
    };
    let subnets = (instances / 15).clamp(1, 100);
    if let Some(dir) = args.get(2) {
        std::fs::create_dir_all(dir).expect("creating the configuration directory");
        std::fs::write(
            std::path::Path::new(dir).join("main.tf"),
            worst_case::configuration(instances, subnets),
        )
        .expect("writing main.tf");
    }
    std::io::stdout()
        .write_all(worst_case::plan(instances, subnets, shape).as_bytes())
        .expect("writing the plan to standard output");
    Ok(())
}
