// Expert information: the problems and notable events in a capture, grouped
// by severity and kind with their packets, as Wireshark's Expert Information
// dialog lists them. It reads what the protocol engine puts in each packet's
// field tree (run the packets in order with TCP analysis, see
// record_filter.h) and its summary's truncated/malformed marks:
//   - TCP analysis findings (retransmissions, lost segments, duplicate ACKs,
//     zero windows, ...) at Wireshark's severities, and connection resets;
//   - DNS responses with an error code (NXDOMAIN, SERVFAIL, REFUSED, ...);
//   - ICMP and ICMPv6 destination unreachable and time exceeded;
//   - HTTP responses 4xx (warning) and 5xx (error);
//   - TLS alerts (fatal: error, warning level: warning);
//   - malformed packets (error) and packets cut short by the snap length (note).
// No Qt here.
#pragma once

#include "dissect/outputs.h"
#include "dissect/tcp_analysis.h"
#include "packet_decoder.h"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace underhood {

using dissect::Severity;

class ExpertInfo {
public:
    ExpertInfo();

    // What one packet's findings come to, for colouring and plotting it.
    struct Mark {
        bool any = false;
        Severity worst = Severity::Chat; // when any
        bool tcp_analysis = false;       // tcp.analysis.flags: any TCP analysis flag
        // Wireshark's "Bad TCP" colouring rule: a flag other than window update and keep-alive (ACK).
        bool bad_tcp = false;
    };
    // What one packet says; call in packet order (packet lists stay sorted).
    Mark add(uint64_t number, const DecodedPacket& summary, const dissect::FieldTree& tree);

    struct Entry {
        Severity severity = Severity::Note;
        std::string group;    // Wireshark's: "Sequence", "Malformed", "Response Code", "Protocol"
        std::string protocol; // "TCP", "DNS"
        std::string summary;  // "This frame is a (suspected) retransmission"
        std::vector<uint64_t> packets;
    };
    // Gravest first, then in order of first appearance.
    std::vector<Entry> entries() const;
    // Packets with findings of this severity (a packet counts once per kind).
    uint64_t count(Severity s) const { return counts_[size_t(s)]; }
    bool empty() const { return entries_.empty(); }

private:
    void note(uint64_t number, Severity s, const char* group, const char* protocol, std::string summary);

    Mark mark_; // of the packet being added

    std::vector<Entry> entries_;
    std::map<std::tuple<int, std::string, std::string, std::string>, size_t> index_;
    uint64_t counts_[4] = {};
    struct Ids;
    const Ids* ids_;
};

} // namespace underhood
