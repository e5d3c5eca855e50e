// Fields: what the engine can say about a packet, named as Wireshark names
// them ("ip.src", "tcp.flags.syn") so users type what they already know.
//
// Each protocol file declares its fields once, in a table, and registers it
// (see registry.h). A field has an id (its index in the global table), a
// type that decides how its value prints, and Wireshark's display base.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace underhood::dissect {

using FieldId = uint16_t;
constexpr FieldId kNoField = 0xFFFF;

enum class FieldType : uint8_t {
    Protocol, // a layer: "ip", "tcp" (no value)
    Uint,     // unsigned integer, printed in `base`
    Bool,     // 0 or 1
    Ipv4,
    Ipv6,
    Ether,
    String,
    Bytes,      // printed as hex with colons
    EpochTime,  // seconds.nanoseconds since 1970
    RelativeTime, // a signed duration in nanoseconds, printed as seconds.nanoseconds
    FrameNumber,
};

enum class Base : uint8_t { Dec, Hex };

struct FieldInfo {
    std::string_view abbrev; // "ip.src"
    std::string_view name;   // "Source Address"
    FieldType type = FieldType::Uint;
    Base base = Base::Dec;
    uint8_t hex_digits = 0; // Hex: at least this many digits ("0x0012" for tcp.flags)
    // An "either end" alias ("ip.addr" for "ip.src" and "ip.dst"): the ids
    // of fields it stands for, set by the registry.
    std::string_view alias_of_1{}, alias_of_2{};
};

// Where a field's declarations live: each protocol file has one static
// array of FieldInfo and hands it to register_fields(). Ids are assigned in
// registration order and stay fixed for the life of the process.
FieldId register_fields(const FieldInfo* infos, size_t count);
const FieldInfo& field_info(FieldId id);
FieldId field_count();
// kNoField when unknown.
FieldId field_by_name(std::string_view abbrev);
// Fields whose name is closest to `abbrev` (for "did you mean").
std::string closest_field(std::string_view abbrev);

} // namespace underhood::dissect
