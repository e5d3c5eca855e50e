// Passive name discovery: names learnt from the traffic itself, never from a
// lookup. DNS/mDNS/LLMNR answers (A, AAAA, CNAME chains, PTR), DHCP host
// names (option 12), TLS ClientHello SNI and HTTP Host for servers, and the
// IP-to-MAC bindings ARP and DHCP reveal. The protocol engine's dissectors
// find them (models/dissect); this table keeps them.
#pragma once

#include "address.h"
#include "bytes.h"
#include "dissect/names.h"
#include "packet_decoder.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace underhood {

struct IpHash {
    size_t operator()(const IpAddress& a) const noexcept { return EndpointHash{}(Endpoint::ip(a)); }
};
struct MacHash {
    size_t operator()(const MacAddress& m) const noexcept { return EndpointHash{}(Endpoint::mac(m)); }
};

// What the engine's dissectors say about names (dissect/names.h), kept per
// address: at most kMaxNamesPerAddress names each, in the order they were
// learnt, without repeats.
class NameTable : public dissect::NameSink {
public:
    static constexpr size_t kMaxNamesPerAddress = 8;

    // Looks at a decoded packet (`data` is the whole frame, `dp` its
    // summary); cheap for packets that carry no names.
    void observe(Bytes data, const DecodedPacket& dp);
    // False when observe() would find nothing in the packet (most packets):
    // a cheap test for callers that copy the bytes to observe them later.
    static bool may_name(Bytes data, const DecodedPacket& dp);

    const std::vector<std::string>& names_for(const IpAddress& a) const;
    const std::vector<std::string>& names_for(const MacAddress& m) const;
    // The names the traffic had revealed by capture time `until_ns` (a lesson
    // shows the address first and the name once the answer arrives).
    std::vector<std::string> names_for(const IpAddress& a, int64_t until_ns) const;
    std::vector<std::string> names_for(const MacAddress& m, int64_t until_ns) const;
    // When the names observed from now on were revealed (the packet's time);
    // names learnt without a time count as known from the start.
    void set_time(int64_t ts_ns) { now_ns_ = ts_ns; }
    std::optional<MacAddress> mac_for(const IpAddress& a) const;

    void add_name(const IpAddress& a, const std::string& name);
    void add_name(const MacAddress& m, const std::string& name);
    size_t size() const { return by_ip_.size() + by_mac_.size(); }
    // Every name kept (View > Anonymise learns them all), in no order.
    template <typename F>
    void for_each_name(F&& f) const
    {
        for (const auto& [a, names] : by_ip_)
            for (const std::string& n : names)
                f(n);
        for (const auto& [m, names] : by_mac_)
            for (const std::string& n : names)
                f(n);
    }

    // NameSink
    void ip_name(const IpAddress& a, std::string_view name) override;
    void mac_name(const MacAddress& m, std::string_view name) override;
    void ip_mac(const IpAddress& a, const MacAddress& m, Binding how) override;

private:
    std::unordered_map<IpAddress, std::vector<std::string>, IpHash> by_ip_;
    std::unordered_map<MacAddress, std::vector<std::string>, MacHash> by_mac_;
    // When each of those names was learnt, in the same order.
    std::unordered_map<IpAddress, std::vector<int64_t>, IpHash> ip_times_;
    std::unordered_map<MacAddress, std::vector<int64_t>, MacHash> mac_times_;
    int64_t now_ns_ = INT64_MIN;
    std::unordered_map<IpAddress, MacAddress, IpHash> ip_mac_;
};

using dissect::printable_name;

} // namespace underhood
