// A pcapng writer (draft-ietf-opsawg-pcapng) for streams and files.
//
// Blocks are assembled whole in an in-memory buffer and handed to the sink in
// large batches, so a capture loop pays one write() per many packets. Only
// complete blocks ever enter the buffer; when the sink refuses bytes the
// writer says so (error()) and stops, so a reader never meets half a block
// that nobody was told about.
//
// Writing to a pipe or socket whose reader has gone raises SIGPIPE unless the
// process ignores it; with SIGPIPE ignored the failure shows up as EPIPE.
//
// Integers are written in the host's byte order, which the section header's
// byte-order magic announces. Timestamps are nanoseconds: every interface is
// described with if_tsresol = 9.
//
// No Qt and no libpcap here: the capture helper and the synthetic-traffic
// generator both link this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <array>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace underhood {

struct PcapngSectionInfo {
    std::string_view hardware;  // shb_hardware
    std::string_view os;        // shb_os
    std::string_view user_appl; // shb_userappl: the writing application
    std::string_view comment;   // opt_comment
};

struct PcapngInterfaceInfo {
    uint16_t link_type = 1; // LINKTYPE_ETHERNET
    uint32_t snaplen = 262144;
    std::string_view name;        // if_name, e.g. "eth0"
    std::string_view description; // if_description
    std::string_view filter;      // if_filter, as a libpcap filter expression
    std::string_view os;          // if_os
    std::string_view hardware;    // if_hardware, e.g. the driver and bus
    std::optional<uint64_t> speed_bps;             // if_speed
    std::optional<std::array<uint8_t, 6>> mac;     // if_MACaddr
    std::string_view comment;     // opt_comment
};

struct PcapngPacket {
    uint32_t interface_id = 0;
    uint64_t ts_ns = 0; // nanoseconds since the Unix epoch
    std::span<const uint8_t> data;
    // Length on the wire; 0 means data.size().
    uint32_t origlen = 0;
    std::string_view comment;      // opt_comment, empty for none
    std::optional<uint32_t> flags; // epb_flags (direction, reception type, FCS length)
};

// An Interface Statistics Block. Counters are totals since the capture
// started; absent options are omitted. See the capture-stream contract in
// ARCHITECTURE.md for what each counter means in Underhood's helper.
struct PcapngInterfaceStatistics {
    uint32_t interface_id = 0;
    uint64_t ts_ns = 0;
    std::optional<uint64_t> start_ns;     // isb_starttime
    std::optional<uint64_t> end_ns;       // isb_endtime
    std::optional<uint64_t> ifrecv;       // isb_ifrecv
    std::optional<uint64_t> ifdrop;       // isb_ifdrop
    std::optional<uint64_t> filteraccept; // isb_filteraccept
    std::optional<uint64_t> osdrop;       // isb_osdrop
    std::optional<uint64_t> usrdeliv;     // isb_usrdeliv
    std::string_view comment;
    // A second opt_comment: the helper's NIC-health record (owned, since
    // the helper keeps the latest statistics to repeat them).
    std::string health;
};

class PcapngWriter {
public:
    static constexpr size_t kDefaultBufferSize = size_t(1) << 20;

    // Writes to a file descriptor, which stays open unless `owned`. Blocking or
    // not: a descriptor that would block is waited on with poll().
    explicit PcapngWriter(int fd, bool owned = false, size_t buffer_size = kDefaultBufferSize);
    // Writes to a stdio stream (not closed by the writer); flush() flushes it too.
    explicit PcapngWriter(std::FILE* file, size_t buffer_size = kDefaultBufferSize);
    // Creates or truncates a file. Check ok() afterwards.
    static PcapngWriter create(const std::string& path, size_t buffer_size = kDefaultBufferSize);

    // Flushes what is buffered; errors at this point can only be lost, so call
    // close() (or flush()) and check it when the outcome matters.
    ~PcapngWriter();
    PcapngWriter(PcapngWriter&& other) noexcept;
    PcapngWriter& operator=(PcapngWriter&&) = delete;
    PcapngWriter(const PcapngWriter&) = delete;
    PcapngWriter& operator=(const PcapngWriter&) = delete;

    // Starts a section. Interface ids restart at 0 in each section.
    bool write_section_header(const PcapngSectionInfo& info = {});
    // Describes an interface; returns its id in the current section, or
    // nullopt on error.
    std::optional<uint32_t> write_interface(const PcapngInterfaceInfo& info);
    // An Enhanced Packet Block. Data beyond the interface's snaplen is cut.
    bool write_packet(const PcapngPacket& packet);
    bool write_packet(uint32_t interface_id, uint64_t ts_ns, std::span<const uint8_t> data, uint32_t origlen = 0,
                      std::string_view comment = {});
    bool write_statistics(const PcapngInterfaceStatistics& stats);
    // A Custom Block (type 0x00000BAD, or 0x40000BAD when `copyable` is false)
    // tagged with an IANA Private Enterprise Number. The data is padded to a
    // multiple of 4 bytes, so its own format must say where it ends.
    bool write_custom(uint32_t pen, std::span<const uint8_t> data, bool copyable = true);

    // Blocks encoded elsewhere (by the static encoders below, e.g. on another
    // thread), whole blocks only; `packets` is how many of them are EPBs.
    bool write_encoded(std::span<const uint8_t> blocks, uint64_t packets);

    // Encoders for callers that assemble blocks themselves. A packet's bytes
    // may come in two pieces (`head` then `tail`), e.g. to put back a VLAN tag.
    static size_t packet_block_size(size_t caplen) { return 8 + 20 + ((caplen + 3) & ~size_t(3)) + 4; }
    static void encode_packet_block(uint8_t* dst, uint32_t interface_id, uint64_t ts_ns,
                                    std::span<const uint8_t> head, std::span<const uint8_t> tail, uint32_t origlen);
    static size_t statistics_block_size(const PcapngInterfaceStatistics& stats);
    static void encode_statistics_block(uint8_t* dst, const PcapngInterfaceStatistics& stats);

    // Hands everything buffered to the sink (and fflush()es a stdio stream).
    bool flush();
    // Flushes, then closes an owned descriptor.
    bool close();

    // False once the sink has refused bytes (or could not be opened): from
    // then on every call returns false. A call whose arguments are refused
    // (unknown interface, oversize option) returns false and writes nothing,
    // but the stream stays usable. error() says what went wrong last.
    bool ok() const { return !failed_; }
    const std::string& error() const { return error_; }
    // Bytes the sink accepted, and bytes waiting in the buffer.
    uint64_t bytes_written() const { return written_; }
    size_t bytes_buffered() const { return fill_; }
    uint64_t packets_written() const { return packets_; }
    size_t interface_count() const { return snaplens_.size(); }

private:
    PcapngWriter() = default;
    // Reserves room for a whole block of `length` bytes and writes its type and
    // both length fields; null when the writer has failed. end_block() commits it.
    uint8_t* begin_block(uint32_t type, size_t length);
    bool end_block();
    static void put_option(uint8_t*& p, uint16_t code, const void* value, size_t length);
    static void put_option_u64(uint8_t*& p, uint16_t code, uint64_t value);
    bool refuse(std::string why);
    bool write_out(const uint8_t* data, size_t length);

    int fd_ = -1;
    bool owned_ = false;
    std::FILE* file_ = nullptr;
    std::vector<uint8_t> buf_;
    size_t fill_ = 0;
    // Blocks bigger than the buffer are assembled here.
    std::vector<uint8_t> large_;
    size_t pending_ = 0; // length of the block being assembled
    bool pending_large_ = false;
    bool in_section_ = false;
    bool failed_ = false;
    std::string error_;
    uint64_t written_ = 0;
    uint64_t packets_ = 0;
    std::vector<uint32_t> snaplens_; // per interface of the current section
};

} // namespace underhood
