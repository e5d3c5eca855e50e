// Renders a TrafficModel as the `underhood-cli stats` JSON contract or as
// aligned text tables.
#pragma once

#include "capture_reader.h"
#include "traffic_model.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace underhood {

// One live source's share of the capture and its drop counters (null when the
// source reports none). `exact` is false for tcpdump's final report.
struct SensorReport {
    std::string name, source;
    uint64_t packets = 0, bytes = 0;
    std::optional<uint64_t> received, dropped_kernel, dropped_interface, dropped_helper;
    bool exact = true, final = false;
    std::string error; // why it ended early; empty when it did not
    // Its first packet's time stamp; the offsets between sensors' first
    // packets hint at clocks that disagree (?offset= corrects one).
    std::optional<int64_t> first_ns;
};

struct StatsInput {
    std::string file;
    const CaptureReader* reader = nullptr;
    const TrafficModel* model = nullptr;
    Layer layer = Layer::Ip;
    std::string display_filter; // -Y: the counts are those of the packets it passed
    std::vector<std::string> warnings;
    // Several sources merged: their interfaces (else the reader's), and a row each.
    const std::vector<CaptureInterface>* interfaces = nullptr;
    std::vector<SensorReport> sensors;
};

void write_stats_json(std::ostream& out, const StatsInput& in);
void write_stats_text(std::ostream& out, const StatsInput& in, size_t top_n = 20);

} // namespace underhood
