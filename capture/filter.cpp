#include "capture_backend.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <fstream>

namespace underhood::capture {

bool compile_filter(const std::string& expr, int link_type, uint32_t snaplen, std::vector<BpfInsn>& program,
                    std::string* listing, std::string& error)
{
    pcap_t* dead = pcap_open_dead(link_type, int(snaplen));
    if (!dead) {
        error = "cannot compile filters for link type " + std::to_string(link_type);
        return false;
    }
    bpf_program prog{};
    if (pcap_compile(dead, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        error = pcap_geterr(dead);
        pcap_close(dead);
        return false;
    }
    program.clear();
    for (u_int i = 0; i < prog.bf_len; ++i) {
        const bpf_insn& in = prog.bf_insns[i];
        program.push_back({in.code, in.jt, in.jf, in.k});
        if (listing) {
            char* line = bpf_image(&in, int(i));
            *listing += line;
            *listing += '\n';
        }
    }
    pcap_freecode(&prog);
    pcap_close(dead);
    return true;
}

namespace {
uint64_t read_counter(const std::string& path)
{
    std::ifstream in(path);
    unsigned long long v = 0;
    if (in >> v)
        return v;
    return 0;
}
} // namespace

bool interface_exists(const std::string& name)
{
    std::ifstream in("/sys/class/net/" + name + "/ifindex");
    return bool(in);
}

bool interface_up(const std::string& name)
{
    std::ifstream in("/sys/class/net/" + name + "/flags");
    unsigned long flags = 0;
    in >> std::hex >> flags;
    return flags & 0x1; // IFF_UP
}

uint64_t interface_drops(const std::string& name)
{
    const std::string base = "/sys/class/net/" + name + "/statistics/";
    return read_counter(base + "rx_dropped") + read_counter(base + "rx_missed_errors") +
           read_counter(base + "rx_fifo_errors");
}

} // namespace underhood::capture
