// FlatHashMap against std::unordered_map under random inserts, lookups and
// erasures, with a hash that collides on purpose so clusters wrap around.
#include "flat_hash_map.h"

#include <QtTest>

#include <random>
#include <string>
#include <unordered_map>

using namespace underhood;

namespace {

struct CollidingHash {
    size_t operator()(uint32_t k) const noexcept { return k % 7; } // few distinct homes
};

template <typename Flat>
bool same_contents(const Flat& flat, const std::unordered_map<uint32_t, std::string>& ref)
{
    if (flat.size() != ref.size())
        return false;
    size_t seen = 0;
    for (const auto& [k, v] : flat) {
        auto it = ref.find(k);
        if (it == ref.end() || it->second != v)
            return false;
        ++seen;
    }
    return seen == ref.size();
}

} // namespace

class TestFlatHashMap : public QObject {
    Q_OBJECT

private slots:
    void matchesUnorderedMap_data();
    void matchesUnorderedMap();
    void eraseIfVisitsEveryEntry();
    void copyAndMove();
};

void TestFlatHashMap::matchesUnorderedMap_data()
{
    QTest::addColumn<bool>("colliding");
    QTest::newRow("good hash") << false;
    QTest::newRow("colliding hash") << true;
}

template <typename Flat>
static void exercise(Flat& flat)
{
    std::unordered_map<uint32_t, std::string> ref;
    std::mt19937 rng(12345);
    for (int step = 0; step < 20000; ++step) {
        uint32_t k = rng() % 500;
        switch (rng() % 4) {
        case 0:
        case 1:
            flat[k] = std::to_string(step);
            ref[k] = std::to_string(step);
            break;
        case 2:
            QCOMPARE(flat.erase(k), ref.erase(k));
            break;
        case 3:
            QCOMPARE(flat.contains(k), ref.count(k) == 1);
            if (ref.count(k))
                QCOMPARE(flat.at(k), ref.at(k));
            break;
        }
        if (step % 1000 == 0)
            QVERIFY(same_contents(flat, ref));
    }
    QVERIFY(same_contents(flat, ref));
}

void TestFlatHashMap::matchesUnorderedMap()
{
    QFETCH(bool, colliding);
    if (colliding) {
        FlatHashMap<uint32_t, std::string, CollidingHash> flat;
        exercise(flat);
    } else {
        FlatHashMap<uint32_t, std::string, std::hash<uint32_t>> flat;
        exercise(flat);
    }
}

void TestFlatHashMap::eraseIfVisitsEveryEntry()
{
    FlatHashMap<uint32_t, std::string, CollidingHash> flat;
    for (uint32_t k = 0; k < 1000; ++k)
        flat[k] = std::to_string(k);
    size_t removed = flat.erase_if([](const auto& kv) { return kv.first % 3 != 0; });
    QCOMPARE(removed, size_t(666));
    QCOMPARE(flat.size(), size_t(334));
    for (uint32_t k = 0; k < 1000; ++k)
        QCOMPARE(flat.contains(k), k % 3 == 0);
    flat.clear();
    QVERIFY(flat.empty());
    QVERIFY(flat.begin() == flat.end());
}

void TestFlatHashMap::copyAndMove()
{
    FlatHashMap<uint32_t, std::string, std::hash<uint32_t>> a;
    for (uint32_t k = 0; k < 100; ++k)
        a[k] = std::string(40, char('a' + k % 26)); // strings on the heap
    auto b = a;
    QCOMPARE(b.size(), size_t(100));
    QCOMPARE(b.at(7), a.at(7));
    auto c = std::move(a);
    QCOMPARE(c.size(), size_t(100));
    QVERIFY(a.empty());
    a = c;
    QCOMPARE(a.at(99), c.at(99));
}

QTEST_APPLESS_MAIN(TestFlatHashMap)
#include "test_flat_hash_map.moc"
