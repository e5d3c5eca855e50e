// Where packets are lost on the way from the wire to the window: the numbers
// behind the drop-statistics panel, from the pcapng Interface Statistics
// Blocks (the helper's, or dumpcap's in a saved file) and the app's own
// ingest counters.
//
// The path, in order:
//   Interface (NIC/driver)  isb_ifdrop
//   Kernel ring and filter  isb_ifrecv received, isb_osdrop dropped
//   Capture helper          isb_filteraccept received, filteraccept - usrdeliv dropped
//   Socket (the stream)     lossless: a full socket backs up into the helper
//   App ingest              IngestCounters
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

enum class DropStage : uint8_t { Interface = 0, Kernel, Helper, Socket, Ingest };
constexpr size_t kDropStageCount = 5;
const char* drop_stage_key(DropStage s); // "interface", "kernel", "helper", "socket", "ingest"

struct StageFigures {
    bool reported = false;            // the source counts this stage at all
    std::optional<uint64_t> received; // packets that reached the stage (unknown for the interface)
    uint64_t dropped = 0;
    double received_per_s = 0; // over the latest statistics interval
    double dropped_per_s = 0;

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
    // Interface, Kernel and Helper; Socket and Ingest belong to the whole stream.
    StageArray stages;
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
};

enum class DropAdviceKind : uint8_t {
    LargerBuffer,    // value: the buffer to try, MiB
    ShorterSnaplen,  // value: the snaplen to try
    CaptureFilter,   // capture less: the user writes the filter
    AfPacketBackend, // leave libpcap for the helper's own TPACKET_V3 ring
    ShorterHistory,  // value: packets the list should keep
    InterfaceRing,   // the NIC's own ring (ethtool -G): nothing the capture can change
};

struct DropAdvice {
    DropStage stage;
    DropAdviceKind kind;
    int64_t value = 0;
};

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

    // What to change, in path order, one piece of advice per kind.
    std::vector<DropAdvice> advice(const CaptureSettings& s) const;

private:
    void recompute_totals();
    void push_sample(int64_t ts_ns);
    InterfaceDrops& slot(uint32_t id);

    std::vector<InterfaceDrops> interfaces_; // sorted by interface id
    std::vector<InterfaceStatistics> previous_; // the block before `latest`, per slot, for rates
    std::vector<std::string> names_;
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
