#include "stats_report.h"

#include "oui_table.h"
#include "time_math.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>
#include <string_view>
#include <cinttypes>
#include <cstdio>
#include <iomanip>

namespace underhood {

namespace {

using nlohmann::ordered_json;

double seconds(int64_t ns) { return double(ns / 1000000000) + double(ns % 1000000000) / 1e9; }

struct HostRow {
    std::string address;
    const HostStats* stats;
    std::vector<std::string> names;
    std::string vendor;
};

struct ConversationRow {
    std::string a, b;
    const ConversationStats* stats;
    bool swapped; // the text order is the reverse of the key order
};

std::vector<HostRow> host_rows(const StatsInput& in)
{
    const auto& names = in.model->names();
    std::vector<HostRow> rows;
    rows.reserve(in.model->layer(in.layer).hosts.size());
    for (const auto& [ep, st] : in.model->layer(in.layer).hosts) {
        HostRow r{ep.to_string(), &st, {}, {}};
        if (ep.kind == Endpoint::Kind::Mac) {
            r.names = names.names_for(ep.mac_address());
            r.vendor = OuiTable::system().vendor(ep.mac_address());
        } else {
            r.names = names.names_for(ep.ip_address());
            if (auto mac = names.mac_for(ep.ip_address()))
                r.vendor = OuiTable::system().vendor(*mac);
        }
        rows.push_back(std::move(r));
    }
    std::sort(rows.begin(), rows.end(), [](const HostRow& x, const HostRow& y) {
        if (x.stats->bytes != y.stats->bytes)
            return x.stats->bytes > y.stats->bytes;
        return x.address < y.address;
    });
    return rows;
}

std::vector<ConversationRow> conversation_rows(const StatsInput& in)
{
    std::vector<ConversationRow> rows;
    rows.reserve(in.model->layer(in.layer).conversations.size());
    for (const auto& [key, st] : in.model->layer(in.layer).conversations) {
        std::string a = key.a.to_string(), b = key.b.to_string();
        bool swapped = b < a;
        if (swapped)
            std::swap(a, b);
        rows.push_back({std::move(a), std::move(b), &st, swapped});
    }
    std::sort(rows.begin(), rows.end(), [](const ConversationRow& x, const ConversationRow& y) {
        if (x.stats->bytes != y.stats->bytes)
            return x.stats->bytes > y.stats->bytes;
        if (x.a != y.a)
            return x.a < y.a;
        return x.b < y.b;
    });
    return rows;
}

std::vector<std::string> link_type_names(const StatsInput& in)
{
    std::vector<std::string> out;
    for (const auto& itf : in.interfaces ? *in.interfaces : in.reader->interfaces()) {
        std::string n = link_type_name(itf.link_type);
        if (n == "UNKNOWN")
            n = "LINKTYPE_" + std::to_string(itf.link_type);
        if (std::find(out.begin(), out.end(), n) == out.end())
            out.push_back(n);
    }
    return out;
}

std::string human_bytes(uint64_t b)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = double(b);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%" PRIu64 " B", b);
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

// A text table with right-aligned numeric columns.
class TextTable {
public:
    explicit TextTable(std::vector<std::string> header, std::vector<bool> numeric)
        : numeric_(std::move(numeric))
    {
        rows_.push_back(std::move(header));
    }
    void row(std::vector<std::string> r) { rows_.push_back(std::move(r)); }
    void print(std::ostream& out) const
    {
        std::vector<size_t> w(rows_[0].size(), 0);
        for (const auto& r : rows_)
            for (size_t i = 0; i < r.size() && i < w.size(); ++i)
                w[i] = std::max(w[i], r[i].size());
        for (const auto& r : rows_) {
            out << "  ";
            for (size_t i = 0; i < r.size(); ++i) {
                bool last = i + 1 == r.size();
                if (numeric_[i])
                    out << std::setw(int(w[i])) << std::right << r[i];
                else if (last)
                    out << r[i];
                else
                    out << std::setw(int(w[i])) << std::left << r[i];
                if (!last)
                    out << "  ";
            }
            out << '\n';
        }
    }

private:
    std::vector<bool> numeric_;
    std::vector<std::vector<std::string>> rows_;
};

std::string join(const std::vector<std::string>& v, const char* sep)
{
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i)
            s += sep;
        s += v[i];
    }
    return s;
}

} // namespace

namespace {

// Writes JSON as it goes, laid out exactly as nlohmann::json's dump(2): a
// capture with a hundred thousand conversations no longer builds a document
// tree (hundreds of bytes per value) before printing it.
class JsonStream {
public:
    explicit JsonStream(std::ostream& out) : out_(out) { buf_.reserve(kFlushAt + 4096); }
    ~JsonStream() { flush(); }

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    void key(std::string_view k)
    {
        element();
        string(k);
        buf_ += ": ";
        after_key_ = true;
    }
    void value(std::string_view s)
    {
        element();
        string(s);
    }
    void value(const char* s) { value(std::string_view(s)); }
    void value(uint64_t v)
    {
        element();
        char tmp[24];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        buf_.append(tmp, size_t(r.ptr - tmp));
    }
    void value(double v)
    {
        element();
        if (!std::isfinite(v)) {
            buf_ += "null";
            return;
        }
        // The shortest round-trip form through the same routine
        // nlohmann::json's dump() uses, so the output does not change.
        char tmp[64];
        char* end = nlohmann::detail::to_chars(tmp, tmp + sizeof tmp, v);
        buf_.append(tmp, size_t(end - tmp));
    }
    void null()
    {
        element();
        buf_ += "null";
    }
    void value(bool b)
    {
        element();
        buf_ += b ? "true" : "false";
    }
    void value(const std::vector<std::string>& v)
    {
        begin_array();
        for (const std::string& s : v)
            value(std::string_view(s));
        end_array();
    }
    template <typename T>
    void member(std::string_view k, const T& v)
    {
        key(k);
        value(v);
    }
    void flush()
    {
        out_.write(buf_.data(), std::streamsize(buf_.size()));
        buf_.clear();
    }

private:
    static constexpr size_t kFlushAt = size_t(1) << 16;

    // Separator and indentation before a value or key.
    void element()
    {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back())
                buf_ += ',';
            first_.back() = false;
            buf_ += '\n';
            buf_.append(first_.size() * 2, ' ');
        }
        if (buf_.size() >= kFlushAt)
            flush();
    }
    void open(char c)
    {
        element();
        buf_ += c;
        first_.push_back(true);
    }
    void close(char c)
    {
        bool empty = first_.back();
        first_.pop_back();
        if (!empty) {
            buf_ += '\n';
            buf_.append(first_.size() * 2, ' ');
        }
        buf_ += c;
    }
    void string(std::string_view s)
    {
        bool plain = true;
        for (unsigned char c : s)
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                plain = false;
                break;
            }
        if (plain) {
            buf_ += '"';
            buf_ += s;
            buf_ += '"';
            return;
        }
        // Escapes, and invalid UTF-8 replaced by U+FFFD: names come from the
        // traffic and may hold any bytes.
        buf_ += ordered_json(std::string(s)).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    }

    std::ostream& out_;
    std::string buf_;
    std::vector<bool> first_; // per open container: nothing written in it yet
    bool after_key_ = false;
};

} // namespace

void write_stats_json(std::ostream& out, const StatsInput& in)
{
    const CaptureTotals& t = in.model->totals();
    JsonStream j(out);
    j.begin_object();
    j.member("file", in.file);
    j.member("format", in.reader->format() == CaptureFormat::Pcap ? "pcap" : "pcapng");
    j.member("link_types", link_type_names(in));
    j.member("layer", layer_name(in.layer));
    if (!in.display_filter.empty())
        j.member("display_filter", in.display_filter);
    j.member("packets", t.packets);
    j.member("bytes", t.bytes);
    j.key("first_time");
    t.any ? j.value(seconds(t.first_ns)) : j.null();
    j.key("last_time");
    t.any ? j.value(seconds(t.last_ns)) : j.null();
    j.member("truncated_packets", t.truncated);
    j.member("malformed_packets", t.malformed);

    // Both tables are sorted with their text keys; build them side by side.
    std::vector<HostRow> hosts;
    std::thread host_thread([&] { hosts = host_rows(in); });
    std::vector<ConversationRow> conversations = conversation_rows(in);
    host_thread.join();

    j.key("hosts");
    j.begin_array();
    for (const HostRow& r : hosts) {
        const HostStats& s = *r.stats;
        j.begin_object();
        j.member("address", r.address);
        j.member("packets", s.packets);
        j.member("bytes", s.bytes);
        j.member("tx_packets", s.tx_packets);
        j.member("tx_bytes", s.tx_bytes);
        j.member("rx_packets", s.rx_packets);
        j.member("rx_bytes", s.rx_bytes);
        j.key("first_time");
        s.timed ? j.value(seconds(s.first_ns)) : j.null();
        j.key("last_time");
        s.timed ? j.value(seconds(s.last_ns)) : j.null();
        j.member("names", r.names);
        j.member("vendor", r.vendor);
        j.end_object();
    }
    j.end_array();

    j.key("conversations");
    j.begin_array();
    std::vector<std::pair<Proto, uint64_t>> counts;
    for (const ConversationRow& r : conversations) {
        const ConversationStats& s = *r.stats;
        j.begin_object();
        j.member("a", r.a);
        j.member("b", r.b);
        j.member("packets", s.packets);
        j.member("bytes", s.bytes);
        j.member("a_to_b_packets", r.swapped ? s.b_to_a_packets : s.a_to_b_packets);
        j.member("a_to_b_bytes", r.swapped ? s.b_to_a_bytes : s.a_to_b_bytes);
        j.member("b_to_a_packets", r.swapped ? s.a_to_b_packets : s.b_to_a_packets);
        j.member("b_to_a_bytes", r.swapped ? s.a_to_b_bytes : s.b_to_a_bytes);
        j.key("first_time");
        s.timed ? j.value(seconds(s.first_ns)) : j.null();
        j.key("last_time");
        s.timed ? j.value(seconds(s.last_ns)) : j.null();
        counts = s.protocols.counts;
        std::sort(counts.begin(), counts.end(),
                  [](const auto& x, const auto& y) { return proto_name(x.first) < proto_name(y.first); });
        j.key("protocols");
        j.begin_object();
        for (const auto& [p, n] : counts)
            j.member(proto_name(p), n);
        j.end_object();
        j.end_object();
    }
    j.end_array();

    j.key("protocols");
    j.begin_array();
    for (const auto& [path, st] : in.model->protocol_hierarchy()) {
        j.begin_object();
        j.member("path", path);
        j.member("packets", st.packets);
        j.member("bytes", st.bytes);
        j.end_object();
    }
    j.end_array();
    if (!in.sensors.empty()) {
        std::optional<int64_t> earliest;
        for (const SensorReport& r : in.sensors)
            if (r.first_ns && (!earliest || *r.first_ns < *earliest))
                earliest = r.first_ns;
        j.key("sensors");
        j.begin_array();
        for (const SensorReport& r : in.sensors) {
            j.begin_object();
            j.member("name", r.name);
            j.member("source", r.source);
            j.member("packets", r.packets);
            j.member("bytes", r.bytes);
            for (auto [k, v] : {std::pair{"received", &r.received}, {"dropped_kernel", &r.dropped_kernel},
                                {"dropped_interface", &r.dropped_interface}, {"dropped_helper", &r.dropped_helper}}) {
                j.key(k);
                *v ? j.value(**v) : j.null();
            }
            j.member("counts_exact", r.exact);
            j.member("final_statistics", r.final);
            j.key("first_time");
            r.first_ns ? j.value(seconds(*r.first_ns)) : j.null();
            j.key("first_packet_offset");
            r.first_ns ? j.value(seconds_between(*earliest, *r.first_ns)) : j.null();
            j.key("error");
            r.error.empty() ? j.null() : j.value(r.error);
            j.end_object();
        }
        j.end_array();
    }
    j.member("warnings", in.warnings);
    j.end_object();
    j.flush();
    out << '\n';
}

void write_stats_text(std::ostream& out, const StatsInput& in, size_t top_n)
{
    const CaptureTotals& t = in.model->totals();
    out << "File:        " << in.file << '\n';
    out << "Format:      " << (in.reader->format() == CaptureFormat::Pcap ? "pcap" : "pcapng") << "  ("
        << join(link_type_names(in), ", ") << ")\n";
    if (!in.display_filter.empty())
        out << "Filter:      " << in.display_filter << "  (the counts below are of the packets it passed)\n";
    out << "Packets:     " << t.packets << '\n';
    out << "Bytes:       " << t.bytes << " (" << human_bytes(t.bytes) << ")\n";
    if (t.any) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f s", seconds_between(t.first_ns, t.last_ns));
        out << "Duration:    " << buf << '\n';
    }
    if (t.truncated || t.malformed)
        out << "Decoding:    " << t.truncated << " truncated, " << t.malformed << " malformed packets\n";

    auto hosts = host_rows(in);
    out << "\nTop hosts (" << layer_name(in.layer) << " layer, " << hosts.size() << " in all)\n";
    TextTable ht({"Address", "Packets", "Bytes", "Sent", "Received", "Name / vendor"},
                 {false, true, true, true, true, false});
    for (size_t i = 0; i < hosts.size() && i < top_n; ++i) {
        const HostRow& r = hosts[i];
        std::string label = join(r.names, ", ");
        if (!r.vendor.empty())
            label += (label.empty() ? "" : "  ") + ("[" + r.vendor + "]");
        ht.row({r.address, std::to_string(r.stats->packets), human_bytes(r.stats->bytes),
                human_bytes(r.stats->tx_bytes), human_bytes(r.stats->rx_bytes), label});
    }
    ht.print(out);

    auto convs = conversation_rows(in);
    out << "\nTop conversations (" << convs.size() << " in all)\n";
    TextTable ct({"A", "B", "Packets", "Bytes", "A->B", "B->A", "Protocols"}, {false, false, true, true, true, true, false});
    for (size_t i = 0; i < convs.size() && i < top_n; ++i) {
        const ConversationRow& r = convs[i];
        const ConversationStats& s = *r.stats;
        std::vector<std::string> protos;
        for (const auto& [p, n] : s.protocols.counts)
            protos.emplace_back(proto_name(p));
        std::sort(protos.begin(), protos.end());
        ct.row({r.a, r.b, std::to_string(s.packets), human_bytes(s.bytes),
                human_bytes(r.swapped ? s.b_to_a_bytes : s.a_to_b_bytes),
                human_bytes(r.swapped ? s.a_to_b_bytes : s.b_to_a_bytes), join(protos, ",")});
    }
    ct.print(out);

    out << "\nProtocol hierarchy\n";
    TextTable pt({"Protocol", "Packets", "Bytes", "% packets"}, {false, true, true, true});
    for (const auto& [path, st] : in.model->protocol_hierarchy()) {
        size_t level = size_t(std::count(path.begin(), path.end(), ':'));
        std::string leaf = path.substr(path.rfind(':') == std::string::npos ? 0 : path.rfind(':') + 1);
        char pct[16];
        std::snprintf(pct, sizeof pct, "%.1f", t.packets ? 100.0 * double(st.packets) / double(t.packets) : 0.0);
        pt.row({std::string(level * 2, ' ') + leaf, std::to_string(st.packets), human_bytes(st.bytes), pct});
    }
    pt.print(out);
    if (!in.sensors.empty()) {
        out << "\nSensors\n";
        TextTable st({"Sensor", "Packets", "Bytes", "Received", "Kernel drops", "Interface drops", "Helper drops",
                      "State"},
                     {false, true, true, true, true, true, true, false});
        auto num = [](const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : std::string("-"); };
        for (const SensorReport& r : in.sensors)
            st.row({r.name, std::to_string(r.packets), human_bytes(r.bytes), num(r.received), num(r.dropped_kernel),
                    num(r.dropped_interface), num(r.dropped_helper),
                    !r.error.empty() ? "failed: " + r.error
                                     : std::string(r.exact ? "" : "tcpdump counts (less exact)")});
        st.print(out);
    }
    for (const std::string& w : in.warnings)
        out << "\nwarning: " << w;
    if (!in.warnings.empty())
        out << '\n';
}

} // namespace underhood
