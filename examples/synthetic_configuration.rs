//! Writes a synthetic Terraform configuration tree (two, before and after, when asked),
//! for measuring reachdiff on large configurations:
//! `cargo run --release --example synthetic_configuration -- 120 /tmp/tree` writes
//! `/tmp/tree/before` and `/tmp/tree/after`, about 2,000 resources each.

#[path = "../benches/data.rs"]
mod data;

fn main() {
    let mut args = std::env::args().skip(1);
    let tiers = args.next().and_then(|a| a.parse().ok()).unwrap_or(120);
    let root = std::path::PathBuf::from(args.next().unwrap_or_else(|| "synthetic-tree".into()));
    for (side, widened) in [("before", false), ("after", true)] {
        for (path, text) in data::synthetic_configuration(tiers, widened) {
            let path = root.join(side).join(path);
            std::fs::create_dir_all(path.parent().expect("a file path has a parent"))
                .expect("creating the tree's directories");
            std::fs::write(&path, text).expect("writing a file of the tree");
        }
    }
}
