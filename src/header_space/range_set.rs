//! Sets of integers stored as sorted, disjoint, non-adjacent inclusive ranges.
//!
//! The one building block of every dimension of a [`HeaderSpace`](super::HeaderSpace):
//! IPv4 addresses (`u32`), IPv6 addresses (`u128`) and encoded services (`u32`).
//! Because the representation is canonical (ranges sorted, never overlapping and
//! never touching), two sets are equal exactly when their range lists are equal.

use std::fmt;

/// An integer type a [`RangeSet`] can hold.
pub trait Point: Copy + Ord + fmt::Debug + std::hash::Hash {
    /// The smallest value.
    const MIN: Self;
    /// The largest value.
    const MAX: Self;
    /// `self + 1`; never called on [`Point::MAX`].
    #[must_use]
    fn succ(self) -> Self;
    /// `self - 1`; never called on [`Point::MIN`].
    #[must_use]
    fn pred(self) -> Self;
}

macro_rules! impl_point {
    ($($t:ty),*) => {$(
        impl Point for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Self { self + 1 }
            fn pred(self) -> Self { self - 1 }
        }
    )*};
}
impl_point!(u8, u16, u32, u128);

/// A set of integers in canonical form: sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RangeSet<T: Point> {
    ranges: Vec<(T, T)>,
}

impl<T: Point> Default for RangeSet<T> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: Point> fmt::Debug for RangeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.ranges.iter().map(|(lo, hi)| lo..=hi))
            .finish()
    }
}

impl<T: Point> RangeSet<T> {
    /// The empty set.
    #[must_use]
    pub const fn empty() -> Self {
        Self { ranges: Vec::new() }
    }

    /// Every value of `T`.
    #[must_use]
    pub fn full() -> Self {
        Self::range(T::MIN, T::MAX)
    }

    /// The values `lo..=hi`; empty when `lo > hi`.
    #[must_use]
    pub fn range(lo: T, hi: T) -> Self {
        if lo > hi {
            Self::empty()
        } else {
            Self {
                ranges: vec![(lo, hi)],
            }
        }
    }

    /// Builds a set from arbitrary (possibly overlapping, unsorted) inclusive ranges.
    #[must_use]
    pub fn from_ranges(ranges: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut v: Vec<(T, T)> = ranges.into_iter().filter(|(lo, hi)| lo <= hi).collect();
        v.sort_unstable();
        let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            push_coalescing(&mut out, lo, hi);
        }
        Self { ranges: out }
    }

    /// The canonical ranges, ascending.
    #[must_use]
    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    /// `true` when the set holds no value.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// `true` when the set holds every value of `T`.
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.ranges.len() == 1 && self.ranges[0] == (T::MIN, T::MAX)
    }

    /// `true` when `p` is in the set.
    #[must_use]
    pub fn contains(&self, p: T) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < p);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= p)
    }

    /// The union of `self` and `other`.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        let mut out = Vec::with_capacity(self.ranges.len() + other.ranges.len());
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() || j < other.ranges.len() {
            let take_self = match (self.ranges.get(i), other.ranges.get(j)) {
                (Some(a), Some(b)) => a.0 <= b.0,
                (Some(_), None) => true,
                _ => false,
            };
            let (lo, hi) = if take_self {
                i += 1;
                self.ranges[i - 1]
            } else {
                j += 1;
                other.ranges[j - 1]
            };
            push_coalescing(&mut out, lo, hi);
        }
        Self { ranges: out }
    }

    /// The values in both `self` and `other`.
    #[must_use]
    pub fn intersection(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(&(alo, ahi)), Some(&(blo, bhi))) = (self.ranges.get(i), other.ranges.get(j))
        {
            let lo = alo.max(blo);
            let hi = ahi.min(bhi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if ahi < bhi {
                i += 1;
            } else {
                j += 1;
            }
        }
        Self { ranges: out }
    }

    /// The values in `self` but not in `other`.
    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        if other.is_empty() || self.is_empty() {
            return self.clone();
        }
        let mut out = Vec::new();
        let mut j = 0;
        for &(lo, hi) in &self.ranges {
            let mut cur = lo;
            let mut done = false;
            // Skip ranges of `other` entirely below `cur`.
            while j < other.ranges.len() && other.ranges[j].1 < cur {
                j += 1;
            }
            let mut k = j;
            while let Some(&(blo, bhi)) = other.ranges.get(k) {
                if blo > hi {
                    break;
                }
                if blo > cur {
                    out.push((cur, blo.pred()));
                }
                if bhi >= hi {
                    done = true;
                    break;
                }
                cur = bhi.succ();
                k += 1;
            }
            if !done {
                out.push((cur, hi));
            }
        }
        Self { ranges: out }
    }

    /// Every value of `T` not in `self`.
    #[must_use]
    pub fn complement(&self) -> Self {
        Self::full().difference(self)
    }

    /// `true` when every value of `self` is in `other`: each range lies inside one
    /// range of `other` (canonical ranges never touch), found by binary search, with
    /// no allocation.
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool {
        self.ranges.iter().all(|&(lo, hi)| {
            let i = other.ranges.partition_point(|&(_, ohi)| ohi < lo);
            other
                .ranges
                .get(i)
                .is_some_and(|&(olo, ohi)| olo <= lo && hi <= ohi)
        })
    }

    /// The smallest and largest values, when not empty.
    #[must_use]
    pub fn bounds(&self) -> Option<(T, T)> {
        Some((self.ranges.first()?.0, self.ranges.last()?.1))
    }

    /// `true` when `self` and `other` share a value.
    #[must_use]
    pub fn intersects(&self, other: &Self) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(&(alo, ahi)), Some(&(blo, bhi))) = (self.ranges.get(i), other.ranges.get(j))
        {
            if alo.max(blo) <= ahi.min(bhi) {
                return true;
            }
            if ahi < bhi {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }
}

/// Appends `lo..=hi` (with `lo` ≥ every earlier start) merging with the last range when
/// they overlap or touch.
fn push_coalescing<T: Point>(out: &mut Vec<(T, T)>, lo: T, hi: T) {
    if let Some(last) = out.last_mut()
        && (last.1 == T::MAX || lo <= last.1.succ())
    {
        if hi > last.1 {
            last.1 = hi;
        }
        return;
    }
    out.push((lo, hi));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn members(s: &RangeSet<u8>) -> [bool; 256] {
        let mut m = [false; 256];
        for p in 0..=255u8 {
            m[p as usize] = s.contains(p);
        }
        m
    }

    fn arb_set() -> impl Strategy<Value = RangeSet<u8>> {
        prop::collection::vec((any::<u8>(), 0u8..40), 0..6).prop_map(|v| {
            RangeSet::from_ranges(v.into_iter().map(|(lo, len)| (lo, lo.saturating_add(len))))
        })
    }

    fn is_canonical(s: &RangeSet<u8>) -> bool {
        s.ranges().iter().all(|(lo, hi)| lo <= hi)
            && s.ranges()
                .windows(2)
                .all(|w| u16::from(w[0].1) + 1 < u16::from(w[1].0))
    }

    proptest! {
        #[test]
        fn set_operations_agree_with_pointwise_booleans(a in arb_set(), b in arb_set()) {
            let (ma, mb) = (members(&a), members(&b));
            let (u, i, d, c) = (a.union(&b), a.intersection(&b), a.difference(&b), a.complement());
            for p in 0..256 {
                prop_assert_eq!(members(&u)[p], ma[p] || mb[p]);
                prop_assert_eq!(members(&i)[p], ma[p] && mb[p]);
                prop_assert_eq!(members(&d)[p], ma[p] && !mb[p]);
                prop_assert_eq!(members(&c)[p], !ma[p]);
            }
            for s in [&u, &i, &d, &c] {
                prop_assert!(is_canonical(s));
            }
            prop_assert_eq!(a.intersects(&b), !i.is_empty());
            prop_assert_eq!(a.is_subset(&b), (0..256).all(|p| !ma[p] || mb[p]));
            prop_assert_eq!(a.is_empty(), ma.iter().all(|m| !m));
            prop_assert_eq!(a.is_full(), ma.iter().all(|m| *m));
        }

        #[test]
        fn equal_members_means_equal_sets(a in arb_set(), b in arb_set()) {
            prop_assert_eq!(a == b, members(&a) == members(&b));
        }
    }

    #[test]
    fn adjacent_ranges_coalesce() {
        let s = RangeSet::from_ranges([(10u8, 19), (20, 30), (0, 5), (254, 255)]);
        assert_eq!(s.ranges(), &[(0, 5), (10, 30), (254, 255)]);
        assert_eq!(s.complement().ranges(), &[(6, 9), (31, 253)]);
    }
}
