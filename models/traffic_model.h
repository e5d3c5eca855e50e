// Aggregation of decoded packets: hosts and conversations at three layers,
// the protocol hierarchy, throughput series and capture totals.
//
// Packets arrive one at a time (a file pass or a live stream alike); views
// read the tables between batches. No Qt here: the CLI and the fuzzers use it.
#pragma once

#include "address.h"
#include "bytes.h"
#include "capture_reader.h"
#include "flat_hash_map.h"
#include "name_table.h"
#include "packet_decoder.h"
#include "throughput_series.h"

#include <array>
#include <cstring>
#include <map>
#include <type_traits>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace underhood {

enum class Layer : uint8_t { Ether = 0, Ip = 1, Port = 2 };
constexpr int kLayerCount = 3;
const char* layer_name(Layer l);
bool parse_layer(const std::string& s, Layer& out);

struct HostStats {
    uint64_t packets = 0, bytes = 0;
    uint64_t tx_packets = 0, tx_bytes = 0;
    uint64_t rx_packets = 0, rx_bytes = 0;
    int64_t first_ns = 0, last_ns = 0;
    bool timed = false; // first/last are known
};

// Packets counted per top-level protocol; most conversations see one or two.
struct ProtocolCounts {
    std::vector<std::pair<Proto, uint64_t>> counts;
    void add(Proto p, uint64_t n = 1)
    {
        for (auto& c : counts)
            if (c.first == p) {
                c.second += n;
                return;
            }
        counts.emplace_back(p, n);
    }
};

struct ConversationKey {
    Endpoint a, b; // a < b in byte order (display order is decided when printing)
    bool operator==(const ConversationKey&) const = default;

    // The conversation between src and dst; `forward` says src is its end a.
    static ConversationKey of(const Endpoint& src, const Endpoint& dst, bool& forward)
    {
        forward = !endpoint_less(dst, src);
        return forward ? ConversationKey{src, dst} : ConversationKey{dst, src};
    }
    // Endpoint's operator< (kind, family, port, then the address bytes in
    // order) without its out-of-line memcmp: this runs for every packet.
    static bool endpoint_less(const Endpoint& x, const Endpoint& y)
    {
        if (x.kind != y.kind)
            return x.kind < y.kind;
        if (x.family != y.family)
            return x.family < y.family;
        if (x.port != y.port)
            return x.port < y.port;
        const uint64_t a = load_be64(x.bytes.data()), b = load_be64(y.bytes.data());
        if (a != b)
            return a < b;
        return load_be64(x.bytes.data() + 8) < load_be64(y.bytes.data() + 8);
    }
};
struct ConversationKeyHash {
    size_t operator()(const ConversationKey& k) const noexcept
    {
        EndpointHash h;
        return h(k.a) * 31 ^ h(k.b);
    }
};

struct ConversationStats {
    uint64_t packets = 0, bytes = 0;
    uint64_t a_to_b_packets = 0, a_to_b_bytes = 0;
    uint64_t b_to_a_packets = 0, b_to_a_bytes = 0;
    int64_t first_ns = 0, last_ns = 0;
    bool timed = false;
    ProtocolCounts protocols;
};

struct ProtocolPath {
    std::array<Proto, DecodedPacket::kMaxDepth> path{};
    uint8_t depth = 0;
    bool operator==(const ProtocolPath&) const = default;
    std::string to_string() const;
};
struct ProtocolPathHash {
    size_t operator()(const ProtocolPath& p) const noexcept
    {
        uint64_t a, b;
        std::memcpy(&a, p.path.data(), 8);
        std::memcpy(&b, p.path.data() + 8, 8);
        uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
        return size_t(h ^ (h >> 31));
    }
};
struct ProtocolStats {
    uint64_t packets = 0, bytes = 0;
};

// Endpoints are plain bytes without padding: compare them as such (the
// defaulted operator== goes member by member and calls memcmp out of line).
static_assert(sizeof(Endpoint) == 20 && std::has_unique_object_representations_v<Endpoint>);
struct EndpointEq {
    bool operator()(const Endpoint& x, const Endpoint& y) const noexcept
    {
        return std::memcmp(&x, &y, sizeof(Endpoint)) == 0;
    }
};
struct ConversationKeyEq {
    bool operator()(const ConversationKey& x, const ConversationKey& y) const noexcept
    {
        return std::memcmp(&x, &y, sizeof(ConversationKey)) == 0;
    }
};

using HostTable = FlatHashMap<Endpoint, HostStats, EndpointHash, EndpointEq>;
using ConversationTable = FlatHashMap<ConversationKey, ConversationStats, ConversationKeyHash, ConversationKeyEq>;
using ProtocolPathTable = FlatHashMap<ProtocolPath, ProtocolStats, ProtocolPathHash>;

struct LayerTables {
    HostTable hosts;
    ConversationTable conversations;
};

struct CaptureTotals {
    uint64_t packets = 0, bytes = 0;
    uint64_t captured_bytes = 0;
    uint64_t truncated = 0, malformed = 0; // packets the decoder flagged
    int64_t first_ns = 0, last_ns = 0;
    bool any = false; // at least one timed packet: first/last are known
};

struct TrafficModelOptions {
    std::array<bool, kLayerCount> layers{true, true, true};
    bool throughput = true;
    bool names = true;
    int64_t throughput_bin_ns = 1000000; // 1 ms
    size_t throughput_max_bins = size_t(1) << 17;
};

class TrafficModel {
public:
    explicit TrafficModel(TrafficModelOptions opts = {});

    void add(const PacketRecord& rec, const DecodedPacket& dp);
    // Forgets hosts and conversations idle since before `cutoff_ns` (live
    // views age out entries; totals and the hierarchy keep counting).
    void age_out(int64_t cutoff_ns);

    const CaptureTotals& totals() const { return totals_; }
    const LayerTables& layer(Layer l) const { return layers_[size_t(l)]; }
    bool has_layer(Layer l) const { return opts_.layers[size_t(l)]; }
    // Starts keying packets at layer `l` from now on (packets already added are
    // not in its tables: merge_layer() brings them in from a separate pass).
    void enable_layer(Layer l) { opts_.layers[size_t(l)] = true; }
    // Adds the counts of `other` (the same layer computed over other packets) into layer `l`.
    void merge_layer(Layer l, const LayerTables& other);
    // Moves the tables of a layer out (for merge_layer into another model).
    LayerTables take_layer(Layer l) { return std::move(layers_[size_t(l)]); }
    const ProtocolPathTable& protocol_leaves() const { return paths_; }
    // The most VLAN tags any packet so far carried in front of its network layer.
    int vlan_depth() const;
    // Every node of the hierarchy with the packets of its whole subtree, in path order.
    std::vector<std::pair<std::string, ProtocolStats>> protocol_hierarchy() const;
    const ThroughputSeries& throughput() const { return throughput_; }
    const NameTable& names() const { return names_; }
    NameTable& names() { return names_; }
    const std::map<uint32_t, uint64_t>& link_types() const { return link_types_; }

    // Endpoint keys a decoded packet contributes at a layer; false when the
    // packet has nothing to key at that layer.
    static bool endpoints(Layer l, const DecodedPacket& dp, Endpoint& src, Endpoint& dst);

private:
    TrafficModelOptions opts_;
    CaptureTotals totals_;
    std::array<LayerTables, kLayerCount> layers_;
    ProtocolPathTable paths_;
    ThroughputSeries throughput_;
    NameTable names_;
    std::map<uint32_t, uint64_t> link_types_;
    uint32_t last_link_type_ = UINT32_MAX;
};

} // namespace underhood
