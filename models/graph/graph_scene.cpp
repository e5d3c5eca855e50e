#include "graph_scene.h"

#include "display_filter.h"
#include "oui_table.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace underhood {

namespace {

uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

NodeId cluster_id(const IpPrefix& p)
{
    if (p.length == 0)
        return mix64(0x1A7E'12E7ull); // the one "Internet" node, both families
    uint64_t a, b;
    std::memcpy(&a, p.base.bytes.data(), 8);
    std::memcpy(&b, p.base.bytes.data() + 8, 8);
    return mix64(mix64(a ^ 0xC1C1'0000ull) ^ b ^ (uint64_t(p.length) << 8 | p.base.family));
}

// The prefix a remote address collapses into at a cluster level: 24 and 16
// for IPv4 correspond to /48 and /32 for IPv6; 0 is everything.
IpPrefix cluster_prefix(const IpAddress& a, int level)
{
    if (level == 0) {
        IpPrefix p;
        p.length = 0;
        return p;
    }
    const int len = a.family == 4 ? level : (level == 24 ? 48 : 32);
    return IpPrefix::of(a, uint8_t(len));
}

std::string short_vendor(const std::string& v)
{
    std::string s = v.substr(0, v.find_first_of(" ,"));
    if (s.size() > 12)
        s.resize(12);
    return s;
}

bool is_broadcast(const Endpoint& e)
{
    if (e.kind == Endpoint::Kind::Mac)
        return std::all_of(e.bytes.begin(), e.bytes.begin() + 6, [](uint8_t b) { return b == 0xFF; });
    return e.family == 4 && e.bytes[0] == 255 && e.bytes[1] == 255 && e.bytes[2] == 255 && e.bytes[3] == 255;
}

template <typename K>
void merge_mix(std::vector<std::pair<K, uint64_t>>& into, const std::vector<std::pair<K, uint64_t>>& from)
{
    for (const auto& entry : from) {
        const K p = entry.first;
        auto it = std::find_if(into.begin(), into.end(), [p](const auto& x) { return x.first == p; });
        if (it == into.end())
            into.emplace_back(p, entry.second);
        else
            it->second += entry.second;
    }
}

double metric_of(const SceneNode& n, SizeMetric by) { return by == SizeMetric::Total ? double(n.bytes) : n.rate_bps; }

} // namespace

NodeId node_id(const Endpoint& e) { return mix64(EndpointHash{}(e)); }

uint64_t GraphScene::link_id(NodeId a, NodeId b)
{
    if (a > b)
        std::swap(a, b);
    return mix64(a * 31 + mix64(b));
}

int GraphScene::link_between(NodeId host_a, NodeId host_b) const
{
    auto sa = shown_as.find(host_a), sb = shown_as.find(host_b);
    if (sa == shown_as.end() || sb == shown_as.end() || sa->second == sb->second)
        return -1;
    const int ia = find(sa->second), ib = find(sb->second);
    if (ia < 0 || ib < 0)
        return -1;
    const uint64_t id = link_id(sa->second, sb->second);
    for (size_t i = 0; i < links.size(); ++i)
        if (links[i].id == id)
            return int(i);
    return -1;
}

NodeSelection selection_of(const GraphScene& scene, int node)
{
    NodeSelection sel;
    if (node < 0 || size_t(node) >= scene.nodes.size())
        return sel;
    const SceneNode& n = scene.nodes[size_t(node)];
    sel.label = n.label.empty() ? n.key : n.label;
    if (!n.cluster) {
        sel.hosts.push_back(n.id);
        sel.bpf = endpoint_bpf(n.endpoint);
        sel.dfilter = endpoint_dfilter(n.endpoint);
        return sel;
    }
    sel.hosts = n.member_ids;
    auto field = [](const IpPrefix& p, const char* end) {
        return std::string(p.base.family == 6 ? "ipv6." : "ip.") + end + " == " + p.to_string();
    };
    IpPrefix prefix;
    if (n.key != "Internet" && IpPrefix::parse(n.key, prefix) && prefix.length > 0) {
        sel.bpf = "net " + prefix.to_string();
        sel.dfilter = field(prefix, "addr");
    } else if (!scene.local_prefixes.empty()) {
        // Every packet with an end outside the local networks.
        std::string src, dst, wsrc, wdst;
        for (const IpPrefix& p : scene.local_prefixes) {
            src += (src.empty() ? "" : " or ") + std::string("src net ") + p.to_string();
            dst += (dst.empty() ? "" : " or ") + std::string("dst net ") + p.to_string();
            wsrc += (wsrc.empty() ? "" : " || ") + field(p, "src");
            wdst += (wdst.empty() ? "" : " || ") + field(p, "dst");
        }
        sel.bpf = "(ip or ip6) and not ((" + src + ") and (" + dst + "))";
        sel.dfilter = "(ip || ipv6) && !((" + wsrc + ") && (" + wdst + "))";
    }
    return sel;
}

float node_radius(double metric, SizeMetric by, bool cluster)
{
    double r = by == SizeMetric::Total ? 3.5 + 2.2 * std::log10(1 + metric / 64.0)
                                       : 3.5 + 2.6 * std::log10(1 + metric / 16.0);
    if (cluster)
        r = std::max(r, 8.0);
    return float(std::clamp(r, 3.5, 28.0));
}

float link_width(double metric, SizeMetric by)
{
    double w = by == SizeMetric::Total ? 0.8 + 0.7 * std::log10(1 + metric / 1000.0)
                                       : 0.8 + 0.9 * std::log10(1 + metric / 500.0);
    return float(std::clamp(w, 0.8, 7.0));
}

GraphScene GraphBuilder::build(const TrafficWindow& window, const WindowSpans& spans, const GraphOptions& opts,
                               const NameTable* names, int64_t t_ns)
{
    GraphScene scene;
    scene.layer = opts.layer;
    scene.time_ns = t_ns;
    scene.generation = ++generation_;
    const double rate_s = double(std::max<int64_t>(spans.rate_ns, 1)) / 1e9;
    const bool ip_layer = opts.layer != Layer::Ether;
    const auto& hosts = window.hosts(opts.layer);
    const auto& links = window.links(opts.layer);
    scene.hosts = hosts.size();

    locals_.detect(window.hosts(Layer::Ip), names);
    scene.local_prefixes = locals_.configured();
    scene.local_prefixes.insert(scene.local_prefixes.end(), locals_.detected().begin(), locals_.detected().end());

    struct HostRef {
        const Endpoint* ep;
        const WindowHost* h;
        NodeId id;
        NodeId shown;
        NodeId parent = 0;
        bool local;
    };
    std::vector<HostRef> refs;
    refs.reserve(hosts.size());
    std::vector<size_t> remote;
    for (const auto& [ep, h] : hosts) {
        const bool local = !ip_layer || locals_.is_local(ep.ip_address());
        const NodeId id = node_id(ep);
        refs.push_back({&ep, &h, id, id, 0, local});
        if (!local)
            remote.push_back(refs.size() - 1);
    }

    // Clusters of remote hosts.
    std::unordered_map<NodeId, std::pair<IpPrefix, std::vector<size_t>>> groups;
    if (ip_layer && opts.cluster != ClusterMode::Off &&
        (opts.cluster != ClusterMode::Auto || remote.size() > opts.cluster_threshold)) {
        std::sort(remote.begin(), remote.end(), [&](size_t x, size_t y) {
            if (refs[x].h->total.bytes != refs[y].h->total.bytes)
                return refs[x].h->total.bytes > refs[y].h->total.bytes;
            return refs[x].id < refs[y].id;
        });
        const size_t keep = std::min(opts.keep_busiest_remote, remote.size());
        int level = 0;
        switch (opts.cluster) {
        case ClusterMode::Prefix24: level = 24; break;
        case ClusterMode::Prefix16: level = 16; break;
        case ClusterMode::Internet: level = 0; break;
        default: {
            const size_t budget = opts.cluster_threshold > keep ? opts.cluster_threshold - keep : 1;
            for (int l : {24, 16}) {
                std::unordered_set<NodeId> distinct;
                for (size_t i = keep; i < remote.size() && distinct.size() <= budget; ++i)
                    distinct.insert(cluster_id(cluster_prefix(refs[remote[i]].ep->ip_address(), l)));
                if (distinct.size() <= budget) {
                    level = l;
                    break;
                }
            }
        }
        }
        for (size_t i = keep; i < remote.size(); ++i) {
            const IpPrefix p = cluster_prefix(refs[remote[i]].ep->ip_address(), level);
            auto& g = groups[cluster_id(p)];
            g.first = p;
            g.second.push_back(remote[i]);
        }
        for (auto& [cid, g] : groups) {
            if (g.second.size() < 2)
                continue; // a cluster of one is just the host
            const bool open = opts.expanded.count(cid) != 0;
            for (size_t r : g.second) {
                if (open)
                    refs[r].parent = cid;
                else
                    refs[r].shown = cid;
            }
            if (!open)
                scene.clustered += g.second.size();
        }
    }

    // Nodes.
    std::vector<SceneNode> nodes;
    std::unordered_map<NodeId, uint32_t> at;
    nodes.reserve(refs.size());
    for (const HostRef& r : refs) {
        auto [it, fresh] = at.try_emplace(r.shown, uint32_t(nodes.size()));
        if (fresh) {
            SceneNode n;
            n.id = r.shown;
            n.local = r.local;
            if (r.shown != r.id) {
                const auto& g = groups[r.shown];
                n.cluster = true;
                n.members = 0;
                n.key = g.first.length ? g.first.to_string() : std::string("Internet");
                if (g.first.length)
                    n.endpoint = Endpoint::ip(g.first.base); // orders clusters among hosts
            } else {
                n.endpoint = *r.ep;
                n.parent = r.parent;
                n.key = r.ep->to_string();
            }
            nodes.push_back(std::move(n));
        }
        SceneNode& n = nodes[it->second];
        const WindowHost& h = *r.h;
        n.packets += h.total.packets;
        n.bytes += h.total.bytes;
        n.tx_bytes += h.tx.bytes;
        n.rx_bytes += h.rx.bytes;
        n.rate_bps += double(h.rate.bytes) / rate_s;
        n.rate_pps += double(h.rate.packets) / rate_s;
        n.recent = n.recent || h.recent > 0;
        merge_mix(n.mix, h.protocols.counts);
        merge_mix(n.sensors, h.sensors.counts);
        if (n.cluster) {
            ++n.members;
            n.member_ids.push_back(r.id);
        }
    }

    // Links between the nodes that show each end.
    std::vector<SceneLink> scene_links;
    std::vector<std::vector<std::pair<Proto, uint64_t>>> link_mix;
    std::vector<std::vector<std::pair<uint16_t, uint64_t>>> link_sensors;
    std::vector<std::pair<uint16_t, uint64_t>> sensor_totals;
    std::unordered_map<uint64_t, uint32_t> link_at;
    std::vector<std::pair<Proto, uint64_t>> totals;
    std::unordered_map<NodeId, NodeId> shown_of;
    shown_of.reserve(refs.size());
    for (const HostRef& r : refs)
        shown_of.emplace(r.id, r.shown);
    for (const auto& [key, l] : links) {
        merge_mix(totals, l.protocols.counts);
        merge_mix(sensor_totals, l.sensors.counts);
        const NodeId A = shown_of[node_id(key.a)], B = shown_of[node_id(key.b)];
        if (A == B)
            continue; // inside one cluster, or a host talking to itself
        const uint64_t id = GraphScene::link_id(A, B);
        auto [it, fresh] = link_at.try_emplace(id, uint32_t(scene_links.size()));
        if (fresh) {
            SceneLink sl;
            sl.id = id;
            sl.a = at[A];
            sl.b = at[B];
            scene_links.push_back(sl);
            link_mix.emplace_back();
            link_sensors.emplace_back();
        }
        SceneLink& sl = scene_links[it->second];
        const bool same_way = nodes[sl.a].id == A;
        sl.packets += l.total.packets;
        sl.bytes += l.total.bytes;
        sl.bps += double(l.rate_a_to_b.bytes + l.rate_b_to_a.bytes) / rate_s;
        const double ab = double(l.rate_a_to_b.packets) / rate_s, ba = double(l.rate_b_to_a.packets) / rate_s;
        sl.a_to_b_pps += same_way ? ab : ba;
        sl.b_to_a_pps += same_way ? ba : ab;
        sl.recent = sl.recent || l.recent > 0;
        merge_mix(link_mix[it->second], l.protocols.counts);
        merge_mix(link_sensors[it->second], l.sensors.counts);
    }
    // Sensors, most packets first (ties: the lower interface id).
    auto by_count = [](auto& mix) {
        std::sort(mix.begin(), mix.end(), [](const auto& x, const auto& y) {
            return x.second != y.second ? x.second > y.second : x.first < y.first;
        });
        return mix.empty() ? -1 : int(mix.front().first);
    };
    for (SceneNode& n : nodes)
        n.sensor = by_count(n.sensors);
    for (size_t i = 0; i < scene_links.size(); ++i)
        scene_links[i].sensor = by_count(link_sensors[i]);
    by_count(sensor_totals);
    scene.sensors = std::move(sensor_totals);
    std::sort(totals.begin(), totals.end(), [](const auto& x, const auto& y) {
        return x.second != y.second ? x.second > y.second : x.first < y.first;
    });
    scene.protocols = std::move(totals);

    // Hidden protocols, then the top-N filter.
    auto visible_dominant = [&](std::vector<std::pair<Proto, uint64_t>>& mix, Proto& dominant) {
        std::sort(mix.begin(), mix.end(), [](const auto& x, const auto& y) {
            return x.second != y.second ? x.second > y.second : x.first < y.first;
        });
        dominant = Proto::None;
        uint64_t visible = 0;
        for (const auto& [p, n] : mix)
            if (!opts.hidden.test(size_t(p))) {
                if (dominant == Proto::None)
                    dominant = p;
                visible += n;
            }
        return visible;
    };
    std::vector<char> keep_node(nodes.size(), 1);
    for (size_t i = 0; i < nodes.size(); ++i)
        if (visible_dominant(nodes[i].mix, nodes[i].dominant) == 0 && nodes[i].id != opts.keep && opts.hidden.any())
            keep_node[i] = 0;
    std::vector<char> keep_link(scene_links.size(), 1);
    for (size_t i = 0; i < scene_links.size(); ++i)
        if (visible_dominant(link_mix[i], scene_links[i].dominant) == 0 && opts.hidden.any())
            keep_link[i] = 0;
    // Hosts hidden by hand, and the neighbourhood of one node.
    std::vector<char> by_user(nodes.size(), 0);
    for (size_t i = 0; i < nodes.size(); ++i)
        if (opts.hidden_nodes.count(nodes[i].id) && nodes[i].id != opts.neighbours_of)
            by_user[i] = 1;
    const bool centre_here = opts.neighbours_of &&
                             std::any_of(nodes.begin(), nodes.end(), [&](const SceneNode& n) { return n.id == opts.neighbours_of; });
    if (centre_here) { // (a centre outside this window filters nothing)
        std::vector<char> near(nodes.size(), 0);
        for (size_t i = 0; i < nodes.size(); ++i)
            near[i] = nodes[i].id == opts.neighbours_of;
        for (size_t i = 0; i < scene_links.size(); ++i) {
            if (!keep_link[i])
                continue;
            const SceneLink& l = scene_links[i];
            if (nodes[l.a].id == opts.neighbours_of)
                near[l.b] = 1;
            if (nodes[l.b].id == opts.neighbours_of)
                near[l.a] = 1;
        }
        for (size_t i = 0; i < nodes.size(); ++i)
            by_user[i] = by_user[i] || !near[i];
    }
    for (size_t i = 0; i < nodes.size(); ++i)
        if (by_user[i] && keep_node[i]) {
            keep_node[i] = 0;
            ++scene.hidden_by_user;
        }
    if (opts.top_n && opts.top_n < nodes.size()) {
        std::vector<uint32_t> order;
        for (uint32_t i = 0; i < nodes.size(); ++i)
            if (keep_node[i])
                order.push_back(i);
        std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
            const double mx = metric_of(nodes[x], opts.size_by), my = metric_of(nodes[y], opts.size_by);
            return mx != my ? mx > my : nodes[x].id < nodes[y].id;
        });
        for (size_t k = opts.top_n; k < order.size(); ++k)
            if (nodes[order[k]].id != opts.keep)
                keep_node[order[k]] = 0;
    }

    std::vector<int> remap(nodes.size(), -1);
    const OuiTable& oui = OuiTable::system();
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (!keep_node[i]) {
            ++scene.filtered_out;
            continue;
        }
        SceneNode& n = nodes[i];
        n.radius = node_radius(metric_of(n, opts.size_by), opts.size_by, n.cluster);
        if (n.cluster) // a cluster also shows how many hosts it holds
            n.radius = std::max(n.radius, float(std::min(36.0, 8 + 2.5 * std::log2(double(n.members)))));
        if (n.cluster) {
            n.label = n.key + " · " + std::to_string(n.members);
        } else {
            const Endpoint& e = n.endpoint;
            if (e.kind == Endpoint::Kind::Mac) {
                // Names as the traffic had revealed them by the window's end.
                if (names)
                    n.names = names->names_for(e.mac_address(), t_ns);
                n.vendor = oui.vendor(e.mac_address());
            } else {
                if (names) {
                    n.names = names->names_for(e.ip_address(), t_ns);
                    if (n.local)
                        if (auto mac = names->mac_for(e.ip_address()))
                            n.vendor = oui.vendor(*mac);
                }
            }
            if (is_broadcast(e))
                n.label = "broadcast";
            else if (!n.names.empty())
                n.label = e.kind == Endpoint::Kind::IpPort ? n.names.front() + ":" + std::to_string(e.port)
                                                           : n.names.front();
            else if (e.kind == Endpoint::Kind::Mac && !n.vendor.empty())
                n.label = short_vendor(n.vendor) + "_" + n.key.substr(9);
            else
                n.label = n.key;
        }
        remap[i] = int(scene.nodes.size());
        scene.index.emplace(n.id, uint32_t(scene.nodes.size()));
        scene.nodes.push_back(std::move(n));
    }
    for (size_t i = 0; i < scene_links.size(); ++i) {
        SceneLink& l = scene_links[i];
        if (!keep_link[i] || remap[l.a] < 0 || remap[l.b] < 0)
            continue;
        l.a = uint32_t(remap[l.a]);
        l.b = uint32_t(remap[l.b]);
        l.width = link_width(opts.size_by == SizeMetric::Total ? double(l.bytes) : l.bps, opts.size_by);
        scene.links.push_back(l);
    }
    scene.shown_as = std::move(shown_of);
    return scene;
}

} // namespace underhood
