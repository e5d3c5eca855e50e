// IPv4 with its options, IPv6 with its extension headers, the hand-off of
// their payload by protocol number, and the IPsec headers (ESP, AH).
#include "dissect/ip_layer.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <string>

namespace underhood::dissect {
namespace {

enum {
    kIp, kIpVersion, kIpHdrLen, kIpDsfield, kIpLen, kIpId, kIpFlags, kIpFlagsRb, kIpFlagsDf, kIpFlagsMf,
    kIpFragOffset, kIpTtl, kIpProto, kIpChecksum, kIpSrc, kIpDst, kIpAddr, kIpOptType, kIpOptLen, kIpOptRa,
    kIpv6, kIpv6Version, kIpv6Tclass, kIpv6Flow, kIpv6Plen, kIpv6Nxt, kIpv6Hlim, kIpv6Src, kIpv6Dst, kIpv6Addr,
    kHopoptsNxt, kHopoptsLen, kRoutingNxt, kRoutingLen, kDstoptsNxt, kDstoptsLen, kFragmentNxt, kFragmentOffset,
    kFragmentMore, kFragmentId,
    kEsp, kEspSpi, kEspSequence, kAh, kAhNext, kAhLength, kAhSpi, kAhSequence, kAhIcv,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"ip", "Internet Protocol Version 4", FieldType::Protocol},
    {"ip.version", "Version", FieldType::Uint},
    {"ip.hdr_len", "Header Length", FieldType::Uint},
    {"ip.dsfield", "Differentiated Services Field", FieldType::Uint, Base::Hex, 2},
    {"ip.len", "Total Length", FieldType::Uint},
    {"ip.id", "Identification", FieldType::Uint, Base::Hex, 4},
    {"ip.flags", "Flags", FieldType::Uint, Base::Hex, 2},
    {"ip.flags.rb", "Reserved bit", FieldType::Bool},
    {"ip.flags.df", "Don't fragment", FieldType::Bool},
    {"ip.flags.mf", "More fragments", FieldType::Bool},
    {"ip.frag_offset", "Fragment Offset", FieldType::Uint},
    {"ip.ttl", "Time to Live", FieldType::Uint},
    {"ip.proto", "Protocol", FieldType::Uint},
    {"ip.checksum", "Header Checksum", FieldType::Uint, Base::Hex, 4},
    {"ip.src", "Source Address", FieldType::Ipv4},
    {"ip.dst", "Destination Address", FieldType::Ipv4},
    {"ip.addr", "Source or Destination Address", FieldType::Ipv4, Base::Dec, 0, "ip.src", "ip.dst"},
    {"ip.opt.type", "Type", FieldType::Uint},
    {"ip.opt.len", "Length", FieldType::Uint},
    {"ip.opt.ra", "Router Alert", FieldType::Uint},
    {"ipv6", "Internet Protocol Version 6", FieldType::Protocol},
    {"ipv6.version", "Version", FieldType::Uint},
    {"ipv6.tclass", "Traffic Class", FieldType::Uint, Base::Hex, 2},
    {"ipv6.flow", "Flow Label", FieldType::Uint, Base::Hex, 5},
    {"ipv6.plen", "Payload Length", FieldType::Uint},
    {"ipv6.nxt", "Next Header", FieldType::Uint},
    {"ipv6.hlim", "Hop Limit", FieldType::Uint},
    {"ipv6.src", "Source Address", FieldType::Ipv6},
    {"ipv6.dst", "Destination Address", FieldType::Ipv6},
    {"ipv6.addr", "Source or Destination Address", FieldType::Ipv6, Base::Dec, 0, "ipv6.src", "ipv6.dst"},
    {"ipv6.hopopts.nxt", "Next Header", FieldType::Uint},
    {"ipv6.hopopts.len", "Length", FieldType::Uint},
    {"ipv6.routing.nxt", "Next Header", FieldType::Uint},
    {"ipv6.routing.len", "Length", FieldType::Uint},
    {"ipv6.dstopts.nxt", "Next Header", FieldType::Uint},
    {"ipv6.dstopts.len", "Length", FieldType::Uint},
    {"ipv6.fragment.nxt", "Next header", FieldType::Uint},
    {"ipv6.fragment.offset", "Offset", FieldType::Uint},
    {"ipv6.fragment.more", "More Fragments", FieldType::Bool},
    {"ipv6.fragment.id", "Identification", FieldType::Uint, Base::Hex, 8},
    {"esp", "Encapsulating Security Payload", FieldType::Protocol},
    {"esp.spi", "ESP SPI", FieldType::Uint, Base::Hex, 8},
    {"esp.sequence", "ESP Sequence", FieldType::Uint},
    {"ah", "Authentication Header", FieldType::Protocol},
    {"ah.next_header", "Next header", FieldType::Uint},
    {"ah.length", "Length", FieldType::Uint},
    {"ah.spi", "AH SPI", FieldType::Uint, Base::Hex, 8},
    {"ah.sequence", "AH Sequence", FieldType::Uint},
    {"ah.icv", "AH ICV", FieldType::Bytes},
};
FieldId f0 = 0;

const char* dscp_name(uint8_t dscp)
{
    switch (dscp) {
    case 0: return "CS0";
    case 1: return "LE";
    case 8: return "CS1";
    case 10: return "AF11";
    case 12: return "AF12";
    case 14: return "AF13";
    case 16: return "CS2";
    case 18: return "AF21";
    case 20: return "AF22";
    case 22: return "AF23";
    case 24: return "CS3";
    case 26: return "AF31";
    case 28: return "AF32";
    case 30: return "AF33";
    case 32: return "CS4";
    case 34: return "AF41";
    case 36: return "AF42";
    case 38: return "AF43";
    case 40: return "CS5";
    case 44: return "VOICE-ADMIT";
    case 46: return "EF PHB";
    case 48: return "CS6";
    case 56: return "CS7";
    default: return "Unknown";
    }
}

// The DS byte of IPv4 and the traffic class of IPv6 (RFC 2474, RFC 3168).
std::string ds_text(uint8_t ds)
{
    static const char* const kEcn[] = {"Not-ECT", "ECT(1)", "ECT(0)", "CE"};
    return strf("0x%02x (DSCP: %s, ECN: %s)", ds, dscp_name(uint8_t(ds >> 2)), kEcn[ds & 3]);
}

std::string bytes_of(Tvb& t, size_t at, size_t len)
{
    const uint8_t* b = t.bytes(at, len);
    return b ? hex_text(b, len) : std::string();
}

// A later fragment: only the first holds the next header.
void fragment_data(Tvb t, Packet& p)
{
    if (!p.want_tree() || t.empty())
        return;
    p.top_level();
    p.add_note(t.begin(), t.length(), strf("Fragment data (%zu bytes)", t.length()));
}

// The payload of a first fragment with more to come: what runs past it
// continues in the next fragment.
void carried(uint8_t proto, Tvb t, Packet& p, bool more_fragments)
{
    if (!more_fragments) {
        dissect_ip_payload(proto, t, p, false);
        return;
    }
    IpCarrier& c = ip_carrier();
    const bool saved = c.more_fragments;
    c.more_fragments = true;
    dissect_ip_payload(proto, t, p, false);
    c.more_fragments = saved;
}

const char* ipv4_option_name(uint8_t type)
{
    switch (type & 0x1F) {
    case 0: return "End of Options List (EOL)";
    case 1: return "No Operation (NOP)";
    case 2: return type == 130 ? "Security" : "Unknown";
    case 3: return type == 131 ? "Loose Source Route" : "Unknown";
    case 4: return type == 68 ? "Time Stamp" : "Unknown";
    case 7: return "Record Route";
    case 9: return type == 137 ? "Strict Source Route" : "Unknown";
    case 20: return type == 148 ? "Router Alert" : "Unknown";
    default: return "Unknown";
    }
}

// The options of an IPv4 header (RFC 791 3.1), for the tree.
void ipv4_options(Tvb t, Packet& p)
{
    const size_t o = t.begin();
    const size_t box = p.add_note(o, t.length(), {});
    Packet::Subtree sub(p);
    std::string names;
    size_t at = 0;
    for (int i = 0; i < 40 && at < t.length(); ++i) {
        const uint8_t type = t.u8(at);
        const char* name = ipv4_option_name(type);
        names += std::string(names.empty() ? "" : ", ") + name;
        if (type == 0 || type == 1) {
            p.add_uint(f0 + kIpOptType, o + at, 1, type, strf("IP Option - %s", name));
            at += 1;
            if (type == 0)
                break;
            continue;
        }
        if (!t.has(at, 2)) {
            p.tree_problem(DecodedPacket::Malformed, "IPv4 option without its length", o + at);
            break;
        }
        const size_t len = t.u8(at + 1);
        if (len < 2 || len > t.length() - at) {
            p.tree_problem(DecodedPacket::Malformed, strf("IPv4 option length %zu is invalid", len), o + at);
            break;
        }
        p.add_note(o + at, len, strf("IP Option - %s (%zu bytes)", name, len));
        Packet::Subtree option(p);
        p.add_uint(f0 + kIpOptType, o + at, 1, type);
        p.add_uint(f0 + kIpOptLen, o + at + 1, 1, len);
        if (type == 148 && len == 4) {
            const uint16_t ra = t.be16(at + 2);
            p.add_uint(f0 + kIpOptRa, o + at + 2, 2, ra,
                       strf("Router Alert: %s (%u)", ra ? "Unknown" : "Router shall examine packet", ra));
        } else if (len > 2) {
            p.add_note(o + at + 2, len - 2, "Value: " + bytes_of(t, at + 2, len - 2));
        }
        at += len;
    }
    p.relabel(box, strf("Options: (%zu bytes), %s", t.length(), names.c_str()));
}

void esp(Tvb t, Packet& p)
{
    p.summary().flags |= DecodedPacket::Encrypted;
    if (!p.push(Proto::Esp))
        return;
    p.layer(f0 + kEsp, t, {});
    if (!t.need(0, 8, "ESP header"))
        return;
    if (!p.want_tree() && !p.col())
        return; // nothing more here for the summary
    const uint32_t spi = t.be32(0);
    if (p.want_tree()) {
        const size_t o = t.begin();
        p.add_uint(f0 + kEspSpi, o, 4, spi, strf("ESP SPI: 0x%08x (%u)", spi, spi));
        p.add_uint(f0 + kEspSequence, o + 4, 4, t.be32(4));
        if (t.length() > 8)
            p.add_note(o + 8, t.length() - 8, strf("Encrypted payload (%zu bytes)", t.length() - 8));
    }
    if (Columns* c = p.col()) {
        c->protocol = "ESP";
        c->info = strf("ESP (SPI=0x%08x)", spi);
    }
}

void ah(Tvb t, Packet& p)
{
    if (!p.push(Proto::Ah))
        return;
    const size_t o = t.begin();
    const size_t item = p.layer(f0 + kAh, t, {});
    p.cover(item, o, o + 12);
    if (!t.need(0, 8, "AH header"))
        return;
    const uint8_t next = t.u8(0);
    const size_t len = (size_t(t.u8(1)) + 2) * 4;
    p.cover(item, o, o + len);
    if (p.want_tree()) {
        p.add_uint(f0 + kAhNext, o, 1, next, strf("Next header: %s (%u)", ip_proto_name(next), next));
        p.add_uint(f0 + kAhLength, o + 1, 1, t.u8(1), strf("Length: %zu bytes", len));
        p.add_uint(f0 + kAhSpi, o + 4, 4, t.be32(4));
        if (t.has(8, 4))
            p.add_uint(f0 + kAhSequence, o + 8, 4, t.be32(8));
    }
    if (!t.need(0, len, "AH header"))
        return;
    if (p.want_tree() && len > 12) {
        const uint8_t* icv = t.bytes(12, len - 12);
        p.add_text(f0 + kAhIcv, o + 12, len - 12, std::string_view(reinterpret_cast<const char*>(icv), len - 12),
                   "AH ICV: " + hex_text(icv, len - 12));
    }
    if (Columns* c = p.col())
        c->protocol = "AH";
    dissect_ip_payload(next, t.rest(len), p, false);
}

void ip_in_ip(Tvb t, Packet& p) { dissect_ipv4(t, p); }
void ipv6_in_ip(Tvb t, Packet& p) { dissect_ipv6(t, p); }

// IPv6 extension headers (RFC 8200 section 4) that the loop walks.
bool extension_header(uint8_t next)
{
    switch (next) {
    case 0:   // hop-by-hop
    case 43:  // routing
    case 44:  // fragment
    case 60:  // destination options
    case 135: // mobility
    case 139: // HIP
    case 140: // shim6
        return true;
    default: return false;
    }
}

// The rows of one extension header other than a fragment header.
void extension_rows(Tvb ip, Packet& p, uint8_t type, size_t at, size_t len)
{
    FieldId nxt = kNoField, hlen = kNoField;
    switch (type) {
    case 0: nxt = f0 + kHopoptsNxt, hlen = f0 + kHopoptsLen; break;
    case 43: nxt = f0 + kRoutingNxt, hlen = f0 + kRoutingLen; break;
    case 60: nxt = f0 + kDstoptsNxt, hlen = f0 + kDstoptsLen; break;
    default: break;
    }
    const size_t o = ip.begin() + at;
    const uint8_t following = ip.u8(at);
    std::string next_label = strf("Next Header: %s (%u)", ip_proto_name(following), following);
    std::string len_label = strf("Length: %u (%zu bytes)", ip.u8(at + 1), len);
    if (nxt != kNoField) {
        p.add_uint(nxt, o, 1, following, std::move(next_label));
        p.add_uint(hlen, o + 1, 1, ip.u8(at + 1), std::move(len_label));
    } else {
        p.add_note(o, 1, std::move(next_label));
        p.add_note(o + 1, 1, std::move(len_label));
    }
}

} // namespace

const char* ip_proto_name(uint8_t proto)
{
    switch (proto) {
    case 0: return "IPv6 Hop-by-Hop Option";
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IPIP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 43: return "Routing Header for IPv6";
    case 44: return "Fragment Header for IPv6";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 59: return "IPv6 No Next Header";
    case 60: return "Destination Options for IPv6";
    case 89: return "OSPF IGP";
    case 103: return "PIM";
    case 112: return "VRRP";
    case 132: return "SCTP";
    case 135: return "Mobility Header for IPv6";
    case 136: return "UDPLite";
    default: return "Unknown";
    }
}

IpCarrier& ip_carrier()
{
    static thread_local IpCarrier carrier;
    return carrier;
}

Tvb claim(Tvb t, Packet& p, size_t at, size_t len, const char* what)
{
    if (t.has(at, len) || !ip_carrier().more_fragments || p.quoted())
        return t.sub(at, len, what);
    const size_t avail = at <= t.length() ? t.length() - at : 0;
    if (t.end() == p.captured() && len <= avail + p.missing())
        return t.sub(at, len, what); // the snaplen cut it: truncated
    if (p.want_tree())
        p.add_note(0, 0, strf("[%s continues in the next IP fragment]", what));
    return t.rest(at);
}

void dissect_ipv4(Tvb t, Packet& p)
{
    // Like Wireshark's IP dissector, a version 6 header where IPv4 was
    // announced is read as IPv6 (misconfigured stacks and tunnels send these).
    if (t.has(0, 1) && (t.u8(0) >> 4) == 6) {
        dissect_ipv6(t, p);
        return;
    }
    if (!p.push(Proto::Ipv4))
        return;
    const size_t o = t.begin();
    const size_t item = p.layer(f0 + kIp, t, {});
    p.cover(item, o, o + 20);
    if (!t.need(0, 20, "IPv4 header"))
        return;
    const uint8_t* h = t.bytes(0, 20);
    const uint8_t version = h[0] >> 4;
    const size_t ihl = size_t(h[0] & 0x0F) * 4;
    if (p.want_tree()) {
        p.add_bits(f0 + kIpVersion, o, 1, version, bit_label(h[0], 8, 0xF0, strf("Version: %u", version)));
        p.add_bits(f0 + kIpHdrLen, o, 1, ihl,
                   bit_label(h[0], 8, 0x0F, strf("Header Length: %zu bytes (%u)", ihl, h[0] & 0x0F)));
    }
    if (version != 4 || ihl < 20) {
        p.mark(DecodedPacket::Malformed, version != 4 ? "IPv4 header with another version" : "IPv4 header length below 20",
               o);
        return;
    }
    const uint16_t total = load_be16(h + 2);
    const uint16_t id = load_be16(h + 4);
    const uint16_t frag = load_be16(h + 6);
    const uint8_t proto = h[9];
    const IpAddress src = IpAddress::v4(h + 12), dst = IpAddress::v4(h + 16);
    if (p.want_tree()) {
        p.add_uint(f0 + kIpDsfield, o + 1, 1, h[1], "Differentiated Services Field: " + ds_text(h[1]));
        // Zero (segmentation offload) shows as the bytes there are, as Wireshark shows it.
        p.add_uint(f0 + kIpLen, o + 2, 2, total ? total : t.length(),
                   total ? std::string() : std::string("Total Length: 0 (assumed: segmentation offload)"));
    }
    if (Columns* c = p.col()) {
        c->source = src.to_string();
        c->destination = dst.to_string();
        c->protocol = "IPv4";
        c->info = strf("IPv4 protocol %s (%u)", ip_proto_name(proto), proto);
        ip_carrier().hop_limit = h[8];
    }
    // The addresses count only when the header is consistent: a total length
    // below the header length makes it bogus (Wireshark stops there too).
    if (total != 0 && total < ihl) {
        p.mark(DecodedPacket::Malformed, "IPv4 total length below its header length", o + 2);
        return;
    }
    if (p.want_tree()) {
        p.add_uint(f0 + kIpId, o + 4, 2, id, strf("Identification: 0x%04x (%u)", id, id));
        const bool df = frag & 0x4000, mf = frag & 0x2000;
        p.add_uint(f0 + kIpFlags, o + 6, 2, frag >> 13,
                   strf("Flags: 0x%x%s%s", frag >> 13, df ? ", Don't fragment" : "", mf ? ", More fragments" : ""));
        {
            Packet::Subtree flags(p);
            p.add_bits(f0 + kIpFlagsRb, o + 6, 2, (frag >> 15) & 1, bit_flag(frag, 16, 0x8000, "Reserved bit"));
            p.add_bits(f0 + kIpFlagsDf, o + 6, 2, (frag >> 14) & 1, bit_flag(frag, 16, 0x4000, "Don't fragment"));
            p.add_bits(f0 + kIpFlagsMf, o + 6, 2, (frag >> 13) & 1, bit_flag(frag, 16, 0x2000, "More fragments"));
        }
        p.add_bits(f0 + kIpFragOffset, o + 6, 2, size_t(frag & 0x1FFF) * 8,
                   bit_label(frag, 16, 0x1FFF, strf("Fragment Offset: %u", (frag & 0x1FFF) * 8)));
        p.add_uint(f0 + kIpTtl, o + 8, 1, h[8]);
        p.add_uint(f0 + kIpProto, o + 9, 1, proto, strf("Protocol: %s (%u)", ip_proto_name(proto), proto));
        p.add_uint(f0 + kIpChecksum, o + 10, 2, load_be16(h + 10));
        p.add_ip(f0 + kIpSrc, o + 12, 4, src);
        p.add_ip(f0 + kIpDst, o + 16, 4, dst);
        p.relabel(item, "Internet Protocol Version 4, Src: " + src.to_string() + ", Dst: " + dst.to_string());
    }
    p.cover(item, o, o + ihl);
    // TCP segmentation offload leaves the length zero.
    Tvb ip = total == 0 ? t : claim(t, p, 0, total, "IPv4 total length");
    p.set_ip(src, dst, o);
    if (!ip.need(0, ihl, "IPv4 header"))
        return;
    if (ihl > 20 && p.want_tree())
        ipv4_options(ip.sub(0, ihl).rest(20), p);
    const bool later_fragment = (frag & 0x1FFF) != 0, more_fragments = frag & 0x2000;
    if (later_fragment || more_fragments)
        if (Columns* c = p.col())
            c->info = strf("Fragmented IP protocol (proto=%s %u, off=%u, ID=%04x)", ip_proto_name(proto), proto,
                           (frag & 0x1FFF) * 8, id);
    if (later_fragment) {
        p.summary().flags |= DecodedPacket::Fragment;
        fragment_data(ip.rest(ihl), p);
        return;
    }
    p.net_src = src;
    p.net_dst = dst;
    p.net_payload_len = total ? size_t(total) - ihl : SIZE_MAX;
    carried(proto, ip.rest(ihl), p, more_fragments);
}

void dissect_ipv6(Tvb t, Packet& p)
{
    if (!p.push(Proto::Ipv6))
        return;
    const size_t o = t.begin();
    const size_t item = p.layer(f0 + kIpv6, t, {});
    p.cover(item, o, o + 40);
    if (!t.need(0, 40, "IPv6 header"))
        return;
    const uint8_t* h = t.bytes(0, 40);
    if (p.want_tree())
        p.add_bits(f0 + kIpv6Version, o, 1, h[0] >> 4, bit_label(h[0], 8, 0xF0, strf("Version: %u", h[0] >> 4)));
    if ((h[0] >> 4) != 6) {
        p.mark(DecodedPacket::Malformed, "IPv6 header with another version", o);
        return;
    }
    const IpAddress src = IpAddress::v6(h + 8), dst = IpAddress::v6(h + 24);
    const uint16_t plen = load_be16(h + 4);
    if (p.want_tree()) {
        const uint32_t first = load_be32(h);
        const uint8_t tc = uint8_t(first >> 20);
        p.add_bits(f0 + kIpv6Tclass, o, 4, tc, bit_label(first, 32, 0x0FF00000, "Traffic Class: " + ds_text(tc)));
        p.add_bits(f0 + kIpv6Flow, o, 4, first & 0xFFFFF,
                   bit_label(first, 32, 0x000FFFFF, strf("Flow Label: 0x%05x", first & 0xFFFFF)));
        p.add_uint(f0 + kIpv6Plen, o + 4, 2, plen);
        p.add_uint(f0 + kIpv6Nxt, o + 6, 1, h[6], strf("Next Header: %s (%u)", ip_proto_name(h[6]), h[6]));
        p.add_uint(f0 + kIpv6Hlim, o + 7, 1, h[7]);
        p.add_ip(f0 + kIpv6Src, o + 8, 16, src);
        p.add_ip(f0 + kIpv6Dst, o + 24, 16, dst);
        p.relabel(item, "Internet Protocol Version 6, Src: " + src.to_string() + ", Dst: " + dst.to_string());
    }
    if (Columns* c = p.col()) {
        c->source = src.to_string();
        c->destination = dst.to_string();
        c->protocol = "IPv6";
        c->info = strf("IPv6 next header %s (%u)", ip_proto_name(h[6]), h[6]);
        ip_carrier().hop_limit = h[7];
    }
    p.set_ip(src, dst, o);
    // 0: a jumbogram, or offload.
    Tvb ip = t;
    if (plen != 0)
        ip = Tvb(p, o, t.rest(40).sub(0, plen, "IPv6 payload length").end());
    uint8_t next = h[6];
    size_t at = 40;
    bool later_fragment = false, more_fragments = false;
    for (int hops = 0; hops < 16 && extension_header(next); ++hops) {
        if (!ip.need(at, 8, "IPv6 extension header"))
            return;
        const bool fragment = next == 44;
        const uint8_t following = ip.u8(at);
        const size_t len = fragment ? 8 : (size_t(ip.u8(at + 1)) + 1) * 8;
        const size_t x = ip.begin() + at;
        if (p.want_tree())
            p.add_note(x, len, strf("%s, Length: %zu bytes", ip_proto_name(next), len));
        Packet::Subtree sub(p);
        if (fragment) {
            const uint16_t fo = ip.be16(at + 2);
            const uint32_t ident = ip.be32(at + 4);
            later_fragment = (fo & 0xFFF8) != 0;
            more_fragments = fo & 1;
            if (p.want_tree()) {
                p.add_uint(f0 + kFragmentNxt, x, 1, following,
                           strf("Next Header: %s (%u)", ip_proto_name(following), following));
                p.add_bits(f0 + kFragmentOffset, x + 2, 2, fo >> 3,
                           bit_label(fo, 16, 0xFFF8, strf("Offset: %u (%u bytes)", fo >> 3, (fo >> 3) * 8u)));
                p.add_bits(f0 + kFragmentMore, x + 2, 2, fo & 1,
                           bit_label(fo, 16, 0x0001, (fo & 1) ? "More Fragments: Yes" : "More Fragments: No"));
                p.add_uint(f0 + kFragmentId, x + 4, 4, ident);
            }
            if (later_fragment || more_fragments)
                if (Columns* c = p.col())
                    c->info = strf("IPv6 fragment (off=%u more=%c ident=0x%08x nxt=%u)", (fo >> 3) * 8u,
                                   more_fragments ? 'y' : 'n', ident, following);
        } else {
            if (p.want_tree())
                extension_rows(ip, p, next, at, len);
            if (!ip.need(at, len, "IPv6 extension header"))
                return;
            if (p.want_tree() && len > 2)
                p.add_note(x + 2, len - 2, "Options: " + bytes_of(ip, at + 2, len - 2));
        }
        next = following;
        at += len;
    }
    if (!ip.need(at, 0, "IPv6 extension headers"))
        return;
    p.cover(item, o, ip.begin() + at);
    if (later_fragment) {
        p.summary().flags |= DecodedPacket::Fragment;
        fragment_data(ip.rest(at), p);
        return;
    }
    p.net_src = src;
    p.net_dst = dst;
    p.net_payload_len = plen && size_t(plen) + 40 >= at ? size_t(plen) + 40 - at : SIZE_MAX;
    carried(next, ip.rest(at), p, more_fragments);
}

void dissect_ip_payload(uint8_t proto, Tvb t, Packet& p, bool later_fragment)
{
    if (later_fragment)
        return; // only the first fragment holds the next header
    if (Dissector d = find_ip_protocol(proto))
        d(t, p);
    else if (proto != 59) // no next header
        dissect_data(t, p);
}

void register_ip()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(0x0800, dissect_ipv4);
    add_ethertype(0x86DD, dissect_ipv6);
    add_ip_protocol(4, ip_in_ip);
    add_ip_protocol(41, ipv6_in_ip);
    add_ip_protocol(50, esp);
    add_ip_protocol(51, ah);
}

} // namespace underhood::dissect
