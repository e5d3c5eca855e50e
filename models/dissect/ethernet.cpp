// Ethernet II and IEEE 802.3, 802.1Q/802.1ad VLAN tags, IEEE 802.2 LLC/SNAP,
// MPLS label stacks, and the EtherType table every link layer hands on to.
#include "dissect/registry.h"
#include "wire_constants.h"

#include <string>

namespace underhood::dissect {
namespace {

using namespace wire;

enum { kEth, kEthDst, kEthSrc, kEthType, kEthAddr, kEthLen, kVlan, kVlanPri, kVlanId, kVlanEtype, kLlc, kMpls,
       kMplsLabel, kQinq, kQinqPri, kQinqId, kQinqEtype, kCount };
constexpr FieldInfo kFields[] = {
    {"eth", "Ethernet II", FieldType::Protocol},
    {"eth.dst", "Destination", FieldType::Ether},
    {"eth.src", "Source", FieldType::Ether},
    {"eth.type", "Type", FieldType::Uint, Base::Hex, 4},
    {"eth.addr", "Address", FieldType::Ether, Base::Dec, 0, "eth.dst", "eth.src"},
    {"eth.len", "Length", FieldType::Uint},
    {"vlan", "802.1Q Virtual LAN", FieldType::Protocol},
    {"vlan.priority", "Priority", FieldType::Uint},
    {"vlan.id", "ID", FieldType::Uint},
    {"vlan.etype", "Type", FieldType::Uint, Base::Hex, 4},
    {"llc", "Logical-Link Control", FieldType::Protocol},
    {"mpls", "MultiProtocol Label Switching Header", FieldType::Protocol},
    {"mpls.label", "MPLS Label", FieldType::Uint},
    // 802.1ad service tags have fields of their own in Wireshark.
    {"ieee8021ad", "IEEE 802.1ad", FieldType::Protocol},
    {"ieee8021ad.priority", "Priority", FieldType::Uint},
    {"ieee8021ad.id", "ID", FieldType::Uint},
    {"ieee8021ad.etype", "Type", FieldType::Uint, Base::Hex, 4},
};
FieldId f0 = 0;

MacAddress mac_at(const uint8_t* p)
{
    MacAddress m;
    std::copy(p, p + 6, m.bytes.begin());
    return m;
}

void mpls(Tvb t, Packet& p)
{
    if (!p.push(Proto::Mpls))
        return;
    p.layer(f0 + kMpls, t, {});
    size_t at = 0;
    for (int labels = 0;; ++labels) {
        if (!t.need(at, 4))
            return;
        const uint32_t entry = t.be32(at);
        p.add_uint(f0 + kMplsLabel, t.begin() + at, 4, entry >> 12);
        at += 4;
        if (entry & 0x100)
            break; // bottom of stack
        if (labels > 32) {
            p.mark(DecodedPacket::Malformed, "MPLS label stack without bottom", t.begin() + at);
            return;
        }
    }
    if (!t.need(at, 1))
        return;
    // MPLS does not say what it carries; guess from the first nibble as
    // Wireshark and tcpdump do.
    switch (t.u8(at) >> 4) {
    case 4: dissect_ipv4(t.rest(at), p); break;
    case 6: dissect_ipv6(t.rest(at), p); break;
    case 0:
        // Pseudowire control word, then an Ethernet frame.
        if (t.need(at, 4))
            dissect_ethernet(t.rest(at + 4), p);
        break;
    default: break;
    }
}

void tag(Tvb t, Packet& p, bool service)
{
    if (!p.push(Proto::Vlan) || !t.need(0, 4))
        return;
    const uint16_t tci = t.be16(0), inner = t.be16(2);
    if (p.want_tree()) {
        const FieldId base = f0 + (service ? kQinq : kVlan);
        p.layer(base, t.sub(0, 4),
                std::string(service ? "IEEE 802.1ad, PRI: " : "802.1Q Virtual LAN, PRI: ") + std::to_string(tci >> 13) +
                    ", DEI: " + std::to_string((tci >> 12) & 1) + ", ID: " + std::to_string(tci & 0xFFF));
        p.add_uint(base + 1, t.begin(), 2, tci >> 13);
        p.add_uint(base + 2, t.begin(), 2, tci & 0xFFF);
        p.add_uint(base + 3, t.begin() + 2, 2, inner);
    }
    if (inner <= 1500) {
        dissect_llc(t.sub(4, inner), p);
        return;
    }
    dissect_ethertype(inner, t.rest(4), p);
}

void vlan(Tvb t, Packet& p) { tag(t, p, false); }
void qinq(Tvb t, Packet& p) { tag(t, p, true); }

void erspan2(Tvb t, Packet& p)
{
    if (t.need(0, 8))
        dissect_ethernet(t.rest(8), p);
}

void erspan3(Tvb t, Packet& p)
{
    if (t.need(0, 12))
        dissect_ethernet(t.rest(12), p);
}

void lldp(Tvb, Packet& p) { p.push(Proto::Lldp); }
void ppp_session(Tvb t, Packet& p) { dissect_pppoe(t, p, true); }
void ppp_discovery(Tvb t, Packet& p) { dissect_pppoe(t, p, false); }
void ppp_over_ether(Tvb t, Packet& p) { dissect_ppp(t, p, false); }

} // namespace

void dissect_ethertype(uint16_t type, Tvb t, Packet& p)
{
    if (Dissector d = find_ethertype(type))
        d(t, p);
}

void dissect_ethernet(Tvb t, Packet& p)
{
    if (!p.push(Proto::Eth) || !t.need(0, 14))
        return;
    const uint8_t* h = t.bytes(0, 14);
    p.set_mac(h, h + 6);
    const uint16_t type = load_be16(h + 12);
    if (p.want_tree()) {
        const MacAddress dst = mac_at(h), src = mac_at(h + 6);
        p.layer(f0 + kEth, t.sub(0, 14),
                (type <= 1500 ? "IEEE 802.3 Ethernet, Src: " : "Ethernet II, Src: ") + src.to_string() +
                    ", Dst: " + dst.to_string());
        p.add_mac(f0 + kEthDst, t.begin(), 6, dst);
        p.add_mac(f0 + kEthSrc, t.begin() + 6, 6, src);
        if (type <= 1500)
            p.add_uint(f0 + kEthLen, t.begin() + 12, 2, type);
        else
            p.add_uint(f0 + kEthType, t.begin() + 12, 2, type);
    }
    if (type <= 1500) {
        // IEEE 802.3 length field: the frame may be padded beyond it.
        dissect_llc(t.sub(14, type), p);
        return;
    }
    dissect_ethertype(type, t.rest(14), p);
}

void dissect_llc(Tvb t, Packet& p)
{
    if (!t.need(0, 3))
        return;
    const uint8_t dsap = t.u8(0), ssap = t.u8(1);
    if (dsap == 0xAA && ssap == 0xAA) {
        if (!p.push(Proto::Llc) || !t.need(0, 8))
            return;
        p.layer(f0 + kLlc, t.sub(0, 8), {});
        const uint32_t oui = t.be24(3);
        const uint16_t type = t.be16(6);
        if (oui == 0x00000C && type == 0x2000) {
            p.push(Proto::Cdp);
            return;
        }
        if (oui == 0 || oui == 0x0000F8)
            dissect_ethertype(type, t.rest(8), p);
        return;
    }
    if (!p.push(Proto::Llc))
        return;
    p.layer(f0 + kLlc, t.sub(0, 3), {});
    if (dsap == 0x42 && ssap == 0x42)
        p.push(Proto::Stp);
}

void register_ethernet()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(kEtherVlan, vlan);
    add_ethertype(kEtherQinQOld, vlan);
    add_ethertype(kEtherQinQ, qinq);
    add_ethertype(kEtherMpls, mpls);
    add_ethertype(kEtherMplsMc, mpls);
    add_ethertype(kEtherTeb, dissect_ethernet);
    add_ethertype(kEtherErspan2, erspan2);
    add_ethertype(kEtherErspan3, erspan3);
    add_ethertype(kEtherLldp, lldp);
    add_ethertype(kEtherPppDisc, ppp_discovery);
    add_ethertype(kEtherPppSess, ppp_session);
    add_ethertype(kEtherPpp, ppp_over_ether);
}

void dissect_mpls(Tvb t, Packet& p) { mpls(t, p); }

} // namespace underhood::dissect
