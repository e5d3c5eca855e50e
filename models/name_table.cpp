#include "name_table.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace underhood {

namespace {

const std::vector<std::string> kNoNames;

void add_unique(std::vector<std::string>& v, const std::string& name)
{
    if (name.empty() || v.size() >= NameTable::kMaxNamesPerAddress)
        return;
    if (std::find(v.begin(), v.end(), name) == v.end())
        v.push_back(name);
}

// Reads a possibly compressed DNS name (RFC 1035 4.1.4) starting at `off`.
// Returns false for a malformed name; `next` is the offset after the name in
// the original position.
bool read_dns_name(Bytes msg, size_t off, std::string& name, size_t& next)
{
    name.clear();
    bool jumped = false;
    int jumps = 0;
    for (;;) {
        if (off >= msg.size())
            return false;
        uint8_t len = msg[off];
        if (len == 0) {
            if (!jumped)
                next = off + 1;
            return true;
        }
        if ((len & 0xC0) == 0xC0) {
            if (off + 1 >= msg.size() || ++jumps > 32)
                return false;
            if (!jumped)
                next = off + 2;
            jumped = true;
            off = size_t(len & 0x3F) << 8 | msg[off + 1];
            continue;
        }
        if (len & 0xC0)
            return false; // extended label types are obsolete
        if (off + 1 + len > msg.size() || name.size() + len + 1 > 255)
            return false;
        if (!name.empty())
            name += '.';
        name += printable_name(msg.data() + off + 1, len);
        off += 1 + size_t(len);
    }
}

bool ends_with_ci(const std::string& s, const char* suffix)
{
    size_t n = std::strlen(suffix);
    if (s.size() < n)
        return false;
    for (size_t i = 0; i < n; ++i)
        if (std::tolower(static_cast<unsigned char>(s[s.size() - n + i])) != suffix[i])
            return false;
    return true;
}

// "4.3.2.1.in-addr.arpa" -> 1.2.3.4; nibble form for ip6.arpa.
std::optional<IpAddress> reverse_name_address(const std::string& owner)
{
    IpAddress a;
    if (ends_with_ci(owner, ".in-addr.arpa")) {
        std::string body = owner.substr(0, owner.size() - 13);
        unsigned v[4];
        char tail;
        if (std::sscanf(body.c_str(), "%u.%u.%u.%u%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
            return std::nullopt;
        a.family = 4;
        for (int i = 0; i < 4; ++i) {
            if (v[i] > 255)
                return std::nullopt;
            a.bytes[size_t(3 - i)] = uint8_t(v[i]);
        }
        return a;
    }
    if (ends_with_ci(owner, ".ip6.arpa")) {
        std::string body = owner.substr(0, owner.size() - 9);
        if (body.size() != 63)
            return std::nullopt;
        a.family = 6;
        for (int i = 0; i < 32; ++i) {
            char c = body[size_t(i) * 2];
            if ((i < 31 && body[size_t(i) * 2 + 1] != '.') || !std::isxdigit(static_cast<unsigned char>(c)))
                return std::nullopt;
            int nib = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
            int idx = 31 - i; // nibble index from the most significant
            if (idx % 2 == 0)
                a.bytes[size_t(idx / 2)] |= uint8_t(nib << 4);
            else
                a.bytes[size_t(idx / 2)] |= uint8_t(nib);
        }
        return a;
    }
    return std::nullopt;
}

} // namespace

std::string printable_name(const uint8_t* p, size_t n)
{
    std::string s;
    s.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        uint8_t c = p[i];
        if (c > 0x20 && c < 0x7F && c != '\\') {
            s += char(c);
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            s += buf;
        }
    }
    return s;
}

const std::vector<std::string>& NameTable::names_for(const IpAddress& a) const
{
    auto it = by_ip_.find(a);
    return it == by_ip_.end() ? kNoNames : it->second;
}

const std::vector<std::string>& NameTable::names_for(const MacAddress& m) const
{
    auto it = by_mac_.find(m);
    return it == by_mac_.end() ? kNoNames : it->second;
}

std::optional<MacAddress> NameTable::mac_for(const IpAddress& a) const
{
    auto it = ip_mac_.find(a);
    if (it == ip_mac_.end())
        return std::nullopt;
    return it->second;
}

void NameTable::add_name(const IpAddress& a, const std::string& name)
{
    if (a.valid())
        add_unique(by_ip_[a], name);
}

void NameTable::add_name(const MacAddress& m, const std::string& name) { add_unique(by_mac_[m], name); }

void NameTable::observe(Bytes data, const DecodedPacket& dp)
{
    if (dp.app == Proto::None || dp.app_offset > data.size())
        return;
    Bytes app = data.subspan(dp.app_offset, std::min<size_t>(dp.app_length, data.size() - dp.app_offset));
    switch (dp.app) {
    case Proto::Dns:
    case Proto::Mdns:
    case Proto::Llmnr:
        if (dp.transport == Proto::Tcp) {
            // DNS over TCP: a two-byte length, then the message.
            if (app.size() > 2)
                parse_dns(app.subspan(2));
        } else {
            parse_dns(app);
        }
        break;
    case Proto::Dhcp: parse_dhcp(app); break;
    case Proto::Arp:
        // Ethernet/IPv4 ARP (RFC 826): the sender binds its IP to its MAC.
        if (app.size() >= 28 && load_be16(app.data()) == 1 && load_be16(app.data() + 2) == 0x0800 && app[4] == 6 &&
            app[5] == 4) {
            IpAddress spa = IpAddress::v4(app.data() + 14);
            if (load_be32(spa.bytes.data()) != 0) {
                MacAddress sha;
                std::memcpy(sha.bytes.data(), app.data() + 8, 6);
                ip_mac_[spa] = sha;
            }
        }
        break;
    case Proto::Tls:
        if (auto sni = tls_sni(app))
            add_name(dp.port_ip_dst, *sni);
        break;
    case Proto::Http:
        // Only requests name a server; body segments of port-80 flows are skipped
        // cheaply (a request line starts with an upper-case method).
        if (app.size() >= 4 && app[0] >= 'A' && app[0] <= 'Z' && app[1] >= 'A' && app[1] <= 'Z')
            if (auto host = http_host(app))
                add_name(dp.port_ip_dst, *host);
        break;
    default: break;
    }
}

void NameTable::parse_dns(Bytes msg)
{
    if (msg.size() < 12)
        return;
    uint16_t flags = load_be16(msg.data() + 2);
    if (!(flags & 0x8000))
        return; // a query names nothing yet
    size_t qd = load_be16(msg.data() + 4);
    size_t rr = size_t(load_be16(msg.data() + 6)) + load_be16(msg.data() + 8) + load_be16(msg.data() + 10);
    size_t off = 12;
    std::string name;
    std::string question;
    for (size_t i = 0; i < qd && i < 64; ++i) {
        size_t next = 0;
        if (!read_dns_name(msg, off, name, next) || next + 4 > msg.size())
            return;
        if (i == 0)
            question = name;
        off = next + 4;
    }
    // alias -> canonical name, to walk CNAME chains back to what was asked.
    std::vector<std::pair<std::string, std::string>> cnames;
    struct Address {
        std::string owner;
        IpAddress ip;
    };
    std::vector<Address> addresses;
    for (size_t i = 0; i < rr && i < 256; ++i) {
        size_t next = 0;
        if (!read_dns_name(msg, off, name, next) || next + 10 > msg.size())
            break;
        uint16_t type = load_be16(msg.data() + next);
        uint16_t rdlen = load_be16(msg.data() + next + 8);
        size_t rd = next + 10;
        if (rd + rdlen > msg.size())
            break;
        switch (type) {
        case 1:
            if (rdlen == 4)
                addresses.push_back({name, IpAddress::v4(msg.data() + rd)});
            break;
        case 28:
            if (rdlen == 16)
                addresses.push_back({name, IpAddress::v6(msg.data() + rd)});
            break;
        case 5: {
            std::string target;
            size_t ignored = 0;
            if (read_dns_name(msg, rd, target, ignored))
                cnames.emplace_back(name, target);
            break;
        }
        case 12: {
            std::string target;
            size_t ignored = 0;
            auto ip = reverse_name_address(name);
            if (ip && read_dns_name(msg, rd, target, ignored))
                add_name(*ip, target);
            break;
        }
        default: break;
        }
        off = rd + rdlen;
    }
    for (const Address& a : addresses) {
        // Walk the chain back: the name that was asked comes first.
        std::vector<std::string> chain{a.owner};
        for (int hops = 0; hops < 16; ++hops) {
            auto it = std::find_if(cnames.begin(), cnames.end(),
                                   [&](const auto& c) { return c.second == chain.back(); });
            if (it == cnames.end() || std::find(chain.begin(), chain.end(), it->first) != chain.end())
                break;
            chain.push_back(it->first);
        }
        for (auto it = chain.rbegin(); it != chain.rend(); ++it)
            add_name(a.ip, *it);
    }
    (void)question;
}

void NameTable::parse_dhcp(Bytes msg)
{
    // BOOTP fixed part (RFC 2131): 236 bytes, then the magic cookie.
    if (msg.size() < 240 || load_be32(msg.data() + 236) != 0x63825363)
        return;
    IpAddress ciaddr = IpAddress::v4(msg.data() + 12);
    IpAddress yiaddr = IpAddress::v4(msg.data() + 16);
    bool ether = msg[1] == 1 && msg[2] == 6;
    MacAddress chaddr;
    std::memcpy(chaddr.bytes.data(), msg.data() + 28, 6);
    std::string host;
    IpAddress requested;
    uint8_t type = 0;
    size_t off = 240;
    while (off < msg.size()) {
        uint8_t code = msg[off];
        if (code == 255)
            break;
        if (code == 0) {
            ++off;
            continue;
        }
        if (off + 2 > msg.size())
            break;
        uint8_t len = msg[off + 1];
        if (off + 2 + len > msg.size())
            break;
        const uint8_t* v = msg.data() + off + 2;
        if (code == 12 && len > 0)
            host = printable_name(v, len);
        else if (code == 50 && len == 4)
            requested = IpAddress::v4(v);
        else if (code == 53 && len == 1)
            type = v[0];
        off += 2 + size_t(len);
    }
    auto nonzero = [](const IpAddress& a) { return a.valid() && load_be32(a.bytes.data()) != 0; };
    if (ether && !host.empty())
        add_name(chaddr, host);
    const auto& mac_names = ether ? names_for(chaddr) : kNoNames;
    for (const IpAddress* ip : {&ciaddr, &yiaddr, &requested}) {
        if (!nonzero(*ip))
            continue;
        if (!host.empty())
            add_name(*ip, host);
        // An ACK (5) assigns yiaddr to the client that announced its name earlier.
        if (type == 5 || ip != &yiaddr) {
            for (const std::string& n : std::vector<std::string>(mac_names))
                add_name(*ip, n);
            if (ether)
                ip_mac_[*ip] = chaddr;
        }
    }
}

std::optional<std::string> NameTable::tls_sni(Bytes r)
{
    // TLS record header (5), handshake header (4), ClientHello (RFC 8446 4.1.2).
    if (r.size() < 9 || r[0] != 22 || r[5] != 1)
        return std::nullopt;
    size_t off = 9 + 2 + 32; // version, random
    if (off + 1 > r.size())
        return std::nullopt;
    off += 1 + size_t(r[off]); // session id
    if (off + 2 > r.size())
        return std::nullopt;
    off += 2 + size_t(load_be16(r.data() + off)); // cipher suites
    if (off + 1 > r.size())
        return std::nullopt;
    off += 1 + size_t(r[off]); // compression methods
    if (off + 2 > r.size())
        return std::nullopt;
    size_t ext_end = std::min(r.size(), off + 2 + size_t(load_be16(r.data() + off)));
    off += 2;
    while (off + 4 <= ext_end) {
        uint16_t type = load_be16(r.data() + off);
        size_t len = load_be16(r.data() + off + 2);
        off += 4;
        if (off + len > ext_end)
            return std::nullopt;
        if (type == 0 && len >= 5) { // server_name: list length, type, name length, name
            size_t nlen = load_be16(r.data() + off + 3);
            if (r[off + 2] == 0 && 5 + nlen <= len && nlen > 0)
                return printable_name(r.data() + off + 5, nlen);
            return std::nullopt;
        }
        off += len;
    }
    return std::nullopt;
}

std::optional<std::string> NameTable::http_host(Bytes req)
{
    std::string_view text(reinterpret_cast<const char*>(req.data()), std::min<size_t>(req.size(), 8192));
    size_t pos = 0;
    while ((pos = text.find('\n', pos)) != std::string_view::npos) {
        ++pos;
        if (pos + 5 > text.size())
            break;
        if (text[pos] == '\r' || text[pos] == '\n')
            break; // end of headers
        std::string_view line = text.substr(pos, 5);
        if ((line[0] == 'H' || line[0] == 'h') && (line[1] == 'o' || line[1] == 'O') &&
            (line[2] == 's' || line[2] == 'S') && (line[3] == 't' || line[3] == 'T') && line[4] == ':') {
            size_t b = pos + 5;
            while (b < text.size() && (text[b] == ' ' || text[b] == '\t'))
                ++b;
            size_t e = b;
            while (e < text.size() && text[e] != '\r' && text[e] != '\n')
                ++e;
            std::string_view host = text.substr(b, e - b);
            // Drop a port, but keep bracketed IPv6 literals whole.
            if (!host.empty() && host[0] != '[') {
                size_t colon = host.rfind(':');
                if (colon != std::string_view::npos)
                    host = host.substr(0, colon);
            }
            if (host.empty())
                return std::nullopt;
            return printable_name(reinterpret_cast<const uint8_t*>(host.data()), host.size());
        }
    }
    return std::nullopt;
}

} // namespace underhood
