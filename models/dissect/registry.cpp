#include "dissect/registry.h"

#include <array>
#include <mutex>
#include <vector>

namespace underhood::dissect {

void register_all(); // register_all.cpp

namespace {

struct Tables {
    std::vector<LinkType> links;
    std::vector<std::pair<uint16_t, Dissector>> ethertypes; // few: a linear scan beats hashing
    std::array<Dissector, 256> ip{};
    std::array<Dissector, 65536> tcp{}, udp{};
    std::vector<Heuristic> tcp_heur, udp_heur;
};

Tables& tables()
{
    static Tables* t = new Tables; // lives to the end of the process: dissection may run in exit paths
    return *t;
}

} // namespace

void add_link_type(const LinkType& lt) { tables().links.push_back(lt); }
void add_ethertype(uint16_t type, Dissector d) { tables().ethertypes.emplace_back(type, d); }
void add_ip_protocol(uint8_t proto, Dissector d) { tables().ip[proto] = d; }
void add_tcp_port(uint16_t port, Dissector d) { tables().tcp[port] = d; }
void add_udp_port(uint16_t port, Dissector d) { tables().udp[port] = d; }
void add_tcp_heuristic(Heuristic h) { tables().tcp_heur.push_back(h); }
void add_udp_heuristic(Heuristic h) { tables().udp_heur.push_back(h); }

const LinkType* find_link_type(uint32_t linktype)
{
    for (const LinkType& l : tables().links)
        if (l.linktype == linktype)
            return &l;
    return nullptr;
}

Dissector find_ethertype(uint16_t type)
{
    for (const auto& [t, d] : tables().ethertypes)
        if (t == type)
            return d;
    return nullptr;
}

Dissector find_ip_protocol(uint8_t proto) { return tables().ip[proto]; }
Dissector find_tcp_port(uint16_t port) { return tables().tcp[port]; }
Dissector find_udp_port(uint16_t port) { return tables().udp[port]; }

bool try_tcp_heuristics(Tvb t, Packet& p)
{
    for (Heuristic h : tables().tcp_heur)
        if (h(t, p))
            return true;
    return false;
}

bool try_udp_heuristics(Tvb t, Packet& p)
{
    for (Heuristic h : tables().udp_heur)
        if (h(t, p))
            return true;
    return false;
}

void ensure_registered()
{
    static std::once_flag once;
    std::call_once(once, register_all);
}

} // namespace underhood::dissect
