// IPv4, IPv6 with its extension headers, and the IP protocol numbers that
// need no file of their own (ICMP, ICMPv6, IGMP, ESP, AH and a few names).
#include "dissect/registry.h"

#include <string>

namespace underhood::dissect {
namespace {

enum {
    kIp, kIpVersion, kIpHdrLen, kIpLen, kIpId, kIpFlags, kIpFlagsDf, kIpFlagsMf, kIpFragOffset, kIpTtl, kIpProto,
    kIpChecksum, kIpSrc, kIpDst, kIpAddr,
    kIpv6, kIpv6Plen, kIpv6Nxt, kIpv6Hlim, kIpv6Src, kIpv6Dst, kIpv6Addr,
    kIcmp, kIcmpType, kIcmpCode, kIcmpv6, kIcmpv6Type, kIcmpv6Code, kIgmp, kEsp, kAh,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"ip", "Internet Protocol Version 4", FieldType::Protocol},
    {"ip.version", "Version", FieldType::Uint},
    {"ip.hdr_len", "Header Length", FieldType::Uint},
    {"ip.len", "Total Length", FieldType::Uint},
    {"ip.id", "Identification", FieldType::Uint, Base::Hex, 4},
    {"ip.flags", "Flags", FieldType::Uint, Base::Hex, 2},
    {"ip.flags.df", "Don't fragment", FieldType::Bool},
    {"ip.flags.mf", "More fragments", FieldType::Bool},
    {"ip.frag_offset", "Fragment Offset", FieldType::Uint},
    {"ip.ttl", "Time to Live", FieldType::Uint},
    {"ip.proto", "Protocol", FieldType::Uint},
    {"ip.checksum", "Header Checksum", FieldType::Uint, Base::Hex, 4},
    {"ip.src", "Source Address", FieldType::Ipv4},
    {"ip.dst", "Destination Address", FieldType::Ipv4},
    {"ip.addr", "Source or Destination Address", FieldType::Ipv4, Base::Dec, 0, "ip.src", "ip.dst"},
    {"ipv6", "Internet Protocol Version 6", FieldType::Protocol},
    {"ipv6.plen", "Payload Length", FieldType::Uint},
    {"ipv6.nxt", "Next Header", FieldType::Uint},
    {"ipv6.hlim", "Hop Limit", FieldType::Uint},
    {"ipv6.src", "Source Address", FieldType::Ipv6},
    {"ipv6.dst", "Destination Address", FieldType::Ipv6},
    {"ipv6.addr", "Source or Destination Address", FieldType::Ipv6, Base::Dec, 0, "ipv6.src", "ipv6.dst"},
    {"icmp", "Internet Control Message Protocol", FieldType::Protocol},
    {"icmp.type", "Type", FieldType::Uint},
    {"icmp.code", "Code", FieldType::Uint},
    {"icmpv6", "Internet Control Message Protocol v6", FieldType::Protocol},
    {"icmpv6.type", "Type", FieldType::Uint},
    {"icmpv6.code", "Code", FieldType::Uint},
    {"igmp", "Internet Group Management Protocol", FieldType::Protocol},
    {"esp", "Encapsulating Security Payload", FieldType::Protocol},
    {"ah", "Authentication Header", FieldType::Protocol},
};
FieldId f0 = 0;

void icmp_common(Tvb t, Packet& p, Proto proto, FieldId layer, FieldId type, FieldId code)
{
    if (!p.push(proto))
        return;
    p.layer(layer, t, {});
    if (!t.need(0, 4))
        return;
    p.add_uint(type, t.begin(), 1, t.u8(0));
    p.add_uint(code, t.begin() + 1, 1, t.u8(1));
}

void icmp(Tvb t, Packet& p) { icmp_common(t, p, Proto::Icmp, f0 + kIcmp, f0 + kIcmpType, f0 + kIcmpCode); }
void icmpv6(Tvb t, Packet& p) { icmp_common(t, p, Proto::Icmpv6, f0 + kIcmpv6, f0 + kIcmpv6Type, f0 + kIcmpv6Code); }

void igmp(Tvb t, Packet& p)
{
    if (p.push(Proto::Igmp))
        p.layer(f0 + kIgmp, t, {});
}

void esp(Tvb t, Packet& p)
{
    p.summary().flags |= DecodedPacket::Encrypted;
    if (p.push(Proto::Esp))
        p.layer(f0 + kEsp, t, {});
}

void ah(Tvb t, Packet& p)
{
    if (!p.push(Proto::Ah) || !t.need(0, 8))
        return;
    const size_t len = (size_t(t.u8(1)) + 2) * 4;
    if (!t.need(0, len))
        return;
    p.layer(f0 + kAh, t.sub(0, len), {});
    dissect_ip_payload(t.u8(0), t.rest(len), p, false);
}

void ip_in_ip(Tvb t, Packet& p) { dissect_ipv4(t, p); }
void ipv6_in_ip(Tvb t, Packet& p) { dissect_ipv6(t, p); }

template <Proto P>
void name_only(Tvb, Packet& p)
{
    p.push(P);
}

// PIM; a version 2 Register (type 1) carries a whole multicast IP packet.
void pim(Tvb t, Packet& p)
{
    if (!p.push(Proto::Pim) || !t.need(0, 4))
        return;
    if (t.u8(0) != 0x21 || !t.has(8, 1))
        return;
    Tvb inner = t.rest(8);
    switch (inner.u8(0) >> 4) {
    case 4: dissect_ipv4(inner, p); break;
    case 6: dissect_ipv6(inner, p); break;
    default: break;
    }
}

void sctp(Tvb t, Packet& p)
{
    if (p.push(Proto::Sctp))
        t.need(0, 12);
}

} // namespace

void dissect_ipv4(Tvb t, Packet& p)
{
    // Like Wireshark's IP dissector, a version 6 header where IPv4 was
    // announced is read as IPv6 (misconfigured stacks and tunnels send these).
    if (t.has(0, 1) && (t.u8(0) >> 4) == 6) {
        dissect_ipv6(t, p);
        return;
    }
    if (!p.push(Proto::Ipv4) || !t.need(0, 20))
        return;
    const uint8_t* h = t.bytes(0, 20);
    const size_t ihl = size_t(h[0] & 0x0F) * 4;
    if ((h[0] >> 4) != 4 || ihl < 20) {
        p.mark(DecodedPacket::Malformed, (h[0] >> 4) != 4 ? "IPv4 header with another version" : "IPv4 header length below 20",
               t.begin());
        return;
    }
    // The addresses count only when the header is consistent: a total length
    // below the header length makes it bogus (Wireshark stops there too).
    const uint16_t total = load_be16(h + 2);
    if (total != 0 && total < ihl) {
        p.mark(DecodedPacket::Malformed, "IPv4 total length below its header length", t.begin() + 2);
        return;
    }
    // TCP segmentation offload leaves the length zero.
    Tvb ip = total == 0 ? t : t.sub(0, total);
    const IpAddress src = IpAddress::v4(h + 12), dst = IpAddress::v4(h + 16);
    p.set_ip(src, dst, t.begin());
    const uint16_t frag = load_be16(h + 6);
    if (p.want_tree()) {
        const size_t o = t.begin();
        p.layer(f0 + kIp, ip.sub(0, std::min(ihl, ip.length())),
                "Internet Protocol Version 4, Src: " + src.to_string() + ", Dst: " + dst.to_string());
        p.add_uint(f0 + kIpVersion, o, 1, 4);
        p.add_uint(f0 + kIpHdrLen, o, 1, ihl);
        // Zero (segmentation offload) shows as the bytes there are, as Wireshark shows it.
        p.add_uint(f0 + kIpLen, o + 2, 2, total ? total : t.length());
        p.add_uint(f0 + kIpId, o + 4, 2, load_be16(h + 4));
        p.add_uint(f0 + kIpFlags, o + 6, 1, frag >> 13);
        p.open_subtree();
        p.add_uint(f0 + kIpFlagsDf, o + 6, 1, (frag >> 14) & 1);
        p.add_uint(f0 + kIpFlagsMf, o + 6, 1, (frag >> 13) & 1);
        p.close_subtree();
        p.add_uint(f0 + kIpFragOffset, o + 6, 2, size_t(frag & 0x1FFF) * 8);
        p.add_uint(f0 + kIpTtl, o + 8, 1, h[8]);
        p.add_uint(f0 + kIpProto, o + 9, 1, h[9]);
        p.add_uint(f0 + kIpChecksum, o + 10, 2, load_be16(h + 10));
        p.add_ip(f0 + kIpSrc, o + 12, 4, src);
        p.add_ip(f0 + kIpDst, o + 16, 4, dst);
    }
    if (!ip.need(0, ihl))
        return;
    const bool later_fragment = (frag & 0x1FFF) != 0;
    if (later_fragment)
        p.summary().flags |= DecodedPacket::Fragment;
    p.net_src = src;
    p.net_dst = dst;
    p.net_payload_len = total ? size_t(total) - ihl : SIZE_MAX;
    dissect_ip_payload(h[9], ip.rest(ihl), p, later_fragment);
}

void dissect_ipv6(Tvb t, Packet& p)
{
    if (!p.push(Proto::Ipv6) || !t.need(0, 40))
        return;
    const uint8_t* h = t.bytes(0, 40);
    if ((h[0] >> 4) != 6) {
        p.mark(DecodedPacket::Malformed, "IPv6 header with another version", t.begin());
        return;
    }
    const IpAddress src = IpAddress::v6(h + 8), dst = IpAddress::v6(h + 24);
    p.set_ip(src, dst, t.begin());
    const uint16_t plen = load_be16(h + 4);
    if (p.want_tree()) {
        const size_t o = t.begin();
        p.layer(f0 + kIpv6, t.sub(0, 40), "Internet Protocol Version 6, Src: " + src.to_string() + ", Dst: " + dst.to_string());
        p.add_uint(f0 + kIpv6Plen, o + 4, 2, plen);
        p.add_uint(f0 + kIpv6Nxt, o + 6, 1, h[6]);
        p.add_uint(f0 + kIpv6Hlim, o + 7, 1, h[7]);
        p.add_ip(f0 + kIpv6Src, o + 8, 16, src);
        p.add_ip(f0 + kIpv6Dst, o + 24, 16, dst);
    }
    // 0: a jumbogram, or offload.
    Tvb ip = plen == 0 ? t : t.sub(0, size_t(plen) + 40);
    if (plen != 0 && ip.length() < 40)
        ip = t.sub(0, 40);
    uint8_t next = h[6];
    size_t at = 40;
    bool later_fragment = false;
    // Extension headers (RFC 8200 section 4).
    for (int hops = 0; hops < 16; ++hops) {
        switch (next) {
        case 0:   // hop-by-hop
        case 43:  // routing
        case 60:  // destination options
        case 135: // mobility
        case 139: // HIP
        case 140: // shim6
            if (!ip.need(at, 8))
                return;
            next = ip.u8(at);
            at += (size_t(ip.u8(at + 1)) + 1) * 8;
            continue;
        case 44: // fragment
            if (!ip.need(at, 8))
                return;
            next = ip.u8(at);
            later_fragment = (ip.be16(at + 2) & 0xFFF8) != 0;
            at += 8;
            continue;
        default: break;
        }
        break;
    }
    if (!ip.need(at, 0))
        return;
    if (later_fragment)
        p.summary().flags |= DecodedPacket::Fragment;
    p.net_src = src;
    p.net_dst = dst;
    p.net_payload_len = plen && size_t(plen) + 40 >= at ? size_t(plen) + 40 - at : SIZE_MAX;
    dissect_ip_payload(next, ip.rest(at), p, later_fragment);
}

void dissect_ip_payload(uint8_t proto, Tvb t, Packet& p, bool later_fragment)
{
    if (later_fragment)
        return; // only the first fragment holds the next header
    if (Dissector d = find_ip_protocol(proto))
        d(t, p);
}

void register_ip()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(0x0800, dissect_ipv4);
    add_ethertype(0x86DD, dissect_ipv6);
    add_ip_protocol(1, icmp);
    add_ip_protocol(2, igmp);
    add_ip_protocol(4, ip_in_ip);
    add_ip_protocol(41, ipv6_in_ip);
    add_ip_protocol(50, esp);
    add_ip_protocol(51, ah);
    add_ip_protocol(58, icmpv6);
    add_ip_protocol(89, name_only<Proto::Ospf>);
    add_ip_protocol(103, pim);
    add_ip_protocol(112, name_only<Proto::Vrrp>);
    add_ip_protocol(132, sctp);
}

} // namespace underhood::dissect
