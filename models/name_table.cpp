#include "name_table.h"

#include "dissect/engine.h"

#include <algorithm>

namespace underhood {

namespace {

const std::vector<std::string> kNoNames;

void add_unique(std::vector<std::string>& v, std::vector<int64_t>& times, std::string_view name, int64_t now)
{
    if (name.empty() || v.size() >= NameTable::kMaxNamesPerAddress)
        return;
    if (std::find(v.begin(), v.end(), name) == v.end()) {
        v.emplace_back(name);
        times.push_back(now);
    }
}

template <typename Map, typename Times, typename Key>
std::vector<std::string> revealed_by(const Map& names, const Times& times, const Key& k, int64_t until)
{
    std::vector<std::string> out;
    auto n = names.find(k);
    auto t = times.find(k);
    if (n == names.end() || t == times.end())
        return out;
    for (size_t i = 0; i < n->second.size() && i < t->second.size(); ++i)
        if (t->second[i] <= until)
            out.push_back(n->second[i]);
    return out;
}

} // namespace

const std::vector<std::string>& NameTable::names_for(const IpAddress& a) const
{
    auto it = by_ip_.find(a);
    return it == by_ip_.end() ? kNoNames : it->second;
}

const std::vector<std::string>& NameTable::names_for(const MacAddress& m) const
{
    auto it = by_mac_.find(m);
    return it == by_mac_.end() ? kNoNames : it->second;
}

std::vector<std::string> NameTable::names_for(const IpAddress& a, int64_t until_ns) const
{
    return revealed_by(by_ip_, ip_times_, a, until_ns);
}

std::vector<std::string> NameTable::names_for(const MacAddress& m, int64_t until_ns) const
{
    return revealed_by(by_mac_, mac_times_, m, until_ns);
}

std::optional<MacAddress> NameTable::mac_for(const IpAddress& a) const
{
    auto it = ip_mac_.find(a);
    if (it == ip_mac_.end())
        return std::nullopt;
    return it->second;
}

void NameTable::add_name(const IpAddress& a, const std::string& name) { ip_name(a, name); }

void NameTable::add_name(const MacAddress& m, const std::string& name) { mac_name(m, name); }

void NameTable::ip_name(const IpAddress& a, std::string_view name)
{
    if (a.valid())
        add_unique(by_ip_[a], ip_times_[a], name, now_ns_);
}

void NameTable::mac_name(const MacAddress& m, std::string_view name)
{
    add_unique(by_mac_[m], mac_times_[m], name, now_ns_);
}

void NameTable::ip_mac(const IpAddress& a, const MacAddress& m, Binding how)
{
    if (how == Binding::Leased) {
        // The interface's names are the address's too.
        auto it = by_mac_.find(m);
        if (it != by_mac_.end())
            for (const std::string& n : std::vector<std::string>(it->second))
                ip_name(a, n);
    }
    ip_mac_[a] = m;
}

void NameTable::observe(Bytes data, const DecodedPacket& dp) { dissect::dissect_names(data, dp, *this); }

bool NameTable::may_name(Bytes data, const DecodedPacket& dp) { return dissect::may_name(data, dp); }

} // namespace underhood
