// The outputs a caller may ask a dissection for, besides the summary.
#pragma once

#include "address.h"
#include "dissect/field.h"
#include "dissect/packet.h"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace underhood::dissect {

struct FieldItem {
    FieldId field = kNoField; // kNoField: a note ("[Expert Info ...]")
    uint16_t depth = 0;       // 0 for the frame and each protocol layer
    uint8_t flags = 0;        // DecodedPacket::Truncated / Malformed on the item where it happened
    bool bits = false;        // names some bits of its bytes (Packet::add_bits)
    uint32_t offset = 0, length = 0;
    FieldValue value;
    std::string label; // empty: "Name: value" from the field's info
};

struct FieldTree {
    std::vector<FieldItem> items;
    // The first item of field `f`, nullptr when absent.
    const FieldItem* first(FieldId f) const;
    // The label as shown: the item's own, else "Name: value".
    std::string label_of(const FieldItem& item) const;
};

// The packet list's columns, as Wireshark fills them: each layer overwrites
// what the layers below it wrote.
struct Columns {
    std::string protocol;    // "TCP", "DNS", "TLSv1.3"
    std::string source;      // innermost IP address when there is one, else the link-layer address
    std::string destination;
    std::string info;        // "Standard query 0x1a2b A example.com"
};

// A value printed as tshark -T fields prints it.
std::string format_value(const FieldInfo& info, const FieldValue& v);

// Stream numbers as Wireshark assigns them: conversations (address and port
// pairs, either direction) numbered from 0 in order of their first packet,
// separately for TCP and UDP.
class Streams {
public:
    // The stream of a TCP or UDP conversation, numbered in order of first
    // appearance. `renew` (TCP analysis saw the ports reused by a new
    // connection) gives the conversation the next number, as Wireshark does.
    uint32_t index(bool tcp, const IpAddress& a, uint16_t pa, const IpAddress& b, uint16_t pb, bool renew = false);

private:
    using Key = std::tuple<IpAddress, uint16_t, IpAddress, uint16_t>;
    std::map<Key, uint32_t> tcp_, udp_;
    uint32_t next_tcp_ = 0, next_udp_ = 0;
};

} // namespace underhood::dissect
