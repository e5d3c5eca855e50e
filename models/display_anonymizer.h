// The app's View > Anonymise: the same pseudonyms as underhood-cli
// anonymize (models/anonymize.h), applied where text is made for the screen
// and never to the stored packets.
//
// A view that shows a packet's own text (the packet list's columns, the
// details tree) dissects the packet as rewrite() leaves it, the bytes the
// exported file holds, so the screen and the file say the same. Views built
// from the aggregates (graph, hosts, conversations, tooltips) map their
// addresses and names with ip(), mac(), name() and endpoint(); text() is the
// last pass over any text on its way to the screen: every IPv4, IPv6 and MAC
// address in it (an image already made is left as it is, and so is the
// address inside a sip: URI or an FTP PORT/227 "h1,h2,h3,h4,p1,p2"), every
// name the capture is known to carry (learn()) and every name as the
// rewritten packets spell it is replaced.
//
// On screen a host name is one whole pseudonym, "host-7.example" (the
// number from the key and the name), the same wherever it shows; the
// exported file keeps the label-by-label pseudonyms of the same length
// (models/anonymize.h), which its DNS messages need to stay valid.
//
// One object per open capture (its key), shared by the views and the
// export, which therefore agree even where the mapping depends on order
// (two short labels that would clash). Every call locks: the graph builds
// its scenes and the export writes on other threads. No Qt here.
#pragma once

#include "anonymize.h"
#include "bytes.h"
#include "packet_anonymizer.h"

#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace underhood {

class DisplayAnonymizer {
public:
    DisplayAnonymizer(const Anonymizer::Key& key, bool keep_vendor);

    const Anonymizer::Key& key() const { return key_; }
    bool keep_vendor() const { return keep_vendor_; }

    // The packet as the exported file has it (payloads kept); the names it
    // carries (DNS answers, DHCP host names, SNI, HTTP Host) are learnt.
    std::vector<uint8_t> rewrite(uint32_t link_type, Bytes data, uint32_t origlen);

    IpAddress ip(const IpAddress& a);
    MacAddress mac(const MacAddress& m);
    // A name as the screen shows it: "host-7.example"; a name made only of
    // labels that name no one (_tcp, local, arpa, ...) stays, and so does a
    // pseudonym.
    std::string name(std::string_view name);
    // A sensor's name ("HOST/IFACE", "HOST:PORT", "[V6]:PORT"): the host
    // mapped as an address or a name, the interface or port kept; a bare
    // interface name ("eth0") stays, a file's path is cut to its file name.
    std::string sensor(std::string_view sensor);
    // A file's name for the window title: every address in it and every
    // name the capture revealed (or the name's first label, "alice-laptop"
    // of "alice-laptop.lan") replaced; the rest is the user's own wording.
    std::string file_name(std::string_view file);
    // An interface description block for the anonymised file: its name as
    // sensor() maps it but in the file's scheme, no description (free text
    // that may name the machine), the MAC mapped.
    // The block refers to `name` for its name.
    PcapngInterfaceInfo interface_info(const CaptureInterface& itf, std::string& name);
    // An endpoint's image (address mapped, port kept).
    Endpoint endpoint(const Endpoint& e);
    // The vendor to show for a host's MAC: kept with --keep-vendor's choice, else none.
    std::string vendor(const std::string& vendor) const { return keep_vendor_ ? vendor : std::string(); }

    // The other way: a text typed with the pseudonyms on screen (a display
    // filter) with each address, MAC and name label this mapping made put
    // back to its original; everything else as it is.
    std::string original(std::string_view text);
    // Names to replace wherever text() meets them.
    void learn(std::string_view name);
    std::string text(std::string_view text);

private:
    std::string name_locked(std::string_view name);
    void learn_locked(std::string_view name);
    // The original of a name as the rewritten packets spell it (labels made
    // by the file's scheme), or empty.
    std::string image_original(std::string_view name) const;

    Anonymizer::Key key_;
    bool keep_vendor_;
    std::mutex mutex_;
    Anonymizer anon_;
    PacketAnonymizer rewriter_;
    std::set<std::string, std::less<>> names_;  // names learnt, lower case, no final dot
    std::set<std::string, std::less<>> bare_names_; // one-label names learnt (DHCP host names)
};

} // namespace underhood
