// HTTP/1.x (any port its first bytes say so, and ports 80 and 8080) and
// SSDP (UDP 1900, HTTP over UDP): the request or status line, the header
// lines, the body's size. The Host of a request names the server it went to.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/names.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <cstring>

namespace underhood::dissect {
namespace {

enum {
    kHttp, kMethod, kUri, kVersion, kHost, kCode, kPhrase, kSsdp, kResponseVersion, kFullUri,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"http", "Hypertext Transfer Protocol", FieldType::Protocol},
    {"http.request.method", "Request Method", FieldType::String},
    {"http.request.uri", "Request URI", FieldType::String},
    {"http.request.version", "Request Version", FieldType::String},
    {"http.host", "Host", FieldType::String},
    {"http.response.code", "Status Code", FieldType::Uint},
    {"http.response.phrase", "Response Phrase", FieldType::String},
    {"ssdp", "Simple Service Discovery Protocol", FieldType::Protocol},
    {"http.response.version", "Response Version", FieldType::String},
    {"http.request.full_uri", "Full request URI", FieldType::String},
};
FieldId f0 = 0;

constexpr size_t kMaxNameOffset = 8192; // where a Host header still names the server
constexpr int kMaxSsdpLines = 200;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool looks_like_http(std::string_view s)
{
    static constexpr std::string_view kStarts[] = {"GET ",     "POST ",    "HEAD ",  "PUT ",   "DELETE ",
                                                   "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "HTTP/1."};
    for (std::string_view k : kStarts)
        if (starts_with(s, k))
            return true;
    return false;
}

std::string printable(std::string_view s, size_t max = 200)
{
    return printable_text(reinterpret_cast<const uint8_t*>(s.data()), s.size(), max);
}

// The value of header `name` (lower case) in `line`, or empty.
std::string_view header_value(std::string_view line, std::string_view name)
{
    if (line.size() <= name.size() || line[name.size()] != ':')
        return {};
    for (size_t k = 0; k < name.size(); ++k)
        if ((line[k] | 0x20) != name[k])
            return {};
    size_t v = name.size() + 1;
    while (v < line.size() && line[v] == ' ')
        ++v;
    return line.substr(v);
}

// The request or status line's parts (RFC 9112 3, 4), under the line.
void first_line_fields(Packet& p, size_t o, std::string_view first)
{
    const size_t sp1 = first.find(' ');
    const size_t sp2 = sp1 == std::string_view::npos ? sp1 : first.find(' ', sp1 + 1);
    const size_t a = sp1 == std::string_view::npos ? first.size() : sp1;
    const size_t c = sp2 == std::string_view::npos ? first.size() : sp2;
    if (starts_with(first, "HTTP/")) {
        p.add_text(f0 + kResponseVersion, o, a, first.substr(0, a), "Response Version: " + printable(first.substr(0, a)));
        if (a < first.size()) {
            const std::string_view code = first.substr(a + 1, c - a - 1);
            unsigned v = 0;
            bool digits = code.size() == 3;
            for (char ch : code)
                digits = digits && ch >= '0' && ch <= '9', v = v * 10 + unsigned(ch - '0');
            if (digits)
                p.add_uint(f0 + kCode, o + a + 1, 3, v);
            else
                p.add_note(o + a + 1, code.size(), "Status Code: " + printable(code));
        }
        if (c < first.size())
            p.add_text(f0 + kPhrase, o + c + 1, first.size() - c - 1, first.substr(c + 1),
                       "Response Phrase: " + printable(first.substr(c + 1)));
        return;
    }
    if (sp1 == std::string_view::npos) {
        p.add_note(o, a, "Request Method: " + printable(first));
        return;
    }
    p.add_text(f0 + kMethod, o, a, first.substr(0, a), "Request Method: " + printable(first.substr(0, a)));
    const std::string_view uri = first.substr(a + 1, c - a - 1);
    if (sp2 == std::string_view::npos) {
        p.add_note(o + a + 1, uri.size(), "Request URI: " + printable(uri));
        return;
    }
    p.add_text(f0 + kUri, o + a + 1, uri.size(), uri, "Request URI: " + printable(uri));
    p.add_text(f0 + kVersion, o + c + 1, first.size() - c - 1, first.substr(c + 1),
               "Request Version: " + printable(first.substr(c + 1)));
}

enum class Kind : uint8_t { Http, Ssdp };

void message(Tvb t, Packet& p, Kind kind)
{
    const bool tree = p.want_tree();
    Columns* const col = p.col();
    if ((!tree && !col && !p.names) || p.quoted())
        return;
    const std::string_view s = t.text(0);
    const size_t o = t.begin();
    const bool ssdp = kind == Kind::Ssdp;
    p.layer(f0 + (ssdp ? kSsdp : kHttp), t, {});
    if (col)
        col->protocol = ssdp ? "SSDP" : "HTTP";
    size_t eol = s.find('\n');
    std::string_view first = s.substr(0, eol);
    if (!first.empty() && first.back() == '\r')
        first.remove_suffix(1);
    if (tree) {
        const size_t line_end = eol == std::string_view::npos ? s.size() : eol + 1;
        p.add_note(o, line_end, printable(first) + (eol == std::string_view::npos ? "" : "\\r\\n"));
        Packet::Subtree sub(p);
        first_line_fields(p, o, first);
    }
    // A message names its server when it starts like a request line (an
    // upper-case method); body segments of a flow are skipped cheaply.
    bool name_server = p.names && s.size() >= 4 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
    // Headers up to the blank line (lines end in CRLF, or LF alone); Host
    // is case-insensitive.
    std::string_view host, content_type;
    bool headers_done = false;
    size_t at = eol == std::string_view::npos ? s.size() : eol + 1;
    while (at < s.size()) {
        const size_t e = s.find('\n', at);
        const size_t next = e == std::string_view::npos ? s.size() : e + 1;
        std::string_view line = s.substr(at, e == std::string_view::npos ? std::string_view::npos : e - at);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty()) {
            p.add_note(o + at, next - at, "\\r\\n");
            at = next;
            headers_done = true;
            break;
        }
        const std::string label = tree ? printable(line) + (e == std::string_view::npos ? "" : "\\r\\n") : std::string();
        if (line.size() >= 5 && (line[0] | 0x20) == 'h' && (line[1] | 0x20) == 'o' && (line[2] | 0x20) == 's' &&
            (line[3] | 0x20) == 't' && line[4] == ':') {
            size_t v = 5;
            while (v < line.size() && (line[v] == ' ' || line[v] == '\t'))
                ++v;
            p.add_text(f0 + kHost, o + at, next - at, line.substr(v), label);
            if (host.empty())
                host = header_value(line, "host");
            // The first Host header within the first 8 KiB names the server:
            // without a port, but a bracketed IPv6 literal stays whole.
            if (name_server && at + v < kMaxNameOffset) {
                std::string_view name = line.substr(v, kMaxNameOffset - (at + v));
                if (!name.empty() && name[0] != '[') {
                    const size_t colon = name.rfind(':');
                    if (colon != std::string_view::npos)
                        name = name.substr(0, colon);
                }
                if (!name.empty())
                    p.names->ip_name(p.net_dst, printable_name(reinterpret_cast<const uint8_t*>(name.data()), name.size()));
            }
            name_server = false;
        } else {
            p.add_note(o + at, next - at, label);
            if (const std::string_view c = header_value(line, "content-type"); !c.empty() && content_type.empty())
                content_type = c.substr(0, c.find(';'));
        }
        at = next;
        if (e == std::string_view::npos)
            break;
    }
    if (!tree && !col)
        return;
    if (ssdp) {
        // What follows the headers, line by line as it is.
        for (int i = 0; tree && i < kMaxSsdpLines && at < s.size(); ++i) {
            const size_t e = s.find('\n', at);
            const size_t next = e == std::string_view::npos ? s.size() : e + 1;
            std::string_view line = s.substr(at, next - at);
            if (!line.empty() && line.back() == '\n')
                line.remove_suffix(1);
            if (!line.empty() && line.back() == '\r')
                line.remove_suffix(1);
            p.add_note(o + at, next - at, printable(line) + (e == std::string_view::npos ? "" : "\\r\\n"));
            at = next;
        }
        if (tree && at < s.size())
            p.add_note(o + at, s.size() - at, strf("[%zu more bytes]", s.size() - at));
        if (col)
            col->info = printable(first);
        return;
    }
    if (!headers_done) {
        if (t.end() == p.captured() && p.missing() > 0)
            app_problem(p, DecodedPacket::Truncated, o + at, t.length() - at, "HTTP headers truncated");
        else
            p.add_note(0, 0, "[HTTP headers continue in the next TCP segment]");
    } else if (at < s.size()) {
        p.add_note(o + at, s.size() - at, strf("File Data: %zu bytes", s.size() - at));
    }
    if (tree && !starts_with(s, "HTTP/") && !host.empty()) {
        const size_t a = first.find(' ');
        std::string_view uri = a == std::string_view::npos ? std::string_view() : first.substr(a + 1);
        uri = uri.substr(0, uri.find(' '));
        if (!uri.empty() && uri[0] == '/') {
            const std::string full = "http://" + printable(host) + printable(uri);
            p.add_text(f0 + kFullUri, 0, 0, full, "[Full request URI: " + full + "]");
        }
    }
    if (col)
        col->info = printable(first) + (content_type.empty() ? "" : "  (" + printable(content_type) + ")");
}

void ssdp(Tvb t, Packet& p) { message(t, p, Kind::Ssdp); }

// HTTP on a port that names it, whatever the payload looks like.
void http_port(Tvb t, Packet& p)
{
    if (looks_like_http(t.text(0))) {
        message(t, p, Kind::Http);
        return;
    }
    if ((!p.want_tree() && !p.want_columns()) || p.quoted())
        return;
    // A body segment, or a protocol that only borrows the port.
    p.layer(f0 + kHttp, t, {});
    p.add_note(t.begin(), t.length(), strf("File Data: %zu bytes", t.length()));
    if (Columns* c = p.col()) {
        c->protocol = "HTTP";
        c->info = "Continuation";
    }
}

} // namespace

void dissect_http(Tvb t, Packet& p) { message(t, p, Kind::Http); }

void register_http()
{
    f0 = register_fields(kFields, kCount);
    add_tcp_port(80, http_port);
    add_tcp_port(8080, http_port);
    add_udp_port(1900, ssdp); // SSDP: HTTP requests and responses over UDP
}

} // namespace underhood::dissect
