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
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sys/eventfd.h>
#include <thread>

namespace underhood::capture {

namespace {

constexpr uint32_t kLinkEthernet = 1;
constexpr uint32_t kLinkSll = 113;
constexpr size_t kSllHeaderLength = 16;
// BackendOptions::fanout_group: start a new group.
constexpr int kNewFanoutGroup = -2;

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
        // A socket bound to the interface but not yet in its fanout group
        // would get every packet, doubling what its siblings get: it rejects
        // everything until it has joined.
        const bool fanout = o.fanout_group >= 0 || o.fanout_group == kNewFanoutGroup;
        if (fanout) {
            stop_accepting();
        } else if (CaptureError e = attach(link.program)) {
            return e;
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
        if (fanout) {
            // The first socket has the kernel pick a group id no one else
            // uses (joining a stranger's group would share its packets);
            // the others join that id.
            const bool first = o.fanout_group == kNewFanoutGroup;
            int arg = first ? (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16
                            : (o.fanout_group & 0xffff) | (PACKET_FANOUT_HASH << 16);
            if (setsockopt(fd_, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0)
                return {kExitFailure, "cannot join a packet fanout group: " + errno_text()};
            socklen_t len = sizeof arg;
            if (getsockopt(fd_, SOL_PACKET, PACKET_FANOUT, &arg, &len) != 0)
                return {kExitFailure, "cannot read the packet fanout group: " + errno_text()};
            fanout_group_ = arg & 0xffff;
            if (CaptureError e = attach(link.program))
                return e;
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
            tpacket_block_desc* desc = user_block(current_);
            if (!desc)
                break;
            uint32_t num = desc->hdr.bh1.num_pkts;
            auto* hdr = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(desc) +
                                                         desc->hdr.bh1.offset_to_first_pkt);
            for (uint32_t i = 0; i < num; ++i) {
                emit(hdr, sink);
                ++n;
                hdr = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(hdr) + hdr->tp_next_offset);
            }
            release(current_);
            current_ = (current_ + 1) % req_.tp_block_nr;
        }
        return n;
    }

    // The ring's block `index` if the kernel has handed it over, else null.
    tpacket_block_desc* user_block(unsigned index) const
    {
        auto* desc = reinterpret_cast<tpacket_block_desc*>(ring_ + size_t(index) * req_.tp_block_size);
        if (!(__atomic_load_n(&desc->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
            return nullptr;
        return desc;
    }
    // Gives block `index` back to the kernel; blocks go back in ring order,
    // since the kernel fills them in that order.
    void release(unsigned index)
    {
        auto* desc = reinterpret_cast<tpacket_block_desc*>(ring_ + size_t(index) * req_.tp_block_size);
        __atomic_store_n(&desc->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    }
    unsigned block_count() const { return req_.tp_block_nr; }
    // The fanout group the socket joined.
    int fanout_group() const { return fanout_group_; }
    const KernelCounters& totals() const { return totals_; }

    // One packet of a block handed over by the kernel, framed for the stream.
    void emit(const tpacket3_hdr* hdr, const PacketSink& sink)
    {
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
    CaptureError attach(std::vector<BpfInsn>& program)
    {
        if (program.empty()) {
            // Replaces the reject-all filter a fanout member starts with.
            int unused = 0;
            if (setsockopt(fd_, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) != 0 && errno != ENOENT)
                return {kExitFailure, "cannot remove the socket's filter: " + errno_text()};
            return {};
        }
        sock_fprog fp{uint16_t(program.size()), reinterpret_cast<sock_filter*>(program.data())};
        if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) != 0)
            return {kExitBadFilter, "cannot attach the capture filter: " + errno_text()};
        return {};
    }

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
    int fanout_group_ = -1;
};

// Several rings in one PACKET_FANOUT_HASH group: the kernel hashes each
// packet's flow to one socket, so a conversation stays in one ring and in
// order there. One thread per ring waits for the ring's blocks and lists their
// packets; the capture loop takes every listed block of every ring at once,
// writes the packets in time-stamp order and gives the blocks back. Nothing is
// copied on the way: a ring's blocks stay the kernel's buffer until written,
// so a slow writer shows as the kernel's drops, counted, as with one ring.
class FanoutRings final : public CaptureBackend {
public:
    explicit FanoutRings(unsigned n) : count_(n) {}

    ~FanoutRings() override
    {
        stop_ = true;
        for (auto& w : workers_)
            w->released.notify_all();
        for (auto& w : workers_)
            if (w->thread.joinable())
                w->thread.join();
        if (event_fd_ >= 0)
            close(event_fd_);
    }

    CaptureError open(const BackendOptions& o) override
    {
        event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (event_fd_ < 0)
            return {kExitFailure, "cannot create an event descriptor: " + errno_text()};
        int group = kNewFanoutGroup;
        for (unsigned i = 0; i < count_; ++i) {
            auto w = std::make_unique<Worker>();
            BackendOptions one = o;
            one.fanout_group = group;
            one.buffer_bytes = std::max<size_t>(o.buffer_bytes / count_, 128u << 10);
            if (CaptureError err = w->ring.open(one))
                return err;
            group = w->ring.fanout_group();
            workers_.push_back(std::move(w));
        }
        return {};
    }

    void start() override
    {
        for (size_t i = 0; i < workers_.size(); ++i)
            workers_[i]->thread = std::thread([this, i] { run(*workers_[i]); });
    }

    int fd() const override { return event_fd_; }
    uint32_t link_type() const override { return workers_.front()->ring.link_type(); }
    uint32_t snaplen() const override { return workers_.front()->ring.snaplen(); }

    size_t dispatch(const PacketSink& sink) override
    {
        uint64_t ignored;
        [[maybe_unused]] ssize_t r = ::read(event_fd_, &ignored, sizeof ignored);
        taken_blocks_.clear();
        packets_.clear();
        for (size_t i = 0; i < workers_.size(); ++i) {
            Worker& w = *workers_[i];
            std::lock_guard lock(w.mutex);
            for (ListedBlock& b : w.ready) {
                for (const auto& [ts, hdr] : b.packets)
                    packets_.push_back({ts, uint32_t(i), hdr});
                taken_blocks_.push_back({uint32_t(i), b.index});
            }
            w.ready.clear();
        }
        // Each ring is in arrival order already; across rings, time stamps decide.
        std::stable_sort(packets_.begin(), packets_.end(),
                         [](const Listed& a, const Listed& b) { return a.ts < b.ts; });
        for (const Listed& p : packets_) {
            workers_[p.ring]->ring.emit(p.hdr, sink);
            ++per_ring_taken_[p.ring];
        }
        for (const auto& [ring, index] : taken_blocks_) {
            Worker& w = *workers_[ring];
            w.ring.release(index);
            {
                std::lock_guard lock(w.mutex);
                --w.outstanding;
            }
            w.released.notify_one();
        }
        return packets_.size();
    }

    KernelCounters counters() override
    {
        KernelCounters sum;
        for (auto& w : workers_) {
            KernelCounters k = w->ring.counters();
            sum.received += k.received;
            sum.dropped += k.dropped;
        }
        return sum;
    }

    void stop_accepting() override
    {
        for (auto& w : workers_)
            w->ring.stop_accepting();
    }

    std::string socket_error() override
    {
        for (auto& w : workers_) {
            std::lock_guard lock(w->mutex);
            if (!w->error.empty())
                return w->error;
        }
        return {};
    }

    bool failed() const override { return failed_; }

    std::string breakdown() override
    {
        std::string received, dropped, written;
        for (size_t i = 0; i < workers_.size(); ++i) {
            const KernelCounters& k = workers_[i]->ring.totals();
            received += (i ? "+" : "") + std::to_string(k.received);
            dropped += (i ? "+" : "") + std::to_string(k.dropped);
            written += (i ? "+" : "") + std::to_string(per_ring_taken_[i]);
        }
        return " (" + std::to_string(workers_.size()) + " fanout sockets: " + received + " received, " + dropped +
               " dropped by the kernel, " + written + " taken)";
    }

private:
    struct ListedBlock {
        unsigned index = 0;
        std::vector<std::pair<int64_t, const tpacket3_hdr*>> packets;
    };
    struct Worker {
        TpacketV3Ring ring;
        std::thread thread;
        std::mutex mutex;
        std::condition_variable released;
        std::vector<ListedBlock> ready; // listed, not yet taken by dispatch()
        unsigned outstanding = 0;       // blocks listed and not yet given back
        std::string error;
    };
    struct Listed {
        int64_t ts;
        uint32_t ring;
        const tpacket3_hdr* hdr;
    };

    void run(Worker& w)
    {
        const unsigned blocks = w.ring.block_count();
        unsigned cursor = 0;
        while (!stop_) {
            {
                // Every block is with the capture loop: wait for one back.
                std::unique_lock lock(w.mutex);
                if (w.outstanding == blocks) {
                    w.released.wait_for(lock, std::chrono::milliseconds(50));
                    continue;
                }
            }
            if (tpacket_block_desc* desc = w.ring.user_block(cursor)) {
                ListedBlock b;
                b.index = cursor;
                const uint32_t num = desc->hdr.bh1.num_pkts;
                b.packets.reserve(num);
                auto* hdr = reinterpret_cast<const tpacket3_hdr*>(reinterpret_cast<const uint8_t*>(desc) +
                                                                   desc->hdr.bh1.offset_to_first_pkt);
                for (uint32_t i = 0; i < num; ++i) {
                    b.packets.emplace_back(int64_t(hdr->tp_sec) * 1000000000 + hdr->tp_nsec, hdr);
                    hdr = reinterpret_cast<const tpacket3_hdr*>(reinterpret_cast<const uint8_t*>(hdr) +
                                                                 hdr->tp_next_offset);
                }
                {
                    std::lock_guard lock(w.mutex);
                    w.ready.push_back(std::move(b));
                    ++w.outstanding;
                }
                cursor = (cursor + 1) % blocks;
                const uint64_t one = 1;
                [[maybe_unused]] ssize_t r = ::write(event_fd_, &one, sizeof one);
                continue;
            }
            pollfd p{w.ring.fd(), POLLIN, 0};
            const int rc = poll(&p, 1, 50);
            if (rc > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
                std::string e = w.ring.socket_error();
                if (!e.empty()) {
                    {
                        std::lock_guard lock(w.mutex);
                        w.error = e;
                    }
                    failed_ = true;
                    const uint64_t one = 1;
                    [[maybe_unused]] ssize_t r = ::write(event_fd_, &one, sizeof one);
                }
                // The ring still retires its last block: keep looking, gently.
                timespec pause{0, 5000000};
                nanosleep(&pause, nullptr);
            } else if (rc > 0 && !w.ring.user_block(cursor)) {
                // Readable because the block before ours is still with the
                // capture loop: wait for it to come back rather than spin.
                std::unique_lock lock(w.mutex);
                if (w.outstanding > 0)
                    w.released.wait_for(lock, std::chrono::milliseconds(10));
            }
        }
    }

    unsigned count_;
    int event_fd_ = -1;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> failed_{false};
    std::vector<std::pair<uint32_t, unsigned>> taken_blocks_;
    std::vector<Listed> packets_;
    uint64_t per_ring_taken_[64] = {};
};

} // namespace

std::unique_ptr<CaptureBackend> make_afpacket_backend() { return std::make_unique<TpacketV3Ring>(); }
std::unique_ptr<CaptureBackend> make_afpacket_fanout_backend(unsigned threads)
{
    return std::make_unique<FanoutRings>(std::min(threads, 64u));
}

} // namespace underhood::capture
