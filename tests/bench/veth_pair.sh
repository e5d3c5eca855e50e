# Sourced by the live-capture benchmarks. Two network namespaces joined by a
# veth pair: no addresses, IPv6 off (so only the test frames cross it), no
# routes out. And a trafgen config of 64-byte frames with a private
# EtherType, sent round-robin.
#
#   veth_pair_up TAG   sets A and B (the namespaces), VA and VB (the ends in
#                      them) and writes $work/frame.cfg ($work must exist)
#   veth_pair_down     deletes both namespaces (and with them the pair)

veth_pair_up() {
  A=${1}a$$; B=${1}b$$; VA=${1}va; VB=${1}vb
  ip netns add "$A"; ip netns add "$B"
  ip link add "$VA" netns "$A" type veth peer name "$VB" netns "$B"
  local n
  for n in "$A" "$B"; do
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip -n "$A" link set "$VA" up; ip -n "$B" link set "$VB" up
  cat > "$work/frame.cfg" <<'CFG'
{ 0x02,0x00,0x00,0x00,0x00,0x02, 0x02,0x00,0x00,0x00,0x00,0x01, 0x88,0xb5,
  drnd(46) }
CFG
}

veth_pair_down() {
  [ -n "${A:-}" ] && ip netns del "$A" 2>/dev/null || true
  [ -n "${B:-}" ] && ip netns del "$B" 2>/dev/null || true
}
