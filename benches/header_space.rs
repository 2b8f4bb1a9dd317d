//! The header-space algebra on realistic rule sets: building a security group's allowed
//! space from its rules, and the differences the delta takes.

use divan::{Bencher, black_box};
use reachdiff::header_space::{HeaderSpace, PeerSet, ServiceSet, v4_block};

fn main() {
    divan::main();
}

/// A group's rules: `n` rules, each a /24 on one TCP port range.
fn rules(n: usize, shift: usize) -> Vec<HeaderSpace> {
    (0..n)
        .map(|i| {
            let net = format!("10.{}.{}.0/24", (i + shift) % 256, i / 256)
                .parse()
                .unwrap();
            let port = u16::try_from(1000 + (i * 37) % 50_000).unwrap();
            HeaderSpace::product(
                &PeerSet::from_v4(v4_block(net)),
                &ServiceSet::ports(6, port, port + 10),
            )
        })
        .collect()
}

fn union_all(rules: &[HeaderSpace]) -> HeaderSpace {
    HeaderSpace::union_all(rules.iter().cloned())
}

/// Folding one rule at a time, for comparison with the balanced `union_all`.
#[divan::bench(args = [10, 60, 500])]
fn union_of_rules_folded(bencher: Bencher<'_, '_>, n: usize) {
    let r = rules(n, 0);
    bencher.bench(|| {
        black_box(&r)
            .iter()
            .fold(HeaderSpace::empty(), |acc, x| acc.union(x))
    });
}

#[divan::bench(args = [10, 60, 500])]
fn union_of_rules(bencher: Bencher<'_, '_>, n: usize) {
    let r = rules(n, 0);
    bencher.bench(|| union_all(black_box(&r)));
}

#[divan::bench(args = [10, 60, 500])]
fn difference_of_groups(bencher: Bencher<'_, '_>, n: usize) {
    let (a, b) = (union_all(&rules(n, 0)), union_all(&rules(n, 3)));
    bencher.bench(|| black_box(&a).difference(black_box(&b)));
}

#[divan::bench(args = [10, 60, 500])]
fn render_parts(bencher: Bencher<'_, '_>, n: usize) {
    let a = union_all(&rules(n, 0));
    bencher.bench(|| black_box(&a).parts());
}

/// A network ACL's first-match evaluation: what each of `n` entries decides.
#[divan::bench(args = [40, 500, 4000])]
fn first_match_of_entries(bencher: Bencher<'_, '_>, n: usize) {
    let r = rules(n, 0);
    bencher.bench(|| HeaderSpace::first_match(black_box(&r)));
}

/// The same by subtracting a running union entry by entry (what `NetworkAcl::allowed`
/// did before `first_match`), for comparison.
#[divan::bench(args = [40, 500, 4000])]
fn first_match_by_running_union(bencher: Bencher<'_, '_>, n: usize) {
    let r = rules(n, 0);
    bencher.bench(|| {
        let mut decided = HeaderSpace::empty();
        black_box(&r)
            .iter()
            .map(|s| {
                let fresh = s.difference(&decided);
                decided = decided.union(s);
                fresh
            })
            .collect::<Vec<_>>()
    });
}
