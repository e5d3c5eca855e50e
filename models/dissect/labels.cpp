#include "dissect/labels.h"

#include "address.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace underhood::dissect {

std::string strf(const char* fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return {};
    if (size_t(n) < sizeof buf)
        return std::string(buf, size_t(n));
    std::string s(size_t(n), '\0');
    va_start(ap, fmt);
    std::vsnprintf(s.data(), s.size() + 1, fmt, ap);
    va_end(ap);
    return s;
}

std::string hex_text(const uint8_t* p, size_t n, size_t max)
{
    static const char kDigits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n && i < max; ++i) {
        s += kDigits[p[i] >> 4];
        s += kDigits[p[i] & 15];
    }
    if (n > max)
        s += kEllipsis;
    return s;
}

std::string printable_text(const uint8_t* p, size_t n, size_t max)
{
    std::string s;
    for (size_t i = 0; i < n && i < max; ++i) {
        const uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7F && c != '\\')
            s += char(c);
        else if (c == '\r')
            s += "\\r";
        else if (c == '\n')
            s += "\\n";
        else
            s += strf("\\x%02x", c);
    }
    if (n > max)
        s += kEllipsis;
    return s;
}

std::string mac_text(const uint8_t* p)
{
    MacAddress m;
    std::memcpy(m.bytes.data(), p, 6);
    return m.to_string();
}

std::string mac_column(const uint8_t* p)
{
    static const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    return std::memcmp(p, kBroadcast, 6) == 0 ? std::string("Broadcast") : mac_text(p);
}

std::string bit_label(uint32_t value, int width, uint32_t mask, const std::string& rest)
{
    std::string s;
    for (int i = width - 1; i >= 0; --i) {
        s += (mask >> i & 1) ? ((value >> i & 1) ? '1' : '0') : '.';
        if (i && i % 4 == 0)
            s += ' ';
    }
    return s + " = " + rest;
}

std::string bit_flag(uint32_t value, int width, uint32_t mask, const char* name)
{
    return bit_label(value, width, mask, std::string(name) + ((value & mask) ? ": Set" : ": Not set"));
}

std::string column_name(Proto p)
{
    switch (p) {
    case Proto::Ipv4: return "IPv4";
    case Proto::Ipv6: return "IPv6";
    case Proto::Icmpv6: return "ICMPv6";
    case Proto::Dhcpv6: return "DHCPv6";
    case Proto::Syslog: return "Syslog";
    case Proto::Bootp6x: return "DHCPFO";
    case Proto::Openvpn: return "OpenVPN";
    case Proto::Wireguard: return "WireGuard";
    case Proto::Mysql: return "MySQL";
    case Proto::Kerberos: return "KRB5";
    case Proto::Netbios: return "NetBIOS";
    case Proto::Data: return "Data";
    default: break;
    }
    std::string s(proto_name(p));
    for (char& c : s)
        if (c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
    return s;
}

std::string named_hex(const char* name, uint32_t value, int digits)
{
    return strf("%s (0x%0*x)", name, digits, value);
}

std::string named_dec(const char* name, uint32_t value)
{
    return strf("%s (%u)", name, value);
}

} // namespace underhood::dissect
