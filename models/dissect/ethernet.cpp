// Ethernet II and IEEE 802.3, 802.1Q/802.1ad VLAN tags, IEEE 802.2 LLC/SNAP,
// MPLS label stacks, ERSPAN, and the EtherType table every link layer hands
// on to.
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
    kEth, kEthDst, kEthSrc, kEthType, kEthAddr, kEthLen, kEthDstLg, kEthDstIg, kEthSrcLg, kEthSrcIg,
    kVlan, kVlanPri, kVlanId, kVlanEtype, kVlanDei, kVlanLen,
    kQinq, kQinqPri, kQinqId, kQinqEtype, kQinqDei,
    kLlc, kLlcDsap, kLlcSsap, kLlcControl, kLlcOui, kLlcPid, kLlcType,
    kMpls, kMplsLabel, kMplsExp, kMplsBottom, kMplsTtl, kPwCw, kPwCwSeq,
    kErspan, kErspanVersion, kErspanVlan, kErspanSpan,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"eth", "Ethernet II", FieldType::Protocol},
    {"eth.dst", "Destination", FieldType::Ether},
    {"eth.src", "Source", FieldType::Ether},
    {"eth.type", "Type", FieldType::Uint, Base::Hex, 4},
    {"eth.addr", "Address", FieldType::Ether, Base::Dec, 0, "eth.dst", "eth.src"},
    {"eth.len", "Length", FieldType::Uint},
    {"eth.dst.lg", "LG bit", FieldType::Bool},
    {"eth.dst.ig", "IG bit", FieldType::Bool},
    {"eth.src.lg", "LG bit", FieldType::Bool},
    {"eth.src.ig", "IG bit", FieldType::Bool},
    // The same order of fields for both tags: tag() picks them by offset.
    {"vlan", "802.1Q Virtual LAN", FieldType::Protocol},
    {"vlan.priority", "Priority", FieldType::Uint},
    {"vlan.id", "ID", FieldType::Uint},
    {"vlan.etype", "Type", FieldType::Uint, Base::Hex, 4},
    {"vlan.dei", "DEI", FieldType::Uint},
    {"vlan.len", "Length", FieldType::Uint},
    // 802.1ad service tags have fields of their own in Wireshark.
    {"ieee8021ad", "IEEE 802.1ad", FieldType::Protocol},
    {"ieee8021ad.priority", "Priority", FieldType::Uint},
    {"ieee8021ad.id", "ID", FieldType::Uint},
    {"ieee8021ad.etype", "Type", FieldType::Uint, Base::Hex, 4},
    {"ieee8021ad.dei", "DEI", FieldType::Uint},
    {"llc", "Logical-Link Control", FieldType::Protocol},
    {"llc.dsap", "DSAP", FieldType::Uint, Base::Hex, 2},
    {"llc.ssap", "SSAP", FieldType::Uint, Base::Hex, 2},
    {"llc.control", "Control field", FieldType::Uint, Base::Hex, 2},
    {"llc.oui", "Organization Code", FieldType::Uint, Base::Hex, 6},
    {"llc.pid", "PID", FieldType::Uint, Base::Hex, 4},
    {"llc.type", "Type", FieldType::Uint, Base::Hex, 4},
    {"mpls", "MultiProtocol Label Switching Header", FieldType::Protocol},
    {"mpls.label", "MPLS Label", FieldType::Uint},
    {"mpls.exp", "MPLS Experimental Bits", FieldType::Uint},
    {"mpls.bottom", "MPLS Bottom Of Label Stack", FieldType::Uint},
    {"mpls.ttl", "MPLS TTL", FieldType::Uint},
    {"pwethcw", "PW Ethernet Control Word", FieldType::Protocol},
    {"pwethcw.sequence_number", "Sequence Number", FieldType::Uint},
    {"erspan", "Encapsulated Remote Switch Packet ANalysis", FieldType::Protocol},
    {"erspan.version", "Version", FieldType::Uint},
    {"erspan.vlan", "Vlan", FieldType::Uint},
    {"erspan.spanid", "SessionID", FieldType::Uint},
};
FieldId f0 = 0;

void mpls(Tvb t, Packet& p)
{
    if (!p.push(Proto::Mpls))
        return;
    size_t at = 0;
    // Each label stack entry is a layer of its own, as Wireshark shows them.
    for (int labels = 0;; ++labels) {
        const size_t item = layer_at(p, f0 + kMpls, t.rest(at), 4, {});
        if (!t.need(at, 4, "MPLS label"))
            return;
        const uint32_t entry = t.be32(at);
        const uint32_t label = entry >> 12;
        if (p.want_tree()) {
            const size_t o = t.begin() + at;
            p.relabel(item, strf("MultiProtocol Label Switching Header, Label: %u, Exp: %u, S: %u, TTL: %u", label,
                           (entry >> 9) & 7, (entry >> 8) & 1, entry & 0xFF));
            p.add_bits(f0 + kMplsLabel, o, 4, label,
                       bit_label(entry, 32, 0xFFFFF000, strf("MPLS Label: %u (0x%05x)", label, label)));
            p.add_bits(f0 + kMplsExp, o, 4, (entry >> 9) & 7,
                       bit_label(entry, 32, 0x00000E00, strf("MPLS Experimental Bits: %u", (entry >> 9) & 7)));
            p.add_bits(f0 + kMplsBottom, o, 4, (entry >> 8) & 1,
                       bit_label(entry, 32, 0x00000100, strf("MPLS Bottom Of Label Stack: %u", (entry >> 8) & 1)));
            p.add_bits(f0 + kMplsTtl, o, 4, entry & 0xFF,
                       bit_label(entry, 32, 0x000000FF, strf("MPLS TTL: %u", entry & 0xFF)));
        }
        if (Columns* c = p.col())
            c->protocol = "MPLS";
        at += 4;
        if (entry & 0x100)
            break; // bottom of stack
        if (labels > 32) {
            p.mark(DecodedPacket::Malformed, "MPLS label stack without bottom", t.begin() + at);
            return;
        }
    }
    if (!t.need(at, 1, "MPLS payload"))
        return;
    // MPLS does not say what it carries; guess from the first nibble as
    // Wireshark and tcpdump do.
    switch (t.u8(at) >> 4) {
    case 4: dissect_ipv4(t.rest(at), p); break;
    case 6: dissect_ipv6(t.rest(at), p); break;
    case 0:
        // Pseudowire control word, then an Ethernet frame.
        layer_at(p, f0 + kPwCw, t.rest(at), 4, {});
        if (!t.need(at, 4, "pseudowire control word"))
            return;
        p.add_uint(f0 + kPwCwSeq, t.begin() + at + 2, 2, t.be16(at + 2));
        dissect_ethernet(t.rest(at + 4), p);
        break;
    default: dissect_data(t.rest(at), p); break;
    }
}

void tag(Tvb t, Packet& p, uint16_t tpid)
{
    if (!p.push(Proto::Vlan))
        return;
    // 0x9100 tags take the 802.1Q fields, as in Wireshark, under the 802.1ad name.
    const bool service = tpid == kEtherQinQ;
    const FieldId base = f0 + (service ? kQinq : kVlan);
    const char* name = tpid == kEtherVlan ? "802.1Q Virtual LAN" : "802.1ad Provider Bridge (Q-in-Q)";
    const size_t item = layer_at(p, base, t, 4, p.want_tree() ? name : std::string());
    if (!t.need(0, 4, "802.1Q tag"))
        return;
    const uint16_t tci = t.be16(0), inner = t.be16(2);
    if (p.want_tree()) {
        static const char* const kPriorities[] = {"Best Effort (default)",
                                                  "Background",
                                                  "Excellent Effort",
                                                  "Critical Applications",
                                                  "Video, < 100ms latency and jitter",
                                                  "Voice, < 10ms latency and jitter",
                                                  "Internetwork Control",
                                                  "Network Control"};
        const size_t o = t.begin();
        p.relabel(item, strf("%s, PRI: %u, DEI: %u, ID: %u", name, tci >> 13, (tci >> 12) & 1, tci & 0x0FFF));
        p.add_bits(base + (kVlanPri - kVlan), o, 2, tci >> 13,
                   bit_label(tci, 16, 0xE000, strf("Priority: %s (%u)", kPriorities[tci >> 13], tci >> 13)));
        p.add_bits(base + (kVlanDei - kVlan), o, 2, (tci >> 12) & 1,
                   bit_label(tci, 16, 0x1000, (tci & 0x1000) ? "DEI: Eligible" : "DEI: Ineligible"));
        p.add_bits(base + (kVlanId - kVlan), o, 2, tci & 0x0FFF,
                   bit_label(tci, 16, 0x0FFF, strf("ID: %u", tci & 0x0FFF)));
        if (inner <= 1500)
            p.add_uint(f0 + kVlanLen, o + 2, 2, inner);
        else
            p.add_uint(base + (kVlanEtype - kVlan), o + 2, 2, inner,
                       strf("Type: %s (0x%04x)", ethertype_name(inner), inner));
    }
    if (Columns* c = p.col())
        c->protocol = "802.1Q";
    if (inner <= 1500) {
        dissect_llc(t.sub(4, inner, "802.3 payload"), p);
        return;
    }
    dissect_ethertype(inner, t.rest(4), p);
}

void vlan(Tvb t, Packet& p) { tag(t, p, kEtherVlan); }
void qinq_old(Tvb t, Packet& p) { tag(t, p, kEtherQinQOld); }
void qinq(Tvb t, Packet& p) { tag(t, p, kEtherQinQ); }

void erspan(Tvb t, Packet& p, bool type3)
{
    const size_t hlen = type3 ? 12 : 8;
    layer_at(p, f0 + kErspan, t, hlen,
             !p.want_tree() ? std::string()
             : type3        ? "Encapsulated Remote Switch Packet ANalysis Type III"
                            : "Encapsulated Remote Switch Packet ANalysis Type II");
    if (!t.need(0, hlen, "ERSPAN header"))
        return;
    if (p.want_tree()) {
        const size_t o = t.begin();
        p.add_uint(f0 + kErspanVersion, o, 2, t.u8(0) >> 4);
        p.add_uint(f0 + kErspanVlan, o, 2, t.be16(0) & 0x0FFF);
        p.add_uint(f0 + kErspanSpan, o + 2, 2, t.be16(2) & 0x03FF);
    }
    if (Columns* c = p.col())
        c->protocol = "ERSPAN";
    dissect_ethernet(t.rest(hlen), p);
}

void erspan2(Tvb t, Packet& p) { erspan(t, p, false); }
void erspan3(Tvb t, Packet& p) { erspan(t, p, true); }

void ppp_session(Tvb t, Packet& p) { dissect_pppoe(t, p, true); }
void ppp_discovery(Tvb t, Packet& p) { dissect_pppoe(t, p, false); }
void ppp_over_ether(Tvb t, Packet& p) { dissect_ppp(t, p, false); }

const char* sap_name(uint8_t sap)
{
    switch (sap & 0xFE) {
    case 0xAA: return "SNAP";
    case 0x42: return "Spanning Tree BPDU";
    case 0x06: return "TCP/IP";
    case 0xE0: return "NetWare";
    case 0xF0: return "NetBIOS";
    case 0x00: return "NULL LSAP";
    default: return "Unknown";
    }
}

} // namespace

const char* ethertype_name(uint16_t t)
{
    switch (t) {
    case kEtherIpv4: return "IPv4";
    case kEtherArp: return "ARP";
    case 0x8035: return "RARP";
    case 0x2001: return "NHRP";
    case kEtherTeb: return "Transparent Ethernet bridging";
    case kEtherVlan: return "802.1Q Virtual LAN";
    case kEtherIpv6: return "IPv6";
    case kEtherPppDisc: return "PPPoE Discovery";
    case kEtherPppSess: return "PPPoE Session";
    case kEtherMpls: return "MPLS label switched packet";
    case kEtherMplsMc: return "MPLS multicast label switched packet";
    case kEtherQinQ: return "802.1ad Provider Bridge (Q-in-Q)";
    case kEtherErspan2: return "ERSPAN";
    case kEtherErspan3: return "ERSPAN Type III";
    case kEtherLldp: return "802.1 Link Layer Discovery Protocol (LLDP)";
    case kEtherQinQOld: return "QinQ: old non-standard 802.1ad";
    case kEtherPpp: return "PPP";
    case kEtherMacsec: return "802.1AE (MACsec)";
    case kEtherWccp: return "WCCP";
    case kEtherCiscoMetadata: return "CiscoMetaData";
    case kEtherNsh: return "Network Service Header";
    case kEtherArista: return "Arista Vendor Specific Protocol";
    case 0x888E: return "802.1X Authentication";
    case 0x88F7: return "PTPv2 over Ethernet (IEEE1588)";
    case 0x8809: return "Slow Protocols";
    case 0x9000: return "Loopback";
    default: return "Unknown";
    }
}

void dissect_ethertype(uint16_t type, Tvb t, Packet& p)
{
    if (Dissector d = find_ethertype(type))
        d(t, p);
    else
        dissect_data(t, p);
}

void dissect_ethernet(Tvb t, Packet& p)
{
    if (!p.push(Proto::Eth))
        return;
    const size_t item = layer_at(p, f0 + kEth, t, 14, {});
    if (!t.need(0, 14, "Ethernet header"))
        return;
    const uint8_t* h = t.bytes(0, 14);
    p.set_mac(h, h + 6);
    const uint16_t type = load_be16(h + 12);
    if (p.want_tree()) {
        const MacAddress dst = mac_at(h), src = mac_at(h + 6);
        p.relabel(item, (type <= 1500 ? "IEEE 802.3 Ethernet, Src: " : "Ethernet II, Src: ") + src.to_string() +
                            ", Dst: " + dst.to_string());
        for (int which = 0; which < 2; ++which) {
            const size_t o = t.begin() + 6 * size_t(which);
            p.add_mac(f0 + (which ? kEthSrc : kEthDst), o, 6, which ? src : dst);
            Packet::Subtree sub(p);
            const uint32_t oui = load_be24(h + 6 * which);
            p.add_bits(f0 + (which ? kEthSrcLg : kEthDstLg), o, 3, (oui >> 17) & 1,
                       bit_label(oui, 24, 0x020000,
                                 (oui & 0x020000)
                                     ? "LG bit: Locally administered address (this is NOT the factory default)"
                                     : "LG bit: Globally unique address (factory default)"));
            p.add_bits(f0 + (which ? kEthSrcIg : kEthDstIg), o, 3, (oui >> 16) & 1,
                       bit_label(oui, 24, 0x010000,
                                 (oui & 0x010000) ? "IG bit: Group address (multicast/broadcast)"
                                                  : "IG bit: Individual address (unicast)"));
        }
        if (type <= 1500)
            p.add_uint(f0 + kEthLen, t.begin() + 12, 2, type);
        else
            p.add_uint(f0 + kEthType, t.begin() + 12, 2, type, strf("Type: %s (0x%04x)", ethertype_name(type), type));
    }
    if (Columns* c = p.col()) {
        c->source = mac_column(h + 6);
        c->destination = mac_column(h);
        c->protocol = "Ethernet";
        c->info = strf("Ethernet II, type %s (0x%04x)", ethertype_name(type), type);
    }
    if (type <= 1500) {
        // IEEE 802.3 length field: the frame may be padded beyond it.
        dissect_llc(t.sub(14, type, "802.3 payload"), p);
        return;
    }
    dissect_ethertype(type, t.rest(14), p);
}

void dissect_llc(Tvb t, Packet& p)
{
    if (!t.has(0, 3)) {
        layer_at(p, f0 + kLlc, t, 3, {});
        t.need(0, 3, "LLC header");
        return;
    }
    const uint8_t dsap = t.u8(0), ssap = t.u8(1), control = t.u8(2);
    if (!p.push(Proto::Llc))
        return;
    const size_t item = layer_at(p, f0 + kLlc, t, 3, {});
    if (p.want_tree()) {
        const size_t o = t.begin();
        p.add_uint(f0 + kLlcDsap, o, 1, dsap, strf("DSAP: %s (0x%02x)", sap_name(dsap), dsap));
        p.add_uint(f0 + kLlcSsap, o + 1, 1, ssap, strf("SSAP: %s (0x%02x)", sap_name(ssap), ssap));
        p.add_uint(f0 + kLlcControl, o + 2, 1, control);
    }
    if (Columns* c = p.col()) {
        c->protocol = "LLC";
        const char* format = (control & 3) == 3 ? "U" : (control & 1) ? "S" : "I"; // ISO/IEC 8802-2 5.4
        c->info = strf("%s, func=0x%02x; DSAP %s, SSAP %s", format, control, sap_name(dsap), sap_name(ssap));
    }
    if (dsap == 0xAA && ssap == 0xAA) {
        p.cover(item, t.begin(), t.begin() + 8);
        if (!t.need(0, 8, "SNAP header"))
            return;
        const uint32_t oui = t.be24(3);
        const uint16_t type = t.be16(6);
        if (p.want_tree()) {
            const uint8_t* o = t.bytes(3, 3);
            p.add_uint(f0 + kLlcOui, t.begin() + 3, 3, oui, strf("Organization Code: %02x:%02x:%02x", o[0], o[1], o[2]));
        }
        if (oui == 0x00000C && type == 0x2000) {
            p.add_uint(f0 + kLlcPid, t.begin() + 6, 2, type, p.want_tree() ? "PID: CDP (0x2000)" : std::string());
            dissect_cdp(t.rest(8), p);
            return;
        }
        if (p.want_tree())
            p.add_uint(f0 + kLlcType, t.begin() + 6, 2, type, strf("Type: %s (0x%04x)", ethertype_name(type), type));
        if (oui == 0 || oui == 0x0000F8)
            dissect_ethertype(type, t.rest(8), p);
        else
            dissect_data(t.rest(8), p);
        return;
    }
    if (dsap == 0x42 && ssap == 0x42) {
        dissect_stp(t.rest(3), p);
        return;
    }
    dissect_data(t.rest(3), p);
}

void register_ethernet()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(kEtherVlan, vlan);
    add_ethertype(kEtherQinQOld, qinq_old);
    add_ethertype(kEtherQinQ, qinq);
    add_ethertype(kEtherMpls, mpls);
    add_ethertype(kEtherMplsMc, mpls);
    add_ethertype(kEtherTeb, dissect_ethernet);
    add_ethertype(kEtherErspan2, erspan2);
    add_ethertype(kEtherErspan3, erspan3);
    add_ethertype(kEtherPppDisc, ppp_discovery);
    add_ethertype(kEtherPppSess, ppp_session);
    add_ethertype(kEtherPpp, ppp_over_ether);
}

void dissect_mpls(Tvb t, Packet& p) { mpls(t, p); }

} // namespace underhood::dissect
