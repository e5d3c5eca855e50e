#include "traffic_window.h"

#include <algorithm>

namespace underhood {

Proto graph_protocol(const DecodedPacket& dp)
{
    if (dp.app != Proto::None && dp.app != Proto::Data)
        return dp.app;
    if (dp.has(DecodedPacket::HasPorts)) {
        const bool tcp = dp.transport == Proto::Tcp;
        const uint16_t lo = std::min(dp.port_src, dp.port_dst), hi = std::max(dp.port_src, dp.port_dst);
        Proto p = proto_for_port(lo, tcp);
        if (p == Proto::None)
            p = proto_for_port(hi, tcp);
        return p != Proto::None ? p : dp.transport;
    }
    return dp.top();
}

void make_graph_packet(const DecodedPacket& dp, int64_t ts_ns, uint32_t origlen, GraphPacket& out)
{
    out.ts_ns = ts_ns;
    out.bytes = origlen;
    out.proto = graph_protocol(dp);
    out.layers = 0;
    for (int li = 0; li < kLayerCount; ++li)
        if (TrafficModel::endpoints(Layer(li), dp, out.src[size_t(li)], out.dst[size_t(li)]))
            out.layers |= uint8_t(1u << li);
    out.has_mac = dp.has(DecodedPacket::HasMac);
    if (out.has_mac)
        out.mac_src = dp.mac_src;
}

void ProtocolMix::add(Proto p, int64_t n)
{
    for (size_t i = 0; i < counts.size(); ++i)
        if (counts[i].first == p) {
            counts[i].second += uint64_t(n);
            if (counts[i].second == 0)
                counts.erase(counts.begin() + long(i));
            return;
        }
    if (n > 0)
        counts.emplace_back(p, uint64_t(n));
}

void SensorMix::add(uint16_t sensor, int64_t n)
{
    for (size_t i = 0; i < counts.size(); ++i)
        if (counts[i].first == sensor) {
            counts[i].second += uint64_t(n);
            if (counts[i].second == 0)
                counts.erase(counts.begin() + long(i));
            return;
        }
    if (n > 0)
        counts.emplace_back(sensor, uint64_t(n));
}

uint64_t ProtocolMix::total() const
{
    uint64_t t = 0;
    for (const auto& c : counts)
        t += c.second;
    return t;
}

Proto ProtocolMix::dominant() const
{
    Proto best = Proto::None;
    uint64_t n = 0;
    for (const auto& c : counts)
        if (c.second > n || (c.second == n && c.first < best)) {
            best = c.first;
            n = c.second;
        }
    return best;
}

void TrafficWindow::host(Tables& t, const Endpoint& e, const GraphPacket& p, int sign, uint8_t spans, bool tx,
                         bool rx, bool record_mac)
{
    WindowHost* h;
    if (sign > 0) {
        h = &t.hosts[e];
        h->last_ns = std::max(h->last_ns, p.ts_ns);
    } else {
        auto it = t.hosts.find(e);
        if (it == t.hosts.end())
            return;
        h = &it->second;
    }
    if (spans & Main) {
        h->total.add(sign, p.bytes);
        if (tx)
            h->tx.add(sign, p.bytes);
        if (rx)
            h->rx.add(sign, p.bytes);
        h->protocols.add(p.proto, sign);
        h->sensors.add(p.sensor, sign);
        if (record_mac && tx && p.has_mac) {
            auto m = std::find_if(h->macs.begin(), h->macs.end(), [&](const auto& x) { return x.first == p.mac_src; });
            if (m == h->macs.end()) {
                if (sign > 0)
                    h->macs.emplace_back(p.mac_src, 1);
            } else if ((m->second += uint64_t(int64_t(sign))) == 0) {
                h->macs.erase(m);
            }
        }
    }
    if (spans & Rate)
        h->rate.add(sign, p.bytes);
    if (spans & Recent)
        h->recent += uint64_t(int64_t(sign));
    if (sign < 0 && h->total.packets == 0)
        t.hosts.erase(e);
}

void TrafficWindow::apply(const GraphPacket& p, int sign, uint8_t spans)
{
    if (spans & Main) {
        packets_ += uint64_t(int64_t(sign));
        bytes_ += uint64_t(int64_t(sign) * int64_t(p.bytes));
    }
    for (int li = 0; li < kLayerCount; ++li) {
        if (!p.has(Layer(li)))
            continue;
        Tables& t = layers_[size_t(li)];
        const Endpoint& s = p.src[size_t(li)];
        const Endpoint& d = p.dst[size_t(li)];
        const bool same = EndpointEq{}(s, d);
        host(t, s, p, sign, spans, true, same, li == int(Layer::Ip));
        if (!same)
            host(t, d, p, sign, spans, false, true, false);

        bool forward;
        const ConversationKey key = ConversationKey::of(s, d, forward);
        WindowLink* l;
        if (sign > 0) {
            l = &t.links[key];
            l->last_ns = std::max(l->last_ns, p.ts_ns);
        } else {
            auto it = t.links.find(key);
            if (it == t.links.end())
                continue;
            l = &it->second;
        }
        if (spans & Main) {
            l->total.add(sign, p.bytes);
            (forward ? l->a_to_b : l->b_to_a).add(sign, p.bytes);
            l->protocols.add(p.proto, sign);
            l->sensors.add(p.sensor, sign);
        }
        if (spans & Rate)
            (forward ? l->rate_a_to_b : l->rate_b_to_a).add(sign, p.bytes);
        if (spans & Recent)
            l->recent += uint64_t(int64_t(sign));
        if (sign < 0 && l->total.packets == 0)
            t.links.erase(key);
    }
}

void TrafficWindow::drop_idle(int64_t cutoff_ns)
{
    for (Tables& t : layers_) {
        t.hosts.erase_if([&](const auto& kv) { return kv.second.last_ns < cutoff_ns; });
        t.links.erase_if([&](const auto& kv) { return kv.second.last_ns < cutoff_ns; });
    }
}

void TrafficWindow::clear()
{
    for (Tables& t : layers_) {
        t.hosts.clear();
        t.links.clear();
    }
    packets_ = bytes_ = 0;
}

} // namespace underhood
