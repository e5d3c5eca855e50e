// Where packets are lost on the way from the wire to the window: the numbers
// behind the drop-statistics panel, from the pcapng Interface Statistics
// Blocks (the helper's, or dumpcap's in a saved file) and the app's own
// ingest counters.
//
// The path, in order:
//   NIC ring                the health record's rx_missed_errors + rx_fifo_errors +
//                           rx_over_errors growth (without a record: isb_ifdrop)
//   Driver and backlog      rx_dropped growth + /proc/net/softnet_stat dropped growth
//   Socket filter           isb_ifrecv passed (filtering is a choice, not a loss)
//   Kernel ring             isb_ifrecv received, isb_osdrop dropped
//   Capture helper          isb_filteraccept received, filteraccept - usrdeliv dropped
//   Socket (the stream)     lossless: a full socket backs up into the helper
//   App ingest              IngestCounters
// The NIC-health record is underhood-capture's (capture/README.md, "NIC health").
//
// No Qt: tests check these numbers without widgets.
#pragma once

#include "capture_reader.h"
#include "ingest_engine.h"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace underhood {

// Interface is the NIC's receive ring (all of the interface's drops when the
// source records no NIC health).
enum class DropStage : uint8_t { Interface = 0, Backlog, Filter, Kernel, Helper, Socket, Ingest };
constexpr size_t kDropStageCount = 7;
// "interface", "backlog", "filter", "kernel", "helper", "socket", "ingest"
const char* drop_stage_key(DropStage s);

struct StageFigures {
    bool reported = false;            // the source counts this stage at all
    std::optional<uint64_t> received; // packets that reached the stage (unknown for the interface)
    uint64_t dropped = 0;
    double received_per_s = 0; // over the latest statistics interval
    double dropped_per_s = 0;
    // The kernel's or driver's counters behind `dropped`, each as its growth
    // since the capture started ("rx_missed_errors", "softnet dropped"), and
    // counters shown beside them that are not losses ("softnet time_squeeze").
    struct Part {
        std::string name;
        uint64_t value = 0;
        bool counted = true; // part of `dropped`
    };
    std::vector<Part> parts;

    // Share of what reached the stage that it dropped; empty when that is unknown.
    std::optional<double> drop_percent() const
    {
        if (!received || *received == 0)
            return std::nullopt;
        return 100.0 * double(dropped) / double(*received);
    }
    uint64_t passed() const { return received && *received >= dropped ? *received - dropped : 0; }
};
using StageArray = std::array<StageFigures, kDropStageCount>;

struct InterfaceDrops {
    uint32_t interface_id = 0;
    std::string name;
    InterfaceStatistics latest; // the newest statistics block of this interface
    size_t blocks = 0;          // statistics blocks seen for it
    // Interface to Helper; Socket and Ingest belong to the whole stream.
    StageArray stages;
    // The newest NIC-health record (the start record until an ISB brings one).
    std::shared_ptr<const NicHealth> health;
    uint64_t softnet_dropped = 0; // part of the Backlog figure; the backlog is the machine's, not the interface's
    uint64_t over_mtu = 0;        // frames read that were longer than the interface's MTU
};

// Running totals of drops per stage (all interfaces) at a moment.
struct DropSample {
    int64_t ts_ns = 0;
    std::array<uint64_t, kDropStageCount> dropped{};
    uint64_t total() const
    {
        uint64_t t = 0;
        for (uint64_t d : dropped)
            t += d;
        return t;
    }
};

// A moment at which packets were lost, for marks on a time axis.
struct DropEvent {
    int64_t ts_ns = 0;
    uint64_t dropped = 0; // lost since the previous sample
};

// What the capture was started with; the advice is relative to it.
struct CaptureSettings {
    bool live = false;
    uint32_t buffer_mib = 0;
    uint32_t snaplen = 0;
    std::string backend; // "afpacket" or "pcap"
    std::string filter;
    uint64_t history_packets = 0;
    uint32_t threads = 1; // the helper's --threads
};

enum class DropAdviceKind : uint8_t {
    LargerBuffer,    // value: the buffer to try, MiB
    ShorterSnaplen,  // value: the snaplen to try
    CaptureFilter,   // capture less: the user writes the filter
    AfPacketBackend, // leave libpcap for the helper's own TPACKET_V3 ring
    ShorterHistory,  // value: packets the list should keep
    InterfaceRing,   // the NIC's own ring (ethtool -G): value its maximum, current the size now (0: unknown)
    Backlog,         // the kernel's per-CPU backlog (net.core.netdev_max_backlog); value: the one to try
    MoreThreads,     // value: the --threads to try
    GroOff,          // frames longer than the MTU: value the MTU, count the frames (ethtool -K gro off)
};

struct DropAdvice {
    DropStage stage = DropStage::Interface;
    DropAdviceKind kind = DropAdviceKind::CaptureFilter;
    int64_t value = 0;
    int64_t current = 0;
    uint64_t count = 0;
    std::string interface; // the interface it is about, where that matters
};

// The command a user types to follow the advice ("ethtool -G eth0 rx 4096");
// empty when there is none (the app restarts the capture itself).
std::string advice_command(const DropAdvice& a);

class DropStatistics {
public:
    static constexpr uint32_t kMaxBufferMib = 4096; // what underhood-capture -B accepts
    static constexpr uint32_t kHeadersSnaplen = 256;

    void reset();
    // Interface names for display (index = global interface id).
    void set_interfaces(const std::vector<CaptureInterface>& itfs);
    // Statistics blocks in stream order. Their counters are running totals, so
    // the newest block of each interface holds its figures.
    void add(const InterfaceStatistics& st);
    // Frames of interface `id` read so far that were longer than its MTU.
    void set_over_mtu(uint32_t id, uint64_t frames);
    // How many blocks were fed: callers pass only the ones after these.
    size_t statistics_seen() const { return seen_; }
    // The app's ingest counters, sampled at `now_ns` (wall clock, Unix epoch).
    // `stream` is false for a mapped file, where ingest cannot lose packets.
    void set_ingest(const IngestCounters& c, int64_t now_ns, bool stream);

    bool has_statistics() const { return !interfaces_.empty(); }
    bool is_stream() const { return stream_; }
    const std::vector<InterfaceDrops>& interfaces() const { return interfaces_; }
    // Every interface together, plus the socket and the app's ingest.
    const StageArray& totals() const { return totals_; }
    const IngestCounters& ingest() const { return ingest_; }
    uint64_t total_dropped() const;
    // Packets that reached the capture at all (the kernel's count plus what
    // the interface itself dropped; the ingest count when there are no statistics).
    uint64_t total_arrived() const;
    // Anything lost anywhere: the data shown is incomplete.
    bool incomplete() const { return total_dropped() > 0; }
    // The stage that lost the most (Interface when nothing was lost).
    DropStage worst_stage() const;

    // Running totals over time (one sample per statistics block or ingest
    // change), oldest first.
    const std::deque<DropSample>& history() const { return history_; }
    std::vector<DropEvent> events() const;

    // What to change, in path order, one piece of advice per kind; only for
    // a stage whose counter moved.
    std::vector<DropAdvice> advice(const CaptureSettings& s) const;
    // A plain sentence saying what happened at a stage, with its numbers
    // (`interface_index` into interfaces(), or -1 for all together).
    std::string stage_sentence(DropStage s, int interface_index = -1) const;

private:
    void recompute_totals();
    void push_sample(int64_t ts_ns);
    InterfaceDrops& slot(uint32_t id);

    std::vector<InterfaceDrops> interfaces_; // sorted by interface id
    std::vector<InterfaceStatistics> previous_; // the block before `latest`, per slot, for rates
    std::vector<std::string> names_;
    std::vector<std::shared_ptr<const NicHealth>> start_health_; // by interface id, from the IDBs
    std::vector<uint64_t> over_mtu_;                             // by interface id
    StageArray totals_{};
    IngestCounters ingest_;
    bool stream_ = false;
    size_t seen_ = 0;
    struct IngestSample {
        int64_t ts_ns;
        IngestCounters c;
    };
    std::deque<IngestSample> ingest_samples_; // the last few seconds, for rates
    std::deque<DropSample> history_;
};

// Feeds `stats` what `engine` has read since the last call: new statistics
// blocks, the interface names and the ingest counters at `now_ns`.
void update_drop_statistics(DropStatistics& stats, const IngestEngine& engine, int64_t now_ns);

} // namespace underhood
