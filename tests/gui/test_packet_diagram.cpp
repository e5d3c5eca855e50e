// The packet diagram (Packet Details > Diagram) of a TCP SYN, a UDP DNS query
// and an ARP request from the demo capture, against tshark: each layer starts
// where tshark's PDML puts the protocol and is as long, each box lies inside
// the bytes tshark gives its field, its value is tshark's value, and a click
// on a box selects that field in the tree and its bytes in the hex view.
// With UNDERHOOD_SCREENSHOT_DIR set it saves the TCP SYN's diagram at
// 1280x720, light and dark, alone and in the window.
#include "hex_view.h"
#include "main_window.h"
#include "packet_details_pane.h"
#include "packet_details_view.h"
#include "packet_diagram_view.h"
#include "packet_list_view.h"

#include <QMap>
#include <QProcess>
#include <QScrollBar>
#include <QStandardPaths>
#include <QXmlStreamReader>
#include <QtTest>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

QByteArray tshark(const QStringList& args)
{
    QProcess ts;
    ts.start("tshark", QStringList{"-n", "-r", kDemo} + args);
    ts.waitForFinished(120000);
    return ts.readAllStandardOutput();
}

// The first packet tshark selects with `filter`.
quint64 first_packet(const QString& filter)
{
    const QByteArray out = tshark({"-Y", filter, "-T", "fields", "-e", "frame.number"});
    return out.left(out.indexOf('\n')).trimmed().toULongLong();
}

// tshark's value of each field, as -T fields prints it (first occurrence).
QMap<QString, QString> field_values(quint64 number, const QStringList& names)
{
    QStringList args{"-Y", QString("frame.number == %1").arg(number), "-T", "fields", "-E", "occurrence=f",
                     "-E", "separator=/t"};
    for (const QString& n : names)
        args << "-e" << n;
    const QList<QByteArray> cols = tshark(args).trimmed().split('\t');
    QMap<QString, QString> values;
    for (qsizetype i = 0; i < names.size() && i < cols.size(); ++i)
        values[names[i]] = QString::fromUtf8(cols[i]);
    return values;
}

struct Span {
    int pos = -1;
    int size = 0;
};

// Where PDML puts each protocol and field (first occurrence).
struct Pdml {
    QMap<QString, Span> protos, fields;
};

Pdml pdml(quint64 number)
{
    Pdml out;
    QXmlStreamReader xml(tshark({"-Y", QString("frame.number == %1").arg(number), "-T", "pdml"}));
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const auto a = xml.attributes();
        const QString name = a.value("name").toString();
        const Span s{a.value("pos").toInt(), a.value("size").toInt()};
        auto& map = xml.name() == QLatin1String("proto") ? out.protos : out.fields;
        if (xml.name() == QLatin1String("proto") || xml.name() == QLatin1String("field"))
            if (!map.contains(name))
                map[name] = s;
    }
    return out;
}

} // namespace

class TestPacketDiagram : public QObject {
    Q_OBJECT

    MainWindow* w_ = nullptr;

    PacketDetailsPane* pane() const { return w_->detailsPane(); }
    PacketDiagramView* diagram() const { return pane()->diagramView(); }

    bool show(quint64 number)
    {
        w_->packetView()->selectNumber(number);
        return QTest::qWaitFor([&] { return w_->detailsPacket() == number; }, 20000);
    }

    QString field_name(int box) const
    {
        const int f = diagram()->boxes()[size_t(box)].field;
        return f < 0 ? QString() : QString::fromStdString(pane()->dissection().fields[size_t(f)].name);
    }

    int box_of(const QString& name) const
    {
        for (size_t b = 0; b < diagram()->boxes().size(); ++b)
            if (!diagram()->boxes()[b].summary && field_name(int(b)) == name)
                return int(b);
        return -1;
    }

    int layer_of(const QString& proto) const
    {
        const auto& layers = diagram()->layers();
        for (size_t l = 0; l < layers.size(); ++l)
            if (layers[l].field >= 0 && QString::fromStdString(pane()->dissection().fields[size_t(layers[l].field)].name) == proto)
                return int(l);
        return -1;
    }

    // Layers where tshark has them, boxes inside their fields' bytes and
    // filling each layer, values as tshark prints them.
    void checkAgainstTshark(quint64 number, const QStringList& protos, const QStringList& valued)
    {
        const Pdml where = pdml(number);
        const auto& boxes = diagram()->boxes();
        const auto& layers = diagram()->layers();
        for (const QString& proto : protos) {
            const int l = layer_of(proto);
            QVERIFY2(l >= 0, qPrintable(proto));
            QVERIFY2(where.protos.contains(proto), qPrintable(proto));
            QCOMPARE(int(layers[size_t(l)].offset), where.protos[proto].pos);
            int bits = 0;
            for (const auto& b : boxes)
                if (b.layer == l) {
                    QCOMPARE(b.bit, bits); // no gap, no overlap
                    bits += b.bits;
                }
            QCOMPARE(bits, where.protos[proto].size * 8);
        }
        int checked = 0;
        for (size_t b = 0; b < boxes.size(); ++b) {
            if (boxes[b].summary)
                continue;
            const QString name = field_name(int(b));
            if (!where.fields.contains(name))
                continue;
            const Span s = where.fields[name];
            const int start = int(layers[size_t(boxes[b].layer)].offset) * 8 + boxes[b].bit;
            QVERIFY2(start >= s.pos * 8 && start + boxes[b].bits <= (s.pos + s.size) * 8,
                     qPrintable(QString("%1: bits %2+%3, tshark bytes %4+%5").arg(name).arg(start).arg(boxes[b].bits).arg(s.pos).arg(s.size)));
            ++checked;
        }
        QVERIFY2(checked >= 8, qPrintable(QString::number(checked)));
        const QMap<QString, QString> values = field_values(number, valued);
        for (const QString& name : valued) {
            const int b = box_of(name);
            QVERIFY2(b >= 0, qPrintable(name));
            const QString got = boxes[size_t(b)].value, want = values.value(name);
            QVERIFY2(!want.isEmpty(), qPrintable(name));
            // tshark prints the number; the box may add its meaning ("TCP (6)", "20 bytes (5)").
            QVERIFY2(got == want || got.startsWith(want + ' ') || got.contains('(' + want + ')'),
                     qPrintable(QString("%1: box %2, tshark %3").arg(name, got, want)));
        }
    }

    // A click on the box of `name` selects that field in the tree and its bytes in the hex view.
    void clickSelects(const QString& name, quint64 number)
    {
        const int b = box_of(name);
        QVERIFY2(b >= 0, qPrintable(name));
        diagram()->scrollToBox(b);
        const QRect r = diagram()->boxRect(b);
        QVERIFY2(!r.isEmpty(), qPrintable(name));
        QTest::mouseClick(diagram()->viewport(), Qt::LeftButton, {}, r.center());
        const int f = pane()->detailsView()->selectedField();
        QVERIFY(f >= 0);
        QCOMPARE(QString::fromStdString(pane()->dissection().fields[size_t(f)].name), name);
        QCOMPARE(diagram()->selectedBox(), b);
        const Span s = pdml(number).fields.value(name);
        QCOMPARE(pane()->hexView()->selection().offset, s.pos);
        QCOMPARE(pane()->hexView()->selection().length, s.size);
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable("tshark").isEmpty())
            QSKIP("needs tshark as the reference");
        QCoreApplication::setOrganizationName("underhood-tests");
        QCoreApplication::setApplicationName("test_packet_diagram");
        w_ = new MainWindow(QSize(1280, 720));
        w_->setQuiet(true);
        w_->show();
        QVERIFY(w_->openFile(kDemo));
        QVERIFY(QTest::qWaitFor([&] { return w_->sessionShown(); }, 60000));
        pane()->showDiagram(true);
    }
    void cleanupTestCase() { delete w_; }

    void tcpSyn()
    {
        const quint64 n = first_packet("ip && tcp.flags.syn == 1 && tcp.flags.ack == 0");
        QVERIFY(n > 0);
        QVERIFY(show(n));
        QVERIFY(pane()->diagramShown());
        QStringList titles;
        for (const auto& l : diagram()->layers())
            titles << l.title;
        QCOMPARE(titles.mid(0, 3), (QStringList{"Ethernet II", "Internet Protocol Version 4", "Transmission Control Protocol"}));
        // The source port: 16 bits at bit 0 of the TCP layer's first row.
        const int src = box_of("tcp.srcport");
        QVERIFY(src >= 0);
        const auto& box = diagram()->boxes()[size_t(src)];
        QCOMPARE(box.layer, layer_of("tcp"));
        QCOMPARE(box.bit, 0);
        QCOMPARE(box.bits, 16);
        QCOMPARE(box.value, field_values(n, {"tcp.srcport"}).value("tcp.srcport"));
        QCOMPARE(diagram()->boxes()[size_t(box_of("ip.version"))].bits, 4);
        QCOMPARE(diagram()->boxes()[size_t(box_of("ip.hdr_len"))].bit, 4);
        QCOMPARE(diagram()->boxes()[size_t(box_of("tcp.flags"))].bits, 12);
        QCOMPARE(diagram()->boxes()[size_t(box_of("tcp.flags"))].value, QStringLiteral("SYN"));
        checkAgainstTshark(n, {"eth", "ip", "tcp"},
                           {"eth.dst", "eth.src", "eth.type", "ip.version", "ip.hdr_len", "ip.len", "ip.id", "ip.ttl",
                            "ip.proto", "ip.checksum", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.seq_raw",
                            "tcp.ack_raw", "tcp.window_size_value", "tcp.checksum", "tcp.urgent_pointer"});
        clickSelects("tcp.dstport", n);
        clickSelects("ip.ttl", n);
        clickSelects("eth.src", n);
        // The other way: a flag bit chosen in the tree lights its flags box.
        const auto& fields = pane()->dissection().fields;
        for (size_t i = 0; i < fields.size(); ++i)
            if (fields[i].name == "tcp.flags.syn")
                pane()->detailsView()->selectField(int(i));
        QCOMPARE(diagram()->selectedBox(), box_of("tcp.flags"));
    }

    void ipv6Addresses()
    {
        // A 128-bit address is one box over four full rows.
        const quint64 n = first_packet("ipv6 && tcp.flags.syn == 1");
        if (!n)
            QSKIP("no IPv6 TCP SYN in the demo");
        QVERIFY(show(n));
        const int src = box_of("ipv6.src");
        QVERIFY(src >= 0);
        QCOMPARE(diagram()->boxes()[size_t(src)].bits, 128);
        QCOMPARE(diagram()->boxes()[size_t(src)].bit % 32, 0);
        checkAgainstTshark(n, {"eth", "ipv6", "tcp"},
                           {"ipv6.plen", "ipv6.nxt", "ipv6.hlim", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport"});
    }

    void udpDnsQuery()
    {
        const quint64 n = first_packet("ip && udp && dns.flags.response == 0");
        QVERIFY(n > 0);
        QVERIFY(show(n));
        checkAgainstTshark(n, {"eth", "ip", "udp"},
                           {"udp.srcport", "udp.dstport", "udp.length", "udp.checksum", "dns.id", "dns.count.queries",
                            "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr"});
        // The DNS header is its 12 bytes; the questions follow as one box.
        const int dns = layer_of("dns");
        QVERIFY(dns >= 0);
        int header_bits = 0, rest = 0;
        for (const auto& b : diagram()->boxes())
            if (b.layer == dns)
                (b.summary ? rest : header_bits) += b.bits;
        QCOMPARE(header_bits, 96);
        QVERIFY(rest > 0);
        clickSelects("dns.id", n);
        clickSelects("udp.dstport", n);
    }

    void arp()
    {
        const quint64 n = first_packet("arp && !vlan");
        QVERIFY(n > 0);
        QVERIFY(show(n));
        checkAgainstTshark(n, {"eth", "arp"},
                           {"arp.hw.type", "arp.proto.type", "arp.hw.size", "arp.proto.size", "arp.opcode",
                            "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4"});
        clickSelects("arp.src.proto_ipv4", n);
    }

    void screenshots()
    {
        const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
        // Not a skip: CTest would count the whole run as skipped.
        if (dir.isEmpty())
            return;
        const quint64 n = first_packet("ip && tcp.flags.syn == 1 && tcp.flags.ack == 0");
        for (const QString theme : {"light", "dark"}) {
            w_->applyTheme(theme);
            QVERIFY(show(n));
            pane()->showDiagram(true);
            QTest::qWait(200);
            QVERIFY(w_->grab().save(dir + "/diagram-window-" + theme + ".png"));
            // The diagram as a projector shows it: the whole 1280x720 screen.
            PacketDiagramView alone;
            alone.setPacket(pane()->dissection(), pane()->hexView()->data());
            alone.resize(1280, 720);
            alone.selectField(pane()->detailsView()->selectedField());
            alone.show();
            QTest::qWait(100);
            QVERIFY(alone.grab().save(dir + "/diagram-" + theme + ".png"));
            // Its lower rows: the flags and the options.
            alone.verticalScrollBar()->setValue(alone.verticalScrollBar()->maximum());
            QVERIFY(alone.grab().save(dir + "/diagram-" + theme + "-end.png"));
        }
        w_->applyTheme("light");
        // The other two packets, alone, light.
        for (const auto& [name, filter] : {std::pair{"dns", "ip && udp && dns.flags.response == 0"},
                                           std::pair{"arp", "arp && !vlan"}}) {
            QVERIFY(show(first_packet(filter)));
            PacketDiagramView alone;
            alone.setPacket(pane()->dissection(), pane()->hexView()->data());
            alone.resize(1280, 720);
            alone.show();
            QTest::qWait(100);
            QVERIFY(alone.grab().save(dir + "/diagram-" + name + "-light.png"));
        }
    }
};

QTEST_MAIN(TestPacketDiagram)
#include "test_packet_diagram.moc"
