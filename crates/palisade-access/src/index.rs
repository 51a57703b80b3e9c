//! A prefilter from (service, resource ARN) to the principals whose identity
//! policies could allow something there.
//!
//! Every `Allow` statement (and every unknown statement that could allow) is
//! indexed under the service of each of its action patterns (`*` when the
//! service part has a wildcard, or for `NotAction`) and the literal prefix of
//! each of its resource patterns (up to the first `*`, `?` or `$`; the empty
//! prefix for `NotResource` or an unknown resource). A lookup walks the
//! prefixes of the ARN. The index only narrows the set of principals to
//! evaluate; every answer comes from the exact evaluation.

use crate::prepare::{is_unknown, Prepared};
use palisade_iam::{ActionBlock, Effect, ResourceBlock};
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Default)]
pub struct Index {
    /// service → prefix → principal indices.
    by_service: HashMap<String, HashMap<String, Vec<usize>>>,
    /// service → prefix lengths present.
    lens: HashMap<String, BTreeSet<usize>>,
    /// Principals with a policy that is entirely unknown (could allow anything).
    always: BTreeSet<usize>,
}

fn service(pattern: &str) -> String {
    match pattern.split_once(':') {
        Some((svc, _)) if !svc.contains(['*', '?']) => svc.to_ascii_lowercase(),
        _ => "*".to_string(),
    }
}

fn prefix(pattern: &str) -> String {
    let end = pattern.find(['*', '?', '$']).unwrap_or(pattern.len());
    pattern.get(..end).unwrap_or_default().to_string()
}

impl Index {
    fn add(&mut self, svc: String, pre: String, who: usize) {
        self.lens.entry(svc.clone()).or_default().insert(pre.len());
        let list = self
            .by_service
            .entry(svc)
            .or_default()
            .entry(pre)
            .or_default();
        if list.last() != Some(&who) {
            list.push(who);
        }
    }

    /// Indexes the identity policies of principal `who`.
    pub fn add_policies<'p>(&mut self, who: usize, policies: impl Iterator<Item = &'p Prepared>) {
        for p in policies {
            if p.whole_unknown.is_some() {
                self.always.insert(who);
                continue;
            }
            if let Some(pol) = &p.policy {
                for s in pol
                    .statements()
                    .iter()
                    .filter(|s| s.effect == Effect::Allow)
                {
                    let services: Vec<String> = match &s.action {
                        ActionBlock::Action(a) => a.iter().map(|x| service(x)).collect(),
                        ActionBlock::NotAction(_) => vec!["*".into()],
                    };
                    let prefixes: Vec<String> = match &s.resource {
                        Some(ResourceBlock::Resource(r)) => r.iter().map(|x| prefix(x)).collect(),
                        _ => vec![String::new()],
                    };
                    for svc in &services {
                        for pre in &prefixes {
                            self.add(svc.clone(), pre.clone(), who);
                        }
                    }
                }
            }
            for u in p.unknown.iter().filter(|u| u.may_allow()) {
                let services: Vec<String> = match &u.actions {
                    Some(a) => a
                        .iter()
                        .map(|x| {
                            if is_unknown(x) {
                                "*".into()
                            } else {
                                service(x)
                            }
                        })
                        .collect(),
                    None => vec!["*".into()],
                };
                let prefixes: Vec<String> = match &u.resources {
                    Some(r) => r
                        .iter()
                        .map(|x| {
                            if is_unknown(x) {
                                String::new()
                            } else {
                                prefix(x)
                            }
                        })
                        .collect(),
                    None => vec![String::new()],
                };
                for svc in &services {
                    for pre in &prefixes {
                        self.add(svc.clone(), pre.clone(), who);
                    }
                }
            }
        }
    }

    /// Principals that could be allowed an action of `svc` on `arn`.
    pub fn candidates(&self, svc: &str, arn: &str, out: &mut BTreeSet<usize>) {
        out.extend(self.always.iter().copied());
        let svc = svc.to_ascii_lowercase();
        for s in [svc.as_str(), "*"] {
            let (Some(map), Some(lens)) = (self.by_service.get(s), self.lens.get(s)) else {
                continue;
            };
            for &len in lens {
                if len > arn.len() {
                    break;
                }
                let Some(pre) = arn.get(..len) else { continue };
                if let Some(list) = map.get(pre) {
                    out.extend(list.iter().copied());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::naming::Naming;
    use crate::prepare::Source;
    use palisade_model::Model;
    use serde_json::json;

    #[test]
    fn finds_candidates_by_service_and_prefix() {
        let naming = Naming::new(&Model::default(), Some("111122223333"), None);
        let src = || Source {
            label: "p".into(),
            address: None,
            loc: None,
            caveat: None,
        };
        let a = Prepared::new(
            &json!({"Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::logs-*"}]}),
            src(),
            &naming,
        );
        let b = Prepared::new(
            &json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            src(),
            &naming,
        );
        let c = Prepared::new(
            &json!({"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}),
            src(),
            &naming,
        );
        let mut idx = Index::default();
        idx.add_policies(0, [&a].into_iter());
        idx.add_policies(1, [&b].into_iter());
        idx.add_policies(2, [&c].into_iter());
        let mut out = BTreeSet::new();
        idx.candidates("s3", "arn:aws:s3:::logs-1/x", &mut out);
        assert_eq!(out.into_iter().collect::<Vec<_>>(), vec![0, 1]);
        let mut out = BTreeSet::new();
        idx.candidates("s3", "arn:aws:s3:::data/x", &mut out);
        assert_eq!(out.into_iter().collect::<Vec<_>>(), vec![1]);
    }
}
