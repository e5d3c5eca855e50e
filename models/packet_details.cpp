// dissect_packet (packet_details.h) and summarize_packet (packet_summary.h):
// the engine with its tree and column outputs.
#include "packet_details.h"
#include "packet_summary.h"

#include "dissect/engine.h"

#include <cstdio>

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

// "name == value" in Wireshark's display-filter syntax, as dfilter.h reads it.
std::string filter_for(const dissect::FieldInfo& info, const dissect::FieldValue& v)
{
    using dissect::FieldType;
    if (info.type == FieldType::Protocol)
        return std::string(info.abbrev);
    if (v.kind == dissect::FieldValue::Kind::None)
        return {};
    if (info.type == FieldType::EpochTime)
        return {}; // a time stamp is no value to select packets by
    std::string value = dissect::format_value(info, v);
    if (info.type == FieldType::String) {
        std::string quoted = "\"";
        for (const char c : value) {
            if (c == '"' || c == '\\')
                quoted += '\\';
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", unsigned(static_cast<unsigned char>(c)));
                quoted += buf;
                continue;
            }
            quoted += c;
        }
        value = quoted + "\"";
    }
    if (value.empty())
        return {};
    return std::string(info.abbrev) + " == " + value;
}

// An Info column no layer filled: the last layer's name at least.
void fill_info(dissect::Columns& c, const dissect::Packet& p)
{
    if (c.info.empty() && p.last_layer() != dissect::kNoField)
        c.info = std::string(dissect::field_info(p.last_layer()).name);
}

} // namespace

Dissection dissect_packet(uint32_t link_type, Bytes data, uint32_t origlen, uint64_t number, const int64_t* ts_ns,
                          const DissectContext* context)
{
    DecodedPacket summary;
    dissect::FieldTree tree;
    dissect::Columns columns;
    dissect::Packet p(data, origlen, summary);
    p.tree = &tree;
    p.columns = &columns;
    if (context) {
        p.streams = context->streams;
        p.tcp_analysis = context->tcp_analysis;
        p.interface = context->interface;
    }
    p.frame_number = number;
    p.has_time = ts_ns != nullptr;
    p.ts_ns = ts_ns ? *ts_ns : 0;
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
        if (item.field != dissect::kNoField) {
            const dissect::FieldInfo& info = dissect::field_info(item.field);
            f.name = std::string(info.abbrev);
            f.filter = filter_for(info, item.value);
        }
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
