// ICMP (RFC 792), ICMPv6 (RFC 4443) with neighbour discovery (RFC 4861),
// and IGMP (RFC 2236, RFC 3376). An error message quotes the start of the
// datagram that caused it: the tree shows it as a datagram of its own.
#include "dissect/ip_layer.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <cstring>
#include <string>

namespace underhood::dissect {
namespace {

enum {
    kIcmp, kIcmpType, kIcmpCode, kIcmpChecksum, kIcmpIdent, kIcmpIdentLe, kIcmpSeq, kIcmpSeqLe, kIcmpGateway,
    kIcmpMtu, kIcmpPointer, kIcmpUnused,
    kIcmpv6, kIcmpv6Type, kIcmpv6Code, kIcmpv6Checksum, kIcmpv6Mtu, kIcmpv6Pointer, kIcmpv6Reserved, kIcmpv6EchoId,
    kIcmpv6EchoSeq, kRaHopLimit, kRaFlags, kRaLifetime, kRaReachable, kRaRetrans, kNaFlags, kNaRouter, kNaSolicited,
    kNaOverride, kNsTarget, kNaTarget, kRdTarget, kRdDestination,
    kIgmp, kIgmpType, kIgmpMaxResp, kIgmpChecksum, kIgmpGroupRecords, kIgmpMaddr,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"icmp", "Internet Control Message Protocol", FieldType::Protocol},
    {"icmp.type", "Type", FieldType::Uint},
    {"icmp.code", "Code", FieldType::Uint},
    {"icmp.checksum", "Checksum", FieldType::Uint, Base::Hex, 4},
    {"icmp.ident", "Identifier (BE)", FieldType::Uint},
    {"icmp.ident_le", "Identifier (LE)", FieldType::Uint},
    {"icmp.seq", "Sequence Number (BE)", FieldType::Uint},
    {"icmp.seq_le", "Sequence Number (LE)", FieldType::Uint},
    {"icmp.redir_gw", "Gateway Address", FieldType::Ipv4},
    {"icmp.mtu", "MTU of next hop", FieldType::Uint},
    {"icmp.pointer", "Pointer", FieldType::Uint},
    {"icmp.unused", "Unused", FieldType::Bytes},
    {"icmpv6", "Internet Control Message Protocol v6", FieldType::Protocol},
    {"icmpv6.type", "Type", FieldType::Uint},
    {"icmpv6.code", "Code", FieldType::Uint},
    {"icmpv6.checksum", "Checksum", FieldType::Uint, Base::Hex, 4},
    {"icmpv6.mtu", "MTU", FieldType::Uint},
    {"icmpv6.pointer", "Pointer", FieldType::Uint},
    {"icmpv6.reserved", "Reserved", FieldType::Bytes},
    {"icmpv6.echo.identifier", "Identifier", FieldType::Uint, Base::Hex, 4},
    {"icmpv6.echo.sequence_number", "Sequence", FieldType::Uint},
    {"icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", FieldType::Uint},
    {"icmpv6.nd.ra.flag", "Flags", FieldType::Uint, Base::Hex, 2},
    {"icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", FieldType::Uint},
    {"icmpv6.nd.ra.reachable_time", "Reachable time (ms)", FieldType::Uint},
    {"icmpv6.nd.ra.retrans_timer", "Retrans timer (ms)", FieldType::Uint},
    {"icmpv6.nd.na.flag", "Flags", FieldType::Uint, Base::Hex, 8},
    {"icmpv6.nd.na.flag.r", "Router", FieldType::Bool},
    {"icmpv6.nd.na.flag.s", "Solicited", FieldType::Bool},
    {"icmpv6.nd.na.flag.o", "Override", FieldType::Bool},
    {"icmpv6.nd.ns.target_address", "Target Address", FieldType::Ipv6},
    {"icmpv6.nd.na.target_address", "Target Address", FieldType::Ipv6},
    {"icmpv6.nd.rd.target_address", "Target Address", FieldType::Ipv6},
    {"icmpv6.nd.rd.destination_address", "Destination Address", FieldType::Ipv6},
    {"igmp", "Internet Group Management Protocol", FieldType::Protocol},
    {"igmp.type", "Type", FieldType::Uint, Base::Hex, 2},
    {"igmp.max_resp", "Max Resp Time", FieldType::Uint},
    {"igmp.checksum", "Checksum", FieldType::Uint, Base::Hex, 4},
    {"igmp.num_grp_recs", "Num Group Records", FieldType::Uint},
    {"igmp.maddr", "Multicast Address", FieldType::Ipv4},
};
FieldId f0 = 0;

std::string_view raw(const uint8_t* b, size_t n) { return {reinterpret_cast<const char*>(b), n}; }

// A Bytes field shown as hex ("Unused: 00000000").
void add_hex(Packet& p, Tvb& t, FieldId f, size_t at, size_t len, const char* name)
{
    if (const uint8_t* b = t.bytes(at, len))
        p.add_text(f, t.begin() + at, len, raw(b, len), std::string(name) + ": " + hex_text(b, len));
}

const char* icmp_type_name(uint8_t type)
{
    switch (type) {
    case 0: return "Echo (ping) reply";
    case 3: return "Destination unreachable";
    case 4: return "Source quench (flow control)";
    case 5: return "Redirect";
    case 8: return "Echo (ping) request";
    case 9: return "Router advertisement";
    case 10: return "Router solicitation";
    case 11: return "Time-to-live exceeded";
    case 12: return "Parameter problem";
    case 13: return "Timestamp request";
    case 14: return "Timestamp reply";
    default: return nullptr;
    }
}

const char* icmp_code_name(uint8_t type, uint8_t code)
{
    if (type == 3) {
        static const char* const kUnreach[] = {"Network unreachable",
                                               "Host unreachable",
                                               "Protocol unreachable",
                                               "Port unreachable",
                                               "Fragmentation needed",
                                               "Source route failed",
                                               "Destination network unknown",
                                               "Destination host unknown",
                                               "Source host isolated",
                                               "Network administratively prohibited",
                                               "Host administratively prohibited",
                                               "Network unreachable for TOS",
                                               "Host unreachable for TOS",
                                               "Communication administratively filtered",
                                               "Host precedence violation",
                                               "Precedence cutoff in effect"};
        return code < 16 ? kUnreach[code] : nullptr;
    }
    if (type == 11)
        return code == 0   ? "Time to live exceeded in transit"
               : code == 1 ? "Fragment reassembly time exceeded"
                           : nullptr;
    if (type == 5) {
        static const char* const kRedirect[] = {"Redirect for network", "Redirect for host",
                                                "Redirect for TOS and network", "Redirect for TOS and host"};
        return code < 4 ? kRedirect[code] : nullptr;
    }
    return nullptr;
}

// Bytes after a header that nothing decodes further.
void data_row(Packet& p, Tvb t, size_t at, bool with_hex)
{
    if (!p.want_tree() || t.length() <= at)
        return;
    const size_t n = t.length() - at;
    std::string label = strf("Data (%zu bytes)", n);
    if (with_hex)
        label += ": " + hex_text(t.bytes(at, n), n);
    p.add_note(t.begin() + at, n, std::move(label));
}

void icmp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Icmp))
        return;
    p.layer(f0 + kIcmp, t, {});
    if (!t.need(0, 4, "ICMP header"))
        return;
    if (!p.want_tree() && !p.col())
        return; // the rest is for the tree and the Info column
    Packet::DetailsOnly details(p);
    const uint8_t type = t.u8(0), code = t.u8(1);
    const char* type_name = icmp_type_name(type);
    const char* code_name = icmp_code_name(type, code);
    const size_t o = t.begin();
    if (p.want_tree()) {
        p.add_uint(f0 + kIcmpType, o, 1, type, strf("Type: %u (%s)", type, type_name ? type_name : "Unknown"));
        p.add_uint(f0 + kIcmpCode, o + 1, 1, code,
                   code_name ? strf("Code: %u (%s)", code, code_name) : std::string());
        p.add_uint(f0 + kIcmpChecksum, o + 2, 2, t.be16(2));
    }
    Columns* c = p.col();
    std::string info;
    if (c) {
        c->protocol = "ICMP";
        info = type_name ? std::string(type_name) : strf("Type %u", type);
        if (code_name)
            info += strf(" (%s)", code_name);
    }
    switch (type) {
    case 0:
    case 8:
    case 13:
    case 14: {
        if (!t.need(0, 8, "ICMP echo header"))
            break;
        const uint16_t id = t.be16(4), seq = t.be16(6), id_le = t.le16(4), seq_le = t.le16(6);
        if (p.want_tree()) {
            p.add_uint(f0 + kIcmpIdent, o + 4, 2, id, strf("Identifier (BE): %u (0x%04x)", id, id));
            p.add_uint(f0 + kIcmpIdentLe, o + 4, 2, id_le, strf("Identifier (LE): %u (0x%04x)", id_le, id_le));
            p.add_uint(f0 + kIcmpSeq, o + 6, 2, seq, strf("Sequence Number (BE): %u (0x%04x)", seq, seq));
            p.add_uint(f0 + kIcmpSeqLe, o + 6, 2, seq_le, strf("Sequence Number (LE): %u (0x%04x)", seq_le, seq_le));
        }
        if (c)
            info += strf(" id=0x%04x, seq=%u/%u, ttl=%u", id, seq, seq_le, ip_carrier().hop_limit);
        data_row(p, t, 8, true);
        break;
    }
    case 3:
    case 4:
    case 5:
    case 11:
    case 12: {
        if (!t.need(0, 8, "ICMP header"))
            break;
        if (p.want_tree()) {
            if (type == 5)
                p.add_ip(f0 + kIcmpGateway, o + 4, 4, IpAddress::v4(t.bytes(4, 4)));
            else if (type == 3 && code == 4)
                p.add_uint(f0 + kIcmpMtu, o + 6, 2, t.be16(6));
            else if (type == 12)
                p.add_uint(f0 + kIcmpPointer, o + 4, 1, t.u8(4));
            else
                add_hex(p, t, f0 + kIcmpUnused, 4, 4, "Unused");
        }
        if (c)
            c->info = std::move(info);
        // The datagram that caused the error, as much of it as was quoted.
        if (p.want_tree() && t.length() > 8) {
            Packet::Quote quote(p);
            dissect_ipv4(t.rest(8), p);
        }
        return;
    }
    default: data_row(p, t, 4, false); break;
    }
    if (c)
        c->info = std::move(info);
}

const char* icmpv6_type_name(uint8_t type)
{
    switch (type) {
    case 1: return "Destination Unreachable";
    case 2: return "Packet Too Big";
    case 3: return "Time Exceeded";
    case 4: return "Parameter Problem";
    case 128: return "Echo (ping) request";
    case 129: return "Echo (ping) reply";
    case 130: return "Multicast Listener Query";
    case 131: return "Multicast Listener Report";
    case 132: return "Multicast Listener Done";
    case 133: return "Router Solicitation";
    case 134: return "Router Advertisement";
    case 135: return "Neighbor Solicitation";
    case 136: return "Neighbor Advertisement";
    case 137: return "Redirect";
    case 143: return "Multicast Listener Report Message v2";
    default: return nullptr;
    }
}

// Neighbour discovery options (RFC 4861 4.6), each a row; the link-layer
// address one of them gives goes to the Info column.
void icmpv6_options(Tvb t, Packet& p, std::string& link_address)
{
    const bool tree = p.want_tree();
    size_t at = 0;
    for (int i = 0; i < 64 && at < t.length(); ++i) {
        if (!t.check(at, 2, "ICMPv6 option"))
            return;
        const uint8_t type = t.u8(at);
        const size_t len = size_t(t.u8(at + 1)) * 8;
        const size_t o = t.begin() + at;
        if (len == 0) {
            p.tree_problem(DecodedPacket::Malformed, "ICMPv6 option with length 0", o);
            return;
        }
        if (!t.check(at, len, "ICMPv6 option"))
            return;
        switch (type) {
        case 1:
        case 2: {
            const char* side = type == 1 ? "Source" : "Target";
            if (len == 8) {
                link_address = mac_text(t.bytes(at + 2, 6));
                if (tree)
                    p.add_note(o, len, strf("ICMPv6 Option (%s link-layer address : %s)", side, link_address.c_str()));
            } else if (tree) {
                p.add_note(o, len, strf("ICMPv6 Option (%s link-layer address)", side));
            }
            break;
        }
        case 3:
            if (!tree)
                break;
            if (len == 32)
                p.add_note(o, len,
                           strf("ICMPv6 Option (Prefix information : %s/%u)",
                                IpAddress::v6(t.bytes(at + 16, 16)).to_string().c_str(), t.u8(at + 2)));
            else
                p.add_note(o, len, "ICMPv6 Option (Prefix information)");
            break;
        case 5:
            if (tree)
                p.add_note(o, len, len == 8 ? strf("ICMPv6 Option (MTU : %u)", t.be32(at + 4)) : "ICMPv6 Option (MTU)");
            break;
        case 25:
            if (tree)
                p.add_note(o, len, "ICMPv6 Option (Recursive DNS Server)");
            break;
        case 31:
            if (tree)
                p.add_note(o, len, "ICMPv6 Option (DNS Search List)");
            break;
        default:
            if (tree)
                p.add_note(o, len, strf("ICMPv6 Option (type %u)", type));
            break;
        }
        at += len;
    }
}

void icmpv6(Tvb t, Packet& p)
{
    if (!p.push(Proto::Icmpv6))
        return;
    p.layer(f0 + kIcmpv6, t, {});
    if (!t.need(0, 4, "ICMPv6 header"))
        return;
    const uint8_t type = t.u8(0);
    const char* type_name = icmpv6_type_name(type);
    const size_t o = t.begin();
    const bool tree = p.want_tree();
    if (tree) {
        p.add_uint(f0 + kIcmpv6Type, o, 1, type, strf("Type: %s (%u)", type_name ? type_name : "Unknown", type));
        p.add_uint(f0 + kIcmpv6Code, o + 1, 1, t.u8(1));
        p.add_uint(f0 + kIcmpv6Checksum, o + 2, 2, t.be16(2));
    }
    Columns* c = p.col();
    if (!tree && !c)
        return; // the rest is for the tree and the Info column
    Packet::DetailsOnly details(p);
    std::string info;
    if (c) {
        c->protocol = "ICMPv6";
        info = type_name ? std::string(type_name) : strf("Type %u", type);
    }
    std::string lla;
    switch (type) {
    case 1:
    case 2:
    case 3:
    case 4:
        if (!t.need(0, 8, "ICMPv6 header"))
            break;
        if (tree) {
            if (type == 2)
                p.add_uint(f0 + kIcmpv6Mtu, o + 4, 4, t.be32(4));
            else if (type == 4)
                p.add_uint(f0 + kIcmpv6Pointer, o + 4, 4, t.be32(4));
            else
                add_hex(p, t, f0 + kIcmpv6Reserved, 4, 4, "Reserved");
        }
        if (c)
            c->info = std::move(info);
        if (tree && t.length() > 8) {
            Packet::Quote quote(p);
            dissect_ipv6(t.rest(8), p);
        }
        return;
    case 128:
    case 129: {
        if (!t.need(0, 8, "ICMPv6 echo header"))
            break;
        const uint16_t id = t.be16(4), seq = t.be16(6);
        p.add_uint(f0 + kIcmpv6EchoId, o + 4, 2, id);
        p.add_uint(f0 + kIcmpv6EchoSeq, o + 6, 2, seq);
        data_row(p, t, 8, false);
        if (c)
            info += strf(" id=0x%04x, seq=%u, hop limit=%u", id, seq, ip_carrier().hop_limit);
        break;
    }
    case 133:
        if (!t.need(0, 8, "router solicitation"))
            break;
        if (tree)
            add_hex(p, t, f0 + kIcmpv6Reserved, 4, 4, "Reserved");
        icmpv6_options(t.rest(8), p, lla);
        if (!lla.empty())
            info += " from " + lla;
        break;
    case 134:
        if (!t.need(0, 16, "router advertisement"))
            break;
        p.add_uint(f0 + kRaHopLimit, o + 4, 1, t.u8(4));
        p.add_uint(f0 + kRaFlags, o + 5, 1, t.u8(5));
        p.add_uint(f0 + kRaLifetime, o + 6, 2, t.be16(6));
        p.add_uint(f0 + kRaReachable, o + 8, 4, t.be32(8));
        p.add_uint(f0 + kRaRetrans, o + 12, 4, t.be32(12));
        icmpv6_options(t.rest(16), p, lla);
        if (!lla.empty())
            info += " from " + lla;
        break;
    case 135:
    case 136:
    case 137: {
        const size_t fixed = type == 137 ? 40 : 24;
        if (!t.need(0, fixed, "neighbor discovery message"))
            break;
        const IpAddress target = IpAddress::v6(t.bytes(8, 16));
        const uint32_t flags = t.be32(4);
        if (tree) {
            if (type == 136) {
                p.add_uint(f0 + kNaFlags, o + 4, 4, flags, strf("Flags: 0x%08x", flags));
                Packet::Subtree sub(p);
                p.add_bits(f0 + kNaRouter, o + 4, 4, flags >> 31, bit_flag(flags, 32, 0x80000000, "Router"));
                p.add_bits(f0 + kNaSolicited, o + 4, 4, (flags >> 30) & 1, bit_flag(flags, 32, 0x40000000, "Solicited"));
                p.add_bits(f0 + kNaOverride, o + 4, 4, (flags >> 29) & 1, bit_flag(flags, 32, 0x20000000, "Override"));
            } else {
                add_hex(p, t, f0 + kIcmpv6Reserved, 4, 4, "Reserved");
            }
            const FieldId target_field = type == 135 ? kNsTarget : type == 136 ? kNaTarget : kRdTarget;
            p.add_ip(f0 + target_field, o + 8, 16, target);
            if (type == 137)
                p.add_ip(f0 + kRdDestination, o + 24, 16, IpAddress::v6(t.bytes(24, 16)));
        }
        icmpv6_options(t.rest(fixed), p, lla);
        if (!c)
            break;
        if (type == 135) {
            info += " for " + target.to_string();
            if (!lla.empty())
                info += " from " + lla;
        } else if (type == 136) {
            std::string f;
            for (auto [bit, name] : {std::pair{0x80000000u, "rtr"}, {0x40000000u, "sol"}, {0x20000000u, "ovr"}})
                if (flags & bit)
                    f += std::string(f.empty() ? "" : ", ") + name;
            info += " " + target.to_string() + (f.empty() ? "" : " (" + f + ")");
            if (!lla.empty())
                info += " is at " + lla;
        }
        break;
    }
    default: data_row(p, t, 4, false); break;
    }
    if (c)
        c->info = std::move(info);
}

void igmp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Igmp))
        return;
    p.layer(f0 + kIgmp, t, {});
    if (!t.need(0, 8, "IGMP message"))
        return;
    if (!p.want_tree() && !p.col())
        return; // nothing more here for the summary
    Packet::DetailsOnly details(p);
    const uint8_t type = t.u8(0);
    const char* name = type == 0x11   ? "Membership Query"
                       : type == 0x12 ? "Membership Report (v1)"
                       : type == 0x16 ? "Membership Report"
                       : type == 0x17 ? "Leave Group"
                       : type == 0x22 ? "Membership Report (v3)"
                                      : "Unknown";
    const size_t o = t.begin();
    if (p.want_tree()) {
        p.add_uint(f0 + kIgmpType, o, 1, type, strf("Type: %s (0x%02x)", name, type));
        p.add_uint(f0 + kIgmpMaxResp, o + 1, 1, t.u8(1),
                   strf("Max Resp Time: %.1f sec (0x%02x)", t.u8(1) / 10.0, t.u8(1)));
        p.add_uint(f0 + kIgmpChecksum, o + 2, 2, t.be16(2));
    }
    Columns* c = p.col();
    if (c)
        c->protocol = "IGMP";
    if (type == 0x22) {
        const uint16_t records = t.be16(6);
        p.add_uint(f0 + kIgmpGroupRecords, o + 6, 2, records);
        if (c)
            c->info = strf("Membership Report / %u group record%s", records, records == 1 ? "" : "s");
        return;
    }
    const IpAddress group = IpAddress::v4(t.bytes(4, 4));
    p.add_ip(f0 + kIgmpMaddr, o + 4, 4, group);
    if (!c)
        return;
    if (type == 0x11)
        c->info = t.be32(4) ? "Membership Query, specific for group " + group.to_string()
                            : std::string("Membership Query, general");
    else
        c->info = std::string(name) + " group " + group.to_string();
}

} // namespace

void register_icmp()
{
    f0 = register_fields(kFields, kCount);
    add_ip_protocol(1, icmp);
    add_ip_protocol(2, igmp);
    add_ip_protocol(58, icmpv6);
}

} // namespace underhood::dissect
