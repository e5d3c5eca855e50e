// HTTP/1.x request and status lines and the Host header (any port); the
// Host of a request names the server it went to.
#include "dissect/names.h"
#include "dissect/registry.h"

namespace underhood::dissect {
namespace {

enum { kHttp, kMethod, kUri, kVersion, kHost, kCode, kPhrase, kCount };
constexpr FieldInfo kFields[] = {
    {"http", "Hypertext Transfer Protocol", FieldType::Protocol},
    {"http.request.method", "Request Method", FieldType::String},
    {"http.request.uri", "Request URI", FieldType::String},
    {"http.request.version", "Request Version", FieldType::String},
    {"http.host", "Host", FieldType::String},
    {"http.response.code", "Status Code", FieldType::Uint},
    {"http.response.phrase", "Response Phrase", FieldType::String},
};
FieldId f0 = 0;

constexpr size_t kMaxNameOffset = 8192; // where a Host header still names the server

} // namespace

void dissect_http(Tvb t, Packet& p)
{
    if (!p.want_tree() && !p.names)
        return;
    const std::string_view s = t.text(0);
    size_t eol = s.find('\n');
    std::string_view first = s.substr(0, eol);
    if (!first.empty() && first.back() == '\r')
        first.remove_suffix(1);
    p.layer(f0 + kHttp, t, {});
    const size_t o = t.begin();
    const size_t sp1 = first.find(' ');
    const size_t sp2 = sp1 == std::string_view::npos ? sp1 : first.find(' ', sp1 + 1);
    if (first.substr(0, 5) == "HTTP/" && sp1 != std::string_view::npos) {
        const std::string_view code = first.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1);
        unsigned v = 0;
        bool digits = code.size() == 3;
        for (char c : code)
            digits = digits && c >= '0' && c <= '9', v = v * 10 + unsigned(c - '0');
        if (digits)
            p.add_uint(f0 + kCode, o + sp1 + 1, 3, v);
        if (sp2 != std::string_view::npos)
            p.add_text(f0 + kPhrase, o + sp2 + 1, first.size() - sp2 - 1, first.substr(sp2 + 1));
    } else if (sp1 != std::string_view::npos) {
        p.add_text(f0 + kMethod, o, sp1, first.substr(0, sp1));
        if (sp2 != std::string_view::npos) {
            p.add_text(f0 + kUri, o + sp1 + 1, sp2 - sp1 - 1, first.substr(sp1 + 1, sp2 - sp1 - 1));
            p.add_text(f0 + kVersion, o + sp2 + 1, first.size() - sp2 - 1, first.substr(sp2 + 1));
        }
    }
    // A message names its server when it starts like a request line (an
    // upper-case method); body segments of a flow are skipped cheaply.
    bool name_server = p.names && s.size() >= 4 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
    // Headers up to the blank line (lines end in CRLF, or LF alone); Host
    // is case-insensitive.
    for (size_t at = eol == std::string_view::npos ? s.size() : eol + 1; at < s.size();) {
        const size_t e = s.find('\n', at);
        std::string_view line = s.substr(at, e == std::string_view::npos ? std::string_view::npos : e - at);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty())
            break;
        if (line.size() >= 5 && (line[0] | 0x20) == 'h' && (line[1] | 0x20) == 'o' && (line[2] | 0x20) == 's' &&
            (line[3] | 0x20) == 't' && line[4] == ':') {
            size_t v = 5;
            while (v < line.size() && (line[v] == ' ' || line[v] == '\t'))
                ++v;
            p.add_text(f0 + kHost, o + at + v, line.size() - v, line.substr(v));
            // The first Host header within the first 8 KiB names the server:
            // without a port, but a bracketed IPv6 literal stays whole.
            if (name_server && at + v < kMaxNameOffset) {
                std::string_view host = line.substr(v, kMaxNameOffset - (at + v));
                if (!host.empty() && host[0] != '[') {
                    const size_t colon = host.rfind(':');
                    if (colon != std::string_view::npos)
                        host = host.substr(0, colon);
                }
                if (!host.empty())
                    p.names->ip_name(p.net_dst, printable_name(reinterpret_cast<const uint8_t*>(host.data()), host.size()));
            }
            name_server = false;
        }
        if (e == std::string_view::npos)
            break;
        at = e + 1;
    }
}

void register_http()
{
    f0 = register_fields(kFields, kCount);
    add_udp_port(1900, dissect_http); // SSDP: HTTP requests and responses over UDP
}

} // namespace underhood::dissect
