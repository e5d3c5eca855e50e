#include "throughput_series.h"

#include <algorithm>
#include <limits>

namespace underhood {

namespace {

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

int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        --q;
    return q;
}

int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

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

void ThroughputSeries::coarsen()
{
    // Bins merge in pairs from an origin aligned to the doubled width.
    if ((origin_ns_ / base_ns_) % 2 != 0)
        prepend(1);
    base_ns_ *= 2;
    auto merge = [](Track& t) {
        std::vector<ThroughputBin> v = t.dense();
        merge_pairs(v);
        t = Track::from_dense(v);
    };
    merge(total_);
    for (Track& t : per_proto_)
        if (t.size)
            merge(t);
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
        if (total_.size + size_t(need) > max_bins_) {
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
    total_.add(size_t(idx), 1, bytes);
    if (size_t(top) < per_proto_.size())
        per_proto_[size_t(top)].add(size_t(idx), 1, bytes);
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
    const int64_t factor = std::max<int64_t>(1, (width_ns + base_ns_ - 1) / base_ns_);
    const int64_t width = factor * base_ns_;
    const size_t nbins = size_t((to_ns - from_ns + width - 1) / width);
    out.resize(nbins);
    const Track* t = track(p);
    if (!t || t->size == 0)
        return out;
    // Output bin o takes the base bins whose start lies in
    // [from + o * width, from + (o + 1) * width), within [from, to).
    for (size_t o = 0; o < nbins; ++o) {
        const int64_t lo = from_ns + int64_t(o) * width;
        const int64_t hi = std::min(to_ns, lo + width);
        const int64_t i0 = std::max<int64_t>(0, ceil_div(lo - origin_ns_, base_ns_));
        const int64_t i1 = std::min<int64_t>(int64_t(t->size), ceil_div(hi - origin_ns_, base_ns_));
        if (i0 >= int64_t(t->size))
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
