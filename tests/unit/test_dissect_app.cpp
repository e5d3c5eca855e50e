// The protocol engine's name-carrying protocols: DNS, mDNS, LLMNR and DHCP
// fields as Wireshark names and prints them, the tree's labels, and the
// passive names the dissectors (DNS, DHCP, TLS, HTTP, ARP) hand to a
// NameSink — directly and through NameTable on the ingest path. Then the
// same fields against tshark on corpus captures.
#include "packet_builder.h"
#include "test_corpus.h"

#include "capture_reader.h"
#include "dissect/engine.h"
#include "name_table.h"
#include "packet_decoder.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <map>
#include <random>
#include <string>
#include <vector>

using namespace underhood;
using namespace underhood::dissect;
using test::FrameBuilder;

namespace {

// Every call a dissector makes, in order, as text.
class Recorder : public NameSink {
public:
    std::vector<std::string> calls;
    void ip_name(const IpAddress& a, std::string_view name) override
    {
        calls.push_back("ip " + a.to_string() + " " + std::string(name));
    }
    void mac_name(const MacAddress& m, std::string_view name) override
    {
        calls.push_back("mac " + m.to_string() + " " + std::string(name));
    }
    void ip_mac(const IpAddress& a, const MacAddress& m, Binding how) override
    {
        calls.push_back("bind " + a.to_string() + " " + m.to_string() + (how == Binding::Leased ? " leased" : " seen"));
    }
};

struct Result {
    DecodedPacket summary;
    FieldTree tree;
    Recorder names;

    // The first value of a field as tshark -T fields prints it; "" when absent.
    std::string operator[](std::string_view field) const
    {
        const FieldId id = field_by_name(field);
        if (id == kNoField)
            return "<unknown field>";
        const FieldItem* item = tree.first(id);
        return item ? format_value(field_info(id), item->value) : std::string();
    }
    bool has(std::string_view field) const { return tree.first(field_by_name(field)) != nullptr; }
    bool has_label(const std::string& label) const
    {
        for (const FieldItem& i : tree.items)
            if (tree.label_of(i) == label)
                return true;
        return false;
    }
    int count(std::string_view field) const
    {
        const FieldId id = field_by_name(field);
        int n = 0;
        for (const FieldItem& i : tree.items)
            n += i.field == id;
        return n;
    }
};

constexpr uint32_t kEthernet = 1;

Result run(const std::vector<uint8_t>& frame, bool tree = true, bool names = true, uint32_t origlen = 0)
{
    Result r;
    Packet p(Bytes(frame.data(), frame.size()), origlen ? origlen : uint32_t(frame.size()), r.summary);
    p.tree = tree ? &r.tree : nullptr;
    p.names = names ? &r.names : nullptr;
    dissect::dissect(kEthernet, p);
    return r;
}

// What the summary says, to check that the outputs never change it.
std::string summary_text(const DecodedPacket& d, bool with_problem = true)
{
    return d.path_string() + " flags=" + std::to_string(d.flags) + " app=" + std::to_string(int(d.app)) + "@" +
           std::to_string(d.app_offset) + "+" + std::to_string(d.app_length) +
           (with_problem ? std::string(" problem=") + (d.problem ? d.problem : "") : std::string());
}

std::vector<uint8_t> udp_frame(uint16_t sp, uint16_t dp, const std::vector<uint8_t>& payload)
{
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 53}, 17).udp(sp, dp).raw(payload);
    return b.finish();
}

std::vector<uint8_t> dns_query(uint16_t id, const std::string& name, uint16_t type, uint16_t cls = 1)
{
    FrameBuilder b;
    b.u16(id).u16(0x0100).u16(1).u16(0).u16(0).u16(0).raw(test::dns_name(name)).u16(type).u16(cls);
    return b.data;
}

std::vector<uint8_t> bootp(uint8_t op, std::initializer_list<uint8_t> yiaddr, const std::vector<uint8_t>& options)
{
    std::vector<uint8_t> m(240, 0);
    m[0] = op;
    m[1] = 1;
    m[2] = 6;
    m[4] = 0xde, m[5] = 0xad, m[6] = 0xbe, m[7] = 0xef;
    std::copy(yiaddr.begin(), yiaddr.end(), m.begin() + 16);
    const uint8_t mac[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x07};
    std::copy(mac, mac + 6, m.begin() + 28);
    m[236] = 0x63, m[237] = 0x82, m[238] = 0x53, m[239] = 0x63;
    m.insert(m.end(), options.begin(), options.end());
    return m;
}

IpAddress ip(const char* text)
{
    IpAddress a;
    IpAddress::parse(text, a);
    return a;
}

} // namespace

class TestDissectApp : public QObject {
    Q_OBJECT

private slots:
    void dnsQuery();
    void dnsResponseFieldsAndCnameChain();
    void dnsPtrNamesTheAddress();
    void dnsCompressedNames();
    void dnsBadNamesAreBounded();
    void dnsOverTcp();
    void mdnsAndLlmnr();
    void dhcpRequest();
    void dhcpAckLeasesYourAddress();
    void tlsHttpAndArpNames();
    void outputsLeaveTheSummaryAlone();
    void garbageNeverCrashes();
    void nameTableObservesThroughTheEngine();
    void agreesWithTshark();
};

void TestDissectApp::dnsQuery()
{
    const Result r = run(udp_frame(40000, 53, dns_query(0x159b, "api.example.org", 1)));
    QCOMPARE(r["dns"], std::string());
    QVERIFY(r.has("dns"));
    QCOMPARE(r["dns.id"], std::string("0x159b"));
    QCOMPARE(r["dns.flags"], std::string("0x0100"));
    QCOMPARE(r["dns.flags.response"], std::string("0"));
    QCOMPARE(r["dns.flags.opcode"], std::string("0"));
    QVERIFY(!r.has("dns.flags.rcode")); // a query has no reply code
    QCOMPARE(r["dns.count.queries"], std::string("1"));
    QCOMPARE(r["dns.count.answers"], std::string("0"));
    QCOMPARE(r["dns.qry.name"], std::string("api.example.org"));
    QCOMPARE(r["dns.qry.name.len"], std::string("15"));
    QCOMPARE(r["dns.count.labels"], std::string("3"));
    QCOMPARE(r["dns.qry.type"], std::string("1"));
    QCOMPARE(r["dns.qry.class"], std::string("0x0001"));
    QVERIFY(r.has_label("Domain Name System (query)"));
    QVERIFY(r.has_label("Flags: 0x0100 Standard query"));
    QVERIFY(r.has_label("Queries"));
    QVERIFY(r.has_label("api.example.org: type A, class IN"));
    QVERIFY(r.has_label("Type: A (Host Address) (1)"));
    QVERIFY(r.has_label("Class: IN (0x0001)"));
    QVERIFY(r.names.calls.empty()); // a query names nothing
    // The summary is the decoder's: DNS on UDP.
    QCOMPARE(r.summary.path_string(), std::string("eth:ipv4:udp:dns"));
}

void TestDissectApp::dnsResponseFieldsAndCnameChain()
{
    // CNAME records after the address they lead to: the chain is walked once
    // the message is read, the name that was asked first.
    const std::vector<uint8_t> v4 = {93, 184, 216, 34};
    const std::vector<uint8_t> v6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x22};
    auto msg = test::dns_response("www.example.com", 1,
                                  {test::dns_rr("edge.cdn.example.net", 1, v4),
                                   test::dns_rr("www.example.com", 5, test::dns_name("cdn.example.net")),
                                   test::dns_rr("cdn.example.net", 5, test::dns_name("edge.cdn.example.net")),
                                   test::dns_rr("edge.cdn.example.net", 28, v6)});
    const Result r = run(udp_frame(53, 40000, msg));
    QCOMPARE(r["dns.id"], std::string("0x1234"));
    QCOMPARE(r["dns.flags"], std::string("0x8180"));
    QCOMPARE(r["dns.flags.response"], std::string("1"));
    QCOMPARE(r["dns.flags.rcode"], std::string("0"));
    QCOMPARE(r["dns.count.answers"], std::string("4"));
    QCOMPARE(r["dns.resp.name"], std::string("edge.cdn.example.net"));
    QCOMPARE(r["dns.resp.type"], std::string("1"));
    QCOMPARE(r["dns.resp.ttl"], std::string("60"));
    QCOMPARE(r["dns.a"], std::string("93.184.216.34"));
    QCOMPARE(r["dns.aaaa"], std::string("2001:db8::22"));
    QCOMPARE(r["dns.cname"], std::string("cdn.example.net"));
    QCOMPARE(r.count("dns.resp.name"), 4);
    QVERIFY(r.has_label("Domain Name System (response)"));
    QVERIFY(r.has_label("Flags: 0x8180 Standard query response, No error"));
    QVERIFY(r.has_label("Answers"));
    QVERIFY(r.has_label("edge.cdn.example.net: type A, class IN, addr 93.184.216.34"));
    QVERIFY(r.has_label("www.example.com: type CNAME, class IN, cname cdn.example.net"));
    QVERIFY(r.has_label("Time to live: 60 (1 minute)"));
    const std::vector<std::string> want = {
        "ip 93.184.216.34 www.example.com", "ip 93.184.216.34 cdn.example.net",
        "ip 93.184.216.34 edge.cdn.example.net", "ip 2001:db8::22 www.example.com",
        "ip 2001:db8::22 cdn.example.net", "ip 2001:db8::22 edge.cdn.example.net"};
    QCOMPARE(r.names.calls, want);

    // Names only: the same calls without a tree.
    const Result n = run(udp_frame(53, 40000, msg), false, true);
    QCOMPARE(n.names.calls, want);
    QVERIFY(n.tree.items.empty());
}

void TestDissectApp::dnsPtrNamesTheAddress()
{
    auto v4 = test::dns_response("34.216.184.93.in-addr.arpa", 12,
                                 {test::dns_rr("34.216.184.93.in-addr.arpa", 12, test::dns_name("host.example"))});
    const Result r = run(udp_frame(53, 40000, v4));
    QCOMPARE(r["dns.ptr.domain_name"], std::string("host.example"));
    QCOMPARE(r["dns.qry.type"], std::string("12"));
    QCOMPARE(r.names.calls, std::vector<std::string>{"ip 93.184.216.34 host.example"});

    std::string nibbles;
    const char* hex = "20010db8000000000000000000000022";
    for (int i = 31; i >= 0; --i)
        nibbles += std::string(1, hex[i]) + ".";
    const std::string owner = nibbles + "ip6.arpa";
    auto v6 = test::dns_response(owner, 12, {test::dns_rr(owner, 12, test::dns_name("v6.example"))});
    QCOMPARE(run(udp_frame(53, 40000, v6)).names.calls, std::vector<std::string>{"ip 2001:db8::22 v6.example"});

    // Not a reverse name: no address to name.
    auto other = test::dns_response("x.example", 12, {test::dns_rr("x.example", 12, test::dns_name("y.example"))});
    QVERIFY(run(udp_frame(53, 40000, other)).names.calls.empty());
}

void TestDissectApp::dnsCompressedNames()
{
    // The answer's owner points at the question's name (offset 12), its
    // CNAME target at a suffix of it.
    FrameBuilder b;
    b.u16(0x0001).u16(0x8180).u16(1).u16(2).u16(0).u16(0).raw(test::dns_name("a.example.org")).u16(1).u16(1);
    b.bytes({0xC0, 12}).u16(5).u16(1).u32(300).u16(4).bytes({1, 'b', 0xC0, 14});
    b.bytes({1, 'b', 0xC0, 14}).u16(1).u16(1).u32(300).u16(4).bytes({192, 0, 2, 1});
    const Result r = run(udp_frame(53, 40000, b.data));
    QCOMPARE(r["dns.resp.name"], std::string("a.example.org"));
    QCOMPARE(r["dns.cname"], std::string("b.example.org"));
    QCOMPARE(r["dns.a"], std::string("192.0.2.1"));
    QVERIFY(r.has_label("Time to live: 300 (5 minutes)"));
    const std::vector<std::string> want = {"ip 192.0.2.1 a.example.org", "ip 192.0.2.1 b.example.org"};
    QCOMPARE(r.names.calls, want);
}

void TestDissectApp::dnsBadNamesAreBounded()
{
    const auto response = [](const std::vector<uint8_t>& qname) {
        FrameBuilder b;
        b.u16(7).u16(0x8180).u16(1).u16(1).u16(0).u16(0).raw(qname).u16(1).u16(1);
        b.bytes({0xC0, 12}).u16(1).u16(1).u32(60).u16(4).bytes({192, 0, 2, 7});
        return b.data;
    };
    // A pointer to itself, a pointer loop of two, a pointer past the end, a
    // label past the end, an obsolete label type.
    const std::vector<std::vector<uint8_t>> bad = {
        {0xC0, 12}, {1, 'a', 0xC0, 14, 0xC0, 12}, {0xC0, 0xFF}, {40, 'a', 'b'}, {0x41, 'a', 0}};
    for (const auto& name : bad) {
        const Result r = run(udp_frame(53, 40000, response(name)));
        QVERIFY(r.has("dns.id"));
        QVERIFY(!r.has("dns.qry.name"));
        QVERIFY(r.names.calls.empty()); // the records cannot be found without the question
        bool noted = false;
        for (const FieldItem& i : r.tree.items)
            noted = noted || i.label.find("Malformed") != std::string::npos;
        QVERIFY(noted);
    }
    // Longer than 255 characters through pointers: rejected, not grown.
    FrameBuilder b;
    b.u16(7).u16(0x8180).u16(1).u16(0).u16(0).u16(0);
    std::vector<uint8_t> labels;
    for (int i = 0; i < 5; ++i) {
        labels.push_back(63);
        labels.insert(labels.end(), 63, uint8_t('x'));
    }
    labels.push_back(0);
    b.raw(labels).u16(1).u16(1);
    const Result r = run(udp_frame(53, 40000, b.data));
    QVERIFY(!r.has("dns.qry.name"));
}

void TestDissectApp::dnsOverTcp()
{
    auto msg = test::dns_response("tcp.example", 1, {test::dns_rr("tcp.example", 1, {198, 51, 100, 5})});
    FrameBuilder seg;
    seg.u16(uint16_t(msg.size())).raw(msg);
    auto second = test::dns_response("two.example", 1, {test::dns_rr("two.example", 1, {198, 51, 100, 6})});
    seg.u16(uint16_t(second.size())).raw(second);
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 6).tcp(53, 40000).raw(seg.data);
    const Result r = run(b.finish());
    QCOMPARE(r["dns.length"], std::to_string(msg.size()));
    QCOMPARE(r["dns.qry.name"], std::string("tcp.example"));
    QCOMPARE(r.count("dns"), 2);
    const std::vector<std::string> want = {"ip 198.51.100.5 tcp.example", "ip 198.51.100.6 two.example"};
    QCOMPARE(r.names.calls, want);
}

void TestDissectApp::mdnsAndLlmnr()
{
    // mDNS: its own protocol, the same dns.* fields; the top bit of the
    // class is "QU" in a question and "cache flush" in a record.
    FrameBuilder q;
    q.u16(0).u16(0).u16(1).u16(0).u16(0).u16(0).raw(test::dns_name("printer.local")).u16(1).u16(0x8001);
    const Result m = run(udp_frame(5353, 5353, q.data));
    QVERIFY(m.has("mdns"));
    QVERIFY(!m.has("dns"));
    QCOMPARE(m["dns.qry.name"], std::string("printer.local"));
    QCOMPARE(m["dns.qry.class"], std::string("0x0001"));
    QCOMPARE(m["dns.qry.qu"], std::string("1"));
    QVERIFY(m.has_label("Multicast Domain Name System (query)"));
    QVERIFY(m.has_label("printer.local: type A, class IN, \"QU\" question"));

    FrameBuilder a;
    a.u16(0).u16(0x8400).u16(0).u16(1).u16(0).u16(0);
    a.raw(test::dns_name("printer.local")).u16(1).u16(0x8001).u32(120).u16(4).bytes({192, 168, 1, 40});
    const Result ma = run(udp_frame(5353, 5353, a.data));
    QCOMPARE(ma["dns.resp.cache_flush"], std::string("1"));
    QCOMPARE(ma["dns.a"], std::string("192.168.1.40"));
    QCOMPARE(ma.names.calls, std::vector<std::string>{"ip 192.168.1.40 printer.local"});
    QCOMPARE(ma.summary.app, Proto::Mdns);

    const Result l = run(udp_frame(5355, 50000, a.data));
    QVERIFY(l.has("llmnr"));
    QVERIFY(l.has_label("Link-local Multicast Name Resolution (response)"));
    QCOMPARE(l["dns.flags.conflict"], std::string("1"));
    QCOMPARE(l.names.calls, std::vector<std::string>{"ip 192.168.1.40 printer.local"});
}

void TestDissectApp::dhcpRequest()
{
    // A request from 00:11:22:33:44:07 announcing "laptop-7" and asking for 10.0.0.7.
    FrameBuilder o;
    o.bytes({53, 1, 3}).bytes({12, 8}).text("laptop-7").bytes({50, 4, 10, 0, 0, 7}).bytes({55, 2, 1, 3}).bytes({255});
    FrameBuilder b;
    b.ether(0x0800, 7, 0xff).ipv4({0, 0, 0, 0}, {255, 255, 255, 255}, 17).udp(68, 67).raw(bootp(1, {0, 0, 0, 0}, o.data));
    const Result r = run(b.finish());
    QVERIFY(r.has("dhcp"));
    QCOMPARE(r["dhcp.type"], std::string("1"));
    QCOMPARE(r["dhcp.hw.type"], std::string("0x01"));
    QCOMPARE(r["dhcp.id"], std::string("0xdeadbeef"));
    QCOMPARE(r["dhcp.hw.mac_addr"], std::string("00:11:22:33:44:07"));
    QCOMPARE(r["dhcp.ip.client"], std::string("0.0.0.0"));
    QCOMPARE(r["dhcp.ip.your"], std::string("0.0.0.0"));
    QCOMPARE(r["dhcp.option.dhcp"], std::string("3"));
    QCOMPARE(r["dhcp.option.hostname"], std::string("laptop-7"));
    QCOMPARE(r["dhcp.option.requested_ip_address"], std::string("10.0.0.7"));
    QCOMPARE(r.count("dhcp.option.request_list_item"), 2);
    QCOMPARE(r["dhcp.option.end"], std::string("255"));
    QVERIFY(r.has_label("Dynamic Host Configuration Protocol (Request)"));
    QVERIFY(r.has_label("Option: (53) DHCP Message Type (Request)"));
    QVERIFY(r.has_label("DHCP: Request (3)"));
    QVERIFY(r.has_label("Server host name not given"));
    const std::vector<std::string> want = {"mac 00:11:22:33:44:07 laptop-7", "ip 10.0.0.7 laptop-7",
                                           "bind 10.0.0.7 00:11:22:33:44:07 leased"};
    QCOMPARE(r.names.calls, want);
}

void TestDissectApp::dhcpAckLeasesYourAddress()
{
    FrameBuilder o;
    o.bytes({53, 1, 5}).bytes({54, 4, 10, 0, 0, 1}).bytes({51, 4, 0, 0, 0x0e, 0x10}).bytes({1, 4, 255, 255, 255, 0});
    o.bytes({0, 0, 0}).bytes({255});
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 7}, 17).udp(67, 68).raw(bootp(2, {10, 0, 0, 7}, o.data));
    const Result r = run(b.finish());
    QCOMPARE(r["dhcp.type"], std::string("2"));
    QCOMPARE(r["dhcp.ip.your"], std::string("10.0.0.7"));
    QCOMPARE(r["dhcp.option.dhcp"], std::string("5"));
    QCOMPARE(r["dhcp.option.dhcp_server_id"], std::string("10.0.0.1"));
    QCOMPARE(r["dhcp.option.ip_address_lease_time"], std::string("3600"));
    QCOMPARE(r["dhcp.option.subnet_mask"], std::string("255.255.255.0"));
    QVERIFY(r.has("dhcp.option.padding"));
    QCOMPARE(r.names.calls, std::vector<std::string>{"bind 10.0.0.7 00:11:22:33:44:07 leased"});

    // An offer of the same address binds nothing yet.
    FrameBuilder offer;
    offer.bytes({53, 1, 2}).bytes({255});
    FrameBuilder f;
    f.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 7}, 17).udp(67, 68).raw(bootp(2, {10, 0, 0, 7}, offer.data));
    QVERIFY(run(f.finish()).names.calls.empty());

    // Without the magic cookie it is BOOTP: fields, no names.
    auto plain = bootp(1, {10, 0, 0, 9}, {});
    plain[236] = 0;
    FrameBuilder p;
    p.ether(0x0800).ipv4({10, 0, 0, 9}, {10, 0, 0, 1}, 17).udp(68, 67).raw(plain);
    const Result pr = run(p.finish());
    QCOMPARE(pr["dhcp.ip.your"], std::string("10.0.0.9"));
    QVERIFY(!pr.has("dhcp.option.dhcp"));
    QVERIFY(pr.names.calls.empty());
}

void TestDissectApp::tlsHttpAndArpNames()
{
    FrameBuilder t;
    t.ether(0x0800).ipv4({10, 0, 0, 7}, {203, 0, 113, 9}, 6).tcp(50000, 443).raw(test::tls_client_hello("mail.example.org"));
    const Result tr = run(t.finish());
    QCOMPARE(tr["tls.handshake.extensions_server_name"], std::string("mail.example.org"));
    QCOMPARE(tr.names.calls, std::vector<std::string>{"ip 203.0.113.9 mail.example.org"});
    QCOMPARE(run(t.finish(), false, true).names.calls, tr.names.calls);

    const auto http = [](const std::string& text) {
        FrameBuilder h;
        h.ether(0x0800).ipv4({10, 0, 0, 7}, {203, 0, 113, 10}, 6).tcp(50001, 8080).text(text);
        return run(h.finish());
    };
    const Result h = http("GET /x HTTP/1.1\r\nUser-Agent: t\r\nhOsT: intranet.example:8080\r\n\r\n");
    QCOMPARE(h["http.host"], std::string("intranet.example:8080"));
    QCOMPARE(h.names.calls, std::vector<std::string>{"ip 203.0.113.10 intranet.example"});
    // Bare LF line ends; a bracketed IPv6 literal is kept whole, port and all.
    QCOMPARE(http("GET / HTTP/1.0\nHost: [2001:db8::1]:80\n\n").names.calls,
             std::vector<std::string>{"ip 203.0.113.10 [2001:db8::1]:80"});
    // A Host after the blank line is body, not a header.
    QVERIFY(http("GET / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: body.example\r\n").names.calls.empty());

    FrameBuilder a;
    a.ether(0x0806, 9).u16(1).u16(0x0800).bytes({6, 4}).u16(2).bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x09, 10, 0, 0, 9})
        .bytes({0, 0x11, 0x22, 0x33, 0x44, 0x02, 10, 0, 0, 2});
    QCOMPARE(run(a.finish()).names.calls, std::vector<std::string>{"bind 10.0.0.9 00:11:22:33:44:09 seen"});
    // An ARP probe (sender 0.0.0.0) binds nothing.
    FrameBuilder probe;
    probe.ether(0x0806, 9).u16(1).u16(0x0800).bytes({6, 4}).u16(1).bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x09, 0, 0, 0, 0})
        .bytes({0, 0, 0, 0, 0, 0, 10, 0, 0, 9});
    QVERIFY(run(probe.finish()).names.calls.empty());
}

void TestDissectApp::outputsLeaveTheSummaryAlone()
{
    FrameBuilder dhcp;
    dhcp.ether(0x0800).ipv4({0, 0, 0, 0}, {255, 255, 255, 255}, 17).udp(68, 67).raw(bootp(1, {0, 0, 0, 0}, {53, 1, 1, 255}));
    FrameBuilder tcpdns;
    tcpdns.ether(0x0800).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 6).tcp(53, 40000).u16(400).raw(dns_query(1, "cut.example", 1));
    const std::vector<std::vector<uint8_t>> frames = {
        udp_frame(40000, 53, dns_query(1, "a.example", 28)),
        udp_frame(53, 40000, test::dns_response("b.example", 1, {test::dns_rr("b.example", 1, {1, 2, 3, 4})})),
        udp_frame(53, 40000, {0x00, 0x01, 0x80}), dhcp.finish(), tcpdns.finish()};
    for (const auto& f : frames) {
        // Every prefix, as if the capture had cut it there.
        for (size_t n = 14; n <= f.size(); ++n) {
            const std::vector<uint8_t> cut(f.begin(), f.begin() + long(n));
            const std::string plain = summary_text(run(cut, false, false, uint32_t(f.size())).summary);
            QCOMPARE(summary_text(run(cut, true, true, uint32_t(f.size())).summary), plain);
            QCOMPARE(summary_text(run(cut, false, true, uint32_t(f.size())).summary), plain);
            DecodedPacket old;
            decode_packet(kEthernet, Bytes(cut.data(), cut.size()), uint32_t(f.size()), old);
            QCOMPARE(summary_text(run(cut, true, true, uint32_t(f.size())).summary, false), summary_text(old, false));
        }
    }
}

void TestDissectApp::garbageNeverCrashes()
{
    // Random payloads on every name-carrying port, with every output: the
    // reads stay inside the frame and nothing throws.
    std::mt19937 rng(20261206);
    const uint16_t ports[] = {53, 5353, 5355, 67, 68};
    size_t fields = 0;
    for (int i = 0; i < 3000; ++i) {
        std::vector<uint8_t> payload(rng() % 400);
        for (uint8_t& b : payload)
            b = uint8_t(rng());
        if (i % 3 == 0 && payload.size() > 12)
            payload[12] = 0xC0; // names that are pointers
        const uint16_t port = ports[size_t(i) % std::size(ports)];
        FrameBuilder b;
        if (i % 4 == 1)
            b.ether(0x0800).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 6).tcp(port, 40000).raw(payload);
        else
            b.ether(0x0800).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 17).udp(port, 40000).raw(payload);
        const auto frame = b.finish();
        const Result r = run(frame);
        for (const FieldItem& item : r.tree.items)
            QVERIFY(size_t(item.offset) + item.length <= frame.size());
        fields += r.tree.items.size();
    }
    QVERIFY(fields > 0);
}

void TestDissectApp::nameTableObservesThroughTheEngine()
{
    // The ingest path: the decoder's summary, then NameTable::observe runs
    // the engine's dissector for the summary's protocol only.
    NameTable table;
    const auto feed = [&table](const std::vector<uint8_t>& frame) {
        DecodedPacket dp;
        decode_packet(kEthernet, Bytes(frame.data(), frame.size()), uint32_t(frame.size()), dp);
        table.observe(Bytes(frame.data(), frame.size()), dp);
    };
    FrameBuilder o;
    o.bytes({53, 1, 3}).bytes({12, 8}).text("laptop-7").bytes({50, 4, 10, 0, 0, 7}).bytes({255});
    FrameBuilder d;
    d.ether(0x0800, 7, 0xff).ipv4({0, 0, 0, 0}, {255, 255, 255, 255}, 17).udp(68, 67).raw(bootp(1, {0, 0, 0, 0}, o.data));
    feed(d.finish());
    QCOMPARE(table.names_for(ip("10.0.0.7")), std::vector<std::string>{"laptop-7"});
    MacAddress mac;
    mac.bytes = {0x00, 0x11, 0x22, 0x33, 0x44, 0x07};
    QCOMPARE(table.names_for(mac), std::vector<std::string>{"laptop-7"});
    QCOMPARE(table.mac_for(ip("10.0.0.7"))->to_string(), std::string("00:11:22:33:44:07"));

    // The ACK for another address of the same client: the MAC's names follow.
    FrameBuilder ack;
    ack.bytes({53, 1, 5}).bytes({255});
    FrameBuilder a;
    a.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 8}, 17).udp(67, 68).raw(bootp(2, {10, 0, 0, 8}, ack.data));
    feed(a.finish());
    QCOMPARE(table.names_for(ip("10.0.0.8")), std::vector<std::string>{"laptop-7"});

    // DNS over TCP through the decoder's summary; at most kMaxNamesPerAddress names.
    std::vector<std::vector<uint8_t>> answers;
    for (int i = 0; i < 12; ++i)
        answers.push_back(test::dns_rr("n" + std::to_string(i) + ".example", 1, {198, 51, 100, 77}));
    auto msg = test::dns_response("n0.example", 1, answers);
    FrameBuilder seg;
    seg.ether(0x0800).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 6).tcp(53, 40000).u16(uint16_t(msg.size())).raw(msg);
    feed(seg.finish());
    const auto& names = table.names_for(ip("198.51.100.77"));
    QCOMPARE(names.size(), NameTable::kMaxNamesPerAddress);
    QCOMPARE(names.front(), std::string("n0.example"));

    // DNS inside VXLAN: the summary's ports are the tunnel's.
    FrameBuilder vx;
    vx.ether(0x0800).ipv4({10, 1, 0, 1}, {10, 1, 0, 2}, 17).udp(50000, 4789).bytes({0x08, 0, 0, 0, 0, 0, 1, 0});
    vx.ether(0x0800).ipv4({10, 0, 0, 53}, {10, 0, 0, 1}, 17).udp(53, 40000);
    vx.raw(test::dns_response("tunnel.example", 1, {test::dns_rr("tunnel.example", 1, {198, 51, 100, 99})}));
    feed(vx.finish());
    QCOMPARE(table.names_for(ip("198.51.100.99")), std::vector<std::string>{"tunnel.example"});

    // Packets that carry no names leave the table as it was.
    const size_t before = table.size();
    FrameBuilder other;
    other.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17).udp(40000, 123).raw(std::vector<uint8_t>(48, 0));
    feed(other.finish());
    QCOMPARE(table.size(), before);
}

namespace {

// The fields compared with tshark, first occurrence of each.
const char* const kTsharkFields[] = {
    "dns.id",           "dns.flags",           "dns.flags.response",
    "dns.flags.opcode", "dns.flags.rcode",     "dns.count.queries",
    "dns.count.answers", "dns.qry.name",       "dns.qry.type",
    "dns.qry.class",    "dns.resp.name",       "dns.resp.type",
    "dns.resp.ttl",     "dns.a",               "dns.aaaa",
    "dns.cname",        "dns.ptr.domain_name", "dhcp.type",
    "dhcp.hw.mac_addr", "dhcp.ip.client",      "dhcp.ip.your",
    "dhcp.option.dhcp", "dhcp.option.hostname", "dhcp.option.requested_ip_address",
};

// Packets where we knowingly differ from tshark, each with the reason.
const std::map<std::string, const char*> kKnownDifferences = {
    {"dns_fwdptr.pcap#1", "a crafted question name of compression pointers: tshark shows <Name too long> and reads "
                          "on where the name stands; the engine stops at the malformed name"},
};

} // namespace

void TestDissectApp::agreesWithTshark()
{
    const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    if (tshark.isEmpty())
        QSKIP("tshark is not installed");
    const QString dir = corpusDir() + QStringLiteral("/tcpdump/");
    const QStringList files = {
        dir + "dns_udp.pcap",          dir + "dns_udp_2.pcap",   dir + "dnssec.pcap",
        dir + "dns-badvers.pcap",      dir + "dns_fwdptr.pcap",  dir + "dhcp-rfc4388.pcap",
        dir + "dhcp-rfc5859.pcap",     dir + "dhcp-option-33.pcap", dir + "eapon1.pcap",
        QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng"),
    };
    if (!QFile::exists(files.front()))
        QSKIP("the shared corpus (corpus/tcpdump) is absent");

    size_t compared = 0, agreed = 0, packets = 0, known = 0;
    QStringList differences;
    for (const QString& path : files) {
        if (!QFile::exists(path))
            continue;
        QStringList args = {"-r", path, "-n", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
                            "-e", "frame.number"};
        for (const char* f : kTsharkFields)
            args << "-e" << f;
        QProcess proc;
        proc.start(tshark, args);
        QVERIFY2(proc.waitForFinished(120000), qPrintable(path));
        const QList<QByteArray> lines = proc.readAllStandardOutput().split('\n');

        std::string error;
        auto reader = CaptureReader::open_path(QFile::encodeName(path).toStdString(), error);
        QVERIFY2(reader, error.c_str());
        Streams streams;
        PacketRecord rec;
        int line = 0;
        while (reader->next(rec) == CaptureReader::Status::Packet) {
            DecodedPacket summary;
            Packet p(rec.data, rec.origlen, summary);
            FieldTree tree;
            Recorder names;
            p.tree = &tree;
            p.streams = &streams;
            p.names = &names;
            p.frame_number = rec.number;
            dissect::dissect(rec.link_type, p);
            QVERIFY2(line < lines.size(), qPrintable(path));
            const QList<QByteArray> theirs = lines[line++].split('\t');
            if (theirs.size() != int(std::size(kTsharkFields)) + 1)
                continue;
            const std::string key = QFileInfo(path).fileName().toStdString() + "#" + std::to_string(rec.number);
            if (kKnownDifferences.count(key)) {
                ++known;
                continue;
            }
            bool any = false;
            for (size_t i = 0; i < std::size(kTsharkFields); ++i) {
                const FieldId id = field_by_name(kTsharkFields[i]);
                QVERIFY2(id != kNoField, kTsharkFields[i]);
                const FieldItem* item = tree.first(id);
                const QString ours =
                    item ? QString::fromStdString(format_value(field_info(id), item->value)) : QString();
                const QString want = QString::fromUtf8(theirs[int(i) + 1]);
                if (ours.isEmpty() && want.isEmpty())
                    continue;
                any = true;
                ++compared;
                if (ours == want)
                    ++agreed;
                else
                    differences << QStringLiteral("%1 #%2 %3: ours '%4', tshark '%5'")
                                       .arg(QFileInfo(path).fileName())
                                       .arg(rec.number)
                                       .arg(kTsharkFields[i], ours, want);
            }
            packets += any;
        }
    }
    qInfo("tshark agreement: %zu of %zu values in %zu packets (%zu known differences skipped)", agreed, compared,
          packets, known);
    for (const QString& d : differences.mid(0, 40))
        qInfo("%s", qPrintable(d));
    QVERIFY(compared > 100);
    QCOMPARE(differences.size(), 0);
}

QTEST_GUILESS_MAIN(TestDissectApp)
#include "test_dissect_app.moc"
