// Fuzz target: the capture reader, fed the input as a whole file, then every
// packet through the decoder and the aggregation (what the CLI does).
#include "capture_reader.h"
#include "memory_input.h"
#include "packet_decoder.h"
#include "traffic_model.h"

#include <cstdint>
#include <memory>

using namespace underhood;

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
