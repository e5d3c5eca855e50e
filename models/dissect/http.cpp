// HTTP/1.x request and status lines and the Host header (any port).
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

} // namespace

void dissect_http(Tvb t, Packet& p)
{
    if (!p.want_tree())
        return;
    const std::string_view s = t.text(0);
    const size_t eol = s.find("\r\n");
    const std::string_view first = s.substr(0, eol);
    p.layer(f0 + kHttp, t, {});
    const size_t o = t.begin();
    const size_t sp1 = first.find(' ');
    if (sp1 == std::string_view::npos)
        return;
    const size_t sp2 = first.find(' ', sp1 + 1);
    if (first.substr(0, 5) == "HTTP/") {
        const std::string_view code = first.substr(sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1);
        unsigned v = 0;
        bool digits = code.size() == 3;
        for (char c : code)
            digits = digits && c >= '0' && c <= '9', v = v * 10 + unsigned(c - '0');
        if (digits)
            p.add_uint(f0 + kCode, o + sp1 + 1, 3, v);
        if (sp2 != std::string_view::npos)
            p.add_text(f0 + kPhrase, o + sp2 + 1, first.size() - sp2 - 1, first.substr(sp2 + 1));
    } else {
        p.add_text(f0 + kMethod, o, sp1, first.substr(0, sp1));
        if (sp2 != std::string_view::npos) {
            p.add_text(f0 + kUri, o + sp1 + 1, sp2 - sp1 - 1, first.substr(sp1 + 1, sp2 - sp1 - 1));
            p.add_text(f0 + kVersion, o + sp2 + 1, first.size() - sp2 - 1, first.substr(sp2 + 1));
        }
    }
    if (eol == std::string_view::npos)
        return;
    // Headers up to the blank line; Host is case-insensitive.
    for (size_t at = eol + 2; at < s.size();) {
        const size_t e = s.find("\r\n", at);
        const std::string_view line = s.substr(at, e == std::string_view::npos ? std::string_view::npos : e - at);
        if (line.empty())
            break;
        if (line.size() > 5 && (line[0] | 0x20) == 'h' && (line[1] | 0x20) == 'o' && (line[2] | 0x20) == 's' &&
            (line[3] | 0x20) == 't' && line[4] == ':') {
            size_t v = 5;
            while (v < line.size() && (line[v] == ' ' || line[v] == '\t'))
                ++v;
            p.add_text(f0 + kHost, o + at + v, line.size() - v, line.substr(v));
        }
        if (e == std::string_view::npos)
            break;
        at = e + 2;
    }
}

void register_http() { f0 = register_fields(kFields, kCount); }

} // namespace underhood::dissect
