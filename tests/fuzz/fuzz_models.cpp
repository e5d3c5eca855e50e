// Fuzz target: a capture file through the app's models, as the app opens one.
//
// The input becomes a file (an in-memory memfd) that IngestEngine maps, reads,
// decodes and aggregates on its worker thread, exactly the path of File > Open;
// the same bytes also go through the engine's stream path (two threads, the
// packet store), as from a pipe or the capture helper. Then everything that
// reads the engine's state runs over it: the throughput series re-binned
// across the capture and across the whole int64 time line, the host graph's
// window moved by time and by packet (seeks to both ends of time, steps), its
// scene and force layout, label placement, the endpoint series of the busiest
// host, the display filter scan and the drop statistics. No Qt.
#include "display_filter.h"
#include "drop_statistics.h"
#include "endpoint_series.h"
#include "force_layout.h"
#include "graph_scene.h"
#include "ingest_engine.h"
#include "label_placer.h"
#include "time_math.h"
#include "traffic_window.h"
#include "window_cursor.h"

#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

using namespace underhood;

namespace {

// The bytes as a file the engine can open by path (so it is mapped) and by
// descriptor (so it is streamed). Null when the system has no memfd.
struct MemoryFile {
    int fd = -1;
    explicit MemoryFile(const uint8_t* data, size_t size)
    {
        fd = memfd_create("fuzz-capture", MFD_CLOEXEC);
        if (fd < 0)
            return;
        size_t off = 0;
        while (off < size) {
            const ssize_t n = ::write(fd, data + off, size - off);
            if (n <= 0) {
                ::close(fd);
                fd = -1;
                return;
            }
            off += size_t(n);
        }
    }
    ~MemoryFile()
    {
        if (fd >= 0)
            ::close(fd);
    }
    std::string path() const { return "/proc/self/fd/" + std::to_string(fd); }
};

void check(bool ok)
{
    if (!ok)
        __builtin_trap(); // an invariant the models promise was broken
}

// Few throughput bins, so that odd time stamps coarsen them often (and
// each input stays cheap: coarsening copies every bin).
constexpr size_t kMaxBins = 4096;

void exercise(const IngestEngine& engine)
{
    struct Snapshot {
        uint64_t packets = 0, listed = 0;
        int64_t first = 0, last = 0;
        bool timed = false;
        std::vector<uint32_t> link_types;
        std::vector<InterfaceStatistics> stats;
        std::vector<CaptureInterface> interfaces;
        std::optional<Endpoint> busiest;
    };
    const Snapshot s = engine.with_state([](const IngestEngine::State& st) {
        Snapshot r;
        r.packets = st.model.totals().packets;
        r.listed = st.index.size();
        r.timed = st.model.totals().any;
        r.first = st.model.totals().first_ns;
        r.last = st.model.totals().last_ns;
        for (const auto& [lt, n] : st.model.link_types())
            r.link_types.push_back(lt);
        r.stats = st.statistics;
        r.interfaces = st.interfaces;
        uint64_t most = 0;
        for (const auto& [ep, hs] : st.model.layer(Layer::Ip).hosts)
            if (hs.packets > most) {
                most = hs.packets;
                r.busiest = ep;
            }
        // The throughput series: bounded, and every timed packet in it.
        const ThroughputSeries& ts = st.model.throughput();
        check(ts.bin_count() <= kMaxBins);
        uint64_t binned = 0;
        for (const ThroughputBin& b : ts.rebin(int64_t(1) << 60, kTimeMin, kTimeMax))
            binned += b.packets;
        uint64_t timed = 0;
        for (const PacketIndexEntry& e : st.index)
            timed += (e.flags & PacketIndexEntry::Timed) ? 1 : 0;
        check(binned == timed);
        if (r.timed) {
            const int64_t width = clamp_time((TimeWide(r.last) - r.first) / 200 + 1);
            (void)ts.rebin(width, r.first, time_add(r.last, 1));
            for (Proto p : ts.protocols())
                (void)ts.rebin(width, ts.origin_ns(), time_add(r.last, width), p);
        }
        return r;
    });
    check(s.listed == s.packets);

    // The host graph: moved by time and by packet, its scene built and laid out.
    TrafficWindow window;
    WindowCursor cursor(engine, window);
    GraphBuilder builder;
    for (int64_t span : {int64_t(0), int64_t(2'000'000'000)}) {
        WindowSpans spans;
        spans.window_ns = span;
        cursor.set_spans(spans);
        cursor.seek_end();
        check(cursor.end_number() == 1 + s.listed);
        if (span == 0)
            check(window.packets() == s.listed);
        for (int64_t t : {kTimeMin, s.first, time_add(s.first, 1'500'000'000), s.last, kTimeMax})
            cursor.seek(t);
        cursor.seek_packet(1);
        for (int i = 0; i < 64 && cursor.step(+1); ++i) {
        }
        for (int i = 0; i < 8 && cursor.step(-1); ++i) {
        }
        for (Layer l : {Layer::Ip, Layer::Ether, Layer::Port}) {
            GraphOptions o;
            o.layer = l;
            o.cluster = l == Layer::Ip ? ClusterMode::Auto : ClusterMode::Off;
            const GraphScene scene = engine.with_state([&](const IngestEngine::State& st) {
                return builder.build(window, cursor.spans(), o, &st.model.names(), cursor.time());
            });
            ForceLayout layout;
            layout.set_aspect(1.6);
            layout.sync(scene);
            layout.run(12);
            std::vector<LabelCandidate> labels;
            for (size_t i = 0; i < scene.nodes.size() && i < layout.size(); ++i) {
                const Vec2 p = layout.position(i);
                labels.push_back({uint32_t(i), p.x, p.y, layout.radius(i), double(scene.nodes[i].bytes), false});
            }
            LabelOptions lo;
            lo.viewport = {-800, -500, 1600, 1000};
            (void)place_labels(std::move(labels), lo, [](uint32_t, double& w, double& h) {
                w = 60;
                h = 12;
            });
        }
    }

    // The busiest host's own throughput, over the capture and over all time.
    if (s.busiest) {
        EndpointFilter f;
        f.layer = Layer::Ip;
        f.a = *s.busiest;
        if (s.timed)
            (void)endpoint_series(engine, f, s.first, time_add(s.last, 1),
                                  clamp_time((TimeWide(s.last) - s.first) / 100 + 1));
        (void)endpoint_series(engine, f, kTimeMin, kTimeMax, int64_t(1) << 60);
    }

    // The display filter over every packet.
    DisplayFilter filter;
    std::string error;
    if (!s.link_types.empty() && filter.compile("tcp or udp", s.link_types, error))
        (void)filter_packets(engine, filter);

    // The drop panel's numbers.
    DropStatistics drops;
    drops.set_interfaces(s.interfaces);
    for (const InterfaceStatistics& st : s.stats)
        drops.add(st);
    update_drop_statistics(drops, engine, s.last);
    (void)drops.events();
    (void)drops.advice(CaptureSettings{});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    MemoryFile file(data, size);
    if (file.fd < 0)
        return 0;
    IngestOptions opts;
    // Small histories and backlogs so the stream path drops and forgets too.
    opts.max_stored_packets = 512;
    opts.max_backlog_packets = 4096;
    opts.model.throughput_max_bins = kMaxBins;
    {
        // As the app loads a file: only the layer on screen at first, another
        // one asked for while it loads and one after (each a second pass).
        IngestOptions o = opts;
        o.model.layers = {false, true, false};
        IngestEngine mapped(o);
        std::string error;
        if (!mapped.open_path(file.path(), error))
            return 0; // not a capture: the reader's own target covers that
        mapped.ensure_layer(Layer::Port);
        mapped.wait();
        mapped.ensure_layer(Layer::Ether);
        mapped.wait();
        exercise(mapped);
    }
    {
        // The stream path reads the same bytes through read(), from the start.
        const int fd = ::open(file.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 0;
        IngestEngine streamed(opts);
        std::string error;
        if (!streamed.open_fd(fd, "fuzz", error))
            return 0; // open_fd owns the descriptor either way
        streamed.wait();
        (void)streamed.packet_bytes(1);
    }
    return 0;
}
