// The details pane's and the packet list's view of the protocol engine:
// field byte ranges, the columns, behaviour at every snaplen, and that
// asking for a tree or columns never changes the summary ingest keys on.
#include "dissect/engine.h"
#include "packet_decoder.h"
#include "packet_details.h"
#include "sample_packets.h"

#include <QtTest>

using namespace underhood;
using namespace underhood::test;

namespace {

Dissection details(uint32_t lt, const std::vector<uint8_t>& f, uint32_t origlen = 0)
{
    return dissect_packet(lt, Bytes(f.data(), f.size()), origlen ? origlen : uint32_t(f.size()));
}

// The field whose label starts with `prefix`, after the field `after` (-1: from the start).
int find_field(const Dissection& d, const std::string& prefix, int after = -1)
{
    for (size_t i = size_t(after + 1); i < d.fields.size(); ++i)
        if (d.fields[i].label.rfind(prefix, 0) == 0)
            return int(i);
    return -1;
}

QString dump(const Dissection& d)
{
    QString s;
    for (const auto& f : d.fields)
        s += QString("%1%2 [%3+%4]%5\n")
                 .arg(QString(f.depth * 2, ' '), QString::fromStdString(f.label))
                 .arg(f.offset)
                 .arg(f.length)
                 .arg(f.flags ? " !" : "");
    return s;
}

// The engine with every output, against the summary alone.
void checkOutputsKeepTheSummary(uint32_t lt, const std::vector<uint8_t>& pkt, uint32_t origlen)
{
    DecodedPacket alone;
    decode_packet(lt, Bytes(pkt.data(), pkt.size()), origlen, alone);
    DecodedPacket with;
    dissect::FieldTree tree;
    dissect::Columns columns;
    dissect::Streams streams;
    dissect::Packet p(Bytes(pkt.data(), pkt.size()), origlen, with);
    p.tree = &tree;
    p.columns = &columns;
    p.streams = &streams;
    dissect::dissect(lt, p);
    QCOMPARE(QString::fromStdString(with.path_string()), QString::fromStdString(alone.path_string()));
    QVERIFY2(with.flags == alone.flags,
             qPrintable(QString("link type %1, %2: flags %3 with a tree (%4), %5 without")
                            .arg(lt)
                            .arg(QString::fromStdString(alone.path_string()))
                            .arg(with.flags)
                            .arg(with.problem ? with.problem : "")
                            .arg(alone.flags)));
    QCOMPARE(with.app, alone.app);
    QCOMPARE(with.app_offset, alone.app_offset);
    QCOMPARE(with.app_length, alone.app_length);
    QVERIFY(with.ip_src == alone.ip_src && with.ip_dst == alone.ip_dst);
    QVERIFY(with.port_ip_src == alone.port_ip_src && with.port_ip_dst == alone.port_ip_dst);
    QCOMPARE(with.port_src, alone.port_src);
    QCOMPARE(with.port_dst, alone.port_dst);
    QVERIFY(with.mac_src == alone.mac_src && with.mac_dst == alone.mac_dst);
    QCOMPARE(QString(with.problem ? with.problem : ""), QString(alone.problem ? alone.problem : ""));
}

} // namespace

class TestPacketDetails : public QObject {
    Q_OBJECT
private slots:
    void samplesAreClean_data();
    void samplesAreClean();
    void fieldOffsets();
    void fieldAtPicksTheInnermostField();
    void columns_data();
    void columns();
    void malformedIsNotTruncated();
    void everySnaplen_data();
    void everySnaplen();
    void garbageNeverEscapesTheCapture();
    void unsupportedLinkType();
};

void TestPacketDetails::samplesAreClean_data()
{
    QTest::addColumn<int>("sample");
    auto samples = sample_packets();
    for (size_t i = 0; i < samples.size(); ++i)
        QTest::newRow(samples[i].name.c_str()) << int(i);
}

// Every sample dissects without a problem into a well-formed tree whose
// fields all lie inside the captured bytes.
void TestPacketDetails::samplesAreClean()
{
    QFETCH(int, sample);
    SamplePacket s = sample_packets()[size_t(sample)];
    Dissection d = details(s.link_type, s.bytes);
    QVERIFY2(d.flags == 0, qPrintable(QString::fromStdString(d.problem) + "\n" + dump(d)));
    QVERIFY(d.fields.size() > 5);
    QCOMPARE(d.fields.front().depth, uint16_t(0));
    for (size_t i = 0; i < d.fields.size(); ++i) {
        const DissectedField& f = d.fields[i];
        QVERIFY2(size_t(f.offset) + f.length <= s.bytes.size(), qPrintable(QString::fromStdString(f.label)));
        QVERIFY2(!f.label.empty() || f.length, qPrintable(QString("field %1 has no label").arg(i)));
        if (i)
            QVERIFY(f.depth <= d.fields[i - 1].depth + 1);
        // A child lies within its parent, unless it is a note that covers nothing.
        int p = d.parent(int(i));
        if (p >= 0 && f.length) {
            const DissectedField& up = d.fields[size_t(p)];
            QVERIFY2(f.offset >= up.offset && f.offset + f.length <= up.offset + up.length,
                     qPrintable(QString::fromStdString(f.label + " outside " + up.label)));
        }
    }
    QVERIFY(!d.protocol.empty());
    QVERIFY(!d.info.empty());
    // The decoder agrees that nothing is wrong with it.
    DecodedPacket dp;
    decode_packet(s.link_type, Bytes(s.bytes.data(), s.bytes.size()), uint32_t(s.bytes.size()), dp);
    QVERIFY2(!dp.has(DecodedPacket::Truncated) && !dp.has(DecodedPacket::Malformed), dp.problem);
}

void TestPacketDetails::fieldOffsets()
{
    Dissection d = details(kLinkEthernet, dns_query_frame());
    auto check = [&](const char* prefix, uint32_t offset, uint32_t length) {
        int i = find_field(d, prefix);
        QVERIFY2(i >= 0, prefix);
        QCOMPARE(d.fields[size_t(i)].offset, offset);
        QCOMPARE(d.fields[size_t(i)].length, length);
    };
    check("Ethernet II, Src: 00:11:22:33:44:01, Dst: 00:11:22:33:44:02", 0, 14);
    check("Type: IPv4 (0x0800)", 12, 2);
    check("Internet Protocol Version 4, Src: 10.0.0.1, Dst: 10.0.0.53", 14, 20);
    check("Time to Live: 64", 22, 1);
    check("Protocol: UDP (17)", 23, 1);
    check("Source Address: 10.0.0.1", 26, 4);
    check("User Datagram Protocol, Src Port: 51234, Dst Port: 53", 34, 8);
    check("Destination Port: 53", 36, 2);
    check("Domain Name System (query)", 42, 29);
    check("Transaction ID: 0x1a2b", 42, 2);
    check("example.com: type A, class IN", 54, 17);
    check("Name: example.com", 54, 13);

    d = details(kLinkEthernet, tcp_syn_frame());
    check("Flags: 0x002 (SYN)", 46, 2);
    check("Options: (20 bytes), Maximum segment size, SACK permitted, Timestamps, No-Operation (NOP), Window scale", 54,
          20);
    check("TCP Option - Maximum segment size: 1460 bytes", 54, 4);
    check("TCP Option - Window scale: 7 (multiply by 128)", 71, 3);

    d = details(kLinkEthernet, tls_client_hello_frame());
    int sni = find_field(d, "Server Name: example.org");
    QVERIFY(sni >= 0);
    auto f = tls_client_hello_frame();
    const DissectedField& name = d.fields[size_t(sni)];
    QCOMPARE(std::string(f.begin() + name.offset, f.begin() + name.offset + name.length), std::string("example.org"));
}

void TestPacketDetails::fieldAtPicksTheInnermostField()
{
    Dissection d = details(kLinkEthernet, tcp_syn_frame());
    QCOMPARE(QString::fromStdString(d.fields[size_t(d.field_at(22))].label), QString("Time to Live: 64"));
    // The bits of a flags word cover the same bytes as the word: the word wins.
    QCOMPARE(QString::fromStdString(d.fields[size_t(d.field_at(47))].label), QString("Flags: 0x002 (SYN)"));
    QCOMPARE(QString::fromStdString(d.fields[size_t(d.field_at(58))].label), QString("Kind: SACK permitted (4)"));
    QCOMPARE(d.field_at(uint32_t(tcp_syn_frame().size())), -1);
    QCOMPARE(d.parent(d.field_at(22)), find_field(d, "Internet Protocol Version 4"));
    QCOMPARE(d.parent(0), -1);
}

void TestPacketDetails::columns_data()
{
    QTest::addColumn<QString>("sample");
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<QString>("info");
    auto row = [](const char* s, const char* p, const char* src, const char* dst, const char* info) {
        QTest::newRow(s) << QString(s) << QString(p) << QString(src) << QString(dst) << QString::fromUtf8(info);
    };
    row("dns query", "DNS", "10.0.0.1", "10.0.0.53", "Standard query 0x1a2b A example.com");
    row("dns response", "DNS", "10.0.0.53", "10.0.0.1",
        "Standard query response 0x1234 A www.example.com CNAME edge.www.example.com A 93.184.216.34");
    row("tls client hello", "TLSv1.2", "10.0.0.1", "93.184.216.34", "Client Hello (SNI=example.org)");
    row("tcp syn", "TCP", "10.0.0.1", "93.184.216.34",
        "51000 → 443 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=123456 TSecr=0 WS=128");
    row("arp request", "ARP", "00:11:22:33:44:01", "Broadcast", "Who has 10.0.0.2? Tell 10.0.0.1");
    row("arp reply", "ARP", "00:11:22:33:44:02", "00:11:22:33:44:01", "10.0.0.2 is at 00:11:22:33:44:02");
    row("icmp echo", "ICMP", "10.0.0.1", "10.0.0.2", "Echo (ping) request id=0x0001, seq=1/256, ttl=64");
    row("icmp port unreachable", "ICMP", "10.0.0.1", "10.0.0.2", "Destination unreachable (Port unreachable)");
    row("http get", "HTTP", "10.0.0.1", "10.0.0.2", "GET /path HTTP/1.1");
    row("sll http response", "HTTP", "10.0.0.1", "10.0.0.2", "HTTP/1.1 200 OK  (text/html)");
    row("dhcp request", "DHCP", "0.0.0.0", "255.255.255.255", "DHCP Request - Transaction ID 0x3d1d2c4b");
    row("ntp client", "NTP", "10.0.0.1", "10.0.0.123", "NTP Version 4, client");
    row("pppoe ntp", "NTP", "10.0.0.1", "10.0.0.2", "NTP Version 3, client");
    row("null ssh", "SSHv2", "127.0.0.1", "127.0.0.1", "Client: Protocol (SSH-2.0-OpenSSH_9.2)");
    row("sll2 quic initial", "QUIC", "2001:db8::1", "2001:db8::2", "Initial, DCID=0102030405060708");
    row("vlan ipv6 mdns", "MDNS", "2001:db8::1", "2001:db8::2", "Standard query response 0x1234 A printer.local");
    row("qinq dns", "DNS", "10.0.0.1", "10.0.0.2", "Standard query 0x0007 AAAA a.example");
    row("loop icmpv6 echo", "ICMPv6", "2001:db8::1", "2001:db8::2",
        "Echo (ping) request id=0x0001, seq=1, hop limit=64");
    row("icmpv6 neighbor solicitation", "ICMPv6", "2001:db8::1", "2001:db8::2",
        "Neighbor Solicitation for 2001:db8::2 from 00:11:22:33:44:01");
    row("ppp sctp init", "SCTP", "10.0.0.1", "10.0.0.2", "INIT");
    row("ip in ip", "UDP", "172.16.0.1", "172.16.0.2", "1 → 2 Len=1");
    row("gre http", "HTTP", "10.1.0.1", "10.2.0.1", "GET / HTTP/1.1");
    row("radiotap beacon", "802.11", "00:01:02:03:04:09", "Broadcast",
        "Beacon frame, SN=18, FN=0, Flags=........, SSID=\"home\"");
    row("ipv4 options igmp", "IGMP", "10.0.0.1", "224.0.0.22", "Membership Report group 239.255.255.250");
    row("stp", "STP", "00:11:22:33:44:01", "01:80:c2:00:00:00",
        "Conf. Root = 32768 / 0 / 00:11:22:33:44:01  Cost = 0  Port = 0x8001");
    row("vxlan icmp", "ICMP", "192.168.0.1", "192.168.0.2", "Echo (ping) request id=0x0002, seq=3/768, ttl=64");
    row("lldp", "LLDP", "00:11:22:33:44:01", "01:80:c2:00:00:0e",
        "Chassis Id = 00:11:22:33:44:01, Port Id = eth0, TTL = 120 SysName = switch");
}

void TestPacketDetails::columns()
{
    QFETCH(QString, sample);
    QFETCH(QString, protocol);
    QFETCH(QString, source);
    QFETCH(QString, destination);
    QFETCH(QString, info);
    bool found = false;
    for (const SamplePacket& s : sample_packets()) {
        if (s.name != sample.toStdString())
            continue;
        found = true;
        Dissection d = details(s.link_type, s.bytes);
        QCOMPARE(QString::fromStdString(d.info), info);
        QCOMPARE(QString::fromStdString(d.protocol), protocol);
        QCOMPARE(QString::fromStdString(d.source), source);
        QCOMPARE(QString::fromStdString(d.destination), destination);
    }
    QVERIFY(found);
}

void TestPacketDetails::malformedIsNotTruncated()
{
    auto f = tls_client_hello_frame();
    // IPv4 total length claims 100 bytes more than the frame had on the wire.
    uint16_t total = uint16_t((f[16] << 8 | f[17]) + 100);
    f[16] = uint8_t(total >> 8);
    f[17] = uint8_t(total);
    Dissection d = details(kLinkEthernet, f);
    QVERIFY(d.has(DissectedField::Malformed));
    QVERIFY(!d.has(DissectedField::Truncated));
    QVERIFY2(d.problem.find("IPv4 total length") != std::string::npos, d.problem.c_str());
    // The IPv4 layer and the note inside it carry the mark; Ethernet does not.
    int ip = find_field(d, "Internet Protocol Version 4");
    QVERIFY(d.fields[size_t(ip)].has(DissectedField::Malformed));
    QVERIFY(!d.fields[size_t(find_field(d, "Ethernet II"))].flags);
    // The same claim is fine when the capture was cut short by its snaplen.
    d = details(kLinkEthernet, f, uint32_t(f.size() + 100));
    QVERIFY(d.has(DissectedField::Truncated));
    QVERIFY(!d.has(DissectedField::Malformed));

    // A DNS name pointer past the message is malformed.
    auto q = dns_query_frame();
    q[54] = 0xC0;
    q[55] = 0xFF;
    d = details(kLinkEthernet, q);
    QVERIFY2(d.has(DissectedField::Malformed), qPrintable(dump(d)));
}

void TestPacketDetails::everySnaplen_data()
{
    samplesAreClean_data();
}

// tcpdump tests each printer at several snaplens; we try all of them. A cut
// packet never crashes, is always marked truncated, never malformed, and
// every field stays within the bytes that were captured.
void TestPacketDetails::everySnaplen()
{
    QFETCH(int, sample);
    SamplePacket s = sample_packets()[size_t(sample)];
    const uint32_t wire = uint32_t(s.bytes.size());
    for (size_t snap = 0; snap < s.bytes.size(); ++snap) {
        std::vector<uint8_t> cut(s.bytes.begin(), s.bytes.begin() + long(snap)); // own allocation: ASan sees overreads
        Dissection d = dissect_packet(s.link_type, Bytes(cut.data(), cut.size()), wire);
        QVERIFY2(d.has(DissectedField::Truncated), qPrintable(QString("snaplen %1\n%2").arg(snap).arg(dump(d))));
        QVERIFY2(!d.has(DissectedField::Malformed),
                 qPrintable(QString("snaplen %1: %2\n%3").arg(snap).arg(QString::fromStdString(d.problem), dump(d))));
        for (const DissectedField& f : d.fields)
            QVERIFY(size_t(f.offset) + f.length <= snap);
        checkOutputsKeepTheSummary(s.link_type, cut, wire);
        if (QTest::currentTestFailed())
            QFAIL(qPrintable(QString("snaplen %1: the summary changed with a tree").arg(snap)));
        // Where the decoder saw a header cut short, so did the dissector: the
        // mark is not only the frame-level note.
        DecodedPacket dp;
        decode_packet(s.link_type, Bytes(cut.data(), cut.size()), wire, dp);
        if (dp.has(DecodedPacket::Truncated))
            QVERIFY2(d.problem.find("were not captured") == std::string::npos,
                     qPrintable(QString("snaplen %1\n%2").arg(snap).arg(dump(d))));
    }
}

// Random bytes under every link type: bounded output, fields in range.
void TestPacketDetails::garbageNeverEscapesTheCapture()
{
    const uint32_t kLinkTypes[] = {0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 228, 229, 276};
    uint32_t state = 12345;
    auto next = [&] {
        state = state * 1103515245u + 12345u;
        return uint8_t(state >> 16);
    };
    for (int round = 0; round < 3000; ++round) {
        std::vector<uint8_t> pkt(size_t(next()) + (round % 7) * 64);
        for (uint8_t& b : pkt)
            b = next();
        // Seed with real headers now and then, so the garbage gets deep.
        auto samples = sample_packets();
        const SamplePacket& seed = samples[size_t(round) % samples.size()];
        uint32_t lt = kLinkTypes[size_t(round) % std::size(kLinkTypes)];
        if (round % 2) {
            lt = seed.link_type;
            size_t keep = std::min(pkt.size(), seed.bytes.size()) * size_t(next()) / 256;
            std::copy(seed.bytes.begin(), seed.bytes.begin() + long(keep), pkt.begin());
        }
        Dissection d = dissect_packet(lt, Bytes(pkt.data(), pkt.size()), uint32_t(pkt.size()) + (round % 3) * 10);
        QVERIFY(!d.fields.empty());
        for (const DissectedField& f : d.fields)
            QVERIFY(size_t(f.offset) + f.length <= pkt.size());
        checkOutputsKeepTheSummary(lt, pkt, uint32_t(pkt.size()) + (round % 3) * 10);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestPacketDetails::unsupportedLinkType()
{
    std::vector<uint8_t> pkt = {1, 2, 3, 4};
    Dissection d = details(4242, pkt);
    QCOMPARE(QString::fromStdString(d.info), QString("Link type 4242 is not supported"));
    QVERIFY(find_field(d, "Data (4 bytes)") >= 0);
    d = details(kLinkEthernet, {});
    QVERIFY(d.has(DissectedField::Malformed)); // an empty frame on the wire
}

QTEST_APPLESS_MAIN(TestPacketDetails)
#include "test_packet_details.moc"
