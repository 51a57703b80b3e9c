//! A network ACL that lets every packet from and to the whole internet
//! through is no control at all, and gives a false sense of a second layer.
//!
//! NACL entries are stateless and ordered: for each packet, the entry with
//! the lowest rule number that matches decides. The rule therefore looks,
//! per direction and address family, for the lowest-numbered entry that
//! allows all protocols from `0.0.0.0/0` (or `::/0`), and accepts it as
//! "allow all" only when no deny entry with a lower number comes first. It
//! reports ACLs where that holds for both ingress and egress.

use crate::prelude::*;

pub static RULE: Rule = Rule {
    id: "PAL010",
    name: "nacl-allows-all-traffic",
    title: "Network ACL allows all traffic from and to the internet",
    severity: Severity::Medium,
    practices: &["NET-06"],
    benchmarks: &["CKV_AWS_352"],
    description: "The first matching entries of a network ACL allow every protocol and port \
from 0.0.0.0/0 (or ::/0) inbound and to it outbound, with no lower-numbered deny. The ACL then \
filters nothing, and the subnets it covers rely on security groups alone. The seeds ask for \
network ACLs per subnet tier that restrict traffic, as an independent second control.",
    remediation: "Replace the allow-all entries with entries for the ports and CIDRs the tier \
needs (for example the app tier's CIDR on the database port, and ephemeral ports for return \
traffic), and let the implicit final deny drop the rest.",
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html",
    ],
    check,
};

/// What the ordered entries of one direction decide for all traffic of one family.
enum Verdict<'a> {
    AllowsAll(&'a NaclRule, i64),
    Restricts,
    Undecided(&'a NaclRule, String),
}

fn check(m: &Model, cx: &mut Ctx) {
    let aws = &m.aws;
    for acl in &aws.network_acls {
        let rules: Vec<&NaclRule> = aws.nacl_rules_of(acl).collect();
        for v6 in [false, true] {
            let ingress = verdict(&rules, false, v6);
            let egress = verdict(&rules, true, v6);
            match (ingress, egress) {
                (Verdict::AllowsAll(i, n), Verdict::AllowsAll(_, e)) => {
                    let world = if v6 { "::/0" } else { "0.0.0.0/0" };
                    cx.report(
                        &acl.meta,
                        Some(&i.meta.loc),
                        format!(
                            "network ACL allows all traffic from and to {world} (ingress rule \
{n}, egress rule {e})"
                        ),
                    );
                }
                (Verdict::Undecided(r, why), other) | (other, Verdict::Undecided(r, why))
                    if !matches!(other, Verdict::Restricts) =>
                {
                    cx.unknown(&acl.meta, "rule", Some(&r.meta.loc), why);
                }
                _ => {}
            }
        }
    }
}

fn is_all_protocols(p: &str) -> bool {
    matches!(p.trim().to_ascii_lowercase().as_str(), "-1" | "all")
}

/// The CIDR of an entry for the family, `Err` when unknown.
fn cidr(r: &NaclRule, v6: bool) -> Result<Option<&str>, String> {
    let v = if v6 { &r.cidr_v6 } else { &r.cidr_v4 };
    match v {
        Val::Unknown { reason, .. } => Err(reason.clone()),
        _ => Ok(v.some().map(String::as_str)),
    }
}

fn verdict<'a>(rules: &[&'a NaclRule], egress: bool, v6: bool) -> Verdict<'a> {
    let dir: Vec<&NaclRule> = rules
        .iter()
        .copied()
        .filter(|r| r.egress == egress)
        .collect();
    let world = |c: &str| if v6 { is_world_v6(c) } else { is_world_v4(c) };
    // The lowest-numbered known allow-all entry.
    let mut best: Option<(&NaclRule, i64)> = None;
    let mut undecided: Option<(&NaclRule, String)> = None;
    for r in &dir {
        let fields = (
            r.number.get(),
            r.action.get(),
            r.protocol.get(),
            cidr(r, v6),
        );
        match fields {
            (Some(n), Some(a), Some(p), Ok(Some(c)))
                if a.eq_ignore_ascii_case("allow") && is_all_protocols(p) && world(c) =>
            {
                if best.is_none_or(|(_, b)| *n < b) {
                    best = Some((r, *n));
                }
            }
            (Some(_), Some(_), Some(_), Ok(_)) => {}
            (_, _, _, Err(why)) => undecided = undecided.or(Some((r, why))),
            _ => {
                undecided = undecided.or(Some((
                    r,
                    "an entry's number, action or protocol is unknown".into(),
                )))
            }
        }
    }
    let Some((allow, number)) = best else {
        return match undecided {
            Some((r, why)) => Verdict::Undecided(r, why),
            None => Verdict::Restricts,
        };
    };
    // Any deny entry that may come first takes some traffic away.
    for r in &dir {
        if std::ptr::eq(*r, allow) {
            continue;
        }
        let before = match r.number.get() {
            Some(n) => *n < number,
            None => true,
        };
        if !before {
            continue;
        }
        let applies = match cidr(r, v6) {
            Ok(c) => c.is_some(),
            Err(why) => return Verdict::Undecided(r, why),
        };
        match r.action.get() {
            Some(a) if a.eq_ignore_ascii_case("deny") && applies => {
                if r.number.get().is_none() {
                    return Verdict::Undecided(r, "the number of a deny entry is unknown".into());
                }
                return Verdict::Restricts;
            }
            Some(_) => {}
            None if applies => {
                return Verdict::Undecided(r, "the action of an earlier entry is unknown".into())
            }
            None => {}
        }
    }
    Verdict::AllowsAll(allow, number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::Location;

    fn entry(
        number: Option<i64>,
        egress: bool,
        action: &str,
        protocol: &str,
        cidr: &str,
    ) -> NaclRule {
        let loc = Location::new("main.tf", 1, 1);
        NaclRule {
            meta: Meta::new("aws_network_acl.a", "aws_network_acl", loc.clone()),
            acl: Val::known(Ref::new("aws_network_acl.a"), loc.clone()),
            number: match number {
                Some(n) => Val::known(n, loc.clone()),
                None => Val::unknown("var.n has no value", None),
            },
            egress,
            protocol: Val::known(protocol.into(), loc.clone()),
            action: Val::known(action.into(), loc.clone()),
            cidr_v4: Val::known(Some(cidr.into()), loc.clone()),
            cidr_v6: Val::default_(None),
            from_port: Val::default_(None),
            to_port: Val::default_(None),
        }
    }

    #[test]
    fn lowest_number_decides() {
        let allow = entry(Some(100), false, "allow", "-1", "0.0.0.0/0");
        let late_deny = entry(Some(200), false, "deny", "tcp", "0.0.0.0/0");
        let early_deny = entry(Some(50), false, "deny", "tcp", "198.51.100.0/24");
        let unknown_deny = entry(None, false, "deny", "tcp", "0.0.0.0/0");
        assert!(matches!(
            verdict(&[&allow, &late_deny], false, false),
            Verdict::AllowsAll(_, 100)
        ));
        assert!(matches!(
            verdict(&[&late_deny, &early_deny, &allow], false, false),
            Verdict::Restricts
        ));
        assert!(matches!(
            verdict(&[&allow, &unknown_deny], false, false),
            Verdict::Undecided(..)
        ));
        // Entries of the other direction or family do not count.
        assert!(matches!(
            verdict(&[&allow], true, false),
            Verdict::Restricts
        ));
        assert!(matches!(
            verdict(&[&allow], false, true),
            Verdict::Restricts
        ));
        // Only an all-protocols entry allows everything.
        let tcp_all = entry(Some(10), false, "allow", "tcp", "0.0.0.0/0");
        assert!(matches!(
            verdict(&[&tcp_all], false, false),
            Verdict::Restricts
        ));
    }
}
