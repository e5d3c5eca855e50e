// Addresses as the aggregation keys them: MAC, IPv4/IPv6, and address:port.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace underhood {

struct MacAddress {
    std::array<uint8_t, 6> bytes{};
    bool operator==(const MacAddress&) const = default;
    auto operator<=>(const MacAddress&) const = default;
    std::string to_string() const;
    bool is_multicast() const { return bytes[0] & 1; }
};

struct IpAddress {
    uint8_t family = 0; // 0 none, 4, 6
    std::array<uint8_t, 16> bytes{};
    bool operator==(const IpAddress&) const = default;
    auto operator<=>(const IpAddress&) const = default;
    bool valid() const { return family != 0; }
    static IpAddress v4(const uint8_t* p)
    {
        IpAddress a;
        a.family = 4;
        std::memcpy(a.bytes.data(), p, 4);
        return a;
    }
    static IpAddress v6(const uint8_t* p)
    {
        IpAddress a;
        a.family = 6;
        std::memcpy(a.bytes.data(), p, 16);
        return a;
    }
    std::string to_string() const; // inet_ntop form
    static bool parse(const std::string& text, IpAddress& out);
};

// One aggregation key type for every layer: a MAC, an IP, or an IP with a port.
struct Endpoint {
    enum class Kind : uint8_t { None, Mac, Ip, IpPort };
    Kind kind = Kind::None;
    uint8_t family = 0;
    uint16_t port = 0;
    std::array<uint8_t, 16> bytes{};

    bool operator==(const Endpoint&) const = default;
    auto operator<=>(const Endpoint&) const = default;

    static Endpoint mac(const MacAddress& m)
    {
        Endpoint e;
        e.kind = Kind::Mac;
        std::memcpy(e.bytes.data(), m.bytes.data(), 6);
        return e;
    }
    static Endpoint ip(const IpAddress& a)
    {
        Endpoint e;
        e.kind = Kind::Ip;
        e.family = a.family;
        e.bytes = a.bytes;
        return e;
    }
    static Endpoint ip_port(const IpAddress& a, uint16_t port)
    {
        Endpoint e = ip(a);
        e.kind = Kind::IpPort;
        e.port = port;
        return e;
    }
    IpAddress ip_address() const
    {
        IpAddress a;
        a.family = family;
        a.bytes = bytes;
        return a;
    }
    MacAddress mac_address() const
    {
        MacAddress m;
        std::memcpy(m.bytes.data(), bytes.data(), 6);
        return m;
    }
    // "aa:bb:cc:dd:ee:ff", "10.0.0.1", "10.0.0.1:53", "[2001:db8::1]:443"
    std::string to_string() const;
};

struct EndpointHash {
    size_t operator()(const Endpoint& e) const noexcept
    {
        uint64_t a, b;
        std::memcpy(&a, e.bytes.data(), 8);
        std::memcpy(&b, e.bytes.data() + 8, 8);
        uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (uint64_t(e.port) << 8 | uint64_t(e.kind) << 4 | e.family));
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9ull;
        return size_t(h ^ (h >> 32));
    }
};

} // namespace underhood
