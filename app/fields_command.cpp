// underhood-cli fields: one line per packet with the values of the fields
// asked for, tab-separated, formatted as `tshark -T fields -E separator=/t
// -E occurrence=f` prints them (the first occurrence; empty when absent).
#include "fields_command.h"

#include "capture_reader.h"
#include "dissect/engine.h"
#include "live_capture.h"
#include "record_filter.h"

#include <iostream>

namespace underhood {
namespace {

constexpr const char* kFieldsUsage =
    "usage: underhood-cli fields [-Y FILTER] [-c N] [--duration S] -e FIELD [-e FIELD]...\n"
    "                            FILE|-|-i SOURCE...\n"
    "       underhood-cli fields --list\n\n"
    "Prints one line per packet: the first value of each FIELD, tab-separated,\n"
    "as tshark -T fields prints it (empty when the packet has none). Fields\n"
    "are named as in Wireshark (ip.src, tcp.port, dns.qry.name); --list shows them.\n"
    "  -Y FILTER   only packets the display filter matches: Wireshark's syntax\n"
    "              (ip.addr == 10.0.0.1 && tcp.port in {80, 443}) or BPF (host 10.0.0.1)\n"
    "  -i SOURCE   capture live (repeat to merge several in time stamp order): an\n"
    "              interface, ssh://[USER@]HOST[:PORT]/IFACE or pcap-over-ip://HOST:PORT\n"
    "  -c N, --duration S   stop after N packets or S seconds\n";

int usage(const std::string& msg)
{
    std::cerr << "underhood-cli fields: " << msg << "\n" << kFieldsUsage;
    return 2;
}

// A requested field: one id, or the two an "either end" alias stands for.
struct Column {
    dissect::FieldId a = dissect::kNoField, b = dissect::kNoField;
    const dissect::FieldInfo* info = nullptr;
};

} // namespace

int run_fields(const std::vector<std::string>& args)
{
    using namespace dissect;
    std::vector<std::string> names;
    std::string filter, file;
    InputArgs input_args;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string input_error;
        if (const int taken = take_input_option(args, i, input_args, input_error)) {
            if (taken < 0)
                return usage(input_error);
            continue;
        }
        if (a == "--help" || a == "-h") {
            std::cout << kFieldsUsage;
            return 0;
        }
        if (a == "--list") {
            for (FieldId f = 0; f < field_count(); ++f)
                std::cout << field_info(f).abbrev << '\t' << field_info(f).name << '\n';
            return 0;
        }
        if (a == "-e" || a == "-Y") {
            if (i + 1 >= args.size())
                return usage(a + " needs a value");
            (a == "-e" ? names.emplace_back() : filter) = args[++i];
            continue;
        }
        if (a.size() > 1 && a[0] == '-')
            return usage("unknown option '" + a + "'");
        if (!file.empty())
            return usage("only one capture file at a time");
        file = a;
    }
    if (names.empty())
        return usage("name at least one field with -e");
    if (file.empty() && input_args.sources.empty())
        return usage("fields needs a capture file (or - for standard input, or -i SOURCE)");
    if (!file.empty() && !input_args.sources.empty())
        return usage("a capture file or -i sources, not both");
    input_args.file = file;

    std::vector<Column> columns;
    for (const std::string& n : names) {
        Column c;
        c.a = field_by_name(n);
        if (c.a == kNoField) {
            const std::string near = closest_field(n);
            std::cerr << "underhood-cli fields: unknown field '" << n << "'"
                      << (near.empty() ? std::string() : "; did you mean '" + near + "'?") << '\n';
            return 2;
        }
        c.info = &field_info(c.a);
        if (!c.info->alias_of_1.empty()) {
            c.a = field_by_name(c.info->alias_of_1);
            c.b = field_by_name(c.info->alias_of_2);
        }
        columns.push_back(c);
    }

    std::string error;
    RecordFilter rf;
    if (!rf.compile(filter, error)) {
        std::cerr << "underhood-cli fields: bad filter: " << error << '\n';
        return 2;
    }
    CaptureInputs inputs;
    if (!inputs.open(input_args, error)) {
        std::cerr << "underhood-cli: " << error << '\n';
        return 1;
    }
    // A file's interfaces are read on this thread; live sources add theirs on their own.
    if (!inputs.live() && inputs.reader().format() != CaptureFormat::Pcap)
        rf.set_interfaces(&inputs.interfaces());

    PacketRecord rec;
    std::string line;
    CaptureReader::Status st;
    while ((st = inputs.next(rec)) == CaptureReader::Status::Packet) {
        DecodedPacket summary;
        if (!rf.decode_and_match(rec, summary, true))
            continue;
        const FieldTree& tree = rf.tree();
        line.clear();
        for (size_t i = 0; i < columns.size(); ++i) {
            if (i)
                line += '\t';
            const Column& c = columns[i];
            for (const FieldItem& item : tree.items)
                if (item.field == c.a || (c.b != kNoField && item.field == c.b)) {
                    line += format_value(field_info(item.field), item.value);
                    break;
                }
        }
        line += '\n';
        std::cout << line;
        if (inputs.live())
            std::cout.flush(); // a reader at the other end of a pipe sees each packet as it comes
    }
    if (const std::string why = inputs.error(); !why.empty()) {
        std::cerr << "underhood-cli: " << why << '\n';
        return 1;
    }
    std::vector<std::string> warnings = inputs.warnings();
    for (const SensorReport& r : inputs.sensors()) {
        if (!r.error.empty())
            warnings.push_back(r.name + ": " + r.error);
        else if (inputs.merged())
            std::cerr << "underhood-cli: " << r.name << ": " << r.packets << " packets\n";
    }
    for (const std::string& w : warnings)
        std::cerr << "underhood-cli: warning: " << inputs.name() << ": " << w << '\n';
    std::cout.flush();
    return std::cout.good() ? 0 : 1;
}

} // namespace underhood
