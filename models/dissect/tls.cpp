// TLS records (RFC 8446, RFC 5246): each record's type and version, the
// handshake messages before Change Cipher Spec (hellos with their cipher
// suites and extensions, certificates), alerts, and the encrypted rest by
// size. The server name a Client Hello asks for (SNI) names the server.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/names.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

namespace underhood::dissect {
namespace {

enum {
    kTls, kRecordVersion, kContentType, kHsType, kSni, kRecordLength, kHsLength, kHsVersion, kRandom,
    kSessionIdLength, kSessionId, kCipherSuitesLength, kCipherSuite, kCompMethodsLength, kCompMethod,
    kExtensionsLength, kExtType, kExtLen, kExtData, kSniListLen, kSniType, kSniLen, kAlpnStr, kSupportedVersion,
    kAlertLevel, kAlertDesc, kAppData, kCertificatesLength,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"tls", "Transport Layer Security", FieldType::Protocol},
    {"tls.record.version", "Version", FieldType::Uint, Base::Hex, 4},
    {"tls.record.content_type", "Content Type", FieldType::Uint},
    {"tls.handshake.type", "Handshake Type", FieldType::Uint},
    {"tls.handshake.extensions_server_name", "Server Name", FieldType::String},
    {"tls.record.length", "Length", FieldType::Uint},
    {"tls.handshake.length", "Length", FieldType::Uint},
    {"tls.handshake.version", "Version", FieldType::Uint, Base::Hex, 4},
    {"tls.handshake.random", "Random", FieldType::Bytes},
    {"tls.handshake.session_id_length", "Session ID Length", FieldType::Uint},
    {"tls.handshake.session_id", "Session ID", FieldType::Bytes},
    {"tls.handshake.cipher_suites_length", "Cipher Suites Length", FieldType::Uint},
    {"tls.handshake.ciphersuite", "Cipher Suite", FieldType::Uint, Base::Hex, 4},
    {"tls.handshake.comp_methods_length", "Compression Methods Length", FieldType::Uint},
    {"tls.handshake.comp_method", "Compression Method", FieldType::Uint},
    {"tls.handshake.extensions_length", "Extensions Length", FieldType::Uint},
    {"tls.handshake.extension.type", "Type", FieldType::Uint},
    {"tls.handshake.extension.len", "Length", FieldType::Uint},
    {"tls.handshake.extension.data", "Data", FieldType::Bytes},
    {"tls.handshake.extensions_server_name_list_len", "Server Name list length", FieldType::Uint},
    {"tls.handshake.extensions_server_name_type", "Server Name Type", FieldType::Uint},
    {"tls.handshake.extensions_server_name_len", "Server Name length", FieldType::Uint},
    {"tls.handshake.extensions_alpn_str", "ALPN Next Protocol", FieldType::String},
    {"tls.handshake.extensions.supported_version", "Supported Version", FieldType::Uint, Base::Hex, 4},
    {"tls.alert_message.level", "Level", FieldType::Uint},
    {"tls.alert_message.desc", "Description", FieldType::Uint},
    {"tls.app_data", "Encrypted Application Data", FieldType::Bytes},
    {"tls.handshake.certificates_length", "Certificates Length", FieldType::Uint},
};
FieldId f0 = 0;

constexpr int kMaxRecords = 64;
constexpr int kMaxMessages = 32;
constexpr int kMaxExtensions = 128;

std::string version_text(uint16_t v)
{
    switch (v) {
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return (v & 0x0F0F) == 0x0A0A ? "Reserved (GREASE)" : "Unknown";
    }
}

// The protocol column: the version a record or hello names.
std::string version_column(uint16_t v)
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

const char* handshake_name(uint8_t t)
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

std::string cipher_text(uint16_t c)
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

const char* extension_name(uint16_t t)
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

// Where a Client Hello's server name is, read as the names read it:
// through the hello's own lengths, whatever the record and handshake
// lengths say. `h` starts at the hello's version.
struct SniAt {
    bool found = false;
    size_t at = 0, len = 0; // in h
};

SniAt find_sni(Tvb h)
{
    // version(2) random(32) session id, cipher suites, compression, extensions.
    size_t at = 34;
    if (!h.has(at, 1))
        return {};
    at += 1 + h.u8(at);
    if (!h.has(at, 2))
        return {};
    at += 2 + h.be16(at);
    if (!h.has(at, 1))
        return {};
    at += 1 + h.u8(at);
    if (!h.has(at, 2))
        return {};
    const size_t ext = at + 2;
    const size_t ext_end = std::min<size_t>(h.be16(at), h.length() - std::min(ext, h.length()));
    size_t e = 0;
    while (e + 4 <= ext_end) {
        const uint16_t type = h.be16(ext + e), len = h.be16(ext + e + 2);
        if (e + 4 + len > ext_end)
            return {};
        if (type == 0 && len >= 5) {
            // server_name_list: length(2), type(1), name length(2), name.
            const size_t name_len = h.be16(ext + e + 7);
            if (h.u8(ext + e + 6) != 0 || name_len == 0 || 5 + name_len > len)
                return {};
            return SniAt{true, ext + e + 9, name_len};
        }
        e += 4 + len;
    }
    return {};
}

// One pass over a segment's records for the tree and the columns.
class Records {
public:
    Records(Tvb t, Packet& p) : t_(t), p_(p), o_(t.begin()) {}
    void run();

private:
    void handshake(size_t off, size_t end, bool first_in_record, std::string& info, uint16_t& version);
    void hello(bool client, size_t off, size_t end, std::string& sni, uint16_t& version);
    void extensions(size_t off, size_t end, bool client, std::string& sni, uint16_t& version);
    bool fits(size_t at, size_t len, size_t end, const char* what)
    {
        return app_fits(p_, t_.sub(0, end), at, len, what, true);
    }
    size_t claim(size_t at, size_t len, size_t end, const char* what)
    {
        return app_claim(p_, t_.sub(0, end), at, len, what, true);
    }
    std::string hex(size_t at, size_t len, size_t max = 24) { return hex_text(t_.bytes(at, len), len, max); }
    std::string_view raw(size_t at, size_t len) const { return t_.text(at).substr(0, len); }

    Tvb t_;
    Packet& p_;
    size_t o_;
    bool encrypted_ = false; // after Change Cipher Spec, handshake records are encrypted
    SniAt sni_;              // the current hello's server name as the names see it (relative to t_)
    bool sni_shown_ = false;
};

void Records::run()
{
    const bool tree = p_.want_tree();
    Columns* const col = p_.col();
    p_.layer(f0 + kTls, t_, {});
    std::string info;
    uint16_t column_version = 0;
    size_t at = 0;
    for (int records = 0; records < kMaxRecords && at < t_.length(); ++records) {
        if (!t_.has(at, 5) || t_.u8(at) < 20 || t_.u8(at) > 23 || t_.u8(at + 1) != 3) {
            const size_t left = t_.length() - at;
            if (left < 5 && t_.u8(at) >= 20 && t_.u8(at) <= 24) {
                fits(at, 5, t_.length(), "TLS record header");
            } else {
                p_.add_note(o_ + at, left,
                            records ? strf("[Continuation data or unknown record (%zu bytes)]", left)
                                    : strf("Continuation Data (%zu bytes)", left));
                if (!records)
                    info = "Continuation Data";
            }
            break;
        }
        const uint8_t type = t_.u8(at);
        const uint16_t version = t_.be16(at + 1);
        const size_t len = t_.be16(at + 3);
        static constexpr const char* kTypes[] = {"Change Cipher Spec", "Alert", "Handshake", "Application Data"};
        const char* const type_name = kTypes[type - 20];
        column_version = std::max(column_version, version);
        const size_t body = at + 5;
        const size_t rec = p_.add_note(o_ + at, 5 + len, {});
        Packet::Subtree in_record(p_);
        p_.add_uint(f0 + kContentType, o_ + at, 1, type, tree ? strf("Content Type: %s (%u)", type_name, type) : std::string());
        p_.add_uint(f0 + kRecordVersion, o_ + at + 1, 2, version,
                    tree ? strf("Version: %s (0x%04x)", version_text(version).c_str(), version) : std::string());
        p_.add_uint(f0 + kRecordLength, o_ + at + 3, 2, len);
        const size_t e = claim(body, len, t_.length(), "TLS record");
        encrypted_ = encrypted_ || type == 20;
        std::string record_info;
        uint16_t hello_version = 0;
        switch (type) {
        case 20:
            p_.add_note(o_ + body, e - body, "Change Cipher Spec Message");
            record_info = "Change Cipher Spec";
            break;
        case 21:
            if (len == 2 && e - body == 2) {
                static constexpr const char* kLevels[] = {"Unknown", "Warning", "Fatal"};
                const uint8_t level = t_.u8(body), desc = t_.u8(body + 1);
                const char* const level_name = level < 3 ? kLevels[level] : "Unknown";
                p_.add_note(o_ + body, 2, strf("Alert Message: Level %s (%u), Description %u", level_name, level, desc));
                Packet::Subtree sub(p_);
                p_.add_uint(f0 + kAlertLevel, o_ + body, 1, level, strf("Level: %s (%u)", level_name, level));
                p_.add_uint(f0 + kAlertDesc, o_ + body + 1, 1, desc);
                record_info = "Alert";
            } else {
                p_.add_note(o_ + body, e - body, "Alert Message: Encrypted Alert");
                record_info = "Encrypted Alert";
            }
            break;
        case 22: handshake(body, e, true, record_info, hello_version); break;
        default:
            p_.add_text(f0 + kAppData, o_ + body, e - body, raw(body, e - body),
                        tree ? "Encrypted Application Data: " + hex(body, e - body) : std::string());
            record_info = "Application Data";
            break;
        }
        // A hello names the version it offers or picks; the record layer stays at 1.0 or 1.2.
        column_version = std::max(column_version, hello_version);
        if (tree)
            p_.relabel(rec, strf("%s Record Layer: %s Protocol: %s", version_column(std::max(version, hello_version)).c_str(),
                                 type_name, record_info.c_str()));
        if (col && !record_info.empty() && info.find(record_info) == std::string::npos)
            info += (info.empty() ? "" : ", ") + record_info;
        if (e < body + len)
            break;
        at = e;
    }
    if (col) {
        col->protocol = version_column(column_version);
        if (!info.empty())
            col->info = info;
    }
}

// The handshake messages of one record, [off, end) in t_.
void Records::handshake(size_t off, size_t end, bool first_in_record, std::string& info, uint16_t& version)
{
    // The handshake type of a record's first message is a field wherever
    // the record's first four bytes are there, as the fields output has
    // always read it: for an empty record, what follows it.
    if (first_in_record && off >= end && !encrypted_ && t_.has(off, 4))
        p_.add_uint(f0 + kHsType, o_ + off, 0, t_.u8(off), "[Empty handshake record]");
    for (int i = 0; i < kMaxMessages && off < end; ++i, first_in_record = false) {
        const uint8_t type = t_.u8(off);
        const char* const name = handshake_name(type);
        const bool field = first_in_record && !encrypted_ && t_.has(off, 4);
        if (!name || end - off < 4 || encrypted_) {
            // After Change Cipher Spec, or an unknown type: the message is
            // encrypted and its "type" and "length" are noise.
            if (field) {
                p_.add_uint(f0 + kHsType, o_ + off, end - off, type, "Encrypted Handshake Message");
                const SniAt sni = type == 1 ? find_sni(t_.rest(off + 4)) : SniAt{};
                if (sni.found)
                    p_.add_text(f0 + kSni, o_ + off + 4 + sni.at, sni.len, raw(off + 4 + sni.at, sni.len));
            } else
                p_.add_note(o_ + off, end - off, "Encrypted Handshake Message");
            info += std::string(info.empty() ? "" : ", ") + "Encrypted Handshake Message";
            return;
        }
        const size_t len = t_.be24(off + 1);
        const size_t hs = p_.add_note(o_ + off, 4 + len, strf("Handshake Protocol: %s", name));
        Packet::Subtree in_message(p_);
        p_.add_uint(f0 + kHsType, o_ + off, 1, type, strf("Handshake Type: %s (%u)", name, type));
        p_.add_uint(f0 + kHsLength, o_ + off + 1, 3, len);
        const size_t e = claim(off + 4, len, end, "TLS handshake message");
        p_.cover(hs, o_ + off, o_ + e);
        std::string summary = name;
        if (type == 1 || type == 2) {
            std::string sni;
            sni_ = field && type == 1 ? find_sni(t_.rest(off + 4)) : SniAt{};
            sni_.at += off + 4;
            sni_shown_ = false;
            hello(type == 1, off + 4, e, sni, version);
            if (sni_.found && !sni_shown_) // the hello's own lengths reach past the record's
                p_.add_text(f0 + kSni, o_ + sni_.at, sni_.len, raw(sni_.at, sni_.len));
            sni_ = {};
            if (!sni.empty())
                summary += " (SNI=" + sni + ")";
        } else if (type == 11 && e - off >= 7) {
            p_.add_uint(f0 + kCertificatesLength, o_ + off + 4, 3, t_.be24(off + 4));
            size_t c = off + 7;
            for (int k = 0; k < 16 && c + 3 <= e; ++k) {
                const size_t cl = t_.be24(c);
                const size_t ce = std::min(e, c + 3 + cl);
                p_.add_note(o_ + c, ce - c, strf("Certificate (%zu bytes)", cl));
                c = ce;
            }
        } else if (e > off + 4) {
            p_.add_note(o_ + off + 4, e - off - 4, strf("%s data (%zu bytes)", name, e - off - 4));
        }
        info += (info.empty() ? "" : ", ") + summary;
        off = e;
    }
}

// ClientHello and ServerHello (RFC 8446 4.1.2, 4.1.3). `version` becomes the
// highest version offered or the one chosen.
void Records::hello(bool client, size_t at, size_t e, std::string& sni, uint16_t& version)
{
    if (!fits(at, 2 + 32 + 1, e, "TLS hello"))
        return;
    const uint16_t hv = t_.be16(at);
    version = hv;
    p_.add_uint(f0 + kHsVersion, o_ + at, 2, hv, strf("Version: %s (0x%04x)", version_text(hv).c_str(), hv));
    p_.add_text(f0 + kRandom, o_ + at + 2, 32, raw(at + 2, 32), "Random: " + hex(at + 2, 32, 32));
    at += 34;
    const size_t sid = t_.u8(at);
    p_.add_uint(f0 + kSessionIdLength, o_ + at, 1, sid);
    if (!fits(at + 1, sid, e, "TLS session ID"))
        return;
    if (sid)
        p_.add_text(f0 + kSessionId, o_ + at + 1, sid, raw(at + 1, sid), "Session ID: " + hex(at + 1, sid, 32));
    at += 1 + sid;
    if (client) {
        if (!fits(at, 2, e, "TLS cipher suites"))
            return;
        const size_t cs = t_.be16(at);
        p_.add_uint(f0 + kCipherSuitesLength, o_ + at, 2, cs);
        if (!fits(at + 2, cs, e, "TLS cipher suites"))
            return;
        {
            p_.add_note(o_ + at + 2, cs, strf("Cipher Suites (%zu suite%s)", cs / 2, cs == 2 ? "" : "s"));
            Packet::Subtree sub(p_);
            for (size_t k = 0; k + 2 <= cs && k < 400; k += 2) {
                const uint16_t c = t_.be16(at + 2 + k);
                p_.add_uint(f0 + kCipherSuite, o_ + at + 2 + k, 2, c, "Cipher Suite: " + cipher_text(c));
            }
        }
        at += 2 + cs;
        if (!fits(at, 1, e, "TLS compression methods"))
            return;
        const size_t cm = t_.u8(at);
        p_.add_uint(f0 + kCompMethodsLength, o_ + at, 1, cm);
        if (!fits(at + 1, cm, e, "TLS compression methods"))
            return;
        p_.add_note(o_ + at + 1, cm, strf("Compression Methods (%zu method%s)", cm, cm == 1 ? "" : "s"));
        at += 1 + cm;
    } else {
        if (!fits(at, 3, e, "TLS server hello"))
            return;
        const uint16_t c = t_.be16(at);
        p_.add_uint(f0 + kCipherSuite, o_ + at, 2, c, "Cipher Suite: " + cipher_text(c));
        p_.add_uint(f0 + kCompMethod, o_ + at + 2, 1, t_.u8(at + 2));
        at += 3;
    }
    if (at >= e)
        return; // extensions are optional before TLS 1.3
    if (!fits(at, 2, e, "TLS extensions"))
        return;
    const size_t xl = t_.be16(at);
    p_.add_uint(f0 + kExtensionsLength, o_ + at, 2, xl);
    const size_t xe = claim(at + 2, xl, e, "TLS extensions");
    extensions(at + 2, xe, client, sni, version);
}

void Records::extensions(size_t off, size_t end, bool client, std::string& sni, uint16_t& version)
{
    for (int i = 0; i < kMaxExtensions && off < end; ++i) {
        if (!fits(off, 4, end, "TLS extension"))
            return;
        const uint16_t type = t_.be16(off);
        const size_t len = t_.be16(off + 2);
        const size_t e = claim(off + 4, len, end, "TLS extension");
        const char* const name = extension_name(type);
        const size_t x = p_.add_note(o_ + off, e - off, strf("Extension: %s (len=%zu)", name, len));
        Packet::Subtree in_extension(p_);
        p_.add_uint(f0 + kExtType, o_ + off, 2, type, strf("Type: %s (%u)", name, type));
        p_.add_uint(f0 + kExtLen, o_ + off + 2, 2, len);
        const size_t v = off + 4;
        if (type == 0 && client && e - v >= 5) {
            // server_name (RFC 6066 3): list length, name type, name length, name.
            p_.add_note(o_ + v, e - v, "Server Name Indication extension");
            Packet::Subtree sub(p_);
            p_.add_uint(f0 + kSniListLen, o_ + v, 2, t_.be16(v));
            const uint8_t name_type = t_.u8(v + 2);
            p_.add_uint(f0 + kSniType, o_ + v + 2, 1, name_type,
                        strf("Server Name Type: %s (%u)", name_type == 0 ? "host_name" : "Unknown", name_type));
            const size_t nl = t_.be16(v + 3);
            p_.add_uint(f0 + kSniLen, o_ + v + 3, 2, nl);
            if (fits(v + 5, nl, e, "server name")) {
                const std::string name_text = printable_name(t_.bytes(v + 5, nl), nl);
                const std::string label = "Server Name: " + name_text;
                if (sni_.found && !sni_shown_ && sni_.at == v + 5) {
                    p_.add_text(f0 + kSni, o_ + v + 5, nl, raw(v + 5, nl), label);
                    sni_shown_ = true;
                } else {
                    p_.add_note(o_ + v + 5, nl, label);
                }
                if (name_type == 0 && sni.empty())
                    sni = name_text;
                p_.relabel(x, strf("Extension: server_name (len=%zu) name=%s", len, name_text.c_str()));
            }
        } else if (type == 16 && e - v >= 2) {
            p_.add_note(o_ + v + 2, e - v - 2, "ALPN Protocol");
            Packet::Subtree sub(p_);
            std::string list;
            for (size_t at = v + 2; at < e;) {
                const size_t l = t_.u8(at);
                if (at + 1 + l > e)
                    break;
                const std::string proto = printable_text(t_.bytes(at + 1, l), l, 64);
                p_.add_text(f0 + kAlpnStr, o_ + at, 1 + l, raw(at + 1, l), "ALPN Next Protocol: " + proto);
                list += (list.empty() ? "" : ",") + proto;
                at += 1 + l;
            }
            p_.relabel(x, strf("Extension: application_layer_protocol_negotiation (len=%zu) %s", len, list.c_str()));
        } else if (type == 43) {
            // supported_versions (RFC 8446 4.2.1): a list in ClientHello, one version in ServerHello.
            uint16_t best = 0;
            if (client && e > v) {
                for (size_t at = v + 1; at + 2 <= e; at += 2) {
                    const uint16_t sv = t_.be16(at);
                    p_.add_uint(f0 + kSupportedVersion, o_ + at, 2, sv,
                                strf("Supported Version: %s (0x%04x)", version_text(sv).c_str(), sv));
                    if ((sv & 0x0F0F) != 0x0A0A && sv <= 0x0304)
                        best = std::max(best, sv);
                }
            } else if (!client && e - v >= 2) {
                best = t_.be16(v);
                p_.add_uint(f0 + kSupportedVersion, o_ + v, 2, best,
                            strf("Supported Version: %s (0x%04x)", version_text(best).c_str(), best));
            }
            if (best)
                version = best;
        } else if (e > v) {
            p_.add_text(f0 + kExtData, o_ + v, e - v, raw(v, e - v), "Data: " + hex(v, e - v));
        }
        off = e;
    }
}

} // namespace

void dissect_tls(Tvb t, Packet& p)
{
    if (!app_wanted(p) || p.quoted())
        return;
    // The first record's Client Hello names the server the connection goes to.
    if (p.names && t.has(0, 9) && t.u8(0) == 22 && t.u8(1) == 3 && t.u8(5) == 1) {
        const SniAt sni = find_sni(t.rest(9));
        if (sni.found)
            p.names->ip_name(p.net_dst, printable_name(t.bytes(9 + sni.at, sni.len), sni.len));
    }
    if (!p.want_tree() && !p.want_columns())
        return;
    Records(t, p).run();
}

void register_tls()
{
    f0 = register_fields(kFields, kCount);
    // On its ports, a payload that starts no record is continuation data.
    add_tcp_port(443, dissect_tls);
    add_tcp_port(8443, dissect_tls);
}

} // namespace underhood::dissect
