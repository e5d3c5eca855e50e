// A capture file that shrinks while it is read (a capture being rotated, a
// copy in progress). Files are memory-mapped, and touching a mapped page past
// the new end of the file raises SIGBUS: the reader must instead end where the
// file now ends, with the warning a truncated file gets, keeping every packet
// before the cut. The ingest engine must survive packets asked for after the
// file shrank below them, and underhood-cli stats a file cut under it.
#include "capture_reader.h"
#include "ingest_engine.h"
#include "mapped_file_guard.h"
#include "packet_details.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace underhood;

namespace {

const size_t kPage = size_t(sysconf(_SC_PAGESIZE));

void put16(std::vector<uint8_t>& b, uint16_t v) { b.insert(b.end(), {uint8_t(v), uint8_t(v >> 8)}); }
void put32(std::vector<uint8_t>& b, uint32_t v)
{
    b.insert(b.end(), {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)});
}

// An Ethernet/IPv4/UDP frame of `size` bytes whose payload starts with `n`.
std::vector<uint8_t> frame(uint32_t n, size_t size)
{
    std::vector<uint8_t> f = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    const size_t ip_len = size - 14;
    const uint8_t ip[20] = {0x45, 0, uint8_t(ip_len >> 8), uint8_t(ip_len), 0, 1, 0, 0, 64, 17, 0, 0,
                            10, 0, 0, 1, 10, 0, 0, 2};
    f.insert(f.end(), ip, ip + 20);
    const size_t udp_len = ip_len - 20;
    const uint8_t udp[8] = {0x9c, 0x40, 0, 53, uint8_t(udp_len >> 8), uint8_t(udp_len), 0, 0};
    f.insert(f.end(), udp, udp + 8);
    put32(f, n);
    f.resize(size, uint8_t(n));
    return f;
}

struct Written {
    qint64 size = 0;
    std::vector<qint64> ends; // offset one past each packet record
    std::vector<std::vector<uint8_t>> frames; // kept when asked for
};

// A capture of `packets` frames whose sizes cycle through 60..1514 bytes (so
// record boundaries fall everywhere in the pages), in pcap or pcapng.
Written write_capture(const QString& path, bool pcapng, uint32_t packets, bool keep_frames = false,
                      size_t fixed_size = 0)
{
    Written w;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return w;
    std::vector<uint8_t> out;
    if (pcapng) {
        put32(out, 0x0A0D0D0A), put32(out, 28), put32(out, 0x1A2B3C4D), put16(out, 1), put16(out, 0);
        put32(out, 0xFFFFFFFF), put32(out, 0xFFFFFFFF), put32(out, 28);
        put32(out, 1), put32(out, 20), put16(out, 1), put16(out, 0), put32(out, 262144), put32(out, 20);
    } else {
        put32(out, 0xa1b2c3d4), put16(out, 2), put16(out, 4), put32(out, 0), put32(out, 0), put32(out, 262144),
            put32(out, 1);
    }
    qint64 written = 0;
    for (uint32_t n = 1; n <= packets; ++n) {
        const size_t size = fixed_size ? fixed_size : 60 + (size_t(n) * 397) % 1455;
        const std::vector<uint8_t> fr = frame(n, size);
        const uint64_t ts = 1'700'000'000'000'000ull + n;
        if (pcapng) {
            const uint32_t len = uint32_t(32 + ((size + 3) & ~size_t(3)));
            put32(out, 6), put32(out, len), put32(out, 0), put32(out, uint32_t(ts >> 32)), put32(out, uint32_t(ts));
            put32(out, uint32_t(size)), put32(out, uint32_t(size));
            out.insert(out.end(), fr.begin(), fr.end());
            out.resize(out.size() + (((size + 3) & ~size_t(3)) - size), 0);
            put32(out, len);
        } else {
            put32(out, uint32_t(ts / 1000000)), put32(out, uint32_t(ts % 1000000)), put32(out, uint32_t(size)),
                put32(out, uint32_t(size));
            out.insert(out.end(), fr.begin(), fr.end());
        }
        w.ends.push_back(written + qint64(out.size()));
        if (keep_frames)
            w.frames.push_back(fr);
        if (out.size() > (1u << 20)) {
            f.write(reinterpret_cast<const char*>(out.data()), qint64(out.size()));
            written += qint64(out.size());
            out.clear();
        }
    }
    f.write(reinterpret_cast<const char*>(out.data()), qint64(out.size()));
    written += qint64(out.size());
    w.size = written;
    return f.error() == QFile::NoError ? w : Written{};
}

bool any_starts_with(const std::vector<std::string>& warnings, const std::string& prefix)
{
    return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) { return w.rfind(prefix, 0) == 0; });
}

} // namespace

class TestShrinkingFile : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }
    void guardMendsTheFault();
    void otherBusErrorsStillKill();
    void readerStopsAtTheCut_data();
    void readerStopsAtTheCut();
    void engineAfterTheCut();
    void cliStatsWhileTheFileShrinks();

private:
    QTemporaryDir dir_;
};

// The guard on its own: a mapping whose file is cut reads zeros past the
// cut, and says where the data ends.
void TestShrinkingFile::guardMendsTheFault()
{
    const QString path = dir_.filePath("guard.bin");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(int(8 * kPage), 'x'));
    f.close();
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    QVERIFY(fd >= 0);
    auto* p = static_cast<const uint8_t*>(mmap(nullptr, 8 * kPage, PROT_READ, MAP_PRIVATE, fd, 0));
    QVERIFY(p != MAP_FAILED);
    {
        MappedFileGuard guard;
        QVERIFY(guard.watch(p, 8 * kPage, fd));
        QCOMPARE(p[5 * kPage], uint8_t('x'));
        QVERIFY(!guard.shrank());
        QCOMPARE(guard.valid_size(), 8 * kPage);
        QCOMPARE(::truncate(QFile::encodeName(path).constData(), off_t(3 * kPage + 100)), 0);
        QCOMPARE(p[3 * kPage + 99], uint8_t('x')); // still in the file
        QCOMPARE(p[6 * kPage], uint8_t(0));         // past it: SIGBUS without the guard
        QVERIFY(guard.shrank());
        QCOMPARE(guard.valid_size(), 3 * kPage + 100);
        QCOMPARE(p[7 * kPage + 5], uint8_t(0)); // the rest of the mapping too, without another fault
    }
    munmap(const_cast<uint8_t*>(p), 8 * kPage);
    ::close(fd);
}

// A SIGBUS that is not a watched file shrinking still ends the process.
void TestShrinkingFile::otherBusErrorsStillKill()
{
    // Install the handler (the first watch does), as the app would have.
    MappedFileGuard installed;
    const QString path = dir_.filePath("unwatched.bin");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(int(4 * kPage), 'y'));
    f.close();
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CLOEXEC);
    QVERIFY(fd >= 0);
    auto* p = static_cast<const uint8_t*>(mmap(nullptr, 4 * kPage, PROT_READ, MAP_PRIVATE, fd, 0));
    QVERIFY(p != MAP_FAILED);
    QVERIFY(installed.watch(p + kPage, kPage, fd)); // watches one page only
    fflush(nullptr);
    const pid_t child = fork();
    if (child == 0) {
        // The crash report of whichever handler ends it (a sanitizer's, the
        // test framework's) is expected: keep it out of the test's output.
        const int null = ::open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        if (ftruncate(fd, 0) != 0)
            _exit(3);
        (void)*static_cast<const volatile uint8_t*>(p + 3 * kPage); // not watched
        _exit(42);                                                   // survived: wrong
    }
    QVERIFY(child > 0);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    // Killed by SIGBUS, or by whatever the previous handler (a sanitizer's,
    // the test framework's) does with it; never survived.
    QVERIFY2(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 42 && WEXITSTATUS(status) != 0),
             qPrintable(QString("status %1").arg(status)));
    installed.unwatch();
    munmap(const_cast<uint8_t*>(p), 4 * kPage);
    ::close(fd);
}

void TestShrinkingFile::readerStopsAtTheCut_data()
{
    QTest::addColumn<bool>("pcapng");
    QTest::addColumn<QString>("where");
    for (bool ng : {false, true})
        for (const char* where : {"page boundary", "mid page", "record end", "record end on a page",
                                  "behind the reader", "to nothing"})
            QTest::addRow("%s, %s", ng ? "pcapng" : "pcap", where) << ng << QString::fromLatin1(where);
}

// About 24 MB mapped, a quarter read, the file cut, the rest read.
void TestShrinkingFile::readerStopsAtTheCut()
{
    QFETCH(bool, pcapng);
    QFETCH(QString, where);
    const QString path = dir_.filePath(pcapng ? "cut.pcapng" : "cut.pcap");
    const Written w = write_capture(path, pcapng, 30000);
    QVERIFY(w.size > (20 << 20));

    std::string error;
    auto reader = CaptureReader::open_path(path.toStdString(), error, FileAccess::Mapped);
    QVERIFY2(reader, error.c_str());
    QVERIFY(dynamic_cast<MappedFileInput*>(&reader->input()));
    PacketRecord rec;
    uint64_t n = 0;
    for (; n < w.ends.size() / 4; ++n)
        QCOMPARE(reader->next(rec), CaptureReader::Status::Packet);
    const qint64 read_to = w.ends[n - 1];

    qint64 cut = 0;
    const qint64 ahead = w.size * 3 / 5;
    if (where == "page boundary")
        cut = ahead / qint64(kPage) * qint64(kPage);
    else if (where == "mid page")
        cut = ahead / qint64(kPage) * qint64(kPage) + 1234;
    else if (where == "record end")
        cut = *std::lower_bound(w.ends.begin(), w.ends.end(), ahead);
    else if (where == "record end on a page") {
        // The first record that ends within the last 64 bytes of a page.
        for (qint64 e : w.ends)
            if (e > ahead && qint64(kPage) - e % qint64(kPage) <= 64 && e % qint64(kPage)) {
                cut = e;
                break;
            }
    } else if (where == "behind the reader")
        cut = read_to / 2;
    QVERIFY(where == "to nothing" || cut > 0);
    QCOMPARE(::truncate(QFile::encodeName(path).constData(), off_t(cut)), 0);

    while (reader->next(rec) == CaptureReader::Status::Packet) {
        ++n;
        // Every packet returned is the one written, whole.
        QCOMPARE(rec.number, n);
        QCOMPARE(load_le32(rec.data.data() + 42), uint32_t(n));
        QCOMPARE(rec.data[rec.data.size() - 1], uint8_t(n));
    }
    QVERIFY(reader->error().empty());
    // Packets up to the cut; a cut behind the reader keeps what was read.
    const uint64_t whole = uint64_t(std::upper_bound(w.ends.begin(), w.ends.end(), cut) - w.ends.begin());
    QCOMPARE(n, std::max(whole, uint64_t(w.ends.size() / 4)));
    QVERIFY(reader->truncated());
    QVERIFY2(any_starts_with(reader->warnings(), "truncated: "),
             reader->warnings().empty() ? "no warning" : reader->warnings().back().c_str());
}

// A file fully read by the engine, then cut to half: packets past the cut
// have no bytes any more, those before it still do, and the graph's and the
// details pane's paths through packet_bytes survive both.
void TestShrinkingFile::engineAfterTheCut()
{
    const QString path = dir_.filePath("engine.pcapng");
    const Written w = write_capture(path, true, 20000, true);
    IngestEngine engine;
    std::string error;
    QVERIFY2(engine.open_path(path.toStdString(), error), error.c_str());
    engine.wait();
    QVERIFY(engine.mapped());
    QCOMPARE(engine.with_state([](const IngestEngine::State& st) { return st.index.size(); }), w.ends.size());

    const qint64 cut = w.size / 2 + 777;
    QCOMPARE(::truncate(QFile::encodeName(path).constData(), off_t(cut)), 0);
    const uint64_t last = w.ends.size();
    // The last packets first (the app's packet list ends there), then all.
    for (uint64_t number = last; number >= last - 5; --number) {
        const std::vector<uint8_t> b = engine.packet_bytes(number);
        QVERIFY(b.empty());
        (void)dissect_packet(1, Bytes(b.data(), b.size()), uint32_t(w.frames[number - 1].size()));
    }
    uint64_t kept = 0;
    for (uint64_t number = 1; number <= last; ++number) {
        const std::vector<uint8_t> b = engine.packet_bytes(number);
        if (!b.empty()) {
            QCOMPARE(b, w.frames[number - 1]);
            ++kept;
        }
    }
    // Every packet wholly before the cut's page is still there (those on the
    // cut's own page read as the kernel gives them: zeros past the end).
    const qint64 before_page = cut / qint64(kPage) * qint64(kPage);
    const uint64_t safe = uint64_t(std::upper_bound(w.ends.begin(), w.ends.end(), before_page) - w.ends.begin());
    QVERIFY2(kept >= safe && kept < last, qPrintable(QString("%1 kept, %2 before the cut").arg(kept).arg(safe)));
}

// underhood-cli stats on a large file cut about 0.2 s after it started:
// exit 0, the packets before the cut, the truncated warning.
void TestShrinkingFile::cliStatsWhileTheFileShrinks()
{
    const QString cli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + " is not built"));
    // Small packets take the CLI longest per byte; grow the file if it still
    // reads the whole file before the cut.
    for (uint32_t packets : {5'000'000u, 20'000'000u}) {
        const QString path = dir_.filePath("cli.pcap");
        const Written w = write_capture(path, false, packets, false, 60);
        QVERIFY(w.size > 0);
        QProcess p;
        p.start(cli, {"stats", "--json", path});
        QVERIFY(p.waitForStarted());
        QThread::msleep(200);
        const bool running = p.state() == QProcess::Running;
        QCOMPARE(::truncate(QFile::encodeName(path).constData(), off_t(w.size / 3)), 0);
        QVERIFY(p.waitForFinished(300000));
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 0, err.constData());
        const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        const qint64 read = o["packets"].toInteger(-1);
        QVERIFY(read >= 0);
        QFile::remove(path);
        if (!running || read == qint64(packets)) {
            qInfo("underhood-cli read all %u packets before the cut; trying a larger file", packets);
            continue;
        }
        QVERIFY(read < qint64(packets));
        QVERIFY2(err.contains("truncated: "), err.constData());
        bool warned = false;
        for (const QJsonValue& v : o["warnings"].toArray())
            warned = warned || v.toString().startsWith("truncated: ");
        QVERIFY(warned);
        return;
    }
    QSKIP("underhood-cli read 20 million packets in under 0.2 s: the file could not be cut while it was read");
}

QTEST_GUILESS_MAIN(TestShrinkingFile)
#include "test_shrinking_file.moc"
