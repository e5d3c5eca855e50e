// A packet's summary: what the aggregation keys on, filled by the protocol
// engine (models/dissect/) with no allocation; decode_packet runs the engine
// with this output alone. Outcomes follow tcpdump and Wireshark: "truncated" means the
// capture ran out of bytes (snaplen), "malformed" means the packet itself is
// inconsistent (a length field claims more than the frame holds).
#pragma once

#include "address.h"
#include "bytes.h"
#include "protocols.h"

#include <array>
#include <cstdint>
#include <string>

namespace underhood {

struct DecodedPacket {
    enum Flag : uint16_t {
        Truncated = 1 << 0,
        Malformed = 1 << 1,
        Fragment = 1 << 2,    // an IP fragment other than the first
        HasMac = 1 << 3,      // mac_src/mac_dst are set
        HasIp = 1 << 4,       // ip_src/ip_dst (outermost) are set
        HasPorts = 1 << 5,    // port_src/port_dst with their enclosing IP are set
        Encrypted = 1 << 6,   // 802.11 protected frame, ESP
    };
    static constexpr int kMaxDepth = 16;

    uint16_t flags = 0;
    uint8_t depth = 0;
    std::array<Proto, kMaxDepth> path{};
    const char* problem = nullptr; // static text saying why Truncated/Malformed

    MacAddress mac_src, mac_dst;
    IpAddress ip_src, ip_dst;           // outermost IP header
    IpAddress port_ip_src, port_ip_dst; // IP header that carries the first TCP/UDP
    uint16_t port_src = 0, port_dst = 0;
    Proto transport = Proto::None; // Tcp or Udp when HasPorts

    // The application payload (for passive name discovery), as offsets into the packet data.
    Proto app = Proto::None;
    uint32_t app_offset = 0;
    uint32_t app_length = 0;
    uint32_t ip_offset = 0; // offset of the outermost IP header

    bool has(Flag f) const { return flags & f; }
    Proto top() const { return depth ? path[depth - 1] : Proto::None; }
    bool contains(Proto p) const
    {
        for (int i = 0; i < depth; ++i)
            if (path[i] == p)
                return true;
        return false;
    }
    std::string path_string() const; // "eth:ipv4:tcp:tls"
};

// Decodes one packet. `data` is what was captured, `origlen` its length on the wire.
void decode_packet(uint32_t link_type, Bytes data, uint32_t origlen, DecodedPacket& out);

// True when the decoder understands this link type.
bool link_type_supported(uint32_t link_type);

} // namespace underhood
