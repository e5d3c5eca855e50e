// Where packets come from: a capture file, standard input, a local interface
// (through underhood-capture), another machine's interface over SSH, or a
// pcap-over-IP TCP stream. Every kind ends up as a pcap or pcapng byte stream
// read by the one CaptureReader; this file only starts, watches and stops
// what produces the bytes. Several sources read at once are merged in time
// stamp order by SourceMerger.
//
// No home-made transport: SSH is the system's ssh (keys, agent, ~/.ssh/config
// and known-hosts checking are the user's own; BatchMode, so nothing ever asks
// for a password), pcap-over-IP is a plain TCP stream of a capture file.
#pragma once

#include "capture_reader.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace underhood {

struct SourceSpec {
    enum class Kind { File, Interface, Ssh, PcapOverIp };
    Kind kind = Kind::File;
    std::string text;      // as the user wrote it
    std::string path;      // File: a path, or "-" for standard input
    std::string interface; // Interface, Ssh
    std::string user;      // Ssh: empty for ssh's own default
    std::string host;      // Ssh, PcapOverIp
    std::string port;      // Ssh: empty for ssh's own default; PcapOverIp: always set
    std::string filter;    // Interface, Ssh: a capture filter (BPF)
    std::string helper;    // Ssh: the remote helper's path (?helper=), empty for the default search
    // Ssh, PcapOverIp (?offset=SECONDS): added to every time stamp of this
    // source, to correct a sensor whose clock is off.
    int64_t offset_ns = 0;

    bool live() const { return kind != Kind::File; }
    // How packets from this source are labelled: HOST/IFACE for a remote
    // sensor, HOST:PORT for pcap-over-IP, the interface or file name otherwise.
    std::string sensor_name() const;
};

// The default pcap-over-IP port (NetworkMiner's).
inline constexpr const char* kPcapOverIpDefaultPort = "57012";

// Parses "ssh://[USER@]HOST[:PORT]/IFACE[?filter=BPF&helper=PATH]",
// "pcap-over-ip://HOST[:PORT]" and, for anything else, an interface name when
// `interface` is true (what follows -i) or a file path ("-": standard input).
// False with a one-line `error`.
bool parse_source(const std::string& text, bool interface, SourceSpec& out, std::string& error);

struct SourceOptions {
    uint64_t count = 0;     // passed on to the helper or tcpdump (-c) so it ends cleanly
    int64_t duration_s = 0; // passed on to the helper (-a duration:S)
    std::string local_helper = "underhood-capture"; // the local underhood-capture
    // The ssh command as words; empty: $UNDERHOOD_SSH split at blanks (quotes
    // group words, as in GIT_SSH_COMMAND), else "ssh".
    std::vector<std::string> ssh_command;
    // Each standard-error line of a source's process as it comes (on a
    // thread of the source's own); may be empty.
    std::function<void(const SourceSpec&, const std::string&)> on_message;
};

// The final drop report of tcpdump on standard error, when a remote sensor
// had no helper and fell back to tcpdump. Less exact than the helper's
// statistics blocks: tcpdump reads libpcap's counters once at the end.
struct TcpdumpReport {
    std::optional<uint64_t> captured, received, dropped_by_kernel, dropped_by_interface;
};

// One sensor's counters, as the drop panel and `stats --json` show them.
struct SensorCounts {
    uint64_t packets = 0; // packets read from this source
    uint64_t bytes = 0;   // their wire lengths
    std::optional<int64_t> first_ns; // its first packet's time stamp (offset applied)
    std::optional<uint64_t> ifrecv, osdrop, ifdrop, helper_drops;
    bool exact = true;  // false: from tcpdump's final report
    bool final = false; // the helper's final statistics (or tcpdump's report) arrived
};

class CaptureSource {
public:
    ~CaptureSource();
    // Starts the source and reads its capture header; blocks until the
    // remote end sends it (the capture is then open there). Null with a
    // one-line `error` naming the source (ssh's own BatchMode message when
    // ssh could not log in).
    static std::unique_ptr<CaptureSource> open(const SourceSpec& spec, const SourceOptions& opts,
                                               std::string& error);

    const SourceSpec& spec() const { return spec_; }
    CaptureReader& reader() { return *reader_; }
    // Asks the source to end: SIGTERM to a local helper (which then writes
    // its final statistics), closes the ssh session's input (the far side
    // then ends its helper or tcpdump the same way), shuts a socket down.
    // Safe from any thread and more than once.
    void stop();
    bool stopped() const { return stopped_; }
    // After the reader ended: reaps the process (bounded wait) and returns
    // why the source ended early, or "" when it ended as asked or at the end
    // of its input. Call once.
    std::string finish();
    // Standard-error lines of the process (ssh's, the helper's, tcpdump's).
    std::vector<std::string> messages() const;
    // True when a remote sensor captures with tcpdump (no helper there).
    bool tcpdump_fallback() const;
    std::optional<TcpdumpReport> tcpdump_report() const;
    // Whether the process was told the packet count (it then ends by itself).
    bool ends_at_count() const { return ends_at_count_; }
    // Counters from the reader's statistics blocks (or tcpdump's report),
    // with `packets`/`bytes` as given. Call on the reading thread or after it ended.
    SensorCounts counts(uint64_t packets, uint64_t bytes) const;

private:
    CaptureSource() = default;
    bool spawn(const std::vector<std::string>& argv, bool with_input, std::string& error);
    bool connect_tcp(std::string& error);
    void read_stderr();
    std::string last_error_line() const;

    SourceSpec spec_;
    std::unique_ptr<CaptureReader> reader_;
    pid_t pid_ = -1;
    int sock_ = -1; // pcap-over-IP: owned by the reader's input; kept for shutdown()
    int err_fd_ = -1;
    std::atomic<int> in_fd_{-1}; // ssh: the session's input; closing it ends the remote capture
    std::thread err_thread_;
    std::function<void(const SourceSpec&, const std::string&)> on_message_;
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
    std::atomic<bool> stopped_{false};
    std::atomic<bool> err_done_{false};
    bool ends_at_count_ = false;
    bool opened_ = false; // guarded by mutex_
    bool finished_ = false;
    int exit_status_ = -1;
};

// Packets of several sources in time stamp order. One source is read
// directly (no copy, no thread); several each get a reading thread, and a
// packet is handed on when every running source has one waiting or it has
// waited longer than the hold-back time (a quiet sensor delays the others by
// at most that much).
class SourceMerger {
public:
    // `threaded`: a reading thread even for one source, so that queued() can
    // tell a writer when to flush.
    explicit SourceMerger(std::vector<std::unique_ptr<CaptureSource>> sources, bool threaded = false);
    ~SourceMerger();

    // Makes next() also return Statistics for each statistics block a
    // source sends (last_statistics(), its interface id mapped like packets').
    void set_report_statistics(bool on) { report_statistics_ = on; }
    const InterfaceStatistics& last_statistics() const { return current_stats_; }
    // Packets and statistics waiting to be taken by next().
    size_t queued() const;
    // Like CaptureReader::next: Packet, or End once every source ended.
    // interface_id indexes interfaces(); data stays valid until the next call.
    CaptureReader::Status next(PacketRecord& out);
    // Stops every source (from any thread, e.g. a timer or a signal watcher).
    void stop_all();
    // Interfaces of all sources, each named after its sensor.
    // Not while reading threads run: they add to it (see interfaces_from).
    const std::vector<CaptureInterface>& interfaces() const { return interfaces_; }
    // Copies of the interfaces from index `from` on, taken under the lock:
    // safe while reading threads add interfaces.
    std::vector<CaptureInterface> interfaces_from(size_t from) const;
    size_t size() const { return sources_.size(); }
    CaptureSource& source(size_t i) { return *sources_[i]->source; }
    // Valid once next() returned End: the error that ended source i early, or "".
    const std::string& source_error(size_t i) const { return sources_[i]->error; }
    SensorCounts counts(size_t i) const;
    // Source i ended (with or without an error); its packets are all handed on or queued.
    bool ended(size_t i) const;
    std::vector<std::string> warnings() const;

    // While next() runs on another thread (threaded mode only): a source
    // added later (one that could not start at first), or one that ended
    // replaced by a new connection to the same sensor. The replacement keeps
    // the source's interface ids and carries its counts on (packets, bytes
    // and the statistics blocks' totals), so a reconnected sensor is one
    // interface whose counters never go back. Returns the source's index.
    size_t add(std::unique_ptr<CaptureSource> source);
    bool replace(size_t i, std::unique_ptr<CaptureSource> source);
    // Added to the time stamps of source i's packets read from now on (the
    // ?offset= of its URL until set): a sensor's clock corrected while it runs.
    void set_offset(size_t i, int64_t offset_ns);
    int64_t offset(size_t i) const;

    std::chrono::milliseconds hold_back{500};
    // Called (on the source's reading thread) when a source ends early with
    // an error while the others may go on. Set before the first next().
    std::function<void(const SourceSpec&, const std::string&)> on_failure;

private:
    struct Held {
        PacketRecord rec;
        std::vector<uint8_t> data;
        std::string comment;
        std::chrono::steady_clock::time_point arrived;
    };
    struct Feed {
        std::unique_ptr<CaptureSource> source;
        std::thread thread;
        std::deque<Held> queue;
        bool ended = false;
        bool finished = false; // finish() called
        std::string error;
        uint64_t packets = 0, bytes = 0;
        std::optional<int64_t> first_ns;
        SensorCounts counts; // refreshed by the reading thread
        std::vector<uint32_t> global_id; // the source's interface id -> interfaces_ index
        std::atomic<int64_t> offset_ns{0};
        // Counts of the connections replaced, added to the current one's.
        SensorCounts before;
        std::map<uint32_t, InterfaceStatistics> stats_before; // by global interface id
    };
    void start_thread(Feed& f);
    SensorCounts with_before(const Feed& f, SensorCounts c) const;
    std::map<uint32_t, InterfaceStatistics> last_stats_; // the last block handed on, by global id
    void read_loop(Feed& f);
    uint32_t global_interface(Feed& f, uint32_t local);
    void finish_source(Feed& f);
    void start_threads();
    bool started_ = false;
    bool threaded_ = false;
    bool report_statistics_ = false;
    std::deque<InterfaceStatistics> stats_;
    InterfaceStatistics current_stats_;

    std::vector<std::unique_ptr<Feed>> sources_;
    std::vector<CaptureInterface> interfaces_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    Held current_;
    uint64_t number_ = 0;
    static constexpr size_t kQueueLimit = 8192;
};

} // namespace underhood
