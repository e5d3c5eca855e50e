// MAC vendor names from Debian's ieee-data OUI list, loaded on first use.
// Without the list installed every lookup answers "no vendor".
#pragma once

#include "address.h"

#include <string>
#include <unordered_map>

namespace underhood {

class OuiTable {
public:
    static constexpr const char* kDefaultPath = "/usr/share/ieee-data/oui.txt";

    // Parses the "XX-XX-XX   (hex)\t\tVendor" lines of an IEEE oui.txt.
    bool load(const std::string& path);
    const std::string& vendor(const MacAddress& mac) const;
    size_t size() const { return vendors_.size(); }

    // The process-wide table from the default path, loaded once.
    static const OuiTable& system();

private:
    std::unordered_map<uint32_t, std::string> vendors_;
};

} // namespace underhood
