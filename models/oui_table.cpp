#include "oui_table.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>

namespace underhood {

bool OuiTable::load(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return false;
    std::string line;
    while (std::getline(in, line)) {
        auto hex = line.find("(hex)");
        if (hex == std::string::npos || line.size() < 8)
            continue;
        unsigned a, b, c;
        if (std::sscanf(line.c_str(), "%2x-%2x-%2x", &a, &b, &c) != 3)
            continue;
        size_t v = line.find_first_not_of(" \t", hex + 5);
        if (v == std::string::npos)
            continue;
        std::string name = line.substr(v);
        while (!name.empty() && (name.back() == '\r' || name.back() == ' '))
            name.pop_back();
        vendors_.emplace(a << 16 | b << 8 | c, std::move(name));
    }
    return !vendors_.empty();
}

const std::string& OuiTable::vendor(const MacAddress& mac) const
{
    static const std::string none;
    // Locally administered and group addresses have no registered vendor.
    if (mac.bytes[0] & 0x03)
        return none;
    auto it = vendors_.find(uint32_t(mac.bytes[0]) << 16 | uint32_t(mac.bytes[1]) << 8 | mac.bytes[2]);
    return it == vendors_.end() ? none : it->second;
}

const OuiTable& OuiTable::system()
{
    static OuiTable table;
    static std::once_flag once;
    std::call_once(once, [] { table.load(kDefaultPath); });
    return table;
}

} // namespace underhood
