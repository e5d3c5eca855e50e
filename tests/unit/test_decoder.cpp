// Decoder behaviour per link type and protocol, and at every snaplen.
#include "packet_builder.h"
#include "packet_decoder.h"

#include <QtTest>

using namespace underhood;
using underhood::test::FrameBuilder;

namespace {

constexpr uint32_t kEthernet = 1, kNull = 0, kLoop = 108, kRaw = 101, kSll = 113, kSll2 = 276, kPpp = 9,
                   kRadiotap = 127, kWlan = 105;

DecodedPacket decode(uint32_t lt, const std::vector<uint8_t>& f, uint32_t origlen = 0)
{
    DecodedPacket dp;
    decode_packet(lt, Bytes(f.data(), f.size()), origlen ? origlen : uint32_t(f.size()), dp);
    return dp;
}

std::vector<uint8_t> tls_frame()
{
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 1}, {93, 184, 216, 34}, 6).tcp(51000, 443).raw(test::tls_client_hello("example.org"));
    return b.finish();
}

} // namespace

class TestDecoder : public QObject {
    Q_OBJECT
private slots:
    void paths_data();
    void paths();
    void tcpTlsFields();
    void greKeysOuterAddresses();
    void ipv6ExtensionHeadersAndFragments();
    void ipv4LaterFragmentStopsAtIp();
    void malformedLengthIsNotTruncation();
    void everySnaplen_data();
    void everySnaplen();
    void nullLinkTypeInEitherByteOrder();
    void wlanAddresses();
};

void TestDecoder::paths_data()
{
    QTest::addColumn<uint>("linkType");
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("path");
    auto row = [](const char* name, uint32_t lt, std::vector<uint8_t> f, const char* path) {
        QTest::newRow(name) << uint(lt) << QByteArray(reinterpret_cast<const char*>(f.data()), qsizetype(f.size()))
                            << QString(path);
    };
    {
        FrameBuilder b;
        b.ether(0x8100).vlan(0x0064, 0x86DD).ipv6(1, 2, 17).udp(5353, 5353).raw(test::dns_response("a.local", 1, {}));
        row("vlan ipv6 mdns", kEthernet, b.finish(), "eth:vlan:ipv6:udp:mdns");
    }
    {
        FrameBuilder b;
        b.ether(0x88A8).vlan(0x0010, 0x8100).vlan(0x0020, 0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17).udp(40000, 53).raw(
            test::dns_response("a.example", 1, {}));
        row("qinq dns", kEthernet, b.finish(), "eth:vlan:vlan:ipv4:udp:dns");
    }
    {
        FrameBuilder b;
        b.ether(0x8847).u32(0x00010000).u32(0x00020140).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 1).bytes({8, 0, 0, 0, 0, 1, 0, 1});
        row("mpls two labels icmp", kEthernet, b.finish(), "eth:mpls:ipv4:icmp");
    }
    {
        FrameBuilder b;
        b.ether(0x0806).u16(1).u16(0x0800).bytes({6, 4}).u16(1).bytes({0, 0x11, 0x22, 0x33, 0x44, 0x01, 10, 0, 0, 1})
            .bytes({0, 0, 0, 0, 0, 0, 10, 0, 0, 2});
        row("arp", kEthernet, b.finish(), "eth:arp");
    }
    {
        FrameBuilder b;
        b.ether(0x8864).bytes({0x11, 0x00}).u16(0x0001).u16(0).u16(0x0021).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17).udp(
            1000, 123).raw(std::vector<uint8_t>(48, 0));
        auto f = b.finish();
        // PPPoE payload length: PPP protocol + IP datagram.
        size_t ppp_len = f.size() - 14 - 6;
        f[18] = uint8_t(ppp_len >> 8);
        f[19] = uint8_t(ppp_len);
        row("pppoe ntp", kEthernet, f, "eth:pppoe:ppp:ipv4:udp:ntp");
    }
    {
        FrameBuilder b;
        b.bytes({0x02, 0, 0, 0}).ipv4({127, 0, 0, 1}, {127, 0, 0, 1}, 6).tcp(40000, 22).text("SSH-2.0-OpenSSH_9.2\r\n");
        row("null ssh", kNull, b.finish(), "null:ipv4:tcp:ssh");
    }
    {
        FrameBuilder b;
        b.u32(30).ipv6(1, 2, 58).bytes({128, 0, 0, 0, 0, 1, 0, 1});
        row("loop icmpv6", kLoop, b.finish(), "loop:ipv6:icmpv6");
    }
    {
        FrameBuilder b;
        b.ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17).udp(68, 67).raw(std::vector<uint8_t>(300, 0));
        row("raw dhcp", kRaw, b.finish(), "ipv4:udp:dhcp");
    }
    {
        FrameBuilder b;
        b.u16(0).u16(1).u16(6).bytes({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0}).u16(0x0800)
            .ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 6).tcp(80, 40000).text("HTTP/1.1 200 OK\r\n\r\n");
        row("sll http", kSll, b.finish(), "sll:ipv4:tcp:http");
    }
    {
        FrameBuilder b;
        b.u16(0x86DD).u16(0).u32(2).u16(1).bytes({0, 6}).bytes({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0})
            .ipv6(1, 2, 17).udp(443, 50000).bytes({0x40, 1, 2, 3, 4});
        row("sll2 quic", kSll2, b.finish(), "sll2:ipv6:udp:quic");
    }
    {
        FrameBuilder b;
        b.bytes({0xff, 0x03}).u16(0x0021).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 132).raw(std::vector<uint8_t>(16, 0));
        row("ppp sctp", kPpp, b.finish(), "ppp:ipv4:sctp");
    }
    {
        FrameBuilder b;
        b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 4).ipv4({172, 16, 0, 1}, {172, 16, 0, 2}, 17).udp(1, 2).text("x");
        row("ip in ip", kEthernet, b.finish(), "eth:ipv4:ipv4:udp:data");
    }
    {
        // radiotap (8 bytes), 802.11 data to the AP, LLC/SNAP, IPv4.
        FrameBuilder b;
        b.bytes({0, 0, 8, 0, 0, 0, 0, 0});
        b.bytes({0x08, 0x01, 0, 0}).bytes({0, 1, 2, 3, 4, 5}).bytes({0, 1, 2, 3, 4, 6}).bytes({0, 1, 2, 3, 4, 7}).bytes({0, 0});
        b.bytes({0xAA, 0xAA, 0x03, 0, 0, 0}).u16(0x0800).ipv4({192, 168, 1, 5}, {8, 8, 8, 8}, 17).udp(5000, 53).raw(
            test::dns_response("x.example", 1, {}));
        row("radiotap wlan dns", kRadiotap, b.finish(), "radiotap:wlan:llc:ipv4:udp:dns");
    }
}

void TestDecoder::paths()
{
    QFETCH(uint, linkType);
    QFETCH(QByteArray, frame);
    QFETCH(QString, path);
    std::vector<uint8_t> f(frame.begin(), frame.end());
    DecodedPacket dp = decode(linkType, f);
    QCOMPARE(QString::fromStdString(dp.path_string()), path);
    QVERIFY2(!dp.has(DecodedPacket::Truncated) && !dp.has(DecodedPacket::Malformed), dp.problem ? dp.problem : "");
}

void TestDecoder::tcpTlsFields()
{
    DecodedPacket dp = decode(kEthernet, tls_frame());
    QCOMPARE(QString::fromStdString(dp.path_string()), QString("eth:ipv4:tcp:tls"));
    QVERIFY(dp.has(DecodedPacket::HasMac) && dp.has(DecodedPacket::HasIp) && dp.has(DecodedPacket::HasPorts));
    QCOMPARE(QString::fromStdString(dp.ip_src.to_string()), QString("10.0.0.1"));
    QCOMPARE(QString::fromStdString(dp.ip_dst.to_string()), QString("93.184.216.34"));
    QCOMPARE(dp.port_src, uint16_t(51000));
    QCOMPARE(dp.port_dst, uint16_t(443));
    QCOMPARE(dp.transport, Proto::Tcp);
    QCOMPARE(dp.app, Proto::Tls);
    QCOMPARE(QString::fromStdString(dp.mac_src.to_string()), QString("00:11:22:33:44:01"));
    QCOMPARE(QString::fromStdString(dp.mac_dst.to_string()), QString("00:11:22:33:44:02"));
}

void TestDecoder::greKeysOuterAddresses()
{
    FrameBuilder b;
    b.ether(0x0800).ipv4({198, 51, 100, 1}, {198, 51, 100, 2}, 47).u16(0x2000).u16(0x0800).u32(42);
    b.ipv4({10, 1, 0, 1}, {10, 2, 0, 1}, 6).tcp(40000, 80).text("GET / HTTP/1.1\r\nHost: inner.example\r\n\r\n");
    DecodedPacket dp = decode(kEthernet, b.finish());
    QCOMPARE(QString::fromStdString(dp.path_string()), QString("eth:ipv4:gre:ipv4:tcp:http"));
    QCOMPARE(QString::fromStdString(dp.ip_src.to_string()), QString("198.51.100.1"));
    QCOMPARE(QString::fromStdString(dp.ip_dst.to_string()), QString("198.51.100.2"));
    // Ports belong to the header that carries them: the inner one.
    QCOMPARE(QString::fromStdString(dp.port_ip_src.to_string()), QString("10.1.0.1"));
    QCOMPARE(dp.port_dst, uint16_t(80));
}

void TestDecoder::ipv6ExtensionHeadersAndFragments()
{
    FrameBuilder b;
    b.ether(0x86DD).ipv6(1, 2, 0).bytes({44, 0, 1, 4, 0, 0, 0, 0}); // hop-by-hop (8 bytes) -> fragment
    b.bytes({17, 0, 0x00, 0x01, 0, 0, 0, 7});                         // first fragment, more follow
    b.udp(1234, 53).raw(test::dns_response("a.example", 1, {}));
    DecodedPacket dp = decode(kEthernet, b.finish());
    QCOMPARE(QString::fromStdString(dp.path_string()), QString("eth:ipv6:udp:dns"));
    QVERIFY(!dp.has(DecodedPacket::Fragment));

    FrameBuilder later;
    later.ether(0x86DD).ipv6(1, 2, 44).bytes({17, 0, 0x05, 0x00, 0, 0, 0, 7}).raw(std::vector<uint8_t>(64, 0xEE));
    dp = decode(kEthernet, later.finish());
    QCOMPARE(QString::fromStdString(dp.path_string()), QString("eth:ipv6"));
    QVERIFY(dp.has(DecodedPacket::Fragment));
    QVERIFY(dp.has(DecodedPacket::HasIp));
}

void TestDecoder::ipv4LaterFragmentStopsAtIp()
{
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17, 0x00B9).raw(std::vector<uint8_t>(100, 0x55));
    DecodedPacket dp = decode(kEthernet, b.finish());
    QCOMPARE(QString::fromStdString(dp.path_string()), QString("eth:ipv4"));
    QVERIFY(dp.has(DecodedPacket::Fragment));
    QVERIFY(!dp.has(DecodedPacket::HasPorts));
}

void TestDecoder::malformedLengthIsNotTruncation()
{
    auto f = tls_frame();
    // IPv4 total length claims 100 bytes more than the frame had on the wire.
    uint16_t total = uint16_t((f[16] << 8 | f[17]) + 100);
    f[16] = uint8_t(total >> 8);
    f[17] = uint8_t(total);
    DecodedPacket dp = decode(kEthernet, f);
    QVERIFY(dp.has(DecodedPacket::Malformed));
    QVERIFY(!dp.has(DecodedPacket::Truncated));
    // The same claim is fine when the capture was cut short by its snaplen.
    dp = decode(kEthernet, f, uint32_t(f.size() + 100));
    QVERIFY(dp.has(DecodedPacket::Truncated));
    QVERIFY(!dp.has(DecodedPacket::Malformed));
}

void TestDecoder::everySnaplen_data()
{
    paths_data();
}

// tcpdump tests each printer at several snaplens; we try all of them. A cut
// packet decodes to a prefix of the full path and says it was truncated.
void TestDecoder::everySnaplen()
{
    QFETCH(uint, linkType);
    QFETCH(QByteArray, frame);
    std::vector<uint8_t> full(frame.begin(), frame.end());
    DecodedPacket whole = decode(linkType, full);
    for (size_t snap = 0; snap < full.size(); ++snap) {
        std::vector<uint8_t> cut(full.begin(), full.begin() + long(snap)); // own allocation: ASan sees overreads
        DecodedPacket dp;
        decode_packet(linkType, Bytes(cut.data(), cut.size()), uint32_t(full.size()), dp);
        QVERIFY2(!dp.has(DecodedPacket::Malformed), qPrintable(QString("snaplen %1: %2").arg(snap).arg(dp.problem)));
        QVERIFY2(dp.depth <= whole.depth, qPrintable(QString("snaplen %1").arg(snap)));
        for (int i = 0; i < dp.depth; ++i)
            QCOMPARE(dp.path[size_t(i)], whole.path[size_t(i)]);
        if (dp.depth < whole.depth)
            QVERIFY2(dp.has(DecodedPacket::Truncated), qPrintable(QString("snaplen %1 lost layers silently").arg(snap)));
        if (dp.has(DecodedPacket::HasIp)) {
            QCOMPARE(dp.ip_src, whole.ip_src);
            QCOMPARE(dp.ip_dst, whole.ip_dst);
        }
    }
}

void TestDecoder::nullLinkTypeInEitherByteOrder()
{
    for (bool big : {false, true}) {
        FrameBuilder b;
        if (big)
            b.bytes({0, 0, 0, 2});
        else
            b.bytes({2, 0, 0, 0});
        b.ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 1).bytes({8, 0, 0, 0, 0, 1, 0, 1});
        DecodedPacket dp = decode(kNull, b.finish());
        QCOMPARE(QString::fromStdString(dp.path_string()), QString("null:ipv4:icmp"));
    }
}

void TestDecoder::wlanAddresses()
{
    // From the AP (FromDS): DA = addr1, BSSID = addr2, SA = addr3.
    FrameBuilder b;
    b.bytes({0x08, 0x02, 0, 0}).bytes({0, 1, 2, 3, 4, 1}).bytes({0, 1, 2, 3, 4, 2}).bytes({0, 1, 2, 3, 4, 3}).bytes({0, 0});
    b.bytes({0xAA, 0xAA, 0x03, 0, 0, 0}).u16(0x0800).ipv4({8, 8, 8, 8}, {192, 168, 1, 5}, 17).udp(53, 5000).raw(
        test::dns_response("x.example", 1, {}));
    DecodedPacket dp = decode(kWlan, b.finish());
    QCOMPARE(QString::fromStdString(dp.path_string()), QString("wlan:llc:ipv4:udp:dns"));
    QCOMPARE(QString::fromStdString(dp.mac_dst.to_string()), QString("00:01:02:03:04:01"));
    QCOMPARE(QString::fromStdString(dp.mac_src.to_string()), QString("00:01:02:03:04:03"));
    // Protected frames stop at the 802.11 header.
    auto f = b.finish();
    f[1] |= 0x40;
    dp = decode(kWlan, f);
    QCOMPARE(QString::fromStdString(dp.path_string()), QString("wlan"));
    QVERIFY(dp.has(DecodedPacket::Encrypted));
}

QTEST_APPLESS_MAIN(TestDecoder)
#include "test_decoder.moc"
