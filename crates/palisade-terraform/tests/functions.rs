mod common;

use common::*;
use palisade_model::raw::Raw;

#[test]
fn network_functions() {
    let l = load("functions");
    let r = res(&l, "test_fn.net");
    assert_eq!(s(r, "subnet"), "10.0.1.0/24");
    assert_eq!(s(r, "subnet6"), "fd00:fd12:3456:7800:a200::/72");
    assert_eq!(s(r, "host"), "10.12.112.16");
    assert_eq!(s(r, "host_neg"), "10.12.127.254");
    assert_eq!(s(r, "netmask"), "255.240.0.0");
    assert_eq!(
        sh(r, "subnets"),
        r#"["10.1.0.0/20","10.1.16.0/20","10.1.32.0/24","10.1.48.0/20"]"#
    );
}

#[test]
fn collection_functions() {
    let l = load("functions");
    let r = res(&l, "test_fn.coll");
    assert_eq!(sh(r, "merge"), "{a:3,b:2}");
    assert_eq!(sh(r, "lookup"), "2");
    assert_eq!(sh(r, "lookup_def"), "9");
    assert_eq!(sh(r, "concat"), "[1,2,3]");
    assert_eq!(sh(r, "flatten"), "[1,2,3]");
    assert_eq!(sh(r, "length"), "[5,2,1]");
    assert_eq!(sh(r, "element"), r#""b""#);
    assert_eq!(sh(r, "keys"), r#"["a","b"]"#);
    assert_eq!(sh(r, "values"), "[2,1]");
    assert_eq!(sh(r, "contains"), "[true,false]");
    assert_eq!(sh(r, "zipmap"), "{x:1,y:2}");
    assert_eq!(sh(r, "distinct"), r#"["a","b"]"#);
    assert_eq!(sh(r, "compact"), r#"["a","b"]"#);
    assert_eq!(sh(r, "minmax"), "[1,3,4,6]");
    assert_eq!(sh(r, "range"), "[[0,1,2],[1,3,5]]");
    assert_eq!(sh(r, "slice"), r#"["b","c"]"#);
    assert_eq!(sh(r, "sort"), r#"["a","b","c"]"#);
    assert_eq!(sh(r, "reverse"), "[3,2,1]");
    assert_eq!(sh(r, "sets"), r#"[["a","b"],["b"],["b"]]"#);
    assert_eq!(sh(r, "one"), r#"[null,"x"]"#);
    assert_eq!(sh(r, "coalesce"), r#""x""#);
    assert_eq!(sh(r, "coalescel"), r#"["y"]"#);
    assert_eq!(sh(r, "tolist"), r#"["a","b"]"#);
    assert_eq!(sh(r, "tomap"), r#"{a:"1"}"#);
    assert_eq!(sh(r, "conv"), r#"["5",42,true]"#);
    assert_eq!(sh(r, "expand"), "3");
    assert_eq!(sh(r, "index"), "1");
    assert_eq!(sh(r, "chunk"), "[[1,2],[3]]");
}

#[test]
fn string_and_encoding_functions() {
    let l = load("functions");
    let r = res(&l, "test_fn.str");
    assert_eq!(s(r, "format"), "a-007-2.2");
    assert_eq!(sh(r, "formatlist"), r#"["a=v","b=v"]"#);
    assert_eq!(s(r, "join"), "a-b-c");
    assert_eq!(sh(r, "split"), r#"["a","b","","c"]"#);
    assert_eq!(s(r, "replace"), "a_b_c");
    assert_eq!(s(r, "replace_re"), "hell0 w0rld");
    assert_eq!(sh(r, "regex"), r#"["10","20"]"#);
    assert_eq!(sh(r, "regex_named"), r#"{a:"k",b:"5"}"#);
    assert_eq!(sh(r, "regexall"), r#"["1","22","333"]"#);
    assert_eq!(sh(r, "case"), r#"["abc","ABC","Hello World"]"#);
    assert_eq!(sh(r, "trims"), r#"["x","x","x","x","x"]"#);
    assert_eq!(sh(r, "starts"), "[true,true,true]");
    assert_eq!(sh(r, "substr"), r#"["ello","llo"]"#);
    assert_eq!(s(r, "b64"), "SGVsbG8=");
    assert_eq!(s(r, "b64d"), "Hello");
    assert_eq!(s(r, "json"), r#"{"a":"x","b":[1,true,null]}"#);
    assert_eq!(sh(r, "jsond"), "2");
    assert_eq!(s(r, "yaml"), "a: 1\nb:\n- x\n");
    assert_eq!(s(r, "indent"), "a\n  b");
    assert_eq!(s(r, "url"), "a%20b%26c");
}

#[test]
fn try_and_can_are_lazy() {
    let l = load("functions");
    let r = res(&l, "test_fn.lazy");
    assert_eq!(s(r, "try_ok"), "fallback");
    assert_eq!(sh(r, "try_first"), "1");
    assert_eq!(sh(r, "try_num"), "5");
    // The first argument evaluates without error but is unknown: unknown.
    assert!(matches!(get(r, "try_unknown").value, Raw::Unknown(_)));
    assert!(b(r, "can_ok"));
    assert!(!b(r, "can_fail"));
    assert!(matches!(get(r, "can_unknown").value, Raw::Unknown(_)));
}

#[test]
fn file_functions_stay_inside_the_tree() {
    let l = load("functions");
    let r = res(&l, "test_fn.files");
    assert_eq!(s(r, "file_ok"), "{\"Version\": \"2012-10-17\"}\n");
    assert!(unknown_reason(r, "file_miss").contains("does not exist"));
    assert!(unknown_reason(r, "file_out").contains("outside the scanned tree"));
    assert!(unknown_reason(r, "file_up").contains("outside the scanned tree"));
    assert_eq!(s(r, "tmpl"), "#!/bin/bash\necho web\nopen 80\nopen 443\n");
    assert!(b(r, "exists"));
}

#[test]
fn unsupported_functions_are_unknown_with_a_note() {
    let l = load("functions");
    let r = res(&l, "test_fn.unsupported");
    for a in ["ts", "made_up", "hash", "provider_fn"] {
        assert!(matches!(get(r, a).value, Raw::Unknown(_)), "{a}");
    }
    assert!(l
        .notes
        .iter()
        .any(|d| d.message.contains("`not_a_function`") && d.line.is_some()));
    assert!(l
        .notes
        .iter()
        .any(|d| d.message.contains("provider::aws::arn_parse")));
}

#[test]
fn unknowns_never_become_concrete() {
    let l = load("functions");
    let r = res(&l, "test_fn.unknowns");
    let m = r.body.as_map().expect("map");
    for (k, v) in m {
        match k.as_str() {
            // Known shape, unknown element.
            "length_list" => assert_eq!(show(v), "2"),
            "contains_y" => assert_eq!(show(v), "true"),
            "merge" => assert_eq!(show(v), "{a:1,b:?}"),
            "for_expr" => assert_eq!(show(v), "[?]"),
            "lookup" => assert_eq!(show(v), "?"),
            "element" => assert_eq!(show(v), "?"),
            // The document's structure is kept (for policy analysis); the
            // unknown part stays unknown.
            "jsonencode" => assert_eq!(show(v), "{a:?}"),
            _ => assert!(wholly_unknown(v), "{k} became {}", show(v)),
        }
    }
    assert!(m.len() >= 24);
}
