// DropStatistics (the drop panel's numbers) and EndpointFilter without any
// widget: statistics blocks in, stage figures, rates, history and advice out.
#include "drop_statistics.h"
#include "endpoint_series.h"

#include <QtTest>

using namespace underhood;

namespace {
constexpr int64_t kSec = 1'000'000'000;

CaptureInterface named(const char* name)
{
    CaptureInterface i;
    i.name = name;
    return i;
}

InterfaceStatistics isb(uint32_t id, int64_t ts, uint64_t ifrecv, uint64_t osdrop, uint64_t ifdrop, uint64_t taken,
                        uint64_t delivered)
{
    InterfaceStatistics s;
    s.interface_id = id;
    s.ts_ns = ts;
    s.ifrecv = ifrecv;
    s.osdrop = osdrop;
    s.ifdrop = ifdrop;
    s.filteraccept = taken;
    s.usrdeliv = delivered;
    return s;
}
} // namespace

class TestDropStatistics : public QObject {
    Q_OBJECT
private slots:
    void latestBlockPerInterfaceWins();
    void severalInterfacesAddUp();
    void ratesFromTheLastInterval();
    void ingestStageOnlyForStreams();
    void historyAndEvents();
    void adviceFollowsTheStage();
    void fileAdviceNeverRestarts();
    void missingCountersAreNotReported();
    void endpointFilterParses();
};

void TestDropStatistics::latestBlockPerInterfaceWins()
{
    DropStatistics d;
    d.set_interfaces({named("veth0")});
    d.add(isb(0, 1 * kSec, 100, 0, 0, 100, 100));
    d.add(isb(0, 2 * kSec, 1000, 120, 3, 880, 800));
    QVERIFY(d.has_statistics());
    QCOMPARE(d.statistics_seen(), size_t(2));
    QCOMPARE(d.interfaces().size(), size_t(1));
    QCOMPARE(d.interfaces()[0].name, std::string("veth0"));
    const StageArray& t = d.totals();
    QCOMPARE(t[size_t(DropStage::Interface)].dropped, uint64_t(3));
    QVERIFY(!t[size_t(DropStage::Interface)].received);
    QCOMPARE(*t[size_t(DropStage::Kernel)].received, uint64_t(1000));
    QCOMPARE(t[size_t(DropStage::Kernel)].dropped, uint64_t(120));
    QCOMPARE(t[size_t(DropStage::Kernel)].passed(), uint64_t(880));
    QCOMPARE(*t[size_t(DropStage::Kernel)].drop_percent(), 12.0);
    QCOMPARE(*t[size_t(DropStage::Helper)].received, uint64_t(880));
    QCOMPARE(t[size_t(DropStage::Helper)].dropped, uint64_t(80));
    QCOMPARE(d.total_dropped(), uint64_t(203));
    QCOMPARE(d.total_arrived(), uint64_t(1003));
    QVERIFY(d.incomplete());
    QCOMPARE(d.worst_stage(), DropStage::Kernel);
}

void TestDropStatistics::severalInterfacesAddUp()
{
    DropStatistics d;
    d.set_interfaces({named("a"), named("b")});
    d.add(isb(1, 1 * kSec, 50, 5, 0, 45, 45));
    d.add(isb(0, 1 * kSec, 10, 0, 1, 10, 9));
    d.add(isb(1, 2 * kSec, 70, 7, 0, 63, 60));
    QCOMPARE(d.interfaces().size(), size_t(2));
    QCOMPARE(d.interfaces()[0].interface_id, 0u); // sorted by id
    QCOMPARE(d.interfaces()[1].name, std::string("b"));
    QCOMPARE(*d.interfaces()[1].stages[size_t(DropStage::Kernel)].received, uint64_t(70));
    QCOMPARE(d.interfaces()[1].blocks, size_t(2));
    QCOMPARE(*d.totals()[size_t(DropStage::Kernel)].received, uint64_t(80));
    QCOMPARE(d.totals()[size_t(DropStage::Kernel)].dropped, uint64_t(7));
    QCOMPARE(d.totals()[size_t(DropStage::Helper)].dropped, uint64_t(1 + 3));
    QCOMPARE(d.totals()[size_t(DropStage::Interface)].dropped, uint64_t(1));
}

void TestDropStatistics::ratesFromTheLastInterval()
{
    DropStatistics d;
    d.add(isb(0, 10 * kSec, 1000, 0, 0, 1000, 1000));
    d.add(isb(0, 12 * kSec, 5000, 400, 0, 4600, 4600));
    const StageFigures& k = d.totals()[size_t(DropStage::Kernel)];
    QCOMPARE(k.received_per_s, 2000.0);
    QCOMPARE(k.dropped_per_s, 200.0);
    QCOMPARE(d.totals()[size_t(DropStage::Helper)].received_per_s, 1800.0);
}

void TestDropStatistics::ingestStageOnlyForStreams()
{
    DropStatistics file;
    file.set_ingest({500, 0}, 1 * kSec, false);
    QVERIFY(!file.totals()[size_t(DropStage::Ingest)].reported);
    QVERIFY(!file.totals()[size_t(DropStage::Socket)].reported);
    QVERIFY(!file.has_statistics());

    DropStatistics live;
    live.set_ingest({1000, 0}, 1 * kSec, true);
    live.set_ingest({3000, 50}, 2 * kSec, true);
    const StageFigures& in = live.totals()[size_t(DropStage::Ingest)];
    QVERIFY(in.reported);
    QCOMPARE(*in.received, uint64_t(3000));
    QCOMPARE(in.dropped, uint64_t(50));
    QCOMPARE(in.received_per_s, 2000.0);
    QCOMPARE(in.dropped_per_s, 50.0);
    // A stream socket never drops: the stage reports what crossed it, which is what the app read.
    const StageFigures& sock = live.totals()[size_t(DropStage::Socket)];
    QVERIFY(sock.reported);
    QCOMPARE(sock.received, std::optional<uint64_t>(3000));
    QCOMPARE(sock.received_per_s, 2000.0);
    QCOMPARE(live.total_arrived(), uint64_t(3000)); // no statistics blocks: what reached the app
    QCOMPARE(live.worst_stage(), DropStage::Ingest);
}

void TestDropStatistics::historyAndEvents()
{
    DropStatistics d;
    d.add(isb(0, 1 * kSec, 100, 0, 0, 100, 100));
    d.add(isb(0, 2 * kSec, 200, 0, 0, 200, 200));
    d.add(isb(0, 3 * kSec, 300, 0, 0, 300, 300)); // quiet: merges into the previous sample
    d.add(isb(0, 4 * kSec, 400, 30, 0, 370, 360));
    d.add(isb(0, 5 * kSec, 500, 30, 0, 470, 460));
    d.set_ingest({460, 7}, 6 * kSec, true);
    auto ev = d.events();
    QCOMPARE(ev.size(), size_t(2));
    QCOMPARE(ev[0].ts_ns, 4 * kSec);
    QCOMPARE(ev[0].dropped, uint64_t(40));
    QCOMPARE(ev[1].ts_ns, 6 * kSec);
    QCOMPARE(ev[1].dropped, uint64_t(7));
    QCOMPARE(d.history().back().dropped[size_t(DropStage::Ingest)], uint64_t(7));
    QCOMPARE(d.history().back().total(), uint64_t(47));
    QVERIFY(d.history().size() <= 5);
}

void TestDropStatistics::adviceFollowsTheStage()
{
    CaptureSettings s;
    s.live = true;
    s.buffer_mib = 1;
    s.snaplen = 262144;
    s.backend = "pcap";
    s.history_packets = 2'000'000;

    DropStatistics kernel;
    kernel.add(isb(0, kSec, 100, 10, 0, 90, 90));
    auto a = kernel.advice(s);
    QVERIFY(a.size() >= 3);
    QCOMPARE(a[0].kind, DropAdviceKind::LargerBuffer);
    QCOMPARE(a[0].stage, DropStage::Kernel);
    QCOMPARE(a[0].value, int64_t(64));
    auto has = [](const std::vector<DropAdvice>& v, DropAdviceKind k) {
        return std::any_of(v.begin(), v.end(), [k](const DropAdvice& x) { return x.kind == k; });
    };
    QVERIFY(has(a, DropAdviceKind::AfPacketBackend));
    QVERIFY(has(a, DropAdviceKind::ShorterSnaplen));
    QVERIFY(has(a, DropAdviceKind::CaptureFilter));
    QVERIFY(!has(a, DropAdviceKind::ShorterHistory));
    s.buffer_mib = 256;
    QCOMPARE(kernel.advice(s)[0].value, int64_t(1024));
    s.buffer_mib = DropStatistics::kMaxBufferMib;
    QVERIFY(!has(kernel.advice(s), DropAdviceKind::LargerBuffer));

    DropStatistics helper;
    helper.add(isb(0, kSec, 100, 0, 0, 100, 60));
    a = helper.advice(s);
    QCOMPARE(a[0].stage, DropStage::Helper);
    QVERIFY(!has(a, DropAdviceKind::LargerBuffer));
    QVERIFY(has(a, DropAdviceKind::ShorterSnaplen));

    DropStatistics app;
    app.set_ingest({1000, 10}, kSec, true);
    a = app.advice(s);
    QCOMPARE(a[0].kind, DropAdviceKind::ShorterHistory);
    QCOMPARE(a[0].value, int64_t(200'000));
    QCOMPARE(a[0].stage, DropStage::Ingest);

    DropStatistics clean;
    clean.add(isb(0, kSec, 100, 0, 0, 100, 100));
    QVERIFY(clean.advice(s).empty());
}

void TestDropStatistics::fileAdviceNeverRestarts()
{
    DropStatistics d;
    d.add(isb(0, kSec, 100, 10, 4, 90, 90));
    auto a = d.advice(CaptureSettings{}); // not live
    QCOMPARE(a.size(), size_t(1));
    QCOMPARE(a[0].kind, DropAdviceKind::InterfaceRing);
}

void TestDropStatistics::missingCountersAreNotReported()
{
    // dumpcap-style: only ifrecv and ifdrop.
    InterfaceStatistics s;
    s.ts_ns = kSec;
    s.ifrecv = 100;
    s.ifdrop = 2;
    DropStatistics d;
    d.add(s);
    QVERIFY(d.totals()[size_t(DropStage::Kernel)].reported);
    QCOMPARE(d.totals()[size_t(DropStage::Kernel)].dropped, uint64_t(0));
    QVERIFY(!d.totals()[size_t(DropStage::Helper)].reported);
    QVERIFY(!d.totals()[size_t(DropStage::Helper)].received);
    QCOMPARE(d.total_dropped(), uint64_t(2));
}

void TestDropStatistics::endpointFilterParses()
{
    auto h = EndpointFilter::parse("10.0.0.1");
    QVERIFY(h && h->layer == Layer::Ip && !h->b);
    QCOMPARE(h->to_string(), std::string("10.0.0.1"));
    auto c = EndpointFilter::parse(" 10.0.0.1 <-> 10.0.0.2 ");
    QVERIFY(c && c->b);
    QCOMPARE(c->to_string(), std::string("10.0.0.1 <-> 10.0.0.2"));
    auto m = EndpointFilter::parse("02:00:00:00:00:01");
    QVERIFY(m && m->layer == Layer::Ether);
    auto p = EndpointFilter::parse("[2001:db8::1]:443, 10.0.0.2:5000");
    QVERIFY(p && p->layer == Layer::Port); // both address:port, whatever the family
    p = EndpointFilter::parse("[2001:db8::1]:443 <-> [2001:db8::2]:5000");
    QVERIFY(p && p->layer == Layer::Port && p->b);
    QVERIFY(EndpointFilter::parse("2001:db8::1"));
    QVERIFY(!EndpointFilter::parse("10.0.0.1 02:00:00:00:00:01")); // two layers
    QVERIFY(!EndpointFilter::parse("not an address"));
    QVERIFY(!EndpointFilter::parse(""));
    QVERIFY(!EndpointFilter::parse("10.0.0.1:99999"));
}

QTEST_APPLESS_MAIN(TestDropStatistics)
#include "test_drop_statistics.moc"
