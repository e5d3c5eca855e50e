#include "expert_scan.h"

#include <algorithm>

namespace underhood {

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
    PacketRecord rec;
    DecodedPacket dp;
    const PacketWalk w = walk_packets(engine, next_, 0, cancel, progress,
                                      [&](uint64_t number, uint32_t lt, Bytes data, const PacketIndexEntry& e) {
        rec = PacketRecord{};
        rec.number = number;
        rec.interface_id = e.interface_id;
        rec.link_type = lt;
        rec.ts_ns = e.ts_ns;
        rec.has_timestamp = e.flags & PacketIndexEntry::Timed;
        rec.caplen = e.caplen;
        rec.origlen = e.origlen;
        rec.data = data;
        add(rec, dp, e);
    });
    unavailable_ += w.unavailable;
    if (w.next_number > next_)
        next_ = w.next_number;
    return !w.cancelled;
}

void ExpertScanner::add(const PacketRecord& rec, DecodedPacket& dp, const PacketIndexEntry& e)
{
    const uint64_t number = rec.number;
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
        return;
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

} // namespace underhood
