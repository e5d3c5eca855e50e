#include "offload_note.h"

#include "packet_decoder.h"
#include "wire_constants.h"

#include <cstring>

namespace underhood {

namespace {

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

// RFC 1071 ones'-complement sum, unfolded.
uint32_t sum16(const uint8_t* p, size_t n, uint32_t sum = 0)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += be16(p + i);
    if (n & 1)
        sum += uint32_t(p[n - 1]) << 8;
    return sum;
}

uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(sum);
}

std::string hex16(uint16_t v)
{
    static const char* digits = "0123456789abcdef";
    std::string s = "0x0000";
    for (int i = 0; i < 4; ++i)
        s[size_t(5 - i)] = digits[(v >> (4 * i)) & 0xf];
    return s;
}

// Did this host send the packet? Ethernet: its source is the interface's
// address; Linux cooked captures say so in the packet type (4: outgoing).
bool outgoing(uint32_t link_type, Bytes data, const DecodedPacket& dp, const InterfaceFacts& f)
{
    if (link_type == wire::kLinkSll && data.size() >= 2)
        return be16(data.data()) == 4;
    if (link_type == wire::kLinkSll2 && data.size() >= 11)
        return data[10] == 4;
    return f.mac && dp.has(DecodedPacket::HasMac) && dp.mac_src.bytes == *f.mac;
}

} // namespace

InterfaceFacts interface_facts(const CaptureInterface& itf)
{
    InterfaceFacts f;
    f.name = itf.name;
    f.mac = itf.mac;
    if (itf.health) {
        f.mtu = itf.health->mtu;
        f.offloads = itf.health->offloads;
    }
    return f;
}

std::vector<std::string> explain_offloads(uint32_t link_type, Bytes data, uint32_t origlen, const InterfaceFacts& f)
{
    std::vector<std::string> out;
    DecodedPacket dp;
    decode_packet(link_type, data, origlen, dp);
    if (!dp.has(DecodedPacket::HasIp))
        return out;
    const std::string itf = f.name.empty() ? "IFACE" : f.name;
    const bool sent = outgoing(link_type, data, dp, f);
    if (f.mtu && origlen > dp.ip_offset && origlen - dp.ip_offset > *f.mtu) {
        const std::string size = std::to_string(origlen - dp.ip_offset);
        const std::string mtu = std::to_string(*f.mtu);
        if (sent)
            out.push_back("The IP packet (" + size + " bytes) is longer than the MTU (" + mtu +
                          "): the kernel handed the card one large segment to cut into MTU-sized frames on the wire "
                          "(TSO/GSO); turn it off with ethtool -K " + itf + " tso off gso off");
        else
            out.push_back("The IP packet (" + size + " bytes) is longer than the MTU (" + mtu +
                          "): the NIC or kernel merged segments (GRO/LRO/TSO); turn it off with ethtool -K " + itf +
                          " gro off");
    }
    if (!sent || dp.has(DecodedPacket::Fragment) || !dp.has(DecodedPacket::HasPorts))
        return out;
    // The transport header right behind the outermost IP header only: its
    // pseudo-header is the one read here.
    const size_t ip = dp.ip_offset;
    if (ip >= data.size())
        return out;
    const uint8_t version = data[ip] >> 4;
    size_t l4 = 0, l4_len = 0;
    uint8_t proto = 0;
    uint32_t pseudo = 0;
    if (version == 4 && data.size() >= ip + 20) {
        const size_t ihl = size_t(data[ip] & 0xf) * 4;
        const size_t total = be16(data.data() + ip + 2);
        if (ihl < 20 || total < ihl)
            return out;
        proto = data[ip + 9];
        l4 = ip + ihl;
        l4_len = total - ihl;
        pseudo = sum16(data.data() + ip + 12, 8) + proto + uint32_t(l4_len);
    } else if (version == 6 && data.size() >= ip + 40) {
        proto = data[ip + 6];
        l4 = ip + 40;
        l4_len = be16(data.data() + ip + 4);
        pseudo = sum16(data.data() + ip + 8, 32) + proto + uint32_t(l4_len >> 16) + uint32_t(l4_len & 0xffff);
    } else {
        return out;
    }
    const bool tcp = proto == 6, udp = proto == 17;
    if ((!tcp && !udp) || l4 + l4_len > data.size() || l4_len < (tcp ? 20u : 8u))
        return out; // not the first header, or not all of it captured: nothing to check
    const size_t at = l4 + (tcp ? 16 : 6);
    const uint16_t stored = be16(data.data() + at);
    if (udp && version == 4 && stored == 0)
        return out; // IPv4 UDP without a checksum is allowed
    const bool valid = fold(sum16(data.data() + l4, l4_len, pseudo)) == 0xffff;
    if (valid)
        return out;
    const char* name = tcp ? "TCP" : "UDP";
    out.push_back(std::string(name) + " checksum " + hex16(stored) + (stored == 0 ? " is zero" : " is wrong") +
                  " on an outgoing packet: the network card fills it in after the capture point (checksum "
                  "offload), so on the wire it is right; ethtool -K " + itf +
                  " tx off makes the kernel compute it before the capture");
    return out;
}

} // namespace underhood
