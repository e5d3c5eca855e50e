// QUIC (RFC 9000 17, RFC 9369) without decryption: the long header's type,
// version, connection IDs, token and length of each coalesced packet; a
// short header by its first byte.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

namespace underhood::dissect {
namespace {

enum {
    kQuic, kHeaderForm, kFixedBit, kSpinBit, kPacketType, kVersion, kDcil, kDcid, kScil, kScid, kTokenLength, kToken,
    kLength, kSupportedVersion,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"quic", "QUIC IETF", FieldType::Protocol},
    {"quic.header_form", "Header Form", FieldType::Uint},
    {"quic.fixed_bit", "Fixed Bit", FieldType::Bool},
    {"quic.spin_bit", "Spin Bit", FieldType::Bool},
    {"quic.long.packet_type", "Packet Type", FieldType::Uint},
    {"quic.version", "Version", FieldType::Uint, Base::Hex, 8},
    {"quic.dcil", "Destination Connection ID Length", FieldType::Uint},
    {"quic.dcid", "Destination Connection ID", FieldType::Bytes},
    {"quic.scil", "Source Connection ID Length", FieldType::Uint},
    {"quic.scid", "Source Connection ID", FieldType::Bytes},
    {"quic.token_length", "Token Length", FieldType::Uint},
    {"quic.token", "Token", FieldType::Bytes},
    {"quic.length", "Length", FieldType::Uint},
    {"quic.supported_version", "Supported Version", FieldType::Uint, Base::Hex, 8},
};
FieldId f0 = 0;

constexpr int kMaxPackets = 8; // coalesced in one datagram (RFC 9000 12.2)
constexpr uint32_t kVersion2 = 0x6b3343cf;

// A variable-length integer (RFC 9000 16) at `at`; false when it runs past `t`.
bool varint(Tvb t, size_t at, uint64_t& value, size_t& len)
{
    if (!t.has(at, 1))
        return false;
    len = size_t(1) << (t.u8(at) >> 6);
    if (!t.has(at, len))
        return false;
    value = t.u8(at) & 0x3F;
    for (size_t i = 1; i < len; ++i)
        value = value << 8 | t.u8(at + i);
    return true;
}

const char* true_false(bool b) { return b ? "True" : "False"; }

} // namespace

void dissect_quic(Tvb t, Packet& p)
{
    if ((!p.want_tree() && !p.want_columns()) || p.quoted() || t.empty())
        return;
    const size_t o = t.begin();
    p.layer(f0 + kQuic, t, {});
    Columns* const col = p.col();
    if (col)
        col->protocol = "QUIC";
    std::string info;
    size_t at = 0;
    for (int packets = 0; packets < kMaxPackets && at < t.length(); ++packets) {
        const uint8_t first = t.u8(at);
        if (!(first & 0x80)) {
            p.add_note(o + at, t.length() - at, "QUIC Short Header");
            Packet::Subtree sub(p);
            p.add_bits(f0 + kHeaderForm, o + at, 1, 0, bit_label(first, 8, 0x80, "Header Form: Short Header (0)"));
            p.add_bits(f0 + kFixedBit, o + at, 1, (first >> 6) & 1,
                       bit_label(first, 8, 0x40, strf("Fixed Bit: %s", true_false(first & 0x40))));
            p.add_bits(f0 + kSpinBit, o + at, 1, (first >> 5) & 1,
                       bit_label(first, 8, 0x20, strf("Spin Bit: %s", true_false(first & 0x20))));
            if (at + 1 < t.length())
                p.add_note(o + at + 1, t.length() - at - 1,
                           strf("Protected Payload (%zu bytes; the connection ID length is not known)", t.length() - at - 1));
            info += std::string(info.empty() ? "" : ", ") + "Protected Payload (KP0)";
            break;
        }
        const size_t q = p.add_note(o + at, t.length() - at, "QUIC Long Header");
        Packet::Subtree sub(p);
        if (!app_fits(p, t, at, 6, "QUIC long header", false))
            break;
        const uint32_t version = t.be32(at + 1);
        static constexpr const char* kTypes[] = {"Initial", "0-RTT", "Handshake", "Retry"};
        unsigned ptype = (first >> 4) & 3;
        if (version == kVersion2) // QUIC v2 (RFC 9369 3.2) rotates the types
            ptype = (ptype + 3) & 3;
        const char* const type_name = version == 0 ? "Version Negotiation" : kTypes[ptype];
        p.add_bits(f0 + kHeaderForm, o + at, 1, 1, bit_label(first, 8, 0x80, "Header Form: Long Header (1)"));
        p.add_bits(f0 + kFixedBit, o + at, 1, (first >> 6) & 1,
                   bit_label(first, 8, 0x40, strf("Fixed Bit: %s", true_false(first & 0x40))));
        if (version)
            p.add_bits(f0 + kPacketType, o + at, 1, (first >> 4) & 3,
                       bit_label(first, 8, 0x30, strf("Packet Type: %s (%u)", type_name, (first >> 4) & 3)));
        p.add_uint(f0 + kVersion, o + at + 1, 4, version,
                   strf("Version: %s (0x%08x)",
                        version == 1           ? "1"
                        : version == kVersion2 ? "2"
                        : version == 0         ? "Negotiation"
                                               : "Unknown",
                        version));
        size_t c = at + 5;
        const size_t dcil = t.u8(c);
        p.add_uint(f0 + kDcil, o + c, 1, dcil);
        if (dcil > 20 && version == 1) {
            app_problem(p, DecodedPacket::Malformed, o + c, 1, "QUIC connection ID longer than 20 bytes");
            break;
        }
        if (!app_fits(p, t, c + 1, dcil + 1, "QUIC connection IDs", false))
            break;
        const std::string dcid = hex_text(t.bytes(c + 1, dcil), dcil, 20);
        if (dcil)
            p.add_text(f0 + kDcid, o + c + 1, dcil, t.text(c + 1).substr(0, dcil), "Destination Connection ID: " + dcid);
        c += 1 + dcil;
        const size_t scil = t.u8(c);
        p.add_uint(f0 + kScil, o + c, 1, scil);
        if (!app_fits(p, t, c + 1, scil, "QUIC connection IDs", false))
            break;
        const std::string scid = hex_text(t.bytes(c + 1, scil), scil, 20);
        if (scil)
            p.add_text(f0 + kScid, o + c + 1, scil, t.text(c + 1).substr(0, scil), "Source Connection ID: " + scid);
        c += 1 + scil;
        p.relabel(q, "QUIC Long Header: " + std::string(type_name));
        info += (info.empty() ? "" : ", ") + std::string(type_name) + ", DCID=" + dcid + (scil ? ", SCID=" + scid : "");
        if (version == 0) {
            for (size_t k = c; k + 4 <= t.length() && k < c + 4 * 32; k += 4)
                p.add_uint(f0 + kSupportedVersion, o + k, 4, t.be32(k));
            break;
        }
        if (ptype == 3) { // Retry: a token and an integrity tag
            if (c < t.length())
                p.add_note(o + c, t.length() - c, strf("Retry Token and Integrity Tag (%zu bytes)", t.length() - c));
            break;
        }
        uint64_t value = 0;
        size_t vl = 0;
        if (ptype == 0) {
            if (!varint(t, c, value, vl)) {
                app_fits(p, t, c, 8, "QUIC token length", false);
                break;
            }
            p.add_uint(f0 + kTokenLength, o + c, vl, value);
            c += vl;
            const size_t tl = value > t.length() ? t.length() + 1 : size_t(value);
            if (!app_fits(p, t, c, tl, "QUIC token", false))
                break;
            if (tl)
                p.add_text(f0 + kToken, o + c, tl, t.text(c).substr(0, tl), "Token: " + hex_text(t.bytes(c, tl), tl));
            c += tl;
        }
        if (!varint(t, c, value, vl)) {
            app_fits(p, t, c, 8, "QUIC length", false);
            break;
        }
        p.add_uint(f0 + kLength, o + c, vl, value);
        c += vl;
        const size_t pe = app_claim(p, t, c, value > SIZE_MAX / 2 ? SIZE_MAX / 2 : size_t(value), "QUIC packet", false);
        if (pe > c)
            p.add_note(o + c, pe - c, strf("Packet Number and Protected Payload (%zu bytes)", pe - c));
        p.cover(q, o + at, o + pe);
        if (pe <= c || pe >= t.length())
            break;
        at = pe;
    }
    if (col)
        col->info = info;
}

void register_quic() { f0 = register_fields(kFields, kCount); }

} // namespace underhood::dissect
