// Frame construction for the synthetic-traffic generator: Ethernet (with an
// optional 802.1Q tag), IPv4/IPv6, TCP/UDP/ICMP/ICMPv6 headers with correct
// lengths and checksums, and the application payloads the generator needs
// (DNS, DHCP, TLS, SSH, NTP, HTTP). Nothing here allocates per packet except
// the DNS name-compression table.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace synth {

// xoshiro256** (Blackman and Vigna), seeded through splitmix64: the same
// stream on every platform, unlike the standard library's distributions.
class Rng {
public:
    explicit Rng(uint64_t seed);
    uint64_t next()
    {
        const uint64_t r = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return r;
    }
    // Uniform in [0, n) (Lemire's multiply-shift; the tiny bias is irrelevant here).
    uint32_t below(uint32_t n) { return n ? uint32_t((uint64_t(uint32_t(next() >> 32)) * n) >> 32) : 0; }
    // Uniform in [lo, hi].
    int64_t range(int64_t lo, int64_t hi) { return lo + int64_t(next() % uint64_t(hi - lo + 1)); }
    bool percent(uint32_t p) { return below(100) < p; }
    // Skewed towards small values: a few popular items, a long tail.
    uint32_t skewed(uint32_t n) { return n ? below(below(n) + 1) : 0; }
    void fill(uint8_t* p, size_t n);

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

struct Mac {
    std::array<uint8_t, 6> b{};
    static Mac broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
};

// An IPv4 (family 4) or IPv6 (family 6) address in network order.
struct Addr {
    uint8_t family = 0;
    std::array<uint8_t, 16> b{};
    bool v6() const { return family == 6; }
    bool valid() const { return family != 0; }
    static Addr v4(uint8_t a, uint8_t b1, uint8_t c, uint8_t d)
    {
        Addr x;
        x.family = 4;
        x.b[0] = a;
        x.b[1] = b1;
        x.b[2] = c;
        x.b[3] = d;
        return x;
    }
    static Addr v4(uint32_t host_order)
    {
        return v4(uint8_t(host_order >> 24), uint8_t(host_order >> 16), uint8_t(host_order >> 8), uint8_t(host_order));
    }
    static Addr v6(std::initializer_list<uint16_t> groups); // exactly 8 groups
    std::string to_string() const;
    std::string reverse_name() const; // "4.3.2.1.in-addr.arpa" or the ip6.arpa nibble form
};

// The Ethernet multicast address for an IPv6 multicast group (RFC 2464 7).
Mac ipv6_multicast_mac(const Addr& group);
// The solicited-node multicast group of an IPv6 address (RFC 4291 2.7.1).
Addr solicited_node(const Addr& a);
Mac ipv4_multicast_mac(const Addr& group);

enum TcpFlag : uint8_t { kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10 };

constexpr size_t kMaxFrame = 1536;

// One frame under construction. Headers go in order; finish() fills in every
// length and checksum and pads to the 60-byte Ethernet minimum.
class Frame {
public:
    void ethernet(const Mac& dst, const Mac& src, uint16_t vlan, uint16_t ethertype);
    void ip(const Addr& src, const Addr& dst, uint8_t proto, uint8_t ttl, uint16_t id = 0, bool dont_fragment = false);
    void udp(uint16_t sport, uint16_t dport);
    void tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
             bool syn_options = false);
    void icmp(uint8_t type, uint8_t code); // ICMP or ICMPv6 after ip()
    void finish();

    uint8_t* put(size_t n)
    {
        uint8_t* p = d_ + n_;
        n_ += n;
        return p;
    }
    void u8(uint8_t v) { d_[n_++] = v; }
    void u16(uint16_t v)
    {
        d_[n_] = uint8_t(v >> 8);
        d_[n_ + 1] = uint8_t(v);
        n_ += 2;
    }
    void u32(uint32_t v)
    {
        u16(uint16_t(v >> 16));
        u16(uint16_t(v));
    }
    void bytes(const void* p, size_t n)
    {
        std::memcpy(d_ + n_, p, n);
        n_ += n;
    }
    void text(std::string_view s) { bytes(s.data(), s.size()); }
    void zeros(size_t n)
    {
        std::memset(d_ + n_, 0, n);
        n_ += n;
    }
    void addr(const Addr& a) { bytes(a.b.data(), a.v6() ? 16 : 4); }
    void mac(const Mac& m) { bytes(m.b.data(), 6); }

    size_t size() const { return n_; }
    const uint8_t* data() const { return d_; }
    uint8_t* at(size_t off) { return d_ + off; }
    // Bytes left for payload before the frame reaches 1514 bytes (plus a tag).
    size_t room() const { return max_len_ - n_; }
    // Offset where the application payload starts (after the L4 header).
    size_t payload_offset() const { return l7_; }
    void reset() { n_ = l3_ = l4_ = l7_ = 0; }

private:
    uint8_t d_[kMaxFrame];
    size_t n_ = 0;
    size_t l3_ = 0, l4_ = 0, l7_ = 0;
    size_t max_len_ = 1514;
    uint8_t family_ = 0;
    uint8_t l4proto_ = 0;
};

// ---- application payloads ----

struct DnsQuestion {
    std::string name;
    uint16_t type = 1;
    uint16_t cls = 1;
};

struct DnsRecord {
    std::string name;
    uint16_t type = 1;
    uint16_t cls = 1; // mDNS sets the cache-flush bit (0x8001)
    uint32_t ttl = 300;
    Addr address;             // A, AAAA
    std::string target;       // CNAME, PTR, SRV target
    uint16_t srv_port = 0;    // SRV
    std::vector<std::string> txt; // TXT strings
};

enum : uint16_t { kDnsA = 1, kDnsPtr = 12, kDnsTxt = 16, kDnsAaaa = 28, kDnsSrv = 33, kDnsCname = 5 };

// A DNS message with name compression (RFC 1035 4.1.4).
void put_dns(Frame& f, uint16_t id, uint16_t flags, const std::vector<DnsQuestion>& questions,
             const std::vector<DnsRecord>& answers, const std::vector<DnsRecord>& additional = {});

struct DhcpMessage {
    uint8_t op = 1;   // 1 request, 2 reply
    uint8_t type = 1; // option 53: 1 discover, 2 offer, 3 request, 5 ack, 7 release
    uint32_t xid = 0;
    uint16_t secs = 0;
    bool broadcast = false;
    Addr ciaddr, yiaddr, siaddr;
    Mac chaddr;
    std::string hostname;       // option 12
    std::string vendor_class;   // option 60
    Addr requested;             // option 50
    Addr server_id;             // option 54
    Addr subnet_mask, router, dns; // options 1, 3, 6
    std::string domain;         // option 15
    uint32_t lease = 0;         // option 51
};
void put_dhcp(Frame& f, const DhcpMessage& m);

// TLS 1.3 records as a client and server send them before encryption starts.
void put_tls_client_hello(Frame& f, Rng& rng, std::string_view sni, bool alpn_h2);
void put_tls_server_hello(Frame& f, Rng& rng);
void put_tls_change_cipher_spec(Frame& f);
// One application_data record of exactly `total` bytes (header included).
void put_tls_app_data(Frame& f, const uint8_t* random, size_t total);

// SSH binary packets (RFC 4253 6) before the keys change.
void put_ssh_kexinit(Frame& f, Rng& rng, bool server);
void put_ssh_ecdh_init(Frame& f, Rng& rng);
void put_ssh_ecdh_reply(Frame& f, Rng& rng);
void put_ssh_newkeys(Frame& f);

void put_ntp(Frame& f, bool server, uint64_t ts_ns, uint64_t origin_ns);

// Internet checksum helpers.
uint64_t checksum_add(uint64_t acc, const uint8_t* p, size_t n);
uint16_t checksum_fold(uint64_t acc);

} // namespace synth
