#include "display_anonymizer.h"

#include "dissect/engine.h"
#include "packet_decoder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace underhood {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = lower(c);
    while (!out.empty() && out.back() == '.')
        out.pop_back();
    return out;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Characters that continue an address or a name: a match starts only after none of them.
bool is_word(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == ':'; }
bool is_name_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }

// The names a packet carries, as NameTable would learn them.
struct NameList : dissect::NameSink {
    std::vector<std::string> names;
    void ip_name(const IpAddress&, std::string_view name) override { names.emplace_back(name); }
    void mac_name(const MacAddress&, std::string_view name) override { names.emplace_back(name); }
    void ip_mac(const IpAddress&, const MacAddress&, Binding) override {}
};

// "aa:bb:cc:dd:ee:ff" at s, not followed by more of an address.
bool mac_at(std::string_view s, size_t i, MacAddress& out)
{
    if (s.size() - i < 17)
        return false;
    for (size_t k = 0; k < 6; ++k) {
        const size_t at = i + 3 * k;
        if (!is_hex(s[at]) || !is_hex(s[at + 1]) || (k < 5 && s[at + 2] != ':'))
            return false;
        auto v = [](char c) { return is_digit(c) ? c - '0' : lower(c) - 'a' + 10; };
        out.bytes[k] = uint8_t(v(s[at]) << 4 | v(s[at + 1]));
    }
    return i + 17 == s.size() || !(is_hex(s[i + 17]) || s[i + 17] == ':');
}

// A dotted quad at s[i], not part of a longer dotted number; its length or 0.
size_t ipv4_at(std::string_view s, size_t i, IpAddress& out)
{
    size_t at = i;
    uint8_t b[4];
    for (int k = 0; k < 4; ++k) {
        if (k > 0) {
            if (at >= s.size() || s[at] != '.')
                return 0;
            ++at;
        }
        size_t digits = 0;
        unsigned v = 0;
        while (at < s.size() && is_digit(s[at]) && digits < 4) {
            v = v * 10 + unsigned(s[at] - '0');
            ++at;
            ++digits;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return 0;
        b[k] = uint8_t(v);
    }
    if (at < s.size() && (is_alnum(s[at]) || (s[at] == '.' && at + 1 < s.size() && is_digit(s[at + 1]))))
        return 0; // 1.2.3.4.5, a version number
    out = IpAddress::v4(b);
    return at - i;
}

// An IPv6 address at s[i] (inet_pton's forms); its length or 0.
size_t ipv6_at(std::string_view s, size_t i, IpAddress& out)
{
    size_t end = i;
    int colons = 0;
    while (end < s.size() && (is_hex(s[end]) || s[end] == ':' || s[end] == '.')) {
        colons += s[end] == ':';
        ++end;
    }
    if (colons < 2 || (end < s.size() && is_alnum(s[end])))
        return 0;
    // A trailing colon or dot belongs to the sentence ("fe80::1: ..."), not the address.
    while (end > i && (s[end - 1] == '.' || (s[end - 1] == ':' && !(end - i >= 2 && s[end - 2] == ':'))))
        --end;
    if (end - i < 2 || end - i > 45)
        return 0;
    const std::string text(s.substr(i, end - i));
    uint8_t b[16];
    if (inet_pton(AF_INET6, text.c_str(), b) != 1)
        return 0;
    out = IpAddress::v6(b);
    return end - i;
}

// "/n" after an address: the prefix length, or -1.
int prefix_at(std::string_view s, size_t i, int max_bits, size_t& len)
{
    if (i >= s.size() || s[i] != '/')
        return -1;
    size_t at = i + 1;
    int v = 0;
    while (at < s.size() && is_digit(s[at]) && at - i <= 3)
        v = v * 10 + (s[at++] - '0');
    if (at == i + 1 || v > max_bits || (at < s.size() && is_alnum(s[at])))
        return -1;
    len = at - i;
    return v;
}

IpAddress masked(IpAddress a, int bits)
{
    const int total = a.family == 4 ? 32 : 128;
    for (int i = bits; i < total; ++i)
        a.bytes[size_t(i / 8)] &= uint8_t(~(0x80 >> (i % 8)));
    return a;
}

// The name-like run at s[i]: where it ends, and where it ends without its final dots.
std::pair<size_t, size_t> name_at(std::string_view s, size_t i)
{
    size_t end = i;
    while (end < s.size() && is_name_char(s[end]))
        ++end;
    size_t name_end = end;
    while (name_end > i && s[name_end - 1] == '.')
        --name_end;
    return {end, name_end};
}

// Walks a text for what may name a host: at the start of each word, a MAC
// (on_mac gives its replacement), an IP address (on_ip appends its own and
// returns how much it took, from the address's n characters on), or
// anything else (on_word appends and returns how much it took, at least 1).
template <typename OnMac, typename OnIp, typename OnWord>
std::string rewrite_words(std::string_view s, OnMac on_mac, OnIp on_ip, OnWord on_word)
{
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        if (i > 0 && is_word(s[i - 1])) {
            out += s[i++];
            continue;
        }
        MacAddress m;
        IpAddress a;
        size_t n = 0;
        if (mac_at(s, i, m)) {
            out += on_mac(m);
            i += 17;
        } else if ((n = ipv6_at(s, i, a)) || (n = ipv4_at(s, i, a))) {
            i += on_ip(a, i, n, out);
        } else {
            i += std::max<size_t>(on_word(i, out), 1);
        }
    }
    return out;
}

} // namespace

DisplayAnonymizer::DisplayAnonymizer(const Anonymizer::Key& key, bool keep_vendor)
    : key_(key), keep_vendor_(keep_vendor), anon_(key, keep_vendor), rewriter_(anon_, PacketAnonymizer::Payload::Keep)
{
}

std::vector<uint8_t> DisplayAnonymizer::rewrite(uint32_t link_type, Bytes data, uint32_t origlen)
{
    // Names in payloads the rewriter keeps (SNI, HTTP Host) are replaced on
    // screen by text(): the packet's own names are learnt first.
    DecodedPacket dp;
    decode_packet(link_type, data, origlen, dp);
    NameList names;
    dissect::dissect_names(data, dp, names);
    std::lock_guard lock(mutex_);
    for (const std::string& n : names.names)
        learn_locked(n);
    return rewriter_.rewrite(link_type, data, origlen);
}

IpAddress DisplayAnonymizer::ip(const IpAddress& a)
{
    std::lock_guard lock(mutex_);
    return anon_.map_ip(a);
}

MacAddress DisplayAnonymizer::mac(const MacAddress& m)
{
    std::lock_guard lock(mutex_);
    return anon_.map_mac(m);
}

std::string DisplayAnonymizer::sensor(std::string_view s)
{
    size_t cut = s.find('/');
    if (cut == std::string_view::npos) {
        if (!s.empty() && s.front() == '[') {
            const size_t close = s.find(']');
            const std::string host(s.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
            IpAddress a;
            if (close != std::string_view::npos && IpAddress::parse(host, a))
                return "[" + ip(a).to_string() + "]" + std::string(s.substr(close + 1));
            return text(s);
        }
        cut = std::count(s.begin(), s.end(), ':') == 1 ? s.find(':') : std::string_view::npos;
    }
    const std::string host(s.substr(0, cut));
    const std::string rest(cut == std::string_view::npos ? std::string_view() : s.substr(cut));
    IpAddress a;
    if (IpAddress::parse(host, a))
        return ip(a).to_string() + rest;
    return host.empty() ? rest : name(host) + rest;
}

std::string DisplayAnonymizer::name(std::string_view name)
{
    std::lock_guard lock(mutex_);
    return name_locked(name);
}

std::string DisplayAnonymizer::name_locked(std::string_view name)
{
    learn_locked(name);
    return anon_.map_name(name);
}

Endpoint DisplayAnonymizer::endpoint(const Endpoint& e)
{
    std::lock_guard lock(mutex_);
    Endpoint out = e;
    if (e.kind == Endpoint::Kind::Mac) {
        const MacAddress m = anon_.map_mac(e.mac_address());
        std::memcpy(out.bytes.data(), m.bytes.data(), 6);
    } else if (e.kind == Endpoint::Kind::Ip || e.kind == Endpoint::Kind::IpPort) {
        out.bytes = anon_.map_ip(e.ip_address()).bytes;
    }
    return out;
}

void DisplayAnonymizer::learn(std::string_view name)
{
    std::lock_guard lock(mutex_);
    learn_locked(name);
}

void DisplayAnonymizer::learn_locked(std::string_view name)
{
    const std::string key = lowered(name);
    // A name made of protocol labels only names no one; a bare label could be
    // any word of a sentence.
    if (key.find('.') == std::string::npos || names_.count(key))
        return;
    bool someone = false;
    size_t at = 0;
    while (at <= key.size()) {
        const size_t dot = std::min(key.find('.', at), key.size());
        someone = someone || !Anonymizer::is_kept_label(std::string_view(key).substr(at, dot - at));
        at = dot + 1;
    }
    if (someone)
        names_.insert(key);
}

std::string DisplayAnonymizer::original(std::string_view s)
{
    std::lock_guard lock(mutex_);
    return rewrite_words(
        s,
        [&](const MacAddress& m) {
            const auto o = anon_.original(m);
            return (o ? *o : m).to_string();
        },
        [&](const IpAddress& a, size_t i, size_t n, std::string& out) {
            const auto o = anon_.original(a);
            out += o ? o->to_string() : std::string(s.substr(i, n));
            return n;
        },
        [&](size_t i, std::string& out) -> size_t {
            // A name the capture revealed, as text() shows it, goes back whole
            // (label by label would also turn a field name such as ip.addr
            // into some host's label).
            auto [end, name_end] = name_at(s, i);
            if (name_end == i) {
                out += s[i];
                return 1;
            }
            const std::string word = lowered(s.substr(i, name_end - i));
            std::string found;
            for (const std::string& n : names_)
                if (anon_.map_name(n) == word) {
                    found = n;
                    break;
                }
            out += found.empty() ? std::string(s.substr(i, end - i)) : found + std::string(s.substr(name_end, end - name_end));
            return end - i;
        });
}

std::string DisplayAnonymizer::text(std::string_view s)
{
    std::lock_guard lock(mutex_);
    return rewrite_words(
        s, [&](const MacAddress& m) { return (anon_.is_image(m) ? m : anon_.map_mac(m)).to_string(); },
        [&](const IpAddress& a, size_t i, size_t n, std::string& out) {
            size_t plen = 0;
            const int bits = prefix_at(s, i + n, a.family == 4 ? 32 : 128, plen);
            IpAddress image = anon_.is_image(a) ? a : anon_.map_ip(a);
            if (bits >= 0)
                image = masked(image, bits);
            out += image.to_string();
            out += s.substr(i + n, plen);
            return n + plen;
        },
        [&](size_t i, std::string& out) -> size_t {
            auto [end, name_end] = name_at(s, i);
            if (name_end > i && names_.count(lowered(s.substr(i, name_end - i)))) {
                out += anon_.map_name(s.substr(i, name_end - i));
                return name_end - i;
            }
            // Not an address or a known name: the whole word goes through as it is.
            end = i;
            while (end < s.size() && is_word(s[end]))
                ++end;
            const size_t n = std::max<size_t>(end - i, 1);
            out += s.substr(i, n);
            return n;
        });
}

} // namespace underhood
