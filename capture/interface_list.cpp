// `underhood-capture -D`: the interfaces as JSON, from getifaddrs and sysfs.
#include "interface_list.h"

#include "capture_backend.h"
#include "nic_health.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace underhood::capture {

namespace {

std::string read_line(const std::string& path)
{
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
}

uint64_t read_number(const std::string& path)
{
    std::ifstream in(path);
    unsigned long long v = 0;
    in >> v;
    return v;
}

const char* link_type_for_hatype(int hatype)
{
    switch (hatype) {
    case 1:
    case 772: return "EN10MB";
    case 65534:
    case 768:
    case 769:
    case 776:
    case 778:
    case 512:
    case 519: return "RAW";
    default: return "LINUX_SLL";
    }
}

// Receive counters from /proc/net/dev, which answers for this process's network namespace.
void proc_net_dev_rx(const std::string& name, uint64_t& packets, uint64_t& bytes)
{
    std::ifstream in("/proc/net/dev");
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        auto start = line.find_first_not_of(' ');
        if (colon == std::string::npos || line.substr(start, colon - start) != name)
            continue;
        std::istringstream f(line.substr(colon + 1));
        unsigned long long b = 0, p = 0;
        f >> b >> p;
        bytes = b;
        packets = p;
        return;
    }
}

} // namespace

std::string list_interfaces_json()
{
    struct Info {
        std::vector<std::string> addresses;
    };
    std::map<std::string, Info> by_name;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
        for (ifaddrs* a = list; a; a = a->ifa_next) {
            if (!a->ifa_name)
                continue;
            Info& info = by_name[a->ifa_name];
            if (!a->ifa_addr)
                continue;
            char buf[INET6_ADDRSTRLEN] = {};
            if (a->ifa_addr->sa_family == AF_INET) {
                inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
                info.addresses.push_back(buf);
            } else if (a->ifa_addr->sa_family == AF_INET6) {
                inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, buf, sizeof buf);
                info.addresses.push_back(buf);
            }
        }
        freeifaddrs(list);
    }
    std::ostringstream out;
    out << "[";
    bool first = true;
    for (const auto& [name, info] : by_name) {
        const std::string sys = "/sys/class/net/" + name;
        int hatype = interface_hardware_type(name);
        uint64_t rx_packets = 0, rx_bytes = 0;
        proc_net_dev_rx(name, rx_packets, rx_bytes);
        out << (first ? "\n" : ",\n") << "  {\"name\": " << json_string(name)
            << ", \"index\": " << read_number(sys + "/ifindex")
            << ", \"state\": " << json_string(read_line(sys + "/operstate"))
            << ", \"up\": " << (interface_up(name) ? "true" : "false")
            << ", \"link_type\": " << json_string(link_type_for_hatype(hatype))
            << ", \"mtu\": " << read_number(sys + "/mtu")
            << ", \"mac\": " << json_string(read_line(sys + "/address")) << ", \"addresses\": [";
        for (size_t i = 0; i < info.addresses.size(); ++i)
            out << (i ? ", " : "") << json_string(info.addresses[i]);
        out << "], \"rx_packets\": " << rx_packets << ", \"rx_bytes\": " << rx_bytes
            << ", \"rx_dropped\": " << interface_drops(name) << "}";
        first = false;
    }
    out << "\n]\n";
    return out.str();
}

} // namespace underhood::capture
