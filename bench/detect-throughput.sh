#!/usr/bin/env bash
# Throughput of `palisade detect` on generated CloudTrail.
#
#   bench/detect-throughput.sh [SIZE_MB] [WORKDIR]
#
# Generates SIZE_MB (default 1100) of realistic uncompressed CloudTrail files with
# bench/detect-gen.py (kept in WORKDIR between runs, default /tmp/palisade-bench),
# then runs, pinned to one core (taskset, when available):
#   1. `palisade detect --parse-only`: read and parse the JSON only;
#   2. `palisade detect` with the built-in detections and the SigmaHQ-style
#      CloudTrail rules of bench/sigma-cloudtrail plus the test fixtures;
# and prints records per second, peak memory (max RSS) and the ratio of the two times.
# Each run is repeated (RUNS, default 2) and the best time kept.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB="${1:-1100}"
WORK="${2:-/tmp/palisade-bench}"
RUNS="${RUNS:-2}"
DATA="$WORK/cloudtrail-$SIZE_MB"
BIN="${PALISADE_BIN:-target/release/palisade}"

if [ ! -x "$BIN" ]; then
    cargo build --release -p palisade-cli
fi
if [ ! -f "$DATA/.done" ]; then
    rm -rf "$DATA"
    mkdir -p "$DATA"
    echo "generating $SIZE_MB MB of CloudTrail into $DATA ..." >&2
    python3 bench/detect-gen.py "$DATA" "$SIZE_MB" > "$DATA/.done"
fi
cat "$DATA/.done"
PIN=()
if command -v taskset >/dev/null; then PIN=(taskset -c 0); fi
# Warm the page cache so both runs read from memory.
cat $(find "$DATA" -name '*.json') > /dev/null

RULES=(--rules bench/sigma-cloudtrail --rules crates/palisade-watch/tests/fixtures/sigma/cloudtrail)
# The account's expected writers and networks, as a deployment would configure them.
OPTS=(--pipeline-role 'arn:aws:iam::*:role/ci-deploy' --pipeline-role 'arn:aws:iam::*:role/eks-node-group-prod'
      --pipeline-role 'arn:aws:iam::*:role/lambda-log-shipper' --infra-change-ignore 'logs.amazonaws.com:CreateLogStream'
      --known-cidr 203.0.113.0/24 --format json -o "$WORK/report.json")

best() { # label, command... -> "label cpu_seconds wall_seconds max_rss_kb" (best of RUNS by CPU time)
    local label="$1"; shift
    local best_cpu="" best_wall="" best_kb=""
    for _ in $(seq "$RUNS"); do
        local out
        out=$( { /usr/bin/time -f '%U %S %e %M' "$@" > /dev/null || true; } 2>&1 | tail -1)
        read -r u s e kb <<< "$out"
        local cpu
        cpu=$(awk "BEGIN{print $u + $s}")
        if [ -z "$best_cpu" ] || awk "BEGIN{exit !($cpu < $best_cpu)}"; then
            best_cpu="$cpu"; best_wall="$e"; best_kb="$kb"
        fi
    done
    echo "$label $best_cpu $best_wall $best_kb"
}

RECORDS=$(python3 -c "import json,sys; print(json.load(open('$DATA/.done'))['records'])")
BYTES=$(python3 -c "import json,sys; print(json.load(open('$DATA/.done'))['bytes'])")
read -r _ PARSE_S PARSE_W PARSE_KB < <(best parse "${PIN[@]}" "$BIN" detect --parse-only "$DATA")
read -r _ FULL_S FULL_W FULL_KB < <(best detect "${PIN[@]}" "$BIN" detect "${RULES[@]}" "${OPTS[@]}" "$DATA")
python3 - "$RECORDS" "$BYTES" "$PARSE_S" "$PARSE_KB" "$FULL_S" "$FULL_KB" "$WORK/report.json" "$PARSE_W" "$FULL_W" <<'EOF'
import json, sys
records, size = int(sys.argv[1]), int(sys.argv[2])
ps, pkb, fs, fkb = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
pw, fw = float(sys.argv[8]), float(sys.argv[9])
rep = json.load(open(sys.argv[7]))
s = rep["summary"]
print(f"input:        {records:,} records, {size / 1e9:.2f} GB uncompressed CloudTrail")
print(f"rules:        {s['rules']['loaded']} loaded ({len(s['rules']['skipped'])} skipped); {len(rep['alerts']):,} alerts on {s['matched']:,} records")
print("(CPU time = user + system on one core; wall time also shown, it varies on a shared machine)")
print(f"parse only:   {ps:.2f} s CPU ({pw:.2f} s wall)  {records / ps:,.0f} records/s  {size / ps / 1e6:,.0f} MB/s  peak RSS {pkb / 1024:.0f} MiB")
print(f"detect:       {fs:.2f} s CPU ({fw:.2f} s wall)  {records / fs:,.0f} records/s  {size / fs / 1e6:,.0f} MB/s  peak RSS {fkb / 1024:.0f} MiB")
print(f"detect / parse-only time: {fs / ps:.2f}x (one core)")
EOF
