#include "packet_summary.h"

#include "packet_decoder.h"

#include <algorithm>
#include <cctype>

namespace underhood {

PacketSummary summarize_packet(uint32_t link_type, Bytes data, uint32_t origlen)
{
    DecodedPacket dp;
    decode_packet(link_type, data, origlen, dp);
    PacketSummary s;
    if (dp.has(DecodedPacket::HasIp)) {
        s.source = dp.ip_src.to_string();
        s.destination = dp.ip_dst.to_string();
    } else if (dp.has(DecodedPacket::HasMac)) {
        s.source = dp.mac_src.to_string();
        s.destination = dp.mac_dst.to_string();
    }
    std::string proto(proto_name(dp.top()));
    std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    s.protocol = dp.depth ? proto : "?";
    if (dp.has(DecodedPacket::HasPorts))
        s.info = std::to_string(dp.port_src) + " → " + std::to_string(dp.port_dst);
    if (dp.has(DecodedPacket::Fragment))
        s.info += (s.info.empty() ? "" : " ") + std::string("Fragment");
    if (dp.problem)
        s.info += (s.info.empty() ? "" : " ") + std::string("[") + dp.problem + "]";
    return s;
}

} // namespace underhood
