// A bounded queue of finished pcapng blocks between the thread that empties
// the kernel ring and the thread that writes the stream. The capture side never waits: when the
// writer falls behind and the budget is spent, packets are counted as the
// helper's drops instead of stalling the ring.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "pcapng_writer.h"

namespace underhood::capture {

class PacketQueue {
public:
    static constexpr size_t kChunkSize = size_t(1) << 20;

    explicit PacketQueue(size_t budget_bytes) : max_chunks_(std::max<size_t>(2, budget_bytes / kChunkSize)) {}

    // Capture side: the packet as a finished EPB, so the writer thread only
    // writes chunks out. Returns false (and counts nothing) when there is no room.
    bool push_packet(uint32_t itf, int64_t ts_ns, const uint8_t* data, uint32_t caplen, uint32_t len,
                     const uint8_t* vlan_tag = nullptr)
    {
        const bool tag = vlan_tag && caplen >= 12;
        const uint32_t cap = caplen + (tag ? 4 : 0);
        uint8_t* p = reserve(PcapngWriter::packet_block_size(cap), false);
        if (!p)
            return false;
        if (tag) {
            // The tag goes back after the two MAC addresses, as it was on the wire.
            uint8_t head[16];
            std::memcpy(head, data, 12);
            std::memcpy(head + 12, vlan_tag, 4);
            PcapngWriter::encode_packet_block(p, itf, uint64_t(ts_ns), {head, 16}, {data + 12, caplen - 12u}, len + 4);
        } else {
            PcapngWriter::encode_packet_block(p, itf, uint64_t(ts_ns), {data, caplen}, {}, len);
        }
        ++current_->packets;
        return true;
    }

    // Capture side; statistics are never dropped (they may exceed the budget).
    void push_statistics(const PcapngInterfaceStatistics& st)
    {
        uint8_t* p = reserve(PcapngWriter::statistics_block_size(st), true);
        PcapngWriter::encode_statistics_block(p, st);
    }

    // Capture side: hands the partly filled chunk to the writer (low latency at low rates).
    void publish()
    {
        if (current_ && current_->used) {
            std::lock_guard lock(mutex_);
            full_.push_back(std::move(current_));
            cv_.notify_one();
        }
    }

    void close()
    {
        publish();
        std::lock_guard lock(mutex_);
        closed_ = true;
        cv_.notify_all();
    }

    struct Chunk {
        std::unique_ptr<uint8_t[]> bytes{new uint8_t[kChunkSize]};
        size_t used = 0;
        size_t capacity = kChunkSize;
        uint64_t packets = 0; // EPBs among the blocks
    };

    // Writer side: the next chunk, or null once closed and empty.
    std::unique_ptr<Chunk> pop()
    {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return !full_.empty() || closed_; });
        if (full_.empty())
            return nullptr;
        auto c = std::move(full_.front());
        full_.pop_front();
        return c;
    }

    // Writer side: a chunk written out returns to the pool.
    void recycle(std::unique_ptr<Chunk> c)
    {
        std::lock_guard lock(mutex_);
        c->used = 0;
        c->packets = 0;
        if (c->capacity == kChunkSize && allocated_ <= max_chunks_)
            free_.push_back(std::move(c));
        else
            --allocated_;
    }

private:
    uint8_t* reserve(size_t need, bool must)
    {
        if (current_ && current_->capacity - current_->used >= need) {
            uint8_t* p = current_->bytes.get() + current_->used;
            current_->used += need;
            return p;
        }
        publish();
        std::lock_guard lock(mutex_);
        if (!free_.empty()) {
            current_ = std::move(free_.back());
            free_.pop_back();
        } else if (allocated_ < max_chunks_ || must) {
            current_ = std::make_unique<Chunk>();
            if (need > current_->capacity) {
                current_->bytes.reset(new uint8_t[need]);
                current_->capacity = need;
            }
            ++allocated_;
        } else {
            return nullptr;
        }
        if (need > current_->capacity)
            return nullptr;
        uint8_t* p = current_->bytes.get();
        current_->used = need;
        return p;
    }

    size_t max_chunks_;
    size_t allocated_ = 0; // chunks alive: in the pool, being filled, queued or being written
    std::unique_ptr<Chunk> current_;
    std::deque<std::unique_ptr<Chunk>> full_;
    std::vector<std::unique_ptr<Chunk>> free_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool closed_ = false;
};

} // namespace underhood::capture
