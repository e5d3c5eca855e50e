// Throughput of one host or one conversation over a time range, computed on
// demand from the packets themselves (the aggregation keeps no per-host
// series): the packet index picks the packets in range, their bytes are
// decoded again and matched against the endpoints.
//
// No Qt: the plots call it on a worker thread, tests call it directly.
#pragma once

#include "ingest_engine.h"
#include "throughput_series.h"

#include <atomic>
#include <optional>

namespace underhood {

struct EndpointFilter {
    Layer layer = Layer::Ip;
    Endpoint a;
    std::optional<Endpoint> b; // set: only the conversation a <-> b

    // Reads "10.0.0.1", "10.0.0.1 <-> 10.0.0.2" (also "10.0.0.1 10.0.0.2"),
    // "aa:bb:cc:dd:ee:ff" and "[2001:db8::1]:443"-style address:port.
    static std::optional<EndpointFilter> parse(const std::string& text);
    bool matches(const DecodedPacket& dp) const;
    std::string to_string() const;
};

struct EndpointSeriesResult {
    std::vector<ThroughputBin> bins; // width_ns each, from from_ns
    uint64_t packets_scanned = 0;    // packets in range whose bytes were decoded
    uint64_t packets_missing = 0;    // in range, but their bytes are no longer kept (live history)
    bool cancelled = false;
};

// Bins of `width_ns` covering [from_ns, to_ns), at most kMaxEndpointBins of
// them (a longer range is cut short at its end). Stops early (cancelled) when
// `cancel` becomes true.
constexpr size_t kMaxEndpointBins = size_t(1) << 22;
EndpointSeriesResult endpoint_series(const IngestEngine& engine, const EndpointFilter& f, int64_t from_ns,
                                     int64_t to_ns, int64_t width_ns, const std::atomic<bool>* cancel = nullptr);

} // namespace underhood
