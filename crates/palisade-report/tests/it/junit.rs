//! JUnit XML: well-formed (parsed back with quick-xml), counts, escaping.

use crate::fixture::{finding, render_str, report};
use palisade_model::finding::{ScanReport, Severity};
use palisade_model::Location;
use palisade_report::Format;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&Element> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
}

fn element(e: &BytesStart<'_>) -> Element {
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            let key = String::from_utf8(a.key.as_ref().to_vec()).expect("UTF-8 key");
            let value = a.unescape_value().expect("valid escapes").into_owned();
            (key, value)
        })
        .collect();
    Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).expect("UTF-8 name"),
        attrs,
        ..Element::default()
    }
}

/// Parses a whole document, panicking on anything not well-formed: mismatched
/// or unclosed tags, bad escapes, duplicate attributes, several roots.
pub fn parse(xml: &str) -> Element {
    assert!(
        xml.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')),
        "XML 1.0 cannot carry control characters"
    );
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let el = element(&e);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => assert!(root.replace(el).is_none(), "several roots"),
                }
            }
            Event::End(_) => {
                let el = stack.pop().expect("end tag has a start tag");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => assert!(root.replace(el).is_none(), "several roots"),
                }
            }
            Event::Text(t) => {
                let text = t.unescape().expect("valid text escapes");
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&text),
                    None => assert!(text.trim().is_empty(), "text outside the root"),
                }
            }
            Event::Eof => break,
            Event::Decl(_) => {}
            other => panic!("unexpected XML event {other:?}"),
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    root.expect("a root element")
}

fn count(el: &Element, key: &str) -> usize {
    el.attr(key)
        .unwrap_or_else(|| panic!("{} has no {key}", el.name))
        .parse()
        .expect("count is a number")
}

#[test]
fn fixture_is_well_formed_with_consistent_counts() {
    let xml = render_str(&report(), Format::Junit);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let root = parse(&xml);
    assert_eq!(root.name, "testsuites");
    let suites = root.all("testsuite");
    assert_eq!(suites.len(), 1);
    let suite = suites[0];
    let cases = suite.all("testcase");

    // rule × resource: SSH/web, backup/main, password/main; S3 passed;
    // one load error; one unknown.
    assert_eq!(cases.len(), 6);
    let failed = cases
        .iter()
        .filter(|c| !c.all("failure").is_empty())
        .count();
    let errored = cases.iter().filter(|c| !c.all("error").is_empty()).count();
    let skipped = cases
        .iter()
        .filter(|c| !c.all("skipped").is_empty())
        .count();
    for el in [&root, suite] {
        assert_eq!(count(el, "tests"), cases.len());
        assert_eq!(count(el, "failures"), failed);
        assert_eq!(count(el, "errors"), errored);
        assert_eq!(count(el, "skipped"), skipped);
    }
    assert_eq!((failed, errored, skipped), (3, 1, 1));

    let ssh = cases
        .iter()
        .find(|c| c.attr("classname") == Some("NET-SG-OPEN-SSH"))
        .expect("SSH testcase");
    assert_eq!(ssh.attr("name"), Some("aws_security_group.web"));
    let failure = ssh.all("failure")[0];
    assert_eq!(failure.attr("type"), Some("critical"));
    assert_eq!(
        failure.attr("message"),
        Some("Security group allows SSH from anywhere")
    );
    assert!(
        failure.text.contains("at network/main.tf:4"),
        "{}",
        failure.text
    );
    assert!(failure.text.contains("help: Restrict cidr_blocks"));

    let passed = cases
        .iter()
        .find(|c| c.attr("classname") == Some("S3-PUBLIC-ACL"))
        .expect("passing rule testcase");
    assert!(passed.children.is_empty());
}

#[test]
fn one_testcase_per_rule_and_resource_with_a_failure_per_finding() {
    let mut r = report();
    let mut second = r.findings[0].clone();
    second.location = Location::new("network/main.tf", 9, 9);
    second.message = "ingress on port 22 is open to ::/0".into();
    r.findings.push(second);
    r.normalise();
    let root = parse(&render_str(&r, Format::Junit));
    let suite = root.all("testsuite")[0];
    let ssh: Vec<&Element> = suite
        .all("testcase")
        .into_iter()
        .filter(|c| c.attr("classname") == Some("NET-SG-OPEN-SSH"))
        .collect();
    assert_eq!(ssh.len(), 1);
    assert_eq!(ssh[0].all("failure").len(), 2);
    assert_eq!(count(suite, "failures"), 3);
}

#[test]
fn hostile_strings_are_escaped() {
    let nasty = "a<b>&c\"d'e]]>\u{1b}[31m\u{0}";
    let mut r = ScanReport::default();
    r.findings.push(finding(
        "R-<1>",
        Severity::Low,
        nasty,
        &["X&Y"],
        &format!("aws_s3_bucket.b[\"{nasty}\"]"),
        Location::new("dir/<odd>&.tf", 1, 1),
        &format!("message {nasty}\nsecond line"),
        nasty,
    ));
    r.errors
        .push(palisade_model::Diagnostic::new("x\".yaml", None, nasty));
    r.normalise();
    let xml = render_str(&r, Format::Junit);
    let root = parse(&xml);
    let suite = root.all("testsuite")[0];
    let case = suite.all("testcase")[0];
    assert_eq!(case.attr("classname"), Some("R-<1>"));
    assert_eq!(
        case.attr("name"),
        Some("aws_s3_bucket.b[\"a<b>&c\"d'e]]>\u{FFFD}[31m\u{FFFD}\"]")
    );
    let failure = case.all("failure")[0];
    assert!(failure.text.contains("message a<b>&c\"d'e]]>"));
    assert!(failure.text.contains("\nsecond line"));
    assert_eq!(count(suite, "errors"), 1);
}

#[test]
fn empty_report_is_well_formed() {
    let root = parse(&render_str(&ScanReport::default(), Format::Junit));
    assert_eq!(count(&root, "tests"), 0);
    assert_eq!(count(&root, "failures"), 0);
}
