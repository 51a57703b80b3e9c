//! Keeping Terraform roots apart in one model.
//!
//! Terraform addresses are unique within a root only: two environments
//! (`envs/prod`, `envs/staging`) both declare `aws_iam_role.app`. When a scan
//! loads several roots into one model, links must not cross from one root
//! to another. Before adaptation every address and reference of a root is
//! placed under a pseudo-module, `module.__root["envs/prod"].aws_iam_role.app`,
//! which the adapter parses like any module address; afterwards the address
//! users see is restored (the scoped one stays a key for links), and the
//! scope is removed from messages.

use palisade_model::aws::Aws;
use palisade_model::raw::{Raw, RawNode, RawResource};
use palisade_model::Unknown;

const OPEN: &str = "module.__root[\"";
const CLOSE: &str = "\"].";

fn prefix(scope: &str) -> String {
    format!("{OPEN}{}{CLOSE}", scope.replace('"', "'"))
}

/// Places every address and reference of one root under `scope`.
pub fn apply(resources: &mut [RawResource], scope: &str) {
    let p = prefix(scope);
    for r in resources {
        r.address.insert_str(0, &p);
        scope_node(&mut r.body, &p);
    }
}

fn scope_node(node: &mut RawNode, p: &str) {
    match &mut node.value {
        Raw::Ref { address, .. } => address.insert_str(0, p),
        Raw::List(items) => items.iter_mut().for_each(|n| scope_node(n, p)),
        Raw::Map(m) => m.values_mut().for_each(|n| scope_node(n, p)),
        _ => {}
    }
}

/// Restores the addresses users know, keeping the scoped ones as keys.
pub fn restore(aws: &mut Aws, unknowns: &mut [Unknown]) {
    for meta in aws.metas_mut() {
        let shown = strip(&meta.address);
        if shown != meta.address {
            let scoped = std::mem::replace(&mut meta.address, shown);
            meta.keys.push(scoped);
        }
    }
    aws.finish();
    for u in unknowns {
        u.resource = strip(&u.resource);
        u.reason = strip(&u.reason);
    }
}

/// Removes every scope prefix from a text (addresses inside messages).
pub fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        match after.find(CLOSE) {
            Some(end) => rest = &after[end + CLOSE.len()..],
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_removes_scopes_only() {
        let s = format!(
            "group `{}aws_security_group.db` and `x`",
            prefix("envs/prod")
        );
        assert_eq!(strip(&s), "group `aws_security_group.db` and `x`");
        assert_eq!(
            strip("module.__root[\"unterminated"),
            "module.__root[\"unterminated"
        );
        assert_eq!(strip("plain"), "plain");
    }
}
