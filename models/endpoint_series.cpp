#include "endpoint_series.h"

#include "packet_decoder.h"
#include "time_math.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace underhood {

namespace {

std::string trim(const std::string& s)
{
    const size_t a = s.find_first_not_of(" \t");
    if (a == std::string::npos)
        return {};
    return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

bool parse_mac(const std::string& t, MacAddress& m)
{
    unsigned v[6];
    char tail;
    if (t.size() != 17 || std::sscanf(t.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                                      &tail) != 6)
        return false;
    for (int i = 0; i < 6; ++i)
        m.bytes[size_t(i)] = uint8_t(v[i]);
    return true;
}

bool parse_port(const std::string& t, uint16_t& port)
{
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos)
        return false;
    const unsigned long v = std::stoul(t);
    if (v > 65535)
        return false;
    port = uint16_t(v);
    return true;
}

// One endpoint and the layer its form implies.
bool parse_endpoint(const std::string& t, Endpoint& e, Layer& layer)
{
    MacAddress mac;
    IpAddress ip;
    uint16_t port = 0;
    if (parse_mac(t, mac)) {
        e = Endpoint::mac(mac);
        layer = Layer::Ether;
        return true;
    }
    if (IpAddress::parse(t, ip)) {
        e = Endpoint::ip(ip);
        layer = Layer::Ip;
        return true;
    }
    if (!t.empty() && t.front() == '[') { // [v6]:port
        const size_t close = t.find("]:");
        if (close != std::string::npos && IpAddress::parse(t.substr(1, close - 1), ip) &&
            parse_port(t.substr(close + 2), port)) {
            e = Endpoint::ip_port(ip, port);
            layer = Layer::Port;
            return true;
        }
        return false;
    }
    const size_t colon = t.rfind(':');
    if (colon != std::string::npos && t.find(':') == colon && IpAddress::parse(t.substr(0, colon), ip) &&
        parse_port(t.substr(colon + 1), port)) {
        e = Endpoint::ip_port(ip, port);
        layer = Layer::Port;
        return true;
    }
    return false;
}

} // namespace

std::optional<EndpointFilter> EndpointFilter::parse(const std::string& text)
{
    std::string s = text;
    for (const char* sep : {"<->", "<>", ","}) {
        size_t at;
        while ((at = s.find(sep)) != std::string::npos)
            s.replace(at, std::char_traits<char>::length(sep), " ");
    }
    std::istringstream in(s);
    std::vector<std::string> parts;
    for (std::string w; in >> w;)
        parts.push_back(trim(w));
    if (parts.empty() || parts.size() > 2)
        return std::nullopt;
    EndpointFilter f;
    if (!parse_endpoint(parts[0], f.a, f.layer))
        return std::nullopt;
    if (parts.size() == 2) {
        Endpoint b;
        Layer lb;
        if (!parse_endpoint(parts[1], b, lb) || lb != f.layer)
            return std::nullopt;
        f.b = b;
    }
    return f;
}

bool EndpointFilter::matches(const DecodedPacket& dp) const
{
    Endpoint src, dst;
    if (!TrafficModel::endpoints(layer, dp, src, dst))
        return false;
    if (!b)
        return src == a || dst == a;
    return (src == a && dst == *b) || (src == *b && dst == a);
}

std::string EndpointFilter::to_string() const
{
    return b ? a.to_string() + " <-> " + b->to_string() : a.to_string();
}

EndpointSeriesResult endpoint_series(const IngestEngine& engine, const EndpointFilter& f, int64_t from_ns,
                                     int64_t to_ns, int64_t width_ns, const std::atomic<bool>* cancel)
{
    EndpointSeriesResult r;
    if (width_ns <= 0 || to_ns <= from_ns)
        return r;
    // 128-bit: the range may span the whole int64 line. A range needing more
    // than kMaxEndpointBins bins is cut short at its end.
    const TimeWide want = ceil_div(TimeWide(to_ns) - from_ns, width_ns);
    r.bins.resize(size_t(std::min<TimeWide>(want, TimeWide(kMaxEndpointBins))));
    const TimeWide end = TimeWide(from_ns) + TimeWide(r.bins.size()) * width_ns;
    if (end < to_ns)
        to_ns = int64_t(end);
    struct Item {
        uint64_t number;
        PacketIndexEntry e;
    };
    // Walk the index in slices so the lock is never held for long and the
    // copy stays small however many packets the range holds.
    constexpr size_t kSlice = 65536;
    std::vector<Item> items;
    uint64_t next = 0; // packet number to continue from (0: the first listed)
    DecodedPacket dp;
    for (;;) {
        if (cancel && *cancel) {
            r.cancelled = true;
            return r;
        }
        items.clear();
        bool more = engine.with_state([&](const IngestEngine::State& st) {
            uint64_t i = next > st.first_number ? next - st.first_number : 0;
            size_t scanned = 0;
            for (; i < st.index.size() && scanned < 4 * kSlice && items.size() < kSlice; ++i, ++scanned) {
                const PacketIndexEntry& e = st.index[size_t(i)];
                if ((e.flags & PacketIndexEntry::Timed) && e.ts_ns >= from_ns && e.ts_ns < to_ns)
                    items.push_back({st.first_number + i, e});
            }
            next = st.first_number + i;
            return i < st.index.size();
        });
        for (const Item& it : items) {
            if (cancel && *cancel) {
                r.cancelled = true;
                return r;
            }
            if (!engine.decode(it.number, it.e, dp)) {
                ++r.packets_missing;
                continue;
            }
            ++r.packets_scanned;
            if (!f.matches(dp))
                continue;
            ThroughputBin& b = r.bins[size_t((TimeWide(it.e.ts_ns) - from_ns) / width_ns)];
            ++b.packets;
            b.bytes += it.e.origlen;
        }
        if (!more)
            break;
    }
    return r;
}

} // namespace underhood
