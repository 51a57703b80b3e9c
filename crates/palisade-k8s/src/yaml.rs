//! The shared YAML tree (see the `palisade-yaml` crate).

pub use palisade_yaml::*;
