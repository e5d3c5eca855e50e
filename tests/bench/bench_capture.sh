#!/usr/bin/env bash
# Live-capture benchmark: trafgen at its top speed over a veth pair between two
# network namespaces (no addresses, IPv6 off, no routes out), for SECONDS per
# run. Each capturer gets its own run with the same buffer size; the receiving
# interface's rx_packets is the ground truth. The frames are 60-byte IPv4/UDP
# with random source ports, so a fanout group (--threads 2) spreads them.
# Printed per tool: packets captured, drops by stage (the interface's
# rx_dropped, the kernel's backlog from /proc/net/softnet_stat, the capture
# socket's ring, the tool's own), CPU per packet, and ratios to the truth and
# to tcpdump. Needs root, trafgen and netsniff-ng (Debian: netsniff-ng),
# tcpdump, bc and /usr/bin/time. Never run by ctest.
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
# IPv4/UDP, 60 bytes, source port random per frame (so, many flows).
cat > "$work/frame.cfg" <<'CFG'
{ 0x02,0x00,0x00,0x00,0x00,0x02, 0x02,0x00,0x00,0x00,0x00,0x01, 0x08,0x00,
  0x45,0x00, const16(46), const16(0), 0x40,0x00, 0x40,0x11, csumip(14, 33),
  10,9,0,1, 10,9,0,2,
  drnd(2), 0x13,0x88, const16(26), const16(0),
  fill(0x41, 18) }
CFG

rx() { ip netns exec "$B" cat "/sys/class/net/$VB/statistics/rx_packets"; }
rx_dropped() { ip netns exec "$B" cat "/sys/class/net/$VB/statistics/rx_dropped"; }
# Packets the kernel's per-CPU backlogs dropped, all CPUs (the second column, hexadecimal).
softnet_dropped() { local t=0 d; while read -r _ d _; do t=$((t + 16#$d)); done < /proc/net/softnet_stat; echo $t; }

# run NAME COMMAND...: starts the capturer in namespace B, blasts for $secs,
# stops it with SIGINT, prints: name, rx ground truth, captured, dropped, cpu.
run() {
  local name=$1; shift
  ip netns exec "$B" /usr/bin/time -f '%U %S' -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  local pid=$!
  sleep 1.5
  local before; before=$(rx)
  local ifd0; ifd0=$(rx_dropped)
  local sn0; sn0=$(softnet_dropped)
  ip netns exec "$A" timeout -s INT "$secs" trafgen -i "$work/frame.cfg" -o "$VA" -P 1 -q >/dev/null 2>&1 || true
  sleep 1
  local after; after=$(rx)
  local ifd1; ifd1=$(rx_dropped)
  local sn1; sn1=$(softnet_dropped)
  pkill -INT -P "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  pkill -INT -f "$work/$name" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$name $((after - before)) $((ifd1 - ifd0)) $((sn1 - sn0)) $(cat "$work/$name.time" | tail -1)" >> "$work/results"
}

run underhood-afpacket "$helper" -i "$VB" -B "$buf" --backend afpacket -w /dev/null
run underhood-afpacket-2t "$helper" -i "$VB" -B "$buf" --backend afpacket --threads 2 -w /dev/null
run underhood-pcap "$helper" -i "$VB" -B "$buf" --backend pcap -w /dev/null
run tcpdump tcpdump -i "$VB" -B $((buf * 1024)) -n -w /dev/null
run netsniff-ng netsniff-ng --in "$VB" --out /dev/null -S "${buf}MiB" --silent

# parse NAME: sets captured, kdrop (the socket's ring) and odrop (the tool's own queue) from its output.
parse() {
  local err="$work/$1.all"
  cat "$work/$1.out" "$work/$1.err" | tr '\r' '\n' > "$err"
  captured=0; kdrop=0; odrop=0
  case $1 in
    underhood-*)
      captured=$(grep -o '[0-9]* packets written' "$err" | awk '{print $1}')
      kdrop=$(grep -o '[0-9]* dropped by the kernel,' "$err" | head -1 | awk '{print $1}')
      odrop=$(grep -o '[0-9]* dropped by the helper' "$err" | awk '{print $1}') ;;
    tcpdump)
      captured=$(grep -o '^[0-9]* packets captured' "$err" | awk '{print $1}')
      kdrop=$(grep -o '^[0-9]* packets dropped by kernel' "$err" | awk '{print $1}') ;;
    netsniff-ng)
      captured=$(grep -o '[0-9]*  packets passed filter' "$err" | awk '{print $1}')
      kdrop=$(grep -o '[0-9]*  packets failed filter' "$err" | awk '{print $1}') ;;
  esac
  captured=${captured:-0}; kdrop=${kdrop:-0}; odrop=${odrop:-0}
}
ns_per_packet() { echo "if ($captured > 0) ($1 + $2) * 1000000000 / $captured else 0" | bc; }

tcpdump_nspp=0
while read -r name truth ifdrop backlog user sys; do
  [ "$name" = tcpdump ] || continue
  parse "$name"; tcpdump_nspp=$(ns_per_packet "$user" "$sys")
done < "$work/results"

printf '%-22s %10s %10s %9s %8s %8s %9s %8s %9s %7s %10s\n' tool "rx(truth)" captured "captured" "if drop" \
  "backlog" "ring drop" "own drop" unaccount "ns/pkt" "vs tcpdump"
while read -r name truth ifdrop backlog user sys; do
  parse "$name"
  nspp=$(ns_per_packet "$user" "$sys")
  pct=$(echo "if ($truth > 0) 100 * $captured / $truth else 0" | bc -l)
  ratio=$(echo "if ($tcpdump_nspp > 0) $nspp / $tcpdump_nspp else 0" | bc -l)
  # Ground truth minus what the tool captured and said it dropped: 0 means nothing was lost silently.
  unaccounted=$(( truth - captured - kdrop - odrop ))
  printf '%-22s %10s %10s %8.1f%% %8s %8s %9s %8s %9s %7s %9.2fx\n' "$name" "$truth" "$captured" "$pct" "$ifdrop" \
    "$backlog" "$kdrop" "$odrop" "$unaccounted" "$nspp" "$ratio"
done < "$work/results"
echo "rx(truth): frames the receiving veth took in; if drop: its rx_dropped growth; backlog: /proc/net/softnet_stat"
echo "drops (all CPUs); ring drop: the capture socket's ring was full; own drop: the tool's own queue;"
echo "unaccount: truth - captured - ring drop - own drop; ns/pkt: user+system CPU of the tool per captured packet."
