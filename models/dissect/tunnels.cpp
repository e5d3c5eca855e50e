// Headers that carry other frames: GRE, VXLAN, MACsec (802.1AE), NSH
// (RFC 8300) and Arista's timestamp header.
#include "dissect/registry.h"
#include "wire_constants.h"

namespace underhood::dissect {
namespace {

using namespace wire;

enum { kGre, kGreProto, kVxlan, kVxlanVni, kMacsec, kNsh, kGeneve, kGeneveVni, kGeneveProto, kCount };
constexpr FieldInfo kFields[] = {
    {"gre", "Generic Routing Encapsulation", FieldType::Protocol},
    {"gre.proto", "Protocol Type", FieldType::Uint, Base::Hex, 4},
    {"vxlan", "Virtual eXtensible Local Area Network", FieldType::Protocol},
    {"vxlan.vni", "VXLAN Network Identifier (VNI)", FieldType::Uint},
    {"macsec", "802.1AE Security tag", FieldType::Protocol},
    {"nsh", "Network Service Header", FieldType::Protocol},
    {"geneve", "Generic Network Virtualization Encapsulation", FieldType::Protocol},
    {"geneve.vni", "Virtual Network Identifier (VNI)", FieldType::Uint, Base::Hex, 6},
    {"geneve.proto_type", "Protocol Type", FieldType::Uint, Base::Hex, 4},
};
FieldId f0 = 0;

void macsec(Tvb t, Packet& p)
{
    if (!p.enter_shim() || !t.need(0, 6))
        return;
    const uint8_t tci = t.u8(0);
    const uint8_t short_len = t.u8(1) & 0x3F;
    if (tci & 0x80) {
        p.mark(DecodedPacket::Malformed, "MACsec SecTAG with version bit set", t.begin());
        return;
    }
    const size_t hlen = (tci & 0x20) ? 14 : 6; // SC bit: an explicit SCI follows the packet number
    p.layer(f0 + kMacsec, t.sub(0, std::min(hlen, t.length())), {});
    if (tci & 0x0C) { // E (encrypted) or C (changed text): nothing to read
        p.summary().flags |= DecodedPacket::Encrypted;
        return;
    }
    if (!t.need(0, hlen + 2))
        return;
    constexpr size_t kIcv = 16;
    Tvb secure = t.rest(hlen);
    if (short_len != 0) {
        // The short length counts the secure data after the SecTAG (EtherType included).
        secure = t.sub(hlen, short_len);
    } else {
        // The ICV closes the frame: stop before it when it was captured.
        const size_t end = t.end();
        const size_t wire_end = end == p.captured() ? p.captured() + p.missing() : end;
        const size_t from = t.begin() + hlen;
        const size_t e = wire_end >= from + kIcv ? std::min(end, wire_end - kIcv) : end;
        secure = t.rest(hlen).sub(0, e - from);
    }
    if (!secure.need(0, 2))
        return;
    dissect_ethertype(secure.be16(0), secure.rest(2), p);
}

void nsh(Tvb t, Packet& p)
{
    if (!p.enter_shim() || !t.need(0, 8))
        return;
    const size_t hlen = size_t(t.be16(0) & 0x3F) * 4;
    const uint8_t next = t.u8(3);
    if (hlen < 8) {
        p.mark(DecodedPacket::Malformed, "NSH length below its base header", t.begin());
        return;
    }
    if (!t.need(0, hlen))
        return;
    p.layer(f0 + kNsh, t.sub(0, hlen), {});
    Tvb inner = t.rest(hlen);
    switch (next) {
    case 1: dissect_ipv4(inner, p); return;
    case 2: dissect_ipv6(inner, p); return;
    case 3: dissect_ethernet(inner, p); return;
    case 4: nsh(inner, p); return;
    case 5: dissect_mpls(inner, p); return;
    default: return;
    }
}

void arista(Tvb t, Packet& p)
{
    if (!p.enter_shim() || !t.need(0, 4))
        return;
    const uint16_t subtype = t.be16(0), version = t.be16(2);
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
    if (!t.need(0, 4 + ts + 2))
        return;
    dissect_ethertype(t.be16(4 + ts), t.rest(4 + ts + 2), p);
}

void gre(Tvb t, Packet& p)
{
    if (!p.push(Proto::Gre) || !t.need(0, 4))
        return;
    const uint16_t flags = t.be16(0), proto = t.be16(2);
    size_t hlen = 4;
    const int version = flags & 7;
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
    p.layer(f0 + kGre, t.sub(0, std::min(hlen, t.length())), {});
    p.add_uint(f0 + kGreProto, t.begin() + 2, 2, proto);
    if (flags & 0x4000)
        return; // source routing (RFC 1701): not in use, not decoded further
    if (!t.need(0, hlen))
        return;
    dissect_ethertype(proto, t.rest(hlen), p);
}

// VXLAN on its UDP port: the inner frame shows in the path.
void vxlan(Tvb t, Packet& p)
{
    p.push(Proto::Vxlan);
    if (!t.need(0, 8))
        return;
    p.layer(f0 + kVxlan, t.sub(0, 8), {});
    p.add_uint(f0 + kVxlanVni, t.begin() + 4, 3, t.be24(4));
    dissect_ethernet(t.rest(8), p);
}

// Geneve (RFC 8926) on UDP 6081: options, then a frame of the EtherType given.
void geneve(Tvb t, Packet& p)
{
    p.push(Proto::Geneve);
    if (!t.need(0, 8))
        return;
    const size_t hlen = 8 + size_t(t.u8(0) & 0x3F) * 4;
    const uint16_t proto = t.be16(2);
    if (!t.need(0, hlen))
        return;
    p.layer(f0 + kGeneve, t.sub(0, hlen), {});
    p.add_uint(f0 + kGeneveVni, t.begin() + 4, 3, t.be24(4));
    p.add_uint(f0 + kGeneveProto, t.begin() + 2, 2, proto);
    if ((t.u8(0) >> 6) != 0)
        return; // an unknown version
    dissect_ethertype(proto, t.rest(hlen), p);
}

// Before the port protocols and QUIC: whatever the payload looks like.
bool vxlan_heuristic(Tvb t, Packet& p)
{
    if (p.sport != 4789 && p.dport != 4789)
        return false;
    vxlan(t, p);
    return true;
}

bool geneve_heuristic(Tvb t, Packet& p)
{
    if (p.sport != 6081 && p.dport != 6081)
        return false;
    geneve(t, p);
    return true;
}

} // namespace

void register_tunnels()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(kEtherMacsec, macsec);
    add_ethertype(kEtherNsh, nsh);
    add_ethertype(kEtherArista, arista);
    add_ip_protocol(47, gre);
    add_udp_heuristic(vxlan_heuristic);
    add_udp_heuristic(geneve_heuristic);
}

} // namespace underhood::dissect
