// Source strings as README.md documents them: files, interfaces, ssh:// and
// pcap-over-ip:// URLs, and the one-line errors for malformed ones.
#include "capture_source.h"

#include <QtTest>

using namespace underhood;

class TestCaptureSource : public QObject {
    Q_OBJECT
private slots:
    void parses_data();
    void parses();
    void offsets();
    void rejects_data();
    void rejects();
};

void TestCaptureSource::parses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("interface");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("fields"); // user|host|port|interface|filter|helper|sensor
    using K = SourceSpec::Kind;
    QTest::newRow("file") << "x.pcapng" << false << int(K::File) << "||||||x.pcapng";
    QTest::newRow("stdin") << "-" << false << int(K::File) << "||||||stdin";
    QTest::newRow("interface") << "eth0" << true << int(K::Interface) << "|||eth0|||eth0";
    QTest::newRow("ssh") << "ssh://sensor.lan/eth1" << true << int(K::Ssh) << "|sensor.lan||eth1|||sensor.lan/eth1";
    QTest::newRow("ssh full") << "ssh://root@10.0.0.2:2222/enp3s0?filter=tcp port 80 && host 10.0.0.9&helper=/opt/uc"
                              << true << int(K::Ssh)
                              << "root|10.0.0.2|2222|enp3s0|tcp port 80 && host 10.0.0.9|/opt/uc|10.0.0.2/enp3s0";
    QTest::newRow("ssh encoded") << "ssh://me@[fe80::1]/eth0?filter=port%2053" << false << int(K::Ssh)
                                 << "me|fe80::1||eth0|port 53||fe80::1/eth0";
    QTest::newRow("pcap-over-ip") << "pcap-over-ip://127.0.0.1:57012" << true << int(K::PcapOverIp)
                                  << "|127.0.0.1|57012||||127.0.0.1:57012";
    QTest::newRow("pcap-over-ip default port") << "pcap-over-ip://sensor" << false << int(K::PcapOverIp)
                                               << "|sensor|57012||||sensor:57012";
}

void TestCaptureSource::parses()
{
    QFETCH(QString, text);
    QFETCH(bool, interface);
    QFETCH(int, kind);
    QFETCH(QString, fields);
    SourceSpec s;
    std::string error;
    QVERIFY2(parse_source(text.toStdString(), interface, s, error), error.c_str());
    QCOMPARE(int(s.kind), kind);
    const QStringList f = fields.split('|');
    QCOMPARE(QString::fromStdString(s.user), f[0]);
    QCOMPARE(QString::fromStdString(s.host), f[1]);
    QCOMPARE(QString::fromStdString(s.port), f[2]);
    QCOMPARE(QString::fromStdString(s.interface), f[3]);
    QCOMPARE(QString::fromStdString(s.filter), f[4]);
    QCOMPARE(QString::fromStdString(s.helper), f[5]);
    QCOMPARE(QString::fromStdString(s.sensor_name()), f[6]);
}

void TestCaptureSource::offsets()
{
    SourceSpec s;
    std::string error;
    QVERIFY(parse_source("ssh://h/eth0?offset=-1.25&filter=port 53", true, s, error));
    QCOMPARE(s.offset_ns, int64_t(-1250000000));
    QCOMPARE(s.filter, std::string("port 53"));
    QVERIFY(parse_source("pcap-over-ip://h:1?offset=0.000000001", true, s, error));
    QCOMPARE(s.offset_ns, int64_t(1));
    QVERIFY(!parse_source("ssh://h/eth0?offset=1e3", true, s, error));
    QVERIFY(!parse_source("pcap-over-ip://h:1?offset=", true, s, error));
    QVERIFY(!parse_source("ssh://h/eth0?offset=90000", true, s, error)); // more than a day
}

void TestCaptureSource::rejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("says");
    QTest::newRow("no interface") << "ssh://host" << "no interface";
    QTest::newRow("option as host") << "ssh://-oProxyCommand=x/eth0" << "not a host name";
    QTest::newRow("shell in interface") << "ssh://host/eth0;reboot" << "not an interface name";
    QTest::newRow("bad port") << "pcap-over-ip://host:99999" << "not a port number";
    QTest::newRow("unknown parameter") << "ssh://host/eth0?count=3" << "unknown parameter 'count'";
    QTest::newRow("unknown scheme") << "http://host/eth0" << "unknown kind of source";
}

void TestCaptureSource::rejects()
{
    QFETCH(QString, text);
    QFETCH(QString, says);
    SourceSpec s;
    std::string error;
    QVERIFY(!parse_source(text.toStdString(), true, s, error));
    QVERIFY2(QString::fromStdString(error).startsWith(text + ": "), error.c_str());
    QVERIFY2(QString::fromStdString(error).contains(says), error.c_str());
    QVERIFY(error.find('\n') == std::string::npos);
}

QTEST_APPLESS_MAIN(TestCaptureSource)
#include "test_capture_source.moc"
