// The protocol engine's entry point: one packet, from its link type up.
//
// How to add a protocol: write models/dissect/NAME.cpp with its fields (a
// FieldInfo table named as Wireshark names them), its dissector reading
// through Tvb, and a register_NAME() that registers the fields and hands
// the dissector to the table that leads to it (add_ethertype,
// add_ip_protocol, add_tcp_port, add_udp_heuristic, ...); then call
// register_NAME() from register_all.cpp and list the file in
// models/CMakeLists.txt.
#pragma once

#include "dissect/names.h"
#include "dissect/outputs.h"
#include "dissect/packet.h"
#include "dissect/registry.h"

namespace underhood::dissect {

// Dissects the packet into the outputs set on `p` (the summary always).
void dissect(uint32_t link_type, Packet& p);

// Passive names only, for a packet whose summary is already known (ingest):
// the dissector of the summary's application protocol (DNS, mDNS, LLMNR,
// DHCP, TLS, HTTP, ARP) runs on its payload with `names` as the only
// output; the layers below are not dissected again. Returns at once for
// every other packet.
void dissect_names(Bytes data, const DecodedPacket& summary, NameSink& names);

// Whether dissect_names() could find a name in the packet: a cheap look at
// the summary and the payload's first bytes, for callers that would
// otherwise copy the bytes to observe them later.
bool may_name(Bytes data, const DecodedPacket& summary);

// The link type's entry, nullptr when unknown.
const LinkType* link_type_info(uint32_t link_type);

} // namespace underhood::dissect
