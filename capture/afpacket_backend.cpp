// AF_PACKET with a TPACKET_V3 block ring (kernel Documentation/networking/packet_mmap.rst).
#include "capture_backend.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace underhood::capture {

namespace {

constexpr uint32_t kLinkEthernet = 1;
constexpr uint32_t kLinkSll = 113;
constexpr size_t kSllHeaderLength = 16;

std::string errno_text() { return std::strerror(errno); }

class TpacketV3Ring final : public CaptureBackend {
public:
    ~TpacketV3Ring() override
    {
        if (ring_)
            munmap(ring_, size_t(req_.tp_block_size) * req_.tp_block_nr);
        if (fd_ >= 0)
            close(fd_);
    }

    CaptureError open(const BackendOptions& o) override
    {
        opts_ = o;
        if (CaptureError e = check_interface(o.interface))
            return e;
        ifindex_ = int(if_nametoindex(o.interface.c_str()));
        // Frame the packets as libpcap does on this interface and let it compile
        // the filter for a live capture there: a filter then means here what it
        // means to tcpdump (VLAN tags, cooked and raw offsets).
        const bool loopback = interface_flags(o.interface) & IFF_LOOPBACK;
        LiveLink link;
        const bool program = !o.filter.empty() || loopback;
        if (CaptureError e = probe_live_link(o.interface, program ? &o.filter : nullptr, o.snaplen, link))
            return e;
        int sock_type = SOCK_RAW;
        switch (link.dlt) {
        case DLT_EN10MB:
            link_type_ = kLinkEthernet;
            break;
        case DLT_LINUX_SLL:
            link_type_ = kLinkSll;
            sock_type = SOCK_DGRAM;
            cooked_ = true;
            break;
        case DLT_LINUX_SLL2:
        case DLT_LINUX_IRDA:
        case DLT_LINUX_LAPD:
        case DLT_NETLINK:
        case DLT_CAN_SOCKETCAN: {
            // libpcap rewrites these frames or their headers in ways this backend does not.
            const char* name = pcap_datalink_val_to_name(link.dlt);
            return {kExitFailure, "the afpacket backend cannot capture on " + o.interface + " (link type " +
                                      (name ? name : std::to_string(link.dlt)) + "); use --backend pcap"};
        }
        default:
            link_type_ = uint32_t(linktype_from_dlt(link.dlt));
            break;
        }
        if (cooked_ && !adapt_to_cooked_socket(link.program))
            return {kExitBadFilter, "bad capture filter: '" + o.filter + "' looks at parts of the cooked header on " +
                                        o.interface + " that the kernel cannot filter on; use --backend pcap"};
        if (loopback)
            reject_outgoing_copies(link.program);
        // Protocol 0: receive nothing until the filter and ring are in place.
        fd_ = socket(AF_PACKET, sock_type | SOCK_CLOEXEC, 0);
        if (fd_ < 0) {
            if (errno == EPERM || errno == EACCES)
                return {kExitNoPrivilege, "no permission to open a packet socket"};
            return {kExitFailure, "cannot open a packet socket: " + errno_text()};
        }
        if (!link.program.empty()) {
            sock_fprog fp{uint16_t(link.program.size()), reinterpret_cast<sock_filter*>(link.program.data())};
            if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) != 0)
                return {kExitBadFilter, "cannot attach the capture filter: " + errno_text()};
        }
        int version = TPACKET_V3;
        if (setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0)
            return {kExitFailure, "the kernel does not offer TPACKET_V3: " + errno_text()};
        // At least 8 blocks, each a power of two from 64 KiB to 1 MiB: the kernel
        // fills one while we empty others, and a full block or the retire
        // timeout hands it over, whichever comes first.
        unsigned block = 1u << 20;
        while (block > (64u << 10) && o.buffer_bytes / block < 8)
            block >>= 1;
        req_.tp_block_size = block;
        size_t blocks = std::max<size_t>(2, o.buffer_bytes / block);
        req_.tp_block_nr = unsigned(blocks);
        req_.tp_frame_size = 2048;
        req_.tp_frame_nr = req_.tp_block_size / req_.tp_frame_size * req_.tp_block_nr;
        req_.tp_retire_blk_tov = unsigned(o.block_timeout_ms);
        req_.tp_feature_req_word = 0;
        if (setsockopt(fd_, SOL_PACKET, PACKET_RX_RING, &req_, sizeof req_) != 0)
            return {kExitFailure, "cannot set up the capture ring (" + std::to_string(blocks) + " blocks): " +
                                      errno_text()};
        size_t len = size_t(req_.tp_block_size) * req_.tp_block_nr;
        void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd_, 0);
        if (p == MAP_FAILED)
            p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
        if (p == MAP_FAILED)
            return {kExitFailure, "cannot map the capture ring: " + errno_text()};
        ring_ = static_cast<uint8_t*>(p);
        sockaddr_ll sll{};
        sll.sll_family = AF_PACKET;
        sll.sll_protocol = htons(ETH_P_ALL);
        sll.sll_ifindex = ifindex_;
        if (bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
            if (errno == ENETDOWN)
                return {kExitInterfaceDown, "interface " + o.interface + " is down"};
            return {kExitFailure, "cannot bind to " + o.interface + ": " + errno_text()};
        }
        if (o.promisc) {
            packet_mreq mr{};
            mr.mr_ifindex = ifindex_;
            mr.mr_type = PACKET_MR_PROMISC;
            if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
                return {kExitFailure, "cannot enter promiscuous mode on " + o.interface + ": " + errno_text()};
        }
        // Anything counted before the bind (none: protocol 0) is discarded.
        counters();
        totals_ = {};
        return {};
    }

    int fd() const override { return fd_; }
    uint32_t link_type() const override { return link_type_; }
    uint32_t snaplen() const override { return opts_.snaplen; }

    size_t dispatch(const PacketSink& sink) override
    {
        size_t n = 0;
        for (unsigned walked = 0; walked < req_.tp_block_nr; ++walked) {
            auto* desc = reinterpret_cast<tpacket_block_desc*>(ring_ + size_t(current_) * req_.tp_block_size);
            if (!(__atomic_load_n(&desc->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
                break;
            uint32_t num = desc->hdr.bh1.num_pkts;
            auto* hdr = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(desc) +
                                                         desc->hdr.bh1.offset_to_first_pkt);
            for (uint32_t i = 0; i < num; ++i) {
                CapturedPacket pkt;
                pkt.ts_ns = int64_t(hdr->tp_sec) * 1000000000 + hdr->tp_nsec;
                pkt.caplen = std::min(hdr->tp_snaplen, opts_.snaplen);
                pkt.len = hdr->tp_len;
                pkt.data = reinterpret_cast<const uint8_t*>(hdr) + hdr->tp_mac;
                if (link_type_ == kLinkEthernet && (hdr->tp_status & TP_STATUS_VLAN_VALID)) {
                    pkt.has_vlan = true;
                    pkt.vlan_tci = hdr->hv1.tp_vlan_tci;
                    pkt.vlan_tpid = (hdr->tp_status & TP_STATUS_VLAN_TPID_VALID) ? hdr->hv1.tp_vlan_tpid : 0x8100;
                }
                if (cooked_) {
                    emit_cooked(hdr, pkt, sink);
                } else {
                    sink(pkt);
                }
                ++n;
                hdr = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(hdr) + hdr->tp_next_offset);
            }
            __atomic_store_n(&desc->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
            current_ = (current_ + 1) % req_.tp_block_nr;
        }
        return n;
    }

    KernelCounters counters() override
    {
        tpacket_stats_v3 st{};
        socklen_t len = sizeof st;
        if (fd_ >= 0 && getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
            // The kernel adds the drops into tp_packets and zeroes both on read.
            totals_.received += st.tp_packets;
            totals_.dropped += st.tp_drops;
        }
        return totals_;
    }

    void stop_accepting() override
    {
        // A filter that rejects everything: nothing new enters the ring.
        sock_filter reject{BPF_RET | BPF_K, 0, 0, 0};
        sock_fprog fp{1, &reject};
        setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp);
    }

    std::string socket_error() override
    {
        int err = 0;
        socklen_t len = sizeof err;
        // The kernel reports ENETDOWN here when the interface goes away.
        if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
            return err == ENETDOWN ? "the interface went down or disappeared" : std::strerror(err);
        return {};
    }

private:
    // Linux cooked header v1 (LINKTYPE_LINUX_SLL) from the ring's sockaddr_ll.
    // A VLAN tag the kernel took out goes back where libpcap puts it: in place
    // of the protocol, which follows the tag.
    void emit_cooked(const tpacket3_hdr* hdr, CapturedPacket pkt, const PacketSink& sink)
    {
        const auto* sll = reinterpret_cast<const sockaddr_ll*>(reinterpret_cast<const uint8_t*>(hdr) +
                                                               TPACKET_ALIGN(sizeof(tpacket3_hdr)));
        const bool tagged = hdr->tp_status & TP_STATUS_VLAN_VALID;
        const size_t head = kSllHeaderLength + (tagged ? 4 : 0);
        cooked_buf_.assign(head, 0);
        auto put16 = [&](size_t off, uint16_t v) {
            cooked_buf_[off] = uint8_t(v >> 8);
            cooked_buf_[off + 1] = uint8_t(v);
        };
        put16(0, sll->sll_pkttype);
        put16(2, sll->sll_hatype);
        put16(4, sll->sll_halen);
        std::memcpy(cooked_buf_.data() + 6, sll->sll_addr, std::min<size_t>(8, sll->sll_halen));
        if (tagged) {
            put16(14, (hdr->tp_status & TP_STATUS_VLAN_TPID_VALID) ? hdr->hv1.tp_vlan_tpid : 0x8100);
            put16(16, hdr->hv1.tp_vlan_tci);
        }
        put16(head - 2, ntohs(sll->sll_protocol));
        const uint8_t* net = reinterpret_cast<const uint8_t*>(hdr) + hdr->tp_net;
        cooked_buf_.insert(cooked_buf_.end(), net, net + hdr->tp_snaplen);
        pkt.data = cooked_buf_.data();
        pkt.caplen = uint32_t(std::min<size_t>(cooked_buf_.size(), opts_.snaplen));
        pkt.len = uint32_t(hdr->tp_len + head);
        pkt.has_vlan = false;
        sink(pkt);
    }

    BackendOptions opts_;
    int fd_ = -1;
    int ifindex_ = 0;
    uint32_t link_type_ = kLinkEthernet;
    bool cooked_ = false;
    tpacket_req3 req_{};
    uint8_t* ring_ = nullptr;
    unsigned current_ = 0;
    KernelCounters totals_;
    std::vector<uint8_t> cooked_buf_;
};

} // namespace

std::unique_ptr<CaptureBackend> make_afpacket_backend() { return std::make_unique<TpacketV3Ring>(); }

} // namespace underhood::capture
