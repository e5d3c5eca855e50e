// Feeds hand-made Ethernet frames to a TrafficModel as the engine does
// (decode, then add). The caller keeps the frame's bytes alive.
#pragma once

#include "packet_decoder.h"
#include "traffic_model.h"

#include <cstdint>
#include <vector>

namespace underhood::test {

// `origlen` 0: the frame was captured whole.
inline void feed_frame(TrafficModel& m, const std::vector<uint8_t>& f, int64_t ts_ns, uint32_t origlen = 0)
{
    PacketRecord rec;
    rec.link_type = 1;
    rec.ts_ns = ts_ns;
    rec.caplen = uint32_t(f.size());
    rec.origlen = origlen ? origlen : uint32_t(f.size());
    rec.data = Bytes(f.data(), f.size());
    DecodedPacket dp;
    decode_packet(rec.link_type, rec.data, rec.origlen, dp);
    m.add(rec, dp);
}

} // namespace underhood::test
