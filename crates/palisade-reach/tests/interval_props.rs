//! The interval-set algebra against a brute-force model: on a small universe
//! (u8), every set is also a 256-bit membership vector, and every operation
//! must agree with the obvious bitwise one.

use palisade_reach::IntervalSet;
use proptest::prelude::*;

fn brute(ranges: &[(u8, u8)]) -> [bool; 256] {
    let mut m = [false; 256];
    for &(a, b) in ranges {
        if a <= b {
            for v in a..=b {
                m[v as usize] = true;
            }
        }
    }
    m
}

fn members(s: &IntervalSet<u8>) -> [bool; 256] {
    let mut m = [false; 256];
    for v in 0..=255u8 {
        m[v as usize] = s.contains(v);
    }
    m
}

fn ranges() -> impl Strategy<Value = Vec<(u8, u8)>> {
    prop::collection::vec((any::<u8>(), any::<u8>()), 0..6)
}

proptest! {
    #[test]
    fn from_ranges_matches(r in ranges()) {
        let s = IntervalSet::from_ranges(r.clone());
        prop_assert_eq!(members(&s), brute(&r));
        // Normal form: sorted, disjoint, non-adjacent.
        for w in s.ranges().windows(2) {
            prop_assert!(u16::from(w[0].1) + 1 < u16::from(w[1].0));
        }
    }

    #[test]
    fn operations_match(a in ranges(), b in ranges()) {
        let (sa, sb) = (IntervalSet::from_ranges(a.clone()), IntervalSet::from_ranges(b.clone()));
        let (ma, mb) = (brute(&a), brute(&b));
        let u = members(&sa.union(&sb));
        let i = members(&sa.intersect(&sb));
        let d = members(&sa.subtract(&sb));
        let c = members(&sa.complement());
        for v in 0..256 {
            prop_assert_eq!(u[v], ma[v] || mb[v]);
            prop_assert_eq!(i[v], ma[v] && mb[v]);
            prop_assert_eq!(d[v], ma[v] && !mb[v]);
            prop_assert_eq!(c[v], !ma[v]);
        }
        prop_assert_eq!(sa.is_subset(&sb), (0..256).all(|v| !ma[v] || mb[v]));
        // Equal membership means equal representation.
        let again = IntervalSet::from_ranges(sa.ranges().iter().rev().copied());
        prop_assert_eq!(again, sa);
    }
}
