//! Exact reachability analysis.
//!
//! Everything here works on exact sets (no sampling): addresses and ports
//! are [`IntervalSet`]s, connections are per-protocol port sets
//! ([`Conns`]). On top of that algebra sit the semantics of each defense
//! layer: Kubernetes NetworkPolicies ([`netpol`]) now, AWS route tables,
//! NACLs and security groups next.

pub mod conns;
pub mod interval;
pub mod ip;
pub mod netpol;

pub use conns::{Conns, Protocol};
pub use interval::{IntervalSet, Point};
pub use ip::IpSet;
