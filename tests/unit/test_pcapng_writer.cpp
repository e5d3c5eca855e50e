// PcapngWriter: what it writes reads back through CaptureReader block for
// block, and a sink that refuses bytes is reported, never ignored.
#include "capture_reader.h"
#include "pcapng_writer.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

using namespace underhood;

namespace {

std::vector<uint8_t> pattern(size_t n, uint8_t seed)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = uint8_t(seed + i * 7);
    return v;
}

// Two interfaces (Ethernet, and raw IP with a 128-byte snaplen), three
// packets with a comment and flags, and a statistics block.
void write_sample(const std::string& path, const std::vector<uint8_t>& p1, const std::vector<uint8_t>& p2,
                  const std::vector<uint8_t>& p3)
{
    PcapngWriter w = PcapngWriter::create(path);
    QVERIFY2(w.ok(), w.error().c_str());
    PcapngSectionInfo shb;
    shb.user_appl = "test-writer";
    shb.comment = "section comment";
    QVERIFY(w.write_section_header(shb));
    PcapngInterfaceInfo eth;
    eth.name = "eth0";
    eth.description = "first";
    eth.filter = "tcp port 443";
    eth.snaplen = 262144;
    PcapngInterfaceInfo raw;
    raw.link_type = 101;
    raw.name = "tun0";
    raw.snaplen = 128;
    QCOMPARE(w.write_interface(eth).value_or(99), 0u);
    QCOMPARE(w.write_interface(raw).value_or(99), 1u);
    QVERIFY(w.write_packet(0, 1700000000123456789ull, p1, 0, "first packet"));
    PcapngPacket pk;
    pk.interface_id = 0;
    pk.ts_ns = 1700000001000000001ull;
    pk.data = p2;
    pk.origlen = 9000;
    pk.flags = 1; // inbound
    QVERIFY(w.write_packet(pk));
    // Longer than tun0's snaplen: cut to 128 bytes, origlen kept.
    QVERIFY(w.write_packet(1, 1700000002000000000ull, p3));
    PcapngInterfaceStatistics st;
    st.interface_id = 0;
    st.ts_ns = 1700000003000000000ull;
    st.start_ns = 1700000000000000007ull;
    st.end_ns = 1700000003000000000ull;
    st.ifrecv = 10;
    st.ifdrop = 1;
    st.filteraccept = 9;
    st.osdrop = 2;
    st.usrdeliv = 7;
    QVERIFY(w.write_statistics(st));
    QCOMPARE(w.packets_written(), uint64_t(3));
    QVERIFY2(w.close(), w.error().c_str());
    QVERIFY(w.bytes_written() > 0);
}

} // namespace

class TestPcapngWriter : public QObject {
    Q_OBJECT

private slots:
    void roundTrip();
    void tsharkReadsWhatItWrites();
    void largeBlocksBypassTheBuffer();
    void refusedArgumentsWriteNothing();
    void stdioSink();
    void writeErrorIsReported();
    void brokenPipeIsReported();
};

void TestPcapngWriter::roundTrip()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("out.pcapng").toStdString();
    const auto p1 = pattern(60, 1), p2 = pattern(1514, 2), p3 = pattern(300, 3);
    write_sample(path, p1, p2, p3);
    if (QTest::currentTestFailed())
        return;
    std::string error;
    auto r = CaptureReader::open_path(path, error);
    QVERIFY2(r, error.c_str());
    PacketRecord rec;
    QCOMPARE(r->next(rec), CaptureReader::Status::Packet);
    QCOMPARE(rec.ts_ns, int64_t(1700000000123456789));
    QCOMPARE(rec.caplen, 60u);
    QCOMPARE(rec.origlen, 60u);
    QVERIFY(std::equal(p1.begin(), p1.end(), rec.data.begin()));
    QCOMPARE(QString::fromStdString(std::string(rec.comment)), QString("first packet"));
    QCOMPARE(r->next(rec), CaptureReader::Status::Packet);
    QCOMPARE(rec.ts_ns, int64_t(1700000001000000001));
    QCOMPARE(rec.caplen, 1514u);
    QCOMPARE(rec.origlen, 9000u);
    QVERIFY(rec.comment.empty());
    QCOMPARE(r->next(rec), CaptureReader::Status::Packet);
    QCOMPARE(rec.interface_id, 1u);
    QCOMPARE(rec.link_type, 101u);
    QCOMPARE(rec.caplen, 128u);
    QCOMPARE(rec.origlen, 300u);
    QVERIFY(std::equal(rec.data.begin(), rec.data.end(), p3.begin()));
    QCOMPARE(r->next(rec), CaptureReader::Status::End);
    QVERIFY(r->warnings().empty());

    QCOMPARE(r->interfaces().size(), size_t(2));
    QCOMPARE(r->interfaces()[0].name, std::string("eth0"));
    QCOMPARE(r->interfaces()[0].description, std::string("first"));
    QCOMPARE(r->interfaces()[0].units_per_sec, uint64_t(1000000000));
    QCOMPARE(r->interfaces()[1].snaplen, 128u);
    QCOMPARE(r->section_comments().size(), size_t(1));
    QCOMPARE(r->statistics().size(), size_t(1));
    const InterfaceStatistics& s = r->statistics()[0];
    QCOMPARE(s.ts_ns, int64_t(1700000003000000000));
    QCOMPARE(s.start_ns.value_or(0), int64_t(1700000000000000007));
    QCOMPARE(s.end_ns.value_or(0), int64_t(1700000003000000000));
    QCOMPARE(s.ifrecv.value_or(0), uint64_t(10));
    QCOMPARE(s.ifdrop.value_or(0), uint64_t(1));
    QCOMPARE(s.filteraccept.value_or(0), uint64_t(9));
    QCOMPARE(s.osdrop.value_or(0), uint64_t(2));
    QCOMPARE(s.usrdeliv.value_or(0), uint64_t(7));
}

// Wireshark's reader is the reference for the format: tshark and capinfos
// read the file without complaint and see what was written.
void TestPcapngWriter::tsharkReadsWhatItWrites()
{
    const QString tshark = QStandardPaths::findExecutable("tshark");
    const QString capinfos = QStandardPaths::findExecutable("capinfos");
    if (tshark.isEmpty() || capinfos.isEmpty())
        QSKIP("needs tshark and capinfos (Debian's tshark package)");
    QTemporaryDir dir;
    const QString path = dir.filePath("out.pcapng");
    write_sample(path.toStdString(), pattern(60, 1), pattern(1514, 2), pattern(300, 3));
    if (QTest::currentTestFailed())
        return;
    auto run = [](const QString& program, const QStringList& args, QByteArray& out) {
        QProcess p;
        p.start(program, args);
        if (!p.waitForFinished(60000))
            return -1;
        out = p.readAllStandardOutput();
        const QByteArray err = p.readAllStandardError();
        if (err.contains("damaged") || err.contains("corrupt") || err.contains("isn't"))
            return -2;
        return p.exitCode();
    };
    QByteArray fields;
    QCOMPARE(run(tshark,
                 {"-n", "-r", path, "-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e",
                  "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.interface_name", "-e",
                  "frame.comment", "-e", "frame.encap_type"},
                 fields),
             0);
    const QList<QByteArray> lines = fields.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[0], QByteArray("1|1700000000.123456789|60|60|eth0|first packet|1"));
    QCOMPARE(lines[1], QByteArray("2|1700000001.000000001|9000|1514|eth0||1"));
    QCOMPARE(lines[2], QByteArray("3|1700000002.000000000|300|128|tun0||7"));
    QByteArray info;
    QCOMPARE(run(capinfos, {"-I", path}, info), 0);
    QVERIFY2(info.contains("Name = eth0") && info.contains("Name = tun0"), info.constData());
    QVERIFY2(info.contains("Capture length = 128"), info.constData());
    QVERIFY2(info.contains("nanoseconds (9)"), info.constData());
    // The statistics block belongs to interface 0.
    const qsizetype second = info.indexOf("Interface #1");
    QVERIFY(second > 0);
    QVERIFY2(info.left(second).contains("Number of stat entries = 1"), info.constData());
    QVERIFY2(info.mid(second).contains("Number of stat entries = 0"), info.constData());
    QByteArray summary;
    QCOMPARE(run(capinfos, {path}, summary), 0);
    QVERIFY2(summary.contains("test-writer"), summary.constData());
    QVERIFY2(summary.contains("section comment"), summary.constData());
}

void TestPcapngWriter::largeBlocksBypassTheBuffer()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("large.pcapng").toStdString();
    const auto big = pattern(60000, 9), small = pattern(100, 4);
    {
        PcapngWriter w = PcapngWriter::create(path, 4096);
        QVERIFY(w.write_section_header());
        PcapngInterfaceInfo itf;
        itf.snaplen = 0; // no limit
        QVERIFY(w.write_interface(itf));
        for (int i = 0; i < 5; ++i) {
            QVERIFY(w.write_packet(0, uint64_t(i), small));
            QVERIFY(w.write_packet(0, uint64_t(i) + 1, big));
        }
        QVERIFY2(w.close(), w.error().c_str());
    }
    std::string error;
    auto r = CaptureReader::open_path(path, error);
    QVERIFY2(r, error.c_str());
    PacketRecord rec;
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(r->next(rec), CaptureReader::Status::Packet);
        QCOMPARE(rec.caplen, i % 2 ? 60000u : 100u);
        const auto& want = i % 2 ? big : small;
        QVERIFY(std::equal(want.begin(), want.end(), rec.data.begin()));
    }
    QCOMPARE(r->next(rec), CaptureReader::Status::End);
    QVERIFY(r->warnings().empty());
}

void TestPcapngWriter::refusedArgumentsWriteNothing()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("refused.pcapng").toStdString();
    PcapngWriter w = PcapngWriter::create(path);
    QVERIFY(!w.write_interface({}).has_value()); // before any section
    QVERIFY(w.ok());
    QVERIFY(w.write_section_header());
    QVERIFY(w.write_interface({}));
    const size_t before = w.bytes_buffered();
    const auto p = pattern(64, 0);
    QVERIFY(!w.write_packet(3, 0, p)); // no such interface
    QVERIFY(!w.error().empty());
    QVERIFY(!w.write_packet(0, 0, p, 10)); // origlen below caplen
    std::string huge(70000, 'x');
    QVERIFY(!w.write_packet(0, 0, p, 0, huge)); // comment too long for an option
    QCOMPARE(w.bytes_buffered(), before);
    QVERIFY(w.ok());
    QVERIFY(w.write_packet(0, 0, p));
    QVERIFY(w.close());
}

void TestPcapngWriter::stdioSink()
{
    std::FILE* f = std::tmpfile();
    QVERIFY(f);
    PcapngWriter w(f);
    QVERIFY(w.write_section_header());
    QVERIFY(w.write_interface({}));
    QVERIFY(w.write_packet(0, 42, pattern(80, 5)));
    QVERIFY(w.flush());
    const long size = std::ftell(f);
    QCOMPARE(uint64_t(size), w.bytes_written());
    // SHB 28, IDB 32 (if_tsresol and the end marker), EPB 32 + 80.
    QCOMPARE(size, 28L + 32L + 112L);
    std::fclose(f);
}

void TestPcapngWriter::writeErrorIsReported()
{
    int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        QSKIP("/dev/full is not available");
    PcapngWriter w(fd, true, 4096);
    QVERIFY(w.write_section_header());
    QVERIFY(w.write_interface({}));
    // Buffered: nothing reaches the device until the buffer fills or is flushed.
    bool refused = false;
    for (int i = 0; i < 200 && !refused; ++i)
        refused = !w.write_packet(0, uint64_t(i), pattern(200, 1));
    QVERIFY(refused);
    QVERIFY(!w.ok());
    QVERIFY2(w.error().find("No space") != std::string::npos, w.error().c_str());
    QVERIFY(!w.write_packet(0, 0, pattern(10, 1)));
    QVERIFY(!w.flush());
    QVERIFY(!w.close());
}

void TestPcapngWriter::brokenPipeIsReported()
{
    int fds[2];
    QVERIFY(::pipe(fds) == 0);
    ::close(fds[0]);
    auto old = std::signal(SIGPIPE, SIG_IGN);
    PcapngWriter w(fds[1], true);
    QVERIFY(w.write_section_header());
    QVERIFY(!w.flush());
    QVERIFY2(w.error().find("Broken pipe") != std::string::npos, w.error().c_str());
    std::signal(SIGPIPE, old);
}

QTEST_APPLESS_MAIN(TestPcapngWriter)
#include "test_pcapng_writer.moc"
