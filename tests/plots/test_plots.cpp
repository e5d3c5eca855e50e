// The throughput plot and the drop panel in the window, under
// QT_QPA_PLATFORM=offscreen:
// * a file: the plot's bins and drawn values equal the models' throughput
//   series and underhood-cli's totals, at every zoom; a host's and a
//   conversation's series equal the CLI's tables; CSV/PNG/PDF export;
// * files with and without stored statistics blocks;
// * live (root only): forced drops over a veth pair between two network
//   namespaces, every number in the drop model against the helper's final
//   statistics block, its summary line and the kernel's own counters; and
//   drops in the app's own ingest when it is made slow on purpose.
// With UNDERHOOD_SCREENSHOT_DIR set, the window is saved there as PNGs (light
// and dark) to be looked at.
#include "test_pcap.h"
#include "capture_session.h"
#include "drop_panel.h"
#include "drop_statistics.h"
#include "main_window.h"
#include "pcapng_writer.h"
#include "throughput_plot.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace underhood;

namespace {
const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
const QString kHelper = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-capture");

QJsonObject cli_stats(const QString& file, const QStringList& extra = {})
{
    QProcess p;
    p.start(kCli, QStringList{"stats", "--json"} + extra + QStringList{file});
    p.waitForFinished(60000);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

int run(const QString& program, const QStringList& args, QByteArray* out = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput() + p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

bool wait_finished(MainWindow& w, int ms = 30000)
{
    return QTest::qWaitFor([&] { return w.session() && !w.session()->isRunning() && w.sessionShown(); }, ms);
}

void show_dock(MainWindow& w, const char* name)
{
    auto* d = w.findChild<QDockWidget*>(name);
    QVERIFY(d);
    d->show();
    d->raise();
    QApplication::processEvents();
}

std::pair<uint64_t, uint64_t> sums(const std::vector<ThroughputBin>& bins)
{
    uint64_t p = 0, b = 0;
    for (const ThroughputBin& x : bins) {
        p += x.packets;
        b += x.bytes;
    }
    return {p, b};
}

QCPGraph* graph_named(QCustomPlot* plot, const QString& name)
{
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name() == name)
            return plot->graph(i);
    return nullptr;
}

// Deterministic unicast frames with a private ethertype, 60 to 1514 bytes.
std::vector<QByteArray> make_frames(int n)
{
    std::vector<QByteArray> out;
    for (int i = 0; i < n; ++i) {
        QByteArray f;
        f.append("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x88\xb5", 14);
        const int size = 60 + (i * 37) % 1455;
        while (f.size() < size)
            f.append(char((i + f.size()) & 0xff));
        f[20] = char(i >> 16);
        f[21] = char(i >> 8);
        f[22] = char(i);
        out.push_back(f);
    }
    return out;
}

// The helper's closing line for an interface, e.g.
// "veth: 10 packets written, 12 received by the socket, 1 dropped by the kernel, 1 dropped by the helper, 0 dropped by the interface"
struct HelperSummary {
    bool found = false;
    uint64_t written = 0, received = 0, kernel = 0, helper = 0, interface = 0;
};
HelperSummary parse_summary(const QByteArray& err, const QString& itf)
{
    HelperSummary s;
    const QRegularExpression re(QRegularExpression::escape(itf) +
                                ": (\\d+) packets written, (\\d+) received by the socket, (\\d+) dropped by the "
                                "kernel, (\\d+) dropped by the helper, (\\d+) dropped by the interface");
    const auto m = re.match(QString::fromUtf8(err));
    if (!m.hasMatch())
        return s;
    s.found = true;
    s.written = m.captured(1).toULongLong();
    s.received = m.captured(2).toULongLong();
    s.kernel = m.captured(3).toULongLong();
    s.helper = m.captured(4).toULongLong();
    s.interface = m.captured(5).toULongLong();
    return s;
}

// Two network namespaces joined by a veth pair, IPv6 off, removed on destruction.
struct VethPair {
    QString ns_a, ns_b, a = "uhpla", b = "uhplb";
    bool ok = false;
    VethPair()
    {
        ns_a = QString("uhplot%1a").arg(getpid());
        ns_b = QString("uhplot%1b").arg(getpid());
        ok = run("ip", {"netns", "add", ns_a}) == 0 && run("ip", {"netns", "add", ns_b}) == 0 &&
             run("ip", {"link", "add", a, "netns", ns_a, "type", "veth", "peer", "name", b, "netns", ns_b}) == 0;
        for (const QString& ns : {ns_a, ns_b}) {
            run("ip", {"netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"});
            run("ip", {"netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"});
        }
        ok = ok && run("ip", {"-n", ns_a, "link", "set", a, "up"}) == 0 &&
             run("ip", {"-n", ns_b, "link", "set", b, "up"}) == 0;
    }
    ~VethPair()
    {
        run("ip", {"netns", "del", ns_a});
        run("ip", {"netns", "del", ns_b});
    }
    // The receiving side's own counters (sysfs).
    uint64_t counter(const QString& name) const
    {
        QByteArray out;
        run("ip", {"netns", "exec", ns_b, "cat", "/sys/class/net/" + b + "/statistics/" + name}, &out);
        return out.trimmed().toULongLong();
    }
    bool send(const QString& pcap, const QStringList& speed) const
    {
        QByteArray out;
        const int rc = run("ip", QStringList{"netns", "exec", ns_a, "tcpreplay", "-q", "-i", a} + speed + QStringList{pcap},
                           &out);
        if (rc != 0)
            qWarning("tcpreplay: %s", out.constData());
        return rc == 0;
    }
};

// Moves the calling thread into a network namespace (the helper the app forks
// inherits it) and back on destruction.
struct InNamespace {
    int self = -1, target = -1;
    bool ok = false;
    explicit InNamespace(const QString& ns)
    {
        self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        target = open(qPrintable("/var/run/netns/" + ns), O_RDONLY | O_CLOEXEC);
        ok = self >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0;
    }
    ~InNamespace()
    {
        if (self >= 0) {
            setns(self, CLONE_NEWNET);
            close(self);
        }
        if (target >= 0)
            close(target);
    }
};

void set_theme(const QString& theme)
{
    // MainWindow reads the theme on construction.
    QSettings().setValue("view/theme", theme);
}

void save_shot(QWidget& w, const QString& name)
{
    const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QApplication::processEvents();
    QTest::qWait(300);
    w.grab().save(QDir(dir).filePath(name + ".png"));
}

} // namespace

class TestPlots : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void fileBinsEqualModelsAndCli();
    void zoomRebinsDownToOneMillisecond();
    void hostAndConversationSeriesEqualCli();
    void exportsPngPdfCsv();
    void tickLabelsNeverTouch_data();
    void tickLabelsNeverTouch();
    void rangeSelectionEmitsTimes();
    void fileWithoutStatistics();
    void fileWithStoredDrops();
    void liveForcedDropsMatchHelperAndKernel();
    void liveIngestDropsWhenAppIsSlow();
    void liveWindowAccountsForEveryFrame();

private:
    QTemporaryDir dir_;
    QJsonObject demo_;
};

void TestPlots::initTestCase()
{
    QVERIFY(dir_.isValid());
    QCoreApplication::setOrganizationName("underhood-tests");
    QCoreApplication::setApplicationName("test_plots");
    set_theme("light");
    demo_ = cli_stats(kDemo);
    QVERIFY(demo_["packets"].toInteger() > 1000);
}

void TestPlots::fileBinsEqualModelsAndCli()
{
    for (const QString theme : {"light", "dark"}) {
        set_theme(theme);
        MainWindow w;
        w.setQuiet(true);
        w.resize(1280, 900);
        w.show();
        show_dock(w, "throughputDock");
        QVERIFY(w.openFile(kDemo));
        QVERIFY(wait_finished(w));
        ThroughputPlot* p = w.throughputPlot();
        QVERIFY(!p->visibleRegion().isEmpty());
        const auto& shown = p->shownSeries();
        QVERIFY(shown.size() >= 3);
        QVERIFY(shown[0].total);
        // The whole file in view: the bins hold every packet and byte the CLI counts.
        auto [packets, bytes] = sums(shown[0].bins);
        QCOMPARE(qint64(packets), demo_["packets"].toInteger());
        QCOMPARE(qint64(bytes), demo_["bytes"].toInteger());
        // Every series is the models' own series re-binned, and the parts add up to the whole.
        const int64_t from = p->binsFromNs(), width = p->binWidthNs();
        const int64_t to = from + int64_t(shown[0].bins.size()) * width;
        std::vector<std::vector<ThroughputBin>> model = w.session()->engine().with_state([&](const IngestEngine::State& st) {
            std::vector<std::vector<ThroughputBin>> m;
            for (const auto& s : shown)
                m.push_back(st.model.throughput().rebin(width, from, to, s.total || s.other ? Proto::None : s.proto));
            return m;
        });
        uint64_t parts = 0;
        QVERIFY(shown[0].bins == model[0]);
        for (size_t i = 1; i < shown.size(); ++i) {
            if (!shown[i].other)
                QVERIFY2(shown[i].bins == model[i], qPrintable(shown[i].name));
            parts += sums(shown[i].bins).first;
        }
        QCOMPARE(parts, packets);
        // Protocol series against the CLI's protocol hierarchy: packets whose
        // top protocol is X are X's node minus its children.
        std::map<QString, qint64> node;
        for (const QJsonValue v : demo_["protocols"].toArray())
            node[v.toObject()["path"].toString()] = v.toObject()["packets"].toInteger();
        std::map<QString, uint64_t> by_top;
        for (const auto& [path, n] : node) {
            qint64 leaf = n;
            for (const auto& [child, m] : node)
                if (child.startsWith(path + ":") && !child.mid(path.size() + 1).contains(':'))
                    leaf -= m;
            by_top[path.section(':', -1).toUpper()] += uint64_t(leaf);
        }
        for (size_t i = 1; i < shown.size(); ++i)
            if (!shown[i].other)
                QCOMPARE(sums(shown[i].bins).first, by_top[shown[i].name]);
        // What is drawn: the top of the stack is the total rate of each bin.
        QCPGraph* top = graph_named(p->plot(), shown.back().name);
        QVERIFY(top);
        QCOMPARE(top->data()->size(), int(shown[0].bins.size()) + 1);
        const double secs = double(width) / 1e9;
        for (size_t i = 0; i < shown[0].bins.size(); ++i) {
            const double want = double(shown[0].bins[i].bytes) * 8 / secs;
            const double got = (top->data()->constBegin() + int(i))->value;
            QVERIFY2(std::fabs(got - want) <= 1e-9 * std::max(1.0, want), qPrintable(QString("bin %1").arg(i)));
        }
        // Packets per second, as separate lines: the total line is the packet rate.
        p->setUnit(ThroughputPlot::Unit::Packets);
        p->setStyle(ThroughputPlot::Style::Lines);
        QCPGraph* all = graph_named(p->plot(), shown[0].name);
        QVERIFY(all);
        for (size_t i = 0; i < shown[0].bins.size(); ++i)
            QCOMPARE((all->data()->constBegin() + int(i))->value, double(shown[0].bins[i].packets) / secs);
        p->setLogScale(true);
        QCOMPARE(p->plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        p->setMovingAverage(true);
        QVERIFY(graph_named(p->plot(), QString("average (%1)").arg(bin_width_text(width * ThroughputPlot::kMovingAverageBins))));
        p->setLogScale(false);
        p->setStyle(ThroughputPlot::Style::Stacked);
        p->setUnit(ThroughputPlot::Unit::Bits);
        save_shot(w, "demo-throughput-" + theme);
        show_dock(w, "dropsDock");
        save_shot(w, "demo-drops-" + theme);
        // The demo records its (clean) statistics: no banner.
        QVERIFY(w.incompleteText().isEmpty());
        QVERIFY2(w.dropPanel()->headline().contains("no packets lost"), qPrintable(w.dropPanel()->headline()));
    }
    set_theme("light");
}

void TestPlots::zoomRebinsDownToOneMillisecond()
{
    MainWindow w;
    w.setQuiet(true);
    w.resize(1280, 900);
    w.show();
    show_dock(w, "throughputDock");
    QVERIFY(w.openFile(kDemo));
    QVERIFY(wait_finished(w));
    ThroughputPlot* p = w.throughputPlot();
    const int64_t first = w.session()->engine().with_state([](const IngestEngine::State& st) {
        return st.model.totals().first_ns;
    });
    const int64_t whole = p->binWidthNs();
    QVERIFY(whole >= 20'000'000);
    for (int64_t span : {int64_t(20'000'000'000), int64_t(2'000'000'000), int64_t(100'000'000)}) {
        const int64_t a = first + 10'000'000'000, b = a + span;
        p->setViewRange(a, b);
        QVERIFY(!p->following());
        QVERIFY(p->binWidthNs() < whole);
        // Packets of the bins = packets of the index in the bins' time span.
        const int64_t from = p->binsFromNs();
        const int64_t to = from + int64_t(p->shownSeries()[0].bins.size()) * p->binWidthNs();
        QVERIFY(from <= a && to >= b);
        const uint64_t in_index = w.session()->engine().with_state([&](const IngestEngine::State& st) {
            uint64_t n = 0;
            for (const PacketIndexEntry& e : st.index)
                n += e.ts_ns >= from && e.ts_ns < to;
            return n;
        });
        QCOMPARE(sums(p->shownSeries()[0].bins).first, in_index);
    }
    QCOMPARE(p->binWidthNs(), int64_t(1'000'000)); // 100 ms in view: 1 ms bins
    p->setFollowing(true);
    QCOMPARE(p->binWidthNs(), whole);
}

void TestPlots::hostAndConversationSeriesEqualCli()
{
    MainWindow w;
    w.setQuiet(true);
    w.resize(1280, 900);
    w.show();
    show_dock(w, "throughputDock");
    QVERIFY(w.openFile(kDemo));
    QVERIFY(wait_finished(w));
    ThroughputPlot* p = w.throughputPlot();
    const QJsonObject host = demo_["hosts"].toArray().first().toObject();
    const QJsonObject conv = demo_["conversations"].toArray().first().toObject();
    struct Case {
        QString text;
        qint64 packets, bytes;
    };
    for (const Case& c : {Case{host["address"].toString(), host["packets"].toInteger(), host["bytes"].toInteger()},
                          Case{conv["a"].toString() + " <-> " + conv["b"].toString(), conv["packets"].toInteger(),
                               conv["bytes"].toInteger()}}) {
        auto f = EndpointFilter::parse(c.text.toStdString());
        QVERIFY2(f, qPrintable(c.text));
        QSignalSpy ready(p, &ThroughputPlot::endpointSeriesReady);
        p->setEndpointFilter(f);
        QVERIFY(ready.wait(20000));
        auto [packets, bytes] = sums(p->endpointBins());
        QCOMPARE(qint64(packets), c.packets);
        QCOMPARE(qint64(bytes), c.bytes);
        QVERIFY(graph_named(p->plot(), QString::fromStdString(f->to_string())));
        save_shot(w, "demo-host-series");
    }
    p->setEndpointFilter(std::nullopt);
    QVERIFY(p->endpointBins().empty());
}

void TestPlots::exportsPngPdfCsv()
{
    MainWindow w;
    w.setQuiet(true);
    w.resize(1280, 900);
    w.show();
    show_dock(w, "throughputDock");
    QVERIFY(w.openFile(kDemo));
    QVERIFY(wait_finished(w));
    ThroughputPlot* p = w.throughputPlot();
    const QString png = dir_.filePath("t.png"), pdf = dir_.filePath("t.pdf"), csv = dir_.filePath("t.csv");
    QVERIFY(p->exportPng(png));
    QVERIFY(!QImage(png).isNull());
    QVERIFY(p->exportPdf(pdf));
    QFile pf(pdf);
    QVERIFY(pf.open(QIODevice::ReadOnly));
    QVERIFY(pf.read(5) == "%PDF-");
    QString err;
    QVERIFY2(p->exportCsv(csv, &err), qPrintable(err));
    QFile cf(csv);
    QVERIFY(cf.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList header = QString::fromUtf8(cf.readLine()).trimmed().split(',');
    QCOMPARE(header.mid(0, 5), (QStringList{"start_ns", "start_s", "width_ns", "all_packets", "all_bytes"}));
    qint64 packets = 0, bytes = 0, rows = 0, parts = 0;
    while (!cf.atEnd()) {
        const QStringList f = QString::fromUtf8(cf.readLine()).trimmed().split(',');
        QCOMPARE(f.size(), header.size());
        packets += f[3].toLongLong();
        bytes += f[4].toLongLong();
        for (int i = 5; i < f.size(); i += 2)
            parts += f[i].toLongLong();
        ++rows;
    }
    QCOMPARE(rows, qint64(p->shownSeries()[0].bins.size()));
    QCOMPARE(packets, demo_["packets"].toInteger());
    QCOMPARE(bytes, demo_["bytes"].toInteger());
    QCOMPARE(parts, packets);
}

void TestPlots::tickLabelsNeverTouch_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1280x720") << QSize(1280, 720);
    QTest::newRow("1600x1000") << QSize(1600, 1000);
    QTest::newRow("1024x600") << QSize(1024, 600);
}

// Neighbouring tick labels keep clear of each other at any window size: on
// the rate axis a label's height apart, on the time axis its width apart.
void TestPlots::tickLabelsNeverTouch()
{
    QFETCH(QSize, size);
    MainWindow w(size);
    w.setQuiet(true);
    w.show();
    show_dock(w, "throughputDock");
    QVERIFY(w.openFile(kDemo));
    QVERIFY(wait_finished(w));
    auto* plot = w.throughputPlot()->findChild<QCustomPlot*>("throughputCanvas");
    QVERIFY(plot);
    save_shot(w, "throughput-" + QString(QTest::currentDataTag()));
    const QFontMetrics fm(plot->yAxis->tickLabelFont());
    auto gaps = [&](QCPAxis* axis, bool vertical) {
        const QVector<double> ticks = axis->tickVector();
        const QVector<QString> labels = axis->tickVectorLabels();
        int worst = INT_MAX;
        for (int i = 1; i < ticks.size(); ++i) {
            const double apart = std::abs(axis->coordToPixel(ticks[i]) - axis->coordToPixel(ticks[i - 1]));
            const int need = vertical ? fm.height() : (fm.horizontalAdvance(labels[i]) + fm.horizontalAdvance(labels[i - 1])) / 2;
            worst = std::min(worst, int(apart) - need);
        }
        return worst;
    };
    // The ticks are fitted after a layout: wait for the plot to settle on them.
    QTest::qWaitFor([&] {
        return plot->yAxis->tickLabels() && plot->yAxis->tickVector().size() >= 2 && gaps(plot->yAxis, true) > 0;
    }, 10000);
    QVERIFY2(plot->yAxis->tickLabels(), qPrintable(QString("no room for rate labels: %1 px").arg(plot->axisRect()->height())));
    QVERIFY2(gaps(plot->yAxis, true) >= fm.height() / 2,
             qPrintable(QString("rate labels %1 px apart beyond their height, %2 ticks on %3 px")
                            .arg(gaps(plot->yAxis, true)).arg(plot->yAxis->tickVector().size())
                            .arg(plot->axisRect()->height())));
    QVERIFY(plot->xAxis->tickVector().size() >= 2);
    QVERIFY2(gaps(plot->xAxis, false) >= fm.height(),
             qPrintable(QString("time labels %1 px apart beyond their width").arg(gaps(plot->xAxis, false))));
}

void TestPlots::rangeSelectionEmitsTimes()
{
    MainWindow w;
    w.setQuiet(true);
    w.resize(1280, 900);
    w.show();
    show_dock(w, "throughputDock");
    QVERIFY(w.openFile(kDemo));
    QVERIFY(wait_finished(w));
    ThroughputPlot* p = w.throughputPlot();
    QCustomPlot* plot = p->plot();
    QSignalSpy spy(p, &ThroughputPlot::rangeSelected);
    const QRect r = plot->axisRect()->rect();
    const QPoint a(r.left() + r.width() / 4, r.center().y()), b(r.left() + r.width() / 2, r.center().y());
    QTest::mousePress(plot, Qt::LeftButton, Qt::ShiftModifier, a);
    QTest::mouseMove(plot, QPoint((a.x() + b.x()) / 2, a.y()));
    QTest::mouseMove(plot, b);
    QTest::mouseRelease(plot, Qt::LeftButton, Qt::ShiftModifier, b);
    QCOMPARE(spy.count(), 1);
    const qint64 from = spy[0][0].toLongLong(), to = spy[0][1].toLongLong();
    QVERIFY(from < to);
    const double ka = plot->xAxis->pixelToCoord(a.x()), kb = plot->xAxis->pixelToCoord(b.x());
    QVERIFY(std::llabs(from - (p->originNs() + int64_t(ka * 1e9))) < 1'000'000);
    QVERIFY(std::llabs(to - (p->originNs() + int64_t(kb * 1e9))) < 1'000'000);
    // A plain drag pans instead.
    QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, a);
    QTest::mouseMove(plot, b);
    QTest::mouseRelease(plot, Qt::LeftButton, Qt::NoModifier, b);
    QCOMPARE(spy.count(), 1);
}

void TestPlots::fileWithoutStatistics()
{
    const QString pcap = dir_.filePath("plain.pcap");
    QVERIFY(write_pcap(pcap, make_frames(50)));
    MainWindow w;
    w.setQuiet(true);
    w.show();
    QVERIFY(w.openFile(pcap));
    QVERIFY(wait_finished(w));
    w.showDropPanel();
    QCOMPARE(w.dropPanel()->headline(), QString("This file records no drop statistics."));
    QVERIFY(!w.dropPanel()->statistics().has_statistics());
    QVERIFY(w.incompleteText().isEmpty());
    QVERIFY(w.dropPanel()->currentAdvice().empty());
    save_shot(w, "pcap-no-statistics");
}

void TestPlots::fileWithStoredDrops()
{
    // A pcapng as a capture program saves it: two interfaces, packets, and
    // statistics blocks that record drops.
    const QString path = dir_.filePath("drops.pcapng");
    {
        PcapngWriter wr = PcapngWriter::create(path.toStdString());
        QVERIFY(wr.ok());
        QVERIFY(wr.write_section_header({}));
        PcapngInterfaceInfo itf;
        itf.name = "eth7";
        QVERIFY(wr.write_interface(itf));
        itf.name = "eth8";
        QVERIFY(wr.write_interface(itf));
        auto isb = [](uint32_t id, uint64_t ts, uint64_t ifrecv, uint64_t ifdrop, uint64_t accept, uint64_t osdrop,
                      uint64_t deliv) {
            PcapngInterfaceStatistics st;
            st.interface_id = id;
            st.ts_ns = ts;
            st.ifrecv = ifrecv;
            st.ifdrop = ifdrop;
            st.filteraccept = accept;
            st.osdrop = osdrop;
            st.usrdeliv = deliv;
            return st;
        };
        const auto frames = make_frames(200);
        const uint64_t t0 = 1'700'000'000'000'000'000ull;
        for (size_t i = 0; i < frames.size(); ++i) {
            const QByteArray& f = frames[i];
            QVERIFY(wr.write_packet(uint32_t(i % 2), t0 + i * 10'000'000,
                                    {reinterpret_cast<const uint8_t*>(f.data()), size_t(f.size())}));
            if (i == 99) {
                QVERIFY(wr.write_statistics(isb(0, t0 + i * 10'000'000, 400, 0, 390, 10, 390)));
            }
        }
        QVERIFY(wr.write_statistics(isb(0, t0 + 2'000'000'000, 1000, 2, 963, 37, 950)));
        QVERIFY(wr.write_statistics(isb(1, t0 + 2'000'000'000, 500, 0, 500, 0, 500)));
        QVERIFY(wr.close());
    }
    MainWindow w;
    w.setQuiet(true);
    w.resize(1280, 900);
    w.show();
    QVERIFY(w.openFile(path));
    QVERIFY(wait_finished(w));
    const DropStatistics& d = w.dropPanel()->statistics();
    QCOMPARE(d.interfaces().size(), size_t(2));
    QCOMPARE(d.interfaces()[0].name, std::string("eth7"));
    const StageArray& t = d.totals();
    QCOMPARE(*t[size_t(DropStage::Kernel)].received, uint64_t(1500));
    QCOMPARE(t[size_t(DropStage::Kernel)].dropped, uint64_t(37));
    QCOMPARE(t[size_t(DropStage::Interface)].dropped, uint64_t(2));
    QCOMPARE(*t[size_t(DropStage::Helper)].received, uint64_t(1463));
    QCOMPARE(t[size_t(DropStage::Helper)].dropped, uint64_t(13));
    QVERIFY(!t[size_t(DropStage::Ingest)].reported); // a mapped file: nothing lost reading it
    QCOMPARE(d.total_dropped(), uint64_t(52));
    QVERIFY2(w.dropPanel()->headline().startsWith("Recorded in the file: ⚠ 52 of 1,502 packets lost"),
             qPrintable(w.dropPanel()->headline()));
    // The window says its data is incomplete, and the drops are marked on the time axis.
    QVERIFY2(w.incompleteText().contains("52 packets were lost"), qPrintable(w.incompleteText()));
    QVERIFY(w.statusText().contains("52 dropped"));
    QCPGraph* marks = graph_named(w.throughputPlot()->plot(), "packets lost");
    QVERIFY(marks);
    QCOMPARE(marks->data()->size(), 2); // the first block (10) and the last ones (42)
    // A file offers advice for the interface only, and no restart.
    auto advice = w.dropPanel()->currentAdvice();
    QCOMPARE(advice.size(), size_t(1));
    QCOMPARE(advice[0].kind, DropAdviceKind::InterfaceRing);
    // The status bar's drop label opens the panel.
    auto* drops_dock = w.findChild<QDockWidget*>("dropsDock");
    w.findChild<QDockWidget*>("throughputDock")->raise();
    // A dock behind another tab stays "visible" but has nothing on screen.
    QVERIFY(QTest::qWaitFor([&] { return w.dropPanel()->visibleRegion().isEmpty(); }, 2000));
    QLabel* label = nullptr;
    for (QLabel* l : w.statusBar()->findChildren<QLabel*>())
        if (l->text().contains("dropped"))
            label = l;
    QVERIFY(label);
    QTest::mouseClick(label, Qt::LeftButton);
    QVERIFY(QTest::qWaitFor([&] { return !w.dropPanel()->visibleRegion().isEmpty(); }, 2000));
    QVERIFY(drops_dock->isVisible());
    save_shot(w, "file-with-drops");
}

void TestPlots::liveForcedDropsMatchHelperAndKernel()
{
    if (geteuid() != 0)
        QSKIP("needs root to create the network namespaces (CI runs as root)");
    if (QStandardPaths::findExecutable("tcpreplay").isEmpty())
        QSKIP("needs tcpreplay");
    VethPair v;
    QVERIFY(v.ok);
    // The helper as the app runs it (a socket pair), with a 1 MiB kernel
    // buffer and a 2 MiB queue, and nobody reading while a burst arrives.
    int sv[2];
    QCOMPARE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    QProcess h;
    const int child_end = sv[1];
    h.setChildProcessModifier([child_end] { ::dup2(child_end, 3); });
    h.start("ip", {"netns", "exec", v.ns_b, kHelper, "-i", v.b, "-B", "1", "--queue", "2", "--stats-interval", "200",
                   "--fd", "3"});
    ::close(sv[1]);
    QByteArray err;
    QVERIFY(QTest::qWaitFor(
        [&] {
            h.waitForReadyRead(50);
            err += h.readAllStandardError();
            return err.contains("capturing on") || h.state() == QProcess::NotRunning;
        },
        10000));
    QVERIFY2(err.contains("capturing on"), err.constData());
    const uint64_t rx0 = v.counter("rx_packets"), rxd0 = v.counter("rx_dropped");
    const auto frames = make_frames(60000);
    const QString pcap = dir_.filePath("burst.pcap");
    QVERIFY(write_pcap(pcap, frames));
    QVERIFY(v.send(pcap, {"--topspeed"}));
    // Every frame has reached the interface before anyone reads the stream.
    QVERIFY(QTest::qWaitFor([&] { return v.counter("rx_packets") - rx0 >= frames.size(); }, 20000));

    // Now the app starts reading: the ingest engine, fed to the panel's model
    // as the panel does, at each of the first statistics blocks it reads.
    IngestEngine engine;
    std::string e;
    QVERIFY2(engine.open_fd(sv[0], v.b.toStdString(), e), e.c_str());
    DropStatistics d;
    auto blocks_read = [&] {
        return engine.with_state([](const IngestEngine::State& st) { return st.statistics.size(); });
    };
    for (size_t i = 1; i <= 3; ++i) {
        QVERIFY(QTest::qWaitFor([&] { return blocks_read() >= i; }, 10000));
        update_drop_statistics(d, engine, QDateTime::currentMSecsSinceEpoch() * 1'000'000);
    }
    ::kill(pid_t(h.processId()), SIGTERM);
    QVERIFY(h.waitForFinished(20000));
    err += h.readAllStandardError();
    QCOMPARE(h.exitCode(), 0);
    engine.wait();
    update_drop_statistics(d, engine, QDateTime::currentMSecsSinceEpoch() * 1'000'000);
    const uint64_t rx = v.counter("rx_packets") - rx0, rxd = v.counter("rx_dropped") - rxd0;

    const HelperSummary s = parse_summary(err, v.b);
    QVERIFY2(s.found, err.constData());
    auto [final_isb, packets, ingest] = engine.with_state([](const IngestEngine::State& st) {
        return std::tuple(st.statistics.back(), st.model.totals().packets, st.ingest);
    });
    qInfo("sent %zu, kernel rx %llu; helper: written %llu, received %llu, kernel dropped %llu, helper dropped %llu",
          frames.size(), (unsigned long long)rx, (unsigned long long)s.written, (unsigned long long)s.received,
          (unsigned long long)s.kernel, (unsigned long long)s.helper);
    const StageArray& t = d.totals();
    const StageFigures& itf = t[size_t(DropStage::Interface)];
    const StageFigures& kernel = t[size_t(DropStage::Kernel)];
    const StageFigures& helper = t[size_t(DropStage::Helper)];
    const StageFigures& in = t[size_t(DropStage::Ingest)];
    // Kernel stage: the final block, the helper's summary and the kernel's
    // own count of frames received on the interface.
    QCOMPARE(*kernel.received, *final_isb.ifrecv);
    QCOMPARE(*kernel.received, s.received);
    QCOMPARE(*kernel.received, rx);
    QCOMPARE(*kernel.received, uint64_t(frames.size()));
    QCOMPARE(kernel.dropped, *final_isb.osdrop);
    QCOMPARE(kernel.dropped, s.kernel);
    // Helper stage.
    QCOMPARE(*helper.received, *final_isb.filteraccept);
    QCOMPARE(*helper.received, *kernel.received - kernel.dropped);
    QCOMPARE(helper.dropped, *final_isb.filteraccept - *final_isb.usrdeliv);
    QCOMPARE(helper.dropped, s.helper);
    // Interface stage: the driver's own drop counter.
    QCOMPARE(itf.dropped, *final_isb.ifdrop);
    QCOMPARE(itf.dropped, s.interface);
    QCOMPARE(itf.dropped, rxd);
    // Socket and ingest: exactly what the helper wrote arrived and was decoded.
    QCOMPARE(*in.received, *final_isb.usrdeliv);
    QCOMPARE(*in.received, s.written);
    QCOMPARE(in.dropped, uint64_t(0));
    QCOMPARE(ingest.received, s.written);
    QCOMPARE(packets, s.written);
    QCOMPARE(*t[size_t(DropStage::Socket)].received, s.written);
    // Drops were forced, and everything adds up to what was sent.
    QVERIFY2(d.total_dropped() > 0, "a 1 MiB buffer and a stalled reader must drop");
    QCOMPARE(d.total_dropped(), s.kernel + s.helper + s.interface);
    QCOMPARE(s.written + d.total_dropped(), uint64_t(frames.size()));
    QCOMPARE(d.total_arrived(), uint64_t(frames.size()));
    QVERIFY(d.incomplete());
    QVERIFY(!d.events().empty());
    // The advice names the stages that dropped.
    CaptureSettings cs;
    cs.live = true;
    cs.buffer_mib = 1;
    cs.snaplen = 262144;
    cs.backend = "afpacket";
    auto advice = d.advice(cs);
    QVERIFY(!advice.empty());
    QCOMPARE(advice[0].stage, kernel.dropped ? DropStage::Kernel : DropStage::Helper);
    if (kernel.dropped)
        QCOMPARE(advice[0].kind, DropAdviceKind::LargerBuffer);
}

void TestPlots::liveIngestDropsWhenAppIsSlow()
{
    if (geteuid() != 0)
        QSKIP("needs root to create the network namespaces (CI runs as root)");
    if (QStandardPaths::findExecutable("tcpreplay").isEmpty())
        QSKIP("needs tcpreplay");
    VethPair v;
    QVERIFY(v.ok);
    InNamespace in_b(v.ns_b);
    QVERIFY(in_b.ok);
    // The app's side made slow on purpose: a backlog of 4 packets between the
    // stream reader and the decoder, and a view that keeps the models locked
    // for a few milliseconds at a time.
    IngestOptions io;
    io.max_backlog_packets = 4;
    CaptureSession session(io);
    LiveCaptureOptions o;
    o.interfaces = {v.b};
    o.buffer_mib = 64;
    QString err;
    QVERIFY2(session.startLive(o, &err), qPrintable(err));
    DropPanel panel;
    panel.resize(1100, 600);
    panel.show();
    panel.setSession(&session);
    QSignalSpy incomplete(&panel, &DropPanel::incompleteChanged);
    connect(&session, &CaptureSession::updated, &panel, &DropPanel::refresh);
    QTimer slow;
    slow.setInterval(3);
    connect(&slow, &QTimer::timeout, &session, [&] {
        session.engine().with_state([](const IngestEngine::State&) {
            QThread::usleep(1500);
            return 0;
        });
    });
    slow.start();
    const auto frames = make_frames(60000);
    const QString pcap = dir_.filePath("burst2.pcap");
    QVERIFY(write_pcap(pcap, frames));
    const uint64_t rx0 = v.counter("rx_packets");
    QVERIFY(v.send(pcap, {"--topspeed"}));
    // Until a statistics block from the helper shows every frame at the socket.
    QVERIFY(QTest::qWaitFor(
        [&] {
            return session.engine().with_state([&](const IngestEngine::State& st) {
                return !st.statistics.empty() && st.statistics.back().ifrecv.value_or(0) >= frames.size();
            });
        },
        20000));
    slow.stop();
    session.stop();
    QVERIFY(QTest::qWaitFor([&] { return !session.isRunning(); }, 20000));
    panel.refresh();
    const uint64_t rx = v.counter("rx_packets") - rx0;
    auto [ingest, packets, final_isb] = session.engine().with_state([](const IngestEngine::State& st) {
        return std::tuple(st.ingest, st.model.totals().packets, st.statistics.back());
    });
    const DropStatistics& d = panel.statistics();
    const StageFigures& in = d.totals()[size_t(DropStage::Ingest)];
    qInfo("sent %zu (kernel rx %llu): app read %llu, dropped %llu, decoded %llu", frames.size(),
          (unsigned long long)rx, (unsigned long long)ingest.received, (unsigned long long)ingest.dropped,
          (unsigned long long)packets);
    QVERIFY2(ingest.dropped > 0, "a 4-packet backlog and a slow view must drop in the app");
    QCOMPARE(in.dropped, ingest.dropped);
    QCOMPARE(*in.received, ingest.received);
    QCOMPARE(packets, ingest.received - ingest.dropped);
    // Everything the helper wrote reached the app (the socket never drops).
    QCOMPARE(ingest.received, *final_isb.usrdeliv);
    QCOMPARE(*d.totals()[size_t(DropStage::Kernel)].received, rx);
    QCOMPARE(d.total_dropped(), ingest.dropped + *final_isb.osdrop + (*final_isb.filteraccept - *final_isb.usrdeliv) +
                                    *final_isb.ifdrop);
    // The banner was told, and the advice for the app's stage restarts with a shorter history.
    QVERIFY(!incomplete.isEmpty());
    QCOMPARE(incomplete.last()[0].toBool(), true);
    QVERIFY(incomplete.last()[1].toString().contains("app ingest"));
    QVERIFY(panel.headline().contains("lost"));
    auto advice = panel.currentAdvice();
    auto it = std::find_if(advice.begin(), advice.end(),
                           [](const DropAdvice& a) { return a.kind == DropAdviceKind::ShorterHistory; });
    QVERIFY(it != advice.end());
    QCOMPARE(it->stage, DropStage::Ingest);
    QSignalSpy restart(&panel, &DropPanel::restartRequested);
    QVERIFY(panel.applyAdvice(DropAdviceKind::ShorterHistory));
    QCOMPARE(restart.count(), 1);
    const auto opts = restart[0][0].value<LiveCaptureOptions>();
    QCOMPARE(opts.history_packets, it->value);
    QCOMPARE(opts.interfaces, o.interfaces);
    // The button does the same.
    auto* btn = panel.findChild<QPushButton*>(QString("adviceButton_%1").arg(int(DropAdviceKind::ShorterHistory)));
    QVERIFY(btn);
    btn->click();
    QCOMPARE(restart.count(), 2);
    save_shot(panel, "live-ingest-drops-panel");
}

void TestPlots::liveWindowAccountsForEveryFrame()
{
    if (geteuid() != 0)
        QSKIP("needs root to create the network namespaces (CI runs as root)");
    if (QStandardPaths::findExecutable("tcpreplay").isEmpty())
        QSKIP("needs tcpreplay");
    // Both themes when screenshots are wanted (UNDERHOOD_SCREENSHOT_DIR), else one.
    QStringList themes{"light"};
    if (!qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR").isEmpty())
        themes << "dark";
    for (const QString& theme : themes) {
        set_theme(theme);
        VethPair v;
        QVERIFY(v.ok);
        InNamespace in_b(v.ns_b);
        QVERIFY(in_b.ok);
        MainWindow w;
        w.setQuiet(true);
        w.resize(1280, 900);
        w.show();
        show_dock(w, "throughputDock");
        LiveCaptureOptions o;
        o.interfaces = {v.b};
        o.buffer_mib = 1;
        QVERIFY2(w.startCapture(o), qPrintable(w.lastError()));
        // A steady stream, then a burst the 1 MiB buffer cannot hold while the window is busy.
        const QString steady = dir_.filePath("steady.pcap"), burst = dir_.filePath("burst3.pcap");
        const size_t steady_frames = 3000, burst_frames = 80000;
        QVERIFY(write_pcap(steady, make_frames(steady_frames)));
        QVERIFY(write_pcap(burst, make_frames(burst_frames)));
        auto shown_packets = [&] {
            return w.session()->engine().with_state(
                [](const IngestEngine::State& st) { return st.model.totals().packets; });
        };
        const uint64_t rx0 = v.counter("rx_packets");
        QProcess bg;
        bg.start("ip", {"netns", "exec", v.ns_a, "tcpreplay", "-q", "-i", v.a, "--pps", "1500", steady});
        // The steady stream is flowing through the window.
        QVERIFY(QTest::qWaitFor([&] { return shown_packets() >= 1000; }, 20000));
        QTimer busy;
        busy.setInterval(5);
        connect(&busy, &QTimer::timeout, &w, [&] {
            w.session()->engine().with_state([](const IngestEngine::State&) {
                QThread::usleep(4000);
                return 0;
            });
        });
        busy.start();
        QVERIFY(v.send(burst, {"--topspeed"}));
        busy.stop();
        QVERIFY(bg.waitForFinished(20000));
        // Both streams have reached the interface.
        QVERIFY(QTest::qWaitFor(
            [&] { return v.counter("rx_packets") - rx0 >= steady_frames + burst_frames; }, 20000));
        save_shot(w, "live-throughput-" + theme);
        w.showDropPanel();
        if (auto* dock = w.findChild<QDockWidget*>("dropsDock"))
            w.resizeDocks({dock}, {620}, Qt::Vertical); // the whole pipeline, its sentences and the advice
        save_shot(w, "live-drops-" + theme);
        w.session()->stop();
        QVERIFY(wait_finished(w, 20000));
        // Every frame is accounted for at some stage: shown, or dropped where it was lost.
        const DropStatistics& d = w.dropPanel()->statistics();
        QCOMPARE(d.total_arrived(), uint64_t(steady_frames + burst_frames));
        QCOMPARE(shown_packets() + d.total_dropped(), uint64_t(steady_frames + burst_frames));
        QCOMPARE(!w.incompleteText().isEmpty(), d.incomplete());
    }
    set_theme("light");
}

QTEST_MAIN(TestPlots)
#include "test_plots.moc"
