// What the application-layer dissectors share: when they have anything to
// do, how a problem inside a payload shows in the tree, and the hand-offs
// between their files.
//
// The summary never reads an application payload (ingest stays fast), so
// these dissectors return at once unless a tree, columns or names are
// wanted, and what is wrong inside a payload is the tree's alone: a flagged
// note that leaves the summary as ingest saw it.
#pragma once

#include "dissect/packet.h"

#include <string>

namespace underhood::dissect {

inline bool app_wanted(Packet& p) { return p.want_tree() || p.want_columns() || p.names; }

// A flagged note over [at, at + len) (absolute offsets), its flag carried up
// to the items enclosing it (Packet::tree_problem); the summary untouched.
void app_problem(Packet& p, DecodedPacket::Flag f, size_t at, size_t len, const std::string& detail);

// Like Tvb::need, for the tree: false when `len` bytes from `at` are not in
// `t`; the tree then says why: the capture was cut ("... truncated"), the
// rest comes in the next TCP segment (`tcp`), or the payload is malformed.
bool app_fits(Packet& p, const Tvb& t, size_t at, size_t len, const char* what, bool tcp);

// Like Tvb::sub for a length field: where `claimed` bytes from `at` end in
// `t` (relative to it), clipped to `t`; a claim past `t` is said as app_fits says it.
size_t app_claim(Packet& p, const Tvb& t, size_t at, size_t claimed, const char* what, bool tcp);

// A protocol named by its port only: its layer, the port, the bytes.
void dissect_by_port(Proto proto, uint16_t port, Tvb t, Packet& p);
// The protocol a port pair names, as the transport layer picks it (the
// lower port's, else the higher one's); Proto::None when neither names one.
Proto port_protocol(const Packet& p, bool tcp, uint16_t& port);

void dissect_ssh(Tvb t, Packet& p, bool from_client);
void dissect_quic(Tvb t, Packet& p);

} // namespace underhood::dissect
