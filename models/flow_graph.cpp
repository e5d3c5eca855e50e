#include "flow_graph.h"

#include "packet_decoder.h"
#include "packet_summary.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace underhood {

namespace {

constexpr std::string_view kArrow = "\u2192"; // "→", as the Info column writes it

// The length of "51000 → 443 " at the start of an Info column, 0 when it does not start so.
size_t ports_prefix(const std::string& info)
{
    size_t i = 0;
    while (i < info.size() && std::isdigit(static_cast<unsigned char>(info[i])))
        ++i;
    if (i == 0 || info.compare(i, 1 + kArrow.size() + 1, " " + std::string(kArrow) + " ") != 0)
        return 0;
    size_t j = i + 2 + kArrow.size();
    const size_t digits = j;
    while (j < info.size() && std::isdigit(static_cast<unsigned char>(info[j])))
        ++j;
    if (j == digits)
        return 0;
    return j < info.size() && info[j] == ' ' ? j + 1 : j;
}

} // namespace

std::string flow_ports(const std::string& info)
{
    const size_t n = ports_prefix(info);
    return n ? info.substr(0, info[n - 1] == ' ' ? n - 1 : n) : std::string();
}

std::string flow_label(const std::string& protocol, const std::string& info)
{
    const size_t skip = ports_prefix(info);
    std::string rest = info.substr(skip);
    if (protocol == "TCP" && !rest.empty() && rest[0] == '[') {
        // "[SYN, ACK] Seq=0 Ack=1 Win=64240 Len=0": the flags, and the length when data rides along.
        const size_t close = rest.find(']');
        std::string flags = close == std::string::npos ? rest : rest.substr(1, close - 1);
        const size_t len = rest.find(" Len=");
        if (len != std::string::npos) {
            const std::string n = rest.substr(len + 5, rest.find(' ', len + 5) - (len + 5));
            if (!n.empty() && n != "0")
                flags += " Len=" + n;
        }
        return flags;
    }
    return rest.empty() ? protocol : rest;
}

FlowGraph build_flow_graph(const IngestEngine& engine, const FlowGraphOptions& opts)
{
    FlowGraph g;
    std::map<std::string, int> index;
    auto node = [&](const std::string& address) {
        auto [it, added] = index.try_emplace(address, int(g.nodes.size()));
        if (added)
            g.nodes.push_back({address, {}});
        return it->second;
    };
    // The packets to draw: numbers and their index entries, copied under the lock in one go.
    std::vector<std::pair<uint64_t, PacketIndexEntry>> packets;
    engine.with_state([&](const IngestEngine::State& st) {
        auto add = [&](uint64_t n) {
            if (n >= st.first_number && n - st.first_number < st.index.size())
                packets.emplace_back(n, st.index[size_t(n - st.first_number)]);
            else
                ++g.skipped;
        };
        if (opts.numbers)
            for (uint64_t n : *opts.numbers)
                add(n);
        else
            for (size_t i = 0; i < st.index.size(); ++i)
                packets.emplace_back(st.first_number + i, st.index[i]);
    });
    const auto wanted = [&](const std::string& a) {
        return opts.hosts.empty() || std::find(opts.hosts.begin(), opts.hosts.end(), a) != opts.hosts.end();
    };
    for (const auto& [number, e] : packets) {
        if (opts.cancel && opts.cancel->load(std::memory_order_relaxed))
            break;
        const std::vector<uint8_t> bytes = engine.packet_bytes(number);
        if (bytes.size() != e.caplen) {
            ++g.skipped;
            continue;
        }
        const PacketSummary s =
            summarize_packet(engine.link_type_of(e.interface_id), Bytes(bytes.data(), bytes.size()), e.origlen);
        if (s.source.empty() || s.destination.empty()) {
            ++g.skipped;
            continue;
        }
        if (opts.both_ends ? !(wanted(s.source) && wanted(s.destination)) : !(wanted(s.source) || wanted(s.destination)))
            continue;
        if (g.arrows.size() >= opts.max_arrows) {
            g.truncated = true;
            break;
        }
        FlowArrow a;
        a.number = number;
        a.ts_ns = e.ts_ns;
        a.from = node(s.source);
        a.to = node(s.destination);
        a.label = flow_label(s.protocol, s.info);
        // The ports of the first TCP or UDP header, whatever the Info column starts with.
        DecodedPacket dp;
        decode_packet(engine.link_type_of(e.interface_id), Bytes(bytes.data(), bytes.size()), e.origlen, dp);
        if (dp.has(DecodedPacket::HasPorts))
            a.comment = std::to_string(dp.port_src) + " " + std::string(kArrow) + " " + std::to_string(dp.port_dst);
        else
            a.comment = flow_ports(s.info);
        a.protocol = s.protocol;
        a.top = e.top;
        g.arrows.push_back(std::move(a));
    }
    // Names the traffic gave the hosts.
    engine.with_state([&](const IngestEngine::State& st) {
        for (FlowNode& n : g.nodes) {
            IpAddress ip;
            if (!IpAddress::parse(n.address, ip))
                continue;
            const auto& names = st.model.names().names_for(ip);
            if (!names.empty())
                n.name = names.front();
        }
    });
    return g;
}

} // namespace underhood
