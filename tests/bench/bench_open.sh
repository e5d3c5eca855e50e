#!/usr/bin/env bash
# Opening a large capture in the app's ingest (bench_open) against
# `underhood-cli stats --json` on the same file. Targets: at most 2x the CLI's
# time; at most 64 bytes of memory per packet beyond the mapped file.
#
#   tests/bench/bench_open.sh [BUILD_DIR] [PACKETS]
set -euo pipefail
build=${1:-build}
packets=${2:-2000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/underhood-open.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$build/bin/underhood-synth" --packets "$packets" --hosts 1000 --seed 1 -o "$tmp/big.pcapng" > /dev/null
cat "$tmp/big.pcapng" > /dev/null
best() { # best wall time of 3 runs
  local b=
  for _ in 1 2 3; do
    /usr/bin/time -f '%e' -o "$tmp/t" "$@" > "$tmp/out" 2>/dev/null
    t=$(cat "$tmp/t")
    if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN{exit !(a<b)}'; then b=$t; fi
  done
  echo "$b"
}
cli=$(best "$build/bin/underhood-cli" stats --json "$tmp/big.pcapng")
app=$(best "$build/bin/bench_open" "$tmp/big.pcapng")
"$build/bin/bench_open" "$tmp/big.pcapng" > "$tmp/open.txt"
bpp=$(awk '/bytes_per_packet/{print $2}' "$tmp/open.txt")
printf 'packets            %s\n' "$packets"
printf 'underhood-cli      %s s\n' "$cli"
printf 'app ingest         %s s  (%.2fx the CLI; target <= 2x)\n' "$app" "$(echo "$app / $cli" | bc -l)"
printf 'memory per packet  %s bytes beyond the mapping (target <= 64)\n' "$bpp"
