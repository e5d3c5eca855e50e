// underhood-cli expert: what Wireshark's Expert Information dialog lists
// (TCP analysis findings, resets, DNS and HTTP errors, ICMP errors, TLS
// alerts, malformed packets), one line per kind with its count and first
// packets, gravest first; --json for one object.
#include "expert_command.h"

#include "capture_reader.h"
#include "expert_info.h"
#include "record_filter.h"

#include <iostream>

namespace underhood {
namespace {

constexpr const char* kExpertUsage =
    "usage: underhood-cli expert [--json] [-Y FILTER] FILE|-\n\n"
    "Lists the expert information of FILE by severity (Error, Warning, Note,\n"
    "Chat) and kind, with the number of packets and their numbers.\n"
    "  --json      one JSON object: {\"entries\": [{\"severity\", \"group\",\n"
    "              \"protocol\", \"summary\", \"count\", \"packets\"}]}\n"
    "  -Y FILTER   only packets a display filter passes\n";

std::string json_text(const std::string& s)
{
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
            out += buf;
            continue;
        }
        out += c;
    }
    return out + '"';
}

} // namespace

int run_expert(const std::vector<std::string>& args)
{
    bool json = false;
    std::string filter, file;
    bool have_file = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << kExpertUsage;
            return 0;
        } else if (a == "--json") {
            json = true;
        } else if (a == "-Y" && i + 1 < args.size()) {
            filter = args[++i];
        } else if (a.size() > 1 && a[0] == '-') {
            std::cerr << "underhood-cli expert: unknown option '" << a << "'\n" << kExpertUsage;
            return 2;
        } else if (have_file) {
            std::cerr << "underhood-cli expert: only one capture file at a time\n";
            return 2;
        } else {
            file = a;
            have_file = true;
        }
    }
    if (!have_file) {
        std::cerr << "underhood-cli expert: needs a capture file (or - for standard input)\n" << kExpertUsage;
        return 2;
    }
    std::string error;
    RecordFilter rf;
    if (!rf.compile(filter, error)) {
        std::cerr << "underhood-cli expert: bad filter: " << error << '\n';
        return 2;
    }
    auto reader = CaptureReader::open_path(file, error);
    if (!reader) {
        std::cerr << "underhood-cli: " << error << '\n';
        return 1;
    }
    ExpertInfo expert;
    PacketRecord rec;
    CaptureReader::Status st;
    while ((st = reader->next(rec)) == CaptureReader::Status::Packet) {
        DecodedPacket dp;
        if (rf.decode_and_match(rec, dp, true))
            expert.add(rec.number, dp, rf.tree());
    }
    if (st == CaptureReader::Status::Error) {
        std::cerr << "underhood-cli: " << reader->error() << '\n';
        return 1;
    }
    const std::vector<ExpertInfo::Entry> entries = expert.entries();
    if (json) {
        std::cout << "{\"entries\": [";
        for (size_t i = 0; i < entries.size(); ++i) {
            const ExpertInfo::Entry& e = entries[i];
            std::cout << (i ? ",\n  " : "\n  ") << "{\"severity\": " << json_text(dissect::severity_name(e.severity))
                      << ", \"group\": " << json_text(e.group) << ", \"protocol\": " << json_text(e.protocol)
                      << ", \"summary\": " << json_text(e.summary) << ", \"count\": " << e.packets.size()
                      << ", \"packets\": [";
            for (size_t k = 0; k < e.packets.size(); ++k)
                std::cout << (k ? ", " : "") << e.packets[k];
            std::cout << "]}";
        }
        std::cout << "\n]}\n";
    } else {
        for (Severity s : {Severity::Error, Severity::Warning, Severity::Note, Severity::Chat})
            std::cout << dissect::severity_name(s) << ": " << expert.count(s) << (s == Severity::Chat ? "\n" : ", ");
        for (const ExpertInfo::Entry& e : entries) {
            std::cout << dissect::severity_name(e.severity) << '\t' << e.group << '\t' << e.protocol << '\t'
                      << e.packets.size() << '\t' << e.summary << "\t[";
            for (size_t k = 0; k < e.packets.size() && k < 10; ++k)
                std::cout << (k ? " " : "") << e.packets[k];
            std::cout << (e.packets.size() > 10 ? " ...]" : "]") << '\n';
        }
    }
    for (const std::string& w : reader->warnings())
        std::cerr << "underhood-cli: warning: " << file << ": " << w << '\n';
    std::cout.flush();
    return std::cout.good() ? 0 : 1;
}

} // namespace underhood
