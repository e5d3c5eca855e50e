// underhood-capture end to end: two network namespaces joined by a veth pair
// (IPv6 off, no addresses, so the kernel sends nothing of its own), frames
// sent from one side with tcpreplay and captured on the other by the real
// helper. Needs root (CI runs as root); skips otherwise.
#include "capture_reader.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <set>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

using namespace underhood;

namespace {

const QString kHelper = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-capture");

struct Frame {
    QByteArray bytes;
};

// Deterministic frames: broadcast-free unicast Ethernet with a private
// ethertype, some VLAN-tagged, sizes from 60 to 1514.
std::vector<QByteArray> make_frames(int n, uint16_t ethertype = 0x88B5, int tagged_every = 7)
{
    std::vector<QByteArray> out;
    for (int i = 0; i < n; ++i) {
        QByteArray f;
        f.append("\x02\x00\x00\x00\x00\x02", 6); // destination
        f.append("\x02\x00\x00\x00\x00\x01", 6); // source
        if (tagged_every && i % tagged_every == 3) {
            f.append("\x81\x00", 2);
            uint16_t tci = uint16_t(100 + i % 50);
            f.append(char(tci >> 8)).append(char(tci & 0xff));
        }
        f.append(char(ethertype >> 8)).append(char(ethertype & 0xff));
        int size = 60 + (i * 37) % 1455;
        while (f.size() < size)
            f.append(char((i + f.size()) & 0xff));
        // A sequence number in the payload makes every frame unique.
        f[20] = char(i >> 16);
        f[21] = char(i >> 8);
        f[22] = char(i);
        out.push_back(f);
    }
    return out;
}

bool write_pcap(const QString& path, const std::vector<QByteArray>& frames)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
    auto u16 = [&](uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
    u32(0xa1b2c3d4);
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(65535);
    u32(1);
    for (const QByteArray& fr : frames) {
        u32(1);
        u32(0);
        u32(uint32_t(fr.size()));
        u32(uint32_t(fr.size()));
        f.write(fr);
    }
    return true;
}

int run(const QString& program, const QStringList& args, QByteArray* out = nullptr, bool with_stderr = true)
{
    const int timeout_ms = 60000;
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput() + (with_stderr ? p.readAllStandardError() : QByteArray());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

struct ReadBack {
    std::vector<QByteArray> packets;
    std::vector<InterfaceStatistics> stats;
    bool ok = false;
    QString error;
};

ReadBack read_capture(const QString& path)
{
    ReadBack r;
    std::string err;
    auto reader = CaptureReader::open_path(path.toStdString(), err);
    if (!reader) {
        r.error = QString::fromStdString(err);
        return r;
    }
    PacketRecord rec;
    while (reader->next(rec) == CaptureReader::Status::Packet)
        r.packets.emplace_back(reinterpret_cast<const char*>(rec.data.data()), qsizetype(rec.data.size()));
    r.stats = reader->statistics();
    r.ok = !reader->truncated();
    if (!r.ok && !reader->warnings().empty())
        r.error = QString::fromStdString(reader->warnings().front());
    return r;
}

} // namespace

class TestCaptureLive : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();
    void everyFrameOnceByteIdentical_data();
    void everyFrameOnceByteIdentical();
    void captureFilterApplied();
    void checkFilterRejectsBadFilter();
    void stalledConsumerCountsEveryDrop();
    void interfaceDeletedMidCapture();
    void consumerClosingEndsPromptly();
    void unprivilegedWithFileCapabilities();
    void ringFilesRotate();
    void severalInterfacesAndCount();
    void diskFullLeavesWholeBlocks();

private:
    QProcess* start_helper(const QStringList& args);
    bool wait_started(QProcess* p);
    bool send(const std::vector<QByteArray>& frames, const QStringList& extra = {});

    QTemporaryDir dir_;
    QString ns_a_, ns_b_;
    QString veth_a_ = "uhcapa", veth_b_ = "uhcapb";
};

void TestCaptureLive::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("live capture tests need root to create network namespaces (CI runs them as root)");
    if (QStandardPaths::findExecutable("ip").isEmpty() || QStandardPaths::findExecutable("tcpreplay").isEmpty())
        QSKIP("live capture tests need iproute2 and tcpreplay");
    QVERIFY(QFileInfo(kHelper).isExecutable());
    QVERIFY(dir_.isValid());
    ns_a_ = QString("uhtest%1a").arg(getpid());
    ns_b_ = QString("uhtest%1b").arg(getpid());
}

void TestCaptureLive::init()
{
    QCOMPARE(run("ip", {"netns", "add", ns_a_}), 0);
    QCOMPARE(run("ip", {"netns", "add", ns_b_}), 0);
    QCOMPARE(run("ip", {"link", "add", veth_a_, "netns", ns_a_, "type", "veth", "peer", "name", veth_b_, "netns", ns_b_}),
             0);
    for (const QString& ns : {ns_a_, ns_b_}) {
        run("ip", {"netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"});
        run("ip", {"netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"});
    }
    QCOMPARE(run("ip", {"-n", ns_a_, "link", "set", veth_a_, "up"}), 0);
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", veth_b_, "up"}), 0);
}

void TestCaptureLive::cleanup()
{
    run("ip", {"netns", "del", ns_a_});
    run("ip", {"netns", "del", ns_b_});
}

void TestCaptureLive::cleanupTestCase() {}

QProcess* TestCaptureLive::start_helper(const QStringList& args)
{
    auto* p = new QProcess(this);
    p->setProcessChannelMode(QProcess::SeparateChannels);
    p->start("ip", QStringList{"netns", "exec", ns_b_, kHelper, "-i", veth_b_, "--stats-interval", "200"} + args);
    return p;
}

bool TestCaptureLive::wait_started(QProcess* p)
{
    QElapsedTimer t;
    t.start();
    QByteArray err;
    while (t.elapsed() < 10000) {
        p->waitForReadyRead(100);
        err += p->readAllStandardError();
        if (err.contains("capturing on"))
            return true;
        if (p->state() == QProcess::NotRunning)
            break;
    }
    qWarning("helper did not start: %s", err.constData());
    return false;
}

bool TestCaptureLive::send(const std::vector<QByteArray>& frames, const QStringList& extra)
{
    const QString pcap = dir_.filePath("send.pcap");
    if (!write_pcap(pcap, frames))
        return false;
    QByteArray out;
    int rc = run("ip", QStringList{"netns", "exec", ns_a_, "tcpreplay", "-q", "-i", veth_a_} + extra + QStringList{pcap},
                 &out);
    if (rc != 0)
        qWarning("tcpreplay: %s", out.constData());
    return rc == 0;
}

void TestCaptureLive::everyFrameOnceByteIdentical_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("afpacket") << "afpacket";
    QTest::newRow("pcap") << "pcap";
}

void TestCaptureLive::everyFrameOnceByteIdentical()
{
    QFETCH(QString, backend);
    const QString out = dir_.filePath("every-" + backend + ".pcapng");
    QProcess* h = start_helper({"--backend", backend, "-w", out});
    QVERIFY(wait_started(h));
    auto frames = make_frames(2000);
    QVERIFY(send(frames, {"--pps", "20000"}));
    QTest::qWait(400);
    ::kill(pid_t(h->processId()), SIGTERM);
    QVERIFY(h->waitForFinished(10000));
    QCOMPARE(h->exitStatus(), QProcess::NormalExit);
    QCOMPARE(h->exitCode(), 0);

    ReadBack r = read_capture(out);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.packets.size(), frames.size());
    for (size_t i = 0; i < frames.size(); ++i)
        QVERIFY2(r.packets[i] == frames[i], qPrintable(QString("frame %1 differs (%2 vs %3 bytes)")
                                                          .arg(i).arg(r.packets[i].size()).arg(frames[i].size())));
    QVERIFY(!r.stats.empty());
    const InterfaceStatistics& last = r.stats.back();
    QVERIFY(last.ifrecv && last.osdrop && last.filteraccept && last.usrdeliv && last.ifdrop);
    QCOMPARE(*last.ifrecv, uint64_t(frames.size()));
    QCOMPARE(*last.osdrop, uint64_t(0));
    QCOMPARE(*last.filteraccept, *last.ifrecv - *last.osdrop);
    QCOMPARE(*last.usrdeliv, uint64_t(r.packets.size()));

    // tshark reads our stream too, when installed.
    if (!QStandardPaths::findExecutable("tshark").isEmpty()) {
        QByteArray n;
        QCOMPARE(run("tshark", {"-r", out, "-T", "fields", "-e", "frame.number"}, &n, false), 0);
        QCOMPARE(n.trimmed().split('\n').size(), qsizetype(frames.size()));
    }
}

void TestCaptureLive::captureFilterApplied()
{
    const QString out = dir_.filePath("filter.pcapng");
    QProcess* h = start_helper({"-f", "ether proto 0x88b6", "-w", out});
    QVERIFY(wait_started(h));
    auto wanted = make_frames(300, 0x88B6, 0);
    auto others = make_frames(300, 0x88B5, 0);
    std::vector<QByteArray> mixed;
    for (size_t i = 0; i < wanted.size(); ++i) {
        mixed.push_back(others[i]);
        mixed.push_back(wanted[i]);
    }
    QVERIFY(send(mixed, {"--pps", "20000"}));
    QTest::qWait(300);
    ::kill(pid_t(h->processId()), SIGTERM);
    QVERIFY(h->waitForFinished(10000));
    QCOMPARE(h->exitCode(), 0);
    ReadBack r = read_capture(out);
    QVERIFY(r.ok);
    QCOMPARE(r.packets.size(), wanted.size());
    QCOMPARE(r.packets.front(), wanted.front());
    QCOMPARE(*r.stats.back().ifrecv, uint64_t(wanted.size())); // the filter runs before the counters
}

void TestCaptureLive::checkFilterRejectsBadFilter()
{
    QByteArray out;
    QCOMPARE(run(kHelper, {"--check-filter", "tcp port 80"}, &out), 0);
    QVERIFY(out.contains("ret"));
    QCOMPARE(run(kHelper, {"--check-filter", "tcp port eighty"}, &out), 5);
    QVERIFY2(out.contains("bad capture filter") && out.contains("eighty"), out.constData());
    QVERIFY(!out.trimmed().contains('\n'));
    // A bad -f fails before capturing, with the same message.
    QCOMPARE(run("ip", {"netns", "exec", ns_b_, kHelper, "-i", veth_b_, "-f", "host", "-w", dir_.filePath("x")}, &out),
             5);
    QVERIFY(out.contains("bad capture filter"));
    QCOMPARE(run(kHelper, {"-i", "no-such-if0", "-w", dir_.filePath("x")}, &out), 3);
    QVERIFY(out.contains("no such interface"));
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", veth_b_, "down"}), 0);
    QCOMPARE(run("ip", {"netns", "exec", ns_b_, kHelper, "-i", veth_b_, "-w", dir_.filePath("x")}, &out), 4);
    QVERIFY(out.contains("down"));
}

void TestCaptureLive::stalledConsumerCountsEveryDrop()
{
    // 1 MiB of kernel ring, 2 MiB of queue, and a reader that stalls: the
    // helper must drop and count, never block the ring.
    QProcess* h = start_helper({"-B", "1", "--queue", "2", "-w", "-"});
    QVERIFY(wait_started(h));
    auto frames = make_frames(40000, 0x88B5, 0);
    QVERIFY(send(frames, {"--pps", "25000"})); // about 1.6 s, nobody reading
    QTest::qWait(1500);
    ::kill(pid_t(h->processId()), SIGTERM);
    QByteArray stream;
    QElapsedTimer t;
    t.start();
    while (h->state() != QProcess::NotRunning && t.elapsed() < 20000) {
        h->waitForReadyRead(100);
        stream += h->readAllStandardOutput();
    }
    stream += h->readAllStandardOutput();
    QCOMPARE(h->exitCode(), 0);
    const QString path = dir_.filePath("stalled.pcapng");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(stream);
    f.close();
    ReadBack r = read_capture(path);
    QVERIFY2(r.ok, qPrintable(r.error));
    const InterfaceStatistics& last = r.stats.back();
    QCOMPARE(*last.ifrecv, uint64_t(frames.size()));
    QCOMPARE(*last.filteraccept, *last.ifrecv - *last.osdrop);
    QCOMPARE(*last.usrdeliv, uint64_t(r.packets.size()));
    uint64_t dropped = *last.osdrop + (*last.filteraccept - *last.usrdeliv);
    qInfo("sent %zu, kernel dropped %llu, helper dropped %llu, delivered %zu", frames.size(),
          (unsigned long long)*last.osdrop, (unsigned long long)(*last.filteraccept - *last.usrdeliv), r.packets.size());
    QVERIFY2(dropped > 0, "a stalled reader must cause counted drops");
    QCOMPARE(uint64_t(r.packets.size()) + dropped, uint64_t(frames.size()));
}

void TestCaptureLive::interfaceDeletedMidCapture()
{
    const QString out = dir_.filePath("deleted.pcapng");
    QProcess* h = start_helper({"-w", out});
    QVERIFY(wait_started(h));
    QVERIFY(send(make_frames(100), {"--pps", "10000"}));
    QTest::qWait(300);
    QCOMPARE(run("ip", {"-n", ns_a_, "link", "del", veth_a_}), 0);
    QVERIFY(h->waitForFinished(10000));
    QCOMPARE(h->exitCode(), 6);
    QByteArray err = h->readAllStandardError();
    QVERIFY2(err.contains("error:"), err.constData());
    ReadBack r = read_capture(out);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.packets.size(), size_t(100));
    QVERIFY(!r.stats.empty());
    QCOMPARE(*r.stats.back().usrdeliv, uint64_t(100));
}

void TestCaptureLive::consumerClosingEndsPromptly()
{
    // The app's way: one end of a socketpair inherited as --fd 3.
    int sv[2];
    QCOMPARE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    auto* h = new QProcess(this);
    const int child_end = sv[1];
    h->setChildProcessModifier([child_end] { ::dup2(child_end, 3); });
    h->start("ip", {"netns", "exec", ns_b_, kHelper, "-i", veth_b_, "--stats-interval", "200", "--fd", "3"});
    ::close(sv[1]);
    QVERIFY(wait_started(h));
    char head[4];
    QCOMPARE(::read(sv[0], head, 4), ssize_t(4));
    QCOMPARE(QByteArray(head, 4), QByteArray("\x0a\x0d\x0d\x0a", 4)); // a pcapng section header
    ::close(sv[0]);
    QElapsedTimer t;
    t.start();
    QVERIFY(h->waitForFinished(5000));
    QVERIFY(t.elapsed() < 3000);
    QCOMPARE(h->exitCode(), 8);
}

void TestCaptureLive::unprivilegedWithFileCapabilities()
{
    if (QStandardPaths::findExecutable("setcap").isEmpty() || QStandardPaths::findExecutable("setpriv").isEmpty())
        QSKIP("needs setcap (libcap2-bin) and setpriv (util-linux)");
    QTemporaryDir bin("/tmp/uhcap-XXXXXX");
    QVERIFY(bin.isValid());
    QFile::setPermissions(bin.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther |
                                          QFile::ExeOther | QFile::ReadGroup | QFile::ExeGroup);
    const QString copy = bin.filePath("underhood-capture");
    QVERIFY(QFile::copy(kHelper, copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther |
                                    QFile::ExeOther | QFile::ReadGroup | QFile::ExeGroup);
    const QStringList as_nobody{"netns", "exec", ns_b_, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                "--"};
    // Without the capabilities: exit 2 and the way to fix it.
    QByteArray out;
    QCOMPARE(run("ip", as_nobody + QStringList{copy, "-i", veth_b_, "-w", "-"}, &out), 2);
    QVERIFY2(out.contains("setcap cap_net_raw,cap_net_admin=eip"), out.constData());

    QCOMPARE(run("setcap", {"cap_net_raw,cap_net_admin=eip", copy}), 0);
    QProcess h;
    h.start("ip", as_nobody + QStringList{copy, "-i", veth_b_, "--stats-interval", "200", "-w", "-"});
    QVERIFY(wait_started(&h));
    QVERIFY(send(make_frames(50), {"--pps", "10000"}));
    QTest::qWait(300);
    // While capturing it holds no capability and cannot gain one.
    QFile status(QString("/proc/%1/status").arg(h.processId()));
    QVERIFY(status.open(QIODevice::ReadOnly));
    QByteArray s = status.readAll();
    QVERIFY2(s.contains("CapPrm:\t0000000000000000") && s.contains("CapEff:\t0000000000000000"), s.constData());
    QVERIFY(s.contains("NoNewPrivs:\t1"));
#if !defined(__SANITIZE_ADDRESS__)
    QVERIFY(s.contains("Seccomp:\t2")); // sanitizer builds run without the filter
#endif
    QVERIFY(s.contains("Uid:\t65534"));
    ::kill(pid_t(h.processId()), SIGTERM);
    QByteArray stream;
    while (h.state() != QProcess::NotRunning) {
        h.waitForReadyRead(100);
        stream += h.readAllStandardOutput();
    }
    stream += h.readAllStandardOutput();
    QCOMPARE(h.exitCode(), 0);
    QFile f(dir_.filePath("nobody.pcapng"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(stream);
    f.close();
    ReadBack r = read_capture(f.fileName());
    QVERIFY(r.ok);
    QCOMPARE(r.packets.size(), size_t(50));
}

void TestCaptureLive::ringFilesRotate()
{
    QTemporaryDir ring;
    QVERIFY(ring.isValid());
    const QString base = ring.filePath("ring.pcapng");
    QProcess* h = start_helper({"-w", base, "--ring-files", "3", "--file-size", "1"});
    QVERIFY(wait_started(h));
    auto frames = make_frames(6000, 0x88B5, 0); // about 4.4 MB: four files' worth
    QVERIFY(send(frames, {"--pps", "30000"}));
    QTest::qWait(400);
    ::kill(pid_t(h->processId()), SIGTERM);
    QVERIFY(h->waitForFinished(10000));
    QCOMPARE(h->exitCode(), 0);
    QStringList files = QDir(ring.path()).entryList({"ring_*.pcapng"}, QDir::Files, QDir::Name);
    QCOMPARE(files.size(), 3); // the oldest were deleted
    QVERIFY2(files.last() > "ring_00003", qPrintable(files.join(' ')));
    size_t packets = 0;
    for (const QString& f : files) {
        ReadBack r = read_capture(ring.filePath(f));
        QVERIFY2(r.ok, qPrintable(f + ": " + r.error));
        QVERIFY2(!r.stats.empty(), qPrintable(f + " has no statistics block"));
        packets += r.packets.size();
    }
    // The newest file's last statistics block counts everything delivered.
    ReadBack last = read_capture(ring.filePath(files.last()));
    QCOMPARE(*last.stats.back().usrdeliv, uint64_t(frames.size()));
    QVERIFY(packets < frames.size());
}

void TestCaptureLive::severalInterfacesAndCount()
{
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", "lo", "up"}), 0);
    const QString out = dir_.filePath("two.pcapng");
    QProcess* h = start_helper({"-i", "lo", "-c", "150", "-w", out});
    QVERIFY(wait_started(h));
    QVERIFY(send(make_frames(400, 0x88B5, 0), {"--pps", "10000"}));
    QVERIFY(h->waitForFinished(10000)); // -c ends it
    QCOMPARE(h->exitCode(), 0);
    std::string err;
    auto reader = CaptureReader::open_path(out.toStdString(), err);
    QVERIFY(reader);
    PacketRecord rec;
    size_t n = 0;
    while (reader->next(rec) == CaptureReader::Status::Packet) {
        QCOMPARE(rec.interface_id, 0u); // all sent over the veth, none on lo
        ++n;
    }
    QCOMPARE(n, size_t(150));
    QCOMPARE(reader->interfaces().size(), size_t(2));
    QCOMPARE(QString::fromStdString(reader->interfaces()[1].name), QString("lo"));
    std::set<uint32_t> with_stats;
    for (const auto& st : reader->statistics())
        with_stats.insert(st.interface_id);
    QCOMPARE(with_stats.size(), size_t(2));
}

void TestCaptureLive::diskFullLeavesWholeBlocks()
{
    QTemporaryDir mnt("/tmp/uhfull-XXXXXX");
    QVERIFY(mnt.isValid());
    if (run("mount", {"-t", "tmpfs", "-o", "size=512k", "tmpfs", mnt.path()}) != 0)
        QSKIP("cannot mount a small tmpfs here");
    auto unmount = qScopeGuard([&] { run("umount", {mnt.path()}); });
    const QString out = mnt.filePath("full.pcapng");
    QProcess* h = start_helper({"-w", out});
    QVERIFY(wait_started(h));
    QVERIFY(send(make_frames(3000, 0x88B5, 0), {"--pps", "30000"}));
    QVERIFY(h->waitForFinished(10000));
    QCOMPARE(h->exitCode(), 7);
    QByteArray err = h->readAllStandardError();
    QVERIFY2(err.contains("error:"), err.constData());
    // What is on the disk ends with a whole block: readable to the end, no truncation.
    ReadBack r = read_capture(out);
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(r.packets.size() > 100);
}

QTEST_GUILESS_MAIN(TestCaptureLive)
#include "test_capture_live.moc"
