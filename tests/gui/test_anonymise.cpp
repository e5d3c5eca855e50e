// View > Anonymise and File > Export Anonymised, checked against tshark on
// the demo capture and a corpus capture with IPv6:
//   - with Anonymise on, no address or DNS name tshark finds in the capture
//     (ip/ipv6/eth source and destination, dns.qry.name) is in any packet
//     list cell, details label, graph label, node tooltip or the graph's
//     caption, or any Hosts or Conversations cell (those that name nobody,
//     such as broadcast, :: or _tcp.local, stay on purpose, as the CLI keeps them);
//   - the addresses shown keep prefixes: two that share exactly n leading
//     bits are shown as two that share exactly n;
//   - the exported file, read by tshark, has for every packet the addresses
//     the list showed for it;
//   - turning it off shows the captured addresses again;
//   - the Flow Graph, the Expert Information pane, the throughput plot's
//     legend (one host plotted) and the window title show none either, and
//     host names are one pseudonym each ("host-7.example"), the same in the
//     packet list as in the graph, and a filter typed with one selects the
//     host it stands for;
//   - a capture from two pcap-over-IP sensors on the loopback: the drop
//     panel's sensor rows, the Sensor column and the title name no sensor's
//     address, and the exported file's interface blocks (tshark's
//     frame.interface_name) hold the mapped address, not the sensor's;
//   - a sip: URI and FTP's PORT/227 comma form in a text have their address
//     replaced by the image underhood-cli anonymize gives it with that key.
// With UNDERHOOD_SCREENSHOT_DIR set it saves the window, light and dark.
#include "anonymise_mode.h"
#include "display_anonymizer.h"
#include "drop_panel.h"
#include "expert_pane.h"
#include "flow_graph_dialog.h"
#include "flow_graph_view.h"
#include "hex_view.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "main_window.h"
#include "pcap_stream_server.h"
#include "packet_details_pane.h"
#include "packet_list_model.h"
#include "packet_list_view.h"
#include "table_pane.h"
#include "test_corpus.h"
#include "test_process.h"
#include "throughput_plot.h"
#include "tshark_lines.h"

#include <QAbstractItemView>
#include <QAction>
#include <QCheckBox>
#include <QDockWidget>
#include <QStatusBar>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QTreeWidget>
#include <QtEndian>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>

#include <map>
#include <set>

using namespace underhood;
using test::PcapStreamServer;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

bool open_quiet(MainWindow& w, const QString& file)
{
    w.setQuiet(true);
    return w.openFile(file) && QTest::qWaitFor([&] { return w.sessionShown(); }, 120000) &&
           w.packetModel()->rowCount() > 0;
}

// Addresses and names that identify nobody, kept on purpose (as test_anonymize_tshark).
bool kept_address(const QString& s)
{
    static const QStringList kKept = {"0.0.0.0", "255.255.255.255", "::", "::1", "ff:ff:ff:ff:ff:ff",
                                      "00:00:00:00:00:00"};
    return kKept.contains(s) || s.startsWith(QLatin1String("01:80:c2:00:00:0"));
}

bool kept_name(const QString& name)
{
    static const QStringList kProtocolLabels = {"local", "arpa", "in-addr", "ip6", "com", "net", "org", "edu",
                                                "gov", "int", "mil", "lan", "home", "internal", "example",
                                                "localhost", "invalid", "test"};
    if (name.isEmpty() || name == QLatin1String("<Root>"))
        return true;
    for (const QString& label : name.split(QLatin1Char('.')))
        if (!label.startsWith(QLatin1Char('_')) && !kProtocolLabels.contains(label.toLower()))
            return false;
    return true;
}

// `needle` in `hay` as a whole token (not inside a longer address or name).
bool has_token(const QString& hay, const QString& needle)
{
    auto part = [](QChar c) { return c.isLetterOrNumber() || c == '.' || c == ':' || c == '-' || c == '_'; };
    for (qsizetype at = hay.indexOf(needle, 0, Qt::CaseInsensitive); at >= 0;
         at = hay.indexOf(needle, at + 1, Qt::CaseInsensitive)) {
        const qsizetype end = at + needle.size();
        const bool left = at == 0 || !part(hay[at - 1]);
        // A name may end a sentence ("... example.org."), an address a clause ("10.0.0.1:").
        const bool right = end == hay.size() || !part(hay[end]) ||
                           ((hay[end] == '.' || hay[end] == ':') && (end + 1 == hay.size() || !part(hay[end + 1])));
        if (left && right)
            return true;
    }
    return false;
}

struct Ip {
    int family = 0;
    uint8_t b[16] = {};
};

bool parse_ip(const QString& s, Ip& out)
{
    const QByteArray t = s.toLatin1();
    if (inet_pton(AF_INET, t.constData(), out.b) == 1)
        out.family = 4;
    else if (inet_pton(AF_INET6, t.constData(), out.b) == 1)
        out.family = 6;
    else
        return false;
    return true;
}

int common_prefix(const Ip& a, const Ip& b)
{
    const int bytes = a.family == 4 ? 4 : 16;
    for (int i = 0; i < bytes; ++i)
        if (const uint8_t x = a.b[i] ^ b.b[i])
            return i * 8 + __builtin_clz(x) - 24;
    return bytes * 8;
}

// The innermost address of one side of a frame, as the packet list's Source
// and Destination show it: the last IPv4 or IPv6 one, else the MAC.
QString innermost(const QList<QByteArray>& f, int ip, int ip6, int eth)
{
    auto last = [](const QByteArray& v) { return QString::fromLatin1(v.split(',').last()); };
    if (f.size() > ip6 && !f[ip6].isEmpty() && (f.size() <= ip || f[ip].isEmpty()))
        return last(f[ip6]);
    if (f.size() > ip && !f[ip].isEmpty() && (f.size() <= ip6 || f[ip6].isEmpty()))
        return last(f[ip]);
    if (f.size() > ip && !f[ip].isEmpty())
        return {}; // both: which is inner needs more than the fields say
    return f.size() > eth ? last(f[eth]) : QString();
}

QStringList table_cells(TablePane* pane)
{
    QStringList out;
    QAbstractItemModel* m = pane->proxy();
    for (int r = 0; r < m->rowCount(); ++r)
        for (int c = 0; c < m->columnCount(); ++c)
            out << m->index(r, c).data(Qt::DisplayRole).toString();
    return out;
}

void save_shot(MainWindow& w, const QString& name)
{
    const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    for (const char* theme : {"light", "dark"}) {
        w.applyTheme(theme);
        QTest::qWait(50); // the palette change reaches every widget through the event queue
        w.graphPane()->view()->update();
        QCoreApplication::processEvents();
        QVERIFY(w.grab().save(dir + "/" + name + "-" + theme + ".png"));
    }
    w.applyTheme("light");
}

} // namespace

class TestAnonymise : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void screenShowsNoOriginal_data();
    void screenShowsNoOriginal();
    void sensorNamesAreMapped();
    void sensorsOnScreenAndInFile();
    void sipAndFtpAddressesAsTheCli();
    void keyIsMaskedAndWarned();
};

void TestAnonymise::initTestCase()
{
    if (QStandardPaths::findExecutable("tshark").isEmpty())
        QSKIP("tshark is not installed");
}

void TestAnonymise::screenShowsNoOriginal_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("demo") << kDemo;
    QTest::newRow("icmpv6") << corpusDir() + "/tcpdump/icmpv6.pcap";
}

void TestAnonymise::screenShowsNoOriginal()
{
    QFETCH(QString, file);
    if (!QFileInfo::exists(file))
        QSKIP(qPrintable("no " + file));

    // What tshark says the capture holds, frame by frame.
    const QStringList fields = {"-T", "fields", "-E", "separator=/t", "-e", "frame.number", "-e", "ip.src", "-e",
                                "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "eth.src", "-e", "eth.dst",
                                "-e", "dns.qry.name"};
    std::set<QString> originals;
    std::map<quint64, QList<QByteArray>> frames;
    for (const QByteArray& line : tshark_lines(file, fields)) {
        const QList<QByteArray> f = line.split('\t');
        frames[f[0].toULongLong()] = f;
        for (int i = 1; i < f.size(); ++i)
            for (const QByteArray& v : f[i].split(',')) {
                const QString s = QString::fromLatin1(v).trimmed();
                if (s.isEmpty() || (i == 7 ? kept_name(s) : kept_address(s)))
                    continue;
                originals.insert(s);
            }
    }
    QVERIFY2(originals.size() >= 3, qPrintable(file));

    MainWindow w(QSize(1280, 720));
    QVERIFY(open_quiet(w, file));
    PacketListModel* list = w.packetModel();
    HostGraphPane* graph = w.graphPane();
    WindowSpans spans = graph->spans();
    spans.window_ns = 0; // the whole capture, every host on its own
    graph->setSpans(spans);
    GraphOptions o = graph->options();
    o.cluster = ClusterMode::Off;
    graph->setOptions(o);
    QVERIFY(graph->waitForScene());

    auto list_cells = [&] {
        QStringList out;
        for (int r = 0; r < list->rowCount(); ++r)
            for (int c : {PacketListModel::Source, PacketListModel::Destination, PacketListModel::Info})
                out << list->index(r, c).data().toString();
        return out;
    };
    auto graph_texts = [&] {
        QStringList out;
        const GraphScene& s = graph->view()->shownScene();
        for (size_t i = 0; i < s.nodes.size(); ++i) {
            const SceneNode& n = s.nodes[i];
            out << QString::fromStdString(n.label) << QString::fromStdString(n.key)
                << graph->view()->tooltipText(int(i));
            for (const std::string& name : n.names)
                out << QString::fromStdString(name);
        }
        out << graph->view()->caption();
        for (const auto& pulse : graph->view()->viewState().pulses)
            out << pulse.label;
        return out;
    };
    const QStringList plain_list = list_cells();
    const QStringList plain_graph = graph_texts();
    const QStringList plain_hosts = table_cells(w.hostPane());
    // The captured addresses are on screen before: the check below can fail.
    bool seen = false;
    for (const QString& s : plain_list)
        for (const QString& o : originals)
            seen = seen || has_token(s, o);
    QVERIFY(seen);

    // A DNS (or the first) packet in the details, its token gone from the graph.
    const std::vector<quint64> dns_queries = tshark_numbers(file, "dns.flags.response == 0");
    const quint64 shown = dns_queries.empty() ? list->numberAt(0) : dns_queries.front();
    w.packetView()->selectNumber(shown);
    QTRY_COMPARE(w.detailsPacket(), shown);
    QTest::qWait(int(graph->tokenSeconds() * 1000) + 500);

    w.anonymiseMode()->setOn(true);
    QVERIFY(w.anonymiseMode()->isOn());
    save_shot(w, "anonymise-" + QFileInfo(file).completeBaseName());

    // A token sent while on carries the anonymised summary.
    if (!dns_queries.empty()) {
        w.packetView()->selectNumber(list->numberAt(1));
        QTRY_COMPARE(w.detailsPacket(), list->numberAt(1));
        w.packetView()->selectNumber(shown);
        QTRY_COMPARE(w.detailsPacket(), shown);
        QTRY_VERIFY(!graph->view()->viewState().pulses.empty());
    }

    // Every text on screen, with where it came from.
    std::vector<std::pair<QString, QString>> screen;
    const QStringList cells = list_cells();
    for (const QString& s : cells)
        screen.emplace_back("packet list", s);
    for (const QString& s : graph_texts())
        screen.emplace_back("graph", s);
    for (const QString& s : table_cells(w.hostPane()))
        screen.emplace_back("hosts", s);
    for (const QString& s : table_cells(w.conversationPane()))
        screen.emplace_back("conversations", s);
    // The details of every packet of a small capture; of the demo, a spread
    // of them and every DNS packet.
    const std::vector<quint64> dns = tshark_numbers(file, "dns || dhcp || arp || icmpv6");
    std::set<quint64> detailed(dns.begin(), dns.end());
    for (int r = 0; r < list->rowCount(); r += list->rowCount() > 200 ? 37 : 1)
        detailed.insert(list->numberAt(r));
    for (quint64 n : detailed) {
        w.packetView()->selectNumber(n);
        QTRY_COMPARE(w.detailsPacket(), n);
        for (const DissectedField& f : w.detailsPane()->dissection().fields)
            screen.emplace_back(QString("details of packet %1").arg(n), QString::fromStdString(f.label));
        QVERIFY(w.detailsPane()->hexView()->data().isEmpty());
        QVERIFY(!w.detailsPane()->hexView()->placeholderText().isEmpty());
    }
    // The Flow Graph of every packet.
    w.showFlowGraph();
    FlowGraphDialog* flow = w.flowGraph();
    QVERIFY(flow);
    flow->setScope(FlowGraphDialog::Scope::All);
    flow->rebuild();
    {
        const FlowGraph& g = flow->view()->graph();
        QVERIFY(!g.arrows.empty());
        for (const FlowNode& n : g.nodes)
            screen.emplace_back("flow graph", QString::fromStdString(n.address + " " + n.name));
        for (const FlowArrow& a : g.arrows)
            screen.emplace_back("flow graph", QString::fromStdString(a.label + " " + a.comment));
    }
    if (const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR"); !dir.isEmpty()) {
        flow->resize(1280, 720);
        flow->show();
        for (const char* theme : {"light", "dark"}) {
            w.applyTheme(theme);
            QTest::qWait(50);
            QVERIFY(flow->grab().save(dir + "/anonymise-flow-" + QFileInfo(file).completeBaseName() + "-" + theme + ".png"));
        }
        w.applyTheme("light");
    }
    flow->close();
    // Expert information, every kind opened (its packets described).
    w.findChild<QAction*>("expertInfo")->trigger();
    QVERIFY(QTest::qWaitFor([&] { return w.expertDone(); }, 60000));
    QTreeWidget* tree = w.expertPane()->tree();
    QTRY_VERIFY(tree->topLevelItemCount() > 0 || w.expertPane()->countsText().contains("No findings"));
    int described = 0;
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem* it = tree->topLevelItem(i);
        it->setExpanded(true);
        for (int c = 0; c < tree->columnCount(); ++c)
            screen.emplace_back("expert", it->text(c));
        for (int k = 0; k < it->childCount(); ++k, ++described)
            for (int c = 0; c < tree->columnCount(); ++c)
                screen.emplace_back("expert", it->child(k)->text(c));
    }
    // The throughput plot with one host drawn over the rest: its legend.
    ThroughputPlot* plot = w.throughputPlot();
    w.show(); // the plot draws only what is visible
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    if (auto* dock = w.findChild<QDockWidget*>("throughputDock")) {
        dock->show();
        dock->raise();
    }
    plot->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(plot->binWidthNs() > 0, 10000);
    const QString plotted = innermost(frames[list->numberAt(0)], 1, 3, 5);
    plot->setEndpointFilter(EndpointFilter::parse(plotted.toStdString()));
    QTRY_VERIFY_WITH_TIMEOUT(plot->legendNames().contains(cells[0]), 20000);
    for (const QString& n : plot->legendNames())
        screen.emplace_back("plot legend", n);
    screen.emplace_back("window title", w.windowTitle());
    QVERIFY(w.windowTitle().contains(QFileInfo(file).fileName())); // the file's own name names no host here

    for (const auto& [where, text] : screen)
        for (const QString& o : originals)
            QVERIFY2(!has_token(text, o), qPrintable(QString("%1 shows %2: %3").arg(where, o, text)));

    // One pseudonym per host name, "host-N.example", the same in the packet
    // list as the views make it, and a filter typed with it selects the name.
    const auto anon = w.anonymiseMode()->anonymizer();
    int named = 0;
    QString typed_name, real_name;
    for (const auto& [n, f] : frames) {
        if (f.size() <= 7 || f[7].isEmpty())
            continue;
        const QString qname = QString::fromLatin1(f[7].split(',').first());
        if (kept_name(qname))
            continue;
        const QString pseudonym = QString::fromStdString(anon->name(qname.toStdString()));
        QVERIFY2(QRegularExpression("^host-[0-9]+\\.example$").match(pseudonym).hasMatch(), qPrintable(pseudonym));
        const int row = list->rowOf(n);
        if (row < 0)
            continue;
        const QString info = list->index(row, PacketListModel::Info).data().toString();
        QVERIFY2(has_token(info, pseudonym), qPrintable(QString("packet %1 names %2 as %3, not %4").arg(n).arg(qname, info, pseudonym)));
        ++named;
        typed_name = "dns.qry.name == \"" + pseudonym + "\"";
        real_name = "dns.qry.name == \"" + qname.toLower() + "\"";
    }
    if (!dns_queries.empty()) {
        QVERIFY(named > 0);
        QCOMPARE(w.realFilter(typed_name), real_name);
        QCOMPARE(w.shownFilter(real_name), typed_name);
    }
    qInfo("flow graph, %d expert rows described, plot legend %s, title \"%s\", %d names",
          described, qPrintable(plot->legendNames().join(", ")), qPrintable(w.windowTitle()), named);
    plot->setEndpointFilter(std::nullopt);

    // One image per address, and prefixes kept for every pair.
    std::map<QString, QString> image;
    for (int r = 0; r < list->rowCount(); ++r) {
        const quint64 n = list->numberAt(r);
        const auto f = frames.find(n);
        QVERIFY(f != frames.end());
        const QString sides[2] = {innermost(f->second, 1, 3, 5), innermost(f->second, 2, 4, 6)};
        const QString shown[2] = {cells[3 * r], cells[3 * r + 1]};
        for (int k = 0; k < 2; ++k) {
            Ip a;
            if (sides[k].isEmpty() || !parse_ip(sides[k], a))
                continue;
            auto [it, fresh] = image.emplace(sides[k], shown[k]);
            QVERIFY2(it->second == shown[k],
                     qPrintable(QString("%1 shown as %2 and as %3").arg(sides[k], it->second, shown[k])));
        }
    }
    QVERIFY(image.size() >= 2);
    int pairs = 0;
    for (auto x = image.begin(); x != image.end(); ++x)
        for (auto y = std::next(x); y != image.end(); ++y) {
            Ip a, b, sa, sb;
            QVERIFY(parse_ip(x->first, a) && parse_ip(y->first, b));
            QVERIFY2(parse_ip(x->second, sa) && parse_ip(y->second, sb), qPrintable(x->second + " " + y->second));
            if (a.family != b.family)
                continue;
            QVERIFY2(common_prefix(a, b) == common_prefix(sa, sb),
                     qPrintable(QString("%1 and %2 share %3 bits, %4 and %5 share %6")
                                    .arg(x->first, y->first).arg(common_prefix(a, b))
                                    .arg(x->second, y->second).arg(common_prefix(sa, sb))));
            ++pairs;
        }
    QVERIFY(pairs > 0);

    // The exported file has the addresses the list showed, packet for packet.
    QTemporaryDir dir;
    const QString out = dir.filePath("anonymised.pcapng");
    QString error;
    QVERIFY2(w.anonymiseMode()->exportTo(out, nullptr, &error), qPrintable(error));
    std::map<quint64, QList<QByteArray>> exported;
    for (const QByteArray& line : tshark_lines(out, fields)) {
        const QList<QByteArray> f = line.split('\t');
        exported[f[0].toULongLong()] = f;
    }
    QCOMPARE(exported.size(), frames.size());
    int compared = 0;
    for (int r = 0; r < list->rowCount(); ++r) {
        const quint64 n = list->numberAt(r);
        const auto f = exported.find(n);
        QVERIFY(f != exported.end());
        const QString sides[2] = {innermost(f->second, 1, 3, 5), innermost(f->second, 2, 4, 6)};
        for (int k = 0; k < 2; ++k) {
            Ip a;
            if (sides[k].isEmpty() || !parse_ip(sides[k], a))
                continue;
            QVERIFY2(sides[k] == cells[3 * r + k],
                     qPrintable(QString("packet %1: the file says %2, the screen %3").arg(n).arg(sides[k], cells[3 * r + k])));
            ++compared;
        }
        // No original in the file either.
        for (int i = 1; i < f->second.size(); ++i)
            for (const QByteArray& v : f->second[i].split(','))
                if (!v.isEmpty())
                    QVERIFY2(!originals.count(QString::fromLatin1(v)) || (i == 7 && kept_name(QString::fromLatin1(v))),
                             qPrintable(QString("packet %1 of the file keeps %2").arg(n).arg(QString::fromLatin1(v))));
    }
    QVERIFY(compared > 0);
    qInfo("%zu originals, %zu texts on screen (%zu packets' details), %d address pairs, %d addresses matched in the file",
          originals.size(), screen.size(), detailed.size(), pairs, compared);

    // A filter typed with a pseudonym from the screen selects the packets of
    // the host it stands for: as many as tshark finds for the original. The
    // filter bar names the host as the screen does.
    {
        const QString original = innermost(frames[list->numberAt(0)], 1, 3, 5);
        Ip a;
        QVERIFY(parse_ip(original, a));
        const QString field = original.contains(':') ? "ipv6.addr" : "ip.addr";
        const QString typed = field + " == " + cells[0], real = field + " == " + original;
        QCOMPARE(w.realFilter(typed), real);
        QCOMPARE(w.shownFilter(real), typed);
        const qsizetype expected = tshark_lines(file, {"-Y", real, "-T", "fields", "-e", "frame.number"}).size();
        QVERIFY(expected > 0);
        QMetaObject::invokeMethod(&w, "applyDisplayFilter", Q_ARG(QString, w.realFilter(typed)));
        QVERIFY2(QTest::qWaitFor([&] { return list->filtered() && list->rowCount() == expected; }, 10000),
                 qPrintable(QString("%1: %2 rows, tshark %3").arg(typed).arg(list->rowCount()).arg(expected)));
        // Anonymise off and on again: the bar follows the views.
        w.anonymiseMode()->setOn(false);
        QCOMPARE(w.displayFilterText(), real);
        w.anonymiseMode()->setOn(true);
        QCOMPARE(w.displayFilterText(), typed);
        QMetaObject::invokeMethod(&w, "applyDisplayFilter", Q_ARG(QString, QString()));
        QVERIFY(QTest::qWaitFor([&] { return !list->filtered(); }, 10000));
        // The graph follows the filter: every host back before going on.
        QTRY_COMPARE_WITH_TIMEOUT(graph_texts().size(), plain_graph.size(), 10000);
    }

    // Off again: the captured addresses, as before.
    w.anonymiseMode()->setOn(false);
    QCOMPARE(list_cells(), plain_list);
    QCOMPARE(graph_texts(), plain_graph);
    QCOMPARE(table_cells(w.hostPane()), plain_hosts);
    w.packetView()->selectNumber(list->numberAt(0));
    QTRY_COMPARE(w.detailsPacket(), list->numberAt(0));
    QVERIFY(!w.detailsPane()->hexView()->data().isEmpty());
}

// A merged capture's sensors (the Sensor column, the graph's sensor legend)
// are shown with their host mapped like any address or name, and the
// interface or port kept.
void TestAnonymise::sensorNamesAreMapped()
{
    Anonymizer::Key key{};
    key.fill(7);
    DisplayAnonymizer anon(key, false);
    IpAddress v4, v6;
    QVERIFY(IpAddress::parse("10.0.0.2", v4) && IpAddress::parse("fe80::1", v6));
    QCOMPARE(anon.sensor("10.0.0.2/veth1"), anon.ip(v4).to_string() + "/veth1");
    QCOMPARE(anon.sensor("10.0.0.2:57012"), anon.ip(v4).to_string() + ":57012");
    QCOMPARE(anon.sensor("[fe80::1]:57012"), "[" + anon.ip(v6).to_string() + "]:57012");
    const std::string named = anon.sensor("sensor1.lan/eth0");
    QCOMPARE(named, anon.name("sensor1.lan") + "/eth0");
    for (const std::string& shown : {anon.sensor("10.0.0.2/veth1"), named})
        QVERIFY2(shown.find("10.0.0.2") == std::string::npos && shown.find("sensor1") == std::string::npos,
                 shown.c_str());
}

// Two pcap-over-IP sensors on the loopback, one streaming, one refused:
// the drop panel's rows, the Sensor column and the title name neither by its
// address while Anonymise is on; the exported file's interface blocks hold
// the address mapped as the packets' are, as tshark reads them.
void TestAnonymise::sensorsOnScreenAndInFile()
{
    PcapStreamServer a;
    QVERIFY(a.listen());
    const quint16 b_port = test::free_port(); // nobody listens there
    QVERIFY(b_port != 0);
    const QString a_name = QString("127.0.0.1:%1").arg(a.port()), b_name = QString("127.0.0.1:%1").arg(b_port);
    MainWindow w(QSize(1280, 720));
    w.setQuiet(true);
    w.anonymiseMode()->setOn(true);
    LiveCaptureOptions o;
    o.sources = {"pcap-over-ip://" + a_name, "pcap-over-ip://" + b_name};
    QVERIFY(w.startCapture(o));
    w.showDropPanel();
    DropPanel* p = w.dropPanel();
    QTRY_COMPARE_WITH_TIMEOUT(p->sensorRows(), 2, 10000);
    auto label = [&](const char* key, int i) { return p->findChild<QLabel*>(QString("%1_%2").arg(key).arg(i)); };
    QTRY_VERIFY_WITH_TIMEOUT(label("sensorState", 1)->text().contains("refused"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(w.packetModel()->rowCount() >= 20, 10000);
    p->refresh();

    const auto anon = w.anonymiseMode()->anonymizer();
    IpAddress loop;
    QVERIFY(IpAddress::parse("127.0.0.1", loop));
    const QString image = QString::fromStdString(anon->ip(loop).to_string());
    QCOMPARE(label("sensorName", 0)->text(), image + QString(":%1").arg(a.port()));
    QCOMPARE(label("sensorName", 1)->text(), image + QString(":%1").arg(b_port));
    QStringList texts{w.windowTitle(), w.warningText()};
    for (QLabel* l : p->findChildren<QLabel*>())
        texts << l->text() << l->toolTip();
    for (QComboBox* c : p->findChildren<QComboBox*>())
        for (int i = 0; i < c->count(); ++i)
            texts << c->itemText(i);
    for (int r = 0; r < w.packetModel()->rowCount(); ++r)
        texts << w.packetModel()->index(r, PacketListModel::Sensor).data().toString();
    for (const QString& t : texts)
        QVERIFY2(!t.contains("127.0.0.1"), qPrintable(t));
    QVERIFY2(w.windowTitle().contains(image), qPrintable(w.windowTitle()));
    save_shot(w, "anonymise-sensors");

    // The file: tshark reads the interfaces' names, mapped.
    if (!QStandardPaths::findExecutable("tshark").isEmpty()) {
        QTemporaryDir dir;
        const QString out = dir.filePath("sensors.pcapng");
        QString error;
        QVERIFY2(w.anonymiseMode()->exportTo(out, nullptr, &error), qPrintable(error));
        std::set<QString> names;
        for (const QByteArray& line : tshark_lines(out, {"-T", "fields", "-e", "frame.interface_name"}))
            names.insert(QString::fromLatin1(line));
        QVERIFY(!names.empty());
        for (const QString& n : names) {
            QVERIFY2(!n.contains("127.0.0.1"), qPrintable(n));
            QVERIFY2(n.startsWith(image + ":"), qPrintable(n + " is not " + image + ":PORT"));
        }
    }

    // Off: the sensors' own names again.
    w.anonymiseMode()->setOn(false);
    QCOMPARE(label("sensorName", 0)->text(), a_name);
    QVERIFY(w.windowTitle().contains("127.0.0.1"));
}

// A sip: URI and FTP's PORT argument and 227 reply on screen carry the
// address as the file underhood-cli anonymize writes with the same key has it.
void TestAnonymise::sipAndFtpAddressesAsTheCli()
{
    const QString cli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
    if (!QFileInfo::exists(cli))
        QSKIP("underhood-cli is not built");
    const QString key = "sip and ftp test key";
    QTemporaryDir dir;
    const QString out = dir.filePath("demo-anon.pcapng");
    QCOMPARE(underhood::test::run_process(cli, {"anonymize", kDemo, out, "--key", key}), 0);
    // The CLI's image of each IPv4 source, frame by frame.
    const QStringList fields = {"-T", "fields", "-e", "frame.number", "-e", "ip.src"};
    std::map<QString, QString> before, after;
    for (const QByteArray& line : tshark_lines(kDemo, fields))
        if (const QList<QByteArray> f = line.split('\t'); f.size() == 2 && !f[1].isEmpty())
            before[QString::fromLatin1(f[0])] = QString::fromLatin1(f[1].split(',').first());
    for (const QByteArray& line : tshark_lines(out, fields))
        if (const QList<QByteArray> f = line.split('\t'); f.size() == 2 && !f[1].isEmpty())
            after[QString::fromLatin1(f[0])] = QString::fromLatin1(f[1].split(',').first());
    std::map<QString, QString> image;
    for (const auto& [n, a] : before)
        if (after.count(n) && a != "0.0.0.0")
            image[a] = after[n];
    QVERIFY(image.size() >= 2);

    Anonymizer::Key k{};
    QVERIFY(Anonymizer::parse_key(key.toStdString(), k));
    DisplayAnonymizer anon(k, false);
    auto comma = [](const QString& a) { return QString(a).replace('.', ','); };
    int checked = 0;
    for (const auto& [a, shown] : image) {
        const QString sip = QString("INVITE sip:alice@%1:5060;transport=udp SIP/2.0, From: <sips:%1>").arg(a);
        const QString port = QString("Request: PORT %1,19,137").arg(comma(a));
        const QString pasv = QString("Response: 227 Entering Passive Mode (%1,4,1).").arg(comma(a));
        const QString sip_shown = QString::fromStdString(anon.text(sip.toStdString()));
        const QString port_shown = QString::fromStdString(anon.text(port.toStdString()));
        const QString pasv_shown = QString::fromStdString(anon.text(pasv.toStdString()));
        QVERIFY2(QRegularExpression(QString("^INVITE sip:user-[0-9]+@%1:5060;transport=udp SIP/2\\.0, From: <sips:%1>$")
                                        .arg(QRegularExpression::escape(shown)))
                     .match(sip_shown)
                     .hasMatch(),
                 qPrintable(sip_shown + " (the CLI: " + shown + ")"));
        QCOMPARE(port_shown, QString("Request: PORT %1,19,137").arg(comma(shown)));
        QCOMPARE(pasv_shown, QString("Response: 227 Entering Passive Mode (%1,4,1).").arg(comma(shown)));
        // A filter typed with them means the originals.
        QCOMPARE(QString::fromStdString(anon.original(sip_shown.toStdString())), sip);
        QCOMPARE(QString::fromStdString(anon.original(port_shown.toStdString())), port);
        ++checked;
    }
    // A host name in a URI is someone's whether the capture revealed it or not.
    const std::string named = anon.text("sip:bob@pc33.atlanta.com;user=phone");
    QVERIFY2(QRegularExpression("^sip:user-[0-9]+@host-[0-9]+\\.example;user=phone$").match(QString::fromStdString(named)).hasMatch(),
             named.c_str());
    QCOMPARE(anon.original(named), std::string("sip:bob@pc33.atlanta.com;user=phone"));
    // Not an address: version numbers and lists of small numbers stay.
    for (const char* t : {"HTTP/1.1 200 OK", "1,2,3,4,5,6,7", "rtpmap:0 PCMU/8000", "sip: no uri here"})
        QCOMPARE(anon.text(t), std::string(t));
    qInfo("%d addresses checked against the CLI", checked);
}

// The key is never shown in plain text unless asked for, and a key anyone
// could guess (all zeros) is said so in the status bar and the dialog.
void TestAnonymise::keyIsMaskedAndWarned()
{
    QCoreApplication::setOrganizationName("underhood-tests");
    QCoreApplication::setApplicationName("test_anonymise");
    MainWindow w(QSize(1280, 720));
    QVERIFY(open_quiet(w, kDemo));
    AnonymiseMode* m = w.anonymiseMode();
    QVERIFY(m->keyWarning().isEmpty());
    QVERIFY(m->setKeyText(QString(64, QChar('0')), false));
    QVERIFY(!m->keyWarning().isEmpty());
    m->setOn(true);
    QVERIFY2(w.statusBar()->currentMessage().contains("all zeros"), qPrintable(w.statusBar()->currentMessage()));
    std::unique_ptr<QDialog> dlg(m->makeKeyDialog());
    auto* edit = dlg->findChild<QLineEdit*>("anonymiseKeyEdit");
    auto* show = dlg->findChild<QCheckBox*>("anonymiseKeyShow");
    QVERIFY(edit && show);
    QCOMPARE(edit->echoMode(), QLineEdit::Password);
    QCOMPARE(edit->text(), QString(64, QChar('0')));
    QVERIFY(dlg->findChild<QLabel*>("anonymiseKeyWarning"));
    show->setChecked(true);
    QCOMPARE(edit->echoMode(), QLineEdit::Normal);
    // A random key again: no warning.
    QVERIFY(m->setKeyText(QString(), false));
    QVERIFY(m->keyWarning().isEmpty());
    QVERIFY(m->setKeyText("a passphrase", false));
    QVERIFY(m->keyWarning().isEmpty());
    m->setKeyText(QString(), false);
}

QTEST_MAIN(TestAnonymise)
#include "test_anonymise.moc"
