// Rewrites captured packets with an Anonymizer's pseudonyms, on top of the
// protocol engine: the engine's field tree says where each address lies, so
// every header the engine decodes is covered, tunnels' inner headers and
// the datagrams ICMP errors quote included.
//
// Rewritten: every MAC and IP address field of the tree (Ethernet, Linux
// cooked, 802.11, ARP, IPv4, IPv6, DHCP, DNS A/AAAA, ICMP and ICMPv6
// addresses, IGMP groups, ...), ICMPv6 neighbour-discovery link-layer
// options, NHRP's NBMA, protocol and client addresses (IPv6 ones too) and
// the packet an indication carries, DNS/mDNS/LLMNR names (every label in
// place, with a pseudonym of the same length, so compression pointers and
// lengths stay valid), and DHCP host names, domain names, client FQDNs and
// search lists; NetBIOS over UDP, which the engine names by port only, is
// read here: name service names (first-level encoded, the 15 characters
// replaced by a HOST-N pseudonym, the suffix kept), NB and A addresses,
// NBSTAT names and MAC; datagram service source addresses and names and the
// browser announcements' names (a host's comment blanked). Masks and
// constants that only look like addresses (DHCP's magic cookie and subnet
// mask, OSPF's area) stay. NHRP authentication data (a password in the
// clear) is zeroed.
//
// Checksums (IPv4 header, TCP, UDP, ICMP, ICMPv6, IGMP, GRE, OSPF, PIM,
// VRRP, NHRP) are updated by the difference the rewrite made (RFC 1624), so a
// checksum that was right stays right, one that was wrong (offloading)
// stays as wrong, and a packet cut short by its snaplen keeps a checksum
// true to its whole original.
//
// The application payload of TCP and UDP that the rewriter does not
// understand (anything but DNS, mDNS, LLMNR, DHCP and NetBIOS over UDP) is
// kept, zeroed, or cut off after the transport header (the captured length
// shrinks, the original length stays). In the zero and drop modes, DNS TXT
// and HINFO records, DHCP's server and boot-file names and the data of a
// NetBIOS datagram to a mailslot other than the browser's are zeroed too.
#pragma once

#include "anonymize.h"
#include "capture_reader.h"
#include "pcapng_writer.h"
#include "bytes.h"
#include "dissect/field.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace underhood {

class PacketAnonymizer {
public:
    enum class Payload { Keep, Zero, Drop };

    PacketAnonymizer(Anonymizer& anonymizer, Payload payload);

    // The packet's bytes rewritten (possibly fewer of them with Drop).
    std::vector<uint8_t> rewrite(uint32_t link_type, Bytes data, uint32_t origlen);

    struct Counts {
        uint64_t packets = 0, addresses = 0, labels = 0, checksums = 0, payload_bytes = 0;
    };
    const Counts& counts() const { return counts_; }

private:
    struct Fields;
    Anonymizer& anon_;
    Payload payload_;
    Counts counts_;
};

// An interface's description for an anonymised file (underhood-cli
// anonymize, File > Export Anonymised): link type, snap length, OS and speed
// as they were; the name with its host mapped (a merged capture names its
// interfaces "10.0.0.3/veth1" or "sensor1.lan:57012"); no description,
// hardware or health text, free text that may name the machine; the MAC
// mapped like the packets'. The block refers to `name` for its name: keep
// it while the block is used.
PcapngInterfaceInfo anonymised_interface(const CaptureInterface& itf, Anonymizer& anonymizer, std::string& name);

// A sensor's or interface's name ("HOST/IFACE", "HOST:PORT", "[V6]:PORT")
// with its host replaced by `map_host` (given the host's text: an address
// or a name); a bare interface name ("eth0", "any") stays; a file's path
// becomes its file name.
std::string anonymised_sensor_name(std::string_view name, const std::function<std::string(std::string_view)>& map_host);

} // namespace underhood
