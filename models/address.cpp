#include "address.h"

#include <arpa/inet.h>
#include <cstdio>

namespace underhood {

std::string MacAddress::to_string() const
{
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4],
                  bytes[5]);
    return buf;
}

std::string IpAddress::to_string() const
{
    char buf[INET6_ADDRSTRLEN];
    if (family == 4)
        return inet_ntop(AF_INET, bytes.data(), buf, sizeof buf) ? buf : std::string();
    if (family == 6)
        return inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf) ? buf : std::string();
    return {};
}

bool IpAddress::parse(const std::string& text, IpAddress& out)
{
    IpAddress a;
    if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) {
        a.family = 4;
    } else if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) == 1) {
        a.family = 6;
    } else {
        return false;
    }
    out = a;
    return true;
}

std::string Endpoint::to_string() const
{
    switch (kind) {
    case Kind::Mac:
        return mac_address().to_string();
    case Kind::Ip:
        return ip_address().to_string();
    case Kind::IpPort:
        if (family == 6)
            return "[" + ip_address().to_string() + "]:" + std::to_string(port);
        return ip_address().to_string() + ":" + std::to_string(port);
    case Kind::None:
        break;
    }
    return {};
}

} // namespace underhood
