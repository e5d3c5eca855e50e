// The crafted captures of tests/corpus/crafted (written by make_crafted.py):
// time stamps next to 2^63 ns, a jump across two centuries, odd if_tsresol,
// if_tsoffset of -2^62 and +2^62 s, times before the epoch, and two
// interfaces at opposite ends of the 64-bit range. Every model that bins,
// subtracts or offsets times has to take them without overflowing, without
// allocating for the whole span and without looping over it: the ingest
// engine and its throughput series, the host graph's window and cursor, the
// endpoint series, the drop statistics, the app's session with its Qt models,
// and underhood-cli's stats and graph. The sanitizer build turns any signed
// overflow on the way into a failure.
#include "capture_reader.h"
#include "capture_session.h"
#include "conversation_table_model.h"
#include "drop_statistics.h"
#include "endpoint_series.h"
#include "graph_scene.h"
#include "host_table_model.h"
#include "ingest_engine.h"
#include "packet_decoder.h"
#include "packet_list_model.h"
#include "time_math.h"
#include "traffic_window.h"
#include "window_cursor.h"

#include <QDir>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace underhood;

namespace {

const QString kCrafted = QStringLiteral(UNDERHOOD_SOURCE_DIR "/tests/corpus/crafted");
const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");

// What the reader alone makes of a file: the reference for the models.
struct Reference {
    uint64_t packets = 0, timed = 0;
    int64_t first = 0, last = 0;
    std::vector<int64_t> stamps; // of timed packets, in file order
    std::vector<DecodedPacket> decoded;
};

Reference read_reference(const QString& path)
{
    Reference r;
    std::string error;
    auto reader = CaptureReader::open_path(path.toStdString(), error);
    if (!reader)
        return r;
    PacketRecord rec;
    while (reader->next(rec) == CaptureReader::Status::Packet) {
        ++r.packets;
        DecodedPacket dp;
        decode_packet(rec.link_type, rec.data, rec.origlen, dp);
        r.decoded.push_back(dp);
        if (!rec.has_timestamp)
            continue;
        r.first = r.timed ? std::min(r.first, rec.ts_ns) : rec.ts_ns;
        r.last = r.timed ? std::max(r.last, rec.ts_ns) : rec.ts_ns;
        ++r.timed;
        r.stamps.push_back(rec.ts_ns);
    }
    return r;
}

uint64_t packets_in(const std::vector<ThroughputBin>& bins)
{
    uint64_t n = 0;
    for (const ThroughputBin& b : bins)
        n += b.packets;
    return n;
}

// A sanitizer report, or a crash, in a child's output.
bool reports_trouble(const QByteArray& err)
{
    return err.contains("runtime error") || err.contains("Sanitizer") || err.contains("terminate called");
}

} // namespace

class TestCraftedTimes : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void engineAndThroughput_data() { files(); }
    void engineAndThroughput();
    void graphWindow_data() { files(); }
    void graphWindow();
    void endpointSeriesAndDrops_data() { files(); }
    void endpointSeriesAndDrops();
    void sessionModels_data() { files(); }
    void sessionModels();
    void cli_data() { files(); }
    void cli();

private:
    void files();
};

void TestCraftedTimes::initTestCase()
{
    QVERIFY2(QDir(kCrafted).entryList({"*.pcapng"}, QDir::Files).size() >= 8, qPrintable(kCrafted));
}

void TestCraftedTimes::files()
{
    QTest::addColumn<QString>("path");
    for (const QString& f : QDir(kCrafted).entryList({"*.pcapng"}, QDir::Files, QDir::Name))
        QTest::newRow(qPrintable(f)) << QDir(kCrafted).filePath(f);
}

void TestCraftedTimes::engineAndThroughput()
{
    QFETCH(QString, path);
    const Reference ref = read_reference(path);
    QVERIFY(ref.packets > 0);

    // The app's engine, with its throughput series at the app's settings and
    // at a tiny bin budget (the most coarsening).
    for (size_t max_bins : {size_t(1) << 17, size_t(16)}) {
        IngestOptions o;
        o.model.throughput_max_bins = max_bins;
        IngestEngine engine(o);
        std::string error;
        QVERIFY2(engine.open_path(path.toStdString(), error), error.c_str());
        engine.wait();
        engine.with_state([&](const IngestEngine::State& st) {
            // Stamps the reader had to clamp are said once, and only then.
            const bool clamped = std::any_of(ref.stamps.begin(), ref.stamps.end(),
                                             [](int64_t t) { return t == kTimeMax || t == -kTimeMax; });
            const bool warned = std::any_of(st.warnings.begin(), st.warnings.end(), [](const std::string& w) {
                return w.rfind("time stamps out of range", 0) == 0;
            });
            QCOMPARE(warned, clamped);
            QCOMPARE(st.model.totals().packets, ref.packets);
            QCOMPARE(st.index.size(), size_t(ref.packets));
            QVERIFY(st.error.empty());
            const ThroughputSeries& ts = st.model.throughput();
            QVERIFY(ts.bin_count() <= max_bins);
            QCOMPARE(packets_in(ts.total()), ref.timed);
            // Re-binned over the whole int64 line in 16 bins (fewer when the
            // width rounds up to a multiple of the base), and from the first bin on.
            const std::vector<ThroughputBin> wide = ts.rebin(int64_t(1) << 60, kTimeMin, kTimeMax);
            QVERIFY(!wide.empty() && wide.size() <= 16);
            QCOMPARE(packets_in(wide), ref.timed);
            QCOMPARE(packets_in(ts.rebin(int64_t(1) << 60, ts.origin_ns(), kTimeMax)), ref.timed);
            // And a request for far more bins than anyone could hold stays bounded.
            QVERIFY(ts.rebin(1, kTimeMin, kTimeMax).size() <= ThroughputSeries::kMaxRebinBins);
        });
        if (QTest::currentTestFailed())
            return;
        int64_t first = 0, last = 0;
        QVERIFY(engine.time_bounds(first, last));
        QVERIFY(engine.end_at(kTimeMax) == 1 + ref.packets);
        (void)engine.end_at(kTimeMin);
    }

    // The series alone, fed the file's stamps forwards and backwards.
    for (bool backwards : {false, true}) {
        ThroughputSeries s(1'000'000, 64);
        std::vector<int64_t> stamps = ref.stamps;
        if (backwards)
            std::reverse(stamps.begin(), stamps.end());
        for (int64_t t : stamps)
            s.add(t, 100, Proto::Udp);
        QVERIFY(s.bin_count() <= 64);
        QCOMPARE(packets_in(s.total()), ref.timed);
        QCOMPARE(packets_in(s.series(Proto::Udp)), ref.timed);
    }
}

void TestCraftedTimes::graphWindow()
{
    QFETCH(QString, path);
    const Reference ref = read_reference(path);
    IngestEngine engine;
    std::string error;
    QVERIFY2(engine.open_path(path.toStdString(), error), error.c_str());
    engine.wait();

    for (int64_t window_ns : {int64_t(0), int64_t(60'000'000'000), kTimeMax}) {
        TrafficWindow tw;
        WindowCursor cursor(engine, tw);
        WindowSpans spans;
        spans.window_ns = window_ns;
        cursor.set_spans(spans);
        GraphBuilder builder;
        GraphOptions go;
        auto scene = [&] {
            return engine.with_state([&](const IngestEngine::State& st) {
                return builder.build(tw, cursor.spans(), go, &st.model.names(), cursor.time());
            });
        };
        cursor.seek_end();
        QCOMPARE(cursor.end_number(), 1 + ref.packets);
        if (window_ns == 0)
            QCOMPARE(tw.packets(), ref.packets); // the whole capture
        (void)scene();
        int64_t first = 0, last = 0;
        QVERIFY(cursor.capture_bounds(first, last));
        for (int64_t t : {kTimeMin, kTimeMin + 1, first, time_add(first, 1), last, kTimeMax - 1, kTimeMax,
                          int64_t(0), int64_t(-1)}) {
            cursor.seek(t);
            QVERIFY(cursor.positioned());
            (void)scene();
        }
        // One packet at a time to the end and back: the window never goes wrong.
        cursor.seek_packet(1);
        while (cursor.step(+1))
            (void)scene();
        QCOMPARE(cursor.end_number(), 1 + ref.packets);
        const uint64_t at_end = tw.packets();
        while (cursor.step(-1)) {
        }
        QCOMPARE(cursor.end_number(), uint64_t(1));
        QCOMPARE(tw.packets(), uint64_t(0));
        // The end reached step by step holds what a fresh window at the end holds.
        TrafficWindow fresh;
        WindowCursor c2(engine, fresh);
        c2.set_spans(spans);
        c2.seek_packet(1 + ref.packets);
        QCOMPARE(fresh.packets(), at_end);
        (void)engine.with_state(
            [&](const IngestEngine::State& st) { return builder.build(fresh, c2.spans(), go, &st.model.names(), c2.time()); });
    }
}

void TestCraftedTimes::endpointSeriesAndDrops()
{
    QFETCH(QString, path);
    const Reference ref = read_reference(path);
    IngestEngine engine;
    std::string error;
    QVERIFY2(engine.open_path(path.toStdString(), error), error.c_str());
    engine.wait();

    // 10.0.0.1 over the whole 64-bit range, in bins of 2^60 ns; and over
    // [first, last] in 100 bins, whatever that span is.
    const auto f = EndpointFilter::parse("10.0.0.1");
    QVERIFY(f);
    uint64_t want = 0;
    for (const DecodedPacket& dp : ref.decoded)
        want += f->matches(dp) ? 1 : 0;
    // Packets stamped exactly INT64_MAX lie outside any [from, to) range.
    uint64_t at_max = 0;
    engine.with_state([&](const IngestEngine::State& st) {
        for (size_t i = 0; i < st.index.size(); ++i)
            if (st.index[i].ts_ns == kTimeMax && f->matches(ref.decoded[i]))
                ++at_max;
    });
    const EndpointSeriesResult all = endpoint_series(engine, *f, kTimeMin, kTimeMax, int64_t(1) << 60);
    QCOMPARE(all.bins.size(), size_t(16));
    QCOMPARE(packets_in(all.bins), want - at_max);
    const int64_t width = clamp_time((TimeWide(ref.last) - ref.first) / 100 + 1);
    const EndpointSeriesResult span = endpoint_series(engine, *f, ref.first, time_add(ref.last, 1), width);
    QVERIFY(span.bins.size() <= 101);
    QVERIFY(packets_in(span.bins) >= want - at_max);
    // Far more bins than memory holds: refused or bounded, never allocated.
    QVERIFY(endpoint_series(engine, *f, kTimeMin, kTimeMax, 1).bins.size() <= kMaxEndpointBins);

    // Drop statistics from the file's statistics blocks: rates over any interval stay finite.
    DropStatistics drops;
    const auto stats = engine.with_state([](const IngestEngine::State& st) { return st.statistics; });
    for (const InterfaceStatistics& st : stats)
        drops.add(st);
    for (const InterfaceDrops& d : drops.interfaces())
        for (const StageFigures& s : d.stages) {
            QVERIFY(std::isfinite(s.received_per_s) && s.received_per_s >= 0);
            QVERIFY(std::isfinite(s.dropped_per_s) && s.dropped_per_s >= 0);
        }
    drops.set_ingest(IngestCounters{10, 1}, kTimeMin, true);
    drops.set_ingest(IngestCounters{20, 2}, kTimeMax, true);
    drops.set_ingest(IngestCounters{30, 3}, kTimeMin, true);
}

void TestCraftedTimes::sessionModels()
{
    QFETCH(QString, path);
    const Reference ref = read_reference(path);
    CaptureSession session;
    QSignalSpy finished(&session, &CaptureSession::finished);
    QString error;
    QVERIFY2(session.openFile(path, &error), qPrintable(error));
    QVERIFY(finished.wait(30000));

    PacketListModel packets;
    packets.setSession(&session);
    packets.refresh();
    QCOMPARE(packets.rowCount(), int(ref.packets));
    for (TimeFormat tf : {TimeFormat::Relative, TimeFormat::Absolute, TimeFormat::Epoch, TimeFormat::Delta}) {
        packets.setTimeFormat(tf);
        for (int r = 0; r < packets.rowCount(); ++r)
            for (int c = 0; c < packets.columnCount(); ++c)
                for (int role : {int(Qt::DisplayRole), int(PacketListModel::SortRole)})
                    (void)packets.data(packets.index(r, c), role);
    }

    HostTableModel hosts;
    ConversationTableModel convs;
    hosts.refresh(session.engine());
    convs.refresh(session.engine());
    QVERIFY(hosts.rowCount() > 0);
    QVERIFY(convs.rowCount() > 0);
    for (TimeFormat tf : {TimeFormat::Relative, TimeFormat::Absolute, TimeFormat::Epoch}) {
        hosts.setTimeFormat(tf);
        convs.setTimeFormat(tf);
        for (QAbstractItemModel* m : {static_cast<QAbstractItemModel*>(&hosts), static_cast<QAbstractItemModel*>(&convs)})
            for (int r = 0; r < m->rowCount(); ++r)
                for (int c = 0; c < m->columnCount(); ++c)
                    for (int role : {int(Qt::DisplayRole), int(SortRole), int(ExportRole)}) {
                        const QVariant v = m->data(m->index(r, c), role);
                        if (v.typeId() == QMetaType::Double)
                            QVERIFY(std::isfinite(v.toDouble()));
                    }
    }
}

void TestCraftedTimes::cli()
{
    QFETCH(QString, path);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString svg = dir.filePath("g.svg");
    const QList<QStringList> runs = {
        {"stats", "--json", path},
        {"stats", path},
        {"stats", "--layer", "port", path},
        {"graph", path, "-o", svg},
        {"graph", path, "-o", dir.filePath("g.png"), "--size", "200x150"},
        {"graph", path, "--list", "--at", "1.5"},
        {"graph", path, "--list", "--at", "1e300"},
        {"graph", path, "--list", "--at", "0", "--window", "10"},
        {"graph", path, "--list", "--window", "1e30"},
    };
    for (const QStringList& args : runs) {
        QProcess p;
        p.start(kCli, args);
        QVERIFY2(p.waitForFinished(60000), qPrintable(args.join(' ')));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitStatus() == QProcess::NormalExit, qPrintable(args.join(' ') + "\n" + err));
        QVERIFY2(!reports_trouble(err), qPrintable(args.join(' ') + "\n" + err));
        QVERIFY2(p.exitCode() == 0, qPrintable(args.join(' ') + "\n" + err));
    }
    QVERIFY(QFileInfo(svg).size() > 0);
}

QTEST_GUILESS_MAIN(TestCraftedTimes)
#include "test_crafted_times.moc"
