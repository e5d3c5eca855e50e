// TCP and UDP: ports, stream numbers, and the hand-off of their payload to
// heuristics (TLS, HTTP, SSH, QUIC, VXLAN), then to the protocol of the
// lower port, else of the higher one (the dissector of the port that gave
// the payload its name, so the fields agree with the summary).
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <string>

namespace underhood::dissect {
namespace {

enum {
    kTcp, kTcpSrcport, kTcpDstport, kTcpPort, kTcpStream, kTcpLen, kTcpSeqRaw, kTcpAckRaw, kTcpHdrLen, kTcpFlags,
    kTcpFlagsFin, kTcpFlagsSyn, kTcpFlagsReset, kTcpFlagsPush, kTcpFlagsAck, kTcpFlagsUrg, kTcpWindow,
    kTcpChecksum, kTcpPayload,
    kUdp, kUdpSrcport, kUdpDstport, kUdpPort, kUdpLength, kUdpChecksum, kUdpStream,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"tcp", "Transmission Control Protocol", FieldType::Protocol},
    {"tcp.srcport", "Source Port", FieldType::Uint},
    {"tcp.dstport", "Destination Port", FieldType::Uint},
    {"tcp.port", "Source or Destination Port", FieldType::Uint, Base::Dec, 0, "tcp.srcport", "tcp.dstport"},
    {"tcp.stream", "Stream index", FieldType::Uint},
    {"tcp.len", "TCP Segment Len", FieldType::Uint},
    {"tcp.seq_raw", "Sequence Number (raw)", FieldType::Uint},
    {"tcp.ack_raw", "Acknowledgment number (raw)", FieldType::Uint},
    {"tcp.hdr_len", "Header Length", FieldType::Uint},
    {"tcp.flags", "Flags", FieldType::Uint, Base::Hex, 4},
    {"tcp.flags.fin", "Fin", FieldType::Bool},
    {"tcp.flags.syn", "Syn", FieldType::Bool},
    {"tcp.flags.reset", "Reset", FieldType::Bool},
    {"tcp.flags.push", "Push", FieldType::Bool},
    {"tcp.flags.ack", "Acknowledgment", FieldType::Bool},
    {"tcp.flags.urg", "Urgent", FieldType::Bool},
    {"tcp.window_size_value", "Window", FieldType::Uint},
    {"tcp.checksum", "Checksum", FieldType::Uint, Base::Hex, 4},
    {"tcp.payload", "TCP payload", FieldType::Bytes},
    {"udp", "User Datagram Protocol", FieldType::Protocol},
    {"udp.srcport", "Source Port", FieldType::Uint},
    {"udp.dstport", "Destination Port", FieldType::Uint},
    {"udp.port", "Source or Destination Port", FieldType::Uint, Base::Dec, 0, "udp.srcport", "udp.dstport"},
    {"udp.length", "Length", FieldType::Uint},
    {"udp.checksum", "Checksum", FieldType::Uint, Base::Hex, 4},
    {"udp.stream", "Stream index", FieldType::Uint},
};
FieldId f0 = 0;

// The port whose protocol names a payload: the lower port's, else the
// higher one's (on UDP, QUIC only through its heuristic); 0 when neither
// has a name.
uint16_t app_port(const Packet& p, bool tcp, Proto& a)
{
    const auto named = [tcp](Proto x) { return x != Proto::None && (tcp || x != Proto::Quic); };
    const uint16_t lo = std::min(p.sport, p.dport), hi = std::max(p.sport, p.dport);
    if (named(a = proto_for_port(lo, tcp)))
        return lo;
    if (named(a = proto_for_port(hi, tcp)))
        return hi;
    a = Proto::None;
    return 0;
}

// The payload goes to a heuristic, else to the protocol its port names:
// the name alone counts when no dissector is registered for that port.
void hand_on(Tvb payload, Packet& p, bool tcp)
{
    if (tcp ? try_tcp_heuristics(payload, p) : try_udp_heuristics(payload, p))
        return;
    Proto a = Proto::None;
    const uint16_t port = app_port(p, tcp, a);
    p.set_app(a == Proto::None ? Proto::Data : a, payload);
    if (Dissector d = port ? (tcp ? find_tcp_port(port) : find_udp_port(port)) : nullptr)
        d(payload, p);
}

void tcp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Tcp) || !t.need(0, 20))
        return;
    const uint16_t sp = t.be16(0), dp = t.be16(2);
    p.set_ports(Proto::Tcp, p.net_src, p.net_dst, sp, dp);
    p.sport = sp;
    p.dport = dp;
    const size_t doff = size_t(t.u8(12) >> 4) * 4;
    const uint16_t flags = t.be16(12) & 0x0FFF;
    if (p.want_tree()) {
        const size_t o = t.begin();
        // As the IP header states it, captured or not (Wireshark's tcp.len).
        const size_t stated = p.net_payload_len != SIZE_MAX ? p.net_payload_len : t.length();
        const size_t seg = doff >= 20 && doff <= stated ? stated - doff : 0;
        p.layer(f0 + kTcp, t.sub(0, std::min<size_t>(std::max<size_t>(doff, 20), t.length())),
                "Transmission Control Protocol, Src Port: " + std::to_string(sp) + ", Dst Port: " + std::to_string(dp) +
                    ", Len: " + std::to_string(seg));
        p.add_uint(f0 + kTcpSrcport, o, 2, sp);
        p.add_uint(f0 + kTcpDstport, o + 2, 2, dp);
        if (p.streams)
            p.add_uint(f0 + kTcpStream, o, 0, p.streams->index(true, p.net_src, sp, p.net_dst, dp));
        p.add_uint(f0 + kTcpLen, o, 0, seg);
        p.add_uint(f0 + kTcpSeqRaw, o + 4, 4, t.be32(4));
        p.add_uint(f0 + kTcpAckRaw, o + 8, 4, t.be32(8));
        p.add_uint(f0 + kTcpHdrLen, o + 12, 1, doff);
        p.add_uint(f0 + kTcpFlags, o + 12, 2, flags);
        p.open_subtree();
        p.add_uint(f0 + kTcpFlagsUrg, o + 13, 1, (flags >> 5) & 1);
        p.add_uint(f0 + kTcpFlagsAck, o + 13, 1, (flags >> 4) & 1);
        p.add_uint(f0 + kTcpFlagsPush, o + 13, 1, (flags >> 3) & 1);
        p.add_uint(f0 + kTcpFlagsReset, o + 13, 1, (flags >> 2) & 1);
        p.add_uint(f0 + kTcpFlagsSyn, o + 13, 1, (flags >> 1) & 1);
        p.add_uint(f0 + kTcpFlagsFin, o + 13, 1, flags & 1);
        p.close_subtree();
        p.add_uint(f0 + kTcpWindow, o + 14, 2, t.be16(14));
        p.add_uint(f0 + kTcpChecksum, o + 16, 2, t.be16(16));
    }
    if (doff < 20) {
        p.mark(DecodedPacket::Malformed, "TCP header length below 20", t.begin() + 12);
        return;
    }
    if (!t.need(0, doff))
        return;
    Tvb payload = t.rest(doff);
    if (payload.empty())
        return;
    hand_on(payload, p, true);
}

void udp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Udp) || !t.need(0, 8))
        return;
    const uint16_t sp = t.be16(0), dp = t.be16(2), len = t.be16(4);
    p.set_ports(Proto::Udp, p.net_src, p.net_dst, sp, dp);
    p.sport = sp;
    p.dport = dp;
    if (p.want_tree()) {
        const size_t o = t.begin();
        p.layer(f0 + kUdp, t.sub(0, 8),
                "User Datagram Protocol, Src Port: " + std::to_string(sp) + ", Dst Port: " + std::to_string(dp));
        p.add_uint(f0 + kUdpSrcport, o, 2, sp);
        p.add_uint(f0 + kUdpDstport, o + 2, 2, dp);
        p.add_uint(f0 + kUdpLength, o + 4, 2, len);
        p.add_uint(f0 + kUdpChecksum, o + 6, 2, t.be16(6));
        if (p.streams)
            p.add_uint(f0 + kUdpStream, o, 0, p.streams->index(false, p.net_src, sp, p.net_dst, dp));
    }
    Tvb dgram = t;
    if (len != 0) { // 0 in IPv6 jumbograms
        if (len < 8) {
            p.mark(DecodedPacket::Malformed, "UDP length below 8", t.begin() + 4);
            return;
        }
        dgram = t.sub(0, len);
    }
    Tvb payload = dgram.rest(8);
    if (payload.empty())
        return;
    hand_on(payload, p, false);
}

} // namespace

void dissect_port_payload(Tvb t, Packet& p, bool tcp)
{
    Proto a = Proto::None;
    const uint16_t port = app_port(p, tcp, a);
    if (Dissector d = port ? (tcp ? find_tcp_port(port) : find_udp_port(port)) : nullptr)
        d(t, p);
}

void register_transport()
{
    f0 = register_fields(kFields, kCount);
    add_ip_protocol(6, tcp);
    add_ip_protocol(17, udp);
}

} // namespace underhood::dissect
