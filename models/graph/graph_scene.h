// What the host graph shows at one moment: nodes (hosts, or clusters of
// remote hosts) and links, with their traffic, protocol mix, size and labels.
// GraphBuilder makes a scene from a TrafficWindow; the layout places its nodes
// and the renderer draws it. No Qt, no positions here.
#pragma once

#include "local_networks.h"
#include "name_table.h"
#include "traffic_window.h"

#include <bitset>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace underhood {

// Stable identity of a node across scenes (layout positions and pins key on it).
using NodeId = uint64_t;
NodeId node_id(const Endpoint& e);

enum class SizeMetric : uint8_t { Total, Rate };
// How remote hosts collapse: Auto picks the finest of /24, /16 and one
// "Internet" node that keeps them under the threshold.
enum class ClusterMode : uint8_t { Auto, Prefix24, Prefix16, Internet, Off };

struct GraphOptions {
    Layer layer = Layer::Ip;
    SizeMetric size_by = SizeMetric::Total;
    ClusterMode cluster = ClusterMode::Auto;
    size_t cluster_threshold = 40;  // remote nodes shown before they collapse
    size_t keep_busiest_remote = 8; // the busiest remote hosts stay single
    size_t top_n = 0;               // 0: every node
    std::unordered_set<NodeId> expanded; // clusters shown as their members
    std::bitset<256> hidden;             // protocols (Proto) left out, from the legend
    NodeId keep = 0;                     // a node never filtered away (the selection)
    std::unordered_set<NodeId> hidden_nodes; // nodes the user hid
    NodeId neighbours_of = 0;                // when set: only this node and the nodes it has links with
};

struct SceneNode {
    NodeId id = 0;
    bool cluster = false;
    bool local = true;
    NodeId parent = 0; // an expanded cluster this host belongs to
    Endpoint endpoint; // hosts
    std::string key;   // address, or the cluster's prefix ("10.1.2.0/24", "Internet")
    std::string label; // best passive name, else the address; clusters: prefix and size
    std::vector<std::string> names;
    std::string vendor;
    uint32_t members = 1;
    std::vector<NodeId> member_ids; // clusters
    uint64_t packets = 0, bytes = 0, tx_bytes = 0, rx_bytes = 0;
    double rate_bps = 0, rate_pps = 0; // bytes and packets per second over the rate window
    bool recent = false;               // packets within the link timeout
    Proto dominant = Proto::None;
    std::vector<std::pair<Proto, uint64_t>> mix; // most packets first
    // Packets per sensor (interface id), most first; `sensor` the first (-1: none).
    std::vector<std::pair<uint16_t, uint64_t>> sensors;
    int sensor = -1;
    float radius = 4;
};

struct SceneLink {
    uint32_t a = 0, b = 0; // node indices
    uint64_t id = 0;       // stable across scenes
    uint64_t packets = 0, bytes = 0;
    double bps = 0;                   // both directions, over the rate window
    double a_to_b_pps = 0, b_to_a_pps = 0;
    bool recent = false;
    Proto dominant = Proto::None;
    int sensor = -1; // the interface that saw most of its packets
    float width = 1; // pixels
};

struct GraphScene {
    Layer layer = Layer::Ip;
    int64_t time_ns = 0;
    uint64_t generation = 0; // changes with every build
    std::vector<SceneNode> nodes;
    std::vector<SceneLink> links;
    std::unordered_map<NodeId, uint32_t> index;       // node id -> position in nodes
    std::unordered_map<NodeId, NodeId> shown_as;      // every host's id -> the node that shows it
    std::vector<std::pair<Proto, uint64_t>> protocols; // packets per protocol in the window (legend)
    std::vector<std::pair<uint16_t, uint64_t>> sensors; // packets per sensor (interface id), most first
    size_t hosts = 0;          // hosts in the window at this layer
    size_t filtered_out = 0;   // nodes left out by the top-N filter or hidden protocols
    size_t hidden_by_user = 0; // of those, nodes hidden by hand or outside the neighbourhood shown
    size_t clustered = 0;      // hosts shown inside clusters
    std::vector<IpPrefix> local_prefixes;

    int find(NodeId id) const
    {
        auto it = index.find(id);
        return it == index.end() ? -1 : int(it->second);
    }
    // The link between the nodes showing two hosts, or -1.
    int link_between(NodeId host_a, NodeId host_b) const;
    static uint64_t link_id(NodeId a, NodeId b);
};

// What picking a node stands for outside the graph: the hosts it shows (the
// host itself, or a cluster's members) and a BPF expression matching their
// packets ("host 10.0.0.5", "net 10.1.2.0/24", "ether host ..."). The
// expression is empty when none is exact enough (an "Internet" cluster with
// no local network known and too many members to list).
struct NodeSelection {
    std::string label;
    std::vector<NodeId> hosts;
    std::string bpf;
    std::string dfilter; // the same packets in Wireshark's language (empty: none covers them)
    bool empty() const { return hosts.empty(); }
};
NodeSelection selection_of(const GraphScene& scene, int node);

// Node radius in scene units from traffic (log scale); links' width in pixels.
float node_radius(double metric, SizeMetric by, bool cluster);
float link_width(double metric, SizeMetric by);

class GraphBuilder {
public:
    GraphBuilder() = default;
    LocalNetworks& locals() { return locals_; }
    // Builds the scene for `window` at time `t_ns`; `names` may be null.
    GraphScene build(const TrafficWindow& window, const WindowSpans& spans, const GraphOptions& opts,
                     const NameTable* names, int64_t t_ns);

private:
    LocalNetworks locals_;
    uint64_t generation_ = 0;
};

} // namespace underhood
