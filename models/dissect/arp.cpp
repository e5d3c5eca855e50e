// ARP (RFC 826); the sender's binding of its address to its MAC.
#include "dissect/labels.h"
#include "dissect/link_layers.h"
#include "dissect/names.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"
#include "wire_constants.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace underhood::dissect {
namespace {

enum {
    kArp, kArpHwType, kArpProtoType, kArpOpcode, kArpSrcHw, kArpSrcIp, kArpDstHw, kArpDstIp, kArpHwSize, kArpProtoSize,
    kArpSrcHwAny, kArpSrcProtoAny, kArpDstHwAny, kArpDstProtoAny,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"arp", "Address Resolution Protocol", FieldType::Protocol},
    {"arp.hw.type", "Hardware type", FieldType::Uint},
    {"arp.proto.type", "Protocol type", FieldType::Uint, Base::Hex, 4},
    {"arp.opcode", "Opcode", FieldType::Uint},
    {"arp.src.hw_mac", "Sender MAC address", FieldType::Ether},
    {"arp.src.proto_ipv4", "Sender IP address", FieldType::Ipv4},
    {"arp.dst.hw_mac", "Target MAC address", FieldType::Ether},
    {"arp.dst.proto_ipv4", "Target IP address", FieldType::Ipv4},
    {"arp.hw.size", "Hardware size", FieldType::Uint},
    {"arp.proto.size", "Protocol size", FieldType::Uint},
    // Addresses of other sizes and kinds, as raw bytes.
    {"arp.src.hw", "Sender hardware address", FieldType::Bytes},
    {"arp.src.proto", "Sender protocol address", FieldType::Bytes},
    {"arp.dst.hw", "Target hardware address", FieldType::Bytes},
    {"arp.dst.proto", "Target protocol address", FieldType::Bytes},
};
FieldId f0 = 0;

void arp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Arp))
        return;
    const size_t item = layer_at(p, f0 + kArp, t, 8, {});
    if (!t.need(0, 8, "ARP header"))
        return;
    // Passive name discovery reads the sender's binding from here.
    DecodedPacket& s = p.summary();
    s.app = Proto::Arp;
    s.app_offset = uint32_t(t.begin());
    s.app_length = uint32_t(t.length());
    Columns* c = p.col();
    if (!p.want_tree() && !p.names && !c)
        return;
    const uint16_t htype = t.be16(0), ptype = t.be16(2), op = t.be16(6);
    const uint8_t hlen = t.u8(4), plen = t.u8(5);
    // Ethernet/IPv4: the sender binds its address to its MAC (not when it
    // has no address yet, as in an ARP probe).
    const bool ether_ipv4 = hlen == 6 && plen == 4 && ptype == wire::kEtherIpv4;
    if (p.names && htype == 1 && ether_ipv4 && t.has(8, 20) && t.be32(14) != 0) {
        MacAddress sha;
        std::copy_n(t.bytes(8, 6), 6, sha.bytes.begin());
        p.names->ip_mac(IpAddress::v4(t.bytes(14, 4)), sha, NameSink::Binding::Seen);
    }
    if (!p.want_tree() && !c)
        return;
    static const char* const kOps[] = {"reserved", "request", "reply", "reverse request", "reverse reply"};
    const char* op_name = op < 5 ? kOps[op] : op == 8 ? "InARP request" : op == 9 ? "InARP reply" : "unknown";
    const size_t o = t.begin();
    if (p.want_tree()) {
        p.add_uint(f0 + kArpHwType, o, 2, htype,
                   strf("Hardware type: %s (%u)", htype == 1 ? "Ethernet" : htype == 6 ? "IEEE 802" : "Unknown", htype));
        p.add_uint(f0 + kArpProtoType, o + 2, 2, ptype,
                   strf("Protocol type: %s (0x%04x)", ethertype_name(ptype), ptype));
        p.add_uint(f0 + kArpHwSize, o + 4, 1, hlen);
        p.add_uint(f0 + kArpProtoSize, o + 5, 1, plen);
        p.add_uint(f0 + kArpOpcode, o + 6, 2, op, strf("Opcode: %s (%u)", op_name, op));
    }
    if (c)
        c->protocol = op == 3 || op == 4 ? "RARP" : "ARP";
    const size_t len = 8 + 2 * (size_t(hlen) + plen);
    p.cover(item, o, o + len);
    if (!t.check(0, len, "ARP addresses"))
        return;
    const size_t sha = 8, spa = sha + hlen, tha = spa + plen, tpa = tha + hlen;
    const auto hw = [&](size_t at) {
        return hlen == 6 ? mac_text(t.bytes(at, 6)) : hex_text(t.bytes(at, hlen), hlen);
    };
    const auto pr = [&](size_t at) {
        return plen == 4 && ptype == wire::kEtherIpv4 ? IpAddress::v4(t.bytes(at, 4)).to_string()
                                                       : hex_text(t.bytes(at, plen), plen);
    };
    const auto raw = [&](size_t at, size_t n) {
        return std::string_view(reinterpret_cast<const char*>(t.bytes(at, n)), n);
    };
    if (p.want_tree()) {
        // The Ethernet/IPv4 fields only for an Ethernet/IPv4 binding, as the
        // fields output promises; raw bytes for anything else.
        if (hlen == 6) {
            p.add_mac(f0 + kArpSrcHw, o + sha, 6, mac_at(t.bytes(sha, 6)));
        } else {
            p.add_text(f0 + kArpSrcHwAny, o + sha, hlen, raw(sha, hlen), "Sender MAC address: " + hw(sha));
        }
        if (ether_ipv4)
            p.add_ip(f0 + kArpSrcIp, o + spa, 4, IpAddress::v4(t.bytes(spa, 4)));
        else
            p.add_text(f0 + kArpSrcProtoAny, o + spa, plen, raw(spa, plen), "Sender IP address: " + pr(spa));
        if (hlen == 6)
            p.add_mac(f0 + kArpDstHw, o + tha, 6, mac_at(t.bytes(tha, 6)));
        else
            p.add_text(f0 + kArpDstHwAny, o + tha, hlen, raw(tha, hlen), "Target MAC address: " + hw(tha));
        if (ether_ipv4)
            p.add_ip(f0 + kArpDstIp, o + tpa, 4, IpAddress::v4(t.bytes(tpa, 4)));
        else
            p.add_text(f0 + kArpDstProtoAny, o + tpa, plen, raw(tpa, plen), "Target IP address: " + pr(tpa));
    }
    const bool probe = plen == 4 && t.be32(spa) == 0;
    const bool gratuitous = plen > 0 && std::memcmp(t.bytes(spa, plen), t.bytes(tpa, plen), plen) == 0;
    if (p.want_tree()) {
        const char* what = op == 1 ? (probe ? " (ARP Probe)" : gratuitous ? " (gratuitous)" : "") : "";
        p.relabel(item, strf("Address Resolution Protocol (%s%s)", op_name, what));
    }
    if (!c)
        return;
    switch (op) {
    case 1:
        if (probe)
            c->info = "Who has " + pr(tpa) + "? (ARP Probe)";
        else if (gratuitous)
            c->info = "Gratuitous ARP for " + pr(spa) + " (Request)";
        else
            c->info = "Who has " + pr(tpa) + "? Tell " + pr(spa);
        break;
    case 2: c->info = pr(spa) + " is at " + hw(sha); break;
    case 3: c->info = "Who is " + hw(tha) + "? Tell " + hw(sha); break;
    case 4: c->info = hw(tha) + " is at " + pr(tpa); break;
    default: c->info = strf("ARP opcode %u", op); break;
    }
}

} // namespace

void register_arp()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(wire::kEtherArp, arp);
}

} // namespace underhood::dissect
