// Capture > Start…: the NIC column of the interface list against the kernel.
// The test joins a network namespace of its own holding one end of a veth
// pair (the other end in a second namespace, no routes out), opens the
// dialog there, and compares what the column and its tooltip say with
// `ethtool`, `ethtool -k`, `ethtool -g` and `ip link`, before and after the
// offloads are switched. With "wire-exact frames" ticked, GRO on gives the
// warning with the command that turns it off; off, no warning.
// With UNDERHOOD_SCREENSHOT_DIR set the dialog is saved there (light and dark).
// Needs root, iproute2 and ethtool; skips (loudly) otherwise.
#include "capture_dialog.h"
#include "test_process.h"
#include "theme.h"

#include <QApplication>
#include <QDir>
#include <QPalette>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTreeWidget>
#include <QtTest>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

using namespace underhood;
using test::run_process;
using test::save_shot;

namespace {

// `ethtool -k IFACE` as name → on, for the features that have a plain line.
QMap<QString, bool> ethtool_features(const QString& itf)
{
    QByteArray out;
    run_process("ethtool", {"-k", itf}, &out);
    QMap<QString, bool> f;
    static const QRegularExpression line(R"(^([a-z0-9-]+): (on|off))");
    for (const QByteArray& l : out.split('\n')) {
        const auto m = line.match(QString::fromUtf8(l));
        if (m.hasMatch())
            f[m.captured(1)] = m.captured(2) == "on";
    }
    return f;
}

} // namespace

class TestCaptureDialogNic : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void nicColumnEqualsEthtool();
    void groWarningFollowsTheKernel();

private:
    QTreeWidgetItem* open_and_wait(CaptureDialog& d);
    QString expected_health();

    int home_ns_ = -1;
    QString ns_a_, ns_b_;
    const QString veth_ = "uhdlga", peer_ = "uhdlgb";
};

void TestCaptureDialogNic::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("needs root to create network namespaces (CI runs it as root)");
    for (const char* tool : {"ip", "ethtool"})
        if (QStandardPaths::findExecutable(tool).isEmpty())
            QSKIP(qPrintable(QString("needs %1 (installer/bootstrap.sh installs it)").arg(tool)));
    ns_a_ = QString("uhdlg%1a").arg(getpid());
    ns_b_ = QString("uhdlg%1b").arg(getpid());
    QCOMPARE(run_process("ip", {"netns", "add", ns_a_}), 0);
    QCOMPARE(run_process("ip", {"netns", "add", ns_b_}), 0);
    QCOMPARE(run_process("ip", {"link", "add", veth_, "netns", ns_a_, "type", "veth", "peer", "name", peer_, "netns", ns_b_}),
             0);
    QCOMPARE(run_process("ip", {"-n", ns_a_, "link", "set", veth_, "mtu", "1400", "up"}), 0);
    QCOMPARE(run_process("ip", {"-n", ns_b_, "link", "set", peer_, "up"}), 0);
    // From here on this thread (and every process it starts: the helper's
    // -D and --describe, ethtool, ip) lives in the first namespace.
    home_ns_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    QVERIFY(home_ns_ >= 0);
    const int fd = ::open(QByteArray("/run/netns/" + ns_a_.toLocal8Bit()).constData(), O_RDONLY | O_CLOEXEC);
    QVERIFY(fd >= 0);
    QCOMPARE(::setns(fd, CLONE_NEWNET), 0);
    ::close(fd);
}

void TestCaptureDialogNic::cleanupTestCase()
{
    if (home_ns_ >= 0) {
        ::setns(home_ns_, CLONE_NEWNET);
        ::close(home_ns_);
    }
    if (!ns_a_.isEmpty()) {
        run_process("ip", {"netns", "del", ns_a_});
        run_process("ip", {"netns", "del", ns_b_});
    }
}

// The dialog lists the namespace's interfaces and describes each; returns
// the veth's row once its NIC column is filled.
QTreeWidgetItem* TestCaptureDialogNic::open_and_wait(CaptureDialog& d)
{
    d.show();
    if (!QTest::qWaitForWindowExposed(&d))
        return nullptr;
    auto* list = d.findChild<QTreeWidget*>();
    if (!list)
        return nullptr;
    QTreeWidgetItem* row = nullptr;
    const bool ok = QTest::qWaitFor(
        [&] {
            const auto found = list->findItems(veth_, Qt::MatchExactly, 0);
            row = found.isEmpty() ? nullptr : found.first();
            return row && !row->text(2).isEmpty() && row->text(2) != "…";
        },
        20000);
    return ok ? row : nullptr;
}

// What the column should read, from ethtool alone.
QString TestCaptureDialogNic::expected_health()
{
    QStringList parts;
    QByteArray out;
    run_process("ethtool", {veth_}, &out);
    const auto speed = QRegularExpression(R"(Speed: (\d+)Mb/s)").match(QString::fromUtf8(out));
    if (speed.hasMatch()) {
        const int mbps = speed.captured(1).toInt();
        parts << (mbps >= 1000 ? QString("%1 Gb/s").arg(double(mbps) / 1000, 0, 'g', 3) : QString("%1 Mb/s").arg(mbps));
    }
    if (run_process("ethtool", {"-g", veth_}, &out) == 0) {
        const QString text = QString::fromUtf8(out);
        const int max_at = text.indexOf("maximums"), cur_at = text.indexOf("Current hardware settings");
        static const QRegularExpression rx(R"(RX:\s+(\d+))");
        const int max = rx.match(text, max_at).captured(1).toInt(), cur = rx.match(text, cur_at).captured(1).toInt();
        parts << (cur < max ? QString("ring %1/%2").arg(cur).arg(max) : QString("ring %1 (max)").arg(cur));
    }
    const QMap<QString, bool> f = ethtool_features(veth_);
    QStringList on;
    for (auto [key, name] : {std::pair{"generic-receive-offload", "GRO"},
                             {"large-receive-offload", "LRO"},
                             {"tcp-segmentation-offload", "TSO"},
                             {"generic-segmentation-offload", "GSO"}})
        if (f.value(key))
            on << name;
    if (f.value("rx-checksumming") || f.value("tx-checksumming"))
        on << "csum";
    if (!on.isEmpty())
        parts << QString("%1 on").arg(on.join(' '));
    return parts.isEmpty() ? QString("no offloads") : parts.join(" · ");
}

void TestCaptureDialogNic::nicColumnEqualsEthtool()
{
    for (const QString& setting : {QString("on"), QString("off")}) {
        QCOMPARE(run_process("ethtool", {"-K", veth_, "gro", setting, "tso", setting, "gso", setting}), 0);
        LiveCaptureOptions initial;
        initial.interfaces = {veth_};
        CaptureDialog d(initial);
        QTreeWidgetItem* row = open_and_wait(d);
        QVERIFY2(row, "the veth's NIC column was never filled");
        const QString expected = expected_health();
        QCOMPARE(row->text(2), expected);
        QCOMPARE(row->text(2).contains("GRO"), setting == "on");

        // The tooltip names the MTU ip link reports and the ring state.
        QByteArray out;
        QCOMPARE(run_process("ip", {"-o", "link", "show", veth_}, &out), 0);
        const QString mtu = QRegularExpression(R"(mtu (\d+))").match(QString::fromUtf8(out)).captured(1);
        QCOMPARE(mtu, QString("1400"));
        const QString tip = row->toolTip(2);
        QVERIFY2(tip.contains(QString("MTU %1,").arg(mtu)), qPrintable(tip));
        QVERIFY2(tip.contains(run_process("ethtool", {"-g", veth_}) == 0 ? "Receive ring: " : "no ring parameters"),
                 qPrintable(tip));
        QVERIFY2(tip.contains(setting == "on" ? QRegularExpression("Offloads on: .*gro")
                                              : QRegularExpression("Offloads off: .*gro")),
                 qPrintable(tip));
        if (setting == "on") {
            d.setWireExact(true);
            row->setSelected(true);
            save_shot(d, "capture-dialog-nic-light");
            QApplication::setStyle(QStyleFactory::create("Fusion"));
            const QPalette light = QApplication::palette();
            QApplication::setPalette(darkPalette());
            save_shot(d, "capture-dialog-nic-dark");
            QApplication::setPalette(light);
        }
    }
}

void TestCaptureDialogNic::groWarningFollowsTheKernel()
{
    for (const QString& setting : {QString("on"), QString("off")}) {
        QCOMPARE(run_process("ethtool", {"-K", veth_, "gro", setting}), 0);
        const bool gro = ethtool_features(veth_).value("generic-receive-offload");
        QCOMPARE(gro, setting == "on");
        LiveCaptureOptions initial;
        initial.interfaces = {veth_};
        CaptureDialog d(initial);
        QTreeWidgetItem* row = open_and_wait(d);
        QVERIFY(row);
        row->setSelected(true);
        d.setWireExact(false);
        QVERIFY(d.offloadWarning().isEmpty()); // only asked for wire-exact frames
        d.setWireExact(true);
        if (gro) {
            QVERIFY2(d.offloadWarning().contains("ethtool -K " + veth_ + " gro off"), qPrintable(d.offloadWarning()));
        } else {
            QVERIFY2(d.offloadWarning().isEmpty(), qPrintable(d.offloadWarning()));
        }
    }
}

QTEST_MAIN(TestCaptureDialogNic)
#include "test_capture_dialog_nic.moc"
