#include "packet_index.h"

#include <cstring>

namespace underhood {

uint64_t PacketStore::append(Bytes data)
{
    if (data.size() > kChunk)
        data = data.first(kChunk);
    uint64_t chunk = end_ / kChunk;
    if (end_ % kChunk + data.size() > kChunk || chunks_.empty() || chunk >= first_chunk_ + chunks_.size()) {
        // Start a new chunk: a packet never straddles two.
        if (!chunks_.empty() && end_ % kChunk != 0)
            end_ = (chunk + 1) * kChunk;
        if (chunks_.empty())
            first_chunk_ = end_ / kChunk;
        chunks_.emplace_back(new uint8_t[kChunk]);
    }
    uint64_t off = end_;
    std::memcpy(chunks_.back().get() + off % kChunk, data.data(), data.size());
    end_ += data.size();
    return off;
}

Bytes PacketStore::bytes(uint64_t offset, uint32_t caplen) const
{
    uint64_t chunk = offset / kChunk;
    if (chunk < first_chunk_ || chunk >= first_chunk_ + chunks_.size() || offset % kChunk + caplen > kChunk)
        return {};
    return {chunks_[size_t(chunk - first_chunk_)].get() + offset % kChunk, caplen};
}

void PacketStore::release_before(uint64_t offset)
{
    while (chunks_.size() > 1 && (first_chunk_ + 1) * kChunk <= offset) {
        chunks_.pop_front();
        ++first_chunk_;
    }
}

} // namespace underhood
