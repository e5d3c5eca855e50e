#include "capture_backend.h"

#include <pcap/pcap.h>

#include <linux/filter.h>
#include <linux/if_packet.h>

namespace underhood::capture {

namespace {

// libpcap's DLT numbers and the LINKTYPE numbers of files differ for a few
// old link types; the DLT values are Linux's.
struct LinkPair {
    int linktype;
    int dlt;
};
constexpr LinkPair kLinkPairs[] = {
    {100, DLT_ATM_RFC1483}, {101, DLT_RAW}, {102, DLT_SLIP_BSDOS}, {103, DLT_PPP_BSDOS}, {106, DLT_ATM_CLIP},
};

constexpr uint32_t kSllHeaderLength = 16;

void copy_program(const bpf_program& prog, std::vector<BpfInsn>& program, std::string* listing)
{
    program.clear();
    for (u_int i = 0; i < prog.bf_len; ++i) {
        const bpf_insn& in = prog.bf_insns[i];
        program.push_back({in.code, in.jt, in.jf, in.k});
        if (listing) {
            *listing += bpf_image(&in, int(i));
            *listing += '\n';
        }
    }
}

} // namespace

int dlt_from_linktype(int link_type)
{
    for (const LinkPair& p : kLinkPairs)
        if (p.linktype == link_type)
            return p.dlt;
    return link_type;
}

int linktype_from_dlt(int dlt)
{
    for (const LinkPair& p : kLinkPairs)
        if (p.dlt == dlt)
            return p.linktype;
    return dlt;
}

bool compile_filter(const std::string& expr, int link_type, uint32_t snaplen, std::vector<BpfInsn>& program,
                    std::string* listing, std::string& error)
{
    pcap_t* dead = pcap_open_dead(dlt_from_linktype(link_type), int(snaplen));
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
    copy_program(prog, program, listing);
    pcap_freecode(&prog);
    pcap_close(dead);
    return true;
}

CaptureError probe_live_link(const std::string& interface, const std::string* expr, uint32_t snaplen, LiveLink& out)
{
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_create(interface.c_str(), err);
    if (!p)
        return {kExitFailure, std::string("libpcap: ") + err};
    pcap_set_snaplen(p, int(snaplen));
    // Only asked for its link type and its code: the smallest ring will do.
    pcap_set_buffer_size(p, 64 << 10);
    pcap_set_timeout(p, 60);
    CaptureError result;
    const int rc = pcap_activate(p);
    if (rc == PCAP_ERROR_PERM_DENIED)
        result = {kExitNoPrivilege, "no permission to open a packet socket"};
    else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
        result = {kExitNoSuchInterface, "no such interface: " + interface};
    else if (rc == PCAP_ERROR_IFACE_NOT_UP)
        result = {kExitInterfaceDown, "interface " + interface + " is down"};
    else if (rc < 0)
        result = {kExitFailure, "libpcap cannot open " + interface + ": " + pcap_geterr(p)};
    if (!result) {
        out.dlt = pcap_datalink(p);
        out.program.clear();
        bpf_program prog{};
        if (expr && pcap_compile(p, &prog, expr->c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
            result = {kExitBadFilter, std::string("bad capture filter: ") + pcap_geterr(p)};
        } else if (expr) {
            copy_program(prog, out.program, nullptr);
            pcap_freecode(&prog);
        }
    }
    pcap_close(p);
    return result;
}

bool adapt_to_cooked_socket(std::vector<BpfInsn>& program)
{
    for (BpfInsn& in : program) {
        const uint16_t cls = BPF_CLASS(in.code), mode = BPF_MODE(in.code);
        if ((cls != BPF_LD && cls != BPF_LDX) || (mode != BPF_ABS && mode != BPF_IND && mode != BPF_MSH))
            continue;
        if (in.k >= uint32_t(SKF_AD_OFF))
            continue; // already the kernel's own data
        if (in.k >= kSllHeaderLength)
            in.k -= kSllHeaderLength; // the socket's data starts where the cooked header ends
        else if (in.k == 0)
            in.k = uint32_t(SKF_AD_OFF + SKF_AD_PKTTYPE);
        else if (in.k == 14)
            in.k = uint32_t(SKF_AD_OFF + SKF_AD_PROTOCOL);
        else
            return false; // addresses in the cooked header: the kernel has no equivalent
    }
    return true;
}

void reject_outgoing_copies(std::vector<BpfInsn>& program)
{
    const BpfInsn prefix[] = {
        {BPF_LD | BPF_W | BPF_ABS, 0, 0, uint32_t(SKF_AD_OFF + SKF_AD_PKTTYPE)},
        {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, PACKET_OUTGOING},
        {BPF_RET | BPF_K, 0, 0, 0},
        // The program after this starts as the kernel starts any, with A = 0.
        {BPF_LD | BPF_IMM, 0, 0, 0},
    };
    program.insert(program.begin(), std::begin(prefix), std::end(prefix));
}

} // namespace underhood::capture
