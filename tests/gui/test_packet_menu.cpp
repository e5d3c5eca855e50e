// The packet list's right-click menu on the demo capture: the filters it
// applies select what tcpdump selects with the same expression; the copied
// bytes are the ones tshark shows. And Packet Details follows the filter.
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "main_window.h"
#include "packet_details_pane.h"
#include "packet_list_model.h"
#include "packet_list_view.h"

#include <QApplication>
#include <QClipboard>
#include <QMenu>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

qsizetype tcpdump_count(const QString& expr)
{
    QProcess td;
    td.start("tcpdump", {"-n", "-r", kDemo, expr});
    td.waitForFinished(60000);
    return td.readAllStandardOutput().count('\n');
}

qsizetype tshark_count(const QString& expr)
{
    QProcess ts;
    ts.start("tshark", {"-n", "-r", kDemo, "-Y", expr});
    ts.waitForFinished(60000);
    return ts.readAllStandardOutput().count('\n');
}

// The bytes of packet `number` as tshark -x prints them, as one hex string.
QString tshark_hex(quint64 number)
{
    QProcess ts;
    ts.start("tshark", {"-n", "-r", kDemo, "-Y", QString("frame.number == %1").arg(number), "-x"});
    ts.waitForFinished(60000);
    QString hex;
    for (const QByteArray& line : ts.readAllStandardOutput().split('\n')) {
        // "0000  74 83 c2 ...  t...": the offset, then up to 16 bytes.
        if (line.size() < 8 || !QByteArray("0123456789abcdef").contains(line[0]))
            continue;
        for (const QByteArray& tok : line.mid(6, 48).split(' '))
            if (tok.size() == 2)
                hex += QString::fromLatin1(tok);
    }
    return hex;
}

QAction* action(QMenu* menu, const QString& name) { return menu->findChild<QAction*>(name); }

} // namespace

class TestPacketMenu : public QObject {
    Q_OBJECT

    MainWindow* w_ = nullptr;

    // The filter in force holds `primitive` (the app adds a VLAN
    // alternative when the capture has tagged frames) and lists what tcpdump
    // selects with the same expression.
    // The filter in force is `expr`, a Wireshark display filter, and lists
    // what tshark -Y selects.
    bool wiresharkFilterApplied(const QString& expr)
    {
        return QTest::qWaitFor([&] {
            return w_->displayFilterText() == expr && w_->packetModel()->filtered() &&
                   w_->packetModel()->rowCount() == tshark_count(expr);
        }, 30000);
    }

    bool filterApplied(const QString& primitive)
    {
        return QTest::qWaitFor([&] {
            const QString expr = w_->displayFilterText();
            return expr.contains(primitive) && w_->packetModel()->filtered() &&
                   w_->packetModel()->rowCount() == tcpdump_count(expr);
        }, 30000);
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable("tcpdump").isEmpty() || QStandardPaths::findExecutable("tshark").isEmpty())
            QSKIP("needs tcpdump and tshark as references");
        w_ = new MainWindow;
        w_->setQuiet(true);
        w_->show();
        QVERIFY(w_->openFile(kDemo));
        QVERIFY(QTest::qWaitFor([&] { return w_->sessionShown(); }, 60000));
    }
    void cleanupTestCase() { delete w_; }

    void applyAsFilter()
    {
        // Packet 1: DNS from 192.168.1.108 to 192.168.1.1.
        std::unique_ptr<QMenu> menu(w_->packetMenu(0));
        for (const char* name : {"applySource", "applyDestination", "applyConversation", "prepareSource",
                                 "prepareDestination", "prepareConversation", "copySummary", "copyHex"})
            QVERIFY2(action(menu.get(), name), name);
        for (QAction* a : menu->findChildren<QAction*>())
            QVERIFY(a->isSeparator() || a->menu() || !a->text().isEmpty());

        action(menu.get(), "applySource")->trigger();
        QVERIFY2(filterApplied("src host 192.168.1.108"), qPrintable(w_->displayFilterText()));
        menu.reset(w_->packetMenu(0));
        action(menu.get(), "applyDestination")->trigger();
        QVERIFY2(filterApplied("dst host 192.168.1.1"), qPrintable(w_->displayFilterText()));
        menu.reset(w_->packetMenu(0));
        action(menu.get(), "applyConversation")->trigger();
        QVERIFY2(filterApplied("host 192.168.1.108 and host 192.168.1.1"), qPrintable(w_->displayFilterText()));
    }
    void cleanup()
    {
        w_->applyDisplayFilter(QString());
        QVERIFY(QTest::qWaitFor([&] { return !w_->packetModel()->filtered(); }, 10000));
    }

    void prepareOnlyFills()
    {
        std::unique_ptr<QMenu> menu(w_->packetMenu(0));
        action(menu.get(), "prepareDestination")->trigger();
        QVERIFY2(w_->displayFilterText().startsWith("dst host 192.168.1.1"), qPrintable(w_->displayFilterText()));
        QVERIFY(!w_->packetModel()->filtered());
    }

    void detailsFollowTheFilter()
    {
        auto listed = [&](const QString& expr) {
            return QTest::qWaitFor([&] {
                return w_->packetModel()->filtered() && w_->packetModel()->rowCount() == tcpdump_count(expr);
            }, 30000);
        };
        // Packet 3 is TCP: a DNS filter drops it, and the pane with it.
        w_->packetView()->selectNumber(3);
        QCOMPARE(w_->detailsPacket(), quint64(3));
        w_->applyDisplayFilter("udp port 53");
        QVERIFY(listed("udp port 53"));
        QCOMPARE(w_->detailsPacket(), quint64(0));
        QCOMPARE(w_->packetView()->currentNumber(), quint64(0));
        // Packet 1 is DNS: it passes, stays shown and selected.
        w_->applyDisplayFilter(QString());
        QVERIFY(QTest::qWaitFor([&] { return !w_->packetModel()->filtered(); }, 10000));
        w_->packetView()->selectNumber(1);
        w_->applyDisplayFilter("udp port 53");
        QVERIFY(listed("udp port 53"));
        QVERIFY(QTest::qWaitFor([&] { return w_->detailsPacket() == 1; }, 10000));
        QCOMPARE(w_->packetView()->currentNumber(), quint64(1));
        // Clearing the filter keeps it too.
        w_->applyDisplayFilter(QString());
        QCOMPARE(w_->detailsPacket(), quint64(1));
        QCOMPARE(w_->packetView()->currentNumber(), quint64(1));
    }

    void newFilterEndsGraphHighlight()
    {
        HostGraphView* g = w_->graphPane()->view();
        auto nodeOf = [&](const std::string& key) {
            const auto& nodes = g->scene().nodes;
            for (size_t i = 0; i < nodes.size(); ++i)
                if (nodes[i].key == key)
                    return int(i);
            return -1;
        };
        QVERIFY(QTest::qWaitFor([&] { return nodeOf("192.168.1.108") >= 0; }, 30000));
        g->selectNode(nodeOf("192.168.1.108"));
        QVERIFY(g->selectedId() != 0);
        const QString graph_filter = w_->displayFilterText();
        QVERIFY2(graph_filter == "ip.addr == 192.168.1.108", qPrintable(graph_filter));
        // Its own filter applied again keeps the highlight ...
        w_->applyDisplayFilter(graph_filter);
        QVERIFY(g->selectedId() != 0);
        // ... another one ends it, and stays in force.
        w_->applyDisplayFilter("udp port 53");
        QCOMPARE(g->selectedId(), NodeId(0));
        QVERIFY(QTest::qWaitFor([&] {
            return w_->packetModel()->filtered() && w_->packetModel()->rowCount() == tcpdump_count("udp port 53");
        }, 30000));
    }

    void copy()
    {
        std::unique_ptr<QMenu> menu(w_->packetMenu(2));
        action(menu.get(), "copySummary")->trigger();
        const QStringList cols = QApplication::clipboard()->text().split('\t');
        QCOMPARE(cols.size(), int(PacketListModel::ColumnCount));
        QCOMPARE(cols.first(), QString("3"));
        QVERIFY(cols.last().contains("443"));
        action(menu.get(), "copyHex")->trigger();
        const QString hex = QApplication::clipboard()->text();
        QVERIFY(!hex.isEmpty());
        QCOMPARE(hex, tshark_hex(3));
    }

    // The details tree's menu: a field applies as "name == value" in
    // Wireshark's language, a layer as its protocol; the packets shown are
    // then tshark's for the same expression. Copy gives the value.
    void detailsMenu()
    {
        auto* pane = w_->findChild<PacketDetailsPane*>();
        QVERIFY(pane);
        w_->packetView()->selectNumber(1); // DNS query from 192.168.1.108
        QTRY_COMPARE(w_->detailsPacket(), quint64(1));
        auto field = [&](const QString& prefix) {
            const auto& fields = pane->dissection().fields;
            for (size_t i = 0; i < fields.size(); ++i)
                if (QString::fromStdString(fields[i].label).startsWith(prefix))
                    return int(i);
            return -1;
        };
        auto apply = [&](const QString& prefix) {
            std::unique_ptr<QMenu> menu(pane->fieldMenu(field(prefix)));
            QAction* a = action(menu.get(), "applyField");
            if (!a)
                return QString("no filter for ") + prefix;
            a->trigger();
            return w_->displayFilterText();
        };
        QVERIFY(field("Source Address: 192.168.1.108") >= 0);
        QCOMPARE(apply("Source Address: "), QString("ip.src == 192.168.1.108"));
        QVERIFY(wiresharkFilterApplied("ip.src == 192.168.1.108"));
        QCOMPARE(apply("Destination Port: 53"), QString("udp.dstport == 53"));
        QVERIFY(wiresharkFilterApplied("udp.dstport == 53"));
        QCOMPARE(apply("Time to Live: "), QString("ip.ttl == 64"));
        QVERIFY(wiresharkFilterApplied("ip.ttl == 64"));
        // A layer applies as its protocol.
        QCOMPARE(apply("User Datagram Protocol"), QString("udp"));
        QVERIFY(wiresharkFilterApplied("udp"));

        std::unique_ptr<QMenu> menu(pane->fieldMenu(field("Time to Live: ")));
        action(menu.get(), "copyValue")->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QString("64"));
        action(menu.get(), "copyFieldHex")->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QString("40"));
        for (QAction* a : menu->actions())
            QVERIFY(a->isSeparator() || !a->text().isEmpty());
    }

    // Marking as in Wireshark: the menu item and Ctrl+M toggle, marked rows
    // are painted apart, Next/Previous Mark jump between them past others.
    void markPackets()
    {
        PacketListModel* m = w_->packetModel();
        auto marked_row = [&](quint64 n) {
            const QModelIndex i = w_->packetView()->model()->index(m->rowOf(n), 0);
            return w_->packetView()->model()->data(i, Qt::BackgroundRole).value<QColor>() == QColor(0x16, 0x16, 0x16);
        };
        std::unique_ptr<QMenu> menu(w_->packetMenu(4));
        QAction* mark = action(menu.get(), "markPacket");
        QVERIFY(mark);
        QCOMPARE(mark->text(), QString("Mark Packet"));
        mark->trigger();
        QVERIFY(m->isMarked(5));
        QVERIFY(marked_row(5));
        QVERIFY(!marked_row(4));
        menu.reset(w_->packetMenu(4));
        QCOMPARE(action(menu.get(), "markPacket")->text(), QString("Unmark Packet"));

        w_->packetView()->selectNumber(9);
        w_->packetView()->setFocus();
        QTest::keyClick(w_->packetView(), Qt::Key_M, Qt::ControlModifier);
        QVERIFY(m->isMarked(9));
        QCOMPARE(m->marked(), (QList<quint64>{5, 9}));
        w_->packetView()->selectNumber(1);
        QTest::keyClick(w_->packetView(), Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w_->packetView()->currentNumber(), quint64(5));
        QTest::keyClick(w_->packetView(), Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w_->packetView()->currentNumber(), quint64(9));
        QTest::keyClick(w_->packetView(), Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w_->packetView()->currentNumber(), quint64(9)); // no further mark: it stays
        QTest::keyClick(w_->packetView(), Qt::Key_B, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w_->packetView()->currentNumber(), quint64(5));
        // Ctrl+M again unmarks; Unmark All clears the rest.
        QTest::keyClick(w_->packetView(), Qt::Key_M, Qt::ControlModifier);
        QCOMPARE(m->marked(), (QList<quint64>{9}));
        QTest::keyClick(w_->packetView(), Qt::Key_M, Qt::ControlModifier | Qt::AltModifier);
        QVERIFY(m->marked().isEmpty());
        QVERIFY(!marked_row(9));
    }
};

QTEST_MAIN(TestPacketMenu)
#include "test_packet_menu.moc"
