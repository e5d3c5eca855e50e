// underhood-cli: the same statistics as the desktop app, headless.
#include "anonymize_command.h"
#include "capture_reader.h"
#include "expert_command.h"
#include "fields_command.h"
#include "live_capture.h"
#include "follow_command.h"
#include "packet_pipeline.h"
#include "record_filter.h"
#include "stats_report.h"
#include "traffic_model.h"

#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace underhood;

namespace {

constexpr const char* kUsage =
    "usage: underhood-cli stats [--json] [--layer ip|ether|port] [-c N] [--duration S] FILE|-|-i SOURCE...\n"
    "       underhood-cli graph FILE -o OUT.svg|OUT.png [--layer ip|ether|port] [--at SECONDS]\n"
    "                     [--size WxH] [options]\n"
    "       underhood-cli fields [-Y FILTER] [-c N] [--duration S] -e FIELD... FILE|-|-i SOURCE...\n"
    "       underhood-cli follow tcp|udp STREAM FILE|- [--format raw|ascii|hex]\n"
    "       underhood-cli expert [--json] [-Y FILTER] FILE|-\n"
    "       underhood-cli anonymize IN OUT [--key KEY] [--keep-vendor] [--payload keep|zero|drop]\n"
    "       underhood-cli --help | --version\n";

constexpr const char* kHelp =
    "underhood-cli prints what a pcap or pcapng capture holds: totals, hosts,\n"
    "conversations and the protocol hierarchy.\n\n"
    "  stats FILE        read FILE (\"-\" for standard input) and print tables\n"
    "  --json            print one JSON object instead of tables\n"
    "  --layer L         key hosts and conversations by ip (outermost IPv4/IPv6,\n"
    "                    the default), ether (MAC addresses) or port (address:port)\n"
    "  --top N           rows per table in text output (default 20)\n"
    "  -Y FILTER         count only the packets a display filter passes, in\n"
    "                    Wireshark's syntax (ip.addr == 10.0.0.0/8) or BPF\n"
    "  -i SOURCE         capture live instead of reading a file (repeat to merge\n"
    "                    several in time stamp order): an interface,\n"
    "                    ssh://[USER@]HOST[:PORT]/IFACE[?filter=BPF&helper=PATH] or\n"
    "                    pcap-over-ip://HOST[:PORT]; $UNDERHOOD_SSH replaces ssh\n"
    "  -c N              stop after N packets\n"
    "  --duration S      stop after S seconds (Ctrl-C also stops and prints)\n\n"
    "Exit status: 0 ok, 1 unreadable or unrecognised input, 2 usage error.\n";

constexpr const char* kGraphHelp =
    "  fields FILE       print chosen fields of each packet, as tshark -T fields\n"
    "                    (underhood-cli fields --help)\n"
    "  follow tcp N FILE print the payload of TCP (or UDP) stream N, as tshark\n"
    "                    -z follow prints it (underhood-cli follow --help)\n"
    "  expert FILE       list expert information (TCP analysis, resets, DNS, HTTP\n"
    "                    and ICMP errors, TLS alerts, malformed packets)\n"
    "  anonymize IN OUT  rewrite IN with pseudonymous addresses and names into OUT\n"
    "                    (underhood-cli anonymize --help)\n"
    "  graph FILE -o OUT draw the host graph of FILE into OUT.png or OUT.svg, no\n"
    "                    display needed (underhood-cli graph --help for its options)\n";

// Decoded packets handed from the reading thread to the aggregating one, a
// batch at a time. A fixed set of batches circulates, so a slow consumer
// holds the reader back instead of letting memory grow.
// Packets that may name hosts keep a copy of their bytes in `app_bytes`, in
// order, so that name discovery runs on the aggregating thread too: the
// reader's buffer does not outlive the next read, and the reading thread is
// the one that bounds the run's speed.
struct Batch {
    std::vector<DecodedRecord> records;
    std::vector<uint8_t> app_bytes;
    // For each copy in app_bytes, in order: its record's index and length.
    std::vector<std::pair<uint32_t, uint32_t>> copies;
    void reserve(size_t n) { records.reserve(n); }
    void clear()
    {
        records.clear();
        app_bytes.clear();
        copies.clear();
    }
};

class BatchPipe {
public:
    explicit BatchPipe(size_t batches, size_t batch_size) : pool_(batches)
    {
        for (Batch& b : pool_) {
            b.reserve(batch_size);
            free_.push_back(&b);
        }
    }
    Batch* take_free()
    {
        std::unique_lock lock(mutex_);
        free_cv_.wait(lock, [&] { return !free_.empty(); });
        Batch* b = free_.front();
        free_.pop_front();
        b->clear();
        return b;
    }
    void put_full(Batch* b)
    {
        {
            std::lock_guard lock(mutex_);
            full_.push_back(b);
        }
        full_cv_.notify_one();
    }
    void close()
    {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        full_cv_.notify_one();
    }
    // Null once the producer has closed the pipe and every batch is taken.
    Batch* take_full()
    {
        std::unique_lock lock(mutex_);
        full_cv_.wait(lock, [&] { return !full_.empty() || closed_; });
        if (full_.empty())
            return nullptr;
        Batch* b = full_.front();
        full_.pop_front();
        return b;
    }
    void put_free(Batch* b)
    {
        {
            std::lock_guard lock(mutex_);
            free_.push_back(b);
        }
        free_cv_.notify_one();
    }

private:
    std::vector<Batch> pool_;
    std::mutex mutex_;
    std::condition_variable free_cv_, full_cv_;
    std::deque<Batch*> free_, full_;
    bool closed_ = false;
};

int usage_error(const std::string& msg)
{
    std::cerr << "underhood-cli: " << msg << '\n' << kUsage;
    return 2;
}

// The graph needs Qt; it runs as its own program so that stats never loads Qt.
int run_graph(char** argv)
{
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    std::string dir = ".";
    if (n > 0) {
        self[n] = 0;
        dir = std::string(self, size_t(n));
        dir.resize(dir.rfind('/'));
    }
    for (const std::string& path :
         {dir + "/underhood-cli-graph", dir + "/" UNDERHOOD_BIN_TO_PKGLIBDIR "/underhood-cli-graph"}) {
        if (access(path.c_str(), X_OK) != 0)
            continue;
        argv[0] = const_cast<char*>(path.c_str());
        execv(path.c_str(), argv);
    }
    std::cerr << "underhood-cli: the graph command needs underhood-cli-graph, which is neither beside " << dir
              << " nor in " << dir << "/" UNDERHOOD_BIN_TO_PKGLIBDIR "\n";
    return 1;
}

int run_stats(const std::vector<std::string>& args)
{
    bool json = false;
    std::string filter;
    Layer layer = Layer::Ip;
    size_t top = 20;
    std::string file;
    bool have_file = false;
    InputArgs input_args;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string input_error;
        if (const int taken = take_input_option(args, i, input_args, input_error)) {
            if (taken < 0)
                return usage_error(input_error);
            continue;
        }
        if (a == "--help" || a == "-h") {
            std::cout << "usage: underhood-cli stats [--json] [--layer ip|ether|port] [--top N] [-Y FILTER] [-c N] [--duration S]\n"
                         "                           FILE|-|-i SOURCE...\n\n"
                      << kHelp;
            return 0;
        } else if (a == "-Y") {
            if (i + 1 >= args.size())
                return usage_error("-Y needs a display filter");
            filter = args[++i];
        } else if (a == "--json") {
            json = true;
        } else if (a == "--layer" || a.rfind("--layer=", 0) == 0) {
            std::string v;
            if (a == "--layer") {
                if (i + 1 >= args.size())
                    return usage_error("--layer needs a value: ip, ether or port");
                v = args[++i];
            } else {
                v = a.substr(8);
            }
            if (!parse_layer(v, layer))
                return usage_error("unknown layer '" + v + "' (expected ip, ether or port)");
        } else if (a == "--top") {
            if (i + 1 >= args.size())
                return usage_error("--top needs a number");
            try {
                top = std::stoul(args[++i]);
            } catch (...) {
                return usage_error("--top needs a number");
            }
        } else if (a.size() > 1 && a[0] == '-' && a != "-") {
            return usage_error("unknown option '" + a + "'");
        } else if (have_file) {
            return usage_error("only one capture file at a time");
        } else {
            file = a;
            have_file = true;
        }
    }
    if (!have_file && input_args.sources.empty())
        return usage_error("stats needs a capture file (or - for standard input, or -i SOURCE)");
    if (have_file && !input_args.sources.empty())
        return usage_error("a capture file or -i sources, not both");
    input_args.file = file;

    std::string error;
    RecordFilter rf;
    if (!rf.compile(filter, error))
        return usage_error("bad display filter: " + error);
    CaptureInputs inputs;
    if (!inputs.open(input_args, error)) {
        std::cerr << "underhood-cli: " << error << '\n';
        return 1;
    }
    if (!inputs.live() && inputs.reader().format() != CaptureFormat::Pcap)
        rf.set_interfaces(&inputs.interfaces());

    TrafficModelOptions opts;
    opts.layers = {false, false, false};
    opts.layers[size_t(layer)] = true;
    opts.throughput = false;
    // Names are found by the worker, from the batch's copies of the bytes of
    // packets that can carry them; the model itself needs no bytes.
    opts.names = false;
    TrafficModel model(opts);
    NameTable names;

    // Reading and decoding here; name discovery and aggregation on a worker.
    constexpr size_t kBatch = 2048;
    BatchPipe pipe(4, kBatch);
    std::thread worker([&] {
        while (Batch* b = pipe.take_full()) {
            size_t copy = 0, app_at = 0;
            for (uint32_t i = 0; i < b->records.size(); ++i) {
                const DecodedRecord& d = b->records[i];
                if (copy < b->copies.size() && b->copies[copy].first == i) {
                    const uint32_t len = b->copies[copy++].second;
                    names.observe(Bytes(b->app_bytes.data() + app_at, len), d.dp);
                    app_at += len;
                }
                model.add(d.rec, d.dp);
            }
            pipe.put_free(b);
        }
    });
    CaptureReader::Status st;
    Batch* batch = pipe.take_free();
    for (;;) {
        batch->records.emplace_back();
        DecodedRecord& d = batch->records.back();
        if (!rf.active()) {
            if ((st = inputs.next(d.rec)) == CaptureReader::Status::Packet)
                decode_packet(d.rec.link_type, d.rec.data, d.rec.origlen, d.dp);
        } else {
            // Every packet is dissected (stream numbers count them all); only those passing are counted.
            while ((st = inputs.next(d.rec)) == CaptureReader::Status::Packet && !rf.decode_and_match(d.rec, d.dp)) {
            }
        }
        if (st != CaptureReader::Status::Packet) {
            batch->records.pop_back();
            break;
        }
        // The bytes may not outlive the next read (a stream's buffer).
        // Only packets that may name a host keep theirs, as a copy.
        if (NameTable::may_name(d.rec.data, d.dp)) {
            batch->copies.emplace_back(uint32_t(batch->records.size() - 1), uint32_t(d.rec.data.size()));
            batch->app_bytes.insert(batch->app_bytes.end(), d.rec.data.begin(), d.rec.data.end());
        }
        d.rec.data = {};
        d.rec.comment = {};
        if (batch->records.size() == kBatch) {
            pipe.put_full(batch);
            batch = pipe.take_free();
        }
    }
    pipe.put_full(batch);
    pipe.close();
    worker.join();
    model.names() = std::move(names);
    if (const std::string why = inputs.error(); !why.empty()) {
        std::cerr << "underhood-cli: " << why << '\n';
        return 1;
    }
    StatsInput in;
    in.file = inputs.name();
    in.reader = &inputs.reader();
    in.model = &model;
    in.layer = layer;
    in.display_filter = filter;
    in.warnings = inputs.warnings();
    if (inputs.merged())
        in.interfaces = &inputs.interfaces();
    in.sensors = inputs.sensors();
    for (const SensorReport& r : in.sensors)
        if (!r.error.empty())
            in.warnings.push_back(r.name + ": " + r.error);
    const std::vector<std::string> said = in.warnings;
    for (const auto& [lt, unused] : model.link_types()) {
        (void)unused;
        if (!link_type_supported(lt))
            in.warnings.push_back("link type " + std::to_string(lt) + " (" + link_type_name(lt) +
                                  ") is not decoded: its packets count in the totals only");
    }
    for (const std::string& w : said)
        std::cerr << "underhood-cli: warning: " << in.file << ": " << w << '\n';
    if (json)
        write_stats_json(std::cout, in);
    else
        write_stats_text(std::cout, in, top);
    std::cout.flush();
    return std::cout.good() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    std::ios::sync_with_stdio(false);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty())
        return usage_error("no command given");
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << kUsage << '\n' << kHelp << '\n' << kGraphHelp;
        return 0;
    }
    if (args[0] == "--version") {
        std::cout << "underhood-cli " UNDERHOOD_VERSION "\n";
        return 0;
    }
    if (args[0] == "stats")
        return run_stats({args.begin() + 1, args.end()});
    if (args[0] == "graph")
        return run_graph(argv + 1);
    if (args[0] == "fields")
        return run_fields({args.begin() + 1, args.end()});
    if (args[0] == "follow")
        return run_follow({args.begin() + 1, args.end()});
    if (args[0] == "expert")
        return run_expert({args.begin() + 1, args.end()});
    if (args[0] == "anonymize")
        return run_anonymize({args.begin() + 1, args.end()});
    return usage_error("unknown command '" + args[0] + "'");
}
