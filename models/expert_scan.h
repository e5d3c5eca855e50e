// Expert information over the packets an engine has read, for the app: the
// Expert Information dock, the packet list's colours, the plot's "TCP
// errors" and the conversations' retransmissions and handshake times. A scan
// goes on from where the last one stopped with the TCP analysis state kept,
// so a growing live capture has each packet looked at once.
//
// No Qt: the GUI runs scans on a worker thread, one at a time.
#pragma once

#include "expert_info.h"
#include "ingest_engine.h"
#include "record_filter.h"
#include "traffic_model.h"

#include <atomic>
#include <functional>
#include <vector>

namespace underhood {

// TCP's health per conversation, as the conversations table shows it.
struct TcpHealth {
    uint64_t retransmissions = 0; // packets flagged tcp.analysis.retransmission (fast and spurious included)
    // Handshake round trips (tcp.analysis.initial_rtt, SYN to the ACK of
    // SYN-ACK), one per connection whose handshake was seen.
    std::vector<int64_t> handshake_rtt_ns;
    // The median of those, or -1 without any.
    int64_t median_rtt_ns() const;
};
using TcpHealthTable = FlatHashMap<ConversationKey, TcpHealth, ConversationKeyHash, ConversationKeyEq>;

class ExpertScanner {
public:
    ExpertScanner();

    // Looks at the packets read since the last scan. False when cancelled
    // part way; what was looked at stays counted and the next scan goes on.
    bool scan(const IngestEngine& engine, const std::atomic<bool>* cancel = nullptr,
              const std::function<void(uint64_t done, uint64_t total)>& progress = {});

    const ExpertInfo& info() const { return info_; }
    uint64_t next_number() const { return next_; }
    // Packets with findings, ascending, with what they come to.
    struct Marked {
        uint64_t number;
        int64_t ts_ns;
        uint32_t bytes;
        ExpertInfo::Mark mark;
    };
    const std::vector<Marked>& marked() const { return marked_; }
    // By conversation at layer `l` (Ip or Port; Ether has none).
    const TcpHealthTable& tcp_health(Layer l) const { return l == Layer::Port ? by_port_ : by_ip_; }
    // Packets whose bytes were gone when the scan came to them (a long live capture's history).
    uint64_t unavailable() const { return unavailable_; }

private:
    void add(const PacketRecord& rec, DecodedPacket& dp, const PacketIndexEntry& e);

    RecordFilter filter_; // no expression: every packet, with its tree and TCP analysis
    ExpertInfo info_;
    uint64_t next_ = 0;
    uint64_t unavailable_ = 0;
    std::vector<Marked> marked_;
    TcpHealthTable by_ip_, by_port_;
    dissect::FieldId retrans_ = dissect::kNoField, fast_ = dissect::kNoField, spurious_ = dissect::kNoField,
                     irtt_ = dissect::kNoField, stream_ = dissect::kNoField;
    std::vector<bool> rtt_seen_; // by tcp.stream: its handshake time is counted
};

} // namespace underhood
