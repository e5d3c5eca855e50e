// The context a packet's details need from the packets before it, as
// Wireshark keeps it: tcp.stream and udp.stream numbers and TCP sequence
// analysis ("[SEQ/ACK analysis]": retransmissions, ACK round trips, relative
// numbers). Rebuilt by replaying the engine's packets in order through the
// summary path with those two outputs on (no field tree): a step forward
// costs the packets in between, a step back a replay from the start.
#pragma once

#include "dissect/outputs.h"
#include "dissect/tcp_analysis.h"
#include "ingest_engine.h"
#include "packet_details.h"

#include <memory>

namespace underhood {

class PacketContext {
public:
    PacketContext();
    ~PacketContext();

    // Brings the context to just before packet `number`, replaying at most
    // `max_replay` packets; false (and no context) when that is not enough or
    // a packet on the way is no longer kept. Then dissect `number` with
    // context(): it joins the context.
    bool prepare(const IngestEngine& engine, uint64_t number, uint64_t max_replay);
    DissectContext context();
    // Packets replayed by the last prepare() (tests check steps stay incremental).
    uint64_t replayed() const { return replayed_; }

private:
    void reset(uint64_t first);

    std::unique_ptr<dissect::Streams> streams_;
    std::unique_ptr<dissect::TcpAnalysis> tcp_;
    uint64_t next_ = 0; // the next packet the context expects (0: none yet)
    uint64_t replayed_ = 0;
};

} // namespace underhood
