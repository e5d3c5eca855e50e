#!/usr/bin/env bash
# Times `underhood-cli stats --json` against tcpdump and tshark on one large
# synthetic capture, and checks Underhood's targets: at most 1.2x tcpdump's
# wall time, at most 100 MiB peak memory.
#
# Not part of ctest: it needs about 1 GB of disk, a few minutes (tshark alone
# takes a minute and several GB of memory) and a quiet machine.
#
# Needs the Debian packages time (GNU /usr/bin/time), tcpdump and tshark.
#
#   tests/bench/run_bench.sh [--build DIR] [--packets N] [--hosts N] [--runs N]
#                            [--skip-tshark] [--file CAPTURE] [--keep]
set -euo pipefail

build=build
packets=2000000
hosts=1000
runs=3
skip_tshark=0
file=
keep=0

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --build) build=$2; shift 2 ;;
        --packets) packets=$2; shift 2 ;;
        --hosts) hosts=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --skip-tshark) skip_tshark=1; shift ;;
        --file) file=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run_bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done

cli=$build/bin/underhood-cli
synth=$build/bin/underhood-synth
for tool in "$cli" /usr/bin/time tcpdump; do
    if ! command -v "$tool" >/dev/null; then
        echo "run_bench.sh: $tool not found (build the project; apt-get install time tcpdump tshark)" >&2
        exit 2
    fi
done
if [[ $skip_tshark -eq 0 ]] && ! command -v tshark >/dev/null; then
    echo "run_bench.sh: tshark not found (apt-get install tshark, or --skip-tshark)" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/underhood-bench.XXXXXX")
cleanup() { if [[ $keep -eq 0 ]]; then rm -rf "$tmp"; else echo "kept $tmp"; fi; }
trap cleanup EXIT

if [[ -z $file ]]; then
    [[ -x $synth ]] || { echo "run_bench.sh: $synth not found" >&2; exit 2; }
    file=$tmp/bench.pcapng
    echo "generating $packets packets, $hosts LAN hosts ..."
    "$synth" --packets "$packets" --hosts "$hosts" --seed 1 -o "$file"
fi
size=$(stat -c %s "$file")
echo "capture: $file ($((size / 1048576)) MiB)"
# Warm the page cache so every tool reads from memory.
cat "$file" > /dev/null
cat "$file" > /dev/null

# Runs a command N times; prints the best wall time and the largest peak RSS.
measure() {
    local n=$1; shift
    local best= rss=0 out=$tmp/time.out
    for ((i = 0; i < n; i++)); do
        if ! /usr/bin/time -f '%e %M' -o "$out" "$@" > /dev/null 2> "$tmp/stderr"; then
            echo "run_bench.sh: failed: $*" >&2
            cat "$tmp/stderr" >&2
            exit 1
        fi
        read -r t m < <(tail -n 1 "$out")
        if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
        (( m > rss )) && rss=$m
    done
    echo "$best $rss"
}

declare -A wall mem
declare -A label=([cli]=underhood-cli [tcpdump]=tcpdump [tshark]=tshark)
names=(cli tcpdump)
read -r wall[cli] mem[cli] < <(measure "$runs" "$cli" stats --json "$file")
read -r wall[tcpdump] mem[tcpdump] < <(measure "$runs" tcpdump -r "$file" -w /dev/null)
if [[ $skip_tshark -eq 0 ]]; then
    names+=(tshark)
    read -r wall[tshark] mem[tshark] < <(measure 1 tshark -r "$file" -q -z conv,ip)
fi

echo
printf '%-16s %10s %12s %14s %12s\n' tool "wall (s)" "vs tcpdump" "peak RSS (MiB)" "vs tcpdump"
for n in "${names[@]}"; do
    awk -v n="${label[$n]}" -v w="${wall[$n]}" -v m="${mem[$n]}" -v tw="${wall[tcpdump]}" -v tm="${mem[tcpdump]}" \
        'BEGIN { printf "%-16s %10.2f %11.2fx %14.1f %11.2fx\n", n, w, (tw > 0 ? w / tw : 0), m / 1024, m / tm }'
done
echo "(best of $runs runs for underhood-cli and tcpdump; tshark once)"

status=0
if awk -v w="${wall[cli]}" -v tw="${wall[tcpdump]}" 'BEGIN { exit !(w <= 1.2 * tw) }'; then
    echo "target met: underhood-cli wall time <= 1.2x tcpdump"
else
    echo "TARGET MISSED: underhood-cli wall time > 1.2x tcpdump"
    status=1
fi
if (( ${mem[cli]} <= 100 * 1024 )); then
    echo "target met: underhood-cli peak RSS <= 100 MiB"
else
    echo "TARGET MISSED: underhood-cli peak RSS > 100 MiB"
    status=1
fi
exit $status
