//! The practices of the seed documents (`shared/PRACTICES.md`), each with its
//! stable ID. Every rule cites at least one; coverage is counted against this
//! table. Kinds: R static rule, N reachability, A access analysis, D
//! detection, I informational.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Practice {
    pub id: &'static str,
    pub area: &'static str,
    pub text: &'static str,
    pub kinds: &'static str,
}

impl Practice {
    pub fn has_kind(&self, kind: char) -> bool {
        self.kinds.split_whitespace().any(|k| k.starts_with(kind))
    }
}

pub fn practice(id: &str) -> Option<&'static Practice> {
    PRACTICES.iter().find(|p| p.id == id)
}

pub static PRACTICES: &[Practice] = &[
    Practice { id: "NET-01", area: "Network segregation (VPC)", text: "EKS worker nodes live in private subnets (no route to an internet gateway, no public IPs)", kinds: "R N" },
    Practice { id: "NET-02", area: "Network segregation (VPC)", text: "Private subnets reach the internet only outbound, through a NAT gateway placed in a public subnet", kinds: "R N" },
    Practice { id: "NET-03", area: "Network segregation (VPC)", text: "RDS instances live in private subnets (DB subnet group has only private subnets), `publicly_accessible` false", kinds: "R N" },
    Practice { id: "NET-04", area: "Network segregation (VPC)", text: "Subnets that do not need the internet (e.g. RDS subnets) have no NAT/IGW route at all", kinds: "R N" },
    Practice { id: "NET-05", area: "Network segregation (VPC)", text: "S3 is reached through a VPC gateway endpoint from private subnets, and buckets can require it (`aws:SourceVpce`)", kinds: "R N" },
    Practice { id: "NET-06", area: "Network segregation (VPC)", text: "Network ACLs per subnet tier restrict traffic (stateless, ordered rules; no allow-all on both directions)", kinds: "R N" },
    Practice { id: "NET-07", area: "Network segregation (VPC)", text: "Security groups admit only what is needed: no 0.0.0.0/0 or ::/0 ingress to admin (22, 3389) or database ports, no all-ports rules, default SG closed", kinds: "R N" },
    Practice { id: "NET-08", area: "Network segregation (VPC)", text: "Internet-facing load balancers sit in public subnets and are the only internet entry; origins behind CloudFront accept only CloudFront", kinds: "R N" },
    Practice { id: "NET-09", area: "Network segregation (VPC)", text: "The EKS API endpoint is private, or public only to listed CIDRs", kinds: "R N" },
    Practice { id: "NET-10", area: "Network segregation (VPC)", text: "Cross-VPC database access uses peering or PrivateLink with routes and SGs limited to the client CIDRs; an exposed NLB is restricted to listed source ranges", kinds: "R N" },
    Practice { id: "NET-11", area: "Network segregation (VPC)", text: "Bastions / admin access only through VPN or SSM, never a public SSH port", kinds: "R N" },
    Practice { id: "NET-12", area: "Network segregation (VPC)", text: "Every path from the internet to a data store crosses at least two independent controls (defense in depth)", kinds: "N" },
    Practice { id: "K8S-01", area: "Kubernetes workload isolation", text: "Every namespace has a default-deny NetworkPolicy for ingress and egress", kinds: "R N" },
    Practice { id: "K8S-02", area: "Kubernetes workload isolation", text: "Egress is allowed only to DNS (53 TCP/UDP) and the app's own database range/port; ingress only to the app port", kinds: "R N" },
    Practice { id: "K8S-03", area: "Kubernetes workload isolation", text: "One workload cannot reach another workload's database (per-app DB subnets or security groups for pods)", kinds: "N" },
    Practice { id: "K8S-04", area: "Kubernetes workload isolation", text: "Security groups for pods (`SecurityGroupPolicy`) bind DB access to the pods that need it", kinds: "R N" },
    Practice { id: "K8S-05", area: "Kubernetes workload isolation", text: "Pod security: no privileged, hostNetwork/hostPID/hostIPC, hostPath; runAsNonRoot; no privilege escalation; dropped capabilities; read-only root FS; Pod Security Admission labels", kinds: "R" },
    Practice { id: "K8S-06", area: "Kubernetes workload isolation", text: "One namespace per project and stage (test, int, e2e, prod); RBAC scoped to namespaces", kinds: "R A" },
    Practice { id: "K8S-07", area: "Kubernetes workload isolation", text: "No one outside a namespace can read its Secrets (no cluster-wide secret read, no wildcard RBAC)", kinds: "R A" },
    Practice { id: "K8S-08", area: "Kubernetes workload isolation", text: "Service account tokens are not mounted where not needed; workloads use their own service accounts", kinds: "R" },
    Practice { id: "K8S-09", area: "Kubernetes workload isolation", text: "Images come from approved registries, pinned (no `:latest`), scanned", kinds: "R" },
    Practice { id: "TLS-01", area: "Encryption in transit", text: "Clients → load balancer over HTTPS with an ACM certificate; HTTP redirects to HTTPS; modern TLS policy", kinds: "R" },
    Practice { id: "TLS-02", area: "Encryption in transit", text: "Load balancer → pod encrypted (HTTPS target groups, a TLS sidecar, or a service mesh with strict mTLS)", kinds: "R" },
    Practice { id: "TLS-03", area: "Encryption in transit", text: "Pod → RDS encrypted (rds.force_ssl / require_secure_transport)", kinds: "R" },
    Practice { id: "TLS-04", area: "Encryption in transit", text: "CloudFront serves HTTPS only with a modern minimum protocol, and talks HTTPS to its origin", kinds: "R" },
    Practice { id: "TLS-05", area: "Encryption in transit", text: "S3 buckets deny non-TLS requests (`aws:SecureTransport`)", kinds: "R" },
    Practice { id: "KMS-01", area: "Encryption at rest and keys", text: "RDS storage encrypted with a customer-managed KMS key", kinds: "R" },
    Practice { id: "KMS-02", area: "Encryption at rest and keys", text: "EBS volumes (nodes, launch templates) encrypted; account-level EBS encryption by default", kinds: "R" },
    Practice { id: "KMS-03", area: "Encryption at rest and keys", text: "The default Kubernetes StorageClass encrypts volumes; no unencrypted default class remains", kinds: "R" },
    Practice { id: "KMS-04", area: "Encryption at rest and keys", text: "S3 buckets encrypted with KMS; OpenSearch and other stores encrypted", kinds: "R" },
    Practice { id: "KMS-05", area: "Encryption at rest and keys", text: "A separate KMS key per service, with key policies scoped to that service's roles", kinds: "R A" },
    Practice { id: "KMS-06", area: "Encryption at rest and keys", text: "Key rotation enabled (and rotation period set)", kinds: "R" },
    Practice { id: "KMS-07", area: "Encryption at rest and keys", text: "EKS envelope-encrypts Kubernetes Secrets with a KMS key", kinds: "R" },
    Practice { id: "SEC-01", area: "Secrets", text: "No secrets in the repository: no plaintext passwords in IaC, no Kubernetes `Secret` manifests with literal data, no secret-looking env values", kinds: "R" },
    Practice { id: "SEC-02", area: "Secrets", text: "Secrets live in Secrets Manager (or Vault) and reach pods through the Secrets Store CSI driver", kinds: "R" },
    Practice { id: "SEC-03", area: "Secrets", text: "Secrets are encrypted with a CMK and rotated automatically", kinds: "R" },
    Practice { id: "IAM-01", area: "Identity and access", text: "Least privilege: workload roles touch only the services they need (e.g. Secrets Manager, KMS, RDS, S3), with no `*` actions or resources", kinds: "R A" },
    Practice { id: "IAM-02", area: "Identity and access", text: "Workloads use temporary credentials: IRSA / EKS Pod Identity or instance roles, never long-lived access keys", kinds: "R A" },
    Practice { id: "IAM-03", area: "Identity and access", text: "IRSA trust policies pin the exact service account (`sub`) and audience (`aud`)", kinds: "R A" },
    Practice { id: "IAM-04", area: "Identity and access", text: "Humans sign in through SSO (SAML/OIDC) with MFA; IAM users without MFA are findings", kinds: "R D" },
    Practice { id: "IAM-05", area: "Identity and access", text: "Few administrators: no AdministratorAccess / `*:*` on users or broad groups; elevated access is just-in-time", kinds: "R A" },
    Practice { id: "IAM-06", area: "Identity and access", text: "RDS uses IAM database authentication for workloads", kinds: "R A" },
    Practice { id: "IAM-07", area: "Identity and access", text: "Accounts are segregated (production, staging, infosec, playground) with guardrails (SCPs) enforcing tagging, encryption and sanctioned images", kinds: "R A" },
    Practice { id: "IAM-08", area: "Identity and access", text: "Answer \"who can do what to which resource, from where and when\" for any principal or resource", kinds: "A N" },
    Practice { id: "EDGE-01", area: "Edge protection", text: "A WAF web ACL is attached to every CloudFront distribution and every internet-facing ALB", kinds: "R" },
    Practice { id: "EDGE-02", area: "Edge protection", text: "The WAF uses managed rule groups (SQL injection, common exploits) and IP allow/deny sets", kinds: "R" },
    Practice { id: "EDGE-03", area: "Edge protection", text: "WAF logging is enabled", kinds: "R" },
    Practice { id: "EDGE-04", area: "Edge protection", text: "Shield Advanced protection on critical entry points", kinds: "I" },
    Practice { id: "MON-01", area: "Logging, monitoring, response", text: "CloudTrail on in all regions, log file validation on, KMS-encrypted, delivered to a separate (infosec) account/bucket", kinds: "R" },
    Practice { id: "MON-02", area: "Logging, monitoring, response", text: "VPC flow logs, EKS control-plane audit logs, ALB access logs and RDS logs are enabled", kinds: "R" },
    Practice { id: "MON-03", area: "Logging, monitoring, response", text: "AWS Config records all resources and evaluates rules; findings reach people (SNS → Lambda → chat)", kinds: "R D" },
    Practice { id: "MON-04", area: "Logging, monitoring, response", text: "GuardDuty (with EKS protection), Security Hub and Inspector are enabled", kinds: "R I" },
    Practice { id: "MON-05", area: "Logging, monitoring, response", text: "Alert when infrastructure is changed by anyone but the CI/CD pipeline roles", kinds: "D" },
    Practice { id: "MON-06", area: "Logging, monitoring, response", text: "Alert on behaviour that suggests leaked credentials (new source IP / agent, instance credentials used outside AWS, root use, console login without MFA)", kinds: "D" },
    Practice { id: "MON-07", area: "Logging, monitoring, response", text: "Detect attackers from bursts of 4XX/5XX in load balancer and WAF logs and block their IPs (WAF IP set)", kinds: "D" },
    Practice { id: "MON-08", area: "Logging, monitoring, response", text: "Alert when a security group opens a port to the world, or other guardrails are broken at run time", kinds: "D" },
    Practice { id: "MON-09", area: "Logging, monitoring, response", text: "Images are patched golden images built by the pipeline; ECR scans on push", kinds: "R" },
    Practice { id: "MON-10", area: "Logging, monitoring, response", text: "Reliability of the data tier: RDS multi-AZ, backups, deletion protection", kinds: "R" },
];
