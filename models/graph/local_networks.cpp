#include "local_networks.h"

#include <unordered_map>

namespace underhood {

bool IpPrefix::contains(const IpAddress& a) const
{
    if (a.family != base.family)
        return false;
    const size_t full = length / 8;
    for (size_t i = 0; i < full; ++i)
        if (a.bytes[i] != base.bytes[i])
            return false;
    const unsigned rest = length % 8;
    if (rest) {
        const uint8_t mask = uint8_t(0xFF << (8 - rest));
        if ((a.bytes[full] & mask) != base.bytes[full])
            return false;
    }
    return true;
}

IpPrefix IpPrefix::of(const IpAddress& a, uint8_t length)
{
    IpPrefix p;
    p.base = a;
    const unsigned max = a.family == 4 ? 32 : 128;
    p.length = uint8_t(std::min<unsigned>(length, max));
    for (unsigned bit = p.length; bit < 128; ++bit)
        p.base.bytes[bit / 8] &= uint8_t(~(0x80u >> (bit % 8)));
    return p;
}

std::string IpPrefix::to_string() const { return base.to_string() + "/" + std::to_string(length); }

bool IpPrefix::parse(const std::string& text, IpPrefix& out)
{
    const auto slash = text.find('/');
    IpAddress a;
    if (!IpAddress::parse(text.substr(0, slash), a))
        return false;
    unsigned len = a.family == 4 ? 32 : 128;
    if (slash != std::string::npos) {
        const std::string n = text.substr(slash + 1);
        if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos)
            return false;
        const unsigned v = unsigned(std::stoul(n));
        if (v > len)
            return false;
        len = v;
    }
    out = of(a, uint8_t(len));
    return true;
}

bool LocalNetworks::is_special(const IpAddress& a)
{
    const auto& b = a.bytes;
    if (a.family == 4) {
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) ||
               (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] == 127 || b[0] == 0 ||
               (b[0] & 0xF0) == 224 || (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255);
    }
    if (a.family == 6) {
        if (b[0] == 0xFF || (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80))
            return true;
        for (size_t i = 0; i < 15; ++i)
            if (b[i])
                return false;
        return b[15] <= 1; // :: and ::1
    }
    return false;
}

void LocalNetworks::detect(const TrafficWindow::HostMap& ip_hosts, const NameTable* names)
{
    detected_.clear();
    detected_set_.clear();
    if (!detect_)
        return;
    auto mac_hash = [](const MacAddress& m) { return EndpointHash{}(Endpoint::mac(m)); };
    std::unordered_map<MacAddress, size_t, decltype(mac_hash)> per_mac(16, mac_hash);
    for (const auto& [ep, h] : ip_hosts)
        for (const auto& m : h.macs)
            ++per_mac[m.first];
    auto add = [&](const IpAddress& a) {
        IpPrefix p = IpPrefix::of(a, a.family == 4 ? 24 : 64);
        if (detected_set_.insert(p).second)
            detected_.push_back(p);
    };
    for (const auto& [ep, h] : ip_hosts) {
        const IpAddress a = ep.ip_address();
        if (is_special(a))
            continue;
        bool local = names && names->mac_for(a).has_value();
        for (const auto& m : h.macs)
            if (!m.first.is_multicast() && per_mac[m.first] < kRouterAddresses)
                local = true;
        if (local)
            add(a);
    }
}

bool LocalNetworks::is_local(const IpAddress& a) const
{
    for (const IpPrefix& p : configured_)
        if (p.contains(a))
            return true;
    if (!configured_.empty() && !detect_)
        return false;
    if (is_special(a))
        return true;
    const IpPrefix p = IpPrefix::of(a, a.family == 4 ? 24 : 64);
    return detected_set_.count(p) != 0;
}

} // namespace underhood
