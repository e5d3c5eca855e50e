#include "synth_frame.h"

#include <cstdio>

namespace synth {

namespace {

uint64_t splitmix64(uint64_t& x)
{
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void patch16(uint8_t* p, size_t v)
{
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}

void patch24(uint8_t* p, size_t v)
{
    p[0] = uint8_t(v >> 16);
    p[1] = uint8_t(v >> 8);
    p[2] = uint8_t(v);
}

} // namespace

Rng::Rng(uint64_t seed)
{
    uint64_t x = seed;
    for (auto& s : s_)
        s = splitmix64(x);
}

void Rng::fill(uint8_t* p, size_t n)
{
    while (n >= 8) {
        uint64_t v = next();
        std::memcpy(p, &v, 8);
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = next();
        std::memcpy(p, &v, n);
    }
}

Addr Addr::v6(std::initializer_list<uint16_t> groups)
{
    Addr a;
    a.family = 6;
    size_t i = 0;
    for (uint16_t g : groups) {
        if (i >= 8)
            break;
        a.b[i * 2] = uint8_t(g >> 8);
        a.b[i * 2 + 1] = uint8_t(g);
        ++i;
    }
    return a;
}

std::string Addr::to_string() const
{
    char buf[64];
    if (family == 4) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        return buf;
    }
    // Full form without zero compression is enough for comments.
    std::string s;
    for (int i = 0; i < 8; ++i) {
        std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", unsigned(b[size_t(i) * 2] << 8 | b[size_t(i) * 2 + 1]));
        s += buf;
    }
    return s;
}

std::string Addr::reverse_name() const
{
    char buf[16];
    std::string s;
    if (family == 4) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[3], b[2], b[1], b[0]);
        return std::string(buf) + ".in-addr.arpa";
    }
    static const char* hex = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        s += hex[b[size_t(i)] & 0xF];
        s += '.';
        s += hex[b[size_t(i)] >> 4];
        s += '.';
    }
    return s + "ip6.arpa";
}

Mac ipv6_multicast_mac(const Addr& g) { return {{0x33, 0x33, g.b[12], g.b[13], g.b[14], g.b[15]}}; }

Mac ipv4_multicast_mac(const Addr& g) { return {{0x01, 0x00, 0x5e, uint8_t(g.b[1] & 0x7f), g.b[2], g.b[3]}}; }

Addr solicited_node(const Addr& a)
{
    Addr s = Addr::v6({0xff02, 0, 0, 0, 0, 1, 0xff00, 0});
    s.b[13] = a.b[13];
    s.b[14] = a.b[14];
    s.b[15] = a.b[15];
    return s;
}

// Sums 16-bit words in the host's order; the folded result stored back in the
// host's order is the right checksum in network order (RFC 1071 2(B)).
uint64_t checksum_add(uint64_t acc, const uint8_t* p, size_t n)
{
    while (n >= 8) {
        uint32_t a, b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + 4, 4);
        acc += uint64_t(a) + b;
        p += 8;
        n -= 8;
    }
    while (n >= 2) {
        uint16_t w;
        std::memcpy(&w, p, 2);
        acc += w;
        p += 2;
        n -= 2;
    }
    if (n) {
        uint8_t last[2] = {p[0], 0};
        uint16_t w;
        std::memcpy(&w, last, 2);
        acc += w;
    }
    return acc;
}

uint16_t checksum_fold(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return uint16_t(~acc);
}

void Frame::ethernet(const Mac& dst, const Mac& src, uint16_t vlan, uint16_t ethertype)
{
    n_ = l3_ = l4_ = l7_ = 0;
    family_ = 0;
    l4proto_ = 0;
    mac(dst);
    mac(src);
    if (vlan) {
        u16(0x8100);
        u16(vlan & 0x0FFF);
    }
    max_len_ = 1514 + (vlan ? 4 : 0);
    u16(ethertype);
    l3_ = n_;
}

void Frame::ip(const Addr& src, const Addr& dst, uint8_t proto, uint8_t ttl, uint16_t id, bool dont_fragment)
{
    l3_ = n_;
    family_ = src.family;
    l4proto_ = proto;
    if (!src.v6()) {
        u8(0x45);
        u8(0);
        u16(0); // total length, set by finish()
        u16(id);
        u16(dont_fragment ? 0x4000 : 0);
        u8(ttl);
        u8(proto);
        u16(0);
        addr(src);
        addr(dst);
    } else {
        u32(0x60000000);
        u16(0); // payload length
        u8(proto);
        u8(ttl);
        addr(src);
        addr(dst);
    }
    l4_ = l7_ = n_;
}

void Frame::udp(uint16_t sport, uint16_t dport)
{
    l4_ = n_;
    u16(sport);
    u16(dport);
    u16(0);
    u16(0);
    l7_ = n_;
}

void Frame::tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
                bool syn_options)
{
    l4_ = n_;
    u16(sport);
    u16(dport);
    u32(seq);
    u32(ack);
    u8(syn_options ? 0x80 : 0x50);
    u8(flags);
    u16(window);
    u16(0);
    u16(0);
    if (syn_options) {
        // MSS 1460, NOP NOP SACK-permitted, NOP window scale 7.
        static const uint8_t opts[12] = {2, 4, 0x05, 0xB4, 1, 1, 4, 2, 1, 3, 3, 7};
        bytes(opts, sizeof opts);
    }
    l7_ = n_;
}

void Frame::icmp(uint8_t type, uint8_t code)
{
    l4_ = n_;
    u8(type);
    u8(code);
    u16(0);
    l7_ = n_;
}

void Frame::finish()
{
    if (family_ == 4) {
        patch16(d_ + l3_ + 2, n_ - l3_);
        uint16_t c = checksum_fold(checksum_add(0, d_ + l3_, 20));
        std::memcpy(d_ + l3_ + 10, &c, 2);
    } else if (family_ == 6) {
        patch16(d_ + l3_ + 4, n_ - l3_ - 40);
    }
    if (family_ && l4_ > l3_) {
        const size_t l4len = n_ - l4_;
        size_t csum_off = 0;
        bool pseudo = true;
        switch (l4proto_) {
        case 6: csum_off = 16; break;
        case 17:
            patch16(d_ + l4_ + 4, l4len);
            csum_off = 6;
            break;
        case 1:
            csum_off = 2;
            pseudo = false;
            break;
        case 58: csum_off = 2; break;
        default: break;
        }
        if (csum_off) {
            uint64_t acc = 0;
            if (pseudo) {
                uint8_t ph[40];
                size_t alen = family_ == 6 ? 16 : 4;
                acc = checksum_add(acc, d_ + l3_ + (family_ == 6 ? 8 : 12), alen * 2);
                if (family_ == 6) {
                    ph[0] = uint8_t(l4len >> 24);
                    ph[1] = uint8_t(l4len >> 16);
                    ph[2] = uint8_t(l4len >> 8);
                    ph[3] = uint8_t(l4len);
                    ph[4] = ph[5] = ph[6] = 0;
                    ph[7] = l4proto_;
                    acc = checksum_add(acc, ph, 8);
                } else {
                    ph[0] = 0;
                    ph[1] = l4proto_;
                    ph[2] = uint8_t(l4len >> 8);
                    ph[3] = uint8_t(l4len);
                    acc = checksum_add(acc, ph, 4);
                }
            }
            acc = checksum_add(acc, d_ + l4_, l4len);
            uint16_t c = checksum_fold(acc);
            if (c == 0 && l4proto_ == 17)
                c = 0xFFFF;
            std::memcpy(d_ + l4_ + csum_off, &c, 2);
        }
    }
    if (n_ < 60)
        zeros(60 - n_);
}

// ---- DNS ----

namespace {

struct NameTable {
    size_t base;
    std::vector<std::pair<std::string, uint16_t>> names;
};

void put_name(Frame& f, NameTable& t, std::string_view name, bool compress)
{
    while (!name.empty()) {
        if (compress) {
            for (const auto& [s, off] : t.names)
                if (s == name) {
                    f.u16(uint16_t(0xC000 | off));
                    return;
                }
        }
        size_t off = f.size() - t.base;
        if (off < 0x3FFF)
            t.names.emplace_back(std::string(name), uint16_t(off));
        size_t dot = name.find('.');
        std::string_view label = name.substr(0, dot);
        f.u8(uint8_t(label.size()));
        f.text(label);
        name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    }
    f.u8(0);
}

void put_record(Frame& f, NameTable& t, const DnsRecord& r)
{
    put_name(f, t, r.name, true);
    f.u16(r.type);
    f.u16(r.cls);
    f.u32(r.ttl);
    size_t len_at = f.size();
    f.u16(0);
    size_t start = f.size();
    switch (r.type) {
    case kDnsA:
    case kDnsAaaa: f.addr(r.address); break;
    case kDnsCname:
    case kDnsPtr: put_name(f, t, r.target, true); break;
    case kDnsSrv:
        f.u16(0); // priority
        f.u16(0); // weight
        f.u16(r.srv_port);
        put_name(f, t, r.target, false); // RFC 2782: no compression in SRV targets
        break;
    case kDnsTxt:
        if (r.txt.empty())
            f.u8(0);
        for (const std::string& s : r.txt) {
            f.u8(uint8_t(s.size()));
            f.text(s);
        }
        break;
    default: break;
    }
    patch16(f.at(len_at), f.size() - start);
}

} // namespace

void put_dns(Frame& f, uint16_t id, uint16_t flags, const std::vector<DnsQuestion>& questions,
             const std::vector<DnsRecord>& answers, const std::vector<DnsRecord>& additional)
{
    NameTable t{f.size(), {}};
    f.u16(id);
    f.u16(flags);
    f.u16(uint16_t(questions.size()));
    f.u16(uint16_t(answers.size()));
    f.u16(0);
    f.u16(uint16_t(additional.size()));
    for (const DnsQuestion& q : questions) {
        put_name(f, t, q.name, true);
        f.u16(q.type);
        f.u16(q.cls);
    }
    for (const DnsRecord& r : answers)
        put_record(f, t, r);
    for (const DnsRecord& r : additional)
        put_record(f, t, r);
}

// ---- DHCP (RFC 2131, options RFC 2132) ----

void put_dhcp(Frame& f, const DhcpMessage& m)
{
    const size_t start = f.size();
    f.u8(m.op);
    f.u8(1); // Ethernet
    f.u8(6);
    f.u8(0);
    f.u32(m.xid);
    f.u16(m.secs);
    f.u16(m.broadcast ? 0x8000 : 0);
    for (const Addr* a : {&m.ciaddr, &m.yiaddr, &m.siaddr}) {
        if (a->valid())
            f.addr(*a);
        else
            f.zeros(4);
    }
    f.zeros(4); // giaddr
    f.mac(m.chaddr);
    f.zeros(10 + 64 + 128); // rest of chaddr, sname, file
    f.u32(0x63825363);
    auto opt_addr = [&](uint8_t code, const Addr& a) {
        if (!a.valid())
            return;
        f.u8(code);
        f.u8(4);
        f.addr(a);
    };
    auto opt_text = [&](uint8_t code, const std::string& s) {
        if (s.empty())
            return;
        f.u8(code);
        f.u8(uint8_t(s.size()));
        f.text(s);
    };
    f.u8(53);
    f.u8(1);
    f.u8(m.type);
    if (m.op == 1) {
        f.u8(61); // client identifier: hardware type, then the MAC
        f.u8(7);
        f.u8(1);
        f.mac(m.chaddr);
        opt_addr(50, m.requested);
        opt_addr(54, m.server_id);
        opt_text(12, m.hostname);
        opt_text(60, m.vendor_class);
        if (m.type == 1 || m.type == 3) {
            static const uint8_t prl[] = {1, 3, 6, 15, 28, 42, 119};
            f.u8(55);
            f.u8(sizeof prl);
            f.bytes(prl, sizeof prl);
        }
    } else {
        opt_addr(54, m.server_id);
        if (m.lease) {
            f.u8(51);
            f.u8(4);
            f.u32(m.lease);
            f.u8(58);
            f.u8(4);
            f.u32(m.lease / 2);
            f.u8(59);
            f.u8(4);
            f.u32(m.lease / 8 * 7);
        }
        opt_addr(1, m.subnet_mask);
        opt_addr(3, m.router);
        opt_addr(6, m.dns);
        opt_text(15, m.domain);
    }
    f.u8(255);
    // BOOTP relays expect at least 300 bytes.
    size_t len = f.size() - start;
    if (len < 300)
        f.zeros(300 - len);
}

// ---- TLS 1.3 (RFC 8446) ----

void put_tls_client_hello(Frame& f, Rng& rng, std::string_view sni, bool alpn_h2)
{
    size_t rec = f.size();
    f.u8(22);
    f.u16(0x0301);
    f.u16(0);
    size_t hs = f.size();
    f.u8(1);
    f.u8(0);
    f.u16(0);
    f.u16(0x0303);
    rng.fill(f.put(32), 32); // random
    f.u8(32);
    rng.fill(f.put(32), 32); // legacy session id
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8};
    f.u16(sizeof suites);
    for (uint16_t s : suites)
        f.u16(s);
    f.u8(1);
    f.u8(0);
    size_t ext = f.size();
    f.u16(0);
    // server_name
    f.u16(0x0000);
    f.u16(uint16_t(sni.size() + 5));
    f.u16(uint16_t(sni.size() + 3));
    f.u8(0);
    f.u16(uint16_t(sni.size()));
    f.text(sni);
    // supported_groups: x25519, secp256r1
    f.u16(0x000a);
    f.u16(6);
    f.u16(4);
    f.u16(0x001d);
    f.u16(0x0017);
    // ec_point_formats: uncompressed
    f.u16(0x000b);
    f.u16(2);
    f.u8(1);
    f.u8(0);
    // signature_algorithms
    f.u16(0x000d);
    f.u16(8);
    f.u16(6);
    f.u16(0x0403);
    f.u16(0x0804);
    f.u16(0x0401);
    if (alpn_h2) {
        f.u16(0x0010);
        f.u16(14);
        f.u16(12);
        f.u8(2);
        f.text("h2");
        f.u8(8);
        f.text("http/1.1");
    }
    // supported_versions: TLS 1.3, 1.2
    f.u16(0x002b);
    f.u16(5);
    f.u8(4);
    f.u16(0x0304);
    f.u16(0x0303);
    // psk_key_exchange_modes: psk_dhe_ke
    f.u16(0x002d);
    f.u16(2);
    f.u8(1);
    f.u8(1);
    // key_share: one x25519 share
    f.u16(0x0033);
    f.u16(38);
    f.u16(36);
    f.u16(0x001d);
    f.u16(32);
    rng.fill(f.put(32), 32);
    patch16(f.at(ext), f.size() - ext - 2);
    patch24(f.at(hs + 1), f.size() - hs - 4);
    patch16(f.at(rec + 3), f.size() - rec - 5);
}

void put_tls_server_hello(Frame& f, Rng& rng)
{
    size_t rec = f.size();
    f.u8(22);
    f.u16(0x0303);
    f.u16(0);
    size_t hs = f.size();
    f.u8(2);
    f.u8(0);
    f.u16(0);
    f.u16(0x0303);
    rng.fill(f.put(32), 32);
    f.u8(32);
    rng.fill(f.put(32), 32);
    f.u16(0x1301);
    f.u8(0);
    f.u16(46); // extensions
    f.u16(0x002b);
    f.u16(2);
    f.u16(0x0304);
    f.u16(0x0033);
    f.u16(36);
    f.u16(0x001d);
    f.u16(32);
    rng.fill(f.put(32), 32);
    patch24(f.at(hs + 1), f.size() - hs - 4);
    patch16(f.at(rec + 3), f.size() - rec - 5);
}

void put_tls_change_cipher_spec(Frame& f)
{
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    f.bytes(ccs, sizeof ccs);
}

void put_tls_app_data(Frame& f, const uint8_t* random, size_t total)
{
    f.u8(23);
    f.u16(0x0303);
    f.u16(uint16_t(total - 5));
    f.bytes(random, total - 5);
}

// ---- SSH (RFC 4253) ----

namespace {

void ssh_string(Frame& f, std::string_view s)
{
    f.u32(uint32_t(s.size()));
    f.text(s);
}

// Starts a binary packet; returns the offset of its length field.
size_t ssh_begin(Frame& f)
{
    size_t at = f.size();
    f.u32(0);
    f.u8(0);
    return at;
}

void ssh_end(Frame& f, Rng& rng, size_t at)
{
    size_t payload = f.size() - at - 5;
    size_t pad = 8 - (5 + payload) % 8;
    if (pad < 4)
        pad += 8;
    rng.fill(f.put(pad), pad);
    uint32_t plen = uint32_t(1 + payload + pad);
    uint8_t* p = f.at(at);
    p[0] = uint8_t(plen >> 24);
    p[1] = uint8_t(plen >> 16);
    p[2] = uint8_t(plen >> 8);
    p[3] = uint8_t(plen);
    p[4] = uint8_t(pad);
}

} // namespace

void put_ssh_kexinit(Frame& f, Rng& rng, bool server)
{
    size_t at = ssh_begin(f);
    f.u8(20);
    rng.fill(f.put(16), 16);
    ssh_string(f, server ? "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256"
                         : "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ext-info-c");
    ssh_string(f, "ssh-rsa,rsa-sha2-512,rsa-sha2-256,ssh-ed25519");
    for (int i = 0; i < 2; ++i)
        ssh_string(f, "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr");
    for (int i = 0; i < 2; ++i)
        ssh_string(f, "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com");
    for (int i = 0; i < 2; ++i)
        ssh_string(f, "none,zlib@openssh.com");
    ssh_string(f, "");
    ssh_string(f, "");
    f.u8(0);
    f.u32(0);
    ssh_end(f, rng, at);
}

void put_ssh_ecdh_init(Frame& f, Rng& rng)
{
    size_t at = ssh_begin(f);
    f.u8(30);
    f.u32(32);
    rng.fill(f.put(32), 32);
    ssh_end(f, rng, at);
}

void put_ssh_ecdh_reply(Frame& f, Rng& rng)
{
    // An ssh-rsa host key and signature: Wireshark 4.0 decodes those in
    // full, but stops after the type of an Ed25519 or rsa-sha2 signature and
    // warns about the rest.
    size_t at = ssh_begin(f);
    f.u8(31);
    f.u32(4 + 7 + 4 + 3 + 4 + 257); // host key blob: "ssh-rsa", e, n
    ssh_string(f, "ssh-rsa");
    f.u32(3);
    f.u8(0x01);
    f.u8(0x00);
    f.u8(0x01);
    f.u32(257);
    f.u8(0); // n is positive: a leading zero before its top bit
    rng.fill(f.put(256), 256);
    f.at(f.size() - 256)[0] |= 0x80;
    f.u32(32); // server's ephemeral key
    rng.fill(f.put(32), 32);
    f.u32(4 + 7 + 4 + 256); // signature blob
    ssh_string(f, "ssh-rsa");
    f.u32(256);
    rng.fill(f.put(256), 256);
    f.at(f.size() - 256)[0] &= 0x7f; // read as an mpint: keep it positive
    ssh_end(f, rng, at);
}

void put_ssh_newkeys(Frame& f)
{
    // Padding of a fixed pattern keeps this helper free of the generator.
    f.u32(12);
    f.u8(10);
    f.u8(21);
    f.zeros(10);
}

// ---- NTP (RFC 5905) ----

void put_ntp(Frame& f, bool server, uint64_t ts_ns, uint64_t origin_ns)
{
    auto ntp_ts = [&](uint64_t ns) {
        if (!ns) {
            f.zeros(8);
            return;
        }
        uint64_t sec = ns / 1000000000 + 2208988800ull;
        uint64_t frac = ((ns % 1000000000) << 32) / 1000000000;
        f.u32(uint32_t(sec));
        f.u32(uint32_t(frac));
    };
    f.u8(server ? 0x24 : 0x23); // version 4, mode 4 (server) or 3 (client)
    f.u8(server ? 2 : 0);       // stratum
    f.u8(6);                    // poll 2^6 s
    f.u8(0xE9);                 // precision 2^-23 s
    f.u32(server ? 0x00000200 : 0);
    f.u32(server ? 0x00000400 : 0);
    if (server)
        f.bytes("\xc0\x00\x02\x7b", 4); // reference: the upstream server's address
    else
        f.zeros(4);
    ntp_ts(server ? ts_ns - 12000000000ull : 0); // reference time
    ntp_ts(server ? origin_ns : 0);
    ntp_ts(server ? ts_ns - 20000 : 0);
    ntp_ts(ts_ns);
}

} // namespace synth
