//! Parse → delta → risk on synthetic plans of growing size (see `data.rs`).
//!
//! Run with `cargo bench --bench end_to_end`; figures are in `docs/benchmarks.md`.

mod data;
mod worst_case;

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use reachdiff::delta::Delta;
use reachdiff::reach::Assumptions;
use reachdiff::risk::date::Date;
use reachdiff::risk::policy::Policy;
use reachdiff::risk::{self, Settings, Severity};
use reachdiff::source::terraform_plan;
use reachdiff::warning::Warnings;

fn main() {
    divan::main();
}

/// (instances, shape) of the worst case (`worst_case.rs`): every instance in its own
/// group, groups referencing each other, shared subnets with network ACLs.
const WORST: [(usize, worst_case::Shape); 4] = [
    (1_500, worst_case::Shape::Create),
    (1_500, worst_case::Shape::Update),
    (10_000, worst_case::Shape::Create),
    (10_000, worst_case::Shape::Update),
];

/// The worst case end to end as the binary runs it, but for writing: read the plan,
/// both levels of the delta, and risk.
#[divan::bench(args = WORST, sample_count = 3)]
fn worst_case(bencher: Bencher<'_, '_>, (instances, shape): (usize, worst_case::Shape)) {
    let subnets = (instances / 15).clamp(1, 100);
    let plan = worst_case::plan(instances, subnets, shape);
    bencher.counter(BytesCount::of_str(&plan)).bench(|| {
        let mut warnings = Warnings::new();
        let pair = terraform_plan::load(black_box(plan.as_bytes()), &mut warnings).unwrap();
        let delta = Delta::between(&pair);
        assess_delta(&pair, delta)
    });
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

/// (instances, distinct configurations)
const FLEETS: [(usize, usize); 3] = [(1_000, 20), (10_000, 200), (10_000, 1_000)];

/// Endpoint reachability and the delta of both levels, on a plan already read.
#[divan::bench(args = FLEETS, sample_count = 5)]
fn reach_and_delta(bencher: Bencher<'_, '_>, (instances, configs): (usize, usize)) {
    let plan = data::synthetic_fleet(instances, configs);
    let mut warnings = Warnings::new();
    let pair = terraform_plan::load(plan.as_bytes(), &mut warnings).unwrap();
    bencher.bench(|| Delta::between(black_box(&pair)));
}

/// Risk on a delta already computed: scoring every change (default policy).
#[divan::bench(args = FLEETS, sample_count = 5)]
fn assess(bencher: Bencher<'_, '_>, (instances, configs): (usize, usize)) {
    bench_assess(bencher, &data::synthetic_fleet(instances, configs));
}

/// Risk on the security-group plans: rule-level changes only.
#[divan::bench(args = SIZES, sample_count = 10)]
fn assess_rules(bencher: Bencher<'_, '_>, groups: usize) {
    bench_assess(bencher, &data::synthetic_plan(groups));
}

fn bench_assess(bencher: Bencher<'_, '_>, plan: &str) {
    let mut warnings = Warnings::new();
    let pair = terraform_plan::load(plan.as_bytes(), &mut warnings).unwrap();
    let delta = Delta::between(&pair);
    bencher
        .with_inputs(|| delta.clone())
        .bench_values(|d| assess_delta(black_box(&pair), d));
}

/// Risk with the default policy and `--fail-on high`.
fn assess_delta(pair: &reachdiff::source::SnapshotPair, delta: Delta) -> (Delta, risk::Assessment) {
    let policy = Policy::default();
    let assumptions = Assumptions::default();
    let settings = Settings {
        policy: &policy,
        fail_on: Some(Severity::High),
        fail_on_unknown: false,
        today: Date::from_days(20_000),
        assumptions: &assumptions,
    };
    risk::assess(delta, pair, &settings, &mut Warnings::new())
}

/// Security groups per synthetic `CloudFormation` template.
const TEMPLATE_SIZES: [usize; 3] = [100, 1_000, 5_000];

/// `reachdiff diff`'s work on two templates: read both, resolve, compare.
#[divan::bench(args = TEMPLATE_SIZES, sample_count = 5)]
fn template_diff(bencher: Bencher<'_, '_>, groups: usize) {
    let (before, after) = (
        data::synthetic_template(groups, false),
        data::synthetic_template(groups, true),
    );
    bencher.counter(BytesCount::of_str(&after)).bench(|| {
        let mut warnings = Warnings::new();
        let pair = reachdiff::source::cloudformation::load_pair(
            black_box(before.as_bytes()),
            black_box(after.as_bytes()),
            &std::collections::BTreeMap::new(),
            &reachdiff::source::context::Context::default(),
            &mut warnings,
        )
        .unwrap();
        Delta::between(&pair)
    });
}

/// Tiers of the synthetic configuration tree (about 17 resources each: 120 tiers are
/// about 2,000 resources).
const CONFIG_TIERS: [usize; 2] = [12, 120];

/// Writes a synthetic configuration tree under the system's temporary directory.
fn write_tree(name: &str, files: &[(String, String)]) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("reachdiff-bench-{}-{name}", std::process::id()));
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    root
}

/// Reading two configuration trees with local modules: evaluate both, synthesize the
/// plan, read it into snapshots (no reachability).
#[divan::bench(args = CONFIG_TIERS, sample_count = 5)]
fn configuration_read(bencher: Bencher<'_, '_>, tiers: usize) {
    let before = write_tree(
        &format!("{tiers}-read-before"),
        &data::synthetic_configuration(tiers, false),
    );
    let after = write_tree(
        &format!("{tiers}-read-after"),
        &data::synthetic_configuration(tiers, true),
    );
    bencher.bench(|| {
        let mut warnings = Warnings::new();
        reachdiff::source::load_diff(
            &reachdiff::source::Side::Path(before.clone()),
            &reachdiff::source::Side::Path(after.clone()),
            &reachdiff::source::LoadOptions::default(),
            &mut warnings,
        )
        .unwrap()
    });
    let _ = std::fs::remove_dir_all(before);
    let _ = std::fs::remove_dir_all(after);
}

/// `reachdiff diff before/ after/` on two configuration trees with local modules:
/// read and evaluate both, synthesize the plan, read it, compare (rules and every
/// endpoint pair).
#[divan::bench(args = CONFIG_TIERS, sample_count = 5)]
fn configuration_diff(bencher: Bencher<'_, '_>, tiers: usize) {
    let before = write_tree(
        &format!("{tiers}-before"),
        &data::synthetic_configuration(tiers, false),
    );
    let after = write_tree(
        &format!("{tiers}-after"),
        &data::synthetic_configuration(tiers, true),
    );
    bencher.bench(|| {
        let mut warnings = Warnings::new();
        let (_, pair) = reachdiff::source::load_diff(
            &reachdiff::source::Side::Path(before.clone()),
            &reachdiff::source::Side::Path(after.clone()),
            &reachdiff::source::LoadOptions::default(),
            &mut warnings,
        )
        .unwrap();
        Delta::between(&pair)
    });
    let _ = std::fs::remove_dir_all(before);
    let _ = std::fs::remove_dir_all(after);
}
