// Fuzz target: the protocol engine on packets, with every output (summary,
// field tree, columns, names, streams), the details pane's and the packet
// list's view of it, and passive name discovery.
//
// An input that reads as a pcap or pcapng capture (a corpus file, or a
// mutation of one) is taken apart by the reader and each of its packets
// decoded with its own link type and lengths. Any other input is one packet:
// the first byte chooses the link type, the second how much was "cut off".
#include "capture_reader.h"
#include "dissect/engine.h"
#include "memory_input.h"
#include "name_table.h"
#include "packet_decoder.h"
#include "packet_details.h"
#include "packet_summary.h"

#include <cstdint>
#include <vector>

using namespace underhood;

namespace {

void decode_one(uint32_t lt, const uint8_t* data, size_t size, uint32_t origlen)
{
    // Copy so that AddressSanitizer sees any read past the captured bytes.
    std::vector<uint8_t> pkt(data, data + size);
    DecodedPacket dp;
    decode_packet(lt, Bytes(pkt.data(), pkt.size()), origlen, dp);
    Dissection d = dissect_packet(lt, Bytes(pkt.data(), pkt.size()), origlen);
    for (const DissectedField& f : d.fields)
        if (size_t(f.offset) + f.length > pkt.size())
            __builtin_trap(); // every field lies within the captured bytes
    NameTable names;
    names.observe(Bytes(pkt.data(), pkt.size()), dp);

    // The engine with every output.
    DecodedPacket summary;
    dissect::Packet p(Bytes(pkt.data(), pkt.size()), origlen, summary);
    dissect::FieldTree tree;
    dissect::Columns columns;
    dissect::Streams streams;
    p.tree = &tree;
    p.columns = &columns;
    p.names = &names;
    p.streams = &streams;
    dissect::dissect(lt, p);
    // The outputs asked for never change the summary ingest keys on.
    if (summary.path_string() != dp.path_string() || summary.flags != dp.flags || summary.app != dp.app ||
        summary.port_src != dp.port_src || summary.port_dst != dp.port_dst || !(summary.ip_src == dp.ip_src))
        __builtin_trap();
    (void)summarize_packet(lt, Bytes(pkt.data(), pkt.size()), origlen);
    for (const dissect::FieldItem& f : tree.items) {
        if (size_t(f.offset) + f.length > pkt.size())
            __builtin_trap(); // every field lies within the captured bytes
        (void)tree.label_of(f); // and prints
    }

    // The name dissectors also run on the raw input, whatever the decoder concluded.
    struct App {
        Proto app, transport;
        uint16_t port;
    };
    static constexpr App kApps[] = {{Proto::Dns, Proto::Udp, 53},   {Proto::Dns, Proto::Tcp, 53},
                                    {Proto::Mdns, Proto::Udp, 5353}, {Proto::Llmnr, Proto::Tcp, 5355},
                                    {Proto::Dhcp, Proto::Udp, 67},   {Proto::Tls, Proto::Tcp, 443},
                                    {Proto::Http, Proto::Tcp, 80},   {Proto::Arp, Proto::None, 0}};
    for (const App& a : kApps) {
        DecodedPacket raw;
        raw.app = a.app;
        raw.app_length = uint32_t(pkt.size());
        raw.transport = a.transport;
        raw.port_src = raw.port_dst = a.port;
        if (a.transport != Proto::None)
            raw.flags |= DecodedPacket::HasPorts;
        names.observe(Bytes(pkt.data(), pkt.size()), raw);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string error;
    if (auto reader = CaptureReader::open(std::make_unique<MemoryInput>(data, size), "fuzz", error)) {
        PacketRecord rec;
        for (int i = 0; i < 20000 && reader->next(rec) == CaptureReader::Status::Packet; ++i)
            decode_one(rec.link_type, rec.data.data(), rec.data.size(), rec.origlen);
        return 0;
    }
    if (size < 3)
        return 0;
    static const uint32_t kLinkTypes[] = {0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 228, 229, 276};
    const uint32_t lt = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof kLinkTypes[0])];
    const uint32_t missing = data[1];
    decode_one(lt, data + 2, size - 2, uint32_t(size - 2) + missing);
    return 0;
}
