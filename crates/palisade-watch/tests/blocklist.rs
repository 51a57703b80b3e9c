use std::sync::Arc;

use palisade_watch::blocklist::IP_SET_LIMIT;
use palisade_watch::{build_blocklist, Alert, BlocklistOptions, IpSetRef, Location, Scope};
use serde_json::json;

fn burst(ip: &str, count: u64) -> Alert {
    Alert {
        rule: "PAL-D014".into(),
        title: "Burst".into(),
        severity: "medium".into(),
        practices: vec!["MON-07".into()],
        time: Some("2024-05-01T10:00:00Z".into()),
        event_id: None,
        actor: None,
        source_ip: Some(ip.into()),
        location: Location {
            file: Arc::from("alb.log"),
            line: 1,
        },
        evidence: json!({"client_ip": ip, "count": count}),
        time_ms: Some(0),
        record_seq: 0,
    }
}

fn set(name: &str) -> IpSetRef {
    IpSetRef {
        name: name.into(),
        id: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111".into(),
        scope: Scope::Regional,
        lock_token: "0123abcd-4567-89ef-0123-456789abcdef".into(),
    }
}

#[test]
fn separates_families_uses_host_cidrs_and_builds_update_ip_set() {
    let alerts = vec![
        burst("198.51.100.23", 60),
        burst("2001:db8::1", 30),
        burst("::ffff:203.0.113.7", 25),
    ];
    let bl = build_blocklist(&alerts, &BlocklistOptions::default());
    assert_eq!(bl.ipv4, vec!["198.51.100.23/32", "203.0.113.7/32"]);
    assert_eq!(bl.ipv6, vec!["2001:db8::1/128"]);
    let v4 = bl.update_ip_set_request(&set("palisade-block-v4"), false);
    assert_eq!(
        v4,
        json!({
            "Name": "palisade-block-v4",
            "Scope": "REGIONAL",
            "Id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
            "Addresses": ["198.51.100.23/32", "203.0.113.7/32"],
            "LockToken": "0123abcd-4567-89ef-0123-456789abcdef"
        })
    );
    let cf = IpSetRef {
        scope: Scope::Cloudfront,
        ..set("palisade-block-v6")
    };
    let v6 = bl.update_ip_set_request(&cf, true);
    assert_eq!(v6["Scope"], "CLOUDFRONT");
    assert_eq!(v6["Addresses"], json!(["2001:db8::1/128"]));
    assert_eq!(
        bl.plain_list(),
        "198.51.100.23/32\n203.0.113.7/32\n2001:db8::1/128\n"
    );
}

#[test]
fn allowlist_is_never_blocked_and_zero_prefix_is_rejected() {
    let alerts = vec![burst("203.0.113.7", 100), burst("198.51.100.23", 50)];
    let opts = BlocklistOptions {
        allow: vec!["203.0.113.0/24".parse().expect("cidr")],
        existing: vec![
            "0.0.0.0/0".into(),
            "::/0".into(),
            "203.0.112.0/23".into(),
            "192.0.2.0/24".into(),
            "garbage".into(),
        ],
        ..BlocklistOptions::default()
    };
    let bl = build_blocklist(&alerts, &opts);
    assert_eq!(bl.ipv4, vec!["192.0.2.0/24", "198.51.100.23/32"]);
    assert!(bl.ipv6.is_empty());
    assert_eq!(bl.allowlisted, vec!["203.0.112.0/23", "203.0.113.7/32"]);
    assert_eq!(bl.rejected, vec!["0.0.0.0/0", "::/0", "garbage"]);
}

#[test]
fn ignores_other_alerts_and_covered_addresses() {
    let mut other = burst("192.0.2.99", 1000);
    other.rule = "PAL-D008".into();
    other.practices = vec!["MON-08".into()];
    let opts = BlocklistOptions {
        existing: vec!["198.51.100.0/24".into()],
        ..BlocklistOptions::default()
    };
    let bl = build_blocklist(&[other, burst("198.51.100.23", 5)], &opts);
    assert_eq!(bl.ipv4, vec!["198.51.100.0/24"]);
}

#[test]
fn respects_the_ip_set_size_limit() {
    assert_eq!(IP_SET_LIMIT, 10_000);
    // 10,050 offenders: the heaviest 10,000 fit, the lightest 50 are reported.
    let alerts: Vec<Alert> = (0..10_050u32)
        .map(|i| {
            burst(
                &format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
                20_000 - u64::from(i),
            )
        })
        .collect();
    let bl = build_blocklist(&alerts, &BlocklistOptions::default());
    assert_eq!(bl.ipv4.len(), 10_000);
    assert_eq!(bl.over_limit.len(), 50);
    assert!(
        bl.over_limit.contains(&"10.0.39.65/32".to_owned()),
        "{:?}",
        &bl.over_limit[..3]
    );
    assert!(!bl.ipv4.contains(&"10.0.39.65/32".to_owned()));

    // Existing entries count toward the limit and stay.
    let opts = BlocklistOptions {
        existing: vec!["192.0.2.1".into()],
        limit: 2,
        ..BlocklistOptions::default()
    };
    let bl = build_blocklist(&[burst("198.51.100.1", 9), burst("198.51.100.2", 5)], &opts);
    assert_eq!(bl.ipv4, vec!["192.0.2.1/32", "198.51.100.1/32"]);
    assert_eq!(bl.over_limit, vec!["198.51.100.2/32"]);
}
