// TLS records: version, handshake type, and the server name a Client Hello
// asks for (SNI), which names the server.
#include "dissect/names.h"
#include "dissect/registry.h"

namespace underhood::dissect {
namespace {

enum { kTls, kRecordVersion, kContentType, kHsType, kSni, kCount };
constexpr FieldInfo kFields[] = {
    {"tls", "Transport Layer Security", FieldType::Protocol},
    {"tls.record.version", "Version", FieldType::Uint, Base::Hex, 4},
    {"tls.record.content_type", "Content Type", FieldType::Uint},
    {"tls.handshake.type", "Handshake Type", FieldType::Uint},
    {"tls.handshake.extensions_server_name", "Server Name", FieldType::String},
};
FieldId f0 = 0;

// A Client Hello's extensions, for the server name. The first record's
// server name names the server the connection goes to.
void client_hello(Tvb h, Packet& p, bool names)
{
    // version(2) random(32) session id, cipher suites, compression, extensions.
    size_t at = 34;
    if (!h.has(at, 1))
        return;
    at += 1 + h.u8(at);
    if (!h.has(at, 2))
        return;
    at += 2 + h.be16(at);
    if (!h.has(at, 1))
        return;
    at += 1 + h.u8(at);
    if (!h.has(at, 2))
        return;
    Tvb ext = h.rest(at + 2);
    const size_t ext_end = std::min<size_t>(h.be16(at), ext.length());
    size_t e = 0;
    while (e + 4 <= ext_end) {
        const uint16_t type = ext.be16(e), len = ext.be16(e + 2);
        if (e + 4 + len > ext_end)
            return;
        if (type == 0 && len >= 5) {
            // server_name_list: length(2), type(1), name length(2), name.
            const size_t name_len = ext.be16(e + 7);
            if (ext.u8(e + 6) != 0 || name_len == 0 || 5 + name_len > len)
                return;
            const std::string_view name = ext.text(e + 9).substr(0, name_len);
            p.add_text(f0 + kSni, ext.begin() + e + 9, name_len, name);
            if (names && p.names)
                p.names->ip_name(p.net_dst, printable_name(ext.bytes(e + 9, name_len), name_len));
            return;
        }
        e += 4 + len;
    }
}

} // namespace

void dissect_tls(Tvb t, Packet& p)
{
    if (!p.want_tree() && !p.names)
        return;
    // Each record in the segment; a record that continues in the next
    // segment is shown as far as it was captured.
    size_t at = 0;
    bool encrypted = false; // after Change Cipher Spec, handshake records are encrypted
    for (int records = 0; records < 64 && t.has(at, 5); ++records) {
        const uint8_t type = t.u8(at);
        if (type < 20 || type > 23 || t.u8(at + 1) != 3)
            break;
        const uint16_t version = t.be16(at + 1), len = t.be16(at + 3);
        const size_t o = t.begin() + at;
        p.layer(f0 + kTls, t.rest(at).sub(0, std::min<size_t>(5 + len, t.length() - at)), {});
        p.add_uint(f0 + kContentType, o, 1, type);
        p.add_uint(f0 + kRecordVersion, o + 1, 2, version);
        encrypted = encrypted || type == 20;
        if (type == 22 && !encrypted && t.has(at + 5, 4)) {
            const uint8_t hs = t.u8(at + 5);
            p.add_uint(f0 + kHsType, o + 5, 1, hs);
            if (hs == 1)
                client_hello(t.rest(at + 9), p, at == 0);
        }
        if (!p.want_tree())
            return; // names come from the first record only
        at += 5 + size_t(len);
    }
}

void register_tls() { f0 = register_fields(kFields, kCount); }

} // namespace underhood::dissect
