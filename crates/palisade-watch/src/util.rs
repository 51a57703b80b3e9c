//! Small helpers shared by the detections.

use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

/// `*` glob (case-sensitive), as used for pipeline role ARNs.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            if tail.is_empty() {
                return true;
            }
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| glob_match(tail, &rest[i..]))
        }
    }
}

/// Parses an address, unwrapping IPv4-mapped IPv6 (`::ffff:1.2.3.4`).
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let ip: IpAddr = s.trim().parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    })
}

/// Whether an address is routable on the internet (not private, loopback,
/// link-local, shared/CGNAT, unique-local or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (o[0] == 100 && (o[1] & 0xC0) == 64))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xFE00) == 0xFC00
                || (s[0] & 0xFFC0) == 0xFE80)
        }
    }
}

/// Whether any of the networks contains the address.
pub fn in_any(ip: IpAddr, nets: &[IpNet]) -> bool {
    nets.iter().any(|n| n.contains(&ip))
}

/// Keys whose values are secrets (compared lowercased, without `-` and `_`).
fn is_secret_key(key: &str) -> bool {
    // Most keys are short: normalise into a stack buffer instead of a new String.
    let mut buf = [0u8; 64];
    let mut n = 0;
    for b in key.bytes().filter(|b| *b != b'-' && *b != b'_') {
        if n == buf.len() {
            return is_secret_norm(&normalise_key(key));
        }
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    match std::str::from_utf8(&buf[..n]) {
        Ok(k) => is_secret_norm(k),
        Err(_) => is_secret_norm(&normalise_key(key)),
    }
}

fn normalise_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase()
}

fn is_secret_norm(k: &str) -> bool {
    k.contains("secret")
        || k.contains("password")
        || k.contains("passwd")
        || k.contains("privatekey")
        || k.ends_with("token")
        || k == "authorization"
        || k == "cookie"
        || k == "setcookie"
        || k == "credentials"
}

/// Replaces every secret-looking value (by key) with `"[redacted]"`, recursively.
/// `credentials` objects keep their non-secret members (`accessKeyId`, `expiration`).
pub fn redact(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if is_secret_key(k) {
                    if k.eq_ignore_ascii_case("credentials") && val.is_object() {
                        redact(val);
                    } else if !val.is_null() {
                        *val = Value::String("[redacted]".to_owned());
                    }
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// A user agent's product family: the first product token, lowercased
/// (`aws-cli/2.15 Python/3.11` → `aws-cli`, `[S3Console/0.4]` → `s3console`).
pub fn user_agent_family(ua: &str) -> String {
    let s = ua.trim().trim_start_matches('[');
    let end = s.find(['/', ' ', ']', ',', '(']).unwrap_or(s.len());
    s[..end].to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globbing() {
        assert!(glob_match(
            "arn:aws:iam::1:role/ci-*",
            "arn:aws:iam::1:role/ci-deploy"
        ));
        assert!(!glob_match(
            "arn:aws:iam::1:role/ci-*",
            "arn:aws:iam::1:role/admin"
        ));
        assert!(glob_match("a*c*e", "abcde"));
    }

    #[test]
    fn public_addresses() {
        for p in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "fd00::1",
            "fe80::1",
        ] {
            assert!(!is_public(parse_ip(p).expect("ip")), "{p}");
        }
        for p in ["203.0.113.9", "8.8.8.8", "2600:1f18::1", "::ffff:8.8.8.8"] {
            assert!(is_public(parse_ip(p).expect("ip")), "{p}");
        }
        assert_eq!(parse_ip("::ffff:8.8.8.8"), parse_ip("8.8.8.8"));
    }

    #[test]
    fn redacts_secrets() {
        let mut v = serde_json::json!({
            "credentials": {"accessKeyId": "ASIAXXX", "sessionToken": "tok", "expiration": "x"},
            "accessKey": {"accessKeyId": "AKIA", "secretAccessKey": "s3cr3t"},
            "x-amz-security-token": "abc",
            "list": [{"password": "p"}],
            "name": "keep",
        });
        redact(&mut v);
        let text = v.to_string();
        assert!(
            !text.contains("s3cr3t")
                && !text.contains("\"tok\"")
                && !text.contains("abc")
                && !text.contains("\"p\"")
        );
        assert!(text.contains("ASIAXXX") && text.contains("AKIA") && text.contains("keep"));
    }

    #[test]
    fn user_agents() {
        assert_eq!(
            user_agent_family("aws-cli/2.15.0 Python/3.11.6 Linux/6.1"),
            "aws-cli"
        );
        assert_eq!(
            user_agent_family("[S3Console/0.4, aws-internal/3]"),
            "s3console"
        );
        assert_eq!(
            user_agent_family("Boto3/1.34.0 md/Botocore#1.34.0"),
            "boto3"
        );
        assert_eq!(
            user_agent_family("console.amazonaws.com"),
            "console.amazonaws.com"
        );
    }
}
