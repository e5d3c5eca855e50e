// Statistics > Flow Graph on the demo capture: one arrow per packet of a
// conversation, between the right hosts, labelled with what tshark's Info
// column says; a click selects the packet in the list and the list's
// selection moves the graph's; the export writes a PNG and an SVG.
#include "flow_graph_dialog.h"
#include "flow_graph_view.h"
#include "main_window.h"
#include "packet_list_view.h"

#include <QImage>
#include <QMenu>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

// tshark's frame numbers and Info columns for a display filter.
QList<QPair<quint64, QString>> tshark_rows(const QString& filter)
{
    QProcess ts;
    ts.start("tshark", {"-n", "-r", kDemo, "-Y", filter, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"});
    ts.waitForFinished(60000);
    QList<QPair<quint64, QString>> rows;
    for (const QByteArray& line : ts.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> cols = line.split('\t');
        if (cols.size() >= 2)
            rows.append({cols[0].toULongLong(), QString::fromUtf8(cols[1])});
    }
    return rows;
}

void save_shot(QWidget* w, const QString& name)
{
    if (const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR"); !dir.isEmpty())
        w->grab().save(dir + "/" + name);
}

} // namespace

class TestFlowGraph : public QObject {
    Q_OBJECT
    MainWindow* w_ = nullptr;

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable("tshark").isEmpty())
            QSKIP("needs tshark as the reference");
        w_ = new MainWindow(QSize(1280, 720));
        w_->setQuiet(true);
        w_->show();
        QVERIFY(w_->openFile(kDemo));
        QVERIFY(QTest::qWaitFor([&] { return w_->sessionShown(); }, 60000));
    }
    void cleanupTestCase() { delete w_; }

    void conversationOfADnsLookup()
    {
        // Packet 1: a DNS query from 192.168.1.108 to 192.168.1.1.
        std::unique_ptr<QMenu> menu(w_->packetMenu(0));
        QAction* flow = menu->findChild<QAction*>("flowGraphConversation");
        QVERIFY(flow);
        flow->trigger();
        FlowGraphDialog* d = w_->flowGraph();
        QVERIFY(d && d->isVisible());
        const FlowGraph& g = d->view()->graph();
        const auto rows = tshark_rows("ip.addr == 192.168.1.108 && ip.addr == 192.168.1.1");
        QVERIFY(rows.size() > 4);
        QCOMPARE(qsizetype(g.arrows.size()), rows.size());
        QCOMPARE(g.nodes.size(), size_t(2));
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const FlowArrow& a = g.arrows[size_t(i)];
            QCOMPARE(a.number, rows[i].first);
            // The label is tshark's Info, short: a DNS query says what it asks.
            const QString info = rows[i].second;
            const QString label = QString::fromStdString(a.label);
            if (a.protocol == "DNS")
                QVERIFY2(info.startsWith(label.left(20)), qPrintable(label + " | " + info));
        }
        QCOMPARE(QString::fromStdString(g.nodes[size_t(g.arrows[0].from)].address), QString("192.168.1.108"));
        QCOMPARE(QString::fromStdString(g.nodes[size_t(g.arrows[0].to)].address), QString("192.168.1.1"));
        d->resize(1000, 600);
        save_shot(d, "flow-graph-dns.png");

        // A click on the third arrow selects its packet in the list, and back.
        const quint64 third = g.arrows[2].number;
        emit d->view()->packetClicked(third);
        QTRY_COMPARE(w_->detailsPacket(), third);
        w_->packetView()->selectNumber(g.arrows[1].number);
        QTRY_COMPARE(d->view()->currentPacket(), g.arrows[1].number);
    }

    void tcpHandshakeLabels()
    {
        FlowGraphDialog* d = w_->flowGraph();
        QVERIFY(d);
        // The first TCP SYN of the capture and its conversation.
        const auto syn = tshark_rows("tcp.flags == 0x002");
        QVERIFY(!syn.isEmpty());
        QProcess ts;
        ts.start("tshark", {"-n", "-r", kDemo, "-Y", QString("frame.number == %1").arg(syn[0].first), "-T", "fields",
                            "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst"});
        ts.waitForFinished(60000);
        const QStringList ends = QString::fromUtf8(ts.readAllStandardOutput()).trimmed().split('\t', Qt::SkipEmptyParts);
        QCOMPARE(ends.size(), 2);
        d->showConversation(ends[0].toStdString(), ends[1].toStdString());
        const FlowGraph& g = d->view()->graph();
        auto it = std::find_if(g.arrows.begin(), g.arrows.end(), [&](const FlowArrow& a) { return a.number == syn[0].first; });
        QVERIFY(it != g.arrows.end());
        QCOMPARE(QString::fromStdString(it->label), QString("SYN"));
        QCOMPARE(QString::fromStdString((it + 1)->label), QString("SYN, ACK"));
        QCOMPARE(QString::fromStdString((it + 2)->label), QString("ACK"));
        QVERIFY(!it->comment.empty()); // the ports
        d->view()->setCurrentPacket(it->number);
        save_shot(d, "flow-graph-tcp.png");

        QTemporaryDir dir;
        QString error;
        QVERIFY2(d->view()->exportTo(dir.filePath("g.png"), error), qPrintable(error));
        QVERIFY2(d->view()->exportTo(dir.filePath("g.svg"), error), qPrintable(error));
        const QImage img(dir.filePath("g.png"));
        QCOMPARE(img.size(), d->view()->fullSize());
        QFile svg(dir.filePath("g.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("SYN, ACK"));
    }
};

QTEST_MAIN(TestFlowGraph)
#include "test_flow_graph.moc"
