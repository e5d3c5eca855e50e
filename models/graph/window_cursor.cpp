#include "window_cursor.h"

#include "time_math.h"

#include <algorithm>
#include <optional>

namespace underhood {

WindowCursor::WindowCursor(const IngestEngine& engine, TrafficWindow& window) : engine_(engine), window_(window) {}

void WindowCursor::set_spans(const WindowSpans& spans)
{
    spans_ = spans;
    // The shorter spans are suffixes of the main window.
    if (spans_.window_ns > 0) {
        spans_.rate_ns = std::min(spans_.rate_ns, spans_.window_ns);
        spans_.recent_ns = std::min(spans_.recent_ns, spans_.window_ns);
    }
    spans_.rate_ns = std::max<int64_t>(spans_.rate_ns, 1);
    spans_.recent_ns = std::max<int64_t>(spans_.recent_ns, 1);
    if (positioned_) {
        const int64_t t = time_;
        reset();
        seek(t);
    }
}

void WindowCursor::reset()
{
    window_.clear();
    positioned_ = false;
    mask_.reset();
    first_ = hi_ = 1;
    lo_ = {1, 1, 1};
    time_ = 0;
}

std::array<uint64_t, 3> WindowCursor::lows_for(const IngestEngine::State& st, int64_t t, uint64_t hi) const
{
    std::array<uint64_t, 3> lo{};
    const uint64_t first = st.first_number;
    const auto end = st.index.begin() + long(std::min<uint64_t>(hi - first, st.index.size()));
    const int64_t len[3] = {spans_.window_ns, spans_.rate_ns, spans_.recent_ns};
    for (size_t s = 0; s < 3; ++s) {
        if (len[s] <= 0) {
            lo[s] = first;
            continue;
        }
        // 128-bit: a span reaching back past INT64_MIN starts before every packet.
        const TimeWide cutoff = TimeWide(t) - len[s];
        auto it = std::partition_point(st.index.begin(), end,
                                       [&](const PacketIndexEntry& e) { return e.ts_ns <= cutoff; });
        lo[s] = first + uint64_t(it - st.index.begin());
    }
    // Rate and recent spans never start before the main one.
    lo[1] = std::max(lo[1], lo[0]);
    lo[2] = std::max(lo[2], lo[0]);
    return lo;
}

void WindowCursor::seek(int64_t t_ns)
{
    Target g = engine_.with_state([&](const IngestEngine::State& st) {
        Target r;
        r.first = st.first_number;
        auto it = std::partition_point(st.index.begin(), st.index.end(),
                                       [&](const PacketIndexEntry& e) { return e.ts_ns <= t_ns; });
        r.hi = r.first + uint64_t(it - st.index.begin());
        r.t = t_ns;
        r.lo = lows_for(st, r.t, r.hi);
        r.mask = st.display;
        return r;
    });
    move_to(g);
}

void WindowCursor::seek_end()
{
    Target g = engine_.with_state([&](const IngestEngine::State& st) {
        Target r;
        r.first = st.first_number;
        r.hi = r.first + st.index.size();
        r.t = st.index.empty() ? 0 : st.index.back().ts_ns;
        r.lo = lows_for(st, r.t, r.hi);
        r.mask = st.display;
        return r;
    });
    move_to(g);
}

WindowCursor::Target WindowCursor::at_packet(const IngestEngine::State& st, uint64_t hi) const
{
    Target r;
    r.first = st.first_number;
    r.hi = std::clamp(hi, r.first, r.first + st.index.size());
    if (r.hi > r.first)
        r.t = st.index[size_t(r.hi - 1 - r.first)].ts_ns;
    else
        r.t = time_sub(st.index.front().ts_ns, 1);
    r.lo = lows_for(st, r.t, r.hi);
    r.mask = st.display;
    return r;
}

bool WindowCursor::step(int direction)
{
    std::optional<Target> g = engine_.with_state([&](const IngestEngine::State& st) -> std::optional<Target> {
        const uint64_t first = st.first_number, end = first + st.index.size();
        uint64_t hi = std::clamp(positioned_ ? hi_ : first, first, end);
        if (direction > 0) {
            if (hi >= end)
                return std::nullopt;
            ++hi;
        } else {
            if (hi <= first)
                return std::nullopt;
            --hi;
        }
        return at_packet(st, hi);
    });
    if (!g)
        return false;
    move_to(*g);
    return true;
}

bool WindowCursor::seek_packet(uint64_t end)
{
    std::optional<Target> g = engine_.with_state([&](const IngestEngine::State& st) -> std::optional<Target> {
        if (st.index.empty())
            return std::nullopt;
        return at_packet(st, end);
    });
    if (!g)
        return false;
    move_to(*g);
    return true;
}

void WindowCursor::refresh()
{
    if (!positioned_)
        return;
    std::optional<Target> g = engine_.with_state([&](const IngestEngine::State& st) -> std::optional<Target> {
        if (st.display == mask_)
            return std::nullopt;
        Target r;
        r.first = st.first_number;
        r.hi = std::clamp(hi_, r.first, r.first + st.index.size());
        r.t = time_;
        r.lo = lows_for(st, r.t, r.hi);
        r.mask = st.display;
        return r;
    });
    if (g)
        move_to(*g);
}

bool WindowCursor::capture_bounds(int64_t& first_ns, int64_t& last_ns) const
{
    return engine_.time_bounds(first_ns, last_ns);
}

void WindowCursor::move_to(const Target& g)
{
    if (g.mask != mask_) {
        window_.clear();
        positioned_ = false;
        mask_ = g.mask;
    }
    const uint64_t hi = g.hi, first = g.first;
    const int64_t t = g.t;
    const std::array<uint64_t, 3>& lo = g.lo;
    decoded_ = 0;
    const bool lost = positioned_ && first > lo_[0] && spans_.window_ns > 0;
    std::array<uint64_t, 3> old_lo = lo_;
    uint64_t old_hi = hi_;
    if (!positioned_) {
        old_lo = {hi, hi, hi};
        old_hi = hi;
    }

    // Packets whose membership of some span changes.
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    auto span = [&](uint64_t a, uint64_t b) {
        if (a != b)
            ranges.emplace_back(std::min(a, b), std::max(a, b));
    };
    for (size_t s = 0; s < 3; ++s)
        span(old_lo[s], lo[s]);
    span(old_hi, hi);
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<uint64_t, uint64_t>> merged;
    uint64_t work = 0;
    for (const auto& r : ranges) {
        if (!merged.empty() && r.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, r.second);
        else
            merged.push_back(r);
    }
    for (const auto& r : merged)
        work += r.second - r.first;

    const uint64_t fresh = hi - lo[0];
    if (positioned_ && work > fresh) {
        // Cheaper to build the window again than to walk the difference.
        window_.clear();
        old_lo = {hi, hi, hi};
        old_hi = hi;
        merged.assign(1, {lo[0], hi});
    }
    for (const auto& r : merged) {
        if (!apply_range(std::max(r.first, first), r.second, old_lo, old_hi, lo, hi)) {
            reset(); // given up half way: what the window holds matches no position
            return;
        }
    }

    first_ = first;
    hi_ = hi;
    lo_ = lo;
    time_ = t;
    positioned_ = true;
    // Packets that left a live history before leaving the window cannot be
    // taken out one by one: drop what has been idle for the whole window.
    if (lost)
        window_.drop_idle(clamp_time(TimeWide(t) - spans_.window_ns + 1));
}

bool WindowCursor::apply_range(uint64_t from, uint64_t to, const std::array<uint64_t, 3>& old_lo, uint64_t old_hi,
                               const std::array<uint64_t, 3>& new_lo, uint64_t new_hi)
{
    if (from >= to)
        return true;
    std::vector<PacketIndexEntry> entries;
    uint64_t first = 0;
    engine_.with_state([&](const IngestEngine::State& st) {
        first = std::max(from, st.first_number);
        const uint64_t end = std::min(to, st.first_number + st.index.size());
        if (first < end)
            entries.assign(st.index.begin() + long(first - st.first_number),
                           st.index.begin() + long(end - st.first_number));
    });
    DecodedPacket dp;
    GraphPacket gp;
    for (size_t i = 0; i < entries.size(); ++i) {
        if ((i & 4095) == 0 && cancelled())
            return false;
        const uint64_t n = first + i;
        uint8_t was = 0, is = 0;
        for (size_t s = 0; s < 3; ++s) {
            if (n >= old_lo[s] && n < old_hi)
                was |= uint8_t(1u << s);
            if (n >= new_lo[s] && n < new_hi)
                is |= uint8_t(1u << s);
        }
        const uint8_t add = is & ~was, remove = was & ~is;
        if (!add && !remove)
            continue;
        if (mask_ && !mask_->shown(n))
            continue; // not displayed: it never entered the window
        const PacketIndexEntry& e = entries[i];
        if (!engine_.decode(n, e, dp))
            continue; // no longer kept (live history)
        make_graph_packet(dp, e.ts_ns, e.origlen, gp);
        gp.sensor = e.interface_id;
        ++decoded_;
        if (add)
            window_.apply(gp, +1, add);
        if (remove)
            window_.apply(gp, -1, remove);
    }
    return true;
}

} // namespace underhood
