// The inputs of a CLI command: a capture file, standard input, or live
// sources (-i IFACE, -i ssh://..., -i pcap-over-ip://..., several at once),
// with -c COUNT and --duration SECONDS to end a live read.
#pragma once

#include "capture_source.h"
#include "stats_report.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace underhood {

struct InputArgs {
    std::vector<std::string> sources; // -i SOURCE, in order
    std::string file;                 // the positional FILE|-|URL
    uint64_t count = 0;
    int64_t duration_s = 0;
};

// Takes -i SOURCE, -c COUNT or --duration SECONDS at args[i] (advancing i
// past a value): 1 when taken, 0 when args[i] is something else, -1 on a
// usage error (`error` says which).
int take_input_option(const std::vector<std::string>& args, size_t& i, InputArgs& in, std::string& error);

class CaptureInputs {
public:
    ~CaptureInputs();
    // Opens the file or every source (each blocks until its capture runs).
    // False with a one-line error naming the source.
    bool open(const InputArgs& args, std::string& error);
    // The next packet in time stamp order; End after COUNT packets, at the
    // end of the duration, on SIGINT/SIGTERM, or when every source ended.
    CaptureReader::Status next(PacketRecord& out);
    // The first source's reader (format, warnings of a file).
    CaptureReader& reader() { return merger_->source(0).reader(); }
    const std::vector<CaptureInterface>& interfaces() const { return merger_->interfaces(); }
    bool live() const { return live_; }
    bool merged() const { return merger_->size() > 1; }
    std::string name() const;
    // After next() returned End: one row per live source, and the warnings.
    std::vector<SensorReport> sensors();
    std::vector<std::string> warnings() const { return merger_->warnings(); }
    // Error: a file that could not be read, or every live source failed.
    std::string error() const;

private:
    void end_all();
    InputArgs args_;
    std::unique_ptr<SourceMerger> merger_;
    std::thread watcher_;
    bool live_ = false;
    bool ended_ = false;
    uint64_t packets_ = 0;
    CaptureReader::Status last_ = CaptureReader::Status::End;
};

} // namespace underhood
