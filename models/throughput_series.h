// Packets and bytes per time bin, overall and per top-level protocol.
//
// Bins are kept at one base width (1 ms by default). When a capture spans more
// bins than the budget allows, the base width doubles and neighbours merge, so
// memory stays bounded whatever the file's duration. Views re-bin to any
// multiple of the base width by summing.
//
// Any 64-bit time stamp is taken, in any order: the arithmetic on times is
// 128-bit, and a packet far from the others coarsens the bins once by as many
// doublings as it needs (a jump of two centuries costs one pass, not a loop
// over the centuries).
//
// Two things keep an hour of 1 ms bins (3.6 million per series) cheap:
// * storage in pages of 256 bins that hold only their non-empty bins until
//   they fill up, so a protocol seen a few times a second costs a few bytes a
//   second instead of 16 kB (the overall series, busy everywhere, ends up dense);
// * running sums over 64 and 4096 bins, so re-binning the whole hour into a
//   few thousand bins reads a few hundred thousand numbers, not millions.
#pragma once

#include "protocols.h"
#include "time_math.h"

#include <array>
#include <cstdint>
#include <vector>

namespace underhood {

struct ThroughputBin {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    bool operator==(const ThroughputBin&) const = default;
};

class ThroughputSeries {
public:
    ThroughputSeries(int64_t base_ns = 1000000, size_t max_bins = size_t(1) << 17);

    void add(int64_t ts_ns, uint64_t bytes, Proto top);

    int64_t base_ns() const { return base_ns_; }
    // The start of bin 0. Only a series holding a time within one bin of
    // INT64_MIN starts below the int64 range; its origin reads as INT64_MIN.
    int64_t origin_ns() const { return clamp_time(origin_); }
    size_t bin_count() const { return total_.size; }
    // Every base bin, from the origin (a copy: the series is stored sparsely).
    std::vector<ThroughputBin> total() const { return total_.dense(); }
    // Empty when the protocol never appeared.
    std::vector<ThroughputBin> series(Proto p) const;
    std::vector<Proto> protocols() const;

    // Sums base bins into bins of `width_ns` (rounded up to a multiple of the
    // base width) covering [from_ns, to_ns): a base bin counts in the output
    // bin that holds its start (a start below INT64_MIN counts as INT64_MIN).
    // Proto::None means all protocols. At most
    // kMaxRebinBins bins: a range that needs more is cut short at its end.
    static constexpr size_t kMaxRebinBins = size_t(1) << 22;
    std::vector<ThroughputBin> rebin(int64_t width_ns, int64_t from_ns, int64_t to_ns, Proto p = Proto::None) const;

    // Heap bytes held by the bins.
    size_t memory_bytes() const;

private:
    // One series of base bins.
    struct Track {
        static constexpr size_t kPage = 256;   // base bins per page
        static constexpr size_t kDenseAt = 64; // a page with more non-empty bins turns dense
        static constexpr size_t kL1 = 64, kL2 = 4096;
        struct Entry {
            uint32_t offset; // in the page
            uint32_t packets;
            uint64_t bytes;
        };
        struct Page {
            std::vector<Entry> sparse;       // sorted by offset, while the page is sparse
            std::vector<ThroughputBin> dense; // kPage bins once it is not
        };
        size_t size = 0; // one past the last bin ever touched
        std::vector<Page> pages;
        std::vector<ThroughputBin> l1, l2; // sums of kL1 and kL2 base bins

        void add(size_t i, uint64_t packets, uint64_t bytes);
        ThroughputBin sum(size_t from, size_t to) const; // base bins [from, to)
        ThroughputBin sum_base(size_t from, size_t to) const;
        std::vector<ThroughputBin> dense() const;
        static Track from_dense(const std::vector<ThroughputBin>& v);
        size_t memory_bytes() const;
    };

    // Doubles the base width `doublings` times, in one pass.
    void coarsen(unsigned doublings);
    void prepend(size_t n);
    // Doublings of the base width after which bins from origin_ (or `ts`, if
    // earlier) to the last bin (or `ts`, if later) number at most max_bins_.
    unsigned doublings_to_hold(TimeWide ts) const;
    const Track* track(Proto p) const;

    int64_t base_ns_;
    size_t max_bins_;
    TimeWide origin_ = 0; // a multiple of base_ns_, at or before every time added
    bool started_ = false;
    Track total_;
    std::array<Track, size_t(Proto::Count)> per_proto_;
};

} // namespace underhood
