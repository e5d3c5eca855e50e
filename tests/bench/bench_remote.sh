#!/usr/bin/env bash
# Remote-sensor throughput: packets per second captured without a drop over
# the ssh path (underhood-cli -i ssh://root@SENSOR/IFACE, the helper on the
# far side writing pcapng into the ssh session) against a local capture of the
# same traffic (underhood-cli -i IFACE on the sensor itself). Three network
# namespaces, no routes out, IPv6 off:
#
#   client ──veth (ssh)── sensor (sshd, the captured interface) ──veth── traffic (trafgen)
#
# For each rate trafgen sends SECONDS worth of 64-byte frames; a run counts as
# clean when every frame sent was captured and every drop counter is 0.
# Printed: one line per rate and path (the rate asked for and the one trafgen
# reached), and the highest clean rate reached on each path.
# sshd runs with a throwaway host key and user key in a temporary folder.
# Needs root, sshd (openssh-server), trafgen (netsniff-ng). Never run by ctest.
#
#   tests/bench/bench_remote.sh [BUILD_DIR] [SECONDS] [RATES...]   (a rate of 0: as fast as trafgen goes)
set -euo pipefail
build=${1:-build}
secs=${2:-3}
shift 2 2>/dev/null || shift $#
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(50000 100000 200000 0)
cli=$(realpath "$build/bin/underhood-cli")
helper=$(realpath "$build/bin/underhood-capture")
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }
for t in trafgen ssh ssh-keygen /usr/sbin/sshd; do command -v "$t" >/dev/null || { echo "missing $t"; exit 1; }; done

tag=uhbr$$
C=${tag}c; S=${tag}s; T=${tag}t
work=$(mktemp -d)
sshd_pid=
cleanup() {
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null || true
  for n in "$C" "$S" "$T"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

for n in "$C" "$S" "$T"; do
  ip netns add "$n"
  ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$n" link set lo up
done
ip link add brc netns "$C" type veth peer name brm netns "$S"
ip link add brt netns "$T" type veth peer name brk netns "$S"
for l in "$C brc" "$S brm" "$T brt" "$S brk"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n "$C" addr add 10.78.1.1/24 dev brc
ip -n "$S" addr add 10.78.1.2/24 dev brm

ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/user_key"
cp "$work/user_key.pub" "$work/authorized_keys"
echo "10.78.1.2 $(cat "$work/host_key.pub")" > "$work/known_hosts"
cat > "$work/sshd_config" <<EOF
Port 22
ListenAddress 10.78.1.2
HostKey $work/host_key
AuthorizedKeysFile $work/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
UsePAM no
PasswordAuthentication no
PidFile none
EOF
cat > "$work/ssh_config" <<EOF
Host *
  IdentityFile $work/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $work/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  LogLevel ERROR
EOF
mkdir -p /run/sshd
ip netns exec "$S" /usr/sbin/sshd -D -e -f "$work/sshd_config" 2> "$work/sshd.log" &
sshd_pid=$!
for _ in $(seq 100); do grep -q "Server listening" "$work/sshd.log" && break; sleep 0.1; done
export UNDERHOOD_SSH="ssh -F $work/ssh_config"

cat > "$work/frame.cfg" <<'CFG'
{ 0x02,0x00,0x00,0x00,0x00,0x02, 0x02,0x00,0x00,0x00,0x00,0x01, 0x88,0xb5,
  drnd(50) }
CFG

# measure NS SOURCE RATE: prints "sent captured received kernel_drops
# helper_drops achieved_pps". The capture runs until a second after trafgen
# ended (then SIGINT: the helper writes its final statistics), so a rate
# trafgen cannot reach shows as a lower achieved rate, not as losses.
measure() {
  local ns=$1 source=$2 rate=$3
  # Rate 0: trafgen's top speed (its TX ring), a million frames a second for the count.
  local n=$(( (rate > 0 ? rate : 1000000) * secs ))
  local pace=(-b "${rate}pps")
  [ "$rate" -gt 0 ] || pace=()
  ip netns exec "$ns" "$cli" stats --json -i "$source" > "$work/out.json" 2> "$work/err" &
  local pid=$!
  for _ in $(seq 200); do grep -q "capturing on" "$work/err" && break; sleep 0.05; done
  local t0 t1
  t0=$(date +%s.%N)
  ip netns exec "$T" trafgen -i "$work/frame.cfg" -o brt -P 1 -n "$n" "${pace[@]}" --no-sock-mem \
    --notouch-irq --no-cpu-stats >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  sleep 1
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" || true
  python3 - "$work/out.json" "$n" "$t0" "$t1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); s = j["sensors"][0]
z = lambda v: 0 if v is None else v
n = int(sys.argv[2]); secs = float(sys.argv[4]) - float(sys.argv[3])
print(n, j["packets"], z(s["received"]), z(s["dropped_kernel"]), z(s["dropped_helper"]), int(n / secs))
PY
}

printf '%-6s %9s %9s %9s %9s %9s %8s %8s\n' path asked_pps sent_pps sent captured received k_drops h_drops
declare -A best=([local]=0 [ssh]=0)
for rate in "${rates[@]}"; do
  for path in local ssh; do
    if [ "$path" = local ]; then
      r=$(measure "$S" brk "$rate")
    else
      r=$(measure "$C" "ssh://root@10.78.1.2/brk?helper=$helper" "$rate")
    fi
    read -r sent got recv kd hd achieved <<< "$r"
    printf '%-6s %9s %9s %9s %9s %9s %8s %8s\n' "$path" "$rate" "$achieved" "$sent" "$got" "$recv" "$kd" "$hd"
    if [ "$got" = "$sent" ] && [ "$kd" = 0 ] && [ "$hd" = 0 ] && [ "$achieved" -gt "${best[$path]}" ]; then
      best[$path]=$achieved
    fi
  done
done
echo "highest rate captured without a drop: local ${best[local]} pps, ssh ${best[ssh]} pps"
