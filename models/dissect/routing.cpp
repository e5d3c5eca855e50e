// Routing and redundancy protocols carried straight in IP: OSPF (RFC 2328,
// RFC 5340), PIM (RFC 7761) and VRRP (RFC 5798); their common header. A PIM
// Register carries a whole multicast IP packet, dissected as such.
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <string>

namespace underhood::dissect {
namespace {

enum {
    kOspf, kOspfVersion, kOspfMsgType, kOspfLength, kOspfSrcRouter, kOspfArea,
    kPim, kPimVersion, kPimType, kPimChecksum,
    kVrrp, kVrrpVersion, kVrrpType, kVrrpRouterId, kVrrpPriority,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"ospf", "Open Shortest Path First", FieldType::Protocol},
    {"ospf.version", "Version", FieldType::Uint},
    {"ospf.msg_type", "Message Type", FieldType::Uint},
    {"ospf.packet_length", "Packet Length", FieldType::Uint},
    {"ospf.srcrouter", "Source OSPF Router", FieldType::Ipv4},
    {"ospf.area_id", "Area ID", FieldType::Ipv4},
    {"pim", "Protocol Independent Multicast", FieldType::Protocol},
    {"pim.version", "Version", FieldType::Uint},
    {"pim.type", "Type", FieldType::Uint},
    {"pim.cksum", "Checksum", FieldType::Uint, Base::Hex, 4},
    {"vrrp", "Virtual Router Redundancy Protocol", FieldType::Protocol},
    {"vrrp.version", "Version", FieldType::Uint},
    {"vrrp.type", "Packet type", FieldType::Uint},
    {"vrrp.virt_rtr_id", "Virtual Rtr ID", FieldType::Uint},
    {"vrrp.prio", "Priority", FieldType::Uint},
};
FieldId f0 = 0;

// The layer and its first four bytes; false when there is nothing more to
// do (no tree nor columns wanted, or the header is cut short).
bool common_header(Tvb& t, Packet& p, Proto proto, FieldId layer)
{
    if (!p.push(proto))
        return false;
    p.layer(layer, t, {});
    if (!t.need(0, 4, "header"))
        return false;
    if (!p.want_tree() && !p.col())
        return false;
    if (Columns* c = p.col())
        c->protocol = column_name(proto);
    return true;
}

void ospf(Tvb t, Packet& p)
{
    if (!common_header(t, p, Proto::Ospf, f0 + kOspf))
        return;
    static const char* const kTypes[] = {"Unknown", "Hello Packet", "DB Description", "LS Request", "LS Update",
                                         "LS Acknowledge"};
    const uint8_t type = t.u8(1);
    const char* type_name = type < 6 ? kTypes[type] : "Unknown";
    const size_t o = t.begin();
    if (p.want_tree()) {
        p.add_uint(f0 + kOspfVersion, o, 1, t.u8(0));
        p.add_uint(f0 + kOspfMsgType, o + 1, 1, type, strf("Message Type: %s (%u)", type_name, type));
        p.add_uint(f0 + kOspfLength, o + 2, 2, t.be16(2));
    }
    if (t.check(0, 12, "OSPF header")) { // the tree's problem: the summary stopped at the layer
        p.add_ip(f0 + kOspfSrcRouter, o + 4, 4, IpAddress::v4(t.bytes(4, 4)));
        p.add_ip(f0 + kOspfArea, o + 8, 4, IpAddress::v4(t.bytes(8, 4)));
    }
    if (Columns* c = p.col())
        c->info = type_name;
}

// PIM; a version 2 Register (type 1) carries a whole multicast IP packet.
void pim(Tvb t, Packet& p)
{
    if (!p.push(Proto::Pim))
        return;
    p.layer(f0 + kPim, t, {});
    if (!t.need(0, 4, "header"))
        return;
    if (p.want_tree() || p.col()) {
        static const char* const kTypes[] = {"Hello",     "Register", "Register-stop", "Join/Prune",
                                             "Bootstrap", "Assert",   "Graft",         "Graft-Ack",
                                             "Candidate-RP-Advertisement"};
        const uint8_t b = t.u8(0), type = b & 15;
        const char* type_name = type < 9 ? kTypes[type] : "Unknown";
        const size_t o = t.begin();
        if (p.want_tree()) {
            p.add_bits(f0 + kPimVersion, o, 1, b >> 4, bit_label(b, 8, 0xF0, strf("Version: %u", b >> 4)));
            p.add_bits(f0 + kPimType, o, 1, type, bit_label(b, 8, 0x0F, strf("Type: %s (%u)", type_name, type)));
            p.add_uint(f0 + kPimChecksum, o + 2, 2, t.be16(2));
        }
        if (Columns* c = p.col()) {
            c->protocol = "PIM";
            c->info = type_name;
        }
    }
    if (t.u8(0) != 0x21 || !t.has(8, 1))
        return;
    Tvb inner = t.rest(8);
    switch (inner.u8(0) >> 4) {
    case 4: dissect_ipv4(inner, p); break;
    case 6: dissect_ipv6(inner, p); break;
    default: break;
    }
}

void vrrp(Tvb t, Packet& p)
{
    if (!common_header(t, p, Proto::Vrrp, f0 + kVrrp))
        return;
    const uint8_t b = t.u8(0), type = b & 15;
    const size_t o = t.begin();
    if (p.want_tree()) {
        p.add_bits(f0 + kVrrpVersion, o, 1, b >> 4, bit_label(b, 8, 0xF0, strf("Version: %u", b >> 4)));
        p.add_bits(f0 + kVrrpType, o, 1, type,
                   bit_label(b, 8, 0x0F, strf("Packet type: %s (%u)", type == 1 ? "Advertisement" : "Unknown", type)));
        p.add_uint(f0 + kVrrpRouterId, o + 1, 1, t.u8(1));
        p.add_uint(f0 + kVrrpPriority, o + 2, 1, t.u8(2));
    }
    if (Columns* c = p.col())
        c->info = strf("Announcement (v%u)", b >> 4);
}

} // namespace

void register_routing()
{
    f0 = register_fields(kFields, kCount);
    add_ip_protocol(89, ospf);
    add_ip_protocol(103, pim);
    add_ip_protocol(112, vrrp);
}

} // namespace underhood::dissect
