// decode_packet (packet_decoder.h): the engine with only its summary output,
// for ingest and aggregation.
#include "dissect/engine.h"
#include "packet_decoder.h"

namespace underhood {

std::string DecodedPacket::path_string() const
{
    std::string s;
    for (int i = 0; i < depth; ++i) {
        if (i)
            s += ':';
        s += proto_name(path[i]);
    }
    return s;
}

void decode_packet(uint32_t link_type, Bytes data, uint32_t origlen, DecodedPacket& out)
{
    dissect::Packet p(data, origlen, out);
    dissect::dissect(link_type, p);
}

bool link_type_supported(uint32_t link_type)
{
    const dissect::LinkType* lt = dissect::link_type_info(link_type);
    return lt && lt->dissector;
}

} // namespace underhood
