// What the link-layer files share: EtherType names, MAC addresses from
// checked bytes, and the control protocols LLC hands on to.
#pragma once

#include "dissect/packet.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace underhood::dissect {

// "IPv4", "802.1Q Virtual LAN"; "Unknown" for the rest.
const char* ethertype_name(uint16_t type);

inline MacAddress mac_at(const uint8_t* p)
{
    MacAddress m;
    std::copy(p, p + 6, m.bytes.begin());
    return m;
}

// A layer whose header is `len` bytes from the start of `t`, shown over those
// bytes even before they are known to be there (the problem note follows).
inline size_t layer_at(Packet& p, FieldId f, const Tvb& t, size_t len, std::string label)
{
    const size_t item = p.layer(f, t, std::move(label));
    p.cover(item, t.begin(), t.begin() + len);
    return item;
}

// Reached through LLC (l2ctl.cpp).
void dissect_stp(Tvb t, Packet& p);
void dissect_cdp(Tvb t, Packet& p);

} // namespace underhood::dissect
