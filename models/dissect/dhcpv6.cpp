// DHCPv6 (RFC 8415) on UDP 546 and 547: the message type, the transaction
// ID or a relay's addresses, and the options by name and length.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

namespace underhood::dissect {
namespace {

enum { kDhcpv6, kMsgType, kHopCount, kLinkAddr, kPeerAddr, kXid, kOptionType, kCount };
constexpr FieldInfo kFields[] = {
    {"dhcpv6", "DHCPv6", FieldType::Protocol},
    {"dhcpv6.msgtype", "Message type", FieldType::Uint},
    {"dhcpv6.hopcount", "Hopcount", FieldType::Uint},
    {"dhcpv6.linkaddr", "Link address", FieldType::Ipv6},
    {"dhcpv6.peeraddr", "Peer address", FieldType::Ipv6},
    {"dhcpv6.xid", "Transaction ID", FieldType::Uint, Base::Hex, 6},
    {"dhcpv6.option.type", "Option", FieldType::Uint},
};
FieldId f0 = 0;

constexpr int kMaxOptions = 128;

const char* message_name(uint8_t type)
{
    static constexpr const char* kTypes[] = {"Unknown",    "Solicit",    "Advertise",   "Request",
                                             "Confirm",    "Renew",      "Rebind",      "Reply",
                                             "Release",    "Decline",    "Reconfigure", "Information-request",
                                             "Relay-forw", "Relay-reply"};
    return type < std::size(kTypes) ? kTypes[type] : "Unknown";
}

const char* option_name(uint16_t code)
{
    switch (code) {
    case 1: return "Client Identifier";
    case 2: return "Server Identifier";
    case 3: return "Identity Association for Non-temporary Address";
    case 6: return "Option Request";
    case 8: return "Elapsed time";
    case 23: return "DNS recursive name server";
    case 24: return "Domain Search List";
    case 25: return "Identity Association for Prefix Delegation";
    case 39: return "Fully Qualified Domain Name";
    default: return "Option";
    }
}

void dhcpv6(Tvb t, Packet& p)
{
    if ((!p.want_tree() && !p.want_columns()) || p.quoted())
        return;
    const size_t o = t.begin();
    p.layer(f0 + kDhcpv6, t, "DHCPv6");
    if (!app_fits(p, t, 0, 4, "DHCPv6 header", false))
        return;
    const uint8_t type = t.u8(0);
    const char* const name = message_name(type);
    p.add_uint(f0 + kMsgType, o, 1, type, strf("Message type: %s (%u)", name, type));
    Columns* const col = p.col();
    if (col)
        col->protocol = "DHCPv6";
    if (type == 12 || type == 13) {
        p.add_uint(f0 + kHopCount, o + 1, 1, t.u8(1));
        const bool whole = app_fits(p, t, 0, 34, "DHCPv6 relay header", false);
        if (whole) {
            p.add_ip(f0 + kLinkAddr, o + 2, 16, IpAddress::v6(t.bytes(2, 16)));
            p.add_ip(f0 + kPeerAddr, o + 18, 16, IpAddress::v6(t.bytes(18, 16)));
        }
        if (col)
            col->info = std::string(name) + " L: " + (whole ? IpAddress::v6(t.bytes(2, 16)).to_string() : std::string("?"));
        return;
    }
    const uint32_t xid = t.be24(1);
    p.add_uint(f0 + kXid, o + 1, 3, xid);
    if (col)
        col->info = strf("%s XID: 0x%06x", name, xid);
    if (!p.want_tree())
        return;
    size_t at = 4;
    for (int i = 0; i < kMaxOptions && at < t.length(); ++i) {
        if (!app_fits(p, t, at, 4, "DHCPv6 option", false))
            break;
        const uint16_t code = t.be16(at);
        const size_t len = t.be16(at + 2);
        if (!app_fits(p, t, at + 4, len, "DHCPv6 option", false))
            break;
        p.add_uint(f0 + kOptionType, o + at, 4 + len, code, strf("%s (%u), length %zu", option_name(code), code, len));
        at += 4 + len;
    }
}

} // namespace

void register_dhcpv6()
{
    f0 = register_fields(kFields, kCount);
    add_udp_port(546, dhcpv6);
    add_udp_port(547, dhcpv6);
}

} // namespace underhood::dissect
