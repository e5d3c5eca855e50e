// The one way packets reach every consumer: a record is read, decoded by
// the protocol engine's summary, and handed to a TrafficModel (which also
// gathers the names the traffic carries). The app's IngestEngine, the
// layer passes it runs for a mapped file, and underhood-cli stats read
// through read_decoded(); views that revisit a packet already listed (the
// graph's window cursor, the throughput of one endpoint, the graph's pulse)
// decode it through IngestEngine::decode().
#pragma once

#include "capture_reader.h"
#include "packet_decoder.h"

namespace underhood {

struct DecodedRecord {
    PacketRecord rec;
    DecodedPacket dp;
};

// Reads the next record and, for a packet, decodes it.
inline CaptureReader::Status read_decoded(CaptureReader& reader, DecodedRecord& out)
{
    const CaptureReader::Status s = reader.next(out.rec);
    if (s == CaptureReader::Status::Packet)
        decode_packet(out.rec.link_type, out.rec.data, out.rec.origlen, out.dp);
    return s;
}

} // namespace underhood
