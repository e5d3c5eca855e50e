#include "capture_reader.h"

#include "dissect/engine.h"
#include "pcapng_format.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <cstdio>
#include <cstring>

namespace underhood {

namespace {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

constexpr uint32_t kPcapMagicUsec = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNsec = 0xa1b23c4d;
constexpr uint32_t kPcapMagicModified = 0xa1b2cd34;
using namespace pcapng;

// What Wireshark's wiretap accepts as the largest captured length for most link
// types; larger values mean a corrupt record. D-Bus messages may be far larger.
constexpr uint32_t kMaxCaplenStandard = 262144;
constexpr uint32_t kLinkTypeDbus = 231;

uint32_t max_caplen(uint32_t link_type)
{
    return link_type == kLinkTypeDbus ? CaptureReader::kMaxRecord : kMaxCaplenStandard;
}

// Walks pcapng options: code, length, value padded to 4 bytes.
template <typename F>
void for_each_option(Bytes options, const Endian& e, F&& f)
{
    size_t off = 0;
    while (off + 4 <= options.size()) {
        uint16_t code = e.u16(options.data() + off);
        uint16_t len = e.u16(options.data() + off + 2);
        if (code == kOptEnd)
            return;
        off += 4;
        if (len > options.size() - off)
            return; // the option claims more than the block holds: stop quietly
        f(code, options.subspan(off, len));
        off += (size_t(len) + 3) & ~size_t(3);
    }
}

// Growth of a counter between two readings. The kernel keeps softnet and
// many driver counters in 32 bits: a smaller value that fits them wrapped;
// otherwise the counter restarted (a driver reload) and counts from zero.
uint64_t counter_growth(uint64_t now, uint64_t then)
{
    if (now >= then)
        return now - then;
    if (then <= UINT32_MAX)
        return now + (uint64_t(1) << 32) - then;
    return now;
}

template <typename T>
bool parse_number(std::string_view s, T& out)
{
    T v{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        return false;
    out = v;
    return true;
}

} // namespace

uint64_t NicHealth::interface_drops_since_start() const
{
    uint64_t n = 0;
    for (const Counter& c : interface_counters)
        n += c.since_start;
    return n;
}

uint64_t NicHealth::driver_drops_since_start() const
{
    uint64_t n = 0;
    for (const Counter& c : driver_counters)
        n += c.since_start;
    return n;
}

uint64_t NicHealth::softnet_dropped_since_start() const
{
    uint64_t n = 0;
    for (const SoftnetCpu& c : softnet)
        n += c.dropped_since_start;
    return n;
}

uint64_t NicHealth::softnet_time_squeeze_since_start() const
{
    uint64_t n = 0;
    for (const SoftnetCpu& c : softnet)
        n += c.time_squeeze_since_start;
    return n;
}

std::shared_ptr<NicHealth> parse_nic_health(std::string_view text, const NicHealth* start)
{
    if (text.substr(0, kHealthMagic.size()) != kHealthMagic)
        return nullptr;
    // A writer pads nothing into the text, but a NUL ends it for safety.
    if (auto nul = text.find('\0'); nul != std::string_view::npos)
        text = text.substr(0, nul);
    auto h = std::make_shared<NicHealth>();
    h->text = text;
    std::map<uint32_t, NicHealth::SoftnetCpu> softnet;
    size_t pos = kHealthMagic.size();
    size_t lines = 0;
    while (pos < text.size() && lines++ < 20000) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        const size_t eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0)
            continue;
        const std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
        auto number32 = [&](std::optional<uint32_t>& out) {
            uint32_t v;
            if (parse_number(value, v))
                out = v;
        };
        auto flag = [&](std::optional<bool>& out) {
            if (value == "1" || value == "0")
                out = value == "1";
        };
        auto counter = [&](std::vector<NicHealth::Counter>& list, std::string_view name) {
            uint64_t v;
            if (name.empty() || !parse_number(value, v))
                return;
            list.push_back({std::string(name), v, v});
        };
        if (key == "time") {
            parse_number(value, h->ts_ns);
        } else if (key == "phase") {
            h->phase = value == "start" ? NicHealth::Phase::Start
                       : value == "final" ? NicHealth::Phase::Final : NicHealth::Phase::Interval;
        } else if (key == "driver") {
            h->has_driver_info = true;
            h->driver = value;
        } else if (key == "driver_version") {
            h->driver_version = value;
        } else if (key == "firmware") {
            h->firmware = value;
        } else if (key == "bus") {
            h->bus = value;
        } else if (key == "speed_mbps") {
            uint64_t v;
            if (parse_number(value, v))
                h->speed_mbps = v;
        } else if (key == "duplex") {
            h->duplex = value;
        } else if (key == "mtu") {
            number32(h->mtu);
        } else if (key == "rx_queues") {
            number32(h->rx_queues);
        } else if (key == "tx_queues") {
            number32(h->tx_queues);
        } else if (key == "offload.gro") {
            flag(h->offloads.gro);
        } else if (key == "offload.lro") {
            flag(h->offloads.lro);
        } else if (key == "offload.gso") {
            flag(h->offloads.gso);
        } else if (key == "offload.tso") {
            flag(h->offloads.tso);
        } else if (key == "offload.rx_checksum") {
            flag(h->offloads.rx_checksum);
        } else if (key == "offload.tx_checksum") {
            flag(h->offloads.tx_checksum);
        } else if (key == "offload.rx_vlan_strip") {
            flag(h->offloads.rx_vlan_strip);
        } else if (key == "ring.rx" || key == "ring.rx_max") {
            uint32_t v;
            if (parse_number(value, v)) {
                if (!h->ring)
                    h->ring = NicHealth::Ring{};
                (key == "ring.rx" ? h->ring->rx : h->ring->rx_max) = v;
            }
        } else if (key.substr(0, 4) == "rps." && key.size() > 4) {
            h->rps.emplace_back(std::string(key.substr(4)), std::string(value));
        } else if (key.substr(0, 4) == "xps." && key.size() > 4) {
            h->xps.emplace_back(std::string(key.substr(4)), std::string(value));
        } else if (key.substr(0, 3) == "if.") {
            counter(h->interface_counters, key.substr(3));
        } else if (key.substr(0, 8) == "ethtool.") {
            counter(h->driver_counters, key.substr(8));
        } else if (key.substr(0, 8) == "softnet.") {
            // softnet.CPU.dropped, softnet.CPU.time_squeeze
            const std::string_view rest = key.substr(8);
            const size_t dot = rest.find('.');
            uint32_t cpu;
            uint64_t v;
            if (dot == std::string_view::npos || !parse_number(rest.substr(0, dot), cpu) || !parse_number(value, v) ||
                (softnet.size() >= 4096 && !softnet.count(cpu)))
                continue;
            const std::string_view what = rest.substr(dot + 1);
            NicHealth::SoftnetCpu& c = softnet[cpu];
            c.cpu = cpu;
            if (what == "dropped")
                c.dropped = c.dropped_since_start = v;
            else if (what == "time_squeeze")
                c.time_squeeze = c.time_squeeze_since_start = v;
        }
    }
    for (auto& [cpu, c] : softnet)
        h->softnet.push_back(c);
    if (start && start != h.get()) {
        h->has_start = true;
        auto grow = [](std::vector<NicHealth::Counter>& now, const std::vector<NicHealth::Counter>& then) {
            for (NicHealth::Counter& c : now)
                for (const NicHealth::Counter& b : then)
                    if (b.name == c.name) {
                        c.since_start = counter_growth(c.value, b.value);
                        break;
                    }
        };
        grow(h->interface_counters, start->interface_counters);
        grow(h->driver_counters, start->driver_counters);
        for (NicHealth::SoftnetCpu& c : h->softnet)
            for (const NicHealth::SoftnetCpu& b : start->softnet)
                if (b.cpu == c.cpu) {
                    c.dropped_since_start = counter_growth(c.dropped, b.dropped);
                    c.time_squeeze_since_start = counter_growth(c.time_squeeze, b.time_squeeze);
                    break;
                }
    } else if (h->phase == NicHealth::Phase::Start) {
        // The start record is its own base.
        h->has_start = true;
        for (auto* list : {&h->interface_counters, &h->driver_counters})
            for (NicHealth::Counter& c : *list)
                c.since_start = 0;
        for (NicHealth::SoftnetCpu& c : h->softnet)
            c.dropped_since_start = c.time_squeeze_since_start = 0;
    }
    return h;
}

const char* link_type_name(uint32_t lt)
{
    // The engine's link-type table is the one list (values, DLTs, names).
    const dissect::LinkType* info = dissect::link_type_info(lt);
    return info ? info->name.data() : "UNKNOWN";
}

std::unique_ptr<CaptureReader> CaptureReader::open_path(const std::string& path, std::string& error, FileAccess access)
{
    std::string why;
    auto input = open_capture_input(path, why, access);
    if (!input) {
        error = (path == "-" ? std::string("standard input") : path) + ": " + why;
        return nullptr;
    }
    return open(std::move(input), path == "-" ? std::string("standard input") : path, error);
}

std::unique_ptr<CaptureReader> CaptureReader::open(std::unique_ptr<CaptureInput> input,
                                                   const std::string& display_name, std::string& error)
{
    std::unique_ptr<CaptureReader> r(new CaptureReader);
    r->input_ = std::move(input);
    r->name_ = display_name;
    Bytes head = r->input_->fill(24);
    if (!r->input_->error().empty()) {
        error = display_name + ": " + r->input_->error();
        return nullptr;
    }
    if (head.empty()) {
        error = display_name + ": empty file, expected a pcap or pcapng capture";
        return nullptr;
    }
    if (head.size() < 4) {
        error = display_name + ": file too short (" + std::to_string(head.size()) +
                " bytes), expected a pcap or pcapng capture";
        return nullptr;
    }
    {
        uint32_t le = load_le32(head.data());
        uint32_t be = load_be32(head.data());
        for (uint32_t m : {kPcapMagicUsec, kPcapMagicNsec, kPcapMagicModified}) {
            if (le == m || be == m) {
                if (head.size() < 24) {
                    error = display_name + ": file ends inside the pcap file header (" +
                            std::to_string(head.size()) + " of 24 bytes)";
                    return nullptr;
                }
                r->format_ = CaptureFormat::Pcap;
                r->endian_.big = (be == m);
                r->pcap_nsec_ = (m == kPcapMagicNsec);
                r->pcap_modified_ = (m == kPcapMagicModified);
                CaptureInterface itf;
                itf.snaplen = r->endian_.u32(head.data() + 16);
                // The upper bits of the link-type field carry FCS information.
                itf.link_type = r->endian_.u32(head.data() + 20) & 0x0FFFFFFF;
                itf.units_per_sec = r->pcap_nsec_ ? 1000000000ull : 1000000ull;
                r->interfaces_.push_back(itf);
                r->interface_malformed_.push_back(false);
                r->peek_next_ = r->input_->stable();
                r->input_->consume(24);
                return r;
            }
        }
        if (le == kBlockShb) {
            r->format_ = CaptureFormat::Pcapng;
            Bytes shb = r->input_->fill(12);
            if (shb.size() < 12) {
                error = display_name + ": file ends inside the first pcapng section header";
                return nullptr;
            }
            uint32_t bom = load_le32(shb.data() + 8);
            if (bom != kByteOrderMagic && load_be32(shb.data() + 8) != kByteOrderMagic) {
                error = display_name + ": not a pcapng capture (bad byte-order magic in the section header)";
                return nullptr;
            }
            return r;
        }
    }
    char what[64];
    if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        error = display_name + ": gzip-compressed data, expected a pcap or pcapng capture (decompress it first)";
        return nullptr;
    }
    std::snprintf(what, sizeof what, "starts with %02x %02x %02x %02x", head[0], head[1], head[2], head[3]);
    error = display_name + ": not a pcap or pcapng capture (" + what + ", expected a pcap magic a1b2c3d4/a1b23c4d "
            "or a pcapng section header 0a0d0d0a)";
    return nullptr;
}

void CaptureReader::warn(std::string text)
{
    if (warnings_.size() < 100)
        warnings_.push_back(std::move(text));
}

void CaptureReader::warn_truncated(uint64_t offset, const char* what, uint64_t need, uint64_t have)
{
    truncated_ = true;
    warn("truncated: the input ends inside " + std::string(what) + " at offset " + std::to_string(offset) + " (" +
         std::to_string(need) + " bytes needed, " + std::to_string(have) + " present); " + std::to_string(packets_) +
         " complete packets read");
}

CaptureReader::Status CaptureReader::next(PacketRecord& out)
{
    if (done_)
        return error_.empty() ? Status::End : Status::Error;
    Status s = format_ == CaptureFormat::Pcap ? next_pcap(out) : next_pcapng(out);
    if (s != Status::Packet && s != Status::Statistics) {
        done_ = true;
        end_section(); // the input ended, whatever the reason: so did its last section
        if (input_->shrank() && !truncated_) {
            // Cut between two records: nothing looked truncated, but the
            // file is shorter than when it was opened.
            truncated_ = true;
            warn("truncated: the file shrank to " + std::to_string(input_->position()) +
                 " bytes while it was read; " + std::to_string(packets_) + " complete packets read");
        }
        if (!input_->error().empty()) {
            error_ = name_ + ": read error: " + input_->error();
            return Status::Error;
        }
    }
    return s;
}

int64_t CaptureReader::to_ns(const CaptureInterface& itf, uint64_t ts)
{
    uint64_t units = itf.units_per_sec ? itf.units_per_sec : 1000000ull;
    // The common resolutions without 128-bit division (once per packet).
    if (itf.ts_offset_sec == 0) {
        if (units == 1000000000ull && ts <= uint64_t(INT64_MAX))
            return int64_t(ts);
        if (units == 1000000ull && ts <= uint64_t(INT64_MAX) / 1000)
            return int64_t(ts * 1000);
    }
    u128 sec = ts / units;
    u128 frac = ts % units;
    i128 ns = static_cast<i128>(sec * 1000000000u + frac * 1000000000u / units);
    ns += static_cast<i128>(itf.ts_offset_sec) * 1000000000;
    const i128 lim = INT64_MAX;
    if (ns > lim || ns < -lim) {
        // Said once: a file with one such stamp usually has many.
        if (!clamped_times_) {
            clamped_times_ = true;
            warn("time stamps out of range: some lie outside the years 1677 to 2262 that 64-bit nanoseconds "
                 "hold and were clamped to them");
        }
        return static_cast<int64_t>(std::clamp<i128>(ns, -lim, lim));
    }
    return static_cast<int64_t>(ns);
}

CaptureReader::Status CaptureReader::next_pcap(PacketRecord& out)
{
    const size_t hdr_len = pcap_modified_ ? 24 : 16;
    const uint64_t off = input_->position();
    Bytes hdr = input_->fill(hdr_len);
    if (hdr.empty())
        return Status::End;
    if (hdr.size() < hdr_len) {
        warn_truncated(off, "a packet record header", hdr_len, hdr.size());
        return Status::End;
    }
    const CaptureInterface& itf = interfaces_[0];
    uint32_t sec = endian_.u32(hdr.data());
    uint32_t frac = endian_.u32(hdr.data() + 4);
    uint32_t caplen = endian_.u32(hdr.data() + 8);
    uint32_t origlen = endian_.u32(hdr.data() + 12);
    // An all-zero record header is what the tail of a shrunk file's last page
    // reads as; an impossible length may be too. Ask the input before taking
    // either at face value (a system call, on rare records only).
    if (((caplen == 0 && origlen == 0) || caplen > max_caplen(itf.link_type)) && input_->revalidate())
        return next_pcap(out);
    if (caplen > max_caplen(itf.link_type)) {
        truncated_ = true;
        warn("malformed: packet record at offset " + std::to_string(off) + " claims " + std::to_string(caplen) +
             " captured bytes (more than " + std::to_string(max_caplen(itf.link_type)) + "); stopped after " +
             std::to_string(packets_) + " packets");
        return Status::End;
    }
    const size_t want = hdr_len + caplen;
    // A mapped input also shows the next record's header. All zeros there
    // means the file may have shrunk inside this record (past the new end it
    // reads as zeros), and so may no next header at all (this is the last
    // record, or was): ask the input before taking the record. A stream is
    // not asked for more than the record: that would wait for the next packet.
    Bytes rec = input_->fill(want + (peek_next_ ? hdr_len : 0));
    if (rec.size() < want) {
        warn_truncated(off, "a packet", want, rec.size());
        return Status::End;
    }
    if (peek_next_ &&
        (rec.size() < want + hdr_len || (load_le64(rec.data() + want) == 0 && load_le64(rec.data() + want + 8) == 0)) &&
        input_->revalidate())
        return next_pcap(out);
    out.number = ++packets_;
    out.file_offset = off;
    out.interface_id = 0;
    out.link_type = itf.link_type;
    out.ts_ns = int64_t(sec) * 1000000000 + int64_t(frac) * (pcap_nsec_ ? 1 : 1000);
    out.has_timestamp = true;
    out.caplen = caplen;
    out.origlen = origlen;
    out.data = rec.subspan(hdr_len, caplen);
    out.comment = {};
    input_->consume(want);
    return Status::Packet;
}

bool CaptureReader::read_section_header(Bytes block, uint64_t offset)
{
    // block includes the 8-byte block header and the trailing length.
    if (block.size() < 28) {
        warn("malformed: section header at offset " + std::to_string(offset) + " is too short");
        return false;
    }
    endian_.big = load_be32(block.data() + 8) == kByteOrderMagic;
    uint16_t major = endian_.u16(block.data() + 12);
    if (major != 1) {
        warn("unsupported: pcapng section at offset " + std::to_string(offset) + " has major version " +
             std::to_string(major) + "; stopped");
        return false;
    }
    end_section();
    if (in_section_)
        ++section_;
    in_section_ = true;
    section_first_interface_ = uint32_t(interfaces_.size());
    section_from_helper_ = false;
    final_statistics_.clear();
    for_each_option(block.subspan(24, block.size() - 28), endian_, [&](uint16_t code, Bytes v) {
        const std::string_view text(reinterpret_cast<const char*>(v.data()), v.size());
        if (code == kOptComment)
            section_comments_.emplace_back(text);
        else if (code == kShbUserAppl)
            section_from_helper_ = text.substr(0, kHelperApplication.size()) == kHelperApplication;
    });
    return true;
}

void CaptureReader::end_section()
{
    if (!in_section_ || !section_from_helper_ || final_missing_warned_)
        return;
    const size_t declared = interfaces_.size() - section_first_interface_;
    bool all = true;
    for (size_t i = 0; i < declared; ++i)
        all = all && i < final_statistics_.size() && final_statistics_[i];
    if (!all) {
        // Said once per reader (a rotated stream would repeat it), and past
        // the cap on warnings: it is the one that says the counts are wrong.
        final_missing_warned_ = true;
        warnings_.emplace_back(kFinalStatisticsMissing);
    }
    section_from_helper_ = false; // checked: a second call is a no-op
}

void CaptureReader::read_interface(Bytes body, uint64_t offset)
{
    // A short IDB still takes an interface id, so later ids keep the writer's
    // numbering; its packets are skipped since their link type is unknown.
    const bool malformed = body.size() < 8;
    if (malformed)
        warn("malformed: interface description at offset " + std::to_string(offset) +
             " is too short; packets on it will be skipped");
    CaptureInterface itf;
    itf.section = section_;
    itf.local_id = uint32_t(interfaces_.size()) - section_first_interface_;
    itf.units_per_sec = 1000000;
    if (body.size() >= 8) {
        itf.link_type = endian_.u16(body.data());
        itf.snaplen = endian_.u32(body.data() + 4);
        for_each_option(body.subspan(8), endian_, [&](uint16_t code, Bytes v) {
            switch (code) {
            case kIfName:
                itf.name.assign(reinterpret_cast<const char*>(v.data()), v.size());
                break;
            case kIfDescription:
                itf.description.assign(reinterpret_cast<const char*>(v.data()), v.size());
                break;
            case kIfTsresol:
                if (v.size() >= 1) {
                    uint8_t r = v[0];
                    if (r & 0x80 ? (r & 0x7f) < 64 : r <= 19) {
                        uint64_t u = 1;
                        for (int i = 0; i < (r & 0x7f); ++i)
                            u *= (r & 0x80) ? 2 : 10;
                        itf.units_per_sec = u;
                    } else {
                        // Finer than 2^-63 or 10^-19 s does not fit 64 bits.
                        warn("unsupported: interface at offset " + std::to_string(offset) + " has if_tsresol " +
                             std::to_string(r) + "; its time stamps are read as microseconds");
                    }
                }
                break;
            case kIfTsoffset:
                if (v.size() >= 8)
                    itf.ts_offset_sec = static_cast<int64_t>(endian_.u64(v.data()));
                break;
            case kIfHardware:
                itf.hardware.assign(reinterpret_cast<const char*>(v.data()), v.size());
                break;
            case kIfOs:
                itf.os.assign(reinterpret_cast<const char*>(v.data()), v.size());
                break;
            case kIfSpeed:
                if (v.size() >= 8)
                    itf.speed_bps = endian_.u64(v.data());
                break;
            case kIfMacAddr:
                if (v.size() >= 6) {
                    std::array<uint8_t, 6> mac;
                    std::memcpy(mac.data(), v.data(), 6);
                    itf.mac = mac;
                }
                break;
            case kOptComment:
                if (!itf.health) {
                    const std::string_view text(reinterpret_cast<const char*>(v.data()), v.size());
                    if (auto h = parse_nic_health(text, nullptr); h && h->phase == NicHealth::Phase::Start)
                        itf.health = std::move(h);
                }
                break;
            default:
                break;
            }
        });
    }
    interfaces_.push_back(std::move(itf));
    interface_malformed_.push_back(malformed);
}

void CaptureReader::read_statistics(Bytes body, uint64_t offset)
{
    if (body.size() < 12) {
        warn("malformed: interface statistics at offset " + std::to_string(offset) + " are too short; skipped");
        return;
    }
    uint32_t local = endian_.u32(body.data());
    uint32_t global = section_first_interface_ + local;
    if (global >= interfaces_.size()) {
        warn("malformed: interface statistics at offset " + std::to_string(offset) + " name interface " +
             std::to_string(local) + " which the section does not describe; skipped");
        return;
    }
    InterfaceStatistics st;
    st.interface_id = global;
    const CaptureInterface& itf = interfaces_[global];
    auto ts_of = [&](const uint8_t* p) {
        return to_ns(itf, uint64_t(endian_.u32(p)) << 32 | endian_.u32(p + 4));
    };
    st.ts_ns = ts_of(body.data() + 4);
    for_each_option(body.subspan(12), endian_, [&](uint16_t code, Bytes v) {
        const std::string_view text(reinterpret_cast<const char*>(v.data()), v.size());
        if (code == kOptComment && text == kFinalStatisticsComment) {
            if (final_statistics_.size() <= local)
                final_statistics_.resize(size_t(local) + 1, false);
            final_statistics_[local] = true;
            return;
        }
        if (code == kOptComment) {
            if (!st.health)
                st.health = parse_nic_health(text, itf.health.get());
            return;
        }
        if (v.size() < 8)
            return;
        switch (code) {
        case kIsbStartTime: st.start_ns = ts_of(v.data()); break;
        case kIsbEndTime: st.end_ns = ts_of(v.data()); break;
        case kIsbIfRecv: st.ifrecv = endian_.u64(v.data()); break;
        case kIsbIfDrop: st.ifdrop = endian_.u64(v.data()); break;
        case kIsbFilterAccept: st.filteraccept = endian_.u64(v.data()); break;
        case kIsbOsDrop: st.osdrop = endian_.u64(v.data()); break;
        case kIsbUsrDeliv: st.usrdeliv = endian_.u64(v.data()); break;
        default: break;
        }
    });
    statistics_.push_back(st);
}

std::string_view CaptureReader::find_comment(Bytes options) const
{
    std::string_view c;
    for_each_option(options, endian_, [&](uint16_t code, Bytes v) {
        if (code == 1 && c.empty())
            c = std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
    });
    return c;
}

CaptureReader::Status CaptureReader::next_pcapng(PacketRecord& out)
{
    for (;;) {
        const uint64_t off = input_->position();
        Bytes hdr = input_->fill(12);
        if (hdr.empty())
            return Status::End;
        if (hdr.size() < 8) {
            warn_truncated(off, "a block header", 8, hdr.size());
            return Status::End;
        }
        uint32_t type = load_le32(hdr.data()); // the SHB type reads the same in both orders
        Endian e = endian_;
        if (type == kBlockShb) {
            if (hdr.size() < 12) {
                warn_truncated(off, "a section header", 12, hdr.size());
                return Status::End;
            }
            e.big = load_be32(hdr.data() + 8) == kByteOrderMagic;
            if (!e.big && load_le32(hdr.data() + 8) != kByteOrderMagic) {
                if (input_->revalidate())
                    continue; // the file shrank: read again up to its new end
                truncated_ = true;
                warn("malformed: section header at offset " + std::to_string(off) + " has a bad byte-order magic; stopped");
                return Status::End;
            }
        } else {
            type = e.u32(hdr.data());
        }
        uint32_t len = e.u32(hdr.data() + 4);
        if (len < 12 || len % 4 != 0 || len > kMaxRecord) {
            // Zeros past the end of a file that shrank read as length 0.
            if (input_->revalidate())
                continue;
            truncated_ = true;
            warn("malformed: block at offset " + std::to_string(off) + " has an impossible length " + std::to_string(len) +
                 "; stopped after " + std::to_string(packets_) + " packets");
            return Status::End;
        }
        Bytes block = input_->fill(len);
        if (block.size() < len) {
            warn_truncated(off, "a block", len, block.size());
            return Status::End;
        }
        if (e.u32(block.data() + len - 4) != len) {
            if (input_->revalidate())
                continue;
            truncated_ = true;
            warn("malformed: block at offset " + std::to_string(off) + " has mismatched leading and trailing lengths; "
                 "stopped after " + std::to_string(packets_) + " packets");
            return Status::End;
        }
        Bytes body = block.subspan(8, len - 12);
        input_->consume(len);

        switch (type) {
        case kBlockShb:
            if (!read_section_header(block, off)) {
                truncated_ = true;
                return Status::End;
            }
            continue;
        case kBlockIdb:
            read_interface(body, off);
            continue;
        case kBlockIsb:
            read_statistics(body, off);
            if (report_statistics_)
                return Status::Statistics;
            continue;
        case kBlockEpb:
        case kBlockOpb:
        case kBlockSpb:
            break;
        default:
            continue; // unknown and uninteresting blocks (NRB, DSB, custom) are skipped
        }

        uint32_t local = 0, caplen = 0, origlen = 0;
        uint64_t ts = 0;
        size_t data_off = 0;
        if (type == kBlockSpb) {
            if (body.size() < 4) {
                warn("malformed: simple packet block at offset " + std::to_string(off) + " is too short; skipped");
                continue;
            }
            origlen = e.u32(body.data());
            data_off = 4;
            caplen = uint32_t(std::min<uint64_t>(origlen, body.size() - 4));
            // An SPB holds min(original length, snaplen) bytes; the snaplen
            // is applied below, once the interface is known.
        } else {
            if (body.size() < 20) {
                warn("malformed: packet block at offset " + std::to_string(off) + " is too short; skipped");
                continue;
            }
            if (type == kBlockEpb) {
                local = e.u32(body.data());
            } else {
                local = e.u16(body.data()); // OPB: 16-bit interface id, then a drops count
            }
            ts = uint64_t(e.u32(body.data() + 4)) << 32 | e.u32(body.data() + 8);
            caplen = e.u32(body.data() + 12);
            origlen = e.u32(body.data() + 16);
            data_off = 20;
            if (caplen > body.size() - 20) {
                warn("malformed: packet block at offset " + std::to_string(off) + " claims " + std::to_string(caplen) +
                     " captured bytes but holds " + std::to_string(body.size() - 20) + "; skipped");
                continue;
            }
        }
        uint32_t global = section_first_interface_ + local;
        if (global >= interfaces_.size()) {
            if (unknown_interface_warnings_++ < 5)
                warn("malformed: packet block at offset " + std::to_string(off) + " names interface " +
                     std::to_string(local) + " which the section does not describe; skipped");
            continue;
        }
        if (interface_malformed_[global]) {
            if (unknown_interface_warnings_++ < 5)
                warn("malformed: packet block at offset " + std::to_string(off) + " is on interface " +
                     std::to_string(local) + " whose description was unreadable; skipped");
            continue;
        }
        const CaptureInterface& itf = interfaces_[global];
        if (type == kBlockSpb) {
            const uint32_t want = itf.snaplen ? std::min(origlen, itf.snaplen) : origlen;
            if (caplen < want)
                warn("malformed: simple packet block at offset " + std::to_string(off) + " holds " +
                     std::to_string(caplen) + " of the " + std::to_string(want) + " bytes its lengths call for; kept");
            caplen = std::min(caplen, want);
        }
        if (caplen > max_caplen(itf.link_type)) {
            warn("malformed: packet block at offset " + std::to_string(off) + " claims " + std::to_string(caplen) +
                 " captured bytes; skipped");
            continue;
        }
        out.number = ++packets_;
        out.file_offset = off;
        out.interface_id = global;
        out.link_type = itf.link_type;
        out.has_timestamp = type != kBlockSpb;
        out.ts_ns = out.has_timestamp ? to_ns(itf, ts) : 0;
        out.caplen = caplen;
        out.origlen = origlen;
        out.data = body.subspan(data_off, caplen);
        size_t opt_off = data_off + ((size_t(caplen) + 3) & ~size_t(3));
        out.comment = opt_off < body.size() ? find_comment(body.subspan(opt_off)) : std::string_view{};
        return Status::Packet;
    }
}

} // namespace underhood
