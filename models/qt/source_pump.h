// Several capture sources (local interfaces, remote sensors over SSH,
// pcap-over-IP streams) as one pcapng stream for the app's ingest engine: a
// section header at once, an interface description per sensor interface
// (named HOST/IFACE) as each source starts, packets merged in time stamp
// order, and every statistics block of every source, so the drop panel has
// a row per sensor and a saved capture an interface per sensor. Sources open
// and fail on the pump's thread; one that fails is reported and the others
// go on.
#pragma once

#include "capture_source.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace underhood {

class SourcePump {
public:
    // Called on the pump's thread.
    struct Callbacks {
        std::function<void(const SourceSpec&)> started;
        std::function<void(const SourceSpec&, const std::string&)> failed; // could not start, or ended early
        std::function<void(const SourceSpec&, const std::string&)> message; // a standard-error line of it
    };
    // Writes to `fd` (taken; closed when every source has ended).
    SourcePump(std::vector<SourceSpec> specs, SourceOptions opts, int fd, Callbacks cb);
    ~SourcePump(); // stop(), then waits for the sources' ends (bounded)
    // Ends every source the way it ends cleanly (each writes its final statistics).
    void stop();
    bool running() const { return running_; }

private:
    void run();

    std::vector<SourceSpec> specs_;
    SourceOptions opts_;
    int fd_;
    Callbacks cb_;
    std::thread thread_;
    std::mutex mutex_;
    SourceMerger* merger_ = nullptr; // while it runs, under mutex_
    std::atomic<bool> stop_{false};
    std::atomic<bool> running_{true};
};

} // namespace underhood
