//! Parameters rules need that depend on the organisation (from
//! `palisade.toml`), with defaults that suit the seeds' architecture.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Ports that must never be open to the internet: remote administration.
    pub admin_ports: Vec<u16>,
    /// Database and cache ports (PostgreSQL, MySQL, SQL Server, Oracle,
    /// Redshift, MongoDB, Redis, Memcached, Elasticsearch).
    pub database_ports: Vec<u16>,
    /// Image registries workloads may pull from (prefix match). When empty,
    /// images from well-known public registries (Docker Hub, Quay, GHCR,
    /// GCR, registry.k8s.io, MCR, ECR Public) are reported and private
    /// registries (such as your ECR) are accepted: the seeds require
    /// pipeline-built images scanned in ECR.
    pub allowed_registries: Vec<String>,
    /// IAM role ARNs of the CI/CD pipeline (the only principals allowed to
    /// change infrastructure).
    pub pipeline_roles: Vec<String>,
    /// Tags every taggable resource must carry (empty: not checked).
    pub required_tags: Vec<String>,
    /// Minimum CloudFront viewer TLS policy accepted.
    pub min_cloudfront_tls: String,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            admin_ports: vec![22, 3389],
            database_ports: vec![1433, 1521, 3306, 5432, 5439, 6379, 9200, 11211, 27017],
            allowed_registries: Vec::new(),
            pipeline_roles: Vec::new(),
            required_tags: Vec::new(),
            min_cloudfront_tls: "TLSv1.2_2019".into(),
        }
    }
}
