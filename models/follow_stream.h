// Follow Stream: the payload of one TCP or UDP conversation, picked by its
// tcp.stream / udp.stream index, as the two ends exchanged it.
//
// TCP is put back in sequence order for each direction as Wireshark's
// follow does: a retransmission or an overlap delivers only bytes not seen
// before, a segment that arrives early waits until the bytes before it come,
// and a hole the other side acknowledges (so the receiver had the bytes but
// the capture does not) becomes a gap of known size. The result is an
// ordered list of chunks, each one direction's bytes and the packet they
// came in, so a view can colour the two ends.
//
// The follower keeps its state: packets may be fed in several runs (a live
// capture), and what it holds at any time is the stream so far.
#pragma once

#include "address.h"
#include "bytes.h"
#include "capture_reader.h"
#include "dissect/outputs.h"
#include "dissect/tcp_analysis.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace underhood {

class IngestEngine;

enum class FollowProtocol : uint8_t { Tcp, Udp };

struct FollowChunk {
    uint8_t direction = 0; // 0: from the client (who sent the stream's first packet), 1: from the server
    uint64_t packet = 0;   // the packet the bytes came in (a gap: the packet whose ack revealed it)
    int64_t ts_ns = 0;
    std::string data;      // the payload bytes (empty for a gap)
    // A gap: the receiver acknowledged this many bytes that no captured
    // packet carries. Wireshark counts it as a signed 32-bit difference.
    int64_t missing = 0;
    // Bytes of this segment beyond what was captured (snaplen): counted in
    // the sequence space, absent from `data`.
    uint32_t uncaptured = 0;
    bool gap() const { return missing != 0; }
};

struct FollowEndpoint {
    IpAddress address;
    uint16_t port = 0;
};

class StreamFollower {
public:
    StreamFollower(FollowProtocol protocol, uint32_t stream);

    FollowProtocol protocol() const { return protocol_; }
    uint32_t stream() const { return stream_; }

    // Takes the next packet. Every packet of the capture goes through here,
    // in order, whatever its stream: the stream numbers count them all.
    // True when the packet belongs to the followed stream.
    bool add(uint64_t number, uint32_t link_type, Bytes data, uint32_t origlen, int64_t ts_ns);
    bool add(const PacketRecord& rec) { return add(rec.number, rec.link_type, rec.data, rec.origlen, rec.ts_ns); }
    // The packet number after the last one taken (0 before any).
    uint64_t next_number() const { return next_number_; }

    // A packet of the stream was seen.
    bool found() const { return packets_ > 0; }
    // The client sent the first packet whose payload could be looked at;
    // the server is the other end. Unknown while no such packet was seen.
    bool ends_known() const { return ends_known_; }
    const FollowEndpoint& client() const { return end_[0]; }
    const FollowEndpoint& server() const { return end_[1]; }
    uint64_t packets() const { return packets_; }
    // The payload delivered, in the order it became whole.
    const std::vector<FollowChunk>& chunks() const { return chunks_; }
    uint64_t bytes(int direction) const { return bytes_[direction & 1]; }

    // TCP segments held back behind a hole nothing has acknowledged yet, in
    // sequence order, each behind a gap chunk for the bytes before it: what
    // the stream holds beyond chunks() if no more packets come. Wireshark's
    // follow leaves them out; a view shows them at the end.
    std::vector<FollowChunk> pending() const;

    // The display filter that selects this stream ("tcp.stream eq 3").
    std::string filter() const;

private:
    struct Segment {
        uint32_t seq = 0; // relative, as Wireshark's follow counts
        FollowChunk chunk;
    };
    struct Direction {
        bool base_known = false;
        uint32_t base = 0;       // raw sequence number of relative 0
        uint32_t next = 0;       // next relative sequence number expected
        uint64_t written = 0;    // bytes delivered straight (not from `held`)
        std::vector<Segment> held; // out of order, in arrival order
    };
    void take_tcp(uint8_t dir, uint32_t raw_seq, uint32_t raw_ack, uint16_t flags, uint32_t seglen, Bytes payload,
                  uint64_t number, int64_t ts_ns);
    // Moves one held segment (or a gap before them) into the stream; false
    // when none fits. `acked`: the other side's acknowledgement, when known.
    bool release_held(uint8_t dir, const uint32_t* acked, uint64_t number);
    void deliver(FollowChunk&& c);

    FollowProtocol protocol_;
    uint32_t stream_;
    uint64_t next_number_ = 0;
    uint64_t packets_ = 0;
    FollowEndpoint end_[2];
    bool ends_known_ = false;
    Direction dir_[2];
    std::vector<FollowChunk> chunks_;
    uint64_t bytes_[2] = {0, 0};
    dissect::Streams streams_;
    // Numbers streams as Wireshark does when a connection reuses the ports of an earlier one.
    std::shared_ptr<dissect::TcpAnalysis> tcp_analysis_ = std::make_shared<dissect::TcpAnalysis>();
    dissect::FieldTree tree_;
};

// Feeds `f` every packet of a capture file from where it is (a reader just
// opened: all of them). False with `error` set on a read error; what was
// read before it stays in `f`.
bool follow_capture(CaptureReader& reader, StreamFollower& f, std::string& error);

struct FollowScanResult {
    uint64_t scanned = 0;
    uint64_t unavailable = 0; // packets whose bytes the engine no longer keeps
    bool cancelled = false;
};

// Feeds `f` the packets an engine has listed from f.next_number() on (the
// first listed when it is 0): call again while a capture runs to follow it
// as it grows. Meant for a worker thread; the engine's lock is held only
// while copying short runs of its index. `progress` gets (done, total).
FollowScanResult follow_engine(const IngestEngine& engine, StreamFollower& f,
                               const std::atomic<bool>* cancel = nullptr,
                               const std::function<void(uint64_t, uint64_t)>& progress = {});

// The tcp.stream (udp.stream) index of packet `number` of an engine, every
// packet before it numbered as Wireshark numbers them; -1 when the packet
// has no such layer, is no longer kept, or the search was cancelled.
int64_t stream_of_packet(const IngestEngine& engine, FollowProtocol protocol, uint64_t number,
                         const std::atomic<bool>* cancel = nullptr);

// The text tshark -q -z follow,PROTO,FORMAT,N prints for the chunks (the
// lines between its Node lines and the closing rule): "raw" (hex per chunk,
// the server's indented by a tab), "ascii" (length, then the bytes with
// non-printing ones as '.') or "hex" (a dump per chunk, offsets counted per
// direction). A gap is written as Wireshark writes it into the stream:
// "[N bytes missing in capture file]" and a NUL.
std::string format_follow(const std::vector<FollowChunk>& chunks, std::string_view format);
// The header tshark prints before them ("Follow: tcp,raw", the filter, the nodes).
std::string format_follow_header(const StreamFollower& f, std::string_view format);
std::string_view follow_footer();

// HTTP/1.x bodies with Transfer-Encoding: chunked, de-chunked: the chunk
// size lines and their CRLFs go, headers and other bodies pass unchanged.
// One per direction, fed the bytes in order; what it cannot read as HTTP
// passes through as it is.
class HttpDechunker {
public:
    std::string feed(std::string_view in);

private:
    enum class State { Headers, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, Raw };
    State state_ = State::Headers;
    std::string line_;      // the header or chunk-size line read so far
    bool chunked_ = false;  // the message being read
    uint64_t length_ = 0;   // Content-Length of the message being read
    bool have_length_ = false;
    uint64_t left_ = 0;     // bytes left in the body or chunk
    int header_lines_ = 0;
};

} // namespace underhood
