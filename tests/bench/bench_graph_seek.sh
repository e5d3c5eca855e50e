#!/usr/bin/env bash
# Far jumps on the host graph's timeline (bench_graph_seek) on a large
# synthetic capture, with the default 60 s node timeout and with the whole
# capture as the graph's history (a jump decodes up to every packet again).
# Prints the model's times and the longest GUI-thread stall per jump.
#
#   tests/bench/bench_graph_seek.sh [BUILD_DIR] [PACKETS]
#
# Build first: ninja -C BUILD_DIR bench_graph_seek underhood-synth.
set -euo pipefail
build=${1:-build}
packets=${2:-2000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/underhood-seek.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$build/bin/underhood-synth" --packets "$packets" --hosts 1000 --seed 1 -q -o "$tmp/big.pcapng"
cat "$tmp/big.pcapng" > /dev/null
for window in 60 0; do
  echo "== node timeout ${window} s (0: the whole capture)"
  "$build/bin/bench_graph_seek" "$tmp/big.pcapng" --window "$window" --drag 50 2>&1 \
    | grep -v -e '^QStandardPaths' -e 'propagateSizeHints'
done
