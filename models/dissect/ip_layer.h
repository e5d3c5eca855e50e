// What the IP layers share with the protocols they carry (ip.cpp, icmp.cpp,
// routing.cpp, transport.cpp, sctp.cpp): the protocol numbers' names and
// what an IP header tells the layers above it.
#pragma once

#include "dissect/packet.h"

#include <cstdint>
#include <string>

namespace underhood::dissect {

// Wireshark's names for IP protocol numbers ("UDP", "IPv6 Hop-by-Hop Option").
const char* ip_proto_name(uint8_t proto);

// Set by the IP header a layer travels in. Per thread: packets are dissected
// on several threads at once.
struct IpCarrier {
    // Of the innermost IP header: an echo's Info column names it. Set only
    // when columns are wanted.
    uint8_t hop_limit = 0;
    // A first fragment with more to come: a length that runs past its end is
    // no error, the rest travels in the next fragment.
    bool more_fragments = false;
};
IpCarrier& ip_carrier();

// The `len` bytes at `at` of `t` that a length field named `what` ("UDP
// length") claims. Past the end of a first fragment the rest comes later:
// a note says so and the window stops at the fragment's end. Otherwise as
// Tvb::sub (truncated or malformed).
Tvb claim(Tvb t, Packet& p, size_t at, size_t len, const char* what);

} // namespace underhood::dissect
