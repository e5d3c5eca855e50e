// DNS (RFC 1035) on UDP and TCP port 53, mDNS (RFC 6762) on UDP 5353 and
// LLMNR (RFC 4795) on port 5355: one message format, three protocol names
// (Wireshark shows mDNS and LLMNR as their own protocols with the same dns.*
// fields). The header, the questions and the resource records as fields;
// the addresses answers give (following CNAME chains back to the name that
// was asked) and PTR answers as names.
//
// Names are read with compression (RFC 1035 4.1.4) bounded twice: at most
// kMaxPointers jumps, at most 255 characters.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/names.h"
#include "dissect/outputs.h"
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
    kRespCacheFlush, kRespTtl, kRespLen, kA, kAaaa, kCname, kPtr, kNs, kDname, kMxPreference, kMxExchange,
    kSrvPriority, kSrvWeight, kSrvPort, kSrvTarget, kTxt, kSoaMname, kSoaRname, kSoaSerial, kSoaRefresh, kSoaRetry,
    kSoaExpire, kSoaMinimum, kUdpPayloadSize, kExtRcode, kEdns0Version, kEdnsZ, kData,
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
    {"dns.dname", "DNAME", FieldType::String},
    {"dns.mx.preference", "Preference", FieldType::Uint},
    {"dns.mx.mail_exchange", "Mail Exchange", FieldType::String},
    {"dns.srv.priority", "Priority", FieldType::Uint},
    {"dns.srv.weight", "Weight", FieldType::Uint},
    {"dns.srv.port", "Port", FieldType::Uint},
    {"dns.srv.target", "Target", FieldType::String},
    {"dns.txt", "TXT", FieldType::String},
    {"dns.soa.mname", "Primary name server", FieldType::String},
    {"dns.soa.rname", "Responsible authority's mailbox", FieldType::String},
    {"dns.soa.serial_number", "Serial Number", FieldType::Uint},
    {"dns.soa.refresh_interval", "Refresh Interval", FieldType::Uint},
    {"dns.soa.retry_interval", "Retry Interval", FieldType::Uint},
    {"dns.soa.expire_limit", "Expire limit", FieldType::Uint},
    {"dns.soa.minimum_ttl", "Minimum TTL", FieldType::Uint},
    {"dns.rr.udp_payload_size", "UDP payload size", FieldType::Uint},
    {"dns.resp.ext_rcode", "Higher bits in extended RCODE", FieldType::Uint, Base::Hex, 2},
    {"dns.resp.edns0_version", "EDNS0 version", FieldType::Uint},
    {"dns.resp.z", "Z", FieldType::Uint, Base::Hex, 4},
    {"dns.data", "Data", FieldType::Bytes},
};
FieldId f0 = 0;

enum class Kind : uint8_t { Dns, Mdns, Llmnr };

constexpr int kMaxPointers = 32;
constexpr size_t kMaxName = 255;
// Resource records looked at for names (the tree shows them all).
constexpr size_t kMaxNameRecords = 256;
// Resource records of one section the tree and the Info column show.
constexpr size_t kMaxTreeRecords = 256;
// Messages in one TCP segment.
constexpr int kMaxTcpMessages = 16;

// Why a name could not be read, for the tree: bytes that are not there
// (`what` names them) or a malformation (`why`).
struct NameFault {
    size_t at = 0, len = 0;
    const char* what = nullptr;
    const char* why = nullptr;
};

// A name at `at` in the message `m`, following compression pointers, as
// its raw labels joined by dots. False when it is malformed (runs out of
// the message, loops, is longer than 255 characters in its printable form,
// uses an obsolete label type). `next` is where the name ends in place.
bool read_name(Tvb m, size_t at, std::string& out, size_t& next, unsigned& labels, NameFault* fault = nullptr)
{
    NameFault ignored;
    NameFault& f = fault ? *fault : ignored;
    const auto fail = [&f](size_t where, size_t len, const char* what, const char* why) {
        f = NameFault{where, len, what, why};
        return false;
    };
    out.clear();
    labels = 0;
    bool jumped = false;
    int jumps = 0;
    size_t printable = 0; // the length of printable_name(out)
    for (;;) {
        if (!m.has(at, 1))
            return fail(at, 1, "DNS name", nullptr);
        const uint8_t len = m.u8(at);
        if (len == 0) {
            if (!jumped)
                next = at + 1;
            return true;
        }
        if ((len & 0xC0) == 0xC0) {
            if (!m.has(at, 2))
                return fail(at, 2, "DNS name pointer", nullptr);
            if (++jumps > kMaxPointers)
                return fail(at, 2, nullptr, "DNS name pointers loop");
            if (!jumped)
                next = at + 2;
            jumped = true;
            const size_t target = size_t(len & 0x3F) << 8 | m.u8(at + 1);
            if (target >= m.length())
                return fail(at, 2, nullptr, "DNS name pointer past the message");
            at = target;
            continue;
        }
        if ((len & 0xC0) != 0)
            return fail(at, 1, nullptr, "DNS label of an obsolete type");
        if (!m.has(at + 1, len))
            return fail(at + 1, len, "DNS label", nullptr);
        if (printable + len + 1 > kMaxName)
            return fail(at, 1 + size_t(len), nullptr, "DNS name longer than 255 bytes");
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

// The tree's note for a name that could not be read.
void name_fault(Packet& p, Tvb m, const NameFault& f, bool tcp)
{
    if (f.why)
        app_problem(p, DecodedPacket::Malformed, m.begin() + std::min(f.at, m.length()),
                    std::min(f.len, m.length() - std::min(f.at, m.length())), f.why);
    else
        app_fits(p, m, f.at, f.len, f.what, tcp);
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
    case 39: return "DNAME";
    case 41: return "OPT";
    case 43: return "DS";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 50: return "NSEC3";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 251: return "IXFR";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 257: return "CAA";
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
    p.add_bits(f, o, 2, on, bits(flags, mask) + " = " + name + ": " + (on ? set : clear));
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
    p.add_bits(f0 + kOpcode, o + 2, 2, opcode,
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
        p.add_bits(f0 + kRcode, o + 2, 2, rcode,
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

// What a record's data says: for the record's label (", addr 1.2.3.4") and
// the Info column (" 1.2.3.4"), and the fields under it.
struct RecordData {
    std::string label, info;
};

// The fields of a record's data at `rd` (relative to `m`) other than the
// address and name types the names need (A, AAAA, CNAME, PTR, NS, read by
// the caller).
void other_data(Tvb m, Packet& p, uint16_t type, size_t rd, size_t rdlen, bool tree, RecordData& out)
{
    const size_t ro = m.begin() + rd;
    std::string target;
    size_t next = 0;
    unsigned labels = 0;
    switch (type) {
    case 39: // DNAME
        if (read_name(m, rd, target, next, labels)) {
            if (tree)
                p.add_text(f0 + kDname, ro, rdlen, shown(target));
            out.label = ", " + shown(target);
            out.info = shown(target);
        }
        break;
    case 15: // MX
        if (rdlen >= 3 && read_name(m, rd + 2, target, next, labels)) {
            const uint16_t pref = m.be16(rd);
            if (tree) {
                p.add_uint(f0 + kMxPreference, ro, 2, pref);
                p.add_text(f0 + kMxExchange, ro + 2, rdlen - 2, shown(target));
            }
            out.label = strf(", preference %u, mx ", pref) + shown(target);
            out.info = strf("%u ", pref) + shown(target);
        }
        break;
    case 33: // SRV
        if (rdlen >= 7 && read_name(m, rd + 6, target, next, labels)) {
            const uint16_t prio = m.be16(rd), weight = m.be16(rd + 2), port = m.be16(rd + 4);
            if (tree) {
                p.add_uint(f0 + kSrvPriority, ro, 2, prio);
                p.add_uint(f0 + kSrvWeight, ro + 2, 2, weight);
                p.add_uint(f0 + kSrvPort, ro + 4, 2, port);
                p.add_text(f0 + kSrvTarget, ro + 6, rdlen - 6, shown(target));
            }
            out.label = strf(", priority %u, weight %u, port %u, target ", prio, weight, port) + shown(target);
            out.info = strf("%u %u %u ", prio, weight, port) + shown(target);
        }
        break;
    case 16: // TXT: character strings
        if (!tree)
            break;
        for (size_t at = rd; at < rd + rdlen;) {
            const size_t l = m.u8(at);
            if (at + 1 + l > rd + rdlen) {
                app_problem(p, DecodedPacket::Malformed, m.begin() + at, rd + rdlen - at, "TXT string overruns its record");
                break;
            }
            const uint8_t* s = m.bytes(at + 1, l);
            p.add_text(f0 + kTxt, m.begin() + at, 1 + l, m.text(at + 1).substr(0, l), "TXT: " + printable_text(s, l));
            at += 1 + l;
        }
        break;
    case 6: { // SOA
        if (!read_name(m, rd, target, next, labels))
            break;
        const size_t after_mname = next;
        if (tree)
            p.add_text(f0 + kSoaMname, ro, after_mname - rd, shown(target));
        out.label = ", mname " + shown(target);
        out.info = shown(target);
        std::string rname;
        size_t after_rname = 0;
        if (!tree || !read_name(m, after_mname, rname, after_rname, labels) || after_rname > rd + rdlen)
            break;
        if (rd + rdlen - after_rname < 20) {
            app_fits(p, m.sub(0, rd + rdlen), after_rname, 20, "SOA record", false);
            break;
        }
        p.add_text(f0 + kSoaRname, m.begin() + after_mname, after_rname - after_mname, shown(rname));
        static constexpr int kTimes[] = {kSoaSerial, kSoaRefresh, kSoaRetry, kSoaExpire, kSoaMinimum};
        for (size_t k = 0; k < 5; ++k)
            p.add_uint(f0 + kTimes[k], m.begin() + after_rname + 4 * k, 4, m.be32(after_rname + 4 * k));
        break;
    }
    default:
        if (tree && rdlen)
            p.add_text(f0 + kData, ro, rdlen, m.text(rd).substr(0, rdlen),
                       "Data: " + hex_text(m.bytes(rd, rdlen), rdlen));
        break;
    }
}

// One DNS message. `framed` is the message with TCP's length prefix in
// front of it (the layer covers both), `m` the message itself.
void message(Tvb framed, Tvb m, Packet& p, Kind kind, bool tcp, size_t claimed)
{
    const bool tree = p.want_tree();
    Columns* const col = p.col();
    const Proto proto = kind == Kind::Mdns ? Proto::Mdns : kind == Kind::Llmnr ? Proto::Llmnr : Proto::Dns;
    const FieldId proto_field = f0 + (kind == Kind::Mdns ? kMdns : kind == Kind::Llmnr ? kLlmnr : kDns);
    if (col)
        col->protocol = column_name(proto);
    const size_t layer = p.layer(proto_field, framed, tree ? std::string(field_info(proto_field).name) : std::string());
    if (framed.begin() + 2 == m.begin()) {
        p.add_uint(f0 + kLength, framed.begin(), 2, framed.be16(0));
        if (claimed > m.length())
            app_claim(p, framed, 2, claimed, "DNS message", tcp);
    }
    if (!app_fits(p, m, 0, 12, "DNS header", tcp))
        return;
    const uint16_t flags = m.be16(2);
    const bool response = flags & 0x8000;
    NameSink* const sink = response ? p.names : nullptr; // a query names nothing yet
    if (!tree && !col && !sink)
        return;
    const uint16_t id = m.be16(0);
    const unsigned rcode = flags & 0xF;
    if (tree) {
        p.relabel(layer, std::string(field_info(proto_field).name) + (response ? " (response)" : " (query)"));
        header_tree(m, p, kind, flags);
    }
    // "Standard query response 0x1234 No such name A www.example.com ..."
    std::string info, answers;
    if (col) {
        info = strf("%s%s 0x%04x", opcode_name((flags >> 11) & 0xF), response ? " response" : "", id);
        if (response && rcode)
            info += std::string(" ") + rcode_name(rcode);
    }
    const auto finish = [&] {
        if (col)
            col->info = info + answers;
    };
    const bool multicast = kind == Kind::Mdns;
    const size_t qd = m.be16(4);
    const size_t rr_counts[3] = {m.be16(6), m.be16(8), m.be16(10)};

    std::string name;
    size_t at = 12, next = 0;
    unsigned labels = 0;
    NameFault fault;

    if (qd) {
        const size_t section = p.add_note(m.begin() + at, 0, "Queries");
        Packet::Subtree in_section(p);
        for (size_t i = 0; i < qd; ++i) {
            const size_t item = p.add_note(m.begin() + at, 1, "DNS question");
            Packet::Subtree in_item(p);
            const bool named = read_name(m, at, name, next, labels, &fault);
            if (!named || !app_fits(p, m, next, 4, "DNS question", tcp)) {
                if (!named)
                    name_fault(p, m, fault, tcp);
                finish();
                return; // the records cannot be found without the questions
            }
            const uint16_t type = m.be16(next), cls = m.be16(next + 2);
            const uint16_t qclass = multicast ? cls & 0x7FFF : cls;
            if (col)
                info += " " + type_short(type) + " " + shown(name);
            if (tree) {
                const size_t o = m.begin() + at;
                std::string label = shown(name) + ": type " + type_short(type) + ", class " + class_short(qclass);
                if (multicast)
                    label += (cls & 0x8000) ? ", \"QU\" question" : ", \"QM\" question";
                p.relabel(item, std::move(label));
                p.cover(item, o, m.begin() + next + 4);
                p.add_text(f0 + kQryName, o, next - at, shown(name), "Name: " + shown(name));
                p.add_uint(f0 + kQryNameLen, o, next - at, name.size(), "[Name Length: " + std::to_string(name.size()) + "]");
                p.add_uint(f0 + kCountLabels, o, next - at, labels, "[Label Count: " + std::to_string(labels) + "]");
                p.add_uint(f0 + kQryType, m.begin() + next, 2, type,
                           std::string("Type: ") + (type_description(type) ? type_description(type) : "Unknown") + " (" +
                               std::to_string(type) + ")");
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%04x", qclass);
                const std::string cls_label = "Class: " + class_short(qclass) + " (" + hex + ")";
                if (multicast) {
                    p.add_bits(f0 + kQryClass, m.begin() + next + 2, 2, qclass, bits(cls, 0x7FFF) + " = " + cls_label);
                    p.add_bits(f0 + kQryQu, m.begin() + next + 2, 2, cls >> 15,
                               bits(cls, 0x8000) + " = \"QU\" question: " + (cls & 0x8000 ? "True" : "False"));
                } else {
                    p.add_uint(f0 + kQryClass, m.begin() + next + 2, 2, qclass, cls_label);
                }
            }
            at = next + 4;
        }
        p.cover(section, m.begin() + 12, m.begin() + at);
    }

    Learnt learnt;
    size_t records = 0;
    std::string target;
    const auto done = [&] {
        if (sink)
            learnt.emit(*sink);
        finish();
    };
    for (int section = 0; section < 3; ++section) {
        if (rr_counts[section] == 0)
            continue;
        const size_t section_item = p.add_note(m.begin() + at, 0, section_label(section));
        const size_t section_start = at;
        Packet::Subtree in_section(p);
        for (size_t i = 0; i < rr_counts[section]; ++i, ++records) {
            if (!tree && !col && records >= kMaxNameRecords)
                break;
            if (i >= kMaxTreeRecords && (tree || col)) {
                p.add_note(0, 0, strf("[%zu more records are not shown]", rr_counts[section] - i));
                p.cover(section_item, m.begin() + section_start, m.begin() + at);
                done();
                return; // where the next section starts is not known without them
            }
            const size_t o = m.begin() + at;
            const size_t item = p.add_note(o, 1, "DNS resource record");
            Packet::Subtree in_item(p);
            const bool named = read_name(m, at, name, next, labels, &fault);
            if (!named || !app_fits(p, m, next, 10, "DNS resource record", tcp)) {
                if (!named)
                    name_fault(p, m, fault, tcp);
                p.cover(section_item, m.begin() + section_start, m.begin() + at);
                done();
                return;
            }
            const uint16_t type = m.be16(next), cls = m.be16(next + 2), rdlen = m.be16(next + 8);
            const uint32_t ttl = m.be32(next + 4);
            const size_t rd = next + 10;
            const bool opt = type == 41;
            const uint16_t rclass = multicast ? cls & 0x7FFF : cls;
            std::string label;
            if (tree) {
                label = shown(name) + ": type " + type_short(type);
                if (!opt)
                    label += ", class " + class_short(rclass) + (multicast && (cls & 0x8000) ? ", cache flush" : "");
                p.relabel(item, label);
                p.cover(item, o, m.begin() + rd + rdlen);
                p.add_text(f0 + kRespName, o, next - at, shown(name), "Name: " + shown(name));
                p.add_uint(f0 + kRespType, m.begin() + next, 2, type,
                           std::string("Type: ") + (type_description(type) ? type_description(type) : "Unknown") + " (" +
                               std::to_string(type) + ")");
                if (opt) {
                    // EDNS(0) (RFC 6891): the class is the UDP payload size, the TTL the extended fields.
                    p.add_uint(f0 + kUdpPayloadSize, m.begin() + next + 2, 2, cls);
                    p.add_uint(f0 + kExtRcode, m.begin() + next + 4, 1, m.u8(next + 4));
                    p.add_uint(f0 + kEdns0Version, m.begin() + next + 5, 1, m.u8(next + 5));
                    p.add_uint(f0 + kEdnsZ, m.begin() + next + 6, 2, m.be16(next + 6));
                } else {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "0x%04x", rclass);
                    const std::string cls_label = "Class: " + class_short(rclass) + " (" + hex + ")";
                    if (multicast) {
                        p.add_bits(f0 + kRespClass, m.begin() + next + 2, 2, rclass, bits(cls, 0x7FFF) + " = " + cls_label);
                        p.add_bits(f0 + kRespCacheFlush, m.begin() + next + 2, 2, cls >> 15,
                                   bits(cls, 0x8000) + " = Cache flush: " + (cls & 0x8000 ? "True" : "False"));
                    } else {
                        p.add_uint(f0 + kRespClass, m.begin() + next + 2, 2, rclass, cls_label);
                    }
                    p.add_uint(f0 + kRespTtl, m.begin() + next + 4, 4, ttl,
                               "Time to live: " + std::to_string(ttl) + " (" + duration(ttl) + ")");
                }
                p.add_uint(f0 + kRespLen, m.begin() + next + 8, 2, rdlen);
            }
            if (!app_fits(p, m, rd, rdlen, "DNS record data", tcp)) {
                p.cover(section_item, m.begin() + section_start, m.begin() + std::min(rd + rdlen, m.length()));
                done();
                return;
            }
            const bool in_name_window = records < kMaxNameRecords;
            RecordData data;
            IpAddress addr;
            bool has_addr = false, has_target = false;
            if (type == 1 && rdlen == 4) {
                addr = IpAddress::v4(m.bytes(rd, 4));
                has_addr = true;
            } else if (type == 28 && rdlen == 16) {
                addr = IpAddress::v6(m.bytes(rd, 16));
                has_addr = true;
            } else if (type == 5 || type == 12 || type == 2) {
                size_t ignored = 0;
                unsigned ignored_labels = 0;
                has_target = read_name(m, rd, target, ignored, ignored_labels);
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
            if (tree || col) {
                const size_t ro = m.begin() + rd;
                if (has_addr) {
                    data.info = addr.to_string();
                    data.label = ", addr " + data.info;
                    p.add_ip(f0 + (type == 1 ? kA : kAaaa), ro, rdlen, addr);
                } else if (has_target) {
                    data.info = shown(target);
                    data.label = std::string(type == 5 ? ", cname " : type == 2 ? ", ns " : ", ") + data.info;
                    p.add_text(f0 + (type == 5 ? kCname : type == 12 ? kPtr : kNs), ro, rdlen, data.info);
                } else if (type != 1 && type != 28 && type != 5 && type != 12 && type != 2) {
                    other_data(m, p, type, rd, rdlen, tree, data);
                }
                if (tree && !data.label.empty())
                    p.relabel(item, label + data.label);
                // The answers and an OPT record go into the Info column, as Wireshark does.
                if (col && (section == 0 || opt))
                    answers += opt ? std::string(" OPT") : " " + type_short(type) + (data.info.empty() ? "" : " " + data.info);
            }
            at = rd + rdlen;
        }
        p.cover(section_item, m.begin() + section_start, m.begin() + at);
        if (!tree && !col && records >= kMaxNameRecords)
            break;
    }
    done();
}

// Nothing on the summary path, nothing inside a datagram an ICMP error quotes.
bool wanted(Packet& p) { return app_wanted(p) && !p.quoted(); }

void udp_message(Tvb t, Packet& p, Kind kind)
{
    if (wanted(p))
        message(t, t, p, kind, false, t.length());
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
        message(t.sub(at, 2 + avail), t.sub(at + 2, avail), p, kind, true, len);
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
