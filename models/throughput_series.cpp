#include "throughput_series.h"

#include <algorithm>
#include <limits>

namespace underhood {

namespace {

// Base bin i of `v` goes to bin (i + lead) >> doublings: `lead` empty bins
// in front make the merged bins start at multiples of the new width.
void merge_groups(std::vector<ThroughputBin>& v, unsigned doublings, uint64_t lead)
{
    if (v.empty())
        return;
    std::vector<ThroughputBin> out(size_t((uint64_t(v.size()) - 1 + lead) >> doublings) + 1);
    for (size_t i = 0; i < v.size(); ++i) {
        ThroughputBin& o = out[size_t((uint64_t(i) + lead) >> doublings)];
        o.packets += v[i].packets;
        o.bytes += v[i].bytes;
    }
    v.swap(out);
}

void accumulate(ThroughputBin& into, uint64_t packets, uint64_t bytes)
{
    into.packets += packets;
    into.bytes += bytes;
}

void grow_add(std::vector<ThroughputBin>& v, size_t i, uint64_t packets, uint64_t bytes)
{
    if (i >= v.size())
        v.resize(i + 1);
    accumulate(v[i], packets, bytes);
}

} // namespace

void ThroughputSeries::Track::add(size_t i, uint64_t packets, uint64_t bytes)
{
    size = std::max(size, i + 1);
    const size_t pg = i / kPage;
    const auto off = uint32_t(i % kPage);
    if (pg >= pages.size())
        pages.resize(pg + 1);
    Page& p = pages[pg];
    if (p.dense.empty() && packets > std::numeric_limits<uint32_t>::max()) {
        // Too much for a sparse entry: this page goes dense now.
        p.dense.resize(kPage);
        for (const Entry& e : p.sparse)
            p.dense[e.offset] = {e.packets, e.bytes};
        std::vector<Entry>().swap(p.sparse); // `= {}` would keep the capacity
    }
    if (!p.dense.empty()) {
        accumulate(p.dense[off], packets, bytes);
    } else {
        std::vector<Entry>& s = p.sparse;
        // Packets arrive in time order almost always: the entry is the last one or a new last one.
        if (!s.empty() && s.back().offset == off) {
            s.back().packets += uint32_t(packets);
            s.back().bytes += bytes;
        } else if (s.empty() || s.back().offset < off) {
            s.push_back({off, uint32_t(packets), bytes});
        } else {
            auto it = std::lower_bound(s.begin(), s.end(), off, [](const Entry& e, uint32_t o) { return e.offset < o; });
            if (it != s.end() && it->offset == off) {
                it->packets += uint32_t(packets);
                it->bytes += bytes;
            } else {
                s.insert(it, {off, uint32_t(packets), bytes});
            }
        }
        if (s.size() > kDenseAt) {
            p.dense.resize(kPage);
            for (const Entry& e : s)
                p.dense[e.offset] = {e.packets, e.bytes};
            std::vector<Entry>().swap(p.sparse); // `= {}` would keep the capacity
        }
    }
    grow_add(l1, i / kL1, packets, bytes);
    grow_add(l2, i / kL2, packets, bytes);
}

ThroughputBin ThroughputSeries::Track::sum_base(size_t from, size_t to) const
{
    ThroughputBin r;
    to = std::min(to, size);
    while (from < to) {
        const size_t pg = from / kPage;
        const size_t page_start = pg * kPage;
        const size_t end = std::min(to, page_start + kPage);
        if (pg < pages.size()) {
            const Page& p = pages[pg];
            if (!p.dense.empty()) {
                for (size_t k = from; k < end; ++k)
                    accumulate(r, p.dense[k - page_start].packets, p.dense[k - page_start].bytes);
            } else if (!p.sparse.empty()) {
                const auto lo = uint32_t(from - page_start), hi = uint32_t(end - page_start);
                auto it = std::lower_bound(p.sparse.begin(), p.sparse.end(), lo,
                                           [](const Entry& e, uint32_t o) { return e.offset < o; });
                for (; it != p.sparse.end() && it->offset < hi; ++it)
                    accumulate(r, it->packets, it->bytes);
            }
        }
        from = end;
    }
    return r;
}

ThroughputBin ThroughputSeries::Track::sum(size_t from, size_t to) const
{
    ThroughputBin r;
    to = std::min(to, size);
    while (from < to) {
        if (from % kL2 == 0 && from + kL2 <= to) {
            accumulate(r, l2[from / kL2].packets, l2[from / kL2].bytes);
            from += kL2;
        } else if (from % kL1 == 0 && from + kL1 <= to) {
            accumulate(r, l1[from / kL1].packets, l1[from / kL1].bytes);
            from += kL1;
        } else {
            const size_t next = std::min(to, (from / kL1 + 1) * kL1);
            const ThroughputBin b = sum_base(from, next);
            accumulate(r, b.packets, b.bytes);
            from = next;
        }
    }
    return r;
}

std::vector<ThroughputBin> ThroughputSeries::Track::dense() const
{
    std::vector<ThroughputBin> v(size);
    for (size_t pg = 0; pg < pages.size(); ++pg) {
        const Page& p = pages[pg];
        const size_t start = pg * kPage;
        if (!p.dense.empty()) {
            const size_t n = std::min(kPage, size - start);
            std::copy_n(p.dense.begin(), n, v.begin() + long(start));
        } else {
            for (const Entry& e : p.sparse)
                v[start + e.offset] = {e.packets, e.bytes};
        }
    }
    return v;
}

ThroughputSeries::Track ThroughputSeries::Track::from_dense(const std::vector<ThroughputBin>& v)
{
    Track t;
    for (size_t i = 0; i < v.size(); ++i)
        if (v[i].packets || v[i].bytes)
            t.add(i, v[i].packets, v[i].bytes);
    t.size = v.size();
    return t;
}

size_t ThroughputSeries::Track::memory_bytes() const
{
    size_t n = pages.capacity() * sizeof(Page) + (l1.capacity() + l2.capacity()) * sizeof(ThroughputBin);
    for (const Page& p : pages)
        n += p.sparse.capacity() * sizeof(Entry) + p.dense.capacity() * sizeof(ThroughputBin);
    return n;
}

ThroughputSeries::ThroughputSeries(int64_t base_ns, size_t max_bins)
    : base_ns_(std::max<int64_t>(base_ns, 1)), max_bins_(std::max<size_t>(max_bins, 16))
{
}

const ThroughputSeries::Track* ThroughputSeries::track(Proto p) const
{
    if (p == Proto::None)
        return &total_;
    return size_t(p) < per_proto_.size() ? &per_proto_[size_t(p)] : nullptr;
}

unsigned ThroughputSeries::doublings_to_hold(TimeWide ts) const
{
    const TimeWide lo = std::min(origin_, ts);
    const TimeWide hi = std::max(origin_ + TimeWide(total_.size) * base_ns_ - 1, ts); // the last time to hold
    unsigned k = 0;
    // Any two int64 times are less than 2^64 apart, so a width below 2^62
    // holds them in 16 bins (the fewest allowed): this ends within 62 steps.
    for (; k < 62 && (TimeWide(base_ns_) << (k + 1)) <= kTimeMax; ++k) {
        const TimeWide w = TimeWide(base_ns_) << k;
        if ((hi - floor_div(lo, w) * w) / w < TimeWide(max_bins_))
            break;
    }
    return k;
}

void ThroughputSeries::coarsen(unsigned doublings)
{
    // The merged bins start at multiples of the new width, as the first
    // origin was aligned to the first width.
    const TimeWide wide = TimeWide(base_ns_) << doublings;
    const TimeWide aligned = floor_div(origin_, wide) * wide;
    const auto lead = uint64_t((origin_ - aligned) / base_ns_); // below 2^doublings
    auto merge = [&](Track& t) {
        std::vector<ThroughputBin> v = t.dense();
        merge_groups(v, doublings, lead);
        t = Track::from_dense(v);
    };
    merge(total_);
    for (Track& t : per_proto_)
        if (t.size)
            merge(t);
    origin_ = aligned;
    base_ns_ = int64_t(wide);
}

void ThroughputSeries::prepend(size_t n)
{
    auto shift = [n](Track& t) {
        std::vector<ThroughputBin> v = t.dense();
        v.insert(v.begin(), n, ThroughputBin{});
        t = Track::from_dense(v);
    };
    shift(total_);
    for (Track& t : per_proto_)
        if (t.size)
            shift(t);
    origin_ -= TimeWide(n) * base_ns_;
}

void ThroughputSeries::add(int64_t ts_ns, uint64_t bytes, Proto top)
{
    const TimeWide ts = ts_ns;
    if (!started_) {
        started_ = true;
        // Align the origin to the bin width so bins of different captures line up.
        origin_ = floor_div(ts, base_ns_) * base_ns_;
    }
    const TimeWide d = ts - origin_;
    size_t idx;
    if (d >= 0 && d <= kTimeMax && uint64_t(int64_t(d) / base_ns_) < max_bins_) {
        idx = size_t(int64_t(d) / base_ns_); // the common case, in 64 bits
    } else {
        // Before the first bin or past the budget: coarsen once by whatever it
        // takes, then add bins in front; both fit the budget by construction.
        if (const unsigned k = doublings_to_hold(ts))
            coarsen(k);
        if (ts < origin_)
            prepend(size_t(ceil_div(origin_ - ts, base_ns_)));
        idx = size_t((ts - origin_) / base_ns_);
    }
    total_.add(idx, 1, bytes);
    if (size_t(top) < per_proto_.size())
        per_proto_[size_t(top)].add(idx, 1, bytes);
}

std::vector<ThroughputBin> ThroughputSeries::series(Proto p) const
{
    const Track* t = track(p);
    return t ? t->dense() : std::vector<ThroughputBin>{};
}

std::vector<Proto> ThroughputSeries::protocols() const
{
    std::vector<Proto> out;
    for (size_t i = 0; i < per_proto_.size(); ++i)
        if (per_proto_[i].size)
            out.push_back(Proto(i));
    return out;
}

std::vector<ThroughputBin> ThroughputSeries::rebin(int64_t width_ns, int64_t from_ns, int64_t to_ns, Proto p) const
{
    std::vector<ThroughputBin> out;
    if (width_ns <= 0 || to_ns <= from_ns)
        return out;
    // 128-bit: the range may span the whole int64 line, the width may be
    // rounded up past INT64_MAX.
    const TimeWide base = base_ns_;
    const TimeWide width = std::max<TimeWide>(1, ceil_div(width_ns, base)) * base;
    const TimeWide want = ceil_div(TimeWide(to_ns) - from_ns, width);
    const auto nbins = size_t(std::min<TimeWide>(want, TimeWide(kMaxRebinBins)));
    out.resize(nbins);
    const Track* t = track(p);
    if (!t || t->size == 0)
        return out;
    const auto size = TimeWide(t->size);
    // Output bin o takes the base bins whose start lies in
    // [from + o * width, from + (o + 1) * width), within [from, to). A bin
    // starting below INT64_MIN (the origin of times next to it) counts as
    // starting at INT64_MIN, so a range from INT64_MIN holds every packet.
    for (size_t o = 0; o < nbins; ++o) {
        const TimeWide lo = from_ns + TimeWide(o) * width;
        const TimeWide hi = std::min<TimeWide>(to_ns, lo + width);
        const TimeWide i0 = lo <= kTimeMin ? 0 : std::max<TimeWide>(0, ceil_div(lo - origin_, base));
        const TimeWide i1 = std::min(size, ceil_div(hi - origin_, base));
        if (i0 >= size)
            break;
        if (i0 < i1)
            out[o] = t->sum(size_t(i0), size_t(i1));
    }
    return out;
}

size_t ThroughputSeries::memory_bytes() const
{
    size_t n = total_.memory_bytes();
    for (const Track& t : per_proto_)
        n += t.memory_bytes();
    return n;
}

} // namespace underhood
