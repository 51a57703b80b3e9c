//! Integration tests for every output format, on one hand-built report.
//!
//! Golden files live in `tests/golden/`; run with `UPDATE_GOLDEN=1` to
//! rewrite them after an intended change, and review the diff.

mod fixture;
mod golden;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;
