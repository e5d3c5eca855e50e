// IngestEngine: the same capture read from a mapped file and through a pipe
// gives the same totals; the live history keeps the last N packets while the
// tables keep counting everything.
#include "capture_reader.h"
#include "ingest_engine.h"
#include "pcapng_writer.h"

#include <QFile>
#include <QtTest>

#include <thread>
#include <unistd.h>

using namespace underhood;

namespace {
const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

struct Summary {
    uint64_t packets, bytes;
    size_t hosts, conversations, listed;
    uint64_t first_number;
    uint64_t received, dropped;
};

Summary summary(const IngestEngine& e)
{
    return e.with_state([](const IngestEngine::State& s) {
        return Summary{s.model.totals().packets,
                       s.model.totals().bytes,
                       s.model.layer(Layer::Ip).hosts.size(),
                       s.model.layer(Layer::Ip).conversations.size(),
                       s.index.size(),
                       s.first_number,
                       s.ingest.received,
                       s.ingest.dropped};
    });
}

// Feeds `bytes` into a pipe from another thread; returns the read end.
int pipe_with(const QByteArray& bytes, std::thread& writer)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    writer = std::thread([fd = fds[1], bytes] {
        qsizetype off = 0;
        while (off < bytes.size()) {
            ssize_t n = ::write(fd, bytes.constData() + off, size_t(bytes.size() - off));
            if (n <= 0)
                break;
            off += n;
        }
        ::close(fd);
    });
    return fds[0];
}
} // namespace

class TestIngestEngine : public QObject {
    Q_OBJECT
private slots:
    void mappedAndPipeAgree();
    void historyKeepsLastPackets();
    void packetBytesMatchTheFile();
    void notACaptureFailsCleanly();
    void statisticsArriveWhileNoPacketDoes();
    void helperWarningsReachTheState();
};

void TestIngestEngine::mappedAndPipeAgree()
{
    IngestEngine mapped;
    std::string err;
    QVERIFY2(mapped.open_path(kDemo.toStdString(), err), err.c_str());
    mapped.wait();
    QVERIFY(mapped.mapped());
    Summary a = summary(mapped);
    QVERIFY(a.packets > 1000);
    QCOMPARE(uint64_t(a.listed), a.packets);

    QFile f(kDemo);
    QVERIFY(f.open(QIODevice::ReadOnly));
    std::thread writer;
    int fd = pipe_with(f.readAll(), writer);
    IngestEngine piped;
    QVERIFY2(piped.open_fd(fd, "pipe", err), err.c_str());
    piped.wait();
    writer.join();
    QVERIFY(!piped.mapped());
    Summary b = summary(piped);
    QCOMPARE(b.packets, a.packets);
    QCOMPARE(b.bytes, a.bytes);
    QCOMPARE(b.hosts, a.hosts);
    QCOMPARE(b.conversations, a.conversations);
    QCOMPARE(b.received, a.packets);
    QCOMPARE(b.dropped, uint64_t(0));
}

void TestIngestEngine::historyKeepsLastPackets()
{
    IngestOptions o;
    o.max_stored_packets = 500;
    IngestEngine e(o);
    QFile f(kDemo);
    QVERIFY(f.open(QIODevice::ReadOnly));
    std::thread writer;
    int fd = pipe_with(f.readAll(), writer);
    std::string err;
    QVERIFY(e.open_fd(fd, "pipe", err));
    e.wait();
    writer.join();
    Summary s = summary(e);
    QCOMPARE(s.listed, size_t(500));
    QCOMPARE(s.first_number, s.packets - 499);
    QVERIFY(e.packet_bytes(1).empty());               // let go
    QVERIFY(!e.packet_bytes(s.packets).empty());      // kept
    QVERIFY(!e.packet_bytes(s.first_number).empty()); // the oldest kept
    // The tables still count every packet.
    IngestEngine whole;
    QVERIFY(whole.open_path(kDemo.toStdString(), err));
    whole.wait();
    QCOMPARE(s.packets, summary(whole).packets);
    QCOMPARE(s.hosts, summary(whole).hosts);
}

void TestIngestEngine::packetBytesMatchTheFile()
{
    IngestEngine e;
    std::string err;
    QVERIFY(e.open_path(kDemo.toStdString(), err));
    e.wait();
    auto reader = CaptureReader::open_path(kDemo.toStdString(), err);
    QVERIFY(reader);
    PacketRecord rec;
    uint64_t n = 0;
    while (reader->next(rec) == CaptureReader::Status::Packet) {
        ++n;
        if (n % 97 != 1)
            continue;
        std::vector<uint8_t> b = e.packet_bytes(n);
        QCOMPARE(b.size(), size_t(rec.caplen));
        QVERIFY(std::equal(b.begin(), b.end(), rec.data.begin()));
    }
    QVERIFY(e.packet_bytes(n + 1).empty());
    QVERIFY(e.packet_bytes(0).empty());
}

void TestIngestEngine::notACaptureFailsCleanly()
{
    QTemporaryFile t;
    QVERIFY(t.open());
    t.write("this is not a capture\n");
    t.close();
    IngestEngine e;
    std::string err;
    QVERIFY(!e.open_path(t.fileName().toStdString(), err));
    QVERIFY2(QString::fromStdString(err).contains(t.fileName()), err.c_str());
    QVERIFY(QString::fromStdString(err).contains("not a pcap or pcapng"));
    QVERIFY(!e.running());
}

// A live stream goes quiet after a packet, and the helper keeps sending its
// statistics: each block shows at once, not when the next packet comes.
void TestIngestEngine::statisticsArriveWhileNoPacketDoes()
{
    int fds[2];
    QCOMPARE(pipe(fds), 0);
    PcapngWriter w(fds[1], true);
    PcapngSectionInfo shb;
    shb.user_appl = "test";
    QVERIFY(w.write_section_header(shb));
    PcapngInterfaceInfo eth;
    eth.name = "eth0";
    QVERIFY(w.write_interface(eth));
    const std::vector<uint8_t> frame(60, 0x5a);
    QVERIFY(w.write_packet(0, 1700000000000000000ull, frame));
    QVERIFY(w.flush());
    IngestEngine e;
    std::string err;
    QVERIFY2(e.open_fd(fds[0], "pipe", err), err.c_str());
    auto latest_ifrecv = [&] {
        return e.with_state([](const IngestEngine::State& st) {
            return st.statistics.empty() ? uint64_t(0) : st.statistics.back().ifrecv.value_or(0);
        });
    };
    for (uint64_t received : {5u, 9u}) {
        PcapngInterfaceStatistics st;
        st.ts_ns = 1700000001000000000ull;
        st.ifrecv = received;
        st.osdrop = received - 1;
        QVERIFY(w.write_statistics(st));
        QVERIFY(w.flush());
        QVERIFY2(QTest::qWaitFor([&] { return latest_ifrecv() == received; }, 5000),
                 qPrintable(QString("statistics show %1 received, the stream said %2").arg(latest_ifrecv()).arg(received)));
    }
    QVERIFY(w.close());
    e.wait();
    QCOMPARE(summary(e).packets, uint64_t(1));
    QCOMPARE(latest_ifrecv(), uint64_t(9));
}

// A capture helper's stream cut short (no final statistics) warns, from a
// file and through a pipe alike; a complete one does not. The warnings of a
// stream are in the state as soon as the reader has them.
void TestIngestEngine::helperWarningsReachTheState()
{
    const QString crafted = QStringLiteral(UNDERHOOD_SOURCE_DIR "/tests/corpus/crafted/");
    for (const char* name : {"helper-final-statistics-missing.pcapng", "helper-final-statistics.pcapng"}) {
        const bool missing = QByteArray(name).contains("missing");
        QFile f(crafted + name);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        for (bool piped : {false, true}) {
            IngestEngine e;
            std::string err;
            std::thread writer;
            if (piped) {
                QVERIFY(e.open_fd(pipe_with(bytes, writer), "pipe", err));
            } else {
                QVERIFY2(e.open_path(f.fileName().toStdString(), err), err.c_str());
            }
            e.wait();
            if (writer.joinable())
                writer.join();
            const auto warnings = e.with_state([](const IngestEngine::State& st) { return st.warnings; });
            const bool warned = std::find(warnings.begin(), warnings.end(),
                                          "final statistics missing: counts may be incomplete") != warnings.end();
            QVERIFY2(warned == missing, name);
        }
    }
}

QTEST_APPLESS_MAIN(TestIngestEngine)
#include "test_ingest_engine.moc"
