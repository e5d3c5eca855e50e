// Hand-built packets, one per link type and protocol the dissector knows,
// each well formed: dissected whole, none may be flagged.
#pragma once

#include "packet_builder.h"

#include <cstdint>
#include <string>
#include <vector>

namespace underhood::test {

enum : uint32_t {
    kLinkNull = 0,
    kLinkEthernet = 1,
    kLinkPpp = 9,
    kLinkRaw = 101,
    kLinkCiscoHdlc = 104,
    kLinkWlan = 105,
    kLinkLoop = 108,
    kLinkSll = 113,
    kLinkRadiotap = 127,
    kLinkSll2 = 276,
};

struct SamplePacket {
    std::string name;
    uint32_t link_type;
    std::vector<uint8_t> bytes;
};

inline std::vector<uint8_t> dns_query(uint16_t id, const std::string& name, uint16_t type)
{
    FrameBuilder q;
    q.u16(id).u16(0x0100).u16(1).u16(0).u16(0).u16(0).raw(dns_name(name)).u16(type).u16(1);
    return q.data;
}

inline std::vector<uint8_t> dns_query_frame()
{
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 53}, 17).udp(51234, 53).raw(dns_query(0x1a2b, "example.com", 1));
    return b.finish();
}

inline std::vector<uint8_t> dns_response_frame()
{
    // A CNAME chain (the target written with a compression pointer), then the address.
    std::vector<uint8_t> cname_target = dns_name("edge");
    cname_target.pop_back();
    cname_target.insert(cname_target.end(), {0xC0, 12}); // "edge" + pointer to the question name
    FrameBuilder b;
    b.ether(0x0800, 0x02, 0x01).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 17).udp(53, 51234);
    b.raw(dns_response(
        "www.example.com", 1,
        {dns_rr("www.example.com", 5, cname_target), dns_rr("edge.www.example.com", 1, {93, 184, 216, 34})}));
    return b.finish();
}

inline std::vector<uint8_t> tls_client_hello_frame()
{
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 1}, {93, 184, 216, 34}, 6).tcp(51000, 443).raw(tls_client_hello("example.org"));
    return b.finish();
}

inline std::vector<uint8_t> tcp_syn_frame()
{
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 1}, {93, 184, 216, 34}, 6);
    b.u16(51000).u16(443).u32(0).u32(0).bytes({0xA0, 0x02}).u16(64240).u16(0).u16(0);
    b.bytes({2, 4, 0x05, 0xB4, 4, 2, 8, 10}).u32(123456).u32(0).bytes({1, 3, 3, 7}); // MSS, SACK_PERM, TS, NOP, WS
    return b.finish();
}

inline std::vector<uint8_t> arp_frame(uint16_t op)
{
    FrameBuilder b;
    if (op == 1)
        b.bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}).bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x01}).u16(0x0806);
    else
        b.ether(0x0806, 0x02, 0x01);
    b.u16(1).u16(0x0800).bytes({6, 4}).u16(op);
    if (op == 1)
        b.bytes({0, 0x11, 0x22, 0x33, 0x44, 0x01, 10, 0, 0, 1}).bytes({0, 0, 0, 0, 0, 0, 10, 0, 0, 2});
    else
        b.bytes({0, 0x11, 0x22, 0x33, 0x44, 0x02, 10, 0, 0, 2}).bytes({0, 0x11, 0x22, 0x33, 0x44, 0x01, 10, 0, 0, 1});
    return b.finish();
}

inline std::vector<uint8_t> dhcp_request_payload()
{
    FrameBuilder d;
    d.bytes({1, 1, 6, 0}).u32(0x3d1d2c4b).u16(0).u16(0x8000);
    d.raw(std::vector<uint8_t>(16, 0));                                             // ciaddr .. giaddr
    d.bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x01}).raw(std::vector<uint8_t>(10, 0)); // chaddr
    d.raw(std::vector<uint8_t>(64 + 128, 0));                                       // sname, file
    d.u32(0x63825363);
    d.bytes({53, 1, 3});
    d.bytes({50, 4, 192, 168, 1, 100});
    d.bytes({12, 6}).text("laptop");
    d.bytes({55, 4, 1, 3, 6, 15});
    d.bytes({255});
    return d.data;
}

inline std::vector<SamplePacket> sample_packets()
{
    std::vector<SamplePacket> s;
    s.push_back({"dns query", kLinkEthernet, dns_query_frame()});
    s.push_back({"dns response", kLinkEthernet, dns_response_frame()});
    s.push_back({"tls client hello", kLinkEthernet, tls_client_hello_frame()});
    s.push_back({"tcp syn", kLinkEthernet, tcp_syn_frame()});
    s.push_back({"arp request", kLinkEthernet, arp_frame(1)});
    s.push_back({"arp reply", kLinkEthernet, arp_frame(2)});
    {
        FrameBuilder b;
        b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 1).bytes({8, 0, 0xf7, 0xfe, 0, 1, 0, 1}).text("abcdefgh");
        s.push_back({"icmp echo", kLinkEthernet, b.finish()});
    }
    {
        // Port unreachable, quoting the IPv4 header and the first 8 bytes of a UDP datagram.
        FrameBuilder inner;
        inner.ipv4({10, 0, 0, 2}, {10, 0, 0, 1}, 17).udp(40000, 33434).text("0123456789");
        auto quoted = inner.finish();
        quoted.resize(28);
        FrameBuilder b;
        b.ether(0x0800, 0x01, 0x02).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 1).bytes({3, 3, 0, 0, 0, 0, 0, 0}).raw(quoted);
        s.push_back({"icmp port unreachable", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x0800)
            .ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 6)
            .tcp(51000, 80)
            .text("GET /path HTTP/1.1\r\nHost: example.com\r\nUser-Agent: underhood-test\r\n\r\n");
        s.push_back({"http get", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x0800).ipv4({0, 0, 0, 0}, {255, 255, 255, 255}, 17).udp(68, 67).raw(dhcp_request_payload());
        s.push_back({"dhcp request", kLinkEthernet, b.finish()});
    }
    {
        std::vector<uint8_t> ntp(48, 0);
        ntp[0] = 0x23; // version 4, client
        for (int i = 0; i < 8; ++i)
            ntp[size_t(40 + i)] = uint8_t(0xE9 + i);
        FrameBuilder b;
        b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 123}, 17).udp(40123, 123).raw(ntp);
        s.push_back({"ntp client", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.bytes({0x02, 0, 0, 0}).ipv4({127, 0, 0, 1}, {127, 0, 0, 1}, 6).tcp(40000, 22).text("SSH-2.0-OpenSSH_9.2\r\n");
        s.push_back({"null ssh", kLinkNull, b.finish()});
    }
    {
        // QUIC v1 Initial: DCID of 8 bytes, no SCID, no token, a 20-byte protected payload.
        FrameBuilder b;
        b.u16(0x86DD).u16(0).u32(2).u16(1).bytes({0, 6}).bytes({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0});
        b.ipv6(1, 2, 17)
            .udp(50000, 443)
            .bytes({0xC3})
            .u32(1)
            .bytes({8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0})
            .bytes({0x40, 20});
        b.raw(std::vector<uint8_t>(20, 0x5A));
        s.push_back({"sll2 quic initial", kLinkSll2, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x8100).vlan(0x0064, 0x86DD).ipv6(1, 2, 17).udp(5353, 5353).raw(dns_response("printer.local", 1, {}));
        s.push_back({"vlan ipv6 mdns", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x88A8)
            .vlan(0x0010, 0x8100)
            .vlan(0x0020, 0x0800)
            .ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17)
            .udp(40000, 53)
            .raw(dns_query(7, "a.example", 28));
        s.push_back({"qinq dns", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x8847)
            .u32(0x00010040)
            .u32(0x00020140)
            .ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 1)
            .bytes({8, 0, 0, 0, 0, 1, 0, 1});
        s.push_back({"mpls icmp", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x8864)
            .bytes({0x11, 0x00})
            .u16(0x0001)
            .u16(0)
            .u16(0x0021)
            .ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17)
            .udp(1000, 123)
            .raw(std::vector<uint8_t>(48, 0));
        auto f = b.finish();
        size_t ppp_len = f.size() - 14 - 6;
        f[18] = uint8_t(ppp_len >> 8);
        f[19] = uint8_t(ppp_len);
        f[50] = 0x1B; // NTP version 3, client
        s.push_back({"pppoe ntp", kLinkEthernet, f});
    }
    {
        FrameBuilder b;
        b.u32(30).ipv6(1, 2, 58).bytes({128, 0, 0, 0, 0, 1, 0, 1});
        s.push_back({"loop icmpv6 echo", kLinkLoop, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x86DD).ipv6(1, 2, 58).bytes({135, 0, 0, 0, 0, 0, 0, 0});
        b.bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
        b.bytes({1, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x01}); // source link-layer address
        s.push_back({"icmpv6 neighbor solicitation", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x86DD).ipv6(1, 2, 0).bytes({44, 0, 1, 4, 0, 0, 0, 0}); // hop-by-hop -> fragment
        b.bytes({17, 0, 0x00, 0x01, 0, 0, 0, 7});                       // first fragment, more follow
        b.udp(1234, 53).raw(dns_query(9, "frag.example", 1));
        s.push_back({"ipv6 extension headers", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17).udp(68, 67).raw(std::vector<uint8_t>(300, 0));
        s.push_back({"raw bootp", kLinkRaw, b.finish()});
    }
    {
        FrameBuilder b;
        b.u16(0)
            .u16(1)
            .u16(6)
            .bytes({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0})
            .u16(0x0800)
            .ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 6)
            .tcp(80, 40000)
            .text("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>");
        s.push_back({"sll http response", kLinkSll, b.finish()});
    }
    {
        // SCTP INIT (RFC 9260 3.3.2) with no parameters.
        FrameBuilder b;
        b.bytes({0xff, 0x03}).u16(0x0021).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 132);
        b.u16(5000).u16(5001).u32(0).u32(0);
        b.bytes({1, 0}).u16(20).u32(0xA1B2C3D4).u32(65536).u16(10).u16(10).u32(1);
        s.push_back({"ppp sctp init", kLinkPpp, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x0800)
            .ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 4)
            .ipv4({172, 16, 0, 1}, {172, 16, 0, 2}, 17)
            .udp(1, 2)
            .text("x");
        s.push_back({"ip in ip", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x0800).ipv4({198, 51, 100, 1}, {198, 51, 100, 2}, 47).u16(0x2000).u16(0x0800).u32(42);
        b.ipv4({10, 1, 0, 1}, {10, 2, 0, 1}, 6).tcp(40000, 80).text("GET / HTTP/1.1\r\nHost: inner.example\r\n\r\n");
        s.push_back({"gre http", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.bytes({0, 0, 8, 0, 0, 0, 0, 0});
        b.bytes({0x08, 0x01, 0, 0})
            .bytes({0, 1, 2, 3, 4, 5})
            .bytes({0, 1, 2, 3, 4, 6})
            .bytes({0, 1, 2, 3, 4, 7})
            .bytes({0x10, 0});
        b.bytes({0xAA, 0xAA, 0x03, 0, 0, 0})
            .u16(0x0800)
            .ipv4({192, 168, 1, 5}, {8, 8, 8, 8}, 17)
            .udp(5000, 53)
            .raw(dns_query(3, "x.example", 1));
        s.push_back({"radiotap wlan dns", kLinkRadiotap, b.finish()});
    }
    {
        // Radiotap with TSFT, flags, rate, channel and signal, then a beacon.
        FrameBuilder b;
        b.bytes({0, 0, 26, 0, 0x2f, 0, 0, 0});
        b.bytes({1, 2, 3, 4, 5, 6, 7, 8}).bytes({0x00, 0x02}).bytes({0x6c, 0x09, 0xa0, 0x00}).bytes({0xd8, 0, 0, 0});
        b.bytes({0x80, 0x00, 0, 0})
            .bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
            .bytes({0, 1, 2, 3, 4, 9})
            .bytes({0, 1, 2, 3, 4, 9})
            .bytes({0x20, 0x01});
        b.raw(std::vector<uint8_t>(8, 0)).bytes({0x64, 0x00, 0x11, 0x04});
        b.bytes({0, 4}).text("home").bytes({1, 2, 0x82, 0x84}).bytes({3, 1, 6});
        s.push_back({"radiotap beacon", kLinkRadiotap, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x0800).ipv4({10, 0, 0, 1}, {224, 0, 0, 22}, 2);
        auto f = b.finish();
        // Grow the header by a Router Alert option (RFC 2113), then an IGMPv2 report.
        f[14] = 0x46;
        f.insert(f.end(), {148, 4, 0, 0});
        f.insert(f.end(), {0x16, 0, 0, 0, 239, 255, 255, 250});
        f[16] = 0;
        f[17] = uint8_t(f.size() - 14);
        s.push_back({"ipv4 options igmp", kLinkEthernet, f});
    }
    {
        // IEEE 802.3 length field, LLC, a configuration BPDU.
        FrameBuilder b;
        b.bytes({0x01, 0x80, 0xc2, 0, 0, 0}).bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x01}).u16(38);
        b.bytes({0x42, 0x42, 0x03}).u16(0).bytes({0, 0, 0}).bytes({0x80, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x01}).u32(0);
        b.bytes({0x80, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x01}).u16(0x8001).u16(0).u16(20 * 256).u16(2 * 256).u16(15 * 256);
        s.push_back({"stp", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.bytes({0x0f, 0x00}).u16(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 1).bytes({0, 0, 0, 0, 0, 1, 0, 1});
        s.push_back({"cisco hdlc icmp", kLinkCiscoHdlc, b.finish()});
    }
    {
        FrameBuilder b;
        b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17).udp(40000, 4789).bytes({0x08, 0, 0, 0, 0, 0, 0x64, 0});
        b.ether(0x0800, 0x05, 0x06).ipv4({192, 168, 0, 1}, {192, 168, 0, 2}, 1).bytes({8, 0, 0, 0, 0, 2, 0, 3});
        s.push_back({"vxlan icmp", kLinkEthernet, b.finish()});
    }
    {
        FrameBuilder b;
        b.bytes({0x01, 0x80, 0xc2, 0, 0, 0x0e}).bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x01}).u16(0x88CC);
        b.u16(uint16_t(1 << 9 | 7)).bytes({4, 0x00, 0x11, 0x22, 0x33, 0x44, 0x01});
        b.u16(uint16_t(2 << 9 | 5)).bytes({5}).text("eth0");
        b.u16(uint16_t(3 << 9 | 2)).u16(120);
        b.u16(uint16_t(5 << 9 | 6)).text("switch");
        b.u16(0);
        s.push_back({"lldp", kLinkEthernet, b.finish()});
    }
    return s;
}

} // namespace underhood::test
