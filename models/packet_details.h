// One packet as the details pane shows it: the engine's field tree turned
// into labelled rows, each covering a byte range of the packet, worded like
// Wireshark's, plus the packet list's columns. It allocates freely and is
// never on the ingest path (ingest asks the engine for its summary only).
//
// Problems keep the summary's meanings: Truncated when the capture ran out
// of bytes (snaplen), Malformed when the packet contradicts itself.
#pragma once

#include "bytes.h"

#include <cstdint>
#include <string>
#include <vector>

namespace underhood {

struct DissectedField {
    // The same meanings as DecodedPacket::Truncated and ::Malformed.
    enum Flag : uint8_t {
        Truncated = 1 << 0,
        Malformed = 1 << 1,
    };

    // 0 for the frame and each protocol layer. Fields are stored in tree
    // order: a field's parent is the nearest earlier field with a smaller depth.
    uint16_t depth = 0;
    uint8_t flags = 0; // set on the problem note and on every field enclosing it
    bool bits = false; // names some bits of its bytes ("..1. .... = Don't fragment: Set")
    // The bytes the field covers, always within the captured bytes. A length
    // of 0 marks a note that covers no bytes ("[Protocols in frame: ...]").
    uint32_t offset = 0;
    uint32_t length = 0;
    std::string label; // UTF-8
    std::string name;  // the field's name as Wireshark names it ("ip.src"), empty for a note
    // The display filter that selects packets with this value ("ip.src ==
    // 10.0.0.1", "udp" for a layer); empty for a note.
    std::string filter;

    bool has(Flag f) const { return flags & f; }
    bool covers(uint32_t byte) const { return byte >= offset && byte - offset < length; }
};

struct Dissection {
    std::vector<DissectedField> fields;
    // The packet list columns.
    std::string protocol; // "TCP", "DNS", "TLSv1.3"
    std::string source;   // innermost IP address when there is one, else the link-layer address
    std::string destination;
    std::string info;    // "Standard query 0x1a2b A example.com"
    uint8_t flags = 0;   // union of the fields' flags
    std::string problem; // the first problem found, empty when none

    bool has(DissectedField::Flag f) const { return flags & f; }
    // Index of a field's parent, -1 for a top-level field.
    int parent(int index) const;
    // The innermost field covering a byte, for a click on it: the deepest
    // one that is not a bit field (a click on a flags byte means the flags
    // word, not its first bit). -1 when none covers it.
    int field_at(uint32_t byte) const;
};

namespace dissect {
class Streams;
class TcpAnalysis;
struct FrameInterface;
} // namespace dissect

// What a packet's rows depend on beyond its own bytes: the stream numbers
// and TCP sequence analysis of every earlier packet (see PacketContext).
struct DissectContext {
    dissect::Streams* streams = nullptr;
    dissect::TcpAnalysis* tcp_analysis = nullptr;
    const dissect::FrameInterface* interface = nullptr; // pcapng: frame.interface_id and _name
};

// Dissects one packet. `data` is what was captured, `origlen` its length on
// the wire; `number` (its frame number) and `ts_ns` (its time stamp) show in
// the frame's rows when given. With `context`, tcp.stream, udp.stream and
// the "[SEQ/ACK analysis]" rows show too, and the packet joins the context.
Dissection dissect_packet(uint32_t link_type, Bytes data, uint32_t origlen, uint64_t number = 0,
                          const int64_t* ts_ns = nullptr, const DissectContext* context = nullptr);

} // namespace underhood
