// Sessions of the synthetic-traffic generator: each is a plan of timed
// packets (made when the session starts) that the scheduler renders one at a
// time, merged in timestamp order with every other session.
//
// Small exchanges (DNS, DHCP, ARP, NDP, ...) are planned as finished frames.
// TCP connections and QUIC transfers are planned as compact steps (sequence
// numbers, lengths, what fills the payload) and rendered on the way out, so a
// multi-megabyte download costs a few bytes per packet until it is written.
#pragma once

#include "synth_frame.h"

#include <memory>
#include <queue>
#include <string>
#include <vector>

namespace synth {

enum class Fill : uint8_t {
    Raw,        // the whole frame is in the session's blob
    None,       // TCP without payload (SYN, ACK, FIN, RST)
    Literal,    // TCP payload copied from the blob
    TlsRecords, // TCP payload: one TLS application_data record
    Text,       // TCP payload: HTML-looking text (HTTP bodies)
    Random,     // TCP payload: opaque bytes (SSH after the key exchange)
    QuicShort,  // UDP payload: a QUIC short-header packet
};

struct Step {
    int64_t t = 0;
    uint32_t seq = 0, ack = 0;
    uint32_t ref = 0; // offset into the blob (Raw, Literal) or a content seed
    uint16_t len = 0; // payload length (frame length for Raw)
    uint8_t flags = 0;
    uint8_t from_server = 0;
    Fill fill = Fill::Raw;
};

// Who talks to whom: the client side is on the LAN; the server side's MAC is
// the gateway's when the server is remote.
struct Flow {
    Mac client_mac, server_mac;
    uint16_t vlan = 0;
    Addr client_ip, server_ip;
    uint16_t client_port = 0, server_port = 0;
    uint8_t client_ttl = 64, server_ttl = 64;
    bool udp = false;
};

class Session {
public:
    Flow flow;
    std::vector<Step> steps;
    std::vector<uint8_t> blob;
    std::vector<std::pair<uint32_t, std::string>> comments; // step index, comment
    size_t next = 0;
    uint16_t client_ip_id = 0, server_ip_id = 0;

    void add_raw(int64_t t, const Frame& f);
    uint32_t add_blob(const uint8_t* p, size_t n);
    void comment_first(std::string text)
    {
        if (!text.empty())
            comments.emplace_back(0, std::move(text));
    }
    void comment_last(std::string text)
    {
        if (!text.empty() && !steps.empty())
            comments.emplace_back(uint32_t(steps.size() - 1), std::move(text));
    }
};

// One application message on a TCP connection.
struct TcpMessage {
    bool from_server = false;
    int64_t gap_ns = 0; // after the previous packet
    uint32_t size = 0;
    Fill fill = Fill::Literal;
    uint32_t ref = 0; // blob offset of a Literal message
};

struct TcpTiming {
    int64_t rtt_ns = 30000000;      // as seen from the LAN side
    int64_t data_gap_ns = 200000;   // between a sender's full segments
    int64_t client_ack_ns = 40000;  // the LAN client's quick ACK
    uint16_t mss = 1460;
    bool reset_close = false;       // end with RST instead of FIN
};

// Plans a whole connection: handshake, messages with ACKs every second
// segment, and the close. Returns the time of the last packet.
int64_t plan_tcp(Session& s, Rng& rng, int64_t t0, const TcpTiming& timing, const std::vector<TcpMessage>& messages);

// What every rendered packet draws its opaque bytes from.
struct Content {
    std::vector<uint8_t> random; // a pool of random bytes
    std::vector<uint8_t> text;   // HTML-looking filler
    explicit Content(Rng& rng);
};

void render(Session& s, const Step& st, const Content& content, Frame& f);

// Merges sessions by the time of their next packet; ties go to the session
// added first, so the output depends only on the order of add() calls.
class Scheduler {
public:
    void add(std::unique_ptr<Session> s);
    bool empty() const { return heap_.empty(); }
    int64_t next_time() const { return heap_.top().t; }
    // The session whose packet is next; call advance() once it is written.
    Session& top() { return *slots_[heap_.top().slot]; }
    void advance();
    size_t active() const { return heap_.size(); }

private:
    struct Entry {
        int64_t t;
        uint64_t order;
        uint32_t slot;
        bool operator>(const Entry& o) const { return t != o.t ? t > o.t : order > o.order; }
    };
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
    std::vector<std::unique_ptr<Session>> slots_;
    std::vector<uint32_t> free_;
    uint64_t order_ = 0;
};

} // namespace synth
