// Headers that carry other frames: GRE, VXLAN, MACsec (802.1AE), NSH
// (RFC 8300) and Arista's timestamp header.
#include "dissect/labels.h"
#include "dissect/link_layers.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"
#include "wire_constants.h"

namespace underhood::dissect {
namespace {

using namespace wire;

enum {
    kGre, kGreProto, kVxlan, kVxlanVni, kMacsec, kNsh, kGeneve, kGeneveVni, kGeneveProto,
    kGreFlags, kGreChecksumBit, kGreRoutingBit, kGreKeyBit, kGreSeqBit, kGreAckBit, kGreVersion, kGreChecksum,
    kGreOffset, kGrePayloadLen, kGreCallId, kGreKey, kGreSeq, kGreAck,
    kVxlanFlags, kVxlanGpid, kVxlanReserved,
    kAvsp, kAvspSubtype, kAvspVersion, kAvsp64Sec, kAvsp64Ns, kAvsp48Sec, kAvsp48Ns, kAvspEtype,
    kCmd, kCmdType, kCmdVersion, kCmdLength, kCmdOptions, kCmdSgt,
    kCount
};
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
    {"gre.flags_and_version", "Flags and Version", FieldType::Uint, Base::Hex, 4},
    {"gre.flags.checksum", "Checksum Bit", FieldType::Bool},
    {"gre.flags.routing", "Routing Bit", FieldType::Bool},
    {"gre.flags.key", "Key Bit", FieldType::Bool},
    {"gre.flags.sequence_number", "Sequence Number Bit", FieldType::Bool},
    {"gre.flags.ack", "Acknowledgment", FieldType::Bool},
    {"gre.flags.version", "Version", FieldType::Uint},
    {"gre.checksum", "Checksum", FieldType::Uint, Base::Hex, 4},
    {"gre.offset", "Offset", FieldType::Uint},
    {"gre.payload_length", "Payload Length", FieldType::Uint},
    {"gre.call_id", "Call ID", FieldType::Uint},
    {"gre.key", "Key", FieldType::Uint, Base::Hex, 8},
    {"gre.sequence_number", "Sequence Number", FieldType::Uint},
    {"gre.ack_number", "Acknowledgment Number", FieldType::Uint},
    {"vxlan.flags", "Flags", FieldType::Uint, Base::Hex, 4},
    {"vxlan.gpid", "Group Policy ID", FieldType::Uint},
    {"vxlan.reserved_8", "Reserved", FieldType::Uint},
    {"avsp", "Arista Vendor Specific Protocol", FieldType::Protocol},
    {"avsp.subtype", "Subtype", FieldType::Uint, Base::Hex, 4},
    {"avsp.ts.ver", "Version", FieldType::Uint, Base::Hex, 4},
    {"avsp.ts.64.sec", "Seconds", FieldType::Uint},
    {"avsp.ts.64.ns", "Nanoseconds", FieldType::Uint},
    {"avsp.ts.48.sec", "Seconds", FieldType::Uint},
    {"avsp.ts.48.ns", "Nanoseconds", FieldType::Uint},
    {"avsp.etype", "Type", FieldType::Uint, Base::Hex, 4},
    {"cmd", "Cisco MetaData", FieldType::Protocol},
    {"cmd.type", "Type", FieldType::Uint, Base::Hex, 4},
    {"cmd.version", "Version", FieldType::Uint},
    {"cmd.length", "Length", FieldType::Uint},
    {"cmd.options", "Options", FieldType::Uint, Base::Hex, 4},
    {"cmd.sgt", "SGT", FieldType::Uint},
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
    if (!p.enter_shim())
        return;
    const size_t item = layer_at(p, f0 + kAvsp, t, 4, {});
    if (!t.need(0, 4, "Arista header"))
        return;
    const uint16_t subtype = t.be16(0), version = t.be16(2);
    p.add_uint(f0 + kAvspSubtype, t.begin(), 2, subtype);
    if (subtype != 1)
        return;
    p.add_uint(f0 + kAvspVersion, t.begin() + 2, 2, version);
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
    p.cover(item, t.begin(), t.begin() + 4 + ts + 2);
    if (!t.need(0, 4 + ts + 2, "Arista timestamp header"))
        return;
    const uint16_t type = t.be16(4 + ts);
    if (p.want_tree()) {
        const size_t o = t.begin();
        if (ts == 8) {
            p.add_uint(f0 + kAvsp64Sec, o + 4, 4, t.be32(4));
            p.add_uint(f0 + kAvsp64Ns, o + 8, 4, t.be32(8));
        } else {
            p.add_uint(f0 + kAvsp48Sec, o + 4, 2, t.be16(4));
            p.add_uint(f0 + kAvsp48Ns, o + 6, 4, t.be32(6));
        }
        p.add_uint(f0 + kAvspEtype, o + 4 + ts, 2, type, strf("Type: %s (0x%04x)", ethertype_name(type), type));
    }
    dissect_ethertype(type, t.rest(4 + ts + 2), p);
}

void gre(Tvb t, Packet& p)
{
    if (!p.push(Proto::Gre))
        return;
    const size_t item = layer_at(p, f0 + kGre, t, 4, {});
    if (!t.need(0, 4, "GRE header"))
        return;
    const uint16_t flags = t.be16(0), proto = t.be16(2);
    const int version = flags & 7;
    const size_t o = t.begin();
    if (p.want_tree()) {
        p.relabel(item, strf("Generic Routing Encapsulation (%s)", ethertype_name(proto)));
        p.add_uint(f0 + kGreFlags, o, 2, flags);
        Packet::Subtree sub(p);
        p.add_bits(f0 + kGreChecksumBit, o, 2, (flags >> 15) & 1, bit_flag(flags, 16, 0x8000, "Checksum Bit"));
        p.add_bits(f0 + kGreRoutingBit, o, 2, (flags >> 14) & 1, bit_flag(flags, 16, 0x4000, "Routing Bit"));
        p.add_bits(f0 + kGreKeyBit, o, 2, (flags >> 13) & 1, bit_flag(flags, 16, 0x2000, "Key Bit"));
        p.add_bits(f0 + kGreSeqBit, o, 2, (flags >> 12) & 1, bit_flag(flags, 16, 0x1000, "Sequence Number Bit"));
        if (version == 1)
            p.add_bits(f0 + kGreAckBit, o, 2, (flags >> 7) & 1, bit_flag(flags, 16, 0x0080, "Acknowledgment"));
        p.add_bits(f0 + kGreVersion, o, 2, version, bit_label(flags, 16, 0x0007, strf("Version: %d", version)));
    }
    if (p.want_tree())
        p.add_uint(f0 + kGreProto, o + 2, 2, proto, strf("Protocol Type: %s (0x%04x)", ethertype_name(proto), proto));
    if (Columns* c = p.col()) {
        c->protocol = "GRE";
        c->info = strf("Encapsulated %s (0x%04x)", ethertype_name(proto), proto);
    }
    size_t hlen = 4;
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
    p.cover(item, o, o + hlen);
    if (flags & 0x4000) {
        // Source routing (RFC 1701): not in use, not decoded further.
        p.add_note(0, 0, "[Source routing is not decoded]");
        return;
    }
    if (!t.need(0, hlen, "GRE header"))
        return;
    if (p.want_tree()) {
        size_t at = 4;
        if (flags & 0x8000) {
            p.add_uint(f0 + kGreChecksum, o + at, 2, t.be16(at));
            p.add_uint(f0 + kGreOffset, o + at + 2, 2, t.be16(at + 2));
            at += 4;
        }
        if (version == 1) {
            p.add_uint(f0 + kGrePayloadLen, o + at, 2, t.be16(at));
            p.add_uint(f0 + kGreCallId, o + at + 2, 2, t.be16(at + 2));
            at += 4;
        } else if (flags & 0x2000) {
            p.add_uint(f0 + kGreKey, o + at, 4, t.be32(at));
            at += 4;
        }
        if (flags & 0x1000) {
            p.add_uint(f0 + kGreSeq, o + at, 4, t.be32(at));
            at += 4;
        }
        if (version == 1 && (flags & 0x0080))
            p.add_uint(f0 + kGreAck, o + at, 4, t.be32(at));
    }
    Tvb inner = t.rest(hlen);
    switch (proto) {
    case kEtherWccp:
        // WCCP redirection: a 4-byte redirect header (WCCPv2) before the
        // IPv4 datagram, absent (WCCPv1) when the payload starts as one.
        if (inner.has(0, 1) && (inner.u8(0) >> 4) != 4) {
            if (!inner.need(0, 4, "WCCP redirect header"))
                return;
            inner = inner.rest(4);
        }
        dissect_ethertype(kEtherIpv4, inner, p);
        return;
    case kEtherCiscoMetadata: {
        // Cisco MetaData in GRE: the carried EtherType comes first, then
        // version, length, options and the security group tag.
        layer_at(p, f0 + kCmd, inner, 8, {});
        if (!inner.need(0, 8, "Cisco MetaData"))
            return;
        const uint16_t type = inner.be16(0);
        if (p.want_tree()) {
            const size_t b = inner.begin();
            p.add_uint(f0 + kCmdType, b, 2, type, strf("Type: %s (0x%04x)", ethertype_name(type), type));
            p.add_uint(f0 + kCmdVersion, b + 2, 1, inner.u8(2));
            p.add_uint(f0 + kCmdLength, b + 3, 1, inner.u8(3));
            p.add_uint(f0 + kCmdOptions, b + 4, 2, inner.be16(4));
            p.add_uint(f0 + kCmdSgt, b + 6, 2, inner.be16(6));
        }
        dissect_ethertype(type, inner.rest(8), p);
        return;
    }
    case kEtherErspan2:
        // ERSPAN Type I: no sequence number in GRE and no ERSPAN header,
        // the mirrored frame follows at once.
        if (version == 0 && !(flags & 0x1000)) {
            if (Columns* c = p.col())
                c->protocol = "ERSPAN";
            dissect_ethernet(inner, p);
            return;
        }
        break;
    default:
        break;
    }
    dissect_ethertype(proto, inner, p);
}

// VXLAN on its UDP port: the inner frame shows in the path.
void vxlan(Tvb t, Packet& p)
{
    p.push(Proto::Vxlan);
    layer_at(p, f0 + kVxlan, t, 8, {});
    if (!t.need(0, 8, "VXLAN header"))
        return;
    if (p.want_tree()) {
        const size_t o = t.begin();
        p.add_uint(f0 + kVxlanFlags, o, 2, t.be16(0));
        p.add_uint(f0 + kVxlanGpid, o + 2, 2, t.be16(2));
        p.add_uint(f0 + kVxlanVni, o + 4, 3, t.be24(4));
        p.add_uint(f0 + kVxlanReserved, o + 7, 1, t.u8(7));
    }
    if (Columns* c = p.col())
        c->protocol = "VXLAN";
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
