// Link-layer control protocols: Spanning Tree BPDUs (IEEE 802.1D/802.1w),
// LLDP (IEEE 802.1AB) and CDP, which carry nothing further.
#include "dissect/labels.h"
#include "dissect/link_layers.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"
#include "wire_constants.h"

#include <string>

namespace underhood::dissect {
namespace {

enum {
    kStp, kStpProtocol, kStpVersion, kStpType, kStpFlags, kStpRoot, kStpRootCost, kStpBridge, kStpPort, kStpMsgAge,
    kStpMaxAge, kStpHello, kStpForward,
    kLldp, kLldpTlvType,
    kCdp,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"stp", "Spanning Tree Protocol", FieldType::Protocol},
    {"stp.protocol", "Protocol Identifier", FieldType::Uint, Base::Hex, 4},
    {"stp.version", "Protocol Version Identifier", FieldType::Uint},
    {"stp.type", "BPDU Type", FieldType::Uint, Base::Hex, 2},
    {"stp.flags", "BPDU flags", FieldType::Uint, Base::Hex, 2},
    {"stp.root.hw", "Root Identifier", FieldType::Ether},
    {"stp.root.cost", "Root Path Cost", FieldType::Uint},
    {"stp.bridge.hw", "Bridge Identifier", FieldType::Ether},
    {"stp.port", "Port identifier", FieldType::Uint, Base::Hex, 4},
    {"stp.msg_age", "Message Age", FieldType::Uint},
    {"stp.max_age", "Max Age", FieldType::Uint},
    {"stp.hello", "Hello Time", FieldType::Uint},
    {"stp.forward", "Forward Delay", FieldType::Uint},
    {"lldp", "Link Layer Discovery Protocol", FieldType::Protocol},
    {"lldp.tlv.type", "TLV Type", FieldType::Uint},
    {"cdp", "Cisco Discovery Protocol", FieldType::Protocol},
};
FieldId f0 = 0;

// "32768 / 0 / 00:11:22:33:44:55": priority, system ID extension, MAC.
std::string bridge_id(const uint8_t* b)
{
    return strf("%u / %u / %s", load_be16(b) & 0xF000, load_be16(b) & 0x0FFF, mac_text(b + 2).c_str());
}

void lldp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Lldp))
        return;
    p.layer(f0 + kLldp, t, {});
    if (Columns* c = p.col())
        c->protocol = "LLDP";
    std::string info;
    size_t at = 0;
    for (int i = 0; i < 256; ++i) {
        if (!t.need(at, 2, "LLDP TLV"))
            return;
        const uint16_t head = t.be16(at);
        const uint8_t type = uint8_t(head >> 9);
        const size_t len = head & 0x01FF;
        if (!t.need(at + 2, len, "LLDP TLV value"))
            return;
        if (p.want_tree() || p.want_columns()) {
            const uint8_t* v = t.bytes(at + 2, len);
            std::string text;
            switch (type) {
            case 0: text = "End of LLDPDU"; break;
            case 1:
            case 2: {
                const char* what = type == 1 ? "Chassis Subtype" : "Port Subtype";
                std::string id;
                if (len == 7 && v[0] == (type == 1 ? 4 : 3))
                    id = mac_text(v + 1);
                else if (len > 1)
                    id = printable_text(v + 1, len - 1, 64);
                text = strf("%s = %u, Id: %s", what, len ? v[0] : 0, id.c_str());
                info += strf("%s%s = %s", info.empty() ? "" : ", ", type == 1 ? "Chassis Id" : "Port Id", id.c_str());
                break;
            }
            case 3:
                if (len >= 2) {
                    text = strf("Time To Live = %u sec", load_be16(v));
                    info += strf(", TTL = %u", load_be16(v));
                } else {
                    text = "Time To Live";
                }
                break;
            case 4: text = "Port Description = " + printable_text(v, len, 64); break;
            case 5:
                text = "System Name = " + printable_text(v, len, 64);
                info += " SysName = " + printable_text(v, len, 64);
                break;
            case 6: text = "System Description = " + printable_text(v, len, 100); break;
            case 7: text = "Capabilities"; break;
            case 8: text = "Management Address"; break;
            case 127: text = "Organization Specific"; break;
            default: text = strf("Unknown TLV type %u", type); break;
            }
            p.add_uint(f0 + kLldpTlvType, t.begin() + at, 2 + len, type, std::move(text));
        }
        at += 2 + len;
        if (type == 0)
            break;
    }
    if (Columns* c = p.col())
        c->info = std::move(info);
}

} // namespace

void dissect_stp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Stp))
        return;
    const size_t item = layer_at(p, f0 + kStp, t, 35, {});
    if (!t.need(0, 4, "BPDU header"))
        return;
    const uint8_t version = t.u8(2), type = t.u8(3);
    if (p.want_tree()) {
        const size_t o = t.begin();
        const char* type_name = type == 0x00   ? "Configuration"
                                : type == 0x80 ? "Topology Change Notification"
                                : type == 0x02 ? "Rapid/Multiple Spanning Tree"
                                               : "Unknown";
        p.add_uint(f0 + kStpProtocol, o, 2, t.be16(0));
        p.add_uint(f0 + kStpVersion, o + 2, 1, version);
        p.add_uint(f0 + kStpType, o + 3, 1, type, strf("BPDU Type: %s (0x%02x)", type_name, type));
    }
    if (Columns* c = p.col())
        c->protocol = version >= 2 ? "RSTP" : "STP";
    if (type == 0x80) {
        p.cover(item, t.begin(), t.begin() + 4);
        if (Columns* c = p.col())
            c->info = "Topology Change Notification";
        return;
    }
    if (!t.need(0, 35, "BPDU"))
        return;
    const uint8_t* b = t.bytes(0, 35);
    if (p.want_tree()) {
        const size_t o = t.begin();
        p.add_uint(f0 + kStpFlags, o + 4, 1, b[4]);
        p.add_mac(f0 + kStpRoot, o + 5, 8, mac_at(b + 7), "Root Identifier: " + bridge_id(b + 5));
        p.add_uint(f0 + kStpRootCost, o + 13, 4, load_be32(b + 13));
        p.add_mac(f0 + kStpBridge, o + 17, 8, mac_at(b + 19), "Bridge Identifier: " + bridge_id(b + 17));
        p.add_uint(f0 + kStpPort, o + 25, 2, load_be16(b + 25));
        p.add_uint(f0 + kStpMsgAge, o + 27, 2, load_be16(b + 27) / 256);
        p.add_uint(f0 + kStpMaxAge, o + 29, 2, load_be16(b + 29) / 256);
        p.add_uint(f0 + kStpHello, o + 31, 2, load_be16(b + 31) / 256);
        p.add_uint(f0 + kStpForward, o + 33, 2, load_be16(b + 33) / 256);
    }
    if (Columns* c = p.col())
        c->info = strf("%s. Root = %s  Cost = %u  Port = 0x%04x", type == 0 ? "Conf" : "RST", bridge_id(b + 5).c_str(),
                       load_be32(b + 13), load_be16(b + 25));
}

void dissect_cdp(Tvb t, Packet& p)
{
    if (!p.push(Proto::Cdp))
        return;
    p.layer(f0 + kCdp, t, {});
    if (Columns* c = p.col()) {
        c->protocol = "CDP";
        c->info = "Cisco Discovery Protocol";
    }
}

void register_l2ctl()
{
    f0 = register_fields(kFields, kCount);
    add_ethertype(wire::kEtherLldp, lldp);
}

} // namespace underhood::dissect
