// Fuzz target: the decoder, the packet-details dissector and the passive name
// parsers on one packet. The first byte chooses the link type, the second how
// much was "cut off".
#include "name_table.h"
#include "packet_decoder.h"
#include "packet_dissector.h"

#include <cstdint>
#include <vector>

using namespace underhood;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 3)
        return 0;
    static const uint32_t kLinkTypes[] = {0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 228, 229, 276};
    uint32_t lt = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof kLinkTypes[0])];
    uint32_t missing = data[1];
    // Copy so that AddressSanitizer sees any read past the captured bytes.
    std::vector<uint8_t> pkt(data + 2, data + size);
    DecodedPacket dp;
    decode_packet(lt, Bytes(pkt.data(), pkt.size()), uint32_t(pkt.size()) + missing, dp);
    Dissection d = dissect_packet(lt, Bytes(pkt.data(), pkt.size()), uint32_t(pkt.size()) + missing);
    for (const DissectedField& f : d.fields)
        if (size_t(f.offset) + f.length > pkt.size())
            __builtin_trap(); // every field lies within the captured bytes
    NameTable names;
    names.observe(Bytes(pkt.data(), pkt.size()), dp);
    // The parsers also run on raw input, whatever the decoder concluded.
    names.parse_dns(Bytes(pkt.data(), pkt.size()));
    names.parse_dhcp(Bytes(pkt.data(), pkt.size()));
    (void)NameTable::tls_sni(Bytes(pkt.data(), pkt.size()));
    (void)NameTable::http_host(Bytes(pkt.data(), pkt.size()));
    return 0;
}
