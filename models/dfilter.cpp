#include "dfilter.h"

#include "dissect/engine.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

namespace underhood {

using dissect::FieldId;
using dissect::FieldInfo;
using dissect::FieldItem;
using dissect::FieldType;
using dissect::FieldValue;

namespace {

// ---------------------------------------------------------------- tokens

enum class Tok { End, Word, String, LParen, RParen, LBrace, RBrace, Comma, Op };

struct Token {
    Tok kind = Tok::End;
    std::string text; // a word, an operator, or a string's decoded value
    size_t pos = 0;
};

bool word_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
}

struct SyntaxError {
    std::string message;
    size_t pos;
};

std::vector<Token> lex(std::string_view s)
{
    std::vector<Token> out;
    size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        Token t;
        t.pos = i;
        if (c == '(' || c == ')' || c == '{' || c == '}' || c == ',') {
            t.kind = c == '(' ? Tok::LParen : c == ')' ? Tok::RParen : c == '{' ? Tok::LBrace : c == '}' ? Tok::RBrace : Tok::Comma;
            ++i;
        } else if (c == '"') {
            t.kind = Tok::String;
            ++i;
            bool closed = false;
            while (i < s.size()) {
                char d = s[i++];
                if (d == '"') {
                    closed = true;
                    break;
                }
                if (d != '\\') {
                    t.text += d;
                    continue;
                }
                if (i >= s.size())
                    break;
                d = s[i++];
                switch (d) {
                case 'n': t.text += '\n'; break;
                case 'r': t.text += '\r'; break;
                case 't': t.text += '\t'; break;
                case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
                    int v = d - '0';
                    for (int k = 0; k < 2 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k)
                        v = v * 8 + (s[i++] - '0');
                    t.text += char(v);
                    break;
                }
                case 'x': {
                    int v = 0, n = 0;
                    while (n < 2 && i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) {
                        const char h = char(std::tolower(static_cast<unsigned char>(s[i++])));
                        v = v * 16 + (h <= '9' ? h - '0' : h - 'a' + 10);
                        ++n;
                    }
                    if (n == 0)
                        throw SyntaxError{"\\x needs hex digits", i};
                    t.text += char(v);
                    break;
                }
                default: t.text += d; break; // \" \\ and any other character stand for themselves
                }
            }
            if (!closed)
                throw SyntaxError{"the string is not closed", t.pos};
        } else if (word_char(c)) {
            t.kind = Tok::Word;
            while (i < s.size() && word_char(s[i]))
                t.text += s[i++];
        } else {
            static constexpr std::string_view kOps[] = {"===", "!==", "==", "!=", ">=", "<=", "~=", "&&", "||", "^^",
                                                        ">",   "<",   "!",  "~",  "="};
            for (std::string_view op : kOps)
                if (s.substr(i, op.size()) == op) {
                    t.kind = Tok::Op;
                    t.text = std::string(op);
                    break;
                }
            if (t.kind != Tok::Op) {
                if (c == '[')
                    throw SyntaxError{"slices (field[i:j]) are not supported", i};
                throw SyntaxError{std::string("unexpected character '") + c + "'", i};
            }
            if (t.text == "=")
                throw SyntaxError{"'=' is not a comparison: use '=='", i};
            i += t.text.size();
        }
        out.push_back(std::move(t));
    }
    Token end;
    end.pos = s.size();
    out.push_back(end);
    return out;
}

// ---------------------------------------------------------------- values

enum class Cmp { Eq, AllNe, AllEq, AnyNe, Gt, Ge, Lt, Le };

struct Value {
    enum class Kind { Uint, Ip, Mac, Text } kind = Kind::Uint;
    uint64_t lo = 0, hi = 0; // Uint: a range lo..hi (lo == hi for one value)
    IpAddress ip;
    int prefix = -1; // -1: the whole address
    MacAddress mac;
    std::string text; // Text: a string or bytes
};

bool parse_uint(std::string_view w, uint64_t& out)
{
    if (w.empty())
        return false;
    int base = 10;
    if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
        base = 16;
        w.remove_prefix(2);
    } else if (w.size() > 1 && w[0] == '0') {
        base = 8;
        w.remove_prefix(1);
    }
    uint64_t v = 0;
    for (char c : w) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        if (d >= base || v > (UINT64_MAX - uint64_t(d)) / uint64_t(base))
            return false;
        v = v * uint64_t(base) + uint64_t(d);
    }
    out = v;
    return true;
}

// "11:22:33", "11-22-33", "1122.3344", or plain "112233" (an even number of digits).
bool parse_bytes(std::string_view w, std::string& out)
{
    out.clear();
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        c = char(std::tolower(static_cast<unsigned char>(c)));
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    size_t i = 0;
    while (i < w.size()) {
        if (i + 1 >= w.size() || hex(w[i]) < 0 || hex(w[i + 1]) < 0) {
            // A single digit between separators ("1:2:3") is a byte too.
            if (hex(w[i]) >= 0 && (i + 1 == w.size() || !std::isxdigit(static_cast<unsigned char>(w[i + 1])))) {
                out += char(hex(w[i]));
                ++i;
            } else {
                return false;
            }
        } else {
            out += char(hex(w[i]) * 16 + hex(w[i + 1]));
            i += 2;
        }
        if (i < w.size()) {
            if (w[i] == ':' || w[i] == '-' || w[i] == '.')
                ++i;
            if (i == w.size())
                return false; // a trailing separator
        }
    }
    return !out.empty();
}

const char* type_name(FieldType t)
{
    switch (t) {
    case FieldType::Protocol: return "a protocol";
    case FieldType::Uint: return "a number";
    case FieldType::Bool: return "a boolean";
    case FieldType::Ipv4: return "an IPv4 address";
    case FieldType::Ipv6: return "an IPv6 address";
    case FieldType::Ether: return "a MAC address";
    case FieldType::String: return "a string";
    case FieldType::Bytes: return "a byte string";
    case FieldType::EpochTime: return "a time";
    case FieldType::RelativeTime: return "a time in seconds";
    case FieldType::FrameNumber: return "a frame number";
    }
    return "a value";
}

// A literal read as the type of the field it is compared with; an error
// message when it cannot be.
std::optional<Value> parse_value(const FieldInfo& f, const Token& t, std::string& why)
{
    Value v;
    const std::string& w = t.text;
    switch (f.type) {
    case FieldType::Uint:
    case FieldType::FrameNumber:
    case FieldType::Bool: {
        if (t.kind == Tok::Word && f.type == FieldType::Bool) {
            std::string l = w;
            std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return char(std::tolower(c)); });
            if (l == "true" || l == "false") {
                v.lo = v.hi = l == "true";
                return v;
            }
        }
        if (t.kind == Tok::Word && parse_uint(w, v.lo)) {
            v.hi = v.lo;
            return v;
        }
        break;
    }
    case FieldType::RelativeTime: // seconds, as for a time stamp
    case FieldType::EpochTime: {
        // Seconds since the epoch, with up to nine decimals.
        const size_t dot = w.find('.');
        uint64_t s = 0, frac = 0;
        std::string f9 = dot == std::string::npos ? "" : w.substr(dot + 1);
        if (t.kind == Tok::Word && parse_uint(w.substr(0, dot), s) && f9.size() <= 9 &&
            (f9.empty() || std::all_of(f9.begin(), f9.end(), ::isdigit)) && s < 9'000'000'000ULL) {
            f9.resize(9, '0');
            frac = std::stoull(f9);
            v.lo = v.hi = s * 1'000'000'000ULL + frac;
            return v;
        }
        break;
    }
    case FieldType::Ipv4:
    case FieldType::Ipv6: {
        if (t.kind != Tok::Word)
            break;
        v.kind = Value::Kind::Ip;
        const size_t slash = w.find('/');
        if (!IpAddress::parse(w.substr(0, slash), v.ip))
            break;
        const int bits = v.ip.family == 4 ? 32 : 128;
        if ((f.type == FieldType::Ipv4) != (v.ip.family == 4)) {
            why = "'" + w + "' is not " + type_name(f.type) + " (" + std::string(f.abbrev) + ")";
            return std::nullopt;
        }
        if (slash != std::string::npos) {
            uint64_t p = 0;
            if (!parse_uint(w.substr(slash + 1), p) || p > uint64_t(bits)) {
                why = "bad prefix length in '" + w + "'";
                return std::nullopt;
            }
            v.prefix = int(p);
        }
        return v;
    }
    case FieldType::Ether: {
        std::string b;
        if (t.kind == Tok::Word && parse_bytes(w, b) && b.size() == 6) {
            v.kind = Value::Kind::Mac;
            std::memcpy(v.mac.bytes.data(), b.data(), 6);
            return v;
        }
        break;
    }
    case FieldType::String:
        v.kind = Value::Kind::Text;
        v.text = w; // a bare word is taken as the string it spells
        return v;
    case FieldType::Bytes:
    case FieldType::Protocol:
        v.kind = Value::Kind::Text;
        if (t.kind == Tok::String) {
            v.text = w;
            return v;
        }
        if (parse_bytes(w, v.text))
            return v;
        break;
    }
    why = "'" + w + "' is not " + type_name(f.type) + " (" + std::string(f.abbrev) + ")";
    return std::nullopt;
}

} // namespace

// ---------------------------------------------------------------- the tree

struct WiresharkFilter::Node {
    enum class Kind { And, Or, Xor, Not, Exists, Compare, In, Contains, Matches } kind = Kind::Exists;
    std::unique_ptr<Node> a, b;
    std::vector<FieldId> fields; // the field, or both an "either end" alias stands for
    FieldType type = FieldType::Uint;
    Cmp cmp = Cmp::Eq;
    std::vector<Value> values; // one for Compare and Contains, several for In
    pcre2_code* re = nullptr;

    Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    ~Node()
    {
        if (re)
            pcre2_code_free(re);
    }
};

namespace {

using Node = WiresharkFilter::Node;

bool is_word(const Token& t, std::string_view w)
{
    if (t.kind != Tok::Word || t.text.size() != w.size())
        return false;
    for (size_t i = 0; i < w.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(t.text[i])) != w[i])
            return false;
    return true;
}

// Capture-filter (BPF) words a Wireshark user may type into a display filter.
std::string bpf_hint(const std::vector<Token>& toks, size_t i)
{
    const Token& t = toks[i];
    const Token& next = toks[i + 1 < toks.size() ? i + 1 : i];
    const std::string& v = next.text;
    IpAddress a;
    if ((is_word(t, "host") || is_word(t, "src") || is_word(t, "dst")) && next.kind == Tok::Word) {
        std::string_view dir = is_word(t, "src") ? "src" : is_word(t, "dst") ? "dst" : "addr";
        if (is_word(t, "src") || is_word(t, "dst")) {
            if (is_word(next, "host") && i + 2 < toks.size())
                return bpf_hint(toks, i + 1).empty() ? "" : ("'" + t.text + " host " + toks[i + 2].text +
                                                                 "' is capture-filter (BPF) syntax; as a display filter: " +
                                                                 (IpAddress::parse(toks[i + 2].text, a) && a.family == 6
                                                                      ? "ipv6."
                                                                      : "ip.") +
                                                                 std::string(dir) + " == " + toks[i + 2].text);
        }
        if (IpAddress::parse(v, a))
            return "'" + t.text + " " + v + "' is capture-filter (BPF) syntax; as a display filter: " +
                   (a.family == 6 ? "ipv6." : "ip.") + std::string(dir) + " == " + v;
    }
    if (is_word(t, "port") && next.kind == Tok::Word)
        return "'port " + v + "' is capture-filter (BPF) syntax; as a display filter: tcp.port == " + v +
               " || udp.port == " + v;
    if (is_word(t, "net") && next.kind == Tok::Word)
        return "'net " + v + "' is capture-filter (BPF) syntax; as a display filter: ip.addr == " + v;
    if (is_word(t, "ether") && i + 2 < toks.size() && is_word(next, "host"))
        return "'ether host " + toks[i + 2].text + "' is capture-filter (BPF) syntax; as a display filter: eth.addr == " +
               toks[i + 2].text;
    return {};
}

class Parser {
public:
    explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

    std::unique_ptr<Node> parse()
    {
        auto n = or_expr();
        if (peek().kind != Tok::End) {
            if (peek().kind == Tok::RParen)
                throw SyntaxError{"')' without its '('", peek().pos};
            throw SyntaxError{"unexpected '" + peek().text + "': expected an operator such as && or ||", peek().pos};
        }
        return n;
    }

private:
    const Token& peek() const { return t_[i_]; }
    const Token& take() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
    bool take_op(std::string_view op, std::string_view word = {})
    {
        if ((peek().kind == Tok::Op && peek().text == op) || (!word.empty() && is_word(peek(), word))) {
            ++i_;
            return true;
        }
        return false;
    }

    static std::unique_ptr<Node> join(Node::Kind k, std::unique_ptr<Node> a, std::unique_ptr<Node> b)
    {
        auto n = std::make_unique<Node>();
        n->kind = k;
        n->a = std::move(a);
        n->b = std::move(b);
        return n;
    }

    std::unique_ptr<Node> or_expr()
    {
        auto n = xor_expr();
        while (take_op("||", "or"))
            n = join(Node::Kind::Or, std::move(n), xor_expr());
        return n;
    }
    std::unique_ptr<Node> xor_expr()
    {
        auto n = and_expr();
        while (take_op("^^", "xor"))
            n = join(Node::Kind::Xor, std::move(n), and_expr());
        return n;
    }
    std::unique_ptr<Node> and_expr()
    {
        auto n = not_expr();
        while (take_op("&&", "and"))
            n = join(Node::Kind::And, std::move(n), not_expr());
        return n;
    }
    std::unique_ptr<Node> not_expr()
    {
        if (++depth_ > 200)
            throw SyntaxError{"the expression nests too deeply", peek().pos};
        std::unique_ptr<Node> n;
        if (take_op("!", "not"))
            n = join(Node::Kind::Not, not_expr(), nullptr);
        else
            n = primary();
        --depth_;
        return n;
    }

    std::unique_ptr<Node> primary()
    {
        const Token& t = peek();
        if (t.kind == Tok::LParen) {
            take();
            auto n = or_expr();
            if (peek().kind != Tok::RParen)
                throw SyntaxError{"'(' without its ')'", t.pos};
            take();
            return n;
        }
        if (t.kind == Tok::End)
            throw SyntaxError{"the expression ends where a field or '(' was expected", t.pos};
        if (t.kind != Tok::Word)
            throw SyntaxError{"expected a field name, not '" + t.text + "'", t.pos};
        return relation();
    }

    std::unique_ptr<Node> relation()
    {
        const size_t at = i_;
        const Token& name = take();
        auto n = std::make_unique<Node>();
        const FieldId id = dissect::field_by_name(name.text);
        if (id == dissect::kNoField) {
            std::string hint = bpf_hint(t_, at);
            if (!hint.empty())
                throw SyntaxError{hint, name.pos};
            std::string msg = "unknown field '" + name.text + "'";
            const std::string close = dissect::closest_field(name.text);
            if (!close.empty())
                msg += " (did you mean '" + close + "'?)";
            throw SyntaxError{msg, name.pos};
        }
        const FieldInfo& info = dissect::field_info(id);
        n->type = info.type;
        if (!info.alias_of_1.empty()) {
            n->fields.push_back(dissect::field_by_name(info.alias_of_1));
            n->fields.push_back(dissect::field_by_name(info.alias_of_2));
        } else {
            n->fields.push_back(id);
        }
        const Token& op = peek();
        static const std::pair<std::string_view, Cmp> kCmps[] = {
            {"==", Cmp::Eq}, {"eq", Cmp::Eq},    {"!=", Cmp::AllNe}, {"ne", Cmp::AllNe}, {"===", Cmp::AllEq},
            {"all_eq", Cmp::AllEq}, {"!==", Cmp::AnyNe}, {"~=", Cmp::AnyNe}, {"any_ne", Cmp::AnyNe},
            {">", Cmp::Gt},  {"gt", Cmp::Gt},    {">=", Cmp::Ge},    {"ge", Cmp::Ge},    {"<", Cmp::Lt},
            {"lt", Cmp::Lt}, {"<=", Cmp::Le},    {"le", Cmp::Le},
        };
        for (const auto& [text, cmp] : kCmps) {
            if ((op.kind == Tok::Op && op.text == text) || is_word(op, text)) {
                take();
                n->kind = Node::Kind::Compare;
                n->cmp = cmp;
                n->values.push_back(value(info));
                if (n->type == FieldType::Protocol)
                    throw SyntaxError{"a protocol (" + name.text + ") can only be tested alone, with contains or with matches",
                                      op.pos};
                const bool ordering = cmp == Cmp::Gt || cmp == Cmp::Ge || cmp == Cmp::Lt || cmp == Cmp::Le;
                if (ordering && n->values.back().kind == Value::Kind::Ip && n->values.back().prefix >= 0)
                    throw SyntaxError{"a subnet cannot be ordered", op.pos};
                return n;
            }
        }
        if (is_word(op, "in")) {
            take();
            n->kind = Node::Kind::In;
            if (peek().kind != Tok::LBrace)
                throw SyntaxError{"'in' needs a set: {80, 443, 8000..8080}", peek().pos};
            take();
            while (peek().kind != Tok::RBrace) {
                if (peek().kind == Tok::End)
                    throw SyntaxError{"'{' without its '}'", peek().pos};
                set_member(info, *n);
                if (peek().kind == Tok::Comma)
                    take();
                else if (peek().kind != Tok::RBrace)
                    throw SyntaxError{"set members are separated by commas", peek().pos};
            }
            take();
            if (n->values.empty())
                throw SyntaxError{"the set is empty", op.pos};
            return n;
        }
        if (is_word(op, "contains")) {
            take();
            if (info.type != FieldType::String && info.type != FieldType::Bytes && info.type != FieldType::Protocol)
                throw SyntaxError{"contains applies to text, bytes and protocols, not to " + name.text, op.pos};
            n->kind = Node::Kind::Contains;
            n->values.push_back(value(info));
            return n;
        }
        if (is_word(op, "matches") || (op.kind == Tok::Op && op.text == "~")) {
            take();
            if (info.type != FieldType::String && info.type != FieldType::Bytes && info.type != FieldType::Protocol)
                throw SyntaxError{"matches applies to text, bytes and protocols, not to " + name.text, op.pos};
            const Token& re = take();
            if (re.kind != Tok::String)
                throw SyntaxError{"matches needs a \"quoted\" regular expression", re.pos};
            n->kind = Node::Kind::Matches;
            int err = 0;
            PCRE2_SIZE off = 0;
            n->re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re.text.data()), re.text.size(),
                                  PCRE2_CASELESS | PCRE2_DOTALL, &err, &off, nullptr);
            if (!n->re) {
                PCRE2_UCHAR buf[256];
                pcre2_get_error_message(err, buf, sizeof buf);
                throw SyntaxError{"bad regular expression: " + std::string(reinterpret_cast<char*>(buf)), re.pos};
            }
            return n;
        }
        n->kind = Node::Kind::Exists;
        return n;
    }

    Value value(const FieldInfo& info)
    {
        const Token& t = take();
        if (t.kind != Tok::Word && t.kind != Tok::String)
            throw SyntaxError{t.kind == Tok::End ? "a value is missing at the end" : "expected a value, not '" + t.text + "'",
                              t.pos};
        std::string why;
        std::optional<Value> v = parse_value(info, t, why);
        if (!v)
            throw SyntaxError{why, t.pos};
        return *v;
    }

    void set_member(const FieldInfo& info, Node& n)
    {
        const Token& t = peek();
        const size_t dots = t.kind == Tok::Word ? t.text.find("..") : std::string::npos;
        if (dots == std::string::npos) {
            n.values.push_back(value(info));
            return;
        }
        take();
        Token lo = t, hi = t;
        lo.text = t.text.substr(0, dots);
        hi.text = t.text.substr(dots + 2);
        std::string why;
        std::optional<Value> a = parse_value(info, lo, why), b = a ? parse_value(info, hi, why) : std::nullopt;
        if (!a || !b)
            throw SyntaxError{why, t.pos};
        if (a->kind != Value::Kind::Uint)
            throw SyntaxError{"ranges (a..b) take numbers", t.pos};
        if (b->lo < a->lo)
            throw SyntaxError{"the range '" + t.text + "' ends before it starts", t.pos};
        a->hi = b->lo;
        n.values.push_back(*a);
    }

    std::vector<Token> t_;
    size_t i_ = 0;
    int depth_ = 0;
};

// ---------------------------------------------------------------- matching

bool in_prefix(const IpAddress& a, const Value& v)
{
    if (a.family != v.ip.family)
        return false;
    const int bits = v.prefix < 0 ? (a.family == 4 ? 32 : 128) : v.prefix;
    for (int i = 0; i < bits / 8; ++i)
        if (a.bytes[size_t(i)] != v.ip.bytes[size_t(i)])
            return false;
    if (bits % 8) {
        const uint8_t mask = uint8_t(0xFF << (8 - bits % 8));
        if ((a.bytes[size_t(bits / 8)] & mask) != (v.ip.bytes[size_t(bits / 8)] & mask))
            return false;
    }
    return true;
}

// -1, 0, 1 for an item's value against a literal; nullopt when they cannot be compared.
std::optional<int> order(const FieldValue& x, const Value& v)
{
    auto sign = [](auto a, auto b) { return a < b ? -1 : a > b ? 1 : 0; };
    switch (v.kind) {
    case Value::Kind::Uint:
        if (x.kind != FieldValue::Kind::Uint)
            return std::nullopt;
        return x.u < v.lo ? -1 : x.u > v.hi ? 1 : 0;
    case Value::Kind::Ip:
        if (x.kind != FieldValue::Kind::Ip || x.ip.family != v.ip.family)
            return std::nullopt;
        if (v.prefix >= 0)
            return in_prefix(x.ip, v) ? 0 : 1;
        return sign(x.ip.bytes, v.ip.bytes);
    case Value::Kind::Mac:
        if (x.kind != FieldValue::Kind::Mac)
            return std::nullopt;
        return sign(x.mac.bytes, v.mac.bytes);
    case Value::Kind::Text:
        if (x.kind != FieldValue::Kind::Text)
            return std::nullopt;
        return sign(x.text.compare(v.text), 0);
    }
    return std::nullopt;
}

bool holds(Cmp c, int o)
{
    switch (c) {
    case Cmp::Eq:
    case Cmp::AllEq: return o == 0;
    case Cmp::AllNe:
    case Cmp::AnyNe: return o != 0;
    case Cmp::Gt: return o > 0;
    case Cmp::Ge: return o >= 0;
    case Cmp::Lt: return o < 0;
    case Cmp::Le: return o <= 0;
    }
    return false;
}

// The bytes a text, bytes or protocol item stands for: a protocol from its
// start to the end of the packet (its payload included, as Wireshark's).
std::string_view item_bytes(const FieldItem& it, FieldType type, Bytes packet)
{
    if (type != FieldType::Protocol)
        return it.value.text;
    const size_t from = std::min<size_t>(it.offset, packet.size());
    return {reinterpret_cast<const char*>(packet.data()) + from, packet.size() - from};
}

bool eval(const Node& n, const dissect::FieldTree& tree, Bytes packet)
{
    switch (n.kind) {
    case Node::Kind::And: return eval(*n.a, tree, packet) && eval(*n.b, tree, packet);
    case Node::Kind::Or: return eval(*n.a, tree, packet) || eval(*n.b, tree, packet);
    case Node::Kind::Xor: return eval(*n.a, tree, packet) != eval(*n.b, tree, packet);
    case Node::Kind::Not: return !eval(*n.a, tree, packet);
    default: break;
    }
    // Over every occurrence of the field (or of either field of an alias).
    bool any = false, all = true, seen = false;
    for (const FieldItem& it : tree.items) {
        if (std::find(n.fields.begin(), n.fields.end(), it.field) == n.fields.end())
            continue;
        seen = true;
        bool r = false;
        switch (n.kind) {
        case Node::Kind::Exists: return true;
        case Node::Kind::Compare: {
            const std::optional<int> o = order(it.value, n.values[0]);
            r = o && holds(n.cmp, *o);
            break;
        }
        case Node::Kind::In:
            for (const Value& v : n.values) {
                const std::optional<int> o = order(it.value, v);
                if (o && *o == 0) {
                    r = true;
                    break;
                }
            }
            break;
        case Node::Kind::Contains: {
            const std::string_view hay = item_bytes(it, n.type, packet);
            r = !n.values[0].text.empty() && hay.find(n.values[0].text) != std::string_view::npos;
            break;
        }
        case Node::Kind::Matches: {
            const std::string_view hay = item_bytes(it, n.type, packet);
            pcre2_match_data* md = pcre2_match_data_create_from_pattern(n.re, nullptr);
            r = pcre2_match(n.re, reinterpret_cast<PCRE2_SPTR>(hay.data()), hay.size(), 0, 0, md, nullptr) >= 0;
            pcre2_match_data_free(md);
            break;
        }
        default: break;
        }
        any = any || r;
        all = all && r;
    }
    if (!seen)
        return false;
    if (n.kind == Node::Kind::Compare && (n.cmp == Cmp::AllNe || n.cmp == Cmp::AllEq))
        return all;
    return any;
}

} // namespace

WiresharkFilter::WiresharkFilter() = default;
WiresharkFilter::~WiresharkFilter() = default;
WiresharkFilter::WiresharkFilter(WiresharkFilter&&) noexcept = default;
WiresharkFilter& WiresharkFilter::operator=(WiresharkFilter&&) noexcept = default;

bool WiresharkFilter::compile(std::string_view text, std::string& error, size_t& error_pos)
{
    root_.reset();
    try {
        std::vector<Token> toks = lex(text);
        if (toks.size() == 1)
            return true; // blank: every packet passes
        root_ = Parser(std::move(toks)).parse();
        return true;
    } catch (const SyntaxError& e) {
        error = e.message;
        error_pos = e.pos;
        return false;
    }
}

bool WiresharkFilter::matches(const dissect::FieldTree& tree, Bytes packet) const
{
    return !root_ || eval(*root_, tree, packet);
}

} // namespace underhood
