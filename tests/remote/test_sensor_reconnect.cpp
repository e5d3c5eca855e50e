// The drop panel's sensor rows during a capture from two pcap-over-IP
// sources on this machine: one streams (a small server here writing a
// classic pcap stream, as `tcpdump -w - | nc -l` would), the other has nobody
// listening yet. The failed one shows the connection's error and a Reconnect
// button; once something listens, Reconnect starts it again while the other
// goes on and nothing already received is lost. No root and no network
// beyond the loopback interface. With UNDERHOOD_SCREENSHOT_DIR set, the
// window with the drop panel is saved there at 1280x720 (light and dark).
#include "drop_panel.h"
#include "main_window.h"
#include "pcap_stream_server.h"
#include "packet_list_model.h"
#include "packet_list_view.h"

#include <QDateTime>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QtEndian>
#include <QtTest>

using namespace underhood;
using test::PcapStreamServer;
using test::free_port;

namespace {


} // namespace

class TestSensorReconnect : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void failedSensorReconnects();
    void clockCorrectedPerSensor();
};

void TestSensorReconnect::initTestCase()
{
    QCoreApplication::setOrganizationName("underhood-tests");
    QCoreApplication::setApplicationName("test_sensor_reconnect");
}

void TestSensorReconnect::failedSensorReconnects()
{
    const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
    for (const QString& theme : dir.isEmpty() ? QStringList{"light"} : QStringList{"light", "dark"}) {
        PcapStreamServer a(2);
        QVERIFY(a.listen());
        const quint16 b_port = free_port();
        const QString a_name = QString("127.0.0.1:%1").arg(a.port()), b_name = QString("127.0.0.1:%1").arg(b_port);

        MainWindow w(QSize(1280, 720));
        w.applyTheme(theme);
        w.setQuiet(true);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        LiveCaptureOptions o;
        o.sources = {"pcap-over-ip://" + a_name, "pcap-over-ip://" + b_name};
        QVERIFY(w.startCapture(o));
        w.showDropPanel();
        DropPanel* p = w.dropPanel();
        QTRY_COMPARE_WITH_TIMEOUT(p->sensorRows(), 2, 10000);
        auto text = [&](const char* key, int i) { return p->findChild<QLabel*>(QString("%1_%2").arg(key).arg(i))->text(); };
        auto captured = [&](int i) { return text("sensorCaptured", i).remove(QRegularExpression("[^0-9]")).toULongLong(); };
        QCOMPARE(text("sensorName", 0), a_name);
        QCOMPARE(text("sensorName", 1), b_name);
        // The one nobody listens for says why, with its button; the other captures.
        QTRY_VERIFY_WITH_TIMEOUT(text("sensorState", 1).contains("refused"), 10000);
        QPushButton* reconnect = p->findChild<QPushButton*>("sensorReconnect_1");
        QTRY_VERIFY_WITH_TIMEOUT(reconnect->isVisible(), 5000);
        QVERIFY(!p->findChild<QPushButton*>("sensorReconnect_0")->isVisible());
        QCOMPARE(text("sensorState", 0), QString("capturing"));
        QTRY_VERIFY_WITH_TIMEOUT(captured(0) >= 40, 10000);
        QCOMPARE(text("sensorOffset", 0), QString("+0.000 s"));
        if (!dir.isEmpty()) {
            QTest::qWait(300);
            QVERIFY(w.grab().save(dir + "/drop-panel-sensors-" + theme + ".png"));
        }

        // Something listens now: Reconnect starts only that sensor.
        PcapStreamServer b(3);
        QVERIFY(b.listen(b_port));
        auto listed = [&] {
            return w.session()->engine().with_state([](const IngestEngine::State& s) { return s.index.size(); });
        };
        const size_t before = listed();
        QTest::mouseClick(reconnect, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(text("sensorState", 1), QString("capturing"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(captured(1) >= 20, 10000);
        QVERIFY(!reconnect->isVisible());
        QVERIFY(captured(0) >= 60); // A went on meanwhile
        QVERIFY(listed() > before); // and nothing listed before went away
        // B's packets arrive as its own interface, named as the sensor.
        const QStringList names = w.session()->engine().with_state([](const IngestEngine::State& s) {
            QStringList n;
            for (const auto& itf : s.interfaces)
                n << QString::fromStdString(itf.name);
            return n;
        });
        QCOMPARE(names, QStringList({a_name, b_name}));
        QTRY_VERIFY_WITH_TIMEOUT(!w.packetView()->isColumnHidden(PacketListModel::Sensor), 5000);

        // The sensor goes away mid-run and comes back: one interface, counts go on.
        b.dropReaders();
        QTRY_VERIFY_WITH_TIMEOUT(reconnect->isVisible(), 10000);
        const quint64 b_before = captured(1);
        QTest::mouseClick(reconnect, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(captured(1) >= b_before + 20, 10000);
        QCOMPARE(w.session()->engine().with_state([](const IngestEngine::State& s) { return s.interfaces.size(); }),
                 size_t(2));
        // Every packet A's server wrote before the stop, B's too, is in the capture.
        w.session()->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!w.session()->isRunning(), 15000);
        const auto per_interface = w.session()->engine().with_state([](const IngestEngine::State& s) {
            std::array<quint64, 2> n{};
            for (const auto& e : s.index)
                if (e.interface_id < 2)
                    ++n[e.interface_id];
            return n;
        });
        QVERIFY(per_interface[0] >= 60 && per_interface[0] <= a.sent());
        QVERIFY(per_interface[1] >= b_before + 20 && per_interface[1] <= b.sent());
        // The panel's final counts (the window refreshes it when the capture has ended).
        QTRY_COMPARE_WITH_TIMEOUT(quint64(captured(0)), per_interface[0], 5000);
        QTRY_COMPARE_WITH_TIMEOUT(quint64(captured(1)), per_interface[1], 5000);
        w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
        QVERIFY(w.close());
    }
}

// Both sensors stamp with this machine's clock: their first packets are
// within a fraction of a second. A correction of +100 s typed into one
// sensor's row moves the packets it sends from then on by 100 s, and only
// its own; the ?offset= of a URL shows as the row's starting correction.
void TestSensorReconnect::clockCorrectedPerSensor()
{
    PcapStreamServer a(2), b(3);
    QVERIFY(a.listen());
    QVERIFY(b.listen());
    MainWindow w(QSize(1280, 720));
    w.setQuiet(true);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    LiveCaptureOptions o;
    o.sources = {QString("pcap-over-ip://127.0.0.1:%1").arg(a.port()),
                 QString("pcap-over-ip://127.0.0.1:%1?offset=-0.5").arg(b.port())};
    QVERIFY(w.startCapture(o));
    w.showDropPanel();
    DropPanel* p = w.dropPanel();
    QTRY_COMPARE_WITH_TIMEOUT(p->sensorRows(), 2, 10000);
    auto* correction = p->findChild<QDoubleSpinBox*>("sensorCorrection_1");
    QVERIFY(correction);
    QCOMPARE(correction->value(), -0.5);
    QCOMPARE(p->findChild<QDoubleSpinBox*>("sensorCorrection_0")->value(), 0.0);
    auto offset = [&] { return p->findChild<QLabel*>("sensorOffset_1")->text(); };
    QTRY_VERIFY_WITH_TIMEOUT(offset() != QString::fromUtf8("—") &&
                                 p->findChild<QLabel*>("sensorOffset_0")->text() != QString::fromUtf8("—"), 10000);
    // Each row's offset is its first packet's time less the earliest first packet.
    const auto first = w.session()->sensors();
    QCOMPARE(first.size(), size_t(2));
    const int64_t earliest = std::min(*first[0].counts.first_ns, *first[1].counts.first_ns);
    QCOMPARE(offset(), QString("%1%2 s").arg(*first[1].counts.first_ns >= earliest ? "+" : "")
                           .arg(double(*first[1].counts.first_ns - earliest) / 1e9, 0, 'f', 3));

    // Typed as a user would, then Enter.
    correction->setFocus();
    correction->selectAll();
    QTest::keyClicks(correction, "100");
    QTest::keyClick(correction, Qt::Key_Return);
    QCOMPARE(correction->value(), 100.0);
    const int64_t set_at = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    // From now on B's packets are 100 s ahead; A's are not.
    // A sensor's interface is numbered when its first block arrives: found by its name.
    auto newest = [&](const PcapStreamServer& server) {
        const std::string port = ":" + std::to_string(server.port());
        return w.session()->engine().with_state([&port](const IngestEngine::State& s) {
            int64_t t = 0;
            for (const auto& e : s.index)
                if (e.interface_id < s.interfaces.size() && s.interfaces[e.interface_id].name.ends_with(port))
                    t = std::max(t, e.ts_ns);
            return t;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(newest(b) > set_at + 95'000'000'000, 10000);
    QVERIFY(newest(a) > 0);
    QVERIFY(newest(a) < set_at + 5'000'000'000);
    QCOMPARE(w.session()->sensors()[1].offset_ns, int64_t(100'000'000'000));
    w.session()->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!w.session()->isRunning(), 15000);
    w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
    QVERIFY(w.close());
}

QTEST_MAIN(TestSensorReconnect)
#include "test_sensor_reconnect.moc"
