// CSV and JSON export of the tables: CSV read back gives the table exactly,
// whatever the names hold; JSON keeps numbers as numbers.
#include "conversation_table_model.h"
#include "host_table_model.h"
#include "model_feed.h"
#include "packet_builder.h"
#include "packet_decoder.h"
#include "protocol_tree_model.h"
#include "table_export.h"
#include "table_proxy_model.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace underhood;
using underhood::test::FrameBuilder;
using underhood::test::feed_frame;

namespace {

struct Feeder {
    TrafficModel model;
    std::vector<std::vector<uint8_t>> frames;
    void udp(uint8_t src, uint8_t dst, size_t payload, int64_t ts_ns)
    {
        FrameBuilder b;
        b.ether(0x0800, src, dst).ipv4({10, 0, 0, src}, {10, 0, 0, dst}, 17).udp(1000, 53);
        b.raw(std::vector<uint8_t>(payload, 0));
        frames.push_back(b.finish());
        feed_frame(model, frames.back(), ts_ns);
    }
};

IpAddress ip(const char* text)
{
    IpAddress a;
    IpAddress::parse(text, a);
    return a;
}

// Hosts whose names hold everything CSV has to quote.
void awkward_traffic(Feeder& f)
{
    f.udp(1, 2, 10, 1'000'000'000);
    f.udp(2, 3, 1000, 2'000'000'000);
    f.udp(3, 1, 100, 3'000'000'000);
    f.udp(4, 1, 0, 4'000'000'000);
    f.model.names().add_name(ip("10.0.0.1"), "say \"hello\", world");
    f.model.names().add_name(ip("10.0.0.1"), "second,name");
    f.model.names().add_name(ip("10.0.0.2"), "line one\nline two\r\nline three");
    f.model.names().add_name(ip("10.0.0.3"), "\"\"quoted\"\"");
    f.model.names().add_name(ip("10.0.0.4"), " trailing space ");
}

QByteArray csv_of(const QAbstractItemModel& m, const CsvOptions& options = {})
{
    QBuffer buf;
    buf.open(QIODevice::WriteOnly);
    if (!export_csv(m, buf, options))
        return {};
    return buf.data();
}

QList<QStringList> parse(const QByteArray& csv)
{
    QBuffer buf;
    buf.setData(csv);
    buf.open(QIODevice::ReadOnly);
    QString error;
    auto rows = read_csv(buf, &error);
    if (!rows)
        qWarning() << error;
    return rows.value_or(QList<QStringList>{});
}

// The table as export writes it: header, then each row's export text (depth first for a tree).
QList<QStringList> expected_table(const QAbstractItemModel& m)
{
    QList<QStringList> out;
    QStringList header;
    for (int c = 0; c < m.columnCount(); ++c)
        header << m.headerData(c, Qt::Horizontal).toString();
    out << header;
    std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
        for (int r = 0; r < m.rowCount(parent); ++r) {
            QStringList row;
            for (int c = 0; c < m.columnCount(); ++c)
                row << export_text(m.index(r, c, parent).data(ExportRole));
            out << row;
            walk(m.index(r, 0, parent));
        }
    };
    walk({});
    return out;
}

} // namespace

class TestQtTableExport : public QObject {
    Q_OBJECT
private slots:
    void csvRoundTripsHostTable();
    void csvRoundTripsThroughSortingProxy();
    void csvRoundTripsConversationsAndTree();
    void csvGuardsFormulas();
    void csvReaderEdgeCases();
    void jsonKeepsNumbersAndHeaders();
    void writeFailureIsReported();
};

void TestQtTableExport::csvRoundTripsHostTable()
{
    Feeder f;
    awkward_traffic(f);
    HostTableModel m;
    m.refresh(f.model);
    QCOMPARE(m.rowCount(), 4);
    const QByteArray csv = csv_of(m);
    QVERIFY(csv.startsWith("Address,Names,Vendor,Packets,Bytes,Sent packets,"));
    QVERIFY(csv.contains("\"say \"\"hello\"\", world, second,name\""));
    QVERIFY(csv.contains("\r\n"));
    const QList<QStringList> back = parse(csv);
    QCOMPARE(back, expected_table(m));
    // And the names came back byte for byte.
    bool found = false;
    for (const QStringList& row : back)
        found |= row[HostTableModel::Names] == QStringLiteral("line one\nline two\r\nline three");
    QVERIFY(found);
}

void TestQtTableExport::csvRoundTripsThroughSortingProxy()
{
    Feeder f;
    awkward_traffic(f);
    HostTableModel m;
    m.refresh(f.model);
    TableProxyModel proxy;
    proxy.setSourceModel(&m);
    proxy.sort(HostTableModel::Bytes, Qt::AscendingOrder);
    const QList<QStringList> back = parse(csv_of(proxy));
    QCOMPARE(back, expected_table(proxy));
    QCOMPARE(back.size(), 5);
    for (int r = 2; r < back.size(); ++r) // rows in the proxy's (numeric) order
        QVERIFY(back[r - 1][HostTableModel::Bytes].toULongLong() <= back[r][HostTableModel::Bytes].toULongLong());

    proxy.setFilterFixedString(QStringLiteral("line two"));
    QCOMPARE(parse(csv_of(proxy)).size(), 2); // the header and the one match
}

void TestQtTableExport::csvRoundTripsConversationsAndTree()
{
    Feeder f;
    awkward_traffic(f);
    ConversationTableModel convs;
    convs.refresh(f.model);
    QCOMPARE(parse(csv_of(convs)), expected_table(convs));
    ProtocolTreeModel tree;
    tree.refresh(f.model);
    const QList<QStringList> back = parse(csv_of(tree));
    QCOMPARE(back, expected_table(tree));
    QCOMPARE(back[1][0], QStringLiteral("eth"));
    QCOMPARE(back[2][0], QStringLiteral("eth:ipv4"));
}

void TestQtTableExport::csvGuardsFormulas()
{
    Feeder f;
    f.udp(1, 2, 10, 1'000'000'000);
    f.model.names().add_name(ip("10.0.0.1"), "=HYPERLINK(\"http://x\")");
    HostTableModel m;
    m.refresh(f.model);
    const int r = m.data(m.index(0, 0)).toString() == QStringLiteral("10.0.0.1") ? 1 : 2;
    QCOMPARE(parse(csv_of(m))[r][HostTableModel::Names], QStringLiteral("'=HYPERLINK(\"http://x\")"));
    CsvOptions raw;
    raw.guard_formulas = false;
    QCOMPARE(parse(csv_of(m, raw))[r][HostTableModel::Names], QStringLiteral("=HYPERLINK(\"http://x\")"));
}

void TestQtTableExport::csvReaderEdgeCases()
{
    QCOMPARE(parse("a,b\nc,d\n"), (QList<QStringList>{{"a", "b"}, {"c", "d"}}));
    QCOMPARE(parse("a,\"\"\r\n,\r\n"), (QList<QStringList>{{"a", ""}, {"", ""}}));
    QCOMPARE(parse("\"x\r\ny\",\"\"\"\"\nlast"), (QList<QStringList>{{"x\r\ny", "\""}, {"last"}}));
    QCOMPARE(parse("h\n\nz"), (QList<QStringList>{{"h"}, {""}, {"z"}}));
    QCOMPARE(parse(QString::fromUtf8("caf\u00e9,\u2192\n").toUtf8()), (QList<QStringList>{{QString::fromUtf8("caf\u00e9"), QString::fromUtf8("\u2192")}}));
    for (const char* bad : {"\"open", "\"a\"b,c", "a\"b"}) {
        QBuffer buf;
        buf.setData(bad);
        buf.open(QIODevice::ReadOnly);
        QString error;
        QVERIFY2(!read_csv(buf, &error), bad);
        QVERIFY(!error.isEmpty());
    }
}

void TestQtTableExport::jsonKeepsNumbersAndHeaders()
{
    Feeder f;
    awkward_traffic(f);
    HostTableModel m;
    m.refresh(f.model);
    QBuffer buf;
    buf.open(QIODevice::WriteOnly);
    QVERIFY(export_json(m, buf));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(buf.data(), &err);
    QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
    const QJsonArray rows = doc.array();
    QCOMPARE(rows.size(), m.rowCount());
    for (int r = 0; r < rows.size(); ++r) {
        const QJsonObject o = rows[r].toObject();
        QCOMPARE(o.size(), int(HostTableModel::ColumnCount));
        QCOMPARE(o[QStringLiteral("Address")].toString(), m.index(r, HostTableModel::Address).data().toString());
        QCOMPARE(o[QStringLiteral("Names")].toString(), m.index(r, HostTableModel::Names).data().toString());
        QVERIFY(o[QStringLiteral("Packets")].isDouble());
        QCOMPARE(o[QStringLiteral("Bytes")].toInteger(), m.index(r, HostTableModel::Bytes).data(ExportRole).toLongLong());
        QCOMPARE(o[QStringLiteral("Received bytes")].toInteger(),
                 m.index(r, HostTableModel::ReceivedBytes).data(ExportRole).toLongLong());
        QVERIFY(o[QStringLiteral("First seen")].isDouble());
        QVERIFY(o[QStringLiteral("First seen")].toDouble() >= 1.0);
    }
    // Column order is the table's, not alphabetical.
    QVERIFY(buf.data().indexOf("\"Address\"") < buf.data().indexOf("\"Names\""));
    QVERIFY(buf.data().indexOf("\"Packets\"") < buf.data().indexOf("\"Bytes\""));

    // An empty table is an empty array.
    HostTableModel empty;
    QBuffer e;
    e.open(QIODevice::WriteOnly);
    QVERIFY(export_json(empty, e));
    QCOMPARE(QJsonDocument::fromJson(e.data()).array().size(), 0);
    QVERIFY(QJsonDocument::fromJson(e.data()).isArray());

    // Tree: shares are numbers too.
    ProtocolTreeModel tree;
    tree.refresh(f.model);
    QBuffer t;
    t.open(QIODevice::WriteOnly);
    QVERIFY(export_json(tree, t));
    const QJsonArray nodes = QJsonDocument::fromJson(t.data()).array();
    QCOMPARE(nodes[0].toObject()[QStringLiteral("Protocol")].toString(), QStringLiteral("eth"));
    QCOMPARE(nodes[0].toObject()[QStringLiteral("% Packets")].toDouble(), 100.0);
}

void TestQtTableExport::writeFailureIsReported()
{
    Feeder f;
    awkward_traffic(f);
    HostTableModel m;
    m.refresh(f.model);
    QBuffer closed; // never opened: every write fails
    QTest::ignoreMessage(QtWarningMsg, "QIODevice::write (QBuffer): device not open");
    QVERIFY(!export_csv(m, closed));
}

QTEST_GUILESS_MAIN(TestQtTableExport)
#include "test_qt_table_export.moc"
