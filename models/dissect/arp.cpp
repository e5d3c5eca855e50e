// ARP (RFC 826); the sender's binding of its address to its MAC.
#include "dissect/names.h"
#include "dissect/registry.h"
#include "wire_constants.h"

#include <algorithm>
#include <string>

namespace underhood::dissect {
namespace {

enum { kArp, kArpHwType, kArpProtoType, kArpOpcode, kArpSrcHw, kArpSrcIp, kArpDstHw, kArpDstIp, kCount };
constexpr FieldInfo kFields[] = {
    {"arp", "Address Resolution Protocol", FieldType::Protocol},
    {"arp.hw.type", "Hardware type", FieldType::Uint},
    {"arp.proto.type", "Protocol type", FieldType::Uint, Base::Hex, 4},
    {"arp.opcode", "Opcode", FieldType::Uint},
    {"arp.src.hw_mac", "Sender MAC address", FieldType::Ether},
    {"arp.src.proto_ipv4", "Sender IP address", FieldType::Ipv4},
    {"arp.dst.hw_mac", "Target MAC address", FieldType::Ether},
    {"arp.dst.proto_ipv4", "Target IP address", FieldType::Ipv4},
};
FieldId f0 = 0;

void arp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Arp) || !t.need(0, 8))
        return;
    // Passive name discovery reads the sender's binding from here.
    DecodedPacket& s = p.summary();
    s.app = Proto::Arp;
    s.app_offset = uint32_t(t.begin());
    s.app_length = uint32_t(t.length());
    if (!p.want_tree() && !p.names)
        return;
    const uint16_t htype = t.be16(0), ptype = t.be16(2), op = t.be16(6);
    const uint8_t hlen = t.u8(4), plen = t.u8(5);
    // Ethernet/IPv4: the sender binds its address to its MAC (not when it
    // has no address yet, as in an ARP probe).
    if (p.names && htype == 1 && ptype == wire::kEtherIpv4 && hlen == 6 && plen == 4 && t.has(8, 20) &&
        t.be32(14) != 0) {
        MacAddress sha;
        std::copy_n(t.bytes(8, 6), 6, sha.bytes.begin());
        p.names->ip_mac(IpAddress::v4(t.bytes(14, 4)), sha, NameSink::Binding::Seen);
    }
    if (!p.want_tree())
        return;
    const size_t o = t.begin();
    p.layer(f0 + kArp, t, op == 1 ? "Address Resolution Protocol (request)"
                          : op == 2 ? "Address Resolution Protocol (reply)"
                                    : "Address Resolution Protocol");
    p.add_uint(f0 + kArpHwType, o, 2, htype);
    p.add_uint(f0 + kArpProtoType, o + 2, 2, ptype);
    p.add_uint(f0 + kArpOpcode, o + 6, 2, op);
    if (hlen != 6 || plen != 4 || ptype != wire::kEtherIpv4 || !t.has(8, 20))
        return;
    const uint8_t* b = t.bytes(8, 20);
    MacAddress sha, tha;
    std::copy(b, b + 6, sha.bytes.begin());
    std::copy(b + 10, b + 16, tha.bytes.begin());
    p.add_mac(f0 + kArpSrcHw, o + 8, 6, sha);
    p.add_ip(f0 + kArpSrcIp, o + 14, 4, IpAddress::v4(b + 6));
    p.add_mac(f0 + kArpDstHw, o + 18, 6, tha);
    p.add_ip(f0 + kArpDstIp, o + 24, 4, IpAddress::v4(b + 16));
}

} // namespace

void register_arp()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(wire::kEtherArp, arp);
}

} // namespace underhood::dissect
