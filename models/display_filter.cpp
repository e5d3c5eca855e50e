#include "display_filter.h"

#include "capture_reader.h"
#include "dissect/engine.h"
#include "dissect/tcp_analysis.h"
#include "ingest_engine.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <optional>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace underhood {

FieldFilter field_bpf(std::string_view label, int depth, bool bits, uint32_t offset, uint32_t length, Bytes packet)
{
    auto after = [&](std::string_view prefix) -> std::optional<std::string> {
        if (label.substr(0, prefix.size()) != prefix)
            return std::nullopt;
        return std::string(label.substr(prefix.size()));
    };
    if (depth == 0) {
        // A layer: the protocol's BPF name.
        static constexpr std::pair<std::string_view, std::string_view> kLayers[] = {
            {"Internet Protocol Version 4", "ip"},  {"Internet Protocol Version 6", "ip6"},
            {"Transmission Control Protocol", "tcp"}, {"User Datagram Protocol", "udp"},
            {"Address Resolution Protocol", "arp"}, {"Internet Control Message Protocol v6", "icmp6"},
            {"Internet Control Message Protocol", "icmp"}, {"802.1Q Virtual LAN", "vlan"},
            {"Stream Control Transmission Protocol", "sctp"}};
        for (auto [prefix, name] : kLayers)
            if (label.substr(0, prefix.size()) == prefix)
                return {std::string(name), false};
        return {};
    }
    if (bits)
        return {};
    auto is_ip = [](const std::string& s) {
        IpAddress a;
        return IpAddress::parse(s, a);
    };
    auto is_mac = [](std::string_view s) {
        if (s.size() != 17)
            return false;
        for (size_t i = 0; i < 17; ++i)
            if (i % 3 == 2 ? s[i] != ':' : !std::isxdigit(static_cast<unsigned char>(s[i])))
                return false;
        return true;
    };
    for (auto [prefix, bpf] : {std::pair{"Source Address: ", "src host "}, std::pair{"Destination Address: ", "dst host "}})
        if (auto v = after(prefix); v && is_ip(*v))
            return {bpf + *v, true};
    for (auto [prefix, bpf] : {std::pair{"Source Port: ", "src port "}, std::pair{"Destination Port: ", "dst port "}})
        if (auto v = after(prefix); v && !v->empty() && v->find_first_not_of("0123456789") == std::string::npos)
            return {bpf + *v, true};
    if (length == 6)
        for (auto [prefix, bpf] : {std::pair{"Source: ", "ether src "}, std::pair{"Destination: ", "ether dst "}})
            if (auto v = after(prefix); v && v->size() >= 17 && is_mac(std::string_view(*v).substr(0, 17)))
                return {bpf + v->substr(0, 17), false};
    if (length == 0 || length > 16 || size_t(offset) + length > packet.size())
        return {};
    // The bytes where they sit, in 4-, 2- and 1-byte comparisons.
    std::string expr;
    char buf[64];
    for (uint32_t at = offset, left = length; left > 0;) {
        const uint32_t n = left >= 4 ? 4 : left >= 2 ? 2 : 1;
        uint32_t v = 0;
        for (uint32_t i = 0; i < n; ++i)
            v = v << 8 | packet[at + i];
        std::snprintf(buf, sizeof buf, "%slink[%u:%u] = 0x%0*x", expr.empty() ? "" : " and ", at, n, int(2 * n), v);
        expr += buf;
        at += n;
        left -= n;
    }
    return {expr, false};
}

std::string endpoint_dfilter(const Endpoint& e)
{
    switch (e.kind) {
    case Endpoint::Kind::Mac: return "eth.addr == " + e.to_string();
    case Endpoint::Kind::Ip:
        return std::string(e.family == 6 ? "ipv6.addr == " : "ip.addr == ") + e.ip_address().to_string();
    case Endpoint::Kind::IpPort:
        return std::string(e.family == 6 ? "ipv6.addr == " : "ip.addr == ") + e.ip_address().to_string() +
               " && (tcp.port == " + std::to_string(e.port) + " || udp.port == " + std::to_string(e.port) + ")";
    case Endpoint::Kind::None: break;
    }
    return {};
}

std::string endpoint_bpf(const Endpoint& e)
{
    switch (e.kind) {
    case Endpoint::Kind::Mac: return "ether host " + e.to_string();
    case Endpoint::Kind::Ip: return "host " + e.ip_address().to_string();
    case Endpoint::Kind::IpPort:
        return "(host " + e.ip_address().to_string() + " and port " + std::to_string(e.port) + ")";
    case Endpoint::Kind::None: break;
    }
    return {};
}

std::string through_vlan_tags(const std::string& expr, int vlan_depth)
{
    if (expr.empty() || vlan_depth <= 0)
        return expr;
    // A primitive ("host A") or one parenthesised group stands as it is.
    auto one_group = [&] {
        if (expr.front() != '(' || expr.back() != ')')
            return false;
        int open = 0;
        for (size_t i = 0; i < expr.size(); ++i) {
            open += expr[i] == '(' ? 1 : expr[i] == ')' ? -1 : 0;
            if (open == 0 && i + 1 < expr.size())
                return false;
        }
        return true;
    };
    const bool primitive = expr.find(" and ") == std::string::npos && expr.find(" or ") == std::string::npos &&
                           expr.find("not ") == std::string::npos;
    const std::string x = primitive || one_group() ? expr : "(" + expr + ")";
    std::string tagged = x;
    for (int i = 1; i < vlan_depth; ++i)
        tagged = x + " or (vlan and " + tagged + ")";
    return x + " or (vlan and " + (vlan_depth > 1 ? "(" + tagged + ")" : tagged) + ")";
}

namespace {
// Large enough for any link type; the value only scales the filter's return
// value (how much of the packet to keep), never whether it matches.
constexpr int kSnaplen = 262144;
constexpr size_t kScanChunk = 1024;

bool blank(const std::string& s)
{
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}
} // namespace

struct DisplayFilter::Program {
    uint32_t link_type = 0;
    bool swapped = false; // for packets whose loopback header is in the other byte order
    bpf_program code{};
    ~Program() { pcap_freecode(&code); }
};

DisplayFilter::DisplayFilter() = default;
DisplayFilter::~DisplayFilter() = default;
DisplayFilter::DisplayFilter(DisplayFilter&&) noexcept = default;
DisplayFilter& DisplayFilter::operator=(DisplayFilter&&) noexcept = default;

namespace {

uint32_t swap32(uint32_t v) { return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24); }

// BSD loopback and OpenBSD enc headers start with an address family in the
// byte order of the capturing host.
bool host_order_header(uint32_t link_type) { return link_type == 0 || link_type == 109; }

// A libpcap handle as tcpdump -r has one: opened on a savefile (here the
// header of an empty pcap file) of the given link type, in host byte order or
// swapped. Not pcap_open_dead(): libpcap generates different code for
// savefiles than for live handles (a loopback "ip6" tests the AF_INET6 values
// of every BSD, not this host's), and it maps the file's LINKTYPE to its DLT.
pcap_t* savefile_handle(uint32_t link_type, bool swapped)
{
    uint8_t header[24];
    size_t at = 0;
    auto put = [&](uint32_t v, size_t width) {
        if (swapped)
            v = width == 4 ? swap32(v) : uint32_t(uint16_t(v << 8 | v >> 8));
        if (width == 4) {
            std::memcpy(header + at, &v, 4);
        } else {
            const uint16_t v16 = uint16_t(v);
            std::memcpy(header + at, &v16, 2);
        }
        at += width;
    };
    put(0xa1b2c3d4, 4); // magic, microseconds
    put(2, 2);          // version 2.4
    put(4, 2);
    put(0, 4); // thiszone
    put(0, 4); // sigfigs
    put(uint32_t(kSnaplen), 4);
    put(link_type, 4);
    FILE* f = fmemopen(nullptr, sizeof header, "w+b"); // the stream owns its buffer
    if (!f)
        return nullptr;
    if (std::fwrite(header, sizeof header, 1, f) != 1 || std::fseek(f, 0, SEEK_SET) != 0) {
        std::fclose(f);
        return nullptr;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_fopen_offline(f, errbuf); // owns f only when it succeeds
    if (!p)
        std::fclose(f);
    return p;
}

} // namespace

int DisplayFilter::dlt_for_link_type(uint32_t link_type)
{
    pcap_t* p = savefile_handle(link_type, false);
    if (!p)
        return int(link_type);
    const int dlt = pcap_datalink(p);
    pcap_close(p);
    return dlt;
}

namespace {

// Whether an expression neither language took was meant as Wireshark's:
// it uses an operator or a dotted field name BPF has no use for.
bool looks_like_wireshark(const std::string& expr)
{
    for (const char* mark : {"==", "!=", "&&", "||", "~", "contains", "matches", " in ", "{"})
        if (expr.find(mark) != std::string::npos)
            return true;
    for (size_t i = 1; i + 1 < expr.size(); ++i)
        if (expr[i] == '.' && std::isalpha(static_cast<unsigned char>(expr[i - 1])) &&
            std::isalpha(static_cast<unsigned char>(expr[i + 1])))
            return true;
    return false;
}

} // namespace

bool DisplayFilter::compile(const std::string& expr, const std::vector<uint32_t>& link_types, std::string& error,
                            Language only)
{
    programs_.clear();
    warning_.clear();
    expression_.clear();
    language_ = Language::None;
    error_pos_ = std::string::npos;
    if (blank(expr))
        return true;
    std::string ws_error;
    size_t ws_pos = 0;
    if (only != Language::Bpf && wireshark_.compile(expr, ws_error, ws_pos)) {
        language_ = Language::Wireshark;
        expression_ = expr;
        return true;
    }
    if (only != Language::Wireshark && compile_bpf(expr, link_types, error)) {
        language_ = Language::Bpf;
        return true;
    }
    if (only == Language::Wireshark || (only == Language::None && looks_like_wireshark(expr))) {
        error = ws_error;
        error_pos_ = ws_pos;
    }
    return false;
}

bool DisplayFilter::compile_bpf(const std::string& expr, const std::vector<uint32_t>& link_types, std::string& error)
{
    std::vector<uint32_t> types = link_types;
    if (types.empty())
        types.push_back(1); // nothing seen yet: check the syntax as for Ethernet
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());

    std::string first_error;
    for (uint32_t lt : types) {
        for (bool swapped : {false, true}) {
            if (swapped && !host_order_header(lt))
                break;
            pcap_t* p = savefile_handle(lt, swapped);
            if (!p)
                p = pcap_open_dead(dlt_for_link_type(lt), kSnaplen);
            if (!p) {
                if (first_error.empty())
                    first_error = "cannot prepare a filter for link type " + std::to_string(lt);
                break;
            }
            auto prog = std::make_unique<Program>();
            prog->link_type = lt;
            prog->swapped = swapped;
            const bool ok = pcap_compile(p, &prog->code, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
            if (!ok) {
                std::string why = pcap_geterr(p);
                if (first_error.empty())
                    first_error = why;
                if (!warning_.empty())
                    warning_ += "; ";
                warning_ += std::string("not applicable to ") + link_type_name(lt) + ": " + why;
                prog->code = {}; // nothing to free
            } else {
                programs_.push_back(std::move(prog));
            }
            pcap_close(p);
            if (!ok)
                break;
        }
    }
    if (programs_.empty()) {
        warning_.clear();
        error = first_error;
        return false;
    }
    expression_ = expr;
    return true;
}

bool DisplayFilter::matches_tree(const dissect::FieldTree& tree, Bytes data) const
{
    return language_ != Language::Wireshark || wireshark_.matches(tree, data);
}

bool DisplayFilter::matches(uint32_t link_type, Bytes data, uint32_t origlen, int64_t ts_ns, uint64_t number,
                            dissect::Streams* streams, dissect::TcpAnalysis* tcp,
                            const dissect::FrameInterface* interface) const
{
    if (expression_.empty())
        return true;
    if (language_ == Language::Wireshark) {
        DecodedPacket summary;
        dissect::FieldTree tree;
        dissect::Packet p(data, origlen, summary);
        p.tree = &tree;
        p.streams = streams;
        p.tcp_analysis = tcp;
        p.frame_number = number;
        p.ts_ns = ts_ns;
        p.interface = interface;
        dissect::dissect(link_type, p);
        return wireshark_.matches(tree, data);
    }
    bool swapped = false;
    if (host_order_header(link_type) && data.size() >= 4) {
        // tcpdump compiles for the file's byte order; a packet's own header
        // tells the same (address families are small numbers).
        uint32_t af;
        std::memcpy(&af, data.data(), 4);
        swapped = af > 0xffff && swap32(af) <= 0xffff;
    }
    for (const auto& prog : programs_) {
        if (prog->link_type != link_type || prog->swapped != swapped)
            continue;
        pcap_pkthdr h{};
        int64_t sec = ts_ns / 1000000000, rem = ts_ns % 1000000000;
        if (rem < 0) {
            --sec;
            rem += 1000000000;
        }
        h.ts.tv_sec = time_t(sec);
        h.ts.tv_usec = suseconds_t(rem / 1000);
        h.caplen = uint32_t(data.size());
        h.len = origlen;
        return pcap_offline_filter(&prog->code, &h, data.data()) != 0;
    }
    return false;
}

FilterScanResult filter_packets(const IngestEngine& engine, const DisplayFilter& filter, const FilterScanOptions& opts)
{
    FilterScanResult r;
    uint64_t begin = 0, end = 0;
    engine.with_state([&](const IngestEngine::State& s) {
        begin = std::max(opts.first_number, s.first_number);
        end = s.first_number + s.index.size();
        // Packets the listing no longer holds cannot be looked at.
        if (opts.first_number && opts.first_number < s.first_number)
            r.unavailable = s.first_number - opts.first_number;
    });
    const uint64_t total = end > begin ? end - begin : 0;
    std::vector<PacketIndexEntry> chunk;
    std::vector<uint32_t> link_types;
    // pcapng's interfaces for frame.interface_id and _name (classic pcap has none).
    std::vector<std::pair<std::string, std::string>> interface_names;
    std::vector<dissect::FrameInterface> interfaces;
    uint64_t next = begin;
    dissect::Streams own_streams;
    dissect::Streams* streams = opts.streams ? opts.streams : &own_streams;
    std::unique_ptr<dissect::TcpAnalysis> own_tcp;
    dissect::TcpAnalysis* tcp = opts.tcp_analysis;
    if (!tcp && filter.language() == DisplayFilter::Language::Wireshark)
        tcp = (own_tcp = std::make_unique<dissect::TcpAnalysis>()).get();
    while (next < end) {
        if (opts.cancel && opts.cancel->load(std::memory_order_relaxed)) {
            r.cancelled = true;
            break;
        }
        chunk.clear();
        uint64_t chunk_first = next;
        engine.with_state([&](const IngestEngine::State& s) {
            if (next < s.first_number) { // dropped meanwhile (live capture)
                r.unavailable += s.first_number - next;
                next = s.first_number;
            }
            chunk_first = next;
            uint64_t from = next - s.first_number;
            uint64_t n = std::min<uint64_t>({kScanChunk, end - next, s.index.size() - std::min<uint64_t>(from, s.index.size())});
            chunk.assign(s.index.begin() + long(from), s.index.begin() + long(from + n));
            link_types.clear();
            for (const CaptureInterface& itf : s.interfaces)
                link_types.push_back(itf.link_type);
            if (s.format != CaptureFormat::Pcap && interface_names.size() != s.interfaces.size()) {
                interface_names.clear();
                for (const CaptureInterface& itf : s.interfaces)
                    interface_names.emplace_back(itf.name, itf.description);
                interfaces.clear();
                for (size_t k = 0; k < interface_names.size(); ++k)
                    interfaces.push_back({uint32_t(k), interface_names[k].first, interface_names[k].second});
            }
        });
        if (chunk.empty())
            break;
        for (size_t i = 0; i < chunk.size(); ++i) {
            const PacketIndexEntry& e = chunk[i];
            const uint64_t number = chunk_first + i;
            std::vector<uint8_t> bytes = engine.packet_bytes(number);
            if (bytes.size() != e.caplen) {
                ++r.unavailable;
                continue;
            }
            const uint32_t lt = e.interface_id < link_types.size() ? link_types[e.interface_id] : 0;
            const dissect::FrameInterface* itf = e.interface_id < interfaces.size() ? &interfaces[e.interface_id] : nullptr;
            if (filter.matches(lt, Bytes(bytes.data(), bytes.size()), e.origlen, e.ts_ns, number, streams, tcp, itf))
                r.matches.push_back(number);
        }
        next = chunk_first + chunk.size();
        r.scanned += chunk.size();
        if (opts.progress)
            opts.progress(std::min(next - begin, total), total);
        if (opts.cancel && opts.cancel->load(std::memory_order_relaxed) && next < end) {
            r.cancelled = true;
            break;
        }
    }
    r.next_number = next;
    return r;
}

} // namespace underhood
