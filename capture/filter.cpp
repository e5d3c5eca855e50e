#include "capture_backend.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <net/if.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

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

} // namespace underhood::capture
