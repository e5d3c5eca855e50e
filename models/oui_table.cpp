#include "oui_table.h"

#include <cstdio>
#include <fstream>
#include <mutex>

namespace underhood {

namespace {

std::string trimmed(const std::string& s, size_t from)
{
    size_t b = s.find_first_not_of(" \t", from);
    if (b == std::string::npos)
        return {};
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e + 1 - b);
}

// How many leading hex digits of a "(base 16)" line's range are fixed:
// "000000" (no range) none, "B00000-BFFFFF" one, "F2F000-F2FFFF" three.
// -1 when the line is not such a range.
int fixed_nibbles(const std::string& line, uint32_t& low)
{
    unsigned lo = 0, hi = 0;
    int n1 = 0, n2 = 0;
    if (std::sscanf(line.c_str(), " %6x%n-%6x%n", &lo, &n1, &hi, &n2) == 2 && n2 > n1) {
        int fixed = 0;
        while (fixed < 6 && ((lo >> (20 - 4 * fixed)) & 0xf) == ((hi >> (20 - 4 * fixed)) & 0xf))
            ++fixed;
        low = lo;
        return fixed;
    }
    if (std::sscanf(line.c_str(), " %6x", &lo) == 1) {
        low = lo;
        return 0;
    }
    return -1;
}

} // namespace

bool OuiTable::load(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return false;
    std::string line, name;
    uint32_t oui = 0;
    bool pending = false; // a "(hex)" line waits for its "(base 16)" line
    size_t added = 0;
    while (std::getline(in, line)) {
        if (auto hex = line.find("(hex)"); hex != std::string::npos) {
            unsigned a = 0, b = 0, c = 0;
            pending = std::sscanf(line.c_str(), "%2x-%2x-%2x", &a, &b, &c) == 3;
            oui = a << 16 | b << 8 | c;
            name = trimmed(line, hex + 5);
            continue;
        }
        if (!pending || line.find("(base 16)") == std::string::npos)
            continue;
        pending = false;
        uint32_t low = 0;
        const int fixed = fixed_nibbles(line, low);
        int slot = fixed == 0 ? 0 : fixed == 1 ? 1 : fixed == 3 ? 2 : -1;
        if (slot < 0 || name.empty())
            continue;
        const int extra = kPrefixBits[slot] - 24;
        const uint64_t key = uint64_t(oui) << extra | (low >> (24 - extra));
        vendors_[slot].emplace(key, name);
        ++added;
    }
    return added > 0;
}

bool OuiTable::load_registries(const std::string& dir)
{
    bool any = false;
    for (const char* file : {"oui.txt", "mam.txt", "oui36.txt", "iab.txt"})
        any = load(dir + "/" + file) || any;
    return any;
}

const std::string& OuiTable::vendor(const MacAddress& mac) const
{
    static const std::string none;
    // Locally administered and group addresses have no registered vendor.
    if (mac.bytes[0] & 0x03)
        return none;
    uint64_t v = 0;
    for (int i = 0; i < 6; ++i)
        v = v << 8 | mac.bytes[size_t(i)];
    for (int slot = 2; slot >= 0; --slot) {
        const auto& map = vendors_[slot];
        if (map.empty())
            continue;
        auto it = map.find(v >> (48 - kPrefixBits[slot]));
        if (it != map.end())
            return it->second;
    }
    return none;
}

const OuiTable& OuiTable::system()
{
    static OuiTable table;
    static std::once_flag once;
    std::call_once(once, [] { table.load_registries(kDefaultDir); });
    return table;
}

} // namespace underhood
