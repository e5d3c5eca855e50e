#include "live_capture.h"

#include <atomic>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include <pthread.h>
#include <unistd.h>

namespace underhood {
namespace {

// Where underhood-capture is for a local interface: beside this program (a
// build tree), in PREFIX/lib/underhood once installed, else on PATH.
std::string local_helper()
{
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        std::string dir(self, size_t(n));
        dir.resize(dir.rfind('/'));
        for (const std::string& p :
             {dir + "/underhood-capture", dir + "/" UNDERHOOD_BIN_TO_PKGLIBDIR "/underhood-capture"})
            if (access(p.c_str(), F_OK) == 0)
                return p;
    }
    return "underhood-capture";
}

bool parse_number(const std::string& s, uint64_t& out)
{
    if (s.empty() || s[0] == '-' || s[0] == '+')
        return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtoull(s.c_str(), &end, 10);
    return !errno && !*end;
}

std::atomic<bool> g_watch{false};
std::atomic<int64_t> g_deadline_ms{0}; // steady-clock milliseconds; 0: none

int64_t steady_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

int take_input_option(const std::vector<std::string>& args, size_t& i, InputArgs& in, std::string& error)
{
    const std::string& a = args[i];
    if (a != "-i" && a != "-c" && a != "--duration")
        return 0;
    if (i + 1 >= args.size()) {
        error = a == "-i" ? "-i needs a source (an interface, ssh://HOST/IFACE or pcap-over-ip://HOST:PORT)"
                          : a + " needs a number";
        return -1;
    }
    const std::string& v = args[++i];
    uint64_t n = 0;
    if (a == "-i") {
        in.sources.push_back(v);
    } else if (!parse_number(v, n) || n == 0 || (a == "--duration" && n > 1000000000)) {
        error = a == "-c" ? "-c needs a packet count" : "--duration needs a number of seconds";
        return -1;
    } else if (a == "-c") {
        in.count = n;
    } else {
        in.duration_s = int64_t(n);
    }
    return 1;
}

CaptureInputs::~CaptureInputs()
{
    if (merger_)
        merger_->stop_all();
    g_watch = false;
    if (watcher_.joinable())
        watcher_.join();
}

std::string CaptureInputs::name() const
{
    std::string out;
    for (const std::string& s : args_.sources)
        out += (out.empty() ? "" : ", ") + s;
    return args_.sources.empty() ? args_.file : out;
}

bool CaptureInputs::open(const InputArgs& args, std::string& error)
{
    args_ = args;
    std::vector<std::string> texts = args.sources;
    const bool from_option = !texts.empty();
    if (!from_option)
        texts.push_back(args.file);
    std::vector<SourceSpec> specs;
    for (const std::string& t : texts) {
        SourceSpec spec;
        if (!parse_source(t, from_option, spec, error))
            return false;
        live_ = live_ || spec.live();
        specs.push_back(spec);
    }
    if (live_) {
        // Signals go to the watcher thread, which ends the sources in order;
        // every thread started from here on inherits the mask.
        sigset_t set;
        sigemptyset(&set);
        for (int s : {SIGINT, SIGTERM, SIGHUP})
            sigaddset(&set, s);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        std::signal(SIGPIPE, SIG_IGN);
    }
    SourceOptions opts;
    opts.count = args.count;
    opts.duration_s = args.duration_s;
    opts.local_helper = local_helper();
    // What the far side says (ssh's warnings, the helper's start and summary
    // lines, tcpdump's report) is passed on, one whole line at a time.
    opts.on_message = [](const SourceSpec& spec, const std::string& line) {
        const std::string out = "underhood-cli: " + spec.sensor_name() + ": " + line + "\n";
        ::write(STDERR_FILENO, out.data(), out.size());
    };
    std::vector<std::unique_ptr<CaptureSource>> sources;
    for (const SourceSpec& spec : specs) {
        auto s = CaptureSource::open(spec, opts, error);
        if (!s)
            return false; // the others end with their destructors
        if (spec.live())
            std::cerr << "underhood-cli: capturing from " << spec.text << " (" << spec.sensor_name() << ")"
                      << std::endl;
        sources.push_back(std::move(s));
    }
    merger_ = std::make_unique<SourceMerger>(std::move(sources));
    // Order before latency: a printed line cannot be moved back later.
    merger_->hold_back = std::chrono::milliseconds(1000);
    if (merger_->size() > 1)
        merger_->on_failure = [](const SourceSpec& spec, const std::string& why) {
            const std::string out =
                "underhood-cli: warning: " + spec.sensor_name() + ": " + why + "; the other sources go on\n";
            ::write(STDERR_FILENO, out.data(), out.size());
        };
    if (live_) {
        if (args.duration_s)
            g_deadline_ms = steady_ms() + args.duration_s * 1000;
        g_watch = true;
        SourceMerger* m = merger_.get();
        watcher_ = std::thread([m] {
            sigset_t set;
            sigemptyset(&set);
            for (int s : {SIGINT, SIGTERM, SIGHUP})
                sigaddset(&set, s);
            const timespec tick{0, 100000000};
            while (g_watch) {
                const int sig = sigtimedwait(&set, nullptr, &tick);
                const int64_t d = g_deadline_ms;
                if (sig > 0 || (d && steady_ms() >= d)) {
                    m->stop_all();
                    g_deadline_ms = 0;
                }
            }
        });
    }
    return true;
}

void CaptureInputs::end_all()
{
    if (ended_)
        return;
    ended_ = true;
    // A single source told the count ends by itself with its final
    // statistics; give it a few seconds before ending it.
    if (merger_->size() == 1 && merger_->source(0).ends_at_count())
        g_deadline_ms = steady_ms() + 5000;
    else
        merger_->stop_all();
    PacketRecord rec;
    while (merger_->next(rec) == CaptureReader::Status::Packet) {
    }
}

CaptureReader::Status CaptureInputs::next(PacketRecord& out)
{
    if (ended_)
        return CaptureReader::Status::End;
    if (args_.count && packets_ >= args_.count) {
        end_all();
        return last_ = CaptureReader::Status::End;
    }
    const CaptureReader::Status st = merger_->next(out);
    if (st == CaptureReader::Status::Packet)
        ++packets_;
    else
        ended_ = true;
    return last_ = st;
}

std::vector<SensorReport> CaptureInputs::sensors()
{
    std::vector<SensorReport> out;
    if (!live_)
        return out;
    for (size_t i = 0; i < merger_->size(); ++i) {
        const CaptureSource& s = merger_->source(i);
        const SensorCounts c = merger_->counts(i);
        SensorReport r;
        r.name = s.spec().sensor_name();
        r.source = s.spec().text;
        r.packets = c.packets;
        r.bytes = c.bytes;
        r.received = c.ifrecv;
        r.dropped_kernel = c.osdrop;
        r.dropped_interface = c.ifdrop;
        r.dropped_helper = c.helper_drops;
        r.exact = c.exact;
        r.final = c.final;
        r.error = merger_->source_error(i);
        r.first_ns = c.first_ns;
        out.push_back(std::move(r));
    }
    return out;
}

std::string CaptureInputs::error() const
{
    if (last_ == CaptureReader::Status::Error)
        return merger_->source(0).reader().error();
    if (!live_)
        return {};
    // Failing sensors are reported in their rows; only when none delivered is it an error.
    std::string first;
    for (size_t i = 0; i < merger_->size(); ++i) {
        if (merger_->source_error(i).empty())
            return {};
        if (first.empty())
            first = merger_->source(i).spec().text + ": " + merger_->source_error(i);
    }
    return first;
}

} // namespace underhood
