#include "traffic_model.h"

#include <climits>

#include <algorithm>
#include <map>

namespace underhood {

const char* layer_name(Layer l)
{
    switch (l) {
    case Layer::Ether: return "ether";
    case Layer::Ip: return "ip";
    case Layer::Port: return "port";
    }
    return "ip";
}

bool parse_layer(const std::string& s, Layer& out)
{
    if (s == "ip")
        out = Layer::Ip;
    else if (s == "ether")
        out = Layer::Ether;
    else if (s == "port")
        out = Layer::Port;
    else
        return false;
    return true;
}

std::string ProtocolPath::to_string() const
{
    std::string s;
    for (int i = 0; i < depth; ++i) {
        if (i)
            s += ':';
        s += proto_name(path[size_t(i)]);
    }
    return s;
}

TrafficModel::TrafficModel(TrafficModelOptions opts)
    : opts_(opts), throughput_(opts.throughput_bin_ns, opts.throughput_max_bins)
{
}

bool TrafficModel::endpoints(Layer l, const DecodedPacket& dp, Endpoint& src, Endpoint& dst)
{
    switch (l) {
    case Layer::Ether:
        if (!dp.has(DecodedPacket::HasMac))
            return false;
        src = Endpoint::mac(dp.mac_src);
        dst = Endpoint::mac(dp.mac_dst);
        return true;
    case Layer::Ip:
        if (!dp.has(DecodedPacket::HasIp))
            return false;
        src = Endpoint::ip(dp.ip_src);
        dst = Endpoint::ip(dp.ip_dst);
        return true;
    case Layer::Port:
        if (!dp.has(DecodedPacket::HasPorts))
            return false;
        src = Endpoint::ip_port(dp.port_ip_src, dp.port_src);
        dst = Endpoint::ip_port(dp.port_ip_dst, dp.port_dst);
        return true;
    }
    return false;
}

namespace {

// First/last seen, from timed packets only (pcapng SPBs carry no time).
template <typename Stats>
void touch(Stats& s, int64_t ts, bool timed)
{
    if (!timed)
        return;
    if (!s.timed || ts < s.first_ns)
        s.first_ns = ts;
    if (!s.timed || ts > s.last_ns)
        s.last_ns = ts;
    s.timed = true;
}
} // namespace

void TrafficModel::add(const PacketRecord& rec, const DecodedPacket& dp)
{
    const uint64_t bytes = rec.origlen;
    const int64_t ts = rec.ts_ns;
    const bool timed = rec.has_timestamp;
    CaptureTotals& t = totals_;
    if (timed) {
        if (!t.any || ts < t.first_ns)
            t.first_ns = ts;
        if (!t.any || ts > t.last_ns)
            t.last_ns = ts;
        t.any = true;
    }
    ++t.packets;
    t.bytes += bytes;
    t.captured_bytes += rec.caplen;
    if (dp.has(DecodedPacket::Truncated))
        ++t.truncated;
    if (dp.has(DecodedPacket::Malformed))
        ++t.malformed;
    if (rec.link_type != last_link_type_) {
        link_types_[rec.link_type];
        last_link_type_ = rec.link_type;
    }

    ProtocolPath pp;
    std::copy_n(dp.path.begin(), dp.depth, pp.path.begin());
    pp.depth = dp.depth;
    ProtocolStats& ps = paths_[pp];
    ++ps.packets;
    ps.bytes += bytes;

    const Proto top = dp.top();
    if (opts_.throughput && timed)
        throughput_.add(ts, bytes, top);
    if (opts_.names && dp.app != Proto::None) {
        names_.set_time(timed ? ts : INT64_MIN);
        names_.observe(rec.data, dp);
    }

    for (int li = 0; li < kLayerCount; ++li) {
        if (!opts_.layers[size_t(li)])
            continue;
        Endpoint src, dst;
        if (!endpoints(Layer(li), dp, src, dst))
            continue;
        LayerTables& lt = layers_[size_t(li)];
        const bool same = EndpointEq{}(src, dst);
        // Entries of the flat tables move when they grow: finish with one
        // before looking up the next.
        {
            HostStats& hs = lt.hosts[src];
            touch(hs, ts, timed);
            ++hs.packets;
            hs.bytes += bytes;
            ++hs.tx_packets;
            hs.tx_bytes += bytes;
            if (same) {
                ++hs.rx_packets;
                hs.rx_bytes += bytes;
            }
        }
        if (!same) {
            HostStats& hd = lt.hosts[dst];
            touch(hd, ts, timed);
            ++hd.packets;
            hd.bytes += bytes;
            ++hd.rx_packets;
            hd.rx_bytes += bytes;
        }
        bool forward;
        const ConversationKey key = ConversationKey::of(src, dst, forward);
        ConversationStats& cs = lt.conversations[key];
        touch(cs, ts, timed);
        ++cs.packets;
        cs.bytes += bytes;
        if (forward) {
            ++cs.a_to_b_packets;
            cs.a_to_b_bytes += bytes;
        } else {
            ++cs.b_to_a_packets;
            cs.b_to_a_bytes += bytes;
        }
        cs.protocols.add(top);
    }
}

namespace {
template <typename Stats>
void merge_times(Stats& into, const Stats& from)
{
    if (!from.timed)
        return;
    touch(into, from.first_ns, true);
    touch(into, from.last_ns, true);
}
} // namespace

void TrafficModel::merge_layer(Layer l, const LayerTables& other)
{
    LayerTables& lt = layers_[size_t(l)];
    for (const auto& [ep, from] : other.hosts) {
        HostStats& h = lt.hosts[ep];
        merge_times(h, from);
        h.packets += from.packets;
        h.bytes += from.bytes;
        h.tx_packets += from.tx_packets;
        h.tx_bytes += from.tx_bytes;
        h.rx_packets += from.rx_packets;
        h.rx_bytes += from.rx_bytes;
    }
    for (const auto& [key, from] : other.conversations) {
        ConversationStats& c = lt.conversations[key];
        merge_times(c, from);
        c.packets += from.packets;
        c.bytes += from.bytes;
        c.a_to_b_packets += from.a_to_b_packets;
        c.a_to_b_bytes += from.a_to_b_bytes;
        c.b_to_a_packets += from.b_to_a_packets;
        c.b_to_a_bytes += from.b_to_a_bytes;
        for (const auto& [p, n] : from.protocols.counts)
            c.protocols.add(p, n);
    }
}

void TrafficModel::age_out(int64_t cutoff_ns)
{
    for (LayerTables& lt : layers_) {
        lt.hosts.erase_if([&](const auto& kv) { return kv.second.last_ns < cutoff_ns; });
        lt.conversations.erase_if([&](const auto& kv) { return kv.second.last_ns < cutoff_ns; });
    }
}

int TrafficModel::vlan_depth() const
{
    int deepest = 0;
    for (const auto& [path, st] : paths_) {
        int tags = 0;
        for (int i = 0; i < path.depth && (path.path[size_t(i)] == Proto::Eth || path.path[size_t(i)] == Proto::Vlan); ++i)
            tags += path.path[size_t(i)] == Proto::Vlan;
        deepest = std::max(deepest, tags);
    }
    return deepest;
}

std::vector<std::pair<std::string, ProtocolStats>> TrafficModel::protocol_hierarchy() const
{
    std::map<std::vector<Proto>, ProtocolStats> nodes;
    for (const auto& [path, st] : paths_) {
        std::vector<Proto> prefix;
        for (int i = 0; i < path.depth; ++i) {
            prefix.push_back(path.path[size_t(i)]);
            ProtocolStats& n = nodes[prefix];
            n.packets += st.packets;
            n.bytes += st.bytes;
        }
    }
    std::vector<std::pair<std::string, ProtocolStats>> out;
    out.reserve(nodes.size());
    for (const auto& [prefix, st] : nodes) {
        std::string s;
        for (size_t i = 0; i < prefix.size(); ++i) {
            if (i)
                s += ':';
            s += proto_name(prefix[i]);
        }
        out.emplace_back(std::move(s), st);
    }
    return out;
}

} // namespace underhood
