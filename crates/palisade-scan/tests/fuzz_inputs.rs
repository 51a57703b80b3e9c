//! Mutation fuzzing of the whole pipeline: every rule fixture
//! (`crates/palisade-rules/fixtures/**`) and every example (`examples/**`)
//! is mutated (truncation, byte flips, line duplication/deletion/swaps,
//! inserted `{`, `[`, `${`, `!Ref`, YAML anchors and aliases, huge numbers,
//! unicode, NUL bytes, deep nesting, and Terraform expressions replaced by
//! generated ones that call every built-in function with edge-case
//! arguments), scanned with every rule through [`palisade_scan::scan`] and
//! rendered in every format. Nothing may panic (not even a panic a loader
//! catches and turns into an "internal error"), and the report must be
//! well formed: every error, finding and unknown names a file, every line is
//! 1-based, the JSON and SARIF outputs parse.
//!
//! Deterministic: the mutant of iteration `i` depends only on the seed and
//! `i`. Environment:
//!
//! - `FUZZ_ITERATIONS` (default 240): how many mutants;
//! - `FUZZ_SEED` (default fixed): the seed;
//! - `FUZZ_ONLY=i`: run only iteration `i` (to reproduce a failure);
//! - `FUZZ_KEEP=1`: keep the failing mutants' directories (always printed).
//!
//! A long run: `FUZZ_ITERATIONS=20000 cargo test --release -p palisade-scan
//! --test fuzz_inputs -- --nocapture`.

use palisade_model::finding::ScanReport;
use palisade_report::{render, Format, TextOptions};
use palisade_scan::{scan, ScanOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`0` when `n == 0`).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The seed inputs: every fixture and example file, sorted.
fn seeds() -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(
        &workspace().join("crates/palisade-rules/fixtures"),
        &mut out,
    );
    walk(&workspace().join("examples"), &mut out);
    out.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        [
            ".tf", ".tf.json", ".tfvars", ".yaml", ".yml", ".json", ".toml",
        ]
        .iter()
        .any(|e| name.ends_with(e))
    });
    out
}

#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", "(", ")", "${", "${var.", "%{", "%{ if true }", "}}", "!Ref ", "!Ref",
    "!GetAtt X.Y", "!Sub '${AWS::Region}'", "!If [c, a, b]", "!ImportValue x", "&a ", "*a", "&a",
    "<<: *a", "? ", "- ", "--- ", "...", "\t", "|\n", ">-\n", "<<EOF\n", "<<-EOT\n", "\"", "'",
    "#", "//", "/*", "\n", "\r\n", "\0", "\\", "\\u0000", "\\uD800", "=", ":", ",", "=>", "?",
    "[*]", ".*", "...", "99999999999999999999999999999", "-9223372036854775809",
    "18446744073709551616", "1e400", "-1e400", "1e-400", "0x1F", "0o17", "NaN", ".inf", "-.inf",
    "é", "\u{202e}", "\u{feff}", "𝕏", "ﬃ", "İ", "\u{0301}", "日本語", "\u{10ffff}", "null", "~",
    "true", "yes", "no", "on", "0.0.0.0/0", "::/0", "\"*\"", "var.", "local.", "module.",
    "data.", "each.", "count.", "self.", "count = 3\n", "for_each = var.m\n",
];

/// Expressions that stand for a value in generated Terraform expressions.
#[rustfmt::skip]
const ATOMS: &[&str] = &[
    "var.x_unknown", "var.x_unknown.a", "var.x_unknown[0]", "local.nope", "local.a",
    "aws_security_group.x.id", "aws_vpc.main.cidr_block", "data.aws_caller_identity.c.account_id",
    "module.m.out", "each.value", "each.key", "count.index", "self.id", "path.module",
    "path.root", "terraform.workspace", "null", "true", "false", "0", "-1", "1", "22", "65535",
    "3.5", "1e309", "-1e309", "99999999999999999999", "18446744073709551616", "-0",
    "9223372036854775807", "-9223372036854775808", "\"\"", "\"a\"", "\"0.0.0.0/0\"", "\"::/0\"",
    "\"10.0.0.0/16\"", "\"é́\"", "\"𝕏日本\"", "\"${var.x_unknown}\"", "\"%{if var.x_unknown}a%{endif}\"",
    "\"%{for x in [1,2]}${x}%{endfor}\"", "\"$${x}\"", "\"%%{x}\"", "[]", "{}", "[1, 2, 3]",
    "[\"a\", \"b\"]", "[[1], [2, [3]]]", "{a = 1, b = \"x\"}", "{\"k\" = [1]}", "tolist([])",
    "toset([\"a\", \"a\"])", "\"{\\\"a\\\": 1}\"", "\"a: [1\"", "\"%s %d %v %q %#\"", "\"%\"",
    "\"%[3]s\"", "\"%-99999999999d\"", "\"\\u0000\"", "\"\\n\"", "\"(\"", "\"[\"", "\"*\"",
];

#[rustfmt::skip]
const FUNCS: &[&str] = &[
    "abs", "alltrue", "anytrue", "base64decode", "base64encode", "basename", "bool", "can",
    "ceil", "chomp", "chunklist", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets",
    "coalesce", "coalescelist", "compact", "concat", "contains", "csvdecode", "dirname",
    "distinct", "element", "endswith", "file", "fileexists", "flatten", "floor", "format",
    "formatlist", "indent", "index", "join", "jsondecode", "jsonencode", "keys", "length", "log",
    "lookup", "lower", "max", "merge", "min", "nonsensitive", "number", "one", "parseint", "pow",
    "range", "regex", "regexall", "replace", "reverse", "sensitive", "setintersection",
    "setproduct", "setsubtract", "setunion", "signum", "slice", "sort", "split", "startswith",
    "strcontains", "string", "strrev", "substr", "sum", "templatefile", "templatestring",
    "title", "tobool", "tolist", "tomap", "tonumber", "toset", "tostring", "transpose", "trim",
    "trimprefix", "trimspace", "trimsuffix", "try", "type", "upper", "urlencode", "values",
    "yamldecode", "yamlencode", "zipmap", "timestamp", "uuid", "md5", "nosuchfunction",
];

#[rustfmt::skip]
const BINOPS: &[&str] = &[
    "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||",
];

/// A random Terraform expression of at most `depth` levels.
fn expr(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.chance(30) {
        return rng.pick(ATOMS).to_string();
    }
    let d = depth - 1;
    match rng.below(11) {
        0..=3 => {
            let f = rng.pick(FUNCS);
            let n = rng.below(4);
            let args: Vec<String> = (0..n).map(|_| expr(rng, d)).collect();
            let expand = if n > 0 && rng.chance(10) { "..." } else { "" };
            format!("{f}({}{expand})", args.join(", "))
        }
        4 => {
            let n = rng.below(4);
            let items: Vec<String> = (0..n).map(|_| expr(rng, d)).collect();
            format!("[{}]", items.join(", "))
        }
        5 => {
            let n = rng.below(3);
            let items: Vec<String> = (0..n).map(|i| format!("k{i} = {}", expr(rng, d))).collect();
            format!("{{{}}}", items.join(", "))
        }
        6 => format!("{} ? {} : {}", expr(rng, d), expr(rng, d), expr(rng, d)),
        7 => format!("({} {} {})", expr(rng, d), rng.pick(BINOPS), expr(rng, d)),
        8 => match rng.below(4) {
            0 => format!("-{}", expr(rng, d)),
            1 => format!("!{}", expr(rng, d)),
            2 => format!("{}[{}]", expr(rng, d), expr(rng, d)),
            _ => format!("{}[*].id", expr(rng, d)),
        },
        9 => {
            if rng.chance(50) {
                format!(
                    "[for x in {} : {} if {}]",
                    expr(rng, d),
                    expr(rng, d),
                    expr(rng, d)
                )
            } else {
                format!("{{for k, v in {} : k => v...}}", expr(rng, d))
            }
        }
        _ => format!(
            "\"${{{}}}-%{{if {}}}y%{{endif}}\"",
            expr(rng, d),
            expr(rng, d)
        ),
    }
}

fn line_starts(b: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        b.iter()
            .enumerate()
            .filter(|(_, c)| **c == b'\n')
            .map(|(i, _)| i + 1),
    );
    v
}

/// The byte range of line `i` (without its newline).
fn line_range(b: &[u8], starts: &[usize], i: usize) -> (usize, usize) {
    let s = starts[i].min(b.len());
    let e = starts
        .get(i + 1)
        .map(|e| e.saturating_sub(1))
        .unwrap_or(b.len())
        .max(s);
    (s, e)
}

/// Applies one random mutation to `b`; returns its name.
fn mutate_once(b: &mut Vec<u8>, rng: &mut Rng, terraform: bool) -> &'static str {
    let len = b.len();
    match rng.below(19) {
        16..=18 if terraform => {
            storm(b, rng);
            "expression storm"
        }
        0 | 16 => {
            b.truncate(rng.below(len + 1));
            "truncate"
        }
        1 => {
            if len > 0 {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            "bit flip"
        }
        2 => {
            if len > 0 {
                let i = rng.below(len);
                b[i] = *rng.pick(b"{}[]()$!&*:-?|>'\"#%@`=,\\\n\t\0\xff");
            }
            "byte set"
        }
        3 | 4 => {
            let starts = line_starts(b);
            let (s, e) = line_range(b, &starts, rng.below(starts.len()));
            let line: Vec<u8> = b[s..e].to_vec();
            let times = if rng.chance(10) { 50 } else { 1 };
            let mut ins = Vec::new();
            for _ in 0..times {
                ins.extend_from_slice(&line);
                ins.push(b'\n');
            }
            b.splice(s..s, ins);
            "duplicate line"
        }
        5 => {
            let starts = line_starts(b);
            let (s, e) = line_range(b, &starts, rng.below(starts.len()));
            let e = (e + 1).min(b.len());
            b.drain(s..e);
            "delete line"
        }
        6 => {
            let starts = line_starts(b);
            let i = rng.below(starts.len());
            let j = rng.below(starts.len());
            let (a, bb) = (i.min(j), i.max(j));
            if a != bb {
                let (s1, e1) = line_range(b, &starts, a);
                let (s2, e2) = line_range(b, &starts, bb);
                let l1 = b[s1..e1].to_vec();
                let l2 = b[s2..e2].to_vec();
                b.splice(s2..e2, l1);
                b.splice(s1..e1, l2);
            }
            "swap lines"
        }
        7..=9 => {
            let at = rng.below(len + 1);
            let tok = rng.pick(TOKENS).as_bytes().to_vec();
            b.splice(at..at, tok);
            "insert token"
        }
        10 => {
            // Deep nesting.
            let at = rng.below(len + 1);
            let n = *rng.pick(&[64usize, 130, 500, 3000, 20000]);
            let (open, close) = *rng.pick(&[
                ("[", "]"),
                ("{", "}"),
                ("(", ")"),
                ("${", "}"),
                ("- ", ""),
                ("a:\n ", ""),
                ("!If [", "]"),
            ]);
            let mut ins = open.repeat(n).into_bytes();
            ins.extend_from_slice(b"1");
            ins.extend_from_slice(close.repeat(n).as_bytes());
            b.splice(at..at, ins);
            "deep nesting"
        }
        11 => {
            // Blow a chunk up.
            if len > 0 {
                let s = rng.below(len);
                let e = (s + 1 + rng.below(64)).min(len);
                let chunk = b[s..e].to_vec();
                let times = 1 + rng.below(2000);
                let mut ins = Vec::with_capacity(chunk.len() * times);
                for _ in 0..times {
                    ins.extend_from_slice(&chunk);
                }
                b.splice(s..s, ins);
            }
            "repeat chunk"
        }
        12 => {
            // YAML anchors and aliases around a random line.
            let starts = line_starts(b);
            let i = rng.below(starts.len());
            let (s, e) = line_range(b, &starts, i);
            let line = String::from_utf8_lossy(&b[s..e]).to_string();
            let new = if let Some(c) = line.find(": ") {
                let (k, v) = line.split_at(c + 2);
                match rng.below(4) {
                    0 => format!("{k}&a {v}"),
                    1 => format!("{k}*a"),
                    2 => format!("{k}!Ref {v}"),
                    _ => format!("{k}&a [*a, *a, *a, *a]"),
                }
            } else {
                format!("{line} &a *a")
            };
            b.splice(s..e, new.into_bytes());
            "yaml alias"
        }
        _ => {
            // Replace a value by a generated expression (Terraform) or a
            // tricky scalar (elsewhere).
            let starts = line_starts(b);
            let i = rng.below(starts.len());
            let (s, e) = line_range(b, &starts, i);
            let line = String::from_utf8_lossy(&b[s..e]).to_string();
            let sep = if terraform { "= " } else { ": " };
            let Some(c) = line.find(sep) else {
                return "replace value (no value)";
            };
            let value = if terraform {
                expr(rng, 4)
            } else {
                rng.pick(&[
                    "",
                    "~",
                    "null",
                    "[]",
                    "{}",
                    "-1",
                    "1e400",
                    "99999999999999999999",
                    "\"\\uD800\"",
                    "!!binary AAAA",
                    "!!int x",
                    "*a",
                    "&a x",
                    "[*a]",
                    "\"0.0.0.0/0\"",
                    "'*'",
                    "{a: *a}",
                    "|\n  x",
                    "2001-12-14",
                    "0x7FFFFFFFFFFFFFFFF",
                    ".nan",
                    "true",
                    "\"\"",
                    "\"${var.x}\"",
                    "!Sub '${Nope}'",
                    "!GetAtt [A]",
                    "!Select [99, [a]]",
                    "!Select [-1, []]",
                    "!Split [',', 1]",
                    "!Join",
                    "!Base64 {}",
                    "!Cidr ['10.0.0.0/8', 999, 99]",
                    "!FindInMap [a, b, c]",
                    "!Equals [1]",
                    "!Not [[]]",
                    "!Condition 9",
                    "5",
                    "[1, 2]",
                    "{a: 1}",
                    "[{}]",
                    "[[]]",
                    "'-1'",
                    "65536",
                    "-65536",
                    "0",
                    "\"\"",
                    "[null]",
                    "{name: *a}",
                    "[x, [y, [z]]]",
                    "1.5",
                    "'0777'",
                    "[\"*\"]",
                    "Always",
                ])
                .to_string()
            };
            let new = format!("{}{value}", &line[..c + sep.len()]);
            b.splice(s..e, new.into_bytes());
            "replace value"
        }
    }
}

/// Appends locals built from generated expressions and resources of the
/// modelled families whose attributes (and `count`/`for_each`) use them,
/// so the evaluator and the adapters see every kind of odd value.
fn storm(b: &mut Vec<u8>, rng: &mut Rng) {
    #[rustfmt::skip]
    const RESOURCES: &[(&str, &[&str])] = &[
        (
            "aws_security_group",
            &["vpc_id", "ingress.from_port", "ingress.to_port", "ingress.protocol",
              "ingress.cidr_blocks", "ingress.ipv6_cidr_blocks", "ingress.security_groups",
              "egress.cidr_blocks", "name"],
        ),
        (
            "aws_security_group_rule",
            &["type", "from_port", "to_port", "protocol", "cidr_blocks", "security_group_id",
              "source_security_group_id", "self", "prefix_list_ids"],
        ),
        (
            "aws_db_instance",
            &["engine", "publicly_accessible", "storage_encrypted", "kms_key_id", "password",
              "multi_az", "backup_retention_period", "db_subnet_group_name",
              "vpc_security_group_ids", "enabled_cloudwatch_logs_exports", "parameter_group_name",
              "replicate_source_db", "iam_database_authentication_enabled", "port"],
        ),
        (
            "aws_eks_cluster",
            &["vpc_config.endpoint_public_access", "vpc_config.public_access_cidrs",
              "vpc_config.subnet_ids", "encryption_config.provider.key_arn",
              "encryption_config.resources", "enabled_cluster_log_types", "role_arn"],
        ),
        (
            "aws_iam_role",
            &["assume_role_policy", "name", "managed_policy_arns", "inline_policy.policy"],
        ),
        (
            "aws_iam_role_policy",
            &["role", "policy"],
        ),
        (
            "aws_s3_bucket_policy",
            &["bucket", "policy"],
        ),
        (
            "aws_kms_key",
            &["enable_key_rotation", "policy", "rotation_period_in_days", "key_usage",
              "customer_master_key_spec"],
        ),
        (
            "aws_lb",
            &["internal", "load_balancer_type", "subnets", "security_groups",
              "access_logs.enabled", "subnet_mapping.subnet_id"],
        ),
        (
            "aws_lb_listener",
            &["load_balancer_arn", "port", "protocol", "ssl_policy", "certificate_arn",
              "default_action.type", "default_action.redirect.protocol"],
        ),
        (
            "aws_route_table",
            &["vpc_id", "route.cidr_block", "route.gateway_id", "route.nat_gateway_id",
              "route.vpc_peering_connection_id"],
        ),
        (
            "aws_subnet",
            &["vpc_id", "cidr_block", "map_public_ip_on_launch", "availability_zone"],
        ),
        (
            "aws_network_acl_rule",
            &["network_acl_id", "rule_number", "egress", "protocol", "rule_action",
              "cidr_block", "from_port", "to_port"],
        ),
        (
            "aws_cloudfront_distribution",
            &["web_acl_id", "default_cache_behavior.viewer_protocol_policy",
              "viewer_certificate.minimum_protocol_version", "origin.domain_name",
              "origin.custom_origin_config.origin_protocol_policy",
              "origin.custom_origin_config.origin_ssl_protocols"],
        ),
        (
            "aws_wafv2_web_acl",
            &["scope", "rule.name", "rule.statement.managed_rule_group_statement.name",
              "rule.override_action.none"],
        ),
        (
            "aws_secretsmanager_secret",
            &["kms_key_id", "name"],
        ),
        (
            "aws_eks_node_group",
            &["subnet_ids", "remote_access.ec2_ssh_key", "remote_access.source_security_group_ids",
              "launch_template.id", "node_role_arn"],
        ),
        (
            "aws_instance",
            &["subnet_id", "associate_public_ip_address", "vpc_security_group_ids",
              "metadata_options.http_tokens", "root_block_device.encrypted", "user_data"],
        ),
    ];
    let mut out = String::from("\n");
    let n = 1 + rng.below(4);
    out.push_str("locals {\n");
    for i in 0..n {
        let depth = 1 + rng.below(4) as u32;
        out.push_str(&format!("  l{i} = {}\n", expr(rng, depth)));
    }
    out.push_str("}\n");
    for r in 0..1 + rng.below(3) {
        let (kind, attrs) = *rng.pick(RESOURCES);
        out.push_str(&format!("resource \"{kind}\" \"fz{r}\" {{\n"));
        match rng.below(5) {
            0 => out.push_str(&format!("  count = {}\n", expr(rng, 2))),
            1 => out.push_str(&format!("  for_each = {}\n", expr(rng, 2))),
            _ => {}
        }
        let mut chosen: Vec<&str> = Vec::new();
        for _ in 0..1 + rng.below(attrs.len()) {
            let attr = *rng.pick(attrs);
            if chosen.contains(&attr) {
                continue;
            }
            chosen.push(attr);
            let value = if rng.chance(50) {
                format!("local.l{}", rng.below(n))
            } else {
                let depth = 1 + rng.below(3) as u32;
                expr(rng, depth)
            };
            let parts: Vec<&str> = attr.split('.').collect();
            let (blocks, last) = parts.split_at(parts.len() - 1);
            let dynamic = !blocks.is_empty() && rng.chance(15);
            for (d, blk) in blocks.iter().enumerate() {
                if dynamic && d == 0 {
                    out.push_str(&format!(
                        "  dynamic \"{blk}\" {{\n    for_each = {}\n    content {{\n",
                        expr(rng, 2)
                    ));
                } else {
                    out.push_str(&format!("  {blk} {{\n"));
                }
            }
            let value = if dynamic && rng.chance(50) {
                format!("{}.value", blocks[0])
            } else {
                value
            };
            out.push_str(&format!("  {} = {value}\n", last[0]));
            for _ in blocks {
                out.push_str("  }\n");
            }
            if dynamic {
                out.push_str("  }\n");
            }
        }
        out.push_str("}\n");
    }
    if rng.chance(5) {
        // Work bombs: nested iteration and doubling, which must stop at the
        // evaluator's budget.
        let bomb = rng.pick(&[
            "[for x in range(100000) : [for y in range(100000) : x]]",
            "\"%{for a in range(100000)}%{for b in range(100000)}%{endfor}%{endfor}\"",
            "jsonencode([for x in range(1000) : [for y in range(1000) : range(1000)]])",
            "length(flatten([for x in range(1000) : [for y in range(1000) : range(100)]]))",
        ]);
        out.push_str(&format!(
            "locals {{\n  bomb = {bomb}\n}}\nresource \"aws_s3_bucket\" \"bomb\" {{\n  bucket = \"${{local.bomb}}\"\n}}\n"
        ));
    }
    if rng.chance(20) {
        out.push_str(&format!(
            "variable \"x_unknown\" {{\n  default = {}\n}}\n",
            expr(rng, 3)
        ));
    }
    if rng.chance(20) {
        out.push_str(&format!(
            "module \"m\" {{\n  source = \"{}\"\n  x = {}\n}}\n",
            rng.pick(&[
                "./",
                "../",
                ".",
                "./nope",
                "git::https://example.com/x",
                "/"
            ]),
            expr(rng, 2)
        ));
    }
    b.extend_from_slice(out.as_bytes());
}

/// Panics seen by the hook (also those a loader catches itself).
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if let Ok(mut p) = PANICS.lock() {
                p.push(format!("panic at {at}: {msg}"));
            }
        }));
    });
}

fn take_panics() -> Vec<String> {
    PANICS
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default()
}

/// Copies `from` (a directory) into `to`, replacing `target` by `bytes`.
fn copy_dir_with(from: &Path, to: &Path, target: &Path, bytes: &[u8]) {
    let _ = std::fs::create_dir_all(to);
    let mut files = Vec::new();
    walk(from, &mut files);
    for f in files {
        let Ok(rel) = f.strip_prefix(from) else {
            continue;
        };
        let dest = to.join(rel);
        if let Some(p) = dest.parent() {
            let _ = std::fs::create_dir_all(p);
        }
        if f == target {
            let _ = std::fs::write(&dest, bytes);
        } else {
            let _ = std::fs::copy(&f, &dest);
        }
    }
}

/// What is wrong with a report (empty when it is well formed).
fn check_report(report: &ScanReport, dir: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    for e in &report.errors {
        if e.file.trim().is_empty() {
            bad.push(format!("error without a file: {e:?}"));
        }
        if e.line == Some(0) {
            bad.push(format!("error at line 0: {e:?}"));
        }
        if e.message.contains("internal error") {
            bad.push(format!("internal error (a caught panic): {e:?}"));
        }
    }
    for f in &report.findings {
        if f.location.file.trim().is_empty() || f.location.line == 0 {
            bad.push(format!("finding without a place: {f:?}"));
        }
    }
    for u in &report.unknowns {
        if let Some(l) = &u.location {
            if l.file.trim().is_empty() || l.line == 0 {
                bad.push(format!("unknown without a place: {u:?}"));
            }
        }
    }
    for n in &report.notes {
        if n.file.trim().is_empty() {
            bad.push(format!("note without a file: {n:?}"));
        }
    }
    let opts = TextOptions {
        color: false,
        source_root: Some(dir.to_path_buf()),
    };
    for format in Format::ALL {
        let mut out = Vec::new();
        if let Err(e) = render(report, format, &opts, &mut out) {
            bad.push(format!("{format} rendering failed: {e}"));
            continue;
        }
        if matches!(format, Format::Json | Format::Sarif)
            && serde_json::from_slice::<serde_json::Value>(&out).is_err()
        {
            bad.push(format!("{format} output is not JSON"));
        }
    }
    bad
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn mutated_inputs_never_panic_and_reports_stay_well_formed() {
    install_hook();
    let seeds = seeds();
    assert!(seeds.len() > 100, "too few seed files: {}", seeds.len());
    let iterations = env_u64("FUZZ_ITERATIONS").unwrap_or(240);
    let seed = env_u64("FUZZ_SEED").unwrap_or(0x7061_6c69_7361_6465);
    let only = env_u64("FUZZ_ONLY");
    let keep = std::env::var_os("FUZZ_KEEP").is_some();
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz_inputs");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut failures = Vec::new();
    let mut third_party = Vec::new();
    let mut slowest: Vec<(Duration, u64, String)> = Vec::new();
    let started = Instant::now();
    let mut ran = 0u64;
    for i in 0..iterations {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        ran += 1;
        let mut rng = Rng::new(seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let file = &seeds[rng.below(seeds.len())];
        let Ok(original) = std::fs::read(file) else {
            continue;
        };
        let name = file.to_string_lossy();
        let terraform = name.ends_with(".tf") || name.ends_with(".tfvars");
        let mut bytes = original;
        let mut applied = Vec::new();
        for _ in 0..1 + rng.below(3) {
            applied.push(mutate_once(&mut bytes, &mut rng, terraform));
        }
        let Some(parent) = file.parent() else {
            continue;
        };
        let dir = scratch.join(format!("m{i:06}"));
        copy_dir_with(parent, &dir, file, &bytes);
        let opts = ScanOptions {
            paths: vec![dir.clone()],
            display_base: dir.clone(),
            ..Default::default()
        };
        let rel = file
            .strip_prefix(workspace())
            .unwrap_or(file)
            .display()
            .to_string();
        let what = format!(
            "iteration {i}: {rel} after {applied:?} (mutant in {})",
            dir.display()
        );
        let t = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan(&opts)));
        let took = t.elapsed();
        slowest.push((took, i, rel.clone()));
        slowest.sort_by(|a, b| b.cmp(a));
        slowest.truncate(5);
        let mut problems = Vec::new();
        match outcome {
            Err(_) => problems.push("scan panicked".to_string()),
            Ok(outcome) => {
                problems.extend(check_report(&outcome.report, &dir));
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    serde_json::to_vec(&outcome.model)
                }))
                .is_err()
                {
                    problems.push("model JSON panicked".into());
                }
            }
        }
        for p in take_panics() {
            // A panic inside a dependency that palisade catches (a parser's
            // own bug) is listed, not failed; any other panic fails.
            if p.contains("/registry/src/") && !p.contains("palisade") {
                third_party.push(format!("{what}: {p}"));
            } else {
                problems.push(p);
            }
        }
        if problems.is_empty() {
            if !keep {
                let _ = std::fs::remove_dir_all(&dir);
            }
        } else {
            failures.push(format!("{what}:\n    {}", problems.join("\n    ")));
        }
    }
    eprintln!(
        "fuzz_inputs: {ran} mutants of {} seed files in {:.1?}; slowest: {:?}",
        seeds.len(),
        started.elapsed(),
        slowest
    );
    if !third_party.is_empty() {
        eprintln!(
            "{} panic(s) inside dependencies, caught by palisade:\n  {}",
            third_party.len(),
            third_party.join("\n  ")
        );
    }
    assert!(
        failures.is_empty(),
        "{} failing mutant(s) (reproduce with FUZZ_ONLY=<iteration>):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
