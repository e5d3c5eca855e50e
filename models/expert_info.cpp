#include "expert_info.h"

#include <algorithm>

namespace underhood {

using dissect::FieldId;
using dissect::FieldItem;
using dissect::FieldTree;
using dissect::field_by_name;

struct ExpertInfo::Ids {
    FieldId flag_fields[16] = {};
    uint32_t flag_bits[16] = {};
    size_t flags = 0;
    FieldId tcp_reset, dns_response, dns_rcode, icmp_type, icmp_code, icmpv6_type, icmpv6_code, http_code,
        http_phrase, tls_level, tls_desc;

    Ids()
    {
        size_t n = 0;
        const dissect::TcpFlagInfo* infos = dissect::tcp_flag_infos(n);
        for (size_t i = 0; i < n && i < 16; ++i) {
            flag_fields[i] = field_by_name(infos[i].field);
            flag_bits[i] = infos[i].flag;
            ++flags;
        }
        tcp_reset = field_by_name("tcp.flags.reset");
        dns_response = field_by_name("dns.flags.response");
        dns_rcode = field_by_name("dns.flags.rcode");
        icmp_type = field_by_name("icmp.type");
        icmp_code = field_by_name("icmp.code");
        icmpv6_type = field_by_name("icmpv6.type");
        icmpv6_code = field_by_name("icmpv6.code");
        http_code = field_by_name("http.response.code");
        http_phrase = field_by_name("http.response.phrase");
        tls_level = field_by_name("tls.alert_message.level");
        tls_desc = field_by_name("tls.alert_message.desc");
    }
};

namespace {

const char* rcode_text(uint64_t rc)
{
    switch (rc) {
    case 1: return "Format error (FORMERR)";
    case 2: return "Server failure (SERVFAIL)";
    case 3: return "No such name (NXDOMAIN)";
    case 4: return "Not implemented (NOTIMP)";
    case 5: return "Refused (REFUSED)";
    default: return nullptr;
    }
}

// RFC 8446 6 and RFC 5246 7.2.
const char* tls_alert_text(uint64_t d)
{
    switch (d) {
    case 0: return "Close Notify";
    case 10: return "Unexpected Message";
    case 20: return "Bad Record MAC";
    case 22: return "Record Overflow";
    case 40: return "Handshake Failure";
    case 42: return "Bad Certificate";
    case 43: return "Unsupported Certificate";
    case 44: return "Certificate Revoked";
    case 45: return "Certificate Expired";
    case 46: return "Certificate Unknown";
    case 47: return "Illegal Parameter";
    case 48: return "Unknown CA";
    case 49: return "Access Denied";
    case 50: return "Decode Error";
    case 51: return "Decrypt Error";
    case 70: return "Protocol Version";
    case 71: return "Insufficient Security";
    case 80: return "Internal Error";
    case 86: return "Inappropriate Fallback";
    case 90: return "User Canceled";
    case 109: return "Missing Extension";
    case 110: return "Unsupported Extension";
    case 112: return "Unrecognized Name";
    case 116: return "Certificate Required";
    case 120: return "No Application Protocol";
    default: return nullptr;
    }
}

const char* unreachable_text(uint64_t code, bool v6)
{
    if (v6) {
        switch (code) {
        case 0: return "no route to destination";
        case 1: return "administratively prohibited";
        case 3: return "address unreachable";
        case 4: return "port unreachable";
        default: return "other";
        }
    }
    switch (code) {
    case 0: return "network unreachable";
    case 1: return "host unreachable";
    case 2: return "protocol unreachable";
    case 3: return "port unreachable";
    case 4: return "fragmentation needed";
    case 13: return "communication administratively filtered";
    default: return "other";
    }
}

bool value_of(const FieldTree& tree, FieldId id, uint64_t& v)
{
    if (id == dissect::kNoField)
        return false;
    const FieldItem* it = tree.first(id);
    if (!it)
        return false;
    v = it->value.u;
    return true;
}

bool any_set(const FieldTree& tree, FieldId id)
{
    if (id == dissect::kNoField)
        return false;
    for (const FieldItem& it : tree.items)
        if (it.field == id && it.value.u)
            return true;
    return false;
}

} // namespace

ExpertInfo::ExpertInfo()
{
    static const Ids ids;
    ids_ = &ids;
}

void ExpertInfo::note(uint64_t number, Severity s, const char* group, const char* protocol, std::string summary)
{
    auto key = std::make_tuple(int(s), std::string(group), std::string(protocol), summary);
    auto [it, added] = index_.try_emplace(key, entries_.size());
    if (added)
        entries_.push_back({s, group, protocol, std::move(summary), {}});
    if (!mark_.any || s > mark_.worst)
        mark_.worst = s;
    mark_.any = true;
    std::vector<uint64_t>& packets = entries_[it->second].packets;
    if (packets.empty() || packets.back() != number) {
        packets.push_back(number);
        ++counts_[size_t(s)];
    }
}

ExpertInfo::Mark ExpertInfo::add(uint64_t number, const DecodedPacket& summary, const FieldTree& tree)
{
    const Ids& ids = *ids_;
    mark_ = Mark{};
    if (summary.flags & DecodedPacket::Malformed)
        note(number, Severity::Error, "Malformed", "Frame",
             std::string("Malformed packet") + (summary.problem ? std::string(": ") + summary.problem : ""));
    else if (summary.flags & DecodedPacket::Truncated)
        note(number, Severity::Note, "Malformed", "Frame", "Packet size limited during capture");

    size_t n = 0;
    const dissect::TcpFlagInfo* infos = dissect::tcp_flag_infos(n);
    for (size_t i = 0; i < ids.flags; ++i)
        if (ids.flag_fields[i] != dissect::kNoField && tree.first(ids.flag_fields[i])) {
            note(number, infos[i].severity, "Sequence", "TCP", std::string(infos[i].summary));
            mark_.tcp_analysis = true;
            const std::string_view f = infos[i].field;
            if (f != "tcp.analysis.window_update" && f != "tcp.analysis.keep_alive" &&
                f != "tcp.analysis.keep_alive_ack")
                mark_.bad_tcp = true;
        }
    if (any_set(tree, ids.tcp_reset))
        note(number, Severity::Warning, "Sequence", "TCP", "Connection reset (RST)");

    uint64_t v = 0, w = 0;
    if (value_of(tree, ids.dns_rcode, v) && v && value_of(tree, ids.dns_response, w) && w) {
        const char* text = rcode_text(v);
        note(number, v == 3 ? Severity::Note : Severity::Warning, "Response Code", "DNS",
             std::string("DNS error response: ") + (text ? text : ("code " + std::to_string(v)).c_str()));
    }
    if (value_of(tree, ids.icmp_type, v) && (v == 3 || v == 11)) {
        value_of(tree, ids.icmp_code, w);
        note(number, Severity::Warning, "Response Code", "ICMP",
             v == 3 ? std::string("Destination unreachable (") + unreachable_text(w, false) + ")"
                    : std::string(w == 1 ? "Fragment reassembly time exceeded" : "Time-to-live exceeded in transit"));
    }
    if (value_of(tree, ids.icmpv6_type, v) && (v == 1 || v == 3)) {
        value_of(tree, ids.icmpv6_code, w);
        note(number, Severity::Warning, "Response Code", "ICMPv6",
             v == 1 ? std::string("Destination unreachable (") + unreachable_text(w, true) + ")"
                    : std::string(w == 1 ? "Fragment reassembly time exceeded" : "Hop limit exceeded in transit"));
    }
    if (value_of(tree, ids.http_code, v) && v >= 400 && v < 600) {
        std::string text = "HTTP " + std::to_string(v);
        if (const FieldItem* p = ids.http_phrase != dissect::kNoField ? tree.first(ids.http_phrase) : nullptr)
            text += " " + p->value.text;
        note(number, v >= 500 ? Severity::Error : Severity::Warning, "Response Code", "HTTP", std::move(text));
    }
    if (value_of(tree, ids.tls_level, v) && value_of(tree, ids.tls_desc, w)) {
        const char* text = tls_alert_text(w);
        const std::string what =
            std::string(v == 2 ? "Fatal" : "Warning") + " alert: " + (text ? text : ("code " + std::to_string(w)).c_str());
        // close_notify is how TLS ends a connection in good order.
        const Severity s = v == 2 ? Severity::Error : w == 0 ? Severity::Chat : Severity::Warning;
        note(number, s, "Protocol", "TLS", what);
    }
    return mark_;
}

std::vector<ExpertInfo::Entry> ExpertInfo::entries() const
{
    std::vector<Entry> out = entries_;
    std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.severity > b.severity; });
    return out;
}

} // namespace underhood
