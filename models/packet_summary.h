// The packet list's columns for one packet: source, destination, protocol, info.
#pragma once

#include "bytes.h"

#include <string>

namespace underhood {

struct PacketSummary {
    std::string source, destination, protocol, info;
};

PacketSummary summarize_packet(uint32_t link_type, Bytes data, uint32_t origlen);

} // namespace underhood
