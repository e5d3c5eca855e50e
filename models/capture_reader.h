// One incremental reader for pcap and pcapng, whatever the byte source.
//
// It pulls records one at a time, so the same code reads a mapped file at
// full speed and a live stream from the capture helper as it arrives.
#pragma once

#include "bytes.h"
#include "capture_input.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace underhood {

enum class CaptureFormat { Pcap, Pcapng };

// What underhood-capture reports about the NIC, its driver and the kernel's
// backlog before packets reach the capture socket (capture/README.md, "NIC
// health"). Counters are the kernel's or driver's own running values;
// `since_start` is their growth since the capture's first record (the one in
// the interface description), which is what a drop panel shows.
struct NicHealth {
    enum class Phase { Start, Interval, Final };
    Phase phase = Phase::Interval;
    int64_t ts_ns = 0;
    bool has_driver_info = false;
    std::string driver, driver_version, firmware, bus;
    std::optional<uint64_t> speed_mbps;
    std::string duplex; // "full", "half" or empty
    std::optional<uint32_t> mtu, rx_queues, tx_queues;
    struct Offloads {
        std::optional<bool> gro, lro, gso, tso, rx_checksum, tx_checksum, rx_vlan_strip;
    } offloads;
    struct Ring {
        uint32_t rx = 0, rx_max = 0;
    };
    std::optional<Ring> ring; // absent where the driver has no ring parameters
    std::vector<std::pair<std::string, std::string>> rps, xps; // queue, CPU mask (hexadecimal)
    struct Counter {
        std::string name;
        uint64_t value = 0;
        uint64_t since_start = 0;
    };
    // rx_dropped, rx_missed_errors, rx_fifo_errors, rx_over_errors.
    std::vector<Counter> interface_counters;
    // The driver's ETHTOOL_GSTATS counters named for losses (miss, drop, fifo, no_buffer, discard).
    std::vector<Counter> driver_counters;
    struct SoftnetCpu {
        uint32_t cpu = 0;
        uint64_t dropped = 0, time_squeeze = 0;
        uint64_t dropped_since_start = 0, time_squeeze_since_start = 0;
    };
    std::vector<SoftnetCpu> softnet;
    // False when no start record was there to count from (since_start then
    // equals the value).
    bool has_start = false;
    // The record's text as read, so a capture saved again keeps it unchanged.
    std::string text;

    uint64_t interface_drops_since_start() const;
    uint64_t driver_drops_since_start() const;
    uint64_t softnet_dropped_since_start() const;
    uint64_t softnet_time_squeeze_since_start() const;
};

struct CaptureInterface {
    uint32_t link_type = 0; // LINKTYPE_* value
    uint32_t snaplen = 0;
    uint32_t section = 0;       // pcapng section the interface belongs to
    uint32_t local_id = 0;      // its id inside that section
    uint64_t units_per_sec = 0; // timestamp resolution
    int64_t ts_offset_sec = 0;  // pcapng if_tsoffset
    std::string name;
    std::string description;
    std::string hardware; // if_hardware (the helper: driver, version, firmware, bus)
    std::string os;       // if_os
    std::optional<uint64_t> speed_bps;         // if_speed
    std::optional<std::array<uint8_t, 6>> mac; // if_MACaddr
    // The helper's NIC-health record at the start of the capture, if any.
    std::shared_ptr<const NicHealth> health;
};

// A pcapng Interface Statistics Block. Absent options stay empty.
struct InterfaceStatistics {
    uint32_t interface_id = 0; // global interface index
    int64_t ts_ns = 0;
    std::optional<int64_t> start_ns, end_ns;
    std::optional<uint64_t> ifrecv, ifdrop, filteraccept, osdrop, usrdeliv;
    // The helper's NIC-health record written with this block, if any.
    std::shared_ptr<const NicHealth> health;
};

// Parses a NIC-health record (the text of an IDB or ISB comment); null unless
// it starts with the record's first line. `start` (may be null) is the
// record counted from. Unknown keys and unreadable values are skipped.
std::shared_ptr<NicHealth> parse_nic_health(std::string_view text, const NicHealth* start);

struct PacketRecord {
    uint64_t number = 0;       // 1-based, in file order
    uint64_t file_offset = 0;  // offset of the record (block) in the input
    uint32_t interface_id = 0; // index into CaptureReader::interfaces()
    uint32_t link_type = 0;
    int64_t ts_ns = 0; // nanoseconds since the Unix epoch
    // False for a pcapng Simple Packet Block, which carries no time stamp
    // (ts_ns is then 0, as in Wireshark's wiretap).
    bool has_timestamp = true;
    uint32_t caplen = 0;
    uint32_t origlen = 0;
    Bytes data;                // valid until the next call to next() unless the input is stable()
    std::string_view comment;  // first opt_comment, same lifetime as data
};

// Said when a capture helper's section ends without its final statistics.
inline constexpr std::string_view kFinalStatisticsMissing = "final statistics missing: counts may be incomplete";

class CaptureReader {
public:
    // Statistics: a pcapng statistics block was read (only with
    // set_report_statistics(true)); call next() again for more.
    enum class Status { Packet, End, Error, Statistics };

    // Reads the file header. Returns null with `error` set to one line that
    // names the input and says what was expected.
    static std::unique_ptr<CaptureReader> open(std::unique_ptr<CaptureInput> input, const std::string& display_name,
                                               std::string& error);
    // A file is read in one pass unless `access` asks for a mapping.
    static std::unique_ptr<CaptureReader> open_path(const std::string& path, std::string& error,
                                                    FileAccess access = FileAccess::Sequential);

    // Next packet. End when the input is exhausted (warnings() tells whether
    // it ended cleanly); Error only for a read error of the input itself.
    Status next(PacketRecord& out);

    CaptureFormat format() const { return format_; }
    const std::vector<CaptureInterface>& interfaces() const { return interfaces_; }
    const std::vector<InterfaceStatistics>& statistics() const { return statistics_; }
    // Makes next() return after each statistics block, so a live reader shows
    // the helper's counts while no packet arrives (drops during a quiet spell).
    void set_report_statistics(bool on) { report_statistics_ = on; }
    const std::vector<std::string>& warnings() const { return warnings_; }
    // Comments from section headers.
    const std::vector<std::string>& section_comments() const { return section_comments_; }
    // pcapng sections seen so far (0 for pcap).
    uint32_t sections() const { return in_section_ ? section_ + 1 : 0; }
    const std::string& error() const { return error_; }
    bool truncated() const { return truncated_; }
    CaptureInput& input() { return *input_; }
    uint64_t packets_read() const { return packets_; }
    uint64_t position() const { return input_->position(); }

    static constexpr uint32_t kMaxRecord = 64u << 20;

private:
    CaptureReader() = default;
    Status next_pcap(PacketRecord& out);
    Status next_pcapng(PacketRecord& out);
    bool read_section_header(Bytes block, uint64_t offset);
    void end_section();
    void read_interface(Bytes body, uint64_t offset);
    void read_statistics(Bytes body, uint64_t offset);
    int64_t to_ns(const CaptureInterface& itf, uint64_t ts);
    std::string_view find_comment(Bytes options) const;
    void warn_truncated(uint64_t offset, const char* what, uint64_t need, uint64_t have);
    void warn(std::string text);

    std::unique_ptr<CaptureInput> input_;
    std::string name_;
    CaptureFormat format_ = CaptureFormat::Pcap;
    Endian endian_;
    // pcap
    bool pcap_nsec_ = false;
    bool pcap_modified_ = false; // the "Kuznetzov" variant with 8 extra bytes per record
    bool peek_next_ = false;     // the input is stable: look at the next record header too
    // pcapng
    uint32_t section_ = 0;
    uint32_t section_first_interface_ = 0;
    bool in_section_ = false;

    std::vector<CaptureInterface> interfaces_;
    std::vector<bool> interface_malformed_; // parallel to interfaces_: its IDB was unreadable
    std::vector<InterfaceStatistics> statistics_;
    std::vector<std::string> warnings_;
    std::vector<std::string> section_comments_;
    std::string error_;
    bool truncated_ = false;
    bool done_ = false;
    bool report_statistics_ = false;
    uint64_t packets_ = 0;
    size_t unknown_interface_warnings_ = 0;
    bool clamped_times_ = false; // the out-of-range warning was given
    // A section written by underhood-capture ends with an ISB commented
    // "final statistics" for each of its interfaces; one without them was cut
    // short (the helper died, the copy is partial) and its counts are not final.
    bool section_from_helper_ = false;
    std::vector<bool> final_statistics_; // by interface id within the section
    bool final_missing_warned_ = false;
};

const char* link_type_name(uint32_t link_type); // tcpdump's DLT names, e.g. "EN10MB"

} // namespace underhood
