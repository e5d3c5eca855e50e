#include "packet_summary.h"

#include "packet_dissector.h"

namespace underhood {

PacketSummary summarize_packet(uint32_t link_type, Bytes data, uint32_t origlen)
{
    Dissection d = dissect_packet(link_type, data, origlen);
    PacketSummary s;
    s.source = std::move(d.source);
    s.destination = std::move(d.destination);
    s.protocol = d.protocol.empty() ? "?" : std::move(d.protocol);
    s.info = std::move(d.info);
    if (!d.problem.empty() && s.info.find(d.problem) == std::string::npos)
        s.info += (s.info.empty() ? "[" : " [") + d.problem + "]";
    return s;
}

} // namespace underhood
