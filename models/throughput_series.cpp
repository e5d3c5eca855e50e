#include "throughput_series.h"

#include <algorithm>

namespace underhood {

namespace {
const std::vector<ThroughputBin> kEmpty;

void merge_pairs(std::vector<ThroughputBin>& v)
{
    size_t n = (v.size() + 1) / 2;
    for (size_t i = 0; i < n; ++i) {
        ThroughputBin b = v[2 * i];
        if (2 * i + 1 < v.size()) {
            b.packets += v[2 * i + 1].packets;
            b.bytes += v[2 * i + 1].bytes;
        }
        v[i] = b;
    }
    v.resize(n);
}
} // namespace

ThroughputSeries::ThroughputSeries(int64_t base_ns, size_t max_bins)
    : base_ns_(std::max<int64_t>(base_ns, 1)), max_bins_(std::max<size_t>(max_bins, 16))
{
}

void ThroughputSeries::coarsen()
{
    // Bins merge in pairs from an origin aligned to the doubled width.
    if ((origin_ns_ / base_ns_) % 2 != 0) {
        prepend(1);
    }
    base_ns_ *= 2;
    merge_pairs(total_);
    for (auto& v : per_proto_)
        if (!v.empty())
            merge_pairs(v);
}

void ThroughputSeries::prepend(size_t n)
{
    total_.insert(total_.begin(), n, ThroughputBin{});
    for (auto& v : per_proto_)
        if (!v.empty())
            v.insert(v.begin(), n, ThroughputBin{});
    origin_ns_ -= int64_t(n) * base_ns_;
}

void ThroughputSeries::add(int64_t ts_ns, uint64_t bytes, Proto top)
{
    if (!started_) {
        started_ = true;
        // Align the origin to the bin width so bins of different captures line up.
        origin_ns_ = ts_ns - ((ts_ns % base_ns_) + base_ns_) % base_ns_;
    }
    while (ts_ns < origin_ns_) {
        int64_t need = (origin_ns_ - ts_ns + base_ns_ - 1) / base_ns_;
        if (total_.size() + size_t(need) > max_bins_) {
            coarsen();
            continue;
        }
        prepend(size_t(need));
    }
    int64_t idx = (ts_ns - origin_ns_) / base_ns_;
    while (size_t(idx) >= max_bins_) {
        coarsen();
        idx = (ts_ns - origin_ns_) / base_ns_;
    }
    size_t i = size_t(idx);
    if (i >= total_.size())
        total_.resize(i + 1);
    total_[i].packets += 1;
    total_[i].bytes += bytes;
    auto& v = per_proto_[size_t(top)];
    if (i >= v.size())
        v.resize(i + 1);
    v[i].packets += 1;
    v[i].bytes += bytes;
}

const std::vector<ThroughputBin>& ThroughputSeries::series(Proto p) const
{
    if (p == Proto::None)
        return total_;
    return size_t(p) < per_proto_.size() ? per_proto_[size_t(p)] : kEmpty;
}

std::vector<Proto> ThroughputSeries::protocols() const
{
    std::vector<Proto> out;
    for (size_t i = 0; i < per_proto_.size(); ++i)
        if (!per_proto_[i].empty())
            out.push_back(Proto(i));
    return out;
}

std::vector<ThroughputBin> ThroughputSeries::rebin(int64_t width_ns, int64_t from_ns, int64_t to_ns, Proto p) const
{
    std::vector<ThroughputBin> out;
    if (width_ns <= 0 || to_ns <= from_ns)
        return out;
    int64_t factor = std::max<int64_t>(1, (width_ns + base_ns_ - 1) / base_ns_);
    int64_t width = factor * base_ns_;
    size_t nbins = size_t((to_ns - from_ns + width - 1) / width);
    out.resize(nbins);
    const auto& src = series(p);
    // Base bins whose start lies in [from, to) are summed into the output bin
    // that holds their start.
    int64_t first = std::max<int64_t>(0, (from_ns - origin_ns_ + base_ns_ - 1) / base_ns_);
    for (int64_t i = first; i < int64_t(src.size()); ++i) {
        int64_t start = origin_ns_ + i * base_ns_;
        if (start >= to_ns)
            break;
        size_t o = size_t((start - from_ns) / width);
        out[o].packets += src[size_t(i)].packets;
        out[o].bytes += src[size_t(i)].bytes;
    }
    return out;
}

} // namespace underhood
