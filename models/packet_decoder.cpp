#include "packet_decoder.h"

#include "wire_constants.h"

#include <algorithm>
#include <cstring>

namespace underhood {

std::string DecodedPacket::path_string() const
{
    std::string s;
    for (int i = 0; i < depth; ++i) {
        if (i)
            s += ':';
        s += proto_name(path[i]);
    }
    return s;
}

namespace {

using namespace wire;


// Walks a packet layer by layer. Each layer gets [off, end): `end` is the
// limit the enclosing header's length field sets, never beyond the captured data.
class Decoder {
public:
    Decoder(Bytes data, uint32_t origlen, DecodedPacket& out)
        : d_(data.data()), n_(data.size()), missing_(origlen > data.size() ? origlen - data.size() : 0), out_(out)
    {
    }

    void link(uint32_t lt);

private:
    // The fixed part of a header does not fit in the captured bytes.
    bool fits(size_t off, size_t len, size_t end)
    {
        if (off <= end && len <= end - off)
            return true;
        // Out of captured bytes because of the snaplen: truncated; otherwise the
        // frame itself is too short for what it claims to carry.
        if (end == n_ && missing_ > 0)
            mark(DecodedPacket::Truncated, "ran out of captured bytes");
        else
            mark(DecodedPacket::Malformed, "header does not fit in the frame");
        return false;
    }
    // A length field claims `claimed` bytes from off; returns the usable end.
    size_t claim(size_t off, size_t claimed, size_t end)
    {
        if (claimed <= end - off)
            return off + claimed;
        if (end == n_ && claimed <= end - off + missing_)
            mark(DecodedPacket::Truncated, "ran out of captured bytes");
        else
            mark(DecodedPacket::Malformed, "length field exceeds the frame");
        return end;
    }
    void mark(DecodedPacket::Flag f, const char* why)
    {
        out_.flags |= f;
        if (!out_.problem)
            out_.problem = why;
    }
    bool push(Proto p)
    {
        if (out_.depth >= DecodedPacket::kMaxDepth) {
            mark(DecodedPacket::Malformed, "too many nested layers");
            return false;
        }
        out_.path[out_.depth++] = p;
        return true;
    }
    // Headers that do not show in the path (MACsec, NSH, Arista) still
    // nest: bound them like push() bounds the others.
    bool enter_shim()
    {
        if (++shims_ > DecodedPacket::kMaxDepth) {
            mark(DecodedPacket::Malformed, "too many nested layers");
            return false;
        }
        return true;
    }

    void ethernet(size_t off, size_t end);
    void ethertype(uint16_t type, size_t off, size_t end);
    void llc(size_t off, size_t end);
    void mpls(size_t off, size_t end);
    void ppp(size_t off, size_t end, bool hdlc_allowed);
    void pppoe(size_t off, size_t end, bool session);
    void cooked(size_t off, size_t end, bool v2);
    void null_loop(size_t off, size_t end, bool network_order);
    void raw_ip(size_t off, size_t end);
    void ieee80211(size_t off, size_t end);
    void radiotap(size_t off, size_t end);
    void arp(size_t off, size_t end);
    void macsec(size_t off, size_t end);
    void nsh(size_t off, size_t end);
    void arista(size_t off, size_t end);
    void ipv4(size_t off, size_t end);
    void ipv6(size_t off, size_t end);
    void ip_payload(uint8_t proto, size_t off, size_t end, bool fragment, const IpAddress& src, const IpAddress& dst);
    void tcp(size_t off, size_t end, const IpAddress& src, const IpAddress& dst);
    void udp(size_t off, size_t end, const IpAddress& src, const IpAddress& dst);
    void gre(size_t off, size_t end);
    void set_ports(Proto transport, const IpAddress& src, const IpAddress& dst, uint16_t sp, uint16_t dp)
    {
        if (out_.flags & DecodedPacket::HasPorts)
            return;
        out_.flags |= DecodedPacket::HasPorts;
        out_.transport = transport;
        out_.port_ip_src = src;
        out_.port_ip_dst = dst;
        out_.port_src = sp;
        out_.port_dst = dp;
    }
    void set_app(Proto p, size_t off, size_t end)
    {
        if (!push(p))
            return;
        if (out_.app == Proto::None) {
            out_.app = p;
            out_.app_offset = uint32_t(off);
            out_.app_length = uint32_t(end - off);
        }
    }
    void set_mac(const uint8_t* dst, const uint8_t* src)
    {
        if (out_.flags & DecodedPacket::HasMac)
            return;
        out_.flags |= DecodedPacket::HasMac;
        std::memcpy(out_.mac_dst.bytes.data(), dst, 6);
        std::memcpy(out_.mac_src.bytes.data(), src, 6);
    }

    const uint8_t* d_;
    size_t n_;
    size_t missing_;
    DecodedPacket& out_;
    int shims_ = 0;
};

void Decoder::link(uint32_t lt)
{
    switch (lt) {
    case kLinkEthernet: ethernet(0, n_); break;
    case kLinkNull: null_loop(0, n_, false); break;
    case kLinkLoop: null_loop(0, n_, true); break;
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawBsdOs: raw_ip(0, n_); break;
    // These two name the version: an IPv6 packet under LINKTYPE_IPV6 with
    // version 4 is bogus, not IPv4 (Wireshark agrees). LINKTYPE_IPV4 goes
    // through ipv4(), which hands version 6 on as every IPv4 dissector does.
    case kLinkIpv4: ipv4(0, n_); break;
    case kLinkIpv6: ipv6(0, n_); break;
    case kLinkSll: cooked(0, n_, false); break;
    case kLinkSll2: cooked(0, n_, true); break;
    case kLinkPpp:
    case kLinkPppHdlc: ppp(0, n_, true); break;
    case kLinkPppEther: pppoe(0, n_, true); break;
    case kLinkCiscoHdlc:
        if (fits(0, 4, n_))
            ethertype(load_be16(d_ + 2), 4, n_);
        break;
    case kLinkIeee80211: ieee80211(0, n_); break;
    case kLinkRadiotap: radiotap(0, n_); break;
    default: break;
    }
}

void Decoder::ethernet(size_t off, size_t end)
{
    if (!push(Proto::Eth) || !fits(off, 14, end))
        return;
    set_mac(d_ + off, d_ + off + 6);
    uint16_t type = load_be16(d_ + off + 12);
    if (type <= 1500) {
        // IEEE 802.3 length field: the frame may be padded beyond it.
        size_t e = claim(off + 14, type, end);
        llc(off + 14, e);
        return;
    }
    ethertype(type, off + 14, end);
}

void Decoder::ethertype(uint16_t type, size_t off, size_t end)
{
    switch (type) {
    case kEtherIpv4: ipv4(off, end); return;
    case kEtherIpv6: ipv6(off, end); return;
    case kEtherArp: arp(off, end); return;
    case kEtherVlan:
    case kEtherQinQ:
    case kEtherQinQOld: {
        if (!push(Proto::Vlan) || !fits(off, 4, end))
            return;
        uint16_t inner = load_be16(d_ + off + 2);
        if (inner <= 1500) {
            llc(off + 4, claim(off + 4, inner, end));
            return;
        }
        ethertype(inner, off + 4, end);
        return;
    }
    case kEtherMpls:
    case kEtherMplsMc: mpls(off, end); return;
    case kEtherPppDisc: pppoe(off, end, false); return;
    case kEtherPppSess: pppoe(off, end, true); return;
    case kEtherTeb: ethernet(off, end); return;
    case kEtherPpp: ppp(off, end, false); return;
    case kEtherLldp: push(Proto::Lldp); return;
    case kEtherMacsec: macsec(off, end); return;
    case kEtherNsh: nsh(off, end); return;
    case kEtherArista: arista(off, end); return;
    case kEtherErspan2:
        if (fits(off, 8, end))
            ethernet(off + 8, end);
        return;
    case kEtherErspan3:
        if (fits(off, 12, end))
            ethernet(off + 12, end);
        return;
    default: return;
    }
}

// IEEE 802.1AE SecTAG. With neither the E nor the C bit the payload is in
// clear (integrity only): the original EtherType follows, then data, then the ICV.
void Decoder::macsec(size_t off, size_t end)
{
    if (!enter_shim() || !fits(off, 6, end))
        return;
    uint8_t tci = d_[off];
    uint8_t short_len = d_[off + 1] & 0x3F;
    if (tci & 0x80) {
        mark(DecodedPacket::Malformed, "MACsec SecTAG with version bit set");
        return;
    }
    size_t hlen = (tci & 0x20) ? 14 : 6; // SC bit: an explicit SCI follows the packet number
    if (tci & 0x0C) { // E (encrypted) or C (changed text): nothing to read
        out_.flags |= DecodedPacket::Encrypted;
        return;
    }
    if (!fits(off, hlen + 2, end))
        return;
    size_t p = off + hlen;
    constexpr size_t kIcv = 16;
    size_t e;
    if (short_len != 0) {
        // The short length counts the secure data after the SecTAG (EtherType included).
        e = claim(p, short_len, end);
    } else {
        // The ICV closes the frame: stop before it when it was captured.
        size_t wire_end = end == n_ ? n_ + missing_ : end;
        e = wire_end >= p + kIcv ? std::min(end, wire_end - kIcv) : end;
    }
    if (!fits(p, 2, e))
        return;
    ethertype(load_be16(d_ + p), p + 2, e);
}

// Network Service Header (RFC 8300): the length counts 4-byte words of the whole header.
void Decoder::nsh(size_t off, size_t end)
{
    if (!enter_shim() || !fits(off, 8, end))
        return;
    size_t hlen = size_t(load_be16(d_ + off) & 0x3F) * 4;
    uint8_t next = d_[off + 3];
    if (hlen < 8) {
        mark(DecodedPacket::Malformed, "NSH length below its base header");
        return;
    }
    if (!fits(off, hlen, end))
        return;
    off += hlen;
    switch (next) {
    case 1: ipv4(off, end); return;
    case 2: ipv6(off, end); return;
    case 3: ethernet(off, end); return;
    case 4: nsh(off, end); return;
    case 5: mpls(off, end); return;
    default: return;
    }
}

// Arista's timestamp header (EtherType 0xD28B): subtype, version, a 64- or
// 48-bit timestamp, then the original EtherType.
void Decoder::arista(size_t off, size_t end)
{
    if (!enter_shim() || !fits(off, 4, end))
        return;
    uint16_t subtype = load_be16(d_ + off);
    uint16_t version = load_be16(d_ + off + 2);
    if (subtype != 1)
        return;
    size_t ts;
    switch (version) {
    case 0x0010: // 64-bit TAI
    case 0x0110: // 64-bit UTC
        ts = 8;
        break;
    case 0x0020: // 48-bit TAI
    case 0x0120: // 48-bit UTC
        ts = 6;
        break;
    default: return; // unknown layout: where the EtherType sits is unknown
    }
    if (!fits(off, 4 + ts + 2, end))
        return;
    ethertype(load_be16(d_ + off + 4 + ts), off + 4 + ts + 2, end);
}

void Decoder::llc(size_t off, size_t end)
{
    if (!fits(off, 3, end))
        return;
    uint8_t dsap = d_[off], ssap = d_[off + 1];
    if (dsap == 0xAA && ssap == 0xAA) {
        if (!push(Proto::Llc) || !fits(off, 8, end))
            return;
        uint32_t oui = load_be24(d_ + off + 3);
        uint16_t type = load_be16(d_ + off + 6);
        if (oui == 0x00000C && type == 0x2000) {
            push(Proto::Cdp);
            return;
        }
        if (oui == 0 || oui == 0x0000F8)
            ethertype(type, off + 8, end);
        return;
    }
    if (!push(Proto::Llc))
        return;
    if (dsap == 0x42 && ssap == 0x42)
        push(Proto::Stp);
}

void Decoder::mpls(size_t off, size_t end)
{
    if (!push(Proto::Mpls))
        return;
    for (int labels = 0;; ++labels) {
        if (!fits(off, 4, end))
            return;
        uint32_t entry = load_be32(d_ + off);
        off += 4;
        if (entry & 0x100)
            break; // bottom of stack
        if (labels > 32) {
            mark(DecodedPacket::Malformed, "MPLS label stack without bottom");
            return;
        }
    }
    if (!fits(off, 1, end))
        return;
    // MPLS does not say what it carries; guess from the first nibble as
    // Wireshark and tcpdump do.
    switch (d_[off] >> 4) {
    case 4: ipv4(off, end); break;
    case 6: ipv6(off, end); break;
    case 0:
        // Pseudowire control word, then an Ethernet frame.
        if (fits(off, 4, end))
            ethernet(off + 4, end);
        break;
    default: break;
    }
}

void Decoder::ppp(size_t off, size_t end, bool hdlc_allowed)
{
    if (!push(Proto::Ppp) || !fits(off, 1, end))
        return;
    if (hdlc_allowed && d_[off] == 0xFF) {
        // HDLC-like framing (RFC 1662): address 0xFF, control 0x03.
        if (!fits(off, 2, end))
            return;
        if (d_[off + 1] == 0x03)
            off += 2;
    }
    if (!fits(off, 1, end))
        return;
    uint16_t proto;
    if (d_[off] & 1) { // protocol-field compression: a one-byte protocol
        proto = d_[off];
        off += 1;
    } else {
        if (!fits(off, 2, end))
            return;
        proto = load_be16(d_ + off);
        off += 2;
    }
    switch (proto) {
    case 0x0021: ipv4(off, end); break;
    case 0x0057: ipv6(off, end); break;
    case 0x0281:
    case 0x0283: mpls(off, end); break;
    default: break;
    }
}

void Decoder::pppoe(size_t off, size_t end, bool session)
{
    if (!push(Proto::Pppoe) || !fits(off, 6, end))
        return;
    if (!session)
        return;
    size_t e = claim(off + 6, load_be16(d_ + off + 4), end);
    ppp(off + 6, e, false);
}

void Decoder::cooked(size_t off, size_t end, bool v2)
{
    const size_t hlen = v2 ? 20 : 16;
    if (!push(v2 ? Proto::Sll2 : Proto::Sll) || !fits(off, hlen, end))
        return;
    uint16_t proto = v2 ? load_be16(d_ + off) : load_be16(d_ + off + 14);
    uint16_t hatype = v2 ? load_be16(d_ + off + 8) : load_be16(d_ + off + 2);
    off += hlen;
    // ARPHRD_IPGRE carries a GRE protocol type; ARPHRD_NETLINK is not IP at all.
    if (hatype == 824 /* ARPHRD_NETLINK */)
        return;
    switch (proto) {
    case 0x0004: llc(off, end); return; // raw 802.2 frames
    case 0x0001: return;                // Novell 802.3 without LLC
    default: ethertype(proto, off, end); return;
    }
}

void Decoder::null_loop(size_t off, size_t end, bool network_order)
{
    if (!push(network_order ? Proto::Loop : Proto::Null))
        return;
    // Some BSD PPP interfaces put an HDLC-like PPP header here instead.
    if (!network_order && end - off >= 2 && d_[off] == 0xFF && d_[off + 1] == 0x03) {
        ppp(off, end, true);
        return;
    }
    if (!fits(off, 4, end))
        return;
    uint32_t af = network_order ? load_be32(d_ + off) : load_le32(d_ + off);
    // DLT_NULL is in the capturing host's order; a value too big to be an
    // address family means it was the other order.
    if (!network_order && (af & 0xFFFF0000))
        af = load_be32(d_ + off);
    // Wireshark reads a value above the 802.3 length limit as an EtherType.
    if (!network_order && af > 1500 && af <= 0xFFFF) {
        ethertype(uint16_t(af), off + 4, end);
        return;
    }
    switch (af) {
    case 2: ipv4(off + 4, end); break;
    case 24:
    case 28:
    case 30: ipv6(off + 4, end); break;
    default: break;
    }
}

void Decoder::raw_ip(size_t off, size_t end)
{
    if (!fits(off, 1, end))
        return;
    switch (d_[off] >> 4) {
    case 4: ipv4(off, end); break;
    case 6: ipv6(off, end); break;
    default: mark(DecodedPacket::Malformed, "raw IP with an unknown version"); break;
    }
}

void Decoder::radiotap(size_t off, size_t end)
{
    if (!push(Proto::Radiotap) || !fits(off, 8, end))
        return;
    uint16_t len = load_le16(d_ + off + 2);
    if (len < 8) {
        mark(DecodedPacket::Malformed, "radiotap header length below 8");
        return;
    }
    if (!fits(off, len, end))
        return;
    ieee80211(off + len, end);
}

void Decoder::ieee80211(size_t off, size_t end)
{
    if (!push(Proto::Wlan) || !fits(off, 10, end))
        return;
    uint16_t fc = load_le16(d_ + off);
    uint8_t type = (fc >> 2) & 3, subtype = (fc >> 4) & 0xF;
    uint8_t flags = uint8_t(fc >> 8);
    if (type == 0) { // management: DA = addr1, SA = addr2
        if (fits(off, 24, end))
            set_mac(d_ + off + 4, d_ + off + 10);
        return;
    }
    if (type != 2)
        return; // control frames carry no payload
    size_t hlen = 24;
    bool to_ds = flags & 1, from_ds = flags & 2;
    if (to_ds && from_ds)
        hlen += 6;
    bool qos = subtype & 0x8;
    if (qos) {
        hlen += 2;
        if (flags & 0x80)
            hlen += 4; // HT control
    }
    if (!fits(off, hlen, end))
        return;
    const uint8_t* a1 = d_ + off + 4;
    const uint8_t* a2 = d_ + off + 10;
    const uint8_t* a3 = d_ + off + 16;
    const uint8_t* a4 = d_ + off + 24;
    const uint8_t* da = to_ds ? a3 : a1;
    const uint8_t* sa = from_ds ? (to_ds ? a4 : a3) : a2;
    set_mac(da, sa);
    if (subtype & 0x4)
        return; // null function: no data
    if (flags & 0x40) {
        out_.flags |= DecodedPacket::Encrypted;
        return;
    }
    if (qos && (d_[off + hlen - 2 - ((flags & 0x80) ? 4 : 0)] & 0x80)) {
        // A-MSDU (802.11-2020 9.3.2.2.2): subframes of DA, SA, length and an
        // LLC payload. The first subframe holds the outermost IP header, as
        // it does for Wireshark.
        size_t p = off + hlen;
        if (!fits(p, 14, end))
            return;
        llc(p + 14, claim(p + 14, load_be16(d_ + p + 12), end));
        return;
    }
    llc(off + hlen, end);
}

void Decoder::arp(size_t off, size_t end)
{
    if (!push(Proto::Arp) || !fits(off, 8, end))
        return;
    // Passive name discovery reads the sender's binding from here.
    out_.app = Proto::Arp;
    out_.app_offset = uint32_t(off);
    out_.app_length = uint32_t(end - off);
}

void Decoder::ipv4(size_t off, size_t end)
{
    // Like Wireshark's IP dissector, a version 6 header where IPv4 was
    // announced is read as IPv6 (misconfigured stacks and tunnels send these).
    if (off < end && (d_[off] >> 4) == 6) {
        ipv6(off, end);
        return;
    }
    if (!push(Proto::Ipv4) || !fits(off, 20, end))
        return;
    const uint8_t* h = d_ + off;
    size_t ihl = size_t(h[0] & 0x0F) * 4;
    if ((h[0] >> 4) != 4 || ihl < 20) {
        mark(DecodedPacket::Malformed, (h[0] >> 4) != 4 ? "IPv4 header with another version" : "IPv4 header length below 20");
        return;
    }
    // The addresses count only when the header is consistent: a total length
    // below the header length makes it bogus (Wireshark stops there too).
    uint16_t total = load_be16(h + 2);
    size_t e;
    if (total == 0) {
        e = end; // TCP segmentation offload leaves the length zero
    } else if (total < ihl) {
        mark(DecodedPacket::Malformed, "IPv4 total length below its header length");
        return;
    } else {
        e = claim(off, total, end);
    }
    IpAddress src = IpAddress::v4(h + 12), dst = IpAddress::v4(h + 16);
    if (!(out_.flags & DecodedPacket::HasIp)) {
        out_.flags |= DecodedPacket::HasIp;
        out_.ip_src = src;
        out_.ip_dst = dst;
        out_.ip_offset = uint32_t(off);
    }
    if (!fits(off, ihl, e))
        return;
    uint16_t frag = load_be16(h + 6);
    bool later_fragment = (frag & 0x1FFF) != 0;
    if (later_fragment)
        out_.flags |= DecodedPacket::Fragment;
    ip_payload(h[9], off + ihl, e, later_fragment, src, dst);
}

void Decoder::ipv6(size_t off, size_t end)
{
    if (!push(Proto::Ipv6) || !fits(off, 40, end))
        return;
    const uint8_t* h = d_ + off;
    if ((h[0] >> 4) != 6) {
        mark(DecodedPacket::Malformed, "IPv6 header with another version");
        return;
    }
    IpAddress src = IpAddress::v6(h + 8), dst = IpAddress::v6(h + 24);
    if (!(out_.flags & DecodedPacket::HasIp)) {
        out_.flags |= DecodedPacket::HasIp;
        out_.ip_src = src;
        out_.ip_dst = dst;
        out_.ip_offset = uint32_t(off);
    }
    uint16_t plen = load_be16(h + 4);
    size_t e = plen == 0 ? end : claim(off + 40, plen, end); // 0: jumbogram or offload
    uint8_t next = h[6];
    size_t p = off + 40;
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
            if (!fits(p, 8, e))
                return;
            next = d_[p];
            p += (size_t(d_[p + 1]) + 1) * 8;
            continue;
        case 44: // fragment
            if (!fits(p, 8, e))
                return;
            next = d_[p];
            later_fragment = (load_be16(d_ + p + 2) & 0xFFF8) != 0;
            p += 8;
            continue;
        default:
            break;
        }
        break;
    }
    if (p > e) {
        fits(p, 0, e);
        return;
    }
    if (later_fragment)
        out_.flags |= DecodedPacket::Fragment;
    ip_payload(next, p, e, later_fragment, src, dst);
}

void Decoder::ip_payload(uint8_t proto, size_t off, size_t end, bool fragment, const IpAddress& src,
                         const IpAddress& dst)
{
    if (fragment)
        return; // only the first fragment holds the next header
    switch (proto) {
    case 1:
        if (push(Proto::Icmp))
            fits(off, 4, end);
        return;
    case 2: push(Proto::Igmp); return;
    case 4: ipv4(off, end); return;
    case 6: tcp(off, end, src, dst); return;
    case 17: udp(off, end, src, dst); return;
    case 41: ipv6(off, end); return;
    case 47: gre(off, end); return;
    case 50:
        out_.flags |= DecodedPacket::Encrypted;
        push(Proto::Esp);
        return;
    case 51: {
        if (!push(Proto::Ah) || !fits(off, 8, end))
            return;
        size_t len = (size_t(d_[off + 1]) + 2) * 4;
        if (!fits(off, len, end))
            return;
        ip_payload(d_[off], off + len, end, false, src, dst);
        return;
    }
    case 58:
        if (push(Proto::Icmpv6))
            fits(off, 4, end);
        return;
    case 89: push(Proto::Ospf); return;
    case 103: push(Proto::Pim); return;
    case 112: push(Proto::Vrrp); return;
    case 132:
        if (push(Proto::Sctp))
            fits(off, 12, end);
        return;
    default: return;
    }
}

bool starts_with(const uint8_t* p, size_t n, const char* s)
{
    size_t l = std::strlen(s);
    return n >= l && std::memcmp(p, s, l) == 0;
}

bool looks_like_http(const uint8_t* p, size_t n)
{
    static const char* const kStarts[] = {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
                                          "CONNECT ", "PATCH ", "TRACE ", "HTTP/1."};
    for (const char* s : kStarts)
        if (starts_with(p, n, s))
            return true;
    return false;
}

bool looks_like_tls(const uint8_t* p, size_t n)
{
    // A TLS record: content type 20..23, version 3.0..3.4.
    return n >= 5 && p[0] >= 20 && p[0] <= 23 && p[1] == 3 && p[2] <= 4;
}

void Decoder::tcp(size_t off, size_t end, const IpAddress& src, const IpAddress& dst)
{
    if (!push(Proto::Tcp) || !fits(off, 20, end))
        return;
    uint16_t sp = load_be16(d_ + off), dp = load_be16(d_ + off + 2);
    set_ports(Proto::Tcp, src, dst, sp, dp);
    size_t doff = size_t(d_[off + 12] >> 4) * 4;
    if (doff < 20) {
        mark(DecodedPacket::Malformed, "TCP header length below 20");
        return;
    }
    if (!fits(off, doff, end))
        return;
    size_t p = off + doff;
    if (p >= end)
        return;
    const uint8_t* pl = d_ + p;
    size_t n = end - p;
    if (looks_like_tls(pl, n)) {
        set_app(Proto::Tls, p, end);
        return;
    }
    if (looks_like_http(pl, n)) {
        set_app(Proto::Http, p, end);
        return;
    }
    if (starts_with(pl, n, "SSH-")) {
        set_app(Proto::Ssh, p, end);
        return;
    }
    // Like Wireshark, try the lower port first.
    uint16_t lo = std::min(sp, dp), hi = std::max(sp, dp);
    Proto a = proto_for_port(lo, true);
    if (a == Proto::None)
        a = proto_for_port(hi, true);
    if (a == Proto::None)
        a = Proto::Data;
    set_app(a, p, end);
}

void Decoder::udp(size_t off, size_t end, const IpAddress& src, const IpAddress& dst)
{
    if (!push(Proto::Udp) || !fits(off, 8, end))
        return;
    uint16_t sp = load_be16(d_ + off), dp = load_be16(d_ + off + 2);
    set_ports(Proto::Udp, src, dst, sp, dp);
    uint16_t len = load_be16(d_ + off + 4);
    size_t e = end;
    if (len != 0) { // 0 in IPv6 jumbograms
        if (len < 8) {
            mark(DecodedPacket::Malformed, "UDP length below 8");
            return;
        }
        e = claim(off, len, end);
    }
    size_t p = off + 8;
    if (p >= e)
        return;
    const uint8_t* pl = d_ + p;
    size_t n = e - p;
    auto is = [&](uint16_t port) { return sp == port || dp == port; };
    if (is(4789)) { // VXLAN: the inner frame shows in the path
        push(Proto::Vxlan);
        if (fits(p, 8, e))
            ethernet(p + 8, e);
        return;
    }
    if (is(443) || is(8443)) {
        // QUIC long header (RFC 9000 17.2): form bit and fixed bit set, or a
        // short header with the fixed bit.
        if (n >= 1 && (pl[0] & 0x40)) {
            set_app(Proto::Quic, p, e);
            return;
        }
    }
    uint16_t lo = std::min(sp, dp), hi = std::max(sp, dp);
    Proto a = proto_for_port(lo, false);
    if (a == Proto::None || a == Proto::Quic)
        a = proto_for_port(hi, false);
    if (a == Proto::None || a == Proto::Quic)
        a = Proto::Data;
    set_app(a, p, e);
}

void Decoder::gre(size_t off, size_t end)
{
    if (!push(Proto::Gre) || !fits(off, 4, end))
        return;
    uint16_t flags = load_be16(d_ + off);
    uint16_t proto = load_be16(d_ + off + 2);
    size_t hlen = 4;
    int version = flags & 7;
    if (flags & 0x8000)
        hlen += 4; // checksum + reserved (or offset)
    if (version == 1)
        hlen += 4; // enhanced GRE (PPTP): payload length + call id
    else if (flags & 0x2000)
        hlen += 4; // key
    if (flags & 0x1000)
        hlen += 4; // sequence
    if (version == 1 && (flags & 0x0080))
        hlen += 4; // acknowledgment
    if (flags & 0x4000) {
        // Source routing (RFC 1701): not in use, not decoded further.
        return;
    }
    if (!fits(off, hlen, end))
        return;
    ethertype(proto, off + hlen, end);
}

} // namespace

bool link_type_supported(uint32_t lt)
{
    switch (lt) {
    case kLinkNull:
    case kLinkEthernet:
    case kLinkPpp:
    case kLinkRawOpenBsd:
    case kLinkRawBsdOs:
    case kLinkPppHdlc:
    case kLinkPppEther:
    case kLinkRaw:
    case kLinkCiscoHdlc:
    case kLinkIeee80211:
    case kLinkLoop:
    case kLinkSll:
    case kLinkRadiotap:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkSll2: return true;
    default: return false;
    }
}

void decode_packet(uint32_t link_type, Bytes data, uint32_t origlen, DecodedPacket& out)
{
    out = DecodedPacket{};
    Decoder(data, origlen, out).link(link_type);
}

} // namespace underhood
