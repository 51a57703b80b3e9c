#!/usr/bin/env bash
# Times `palisade scan` and `checkov -d` on the same trees: the two bundled
# examples and a generated tree of N Terraform roots plus N manifests
# (default 2000 each). Prints wall time, peak memory and the ratios.
#
#   bash bench/scan-vs-checkov.sh [N]
#
# Needs checkov (`pip install checkov`); installs it when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"
OUT="bench-out"
mkdir -p "$OUT"

cargo build --release -p palisade-cli >/dev/null
PALISADE="$PWD/target/release/palisade"
command -v checkov >/dev/null || pip install -q checkov
[ -x /usr/bin/time ] || { apt-get update -q && apt-get install -y -q time; }

if [ ! -f "$OUT/tree-$N/.done" ]; then
  rm -rf "$OUT/tree-$N"
  python3 bench/gen_tree.py "$OUT/tree-$N" "$N"
  touch "$OUT/tree-$N/.done"
fi

# measure LABEL CMD...: prints "seconds peak_kib"
measure() {
  local log="$OUT/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$log"
}

printf '%-28s %12s %12s %14s %14s %10s %10s\n' tree palisade_s checkov_s palisade_MiB checkov_MiB speedup mem_ratio
for tree in examples/eks-rds/secure examples/eks-rds/insecure "$OUT/tree-$N"; do
  read -r pt pm < <(measure "$PALISADE" scan "$tree" --format json)
  read -r ct cm < <(measure checkov -d "$tree" --quiet --compact -o json --skip-download)
  python3 - "$tree" "$pt" "$pm" "$ct" "$cm" <<'PY'
import sys
tree, pt, pm, ct, cm = sys.argv[1], *map(float, sys.argv[2:])
print(f"{tree[-28:]:<28} {pt:>12.2f} {ct:>12.2f} {pm/1024:>14.1f} {cm/1024:>14.1f} {ct/max(pt,0.01):>9.1f}x {cm/max(pm,1):>9.1f}x")
PY
done
