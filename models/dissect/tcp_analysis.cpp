// The rules are Wireshark's (its TCP dissector, "tcp_analyze_seq" on, with
// its default preferences), so a filter on tcp.analysis.* selects the
// packets Wireshark selects. Where its behaviour is odd (a next sequence
// number of 0 counts as unknown, time differences compared unsigned) it is
// kept on purpose: the counts are compared with tshark's.
#include "dissect/tcp_analysis.h"

#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/packet.h"
#include "dissect/registry.h"

#include <algorithm>
#include <vector>

namespace underhood::dissect {
namespace {

constexpr uint16_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;
// Wireshark stops remembering unacknowledged segments past this many (a
// capture that never sees the ACKs).
constexpr size_t kMaxUnacked = 10000;
// A retransmission within this long of a duplicate ACK is a fast one.
constexpr uint64_t kFastRetransmitWindowNs = 20'000'000;
// Out of order when within this long of the highest segment, unless the
// handshake RTT is known.
constexpr uint64_t kOutOfOrderDefaultNs = 3'000'000;

// Sequence-space comparisons (RFC 9293 3.4: modulo 2^32).
bool gt_seq(uint32_t x, uint32_t y) { return int32_t(y - x) < 0; }
bool lt_seq(uint32_t x, uint32_t y) { return int32_t(x - y) < 0; }
bool le_seq(uint32_t x, uint32_t y) { return int32_t(x - y) <= 0; }

enum {
    kSeq, kNxtseq, kAckRel, kAnalysis, kFlags, kAcksFrame, kAckRtt, kInitialRtt, kDupAck, kDupAckNum, kDupAckFrame,
    kRetransmission, kFastRetransmission, kSpuriousRetransmission, kOutOfOrder, kReusedPorts, kLostSegment,
    kAckLostSegment, kWindowUpdate, kWindowFull, kKeepAlive, kKeepAliveAck, kZeroWindowProbe, kZeroWindow,
    kZeroWindowProbeAck,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"tcp.seq", "Sequence Number", FieldType::Uint},
    {"tcp.nxtseq", "Next Sequence Number", FieldType::Uint},
    {"tcp.ack", "Acknowledgment Number", FieldType::Uint},
    {"tcp.analysis", "SEQ/ACK analysis", FieldType::Protocol},
    {"tcp.analysis.flags", "TCP Analysis Flags", FieldType::Protocol},
    {"tcp.analysis.acks_frame", "This is an ACK to the segment in frame", FieldType::FrameNumber},
    {"tcp.analysis.ack_rtt", "The RTT to ACK the segment was", FieldType::RelativeTime},
    {"tcp.analysis.initial_rtt", "iRTT", FieldType::RelativeTime},
    {"tcp.analysis.duplicate_ack", "Duplicate ACK", FieldType::Protocol},
    {"tcp.analysis.duplicate_ack_num", "Duplicate ACK #", FieldType::Uint},
    {"tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", FieldType::FrameNumber},
    {"tcp.analysis.retransmission", "Retransmission", FieldType::Protocol},
    {"tcp.analysis.fast_retransmission", "Fast Retransmission", FieldType::Protocol},
    {"tcp.analysis.spurious_retransmission", "Spurious Retransmission", FieldType::Protocol},
    {"tcp.analysis.out_of_order", "Out-Of-Order", FieldType::Protocol},
    {"tcp.analysis.reused_ports", "Port numbers reused", FieldType::Protocol},
    {"tcp.analysis.lost_segment", "Previous segment not captured", FieldType::Protocol},
    {"tcp.analysis.ack_lost_segment", "ACKed unseen segment", FieldType::Protocol},
    {"tcp.analysis.window_update", "Window update", FieldType::Protocol},
    {"tcp.analysis.window_full", "Window full", FieldType::Protocol},
    {"tcp.analysis.keep_alive", "Keep-Alive", FieldType::Protocol},
    {"tcp.analysis.keep_alive_ack", "Keep-Alive ACK", FieldType::Protocol},
    {"tcp.analysis.zero_window_probe", "Zero Window Probe", FieldType::Protocol},
    {"tcp.analysis.zero_window", "Zero Window", FieldType::Protocol},
    {"tcp.analysis.zero_window_probe_ack", "Zero Window Probe ACK", FieldType::Protocol},
};
FieldId f0 = kNoField;

// Wireshark's order of the flags in the tree; the Info column shows them
// the other way round (each is put in front of the last).
constexpr TcpFlagInfo kFlagInfos[] = {
    {kTcpReusedPorts, "tcp.analysis.reused_ports",
     "A new tcp session is started with the same ports as an earlier session in this trace", "TCP Port numbers reused",
     Severity::Note},
    {kTcpRetransmission, "tcp.analysis.retransmission", "This frame is a (suspected) retransmission",
     "TCP Retransmission", Severity::Note},
    {kTcpFastRetransmission, "tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission",
     "TCP Fast Retransmission", Severity::Note},
    {kTcpSpuriousRetransmission, "tcp.analysis.spurious_retransmission",
     "This frame is a (suspected) spurious retransmission", "TCP Spurious Retransmission", Severity::Note},
    {kTcpOutOfOrder, "tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment",
     "TCP Out-Of-Order", Severity::Warning},
    {kTcpLostSegment, "tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)",
     "TCP Previous segment not captured", Severity::Warning},
    {kTcpAckLostSegment, "tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured (common at capture start)",
     "TCP ACKed unseen segment", Severity::Warning},
    {kTcpWindowUpdate, "tcp.analysis.window_update", "TCP window update", "TCP Window Update", Severity::Chat},
    {kTcpWindowFull, "tcp.analysis.window_full", "TCP window specified by the receiver is now completely full",
     "TCP Window Full", Severity::Warning},
    {kTcpKeepAlive, "tcp.analysis.keep_alive", "TCP keep-alive segment", "TCP Keep-Alive", Severity::Note},
    {kTcpKeepAliveAck, "tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment", "TCP Keep-Alive ACK",
     Severity::Note},
    {kTcpDuplicateAck, "tcp.analysis.duplicate_ack", "Duplicate ACK", "TCP Dup ACK", Severity::Note},
    {kTcpZeroWindowProbe, "tcp.analysis.zero_window_probe", "TCP Zero Window Probe", "TCP ZeroWindowProbe",
     Severity::Note},
    {kTcpZeroWindow, "tcp.analysis.zero_window", "TCP Zero Window segment", "TCP ZeroWindow", Severity::Warning},
    {kTcpZeroWindowProbeAck, "tcp.analysis.zero_window_probe_ack", "ACK to a TCP Zero Window Probe",
     "TCP ZeroWindowProbeAck", Severity::Note},
};

int flag_field(uint32_t flag)
{
    switch (flag) {
    case kTcpRetransmission: return kRetransmission;
    case kTcpFastRetransmission: return kFastRetransmission;
    case kTcpSpuriousRetransmission: return kSpuriousRetransmission;
    case kTcpOutOfOrder: return kOutOfOrder;
    case kTcpReusedPorts: return kReusedPorts;
    case kTcpLostSegment: return kLostSegment;
    case kTcpAckLostSegment: return kAckLostSegment;
    case kTcpWindowUpdate: return kWindowUpdate;
    case kTcpWindowFull: return kWindowFull;
    case kTcpKeepAlive: return kKeepAlive;
    case kTcpKeepAliveAck: return kKeepAliveAck;
    case kTcpZeroWindowProbe: return kZeroWindowProbe;
    case kTcpZeroWindow: return kZeroWindow;
    case kTcpZeroWindowProbeAck: return kZeroWindowProbeAck;
    default: return -1;
    }
}

std::string seconds(int64_t ns)
{
    const uint64_t a = ns < 0 ? uint64_t(0) - uint64_t(ns) : uint64_t(ns);
    return strf("%s%llu.%09llu", ns < 0 ? "-" : "", static_cast<unsigned long long>(a / 1000000000),
                static_cast<unsigned long long>(a % 1000000000));
}

} // namespace

const char* severity_name(Severity s)
{
    switch (s) {
    case Severity::Chat: return "Chat";
    case Severity::Note: return "Note";
    case Severity::Warning: return "Warning";
    case Severity::Error: return "Error";
    }
    return "";
}

const TcpFlagInfo* tcp_flag_infos(size_t& count)
{
    count = std::size(kFlagInfos);
    return kFlagInfos;
}

// One direction of a conversation.
struct TcpAnalysis::Flow {
    bool base_set = false;
    uint32_t base_seq = 0;
    int win_scale = -1; // -1 unknown, -2 known not to be used
    uint32_t window = UINT32_MAX;
    bool is_first_ack = false; // a SYN was sent and no pure ACK yet: its window is not scaled
    bool valid_bif = true;     // bytes in flight can be counted
    uint32_t last_flags = 0;   // the analysis flags of the last segment
    uint32_t nextseq = 0;      // 0: none seen yet
    int64_t nextseq_time = 0;
    uint32_t maxseqtobeacked = 0;
    uint32_t lastack = 0;
    int64_t lastack_time = 0;
    uint64_t lastnondupack = 0;
    int32_t dupacknum = 0; // -1: an ACK of an unseen segment was the last one
    struct Unacked {
        uint64_t frame;
        uint32_t seq, nextseq;
        int64_t ts;
    };
    std::vector<Unacked> unacked; // oldest first
};

struct TcpAnalysis::Conversation {
    Flow flow[2];
    int64_t mru_syn = 0;   // time of the latest SYN; 0 none
    int64_t first_rtt = 0; // SYN to the first pure ACK; 0 unknown
};

TcpAnalysis::TcpAnalysis() = default;
TcpAnalysis::~TcpAnalysis() = default;

TcpVerdict TcpAnalysis::segment(const TcpSegment& s)
{
    TcpVerdict v;
    // Without a segment length Wireshark shows the numbers as they are.
    v.numbered = true;
    v.rel_seq = s.seq;
    v.rel_ack = s.ack;
    const bool first_is_src = std::tie(s.src, s.sport) < std::tie(s.dst, s.dport);
    Key key = first_is_src ? Key{s.src, s.sport, s.dst, s.dport} : Key{s.dst, s.dport, s.src, s.sport};
    auto it = conversations_.find(key);
    if (it == conversations_.end())
        it = conversations_.emplace(key, std::make_unique<Conversation>()).first;
    Conversation* c = it->second.get();
    Flow* fwd = &c->flow[first_is_src ? 0 : 1];
    Flow* rev = &c->flow[first_is_src ? 1 : 0];
    const uint16_t flags = s.flags;
    const uint32_t seq = s.seq, ack = s.ack, window = s.window, seglen = s.seglen;
    const int64_t now = s.ts_ns;
    // Wireshark's per-segment record: it exists once anything is said.
    auto ta = [&v] { v.block = true; };

    if ((flags & (kSyn | kAck)) == kSyn && fwd->base_set) {
        if (seq != fwd->base_seq) {
            // A new connection on the same ports: start over.
            it->second = std::make_unique<Conversation>();
            c = it->second.get();
            fwd = &c->flow[first_is_src ? 0 : 1];
            rev = &c->flow[first_is_src ? 1 : 0];
            ta();
            v.flags |= kTcpReusedPorts;
        } else {
            // The SYN again: a reset sent with the acknowledged number may
            // have moved the next sequence number (RFC 9293 3.10.7.3).
            fwd->nextseq = fwd->maxseqtobeacked;
            ta();
        }
    }
    if ((flags & (kSyn | kAck)) == (kSyn | kAck) && fwd->base_set && seq != fwd->base_seq) {
        fwd->base_seq = seq;
        ta();
        v.flags |= kTcpReusedPorts;
    }

    if (s.has_seglen) {
        if (!fwd->base_set) {
            // Relative numbers start at 1 when the SYN was not seen.
            fwd->base_seq = (flags & kSyn) ? seq : seq - 1;
            fwd->base_set = true;
        }
        if (!rev->base_set && (flags & kAck)) {
            rev->base_seq = ack - 1;
            rev->base_set = true;
        }
        if (flags & kAck)
            rev->valid_bif = true;

        bool skip_to_acks = false;
        // Zero window probe: one byte at the next sequence number into a
        // closed window.
        if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
            ta();
            v.flags |= kTcpZeroWindowProbe;
            skip_to_acks = true;
        }
        if (!skip_to_acks) {
            if (window == 0 && !(flags & (kRst | kFin | kSyn))) {
                ta();
                v.flags |= kTcpZeroWindow;
            }
            // Lost segment: this one starts beyond what was seen.
            if (fwd->nextseq && gt_seq(seq, fwd->nextseq) && !(flags & kRst)) {
                ta();
                v.flags |= kTcpLostSegment;
                fwd->valid_bif = false;
            }
            // Keep-alive: 0 or 1 byte one before the next sequence number.
            if ((seglen == 0 || seglen == 1) && seq == fwd->nextseq - 1 && !(flags & (kSyn | kFin | kRst))) {
                ta();
                v.flags |= kTcpKeepAlive;
            }
            const bool same_pos = seglen == 0 && seq == fwd->nextseq && ack == fwd->lastack &&
                                  !(flags & (kSyn | kFin | kRst));
            if (same_pos && window && window != fwd->window) {
                ta();
                v.flags |= kTcpWindowUpdate;
            }
            // Window full: data up to the edge of the window the receiver offered.
            if (seglen > 0 && rev->win_scale != -1 && !(flags & (kSyn | kFin | kRst))) {
                const int shift = rev->is_first_ack ? 0 : rev->win_scale == -2 ? 0 : rev->win_scale;
                if (seq + seglen == rev->lastack + (rev->window << shift)) {
                    ta();
                    v.flags |= kTcpWindowFull;
                }
            }
            if (same_pos && window && window == fwd->window && (rev->last_flags & kTcpKeepAlive)) {
                ta();
                v.flags |= kTcpKeepAliveAck;
                skip_to_acks = true;
            } else if (same_pos && window == 0 && window == fwd->window &&
                       (rev->last_flags & kTcpZeroWindowProbe)) {
                ta();
                v.flags |= kTcpZeroWindowProbeAck;
                skip_to_acks = true;
            } else if (same_pos && window && window == fwd->window) {
                fwd->dupacknum = fwd->dupacknum == -1 ? 1 : fwd->dupacknum + 1;
                ta();
                v.flags |= kTcpDuplicateAck;
                v.dupack_num = uint32_t(fwd->dupacknum);
                v.dupack_frame = fwd->lastnondupack;
            }
        }

        if (ack != fwd->lastack) {
            fwd->lastnondupack = s.frame;
            fwd->dupacknum = 0;
        }

        // ACKed unseen segment: beyond anything the other side was seen sending.
        if (rev->maxseqtobeacked && gt_seq(ack, rev->maxseqtobeacked) && (flags & kAck)) {
            ta();
            if (rev->maxseqtobeacked > rev->nextseq) {
                rev->maxseqtobeacked = rev->nextseq;
                v.flags |= kTcpAckLostSegment;
            } else {
                // Once per lost segment, however many pure ACKs follow.
                if (rev->dupacknum == 0)
                    v.flags |= kTcpAckLostSegment;
                rev->dupacknum = -1;
            }
        }

        // Data (or SYN, FIN) that does not advance the sequence number.
        if ((seglen > 0 || (flags & (kSyn | kFin))) && !(v.flags & kTcpKeepAlive)) {
            bool not_advanced = fwd->nextseq && lt_seq(seq, fwd->nextseq);
            // More than a byte from one before the next: new data after a
            // zero window probe.
            if (seglen > 1 && fwd->nextseq - 1 == seq)
                not_advanced = false;
            if (seglen > 0 && rev->lastack && le_seq(seq + seglen, rev->lastack)) {
                ta();
                v.flags |= kTcpSpuriousRetransmission;
            } else {
                const uint64_t since_ack = uint64_t(now - rev->lastack_time);
                const uint64_t since_next = uint64_t(now - fwd->nextseq_time);
                const uint64_t ooo_limit = c->first_rtt ? uint64_t(c->first_rtt) : kOutOfOrderDefaultNs;
                const uint32_t end = seq + seglen + ((flags & (kSyn | kFin)) ? 1 : 0);
                if (not_advanced && rev->dupacknum >= 2 && rev->lastack == seq && since_ack < kFastRetransmitWindowNs) {
                    ta();
                    v.flags |= kTcpFastRetransmission;
                } else if (not_advanced && since_next < ooo_limit && fwd->nextseq != end) {
                    ta();
                    v.flags |= kTcpOutOfOrder;
                } else if (not_advanced) {
                    ta();
                    v.flags |= kTcpRetransmission;
                }
            }
        }

        uint32_t nextseq = seq + seglen;
        if ((seglen || (flags & (kSyn | kFin))) && fwd->unacked.size() < kMaxUnacked) {
            if (flags & (kSyn | kFin))
                nextseq += 1;
            fwd->unacked.push_back({s.frame, seq, nextseq, now});
        }
        const bool probe = v.flags & kTcpZeroWindowProbe;
        if ((gt_seq(nextseq, fwd->nextseq) || !fwd->nextseq) && !probe) {
            fwd->nextseq = nextseq;
            fwd->nextseq_time = now;
        }
        if ((seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) && !probe)
            fwd->maxseqtobeacked = fwd->nextseq;

        fwd->window = window;
        fwd->lastack = ack;
        fwd->lastack_time = now;
        fwd->last_flags = v.flags;

        // Segments this acknowledges, newest first as Wireshark walks them:
        // the oldest one acknowledged exactly gives the RTT.
        auto& segs = rev->unacked;
        size_t kept = segs.size();
        for (size_t i = segs.size(); i-- > 0;) {
            Flow::Unacked& u = segs[i];
            bool drop = false;
            if (ack == u.nextseq) {
                ta();
                v.acks_frame = u.frame;
                v.ack_rtt_ns = now - u.ts;
                drop = true;
            } else if (gt_seq(ack, u.seq) && le_seq(ack, u.nextseq)) {
                u.seq = ack; // partly acknowledged
            } else if (!gt_seq(u.nextseq, ack)) {
                drop = true;
            }
            if (drop) {
                u.frame = 0; // marks it
                --kept;
            }
        }
        if (kept != segs.size())
            segs.erase(std::remove_if(segs.begin(), segs.end(), [](const Flow::Unacked& u) { return u.frame == 0; }),
                       segs.end());

        // Wireshark keeps a record for every data segment while it counts
        // bytes in flight (its default).
        if (seglen != 0 && !fwd->unacked.empty() && fwd->valid_bif)
            ta();

        v.analysed = true;
        v.rel_seq = seq - fwd->base_seq;
        v.rel_ack = (flags & kAck) ? ack - rev->base_seq : ack;
        v.rel_nxtseq = v.rel_seq + seglen + ((flags & (kSyn | kFin)) ? 1 : 0);
    }

    if (flags & kSyn) {
        if (!(flags & kAck))
            c->mru_syn = now;
        fwd->is_first_ack = true;
    }
    if ((flags & (kSyn | kAck)) == kAck) {
        if (c->mru_syn && !c->first_rtt)
            c->first_rtt = now - c->mru_syn;
        fwd->is_first_ack = false;
    }
    if (s.wscale >= 0)
        fwd->win_scale = s.wscale;
    v.initial_rtt_ns = c->first_rtt;
    if (flags & kSyn) {
        // Scaling is used only when both ends offer it (RFC 7323 2.2).
        if (fwd->win_scale == -1) {
            fwd->win_scale = -2;
            rev->win_scale = -2;
        } else if ((flags & kAck) && rev->win_scale == -2) {
            fwd->win_scale = -2;
        }
    }
    return v;
}

int tcp_window_scale_option(const uint8_t* opts, size_t len)
{
    int shift = -1;
    for (size_t at = 0; at < len;) {
        const uint8_t kind = opts[at];
        if (kind == 0)
            break;
        if (kind == 1) {
            ++at;
            continue;
        }
        if (at + 1 >= len || opts[at + 1] < 2 || opts[at + 1] > len - at)
            break;
        if (kind == 3 && opts[at + 1] == 3)
            shift = std::min<int>(opts[at + 2], 14);
        at += opts[at + 1];
    }
    return shift;
}

void register_tcp_analysis() { f0 = register_fields(kFields, kCount); }

void add_tcp_relative_seq(Packet& p, size_t offset, const TcpVerdict& v)
{
    if (!v.numbered || !p.want_tree())
        return;
    p.add_uint(f0 + kSeq, offset, 4, v.rel_seq,
               strf("Sequence Number: %u%s", v.rel_seq, v.analysed ? "    (relative sequence number)" : ""));
}

void add_tcp_relative_ack(Packet& p, size_t offset, const TcpVerdict& v)
{
    if (!v.numbered || !p.want_tree())
        return;
    if (v.analysed)
        p.add_uint(f0 + kNxtseq, offset, 0, v.rel_nxtseq,
                   strf("[Next Sequence Number: %u    (relative sequence number)]", v.rel_nxtseq));
    p.add_uint(f0 + kAckRel, offset + 8, 4, v.rel_ack,
               strf("Acknowledgment Number: %u%s", v.rel_ack, v.analysed ? "    (relative ack number)" : ""));
}

void add_tcp_analysis_rows(Packet& p, const TcpVerdict& v)
{
    if (!v.block || !p.want_tree())
        return;
    p.add_text(f0 + kAnalysis, 0, 0, {}, "[SEQ/ACK analysis]");
    Packet::Subtree block(p);
    if (v.acks_frame) {
        p.add_uint(f0 + kAcksFrame, 0, 0, v.acks_frame,
                   strf("[This is an ACK to the segment in frame: %llu]", static_cast<unsigned long long>(v.acks_frame)));
        if (v.ack_rtt_ns)
            p.add_uint(f0 + kAckRtt, 0, 0, uint64_t(v.ack_rtt_ns),
                       strf("[The RTT to ACK the segment was: %s seconds]", seconds(v.ack_rtt_ns).c_str()));
    }
    if (v.initial_rtt_ns)
        p.add_uint(f0 + kInitialRtt, 0, 0, uint64_t(v.initial_rtt_ns),
                   strf("[iRTT: %s seconds]", seconds(v.initial_rtt_ns).c_str()));
    if (!v.flags)
        return;
    p.add_text(f0 + kFlags, 0, 0, {}, "[TCP Analysis Flags]");
    {
        Packet::Subtree flags(p);
        for (const TcpFlagInfo& f : kFlagInfos) {
            if (!(v.flags & f.flag))
                continue;
            if (f.flag == kTcpDuplicateAck) {
                p.add_text(f0 + kDupAck, 0, 0, {}, "[This is a TCP duplicate ack]");
                continue;
            }
            p.add_text(f0 + flag_field(f.flag), 0, 0, {},
                       strf("[Expert Info (%s/Sequence): %s]", severity_name(f.severity), std::string(f.summary).c_str()));
            // A fast or spurious retransmission is a retransmission too.
            if (f.flag == kTcpFastRetransmission || f.flag == kTcpSpuriousRetransmission)
                p.add_text(f0 + kRetransmission, 0, 0, {},
                           "[Expert Info (Note/Sequence): This frame is a (suspected) retransmission]");
        }
    }
    if (v.dupack_num) {
        p.add_uint(f0 + kDupAckNum, 0, 0, v.dupack_num, strf("[Duplicate ACK #: %u]", v.dupack_num));
        p.add_uint(f0 + kDupAckFrame, 0, 0, v.dupack_frame,
                   strf("[Duplicate to the ACK in frame: %llu]", static_cast<unsigned long long>(v.dupack_frame)));
    }
}

std::string tcp_analysis_info(const TcpVerdict& v)
{
    std::string out;
    for (const TcpFlagInfo& f : kFlagInfos) {
        if (!(v.flags & f.flag))
            continue;
        if (f.flag == kTcpDuplicateAck)
            out = strf("[TCP Dup ACK %llu#%u] ", static_cast<unsigned long long>(v.dupack_frame), v.dupack_num) + out;
        else
            out = "[" + std::string(f.info) + "] " + out;
    }
    return out;
}

} // namespace underhood::dissect
