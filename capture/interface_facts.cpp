#include "capture_backend.h"

#include <cstring>
#include <fstream>
#include <net/if.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace underhood::capture {

// Interface facts come from ioctl() and /proc/net/dev, which answer for the
// network namespace the helper runs in (sysfs answers for the namespace it was
// mounted in, which differs after setns()).
bool interface_exists(const std::string& name) { return if_nametoindex(name.c_str()) != 0; }

CaptureError check_interface(const std::string& name)
{
    if (!interface_exists(name))
        return {kExitNoSuchInterface, "no such interface: " + name};
    if (!interface_up(name))
        return {kExitInterfaceDown, "interface " + name + " is down (bring it up with: ip link set " + name + " up)"};
    return {};
}

bool interface_up(const std::string& name)
{
    return interface_flags(name) & IFF_UP;
}

unsigned interface_flags(const std::string& name)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    unsigned flags = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 ? unsigned(uint16_t(ifr.ifr_flags)) : 0;
    close(fd);
    return flags;
}

int interface_hardware_type(const std::string& name)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    int type = ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 ? ifr.ifr_hwaddr.sa_family : -1;
    close(fd);
    return type;
}

uint64_t interface_drops(const std::string& name)
{
    // /proc/net/dev receive columns: bytes packets errs drop fifo frame
    // compressed multicast; "drop" is rx_dropped + rx_missed_errors and "fifo"
    // is rx_fifo_errors.
    std::ifstream in("/proc/net/dev");
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        auto start = line.find_first_not_of(' ');
        if (line.compare(start, colon - start, name) != 0 || colon - start != name.size())
            continue;
        std::istringstream fields(line.substr(colon + 1));
        unsigned long long bytes = 0, packets = 0, errs = 0, drop = 0, fifo = 0;
        fields >> bytes >> packets >> errs >> drop >> fifo;
        return drop + fifo;
    }
    return 0;
}

} // namespace underhood::capture
