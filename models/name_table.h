// Passive name discovery: names learnt from the traffic itself, never from a
// lookup. DNS/mDNS/LLMNR answers (A, AAAA, CNAME chains, PTR), DHCP host
// names (option 12), TLS ClientHello SNI and HTTP Host for servers, and the
// IP-to-MAC bindings ARP and DHCP reveal.
#pragma once

#include "address.h"
#include "bytes.h"
#include "packet_decoder.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace underhood {

struct IpHash {
    size_t operator()(const IpAddress& a) const noexcept { return EndpointHash{}(Endpoint::ip(a)); }
};
struct MacHash {
    size_t operator()(const MacAddress& m) const noexcept { return EndpointHash{}(Endpoint::mac(m)); }
};

class NameTable {
public:
    static constexpr size_t kMaxNamesPerAddress = 8;

    // Looks at a decoded packet; cheap for packets that carry no names.
    void observe(Bytes data, const DecodedPacket& dp);

    const std::vector<std::string>& names_for(const IpAddress& a) const;
    const std::vector<std::string>& names_for(const MacAddress& m) const;
    std::optional<MacAddress> mac_for(const IpAddress& a) const;

    void add_name(const IpAddress& a, const std::string& name);
    void add_name(const MacAddress& m, const std::string& name);
    size_t size() const { return by_ip_.size() + by_mac_.size(); }

    // Protocol parsers, public for tests. Each is bounds-checked and ignores what it cannot parse.
    void parse_dns(Bytes msg);
    void parse_dhcp(Bytes msg);
    static std::optional<std::string> tls_sni(Bytes record);
    static std::optional<std::string> http_host(Bytes request);

private:
    std::unordered_map<IpAddress, std::vector<std::string>, IpHash> by_ip_;
    std::unordered_map<MacAddress, std::vector<std::string>, MacHash> by_mac_;
    std::unordered_map<IpAddress, MacAddress, IpHash> ip_mac_;
};

// Host names as they appear in DNS: printable ASCII kept, anything else escaped as \xNN.
std::string printable_name(const uint8_t* p, size_t n);

} // namespace underhood
