// underhood-cli: the same statistics as the desktop app, headless.
#include "capture_reader.h"
#include "packet_decoder.h"
#include "stats_report.h"
#include "traffic_model.h"

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

using namespace underhood;

namespace {

constexpr const char* kUsage =
    "usage: underhood-cli stats [--json] [--layer ip|ether|port] FILE|-\n"
    "       underhood-cli --help | --version\n";

constexpr const char* kHelp =
    "underhood-cli prints what a pcap or pcapng capture holds: totals, hosts,\n"
    "conversations and the protocol hierarchy.\n\n"
    "  stats FILE        read FILE (\"-\" for standard input) and print tables\n"
    "  --json            print one JSON object instead of tables\n"
    "  --layer L         key hosts and conversations by ip (outermost IPv4/IPv6,\n"
    "                    the default), ether (MAC addresses) or port (address:port)\n"
    "  --top N           rows per table in text output (default 20)\n\n"
    "Exit status: 0 ok, 1 unreadable or unrecognised input, 2 usage error.\n";

int usage_error(const std::string& msg)
{
    std::cerr << "underhood-cli: " << msg << '\n' << kUsage;
    return 2;
}

int run_stats(const std::vector<std::string>& args)
{
    bool json = false;
    Layer layer = Layer::Ip;
    size_t top = 20;
    std::string file;
    bool have_file = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--json") {
            json = true;
        } else if (a == "--layer" || a.rfind("--layer=", 0) == 0) {
            std::string v;
            if (a == "--layer") {
                if (i + 1 >= args.size())
                    return usage_error("--layer needs a value: ip, ether or port");
                v = args[++i];
            } else {
                v = a.substr(8);
            }
            if (!parse_layer(v, layer))
                return usage_error("unknown layer '" + v + "' (expected ip, ether or port)");
        } else if (a == "--top") {
            if (i + 1 >= args.size())
                return usage_error("--top needs a number");
            try {
                top = std::stoul(args[++i]);
            } catch (...) {
                return usage_error("--top needs a number");
            }
        } else if (a.size() > 1 && a[0] == '-' && a != "-") {
            return usage_error("unknown option '" + a + "'");
        } else if (have_file) {
            return usage_error("only one capture file at a time");
        } else {
            file = a;
            have_file = true;
        }
    }
    if (!have_file)
        return usage_error("stats needs a capture file (or - for standard input)");

    std::string error;
    auto reader = CaptureReader::open_path(file, error);
    if (!reader) {
        std::cerr << "underhood-cli: " << error << '\n';
        return 1;
    }
    if (auto* mapped = dynamic_cast<MappedFileInput*>(&reader->input()))
        mapped->set_release_behind(true);

    TrafficModelOptions opts;
    opts.layers = {false, false, false};
    opts.layers[size_t(layer)] = true;
    opts.throughput = false;
    TrafficModel model(opts);
    PacketRecord rec;
    DecodedPacket dp;
    std::vector<uint64_t> unsupported_packets;
    CaptureReader::Status st;
    while ((st = reader->next(rec)) == CaptureReader::Status::Packet) {
        decode_packet(rec.link_type, rec.data, rec.origlen, dp);
        model.add(rec, dp);
    }
    if (st == CaptureReader::Status::Error) {
        std::cerr << "underhood-cli: " << reader->error() << '\n';
        return 1;
    }
    StatsInput in;
    in.file = file;
    in.reader = reader.get();
    in.model = &model;
    in.layer = layer;
    in.warnings = reader->warnings();
    for (const auto& [lt, unused] : model.link_types()) {
        (void)unused;
        if (!link_type_supported(lt))
            in.warnings.push_back("link type " + std::to_string(lt) + " (" + link_type_name(lt) +
                                  ") is not decoded: its packets count in the totals only");
    }
    for (const std::string& w : reader->warnings())
        std::cerr << "underhood-cli: warning: " << file << ": " << w << '\n';
    if (json)
        write_stats_json(std::cout, in);
    else
        write_stats_text(std::cout, in, top);
    std::cout.flush();
    return std::cout.good() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    std::ios::sync_with_stdio(false);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty())
        return usage_error("no command given");
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << kUsage << '\n' << kHelp;
        return 0;
    }
    if (args[0] == "--version") {
        std::cout << "underhood-cli " UNDERHOOD_VERSION "\n";
        return 0;
    }
    if (args[0] == "stats")
        return run_stats({args.begin() + 1, args.end()});
    return usage_error("unknown command '" + args[0] + "'");
}
