// Keyed, deterministic pseudonyms for addresses and names, so a capture can
// be shown or shared without exposing the people in it.
//
// IPv4 and IPv6 addresses map prefix-preservingly in the manner of
// Crypto-PAn (Xu, Fan, Ammar, Moon, 2002): bit i of the image is bit i of the
// address flipped by one bit of AES over the address's first i bits, so two
// addresses that share exactly n leading bits have images that share exactly
// n. Subnets stay subnets; nothing else of the address survives, except that
// where the leading bits are all zeros or all ones they are kept, so 0.0.0.0,
// 255.255.255.255 and :: keep their meaning and multicast stays multicast
// (224.0.0.0/4, ff00::/8). That is still prefix-preserving for every pair,
// and costs an address only its run of equal leading bits.
//
// MAC addresses map to locally administered addresses (or keep their vendor
// part on request); the group bit is kept, broadcast and the all-zero
// address stay, and so do the IEEE reserved multicast addresses of
// 01:80:c2:00:00:xx (bridges, LLDP), which name no one.
//
// Names map one label at a time to a label of the same length (so DNS
// messages keep their size and their compression pointers), the same label
// to the same pseudonym everywhere, with a collision check. Labels that
// name a protocol rather than someone (_tcp, _http, local, arpa, com, ...)
// stay.
//
// The same key gives the same images; a different key, different ones.
// No Qt here.
#pragma once

#include "address.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace underhood {

class Anonymizer {
public:
    using Key = std::array<uint8_t, 32>;

    // A key from text: 64 hexadecimal digits are the key's bytes; any other
    // non-empty text is a passphrase (PBKDF2-HMAC-SHA256). False for empty text.
    static bool parse_key(std::string_view text, Key& out);
    // A fresh key from the system's random source.
    static Key random_key();
    static std::string key_hex(const Key& key);

    explicit Anonymizer(const Key& key, bool keep_vendor = false);
    ~Anonymizer();
    Anonymizer(const Anonymizer&) = delete;
    Anonymizer& operator=(const Anonymizer&) = delete;

    IpAddress map_ip(const IpAddress& a);
    MacAddress map_mac(const MacAddress& m);
    // A label of the same length (bytes), letters and digits; kept when
    // it names a protocol (see above). Case does not matter to the mapping.
    std::string map_label(std::string_view label);
    // A dotted name, label by label ("www.example.com" -> "k2q.x9sb1tz.com").
    std::string map_name(std::string_view name);
    // A short pseudonym for showing a name on screen: "host-7.example",
    // stable for the key, whatever else has been mapped.
    std::string host_pseudonym(std::string_view name);
    // The same for a user's part of a URI (sip:alice@...): "user-12".
    std::string user_pseudonym(std::string_view user);
    // A NetBIOS name's pseudonym, upper case and at most 15 characters as
    // NetBIOS names are: "HOST-123".
    std::string netbios_pseudonym(std::string_view name);

    // The label or name an image made here stands for (lower case); nothing
    // for anything else.
    std::optional<std::string> original_label(std::string_view image) const;
    std::optional<std::string> original_host(std::string_view pseudonym) const;
    std::optional<std::string> original_user(std::string_view pseudonym) const;
    bool is_host_pseudonym(std::string_view s) const { return host_images_.count(s) != 0; }

    bool keep_vendor() const { return keep_vendor_; }
    // True for an address this object has made as an image (a view that
    // meets text twice must not map an image again).
    bool is_image(const IpAddress& a) const { return ip_images_.count(a) != 0; }
    bool is_image(const MacAddress& m) const { return mac_images_.count(m) != 0; }
    // The original of an image this object made (what a filter typed with
    // the pseudonyms on screen means); nothing for anything else.
    std::optional<IpAddress> original(const IpAddress& image) const;
    std::optional<MacAddress> original(const MacAddress& image) const;
    static bool is_kept_label(std::string_view label);

private:
    struct Aes;
    void prf(const uint8_t in[16], uint8_t out[16]) const;
    void hmac(std::string_view domain, std::string_view text, uint32_t counter, uint8_t out[32]) const;
    void crypto_pan(const uint8_t* in, uint8_t* out, size_t bytes) const;

    Key key_;
    bool keep_vendor_;
    std::unique_ptr<Aes> aes_;
    std::array<uint8_t, 16> pad_{};
    std::map<IpAddress, IpAddress> ips_;
    std::map<IpAddress, IpAddress> ip_images_; // image → original
    std::map<MacAddress, MacAddress> macs_;
    std::map<MacAddress, MacAddress> mac_images_;
    std::map<std::string, std::string, std::less<>> labels_;
    std::map<std::string, std::string, std::less<>> label_images_; // image → original
    std::map<std::string, std::string, std::less<>> hosts_;
    std::map<std::string, std::string, std::less<>> host_images_;
    std::map<std::string, std::string, std::less<>> users_;
    std::map<std::string, std::string, std::less<>> user_images_;
    std::map<std::string, std::string, std::less<>> netbios_;
    std::map<std::string, std::string, std::less<>> netbios_images_;
    std::string pseudonym(std::string_view domain, std::string_view prefix, std::string_view suffix, std::string key,
                          std::map<std::string, std::string, std::less<>>& to,
                          std::map<std::string, std::string, std::less<>>& from);
};

} // namespace underhood
