// The Qt item models over a real capture agree with `underhood-cli stats
// --json` at every layer, and refresh in place while packets keep arriving.
#include "test_corpus.h"
#include "conversation_table_model.h"
#include "host_table_model.h"
#include "ingest_engine.h"
#include "model_feed.h"
#include "packet_builder.h"
#include "packet_decoder.h"
#include "protocol_tree_model.h"
#include "table_proxy_model.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>
#include <ctime>

using namespace underhood;
using underhood::test::FrameBuilder;
using underhood::test::feed_frame;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kCorpus = corpusDir() + QStringLiteral("/tcpdump");

QJsonObject cli_stats(const QString& file, const QString& layer)
{
    QProcess p;
    p.start(QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli"),
            {QStringLiteral("stats"), QStringLiteral("--json"), QStringLiteral("--layer"), layer, file});
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning() << "underhood-cli failed:" << p.readAllStandardError();
        return {};
    }
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

QVariant cell(const QAbstractItemModel& m, int row, int column, int role = ExportRole)
{
    return m.data(m.index(row, column), role);
}

QString joined(const QJsonArray& a)
{
    QStringList l;
    for (const QJsonValue& v : a)
        l.push_back(v.toString());
    return l.join(QStringLiteral(", "));
}

bool same_time(const QVariant& model_value, const QJsonValue& cli_value)
{
    if (cli_value.isNull())
        return model_value.typeId() == QMetaType::Nullptr;
    return std::abs(model_value.toDouble() - cli_value.toDouble()) < 1e-6;
}

// Feeds hand-made frames to a TrafficModel, keeping their bytes alive.
struct Feeder {
    TrafficModel model;
    std::vector<std::vector<uint8_t>> frames;

    void udp(uint8_t src, uint8_t dst, size_t payload, int64_t ts_ns)
    {
        FrameBuilder b;
        b.ether(0x0800, src, dst).ipv4({10, 0, src, 1}, {10, 0, dst, 1}, 17).udp(1000 + src, 53);
        b.raw(std::vector<uint8_t>(payload, 0));
        add(b.finish(), ts_ns);
    }
    void add(std::vector<uint8_t> frame, int64_t ts_ns)
    {
        frames.push_back(std::move(frame));
        feed_frame(model, frames.back(), ts_ns);
    }
};

int row_of(const QAbstractItemModel& m, int column, const QString& text)
{
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.data(m.index(r, column)).toString() == text)
            return r;
    return -1;
}

struct Spies {
    explicit Spies(QAbstractItemModel* m)
        : inserted(m, &QAbstractItemModel::rowsInserted), removed(m, &QAbstractItemModel::rowsRemoved),
          changed(m, &QAbstractItemModel::dataChanged), reset(m, &QAbstractItemModel::modelReset),
          layout(m, &QAbstractItemModel::layoutChanged)
    {
    }
    void clear()
    {
        inserted.clear();
        removed.clear();
        changed.clear();
        reset.clear();
        layout.clear();
    }
    QSignalSpy inserted, removed, changed, reset, layout;
};

} // namespace

class TestQtModels : public QObject {
    Q_OBJECT
private slots:
    void tablesMatchCli_data();
    void tablesMatchCli();
    void hostRefreshIsInPlace();
    void conversationRefreshIsInPlace();
    void protocolTreeRefreshIsInPlace();
    void proxySortsNumerically();
    void timeFormats();
    void refreshOfThousandsOfRowsIsCheap();
};

void TestQtModels::tablesMatchCli_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("layer");
    QStringList files{kDemo};
    for (const char* name : {"mptcp-v0.pcap", "resp_1_benchmark.pcap", "quic_vn.pcap"}) {
        files.push_back(kCorpus + u'/' + QLatin1String(name));
    }
    for (const QString& f : files)
        for (const char* layer : {"ip", "ether", "port"})
            QTest::addRow("%s %s", qPrintable(QFileInfo(f).fileName()), layer) << f << QString::fromLatin1(layer);
}

void TestQtModels::tablesMatchCli()
{
    QFETCH(QString, file);
    if (!QFileInfo::exists(file))
        QSKIP(qPrintable(QStringLiteral("corpus file absent: ") + file));
    QFETCH(QString, layer);
    Layer l;
    QVERIFY(parse_layer(layer.toStdString(), l));

    IngestEngine engine;
    std::string error;
    QVERIFY2(engine.open_path(file.toStdString(), error), error.c_str());
    engine.wait();
    const QJsonObject cli = cli_stats(file, layer);
    QVERIFY(!cli.isEmpty());

    // Hosts: same rows, same numbers, names and vendors.
    HostTableModel hosts;
    hosts.setLayer(l);
    hosts.refresh(engine);
    const QJsonArray cli_hosts = cli[QStringLiteral("hosts")].toArray();
    QCOMPARE(hosts.rowCount(), cli_hosts.size());
    uint64_t packets = 0, bytes = 0, cli_packets = 0, cli_bytes = 0;
    for (const QJsonValue& v : cli_hosts) {
        const QJsonObject h = v.toObject();
        const QString address = h[QStringLiteral("address")].toString();
        const int r = row_of(hosts, HostTableModel::Address, address);
        QVERIFY2(r >= 0, qPrintable(address));
        QCOMPARE(cell(hosts, r, HostTableModel::Packets).toULongLong(), h[QStringLiteral("packets")].toInteger());
        QCOMPARE(cell(hosts, r, HostTableModel::Bytes).toULongLong(), h[QStringLiteral("bytes")].toInteger());
        QCOMPARE(cell(hosts, r, HostTableModel::SentPackets).toULongLong(), h[QStringLiteral("tx_packets")].toInteger());
        QCOMPARE(cell(hosts, r, HostTableModel::SentBytes).toULongLong(), h[QStringLiteral("tx_bytes")].toInteger());
        QCOMPARE(cell(hosts, r, HostTableModel::ReceivedPackets).toULongLong(), h[QStringLiteral("rx_packets")].toInteger());
        QCOMPARE(cell(hosts, r, HostTableModel::ReceivedBytes).toULongLong(), h[QStringLiteral("rx_bytes")].toInteger());
        QCOMPARE(cell(hosts, r, HostTableModel::Names).toString(), joined(h[QStringLiteral("names")].toArray()));
        QCOMPARE(cell(hosts, r, HostTableModel::Vendor).toString(), h[QStringLiteral("vendor")].toString());
        QVERIFY(same_time(cell(hosts, r, HostTableModel::FirstSeen), h[QStringLiteral("first_time")]));
        QVERIFY(same_time(cell(hosts, r, HostTableModel::LastSeen), h[QStringLiteral("last_time")]));
        cli_packets += uint64_t(h[QStringLiteral("packets")].toInteger());
        cli_bytes += uint64_t(h[QStringLiteral("bytes")].toInteger());
    }
    for (int r = 0; r < hosts.rowCount(); ++r) {
        packets += cell(hosts, r, HostTableModel::Packets).toULongLong();
        bytes += cell(hosts, r, HostTableModel::Bytes).toULongLong();
    }
    QCOMPARE(packets, cli_packets);
    QCOMPARE(bytes, cli_bytes);

    // Conversations: A and B in the CLI's text order, directions following it.
    ConversationTableModel convs;
    convs.setLayer(l);
    convs.refresh(engine);
    const QJsonArray cli_convs = cli[QStringLiteral("conversations")].toArray();
    QCOMPARE(convs.rowCount(), cli_convs.size());
    QHash<QString, int> conv_rows;
    for (int r = 0; r < convs.rowCount(); ++r)
        conv_rows.insert(cell(convs, r, ConversationTableModel::A).toString() + u' ' +
                             cell(convs, r, ConversationTableModel::B).toString(),
                         r);
    packets = bytes = cli_packets = cli_bytes = 0;
    for (const QJsonValue& v : cli_convs) {
        const QJsonObject c = v.toObject();
        const QString key = c[QStringLiteral("a")].toString() + u' ' + c[QStringLiteral("b")].toString();
        QVERIFY2(conv_rows.contains(key), qPrintable(key));
        const int r = conv_rows.value(key);
        using C = ConversationTableModel;
        QCOMPARE(cell(convs, r, C::Packets).toULongLong(), c[QStringLiteral("packets")].toInteger());
        QCOMPARE(cell(convs, r, C::Bytes).toULongLong(), c[QStringLiteral("bytes")].toInteger());
        QCOMPARE(cell(convs, r, C::AToBPackets).toULongLong(), c[QStringLiteral("a_to_b_packets")].toInteger());
        QCOMPARE(cell(convs, r, C::AToBBytes).toULongLong(), c[QStringLiteral("a_to_b_bytes")].toInteger());
        QCOMPARE(cell(convs, r, C::BToAPackets).toULongLong(), c[QStringLiteral("b_to_a_packets")].toInteger());
        QCOMPARE(cell(convs, r, C::BToABytes).toULongLong(), c[QStringLiteral("b_to_a_bytes")].toInteger());
        QCOMPARE(cell(convs, r, C::Protocols).toString(), c[QStringLiteral("protocols")].toObject().keys().join(QStringLiteral(", ")));
        QVERIFY(same_time(cell(convs, r, C::First), c[QStringLiteral("first_time")]));
        QVERIFY(same_time(cell(convs, r, C::Last), c[QStringLiteral("last_time")]));
        cli_packets += uint64_t(c[QStringLiteral("packets")].toInteger());
        cli_bytes += uint64_t(c[QStringLiteral("bytes")].toInteger());
    }
    for (int r = 0; r < convs.rowCount(); ++r) {
        packets += cell(convs, r, ConversationTableModel::Packets).toULongLong();
        bytes += cell(convs, r, ConversationTableModel::Bytes).toULongLong();
    }
    QCOMPARE(packets, cli_packets);
    QCOMPARE(bytes, cli_bytes);

    // Protocol hierarchy: every node, its packets and bytes; shares of the totals.
    ProtocolTreeModel tree;
    tree.refresh(engine);
    QHash<QString, QModelIndex> nodes;
    std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
        for (int r = 0; r < tree.rowCount(parent); ++r) {
            const QModelIndex i = tree.index(r, 0, parent);
            nodes.insert(tree.pathAt(i), i);
            walk(i);
        }
    };
    walk({});
    const QJsonArray cli_protocols = cli[QStringLiteral("protocols")].toArray();
    QCOMPARE(nodes.size(), cli_protocols.size());
    const double total_packets = cli[QStringLiteral("packets")].toDouble();
    for (const QJsonValue& v : cli_protocols) {
        const QJsonObject p = v.toObject();
        const QString path = p[QStringLiteral("path")].toString();
        QVERIFY2(nodes.contains(path), qPrintable(path));
        const QModelIndex i = nodes.value(path);
        QCOMPARE(tree.data(i.siblingAtColumn(ProtocolTreeModel::Packets), ExportRole).toLongLong(),
                 p[QStringLiteral("packets")].toInteger());
        QCOMPARE(tree.data(i.siblingAtColumn(ProtocolTreeModel::Bytes), ExportRole).toLongLong(),
                 p[QStringLiteral("bytes")].toInteger());
        const double share = tree.data(i.siblingAtColumn(ProtocolTreeModel::PacketShare), ExportRole).toDouble();
        QVERIFY(std::abs(share - 100.0 * p[QStringLiteral("packets")].toDouble() / total_packets) < 1e-9);
    }
}

void TestQtModels::hostRefreshIsInPlace()
{
    Feeder f;
    f.udp(1, 2, 100, 1'000'000'000);
    f.udp(2, 1, 100, 2'000'000'000);
    f.udp(1, 3, 100, 3'000'000'000);

    HostTableModel m; // ip layer
    Spies spies(&m);
    m.refresh(f.model);
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(spies.inserted.size(), 1);
    QCOMPARE(spies.reset.size(), 0);

    const int row1 = row_of(m, HostTableModel::Address, QStringLiteral("10.0.1.1"));
    const int row3 = row_of(m, HostTableModel::Address, QStringLiteral("10.0.3.1"));
    QPersistentModelIndex kept(m.index(row3, HostTableModel::Address));
    const uint64_t before = cell(m, row1, HostTableModel::Packets).toULongLong();

    // Nothing new: not a single signal.
    spies.clear();
    m.refresh(f.model);
    QCOMPARE(spies.inserted.size() + spies.removed.size() + spies.changed.size() + spies.reset.size(), 0);

    // More packets from a known host, and a new host.
    f.udp(1, 2, 100, 4'000'000'000);
    f.udp(4, 1, 100, 5'000'000'000);
    spies.clear();
    m.refresh(f.model);
    QCOMPARE(spies.reset.size(), 0);
    QCOMPARE(spies.layout.size(), 0);
    QCOMPARE(spies.removed.size(), 0);
    QCOMPARE(spies.inserted.size(), 1);
    QCOMPARE(spies.inserted[0][1].toInt(), 3); // appended after the existing rows
    QCOMPARE(spies.inserted[0][2].toInt(), 3);
    QVERIFY(spies.changed.size() >= 1);
    QCOMPARE(m.rowCount(), 4);
    QCOMPARE(row_of(m, HostTableModel::Address, QStringLiteral("10.0.1.1")), row1); // rows never move
    QCOMPARE(cell(m, row1, HostTableModel::Packets).toULongLong(), before + 2);
    QVERIFY(kept.isValid());
    QCOMPARE(kept.data().toString(), QStringLiteral("10.0.3.1"));
    // Every changed row lies in a reported range.
    for (const QString& a : {QStringLiteral("10.0.1.1"), QStringLiteral("10.0.2.1")}) {
        const int r = row_of(m, HostTableModel::Address, a);
        bool covered = false;
        for (const auto& args : spies.changed)
            covered |= args[0].toModelIndex().row() <= r && r <= args[1].toModelIndex().row();
        QVERIFY2(covered, qPrintable(a));
    }

    // Aging out removes rows, keeps the others and their persistent indexes.
    f.model.age_out(3'500'000'000); // 10.0.3.1 was last seen at 3 s
    spies.clear();
    m.refresh(f.model);
    QCOMPARE(spies.reset.size(), 0);
    QCOMPARE(spies.removed.size(), 1);
    QCOMPARE(m.rowCount(), 3);
    QVERIFY(!kept.isValid());
    QCOMPARE(row_of(m, HostTableModel::Address, QStringLiteral("10.0.3.1")), -1);
    // ... and later refreshes still find the right rows.
    f.udp(4, 2, 100, 6'000'000'000);
    spies.clear();
    m.refresh(f.model);
    QCOMPARE(spies.inserted.size(), 0);
    const int row4 = row_of(m, HostTableModel::Address, QStringLiteral("10.0.4.1"));
    QCOMPARE(cell(m, row4, HostTableModel::SentPackets).toULongLong(), 2u);

    // Switching layer is the one reset.
    spies.clear();
    m.setLayer(Layer::Ether);
    QCOMPARE(spies.reset.size(), 1);
    m.refresh(f.model);
    QCOMPARE(m.rowCount(), 3); // aging out applied to every layer
    QCOMPARE(cell(m, 0, HostTableModel::Address).toString().count(u':'), 5);
}

void TestQtModels::conversationRefreshIsInPlace()
{
    Feeder f;
    f.udp(1, 2, 100, 1'000'000'000);
    f.udp(2, 1, 300, 2'000'000'000);
    ConversationTableModel m;
    Spies spies(&m);
    m.refresh(f.model);
    QCOMPARE(m.rowCount(), 1);
    QCOMPARE(cell(m, 0, ConversationTableModel::A).toString(), QStringLiteral("10.0.1.1"));
    QCOMPARE(cell(m, 0, ConversationTableModel::AToBPackets).toULongLong(), 1u);
    QCOMPARE(cell(m, 0, ConversationTableModel::BToABytes).toULongLong(),
             cell(m, 0, ConversationTableModel::Bytes).toULongLong() -
                 cell(m, 0, ConversationTableModel::AToBBytes).toULongLong());
    QCOMPARE(cell(m, 0, ConversationTableModel::Duration).toDouble(), 1.0);

    f.udp(1, 2, 100, 3'000'000'000);
    f.udp(3, 1, 100, 4'000'000'000);
    spies.clear();
    m.refresh(f.model);
    QCOMPARE(spies.reset.size(), 0);
    QCOMPARE(spies.inserted.size(), 1);
    QCOMPARE(spies.changed.size(), 1);
    QCOMPARE(spies.changed[0][0].toModelIndex().row(), 0);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(cell(m, 0, ConversationTableModel::AToBPackets).toULongLong(), 2u);
    QCOMPARE(cell(m, 0, ConversationTableModel::Protocols).toString(), QStringLiteral("dns"));
    QCOMPARE(cell(m, 0, ConversationTableModel::Protocols, Qt::ToolTipRole).toString(), QStringLiteral("dns: 3"));
}

void TestQtModels::protocolTreeRefreshIsInPlace()
{
    Feeder f;
    f.udp(1, 2, 100, 1'000'000'000);
    ProtocolTreeModel m;
    Spies spies(&m);
    m.refresh(f.model);
    QCOMPARE(m.rowCount(), 1);
    const QModelIndex eth = m.index(0, 0);
    QCOMPARE(eth.data().toString(), QStringLiteral("eth"));
    QCOMPARE(m.pathAt(m.index(0, 0, m.index(0, 0, eth))), QStringLiteral("eth:ipv4:udp"));
    QCOMPARE(m.index(0, ProtocolTreeModel::PacketShare).data().toString(), QStringLiteral("100.0%"));

    // A TCP packet adds a branch under ipv4; the udp node stays where it was.
    FrameBuilder b;
    b.ether(0x0800, 1, 2).ipv4({10, 0, 1, 1}, {10, 0, 2, 1}, 6).tcp(40000, 5555);
    f.add(b.finish(), 2'000'000'000);
    QPersistentModelIndex udp(m.index(0, 0, m.index(0, 0, eth)));
    spies.clear();
    m.refresh(f.model);
    QCOMPARE(spies.reset.size(), 0);
    QVERIFY(spies.inserted.size() >= 1);
    QVERIFY(spies.changed.size() >= 1);
    QVERIFY(udp.isValid());
    QCOMPARE(m.pathAt(udp), QStringLiteral("eth:ipv4:udp"));
    QCOMPARE(m.index(0, ProtocolTreeModel::Packets).data(ExportRole).toULongLong(), 2u);
    QCOMPARE(udp.sibling(udp.row(), ProtocolTreeModel::PacketShare).data().toString(), QStringLiteral("50.0%"));
}

void TestQtModels::proxySortsNumerically()
{
    Feeder f;
    f.udp(9, 1, 1500, 1'000'000'000);  // 10.0.9.1: the most bytes
    f.udp(10, 1, 20, 2'000'000'000);   // 10.0.10.1: few bytes
    f.udp(100, 1, 200, 3'000'000'000); // 10.0.100.1
    HostTableModel m;
    m.refresh(f.model);
    TableProxyModel proxy;
    proxy.setSourceModel(&m);

    // Bytes, ascending: 62+20 < 62+200 < 62+1500, whatever their text says.
    proxy.sort(HostTableModel::Bytes, Qt::AscendingOrder);
    QStringList order;
    for (int r = 0; r < proxy.rowCount(); ++r)
        order << proxy.index(r, HostTableModel::Address).data().toString();
    QCOMPARE(order.mid(0, 3),
             (QStringList{QStringLiteral("10.0.10.1"), QStringLiteral("10.0.100.1"), QStringLiteral("10.0.9.1")}));

    // Addresses numerically: 10.0.1.1 < 10.0.9.1 < 10.0.10.1 < 10.0.100.1.
    proxy.sort(HostTableModel::Address, Qt::AscendingOrder);
    order.clear();
    for (int r = 0; r < proxy.rowCount(); ++r)
        order << proxy.index(r, HostTableModel::Address).data().toString();
    QCOMPARE(order, (QStringList{QStringLiteral("10.0.1.1"), QStringLiteral("10.0.9.1"), QStringLiteral("10.0.10.1"),
                                 QStringLiteral("10.0.100.1")}));

    // Search over every column's text; live refreshes keep the proxy sorted.
    proxy.setFilterFixedString(QStringLiteral("10.0.10"));
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setFilterFixedString({});
    proxy.sort(HostTableModel::Bytes, Qt::DescendingOrder);
    f.udp(10, 1, 5000, 4'000'000'000);
    m.refresh(f.model);
    QCOMPARE(proxy.index(0, HostTableModel::Address).data().toString(), QStringLiteral("10.0.1.1"));
    QCOMPARE(proxy.index(1, HostTableModel::Address).data().toString(), QStringLiteral("10.0.10.1"));
}

void TestQtModels::timeFormats()
{
    Feeder f;
    f.udp(1, 2, 10, 1'726'477'200'300'000'000);
    f.udp(3, 2, 10, 1'726'477'212'345'678'900);
    HostTableModel m;
    m.refresh(f.model);
    const int r = row_of(m, HostTableModel::Address, QStringLiteral("10.0.3.1"));
    Spies spies(&m);
    m.setTimeFormat(TimeFormat::Epoch);
    QCOMPARE(spies.reset.size(), 0);
    QCOMPARE(spies.changed.size(), 2); // the two time columns
    QCOMPARE(cell(m, r, HostTableModel::FirstSeen, Qt::DisplayRole).toString(), QStringLiteral("1726477212.345679"));
    m.setTimeFormat(TimeFormat::Relative);
    QCOMPARE(cell(m, r, HostTableModel::FirstSeen, Qt::DisplayRole).toString(), QStringLiteral("12.045679"));
    m.setTimeFormat(TimeFormat::Absolute);
    const QString abs = cell(m, r, HostTableModel::FirstSeen, Qt::DisplayRole).toString();
    QVERIFY2(abs.endsWith(QStringLiteral(":12.345678")), qPrintable(abs)); // local zone: only the seconds are fixed
    QCOMPARE(cell(m, r, HostTableModel::FirstSeen, SortRole).toLongLong(), 1'726'477'212'345'678'900LL);
    QCOMPARE(cell(m, r, HostTableModel::Bytes, Qt::DisplayRole).toString(), QStringLiteral("52 B"));
}

void TestQtModels::refreshOfThousandsOfRowsIsCheap()
{
    Feeder f;
    constexpr int kHosts = 5000;
    for (int i = 0; i < kHosts; ++i) {
        FrameBuilder b;
        b.ether(0x0800, uint8_t(i), 0xfe)
            .ipv4({10, uint8_t(i >> 8), uint8_t(i), 1}, {192, 168, 0, 1}, 17)
            .udp(uint16_t(1024 + i), 53);
        f.add(b.finish(), 1'000'000'000 + int64_t(i) * 1000);
    }
    HostTableModel hosts;
    ConversationTableModel convs;
    TableProxyModel proxy;
    proxy.setSourceModel(&hosts);
    proxy.sort(HostTableModel::Bytes, Qt::DescendingOrder);
    hosts.refresh(f.model);
    convs.refresh(f.model);
    QCOMPARE(hosts.rowCount(), kHosts + 1);

    // A tenth of a second of live traffic: a few hundred packets among the hosts.
    for (int i = 0; i < 300; ++i) {
        FrameBuilder b;
        b.ether(0x0800, uint8_t(i * 7), 0xfe)
            .ipv4({10, uint8_t((i * 7) >> 8), uint8_t(i * 7), 1}, {192, 168, 0, 1}, 17)
            .udp(uint16_t(1024 + i * 7), 53);
        f.add(b.finish(), 2'000'000'000 + int64_t(i) * 1000);
    }
    // The thread's own CPU time: what the GUI thread would spend, whatever
    // else the machine is doing (other builds, other tests).
    auto cpu_ns = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    };
    const int64_t start = cpu_ns();
    constexpr int kRounds = 10;
    for (int round = 0; round < kRounds; ++round) {
        hosts.refresh(f.model);
        convs.refresh(f.model);
    }
    const double ms = double(cpu_ns() - start) / 1e6 / kRounds;
    qInfo("refresh of %d hosts and %d conversations behind a sorting proxy: %.2f ms", hosts.rowCount(),
          convs.rowCount(), ms);
    // Ten refreshes a second must leave the GUI thread nearly idle; generous for
    // sanitizer builds.
    QVERIFY2(ms < 50, qPrintable(QString::number(ms)));
}

QTEST_GUILESS_MAIN(TestQtModels)
#include "test_qt_models.moc"
