// underhood-cli anonymize: reads a capture and writes it again as pcapng
// with every address and name the engine finds replaced by a keyed
// pseudonym (models/anonymize.h, models/packet_anonymizer.h). Timestamps,
// lengths on the wire and packet comments stay; so does the key's mapping,
// so a class given the same key sees the same pseudonyms in every file.
#include "anonymize_command.h"

#include "anonymize.h"
#include "capture_reader.h"
#include "packet_anonymizer.h"
#include "pcapng_writer.h"

#include <cstdio>
#include <iostream>
#include <optional>

namespace underhood {
namespace {

constexpr const char* kAnonymizeUsage =
    "usage: underhood-cli anonymize IN OUT [--key KEY] [--keep-vendor] [--payload keep|zero|drop]\n\n"
    "Writes IN (pcap or pcapng, \"-\" for standard input) to OUT as pcapng (\"-\"\n"
    "for standard output) with its addresses and names replaced:\n"
    "IPv4 and IPv6 prefix-preserving (addresses that share n leading bits still\n"
    "share exactly n), MAC addresses, and DNS, mDNS, LLMNR and DHCP names (each\n"
    "label by a pseudonym of the same length), in Ethernet, ARP, IP and tunnels'\n"
    "inner headers, ICMP, DNS and DHCP. Checksums are updated; timestamps and\n"
    "packet comments are kept. The same KEY gives the same pseudonyms.\n"
    "  --key KEY        64 hex digits, or a passphrase; without it a random key\n"
    "                   is made and printed on standard error\n"
    "  --keep-vendor    keep the vendor part (first three bytes) of MAC addresses\n"
    "  --payload MODE   TCP and UDP payloads other than DNS and DHCP: keep them\n"
    "                   (the default: names in HTTP, TLS and others stay), zero\n"
    "                   them, or drop them (the packet ends after the transport\n"
    "                   header; its length on the wire stays)\n";

int usage(const std::string& msg)
{
    std::cerr << "underhood-cli anonymize: " << msg << "\n" << kAnonymizeUsage;
    return 2;
}

int fail(const std::string& msg)
{
    std::cerr << "underhood-cli anonymize: " << msg << '\n';
    return 1;
}

} // namespace

int run_anonymize(const std::vector<std::string>& args)
{
    std::vector<std::string> files;
    std::optional<std::string> key_text;
    bool keep_vendor = false;
    PacketAnonymizer::Payload payload = PacketAnonymizer::Payload::Keep;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << kAnonymizeUsage;
            return 0;
        }
        if (a == "--key" || a == "--payload") {
            if (i + 1 >= args.size())
                return usage(a + " needs a value");
            const std::string& v = args[++i];
            if (a == "--key") {
                if (v.empty())
                    return usage("--key needs a non-empty key");
                key_text = v;
            } else if (v == "keep") {
                payload = PacketAnonymizer::Payload::Keep;
            } else if (v == "zero") {
                payload = PacketAnonymizer::Payload::Zero;
            } else if (v == "drop") {
                payload = PacketAnonymizer::Payload::Drop;
            } else {
                return usage("unknown payload mode '" + v + "' (expected keep, zero or drop)");
            }
            continue;
        }
        if (a == "--keep-vendor") {
            keep_vendor = true;
            continue;
        }
        if (a.size() > 1 && a[0] == '-')
            return usage("unknown option '" + a + "'");
        files.push_back(a);
    }
    if (files.size() != 2)
        return usage(files.size() < 2 ? "anonymize needs an input and an output file" : "too many files");
    const std::string& in = files[0];
    const std::string& out = files[1];
    if (in == out && in != "-")
        return usage("the output must not be the input");

    Anonymizer::Key key{};
    if (key_text) {
        Anonymizer::parse_key(*key_text, key);
    } else {
        try {
            key = Anonymizer::random_key();
        } catch (const std::exception& e) {
            return fail(e.what());
        }
        // Without it nobody could map a second file the same way.
        std::cerr << "underhood-cli anonymize: key " << Anonymizer::key_hex(key)
                  << " (pass it with --key to map other files the same way)\n";
    }

    std::string error;
    auto reader = CaptureReader::open_path(in, error);
    if (!reader)
        return fail(error);

    // Written beside the output and renamed at the end, so a failed run
    // leaves no half file under the name asked for.
    const bool to_stdout = out == "-";
    const std::string part = out + ".part";
    std::optional<PcapngWriter> writer;
    if (to_stdout)
        writer.emplace(stdout);
    else
        writer.emplace(PcapngWriter::create(part));
    auto write_failed = [&] {
        const std::string why = writer->error();
        writer->close();
        if (!to_stdout)
            std::remove(part.c_str());
        return fail("cannot write " + out + ": " + why);
    };
    if (!writer->ok())
        return write_failed();

    Anonymizer anonymizer(key, keep_vendor);
    PacketAnonymizer rewriter(anonymizer, payload);

    PcapngSectionInfo shb;
    shb.user_appl = "Underhood (anonymized)";
    const std::string section_comment =
        reader->section_comments().empty() ? std::string() : reader->section_comments().front();
    shb.comment = section_comment;
    if (!writer->write_section_header(shb))
        return write_failed();

    size_t interfaces_written = 0;
    auto write_interfaces = [&](size_t upto) {
        const auto& itfs = reader->interfaces();
        for (; interfaces_written < upto && interfaces_written < itfs.size(); ++interfaces_written) {
            std::string name;
            const PcapngInterfaceInfo idb = anonymised_interface(itfs[interfaces_written], anonymizer, name);
            if (!writer->write_interface(idb))
                return false;
        }
        return true;
    };

    PacketRecord rec;
    CaptureReader::Status st;
    while ((st = reader->next(rec)) == CaptureReader::Status::Packet) {
        if (!write_interfaces(size_t(rec.interface_id) + 1))
            return write_failed();
        const std::vector<uint8_t> bytes = rewriter.rewrite(rec.link_type, rec.data, rec.origlen);
        PcapngPacket pk;
        pk.interface_id = rec.interface_id;
        pk.ts_ns = uint64_t(rec.ts_ns);
        pk.data = {bytes.data(), bytes.size()};
        pk.origlen = std::max<uint32_t>(rec.origlen, uint32_t(rec.data.size()));
        pk.comment = rec.comment;
        if (!writer->write_packet(pk))
            return write_failed();
    }
    if (st == CaptureReader::Status::Error) {
        writer->close();
        if (!to_stdout)
            std::remove(part.c_str());
        return fail(reader->error());
    }
    // A capture of no packets still describes its interfaces.
    if (!write_interfaces(reader->interfaces().size()) || !writer->close())
        return write_failed();
    if (!to_stdout && std::rename(part.c_str(), out.c_str()) != 0) {
        std::remove(part.c_str());
        return fail("cannot rename " + part + " to " + out);
    }
    for (const std::string& w : reader->warnings())
        std::cerr << "underhood-cli: warning: " << in << ": " << w << '\n';
    return 0;
}

} // namespace underhood
