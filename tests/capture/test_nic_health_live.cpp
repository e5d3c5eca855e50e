// The helper's view of the NIC, checked against the kernel's own tools, and
// --threads: two network namespaces joined by a veth pair (IPv6 off, no
// addresses, no routes out), made and torn down for each test function.
//
// * --describe equals `ethtool -i/-k/-g`, `ethtool IFACE` and `ip link`, also
//   after offloads and the MTU were changed;
// * a capture's stream carries the health (IDB options, the start record,
//   a record in every ISB) and the reader returns it; frames longer than the
//   receiving veth's MTU are dropped by the kernel before any capture socket,
//   and the record's rx_dropped growth equals the interface's counter;
// * with --threads 2 every frame sent reaches the stream or is counted as
//   dropped, also when a stopped helper lets its rings overflow; each flow's
//   frames stay in order.
// Needs root, iproute2, ethtool and tcpreplay; skips (loudly) otherwise.
#include "test_pcap.h"
#include "capture_reader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include "veth_frames.h"

#include <csignal>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <thread>
#include <map>
#include <unistd.h>

using namespace underhood;
using underhood::test::udp_frame;

namespace {

const QString kHelper = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-capture");

int run(const QString& program, const QStringList& args, QByteArray* out = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

bool wait_until(const std::function<bool()>& done, int timeout_ms = 15000)
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

// `ethtool -k` lines: "name: on|off [fixed]".
std::map<QString, bool> ethtool_features(const QByteArray& text)
{
    std::map<QString, bool> out;
    static const QRegularExpression line("^([a-z0-9-]+): (on|off)", QRegularExpression::MultilineOption);
    auto it = line.globalMatch(QString::fromUtf8(text));
    while (it.hasNext()) {
        auto m = it.next();
        out[m.captured(1)] = m.captured(2) == "on";
    }
    return out;
}

QString field(const QByteArray& text, const QString& name)
{
    const QRegularExpression re("^\\s*" + QRegularExpression::escape(name) + ":[ \\t]*(.*)$",
                                QRegularExpression::MultilineOption);
    auto m = re.match(QString::fromUtf8(text));
    return m.hasMatch() ? m.captured(1).trimmed() : QString();
}

struct Capture {
    std::vector<PacketRecord> packets;
    std::vector<QByteArray> data;
    std::vector<CaptureInterface> interfaces;
    std::vector<InterfaceStatistics> statistics;
    bool ok = false;
};

Capture read_capture(const QString& path)
{
    Capture c;
    std::string err;
    auto r = CaptureReader::open_path(path.toStdString(), err);
    if (!r)
        return c;
    PacketRecord rec;
    while (r->next(rec) == CaptureReader::Status::Packet) {
        c.packets.push_back(rec);
        c.data.emplace_back(reinterpret_cast<const char*>(rec.data.data()), qsizetype(rec.data.size()));
    }
    c.interfaces = r->interfaces();
    c.statistics = r->statistics();
    c.ok = !r->truncated();
    return c;
}

// Runs `fn` on a thread that joined network namespace `ns` (setns() moves
// only the calling thread; the test itself stays where it is).
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

} // namespace

class TestNicHealthLive : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void describeMatchesEthtool();
    void streamCarriesHealth();
    void fanoutAccountsForEveryFrame_data();
    void fanoutAccountsForEveryFrame();

private:
    QStringList in_b(const QStringList& cmd) const { return QStringList{"netns", "exec", ns_b_} + cmd; }
    QByteArray out_b(const QStringList& cmd, int* rc = nullptr);
    uint64_t sysfs_b(const QString& counter);
    QProcess* start_helper(const QStringList& args);
    bool send(const std::vector<QByteArray>& frames, const QStringList& extra);

    QTemporaryDir dir_;
    QString ns_a_, ns_b_;
    const QString veth_a_ = "uhnica", veth_b_ = "uhnicb";
};

void TestNicHealthLive::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("NIC-health tests need root to create network namespaces (CI runs them as root)");
    for (const char* tool : {"ip", "ethtool", "tcpreplay"})
        if (QStandardPaths::findExecutable(tool).isEmpty())
            QSKIP(qPrintable(QString("NIC-health tests need %1 (installer/bootstrap.sh installs it)").arg(tool)));
    QVERIFY(QFileInfo(kHelper).isExecutable());
    QVERIFY(dir_.isValid());
    ns_a_ = QString("uhnic%1a").arg(getpid());
    ns_b_ = QString("uhnic%1b").arg(getpid());
}

void TestNicHealthLive::init()
{
    QCOMPARE(run("ip", {"netns", "add", ns_a_}), 0);
    QCOMPARE(run("ip", {"netns", "add", ns_b_}), 0);
    QCOMPARE(run("ip", {"link", "add", veth_a_, "netns", ns_a_, "type", "veth", "peer", "name", veth_b_, "netns", ns_b_}),
             0);
    for (const QString& ns : {ns_a_, ns_b_})
        QCOMPARE(run("ip", {"netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                            "net.ipv6.conf.default.disable_ipv6=1"}),
                 0);
    QCOMPARE(run("ip", {"-n", ns_a_, "link", "set", veth_a_, "up"}), 0);
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", veth_b_, "up"}), 0);
}

void TestNicHealthLive::cleanup()
{
    run("ip", {"netns", "del", ns_a_});
    run("ip", {"netns", "del", ns_b_});
}

QByteArray TestNicHealthLive::out_b(const QStringList& cmd, int* rc)
{
    QByteArray out;
    const int code = run("ip", in_b(cmd), &out);
    if (rc)
        *rc = code;
    return out;
}

uint64_t TestNicHealthLive::sysfs_b(const QString& counter)
{
    // `ip netns exec` mounts the namespace's own sysfs.
    return out_b({"cat", "/sys/class/net/" + veth_b_ + "/statistics/" + counter}).trimmed().toULongLong();
}

QProcess* TestNicHealthLive::start_helper(const QStringList& args)
{
    auto* p = new QProcess(this);
    p->setProcessChannelMode(QProcess::SeparateChannels);
    p->start("ip", in_b(QStringList{kHelper, "-i", veth_b_, "--stats-interval", "200"} + args));
    QByteArray err;
    QElapsedTimer t;
    t.start();
    while (!err.contains("capturing on") && p->state() != QProcess::NotRunning && t.elapsed() < 10000) {
        p->waitForReadyRead(50);
        err += p->readAllStandardError();
    }
    p->setProperty("stderr", err);
    return err.contains("capturing on") ? p : nullptr;
}

bool TestNicHealthLive::send(const std::vector<QByteArray>& frames, const QStringList& extra)
{
    const QString pcap = dir_.filePath("send.pcap");
    if (!write_pcap(pcap, frames, 1, 0))
        return false;
    QByteArray out;
    const int rc = run("ip", QStringList{"netns", "exec", ns_a_, "tcpreplay", "-q", "-i", veth_a_} + extra +
                                 QStringList{pcap},
                       &out);
    if (rc != 0)
        qWarning("tcpreplay: %s", out.constData());
    return rc == 0;
}

void TestNicHealthLive::describeMatchesEthtool()
{
    // Twice: as the veth comes, then with offloads switched and a jumbo MTU.
    for (int round = 0; round < 2; ++round) {
        if (round == 1) {
            QCOMPARE(run("ip", in_b({"ethtool", "-K", veth_b_, "gro", "on", "tso", "off", "rx", "off", "rxvlan", "off"})),
                     0);
            QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", veth_b_, "mtu", "9000"}), 0);
        }
        int rc = -1;
        const QByteArray json = out_b({kHelper, "--describe", veth_b_}, &rc);
        QCOMPARE(rc, 0);
        QJsonParseError perr;
        const QJsonObject d = QJsonDocument::fromJson(json, &perr).object();
        QVERIFY2(perr.error == QJsonParseError::NoError, json.constData());

        const QByteArray info = out_b({"ethtool", "-i", veth_b_});
        QCOMPARE(d["driver"].toString(), field(info, "driver"));
        QCOMPARE(d["driver_version"].toString(), field(info, "version"));
        QCOMPARE(d["firmware"].toString(), field(info, "firmware-version"));
        QCOMPARE(d["bus"].toString(), field(info, "bus-info"));

        const QByteArray settings = out_b({"ethtool", veth_b_});
        const QString speed = field(settings, "Speed");
        if (speed.endsWith("Mb/s"))
            QCOMPARE(d["speed_mbps"].toInteger(), speed.chopped(4).toLongLong());
        else
            QVERIFY(d["speed_mbps"].isNull());
        QCOMPARE(d["duplex"].toString(), field(settings, "Duplex").toLower());

        const auto k = ethtool_features(out_b({"ethtool", "-k", veth_b_}));
        const QJsonObject off = d["offloads"].toObject();
        const std::pair<const char*, const char*> names[] = {
            {"gro", "generic-receive-offload"}, {"lro", "large-receive-offload"},
            {"gso", "generic-segmentation-offload"}, {"tso", "tcp-segmentation-offload"},
            {"rx_checksum", "rx-checksumming"}, {"tx_checksum", "tx-checksumming"},
            {"rx_vlan_strip", "rx-vlan-offload"}};
        for (const auto& [ours, theirs] : names) {
            QVERIFY2(k.count(theirs), theirs);
            QVERIFY2(off[ours].isBool() && off[ours].toBool() == k.at(theirs),
                     qPrintable(QString("%1 is %2, ethtool -k says %3 %4").arg(ours).arg(off[ours].toBool())
                                    .arg(theirs).arg(k.at(theirs))));
        }
        if (round == 1) {
            QCOMPARE(off["gro"].toBool(), true);
            QCOMPARE(off["tso"].toBool(), false);
        }

        int ring_rc = -1;
        const QByteArray ring = out_b({"ethtool", "-g", veth_b_}, &ring_rc);
        if (ring_rc != 0) {
            QVERIFY(d["ring"].isNull()); // veth has no ring parameters
        } else {
            const QString text = QString::fromUtf8(ring);
            const qsizetype current = text.indexOf("Current hardware settings");
            QCOMPARE(d["ring"].toObject()["rx_max"].toInteger(), field(ring.left(current), "RX").toLongLong());
            QCOMPARE(d["ring"].toObject()["rx"].toInteger(), field(ring.mid(current), "RX").toLongLong());
        }

        const QJsonObject link =
            QJsonDocument::fromJson(out_b({"ip", "-d", "-j", "link", "show", veth_b_})).array().at(0).toObject();
        QCOMPARE(d["mtu"].toInteger(), link["mtu"].toInteger());
        QCOMPARE(d["mtu"].toInteger(), qint64(round ? 9000 : 1500));
        // The queues in use (`ethtool -l`: current RX plus combined), not
        // the ones allocated (`ip -d link`'s num_rx_queues).
        int channels_rc = -1;
        const QByteArray channels = out_b({"ethtool", "-l", veth_b_}, &channels_rc);
        if (channels_rc == 0) {
            const QByteArray current = channels.mid(channels.indexOf("Current hardware settings"));
            QCOMPARE(d["rx_queues"].toInteger(),
                     field(current, "RX").toLongLong() + field(current, "Combined").toLongLong());
        }
        QCOMPARE(d["rx_queues"].toInteger(),
                 qint64(out_b({"ls", "/sys/class/net/" + veth_b_ + "/queues"}).count("rx-")));
        QCOMPARE(d["mac"].toString(), link["address"].toString());

        // The driver's loss counters, by name and value, as `ethtool -S` lists them.
        const QByteArray stats = out_b({"ethtool", "-S", veth_b_});
        const QJsonObject drv = d["driver_counters"].toObject();
        int losses = 0;
        static const QRegularExpression stat("^\\s+([^:]+): (\\d+)$", QRegularExpression::MultilineOption);
        for (auto it = stat.globalMatch(QString::fromUtf8(stats)); it.hasNext();) {
            auto m = it.next();
            const QString name = m.captured(1);
            if (!QRegularExpression("miss|drop|fifo|no_buffer|discard").match(name).hasMatch())
                continue;
            ++losses;
            QVERIFY2(drv.contains(name), qPrintable(name));
            QCOMPARE(drv[name].toInteger(), m.captured(2).toLongLong());
        }
        QCOMPARE(drv.size(), losses);
        QVERIFY(losses > 0); // veth: rx_queue_0_drops, rx_queue_0_xdp_drops
        QCOMPARE(d["interface_counters"].toObject()["rx_dropped"].toInteger(),
                 qint64(sysfs_b("rx_dropped")));
        // One softnet entry per line of /proc/net/softnet_stat.
        const QByteArray softnet = out_b({"cat", "/proc/net/softnet_stat"});
        QCOMPARE(d["softnet"].toArray().size(), softnet.trimmed().split('\n').size());
    }
    // Exit 3 for an interface that is not there, as when capturing.
    int rc = -1;
    out_b({kHelper, "--describe", "uhnosuch0"}, &rc);
    QCOMPARE(rc, 3);
}

void TestNicHealthLive::streamCarriesHealth()
{
    // The receiving end takes at most 1000-byte packets: the kernel drops
    // longer frames before any capture socket sees them (counted in the
    // interface's rx_dropped), the shorter ones are captured.
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", veth_b_, "mtu", "1000"}), 0);
    const QString out = dir_.filePath("health.pcapng");
    QProcess* h = start_helper({"-w", out});
    QVERIFY(h);
    const uint64_t dropped_before = sysfs_b("rx_dropped");
    std::vector<QByteArray> frames;
    for (uint32_t i = 0; i < 70; ++i)
        frames.push_back(udp_frame(40000, i, i % 7 == 3 ? 1400 : 200)); // 10 long ones
    // Sent one by one from a packet socket in the other namespace: the long
    // frames fail to send (the peer drops them), which tcpreplay retries.
    int sent = 0;
    QVERIFY(in_netns(ns_a_, [&] {
        const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return false;
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_ifindex = int(if_nametoindex(qPrintable(veth_a_)));
        to.sll_halen = 6;
        for (const QByteArray& f : frames)
            if (::sendto(fd, f.constData(), size_t(f.size()), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
                ssize_t(f.size()))
                ++sent;
        ::close(fd);
        return to.sll_ifindex != 0;
    }));
    QVERIFY(sent >= 60);
    // All captured, and a periodic statistics block written after them.
    QVERIFY(wait_until([&] {
        const Capture now = read_capture(out);
        return now.packets.size() >= 60 && !now.statistics.empty() && now.statistics.back().usrdeliv >= 60u;
    }));
    const uint64_t dropped = sysfs_b("rx_dropped") - dropped_before;
    QCOMPARE(dropped, uint64_t(10));
    ::kill(pid_t(h->processId()), SIGTERM);
    QVERIFY(h->waitForFinished(20000));
    QCOMPARE(h->exitCode(), 0);

    const Capture c = read_capture(out);
    QVERIFY(c.ok);
    QCOMPARE(c.packets.size(), size_t(60));
    QCOMPARE(c.interfaces.size(), size_t(1));
    const CaptureInterface& itf = c.interfaces[0];
    const QJsonObject d = QJsonDocument::fromJson(out_b({kHelper, "--describe", veth_b_})).object();
    QCOMPARE(QString::fromStdString(itf.hardware), d["driver"].toString() + " " + d["driver_version"].toString());
    QCOMPARE(qint64(itf.speed_bps.value_or(0)), d["speed_mbps"].toInteger() * 1000000);
    QVERIFY(QString::fromStdString(itf.os).startsWith("Linux "));
    QVERIFY(itf.mac);
    QCOMPARE(QString::asprintf("%02x:%02x:%02x:%02x:%02x:%02x", (*itf.mac)[0], (*itf.mac)[1], (*itf.mac)[2],
                               (*itf.mac)[3], (*itf.mac)[4], (*itf.mac)[5]),
             d["mac"].toString());
    QVERIFY(itf.health);
    QCOMPARE(int(itf.health->phase), int(NicHealth::Phase::Start));
    QCOMPARE(QString::fromStdString(itf.health->driver), QString("veth"));
    QCOMPARE(itf.health->mtu.value_or(0), 1000u);
    QCOMPARE(itf.health->offloads.gro, std::optional<bool>(d["offloads"].toObject()["gro"].toBool()));
    QVERIFY(!itf.health->ring);

    QVERIFY(c.statistics.size() >= 2);
    for (const InterfaceStatistics& st : c.statistics)
        QVERIFY(st.health && st.health->has_start); // every statistics block carries a record
    const NicHealth& last = *c.statistics.back().health;
    QCOMPARE(int(last.phase), int(NicHealth::Phase::Final));
    uint64_t rx_dropped = ~0ull;
    for (const auto& counter : last.interface_counters)
        if (counter.name == "rx_dropped")
            rx_dropped = counter.since_start;
    QCOMPARE(rx_dropped, dropped);
    QCOMPARE(c.statistics.back().ifdrop.value_or(0), dropped);
    QCOMPARE(last.softnet.size(), itf.health->softnet.size());

    // Wireshark's reader takes the stream without a word and counts the same frames.
    if (!QStandardPaths::findExecutable("tshark").isEmpty()) {
        QProcess t;
        t.start("tshark", {"-r", out, "-T", "fields", "-e", "frame.number"});
        QVERIFY(t.waitForFinished(60000));
        QCOMPARE(t.exitCode(), 0);
        QCOMPARE(t.readAllStandardOutput().trimmed().split('\n').size(), qsizetype(60));
        const QByteArray err = t.readAllStandardError();
        QVERIFY2(!err.contains("rror") && !err.contains("arning"), err.constData());
    }
}

void TestNicHealthLive::fanoutAccountsForEveryFrame_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<bool>("stall");
    QTest::newRow("2 threads") << 2 << false;
    QTest::newRow("2 threads, stopped with a tiny buffer") << 2 << true;
    QTest::newRow("1 thread, stopped with a tiny buffer") << 1 << true;
}

void TestNicHealthLive::fanoutAccountsForEveryFrame()
{
    QFETCH(int, threads);
    QFETCH(bool, stall);
    // 64 flows (source ports), 20000 frames of 100 to 1400 bytes.
    const uint32_t kFlows = 64, kFrames = 20000;
    std::vector<QByteArray> frames;
    for (uint32_t i = 0; i < kFrames; ++i)
        frames.push_back(udp_frame(uint16_t(40000 + i % kFlows), i, 100 + int(i * 37 % 1300)));
    const QString out = dir_.filePath(QString("fanout-%1-%2.pcapng").arg(threads).arg(stall));
    QStringList args{"--threads", QString::number(threads), "-w", out};
    if (stall)
        args << "-B" << "1";
    QProcess* h = start_helper(args);
    QVERIFY(h);
    const uint64_t rx_before = sysfs_b("rx_packets");
    if (stall)
        ::kill(pid_t(h->processId()), SIGSTOP); // the rings fill and the kernel drops, counting
    const bool sent = send(frames, stall ? QStringList{"--topspeed"} : QStringList{"--pps", "20000"});
    if (stall)
        ::kill(pid_t(h->processId()), SIGCONT);
    QVERIFY(sent);
    QCOMPARE(sysfs_b("rx_packets") - rx_before, uint64_t(kFrames));
    // Every frame reached the sockets once the kernel's count in a periodic
    // statistics block says so.
    QVERIFY(wait_until([&] {
        const Capture c = read_capture(out);
        return !c.statistics.empty() && c.statistics.back().ifrecv.value_or(0) >= kFrames;
    }));
    ::kill(pid_t(h->processId()), SIGTERM);
    QVERIFY(h->waitForFinished(20000));
    QCOMPARE(h->exitCode(), 0);
    const QByteArray err = h->property("stderr").toByteArray() + h->readAllStandardError();

    const Capture c = read_capture(out);
    QVERIFY(c.ok);
    const InterfaceStatistics& last = c.statistics.back();
    QVERIFY(last.ifrecv && last.osdrop && last.filteraccept && last.usrdeliv);
    const uint64_t kernel = *last.osdrop, helper = *last.filteraccept - *last.usrdeliv;
    qInfo("%d thread(s)%s: %zu captured, %llu dropped by the kernel, %llu by the helper", threads,
          stall ? ", stopped" : "", c.packets.size(), (unsigned long long)kernel, (unsigned long long)helper);
    QCOMPARE(*last.ifrecv, uint64_t(kFrames));
    QCOMPARE(*last.filteraccept, *last.ifrecv - *last.osdrop);
    QCOMPARE(*last.usrdeliv, uint64_t(c.packets.size()));
    QCOMPARE(uint64_t(c.packets.size()) + kernel + helper, uint64_t(kFrames));
    if (stall)
        QVERIFY2(kernel > 0, "a stopped helper with a 1 MiB buffer must see the kernel drop");
    else
        QCOMPARE(c.packets.size(), size_t(kFrames));

    // Each frame at most once, and each flow in the order it was sent.
    std::vector<bool> seen(kFrames, false);
    std::map<uint16_t, int64_t> last_seq;
    for (const QByteArray& f : c.data) {
        QVERIFY(f.size() >= 14 + 20 + 8 + 4);
        const uint16_t port = uint16_t(uint8_t(f[34]) << 8 | uint8_t(f[35]));
        const uint32_t seq = uint32_t(uint8_t(f[42])) << 24 | uint32_t(uint8_t(f[43])) << 16 |
                             uint32_t(uint8_t(f[44])) << 8 | uint8_t(f[45]);
        QVERIFY(seq < kFrames && !seen[seq]);
        seen[seq] = true;
        QVERIFY2(QByteArray(f) == frames[seq], qPrintable(QString("frame %1 differs").arg(seq)));
        auto it = last_seq.find(port);
        QVERIFY2(it == last_seq.end() || it->second < int64_t(seq), qPrintable(QString("flow %1 reordered").arg(port)));
        last_seq[port] = seq;
    }
    if (threads == 2) {
        // Both sockets of the group had work: "(2 fanout sockets: A+B received, ...)".
        static const QRegularExpression split("2 fanout sockets: (\\d+)\\+(\\d+) received");
        const auto m = split.match(QString::fromUtf8(err));
        QVERIFY2(m.hasMatch(), err.constData());
        QVERIFY(m.captured(1).toULongLong() > 0 && m.captured(2).toULongLong() > 0);
        QCOMPARE(m.captured(1).toULongLong() + m.captured(2).toULongLong(), uint64_t(kFrames));
    }
}

QTEST_GUILESS_MAIN(TestNicHealthLive)
#include "test_nic_health_live.moc"
