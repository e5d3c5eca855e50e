#include "dissect/engine.h"

#include "dissect/registry.h"
#include "wire_constants.h"

#include <algorithm>

#include <string>

namespace underhood::dissect {
namespace {

enum { kFrame, kNumber, kLen, kCapLen, kTimeEpoch, kProtocols, kCount };
constexpr FieldInfo kFields[] = {
    {"frame", "Frame", FieldType::Protocol},
    {"frame.number", "Frame Number", FieldType::FrameNumber},
    {"frame.len", "Frame Length", FieldType::Uint},
    {"frame.cap_len", "Capture Length", FieldType::Uint},
    {"frame.time_epoch", "Epoch Time", FieldType::EpochTime},
    {"frame.path", "Protocols in frame", FieldType::String}, // ours: "eth:ipv4:tcp"
};
FieldId f0 = 0;

} // namespace

void register_frame() { f0 = register_fields(kFields, kCount); }

const LinkType* link_type_info(uint32_t link_type)
{
    ensure_registered();
    return find_link_type(link_type);
}

void dissect(uint32_t link_type, Packet& p)
{
    ensure_registered();
    p.summary() = DecodedPacket{};
    const size_t frame_item = p.tree ? p.tree->items.size() : 0;
    if (p.want_tree()) {
        const size_t wire = p.captured() + p.missing();
        const std::string bits = std::to_string(wire * 8);
        p.layer(f0 + kFrame, p.all(),
                "Frame " + std::to_string(p.frame_number) + ": " + std::to_string(wire) + " bytes on wire (" + bits +
                    " bits), " + std::to_string(p.captured()) + " bytes captured (" + std::to_string(p.captured() * 8) +
                    " bits)");
        if (p.frame_number)
            p.add_uint(f0 + kNumber, 0, 0, p.frame_number);
        p.add_uint(f0 + kLen, 0, 0, wire);
        p.add_uint(f0 + kCapLen, 0, 0, p.captured());
        if (p.has_time)
            p.add_uint(f0 + kTimeEpoch, 0, 0, uint64_t(p.ts_ns));
    }
    if (const LinkType* lt = find_link_type(link_type); lt && lt->dissector)
        lt->dissector(p.all(), p);
    if (p.want_tree()) {
        // What the summary found, as Wireshark's frame.protocols.
        FieldItem item;
        item.field = FieldId(f0 + kProtocols);
        item.depth = 1;
        item.value.kind = FieldValue::Kind::Text;
        item.value.text = p.summary().path_string();
        p.tree->items.insert(p.tree->items.begin() + std::ptrdiff_t(frame_item) + 3 + (p.frame_number ? 1 : 0) + (p.has_time ? 1 : 0), std::move(item));
    }
}

void dissect_names(Bytes data, const DecodedPacket& summary, NameSink& names)
{
    switch (summary.app) {
    case Proto::Dns:
    case Proto::Mdns:
    case Proto::Llmnr:
    case Proto::Dhcp:
    case Proto::Tls:
    case Proto::Http:
    case Proto::Arp: break;
    default: return;
    }
    if (summary.app_offset > data.size())
        return;
    ensure_registered();
    // Problems found here are not the summary's: they land in a copy.
    DecodedPacket scratch = summary;
    Packet p(data, uint32_t(data.size()), scratch);
    p.names = &names;
    p.net_src = summary.port_ip_src;
    p.net_dst = summary.port_ip_dst;
    const size_t end = summary.app_offset + std::min<size_t>(summary.app_length, data.size() - summary.app_offset);
    Tvb payload(p, summary.app_offset, end);
    // Most TLS and HTTP segments name nothing: only a Client Hello in the
    // first record, only a request (an upper-case method) do.
    const auto upper = [&payload](size_t at) { return payload.u8(at) >= 'A' && payload.u8(at) <= 'Z'; };
    switch (summary.app) {
    case Proto::Tls:
        if (payload.has(0, 6) && payload.u8(0) == 22 && payload.u8(5) == 1)
            dissect_tls(payload, p);
        break;
    case Proto::Http:
        if (payload.has(0, 4) && upper(0) && upper(1))
            dissect_http(payload, p);
        break;
    case Proto::Arp:
        if (Dissector d = find_ethertype(wire::kEtherArp))
            d(payload, p);
        break;
    default:
        // The port that leads to the protocol: the summary's ports are those
        // of the first TCP or UDP header, a tunnel's when the names travel in one.
        p.sport = p.dport = summary.app == Proto::Dns     ? 53
                            : summary.app == Proto::Mdns  ? 5353
                            : summary.app == Proto::Llmnr ? 5355
                                                          : 67;
        dissect_port_payload(payload, p, summary.transport == Proto::Tcp);
        break;
    }
}

} // namespace underhood::dissect
