//! Exact reachability analysis.
//!
//! Everything here works on exact sets (no sampling): addresses and ports
//! are [`IntervalSet`]s, connections are per-protocol port sets
//! ([`Conns`]), and address-dependent answers are [`Space`]s. On top of
//! that algebra sit the semantics of each defense layer: Kubernetes
//! NetworkPolicies ([`netpol`]), AWS route tables, network ACLs and security
//! groups ([`net`]), and the hop-by-hop path analysis ([`paths`]).

pub mod bind;
pub mod conns;
pub mod hop;
pub mod interval;
pub mod ip;
pub mod net;
pub mod netpol;
pub mod paths;
pub mod render;
pub mod space;

pub use conns::{Conns, Protocol};
pub use interval::{IntervalSet, Point};
pub use ip::IpSet;
pub use space::Space;
