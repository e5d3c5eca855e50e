// The pcapng constants the reader (models/capture_reader.cpp) and the writer
// (pcapng_writer.cpp) share: block types, option codes, the byte-order magic
// (draft-ietf-opsawg-pcapng), and what marks a section underhood-capture wrote.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace underhood::pcapng {

// Block types.
enum : uint32_t {
    kBlockShb = 0x0A0D0D0A, // section header; the same in either byte order
    kBlockIdb = 1,          // interface description
    kBlockOpb = 2,          // obsolete packet block
    kBlockSpb = 3,          // simple packet block
    kBlockIsb = 5,          // interface statistics
    kBlockEpb = 6,          // enhanced packet block
    kBlockCustomCopy = 0x00000BAD,
    kBlockCustomNoCopy = 0x40000BAD,
};

inline constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;

// Option codes. 0 and 1 mean the same in every block.
enum : uint16_t {
    kOptEnd = 0,
    kOptComment = 1,
    // section header
    kShbHardware = 2,
    kShbOs = 3,
    kShbUserAppl = 4,
    // interface description
    kIfName = 2,
    kIfDescription = 3,
    kIfMacAddr = 6,
    kIfSpeed = 8, // bits per second
    kIfTsresol = 9,
    kIfFilter = 11,
    kIfOs = 12,
    kIfTsoffset = 14,
    kIfHardware = 15,
    // enhanced packet
    kEpbFlags = 2,
    // interface statistics
    kIsbStartTime = 2,
    kIsbEndTime = 3,
    kIsbIfRecv = 4,
    kIsbIfDrop = 5,
    kIsbFilterAccept = 6,
    kIsbOsDrop = 7,
    kIsbUsrDeliv = 8,
};

// Readers reject larger blocks (Wireshark's limit, and Underhood's reader's).
inline constexpr size_t kMaxBlock = size_t(16) << 20;

// underhood-capture's shb_userappl starts with this, and it marks its last
// ISB for each interface (at the end of a capture and of each rotated file)
// with exactly this opt_comment: a section without them was cut short.
inline constexpr std::string_view kHelperApplication = "underhood-capture";
inline constexpr std::string_view kFinalStatisticsComment = "final statistics";

// The helper's NIC-health records (capture/README.md, "NIC health"): an
// opt_comment of the IDB (at the start) and of each ISB (every statistics
// interval and the final one) whose text starts with this line, then
// "key=value" lines. Comments, because every pcapng reader takes them
// quietly: Wireshark shows a Custom Block as a frame of its own, which would
// shift every frame number.
inline constexpr std::string_view kHealthMagic = "underhood-nic-health 1\n";
// Option values are at most 65535 bytes; a record is cut (at a line) to this.
inline constexpr size_t kMaxHealthRecord = 60000;

} // namespace underhood::pcapng
