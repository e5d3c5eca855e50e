// Aggregation: hosts and conversations per layer, hierarchy, throughput, names.
#include "model_feed.h"
#include "packet_builder.h"
#include "packet_decoder.h"
#include "traffic_model.h"

#include <QtTest>

using namespace underhood;
using underhood::test::FrameBuilder;
using underhood::test::feed_frame;

namespace {

struct Fed {
    std::vector<std::vector<uint8_t>> frames; // keeps packet bytes alive for the names
};

void feed(TrafficModel& m, Fed& keep, std::vector<uint8_t> frame, int64_t ts_ns, uint32_t origlen = 0)
{
    keep.frames.push_back(std::move(frame));
    feed_frame(m, keep.frames.back(), ts_ns, origlen);
}

std::vector<uint8_t> udp_frame(uint8_t src_host, uint8_t dst_host, uint16_t sp, uint16_t dp, size_t payload)
{
    FrameBuilder b;
    b.ether(0x0800, src_host, dst_host)
        .ipv4({10, 0, 0, src_host}, {10, 0, 0, dst_host}, 17)
        .udp(sp, dp)
        .raw(std::vector<uint8_t>(payload, 0));
    return b.finish();
}

const HostStats& host(const TrafficModel& m, Layer l, const std::string& text)
{
    for (const auto& [ep, st] : m.layer(l).hosts)
        if (ep.to_string() == text)
            return st;
    static HostStats none;
    return none;
}

} // namespace

class TestTrafficModel : public QObject {
    Q_OBJECT
private slots:
    void hostsAndConversationsAtEachLayer();
    void conversationDirectionAndProtocols();
    void protocolHierarchyIsCumulative();
    void ageOutForgetsIdleEntries();
    void throughputRebinKeepsSums();
    void throughputCoarsensWithinBudget();
    void namesFromDnsCnameChainAndPtr();
    void namesFromDhcpTlsHttpAndArp();
    void nonIpCountsOnlyInTotals();
};

void TestTrafficModel::hostsAndConversationsAtEachLayer()
{
    TrafficModel m;
    Fed keep;
    feed(m, keep, udp_frame(1, 2, 1000, 53, 10), 1'000'000'000);
    feed(m, keep, udp_frame(2, 1, 53, 1000, 30), 2'000'000'000);
    feed(m, keep, udp_frame(1, 3, 1001, 123, 48), 3'000'000'000);

    QCOMPARE(m.totals().packets, uint64_t(3));
    QCOMPARE(m.layer(Layer::Ip).hosts.size(), size_t(3));
    QCOMPARE(m.layer(Layer::Ip).conversations.size(), size_t(2));
    QCOMPARE(m.layer(Layer::Ether).hosts.size(), size_t(3));
    QCOMPARE(m.layer(Layer::Port).hosts.size(), size_t(4)); // 10.0.0.1:1000, :1001, 10.0.0.2:53, 10.0.0.3:123

    const HostStats& h1 = host(m, Layer::Ip, "10.0.0.1");
    QCOMPARE(h1.packets, uint64_t(3));
    QCOMPARE(h1.tx_packets, uint64_t(2));
    QCOMPARE(h1.rx_packets, uint64_t(1));
    QCOMPARE(h1.first_ns, int64_t(1'000'000'000));
    QCOMPARE(h1.last_ns, int64_t(3'000'000'000));
    QCOMPARE(h1.bytes, m.totals().bytes); // every packet touches 10.0.0.1
    QCOMPARE(h1.tx_bytes + h1.rx_bytes, h1.bytes);
    QCOMPARE(host(m, Layer::Port, "10.0.0.2:53").packets, uint64_t(2));
    QCOMPARE(host(m, Layer::Ether, "00:11:22:33:44:03").rx_packets, uint64_t(1));
}

void TestTrafficModel::conversationDirectionAndProtocols()
{
    TrafficModel m;
    Fed keep;
    feed(m, keep, udp_frame(9, 2, 1000, 53, 10), 1);
    feed(m, keep, udp_frame(2, 9, 53, 1000, 20), 2);
    feed(m, keep, udp_frame(2, 9, 53, 1000, 20), 3);
    feed(m, keep, udp_frame(9, 2, 4000, 4001, 5), 4);
    const auto& convs = m.layer(Layer::Ip).conversations;
    QCOMPARE(convs.size(), size_t(1));
    const auto& [key, cs] = *convs.begin();
    QCOMPARE(cs.packets, uint64_t(4));
    bool nine_is_a = key.a.to_string() == "10.0.0.9";
    uint64_t nine_to_two = nine_is_a ? cs.a_to_b_packets : cs.b_to_a_packets;
    QCOMPARE(nine_to_two, uint64_t(2));
    QCOMPARE(cs.a_to_b_bytes + cs.b_to_a_bytes, cs.bytes);
    std::map<std::string, uint64_t> protos;
    for (auto [p, n] : cs.protocols.counts)
        protos[std::string(proto_name(p))] = n;
    QCOMPARE(protos["dns"], uint64_t(3));
    QCOMPARE(protos["data"], uint64_t(1));
}

void TestTrafficModel::protocolHierarchyIsCumulative()
{
    TrafficModel m;
    Fed keep;
    feed(m, keep, udp_frame(1, 2, 1000, 53, 10), 1);
    feed(m, keep, udp_frame(1, 2, 1000, 123, 48), 2);
    FrameBuilder arp;
    arp.ether(0x0806).u16(1).u16(0x0800).bytes({6, 4}).u16(1).raw(std::vector<uint8_t>(20, 0));
    feed(m, keep, arp.finish(), 3);
    std::map<std::string, uint64_t> h;
    for (const auto& [path, st] : m.protocol_hierarchy())
        h[path] = st.packets;
    QCOMPARE(h["eth"], uint64_t(3));
    QCOMPARE(h["eth:ipv4"], uint64_t(2));
    QCOMPARE(h["eth:ipv4:udp"], uint64_t(2));
    QCOMPARE(h["eth:ipv4:udp:dns"], uint64_t(1));
    QCOMPARE(h["eth:ipv4:udp:ntp"], uint64_t(1));
    QCOMPARE(h["eth:arp"], uint64_t(1));
    QCOMPARE(h.size(), size_t(6));
}

void TestTrafficModel::ageOutForgetsIdleEntries()
{
    TrafficModel m;
    Fed keep;
    feed(m, keep, udp_frame(1, 2, 1000, 53, 10), 1'000'000'000);
    feed(m, keep, udp_frame(3, 4, 1000, 53, 10), 60'000'000'000);
    m.age_out(30'000'000'000);
    QCOMPARE(m.layer(Layer::Ip).hosts.size(), size_t(2));
    QCOMPARE(m.layer(Layer::Ip).conversations.size(), size_t(1));
    QCOMPARE(m.layer(Layer::Ip).conversations.begin()->first.a.to_string(), std::string("10.0.0.3"));
    QCOMPARE(m.totals().packets, uint64_t(2)); // totals keep counting what was seen
}

void TestTrafficModel::throughputRebinKeepsSums()
{
    ThroughputSeries s(1'000'000, 1 << 16);
    uint64_t bytes = 0;
    for (int i = 0; i < 1000; ++i) {
        int64_t ts = 5'000'000'000 + int64_t(i) * 3'700'000; // every 3.7 ms
        s.add(ts, uint64_t(60 + i % 7), i % 3 ? Proto::Tcp : Proto::Dns);
        bytes += uint64_t(60 + i % 7);
    }
    s.add(4'999'000'000, 100, Proto::Arp); // out of order, before the first packet
    bytes += 100;
    for (int64_t width : {1'000'000LL, 10'000'000LL, 250'000'000LL, 7'000'000'000LL}) {
        auto bins = s.rebin(width, 4'000'000'000, 9'000'000'000);
        uint64_t p = 0, b = 0;
        for (const auto& bin : bins) {
            p += bin.packets;
            b += bin.bytes;
        }
        QCOMPARE(p, uint64_t(1001));
        QCOMPARE(b, bytes);
    }
    auto dns = s.rebin(1'000'000'000, 4'000'000'000, 9'000'000'000, Proto::Dns);
    uint64_t dns_packets = 0;
    for (const auto& bin : dns)
        dns_packets += bin.packets;
    QCOMPARE(dns_packets, uint64_t(334));
    // 1 s bins: the first second [4 s, 5 s) holds only the ARP packet.
    auto secs = s.rebin(1'000'000'000, 4'000'000'000, 9'000'000'000);
    QCOMPARE(secs.size(), size_t(5));
    QCOMPARE(secs[0].packets, uint64_t(1));
}

void TestTrafficModel::throughputCoarsensWithinBudget()
{
    ThroughputSeries s(1'000'000, 1024);
    for (int i = 0; i < 10000; ++i)
        s.add(int64_t(i) * 1'000'000, 1, Proto::Udp); // 10 s of 1 ms bins, budget 1024 bins
    QVERIFY(s.bin_count() <= 1024);
    QVERIFY(s.base_ns() >= 10'000'000 / 1024 * 1000);
    uint64_t p = 0;
    for (const auto& b : s.total())
        p += b.packets;
    QCOMPARE(p, uint64_t(10000));
}

void TestTrafficModel::namesFromDnsCnameChainAndPtr()
{
    TrafficModel m;
    Fed keep;
    std::vector<uint8_t> a_rdata = {93, 184, 216, 34};
    auto answer = test::dns_response(
        "www.example.com", 1,
        {test::dns_rr("www.example.com", 5, test::dns_name("cdn.example.net")),
         test::dns_rr("cdn.example.net", 5, test::dns_name("edge.cdn.example.net")),
         test::dns_rr("edge.cdn.example.net", 1, a_rdata)});
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 17).udp(53, 40000).raw(answer);
    feed(m, keep, b.finish(), 1);
    IpAddress ip;
    QVERIFY(IpAddress::parse("93.184.216.34", ip));
    const auto& names = m.names().names_for(ip);
    QCOMPARE(names.size(), size_t(3));
    QCOMPARE(names[0], std::string("www.example.com")); // what was asked comes first
    QCOMPARE(names[2], std::string("edge.cdn.example.net"));

    auto ptr = test::dns_response("34.216.184.93.in-addr.arpa", 12,
                                  {test::dns_rr("34.216.184.93.in-addr.arpa", 12, test::dns_name("host.example"))});
    FrameBuilder p;
    p.ether(0x0800).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 17).udp(53, 40001).raw(ptr);
    feed(m, keep, p.finish(), 2);
    QCOMPARE(m.names().names_for(ip).back(), std::string("host.example"));
}

void TestTrafficModel::namesFromDhcpTlsHttpAndArp()
{
    TrafficModel m;
    Fed keep;
    // DHCP request from 00:11:22:33:44:07 announcing "laptop-7" and asking for 10.0.0.7.
    std::vector<uint8_t> bootp(240, 0);
    bootp[0] = 1;
    bootp[1] = 1;
    bootp[2] = 6;
    for (int i = 0; i < 6; ++i)
        bootp[size_t(28 + i)] = uint8_t(i == 5 ? 7 : 0x11 * i);
    bootp[236] = 0x63, bootp[237] = 0x82, bootp[238] = 0x53, bootp[239] = 0x63;
    FrameBuilder opts;
    opts.bytes({53, 1, 3}).bytes({12, 8}).text("laptop-7").bytes({50, 4, 10, 0, 0, 7}).bytes({255});
    bootp.insert(bootp.end(), opts.data.begin(), opts.data.end());
    FrameBuilder d;
    d.ether(0x0800, 7, 0xff).ipv4({0, 0, 0, 0}, {255, 255, 255, 255}, 17).udp(68, 67).raw(bootp);
    feed(m, keep, d.finish(), 1);
    IpAddress ip7;
    IpAddress::parse("10.0.0.7", ip7);
    QCOMPARE(m.names().names_for(ip7), std::vector<std::string>{"laptop-7"});

    FrameBuilder t;
    t.ether(0x0800).ipv4({10, 0, 0, 7}, {203, 0, 113, 9}, 6).tcp(50000, 443).raw(test::tls_client_hello("mail.example.org"));
    feed(m, keep, t.finish(), 2);
    IpAddress server;
    IpAddress::parse("203.0.113.9", server);
    QCOMPARE(m.names().names_for(server), std::vector<std::string>{"mail.example.org"});

    FrameBuilder h;
    h.ether(0x0800).ipv4({10, 0, 0, 7}, {203, 0, 113, 10}, 6).tcp(50001, 8080).text(
        "GET /x HTTP/1.1\r\nUser-Agent: t\r\nhOsT: intranet.example:8080\r\n\r\n");
    feed(m, keep, h.finish(), 3);
    IpAddress web;
    IpAddress::parse("203.0.113.10", web);
    QCOMPARE(m.names().names_for(web), std::vector<std::string>{"intranet.example"});

    FrameBuilder a;
    a.ether(0x0806, 9).u16(1).u16(0x0800).bytes({6, 4}).u16(2).bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x09, 10, 0, 0, 9})
        .bytes({0, 0x11, 0x22, 0x33, 0x44, 0x02, 10, 0, 0, 2});
    feed(m, keep, a.finish(), 4);
    IpAddress ip9;
    IpAddress::parse("10.0.0.9", ip9);
    auto mac = m.names().mac_for(ip9);
    QVERIFY(mac.has_value());
    QCOMPARE(mac->to_string(), std::string("00:11:22:33:44:09"));
}

void TestTrafficModel::nonIpCountsOnlyInTotals()
{
    TrafficModel m;
    Fed keep;
    FrameBuilder arp;
    arp.ether(0x0806).u16(1).u16(0x0800).bytes({6, 4}).u16(1).raw(std::vector<uint8_t>(20, 0));
    feed(m, keep, arp.finish(), 1);
    QCOMPARE(m.totals().packets, uint64_t(1));
    QVERIFY(m.layer(Layer::Ip).hosts.empty());
    QCOMPARE(m.layer(Layer::Ether).hosts.size(), size_t(2));
}

QTEST_APPLESS_MAIN(TestTrafficModel)
#include "test_traffic_model.moc"
