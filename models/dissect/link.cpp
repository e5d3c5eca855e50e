// The link-type table (LINKTYPE_* values as stored in capture files, with
// libpcap's DLT_* number and name) and the link layers without a file of
// their own: BSD loopback, raw IP, Linux cooked capture v1/v2, Cisco HDLC,
// PPP and PPPoE.
#include "dissect/registry.h"
#include "wire_constants.h"

namespace underhood::dissect {
namespace {

using namespace wire;

enum { kSll, kSllProto, kPpp, kPppProto, kPppoe, kNull, kNullFamily, kCount };
constexpr FieldInfo kFields[] = {
    {"sll", "Linux cooked capture", FieldType::Protocol},
    {"sll.etype", "Protocol", FieldType::Uint, Base::Hex, 4},
    {"ppp", "Point-to-Point Protocol", FieldType::Protocol},
    {"ppp.protocol", "Protocol", FieldType::Uint, Base::Hex, 4},
    {"pppoe", "PPP-over-Ethernet", FieldType::Protocol},
    {"null", "Null/Loopback", FieldType::Protocol},
    {"null.family", "Family", FieldType::Uint},
};
FieldId f0 = 0;

void null_loop(Tvb t, Packet& p, bool network_order)
{
    if (!p.push(network_order ? Proto::Loop : Proto::Null))
        return;
    // Some BSD PPP interfaces put an HDLC-like PPP header here instead.
    if (!network_order && t.has(0, 2) && t.u8(0) == 0xFF && t.u8(1) == 0x03) {
        dissect_ppp(t, p, true);
        return;
    }
    if (!t.need(0, 4))
        return;
    uint32_t af = network_order ? t.be32(0) : t.le32(0);
    // DLT_NULL is in the capturing host's order; a value too big to be an
    // address family means it was the other order.
    if (!network_order && (af & 0xFFFF0000))
        af = t.be32(0);
    p.layer(f0 + kNull, t.sub(0, 4), {});
    p.add_uint(f0 + kNullFamily, t.begin(), 4, af);
    // Wireshark reads a value above the 802.3 length limit as an EtherType.
    if (!network_order && af > 1500 && af <= 0xFFFF) {
        dissect_ethertype(uint16_t(af), t.rest(4), p);
        return;
    }
    switch (af) {
    case 2: dissect_ipv4(t.rest(4), p); break;
    case 24:
    case 28:
    case 30: dissect_ipv6(t.rest(4), p); break;
    default: break;
    }
}

void link_null(Tvb t, Packet& p) { null_loop(t, p, false); }
void link_loop(Tvb t, Packet& p) { null_loop(t, p, true); }

void link_raw(Tvb t, Packet& p)
{
    if (!t.need(0, 1))
        return;
    switch (t.u8(0) >> 4) {
    case 4: dissect_ipv4(t, p); break;
    case 6: dissect_ipv6(t, p); break;
    default: p.mark(DecodedPacket::Malformed, "raw IP with an unknown version", t.begin()); break;
    }
}

void cooked(Tvb t, Packet& p, bool v2)
{
    const size_t hlen = v2 ? 20 : 16;
    if (!p.push(v2 ? Proto::Sll2 : Proto::Sll) || !t.need(0, hlen))
        return;
    const uint16_t proto = v2 ? t.be16(0) : t.be16(14);
    const uint16_t hatype = v2 ? t.be16(8) : t.be16(2);
    p.layer(f0 + kSll, t.sub(0, hlen), v2 ? "Linux cooked capture v2" : "Linux cooked capture v1");
    p.add_uint(f0 + kSllProto, t.begin() + (v2 ? 0 : 14), 2, proto);
    // ARPHRD_NETLINK is not IP at all.
    if (hatype == 824)
        return;
    switch (proto) {
    case 0x0004: dissect_llc(t.rest(hlen), p); return; // raw 802.2 frames
    case 0x0001: return;                               // Novell 802.3 without LLC
    default: dissect_ethertype(proto, t.rest(hlen), p); return;
    }
}

void link_sll(Tvb t, Packet& p) { cooked(t, p, false); }
void link_sll2(Tvb t, Packet& p) { cooked(t, p, true); }
void link_ppp(Tvb t, Packet& p) { dissect_ppp(t, p, true); }
void link_ppp_ether(Tvb t, Packet& p) { dissect_pppoe(t, p, true); }
void link_cisco_hdlc(Tvb t, Packet& p)
{
    if (t.need(0, 4))
        dissect_ethertype(t.be16(2), t.rest(4), p);
}

} // namespace

void dissect_ppp(Tvb t, Packet& p, bool hdlc_allowed)
{
    if (!p.push(Proto::Ppp) || !t.need(0, 1))
        return;
    size_t at = 0;
    if (hdlc_allowed && t.u8(0) == 0xFF) {
        // HDLC-like framing (RFC 1662): address 0xFF, control 0x03.
        if (!t.need(0, 2))
            return;
        if (t.u8(1) == 0x03)
            at = 2;
    }
    if (!t.need(at, 1))
        return;
    uint16_t proto;
    if (t.u8(at) & 1) { // protocol-field compression: a one-byte protocol
        proto = t.u8(at);
        p.layer(f0 + kPpp, t.sub(0, at + 1), {});
        p.add_uint(f0 + kPppProto, t.begin() + at, 1, proto);
        at += 1;
    } else {
        if (!t.need(at, 2))
            return;
        proto = t.be16(at);
        p.layer(f0 + kPpp, t.sub(0, at + 2), {});
        p.add_uint(f0 + kPppProto, t.begin() + at, 2, proto);
        at += 2;
    }
    switch (proto) {
    case 0x0021: dissect_ipv4(t.rest(at), p); break;
    case 0x0057: dissect_ipv6(t.rest(at), p); break;
    case 0x0281:
    case 0x0283: dissect_mpls(t.rest(at), p); break;
    default: break;
    }
}

void dissect_pppoe(Tvb t, Packet& p, bool session)
{
    if (!p.push(Proto::Pppoe) || !t.need(0, 6))
        return;
    p.layer(f0 + kPppoe, t.sub(0, 6), session ? "PPP-over-Ethernet Session" : "PPP-over-Ethernet Discovery");
    if (!session)
        return;
    Tvb payload = t.rest(6).sub(0, t.be16(4));
    dissect_ppp(payload, p, false);
}

void register_link_types()
{
    f0 = register_fields(kFields, kCount);
    // LINKTYPE value, DLT value where libpcap's differs, libpcap's name, description.
    const LinkType kLinks[] = {
        {kLinkNull, 0, "NULL", "BSD loopback", link_null},
        {kLinkEthernet, 1, "EN10MB", "Ethernet", dissect_ethernet},
        {kLinkPpp, 9, "PPP", "PPP", link_ppp},
        {kLinkRawOpenBsd, 12, "RAW", "Raw IP (OpenBSD)", link_raw},
        {kLinkRawBsdOs, 14, "RAW", "Raw IP (BSD/OS)", link_raw},
        {kLinkPppHdlc, 50, "PPP_SERIAL", "PPP in HDLC-like framing", link_ppp},
        {kLinkPppEther, 51, "PPP_ETHER", "PPPoE", link_ppp_ether},
        {kLinkRaw, 12, "RAW", "Raw IP", link_raw},
        {kLinkCiscoHdlc, 104, "C_HDLC", "Cisco HDLC", link_cisco_hdlc},
        {kLinkIeee80211, 105, "IEEE802_11", "802.11", dissect_ieee80211},
        {kLinkLoop, 108, "LOOP", "OpenBSD loopback", link_loop},
        {kLinkSll, 113, "LINUX_SLL", "Linux cooked v1", link_sll},
        {kLinkRadiotap, 127, "IEEE802_11_RADIO", "802.11 plus radiotap header", dissect_radiotap},
        {kLinkIpv4, 228, "IPV4", "Raw IPv4", dissect_ipv4},
        {kLinkIpv6, 229, "IPV6", "Raw IPv6", dissect_ipv6},
        {kLinkSll2, 276, "LINUX_SLL2", "Linux cooked v2", link_sll2},
    };
    for (const LinkType& l : kLinks)
        add_link_type(l);
}

} // namespace underhood::dissect
