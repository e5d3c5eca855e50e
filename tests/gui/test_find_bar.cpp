// Edit > Find over the demo capture: every packet the find bar walks to, by
// display filter, text and hex bytes, compared with what tshark selects.
#include "find_bar.h"
#include "main_window.h"
#include "packet_list_view.h"

#include <QApplication>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace underhood;
using Kind = PacketSearch::Kind;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

QList<quint64> tshark_numbers(const QString& display_filter)
{
    QProcess ts;
    ts.start("tshark", {"-n", "-r", kDemo, "-Y", display_filter, "-T", "fields", "-e", "frame.number"});
    ts.waitForFinished(60000);
    QList<quint64> out;
    for (const QByteArray& line : ts.readAllStandardOutput().split('\n'))
        if (!line.trimmed().isEmpty())
            out << line.trimmed().toULongLong();
    return out;
}

} // namespace

class TestFindBar : public QObject {
    Q_OBJECT

    MainWindow* w_ = nullptr;

    // Every packet Next visits from the top until it comes round again.
    QList<quint64> walk(Kind kind, const QString& text)
    {
        w_->packetView()->clearSelection();
        w_->packetView()->setCurrentIndex(QModelIndex());
        w_->findBar()->setKind(kind);
        w_->findBar()->setText(text);
        QList<quint64> seen;
        for (;;) {
            w_->findPacket(true);
            const quint64 n = w_->packetView()->currentNumber();
            if (n == 0 || seen.contains(n))
                break;
            seen << n;
        }
        return seen;
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable("tshark").isEmpty())
            QSKIP("needs tshark as the reference");
        w_ = new MainWindow;
        w_->setQuiet(true);
        w_->show();
        QVERIFY(w_->openFile(kDemo));
        QVERIFY(QTest::qWaitFor([&] { return w_->sessionShown(); }, 60000));
    }
    void cleanupTestCase() { delete w_; }

    void ctrlFOpensTheBar()
    {
        QVERIFY(!w_->findBar()->isVisible());
        QTest::keyClick(w_, Qt::Key_F, Qt::ControlModifier);
        QVERIFY(w_->findBar()->isVisible());
    }

    void byDisplayFilter()
    {
        // BPF, like tcpdump, does not look behind VLAN tags; tshark does.
        const QList<quint64> want = tshark_numbers("udp.port == 53 && !vlan");
        QVERIFY(want.size() > 2);
        QCOMPARE(walk(Kind::DisplayFilter, "udp port 53"), want);
        // Previous from the first wraps round to the last.
        w_->packetView()->selectNumber(want.first());
        w_->findPacket(false);
        QCOMPARE(w_->packetView()->currentNumber(), want.last());
        w_->findPacket(true);
        QCOMPARE(w_->packetView()->currentNumber(), want.first());
        QCOMPARE(w_->findBar()->status(), QString("packet %1").arg(want.first()));
    }

    void byTextInBytes()
    {
        // Case-insensitive, like the text search of Wireshark's find bar.
        QCOMPARE(walk(Kind::Text, "FABRIKAM"), tshark_numbers("frame matches \"(?i)fabrikam\""));
    }

    void byTextInInfo()
    {
        // A DNS name is stored as labels ("\x03api\x08fabrikam"), so the
        // dotted name is only in the Info column.
        const QList<quint64> found = walk(Kind::Text, "api.fabrikam.org");
        QVERIFY(!found.isEmpty());
        QVERIFY(found.contains(1)); // the demo's first packet asks for it
    }

    void byHexBytes()
    {
        const QList<quint64> want = tshark_numbers("frame contains 16:03:01");
        QVERIFY(!want.isEmpty());
        QCOMPARE(walk(Kind::HexBytes, "16 03 01"), want);
        QCOMPARE(walk(Kind::HexBytes, "160301"), want);
    }

    void badInputSaysWhy()
    {
        w_->packetView()->selectNumber(5);
        w_->findBar()->setKind(Kind::HexBytes);
        w_->findBar()->setText("16 0");
        w_->findPacket(true);
        QVERIFY(w_->findBar()->status().contains("hex"));
        QCOMPARE(w_->packetView()->currentNumber(), quint64(5));
        w_->findBar()->setKind(Kind::Text);
        w_->findBar()->setText("no such text in this capture");
        w_->findPacket(true);
        QCOMPARE(w_->findBar()->status(), QString("not found"));
        QCOMPARE(w_->packetView()->currentNumber(), quint64(5));
    }
};

QTEST_MAIN(TestFindBar)
#include "test_find_bar.moc"
