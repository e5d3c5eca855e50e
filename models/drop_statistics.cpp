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
    case DropStage::Backlog: return "backlog";
    case DropStage::Filter: return "filter";
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
    start_health_.clear();
    for (const CaptureInterface& i : itfs) {
        names_.push_back(i.name);
        start_health_.push_back(i.health);
    }
    for (InterfaceDrops& d : interfaces_)
        if (d.interface_id < names_.size()) {
            d.name = names_[d.interface_id];
            if (!d.health)
                d.health = start_health_[d.interface_id];
        }
}

void DropStatistics::set_over_mtu(uint32_t id, uint64_t frames)
{
    if (id >= over_mtu_.size())
        over_mtu_.resize(size_t(id) + 1, 0);
    over_mtu_[id] = frames;
    for (InterfaceDrops& d : interfaces_)
        if (d.interface_id == id)
            d.over_mtu = frames;
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
        if (id < start_health_.size())
            d.health = start_health_[id];
        if (id < over_mtu_.size())
            d.over_mtu = over_mtu_[id];
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

    // With the helper's NIC-health record the interface's drops split into the
    // NIC's ring (the card found no free descriptor or its FIFO overran) and
    // the kernel's side (rx_dropped: the driver or the per-CPU backlog gave
    // up, or no protocol wanted the frame); without it they stay one figure.
    if (st.health)
        d.health = st.health;
    const NicHealth* h = st.health && st.health->has_start ? st.health.get() : nullptr;
    const NicHealth* ph = prev.health && prev.health->has_start ? prev.health.get() : nullptr;
    StageFigures& itf = d.stages[size_t(DropStage::Interface)];
    StageFigures& backlog = d.stages[size_t(DropStage::Backlog)];
    itf = {};
    backlog = {};
    d.softnet_dropped = 0;
    if (h) {
        auto nic_ring = [](const NicHealth& x) {
            uint64_t n = 0;
            for (const NicHealth::Counter& c : x.interface_counters)
                if (c.name == "rx_missed_errors" || c.name == "rx_fifo_errors" || c.name == "rx_over_errors")
                    n += c.since_start;
            return n;
        };
        // Where sysfs is another namespace's, the helper reads /proc/net/dev,
        // which adds rx_missed_errors into rx_dropped; the kernel's side is
        // where that sum usually grows, so it is counted there.
        auto is_rx_dropped = [](const std::string& name) {
            return name == "rx_dropped" || name == "rx_dropped+rx_missed_errors";
        };
        auto rx_dropped = [&](const NicHealth& x) {
            uint64_t n = 0;
            for (const NicHealth::Counter& c : x.interface_counters)
                if (is_rx_dropped(c.name))
                    n += c.since_start;
            return n;
        };
        itf.reported = true;
        itf.dropped = nic_ring(*h);
        for (const NicHealth::Counter& c : h->interface_counters)
            if (!is_rx_dropped(c.name))
                itf.parts.push_back({c.name, c.since_start, true});
        // Drivers fold their own counters into the standard ones differently:
        // shown, never added.
        for (const NicHealth::Counter& c : h->driver_counters)
            itf.parts.push_back({c.name, c.since_start, false});
        backlog.reported = true;
        d.softnet_dropped = h->softnet_dropped_since_start();
        backlog.dropped = rx_dropped(*h) + d.softnet_dropped;
        for (const NicHealth::Counter& c : h->interface_counters)
            if (is_rx_dropped(c.name))
                backlog.parts.push_back({c.name, c.since_start, true});
        backlog.parts.push_back({"softnet dropped", d.softnet_dropped, true});
        backlog.parts.push_back({"softnet time_squeeze", h->softnet_time_squeeze_since_start(), false});
        if (ph && dt > 0) {
            itf.dropped_per_s = per_second(itf.dropped, nic_ring(*ph), dt);
            backlog.dropped_per_s =
                per_second(backlog.dropped, rx_dropped(*ph) + ph->softnet_dropped_since_start(), dt);
        }
    } else {
        itf.reported = st.ifdrop.has_value();
        itf.dropped = st.ifdrop.value_or(0);
        itf.dropped_per_s = rate(st.ifdrop, prev.ifdrop);
    }

    // The capture filter runs before the ring: what passed it is what the kernel counts.
    StageFigures& filter = d.stages[size_t(DropStage::Filter)];
    filter = {};
    filter.reported = st.ifrecv.has_value();
    filter.received = st.ifrecv;
    filter.received_per_s = rate(st.ifrecv, prev.ifrecv);

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
    // The per-CPU backlog belongs to the machine: every interface's record
    // counts the same drops, so the newest record's count stands for all.
    uint64_t softnet = 0;
    int64_t softnet_ts = INT64_MIN;
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
            if (interfaces_.size() == 1)
                o.parts = s.parts;
        }
        t[size_t(DropStage::Backlog)].dropped -= d.softnet_dropped;
        if (d.health && d.latest.ts_ns >= softnet_ts) {
            softnet_ts = d.latest.ts_ns;
            softnet = d.softnet_dropped;
        }
    }
    t[size_t(DropStage::Backlog)].dropped += softnet;
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
        return *k.received + totals_[size_t(DropStage::Interface)].dropped + totals_[size_t(DropStage::Backlog)].dropped;
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
    auto adv = [](DropStage st, DropAdviceKind k, int64_t value = 0) {
        DropAdvice a;
        a.stage = st;
        a.kind = k;
        a.value = value;
        return a;
    };
    auto give = [&](DropAdvice a) {
        for (const DropAdvice& x : out)
            if (x.kind == a.kind)
                return;
        out.push_back(std::move(a));
    };
    auto dropped = [&](DropStage st) { return totals_[size_t(st)].dropped > 0; };
    // The interface that lost the most at a stage, for advice naming one.
    auto worst = [&](DropStage st) -> const InterfaceDrops* {
        const InterfaceDrops* w = nullptr;
        for (const InterfaceDrops& d : interfaces_)
            if (d.stages[size_t(st)].dropped > 0 && (!w || d.stages[size_t(st)].dropped > w->stages[size_t(st)].dropped))
                w = &d;
        return w;
    };
    const bool big_snaplen = s.snaplen == 0 || s.snaplen > kHeadersSnaplen;

    if (dropped(DropStage::Interface)) {
        DropAdvice a = adv(DropStage::Interface, DropAdviceKind::InterfaceRing);
        if (const InterfaceDrops* d = worst(DropStage::Interface)) {
            a.interface = d->name;
            if (d->health && d->health->ring) {
                a.value = d->health->ring->rx_max;
                a.current = d->health->ring->rx;
            }
        }
        give(a);
    }
    const StageFigures& backlog = totals_[size_t(DropStage::Backlog)];
    uint64_t softnet = 0;
    for (const StageFigures::Part& p : backlog.parts)
        if (p.name == "softnet dropped")
            softnet = p.value;
    for (const InterfaceDrops& d : interfaces_)
        softnet = std::max(softnet, d.softnet_dropped);
    if (softnet > 0) {
        // The kernel's default is 1000 packets per CPU; twice it is the usual first step.
        DropAdvice a = adv(DropStage::Backlog, DropAdviceKind::Backlog, 2000);
        a.count = softnet;
        give(a);
    }
    for (const InterfaceDrops& d : interfaces_) {
        if (d.over_mtu == 0 || !d.health || !d.health->mtu)
            continue;
        DropAdvice a = adv(DropStage::Backlog, DropAdviceKind::GroOff, int64_t(*d.health->mtu));
        a.count = d.over_mtu;
        a.interface = d.name;
        give(a);
    }
    if (!s.live)
        return out; // a saved file: nothing to restart
    if (dropped(DropStage::Kernel)) {
        // The ring fills when packets arrive faster than the helper empties it:
        // more room, fewer bytes per packet, more threads emptying it, fewer packets.
        if (s.buffer_mib < kMaxBufferMib)
            give(adv(DropStage::Kernel, DropAdviceKind::LargerBuffer,
                     std::min<int64_t>(kMaxBufferMib, std::max<int64_t>(64, int64_t(s.buffer_mib) * 4))));
        if (s.backend == "pcap")
            give(adv(DropStage::Kernel, DropAdviceKind::AfPacketBackend));
        if (big_snaplen)
            give(adv(DropStage::Kernel, DropAdviceKind::ShorterSnaplen, kHeadersSnaplen));
        // One capture thread per CPU at most: the record lists the CPUs of
        // the capturing machine (one softnet line each).
        size_t cpus = 0;
        for (const InterfaceDrops& d : interfaces_)
            if (d.health)
                cpus = std::max(cpus, d.health->softnet.size());
        const uint32_t threads = std::max<uint32_t>(1, s.threads);
        if (s.backend != "pcap" && cpus > threads) {
            DropAdvice a = adv(DropStage::Kernel, DropAdviceKind::MoreThreads,
                               int64_t(std::min<size_t>(cpus, size_t(threads) * 2)));
            a.current = threads;
            give(a);
        }
        give(adv(DropStage::Filter, DropAdviceKind::CaptureFilter));
    }
    if (dropped(DropStage::Helper)) {
        // The reader of the stream (this app) was too slow: send it less.
        if (big_snaplen)
            give(adv(DropStage::Helper, DropAdviceKind::ShorterSnaplen, kHeadersSnaplen));
        give(adv(DropStage::Helper, DropAdviceKind::CaptureFilter));
    }
    if (dropped(DropStage::Ingest)) {
        const uint64_t h = s.history_packets ? s.history_packets : 2'000'000;
        if (h > 10'000)
            give(adv(DropStage::Ingest, DropAdviceKind::ShorterHistory, int64_t(std::max<uint64_t>(10'000, h / 10))));
        give(adv(DropStage::Ingest, DropAdviceKind::CaptureFilter));
    }
    return out;
}

std::string advice_command(const DropAdvice& a)
{
    const std::string itf = a.interface.empty() ? "IFACE" : a.interface;
    switch (a.kind) {
    case DropAdviceKind::InterfaceRing:
        if (a.value > 0 && a.current < a.value)
            return "ethtool -G " + itf + " rx " + std::to_string(a.value);
        return "ethtool -g " + itf;
    case DropAdviceKind::Backlog: return "sysctl -w net.core.netdev_max_backlog=" + std::to_string(a.value);
    case DropAdviceKind::GroOff: return "ethtool -K " + itf + " gro off lro off";
    case DropAdviceKind::LargerBuffer: return "-B " + std::to_string(a.value);
    case DropAdviceKind::ShorterSnaplen: return "-s " + std::to_string(a.value);
    case DropAdviceKind::MoreThreads: return "--threads " + std::to_string(a.value);
    case DropAdviceKind::AfPacketBackend: return "--backend afpacket";
    case DropAdviceKind::CaptureFilter:
    case DropAdviceKind::ShorterHistory: return {};
    }
    return {};
}

std::string DropStatistics::stage_sentence(DropStage stage, int interface_index) const
{
    const StageArray& fig = interface_index >= 0 && size_t(interface_index) < interfaces_.size()
                                ? interfaces_[size_t(interface_index)].stages
                                : totals_;
    const StageFigures& f = fig[size_t(stage)];
    const std::string n = std::to_string(f.dropped);
    auto part = [&](const char* name) -> uint64_t {
        for (const StageFigures::Part& p : f.parts)
            if (p.name == name)
                return p.value;
        return 0;
    };
    bool health = false; // the interface's drops are split by the NIC-health record
    for (const InterfaceDrops& d : interfaces_)
        health = health || d.stages[size_t(DropStage::Backlog)].reported;
    if (!f.reported)
        return "Not recorded by this source.";
    switch (stage) {
    case DropStage::Interface:
        if (!health || f.parts.empty())
            return f.dropped ? "The interface dropped " + n + " frames before the kernel's capture saw them."
                             : "The interface dropped nothing.";
        return f.dropped ? "The network card's receive ring overflowed: " + n +
                               " frames arrived while every slot was full, because the CPU did not empty the ring "
                               "in time (rx_missed_errors " +
                               std::to_string(part("rx_missed_errors")) + ", rx_fifo_errors " +
                               std::to_string(part("rx_fifo_errors")) + ", rx_over_errors " +
                               std::to_string(part("rx_over_errors")) + ")."
                         : "The network card copied every frame into its receive ring; none was lost there.";
    case DropStage::Backlog: {
        const uint64_t rx = part("rx_dropped") + part("rx_dropped+rx_missed_errors"), soft = part("softnet dropped"),
                       squeeze = part("softnet time_squeeze");
        std::string t;
        if (soft)
            t += "The kernel's per-CPU backlog was full " + std::to_string(soft) +
                 " times and threw those packets away (softnet dropped). ";
        if (rx)
            t += "The driver or kernel dropped " + std::to_string(rx) +
                 " frames at the interface (rx_dropped): no buffer, a frame longer than the MTU, or a protocol "
                 "nobody listens to. ";
        if (squeeze)
            t += "The kernel ran out of time " + std::to_string(squeeze) +
                 " times while taking packets from the card (time_squeeze): it is close to its limit. ";
        if (t.empty())
            t = "The driver handed every frame to the kernel and the per-CPU backlog never overflowed. ";
        t.pop_back();
        return t;
    }
    case DropStage::Filter:
        return std::to_string(f.received.value_or(0)) +
               " packets passed the capture filter. The kernel runs the filter before the ring: what it "
               "rejects costs almost nothing and is not a loss.";
    case DropStage::Kernel:
        return f.dropped ? "The kernel's capture ring was full " + n + " times: the capture program did not take "
                               "packets out fast enough, so the kernel discarded new ones (tp_drops)."
                         : "The kernel's capture ring always had room.";
    case DropStage::Helper:
        return f.dropped ? "The capture helper threw away " + n + " packets because this window read the stream "
                               "too slowly and its queue was full."
                         : "The capture helper passed on every packet it took from the ring.";
    case DropStage::Socket: return "The stream socket never loses data; when it is full the helper waits.";
    case DropStage::Ingest:
        return f.dropped ? "This window's decoder fell behind and dropped " + n + " packets to keep memory bounded."
                         : "This window decoded every packet it read.";
    }
    return {};
}

void update_drop_statistics(DropStatistics& stats, const IngestEngine& engine, int64_t now_ns)
{
    struct Snap {
        std::vector<CaptureInterface> interfaces;
        std::vector<InterfaceStatistics> fresh;
        IngestCounters ingest;
        std::vector<uint64_t> over_mtu;
    };
    const size_t seen = stats.statistics_seen();
    // Copy only the blocks not seen yet: a long capture holds thousands.
    Snap s = engine.with_state([&](const IngestEngine::State& st) {
        Snap r;
        r.interfaces = st.interfaces;
        if (st.statistics.size() > seen)
            r.fresh.assign(st.statistics.begin() + long(seen), st.statistics.end());
        r.ingest = st.ingest;
        r.over_mtu = st.over_mtu;
        return r;
    });
    stats.set_interfaces(s.interfaces);
    for (const InterfaceStatistics& st : s.fresh)
        stats.add(st);
    for (size_t i = 0; i < s.over_mtu.size(); ++i)
        stats.set_over_mtu(uint32_t(i), s.over_mtu[i]);
    stats.set_ingest(s.ingest, now_ns, !engine.mapped());
}

} // namespace underhood
