// The app's side of the NIC health, against the kernel, in two network
// namespaces joined by a veth pair (addresses on the link only, no routes
// out; made and torn down for each test function):
//
// * forced drops at three stages (frames longer than the receiver's MTU,
//   dropped by the kernel at the interface; a stopped helper with a 1 MiB
//   ring, dropped by the kernel at the ring) reach the app's drop model at
//   the right stage, every number equal to the kernel's own counters
//   (sysfs, /proc/net/softnet_stat), with the right advice;
// * large TCP writes over the veth reach the capture as frames longer than
//   the MTU (the kernel passes the sender's TSO/GSO segments whole, and GRO
//   merges); the ingest count equals tshark's, the drop panel's model gives
//   the gro advice, and the details pane explains such a frame, and the
//   checksum the card would fill in on an outgoing one.
// Needs root, iproute2, ethtool and tcpreplay; skips (loudly) otherwise.
#include "drop_statistics.h"
#include "ingest_engine.h"
#include "offload_note.h"
#include "packet_details_pane.h"
#include "test_pcap.h"
#include "veth_frames.h"

#include <QApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace underhood;
using underhood::test::udp_frame;

namespace {

const QString kHelper = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-capture");

int run(const QString& program, const QStringList& args, QByteArray* out = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

bool wait_until(const std::function<bool()>& done, int timeout_ms = 20000)
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

// Runs `fn` on a thread that joined network namespace `ns` (a socket made
// there stays there, whichever thread uses it later).
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

// /proc/net/softnet_stat: the second column of each CPU's line is "dropped" (hex).
uint64_t softnet_dropped()
{
    QFile f("/proc/net/softnet_stat");
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    uint64_t n = 0;
    for (const QByteArray& line : f.readAll().split('\n')) {
        const QList<QByteArray> cols = line.simplified().split(' ');
        if (cols.size() > 1)
            n += cols[1].toULongLong(nullptr, 16);
    }
    return n;
}

} // namespace

class TestDropNicLive : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void forcedDropsReachTheirStage();
    void oversizedFramesAreExplained();

private:
    QStringList in(const QString& ns, const QStringList& cmd) const { return QStringList{"netns", "exec", ns} + cmd; }
    uint64_t sysfs(const QString& ns, const QString& itf, const QString& counter);
    QProcess* start_helper(const QString& ns, const QString& itf, const QStringList& args);
    bool stop_helper(QProcess* h);

    QTemporaryDir dir_;
    QString ns_a_, ns_b_;
    const QString veth_a_ = "uhdropa", veth_b_ = "uhdropb";
};

void TestDropNicLive::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("needs root to create network namespaces (CI runs it as root)");
    for (const char* tool : {"ip", "ethtool", "tcpreplay"})
        if (QStandardPaths::findExecutable(tool).isEmpty())
            QSKIP(qPrintable(QString("needs %1 (installer/bootstrap.sh installs it)").arg(tool)));
    QVERIFY(QFileInfo(kHelper).isExecutable());
    QVERIFY(dir_.isValid());
    ns_a_ = QString("uhdrop%1a").arg(getpid());
    ns_b_ = QString("uhdrop%1b").arg(getpid());
}

void TestDropNicLive::init()
{
    QCOMPARE(run("ip", {"netns", "add", ns_a_}), 0);
    QCOMPARE(run("ip", {"netns", "add", ns_b_}), 0);
    QCOMPARE(run("ip", {"link", "add", veth_a_, "netns", ns_a_, "type", "veth", "peer", "name", veth_b_, "netns", ns_b_}),
             0);
    for (const QString& ns : {ns_a_, ns_b_})
        QCOMPARE(run("ip", in(ns, {"sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                                   "net.ipv6.conf.default.disable_ipv6=1"})),
                 0);
    QCOMPARE(run("ip", {"-n", ns_a_, "link", "set", veth_a_, "up"}), 0);
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", veth_b_, "up"}), 0);
}

void TestDropNicLive::cleanup()
{
    run("ip", {"netns", "del", ns_a_});
    run("ip", {"netns", "del", ns_b_});
}

uint64_t TestDropNicLive::sysfs(const QString& ns, const QString& itf, const QString& counter)
{
    QByteArray out;
    run("ip", in(ns, {"cat", "/sys/class/net/" + itf + "/statistics/" + counter}), &out);
    return out.trimmed().toULongLong();
}

QProcess* TestDropNicLive::start_helper(const QString& ns, const QString& itf, const QStringList& args)
{
    auto* p = new QProcess(this);
    p->start("ip", in(ns, QStringList{kHelper, "-i", itf, "--stats-interval", "200"} + args));
    QByteArray err;
    QElapsedTimer t;
    t.start();
    while (!err.contains("capturing on") && p->state() != QProcess::NotRunning && t.elapsed() < 10000) {
        p->waitForReadyRead(50);
        err += p->readAllStandardError();
    }
    return err.contains("capturing on") ? p : nullptr;
}

bool TestDropNicLive::stop_helper(QProcess* h)
{
    ::kill(pid_t(h->processId()), SIGTERM);
    return h->waitForFinished(20000) && h->exitCode() == 0;
}

// Reads a helper's file the way the app reads a capture and returns its drop model.
static DropStatistics drop_model(IngestEngine& engine, const QString& path)
{
    std::string err;
    DropStatistics d;
    if (!engine.open_path(path.toStdString(), err))
        return d;
    engine.wait();
    update_drop_statistics(d, engine, 0);
    return d;
}

static uint64_t part(const StageFigures& f, const char* name)
{
    for (const StageFigures::Part& p : f.parts)
        if (p.name == name)
            return p.value;
    return ~0ull;
}

void TestDropNicLive::forcedDropsReachTheirStage()
{
    // The receiver takes at most 1000-byte packets: the kernel drops longer
    // frames at the interface (rx_dropped), before any capture socket.
    QCOMPARE(run("ip", {"-n", ns_b_, "link", "set", veth_b_, "mtu", "1000"}), 0);
    const QString out = dir_.filePath("drops.pcapng");
    QProcess* h = start_helper(ns_b_, veth_b_, {"-B", "1", "-w", out});
    QVERIFY(h);
    const uint64_t rx_before = sysfs(ns_b_, veth_b_, "rx_packets");
    const uint64_t rxdrop_before = sysfs(ns_b_, veth_b_, "rx_dropped");
    const uint64_t softnet_before = softnet_dropped();

    // 10 long frames through a packet socket (tcpreplay would retry them);
    // each send fails, since the peer drops the frame.
    int long_tried = 0;
    QVERIFY(in_netns(ns_a_, [&] {
        const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_ifindex = int(if_nametoindex(qPrintable(veth_a_)));
        to.sll_halen = 6;
        for (uint32_t i = 0; i < 10; ++i) {
            const QByteArray f = udp_frame(41000, i, 1400);
            ::sendto(fd, f.constData(), size_t(f.size()), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
            ++long_tried;
        }
        ::close(fd);
        return fd >= 0 && to.sll_ifindex != 0;
    }));
    QCOMPARE(long_tried, 10);

    // A stopped helper with a 1 MiB ring: the kernel fills it and drops the rest.
    std::vector<QByteArray> frames;
    const uint32_t kFrames = 20000;
    for (uint32_t i = 0; i < kFrames; ++i)
        frames.push_back(udp_frame(uint16_t(40000 + i % 64), i, 100 + int(i * 37 % 800)));
    const QString pcap = dir_.filePath("send.pcap");
    QVERIFY(write_pcap(pcap, frames, 1, 0));
    ::kill(pid_t(h->processId()), SIGSTOP);
    const int rc = run("ip", in(ns_a_, {"tcpreplay", "-q", "-i", veth_a_, "--topspeed", pcap}));
    ::kill(pid_t(h->processId()), SIGCONT);
    QCOMPARE(rc, 0);
    const uint64_t received = sysfs(ns_b_, veth_b_, "rx_packets") - rx_before;
    const uint64_t rx_dropped = sysfs(ns_b_, veth_b_, "rx_dropped") - rxdrop_before;
    QCOMPARE(received, uint64_t(kFrames));
    QCOMPARE(rx_dropped, uint64_t(10));
    // Every frame counted at the sockets before the helper stops.
    QVERIFY(wait_until([&] {
        std::string e;
        auto r = CaptureReader::open_path(out.toStdString(), e);
        PacketRecord rec;
        while (r && r->next(rec) == CaptureReader::Status::Packet) {
        }
        return r && !r->statistics().empty() && r->statistics().back().ifrecv.value_or(0) >= kFrames;
    }));
    QVERIFY(stop_helper(h));
    const uint64_t softnet = softnet_dropped() - softnet_before;

    IngestEngine engine;
    DropStatistics d = drop_model(engine, out);
    QVERIFY(d.has_statistics());
    const StageArray& t = d.totals();
    const uint64_t captured = engine.with_state([](const IngestEngine::State& s) { return s.ingest.received; });
    qInfo("kernel: %llu frames received, %llu rx_dropped, %llu softnet dropped; app: %llu captured, NIC %llu, "
          "backlog %llu, kernel ring %llu, helper %llu",
          (unsigned long long)received, (unsigned long long)rx_dropped, (unsigned long long)softnet,
          (unsigned long long)captured, (unsigned long long)t[size_t(DropStage::Interface)].dropped,
          (unsigned long long)t[size_t(DropStage::Backlog)].dropped, (unsigned long long)t[size_t(DropStage::Kernel)].dropped,
          (unsigned long long)t[size_t(DropStage::Helper)].dropped);

    // NIC ring: a veth has none and misses nothing.
    QVERIFY(t[size_t(DropStage::Interface)].reported);
    QCOMPARE(t[size_t(DropStage::Interface)].dropped, uint64_t(0));
    // Driver and backlog: the kernel's own rx_dropped and softnet counts.
    QCOMPARE(part(t[size_t(DropStage::Backlog)], "rx_dropped"), rx_dropped);
    QCOMPARE(part(t[size_t(DropStage::Backlog)], "softnet dropped"), softnet);
    QCOMPARE(t[size_t(DropStage::Backlog)].dropped, rx_dropped + softnet);
    // Socket filter and kernel ring: every frame that arrived is captured or counted.
    QCOMPARE(*t[size_t(DropStage::Filter)].received, received);
    QVERIFY2(t[size_t(DropStage::Kernel)].dropped > 0, "a stopped helper with a 1 MiB ring must see the kernel drop");
    QCOMPARE(captured + t[size_t(DropStage::Kernel)].dropped + t[size_t(DropStage::Helper)].dropped, received);
    QCOMPARE(d.worst_stage(), DropStage::Kernel);
    const std::string sentence = d.stage_sentence(DropStage::Kernel);
    QVERIFY2(sentence.find("full " + std::to_string(t[size_t(DropStage::Kernel)].dropped) + " times") !=
                 std::string::npos,
             sentence.c_str());
    QVERIFY(d.stage_sentence(DropStage::Backlog).find("dropped 10 frames") != std::string::npos);

    // The advice for this capture (-B 1, one thread): the kernel ring's, in
    // order; no NIC-ring advice, since that counter did not move.
    CaptureSettings s;
    s.live = true;
    s.buffer_mib = 1;
    s.snaplen = 262144;
    s.backend = "afpacket";
    s.threads = 1;
    const auto advice = d.advice(s);
    QVERIFY(!advice.empty());
    QCOMPARE(advice[0].kind, DropAdviceKind::LargerBuffer);
    QCOMPARE(advice[0].stage, DropStage::Kernel);
    QCOMPARE(advice_command(advice[0]), std::string("-B 64"));
    const size_t cpus = size_t(sysconf(_SC_NPROCESSORS_CONF));
    bool threads = false;
    for (const DropAdvice& a : advice) {
        QVERIFY(a.kind != DropAdviceKind::InterfaceRing);
        QVERIFY(a.kind != DropAdviceKind::Backlog || softnet > 0);
        if (a.kind == DropAdviceKind::MoreThreads) {
            threads = true;
            QCOMPARE(a.value, int64_t(std::min<size_t>(cpus, 2)));
        }
    }
    QCOMPARE(threads, cpus > 1);
}

void TestDropNicLive::oversizedFramesAreExplained()
{
    QCOMPARE(run("ip", {"-n", ns_a_, "addr", "add", "10.9.0.1/24", "dev", veth_a_}), 0);
    QCOMPARE(run("ip", {"-n", ns_b_, "addr", "add", "10.9.0.2/24", "dev", veth_b_}), 0);
    QCOMPARE(run("ip", in(ns_b_, {"ethtool", "-K", veth_b_, "gro", "on"})), 0);
    const QString in_b = dir_.filePath("gro-b.pcapng"), out_a = dir_.filePath("tso-a.pcapng");
    QProcess* hb = start_helper(ns_b_, veth_b_, {"-s", "256", "-w", in_b});
    QProcess* ha = start_helper(ns_a_, veth_a_, {"-w", out_a});
    QVERIFY(hb && ha);

    // 4 MB in 64 KiB writes over one TCP connection, a to b.
    int server = -1, client = -1;
    QVERIFY(in_netns(ns_b_, [&] {
        server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(5001);
        inet_pton(AF_INET, "10.9.0.2", &a.sin_addr);
        return ::bind(server, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(server, 1) == 0;
    }));
    QVERIFY(in_netns(ns_a_, [&] {
        client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(5001);
        inet_pton(AF_INET, "10.9.0.2", &a.sin_addr);
        return ::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }));
    const int conn = ::accept4(server, nullptr, nullptr, SOCK_CLOEXEC);
    QVERIFY(conn >= 0);
    std::thread reader([conn] {
        char buf[65536];
        while (::read(conn, buf, sizeof buf) > 0) {
        }
    });
    const std::vector<char> chunk(65536, 'x');
    size_t sent = 0;
    for (int i = 0; i < 64; ++i)
        sent += size_t(std::max<ssize_t>(0, ::write(client, chunk.data(), chunk.size())));
    ::shutdown(client, SHUT_WR);
    reader.join();
    ::close(client);
    ::close(conn);
    ::close(server);
    QCOMPARE(sent, size_t(64 * 65536));
    const uint64_t rx = sysfs(ns_b_, veth_b_, "rx_packets");
    QVERIFY(wait_until([&] {
        std::string e;
        auto r = CaptureReader::open_path(in_b.toStdString(), e);
        PacketRecord rec;
        while (r && r->next(rec) == CaptureReader::Status::Packet) {
        }
        return r && !r->statistics().empty() && r->statistics().back().ifrecv.value_or(0) >= rx;
    }));
    QVERIFY(stop_helper(hb));
    QVERIFY(stop_helper(ha));

    IngestEngine engine;
    DropStatistics d = drop_model(engine, in_b);
    const auto [over, itf] = engine.with_state([](const IngestEngine::State& s) {
        return std::pair(s.over_mtu.empty() ? uint64_t(0) : s.over_mtu[0],
                         s.interfaces.empty() ? CaptureInterface{} : s.interfaces[0]);
    });
    QVERIFY(itf.health && itf.health->mtu);
    QCOMPARE(*itf.health->mtu, 1500u);
    qInfo("%s: gro %s, tso on the sender; %llu of the received frames longer than the MTU", qPrintable(veth_b_),
          itf.health->offloads.gro.value_or(false) ? "on" : "off", (unsigned long long)over);
    // tshark counts the same frames: IP total length above the MTU.
    if (!QStandardPaths::findExecutable("tshark").isEmpty()) {
        QByteArray lines, longest;
        QCOMPARE(run("tshark", {"-r", in_b, "-Y", "ip.len > 1500", "-T", "fields", "-e", "frame.number"}, &lines), 0);
        run("tshark", {"-r", in_b, "-T", "fields", "-e", "frame.len"}, &longest);
        uint64_t max_len = 0;
        for (const QByteArray& l : longest.split('\n'))
            max_len = std::max<uint64_t>(max_len, l.toULongLong());
        const uint64_t theirs = lines.trimmed().isEmpty() ? 0 : uint64_t(lines.trimmed().split('\n').size());
        qInfo("tshark: %llu frames with ip.len > 1500, the longest frame %llu bytes", (unsigned long long)theirs,
              (unsigned long long)max_len);
        QCOMPARE(over, theirs);
    }
    QVERIFY2(over > 0, "large TCP writes over a veth gave no frame longer than the MTU here");
    // The drop panel's model: the gro advice with the MTU and the count.
    const DropAdvice* gro = nullptr;
    const auto advice = d.advice(CaptureSettings{});
    for (const DropAdvice& a : advice)
        if (a.kind == DropAdviceKind::GroOff)
            gro = &a;
    QVERIFY(gro);
    QCOMPARE(gro->value, int64_t(1500));
    QCOMPARE(gro->count, over);
    QCOMPARE(advice_command(*gro), "ethtool -K " + veth_b_.toStdString() + " gro off lro off");

    // The details pane says so next to such a frame, with the interface's facts from the engine.
    PacketDetailsPane pane;
    pane.setInterfaceFacts(interface_facts(itf));
    std::string e;
    auto r = CaptureReader::open_path(in_b.toStdString(), e);
    PacketRecord rec;
    bool explained = false;
    while (r->next(rec) == CaptureReader::Status::Packet && !explained) {
        if (rec.origlen <= 1514)
            continue;
        pane.showPacket(rec.link_type, QByteArray(reinterpret_cast<const char*>(rec.data.data()), qsizetype(rec.caplen)),
                        rec.origlen, "Packet");
        const QString note = pane.offloadNote();
        QVERIFY2(note.contains("longer than the MTU (1500)") &&
                     note.contains("ethtool -K " + veth_b_ + " gro off"),
                 qPrintable(note));
        explained = true;
    }
    QVERIFY(explained);

    // On the sending side the card would fill in the TCP checksum (veth
    // offloads it too): every outgoing segment tshark calls bad is one the
    // pane explains, and no other.
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        return;
    IngestEngine ea;
    std::string err;
    QVERIFY(ea.open_path(out_a.toStdString(), err));
    ea.wait();
    const CaptureInterface itf_a = ea.with_state([](const IngestEngine::State& s) { return s.interfaces.at(0); });
    QVERIFY(itf_a.mac);
    const QString mac = QString::asprintf("%02x:%02x:%02x:%02x:%02x:%02x", (*itf_a.mac)[0], (*itf_a.mac)[1],
                                          (*itf_a.mac)[2], (*itf_a.mac)[3], (*itf_a.mac)[4], (*itf_a.mac)[5]);
    QByteArray bad;
    QCOMPARE(run("tshark", {"-r", out_a, "-o", "tcp.check_checksum:TRUE", "-Y",
                            "tcp.checksum.status == 0 && eth.src == " + mac, "-T", "fields", "-e", "frame.number"},
                 &bad),
             0);
    std::set<uint64_t> theirs;
    for (const QByteArray& n : bad.trimmed().split('\n'))
        if (!n.isEmpty())
            theirs.insert(n.toULongLong());
    std::set<uint64_t> ours;
    const InterfaceFacts facts = interface_facts(itf_a);
    r = CaptureReader::open_path(out_a.toStdString(), e);
    while (r->next(rec) == CaptureReader::Status::Packet)
        for (const std::string& n : explain_offloads(rec.link_type, rec.data, rec.origlen, facts))
            if (n.find("checksum") != std::string::npos)
                ours.insert(rec.number);
    qInfo("%s: %zu outgoing segments with the checksum left to the card (tshark: %zu)", qPrintable(veth_a_),
          ours.size(), theirs.size());
    QVERIFY(!ours.empty());
    QCOMPARE(ours, theirs);
}

QTEST_MAIN(TestDropNicLive)
#include "test_drop_nic_live.moc"
