//! Scale benchmark: a generated environment, loaded the way `palisade paths`
//! loads it (Terraform text and Kubernetes YAML through the real loaders),
//! then the workload matrix and the data-store exposure.
//!
//! At scale 1: 5,000 security groups with 50,000 rules, 500 subnets (two
//! VPCs), 500 instances, 100 RDS databases, 50 buckets, 50 secrets, 20 load
//! balancers; 20,000 exported pods (owned by ReplicaSets, attributed to
//! 4,000 Deployments) in 200 namespaces with 5,000 NetworkPolicies and 200
//! SecurityGroupPolicies. Every count scales linearly.
//!
//! `cargo bench -p palisade-reach --bench scale` runs scales 0.25, 0.5, 1
//! and 2; `-- 1` runs one scale; `-- 1 --write DIR` also writes the inputs
//! to DIR (for timing `palisade paths DIR --matrix` end to end).

use palisade_model::Model;
use palisade_reach::net::Net;
use palisade_reach::paths::Analysis;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % n.max(1)
    }
}

struct Sizes {
    namespaces: usize,
    sgs: usize,
    subnets: usize,
    instances: usize,
    dbs: usize,
    buckets: usize,
    lbs: usize,
}

fn sizes(scale: f64) -> Sizes {
    let n = |x: f64| ((x * scale).round() as usize).max(1);
    Sizes {
        namespaces: n(200.0),
        sgs: n(5000.0),
        subnets: n(500.0),
        instances: n(500.0),
        dbs: n(100.0),
        buckets: n(50.0),
        lbs: n(20.0),
    }
}

const DEPLOYMENTS_PER_NS: usize = 20;
const PODS_PER_DEPLOYMENT: usize = 5;
const POLICIES_PER_NS: usize = 25;
const RULES_PER_SG: usize = 10;
const SUBNETS_PER_VPC: usize = 250;

/// Terraform files (name, text).
fn terraform(s: &Sizes, rng: &mut Rng) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let vpcs = s.subnets.div_ceil(SUBNETS_PER_VPC);
    let mut net = String::new();
    for v in 0..vpcs {
        let _ = write!(
            net,
            "resource \"aws_vpc\" \"v{v}\" {{\n  cidr_block = \"10.{v}.0.0/16\"\n}}\n\
             resource \"aws_internet_gateway\" \"v{v}\" {{\n  vpc_id = aws_vpc.v{v}.id\n}}\n\
             resource \"aws_route_table\" \"public{v}\" {{\n  vpc_id = aws_vpc.v{v}.id\n  route {{\n    cidr_block = \"0.0.0.0/0\"\n    gateway_id = aws_internet_gateway.v{v}.id\n  }}\n}}\n\
             resource \"aws_nat_gateway\" \"v{v}\" {{\n  subnet_id = aws_subnet.v{v}s0.id\n}}\n\
             resource \"aws_route_table\" \"private{v}\" {{\n  vpc_id = aws_vpc.v{v}.id\n  route {{\n    cidr_block = \"0.0.0.0/0\"\n    nat_gateway_id = aws_nat_gateway.v{v}.id\n  }}\n}}\n\
             resource \"aws_route_table\" \"data{v}\" {{\n  vpc_id = aws_vpc.v{v}.id\n}}\n"
        );
        // NACLs per tier, with ordered rules and return traffic.
        for (tier, extra) in [("public", 443), ("private", 8080), ("data", 5432)] {
            let _ = write!(
                net,
                "resource \"aws_network_acl\" \"{tier}{v}\" {{\n  vpc_id = aws_vpc.v{v}.id\n"
            );
            for k in 0..8 {
                let _ = write!(
                    net,
                    "  ingress {{\n    rule_no = {}\n    action = \"{}\"\n    protocol = \"tcp\"\n    cidr_block = \"10.{v}.{}.0/24\"\n    from_port = {extra}\n    to_port = {extra}\n  }}\n",
                    100 + k * 10,
                    if k == 3 { "deny" } else { "allow" },
                    rng.below(250)
                );
            }
            let _ = write!(
                net,
                "  ingress {{\n    rule_no = 500\n    action = \"allow\"\n    protocol = \"tcp\"\n    cidr_block = \"0.0.0.0/0\"\n    from_port = 1024\n    to_port = 65535\n  }}\n  ingress {{\n    rule_no = 510\n    action = \"allow\"\n    protocol = \"tcp\"\n    cidr_block = \"10.0.0.0/8\"\n    from_port = 0\n    to_port = 65535\n  }}\n  egress {{\n    rule_no = 100\n    action = \"allow\"\n    protocol = \"-1\"\n    cidr_block = \"0.0.0.0/0\"\n    from_port = 0\n    to_port = 0\n  }}\n}}\n"
            );
        }
    }
    for i in 0..s.subnets {
        let (v, k) = (i / SUBNETS_PER_VPC, i % SUBNETS_PER_VPC);
        // Per VPC: 0-5 public, 6-11 private (nodes), 12-17 data, rest private.
        let tier = match k {
            0..=5 => "public",
            12..=17 => "data",
            _ => "private",
        };
        let _ = write!(
            net,
            "resource \"aws_subnet\" \"v{v}s{k}\" {{\n  vpc_id = aws_vpc.v{v}.id\n  cidr_block = \"10.{v}.{k}.0/24\"\n}}\n\
             resource \"aws_route_table_association\" \"v{v}s{k}\" {{\n  subnet_id = aws_subnet.v{v}s{k}.id\n  route_table_id = aws_route_table.{tier}{v}.id\n}}\n\
             resource \"aws_network_acl_association\" \"v{v}s{k}\" {{\n  subnet_id = aws_subnet.v{v}s{k}.id\n  network_acl_id = aws_network_acl.{tier}{v}.id\n}}\n"
        );
    }
    files.push(("network.tf".to_string(), net));

    // Security groups, 10 rules each, in files of 500.
    let ports = [22, 80, 443, 5432, 3306, 6379, 8080, 8443, 9090, 53];
    for chunk in 0..s.sgs.div_ceil(500) {
        let mut t = String::new();
        for g in chunk * 500..((chunk + 1) * 500).min(s.sgs) {
            let v = rng.below(s.subnets.div_ceil(SUBNETS_PER_VPC));
            let _ = write!(
                t,
                "resource \"aws_security_group\" \"sg{g}\" {{\n  vpc_id = aws_vpc.v{v}.id\n"
            );
            for r in 0..RULES_PER_SG {
                let dir = if r < 6 { "ingress" } else { "egress" };
                let port = ports[rng.below(ports.len())];
                let peer = match rng.below(4) {
                    0 => format!(
                        "security_groups = [aws_security_group.sg{}.id]",
                        rng.below(s.sgs)
                    ),
                    1 => "self = true".to_string(),
                    2 => format!("cidr_blocks = [\"10.{v}.{}.0/24\"]", rng.below(250)),
                    _ => {
                        if dir == "egress" {
                            "cidr_blocks = [\"0.0.0.0/0\"]".to_string()
                        } else {
                            format!("cidr_blocks = [\"10.{v}.0.0/16\"]")
                        }
                    }
                };
                let _ = write!(
                    t,
                    "  {dir} {{\n    from_port = {port}\n    to_port = {port}\n    protocol = \"tcp\"\n    {peer}\n  }}\n"
                );
            }
            t.push_str("}\n");
        }
        files.push((format!("sg{chunk}.tf"), t));
    }

    let mut c = String::new();
    // EKS: two node groups over the private subnets 6-11 of VPC 0.
    let _ = write!(
        c,
        "resource \"aws_launch_template\" \"nodes\" {{\n  vpc_security_group_ids = [aws_security_group.sg0.id, aws_security_group.sg1.id]\n}}\n"
    );
    for ng in 0..2 {
        let subnets: Vec<String> = (0..3)
            .map(|k| format!("aws_subnet.v0s{}.id", 6 + ng * 3 + k))
            .collect();
        let _ = write!(
            c,
            "resource \"aws_eks_node_group\" \"ng{ng}\" {{\n  cluster_name = \"main\"\n  subnet_ids = [{}]\n  launch_template {{\n    id = aws_launch_template.nodes.id\n  }}\n}}\n",
            subnets.join(", ")
        );
    }
    let _ = write!(
        c,
        "resource \"aws_db_subnet_group\" \"data\" {{\n  subnet_ids = [aws_subnet.v0s12.id, aws_subnet.v0s13.id, aws_subnet.v0s14.id]\n}}\n"
    );
    for d in 0..s.dbs {
        let _ = write!(
            c,
            "resource \"aws_db_instance\" \"db{d}\" {{\n  engine = \"postgres\"\n  db_subnet_group_name = aws_db_subnet_group.data.name\n  vpc_security_group_ids = [aws_security_group.sg{}.id]\n}}\n",
            rng.below(s.sgs)
        );
    }
    for i in 0..s.instances {
        let k = 18 + rng.below(SUBNETS_PER_VPC.min(s.subnets).saturating_sub(18).max(1));
        let _ = write!(
            c,
            "resource \"aws_instance\" \"i{i}\" {{\n  subnet_id = aws_subnet.v0s{k}.id\n  vpc_security_group_ids = [aws_security_group.sg{}.id, aws_security_group.sg{}.id]\n}}\n",
            rng.below(s.sgs),
            rng.below(s.sgs)
        );
    }
    for l in 0..s.lbs {
        let _ = write!(
            c,
            "resource \"aws_lb\" \"lb{l}\" {{\n  internal = false\n  subnets = [aws_subnet.v0s0.id, aws_subnet.v0s1.id]\n  security_groups = [aws_security_group.sg{}.id]\n}}\n\
             resource \"aws_lb_listener\" \"lb{l}\" {{\n  load_balancer_arn = aws_lb.lb{l}.arn\n  port = 443\n  protocol = \"HTTPS\"\n  default_action {{\n    type = \"forward\"\n  }}\n}}\n",
            rng.below(s.sgs)
        );
    }
    let _ = write!(
        c,
        "resource \"aws_vpc_endpoint\" \"s3\" {{\n  vpc_id = aws_vpc.v0.id\n  service_name = \"com.amazonaws.eu-west-1.s3\"\n  route_table_ids = [aws_route_table.private0.id]\n}}\n"
    );
    for b in 0..s.buckets {
        let _ = write!(
            c,
            "resource \"aws_s3_bucket\" \"b{b}\" {{\n  bucket = \"bucket-{b}\"\n}}\n"
        );
        let _ = write!(
            c,
            "resource \"aws_secretsmanager_secret\" \"s{b}\" {{\n  name = \"secret-{b}\"\n}}\n"
        );
    }
    files.push(("compute.tf".to_string(), c));
    files
}

/// One YAML file per namespace: exported pods, policies, an SGP.
fn kubernetes(s: &Sizes, rng: &mut Rng) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let tiers = ["web", "api", "db-client", "worker"];
    for n in 0..s.namespaces {
        let ns = format!("ns{n}");
        let team = format!("team{}", n % 10);
        let mut y = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{team: {team}}}\n---\n");
        y.push_str("apiVersion: v1\nkind: PodList\nitems:\n");
        for d in 0..DEPLOYMENTS_PER_NS {
            let tier = tiers[d % tiers.len()];
            let hash = format!("{:08x}", rng.next() & 0xffff_ffff);
            for p in 0..PODS_PER_DEPLOYMENT {
                let _ = write!(
                    y,
                    "  - apiVersion: v1\n    kind: Pod\n    metadata:\n      name: app{d}-{hash}-{p:05}\n      namespace: {ns}\n      labels: {{app: app{d}, tier: {tier}, pod-template-hash: '{hash}'}}\n      ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: app{d}-{hash}, uid: u-{n}-{d}, controller: true}}]\n    spec:\n      containers:\n        - name: c\n          image: registry.example/app@sha256:0000000000000000000000000000000000000000000000000000000000000000\n          ports: [{{name: http, containerPort: 8080}}, {{name: metrics, containerPort: 9090}}]\n"
                );
            }
        }
        y.push_str("---\n");
        let np = |name: &str, body: &str| {
            format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{body}---\n")
        };
        y += &np(
            "default-deny",
            "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
        );
        y += &np(
            "dns",
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]\n      ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n",
        );
        y += &np(
            "db",
            "  podSelector: {matchLabels: {tier: db-client}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: {cidr: 10.0.12.0/22, except: [10.0.15.0/24]}}]\n      ports: [{port: 5432}]\n",
        );
        y += &np(
            "monitoring",
            "  podSelector: {}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]\n      ports: [{port: metrics}]\n",
        );
        for d in 0..POLICIES_PER_NS - 5 {
            let from = match d % 3 {
                0 => "podSelector: {matchLabels: {tier: web}}".to_string(),
                1 => format!("namespaceSelector: {{matchLabels: {{team: {team}}}}}, podSelector: {{matchLabels: {{tier: api}}}}"),
                _ => format!("podSelector: {{matchLabels: {{app: app{}}}}}", rng.below(DEPLOYMENTS_PER_NS)),
            };
            y += &np(
                &format!("app{d}"),
                &format!("  podSelector: {{matchLabels: {{app: app{d}}}}}\n  ingress:\n    - from: [{{{from}}}]\n      ports: [{{port: http}}]\n"),
            );
        }
        y += &np(
            "partners",
            "  podSelector: {matchLabels: {tier: web}}\n  ingress:\n    - from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 192.168.0.0/16]}}]\n      ports: [{port: 8080, endPort: 8090}]\n",
        );
        let _ = write!(
            y,
            "apiVersion: vpcresources.k8s.aws/v1beta1\nkind: SecurityGroupPolicy\nmetadata:\n  name: db\n  namespace: {ns}\nspec:\n  podSelector: {{matchLabels: {{tier: db-client}}}}\n  securityGroups:\n    groupIds: [sg-bench-{}]\n",
            n % s.sgs.max(1)
        );
        files.push((format!("{ns}.yaml"), y));
    }
    files
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

/// CPU seconds used by this process so far (user + system), from /proc.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit(')').next()?.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            let u: f64 = f.get(11)?.parse().ok()?;
            let k: f64 = f.get(12)?.parse().ok()?;
            Some((u + k) / 100.0)
        })
        .unwrap_or(0.0)
}

fn load(dir: &Path) -> Model {
    let opts = palisade_terraform::Options::default();
    let root = palisade_terraform::load_root(&dir.join("terraform"), &opts, &|p: &Path| {
        p.display().to_string()
    });
    if !root.errors.is_empty() {
        eprintln!(
            "load errors: {:?}",
            &root.errors[..root.errors.len().min(3)]
        );
    }
    let adapted = palisade_adapt::terraform::adapt_terraform(&root.resources);
    let mut m = Model {
        aws: adapted.aws,
        ..Default::default()
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("k8s"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let l = palisade_k8s::load_file(&text, &p.display().to_string());
        m.extend(Model {
            k8s: l.k8s,
            ..Default::default()
        });
    }
    m.k8s.sort();
    m.aws.finish();
    m
}

fn run(scale: f64, write: Option<&Path>) {
    let s = sizes(scale);
    let mut rng = Rng(42);
    let dir = match write {
        Some(d) => d.to_path_buf(),
        None => std::env::temp_dir().join(format!("palisade-bench-{}-{scale}", std::process::id())),
    };
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(dir.join("terraform"));
    let _ = std::fs::create_dir_all(dir.join("k8s"));
    for (name, text) in terraform(&s, &mut rng) {
        let _ = std::fs::write(dir.join("terraform").join(name), text);
    }
    for (name, text) in kubernetes(&s, &mut rng) {
        let _ = std::fs::write(dir.join("k8s").join(name), text);
    }
    // The IDs a Terraform state would bind.
    let bindings: Vec<(String, String)> = (0..s.sgs)
        .map(|i| (format!("sg-bench-{i}"), format!("aws_security_group.sg{i}")))
        .collect();
    let t = Instant::now();
    let m = load(&dir);
    let t_load = t.elapsed();
    let t = Instant::now();
    let net = Net::with_bindings(&m, &bindings);
    let t_net = t.elapsed();
    let t = Instant::now();
    let c0 = cpu_secs();
    let matrix = net.cluster.matrix(None);
    let t_matrix = t.elapsed();
    let c_matrix = cpu_secs() - c0;
    let t = Instant::now();
    let c0 = cpu_secs();
    let a = Analysis::new(&net);
    let ex = a.exposure();
    let t_exposure = t.elapsed();
    let c_exposure = cpu_secs() - c0;
    let sources: usize = ex.iter().map(|e| e.sources.len()).sum();
    let paths: usize = ex.iter().map(|e| e.internet_paths.len()).sum();
    println!(
        "scale {scale:>4}: {} SGs / {} rules, {} subnets, {} pods in {} namespaces ({} groups, {} classes), {} policies | load {:.2}s  net {:.2}s  matrix {:.2}s (cpu {:.2}s; {} entries)  exposure {:.2}s (cpu {:.2}s; {} stores, {} sources, {} internet paths, {} hop evaluations) | peak RSS {:.0} MiB",
        m.aws.security_groups.len(),
        m.aws.sg_rules.len(),
        m.aws.subnets.len(),
        m.k8s.workloads.len(),
        s.namespaces,
        net.cluster.groups.len(),
        net.cluster.class_count(),
        m.k8s.network_policies.len(),
        t_load.as_secs_f64(),
        t_net.as_secs_f64(),
        t_matrix.as_secs_f64(),
        c_matrix,
        matrix.entries.len(),
        t_exposure.as_secs_f64(),
        c_exposure,
        ex.len(),
        sources,
        paths,
        a.evaluations(),
        peak_rss_mib()
    );
    if write.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let write = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let scales: Vec<f64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let scales = if scales.is_empty() {
        vec![0.25, 0.5, 1.0, 2.0]
    } else {
        scales
    };
    for s in scales {
        run(s, write.as_deref());
    }
}
