// DNS (RFC 1035) on UDP and TCP port 53, mDNS (RFC 6762) on UDP 5353 and
// LLMNR (RFC 4795) on port 5355: one message format, three protocol names
// (Wireshark shows mDNS and LLMNR as their own protocols with the same dns.*
// fields). The header, the questions and the resource records as fields;
// the addresses answers give (following CNAME chains back to the name that
// was asked) and PTR answers as names.
//
// Names are read with compression (RFC 1035 4.1.4) bounded twice: at most
// kMaxPointers jumps, at most 255 characters.
#include "dissect/names.h"
#include "dissect/registry.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace underhood::dissect {
namespace {

enum {
    kDns, kMdns, kLlmnr, kLength, kId, kFlags, kResponse, kOpcode, kAuthoritative, kConflict, kTruncated, kRecDesired,
    kTentative, kRecAvail, kZ, kAuthenticated, kCheckDisable, kRcode, kCountQueries, kCountAnswers, kCountAuth,
    kCountAdd, kQryName, kQryNameLen, kCountLabels, kQryType, kQryClass, kQryQu, kRespName, kRespType, kRespClass,
    kRespCacheFlush, kRespTtl, kRespLen, kA, kAaaa, kCname, kPtr, kNs,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"dns", "Domain Name System", FieldType::Protocol},
    {"mdns", "Multicast Domain Name System", FieldType::Protocol},
    {"llmnr", "Link-local Multicast Name Resolution", FieldType::Protocol},
    {"dns.length", "Length", FieldType::Uint},
    {"dns.id", "Transaction ID", FieldType::Uint, Base::Hex, 4},
    {"dns.flags", "Flags", FieldType::Uint, Base::Hex, 4},
    {"dns.flags.response", "Response", FieldType::Bool},
    {"dns.flags.opcode", "Opcode", FieldType::Uint},
    {"dns.flags.authoritative", "Authoritative", FieldType::Bool},
    {"dns.flags.conflict", "Conflict", FieldType::Bool},
    {"dns.flags.truncated", "Truncated", FieldType::Bool},
    {"dns.flags.recdesired", "Recursion desired", FieldType::Bool},
    {"dns.flags.tentative", "Tentative", FieldType::Bool},
    {"dns.flags.recavail", "Recursion available", FieldType::Bool},
    {"dns.flags.z", "Z", FieldType::Bool},
    {"dns.flags.authenticated", "Answer authenticated", FieldType::Bool},
    {"dns.flags.checkdisable", "Non-authenticated data", FieldType::Bool},
    {"dns.flags.rcode", "Reply code", FieldType::Uint},
    {"dns.count.queries", "Questions", FieldType::Uint},
    {"dns.count.answers", "Answer RRs", FieldType::Uint},
    {"dns.count.auth_rr", "Authority RRs", FieldType::Uint},
    {"dns.count.add_rr", "Additional RRs", FieldType::Uint},
    {"dns.qry.name", "Name", FieldType::String},
    {"dns.qry.name.len", "Name Length", FieldType::Uint},
    {"dns.count.labels", "Label Count", FieldType::Uint},
    {"dns.qry.type", "Type", FieldType::Uint},
    {"dns.qry.class", "Class", FieldType::Uint, Base::Hex, 4},
    {"dns.qry.qu", "\"QU\" question", FieldType::Bool},
    {"dns.resp.name", "Name", FieldType::String},
    {"dns.resp.type", "Type", FieldType::Uint},
    {"dns.resp.class", "Class", FieldType::Uint, Base::Hex, 4},
    {"dns.resp.cache_flush", "Cache flush", FieldType::Bool},
    {"dns.resp.ttl", "Time to live", FieldType::Uint},
    {"dns.resp.len", "Data length", FieldType::Uint},
    {"dns.a", "Address", FieldType::Ipv4},
    {"dns.aaaa", "AAAA Address", FieldType::Ipv6},
    {"dns.cname", "CNAME", FieldType::String},
    {"dns.ptr.domain_name", "Domain Name", FieldType::String},
    {"dns.ns", "Name Server", FieldType::String},
};
FieldId f0 = 0;

enum class Kind : uint8_t { Dns, Mdns, Llmnr };

constexpr int kMaxPointers = 32;
constexpr size_t kMaxName = 255;
// Resource records looked at for names (the tree shows them all).
constexpr size_t kMaxNameRecords = 256;
// Messages in one TCP segment.
constexpr int kMaxTcpMessages = 16;

// A name at `at` in the message `m`, following compression pointers, as
// its raw labels joined by dots. False when it is malformed (runs out of
// the message, loops, is longer than 255 characters in its printable form,
// uses an obsolete label type). `next` is where the name ends in place.
bool read_name(Tvb m, size_t at, std::string& out, size_t& next, unsigned& labels)
{
    out.clear();
    labels = 0;
    bool jumped = false;
    int jumps = 0;
    size_t printable = 0; // the length of printable_name(out)
    for (;;) {
        if (!m.has(at, 1))
            return false;
        const uint8_t len = m.u8(at);
        if (len == 0) {
            if (!jumped)
                next = at + 1;
            return true;
        }
        if ((len & 0xC0) == 0xC0) {
            if (!m.has(at, 2) || ++jumps > kMaxPointers)
                return false;
            if (!jumped)
                next = at + 2;
            jumped = true;
            at = size_t(len & 0x3F) << 8 | m.u8(at + 1);
            continue;
        }
        if ((len & 0xC0) != 0 || !m.has(at + 1, len) || printable + len + 1 > kMaxName)
            return false;
        if (!out.empty())
            out += '.', ++printable;
        const std::string_view label = m.text(at + 1).substr(0, len);
        for (char c : label)
            printable += c > 0x20 && c < 0x7F && c != '\\' ? 1 : 4;
        out += label;
        ++labels;
        at += 1 + size_t(len);
    }
}

// A name as a NameSink gets it (printable, escaped as it always was).
std::string name_of(const std::string& raw)
{
    return printable_name(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
}

// A name as Wireshark shows it: printable ASCII and spaces kept, the rest
// escaped; the root has a name of its own.
std::string shown(const std::string& raw)
{
    if (raw.empty())
        return "<Root>";
    std::string s;
    s.reserve(raw.size());
    for (char ch : raw) {
        const auto c = uint8_t(ch);
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            s += ch;
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            s += buf;
        }
    }
    return s;
}

const char* type_mnemonic(uint16_t type)
{
    switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 35: return "NAPTR";
    case 41: return "OPT";
    case 43: return "DS";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 50: return "NSEC3";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 252: return "AXFR";
    case 255: return "ANY";
    default: return nullptr;
    }
}

const char* type_description(uint16_t type)
{
    switch (type) {
    case 1: return "A (Host Address)";
    case 2: return "NS (authoritative Name Server)";
    case 5: return "CNAME (Canonical NAME for an alias)";
    case 6: return "SOA (Start Of a zone of Authority)";
    case 12: return "PTR (domain name PoinTeR)";
    case 15: return "MX (Mail eXchange)";
    case 16: return "TXT (Text strings)";
    case 28: return "AAAA (IPv6 Address)";
    case 33: return "SRV (Server Selection)";
    default: return type_mnemonic(type);
    }
}

std::string type_short(uint16_t type)
{
    const char* m = type_mnemonic(type);
    return m ? m : "Unknown (" + std::to_string(type) + ")";
}

std::string class_short(uint16_t cls)
{
    switch (cls) {
    case 1: return "IN";
    case 3: return "CH";
    case 4: return "HS";
    case 254: return "NONE";
    case 255: return "ANY";
    default: {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%04x", cls);
        return buf;
    }
    }
}

const char* opcode_name(unsigned op)
{
    switch (op) {
    case 0: return "Standard query";
    case 1: return "Inverse query";
    case 2: return "Server status request";
    case 4: return "Zone change notification";
    case 5: return "Dynamic update";
    default: return "Unknown operation";
    }
}

const char* rcode_name(unsigned rc)
{
    switch (rc) {
    case 0: return "No error";
    case 1: return "Format error";
    case 2: return "Server failure";
    case 3: return "No such name";
    case 4: return "Not implemented";
    case 5: return "Refused";
    case 6: return "Name exists";
    case 7: return "RRset exists";
    case 8: return "RRset does not exist";
    case 9: return "Not authoritative";
    case 10: return "Name out of zone";
    default: return "Unknown error";
    }
}

// "1 day, 2 hours, 5 minutes" as Wireshark writes a TTL.
std::string duration(uint32_t s)
{
    if (s == 0)
        return "0 seconds";
    std::string out;
    const auto part = [&out](uint32_t n, const char* unit) {
        if (n == 0)
            return;
        if (!out.empty())
            out += ", ";
        out += std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
    };
    part(s / 86400, "day");
    part(s / 3600 % 24, "hour");
    part(s / 60 % 60, "minute");
    part(s % 60, "second");
    return out;
}

// "1... .... .... ...." for one bit field of a 16-bit value.
std::string bits(uint16_t value, uint16_t mask)
{
    std::string out;
    for (int i = 15; i >= 0; --i) {
        const uint16_t bit = uint16_t(1u << i);
        out += (mask & bit) ? ((value & bit) ? '1' : '0') : '.';
        if (i % 4 == 0 && i)
            out += ' ';
    }
    return out;
}

void flag(Packet& p, size_t o, FieldId f, uint16_t flags, uint16_t mask, const char* name, const char* set,
          const char* clear)
{
    const bool on = flags & mask;
    p.add_uint(f, o, 2, on, bits(flags, mask) + " = " + name + ": " + (on ? set : clear));
}

void header_tree(Tvb m, Packet& p, Kind kind, uint16_t flags)
{
    const size_t o = m.begin();
    const bool response = flags & 0x8000;
    const unsigned opcode = (flags >> 11) & 0xF, rcode = flags & 0xF;
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%04x", flags);
    std::string summary = std::string(opcode_name(opcode)) + (response ? " response" : "");
    if (response)
        summary += std::string(", ") + rcode_name(rcode);
    p.add_uint(f0 + kId, o, 2, m.be16(0));
    p.add_uint(f0 + kFlags, o + 2, 2, flags, std::string("Flags: ") + hex + " " + summary);
    p.open_subtree();
    flag(p, o + 2, f0 + kResponse, flags, 0x8000, "Response", "Message is a response", "Message is a query");
    p.add_uint(f0 + kOpcode, o + 2, 2, opcode,
               bits(flags, 0x7800) + " = Opcode: " + opcode_name(opcode) + " (" + std::to_string(opcode) + ")");
    if (kind == Kind::Llmnr) {
        flag(p, o + 2, f0 + kConflict, flags, 0x0400, "Conflict", "The name is not unique", "None");
        flag(p, o + 2, f0 + kTruncated, flags, 0x0200, "Truncated", "Message is truncated", "Message is not truncated");
        flag(p, o + 2, f0 + kTentative, flags, 0x0100, "Tentative", "Tentative", "Not tentative");
    } else {
        if (response)
            flag(p, o + 2, f0 + kAuthoritative, flags, 0x0400, "Authoritative", "Server is an authority for domain",
                 "Server is not an authority for domain");
        flag(p, o + 2, f0 + kTruncated, flags, 0x0200, "Truncated", "Message is truncated", "Message is not truncated");
        flag(p, o + 2, f0 + kRecDesired, flags, 0x0100, "Recursion desired", "Do query recursively",
             "Don't do query recursively");
        if (response)
            flag(p, o + 2, f0 + kRecAvail, flags, 0x0080, "Recursion available", "Server can do recursive queries",
                 "Server can't do recursive queries");
        flag(p, o + 2, f0 + kZ, flags, 0x0040, "Z", "reserved (1)", "reserved (0)");
        if (response)
            flag(p, o + 2, f0 + kAuthenticated, flags, 0x0020, "Answer authenticated",
                 "Answer/authority portion was authenticated by the server",
                 "Answer/authority portion was not authenticated by the server");
        else
            flag(p, o + 2, f0 + kAuthenticated, flags, 0x0020, "AD bit", "Set", "Not set");
        flag(p, o + 2, f0 + kCheckDisable, flags, 0x0010, "Non-authenticated data", "Acceptable", "Unacceptable");
    }
    if (response)
        p.add_uint(f0 + kRcode, o + 2, 2, rcode,
                   bits(flags, 0x000F) + " = Reply code: " + rcode_name(rcode) + " (" + std::to_string(rcode) + ")");
    p.close_subtree();
    p.add_uint(f0 + kCountQueries, o + 4, 2, m.be16(4));
    p.add_uint(f0 + kCountAnswers, o + 6, 2, m.be16(6));
    p.add_uint(f0 + kCountAuth, o + 8, 2, m.be16(8));
    p.add_uint(f0 + kCountAdd, o + 10, 2, m.be16(10));
}

// The reverse-lookup name of an address: "4.3.2.1.in-addr.arpa" is
// 1.2.3.4; ip6.arpa names have 32 nibbles.
bool ends_with_ci(std::string_view s, std::string_view suffix)
{
    if (s.size() < suffix.size())
        return false;
    for (size_t i = 0; i < suffix.size(); ++i) {
        char c = s[s.size() - suffix.size() + i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != suffix[i])
            return false;
    }
    return true;
}

bool reverse_name_address(std::string_view owner, IpAddress& a)
{
    a = IpAddress{};
    if (ends_with_ci(owner, ".in-addr.arpa")) {
        const std::string_view body = owner.substr(0, owner.size() - 13);
        a.family = 4;
        size_t at = 0;
        for (int i = 0; i < 4; ++i) {
            unsigned v = 0;
            size_t digits = 0;
            while (at < body.size() && body[at] >= '0' && body[at] <= '9' && digits < 4)
                v = v * 10 + unsigned(body[at++] - '0'), ++digits;
            if (digits == 0 || v > 255)
                return false;
            a.bytes[size_t(3 - i)] = uint8_t(v);
            if (i < 3 && (at >= body.size() || body[at++] != '.'))
                return false;
        }
        return at == body.size();
    }
    if (ends_with_ci(owner, ".ip6.arpa")) {
        const std::string_view body = owner.substr(0, owner.size() - 9);
        if (body.size() != 63)
            return false;
        a.family = 6;
        for (int i = 0; i < 32; ++i) {
            const char c = body[size_t(i) * 2];
            if (i < 31 && body[size_t(i) * 2 + 1] != '.')
                return false;
            int nib;
            if (c >= '0' && c <= '9')
                nib = c - '0';
            else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                nib = (c | 0x20) - 'a' + 10;
            else
                return false;
            const int idx = 31 - i; // nibble index from the most significant
            a.bytes[size_t(idx / 2)] |= uint8_t(idx % 2 == 0 ? nib << 4 : nib);
        }
        return true;
    }
    return false;
}

// What a response says about names, handed to the sink once the whole
// message is read (a CNAME may come after the address it leads to).
struct Learnt {
    std::vector<std::pair<std::string, std::string>> cnames; // alias -> canonical name
    struct Address {
        std::string owner;
        IpAddress ip;
    };
    std::vector<Address> addresses;

    void emit(NameSink& sink) const
    {
        for (const Address& a : addresses) {
            // Walk the chain back: the name that was asked comes first.
            std::vector<const std::string*> chain{&a.owner};
            for (int hops = 0; hops < 16; ++hops) {
                auto it = std::find_if(cnames.begin(), cnames.end(),
                                       [&](const auto& c) { return c.second == *chain.back(); });
                if (it == cnames.end() ||
                    std::find_if(chain.begin(), chain.end(), [&](const std::string* s) { return *s == it->first; }) !=
                        chain.end())
                    break;
                chain.push_back(&it->first);
            }
            for (auto it = chain.rbegin(); it != chain.rend(); ++it)
                sink.ip_name(a.ip, name_of(**it));
        }
    }
};

const char* section_label(int section)
{
    switch (section) {
    case 0: return "Answers";
    case 1: return "Authoritative nameservers";
    default: return "Additional records";
    }
}

// One DNS message. `framed` is the message with TCP's length prefix in
// front of it (the layer covers both), `m` the message itself.
void message(Tvb framed, Tvb m, Packet& p, Kind kind)
{
    const bool tree = p.want_tree();
    if (tree) {
        const FieldId proto = f0 + (kind == Kind::Mdns ? kMdns : kind == Kind::Llmnr ? kLlmnr : kDns);
        const std::string_view name = field_info(proto).name;
        const char* what = m.has(2, 1) ? (m.u8(2) & 0x80 ? " (response)" : " (query)") : "";
        p.layer(proto, framed, std::string(name) + what);
        if (framed.begin() + 2 == m.begin())
            p.add_uint(f0 + kLength, framed.begin(), 2, framed.be16(0));
    }
    if (!m.has(0, 12)) {
        p.add_note(m.begin(), m.length(), "[Malformed Packet: DNS header does not fit in the message]");
        return;
    }
    const uint16_t flags = m.be16(2);
    const bool response = flags & 0x8000;
    NameSink* const sink = response ? p.names : nullptr; // a query names nothing yet
    if (!tree && !sink)
        return;
    if (tree)
        header_tree(m, p, kind, flags);
    const bool multicast = kind == Kind::Mdns;
    const size_t qd = m.be16(4);
    const size_t rr_counts[3] = {m.be16(6), m.be16(8), m.be16(10)};

    std::string name;
    size_t at = 12, next = 0;
    unsigned labels = 0;
    const auto malformed = [&](const char* why) {
        p.add_note(m.begin() + std::min(at, m.length()), 0, std::string("[Malformed Packet: ") + why + "]");
        if (tree)
            p.close_subtree(), p.close_subtree();
    };

    if (qd) {
        if (tree) {
            p.add_note(m.begin() + at, 0, "Queries");
            p.open_subtree();
        }
        for (size_t i = 0; i < qd; ++i) {
            if (!read_name(m, at, name, next, labels) || !m.has(next, 4)) {
                if (tree) {
                    p.open_subtree();
                    malformed("DNS question does not fit in the message");
                }
                return; // the records cannot be found without the questions
            }
            if (tree) {
                const uint16_t type = m.be16(next), cls = m.be16(next + 2);
                const uint16_t qclass = multicast ? cls & 0x7FFF : cls;
                const size_t o = m.begin() + at;
                std::string label = shown(name) + ": type " + type_short(type) + ", class " + class_short(qclass);
                if (multicast)
                    label += (cls & 0x8000) ? ", \"QU\" question" : ", \"QM\" question";
                p.add_note(o, next + 4 - at, std::move(label));
                p.open_subtree();
                p.add_text(f0 + kQryName, o, next - at, shown(name), "Name: " + shown(name));
                p.add_uint(f0 + kQryNameLen, o, next - at, name.size(), "[Name Length: " + std::to_string(name.size()) + "]");
                p.add_uint(f0 + kCountLabels, o, next - at, labels, "[Label Count: " + std::to_string(labels) + "]");
                p.add_uint(f0 + kQryType, m.begin() + next, 2, type,
                           std::string("Type: ") + (type_description(type) ? type_description(type) : "Unknown") + " (" +
                               std::to_string(type) + ")");
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%04x", qclass);
                p.add_uint(f0 + kQryClass, m.begin() + next + 2, 2, qclass,
                           (multicast ? bits(cls, 0x7FFF) + " = " : std::string()) + "Class: " + class_short(qclass) +
                               " (" + hex + ")");
                if (multicast)
                    p.add_uint(f0 + kQryQu, m.begin() + next + 2, 2, cls >> 15,
                               bits(cls, 0x8000) + " = \"QU\" question: " + (cls & 0x8000 ? "True" : "False"));
                p.close_subtree();
            }
            at = next + 4;
        }
        if (tree)
            p.close_subtree();
    }

    Learnt learnt;
    size_t records = 0;
    std::string target;
    for (int section = 0; section < 3; ++section) {
        if (rr_counts[section] == 0)
            continue;
        if (tree) {
            p.add_note(m.begin() + at, 0, section_label(section));
            p.open_subtree();
        }
        for (size_t i = 0; i < rr_counts[section]; ++i, ++records) {
            if (!tree && records >= kMaxNameRecords)
                break;
            if (!read_name(m, at, name, next, labels) || !m.has(next, 10)) {
                if (tree) {
                    p.open_subtree();
                    malformed("DNS resource record does not fit in the message");
                }
                if (sink)
                    learnt.emit(*sink);
                return;
            }
            const uint16_t type = m.be16(next), cls = m.be16(next + 2), rdlen = m.be16(next + 8);
            const uint32_t ttl = m.be32(next + 4);
            const size_t rd = next + 10;
            if (!m.has(rd, rdlen)) {
                if (tree) {
                    p.open_subtree();
                    malformed("DNS record data runs past the message");
                }
                if (sink)
                    learnt.emit(*sink);
                return;
            }
            const bool in_name_window = records < kMaxNameRecords;
            std::string data_label;
            IpAddress addr;
            bool has_addr = false, has_target = false;
            if (type == 1 && rdlen == 4) {
                addr = IpAddress::v4(m.bytes(rd, 4));
                has_addr = true;
                data_label = ", addr " + addr.to_string();
            } else if (type == 28 && rdlen == 16) {
                addr = IpAddress::v6(m.bytes(rd, 16));
                has_addr = true;
                data_label = ", addr " + addr.to_string();
            } else if (type == 5 || type == 12 || type == 2) {
                size_t ignored = 0;
                unsigned ignored_labels = 0;
                has_target = read_name(m, rd, target, ignored, ignored_labels);
                if (has_target)
                    data_label = std::string(type == 5 ? ", cname " : type == 2 ? ", ns " : ", ") + shown(target);
            }
            if (sink && in_name_window) {
                if (has_addr)
                    learnt.addresses.push_back({name, addr});
                else if (type == 5 && has_target)
                    learnt.cnames.emplace_back(name, target);
                else if (type == 12 && has_target) {
                    IpAddress ip;
                    if (reverse_name_address(name_of(name), ip))
                        sink->ip_name(ip, name_of(target));
                }
            }
            if (tree) {
                const size_t o = m.begin() + at;
                const uint16_t rclass = multicast ? cls & 0x7FFF : cls;
                const bool opt = type == 41;
                std::string label = shown(name) + ": type " + type_short(type);
                if (!opt)
                    label += ", class " + class_short(rclass) + (multicast && (cls & 0x8000) ? ", cache flush" : "");
                p.add_note(o, rd + rdlen - at, label + data_label);
                p.open_subtree();
                p.add_text(f0 + kRespName, o, next - at, shown(name), "Name: " + shown(name));
                p.add_uint(f0 + kRespType, m.begin() + next, 2, type,
                           std::string("Type: ") + (type_description(type) ? type_description(type) : "Unknown") + " (" +
                               std::to_string(type) + ")");
                if (!opt) {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "0x%04x", rclass);
                    p.add_uint(f0 + kRespClass, m.begin() + next + 2, 2, rclass,
                               (multicast ? bits(cls, 0x7FFF) + " = " : std::string()) + "Class: " +
                                   class_short(rclass) + " (" + hex + ")");
                    if (multicast)
                        p.add_uint(f0 + kRespCacheFlush, m.begin() + next + 2, 2, cls >> 15,
                                   bits(cls, 0x8000) + " = Cache flush: " + (cls & 0x8000 ? "True" : "False"));
                    p.add_uint(f0 + kRespTtl, m.begin() + next + 4, 4, ttl,
                               "Time to live: " + std::to_string(ttl) + " (" + duration(ttl) + ")");
                }
                p.add_uint(f0 + kRespLen, m.begin() + next + 8, 2, rdlen);
                const size_t ro = m.begin() + rd;
                if (has_addr && type == 1)
                    p.add_ip(f0 + kA, ro, 4, addr);
                else if (has_addr)
                    p.add_ip(f0 + kAaaa, ro, 16, addr);
                else if (has_target && type == 5)
                    p.add_text(f0 + kCname, ro, rdlen, shown(target));
                else if (has_target && type == 12)
                    p.add_text(f0 + kPtr, ro, rdlen, shown(target));
                else if (has_target && type == 2)
                    p.add_text(f0 + kNs, ro, rdlen, shown(target));
                p.close_subtree();
            }
            at = rd + rdlen;
        }
        if (tree)
            p.close_subtree();
        if (!tree && records >= kMaxNameRecords)
            break;
    }
    if (sink)
        learnt.emit(*sink);
}

bool wanted(Packet& p) { return p.want_tree() || p.names; }

void udp_message(Tvb t, Packet& p, Kind kind)
{
    if (wanted(p))
        message(t, t, p, kind);
}

// DNS and LLMNR over TCP: each message after a two-byte length.
void tcp_messages(Tvb t, Packet& p, Kind kind)
{
    if (!wanted(p))
        return;
    size_t at = 0;
    for (int n = 0; n < kMaxTcpMessages && t.has(at, 2); ++n) {
        const size_t len = t.be16(at);
        if (len == 0)
            break;
        // A message that continues in the next segment is read as far as it was captured.
        const size_t avail = std::min(len, t.length() - at - 2);
        message(t.sub(at, 2 + avail), t.sub(at + 2, avail), p, kind);
        at += 2 + len;
    }
}

void dns_udp(Tvb t, Packet& p) { udp_message(t, p, Kind::Dns); }
void mdns_udp(Tvb t, Packet& p) { udp_message(t, p, Kind::Mdns); }
void llmnr_udp(Tvb t, Packet& p) { udp_message(t, p, Kind::Llmnr); }
void dns_tcp(Tvb t, Packet& p) { tcp_messages(t, p, Kind::Dns); }
void llmnr_tcp(Tvb t, Packet& p) { tcp_messages(t, p, Kind::Llmnr); }

} // namespace

void register_dns()
{
    f0 = register_fields(kFields, kCount);
    add_udp_port(53, dns_udp);
    add_tcp_port(53, dns_tcp);
    add_udp_port(5353, mdns_udp);
    add_udp_port(5355, llmnr_udp);
    add_tcp_port(5355, llmnr_tcp);
}

} // namespace underhood::dissect
