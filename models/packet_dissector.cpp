#include "packet_dissector.h"

#include "wire_constants.h"

#include "address.h"
#include "name_table.h"
#include "packet_decoder.h"
#include "protocols.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <string_view>
#include <utility>

namespace underhood {

int Dissection::parent(int index) const
{
    if (index < 0 || size_t(index) >= fields.size())
        return -1;
    const uint16_t depth = fields[size_t(index)].depth;
    for (int i = index - 1; i >= 0; --i)
        if (fields[size_t(i)].depth < depth)
            return i;
    return -1;
}

int Dissection::field_at(uint32_t byte) const
{
    int best = -1;
    for (size_t i = 0; i < fields.size(); ++i) {
        const DissectedField& f = fields[i];
        if (!f.covers(byte) || f.bits)
            continue;
        if (best < 0 || f.depth > fields[size_t(best)].depth ||
            (f.depth == fields[size_t(best)].depth && f.length < fields[size_t(best)].length))
            best = int(i);
    }
    return best;
}

namespace {

// ---------------------------------------------------------------- text

std::string strf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string strf(const char* fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return {};
    if (size_t(n) < sizeof buf)
        return std::string(buf, size_t(n));
    std::string s(size_t(n), '\0');
    va_start(ap, fmt);
    std::vsnprintf(s.data(), s.size() + 1, fmt, ap);
    va_end(ap);
    return s;
}

constexpr const char* kEllipsis = "\u2026";

// "0a1b2c…": at most `max` bytes.
std::string hex_text(const uint8_t* p, size_t n, size_t max = 24)
{
    static const char kDigits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n && i < max; ++i) {
        s += kDigits[p[i] >> 4];
        s += kDigits[p[i] & 15];
    }
    if (n > max)
        s += kEllipsis;
    return s;
}

// Text as it is on the wire: printable ASCII kept, anything else escaped.
std::string printable_text(const uint8_t* p, size_t n, size_t max = 200)
{
    std::string s;
    for (size_t i = 0; i < n && i < max; ++i) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7F && c != '\\')
            s += char(c);
        else if (c == '\r')
            s += "\\r";
        else if (c == '\n')
            s += "\\n";
        else
            s += strf("\\x%02x", c);
    }
    if (n > max)
        s += kEllipsis;
    return s;
}

std::string mac_text(const uint8_t* p)
{
    MacAddress m;
    std::memcpy(m.bytes.data(), p, 6);
    return m.to_string();
}

// For the address columns, as Wireshark names the all-ones address.
std::string mac_column(const uint8_t* p)
{
    static const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    return std::memcmp(p, kBroadcast, 6) == 0 ? std::string("Broadcast") : mac_text(p);
}

std::string ipv4_text(const uint8_t* p)
{
    return IpAddress::v4(p).to_string();
}
std::string ipv6_text(const uint8_t* p)
{
    return IpAddress::v6(p).to_string();
}

// Wireshark's bit pictures: "..10 0..." for the bits `mask` selects of a `width`-bit value.
std::string bit_label(uint32_t value, int width, uint32_t mask, const std::string& rest)
{
    std::string s;
    for (int i = width - 1; i >= 0; --i) {
        s += (mask >> i & 1) ? ((value >> i & 1) ? '1' : '0') : '.';
        if (i && i % 4 == 0)
            s += ' ';
    }
    return s + " = " + rest;
}

std::string bit_flag(uint32_t value, int width, uint32_t mask, const char* name)
{
    return bit_label(value, width, mask, std::string(name) + ((value & mask) ? ": Set" : ": Not set"));
}

// The packet list's protocol column for a protocol the decoder names.
std::string column_name(Proto p)
{
    switch (p) {
    case Proto::Ipv4: return "IPv4";
    case Proto::Ipv6: return "IPv6";
    case Proto::Icmpv6: return "ICMPv6";
    case Proto::Dhcpv6: return "DHCPv6";
    case Proto::Syslog: return "Syslog";
    case Proto::Bootp6x: return "DHCPFO";
    case Proto::Openvpn: return "OpenVPN";
    case Proto::Wireguard: return "WireGuard";
    case Proto::Mysql: return "MySQL";
    case Proto::Kerberos: return "KRB5";
    case Proto::Netbios: return "NetBIOS";
    case Proto::Data: return "Data";
    default: break;
    }
    std::string s(proto_name(p));
    for (char& c : s)
        if (c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
    return s;
}

// ---------------------------------------------------------------- names

using namespace wire;


const char* link_type_name(uint32_t lt)
{
    switch (lt) {
    case kLinkNull: return "NULL/Loopback";
    case kLinkEthernet: return "Ethernet";
    case kLinkPpp: return "PPP";
    case kLinkPppHdlc: return "PPP in HDLC-like framing";
    case kLinkPppEther: return "PPPoE";
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawBsdOs: return "Raw IP";
    case kLinkCiscoHdlc: return "Cisco HDLC";
    case kLinkIeee80211: return "IEEE 802.11 Wireless LAN";
    case kLinkLoop: return "OpenBSD loopback";
    case kLinkSll: return "Linux cooked-mode capture v1";
    case kLinkRadiotap: return "IEEE 802.11 plus radiotap header";
    case kLinkIpv4: return "Raw IPv4";
    case kLinkIpv6: return "Raw IPv6";
    case kLinkSll2: return "Linux cooked-mode capture v2";
    default: return "Unknown";
    }
}

const char* ethertype_name(uint16_t t)
{
    switch (t) {
    case kEtherIpv4: return "IPv4";
    case kEtherArp: return "ARP";
    case 0x8035: return "RARP";
    case kEtherTeb: return "Transparent Ethernet bridging";
    case kEtherVlan: return "802.1Q Virtual LAN";
    case kEtherIpv6: return "IPv6";
    case kEtherPppDisc: return "PPPoE Discovery";
    case kEtherPppSess: return "PPPoE Session";
    case kEtherMpls: return "MPLS label switched packet";
    case kEtherMplsMc: return "MPLS multicast label switched packet";
    case kEtherQinQ: return "802.1ad Provider Bridge (Q-in-Q)";
    case kEtherErspan2: return "ERSPAN";
    case kEtherErspan3: return "ERSPAN Type III";
    case kEtherLldp: return "802.1 Link Layer Discovery Protocol (LLDP)";
    case kEtherQinQOld: return "QinQ: old non-standard 802.1ad";
    case kEtherPpp: return "PPP";
    case 0x888E: return "802.1X Authentication";
    case 0x88F7: return "PTPv2 over Ethernet (IEEE1588)";
    case 0x8809: return "Slow Protocols";
    case 0x9000: return "Loopback";
    default: return "Unknown";
    }
}

const char* ip_proto_name(uint8_t p)
{
    switch (p) {
    case 0: return "IPv6 Hop-by-Hop Option";
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IPIP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 43: return "Routing Header for IPv6";
    case 44: return "Fragment Header for IPv6";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 59: return "IPv6 No Next Header";
    case 60: return "Destination Options for IPv6";
    case 89: return "OSPF IGP";
    case 103: return "PIM";
    case 112: return "VRRP";
    case 132: return "SCTP";
    case 135: return "Mobility Header for IPv6";
    case 136: return "UDPLite";
    default: return "Unknown";
    }
}

const char* dscp_name(uint8_t dscp)
{
    switch (dscp) {
    case 0: return "CS0";
    case 1: return "LE";
    case 8: return "CS1";
    case 10: return "AF11";
    case 12: return "AF12";
    case 14: return "AF13";
    case 16: return "CS2";
    case 18: return "AF21";
    case 20: return "AF22";
    case 22: return "AF23";
    case 24: return "CS3";
    case 26: return "AF31";
    case 28: return "AF32";
    case 30: return "AF33";
    case 32: return "CS4";
    case 34: return "AF41";
    case 36: return "AF42";
    case 38: return "AF43";
    case 40: return "CS5";
    case 44: return "VOICE-ADMIT";
    case 46: return "EF PHB";
    case 48: return "CS6";
    case 56: return "CS7";
    default: return "Unknown";
    }
}

const char* ecn_name(uint8_t ecn)
{
    static const char* const kNames[] = {"Not-ECT", "ECT(1)", "ECT(0)", "CE"};
    return kNames[ecn & 3];
}

// The DS byte of IPv4 and the traffic class of IPv6 (RFC 2474, RFC 3168).
std::string ds_text(uint8_t ds)
{
    return strf("0x%02x (DSCP: %s, ECN: %s)", ds, dscp_name(uint8_t(ds >> 2)), ecn_name(ds & 3));
}

// NTP timestamps (RFC 5905 6): seconds since 1900 and a 32-bit fraction.
std::string ntp_time_text(uint32_t seconds, uint32_t fraction)
{
    if (seconds == 0 && fraction == 0)
        return "(0)NULL";
    // Era 1 starts in 2036; a small value is later rather than before 1968.
    int64_t unix_seconds = int64_t(seconds) - 2208988800LL;
    if (!(seconds & 0x80000000u))
        unix_seconds += int64_t(1) << 32;
    time_t t = time_t(unix_seconds);
    struct tm tm { };
    if (!gmtime_r(&t, &tm))
        return strf("0x%08x.%08x", seconds, fraction);
    char date[64];
    std::strftime(date, sizeof date, "%b %e, %Y %H:%M:%S", &tm);
    uint32_t ns = uint32_t((uint64_t(fraction) * 1000000000u) >> 32);
    return strf("%s.%09u UTC", date, ns);
}

// ---------------------------------------------------------------- the dissector

// Walks a packet layer by layer like the decoder: each layer gets [off, end),
// where `end` is the limit of the enclosing length field, never beyond the
// captured bytes. Fields go into the tree at the depth of the open subtrees.
class Dissector {
public:
    Dissector(Bytes data, uint32_t origlen, Dissection& out)
        : d_(data.data()),
          n_(data.size()),
          wire_(origlen),
          missing_(origlen > data.size() ? origlen - data.size() : 0),
          out_(out)
    {
    }

    void run(uint32_t link_type);

private:
    static constexpr size_t kNone = std::numeric_limits<size_t>::max();
    static constexpr size_t kMaxFields = 20000;
    static constexpr int kMaxLayers = 48;

    // A field whose children are the fields added while it lives.
    class Subtree {
    public:
        Subtree(Dissector* d, size_t index) : d_(d), index_(index)
        {
            if (d_)
                d_->open_.push_back(index_);
        }
        Subtree(Subtree&& o) noexcept : d_(std::exchange(o.d_, nullptr)), index_(o.index_) { }
        Subtree(const Subtree&) = delete;
        Subtree& operator=(const Subtree&) = delete;
        Subtree& operator=(Subtree&&) = delete;
        ~Subtree()
        {
            if (d_)
                d_->open_.pop_back();
        }
        explicit operator bool() const { return d_ != nullptr; }
        size_t index() const { return index_; }

    private:
        Dissector* d_;
        size_t index_;
    };

    // ---- the tree
    size_t add(size_t off, size_t len, std::string label);
    // A field for some bits of its bytes ("..1. .... = Don't fragment: Set").
    size_t add_bits(size_t off, size_t len, std::string label)
    {
        size_t f = add(off, len, std::move(label));
        if (f < out_.fields.size())
            out_.fields[f].bits = true;
        return f;
    }
    Subtree open(size_t off, size_t len, std::string label) { return Subtree(this, add(off, len, std::move(label))); }
    // A protocol layer: a top-level subtree, refused when layers nest too deep.
    Subtree layer(size_t off, size_t len, std::string label);
    void relabel(size_t field, std::string label)
    {
        if (field < out_.fields.size())
            out_.fields[field].label = std::move(label);
    }
    void cover(size_t field, size_t off, size_t end); // the field now covers [off, end)
    void note(std::string label) { add(0, 0, std::move(label)); }

    // ---- bounds, with the decoder's meanings
    bool fits(size_t off, size_t len, size_t end, const char* what);
    size_t claim(size_t off, size_t claimed, size_t end, const char* what);
    void problem(uint8_t flag, const std::string& why, size_t off, size_t end);
    bool capture_cut(size_t end) const { return end == n_ && missing_ > 0; }

    // ---- the packet list columns; a datagram quoted in an ICMP error leaves them alone
    void set_protocol(std::string p)
    {
        if (!quoted_)
            out_.protocol = std::move(p);
    }
    void set_info(std::string i)
    {
        if (!quoted_)
            out_.info = std::move(i);
    }
    void set_addresses(std::string src, std::string dst)
    {
        if (!quoted_) {
            out_.source = std::move(src);
            out_.destination = std::move(dst);
        }
    }

    // ---- link layers
    void ethernet(size_t off, size_t end);
    void ethertype(uint16_t type, size_t off, size_t end);
    void vlan(uint16_t tpid, size_t off, size_t end);
    void llc(size_t off, size_t end);
    void stp(size_t off, size_t end);
    void lldp(size_t off, size_t end);
    void mpls(size_t off, size_t end);
    void ppp(size_t off, size_t end, bool hdlc_allowed);
    void ppp_control(uint16_t proto, size_t off, size_t end);
    void pppoe(size_t off, size_t end, bool session);
    void cisco_hdlc(size_t off, size_t end);
    void cooked(size_t off, size_t end, bool v2);
    void null_loop(size_t off, size_t end, bool network_order);
    void raw_ip(size_t off, size_t end);
    void radiotap(size_t off, size_t end);
    void radiotap_fields(size_t off, size_t len, bool& fcs);
    void ieee80211(size_t off, size_t end, bool has_fcs);
    void wlan_management(uint8_t subtype, size_t off, size_t end, std::string& ssid);

    // ---- network and transport
    void arp(size_t off, size_t end);
    void ipv4(size_t off, size_t end);
    void ipv4_options(size_t off, size_t end);
    void ipv6(size_t off, size_t end);
    void ip_payload(uint8_t proto, size_t off, size_t end);
    void icmp(size_t off, size_t end);
    void icmpv6(size_t off, size_t end);
    void icmpv6_options(size_t off, size_t end, std::string& link_address);
    void igmp(size_t off, size_t end);
    void esp(size_t off, size_t end);
    void ah(size_t off, size_t end);
    void routing_protocol(Proto p, size_t off, size_t end);
    void tcp(size_t off, size_t end);
    void tcp_options(size_t off, size_t end, std::string& summary);
    void udp(size_t off, size_t end);
    void sctp(size_t off, size_t end);
    void gre(size_t off, size_t end);
    void vxlan(size_t off, size_t end);

    // ---- application
    void tcp_application(uint16_t sp, uint16_t dp, size_t off, size_t end);
    void udp_application(uint16_t sp, uint16_t dp, size_t off, size_t end);
    void dns(Proto kind, size_t off, size_t end, bool over_tcp);
    bool dns_name(size_t msg, size_t pos, size_t end, std::string& name, size_t& next);
    bool dns_record(size_t msg, size_t& pos, size_t end, bool question, bool mdns, std::string& info);
    void dhcp(size_t off, size_t end);
    void dhcpv6(size_t off, size_t end);
    void ntp(size_t off, size_t end);
    void http(size_t off, size_t end);
    void text_protocol(Proto p, uint16_t port, size_t off, size_t end);
    void tls(size_t off, size_t end);
    void tls_handshake(size_t off, size_t end, std::string& info, uint16_t& version);
    void tls_hello(bool client, size_t off, size_t end, std::string& sni, uint16_t& version);
    void tls_extensions(size_t off, size_t end, bool client, std::string& sni, uint16_t& version);
    void quic(size_t off, size_t end);
    void ssh(bool from_client, size_t off, size_t end);
    void by_port(Proto p, uint16_t port, size_t off, size_t end);
    void data(size_t off, size_t end);

    const uint8_t* d_;
    size_t n_;
    uint32_t wire_;
    size_t missing_;
    Dissection& out_;
    std::vector<size_t> open_;
    int layers_ = 0;
    int quoted_ = 0;                  // inside the datagram an ICMP error quotes
    const char* continues_ = nullptr; // "TCP segment": running out of bytes is expected
    uint8_t ttl_ = 0;                 // of the innermost IP header, for the ICMP echo info
    bool full_ = false;               // kMaxFields reached
};

size_t Dissector::add(size_t off, size_t len, std::string label)
{
    if (full_)
        return kNone;
    if (out_.fields.size() >= kMaxFields) {
        // Stop here: what is stored stays a well-formed tree.
        full_ = true;
        DissectedField f;
        f.label = "[Too many fields: the rest of the packet is not shown]";
        out_.fields.push_back(std::move(f));
        return kNone;
    }
    DissectedField f;
    f.depth = uint16_t(open_.size());
    off = std::min(off, n_);
    f.offset = uint32_t(off);
    f.length = uint32_t(std::min(len, n_ - off));
    f.label = std::move(label);
    out_.fields.push_back(std::move(f));
    return out_.fields.size() - 1;
}

Dissector::Subtree Dissector::layer(size_t off, size_t len, std::string label)
{
    if (++layers_ > kMaxLayers) {
        if (layers_ == kMaxLayers + 1)
            problem(DissectedField::Malformed, "Malformed packet: too many nested layers", off, off);
        return Subtree(nullptr, kNone);
    }
    return open(off, len, std::move(label));
}

void Dissector::cover(size_t field, size_t off, size_t end)
{
    if (field >= out_.fields.size())
        return;
    off = std::min(off, n_);
    end = std::clamp(end, off, n_);
    out_.fields[field].offset = uint32_t(off);
    out_.fields[field].length = uint32_t(end - off);
}

// A note flagged Truncated or Malformed, covering [off, end) (the part of a
// header that is there); the flag also goes up to every enclosing field.
void Dissector::problem(uint8_t flag, const std::string& why, size_t off, size_t end)
{
    size_t from = std::min(off, n_);
    size_t to = std::clamp(end, from, n_);
    size_t f = add(from, to - from, "[" + why + "]");
    if (f != kNone)
        out_.fields[f].flags |= flag;
    for (size_t a : open_)
        if (a < out_.fields.size())
            out_.fields[a].flags |= flag;
    out_.flags |= flag;
    if (out_.problem.empty())
        out_.problem = why;
}

bool Dissector::fits(size_t off, size_t len, size_t end, const char* what)
{
    if (off <= end && len <= end - off)
        return true;
    if (capture_cut(end))
        problem(DissectedField::Truncated, strf("Packet size limited during capture: %s truncated", what), off, end);
    else if (quoted_)
        ; // an ICMP error quotes only the start of a datagram
    else if (continues_)
        note(strf("[%s continues in the next %s]", what, continues_));
    else
        problem(DissectedField::Malformed, strf("Malformed packet: %s does not fit in the frame", what), off, end);
    return false;
}

size_t Dissector::claim(size_t off, size_t claimed, size_t end, const char* what)
{
    if (off > end) {
        fits(off, 0, end, what);
        return end;
    }
    if (claimed <= end - off)
        return off + claimed;
    // The note covers no bytes: what is missing was never captured or never sent.
    if (capture_cut(end) && claimed <= end - off + missing_)
        problem(DissectedField::Truncated, strf("Packet size limited during capture: %s truncated", what), end, end);
    else if (quoted_)
        ;
    else if (continues_)
        note(strf("[%s continues in the next %s]", what, continues_));
    else
        problem(DissectedField::Malformed,
                strf("Malformed packet: %s of %zu bytes exceeds the %zu bytes left", what, claimed, end - off), end,
                end);
    return end;
}

// ---------------------------------------------------------------- frame and link layers

void Dissector::run(uint32_t lt)
{
    {
        auto frame = open(0, n_,
                          strf("Frame: %u bytes on wire (%llu bits), %zu bytes captured (%llu bits)", wire_,
                               (unsigned long long)wire_ * 8, n_, (unsigned long long)n_ * 8));
        note(strf("Encapsulation type: %s (%u)", link_type_name(lt), lt));
        note(strf("Frame Length: %u bytes (%llu bits)", wire_, (unsigned long long)wire_ * 8));
        note(strf("Capture Length: %zu bytes (%llu bits)", n_, (unsigned long long)n_ * 8));
        DecodedPacket dp;
        decode_packet(lt, Bytes(d_, n_), wire_, dp);
        note("[Protocols in frame: " + dp.path_string() + "]");
    }
    set_protocol(link_type_name(lt));
    switch (lt) {
    case kLinkEthernet: ethernet(0, n_); break;
    case kLinkNull: null_loop(0, n_, false); break;
    case kLinkLoop: null_loop(0, n_, true); break;
    case kLinkRaw:
    case kLinkRawOpenBsd:
    case kLinkRawBsdOs:
    case kLinkIpv4:
    case kLinkIpv6: raw_ip(0, n_); break;
    case kLinkSll: cooked(0, n_, false); break;
    case kLinkSll2: cooked(0, n_, true); break;
    case kLinkPpp:
    case kLinkPppHdlc: ppp(0, n_, true); break;
    case kLinkPppEther: pppoe(0, n_, true); break;
    case kLinkCiscoHdlc: cisco_hdlc(0, n_); break;
    case kLinkIeee80211: ieee80211(0, n_, false); break;
    case kLinkRadiotap: radiotap(0, n_); break;
    default:
        set_info(strf("Link type %u is not supported", lt));
        data(0, n_);
        break;
    }
    // A layer cut short before it could say anything: name it at least.
    if (out_.info.empty())
        for (auto f = out_.fields.rbegin(); f != out_.fields.rend(); ++f)
            if (f->depth == 0) {
                out_.info = f->label;
                break;
            }
    // A snaplen cut the packet even where no layer needed the missing bytes
    // (the end of a payload nothing decodes): still say so.
    if (missing_ && !(out_.flags & DissectedField::Truncated))
        problem(DissectedField::Truncated,
                strf("Packet size limited during capture: %zu bytes on the wire were not captured", missing_), n_, n_);
}

void Dissector::ethernet(size_t off, size_t end)
{
    uint16_t type;
    size_t payload_end = end;
    {
        auto eth = layer(off, 14, "Ethernet II");
        if (!eth || !fits(off, 14, end, "Ethernet header"))
            return;
        const uint8_t* h = d_ + off;
        std::string dst = mac_text(h), src = mac_text(h + 6);
        type = load_be16(h + 12);
        for (int which = 0; which < 2; ++which) {
            const uint8_t* a = h + 6 * which;
            auto addr =
                open(off + 6 * size_t(which), 6, std::string(which ? "Source: " : "Destination: ") + mac_text(a));
            uint32_t oui = load_be24(a);
            add_bits(off + 6 * size_t(which), 3,
                     bit_label(oui, 24, 0x020000,
                               (oui & 0x020000)
                                   ? "LG bit: Locally administered address (this is NOT the factory default)"
                                   : "LG bit: Globally unique address (factory default)"));
            add_bits(off + 6 * size_t(which), 3,
                     bit_label(oui, 24, 0x010000,
                               (oui & 0x010000) ? "IG bit: Group address (multicast/broadcast)"
                                                : "IG bit: Individual address (unicast)"));
        }
        set_addresses(mac_column(h + 6), mac_column(h));
        if (type <= 1500) {
            // IEEE 802.3 length field: the frame may be padded beyond it.
            relabel(eth.index(), "IEEE 802.3 Ethernet, Src: " + src + ", Dst: " + dst);
            add(off + 12, 2, strf("Length: %u", type));
            payload_end = claim(off + 14, type, end, "802.3 payload");
        } else {
            relabel(eth.index(), "Ethernet II, Src: " + src + ", Dst: " + dst);
            add(off + 12, 2, strf("Type: %s (0x%04x)", ethertype_name(type), type));
        }
        set_protocol("Ethernet");
        set_info(strf("Ethernet II, type %s (0x%04x)", ethertype_name(type), type));
    }
    if (type <= 1500)
        llc(off + 14, payload_end);
    else
        ethertype(type, off + 14, end);
}

void Dissector::ethertype(uint16_t type, size_t off, size_t end)
{
    switch (type) {
    case kEtherIpv4: ipv4(off, end); return;
    case kEtherIpv6: ipv6(off, end); return;
    case kEtherArp: arp(off, end); return;
    case kEtherVlan:
    case kEtherQinQ:
    case kEtherQinQOld: vlan(type, off, end); return;
    case kEtherMpls:
    case kEtherMplsMc: mpls(off, end); return;
    case kEtherPppDisc: pppoe(off, end, false); return;
    case kEtherPppSess: pppoe(off, end, true); return;
    case kEtherTeb: ethernet(off, end); return;
    case kEtherPpp: ppp(off, end, false); return;
    case kEtherLldp: lldp(off, end); return;
    case kEtherErspan2:
    case kEtherErspan3: {
        const size_t hlen = type == kEtherErspan2 ? 8 : 12;
        {
            auto t = layer(off, hlen,
                           type == kEtherErspan2 ? "Encapsulated Remote Switch Packet ANalysis Type II"
                                                 : "Encapsulated Remote Switch Packet ANalysis Type III");
            if (!t || !fits(off, hlen, end, "ERSPAN header"))
                return;
            add(off, 2, strf("Version: %u", d_[off] >> 4));
            add(off, 2, strf("Vlan: %u", load_be16(d_ + off) & 0x0FFF));
            add(off + 2, 2, strf("SessionID: %u", load_be16(d_ + off + 2) & 0x03FF));
            set_protocol("ERSPAN");
        }
        ethernet(off + hlen, end);
        return;
    }
    default:
        if (off < end)
            data(off, end);
        return;
    }
}

void Dissector::vlan(uint16_t tpid, size_t off, size_t end)
{
    uint16_t inner;
    size_t payload_end = end;
    {
        auto t = layer(off, 4, tpid == kEtherVlan ? "802.1Q Virtual LAN" : "802.1ad Provider Bridge (Q-in-Q)");
        if (!t || !fits(off, 4, end, "802.1Q tag"))
            return;
        uint16_t tci = load_be16(d_ + off);
        inner = load_be16(d_ + off + 2);
        static const char* const kPriorities[] = {"Best Effort (default)",
                                                  "Background",
                                                  "Excellent Effort",
                                                  "Critical Applications",
                                                  "Video, < 100ms latency and jitter",
                                                  "Voice, < 10ms latency and jitter",
                                                  "Internetwork Control",
                                                  "Network Control"};
        relabel(t.index(), strf("%s, PRI: %u, DEI: %u, ID: %u",
                                tpid == kEtherVlan ? "802.1Q Virtual LAN" : "802.1ad Provider Bridge (Q-in-Q)",
                                tci >> 13, (tci >> 12) & 1, tci & 0x0FFF));
        add_bits(off, 2, bit_label(tci, 16, 0xE000, strf("Priority: %s (%u)", kPriorities[tci >> 13], tci >> 13)));
        add_bits(off, 2, bit_label(tci, 16, 0x1000, (tci & 0x1000) ? "DEI: Eligible" : "DEI: Ineligible"));
        add_bits(off, 2, bit_label(tci, 16, 0x0FFF, strf("ID: %u", tci & 0x0FFF)));
        if (inner <= 1500) {
            add(off + 2, 2, strf("Length: %u", inner));
            payload_end = claim(off + 4, inner, end, "802.3 payload");
        } else {
            add(off + 2, 2, strf("Type: %s (0x%04x)", ethertype_name(inner), inner));
        }
        set_protocol("802.1Q");
    }
    if (inner <= 1500)
        llc(off + 4, payload_end);
    else
        ethertype(inner, off + 4, end);
}

void Dissector::llc(size_t off, size_t end)
{
    uint16_t type = 0;
    bool snap_ether = false, stp_bpdu = false, cdp = false;
    {
        auto t = layer(off, 3, "Logical-Link Control");
        if (!t || !fits(off, 3, end, "LLC header"))
            return;
        uint8_t dsap = d_[off], ssap = d_[off + 1], control = d_[off + 2];
        auto sap_name = [](uint8_t sap) -> const char* {
            switch (sap & 0xFE) {
            case 0xAA: return "SNAP";
            case 0x42: return "Spanning Tree BPDU";
            case 0x06: return "TCP/IP";
            case 0xE0: return "NetWare";
            case 0xF0: return "NetBIOS";
            case 0x00: return "NULL LSAP";
            default: return "Unknown";
            }
        };
        add(off, 1, strf("DSAP: %s (0x%02x)", sap_name(dsap), dsap));
        add(off + 1, 1, strf("SSAP: %s (0x%02x)", sap_name(ssap), ssap));
        add(off + 2, 1, strf("Control field: 0x%02x", control));
        set_protocol("LLC");
        const char* format = (control & 3) == 3 ? "U" : (control & 1) ? "S" : "I"; // ISO/IEC 8802-2 5.4
        set_info(strf("%s, func=0x%02x; DSAP %s, SSAP %s", format, control, sap_name(dsap), sap_name(ssap)));
        if (dsap == 0xAA && ssap == 0xAA) {
            cover(t.index(), off, off + 8);
            if (!fits(off, 8, end, "SNAP header"))
                return;
            uint32_t oui = load_be24(d_ + off + 3);
            type = load_be16(d_ + off + 6);
            add(off + 3, 3, strf("Organization Code: %02x:%02x:%02x", d_[off + 3], d_[off + 4], d_[off + 5]));
            if (oui == 0x00000C && type == 0x2000) {
                add(off + 6, 2, "PID: CDP (0x2000)");
                cdp = true;
            } else {
                add(off + 6, 2, strf("Type: %s (0x%04x)", ethertype_name(type), type));
                snap_ether = oui == 0 || oui == 0x0000F8;
            }
        } else if (dsap == 0x42 && ssap == 0x42) {
            stp_bpdu = true;
        }
    }
    if (snap_ether)
        ethertype(type, off + 8, end);
    else if (cdp) {
        auto t = layer(off + 8, end - std::min(end, off + 8), "Cisco Discovery Protocol");
        if (t) {
            set_protocol("CDP");
            set_info("Cisco Discovery Protocol");
        }
    } else if (stp_bpdu)
        stp(off + 3, end);
    else if (off + 3 < end)
        data(off + 3, end);
}

void Dissector::stp(size_t off, size_t end)
{
    auto t = layer(off, 35, "Spanning Tree Protocol");
    if (!t || !fits(off, 4, end, "BPDU header"))
        return;
    add(off, 2, strf("Protocol Identifier: 0x%04x", load_be16(d_ + off)));
    add(off + 2, 1, strf("Protocol Version Identifier: %u", d_[off + 2]));
    uint8_t type = d_[off + 3];
    const char* type_name = type == 0x00   ? "Configuration"
                            : type == 0x80 ? "Topology Change Notification"
                            : type == 0x02 ? "Rapid/Multiple Spanning Tree"
                                           : "Unknown";
    add(off + 3, 1, strf("BPDU Type: %s (0x%02x)", type_name, type));
    set_protocol(d_[off + 2] >= 2 ? "RSTP" : "STP");
    if (type == 0x80) {
        cover(t.index(), off, off + 4);
        set_info("Topology Change Notification");
        return;
    }
    if (!fits(off, 35, end, "BPDU"))
        return;
    const uint8_t* b = d_ + off;
    add(off + 4, 1, strf("BPDU flags: 0x%02x", b[4]));
    std::string root =
        strf("%u / %u / %s", load_be16(b + 5) & 0xF000, load_be16(b + 5) & 0x0FFF, mac_text(b + 7).c_str());
    add(off + 5, 8, "Root Identifier: " + root);
    add(off + 13, 4, strf("Root Path Cost: %u", load_be32(b + 13)));
    add(off + 17, 8,
        strf("Bridge Identifier: %u / %u / %s", load_be16(b + 17) & 0xF000, load_be16(b + 17) & 0x0FFF,
             mac_text(b + 19).c_str()));
    add(off + 25, 2, strf("Port identifier: 0x%04x", load_be16(b + 25)));
    add(off + 27, 2, strf("Message Age: %u", load_be16(b + 27) / 256));
    add(off + 29, 2, strf("Max Age: %u", load_be16(b + 29) / 256));
    add(off + 31, 2, strf("Hello Time: %u", load_be16(b + 31) / 256));
    add(off + 33, 2, strf("Forward Delay: %u", load_be16(b + 33) / 256));
    set_info(strf("%s. Root = %s  Cost = %u  Port = 0x%04x", type == 0 ? "Conf" : "RST", root.c_str(),
                  load_be32(b + 13), load_be16(b + 25)));
}

void Dissector::lldp(size_t off, size_t end)
{
    auto t = layer(off, end - std::min(off, end), "Link Layer Discovery Protocol");
    if (!t)
        return;
    set_protocol("LLDP");
    std::string info;
    for (int i = 0; i < 256; ++i) {
        if (!fits(off, 2, end, "LLDP TLV"))
            return;
        uint16_t head = load_be16(d_ + off);
        uint8_t type = uint8_t(head >> 9);
        size_t len = head & 0x01FF;
        if (!fits(off + 2, len, end, "LLDP TLV value"))
            return;
        const uint8_t* v = d_ + off + 2;
        std::string text;
        switch (type) {
        case 0: text = "End of LLDPDU"; break;
        case 1:
        case 2: {
            const char* what = type == 1 ? "Chassis Subtype" : "Port Subtype";
            std::string id;
            if (len == 7 && v[0] == (type == 1 ? 4 : 3))
                id = mac_text(v + 1);
            else if (len > 1)
                id = printable_text(v + 1, len - 1, 64);
            text = strf("%s = %u, Id: %s", what, len ? v[0] : 0, id.c_str());
            info += strf("%s%s = %s", info.empty() ? "" : ", ", type == 1 ? "Chassis Id" : "Port Id", id.c_str());
            break;
        }
        case 3:
            if (len >= 2) {
                text = strf("Time To Live = %u sec", load_be16(v));
                info += strf(", TTL = %u", load_be16(v));
            } else {
                text = "Time To Live";
            }
            break;
        case 4: text = "Port Description = " + printable_text(v, len, 64); break;
        case 5:
            text = "System Name = " + printable_text(v, len, 64);
            info += " SysName = " + printable_text(v, len, 64);
            break;
        case 6: text = "System Description = " + printable_text(v, len, 100); break;
        case 7: text = "Capabilities"; break;
        case 8: text = "Management Address"; break;
        case 127: text = "Organization Specific"; break;
        default: text = strf("Unknown TLV type %u", type); break;
        }
        add(off, 2 + len, text);
        off += 2 + len;
        if (type == 0)
            break;
    }
    set_info(info);
}

void Dissector::mpls(size_t off, size_t end)
{
    for (int labels = 0;; ++labels) {
        auto t = layer(off, 4, "MultiProtocol Label Switching Header");
        if (!t || !fits(off, 4, end, "MPLS label"))
            return;
        uint32_t entry = load_be32(d_ + off);
        uint32_t label = entry >> 12;
        relabel(t.index(), strf("MultiProtocol Label Switching Header, Label: %u, Exp: %u, S: %u, TTL: %u", label,
                                (entry >> 9) & 7, (entry >> 8) & 1, entry & 0xFF));
        add_bits(off, 4, bit_label(entry, 32, 0xFFFFF000, strf("MPLS Label: %u (0x%05x)", label, label)));
        add_bits(off, 4, bit_label(entry, 32, 0x00000E00, strf("MPLS Experimental Bits: %u", (entry >> 9) & 7)));
        add_bits(off, 4, bit_label(entry, 32, 0x00000100, strf("MPLS Bottom Of Label Stack: %u", (entry >> 8) & 1)));
        add_bits(off, 4, bit_label(entry, 32, 0x000000FF, strf("MPLS TTL: %u", entry & 0xFF)));
        set_protocol("MPLS");
        off += 4;
        if (entry & 0x100) {
            if (!fits(off, 1, end, "MPLS payload"))
                return;
            break;
        }
        if (labels > 32) {
            problem(DissectedField::Malformed, "Malformed packet: MPLS label stack without bottom", off, off);
            return;
        }
    }
    // MPLS does not say what it carries; guess from the first nibble as
    // Wireshark and tcpdump do.
    switch (d_[off] >> 4) {
    case 4: ipv4(off, end); break;
    case 6: ipv6(off, end); break;
    case 0: {
        // Pseudowire control word, then an Ethernet frame.
        {
            auto t = layer(off, 4, "PW Ethernet Control Word");
            if (!t || !fits(off, 4, end, "pseudowire control word"))
                return;
            add(off + 2, 2, strf("Sequence Number: %u", load_be16(d_ + off + 2)));
        }
        ethernet(off + 4, end);
        break;
    }
    default: data(off, end); break;
    }
}

const char* ppp_protocol_name(uint16_t p)
{
    switch (p) {
    case 0x0021: return "Internet Protocol version 4";
    case 0x0057: return "Internet Protocol version 6";
    case 0x0281: return "MPLS";
    case 0x0283: return "MPLS multicast";
    case 0xC021: return "Link Control Protocol";
    case 0x8021: return "Internet Protocol Control Protocol";
    case 0x8057: return "IPv6 Control Protocol";
    case 0xC023: return "Password Authentication Protocol";
    case 0xC223: return "Challenge Handshake Authentication Protocol";
    case 0x80FD: return "Compression Control Protocol";
    default: return "Unknown";
    }
}

void Dissector::ppp(size_t off, size_t end, bool hdlc_allowed)
{
    uint16_t proto;
    {
        auto t = layer(off, 1, "Point-to-Point Protocol");
        if (!t || !fits(off, 1, end, "PPP header"))
            return;
        size_t start = off;
        if (hdlc_allowed && d_[off] == 0xFF) {
            // HDLC-like framing (RFC 1662): address 0xFF, control 0x03.
            if (!fits(off, 2, end, "PPP header"))
                return;
            add(off, 1, "Address: 0xff");
            if (d_[off + 1] == 0x03) {
                add(off + 1, 1, "Control: 0x03");
                off += 2;
            }
        }
        if (!fits(off, 1, end, "PPP protocol"))
            return;
        if (d_[off] & 1) { // protocol-field compression: a one-byte protocol
            proto = d_[off];
            add(off, 1, strf("Protocol: %s (0x%02x)", ppp_protocol_name(proto), proto));
            off += 1;
        } else {
            if (!fits(off, 2, end, "PPP protocol"))
                return;
            proto = load_be16(d_ + off);
            add(off, 2, strf("Protocol: %s (0x%04x)", ppp_protocol_name(proto), proto));
            off += 2;
        }
        cover(t.index(), start, off);
        set_protocol("PPP");
        set_info(strf("PPP %s", ppp_protocol_name(proto)));
    }
    switch (proto) {
    case 0x0021: ipv4(off, end); break;
    case 0x0057: ipv6(off, end); break;
    case 0x0281:
    case 0x0283: mpls(off, end); break;
    case 0xC021:
    case 0x8021:
    case 0x8057:
    case 0xC023:
    case 0xC223: ppp_control(proto, off, end); break;
    default:
        if (off < end)
            data(off, end);
        break;
    }
}

// LCP, IPCP, IPV6CP, PAP and CHAP share a code/identifier/length header (RFC 1661 5).
void Dissector::ppp_control(uint16_t proto, size_t off, size_t end)
{
    const char* name = proto == 0xC021   ? "PPP Link Control Protocol"
                       : proto == 0x8021 ? "PPP IP Control Protocol"
                       : proto == 0x8057 ? "PPP IPv6 Control Protocol"
                       : proto == 0xC023 ? "PPP Password Authentication Protocol"
                                         : "PPP Challenge Handshake Authentication Protocol";
    auto t = layer(off, 4, name);
    if (!t || !fits(off, 4, end, "PPP control header"))
        return;
    uint8_t code = d_[off];
    static const char* const kCodes[] = {
        "Vendor Specific",      "Configuration Request", "Configuration Ack", "Configuration Nak",
        "Configuration Reject", "Termination Request",   "Termination Ack",   "Code Reject",
        "Protocol Reject",      "Echo Request",          "Echo Reply",        "Discard Request",
        "Identification",       "Time Remaining"};
    const char* code_name = "Unknown";
    if (proto == 0xC023 || proto == 0xC223) {
        static const char* const kAuth[] = {"Unknown", "Request/Challenge", "Ack/Response", "Nak/Success", "Failure"};
        code_name = code < 5 ? kAuth[code] : "Unknown";
    } else if (code < 14) {
        code_name = kCodes[code];
    }
    size_t len = load_be16(d_ + off + 2);
    add(off, 1, strf("Code: %s (%u)", code_name, code));
    add(off + 1, 1, strf("Identifier: %u (0x%02x)", d_[off + 1], d_[off + 1]));
    add(off + 2, 2, strf("Length: %zu", len));
    if (len < 4) {
        problem(DissectedField::Malformed, "Malformed packet: PPP control length below 4", off + 2, off + 4);
        return;
    }
    size_t e = claim(off, len, end, "PPP control message");
    cover(t.index(), off, e);
    if (e > off + 4)
        add(off + 4, e - off - 4, strf("Options/Data (%zu bytes)", e - off - 4));
    set_protocol(proto == 0xC021   ? "PPP LCP"
                 : proto == 0x8021 ? "PPP IPCP"
                 : proto == 0x8057 ? "PPP IPV6CP"
                 : proto == 0xC023 ? "PPP PAP"
                                   : "PPP CHAP");
    set_info(code_name);
}

void Dissector::pppoe(size_t off, size_t end, bool session)
{
    size_t payload_end = end;
    {
        auto t = layer(off, 6, session ? "PPP-over-Ethernet Session" : "PPP-over-Ethernet Discovery");
        if (!t || !fits(off, 6, end, "PPPoE header"))
            return;
        const uint8_t* h = d_ + off;
        uint8_t code = h[1];
        const char* code_name = code == 0x00   ? "Session Data"
                                : code == 0x09 ? "Active Discovery Initiation (PADI)"
                                : code == 0x07 ? "Active Discovery Offer (PADO)"
                                : code == 0x19 ? "Active Discovery Request (PADR)"
                                : code == 0x65 ? "Active Discovery Session-confirmation (PADS)"
                                : code == 0xA7 ? "Active Discovery Terminate (PADT)"
                                               : "Unknown";
        add_bits(off, 1, bit_label(h[0], 8, 0xF0, strf("Version: %u", h[0] >> 4)));
        add_bits(off, 1, bit_label(h[0], 8, 0x0F, strf("Type: %u", h[0] & 15)));
        add(off + 1, 1, strf("Code: %s (0x%02x)", code_name, code));
        add(off + 2, 2, strf("Session ID: 0x%04x", load_be16(h + 2)));
        size_t len = load_be16(h + 4);
        add(off + 4, 2, strf("Payload Length: %zu", len));
        payload_end = claim(off + 6, len, end, "PPPoE payload");
        set_protocol(session ? "PPPoES" : "PPPoED");
        set_info(code_name);
        if (!session) {
            // Discovery tags (RFC 2516 appendix A).
            size_t p = off + 6;
            for (int i = 0; i < 128 && p + 4 <= payload_end; ++i) {
                uint16_t tag = load_be16(d_ + p);
                size_t tlen = load_be16(d_ + p + 2);
                const char* tag_name = tag == 0x0000   ? "End-Of-List"
                                       : tag == 0x0101 ? "Service-Name"
                                       : tag == 0x0102 ? "AC-Name"
                                       : tag == 0x0103 ? "Host-Uniq"
                                       : tag == 0x0104 ? "AC-Cookie"
                                       : tag == 0x0110 ? "Relay-Session-Id"
                                                       : "Unknown";
                if (!fits(p + 4, tlen, payload_end, "PPPoE tag"))
                    return;
                bool text = tag == 0x0101 || tag == 0x0102;
                add(p, 4 + tlen,
                    strf("Tag: %s%s%s", tag_name, tlen ? ": " : "",
                         (text ? printable_text(d_ + p + 4, tlen, 64) : hex_text(d_ + p + 4, tlen)).c_str()));
                p += 4 + tlen;
            }
            return;
        }
    }
    ppp(off + 6, payload_end, false);
}

void Dissector::cisco_hdlc(size_t off, size_t end)
{
    uint16_t proto;
    {
        auto t = layer(off, 4, "Cisco HDLC");
        if (!t || !fits(off, 4, end, "Cisco HDLC header"))
            return;
        add(off, 1, strf("Address: %s (0x%02x)", d_[off] == 0x8F ? "Multicast" : "Unicast", d_[off]));
        add(off + 1, 1, strf("Control: 0x%02x", d_[off + 1]));
        proto = load_be16(d_ + off + 2);
        add(off + 2, 2, strf("Protocol: %s (0x%04x)", ethertype_name(proto), proto));
        set_protocol("CHDLC");
        set_info(strf("Cisco HDLC, protocol %s (0x%04x)", ethertype_name(proto), proto));
    }
    ethertype(proto, off + 4, end);
}

const char* arphrd_name(uint16_t t)
{
    switch (t) {
    case 1: return "Ethernet";
    case 24: return "IEEE 1394";
    case 32: return "InfiniBand";
    case 512: return "PPP";
    case 772: return "Loopback";
    case 776: return "IPv6-in-IPv4";
    case 778: return "GRE over IP";
    case 801: return "IEEE 802.11";
    case 803: return "IEEE 802.11 + radiotap header";
    case 824: return "Netlink";
    case 65534: return "None";
    default: return "Unknown";
    }
}

void Dissector::cooked(size_t off, size_t end, bool v2)
{
    const size_t hlen = v2 ? 20 : 16;
    uint16_t proto, hatype;
    {
        auto t = layer(off, hlen, v2 ? "Linux cooked capture v2" : "Linux cooked capture v1");
        if (!t || !fits(off, hlen, end, "Linux cooked header"))
            return;
        const uint8_t* h = d_ + off;
        proto = v2 ? load_be16(h) : load_be16(h + 14);
        hatype = v2 ? load_be16(h + 8) : load_be16(h + 2);
        uint16_t pkttype = v2 ? h[10] : load_be16(h);
        size_t alen = v2 ? h[11] : load_be16(h + 4);
        size_t aoff = off + (v2 ? 12 : 6);
        static const char* const kTypes[] = {"Unicast to us", "Broadcast", "Multicast", "Unicast to another host",
                                             "Sent by us"};
        const char* type_name = pkttype < 5 ? kTypes[pkttype] : "Unknown";
        auto proto_field = [&] {
            add(v2 ? off : off + 14, 2,
                strf("Protocol: %s (0x%04x)", proto == 0x0004 ? "802.2 LLC" : ethertype_name(proto), proto));
        };
        if (v2) {
            proto_field();
            add(off + 2, 2, strf("Reserved: %u", load_be16(h + 2)));
            add(off + 4, 4, strf("Interface index: %u", load_be32(h + 4)));
            add(off + 8, 2, strf("Link-layer address type: %s (%u)", arphrd_name(hatype), hatype));
            add(off + 10, 1, strf("Packet type: %s (%u)", type_name, pkttype));
            add(off + 11, 1, strf("Link-layer address length: %zu", alen));
        } else {
            add(off, 2, strf("Packet type: %s (%u)", type_name, pkttype));
            add(off + 2, 2, strf("Link-layer address type: %s (%u)", arphrd_name(hatype), hatype));
            add(off + 4, 2, strf("Link-layer address length: %zu", alen));
        }
        std::string source = alen == 6 ? mac_text(d_ + aoff) : hex_text(d_ + aoff, std::min<size_t>(alen, 8));
        add(aoff, std::min<size_t>(alen, 8), "Source: " + source);
        if (alen < 8)
            add(aoff + alen, 8 - alen, "Unused: " + hex_text(d_ + aoff + alen, 8 - alen));
        if (!v2)
            proto_field();
        set_addresses(alen == 6 ? mac_column(d_ + aoff) : source, "");
        set_protocol(v2 ? "SLL2" : "SLL");
        set_info(strf("%s, protocol 0x%04x", type_name, proto));
    }
    off += hlen;
    if (hatype == 824) { // ARPHRD_NETLINK is not IP at all
        {
            auto t = layer(off, end - std::min(off, end), "Linux netlink (cooked header)");
            if (!t)
                return;
            set_protocol("Netlink");
        }
        return;
    }
    switch (proto) {
    case 0x0004: llc(off, end); return;  // raw 802.2 frames
    case 0x0001: data(off, end); return; // Novell 802.3 without LLC
    default: ethertype(proto, off, end); return;
    }
}

void Dissector::null_loop(size_t off, size_t end, bool network_order)
{
    uint32_t af;
    {
        auto t = layer(off, 4, network_order ? "OpenBSD Loopback" : "Null/Loopback");
        if (!t || !fits(off, 4, end, "loopback header"))
            return;
        af = network_order ? load_be32(d_ + off) : load_le32(d_ + off);
        // DLT_NULL is in the capturing host's order; a value too big to be an
        // address family means it was the other order.
        if (!network_order && (af & 0xFFFF0000))
            af = load_be32(d_ + off);
        const char* family = af == 2 ? "IP" : (af == 24 || af == 28 || af == 30) ? "IPv6" : "Unknown";
        add(off, 4, strf("Family: %s (%u)", family, af));
        set_protocol(network_order ? "LOOP" : "NULL");
    }
    switch (af) {
    case 2: ipv4(off + 4, end); break;
    case 24:
    case 28:
    case 30: ipv6(off + 4, end); break;
    default: data(off + 4, end); break;
    }
}

void Dissector::raw_ip(size_t off, size_t end)
{
    if (!fits(off, 1, end, "raw IP packet"))
        return;
    switch (d_[off] >> 4) {
    case 4: ipv4(off, end); break;
    case 6: ipv6(off, end); break;
    default: {
        auto t = layer(off, 1, "Raw packet data");
        if (t)
            problem(DissectedField::Malformed, "Malformed packet: raw IP with an unknown version", off, off + 1);
    }
        data(off, end);
        break;
    }
}

void Dissector::radiotap(size_t off, size_t end)
{
    size_t len;
    bool fcs = false;
    {
        auto t = layer(off, 8, "Radiotap Header");
        if (!t || !fits(off, 8, end, "radiotap header"))
            return;
        len = load_le16(d_ + off + 2);
        relabel(t.index(), strf("Radiotap Header v%u, Length %zu", d_[off], len));
        add(off, 1, strf("Header revision: %u", d_[off]));
        add(off + 1, 1, strf("Header pad: %u", d_[off + 1]));
        add(off + 2, 2, strf("Header length: %zu", len));
        set_protocol("802.11");
        if (len < 8) {
            problem(DissectedField::Malformed, "Malformed packet: radiotap header length below 8", off + 2, off + 4);
            return;
        }
        cover(t.index(), off, off + len);
        if (!fits(off, len, end, "radiotap header"))
            return;
        radiotap_fields(off, len, fcs);
    }
    ieee80211(off + len, end, fcs && !missing_);
}

// The present words and the first few fields (radiotap.org), each aligned to
// its natural size from the start of the header. A field that does not fit
// ends the list; the 802.11 frame after the header is dissected regardless.
void Dissector::radiotap_fields(size_t off, size_t len, bool& fcs)
{
    // Present words chain with bit 31; the fields follow the last one.
    size_t p = off + 4;
    uint32_t present = load_le32(d_ + p);
    for (int word = 0;; ++word) {
        uint32_t w = load_le32(d_ + p);
        add(p, 4, strf("Present flags word: 0x%08x", w));
        p += 4;
        if (!(w & 0x80000000u))
            break;
        if (p + 4 > off + len || word > 16) {
            problem(DissectedField::Malformed, "Malformed packet: radiotap present words overrun the header", p,
                    off + len);
            return;
        }
    }
    auto align = [&](size_t a) { p = off + ((p - off + a - 1) / a) * a; };
    const size_t hend = off + len;
    if (present & (1u << 0)) {
        align(8);
        if (p + 8 > hend)
            return;
        add(p, 8, strf("MAC timestamp: %llu", (unsigned long long)load_le64(d_ + p)));
        p += 8;
    }
    if (present & (1u << 1)) {
        if (p + 1 > hend)
            return;
        uint8_t flags = d_[p];
        fcs = flags & 0x10;
        add(p, 1, strf("Flags: 0x%02x%s", flags, fcs ? " (FCS at end)" : ""));
        p += 1;
    }
    if (present & (1u << 2)) {
        if (p + 1 > hend)
            return;
        add(p, 1, strf("Data Rate: %.1f Mb/s", d_[p] * 0.5));
        p += 1;
    }
    if (present & (1u << 3)) {
        align(2);
        if (p + 4 > hend)
            return;
        unsigned freq = load_le16(d_ + p);
        int channel = freq == 2484                  ? 14
                      : freq >= 2412 && freq < 2484 ? int(freq - 2407) / 5
                      : freq >= 5000 && freq < 5925 ? int(freq - 5000) / 5
                                                    : 0;
        add(p, 2,
            channel ? strf("Channel frequency: %u [channel %d]", freq, channel) : strf("Channel frequency: %u", freq));
        add(p + 2, 2, strf("Channel flags: 0x%04x", load_le16(d_ + p + 2)));
        p += 4;
    }
    if (present & (1u << 4)) {
        align(2);
        if (p + 2 > hend)
            return;
        add(p, 2, strf("FHSS: hop set %u, pattern %u", d_[p], d_[p + 1]));
        p += 2;
    }
    if (present & (1u << 5)) {
        if (p + 1 > hend)
            return;
        add(p, 1, strf("Antenna signal: %d dBm", int(int8_t(d_[p]))));
    }
}

const char* wlan_subtype_name(uint8_t type, uint8_t subtype)
{
    if (type == 0) {
        static const char* const kMgmt[16] = {"Association Request",   "Association Response",
                                              "Reassociation Request", "Reassociation Response",
                                              "Probe Request",         "Probe Response",
                                              "Timing Advertisement",  "Reserved",
                                              "Beacon frame",          "ATIM",
                                              "Disassociate",          "Authentication",
                                              "Deauthentication",      "Action",
                                              "Action No Ack",         "Reserved"};
        return kMgmt[subtype & 15];
    }
    if (type == 1) {
        switch (subtype) {
        case 4: return "Beamforming Report Poll";
        case 5: return "VHT/HE NDP Announcement";
        case 7: return "Control Wrapper";
        case 8: return "802.11 Block Ack Req";
        case 9: return "802.11 Block Ack";
        case 10: return "Power-Save poll";
        case 11: return "Request-to-send";
        case 12: return "Clear-to-send";
        case 13: return "Acknowledgement";
        case 14: return "CF-End (Control-frame)";
        case 15: return "CF-End + CF-Ack (Control-frame)";
        default: return "Control frame";
        }
    }
    if (type == 2) {
        switch (subtype) {
        case 0: return "Data";
        case 4: return "Null function (No data)";
        case 8: return "QoS Data";
        case 12: return "QoS Null function (No data)";
        default: return "Data frame";
        }
    }
    return "Extension frame";
}

void Dissector::ieee80211(size_t off, size_t end, bool has_fcs)
{
    bool to_llc = false, management_body = false;
    size_t hlen = 24, body = off;
    uint8_t type, subtype;
    std::string info;
    if (has_fcs && end >= off + 4 + 10)
        end -= 4; // the frame check sequence is not payload
    else
        has_fcs = false;
    {
        auto t = layer(off, 10, "IEEE 802.11");
        if (!t || !fits(off, 10, end, "802.11 header"))
            return;
        uint16_t fc = load_le16(d_ + off);
        type = (fc >> 2) & 3;
        subtype = (fc >> 4) & 0xF;
        uint8_t flags = uint8_t(fc >> 8);
        std::string flag_text;
        static const char kFlagChars[] = "opmPRMFT";
        for (int i = 7; i >= 0; --i)
            flag_text += (flags >> i & 1) ? kFlagChars[7 - i] : '.';
        const char* name = wlan_subtype_name(type, subtype);
        relabel(t.index(), strf("IEEE 802.11 %s, Flags: %s", name, flag_text.c_str()));
        {
            auto fcf = open(off, 2, strf("Frame Control Field: 0x%02x%02x", d_[off], d_[off + 1]));
            add_bits(off, 1, bit_label(d_[off], 8, 0x03, strf("Version: %u", fc & 3)));
            static const char* const kTypes[] = {"Management frame", "Control frame", "Data frame", "Extension"};
            add_bits(off, 1, bit_label(d_[off], 8, 0x0C, strf("Type: %s (%u)", kTypes[type], type)));
            add_bits(off, 1, bit_label(d_[off], 8, 0xF0, strf("Subtype: %u", subtype)));
            auto fl = open(off + 1, 1, strf("Flags: 0x%02x", flags));
            add_bits(off + 1, 1,
                     bit_label(flags, 8, 0x03,
                               strf("DS status: %s (0x%x)",
                                    (flags & 3) == 0   ? "Not leaving DS or network is operating in AD-HOC mode"
                                    : (flags & 3) == 1 ? "Frame from STA to DS via an AP"
                                    : (flags & 3) == 2 ? "Frame from DS to a STA via AP"
                                                       : "WDS (AP to AP) or Mesh (MP to MP) Frame",
                                    flags & 3)));
            add_bits(off + 1, 1, bit_flag(flags, 8, 0x04, "More Fragments"));
            add_bits(off + 1, 1, bit_flag(flags, 8, 0x08, "Retry"));
            add_bits(off + 1, 1, bit_flag(flags, 8, 0x10, "PWR MGT"));
            add_bits(off + 1, 1, bit_flag(flags, 8, 0x20, "More Data"));
            add_bits(off + 1, 1, bit_flag(flags, 8, 0x40, "Protected flag"));
            add_bits(off + 1, 1, bit_flag(flags, 8, 0x80, "+HTC/Order flag"));
        }
        uint16_t duration = load_le16(d_ + off + 2);
        add(off + 2, 2, strf("Duration/ID: %u", duration));
        add(off + 4, 6, "Receiver address: " + mac_text(d_ + off + 4));
        set_protocol("802.11");
        info = name;
        if (type == 1) {
            // Control frames: RA, and a TA for most of them.
            bool has_ta = subtype == 4 || subtype == 5 || subtype == 8 || subtype == 9 || subtype == 10 ||
                          subtype == 11 || subtype == 14 || subtype == 15;
            std::string ta;
            if (has_ta) {
                cover(t.index(), off, off + 16);
                if (!fits(off, 16, end, "802.11 control header"))
                    return;
                add(off + 10, 6, "Transmitter address: " + mac_text(d_ + off + 10));
                ta = mac_column(d_ + off + 10);
            }
            set_addresses(ta, mac_column(d_ + off + 4));
            set_info(info + strf(", Flags=%s", flag_text.c_str()));
            if (has_fcs)
                add(end, 4, strf("Frame check sequence: 0x%08x", load_le32(d_ + end)));
            return;
        }
        if (type == 3) { // extension frames (DMG beacons): not decoded further
            set_addresses("", mac_column(d_ + off + 4));
            set_info(info + strf(", Flags=%s", flag_text.c_str()));
            return;
        }
        bool to_ds = flags & 1, from_ds = flags & 2;
        bool qos = type == 2 && (subtype & 0x8);
        if (type == 2) {
            if (to_ds && from_ds)
                hlen += 6;
            if (qos) {
                hlen += 2;
                if (flags & 0x80)
                    hlen += 4; // HT control
            }
        }
        cover(t.index(), off, off + hlen);
        if (!fits(off, hlen, end, "802.11 header"))
            return;
        const uint8_t* a1 = d_ + off + 4;
        const uint8_t* a2 = d_ + off + 10;
        const uint8_t* a3 = d_ + off + 16;
        const uint8_t* a4 = d_ + off + 24;
        const uint8_t *da, *sa;
        if (type == 0) {
            da = a1;
            sa = a2;
        } else {
            da = to_ds ? a3 : a1;
            sa = from_ds ? (to_ds ? a4 : a3) : a2;
        }
        add(off + 10, 6, "Transmitter address: " + mac_text(a2));
        add(size_t(da - d_), 6, "Destination address: " + mac_text(da));
        add(size_t(sa - d_), 6, "Source address: " + mac_text(sa));
        const uint8_t* bssid = type == 0 ? a3 : (to_ds && !from_ds) ? a1 : (!to_ds && from_ds) ? a2 : a3;
        if (!(to_ds && from_ds))
            add(size_t(bssid - d_), 6, "BSS Id: " + mac_text(bssid));
        uint16_t seq = load_le16(d_ + off + 22);
        add_bits(off + 22, 2, bit_label(seq, 16, 0x000F, strf("Fragment number: %u", seq & 15)));
        add_bits(off + 22, 2, bit_label(seq, 16, 0xFFF0, strf("Sequence number: %u", seq >> 4)));
        if (type == 2 && to_ds && from_ds)
            add(off + 24, 6, "Transmitter address (addr4): " + mac_text(a4));
        if (qos) {
            size_t q = off + hlen - 2 - ((flags & 0x80) ? 4 : 0);
            add(q, 2,
                strf("QoS Control: 0x%04x (TID %u%s)", load_le16(d_ + q), d_[q] & 15,
                     (d_[q] & 0x80) ? ", A-MSDU" : ""));
            if (flags & 0x80)
                add(q + 2, 4, strf("HT Control (+HTC): 0x%08x", load_le32(d_ + q + 2)));
        }
        if (has_fcs)
            add(end, 4, strf("Frame check sequence: 0x%08x", load_le32(d_ + end)));
        set_addresses(mac_column(sa), mac_column(da));
        info += strf(", SN=%u, FN=%u, Flags=%s", seq >> 4, seq & 15, flag_text.c_str());
        body = off + hlen;
        if (flags & 0x40) {
            set_info(info);
            if (body < end) {
                auto enc = layer(body, end - body, strf("Data (%zu bytes, protected)", end - body));
                if (enc)
                    add(body, end - body, "Encrypted payload: " + hex_text(d_ + body, end - body));
            }
            return;
        }
        if (type == 0)
            management_body = true;
        else if (type == 2 && !(subtype & 0x4)) {
            if (qos && (d_[off + hlen - 2 - ((flags & 0x80) ? 4 : 0)] & 0x80))
                note("[A-MSDU aggregate: subframes are not decoded]");
            else
                to_llc = true;
        }
        set_info(info);
    }
    if (management_body) {
        std::string ssid;
        wlan_management(subtype, body, end, ssid);
        if (!ssid.empty())
            set_info(info + ", SSID=\"" + ssid + "\"");
    } else if (to_llc) {
        llc(body, end);
    }
}

void Dissector::wlan_management(uint8_t subtype, size_t off, size_t end, std::string& ssid)
{
    // Fixed parameters ahead of the tagged ones (IEEE 802.11-2020 9.3.3).
    size_t fixed;
    switch (subtype) {
    case 0: fixed = 4; break; // association request
    case 1:
    case 3: fixed = 6; break;  // association / reassociation response
    case 2: fixed = 10; break; // reassociation request
    case 4: fixed = 0; break;  // probe request
    case 5:
    case 8: fixed = 12; break; // probe response, beacon
    case 10:
    case 12: fixed = 2; break; // disassociation, deauthentication
    case 11: fixed = 6; break; // authentication
    default:
        if (off < end)
            data(off, end);
        return;
    }
    auto t = layer(off, end - std::min(off, end), "IEEE 802.11 Wireless Management");
    if (!t || !fits(off, fixed, end, "802.11 fixed parameters"))
        return;
    if (fixed) {
        auto fp = open(off, fixed, "Fixed parameters");
        if (subtype == 5 || subtype == 8) {
            add(off, 8, strf("Timestamp: %llu", (unsigned long long)load_le64(d_ + off)));
            add(off + 8, 2, strf("Beacon Interval: %.6f [Seconds]", load_le16(d_ + off + 8) * 1024e-6));
            add(off + 10, 2, strf("Capabilities Information: 0x%04x", load_le16(d_ + off + 10)));
        } else if (subtype == 10 || subtype == 12) {
            add(off, 2, strf("Reason code: %u", load_le16(d_ + off)));
        } else if (subtype == 11) {
            add(off, 2, strf("Authentication Algorithm: %u", load_le16(d_ + off)));
            add(off + 2, 2, strf("Authentication SEQ: 0x%04x", load_le16(d_ + off + 2)));
            add(off + 4, 2, strf("Status code: %u", load_le16(d_ + off + 4)));
        } else {
            add(off, 2, strf("Capabilities Information: 0x%04x", load_le16(d_ + off)));
            if (subtype == 1 || subtype == 3) {
                add(off + 2, 2, strf("Status code: %u", load_le16(d_ + off + 2)));
                add(off + 4, 2, strf("Association ID: 0x%04x", load_le16(d_ + off + 4)));
            } else {
                add(off + 2, 2, strf("Listen Interval: 0x%04x", load_le16(d_ + off + 2)));
                if (subtype == 2)
                    add(off + 4, 6, "Current AP: " + mac_text(d_ + off + 4));
            }
        }
    }
    size_t p = off + fixed;
    if (p >= end)
        return;
    auto tags = open(p, end - p, "Tagged parameters");
    for (int i = 0; i < 256 && p < end; ++i) {
        if (!fits(p, 2, end, "802.11 tag"))
            return;
        uint8_t num = d_[p];
        size_t len = d_[p + 1];
        if (!fits(p + 2, len, end, "802.11 tag"))
            return;
        const uint8_t* v = d_ + p + 2;
        switch (num) {
        case 0:
            ssid = len ? printable_text(v, len, 32) : std::string("Wildcard (Broadcast)");
            add(p, 2 + len, "Tag: SSID parameter set: \"" + ssid + "\"");
            if (!len)
                ssid.clear();
            break;
        case 1:
        case 50: {
            std::string rates;
            for (size_t k = 0; k < len; ++k)
                rates += strf("%s%g%s", k ? ", " : "", (v[k] & 0x7F) * 0.5, (v[k] & 0x80) ? "(B)" : "");
            add(p, 2 + len, strf("Tag: %sSupported Rates %s [Mbit/sec]", num == 50 ? "Extended " : "", rates.c_str()));
            break;
        }
        case 3:
            add(p, 2 + len, len ? strf("Tag: DS Parameter set: Current Channel: %u", v[0]) : "Tag: DS Parameter set");
            break;
        case 5: add(p, 2 + len, "Tag: Traffic Indication Map (TIM)"); break;
        case 7: add(p, 2 + len, "Tag: Country Information: " + printable_text(v, std::min<size_t>(len, 2))); break;
        case 45: add(p, 2 + len, "Tag: HT Capabilities (802.11n D1.10)"); break;
        case 48: add(p, 2 + len, "Tag: RSN Information"); break;
        case 61: add(p, 2 + len, "Tag: HT Information (802.11n D1.10)"); break;
        case 191: add(p, 2 + len, "Tag: VHT Capabilities"); break;
        case 221:
            add(p, 2 + len,
                len >= 3 ? strf("Tag: Vendor Specific: %02x:%02x:%02x", v[0], v[1], v[2]) : "Tag: Vendor Specific");
            break;
        case 255: add(p, 2 + len, "Ext Tag"); break;
        default: add(p, 2 + len, strf("Tag: Number %u, Length %zu", num, len)); break;
        }
        p += 2 + len;
    }
}

// ---------------------------------------------------------------- network layer

void Dissector::arp(size_t off, size_t end)
{
    auto t = layer(off, 8, "Address Resolution Protocol");
    if (!t || !fits(off, 8, end, "ARP header"))
        return;
    const uint8_t* h = d_ + off;
    uint16_t htype = load_be16(h), ptype = load_be16(h + 2), op = load_be16(h + 6);
    size_t hs = h[4], ps = h[5];
    static const char* const kOps[] = {"reserved", "request", "reply", "reverse request", "reverse reply"};
    const char* op_name = op < 5 ? kOps[op] : op == 8 ? "InARP request" : op == 9 ? "InARP reply" : "unknown";
    add(off, 2, strf("Hardware type: %s (%u)", htype == 1 ? "Ethernet" : htype == 6 ? "IEEE 802" : "Unknown", htype));
    add(off + 2, 2, strf("Protocol type: %s (0x%04x)", ethertype_name(ptype), ptype));
    add(off + 4, 1, strf("Hardware size: %zu", hs));
    add(off + 5, 1, strf("Protocol size: %zu", ps));
    add(off + 6, 2, strf("Opcode: %s (%u)", op_name, op));
    set_protocol(op == 3 || op == 4 ? "RARP" : "ARP");
    size_t len = 8 + 2 * (hs + ps);
    cover(t.index(), off, off + len);
    if (!fits(off, len, end, "ARP addresses"))
        return;
    auto hw = [&](size_t at) { return hs == 6 ? mac_text(d_ + at) : hex_text(d_ + at, hs); };
    auto pr = [&](size_t at) { return ps == 4 && ptype == kEtherIpv4 ? ipv4_text(d_ + at) : hex_text(d_ + at, ps); };
    size_t sha = off + 8, spa = sha + hs, tha = spa + ps, tpa = tha + hs;
    add(sha, hs, "Sender MAC address: " + hw(sha));
    add(spa, ps, "Sender IP address: " + pr(spa));
    add(tha, hs, "Target MAC address: " + hw(tha));
    add(tpa, ps, "Target IP address: " + pr(tpa));
    std::string sender = pr(spa), target = pr(tpa);
    bool probe = ps == 4 && load_be32(d_ + spa) == 0;
    bool gratuitous = ps > 0 && std::memcmp(d_ + spa, d_ + tpa, ps) == 0;
    std::string what = op == 1 ? (probe ? " (ARP Probe)" : gratuitous ? " (gratuitous)" : "") : "";
    relabel(t.index(), strf("Address Resolution Protocol (%s%s)", op_name, what.c_str()));
    switch (op) {
    case 1:
        if (probe)
            set_info("Who has " + target + "? (ARP Probe)");
        else if (gratuitous)
            set_info("Gratuitous ARP for " + sender + " (Request)");
        else
            set_info("Who has " + target + "? Tell " + sender);
        break;
    case 2: set_info(sender + " is at " + hw(sha)); break;
    case 3: set_info("Who is " + hw(tha) + "? Tell " + hw(sha)); break;
    case 4: set_info(hw(tha) + " is at " + target); break;
    default: set_info(strf("ARP opcode %u", op)); break;
    }
}

void Dissector::ipv4(size_t off, size_t end)
{
    uint8_t proto;
    size_t ihl, e;
    bool later_fragment, more_fragments;
    {
        auto t = layer(off, 20, "Internet Protocol Version 4");
        if (!t || !fits(off, 20, end, "IPv4 header"))
            return;
        const uint8_t* h = d_ + off;
        uint8_t version = h[0] >> 4;
        ihl = size_t(h[0] & 0x0F) * 4;
        add_bits(off, 1, bit_label(h[0], 8, 0xF0, strf("Version: %u", version)));
        add_bits(off, 1, bit_label(h[0], 8, 0x0F, strf("Header Length: %zu bytes (%u)", ihl, h[0] & 0x0F)));
        if (version != 4 || ihl < 20) {
            problem(DissectedField::Malformed,
                    version != 4 ? "Malformed packet: IPv4 header with another version"
                                 : "Malformed packet: IPv4 header length below 20",
                    off, off + 1);
            return;
        }
        add(off + 1, 1, "Differentiated Services Field: " + ds_text(h[1]));
        uint16_t total = load_be16(h + 2);
        add(off + 2, 2,
            total == 0 ? std::string("Total Length: 0 (assumed: segmentation offload)")
                       : strf("Total Length: %u", total));
        uint16_t id = load_be16(h + 4);
        add(off + 4, 2, strf("Identification: 0x%04x (%u)", id, id));
        uint16_t frag = load_be16(h + 6);
        {
            bool df = frag & 0x4000, mf = frag & 0x2000;
            auto flags =
                open(off + 6, 2,
                     strf("Flags: 0x%x%s%s", frag >> 13, df ? ", Don't fragment" : "", mf ? ", More fragments" : ""));
            add_bits(off + 6, 2, bit_flag(frag, 16, 0x8000, "Reserved bit"));
            add_bits(off + 6, 2, bit_flag(frag, 16, 0x4000, "Don't fragment"));
            add_bits(off + 6, 2, bit_flag(frag, 16, 0x2000, "More fragments"));
        }
        add_bits(off + 6, 2, bit_label(frag, 16, 0x1FFF, strf("Fragment Offset: %u", (frag & 0x1FFF) * 8)));
        ttl_ = h[8];
        add(off + 8, 1, strf("Time to Live: %u", h[8]));
        proto = h[9];
        add(off + 9, 1, strf("Protocol: %s (%u)", ip_proto_name(proto), proto));
        add(off + 10, 2, strf("Header Checksum: 0x%04x", load_be16(h + 10)));
        std::string src = ipv4_text(h + 12), dst = ipv4_text(h + 16);
        add(off + 12, 4, "Source Address: " + src);
        add(off + 16, 4, "Destination Address: " + dst);
        relabel(t.index(), "Internet Protocol Version 4, Src: " + src + ", Dst: " + dst);
        set_addresses(src, dst);
        set_protocol("IPv4");
        set_info(strf("IPv4 protocol %s (%u)", ip_proto_name(proto), proto));
        cover(t.index(), off, off + ihl);
        if (total == 0) {
            e = end; // TCP segmentation offload leaves the length zero
        } else if (total < ihl) {
            problem(DissectedField::Malformed, "Malformed packet: IPv4 total length below its header length", off + 2,
                    off + 4);
            return;
        } else {
            e = claim(off, total, end, "IPv4 total length");
        }
        if (!fits(off, ihl, e, "IPv4 header"))
            return;
        if (ihl > 20)
            ipv4_options(off + 20, off + ihl);
        later_fragment = (frag & 0x1FFF) != 0;
        more_fragments = frag & 0x2000;
        if (later_fragment || more_fragments)
            set_info(strf("Fragmented IP protocol (proto=%s %u, off=%u, ID=%04x)", ip_proto_name(proto), proto,
                          (frag & 0x1FFF) * 8, id));
    }
    if (later_fragment) {
        // Only the first fragment holds the next header.
        if (off + ihl < e) {
            auto t = layer(off + ihl, e - off - ihl, strf("Fragment data (%zu bytes)", e - off - ihl));
            (void)t;
        }
        return;
    }
    const char* saved = continues_;
    if (more_fragments)
        continues_ = "IP fragment";
    ip_payload(proto, off + ihl, e);
    continues_ = saved;
}

void Dissector::ipv4_options(size_t off, size_t end)
{
    auto t = open(off, end - off, strf("Options: (%zu bytes)", end - off));
    std::string names;
    for (int i = 0; i < 40 && off < end; ++i) {
        uint8_t type = d_[off];
        const char* name;
        switch (type & 0x1F) {
        case 0: name = "End of Options List (EOL)"; break;
        case 1: name = "No Operation (NOP)"; break;
        case 2: name = type == 130 ? "Security" : "Unknown"; break;
        case 3: name = type == 131 ? "Loose Source Route" : "Unknown"; break;
        case 7: name = "Record Route"; break;
        case 9: name = type == 137 ? "Strict Source Route" : "Unknown"; break;
        case 20: name = type == 148 ? "Router Alert" : "Unknown"; break;
        case 4: name = type == 68 ? "Time Stamp" : "Unknown"; break;
        default: name = "Unknown"; break;
        }
        names += std::string(names.empty() ? "" : ", ") + name;
        if (type == 0 || type == 1) {
            add(off, 1, strf("IP Option - %s", name));
            off += 1;
            if (type == 0)
                break;
            continue;
        }
        if (off + 2 > end) {
            problem(DissectedField::Malformed, "Malformed packet: IPv4 option without its length", off, end);
            break;
        }
        size_t len = d_[off + 1];
        if (len < 2 || len > end - off) {
            problem(DissectedField::Malformed, strf("Malformed packet: IPv4 option length %zu is invalid", len), off,
                    end);
            break;
        }
        auto o = open(off, len, strf("IP Option - %s (%zu bytes)", name, len));
        add(off, 1, strf("Type: %u", type));
        add(off + 1, 1, strf("Length: %zu", len));
        if (type == 148 && len == 4)
            add(off + 2, 2,
                strf("Router Alert: %s (%u)", load_be16(d_ + off + 2) ? "Unknown" : "Router shall examine packet",
                     load_be16(d_ + off + 2)));
        else if (len > 2)
            add(off + 2, len - 2, "Value: " + hex_text(d_ + off + 2, len - 2));
        off += len;
    }
    relabel(t.index(), out_.fields.size() > t.index()
                           ? strf("Options: (%u bytes), %s", out_.fields[t.index()].length, names.c_str())
                           : std::string());
}

void Dissector::ipv6(size_t off, size_t end)
{
    uint8_t next;
    size_t p, e;
    bool later_fragment = false, more_fragments = false;
    {
        auto t = layer(off, 40, "Internet Protocol Version 6");
        if (!t || !fits(off, 40, end, "IPv6 header"))
            return;
        const uint8_t* h = d_ + off;
        uint32_t first = load_be32(h);
        add_bits(off, 1, bit_label(h[0], 8, 0xF0, strf("Version: %u", h[0] >> 4)));
        if ((h[0] >> 4) != 6) {
            problem(DissectedField::Malformed, "Malformed packet: IPv6 header with another version", off, off + 1);
            return;
        }
        uint8_t tc = uint8_t(first >> 20);
        add_bits(off, 4, bit_label(first, 32, 0x0FF00000, "Traffic Class: " + ds_text(tc)));
        add_bits(off, 4, bit_label(first, 32, 0x000FFFFF, strf("Flow Label: 0x%05x", first & 0xFFFFF)));
        uint16_t plen = load_be16(h + 4);
        add(off + 4, 2, strf("Payload Length: %u", plen));
        next = h[6];
        add(off + 6, 1, strf("Next Header: %s (%u)", ip_proto_name(next), next));
        ttl_ = h[7];
        add(off + 7, 1, strf("Hop Limit: %u", h[7]));
        std::string src = ipv6_text(h + 8), dst = ipv6_text(h + 24);
        add(off + 8, 16, "Source Address: " + src);
        add(off + 24, 16, "Destination Address: " + dst);
        relabel(t.index(), "Internet Protocol Version 6, Src: " + src + ", Dst: " + dst);
        set_addresses(src, dst);
        set_protocol("IPv6");
        set_info(strf("IPv6 next header %s (%u)", ip_proto_name(next), next));
        e = plen == 0 ? end : claim(off + 40, plen, end, "IPv6 payload length"); // 0: jumbogram or offload
        p = off + 40;
        // Extension headers (RFC 8200 section 4).
        for (int hops = 0; hops < 16; ++hops) {
            bool fragment = next == 44;
            if (!(next == 0 || next == 43 || next == 60 || next == 135 || next == 139 || next == 140 || fragment))
                break;
            if (!fits(p, 8, e, "IPv6 extension header"))
                return;
            size_t len = fragment ? 8 : (size_t(d_[p + 1]) + 1) * 8;
            auto x = open(p, len, strf("%s, Length: %zu bytes", ip_proto_name(next), len));
            uint8_t following = d_[p];
            add(p, 1, strf("Next Header: %s (%u)", ip_proto_name(following), following));
            if (fragment) {
                uint16_t fo = load_be16(d_ + p + 2);
                uint32_t ident = load_be32(d_ + p + 4);
                add_bits(p + 2, 2, bit_label(fo, 16, 0xFFF8, strf("Offset: %u (%u bytes)", fo >> 3, (fo >> 3) * 8u)));
                add_bits(p + 2, 2, bit_label(fo, 16, 0x0001, (fo & 1) ? "More Fragments: Yes" : "More Fragments: No"));
                add(p + 4, 4, strf("Identification: 0x%08x", ident));
                later_fragment = (fo & 0xFFF8) != 0;
                more_fragments = fo & 1;
                if (later_fragment || more_fragments)
                    set_info(strf("IPv6 fragment (off=%u more=%c ident=0x%08x nxt=%u)", (fo >> 3) * 8u,
                                  more_fragments ? 'y' : 'n', ident, following));
            } else {
                add(p + 1, 1, strf("Length: %u (%zu bytes)", d_[p + 1], len));
                if (!fits(p, len, e, "IPv6 extension header"))
                    return;
                if (len > 2)
                    add(p + 2, len - 2, "Options: " + hex_text(d_ + p + 2, len - 2));
            }
            next = following;
            p += len;
        }
        if (p > e) {
            fits(p, 0, e, "IPv6 extension headers");
            return;
        }
        cover(t.index(), off, p);
    }
    if (later_fragment) {
        if (p < e) {
            auto t = layer(p, e - p, strf("Fragment data (%zu bytes)", e - p));
            (void)t;
        }
        return;
    }
    const char* saved = continues_;
    if (more_fragments)
        continues_ = "IP fragment";
    ip_payload(next, p, e);
    continues_ = saved;
}

void Dissector::ip_payload(uint8_t proto, size_t off, size_t end)
{
    switch (proto) {
    case 1: icmp(off, end); return;
    case 2: igmp(off, end); return;
    case 4: ipv4(off, end); return;
    case 6: tcp(off, end); return;
    case 17: udp(off, end); return;
    case 41: ipv6(off, end); return;
    case 47: gre(off, end); return;
    case 50: esp(off, end); return;
    case 51: ah(off, end); return;
    case 58: icmpv6(off, end); return;
    case 59: return; // no next header
    case 89: routing_protocol(Proto::Ospf, off, end); return;
    case 103: routing_protocol(Proto::Pim, off, end); return;
    case 112: routing_protocol(Proto::Vrrp, off, end); return;
    case 132: sctp(off, end); return;
    default:
        if (off < end)
            data(off, end);
        return;
    }
}

const char* icmp_type_name(uint8_t type)
{
    switch (type) {
    case 0: return "Echo (ping) reply";
    case 3: return "Destination unreachable";
    case 4: return "Source quench (flow control)";
    case 5: return "Redirect";
    case 8: return "Echo (ping) request";
    case 9: return "Router advertisement";
    case 10: return "Router solicitation";
    case 11: return "Time-to-live exceeded";
    case 12: return "Parameter problem";
    case 13: return "Timestamp request";
    case 14: return "Timestamp reply";
    default: return "Unknown";
    }
}

const char* icmp_code_name(uint8_t type, uint8_t code)
{
    if (type == 3) {
        static const char* const kUnreach[] = {"Network unreachable",
                                               "Host unreachable",
                                               "Protocol unreachable",
                                               "Port unreachable",
                                               "Fragmentation needed",
                                               "Source route failed",
                                               "Destination network unknown",
                                               "Destination host unknown",
                                               "Source host isolated",
                                               "Network administratively prohibited",
                                               "Host administratively prohibited",
                                               "Network unreachable for TOS",
                                               "Host unreachable for TOS",
                                               "Communication administratively filtered",
                                               "Host precedence violation",
                                               "Precedence cutoff in effect"};
        return code < 16 ? kUnreach[code] : nullptr;
    }
    if (type == 11)
        return code == 0   ? "Time to live exceeded in transit"
               : code == 1 ? "Fragment reassembly time exceeded"
                           : nullptr;
    if (type == 5) {
        static const char* const kRedirect[] = {"Redirect for network", "Redirect for host",
                                                "Redirect for TOS and network", "Redirect for TOS and host"};
        return code < 4 ? kRedirect[code] : nullptr;
    }
    return nullptr;
}

void Dissector::icmp(size_t off, size_t end)
{
    auto t = layer(off, end - std::min(off, end), "Internet Control Message Protocol");
    if (!t || !fits(off, 4, end, "ICMP header"))
        return;
    uint8_t type = d_[off], code = d_[off + 1];
    const char* code_name = icmp_code_name(type, code);
    add(off, 1, strf("Type: %u (%s)", type, icmp_type_name(type)));
    add(off + 1, 1, code_name ? strf("Code: %u (%s)", code, code_name) : strf("Code: %u", code));
    add(off + 2, 2, strf("Checksum: 0x%04x", load_be16(d_ + off + 2)));
    set_protocol("ICMP");
    std::string info = std::strcmp(icmp_type_name(type), "Unknown") ? icmp_type_name(type) : strf("Type %u", type);
    if (code_name)
        info += strf(" (%s)", code_name);
    switch (type) {
    case 0:
    case 8:
    case 13:
    case 14: {
        if (!fits(off, 8, end, "ICMP echo header"))
            break;
        uint16_t id = load_be16(d_ + off + 4), seq = load_be16(d_ + off + 6);
        add(off + 4, 2, strf("Identifier (BE): %u (0x%04x)", id, id));
        add(off + 4, 2, strf("Identifier (LE): %u (0x%04x)", load_le16(d_ + off + 4), load_le16(d_ + off + 4)));
        add(off + 6, 2, strf("Sequence Number (BE): %u (0x%04x)", seq, seq));
        add(off + 6, 2, strf("Sequence Number (LE): %u (0x%04x)", load_le16(d_ + off + 6), load_le16(d_ + off + 6)));
        info += strf(" id=0x%04x, seq=%u/%u, ttl=%u", id, seq, load_le16(d_ + off + 6), ttl_);
        if (off + 8 < end)
            add(off + 8, end - off - 8,
                strf("Data (%zu bytes): %s", end - off - 8, hex_text(d_ + off + 8, end - off - 8).c_str()));
        break;
    }
    case 3:
    case 4:
    case 5:
    case 11:
    case 12: {
        if (!fits(off, 8, end, "ICMP header"))
            break;
        if (type == 5)
            add(off + 4, 4, "Gateway Address: " + ipv4_text(d_ + off + 4));
        else if (type == 3 && code == 4)
            add(off + 6, 2, strf("MTU of next hop: %u", load_be16(d_ + off + 6)));
        else if (type == 12)
            add(off + 4, 1, strf("Pointer: %u", d_[off + 4]));
        else
            add(off + 4, 4, strf("Unused: %s", hex_text(d_ + off + 4, 4).c_str()));
        set_info(info);
        // The datagram that caused the error, as much of it as was quoted.
        if (off + 8 < end) {
            ++quoted_;
            ipv4(off + 8, end);
            --quoted_;
        }
        return;
    }
    default:
        if (off + 4 < end)
            add(off + 4, end - off - 4, strf("Data (%zu bytes)", end - off - 4));
        break;
    }
    set_info(info);
}

const char* icmpv6_type_name(uint8_t type)
{
    switch (type) {
    case 1: return "Destination Unreachable";
    case 2: return "Packet Too Big";
    case 3: return "Time Exceeded";
    case 4: return "Parameter Problem";
    case 128: return "Echo (ping) request";
    case 129: return "Echo (ping) reply";
    case 130: return "Multicast Listener Query";
    case 131: return "Multicast Listener Report";
    case 132: return "Multicast Listener Done";
    case 133: return "Router Solicitation";
    case 134: return "Router Advertisement";
    case 135: return "Neighbor Solicitation";
    case 136: return "Neighbor Advertisement";
    case 137: return "Redirect";
    case 143: return "Multicast Listener Report Message v2";
    default: return "Unknown";
    }
}

void Dissector::icmpv6(size_t off, size_t end)
{
    auto t = layer(off, end - std::min(off, end), "Internet Control Message Protocol v6");
    if (!t || !fits(off, 4, end, "ICMPv6 header"))
        return;
    uint8_t type = d_[off], code = d_[off + 1];
    add(off, 1, strf("Type: %s (%u)", icmpv6_type_name(type), type));
    add(off + 1, 1, strf("Code: %u", code));
    add(off + 2, 2, strf("Checksum: 0x%04x", load_be16(d_ + off + 2)));
    set_protocol("ICMPv6");
    std::string info =
        std::strcmp(icmpv6_type_name(type), "Unknown") ? icmpv6_type_name(type) : strf("Type %u", type);
    std::string lla;
    switch (type) {
    case 1:
    case 2:
    case 3:
    case 4:
        if (!fits(off, 8, end, "ICMPv6 header"))
            break;
        if (type == 2)
            add(off + 4, 4, strf("MTU: %u", load_be32(d_ + off + 4)));
        else if (type == 4)
            add(off + 4, 4, strf("Pointer: %u", load_be32(d_ + off + 4)));
        else
            add(off + 4, 4, "Reserved: " + hex_text(d_ + off + 4, 4));
        set_info(info);
        if (off + 8 < end) {
            ++quoted_;
            ipv6(off + 8, end);
            --quoted_;
        }
        return;
    case 128:
    case 129: {
        if (!fits(off, 8, end, "ICMPv6 echo header"))
            break;
        uint16_t id = load_be16(d_ + off + 4), seq = load_be16(d_ + off + 6);
        add(off + 4, 2, strf("Identifier: 0x%04x", id));
        add(off + 6, 2, strf("Sequence: %u", seq));
        if (off + 8 < end)
            add(off + 8, end - off - 8, strf("Data (%zu bytes)", end - off - 8));
        info += strf(" id=0x%04x, seq=%u, hop limit=%u", id, seq, ttl_);
        break;
    }
    case 133:
        if (!fits(off, 8, end, "router solicitation"))
            break;
        add(off + 4, 4, "Reserved: " + hex_text(d_ + off + 4, 4));
        icmpv6_options(off + 8, end, lla);
        if (!lla.empty())
            info += " from " + lla;
        break;
    case 134:
        if (!fits(off, 16, end, "router advertisement"))
            break;
        add(off + 4, 1, strf("Cur hop limit: %u", d_[off + 4]));
        add(off + 5, 1, strf("Flags: 0x%02x", d_[off + 5]));
        add(off + 6, 2, strf("Router lifetime (s): %u", load_be16(d_ + off + 6)));
        add(off + 8, 4, strf("Reachable time (ms): %u", load_be32(d_ + off + 8)));
        add(off + 12, 4, strf("Retrans timer (ms): %u", load_be32(d_ + off + 12)));
        icmpv6_options(off + 16, end, lla);
        if (!lla.empty())
            info += " from " + lla;
        break;
    case 135:
    case 136:
    case 137: {
        size_t fixed = type == 137 ? 40 : 24;
        if (!fits(off, fixed, end, "neighbor discovery message"))
            break;
        std::string target = ipv6_text(d_ + off + 8);
        if (type == 136) {
            uint32_t flags = load_be32(d_ + off + 4);
            auto f = open(off + 4, 4, strf("Flags: 0x%08x", flags));
            add_bits(off + 4, 4, bit_flag(flags, 32, 0x80000000, "Router"));
            add_bits(off + 4, 4, bit_flag(flags, 32, 0x40000000, "Solicited"));
            add_bits(off + 4, 4, bit_flag(flags, 32, 0x20000000, "Override"));
        } else {
            add(off + 4, 4, "Reserved: " + hex_text(d_ + off + 4, 4));
        }
        add(off + 8, 16, "Target Address: " + target);
        if (type == 137)
            add(off + 24, 16, "Destination Address: " + ipv6_text(d_ + off + 24));
        icmpv6_options(off + fixed, end, lla);
        if (type == 135) {
            info += " for " + target;
            if (!lla.empty())
                info += " from " + lla;
        } else if (type == 136) {
            uint32_t flags = load_be32(d_ + off + 4);
            std::string f;
            for (auto [bit, name] : {std::pair{0x80000000u, "rtr"}, {0x40000000u, "sol"}, {0x20000000u, "ovr"}})
                if (flags & bit)
                    f += std::string(f.empty() ? "" : ", ") + name;
            info += " " + target + (f.empty() ? "" : " (" + f + ")");
            if (!lla.empty())
                info += " is at " + lla;
        }
        break;
    }
    default:
        if (off + 4 < end)
            add(off + 4, end - off - 4, strf("Data (%zu bytes)", end - off - 4));
        break;
    }
    set_info(info);
}

void Dissector::icmpv6_options(size_t off, size_t end, std::string& link_address)
{
    for (int i = 0; i < 64 && off < end; ++i) {
        if (!fits(off, 2, end, "ICMPv6 option"))
            return;
        uint8_t type = d_[off];
        size_t len = size_t(d_[off + 1]) * 8;
        if (len == 0) {
            problem(DissectedField::Malformed, "Malformed packet: ICMPv6 option with length 0", off, off + 2);
            return;
        }
        if (!fits(off, len, end, "ICMPv6 option"))
            return;
        const uint8_t* v = d_ + off + 2;
        switch (type) {
        case 1:
        case 2:
            if (len == 8) {
                link_address = mac_text(v);
                add(off, len,
                    strf("ICMPv6 Option (%s link-layer address : %s)", type == 1 ? "Source" : "Target",
                         link_address.c_str()));
                break;
            }
            add(off, len, strf("ICMPv6 Option (%s link-layer address)", type == 1 ? "Source" : "Target"));
            break;
        case 3:
            if (len == 32)
                add(off, len,
                    strf("ICMPv6 Option (Prefix information : %s/%u)", ipv6_text(d_ + off + 16).c_str(), v[0]));
            else
                add(off, len, "ICMPv6 Option (Prefix information)");
            break;
        case 5:
            add(off, len,
                len == 8 ? strf("ICMPv6 Option (MTU : %u)", load_be32(d_ + off + 4))
                         : std::string("ICMPv6 Option (MTU)"));
            break;
        case 25: add(off, len, "ICMPv6 Option (Recursive DNS Server)"); break;
        case 31: add(off, len, "ICMPv6 Option (DNS Search List)"); break;
        default: add(off, len, strf("ICMPv6 Option (type %u)", type)); break;
        }
        off += len;
    }
}

void Dissector::igmp(size_t off, size_t end)
{
    auto t = layer(off, end - std::min(off, end), "Internet Group Management Protocol");
    if (!t || !fits(off, 8, end, "IGMP message"))
        return;
    uint8_t type = d_[off];
    const char* name = type == 0x11   ? "Membership Query"
                       : type == 0x12 ? "Membership Report (v1)"
                       : type == 0x16 ? "Membership Report"
                       : type == 0x17 ? "Leave Group"
                       : type == 0x22 ? "Membership Report (v3)"
                                      : "Unknown";
    add(off, 1, strf("Type: %s (0x%02x)", name, type));
    add(off + 1, 1, strf("Max Resp Time: %.1f sec (0x%02x)", d_[off + 1] / 10.0, d_[off + 1]));
    add(off + 2, 2, strf("Checksum: 0x%04x", load_be16(d_ + off + 2)));
    set_protocol("IGMP");
    if (type == 0x22) {
        uint16_t records = load_be16(d_ + off + 6);
        add(off + 6, 2, strf("Num Group Records: %u", records));
        set_info(strf("Membership Report / %u group record%s", records, records == 1 ? "" : "s"));
        return;
    }
    std::string group = ipv4_text(d_ + off + 4);
    add(off + 4, 4, "Multicast Address: " + group);
    if (type == 0x11)
        set_info(load_be32(d_ + off + 4) ? "Membership Query, specific for group " + group
                                         : std::string("Membership Query, general"));
    else
        set_info(std::string(name) + " group " + group);
}

void Dissector::esp(size_t off, size_t end)
{
    auto t = layer(off, end - std::min(off, end), "Encapsulating Security Payload");
    if (!t || !fits(off, 8, end, "ESP header"))
        return;
    uint32_t spi = load_be32(d_ + off);
    add(off, 4, strf("ESP SPI: 0x%08x (%u)", spi, spi));
    add(off + 4, 4, strf("ESP Sequence: %u", load_be32(d_ + off + 4)));
    if (off + 8 < end)
        add(off + 8, end - off - 8, strf("Encrypted payload (%zu bytes)", end - off - 8));
    set_protocol("ESP");
    set_info(strf("ESP (SPI=0x%08x)", spi));
}

void Dissector::ah(size_t off, size_t end)
{
    uint8_t next;
    size_t len;
    {
        auto t = layer(off, 12, "Authentication Header");
        if (!t || !fits(off, 12, end, "AH header"))
            return;
        next = d_[off];
        len = (size_t(d_[off + 1]) + 2) * 4;
        cover(t.index(), off, off + len);
        add(off, 1, strf("Next header: %s (%u)", ip_proto_name(next), next));
        add(off + 1, 1, strf("Length: %zu bytes", len));
        add(off + 4, 4, strf("AH SPI: 0x%08x", load_be32(d_ + off + 4)));
        add(off + 8, 4, strf("AH Sequence: %u", load_be32(d_ + off + 8)));
        if (!fits(off, len, end, "AH header"))
            return;
        if (len > 12)
            add(off + 12, len - 12, "AH ICV: " + hex_text(d_ + off + 12, len - 12));
        set_protocol("AH");
    }
    ip_payload(next, off + len, end);
}

void Dissector::routing_protocol(Proto p, size_t off, size_t end)
{
    const char* name = p == Proto::Ospf  ? "Open Shortest Path First"
                       : p == Proto::Pim ? "Protocol Independent Multicast"
                                         : "Virtual Router Redundancy Protocol";
    auto t = layer(off, end - std::min(off, end), name);
    if (!t || !fits(off, 4, end, "header"))
        return;
    set_protocol(column_name(p));
    if (p == Proto::Ospf) {
        static const char* const kTypes[] = {"Unknown",    "Hello Packet", "DB Description",
                                             "LS Request", "LS Update",    "LS Acknowledge"};
        uint8_t type = d_[off + 1];
        const char* type_name = type < 6 ? kTypes[type] : "Unknown";
        add(off, 1, strf("Version: %u", d_[off]));
        add(off + 1, 1, strf("Message Type: %s (%u)", type_name, type));
        add(off + 2, 2, strf("Packet Length: %u", load_be16(d_ + off + 2)));
        if (fits(off, 12, end, "OSPF header")) {
            add(off + 4, 4, "Source OSPF Router: " + ipv4_text(d_ + off + 4));
            add(off + 8, 4, "Area ID: " + ipv4_text(d_ + off + 8));
        }
        set_info(type_name);
    } else if (p == Proto::Pim) {
        static const char* const kTypes[] = {"Hello",      "Register",  "Register-stop",
                                             "Join/Prune", "Bootstrap", "Assert",
                                             "Graft",      "Graft-Ack", "Candidate-RP-Advertisement"};
        uint8_t type = d_[off] & 15;
        const char* type_name = type < 9 ? kTypes[type] : "Unknown";
        add_bits(off, 1, bit_label(d_[off], 8, 0xF0, strf("Version: %u", d_[off] >> 4)));
        add_bits(off, 1, bit_label(d_[off], 8, 0x0F, strf("Type: %s (%u)", type_name, type)));
        add(off + 2, 2, strf("Checksum: 0x%04x", load_be16(d_ + off + 2)));
        set_info(type_name);
    } else {
        add_bits(off, 1, bit_label(d_[off], 8, 0xF0, strf("Version: %u", d_[off] >> 4)));
        add_bits(
            off, 1,
            bit_label(d_[off], 8, 0x0F,
                      strf("Packet type: %s (%u)", (d_[off] & 15) == 1 ? "Advertisement" : "Unknown", d_[off] & 15)));
        add(off + 1, 1, strf("Virtual Rtr ID: %u", d_[off + 1]));
        add(off + 2, 1, strf("Priority: %u", d_[off + 2]));
        set_info(strf("Announcement (v%u)", d_[off] >> 4));
    }
}

// ---------------------------------------------------------------- transport layer

std::string tcp_flag_names(uint16_t flags)
{
    // Wireshark's order, low bit first.
    static const char* const kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
    std::string s;
    for (int i = 0; i < 9; ++i)
        if (flags >> i & 1)
            s += std::string(s.empty() ? "" : ", ") + kNames[i];
    return s.empty() ? "<None>" : s;
}

void Dissector::tcp(size_t off, size_t end)
{
    uint16_t sp, dp;
    size_t p;
    {
        auto t = layer(off, 20, "Transmission Control Protocol");
        if (!t || !fits(off, 20, end, "TCP header"))
            return;
        const uint8_t* h = d_ + off;
        sp = load_be16(h);
        dp = load_be16(h + 2);
        uint32_t seq = load_be32(h + 4), ack = load_be32(h + 8);
        size_t doff = size_t(h[12] >> 4) * 4;
        uint16_t flags = load_be16(h + 12) & 0x0FFF;
        uint16_t win = load_be16(h + 14);
        add(off, 2, strf("Source Port: %u", sp));
        add(off + 2, 2, strf("Destination Port: %u", dp));
        add(off + 4, 4, strf("Sequence Number (raw): %u", seq));
        add(off + 8, 4, strf("Acknowledgment Number (raw): %u", ack));
        add_bits(off + 12, 1, bit_label(h[12], 8, 0xF0, strf("Header Length: %zu bytes (%u)", doff, h[12] >> 4)));
        {
            auto f = open(off + 12, 2, strf("Flags: 0x%03x (%s)", flags, tcp_flag_names(flags).c_str()));
            uint16_t word = load_be16(h + 12) & 0x0FFF;
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0E00, "Reserved"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0100, "Accurate ECN"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0080, "Congestion Window Reduced"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0040, "ECN-Echo"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0020, "Urgent"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0010, "Acknowledgment"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0008, "Push"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0004, "Reset"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0002, "Syn"));
            add_bits(off + 12, 2, bit_flag(word, 12, 0x0001, "Fin"));
        }
        add(off + 14, 2, strf("Window: %u", win));
        add(off + 16, 2, strf("Checksum: 0x%04x", load_be16(h + 16)));
        add(off + 18, 2, strf("Urgent Pointer: %u", load_be16(h + 18)));
        set_protocol("TCP");
        std::string info = strf("%u \u2192 %u [%s] Seq=%u", sp, dp, tcp_flag_names(flags).c_str(), seq);
        if (flags & 0x10)
            info += strf(" Ack=%u", ack);
        info += strf(" Win=%u", win);
        if (doff < 20) {
            set_info(info);
            problem(DissectedField::Malformed, "Malformed packet: TCP header length below 20", off + 12, off + 13);
            return;
        }
        cover(t.index(), off, off + doff);
        if (!fits(off, doff, end, "TCP header")) {
            set_info(info);
            return;
        }
        std::string options;
        if (doff > 20)
            tcp_options(off + 20, off + doff, options);
        p = off + doff;
        size_t len = end > p ? end - p : 0;
        info += strf(" Len=%zu", len) + options;
        set_info(info);
        relabel(t.index(), strf("Transmission Control Protocol, Src Port: %u, Dst Port: %u, Seq: %u%s, Len: %zu", sp,
                                dp, seq, (flags & 0x10) ? strf(", Ack: %u", ack).c_str() : "", len));
        note(strf("[TCP Segment Len: %zu]", len));
    }
    if (p >= end || quoted_)
        return;
    const char* saved = continues_;
    continues_ = "TCP segment";
    tcp_application(sp, dp, p, end);
    continues_ = saved;
}

void Dissector::tcp_options(size_t off, size_t end, std::string& summary)
{
    auto t = open(off, end - off, strf("Options: (%zu bytes)", end - off));
    std::string names;
    for (int i = 0; i < 40 && off < end; ++i) {
        uint8_t kind = d_[off];
        if (kind == 0 || kind == 1) {
            const char* name = kind == 0 ? "End of Option List (EOL)" : "No-Operation (NOP)";
            add(off, 1, strf("TCP Option - %s", name));
            names += std::string(names.empty() ? "" : ", ") + name;
            off += 1;
            if (kind == 0)
                break;
            continue;
        }
        if (off + 2 > end || d_[off + 1] < 2 || d_[off + 1] > end - off) {
            problem(DissectedField::Malformed, "Malformed packet: TCP option length is invalid", off, end);
            break;
        }
        size_t len = d_[off + 1];
        const uint8_t* v = d_ + off + 2;
        std::string label;
        const char* name;
        switch (kind) {
        case 2:
            name = "Maximum segment size";
            if (len == 4) {
                label = strf("TCP Option - Maximum segment size: %u bytes", load_be16(v));
                summary += strf(" MSS=%u", load_be16(v));
            }
            break;
        case 3:
            name = "Window scale";
            if (len == 3) {
                label = strf("TCP Option - Window scale: %u (multiply by %u)", v[0], v[0] < 15 ? 1u << v[0] : 0u);
                summary += strf(" WS=%u", v[0] < 15 ? 1u << v[0] : 0u);
            }
            break;
        case 4:
            name = "SACK permitted";
            summary += " SACK_PERM";
            break;
        case 5: {
            name = "SACK";
            std::string edges;
            for (size_t k = 0; k + 8 <= len - 2; k += 8)
                edges += strf(" %u-%u", load_be32(v + k), load_be32(v + k + 4));
            label = "TCP Option - SACK" + edges;
            if (len >= 10)
                summary += strf(" SLE=%u SRE=%u", load_be32(v), load_be32(v + 4));
            break;
        }
        case 8:
            name = "Timestamps";
            if (len == 10) {
                label = strf("TCP Option - Timestamps: TSval %u, TSecr %u", load_be32(v), load_be32(v + 4));
                summary += strf(" TSval=%u TSecr=%u", load_be32(v), load_be32(v + 4));
            }
            break;
        case 29: name = "TCP Authentication Option"; break;
        case 30: name = "Multipath TCP"; break;
        case 34: name = "TCP Fast Open Cookie"; break;
        default: name = "Unknown"; break;
        }
        if (label.empty())
            label = strf("TCP Option - %s (%zu bytes)", name, len);
        auto o = open(off, len, label);
        add(off, 1, strf("Kind: %s (%u)", name, kind));
        add(off + 1, 1, strf("Length: %zu", len));
        names += std::string(names.empty() ? "" : ", ") + name;
        off += len;
    }
    if (t.index() < out_.fields.size())
        relabel(t.index(), strf("Options: (%u bytes), %s", out_.fields[t.index()].length, names.c_str()));
}

void Dissector::udp(size_t off, size_t end)
{
    uint16_t sp, dp;
    size_t e;
    {
        auto t = layer(off, 8, "User Datagram Protocol");
        if (!t || !fits(off, 8, end, "UDP header"))
            return;
        sp = load_be16(d_ + off);
        dp = load_be16(d_ + off + 2);
        uint16_t len = load_be16(d_ + off + 4);
        relabel(t.index(), strf("User Datagram Protocol, Src Port: %u, Dst Port: %u", sp, dp));
        add(off, 2, strf("Source Port: %u", sp));
        add(off + 2, 2, strf("Destination Port: %u", dp));
        add(off + 4, 2, strf("Length: %u", len));
        add(off + 6, 2, strf("Checksum: 0x%04x", load_be16(d_ + off + 6)));
        set_protocol("UDP");
        e = end;
        if (len != 0) { // 0 in IPv6 jumbograms
            if (len < 8) {
                set_info(strf("%u \u2192 %u Len=%u", sp, dp, len));
                problem(DissectedField::Malformed, "Malformed packet: UDP length below 8", off + 4, off + 6);
                return;
            }
            e = claim(off, len, end, "UDP length");
        }
        size_t payload = e > off + 8 ? e - off - 8 : 0;
        set_info(strf("%u \u2192 %u Len=%zu", sp, dp, len ? size_t(len - 8) : payload));
        note(strf("[UDP payload: %zu bytes]", payload));
    }
    if (off + 8 >= e || quoted_)
        return;
    udp_application(sp, dp, off + 8, e);
}

const char* sctp_chunk_name(uint8_t type)
{
    switch (type) {
    case 0: return "DATA";
    case 1: return "INIT";
    case 2: return "INIT_ACK";
    case 3: return "SACK";
    case 4: return "HEARTBEAT";
    case 5: return "HEARTBEAT_ACK";
    case 6: return "ABORT";
    case 7: return "SHUTDOWN";
    case 8: return "SHUTDOWN_ACK";
    case 9: return "ERROR";
    case 10: return "COOKIE_ECHO";
    case 11: return "COOKIE_ACK";
    case 14: return "SHUTDOWN_COMPLETE";
    case 15: return "AUTH";
    case 64: return "I_DATA";
    case 128: return "ASCONF_ACK";
    case 130: return "RE_CONFIG";
    case 192: return "FORWARD_TSN";
    case 193: return "ASCONF";
    default: return "UNKNOWN";
    }
}

void Dissector::sctp(size_t off, size_t end)
{
    auto t = layer(off, end - std::min(off, end), "Stream Control Transmission Protocol");
    if (!t || !fits(off, 12, end, "SCTP common header"))
        return;
    uint16_t sp = load_be16(d_ + off), dp = load_be16(d_ + off + 2);
    relabel(t.index(), strf("Stream Control Transmission Protocol, Src Port: %u, Dst Port: %u", sp, dp));
    add(off, 2, strf("Source port: %u", sp));
    add(off + 2, 2, strf("Destination port: %u", dp));
    add(off + 4, 4, strf("Verification tag: 0x%08x", load_be32(d_ + off + 4)));
    add(off + 8, 4, strf("Checksum: 0x%08x", load_be32(d_ + off + 8)));
    set_protocol("SCTP");
    std::string info;
    size_t p = off + 12;
    for (int i = 0; i < 256 && p < end; ++i) {
        if (!fits(p, 4, end, "SCTP chunk header"))
            break;
        uint8_t type = d_[p];
        size_t len = load_be16(d_ + p + 2);
        const char* name = sctp_chunk_name(type);
        if (len < 4) {
            problem(DissectedField::Malformed, "Malformed packet: SCTP chunk length below 4", p + 2, p + 4);
            break;
        }
        size_t ce = claim(p, len, end, "SCTP chunk");
        auto c = open(p, ce - p, strf("%s chunk", name));
        add(p, 1, strf("Chunk type: %s (%u)", name, type));
        add(p + 1, 1, strf("Chunk flags: 0x%02x", d_[p + 1]));
        add(p + 2, 2, strf("Chunk length: %zu", len));
        if (type == 0 && ce >= p + 16) {
            uint32_t tsn = load_be32(d_ + p + 4);
            add(p + 4, 4, strf("Transmission sequence number (relative): %u", tsn));
            add(p + 8, 2, strf("Stream identifier: 0x%04x", load_be16(d_ + p + 8)));
            add(p + 10, 2, strf("Stream sequence number: %u", load_be16(d_ + p + 10)));
            add(p + 12, 4, strf("Payload protocol identifier: %u", load_be32(d_ + p + 12)));
            if (ce > p + 16)
                add(p + 16, ce - p - 16, strf("Chunk data (%zu bytes)", ce - p - 16));
        } else if ((type == 1 || type == 2) && ce >= p + 20) {
            add(p + 4, 4, strf("Initiate tag: 0x%08x", load_be32(d_ + p + 4)));
            add(p + 8, 4, strf("Advertised receiver window credit (a_rwnd): %u", load_be32(d_ + p + 8)));
            add(p + 12, 2, strf("Number of outbound streams: %u", load_be16(d_ + p + 12)));
            add(p + 14, 2, strf("Number of inbound streams: %u", load_be16(d_ + p + 14)));
            add(p + 16, 4, strf("Initial TSN: %u", load_be32(d_ + p + 16)));
        }
        info += std::string(info.empty() ? "" : " ") + name;
        if (ce < p + len)
            break;
        p += (len + 3) & ~size_t(3);
    }
    set_info(info);
}

void Dissector::gre(size_t off, size_t end)
{
    uint16_t proto;
    size_t hlen = 4;
    {
        auto t = layer(off, 4, "Generic Routing Encapsulation");
        if (!t || !fits(off, 4, end, "GRE header"))
            return;
        uint16_t flags = load_be16(d_ + off);
        proto = load_be16(d_ + off + 2);
        int version = flags & 7;
        relabel(t.index(), strf("Generic Routing Encapsulation (%s)", ethertype_name(proto)));
        {
            auto f = open(off, 2, strf("Flags and Version: 0x%04x", flags));
            add_bits(off, 2, bit_flag(flags, 16, 0x8000, "Checksum Bit"));
            add_bits(off, 2, bit_flag(flags, 16, 0x4000, "Routing Bit"));
            add_bits(off, 2, bit_flag(flags, 16, 0x2000, "Key Bit"));
            add_bits(off, 2, bit_flag(flags, 16, 0x1000, "Sequence Number Bit"));
            if (version == 1)
                add_bits(off, 2, bit_flag(flags, 16, 0x0080, "Acknowledgment"));
            add_bits(off, 2, bit_label(flags, 16, 0x0007, strf("Version: %d", version)));
        }
        add(off + 2, 2, strf("Protocol Type: %s (0x%04x)", ethertype_name(proto), proto));
        set_protocol("GRE");
        set_info(strf("Encapsulated %s (0x%04x)", ethertype_name(proto), proto));
        if (flags & 0x8000)
            hlen += 4; // checksum + reserved (or offset)
        if (version == 1)
            hlen += 4; // enhanced GRE (PPTP): payload length + call id
        else if (flags & 0x2000)
            hlen += 4; // key
        if (flags & 0x1000)
            hlen += 4; // sequence
        if (version == 1 && (flags & 0x0080))
            hlen += 4; // acknowledgment
        cover(t.index(), off, off + hlen);
        if (flags & 0x4000) {
            // Source routing (RFC 1701): not in use, not decoded further.
            note("[Source routing is not decoded]");
            return;
        }
        if (!fits(off, hlen, end, "GRE header"))
            return;
        size_t p = off + 4;
        if (flags & 0x8000) {
            add(p, 2, strf("Checksum: 0x%04x", load_be16(d_ + p)));
            add(p + 2, 2, strf("Offset: %u", load_be16(d_ + p + 2)));
            p += 4;
        }
        if (version == 1) {
            add(p, 2, strf("Payload Length: %u", load_be16(d_ + p)));
            add(p + 2, 2, strf("Call ID: %u", load_be16(d_ + p + 2)));
            p += 4;
        } else if (flags & 0x2000) {
            add(p, 4, strf("Key: 0x%08x", load_be32(d_ + p)));
            p += 4;
        }
        if (flags & 0x1000) {
            add(p, 4, strf("Sequence Number: %u", load_be32(d_ + p)));
            p += 4;
        }
        if (version == 1 && (flags & 0x0080))
            add(p, 4, strf("Acknowledgment Number: %u", load_be32(d_ + p)));
    }
    ethertype(proto, off + hlen, end);
}

void Dissector::vxlan(size_t off, size_t end)
{
    {
        auto t = layer(off, 8, "Virtual eXtensible Local Area Network");
        if (!t || !fits(off, 8, end, "VXLAN header"))
            return;
        uint32_t vni = load_be24(d_ + off + 4);
        add(off, 2, strf("Flags: 0x%04x", load_be16(d_ + off)));
        add(off + 2, 2, strf("Group Policy ID: %u", load_be16(d_ + off + 2)));
        add(off + 4, 3, strf("VXLAN Network Identifier (VNI): %u", vni));
        add(off + 7, 1, strf("Reserved: %u", d_[off + 7]));
        set_protocol("VXLAN");
    }
    ethernet(off + 8, end);
}

// ---------------------------------------------------------------- application layer

bool starts_with(const uint8_t* p, size_t n, std::string_view s)
{
    return n >= s.size() && std::memcmp(p, s.data(), s.size()) == 0;
}

// The decoder's heuristics, so the two agree on what a payload is.
bool looks_like_http(const uint8_t* p, size_t n)
{
    static const char* const kStarts[] = {"GET ",     "POST ",    "HEAD ",  "PUT ",   "DELETE ",
                                          "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "HTTP/1."};
    for (const char* s : kStarts)
        if (starts_with(p, n, s))
            return true;
    return false;
}

bool looks_like_tls(const uint8_t* p, size_t n)
{
    // A TLS record: content type 20..23, version 3.0..3.4.
    return n >= 5 && p[0] >= 20 && p[0] <= 23 && p[1] == 3 && p[2] <= 4;
}

void Dissector::tcp_application(uint16_t sp, uint16_t dp, size_t off, size_t end)
{
    const uint8_t* pl = d_ + off;
    size_t n = end - off;
    if (looks_like_tls(pl, n))
        return tls(off, end);
    if (looks_like_http(pl, n))
        return http(off, end);
    if (starts_with(pl, n, "SSH-"))
        return ssh(dp == 22 || sp > dp, off, end);
    // Like Wireshark, try the lower port first.
    uint16_t lo = std::min(sp, dp), hi = std::max(sp, dp);
    uint16_t port = lo;
    Proto a = proto_for_port(lo, true);
    if (a == Proto::None) {
        a = proto_for_port(hi, true);
        port = hi;
    }
    switch (a) {
    case Proto::None: data(off, end); return;
    case Proto::Tls: tls(off, end); return;
    case Proto::Http: http(off, end); return;
    case Proto::Ssh: ssh(dp == port, off, end); return;
    case Proto::Dns: dns(Proto::Dns, off, end, true); return;
    case Proto::Llmnr: dns(Proto::Llmnr, off, end, true); return;
    case Proto::Ftp:
    case Proto::Smtp:
    case Proto::Pop3:
    case Proto::Imap:
    case Proto::Sip:
    case Proto::Rtsp: text_protocol(a, port, off, end); return;
    default: by_port(a, port, off, end); return;
    }
}

void Dissector::udp_application(uint16_t sp, uint16_t dp, size_t off, size_t end)
{
    auto is = [&](uint16_t port) { return sp == port || dp == port; };
    if (is(4789))
        return vxlan(off, end);
    // QUIC long header (RFC 9000 17.2): form bit and fixed bit set, or a short
    // header with the fixed bit.
    if ((is(443) || is(8443)) && (d_[off] & 0x40))
        return quic(off, end);
    uint16_t lo = std::min(sp, dp), hi = std::max(sp, dp);
    uint16_t port = lo;
    Proto a = proto_for_port(lo, false);
    if (a == Proto::None || a == Proto::Quic) {
        a = proto_for_port(hi, false);
        port = hi;
    }
    switch (a) {
    case Proto::None:
    case Proto::Quic: data(off, end); return;
    case Proto::Dns:
    case Proto::Mdns:
    case Proto::Llmnr: dns(a, off, end, false); return;
    case Proto::Dhcp: dhcp(off, end); return;
    case Proto::Dhcpv6: dhcpv6(off, end); return;
    case Proto::Ntp: ntp(off, end); return;
    case Proto::Ssdp:
    case Proto::Sip:
    case Proto::Syslog: text_protocol(a, port, off, end); return;
    default: by_port(a, port, off, end); return;
    }
}

// ---- DNS (RFC 1035), mDNS (RFC 6762), LLMNR (RFC 4795)

const char* dns_type_name(uint16_t t)
{
    switch (t) {
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

std::string dns_type_text(uint16_t t)
{
    const char* n = dns_type_name(t);
    return n ? std::string(n) : strf("Unknown (%u)", t);
}

const char* dns_rcode_name(unsigned rcode)
{
    static const char* const kNames[] = {"No error",        "Format error",      "Server failure", "No such name",
                                         "Not implemented", "Refused",           "YXDomain",       "YXRRSet",
                                         "NXRRSet",         "Not authoritative", "Not zone"};
    return rcode < 11 ? kNames[rcode] : "Unknown error";
}

bool Dissector::dns_name(size_t msg, size_t pos, size_t end, std::string& name, size_t& next)
{
    name.clear();
    bool jumped = false;
    for (int jumps = 0;;) {
        if (!fits(pos, 1, end, "DNS name"))
            return false;
        uint8_t len = d_[pos];
        if (len == 0) {
            if (!jumped)
                next = pos + 1;
            if (name.empty())
                name = "<Root>";
            return true;
        }
        if ((len & 0xC0) == 0xC0) {
            if (!fits(pos, 2, end, "DNS name pointer"))
                return false;
            size_t target = msg + (size_t(len & 0x3F) << 8 | d_[pos + 1]);
            if (++jumps > 32 || target >= end) {
                problem(DissectedField::Malformed,
                        jumps > 32 ? "Malformed packet: DNS name pointers loop"
                                   : "Malformed packet: DNS name pointer past the message",
                        pos, pos + 2);
                return false;
            }
            if (!jumped)
                next = pos + 2;
            jumped = true;
            pos = target;
            continue;
        }
        if (len & 0xC0) {
            problem(DissectedField::Malformed, "Malformed packet: DNS label of an obsolete type", pos, pos + 1);
            return false;
        }
        if (!fits(pos + 1, len, end, "DNS label"))
            return false;
        if (name.size() + len + 1 > 255) {
            problem(DissectedField::Malformed, "Malformed packet: DNS name longer than 255 bytes", pos, pos + 1 + len);
            return false;
        }
        if (!name.empty())
            name += '.';
        name += printable_name(d_ + pos + 1, len);
        pos += 1 + size_t(len);
    }
}

// One question or resource record at `pos`; appends its summary to `info`.
bool Dissector::dns_record(size_t msg, size_t& pos, size_t end, bool question, bool mdns, std::string& info)
{
    std::string name;
    size_t next = 0;
    size_t start = pos;
    auto item = open(pos, 1, question ? "DNS question" : "DNS resource record");
    if (!dns_name(msg, pos, end, name, next))
        return false;
    if (!fits(next, question ? 4 : 10, end, question ? "DNS question" : "DNS resource record"))
        return false;
    uint16_t type = load_be16(d_ + next), klass = load_be16(d_ + next + 2);
    uint16_t cls = mdns ? klass & 0x7FFF : klass;
    std::string cls_text = cls == 1 ? "IN" : cls == 3 ? "CH" : cls == 255 ? "ANY" : strf("0x%04x", cls);
    std::string type_text = dns_type_text(type);
    add(start, next - start, "Name: " + name);
    if (type == 41 && !question) {
        // EDNS(0) OPT pseudo-record (RFC 6891): the class is the UDP payload size.
        add(next, 2, "Type: OPT (41)");
        add(next + 2, 2, strf("UDP payload size: %u", klass));
        add(next + 4, 1, strf("Higher bits in extended RCODE: 0x%02x", d_[next + 4]));
        add(next + 5, 1, strf("EDNS0 version: %u", d_[next + 5]));
        add(next + 6, 2, strf("Z: 0x%04x", load_be16(d_ + next + 6)));
    } else {
        add(next, 2, strf("Type: %s (%u)", type_text.c_str(), type));
        add(next + 2, 2, strf("Class: %s (0x%04x)", cls_text.c_str(), cls));
        if (mdns)
            add_bits(next + 2, 2,
                     bit_label(klass, 16, 0x8000,
                               question ? ((klass & 0x8000) ? "\"QU\" question: True" : "\"QU\" question: False")
                                        : ((klass & 0x8000) ? "Cache flush: True" : "Cache flush: False")));
    }
    std::string label = name + ": type " + type_text + ", class " + cls_text;
    if (question) {
        pos = next + 4;
        cover(item.index(), start, pos);
        relabel(item.index(), label);
        info += " " + type_text + " " + name;
        return true;
    }
    if (type != 41)
        add(next + 4, 4, strf("Time to live: %u", load_be32(d_ + next + 4)));
    size_t rdlen = load_be16(d_ + next + 8);
    add(next + 8, 2, strf("Data length: %zu", rdlen));
    size_t rd = next + 10;
    pos = rd + rdlen;
    cover(item.index(), start, pos);
    relabel(item.index(), label);
    if (!fits(rd, rdlen, end, "DNS record data"))
        return false;
    std::string summary, target;
    size_t ignored = 0;
    switch (type) {
    case 1:
        if (rdlen == 4) {
            summary = ipv4_text(d_ + rd);
            add(rd, 4, "Address: " + summary);
            label += ", addr " + summary;
        }
        break;
    case 28:
        if (rdlen == 16) {
            summary = ipv6_text(d_ + rd);
            add(rd, 16, "AAAA Address: " + summary);
            label += ", addr " + summary;
        }
        break;
    case 2:
    case 5:
    case 12:
    case 39:
        if (dns_name(msg, rd, rd + rdlen, target, ignored)) {
            const char* what = type == 2 ? "Name Server" : type == 5 ? "CNAME" : type == 12 ? "Domain Name" : "DNAME";
            add(rd, rdlen, std::string(what) + ": " + target);
            summary = target;
            label += (type == 2 ? ", ns " : type == 5 ? ", cname " : ", ") + target;
        }
        break;
    case 15:
        if (rdlen >= 3 && dns_name(msg, rd + 2, rd + rdlen, target, ignored)) {
            add(rd, 2, strf("Preference: %u", load_be16(d_ + rd)));
            add(rd + 2, rdlen - 2, "Mail Exchange: " + target);
            summary = strf("%u ", load_be16(d_ + rd)) + target;
            label += strf(", preference %u, mx ", load_be16(d_ + rd)) + target;
        }
        break;
    case 33:
        if (rdlen >= 7 && dns_name(msg, rd + 6, rd + rdlen, target, ignored)) {
            add(rd, 2, strf("Priority: %u", load_be16(d_ + rd)));
            add(rd + 2, 2, strf("Weight: %u", load_be16(d_ + rd + 2)));
            add(rd + 4, 2, strf("Port: %u", load_be16(d_ + rd + 4)));
            add(rd + 6, rdlen - 6, "Target: " + target);
            summary = strf("%u %u %u ", load_be16(d_ + rd), load_be16(d_ + rd + 2), load_be16(d_ + rd + 4)) + target;
            label += strf(", priority %u, weight %u, port %u, target ", load_be16(d_ + rd), load_be16(d_ + rd + 2),
                          load_be16(d_ + rd + 4)) +
                     target;
        }
        break;
    case 16:
        for (size_t p = rd; p < rd + rdlen;) {
            size_t l = d_[p];
            if (p + 1 + l > rd + rdlen) {
                problem(DissectedField::Malformed, "Malformed packet: TXT string overruns its record", p, rd + rdlen);
                break;
            }
            add(p, 1 + l, "TXT: " + printable_text(d_ + p + 1, l));
            p += 1 + l;
        }
        break;
    case 6:
        if (dns_name(msg, rd, rd + rdlen, target, ignored)) {
            size_t after_mname = ignored;
            std::string rname;
            size_t after_rname = 0;
            add(rd, after_mname - rd, "Primary name server: " + target);
            summary = target;
            label += ", mname " + target;
            if (dns_name(msg, after_mname, rd + rdlen, rname, after_rname) &&
                fits(after_rname, 20, rd + rdlen, "SOA record")) {
                add(after_mname, after_rname - after_mname, "Responsible authority's mailbox: " + rname);
                static const char* const kFields[] = {"Serial Number", "Refresh Interval", "Retry Interval",
                                                      "Expire limit", "Minimum TTL"};
                for (size_t k = 0; k < 5; ++k)
                    add(after_rname + 4 * k, 4, strf("%s: %u", kFields[k], load_be32(d_ + after_rname + 4 * k)));
            }
        }
        break;
    default:
        if (rdlen)
            add(rd, rdlen, "Data: " + hex_text(d_ + rd, rdlen));
        break;
    }
    relabel(item.index(), label);
    if (type == 41)
        info += " OPT";
    else
        info += " " + type_text + (summary.empty() ? "" : " " + summary);
    return true;
}

void Dissector::dns(Proto kind, size_t off, size_t end, bool over_tcp)
{
    const char* title = kind == Proto::Mdns    ? "Multicast Domain Name System"
                        : kind == Proto::Llmnr ? "Link-local Multicast Name Resolution"
                                               : "Domain Name System";
    auto t = layer(off, end - off, title);
    if (!t)
        return;
    set_protocol(column_name(kind));
    size_t msg = off;
    if (over_tcp) {
        // DNS over TCP (RFC 1035 4.2.2): a two-byte length ahead of each message.
        if (!fits(off, 2, end, "DNS length"))
            return;
        size_t len = load_be16(d_ + off);
        add(off, 2, strf("Length: %zu", len));
        msg = off + 2;
        end = claim(msg, len, end, "DNS message");
    }
    if (!fits(msg, 12, end, "DNS header"))
        return;
    const uint8_t* h = d_ + msg;
    uint16_t id = load_be16(h), flags = load_be16(h + 2);
    bool response = flags & 0x8000;
    unsigned opcode = (flags >> 11) & 15, rcode = flags & 15;
    static const char* const kOpcodes[] = {"Standard query",           "Inverse query",
                                           "Server status request",    "Unknown",
                                           "Zone change notification", "Dynamic update"};
    const char* op_name = opcode < 6 ? kOpcodes[opcode] : "Unknown operation";
    relabel(t.index(), strf("%s (%s)", title, response ? "response" : "query"));
    add(msg, 2, strf("Transaction ID: 0x%04x", id));
    {
        std::string summary = std::string(op_name) + (response ? " response" : "");
        if (response)
            summary += std::string(", ") + dns_rcode_name(rcode);
        auto f = open(msg + 2, 2, strf("Flags: 0x%04x %s", flags, summary.c_str()));
        add_bits(msg + 2, 2,
                 bit_label(flags, 16, 0x8000,
                           response ? "Response: Message is a response" : "Response: Message is a query"));
        add_bits(msg + 2, 2, bit_label(flags, 16, 0x7800, strf("Opcode: %s (%u)", op_name, opcode)));
        if (response)
            add_bits(msg + 2, 2, bit_flag(flags, 16, 0x0400, "Authoritative"));
        add_bits(
            msg + 2, 2,
            bit_label(flags, 16, 0x0200,
                      (flags & 0x0200) ? "Truncated: Message is truncated" : "Truncated: Message is not truncated"));
        add_bits(msg + 2, 2,
                 bit_label(flags, 16, 0x0100,
                           (flags & 0x0100) ? "Recursion desired: Do query recursively"
                                            : "Recursion desired: Don't do query recursively"));
        if (response)
            add_bits(msg + 2, 2,
                     bit_label(flags, 16, 0x0080,
                               (flags & 0x0080) ? "Recursion available: Server can do recursive queries"
                                                : "Recursion available: Server can't do recursive queries"));
        add_bits(msg + 2, 2, bit_label(flags, 16, 0x0040, "Z: reserved (0)"));
        add_bits(msg + 2, 2, bit_flag(flags, 16, 0x0020, "Answer authenticated"));
        add_bits(msg + 2, 2, bit_flag(flags, 16, 0x0010, "Non-authenticated data"));
        if (response)
            add_bits(msg + 2, 2,
                     bit_label(flags, 16, 0x000F, strf("Reply code: %s (%u)", dns_rcode_name(rcode), rcode)));
    }
    size_t counts[4] = {load_be16(h + 4), load_be16(h + 6), load_be16(h + 8), load_be16(h + 10)};
    static const char* const kCountNames[] = {"Questions", "Answer RRs", "Authority RRs", "Additional RRs"};
    for (size_t i = 0; i < 4; ++i)
        add(msg + 4 + 2 * i, 2, strf("%s: %zu", kCountNames[i], counts[i]));
    std::string info = strf("%s%s 0x%04x", op_name, response ? " response" : "", id);
    if (response && rcode)
        info += std::string(" ") + dns_rcode_name(rcode);
    std::string answers, ignored;
    static const char* const kSections[] = {"Queries", "Answers", "Authoritative nameservers", "Additional records"};
    size_t pos = msg + 12;
    bool ok = true;
    for (size_t s = 0; s < 4 && ok; ++s) {
        if (!counts[s])
            continue;
        auto section = open(pos, 0, kSections[s]);
        size_t start = pos;
        std::string& summary = s == 0 ? info : s == 1 ? answers : s == 3 ? answers : ignored;
        for (size_t i = 0; i < counts[s] && ok; ++i) {
            if (i >= 256) {
                note(strf("[%zu more records are not shown]", counts[s] - i));
                break;
            }
            std::string one;
            ok = dns_record(msg, pos, end, s == 0, kind == Proto::Mdns, one);
            // Only the answers and an OPT record go into the Info column, as Wireshark does.
            if (ok && (s != 3 || one == " OPT"))
                summary += one;
        }
        cover(section.index(), start, pos);
    }
    set_info(info + answers);
}

// ---- DHCP (RFC 2131, RFC 2132)

const char* dhcp_message_type_name(uint8_t t)
{
    static const char* const kNames[] = {
        "Unknown", "Discover", "Offer",       "Request",     "Decline",          "ACK",           "NAK",
        "Release", "Inform",   "Force Renew", "Lease query", "Lease Unassigned", "Lease Unknown", "Lease Active"};
    return t < 14 ? kNames[t] : "Unknown";
}

const char* dhcp_option_name(uint8_t code)
{
    switch (code) {
    case 0: return "Padding";
    case 1: return "Subnet Mask";
    case 2: return "Time Offset";
    case 3: return "Router";
    case 6: return "Domain Name Server";
    case 12: return "Host Name";
    case 15: return "Domain Name";
    case 26: return "Interface MTU";
    case 28: return "Broadcast Address";
    case 42: return "Network Time Protocol Servers";
    case 43: return "Vendor-Specific Information";
    case 44: return "NetBIOS over TCP/IP Name Server";
    case 50: return "Requested IP Address";
    case 51: return "IP Address Lease Time";
    case 52: return "Option Overload";
    case 53: return "DHCP Message Type";
    case 54: return "DHCP Server Identifier";
    case 55: return "Parameter Request List";
    case 56: return "Message";
    case 57: return "Maximum DHCP Message Size";
    case 58: return "Renewal Time Value";
    case 59: return "Rebinding Time Value";
    case 60: return "Vendor class identifier";
    case 61: return "Client identifier";
    case 66: return "TFTP Server Name";
    case 67: return "Bootfile name";
    case 80: return "Rapid Commit";
    case 81: return "Client Fully Qualified Domain Name";
    case 82: return "Agent Information Option";
    case 108: return "IPv6-Only Preferred";
    case 114: return "DHCP Captive-Portal";
    case 116: return "DHCP Auto-Configuration";
    case 119: return "Domain Search";
    case 121: return "Classless Static Route";
    case 145: return "Forcerenew Nonce Capable";
    case 252: return "Private/Proxy autodiscovery";
    case 255: return "End";
    default: return "Unknown";
    }
}

std::string duration_text(uint32_t s)
{
    std::string t = strf("(%us)", s);
    if (s >= 86400 && s % 86400 == 0)
        t += strf(" %u day%s", s / 86400, s == 86400 ? "" : "s");
    else if (s >= 3600 && s % 3600 == 0)
        t += strf(" %u hour%s", s / 3600, s == 3600 ? "" : "s");
    else if (s >= 60 && s % 60 == 0)
        t += strf(" %u minute%s", s / 60, s == 60 ? "" : "s");
    return t;
}

void Dissector::dhcp(size_t off, size_t end)
{
    auto t = layer(off, end - off, "Dynamic Host Configuration Protocol");
    if (!t)
        return;
    set_protocol("DHCP");
    if (!fits(off, 236, end, "BOOTP fixed part"))
        return;
    const uint8_t* b = d_ + off;
    uint8_t op = b[0];
    uint32_t xid = load_be32(b + 4);
    add(off, 1, strf("Message type: %s (%u)", op == 1 ? "Boot Request" : op == 2 ? "Boot Reply" : "Unknown", op));
    add(off + 1, 1, strf("Hardware type: %s (0x%02x)", b[1] == 1 ? "Ethernet" : "Unknown", b[1]));
    add(off + 2, 1, strf("Hardware address length: %u", b[2]));
    add(off + 3, 1, strf("Hops: %u", b[3]));
    add(off + 4, 4, strf("Transaction ID: 0x%08x", xid));
    add(off + 8, 2, strf("Seconds elapsed: %u", load_be16(b + 8)));
    uint16_t bflags = load_be16(b + 10);
    {
        auto f =
            open(off + 10, 2, strf("Bootp flags: 0x%04x (%s)", bflags, (bflags & 0x8000) ? "Broadcast" : "Unicast"));
        add_bits(
            off + 10, 2,
            bit_label(bflags, 16, 0x8000, (bflags & 0x8000) ? "Broadcast flag: Broadcast" : "Broadcast flag: Unicast"));
        add_bits(off + 10, 2, bit_label(bflags, 16, 0x7FFF, strf("Reserved flags: 0x%04x", bflags & 0x7FFF)));
    }
    add(off + 12, 4, "Client IP address: " + ipv4_text(b + 12));
    add(off + 16, 4, "Your (client) IP address: " + ipv4_text(b + 16));
    add(off + 20, 4, "Next server IP address: " + ipv4_text(b + 20));
    add(off + 24, 4, "Relay agent IP address: " + ipv4_text(b + 24));
    bool ether = b[1] == 1 && b[2] == 6;
    if (ether) {
        add(off + 28, 6, "Client MAC address: " + mac_text(b + 28));
        add(off + 34, 10, "Client hardware address padding: " + hex_text(b + 34, 10));
    } else {
        add(off + 28, 16, "Client hardware address: " + hex_text(b + 28, std::min<size_t>(b[2], 16)));
    }
    auto cstring = [&](size_t at, size_t max, const char* what) {
        size_t len = 0;
        while (len < max && d_[at + len])
            ++len;
        add(at, max, len ? strf("%s: %s", what, printable_text(d_ + at, len).c_str()) : strf("%s not given", what));
    };
    cstring(off + 44, 64, "Server host name");
    cstring(off + 108, 128, "Boot file name");
    if (off + 240 > end || load_be32(b + 236) != 0x63825363) {
        relabel(t.index(), "Bootstrap Protocol");
        set_protocol("BOOTP");
        set_info(strf("%s - Transaction ID 0x%08x", op == 1 ? "Boot Request" : "Boot Reply", xid));
        return;
    }
    add(off + 236, 4, "Magic cookie: DHCP");
    uint8_t type = 0;
    std::string host;
    size_t p = off + 240;
    for (int i = 0; i < 512 && p < end; ++i) {
        uint8_t code = d_[p];
        if (code == 0) {
            size_t q = p;
            while (q < end && d_[q] == 0)
                ++q;
            add(p, q - p, "Padding: " + hex_text(d_ + p, q - p, 16));
            p = q;
            continue;
        }
        if (code == 255) {
            auto o = open(p, 1, "Option: (255) End");
            add(p, 1, "Option End: 255");
            ++p;
            if (p < end)
                add(p, end - p, "Padding: " + hex_text(d_ + p, end - p, 16));
            break;
        }
        if (!fits(p, 2, end, "DHCP option"))
            return;
        size_t len = d_[p + 1];
        if (!fits(p + 2, len, end, "DHCP option"))
            return;
        const uint8_t* v = d_ + p + 2;
        std::string summary;
        if (code == 53 && len == 1) {
            type = v[0];
            summary = strf(" (%s)", dhcp_message_type_name(type));
        } else if ((code == 50 || code == 54 || code == 1 || code == 28) && len == 4) {
            summary = " (" + ipv4_text(v) + ")";
        } else if (code == 12 && len) {
            host = printable_text(v, len, 64);
        }
        auto o = open(p, 2 + len, strf("Option: (%u) %s%s", code, dhcp_option_name(code), summary.c_str()));
        add(p + 1, 1, strf("Length: %zu", len));
        size_t at = p + 2;
        switch (code) {
        case 53:
            if (len == 1)
                add(at, 1, strf("DHCP: %s (%u)", dhcp_message_type_name(v[0]), v[0]));
            break;
        case 1:
        case 3:
        case 6:
        case 28:
        case 42:
        case 44:
        case 50:
        case 54:
            for (size_t k = 0; k + 4 <= len; k += 4)
                add(at + k, 4, strf("%s: %s", dhcp_option_name(code), ipv4_text(v + k).c_str()));
            break;
        case 12:
        case 15:
        case 56:
        case 60:
        case 66:
        case 67:
        case 114:
        case 252: add(at, len, strf("%s: %s", dhcp_option_name(code), printable_text(v, len).c_str())); break;
        case 51:
        case 58:
        case 59:
            if (len == 4)
                add(at, 4, strf("%s: %s", dhcp_option_name(code), duration_text(load_be32(v)).c_str()));
            break;
        case 57:
            if (len == 2)
                add(at, 2, strf("Maximum DHCP Message Size: %u", load_be16(v)));
            break;
        case 55:
            for (size_t k = 0; k < len; ++k)
                add(at + k, 1, strf("Parameter Request List Item: (%u) %s", v[k], dhcp_option_name(v[k])));
            break;
        case 61:
            if (len == 7 && v[0] == 1) {
                add(at, 1, "Hardware type: Ethernet (0x01)");
                add(at + 1, 6, "Client MAC address: " + mac_text(v + 1));
                break;
            }
            [[fallthrough]];
        default:
            if (len)
                add(at, len, "Value: " + hex_text(v, len));
            break;
        }
        p += 2 + len;
    }
    const char* name = type ? dhcp_message_type_name(type) : "";
    if (type)
        relabel(t.index(), strf("Dynamic Host Configuration Protocol (%s)", name));
    set_info(type ? strf("DHCP %s - Transaction ID 0x%08x", name, xid)
                  : strf("%s - Transaction ID 0x%08x", op == 1 ? "Boot Request" : "Boot Reply", xid));
}

void Dissector::dhcpv6(size_t off, size_t end)
{
    auto t = layer(off, end - off, "DHCPv6");
    if (!t || !fits(off, 4, end, "DHCPv6 header"))
        return;
    static const char* const kTypes[] = {"Unknown",    "Solicit",    "Advertise",   "Request",
                                         "Confirm",    "Renew",      "Rebind",      "Reply",
                                         "Release",    "Decline",    "Reconfigure", "Information-request",
                                         "Relay-forw", "Relay-reply"};
    uint8_t type = d_[off];
    const char* name = type < 14 ? kTypes[type] : "Unknown";
    add(off, 1, strf("Message type: %s (%u)", name, type));
    set_protocol("DHCPv6");
    if (type == 12 || type == 13) {
        add(off + 1, 1, strf("Hopcount: %u", d_[off + 1]));
        if (fits(off, 34, end, "DHCPv6 relay header")) {
            add(off + 2, 16, "Link address: " + ipv6_text(d_ + off + 2));
            add(off + 18, 16, "Peer address: " + ipv6_text(d_ + off + 18));
        }
        set_info(std::string(name) + " L: " + (off + 34 <= end ? ipv6_text(d_ + off + 2) : std::string("?")));
        return;
    }
    uint32_t xid = load_be24(d_ + off + 1);
    add(off + 1, 3, strf("Transaction ID: 0x%06x", xid));
    size_t p = off + 4;
    for (int i = 0; i < 128 && p < end; ++i) {
        if (!fits(p, 4, end, "DHCPv6 option"))
            break;
        uint16_t code = load_be16(d_ + p);
        size_t len = load_be16(d_ + p + 2);
        if (!fits(p + 4, len, end, "DHCPv6 option"))
            break;
        const char* oname = code == 1    ? "Client Identifier"
                            : code == 2  ? "Server Identifier"
                            : code == 3  ? "Identity Association for Non-temporary Address"
                            : code == 6  ? "Option Request"
                            : code == 8  ? "Elapsed time"
                            : code == 23 ? "DNS recursive name server"
                            : code == 24 ? "Domain Search List"
                            : code == 25 ? "Identity Association for Prefix Delegation"
                            : code == 39 ? "Fully Qualified Domain Name"
                                         : "Option";
        add(p, 4 + len, strf("%s (%u), length %zu", oname, code, len));
        p += 4 + len;
    }
    set_info(strf("%s XID: 0x%06x", name, xid));
}

// ---- NTP (RFC 5905)

void Dissector::ntp(size_t off, size_t end)
{
    auto t = layer(off, 48, "Network Time Protocol");
    if (!t || !fits(off, 1, end, "NTP header"))
        return;
    const uint8_t* h = d_ + off;
    unsigned li = h[0] >> 6, version = (h[0] >> 3) & 7, mode = h[0] & 7;
    static const char* const kModes[] = {"reserved",
                                         "symmetric active",
                                         "symmetric passive",
                                         "client",
                                         "server",
                                         "broadcast",
                                         "reserved for NTP control message",
                                         "reserved for private use"};
    static const char* const kLeap[] = {"no warning", "last minute of the day has 61 seconds",
                                        "last minute of the day has 59 seconds", "unknown (clock unsynchronized)"};
    relabel(t.index(), strf("Network Time Protocol (NTP Version %u, %s)", version, kModes[mode]));
    {
        auto f = open(off, 1,
                      strf("Flags: 0x%02x, Leap Indicator: %s, Version number: NTP Version %u, Mode: %s", h[0],
                           kLeap[li], version, kModes[mode]));
        add_bits(off, 1, bit_label(h[0], 8, 0xC0, strf("Leap Indicator: %s (%u)", kLeap[li], li)));
        add_bits(off, 1, bit_label(h[0], 8, 0x38, strf("Version number: NTP Version %u (%u)", version, version)));
        add_bits(off, 1, bit_label(h[0], 8, 0x07, strf("Mode: %s (%u)", kModes[mode], mode)));
    }
    set_protocol("NTP");
    set_info(strf("NTP Version %u, %s", version, kModes[mode]));
    if (mode == 6 || mode == 7) {
        cover(t.index(), off, end);
        if (off + 1 < end)
            add(off + 1, end - off - 1, strf("Control message (%zu bytes)", end - off - 1));
        return;
    }
    if (!fits(off, 48, end, "NTP packet"))
        return;
    uint8_t stratum = h[1];
    add(off + 1, 1,
        stratum == 0   ? std::string("Peer Clock Stratum: unspecified or invalid (0)")
        : stratum == 1 ? std::string("Peer Clock Stratum: primary reference (1)")
        : stratum < 16 ? strf("Peer Clock Stratum: secondary reference (%u)", stratum)
                       : strf("Peer Clock Stratum: unsynchronized (%u)", stratum));
    add(off + 2, 1, strf("Peer Polling Interval: %d (%g seconds)", int(int8_t(h[2])), std::ldexp(1.0, int8_t(h[2]))));
    add(off + 3, 1, strf("Peer Clock Precision: %.9f seconds", std::ldexp(1.0, int8_t(h[3]))));
    add(off + 4, 4, strf("Root Delay: %.6f seconds", load_be32(h + 4) / 65536.0));
    add(off + 8, 4, strf("Root Dispersion: %.6f seconds", load_be32(h + 8) / 65536.0));
    if (stratum <= 1)
        add(off + 12, 4, "Reference ID: " + printable_text(h + 12, size_t(std::find(h + 12, h + 16, 0) - (h + 12))));
    else
        add(off + 12, 4, "Reference ID: " + ipv4_text(h + 12));
    static const char* const kStamps[] = {"Reference Timestamp", "Origin Timestamp", "Receive Timestamp",
                                          "Transmit Timestamp"};
    for (size_t i = 0; i < 4; ++i) {
        const uint8_t* ts = h + 16 + 8 * i;
        add(off + 16 + 8 * i, 8, strf("%s: %s", kStamps[i], ntp_time_text(load_be32(ts), load_be32(ts + 4)).c_str()));
    }
    if (off + 48 < end) {
        cover(t.index(), off, end);
        add(off + 48, end - off - 48, strf("Extension fields / MAC (%zu bytes)", end - off - 48));
    }
}

// ---- HTTP/1.x and the text protocols that look like it

// The line starting at `off`, without its terminator; `next` is past the terminator.
// False when no terminator was found before `end`.
bool text_line(const uint8_t* d, size_t off, size_t end, size_t& line_end, size_t& next)
{
    const void* nl = off < end ? std::memchr(d + off, '\n', end - off) : nullptr;
    if (!nl) {
        line_end = next = end;
        return false;
    }
    next = size_t(static_cast<const uint8_t*>(nl) - d) + 1;
    line_end = next - 1;
    if (line_end > off && d[line_end - 1] == '\r')
        --line_end;
    return true;
}

void Dissector::http(size_t off, size_t end)
{
    auto t = layer(off, end - off, "Hypertext Transfer Protocol");
    if (!t)
        return;
    set_protocol("HTTP");
    if (!looks_like_http(d_ + off, end - off)) {
        add(off, end - off, strf("File Data: %zu bytes", end - off));
        set_info("Continuation");
        return;
    }
    size_t line_end, next;
    bool complete = text_line(d_, off, end, line_end, next);
    std::string first = printable_text(d_ + off, line_end - off);
    std::string host, content_type;
    {
        auto line = open(off, next - off, first + (complete ? "\\r\\n" : ""));
        // "METHOD URI VERSION" or "VERSION CODE PHRASE" (RFC 9112 3, 4).
        const uint8_t* b = d_ + off;
        size_t n = line_end - off;
        const uint8_t* sp1 = static_cast<const uint8_t*>(std::memchr(b, ' ', n));
        size_t a = sp1 ? size_t(sp1 - b) : n;
        const uint8_t* sp2 = a + 1 < n ? static_cast<const uint8_t*>(std::memchr(b + a + 1, ' ', n - a - 1)) : nullptr;
        size_t c = sp2 ? size_t(sp2 - b) : n;
        bool response = starts_with(b, n, "HTTP/");
        if (response) {
            add(off, a, "Response Version: " + printable_text(b, a));
            if (a < n)
                add(off + a + 1, c - a - 1, "Status Code: " + printable_text(b + a + 1, c - a - 1));
            if (c < n)
                add(off + c + 1, n - c - 1, "Response Phrase: " + printable_text(b + c + 1, n - c - 1));
        } else {
            add(off, a, "Request Method: " + printable_text(b, a));
            if (a < n)
                add(off + a + 1, c - a - 1, "Request URI: " + printable_text(b + a + 1, c - a - 1));
            if (c < n)
                add(off + c + 1, n - c - 1, "Request Version: " + printable_text(b + c + 1, n - c - 1));
        }
    }
    size_t p = next;
    bool headers_done = false;
    for (int i = 0; i < 200 && complete && p < end; ++i) {
        complete = text_line(d_, p, end, line_end, next);
        if (complete && line_end == p) {
            add(p, next - p, "\\r\\n");
            p = next;
            headers_done = true;
            break;
        }
        std::string text = printable_text(d_ + p, line_end - p);
        add(p, next - p, text + (complete ? "\\r\\n" : ""));
        auto header_value = [&](std::string_view name) -> std::string {
            if (text.size() <= name.size() || text[name.size()] != ':')
                return {};
            for (size_t k = 0; k < name.size(); ++k)
                if (std::tolower(static_cast<unsigned char>(text[k])) != name[k])
                    return {};
            size_t v = name.size() + 1;
            while (v < text.size() && text[v] == ' ')
                ++v;
            return text.substr(v);
        };
        if (std::string h = header_value("host"); !h.empty())
            host = h;
        if (std::string c = header_value("content-type"); !c.empty())
            content_type = c.substr(0, c.find(';'));
        p = next;
    }
    if (!headers_done) {
        if (capture_cut(end))
            problem(DissectedField::Truncated, "Packet size limited during capture: HTTP headers truncated", p, end);
        else
            note("[HTTP headers continue in the next TCP segment]");
    } else if (p < end) {
        add(p, end - p, strf("File Data: %zu bytes", end - p));
    }
    if (!starts_with(d_ + off, end - off, "HTTP/") && !host.empty()) {
        size_t a = first.find(' ');
        std::string uri = a == std::string::npos ? std::string() : first.substr(a + 1);
        uri = uri.substr(0, uri.find(' '));
        if (!uri.empty() && uri[0] == '/')
            note("[Full request URI: http://" + host + uri + "]");
    }
    set_info(first + (content_type.empty() ? "" : "  (" + content_type + ")"));
}

// Line-based protocols found by port; binary data on their port is shown as such.
void Dissector::text_protocol(Proto p, uint16_t port, size_t off, size_t end)
{
    for (size_t i = off; i < end && i < off + 64; ++i)
        if ((d_[i] < 0x20 && d_[i] != '\r' && d_[i] != '\n' && d_[i] != '\t') || d_[i] >= 0x7F)
            return by_port(p, port, off, end);
    const char* title;
    switch (p) {
    case Proto::Ftp: title = "File Transfer Protocol (FTP)"; break;
    case Proto::Smtp: title = "Simple Mail Transfer Protocol"; break;
    case Proto::Pop3: title = "Post Office Protocol"; break;
    case Proto::Imap: title = "Internet Message Access Protocol"; break;
    case Proto::Sip: title = "Session Initiation Protocol"; break;
    case Proto::Rtsp: title = "Real Time Streaming Protocol"; break;
    case Proto::Ssdp: title = "Simple Service Discovery Protocol"; break;
    case Proto::Syslog: title = "Syslog message"; break;
    default: title = "Text"; break;
    }
    auto t = layer(off, end - off, title);
    if (!t)
        return;
    set_protocol(column_name(p));
    std::string first;
    size_t pos = off;
    for (int i = 0; i < 200 && pos < end; ++i) {
        size_t line_end, next;
        bool complete = text_line(d_, pos, end, line_end, next);
        std::string text = printable_text(d_ + pos, line_end - pos);
        if (i == 0)
            first = text;
        add(pos, next - pos, text + (complete ? "\\r\\n" : ""));
        pos = next;
    }
    if (pos < end)
        add(pos, end - pos, strf("[%zu more bytes]", end - pos));
    if (!first.empty())
        set_info(first);
}

// ---- TLS (RFC 8446, RFC 5246)

std::string tls_version_text(uint16_t v)
{
    switch (v) {
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default:
        if ((v & 0x0F0F) == 0x0A0A)
            return "Reserved (GREASE)";
        return "Unknown";
    }
}

std::string tls_column(uint16_t v)
{
    switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: return "TLS";
    }
}

const char* tls_handshake_name(uint8_t t)
{
    switch (t) {
    case 0: return "Hello Request";
    case 1: return "Client Hello";
    case 2: return "Server Hello";
    case 4: return "New Session Ticket";
    case 5: return "End of Early Data";
    case 8: return "Encrypted Extensions";
    case 11: return "Certificate";
    case 12: return "Server Key Exchange";
    case 13: return "Certificate Request";
    case 14: return "Server Hello Done";
    case 15: return "Certificate Verify";
    case 16: return "Client Key Exchange";
    case 20: return "Finished";
    case 24: return "Key Update";
    default: return nullptr;
    }
}

std::string tls_cipher_text(uint16_t c)
{
    const char* n;
    switch (c) {
    case 0x1301: n = "TLS_AES_128_GCM_SHA256"; break;
    case 0x1302: n = "TLS_AES_256_GCM_SHA384"; break;
    case 0x1303: n = "TLS_CHACHA20_POLY1305_SHA256"; break;
    case 0xC02B: n = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"; break;
    case 0xC02C: n = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"; break;
    case 0xC02F: n = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"; break;
    case 0xC030: n = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"; break;
    case 0xCCA8: n = "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"; break;
    case 0xCCA9: n = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"; break;
    case 0xC009: n = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"; break;
    case 0xC00A: n = "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"; break;
    case 0xC013: n = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"; break;
    case 0xC014: n = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"; break;
    case 0x009C: n = "TLS_RSA_WITH_AES_128_GCM_SHA256"; break;
    case 0x009D: n = "TLS_RSA_WITH_AES_256_GCM_SHA384"; break;
    case 0x002F: n = "TLS_RSA_WITH_AES_128_CBC_SHA"; break;
    case 0x0035: n = "TLS_RSA_WITH_AES_256_CBC_SHA"; break;
    case 0x000A: n = "TLS_RSA_WITH_3DES_EDE_CBC_SHA"; break;
    case 0x00FF: n = "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"; break;
    default: n = (c & 0x0F0F) == 0x0A0A ? "Reserved (GREASE)" : "Unknown"; break;
    }
    return strf("%s (0x%04x)", n, c);
}

const char* tls_extension_name(uint16_t t)
{
    switch (t) {
    case 0: return "server_name";
    case 1: return "max_fragment_length";
    case 5: return "status_request";
    case 10: return "supported_groups";
    case 11: return "ec_point_formats";
    case 13: return "signature_algorithms";
    case 16: return "application_layer_protocol_negotiation";
    case 17: return "status_request_v2";
    case 18: return "signed_certificate_timestamp";
    case 21: return "padding";
    case 22: return "encrypt_then_mac";
    case 23: return "extended_master_secret";
    case 27: return "compress_certificate";
    case 28: return "record_size_limit";
    case 35: return "session_ticket";
    case 41: return "pre_shared_key";
    case 42: return "early_data";
    case 43: return "supported_versions";
    case 44: return "cookie";
    case 45: return "psk_key_exchange_modes";
    case 49: return "post_handshake_auth";
    case 50: return "signature_algorithms_cert";
    case 51: return "key_share";
    case 57: return "quic_transport_parameters";
    case 17513: return "application_settings";
    case 65037: return "encrypted_client_hello";
    case 65281: return "renegotiation_info";
    default: return (t & 0x0F0F) == 0x0A0A ? "Reserved (GREASE)" : "Unknown";
    }
}

void Dissector::tls(size_t off, size_t end)
{
    auto t = layer(off, end - off, "Transport Layer Security");
    if (!t)
        return;
    std::string info;
    uint16_t column_version = 0;
    size_t p = off;
    for (int records = 0; records < 64 && p < end; ++records) {
        if (!looks_like_tls(d_ + p, end - p)) {
            if (end - p < 5 && d_[p] >= 20 && d_[p] <= 24) {
                fits(p, 5, end, "TLS record header");
            } else {
                add(p, end - p,
                    records ? strf("[Continuation data or unknown record (%zu bytes)]", end - p)
                            : strf("Continuation Data (%zu bytes)", end - p));
                if (!records)
                    info = "Continuation Data";
            }
            break;
        }
        uint8_t type = d_[p];
        uint16_t version = load_be16(d_ + p + 1);
        size_t len = load_be16(d_ + p + 3);
        static const char* const kTypes[] = {"Change Cipher Spec", "Alert", "Handshake", "Application Data",
                                             "Heartbeat"};
        const char* type_name = kTypes[type - 20];
        column_version = std::max(column_version, version);
        size_t body = p + 5;
        auto rec = open(p, 5 + len, "");
        add(p, 1, strf("Content Type: %s (%u)", type_name, type));
        add(p + 1, 2, strf("Version: %s (0x%04x)", tls_version_text(version).c_str(), version));
        add(p + 3, 2, strf("Length: %zu", len));
        size_t e = claim(body, len, end, "TLS record");
        std::string record_info;
        uint16_t hello_version = 0;
        switch (type) {
        case 20:
            add(body, e - body, "Change Cipher Spec Message");
            record_info = "Change Cipher Spec";
            break;
        case 21:
            if (len == 2 && e - body == 2) {
                static const char* const kLevels[] = {"Unknown", "Warning", "Fatal"};
                uint8_t level = d_[body], desc = d_[body + 1];
                const char* level_name = level < 3 ? kLevels[level] : "Unknown";
                auto a = open(body, 2, strf("Alert Message: Level %s (%u), Description %u", level_name, level, desc));
                add(body, 1, strf("Level: %s (%u)", level_name, level));
                add(body + 1, 1, strf("Description: %u", desc));
                record_info = "Alert";
            } else {
                add(body, e - body, "Alert Message: Encrypted Alert");
                record_info = "Encrypted Alert";
            }
            break;
        case 22: tls_handshake(body, e, record_info, hello_version); break;
        case 23:
            add(body, e - body, "Encrypted Application Data: " + hex_text(d_ + body, e - body));
            record_info = "Application Data";
            break;
        default:
            add(body, e - body, strf("Heartbeat Message (%zu bytes)", e - body));
            record_info = "Heartbeat";
            break;
        }
        // A hello names the version it offers or picks; the record layer stays at 1.0 or 1.2.
        column_version = std::max(column_version, hello_version);
        relabel(rec.index(),
                strf("%s Record Layer: %s Protocol: %s", tls_column(std::max(version, hello_version)).c_str(),
                     type_name, record_info.c_str()));
        if (!record_info.empty() && info.find(record_info) == std::string::npos)
            info += (info.empty() ? "" : ", ") + record_info;
        if (e < body + len)
            break;
        p = e;
    }
    set_protocol(tls_column(column_version));
    if (!info.empty())
        set_info(info);
}

void Dissector::tls_handshake(size_t off, size_t end, std::string& info, uint16_t& version)
{
    for (int i = 0; i < 32 && off < end; ++i) {
        uint8_t type = d_[off];
        const char* name = tls_handshake_name(type);
        size_t len = end - off >= 4 ? load_be24(d_ + off + 1) : 0;
        bool known = name && end - off >= 4;
        // After ChangeCipherSpec the handshake is encrypted: its "type" and
        // "length" are noise, which an unknown type or a length past a
        // complete record gives away.
        if (!known || (len > end - off - 4 && !capture_cut(end) && !continues_)) {
            add(off, end - off, "Encrypted Handshake Message");
            info += std::string(info.empty() ? "" : ", ") + "Encrypted Handshake Message";
            return;
        }
        auto hs = open(off, 4 + len, strf("Handshake Protocol: %s", name));
        add(off, 1, strf("Handshake Type: %s (%u)", name, type));
        add(off + 1, 3, strf("Length: %zu", len));
        size_t e = claim(off + 4, len, end, "TLS handshake message");
        std::string summary = name;
        if (type == 1 || type == 2) {
            std::string sni;
            tls_hello(type == 1, off + 4, e, sni, version);
            if (!sni.empty())
                summary += " (SNI=" + sni + ")";
        } else if (type == 11 && e - off >= 7) {
            add(off + 4, 3, strf("Certificates Length: %u", load_be24(d_ + off + 4)));
            size_t c = off + 7;
            for (int k = 0; k < 16 && c + 3 <= e; ++k) {
                size_t cl = load_be24(d_ + c);
                size_t ce = std::min(e, c + 3 + cl);
                add(c, ce - c, strf("Certificate (%zu bytes)", cl));
                c = ce;
            }
        } else if (e > off + 4) {
            add(off + 4, e - off - 4, strf("%s data (%zu bytes)", name, e - off - 4));
        }
        info += (info.empty() ? "" : ", ") + summary;
        off = e;
    }
}

// ClientHello and ServerHello (RFC 8446 4.1.2, 4.1.3). `version` becomes the
// highest version offered or the one chosen.
void Dissector::tls_hello(bool client, size_t p, size_t e, std::string& sni, uint16_t& version)
{
    if (!fits(p, 2 + 32 + 1, e, "TLS hello"))
        return;
    uint16_t hv = load_be16(d_ + p);
    version = hv;
    add(p, 2, strf("Version: %s (0x%04x)", tls_version_text(hv).c_str(), hv));
    add(p + 2, 32, "Random: " + hex_text(d_ + p + 2, 32, 32));
    p += 34;
    size_t sid = d_[p];
    add(p, 1, strf("Session ID Length: %zu", sid));
    if (!fits(p + 1, sid, e, "TLS session ID"))
        return;
    if (sid)
        add(p + 1, sid, "Session ID: " + hex_text(d_ + p + 1, sid, 32));
    p += 1 + sid;
    if (client) {
        if (!fits(p, 2, e, "TLS cipher suites"))
            return;
        size_t cs = load_be16(d_ + p);
        add(p, 2, strf("Cipher Suites Length: %zu", cs));
        if (!fits(p + 2, cs, e, "TLS cipher suites"))
            return;
        {
            auto list = open(p + 2, cs, strf("Cipher Suites (%zu suite%s)", cs / 2, cs == 2 ? "" : "s"));
            for (size_t k = 0; k + 2 <= cs && k < 400; k += 2)
                add(p + 2 + k, 2, "Cipher Suite: " + tls_cipher_text(load_be16(d_ + p + 2 + k)));
        }
        p += 2 + cs;
        if (!fits(p, 1, e, "TLS compression methods"))
            return;
        size_t cm = d_[p];
        add(p, 1, strf("Compression Methods Length: %zu", cm));
        if (!fits(p + 1, cm, e, "TLS compression methods"))
            return;
        add(p + 1, cm, strf("Compression Methods (%zu method%s)", cm, cm == 1 ? "" : "s"));
        p += 1 + cm;
    } else {
        if (!fits(p, 3, e, "TLS server hello"))
            return;
        add(p, 2, "Cipher Suite: " + tls_cipher_text(load_be16(d_ + p)));
        add(p + 2, 1, strf("Compression Method: %u", d_[p + 2]));
        p += 3;
    }
    if (p >= e)
        return; // extensions are optional before TLS 1.3
    if (!fits(p, 2, e, "TLS extensions"))
        return;
    size_t xl = load_be16(d_ + p);
    add(p, 2, strf("Extensions Length: %zu", xl));
    size_t xe = claim(p + 2, xl, e, "TLS extensions");
    tls_extensions(p + 2, xe, client, sni, version);
}

void Dissector::tls_extensions(size_t off, size_t end, bool client, std::string& sni, uint16_t& version)
{
    for (int i = 0; i < 128 && off < end; ++i) {
        if (!fits(off, 4, end, "TLS extension"))
            return;
        uint16_t type = load_be16(d_ + off);
        size_t len = load_be16(d_ + off + 2);
        size_t e = claim(off + 4, len, end, "TLS extension");
        const char* name = tls_extension_name(type);
        auto x = open(off, e - off, strf("Extension: %s (len=%zu)", name, len));
        add(off, 2, strf("Type: %s (%u)", name, type));
        add(off + 2, 2, strf("Length: %zu", len));
        size_t v = off + 4;
        if (type == 0 && client && e - v >= 5) {
            // server_name (RFC 6066 3): list length, name type, name length, name.
            auto s = open(v, e - v, "Server Name Indication extension");
            add(v, 2, strf("Server Name list length: %u", load_be16(d_ + v)));
            add(v + 2, 1, strf("Server Name Type: %s (%u)", d_[v + 2] == 0 ? "host_name" : "Unknown", d_[v + 2]));
            size_t nl = load_be16(d_ + v + 3);
            add(v + 3, 2, strf("Server Name length: %zu", nl));
            if (fits(v + 5, nl, e, "server name")) {
                std::string name_text = printable_name(d_ + v + 5, nl);
                add(v + 5, nl, "Server Name: " + name_text);
                if (d_[v + 2] == 0 && sni.empty())
                    sni = name_text;
                relabel(x.index(), strf("Extension: server_name (len=%zu) name=%s", len, name_text.c_str()));
            }
        } else if (type == 16 && e - v >= 2) {
            auto s = open(v + 2, e - v - 2, "ALPN Protocol");
            std::string list;
            for (size_t p = v + 2; p < e;) {
                size_t l = d_[p];
                if (p + 1 + l > e)
                    break;
                std::string proto = printable_text(d_ + p + 1, l, 64);
                add(p, 1 + l, "ALPN Next Protocol: " + proto);
                list += (list.empty() ? "" : ",") + proto;
                p += 1 + l;
            }
            relabel(x.index(),
                    strf("Extension: application_layer_protocol_negotiation (len=%zu) %s", len, list.c_str()));
        } else if (type == 43) {
            // supported_versions (RFC 8446 4.2.1): a list in ClientHello, one version in ServerHello.
            uint16_t best = 0;
            if (client && e > v) {
                for (size_t p = v + 1; p + 2 <= e; p += 2) {
                    uint16_t sv = load_be16(d_ + p);
                    add(p, 2, strf("Supported Version: %s (0x%04x)", tls_version_text(sv).c_str(), sv));
                    if ((sv & 0x0F0F) != 0x0A0A && sv <= 0x0304)
                        best = std::max(best, sv);
                }
            } else if (!client && e - v >= 2) {
                best = load_be16(d_ + v);
                add(v, 2, strf("Supported Version: %s (0x%04x)", tls_version_text(best).c_str(), best));
            }
            if (best)
                version = best;
        } else if (e > v) {
            add(v, e - v, "Data: " + hex_text(d_ + v, e - v));
        }
        off = e;
    }
}

// ---- QUIC (RFC 9000 17), without decryption

// A variable-length integer (RFC 9000 16); false when it runs past `end`.
bool quic_varint(const uint8_t* d, size_t off, size_t end, uint64_t& value, size_t& len)
{
    if (off >= end)
        return false;
    len = size_t(1) << (d[off] >> 6);
    if (len > end - off)
        return false;
    value = d[off] & 0x3F;
    for (size_t i = 1; i < len; ++i)
        value = value << 8 | d[off + i];
    return true;
}

void Dissector::quic(size_t off, size_t end)
{
    auto t = layer(off, end - off, "QUIC IETF");
    if (!t)
        return;
    set_protocol("QUIC");
    std::string info;
    size_t p = off;
    for (int packets = 0; packets < 8 && p < end; ++packets) {
        uint8_t first = d_[p];
        if (!(first & 0x80)) {
            auto q = open(p, end - p, "QUIC Short Header");
            add_bits(p, 1, bit_label(first, 8, 0x80, "Header Form: Short Header (0)"));
            add_bits(p, 1, bit_label(first, 8, 0x40, strf("Fixed Bit: %s", (first & 0x40) ? "True" : "False")));
            add_bits(p, 1, bit_label(first, 8, 0x20, strf("Spin Bit: %s", (first & 0x20) ? "True" : "False")));
            if (p + 1 < end)
                add(p + 1, end - p - 1,
                    strf("Protected Payload (%zu bytes; the connection ID length is not known)", end - p - 1));
            info += std::string(info.empty() ? "" : ", ") + "Protected Payload (KP0)";
            break;
        }
        auto q = open(p, end - p, "QUIC Long Header");
        if (!fits(p, 6, end, "QUIC long header"))
            break;
        uint32_t version = load_be32(d_ + p + 1);
        static const char* const kTypes[] = {"Initial", "0-RTT", "Handshake", "Retry"};
        unsigned ptype = (first >> 4) & 3;
        if (version == 0x6b3343cf) // QUIC v2 (RFC 9369 3.2) rotates the types
            ptype = (ptype + 3) & 3;
        const char* type_name = version == 0 ? "Version Negotiation" : kTypes[ptype];
        add_bits(p, 1, bit_label(first, 8, 0x80, "Header Form: Long Header (1)"));
        add_bits(p, 1, bit_label(first, 8, 0x40, strf("Fixed Bit: %s", (first & 0x40) ? "True" : "False")));
        if (version)
            add_bits(p, 1, bit_label(first, 8, 0x30, strf("Packet Type: %s (%u)", type_name, (first >> 4) & 3)));
        add(p + 1, 4,
            strf("Version: %s (0x%08x)",
                 version == 1            ? "1"
                 : version == 0x6b3343cf ? "2"
                 : version == 0          ? "Negotiation"
                                         : "Unknown",
                 version));
        size_t c = p + 5;
        size_t dcil = d_[c];
        add(c, 1, strf("Destination Connection ID Length: %zu", dcil));
        if (dcil > 20 && version == 1) {
            problem(DissectedField::Malformed, "Malformed packet: QUIC connection ID longer than 20 bytes", c, c + 1);
            break;
        }
        if (!fits(c + 1, dcil + 1, end, "QUIC connection IDs"))
            break;
        std::string dcid = hex_text(d_ + c + 1, dcil, 20);
        if (dcil)
            add(c + 1, dcil, "Destination Connection ID: " + dcid);
        c += 1 + dcil;
        size_t scil = d_[c];
        add(c, 1, strf("Source Connection ID Length: %zu", scil));
        if (!fits(c + 1, scil, end, "QUIC connection IDs"))
            break;
        std::string scid = hex_text(d_ + c + 1, scil, 20);
        if (scil)
            add(c + 1, scil, "Source Connection ID: " + scid);
        c += 1 + scil;
        std::string summary = std::string(type_name) + ", DCID=" + dcid + (scil ? ", SCID=" + scid : "");
        relabel(q.index(), "QUIC Long Header: " + std::string(type_name));
        info += (info.empty() ? "" : ", ") + summary;
        if (version == 0) {
            for (size_t k = c; k + 4 <= end && k < c + 4 * 32; k += 4)
                add(k, 4, strf("Supported Version: 0x%08x", load_be32(d_ + k)));
            cover(q.index(), p, end);
            break;
        }
        if (ptype == 3) { // Retry: a token and an integrity tag
            if (c < end)
                add(c, end - c, strf("Retry Token and Integrity Tag (%zu bytes)", end - c));
            break;
        }
        uint64_t value;
        size_t vl;
        if (ptype == 0) {
            if (!quic_varint(d_, c, end, value, vl)) {
                fits(c, 8, end, "QUIC token length");
                break;
            }
            add(c, vl, strf("Token Length: %llu", (unsigned long long)value));
            c += vl;
            size_t tl = size_t(value);
            if (!fits(c, tl, end, "QUIC token"))
                break;
            if (tl)
                add(c, tl, "Token: " + hex_text(d_ + c, tl));
            c += tl;
        }
        if (!quic_varint(d_, c, end, value, vl)) {
            fits(c, 8, end, "QUIC length");
            break;
        }
        add(c, vl, strf("Length: %llu", (unsigned long long)value));
        c += vl;
        size_t pe = claim(c, value > SIZE_MAX / 2 ? SIZE_MAX / 2 : size_t(value), end, "QUIC packet");
        if (pe > c)
            add(c, pe - c, strf("Packet Number and Protected Payload (%zu bytes)", pe - c));
        cover(q.index(), p, pe);
        if (pe <= c || pe >= end)
            break;
        p = pe; // coalesced packets (RFC 9000 12.2)
    }
    set_info(info);
}

// ---- SSH (RFC 4253)

void Dissector::ssh(bool from_client, size_t off, size_t end)
{
    auto t = layer(off, end - off, "SSH Protocol");
    if (!t)
        return;
    set_protocol("SSH");
    const char* side = from_client ? "Client" : "Server";
    if (starts_with(d_ + off, end - off, "SSH-")) {
        size_t line_end, next;
        bool complete = text_line(d_, off, end, line_end, next);
        std::string banner = printable_text(d_ + off, line_end - off);
        add(off, next - off, "Protocol: " + banner + (complete ? "\\r\\n" : ""));
        note(strf("[Direction: %s]", from_client ? "client-to-server" : "server-to-client"));
        if (starts_with(d_ + off, end - off, "SSH-2.0"))
            set_protocol("SSHv2");
        set_info(strf("%s: Protocol (%s)", side, banner.c_str()));
        return;
    }
    // The binary packet protocol: readable only before NEWKEYS.
    if (end - off >= 6) {
        size_t plen = load_be32(d_ + off);
        uint8_t padding = d_[off + 4], code = d_[off + 5];
        const char* name = code == 20   ? "Key Exchange Init"
                           : code == 21 ? "New Keys"
                           : code == 30 ? "Elliptic Curve Diffie-Hellman Key Exchange Init"
                           : code == 31 ? "Elliptic Curve Diffie-Hellman Key Exchange Reply"
                                        : nullptr;
        if (name && plen >= 12 && plen <= 35000 && padding >= 4 && padding < plen) {
            size_t e = claim(off + 4, plen, end, "SSH packet");
            add(off, 4, strf("Packet Length: %zu", plen));
            add(off + 4, 1, strf("Padding Length: %u", padding));
            auto k = open(off + 5, e - off - 5, strf("Key Exchange (method:unknown)"));
            add(off + 5, 1, strf("Message Code: %s (%u)", name, code));
            set_info(strf("%s: %s", side, name));
            return;
        }
    }
    add(off, end - off, strf("Encrypted Packet: %s", hex_text(d_ + off, end - off).c_str()));
    set_info(strf("%s: Encrypted packet (len=%zu)", side, end - off));
}

void Dissector::by_port(Proto p, uint16_t port, size_t off, size_t end)
{
    auto t = layer(off, end - off, column_name(p));
    if (!t)
        return;
    note(strf("[Recognised by port %u only; not decoded]", port));
    add(off, end - off, strf("Data (%zu bytes): %s", end - off, hex_text(d_ + off, end - off).c_str()));
    set_protocol(column_name(p));
}

void Dissector::data(size_t off, size_t end)
{
    if (off >= end)
        return;
    auto t = layer(off, end - off, strf("Data (%zu bytes)", end - off));
    if (!t)
        return;
    add(off, end - off, "Data: " + hex_text(d_ + off, end - off));
    note(strf("[Length: %zu]", end - off));
}

} // namespace

Dissection dissect_packet(uint32_t link_type, Bytes data, uint32_t origlen)
{
    Dissection out;
    Dissector(data, origlen, out).run(link_type);
    return out;
}

} // namespace underhood
