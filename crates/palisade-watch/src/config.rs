//! Settings of a detection run.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use crate::sigma::RuleSet;

/// A burst threshold: `threshold` events from one client within `window_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Burst {
    /// Events needed within the window.
    pub threshold: usize,
    /// The sliding window, in seconds.
    pub window_secs: u64,
}

/// Settings of a detection run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Sigma rules to run.
    pub sigma: RuleSet,
    /// Whether the built-in detections run.
    pub builtins: bool,
    /// Rule ids (built-in or Sigma) that do not run.
    pub disabled_rules: BTreeSet<String>,
    /// CI/CD pipeline principals whose changes are expected (PAL-D001): ARNs, `*` wildcards
    /// allowed, matched against `userIdentity.arn` and
    /// `userIdentity.sessionContext.sessionIssuer.arn`.
    pub pipeline_roles: Vec<String>,
    /// Write events PAL-D001 ignores, as `eventSource:eventName` globs.
    pub infra_change_ignore: Vec<String>,
    /// Networks the organisation's workloads and people use (PAL-D006: instance
    /// credentials used from elsewhere alert).
    pub known_cidrs: Vec<IpNet>,
    /// Further known networks per AWS account id (NAT gateway addresses, ...).
    pub account_cidrs: BTreeMap<String, Vec<IpNet>>,
    /// Observations of a principal needed before a new source IP / user agent alerts (PAL-D005).
    pub history_min_observations: u64,
    /// 4XX/5XX responses per client in ALB logs (PAL-D014).
    pub alb_burst: Burst,
    /// WAF BLOCK actions per client (PAL-D015).
    pub waf_burst: Burst,
    /// At most this many malformed entries are listed in the report (all are counted).
    pub max_malformed_details: usize,
}

/// The default `infra_change_ignore`: sign-in, session and data-key calls that change no infrastructure.
pub const DEFAULT_INFRA_CHANGE_IGNORE: [&str; 10] = [
    "sts.amazonaws.com:*",
    "signin.amazonaws.com:*",
    "sso.amazonaws.com:*",
    "portal.sso.amazonaws.com:*",
    "sso-oauth.amazonaws.com:*",
    "kms.amazonaws.com:Decrypt",
    "kms.amazonaws.com:Encrypt",
    "kms.amazonaws.com:GenerateDataKey*",
    "ssm.amazonaws.com:UpdateInstanceInformation",
    "ssm.amazonaws.com:*Session",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            sigma: RuleSet::new(),
            builtins: true,
            disabled_rules: BTreeSet::new(),
            pipeline_roles: Vec::new(),
            infra_change_ignore: DEFAULT_INFRA_CHANGE_IGNORE
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            known_cidrs: Vec::new(),
            account_cidrs: BTreeMap::new(),
            history_min_observations: 5,
            alb_burst: Burst {
                threshold: 50,
                window_secs: 60,
            },
            waf_burst: Burst {
                threshold: 20,
                window_secs: 60,
            },
            max_malformed_details: 10_000,
        }
    }
}

impl Config {
    /// Whether a rule id is enabled.
    pub fn enabled(&self, rule: &str) -> bool {
        !self.disabled_rules.contains(rule)
    }
}
