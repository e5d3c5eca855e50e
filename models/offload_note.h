// Why a captured packet does not look like what crossed the wire: the NIC
// and the kernel merge segments (GRO, LRO; TSO/GSO on the way out) and leave
// checksums to the card (checksum offload), after or before the capture
// point. The details pane says so next to such a packet, from the facts the
// capture helper recorded about the interface (capture/README.md, "NIC health").
//
// Details-pane work only: never on the ingest path.
#pragma once

#include "bytes.h"
#include "capture_reader.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace underhood {

struct InterfaceFacts {
    std::string name;
    std::optional<uint32_t> mtu;
    std::optional<std::array<uint8_t, 6>> mac;
    NicHealth::Offloads offloads;
};

// What the capture recorded about an interface (its IDB and start record).
InterfaceFacts interface_facts(const CaptureInterface& itf);

// One sentence per thing to explain (empty when nothing is unusual).
std::vector<std::string> explain_offloads(uint32_t link_type, Bytes data, uint32_t origlen, const InterfaceFacts& facts);

} // namespace underhood
