// File > Save As: what is written reads back the same (all packets, or the
// ones a display filter shows), comments and statistics included.
#include "capture_reader.h"
#include "capture_saver.h"
#include "ingest_engine.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace underhood;

class TestCaptureSaver : public QObject {
    Q_OBJECT
private slots:
    void roundTrip();
};

void TestCaptureSaver::roundTrip()
{
    const std::string demo = UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng";
    IngestEngine engine;
    std::string err;
    QVERIFY(engine.open_path(demo, err));
    engine.wait();
    QTemporaryDir dir;
    const QString all = dir.filePath("all.pcapng");
    QString error;
    QVERIFY2(save_capture(engine, nullptr, all, &error, {}), qPrintable(error));

    auto original = CaptureReader::open_path(demo, err);
    auto saved = CaptureReader::open_path(all.toStdString(), err);
    QVERIFY(original && saved);
    PacketRecord a, b;
    size_t n = 0, comments = 0;
    while (original->next(a) == CaptureReader::Status::Packet) {
        QCOMPARE(saved->next(b), CaptureReader::Status::Packet);
        QCOMPARE(b.ts_ns, a.ts_ns);
        QCOMPARE(b.origlen, a.origlen);
        QVERIFY(std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end()));
        QCOMPARE(std::string(b.comment), std::string(a.comment));
        comments += !a.comment.empty();
        ++n;
    }
    QCOMPARE(saved->next(b), CaptureReader::Status::End);
    QVERIFY(n > 1000);
    QVERIFY(comments > 0);
    QVERIFY(!saved->truncated());

    // Only some packets: every third one.
    QVector<quint64> some;
    for (quint64 i = 1; i <= n; i += 3)
        some << i;
    const QString part = dir.filePath("part.pcapng");
    QVERIFY(save_capture(engine, &some, part, &error, {}));
    auto partial = CaptureReader::open_path(part.toStdString(), err);
    size_t m = 0;
    while (partial->next(b) == CaptureReader::Status::Packet)
        ++m;
    QCOMPARE(m, size_t(some.size()));
    QVERIFY(!QFileInfo::exists(part + ".part"));
}

QTEST_APPLESS_MAIN(TestCaptureSaver)
#include "test_capture_saver.moc"
