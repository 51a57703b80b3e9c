//! The simulation request: who asks to do what on which resource, in which
//! context, and every policy that applies.
//!
//! JSON shape (every key but `request` and `identityPolicies` may be absent):
//!
//! ```json
//! {"request": {"principal": "arn:aws:iam::111122223333:user/alice",
//!              "action": "s3:GetObject",
//!              "resource": {"resource": "arn:aws:s3:::bucket/key", "accountId": "111122223333"},
//!              "context": {"aws:SourceIp": "203.0.113.7", "aws:TagKeys": ["a", "b"]}},
//!  "identityPolicies": [POLICY],
//!  "resourcePolicy": POLICY,
//!  "permissionBoundaries": [POLICY],
//!  "serviceControlPolicies": [{"orgIdentifier": "r-root", "policies": [POLICY]}],
//!  "resourceControlPolicies": [{"orgIdentifier": "r-root", "policies": [POLICY]}],
//!  "sessionPolicy": POLICY,
//!  "endpointPolicies": [POLICY]}
//! ```

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::context::Context;
use crate::error::Error;
use crate::policy::Policy;

/// The request being authorised.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestDetails {
    /// The caller: an ARN (user, role, role session, federated user, root),
    /// an account ID, a service principal name, an identity provider ...
    pub principal: String,
    /// The action, `service:Action`.
    pub action: String,
    /// The resource ARN (or `*` for actions without a resource).
    pub resource: String,
    /// The account owning the resource. When absent, the ARN's account
    /// component is used; when that is empty too (S3 bucket ARNs), the
    /// resource is taken to be in the caller's account.
    pub resource_account: Option<String>,
    /// Condition keys and their values.
    pub context: Context,
}

/// The policies of one level of an AWS Organizations hierarchy (root, an OU,
/// or the account). At every level at least one policy must allow.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgPolicyLevel {
    /// The root, OU or account ID this level stands for.
    pub org_identifier: String,
    /// The SCPs or RCPs attached at this level.
    pub policies: Vec<Policy>,
}

/// A complete simulation input: [`RequestDetails`] plus every applicable policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// What is being asked.
    pub request: RequestDetails,
    /// Policies attached to the caller (user, its groups, or role).
    pub identity_policies: Vec<Policy>,
    /// The resource-based policy (bucket policy, trust policy, key policy ...).
    pub resource_policy: Option<Policy>,
    /// The caller's permissions boundary. Each listed document limits on its own.
    pub permission_boundaries: Vec<Policy>,
    /// SCPs, one entry per organization level.
    pub service_control_policies: Vec<OrgPolicyLevel>,
    /// RCPs, one entry per organization level.
    pub resource_control_policies: Vec<OrgPolicyLevel>,
    /// The session policy passed when the session was created.
    pub session_policy: Option<Policy>,
    /// VPC endpoint policies the request passes through. Each one limits on its own.
    pub endpoint_policies: Vec<Policy>,
}

impl Request {
    /// A request with no policies and an empty context.
    pub fn new(principal: &str, action: &str, resource: &str) -> Request {
        Request {
            request: RequestDetails {
                principal: principal.to_string(),
                action: action.to_string(),
                resource: resource.to_string(),
                resource_account: None,
                context: Context::new(),
            },
            identity_policies: Vec::new(),
            resource_policy: None,
            permission_boundaries: Vec::new(),
            service_control_policies: Vec::new(),
            resource_control_policies: Vec::new(),
            session_policy: None,
            endpoint_policies: Vec::new(),
        }
    }

    /// Parses the documented JSON shape. Unknown keys are rejected so that a
    /// misspelt policy list is not silently ignored.
    pub fn from_json(value: &Value) -> Result<Request, Error> {
        let obj = object(value, "")?;
        for key in obj.keys() {
            if !matches!(
                key.as_str(),
                "request"
                    | "identityPolicies"
                    | "resourcePolicy"
                    | "permissionBoundaries"
                    | "serviceControlPolicies"
                    | "resourceControlPolicies"
                    | "sessionPolicy"
                    | "endpointPolicies"
            ) {
                return req_err(key, format!("unknown key `{key}`"));
            }
        }
        let request = parse_details(obj.get("request").ok_or_else(|| Error::Request {
            location: "request".into(),
            message: "missing `request`".into(),
        })?)
        .map_err(|e| e.within("request"))?;
        let identity_policies = match obj.get("identityPolicies") {
            None => {
                return req_err(
                    "identityPolicies",
                    "missing `identityPolicies` (use [] for none)",
                )
            }
            Some(v) => policy_list(v, "identityPolicies")?,
        };
        Ok(Request {
            request,
            identity_policies,
            resource_policy: optional_policy(obj.get("resourcePolicy"), "resourcePolicy")?,
            permission_boundaries: optional_list(
                obj.get("permissionBoundaries"),
                "permissionBoundaries",
            )?,
            service_control_policies: levels(
                obj.get("serviceControlPolicies"),
                "serviceControlPolicies",
            )?,
            resource_control_policies: levels(
                obj.get("resourceControlPolicies"),
                "resourceControlPolicies",
            )?,
            session_policy: optional_policy(obj.get("sessionPolicy"), "sessionPolicy")?,
            endpoint_policies: optional_list(obj.get("endpointPolicies"), "endpointPolicies")?,
        })
    }

    /// Parses JSON text holding one request object.
    pub fn from_json_str(text: &str) -> Result<Request, Error> {
        Request::from_json(&serde_json::from_str(text)?)
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Request::from_json(&value).map_err(serde::de::Error::custom)
    }
}

fn req_err<T>(location: &str, message: impl Into<String>) -> Result<T, Error> {
    Err(Error::Request {
        location: location.to_string(),
        message: message.into(),
    })
}

fn object<'a>(v: &'a Value, loc: &str) -> Result<&'a Map<String, Value>, Error> {
    match v {
        Value::Object(o) => Ok(o),
        _ => req_err(loc, "must be a JSON object"),
    }
}

fn string(v: Option<&Value>, loc: &str) -> Result<String, Error> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => req_err(loc, "must be a string"),
        None => req_err(loc, "missing"),
    }
}

fn parse_details(v: &Value) -> Result<RequestDetails, Error> {
    let obj = object(v, "")?;
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "principal" | "action" | "resource" | "context"
        ) {
            return req_err(key, format!("unknown key `{key}`"));
        }
    }
    let principal = string(obj.get("principal"), "principal")?;
    let action = string(obj.get("action"), "action")?;
    let (resource, resource_account) = match obj.get("resource") {
        // A bare ARN is accepted as a convenience.
        Some(Value::String(s)) => (s.clone(), None),
        Some(Value::Object(r)) => {
            for key in r.keys() {
                if !matches!(key.as_str(), "resource" | "accountId") {
                    return req_err(&format!("resource.{key}"), format!("unknown key `{key}`"));
                }
            }
            let arn = string(r.get("resource"), "resource.resource")?;
            let account = match r.get("accountId") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    return req_err(
                        "resource.accountId",
                        "must be a string (account IDs keep leading zeros)",
                    )
                }
            };
            (arn, account)
        }
        Some(_) => {
            return req_err(
                "resource",
                "must be an object {\"resource\": ARN, \"accountId\": ID}",
            )
        }
        None => return req_err("resource", "missing"),
    };
    let mut context = Context::new();
    match obj.get("context") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, val) in m {
                let loc = format!("context.{k}");
                match val {
                    Value::Null => {}
                    Value::Array(items) => {
                        let vals = items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| scalar(item, &format!("{loc}[{i}]")))
                            .collect::<Result<Vec<_>, _>>()?;
                        context.insert_values(k, vals);
                    }
                    other => context.insert(k, scalar(other, &loc)?),
                }
            }
        }
        Some(_) => return req_err("context", "must be an object of condition keys"),
    }
    Ok(RequestDetails {
        principal,
        action,
        resource,
        resource_account,
        context,
    })
}

fn scalar(v: &Value, loc: &str) -> Result<String, Error> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => req_err(
            loc,
            "a context value must be a string (or number/boolean) or a list of them",
        ),
    }
}

fn policy_list(v: &Value, loc: &str) -> Result<Vec<Policy>, Error> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let here = format!("{loc}[{i}]");
                Policy::from_json(p).map_err(|e| e.within(&here))
            })
            .collect(),
        _ => req_err(loc, "must be an array of policies"),
    }
}

fn optional_list(v: Option<&Value>, loc: &str) -> Result<Vec<Policy>, Error> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => policy_list(v, loc),
    }
}

fn optional_policy(v: Option<&Value>, loc: &str) -> Result<Option<Policy>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(p) => Policy::from_json(p).map(Some).map_err(|e| e.within(loc)),
    }
}

fn levels(v: Option<&Value>, loc: &str) -> Result<Vec<OrgPolicyLevel>, Error> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return req_err(
                loc,
                "must be an array of {\"orgIdentifier\", \"policies\"} objects",
            )
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{loc}[{i}]");
            let obj = object(item, &here)?;
            for key in obj.keys() {
                if !matches!(key.as_str(), "orgIdentifier" | "policies") {
                    return req_err(&format!("{here}.{key}"), format!("unknown key `{key}`"));
                }
            }
            let org_identifier = match obj.get("orgIdentifier") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => return req_err(&format!("{here}.orgIdentifier"), "must be a string"),
            };
            let policies = match obj.get("policies") {
                Some(v) => policy_list(v, &format!("{here}.policies"))?,
                None => return req_err(&format!("{here}.policies"), "missing"),
            };
            Ok(OrgPolicyLevel {
                org_identifier,
                policies,
            })
        })
        .collect()
}
