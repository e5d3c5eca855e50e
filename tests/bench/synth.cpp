// underhood-synth: deterministic synthetic traffic as pcapng.
//
// Bulk mode makes large captures for benchmarks and tests: many LAN hosts
// talking to many remote servers with a realistic mix of protocols. Demo mode
// writes the small office capture bundled as resources/demo.pcapng, with a
// packet comment on the first packet of each event.
//
// The output depends only on the options: one seeded PRNG, integer
// arithmetic for every timing, nothing from the clock or the machine.
#include "pcapng_writer.h"
#include "synth_frame.h"
#include "synth_session.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace synth;
using underhood::PcapngInterfaceInfo;
using underhood::PcapngInterfaceStatistics;
using underhood::PcapngSectionInfo;
using underhood::PcapngWriter;

namespace {

constexpr int64_t kUs = 1000;
constexpr int64_t kMs = 1000000;
constexpr int64_t kSec = 1000000000;

// ---------------------------------------------------------------- network

enum class Kind : uint8_t { Desktop, Laptop, Phone, Printer, Server };

struct Host {
    std::string name;
    Kind kind = Kind::Desktop;
    Mac mac;
    uint16_t vlan = 0;
    Addr v4, v6, ll6;
    Addr gw4; // the gateway's address on this host's subnet
};

struct Remote {
    std::string name;               // what clients ask for
    std::vector<std::string> chain; // CNAME targets, in order; the address belongs to the last
    Addr v4, v6;
    uint8_t ttl = 52;
    int64_t rtt_ns = 30 * kMs;
};

// An address as one side of a frame: MAC (the gateway's for a remote), IP, TTL.
struct Ep {
    Mac mac;
    Addr ip;
    uint16_t vlan = 0;
    uint8_t ttl = 64;
};

struct Network {
    std::string domain;
    Mac gw_mac;
    Addr gw_ll6, gw6, prefix6;
    std::vector<Host> hosts;
    std::vector<uint32_t> clients, servers, printers;
    int resolver = -1; // host index of the LAN DNS server, or -1 for the gateway
    std::vector<Remote> remotes;
    uint32_t ntp_remote = 0;

    const Host& host(uint32_t i) const { return hosts[i]; }
    Ep ep(const Host& h, bool v6 = false) const { return {h.mac, v6 ? h.v6 : h.v4, h.vlan, 64}; }
    Ep gateway(const Host& h, bool v6 = false) const { return {gw_mac, v6 ? gw6 : h.gw4, h.vlan, 64}; }
    Ep remote(const Host& h, const Remote& r, bool v6) const { return {gw_mac, v6 ? r.v6 : r.v4, h.vlan, r.ttl}; }
    Ep dns_server(const Host& h, bool v6) const
    {
        if (resolver >= 0 && !v6) {
            Ep e = ep(hosts[size_t(resolver)]);
            e.vlan = h.vlan;
            return e;
        }
        return gateway(h, v6);
    }
};

Mac make_mac(uint32_t oui, uint32_t serial)
{
    return {{uint8_t(oui >> 16), uint8_t(oui >> 8), uint8_t(oui), uint8_t(serial >> 16), uint8_t(serial >> 8),
             uint8_t(serial)}};
}

// Modified EUI-64 interface identifier (RFC 4291 appendix A).
Addr with_eui64(Addr prefix, const Mac& m)
{
    prefix.b[8] = m.b[0] ^ 0x02;
    prefix.b[9] = m.b[1];
    prefix.b[10] = m.b[2];
    prefix.b[11] = 0xff;
    prefix.b[12] = 0xfe;
    prefix.b[13] = m.b[3];
    prefix.b[14] = m.b[4];
    prefix.b[15] = m.b[5];
    return prefix;
}

uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

// A public-looking IPv4 address: none of the private, shared, loopback,
// link-local, multicast or reserved ranges.
Addr public_v4(uint64_t key)
{
    for (uint64_t k = key;; ++k) {
        uint32_t v = uint32_t(mix64(k * 0x9E3779B97F4A7C15ull + 17));
        uint8_t a = uint8_t(v >> 24), b = uint8_t(v >> 16);
        if (a == 0 || a == 10 || a == 127 || a >= 224 || (a == 100 && (b & 0xC0) == 64) || (a == 169 && b == 254) ||
            (a == 172 && (b & 0xF0) == 16) || (a == 192 && b == 168) || (a == 198 && (b & 0xFE) == 18))
            continue;
        if ((v & 0xFF) == 0 || (v & 0xFF) == 255)
            continue;
        return Addr::v4(v);
    }
}

const char* const kBrands[] = {"contoso", "fabrikam", "northwind", "acme", "globex", "initech", "umbrella",
                               "hooli", "piedpiper", "wayne", "stark", "tyrell", "cyberdyne", "soylent",
                               "aperture", "blackmesa", "oscorp", "wonka", "duff", "vandelay"};
const char* const kSubs[] = {"www", "api", "cdn", "static", "img", "login", "mail", "updates",
                             "telemetry", "video", "news", "shop", "docs", "assets", "auth", "media"};
const char* const kTlds[] = {".com", ".net", ".org", ".io"};
const char* const kCdns[] = {"edgecast-cdn.net", "fastedge.net", "cloudfront-cdn.net", "akam-edge.net"};

void make_remotes(Network& net, Rng& rng, size_t count, bool documentation_ranges)
{
    const size_t nb = sizeof kBrands / sizeof kBrands[0], ns = sizeof kSubs / sizeof kSubs[0];
    for (size_t i = 0; i < count; ++i) {
        Remote r;
        size_t combo = i % (nb * ns);
        std::string sub = kSubs[combo % ns];
        if (i >= nb * ns)
            sub += std::to_string(i / (nb * ns));
        const char* brand = kBrands[combo / ns];
        r.name = sub + "." + brand + kTlds[(combo / ns + combo) % 4];
        if (i % 3 == 0) {
            const char* cdn = kCdns[i % 4];
            r.chain.push_back(sub + "." + brand + "." + cdn);
            r.chain.push_back("e" + std::to_string(1000 + i) + ".a." + cdn);
        } else if (i % 3 == 1) {
            r.chain.push_back(std::string(brand) + "-" + sub + ".lb." + brand + ".net");
        }
        if (documentation_ranges) {
            static const uint8_t nets[3][3] = {{192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
            const uint8_t* n = nets[i % 3];
            r.v4 = Addr::v4(n[0], n[1], n[2], uint8_t(10 + i / 3));
        } else {
            r.v4 = public_v4(i);
        }
        if (i % 3 != 2)
            r.v6 = Addr::v6({0x2001, 0x0db8, uint16_t(0x8000 + i / 0x10000), uint16_t(i), 0, 0, 0,
                             uint16_t(1 + rng.below(0xfff0))});
        static const uint8_t ttls[] = {52, 54, 57, 116, 118, 245, 49, 60};
        r.ttl = ttls[rng.below(8)];
        r.rtt_ns = (4 + rng.skewed(140)) * kMs + rng.below(1000) * kUs;
        net.remotes.push_back(std::move(r));
    }
}

// ---------------------------------------------------------------- traffic

struct Options {
    uint64_t packets = 100000;
    uint32_t hosts = 100;
    int64_t duration_ns = 300 * kSec;
    uint64_t seed = 1;
    int64_t start_ns = int64_t(1710230400) * kSec; // 2024-03-12 08:00:00 UTC
    std::string output;
    bool demo = false;
    bool quiet = false;
};

class Generator {
public:
    Generator(Network net, uint64_t seed) : net_(std::move(net)), rng_(seed), content_(rng_) {}

    Network& net() { return net_; }
    Rng& rng() { return rng_; }
    Scheduler& scheduler() { return sched_; }
    const Content& content() const { return content_; }

    // Each activity plans its sessions from time t and returns how many
    // packets it planned. `comment` goes on its first packet.
    size_t dhcp_join(int64_t t, const Host& h, const std::string& comment);
    size_t dhcp_renew(int64_t t, const Host& h, const std::string& comment);
    size_t arp(int64_t t, const Host& h, const Ep& target, const std::string& comment, bool gratuitous = false);
    size_t router_advert(int64_t t, uint16_t vlan, const std::string& comment);
    size_t neighbor_discovery(int64_t t, const Host& h, const Ep& target, const std::string& comment);
    // A DNS exchange; `answer_at` receives the time of the answer.
    size_t dns_lookup(int64_t t, const Host& h, const Remote& r, bool aaaa, bool over_v6, const std::string& comment,
                      int64_t* answer_at);
    size_t dns_ptr(int64_t t, const Host& h, const Addr& target, const std::string& name,
                   const std::string& comment);
    size_t https(int64_t t, const Host& h, const Remote& r, bool v6, uint32_t bytes, int exchanges,
                 const std::string& comment);
    size_t http(int64_t t, const Host& h, const Remote& r, bool v6, uint32_t bytes, const std::string& comment);
    size_t quic(int64_t t, const Host& h, const Remote& r, bool v6, uint32_t bytes, const std::string& comment);
    size_t ssh(int64_t t, const Host& h, const Ep& server, int64_t rtt, int keystrokes, const std::string& comment);
    size_t ntp(int64_t t, const Host& h, const Remote& r, const std::string& comment);
    size_t ping(int64_t t, const Host& h, const Ep& target, int64_t rtt, int count, const std::string& comment);
    size_t mdns_announce(int64_t t, const Host& h, const std::string& comment);
    size_t mdns_query(int64_t t, const Host& h, const std::string& service, const std::string& comment);
    size_t port_scan(int64_t t, const Host& scanner, const Host& target, const std::vector<uint16_t>& ports,
                     const std::vector<uint16_t>& open, const std::string& comment);

    // A name lookup followed by a connection, as a browser does it.
    size_t web_visit(int64_t t, const Host& h, const Remote& r, uint32_t bytes, const std::string& comment);

    uint16_t ephemeral_port() { return uint16_t(32768 + rng_.below(28232)); }
    // Percent of web visits made over QUIC; the rest are HTTPS, some HTTP.
    void set_quic_share(uint32_t percent) { quic_share_ = percent; }
    uint32_t transfer_size();

private:
    std::unique_ptr<Session> session(const std::string& comment)
    {
        auto s = std::make_unique<Session>();
        s->comment_first(comment);
        return s;
    }
    size_t submit(std::unique_ptr<Session> s)
    {
        size_t n = s->steps.size();
        sched_.add(std::move(s));
        return n;
    }
    Flow flow(const Host& h, const Ep& server, uint16_t server_port, bool udp = false)
    {
        Flow f;
        f.client_mac = h.mac;
        f.server_mac = server.mac;
        f.vlan = h.vlan;
        f.client_ip = server.ip.v6() ? h.v6 : h.v4;
        f.server_ip = server.ip;
        f.client_port = ephemeral_port();
        f.server_port = server_port;
        f.server_ttl = server.ttl;
        f.udp = udp;
        return f;
    }
    template <typename Payload>
    void udp_frame(Frame& f, const Ep& src, const Ep& dst, uint16_t sport, uint16_t dport, Payload&& payload)
    {
        f.ethernet(dst.mac, src.mac, std::max(src.vlan, dst.vlan), src.ip.v6() ? 0x86DD : 0x0800);
        f.ip(src.ip, dst.ip, 17, src.ttl, uint16_t(rng_.next()));
        f.udp(sport, dport);
        payload(f);
        f.finish();
    }
    uint32_t literal(Session& s, const Frame& scratch) { return s.add_blob(scratch.data(), scratch.size()); }

    Network net_;
    Rng rng_;
    Content content_;
    Scheduler sched_;
    Frame scratch_;
    uint32_t quic_share_ = 20;
};

uint32_t Generator::transfer_size()
{
    // Mostly page objects, some downloads, a rare large file.
    uint32_t p = rng_.below(1000);
    if (p < 750)
        return 400 + rng_.below(6000);
    if (p < 960)
        return 6000 + rng_.below(30000);
    if (p < 997)
        return 36000 + rng_.below(120000);
    return 160000 + rng_.below(800000);
}

size_t Generator::dhcp_join(int64_t t, const Host& h, const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    DhcpMessage m;
    m.xid = uint32_t(rng_.next());
    m.chaddr = h.mac;
    m.hostname = h.name;
    m.vendor_class = h.kind == Kind::Phone ? "yealink" : (h.kind == Kind::Printer ? "HP LaserJet" : "MSFT 5.0");
    const Ep any{h.mac, Addr::v4(0, 0, 0, 0), h.vlan, 64};
    const Ep bcast{Mac::broadcast(), Addr::v4(255, 255, 255, 255), h.vlan, 64};
    const Ep server = net_.gateway(h);
    const Ep server_bcast{net_.gw_mac, h.gw4, h.vlan, 64};
    auto reply = [&](uint8_t type) {
        DhcpMessage r;
        r.op = 2;
        r.type = type;
        r.xid = m.xid;
        r.chaddr = h.mac;
        r.yiaddr = h.v4;
        r.siaddr = h.gw4;
        r.server_id = h.gw4;
        r.lease = 86400;
        r.subnet_mask = Addr::v4(255, 255, 255, 0);
        r.router = h.gw4;
        r.dns = net_.dns_server(h, false).ip;
        r.domain = net_.domain;
        r.broadcast = true;
        return r;
    };
    m.type = 1;
    udp_frame(f, any, bcast, 68, 67, [&](Frame& fr) { put_dhcp(fr, m); });
    s->add_raw(t, f);
    t += 1 * kMs + rng_.below(4000) * kUs;
    udp_frame(f, server, {Mac::broadcast(), bcast.ip, h.vlan, 64}, 67, 68, [&](Frame& fr) { put_dhcp(fr, reply(2)); });
    s->add_raw(t, f);
    t += 5 * kMs + rng_.below(20000) * kUs;
    m.type = 3;
    m.secs = 1;
    m.requested = h.v4;
    m.server_id = h.gw4;
    udp_frame(f, any, bcast, 68, 67, [&](Frame& fr) { put_dhcp(fr, m); });
    s->add_raw(t, f);
    t += 1 * kMs + rng_.below(3000) * kUs;
    (void)server_bcast;
    udp_frame(f, server, {Mac::broadcast(), bcast.ip, h.vlan, 64}, 67, 68, [&](Frame& fr) { put_dhcp(fr, reply(5)); });
    s->add_raw(t, f);
    size_t n = submit(std::move(s));
    // A fresh address is announced and the gateway looked up.
    t += 20 * kMs + rng_.below(100) * kMs;
    n += arp(t, h, {}, "", true);
    t += 200 * kMs + rng_.below(300) * kMs;
    n += arp(t, h, net_.gateway(h), "");
    return n;
}

size_t Generator::dhcp_renew(int64_t t, const Host& h, const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    DhcpMessage m;
    m.xid = uint32_t(rng_.next());
    m.chaddr = h.mac;
    m.hostname = h.name;
    m.type = 3;
    m.ciaddr = h.v4;
    udp_frame(f, net_.ep(h), net_.gateway(h), 68, 67, [&](Frame& fr) { put_dhcp(fr, m); });
    s->add_raw(t, f);
    t += 1 * kMs + rng_.below(2000) * kUs;
    DhcpMessage r;
    r.op = 2;
    r.type = 5;
    r.xid = m.xid;
    r.chaddr = h.mac;
    r.ciaddr = h.v4;
    r.yiaddr = h.v4;
    r.server_id = h.gw4;
    r.lease = 86400;
    r.subnet_mask = Addr::v4(255, 255, 255, 0);
    r.router = h.gw4;
    r.dns = net_.dns_server(h, false).ip;
    r.domain = net_.domain;
    udp_frame(f, net_.gateway(h), net_.ep(h), 67, 68, [&](Frame& fr) { put_dhcp(fr, r); });
    s->add_raw(t, f);
    return submit(std::move(s));
}

size_t Generator::arp(int64_t t, const Host& h, const Ep& target, const std::string& comment, bool gratuitous)
{
    auto s = session(comment);
    Frame& f = scratch_;
    auto put_arp = [&](uint16_t op, const Mac& sha, const Addr& spa, const Mac& tha, const Addr& tpa) {
        f.u16(1);
        f.u16(0x0800);
        f.u8(6);
        f.u8(4);
        f.u16(op);
        f.mac(sha);
        f.addr(spa);
        f.mac(tha);
        f.addr(tpa);
        f.finish();
    };
    const Addr tpa = gratuitous ? h.v4 : target.ip;
    f.ethernet(Mac::broadcast(), h.mac, h.vlan, 0x0806);
    put_arp(1, h.mac, h.v4, Mac{}, tpa);
    s->add_raw(t, f);
    if (!gratuitous) {
        t += 200 * kUs + rng_.below(800) * kUs;
        f.ethernet(h.mac, target.mac, h.vlan, 0x0806);
        put_arp(2, target.mac, target.ip, h.mac, h.v4);
        s->add_raw(t, f);
    }
    return submit(std::move(s));
}

namespace {

void put_nd_option(Frame& f, uint8_t type, const Mac& m)
{
    f.u8(type);
    f.u8(1);
    f.mac(m);
}

} // namespace

size_t Generator::router_advert(int64_t t, uint16_t vlan, const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const Addr all_nodes = Addr::v6({0xff02, 0, 0, 0, 0, 0, 0, 1});
    f.ethernet(ipv6_multicast_mac(all_nodes), net_.gw_mac, vlan, 0x86DD);
    f.ip(net_.gw_ll6, all_nodes, 58, 255);
    f.icmp(134, 0);
    f.u8(64);     // current hop limit
    f.u8(0);      // flags
    f.u16(1800);  // router lifetime
    f.u32(0);     // reachable time
    f.u32(0);     // retransmission timer
    put_nd_option(f, 1, net_.gw_mac);
    f.u8(5); // MTU
    f.u8(1);
    f.u16(0);
    f.u32(1500);
    f.u8(3); // prefix information
    f.u8(4);
    f.u8(64);
    f.u8(0xC0); // on-link, autonomous
    f.u32(86400);
    f.u32(14400);
    f.u32(0);
    f.addr(net_.prefix6);
    f.finish();
    s->add_raw(t, f);
    return submit(std::move(s));
}

size_t Generator::neighbor_discovery(int64_t t, const Host& h, const Ep& target, const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const Addr group = solicited_node(target.ip);
    f.ethernet(ipv6_multicast_mac(group), h.mac, h.vlan, 0x86DD);
    f.ip(h.v6, group, 58, 255);
    f.icmp(135, 0);
    f.u32(0);
    f.addr(target.ip);
    put_nd_option(f, 1, h.mac);
    f.finish();
    s->add_raw(t, f);
    t += 300 * kUs + rng_.below(700) * kUs;
    f.ethernet(h.mac, target.mac, h.vlan, 0x86DD);
    f.ip(target.ip, h.v6, 58, 255);
    f.icmp(136, 0);
    f.u32(0x60000000); // solicited, override
    f.addr(target.ip);
    put_nd_option(f, 2, target.mac);
    f.finish();
    s->add_raw(t, f);
    return submit(std::move(s));
}

size_t Generator::dns_lookup(int64_t t, const Host& h, const Remote& r, bool aaaa, bool over_v6,
                             const std::string& comment, int64_t* answer_at)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const Ep client = net_.ep(h, over_v6);
    const Ep server = net_.dns_server(h, over_v6);
    const uint16_t id = uint16_t(rng_.next());
    const uint16_t port = ephemeral_port();
    const uint16_t qtype = aaaa ? kDnsAaaa : kDnsA;
    std::vector<DnsQuestion> q{{r.name, qtype, 1}};
    udp_frame(f, client, server, port, 53, [&](Frame& fr) { put_dns(fr, id, 0x0100, q, {}); });
    s->add_raw(t, f);
    // A cache hit answers at LAN speed; a miss costs a trip upstream.
    t += rng_.percent(60) ? 200 * kUs + rng_.below(600) * kUs : r.rtt_ns + rng_.below(20000) * kUs;
    std::vector<DnsRecord> an;
    std::string owner = r.name;
    for (const std::string& c : r.chain) {
        DnsRecord cn;
        cn.name = owner;
        cn.type = kDnsCname;
        cn.ttl = 60 + rng_.below(3000);
        cn.target = c;
        an.push_back(cn);
        owner = c;
    }
    const Addr& a = aaaa ? r.v6 : r.v4;
    if (a.valid()) {
        DnsRecord ar;
        ar.name = owner;
        ar.type = qtype;
        ar.ttl = 20 + rng_.below(300);
        ar.address = a;
        an.push_back(ar);
    }
    udp_frame(f, server, client, 53, port, [&](Frame& fr) { put_dns(fr, id, 0x8180, q, an); });
    s->add_raw(t, f);
    if (answer_at)
        *answer_at = t;
    return submit(std::move(s));
}

size_t Generator::dns_ptr(int64_t t, const Host& h, const Addr& target, const std::string& name,
                          const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const Ep client = net_.ep(h);
    const Ep server = net_.dns_server(h, false);
    const uint16_t id = uint16_t(rng_.next());
    const uint16_t port = ephemeral_port();
    std::vector<DnsQuestion> q{{target.reverse_name(), kDnsPtr, 1}};
    udp_frame(f, client, server, port, 53, [&](Frame& fr) { put_dns(fr, id, 0x0100, q, {}); });
    s->add_raw(t, f);
    t += 300 * kUs + rng_.below(2000) * kUs;
    std::vector<DnsRecord> an;
    if (!name.empty()) {
        DnsRecord p;
        p.name = q[0].name;
        p.type = kDnsPtr;
        p.ttl = 3600;
        p.target = name;
        an.push_back(p);
    }
    // No name: NXDOMAIN.
    udp_frame(f, server, client, 53, port,
              [&](Frame& fr) { put_dns(fr, id, name.empty() ? 0x8183 : 0x8180, q, an); });
    s->add_raw(t, f);
    return submit(std::move(s));
}

size_t Generator::https(int64_t t, const Host& h, const Remote& r, bool v6, uint32_t bytes, int exchanges,
                        const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    s->flow = flow(h, net_.remote(h, r, v6), 443);
    TcpTiming tm;
    tm.rtt_ns = r.rtt_ns;
    tm.mss = v6 ? 1440 : 1460;
    tm.data_gap_ns = 40 * kUs + rng_.below(900) * kUs;
    tm.reset_close = rng_.percent(5);

    std::vector<TcpMessage> m;
    f.reset();
    put_tls_client_hello(f, rng_, r.name, true);
    m.push_back({false, 60 * kUs, uint32_t(f.size()), Fill::Literal, literal(*s, f)});
    f.reset();
    put_tls_server_hello(f, rng_);
    put_tls_change_cipher_spec(f);
    put_tls_app_data(f, content_.random.data() + rng_.below(500000), 30 + rng_.below(100));
    m.push_back({true, r.rtt_ns + rng_.below(3000) * kUs, uint32_t(f.size()), Fill::Literal, literal(*s, f)});
    m.push_back({true, 30 * kUs, 1200 + rng_.below(2400), Fill::TlsRecords, 0}); // certificates
    f.reset();
    put_tls_change_cipher_spec(f);
    put_tls_app_data(f, content_.random.data() + rng_.below(500000), 74);
    m.push_back({false, 1 * kMs + rng_.below(3000) * kUs, uint32_t(f.size()), Fill::Literal, literal(*s, f)});
    for (int i = 0; i < exchanges; ++i) {
        m.push_back({false, i == 0 ? 100 * kUs : 20 * kMs + rng_.below(3000) * kMs, 90 + rng_.below(600),
                     Fill::TlsRecords, 0});
        uint32_t part = i + 1 == exchanges ? bytes : bytes / uint32_t(exchanges - i) / 2 + 100;
        bytes -= std::min(bytes, part);
        m.push_back({true, r.rtt_ns + rng_.below(30000) * kUs, std::max<uint32_t>(part, 40), Fill::TlsRecords, 0});
    }
    m.push_back({false, 100 * kMs + rng_.below(5000) * kMs, 24, Fill::TlsRecords, 0}); // close_notify
    plan_tcp(*s, rng_, t, tm, m);
    return submit(std::move(s));
}

size_t Generator::http(int64_t t, const Host& h, const Remote& r, bool v6, uint32_t bytes,
                       const std::string& comment)
{
    auto s = session(comment);
    s->flow = flow(h, net_.remote(h, r, v6), 80);
    TcpTiming tm;
    tm.rtt_ns = r.rtt_ns;
    tm.mss = v6 ? 1440 : 1460;
    tm.data_gap_ns = 60 * kUs + rng_.below(900) * kUs;
    static const char* const kPaths[] = {"/", "/index.html", "/downloads/release-notes.txt", "/images/logo.png",
                                         "/news/today.html", "/api/v1/status"};
    std::string path = kPaths[rng_.below(6)];
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + r.name +
                      "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
                      "\r\nAccept: text/html,application/xhtml+xml,*/*;q=0.8\r\nAccept-Language: en-GB,en;q=0.5"
                      "\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n";
    std::string resp = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html; charset=utf-8"
                       "\r\nContent-Length: " + std::to_string(bytes) + "\r\nConnection: keep-alive\r\n\r\n";
    std::vector<TcpMessage> m;
    m.push_back({false, 80 * kUs, uint32_t(req.size()), Fill::Literal,
                 s->add_blob(reinterpret_cast<const uint8_t*>(req.data()), req.size())});
    m.push_back({true, r.rtt_ns + rng_.below(20000) * kUs, uint32_t(resp.size()), Fill::Literal,
                 s->add_blob(reinterpret_cast<const uint8_t*>(resp.data()), resp.size())});
    if (bytes)
        m.push_back({true, 20 * kUs, bytes, Fill::Text, 0});
    plan_tcp(*s, rng_, t, tm, m);
    return submit(std::move(s));
}

size_t Generator::quic(int64_t t, const Host& h, const Remote& r, bool v6, uint32_t bytes,
                       const std::string& comment)
{
    auto s = session(comment);
    s->flow = flow(h, net_.remote(h, r, v6), 443, true);
    // blob[0..8): the client's connection id, blob[8..16): the server's.
    uint8_t cids[16];
    rng_.fill(cids, 16);
    s->add_blob(cids, 16);
    Frame& f = scratch_;
    auto long_header = [&](uint8_t type, const uint8_t* dcid, const uint8_t* scid, size_t total) {
        f.reset();
        f.u8(uint8_t(0xC3 | type << 4)); // long header, fixed bit, 4-byte packet number
        f.u32(1);                        // QUIC version 1
        f.u8(8);
        f.bytes(dcid, 8);
        f.u8(8);
        f.bytes(scid, 8);
        if (type == 0)
            f.u8(0); // no token
        size_t rest = total - f.size() - 2;
        f.u16(uint16_t(0x4000 | rest)); // two-byte varint length
        rng_.fill(f.put(rest), rest);
    };
    auto add = [&](int64_t at, bool from_server, Fill fill, uint32_t ref, uint16_t len) {
        Step st;
        st.t = at;
        st.from_server = from_server;
        st.fill = fill;
        st.ref = ref;
        st.len = len;
        s->steps.push_back(st);
    };
    uint8_t initial_dcid[8];
    rng_.fill(initial_dcid, 8);
    long_header(0, initial_dcid, cids, 1200);
    add(t, false, Fill::Literal, literal(*s, f), 1200);
    t += r.rtt_ns;
    long_header(0, cids, cids + 8, 1200);
    add(t, true, Fill::Literal, literal(*s, f), 1200);
    t += 30 * kUs;
    long_header(2, cids, cids + 8, 1000 + rng_.below(200));
    add(t, true, Fill::Literal, literal(*s, f), uint16_t(f.size()));
    t += 2 * kMs;
    long_header(2, cids + 8, cids, 90);
    add(t, false, Fill::Literal, literal(*s, f), 90);
    t += 100 * kUs;
    add(t, false, Fill::QuicShort, uint32_t(rng_.next()), uint16_t(60 + rng_.below(300))); // the request
    t += r.rtt_ns;
    const uint16_t payload = v6 ? 1232 : 1252;
    const int64_t gap = 50 * kUs + rng_.below(500) * kUs;
    int since_ack = 0;
    while (bytes > 0) {
        uint16_t len = uint16_t(std::min<uint32_t>(bytes + 9, payload));
        if (len < 30)
            len = 30;
        bytes -= std::min<uint32_t>(bytes, len - 9u);
        add(t, true, Fill::QuicShort, uint32_t(rng_.next()), len);
        t += gap;
        if (++since_ack == 3 || bytes == 0) {
            add(t, false, Fill::QuicShort, uint32_t(rng_.next()), uint16_t(32 + rng_.below(16)));
            since_ack = 0;
            t += 10 * kUs;
        }
    }
    return submit(std::move(s));
}

size_t Generator::ssh(int64_t t, const Host& h, const Ep& server, int64_t rtt, int keystrokes,
                      const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    s->flow = flow(h, server, 22);
    TcpTiming tm;
    tm.rtt_ns = rtt;
    tm.mss = server.ip.v6() ? 1440 : 1460;
    tm.data_gap_ns = 100 * kUs;
    std::vector<TcpMessage> m;
    auto lit = [&](bool from_server, int64_t gap) {
        m.push_back({from_server, gap, uint32_t(f.size()), Fill::Literal, literal(*s, f)});
    };
    f.reset();
    f.text("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    lit(false, 150 * kUs);
    f.reset();
    f.text("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n");
    lit(true, rtt + 2 * kMs);
    f.reset();
    put_ssh_kexinit(f, rng_, false);
    lit(false, 300 * kUs);
    f.reset();
    put_ssh_kexinit(f, rng_, true);
    lit(true, rtt + 200 * kUs);
    f.reset();
    put_ssh_ecdh_init(f, rng_);
    lit(false, 400 * kUs);
    f.reset();
    put_ssh_ecdh_reply(f, rng_);
    put_ssh_newkeys(f);
    lit(true, rtt + 3 * kMs);
    f.reset();
    put_ssh_newkeys(f);
    lit(false, 500 * kUs);
    // Encrypted from here: chacha20-poly1305 packets are 4 + 8n + 16 bytes.
    auto enc = [&](bool from_server, int64_t gap, uint32_t blocks) {
        m.push_back({from_server, gap, 20 + 8 * blocks, Fill::Random, 0});
    };
    enc(false, 200 * kUs, 4);         // service request
    enc(true, rtt + 300 * kUs, 4);    // service accept
    enc(false, 300 * kUs, 8);         // userauth (publickey query)
    enc(true, rtt + 1 * kMs, 6);      // pk ok
    enc(false, 2 * kMs, 50);          // signed userauth
    enc(true, rtt + 4 * kMs, 2);      // success
    enc(false, 300 * kUs, 10);        // channel open, pty, shell
    enc(true, rtt + 1 * kMs, 60 + rng_.below(60)); // motd and prompt
    for (int i = 0; i < keystrokes; ++i) {
        enc(false, 80 * kMs + rng_.below(900) * kMs, 2);
        if (rng_.percent(12))
            enc(true, rtt + 3 * kMs, 20 + rng_.below(400)); // command output
        else
            enc(true, rtt + 500 * kUs, 2); // echo
    }
    enc(false, 500 * kMs, 4); // exit
    enc(true, rtt + 1 * kMs, 8);
    plan_tcp(*s, rng_, t, tm, m);
    return submit(std::move(s));
}

size_t Generator::ntp(int64_t t, const Host& h, const Remote& r, const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const Ep client = net_.ep(h);
    const Ep server = net_.remote(h, r, false);
    const uint64_t sent = uint64_t(t);
    udp_frame(f, client, server, 123, 123, [&](Frame& fr) { put_ntp(fr, false, sent, 0); });
    s->add_raw(t, f);
    t += r.rtt_ns;
    udp_frame(f, server, client, 123, 123, [&](Frame& fr) { put_ntp(fr, true, uint64_t(t), sent); });
    s->add_raw(t, f);
    return submit(std::move(s));
}

size_t Generator::ping(int64_t t, const Host& h, const Ep& target, int64_t rtt, int count,
                       const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const bool v6 = target.ip.v6();
    const Ep client = net_.ep(h, v6);
    const uint16_t id = uint16_t(rng_.next());
    for (int i = 1; i <= count; ++i) {
        for (int reply = 0; reply < 2; ++reply) {
            const Ep& src = reply ? target : client;
            const Ep& dst = reply ? client : target;
            f.ethernet(dst.mac, src.mac, h.vlan, v6 ? 0x86DD : 0x0800);
            f.ip(src.ip, dst.ip, v6 ? 58 : 1, src.ttl, uint16_t(rng_.next()), true);
            f.icmp(v6 ? (reply ? 129 : 128) : (reply ? 0 : 8), 0);
            f.u16(id);
            f.u16(uint16_t(i));
            // Like Linux ping: a timeval, then bytes counting up from 0x10.
            uint64_t sec = uint64_t(t / kSec), usec = uint64_t(t % kSec / 1000);
            for (uint64_t v : {sec, usec})
                for (int b = 0; b < 8; ++b)
                    f.u8(uint8_t(v >> (8 * b)));
            for (uint8_t b = 0x10; b < 0x38; ++b)
                f.u8(b);
            f.finish();
            s->add_raw(t, f);
            if (!reply)
                t += rtt;
        }
        t += kSec - rtt;
    }
    return submit(std::move(s));
}

size_t Generator::mdns_announce(int64_t t, const Host& h, const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const Addr group = Addr::v4(224, 0, 0, 251);
    const Ep dst{ipv4_multicast_mac(group), group, h.vlan, 255};
    Ep src = net_.ep(h);
    src.ttl = 255;
    const std::string local = h.name + ".local";
    std::vector<DnsRecord> an;
    if (h.kind == Kind::Printer) {
        const std::string inst = "Office Printer._ipp._tcp.local";
        DnsRecord ptr{"_ipp._tcp.local", kDnsPtr, 1, 4500, {}, inst, 0, {}};
        DnsRecord srv{inst, kDnsSrv, 0x8001, 120, {}, local, 631, {}};
        DnsRecord txt{inst, kDnsTxt, 0x8001, 4500, {}, {}, 0,
                      {"txtvers=1", "rp=ipp/print", "ty=HP LaserJet Pro M404", "pdl=application/pdf,image/urf"}};
        an = {ptr, srv, txt};
    }
    DnsRecord a{local, kDnsA, 0x8001, 120, h.v4, {}, 0, {}};
    an.push_back(a);
    if (h.v6.valid()) {
        DnsRecord aaaa{local, kDnsAaaa, 0x8001, 120, h.v6, {}, 0, {}};
        an.push_back(aaaa);
    }
    for (int i = 0; i < 2; ++i) { // announced twice, a second apart (RFC 6762 8.3)
        udp_frame(f, src, dst, 5353, 5353, [&](Frame& fr) { put_dns(fr, 0, 0x8400, {}, an); });
        s->add_raw(t, f);
        t += kSec;
    }
    return submit(std::move(s));
}

size_t Generator::mdns_query(int64_t t, const Host& h, const std::string& service, const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const Addr group = Addr::v4(224, 0, 0, 251);
    const Ep dst{ipv4_multicast_mac(group), group, h.vlan, 255};
    Ep src = net_.ep(h);
    src.ttl = 255;
    udp_frame(f, src, dst, 5353, 5353, [&](Frame& fr) { put_dns(fr, 0, 0, {{service, kDnsPtr, 1}}, {}); });
    s->add_raw(t, f);
    size_t n = submit(std::move(s));
    // Printers answer browsing for their service.
    if (service == "_ipp._tcp.local")
        for (uint32_t p : net_.printers)
            n += mdns_announce(t + 20 * kMs + rng_.below(100) * kMs, net_.host(p), "");
    return n;
}

size_t Generator::port_scan(int64_t t, const Host& scanner, const Host& target, const std::vector<uint16_t>& ports,
                            const std::vector<uint16_t>& open, const std::string& comment)
{
    auto s = session(comment);
    Frame& f = scratch_;
    const Ep a = net_.ep(scanner), b = net_.ep(target);
    const uint16_t sport = ephemeral_port();
    auto segment = [&](const Ep& src, const Ep& dst, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
                       uint8_t flags, uint16_t win) {
        f.ethernet(dst.mac, src.mac, scanner.vlan, 0x0800);
        f.ip(src.ip, dst.ip, 6, src.ttl, uint16_t(rng_.next()), true);
        f.tcp(sp, dp, seq, ack, flags, win, false);
        if (flags & kSyn) {
            // nmap's SYN probe carries only an MSS option; the header grows by 4.
            uint8_t* h = f.at(f.size() - 20);
            h[12] = 0x60;
            f.u8(2);
            f.u8(4);
            f.u16(1460);
        }
        f.finish();
    };
    const uint32_t seq = uint32_t(rng_.next());
    for (uint16_t port : ports) {
        segment(a, b, sport, port, seq, 0, kSyn, 1024);
        s->add_raw(t, f);
        t += 150 * kUs + rng_.below(200) * kUs;
        if (std::find(open.begin(), open.end(), port) != open.end()) {
            uint32_t their = uint32_t(rng_.next());
            segment(b, a, port, sport, their, seq + 1, kSyn | kAck, 64240);
            s->add_raw(t, f);
            t += 30 * kUs;
            segment(a, b, sport, port, seq + 1, 0, kRst, 0);
            s->add_raw(t, f);
        } else {
            segment(b, a, port, sport, 0, seq + 1, kRst | kAck, 0);
            s->add_raw(t, f);
        }
        t += 2 * kMs + rng_.below(6000) * kUs;
    }
    return submit(std::move(s));
}

size_t Generator::web_visit(int64_t t, const Host& h, const Remote& r, uint32_t bytes, const std::string& comment)
{
    const bool v6 = h.v6.valid() && r.v6.valid() && rng_.percent(70);
    int64_t answer = t;
    size_t n = dns_lookup(t, h, r, false, false, comment, &answer);
    if (h.v6.valid())
        n += dns_lookup(t + 40 * kUs, h, r, true, false, "", v6 ? &answer : nullptr);
    t = answer + 200 * kUs + rng_.below(2000) * kUs;
    uint32_t kind = rng_.below(100);
    if (kind < quic_share_)
        n += quic(t, h, r, v6, bytes, "");
    else if (kind < quic_share_ + 8)
        n += http(t, h, r, v6, bytes, "");
    else
        n += https(t, h, r, v6, bytes, 1 + int(rng_.below(3)), "");
    return n;
}

// ---------------------------------------------------------------- bulk mode

Network bulk_network(Rng& rng, uint32_t host_count)
{
    Network net;
    net.domain = "corp.lan";
    net.gw_mac = make_mac(0xF4BD9E, 0x0A0001); // Cisco
    net.gw_ll6 = Addr::v6({0xfe80, 0, 0, 0, 0, 0, 0, 1});
    net.gw6 = Addr::v6({0x2001, 0x0db8, 0x0010, 0, 0, 0, 0, 1});
    net.prefix6 = Addr::v6({0x2001, 0x0db8, 0x0010, 0, 0, 0, 0, 0});
    static const uint32_t kOuis[] = {0x98E743 /* Dell */, 0xC8F750 /* Dell */, 0x10C595 /* Lenovo */,
                                     0x608B0E /* Apple */, 0xACED5C /* Intel */, 0x001B21 /* Intel */,
                                     0xD0D003 /* Samsung */, 0x70BC10 /* Microsoft */};
    auto add = [&](std::string name, Kind kind, uint32_t oui, uint32_t i) {
        Host h;
        h.name = std::move(name);
        h.kind = kind;
        h.mac = make_mac(oui, uint32_t(mix64(i + 7) & 0xFFFFFF));
        h.vlan = (kind == Kind::Phone || (kind != Kind::Server && i % 10 == 3)) ? 20 : 0;
        uint32_t subnet = 1 + i / 200;
        h.v4 = Addr::v4(10, 1, uint8_t(subnet), uint8_t(20 + i % 200));
        h.gw4 = Addr::v4(10, 1, uint8_t(subnet), 1);
        if (i % 3 == 0 || kind == Kind::Server) {
            h.v6 = with_eui64(net.prefix6, h.mac);
            h.ll6 = with_eui64(Addr::v6({0xfe80, 0, 0, 0, 0, 0, 0, 0}), h.mac);
        }
        net.hosts.push_back(h);
        return uint32_t(net.hosts.size() - 1);
    };
    net.resolver = int(add("ns1", Kind::Server, 0x000C29, 0));
    net.servers.push_back(add("files", Kind::Server, 0x001132, 1));
    net.servers.push_back(add("build", Kind::Server, 0x000C29, 2));
    net.printers.push_back(add("printer-2f", Kind::Printer, 0x040E3C, 3));
    net.printers.push_back(add("printer-3f", Kind::Printer, 0xF80DAC, 4));
    for (uint32_t i = 0; i < host_count; ++i) {
        uint32_t idx = i + 5;
        Kind kind = i % 17 == 5 ? Kind::Phone : (i % 2 ? Kind::Laptop : Kind::Desktop);
        char name[32];
        std::snprintf(name, sizeof name, "%s-%04u",
                      kind == Kind::Phone ? "phone" : (kind == Kind::Laptop ? "laptop" : "ws"), i);
        uint32_t oui = kind == Kind::Phone ? 0x805EC0 : kOuis[mix64(i) % 8];
        net.clients.push_back(add(name, kind, oui, idx));
    }
    size_t remotes = std::clamp<size_t>(size_t(host_count) * 5, 200, 20000);
    make_remotes(net, rng, remotes, false);
    return net;
}

// One random activity at time t; returns the packets it planned.
size_t spawn_bulk(Generator& g, int64_t t)
{
    Network& net = g.net();
    Rng& rng = g.rng();
    const uint32_t pick = rng.percent(50) ? rng.below(uint32_t(net.clients.size()))
                                          : rng.skewed(uint32_t(net.clients.size()));
    const Host& h = net.host(net.clients[pick]);
    const Remote& r = net.remotes[rng.skewed(uint32_t(net.remotes.size()))];
    const uint32_t what = rng.below(1000);
    if (what < 430)
        return g.web_visit(t, h, r, g.transfer_size(), "");
    if (what < 560) {
        int64_t at = t;
        return g.dns_lookup(t, h, r, h.v6.valid() && rng.percent(50), h.v6.valid() && rng.percent(20), "", &at);
    }
    if (what < 600) {
        const Remote& other = net.remotes[rng.below(uint32_t(net.remotes.size()))];
        return g.dns_ptr(t, h, other.v4, rng.percent(70) ? other.name : "", "");
    }
    if (what < 620)
        return g.dns_ptr(t, h, net.host(net.clients[rng.below(uint32_t(net.clients.size()))]).v4,
                         net.host(net.clients[rng.below(uint32_t(net.clients.size()))]).name + "." + net.domain, "");
    if (what < 650)
        return g.ntp(t, h, net.remotes[net.ntp_remote], "");
    if (what < 680) {
        if (h.v6.valid() && r.v6.valid() && rng.percent(30))
            return g.ping(t, h, net.remote(h, r, true), r.rtt_ns, 2 + int(rng.below(4)), "");
        return g.ping(t, h, net.remote(h, r, false), r.rtt_ns, 2 + int(rng.below(4)), "");
    }
    if (what < 760) {
        const Host& other = net.host(net.clients[rng.below(uint32_t(net.clients.size()))]);
        return g.arp(t, h, rng.percent(50) ? net.gateway(h) : net.ep(other), "");
    }
    if (what < 820) {
        if (rng.percent(40))
            return g.mdns_query(t, h, rng.percent(50) ? "_ipp._tcp.local" : "_googlecast._tcp.local", "");
        return g.mdns_announce(t, h, "");
    }
    if (what < 840)
        return g.dhcp_renew(t, h, "");
    if (what < 845)
        return g.dhcp_join(t, h, "");
    if (what < 875 && h.v6.valid()) {
        Ep gw{net.gw_mac, net.gw_ll6, h.vlan, 255};
        return g.neighbor_discovery(t, h, gw, "");
    }
    if (what < 880)
        return g.router_advert(t, h.vlan, "");
    if (what < 892) {
        if (rng.percent(60)) {
            const Host& srv = net.host(net.servers[rng.below(uint32_t(net.servers.size()))]);
            return g.ssh(t, h, net.ep(srv), 300 * kUs + rng.below(500) * kUs, 5 + int(rng.below(60)), "");
        }
        return g.ssh(t, h, net.remote(h, r, false), r.rtt_ns, 5 + int(rng.below(40)), "");
    }
    return g.web_visit(t, h, r, g.transfer_size(), "");
}

// ---------------------------------------------------------------- demo mode

Network office_network(Rng& rng)
{
    Network net;
    net.domain = "office.lan";
    net.gw_mac = make_mac(0x7483C2, 0x1A2B3C); // Ubiquiti
    net.gw_ll6 = Addr::v6({0xfe80, 0, 0, 0, 0x7683, 0xc2ff, 0xfe1a, 0x2b3c});
    net.gw6 = Addr::v6({0x2001, 0x0db8, 0x0001, 0, 0, 0, 0, 1});
    net.prefix6 = Addr::v6({0x2001, 0x0db8, 0x0001, 0, 0, 0, 0, 0});
    struct Def {
        const char* name;
        Kind kind;
        uint32_t oui;
        uint8_t last;
        bool v6;
    };
    static const Def kHosts[] = {
        {"nas", Kind::Server, 0x001132, 10, true},           {"office-printer", Kind::Printer, 0x040E3C, 20, false},
        {"anna-laptop", Kind::Laptop, 0x608B0E, 101, true},  {"ben-desktop", Kind::Desktop, 0x98E743, 102, false},
        {"carl-laptop", Kind::Laptop, 0x10C595, 103, true},  {"dana-laptop", Kind::Laptop, 0x608B0E, 104, true},
        {"eve-laptop", Kind::Laptop, 0xACED5C, 105, false},  {"frank-desktop", Kind::Desktop, 0xC8F750, 106, false},
        {"grace-laptop", Kind::Laptop, 0x608B0E, 107, true}, {"hugo-desktop", Kind::Desktop, 0x98E743, 108, false},
        {"iris-laptop", Kind::Laptop, 0x70BC10, 109, false}, {"jack-desktop", Kind::Desktop, 0xC8F750, 110, true},
        {"kate-laptop", Kind::Laptop, 0x10C595, 111, false}, {"leo-desktop", Kind::Desktop, 0x98E743, 112, false},
        {"meeting-room-tv", Kind::Desktop, 0x542A1B, 113, false},
        {"reception-pc", Kind::Desktop, 0xC8F750, 114, false},
        {"phone-reception", Kind::Phone, 0x805EC0, 21, false}, {"phone-sales", Kind::Phone, 0x805EC0, 22, false},
        {"phone-boss", Kind::Phone, 0x805EC0, 23, false},
    };
    uint32_t serial = 0x3A0000;
    for (const Def& d : kHosts) {
        Host h;
        h.name = d.name;
        h.kind = d.kind;
        h.mac = make_mac(d.oui, serial + rng.below(0xFFFF));
        serial += 0x10000;
        // Phones sit in the voice VLAN, tagged on the mirrored trunk.
        h.vlan = d.kind == Kind::Phone ? 20 : 0;
        const uint8_t subnet = d.kind == Kind::Phone ? 20 : 1;
        h.v4 = Addr::v4(192, 168, subnet, d.last);
        h.gw4 = Addr::v4(192, 168, subnet, 1);
        if (d.v6) {
            h.v6 = with_eui64(net.prefix6, h.mac);
            h.ll6 = with_eui64(Addr::v6({0xfe80, 0, 0, 0, 0, 0, 0, 0}), h.mac);
        }
        net.hosts.push_back(h);
        uint32_t idx = uint32_t(net.hosts.size() - 1);
        if (d.kind == Kind::Server)
            net.servers.push_back(idx);
        else if (d.kind == Kind::Printer)
            net.printers.push_back(idx);
        else
            net.clients.push_back(idx);
    }
    make_remotes(net, rng, 60, true);
    // Named services the story refers to.
    auto named = [&](size_t i, const char* name, std::vector<std::string> chain) {
        net.remotes[i].name = name;
        net.remotes[i].chain = std::move(chain);
    };
    named(0, "www.example-news.com", {"www.example-news.com.cdn-edge.net", "e4242.a.cdn-edge.net"});
    named(1, "mail.example.org", {});
    named(2, "time.example.net", {});
    named(3, "downloads.example.org", {"mirror.example.org"});
    named(4, "provisioning.voip.example", {});
    named(5, "git.example.com", {});
    named(6, "updates.example.com", {"updates.example.com.cdn-edge.net"});
    named(7, "video.example.com", {"video-edge.example.com"});
    net.ntp_remote = 2;
    return net;
}

// Finds a host of the office by name.
const Host& office(Network& net, const char* name)
{
    for (const Host& h : net.hosts)
        if (h.name == name)
            return h;
    std::fprintf(stderr, "underhood-synth: internal error: no host %s\n", name);
    std::exit(3);
}

void script_demo(Generator& g, int64_t t0)
{
    Network& net = g.net();
    auto at = [&](double s) { return t0 + int64_t(s * 1000) * kMs; };
    const Host& anna = office(net, "anna-laptop");
    const Host& ben = office(net, "ben-desktop");
    const Host& carl = office(net, "carl-laptop");
    const Host& dana = office(net, "dana-laptop");
    const Host& eve = office(net, "eve-laptop");
    const Host& printer = office(net, "office-printer");
    const Host& nas = office(net, "nas");
    const Host& grace = office(net, "grace-laptop");
    Remote& news = net.remotes[0];
    Remote& ntp_server = net.remotes[2];
    Remote& downloads = net.remotes[3];
    Remote& provisioning = net.remotes[4];
    Remote& git = net.remotes[5];
    Remote& updates = net.remotes[6];

    g.router_advert(at(0.4), 0,
                    "[1] IPv6: the router announces itself and the prefix 2001:db8:1::/64 (ICMPv6 Router "
                    "Advertisement to all nodes, ff02::1). Hosts build their own IPv6 addresses from it (SLAAC).");
    g.dhcp_join(at(1.5), anna,
                "[2] DHCP: anna-laptop joins the network. It has no address yet, so it broadcasts a DISCOVER from "
                "0.0.0.0 with its host name in option 12; the router OFFERs 192.168.1.101, anna REQUESTs it and the "
                "router ACKs. Then anna announces the address (gratuitous ARP) and ARPs for the gateway.");
    g.mdns_announce(at(3.2), anna,
                    "[3] mDNS: anna-laptop announces anna-laptop.local to 224.0.0.251 port 5353, so other devices "
                    "can find it by name without a DNS server.");
    g.web_visit(at(5.0), anna, news, 48000,
                "[4] DNS then HTTPS: anna asks the router (the office DNS resolver) for www.example-news.com. The "
                "answer is a CNAME chain ending in an address; anna connects to it on TCP port 443 and the TLS "
                "ClientHello names the site in the SNI extension (readable, although the rest is encrypted).");
    g.ntp(at(9.0), anna, ntp_server,
          "[5] NTP: anna-laptop sets its clock from time.example.net (UDP port 123, client mode 3, server answers in "
          "mode 4).");
    g.mdns_query(at(12.0), grace, "_ipp._tcp.local",
                 "[6] mDNS service discovery: grace-laptop looks for printers (_ipp._tcp.local). The printer answers "
                 "with PTR, SRV (port 631), TXT and A records.");
    for (int i = 0; i < 3; ++i) {
        const char* names[] = {"phone-reception", "phone-sales", "phone-boss"};
        const Host& phone = office(net, names[i]);
        g.dhcp_join(at(16.0 + i * 1.3), phone,
                    i == 0 ? "[7] VLAN 802.1Q: the desk phones boot in the voice VLAN 20 (tagged frames, subnet "
                             "192.168.20.0/24) and get addresses by DHCP, with their names in option 12."
                           : "");
        g.web_visit(at(19.0 + i * 1.3), phone, provisioning, 6000,
                    i == 0 ? "[8] The phones fetch their configuration over HTTPS from provisioning.voip.example." : "");
    }
    int64_t dns_at = at(25.0);
    g.dns_lookup(at(25.0), ben, downloads, false, false,
                 "[9] Plain HTTP: ben-desktop looks up downloads.example.org and fetches a page over unencrypted "
                 "HTTP on port 80. Everything is readable: the GET request, the Host header and the page.",
                 &dns_at);
    g.http(dns_at + 1 * kMs, ben, downloads, false, 9000, "");
    g.ssh(at(33.0), carl, g.net().ep(nas), 400 * kUs, 12,
          "[10] SSH: carl-laptop logs in to the NAS on TCP port 22. Both sides send a readable version banner "
          "(SSH-2.0-OpenSSH...), agree on algorithms (KEXINIT, key exchange) and then everything is encrypted.");
    g.web_visit(at(42.0), carl, git, 30000, "");
    {
        int64_t a2 = at(47.0);
        g.dns_lookup(at(47.0), carl, git, false, false,
                     "[11] SSH to the internet: carl connects to git.example.com on port 22 to push code.", &a2);
        g.ssh(a2 + 1 * kMs, carl, g.net().remote(carl, git, false), git.rtt_ns, 6, "");
    }
    g.ping(at(52.0), ben, g.net().gateway(ben), 400 * kUs, 4,
           "[12] ICMP: ben-desktop pings the gateway (Echo Request, type 8) and gets Echo Replies (type 0), one per "
           "second.");
    g.ping(at(57.0), ben, g.net().remote(ben, news, false), news.rtt_ns, 4,
           "[13] ICMP to the internet: the same ping to a remote server; compare the round-trip times.");
    {
        Ep router{net.gw_mac, net.gw_ll6, 0, 255};
        g.neighbor_discovery(at(62.0), dana, router,
                             "[14] IPv6 Neighbor Discovery: dana-laptop asks for the router's link-layer address "
                             "(Neighbor Solicitation to a solicited-node multicast group) and gets a Neighbor "
                             "Advertisement: IPv6's replacement for ARP.");
        int64_t a6 = at(63.0);
        g.dns_lookup(at(63.0), dana, news, true, true,
                     "[15] IPv6 all the way: dana asks the router over IPv6 for the AAAA record of "
                     "www.example-news.com and connects to it over IPv6 with HTTPS.",
                     &a6);
        g.https(a6 + 1 * kMs, dana, news, true, 60000, 2, "");
        g.ping(at(70.0), dana, g.net().remote(dana, news, true), news.rtt_ns, 3,
               "[16] ICMPv6 Echo Request/Reply (types 128/129) to the same server over IPv6.");
    }
    {
        std::vector<uint16_t> ports;
        for (uint16_t p = 1; p <= 120; ++p)
            ports.push_back(p);
        for (uint16_t p : {139, 443, 445, 515, 631, 3389, 8080, 9100})
            ports.push_back(p);
        // nmap probes in a shuffled order.
        for (size_t i = ports.size(); i > 1; --i)
            std::swap(ports[i - 1], ports[g.rng().below(uint32_t(i))]);
        g.arp(at(76.5), eve, g.net().ep(printer), "");
        g.port_scan(at(77.0), eve, printer, ports, {80, 443, 515, 631, 9100},
                    "[17] Port scan: eve-laptop sends TCP SYNs to 128 ports of the printer in a few seconds. Closed "
                    "ports answer RST/ACK; open ones (80, 443, 515, 631, 9100) answer SYN/ACK and eve resets them "
                    "at once. One host touching many ports quickly is the signature of a scan.");
        g.dns_ptr(at(82.0), eve, printer.v4, printer.name + "." + net.domain,
                  "[18] Reverse DNS: eve asks who 192.168.1.20 is (a PTR query for 20.1.168.192.in-addr.arpa).");
    }
    g.web_visit(at(90.0), ben, updates, 300000,
                "[19] A software update: ben-desktop downloads a larger file over HTTPS; watch the throughput "
                "graph rise.");
    g.dhcp_renew(at(105.0), ben,
                 "[20] DHCP renewal: half-way through its lease, ben-desktop asks the router directly (unicast "
                 "REQUEST) to keep its address, and gets an ACK.");
    g.arp(at(112.0), grace, g.net().ep(nas),
          "[21] ARP: grace-laptop asks \"who has 192.168.1.10?\" by broadcast; the NAS answers with its MAC "
          "address.");
    g.ssh(at(112.5), grace, g.net().ep(nas), 350 * kUs, 3, "");
}

// Background chatter of the office between the scripted events.
size_t spawn_office(Generator& g, int64_t t)
{
    Network& net = g.net();
    Rng& rng = g.rng();
    // Only hosts that are up from the start; anna and the phones join in the story.
    const Host* h = nullptr;
    while (!h) {
        const Host& c = net.host(net.clients[rng.below(uint32_t(net.clients.size()))]);
        if (c.kind != Kind::Phone && c.name != "anna-laptop")
            h = &c;
    }
    const Remote& r = net.remotes[8 + rng.skewed(uint32_t(net.remotes.size() - 8))];
    uint32_t what = rng.below(100);
    if (what < 55)
        return g.web_visit(t, *h, r, 600 + rng.below(16000), "");
    if (what < 70) {
        int64_t a = t;
        return g.dns_lookup(t, *h, r, false, false, "", &a);
    }
    if (what < 80)
        return g.arp(t, *h, net.gateway(*h), "");
    if (what < 88)
        return g.mdns_announce(t, *h, "");
    if (what < 93)
        return g.ntp(t, *h, net.remotes[net.ntp_remote], "");
    return g.mdns_query(t, *h, "_googlecast._tcp.local", "");
}

// ---------------------------------------------------------------- output

struct Totals {
    uint64_t packets = 0, bytes = 0;
    int64_t first = 0, last = 0;
};

bool write_packet(PcapngWriter& w, Session& s, const Content& c, Frame& f, Totals& tot)
{
    const Step& st = s.steps[s.next];
    render(s, st, c, f);
    std::string_view comment;
    for (const auto& [idx, text] : s.comments)
        if (idx == s.next)
            comment = text;
    if (!w.write_packet(0, uint64_t(st.t), {f.data(), f.size()}, 0, comment))
        return false;
    if (tot.packets == 0)
        tot.first = st.t;
    tot.last = st.t;
    ++tot.packets;
    tot.bytes += f.size();
    return true;
}

int usage(FILE* out, int code)
{
    std::fprintf(out,
                 "usage: underhood-synth [options] -o FILE\n"
                 "       underhood-synth --demo -o FILE\n\n"
                 "Writes deterministic synthetic traffic as pcapng.\n\n"
                 "  -o, --output FILE   where to write (\"-\" for standard output)\n"
                 "  -n, --packets N     packets to write (default 100000)\n"
                 "  --hosts N           LAN client hosts (default 100, at most 50000)\n"
                 "  --duration SEC      seconds the traffic spans (default 300)\n"
                 "  --seed N            PRNG seed (default 1)\n"
                 "  --start EPOCH       Unix time of the first packet (default 1710230400)\n"
                 "  --demo              the two-minute small-office capture with packet comments\n"
                 "  -q, --quiet         no summary on standard error\n");
    return code;
}

bool parse_u64(const char* s, uint64_t& out)
{
    if (!s || !*s)
        return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (errno || *end || s[0] == '-')
        return false;
    out = v;
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](uint64_t& out) {
            if (i + 1 >= argc || !parse_u64(argv[i + 1], out)) {
                std::fprintf(stderr, "underhood-synth: %s needs a non-negative number\n", a.c_str());
                std::exit(2);
            }
            ++i;
        };
        uint64_t v = 0;
        if (a == "-h" || a == "--help")
            return usage(stdout, 0);
        if (a == "-o" || a == "--output") {
            if (i + 1 >= argc)
                return usage(stderr, 2);
            o.output = argv[++i];
        } else if (a == "-n" || a == "--packets") {
            value(o.packets);
        } else if (a == "--hosts") {
            value(v);
            if (v < 1 || v > 50000) {
                std::fprintf(stderr, "underhood-synth: --hosts must be between 1 and 50000\n");
                return 2;
            }
            o.hosts = uint32_t(v);
        } else if (a == "--duration") {
            value(v);
            if (v < 1 || v > 86400 * 365) {
                std::fprintf(stderr, "underhood-synth: --duration must be between 1 and 31536000 seconds\n");
                return 2;
            }
            o.duration_ns = int64_t(v) * kSec;
        } else if (a == "--seed") {
            value(o.seed);
        } else if (a == "--start") {
            value(v);
            if (v > 4000000000ull) {
                std::fprintf(stderr, "underhood-synth: --start is out of range\n");
                return 2;
            }
            o.start_ns = int64_t(v) * kSec;
        } else if (a == "--demo") {
            o.demo = true;
        } else if (a == "-q" || a == "--quiet") {
            o.quiet = true;
        } else {
            std::fprintf(stderr, "underhood-synth: unknown option '%s'\n", a.c_str());
            return usage(stderr, 2);
        }
    }
    if (o.output.empty()) {
        std::fprintf(stderr, "underhood-synth: no output file (-o FILE)\n");
        return usage(stderr, 2);
    }

    const auto started = std::chrono::steady_clock::now();
    PcapngWriter w = o.output == "-" ? PcapngWriter(1, false, size_t(4) << 20)
                                     : PcapngWriter::create(o.output, size_t(4) << 20);
    if (!w.ok()) {
        std::fprintf(stderr, "underhood-synth: %s\n", w.error().c_str());
        return 1;
    }
    PcapngSectionInfo shb;
    shb.user_appl = "underhood-synth";
    shb.comment = o.demo ? "Underhood demo capture: a small office over two minutes. Synthetic traffic; every "
                           "address and name is made up. Packets that start an event carry a comment [1]..[21]."
                         : "Synthetic traffic from underhood-synth";
    PcapngInterfaceInfo itf;
    itf.link_type = 1;
    itf.snaplen = 262144;
    itf.name = o.demo ? "mirror0" : "eth0";
    itf.description = o.demo ? "switch mirror port (office LAN and voice VLAN 20)" : "synthetic LAN uplink";
    w.write_section_header(shb);
    w.write_interface(itf);

    Rng net_rng(o.seed ^ 0x5EED5EED);
    Totals tot;
    Frame frame;
    if (o.demo) {
        o.start_ns = int64_t(1726477200) * kSec; // 2024-09-16 09:00:00 UTC
        const int64_t end = o.start_ns + 120 * kSec;
        Generator g(office_network(net_rng), 2024);
        // QUIC's encrypted handshake cannot look right to a dissector with
        // made-up bytes; the classroom capture keeps to TLS over TCP.
        g.set_quic_share(0);
        script_demo(g, o.start_ns);
        int64_t next_spawn = o.start_ns + 300 * kMs;
        Scheduler& sched = g.scheduler();
        for (;;) {
            while (next_spawn < end && (sched.empty() || next_spawn <= sched.next_time())) {
                spawn_office(g, next_spawn);
                next_spawn += 400 * kMs + int64_t(g.rng().below(1600)) * kMs;
            }
            if (sched.empty())
                break;
            // Sessions planned near the end may run on; the demo stops at two minutes.
            if (sched.next_time() >= end)
                break;
            if (!write_packet(w, sched.top(), g.content(), frame, tot))
                break;
            sched.advance();
        }
    } else {
        Generator g(bulk_network(net_rng, o.hosts), o.seed);
        Scheduler& sched = g.scheduler();
        const int64_t per_packet = std::max<int64_t>(1, o.duration_ns / int64_t(std::max<uint64_t>(o.packets, 1)));
        int64_t next_spawn = o.start_ns;
        // The router advertises itself now and then; everything else is random.
        g.router_advert(o.start_ns + 10 * kMs, 0, "");
        while (tot.packets < o.packets) {
            while (sched.empty() || next_spawn <= sched.next_time()) {
                size_t planned = spawn_bulk(g, next_spawn);
                // Spread the planned packets so the capture spans the duration.
                next_spawn += std::max<int64_t>(1, int64_t(planned) * per_packet * (50 + g.rng().below(101)) / 100);
            }
            if (!write_packet(w, sched.top(), g.content(), frame, tot))
                break;
            sched.advance();
        }
    }
    if (w.ok()) {
        PcapngInterfaceStatistics isb;
        isb.ts_ns = uint64_t(tot.last);
        isb.start_ns = uint64_t(tot.first);
        isb.end_ns = uint64_t(tot.last);
        isb.ifrecv = tot.packets;
        isb.ifdrop = 0;
        isb.filteraccept = tot.packets;
        isb.osdrop = 0;
        isb.usrdeliv = tot.packets;
        w.write_statistics(isb);
    }
    if (!w.close()) {
        std::fprintf(stderr, "underhood-synth: %s: %s\n", o.output.c_str(), w.error().c_str());
        return 1;
    }
    if (!o.quiet) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr,
                     "underhood-synth: %" PRIu64 " packets, %" PRIu64 " bytes (mean %.0f), %.1f s of traffic, "
                     "written in %.2f s\n",
                     tot.packets, tot.bytes, tot.packets ? double(tot.bytes) / double(tot.packets) : 0.0,
                     double(tot.last - tot.first) / 1e9, secs);
    }
    return 0;
}
