#include "dissect/engine.h"

#include "dissect/labels.h"
#include "dissect/registry.h"
#include "wire_constants.h"

#include <algorithm>
#include <ctime>

#include <string>

namespace underhood::dissect {
namespace {

enum { kFrame, kNumber, kLen, kCapLen, kTimeEpoch, kProtocols, kEncap, kData, kDataData, kDataLen, kComment, kInterfaceId, kInterfaceName,
       kInterfaceDescription, kCount };
constexpr FieldInfo kFields[] = {
    {"frame", "Frame", FieldType::Protocol},
    {"frame.number", "Frame Number", FieldType::FrameNumber},
    {"frame.len", "Frame Length", FieldType::Uint},
    {"frame.cap_len", "Capture Length", FieldType::Uint},
    {"frame.time_epoch", "Epoch Time", FieldType::EpochTime},
    {"frame.path", "Protocols in frame", FieldType::String}, // ours: "eth:ipv4:tcp"
    {"frame.encap_type", "Encapsulation type", FieldType::Uint},
    {"data", "Data", FieldType::Protocol},
    {"data.data", "Data", FieldType::Bytes},
    {"data.len", "Length", FieldType::Uint},
    {"frame.comment", "Comment", FieldType::String},
    {"frame.interface_id", "Interface id", FieldType::Uint},
    {"frame.interface_name", "Interface name", FieldType::String},
    {"frame.interface_description", "Interface description", FieldType::String},
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
    const LinkType* lt = find_link_type(link_type);
    const size_t wire = p.captured() + p.missing();
    size_t path_at = Packet::kNoItem;
    if (p.want_tree()) {
        p.layer(f0 + kFrame, p.all(),
                strf("Frame%s: %zu bytes on wire (%zu bits), %zu bytes captured (%zu bits)%s",
                     p.frame_number ? (" " + std::to_string(p.frame_number)).c_str() : "", wire, wire * 8, p.captured(),
                     p.captured() * 8,
                     p.interface && !p.interface->name.empty()
                         ? strf(" on interface %s, id %u", std::string(p.interface->name).c_str(), p.interface->id).c_str()
                         : ""));
        if (const FrameInterface* itf = p.interface) {
            p.add_uint(f0 + kInterfaceId, 0, 0, itf->id,
                       strf("Interface id: %u (%s)", itf->id,
                            itf->name.empty() ? "unknown" : std::string(itf->name).c_str()));
            Packet::Subtree sub(p);
            if (!itf->name.empty())
                p.add_text(f0 + kInterfaceName, 0, 0, itf->name, "Interface name: " + std::string(itf->name));
            if (!itf->description.empty())
                p.add_text(f0 + kInterfaceDescription, 0, 0, itf->description,
                           "Interface description: " + std::string(itf->description));
        }
        p.add_uint(f0 + kEncap, 0, 0, link_type,
                   strf("Encapsulation type: %s (%u)", lt ? std::string(lt->description).c_str() : "Unknown", link_type));
        if (p.frame_number)
            p.add_uint(f0 + kNumber, 0, 0, p.frame_number);
        p.add_uint(f0 + kLen, 0, 0, wire, strf("Frame Length: %zu bytes (%zu bits)", wire, wire * 8));
        p.add_uint(f0 + kCapLen, 0, 0, p.captured(),
                   strf("Capture Length: %zu bytes (%zu bits)", p.captured(), p.captured() * 8));
        if (p.has_time) {
            // Floor division without a multiplication that overflows near INT64_MIN.
            int64_t s = p.ts_ns / 1000000000, ns = p.ts_ns % 1000000000;
            if (ns < 0) {
                s -= 1;
                ns += 1000000000;
            }
            const time_t t = time_t(s);
            struct tm tm {};
            char date[64] = "?";
            if (gmtime_r(&t, &tm))
                std::strftime(date, sizeof date, "%b %e, %Y %H:%M:%S", &tm);
            p.add_note(0, 0, strf("Arrival Time: %s.%09lld UTC", date, static_cast<long long>(ns)));
            p.add_uint(f0 + kTimeEpoch, 0, 0, uint64_t(p.ts_ns),
                       strf("Epoch Arrival Time: %lld.%09lld seconds", static_cast<long long>(s), static_cast<long long>(ns)));
        }
        path_at = p.add_text(f0 + kProtocols, 0, 0, {});
        if (!p.comment.empty())
            p.add_text(f0 + kComment, 0, 0, std::string(p.comment), "Comment: " + std::string(p.comment));
    }
    if (Columns* c = p.col())
        c->protocol = lt ? std::string(lt->description) : "Unknown";
    if (lt && lt->dissector) {
        lt->dissector(p.all(), p);
    } else {
        if (Columns* c = p.col())
            c->info = "Link type " + std::to_string(link_type) + " is not supported";
        dissect_data(p.all(), p);
    }
    if (path_at != Packet::kNoItem) {
        // What the summary found, as Wireshark's frame.protocols.
        FieldItem& item = p.tree->items[path_at];
        item.value.text = p.summary().path_string();
        item.label = "[Protocols in frame: " + item.value.text + "]";
    }
    // A snaplen cut the packet even where no layer needed the missing bytes
    // (the end of a payload nothing decodes): the tree still says so. The
    // summary does not count it: no header was cut short.
    if (p.want_tree() && p.missing() && !p.summary().has(DecodedPacket::Truncated)) {
        p.top_level();
        const size_t note = p.add_note(p.captured(), 0,
                                       "[Packet size limited during capture: " + std::to_string(p.missing()) +
                                           " bytes on the wire were not captured]");
        if (note != Packet::kNoItem)
            p.tree->items[note].flags = DecodedPacket::Truncated;
    }
}

void dissect_data(Tvb t, Packet& p)
{
    if (t.empty())
        return;
    if (!p.want_tree())
        return;
    p.layer(f0 + kData, t, strf("Data (%zu bytes)", t.length()));
    const uint8_t* d = p.data() + t.begin();
    p.add_text(f0 + kDataData, t.begin(), t.length(),
               std::string_view(reinterpret_cast<const char*>(d), t.length()), "Data: " + hex_text(d, t.length()));
    p.add_uint(f0 + kDataLen, t.begin(), 0, t.length(), strf("[Length: %zu]", t.length()));
}

namespace {

// The application payload as the summary places it, cut to the captured bytes.
Bytes app_payload(Bytes data, const DecodedPacket& summary)
{
    if (summary.app_offset > data.size())
        return {};
    return data.subspan(summary.app_offset, std::min<size_t>(summary.app_length, data.size() - summary.app_offset));
}

} // namespace

bool may_name(Bytes data, const DecodedPacket& summary)
{
    if (summary.app_offset > data.size())
        return false;
    const Bytes payload = app_payload(data, summary);
    const auto upper = [&payload](size_t at) { return payload[at] >= 'A' && payload[at] <= 'Z'; };
    switch (summary.app) {
    case Proto::Dns:
    case Proto::Mdns:
    case Proto::Llmnr:
    case Proto::Dhcp:
    case Proto::Arp: return true;
    // Most TLS and HTTP segments name nothing: only a Client Hello in the
    // first record, only a request (an upper-case method) do.
    case Proto::Tls: return payload.size() >= 6 && payload[0] == 22 && payload[5] == 1;
    case Proto::Http: return payload.size() >= 4 && upper(0) && upper(1);
    default: return false;
    }
}

void dissect_names(Bytes data, const DecodedPacket& summary, NameSink& names)
{
    if (!may_name(data, summary))
        return;
    ensure_registered();
    // Problems found here are not the summary's: they land in a copy.
    DecodedPacket scratch = summary;
    Packet p(data, uint32_t(data.size()), scratch);
    p.names = &names;
    p.net_src = summary.port_ip_src;
    p.net_dst = summary.port_ip_dst;
    const size_t end = summary.app_offset + app_payload(data, summary).size();
    Tvb payload(p, summary.app_offset, end);
    switch (summary.app) {
    case Proto::Tls:
        dissect_tls(payload, p);
        break;
    case Proto::Http:
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
