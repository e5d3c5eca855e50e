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

// A NIC-health record as underhood-capture writes it (capture/README.md).
std::string record(const char* phase, uint64_t missed, uint64_t fifo, uint64_t rx_dropped, uint64_t soft0,
                   uint64_t soft1, uint64_t squeeze, bool ring = true)
{
    std::string r = "underhood-nic-health 1\ninterface=0\nphase=" + std::string(phase) +
                    "\ndriver=ixgbe\nmtu=1500\nspeed_mbps=10000\noffload.gro=1\n";
    if (ring)
        r += "ring.rx=512\nring.rx_max=4096\n";
    r += "if.rx_dropped=" + std::to_string(rx_dropped) + "\nif.rx_missed_errors=" + std::to_string(missed) +
         "\nif.rx_fifo_errors=" + std::to_string(fifo) + "\nif.rx_over_errors=0\nethtool.rx_no_buffer_count=" +
         std::to_string(missed / 2) + "\nsoftnet.0.dropped=" + std::to_string(soft0) +
         "\nsoftnet.0.time_squeeze=" + std::to_string(squeeze) + "\nsoftnet.1.dropped=" + std::to_string(soft1) +
         "\nsoftnet.1.time_squeeze=0\nsoftnet.2.dropped=0\nsoftnet.3.dropped=0\n";
    return r;
}

CaptureInterface with_start(const char* name, const std::string& start)
{
    CaptureInterface i;
    i.name = name;
    i.health = parse_nic_health(start, nullptr);
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
    void nicHealthSplitsTheInterface();
    void nicAdviceOnlyWhenItsCounterMoved();
    void threadsAndGroAdvice();
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

void TestDropStatistics::nicHealthSplitsTheInterface()
{
    // Start: the kernel's counters when the capture began; later: after it ran.
    const std::string start = record("start", 1000, 10, 50, 7, 3, 100);
    auto itf = with_start("eth0", start);
    DropStatistics d;
    d.set_interfaces({itf});
    InterfaceStatistics s1 = isb(0, 1 * kSec, 100, 0, 0, 100, 100);
    s1.health = parse_nic_health(record("interval", 1000, 10, 50, 7, 3, 100), itf.health.get());
    d.add(s1);
    QCOMPARE(d.totals()[size_t(DropStage::Interface)].dropped, uint64_t(0));
    QCOMPARE(d.totals()[size_t(DropStage::Backlog)].dropped, uint64_t(0));
    QVERIFY(d.totals()[size_t(DropStage::Backlog)].reported);

    InterfaceStatistics s2 = isb(0, 3 * kSec, 5000, 300, 45, 4700, 4690);
    // NIC ring: missed +40, fifo +5; driver/backlog: rx_dropped +0, softnet +6 (+4 on CPU 0, +2 on CPU 1).
    s2.health = parse_nic_health(record("final", 1040, 15, 50, 11, 5, 130), itf.health.get());
    d.add(s2);
    const StageArray& t = d.totals();
    QCOMPARE(t[size_t(DropStage::Interface)].dropped, uint64_t(45));
    QCOMPARE(t[size_t(DropStage::Interface)].dropped_per_s, 22.5);
    QCOMPARE(t[size_t(DropStage::Backlog)].dropped, uint64_t(6));
    QCOMPARE(*t[size_t(DropStage::Filter)].received, uint64_t(5000));
    QCOMPARE(t[size_t(DropStage::Filter)].dropped, uint64_t(0)); // filtering is not a loss
    QCOMPARE(t[size_t(DropStage::Kernel)].dropped, uint64_t(300));
    QCOMPARE(t[size_t(DropStage::Helper)].dropped, uint64_t(10));
    QCOMPARE(d.total_arrived(), uint64_t(5000 + 45 + 6));
    // The counters behind the figures, by the kernel's names.
    auto part = [&](DropStage st, const char* name) {
        for (const auto& p : t[size_t(st)].parts)
            if (p.name == name)
                return std::optional<uint64_t>(p.value);
        return std::optional<uint64_t>();
    };
    QCOMPARE(part(DropStage::Interface, "rx_missed_errors"), std::optional<uint64_t>(40));
    QCOMPARE(part(DropStage::Interface, "rx_fifo_errors"), std::optional<uint64_t>(5));
    QCOMPARE(part(DropStage::Interface, "rx_no_buffer_count"), std::optional<uint64_t>(20)); // shown, not added
    QCOMPARE(part(DropStage::Backlog, "softnet dropped"), std::optional<uint64_t>(6));
    QCOMPARE(part(DropStage::Backlog, "softnet time_squeeze"), std::optional<uint64_t>(30));

    // Sentences with the numbers, for a student.
    const std::string nic = d.stage_sentence(DropStage::Interface);
    QVERIFY2(nic.find("45 frames") != std::string::npos && nic.find("rx_missed_errors 40") != std::string::npos,
             nic.c_str());
    const std::string backlog = d.stage_sentence(DropStage::Backlog);
    QVERIFY2(backlog.find("full 6 times") != std::string::npos && backlog.find("time_squeeze") != std::string::npos,
             backlog.c_str());
    QVERIFY(d.stage_sentence(DropStage::Kernel).find("full 300 times") != std::string::npos);
    QVERIFY(d.stage_sentence(DropStage::Filter).find("5000 packets passed") != std::string::npos);
}

void TestDropStatistics::nicAdviceOnlyWhenItsCounterMoved()
{
    CaptureSettings s;
    s.live = true;
    s.buffer_mib = 64;
    s.snaplen = 128;
    s.backend = "afpacket";
    s.threads = 4; // as many as CPUs: no thread advice
    const std::string start = record("start", 1000, 10, 50, 7, 3, 100);
    auto itf = with_start("eth1", start);
    auto kinds = [](const std::vector<DropAdvice>& v) {
        std::vector<DropAdviceKind> k;
        for (const DropAdvice& a : v)
            k.push_back(a.kind);
        return k;
    };

    // Nothing moved: no advice at all, although the counters are far from zero.
    DropStatistics quiet;
    quiet.set_interfaces({itf});
    InterfaceStatistics q = isb(0, kSec, 100, 0, 0, 100, 100);
    q.health = parse_nic_health(record("final", 1000, 10, 50, 7, 3, 100), itf.health.get());
    quiet.add(q);
    QVERIFY(quiet.advice(s).empty());

    // Only the NIC ring moved: the ring advice with the driver's real numbers.
    DropStatistics nic;
    nic.set_interfaces({itf});
    InterfaceStatistics n = isb(0, kSec, 100, 0, 12, 100, 100);
    n.health = parse_nic_health(record("final", 1012, 10, 50, 7, 3, 100), itf.health.get());
    nic.add(n);
    auto a = nic.advice(s);
    QCOMPARE(a.size(), size_t(1));
    QCOMPARE(a[0].kind, DropAdviceKind::InterfaceRing);
    QCOMPARE(a[0].stage, DropStage::Interface);
    QCOMPARE(a[0].value, int64_t(4096));
    QCOMPARE(a[0].current, int64_t(512));
    QCOMPARE(advice_command(a[0]), std::string("ethtool -G eth1 rx 4096"));
    // Also for a saved file: the advice is for the machine, not the capture.
    QCOMPARE(kinds(nic.advice(CaptureSettings{})), std::vector<DropAdviceKind>{DropAdviceKind::InterfaceRing});

    // Only the backlog moved.
    DropStatistics soft;
    soft.set_interfaces({itf});
    InterfaceStatistics b = isb(0, kSec, 100, 0, 0, 100, 100);
    b.health = parse_nic_health(record("final", 1000, 10, 50, 17, 3, 100), itf.health.get());
    soft.add(b);
    a = soft.advice(s);
    QCOMPARE(kinds(a), std::vector<DropAdviceKind>{DropAdviceKind::Backlog});
    QCOMPARE(a[0].count, uint64_t(10));
    QCOMPARE(advice_command(a[0]), std::string("sysctl -w net.core.netdev_max_backlog=2000"));

    // rx_dropped alone (frames nobody wanted, or longer than the MTU) is explained, not "fixed".
    DropStatistics rx;
    rx.set_interfaces({itf});
    InterfaceStatistics r = isb(0, kSec, 100, 0, 3, 100, 100);
    r.health = parse_nic_health(record("final", 1000, 10, 53, 7, 3, 100), itf.health.get());
    rx.add(r);
    QVERIFY(rx.advice(s).empty());
    QVERIFY(rx.stage_sentence(DropStage::Backlog).find("dropped 3 frames") != std::string::npos);

    // A ring already at its maximum: the command shows it rather than setting it.
    const std::string at_max = "underhood-nic-health 1\nphase=start\nring.rx=4096\nring.rx_max=4096\nif.rx_missed_errors=0\n";
    auto full = with_start("eth2", at_max);
    DropStatistics m;
    m.set_interfaces({full});
    InterfaceStatistics mm = isb(0, kSec, 100, 0, 5, 100, 100);
    mm.health = parse_nic_health("underhood-nic-health 1\nphase=final\nring.rx=4096\nring.rx_max=4096\n"
                                 "if.rx_missed_errors=5\n",
                                 full.health.get());
    m.add(mm);
    a = m.advice(s);
    QCOMPARE(a.size(), size_t(1));
    QCOMPARE(advice_command(a[0]), std::string("ethtool -g eth2"));
}

void TestDropStatistics::threadsAndGroAdvice()
{
    CaptureSettings s;
    s.live = true;
    s.buffer_mib = 1;
    s.snaplen = 262144;
    s.backend = "afpacket";
    s.threads = 1;
    auto itf = with_start("eth0", record("start", 0, 0, 0, 0, 0, 0));
    DropStatistics d;
    d.set_interfaces({itf});
    InterfaceStatistics st = isb(0, kSec, 1000, 250, 0, 750, 750);
    st.health = parse_nic_health(record("final", 0, 0, 0, 0, 0, 0), itf.health.get());
    d.add(st);
    auto a = d.advice(s);
    const DropAdvice* threads = nullptr;
    for (const DropAdvice& x : a)
        if (x.kind == DropAdviceKind::MoreThreads)
            threads = &x;
    QVERIFY(threads);
    QCOMPARE(threads->value, int64_t(2)); // twice as many, at most the 4 CPUs the record lists
    QCOMPARE(advice_command(*threads), std::string("--threads 2"));
    QCOMPARE(a[0].kind, DropAdviceKind::LargerBuffer);
    QCOMPARE(advice_command(a[0]), std::string("-B 64"));
    // The kernel ring is the stage; the capture filter belongs to the socket filter before it.
    for (const DropAdvice& x : a)
        QCOMPARE(x.stage, x.kind == DropAdviceKind::CaptureFilter ? DropStage::Filter : DropStage::Kernel);
    s.threads = 4;
    for (const DropAdvice& x : d.advice(s))
        QVERIFY(x.kind != DropAdviceKind::MoreThreads);
    s.threads = 1;
    s.backend = "pcap";
    for (const DropAdvice& x : d.advice(s))
        QVERIFY(x.kind != DropAdviceKind::MoreThreads);
    s.backend = "afpacket";

    // Frames longer than the MTU: GRO advice with the MTU and the count, only once some were seen.
    for (const DropAdvice& x : d.advice(s))
        QVERIFY(x.kind != DropAdviceKind::GroOff);
    d.set_over_mtu(0, 17);
    const DropAdvice* gro = nullptr;
    a = d.advice(s);
    for (const DropAdvice& x : a)
        if (x.kind == DropAdviceKind::GroOff)
            gro = &x;
    QVERIFY(gro);
    QCOMPARE(gro->value, int64_t(1500));
    QCOMPARE(gro->count, uint64_t(17));
    QCOMPARE(advice_command(*gro), std::string("ethtool -K eth0 gro off lro off"));
}

QTEST_APPLESS_MAIN(TestDropStatistics)
#include "test_drop_statistics.moc"
