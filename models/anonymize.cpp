#include "anonymize.h"

#include <nettle/aes.h>
#include <nettle/hmac.h>
#include <nettle/pbkdf2.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <sys/random.h>

namespace underhood {

struct Anonymizer::Aes {
    aes128_ctx ctx;
};

namespace {

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = lower(c);
    return out;
}

// Bit i (0 = most significant) of a big-endian byte string.
bool bit(const uint8_t* p, size_t i) { return (p[i / 8] >> (7 - i % 8)) & 1; }

constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

} // namespace

bool Anonymizer::parse_key(std::string_view text, Key& out)
{
    if (text.empty())
        return false;
    if (text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) { return hex_digit(c) >= 0; })) {
        for (size_t i = 0; i < 32; ++i)
            out[i] = uint8_t(hex_digit(text[2 * i]) << 4 | hex_digit(text[2 * i + 1]));
        return true;
    }
    // A passphrase: stretched, so a short one is not tried by the million
    // against a shared file; the salt only separates this use from others.
    static constexpr std::string_view kSalt = "underhood anonymize v1";
    pbkdf2_hmac_sha256(text.size(), reinterpret_cast<const uint8_t*>(text.data()), 100000, kSalt.size(),
                       reinterpret_cast<const uint8_t*>(kSalt.data()), out.size(), out.data());
    return true;
}

Anonymizer::Key Anonymizer::random_key()
{
    Key k{};
    size_t got = 0;
    while (got < k.size()) {
        const ssize_t n = getrandom(k.data() + got, k.size() - got, 0);
        if (n < 0)
            throw std::runtime_error("no random source for a key");
        got += size_t(n);
    }
    return k;
}

std::string Anonymizer::key_hex(const Key& key)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (uint8_t b : key) {
        s += kHex[b >> 4];
        s += kHex[b & 15];
    }
    return s;
}

Anonymizer::Anonymizer(const Key& key, bool keep_vendor) : key_(key), keep_vendor_(keep_vendor), aes_(new Aes)
{
    // As Crypto-PAn: the first half keys AES, the second half, encrypted,
    // is the pad that fills each block after the bits of the prefix.
    aes128_set_encrypt_key(&aes_->ctx, key_.data());
    aes128_encrypt(&aes_->ctx, 16, pad_.data(), key_.data() + 16);
}

Anonymizer::~Anonymizer() = default;

void Anonymizer::prf(const uint8_t in[16], uint8_t out[16]) const { aes128_encrypt(&aes_->ctx, 16, out, in); }

void Anonymizer::hmac(std::string_view domain, std::string_view text, uint32_t counter, uint8_t out[32]) const
{
    hmac_sha256_ctx h;
    hmac_sha256_set_key(&h, key_.size(), key_.data());
    // The domain and a separator first, so a MAC's bytes and a label's never
    // feed the same input.
    hmac_sha256_update(&h, domain.size(), reinterpret_cast<const uint8_t*>(domain.data()));
    const uint8_t sep[5] = {0, uint8_t(counter >> 24), uint8_t(counter >> 16), uint8_t(counter >> 8), uint8_t(counter)};
    hmac_sha256_update(&h, sizeof sep, sep);
    hmac_sha256_update(&h, text.size(), reinterpret_cast<const uint8_t*>(text.data()));
    hmac_sha256_digest(&h, 32, out);
}

void Anonymizer::crypto_pan(const uint8_t* in, uint8_t* out, size_t bytes) const
{
    const size_t bits = bytes * 8;
    std::memset(out, 0, bytes);
    bool zeros = true, ones = true; // the prefix so far is all zeros / all ones
    uint8_t block[16], enc[16];
    for (size_t i = 0; i < bits; ++i) {
        bool flip = false;
        if (!zeros && !ones) {
            // The first i bits of the address, then the pad's bits from i on.
            for (size_t b = 0; b < 16; ++b) {
                const size_t first = b * 8;
                uint8_t mask; // bits of this byte taken from the address
                if (first + 8 <= i)
                    mask = 0xFF;
                else if (first >= i)
                    mask = 0;
                else
                    mask = uint8_t(0xFF << (8 - (i - first)));
                const uint8_t addr = b < bytes ? in[b] : 0;
                block[b] = uint8_t((addr & mask) | (pad_[b] & ~mask));
            }
            prf(block, enc);
            flip = enc[0] & 0x80;
        }
        const bool v = bit(in, i);
        if (v != flip)
            out[i / 8] |= uint8_t(0x80 >> (i % 8));
        zeros = zeros && !v;
        ones = ones && v;
    }
}

std::optional<IpAddress> Anonymizer::original(const IpAddress& image) const
{
    auto it = ip_images_.find(image);
    return it == ip_images_.end() ? std::nullopt : std::optional<IpAddress>(it->second);
}

std::optional<MacAddress> Anonymizer::original(const MacAddress& image) const
{
    auto it = mac_images_.find(image);
    return it == mac_images_.end() ? std::nullopt : std::optional<MacAddress>(it->second);
}

IpAddress Anonymizer::map_ip(const IpAddress& a)
{
    if (a.family != 4 && a.family != 6)
        return a;
    auto it = ips_.find(a);
    if (it != ips_.end())
        return it->second;
    IpAddress out;
    out.family = a.family;
    crypto_pan(a.bytes.data(), out.bytes.data(), a.family == 4 ? 4 : 16);
    ips_.emplace(a, out);
    ip_images_.emplace(out, a);
    return out;
}

MacAddress Anonymizer::map_mac(const MacAddress& m)
{
    const auto& b = m.bytes;
    const bool broadcast = std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0xFF; });
    const bool zero = std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
    const bool reserved = b[0] == 0x01 && b[1] == 0x80 && b[2] == 0xC2 && b[3] == 0 && b[4] == 0 && (b[5] & 0xF0) == 0;
    if (broadcast || zero || reserved)
        return m;
    auto it = macs_.find(m);
    if (it != macs_.end())
        return it->second;
    // What stays: the vendor part when asked (and for the multicast
    // families of IPv4 and IPv6, whose prefix says what the frame is for).
    size_t keep = 0;
    if (b[0] == 0x33 && b[1] == 0x33)
        keep = 2;
    else if ((b[0] == 0x01 && b[1] == 0x00 && b[2] == 0x5E) || keep_vendor_ || (b[0] & 1))
        keep = 3;
    const std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
    MacAddress out;
    for (uint32_t attempt = 0;; ++attempt) {
        uint8_t h[32];
        hmac("mac", text, attempt, h);
        out = m;
        for (size_t i = keep; i < 6; ++i)
            out.bytes[i] = h[i];
        if (keep == 0)
            out.bytes[0] = uint8_t((h[0] & 0xFC) | 0x02); // unicast, locally administered
        const bool clash = out == m || mac_images_.count(out) || (out.bytes[3] == 0 && out.bytes[4] == 0 && out.bytes[5] == 0);
        if (!clash || attempt >= 64)
            break;
    }
    macs_.emplace(m, out);
    mac_images_.emplace(out, m);
    return out;
}

bool Anonymizer::is_kept_label(std::string_view label)
{
    if (label.empty() || label[0] == '_')
        return true;
    static constexpr std::string_view kKept[] = {"local", "arpa", "in-addr", "ip6", "com", "net", "org", "edu",
                                                 "gov", "int", "mil", "lan", "home", "internal", "example",
                                                 "localhost", "invalid", "test"};
    const std::string l = lowered(label);
    return std::find(std::begin(kKept), std::end(kKept), l) != std::end(kKept);
}

std::string Anonymizer::map_label(std::string_view label)
{
    if (is_kept_label(label))
        return std::string(label);
    const std::string key = lowered(label);
    auto it = labels_.find(key);
    if (it != labels_.end())
        return it->second;
    std::string out(label.size(), 'x');
    for (uint32_t attempt = 0;; ++attempt) {
        // Each 32-byte digest gives 32 characters; longer labels take more.
        for (size_t at = 0; at < out.size(); at += 32) {
            uint8_t h[32];
            hmac("label", key, attempt * 4096 + uint32_t(at / 32), h);
            for (size_t i = at; i < out.size() && i < at + 32; ++i)
                out[i] = kAlphabet[h[i - at] % 36];
        }
        if (out != key && !is_kept_label(out) && !label_images_.count(out))
            break;
        if (attempt >= 256) // a one-letter label when all 36 are taken
            break;
    }
    labels_.emplace(key, out);
    label_images_.emplace(out, key);
    return out;
}

std::string Anonymizer::map_name(std::string_view name)
{
    std::string out;
    size_t at = 0;
    while (at <= name.size()) {
        const size_t dot = std::min(name.find('.', at), name.size());
        out += map_label(name.substr(at, dot - at));
        if (dot >= name.size())
            break;
        out += '.';
        at = dot + 1;
    }
    return out;
}

std::string Anonymizer::host_pseudonym(std::string_view name)
{
    std::string key = lowered(name);
    while (!key.empty() && key.back() == '.')
        key.pop_back();
    return pseudonym("host", "host-", ".example", std::move(key), hosts_, host_images_);
}

std::string Anonymizer::user_pseudonym(std::string_view user)
{
    return pseudonym("user", "user-", "", lowered(user), users_, user_images_);
}

std::string Anonymizer::netbios_pseudonym(std::string_view name)
{
    return pseudonym("netbios", "HOST-", "", lowered(name), netbios_, netbios_images_);
}

std::string Anonymizer::pseudonym(std::string_view domain, std::string_view prefix, std::string_view suffix,
                                  std::string key, std::map<std::string, std::string, std::less<>>& to,
                                  std::map<std::string, std::string, std::less<>>& from)
{
    auto it = to.find(key);
    if (it != to.end())
        return it->second;
    std::string out;
    for (uint32_t attempt = 0;; ++attempt) {
        uint8_t h[32];
        hmac(domain, key, attempt, h);
        const uint32_t v = uint32_t(h[0]) << 24 | uint32_t(h[1]) << 16 | uint32_t(h[2]) << 8 | h[3];
        // Short numbers first; longer ones only when the short ones clash.
        const uint32_t range = attempt < 8 ? 1000 : attempt < 16 ? 100000 : 0xFFFFFFFFu;
        out = std::string(prefix) + std::to_string(v % range) + std::string(suffix);
        if (!from.count(out))
            break;
    }
    to.emplace(key, out);
    from.emplace(out, key);
    return out;
}

std::optional<std::string> Anonymizer::original_label(std::string_view image) const
{
    const auto it = label_images_.find(lowered(image));
    return it == label_images_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<std::string> Anonymizer::original_user(std::string_view pseudonym) const
{
    const auto it = user_images_.find(lowered(pseudonym));
    return it == user_images_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<std::string> Anonymizer::original_host(std::string_view pseudonym) const
{
    const auto it = host_images_.find(lowered(pseudonym));
    return it == host_images_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

} // namespace underhood
