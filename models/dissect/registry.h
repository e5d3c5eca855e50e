// Registries instead of switches: each protocol file registers its
// dissectors under the values that lead to it (a link type, an EtherType,
// an IP protocol number, a TCP or UDP port) and its heuristics (TLS, HTTP
// or QUIC on any port), as Wireshark's dissector tables and tcpdump's
// print-*.c files do. Adding a protocol means adding one file and one line
// to register_all.cpp.
#pragma once

#include "dissect/packet.h"

#include <cstdint>
#include <string_view>

namespace underhood::dissect {

using Dissector = void (*)(Tvb t, Packet& p);
// A heuristic looks at a payload and dissects it when it recognises it.
using Heuristic = bool (*)(Tvb t, Packet& p);

struct LinkType {
    uint32_t linktype = 0;          // LINKTYPE_* as stored in capture files
    int dlt = -1;                   // libpcap's DLT_* (differs for a few)
    std::string_view name;          // libpcap's name ("EN10MB")
    std::string_view description;   // "Ethernet"
    Dissector dissector = nullptr;  // nullptr: known, not decoded
};

void add_link_type(const LinkType& lt);
void add_ethertype(uint16_t type, Dissector d);
void add_ip_protocol(uint8_t proto, Dissector d);
void add_tcp_port(uint16_t port, Dissector d);
void add_udp_port(uint16_t port, Dissector d);
void add_tcp_heuristic(Heuristic h);
void add_udp_heuristic(Heuristic h);

const LinkType* find_link_type(uint32_t linktype);
Dissector find_ethertype(uint16_t type);
Dissector find_ip_protocol(uint8_t proto);
Dissector find_tcp_port(uint16_t port);
Dissector find_udp_port(uint16_t port);
// Runs the heuristics in registration order; true when one took the payload.
bool try_tcp_heuristics(Tvb t, Packet& p);
bool try_udp_heuristics(Tvb t, Packet& p);

// Every protocol registered (once, on first use; thread-safe).
void ensure_registered();

// Hand-offs shared by several protocols (defined in their protocol's file).
void dissect_ethertype(uint16_t type, Tvb t, Packet& p);
void dissect_ethernet(Tvb t, Packet& p);
void dissect_llc(Tvb t, Packet& p);
void dissect_ipv4(Tvb t, Packet& p);
void dissect_ipv6(Tvb t, Packet& p);
void dissect_ppp(Tvb t, Packet& p, bool hdlc_allowed);
void dissect_mpls(Tvb t, Packet& p);
void dissect_ieee80211(Tvb t, Packet& p);
void dissect_radiotap(Tvb t, Packet& p);
// Application payloads with fields of their own (the summary's protocol is
// already set when these run; they add fields, columns and names).
void dissect_tls(Tvb t, Packet& p);
void dissect_http(Tvb t, Packet& p);
void dissect_pppoe(Tvb t, Packet& p, bool session);
// A TCP or UDP payload to the dissector of the port that names it (from
// p.sport and p.dport), without the heuristics: for outputs asked of a
// payload whose summary is already known.
void dissect_port_payload(Tvb t, Packet& p, bool tcp);
// Bytes nothing decodes: a "Data (N bytes)" layer in the tree.
void dissect_data(Tvb t, Packet& p);
// The payload of an IP header (its protocol number), after extension headers.
// The IP header's addresses are in Packet::net_src/net_dst by then.
void dissect_ip_payload(uint8_t proto, Tvb t, Packet& p, bool later_fragment);

} // namespace underhood::dissect
