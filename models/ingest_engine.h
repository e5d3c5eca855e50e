// Reads a capture off the GUI thread: a mapped file, a pipe or the capture
// helper's socket. Decodes and aggregates every packet, keeps the packet index
// (and, for streams, the packet bytes of the last N packets), and lets views
// read consistent state between batches.
//
// No Qt: the GUI wraps it, tests drive it directly.
#pragma once

#include "capture_reader.h"
#include "packet_index.h"
#include "packet_pipeline.h"
#include "traffic_model.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace underhood {

struct IngestOptions {
    // Streams keep the bytes of at most this many packets (the packet list's
    // history); the tables keep counting everything.
    size_t max_stored_packets = 2'000'000;
    // Streams: packets the reader may hold for the decoder before it drops
    // (and counts) new ones, so memory never grows without bound.
    size_t max_backlog_packets = 200'000;
    TrafficModelOptions model;
};

struct IngestProgress {
    uint64_t bytes_read = 0;
    std::optional<uint64_t> bytes_total;
    uint64_t packets = 0;
    bool finished = false;
    bool cancelled = false;
};

// What the app's own ingest stage received and dropped (the drop panel's last stage).
struct IngestCounters {
    uint64_t received = 0; // packets read from the source
    uint64_t dropped = 0;  // of those, dropped because decoding fell behind
};

// The packets a display filter shows, for views limited to it ("limit to
// display filter"): one bit per packet number from `first` up to
// `scanned_end`; packets at or past `scanned_end` are not judged yet and count
// as not shown, so a view never shows a packet it may later have to take back.
struct DisplayMask {
    uint64_t id = 0; // the filter application it belongs to
    uint64_t first = 1;
    uint64_t scanned_end = 1;
    uint64_t shown_count = 0;
    std::vector<uint64_t> words;
    bool shown(uint64_t n) const
    {
        if (n < first || n >= scanned_end)
            return false;
        const uint64_t i = n - first;
        return (words[size_t(i >> 6)] >> (i & 63)) & 1;
    }
};

class IngestEngine {
public:
    explicit IngestEngine(IngestOptions opts = {});
    ~IngestEngine();
    IngestEngine(const IngestEngine&) = delete;
    IngestEngine& operator=(const IngestEngine&) = delete;

    // Opens and starts reading; false with a one-line error when the input is
    // not a capture. A regular file is mapped; "-", FIFOs and fds stream.
    bool open_path(const std::string& path, std::string& error);
    bool open_fd(int fd, const std::string& display_name, std::string& error);

    // Makes hosts and conversations at layer `l` available. The app keys only
    // the layer on screen while a file loads (it is the costly part); another
    // layer is counted from then on, and for a mapped file a background pass
    // adds the packets read before. State::layer_ready says when it is whole.
    void ensure_layer(Layer l);

    void cancel();
    // Waits for the reading to end (end of input, error, or cancel).
    void wait();
    bool running() const { return running_; }

    // Runs `f` with the state locked; keep it short (copy what you need).
    template <typename F>
    auto with_state(F&& f) const
    {
        std::lock_guard lock(mutex_);
        return f(state_);
    }

    struct State {
        TrafficModel model;
        // Packets still listed: numbers first_number .. first_number + index.size() - 1.
        std::deque<PacketIndexEntry> index;
        uint64_t first_number = 1;
        std::vector<CaptureInterface> interfaces;
        std::vector<InterfaceStatistics> statistics;
        std::vector<std::string> warnings;
        std::map<uint64_t, std::string> comments; // by packet number
        std::vector<std::string> section_comments; // pcapng SHB opt_comment, in file order
        IngestProgress progress;
        IngestCounters ingest;
        // By interface id: frames whose IP packet was longer than the
        // interface's MTU in its NIC-health record (GRO/LRO/TSO merged them).
        std::vector<uint64_t> over_mtu;
        std::string error; // a read error that ended the input
        CaptureFormat format = CaptureFormat::Pcap;
        std::array<bool, kLayerCount> layer_ready{};
        // Set while the views are limited to a display filter: which packets
        // it shows, and their hosts, conversations, protocols and throughput
        // (names stay in `model`: they come from every packet).
        std::shared_ptr<const DisplayMask> display;
        std::shared_ptr<TrafficModel> display_model;
        // What the views count: the displayed packets while limited, else all.
        const TrafficModel& shown() const { return display_model ? *display_model : model; }
        explicit State(const TrafficModelOptions& o) : model(o)
        {
            for (int l = 0; l < kLayerCount; ++l)
                layer_ready[size_t(l)] = model.has_layer(Layer(l));
        }
    };

    // Sets (or with an empty text removes) packet `number`'s comment, as a
    // teacher's caption: Save As writes it (pcapng opt_comment). False when
    // the packet is no longer listed.
    bool set_comment(uint64_t number, const std::string& text);
    // The capture's section comments (pcapng SHB opt_comment), in file order.
    std::vector<std::string> section_comments() const;

    // Limits the views to a display filter: from now on State::display and
    // State::display_model hold only what add_displayed() brings, for the
    // filter application `id`; clear_display() shows everything again.
    void begin_display(uint64_t id);
    void clear_display();
    // The scan of application `id` judged every packet below `scanned_end`
    // and these `matches` (ascending) pass: decodes and counts them. Ignored
    // when another application began meanwhile. Meant for a worker thread.
    void add_displayed(uint64_t id, const std::vector<uint64_t>& matches, uint64_t scanned_end);

    // The bytes of packet `number` (1-based), or empty if no longer kept (a
    // stream's history let it go, or the mapped file shrank below it).
    std::vector<uint8_t> packet_bytes(uint64_t number) const;
    uint32_t link_type_of(uint16_t interface_id) const;
    // Decodes listed packet `number` (its index entry `e`) again, as ingest
    // decoded it; false when its bytes are no longer kept.
    bool decode(uint64_t number, const PacketIndexEntry& e, DecodedPacket& out) const;
    // One past the last listed packet with a timestamp <= t_ns (found by
    // bisection: a capture with timestamps out of order gives a packet near it).
    uint64_t end_at(int64_t t_ns) const;
    // Timestamps of the first and last listed packets; false while none is listed.
    bool time_bounds(int64_t& first_ns, int64_t& last_ns) const;
    bool mapped() const { return mapping_.data() != nullptr; }

private:
    bool start(std::unique_ptr<CaptureInput> input, const std::string& name, std::string& error);
    void run_mapped();
    void run_stream_reader();
    void run_stream_decoder();
    void append(const PacketRecord& rec, const DecodedPacket& dp, uint64_t offset);
    // Moves the reader's new warnings into the state (reader thread, locked).
    void take_warnings();

    IngestOptions opts_;
    std::unique_ptr<CaptureReader> reader_;
    Bytes mapping_;
    const MappedFileInput* mapped_input_ = nullptr; // reader_'s input when mapping_ is set
    size_t reader_warnings_taken_ = 0;              // reader_->warnings() already in state_.warnings
    mutable std::mutex mutex_;
    State state_;
    PacketStore store_; // guarded by mutex_
    std::atomic<bool> cancel_{false};
    std::atomic<bool> running_{false};
    std::thread worker_;
    std::thread decoder_;
    std::vector<std::thread> layer_passes_;
    std::string path_; // of a mapped file, for the passes that add a layer
    std::vector<uint32_t> mtu_; // by interface id, 0 when unknown (state_.over_mtu's yardstick)

    // Stream hand-off: the reader copies packets into the store and queues
    // their records; the decoder takes them in order.
    struct Pending {
        PacketRecord rec; // data points into store_
        uint64_t offset;
    };
    std::deque<Pending> backlog_;
    std::condition_variable backlog_cv_;
    bool reader_done_ = false;
};

// What walk_packets() got through.
struct PacketWalk {
    uint64_t scanned = 0;
    uint64_t unavailable = 0; // packets whose bytes the engine no longer keeps
    uint64_t next_number = 0; // where a later walk goes on
    bool cancelled = false;
};

// Calls fn(number, link type, bytes, index entry) for the packets an engine
// lists from `from` (0: the first) to `to` (exclusive; 0: all it holds now),
// in order. For worker threads: the engine's lock is held only while short
// runs of the index are copied, so ingest goes on meanwhile; `cancel` is
// looked at between runs, `progress` told (done, total) after each.
template <typename Fn>
PacketWalk walk_packets(const IngestEngine& engine, uint64_t from, uint64_t to, const std::atomic<bool>* cancel,
                        const std::function<void(uint64_t, uint64_t)>& progress, Fn&& fn)
{
    constexpr uint64_t kChunk = 4096;
    PacketWalk r;
    uint64_t next = 0, end = 0;
    engine.with_state([&](const IngestEngine::State& s) {
        next = std::max(from, s.first_number);
        end = s.first_number + s.index.size();
        if (to && to < end)
            end = to;
        if (from && from < s.first_number)
            r.unavailable = s.first_number - from;
    });
    const uint64_t begin = next, total = end > next ? end - next : 0;
    std::vector<PacketIndexEntry> chunk;
    std::vector<uint32_t> link_types;
    while (next < end) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            r.cancelled = true;
            break;
        }
        uint64_t first = next;
        chunk.clear();
        engine.with_state([&](const IngestEngine::State& s) {
            if (next < s.first_number) { // let go meanwhile (a long live capture)
                r.unavailable += s.first_number - next;
                next = s.first_number;
            }
            first = next;
            const uint64_t at = next - s.first_number;
            const uint64_t n =
                std::min<uint64_t>({kChunk, end > next ? end - next : 0, s.index.size() - std::min<uint64_t>(at, s.index.size())});
            chunk.assign(s.index.begin() + long(at), s.index.begin() + long(at + n));
            link_types.clear();
            for (const CaptureInterface& itf : s.interfaces)
                link_types.push_back(itf.link_type);
        });
        if (chunk.empty())
            break;
        for (size_t i = 0; i < chunk.size(); ++i) {
            const PacketIndexEntry& e = chunk[i];
            const uint64_t number = first + i;
            const std::vector<uint8_t> bytes = engine.packet_bytes(number);
            if (bytes.size() != e.caplen) {
                ++r.unavailable;
                continue;
            }
            const uint32_t lt = e.interface_id < link_types.size() ? link_types[e.interface_id] : 0;
            fn(number, lt, Bytes(bytes.data(), bytes.size()), e);
        }
        next = first + chunk.size();
        r.scanned += chunk.size();
        if (progress)
            progress(std::min(next - begin, total), total);
    }
    r.next_number = next;
    return r;
}

} // namespace underhood
