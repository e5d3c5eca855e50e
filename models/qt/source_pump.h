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

// One source of the pump as the drop panel shows it.
struct SensorStatus {
    enum class State { Starting, Running, Failed, Ended };
    SourceSpec spec;
    std::string name; // spec.sensor_name()
    State state = State::Starting;
    std::string error; // Failed: why
    SensorCounts counts;
    bool tcpdump = false;   // counts from tcpdump's final report (less exact)
    int64_t offset_ns = 0;  // the clock correction in force
    bool reconnecting = false;
};

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
    // Every source in the order given, with its state and counts (any thread).
    std::vector<SensorStatus> sensors() const;
    // Starts source i again when it failed or ended (the others go on, what
    // it sent stays); its new connection opens on a thread of its own and
    // reports through the callbacks. False when it is running, being
    // reconnected, or the capture has ended.
    bool reconnect(size_t i);
    // Shifts the time stamps of source i's packets from now on by offset_ns
    // (replacing its ?offset=). False when the capture has ended.
    bool set_offset(size_t i, int64_t offset_ns);

private:
    void run();
    void failed(const SourceSpec& spec, const std::string& why);

    struct Slot {
        SensorStatus::State state = SensorStatus::State::Starting;
        std::string error;
        size_t feed = SIZE_MAX; // its index in the merger, once it started
        bool reconnecting = false;
        int64_t offset_ns = 0;
        SensorCounts last; // once the capture ended
    };
    std::vector<SourceSpec> specs_;
    std::vector<Slot> slots_; // under mutex_
    std::vector<std::thread> reconnects_;
    SourceOptions opts_;
    int fd_;
    Callbacks cb_;
    std::thread thread_;
    mutable std::mutex mutex_;
    SourceMerger* merger_ = nullptr; // while it runs, under mutex_
    std::atomic<bool> stop_{false};
    std::atomic<bool> running_{true};
};

} // namespace underhood
