// ThroughputSeries against a plain dense reference: sparse and dense pages,
// running sums, out-of-order packets, coarsening, and re-binning at any width
// and offset.
#include "throughput_series.h"

#include <QtTest>

#include <map>
#include <random>

using namespace underhood;

namespace {

// The obvious implementation: every packet kept, summed on demand.
struct Reference {
    struct P {
        int64_t ts;
        uint64_t bytes;
        Proto proto;
    };
    std::vector<P> packets;
    // Packets per output bin, with bins defined by the series' own base bins
    // (a base bin counts where its start falls).
    std::vector<ThroughputBin> rebin(const ThroughputSeries& s, int64_t width, int64_t from, int64_t to, Proto p) const
    {
        const int64_t base = s.base_ns();
        width = std::max<int64_t>(1, (width + base - 1) / base) * base;
        std::vector<ThroughputBin> out(size_t((to - from + width - 1) / width));
        for (const P& x : packets) {
            if (p != Proto::None && x.proto != p)
                continue;
            int64_t start = s.origin_ns() + (x.ts - s.origin_ns()) / base * base;
            if (start < from || start >= to)
                continue;
            ThroughputBin& b = out[size_t((start - from) / width)];
            ++b.packets;
            b.bytes += x.bytes;
        }
        return out;
    }
};

} // namespace

class TestThroughputSeries : public QObject {
    Q_OBJECT
private slots:
    void rebinMatchesReference_data();
    void rebinMatchesReference();
    void sparseProtocolsStaySmall();
    void denseAndSparseAgree();
    void extremeTimes_data();
    void extremeTimes();
};

void TestThroughputSeries::rebinMatchesReference_data()
{
    QTest::addColumn<int>("packets");
    QTest::addColumn<qint64>("span_ms");
    QTest::addColumn<int>("max_bins");
    QTest::newRow("dense minute") << 200000 << qint64(60'000) << (1 << 20);
    QTest::newRow("sparse hour") << 20000 << qint64(3'600'000) << (1 << 22);
    QTest::newRow("coarsened") << 50000 << qint64(100'000) << 4096;
}

void TestThroughputSeries::rebinMatchesReference()
{
    QFETCH(int, packets);
    QFETCH(qint64, span_ms);
    QFETCH(int, max_bins);
    std::mt19937_64 rng(7);
    ThroughputSeries s(1'000'000, size_t(max_bins));
    Reference ref;
    const int64_t t0 = 1'700'000'000'123'456'789;
    const Proto protos[] = {Proto::Tls, Proto::Tcp, Proto::Dns, Proto::Arp, Proto::Ntp};
    for (int i = 0; i < packets; ++i) {
        int64_t ts = t0 + int64_t(rng() % uint64_t(span_ms * 1'000'000));
        if (i % 1000 == 7)
            ts -= 5'000'000'000; // now and then well before everything so far
        // Skewed: TLS busy, NTP rare.
        const uint64_t r = rng() % 100;
        const Proto p = r < 60 ? protos[0] : r < 85 ? protos[1] : r < 95 ? protos[2] : r < 99 ? protos[3] : protos[4];
        const uint64_t bytes = 60 + rng() % 1455;
        s.add(ts, bytes, p);
        ref.packets.push_back({ts, bytes, p});
    }
    QVERIFY(s.bin_count() <= size_t(max_bins));
    const int64_t from0 = s.origin_ns();
    const int64_t to0 = s.origin_ns() + int64_t(s.bin_count()) * s.base_ns();
    for (int64_t width : {int64_t(1'000'000), int64_t(3'000'000), int64_t(64'000'000), int64_t(1'000'000'000),
                          int64_t(4'096'000'000), int64_t(60'000'000'000)}) {
        for (auto [from, to] : {std::pair{from0, to0}, std::pair{from0 + 12'345'678, to0 - 7'654'321},
                                std::pair{from0 - 3'000'000'000, from0 + 10'000'000'000}}) {
            for (Proto p : {Proto::None, Proto::Tls, Proto::Ntp, Proto::Quic}) {
                QVERIFY2(s.rebin(width, from, to, p) == ref.rebin(s, width, from, to, p),
                         qPrintable(QString("width %1 from %2 proto %3").arg(width).arg(from - from0).arg(int(p))));
            }
        }
    }
    uint64_t total = 0;
    for (const ThroughputBin& b : s.total())
        total += b.packets;
    QCOMPARE(total, uint64_t(packets));
}

void TestThroughputSeries::sparseProtocolsStaySmall()
{
    // An hour of 1 ms bins: a busy protocol everywhere, a rare one once a second.
    ThroughputSeries s(1'000'000, size_t(1) << 22);
    const int64_t t0 = 1'700'000'000'000'000'000;
    for (int64_t ms = 0; ms < 3'600'000; ms += 2)
        s.add(t0 + ms * 1'000'000, 1500, Proto::Tls);
    for (int64_t sec = 0; sec < 3600; ++sec)
        s.add(t0 + sec * 1'000'000'000 + 500'000, 90, Proto::Ntp);
    QCOMPARE(s.bin_count(), size_t(3'599'999)); // the last packet is at 3599.998 s
    QCOMPARE(s.base_ns(), int64_t(1'000'000));
    // Dense: the total and TLS, 16 bytes a bin each (plus the running sums);
    // NTP a few dozen bytes a second.
    const size_t dense = 3'600'000 * sizeof(ThroughputBin);
    QVERIFY2(s.memory_bytes() < 2 * dense + dense / 4, qPrintable(QString::number(s.memory_bytes())));
    auto whole = s.rebin(1'000'000'000, t0, t0 + 3600 * 1'000'000'000LL, Proto::Ntp);
    QCOMPARE(whole.size(), size_t(3600));
    for (const ThroughputBin& b : whole)
        QCOMPARE(b.packets, uint64_t(1));
    // The whole hour into seconds (the running sums' path) agrees with the
    // dense series summed by hand, second by second.
    const std::vector<ThroughputBin> secs = s.rebin(1'000'000'000, t0, t0 + 3600 * 1'000'000'000LL);
    const std::vector<ThroughputBin> bins = s.total();
    QCOMPARE(secs.size(), size_t(3600));
    for (size_t sec = 0; sec < secs.size(); ++sec) {
        ThroughputBin want;
        for (size_t i = sec * 1000; i < std::min(bins.size(), (sec + 1) * 1000); ++i) {
            want.packets += bins[i].packets;
            want.bytes += bins[i].bytes;
        }
        QCOMPARE(secs[sec], want);
        QCOMPARE(secs[sec].packets, uint64_t(501)); // 500 TLS packets, one NTP
        QCOMPARE(secs[sec].bytes, uint64_t(500 * 1500 + 90));
    }
}

void TestThroughputSeries::denseAndSparseAgree()
{
    // One page filled past the sparse limit, out of order, then re-read.
    ThroughputSeries s(1'000'000, 1 << 16);
    const int64_t t0 = 1'000'000'000'000;
    std::map<int64_t, uint64_t> want;
    for (int k = 0; k < 3; ++k)
        for (int i = 255; i >= 0; i -= 3) {
            s.add(t0 + i * 1'000'000, uint64_t(i + k), Proto::Udp);
            want[i] += uint64_t(i + k);
        }
    const auto v = s.series(Proto::Udp);
    for (auto [i, b] : want)
        QCOMPARE(v[size_t(i)].bytes, b);
    QCOMPARE(s.rebin(256'000'000, t0, t0 + 256'000'000, Proto::Udp)[0].packets, uint64_t(3 * 86));
}

void TestThroughputSeries::extremeTimes_data()
{
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
    const int64_t t0 = 1'700'000'000'000'000'000;
    QTest::addColumn<QList<qint64>>("times");
    QTest::addColumn<int>("max_bins");
    QTest::newRow("both ends") << QList<qint64>{kMin, kMax, 0, kMin + 1, kMax - 1} << 16;
    QTest::newRow("both ends, default budget") << QList<qint64>{kMax, kMin, -1, 1} << (1 << 17);
    QTest::newRow("near the top") << QList<qint64>{kMax - 3'000'000'000, kMax - 1'000'000, kMax - 1, kMax} << (1 << 17);
    QTest::newRow("near the bottom") << QList<qint64>{kMin + 2, kMin + 1'000'000, kMin, -kMax} << (1 << 17);
    QTest::newRow("jump to 9.2e18 and back") << QList<qint64>{t0, t0 + 1'000'000, 9'200'000'000'000'000'000, t0 + 5} << 4096;
    QTest::newRow("far below first") << QList<qint64>{t0, -kMax, t0 + 7} << (1 << 17);
    QTest::newRow("one at a time down") << QList<qint64>{kMax, kMax / 2, 0, kMin / 2, kMin} << 16;
}

// Any 64-bit time, in any order: bounded bins, every packet counted, and no
// loop over the span (ctest's timeout catches one).
void TestThroughputSeries::extremeTimes()
{
    QFETCH(QList<qint64>, times);
    QFETCH(int, max_bins);
    ThroughputSeries s(1'000'000, size_t(max_bins));
    for (qint64 t : times)
        s.add(t, 100, Proto::Dns);
    QVERIFY(s.bin_count() <= size_t(max_bins));
    QVERIFY(s.base_ns() > 0);
    uint64_t n = 0;
    for (const ThroughputBin& b : s.total())
        n += b.packets;
    QCOMPARE(n, uint64_t(times.size()));
    // The whole int64 line in 16 wide bins holds them all; so do the protocol's bins.
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
    for (Proto p : {Proto::None, Proto::Dns}) {
        n = 0;
        for (const ThroughputBin& b : s.rebin(int64_t(1) << 60, kMin, kMax, p))
            n += b.packets;
        QCOMPARE(n, uint64_t(times.size() - (times.contains(kMax) && s.base_ns() == 1 ? 1 : 0)));
    }
    // Asking for a bin per nanosecond of the whole line is cut short, not allocated.
    QVERIFY(s.rebin(1, kMin, kMax).size() <= ThroughputSeries::kMaxRebinBins);
    QVERIFY(s.rebin(kMax, kMin, kMax).size() <= 3);
}

QTEST_APPLESS_MAIN(TestThroughputSeries)
#include "test_throughput_series.moc"
