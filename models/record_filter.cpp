#include "record_filter.h"

#include "dissect/engine.h"

namespace underhood {

bool RecordFilter::compile(const std::string& expr, std::string& error)
{
    expr_.clear();
    bpf_.clear();
    // BPF needs a link type to compile for: Ethernet, else raw IP, says
    // whether the expression is BPF at all; each link type met gets its own.
    if (!probe_.compile(expr, {1}, error) && !probe_.compile(expr, {101}, error))
        return false;
    expr_ = probe_.empty() ? std::string() : expr;
    return true;
}

bool RecordFilter::decode_and_match(const PacketRecord& rec, DecodedPacket& dp, bool want_tree)
{
    const bool fields = want_tree || language() == DisplayFilter::Language::Wireshark;
    if (!fields) {
        decode_packet(rec.link_type, rec.data, rec.origlen, dp);
    } else {
        tree_.items.clear();
        dissect::Packet p(rec.data, rec.origlen, dp);
        p.tree = &tree_;
        p.streams = &streams_;
        p.tcp_analysis = &tcp_analysis_;
        p.frame_number = rec.number;
        p.comment = rec.comment;
        p.ts_ns = rec.ts_ns;
        p.has_time = rec.has_timestamp;
        dissect::FrameInterface itf;
        if (interfaces_ && rec.interface_id < interfaces_->size()) {
            const CaptureInterface& ci = (*interfaces_)[rec.interface_id];
            itf = {rec.interface_id, ci.name, ci.description};
            p.interface = &itf;
        }
        dissect::dissect(rec.link_type, p);
    }
    if (!active())
        return true;
    if (language() == DisplayFilter::Language::Wireshark)
        return probe_.matches_tree(tree_, rec.data);
    auto [it, added] = bpf_.try_emplace(rec.link_type);
    if (added) {
        auto f = std::make_unique<DisplayFilter>();
        std::string ignored;
        if (f->compile(expr_, {rec.link_type}, ignored))
            it->second = std::move(f);
        // else: a link type the expression does not apply to (ether host on
        // raw IP); none of its packets passes.
    }
    return it->second && it->second->matches(rec.link_type, rec.data, rec.origlen, rec.ts_ns);
}

} // namespace underhood
