// MAC vendor names from Debian's ieee-data registries, loaded on first use:
// MA-L (oui.txt, 24-bit prefixes), MA-M (mam.txt, 28-bit), MA-S (oui36.txt,
// 36-bit) and the older IAB (iab.txt, 36-bit). The longest matching prefix
// wins, so an address in a block the IEEE sold on in smaller pieces gets the
// buyer, not "IEEE Registration Authority". Without the files every lookup
// answers "no vendor".
#pragma once

#include "address.h"

#include <string>
#include <unordered_map>

namespace underhood {

class OuiTable {
public:
    static constexpr const char* kDefaultDir = "/usr/share/ieee-data";

    // Parses an IEEE registry listing: each assignment is a
    // "XX-XX-XX   (hex)\t\tVendor" line followed by its "(base 16)" line,
    // which holds either the same three bytes (MA-L) or the range of the
    // bytes after them ("B00000-BFFFFF": one more nibble, MA-M; "F2F000-F2FFFF":
    // three more, MA-S and IAB). Returns false when nothing could be read.
    bool load(const std::string& path);
    // oui.txt, mam.txt, oui36.txt and iab.txt of `dir`; true when any loaded.
    bool load_registries(const std::string& dir);
    const std::string& vendor(const MacAddress& mac) const;
    size_t size() const { return vendors_[0].size() + vendors_[1].size() + vendors_[2].size(); }

    // The process-wide table from the default folder, loaded once.
    static const OuiTable& system();

private:
    // Keyed by the prefix's value: 24, 28 and 36 bits.
    static constexpr int kPrefixBits[3] = {24, 28, 36};
    std::unordered_map<uint64_t, std::string> vendors_[3];
};

} // namespace underhood
