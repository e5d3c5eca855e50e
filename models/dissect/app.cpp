// Application protocols recognised by their first bytes on any port (TLS,
// HTTP, SSH on TCP; QUIC on UDP 443 and 8443), as Wireshark's heuristics do,
// and the protocols named by their port alone: a layer that says so and
// shows the bytes. Protocols with fields of their own have their own files
// and register on their ports after these.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <cstring>
#include <vector>

namespace underhood::dissect {
namespace {

// The protocols a port names that have no dissector of their own, with
// Wireshark's names for them.
struct ByPort {
    Proto proto;
    FieldInfo info;
};
constexpr ByPort kByPort[] = {
    {Proto::Ftp, {"ftp", "File Transfer Protocol (FTP)", FieldType::Protocol}},
    {Proto::Telnet, {"telnet", "Telnet", FieldType::Protocol}},
    {Proto::Smtp, {"smtp", "Simple Mail Transfer Protocol", FieldType::Protocol}},
    {Proto::Pop3, {"pop", "Post Office Protocol", FieldType::Protocol}},
    {Proto::Imap, {"imap", "Internet Message Access Protocol", FieldType::Protocol}},
    {Proto::Ldap, {"ldap", "Lightweight Directory Access Protocol", FieldType::Protocol}},
    {Proto::Smb, {"smb", "SMB (Server Message Block Protocol)", FieldType::Protocol}},
    {Proto::Rdp, {"rdp", "Remote Desktop Protocol", FieldType::Protocol}},
    {Proto::Bgp, {"bgp", "Border Gateway Protocol", FieldType::Protocol}},
    {Proto::Rtsp, {"rtsp", "Real Time Streaming Protocol", FieldType::Protocol}},
    {Proto::Sip, {"sip", "Session Initiation Protocol", FieldType::Protocol}},
    {Proto::Mysql, {"mysql", "MySQL Protocol", FieldType::Protocol}},
    {Proto::Pgsql, {"pgsql", "PostgreSQL", FieldType::Protocol}},
    {Proto::Tftp, {"tftp", "Trivial File Transfer Protocol", FieldType::Protocol}},
    {Proto::Radius, {"radius", "RADIUS Protocol", FieldType::Protocol}},
    {Proto::Openvpn, {"openvpn", "OpenVPN Protocol", FieldType::Protocol}},
    {Proto::Wireguard, {"wg", "WireGuard Protocol", FieldType::Protocol}},
    {Proto::Ipp, {"ipp", "Internet Printing Protocol", FieldType::Protocol}},
    {Proto::Mqtt, {"mqtt", "MQ Telemetry Transport Protocol", FieldType::Protocol}},
    {Proto::Rsync, {"rsync", "RSYNC File Synchroniser", FieldType::Protocol}},
    {Proto::Redis, {"resp", "REdis Serialization Protocol", FieldType::Protocol}},
    {Proto::Kerberos, {"kerberos", "Kerberos", FieldType::Protocol}},
    {Proto::Netbios, {"netbios", "NetBIOS", FieldType::Protocol}},
    {Proto::Nbns, {"nbns", "NetBIOS Name Service", FieldType::Protocol}},
    {Proto::Snmp, {"snmp", "Simple Network Management Protocol", FieldType::Protocol}},
    {Proto::Syslog, {"syslog", "Syslog message", FieldType::Protocol}},
    {Proto::Isakmp, {"isakmp", "Internet Security Association and Key Management Protocol", FieldType::Protocol}},
    {Proto::Rip, {"rip", "Routing Information Protocol", FieldType::Protocol}},
    {Proto::Ssdp, {"ssdp", "Simple Service Discovery Protocol", FieldType::Protocol}},
};
constexpr size_t kByPortCount = std::size(kByPort);
FieldInfo by_port_infos[kByPortCount];
FieldId by_port0 = 0;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool tls_heuristic(Tvb t, Packet& p)
{
    // A TLS record: content type 20..23, version 3.0..3.4.
    if (!t.has(0, 5) || t.u8(0) < 20 || t.u8(0) > 23 || t.u8(1) != 3 || t.u8(2) > 4)
        return false;
    p.set_app(Proto::Tls, t);
    dissect_tls(t, p);
    return true;
}

bool http_heuristic(Tvb t, Packet& p)
{
    static constexpr std::string_view kStarts[] = {"GET ",     "POST ",    "HEAD ",  "PUT ",   "DELETE ",
                                                   "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "HTTP/1."};
    const std::string_view s = t.text(0);
    for (std::string_view k : kStarts)
        if (starts_with(s, k)) {
            p.set_app(Proto::Http, t);
            dissect_http(t, p);
            return true;
        }
    return false;
}

bool ssh_heuristic(Tvb t, Packet& p)
{
    if (!starts_with(t.text(0), "SSH-"))
        return false;
    p.set_app(Proto::Ssh, t);
    // A banner on another port: the client is the side with the higher port.
    dissect_ssh(t, p, p.dport == 22 || p.sport > p.dport);
    return true;
}

// QUIC long header (RFC 9000 17.2): form bit and fixed bit set, or a short
// header with the fixed bit.
bool quic_heuristic(Tvb t, Packet& p)
{
    const bool port = p.sport == 443 || p.dport == 443 || p.sport == 8443 || p.dport == 8443;
    if (!port || !t.has(0, 1) || !(t.u8(0) & 0x40))
        return false;
    p.set_app(Proto::Quic, t);
    dissect_quic(t, p);
    return true;
}

void by_port(Tvb t, Packet& p, bool tcp)
{
    if (!p.want_tree() && !p.want_columns())
        return;
    uint16_t port = 0;
    const Proto a = port_protocol(p, tcp, port);
    dissect_by_port(a, port, t, p);
}

void by_port_tcp(Tvb t, Packet& p) { by_port(t, p, true); }
void by_port_udp(Tvb t, Packet& p) { by_port(t, p, false); }

FieldId by_port_field(Proto proto)
{
    for (size_t i = 0; i < kByPortCount; ++i)
        if (kByPort[i].proto == proto)
            return FieldId(by_port0 + i);
    return kNoField;
}

// Line-based protocols found by their port (FTP, SMTP, POP, IMAP, SIP,
// RTSP, syslog): their lines as they are; binary data on their port is
// shown as such.
constexpr int kMaxTextLines = 200;

void text_protocol(Tvb t, Packet& p, bool tcp)
{
    if ((!p.want_tree() && !p.want_columns()) || p.quoted() || t.empty())
        return;
    uint16_t port = 0;
    const Proto proto = port_protocol(p, tcp, port);
    const std::string_view s = t.text(0);
    for (size_t i = 0; i < s.size() && i < 64; ++i) {
        const auto c = uint8_t(s[i]);
        if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c >= 0x7F) {
            dissect_by_port(proto, port, t, p);
            return;
        }
    }
    const FieldId field = by_port_field(proto);
    if (field == kNoField)
        return;
    p.layer(field, t, {});
    Columns* const col = p.col();
    if (col)
        col->protocol = column_name(proto);
    size_t at = 0;
    std::string_view first;
    for (int i = 0; i < kMaxTextLines && at < s.size(); ++i) {
        const size_t e = s.find('\n', at);
        const size_t next = e == std::string_view::npos ? s.size() : e + 1;
        std::string_view line = s.substr(at, (e == std::string_view::npos ? s.size() : e) - at);
        if (e != std::string_view::npos && !line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (i == 0)
            first = line;
        if (p.want_tree())
            p.add_note(t.begin() + at, next - at,
                       printable_text(reinterpret_cast<const uint8_t*>(line.data()), line.size()) +
                           (e == std::string_view::npos ? "" : "\\r\\n"));
        at = next;
    }
    if (at < s.size())
        p.add_note(t.begin() + at, s.size() - at, strf("[%zu more bytes]", s.size() - at));
    if (col && !first.empty())
        col->info = printable_text(reinterpret_cast<const uint8_t*>(first.data()), first.size());
}

void text_tcp(Tvb t, Packet& p) { text_protocol(t, p, true); }
void text_udp(Tvb t, Packet& p) { text_protocol(t, p, false); }

void ssh_port(Tvb t, Packet& p)
{
    uint16_t port = 0;
    port_protocol(p, true, port);
    dissect_ssh(t, p, p.dport == port);
}

} // namespace

void app_problem(Packet& p, DecodedPacket::Flag f, size_t at, size_t len, const std::string& detail)
{
    if (!p.want_tree() || p.quoted())
        return;
    p.tree_problem(f, detail, at);
    p.cover(p.tree->items.size() - 1, at, at + len);
}

bool app_fits(Packet& p, const Tvb& t, size_t at, size_t len, const char* what, bool tcp)
{
    if (t.has(at, len))
        return true;
    if (!p.want_tree())
        return false;
    const size_t from = t.begin() + std::min(at, t.length());
    if (t.end() == p.captured() && p.missing() > 0)
        app_problem(p, DecodedPacket::Truncated, from, t.end() - from, std::string(what) + " truncated");
    else if (tcp)
        p.add_note(0, 0, strf("[%s continues in the next TCP segment]", what));
    else
        app_problem(p, DecodedPacket::Malformed, from, t.end() - from, std::string(what) + " does not fit in the frame");
    return false;
}

size_t app_claim(Packet& p, const Tvb& t, size_t at, size_t claimed, const char* what, bool tcp)
{
    if (at > t.length()) {
        app_fits(p, t, at, 0, what, tcp);
        return t.length();
    }
    const size_t left = t.length() - at;
    if (claimed <= left)
        return at + claimed;
    if (!p.want_tree())
        return t.length();
    // The note covers no bytes: what is missing was never captured or never sent.
    if (t.end() == p.captured() && claimed <= left + p.missing())
        app_problem(p, DecodedPacket::Truncated, t.end(), 0, std::string(what) + " truncated");
    else if (tcp)
        p.add_note(0, 0, strf("[%s continues in the next TCP segment]", what));
    else
        app_problem(p, DecodedPacket::Malformed, t.end(), 0,
                    strf("%s of %zu bytes exceeds the %zu bytes left", what, claimed, left));
    return t.length();
}

Proto port_protocol(const Packet& p, bool tcp, uint16_t& port)
{
    const auto named = [tcp](Proto x) { return x != Proto::None && (tcp || x != Proto::Quic); };
    const uint16_t lo = std::min(p.sport, p.dport), hi = std::max(p.sport, p.dport);
    Proto a = proto_for_port(lo, tcp);
    if (named(a)) {
        port = lo;
        return a;
    }
    a = proto_for_port(hi, tcp);
    port = named(a) ? hi : 0;
    return named(a) ? a : Proto::None;
}

void dissect_by_port(Proto proto, uint16_t port, Tvb t, Packet& p)
{
    if (p.quoted() || t.empty())
        return;
    const FieldId field = by_port_field(proto);
    if (field == kNoField)
        return;
    if (Columns* c = p.col())
        c->protocol = column_name(proto);
    p.layer(field, t, column_name(proto));
    if (!p.want_tree())
        return;
    static const FieldId data = field_by_name("data.data"); // after registration: the engine's own
    const uint8_t* d = p.data() + t.begin();
    p.add_note(0, 0, strf("[Recognised by port %u only; not decoded]", port));
    p.add_text(data, t.begin(), t.length(), std::string_view(reinterpret_cast<const char*>(d), t.length()),
               strf("Data (%zu bytes): %s", t.length(), hex_text(d, t.length()).c_str()));
}

// In their own files; registered from here, after the names every port gets.
void register_ssh();
void register_quic();
void register_ntp();
void register_dhcpv6();

void register_app()
{
    for (size_t i = 0; i < kByPortCount; ++i)
        by_port_infos[i] = kByPort[i].info;
    by_port0 = register_fields(by_port_infos, kByPortCount);
    add_tcp_heuristic(tls_heuristic);
    add_tcp_heuristic(http_heuristic);
    add_tcp_heuristic(ssh_heuristic);
    add_udp_heuristic(quic_heuristic);
    // Every named port shows its protocol's name; the protocols with a
    // dissector of their own register over these afterwards.
    for (uint32_t port = 1; port <= 0xFFFF; ++port) {
        if (proto_for_port(uint16_t(port), true) != Proto::None && !find_tcp_port(uint16_t(port)))
            add_tcp_port(uint16_t(port), by_port_tcp);
        if (proto_for_port(uint16_t(port), false) != Proto::None && !find_udp_port(uint16_t(port)))
            add_udp_port(uint16_t(port), by_port_udp);
    }
    add_tcp_port(22, ssh_port);
    for (uint16_t port : {20, 21, 25, 465, 587, 110, 995, 143, 993, 5060, 5061, 554})
        add_tcp_port(port, text_tcp);
    for (uint16_t port : {5060, 5061, 514})
        add_udp_port(port, text_udp);
    register_ssh();
    register_quic();
    register_ntp();
    register_dhcpv6();
}

} // namespace underhood::dissect
