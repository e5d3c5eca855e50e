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

// `count` numbers of 0..255 at s[i], `sep` between them, not followed by a
// letter, a digit or another `sep` and number; their values in b[] and the
// length of the first four in `four_len`. The length of all, or 0.
size_t byte_list_at(std::string_view s, size_t i, char sep, int count, uint8_t* b, size_t& four_len)
{
    size_t at = i;
    for (int k = 0; k < count; ++k) {
        if (k > 0) {
            if (at >= s.size() || s[at] != sep)
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
        if (k == 3)
            four_len = at - i;
    }
    if (at < s.size() && (is_alnum(s[at]) || (s[at] == sep && at + 1 < s.size() && is_digit(s[at + 1]))))
        return 0; // 1.2.3.4.5, a version number; a longer list of numbers
    return at - i;
}

// A dotted quad at s[i], not part of a longer dotted number; its length or 0.
size_t ipv4_at(std::string_view s, size_t i, IpAddress& out)
{
    uint8_t b[4];
    size_t four_len = 0;
    const size_t len = byte_list_at(s, i, '.', 4, b, four_len);
    if (len)
        out = IpAddress::v4(b);
    return len;
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

// FTP's PORT argument and 227 reply: "h1,h2,h3,h4,p1,p2" at s[i] (RFC 959),
// not part of a longer list of numbers; its length or 0, the address in `out`
// and the length of its four numbers in `addr_len`.
size_t ftp_comma_at(std::string_view s, size_t i, IpAddress& out, size_t& addr_len)
{
    if (i > 0 && s[i - 1] == ',')
        return 0;
    uint8_t b[6];
    const size_t len = byte_list_at(s, i, ',', 6, b, addr_len);
    if (len)
        out = IpAddress::v4(b);
    return len;
}

std::string comma_form(const IpAddress& a)
{
    std::string out;
    for (int k = 0; k < 4; ++k)
        out += (k ? "," : "") + std::to_string(a.bytes[size_t(k)]);
    return out;
}

// "sip:" or "sips:" at s[i]: the scheme's length or 0.
size_t sip_scheme_at(std::string_view s, size_t i)
{
    for (std::string_view scheme : {std::string_view("sips:"), std::string_view("sip:")}) {
        if (s.size() - i < scheme.size())
            continue;
        bool same = true;
        for (size_t k = 0; k < scheme.size() && same; ++k)
            same = lower(s[i + k]) == scheme[k];
        if (same)
            return scheme.size();
    }
    return 0;
}

// Walks a text for what may name a host: at the start of each word, a MAC
// (on_mac gives its replacement), an IP address (on_ip appends its own and
// returns how much it took, from the address's n characters on), or
// anything else (on_word appends and returns how much it took, at least 1).
//
// An FTP "h1,h2,h3,h4,p1,p2" has its address replaced by on_comma's image
// (the port stays); a sip:/sips: URI goes to on_sip, which appends and
// returns how much it took.
template <typename OnMac, typename OnIp, typename OnWord, typename OnComma, typename OnSip>
std::string rewrite_words(std::string_view s, OnMac on_mac, OnIp on_ip, OnWord on_word, OnComma on_comma, OnSip on_sip)
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
        size_t n = 0, addr_len = 0;
        if (is_digit(s[i]) && (n = ftp_comma_at(s, i, a, addr_len))) {
            out += comma_form(on_comma(a));
            out += s.substr(i + addr_len, n - addr_len);
            i += n;
        } else if (size_t scheme = sip_scheme_at(s, i)) {
            out += s.substr(i, scheme);
            i += scheme;
            i += on_sip(i, out);
        } else if (mac_at(s, i, m)) {
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
    return anonymised_sensor_name(s, [this](std::string_view host) {
        IpAddress a;
        return IpAddress::parse(std::string(host), a) ? ip(a).to_string() : name(host);
    });
}

PcapngInterfaceInfo DisplayAnonymizer::interface_info(const CaptureInterface& itf, std::string& name)
{
    std::lock_guard lock(mutex_);
    return anonymised_interface(itf, anon_, name);
}

std::string DisplayAnonymizer::name(std::string_view name)
{
    std::lock_guard lock(mutex_);
    return name_locked(name);
}

std::string DisplayAnonymizer::name_locked(std::string_view name)
{
    const std::string key = lowered(name);
    if (key.empty() || anon_.is_host_pseudonym(key))
        return std::string(name);
    bool someone = false;
    for (size_t at = 0; at <= key.size() && !someone;) {
        const size_t dot = std::min(key.find('.', at), key.size());
        someone = !Anonymizer::is_kept_label(std::string_view(key).substr(at, dot - at));
        at = dot + 1;
    }
    if (!someone)
        return std::string(name); // _tcp.local, arpa: protocol words, no one's name
    learn_locked(key);
    return anon_.host_pseudonym(key);
}

std::string DisplayAnonymizer::image_original(std::string_view name) const
{
    // Every label made by the file's scheme or one it keeps, one of them at least made.
    // Short labels are made by the thousand (a reverse lookup's "1" to "255"),
    // so a version number or "e.g" could read as one: a name has a letter,
    // and a made label of three characters or ends in a kept one (.com, .arpa).
    if (std::none_of(name.begin(), name.end(), [](char c) { return is_alnum(c) && !is_digit(c); }))
        return {};
    std::string out;
    bool made = false, long_label = false, kept_end = false;
    size_t at = 0;
    while (at <= name.size()) {
        const size_t dot = std::min(name.find('.', at), name.size());
        const std::string_view label = name.substr(at, dot - at);
        kept_end = false;
        if (const auto o = anon_.original_label(label)) {
            out += *o;
            made = true;
            long_label = long_label || label.size() >= 3;
        } else if (!label.empty() && Anonymizer::is_kept_label(label)) {
            out += lowered(label);
            kept_end = true;
        } else {
            return {};
        }
        if (dot >= name.size())
            break;
        out += '.';
        at = dot + 1;
    }
    if (!made || !(long_label || kept_end))
        return {};
    // One label alone could be any word: only a host name the capture carried.
    if (out.find('.') == std::string::npos && !bare_names_.count(out))
        return {};
    return out;
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
    if (key.empty() || names_.count(key) || bare_names_.count(key) || anon_.is_host_pseudonym(key))
        return;
    // A name made of protocol labels only names no one; a bare label could be
    // any word of a sentence, so text() replaces it only as the rewritten
    // packets spell it.
    bool someone = false;
    size_t at = 0;
    while (at <= key.size()) {
        const size_t dot = std::min(key.find('.', at), key.size());
        someone = someone || !Anonymizer::is_kept_label(std::string_view(key).substr(at, dot - at));
        at = dot + 1;
    }
    if (!someone)
        return;
    if (key.find('.') == std::string::npos)
        bare_names_.insert(key);
    else
        names_.insert(key);
}

// A sip: URI's "user@host" (or "host") from s[i]: appended mapped by
// `user`, `address` and `host_name`, returning how much was read.
template <typename MapUser, typename MapAddress, typename MapName>
static size_t sip_rest(std::string_view s, size_t i, std::string& out, MapUser user, MapAddress address,
                       MapName host_name)
{
    size_t j = i;
    static constexpr std::string_view kStop = " \t\r\n<>\"@;,?";
    while (j < s.size() && kStop.find(s[j]) == std::string_view::npos)
        ++j;
    size_t h = i;
    if (j < s.size() && s[j] == '@' && j > i) {
        out += user(s.substr(i, j - i));
        out += '@';
        h = j + 1;
    }
    IpAddress a;
    size_t n = 0;
    if (h < s.size() && s[h] == '[') {
        const size_t close = s.find(']', h);
        if (close != std::string_view::npos && ipv6_at(s.substr(0, close), h + 1, a) == close - h - 1) {
            out += "[" + address(a).to_string() + "]";
            return close + 1 - i;
        }
        return h - i;
    }
    if ((n = ipv4_at(s, h, a)) || (n = ipv6_at(s, h, a))) {
        out += address(a).to_string();
        return h + n - i;
    }
    const size_t name_end = name_at(s, h).second;
    if (name_end > h) {
        out += host_name(s.substr(h, name_end - h));
        return name_end - i;
    }
    return h - i;
}

std::string DisplayAnonymizer::original(std::string_view s)
{
    std::lock_guard lock(mutex_);
    auto ip_back = [&](const IpAddress& a) { return anon_.original(a).value_or(a); };
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
            // A name as text() shows it goes back whole (label by label would
            // also turn a field name such as ip.addr into some host's label).
            auto [end, name_end] = name_at(s, i);
            if (name_end == i) {
                out += s[i];
                return 1;
            }
            const std::string word = lowered(s.substr(i, name_end - i));
            std::string found;
            if (const auto o = anon_.original_host(word))
                found = *o;
            else if (!(found = image_original(word)).empty() && !names_.count(found) && !bare_names_.count(found))
                found.clear();
            out += found.empty() ? std::string(s.substr(i, end - i)) : found + std::string(s.substr(name_end, end - name_end));
            return end - i;
        },
        ip_back,
        [&](size_t i, std::string& out) {
            return sip_rest(
                s, i, out, [&](std::string_view user) { return anon_.original_user(user).value_or(std::string(user)); },
                ip_back, [&](std::string_view host) {
                    return anon_.original_host(host).value_or(std::string(host));
                });
        });
}

std::string DisplayAnonymizer::text(std::string_view s)
{
    std::lock_guard lock(mutex_);
    auto image = [&](const IpAddress& a) { return anon_.is_image(a) ? a : anon_.map_ip(a); };
    return rewrite_words(
        s, [&](const MacAddress& m) { return (anon_.is_image(m) ? m : anon_.map_mac(m)).to_string(); },
        [&](const IpAddress& a, size_t i, size_t n, std::string& out) {
            size_t plen = 0;
            const int bits = prefix_at(s, i + n, a.family == 4 ? 32 : 128, plen);
            IpAddress shown = image(a);
            if (bits >= 0)
                shown = masked(shown, bits);
            out += shown.to_string();
            out += s.substr(i + n, plen);
            return n + plen;
        },
        [&](size_t i, std::string& out) -> size_t {
            auto [end, name_end] = name_at(s, i);
            if (name_end > i) {
                const std::string word = lowered(s.substr(i, name_end - i));
                std::string original;
                if (names_.count(word))
                    original = word;
                else
                    original = image_original(word); // as the rewritten packet spells it
                if (!original.empty()) {
                    out += anon_.host_pseudonym(original);
                    return name_end - i;
                }
            }
            // Not an address or a known name: the whole word goes through as it is.
            end = i;
            while (end < s.size() && is_word(s[end]))
                ++end;
            const size_t n = std::max<size_t>(end - i, 1);
            out += s.substr(i, n);
            return n;
        },
        image,
        [&](size_t i, std::string& out) {
            return sip_rest(
                s, i, out, [&](std::string_view user) { return anon_.user_pseudonym(user); }, image,
                [&](std::string_view host) {
                    // A URI's host is always someone's, learnt or not.
                    const std::string original = image_original(lowered(host));
                    return name_locked(original.empty() ? host : std::string_view(original));
                });
        });
}

std::string DisplayAnonymizer::file_name(std::string_view file)
{
    // Addresses anywhere (a file name joins words with '-' and '_', which
    // text() reads as one word).
    std::string out;
    {
        std::lock_guard lock(mutex_);
        for (size_t i = 0; i < file.size();) {
            IpAddress a;
            size_t n = 0;
            const bool start = i == 0 || !(is_hex(file[i - 1]) || file[i - 1] == '.' || file[i - 1] == ':');
            if (start && ((n = ipv6_at(file, i, a)) || (n = ipv4_at(file, i, a)))) {
                out += (anon_.is_image(a) ? a : anon_.map_ip(a)).to_string();
                i += n;
            } else {
                out += file[i++];
            }
        }
        // Then every name the capture revealed, and the first label of each
        // (a file is often named after the machine).
        std::vector<std::pair<std::string, std::string>> names; // what to find, its original
        for (const std::string& n : names_) {
            names.emplace_back(n, n);
            const std::string first = n.substr(0, n.find('.'));
            if (first.size() >= 3 && !Anonymizer::is_kept_label(first))
                names.emplace_back(first, n);
        }
        for (const std::string& n : bare_names_)
            if (n.size() >= 3)
                names.emplace_back(n, n);
        // Longest first, so a whole name goes before its first label.
        std::sort(names.begin(), names.end(), [](const auto& x, const auto& y) { return x.first.size() > y.first.size(); });
        for (const auto& [find, original] : names) {
            const std::string pseudonym = anon_.host_pseudonym(original);
            for (size_t at = 0; (at = lowered(out).find(find, at)) != std::string::npos;) {
                const size_t end = at + find.size();
                if ((at > 0 && is_alnum(out[at - 1])) || (end < out.size() && is_alnum(out[end]))) {
                    at = end;
                    continue;
                }
                out.replace(at, find.size(), pseudonym);
                at += pseudonym.size();
            }
        }
    }
    return out;
}

} // namespace underhood
