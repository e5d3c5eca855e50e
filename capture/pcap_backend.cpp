// libpcap backend, for what the AF_PACKET ring cannot do. Not immediate mode:
// on Linux that makes libpcap fall back from TPACKET_V3 to V2.
#include "capture_backend.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstring>
#include <linux/filter.h>
#include <net/if.h>
#include <sys/socket.h>

namespace underhood::capture {

namespace {

static_assert(sizeof(BpfInsn) == sizeof(bpf_insn));

class PcapBackend final : public CaptureBackend {
public:
    ~PcapBackend() override
    {
        if (p_)
            pcap_close(p_);
    }

    CaptureError open(const BackendOptions& o) override
    {
        opts_ = o;
        if (CaptureError e = check_interface(o.interface))
            return e;
        char err[PCAP_ERRBUF_SIZE] = {};
        p_ = pcap_create(o.interface.c_str(), err);
        if (!p_)
            return {kExitFailure, std::string("libpcap: ") + err};
        pcap_set_snaplen(p_, int(o.snaplen));
        pcap_set_promisc(p_, o.promisc ? 1 : 0);
        pcap_set_timeout(p_, o.block_timeout_ms);
        pcap_set_buffer_size(p_, int(std::min<size_t>(o.buffer_bytes, size_t(1) << 30)));
        pcap_set_tstamp_precision(p_, PCAP_TSTAMP_PRECISION_NANO);
        int rc = pcap_activate(p_);
        if (rc == PCAP_ERROR_PERM_DENIED)
            return {kExitNoPrivilege, "no permission to capture on " + o.interface};
        if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
            return {kExitNoSuchInterface, "no such interface: " + o.interface};
        if (rc == PCAP_ERROR_IFACE_NOT_UP)
            return {kExitInterfaceDown, "interface " + o.interface + " is down"};
        if (rc < 0)
            return {kExitFailure, std::string("libpcap: ") + pcap_geterr(p_)};
        const bool loopback = interface_flags(o.interface) & IFF_LOOPBACK;
        if (!o.filter.empty() || loopback) {
            bpf_program prog{};
            if (pcap_compile(p_, &prog, o.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
                return {kExitBadFilter, std::string("bad capture filter: ") + pcap_geterr(p_)};
            std::vector<BpfInsn> program(prog.bf_len);
            std::memcpy(program.data(), prog.bf_insns, prog.bf_len * sizeof(bpf_insn));
            const int set = pcap_setfilter(p_, &prog);
            pcap_freecode(&prog);
            if (set != 0)
                return {kExitBadFilter, std::string("cannot attach the capture filter: ") + pcap_geterr(p_)};
            if (loopback) {
                // libpcap skips the outgoing copies on lo, but only after the
                // kernel has counted them in ps_recv. The same program with the
                // test in front goes straight to the socket: libpcap runs the
                // program it was given in user space on what came before (it
                // cannot run the kernel's packet-type test there), and needs no
                // fixing of offsets on lo.
                reject_outgoing_copies(program);
                sock_fprog fp{uint16_t(program.size()), reinterpret_cast<sock_filter*>(program.data())};
                if (setsockopt(pcap_fileno(p_), SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) != 0)
                    return {kExitBadFilter, std::string("cannot attach the capture filter: ") + std::strerror(errno)};
            }
        }
        if (pcap_setnonblock(p_, 1, err) != 0)
            return {kExitFailure, std::string("libpcap: ") + err};
        return {};
    }

    int fd() const override { return pcap_get_selectable_fd(p_); }
    uint32_t link_type() const override { return uint32_t(pcap_datalink(p_)); }
    uint32_t snaplen() const override { return uint32_t(pcap_snapshot(p_)); }

    size_t dispatch(const PacketSink& sink) override
    {
        sink_ = &sink;
        int n = pcap_dispatch(p_, -1, &PcapBackend::on_packet, reinterpret_cast<u_char*>(this));
        sink_ = nullptr;
        if (n < 0) {
            error_ = pcap_geterr(p_);
            return 0;
        }
        return size_t(n);
    }

    KernelCounters counters() override
    {
        // libpcap on Linux keeps its own running totals.
        pcap_stat st{};
        if (pcap_stats(p_, &st) == 0) {
            // ps_recv/ps_drop are 32-bit: widen across wrap-arounds.
            widen(recv_, st.ps_recv);
            widen(drop_, st.ps_drop);
        }
        return {recv_.total, drop_.total};
    }

    void stop_accepting() override
    {
        // A filter that rejects everything, straight to the socket:
        // pcap_setfilter() would have libpcap run it in user space on what is
        // already in the ring, discarding packets the kernel has counted.
        sock_filter reject{BPF_RET | BPF_K, 0, 0, 0};
        sock_fprog fp{1, &reject};
        setsockopt(pcap_fileno(p_), SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp);
    }

    std::string socket_error() override
    {
        return error_;
    }

private:
    struct Wide {
        uint32_t last = 0;
        uint64_t total = 0;
    };
    static void widen(Wide& w, u_int now)
    {
        w.total += uint32_t(uint32_t(now) - w.last);
        w.last = uint32_t(now);
    }
    static void on_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes)
    {
        auto* self = reinterpret_cast<PcapBackend*>(user);
        CapturedPacket pkt;
        // With nanosecond precision tv_usec holds nanoseconds.
        pkt.ts_ns = int64_t(h->ts.tv_sec) * 1000000000 + h->ts.tv_usec;
        pkt.caplen = h->caplen;
        pkt.len = h->len;
        pkt.data = bytes;
        (*self->sink_)(pkt);
    }

    BackendOptions opts_;
    pcap_t* p_ = nullptr;
    const PacketSink* sink_ = nullptr;
    std::string error_;
    Wide recv_, drop_;
};

} // namespace

std::unique_ptr<CaptureBackend> make_pcap_backend() { return std::make_unique<PcapBackend>(); }

} // namespace underhood::capture
