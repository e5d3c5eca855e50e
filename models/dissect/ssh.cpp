// SSH (RFC 4253): the protocol version banner, and the key exchange
// messages readable before NEWKEYS; the rest is encrypted.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

namespace underhood::dissect {
namespace {

enum { kSsh, kProtocol, kDirection, kPacketLength, kPaddingLength, kMessageCode, kEncrypted, kCount };
constexpr FieldInfo kFields[] = {
    {"ssh", "SSH Protocol", FieldType::Protocol},
    {"ssh.protocol", "Protocol", FieldType::String},
    {"ssh.direction", "Direction", FieldType::Bool},
    {"ssh.packet_length", "Packet Length", FieldType::Uint},
    {"ssh.padding_length", "Padding Length", FieldType::Uint},
    {"ssh.message_code", "Message Code", FieldType::Uint},
    {"ssh.encrypted_packet", "Encrypted Packet", FieldType::Bytes},
};
FieldId f0 = 0;

const char* message_name(uint8_t code)
{
    switch (code) {
    case 20: return "Key Exchange Init";
    case 21: return "New Keys";
    case 30: return "Elliptic Curve Diffie-Hellman Key Exchange Init";
    case 31: return "Elliptic Curve Diffie-Hellman Key Exchange Reply";
    default: return nullptr;
    }
}

} // namespace

void dissect_ssh(Tvb t, Packet& p, bool from_client)
{
    if ((!p.want_tree() && !p.want_columns()) || p.quoted() || t.empty())
        return;
    const size_t o = t.begin();
    p.layer(f0 + kSsh, t, {});
    Columns* const col = p.col();
    if (col)
        col->protocol = "SSH";
    const char* const side = from_client ? "Client" : "Server";
    const std::string_view s = t.text(0);
    if (s.substr(0, 4) == "SSH-") {
        const size_t nl = s.find('\n');
        const size_t next = nl == std::string_view::npos ? s.size() : nl + 1;
        std::string_view line = s.substr(0, nl == std::string_view::npos ? s.size() : nl);
        if (nl != std::string_view::npos && !line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        const std::string banner = printable_text(reinterpret_cast<const uint8_t*>(line.data()), line.size());
        p.add_text(f0 + kProtocol, o, next, line,
                   "Protocol: " + banner + (nl == std::string_view::npos ? "" : "\\r\\n"));
        p.add_uint(f0 + kDirection, 0, 0, from_client ? 0 : 1,
                   strf("[Direction: %s]", from_client ? "client-to-server" : "server-to-client"));
        if (col) {
            if (s.substr(0, 7) == "SSH-2.0")
                col->protocol = "SSHv2";
            col->info = strf("%s: Protocol (%s)", side, banner.c_str());
        }
        return;
    }
    // The binary packet protocol: readable only before NEWKEYS.
    if (t.has(0, 6)) {
        const size_t plen = t.be32(0);
        const uint8_t padding = t.u8(4), code = t.u8(5);
        const char* const name = message_name(code);
        if (name && plen >= 12 && plen <= 35000 && padding >= 4 && padding < plen) {
            const size_t e = app_claim(p, t, 4, plen, "SSH packet", true);
            p.add_uint(f0 + kPacketLength, o, 4, plen);
            p.add_uint(f0 + kPaddingLength, o + 4, 1, padding);
            p.add_note(o + 5, e - 5, "Key Exchange (method:unknown)");
            Packet::Subtree sub(p);
            p.add_uint(f0 + kMessageCode, o + 5, 1, code, strf("Message Code: %s (%u)", name, code));
            if (col)
                col->info = strf("%s: %s", side, name);
            return;
        }
    }
    if (p.want_tree())
        p.add_text(f0 + kEncrypted, o, t.length(), s, "Encrypted Packet: " + hex_text(t.bytes(0, t.length()), t.length()));
    if (col)
        col->info = strf("%s: Encrypted packet (len=%zu)", side, t.length());
}

void register_ssh() { f0 = register_fields(kFields, kCount); }

} // namespace underhood::dissect
