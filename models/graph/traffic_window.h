// The traffic of a time window, for the host graph: hosts and links at every
// layer (so the graph switches layer without reading anything again), each
// with totals over the window, a moving average over a shorter rate window and
// the packets of the last link timeout.
//
// Packets go in and out one at a time with exact inverse operations, so a
// window can slide forwards or backwards over a capture and always hold the
// same sums as one built from scratch for the same packets (WindowCursor
// relies on that). No Qt here.
#pragma once

#include "flat_hash_map.h"
#include "packet_decoder.h"
#include "traffic_model.h"

#include <array>
#include <cstdint>
#include <vector>

namespace underhood {

// What the graph needs of one packet, decoded once.
struct GraphPacket {
    int64_t ts_ns = 0;
    uint32_t bytes = 0; // on the wire
    Proto proto = Proto::None;
    uint8_t layers = 0; // bit (1 << Layer) set when the packet has endpoints at that layer
    std::array<Endpoint, kLayerCount> src{}, dst{};
    bool has_mac = false;
    MacAddress mac_src;
    uint16_t sensor = 0; // the packet's interface (a sensor's, when several are merged)
    bool has(Layer l) const { return layers & (1u << unsigned(l)); }
};

// The protocol a packet counts for in the graph: the application protocol
// when known, else the service its lower port names (a bare TCP ACK on 443
// counts as TLS, as EtherApe does), else the transport or network protocol.
Proto graph_protocol(const DecodedPacket& dp);
void make_graph_packet(const DecodedPacket& dp, int64_t ts_ns, uint32_t origlen, GraphPacket& out);

// Packets per protocol, small (most hosts and links see a handful).
struct ProtocolMix {
    std::vector<std::pair<Proto, uint64_t>> counts;
    void add(Proto p, int64_t n);
    uint64_t total() const;
    Proto dominant() const;
};

// Packets per interface (sensor): which sensors saw a host or a link.
struct SensorMix {
    std::vector<std::pair<uint16_t, uint64_t>> counts;
    void add(uint16_t sensor, int64_t n);
};

// Packet and byte counts that go up and down with the window.
struct SpanCount {
    uint64_t packets = 0, bytes = 0;
    void add(int sign, uint32_t b)
    {
        packets += uint64_t(int64_t(sign));
        bytes += uint64_t(int64_t(sign) * int64_t(b));
    }
};

struct WindowHost {
    SpanCount total, tx, rx;
    SpanCount rate;          // within the rate window
    uint64_t recent = 0;     // packets within the link timeout
    int64_t last_ns = 0;     // newest packet added (only to drop what could not be taken out)
    ProtocolMix protocols;
    SensorMix sensors;
    // IP layers: the source MACs this address was sent from, with packet counts
    // (a router's MAC carries many addresses; a LAN host's carries its own).
    std::vector<std::pair<MacAddress, uint64_t>> macs;
};

// A link between two endpoints; a < b as ConversationKey orders them.
struct WindowLink {
    SpanCount total, a_to_b, b_to_a;
    SpanCount rate_a_to_b, rate_b_to_a; // within the rate window
    uint64_t recent = 0;
    int64_t last_ns = 0;
    ProtocolMix protocols;
    SensorMix sensors;
};

struct WindowSpans {
    int64_t window_ns = 60'000'000'000; // the graph's history; 0 = from the start of the capture
    int64_t rate_ns = 2'000'000'000;    // moving average of throughput and packets/s
    int64_t recent_ns = 3'000'000'000;  // link timeout: links without packets this long fade
    bool operator==(const WindowSpans&) const = default;
};

class TrafficWindow {
public:
    enum Span : uint8_t { Main = 1, Rate = 2, Recent = 4, All = 7 };
    using HostMap = FlatHashMap<Endpoint, WindowHost, EndpointHash, EndpointEq>;
    using LinkMap = FlatHashMap<ConversationKey, WindowLink, ConversationKeyHash, ConversationKeyEq>;

    // Adds (sign +1) or takes out (sign -1) a packet from the given spans.
    void apply(const GraphPacket& p, int sign, uint8_t spans);
    // Forgets entries idle since before `cutoff_ns`: only needed when packets
    // left a live history before they could be taken out of the window.
    void drop_idle(int64_t cutoff_ns);
    void clear();

    const HostMap& hosts(Layer l) const { return layers_[size_t(l)].hosts; }
    const LinkMap& links(Layer l) const { return layers_[size_t(l)].links; }
    uint64_t packets() const { return packets_; } // in the main window
    uint64_t bytes() const { return bytes_; }

private:
    struct Tables {
        HostMap hosts;
        LinkMap links;
    };
    void host(Tables& t, const Endpoint& e, const GraphPacket& p, int sign, uint8_t spans, bool tx, bool rx,
              bool record_mac);
    std::array<Tables, kLayerCount> layers_;
    uint64_t packets_ = 0, bytes_ = 0;
};

} // namespace underhood
