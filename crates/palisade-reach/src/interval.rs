//! Sets of integers as sorted, disjoint, non-adjacent inclusive ranges.
//!
//! The normal form (sorted, merged when overlapping *or adjacent*) makes
//! equality structural and keeps every operation a linear merge.

use std::fmt::Debug;

/// An integer domain with a minimum and a maximum (ports, IPv4, IPv6).
pub trait Point: Copy + Ord + Debug {
    const MIN: Self;
    const MAX: Self;
    fn succ(self) -> Option<Self>;
    fn pred(self) -> Option<Self>;
}

macro_rules! point {
    ($($t:ty),*) => {$(
        impl Point for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Option<Self> { self.checked_add(1) }
            fn pred(self) -> Option<Self> { self.checked_sub(1) }
        }
    )*};
}
point!(u8, u16, u32, u64, u128);

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct IntervalSet<T: Point> {
    ranges: Vec<(T, T)>,
}

impl<T: Point> Debug for IntervalSet<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.ranges.iter().map(|(a, b)| format!("{a:?}..={b:?}")))
            .finish()
    }
}

impl<T: Point> IntervalSet<T> {
    pub fn empty() -> Self {
        IntervalSet { ranges: Vec::new() }
    }

    pub fn full() -> Self {
        IntervalSet {
            ranges: vec![(T::MIN, T::MAX)],
        }
    }

    /// `lo..=hi`; empty when `lo > hi`.
    pub fn range(lo: T, hi: T) -> Self {
        if lo > hi {
            Self::empty()
        } else {
            IntervalSet {
                ranges: vec![(lo, hi)],
            }
        }
    }

    pub fn single(v: T) -> Self {
        Self::range(v, v)
    }

    /// Builds a set from arbitrary (possibly overlapping, unsorted) ranges.
    pub fn from_ranges(iter: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut v: Vec<(T, T)> = iter.into_iter().filter(|(a, b)| a <= b).collect();
        v.sort();
        let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            match out.last_mut() {
                Some(last) if last.1 >= lo || last.1.succ() == Some(lo) => {
                    if hi > last.1 {
                        last.1 = hi;
                    }
                }
                _ => out.push((lo, hi)),
            }
        }
        IntervalSet { ranges: out }
    }

    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.ranges.len() == 1 && self.ranges[0] == (T::MIN, T::MAX)
    }

    pub fn contains(&self, v: T) -> bool {
        // Binary search on range starts.
        let idx = self.ranges.partition_point(|(lo, _)| *lo <= v);
        idx > 0 && self.ranges[idx - 1].1 >= v
    }

    pub fn union(&self, other: &Self) -> Self {
        Self::from_ranges(self.ranges.iter().chain(other.ranges.iter()).copied())
    }

    pub fn intersect(&self, other: &Self) -> Self {
        let (a, b) = (&self.ranges, &other.ranges);
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < a.len() && j < b.len() {
            let lo = a[i].0.max(b[j].0);
            let hi = a[i].1.min(b[j].1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet { ranges: out }
    }

    pub fn complement(&self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = Some(T::MIN);
        for &(lo, hi) in &self.ranges {
            if let Some(n) = next {
                if n < lo {
                    if let Some(p) = lo.pred() {
                        out.push((n, p));
                    }
                }
            }
            next = hi.succ();
        }
        if let Some(n) = next {
            out.push((n, T::MAX));
        }
        IntervalSet { ranges: out }
    }

    pub fn subtract(&self, other: &Self) -> Self {
        self.intersect(&other.complement())
    }

    pub fn is_subset(&self, other: &Self) -> bool {
        self.subtract(other).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form_merges_adjacent() {
        let s = IntervalSet::<u16>::from_ranges([(5, 9), (1, 4), (20, 30), (10, 10)]);
        assert_eq!(s.ranges(), &[(1, 10), (20, 30)]);
    }

    #[test]
    fn complement_edges() {
        assert!(IntervalSet::<u16>::full().complement().is_empty());
        assert!(IntervalSet::<u16>::empty().complement().is_full());
        let s = IntervalSet::<u16>::range(0, 10).complement();
        assert_eq!(s.ranges(), &[(11, u16::MAX)]);
        let s = IntervalSet::<u16>::range(10, u16::MAX).complement();
        assert_eq!(s.ranges(), &[(0, 9)]);
    }

    #[test]
    fn contains_and_subtract() {
        let s = IntervalSet::<u16>::from_ranges([(80, 80), (443, 443), (8000, 8999)]);
        assert!(s.contains(443) && s.contains(8500) && !s.contains(81));
        let t = s.subtract(&IntervalSet::range(8100, 8199));
        assert_eq!(
            t.ranges(),
            &[(80, 80), (443, 443), (8000, 8099), (8200, 8999)]
        );
    }
}
