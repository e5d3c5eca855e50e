// dissect_packet (packet_details.h) and summarize_packet (packet_summary.h):
// the engine with its tree and column outputs.
#include "packet_details.h"
#include "packet_summary.h"

#include "dissect/engine.h"

namespace underhood {

int Dissection::parent(int index) const
{
    if (index < 0 || size_t(index) >= fields.size())
        return -1;
    const uint16_t depth = fields[size_t(index)].depth;
    for (int i = index - 1; i >= 0; --i)
        if (fields[size_t(i)].depth < depth)
            return i;
    return -1;
}

int Dissection::field_at(uint32_t byte) const
{
    int best = -1;
    for (size_t i = 0; i < fields.size(); ++i) {
        const DissectedField& f = fields[i];
        if (!f.covers(byte) || f.bits)
            continue;
        if (best < 0 || f.depth > fields[size_t(best)].depth ||
            (f.depth == fields[size_t(best)].depth && f.length < fields[size_t(best)].length))
            best = int(i);
    }
    return best;
}

namespace {

// An Info column no layer filled: the last layer's name at least.
void fill_info(dissect::Columns& c, const dissect::Packet& p)
{
    if (c.info.empty() && p.last_layer() != dissect::kNoField)
        c.info = std::string(dissect::field_info(p.last_layer()).name);
}

} // namespace

Dissection dissect_packet(uint32_t link_type, Bytes data, uint32_t origlen)
{
    DecodedPacket summary;
    dissect::FieldTree tree;
    dissect::Columns columns;
    dissect::Packet p(data, origlen, summary);
    p.tree = &tree;
    p.columns = &columns;
    p.has_time = false;
    dissect::dissect(link_type, p);

    Dissection out;
    out.fields.reserve(tree.items.size());
    for (const dissect::FieldItem& item : tree.items) {
        DissectedField f;
        f.depth = item.depth;
        f.flags = item.flags;
        f.bits = item.bits;
        f.offset = item.offset;
        f.length = item.length;
        f.label = tree.label_of(item);
        if (item.field != dissect::kNoField)
            f.name = std::string(dissect::field_info(item.field).abbrev);
        if (f.flags && f.name.empty() && out.problem.empty() && f.label.size() > 2 && f.label.front() == '[')
            out.problem = f.label.substr(1, f.label.size() - 2);
        out.flags |= f.flags;
        out.fields.push_back(std::move(f));
    }
    // A layer cut short before it could say anything: its label at least.
    if (columns.info.empty())
        for (auto f = out.fields.rbegin(); f != out.fields.rend(); ++f)
            if (f->depth == 0 && !f->name.empty()) {
                columns.info = f->label;
                break;
            }
    fill_info(columns, p);
    out.protocol = std::move(columns.protocol);
    out.source = std::move(columns.source);
    out.destination = std::move(columns.destination);
    out.info = std::move(columns.info);
    return out;
}

PacketSummary summarize_packet(uint32_t link_type, Bytes data, uint32_t origlen)
{
    DecodedPacket summary;
    dissect::Columns columns;
    dissect::Packet p(data, origlen, summary);
    p.columns = &columns;
    p.has_time = false;
    dissect::dissect(link_type, p);
    fill_info(columns, p);
    PacketSummary s;
    s.source = std::move(columns.source);
    s.destination = std::move(columns.destination);
    s.protocol = columns.protocol.empty() ? "?" : std::move(columns.protocol);
    s.info = std::move(columns.info);
    if (summary.problem) {
        const std::string problem = std::string(summary.has(DecodedPacket::Malformed) ? "Malformed Packet: "
                                                                                        : "Packet size limited during capture: ") +
                                    summary.problem;
        s.info += (s.info.empty() ? "[" : " [") + problem + "]";
    }
    return s;
}

} // namespace underhood
