//! Address sets over IPv4 and IPv6. The two families are separate sets:
//! `0.0.0.0/0` does not include any IPv6 address and `::/0` no IPv4 one.

use crate::interval::IntervalSet;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Clone, PartialEq, Eq, Hash, Default, Debug, PartialOrd, Ord)]
pub struct IpSet {
    pub v4: IntervalSet<u32>,
    pub v6: IntervalSet<u128>,
}

/// A CIDR that failed to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCidr(pub String);

impl fmt::Display for BadCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a valid CIDR", self.0)
    }
}

impl IpSet {
    pub fn empty() -> Self {
        IpSet::default()
    }

    /// Every IPv4 and IPv6 address.
    pub fn all() -> Self {
        IpSet {
            v4: IntervalSet::full(),
            v6: IntervalSet::full(),
        }
    }

    /// Parses `a.b.c.d/n`, `x::y/n` or a bare address (a host route).
    pub fn cidr(text: &str) -> Result<Self, BadCidr> {
        let bad = || BadCidr(text.to_string());
        let t = text.trim();
        let (addr, len) = match t.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u32>().map_err(|_| bad())?)),
            None => (t, None),
        };
        if let Ok(a) = addr.parse::<Ipv4Addr>() {
            let len = len.unwrap_or(32);
            if len > 32 {
                return Err(bad());
            }
            let base = u32::from(a);
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            let lo = base & mask;
            let hi = lo | !mask;
            return Ok(IpSet {
                v4: IntervalSet::range(lo, hi),
                v6: IntervalSet::empty(),
            });
        }
        if let Ok(a) = addr.parse::<Ipv6Addr>() {
            let len = len.unwrap_or(128);
            if len > 128 {
                return Err(bad());
            }
            let base = u128::from(a);
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            let lo = base & mask;
            let hi = lo | !mask;
            return Ok(IpSet {
                v4: IntervalSet::empty(),
                v6: IntervalSet::range(lo, hi),
            });
        }
        Err(bad())
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn union(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
        }
    }

    pub fn intersect(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.intersect(&o.v4),
            v6: self.v6.intersect(&o.v6),
        }
    }

    pub fn subtract(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.subtract(&o.v4),
            v6: self.v6.subtract(&o.v6),
        }
    }

    pub fn is_subset(&self, o: &Self) -> bool {
        self.v4.is_subset(&o.v4) && self.v6.is_subset(&o.v6)
    }

    /// The set as a minimal list of CIDRs (IPv4 first), for display.
    pub fn to_cidrs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for &(lo, hi) in self.v4.ranges() {
            for (base, len) in split_cidrs(u128::from(lo), u128::from(hi), 32) {
                let a = Ipv4Addr::from(u32::try_from(base).unwrap_or(u32::MAX));
                out.push(format!("{a}/{len}"));
            }
        }
        for &(lo, hi) in self.v6.ranges() {
            for (base, len) in split_cidrs(lo, hi, 128) {
                out.push(format!("{}/{len}", Ipv6Addr::from(base)));
            }
        }
        out
    }
}

/// Splits `lo..=hi` (in a `bits`-wide space) into maximal aligned blocks.
fn split_cidrs(mut lo: u128, hi: u128, bits: u32) -> Vec<(u128, u32)> {
    let mut out = Vec::new();
    loop {
        // Largest block starting at lo that is aligned and fits in hi.
        let mut size_log = if lo == 0 {
            bits
        } else {
            lo.trailing_zeros().min(bits)
        };
        loop {
            let span = if size_log >= 128 {
                u128::MAX
            } else {
                (1u128 << size_log) - 1
            };
            if lo.checked_add(span).is_some_and(|end| end <= hi) {
                break;
            }
            size_log -= 1;
        }
        out.push((lo, bits - size_log));
        let span = if size_log >= 128 {
            u128::MAX
        } else {
            (1u128 << size_log) - 1
        };
        match lo.checked_add(span).and_then(|e| e.checked_add(1)) {
            Some(next) if next <= hi => lo = next,
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_separate() {
        let v4 = IpSet::cidr("0.0.0.0/0").unwrap_or_default();
        let v6 = IpSet::cidr("::/0").unwrap_or_default();
        assert!(v4.intersect(&v6).is_empty());
        assert_eq!(v4.union(&v6), IpSet::all());
    }

    #[test]
    fn cidr_normalises_host_bits_and_prints() {
        let s = IpSet::cidr("10.1.2.3/16").unwrap_or_default();
        assert_eq!(s.to_cidrs(), vec!["10.1.0.0/16"]);
        let except = IpSet::cidr("10.1.128.0/17").unwrap_or_default();
        assert_eq!(s.subtract(&except).to_cidrs(), vec!["10.1.0.0/17"]);
        assert_eq!(IpSet::all().to_cidrs(), vec!["0.0.0.0/0", "::/0"]);
        assert!(IpSet::cidr("10.0.0.0/33").is_err());
        assert!(IpSet::cidr("banana").is_err());
    }

    #[test]
    fn odd_ranges_split_into_blocks() {
        let s = IpSet {
            v4: IntervalSet::range(
                u32::from(Ipv4Addr::new(10, 0, 0, 1)),
                u32::from(Ipv4Addr::new(10, 0, 0, 6)),
            ),
            v6: IntervalSet::empty(),
        };
        assert_eq!(
            s.to_cidrs(),
            vec!["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
    }
}
