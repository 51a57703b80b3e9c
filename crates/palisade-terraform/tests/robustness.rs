mod common;

use common::*;
use palisade_model::raw::Raw;
use palisade_terraform::{looks_like_terraform, Options};
use std::fmt::Write as _;

#[test]
fn malformed_files_are_errors_and_the_rest_loads() {
    let l = load("malformed");
    let addrs = addresses(&l);
    assert!(addrs.contains(&"aws_s3_bucket.good"), "{addrs:?}");
    // Recovery inside the broken file: blocks before and after the bad one load.
    assert!(addrs.contains(&"aws_s3_bucket.before"), "{addrs:?}");
    assert!(addrs.contains(&"aws_s3_bucket.after"), "{addrs:?}");
    assert!(!addrs.contains(&"aws_s3_bucket.broken"));
    let bad = l
        .errors
        .iter()
        .find(|e| e.file == "malformed/bad.tf")
        .expect("error for bad.tf");
    assert_eq!(bad.line, Some(7), "{bad:?}");
    assert!(bad.message.contains("syntax error"));
    let worse = l
        .errors
        .iter()
        .find(|e| e.file == "malformed/worse.tf")
        .expect("error for worse.tf");
    assert_eq!(worse.line, Some(1));
    let json = l
        .errors
        .iter()
        .find(|e| e.file == "malformed/broken.tf.json")
        .expect("error for broken.tf.json");
    assert_eq!(json.line, Some(1));
    assert!(json.message.contains("JSON"));
}

#[test]
fn binary_invalid_utf8_and_oversized_files_are_errors() {
    let d = temp_dir("binary");
    std::fs::write(
        d.join("ok.tf"),
        "resource \"aws_s3_bucket\" \"ok\" {\n  bucket = \"ok\"\n}\n",
    )
    .expect("write");
    std::fs::write(
        d.join("bin.tf"),
        [0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 0xff, 0xfe],
    )
    .expect("write");
    std::fs::write(d.join("latin1.tf"), b"# caf\xe9\nresource \"a\" \"b\" {}\n").expect("write");
    let big = format!("locals {{\n  x = \"{}\"\n}}\n", "a".repeat(4096));
    std::fs::write(d.join("big.tf"), big).expect("write");
    let opts = Options {
        max_file_bytes: 2048,
        ..Options::default()
    };
    let l = load_dir(&d, &opts, &d);
    assert_eq!(addresses(&l), vec!["aws_s3_bucket.ok"]);
    let msg = |f: &str| {
        l.errors
            .iter()
            .find(|e| e.file == f)
            .unwrap_or_else(|| panic!("no error for {f}: {:?}", l.errors))
            .clone()
    };
    assert!(msg("bin.tf").message.contains("binary"));
    let latin = msg("latin1.tf");
    assert!(latin.message.contains("UTF-8"));
    assert_eq!(latin.line, Some(1));
    assert!(msg("big.tf").message.contains("limit"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let d = temp_dir("deep");
    // Far beyond any parser or evaluator limit.
    let deep_paren = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let deep_list = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let deep_ops = vec!["1"; 5000].join(" + ");
    let deep_obj = format!("{}1{}", "{a = ".repeat(3000), "}".repeat(3000));
    let mut tf = String::new();
    let _ = writeln!(tf, "locals {{\n  p = {deep_paren}\n}}");
    let _ = writeln!(tf, "locals {{\n  l = {deep_list}\n}}");
    let _ = writeln!(tf, "locals {{\n  o = {deep_ops}\n}}");
    let _ = writeln!(tf, "locals {{\n  m = {deep_obj}\n}}");
    std::fs::write(d.join("deep.tf"), tf).expect("write");
    // A long chain of locals, each referring to the previous one.
    let mut chain = String::from("locals {\n  c0 = 1\n");
    for i in 1..2000 {
        let _ = writeln!(chain, "  c{i} = local.c{} + 1", i - 1);
    }
    // The same through `try`: too deep is unknown, never the fallback.
    for i in 1..1000 {
        let _ = writeln!(chain, "  t{i} = try(local.t{} + 1, 0)", i - 1);
    }
    chain.push_str("  t0 = 1\n}\nresource \"x\" \"chain\" {\n  v = local.c1999\n  w = local.c50\n  t = local.t999\n}\n");
    std::fs::write(d.join("chain.tf"), chain).expect("write");
    // Deep JSON.
    let deep_json = format!(
        "{{\"locals\": {{\"j\": {}1{}}}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    std::fs::write(d.join("deep.tf.json"), deep_json).expect("write");
    std::fs::write(d.join("ok.tf"), "resource \"aws_s3_bucket\" \"ok\" {}\n").expect("write");
    let l = load_dir(&d, &Options::default(), &d);
    assert!(addresses(&l).contains(&"aws_s3_bucket.ok"));
    assert!(
        l.errors.iter().any(|e| e.file == "deep.tf"),
        "{:?}",
        l.errors
    );
    assert!(
        l.errors.iter().any(|e| e.file == "deep.tf.json"),
        "{:?}",
        l.errors
    );
    let c = res(&l, "x.chain");
    // Too deep to evaluate: unknown, never a crash; shallow ones still work.
    assert!(matches!(get(c, "v").value, Raw::Unknown(_)));
    assert_eq!(sh(c, "w"), "51");
    assert!(
        matches!(get(c, "t").value, Raw::Unknown(_)),
        "{}",
        sh(c, "t")
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn garbage_inputs_never_panic() {
    let d = temp_dir("garbage");
    let samples = [
        "resource",
        "resource \"a\"",
        "resource \"a\" \"b\" { x = ${ }",
        "locals { a = \"${\" }",
        "locals { a = [for x in : x] }",
        "variable {}",
        "module \"m\" { source = 5 }",
        "resource \"a\" \"b\" { count = -1 }",
        "resource \"a\" \"c\" { count = \"x\" }",
        "resource \"a\" \"d\" { for_each = 5 }",
        "resource \"a\" \"e\" { for_each = [1, [2]] }",
        "resource \"a\" \"f\" { x = 1 / 0 }",
        "resource \"a\" \"g\" { x = [1][5] }",
        "resource \"a\" \"h\" { x = {}.a.b }",
        "resource \"a\" \"i\" { x = null.a }",
        "resource \"a\" \"j\" { x = range(1e12) }",
        "resource \"a\" \"k\" { x = cidrsubnet(\"10.0.0.0/8\", 200, 1) }",
        "resource \"a\" \"l\" { x = cidrhost(\"::/0\", -1e40) }",
        "resource \"a\" \"m\" { x = substr(\"abc\", -10, 100) }",
        "resource \"a\" \"n\" { x = format(\"%\") }",
        "resource \"a\" \"o\" { x = element([], 0) }",
        "resource \"a\" \"p\" { x = regex(\"(\", \"x\") }",
        "resource \"a\" \"q\" { x = jsondecode(\"{\") }",
        "resource \"a\" \"r\" { x = base64decode(\"@@\") }",
        "resource \"a\" \"s\" { x = indent(1e9, \"a\") }",
        "resource \"a\" \"t\" { x = self.x }",
        "resource \"a\" \"u\" { x = count.index }",
        "resource \"a\" \"v\" { x = each.key }",
        "resource \"a\" \"w\" { x = nope.nope.nope }",
        "resource \"a\" \"y\" { dynamic \"z\" { for_each = 5 content {} } }",
        "resource \"a\" \"z\" { dynamic \"z\" { } }",
        "resource \"a\" \"aa\" { x = cidrsubnets(\"::/0\", 128, 1) }",
        "resource \"a\" \"ab\" { x = setproduct(range(1000), range(1000)) }",
        "resource \"a\" \"ac\" { x = parseint(\"zz\", 62) }",
        "resource \"a\" \"ad\" { x = substr(\"abc\", 1, 1e300) }",
        "resource \"a\" \"ae\" { x = chunklist([1], 0.5) }",
        "resource \"a\" \"af\" { count = 1e9 }",
        "resource \"a\" \"ag\" { x = [for i in range(5) : i => i] }",
        "resource \"a\" \"ah\" { x = {for i in [1, 1] : i => i} }",
        "resource \"a\" \"ai\" { x = \"${[1]}\" }",
        "resource \"a\" \"aj\" { x = module.none.x }",
        "resource \"a\" \"ak\" { x = var.none }",
        "resource \"a\" \"al\" { x = cidrhost(\"10.0.0.0/33\", 1) }",
        "resource \"a\" \"am\" { x = templatefile(\"/etc/passwd\", {}) }",
        "resource \"a\" \"an\" { x = file(\"..\") }",
        "output {}",
        "\u{feff}resource \"a\" \"bom\" {}",
        "{\"resource\": 5}",
    ];
    for (i, s) in samples.iter().enumerate() {
        std::fs::write(d.join(format!("f{i:02}.tf")), s).expect("write");
    }
    std::fs::write(d.join("j.tf.json"), "{\"resource\": [1, {\"a\": []}]}").expect("write");
    let l = load_dir(&d, &Options::default(), &d);
    assert!(addresses(&l).contains(&"a.bom"));
    // A huge count is not expanded.
    assert!(addresses(&l).contains(&"a.af"));
    assert!(l.unknowns.iter().any(|u| u.resource == "a.af"));
    assert!(!l.errors.is_empty());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn missing_directory_is_an_error() {
    let l = load("does-not-exist");
    assert_eq!(l.errors.len(), 1);
    assert!(l.resources.is_empty());
}

#[test]
fn json_syntax() {
    let l = load("json");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let sg = res(&l, "aws_security_group.sg");
    assert_eq!(s(sg, "name"), "app-prod");
    assert_eq!(sh(sg, "ingress.0.from_port"), "443");
    assert_eq!(s(sg, "tags.Env"), "prod");
    assert!(sg.body.get("lifecycle").is_none());
    assert_eq!(sg.loc.file.as_ref(), "json/main.tf.json");
    assert_eq!(sg.loc.line, 9);
    let b1 = res(&l, "aws_s3_bucket.b[1]");
    assert_eq!(s(b1, "bucket"), "b-1");
    assert!(b(b1, "versioning.0.enabled"));
    assert_eq!(sh(b1, "rule"), "[{n:1},{n:2}]");
    let p = res(&l, "aws_s3_bucket_policy.p");
    assert_eq!(s(p, "bucket"), "b-1");
    assert_eq!(sh(p, "policy"), "ref(data.aws_iam_policy_document.p.json)");
    assert_eq!(s(p, "sg"), "app-prod");
    let d = res(&l, "data.aws_iam_policy_document.p");
    assert_eq!(sh(d, "statement.0.actions"), r#"["s3:*"]"#);
    assert!(l.unknowns.iter().any(|u| u.resource == "module.remote"));
}

#[test]
fn sniffing() {
    assert!(looks_like_terraform(
        "resource \"aws_s3_bucket\" \"b\" {\n}"
    ));
    assert!(looks_like_terraform(
        "# c\nterraform {\n  required_version = \">= 1\"\n}"
    ));
    assert!(looks_like_terraform(
        "  module \"x\" {\n source = \"./m\"\n}"
    ));
    assert!(looks_like_terraform("{\"resource\": {}}"));
    assert!(!looks_like_terraform("apiVersion: v1\nkind: Pod\n"));
    assert!(!looks_like_terraform(
        "{\"AWSTemplateFormatVersion\": \"2010-09-09\"}"
    ));
    assert!(!looks_like_terraform("resources are nice {"));
    assert!(!looks_like_terraform(""));
}

/// Mutates the fixture files (truncations, inserted punctuation, swapped
/// bytes) and loads each mutant: nothing may panic.
#[test]
fn mutated_fixtures_never_panic() {
    let mut sources = Vec::new();
    for dir in [
        "exprs",
        "functions",
        "refs",
        "dynamic",
        "count_foreach",
        "json",
        "locals",
    ] {
        for e in std::fs::read_dir(fixtures().join(dir))
            .expect("fixture dir")
            .flatten()
        {
            let p = e.path();
            if p.is_file() {
                if let Ok(t) = std::fs::read_to_string(&p) {
                    let name = p
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or("x.tf")
                        .to_string();
                    sources.push((name, t));
                }
            }
        }
    }
    let d = temp_dir("mutants");
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % (n.max(1) as u64)) as usize
    };
    let junk = [
        "{", "}", "[", "]", "(", ")", "\"", "${", "%{", "~}", "=", ".", ",", "*", ":", "?", "!",
        "<<EOF\n", "\n", "...", "=>", "-", "#", "/*", "for ", " in ", "if ",
    ];
    for round in 0..150 {
        let (name, text) = &sources[rnd(sources.len())];
        let mut bytes = text.clone().into_bytes();
        for _ in 0..(1 + rnd(4)) {
            match rnd(3) {
                0 => {
                    let at = rnd(bytes.len());
                    bytes.truncate(at);
                }
                1 => {
                    let at = rnd(bytes.len() + 1);
                    let j = junk[rnd(junk.len())].as_bytes();
                    bytes.splice(at..at, j.iter().copied());
                }
                _ => {
                    if bytes.len() > 2 {
                        let a = rnd(bytes.len());
                        let b = rnd(bytes.len());
                        bytes.swap(a, b);
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join(name), &bytes).expect("write");
        let l = load_dir(&d, &Options::default(), &d);
        // Something was either loaded or reported.
        let _ = (round, l.resources.len() + l.errors.len());
    }
    let _ = std::fs::remove_dir_all(&d);
}

/// A few lines can ask for unbounded work: nested `for` expressions over
/// `range(100000)` allocated gigabytes until the process was killed, and
/// templates, `replace`, `indent`, `join` over shared values, huge `count`,
/// `for_each` and dynamic blocks likewise. Each root has a work budget:
/// past it the values are unknown and one error says where; a string or an
/// instance list that would be too large is unknown with a note.
#[test]
fn evaluation_bombs_stop_with_an_error_and_bounded_work() {
    let d = temp_dir("bombs");
    let write = |name: &str, text: &str| {
        std::fs::create_dir_all(d.join(name)).expect("mkdir");
        std::fs::write(d.join(name).join("main.tf"), text).expect("write");
    };
    write(
        "nested_for",
        "locals {\n  a = range(100000)\n  b = [for x in local.a : [for y in local.a : x]]\n}\n\
resource \"aws_s3_bucket\" \"bomb\" {\n  bucket = \"b-${length(local.b)}\"\n}\n\
resource \"aws_s3_bucket\" \"ok\" {\n  bucket = \"ok\"\n}\n",
    );
    write(
        "shared",
        "locals {\n  a = range(100000)\n  b = [for x in range(1000) : local.a]\n  \
c = jsonencode([for x in range(1000) : local.b])\n}\n\
resource \"aws_s3_bucket\" \"bomb\" {\n  bucket = local.c\n}\n",
    );
    write(
        "template_for",
        "locals {\n  t = \"%{for a in range(100000)}%{for b in range(100000)}%{endfor}%{endfor}\"\n}\n\
resource \"aws_s3_bucket\" \"bomb\" {\n  bucket = local.t\n}\n",
    );
    let mut doubling = String::from("locals {\n  s0 = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n");
    for i in 1..12 {
        let p = format!("${{local.s{}}}", i - 1);
        let _ = writeln!(doubling, "  s{i} = \"{}\"", p.repeat(8));
    }
    doubling.push_str("  r = replace(local.s4, \"x\", local.s4)\n  i = indent(1024, replace(local.s5, \"x\", \"\\n\"))\n}\n");
    doubling.push_str("resource \"aws_s3_bucket\" \"bomb\" {\n  bucket = local.s11\n  policy = local.r\n  acl = local.i\n}\n");
    write("strings", &doubling);
    write(
        "instances",
        "resource \"aws_s3_bucket\" \"many\" {\n  count = 100000\n  bucket = \"b\"\n}\n\
resource \"aws_s3_bucket\" \"keyed\" {\n  for_each = toset([for x in range(20000) : \"k${x}\"])\n  bucket = each.key\n}\n\
resource \"aws_security_group\" \"rules\" {\n  dynamic \"ingress\" {\n    for_each = range(20000)\n    content {\n      from_port = ingress.value\n    }\n  }\n}\n",
    );
    let started = std::time::Instant::now();
    let root = |name: &str| load_dir(&d.join(name), &Options::default(), &d);

    let l = root("nested_for");
    let e = l
        .errors
        .iter()
        .find(|e| e.message.contains("evaluation stopped"))
        .unwrap_or_else(|| panic!("no budget error: {:?}", l.errors));
    assert_eq!((e.file.as_str(), e.line), ("nested_for/main.tf", Some(3)));
    assert!(matches!(
        get(res(&l, "aws_s3_bucket.bomb"), "bucket").value,
        Raw::Unknown(_)
    ));
    assert!(addresses(&l).contains(&"aws_s3_bucket.ok"));

    let l = root("shared");
    assert!(l
        .errors
        .iter()
        .any(|e| e.message.contains("evaluation stopped")));
    assert!(matches!(
        get(res(&l, "aws_s3_bucket.bomb"), "bucket").value,
        Raw::Unknown(_)
    ));

    let l = root("template_for");
    assert!(l
        .errors
        .iter()
        .any(|e| e.message.contains("evaluation stopped")));

    let l = root("strings");
    let b = res(&l, "aws_s3_bucket.bomb");
    for attr in ["bucket", "policy", "acl"] {
        assert!(matches!(get(b, attr).value, Raw::Unknown(_)), "{attr}");
    }

    let l = root("instances");
    assert_eq!(
        addresses(&l),
        vec![
            "aws_s3_bucket.keyed",
            "aws_s3_bucket.many",
            "aws_security_group.rules"
        ]
    );
    assert!(l
        .notes
        .iter()
        .any(|n| n.message.contains("`count` is 100000")));
    assert!(l
        .notes
        .iter()
        .any(|n| n.message.contains("`for_each` has 20000 elements")));
    assert!(l.unknowns.iter().any(|u| u
        .reason
        .contains("dynamic block `ingress` has 20000 elements")));
    // Debug builds are slow; the point is that the work is bounded.
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&d);
}
