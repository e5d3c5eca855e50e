#include "packet_context.h"

#include "dissect/engine.h"
#include "dissect/packet.h"

namespace underhood {

PacketContext::PacketContext() = default;
PacketContext::~PacketContext() = default;

void PacketContext::reset(uint64_t first)
{
    streams_ = std::make_unique<dissect::Streams>();
    tcp_ = std::make_unique<dissect::TcpAnalysis>();
    next_ = first;
}

DissectContext PacketContext::context()
{
    DissectContext c;
    c.streams = streams_.get();
    c.tcp_analysis = tcp_.get();
    // The caller dissects the packet prepare() was asked for: it joins the context.
    ++next_;
    return c;
}

bool PacketContext::prepare(const IngestEngine& engine, uint64_t number, uint64_t max_replay)
{
    replayed_ = 0;
    uint64_t first = 0, end = 0;
    engine.with_state([&](const IngestEngine::State& s) {
        first = s.first_number;
        end = s.first_number + s.index.size();
    });
    if (number < first || number >= end)
        return false;
    if (!streams_ || next_ > number || next_ < first)
        reset(first);
    if (number - next_ > max_replay) {
        streams_.reset(); // too far: the next prepare starts over
        return false;
    }
    std::vector<uint32_t> link_types;
    engine.with_state([&](const IngestEngine::State& s) {
        for (const CaptureInterface& itf : s.interfaces)
            link_types.push_back(itf.link_type);
    });
    DecodedPacket dp;
    while (next_ < number) {
        const uint64_t n = next_;
        const std::optional<PacketIndexEntry> e = engine.with_state([n](const IngestEngine::State& s) -> std::optional<PacketIndexEntry> {
            if (n < s.first_number || n - s.first_number >= s.index.size())
                return std::nullopt;
            return s.index[size_t(n - s.first_number)];
        });
        const std::vector<uint8_t> bytes = e ? engine.packet_bytes(n) : std::vector<uint8_t>{};
        if (!e || bytes.size() != e->caplen) {
            streams_.reset();
            return false;
        }
        dissect::Packet p(Bytes(bytes.data(), bytes.size()), e->origlen, dp);
        p.streams = streams_.get();
        p.tcp_analysis = tcp_.get();
        p.frame_number = n;
        p.ts_ns = e->ts_ns;
        p.has_time = e->flags & PacketIndexEntry::Timed;
        dissect::dissect(e->interface_id < link_types.size() ? link_types[e->interface_id] : 0, p);
        ++next_;
        ++replayed_;
    }
    return true;
}

} // namespace underhood
