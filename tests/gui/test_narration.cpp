// Narrating a capture one packet at a time, checked against tshark:
//   - the timeline's step by kind (next/previous DNS query, TCP handshake,
//     comment, mark) lands on exactly the packets tshark's filter selects,
//     in order both ways, and each step selects that packet in the list;
//   - one step at a time names the packet and its time to the microsecond;
//   - a host is labelled with a name only from the packet whose DNS answer
//     revealed it (before that, its address);
//   - a step sends the packet as a token along its link, carrying its summary.
// With UNDERHOOD_SCREENSHOT_DIR set it saves the token mid-flight.
#include "graph_timeline.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "main_window.h"
#include "tshark_lines.h"
#include "packet_list_model.h"
#include "packet_list_view.h"
#include "test_corpus.h"

#include <QAction>
#include <QMenu>
#include <QProcess>
#include <QToolButton>
#include <QStandardPaths>
#include <QtTest>

#include <map>
#include <vector>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

bool open_quiet(MainWindow& w, const QString& file)
{
    w.setQuiet(true);
    // Read, and the list filled (the window hears of the end on its next update).
    return w.openFile(file) && QTest::qWaitFor([&] {
        return w.session() && !w.session()->isRunning() && w.packetModel()->rowCount() > 0;
    }, 60000);
}

// Whole capture in the window, every host on its own, so labels can be read.
void whole_capture(HostGraphPane* graph)
{
    WindowSpans spans = graph->spans();
    spans.window_ns = 0;
    graph->setSpans(spans);
    GraphOptions o = graph->options();
    o.cluster = ClusterMode::Off;
    graph->setOptions(o);
}

QString label_of(const GraphScene& scene, const QString& address)
{
    for (const SceneNode& n : scene.nodes)
        if (QString::fromStdString(n.key) == address)
            return QString::fromStdString(n.label);
    return {};
}

} // namespace

class TestNarration : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void stepByKind_data();
    void stepByKind();
    void stepNamesPacketAndTime();
    void namesAppearWhenRevealed_data();
    void namesAppearWhenRevealed();
    void tokenCarriesTheSummary();
    void lessonPresets();
};

void TestNarration::initTestCase()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("needs tshark");
    QCoreApplication::setOrganizationName("underhood-tests");
    QCoreApplication::setApplicationName("test_narration");
}

void TestNarration::stepByKind_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("expr");
    const QString corpus = corpusDir();
    QTest::newRow("demo DNS queries") << kDemo << int(StepKind::DnsQuery) << "dns && dns.flags.response == 0";
    QTest::newRow("demo TCP handshakes") << kDemo << int(StepKind::TcpHandshake) << "tcp.flags.syn == 1 && tcp.flags.ack == 0";
    if (QFileInfo(corpus).isDir()) {
        QTest::newRow("dnssec queries") << corpus + "/tcpdump/dnssec.pcap" << int(StepKind::DnsQuery)
                                        << "dns && dns.flags.response == 0";
    }
}

void TestNarration::stepByKind()
{
    QFETCH(QString, file);
    QFETCH(int, kind);
    QFETCH(QString, expr);
    const std::vector<quint64> expected = tshark_numbers(file, expr);
    QVERIFY2(expected.size() >= 2, qPrintable(file));

    MainWindow w;
    QVERIFY(open_quiet(w, file));
    HostGraphPane* graph = w.graphPane();
    QVERIFY(graph->waitForScene(10000));
    graph->transport()->setStepKind(StepKind(kind));
    graph->goToStart();
    QVERIFY(graph->waitForScene(10000));

    // Forwards from the start with the timeline's ◆▶ button: every packet of
    // the kind, in order, each selected in the list and named by the timeline.
    auto* next = graph->transport()->findChild<QToolButton*>("timelineNextKind");
    auto* prev = graph->transport()->findChild<QToolButton*>("timelinePrevKind");
    QVERIFY(next && prev);
    QVERIFY(QTest::qWaitFor([&] { return w.packetView()->currentNumber() == 1; }, 5000));
    std::vector<quint64> landed;
    if (expected.front() == 1)
        landed.push_back(1);
    auto press = [&](QToolButton* b) {
        const quint64 before = w.packetView()->currentNumber();
        b->click();
        if (!graph->waitForScene(10000))
            return quint64(0);
        const quint64 now = w.packetView()->currentNumber();
        return now == before ? quint64(0) : now;
    };
    for (size_t i = 0; i <= expected.size(); ++i) {
        const quint64 to = press(next);
        if (!to)
            break;
        QVERIFY2(graph->transport()->labelText().startsWith(QString("#%1 ").arg(to)),
                 qPrintable(graph->transport()->labelText()));
        landed.push_back(to);
    }
    QCOMPARE(landed, expected);

    // Backwards with ◀◆ from the last one: the same packets the other way round.
    std::vector<quint64> back;
    for (size_t i = 0; i <= expected.size(); ++i) {
        const quint64 to = press(prev);
        if (!to)
            break;
        back.push_back(to);
    }
    std::vector<quint64> want(expected.rbegin() + 1, expected.rend());
    QCOMPARE(back, want);
}

void TestNarration::stepNamesPacketAndTime()
{
    // tshark's own relative times, to the microsecond.
    std::map<quint64, QString> times;
    for (const QByteArray& l : tshark_lines(kDemo, {"-T", "fields", "-e", "frame.number", "-e", "frame.time_relative"})) {
        const QList<QByteArray> f = l.split('\t');
        times[f[0].toULongLong()] = QString::number(f[1].toDouble(), 'f', 6);
    }
    MainWindow w;
    QVERIFY(open_quiet(w, kDemo));
    HostGraphPane* graph = w.graphPane();
    QVERIFY(graph->waitForScene(10000));
    graph->goToStart();
    QVERIFY(graph->waitForScene(10000));
    QVERIFY(QTest::qWaitFor([&] { return w.packetView()->currentNumber() == 1; }, 5000));
    for (quint64 n = 2; n <= 6; ++n) {
        QVERIFY(graph->step(1));
        QVERIFY(graph->waitForScene(10000));
        QVERIFY2(QTest::qWaitFor([&] { return w.packetView()->currentNumber() == n; }, 5000),
                 qPrintable(QString::number(w.packetView()->currentNumber())));
        const QString label = graph->transport()->labelText();
        QVERIFY2(label.startsWith(QString("#%1 · %2 s · +").arg(n).arg(times[n])), qPrintable(label + " vs " + times[n]));
    }
}

void TestNarration::namesAppearWhenRevealed_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("demo") << kDemo;
    const QString corpus = corpusDir();
    if (QFileInfo(corpus).isDir())
        QTest::newRow("dns_udp") << corpus + "/tcpdump/dns_udp.pcap";
}

void TestNarration::namesAppearWhenRevealed()
{
    QFETCH(QString, file);
    // tshark: where each address first appears, and the DNS answers (DNS,
    // mDNS) that name it, with the names each answer tells for the first time.
    std::map<QString, quint64> first_seen;
    for (const QByteArray& l : tshark_lines(file, {"-Y", "ip", "-T", "fields", "-E", "occurrence=f", "-e",
                                                   "frame.number", "-e", "ip.src", "-e", "ip.dst"})) {
        const QList<QByteArray> f = l.split('\t');
        for (int i : {1, 2})
            if (f.size() > i && !f[i].isEmpty())
                first_seen.try_emplace(QString::fromLatin1(f[i]), f[0].toULongLong());
    }
    struct Reveal {
        QString address;
        quint64 answer = 0;
        QStringList new_names; // names no earlier answer told
    };
    std::vector<Reveal> cases;
    std::map<QString, bool> answered, told;
    for (const QByteArray& l : tshark_lines(file, {"-Y", "dns.flags.response == 1 && dns.a", "-T", "fields", "-e",
                                                   "frame.number", "-e", "dns.a", "-e", "dns.resp.name"})) {
        const QList<QByteArray> f = l.split('\t');
        if (f.size() < 3)
            continue;
        const quint64 frame = f[0].toULongLong();
        QStringList fresh;
        for (const QByteArray& n : f[2].split(','))
            if (!told[QString::fromLatin1(n)]) {
                told[QString::fromLatin1(n)] = true;
                fresh << QString::fromLatin1(n);
            }
        for (const QByteArray& a : f[1].split(',')) {
            const QString address = QString::fromLatin1(a);
            if (answered[address])
                continue;
            answered[address] = true;
            auto it = first_seen.find(address);
            // An address that shows up in the traffic before the first answer naming it.
            if (it != first_seen.end() && it->second < frame && !fresh.isEmpty())
                cases.push_back({address, frame, fresh});
        }
    }
    if (cases.empty())
        QSKIP("no address in this capture appears before the answer that names it");

    MainWindow w;
    QVERIFY(open_quiet(w, file));
    HostGraphPane* graph = w.graphPane();
    whole_capture(graph);
    QVERIFY(graph->waitForScene(10000));
    for (const Reveal& c : cases) {
        // Just before the answer: none of the names it tells is on the graph yet.
        graph->goToPacket(c.answer - 1);
        QVERIFY(graph->waitForScene(10000));
        const QString before = label_of(graph->view()->scene(), c.address);
        QVERIFY2(!before.isEmpty(), qPrintable(c.address));
        QVERIFY2(!c.new_names.contains(before), qPrintable(c.address + " is already " + before));
        // At the answer: the host has a name.
        graph->goToPacket(c.answer);
        QVERIFY(graph->waitForScene(10000));
        const QString after = label_of(graph->view()->scene(), c.address);
        QVERIFY2(after != c.address, qPrintable(c.address + " still unnamed at packet " + QString::number(c.answer)));
        if (before == c.address) // unnamed until now: the name is one the answer told
            QVERIFY2(c.new_names.contains(after), qPrintable(after + " not in " + c.new_names.join(",")));
    }
}

void TestNarration::tokenCarriesTheSummary()
{
    // Packet 1 of the demo is a DNS query: its token says so, as tshark's Info does.
    const QList<QByteArray> info = tshark_lines(kDemo, {"-Y", "frame.number == 1", "-T", "fields", "-e", "_ws.col.Info"});
    QVERIFY(!info.isEmpty());
    MainWindow w(QSize(1280, 720));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(open_quiet(w, kDemo));
    HostGraphPane* graph = w.graphPane();
    whole_capture(graph);
    QVERIFY(graph->waitForScene(10000));
    graph->transport()->setSpeed(0.1);
    graph->goToPacket(1);
    QVERIFY(graph->waitForScene(10000));
    QVERIFY(QTest::qWaitFor([&] { return !graph->view()->pulses().empty(); }, 5000));
    const GraphPulse& p = graph->view()->pulses().back();
    QVERIFY2(p.label.contains(QString::fromUtf8(info.first())), qPrintable(p.label + " vs " + info.first()));
    QVERIFY2(p.seconds >= 3, "a token at 0.1x takes long enough to follow");
    if (const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR"); !dir.isEmpty()) {
        QTest::qWait(int(p.seconds * 400)); // about half way
        QVERIFY(w.grab().save(dir + "/token-mid-flight.png"));
    }
}

void TestNarration::lessonPresets()
{
    MainWindow w;
    QVERIFY(open_quiet(w, kDemo));
    auto preset = [&](const QString& starts) -> QAction* {
        for (QMenu* m : w.findChildren<QMenu*>())
            for (QAction* a : m->actions())
                if (a->text().startsWith(starts))
                    return a;
        return nullptr;
    };
    // Only the selected packet's conversation: packet 3 is the SYN of TCP stream 0.
    const QList<QByteArray> stream = tshark_lines(kDemo, {"-Y", "frame.number == 3", "-T", "fields", "-e", "tcp.stream"});
    QVERIFY(!stream.isEmpty());
    const qsizetype in_stream = qsizetype(tshark_numbers(kDemo, "tcp.stream == " + QString::fromLatin1(stream.first())).size());
    w.packetView()->selectNumber(3);
    QAction* only = preset("Lesson: only the selected");
    QVERIFY(only);
    only->trigger();
    QVERIFY2(QTest::qWaitFor([&] { return w.packetModel()->filtered() && w.packetModel()->rowCount() == in_stream; }, 10000),
             qPrintable(QString("%1 rows, tshark %2 (%3)").arg(w.packetModel()->rowCount()).arg(in_stream).arg(w.displayFilterText())));
    // Background noise hidden: exactly what tshark keeps with the same filter.
    QAction* quiet = preset("Lesson: hide background noise");
    QVERIFY(quiet);
    quiet->trigger();
    const qsizetype kept = qsizetype(tshark_numbers(kDemo, w.displayFilterText()).size());
    QVERIFY(kept > 0);
    QVERIFY2(QTest::qWaitFor([&] { return w.packetModel()->rowCount() == kept; }, 10000),
             qPrintable(QString("%1 rows, tshark %2").arg(w.packetModel()->rowCount()).arg(kept)));
    QVERIFY(kept < qsizetype(tshark_numbers(kDemo, "frame").size()));
}

QTEST_MAIN(TestNarration)
#include "test_narration.moc"
