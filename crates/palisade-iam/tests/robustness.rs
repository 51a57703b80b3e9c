//! Fuzz-ish robustness: garbage and mangled policies must produce errors (or
//! decisions), never panics. Inputs come from a small deterministic generator so
//! failures reproduce.

use palisade_iam::{evaluate, simulate_json, Policy, Request};
use serde_json::{json, Value};

/// xorshift64*: deterministic, dependency-free randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const ATOMS: &[&str] = &[
    "*",
    "?",
    "",
    ":",
    "${",
    "${aws:username",
    "${*}",
    "${x, '",
    "}",
    "arn:",
    "arn:aws:s3:::",
    "Allow",
    "Deny",
    "s3:*",
    "ForAllValues:",
    "IfExists",
    "StringLike",
    "Null",
    "true",
    "10.0.0.0/33",
    "::",
    "2020-02-30",
    "\u{0}",
    "é",
    "🦀",
    "-1",
    "1e400",
    "NaN",
];

const KEYS: &[&str] = &[
    "Version",
    "Statement",
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
    "AWS",
    "Service",
    "StringEquals",
    "ForAnyValue:StringLike",
    "NumericLessThan",
    "DateGreaterThanIfExists",
    "IpAddress",
    "ArnLike",
    "Null",
    "Bool",
    "aws:SourceIp",
    "Id",
    "bogus",
];

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 4 { 4 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => {
            let n = rng.below(4);
            Value::String((0..n).map(|_| ATOMS[rng.below(ATOMS.len())]).collect())
        }
        4 | 5 => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.below(5) {
                m.insert(
                    KEYS[rng.below(KEYS.len())].to_string(),
                    random_value(rng, depth + 1),
                );
            }
            Value::Object(m)
        }
        _ => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
    }
}

fn valid_policy() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::b/${aws:username}/*",
         "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": ["a*"]}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Deny", "NotPrincipal": {"AWS": ["111122223333"]}, "NotAction": "iam:*", "NotResource": "*"}]})
}

/// Replaces a random node of `v` with garbage.
fn mutate(v: &mut Value, rng: &mut Rng) {
    match v {
        Value::Object(m) if !m.is_empty() && rng.below(3) != 0 => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = &keys[rng.below(keys.len())];
            if let Some(child) = m.get_mut(k) {
                mutate(child, rng);
            }
        }
        Value::Array(a) if !a.is_empty() && rng.below(3) != 0 => {
            let i = rng.below(a.len());
            mutate(&mut a[i], rng);
        }
        _ => *v = random_value(rng, 2),
    }
}

#[test]
fn garbage_policies_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for _ in 0..5000 {
        let v = random_value(&mut rng, 0);
        if Policy::from_json(&v).is_ok() {
            parsed += 1;
        }
    }
    // Mutations of a valid policy: most fail to parse, the ones that parse are evaluated.
    for _ in 0..5000 {
        let mut p = valid_policy();
        mutate(&mut p, &mut rng);
        if let Ok(policy) = Policy::from_json(&p) {
            parsed += 1;
            let mut req = Request::new(
                "arn:aws:iam::111122223333:user/u",
                "s3:GetObject",
                "arn:aws:s3:::b/u/k",
            );
            req.request.context.insert("aws:SourceIp", "10.1.2.3");
            req.identity_policies.push(policy.clone());
            req.resource_policy = Some(policy.clone());
            req.permission_boundaries.push(policy.clone());
            req.session_policy = Some(policy);
            let _ = evaluate(&req);
        }
    }
    assert!(
        parsed > 0,
        "the generator should produce some valid policies"
    );
}

#[test]
fn garbage_text_never_panics() {
    let mut rng = Rng(42);
    let samples = [
        "", "{", "[", "null", "[]", "{}", "\"x\"", "[{}]", "[1,2]", "{\"request\":{}}",
        "{\"request\":{\"principal\":\"p\",\"action\":\"a\",\"resource\":{}},\"identityPolicies\":[]}",
    ];
    for s in samples {
        let _ = simulate_json(s);
        let _ = Policy::from_str(s);
    }
    for _ in 0..3000 {
        let len = rng.below(60);
        let text: String = (0..len)
            .map(|_| {
                let pool = "{}[]\":,*?$ aAsS3:tTrRuUeE01\\n";
                pool.chars().nth(rng.below(pool.len())).unwrap_or(' ')
            })
            .collect();
        let _ = simulate_json(&text);
        let _ = Policy::from_str(&text);
    }
    // Deep nesting is rejected by the JSON parser's recursion limit, not a stack overflow.
    let deep = "[".repeat(100_000);
    assert!(simulate_json(&deep).is_err());
}

#[test]
fn array_requests_report_the_failing_index() {
    let good = json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject",
                                  "resource": {"resource": "arn:aws:s3:::b/k"}}, "identityPolicies": []});
    let bad = json!({"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject",
                                 "resource": {"resource": "arn:aws:s3:::b/k"}},
                     "identityPolicies": [{"Statement": {"Effect": "Maybe", "Action": "*"}}]});
    let out = simulate_json(&json!([good, good]).to_string()).expect("valid");
    assert_eq!(
        out,
        r#"[{"response":"ImplicitlyDenied","decidedBy":[]},{"response":"ImplicitlyDenied","decidedBy":[]}]"#
    );
    let err = simulate_json(&json!([good, bad]).to_string()).expect_err("invalid");
    assert!(
        err.to_string()
            .contains("[1].identityPolicies[0].Statement.Effect"),
        "{err}"
    );
}

#[test]
fn output_is_deterministic() {
    let input = json!([{"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject",
                                    "resource": {"resource": "arn:aws:s3:::b/k"},
                                    "context": {"z": "1", "a": ["x", "y"], "M": "2"}},
                        "identityPolicies": [{"Version": "2012-10-17", "Statement": [
                            {"Sid": "S2", "Effect": "Allow", "Action": "s3:*", "Resource": "*",
                             "Condition": {"StringEquals": {"z": "1", "m": "2"}, "ForAnyValue:StringEquals": {"a": "y"}}},
                            {"Sid": "S1", "Effect": "Allow", "Action": "*", "Resource": "*"}]}]}])
    .to_string();
    let first = simulate_json(&input).expect("valid");
    for _ in 0..20 {
        assert_eq!(simulate_json(&input).expect("valid"), first);
    }
    assert_eq!(
        first,
        r#"[{"response":"Allowed","decidedBy":[{"policy":"identityPolicies[0]","statement":0,"sid":"S2","effect":"Allow"},{"policy":"identityPolicies[0]","statement":1,"sid":"S1","effect":"Allow"}]}]"#
    );
}
