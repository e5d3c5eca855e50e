// Capture > Start…: remote sensors added beside the interfaces. With
// UNDERHOOD_SCREENSHOT_DIR set, the dialog is saved there (light and dark).
#include "capture_dialog.h"
#include "test_process.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPalette>
#include <QPushButton>
#include <QStyleFactory>
#include <QTreeWidget>
#include <QtTest>

using namespace underhood;

class TestCaptureDialogRemote : public QObject {
    Q_OBJECT
private slots:
    void addsRemoteSensors();
    void refusesWhatIsNotOne();
};

namespace {

QPushButton* ok_button(CaptureDialog& d)
{
    return d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
}

} // namespace

void TestCaptureDialogRemote::addsRemoteSensors()
{
    LiveCaptureOptions initial;
    initial.interfaces = {"no-such-interface-here"}; // nothing selected
    CaptureDialog d(initial);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    QVERIFY(!ok_button(d)->isEnabled() || d.options().interfaces.size() > 0);
    // Typed and added with Return, as a user does.
    auto* edit = d.findChild<QLineEdit*>("remoteSource");
    QVERIFY(edit);
    edit->setFocus();
    QTest::keyClicks(edit, "ssh://root@sensor1.lan/eth1?filter=tcp port 443");
    QTest::keyClick(edit, Qt::Key_Return);
    QVERIFY(edit->text().isEmpty());
    QVERIFY(d.addRemoteSource("pcap-over-ip://10.0.0.7:57012"));
    QVERIFY(d.addRemoteSource("pcap-over-ip://10.0.0.7:57012")); // once only
    auto* list = d.findChild<QListWidget*>("remoteSources");
    QCOMPARE(list->count(), 2);
    QCOMPARE(list->item(0)->text().section("    ", 0, 0), QString("sensor1.lan/eth1"));
    QCOMPARE(list->item(1)->text().section("    ", 0, 0), QString("10.0.0.7:57012"));
    const LiveCaptureOptions o = d.options();
    QCOMPARE(o.sources,
             QStringList({"ssh://root@sensor1.lan/eth1?filter=tcp port 443", "pcap-over-ip://10.0.0.7:57012"}));
    // Remote sensors alone are enough to start.
    if (o.interfaces.isEmpty())
        QVERIFY(ok_button(d)->isEnabled() || !d.filterError().isEmpty());
    // The interfaces the helper lists (as the user sees them) before the picture.
    QTRY_VERIFY_WITH_TIMEOUT(d.findChild<QTreeWidget*>()->topLevelItemCount() > 0, 10000);
    test::save_shot(d, "capture-dialog-remote-light");
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, Qt::white);
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::Text, Qt::white);
    dark.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3a));
    dark.setColor(QPalette::ButtonText, Qt::white);
    QApplication::setPalette(dark);
    test::save_shot(d, "capture-dialog-remote-dark");
    QApplication::setPalette(QPalette());
    // Delete removes the selected sensor.
    list->setFocus();
    list->setCurrentRow(0);
    QTest::keyClick(list, Qt::Key_Delete);
    QCOMPARE(d.options().sources, QStringList({"pcap-over-ip://10.0.0.7:57012"}));
}

void TestCaptureDialogRemote::refusesWhatIsNotOne()
{
    CaptureDialog d(LiveCaptureOptions{});
    QVERIFY(!d.addRemoteSource("ssh://host"));
    QVERIFY(!d.addRemoteSource("eth0"));
    QVERIFY(!d.addRemoteSource("ssh://-oProxyCommand=x/eth0"));
    QVERIFY(d.options().sources.isEmpty());
    bool said = false;
    for (QLabel* l : d.findChildren<QLabel*>())
        said = said || l->text() == "ssh://-oProxyCommand=x/eth0: '-oProxyCommand=x' is not a host name";
    QVERIFY(said);
}

QTEST_MAIN(TestCaptureDialogRemote)
#include "test_capture_dialog_remote.moc"
