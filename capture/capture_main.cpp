// underhood-capture: turns network interfaces into a pcapng stream with exact
// drop accounting (see ARCHITECTURE.md, "The capture stream", and README.md here).
#include "capture_backend.h"
#include "interface_list.h"
#include "nic_health.h"
#include "packet_queue.h"
#include "pcapng_format.h"
#include "pcapng_writer.h"
#include "privileges.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fcntl.h>
#include <getopt.h>
#include <map>
#include <mutex>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <string>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace underhood;
using namespace underhood::capture;

namespace {

// The opt_comment of the statistics block that closes an interface's counts
// in a section: readers tell a finished capture from a cut-off one by it.

// How long the final drain waits for the kernel to hand over the packets it
// counted: a few of the ring's 60 ms block timeouts, with room for a loaded machine.
constexpr int64_t kFinalDrainMs = 2000;

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

const char* g_program = "underhood-capture";

void say(const char* kind, const std::string& msg)
{
    // One line per event on stderr; the app shows "error:" lines to the user.
    std::fprintf(stderr, "underhood-capture: %s%s%s\n", kind, *kind ? ": " : "", msg.c_str());
}

int fail(int code, const std::string& msg)
{
    say("error", msg);
    return code;
}

int64_t now_ns()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t mono_ms()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

struct Options {
    std::vector<std::string> interfaces;
    std::string filter;
    uint32_t snaplen = 262144;
    size_t buffer_mib = 64; // about half a second of a saturated 1 Gb/s link
    std::string backend = "afpacket";
    bool promisc = true;
    std::string output;
    int out_fd = -1;
    uint64_t count = 0;
    int64_t duration_s = 0;
    unsigned ring_files = 0;
    uint64_t file_size_mib = 0;
    int stats_interval_ms = 1000;
    size_t queue_mib = 64;
    unsigned threads = 1;
    std::string listen;         // --listen [ADDR:]PORT: serve pcap-over-IP
    std::string format;         // --format pcap|pcapng (pcap-over-IP; default pcap)
};

constexpr const char* kUsage =
    "usage: underhood-capture -i IFACE [-i IFACE...] [-f FILTER] [-s SNAPLEN] [-B MiB]\n"
    "                         [--backend afpacket|pcap] [--no-promisc] [-w FILE|-] [--fd N]\n"
    "                         [-c COUNT] [-a duration:SEC] [--ring-files N --file-size MiB]\n"
    "                         [--stats-interval MS] [--queue MiB] [--threads N]\n"
    "                         [--listen [ADDR:]PORT [--format pcap|pcapng]]\n"
    "       underhood-capture -D\n"
    "       underhood-capture --describe IFACE\n"
    "       underhood-capture --check-filter FILTER [--linktype T] [-s SNAPLEN]\n"
    "       underhood-capture --version | --help\n";

constexpr const char* kHelp =
    "Captures packets and writes them as a pcapng stream: SHB, one IDB per interface,\n"
    "EPBs in batches, and an ISB per interface every --stats-interval and at the end\n"
    "with running totals (isb_ifrecv, isb_osdrop, isb_ifdrop, isb_filteraccept,\n"
    "isb_usrdeliv). Nothing is lost without being counted.\n\n"
    "  -i IFACE          interface to capture on (repeat for several)\n"
    "  -f FILTER         capture filter (libpcap syntax)\n"
    "  -s SNAPLEN        bytes kept per packet (default 262144: whole packets)\n"
    "  -B MiB            kernel buffer per interface (default 64)\n"
    "  --backend B       afpacket (TPACKET_V3 ring, default) or pcap (libpcap)\n"
    "  --no-promisc      do not put the interface into promiscuous mode\n"
    "  -w FILE|-         write to FILE or to standard output\n"
    "  --fd N            write to inherited descriptor N (a socketpair end)\n"
    "  -c COUNT          stop after COUNT packets\n"
    "  -a duration:SEC   stop after SEC seconds\n"
    "  --ring-files N    with -w FILE: rotate through N files of --file-size MiB each\n"
    "  --stats-interval  milliseconds between statistics blocks (default 1000)\n"
    "  --queue MiB       memory for packets waiting to be written (default 64);\n"
    "                    beyond it packets are counted as the helper's drops\n"
    "  --threads N       afpacket: N sockets in a fanout group (flows hashed to one\n"
    "                    each), each emptied by its own thread; -B is split among them\n"
    "  --listen [ADDR:]PORT  serve the capture as pcap-over-IP to one connected\n"
    "                    reader at a time (127.0.0.1 unless ADDR is given; there is\n"
    "                    no authentication: tunnel it through SSH)\n"
    "  --format F        with --listen: pcap (classic, microseconds, the default,\n"
    "                    for any pcap-over-IP reader) or pcapng (with statistics)\n"
    "  -D                list interfaces as JSON\n"
    "  --describe IFACE  the interface's NIC health (driver, speed, offloads, ring,\n"
    "                    drop counters) as JSON\n"
    "  --check-filter F  compile F and print the BPF program (exit 5 if invalid)\n\n"
    "Exit status: 0 ok, 1 failure, 2 no capture privilege, 3 no such interface,\n"
    "4 interface down, 5 bad filter, 6 interface vanished, 7 output error (disk full),\n"
    "8 the consumer closed the stream, 64 usage.\n";

int usage(const std::string& msg)
{
    say("error", msg);
    std::fputs(kUsage, stderr);
    return kExitUsage;
}

bool parse_uint(const char* s, uint64_t& out)
{
    if (!s || !*s)
        return false;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (errno || *end || s[0] == '-')
        return false;
    out = v;
    return true;
}

int link_type_number(const std::string& name)
{
    static const std::map<std::string, int> names = {
        {"EN10MB", 1}, {"RAW", 101}, {"LINUX_SLL", 113}, {"LINUX_SLL2", 276}, {"NULL", 0},
        {"IEEE802_11", 105}, {"IEEE802_11_RADIO", 127}, {"PPP", 9}};
    auto it = names.find(name);
    if (it != names.end())
        return it->second;
    uint64_t v = 0;
    return parse_uint(name.c_str(), v) && v < 65536 ? int(v) : -1;
}

struct InterfaceState {
    std::string name;
    std::unique_ptr<CaptureBackend> backend;
    NicProbe probe;
    std::string hardware; // if_hardware
    std::optional<uint64_t> speed_bps;
    std::optional<std::array<uint8_t, 6>> mac;
    std::string start_health; // the NIC-health record at the start, in each IDB
    uint64_t ifdrop_base = 0;
    uint64_t taken = 0;     // packets the helper took from the kernel
    uint64_t delivered = 0; // packets queued for the stream
    int64_t start_ns = 0;
};

PcapngInterfaceStatistics statistics_of(InterfaceState& s, uint32_t id, const KernelCounters& k)
{
    PcapngInterfaceStatistics q;
    q.interface_id = id;
    q.ts_ns = uint64_t(now_ns());
    q.ifrecv = k.received;
    q.osdrop = k.dropped;
    uint64_t d = interface_drops(s.name);
    q.ifdrop = d >= s.ifdrop_base ? d - s.ifdrop_base : 0;
    q.filteraccept = s.taken;
    q.usrdeliv = s.delivered;
    q.start_ns = uint64_t(s.start_ns);
    q.end_ns = q.ts_ns;
    return q;
}

// The interface's NIC-health record now, for an IDB or ISB comment.
std::string health_record(const InterfaceState& s, uint32_t id, HealthPhase phase)
{
    return encode_health_record(id, uint64_t(now_ns()), phase, s.probe.read());
}

// The writer thread: empties the queue into the pcapng stream, rotating files when asked.
class StreamWriter {
public:
    StreamWriter(const Options& o, std::vector<InterfaceState>& itfs, PacketQueue& q, std::string if_os)
        : opts_(o), itfs_(itfs), q_(q), if_os_(std::move(if_os))
    {
    }

    bool open()
    {
        if (!opts_.listen.empty())
            return open_listener();
        if (opts_.out_fd >= 0) {
            writer_ = std::make_unique<PcapngWriter>(opts_.out_fd, true);
        } else if (opts_.output == "-") {
            writer_ = std::make_unique<PcapngWriter>(STDOUT_FILENO, false);
        } else {
            return open_file();
        }
        return write_headers();
    }

    void run()
    {
        if (listen_fd_ >= 0) {
            serve();
            return;
        }
        // A full ring file is closed only when there is more to write, so the
        // last one still ends with the final statistics of the capture.
        bool full = false;
        while (auto chunk = q_.pop()) {
            if (full && !rotate()) {
                q_.recycle(std::move(chunk));
                break;
            }
            full = false;
            const uint64_t base = writer_->bytes_written();
            ok_ = writer_->write_encoded({chunk->bytes.get(), chunk->used}, chunk->packets) && writer_->flush();
            if (!ok_) {
                // Keep every block of this chunk that reached the file whole.
                good_offset_ = base + whole_blocks(chunk->bytes.get(), chunk->used, writer_->bytes_written() - base);
                q_.recycle(std::move(chunk));
                break;
            }
            q_.recycle(std::move(chunk));
            good_offset_ = writer_->bytes_written();
            full = opts_.ring_files && writer_->bytes_written() >= opts_.file_size_mib << 20;
        }
        if (!ok_)
            on_failure();
        else
            ok_ = writer_->close();
        done_ = true;
    }

    // The latest statistics per interface, repeated at the end of each ring file.
    void remember(const PcapngInterfaceStatistics& st)
    {
        std::lock_guard lock(stats_mutex_);
        last_stats_[st.interface_id] = st;
    }

    bool ok() const { return ok_; }
    bool done() const { return done_; }
    // pcap-over-IP: the listening socket (-1 otherwise), whether a reader is
    // being served, and a newly accepted reader for the writer thread to take.
    int listen_fd() const { return listen_fd_; }
    bool serving() const { return client_fd_ >= 0 || pending_client_ >= 0; }
    void hand_over(int fd) { pending_client_ = fd; }
    const std::string& error() const { return error_; }
    bool consumer_closed() const { return consumer_closed_; }

private:
    bool open_listener()
    {
        std::string host = "127.0.0.1", port = opts_.listen;
        if (const size_t colon = opts_.listen.rfind(':'); colon != std::string::npos) {
            host = opts_.listen.substr(0, colon);
            port = opts_.listen.substr(colon + 1);
            if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
                host = host.substr(1, host.size() - 2);
        }
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE;
        addrinfo* res = nullptr;
        if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res); rc != 0) {
            error_ = "cannot listen on " + opts_.listen + ": " + gai_strerror(rc);
            return ok_ = false;
        }
        for (addrinfo* a = res; a; a = a->ai_next) {
            int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
            if (fd < 0)
                continue;
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
                listen_fd_ = fd;
                break;
            }
            error_ = "cannot listen on " + opts_.listen + ": " + std::strerror(errno);
            ::close(fd);
        }
        freeaddrinfo(res);
        if (listen_fd_ < 0)
            return ok_ = false;
        say("", "listening on " + host + " port " + port + " (pcap-over-IP, " + opts_.format +
                    "; no authentication: tunnel it through SSH to cross a network)");
        return true;
    }

    // One reader at a time: it gets the headers, then every chunk from then
    // on. While none is connected the chunks are discarded, so a reader sees
    // the traffic from when it connected (the statistics count from the start).
    void serve()
    {
        while (auto chunk = q_.pop()) {
            if (const int fd = pending_client_.exchange(-1); fd >= 0) {
                client_fd_ = fd;
                if (!start_client())
                    end_client("the reader went away");
            }
            if (client_fd_ >= 0 && reader_left()) {
                end_client("the reader went away");
            } else if (client_fd_ >= 0) {
                const bool good = opts_.format == "pcapng"
                                      ? writer_->write_encoded({chunk->bytes.get(), chunk->used}, chunk->packets) &&
                                            writer_->flush()
                                      : write_pcap_records(chunk->bytes.get(), chunk->used);
                if (!good)
                    end_client("the reader went away");
            }
            q_.recycle(std::move(chunk));
        }
        if (client_fd_ >= 0)
            end_client("");
        ::close(listen_fd_);
        done_ = true;
    }

    // A pcap-over-IP reader sends nothing: end of file (or an error) on its
    // socket means it left. Seen here even when no packet is written (classic
    // pcap has no form for the statistics blocks that keep coming).
    bool reader_left()
    {
        pollfd p{client_fd_, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0)
            return false;
        if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
            return true;
        uint8_t b[256];
        const ssize_t n = ::recvfrom(client_fd_, b, sizeof b, MSG_DONTWAIT, nullptr, nullptr);
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    }

    bool start_client()
    {
        if (opts_.format == "pcapng") {
            writer_ = std::make_unique<PcapngWriter>(client_fd_, false);
            return write_headers();
        }
        // Classic pcap in microseconds, the form every pcap-over-IP reader takes.
        uint8_t h[24];
        const uint32_t magic = 0xa1b2c3d4, snaplen = itfs_.front().backend->snaplen(),
                       lt = uint32_t(itfs_.front().backend->link_type());
        const uint16_t major = 2, minor = 4;
        const uint32_t zero = 0;
        std::memcpy(h, &magic, 4);
        std::memcpy(h + 4, &major, 2);
        std::memcpy(h + 6, &minor, 2);
        std::memcpy(h + 8, &zero, 4);
        std::memcpy(h + 12, &zero, 4);
        std::memcpy(h + 16, &snaplen, 4);
        std::memcpy(h + 20, &lt, 4);
        return write_all(h, sizeof h);
    }

    void end_client(const std::string& why)
    {
        if (writer_) {
            writer_->close();
            writer_.reset();
        }
        ::close(client_fd_);
        client_fd_ = -1;
        if (!why.empty())
            say("", why + "; waiting for the next one");
    }

    bool write_all(const uint8_t* p, size_t n)
    {
        while (n) {
            const ssize_t w = ::write(client_fd_, p, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return false;
            p += w;
            n -= size_t(w);
        }
        return true;
    }

    // The chunk's EPBs as pcap records (statistics blocks have no pcap form).
    bool write_pcap_records(const uint8_t* blocks, size_t used)
    {
        pcap_buf_.clear();
        size_t off = 0;
        while (off + 12 <= used) {
            uint32_t type, len;
            std::memcpy(&type, blocks + off, 4);
            std::memcpy(&len, blocks + off + 4, 4);
            if (len < 12 || off + len > used)
                break;
            if (type == pcapng::kBlockEpb && len >= 32) {
                uint32_t hi, lo, caplen, origlen;
                std::memcpy(&hi, blocks + off + 12, 4);
                std::memcpy(&lo, blocks + off + 16, 4);
                std::memcpy(&caplen, blocks + off + 20, 4);
                std::memcpy(&origlen, blocks + off + 24, 4);
                caplen = std::min<uint32_t>(caplen, len - 32);
                const uint64_t ns = (uint64_t(hi) << 32) | lo;
                const uint32_t rec[4] = {uint32_t(ns / 1000000000), uint32_t(ns % 1000000000 / 1000), caplen, origlen};
                pcap_buf_.insert(pcap_buf_.end(), reinterpret_cast<const uint8_t*>(rec),
                                 reinterpret_cast<const uint8_t*>(rec) + sizeof rec);
                pcap_buf_.insert(pcap_buf_.end(), blocks + off + 28, blocks + off + 28 + caplen);
            }
            off += len;
        }
        return write_all(pcap_buf_.data(), pcap_buf_.size());
    }

    bool open_file()
    {
        std::string path = opts_.output;
        if (opts_.ring_files) {
            char suffix[32];
            std::snprintf(suffix, sizeof suffix, "_%05u.pcapng", ++file_number_);
            std::string stem = path;
            if (stem.size() > 7 && stem.compare(stem.size() - 7, 7, ".pcapng") == 0)
                stem.resize(stem.size() - 7);
            path = stem + suffix;
            files_.push_back(path);
            while (files_.size() > opts_.ring_files) {
                ::unlink(files_.front().c_str());
                files_.pop_front();
            }
        }
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            error_ = path + ": " + std::strerror(errno);
            ok_ = false;
            return false;
        }
        file_fd_ = fd;
        writer_ = std::make_unique<PcapngWriter>(fd, true);
        good_offset_ = 0;
        return write_headers();
    }

    bool write_headers()
    {
        PcapngSectionInfo shb;
        shb.user_appl = "underhood-capture " UNDERHOOD_VERSION;
        shb.os = "Linux";
        if (!writer_->write_section_header(shb)) {
            error_ = writer_->error();
            return ok_ = false;
        }
        for (const InterfaceState& s : itfs_) {
            PcapngInterfaceInfo idb;
            idb.link_type = uint16_t(s.backend->link_type());
            idb.snaplen = s.backend->snaplen();
            idb.name = s.name;
            idb.filter = opts_.filter;
            idb.os = if_os_;
            idb.hardware = s.hardware;
            idb.speed_bps = s.speed_bps;
            idb.mac = s.mac;
            // Every file, ring files too, starts with the capture's first
            // record: the base its counters are read against.
            idb.comment = s.start_health;
            if (!writer_->write_interface(idb)) {
                error_ = writer_->error();
                return ok_ = false;
            }
        }

        ok_ = writer_->flush();
        if (!ok_)
            error_ = writer_->error();
        else
            good_offset_ = writer_->bytes_written();
        return ok_;
    }

    bool rotate()
    {
        // Each file ends with the latest totals, marked final for its section,
        // so every file can be read on its own.
        {
            std::lock_guard lock(stats_mutex_);
            for (auto [itf, st] : last_stats_) {
                st.comment = pcapng::kFinalStatisticsComment;
                writer_->write_statistics(st);
            }
        }
        if (!writer_->close()) {
            on_failure();
            return false;
        }
        writer_.reset();
        return open_file();
    }

    // Length of the leading whole blocks among `accepted` bytes of `blocks`.
    static uint64_t whole_blocks(const uint8_t* blocks, size_t used, uint64_t accepted)
    {
        uint64_t off = 0;
        while (off + 8 <= used) {
            uint32_t len;
            std::memcpy(&len, blocks + off + 4, 4);
            if (len < 12 || off + len > accepted)
                break;
            off += len;
        }
        return off;
    }

    void on_failure()
    {
        error_ = writer_ ? writer_->error() : error_;
        consumer_closed_ = error_.find("Broken pipe") != std::string::npos ||
                           error_.find("Connection reset") != std::string::npos;
        if (file_fd_ >= 0) {
            // Never leave half a block at the end of a file (disk full): cut
            // back to the last batch that was written whole.
            if (ftruncate(file_fd_, off_t(good_offset_)) != 0)
                error_ += " (and could not cut the file back to its last whole block)";
        }
        ok_ = false;
    }

    const Options& opts_;
    std::vector<InterfaceState>& itfs_;
    PacketQueue& q_;
    std::unique_ptr<PcapngWriter> writer_;
    std::mutex stats_mutex_;
    std::map<uint32_t, PcapngInterfaceStatistics> last_stats_;
    std::string if_os_;
    std::deque<std::string> files_;
    unsigned file_number_ = 0;
    int file_fd_ = -1;
    uint64_t good_offset_ = 0;
    std::atomic<bool> ok_{true};
    std::atomic<bool> done_{false};
    std::atomic<bool> consumer_closed_{false};
    std::string error_;
    int listen_fd_ = -1;
    std::atomic<int> client_fd_{-1}; // written by the writer thread only
    std::atomic<int> pending_client_{-1};
    std::vector<uint8_t> pcap_buf_;
};

int check_filter(const std::string& expr, const std::string& link_type, uint32_t snaplen)
{
    int lt = link_type_number(link_type);
    if (lt < 0)
        return usage("unknown link type '" + link_type + "'");
    std::vector<BpfInsn> prog;
    std::string listing, error;
    if (!compile_filter(expr, lt, snaplen, prog, &listing, error))
        return fail(kExitBadFilter, "bad capture filter: " + error);
    std::fputs(listing.c_str(), stdout);
    return kExitOk;
}

} // namespace

int main(int argc, char** argv)
{
    g_program = argv[0];
    Options o;
    bool list = false;
    std::string check, linktype = "EN10MB";
    bool checking = false;
    std::string describe;
    enum {
        kOptBackend = 1000, kOptNoPromisc, kOptFd, kOptRingFiles, kOptFileSize, kOptStatsInterval, kOptCheckFilter,
        kOptLinktype, kOptVersion, kOptHelp, kOptQueue, kOptThreads, kOptDescribe, kOptListen, kOptFormat
    };
    static const option longs[] = {
        {"interface", required_argument, nullptr, 'i'}, {"filter", required_argument, nullptr, 'f'},
        {"snaplen", required_argument, nullptr, 's'}, {"buffer-size", required_argument, nullptr, 'B'},
        {"backend", required_argument, nullptr, kOptBackend}, {"no-promisc", no_argument, nullptr, kOptNoPromisc},
        {"write", required_argument, nullptr, 'w'}, {"fd", required_argument, nullptr, kOptFd},
        {"count", required_argument, nullptr, 'c'}, {"autostop", required_argument, nullptr, 'a'},
        {"ring-files", required_argument, nullptr, kOptRingFiles},
        {"file-size", required_argument, nullptr, kOptFileSize},
        {"stats-interval", required_argument, nullptr, kOptStatsInterval},
        {"queue", required_argument, nullptr, kOptQueue},
        {"threads", required_argument, nullptr, kOptThreads},
        {"describe", required_argument, nullptr, kOptDescribe},
        {"listen", required_argument, nullptr, kOptListen}, {"format", required_argument, nullptr, kOptFormat},
        {"list-interfaces", no_argument, nullptr, 'D'},
        {"check-filter", required_argument, nullptr, kOptCheckFilter},
        {"linktype", required_argument, nullptr, kOptLinktype}, {"version", no_argument, nullptr, kOptVersion},
        {"help", no_argument, nullptr, kOptHelp}, {nullptr, 0, nullptr, 0}};
    opterr = 0;
    int c;
    uint64_t v = 0;
    while ((c = getopt_long(argc, argv, ":i:f:s:B:w:c:a:Dh", longs, nullptr)) != -1) {
        switch (c) {
        case 'i': o.interfaces.emplace_back(optarg); break;
        case 'f': o.filter = optarg; break;
        case 's':
            if (!parse_uint(optarg, v) || v == 0 || v > 262144)
                return usage("-s needs a snaplen from 1 to 262144");
            o.snaplen = uint32_t(v);
            break;
        case 'B':
            if (!parse_uint(optarg, v) || v == 0 || v > 4096)
                return usage("-B needs a buffer size in MiB from 1 to 4096");
            o.buffer_mib = size_t(v);
            break;
        case kOptBackend:
            o.backend = optarg;
            if (o.backend != "afpacket" && o.backend != "pcap")
                return usage("--backend is afpacket or pcap");
            break;
        case kOptNoPromisc: o.promisc = false; break;
        case 'w': o.output = optarg; break;
        case kOptFd:
            if (!parse_uint(optarg, v) || v < 3 || v > 1 << 20)
                return usage("--fd needs an inherited descriptor number (3 or more)");
            o.out_fd = int(v);
            break;
        case 'c':
            if (!parse_uint(optarg, v) || v == 0)
                return usage("-c needs a packet count");
            o.count = v;
            break;
        case 'a': {
            std::string a = optarg;
            if (a.rfind("duration:", 0) != 0 || !parse_uint(a.c_str() + 9, v) || v == 0)
                return usage("-a takes duration:SECONDS");
            o.duration_s = int64_t(v);
            break;
        }
        case kOptRingFiles:
            if (!parse_uint(optarg, v) || v < 2 || v > 100000)
                return usage("--ring-files needs a number of files (2 or more)");
            o.ring_files = unsigned(v);
            break;
        case kOptFileSize:
            if (!parse_uint(optarg, v) || v == 0)
                return usage("--file-size needs a size in MiB");
            o.file_size_mib = v;
            break;
        case kOptStatsInterval:
            if (!parse_uint(optarg, v) || v < 10 || v > 3600000)
                return usage("--stats-interval needs milliseconds from 10 to 3600000");
            o.stats_interval_ms = int(v);
            break;
        case kOptQueue:
            if (!parse_uint(optarg, v) || v == 0 || v > 65536)
                return usage("--queue needs a size in MiB");
            o.queue_mib = size_t(v);
            break;
        case kOptThreads:
            if (!parse_uint(optarg, v) || v == 0 || v > 64)
                return usage("--threads needs a number of capture threads from 1 to 64");
            o.threads = unsigned(v);
            break;
        case kOptDescribe: describe = optarg; break;
        case kOptListen: o.listen = optarg; break;
        case kOptFormat:
            o.format = optarg;
            if (o.format != "pcap" && o.format != "pcapng")
                return usage("--format is pcap or pcapng");
            break;
        case 'D': list = true; break;
        case kOptCheckFilter:
            checking = true;
            check = optarg;
            break;
        case kOptLinktype: linktype = optarg; break;
        case kOptVersion: std::printf("underhood-capture %s\n", UNDERHOOD_VERSION); return kExitOk;
        case 'h':
        case kOptHelp:
            std::fputs(kUsage, stdout);
            std::fputs("\n", stdout);
            std::fputs(kHelp, stdout);
            return kExitOk;
        case ':': return usage(std::string("option ") + argv[optind - 1] + " needs a value");
        default: return usage(std::string("unknown option ") + argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage(std::string("unexpected argument '") + argv[optind] + "'");
    if (list) {
        std::fputs(list_interfaces_json().c_str(), stdout);
        return kExitOk;
    }
    if (checking)
        return check_filter(check, linktype, o.snaplen);
    if (!describe.empty()) {
        if (!interface_exists(describe))
            return fail(kExitNoSuchInterface, "no such interface: " + describe);
        NicProbe probe;
        std::string why;
        if (!probe.open(describe, why))
            return fail(kExitFailure, why);
        std::fputs(describe_json(describe, probe.read()).c_str(), stdout);
        return kExitOk;
    }
    if (o.threads > 1 && o.backend != "afpacket")
        return usage("--threads needs the afpacket backend");
    if (o.interfaces.empty())
        return usage("no interface given (-i IFACE; -D lists them)");
    if (!o.format.empty() && o.listen.empty())
        return usage("--format goes with --listen");
    if (!o.listen.empty()) {
        if (!o.output.empty() || o.out_fd >= 0)
            return usage("--listen serves the stream itself: no -w or --fd with it");
        if (o.format.empty())
            o.format = "pcap";
    }
    if (o.output.empty() && o.out_fd < 0 && o.listen.empty()) {
        if (isatty(STDOUT_FILENO))
            return usage("no output given: -w FILE, -w - (standard output) or --fd N");
        o.output = "-";
    }
    if (o.ring_files && (o.output.empty() || o.output == "-" || !o.file_size_mib))
        return usage("--ring-files needs -w FILE and --file-size MiB");
    if (o.out_fd >= 0) {
        struct stat st {};
        if (fstat(o.out_fd, &st) != 0)
            return usage("--fd " + std::to_string(o.out_fd) + " is not an open descriptor");
    }

    // Open every interface while the capabilities are still held.
    std::vector<InterfaceState> itfs;
    for (const std::string& name : o.interfaces) {
        InterfaceState s;
        s.name = name;
        s.backend = o.backend == "pcap"  ? make_pcap_backend()
                    : o.threads > 1      ? make_afpacket_fanout_backend(o.threads)
                                         : make_afpacket_backend();
        BackendOptions bo;
        bo.interface = name;
        bo.filter = o.filter;
        bo.snaplen = o.snaplen;
        bo.buffer_bytes = o.buffer_mib << 20;
        bo.promisc = o.promisc;
        CaptureError err = s.backend->open(bo);
        if (err.code == kExitNoPrivilege)
            return fail(kExitNoPrivilege, err.message + " on " + name + ": " + privilege_advice(g_program));
        if (err)
            return fail(err.code, err.message);
        std::string why;
        if (!s.probe.open(name, why))
            return fail(kExitFailure, why);
        const NicHealth health = s.probe.read();
        s.hardware = hardware_description(health);
        if (health.speed_mbps)
            s.speed_bps = *health.speed_mbps * 1000000;
        s.mac = health.mac;
        s.ifdrop_base = interface_drops(name);
        s.start_ns = now_ns();
        s.start_health = health_record(s, uint32_t(itfs.size()), HealthPhase::Start);
        itfs.push_back(std::move(s));
    }
    if (o.format == "pcap")
        for (const InterfaceState& s : itfs)
            if (s.backend->link_type() != itfs.front().backend->link_type())
                return usage("classic pcap holds one link type and these interfaces differ: use --format pcapng");
    std::string if_os = "Linux";
    if (utsname u{}; uname(&u) == 0)
        if_os += std::string(" ") + u.release;

    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_signal; // no SA_RESTART: poll() returns at once
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);

    PacketQueue queue(o.queue_mib << 20);
    StreamWriter stream(o, itfs, queue, if_os);
    // A ring file that fills before the first statistics still ends with some.
    for (size_t i = 0; i < itfs.size(); ++i) {
        stream.remember(statistics_of(itfs[i], uint32_t(i), {}));
    }
    // The sockets are open: from here on the helper holds nothing the user
    // running it does not. Output files are opened only now, so the user gets
    // "Permission denied" wherever their own shell would; with the capture
    // capabilities CAP_NET_ADMIN alone opens a network namespace's sysctl
    // files for writing.
    std::string why;
    if (!drop_privileges(why))
        return fail(kExitFailure, why);
    if (!stream.open())
        return fail(kExitOutputError, o.listen.empty() ? "cannot write the output: " + stream.error() : stream.error());
    // Before any thread exists: a thread inherits the filter only from the
    // thread that creates it.
    if (!restrict_system_calls(why))
        return fail(kExitFailure, why);
    std::thread writer_thread([&] { stream.run(); });
    for (InterfaceState& s : itfs)
        s.backend->start();
    for (const InterfaceState& s : itfs)
        say("", "capturing on " + s.name + " (" + o.backend + ", link type " +
                    std::to_string(s.backend->link_type()) + ", snaplen " + std::to_string(s.backend->snaplen()) +
                    ", buffer " + std::to_string(o.buffer_mib) + " MiB)");

    int exit_code = kExitOk;
    uint64_t total = 0;
    uint64_t helper_drops_reported = 0;
    const int64_t started = mono_ms();
    int64_t next_stats = started + o.stats_interval_ms;
    std::vector<pollfd> fds(itfs.size());
    for (size_t i = 0; i < itfs.size(); ++i)
        fds[i] = {itfs[i].backend->fd(), POLLIN, 0};
    if (stream.listen_fd() >= 0)
        fds.push_back({stream.listen_fd(), POLLIN, 0});

    auto take = [&](InterfaceState& s, uint32_t id, uint64_t limit) {
        return s.backend->dispatch([&](const CapturedPacket& p) {
            if (limit && s.taken >= limit)
                return; // arrived after the final counter read: outside the capture
            ++s.taken;
            uint8_t tag[4] = {uint8_t(p.vlan_tpid >> 8), uint8_t(p.vlan_tpid), uint8_t(p.vlan_tci >> 8),
                              uint8_t(p.vlan_tci)};
            if (o.count && total >= o.count)
                return;
            if (queue.push_packet(id, p.ts_ns, p.data, p.caplen, p.len, p.has_vlan ? tag : nullptr)) {
                ++s.delivered;
                ++total;
            }
        });
    };

    while (!g_stop) {
        int64_t now = mono_ms();
        int timeout = int(std::max<int64_t>(0, std::min<int64_t>(next_stats - now, 100)));
        int rc = poll(fds.data(), fds.size(), timeout);
        if (rc < 0 && errno != EINTR)
            break;
        bool gone = false;
        if (stream.listen_fd() >= 0) {
            // Waiting readers stay in the backlog while one is served.
            fds.back().events = stream.serving() ? 0 : POLLIN;
            if (rc > 0 && (fds.back().revents & POLLIN) && !stream.serving()) {
                sockaddr_storage peer{};
                socklen_t len = sizeof peer;
                const int fd = accept4(stream.listen_fd(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
                if (fd >= 0) {
                    char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
                    getnameinfo(reinterpret_cast<sockaddr*>(&peer), len, host, sizeof host, serv, sizeof serv,
                                NI_NUMERICHOST | NI_NUMERICSERV);
                    stream.hand_over(fd);
                    say("", std::string("reader connected from ") + host + " port " + serv);
                    next_stats = now; // statistics now, which also wakes the writer
                }
            }
        }
        for (size_t i = 0; i < itfs.size(); ++i) {
            take(itfs[i], uint32_t(i), 0);
            if ((fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) || itfs[i].backend->failed()) {
                std::string e = itfs[i].backend->socket_error();
                if (!e.empty()) {
                    say("error", "capture on " + itfs[i].name + " ended: " + e);
                    exit_code = kExitInterfaceGone;
                    gone = true;
                }
            }
        }
        queue.publish();
        now = mono_ms();
        if (now >= next_stats) {
            next_stats = now + o.stats_interval_ms;
            uint64_t helper_drops = 0;
            for (size_t i = 0; i < itfs.size(); ++i) {
                PcapngInterfaceStatistics st = statistics_of(itfs[i], uint32_t(i), itfs[i].backend->counters());
                st.health = health_record(itfs[i], uint32_t(i), HealthPhase::Interval);
                helper_drops += *st.filteraccept - *st.usrdeliv;
                stream.remember(st);
                queue.push_statistics(st);
            }
            queue.publish();
            if (helper_drops > helper_drops_reported && !(o.count && total >= o.count)) {
                say("warning", std::to_string(helper_drops) + " packets dropped so far because the reader of the "
                               "stream is too slow");
                helper_drops_reported = helper_drops;
            }
        }
        if (gone)
            break;
        if (!stream.ok() || stream.done()) {
            exit_code = stream.consumer_closed() ? kExitConsumerClosed : kExitOutputError;
            break;
        }
        if (o.count && total >= o.count)
            break;
        if (o.duration_s && now - started >= o.duration_s * 1000)
            break;
    }

    if (stream.ok()) {
        // Final accounting: stop intake, read the counters once more, then
        // take exactly what the kernel says it queued. The kernel hands a
        // ring block over when it is full or when the block timeout retires
        // it, so the last packets counted may come up to a timeout later.
        std::vector<KernelCounters> last(itfs.size());
        for (size_t i = 0; i < itfs.size(); ++i) {
            take(itfs[i], uint32_t(i), 0);
            itfs[i].backend->stop_accepting();
        }
        for (size_t i = 0; i < itfs.size(); ++i)
            last[i] = itfs[i].backend->counters();
        const int64_t deadline = mono_ms() + kFinalDrainMs;
        for (size_t i = 0; i < itfs.size(); ++i) {
            InterfaceState& s = itfs[i];
            const uint64_t queued = last[i].received - last[i].dropped;
            while (s.taken < queued) {
                if (take(s, uint32_t(i), queued) > 0)
                    continue;
                const int64_t left = deadline - mono_ms();
                if (left <= 0)
                    break;
                pollfd pfd{s.backend->fd(), POLLIN, 0};
                if (poll(&pfd, 1, int(std::min<int64_t>(left, 20))) > 0 && !(pfd.revents & POLLIN)) {
                    // A socket whose interface went away reports an error at
                    // once; its ring still gets its last block retired.
                    timespec pause{0, 5000000};
                    nanosleep(&pause, nullptr);
                }
            }
            if (s.taken < queued)
                say("warning", s.name + ": " + std::to_string(queued - s.taken) +
                                   " packets the kernel counted never reached the helper");
        }
        for (size_t i = 0; i < itfs.size(); ++i) {
            InterfaceState& s = itfs[i];
            // The counters read before the drain: what they count is what was taken.
            PcapngInterfaceStatistics st = statistics_of(s, uint32_t(i), last[i]);
            st.comment = pcapng::kFinalStatisticsComment;
            st.health = health_record(s, uint32_t(i), HealthPhase::Final);
            stream.remember(st);
            queue.push_statistics(st);
            say("", s.name + ": " + std::to_string(*st.usrdeliv) + " packets written, " + std::to_string(*st.ifrecv) +
                        " received by the socket, " + std::to_string(*st.osdrop) + " dropped by the kernel, " +
                        std::to_string(*st.filteraccept - *st.usrdeliv) + " dropped by the helper, " +
                        std::to_string(*st.ifdrop) + " dropped by the interface" + s.backend->breakdown());
        }
    }
    queue.close();
    writer_thread.join();
    if (!stream.ok()) {
        if (stream.consumer_closed())
            return fail(kExitConsumerClosed, "the reader of the stream went away");
        return fail(kExitOutputError, "writing the output failed: " + stream.error());
    }
    return exit_code;
}
