// PPP (RFC 1661) with or without HDLC-like framing (RFC 1662), its control
// protocols (LCP, IPCP, IPV6CP, PAP, CHAP), and PPPoE (RFC 2516).
#include "dissect/labels.h"
#include "dissect/link_layers.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <string>

namespace underhood::dissect {
namespace {

enum {
    kPpp, kPppProto, kPppoe, kPppAddress, kPppControl, kLcp, kIpcp, kIpv6cp, kPap, kChap, kPppCode, kPppId,
    kPppLength, kPppData, kPppoeVersion, kPppoeType, kPppoeCode, kPppoeSession, kPppoeLength, kPppoedTag,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"ppp", "Point-to-Point Protocol", FieldType::Protocol},
    {"ppp.protocol", "Protocol", FieldType::Uint, Base::Hex, 4},
    {"pppoe", "PPP-over-Ethernet", FieldType::Protocol},
    {"ppp.address", "Address", FieldType::Uint, Base::Hex, 2},
    {"ppp.control", "Control", FieldType::Uint, Base::Hex, 2},
    {"lcp", "PPP Link Control Protocol", FieldType::Protocol},
    {"ipcp", "PPP IP Control Protocol", FieldType::Protocol},
    {"ipv6cp", "PPP IPv6 Control Protocol", FieldType::Protocol},
    {"pap", "PPP Password Authentication Protocol", FieldType::Protocol},
    {"chap", "PPP Challenge Handshake Authentication Protocol", FieldType::Protocol},
    {"ppp.code", "Code", FieldType::Uint},
    {"ppp.identifier", "Identifier", FieldType::Uint},
    {"ppp.length", "Length", FieldType::Uint},
    {"ppp.data", "Options/Data", FieldType::Bytes},
    {"pppoe.version", "Version", FieldType::Uint},
    {"pppoe.type", "Type", FieldType::Uint},
    {"pppoe.code", "Code", FieldType::Uint, Base::Hex, 2},
    {"pppoe.session_id", "Session ID", FieldType::Uint, Base::Hex, 4},
    {"pppoe.payload_length", "Payload Length", FieldType::Uint},
    {"pppoed.tag", "Tag", FieldType::Uint, Base::Hex, 4},
};
FieldId f0 = 0;

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

// LCP, IPCP, IPV6CP, PAP and CHAP share a code/identifier/length header (RFC 1661 5).
void ppp_control(uint16_t proto, Tvb t, Packet& p)
{
    const FieldId layer = f0 + (proto == 0xC021   ? kLcp
                                : proto == 0x8021 ? kIpcp
                                : proto == 0x8057 ? kIpv6cp
                                : proto == 0xC023 ? kPap
                                                  : kChap);
    const size_t item = layer_at(p, layer, t, 4, {});
    if (!t.need(0, 4, "PPP control header"))
        return;
    const uint8_t code = t.u8(0), id = t.u8(1);
    const size_t len = t.be16(2);
    const bool auth = proto == 0xC023 || proto == 0xC223;
    const char* code_name = "Unknown";
    if (p.want_tree() || p.want_columns()) {
        static const char* const kCodes[] = {
            "Vendor Specific",      "Configuration Request", "Configuration Ack", "Configuration Nak",
            "Configuration Reject", "Termination Request",   "Termination Ack",   "Code Reject",
            "Protocol Reject",      "Echo Request",          "Echo Reply",        "Discard Request",
            "Identification",       "Time Remaining"};
        static const char* const kAuth[] = {"Unknown", "Request/Challenge", "Ack/Response", "Nak/Success", "Failure"};
        if (auth)
            code_name = code < 5 ? kAuth[code] : "Unknown";
        else if (code < 14)
            code_name = kCodes[code];
    }
    if (p.want_tree()) {
        p.add_uint(f0 + kPppCode, t.begin(), 1, code, strf("Code: %s (%u)", code_name, code));
        p.add_uint(f0 + kPppId, t.begin() + 1, 1, id, strf("Identifier: %u (0x%02x)", id, id));
        p.add_uint(f0 + kPppLength, t.begin() + 2, 2, len);
    }
    if (len < 4) {
        p.mark(DecodedPacket::Malformed, "PPP control length below 4", t.begin() + 2);
        return;
    }
    Tvb msg = t.sub(0, len, "PPP control message");
    p.cover(item, msg.begin(), msg.end());
    if (msg.length() > 4 && p.want_tree()) {
        const size_t n = msg.length() - 4;
        const uint8_t* d = msg.bytes(4, n);
        p.add_text(f0 + kPppData, msg.begin() + 4, n, std::string_view(reinterpret_cast<const char*>(d), n),
                   strf("Options/Data (%zu bytes)", n));
    }
    if (Columns* c = p.col()) {
        c->protocol = proto == 0xC021   ? "PPP LCP"
                      : proto == 0x8021 ? "PPP IPCP"
                      : proto == 0x8057 ? "PPP IPV6CP"
                      : proto == 0xC023 ? "PPP PAP"
                                        : "PPP CHAP";
        c->info = code_name;
    }
}

// Discovery tags (RFC 2516 appendix A).
void pppoe_tags(Tvb t, Packet& p)
{
    size_t at = 0;
    for (int i = 0; i < 128 && t.has(at, 4); ++i) {
        const uint16_t tag = t.be16(at);
        const size_t len = t.be16(at + 2);
        if (!t.need(at + 4, len, "PPPoE tag"))
            return;
        if (p.want_tree()) {
            const char* name = tag == 0x0000   ? "End-Of-List"
                               : tag == 0x0101 ? "Service-Name"
                               : tag == 0x0102 ? "AC-Name"
                               : tag == 0x0103 ? "Host-Uniq"
                               : tag == 0x0104 ? "AC-Cookie"
                               : tag == 0x0110 ? "Relay-Session-Id"
                                               : "Unknown";
            const uint8_t* v = t.bytes(at + 4, len);
            const bool text = tag == 0x0101 || tag == 0x0102;
            p.add_uint(f0 + kPppoedTag, t.begin() + at, 4 + len, tag,
                       strf("Tag: %s%s%s", name, len ? ": " : "",
                            (text ? printable_text(v, len, 64) : hex_text(v, len)).c_str()));
        }
        at += 4 + len;
    }
}

} // namespace

void dissect_ppp(Tvb t, Packet& p, bool hdlc_allowed)
{
    if (!p.push(Proto::Ppp))
        return;
    const size_t item = layer_at(p, f0 + kPpp, t, 1, {});
    if (!t.need(0, 1, "PPP header"))
        return;
    size_t at = 0;
    if (hdlc_allowed && t.u8(0) == 0xFF) {
        // HDLC-like framing (RFC 1662): address 0xFF, control 0x03.
        if (!t.need(0, 2, "PPP header"))
            return;
        p.add_uint(f0 + kPppAddress, t.begin(), 1, 0xFF);
        if (t.u8(1) == 0x03) {
            p.add_uint(f0 + kPppControl, t.begin() + 1, 1, 0x03);
            at = 2;
        }
    }
    if (!t.need(at, 1, "PPP protocol"))
        return;
    uint16_t proto;
    if (t.u8(at) & 1) { // protocol-field compression: a one-byte protocol
        proto = t.u8(at);
        if (p.want_tree())
            p.add_uint(f0 + kPppProto, t.begin() + at, 1, proto,
                       strf("Protocol: %s (0x%02x)", ppp_protocol_name(proto), proto));
        at += 1;
    } else {
        if (!t.need(at, 2, "PPP protocol"))
            return;
        proto = t.be16(at);
        if (p.want_tree())
            p.add_uint(f0 + kPppProto, t.begin() + at, 2, proto,
                       strf("Protocol: %s (0x%04x)", ppp_protocol_name(proto), proto));
        at += 2;
    }
    p.cover(item, t.begin(), t.begin() + at);
    if (Columns* c = p.col()) {
        c->protocol = "PPP";
        c->info = strf("PPP %s", ppp_protocol_name(proto));
    }
    switch (proto) {
    case 0x0021: dissect_ipv4(t.rest(at), p); break;
    case 0x0057: dissect_ipv6(t.rest(at), p); break;
    case 0x0281:
    case 0x0283: dissect_mpls(t.rest(at), p); break;
    case 0xC021:
    case 0x8021:
    case 0x8057:
    case 0xC023:
    case 0xC223: ppp_control(proto, t.rest(at), p); break;
    default: dissect_data(t.rest(at), p); break;
    }
}

void dissect_pppoe(Tvb t, Packet& p, bool session)
{
    if (!p.push(Proto::Pppoe))
        return;
    layer_at(p, f0 + kPppoe, t, 6,
             !p.want_tree() ? std::string() : session ? "PPP-over-Ethernet Session" : "PPP-over-Ethernet Discovery");
    if (!t.need(0, 6, "PPPoE header"))
        return;
    const uint8_t code = t.u8(1);
    const char* code_name = "";
    if (p.want_tree() || p.want_columns())
        code_name = code == 0x00   ? "Session Data"
                    : code == 0x09 ? "Active Discovery Initiation (PADI)"
                    : code == 0x07 ? "Active Discovery Offer (PADO)"
                    : code == 0x19 ? "Active Discovery Request (PADR)"
                    : code == 0x65 ? "Active Discovery Session-confirmation (PADS)"
                    : code == 0xA7 ? "Active Discovery Terminate (PADT)"
                                   : "Unknown";
    if (p.want_tree()) {
        const size_t o = t.begin();
        const uint8_t vt = t.u8(0);
        p.add_bits(f0 + kPppoeVersion, o, 1, vt >> 4, bit_label(vt, 8, 0xF0, strf("Version: %u", vt >> 4)));
        p.add_bits(f0 + kPppoeType, o, 1, vt & 15, bit_label(vt, 8, 0x0F, strf("Type: %u", vt & 15)));
        p.add_uint(f0 + kPppoeCode, o + 1, 1, code, strf("Code: %s (0x%02x)", code_name, code));
        p.add_uint(f0 + kPppoeSession, o + 2, 2, t.be16(2));
        p.add_uint(f0 + kPppoeLength, o + 4, 2, t.be16(4));
    }
    Tvb payload = t.rest(6).sub(0, t.be16(4), "PPPoE payload");
    if (Columns* c = p.col()) {
        c->protocol = session ? "PPPoES" : "PPPoED";
        c->info = code_name;
    }
    if (!session) {
        pppoe_tags(payload, p);
        return;
    }
    dissect_ppp(payload, p, false);
}

void register_ppp() { f0 = register_fields(kFields, kCount); }

} // namespace underhood::dissect
