//! Kubernetes NetworkPolicy semantics (in progress).
