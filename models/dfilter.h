// Display filters in Wireshark's language, over the protocol engine's
// fields: "ip.addr == 10.0.0.0/8 && tcp.port in {80, 443, 8000..8080}",
// "dns", "!arp", "http.host contains \"example\"", "tls.handshake.extensions_server_name matches \"^www\\.\"".
//
// What it takes, as tshark 4.0 takes it:
//   - comparisons == != > >= < <= (eq ne gt ge lt le), === (all equal),
//     !== and ~= (any not equal); a == b holds when any occurrence of a
//     equals b, a != b when a is present and no occurrence equals b;
//   - && || ^^ ! and the words and or xor not; "and" binds tighter than
//     "or"; parentheses;
//   - a field or protocol name alone: present in the packet;
//   - sets: field in {80, 443, 8000..8080};
//   - contains (a string or bytes in a text, bytes or protocol field) and
//     matches (a PCRE2 regular expression, case-insensitive as Wireshark's);
//   - literals: integers (decimal, 0x hex, 0 octal), true/false, IPv4 and
//     IPv6 addresses with an optional /prefix, MAC addresses and byte
//     strings (11:22:33, 11-22-33, 1122.3344), "strings" with C escapes.
//
// No Qt here; compiled once, matched from any number of threads.
#pragma once

#include "bytes.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace underhood {

namespace dissect {
struct FieldTree;
}

class WiresharkFilter {
public:
    WiresharkFilter();
    ~WiresharkFilter();
    WiresharkFilter(WiresharkFilter&&) noexcept;
    WiresharkFilter& operator=(WiresharkFilter&&) noexcept;

    // Parses `text`. On failure returns false with `error` set to one line
    // saying what is wrong and where ("unknown field 'ip.adr' (did you mean
    // 'ip.addr'?)"), and `error_pos` the offset in `text` it points at.
    bool compile(std::string_view text, std::string& error, size_t& error_pos);

    // Whether a packet's field tree passes. `packet` is the captured bytes
    // the tree's offsets point into (for "tcp contains ...").
    bool matches(const dissect::FieldTree& tree, Bytes packet) const;

    bool empty() const { return !root_; }

    struct Node;

private:
    std::unique_ptr<Node> root_;
};

} // namespace underhood
