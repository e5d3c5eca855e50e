#include "drop_statistics.h"

#include "time_math.h"

#include <algorithm>

namespace underhood {

namespace {
constexpr size_t kMaxHistory = 100000;
constexpr int64_t kRateWindowNs = 1'000'000'000;

double per_second(uint64_t now, uint64_t before, int64_t dt_ns)
{
    if (dt_ns <= 0 || now < before)
        return 0;
    return double(now - before) * 1e9 / double(dt_ns);
}
} // namespace

const char* drop_stage_key(DropStage s)
{
    switch (s) {
    case DropStage::Interface: return "interface";
    case DropStage::Kernel: return "kernel";
    case DropStage::Helper: return "helper";
    case DropStage::Socket: return "socket";
    case DropStage::Ingest: return "ingest";
    }
    return "interface";
}

void DropStatistics::reset() { *this = DropStatistics(); }

void DropStatistics::set_interfaces(const std::vector<CaptureInterface>& itfs)
{
    names_.clear();
    for (const CaptureInterface& i : itfs)
        names_.push_back(i.name);
    for (InterfaceDrops& d : interfaces_)
        if (d.interface_id < names_.size())
            d.name = names_[d.interface_id];
}

InterfaceDrops& DropStatistics::slot(uint32_t id)
{
    auto it = std::lower_bound(interfaces_.begin(), interfaces_.end(), id,
                               [](const InterfaceDrops& d, uint32_t v) { return d.interface_id < v; });
    if (it == interfaces_.end() || it->interface_id != id) {
        const size_t at = size_t(it - interfaces_.begin());
        InterfaceDrops d;
        d.interface_id = id;
        d.name = id < names_.size() ? names_[id] : "interface " + std::to_string(id);
        interfaces_.insert(interfaces_.begin() + long(at), d);
        previous_.insert(previous_.begin() + long(at), InterfaceStatistics{});
        it = interfaces_.begin() + long(at);
    }
    return *it;
}

void DropStatistics::add(const InterfaceStatistics& st)
{
    ++seen_;
    InterfaceDrops& d = slot(st.interface_id);
    InterfaceStatistics& prev = previous_[size_t(&d - interfaces_.data())];
    if (d.blocks > 0)
        prev = d.latest;
    d.latest = st;
    ++d.blocks;

    // Saturated: two blocks stamped centuries apart give a rate near zero, not an overflow.
    const int64_t dt = d.blocks > 1 ? time_sub(st.ts_ns, prev.ts_ns) : 0;
    auto rate = [&](const std::optional<uint64_t>& now, const std::optional<uint64_t>& before) {
        return now && before ? per_second(*now, *before, dt) : 0.0;
    };
    auto helper_drops = [](const InterfaceStatistics& s) -> std::optional<uint64_t> {
        if (!s.filteraccept || !s.usrdeliv)
            return std::nullopt;
        return *s.filteraccept >= *s.usrdeliv ? *s.filteraccept - *s.usrdeliv : 0;
    };

    StageFigures& itf = d.stages[size_t(DropStage::Interface)];
    itf = {};
    itf.reported = st.ifdrop.has_value();
    itf.dropped = st.ifdrop.value_or(0);
    itf.dropped_per_s = rate(st.ifdrop, prev.ifdrop);

    StageFigures& kernel = d.stages[size_t(DropStage::Kernel)];
    kernel = {};
    kernel.reported = st.ifrecv.has_value() || st.osdrop.has_value();
    kernel.received = st.ifrecv;
    kernel.dropped = st.osdrop.value_or(0);
    kernel.received_per_s = rate(st.ifrecv, prev.ifrecv);
    kernel.dropped_per_s = rate(st.osdrop, prev.osdrop);

    StageFigures& helper = d.stages[size_t(DropStage::Helper)];
    helper = {};
    helper.reported = st.filteraccept.has_value() || st.usrdeliv.has_value();
    helper.received = st.filteraccept;
    helper.dropped = helper_drops(st).value_or(0);
    helper.received_per_s = rate(st.filteraccept, prev.filteraccept);
    helper.dropped_per_s = rate(helper_drops(st), helper_drops(prev));

    recompute_totals();
    push_sample(st.ts_ns);
}

void DropStatistics::set_ingest(const IngestCounters& c, int64_t now_ns, bool stream)
{
    const bool changed = c.dropped != ingest_.dropped;
    ingest_ = c;
    stream_ = stream;
    ingest_samples_.push_back({now_ns, c});
    // Keep one sample older than the rate window so the rate spans at least a second.
    while (ingest_samples_.size() > 2 && time_sub(now_ns, ingest_samples_[1].ts_ns) >= kRateWindowNs)
        ingest_samples_.pop_front();
    recompute_totals();
    if (changed)
        push_sample(now_ns);
}

void DropStatistics::recompute_totals()
{
    StageArray t{};
    for (const InterfaceDrops& d : interfaces_) {
        for (size_t i = 0; i < size_t(DropStage::Socket); ++i) {
            const StageFigures& s = d.stages[i];
            StageFigures& o = t[i];
            o.reported = o.reported || s.reported;
            if (s.received)
                o.received = o.received.value_or(0) + *s.received;
            o.dropped += s.dropped;
            o.received_per_s += s.received_per_s;
            o.dropped_per_s += s.dropped_per_s;
        }
    }
    // The socket and the app's ingest exist only when reading a stream (live
    // capture, pipe); a mapped file is read where it lies.
    if (stream_) {
        double in_rate = 0, drop_rate = 0;
        if (ingest_samples_.size() >= 2) {
            const IngestSample& a = ingest_samples_.front();
            const IngestSample& b = ingest_samples_.back();
            in_rate = per_second(b.c.received, a.c.received, time_sub(b.ts_ns, a.ts_ns));
            drop_rate = per_second(b.c.dropped, a.c.dropped, time_sub(b.ts_ns, a.ts_ns));
        }
        StageFigures& sock = t[size_t(DropStage::Socket)];
        sock.reported = true;
        sock.received = ingest_.received; // what crossed it; a stream socket never drops
        sock.received_per_s = in_rate;
        StageFigures& in = t[size_t(DropStage::Ingest)];
        in.reported = true;
        in.received = ingest_.received;
        in.dropped = ingest_.dropped;
        in.received_per_s = in_rate;
        in.dropped_per_s = drop_rate;
    }
    totals_ = t;
}

void DropStatistics::push_sample(int64_t ts_ns)
{
    DropSample s;
    s.ts_ns = history_.empty() ? ts_ns : std::max(ts_ns, history_.back().ts_ns);
    for (size_t i = 0; i < kDropStageCount; ++i)
        s.dropped[i] = totals_[i].dropped;
    // Consecutive samples without new drops only move the end of a quiet stretch.
    if (history_.size() >= 2 && history_.back().dropped == s.dropped &&
        history_[history_.size() - 2].dropped == s.dropped) {
        history_.back().ts_ns = s.ts_ns;
        return;
    }
    history_.push_back(s);
    if (history_.size() > kMaxHistory)
        history_.pop_front();
}

uint64_t DropStatistics::total_dropped() const
{
    uint64_t t = 0;
    for (const StageFigures& s : totals_)
        t += s.dropped;
    return t;
}

uint64_t DropStatistics::total_arrived() const
{
    const StageFigures& k = totals_[size_t(DropStage::Kernel)];
    if (k.received)
        return *k.received + totals_[size_t(DropStage::Interface)].dropped;
    return ingest_.received;
}

DropStage DropStatistics::worst_stage() const
{
    size_t worst = 0;
    for (size_t i = 1; i < kDropStageCount; ++i)
        if (totals_[i].dropped > totals_[worst].dropped)
            worst = i;
    return DropStage(worst);
}

std::vector<DropEvent> DropStatistics::events() const
{
    std::vector<DropEvent> out;
    for (size_t i = 1; i < history_.size(); ++i) {
        const uint64_t a = history_[i - 1].total(), b = history_[i].total();
        if (b > a)
            out.push_back({history_[i].ts_ns, b - a});
    }
    if (!history_.empty() && history_.front().total() > 0)
        out.insert(out.begin(), {history_.front().ts_ns, history_.front().total()});
    return out;
}

std::vector<DropAdvice> DropStatistics::advice(const CaptureSettings& s) const
{
    std::vector<DropAdvice> out;
    auto give = [&](DropStage stage, DropAdviceKind kind, int64_t value = 0) {
        for (const DropAdvice& a : out)
            if (a.kind == kind)
                return;
        out.push_back({stage, kind, value});
    };
    auto dropped = [&](DropStage st) { return totals_[size_t(st)].dropped > 0; };
    const bool big_snaplen = s.snaplen == 0 || s.snaplen > kHeadersSnaplen;

    if (dropped(DropStage::Interface))
        give(DropStage::Interface, DropAdviceKind::InterfaceRing);
    if (!s.live)
        return out; // a saved file: nothing to restart
    if (dropped(DropStage::Kernel)) {
        // The ring fills when packets arrive faster than the helper empties it:
        // more room, fewer bytes per packet, fewer packets.
        if (s.buffer_mib < kMaxBufferMib)
            give(DropStage::Kernel, DropAdviceKind::LargerBuffer,
                 std::min<int64_t>(kMaxBufferMib, std::max<int64_t>(64, int64_t(s.buffer_mib) * 4)));
        if (s.backend == "pcap")
            give(DropStage::Kernel, DropAdviceKind::AfPacketBackend);
        if (big_snaplen)
            give(DropStage::Kernel, DropAdviceKind::ShorterSnaplen, kHeadersSnaplen);
        give(DropStage::Kernel, DropAdviceKind::CaptureFilter);
    }
    if (dropped(DropStage::Helper)) {
        // The reader of the stream (this app) was too slow: send it less.
        if (big_snaplen)
            give(DropStage::Helper, DropAdviceKind::ShorterSnaplen, kHeadersSnaplen);
        give(DropStage::Helper, DropAdviceKind::CaptureFilter);
    }
    if (dropped(DropStage::Ingest)) {
        const uint64_t h = s.history_packets ? s.history_packets : 2'000'000;
        if (h > 10'000)
            give(DropStage::Ingest, DropAdviceKind::ShorterHistory, int64_t(std::max<uint64_t>(10'000, h / 10)));
        give(DropStage::Ingest, DropAdviceKind::CaptureFilter);
    }
    return out;
}

void update_drop_statistics(DropStatistics& stats, const IngestEngine& engine, int64_t now_ns)
{
    struct Snap {
        std::vector<CaptureInterface> interfaces;
        std::vector<InterfaceStatistics> fresh;
        IngestCounters ingest;
    };
    const size_t seen = stats.statistics_seen();
    // Copy only the blocks not seen yet: a long capture holds thousands.
    Snap s = engine.with_state([&](const IngestEngine::State& st) {
        Snap r;
        r.interfaces = st.interfaces;
        if (st.statistics.size() > seen)
            r.fresh.assign(st.statistics.begin() + long(seen), st.statistics.end());
        r.ingest = st.ingest;
        return r;
    });
    stats.set_interfaces(s.interfaces);
    for (const InterfaceStatistics& st : s.fresh)
        stats.add(st);
    stats.set_ingest(s.ingest, now_ns, !engine.mapped());
}

} // namespace underhood
