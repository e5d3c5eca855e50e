// Analyze > Expert Information and what the same analysis drives elsewhere,
// against tshark on a crafted TCP capture (every analysis flag) and the demo:
//   - each TCP analysis kind in the dock lists exactly the packets
//     `tshark -Y tcp.analysis.<flag>` selects;
//   - the packet list's "Bad TCP" rows are those of Wireshark's colouring rule;
//   - the plot's "TCP errors" count the packets `tcp.analysis.flags` selects;
//   - the conversations table's retransmissions and handshake RTT (port
//     layer) equal tshark's per connection;
//   - choosing a packet in the dock selects it in the packet list.
// With UNDERHOOD_SCREENSHOT_DIR set it saves the dock in the light and dark theme.
#include "conversation_table_model.h"
#include "dissect/tcp_analysis.h"
#include "expert_pane.h"
#include "follow_stream_dialog.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "main_window.h"
#include "tshark_lines.h"
#include "packet_details.h"
#include "packet_details_pane.h"
#include "packet_list_model.h"
#include "packet_list_view.h"
#include "table_pane.h"
#include "throughput_plot.h"

#include <QDockWidget>
#include <QProcess>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTreeWidget>
#include <QtTest>

#include <map>
#include <set>

using namespace underhood;

namespace {

const QString kCrafted = QStringLiteral(UNDERHOOD_SOURCE_DIR "/tests/corpus/crafted/tcp-analysis.pcap");
const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

std::set<quint64> tshark_set(const QString& file, const QString& expr)
{
    const std::vector<quint64> v = tshark_numbers(file, expr);
    return {v.begin(), v.end()};
}

bool wait_done(MainWindow& w)
{
    return QTest::qWaitFor([&] { return w.session() && !w.session()->isRunning() && w.expertDone(); }, 60000);
}

} // namespace

class TestExpertPane : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void findingsAsTshark_data();
    void findingsAsTshark();
    void conversationsTcpHealth();
    void detailsShowSeqAckAnalysis();
    void screenshots();
};

void TestExpertPane::initTestCase()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    QCoreApplication::setOrganizationName("underhood-tests");
    QCoreApplication::setApplicationName("test_expert_pane");
}

void TestExpertPane::findingsAsTshark_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("crafted") << kCrafted;
    QTest::newRow("demo") << kDemo;
}

void TestExpertPane::findingsAsTshark()
{
    QFETCH(QString, file);
    MainWindow w;
    w.setQuiet(true);
    QVERIFY(w.openFile(file));
    QVERIFY(wait_done(w));
    QTreeWidget* tree = w.expertPane()->tree();

    // Each TCP analysis kind: the packets tshark flags with it.
    size_t n = 0;
    const dissect::TcpFlagInfo* infos = dissect::tcp_flag_infos(n);
    int kinds = 0;
    for (size_t i = 0; i < n; ++i) {
        const std::set<quint64> expected = tshark_set(file, QString::fromLatin1(infos[i].field.data(), qsizetype(infos[i].field.size())));
        QTreeWidgetItem* item = nullptr;
        for (int r = 0; r < tree->topLevelItemCount(); ++r)
            if (tree->topLevelItem(r)->text(3) == "TCP" &&
                tree->topLevelItem(r)->text(1) == QString::fromLatin1(infos[i].summary.data(), qsizetype(infos[i].summary.size())))
                item = tree->topLevelItem(r);
        if (expected.empty()) {
            QVERIFY2(!item, qPrintable(item ? item->text(1) : QString()));
            continue;
        }
        ++kinds;
        QVERIFY2(item, qPrintable(QString::fromLatin1(infos[i].field.data())));
        QCOMPARE(item->text(4).remove(QLocale().groupSeparator()).toULongLong(), quint64(expected.size()));
        item->setExpanded(true);
        std::set<quint64> listed;
        for (int c = 0; c < item->childCount(); ++c)
            if (item->child(c)->data(0, ExpertPane::PacketRole).isValid())
                listed.insert(item->child(c)->data(0, ExpertPane::PacketRole).toULongLong());
        QVERIFY2(listed == expected, infos[i].field.data());
    }
    if (file == kCrafted)
        QVERIFY2(kinds >= 8, "the crafted capture should show most kinds");

    // Wireshark's "Bad TCP" colouring rule.
    const std::set<quint64> bad = tshark_set(
        file, "tcp.analysis.flags && !tcp.analysis.window_update && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack");
    PacketListModel* m = w.packetModel();
    std::set<quint64> coloured;
    auto* view_model = w.packetView()->model();
    for (int r = 0; r < m->rowCount(); ++r) {
        const bool is_bad = m->index(r, 0).data(PacketListModel::ExpertRole).toInt() & PacketListModel::ExpertBadTcp;
        if (is_bad) {
            coloured.insert(m->numberAt(r));
            // What the view paints: Wireshark's dark background and red text.
            QCOMPARE(view_model->index(r, 0).data(Qt::BackgroundRole).value<QColor>(), QColor(0x12, 0x27, 0x2e));
        }
    }
    QVERIFY(coloured == bad);

    // The plot's TCP errors: tcp.analysis.flags (the plot draws while it is in view).
    const std::set<quint64> flagged = tshark_set(file, "tcp.analysis.flags");
    w.show();
    if (auto* d = w.findChild<QDockWidget*>("throughputDock"))
        d->raise();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.throughputPlot()->refresh();
    quint64 plotted = 0;
    for (const ThroughputBin& b : w.throughputPlot()->tcpErrorBins())
        plotted += b.packets;
    QCOMPARE(plotted, quint64(flagged.size()));

    // A packet chosen in the dock is selected in the list.
    if (QTreeWidgetItem* first = tree->topLevelItemCount() ? tree->topLevelItem(0) : nullptr) {
        first->setExpanded(true);
        QVERIFY(first->childCount() > 0);
        const quint64 number = first->child(0)->data(0, ExpertPane::PacketRole).toULongLong();
        tree->setCurrentItem(first->child(0));
        QCOMPARE(w.packetView()->currentNumber(), number);
    }
}

void TestExpertPane::conversationsTcpHealth()
{
    // tshark per connection: retransmitted packets and the handshake's round trip.
    std::map<std::pair<QString, QString>, std::pair<quint64, double>> expected; // {A, B} -> {retrans, irtt}
    std::set<std::pair<QString, QString>> retrans_hosts;                        // IP pairs with retransmissions
    auto key_of = [](const QByteArray& src, const QByteArray& sport, const QByteArray& dst, const QByteArray& dport) {
        const QString a = QString::fromLatin1(src + ":" + sport), b = QString::fromLatin1(dst + ":" + dport);
        return a < b ? std::pair{a, b} : std::pair{b, a};
    };
    for (const QByteArray& l :
         tshark_lines(kCrafted, {"-Y", "tcp", "-T", "fields", "-E", "occurrence=f", "-e", "ip.src", "-e", "tcp.srcport",
                                 "-e", "ip.dst", "-e", "tcp.dstport", "-e", "tcp.analysis.retransmission", "-e",
                                 "tcp.analysis.fast_retransmission", "-e", "tcp.analysis.spurious_retransmission",
                                 "-e", "tcp.analysis.initial_rtt"})) {
        const QList<QByteArray> f = l.split('\t');
        if (f.size() < 4 || f[0].isEmpty())
            continue;
        auto& [retrans, irtt] = expected.try_emplace(key_of(f[0], f[1], f[2], f[3]), 0, -1.0).first->second;
        if ((f.size() > 4 && !f[4].isEmpty()) || (f.size() > 5 && !f[5].isEmpty()) || (f.size() > 6 && !f[6].isEmpty())) {
            ++retrans;
            retrans_hosts.insert(std::minmax(QString::fromLatin1(f[0]), QString::fromLatin1(f[2])));
        }
        if (f.size() > 7 && !f[7].isEmpty() && irtt < 0)
            irtt = f[7].toDouble();
    }
    QVERIFY(!expected.empty());

    MainWindow w;
    w.setQuiet(true);
    QVERIFY(w.openFile(kCrafted));
    QVERIFY(wait_done(w));
    w.setLayer(Layer::Port);
    QSortFilterProxyModel* convs = w.conversationPane()->proxy();
    QVERIFY(QTest::qWaitFor([&] { return convs->rowCount() > 0; }, 10000));
    int checked = 0, with_retrans = 0, with_rtt = 0;
    for (int r = 0; r < convs->rowCount(); ++r) {
        const QString a = convs->index(r, ConversationTableModel::A).data().toString();
        const QString b = convs->index(r, ConversationTableModel::B).data().toString();
        auto it = expected.find(a < b ? std::pair{a, b} : std::pair{b, a});
        if (it == expected.end())
            continue;
        ++checked;
        const auto [retrans, irtt] = it->second;
        const QVariant shown_retrans = convs->index(r, ConversationTableModel::Retransmissions).data(ExportRole);
        const QVariant shown_rtt = convs->index(r, ConversationTableModel::HandshakeRtt).data(ExportRole);
        QCOMPARE(shown_retrans.isNull() ? 0ull : shown_retrans.toULongLong(), retrans);
        if (irtt < 0) {
            QVERIFY2(shown_rtt.isNull(), qPrintable(a + " " + b));
        } else {
            QVERIFY2(!shown_rtt.isNull(), qPrintable(a + " " + b));
            QVERIFY2(std::abs(shown_rtt.toDouble() - irtt) < 1e-6, qPrintable(QString("%1 vs %2").arg(shown_rtt.toDouble()).arg(irtt)));
            ++with_rtt;
        }
        with_retrans += retrans > 0;
    }
    QCOMPARE(checked, int(expected.size()));
    QVERIFY(with_retrans > 0);
    QVERIFY(with_rtt > 0);

    // Follow Stream from a conversation's menu: the stream tshark numbers for its first packet.
    {
        const QString a = convs->index(0, ConversationTableModel::A).data().toString();
        const QString b = convs->index(0, ConversationTableModel::B).data().toString();
        const int colon_a = int(a.lastIndexOf(':')), colon_b = int(b.lastIndexOf(':'));
        const QString expr = QString("ip.addr == %1 && ip.addr == %2 && tcp.port == %3 && tcp.port == %4")
                                 .arg(a.left(colon_a), b.left(colon_b), a.mid(colon_a + 1), b.mid(colon_b + 1));
        const QList<QByteArray> streams = tshark_lines(kCrafted, {"-Y", expr, "-T", "fields", "-e", "tcp.stream"});
        QVERIFY2(!streams.isEmpty(), qPrintable(expr));
        w.conversationPane()->view()->setCurrentIndex(convs->index(0, 0));
        auto* follow = w.conversationPane()->view()->findChild<QAction*>("followConversation");
        if (!follow)
            for (QAction* act : w.conversationPane()->view()->actions())
                if (act->objectName() == "followConversation")
                    follow = act;
        QVERIFY(follow);
        follow->trigger();
        QVERIFY(w.followDialog());
        QVERIFY(QTest::qWaitFor([&] { return w.followDialog()->isComplete(); }, 10000));
        QCOMPARE(w.followDialog()->stream(), streams.first().toUInt());
        w.followDialog()->close();
    }

    // The graph (hosts by IP, the whole capture) marks exactly the links between hosts with retransmissions.
    w.setLayer(Layer::Ip);
    HostGraphPane* graph = w.graphPane();
    WindowSpans spans = graph->spans();
    spans.window_ns = 0;
    graph->setSpans(spans);
    GraphOptions o = graph->options();
    o.cluster = ClusterMode::Off;
    graph->setOptions(o);
    QVERIFY(graph->waitForScene(10000));
    QVERIFY(QTest::qWaitFor([&] { return graph->view()->scene().layer == Layer::Ip && !graph->view()->scene().links.empty(); }, 10000));
    const GraphScene& scene = graph->view()->scene();
    int marked = 0;
    for (const SceneLink& l : scene.links) {
        const QString x = QString::fromStdString(scene.nodes[l.a].key), y = QString::fromStdString(scene.nodes[l.b].key);
        const std::pair<QString, QString> pair = x < y ? std::pair{x, y} : std::pair{y, x};
        const bool is_marked = graph->view()->retransmittingLinks().count(l.id) > 0;
        QVERIFY2(is_marked == (retrans_hosts.count(pair) > 0), qPrintable(pair.first + " " + pair.second));
        marked += is_marked;
    }
    QCOMPARE(marked, int(retrans_hosts.size()));
}

void TestExpertPane::detailsShowSeqAckAnalysis()
{
    // tshark: each TCP packet's stream and analysis flags.
    std::map<quint64, std::pair<QString, std::set<QString>>> expected;
    size_t n = 0;
    const dissect::TcpFlagInfo* infos = dissect::tcp_flag_infos(n);
    QStringList args{"-Y", "tcp", "-T", "fields", "-E", "occurrence=f", "-e", "frame.number", "-e", "tcp.stream"};
    for (size_t i = 0; i < n; ++i)
        args << "-e" << QString::fromLatin1(infos[i].field.data(), qsizetype(infos[i].field.size()));
    for (const QByteArray& l : tshark_lines(kCrafted, args)) {
        const QList<QByteArray> f = l.split('\t');
        auto& [stream, flags] = expected[f[0].toULongLong()];
        stream = QString::fromLatin1(f[1]);
        for (size_t i = 0; i < n && int(i) + 2 < f.size(); ++i)
            if (!f[int(i) + 2].isEmpty())
                flags.insert(QString::fromLatin1(infos[i].field.data(), qsizetype(infos[i].field.size())));
    }
    QVERIFY(expected.size() > 20);

    MainWindow w;
    w.setQuiet(true);
    QVERIFY(w.openFile(kCrafted));
    QVERIFY(wait_done(w));
    // Backwards: every step starts the replay over; then forwards, step by step.
    std::vector<quint64> order;
    for (auto it = expected.rbegin(); it != expected.rend(); ++it)
        order.push_back(it->first);
    for (const auto& [number, _] : expected)
        order.push_back(number);
    int flagged = 0;
    for (quint64 number : order) {
        w.packetView()->selectNumber(number);
        const Dissection& d = w.detailsPane()->dissection();
        QString stream;
        std::set<QString> flags;
        for (const DissectedField& f : d.fields) {
            const QString name = QString::fromStdString(f.name);
            if (name == "tcp.stream")
                stream = QRegularExpression("\\d+").match(QString::fromStdString(f.label)).captured(0);
            else if (name.startsWith("tcp.analysis.")) {
                for (size_t i = 0; i < n; ++i)
                    if (name == QString::fromLatin1(infos[i].field.data(), qsizetype(infos[i].field.size())))
                        flags.insert(name);
            }
        }
        const auto& [want_stream, want_flags] = expected[number];
        QVERIFY2(stream == want_stream, qPrintable(QString("packet %1: stream %2, tshark %3").arg(number).arg(stream, want_stream)));
        QVERIFY2(flags == want_flags, qPrintable(QString("packet %1").arg(number)));
        flagged += !flags.empty();
    }
    QVERIFY(flagged > 10);
}

void TestExpertPane::screenshots()
{
    // Pictures only when asked for (a skip here would mark the whole test skipped).
    const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    for (const QString theme : {"light", "dark"}) {
        MainWindow w(QSize(1280, 720));
        w.setQuiet(true);
        w.applyTheme(theme);
        QVERIFY(w.openFile(kDemo));
        QVERIFY(wait_done(w));
        w.findChild<QAction*>("expertInfo")->trigger();
        QTreeWidget* tree = w.expertPane()->tree();
        if (tree->topLevelItemCount())
            tree->topLevelItem(0)->setExpanded(true);
        w.show();
        QTest::qWait(300);
        QVERIFY(w.grab().save(dir + "/expert-" + theme + ".png"));
    }
}

QTEST_MAIN(TestExpertPane)
#include "test_expert_pane.moc"
