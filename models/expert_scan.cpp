#include "expert_scan.h"

#include <algorithm>

namespace underhood {

namespace {
constexpr uint64_t kChunk = 4096;
} // namespace

int64_t TcpHealth::median_rtt_ns() const
{
    if (handshake_rtt_ns.empty())
        return -1;
    std::vector<int64_t> v = handshake_rtt_ns;
    std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
    return v[v.size() / 2];
}

ExpertScanner::ExpertScanner()
{
    std::string error;
    filter_.compile({}, error);
    retrans_ = dissect::field_by_name("tcp.analysis.retransmission");
    fast_ = dissect::field_by_name("tcp.analysis.fast_retransmission");
    spurious_ = dissect::field_by_name("tcp.analysis.spurious_retransmission");
    irtt_ = dissect::field_by_name("tcp.analysis.initial_rtt");
    stream_ = dissect::field_by_name("tcp.stream");
}

bool ExpertScanner::scan(const IngestEngine& engine, const std::atomic<bool>* cancel,
                         const std::function<void(uint64_t, uint64_t)>& progress)
{
    uint64_t begin = 0, end = 0;
    engine.with_state([&](const IngestEngine::State& s) {
        begin = std::max(next_, s.first_number);
        end = s.first_number + s.index.size();
        if (next_ && next_ < s.first_number)
            unavailable_ += s.first_number - next_;
    });
    next_ = begin;
    std::vector<PacketIndexEntry> chunk;
    std::vector<uint32_t> link_types;
    PacketRecord rec;
    DecodedPacket dp;
    while (next_ < end) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false;
        uint64_t first = next_;
        engine.with_state([&](const IngestEngine::State& s) {
            if (next_ < s.first_number) { // gone meanwhile (a live history)
                unavailable_ += s.first_number - next_;
                next_ = s.first_number;
            }
            first = next_;
            const uint64_t from = next_ - s.first_number;
            const uint64_t n = std::min<uint64_t>({kChunk, end - next_, s.index.size() - std::min<uint64_t>(from, s.index.size())});
            chunk.assign(s.index.begin() + long(from), s.index.begin() + long(from + n));
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
                ++unavailable_;
                continue;
            }
            rec = PacketRecord{};
            rec.number = number;
            rec.interface_id = e.interface_id;
            rec.link_type = e.interface_id < link_types.size() ? link_types[e.interface_id] : 0;
            rec.ts_ns = e.ts_ns;
            rec.has_timestamp = e.flags & PacketIndexEntry::Timed;
            rec.caplen = e.caplen;
            rec.origlen = e.origlen;
            rec.data = Bytes(bytes.data(), bytes.size());
            filter_.decode_and_match(rec, dp, true);
            const dissect::FieldTree& tree = filter_.tree();
            const ExpertInfo::Mark m = info_.add(number, dp, tree);
            if (m.any)
                marked_.push_back({number, e.ts_ns, e.origlen, m});
            // The handshake's round trip shows on every packet after it: take
            // it once per connection (tcp.stream), where it first appears.
            const dissect::FieldItem* irtt = irtt_ != dissect::kNoField ? tree.first(irtt_) : nullptr;
            const dissect::FieldItem* stream = stream_ != dissect::kNoField ? tree.first(stream_) : nullptr;
            bool new_rtt = false;
            if (irtt && stream) {
                const uint64_t st = stream->value.u;
                if (st >= rtt_seen_.size())
                    rtt_seen_.resize(size_t(st) + 1, false);
                new_rtt = !rtt_seen_[size_t(st)];
                rtt_seen_[size_t(st)] = true;
            }
            bool retrans = false;
            if (m.tcp_analysis)
                for (dissect::FieldId f : {retrans_, fast_, spurious_})
                    retrans = retrans || (f != dissect::kNoField && tree.first(f));
            if (!retrans && !new_rtt)
                continue;
            for (Layer l : {Layer::Ip, Layer::Port}) {
                Endpoint src, dst;
                if (!TrafficModel::endpoints(l, dp, src, dst))
                    continue;
                bool forward;
                TcpHealth& h = (l == Layer::Port ? by_port_ : by_ip_)[ConversationKey::of(src, dst, forward)];
                if (retrans)
                    ++h.retransmissions;
                if (new_rtt)
                    h.handshake_rtt_ns.push_back(int64_t(irtt->value.u));
            }
        }
        next_ = first + chunk.size();
        if (progress)
            progress(next_ - begin, end - begin);
    }
    return true;
}

} // namespace underhood
