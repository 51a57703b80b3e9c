//! Access analysis of the `examples/eks-rds` twins.

use palisade_access::{Analysis, Options};
use palisade_model::Model;
use palisade_scan::ScanOptions;
use std::path::Path;

fn load(which: &str) -> Model {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/eks-rds")
        .join(which);
    let opts = ScanOptions {
        paths: vec![dir.clone()],
        display_base: dir,
        ..Default::default()
    };
    palisade_scan::load(&opts).0
}

#[test]
fn explore() {
    for which in ["secure", "insecure"] {
        let m = load(which);
        let a = Analysis::new(&m, &Options::default());
        for r in [
            "aws_secretsmanager_secret.app",
            "aws_db_instance.main",
            "aws_iam_role.app",
            "Secret/shop/db-credentials",
        ] {
            match a.who(r, &[]) {
                Ok(w) => println!("{}", palisade_access::render::who_text(&w)),
                Err(e) => println!("{which} {r}: {e}"),
            }
        }
        for p in [
            "ServiceAccount/shop-prod/shop-api",
            "ServiceAccount/shop/default",
            "aws_iam_user.ci",
        ] {
            match a.what(p) {
                Ok(w) => println!("{}", palisade_access::render::what_text(&w)),
                Err(e) => println!("{which} {p}: {e}"),
            }
        }
        for e in a.escalations() {
            println!("ESC {} -> {}: {}", e.principal, e.admin, e.chain());
        }
    }
}
