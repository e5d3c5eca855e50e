// Renders a TrafficModel as the `underhood-cli stats` JSON contract or as
// aligned text tables.
#pragma once

#include "capture_reader.h"
#include "traffic_model.h"

#include <ostream>
#include <string>
#include <vector>

namespace underhood {

struct StatsInput {
    std::string file;
    const CaptureReader* reader = nullptr;
    const TrafficModel* model = nullptr;
    Layer layer = Layer::Ip;
    std::string display_filter; // -Y: the counts are those of the packets it passed
    std::vector<std::string> warnings;
};

void write_stats_json(std::ostream& out, const StatsInput& in);
void write_stats_text(std::ostream& out, const StatsInput& in, size_t top_n = 20);

} // namespace underhood
