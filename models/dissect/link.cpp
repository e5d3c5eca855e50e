// The link-type table (LINKTYPE_* values as stored in capture files, with
// libpcap's DLT_* number and name) and the link layers without a file of
// their own: BSD loopback, raw IP, Linux cooked capture v1/v2 and Cisco
// HDLC (PPP and PPPoE are in ppp.cpp).
#include "dissect/labels.h"
#include "dissect/link_layers.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"
#include "wire_constants.h"

#include <string>

namespace underhood::dissect {
namespace {

using namespace wire;

enum {
    kSll, kSllProto, kNull, kNullFamily, kSllPkttype, kSllHatype, kSllHalen, kSllSrcEth, kSllSrcOther, kSllUnused,
    kSllReserved, kSllIfindex, kNetlink, kRaw, kChdlc, kChdlcAddress, kChdlcControl, kChdlcProto,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"sll", "Linux cooked capture", FieldType::Protocol},
    {"sll.etype", "Protocol", FieldType::Uint, Base::Hex, 4},
    {"null", "Null/Loopback", FieldType::Protocol},
    {"null.family", "Family", FieldType::Uint},
    {"sll.pkttype", "Packet type", FieldType::Uint},
    {"sll.hatype", "Link-layer address type", FieldType::Uint},
    {"sll.halen", "Link-layer address length", FieldType::Uint},
    {"sll.src.eth", "Source", FieldType::Ether},
    {"sll.src.other", "Source", FieldType::Bytes},
    {"sll.unused", "Unused", FieldType::Bytes},
    {"sll.reserved", "Reserved", FieldType::Uint},
    {"sll.ifindex", "Interface index", FieldType::Uint},
    {"netlink", "Linux netlink (cooked header)", FieldType::Protocol},
    {"raw", "Raw packet data", FieldType::Protocol},
    {"chdlc", "Cisco HDLC", FieldType::Protocol},
    {"chdlc.address", "Address", FieldType::Uint, Base::Hex, 2},
    {"chdlc.control", "Control", FieldType::Uint, Base::Hex, 2},
    {"chdlc.protocol", "Protocol", FieldType::Uint, Base::Hex, 4},
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
    layer_at(p, f0 + kNull, t, 4, network_order && p.want_tree() ? "OpenBSD Loopback" : std::string());
    if (!t.need(0, 4, "loopback header"))
        return;
    uint32_t af = network_order ? t.be32(0) : t.le32(0);
    // DLT_NULL is in the capturing host's order; a value too big to be an
    // address family means it was the other order.
    if (!network_order && (af & 0xFFFF0000))
        af = t.be32(0);
    // Wireshark reads a value above the 802.3 length limit as an EtherType.
    const bool ethertype = !network_order && af > 1500 && af <= 0xFFFF;
    if (p.want_tree()) {
        const char* family = ethertype                              ? ethertype_name(uint16_t(af))
                             : af == 2                              ? "IP"
                             : (af == 24 || af == 28 || af == 30) ? "IPv6"
                                                                    : "Unknown";
        p.add_uint(f0 + kNullFamily, t.begin(), 4, af, strf("Family: %s (%u)", family, af));
    }
    if (Columns* c = p.col())
        c->protocol = network_order ? "LOOP" : "NULL";
    if (ethertype) {
        dissect_ethertype(uint16_t(af), t.rest(4), p);
        return;
    }
    switch (af) {
    case 2: dissect_ipv4(t.rest(4), p); break;
    case 24:
    case 28:
    case 30: dissect_ipv6(t.rest(4), p); break;
    default: dissect_data(t.rest(4), p); break;
    }
}

void link_null(Tvb t, Packet& p) { null_loop(t, p, false); }
void link_loop(Tvb t, Packet& p) { null_loop(t, p, true); }

void link_raw(Tvb t, Packet& p)
{
    if (!t.has(0, 1)) {
        p.top_level(); // no layer to hold the note
        t.need(0, 1, "raw IP packet");
        return;
    }
    switch (t.u8(0) >> 4) {
    case 4: dissect_ipv4(t, p); break;
    case 6: dissect_ipv6(t, p); break;
    default:
        layer_at(p, f0 + kRaw, t, 1, {});
        p.mark(DecodedPacket::Malformed, "raw IP with an unknown version", t.begin());
        dissect_data(t, p);
        break;
    }
}

const char* arphrd_name(uint16_t t)
{
    switch (t) {
    case 1: return "Ethernet";
    case 24: return "IEEE 1394";
    case 32: return "InfiniBand";
    case 512: return "PPP";
    case 772: return "Loopback";
    case 776: return "IPv6-in-IPv4";
    case 778: return "GRE over IP";
    case 801: return "IEEE 802.11";
    case 803: return "IEEE 802.11 + radiotap header";
    case 824: return "Netlink";
    case 65534: return "None";
    default: return "Unknown";
    }
}

void cooked(Tvb t, Packet& p, bool v2)
{
    const size_t hlen = v2 ? 20 : 16;
    if (!p.push(v2 ? Proto::Sll2 : Proto::Sll))
        return;
    layer_at(p, f0 + kSll, t, hlen,
             !p.want_tree() ? std::string() : v2 ? "Linux cooked capture v2" : "Linux cooked capture v1");
    if (!t.need(0, hlen, "Linux cooked header"))
        return;
    const uint16_t proto = v2 ? t.be16(0) : t.be16(14);
    const uint16_t hatype = v2 ? t.be16(8) : t.be16(2);
    const uint16_t pkttype = v2 ? t.u8(10) : t.be16(0);
    const size_t alen = v2 ? t.u8(11) : t.be16(4);
    const size_t aat = v2 ? 12 : 6;
    static const char* const kTypes[] = {"Unicast to us", "Broadcast", "Multicast", "Unicast to another host",
                                         "Sent by us"};
    const char* type_name = pkttype < 5 ? kTypes[pkttype] : "Unknown";
    const size_t shown = std::min<size_t>(alen, 8);
    const uint8_t* addr = t.bytes(aat, 8);
    if (p.want_tree()) {
        const size_t o = t.begin();
        const auto proto_field = [&] {
            p.add_uint(f0 + kSllProto, o + (v2 ? 0 : 14), 2, proto,
                       strf("Protocol: %s (0x%04x)", proto == 0x0004 ? "802.2 LLC" : ethertype_name(proto), proto));
        };
        if (v2) {
            proto_field();
            p.add_uint(f0 + kSllReserved, o + 2, 2, t.be16(2));
            p.add_uint(f0 + kSllIfindex, o + 4, 4, t.be32(4));
            p.add_uint(f0 + kSllHatype, o + 8, 2, hatype,
                       strf("Link-layer address type: %s (%u)", arphrd_name(hatype), hatype));
            p.add_uint(f0 + kSllPkttype, o + 10, 1, pkttype, strf("Packet type: %s (%u)", type_name, pkttype));
            p.add_uint(f0 + kSllHalen, o + 11, 1, alen);
        } else {
            p.add_uint(f0 + kSllPkttype, o, 2, pkttype, strf("Packet type: %s (%u)", type_name, pkttype));
            p.add_uint(f0 + kSllHatype, o + 2, 2, hatype,
                       strf("Link-layer address type: %s (%u)", arphrd_name(hatype), hatype));
            p.add_uint(f0 + kSllHalen, o + 4, 2, alen);
        }
        if (alen == 6)
            p.add_mac(f0 + kSllSrcEth, o + aat, 6, mac_at(addr));
        else
            p.add_text(f0 + kSllSrcOther, o + aat, shown, std::string_view(reinterpret_cast<const char*>(addr), shown),
                       "Source: " + hex_text(addr, shown));
        if (alen < 8)
            p.add_text(f0 + kSllUnused, o + aat + alen, 8 - alen,
                       std::string_view(reinterpret_cast<const char*>(addr + alen), 8 - alen),
                       "Unused: " + hex_text(addr + alen, 8 - alen));
        if (!v2)
            proto_field();
    }
    if (Columns* c = p.col()) {
        c->source = alen == 6 ? mac_column(addr) : hex_text(addr, shown);
        c->destination.clear();
        c->protocol = v2 ? "SLL2" : "SLL";
        c->info = strf("%s, protocol 0x%04x", type_name, proto);
    }
    Tvb payload = t.rest(hlen);
    // ARPHRD_NETLINK is not IP at all.
    if (hatype == 824) {
        p.layer(f0 + kNetlink, payload, {});
        if (Columns* c = p.col())
            c->protocol = "Netlink";
        return;
    }
    switch (proto) {
    case 0x0004: dissect_llc(payload, p); return;  // raw 802.2 frames
    case 0x0001: dissect_data(payload, p); return; // Novell 802.3 without LLC
    default: dissect_ethertype(proto, payload, p); return;
    }
}

void link_sll(Tvb t, Packet& p) { cooked(t, p, false); }
void link_sll2(Tvb t, Packet& p) { cooked(t, p, true); }
void link_ppp(Tvb t, Packet& p) { dissect_ppp(t, p, true); }
void link_ppp_ether(Tvb t, Packet& p) { dissect_pppoe(t, p, true); }

void link_cisco_hdlc(Tvb t, Packet& p)
{
    layer_at(p, f0 + kChdlc, t, 4, {});
    if (!t.need(0, 4, "Cisco HDLC header"))
        return;
    const uint8_t address = t.u8(0);
    const uint16_t proto = t.be16(2);
    if (p.want_tree()) {
        p.add_uint(f0 + kChdlcAddress, t.begin(), 1, address,
                   strf("Address: %s (0x%02x)", address == 0x8F ? "Multicast" : "Unicast", address));
        p.add_uint(f0 + kChdlcControl, t.begin() + 1, 1, t.u8(1));
        p.add_uint(f0 + kChdlcProto, t.begin() + 2, 2, proto,
                   strf("Protocol: %s (0x%04x)", ethertype_name(proto), proto));
    }
    if (Columns* c = p.col()) {
        c->protocol = "CHDLC";
        c->info = strf("Cisco HDLC, protocol %s (0x%04x)", ethertype_name(proto), proto);
    }
    dissect_ethertype(proto, t.rest(4), p);
}

} // namespace

void register_link_types()
{
    f0 = register_fields(kFields, kCount);
    // LINKTYPE value, DLT value where libpcap's differs, libpcap's name, and
    // the description Wireshark's frame tree and protocol column use.
    const LinkType kLinks[] = {
        {kLinkNull, 0, "NULL", "NULL/Loopback", link_null},
        {kLinkEthernet, 1, "EN10MB", "Ethernet", dissect_ethernet},
        {kLinkPpp, 9, "PPP", "PPP", link_ppp},
        {kLinkRawOpenBsd, 12, "RAW", "Raw IP", link_raw},
        {kLinkRawBsdOs, 14, "RAW", "Raw IP", link_raw},
        {kLinkPppHdlc, 50, "PPP_SERIAL", "PPP in HDLC-like framing", link_ppp},
        {kLinkPppEther, 51, "PPP_ETHER", "PPPoE", link_ppp_ether},
        {kLinkRaw, 12, "RAW", "Raw IP", link_raw},
        {kLinkCiscoHdlc, 104, "C_HDLC", "Cisco HDLC", link_cisco_hdlc},
        {kLinkIeee80211, 105, "IEEE802_11", "IEEE 802.11 Wireless LAN", dissect_ieee80211},
        {kLinkLoop, 108, "LOOP", "OpenBSD loopback", link_loop},
        {kLinkSll, 113, "LINUX_SLL", "Linux cooked-mode capture v1", link_sll},
        {kLinkRadiotap, 127, "IEEE802_11_RADIO", "IEEE 802.11 plus radiotap header", dissect_radiotap},
        {kLinkIpv4, 228, "IPV4", "Raw IPv4", dissect_ipv4},
        {kLinkIpv6, 229, "IPV6", "Raw IPv6", dissect_ipv6},
        {kLinkSll2, 276, "LINUX_SLL2", "Linux cooked-mode capture v2", link_sll2},
        // Known, not decoded: their packets count in the totals only.
        {6, 6, "IEEE802", "Token Ring", nullptr},
        {8, 8, "SLIP", "SLIP", nullptr},
        {10, 10, "FDDI", "FDDI", nullptr},
        {100, 11, "ATM_RFC1483", "RFC 1483 ATM", nullptr},
        {107, 107, "FRELAY", "Frame Relay", nullptr},
        {119, 119, "PRISM_HEADER", "IEEE 802.11 plus Prism II monitor mode radio header", nullptr},
        {143, 143, "DOCSIS", "Data Over Cable Service Interface Specification", nullptr},
        {163, 163, "IEEE802_11_RADIO_AVS", "IEEE 802.11 plus AVS radio information header", nullptr},
        {192, 192, "PPI", "Per-Packet Information header", nullptr},
        {195, 195, "IEEE802_15_4", "IEEE 802.15.4 Wireless PAN", nullptr},
        {231, 231, "DBUS", "D-Bus", nullptr},
        {239, 239, "NFLOG", "NFLOG", nullptr},
        {249, 249, "USBPCAP", "USB packets with USBPcap header", nullptr},
    };
    for (const LinkType& l : kLinks)
        add_link_type(l);
}

} // namespace underhood::dissect
