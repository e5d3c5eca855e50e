// File > Save As: what is written reads back the same (all packets, or the
// ones a display filter shows), comments and statistics included.
#include "capture_reader.h"
#include "capture_saver.h"
#include "ingest_engine.h"
#include "pcapng_writer.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace underhood;

class TestCaptureSaver : public QObject {
    Q_OBJECT
private slots:
    void roundTrip();
    void keepsNicHealth();
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

// A capture as underhood-capture writes it (capture/README.md, "NIC health"):
// IDB options and the start record, then an ISB with a later record.
void TestCaptureSaver::keepsNicHealth()
{
    QTemporaryDir dir;
    const std::string start = "underhood-nic-health 1\ninterface=0\ntime=1700000000000000000\nphase=start\n"
                              "driver=ixgbe\ndriver_version=5.1.0-k\nbus=0000:03:00.0\nspeed_mbps=10000\nmtu=1500\n"
                              "offload.gro=1\noffload.lro=0\nring.rx=512\nring.rx_max=4096\nif.rx_dropped=7\n"
                              "if.rx_missed_errors=100\nethtool.rx_no_buffer_count=3\nsoftnet.0.dropped=5\n"
                              "softnet.0.time_squeeze=1\nsoftnet.1.dropped=0\nsoftnet.1.time_squeeze=0\n";
    std::string later = start;
    later.replace(later.find("phase=start"), 11, "phase=final");
    later.replace(later.find("if.rx_missed_errors=100"), 23, "if.rx_missed_errors=142");
    later.replace(later.find("softnet.0.dropped=5"), 19, "softnet.0.dropped=9");
    const QString in = dir.filePath("helper.pcapng");
    {
        PcapngWriter w = PcapngWriter::create(in.toStdString());
        PcapngSectionInfo shb;
        shb.user_appl = "underhood-capture 1.0";
        w.write_section_header(shb);
        PcapngInterfaceInfo idb;
        idb.name = "eth0";
        idb.os = "Linux 6.1.0";
        idb.hardware = "ixgbe 5.1.0-k, bus 0000:03:00.0";
        idb.speed_bps = 10000000000ull;
        idb.mac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, 1};
        idb.comment = start;
        w.write_interface(idb);
        const uint8_t frame[60] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5};
        w.write_packet(0, 1700000001000000000ull, frame);
        PcapngInterfaceStatistics st;
        st.ts_ns = 1700000002000000000ull;
        st.ifrecv = 1;
        st.osdrop = 0;
        st.filteraccept = 1;
        st.usrdeliv = 1;
        st.ifdrop = 49;
        st.health = later;
        st.comment = "final statistics";
        w.write_statistics(st);
        QVERIFY(w.close());
    }
    IngestEngine engine;
    std::string err;
    QVERIFY(engine.open_path(in.toStdString(), err));
    engine.wait();
    const QString out = dir.filePath("saved.pcapng");
    QString error;
    QVERIFY2(save_capture(engine, nullptr, out, &error, {}), qPrintable(error));

    auto read = [](const QString& path) {
        std::string e;
        auto r = CaptureReader::open_path(path.toStdString(), e);
        PacketRecord rec;
        while (r && r->next(rec) == CaptureReader::Status::Packet) {
        }
        return r;
    };
    auto a = read(in), b = read(out);
    QVERIFY(a && b);
    QCOMPARE(b->interfaces().size(), size_t(1));
    const CaptureInterface &x = a->interfaces()[0], &y = b->interfaces()[0];
    QCOMPARE(y.hardware, x.hardware);
    QCOMPARE(y.os, x.os);
    QCOMPARE(y.speed_bps, x.speed_bps);
    QCOMPARE(y.mac, x.mac);
    QVERIFY(y.health);
    QCOMPARE(y.health->text, start);
    QCOMPARE(y.health->ring->rx_max, 4096u);
    QCOMPARE(b->statistics().size(), size_t(1));
    const InterfaceStatistics& st = b->statistics()[0];
    QCOMPARE(st.ifdrop, std::optional<uint64_t>(49));
    QVERIFY(st.health && st.health->has_start);
    QCOMPARE(st.health->text, later);
    // The growth since the start record survives the round trip.
    QCOMPARE(st.health->softnet_dropped_since_start(), uint64_t(4));
    uint64_t missed = 0;
    for (const auto& c : st.health->interface_counters)
        if (c.name == "rx_missed_errors")
            missed = c.since_start;
    QCOMPARE(missed, uint64_t(42));

    // Wireshark reads the saved file without a word and sees the interface's options.
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        return;
    QProcess t;
    t.start("tshark", {"-r", out, "-T", "fields", "-e", "frame.number"});
    QVERIFY(t.waitForFinished(60000));
    QCOMPARE(t.exitCode(), 0);
    QCOMPARE(t.readAllStandardOutput().trimmed(), QByteArray("1"));
    if (QStandardPaths::findExecutable("capinfos").isEmpty())
        return;
    QProcess c;
    c.start("capinfos", {"-I", out}); // the interface's options, as Wireshark reads them
    QVERIFY(c.waitForFinished(60000));
    const QByteArray info = c.readAllStandardOutput();
    QVERIFY2(info.contains("10000000000") || info.contains("10 Gbps") || info.contains("10000 Mbps"), info.constData());
    QVERIFY2(info.contains("ixgbe 5.1.0-k"), info.constData());
}

QTEST_APPLESS_MAIN(TestCaptureSaver)
#include "test_capture_saver.moc"
