// The NIC-health record as capture/README.md documents it, written here by
// hand (not by the helper's encoder) into IDB and ISB comments, and read back
// by the capture reader: values, growth since the start record across 32-bit
// wrap-arounds, the IDB options, and garbled records that must be skipped
// without harm.
#include "capture_reader.h"
#include "pcapng_format.h"
#include "pcapng_writer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <random>

using namespace underhood;

namespace {

const std::string kStart = "underhood-nic-health 1\n"
                           "interface=0\n"
                           "time=1700000000000000000\n"
                           "phase=start\n"
                           "driver=ixgbe\n"
                           "driver_version=5.1.0-k\n"
                           "firmware=0x800003e7\n"
                           "bus=0000:03:00.0\n"
                           "speed_mbps=10000\n"
                           "duplex=full\n"
                           "mtu=1500\n"
                           "rx_queues=4\n"
                           "tx_queues=4\n"
                           "offload.gro=1\n"
                           "offload.lro=0\n"
                           "offload.gso=1\n"
                           "offload.tso=1\n"
                           "offload.rx_checksum=1\n"
                           "offload.tx_checksum=1\n"
                           "offload.rx_vlan_strip=1\n"
                           "ring.rx=512\n"
                           "ring.rx_max=4096\n"
                           "rps.rx-0=0\n"
                           "xps.tx-0=1\n"
                           "if.rx_dropped=10\n"
                           "if.rx_missed_errors=4294967290\n"
                           "ethtool.rx_no_buffer_count=7\n"
                           "softnet.0.dropped=1\n"
                           "softnet.0.time_squeeze=100\n"
                           "softnet.1.dropped=0\n"
                           "softnet.1.time_squeeze=4294967295\n";

// Ten seconds later: rx_missed_errors and CPU 1's time_squeeze wrapped their 32 bits.
const std::string kLater = "underhood-nic-health 1\n"
                           "interface=0\n"
                           "time=1700000010000000000\n"
                           "phase=final\n"
                           "driver=ixgbe\n"
                           "speed_mbps=1000\n"
                           "mtu=9000\n"
                           "offload.gro=0\n"
                           "ring.rx=4096\n"
                           "ring.rx_max=4096\n"
                           "if.rx_dropped=25\n"
                           "if.rx_missed_errors=4\n"
                           "ethtool.rx_no_buffer_count=9\n"
                           "ethtool.new_counter_drops=3\n"
                           "softnet.0.dropped=6\n"
                           "softnet.0.time_squeeze=150\n"
                           "softnet.1.dropped=2\n"
                           "softnet.1.time_squeeze=9\n";

std::unique_ptr<CaptureReader> read_all(const QString& path, std::vector<PacketRecord>* packets = nullptr)
{
    std::string err;
    auto r = CaptureReader::open_path(path.toStdString(), err);
    if (!r)
        return nullptr;
    PacketRecord rec;
    while (r->next(rec) == CaptureReader::Status::Packet)
        if (packets)
            packets->push_back(rec);
    return r;
}

const NicHealth::Counter* counter(const std::vector<NicHealth::Counter>& list, const std::string& name)
{
    for (const auto& c : list)
        if (c.name == name)
            return &c;
    return nullptr;
}

} // namespace

class TestNicHealthRecord : public QObject {
    Q_OBJECT
private slots:
    void readsOptionsAndRecords();
    void garbledRecordsAreSkipped();
    void mutatedRecordsNeverCrash();

private:
    QString write(const std::string& idb_comment, const std::vector<std::string>& isb_health);
    QTemporaryDir dir_;
    int files_ = 0;
};

QString TestNicHealthRecord::write(const std::string& idb_comment, const std::vector<std::string>& isb_health)
{
    const QString path = dir_.filePath(QString("h%1.pcapng").arg(files_++));
    PcapngWriter w = PcapngWriter::create(path.toStdString());
    PcapngSectionInfo shb;
    shb.user_appl = "underhood-capture test";
    w.write_section_header(shb);
    PcapngInterfaceInfo idb;
    idb.name = "eth0";
    idb.os = "Linux 6.1.0";
    idb.hardware = "ixgbe 5.1.0-k, firmware 0x800003e7, bus 0000:03:00.0";
    idb.speed_bps = 10000000000ull;
    idb.mac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, 1};
    idb.comment = idb_comment;
    w.write_interface(idb);
    const uint8_t frame[60] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5};
    w.write_packet(0, 1700000001000000000ull, frame);
    for (size_t i = 0; i < isb_health.size(); ++i) {
        PcapngInterfaceStatistics st;
        st.ts_ns = 1700000002000000000ull + i;
        st.ifrecv = 1;
        st.usrdeliv = 1;
        st.health = isb_health[i];
        if (i + 1 == isb_health.size())
            st.comment = pcapng::kFinalStatisticsComment;
        w.write_statistics(st);
    }
    w.close();
    return path;
}

void TestNicHealthRecord::readsOptionsAndRecords()
{
    QVERIFY(dir_.isValid());
    const QString path = write(kStart, {kStart.substr(0, kStart.find("phase=")) + "phase=interval\n", kLater});
    auto r = read_all(path);
    QVERIFY(r);
    QVERIFY(r->warnings().empty());
    QCOMPARE(r->interfaces().size(), size_t(1));
    const CaptureInterface& itf = r->interfaces()[0];
    QCOMPARE(itf.hardware, std::string("ixgbe 5.1.0-k, firmware 0x800003e7, bus 0000:03:00.0"));
    QCOMPARE(itf.os, std::string("Linux 6.1.0"));
    QCOMPARE(itf.speed_bps.value_or(0), uint64_t(10000000000ull));
    QVERIFY(itf.mac && (*itf.mac)[5] == 1);
    QVERIFY(itf.health);
    const NicHealth& s = *itf.health;
    QCOMPARE(int(s.phase), int(NicHealth::Phase::Start));
    QCOMPARE(s.ts_ns, int64_t(1700000000000000000));
    QCOMPARE(s.driver, std::string("ixgbe"));
    QCOMPARE(s.bus, std::string("0000:03:00.0"));
    QCOMPARE(s.speed_mbps.value_or(0), uint64_t(10000));
    QCOMPARE(s.duplex, std::string("full"));
    QCOMPARE(s.mtu.value_or(0), 1500u);
    QCOMPARE(s.rx_queues.value_or(0), 4u);
    QCOMPARE(s.offloads.gro, std::optional<bool>(true));
    QCOMPARE(s.offloads.lro, std::optional<bool>(false));
    QCOMPARE(s.offloads.rx_vlan_strip, std::optional<bool>(true));
    QVERIFY(s.ring && s.ring->rx == 512 && s.ring->rx_max == 4096);
    QCOMPARE(s.rps.size(), size_t(1));
    QCOMPARE(s.xps.front().second, std::string("1"));
    QCOMPARE(s.interface_drops_since_start(), uint64_t(0));
    QCOMPARE(s.softnet.size(), size_t(2));

    QCOMPARE(r->statistics().size(), size_t(2));
    QVERIFY(r->statistics()[0].health);
    QCOMPARE(int(r->statistics()[0].health->phase), int(NicHealth::Phase::Interval));
    QCOMPARE(r->statistics()[0].health->softnet_dropped_since_start(), uint64_t(0));
    const NicHealth& f = *r->statistics()[1].health;
    QCOMPARE(int(f.phase), int(NicHealth::Phase::Final));
    QVERIFY(f.has_start);
    QCOMPARE(f.mtu.value_or(0), 9000u);
    QCOMPARE(f.offloads.gro, std::optional<bool>(false));
    QVERIFY(!f.offloads.lro); // not in this record
    QCOMPARE(counter(f.interface_counters, "rx_dropped")->since_start, uint64_t(15));
    QCOMPARE(counter(f.interface_counters, "rx_missed_errors")->since_start, uint64_t(10)); // wrapped
    QCOMPARE(f.interface_drops_since_start(), uint64_t(25));
    QCOMPARE(counter(f.driver_counters, "rx_no_buffer_count")->since_start, uint64_t(2));
    QCOMPARE(counter(f.driver_counters, "new_counter_drops")->since_start, uint64_t(3)); // new: counts from 0
    QCOMPARE(f.softnet_dropped_since_start(), uint64_t(5 + 2));
    QCOMPARE(f.softnet_time_squeeze_since_start(), uint64_t(50 + 10)); // CPU 1 wrapped
    // The ISB's counters are read as before.
    QCOMPARE(r->statistics()[1].usrdeliv.value_or(0), uint64_t(1));
}

void TestNicHealthRecord::garbledRecordsAreSkipped()
{
    // Not a record (no first line), a record with lying and broken lines,
    // binary junk and NULs: read as far as they make sense, the rest skipped.
    using namespace std::string_literals;
    const std::string junk = "underhood-nic-health 1\nmtu=-5\nmtu=99999999999999\nspeed_mbps=abc\n=x\nnoequals\n"
                             "softnet.x.dropped=1\nsoftnet.3.dropped=\nsoftnet.3=1\nring.rx=12\nif.=4\n"
                             "offload.gro=yes\nethtool.rx_drops=18446744073709551616\n\x01\x02=\xff\xfe\n"
                             "if.rx_dropped=7\0if.rx_fifo_errors=9\n"s;
    const QString path = write("driver=e1000\nphase=start\n", {junk, "underhood-nic-health 2\nmtu=1\n"});
    auto r = read_all(path);
    QVERIFY(r);
    QVERIFY(!r->interfaces()[0].health); // a comment that is not a record
    QCOMPARE(r->statistics().size(), size_t(2));
    const auto& h = r->statistics()[0].health;
    QVERIFY(h);
    QVERIFY(!h->mtu);
    QVERIFY(!h->speed_mbps);
    QVERIFY(!h->offloads.gro);
    QVERIFY(h->ring && h->ring->rx == 12 && h->ring->rx_max == 0);
    QVERIFY(h->driver_counters.empty());
    QVERIFY(h->softnet.empty());
    // A NUL ends the text.
    QCOMPARE(h->interface_counters.size(), size_t(1));
    QCOMPARE(h->interface_counters[0].value, uint64_t(7));
    QVERIFY(!h->has_start);
    QVERIFY(!r->statistics()[1].health); // another version: not ours to read
}

void TestNicHealthRecord::mutatedRecordsNeverCrash()
{
    // Random bytes flipped, cut and inserted in a real record, in the comment
    // and in the blocks around it: the reader survives all of them.
    std::mt19937 rng(16);
    for (int round = 0; round < 300; ++round) {
        std::string a = kStart, b = kLater;
        for (std::string* s : {&a, &b}) {
            const int edits = int(rng() % 8);
            for (int e = 0; e < edits && !s->empty(); ++e) {
                const size_t at = rng() % s->size();
                switch (rng() % 3) {
                case 0: (*s)[at] = char(rng()); break;
                case 1: s->erase(at, rng() % 16); break;
                default: s->insert(at, 1 + rng() % 4, char(rng())); break;
                }
            }
        }
        const QString path = write(a, {b, a});
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        if (round % 2) {
            // Past the section header, so the file is still a pcapng file.
            uint32_t shb = 0;
            std::memcpy(&shb, bytes.constData() + 4, 4);
            for (int e = 0; e < 4; ++e)
                bytes[qsizetype(shb + rng() % (bytes.size() - shb))] = char(rng());
            f.seek(0);
            f.write(bytes);
        }
        f.close();
        auto r = read_all(path);
        QVERIFY(r);
        QFile::remove(path);
    }
}

QTEST_APPLESS_MAIN(TestNicHealthRecord)
#include "test_nic_health_record.moc"
