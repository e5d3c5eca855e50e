// TCP sequence analysis across packets, as Wireshark's "Analyze TCP sequence
// numbers" does it: retransmissions, out-of-order and lost segments,
// duplicate ACKs, window problems, keep-alives, reused ports, ACK round-trip
// times and relative sequence numbers, under Wireshark's field names
// (tcp.analysis.retransmission, tcp.analysis.ack_rtt, tcp.seq, ...).
//
// It needs every TCP segment in capture order, so it is an output a caller
// asks for (Packet::tcp_analysis), like the stream numbers: one TcpAnalysis
// per capture, handed to each packet's dissection in turn. Nothing here runs
// when no caller asks, so the summary path never pays for it.
#pragma once

#include "address.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <tuple>

namespace underhood::dissect {

class Packet;

// Wireshark's analysis flags (its TCP_A_* bits, in its order).
enum TcpAnalysisFlag : uint32_t {
    kTcpRetransmission = 0x0001,
    kTcpLostSegment = 0x0002,
    kTcpAckLostSegment = 0x0004,
    kTcpKeepAlive = 0x0008,
    kTcpDuplicateAck = 0x0010,
    kTcpZeroWindow = 0x0020,
    kTcpZeroWindowProbe = 0x0040,
    kTcpZeroWindowProbeAck = 0x0080,
    kTcpKeepAliveAck = 0x0100,
    kTcpOutOfOrder = 0x0200,
    kTcpFastRetransmission = 0x0400,
    kTcpWindowUpdate = 0x0800,
    kTcpWindowFull = 0x1000,
    kTcpReusedPorts = 0x2000,
    kTcpSpuriousRetransmission = 0x4000,
};

// Wireshark's expert severities, lowest first.
enum class Severity : uint8_t { Chat, Note, Warning, Error };
const char* severity_name(Severity s); // "Chat", "Note", "Warning", "Error"

// What each flag is called and how grave Wireshark holds it.
struct TcpFlagInfo {
    uint32_t flag;
    std::string_view field;   // "tcp.analysis.retransmission"
    std::string_view summary; // "This frame is a (suspected) retransmission"
    std::string_view info;    // the Info column's tag: "TCP Retransmission"
    Severity severity;
};
// In the order Wireshark prints them.
const TcpFlagInfo* tcp_flag_infos(size_t& count);

// One segment as the TCP dissector hands it over.
struct TcpSegment {
    IpAddress src, dst;
    uint16_t sport = 0, dport = 0;
    uint32_t seq = 0, ack = 0;
    uint16_t flags = 0;  // the 12 flag bits, FIN lowest
    uint16_t window = 0; // as sent, unscaled
    uint32_t seglen = 0;
    bool has_seglen = true; // false when the IP header leaves no room for the TCP header it claims
    int wscale = -1;        // the Window Scale option's shift in this segment, -1 without one
    uint64_t frame = 0;
    int64_t ts_ns = 0;
};

// What the analysis says of one segment.
struct TcpVerdict {
    bool numbered = false; // tcp.seq and tcp.ack are shown (relative when analysed)
    bool analysed = false; // the segment was analysed: relative numbers, tcp.nxtseq
    uint32_t rel_seq = 0, rel_ack = 0, rel_nxtseq = 0;
    // Wireshark's "[SEQ/ACK analysis]" block exists for this segment.
    bool block = false;
    uint32_t flags = 0; // TcpAnalysisFlag bits
    uint64_t acks_frame = 0;
    int64_t ack_rtt_ns = 0;     // shown when acks_frame and nonzero
    int64_t initial_rtt_ns = 0; // the conversation's handshake RTT, 0 when unknown
    uint32_t dupack_num = 0;
    uint64_t dupack_frame = 0;
    // tcp.analysis.retransmission stands for any of the three kinds.
    bool retransmission() const
    {
        return flags & (kTcpRetransmission | kTcpFastRetransmission | kTcpSpuriousRetransmission);
    }
};

class TcpAnalysis {
public:
    TcpAnalysis();
    ~TcpAnalysis();
    TcpAnalysis(const TcpAnalysis&) = delete;
    TcpAnalysis& operator=(const TcpAnalysis&) = delete;

    // Call for every segment in capture order.
    TcpVerdict segment(const TcpSegment& s);

private:
    struct Flow;
    struct Conversation;
    using Key = std::tuple<IpAddress, uint16_t, IpAddress, uint16_t>;
    std::map<Key, std::unique_ptr<Conversation>> conversations_;
};

// The Window Scale option's shift (capped at 14, as RFC 7323 says) in the
// options `opts[0, len)`, -1 when there is none.
int tcp_window_scale_option(const uint8_t* opts, size_t len);

// Fields (registered with TCP's) and the tree rows the TCP dissector adds.
void register_tcp_analysis();
// tcp.seq, where Wireshark shows it (before the raw number).
void add_tcp_relative_seq(Packet& p, size_t offset, const TcpVerdict& v);
// tcp.nxtseq and tcp.ack (relative), after the raw numbers.
void add_tcp_relative_ack(Packet& p, size_t offset, const TcpVerdict& v);
// The "[SEQ/ACK analysis]" block, at the end of the TCP layer.
void add_tcp_analysis_rows(Packet& p, const TcpVerdict& v);
// The Info column's prefix: "[TCP Retransmission] ", "[TCP Dup ACK 5#1] ".
std::string tcp_analysis_info(const TcpVerdict& v);

} // namespace underhood::dissect
