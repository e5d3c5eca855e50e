// underhood-capture end to end: two network namespaces joined by a veth pair
// (IPv6 off, no addresses, so the kernel sends nothing of its own), frames
// sent from one side with tcpreplay and captured on the other by the real
// helper. Where a count depends on the kernel (loopback, VLAN tags, tunnels),
// tcpdump captures the same traffic with the same filter beside the helper
// and its count is the reference. Needs root (CI runs as root); skips otherwise.
#include "test_pcap.h"
#include "capture_reader.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <linux/if_tun.h>
#include <map>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <optional>
#include <sched.h>
#include <set>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <thread>
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

// What a pcapng file of the helper holds, read block by block here rather
// than by the reader under test: packets per interface and every statistics
// block with its options.
struct StatisticsBlock {
    uint32_t interface_id = 0;
    std::optional<uint64_t> ifrecv, ifdrop, filteraccept, osdrop, usrdeliv;
    QByteArray comment; // the first opt_comment
};

struct PcapngScan {
    bool whole = false; // ends with a whole block
    QByteArray user_appl;
    std::vector<uint16_t> link_types; // per interface
    std::map<uint32_t, uint64_t> packets; // EPBs per interface
    uint64_t total_packets = 0;
    std::vector<StatisticsBlock> statistics;

    // The last statistics block of an interface, if any.
    const StatisticsBlock* last_statistics(uint32_t itf) const
    {
        for (auto it = statistics.rbegin(); it != statistics.rend(); ++it)
            if (it->interface_id == itf)
                return &*it;
        return nullptr;
    }
    uint64_t max_delivered() const
    {
        uint64_t n = 0;
        for (const StatisticsBlock& s : statistics)
            n = std::max(n, s.usrdeliv.value_or(0));
        return n;
    }
};

PcapngScan scan_pcapng(const QByteArray& bytes)
{
    PcapngScan scan;
    auto u32 = [&](qsizetype at) {
        uint32_t v;
        std::memcpy(&v, bytes.constData() + at, 4);
        return v;
    };
    auto u16 = [&](qsizetype at) {
        uint16_t v;
        std::memcpy(&v, bytes.constData() + at, 2);
        return v;
    };
    // Options from `at` to `end`: calls `take(code, offset, length)`.
    auto options = [&](qsizetype at, qsizetype end, const auto& take) {
        while (at + 4 <= end) {
            const uint16_t code = u16(at), len = u16(at + 2);
            if (code == 0 || at + 4 + len > end)
                break;
            take(code, at + 4, len);
            at += 4 + ((len + 3) & ~3);
        }
    };
    qsizetype off = 0;
    while (off + 12 <= bytes.size()) {
        const uint32_t type = u32(off), len = u32(off + 4);
        if (len < 12 || len % 4 || off + len > bytes.size() || u32(off + len - 4) != len)
            return scan;
        const qsizetype end = off + len - 4;
        if (type == 0x0A0D0D0A) {
            if (u32(off + 8) != 0x1A2B3C4D)
                return scan; // written on this host, so in its byte order
            options(off + 24, end, [&](uint16_t code, qsizetype at, uint16_t n) {
                if (code == 4)
                    scan.user_appl = bytes.mid(at, n);
            });
        } else if (type == 1) {
            scan.link_types.push_back(u16(off + 8));
        } else if (type == 6) {
            ++scan.packets[u32(off + 8)];
            ++scan.total_packets;
        } else if (type == 5) {
            StatisticsBlock st;
            st.interface_id = u32(off + 8);
            options(off + 20, end, [&](uint16_t code, qsizetype at, uint16_t n) {
                auto value = [&] {
                    uint64_t v = 0;
                    std::memcpy(&v, bytes.constData() + at, std::min<size_t>(n, 8));
                    return v;
                };
                switch (code) {
                case 1: // the first; the helper's NIC-health record follows it
                    if (st.comment.isEmpty())
                        st.comment = bytes.mid(at, n);
                    break;
                case 4: st.ifrecv = value(); break;
                case 5: st.ifdrop = value(); break;
                case 6: st.filteraccept = value(); break;
                case 7: st.osdrop = value(); break;
                case 8: st.usrdeliv = value(); break;
                }
            });
            scan.statistics.push_back(st);
        }
        off += len;
    }
    scan.whole = off == bytes.size();
    return scan;
}

PcapngScan scan_pcapng_file(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return scan_pcapng(f.readAll());
}

// Records in a classic pcap file as tcpdump writes it (a record still being
// written does not count).
qint64 pcap_records(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray b = f.readAll();
    if (b.size() < 24)
        return 0;
    uint32_t magic;
    std::memcpy(&magic, b.constData(), 4);
    const bool swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    qint64 n = 0;
    for (qsizetype off = 24; off + 16 <= b.size(); ++n) {
        uint32_t caplen;
        std::memcpy(&caplen, b.constData() + off + 8, 4);
        if (swapped)
            caplen = __builtin_bswap32(caplen);
        if (off + 16 + qsizetype(caplen) > b.size())
            break;
        off += 16 + caplen;
    }
    return n;
}

// Polls `done` until it holds or `timeout_ms` passes.
bool wait_until(const std::function<bool()>& done, int timeout_ms = 10000)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeout_ms)
            return false;
        QTest::qWait(20);
    }
    return true;
}

// Runs `fn` on a thread that joined network namespace `ns`: setns() moves
// only the calling thread, and sockets and tun devices opened there stay in
// that namespace while the test itself stays where it is.
bool in_netns(const QString& ns, const std::function<bool()>& fn)
{
    bool ok = false;
    std::thread t([&] {
        const int fd = ::open(QByteArray("/run/netns/" + ns.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        if (::setns(fd, CLONE_NEWNET) == 0)
            ok = fn();
        ::close(fd);
    });
    t.join();
    return ok;
}

uint16_t ip_checksum(const QByteArray& header)
{
    uint32_t sum = 0;
    for (qsizetype i = 0; i + 1 < header.size(); i += 2)
        sum += uint32_t(uint8_t(header[i]) << 8 | uint8_t(header[i + 1]));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

// An IPv4 packet from 10.9.0.`src` to 10.9.0.`dst`: UDP to port 5000 or an ICMP echo request.
QByteArray ipv4_packet(int src, int dst, bool udp, int seq, int payload = 32)
{
    QByteArray l4;
    if (udp) {
        l4.append("\x9c\x40\x13\x88", 4); // 40000 -> 5000
        const uint16_t len = uint16_t(8 + payload);
        l4.append(char(len >> 8)).append(char(len & 0xff)).append("\0\0", 2);
    } else {
        l4.append("\x08\x00\x00\x00\x12\x34", 6);
        l4.append(char(seq >> 8)).append(char(seq & 0xff));
    }
    for (int i = 0; i < payload; ++i)
        l4.append(char(seq + i));
    if (!udp) {
        const uint16_t c = ip_checksum(l4);
        l4[2] = char(c >> 8);
        l4[3] = char(c & 0xff);
    }
    QByteArray ip("\x45\x00", 2);
    const uint16_t total = uint16_t(20 + l4.size());
    ip.append(char(total >> 8)).append(char(total & 0xff));
    ip.append(char(seq >> 8)).append(char(seq & 0xff)).append("\x40\x00", 2);
    ip.append(char(64)).append(char(udp ? 17 : 1)).append("\0\0", 2);
    ip.append("\x0a\x09\x00", 3).append(char(src));
    ip.append("\x0a\x09\x00", 3).append(char(dst));
    const uint16_t c = ip_checksum(ip);
    ip[10] = char(c >> 8);
    ip[11] = char(c & 0xff);
    return ip + l4;
}

// The packet in an Ethernet frame, with an 802.1Q tag when `vlan` >= 0.
QByteArray ether_frame(const QByteArray& ip, int vlan = -1)
{
    QByteArray f("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    if (vlan >= 0)
        f.append("\x81\x00", 2).append(char(vlan >> 8)).append(char(vlan & 0xff));
    f.append("\x08\x00", 2).append(ip);
    while (f.size() < 60)
        f.append('\0');
    return f;
}

const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
const QByteArray kFinalStatistics = "final statistics";

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
    void interfaceDeletedMidCapture_data();
    void interfaceDeletedMidCapture();
    void consumerClosingEndsPromptly();
    void unprivilegedWithFileCapabilities();
    void ringFilesRotate();
    void severalInterfacesAndCount();
    void diskFullLeavesWholeBlocks();
    void loopbackCountsEachPacketOnce();
    void vlanFiltersMatchTcpdump_data();
    void vlanFiltersMatchTcpdump();
    void tunFilterMatchesTcpdump_data();
    void tunFilterMatchesTcpdump();
    void stopMidFloodBalances_data();
    void stopMidFloodBalances();
    void finalStatisticsMarked();
    void sigkillLeavesFinalStatisticsMissing();
    void outputOpenedWithoutCapabilities();
    void everyThreadUnderSeccomp();

private:
    QProcess* start_helper(const QStringList& args);
    QProcess* start_in(const QString& ns, const QStringList& args);
    QProcess* start_tcpdump(const QString& ns, const QString& itf, const QString& filter, const QString& out);
    bool wait_started(QProcess* p);
    bool wait_stderr(QProcess* p, const QByteArray& needle, int timeout_ms = 10000);
    bool stop(QProcess* p, int sig = SIGTERM);
    qint64 stop_tcpdump(QProcess* p, const QString& out);
    bool send(const std::vector<QByteArray>& frames, const QStringList& extra = {});
    QString capable_copy(const QTemporaryDir& bin);
    QStringList as_nobody() const;

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
    return start_in(ns_b_, QStringList{"-i", veth_b_, "--stats-interval", "200"} + args);
}

QProcess* TestCaptureLive::start_in(const QString& ns, const QStringList& args)
{
    auto* p = new QProcess(this);
    p->setProcessChannelMode(QProcess::SeparateChannels);
    p->start("ip", QStringList{"netns", "exec", ns, kHelper} + args);
    return p;
}

// tcpdump as the reference: immediate mode and -U, so every packet it takes
// is in its file at once and a count of the file's records can be waited for.
// Immediate mode sizes ring slots by the snaplen on some interfaces (tun):
// 2048 bytes keep enough of them for the small test frames.
QProcess* TestCaptureLive::start_tcpdump(const QString& ns, const QString& itf, const QString& filter,
                                         const QString& out)
{
    auto* p = new QProcess(this);
    p->setProcessChannelMode(QProcess::SeparateChannels);
    QStringList args{"netns", "exec", ns, "tcpdump", "-Z", "root", "-i", itf, "-n", "-U", "--immediate-mode",
                     "-s", "2048", "-B", "4096", "-w", out};
    if (!filter.isEmpty())
        args << filter;
    p->start("ip", args);
    return p;
}

bool TestCaptureLive::wait_started(QProcess* p)
{
    return wait_stderr(p, "capturing on");
}

// Waits for `needle` on the process's standard error; what it read stays in
// the property "stderr" for later looks.
bool TestCaptureLive::wait_stderr(QProcess* p, const QByteArray& needle, int timeout_ms)
{
    QElapsedTimer t;
    t.start();
    QByteArray err = p->property("stderr").toByteArray();
    for (;;) {
        err += p->readAllStandardError();
        p->setProperty("stderr", err);
        if (err.contains(needle))
            return true;
        if (p->state() == QProcess::NotRunning || t.elapsed() > timeout_ms)
            break;
        p->waitForReadyRead(50);
    }
    qWarning("no '%s' from %s: %s", needle.constData(), qPrintable(p->arguments().join(' ')), err.constData());
    return false;
}

bool TestCaptureLive::stop(QProcess* p, int sig)
{
    ::kill(pid_t(p->processId()), sig);
    return p->waitForFinished(20000) && p->exitStatus() == QProcess::NormalExit;
}

// Stops tcpdump and counts what it wrote; -1 unless it says it dropped nothing.
qint64 TestCaptureLive::stop_tcpdump(QProcess* p, const QString& out)
{
    if (!stop(p, SIGINT))
        return -1;
    const QByteArray err = p->property("stderr").toByteArray() + p->readAllStandardError();
    if (!err.contains("\n0 packets dropped by kernel")) {
        qWarning("tcpdump: %s", err.constData());
        return -1;
    }
    return pcap_records(out);
}

bool TestCaptureLive::send(const std::vector<QByteArray>& frames, const QStringList& extra)
{
    const QString pcap = dir_.filePath("send.pcap");
    if (!write_pcap(pcap, frames, 1, 0))
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
    QVERIFY(wait_until([&] { return scan_pcapng_file(out).total_packets >= frames.size(); }));
    QVERIFY(stop(h));
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
    QVERIFY(wait_until([&] { return scan_pcapng_file(out).total_packets >= wanted.size(); }));
    QVERIFY(stop(h));
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
    // The helper has found its queue full and said so.
    QVERIFY(wait_stderr(h, "dropped so far"));
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

void TestCaptureLive::interfaceDeletedMidCapture_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("afpacket") << "afpacket";
    QTest::newRow("pcap") << "pcap";
}

void TestCaptureLive::interfaceDeletedMidCapture()
{
    QFETCH(QString, backend);
    const QString out = dir_.filePath("deleted-" + backend + ".pcapng");
    QProcess* h = start_helper({"--backend", backend, "-w", out});
    QVERIFY(wait_started(h));
    QVERIFY(send(make_frames(100), {"--pps", "10000"}));
    QVERIFY(wait_until([&] { return scan_pcapng_file(out).total_packets >= 100; }));
    QCOMPARE(run("ip", {"-n", ns_a_, "link", "del", veth_a_}), 0);
    QVERIFY(h->waitForFinished(10000));
    QCOMPARE(h->exitStatus(), QProcess::NormalExit);
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

// A copy of the helper that only root can change, with the file capabilities
// an installed helper has; the directory lets everyone in.
QString TestCaptureLive::capable_copy(const QTemporaryDir& bin)
{
    const auto everyone = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther |
                          QFile::ExeOther | QFile::ReadGroup | QFile::ExeGroup;
    QFile::setPermissions(bin.path(), everyone);
    const QString copy = bin.filePath("underhood-capture");
    if (!QFile::copy(kHelper, copy) || !QFile::setPermissions(copy, everyone))
        return {};
    return copy;
}

QStringList TestCaptureLive::as_nobody() const
{
    return {"netns", "exec", ns_b_, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
}

void TestCaptureLive::unprivilegedWithFileCapabilities()
{
    if (QStandardPaths::findExecutable("setcap").isEmpty() || QStandardPaths::findExecutable("setpriv").isEmpty())
        QSKIP("needs setcap (libcap2-bin) and setpriv (util-linux)");
    QTemporaryDir bin("/tmp/uhcap-XXXXXX");
    QVERIFY(bin.isValid());
    const QString copy = capable_copy(bin);
    QVERIFY(!copy.isEmpty());
    // Without the capabilities: exit 2 and the way to fix it.
    QByteArray out;
    QCOMPARE(run("ip", as_nobody() + QStringList{copy, "-i", veth_b_, "-w", "-"}, &out), 2);
    QVERIFY2(out.contains("setcap cap_net_raw,cap_net_admin=eip"), out.constData());

    QCOMPARE(run("setcap", {"cap_net_raw,cap_net_admin=eip", copy}), 0);
    QProcess h;
    h.start("ip", as_nobody() + QStringList{copy, "-i", veth_b_, "--stats-interval", "200", "-w", "-"});
    QVERIFY(wait_started(&h));
    QVERIFY(send(make_frames(50), {"--pps", "10000"}));
    QByteArray stream;
    QVERIFY(wait_until([&] {
        stream += h.readAllStandardOutput();
        return scan_pcapng(stream).total_packets >= 50;
    }));
    // While capturing it holds no capability and cannot gain one.
    QFile status(QString("/proc/%1/status").arg(h.processId()));
    QVERIFY(status.open(QIODevice::ReadOnly));
    QByteArray s = status.readAll();
    QVERIFY2(s.contains("CapPrm:\t0000000000000000") && s.contains("CapEff:\t0000000000000000"), s.constData());
    QVERIFY(s.contains("NoNewPrivs:\t1"));
    QVERIFY(s.contains("Seccomp:\t2")); // (sanitizer builds: a filter that only logs)
    QVERIFY(s.contains("Uid:\t65534"));
    ::kill(pid_t(h.processId()), SIGTERM);
    QElapsedTimer t;
    t.start();
    while (h.state() != QProcess::NotRunning && t.elapsed() < 20000) {
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
    // A periodic statistics block in the newest file counts every frame.
    QVERIFY(wait_until([&] {
        const QStringList now = QDir(ring.path()).entryList({"ring_*.pcapng"}, QDir::Files, QDir::Name);
        return !now.isEmpty() && scan_pcapng_file(ring.filePath(now.last())).max_delivered() >= frames.size();
    }));
    QVERIFY(stop(h));
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
        // Each file ends with statistics marked final, so it can be read on its own.
        const PcapngScan scan = scan_pcapng_file(ring.filePath(f));
        const StatisticsBlock* last = scan.last_statistics(0);
        QVERIFY2(last && last->comment == kFinalStatistics, qPrintable(f + ": last statistics not marked final"));
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

void TestCaptureLive::loopbackCountsEachPacketOnce()
{
    // AF_PACKET hands a socket on lo both the outgoing and the incoming copy
    // of every packet; tcpdump shows each once.
    if (QStandardPaths::findExecutable("tcpdump").isEmpty())
        QSKIP("needs tcpdump as the reference");
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", "lo", "up"}), 0);
    const QString reference = dir_.filePath("lo-tcpdump.pcap");
    QProcess* td = start_tcpdump(ns_b_, "lo", {}, reference);
    QVERIFY(wait_stderr(td, "listening on"));
    std::map<QString, QString> outs;
    std::map<QString, QProcess*> helpers;
    for (const QString backend : {"afpacket", "pcap"}) {
        outs[backend] = dir_.filePath("lo-" + backend + ".pcapng");
        helpers[backend] =
            start_in(ns_b_, {"-i", "lo", "--backend", backend, "--stats-interval", "200", "-w", outs[backend]});
        QVERIFY(wait_started(helpers[backend]));
    }
    // Ten datagrams to a closed port, each answered by an ICMP port unreachable.
    QVERIFY(in_netns(ns_b_, [] {
        const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
            return false;
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(9);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bool ok = true;
        for (int i = 0; i < 10; ++i)
            ok = ok && ::sendto(s, "underhood", 9, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 9;
        ::close(s);
        return ok;
    }));
    QVERIFY(wait_until([&] { return pcap_records(reference) >= 20; }));
    const qint64 expected = pcap_records(reference);
    for (const auto& [backend, path] : outs) {
        const QString& p = path;
        QVERIFY2(wait_until([&] { return qint64(scan_pcapng_file(p).total_packets) >= expected; }),
                 qPrintable(backend));
    }
    for (const auto& [backend, h] : helpers) {
        QVERIFY(stop(h));
        QCOMPARE(h->exitCode(), 0);
    }
    const qint64 tcpdump = stop_tcpdump(td, reference);
    QVERIFY(tcpdump >= 0);
    qInfo("tcpdump on lo: %lld packets", tcpdump);
    for (const auto& [backend, path] : outs) {
        const PcapngScan scan = scan_pcapng_file(path);
        QVERIFY2(scan.whole, qPrintable(path));
        QVERIFY2(qint64(scan.total_packets) == tcpdump,
                 qPrintable(QString("%1 wrote %2 packets, tcpdump %3").arg(backend).arg(scan.total_packets).arg(tcpdump)));
        const StatisticsBlock* last = scan.last_statistics(0);
        QVERIFY(last && last->ifrecv && last->osdrop && last->filteraccept && last->usrdeliv);
        // The kernel's own count leaves the outgoing copies out as well.
        QVERIFY2(*last->ifrecv == uint64_t(tcpdump),
                 qPrintable(QString("%1: isb_ifrecv %2, tcpdump %3").arg(backend).arg(*last->ifrecv).arg(tcpdump)));
        QCOMPARE(*last->filteraccept, *last->ifrecv - *last->osdrop);
        QCOMPARE(*last->usrdeliv, scan.total_packets);
    }
}

void TestCaptureLive::vlanFiltersMatchTcpdump_data()
{
    // Traffic: 30 UDP and 10 ICMP in VLAN 100, 20 UDP in VLAN 200, 15 UDP
    // and 5 ICMP untagged. The kernel takes the tags out before any filter
    // runs; `expected` is what tcpdump should count.
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("expected");
    QTest::newRow("vlan") << "vlan" << 60;
    QTest::newRow("vlan and udp") << "vlan and udp" << 50;
    QTest::newRow("vlan 100") << "vlan 100" << 40;
    QTest::newRow("not vlan") << "not vlan" << 20;
}

void TestCaptureLive::vlanFiltersMatchTcpdump()
{
    QFETCH(QString, filter);
    QFETCH(int, expected);
    if (QStandardPaths::findExecutable("tcpdump").isEmpty())
        QSKIP("needs tcpdump as the reference");
    struct Kind {
        int count, vlan;
        bool udp;
    };
    const Kind kinds[] = {{30, 100, true}, {10, 100, false}, {20, 200, true}, {15, -1, true}, {5, -1, false}};
    std::vector<QByteArray> frames;
    for (const Kind& k : kinds)
        for (int i = 0; i < k.count; ++i)
            frames.push_back(ether_frame(ipv4_packet(1, 2, k.udp, int(frames.size())), k.vlan));
    // Interleave the kinds.
    std::vector<QByteArray> mixed;
    for (size_t i = 0; i < frames.size(); ++i)
        mixed.push_back(frames[(i * 37) % frames.size()]);

    const QString tag = QString(filter).replace(' ', '-');
    const QString reference = dir_.filePath("vlan-" + tag + ".pcap");
    QProcess* td = start_tcpdump(ns_b_, veth_b_, filter, reference);
    QVERIFY(wait_stderr(td, "listening on"));
    std::map<QString, QString> outs;
    std::map<QString, QProcess*> helpers;
    for (const QString backend : {"afpacket", "pcap"}) {
        outs[backend] = dir_.filePath("vlan-" + tag + "-" + backend + ".pcapng");
        helpers[backend] = start_helper({"--backend", backend, "-B", "4", "-f", filter, "-w", outs[backend]});
        QVERIFY(wait_started(helpers[backend]));
    }
    QVERIFY(send(mixed, {"--pps", "2000"}));
    QVERIFY(wait_until([&] { return pcap_records(reference) >= expected; }));
    const qint64 seen = pcap_records(reference);
    for (const auto& [backend, path] : outs) {
        const QString& p = path;
        wait_until([&] { return qint64(scan_pcapng_file(p).total_packets) >= seen; }, 3000);
    }
    for (const auto& [backend, h] : helpers) {
        QVERIFY(stop(h));
        QCOMPARE(h->exitCode(), 0);
    }
    const qint64 tcpdump = stop_tcpdump(td, reference);
    QVERIFY(tcpdump >= 0);
    qInfo("-f '%s': tcpdump %lld of %zu frames", qPrintable(filter), tcpdump, mixed.size());
    for (const auto& [backend, path] : outs) {
        const PcapngScan scan = scan_pcapng_file(path);
        QVERIFY2(scan.whole, qPrintable(path));
        QVERIFY2(qint64(scan.total_packets) == tcpdump,
                 qPrintable(QString("%1 wrote %2 packets, tcpdump %3").arg(backend).arg(scan.total_packets).arg(tcpdump)));
        const StatisticsBlock* last = scan.last_statistics(0);
        QVERIFY(last && last->ifrecv && last->osdrop && last->filteraccept && last->usrdeliv);
        QCOMPARE(*last->ifrecv, uint64_t(tcpdump)); // the filter runs before the kernel counts
        QCOMPARE(*last->filteraccept, *last->ifrecv - *last->osdrop);
        QCOMPARE(*last->usrdeliv, scan.total_packets);
    }
    // The tags are back in the frames, as tcpdump wrote them.
    ReadBack ours = read_capture(outs["afpacket"]);
    QVERIFY(ours.ok);
    for (const QByteArray& f : ours.packets)
        QVERIFY(std::find(frames.begin(), frames.end(), f) != frames.end());
}

void TestCaptureLive::tunFilterMatchesTcpdump_data()
{
    // Written into a tun device: 25 UDP and 15 ICMP from 10.9.0.1 to
    // 10.9.0.7, 10 UDP from 10.9.0.3 to 10.9.0.8. As it is, the device has
    // no link-layer header (raw IP); called PPP, libpcap captures on it with
    // its cooked header.
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("expected");
    QTest::addColumn<bool>("as_ppp");
    QTest::newRow("raw udp") << "udp" << 35 << false;
    QTest::newRow("raw host") << "host 10.9.0.7" << 40 << false;
    QTest::newRow("cooked udp") << "udp" << 35 << true;
    QTest::newRow("cooked inbound and host") << "inbound and host 10.9.0.8" << 10 << true;
}

void TestCaptureLive::tunFilterMatchesTcpdump()
{
    QFETCH(QString, filter);
    QFETCH(int, expected);
    QFETCH(bool, as_ppp);
    if (QStandardPaths::findExecutable("tcpdump").isEmpty())
        QSKIP("needs tcpdump as the reference");
    if (!QFileInfo::exists("/dev/net/tun"))
        QSKIP("needs /dev/net/tun");
    // The device lives as long as this descriptor, in the capture namespace.
    int tun = -1;
    QVERIFY(in_netns(ns_b_, [&] {
        tun = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (tun < 0)
            return false;
        ifreq ifr{};
        ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
        std::strncpy(ifr.ifr_name, "uhtun0", IFNAMSIZ - 1);
        return ::ioctl(tun, TUNSETIFF, &ifr) == 0 && (!as_ppp || ::ioctl(tun, TUNSETLINK, ARPHRD_PPP) == 0);
    }));
    auto close_tun = qScopeGuard([&] { ::close(tun); });
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", "uhtun0", "up"}), 0);

    const QString tag = QString(QTest::currentDataTag()).replace(' ', '-');
    const QString reference = dir_.filePath("tun-" + tag + ".pcap");
    QProcess* td = start_tcpdump(ns_b_, "uhtun0", filter, reference);
    QVERIFY(wait_stderr(td, "listening on"));
    std::map<QString, QString> outs;
    std::map<QString, QProcess*> helpers;
    for (const QString backend : {"afpacket", "pcap"}) {
        outs[backend] = dir_.filePath("tun-" + tag + "-" + backend + ".pcapng");
        helpers[backend] = start_in(ns_b_, {"-i", "uhtun0", "--backend", backend, "-B", "4", "--stats-interval",
                                            "200", "-f", filter, "-w", outs[backend]});
        QVERIFY(wait_started(helpers[backend]));
    }
    for (int i = 0; i < 50; ++i) {
        const QByteArray p = i % 5 == 4 ? ipv4_packet(3, 8, true, i) : ipv4_packet(1, 7, i % 8 < 5, i);
        QCOMPARE(::write(tun, p.constData(), size_t(p.size())), ssize_t(p.size()));
    }
    QVERIFY(wait_until([&] { return pcap_records(reference) >= expected; }));
    const qint64 seen = pcap_records(reference);
    for (const auto& [backend, path] : outs) {
        const QString& p = path;
        wait_until([&] { return qint64(scan_pcapng_file(p).total_packets) >= seen; }, 3000);
    }
    for (const auto& [backend, h] : helpers) {
        QVERIFY(stop(h));
        QVERIFY2(h->exitCode() == 0, h->property("stderr").toByteArray() + h->readAllStandardError());
    }
    const qint64 tcpdump = stop_tcpdump(td, reference);
    QVERIFY(tcpdump >= 0);
    qInfo("-f '%s' on a tun device: tcpdump %lld of 50 packets", qPrintable(filter), tcpdump);
    for (const auto& [backend, path] : outs) {
        const PcapngScan scan = scan_pcapng_file(path);
        QVERIFY2(scan.whole, qPrintable(path));
        QVERIFY2(qint64(scan.total_packets) == tcpdump,
                 qPrintable(QString("%1 wrote %2 packets, tcpdump %3").arg(backend).arg(scan.total_packets).arg(tcpdump)));
        const StatisticsBlock* last = scan.last_statistics(0);
        QVERIFY(last && last->ifrecv && last->osdrop && last->filteraccept && last->usrdeliv);
        QCOMPARE(*last->filteraccept, *last->ifrecv - *last->osdrop);
        QCOMPARE(*last->usrdeliv, scan.total_packets);
    }
    // LINKTYPE_RAW or LINKTYPE_LINUX_SLL, as in tcpdump's file.
    QCOMPARE(scan_pcapng_file(outs["afpacket"]).link_types, std::vector<uint16_t>{uint16_t(as_ppp ? 113 : 101)});
}

void TestCaptureLive::stopMidFloodBalances_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("how");
    for (const char* backend : {"afpacket", "pcap"})
        for (const char* how : {"SIGTERM", "SIGINT", "duration", "deleted"})
            QTest::addRow("%s %s", backend, how) << backend << how;
}

void TestCaptureLive::stopMidFloodBalances()
{
    // However the capture ends while packets pour in, the final statistics
    // account for every packet that reached the socket.
    QFETCH(QString, backend);
    QFETCH(QString, how);
    const QString out = dir_.filePath("flood.pcapng");
    auto remove_out = qScopeGuard([&] { QFile::remove(out); });
    QStringList args{"--backend", backend, "-w", out};
    if (how == "duration")
        args << "-a" << "duration:1";
    QProcess* h = start_helper(args);
    QVERIFY(wait_started(h));

    // Small frames as fast as tcpreplay sends them: several million, far
    // more than the capture lasts; stopped once the capture has ended.
    const QString pcap = dir_.filePath("flood.pcap");
    auto frames = make_frames(1000, 0x88B5, 0);
    for (QByteArray& f : frames)
        f.truncate(60);
    QVERIFY(write_pcap(pcap, frames, 1, 0));
    QProcess flood;
    flood.start("ip", {"netns", "exec", ns_a_, "tcpreplay", "-q", "-K", "--topspeed", "--loop", "5000", "-i", veth_a_,
                       pcap});
    auto stop_flood = qScopeGuard([&] {
        if (flood.state() != QProcess::NotRunning) {
            flood.kill();
            flood.waitForFinished(5000);
        }
    });
    QVERIFY(flood.waitForStarted());
    if (how != "duration")
        QVERIFY(wait_until([&] { return QFileInfo(out).size() > (4 << 20); }, 20000));
    if (how == "SIGTERM")
        ::kill(pid_t(h->processId()), SIGTERM);
    else if (how == "SIGINT")
        ::kill(pid_t(h->processId()), SIGINT);
    else if (how == "deleted")
        QCOMPARE(run("ip", {"-n", ns_a_, "link", "del", veth_a_}), 0);
    QVERIFY(h->waitForFinished(20000));
    if (how != "deleted")
        QVERIFY2(flood.state() == QProcess::Running, "the flood ended before the capture did");
    stop_flood.dismiss();
    flood.kill();
    flood.waitForFinished(5000);
    QCOMPARE(h->exitStatus(), QProcess::NormalExit);
    QCOMPARE(h->exitCode(), how == "deleted" ? 6 : 0);

    const PcapngScan scan = scan_pcapng_file(out);
    QVERIFY(scan.whole);
    const StatisticsBlock* last = scan.last_statistics(0);
    QVERIFY(last && last->ifrecv && last->osdrop && last->filteraccept && last->usrdeliv);
    qInfo("%s, %s: isb_ifrecv %llu, isb_osdrop %llu, isb_filteraccept %llu, isb_usrdeliv %llu, EPBs %llu",
          qPrintable(backend), qPrintable(how), (unsigned long long)*last->ifrecv, (unsigned long long)*last->osdrop,
          (unsigned long long)*last->filteraccept, (unsigned long long)*last->usrdeliv,
          (unsigned long long)scan.total_packets);
    QVERIFY(scan.total_packets > 10000);
    QCOMPARE(*last->filteraccept, *last->ifrecv - *last->osdrop);
    QCOMPARE(*last->usrdeliv, scan.total_packets);
    if (!QStandardPaths::findExecutable("capinfos").isEmpty()) {
        QByteArray info;
        QCOMPARE(run("capinfos", {"-c", "-M", out}, &info, false), 0);
        const QByteArray line = info.mid(info.indexOf("Number of packets:"));
        QCOMPARE(line.mid(18, line.indexOf('\n') - 18).trimmed().toULongLong(), scan.total_packets);
    }
}

void TestCaptureLive::finalStatisticsMarked()
{
    // The last statistics block of each interface says it is the final one;
    // the periodic ones do not.
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", "lo", "up"}), 0);
    const QString out = dir_.filePath("final.pcapng");
    QProcess* h = start_helper({"-i", "lo", "-w", out});
    QVERIFY(wait_started(h));
    QVERIFY(send(make_frames(100), {"--pps", "10000"}));
    QVERIFY(wait_until([&] { return scan_pcapng_file(out).max_delivered() >= 100; }));
    QVERIFY(stop(h));
    QCOMPARE(h->exitCode(), 0);
    const PcapngScan scan = scan_pcapng_file(out);
    QVERIFY(scan.whole);
    QVERIFY(scan.user_appl.startsWith("underhood-capture"));
    QCOMPARE(scan.link_types.size(), size_t(2));
    int marked = 0;
    for (const StatisticsBlock& st : scan.statistics)
        marked += st.comment == kFinalStatistics;
    QCOMPARE(marked, 2);
    for (uint32_t itf = 0; itf < 2; ++itf) {
        const StatisticsBlock* last = scan.last_statistics(itf);
        QVERIFY(last);
        QCOMPARE(last->comment, kFinalStatistics);
    }
    if (QFileInfo(kCli).isExecutable()) {
        QByteArray json;
        QCOMPARE(run(kCli, {"stats", "--json", out}, &json, false), 0);
        const QJsonArray warnings = QJsonDocument::fromJson(json).object().value("warnings").toArray();
        for (const QJsonValue& w : warnings)
            QVERIFY2(!w.toString().contains("final statistics missing"), qPrintable(w.toString()));
    }
}

void TestCaptureLive::sigkillLeavesFinalStatisticsMissing()
{
    // A helper killed outright writes no final statistics, and the reader says
    // what that means for the counts.
    if (!QFileInfo(kCli).isExecutable())
        QSKIP("needs underhood-cli");
    const QString out = dir_.filePath("killed.pcapng");
    QProcess* h = start_helper({"-w", out});
    QVERIFY(wait_started(h));
    QVERIFY(send(make_frames(200), {"--pps", "10000"}));
    // Periodic statistics are in the file, only the final ones are not.
    QVERIFY(wait_until([&] { return scan_pcapng_file(out).max_delivered() >= 200; }));
    QVERIFY(stop(h, SIGKILL) || h->state() == QProcess::NotRunning);
    QCOMPARE(h->exitStatus(), QProcess::CrashExit);
    QByteArray json;
    QCOMPARE(run(kCli, {"stats", "--json", out}, &json, false), 0);
    const QJsonObject stats = QJsonDocument::fromJson(json).object();
    QCOMPARE(stats.value("packets").toInt(), 200);
    bool warned = false;
    for (const QJsonValue& w : stats.value("warnings").toArray())
        warned = warned || w.toString().contains("final statistics missing: counts may be incomplete");
    QVERIFY2(warned, json.constData());
}

void TestCaptureLive::outputOpenedWithoutCapabilities()
{
    // CAP_NET_ADMIN opens a network namespace's sysctl files for writing; the
    // helper must open its output as the user, without it.
    if (QStandardPaths::findExecutable("setcap").isEmpty() || QStandardPaths::findExecutable("setpriv").isEmpty())
        QSKIP("needs setcap (libcap2-bin) and setpriv (util-linux)");
    QTemporaryDir bin("/tmp/uhcap-XXXXXX");
    QVERIFY(bin.isValid());
    const QString copy = capable_copy(bin);
    QVERIFY(!copy.isEmpty());
    QCOMPARE(run("setcap", {"cap_net_raw,cap_net_admin=eip", copy}), 0);
    const QString target = "/proc/sys/net/ipv4/ip_forward"; // the capture namespace's own
    QByteArray before, after, out;
    QCOMPARE(run("ip", {"netns", "exec", ns_b_, "cat", target}, &before), 0);
    QCOMPARE(run("ip", as_nobody() + QStringList{copy, "-i", veth_b_, "-c", "1", "-w", target}, &out), 7);
    QVERIFY2(out.contains("Permission denied"), out.constData());
    QCOMPARE(run("ip", {"netns", "exec", ns_b_, "cat", target}, &after), 0);
    QCOMPARE(after, before);
}

void TestCaptureLive::everyThreadUnderSeccomp()
{
    const QString out = dir_.filePath("threads.pcapng");
    QProcess* h = start_helper({"-w", out});
    QVERIFY(wait_started(h));
    const QString tasks = QString("/proc/%1/task").arg(h->processId());
    const QStringList ids = QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY2(ids.size() >= 2, qPrintable(ids.join(' '))); // the capture loop and the writer
    for (const QString& id : ids) {
        QFile status(tasks + "/" + id + "/status");
        QVERIFY(status.open(QIODevice::ReadOnly));
        const QByteArray s = status.readAll();
        QVERIFY2(s.contains("Seccomp:\t2"), qPrintable("thread " + id + ":\n" + s));
    }
    QVERIFY(stop(h));
    QCOMPARE(h->exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestCaptureLive)
#include "test_capture_live.moc"
