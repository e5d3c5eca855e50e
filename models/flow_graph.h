// The flow (ladder) graph: one column per host, one arrow per packet in
// time order, labelled as a teacher would draw it on the board ("SYN",
// "SYN, ACK", "GET /index.html HTTP/1.1", "Standard query 0x1a2b A
// example.com", "Client Hello (SNI=example.org)"). Built from the packets an
// IngestEngine lists, all of them or those a display filter passed, limited
// to some hosts when asked. No Qt here.
#pragma once

#include "ingest_engine.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace underhood {

struct FlowNode {
    std::string address; // as the packet list's Source/Destination columns show it
    std::string name;    // a name the traffic gave it (DNS, DHCP, ...), empty when none
};

struct FlowArrow {
    uint64_t number = 0; // the packet
    int64_t ts_ns = 0;
    int from = 0, to = 0; // indexes into FlowGraph::nodes (equal: a packet to itself)
    std::string label;   // what the packet says, short
    std::string comment; // where: "51000 → 443", "UDP 5353", empty when no ports
    std::string protocol; // the packet list's Protocol column ("TCP", "DNS")
    uint8_t top = 0;      // the summary's top protocol (Proto), for its colour
};

struct FlowGraph {
    std::vector<FlowNode> nodes; // in order of first appearance
    std::vector<FlowArrow> arrows;
    uint64_t skipped = 0;  // packets with no addresses to draw between, or no longer kept
    bool truncated = false; // more than FlowGraphOptions::max_arrows packets matched
};

struct FlowGraphOptions {
    // Only these packet numbers (a display filter's matches, ascending);
    // null: every packet listed.
    const std::vector<uint64_t>* numbers = nullptr;
    // Only packets with one end among these addresses (as the columns show
    // them); empty: every host.
    std::vector<std::string> hosts;
    // Both ends among `hosts` (a conversation), not only one.
    bool both_ends = false;
    size_t max_arrows = 5000;
    const std::atomic<bool>* cancel = nullptr;
};

FlowGraph build_flow_graph(const IngestEngine& engine, const FlowGraphOptions& opts);

// The arrow's label for a packet with these packet-list columns: a TCP
// packet without payload by its flags ("SYN, ACK"), anything else by its
// Info column without the ports it starts with.
std::string flow_label(const std::string& protocol, const std::string& info);
// "51000 → 443" from an Info column that starts with ports, else empty.
std::string flow_ports(const std::string& info);

} // namespace underhood
