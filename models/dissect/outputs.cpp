#include "dissect/outputs.h"

#include "dissect/names.h"
#include "dissect/registry.h"

#include <cstdio>

namespace underhood::dissect {

const FieldItem* FieldTree::first(FieldId f) const
{
    for (const FieldItem& i : items)
        if (i.field == f)
            return &i;
    return nullptr;
}

std::string format_value(const FieldInfo& info, const FieldValue& v)
{
    char buf[64];
    switch (info.type) {
    case FieldType::Protocol: return {};
    case FieldType::Bool: return v.u ? "1" : "0";
    case FieldType::Uint:
    case FieldType::FrameNumber:
        if (info.base == Base::Hex) {
            std::snprintf(buf, sizeof buf, "0x%0*llx", int(info.hex_digits), static_cast<unsigned long long>(v.u));
            return buf;
        }
        return std::to_string(v.u);
    case FieldType::Ipv4:
    case FieldType::Ipv6: return v.ip.to_string();
    case FieldType::Ether: return v.mac.to_string();
    case FieldType::String: return v.text;
    case FieldType::Bytes: {
        std::string out;
        for (size_t i = 0; i < v.text.size(); ++i) {
            std::snprintf(buf, sizeof buf, i ? ":%02x" : "%02x", unsigned(uint8_t(v.text[i])));
            out += buf;
        }
        return out;
    }
    case FieldType::RelativeTime: {
        const int64_t ns = int64_t(v.u);
        const uint64_t a = ns < 0 ? uint64_t(0) - uint64_t(ns) : uint64_t(ns);
        std::snprintf(buf, sizeof buf, "%s%llu.%09llu", ns < 0 ? "-" : "", static_cast<unsigned long long>(a / 1000000000),
                      static_cast<unsigned long long>(a % 1000000000));
        return buf;
    }
    case FieldType::EpochTime: {
        const int64_t ns = int64_t(v.u);
        std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1000000000),
                      static_cast<long long>(ns % 1000000000));
        return buf;
    }
    }
    return {};
}

std::string FieldTree::label_of(const FieldItem& item) const
{
    if (!item.label.empty() || item.field == kNoField)
        return item.label;
    const FieldInfo& info = field_info(item.field);
    if (info.type == FieldType::Protocol)
        return std::string(info.name);
    return std::string(info.name) + ": " + format_value(info, item.value);
}

std::string printable_name(const uint8_t* p, size_t n)
{
    std::string s;
    s.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t c = p[i];
        if (c > 0x20 && c < 0x7F && c != '\\') {
            s += char(c);
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            s += buf;
        }
    }
    return s;
}

uint32_t Streams::index(bool tcp, const IpAddress& a, uint16_t pa, const IpAddress& b, uint16_t pb, bool renew)
{
    Key k = std::tie(a, pa) < std::tie(b, pb) ? Key{a, pa, b, pb} : Key{b, pb, a, pa};
    auto& m = tcp ? tcp_ : udp_;
    uint32_t& next = tcp ? next_tcp_ : next_udp_;
    auto [it, added] = m.try_emplace(k, next);
    if (added)
        ++next;
    else if (renew)
        it->second = next++;
    return it->second;
}

} // namespace underhood::dissect
