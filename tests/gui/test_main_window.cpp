// The desktop window under QT_QPA_PLATFORM=offscreen: opening files (good,
// truncated, not a capture) and a live capture through the real helper in a
// network namespace (root only).
#include "test_pcap.h"
#include "test_corpus.h"
#include "capture_saver.h"
#include "capture_session.h"
#include "host_graph_pane.h"
#include "hex_view.h"
#include "host_graph_view.h"
#include "main_window.h"
#include "packet_list_model.h"
#include "table_pane.h"
#include "packet_details_pane.h"
#include "packet_list_view.h"
#include "throughput_plot.h"
#include "unit/packet_builder.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QScrollBar>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <csignal>
#include <map>
#include <set>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sched.h>
#include <unistd.h>

using namespace underhood;

namespace {
const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");

bool wait_finished(MainWindow& w, int ms = 30000)
{
    return QTest::qWaitFor([&] { return w.session() && !w.session()->isRunning() && w.sessionShown(); }, ms);
}

QJsonObject cli_stats(const QString& file)
{
    QProcess p;
    p.start(kCli, {"stats", "--json", file});
    p.waitForFinished(60000);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

// Packets tcpdump reads from the demo capture with a BPF expression.
qsizetype tcpdump_count(const QString& expr)
{
    QProcess td;
    td.start("tcpdump", {"-n", "-r", kDemo, expr});
    td.waitForFinished(30000);
    return td.readAllStandardOutput().count('\n');
}

// Packets of `file` that tshark's display filter `expr` selects.
qsizetype tshark_count(const QString& file, const QString& expr)
{
    QProcess ts;
    ts.start("tshark", {"-n", "-r", file, "-Y", expr, "-T", "fields", "-e", "frame.number"});
    ts.waitForFinished(60000);
    return ts.readAllStandardOutput().count('\n');
}

QDockWidget* findChildDock(const QWidget& w, const char* name) { return w.findChild<QDockWidget*>(name); }

// Opens the demo capture quietly and waits until it is read.
bool open_demo(MainWindow& w)
{
    w.setQuiet(true);
    return w.openFile(kDemo) && wait_finished(w);
}

int run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(60000);
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void opensDemoWithCliTotals();
    void opensCorpusFile();
    void truncatedFileWarns();
    void opensCraftedTimes_data();
    void opensCraftedTimes();
    void helperStreamWithoutFinalStatisticsWarns();
    void lastPacketsAfterTheFileShrank();
    void nonCaptureShowsErrorAndKeepsWorking();
    void displayFilterMatchesTcpdump();
    void layerSwitchKeepsTotals();
    void graphSelectionFiltersTablesAndPackets();
    void nodeFilterCountsTaggedPackets();
    void viewsFollowTheDisplayFilter();
    void plotRangeMovesTheGraph();
    void liveCaptureThroughHelper();
    void unsavedCaptureAsksBeforeItIsLost();
    void firstLayoutGivesTheGraphTheRoom_data();
    void firstLayoutGivesTheGraphTheRoom();

private:
    QTemporaryDir dir_;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(dir_.isValid());
    QCoreApplication::setOrganizationName("underhood-tests");
    QCoreApplication::setApplicationName("test_main_window");
}

void TestMainWindow::opensDemoWithCliTotals()
{
    MainWindow w;
    w.setQuiet(true);
    w.show();
    QVERIFY(w.openFile(kDemo));
    QVERIFY(wait_finished(w));
    const QJsonObject cli = cli_stats(kDemo);
    QCOMPARE(qint64(w.packetModel()->rowCount()), cli["packets"].toInteger());
    QVERIFY(w.windowTitle().contains("demo.pcapng"));
    QVERIFY2(w.statusText().contains(QLocale().toString(cli["packets"].toInteger())), qPrintable(w.statusText()));
    QVERIFY(w.warningText().isEmpty());
    // The first row is packet 1 and its columns are filled.
    const QModelIndex src = w.packetModel()->index(0, PacketListModel::Source);
    QVERIFY(!w.packetModel()->data(src, Qt::DisplayRole).toString().isEmpty());
    QCOMPARE(w.packetModel()->numberAt(0), quint64(1));
}

void TestMainWindow::opensCorpusFile()
{
    const QString f = corpusDir() + QStringLiteral("/tcpdump/802.1ad_QinQ.pcap");
    if (!QFileInfo::exists(f))
        QSKIP("the shared corpus is absent");
    MainWindow w;
    w.setQuiet(true);
    QVERIFY(w.openFile(f));
    QVERIFY(wait_finished(w));
    QCOMPARE(qint64(w.packetModel()->rowCount()), cli_stats(f)["packets"].toInteger());
}

void TestMainWindow::truncatedFileWarns()
{
    QFile demo(kDemo);
    QVERIFY(demo.open(QIODevice::ReadOnly));
    QByteArray bytes = demo.readAll();
    const QString cut = dir_.filePath("cut.pcapng");
    QFile out(cut);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes.left(bytes.size() / 2 + 37)); // in the middle of a block
    out.close();
    MainWindow w;
    w.setQuiet(true);
    w.show();
    QVERIFY(w.openFile(cut));
    QVERIFY(wait_finished(w));
    QVERIFY2(w.warningText().contains("truncated"), qPrintable(w.warningText()));
    QVERIFY(w.packetModel()->rowCount() > 100);
    QCOMPARE(qint64(w.packetModel()->rowCount()), cli_stats(cut)["packets"].toInteger());
}

void TestMainWindow::opensCraftedTimes_data()
{
    QTest::addColumn<QString>("path");
    const QDir crafted(QStringLiteral(UNDERHOOD_SOURCE_DIR "/tests/corpus/crafted"));
    for (const QString& f : crafted.entryList({"*.pcapng"}, QDir::Files, QDir::Name))
        QTest::newRow(qPrintable(f)) << crafted.filePath(f);
}

// Time stamps next to 2^63 ns, centuries apart, before the epoch: the window
// opens them, its plot, graph, timeline, tables and packet details follow,
// and the graph goes anywhere on the timeline.
void TestMainWindow::opensCraftedTimes()
{
    QFETCH(QString, path);
    MainWindow w;
    w.setQuiet(true);
    w.show();
    QVERIFY(w.openFile(path));
    QVERIFY(wait_finished(w));
    QTest::qWait(250);
    const qint64 packets = cli_stats(path)["packets"].toInteger();
    QVERIFY(packets > 0);
    QCOMPARE(qint64(w.packetModel()->rowCount()), packets);
    HostGraphPane* graph = w.graphPane();
    QVERIFY(graph->waitForScene());
    for (int i = 0; i < 3 && graph->step(-1); ++i)
        QVERIFY(graph->waitForScene());
    graph->seek(std::numeric_limits<qint64>::min());
    QVERIFY(graph->waitForScene());
    graph->seek(std::numeric_limits<qint64>::max());
    QVERIFY(graph->waitForScene());
    emit w.throughputPlot()->rangeSelected(std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max());
    QVERIFY(graph->waitForScene());
    emit w.throughputPlot()->rangeCleared();
    QVERIFY(graph->waitForScene());
    // The last packet's details and bytes.
    w.packetView()->selectNumber(quint64(packets));
    QTest::qWait(100);
    QCOMPARE(w.packetView()->currentNumber(), quint64(packets));
}

// A capture helper's file that ends without its final statistics: the
// warning bar says so; with them it stays hidden.
void TestMainWindow::helperStreamWithoutFinalStatisticsWarns()
{
    const QString crafted = QStringLiteral(UNDERHOOD_SOURCE_DIR "/tests/corpus/crafted/");
    for (const char* name : {"helper-final-statistics-missing.pcapng", "helper-final-statistics.pcapng"}) {
        MainWindow w;
        w.setQuiet(true);
        w.show();
        QVERIFY(w.openFile(crafted + name));
        QVERIFY(wait_finished(w));
        QTest::qWait(250);
        const bool missing = QByteArray(name).contains("missing");
        QVERIFY2(w.warningText().contains("final statistics missing: counts may be incomplete") == missing,
                 qPrintable(w.warningText()));
    }
}

// A file fully loaded, then cut to a tenth of its size behind the app's back
// (rotated, overwritten): its last packets are selected, their details and
// bytes shown, without SIGBUS.
void TestMainWindow::lastPacketsAfterTheFileShrank()
{
    const QString copy = dir_.filePath("shrinking.pcapng");
    QFile::remove(copy);
    QVERIFY(QFile::copy(kDemo, copy));
    MainWindow w;
    w.setQuiet(true);
    w.show();
    QVERIFY(w.openFile(copy));
    QVERIFY(wait_finished(w));
    QTest::qWait(250);
    const int rows = w.packetModel()->rowCount();
    QVERIFY(rows > 100);
    QCOMPARE(::truncate(QFile::encodeName(copy).constData(), QFileInfo(copy).size() / 10), 0);
    for (int r = rows - 1; r >= rows - 5; --r) {
        const quint64 number = w.packetModel()->numberAt(r);
        w.packetView()->selectNumber(number);
        QTest::qWait(50);
        QCOMPARE(w.packetView()->currentNumber(), number);
        for (int c = 0; c < w.packetModel()->columnCount(); ++c)
            (void)w.packetModel()->data(w.packetModel()->index(r, c), Qt::DisplayRole);
    }
    // The first packets are still there, as they were.
    w.packetView()->selectNumber(1);
    QTest::qWait(50);
    QVERIFY(!w.packetModel()->data(w.packetModel()->index(0, PacketListModel::Source), Qt::DisplayRole).toString().isEmpty());
    // And the graph, which reads packets again, goes to the end and back.
    HostGraphPane* graph = w.graphPane();
    graph->seek(std::numeric_limits<qint64>::max());
    QVERIFY(graph->waitForScene());
    graph->seek(std::numeric_limits<qint64>::min());
    QVERIFY(graph->waitForScene());
}

void TestMainWindow::nonCaptureShowsErrorAndKeepsWorking()
{
    const QString txt = dir_.filePath("notes.txt");
    QFile f(txt);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("these are not packets\n");
    f.close();
    MainWindow w;
    w.setQuiet(true);
    QVERIFY(!w.openFile(txt));
    QVERIFY(w.lastError().contains("notes.txt"));
    QVERIFY(w.lastError().contains("not a pcap or pcapng"));
    QVERIFY(!w.session());
    // Still works.
    QVERIFY(w.openFile(kDemo));
    QVERIFY(wait_finished(w));
}

void TestMainWindow::displayFilterMatchesTcpdump()
{
    if (QStandardPaths::findExecutable("tcpdump").isEmpty())
        QSKIP("needs tcpdump");
    MainWindow w;
    QVERIFY(open_demo(w));
    for (const QString expr : {"udp port 53", "tcp port 443 and host 192.168.1.102", "arp or icmp6"}) {
        const qsizetype expected = tcpdump_count(expr);
        QVERIFY(expected > 0);
        QMetaObject::invokeMethod(&w, "applyDisplayFilter", Q_ARG(QString, expr));
        QVERIFY2(QTest::qWaitFor([&] { return w.packetModel()->filtered() && w.packetModel()->rowCount() == expected; },
                                 10000),
                 qPrintable(QString("%1: %2 rows, tcpdump %3").arg(expr).arg(w.packetModel()->rowCount()).arg(expected)));
    }
    QMetaObject::invokeMethod(&w, "applyDisplayFilter", Q_ARG(QString, QString()));
    QVERIFY(!w.packetModel()->filtered());
}

void TestMainWindow::layerSwitchKeepsTotals()
{
    MainWindow w;
    QVERIFY(open_demo(w));
    for (Layer l : {Layer::Ether, Layer::Port, Layer::Ip}) {
        w.setLayer(l);
        QVERIFY(QTest::qWaitFor([&] {
            return w.session()->engine().with_state([l](const IngestEngine::State& s) { return s.layer_ready[size_t(l)]; });
        }, 20000));
        QProcess p;
        p.start(kCli, {"stats", "--json", "--layer", layer_name(l), kDemo});
        QVERIFY(p.waitForFinished(30000));
        const QJsonObject cli = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        const qsizetype hosts = w.session()->engine().with_state(
            [l](const IngestEngine::State& s) { return qsizetype(s.model.layer(l).hosts.size()); });
        QCOMPARE(hosts, cli["hosts"].toArray().size());
    }
}

void TestMainWindow::graphSelectionFiltersTablesAndPackets()
{
    if (QStandardPaths::findExecutable("tcpdump").isEmpty())
        QSKIP("needs tcpdump");
    MainWindow w;
    QVERIFY(open_demo(w));
    HostGraphPane* graph = w.graphPane();
    // The whole capture in the window, remote hosts gathered into /16 clusters.
    WindowSpans spans = graph->spans();
    spans.window_ns = 0;
    graph->setSpans(spans);
    GraphOptions o = graph->options();
    o.cluster = ClusterMode::Prefix16;
    o.cluster_threshold = 0;
    o.keep_busiest_remote = 0;
    graph->setOptions(o);
    // Scenes are made off the GUI thread: wait for the one with these options.
    QVERIFY(graph->waitForScene(10000));
    QVERIFY(QTest::qWaitFor([&] { return graph->view()->scene().nodes.size() > 5; }, 10000));
    const QJsonObject cli = cli_stats(kDemo);

    // The busiest single host, and a cluster.
    const GraphScene& scene = graph->view()->scene();
    int host = -1, cluster = -1;
    for (size_t i = 0; i < scene.nodes.size(); ++i) {
        const SceneNode& n = scene.nodes[i];
        if (!n.cluster && n.endpoint.kind == Endpoint::Kind::Ip &&
            (host < 0 || n.packets > scene.nodes[size_t(host)].packets))
            host = int(i);
        if (n.cluster && n.key != "Internet" && n.members > 1 && cluster < 0)
            cluster = int(i);
    }
    QVERIFY(host >= 0);
    QVERIFY(cluster >= 0);
    const QString address = QString::fromStdString(scene.nodes[size_t(host)].key);
    const QString prefix = QString::fromStdString(scene.nodes[size_t(cluster)].key);
    const int members = int(scene.nodes[size_t(cluster)].members);

    graph->view()->selectNode(host);
    // In Wireshark's language, which reaches behind VLAN tags and into tunnels
    // and ICMP errors' quoted headers: at least the packets the node counts.
    QCOMPARE(w.displayFilterText(), "ip.addr == " + address);
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    const qsizetype expected = tshark_count(kDemo, w.displayFilterText());
    QVERIFY(expected > 0);
    QVERIFY2(expected >= qsizetype(scene.nodes[size_t(host)].packets),
             qPrintable(QString("tshark %1, node %2").arg(expected).arg(scene.nodes[size_t(host)].packets)));
    QVERIFY2(QTest::qWaitFor([&] { return w.packetModel()->filtered() && w.packetModel()->rowCount() == expected; }, 10000),
             qPrintable(QString("%1 rows, tcpdump %2").arg(w.packetModel()->rowCount()).arg(expected)));
    // The hosts table shows that host; the conversations table those it has part in (as the CLI counts them).
    auto* hosts = w.hostPane()->proxy();
    auto* convs = w.conversationPane()->proxy();
    QVERIFY(w.hostPane()->scope().contains(QString::fromStdString(scene.nodes[size_t(host)].label)));
    // (The tables fill on their refresh timer; rows that arrive later are filtered too.)
    QVERIFY(QTest::qWaitFor([&] { return hosts->sourceModel()->rowCount() == cli["hosts"].toArray().size(); }, 10000));
    QCOMPARE(hosts->rowCount(), 1);
    QCOMPARE(hosts->index(0, 0).data().toString(), address);
    int cli_convs = 0;
    for (const QJsonValue& c : cli["conversations"].toArray())
        cli_convs += c["a"].toString() == address || c["b"].toString() == address;
    QVERIFY(cli_convs > 0);
    QCOMPARE(convs->rowCount(), cli_convs);
    // To look at: UNDERHOOD_SHOT_DIR=/tmp/shots saves the window as it is now.
    if (const QString dir = qEnvironmentVariable("UNDERHOOD_SHOT_DIR"); !dir.isEmpty()) {
        w.resize(1400, 900);
        w.show();
        QTest::qWait(500);
        w.grab().save(dir + "/graph-selection.png");
    }

    // A cluster: its members, and the packets of its network.
    graph->view()->selectNode(cluster);
    QCOMPARE(w.displayFilterText(), "ip.addr == " + prefix);
    QCOMPARE(hosts->rowCount(), members);
    const qsizetype in_net = tshark_count(kDemo, w.displayFilterText());
    QVERIFY(QTest::qWaitFor([&] { return w.packetModel()->filtered() && w.packetModel()->rowCount() == in_net; }, 10000));

    // Clearing the selection (Esc in the graph) shows everything again.
    QTest::keyClick(graph->view(), Qt::Key_Escape);
    QVERIFY(w.displayFilterText().isEmpty());
    QVERIFY(!w.packetModel()->filtered());
    QVERIFY(w.hostPane()->scope().isEmpty());
    QCOMPARE(hosts->rowCount(), int(cli["hosts"].toArray().size()));

    // A filter typed by the user stays when the selection goes.
    graph->view()->selectNode(host);
    QMetaObject::invokeMethod(&w, "applyDisplayFilter", Q_ARG(QString, "udp"));
    graph->view()->selectNode(-1);
    QVERIFY(w.packetModel()->filtered());

    // Another kind of node: the selection (of IP hosts) goes, the tables show every row.
    graph->view()->selectNode(host);
    QVERIFY(!w.hostPane()->scope().isEmpty());
    w.setLayer(Layer::Ether);
    QVERIFY(w.hostPane()->scope().isEmpty());
    QCOMPARE(graph->layer(), Layer::Ether);
}

void TestMainWindow::nodeFilterCountsTaggedPackets()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    // Two hosts talking untagged, behind one 802.1Q tag and behind two
    // (802.1ad outer, 802.1Q inner), over IPv4 and IPv6, and others besides.
    using underhood::test::FrameBuilder;
    std::vector<std::vector<uint8_t>> frames;
    for (int i = 0; i < 40; ++i) {
        const uint8_t peer = uint8_t(20 + i % 3);
        FrameBuilder v4;
        if (i % 4 == 1)
            v4.ether(0x8100).vlan(100, 0x0800);
        else if (i % 4 == 2)
            v4.ether(0x88a8).vlan(200, 0x8100).vlan(100, 0x0800);
        else
            v4.ether(0x0800);
        v4.ipv4({10, 0, 0, 1}, {10, 0, 0, peer}, 17).udp(5000, 53).text("query");
        frames.push_back(v4.finish());
        FrameBuilder v6;
        if (i % 3 == 0)
            v6.ether(0x8100).vlan(300, 0x86dd);
        else if (i % 3 == 1)
            v6.ether(0x88a8).vlan(7, 0x8100).vlan(300, 0x86dd);
        else
            v6.ether(0x86dd);
        v6.ipv6(1, peer, 6).tcp(40000, 443);
        frames.push_back(v6.finish());
    }
    const QString file = dir_.filePath("tagged.pcap");
    QVERIFY(write_pcap(file, frames, 1700000000, 1000));

    MainWindow w;
    w.setQuiet(true);
    QVERIFY(w.openFile(file));
    QVERIFY(wait_finished(w));
    HostGraphPane* graph = w.graphPane();
    WindowSpans spans = graph->spans();
    spans.window_ns = 0; // the whole capture
    graph->setSpans(spans);
    GraphOptions o = graph->options();
    o.cluster = ClusterMode::Off;
    graph->setOptions(o);
    QVERIFY(graph->waitForScene(10000));
    for (const auto& [address, wireshark] : {std::pair{QString("10.0.0.1"), QString("ip.addr == 10.0.0.1")},
                                              std::pair{QString("2001:db8::1"), QString("ipv6.addr == 2001:db8::1")}}) {
        const GraphScene& scene = graph->view()->scene();
        int node = -1;
        for (size_t i = 0; i < scene.nodes.size(); ++i)
            if (QString::fromStdString(scene.nodes[i].key) == address)
                node = int(i);
        QVERIFY2(node >= 0, qPrintable(address));
        const qsizetype counted = qsizetype(scene.nodes[size_t(node)].packets);
        // tshark's count is the reference; the node, the filter it sets and the
        // packet list must all agree with it.
        QCOMPARE(counted, tshark_count(file, wireshark));
        QCOMPARE(counted, qsizetype(frames.size() / 2));
        graph->view()->selectNode(node);
        QCOMPARE(w.displayFilterText(), wireshark);
        QVERIFY2(QTest::qWaitFor([&] { return w.packetModel()->filtered() && w.packetModel()->rowCount() == counted; },
                                 10000),
                 qPrintable(QString("%1: %2 rows for %3 counted").arg(w.displayFilterText())
                                .arg(w.packetModel()->rowCount()).arg(counted)));
        graph->view()->selectNode(-1);
        QVERIFY(QTest::qWaitFor([&] { return !w.packetModel()->filtered(); }, 10000));
    }
}

void TestMainWindow::viewsFollowTheDisplayFilter()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    // tshark's view of the displayed packets: their outermost IP hosts and
    // conversations, as the tables key them.
    const QString expr = "dns";
    QProcess ts;
    ts.start("tshark", {"-n", "-r", kDemo, "-Y", expr, "-T", "fields", "-E", "occurrence=f", "-e", "ip.src", "-e",
                        "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst"});
    QVERIFY(ts.waitForFinished(60000));
    std::set<QString> hosts_ref;
    std::set<std::pair<QString, QString>> convs_ref;
    qsizetype packets_ref = 0;
    for (const QByteArray& line : ts.readAllStandardOutput().split('\n')) {
        if (line.isEmpty())
            continue;
        ++packets_ref;
        const QList<QByteArray> f = line.split('\t');
        QVERIFY(f.size() == 4);
        const bool v4 = !f[0].isEmpty();
        const QString a = QString::fromLatin1(v4 ? f[0] : f[2]), b = QString::fromLatin1(v4 ? f[1] : f[3]);
        if (a.isEmpty())
            continue;
        hosts_ref.insert(a);
        hosts_ref.insert(b);
        convs_ref.insert(std::minmax(a, b));
    }
    QVERIFY(packets_ref > 10);

    MainWindow w;
    QVERIFY(open_demo(w));
    w.setLayer(Layer::Ip);
    HostGraphPane* graph = w.graphPane();
    WindowSpans spans = graph->spans();
    spans.window_ns = 0; // the whole capture
    graph->setSpans(spans);
    GraphOptions o = graph->options();
    o.cluster = ClusterMode::Off;
    o.keep_busiest_remote = 0;
    graph->setOptions(o);
    QVERIFY(graph->waitForScene(10000));
    auto* hosts = w.hostPane()->proxy();
    auto* convs = w.conversationPane()->proxy();
    QVERIFY(QTest::qWaitFor([&] { return hosts->rowCount() > 0; }, 10000));
    const int all_hosts = hosts->sourceModel()->rowCount();
    QVERIFY(all_hosts > int(hosts_ref.size()));

    // The plot draws while it is in view.
    w.show();
    findChildDock(w, "throughputDock")->raise();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QMetaObject::invokeMethod(&w, "applyDisplayFilter", Q_ARG(QString, expr));
    QVERIFY(w.viewsLimited());
    auto* button = w.findChild<QToolButton*>("limitButton");
    QVERIFY(button && button->isVisible() && button->isChecked());
    auto plot_packets = [&] {
        const auto& series = w.throughputPlot()->shownSeries();
        qsizetype n = 0;
        if (!series.empty())
            for (const ThroughputBin& b : series[0].bins)
                n += qsizetype(b.packets);
        return n;
    };
    // The tables, the plot and the graph count the displayed packets only, as tshark does.
    QVERIFY2(QTest::qWaitFor([&] { return hosts->sourceModel()->rowCount() == int(hosts_ref.size()); }, 10000),
             qPrintable(QString("%1 hosts, tshark %2").arg(hosts->sourceModel()->rowCount()).arg(hosts_ref.size())));
    for (int r = 0; r < hosts->rowCount(); ++r)
        QVERIFY2(hosts_ref.count(hosts->index(r, 0).data().toString()), qPrintable(hosts->index(r, 0).data().toString()));
    QCOMPARE(convs->sourceModel()->rowCount(), int(convs_ref.size()));
    QVERIFY2(QTest::qWaitFor([&] { return plot_packets() == packets_ref; }, 10000),
             qPrintable(QString("plot %1, tshark %2").arg(plot_packets()).arg(packets_ref)));
    QVERIFY(findChildDock(w, "hostsDock")->windowTitle().contains("filtered"));
    auto graph_hosts = [&] {
        std::set<QString> keys;
        for (const SceneNode& n : graph->view()->scene().nodes)
            if (!n.cluster && n.endpoint.kind == Endpoint::Kind::Ip)
                keys.insert(QString::fromStdString(n.key));
        return keys;
    };
    QVERIFY2(QTest::qWaitFor([&] { return !graph->isBusy() && graph_hosts() == hosts_ref; }, 10000),
             qPrintable(QString("%1 graph hosts, tshark %2").arg(graph_hosts().size()).arg(hosts_ref.size())));
    QVERIFY(graph->view()->caption().contains("filtered: " + expr));
    // To look at: UNDERHOOD_SCREENSHOT_DIR saves the window limited to the filter.
    if (const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR"); !dir.isEmpty()) {
        w.resize(1280, 720);
        w.show();
        QTest::qWait(300);
        w.grab().save(dir + "/views-filtered.png");
    }

    // One click on the mark counts every packet again; the list stays filtered.
    button->click();
    QVERIFY(!w.viewsLimited());
    QVERIFY(w.packetModel()->filtered());
    QVERIFY(QTest::qWaitFor([&] { return hosts->sourceModel()->rowCount() == all_hosts; }, 10000));
    QVERIFY(!findChildDock(w, "hostsDock")->windowTitle().contains("filtered"));
    QVERIFY(QTest::qWaitFor([&] { return !graph->isBusy() && graph_hosts().size() > hosts_ref.size(); }, 10000));
    QVERIFY(!graph->view()->caption().contains("filtered:"));
    button->click(); // back on for the next run (a setting)
    QVERIFY(w.viewsLimited());
}

void TestMainWindow::plotRangeMovesTheGraph()
{
    MainWindow w;
    QVERIFY(open_demo(w));
    HostGraphPane* graph = w.graphPane();
    GraphOptions o = graph->options();
    o.cluster = ClusterMode::Off;
    graph->setOptions(o);
    QVERIFY(graph->waitForScene());
    QVERIFY(graph->isFollowing());
    const WindowSpans before = graph->spans();
    const qint64 first = w.session()->engine().with_state(
        [](const IngestEngine::State& st) { return st.index.front().ts_ns; });

    const qsizetype packets = w.session()->engine().with_state(
        [](const IngestEngine::State& st) { return qsizetype(st.index.size()); });
    QVERIFY(QTest::qWaitFor([&] { return w.packetModel()->rowCount() == packets; }, 10000));

    // Seconds 40 to 60 picked on the plot: the graph shows those 20 s, as
    // `underhood-cli graph --at 60 --window 20` draws them.
    const qint64 from = first + 40'000'000'000LL, to = first + 60'000'000'000LL;
    emit w.throughputPlot()->rangeSelected(from, to);
    QVERIFY(graph->waitForScene());
    QCOMPARE(graph->spans().window_ns, to - from);
    QVERIFY(!graph->isFollowing());
    QProcess cli;
    cli.start(kCli, {"graph", kDemo, "--at", "60", "--window", "20", "--cluster", "off", "--list"});
    QVERIFY(cli.waitForFinished(30000));
    std::map<QString, qulonglong> expected, shown;
    for (const QByteArray& line : cli.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> f = line.split('\t');
        if (f.size() >= 2)
            expected[QString::fromUtf8(f[0])] = f[1].toULongLong();
    }
    QVERIFY(expected.size() > 5);
    for (const SceneNode& n : graph->view()->scene().nodes)
        shown[QString::fromStdString(n.key)] = n.packets;
    QCOMPARE(shown, expected);
    // The packet list is at the range's first packet.
    const quint64 at = w.packetView()->currentNumber();
    QVERIFY(at > 0);
    const auto ts = [&](quint64 number) {
        return w.session()->engine().with_state([&](const IngestEngine::State& st) {
            return st.index[size_t(number - st.first_number)].ts_ns;
        });
    };
    QVERIFY(ts(at) >= from);
    QVERIFY(ts(at - 1) < from);

    // Clearing the range gives the graph back as it was.
    emit w.throughputPlot()->rangeCleared();
    QVERIFY(graph->waitForScene());
    QCOMPARE(graph->spans().window_ns, before.window_ns);
    QVERIFY(graph->isFollowing());
}

void TestMainWindow::liveCaptureThroughHelper()
{
    if (geteuid() != 0)
        QSKIP("needs root to create the network namespaces");
    if (QStandardPaths::findExecutable("tcpreplay").isEmpty())
        QSKIP("needs tcpreplay");
    const QString a = QString("uhgui%1a").arg(getpid()), b = QString("uhgui%1b").arg(getpid());
    QCOMPARE(run("ip", {"netns", "add", a}), 0);
    QCOMPARE(run("ip", {"netns", "add", b}), 0);
    auto cleanup = qScopeGuard([&] {
        run("ip", {"netns", "del", a});
        run("ip", {"netns", "del", b});
    });
    QCOMPARE(run("ip", {"link", "add", "uhgva", "netns", a, "type", "veth", "peer", "name", "uhgvb", "netns", b}), 0);
    for (const QString& ns : {a, b}) {
        run("ip", {"netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"});
        run("ip", {"netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"});
    }
    QCOMPARE(run("ip", {"-n", a, "link", "set", "uhgva", "up"}), 0);
    QCOMPARE(run("ip", {"-n", b, "link", "set", "uhgvb", "up"}), 0);

    // The helper is started by the app: move this (GUI) thread into namespace B
    // so the child it forks captures there.
    int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(qPrintable("/var/run/netns/" + b), O_RDONLY | O_CLOEXEC);
    QVERIFY(self >= 0 && target >= 0);
    QCOMPARE(setns(target, CLONE_NEWNET), 0);
    auto back = qScopeGuard([&] {
        setns(self, CLONE_NEWNET);
        close(self);
        close(target);
    });

    MainWindow w;
    w.setQuiet(true);
    w.show();
    LiveCaptureOptions o;
    o.interfaces = {"uhgvb"};
    QVERIFY2(w.startCapture(o), qPrintable(w.lastError()));
    QVERIFY(w.windowTitle().contains("uhgvb"));
    // The demo's packets, sent over the wire from namespace A.
    QCOMPARE(run("ip", {"netns", "exec", a, "tcpreplay", "-q", "--pps", "20000", "-i", "uhgva", kDemo}), 0);
    const qint64 sent = cli_stats(kDemo)["packets"].toInteger();
    QVERIFY2(QTest::qWaitFor([&] { return w.packetModel()->rowCount() >= sent; }, 20000),
             qPrintable(QString("rows %1 of %2").arg(w.packetModel()->rowCount()).arg(sent)));
    QCOMPARE(qint64(w.packetModel()->rowCount()), sent);

    // The helper dies: a clear message, and everything captured stays.
    const qint64 pid = w.session()->helperPid();
    QVERIFY(pid > 0);
    ::kill(pid_t(pid), SIGKILL);
    QVERIFY(QTest::qWaitFor([&] { return !w.lastError().isEmpty(); }, 10000));
    QVERIFY2(w.lastError().contains("kept"), qPrintable(w.lastError()));
    QVERIFY(QTest::qWaitFor([&] { return !w.session()->isRunning(); }, 10000));
    QCOMPARE(qint64(w.packetModel()->rowCount()), sent);
    // Its stream ended without the final statistics: the counts are not final, and the window says so.
    QVERIFY2(QTest::qWaitFor([&] { return w.warningText().contains("final statistics missing"); }, 5000),
             qPrintable(w.warningText()));
}

void TestMainWindow::unsavedCaptureAsksBeforeItIsLost()
{
    if (geteuid() != 0)
        QSKIP("needs root to create a network namespace and capture in it");
    // A namespace of our own whose loopback carries only the test's packets.
    const QString ns = QString("uhgui%1s").arg(getpid());
    QCOMPARE(run("ip", {"netns", "add", ns}), 0);
    auto cleanup = qScopeGuard([&] { run("ip", {"netns", "del", ns}); });
    QCOMPARE(run("ip", {"-n", ns, "link", "set", "lo", "up"}), 0);
    int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(qPrintable("/var/run/netns/" + ns), O_RDONLY | O_CLOEXEC);
    QVERIFY(self >= 0 && target >= 0);
    QCOMPARE(setns(target, CLONE_NEWNET), 0);
    auto back = qScopeGuard([&] {
        setns(self, CLONE_NEWNET);
        close(self);
        close(target);
    });
    auto send_udp = [] {
        const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(9);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int i = 0; i < 5; ++i)
            sendto(fd, "underhood", 9, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        close(fd);
    };

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MainWindow w;
    w.setQuiet(true);
    w.setSaver(save_capture);
    QStringList questions;
    MainWindow::UnsavedAnswer answer;
    w.setUnsavedAnswer([&](const QString& q) {
        questions << q;
        return answer;
    });
    w.show();
    LiveCaptureOptions o;
    o.interfaces = {"lo"};

    // Running, with packets: quitting asks, and Cancel keeps everything.
    QVERIFY2(w.startCapture(o), qPrintable(w.lastError()));
    QVERIFY(w.windowTitle().startsWith("Capturing on lo"));
    QVERIFY(QTest::qWaitFor([&] {
        send_udp();
        return w.packetModel()->rowCount() > 0;
    }, 10000));
    answer.choice = MainWindow::UnsavedChoice::Cancel;
    QVERIFY(!w.close());
    QCOMPARE(questions.size(), 1);
    QVERIFY2(questions.last().contains("running"), qPrintable(questions.last()));
    QVERIFY(w.isVisible());
    QVERIFY(w.session()->isRunning());

    // Stopped: the title no longer says it captures, and says it is unsaved.
    w.session()->stop();
    QVERIFY(wait_finished(w, 10000));
    QVERIFY2(!w.windowTitle().contains("Capturing"), qPrintable(w.windowTitle()));
    QVERIFY2(w.windowTitle().contains("not saved"), qPrintable(w.windowTitle()));
    // Opening a file asks too; Discard lets it through.
    answer.choice = MainWindow::UnsavedChoice::Discard;
    QVERIFY(w.openFile(kDemo));
    QCOMPARE(questions.size(), 2);
    QVERIFY2(questions.last().contains("not saved"), qPrintable(questions.last()));
    QVERIFY(wait_finished(w));
    QCOMPARE(w.windowTitle(), QString("demo.pcapng — Underhood"));
    QVERIFY(w.close()); // a file is not asked about
    QCOMPARE(questions.size(), 2);
    w.show();

    // Save while running: it stops, writes every packet, names the file in
    // the title, and nothing is asked after that.
    QVERIFY2(w.startCapture(o), qPrintable(w.lastError()));
    QVERIFY(QTest::qWaitFor([&] {
        send_udp();
        return w.packetModel()->rowCount() >= 3;
    }, 10000));
    answer.choice = MainWindow::UnsavedChoice::Save;
    answer.path = dir.filePath("kept.pcapng");
    QVERIFY(w.confirmDiscardCapture());
    QCOMPARE(questions.size(), 3);
    QVERIFY(!w.session()->isRunning());
    QVERIFY(!w.hasUnsavedCapture());
    QCOMPARE(w.windowTitle(), QString("kept.pcapng — Underhood"));
    const qint64 kept = cli_stats(answer.path)["packets"].toInteger();
    QCOMPARE(kept, qint64(w.packetModel()->rowCount()));
    QVERIFY(w.close());
    QCOMPARE(questions.size(), 3);
}

QTEST_MAIN(TestMainWindow)
void TestMainWindow::firstLayoutGivesTheGraphTheRoom_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<QString>("theme");
    for (QSize size : {QSize(1280, 720), QSize(1600, 1000)})
        for (const char* theme : {"light", "dark"})
            QTest::addRow("%dx%d %s", size.width(), size.height(), theme) << size << QString(theme);
}

// The first start at a laptop's and a desktop's size: the graph is the
// largest view and spans the width until a packet is chosen; Packet Details
// opens then, with the hex view's text column in sight; closed by the user,
// it stays closed until they open it again.
void TestMainWindow::firstLayoutGivesTheGraphTheRoom()
{
    QFETCH(QSize, size);
    QFETCH(QString, theme);
    MainWindow w(size);
    w.applyTheme(theme);
    w.setQuiet(true);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openFile(kDemo));
    QVERIFY(wait_finished(w));
    auto* details = w.findChild<QDockWidget*>("detailsDock");
    QVERIFY(details);
    QVERIFY(details->isHidden());
    QWidget* graph = w.graphPane();
    QWidget* list = w.packetView();
    const int area = w.width() * w.height();
    auto report = [&] {
        return QString("graph %1x%2, list %3x%4 in %5x%6")
            .arg(graph->width()).arg(graph->height()).arg(list->width()).arg(list->height())
            .arg(w.width()).arg(w.height());
    };
    QVERIFY2(graph->width() >= w.width() * 95 / 100, qPrintable(report()));
    QVERIFY2(graph->width() * graph->height() >= area * 35 / 100, qPrintable(report()));
    QVERIFY2(graph->height() > list->height(), qPrintable(report()));
    QVERIFY2(list->height() >= 6 * list->fontMetrics().height(), qPrintable(report())); // a few rows still show

    w.packetView()->selectNumber(5);
    QTRY_VERIFY(details->isVisible());
    QCOMPARE(w.detailsPacket(), quint64(5));
    QVERIFY2(graph->width() * graph->height() >= area * 25 / 100, qPrintable(report()));
    HexView* hex = details->findChild<PacketDetailsPane*>()->hexView();
    QTRY_COMPARE(hex->horizontalScrollBar()->maximum(), 0);
    QVERIFY(hex->viewport()->rect().contains(hex->byteRect(hex->bytesPerRow() - 1, true)));
    if (const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR"); !dir.isEmpty()) {
        QDir().mkpath(dir);
        QTest::qWait(500);
        w.grab().save(QDir(dir).filePath(QString("window-%1x%2-%3.png").arg(size.width()).arg(size.height()).arg(theme)));
    }

    details->close(); // its close button
    QVERIFY(details->isHidden());
    w.packetView()->selectNumber(6);
    QCOMPARE(w.detailsPacket(), quint64(6));
    QVERIFY(details->isHidden());
    details->toggleViewAction()->trigger(); // View > Packet Details
    QVERIFY(details->isVisible());
}

#include "test_main_window.moc"
