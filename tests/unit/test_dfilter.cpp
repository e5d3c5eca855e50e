// The display-filter language on its own: what it accepts, the errors it
// gives (with their position and a suggestion), and that no input, however
// broken, crashes it. Matching over whole captures is test_dfilter_tshark's.
#include "dfilter.h"
#include "display_filter.h"
#include "dissect/engine.h"

#include <QtTest>

#include <random>

using namespace underhood;

class TestDfilter : public QObject {
    Q_OBJECT
private slots:
    void accepts_data()
    {
        QTest::addColumn<QString>("expr");
        for (const char* e :
             {"ip", "!arp", "not udp", "ip.addr == 10.0.0.1", "ip.addr eq 10.0.0.0/8", "ipv6.src == 2001:db8::/32",
              "tcp.port in {80, 443, 8000..8080}", "tcp.flags.syn == 1 and tcp.flags.ack == false",
              "eth.addr == ff:ff:ff:ff:ff:ff", "eth.src == 00-11-22-33-44-55", "eth.dst == 0011.2233.4455",
              "dns.qry.name contains \"exa\\\"mple\"", "http.host matches \"^www\\\\.\"", "frame contains 16:03:01",
              "(ip.ttl < 64 || ip.ttl >= 128) && !(udp)", "tcp.len > 0x10", "ip.id == 0777", "ip.addr === 10.0.0.1",
              "ip.addr !== 10.0.0.1", "ip.addr ~= 10.0.0.1", "tcp xor udp", "frame.time_epoch > 1700000000.5"})
            QTest::newRow(e) << QString::fromUtf8(e);
    }
    void accepts()
    {
        QFETCH(QString, expr);
        WiresharkFilter f;
        std::string error;
        size_t pos = 0;
        QVERIFY2(f.compile(expr.toStdString(), error, pos), error.c_str());
        QVERIFY(!f.empty());
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<QString>("says");
        QTest::addColumn<int>("at");
        QTest::newRow("misspelt") << "ip.adr == 1.2.3.4" << "did you mean 'ip.addr'" << 0;
        QTest::newRow("bpf host") << "host 10.0.0.1 && tcp" << "ip.addr == 10.0.0.1" << 0;
        QTest::newRow("bpf port") << "tcp && port 53" << "tcp.port == 53 || udp.port == 53" << 7;
        QTest::newRow("single =") << "ip.ttl = 64" << "use '=='" << 7;
        QTest::newRow("open paren") << "(ip && tcp" << "without its ')'" << 0;
        QTest::newRow("close paren") << "ip)" << "without its '('" << 2;
        QTest::newRow("missing value") << "ip.ttl ==" << "value is missing" << 9;
        QTest::newRow("wrong type") << "ip.src == ::1" << "not an IPv4 address" << 10;
        QTest::newRow("bad prefix") << "ip.src == 10.0.0.0/33" << "bad prefix length" << 10;
        QTest::newRow("open string") << "http.host == \"abc" << "not closed" << 13;
        QTest::newRow("bad regex") << "http.host matches \"(\"" << "bad regular expression" << 18;
        QTest::newRow("contains on a number") << "ip.ttl contains 1" << "contains applies to" << 7;
        QTest::newRow("empty set") << "tcp.port in {}" << "set is empty" << 9;
        QTest::newRow("backwards range") << "tcp.port in {90..80}" << "ends before it starts" << 13;
        QTest::newRow("slice") << "eth.src[0:3] == 00:11:22" << "slices" << 7;
        QTest::newRow("protocol compared") << "tcp == 1" << "can only be tested alone" << 4;
    }
    void rejects()
    {
        QFETCH(QString, expr);
        QFETCH(QString, says);
        QFETCH(int, at);
        WiresharkFilter f;
        std::string error;
        size_t pos = 9999;
        QVERIFY(!f.compile(expr.toStdString(), error, pos));
        QVERIFY2(QString::fromStdString(error).contains(says), error.c_str());
        QCOMPARE(int(pos), at);
    }

    // Either language, and which one was read.
    void languages()
    {
        DisplayFilter f;
        std::string error;
        QVERIFY(f.compile("ip.addr == 10.0.0.1", {1}, error));
        QCOMPARE(f.language(), DisplayFilter::Language::Wireshark);
        QVERIFY(f.compile("host 10.0.0.1 and tcp port 80", {1}, error));
        QCOMPARE(f.language(), DisplayFilter::Language::Bpf);
        QVERIFY(f.compile("udp", {1}, error, DisplayFilter::Language::Bpf));
        QCOMPARE(f.language(), DisplayFilter::Language::Bpf);
        // Neither: the error of the language it looks written in.
        QVERIFY(!f.compile("ip.addr == 300.1.1.1", {1}, error));
        QVERIFY2(QString::fromStdString(error).contains("not an IPv4 address"), error.c_str());
        QCOMPARE(int(f.error_position()), 11);
        QVERIFY(!f.compile("tcp port", {1}, error));
        QCOMPARE(f.error_position(), std::string::npos); // libpcap's words
    }

    // Random bytes and mutated expressions never crash the parser, and a
    // parsed one matches an empty tree without trouble.
    void survivesGarbage()
    {
        const std::string alphabet = "ipv6.addr tcp.port == != && || ! ( ) { } , .. \" \\ ~ contains matches in 10.0.0.1/8 ::1 0x1f 00:11 true ";
        std::mt19937 rng(7);
        dissect::FieldTree empty;
        int parsed = 0;
        for (int i = 0; i < 20000; ++i) {
            std::string s;
            const int n = int(rng() % 40);
            for (int k = 0; k < n; ++k)
                s += (rng() % 4 == 0) ? char(rng() % 256) : alphabet[rng() % alphabet.size()];
            WiresharkFilter f;
            std::string error;
            size_t pos = 0;
            if (f.compile(s, error, pos)) {
                ++parsed;
                (void)f.matches(empty, {});
            } else {
                QVERIFY(!error.empty());
                QVERIFY(pos <= s.size());
            }
        }
        QVERIFY(parsed > 0);
        // Deep nesting is refused, not a stack overflow.
        WiresharkFilter f;
        std::string error;
        size_t pos = 0;
        QVERIFY(!f.compile(std::string(100000, '!') + "ip", error, pos));
        QVERIFY(!f.compile(std::string(100000, '(') + "ip", error, pos));
    }
};

QTEST_APPLESS_MAIN(TestDfilter)
#include "test_dfilter.moc"
