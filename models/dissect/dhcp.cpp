// DHCP and BOOTP (RFC 2131, RFC 2132) on UDP 67 and 68: the fixed BOOTP
// header and the options after the magic cookie as fields; the client's
// host name (option 12) with its MAC and addresses as names.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/names.h"
#include "dissect/outputs.h"
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
    kFlagsReserved, kHwAddrPadding, kOptionBroadcast, kOptionNtpServer, kOptionNetbiosNs, kOptionMessage,
    kOptionTftpServer, kOptionBootfile, kOptionCaptivePortal, kOptionProxyAuto, kOptionRenewalTime,
    kOptionRebindingTime, kOptionMaxMessageSize,
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
    {"dhcp.flags.reserved", "Reserved flags", FieldType::Uint, Base::Hex, 4},
    {"dhcp.hw.addr_padding", "Client hardware address padding", FieldType::Bytes},
    {"dhcp.option.broadcast_address", "Broadcast Address", FieldType::Ipv4},
    {"dhcp.option.ntp_server", "Network Time Protocol Server", FieldType::Ipv4},
    {"dhcp.option.netbios_over_tcpip_name_server", "NetBIOS over TCP/IP Name Server", FieldType::Ipv4},
    {"dhcp.option.message", "Message", FieldType::String},
    {"dhcp.option.tftp_server_name", "TFTP Server Name", FieldType::String},
    {"dhcp.option.bootfile_name", "Bootfile name", FieldType::String},
    {"dhcp.option.captive_portal", "Captive Portal", FieldType::String},
    {"dhcp.option.proxy_autodiscovery", "Private/Proxy autodiscovery", FieldType::String},
    {"dhcp.option.renewal_time_value", "Renewal Time Value", FieldType::Uint},
    {"dhcp.option.rebinding_time_value", "Rebinding Time Value", FieldType::Uint},
    {"dhcp.option.dhcp_max_message_size", "Maximum DHCP Message Size", FieldType::Uint},
};
FieldId f0 = 0;

constexpr size_t kFixed = 236; // the BOOTP header before the magic cookie
constexpr uint32_t kMagicCookie = 0x63825363;
constexpr int kMaxOptions = 512;

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
    case 0: return "Padding";
    case 1: return "Subnet Mask";
    case 2: return "Time Offset";
    case 3: return "Router";
    case 6: return "Domain Name Server";
    case 12: return "Host Name";
    case 15: return "Domain Name";
    case 26: return "Interface MTU";
    case 28: return "Broadcast Address";
    case 42: return "Network Time Protocol Servers";
    case 43: return "Vendor-Specific Information";
    case 44: return "NetBIOS over TCP/IP Name Server";
    case 50: return "Requested IP Address";
    case 51: return "IP Address Lease Time";
    case 52: return "Option Overload";
    case 53: return "DHCP Message Type";
    case 54: return "DHCP Server Identifier";
    case 55: return "Parameter Request List";
    case 56: return "Message";
    case 57: return "Maximum DHCP Message Size";
    case 58: return "Renewal Time Value";
    case 59: return "Rebinding Time Value";
    case 60: return "Vendor class identifier";
    case 61: return "Client identifier";
    case 66: return "TFTP Server Name";
    case 67: return "Bootfile name";
    case 80: return "Rapid Commit";
    case 81: return "Client Fully Qualified Domain Name";
    case 82: return "Agent Information Option";
    case 108: return "IPv6-Only Preferred";
    case 114: return "DHCP Captive-Portal";
    case 116: return "DHCP Auto-Configuration";
    case 119: return "Domain Search";
    case 121: return "Classless Static Route";
    case 145: return "Forcerenew Nonce Capable";
    case 252: return "Private/Proxy autodiscovery";
    case 255: return "End";
    default: return "Unknown";
    }
}

// "(3600s) 1 hour": seconds, and the whole unit they make.
std::string duration_text(uint32_t s)
{
    std::string t = strf("(%us)", s);
    if (s >= 86400 && s % 86400 == 0)
        t += strf(" %u day%s", s / 86400, s == 86400 ? "" : "s");
    else if (s >= 3600 && s % 3600 == 0)
        t += strf(" %u hour%s", s / 3600, s == 3600 ? "" : "s");
    else if (s >= 60 && s % 60 == 0)
        t += strf(" %u minute%s", s / 60, s == 60 ? "" : "s");
    return t;
}

bool nonzero(const IpAddress& a) { return a.valid() && load_be32(a.bytes.data()) != 0; }

// A NUL-terminated string field of the fixed header ("not given" when empty).
void header_string(Tvb t, Packet& p, FieldId f, size_t at, size_t len, const char* not_given)
{
    const std::string_view s = t.text(at).substr(0, len);
    const std::string_view v = s.substr(0, s.find('\0'));
    if (v.empty())
        p.add_note(t.begin() + at, len, std::string(not_given) + " not given");
    else
        p.add_text(f, t.begin() + at, len, v,
                   std::string(not_given) + ": " +
                       printable_text(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
}

// The BOOTP header (RFC 2131 2): 236 bytes, all there.
void fixed_tree(Tvb t, Packet& p, uint8_t op, uint8_t htype, uint8_t hlen, bool cookie)
{
    const size_t o = t.begin();
    p.add_uint(f0 + kType, o, 1, op,
               std::string("Message type: ") + (op == 1 ? "Boot Request" : op == 2 ? "Boot Reply" : "Unknown") + " (" +
                   std::to_string(op) + ")");
    p.add_uint(f0 + kHwType, o + 1, 1, htype, strf("Hardware type: %s (0x%02x)", htype == 1 ? "Ethernet" : "Unknown", htype));
    p.add_uint(f0 + kHwLen, o + 2, 1, hlen);
    p.add_uint(f0 + kHops, o + 3, 1, t.u8(3));
    p.add_uint(f0 + kId, o + 4, 4, t.be32(4));
    p.add_uint(f0 + kSecs, o + 8, 2, t.be16(8));
    const uint16_t flags = t.be16(10);
    p.add_uint(f0 + kFlags, o + 10, 2, flags, strf("Bootp flags: 0x%04x (%s)", flags, flags & 0x8000 ? "Broadcast" : "Unicast"));
    {
        Packet::Subtree sub(p);
        p.add_bits(f0 + kFlagsBc, o + 10, 2, flags >> 15,
                   bit_label(flags, 16, 0x8000, flags & 0x8000 ? "Broadcast flag: Broadcast" : "Broadcast flag: Unicast"));
        p.add_bits(f0 + kFlagsReserved, o + 10, 2, flags & 0x7FFF,
                   bit_label(flags, 16, 0x7FFF, strf("Reserved flags: 0x%04x", flags & 0x7FFF)));
    }
    p.add_ip(f0 + kIpClient, o + 12, 4, IpAddress::v4(t.bytes(12, 4)));
    p.add_ip(f0 + kIpYour, o + 16, 4, IpAddress::v4(t.bytes(16, 4)));
    p.add_ip(f0 + kIpServer, o + 20, 4, IpAddress::v4(t.bytes(20, 4)));
    p.add_ip(f0 + kIpRelay, o + 24, 4, IpAddress::v4(t.bytes(24, 4)));
    if (htype == 1 && hlen == 6) {
        MacAddress mac;
        std::copy_n(t.bytes(28, 6), 6, mac.bytes.begin());
        p.add_mac(f0 + kHwMacAddr, o + 28, 6, mac);
        p.add_text(f0 + kHwAddrPadding, o + 34, 10, t.text(34).substr(0, 10),
                   "Client hardware address padding: " + hex_text(t.bytes(34, 10), 10));
    } else {
        const size_t n = std::min<size_t>(hlen, 16);
        p.add_text(f0 + kHwAddr, o + 28, 16, t.text(28).substr(0, n), "Client hardware address: " + hex_text(t.bytes(28, n), n));
    }
    header_string(t, p, f0 + kServer, 44, 64, "Server host name");
    header_string(t, p, f0 + kFile, 108, 128, "Boot file name");
    if (cookie)
        p.add_ip(f0 + kCookie, o + kFixed, 4, IpAddress::v4(t.bytes(kFixed, 4)), "Magic cookie: DHCP");
}

// The options after the magic cookie (RFC 2132).
void options_tree(Tvb t, Packet& p)
{
    const size_t o = t.begin();
    const bool ether = t.u8(1) == 1 && t.u8(2) == 6; // the header has shown dhcp.hw.mac_addr
    size_t at = kFixed + 4;
    for (int n = 0; n < kMaxOptions && t.has(at, 1); ++n) {
        const uint8_t code = t.u8(at);
        if (code == 0) { // pad bytes up to the next option
            size_t end = at;
            while (t.has(end, 1) && t.u8(end) == 0)
                ++end;
            p.add_text(f0 + kOptionPadding, o + at, end - at, t.text(at).substr(0, end - at),
                       "Padding: " + hex_text(t.bytes(at, end - at), end - at, 16));
            at = end;
            continue;
        }
        if (code == 255) {
            p.add_uint(f0 + kOptionType, o + at, 1, code, "Option: (255) End");
            Packet::Subtree sub(p);
            p.add_uint(f0 + kOptionEnd, o + at, 1, code);
            at += 1;
            if (t.has(at, 1))
                p.add_text(f0 + kOptionPadding, o + at, t.length() - at, t.text(at),
                           "Padding: " + hex_text(t.bytes(at, t.length() - at), t.length() - at, 16));
            return;
        }
        if (!app_fits(p, t, at, 2, "DHCP option", false) || !app_fits(p, t, at + 2, t.u8(at + 1), "DHCP option", false))
            return;
        const uint8_t len = t.u8(at + 1);
        const size_t v = at + 2, ov = o + v;
        const uint8_t* const d = t.bytes(v, len);
        std::string label = strf("Option: (%u) %s", code, option_name(code));
        if (code == 53 && len == 1)
            label += std::string(" (") + (message_type(d[0]) ? message_type(d[0]) : "Unknown") + ")";
        else if ((code == 50 || code == 54 || code == 1 || code == 28) && len == 4)
            label += " (" + IpAddress::v4(d).to_string() + ")";
        p.add_uint(f0 + kOptionType, o + at, 1 + 1 + size_t(len), code, std::move(label));
        Packet::Subtree sub(p);
        p.add_uint(f0 + kOptionLength, o + at + 1, 1, len);
        const std::string_view value = t.text(v).substr(0, len);
        const std::string shown = printable_text(d, len);
        const auto ip_list = [&](FieldId f) {
            for (size_t i = 0; i + 4 <= len; i += 4)
                p.add_ip(f, ov + i, 4, IpAddress::v4(d + i), strf("%s: ", option_name(code)) + IpAddress::v4(d + i).to_string());
        };
        const auto text = [&](FieldId f) { p.add_text(f, ov, len, value.substr(0, value.find('\0')), strf("%s: ", option_name(code)) + shown); };
        const auto seconds = [&](FieldId f) {
            if (len == 4)
                p.add_uint(f, ov, 4, load_be32(d), strf("%s: ", option_name(code)) + duration_text(load_be32(d)));
        };
        switch (code) {
        case 1: ip_list(f0 + kOptionSubnetMask); break;
        case 3: ip_list(f0 + kOptionRouter); break;
        case 6: ip_list(f0 + kOptionDns); break;
        case 28: ip_list(f0 + kOptionBroadcast); break;
        case 42: ip_list(f0 + kOptionNtpServer); break;
        case 44: ip_list(f0 + kOptionNetbiosNs); break;
        case 12: text(f0 + kOptionHostname); break;
        case 15: text(f0 + kOptionDomainName); break;
        case 56: text(f0 + kOptionMessage); break;
        case 60: text(f0 + kOptionVendorClassId); break;
        case 66: text(f0 + kOptionTftpServer); break;
        case 67: text(f0 + kOptionBootfile); break;
        case 114: text(f0 + kOptionCaptivePortal); break;
        case 252: text(f0 + kOptionProxyAuto); break;
        case 50:
        case 54:
            if (len == 4)
                ip_list(f0 + (code == 50 ? kOptionRequestedIp : kOptionServerId));
            else if (len)
                p.add_text(f0 + kOptionValue, ov, len, value, "Value: " + hex_text(d, len));
            break;
        case 51: seconds(f0 + kOptionLeaseTime); break;
        case 58: seconds(f0 + kOptionRenewalTime); break;
        case 59: seconds(f0 + kOptionRebindingTime); break;
        case 53:
            if (len == 1)
                p.add_uint(f0 + kOptionDhcp, ov, 1, d[0],
                           std::string("DHCP: ") + (message_type(d[0]) ? message_type(d[0]) : "Unknown") + " (" +
                               std::to_string(d[0]) + ")");
            break;
        case 55:
            for (size_t i = 0; i < len; ++i)
                p.add_uint(f0 + kOptionRequestListItem, ov + i, 1, d[i],
                           strf("Parameter Request List Item: (%u) %s", d[i], option_name(d[i])));
            break;
        case 57:
            if (len == 2)
                p.add_uint(f0 + kOptionMaxMessageSize, ov, 2, load_be16(d));
            break;
        case 61:
            if (len == 7 && d[0] == 1) {
                // The client's hardware address again; the header's comes first.
                MacAddress mac;
                std::copy_n(d + 1, 6, mac.bytes.begin());
                if (ether) {
                    p.add_uint(f0 + kHwType, ov, 1, 1, "Hardware type: Ethernet (0x01)");
                    p.add_mac(f0 + kHwMacAddr, ov + 1, 6, mac);
                } else {
                    p.add_note(ov, 1, "Hardware type: Ethernet (0x01)");
                    p.add_note(ov + 1, 6, "Client MAC address: " + mac.to_string());
                }
                break;
            }
            [[fallthrough]];
        default:
            if (len)
                p.add_text(f0 + kOptionValue, ov, len, value, "Value: " + hex_text(d, len));
            break;
        }
        at = v + len;
    }
}

void dhcp(Tvb t, Packet& p)
{
    const bool tree = p.want_tree();
    Columns* const col = p.col();
    if ((!tree && !col && !p.names) || p.quoted())
        return;
    // BOOTP fixed part (RFC 2131): 236 bytes, then the magic cookie.
    const bool cookie = t.has(kFixed, 4) && t.be32(kFixed) == kMagicCookie;

    // One pass over the options for the names and the layer's label.
    std::string host;
    IpAddress requested;
    uint8_t type = 0;
    bool options_ok = true; // no option runs past the datagram
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
            if (!t.has(at, 2) || !t.has(at + 2, t.u8(at + 1))) {
                options_ok = false;
                break;
            }
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
    if (!tree && !col)
        return;

    const size_t layer = p.layer(f0 + kDhcp, t, "Dynamic Host Configuration Protocol");
    if (col)
        col->protocol = "DHCP";
    if (!app_fits(p, t, 0, kFixed, "BOOTP fixed part", false))
        return;
    const uint8_t op = t.u8(0), htype = t.u8(1), hlen = t.u8(2);
    const uint32_t xid = t.be32(4);
    const char* const op_name = op == 1 ? "Boot Request" : "Boot Reply";
    if (!cookie) {
        p.relabel(layer, "Bootstrap Protocol");
        if (col) {
            col->protocol = "BOOTP";
            col->info = strf("%s - Transaction ID 0x%08x", op_name, xid);
        }
    }
    if (tree)
        fixed_tree(t, p, op, htype, hlen, cookie);
    if (!cookie)
        return;
    if (tree)
        options_tree(t, p);
    if (!options_ok)
        return; // an option runs past the datagram: the tree says so
    const char* const tname = type ? (message_type(type) ? message_type(type) : "Unknown") : nullptr;
    if (tname)
        p.relabel(layer, strf("Dynamic Host Configuration Protocol (%s)", tname));
    if (col)
        col->info = tname ? strf("DHCP %s - Transaction ID 0x%08x", tname, xid)
                          : strf("%s - Transaction ID 0x%08x", op_name, xid);
}

} // namespace

void register_dhcp()
{
    f0 = register_fields(kFields, kCount);
    add_udp_port(67, dhcp);
    add_udp_port(68, dhcp);
}

} // namespace underhood::dissect
