//! Errors returned by parsing and simulation.

/// Everything that can go wrong turning JSON into policies and requests.
/// Evaluation itself never fails: an odd value in a condition simply does
/// not match, as in IAM.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not JSON at all.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A policy document breaks the IAM policy grammar.
    #[error("invalid policy at `{location}`: {message}")]
    Policy {
        /// Where, e.g. `Statement[1].Effect` (prefixed with the policy's place in a request).
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A simulation request does not have the documented shape.
    #[error("invalid request at `{location}`: {message}")]
    Request {
        /// Where, e.g. `[2].request.action`.
        location: String,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// Prefixes the location with the place the failing item sits in.
    pub(crate) fn within(self, prefix: &str) -> Error {
        let join = |loc: String| {
            if loc.is_empty() {
                prefix.to_string()
            } else if prefix.is_empty() {
                loc
            } else if loc.starts_with('[') {
                format!("{prefix}{loc}")
            } else {
                format!("{prefix}.{loc}")
            }
        };
        match self {
            Error::Policy { location, message } => Error::Policy {
                location: join(location),
                message,
            },
            Error::Request { location, message } => Error::Request {
                location: join(location),
                message,
            },
            other => other,
        }
    }
}
