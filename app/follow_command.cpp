// underhood-cli follow: the payload of one TCP stream (reassembled in
// sequence order, each byte once) or UDP stream, in the layout of
// `tshark -q -z follow,tcp|udp,raw|ascii|hex,STREAM`, so the two can be
// compared line by line.
#include "follow_command.h"

#include "capture_reader.h"
#include "follow_stream.h"

#include <charconv>
#include <iostream>

namespace underhood {
namespace {

constexpr const char* kFollowUsage =
    "usage: underhood-cli follow tcp|udp STREAM FILE|- [--format raw|ascii|hex]\n\n"
    "Prints the payload of one stream, numbered as Wireshark's tcp.stream and\n"
    "udp.stream are (from 0, in order of each conversation's first packet), in\n"
    "the layout of tshark -q -z follow,tcp,FORMAT,STREAM. TCP is put back in\n"
    "sequence order for each direction: retransmitted bytes come once, a hole\n"
    "the receiver acknowledged reads \"[N bytes missing in capture file]\".\n"
    "Lines from the server (the end that did not send the first packet) start\n"
    "with a tab.\n"
    "  --format raw    hex, one line per segment (the default)\n"
    "  --format ascii  length, then the bytes with non-printing ones as '.'\n"
    "  --format hex    a hex dump per segment, offsets counted per direction\n";

int usage(const std::string& msg)
{
    std::cerr << "underhood-cli follow: " << msg << "\n" << kFollowUsage;
    return 2;
}

} // namespace

int run_follow(const std::vector<std::string>& args)
{
    std::vector<std::string> positional;
    std::string format = "raw";
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << kFollowUsage;
            return 0;
        }
        if (a == "--format" || a.rfind("--format=", 0) == 0) {
            if (a == "--format") {
                if (i + 1 >= args.size())
                    return usage("--format needs raw, ascii or hex");
                format = args[++i];
            } else {
                format = a.substr(9);
            }
            if (format != "raw" && format != "ascii" && format != "hex")
                return usage("unknown format '" + format + "' (expected raw, ascii or hex)");
            continue;
        }
        if (a.size() > 1 && a[0] == '-')
            return usage("unknown option '" + a + "'");
        positional.push_back(a);
    }
    if (positional.size() != 3)
        return usage("follow needs a protocol, a stream number and a capture file");
    FollowProtocol proto;
    if (positional[0] == "tcp")
        proto = FollowProtocol::Tcp;
    else if (positional[0] == "udp")
        proto = FollowProtocol::Udp;
    else
        return usage("unknown protocol '" + positional[0] + "' (expected tcp or udp)");
    uint32_t stream = 0;
    const std::string& s = positional[1];
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), stream);
    if (ec != std::errc() || end != s.data() + s.size())
        return usage("the stream is a number (tcp.stream or udp.stream), not '" + s + "'");
    const std::string& file = positional[2];

    std::string error;
    auto reader = CaptureReader::open_path(file, error);
    if (!reader) {
        std::cerr << "underhood-cli: " << error << '\n';
        return 1;
    }
    StreamFollower follower(proto, stream);
    const bool read = follow_capture(*reader, follower, error);
    for (const std::string& w : reader->warnings())
        std::cerr << "underhood-cli: warning: " << file << ": " << w << '\n';
    if (!read) {
        std::cerr << "underhood-cli: " << error << '\n';
        return 1;
    }
    if (!follower.found()) {
        std::cerr << "underhood-cli follow: " << file << " has no " << positional[0] << " stream " << stream << '\n';
        return 1;
    }
    std::cout << format_follow_header(follower, format) << format_follow(follower.chunks(), format)
              << follow_footer();
    std::cout.flush();
    return std::cout.good() ? 0 : 1;
}

} // namespace underhood
