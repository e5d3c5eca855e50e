#include "pcapng_writer.h"

#include "pcapng_format.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace underhood {

namespace {

using namespace pcapng;
constexpr size_t kMaxOption = 0xFFFF;

constexpr size_t pad4(size_t n) { return (n + 3) & ~size_t(3); }
constexpr size_t option_size(size_t value_len) { return 4 + pad4(value_len); }
size_t option_size(std::string_view s) { return s.empty() ? 0 : option_size(s.size()); }

void put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
void put16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }

} // namespace

PcapngWriter::PcapngWriter(int fd, bool owned, size_t buffer_size)
    : fd_(fd), owned_(owned), buf_(std::max<size_t>(buffer_size, 4096))
{
}

PcapngWriter::PcapngWriter(std::FILE* file, size_t buffer_size)
    : file_(file), buf_(std::max<size_t>(buffer_size, 4096))
{
}

PcapngWriter PcapngWriter::create(const std::string& path, size_t buffer_size)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    PcapngWriter w(fd, true, buffer_size);
    if (fd < 0) {
        w.failed_ = true;
        w.error_ = path + ": " + std::strerror(errno);
    }
    return w;
}

PcapngWriter::PcapngWriter(PcapngWriter&& o) noexcept
    : fd_(o.fd_), owned_(o.owned_), file_(o.file_), buf_(std::move(o.buf_)), fill_(o.fill_),
      large_(std::move(o.large_)), pending_(o.pending_), pending_large_(o.pending_large_),
      in_section_(o.in_section_), failed_(o.failed_), error_(std::move(o.error_)), written_(o.written_),
      packets_(o.packets_), snaplens_(std::move(o.snaplens_))
{
    o.fd_ = -1;
    o.owned_ = false;
    o.file_ = nullptr;
    o.fill_ = 0;
}

PcapngWriter::~PcapngWriter() { close(); }

bool PcapngWriter::refuse(std::string why)
{
    error_ = std::move(why);
    return false;
}

bool PcapngWriter::write_out(const uint8_t* data, size_t length)
{
    if (failed_)
        return false;
    if (file_) {
        size_t n = std::fwrite(data, 1, length, file_);
        written_ += n;
        if (n != length) {
            failed_ = true;
            error_ = std::string("write failed: ") + (std::ferror(file_) ? std::strerror(errno) : "short write") +
                     " (" + std::to_string(written_) + " bytes written in all, the last block incomplete)";
            return false;
        }
        return true;
    }
    if (fd_ < 0) {
        failed_ = true;
        error_ = "write failed: no output";
        return false;
    }
    size_t done = 0;
    while (done < length) {
        ssize_t n = ::write(fd_, data + done, length - done);
        if (n > 0) {
            done += size_t(n);
            written_ += uint64_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, -1) >= 0 || errno == EINTR)
                continue;
        }
        failed_ = true;
        error_ = std::string("write failed: ") + (n < 0 ? std::strerror(errno) : "the output accepted no bytes") +
                 " (" + std::to_string(written_) + " bytes written in all" +
                 (done ? ", the last block incomplete)" : ")");
        return false;
    }
    return true;
}

bool PcapngWriter::flush()
{
    if (failed_)
        return false;
    if (fill_) {
        bool good = write_out(buf_.data(), fill_);
        fill_ = 0;
        if (!good)
            return false;
    }
    if (file_ && std::fflush(file_) != 0) {
        failed_ = true;
        error_ = std::string("write failed: ") + std::strerror(errno);
        return false;
    }
    return true;
}

bool PcapngWriter::close()
{
    bool good = flush();
    if (owned_ && fd_ >= 0) {
        if (::close(fd_) != 0 && good) {
            failed_ = true;
            error_ = std::string("close failed: ") + std::strerror(errno);
            good = false;
        }
        fd_ = -1;
        owned_ = false;
    }
    return good;
}

uint8_t* PcapngWriter::begin_block(uint32_t type, size_t length)
{
    if (failed_)
        return nullptr;
    uint8_t* p;
    if (length > buf_.size() - fill_) {
        if (!flush())
            return nullptr;
    }
    if (length <= buf_.size()) {
        p = buf_.data() + fill_;
        pending_large_ = false;
    } else {
        large_.resize(length);
        p = large_.data();
        pending_large_ = true;
    }
    pending_ = length;
    put32(p, type);
    put32(p + 4, uint32_t(length));
    put32(p + length - 4, uint32_t(length));
    return p + 8;
}

bool PcapngWriter::end_block()
{
    if (pending_large_) {
        pending_large_ = false;
        return write_out(large_.data(), pending_);
    }
    fill_ += pending_;
    return true;
}

void PcapngWriter::put_option(uint8_t*& p, uint16_t code, const void* value, size_t length)
{
    put16(p, code);
    put16(p + 2, uint16_t(length));
    if (length)
        std::memcpy(p + 4, value, length);
    std::memset(p + 4 + length, 0, pad4(length) - length);
    p += option_size(length);
}

void PcapngWriter::put_option_u64(uint8_t*& p, uint16_t code, uint64_t value)
{
    put_option(p, code, &value, 8);
}

bool PcapngWriter::write_section_header(const PcapngSectionInfo& info)
{
    for (std::string_view s : {info.hardware, info.os, info.user_appl, info.comment})
        if (s.size() > kMaxOption)
            return refuse("section header option longer than 65535 bytes");
    size_t opts = option_size(info.comment) + option_size(info.hardware) + option_size(info.os) +
                  option_size(info.user_appl);
    if (opts)
        opts += 4;
    const size_t len = 8 + 16 + opts + 4;
    uint8_t* p = begin_block(kBlockShb, len);
    if (!p)
        return false;
    put32(p, kByteOrderMagic);
    put16(p + 4, 1); // major
    put16(p + 6, 0); // minor
    // Section length unknown (-1): the writer streams.
    std::memset(p + 8, 0xFF, 8);
    p += 16;
    if (opts) {
        if (!info.comment.empty())
            put_option(p, kOptComment, info.comment.data(), info.comment.size());
        if (!info.hardware.empty())
            put_option(p, kShbHardware, info.hardware.data(), info.hardware.size());
        if (!info.os.empty())
            put_option(p, kShbOs, info.os.data(), info.os.size());
        if (!info.user_appl.empty())
            put_option(p, kShbUserAppl, info.user_appl.data(), info.user_appl.size());
        put_option(p, kOptEnd, nullptr, 0);
    }
    in_section_ = true;
    snaplens_.clear();
    return end_block();
}

std::optional<uint32_t> PcapngWriter::write_interface(const PcapngInterfaceInfo& info)
{
    if (failed_)
        return std::nullopt;
    if (!in_section_) {
        refuse("interface described before any section header");
        return std::nullopt;
    }
    // if_filter's value starts with a byte saying which kind of filter follows.
    if (info.name.size() > kMaxOption || info.description.size() > kMaxOption ||
        info.filter.size() + 1 > kMaxOption || info.os.size() > kMaxOption || info.hardware.size() > kMaxOption ||
        info.comment.size() > kMaxOption) {
        refuse("interface option longer than 65535 bytes");
        return std::nullopt;
    }
    size_t opts = option_size(info.name) + option_size(info.description) + option_size(1) + option_size(info.os) +
                  (info.filter.empty() ? 0 : option_size(info.filter.size() + 1)) + option_size(info.hardware) +
                  (info.speed_bps ? option_size(8) : 0) + (info.mac ? option_size(6) : 0) + option_size(info.comment) + 4;
    const size_t len = 8 + 8 + opts + 4;
    uint8_t* p = begin_block(kBlockIdb, len);
    if (!p)
        return std::nullopt;
    put16(p, info.link_type);
    put16(p + 2, 0);
    put32(p + 4, info.snaplen);
    p += 8;
    if (!info.comment.empty())
        put_option(p, kOptComment, info.comment.data(), info.comment.size());
    if (!info.name.empty())
        put_option(p, kIfName, info.name.data(), info.name.size());
    if (!info.description.empty())
        put_option(p, kIfDescription, info.description.data(), info.description.size());
    const uint8_t tsresol = 9; // 10^-9 s
    put_option(p, kIfTsresol, &tsresol, 1);
    if (!info.filter.empty()) {
        // Built in place: a zero byte (libpcap filter string), then the expression.
        put16(p, kIfFilter);
        put16(p + 2, uint16_t(info.filter.size() + 1));
        p[4] = 0;
        std::memcpy(p + 5, info.filter.data(), info.filter.size());
        size_t l = info.filter.size() + 1;
        std::memset(p + 4 + l, 0, pad4(l) - l);
        p += option_size(l);
    }
    if (!info.os.empty())
        put_option(p, kIfOs, info.os.data(), info.os.size());
    if (!info.hardware.empty())
        put_option(p, kIfHardware, info.hardware.data(), info.hardware.size());
    if (info.speed_bps)
        put_option_u64(p, kIfSpeed, *info.speed_bps);
    if (info.mac)
        put_option(p, kIfMacAddr, info.mac->data(), 6);
    put_option(p, kOptEnd, nullptr, 0);
    if (!end_block())
        return std::nullopt;
    snaplens_.push_back(info.snaplen);
    return uint32_t(snaplens_.size() - 1);
}

bool PcapngWriter::write_packet(uint32_t interface_id, uint64_t ts_ns, std::span<const uint8_t> data,
                                uint32_t origlen, std::string_view comment)
{
    PcapngPacket pk;
    pk.interface_id = interface_id;
    pk.ts_ns = ts_ns;
    pk.data = data;
    pk.origlen = origlen;
    pk.comment = comment;
    return write_packet(pk);
}

bool PcapngWriter::write_packet(const PcapngPacket& pk)
{
    if (failed_)
        return false;
    if (pk.interface_id >= snaplens_.size())
        return refuse("packet for interface " + std::to_string(pk.interface_id) +
                      ", which the section does not describe");
    size_t caplen = pk.data.size();
    const uint32_t snaplen = snaplens_[pk.interface_id];
    if (snaplen && caplen > snaplen)
        caplen = snaplen;
    if (pk.data.size() > UINT32_MAX || caplen > kMaxBlock - 64)
        return refuse("packet of " + std::to_string(pk.data.size()) + " bytes is too large for a pcapng block");
    const uint32_t origlen = pk.origlen ? pk.origlen : uint32_t(pk.data.size());
    if (origlen < caplen)
        return refuse("packet's original length " + std::to_string(origlen) + " is below its captured length " +
                      std::to_string(caplen));
    if (pk.comment.size() > kMaxOption)
        return refuse("packet comment longer than 65535 bytes");
    size_t opts = option_size(pk.comment) + (pk.flags ? option_size(4) : 0);
    if (opts)
        opts += 4;
    const size_t len = 8 + 20 + pad4(caplen) + opts + 4;
    uint8_t* p = begin_block(kBlockEpb, len);
    if (!p)
        return false;
    put32(p, pk.interface_id);
    put32(p + 4, uint32_t(pk.ts_ns >> 32));
    put32(p + 8, uint32_t(pk.ts_ns));
    put32(p + 12, uint32_t(caplen));
    put32(p + 16, origlen);
    p += 20;
    if (caplen)
        std::memcpy(p, pk.data.data(), caplen);
    std::memset(p + caplen, 0, pad4(caplen) - caplen);
    p += pad4(caplen);
    if (opts) {
        if (!pk.comment.empty())
            put_option(p, kOptComment, pk.comment.data(), pk.comment.size());
        if (pk.flags) {
            uint32_t f = *pk.flags;
            put_option(p, kEpbFlags, &f, 4);
        }
        put_option(p, kOptEnd, nullptr, 0);
    }
    if (!end_block())
        return false;
    ++packets_;
    return true;
}

namespace {
size_t statistics_options_size(const PcapngInterfaceStatistics& st)
{
    size_t opts = option_size(st.comment) + option_size(st.health);
    for (const auto* v : {&st.start_ns, &st.end_ns, &st.ifrecv, &st.ifdrop, &st.filteraccept, &st.osdrop,
                          &st.usrdeliv})
        if (v->has_value())
            opts += option_size(8);
    return opts ? opts + 4 : 0;
}
} // namespace

size_t PcapngWriter::statistics_block_size(const PcapngInterfaceStatistics& st)
{
    return 8 + 12 + statistics_options_size(st) + 4;
}

void PcapngWriter::encode_statistics_block(uint8_t* p, const PcapngInterfaceStatistics& st)
{
    const size_t len = statistics_block_size(st);
    put32(p, kBlockIsb);
    put32(p + 4, uint32_t(len));
    put32(p + len - 4, uint32_t(len));
    p += 8;
    put32(p, st.interface_id);
    put32(p + 4, uint32_t(st.ts_ns >> 32));
    put32(p + 8, uint32_t(st.ts_ns));
    p += 12;
    if (!statistics_options_size(st))
        return;
    if (!st.comment.empty())
        put_option(p, kOptComment, st.comment.data(), st.comment.size());
    if (!st.health.empty())
        put_option(p, kOptComment, st.health.data(), st.health.size());
    // Timestamps are two 32-bit halves, high first, like the block's own.
    auto put_ts = [&](uint16_t code, uint64_t ts) {
        uint32_t halves[2] = {uint32_t(ts >> 32), uint32_t(ts)};
        put_option(p, code, halves, 8);
    };
    if (st.start_ns)
        put_ts(kIsbStartTime, *st.start_ns);
    if (st.end_ns)
        put_ts(kIsbEndTime, *st.end_ns);
    if (st.ifrecv)
        put_option_u64(p, kIsbIfRecv, *st.ifrecv);
    if (st.ifdrop)
        put_option_u64(p, kIsbIfDrop, *st.ifdrop);
    if (st.filteraccept)
        put_option_u64(p, kIsbFilterAccept, *st.filteraccept);
    if (st.osdrop)
        put_option_u64(p, kIsbOsDrop, *st.osdrop);
    if (st.usrdeliv)
        put_option_u64(p, kIsbUsrDeliv, *st.usrdeliv);
    put_option(p, kOptEnd, nullptr, 0);
}

bool PcapngWriter::write_statistics(const PcapngInterfaceStatistics& st)
{
    if (failed_)
        return false;
    if (st.interface_id >= snaplens_.size())
        return refuse("statistics for interface " + std::to_string(st.interface_id) +
                      ", which the section does not describe");
    if (st.comment.size() > kMaxOption || st.health.size() > kMaxOption)
        return refuse("statistics comment longer than 65535 bytes");
    uint8_t* p = begin_block(kBlockIsb, statistics_block_size(st));
    if (!p)
        return false;
    encode_statistics_block(p - 8, st);
    return end_block();
}

void PcapngWriter::encode_packet_block(uint8_t* p, uint32_t interface_id, uint64_t ts_ns,
                                       std::span<const uint8_t> head, std::span<const uint8_t> tail, uint32_t origlen)
{
    const size_t caplen = head.size() + tail.size();
    const size_t len = packet_block_size(caplen);
    put32(p, kBlockEpb);
    put32(p + 4, uint32_t(len));
    put32(p + len - 4, uint32_t(len));
    p += 8;
    put32(p, interface_id);
    put32(p + 4, uint32_t(ts_ns >> 32));
    put32(p + 8, uint32_t(ts_ns));
    put32(p + 12, uint32_t(caplen));
    put32(p + 16, std::max<uint32_t>(origlen, uint32_t(caplen)));
    p += 20;
    if (!head.empty())
        std::memcpy(p, head.data(), head.size());
    if (!tail.empty())
        std::memcpy(p + head.size(), tail.data(), tail.size());
    std::memset(p + caplen, 0, pad4(caplen) - caplen);
}

bool PcapngWriter::write_encoded(std::span<const uint8_t> blocks, uint64_t packets)
{
    if (!flush())
        return false;
    if (!blocks.empty() && !write_out(blocks.data(), blocks.size()))
        return false;
    packets_ += packets;
    return true;
}

bool PcapngWriter::write_custom(uint32_t pen, std::span<const uint8_t> data, bool copyable)
{
    if (failed_)
        return false;
    if (!in_section_)
        return refuse("custom block before any section header");
    if (data.size() > kMaxBlock - 64)
        return refuse("custom block data too large");
    const size_t len = 8 + 4 + pad4(data.size()) + 4;
    uint8_t* p = begin_block(copyable ? kBlockCustomCopy : kBlockCustomNoCopy, len);
    if (!p)
        return false;
    put32(p, pen);
    if (!data.empty())
        std::memcpy(p + 4, data.data(), data.size());
    std::memset(p + 4 + data.size(), 0, pad4(data.size()) - data.size());
    return end_block();
}

} // namespace underhood
