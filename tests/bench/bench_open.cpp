// Opening a capture the way the desktop app does (IngestEngine with every
// layer, throughput series and the packet index), without a window: how long
// until totals and tables are complete, and how much memory beyond the mapped
// file it takes per packet (anonymous resident memory; the mapping's pages
// belong to the page cache).
//
//   bench_open FILE
#include "ingest_engine.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace underhood;

namespace {
long status_kib(const char* key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0)
            return std::stol(line.substr(std::string(key).size()));
    return -1;
}
} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_open FILE [layers-mask throughput(0|1)]\n");
        return 2;
    }
    // As the app opens a file: hosts and conversations keyed at the layer on
    // screen (ip by default), the throughput series and the packet index.
    IngestOptions opts;
    opts.model.layers = {false, true, false};
    if (argc >= 4) {
        int mask = std::atoi(argv[2]);
        for (int l = 0; l < kLayerCount; ++l)
            opts.model.layers[size_t(l)] = mask & (1 << l);
        opts.model.throughput = std::atoi(argv[3]) != 0;
    }
    const long anon_before = status_kib("RssAnon:");
    const auto t0 = std::chrono::steady_clock::now();
    IngestEngine engine(opts);
    std::string err;
    if (!engine.open_path(argv[1], err)) {
        std::fprintf(stderr, "bench_open: %s\n", err.c_str());
        return 1;
    }
    engine.wait();
    // What the tables show: every host and conversation at every layer.
    size_t rows = engine.with_state([](const IngestEngine::State& s) {
        size_t n = 0;
        for (int l = 0; l < kLayerCount; ++l)
            n += s.model.layer(Layer(l)).hosts.size() + s.model.layer(Layer(l)).conversations.size();
        return n + s.model.protocol_hierarchy().size();
    });
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const uint64_t packets = engine.with_state([](const IngestEngine::State& s) { return s.model.totals().packets; });
    const long anon = status_kib("RssAnon:") - anon_before;
    const long hwm = status_kib("VmHWM:");
    std::printf("packets %llu\nseconds %.3f\ntable_rows %zu\nanon_kib %ld\nbytes_per_packet %.1f\npeak_rss_kib %ld\n",
                (unsigned long long)packets, secs, rows, anon, packets ? double(anon) * 1024.0 / double(packets) : 0.0,
                hwm);
    return 0;
}
