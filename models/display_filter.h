// The display filter, in either language its users already speak:
//   - Wireshark's display-filter syntax over the protocol engine's fields
//     ("ip.addr == 10.0.0.0/8 && tcp.port in {80, 443}", see dfilter.h);
//   - BPF (what every tcpdump user types), compiled by libpcap and run with
//     pcap_offline_filter, so a filter selects exactly the packets
//     `tcpdump -r FILE EXPR` prints.
// An expression that parses as Wireshark's is taken as such (the two agree
// on what they share: "tcp", "arp", "!udp"); anything else is tried as BPF.
//
// A BPF program depends on the link-layer header it reads, so one program is
// compiled per link type present (a pcapng file may mix Ethernet, Linux cooked
// and raw IP interfaces). No Qt here.
#pragma once

#include "address.h"
#include "bytes.h"

#include "dfilter.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace underhood {

class IngestEngine;
namespace dissect {
class Streams;
class TcpAnalysis;
struct FrameInterface;
}

// The expression matching one host's packets: "host A", "ether host M", or
// "(host A and port P)".
std::string endpoint_bpf(const Endpoint& e);
// The same in Wireshark's language ("ip.addr == 10.0.0.1", "eth.addr == …"),
// which also matches the host inside VLAN tags and tunnels.
std::string endpoint_dfilter(const Endpoint& e);

// "Apply as Filter" for a line of the packet details: an address or port
// line becomes "src host A", "dst port P", "ether src M" (`by_host` true: the
// caller may widen it through VLAN tags); a protocol layer its BPF name
// ("ip", "tcp"); any other field of up to 16 whole bytes matches those bytes
// where they sit ("link[22:1] = 0x40"). Empty when none applies (bit fields,
// notes, longer fields).
struct FieldFilter {
    std::string expr;
    bool by_host = false;
};
FieldFilter field_bpf(std::string_view label, int depth, bool bits, uint32_t offset, uint32_t length, Bytes packet);

// `expr` also for packets inside up to `vlan_depth` 802.1Q/802.1ad tags, as the
// host and conversation counts see them (keyed by the outermost IP header
// whatever tags come before it). BPF's `vlan` moves every later offset by a
// tag, so the tagged alternatives nest at the end:
// "X or (vlan and (X or (vlan and X)))". Depth 0 returns `expr` unchanged.
std::string through_vlan_tags(const std::string& expr, int vlan_depth);

class DisplayFilter {
public:
    DisplayFilter();
    ~DisplayFilter();
    DisplayFilter(DisplayFilter&&) noexcept;
    DisplayFilter& operator=(DisplayFilter&&) noexcept;
    DisplayFilter(const DisplayFilter&) = delete;
    DisplayFilter& operator=(const DisplayFilter&) = delete;

    // Compiles `expr` for each of `link_types` (LINKTYPE_* values as in the
    // file). Fails, with libpcap's message in `error`, when the expression
    // compiles for none of them; a link type it does not apply to (`ether
    // host` on raw IP) is noted in warning() and its packets never match.
    // An empty or blank expression matches every packet.
    // An expression neither language takes fails with the error of the one
    // it looks written for, and error_position() where it points (npos for
    // libpcap's messages, which name no position).
    // `only` other than None takes the expression in that language alone
    // ("udp" means a different thing in each: BPF's leaves out the UDP
    // header an ICMP error quotes).
    enum class Language { None, Wireshark, Bpf };
    bool compile(const std::string& expr, const std::vector<uint32_t>& link_types, std::string& error,
                 Language only = Language::None);

    Language language() const { return language_; }
    size_t error_position() const { return error_pos_; }

    // Whether a packet passes. Safe to call from several threads at once.
    // A Wireshark expression dissects the packet: `number` fills
    // frame.number, `streams` (shared by a scan in packet order) tcp.stream
    // and udp.stream, `tcp` (likewise) tcp.analysis.* and the relative
    // sequence numbers; without them those fields are absent. `interface`
    // fills frame.interface_id and frame.interface_name (pcapng only).
    bool matches(uint32_t link_type, Bytes data, uint32_t origlen, int64_t ts_ns, uint64_t number = 0,
                 dissect::Streams* streams = nullptr, dissect::TcpAnalysis* tcp = nullptr,
                 const dissect::FrameInterface* interface = nullptr) const;
    // A Wireshark expression over a tree the caller dissected already.
    bool matches_tree(const dissect::FieldTree& tree, Bytes data) const;

    bool empty() const { return expression_.empty(); }
    const std::string& expression() const { return expression_; }
    // Link types the expression could not be compiled for, with libpcap's reasons.
    const std::string& warning() const { return warning_; }

    // libpcap's DLT_* value for a LINKTYPE_* value from a capture file, using
    // libpcap's own mapping (they differ for raw IP, ATM, loopback and a few more).
    static int dlt_for_link_type(uint32_t link_type);

private:
    bool compile_bpf(const std::string& expr, const std::vector<uint32_t>& link_types, std::string& error);

    struct Program;
    std::vector<std::unique_ptr<Program>> programs_;
    WiresharkFilter wireshark_;
    Language language_ = Language::None;
    size_t error_pos_ = std::string::npos;
    std::string expression_;
    std::string warning_;
};

struct FilterScanOptions {
    // First packet number to look at; 0 starts at the first packet still listed.
    // A live view passes the number after the last one it scanned.
    uint64_t first_number = 0;
    // Checked between packets; the scan stops early when it turns true.
    const std::atomic<bool>* cancel = nullptr;
    // tcp.stream and udp.stream numbers for a Wireshark expression: a live
    // view keeps one across its scans; null numbers the packets scanned now.
    dissect::Streams* streams = nullptr;
    // TCP sequence analysis for a Wireshark expression, kept the same way.
    dissect::TcpAnalysis* tcp_analysis = nullptr;
    // Called every few thousand packets and at the end with (scanned, total to scan).
    std::function<void(uint64_t, uint64_t)> progress;
};

struct FilterScanResult {
    std::vector<uint64_t> matches; // packet numbers, ascending
    uint64_t scanned = 0;
    uint64_t unavailable = 0; // packets whose bytes are no longer kept (a long live capture)
    uint64_t next_number = 0; // where a later scan continues
    bool cancelled = false;
};

// Runs `filter` over the packets an engine has read so far. Meant for a
// worker thread: the engine's lock is held only while copying short runs of
// the packet index, so ingest goes on meanwhile.
FilterScanResult filter_packets(const IngestEngine& engine, const DisplayFilter& filter,
                                const FilterScanOptions& opts = {});

} // namespace underhood
