#!/bin/sh
# Regenerates tests/tshark/golden/*.json: what tshark says the IP-layer
# conversations of some corpus captures are. test_cli_golden compares
# `underhood-cli stats --json --layer ip` with them; it needs no tshark.
#
# Usage: tests/tshark/make_golden.sh [SHARED_DIR]
#   SHARED_DIR holds corpus/ (default: the "shared" folder beside the checkout).
#
# Each frame is keyed by its first ip or ipv6 layer in frame.protocols, as
# test_tshark_corpus does: an "ip" layer directly followed by "ipv6" without
# IPv4 addresses is Wireshark's IP dissector handing a version 6 header on,
# and a layer with only one address ended inside the fixed header (not IP).
# Review the diff of the JSON before committing it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
shared=${1:-$here/../../../shared}
out=$here/golden
command -v tshark >/dev/null || { echo "make_golden.sh: tshark is not installed" >&2; exit 1; }
[ -d "$shared/corpus" ] || { echo "make_golden.sh: no corpus in $shared" >&2; exit 1; }
export LC_ALL=C
# Keep the user's Wireshark preferences out of it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp" XDG_CONFIG_HOME="$tmp"
version=$(tshark --version 2>/dev/null | head -n 1)

# name  capture (relative to SHARED_DIR/corpus)  [bytes to keep: a capture cut short]
cases='
print-flags                tcpdump/print-flags.pcap
dhcp-rfc4388               tcpdump/dhcp-rfc4388.pcap
dhcp-rfc4388-cut           tcpdump/dhcp-rfc4388.pcap 7000
dnssec                     tcpdump/dnssec.pcap
nfs-write-verf-cookie      tcpdump/nfs-write-verf-cookie.pcapng
ldp-common-session         tcpdump/ldp-common-session.pcap
802.1ad_QinQ               tcpdump/802.1ad_QinQ.pcap
arista_ether               tcpdump/arista_ether.pcap
various_gre                tcpdump/various_gre.pcap
pptp                       tcpdump/pptp.pcap
gso-ipv4-vxlan-ipv6        tcpdump/gso-ipv4-vxlan-ipv6.pcap
ipv6-srh-ext-header        tcpdump/ipv6-srh-ext-header.pcap
OSPFv3_with_AH             tcpdump/OSPFv3_with_AH.pcap
macsec-integonly           tcpdump/macsec-integonly.pcap
quic_handshake             tcpdump/quic_handshake.pcap
resp_1_benchmark           tcpdump/resp_1_benchmark.pcap
babel_rtt                  tcpdump/babel_rtt.pcap
LINKTYPE_IPV4_invalid      tcpdump/LINKTYPE_IPV4_invalid.pcap
icmpv6_nodeinfo_queryipv4  tcpdump/icmpv6_nodeinfo_queryipv4.pcap
lspping-fec-ldp            tcpdump/lspping-fec-ldp.pcap
ieee802.11_htc             tcpdump/ieee802.11_htc.pcap
hdlc_slarp                 tcpdump/hdlc_slarp.pcapng
tcp_rst_data-trunc         tcpdump/tcp_rst_data-trunc.pcap
ipv6_39_byte_header        tcpdump/ipv6_39_byte_header.pcap
ipv4_invalid_total_length_2 tcpdump/ipv4_invalid_total_length_2.pcap
'

mkdir -p "$out"
echo "$cases" | while read -r name capture cut; do
    [ -n "$name" ] || continue
    src=$shared/corpus/$capture
    [ -f "$src" ] || { echo "make_golden.sh: missing $src" >&2; exit 1; }
    input=$src
    if [ -n "${cut:-}" ]; then
        input=$tmp/cut
        head -c "$cut" "$src" >"$input"
    fi
    sha=$(sha256sum "$src" | cut -d' ' -f1)
    # tshark exits 2 on a capture cut short; it still prints every whole record.
    tshark -n -r "$input" -T fields -E occurrence=f -e frame.len -e frame.protocols \
        -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst 2>/dev/null >"$tmp/fields" || true
    awk -F'\t' -v OFS=' ' '
        { packets++; bytes += $1
          n = split($2, layer, ":")
          src = ""; dst = ""
          for (i = 1; i <= n; i++) {
              if (layer[i] == "ip") {
                  if (i < n && layer[i + 1] == "ipv6" && $3 == "" && $4 == "") continue
                  src = $3; dst = $4; break
              }
              if (layer[i] == "ipv6") { src = $5; dst = $6; break }
          }
          if (src == "" || dst == "") next
          if ((src "") <= (dst "")) { a = src; b = dst; fwd = 1 } else { a = dst; b = src; fwd = 0 }
          k = a " " b
          cp[k]++; cb[k] += $1
          if (fwd) { abp[k]++; abb[k] += $1 } else { bap[k]++; bab[k] += $1 }
        }
        END {
          print "TOTAL", packets + 0, bytes + 0
          for (k in cp) print k, cp[k], cb[k], abp[k] + 0, abb[k] + 0, bap[k] + 0, bab[k] + 0
        }' "$tmp/fields" >"$tmp/rows"
    {
        printf '{\n'
        printf '  "capture": "%s",\n' "$capture"
        printf '  "sha256": "%s",\n' "$sha"
        [ -n "${cut:-}" ] && printf '  "cut_at": %s,\n' "$cut"
        printf '  "generated_by": "%s",\n' "$version"
        awk '$1 == "TOTAL" { printf "  \"packets\": %s,\n  \"bytes\": %s,\n", $2, $3 }' "$tmp/rows"
        printf '  "conversations": ['
        grep -v '^TOTAL ' "$tmp/rows" | sort -k1,1 -k2,2 | awk '
            { printf "%s\n    {\"a\": \"%s\", \"b\": \"%s\", \"packets\": %s, \"bytes\": %s, " \
                     "\"a_to_b_packets\": %s, \"a_to_b_bytes\": %s, \"b_to_a_packets\": %s, \"b_to_a_bytes\": %s}",
                     (NR > 1 ? "," : ""), $1, $2, $3, $4, $5, $6, $7, $8 }
            END { if (NR) printf "\n  " }'
        printf ']\n}\n'
    } >"$out/$name.json"
    echo "$name: $(grep -c '"a":' "$out/$name.json" || true) conversations"
done
