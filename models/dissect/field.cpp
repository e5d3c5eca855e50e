#include "dissect/field.h"

#include "dissect/registry.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace underhood::dissect {
namespace {

struct Table {
    std::vector<const FieldInfo*> infos;
    std::unordered_map<std::string_view, FieldId> by_name;
};

Table& table()
{
    static Table t;
    return t;
}

size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

} // namespace

FieldId register_fields(const FieldInfo* infos, size_t count)
{
    Table& t = table();
    const FieldId first = FieldId(t.infos.size());
    for (size_t i = 0; i < count; ++i) {
        t.infos.push_back(&infos[i]);
        t.by_name.emplace(infos[i].abbrev, FieldId(first + i));
    }
    return first;
}

const FieldInfo& field_info(FieldId id) { return *table().infos.at(id); }

FieldId field_count()
{
    ensure_registered();
    return FieldId(table().infos.size());
}

FieldId field_by_name(std::string_view abbrev)
{
    ensure_registered();
    const auto it = table().by_name.find(abbrev);
    return it == table().by_name.end() ? kNoField : it->second;
}

std::string closest_field(std::string_view abbrev)
{
    ensure_registered();
    std::string_view best;
    size_t best_d = SIZE_MAX;
    for (const FieldInfo* f : table().infos) {
        const size_t d = edit_distance(abbrev, f->abbrev);
        if (d < best_d) {
            best_d = d;
            best = f->abbrev;
        }
    }
    return best_d <= std::max<size_t>(2, abbrev.size() / 4) ? std::string(best) : std::string();
}

} // namespace underhood::dissect
