// What the capture loop needs from a packet source: a pollable descriptor,
// the packets that are ready, and the kernel's counters as running totals.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace underhood::capture {

// Distinct exit codes; capture/README.md lists them for the app.
enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,
    kExitNoPrivilege = 2,
    kExitNoSuchInterface = 3,
    kExitInterfaceDown = 4,
    kExitBadFilter = 5,
    kExitInterfaceGone = 6,
    kExitOutputError = 7,
    kExitConsumerClosed = 8,
    kExitUsage = 64,
};

struct CaptureError {
    int code = kExitOk;
    std::string message;
    explicit operator bool() const { return code != kExitOk; }
};

struct CapturedPacket {
    int64_t ts_ns = 0;
    uint32_t caplen = 0;
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    // The 802.1Q tag the kernel took out of the frame, to be put back.
    bool has_vlan = false;
    uint16_t vlan_tpid = 0x8100;
    uint16_t vlan_tci = 0;
};

struct BackendOptions {
    std::string interface;
    std::string filter;
    uint32_t snaplen = 262144;
    size_t buffer_bytes = 64u << 20;
    bool promisc = true;
    int block_timeout_ms = 60;
    // afpacket: join this PACKET_FANOUT group (hash mode) when 0 or more;
    // -1: none (the fanout backend asks for a new group with its own value).
    int fanout_group = -1;
};

struct KernelCounters {
    uint64_t received = 0; // passed the filter and reached the socket, queued or dropped
    uint64_t dropped = 0;  // of those, dropped for lack of room in the ring/buffer
};

class CaptureBackend {
public:
    using PacketSink = std::function<void(const CapturedPacket&)>;
    virtual ~CaptureBackend() = default;

    virtual CaptureError open(const BackendOptions& opts) = 0;
    virtual int fd() const = 0;
    virtual uint32_t link_type() const = 0;
    virtual uint32_t snaplen() const = 0;
    // Hands every packet ready now to `sink`; returns how many.
    virtual size_t dispatch(const PacketSink& sink) = 0;
    // Running totals (the kernel resets its own counters on each read).
    virtual KernelCounters counters() = 0;
    // Stops the socket from taking new packets, so a final drain plus a final
    // counter read account for everything.
    virtual void stop_accepting() = 0;
    // Set when the interface disappeared or the socket failed.
    virtual std::string socket_error() = 0;
    // Called once the helper holds no privilege and runs under its seccomp
    // filter: threads a backend starts get neither capability nor freedom.
    virtual void start() {}
    // True when a socket failed where fd()'s poll cannot show it (a
    // backend's own thread saw it); socket_error() then says why.
    virtual bool failed() const { return false; }
    // Appended to the helper's closing summary line, e.g. per-socket counts.
    virtual std::string breakdown() { return {}; }
};

std::unique_ptr<CaptureBackend> make_afpacket_backend();
std::unique_ptr<CaptureBackend> make_pcap_backend();
// `threads` TPACKET_V3 sockets in one PACKET_FANOUT_HASH group, each emptied
// by its own thread, merged in time-stamp order per batch.
std::unique_ptr<CaptureBackend> make_afpacket_fanout_backend(unsigned threads);

// One classic BPF instruction, laid out as both struct bpf_insn and struct sock_filter.
struct BpfInsn {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
};

// Compiles a capture filter with libpcap for a link type (a LINKTYPE_ number,
// as in files) and snaplen, without an interface; the program returns the
// snaplen for accepted packets. Returns false with libpcap's message in
// `error`. `listing` gets the program in tcpdump -d form.
bool compile_filter(const std::string& expr, int link_type, uint32_t snaplen, std::vector<BpfInsn>& program,
                    std::string* listing, std::string& error);

// libpcap's DLT_ numbers and the LINKTYPE_ numbers of files (they differ for
// a few link types, raw IP among them).
int dlt_from_linktype(int link_type);
int linktype_from_dlt(int dlt);

// What libpcap makes of an interface when it captures on it live: its link
// type and, if asked, a filter compiled for it. A live handle knows what a
// dead one cannot, e.g. that the kernel takes VLAN tags out of the frames
// before the filter runs.
struct LiveLink {
    int dlt = -1;
    std::vector<BpfInsn> program;
};
// Opens and closes a libpcap handle on the interface, so it needs the capture
// privilege. `expr` null: no filter wanted.
CaptureError probe_live_link(const std::string& interface, const std::string* expr, uint32_t snaplen, LiveLink& out);
// libpcap compiles for its Linux cooked header (LINKTYPE_LINUX_SLL) while a
// SOCK_DGRAM socket's filter sees the packet without it: moves the offsets
// and maps the header's packet type and protocol to the kernel's own fields.
// False when the program reads other parts of the header.
bool adapt_to_cooked_socket(std::vector<BpfInsn>& program);
// On the loopback device AF_PACKET hands every packet over twice, once going
// out and once coming in. libpcap skips the outgoing copy in user space after
// the kernel has counted it; rejecting it in the filter keeps it out of the
// kernel's counters as well. Prepends that test to `program`.
void reject_outgoing_copies(std::vector<BpfInsn>& program);

// Interface facts for the helper's own network namespace. Only
// interface_drops() may be called once the system calls are restricted.
bool interface_exists(const std::string& name);
bool interface_up(const std::string& name);
unsigned interface_flags(const std::string& name);
int interface_hardware_type(const std::string& name); // ARPHRD_*, -1 if unknown
// No such interface, or interface down, as the error a backend reports.
CaptureError check_interface(const std::string& name);
// rx_dropped + rx_missed_errors + rx_fifo_errors of the interface now.
uint64_t interface_drops(const std::string& name);

} // namespace underhood::capture
