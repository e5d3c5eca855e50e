// TCP and UDP: ports, stream numbers, and the hand-off of their payload to
// heuristics (TLS, HTTP, SSH, QUIC, VXLAN), then to the protocol of the
// lower port, else of the higher one (the dissector of the port that gave
// the payload its name, so the fields agree with the summary).
#include "dissect/ip_layer.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"
#include "dissect/tcp_analysis.h"

#include <algorithm>
#include <string>

namespace underhood::dissect {
namespace {

enum {
    kTcp, kTcpSrcport, kTcpDstport, kTcpPort, kTcpStream, kTcpLen, kTcpSeqRaw, kTcpAckRaw, kTcpHdrLen, kTcpFlags,
    kTcpFlagsRes, kTcpFlagsAe, kTcpFlagsCwr, kTcpFlagsEce, kTcpFlagsFin, kTcpFlagsSyn, kTcpFlagsReset, kTcpFlagsPush,
    kTcpFlagsAck, kTcpFlagsUrg, kTcpWindow, kTcpChecksum, kTcpUrgentPointer, kTcpOptions, kTcpOptionKind,
    kTcpOptionLen, kTcpPayload,
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
    {"tcp.flags.res", "Reserved", FieldType::Bool},
    {"tcp.flags.ae", "Accurate ECN", FieldType::Bool},
    {"tcp.flags.cwr", "Congestion Window Reduced", FieldType::Bool},
    {"tcp.flags.ece", "ECN-Echo", FieldType::Bool},
    {"tcp.flags.fin", "Fin", FieldType::Bool},
    {"tcp.flags.syn", "Syn", FieldType::Bool},
    {"tcp.flags.reset", "Reset", FieldType::Bool},
    {"tcp.flags.push", "Push", FieldType::Bool},
    {"tcp.flags.ack", "Acknowledgment", FieldType::Bool},
    {"tcp.flags.urg", "Urgent", FieldType::Bool},
    {"tcp.window_size_value", "Window", FieldType::Uint},
    {"tcp.checksum", "Checksum", FieldType::Uint, Base::Hex, 4},
    {"tcp.urgent_pointer", "Urgent Pointer", FieldType::Uint},
    {"tcp.options", "Options", FieldType::Bytes},
    {"tcp.option_kind", "Kind", FieldType::Uint},
    {"tcp.option_len", "Length", FieldType::Uint},
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

// A payload its port names but that nothing here decodes: the protocol's
// name, and its bytes.
void by_port(Proto a, uint16_t port, Tvb t, Packet& p)
{
    if (Columns* c = p.col())
        c->protocol = column_name(a);
    if (!p.want_tree())
        return;
    const uint8_t* d = t.bytes(0, t.length());
    p.top_level();
    p.add_note(t.begin(), t.length(), column_name(a));
    Packet::Subtree sub(p);
    p.add_note(0, 0, strf("[Recognised by port %u only; not decoded]", port));
    p.add_note(t.begin(), t.length(), strf("Data (%zu bytes): %s", t.length(), hex_text(d, t.length()).c_str()));
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
    else if (a != Proto::None)
        by_port(a, port, payload, p);
    else
        dissect_data(payload, p);
}

// Wireshark's names of the flags, low bit first: "SYN, ACK".
std::string tcp_flag_names(uint16_t flags)
{
    static const char* const kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
    std::string s;
    for (int i = 0; i < 9; ++i)
        if (flags >> i & 1)
            s += std::string(s.empty() ? "" : ", ") + kNames[i];
    return s.empty() ? "<None>" : s;
}

// The options (RFC 9293 3.2) as rows of the tree and, when `info` is given,
// Wireshark's summary of them for the Info column (" MSS=1460 WS=128").
void tcp_options(Tvb t, Packet& p, std::string* info)
{
    const bool tree = p.want_tree();
    const size_t o = t.begin();
    const uint8_t* all = t.bytes(0, t.length());
    const size_t box =
        p.add_text(f0 + kTcpOptions, o, t.length(), std::string_view(reinterpret_cast<const char*>(all), t.length()));
    Packet::Subtree sub(p);
    std::string names;
    size_t at = 0;
    for (int i = 0; i < 40 && at < t.length(); ++i) {
        const uint8_t kind = t.u8(at);
        if (kind == 0 || kind == 1) {
            const char* name = kind == 0 ? "End of Option List (EOL)" : "No-Operation (NOP)";
            if (tree) {
                p.add_uint(f0 + kTcpOptionKind, o + at, 1, kind, strf("TCP Option - %s", name));
                names += std::string(names.empty() ? "" : ", ") + name;
            }
            at += 1;
            if (kind == 0)
                break;
            continue;
        }
        if (!t.has(at, 2) || t.u8(at + 1) < 2 || t.u8(at + 1) > t.length() - at) {
            p.tree_problem(DecodedPacket::Malformed, "TCP option length is invalid", o + at);
            break;
        }
        const size_t len = t.u8(at + 1);
        const uint8_t* v = t.bytes(at + 2, len - 2);
        std::string label;
        const char* name;
        switch (kind) {
        case 2:
            name = "Maximum segment size";
            if (len == 4) {
                label = strf("TCP Option - Maximum segment size: %u bytes", load_be16(v));
                if (info)
                    *info += strf(" MSS=%u", load_be16(v));
            }
            break;
        case 3:
            name = "Window scale";
            if (len == 3) {
                const unsigned multiplier = v[0] < 15 ? 1u << v[0] : 0u;
                label = strf("TCP Option - Window scale: %u (multiply by %u)", v[0], multiplier);
                if (info)
                    *info += strf(" WS=%u", multiplier);
            }
            break;
        case 4:
            name = "SACK permitted";
            if (info)
                *info += " SACK_PERM";
            break;
        case 5: {
            name = "SACK";
            if (tree) {
                std::string edges;
                for (size_t k = 0; k + 8 <= len - 2; k += 8)
                    edges += strf(" %u-%u", load_be32(v + k), load_be32(v + k + 4));
                label = "TCP Option - SACK" + edges;
            }
            if (info && len >= 10)
                *info += strf(" SLE=%u SRE=%u", load_be32(v), load_be32(v + 4));
            break;
        }
        case 8:
            name = "Timestamps";
            if (len == 10) {
                label = strf("TCP Option - Timestamps: TSval %u, TSecr %u", load_be32(v), load_be32(v + 4));
                if (info)
                    *info += strf(" TSval=%u TSecr=%u", load_be32(v), load_be32(v + 4));
            }
            break;
        case 29: name = "TCP Authentication Option"; break;
        case 30: name = "Multipath TCP"; break;
        case 34: name = "TCP Fast Open Cookie"; break;
        default: name = "Unknown"; break;
        }
        if (tree) {
            if (label.empty())
                label = strf("TCP Option - %s (%zu bytes)", name, len);
            p.add_note(o + at, len, std::move(label));
            Packet::Subtree option(p);
            p.add_uint(f0 + kTcpOptionKind, o + at, 1, kind, strf("Kind: %s (%u)", name, kind));
            p.add_uint(f0 + kTcpOptionLen, o + at + 1, 1, len);
            names += std::string(names.empty() ? "" : ", ") + name;
        }
        at += len;
    }
    if (tree)
        p.relabel(box, strf("Options: (%zu bytes), %s", t.length(), names.c_str()));
}

void tcp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Tcp))
        return;
    const size_t o = t.begin();
    const size_t item = p.layer(f0 + kTcp, t, {});
    p.cover(item, o, o + 20);
    if (!t.need(0, 20, "TCP header"))
        return;
    const uint16_t sp = t.be16(0), dp = t.be16(2);
    p.set_ports(Proto::Tcp, p.net_src, p.net_dst, sp, dp);
    p.sport = sp;
    p.dport = dp;
    const size_t doff = size_t(t.u8(12) >> 4) * 4;
    const uint16_t flags = t.be16(12) & 0x0FFF;
    const uint32_t seq = t.be32(4), ack = t.be32(8);
    const uint16_t win = t.be16(14);
    // As the IP header states it, captured or not (Wireshark's tcp.len).
    const size_t stated = p.net_payload_len != SIZE_MAX ? p.net_payload_len : t.length();
    const size_t seg = doff >= 20 && doff <= stated ? stated - doff : 0;
    // Sequence analysis sees every segment of the capture in order; a
    // quoted header or a first fragment (its segment is not all here) stays out.
    TcpVerdict verdict;
    if (p.tcp_analysis && !p.quoted() && !ip_carrier().more_fragments) {
        TcpSegment s;
        s.src = p.net_src;
        s.dst = p.net_dst;
        s.sport = sp;
        s.dport = dp;
        s.seq = seq;
        s.ack = ack;
        s.flags = flags;
        s.window = win;
        // Wireshark's segment length: by the IP header, but no longer than
        // the frame (an IP length that lies about more is clipped).
        const size_t reported = t.length() + (t.end() == p.captured() ? p.missing() : 0);
        const size_t wire = std::min(stated, reported);
        s.has_seglen = doff <= wire;
        s.seglen = s.has_seglen ? uint32_t(wire - doff) : 0;
        if (doff > 20 && t.has(20, doff - 20))
            s.wscale = tcp_window_scale_option(t.bytes(20, doff - 20), doff - 20);
        s.frame = p.frame_number;
        s.ts_ns = p.has_time ? p.ts_ns : 0;
        verdict = p.tcp_analysis->segment(s);
    } else if (p.tcp_analysis && !p.quoted()) {
        // A first fragment (reassembly is not done here): the numbers as
        // they are, as Wireshark shows them when it cannot reassemble.
        verdict.numbered = true;
        verdict.rel_seq = seq;
        verdict.rel_ack = ack;
    }
    // Streams are numbered as they appear, whether or not this packet's rows are wanted.
    const uint32_t stream = p.streams && !p.quoted() ? p.streams->index(true, p.net_src, sp, p.net_dst, dp,
                                                                         verdict.flags & kTcpReusedPorts)
                                                     : 0;
    if (p.want_tree()) {
        p.add_uint(f0 + kTcpSrcport, o, 2, sp);
        p.add_uint(f0 + kTcpDstport, o + 2, 2, dp);
        if (p.streams && !p.quoted())
            p.add_uint(f0 + kTcpStream, o, 0, stream, strf("[Stream index: %u]", stream));
        add_tcp_relative_seq(p, o + 4, verdict);
        p.add_uint(f0 + kTcpSeqRaw, o + 4, 4, seq);
        add_tcp_relative_ack(p, o, verdict);
        p.add_uint(f0 + kTcpAckRaw, o + 8, 4, ack);
        p.add_bits(f0 + kTcpHdrLen, o + 12, 1, doff,
                   bit_label(t.u8(12), 8, 0xF0, strf("Header Length: %zu bytes (%u)", doff, t.u8(12) >> 4)));
        p.add_uint(f0 + kTcpFlags, o + 12, 2, flags,
                   strf("Flags: 0x%03x (%s)", flags, tcp_flag_names(flags).c_str()));
        {
            Packet::Subtree bits(p);
            const auto bit = [&](int field, uint16_t mask, const char* name) {
                p.add_bits(f0 + field, o + 12, 2, (flags & mask) != 0, bit_flag(flags, 12, mask, name));
            };
            bit(kTcpFlagsRes, 0x0E00, "Reserved");
            bit(kTcpFlagsAe, 0x0100, "Accurate ECN");
            bit(kTcpFlagsCwr, 0x0080, "Congestion Window Reduced");
            bit(kTcpFlagsEce, 0x0040, "ECN-Echo");
            bit(kTcpFlagsUrg, 0x0020, "Urgent");
            bit(kTcpFlagsAck, 0x0010, "Acknowledgment");
            bit(kTcpFlagsPush, 0x0008, "Push");
            bit(kTcpFlagsReset, 0x0004, "Reset");
            bit(kTcpFlagsSyn, 0x0002, "Syn");
            bit(kTcpFlagsFin, 0x0001, "Fin");
        }
        p.add_uint(f0 + kTcpWindow, o + 14, 2, win);
        p.add_uint(f0 + kTcpChecksum, o + 16, 2, t.be16(16));
        p.add_uint(f0 + kTcpUrgentPointer, o + 18, 2, t.be16(18));
    }
    // Generated, as Wireshark shows it: after the header's own fields.
    const auto segment_len = [&] { p.add_uint(f0 + kTcpLen, 0, 0, seg, strf("[TCP Segment Len: %zu]", seg)); };
    Columns* c = p.col();
    std::string info;
    if (c) {
        c->protocol = "TCP";
        // Relative numbers when the analysis gives them, as Wireshark shows them.
        const uint32_t shown_seq = verdict.analysed ? verdict.rel_seq : seq;
        const uint32_t shown_ack = verdict.analysed ? verdict.rel_ack : ack;
        info = tcp_analysis_info(verdict) +
               strf("%u \u2192 %u [%s] Seq=%u", sp, dp, tcp_flag_names(flags).c_str(), shown_seq);
        if (flags & 0x10)
            info += strf(" Ack=%u", shown_ack);
        info += strf(" Win=%u", win);
    }
    if (doff < 20) {
        if (c)
            c->info = std::move(info);
        if (p.want_tree())
            segment_len();
        p.mark(DecodedPacket::Malformed, "TCP header length below 20", o + 12);
        return;
    }
    p.cover(item, o, o + doff);
    if (!t.need(0, doff, "TCP header")) {
        if (c)
            c->info = std::move(info);
        if (p.want_tree())
            segment_len();
        return;
    }
    if (doff > 20 && (p.want_tree() || c)) {
        std::string options;
        tcp_options(t.sub(20, doff - 20), p, c ? &options : nullptr);
        info += strf(" Len=%zu", seg) + options;
    } else if (c) {
        info += strf(" Len=%zu", seg);
    }
    if (c)
        c->info = std::move(info);
    if (p.want_tree()) {
        const uint32_t shown_seq = verdict.analysed ? verdict.rel_seq : seq;
        const uint32_t shown_ack = verdict.analysed ? verdict.rel_ack : ack;
        p.relabel(item, strf("Transmission Control Protocol, Src Port: %u, Dst Port: %u, Seq: %u%s, Len: %zu", sp, dp,
                             shown_seq, (flags & 0x10) ? strf(", Ack: %u", shown_ack).c_str() : "", seg));
        segment_len();
        add_tcp_analysis_rows(p, verdict);
    }
    Tvb payload = t.rest(doff);
    if (payload.empty() || p.quoted())
        return;
    hand_on(payload, p, true);
}

void udp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Udp))
        return;
    const size_t o = t.begin();
    const size_t item = p.layer(f0 + kUdp, t, {});
    p.cover(item, o, o + 8);
    if (!t.need(0, 8, "UDP header"))
        return;
    const uint16_t sp = t.be16(0), dp = t.be16(2), len = t.be16(4);
    p.set_ports(Proto::Udp, p.net_src, p.net_dst, sp, dp);
    p.sport = sp;
    p.dport = dp;
    const uint32_t stream = p.streams && !p.quoted() ? p.streams->index(false, p.net_src, sp, p.net_dst, dp) : 0;
    if (p.want_tree()) {
        p.relabel(item, strf("User Datagram Protocol, Src Port: %u, Dst Port: %u", sp, dp));
        p.add_uint(f0 + kUdpSrcport, o, 2, sp);
        p.add_uint(f0 + kUdpDstport, o + 2, 2, dp);
        p.add_uint(f0 + kUdpLength, o + 4, 2, len);
        p.add_uint(f0 + kUdpChecksum, o + 6, 2, t.be16(6));
        if (p.streams && !p.quoted())
            p.add_uint(f0 + kUdpStream, o, 0, stream, strf("[Stream index: %u]", stream));
    }
    Columns* c = p.col();
    if (c)
        c->protocol = "UDP";
    Tvb dgram = t;
    if (len != 0) { // 0 in IPv6 jumbograms
        if (len < 8) {
            if (c)
                c->info = strf("%u \u2192 %u Len=%u", sp, dp, len);
            p.mark(DecodedPacket::Malformed, "UDP length below 8", o + 4);
            return;
        }
        dgram = claim(t, p, 0, len, "UDP length");
    }
    Tvb payload = dgram.rest(8);
    if (c)
        c->info = strf("%u \u2192 %u Len=%zu", sp, dp, len ? size_t(len - 8) : payload.length());
    if (p.want_tree())
        p.add_note(0, 0, strf("[UDP payload: %zu bytes]", payload.length()));
    if (payload.empty() || p.quoted())
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
    register_tcp_analysis();
    add_ip_protocol(6, tcp);
    add_ip_protocol(17, udp);
}

} // namespace underhood::dissect
