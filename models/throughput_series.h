// Packets and bytes per time bin, overall and per top-level protocol.
//
// Bins are kept at one base width (1 ms by default). When a capture spans more
// bins than the budget allows, the base width doubles and neighbours merge, so
// memory stays bounded whatever the file's duration. Views re-bin to any
// multiple of the base width by summing, which is cheap enough per zoom step.
#pragma once

#include "protocols.h"

#include <array>
#include <cstdint>
#include <vector>

namespace underhood {

struct ThroughputBin {
    uint64_t packets = 0;
    uint64_t bytes = 0;
};

class ThroughputSeries {
public:
    ThroughputSeries(int64_t base_ns = 1000000, size_t max_bins = size_t(1) << 17);

    void add(int64_t ts_ns, uint64_t bytes, Proto top);

    int64_t base_ns() const { return base_ns_; }
    int64_t origin_ns() const { return origin_ns_; }
    size_t bin_count() const { return total_.size(); }
    const std::vector<ThroughputBin>& total() const { return total_; }
    // Empty when the protocol never appeared.
    const std::vector<ThroughputBin>& series(Proto p) const;
    std::vector<Proto> protocols() const;

    // Sums base bins into bins of `width_ns` (rounded up to a multiple of the
    // base width) covering [from_ns, to_ns). Proto::None means all protocols.
    std::vector<ThroughputBin> rebin(int64_t width_ns, int64_t from_ns, int64_t to_ns, Proto p = Proto::None) const;

private:
    void coarsen();
    void grow_to(size_t n);
    void prepend(size_t n);

    int64_t base_ns_;
    size_t max_bins_;
    int64_t origin_ns_ = 0;
    bool started_ = false;
    std::vector<ThroughputBin> total_;
    std::array<std::vector<ThroughputBin>, size_t(Proto::Count)> per_proto_;
};

} // namespace underhood
