//! Sets of `(address, connection)` pairs: which connections are allowed for
//! which peer addresses. Stateless layers (NACLs, routes, CIDR rules) decide
//! differently for different addresses, so a layer's answer is a [`Space`];
//! layers that depend on the same address are intersected pointwise, and
//! only then is the result reduced to "some address of the peer".

use crate::conns::Conns;
use crate::ip::IpSet;

/// A union of `addresses × conns` boxes (boxes may overlap).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Space(pub Vec<(IpSet, Conns)>);

impl Space {
    pub fn empty() -> Space {
        Space(Vec::new())
    }

    /// `conns` for every address of `set`.
    pub fn uniform(set: &IpSet, conns: Conns) -> Space {
        if set.is_empty() || conns.is_empty() {
            Space::empty()
        } else {
            Space(vec![(set.clone(), conns)])
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|(s, c)| s.is_empty() || c.is_empty())
    }

    pub fn push(&mut self, set: IpSet, conns: Conns) {
        if !set.is_empty() && !conns.is_empty() {
            self.0.push((set, conns));
        }
    }

    pub fn union(&self, o: &Space) -> Space {
        let mut v = self.0.clone();
        v.extend(o.0.iter().cloned());
        Space(v).simplify()
    }

    /// Pairs in both.
    pub fn intersect(&self, o: &Space) -> Space {
        let mut out = Space::empty();
        for (a, ca) in &self.0 {
            for (b, cb) in &o.0 {
                let c = ca.intersect(cb);
                if c.is_empty() {
                    continue;
                }
                let s = a.intersect(b);
                if !s.is_empty() {
                    out.0.push((s, c));
                }
            }
        }
        out.simplify()
    }

    /// Keeps only connections in `conns`.
    pub fn restrict(&self, conns: &Conns) -> Space {
        Space(
            self.0
                .iter()
                .map(|(s, c)| (s.clone(), c.intersect(conns)))
                .filter(|(s, c)| !s.is_empty() && !c.is_empty())
                .collect(),
        )
    }

    /// Keeps only addresses in `set`.
    pub fn within(&self, set: &IpSet) -> Space {
        Space(
            self.0
                .iter()
                .map(|(s, c)| (s.intersect(set), c.clone()))
                .filter(|(s, c)| !s.is_empty() && !c.is_empty())
                .collect(),
        )
    }

    /// Connections allowed for some address.
    pub fn conns(&self) -> Conns {
        self.0
            .iter()
            .filter(|(s, _)| !s.is_empty())
            .fold(Conns::none(), |acc, (_, c)| acc.union(c))
    }

    /// Connections allowed for every address of `domain`.
    pub fn conns_everywhere(&self, domain: &IpSet) -> Conns {
        let norm = self.within(domain).normalized();
        let covered = norm.iter().fold(IpSet::empty(), |a, (s, _)| a.union(s));
        if domain.is_empty() || !domain.is_subset(&covered) {
            return Conns::none();
        }
        norm.iter().fold(Conns::all(), |a, (_, c)| a.intersect(c))
    }

    /// Addresses with some connection allowed.
    pub fn addresses(&self) -> IpSet {
        self.0
            .iter()
            .filter(|(_, c)| !c.is_empty())
            .fold(IpSet::empty(), |acc, (s, _)| acc.union(s))
    }

    /// Merges boxes with equal conns (keeps the representation small).
    pub fn simplify(self) -> Space {
        if self.0.len() < 2 {
            return self;
        }
        let mut out: Vec<(IpSet, Conns)> = Vec::with_capacity(self.0.len());
        for (s, c) in self.0 {
            if s.is_empty() || c.is_empty() {
                continue;
            }
            match out.iter_mut().find(|(_, oc)| *oc == c) {
                Some((os, _)) => *os = os.union(&s),
                None => out.push((s, c)),
            }
        }
        Space(out)
    }

    /// Disjoint `(addresses, conns)` with the union of conns per address,
    /// grouped by conns (for display).
    pub fn normalized(&self) -> Vec<(IpSet, Conns)> {
        let sets: Vec<IpSet> = self.0.iter().map(|(s, _)| s.clone()).collect();
        let mut out: Vec<(IpSet, Conns)> = Vec::new();
        for atom in crate::netpol::atoms_of(&sets) {
            let mut c = Conns::none();
            for (s, cc) in &self.0 {
                if atom.is_subset(s) {
                    c = c.union(cc);
                }
            }
            if c.is_empty() {
                continue;
            }
            match out.iter_mut().find(|(_, oc)| *oc == c) {
                Some((os, _)) => *os = os.union(&atom),
                None => out.push((atom, c)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conns::Protocol;
    use crate::interval::IntervalSet;

    fn cidr(s: &str) -> IpSet {
        IpSet::cidr(s).unwrap_or_default()
    }

    #[test]
    fn pointwise_intersection_is_not_union_then_intersection() {
        // Layer 1 allows 80 from A and 443 from B; layer 2 allows 443 from A
        // and 80 from B. No single address gets anything through.
        let (a, b) = (cidr("10.0.0.0/24"), cidr("10.0.1.0/24"));
        let p80 = Conns::ports(Protocol::Tcp, IntervalSet::single(80));
        let p443 = Conns::ports(Protocol::Tcp, IntervalSet::single(443));
        let mut l1 = Space::empty();
        l1.push(a.clone(), p80.clone());
        l1.push(b.clone(), p443.clone());
        let mut l2 = Space::empty();
        l2.push(a, p443);
        l2.push(b, p80);
        assert!(l1.intersect(&l2).is_empty());
        assert!(!l1.conns().intersect(&l2.conns()).is_empty());
    }

    #[test]
    fn normalized_merges_overlaps() {
        let p80 = Conns::ports(Protocol::Tcp, IntervalSet::single(80));
        let p443 = Conns::ports(Protocol::Tcp, IntervalSet::single(443));
        let mut s = Space::empty();
        s.push(cidr("10.0.0.0/16"), p80.clone());
        s.push(cidr("10.0.1.0/24"), p443.clone());
        let n = s.normalized();
        assert_eq!(n.len(), 2);
        let both = n.iter().find(|(_, c)| *c == p80.union(&p443));
        assert_eq!(
            both.map(|(s, _)| s.to_cidrs()),
            Some(vec!["10.0.1.0/24".to_string()])
        );
    }
}
