#!/usr/bin/env bash
# The window under a live flood: trafgen at its top speed over a veth pair
# between two network namespaces for SECONDS, captured at once by the full
# Underhood window (bench_live_window, plot in view) and by
# `tcpdump -w /dev/null` with the same kernel buffer. Prints the drops at each
# stage beside tcpdump's, the ground truth (the interface's rx_packets) and the
# window's event-loop latency. Needs root, trafgen (netsniff-ng) and tcpdump.
#
#   tests/bench/bench_live_window.sh [BUILD_DIR] [SECONDS] [BUFFER_MIB]
#
# Build first: ninja -C BUILD_DIR bench_live_window underhood-capture.
# QT_QPA_PLATFORM defaults to offscreen; run under xvfb-run to render with X.
set -euo pipefail
build=${1:-build}
secs=${2:-10}
buf=${3:-64}
bench=$(realpath "$build/bin/bench_live_window")
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }
for t in trafgen tcpdump; do command -v "$t" >/dev/null || { echo "missing $t"; exit 1; }; done
[ -x "$bench" ] || { echo "build bench_live_window first"; exit 1; }

source "$(dirname "$0")/veth_pair.sh"
work=$(mktemp -d)
cleanup() {
  [ -n "${tcpdump_pid:-}" ] && kill -INT "$tcpdump_pid" 2>/dev/null || true
  veth_pair_down; rm -rf "$work"
}
trap cleanup EXIT
veth_pair_up uhw
rx() { ip netns exec "$B" cat "/sys/class/net/$VB/statistics/$1"; }

ip netns exec "$B" tcpdump -i "$VB" -B $((buf * 1024)) -n -w /dev/null 2> "$work/tcpdump.err" &
tcpdump_pid=$!
export XDG_CONFIG_HOME="$work/config" QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
ip netns exec "$B" "$bench" --live "$VB" --seconds $((secs + 4)) --buffer "$buf" > "$work/window.out" 2> "$work/window.err" &
bench_pid=$!
for _ in $(seq 100); do grep -q '^ready' "$work/window.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$work/window.out" || { cat "$work/window.err"; exit 1; }
sleep 1.5
before=$(rx rx_packets); before_drop=$(rx rx_dropped)
ip netns exec "$A" timeout -s INT "$secs" trafgen -i "$work/frame.cfg" -o "$VA" -P 1 -q >/dev/null 2>&1 || true
sleep 1
truth=$(( $(rx rx_packets) - before )); ifdrop=$(( $(rx rx_dropped) - before_drop ))
wait "$bench_pid"
kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true; tcpdump_pid=

val() { awk -v k="$1" '$1 == k { print $2 }' "$work/window.out"; }
td_captured=$(grep -o '^[0-9]* packets captured' "$work/tcpdump.err" | awk '{print $1}')
td_received=$(grep -o '^[0-9]* packets received by filter' "$work/tcpdump.err" | awk '{print $1}')
td_dropped=$(grep -o '^[0-9]* packets dropped by kernel' "$work/tcpdump.err" | awk '{print $1}')

echo "trafgen ${secs} s over veth, buffer ${buf} MiB; rx_packets (truth) $truth ($((truth / secs)) pkt/s), rx_dropped $ifdrop"
printf '%-26s %14s %14s\n' stage underhood tcpdump
printf '%-26s %14s %14s\n' "interface dropped" "$(val interface_dropped)" "-"
printf '%-26s %14s %14s\n' "kernel received" "$(val kernel_received)" "$td_received"
printf '%-26s %14s %14s\n' "kernel dropped" "$(val kernel_dropped)" "$td_dropped"
printf '%-26s %14s %14s\n' "helper dropped" "$(val helper_dropped)" "-"
printf '%-26s %14s %14s\n' "app ingest received" "$(val ingest_received)" "-"
printf '%-26s %14s %14s\n' "app ingest dropped" "$(val ingest_dropped)" "-"
printf '%-26s %14s %14s\n' "decoded / written" "$(val decoded)" "$td_captured"
printf '%-26s %14s %14s\n' "total dropped" "$(val total_dropped)" "$td_dropped"
echo "window event loop latency (5 ms timer lateness): p50 $(val live_latency_p50_ms) ms, p99 $(val live_latency_p99_ms) ms, max $(val live_latency_max_ms) ms over $(val live_latency_samples) ticks; RSS $(( $(val rss_kib) / 1024 )) MiB"
