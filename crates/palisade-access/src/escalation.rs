//! Privilege escalation: principals that can raise their own privileges to
//! administrator, with the chain.
//!
//! An **administrator** may perform any action (a made-up action of a
//! made-up service) and `iam:PutRolePolicy` on any role.
//!
//! Ways to obtain another principal's permissions (edges of a graph):
//! * `sts:AssumeRole` on a role whose trust policy admits the caller;
//! * `iam:PassRole` on a role together with launching compute that runs as
//!   it (`lambda:CreateFunction`, `ec2:RunInstances`, `ecs:RunTask`,
//!   `eks:CreateNodegroup`, `glue:CreateDevEndpoint`,
//!   `cloudformation:CreateStack`), when the role trusts that service;
//! * `iam:UpdateAssumeRolePolicy` on a role (rewrite its trust, then assume it);
//! * `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`
//!   on another user;
//! * `iam:AddUserToGroup` on a group (a user adding itself).
//!
//! Ways to make a principal administrator (boosts): `iam:AttachRolePolicy`,
//! `iam:PutRolePolicy`, `iam:AttachUserPolicy`, `iam:PutUserPolicy`,
//! `iam:AttachGroupPolicy`, `iam:PutGroupPolicy` on it or its group,
//! `iam:CreatePolicyVersion` or `iam:SetDefaultPolicyVersion` on a managed
//! policy attached to it.
//!
//! A principal escalates when, following edges from it, it reaches an
//! administrator, or a principal that can boost one it reaches (itself
//! included). Conditional grants count (the chain says so); undetermined ones
//! do not.

use crate::analysis::Analysis;
use crate::decide::{decide, Access, Caller, Target, Verdict};
use crate::naming::ResKind;
use crate::prepare::Prepared;
use crate::principals::IamKind;
use palisade_iam::Context;
use palisade_model::Location;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// One step of an escalation chain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EscStep {
    /// The principal acting.
    pub actor: String,
    /// What it does (`sts:AssumeRole`, `iam:PassRole + lambda:CreateFunction`...).
    pub action: String,
    /// The resource acted on.
    pub target: String,
    /// The principal whose permissions it obtains or raises.
    pub gains: String,
    pub verdict: Verdict,
    /// The granting policy of the first action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

impl std::fmt::Display for EscStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} --[{} on {}]--> {}",
            self.actor, self.action, self.target, self.gains
        )?;
        if self.verdict == Verdict::Conditional {
            f.write_str(" (under conditions)")?;
        }
        Ok(())
    }
}

/// A principal that can become administrator.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Escalation {
    pub principal: String,
    #[serde(skip)]
    pub index: usize,
    pub loc: Location,
    pub steps: Vec<EscStep>,
    /// Who ends up administrator.
    pub admin: String,
}

impl Escalation {
    /// The chain in one line.
    pub fn chain(&self) -> String {
        self.steps
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Compute services a passed role can run as.
const COMPUTE: &[(&str, &str, &str)] = &[
    ("lambda.amazonaws.com", "lambda:CreateFunction", "lambda"),
    ("ec2.amazonaws.com", "ec2:RunInstances", "ec2"),
    ("ecs-tasks.amazonaws.com", "ecs:RunTask", "ecs"),
    ("eks.amazonaws.com", "eks:CreateNodegroup", "eks"),
    ("glue.amazonaws.com", "glue:CreateDevEndpoint", "glue"),
    (
        "cloudformation.amazonaws.com",
        "cloudformation:CreateStack",
        "cloudformation",
    ),
];

/// A node of the graph: a principal, or an IAM group (users join it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Node {
    P(usize),
    Group(usize),
}

#[derive(Clone, Debug)]
struct Edge {
    to: Node,
    step: EscStep,
}

fn step_of(actor: &str, action: &str, target: &str, gains: &str, a: &Access) -> EscStep {
    let first = a.via.first();
    EscStep {
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        gains: gains.to_string(),
        verdict: a.verdict,
        policy: first.map(|s| s.policy.clone()),
        loc: first.and_then(|s| s.loc.clone()),
    }
}

impl<'m> Analysis<'m> {
    /// Principals (by index) allowed `action` on `arn` (resource policy
    /// `policy`), with the answers; undetermined answers excluded.
    pub fn allowed_principals(
        &self,
        action: &str,
        arn: &str,
        policy: Option<&Prepared>,
    ) -> Vec<(usize, Access)> {
        let mut cands = BTreeSet::new();
        let svc = action.split_once(':').map(|(s, _)| s).unwrap_or(action);
        self.index.candidates(svc, arn, &mut cands);
        if let Some(p) = policy {
            cands.extend(self.named_in(p).0);
        }
        cands
            .into_iter()
            .filter_map(|i| {
                let p = self.principals.get(i)?;
                let target = Target {
                    arn,
                    account: None,
                    resource_policy: policy,
                };
                let a = decide(&self.caller(p), action, &target, &Context::new());
                a.verdict.grants().then_some((i, a))
            })
            .collect()
    }

    fn probe_role_arn(&self) -> String {
        format!("arn:aws:iam::{}:role/zz-palisade-probe", self.account())
    }

    fn is_admin_caller(&self, caller: &Caller) -> bool {
        let any = Target {
            arn: "*",
            account: None,
            resource_policy: None,
        };
        let probe_role = self.probe_role_arn();
        let role = Target {
            arn: &probe_role,
            account: None,
            resource_policy: None,
        };
        decide(caller, "palisadeprobe:AnyAction", &any, &Context::new())
            .verdict
            .grants()
            && decide(caller, "iam:PutRolePolicy", &role, &Context::new())
                .verdict
                .grants()
    }

    /// Whether principal `i` is an administrator.
    pub fn is_admin(&self, i: usize) -> bool {
        self.principals
            .get(i)
            .is_some_and(|p| self.is_admin_caller(&self.caller(p)))
    }

    /// Every principal that can escalate to administrator, with a shortest chain.
    pub fn escalations(&self) -> Vec<Escalation> {
        let n = self.principals.len();
        let admin: Vec<bool> = (0..n).map(|i| self.is_admin(i)).collect();
        let groups: Vec<(String, String, Vec<Prepared>)> = self
            .model
            .aws
            .iam_groups
            .iter()
            .filter_map(|g| {
                let named = self.naming.lookup(&g.meta.address)?;
                // A group's policies are those its member users carry with the group's label.
                let policies: Vec<Prepared> = self
                    .principals
                    .iter()
                    .flat_map(|p| p.policies.iter())
                    .filter(|pp| {
                        pp.source
                            .label
                            .ends_with(&format!("(group {})", g.meta.address))
                    })
                    .cloned()
                    .collect();
                Some((g.meta.address.clone(), named.arn.clone(), policies))
            })
            .collect();
        let group_admin: Vec<bool> = groups
            .iter()
            .map(|(_, _, policies)| {
                let caller = Caller {
                    principal: format!("arn:aws:iam::{}:user/zz-palisade-probe", self.account()),
                    identity: policies.iter().collect(),
                    boundary: None,
                    boundary_unknown: None,
                    notes: Vec::new(),
                };
                self.is_admin_caller(&caller)
            })
            .collect();

        let mut edges: BTreeMap<Node, Vec<Edge>> = BTreeMap::new();
        // boosts[actor] = (target node, step)
        let mut boosts: BTreeMap<usize, Vec<(Node, EscStep)>> = BTreeMap::new();
        let display = |i: usize| {
            self.principals
                .get(i)
                .map(|p| p.address.clone())
                .unwrap_or_default()
        };
        // Compute-launch rights per principal, cached.
        let mut launch: BTreeMap<(usize, &str), Option<Access>> = BTreeMap::new();
        let mut can_launch = |this: &Self, i: usize, action: &'static str, svc: &str| {
            launch
                .entry((i, action))
                .or_insert_with(|| {
                    let p = this.principals.get(i)?;
                    let arn = format!(
                        "arn:aws:{svc}:{}:{}:zz-palisade-probe",
                        this.naming.region,
                        this.account()
                    );
                    let a = this.decide_principal(p, action, &arn, None);
                    a.verdict.grants().then_some(a)
                })
                .clone()
        };

        for (qi, q) in self.principals.iter().enumerate() {
            let q_name = q.address.clone();
            match q.kind {
                IamKind::Role => {
                    let trust = q.trust.as_ref();
                    for (pi, a) in self.allowed_principals("sts:AssumeRole", &q.arn, trust) {
                        if pi != qi {
                            edges.entry(Node::P(pi)).or_default().push(Edge {
                                to: Node::P(qi),
                                step: step_of(&display(pi), "sts:AssumeRole", &q_name, &q_name, &a),
                            });
                        }
                    }
                    for (pi, a) in
                        self.allowed_principals("iam:UpdateAssumeRolePolicy", &q.arn, None)
                    {
                        if pi != qi {
                            edges.entry(Node::P(pi)).or_default().push(Edge {
                                to: Node::P(qi),
                                step: step_of(
                                    &display(pi),
                                    "iam:UpdateAssumeRolePolicy (then sts:AssumeRole)",
                                    &q_name,
                                    &q_name,
                                    &a,
                                ),
                            });
                        }
                    }
                    let passers = self.allowed_principals("iam:PassRole", &q.arn, None);
                    if !passers.is_empty() {
                        for (service, create, svc) in COMPUTE {
                            let trusted = trust.is_some_and(|t| {
                                let target = Target {
                                    arn: &q.arn,
                                    account: None,
                                    resource_policy: Some(t),
                                };
                                let c = Caller {
                                    principal: service.to_string(),
                                    identity: Vec::new(),
                                    boundary: None,
                                    boundary_unknown: None,
                                    notes: Vec::new(),
                                };
                                decide(&c, "sts:AssumeRole", &target, &Context::new())
                                    .verdict
                                    .grants()
                            });
                            if !trusted {
                                continue;
                            }
                            for (pi, a) in &passers {
                                if *pi == qi {
                                    continue;
                                }
                                if can_launch(self, *pi, create, svc).is_some() {
                                    edges.entry(Node::P(*pi)).or_default().push(Edge {
                                        to: Node::P(qi),
                                        step: step_of(
                                            &display(*pi),
                                            &format!("iam:PassRole + {create}"),
                                            &q_name,
                                            &q_name,
                                            a,
                                        ),
                                    });
                                }
                            }
                        }
                    }
                    for action in ["iam:AttachRolePolicy", "iam:PutRolePolicy"] {
                        for (pi, a) in self.allowed_principals(action, &q.arn, None) {
                            boosts.entry(pi).or_default().push((
                                Node::P(qi),
                                step_of(&display(pi), action, &q_name, &q_name, &a),
                            ));
                        }
                    }
                }
                IamKind::User => {
                    for action in [
                        "iam:CreateAccessKey",
                        "iam:CreateLoginProfile",
                        "iam:UpdateLoginProfile",
                    ] {
                        for (pi, a) in self.allowed_principals(action, &q.arn, None) {
                            if pi != qi {
                                edges.entry(Node::P(pi)).or_default().push(Edge {
                                    to: Node::P(qi),
                                    step: step_of(&display(pi), action, &q_name, &q_name, &a),
                                });
                            }
                        }
                    }
                    for action in ["iam:AttachUserPolicy", "iam:PutUserPolicy"] {
                        for (pi, a) in self.allowed_principals(action, &q.arn, None) {
                            boosts.entry(pi).or_default().push((
                                Node::P(qi),
                                step_of(&display(pi), action, &q_name, &q_name, &a),
                            ));
                        }
                    }
                }
            }
        }
        for (gi, (gaddr, garn, _)) in groups.iter().enumerate() {
            for (pi, a) in self.allowed_principals("iam:AddUserToGroup", garn, None) {
                if self
                    .principals
                    .get(pi)
                    .is_some_and(|p| p.kind == IamKind::User)
                {
                    edges.entry(Node::P(pi)).or_default().push(Edge {
                        to: Node::Group(gi),
                        step: step_of(
                            &display(pi),
                            "iam:AddUserToGroup (itself)",
                            gaddr,
                            gaddr,
                            &a,
                        ),
                    });
                }
            }
            for action in ["iam:AttachGroupPolicy", "iam:PutGroupPolicy"] {
                for (pi, a) in self.allowed_principals(action, garn, None) {
                    boosts.entry(pi).or_default().push((
                        Node::Group(gi),
                        step_of(&display(pi), action, gaddr, gaddr, &a),
                    ));
                }
            }
        }
        // Managed policies: rewriting one raises everyone it is attached to.
        for r in self
            .resources
            .iter()
            .filter(|r| r.kind == ResKind::IamPolicy)
        {
            let attached: Vec<Node> = self
                .principals
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.policies
                        .iter()
                        .any(|pp| pp.source.label.starts_with(&format!("{} via ", r.address)))
                })
                .map(|(i, _)| Node::P(i))
                .collect();
            if attached.is_empty() {
                continue;
            }
            for action in ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"] {
                for (pi, a) in self.allowed_principals(action, &r.arn, None) {
                    for node in &attached {
                        let Node::P(ti) = node else { continue };
                        boosts.entry(pi).or_default().push((
                            *node,
                            step_of(&display(pi), action, &r.address, &display(*ti), &a),
                        ));
                    }
                }
            }
        }

        let node_admin = |node: Node| match node {
            Node::P(i) => admin.get(i).copied().unwrap_or(false),
            Node::Group(g) => group_admin.get(g).copied().unwrap_or(false),
        };
        let node_name = |node: Node| match node {
            Node::P(i) => display(i),
            Node::Group(g) => groups.get(g).map(|x| x.0.clone()).unwrap_or_default(),
        };
        let mut out = Vec::new();
        for start in 0..n {
            if admin.get(start).copied().unwrap_or(false) {
                continue;
            }
            // BFS over gain edges.
            let mut prev: BTreeMap<Node, (Node, EscStep)> = BTreeMap::new();
            let mut seen: BTreeSet<Node> = BTreeSet::new();
            let mut queue = VecDeque::new();
            let s = Node::P(start);
            seen.insert(s);
            queue.push_back(s);
            let path_to = |prev: &BTreeMap<Node, (Node, EscStep)>, mut node: Node| {
                let mut steps = Vec::new();
                while let Some((p, step)) = prev.get(&node) {
                    steps.push(step.clone());
                    node = *p;
                }
                steps.reverse();
                steps
            };
            let mut found: Option<(Vec<EscStep>, String)> = None;
            let mut order = Vec::new();
            while let Some(node) = queue.pop_front() {
                order.push(node);
                if node != s && node_admin(node) {
                    found = Some((path_to(&prev, node), node_name(node)));
                    break;
                }
                for e in edges.get(&node).into_iter().flatten() {
                    if seen.insert(e.to) {
                        prev.insert(e.to, (node, e.step.clone()));
                        queue.push_back(e.to);
                    }
                }
            }
            if found.is_none() {
                // A reached principal that can raise a reached one.
                'outer: for node in &order {
                    let Node::P(actor) = node else { continue };
                    for (target, step) in boosts.get(actor).into_iter().flatten() {
                        if seen.contains(target) {
                            let mut steps = path_to(&prev, *node);
                            steps.push(step.clone());
                            let mut tail = path_to(&prev, *target);
                            // The target is reached from the start: say how, unless already on the path.
                            tail.retain(|t| !steps.contains(t));
                            steps.extend(tail);
                            found = Some((steps, node_name(*target)));
                            break 'outer;
                        }
                    }
                }
            }
            if let Some((steps, admin_name)) = found {
                if let Some(p) = self.principals.get(start) {
                    out.push(Escalation {
                        principal: p.address.clone(),
                        index: start,
                        loc: p.loc.clone(),
                        steps,
                        admin: admin_name,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{model, role};
    use crate::{Analysis, Options};

    const ADMIN_LAMBDA: &str = r#"
resource "aws_iam_role" "admin_fn" {
  name = "admin-fn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "admin_fn" {
  role       = aws_iam_role.admin_fn.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"#;

    fn escalating(tf: &str) -> Vec<(String, String)> {
        let m = model(&[("main.tf", tf)]);
        let a = Analysis::new(&m, &Options::default());
        a.escalations()
            .into_iter()
            .map(|e| (e.principal.clone(), e.chain()))
            .collect()
    }

    #[test]
    fn pass_role_to_lambda_reaches_admin() {
        let dev = role(
            "dev",
            r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
  {"Effect": "Allow", "Action": "lambda:CreateFunction", "Resource": "*"}]}"#,
        );
        let found = escalating(&format!("{ADMIN_LAMBDA}{dev}"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "aws_iam_role.dev");
        assert!(found[0].1.contains("iam:PassRole + lambda:CreateFunction"));
        // Without the compute action there is no chain.
        let only_pass = role(
            "dev",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}"#,
        );
        assert!(escalating(&format!("{ADMIN_LAMBDA}{only_pass}")).is_empty());
    }

    #[test]
    fn self_attach_and_assume_chains() {
        let attach = role(
            "ops",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "arn:aws:iam::111122223333:role/ops"}]}"#,
        );
        let found = escalating(&attach);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("iam:AttachRolePolicy"));

        // user -> assume role -> role that can create access keys for an admin user.
        let tf = r#"
resource "aws_iam_user" "admin" {
  name = "admin"
}

resource "aws_iam_user_policy_attachment" "admin" {
  user       = aws_iam_user.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_user" "intern" {
  name = "intern"
}

resource "aws_iam_user_policy" "intern" {
  user   = aws_iam_user.intern.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }] })
}

resource "aws_iam_role" "helpdesk" {
  name = "helpdesk"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::111122223333:root" } }]
  })
}

resource "aws_iam_role_policy" "helpdesk" {
  role   = aws_iam_role.helpdesk.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:CreateAccessKey", Resource = "arn:aws:iam::111122223333:user/*" }] })
}
"#;
        let found = escalating(tf);
        let intern = found.iter().find(|(p, _)| p == "aws_iam_user.intern");
        assert!(
            intern.is_some_and(
                |(_, c)| c.contains("sts:AssumeRole") && c.contains("iam:CreateAccessKey")
            ),
            "{found:?}"
        );
    }

    #[test]
    fn scoped_grants_do_not_escalate() {
        let reader = role(
            "reader",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "iam:Get*"], "Resource": "*"}]}"#,
        );
        assert!(escalating(&format!("{ADMIN_LAMBDA}{reader}")).is_empty());
    }
}
