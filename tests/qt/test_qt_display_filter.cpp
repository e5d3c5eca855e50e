// The display filter selects exactly the packets tcpdump selects with the
// same expression on the same file, and reports libpcap's errors.
#include "test_corpus.h"
#include "capture_reader.h"
#include "display_filter.h"
#include "ingest_engine.h"
#include "packet_builder.h"
#include "pcapng_writer.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QtTest>

#include <optional>

using namespace underhood;
using underhood::test::FrameBuilder;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kCorpus = corpusDir() + QStringLiteral("/tcpdump");

struct Match {
    int64_t ts_ns;
    uint32_t caplen, origlen;
    bool operator==(const Match&) const = default;
};

char* toString(const Match& m) // QCOMPARE prints it
{
    return qstrdup(qPrintable(QStringLiteral("{%1 ns, %2/%3}").arg(m.ts_ns).arg(m.caplen).arg(m.origlen)));
}

QString tcpdump_path()
{
    QString p = QStandardPaths::findExecutable(QStringLiteral("tcpdump"));
    if (p.isEmpty())
        p = QStandardPaths::findExecutable(QStringLiteral("tcpdump"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    return p;
}

struct TcpdumpResult {
    bool ok = false;
    QString stderr_text;
    std::vector<Match> matches;
};

// `tcpdump -r FILE -w - EXPR`, nanosecond time stamps, read back with our reader.
TcpdumpResult run_tcpdump(const QString& file, const QString& expr)
{
    TcpdumpResult r;
    QTemporaryFile out;
    if (!out.open())
        return r;
    QProcess p;
    p.setStandardOutputFile(out.fileName());
    QStringList args{QStringLiteral("--time-stamp-precision=nano"), QStringLiteral("-n"), QStringLiteral("-r"), file,
                     QStringLiteral("-w"), QStringLiteral("-")};
    if (!expr.isEmpty())
        args << expr;
    p.start(tcpdump_path(), args);
    p.waitForFinished(60000);
    r.stderr_text = QString::fromLocal8Bit(p.readAllStandardError());
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return r;
    std::string error;
    auto reader = CaptureReader::open_path(out.fileName().toStdString(), error);
    if (!reader) {
        r.stderr_text += QString::fromStdString(error);
        return r;
    }
    PacketRecord rec;
    while (reader->next(rec) == CaptureReader::Status::Packet)
        r.matches.push_back({rec.ts_ns, rec.caplen, rec.origlen});
    r.ok = true;
    return r;
}

struct Opened {
    std::unique_ptr<IngestEngine> engine = std::make_unique<IngestEngine>();
    std::vector<uint32_t> link_types;
};

std::optional<Opened> open(const QString& file)
{
    Opened o;
    std::string error;
    if (!o.engine->open_path(file.toStdString(), error)) {
        qWarning() << error.c_str();
        return std::nullopt;
    }
    o.engine->wait();
    o.engine->with_state([&](const IngestEngine::State& s) {
        for (const CaptureInterface& itf : s.interfaces)
            o.link_types.push_back(itf.link_type);
    });
    return o;
}

std::vector<Match> our_matches(const IngestEngine& engine, const DisplayFilter& filter)
{
    const FilterScanResult r = filter_packets(engine, filter);
    std::vector<Match> out;
    engine.with_state([&](const IngestEngine::State& s) {
        for (uint64_t n : r.matches) {
            const PacketIndexEntry& e = s.index[size_t(n - s.first_number)];
            out.push_back({e.ts_ns, e.caplen, e.origlen});
        }
    });
    return out;
}

} // namespace

// Runs each expression through our filter and through tcpdump on `file` and
// compares the packets selected (time stamp, captured and original length).
void compare_with_tcpdump(const QString& file, const QStringList& expressions, int& compared)
{
    auto opened = open(file);
    QVERIFY(opened);
    for (const QString& expr : expressions) {
        DisplayFilter filter;
        std::string error;
        const bool compiled = filter.compile(expr.toStdString(), opened->link_types, error, DisplayFilter::Language::Bpf);
        const TcpdumpResult td = run_tcpdump(file, expr);
        const QByteArray what = (QFileInfo(file).fileName() + u' ' + expr).toUtf8();
        if (!compiled) {
            // tcpdump refuses it too, with the same words.
            QVERIFY2(!td.ok, what.constData());
            QVERIFY2(td.stderr_text.contains(QString::fromStdString(error)), (what + ": " + error.c_str()).constData());
            continue;
        }
        QVERIFY2(td.ok, (what + ": " + td.stderr_text.toUtf8()).constData());
        const std::vector<Match> ours = our_matches(*opened->engine, filter);
        QVERIFY2(ours.size() == td.matches.size(),
                 (what + QByteArray(": ") + QByteArray::number(qulonglong(ours.size())) + " vs tcpdump " +
                  QByteArray::number(qulonglong(td.matches.size())))
                     .constData());
        for (size_t i = 0; i < ours.size(); ++i)
            if (!(ours[i] == td.matches[i]))
                QCOMPARE(ours[i], td.matches[i]);
        ++compared;
    }
}

class TestQtDisplayFilter : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void sameAsTcpdump_data();
    void sameAsTcpdump();
    void bigEndianLoopbackSameAsTcpdump();
    void invalidExpressionGivesLibpcapError();
    void linkTypesFollowLibpcap();
    void mixedLinkTypes();
    void scanReportsProgressAndCancels();
};

void TestQtDisplayFilter::initTestCase()
{
    if (tcpdump_path().isEmpty())
        QSKIP("tcpdump is not installed");
}

void TestQtDisplayFilter::sameAsTcpdump_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("demo.pcapng") << kDemo;
    // Ethernet, Linux cooked, BSD loopback, raw IP, QinQ tags, a pcapng section.
    for (const char* name : {"mptcp-v0.pcap", "resp_1_benchmark.pcap", "quic_vn.pcap", "babel_rtt.pcap",
                             "802.1ad_QinQ.pcap", "of13_ericsson.pcapng", "dns_udp.pcap"}) {
        QTest::newRow(name) << kCorpus + u'/' + QLatin1String(name);
    }
}

void TestQtDisplayFilter::sameAsTcpdump()
{
    QFETCH(QString, file);
    if (!QFileInfo::exists(file))
        QSKIP(qPrintable(QStringLiteral("corpus file absent: ") + file));
    const QStringList expressions{
        QString(),
        QStringLiteral("tcp port 443"),
        QStringLiteral("udp"),
        QStringLiteral("arp"),
        QStringLiteral("ip6"),
        QStringLiteral("host 192.168.1.102"),
        QStringLiteral("vlan"),
        QStringLiteral("vlan and udp"),
        QStringLiteral("tcp[tcpflags] & (tcp-syn|tcp-fin) != 0"),
        QStringLiteral("greater 1000"),
        QStringLiteral("icmp or icmp6"),
        QStringLiteral("not ip"),
        QStringLiteral("ether broadcast"),
        QStringLiteral("net 192.168.0.0/16 and udp port 53"),
        QStringLiteral("ip6 and tcp"),
    };
    int compared = 0;
    compare_with_tcpdump(file, expressions, compared);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(compared >= 5);
}

void TestQtDisplayFilter::bigEndianLoopbackSameAsTcpdump()
{
    // BSD loopback headers hold the address family in the capturing host's
    // byte order: a big-endian file from a Mac, written out by hand.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("loopback-be.pcap"));
    QByteArray file;
    auto be32 = [&](uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            file.append(char(v >> shift));
    };
    be32(0xa1b2c3d4);
    be32(0x00020004);
    be32(0);
    be32(0);
    be32(65535);
    be32(0); // LINKTYPE_NULL
    auto packet = [&](uint32_t af, const std::vector<uint8_t>& ip, uint32_t sec) {
        be32(sec);
        be32(0);
        be32(uint32_t(ip.size() + 4));
        be32(uint32_t(ip.size() + 4));
        be32(af);
        file.append(reinterpret_cast<const char*>(ip.data()), qsizetype(ip.size()));
    };
    FrameBuilder v4, v6udp, v6tcp;
    v4.ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17).udp(1, 53);
    v6udp.ipv6(1, 2, 17).udp(1, 53);
    v6tcp.ipv6(1, 2, 6).tcp(1, 443);
    packet(2, v4.finish(), 1);
    packet(30, v6udp.finish(), 2); // macOS AF_INET6
    packet(24, v6tcp.finish(), 3); // NetBSD/OpenBSD AF_INET6
    packet(28, v6udp.finish(), 4); // FreeBSD AF_INET6
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(file), file.size());
    f.close();

    int compared = 0;
    compare_with_tcpdump(path,
                         {QString(), QStringLiteral("ip"), QStringLiteral("ip6"), QStringLiteral("udp"),
                          QStringLiteral("tcp port 443"), QStringLiteral("not ip6")},
                         compared);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(compared, 6);
    // And the count is not trivially zero on both sides.
    auto opened = open(path);
    QVERIFY(opened);
    DisplayFilter filter;
    std::string error;
    QVERIFY(filter.compile("ip6", opened->link_types, error, DisplayFilter::Language::Bpf));
    QCOMPARE(filter_packets(*opened->engine, filter).matches, (std::vector<uint64_t>{2, 3, 4}));
}

void TestQtDisplayFilter::invalidExpressionGivesLibpcapError()
{
    for (const char* expr : {"tcp port", "port 99999", "udp and", "ether proto nosuchproto", "host 300.1.1.1"}) {
        DisplayFilter filter;
        std::string error;
        QVERIFY2(!filter.compile(expr, {1}, error, DisplayFilter::Language::Bpf), expr);
        QVERIFY2(!error.empty(), expr);
        QVERIFY(filter.empty());
        const TcpdumpResult td = run_tcpdump(kDemo, QString::fromLatin1(expr));
        QVERIFY(!td.ok);
        QVERIFY2(td.stderr_text.contains(QString::fromStdString(error)),
                 qPrintable(QStringLiteral("%1: ours '%2', tcpdump '%3'").arg(expr, error.c_str(), td.stderr_text)));
    }
    DisplayFilter blank;
    std::string error;
    QVERIFY(blank.compile("  ", {1}, error));
    QVERIFY(blank.empty());
    QVERIFY(blank.matches(1, {}, 0, 0));
}

void TestQtDisplayFilter::linkTypesFollowLibpcap()
{
    // A capture file's LINKTYPE_* differs from libpcap's DLT_* for a few types.
    QCOMPARE(DisplayFilter::dlt_for_link_type(1), 1);      // Ethernet
    QCOMPARE(DisplayFilter::dlt_for_link_type(101), 12);   // LINKTYPE_RAW -> DLT_RAW
    QCOMPARE(DisplayFilter::dlt_for_link_type(113), 113);  // Linux cooked
    QCOMPARE(DisplayFilter::dlt_for_link_type(108), 108);  // OpenBSD loopback
    QCOMPARE(DisplayFilter::dlt_for_link_type(228), 228);  // raw IPv4
}

void TestQtDisplayFilter::mixedLinkTypes()
{
    // One DNS query seen on Ethernet, raw IP and Linux cooked interfaces of one pcapng file.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("mixed.pcapng"));
    FrameBuilder ip;
    ip.ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17).udp(5353, 53).text("query");
    const std::vector<uint8_t> ip_packet = ip.finish();
    std::vector<uint8_t> eth{0, 0x11, 0x22, 0x33, 0x44, 2, 0, 0x11, 0x22, 0x33, 0x44, 1, 0x08, 0x00};
    eth.insert(eth.end(), ip_packet.begin(), ip_packet.end());
    std::vector<uint8_t> sll{0, 4, 0, 1, 0, 6, 0, 0x11, 0x22, 0x33, 0x44, 1, 0, 0, 0x08, 0x00};
    sll.insert(sll.end(), ip_packet.begin(), ip_packet.end());
    {
        PcapngWriter w = PcapngWriter::create(path.toStdString());
        QVERIFY(w.write_section_header());
        QVERIFY(w.write_interface({1, 262144, "eth0", {}, {}, {}}));
        QVERIFY(w.write_interface({101, 262144, "tun0", {}, {}, {}}));
        QVERIFY(w.write_interface({113, 262144, "any", {}, {}, {}}));
        QVERIFY(w.write_packet(0, 1'000'000'000, eth));
        QVERIFY(w.write_packet(1, 2'000'000'000, ip_packet));
        QVERIFY(w.write_packet(2, 3'000'000'000, sll));
        QVERIFY(w.close());
    }
    auto opened = open(path);
    QVERIFY(opened);
    QCOMPARE(opened->link_types, (std::vector<uint32_t>{1, 101, 113}));

    DisplayFilter filter;
    std::string error;
    QVERIFY2(filter.compile("udp dst port 53 and src host 10.0.0.1", opened->link_types, error), error.c_str());
    QVERIFY(filter.warning().empty());
    QCOMPARE(filter_packets(*opened->engine, filter).matches, (std::vector<uint64_t>{1, 2, 3}));
    QVERIFY(filter.compile("udp port 54", opened->link_types, error));
    QVERIFY(filter_packets(*opened->engine, filter).matches.empty());

    // Link-layer terms apply where there is a link layer; the rest never match.
    QVERIFY2(filter.compile("ether src 00:11:22:33:44:01", opened->link_types, error), error.c_str());
    QVERIFY(!filter.warning().empty());
    QVERIFY2(QString::fromStdString(filter.warning()).contains(QStringLiteral("RAW")), filter.warning().c_str());
    QCOMPARE(filter_packets(*opened->engine, filter).matches, (std::vector<uint64_t>{1}));
    // Nowhere applicable: an error, not an empty result.
    QVERIFY(!filter.compile("ether src 00:11:22:33:44:01", {101}, error));
}

void TestQtDisplayFilter::scanReportsProgressAndCancels()
{
    auto opened = open(kDemo);
    QVERIFY(opened);
    DisplayFilter filter;
    std::string error;
    QVERIFY(filter.compile("udp", opened->link_types, error, DisplayFilter::Language::Bpf));

    std::vector<std::pair<uint64_t, uint64_t>> steps;
    FilterScanOptions opts;
    opts.progress = [&](uint64_t done, uint64_t total) { steps.emplace_back(done, total); };
    const FilterScanResult all = filter_packets(*opened->engine, filter, opts);
    QVERIFY(!all.cancelled);
    QCOMPARE(all.scanned, 3161u);
    QCOMPARE(all.next_number, 3162u);
    QVERIFY(!steps.empty());
    QCOMPARE(steps.back(), (std::pair<uint64_t, uint64_t>{3161, 3161}));
    QVERIFY(std::is_sorted(all.matches.begin(), all.matches.end()));

    // Continuing from a packet number scans only the rest.
    FilterScanOptions rest;
    rest.first_number = 2001;
    const FilterScanResult tail = filter_packets(*opened->engine, filter, rest);
    QCOMPARE(tail.scanned, 1161u);
    QCOMPARE(tail.matches.size(),
             size_t(std::count_if(all.matches.begin(), all.matches.end(), [](uint64_t n) { return n >= 2001; })));

    // Cancelled from the progress callback: stops after the first chunk.
    std::atomic<bool> cancel{false};
    FilterScanOptions stop;
    stop.cancel = &cancel;
    stop.progress = [&](uint64_t, uint64_t) { cancel = true; };
    const FilterScanResult cut = filter_packets(*opened->engine, filter, stop);
    QVERIFY(cut.cancelled);
    QVERIFY(cut.scanned < 3161u);
    QCOMPARE(cut.next_number, cut.scanned + 1);
}

QTEST_GUILESS_MAIN(TestQtDisplayFilter)
#include "test_qt_display_filter.moc"
