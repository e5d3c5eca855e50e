// Fuzz target: the capture reader, fed the input as a whole file, then every
// packet through the decoder and the aggregation (what the CLI does).
#include "capture_reader.h"
#include "packet_decoder.h"
#include "traffic_model.h"

#include <cstdint>
#include <cstring>
#include <memory>

using namespace underhood;

namespace {
// A memory-backed input, so the fuzzer needs no files.
class MemoryInput final : public CaptureInput {
public:
    MemoryInput(const uint8_t* d, size_t n) : d_(d), n_(n) {}
    Bytes fill(size_t n) override { return {d_ + pos_, std::min(n, n_ - pos_)}; }
    void consume(size_t n) override { pos_ = std::min(n_, pos_ + n); }
    uint64_t position() const override { return pos_; }
    bool stable() const override { return true; }

private:
    const uint8_t* d_;
    size_t n_;
    size_t pos_ = 0;
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string error;
    auto reader = CaptureReader::open(std::make_unique<MemoryInput>(data, size), "fuzz", error);
    if (!reader)
        return 0;
    TrafficModel model;
    PacketRecord rec;
    DecodedPacket dp;
    for (int i = 0; i < 100000 && reader->next(rec) == CaptureReader::Status::Packet; ++i) {
        decode_packet(rec.link_type, rec.data, rec.origlen, dp);
        model.add(rec, dp);
    }
    (void)model.protocol_hierarchy();
    return 0;
}
