// Byte-order loads for capture data. Packets are never cast to structs:
// fields are read byte by byte, so alignment and host order never matter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace underhood {

using Bytes = std::span<const uint8_t>;

inline uint16_t load_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_be24(const uint8_t* p) { return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]; }
inline uint32_t load_be32(const uint8_t* p)
{
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t load_be64(const uint8_t* p) { return uint64_t(load_be32(p)) << 32 | load_be32(p + 4); }
inline uint16_t load_le16(const uint8_t* p) { return uint16_t(p[1] << 8 | p[0]); }
inline uint32_t load_le32(const uint8_t* p)
{
    return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0];
}
inline uint64_t load_le64(const uint8_t* p) { return uint64_t(load_le32(p + 4)) << 32 | load_le32(p); }

// Loads in a byte order chosen at run time (capture files of either endianness).
struct Endian {
    bool big = false;
    uint16_t u16(const uint8_t* p) const { return big ? load_be16(p) : load_le16(p); }
    uint32_t u32(const uint8_t* p) const { return big ? load_be32(p) : load_le32(p); }
    uint64_t u64(const uint8_t* p) const { return big ? load_be64(p) : load_le64(p); }
};

} // namespace underhood
