// Text for the details tree and the packet-list columns, worded as
// Wireshark words it. Only called when a tree or columns are wanted.
#pragma once

#include "protocols.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace underhood::dissect {

inline constexpr const char* kEllipsis = "\u2026";

// printf into a std::string.
std::string strf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// "0a1b2c…": at most `max` bytes.
std::string hex_text(const uint8_t* p, size_t n, size_t max = 24);
// Text as it is on the wire: printable ASCII kept, \r \n and anything else escaped.
std::string printable_text(const uint8_t* p, size_t n, size_t max = 200);
// "00:11:22:33:44:55".
std::string mac_text(const uint8_t* p);
// For the address columns: the all-ones address is "Broadcast", as Wireshark names it.
std::string mac_column(const uint8_t* p);
// Wireshark's bit pictures: "..10 0... = rest" for the bits `mask` selects of a `width`-bit value.
std::string bit_label(uint32_t value, int width, uint32_t mask, const std::string& rest);
// "..1. .... = Don't fragment: Set".
std::string bit_flag(uint32_t value, int width, uint32_t mask, const char* name);
// The protocol column for a protocol the summary names ("IPv4", "DNS").
std::string column_name(Proto p);
// "Internet Protocol Version 4 (0x0800)"-style "name (value)" pairs.
std::string named_hex(const char* name, uint32_t value, int digits);
std::string named_dec(const char* name, uint32_t value);

} // namespace underhood::dissect
