#!/usr/bin/env bash
# Live-capture benchmark: trafgen at its top speed over a veth pair between two
# network namespaces (no addresses, IPv6 off, no routes out), for SECONDS per
# run. Each capturer gets its own run with the same buffer size; the receiving
# interface's rx_packets is the ground truth. Needs root, trafgen and
# netsniff-ng (Debian: netsniff-ng), tcpdump, and /usr/bin/time.
#
#   tests/bench/bench_capture.sh [BUILD_DIR] [SECONDS] [BUFFER_MIB]
set -euo pipefail
build=${1:-build}
secs=${2:-10}
buf=${3:-64}
helper=$(realpath "$build/bin/underhood-capture")
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }
for t in trafgen netsniff-ng tcpdump /usr/bin/time; do command -v "$t" >/dev/null || { echo "missing $t"; exit 1; }; done

source "$(dirname "$0")/veth_pair.sh"
work=$(mktemp -d)
cleanup() { [ -n "${KEEP:-}" ] && cp -r "$work" /tmp/benchkeep; veth_pair_down; rm -rf "$work"; }
trap cleanup EXIT
veth_pair_up uhb

rx() { ip netns exec "$B" cat "/sys/class/net/$VB/statistics/rx_packets"; }

# run NAME COMMAND...: starts the capturer in namespace B, blasts for $secs,
# stops it with SIGINT, prints: name, rx ground truth, captured, dropped, cpu.
run() {
  local name=$1; shift
  ip netns exec "$B" /usr/bin/time -f '%U %S' -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  local pid=$!
  sleep 1.5
  local before; before=$(rx)
  ip netns exec "$A" timeout -s INT "$secs" trafgen -i "$work/frame.cfg" -o "$VA" -P 1 -q >/dev/null 2>&1 || true
  sleep 1
  local after; after=$(rx)
  pkill -INT -P "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  pkill -INT -f "$work/$name" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$name $((after - before)) $(cat "$work/$name.time" | tail -1)" >> "$work/results"
}

run underhood-afpacket "$helper" -i "$VB" -B "$buf" --backend afpacket -w /dev/null
run underhood-pcap "$helper" -i "$VB" -B "$buf" --backend pcap -w /dev/null
run tcpdump tcpdump -i "$VB" -B $((buf * 1024)) -n -w /dev/null
run netsniff-ng netsniff-ng --in "$VB" --out /dev/null -S "${buf}MiB" --silent

printf '%-20s %12s %12s %12s %12s %10s %10s %12s\n' tool "rx(truth)" captured dropped unaccounted "pps" "cpu s" "ns cpu/pkt"
while read -r name truth user sys; do
  err="$work/$name.all"
  cat "$work/$name.out" "$work/$name.err" | tr '\r' '\n' > "$err"
  case $name in
    underhood-*)
      captured=$(grep -o '[0-9]* packets written' "$err" | awk '{print $1}')
      kdrop=$(grep -o '[0-9]* dropped by the kernel' "$err" | awk '{print $1}')
      hdrop=$(grep -o '[0-9]* dropped by the helper' "$err" | awk '{print $1}')
      dropped=$(( ${kdrop:-0} + ${hdrop:-0} )) ;;
    tcpdump)
      captured=$(grep -o '^[0-9]* packets captured' "$err" | awk '{print $1}')
      dropped=$(grep -o '^[0-9]* packets dropped by kernel' "$err" | awk '{print $1}') ;;
    netsniff-ng)
      captured=$(grep -o '[0-9]*  packets passed filter' "$err" | awk '{print $1}')
      dropped=$(grep -o '[0-9]*  packets failed filter' "$err" | awk '{print $1}') ;;
  esac
  cpu=$(echo "$user + $sys" | bc -l)
  pps=$(echo "${captured:-0} / $secs" | bc)
  nspp=$(echo "if (${captured:-0} > 0) $cpu * 1000000000 / ${captured:-1} else 0" | bc)
  # Ground truth minus what the tool captured and said it dropped: 0 means nothing was lost silently.
  unaccounted=$(( truth - ${captured:-0} - ${dropped:-0} ))
  printf '%-20s %12s %12s %12s %12s %10s %10.2f %12s\n' "$name" "$truth" "${captured:-?}" "${dropped:-?}" "$unaccounted" "$pps" "$cpu" "$nspp"
done < "$work/results"
