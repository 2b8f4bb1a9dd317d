//! Parse → delta on synthetic plans of growing size (see `data.rs`).
//!
//! Run with `cargo bench --bench end_to_end`; figures are in `docs/benchmarks.md`.

mod data;

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use reachdiff::delta::Delta;
use reachdiff::source::terraform_plan;
use reachdiff::warning::Warnings;

fn main() {
    divan::main();
}

/// Security groups per plan.
const SIZES: [usize; 3] = [100, 1_000, 10_000];

#[divan::bench(args = SIZES, sample_count = 10)]
fn parse_and_delta(bencher: Bencher<'_, '_>, groups: usize) {
    let plan = data::synthetic_plan(groups);
    bencher.counter(BytesCount::of_str(&plan)).bench(|| {
        let mut warnings = Warnings::new();
        let pair = terraform_plan::load(black_box(plan.as_bytes()), &mut warnings).unwrap();
        Delta::between(&pair)
    });
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn parse_only(bencher: Bencher<'_, '_>, groups: usize) {
    let plan = data::synthetic_plan(groups);
    bencher.counter(BytesCount::of_str(&plan)).bench(|| {
        let mut warnings = Warnings::new();
        terraform_plan::load(black_box(plan.as_bytes()), &mut warnings).unwrap()
    });
}
