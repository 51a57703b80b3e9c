//! Sigma conditions: `and`, `or`, `not`, parentheses, `1 of X*`, `all of X*`,
//! `1 of them`, `all of them` (and `N of ...`). Aggregations (`| count() ...`)
//! and `near` are refused with a reason.

use std::collections::BTreeSet;

use super::matcher::Search;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Ident(usize),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    /// At least `n` of these identifiers match.
    AtLeast(usize, Vec<usize>),
    /// All of these identifiers match.
    AllOf(Vec<usize>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Of,
    All,
    Them,
    Num(usize),
    Word(String),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, toks: &mut Vec<Tok>| -> Result<(), String> {
        if word.is_empty() {
            return Ok(());
        }
        let w = std::mem::take(word);
        toks.push(match w.to_ascii_lowercase().as_str() {
            "and" => Tok::And,
            "or" => Tok::Or,
            "not" => Tok::Not,
            "of" => Tok::Of,
            "all" => Tok::All,
            "them" => Tok::Them,
            "near" => return Err("'near' is not supported".to_owned()),
            _ => match w.parse::<usize>() {
                Ok(n) => Tok::Num(n),
                Err(_) => Tok::Word(w),
            },
        });
        Ok(())
    };
    for c in s.chars() {
        match c {
            '(' | ')' => {
                flush(&mut word, &mut toks)?;
                toks.push(if c == '(' { Tok::LParen } else { Tok::RParen });
            }
            '|' => {
                return Err(
                    "aggregation ('| count() ...') in the condition is not supported".to_owned(),
                )
            }
            c if c.is_whitespace() => flush(&mut word, &mut toks)?,
            c => word.push(c),
        }
    }
    flush(&mut word, &mut toks)?;
    Ok(toks)
}

fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
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

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    names: &'a [String],
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Cond, String> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Cond::Or(items)
        })
    }

    fn and(&mut self) -> Result<Cond, String> {
        let mut items = vec![self.not()?];
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Cond::And(items)
        })
    }

    fn not(&mut self) -> Result<Cond, String> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn targets(&mut self) -> Result<Vec<usize>, String> {
        match self.next() {
            Some(Tok::Them) => Ok((0..self.names.len())
                .filter(|&i| !self.names[i].starts_with('_'))
                .collect()),
            Some(Tok::Word(p)) => {
                let ids: Vec<usize> = (0..self.names.len())
                    .filter(|&i| glob_match(&p, &self.names[i]))
                    .collect();
                if ids.is_empty() {
                    Err(format!(
                        "no search identifier matches '{p}' in the condition"
                    ))
                } else {
                    Ok(ids)
                }
            }
            other => Err(format!(
                "expected an identifier pattern or 'them' after 'of', found {other:?}"
            )),
        }
    }

    fn primary(&mut self) -> Result<Cond, String> {
        match self.next() {
            Some(Tok::LParen) => {
                let c = self.or()?;
                if self.next() != Some(Tok::RParen) {
                    return Err("unbalanced parentheses in the condition".to_owned());
                }
                Ok(c)
            }
            Some(Tok::All) => {
                if self.next() != Some(Tok::Of) {
                    return Err("expected 'of' after 'all'".to_owned());
                }
                Ok(Cond::AllOf(self.targets()?))
            }
            Some(Tok::Num(n)) => {
                if self.next() != Some(Tok::Of) {
                    return Err(format!("expected 'of' after '{n}'"));
                }
                if n == 0 {
                    return Err("'0 of' is not meaningful".to_owned());
                }
                Ok(Cond::AtLeast(n, self.targets()?))
            }
            Some(Tok::Word(w)) => match self.names.iter().position(|n| *n == w) {
                Some(i) => Ok(Cond::Ident(i)),
                None => Err(format!(
                    "condition refers to undefined search identifier '{w}'"
                )),
            },
            other => Err(format!("unexpected {other:?} in the condition")),
        }
    }
}

/// Parses a condition against the rule's search identifier names.
pub(crate) fn parse(text: &str, names: &[String]) -> Result<Cond, String> {
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return Err("empty condition".to_owned());
    }
    let mut p = Parser {
        toks,
        pos: 0,
        names,
    };
    let c = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!("unexpected {:?} in the condition", p.toks[p.pos]));
    }
    Ok(c)
}

impl Cond {
    pub fn eval(&self, searches: &[Search], record: &serde_json::Value) -> bool {
        let m = |i: &usize| searches.get(*i).is_some_and(|s| s.matches(record));
        match self {
            Cond::Ident(i) => m(i),
            Cond::And(cs) => cs.iter().all(|c| c.eval(searches, record)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(searches, record)),
            Cond::Not(c) => !c.eval(searches, record),
            Cond::AtLeast(n, ids) => ids.iter().filter(|i| m(i)).take(*n).count() >= *n,
            Cond::AllOf(ids) => ids.iter().all(m),
        }
    }

    /// The exact (lowercased) values of `field` that any match requires, if the
    /// condition pins them; used to index rules by `eventName`/`eventSource`.
    pub fn pinned(&self, searches: &[Search], field: &str) -> Option<BTreeSet<String>> {
        let ident = |i: &usize| searches.get(*i).and_then(|s| s.pinned(field));
        let intersect = |sets: Vec<Option<BTreeSet<String>>>| {
            sets.into_iter()
                .flatten()
                .reduce(|a, b| a.intersection(&b).cloned().collect())
        };
        let union = |sets: Vec<Option<BTreeSet<String>>>| {
            let mut out = BTreeSet::new();
            for s in sets {
                out.extend(s?);
            }
            Some(out)
        };
        match self {
            Cond::Ident(i) => ident(i),
            Cond::And(cs) => intersect(cs.iter().map(|c| c.pinned(searches, field)).collect()),
            Cond::Or(cs) => union(cs.iter().map(|c| c.pinned(searches, field)).collect()),
            Cond::Not(_) => None,
            Cond::AtLeast(_, ids) => union(ids.iter().map(ident).collect()),
            Cond::AllOf(ids) => intersect(ids.iter().map(ident).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn precedence_and_quantifiers() {
        let n = names(&["sel", "filter_a", "filter_b", "_hidden"]);
        let c = parse("sel and not 1 of filter_* or _hidden", &n).expect("parses");
        assert_eq!(
            c,
            Cond::Or(vec![
                Cond::And(vec![
                    Cond::Ident(0),
                    Cond::Not(Box::new(Cond::AtLeast(1, vec![1, 2])))
                ]),
                Cond::Ident(3)
            ])
        );
        assert_eq!(
            parse("all of them", &n).expect("parses"),
            Cond::AllOf(vec![0, 1, 2])
        );
        assert_eq!(parse("(sel)", &n).expect("parses"), Cond::Ident(0));
    }

    #[test]
    fn errors() {
        let n = names(&["sel"]);
        assert!(parse("sel | count() > 5", &n)
            .expect_err("agg")
            .contains("aggregation"));
        assert!(parse("sel near other", &n)
            .expect_err("near")
            .contains("near"));
        assert!(parse("missing", &n)
            .expect_err("undefined")
            .contains("undefined"));
        assert!(parse("1 of nothing*", &n)
            .expect_err("no match")
            .contains("no search identifier"));
        assert!(parse("(sel", &n).is_err());
        assert!(parse("sel sel", &n).is_err());
        assert!(parse("", &n).is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_match("sel*", "selection"));
        assert!(glob_match("*tion", "selection"));
        assert!(glob_match("s*l*n", "selection"));
        assert!(!glob_match("filter*", "selection"));
    }
}
