//! Sets of connections: for each transport protocol, the destination ports
//! allowed. Protocols without ports (ICMP and the rest) are tracked as one
//! flag, since no layer palisade models distinguishes them further.

use crate::interval::IntervalSet;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// Parses a Kubernetes or AWS protocol name/number (`TCP`, `tcp`, `6`).
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tcp" | "6" => Some(Protocol::Tcp),
            "udp" | "17" => Some(Protocol::Udp),
            "sctp" | "132" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Default, Debug, PartialOrd, Ord)]
pub struct Conns {
    pub tcp: IntervalSet<u16>,
    pub udp: IntervalSet<u16>,
    pub sctp: IntervalSet<u16>,
    /// ICMP and every other protocol.
    pub other: bool,
}

impl Conns {
    pub fn none() -> Self {
        Conns::default()
    }

    pub fn all() -> Self {
        Conns {
            tcp: IntervalSet::full(),
            udp: IntervalSet::full(),
            sctp: IntervalSet::full(),
            other: true,
        }
    }

    /// The given ports of one protocol.
    pub fn ports(proto: Protocol, ports: IntervalSet<u16>) -> Self {
        let mut c = Conns::none();
        *c.get_mut(proto) = ports;
        c
    }

    pub fn get(&self, p: Protocol) -> &IntervalSet<u16> {
        match p {
            Protocol::Tcp => &self.tcp,
            Protocol::Udp => &self.udp,
            Protocol::Sctp => &self.sctp,
        }
    }

    fn get_mut(&mut self, p: Protocol) -> &mut IntervalSet<u16> {
        match p {
            Protocol::Tcp => &mut self.tcp,
            Protocol::Udp => &mut self.udp,
            Protocol::Sctp => &mut self.sctp,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tcp.is_empty() && self.udp.is_empty() && self.sctp.is_empty() && !self.other
    }

    pub fn is_all(&self) -> bool {
        self.tcp.is_full() && self.udp.is_full() && self.sctp.is_full() && self.other
    }

    pub fn union(&self, o: &Self) -> Self {
        Conns {
            tcp: self.tcp.union(&o.tcp),
            udp: self.udp.union(&o.udp),
            sctp: self.sctp.union(&o.sctp),
            other: self.other || o.other,
        }
    }

    pub fn intersect(&self, o: &Self) -> Self {
        Conns {
            tcp: self.tcp.intersect(&o.tcp),
            udp: self.udp.intersect(&o.udp),
            sctp: self.sctp.intersect(&o.sctp),
            other: self.other && o.other,
        }
    }

    pub fn subtract(&self, o: &Self) -> Self {
        Conns {
            tcp: self.tcp.subtract(&o.tcp),
            udp: self.udp.subtract(&o.udp),
            sctp: self.sctp.subtract(&o.sctp),
            other: self.other && !o.other,
        }
    }

    /// True when every connection of `self` is in `o`.
    pub fn is_subset_of(&self, o: &Self) -> bool {
        self.subtract(o).is_empty()
    }

    /// True when `port` of `proto` is allowed.
    pub fn allows(&self, proto: Protocol, port: u16) -> bool {
        self.get(proto).contains(port)
    }
}

impl fmt::Display for Conns {
    /// `All connections`, `No connections`, or `TCP 80,443,8000-8999;UDP 53`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All connections");
        }
        if self.is_empty() {
            return f.write_str("No connections");
        }
        let mut parts = Vec::new();
        for p in Protocol::ALL {
            let set = self.get(p);
            if set.is_empty() {
                continue;
            }
            if set.is_full() {
                parts.push(p.as_str().to_string());
                continue;
            }
            let ports: Vec<String> = set
                .ranges()
                .iter()
                .map(|&(a, b)| {
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a}-{b}")
                    }
                })
                .collect();
            parts.push(format!("{} {}", p.as_str(), ports.join(",")));
        }
        if self.other {
            parts.push("other protocols".into());
        }
        f.write_str(&parts.join(";"))
    }
}

impl Serialize for Conns {
    /// As its display text (`TCP 80,443;UDP 53`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_merged_and_sorted() {
        let c = Conns::ports(
            Protocol::Tcp,
            IntervalSet::from_ranges([(443, 443), (80, 80), (8000, 8999)]),
        )
        .union(&Conns::ports(Protocol::Udp, IntervalSet::single(53)));
        assert_eq!(c.to_string(), "TCP 80,443,8000-8999;UDP 53");
        assert_eq!(Conns::all().to_string(), "All connections");
        assert_eq!(Conns::none().to_string(), "No connections");
        let tcp_all = Conns::ports(Protocol::Tcp, IntervalSet::full());
        assert_eq!(tcp_all.to_string(), "TCP");
    }
}
