// Remote sensors end to end, in network namespaces joined by veth pairs (no
// routes out, IPv6 off, nothing of the machine's own network touched):
//
//   client ns ──veth── sensor ns 1 (sshd) ──veth── traffic ns (trafgen)
//             ──veth── sensor ns 2 (sshd) ──veth──
//
// OpenSSH's sshd runs in each sensor namespace with a host key and a user key
// made here; the client's ssh reads a config of ours through UNDERHOOD_SSH.
// trafgen sends the frames; what underhood-cli counts is compared with what
// was sent. Needs root, sshd, trafgen, tcpdump and nc (netcat-openbsd): CI
// installs them all; without them the test says SKIP.
#include "capture_session.h"
#include "veth_frames.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <functional>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

using namespace underhood::test;

namespace {

const QString kBin = QStringLiteral(UNDERHOOD_BIN_DIR);
const QString kCli = kBin + "/underhood-cli";
const QString kHelper = kBin + "/underhood-capture";

int run(const QString& program, const QStringList& args, QByteArray* out = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

// Waits (bounded) until `done` holds for what `p` wrote to the channel so far.
bool wait_output(QProcess* p, QProcess::ProcessChannel channel, const std::function<bool(const QByteArray&)>& done,
                 int timeout_ms = 20000)
{
    const char* key = channel == QProcess::StandardError ? "err" : "out";
    QElapsedTimer t;
    t.start();
    for (;;) {
        p->setReadChannel(channel);
        QByteArray seen = p->property(key).toByteArray() + p->readAll();
        p->setProperty(key, seen);
        if (done(seen))
            return true;
        if (p->state() == QProcess::NotRunning || t.elapsed() > timeout_ms)
            return false;
        p->waitForReadyRead(50);
    }
}

bool wait_stderr(QProcess* p, const QByteArray& needle, int count = 1, int timeout_ms = 20000)
{
    const bool ok = wait_output(p, QProcess::StandardError,
                                [&](const QByteArray& s) { return s.count(needle) >= count; }, timeout_ms);
    if (!ok)
        qWarning("no '%s' (x%d) from %s:\n%s", needle.constData(), count, qPrintable(p->arguments().join(' ')),
                 p->property("err").toByteArray().constData());
    return ok;
}

QByteArray all_stdout(QProcess* p)
{
    p->setReadChannel(QProcess::StandardOutput);
    return p->property("out").toByteArray() + p->readAll();
}
QByteArray all_stderr(QProcess* p)
{
    p->setReadChannel(QProcess::StandardError);
    return p->property("err").toByteArray() + p->readAll();
}

} // namespace

class TestRemoteSensors : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void localInterfaceUntilInterrupted();
    void sshWithHelperCountsEveryPacket();
    void sshTcpdumpFallback();
    void sshRefusalsAreOneLine_data();
    void sshRefusalsAreOneLine();
    void pcapOverIpFromHelperListen_data();
    void pcapOverIpFromHelperListen();
    void pcapOverIpFromTcpdumpAndNetcat();
    void twoSensorsMergedInTimeOrder();
    void sensorKilledOthersContinue();
    void appSessionMergesSensors();
    void clockOffsetShownAndCorrected();

private:
    QString ns(const char* tag) const { return QString("uhr%1%2").arg(getpid()).arg(tag); }
    QString link(const char* tag) const { return QString("u%1%2").arg(getpid()).arg(tag); }
    QString sensor_addr(int i) const { return QString("10.77.%1.2").arg(i); }
    QString capture_if(int i) const { return link(i == 1 ? "k1" : "k2"); }
    QString ssh_url(int i, const QString& query = {}) const
    {
        return "ssh://root@" + sensor_addr(i) + "/" + capture_if(i) + "?helper=" + (query.isEmpty() ? kHelper : query);
    }
    QProcess* start(const QString& in_ns, const QString& program, const QStringList& args,
                    const QString& ssh_config = {});
    QProcess* start_cli(const QStringList& args, const QString& ssh_config = {})
    {
        return start(ns("c"), kCli, args, ssh_config);
    }
    bool send(int sensor, int count, uint16_t port, int gap_us = 20);
    bool finish(QProcess* p, int timeout_ms = 60000);
    void kill_processes_in(const QString& in_ns);
    int kill_in(const QString& in_ns, const QList<QByteArray>& programs);

    QTemporaryDir dir_;
    QString ssh_config_;
    QList<QProcess*> sshd_;
    bool namespaces_ = false;
    QList<QProcess*> started_;
};

void TestRemoteSensors::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("remote sensor tests need root to create network namespaces (CI runs them as root)");
    for (const char* tool : {"ip", "ssh", "ssh-keygen", "trafgen", "tcpdump", "nc"})
        if (QStandardPaths::findExecutable(tool, {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}).isEmpty())
            QSKIP(qPrintable(QString("remote sensor tests need %1 (installer/bootstrap.sh installs it)").arg(tool)));
    if (!QFileInfo("/usr/sbin/sshd").isExecutable())
        QSKIP("remote sensor tests need sshd (openssh-server; installer/bootstrap.sh installs it)");
    QVERIFY(QFileInfo(kHelper).isExecutable());
    QVERIFY(QFileInfo(kCli).isExecutable());
    QVERIFY(dir_.isValid());
    const QString d = dir_.path();
    // Keys made here and thrown away with the directory.
    QCOMPARE(run("ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-C", "underhood test host", "-f", d + "/host_key"}), 0);
    QCOMPARE(run("ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-C", "underhood test user", "-f", d + "/user_key"}), 0);
    QVERIFY(QFile::copy(d + "/user_key.pub", d + "/authorized_keys"));
    QFile hk(d + "/host_key.pub");
    QVERIFY(hk.open(QIODevice::ReadOnly));
    const QByteArray host_key = hk.readAll().trimmed();
    QFile kh(d + "/known_hosts");
    QVERIFY(kh.open(QIODevice::WriteOnly));
    for (int i : {1, 2})
        kh.write(sensor_addr(i).toUtf8() + " " + host_key + "\n");
    kh.close();
    ssh_config_ = d + "/ssh_config";
    QFile sc(ssh_config_);
    QVERIFY(sc.open(QIODevice::WriteOnly));
    sc.write(QString("Host *\n  IdentityFile %1/user_key\n  IdentitiesOnly yes\n  UserKnownHostsFile %1/known_hosts\n"
                     "  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  ConnectTimeout 10\n"
                     "  LogLevel ERROR\n")
                 .arg(d)
                 .toUtf8());
    sc.close();

    // The namespaces and links.
    for (const char* n : {"c", "s1", "s2", "t"})
        QCOMPARE(run("ip", {"netns", "add", ns(n)}), 0);
    namespaces_ = true;
    for (const char* n : {"c", "s1", "s2", "t"}) {
        run("ip", {"netns", "exec", ns(n), "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"});
        run("ip", {"netns", "exec", ns(n), "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"});
        QCOMPARE(run("ip", {"-n", ns(n), "link", "set", "lo", "up"}), 0);
    }
    struct Pair {
        const char *a_ns, *a, *b_ns, *b;
    };
    for (const Pair& p : {Pair{"c", "c1", "s1", "m1"}, Pair{"c", "c2", "s2", "m2"}, Pair{"t", "t1", "s1", "k1"},
                          Pair{"t", "t2", "s2", "k2"}}) {
        QCOMPARE(run("ip", {"link", "add", link(p.a), "netns", ns(p.a_ns), "type", "veth", "peer", "name", link(p.b),
                            "netns", ns(p.b_ns)}),
                 0);
        QCOMPARE(run("ip", {"-n", ns(p.a_ns), "link", "set", link(p.a), "up"}), 0);
        QCOMPARE(run("ip", {"-n", ns(p.b_ns), "link", "set", link(p.b), "up"}), 0);
    }
    QCOMPARE(run("ip", {"-n", ns("c"), "addr", "add", "10.77.1.1/24", "dev", link("c1")}), 0);
    QCOMPARE(run("ip", {"-n", ns("c"), "addr", "add", "10.77.2.1/24", "dev", link("c2")}), 0);
    QCOMPARE(run("ip", {"-n", ns("s1"), "addr", "add", "10.77.1.2/24", "dev", link("m1")}), 0);
    QCOMPARE(run("ip", {"-n", ns("s2"), "addr", "add", "10.77.2.2/24", "dev", link("m2")}), 0);

    // sshd's privilege separation directory (the package makes it at boot).
    ::mkdir("/run/sshd", 0755);
    for (int i : {1, 2}) {
        const QString cfg = d + QString("/sshd_config%1").arg(i);
        QFile f(cfg);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QString("Port 22\nListenAddress %1\nHostKey %2/host_key\nAuthorizedKeysFile %2/authorized_keys\n"
                        "StrictModes no\nPermitRootLogin prohibit-password\nUsePAM no\nPasswordAuthentication no\n"
                        "KbdInteractiveAuthentication no\nPidFile none\nLogLevel VERBOSE\n")
                    .arg(sensor_addr(i), d)
                    .toUtf8());
        f.close();
        QProcess* p = start(ns(i == 1 ? "s1" : "s2"), "/usr/sbin/sshd", {"-D", "-e", "-f", cfg});
        sshd_ << p;
        QVERIFY(wait_stderr(p, "Server listening on"));
    }
}

void TestRemoteSensors::cleanup()
{
    for (QProcess* p : started_) {
        if (p->state() != QProcess::NotRunning) {
            ::kill(pid_t(p->processId()), SIGKILL);
            p->waitForFinished(5000);
        }
        delete p;
    }
    started_.clear();
}

void TestRemoteSensors::cleanupTestCase()
{
    cleanup();
    for (QProcess* p : sshd_) {
        ::kill(pid_t(p->processId()), SIGTERM);
        p->waitForFinished(5000);
        delete p;
    }
    sshd_.clear();
    if (namespaces_) {
        for (const char* n : {"c", "s1", "s2", "t"}) {
            kill_processes_in(ns(n));
            run("ip", {"netns", "del", ns(n)});
        }
    }
}

// Whatever still runs in a namespace of ours (a remote helper whose session
// ended badly): found by the namespace it is in, ended by its id.
void TestRemoteSensors::kill_processes_in(const QString& in_ns)
{
    QByteArray pids;
    run("ip", {"netns", "pids", in_ns}, &pids);
    for (const QByteArray& p : pids.split('\n'))
        if (const int pid = p.trimmed().toInt(); pid > 1)
            ::kill(pid, SIGKILL);
}

// Processes of ours in a namespace whose program is one of `programs` (a
// path or a name on PATH), ended by their ids; returns how many.
int TestRemoteSensors::kill_in(const QString& in_ns, const QList<QByteArray>& programs)
{
    QByteArray pids;
    run("ip", {"netns", "pids", in_ns}, &pids);
    int killed = 0;
    for (const QByteArray& p : pids.split('\n')) {
        const int pid = p.trimmed().toInt();
        QFile cmd(QString("/proc/%1/cmdline").arg(pid));
        if (pid <= 1 || !cmd.open(QIODevice::ReadOnly))
            continue;
        const QByteArray argv0 = cmd.readAll().split('\0').value(0);
        for (const QByteArray& prog : programs)
            if (argv0 == prog || argv0.endsWith("/" + prog)) {
                ::kill(pid, SIGKILL);
                ++killed;
                break;
            }
    }
    return killed;
}

QProcess* TestRemoteSensors::start(const QString& in_ns, const QString& program, const QStringList& args,
                                   const QString& ssh_config)
{
    auto* p = new QProcess;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("UNDERHOOD_SSH", "ssh -F " + (ssh_config.isEmpty() ? ssh_config_ : ssh_config));
    p->setProcessEnvironment(env);
    p->start("ip", QStringList{"netns", "exec", in_ns, program} + args);
    if (program != "/usr/sbin/sshd")
        started_ << p;
    return p;
}

// `count` copies of one UDP frame from port `port`, from the traffic
// namespace towards sensor `sensor`'s capture interface.
bool TestRemoteSensors::send(int sensor, int count, uint16_t port, int gap_us)
{
    const QByteArray frame = udp_frame(port, 1, 120);
    QString cfg = "{ ";
    for (int i = 0; i < frame.size(); ++i)
        cfg += QString("%1%2").arg(i ? ", " : "").arg(QString::asprintf("0x%02x", uint8_t(frame[i])));
    cfg += " }\n";
    const QString path = dir_.filePath(QString("frame%1.cfg").arg(port));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(cfg.toUtf8());
    f.close();
    QByteArray out;
    // One process, no socket-memory or IRQ tuning (those are the machine's).
    const int rc = run("ip", {"netns", "exec", ns("t"), "trafgen", "-o", link(sensor == 1 ? "t1" : "t2"), "-i", path,
                              "-n", QString::number(count), "-P", "1", "--no-sock-mem", "--notouch-irq", "--no-cpu-stats", "-t",
                              QString("%1us").arg(gap_us)},
                       &out);
    if (rc != 0)
        qWarning("trafgen: %s", out.constData());
    return rc == 0;
}

bool TestRemoteSensors::finish(QProcess* p, int timeout_ms)
{
    wait_output(p, QProcess::StandardOutput, [](const QByteArray&) { return false; }, timeout_ms);
    p->setProperty("err", all_stderr(p));
    if (p->state() != QProcess::NotRunning) {
        qWarning("%s did not end:\n%s", qPrintable(p->arguments().join(' ')),
                 p->property("err").toByteArray().constData());
        return false;
    }
    return p->exitStatus() == QProcess::NormalExit;
}

// -i IFACE runs the local helper; Ctrl-C (SIGINT) ends it cleanly and the
// counts are printed.
void TestRemoteSensors::localInterfaceUntilInterrupted()
{
    QProcess* cli = start(ns("s1"), kCli, {"stats", "--json", "-i", capture_if(1)});
    QVERIFY(wait_stderr(cli, "capturing on " + capture_if(1).toUtf8()));
    QVERIFY(send(1, 300, 4001));
    // `ip netns exec` runs the CLI in its own process: signal that one.
    QByteArray pids;
    run("ip", {"netns", "pids", ns("s1")}, &pids);
    int signalled = 0;
    for (const QByteArray& p : pids.split('\n')) {
        const int pid = p.trimmed().toInt();
        QFile cmd(QString("/proc/%1/cmdline").arg(pid));
        if (pid > 1 && cmd.open(QIODevice::ReadOnly) && cmd.readAll().startsWith(kCli.toUtf8() + '\0')) {
            ::kill(pid, SIGINT);
            ++signalled;
        }
    }
    QCOMPARE(signalled, 1);
    QVERIFY(finish(cli));
    QVERIFY2(cli->exitCode() == 0, all_stderr(cli).constData());
    const QJsonObject j = QJsonDocument::fromJson(all_stdout(cli)).object();
    QCOMPARE(j["packets"].toInt(), 300);
    const QJsonObject s = j["sensors"].toArray()[0].toObject();
    QCOMPARE(s["name"].toString(), capture_if(1));
    QCOMPARE(s["received"].toInt(), 300);
    QVERIFY(s["final_statistics"].toBool());
}

void TestRemoteSensors::sshWithHelperCountsEveryPacket()
{
    QProcess* cli = start_cli({"stats", "--json", "-c", "1000", "-i", ssh_url(1)});
    QVERIFY(wait_stderr(cli, "capturing on " + capture_if(1).toUtf8()));
    QVERIFY(send(1, 1000, 4001));
    QVERIFY(finish(cli));
    const QByteArray err = all_stderr(cli);
    QVERIFY2(cli->exitCode() == 0, err.constData());
    const QJsonObject j = QJsonDocument::fromJson(all_stdout(cli)).object();
    QCOMPARE(j["packets"].toInt(), 1000);
    const QJsonArray sensors = j["sensors"].toArray();
    QCOMPARE(sensors.size(), 1);
    const QJsonObject s = sensors[0].toObject();
    QCOMPARE(s["name"].toString(), sensor_addr(1) + "/" + capture_if(1));
    QCOMPARE(s["packets"].toInt(), 1000);
    // The helper's final statistics: every packet the socket got was delivered.
    QVERIFY2(s["final_statistics"].toBool(), err.constData());
    QCOMPARE(s["counts_exact"].toBool(), true);
    QCOMPARE(s["received"].toInt(), 1000);
    QCOMPARE(s["dropped_kernel"].toInt(), 0);
    QCOMPARE(s["dropped_helper"].toInt(), 0);
    QVERIFY(s["error"].isNull());
}

void TestRemoteSensors::sshTcpdumpFallback()
{
    QProcess* cli = start_cli({"stats", "--json", "-c", "1000", "-i", ssh_url(1, "/nonexistent/underhood-capture")});
    QVERIFY(wait_stderr(cli, "listening on " + capture_if(1).toUtf8()));
    QVERIFY(send(1, 1000, 4001));
    QVERIFY(finish(cli));
    const QByteArray err = all_stderr(cli);
    QVERIFY2(cli->exitCode() == 0, err.constData());
    QVERIFY2(err.contains("capturing with tcpdump"), err.constData());
    const QJsonObject j = QJsonDocument::fromJson(all_stdout(cli)).object();
    QCOMPARE(j["packets"].toInt(), 1000);
    const QJsonObject s = j["sensors"].toArray()[0].toObject();
    QCOMPARE(s["packets"].toInt(), 1000);
    // tcpdump's own final report (it ended at its -c), marked less exact.
    QCOMPARE(s["counts_exact"].toBool(), false);
    QVERIFY2(s["final_statistics"].toBool(), err.constData());
    QCOMPARE(s["dropped_kernel"].toInt(), 0);
    QVERIFY(s["received"].toInt() >= 1000);
    bool warned = false;
    for (const QJsonValue w : j["warnings"].toArray())
        warned = warned || w.toString().contains("less exact");
    QVERIFY(warned);
}

void TestRemoteSensors::sshRefusalsAreOneLine_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("port");
    QTest::addColumn<QString>("expected"); // what ssh itself says
    QTest::newRow("no key") << "  IdentityFile /nonexistent\n  IdentitiesOnly yes\n  UserKnownHostsFile KH\n"
                            << "" << "Permission denied (publickey)";
    QTest::newRow("unknown host key") << "  IdentityFile KEY\n  UserKnownHostsFile /dev/null\n" << ""
                                      << "Host key verification failed";
    QTest::newRow("refused") << "  IdentityFile KEY\n  UserKnownHostsFile KH\n" << ":2222" << "Connection refused";
}

void TestRemoteSensors::sshRefusalsAreOneLine()
{
    QFETCH(QString, config);
    QFETCH(QString, port);
    QFETCH(QString, expected);
    const QString cfg = dir_.filePath(QString("ssh_config_%1").arg(QTest::currentDataTag()).replace(' ', '_'));
    QFile f(cfg);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(("Host *\n" + QString(config)
                              .replace("KH", dir_.filePath("known_hosts"))
                              .replace("KEY", dir_.filePath("user_key")) +
             "  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  ConnectTimeout 10\n")
                .toUtf8());
    f.close();
    const QString url = "ssh://root@" + sensor_addr(1) + port + "/" + capture_if(1);
    QProcess* cli = start_cli({"stats", "--json", "-c", "10", "-i", url}, cfg);
    QVERIFY(finish(cli));
    QCOMPARE(cli->exitCode(), 1);
    QVERIFY(all_stdout(cli).isEmpty());
    const QByteArray err = all_stderr(cli).trimmed();
    QVERIFY2(!err.contains('\n'), err.constData());
    QVERIFY2(err.startsWith("underhood-cli: " + url.toUtf8() + ": "), err.constData());
    QVERIFY2(err.contains(expected.toUtf8()), err.constData());
}

void TestRemoteSensors::pcapOverIpFromHelperListen_data()
{
    QTest::addColumn<QString>("format");
    QTest::newRow("pcap (default)") << "";
    QTest::newRow("pcapng") << "pcapng";
}

void TestRemoteSensors::pcapOverIpFromHelperListen()
{
    QFETCH(QString, format);
    QStringList args{"-i", capture_if(1), "--listen", sensor_addr(1) + ":57012"};
    if (!format.isEmpty())
        args << "--format" << format;
    QProcess* helper = start(ns("s1"), kHelper, args);
    QVERIFY(wait_stderr(helper, "listening on"));
    QVERIFY(wait_stderr(helper, "capturing on"));
    QProcess* cli = start_cli({"stats", "--json", "-c", "1000", "-i", "pcap-over-ip://" + sensor_addr(1) + ":57012"});
    QVERIFY(wait_stderr(cli, "capturing from"));
    QVERIFY(wait_stderr(helper, "reader connected from 10.77.1.1"));
    QVERIFY(send(1, 1000, 4001));
    QVERIFY(finish(cli));
    QVERIFY2(cli->exitCode() == 0, all_stderr(cli).constData());
    const QJsonObject j = QJsonDocument::fromJson(all_stdout(cli)).object();
    QCOMPARE(j["packets"].toInt(), 1000);
    QCOMPARE(j["format"].toString(), format.isEmpty() ? QString("pcap") : format);
    // The helper serves the next reader once this one went away.
    QVERIFY(wait_stderr(helper, "the reader went away"));
    ::kill(pid_t(helper->processId()), SIGTERM);
    QVERIFY(helper->waitForFinished(10000));
    QCOMPARE(helper->exitCode(), 0);
}

void TestRemoteSensors::pcapOverIpFromTcpdumpAndNetcat()
{
    // The classic pcap-over-IP sensor: tcpdump's stream served by netcat.
    QProcess* server = start(ns("s1"), "sh",
                             {"-c", "tcpdump -U -n -i " + capture_if(1) + " -w - | nc -N -l " + sensor_addr(1) + " 57013"});
    QVERIFY(wait_stderr(server, "listening on"));
    QProcess* cli = nullptr;
    // nc listens once tcpdump runs; a bounded retry covers the moment between.
    for (int attempt = 0; attempt < 50; ++attempt) {
        cli = start_cli({"stats", "--json", "-c", "1000", "-i", "pcap-over-ip://" + sensor_addr(1) + ":57013"});
        if (wait_stderr(cli, "capturing from", 1, 5000))
            break;
        cli->waitForFinished(5000);
        if (!all_stderr(cli).contains("Connection refused"))
            break;
        QTest::qWait(100);
    }
    QVERIFY(cli && cli->state() == QProcess::Running);
    QVERIFY(send(1, 1000, 4001));
    QVERIFY(finish(cli));
    QVERIFY2(cli->exitCode() == 0, all_stderr(cli).constData());
    const QJsonObject j = QJsonDocument::fromJson(all_stdout(cli)).object();
    QCOMPARE(j["packets"].toInt(), 1000);
    QCOMPARE(j["format"].toString(), QString("pcap"));
    kill_in(ns("s1"), {"tcpdump", "nc"});
}

void TestRemoteSensors::twoSensorsMergedInTimeOrder()
{
    QProcess* cli = start_cli({"fields", "-e", "frame.time_epoch", "-e", "udp.srcport", "-c", "2000", "-i", ssh_url(1),
                               "-i", ssh_url(2)});
    QVERIFY(wait_stderr(cli, "capturing on " + capture_if(1).toUtf8()));
    QVERIFY(wait_stderr(cli, "capturing on " + capture_if(2).toUtf8()));
    // Both at once, so the two streams interleave in time.
    bool sent1 = false;
    std::thread t1([&] { sent1 = send(1, 1000, 4001, 100); });
    QVERIFY(send(2, 1000, 4002, 100));
    t1.join();
    QVERIFY(sent1);
    QVERIFY(finish(cli));
    const QByteArray err = all_stderr(cli);
    QVERIFY2(cli->exitCode() == 0, err.constData());
    const QList<QByteArray> lines = all_stdout(cli).trimmed().split('\n');
    QCOMPARE(lines.size(), 2000);
    int from[2] = {0, 0};
    QByteArray last;
    int switches = 0;
    QByteArray prev_port;
    for (const QByteArray& l : lines) {
        const QList<QByteArray> f = l.split('\t');
        QCOMPARE(f.size(), 2);
        // Same-width decimal times: text order is time order.
        QVERIFY2(last.isEmpty() || f[0].toDouble() >= last.toDouble(), (last + " then " + f[0]).constData());
        last = f[0];
        ++from[f[1] == "4001" ? 0 : 1];
        switches += !prev_port.isEmpty() && prev_port != f[1];
        prev_port = f[1];
    }
    QCOMPARE(from[0], 1000);
    QCOMPARE(from[1], 1000);
    QVERIFY2(switches > 2, "the two sensors' packets did not interleave; the merge was not tested");
    // Per-sensor counts, with the drop counters of each helper.
    QVERIFY2(err.contains(sensor_addr(1).toUtf8() + "/" + capture_if(1).toUtf8() + ": 1000 packets"), err.constData());
    QVERIFY2(err.contains(sensor_addr(2).toUtf8() + "/" + capture_if(2).toUtf8() + ": 1000 packets"), err.constData());

    QProcess* stats = start_cli({"stats", "--json", "-c", "200", "-i", ssh_url(1), "-i", ssh_url(2)});
    QVERIFY(wait_stderr(stats, "capturing on " + capture_if(1).toUtf8()));
    QVERIFY(wait_stderr(stats, "capturing on " + capture_if(2).toUtf8()));
    bool sent2 = false;
    std::thread t2([&] { sent2 = send(1, 100, 4001, 100); });
    QVERIFY(send(2, 100, 4002, 100));
    t2.join();
    QVERIFY(sent2);
    QVERIFY(finish(stats));
    QVERIFY2(stats->exitCode() == 0, all_stderr(stats).constData());
    const QJsonObject j = QJsonDocument::fromJson(all_stdout(stats)).object();
    const QJsonArray sensors = j["sensors"].toArray();
    QCOMPARE(sensors.size(), 2);
    for (int i = 0; i < 2; ++i) {
        const QJsonObject s = sensors[i].toObject();
        QCOMPARE(s["name"].toString(), sensor_addr(i + 1) + "/" + capture_if(i + 1));
        QCOMPARE(s["packets"].toInt(), 100);
        // Stopped by the reader at the count, each helper still wrote its final statistics.
        QVERIFY2(s["final_statistics"].toBool(), all_stderr(stats).constData());
        QCOMPARE(s["dropped_kernel"].toInt(), 0);
        QCOMPARE(s["dropped_helper"].toInt(), 0);
        QCOMPARE(s["received"].toInt(), 100);
    }
}

void TestRemoteSensors::sensorKilledOthersContinue()
{
    QProcess* cli = start_cli({"fields", "-e", "udp.srcport", "-c", "1500", "-i", ssh_url(1), "-i", ssh_url(2)});
    QVERIFY(wait_stderr(cli, "capturing on " + capture_if(1).toUtf8()));
    QVERIFY(wait_stderr(cli, "capturing on " + capture_if(2).toUtf8()));
    QVERIFY(send(1, 500, 4001));
    QVERIFY(send(2, 500, 4002));
    QVERIFY(wait_output(cli, QProcess::StandardOutput,
                        [](const QByteArray& s) { return s.count("4001\n") == 500 && s.count("4002\n") == 500; }));
    // The helper on sensor 2 dies (found by its namespace, killed by its id).
    QCOMPARE(kill_in(ns("s2"), {kHelper.toUtf8()}), 1);
    QVERIFY(wait_stderr(cli, "was ended by signal 9"));
    // Sensor 1 goes on; nothing already received was lost.
    QVERIFY(send(1, 500, 4001));
    QVERIFY(finish(cli));
    const QByteArray err = all_stderr(cli);
    QVERIFY2(cli->exitCode() == 0, err.constData());
    const QByteArray out = all_stdout(cli);
    QCOMPARE(out.count("4001\n"), 1000);
    QCOMPARE(out.count("4002\n"), 500);
    QVERIFY2(err.contains("warning") && err.contains(sensor_addr(2).toUtf8() + "/" + capture_if(2).toUtf8() + ": the capture on"),
             err.constData());
}

// The app's session: two sensors and one that cannot start, merged into one
// capture with an interface per sensor and each sensor's statistics.
void TestRemoteSensors::appSessionMergesSensors()
{
    qputenv("UNDERHOOD_SSH", ("ssh -F " + ssh_config_).toUtf8());
    // The session's ssh runs in this process's namespace: enter the client's.
    const int self = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int client = ::open(QString("/run/netns/%1").arg(ns("c")).toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
    QVERIFY(self >= 0 && client >= 0);
    QCOMPARE(setns(client, CLONE_NEWNET), 0);
    ::close(client);
    struct Back {
        int fd;
        ~Back()
        {
            setns(fd, CLONE_NEWNET);
            ::close(fd);
        }
    } back{self};

    underhood::CaptureSession session;
    QStringList started, messages;
    QMap<QString, QString> failed;
    connect(&session, &underhood::CaptureSession::sensorStarted, this, [&](const QString& n) { started << n; });
    connect(&session, &underhood::CaptureSession::sensorFailed, this,
            [&](const QString& n, const QString& m) { failed[n] = m; });
    connect(&session, &underhood::CaptureSession::helperMessage, this, [&](const QString& m) { messages << m; });
    underhood::LiveCaptureOptions o;
    o.sources = {ssh_url(1), "ssh://root@10.77.9.2/eth0", ssh_url(2)};
    QString error;
    QVERIFY2(session.startLive(o, &error), qPrintable(error));
    const QString s1 = sensor_addr(1) + "/" + capture_if(1), s2 = sensor_addr(2) + "/" + capture_if(2);
    auto capturing = [&](const QString& sensor) {
        return messages.filter(sensor + ": underhood-capture: capturing on").size() == 1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(capturing(s1) && capturing(s2), 30000);
    QCOMPARE(started.size(), 2);
    QVERIFY(failed.contains("10.77.9.2/eth0"));
    QVERIFY2(failed["10.77.9.2/eth0"].contains("unreachable"), qPrintable(failed["10.77.9.2/eth0"]));
    QVERIFY(send(1, 100, 4001));
    QVERIFY(send(2, 100, 4002));
    auto packets = [&] {
        return session.engine().with_state([](const underhood::IngestEngine::State& st) { return st.index.size(); });
    };
    QTRY_COMPARE_WITH_TIMEOUT(packets(), size_t(200), 20000);
    session.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning(), 30000);
    session.engine().with_state([&](const underhood::IngestEngine::State& st) {
        QStringList names;
        for (const auto& itf : st.interfaces)
            names << QString::fromStdString(itf.name);
        // One interface per sensor, numbered as each sensor's first block arrived.
        names.sort();
        QStringList expected{s1, s2};
        expected.sort();
        QCOMPARE(names, expected);
        // Each sensor's final statistics: its 100 packets received, none dropped.
        std::map<uint32_t, underhood::InterfaceStatistics> last;
        for (const auto& is : st.statistics)
            last[is.interface_id] = is;
        QCOMPARE(last.size(), size_t(2));
        for (const auto& [id, is] : last) {
            QCOMPARE(is.ifrecv.value_or(0), uint64_t(100));
            QCOMPARE(is.osdrop.value_or(1), uint64_t(0));
            QCOMPARE(is.usrdeliv.value_or(0), uint64_t(100));
        }
        // In time stamp order across the sensors.
        for (size_t i = 1; i < st.index.size(); ++i)
            QVERIFY(st.index[i].ts_ns >= st.index[i - 1].ts_ns);
    });
}

// Both sensors share this machine's clock: one told it is 100 s off shows
// that offset between the sensors' first packets, and its packets move by it.
void TestRemoteSensors::clockOffsetShownAndCorrected()
{
    QProcess* cli = start_cli({"stats", "--json", "-c", "20", "-i", ssh_url(1), "-i", ssh_url(2) + "&offset=100"});
    QVERIFY(wait_stderr(cli, "capturing on " + capture_if(1).toUtf8()));
    QVERIFY(wait_stderr(cli, "capturing on " + capture_if(2).toUtf8()));
    QVERIFY(send(1, 10, 4001));
    QVERIFY(send(2, 10, 4002));
    QVERIFY(finish(cli));
    QVERIFY2(cli->exitCode() == 0, all_stderr(cli).constData());
    const QJsonObject j = QJsonDocument::fromJson(all_stdout(cli)).object();
    const QJsonArray sensors = j["sensors"].toArray();
    QCOMPARE(sensors.size(), 2);
    QCOMPARE(sensors[0].toObject()["first_packet_offset"].toDouble(), 0.0);
    const double off = sensors[1].toObject()["first_packet_offset"].toDouble();
    QVERIFY2(off > 99.0 && off < 101.0, qPrintable(QString::number(off)));
    QVERIFY(j["last_time"].toDouble() - j["first_time"].toDouble() > 99.0);
}

QTEST_GUILESS_MAIN(TestRemoteSensors)
#include "test_remote_sensors.moc"
