// Application protocols recognised by their first bytes on any port (TLS,
// HTTP, SSH on TCP; QUIC on UDP 443 and 8443), as Wireshark's heuristics do.
// Protocols with fields of their own (DNS, DHCP, HTTP, TLS) have their own
// files and are called from here or from their ports.
#include "dissect/registry.h"

#include <cstring>

namespace underhood::dissect {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool tls_heuristic(Tvb t, Packet& p)
{
    // A TLS record: content type 20..23, version 3.0..3.4.
    if (!t.has(0, 5) || t.u8(0) < 20 || t.u8(0) > 23 || t.u8(1) != 3 || t.u8(2) > 4)
        return false;
    p.set_app(Proto::Tls, t);
    dissect_tls(t, p);
    return true;
}

bool http_heuristic(Tvb t, Packet& p)
{
    static constexpr std::string_view kStarts[] = {"GET ",     "POST ",    "HEAD ",  "PUT ",   "DELETE ",
                                                   "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "HTTP/1."};
    const std::string_view s = t.text(0);
    for (std::string_view k : kStarts)
        if (starts_with(s, k)) {
            p.set_app(Proto::Http, t);
            dissect_http(t, p);
            return true;
        }
    return false;
}

bool ssh_heuristic(Tvb t, Packet& p)
{
    if (!starts_with(t.text(0), "SSH-"))
        return false;
    p.set_app(Proto::Ssh, t);
    return true;
}

// QUIC long header (RFC 9000 17.2): form bit and fixed bit set, or a short
// header with the fixed bit.
bool quic_heuristic(Tvb t, Packet& p)
{
    const bool port = p.sport == 443 || p.dport == 443 || p.sport == 8443 || p.dport == 8443;
    if (!port || !t.has(0, 1) || !(t.u8(0) & 0x40))
        return false;
    p.set_app(Proto::Quic, t);
    return true;
}

} // namespace

void register_app()
{
    add_tcp_heuristic(tls_heuristic);
    add_tcp_heuristic(http_heuristic);
    add_tcp_heuristic(ssh_heuristic);
    add_udp_heuristic(quic_heuristic);
}

} // namespace underhood::dissect
