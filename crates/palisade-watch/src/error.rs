//! Errors of the fallible setup steps (loading rules, parsing settings).
//! Reading logs never fails: bad input becomes malformed entries in the report.

use std::io;
use std::path::PathBuf;

use ipnet::IpNet;

/// What can go wrong while setting a run up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A network was neither a CIDR nor an address.
    #[error("invalid CIDR or address '{0}'")]
    InvalidCidr(String),
    /// The state database failed.
    #[error("state database: {0}")]
    Store(String),
    /// A Lambda event could not be used.
    #[error("Lambda event: {0}")]
    Event(String),
    /// An invalid setting.
    #[error("{0}")]
    Invalid(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(e.to_string())
    }
}

/// Parses a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address (taken as `/32` or `/128`).
pub fn parse_cidr(s: &str) -> Result<IpNet, Error> {
    let t = s.trim();
    t.parse::<IpNet>()
        .map(|n| n.trunc())
        .or_else(|_| crate::util::parse_ip(t).map(IpNet::from).ok_or(()))
        .map_err(|()| Error::InvalidCidr(s.to_owned()))
}

/// Parses a list of CIDRs or addresses.
pub fn parse_cidrs<S: AsRef<str>>(items: &[S]) -> Result<Vec<IpNet>, Error> {
    items.iter().map(|s| parse_cidr(s.as_ref())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        assert_eq!(
            parse_cidr("10.1.2.3/8")
                .map(|n| n.to_string())
                .ok()
                .as_deref(),
            Some("10.0.0.0/8")
        );
        assert_eq!(
            parse_cidr(" 192.0.2.1 ")
                .map(|n| n.to_string())
                .ok()
                .as_deref(),
            Some("192.0.2.1/32")
        );
        assert_eq!(
            parse_cidr("2001:db8::1")
                .map(|n| n.to_string())
                .ok()
                .as_deref(),
            Some("2001:db8::1/128")
        );
        let e = parse_cidr("nope").expect_err("invalid");
        assert_eq!(e.to_string(), "invalid CIDR or address 'nope'");
        assert!(parse_cidrs(&["10.0.0.0/8", "x"]).is_err());
    }
}
