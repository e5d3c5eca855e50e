// Which addresses are the capture's own network (drawn in the middle of the
// graph) and which are remote (around it, clustered when there are many).
//
// Set subnets win; otherwise an address is local when it is private,
// link-local, multicast or broadcast, when ARP or DHCP bound it to a MAC, or
// when it was sent from a MAC of its own (remote hosts all arrive through the
// router's MAC, which carries many addresses). The /24 (IPv4) or /64 (IPv6)
// around each such address counts as a local subnet too.
#pragma once

#include "address.h"
#include "name_table.h"
#include "traffic_window.h"

#include <string>
#include <unordered_set>
#include <vector>

namespace underhood {

struct IpPrefix {
    IpAddress base; // host bits cleared
    uint8_t length = 0;
    bool contains(const IpAddress& a) const;
    std::string to_string() const; // "10.1.2.0/24"
    // "10.0.0.0/8", "2001:db8::/32", or a bare address (a host prefix).
    static bool parse(const std::string& text, IpPrefix& out);
    static IpPrefix of(const IpAddress& a, uint8_t length);
    bool operator==(const IpPrefix&) const = default;
};

class LocalNetworks {
public:
    // A router's MAC carries at least this many addresses in the window.
    static constexpr size_t kRouterAddresses = 6;

    void set_configured(std::vector<IpPrefix> prefixes) { configured_ = std::move(prefixes); }
    const std::vector<IpPrefix>& configured() const { return configured_; }
    void set_detect(bool on) { detect_ = on; }

    // Learns from the IP hosts of a window (the MACs each address was sent
    // from) and from the names table's ARP/DHCP bindings.
    void detect(const TrafficWindow::HostMap& ip_hosts, const NameTable* names);

    bool is_local(const IpAddress& a) const;
    // Private, link-local, loopback, multicast or broadcast.
    static bool is_special(const IpAddress& a);
    const std::vector<IpPrefix>& detected() const { return detected_; }

private:
    std::vector<IpPrefix> configured_;
    bool detect_ = true;
    std::vector<IpPrefix> detected_;
    struct PrefixHash {
        size_t operator()(const IpPrefix& p) const noexcept
        {
            return EndpointHash{}(Endpoint::ip(p.base)) ^ p.length;
        }
    };
    std::unordered_set<IpPrefix, PrefixHash> detected_set_;
};

} // namespace underhood
