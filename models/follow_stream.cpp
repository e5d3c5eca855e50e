#include "follow_stream.h"

#include "dissect/engine.h"
#include "ingest_engine.h"
#include "packet_decoder.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstdio>

namespace underhood {
namespace {

using dissect::FieldId;
using dissect::FieldItem;

// Sequence numbers compare modulo 2^32 (RFC 9293 3.4).
bool seq_lt(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }
bool seq_gt(uint32_t a, uint32_t b) { return int32_t(b - a) < 0; }

constexpr uint16_t kSyn = 0x02, kAck = 0x10;

struct Ids {
    FieldId ip, ip_src, ip_dst, ipv6, ipv6_src, ipv6_dst;
    FieldId tcp, tcp_srcport, tcp_dstport, tcp_stream, tcp_seq, tcp_ack, tcp_hdr_len, tcp_flags, tcp_len;
    FieldId udp, udp_srcport, udp_dstport, udp_length, udp_stream;
};

const Ids& ids()
{
    static const Ids ids = [] {
        using dissect::field_by_name;
        Ids i;
        i.ip = field_by_name("ip");
        i.ip_src = field_by_name("ip.src");
        i.ip_dst = field_by_name("ip.dst");
        i.ipv6 = field_by_name("ipv6");
        i.ipv6_src = field_by_name("ipv6.src");
        i.ipv6_dst = field_by_name("ipv6.dst");
        i.tcp = field_by_name("tcp");
        i.tcp_srcport = field_by_name("tcp.srcport");
        i.tcp_dstport = field_by_name("tcp.dstport");
        i.tcp_stream = field_by_name("tcp.stream");
        i.tcp_seq = field_by_name("tcp.seq_raw");
        i.tcp_ack = field_by_name("tcp.ack_raw");
        i.tcp_hdr_len = field_by_name("tcp.hdr_len");
        i.tcp_flags = field_by_name("tcp.flags");
        i.tcp_len = field_by_name("tcp.len");
        i.udp = field_by_name("udp");
        i.udp_srcport = field_by_name("udp.srcport");
        i.udp_dstport = field_by_name("udp.dstport");
        i.udp_length = field_by_name("udp.length");
        i.udp_stream = field_by_name("udp.stream");
        return i;
    }();
    return ids;
}

// One transport layer of a packet, as its tree tells it.
struct TransportLayer {
    IpAddress src, dst;
    uint16_t sport = 0, dport = 0;
    bool has_stream = false;
    uint32_t stream = 0;
    uint32_t seq = 0, ack = 0;
    uint16_t flags = 0;
    size_t offset = 0;   // of the transport header in the packet
    size_t hdr_len = 0;  // TCP: data offset; UDP: 8
    bool has_hdr_len = false;
    uint64_t length = 0; // TCP: tcp.len; UDP: udp.length
    bool has_length = false;
};

// The transport layers of `proto` the tree holds, outside quoted datagrams
// (an ICMP error's quote nests below its layer; the layers are at depth 0).
std::vector<TransportLayer> layers_of(const dissect::FieldTree& tree, FollowProtocol proto)
{
    const Ids& id = ids();
    const bool tcp = proto == FollowProtocol::Tcp;
    std::vector<TransportLayer> out;
    IpAddress src, dst;
    enum { None, Ip, Transport } in = None;
    for (const FieldItem& it : tree.items) {
        if (it.depth == 0) {
            in = None;
            if (it.field == id.ip || it.field == id.ipv6) {
                in = Ip;
            } else if (it.field == (tcp ? id.tcp : id.udp)) {
                in = Transport;
                TransportLayer l;
                l.src = src;
                l.dst = dst;
                l.offset = it.offset;
                if (!tcp) {
                    l.hdr_len = 8;
                    l.has_hdr_len = true;
                }
                out.push_back(l);
            }
            continue;
        }
        if (it.depth != 1)
            continue;
        if (in == Ip) {
            if (it.field == id.ip_src || it.field == id.ipv6_src)
                src = it.value.ip;
            else if (it.field == id.ip_dst || it.field == id.ipv6_dst)
                dst = it.value.ip;
            continue;
        }
        if (in != Transport)
            continue;
        TransportLayer& l = out.back();
        const uint64_t v = it.value.u;
        if (tcp) {
            if (it.field == id.tcp_srcport)
                l.sport = uint16_t(v);
            else if (it.field == id.tcp_dstport)
                l.dport = uint16_t(v);
            else if (it.field == id.tcp_stream)
                l.has_stream = true, l.stream = uint32_t(v);
            else if (it.field == id.tcp_seq)
                l.seq = uint32_t(v);
            else if (it.field == id.tcp_ack)
                l.ack = uint32_t(v);
            else if (it.field == id.tcp_flags)
                l.flags = uint16_t(v);
            else if (it.field == id.tcp_hdr_len)
                l.hdr_len = size_t(v), l.has_hdr_len = true;
            else if (it.field == id.tcp_len)
                l.length = v, l.has_length = true;
        } else {
            if (it.field == id.udp_srcport)
                l.sport = uint16_t(v);
            else if (it.field == id.udp_dstport)
                l.dport = uint16_t(v);
            else if (it.field == id.udp_stream)
                l.has_stream = true, l.stream = uint32_t(v);
            else if (it.field == id.udp_length)
                l.length = v, l.has_length = true;
        }
    }
    return out;
}

} // namespace

StreamFollower::StreamFollower(FollowProtocol protocol, uint32_t stream) : protocol_(protocol), stream_(stream) {}

std::string StreamFollower::filter() const
{
    return std::string(protocol_ == FollowProtocol::Tcp ? "tcp" : "udp") + ".stream eq " + std::to_string(stream_);
}

bool StreamFollower::add(uint64_t number, uint32_t link_type, Bytes data, uint32_t origlen, int64_t ts_ns)
{
    next_number_ = number + 1;
    // The summary first (cheap): only packets with the protocol need a tree
    // for their stream number; the others take no stream number.
    DecodedPacket summary;
    decode_packet(link_type, data, origlen, summary);
    const Proto want = protocol_ == FollowProtocol::Tcp ? Proto::Tcp : Proto::Udp;
    if (!summary.contains(want))
        return false;
    tree_.items.clear();
    DecodedPacket dp;
    dissect::Packet p(data, origlen, dp);
    p.tree = &tree_;
    p.streams = &streams_;
    p.tcp_analysis = protocol_ == FollowProtocol::Tcp ? tcp_analysis_.get() : nullptr;
    p.frame_number = number;
    p.ts_ns = ts_ns;
    dissect::dissect(link_type, p);

    bool ours = false;
    for (const TransportLayer& l : layers_of(tree_, protocol_)) {
        if (!l.has_stream || l.stream != stream_)
            continue;
        if (!ours) {
            ours = true;
            ++packets_;
        }
        if (!l.has_hdr_len)
            continue;
        const size_t at = l.offset + l.hdr_len;
        // Wireshark's follow sees a segment only once its whole header was
        // read: a header cut short by the capture, or longer than the
        // segment, leaves it out (and does not name the ends).
        if (at > data.size() || (protocol_ == FollowProtocol::Tcp && (!l.has_length || l.hdr_len < 20)))
            continue;
        if (!ends_known_) {
            end_[0] = {l.src, l.sport};
            end_[1] = {l.dst, l.dport};
            ends_known_ = true;
        }
        const uint8_t dir = (l.src == end_[0].address && l.sport == end_[0].port) ? 0 : 1;
        if (protocol_ == FollowProtocol::Tcp) {
            const size_t have = at < data.size() ? data.size() - at : 0;
            const size_t captured = size_t(std::min<uint64_t>(l.length, have));
            take_tcp(dir, l.seq, l.ack, l.flags, uint32_t(l.length), Bytes(data.data() + std::min(at, data.size()), captured),
                     number, ts_ns);
        } else {
            uint64_t len = l.has_length && l.length >= 8 ? l.length - 8 : UINT64_MAX;
            const size_t have = at < data.size() ? data.size() - at : 0;
            const size_t captured = size_t(std::min<uint64_t>(len, have));
            FollowChunk c;
            c.direction = dir;
            c.packet = number;
            c.ts_ns = ts_ns;
            c.data.assign(reinterpret_cast<const char*>(data.data()) + std::min(at, data.size()), captured);
            if (len != UINT64_MAX && len > captured)
                c.uncaptured = uint32_t(len - captured);
            deliver(std::move(c));
        }
    }
    return ours;
}

void StreamFollower::deliver(FollowChunk&& c)
{
    bytes_[c.direction] += c.data.size();
    chunks_.push_back(std::move(c));
}

void StreamFollower::take_tcp(uint8_t dir, uint32_t raw_seq, uint32_t raw_ack, uint16_t flags, uint32_t seglen,
                              Bytes payload, uint64_t number, int64_t ts_ns)
{
    // Relative sequence numbers, as Wireshark shows them by default: a SYN
    // is 0, else the first sequence number seen is 1; an end seen only in
    // the other's acknowledgements starts at that acknowledgement.
    Direction& d = dir_[dir];
    Direction& other = dir_[dir ^ 1];
    if (!d.base_known) {
        d.base = (flags & kSyn) ? raw_seq : raw_seq - 1;
        d.base_known = true;
    }
    const bool acks = (flags & kAck) != 0;
    if (acks && !other.base_known) {
        other.base = raw_ack - 1;
        other.base_known = true;
    }
    uint32_t seq = raw_seq - d.base;
    if (flags & kSyn)
        ++seq;

    // An acknowledgement of bytes the other side sent that the capture
    // lacks: the receiver had them, so the hole becomes a gap.
    if (!other.held.empty() && acks) {
        const uint32_t acked = raw_ack - other.base;
        while (release_held(dir ^ 1, &acked, number)) {
        }
    }
    if (d.written == 0 && d.next == 0)
        d.next = seq;

    size_t skip = 0;
    size_t captured = payload.size();
    uint32_t length = seglen;
    if (seq_lt(seq, d.next)) {
        // Begins before what was delivered: a retransmission, perhaps with
        // more than the first time; only what is new goes on.
        const uint32_t end = seq + seglen;
        if (seq_gt(end, d.next)) {
            skip = d.next - seq;
            captured = captured > skip ? captured - skip : 0;
            seq = d.next;
            length = end - d.next;
        }
    }
    if (captured == 0 || seq_lt(seq, d.next))
        return;

    Segment s;
    s.seq = seq;
    s.chunk.direction = dir;
    s.chunk.packet = number;
    s.chunk.ts_ns = ts_ns;
    s.chunk.data.assign(reinterpret_cast<const char*>(payload.data()) + skip, captured);
    s.chunk.uncaptured = length > captured ? uint32_t(length - captured) : 0;
    if (seq == d.next) {
        d.next += length;
        d.written += captured;
        deliver(std::move(s.chunk));
        while (release_held(dir, nullptr, number)) {
        }
    } else {
        d.held.push_back(std::move(s));
    }
}

bool StreamFollower::release_held(uint8_t dir, const uint32_t* acked, uint64_t number)
{
    Direction& d = dir_[dir];
    if (d.held.empty())
        return false;
    uint32_t lowest = d.held.front().seq;
    for (size_t i = 0; i < d.held.size(); ++i) {
        Segment& s = d.held[i];
        if (seq_gt(lowest, s.seq))
            lowest = s.seq;
        const uint32_t len = uint32_t(s.chunk.data.size());
        if (seq_lt(s.seq, d.next)) {
            // Partly delivered meanwhile: the rest, if any, goes on.
            const uint32_t end = s.seq + len;
            if (seq_gt(end, d.next)) {
                const uint32_t skip = d.next - s.seq;
                FollowChunk c = s.chunk;
                c.data.erase(0, skip);
                c.uncaptured = 0;
                d.next += len - skip;
                deliver(std::move(c));
            }
            d.held.erase(d.held.begin() + long(i));
            return true;
        }
        if (s.seq == d.next) {
            d.next += len;
            if (len > 0)
                deliver(std::move(s.chunk));
            d.held.erase(d.held.begin() + long(i));
            return true;
        }
    }
    if (acked && seq_gt(*acked, lowest)) {
        FollowChunk gap;
        gap.direction = dir;
        gap.packet = number;
        gap.missing = int32_t(lowest - d.next);
        d.next = lowest;
        chunks_.push_back(std::move(gap));
        return true;
    }
    return false;
}

std::vector<FollowChunk> StreamFollower::pending() const
{
    std::vector<FollowChunk> out;
    for (uint8_t dir = 0; dir < 2; ++dir) {
        std::vector<const Segment*> held;
        for (const Segment& s : dir_[dir].held)
            held.push_back(&s);
        std::stable_sort(held.begin(), held.end(),
                         [](const Segment* a, const Segment* b) { return seq_lt(a->seq, b->seq); });
        uint32_t next = dir_[dir].next;
        for (const Segment* s : held) {
            const uint32_t len = uint32_t(s->chunk.data.size());
            const uint32_t end = s->seq + len;
            if (!seq_gt(end, next))
                continue;
            FollowChunk c = s->chunk;
            if (seq_lt(s->seq, next)) {
                c.data.erase(0, next - s->seq);
            } else if (s->seq != next) {
                FollowChunk gap;
                gap.direction = dir;
                gap.packet = s->chunk.packet;
                gap.missing = int32_t(s->seq - next);
                out.push_back(std::move(gap));
            }
            next = end;
            out.push_back(std::move(c));
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const FollowChunk& a, const FollowChunk& b) { return a.packet < b.packet; });
    return out;
}

bool follow_capture(CaptureReader& reader, StreamFollower& f, std::string& error)
{
    PacketRecord rec;
    CaptureReader::Status st;
    while ((st = reader.next(rec)) != CaptureReader::Status::End) {
        if (st == CaptureReader::Status::Error) {
            error = reader.error();
            return false;
        }
        if (st == CaptureReader::Status::Packet)
            f.add(rec);
    }
    return true;
}

namespace {

// The engine's walker, reporting as the follow functions do.
template <typename Fn>
FollowScanResult for_each_packet(const IngestEngine& engine, uint64_t from, uint64_t to,
                                 const std::atomic<bool>* cancel,
                                 const std::function<void(uint64_t, uint64_t)>& progress, Fn&& fn)
{
    const PacketWalk w = walk_packets(engine, from, to, cancel, progress, std::forward<Fn>(fn));
    return {w.scanned, w.unavailable, w.cancelled};
}

} // namespace

FollowScanResult follow_engine(const IngestEngine& engine, StreamFollower& f, const std::atomic<bool>* cancel,
                               const std::function<void(uint64_t, uint64_t)>& progress)
{
    return for_each_packet(engine, f.next_number(), 0, cancel, progress,
                           [&](uint64_t number, uint32_t lt, Bytes data, const PacketIndexEntry& e) {
                               f.add(number, lt, data, e.origlen, e.ts_ns);
                           });
}

int64_t stream_of_packet(const IngestEngine& engine, FollowProtocol protocol, uint64_t number,
                         const std::atomic<bool>* cancel)
{
    const Proto want = protocol == FollowProtocol::Tcp ? Proto::Tcp : Proto::Udp;
    dissect::Streams streams;
    dissect::TcpAnalysis tcp; // port reuse starts a new stream, as in Wireshark
    dissect::FieldTree tree;
    int64_t found = -1;
    const FollowScanResult r =
        for_each_packet(engine, 0, number + 1, cancel, {}, [&](uint64_t n, uint32_t lt, Bytes data, const PacketIndexEntry& e) {
            DecodedPacket summary;
            decode_packet(lt, data, e.origlen, summary);
            if (!summary.contains(want))
                return;
            tree.items.clear();
            DecodedPacket dp;
            dissect::Packet p(data, e.origlen, dp);
            p.tree = &tree;
            p.streams = &streams;
            p.tcp_analysis = want == Proto::Tcp ? &tcp : nullptr;
            p.frame_number = n;
            p.ts_ns = e.ts_ns;
            p.has_time = e.flags & PacketIndexEntry::Timed;
            dissect::dissect(lt, p);
            if (n != number)
                return;
            for (const TransportLayer& l : layers_of(tree, protocol))
                if (l.has_stream) {
                    found = l.stream;
                    break;
                }
        });
    return r.cancelled ? -1 : found;
}

// ---------------------------------------------------------------------------
// tshark's follow output

namespace {

constexpr char kHex[] = "0123456789abcdef";

// The bytes a chunk stands for in tshark's output: a gap is the note
// Wireshark puts into the stream in its place, with its terminating NUL.
std::string bytes_of(const FollowChunk& c)
{
    if (!c.gap())
        return c.data;
    char note[64];
    std::snprintf(note, sizeof note, "[%d bytes missing in capture file]", int(int32_t(c.missing)));
    return std::string(note) + '\0';
}

void hex_dump(std::string& out, const char* prefix, uint32_t offset, const std::string& d)
{
    for (size_t line = 0; line < d.size(); line += 16) {
        char head[16];
        std::snprintf(head, sizeof head, "%08X  ", unsigned(offset + line));
        std::string hex, text;
        const size_t n = std::min<size_t>(16, d.size() - line);
        for (size_t i = 0; i < n; ++i) {
            const uint8_t b = uint8_t(d[line + i]);
            hex += kHex[b >> 4];
            hex += kHex[b & 15];
            hex += ' ';
            text += (b >= 0x20 && b < 0x7f) ? char(b) : '.';
            if (i == 7) {
                hex += ' ';
                text += ' ';
            }
        }
        // tshark drops one trailing space: the column-8 gap of a short line,
        // or a space the data ends the line with.
        if (!text.empty() && text.back() == ' ')
            text.pop_back();
        hex.resize(16 * 3 + 1, ' ');
        out += prefix;
        out += head;
        out += hex;
        out += ' ';
        out += text;
        out += '\n';
    }
}

} // namespace

std::string format_follow(const std::vector<FollowChunk>& chunks, std::string_view format)
{
    std::string out;
    uint32_t pos[2] = {0, 0};
    for (const FollowChunk& c : chunks) {
        const std::string d = bytes_of(c);
        const bool server = c.direction == 1;
        if (format == "hex") {
            hex_dump(out, server ? "\t" : "", pos[c.direction & 1], d);
            pos[c.direction & 1] += uint32_t(d.size());
        } else if (format == "ascii") {
            if (server)
                out += '\t';
            out += std::to_string(d.size());
            out += '\n';
            for (char ch : d) {
                const uint8_t b = uint8_t(ch);
                out += (ch == '\r' || ch == '\n' || (b >= 0x20 && b < 0x7f)) ? ch : '.';
            }
            out += '\n';
        } else {
            if (server)
                out += '\t';
            for (char ch : d) {
                out += kHex[uint8_t(ch) >> 4];
                out += kHex[uint8_t(ch) & 15];
            }
            out += '\n';
        }
    }
    return out;
}

namespace {

std::string node(const FollowEndpoint& e, bool known)
{
    if (!known)
        return ":0";
    const std::string a = e.address.to_string();
    return (e.address.family == 6 ? "[" + a + "]" : a) + ":" + std::to_string(e.port);
}

} // namespace

std::string format_follow_header(const StreamFollower& f, std::string_view format)
{
    const char* proto = f.protocol() == FollowProtocol::Tcp ? "tcp" : "udp";
    std::string out = "\n" + std::string(follow_footer());
    out += "Follow: " + std::string(proto) + "," + std::string(format) + "\n";
    out += "Filter: " + f.filter() + "\n";
    out += "Node 0: " + node(f.client(), f.ends_known()) + "\n";
    out += "Node 1: " + node(f.server(), f.ends_known()) + "\n";
    return out;
}

std::string_view follow_footer() { return "===================================================================\n"; }

// ---------------------------------------------------------------------------
// HTTP/1.x chunked bodies (RFC 9112 7.1)

namespace {

bool iequals_prefix(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
        return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(uint8_t(s[i])) != std::tolower(uint8_t(prefix[i])))
            return false;
    return true;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool looks_like_start_line(std::string_view line)
{
    if (line.substr(0, 5) == "HTTP/")
        return true;
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0 || sp > 16)
        return false;
    for (size_t i = 0; i < sp; ++i)
        if (line[i] < 'A' || line[i] > 'Z')
            return false;
    return line.find(" HTTP/1.") != std::string_view::npos;
}

} // namespace

std::string HttpDechunker::feed(std::string_view in)
{
    std::string out;
    size_t i = 0;
    while (i < in.size()) {
        switch (state_) {
        case State::Raw:
            out.append(in.substr(i));
            return out;
        case State::Headers:
        case State::Trailers: {
            const char ch = in[i++];
            line_ += ch;
            if (state_ == State::Headers)
                out += ch;
            if (ch != '\n' && line_.size() < 8192)
                continue;
            if (ch != '\n') { // no line this long in HTTP: not HTTP
                if (state_ == State::Trailers)
                    out += line_;
                state_ = State::Raw;
                line_.clear();
                continue;
            }
            const std::string_view line = trim(std::string_view(line_).substr(0, line_.size() - 1));
            if (state_ == State::Headers && header_lines_++ == 0 && !looks_like_start_line(line)) {
                state_ = State::Raw;
                line_.clear();
                continue;
            }
            if (!line.empty()) {
                if (state_ == State::Headers) {
                    if (iequals_prefix(line, "transfer-encoding:") &&
                        trim(line.substr(18)).find("chunked") != std::string_view::npos)
                        chunked_ = true;
                    if (iequals_prefix(line, "content-length:")) {
                        length_ = std::strtoull(std::string(trim(line.substr(15))).c_str(), nullptr, 10);
                        have_length_ = true;
                    }
                }
                line_.clear();
                continue;
            }
            // The empty line: the body (or the next message) follows.
            line_.clear();
            header_lines_ = 0;
            if (state_ == State::Trailers) {
                state_ = State::Headers;
            } else if (chunked_) {
                state_ = State::ChunkSize;
            } else if (have_length_ && length_ > 0) {
                state_ = State::Length;
                left_ = length_;
            } else {
                state_ = State::Headers; // no body, or one we cannot delimit (it stays as it is)
            }
            chunked_ = have_length_ = false;
            length_ = 0;
            continue;
        }
        case State::Length: {
            const size_t n = size_t(std::min<uint64_t>(left_, in.size() - i));
            out.append(in.substr(i, n));
            i += n;
            left_ -= n;
            if (left_ == 0)
                state_ = State::Headers;
            continue;
        }
        case State::ChunkSize: {
            const char ch = in[i++];
            line_ += ch;
            if (ch != '\n') {
                if (line_.size() > 1024) { // not a chunk size: show what is there
                    out += line_;
                    line_.clear();
                    state_ = State::Raw;
                }
                continue;
            }
            char* end = nullptr;
            const std::string size_text(trim(line_));
            const unsigned long long size = std::strtoull(size_text.c_str(), &end, 16);
            if (end == size_text.c_str()) {
                out += line_;
                line_.clear();
                state_ = State::Raw;
                continue;
            }
            line_.clear();
            if (size == 0) {
                state_ = State::Trailers;
            } else {
                left_ = size;
                state_ = State::ChunkData;
            }
            continue;
        }
        case State::ChunkData: {
            const size_t n = size_t(std::min<uint64_t>(left_, in.size() - i));
            out.append(in.substr(i, n));
            i += n;
            left_ -= n;
            if (left_ == 0)
                state_ = State::ChunkEnd;
            continue;
        }
        case State::ChunkEnd: {
            // The CRLF after a chunk's data.
            const char ch = in[i++];
            if (ch == '\n')
                state_ = State::ChunkSize;
            else if (ch != '\r') {
                out += ch;
                state_ = State::Raw;
            }
            continue;
        }
        }
    }
    return out;
}

} // namespace underhood
