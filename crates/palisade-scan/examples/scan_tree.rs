//! Scans a tree and prints the summary and the time each stage and each
//! rule took: a profiling aid (`cargo run --release -p palisade-scan
//! --example scan_tree -- DIR`).

use palisade_scan::{load, ScanOptions};
use std::time::Instant;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: scan_tree DIR");
        std::process::exit(2);
    };
    let opts = ScanOptions {
        paths: vec![dir.into()],
        ..Default::default()
    };
    let t = Instant::now();
    let (model, report, _) = load(&opts);
    println!(
        "load {:.2?}: {} files, {} resources",
        t.elapsed(),
        report.summary.files,
        report.summary.resources
    );
    let mut times = Vec::new();
    let total = Instant::now();
    for rule in &opts.rules {
        let t = Instant::now();
        let (findings, _) = palisade_rules::run(&model, &[*rule], &opts.params);
        times.push((t.elapsed(), rule.id, findings.len()));
    }
    times.sort();
    times.reverse();
    println!("rules {:.2?}; slowest:", total.elapsed());
    for (d, id, n) in times.iter().take(8) {
        println!("  {id} {d:.2?} ({n} findings)");
    }
}
