// DHCP and BOOTP (RFC 2131, RFC 2132) on UDP 67 and 68: the fixed BOOTP
// header and the options after the magic cookie as fields; the client's
// host name (option 12) with its MAC and addresses as names.
#include "dissect/names.h"
#include "dissect/registry.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace underhood::dissect {
namespace {

enum {
    kDhcp, kType, kHwType, kHwLen, kHops, kId, kSecs, kFlags, kFlagsBc, kIpClient, kIpYour, kIpServer, kIpRelay,
    kHwMacAddr, kHwAddr, kServer, kFile, kCookie, kOptionType, kOptionLength, kOptionValue, kOptionDhcp,
    kOptionHostname, kOptionRequestedIp, kOptionSubnetMask, kOptionRouter, kOptionDns, kOptionDomainName,
    kOptionLeaseTime, kOptionServerId, kOptionRequestListItem, kOptionVendorClassId, kOptionEnd, kOptionPadding,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"dhcp", "Dynamic Host Configuration Protocol", FieldType::Protocol},
    {"dhcp.type", "Message type", FieldType::Uint},
    {"dhcp.hw.type", "Hardware type", FieldType::Uint, Base::Hex, 2},
    {"dhcp.hw.len", "Hardware address length", FieldType::Uint},
    {"dhcp.hops", "Hops", FieldType::Uint},
    {"dhcp.id", "Transaction ID", FieldType::Uint, Base::Hex, 8},
    {"dhcp.secs", "Seconds elapsed", FieldType::Uint},
    {"dhcp.flags", "Bootp flags", FieldType::Uint, Base::Hex, 4},
    {"dhcp.flags.bc", "Broadcast flag", FieldType::Bool},
    {"dhcp.ip.client", "Client IP address", FieldType::Ipv4},
    {"dhcp.ip.your", "Your (client) IP address", FieldType::Ipv4},
    {"dhcp.ip.server", "Next server IP address", FieldType::Ipv4},
    {"dhcp.ip.relay", "Relay agent IP address", FieldType::Ipv4},
    {"dhcp.hw.mac_addr", "Client MAC address", FieldType::Ether},
    {"dhcp.hw.addr", "Client hardware address", FieldType::Bytes},
    {"dhcp.server", "Server host name", FieldType::String},
    {"dhcp.file", "Boot file name", FieldType::String},
    {"dhcp.cookie", "Magic cookie", FieldType::Ipv4},
    {"dhcp.option.type", "Option", FieldType::Uint},
    {"dhcp.option.length", "Length", FieldType::Uint},
    {"dhcp.option.value", "Value", FieldType::Bytes},
    {"dhcp.option.dhcp", "DHCP", FieldType::Uint},
    {"dhcp.option.hostname", "Host Name", FieldType::String},
    {"dhcp.option.requested_ip_address", "Requested IP Address", FieldType::Ipv4},
    {"dhcp.option.subnet_mask", "Subnet Mask", FieldType::Ipv4},
    {"dhcp.option.router", "Router", FieldType::Ipv4},
    {"dhcp.option.domain_name_server", "Domain Name Server", FieldType::Ipv4},
    {"dhcp.option.domain_name", "Domain Name", FieldType::String},
    {"dhcp.option.ip_address_lease_time", "IP Address Lease Time", FieldType::Uint},
    {"dhcp.option.dhcp_server_id", "DHCP Server Identifier", FieldType::Ipv4},
    {"dhcp.option.request_list_item", "Parameter Request List Item", FieldType::Uint},
    {"dhcp.option.vendor_class_id", "Vendor class identifier", FieldType::String},
    {"dhcp.option.end", "Option End", FieldType::Uint},
    {"dhcp.option.padding", "Padding", FieldType::Bytes},
};
FieldId f0 = 0;

constexpr size_t kFixed = 236; // the BOOTP header before the magic cookie
constexpr uint32_t kMagicCookie = 0x63825363;
constexpr int kMaxOptions = 256;

const char* message_type(unsigned t)
{
    static constexpr const char* kNames[] = {nullptr,          "Discover",         "Offer",      "Request",
                                             "Decline",        "ACK",              "NAK",        "Release",
                                             "Inform",         "Force Renew",      "Lease query", "Lease Unassigned",
                                             "Lease Unknown",  "Lease Active",     "Bulk Lease Query",
                                             "Lease Query Done", "Active LeaseQuery", "Lease Query Status", "TLS"};
    return t < std::size(kNames) ? kNames[t] : nullptr;
}

const char* option_name(unsigned code)
{
    switch (code) {
    case 1: return "Subnet Mask";
    case 2: return "Time Offset";
    case 3: return "Router";
    case 6: return "Domain Name Server";
    case 12: return "Host Name";
    case 15: return "Domain Name";
    case 28: return "Broadcast Address";
    case 42: return "Network Time Protocol Servers";
    case 43: return "Vendor-Specific Information";
    case 50: return "Requested IP Address";
    case 51: return "IP Address Lease Time";
    case 53: return "DHCP Message Type";
    case 54: return "DHCP Server Identifier";
    case 55: return "Parameter Request List";
    case 57: return "Maximum DHCP Message Size";
    case 58: return "Renewal Time Value";
    case 59: return "Rebinding Time Value";
    case 60: return "Vendor class identifier";
    case 61: return "Client identifier";
    case 81: return "Client Fully Qualified Domain Name";
    case 82: return "Agent Information Option";
    case 119: return "Domain Search";
    case 121: return "Classless Static Route";
    case 255: return "End";
    default: return "Unknown";
    }
}

bool nonzero(const IpAddress& a) { return a.valid() && load_be32(a.bytes.data()) != 0; }

// A NUL-terminated string field of the fixed header ("not given" when empty).
void header_string(Tvb t, Packet& p, FieldId f, size_t at, size_t len, const char* not_given)
{
    const std::string_view s = t.text(at).substr(0, len);
    const std::string_view v = s.substr(0, s.find('\0'));
    if (v.empty())
        p.add_note(t.begin() + at, len, not_given);
    else
        p.add_text(f, t.begin() + at, len, v);
}

void dhcp(Tvb t, Packet& p)
{
    const bool tree = p.want_tree();
    if (!tree && !p.names)
        return;
    // BOOTP fixed part (RFC 2131): 236 bytes, then the magic cookie.
    const bool fixed = t.has(0, kFixed);
    const bool cookie = t.has(kFixed, 4) && t.be32(kFixed) == kMagicCookie;
    const size_t o = t.begin();

    // One pass over the options for the names and the layer's label.
    std::string host;
    IpAddress requested;
    uint8_t type = 0;
    if (cookie) {
        size_t at = kFixed + 4;
        while (t.has(at, 1)) { // every step moves on
            const uint8_t code = t.u8(at);
            if (code == 255)
                break;
            if (code == 0) {
                ++at;
                continue;
            }
            if (!t.has(at, 2) || !t.has(at + 2, t.u8(at + 1)))
                break;
            const uint8_t len = t.u8(at + 1);
            if (code == 12 && len > 0)
                host = printable_name(t.bytes(at + 2, len), len);
            else if (code == 50 && len == 4)
                requested = IpAddress::v4(t.bytes(at + 2, 4));
            else if (code == 53 && len == 1)
                type = t.u8(at + 2);
            at += 2 + size_t(len);
        }
    }

    if (p.names && cookie) {
        NameSink& sink = *p.names;
        const IpAddress ciaddr = IpAddress::v4(t.bytes(12, 4));
        const IpAddress yiaddr = IpAddress::v4(t.bytes(16, 4));
        const bool ether = t.u8(1) == 1 && t.u8(2) == 6;
        MacAddress chaddr;
        std::copy_n(t.bytes(28, 6), 6, chaddr.bytes.begin());
        if (ether && !host.empty())
            sink.mac_name(chaddr, host);
        const IpAddress* const addresses[] = {&ciaddr, &yiaddr, &requested};
        for (const IpAddress* ip : addresses) {
            if (!nonzero(*ip))
                continue;
            if (!host.empty())
                sink.ip_name(*ip, host);
            // An ACK (5) assigns yiaddr to the client that announced its name earlier.
            if (ether && (type == 5 || ip != &yiaddr))
                sink.ip_mac(*ip, chaddr, NameSink::Binding::Leased);
        }
    }
    if (!tree)
        return;

    const char* tname = message_type(type);
    p.layer(f0 + kDhcp, t,
            tname ? std::string("Dynamic Host Configuration Protocol (") + tname + ")" : std::string());
    if (!fixed) {
        p.add_note(o, t.length(), "[Malformed Packet: BOOTP header does not fit in the datagram]");
        return;
    }
    const uint8_t op = t.u8(0), htype = t.u8(1), hlen = t.u8(2);
    p.add_uint(f0 + kType, o, 1, op,
               std::string("Message type: ") + (op == 1 ? "Boot Request" : op == 2 ? "Boot Reply" : "Unknown") + " (" +
                   std::to_string(op) + ")");
    char buf[64];
    std::snprintf(buf, sizeof buf, "Hardware type: %s (0x%02x)", htype == 1 ? "Ethernet" : "Unknown", htype);
    p.add_uint(f0 + kHwType, o + 1, 1, htype, buf);
    p.add_uint(f0 + kHwLen, o + 2, 1, hlen);
    p.add_uint(f0 + kHops, o + 3, 1, t.u8(3));
    p.add_uint(f0 + kId, o + 4, 4, t.be32(4));
    p.add_uint(f0 + kSecs, o + 8, 2, t.be16(8));
    const uint16_t flags = t.be16(10);
    std::snprintf(buf, sizeof buf, "Bootp flags: 0x%04x (%s)", flags, flags & 0x8000 ? "Broadcast" : "Unicast");
    p.add_uint(f0 + kFlags, o + 10, 2, flags, buf);
    p.open_subtree();
    p.add_uint(f0 + kFlagsBc, o + 10, 2, flags >> 15,
               std::string(flags & 0x8000 ? "1" : "0") + "... .... .... .... = Broadcast flag: " +
                   (flags & 0x8000 ? "Broadcast" : "Unicast"));
    p.close_subtree();
    p.add_ip(f0 + kIpClient, o + 12, 4, IpAddress::v4(t.bytes(12, 4)));
    p.add_ip(f0 + kIpYour, o + 16, 4, IpAddress::v4(t.bytes(16, 4)));
    p.add_ip(f0 + kIpServer, o + 20, 4, IpAddress::v4(t.bytes(20, 4)));
    p.add_ip(f0 + kIpRelay, o + 24, 4, IpAddress::v4(t.bytes(24, 4)));
    if (htype == 1 && hlen == 6) {
        MacAddress mac;
        std::copy_n(t.bytes(28, 6), 6, mac.bytes.begin());
        p.add_mac(f0 + kHwMacAddr, o + 28, 6, mac);
    } else if (hlen > 0) {
        const size_t n = std::min<size_t>(hlen, 16);
        p.add_text(f0 + kHwAddr, o + 28, n, t.text(28).substr(0, n));
    }
    header_string(t, p, f0 + kServer, 44, 64, "Server host name not given");
    header_string(t, p, f0 + kFile, 108, 128, "Boot file name not given");
    if (!cookie)
        return;
    p.add_ip(f0 + kCookie, o + kFixed, 4, IpAddress::v4(t.bytes(kFixed, 4)), "Magic cookie: DHCP");

    size_t at = kFixed + 4;
    for (int n = 0; n < kMaxOptions && t.has(at, 1); ++n) {
        const uint8_t code = t.u8(at);
        if (code == 0) { // pad bytes up to the next option
            size_t end = at;
            while (t.has(end, 1) && t.u8(end) == 0)
                ++end;
            p.add_text(f0 + kOptionPadding, o + at, end - at, t.text(at).substr(0, end - at));
            at = end;
            continue;
        }
        std::string label = "Option: (" + std::to_string(code) + ") " + option_name(code);
        if (code == 255) {
            p.add_uint(f0 + kOptionType, o + at, 1, code, std::move(label));
            p.open_subtree();
            p.add_uint(f0 + kOptionEnd, o + at, 1, code);
            p.close_subtree();
            at += 1;
            if (t.has(at, 1))
                p.add_text(f0 + kOptionPadding, o + at, t.length() - at, t.text(at));
            return;
        }
        if (!t.has(at, 2) || !t.has(at + 2, t.u8(at + 1))) {
            p.add_note(o + at, t.length() - at, "[Malformed Packet: DHCP option runs past the datagram]");
            return;
        }
        const uint8_t len = t.u8(at + 1);
        const size_t v = at + 2, ov = o + v;
        if (code == 53 && len == 1 && message_type(t.u8(v)))
            label += std::string(" (") + message_type(t.u8(v)) + ")";
        p.add_uint(f0 + kOptionType, o + at, 1 + 1 + size_t(len), code, std::move(label));
        p.open_subtree();
        p.add_uint(f0 + kOptionLength, o + at + 1, 1, len);
        const std::string_view value = t.text(v).substr(0, len);
        const auto ip_list = [&](FieldId f) {
            for (size_t i = 0; i + 4 <= len; i += 4)
                p.add_ip(f, ov + i, 4, IpAddress::v4(t.bytes(v + i, 4)));
        };
        switch (code) {
        case 1: ip_list(f0 + kOptionSubnetMask); break;
        case 3: ip_list(f0 + kOptionRouter); break;
        case 6: ip_list(f0 + kOptionDns); break;
        case 12: p.add_text(f0 + kOptionHostname, ov, len, value.substr(0, value.find('\0'))); break;
        case 15: p.add_text(f0 + kOptionDomainName, ov, len, value.substr(0, value.find('\0'))); break;
        case 50:
            if (len == 4)
                p.add_ip(f0 + kOptionRequestedIp, ov, 4, IpAddress::v4(t.bytes(v, 4)));
            break;
        case 51:
            if (len == 4)
                p.add_uint(f0 + kOptionLeaseTime, ov, 4, t.be32(v));
            break;
        case 53:
            if (len == 1) {
                const uint8_t mt = t.u8(v);
                p.add_uint(f0 + kOptionDhcp, ov, 1, mt,
                           std::string("DHCP: ") + (message_type(mt) ? message_type(mt) : "Unknown") + " (" +
                               std::to_string(mt) + ")");
            }
            break;
        case 54:
            if (len == 4)
                p.add_ip(f0 + kOptionServerId, ov, 4, IpAddress::v4(t.bytes(v, 4)));
            break;
        case 55:
            for (size_t i = 0; i < len; ++i) {
                const uint8_t item = t.u8(v + i);
                p.add_uint(f0 + kOptionRequestListItem, ov + i, 1, item,
                           "Parameter Request List Item: (" + std::to_string(item) + ") " + option_name(item));
            }
            break;
        case 60: p.add_text(f0 + kOptionVendorClassId, ov, len, value.substr(0, value.find('\0'))); break;
        default:
            if (len)
                p.add_text(f0 + kOptionValue, ov, len, value);
            break;
        }
        p.close_subtree();
        at = v + len;
    }
}

} // namespace

void register_dhcp()
{
    f0 = register_fields(kFields, kCount);
    add_udp_port(67, dhcp);
    add_udp_port(68, dhcp);
}

} // namespace underhood::dissect
