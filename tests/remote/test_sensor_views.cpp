// Where a packet came from, in the app's views: the packet list's Sensor
// column and the display filter's frame.interface_id / frame.interface_name
// against tshark on a pcapng with two sensors' interfaces; the graph coloured
// by sensor. The file is the demo capture split between two interfaces named
// as remote sensors are (HOST/IFACE), written with the project's pcapng writer.
// With UNDERHOOD_SCREENSHOT_DIR set, the window is saved there at 1280x720
// (light and dark).
#include "capture_reader.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "main_window.h"
#include "packet_list_model.h"
#include "packet_list_view.h"
#include "pcapng_writer.h"
#include "tshark_lines.h"

#include <QAction>
#include <QComboBox>
#include <QMenu>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
const char* const kSensors[] = {"10.0.0.2/veth1", "10.0.0.3/veth1"};

// The demo's packets on two interfaces: each pair of MAC addresses stays with
// one sensor (as two taps on two switches would see them).
bool write_two_sensors(const QString& out_path, QString& error)
{
    std::string err;
    auto reader = CaptureReader::open_path(kDemo.toStdString(), err);
    if (!reader) {
        error = QString::fromStdString(err);
        return false;
    }
    PcapngWriter out = PcapngWriter::create(out_path.toStdString());
    if (!out.ok() || !out.write_section_header()) {
        error = "cannot write " + out_path;
        return false;
    }
    PacketRecord rec;
    bool described = false;
    while (reader->next(rec) == CaptureReader::Status::Packet) {
        if (!described) {
            for (const char* name : kSensors) {
                PcapngInterfaceInfo idb;
                idb.link_type = uint16_t(reader->interfaces()[rec.interface_id].link_type);
                idb.snaplen = 262144;
                idb.name = name;
                out.write_interface(idb);
            }
            described = true;
        }
        const uint32_t sensor = rec.data.size() >= 12 ? uint32_t((rec.data[5] ^ rec.data[11]) & 1) : 0;
        if (!out.write_packet(sensor, uint64_t(rec.ts_ns), {rec.data.data(), rec.data.size()}, rec.origlen)) {
            error = "cannot write a packet";
            return false;
        }
    }
    return out.close();
}

bool open_quiet(MainWindow& w, const QString& file)
{
    w.setQuiet(true);
    return w.openFile(file) && QTest::qWaitFor([&] {
        return w.session() && !w.session()->isRunning() && w.packetModel()->rowCount() > 0;
    }, 60000);
}

std::vector<quint64> listed(PacketListModel* m)
{
    std::vector<quint64> v;
    for (int r = 0; r < m->rowCount(); ++r)
        v.push_back(m->numberAt(r));
    return v;
}

} // namespace

class TestSensorViews : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void sensorColumnIsTsharksInterfaceName();
    void displayFilterSelectsASensor_data();
    void displayFilterSelectsASensor();
    void cliFieldsNameTheInterface();
    void oneInterfaceHidesTheColumn();
    void graphColouredBySensor();
    void screenshots();

private:
    QTemporaryDir dir_;
    QString file_;
};

void TestSensorViews::initTestCase()
{
    QVERIFY(dir_.isValid());
    QCoreApplication::setOrganizationName("underhood-tests");
    QCoreApplication::setApplicationName("test_sensor_views");
    file_ = dir_.filePath("two-sensors.pcapng");
    QString error;
    QVERIFY2(write_two_sensors(file_, error), qPrintable(error));
}

void TestSensorViews::sensorColumnIsTsharksInterfaceName()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    const QList<QByteArray> ts = tshark_lines(file_, {"-T", "fields", "-e", "frame.number", "-e", "frame.interface_name"});
    MainWindow w;
    QVERIFY(open_quiet(w, file_));
    PacketListModel* m = w.packetModel();
    QCOMPARE(m->rowCount(), int(ts.size()));
    // Two interfaces: the column shows itself.
    QVERIFY(!w.packetView()->isColumnHidden(PacketListModel::Sensor));
    QCOMPARE(m->headerData(PacketListModel::Sensor, Qt::Horizontal, Qt::DisplayRole).toString(), QString("Sensor"));
    QSet<QString> seen;
    for (int r = 0; r < m->rowCount(); ++r) {
        const QList<QByteArray> f = ts[r].split('\t');
        QCOMPARE(f.size(), 2);
        QCOMPARE(m->numberAt(r), f[0].toULongLong());
        const QString sensor = m->data(m->index(r, PacketListModel::Sensor), Qt::DisplayRole).toString();
        QCOMPARE(sensor, QString::fromUtf8(f[1]));
        seen << sensor;
    }
    QCOMPARE(seen.size(), 2);
    // The header's menu hides it, and it stays hidden.
    std::unique_ptr<QMenu> menu(w.packetView()->columnMenu());
    QAction* a = menu->findChild<QAction*>(QString("column_%1").arg(int(PacketListModel::Sensor)));
    QVERIFY(a && a->isChecked());
    a->trigger();
    QVERIFY(w.packetView()->isColumnHidden(PacketListModel::Sensor));
    w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
}

void TestSensorViews::displayFilterSelectsASensor_data()
{
    QTest::addColumn<QString>("expr");
    QTest::newRow("name") << QString("frame.interface_name == \"%1\"").arg(kSensors[1]);
    QTest::newRow("id") << QString("frame.interface_id == 0");
    QTest::newRow("id and dns") << QString("frame.interface_id == 1 && dns");
    QTest::newRow("contains") << QString("frame.interface_name contains \"0.2/\" || udp");
}

void TestSensorViews::displayFilterSelectsASensor()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    QFETCH(QString, expr);
    const std::vector<quint64> want = tshark_numbers(file_, expr);
    QVERIFY(!want.empty());
    MainWindow w;
    QVERIFY(open_quiet(w, file_));
    w.applyDisplayFilter(expr);
    QVERIFY(QTest::qWaitFor([&] {
        return w.packetModel()->filtered() && w.packetModel()->rowCount() == int(want.size());
    }, 30000));
    QCOMPARE(listed(w.packetModel()), want);
    w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
}

// underhood-cli fields -e frame.interface_name (and -Y over it) as tshark prints them.
void TestSensorViews::cliFieldsNameTheInterface()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    const QStringList fields = {"-e", "frame.number", "-e", "frame.interface_id", "-e", "frame.interface_name"};
    const QString expr = QString("frame.interface_name == \"%1\" && tcp").arg(kSensors[0]);
    QProcess cli;
    cli.start(kCli, QStringList{"fields", "-Y", expr} + fields + QStringList{file_});
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 0);
    QList<QByteArray> ours;
    for (const QByteArray& l : cli.readAllStandardOutput().split('\n'))
        if (!l.trimmed().isEmpty())
            ours << l.trimmed();
    const QList<QByteArray> theirs = tshark_lines(file_, QStringList{"-Y", expr, "-T", "fields"} + fields);
    QVERIFY(!theirs.isEmpty());
    QCOMPARE(ours, theirs);
}

// A file with one interface says nothing a Sensor column would: it waits in the header's menu.
void TestSensorViews::oneInterfaceHidesTheColumn()
{
    MainWindow w;
    QVERIFY(open_quiet(w, kDemo));
    QVERIFY(w.packetView()->isColumnHidden(PacketListModel::Sensor));
    QCOMPARE(w.packetModel()->data(w.packetModel()->index(0, PacketListModel::Sensor), Qt::DisplayRole).toString(),
             QString("mirror0"));
    std::unique_ptr<QMenu> menu(w.packetView()->columnMenu());
    QAction* a = menu->findChild<QAction*>(QString("column_%1").arg(int(PacketListModel::Sensor)));
    QVERIFY(a && !a->isChecked());
    a->trigger();
    QVERIFY(!w.packetView()->isColumnHidden(PacketListModel::Sensor));
    w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
}

// Colour by sensor: each host and each link takes the sensor that saw most
// of its packets, as tshark counts them per frame.interface_id.
void TestSensorViews::graphColouredBySensor()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    // Packets per host and per conversation (outermost IP), by interface.
    std::map<QString, std::array<uint64_t, 2>> hosts;
    std::map<std::pair<QString, QString>, std::array<uint64_t, 2>> links;
    for (const QByteArray& l : tshark_lines(file_, {"-T", "fields", "-E", "occurrence=f", "-e", "frame.interface_id",
                                                    "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst"})) {
        QList<QByteArray> f = l.split('\t');
        while (f.size() < 5) // the empty fields at the end were trimmed
            f << QByteArray();
        const int sensor = f[0].toInt();
        QString src = QString::fromUtf8(f[1]), dst = QString::fromUtf8(f[2]);
        if (src.isEmpty()) {
            src = QString::fromUtf8(f[3]);
            dst = QString::fromUtf8(f[4]);
        }
        if (src.isEmpty() || dst.isEmpty())
            continue;
        ++hosts[src][sensor];
        if (dst != src)
            ++hosts[dst][sensor];
        ++links[{std::min(src, dst), std::max(src, dst)}][sensor];
    }
    auto most = [](const std::array<uint64_t, 2>& n) { return n[1] > n[0] ? 1 : 0; };

    MainWindow w(QSize(1280, 720));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    HostGraphPane* pane = w.graphPane();
    GraphOptions o = pane->options();
    o.cluster = ClusterMode::Off;
    o.layer = Layer::Ip;
    pane->setOptions(o);
    WindowSpans spans = pane->spans();
    spans.window_ns = 0; // the whole capture
    pane->setSpans(spans);
    QVERIFY(open_quiet(w, file_));
    auto* colour = w.findChild<QComboBox*>("graphColourBy");
    QVERIFY(colour);
    colour->setCurrentIndex(colour->findData("sensor"));
    QVERIFY(pane->view()->colourBySensor());
    QVERIFY(pane->waitForScene(10000));
    const GraphScene& scene = pane->view()->scene();
    QCOMPARE(scene.nodes.size(), hosts.size());
    for (const SceneNode& n : scene.nodes) {
        const QString key = QString::fromStdString(n.key);
        QVERIFY2(hosts.count(key), qPrintable(key));
        QVERIFY2(n.sensor == most(hosts[key]), qPrintable(key));
        uint64_t total = 0;
        for (const auto& [s, c] : n.sensors) {
            QCOMPARE(c, hosts[key][s]);
            total += c;
        }
        QCOMPARE(total, hosts[key][0] + hosts[key][1]);
    }
    size_t checked = 0;
    for (const SceneLink& l : scene.links) {
        QString a = QString::fromStdString(scene.nodes[l.a].key), b = QString::fromStdString(scene.nodes[l.b].key);
        const auto it = links.find({std::min(a, b), std::max(a, b)});
        QVERIFY(it != links.end());
        QCOMPARE(l.sensor, most(it->second));
        ++checked;
    }
    QCOMPARE(checked, links.size());
    // The legend names both sensors.
    QTRY_VERIFY_WITH_TIMEOUT(pane->view()->renderer().legendItems().size() == 2, 5000);
    QSet<int> legend;
    for (const auto& li : pane->view()->renderer().legendItems())
        legend << li.sensor;
    QCOMPARE(legend, QSet<int>({0, 1}));
    colour->setCurrentIndex(colour->findData("protocol"));
    w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
}

void TestSensorViews::screenshots()
{
    const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return; // pictures only when asked for; a skip here would hide the other results
    for (const QString theme : {"light", "dark"}) {
        MainWindow w(QSize(1280, 720));
        w.applyTheme(theme);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(open_quiet(w, file_));
        QVERIFY(w.graphPane()->waitForScene(10000));
        w.packetView()->selectNumber(40);
        QTest::qWait(300);
        QVERIFY(w.grab().save(dir + "/sensor-column-" + theme + ".png"));
        auto* colour = w.findChild<QComboBox*>("graphColourBy");
        colour->setCurrentIndex(colour->findData("sensor"));
        QVERIFY(w.graphPane()->waitForScene(10000));
        QTest::qWait(300);
        QVERIFY(w.grab().save(dir + "/graph-by-sensor-" + theme + ".png"));
        colour->setCurrentIndex(colour->findData("protocol"));
        w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
        QVERIFY(w.close());
    }
}

QTEST_MAIN(TestSensorViews)
#include "test_sensor_views.moc"
