// Where each packet's bytes live, and what the packet list needs to show a
// row without touching the bytes: 32 bytes per packet.
#pragma once

#include "bytes.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace underhood {

struct PacketIndexEntry {
    enum Flag : uint8_t { Truncated = 1, Malformed = 2, Timed = 4, Commented = 8 };
    uint64_t offset = 0; // of the packet bytes: in the mapped file, or in the packet store
    int64_t ts_ns = 0;
    uint32_t caplen = 0;
    uint32_t origlen = 0;
    uint16_t interface_id = 0;
    uint8_t flags = 0;
    uint8_t top = 0; // Proto of the highest decoded layer
    uint32_t reserved = 0;
};
static_assert(sizeof(PacketIndexEntry) == 32);

// Packet bytes copied from a stream (live capture, pipe), kept for the last
// `max_packets` packets: chunks of 4 MiB dropped oldest first.
class PacketStore {
public:
    static constexpr size_t kChunk = size_t(4) << 20;

    // Returns the offset to find the bytes again.
    uint64_t append(Bytes data);
    // Empty when the bytes were dropped to keep the store within bounds.
    Bytes bytes(uint64_t offset, uint32_t caplen) const;
    // Drops chunks that lie wholly before `offset`.
    void release_before(uint64_t offset);
    size_t memory() const { return chunks_.size() * kChunk; }

private:
    std::deque<std::unique_ptr<uint8_t[]>> chunks_;
    uint64_t first_chunk_ = 0; // chunk number of chunks_.front()
    uint64_t end_ = 0;         // offset one past the last byte written
};

} // namespace underhood
