// Passive names: what the traffic itself says about who is who, never a
// lookup. DNS, mDNS and LLMNR answers (A, AAAA, CNAME chains, PTR), DHCP
// host names with the client's MAC and addresses, the server name a TLS
// Client Hello asks for, the Host of an HTTP request, and the address an
// ARP sender announces.
//
// A dissector hands what it finds to Packet::names when it is set; the
// receiver (NameTable) decides what to keep.
#pragma once

#include "address.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace underhood::dissect {

class NameSink {
public:
    virtual ~NameSink() = default;

    // How an address came to be bound to a MAC address.
    enum class Binding : uint8_t {
        Seen,   // a packet's sender says so (ARP): the binding only
        Leased, // DHCP assigned or confirmed it: the MAC's names are the address's too
    };

    // `name` names the host at `a` (a DNS answer, a DHCP host name, an SNI, an HTTP Host).
    virtual void ip_name(const IpAddress& a, std::string_view name) = 0;
    // `name` names the interface `m` (a DHCP client's host name).
    virtual void mac_name(const MacAddress& m, std::string_view name) = 0;
    // The address `a` is used by the interface `m`.
    virtual void ip_mac(const IpAddress& a, const MacAddress& m, Binding how) = 0;
};

// A host name as it appears in a packet: printable ASCII kept, anything
// else (and the backslash) escaped as \xNN.
std::string printable_name(const uint8_t* p, size_t n);

} // namespace underhood::dissect
