// CaptureReader's contract, on captures the test writes itself: pcap in both
// time-stamp precisions and byte orders, truncation, inputs that are not
// captures, reading through a pipe, and the pcapng blocks and options the
// architecture promises (EPB/SPB/OPB, if_tsresol, several sections of either
// byte order, ISBs, unknown blocks, comments).
#include "capture_reader.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace underhood;

namespace {

using Blob = std::vector<uint8_t>;

// Appends fields in one byte order.
struct Writer {
    bool big = false;
    Blob out;

    void u8(uint8_t v) { out.push_back(v); }
    void u16(uint16_t v)
    {
        for (int i = 0; i < 2; ++i)
            u8(uint8_t(v >> (big ? 8 * (1 - i) : 8 * i)));
    }
    void u32(uint32_t v)
    {
        for (int i = 0; i < 4; ++i)
            u8(uint8_t(v >> (big ? 8 * (3 - i) : 8 * i)));
    }
    void u64(uint64_t v)
    {
        big ? (u32(uint32_t(v >> 32)), u32(uint32_t(v))) : (u32(uint32_t(v)), u32(uint32_t(v >> 32)));
    }
    void bytes(const Blob& b) { out.insert(out.end(), b.begin(), b.end()); }
    void pad4()
    {
        while (out.size() % 4)
            u8(0);
    }
};

Blob text(const std::string& s) { return Blob(s.begin(), s.end()); }

Blob u64_blob(uint64_t v, bool big)
{
    Writer w{big, {}};
    w.u64(v);
    return w.out;
}

// isb_starttime and isb_endtime: two 32-bit words, the high one first, each
// in the section's byte order (the layout of an EPB time stamp).
Blob ts_blob(uint64_t ts, bool big)
{
    Writer w{big, {}};
    w.u32(uint32_t(ts >> 32));
    w.u32(uint32_t(ts));
    return w.out;
}

struct Option {
    uint16_t code;
    Blob value;
};

// Builds a pcapng stream: one Writer per section, blocks appended in order.
class Pcapng {
public:
    void section(bool big, const std::vector<Option>& options = {})
    {
        big_ = big;
        Writer body{big, {}};
        body.u32(0x1A2B3C4D);
        body.u16(1);
        body.u16(0);
        body.u64(~uint64_t(0)); // section length unknown
        add_options(body, options);
        block(0x0A0D0D0A, body.out);
    }
    void interface(uint16_t link_type, uint32_t snaplen, const std::vector<Option>& options = {})
    {
        Writer body{big_, {}};
        body.u16(link_type);
        body.u16(0);
        body.u32(snaplen);
        add_options(body, options);
        block(1, body.out);
    }
    void epb(uint32_t itf, uint64_t ts, const Blob& data, uint32_t origlen, const std::vector<Option>& options = {})
    {
        Writer body{big_, {}};
        body.u32(itf);
        body.u32(uint32_t(ts >> 32));
        body.u32(uint32_t(ts));
        body.u32(uint32_t(data.size()));
        body.u32(origlen);
        body.bytes(data);
        body.pad4();
        add_options(body, options);
        block(6, body.out);
    }
    void opb(uint16_t itf, uint64_t ts, const Blob& data, uint32_t origlen, const std::vector<Option>& options = {})
    {
        Writer body{big_, {}};
        body.u16(itf);
        body.u16(0); // drops count
        body.u32(uint32_t(ts >> 32));
        body.u32(uint32_t(ts));
        body.u32(uint32_t(data.size()));
        body.u32(origlen);
        body.bytes(data);
        body.pad4();
        add_options(body, options);
        block(2, body.out);
    }
    void spb(const Blob& data, uint32_t origlen)
    {
        Writer body{big_, {}};
        body.u32(origlen);
        body.bytes(data);
        body.pad4();
        block(3, body.out);
    }
    void isb(uint32_t itf, uint64_t ts, const std::vector<Option>& options = {})
    {
        Writer body{big_, {}};
        body.u32(itf);
        body.u32(uint32_t(ts >> 32));
        body.u32(uint32_t(ts));
        add_options(body, options);
        block(5, body.out);
    }
    void block(uint32_t type, const Blob& body_in)
    {
        Writer w{big_, {}};
        Blob body = body_in;
        while (body.size() % 4)
            body.push_back(0);
        w.u32(type);
        w.u32(uint32_t(body.size() + 12));
        w.bytes(body);
        w.u32(uint32_t(body.size() + 12));
        data_.insert(data_.end(), w.out.begin(), w.out.end());
    }
    size_t size() const { return data_.size(); }
    const Blob& data() const { return data_; }
    bool big() const { return big_; }

private:
    void add_options(Writer& w, const std::vector<Option>& options)
    {
        if (options.empty())
            return;
        for (const Option& o : options) {
            w.u16(o.code);
            w.u16(uint16_t(o.value.size()));
            w.bytes(o.value);
            w.pad4();
        }
        w.u32(0); // opt_endofopt
    }
    bool big_ = false;
    Blob data_;
};

constexpr uint32_t kMagicUsec = 0xa1b2c3d4;
constexpr uint32_t kMagicNsec = 0xa1b23c4d;

Blob pcap_header(uint32_t magic, bool big, uint32_t snaplen, uint32_t link_type)
{
    Writer w{big, {}};
    w.u32(magic);
    w.u16(2);
    w.u16(4);
    w.u32(0);
    w.u32(0);
    w.u32(snaplen);
    w.u32(link_type);
    return w.out;
}

void pcap_record(Blob& file, bool big, uint32_t sec, uint32_t frac, const Blob& data, uint32_t origlen)
{
    Writer w{big, {}};
    w.u32(sec);
    w.u32(frac);
    w.u32(uint32_t(data.size()));
    w.u32(origlen);
    w.bytes(data);
    file.insert(file.end(), w.out.begin(), w.out.end());
}

Blob payload(size_t n, uint8_t seed)
{
    Blob b(n);
    for (size_t i = 0; i < n; ++i)
        b[i] = uint8_t(seed + i * 7);
    return b;
}

// A packet as read, copied out of the reader's buffer.
struct Packet {
    uint64_t number = 0;
    uint64_t file_offset = 0;
    uint32_t interface_id = 0;
    uint32_t link_type = 0;
    int64_t ts_ns = 0;
    bool has_timestamp = false;
    uint32_t caplen = 0;
    uint32_t origlen = 0;
    Blob data;
    std::string comment;
    bool operator==(const Packet&) const = default;
};

struct ReadResult {
    std::unique_ptr<CaptureReader> reader;
    std::string open_error;
    std::vector<Packet> packets;
    CaptureReader::Status last = CaptureReader::Status::End;
};

ReadResult read_all(std::unique_ptr<CaptureReader> reader, std::string open_error = {})
{
    ReadResult r;
    r.reader = std::move(reader);
    r.open_error = std::move(open_error);
    if (!r.reader)
        return r;
    PacketRecord rec;
    while ((r.last = r.reader->next(rec)) == CaptureReader::Status::Packet) {
        Packet p;
        p.number = rec.number;
        p.file_offset = rec.file_offset;
        p.interface_id = rec.interface_id;
        p.link_type = rec.link_type;
        p.ts_ns = rec.ts_ns;
        p.has_timestamp = rec.has_timestamp;
        p.caplen = rec.caplen;
        p.origlen = rec.origlen;
        p.data.assign(rec.data.begin(), rec.data.end());
        p.comment = std::string(rec.comment);
        r.packets.push_back(std::move(p));
    }
    return r;
}

class Files {
public:
    QString write(const QString& name, const Blob& data)
    {
        const QString path = dir_.filePath(name);
        FILE* f = std::fopen(path.toLocal8Bit().constData(), "wb");
        if (!f)
            return {};
        const bool ok = data.empty() || std::fwrite(data.data(), 1, data.size(), f) == data.size();
        std::fclose(f);
        return ok ? path : QString();
    }
    bool valid() const { return dir_.isValid(); }

private:
    QTemporaryDir dir_;
};

ReadResult read_file(const QString& path)
{
    std::string error;
    auto reader = CaptureReader::open_path(path.toStdString(), error);
    return read_all(std::move(reader), error);
}

// Feeds `data` through a pipe from another thread, in uneven pieces, so the
// reader sees short reads, records split across reads and a buffer that has
// to grow.
ReadResult read_through_pipe(const Blob& data)
{
    int fds[2];
    if (pipe(fds) != 0)
        return {};
    std::thread writer([fd = fds[1], &data] {
        static const size_t pieces[] = {1, 3, 7, 4093, 65536, 13, 1 << 20, 24, 100000};
        size_t off = 0, i = 0;
        while (off < data.size()) {
            size_t n = std::min(pieces[i++ % std::size(pieces)], data.size() - off);
            ssize_t got = ::write(fd, data.data() + off, n);
            if (got <= 0)
                break;
            off += size_t(got);
        }
        ::close(fd);
    });
    std::string error;
    auto reader = CaptureReader::open(std::make_unique<StreamInput>(fds[0], true), "pipe", error);
    ReadResult r = read_all(std::move(reader), error);
    if (!r.reader) {
        // Drain so the writer finishes.
        char sink[4096];
        while (::read(fds[0], sink, sizeof sink) > 0) {
        }
        ::close(fds[0]);
    }
    writer.join();
    return r;
}

bool any_warning_contains(const CaptureReader& r, const std::string& needle)
{
    for (const std::string& w : r.warnings())
        if (w.find(needle) != std::string::npos)
            return true;
    return false;
}

QString warnings_text(const CaptureReader& r)
{
    QString s;
    for (const std::string& w : r.warnings())
        s += QString::fromStdString(w) + QLatin1String(" | ");
    return s;
}

} // namespace

class TestPcapPcapngReader : public QObject {
    Q_OBJECT

private slots:
    void pcapMagics_data();
    void pcapMagics();
    void pcapTruncated_data();
    void pcapTruncated();
    void notACapture_data();
    void notACapture();
    void emptyFile();
    void missingFile();
    void pipeMatchesMappedFile_data();
    void pipeMatchesMappedFile();
    void pcapngPacketBlocks();
    void pcapngTsresol_data();
    void pcapngTsresol();
    void pcapngTsoffset();
    void pcapngSectionsOfBothByteOrders();
    void pcapngStatistics();
    void pcapngUnknownBlocksSkipped();
    void pcapngComments();
    void pcapngTruncated();
    void pcapngMalformedBlocks();
    void helperFinalStatistics_data();
    void helperFinalStatistics();
    void helperSectionEndedByNextSection();

private:
    Files files_;
};

void TestPcapPcapngReader::pcapMagics_data()
{
    QTest::addColumn<uint32_t>("magic");
    QTest::addColumn<bool>("big");
    QTest::newRow("usec little-endian") << kMagicUsec << false;
    QTest::newRow("usec big-endian") << kMagicUsec << true;
    QTest::newRow("nsec little-endian") << kMagicNsec << false;
    QTest::newRow("nsec big-endian") << kMagicNsec << true;
}

void TestPcapPcapngReader::pcapMagics()
{
    QFETCH(uint32_t, magic);
    QFETCH(bool, big);
    const bool nsec = magic == kMagicNsec;
    Blob file = pcap_header(magic, big, 65535, 1);
    const uint32_t frac1 = nsec ? 123456789 : 123456;
    const uint32_t frac2 = nsec ? 999999999 : 999999;
    pcap_record(file, big, 1700000000, frac1, payload(60, 1), 60);
    pcap_record(file, big, 1700000001, frac2, payload(34, 2), 1514); // snapped
    pcap_record(file, big, 0, 0, {}, 0);

    const QString path = files_.write(QStringLiteral("magic.pcap"), file);
    ReadResult r = read_file(path);
    QVERIFY2(r.reader, r.open_error.c_str());
    QCOMPARE(r.reader->format(), CaptureFormat::Pcap);
    QCOMPARE(r.last, CaptureReader::Status::End);
    QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
    QVERIFY(!r.reader->truncated());
    QCOMPARE(r.reader->interfaces().size(), size_t(1));
    QCOMPARE(r.reader->interfaces()[0].link_type, 1u);
    QCOMPARE(r.reader->interfaces()[0].snaplen, 65535u);
    QCOMPARE(r.reader->interfaces()[0].units_per_sec, nsec ? 1000000000ull : 1000000ull);
    QCOMPARE(r.packets.size(), size_t(3));

    const Packet& a = r.packets[0];
    QCOMPARE(a.number, 1ull);
    QCOMPARE(a.file_offset, 24ull);
    QCOMPARE(a.interface_id, 0u);
    QCOMPARE(a.link_type, 1u);
    QVERIFY(a.has_timestamp);
    QCOMPARE(a.ts_ns, nsec ? 1700000000123456789ll : 1700000000123456000ll);
    QCOMPARE(a.caplen, 60u);
    QCOMPARE(a.origlen, 60u);
    QVERIFY(a.data == payload(60, 1));

    const Packet& b = r.packets[1];
    QCOMPARE(b.number, 2ull);
    QCOMPARE(b.file_offset, 24ull + 16 + 60);
    QCOMPARE(b.ts_ns, nsec ? 1700000001999999999ll : 1700000001999999000ll);
    QCOMPARE(b.caplen, 34u);
    QCOMPARE(b.origlen, 1514u);
    QVERIFY(b.data == payload(34, 2));

    const Packet& c = r.packets[2];
    QCOMPARE(c.ts_ns, 0ll);
    QCOMPARE(c.caplen, 0u);
    QVERIFY(c.data.empty());
}

void TestPcapPcapngReader::pcapTruncated_data()
{
    QTest::addColumn<int>("cut");        // bytes removed from the end
    QTest::addColumn<int>("complete");   // packets expected
    QTest::addColumn<bool>("truncated");
    // Three records of 16 + 100 bytes after the 24-byte header.
    QTest::newRow("inside the last packet's data") << 40 << 2 << true;
    QTest::newRow("inside the last record header") << 100 + 6 << 2 << true;
    QTest::newRow("one byte short") << 1 << 2 << true;
    QTest::newRow("at a record boundary") << 116 << 2 << false;
    QTest::newRow("inside the first packet") << 2 * 116 + 50 << 0 << true;
}

void TestPcapPcapngReader::pcapTruncated()
{
    QFETCH(int, cut);
    QFETCH(int, complete);
    QFETCH(bool, truncated);
    Blob file = pcap_header(kMagicUsec, false, 65535, 1);
    for (int i = 0; i < 3; ++i)
        pcap_record(file, false, 100 + i, 0, payload(100, uint8_t(i)), 100);
    file.resize(file.size() - size_t(cut));

    for (bool pipe : {false, true}) {
        ReadResult r = pipe ? read_through_pipe(file) : read_file(files_.write(QStringLiteral("cut.pcap"), file));
        QVERIFY2(r.reader, r.open_error.c_str());
        QCOMPARE(r.last, CaptureReader::Status::End);
        QCOMPARE(int(r.packets.size()), complete);
        for (int i = 0; i < complete; ++i)
            QVERIFY(r.packets[size_t(i)].data == payload(100, uint8_t(i)));
        QCOMPARE(r.reader->truncated(), truncated);
        if (truncated) {
            QCOMPARE(r.reader->warnings().size(), size_t(1));
            const std::string offset = "offset " + std::to_string(24 + complete * 116);
            QVERIFY2(any_warning_contains(*r.reader, offset), qPrintable(warnings_text(*r.reader)));
            QVERIFY2(any_warning_contains(*r.reader, "truncated"), qPrintable(warnings_text(*r.reader)));
        } else {
            QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
        }
    }
}

void TestPcapPcapngReader::notACapture_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("says");
    QTest::newRow("text") << QByteArray("hello, this is not a capture\n") << QStringLiteral("expected a pcap");
    QTest::newRow("gzip") << QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) << QStringLiteral("gzip");
    QTest::newRow("three bytes") << QByteArray("\xd4\xc3\xb2", 3) << QStringLiteral("expected a pcap");
    QTest::newRow("pcap header cut") << QByteArray("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8)
                                     << QStringLiteral("pcap file header");
    QTest::newRow("pcapng bad byte order")
        << QByteArray("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x11\x22\x33\x44\x01\x00\x00\x00", 16)
        << QStringLiteral("byte-order magic");
}

void TestPcapPcapngReader::notACapture()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, says);
    const QString path = files_.write(QStringLiteral("notes.txt"), Blob(content.begin(), content.end()));
    std::string error;
    auto reader = CaptureReader::open_path(path.toStdString(), error);
    QVERIFY(!reader);
    const QString e = QString::fromStdString(error);
    QVERIFY2(e.startsWith(path + QLatin1String(": ")), qPrintable(e));
    QVERIFY2(e.contains(says), qPrintable(e));
    QVERIFY2(!e.contains(QLatin1Char('\n')), qPrintable(e));
}

void TestPcapPcapngReader::emptyFile()
{
    const QString path = files_.write(QStringLiteral("empty.pcap"), {});
    std::string error;
    QVERIFY(!CaptureReader::open_path(path.toStdString(), error));
    const QString e = QString::fromStdString(error);
    QVERIFY2(e.startsWith(path + QLatin1String(": ")), qPrintable(e));
    QVERIFY2(e.contains(QLatin1String("empty")) && e.contains(QLatin1String("expected a pcap or pcapng")), qPrintable(e));
    QVERIFY(!e.contains(QLatin1Char('\n')));

    // The same through a stream that closes at once.
    ReadResult r = read_through_pipe({});
    QVERIFY(!r.reader);
    QVERIFY2(QString::fromStdString(r.open_error).contains(QLatin1String("empty")), r.open_error.c_str());
}

void TestPcapPcapngReader::missingFile()
{
    QVERIFY(files_.valid());
    const std::string path = files_.write(QStringLiteral("x"), {}).toStdString() + ".does-not-exist";
    std::string error;
    QVERIFY(!CaptureReader::open_path(path, error));
    QVERIFY2(error.rfind(path + ": ", 0) == 0, error.c_str());
    QVERIFY(error.find('\n') == std::string::npos);
}

void TestPcapPcapngReader::pipeMatchesMappedFile_data()
{
    QTest::addColumn<bool>("pcapng");
    QTest::newRow("pcap") << false;
    QTest::newRow("pcapng") << true;
}

void TestPcapPcapngReader::pipeMatchesMappedFile()
{
    QFETCH(bool, pcapng);
    // Enough data to outgrow the stream's first buffer several times, and one
    // record larger than a whole read chunk.
    Blob file;
    Pcapng ng;
    if (pcapng) {
        ng.section(false);
        ng.interface(1, 0, {{9, {9}}});
        ng.interface(101, 0);
    } else {
        file = pcap_header(kMagicNsec, true, 262144, 1);
    }
    for (uint32_t i = 0; i < 4000; ++i) {
        const size_t len = i == 1234 ? 200000 : (i * 37) % 1515;
        const Blob data = payload(len, uint8_t(i));
        const uint64_t ts = 1700000000000000000ull + i * 1000003ull;
        if (!pcapng)
            pcap_record(file, true, uint32_t(ts / 1000000000), uint32_t(ts % 1000000000), data, uint32_t(len + i % 3));
        else if (i % 5 == 4)
            ng.spb(data, uint32_t(len));
        else
            // Interface 1 counts microseconds (the default resolution).
            ng.epb(i % 2, i % 2 ? ts / 1000 : ts, data, uint32_t(len + i % 3),
                   i % 7 == 0 ? std::vector<Option>{{1, text("packet " + std::to_string(i))}} : std::vector<Option>{});
    }
    if (pcapng)
        file = ng.data();

    ReadResult mapped = read_file(files_.write(QStringLiteral("big.cap"), file));
    ReadResult piped = read_through_pipe(file);
    QVERIFY2(mapped.reader, mapped.open_error.c_str());
    QVERIFY2(piped.reader, piped.open_error.c_str());
    QVERIFY2(mapped.reader->warnings().empty(), qPrintable(warnings_text(*mapped.reader)));
    QVERIFY2(piped.reader->warnings().empty(), qPrintable(warnings_text(*piped.reader)));
    QCOMPARE(mapped.packets.size(), size_t(4000));
    QCOMPARE(piped.packets.size(), mapped.packets.size());
    for (size_t i = 0; i < mapped.packets.size(); ++i)
        QVERIFY2(piped.packets[i] == mapped.packets[i], qPrintable(QStringLiteral("packet %1 differs").arg(i + 1)));
    QCOMPARE(piped.reader->position(), uint64_t(file.size()));
    QCOMPARE(mapped.packets[1234].caplen, 200000u);
    if (pcapng)
        QCOMPARE(mapped.packets[7].comment, std::string("packet 7"));
}

void TestPcapPcapngReader::pcapngPacketBlocks()
{
    for (bool big : {false, true}) {
        Pcapng ng;
        ng.section(big);
        ng.interface(1, 64, {{9, {9}}}); // nanoseconds, 64-byte snaplen
        ng.epb(0, 1700000000123456789ull, payload(60, 1), 60);
        ng.spb(payload(64, 2), 100); // snapped to the interface's snaplen
        ng.spb(payload(40, 3), 40);
        ng.opb(0, 1700000001000000001ull, payload(20, 4), 1500);

        const QString path = files_.write(QStringLiteral("blocks.pcapng"), ng.data());
        ReadResult r = read_file(path);
        QVERIFY2(r.reader, r.open_error.c_str());
        QCOMPARE(r.reader->format(), CaptureFormat::Pcapng);
        QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
        QCOMPARE(r.packets.size(), size_t(4));

        QCOMPARE(r.packets[0].file_offset, 28ull + 32);
        QVERIFY(r.packets[0].has_timestamp);
        QCOMPARE(r.packets[0].ts_ns, 1700000000123456789ll);
        QCOMPARE(r.packets[0].caplen, 60u);
        QVERIFY(r.packets[0].data == payload(60, 1));

        QVERIFY(!r.packets[1].has_timestamp);
        QCOMPARE(r.packets[1].ts_ns, 0ll);
        QCOMPARE(r.packets[1].caplen, 64u);
        QCOMPARE(r.packets[1].origlen, 100u);
        QVERIFY(r.packets[1].data == payload(64, 2));

        QVERIFY(!r.packets[2].has_timestamp);
        QCOMPARE(r.packets[2].caplen, 40u);
        QCOMPARE(r.packets[2].origlen, 40u);

        QVERIFY(r.packets[3].has_timestamp);
        QCOMPARE(r.packets[3].ts_ns, 1700000001000000001ll);
        QCOMPARE(r.packets[3].caplen, 20u);
        QCOMPARE(r.packets[3].origlen, 1500u);
        QVERIFY(r.packets[3].data == payload(20, 4));
        for (const Packet& p : r.packets) {
            QCOMPARE(p.interface_id, 0u);
            QCOMPARE(p.link_type, 1u);
        }
    }
}

void TestPcapPcapngReader::pcapngTsresol_data()
{
    QTest::addColumn<QByteArray>("tsresol"); // empty: option absent
    QTest::addColumn<qulonglong>("ts");
    QTest::addColumn<qlonglong>("ns");
    QTest::newRow("default microseconds") << QByteArray() << 1700000000123456ull << 1700000000123456000ll;
    QTest::newRow("decimal 6") << QByteArray("\x06", 1) << 1700000000123456ull << 1700000000123456000ll;
    QTest::newRow("decimal 3") << QByteArray("\x03", 1) << 1700000000123ull << 1700000000123000000ll;
    QTest::newRow("decimal 0") << QByteArray("\x00", 1) << 1700000000ull << 1700000000000000000ll;
    QTest::newRow("decimal 9") << QByteArray("\x09", 1) << 1700000000123456789ull << 1700000000123456789ll;
    // Finer than a nanosecond: truncated toward zero.
    QTest::newRow("decimal 12") << QByteArray("\x0c", 1) << 1700000123456789012ull << 1700000123456789ll;
    QTest::newRow("power of two 10") << QByteArray("\x8a", 1) << (1700000000ull * 1024 + 512)
                                     << 1700000000500000000ll;
    QTest::newRow("power of two 10, one unit") << QByteArray("\x8a", 1) << (1700000000ull * 1024 + 1)
                                               << 1700000000000976562ll;
    QTest::newRow("power of two 0") << QByteArray("\x80", 1) << 1700000000ull << 1700000000000000000ll;
    QTest::newRow("power of two 30") << QByteArray("\x9e", 1) << ((1700000000ull << 30) + 3)
                                     << 1700000000000000002ll;
}

void TestPcapPcapngReader::pcapngTsresol()
{
    QFETCH(QByteArray, tsresol);
    QFETCH(qulonglong, ts);
    QFETCH(qlonglong, ns);
    for (bool big : {false, true}) {
        Pcapng ng;
        ng.section(big);
        std::vector<Option> options;
        if (!tsresol.isEmpty())
            options.push_back({9, Blob(tsresol.begin(), tsresol.end())});
        ng.interface(1, 0, options);
        ng.epb(0, ts, payload(10, 0), 10);
        ng.isb(0, ts, {{2, ts_blob(ts, big)}});
        ReadResult r = read_file(files_.write(QStringLiteral("tsresol.pcapng"), ng.data()));
        QVERIFY2(r.reader, r.open_error.c_str());
        QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
        QCOMPARE(r.packets.size(), size_t(1));
        QCOMPARE(qlonglong(r.packets[0].ts_ns), ns);
        QCOMPARE(r.reader->statistics().size(), size_t(1));
        QCOMPARE(qlonglong(r.reader->statistics()[0].ts_ns), ns);
        QCOMPARE(qlonglong(r.reader->statistics()[0].start_ns.value_or(-1)), ns);
    }
}

void TestPcapPcapngReader::pcapngTsoffset()
{
    Pcapng ng;
    ng.section(false);
    ng.interface(1, 0, {{14, u64_blob(1000, false)}});
    ng.interface(1, 0, {{14, u64_blob(uint64_t(-1000), false)}, {9, {3}}});
    ng.epb(0, 5000001, payload(10, 0), 10); // 5.000001 s + 1000 s
    ng.epb(1, 5001, payload(10, 0), 10);    // 5.001 s - 1000 s
    ReadResult r = read_file(files_.write(QStringLiteral("tsoffset.pcapng"), ng.data()));
    QVERIFY2(r.reader, r.open_error.c_str());
    QCOMPARE(r.packets.size(), size_t(2));
    QCOMPARE(r.reader->interfaces()[0].ts_offset_sec, 1000ll);
    QCOMPARE(r.reader->interfaces()[1].ts_offset_sec, -1000ll);
    QCOMPARE(r.packets[0].ts_ns, 1005000001000ll);
    QCOMPARE(r.packets[1].ts_ns, -994999000000ll);
}

void TestPcapPcapngReader::pcapngSectionsOfBothByteOrders()
{
    Pcapng ng;
    ng.section(false, {{1, text("first")}});
    ng.interface(1, 0, {{2, text("eth0")}});
    ng.epb(0, 1, payload(10, 1), 10);
    ng.section(true, {{1, text("second, big-endian")}});
    ng.interface(101, 1500, {{2, text("tun0")}, {3, text("a tunnel")}});
    ng.interface(0, 0, {{9, {9}}});
    ng.epb(1, 2, payload(11, 2), 11);
    ng.epb(0, 3, payload(12, 3), 12);
    ng.spb(payload(13, 4), 13);
    ng.section(false);
    ng.interface(113, 0);
    ng.epb(0, 4, payload(14, 5), 14);

    ReadResult r = read_file(files_.write(QStringLiteral("sections.pcapng"), ng.data()));
    QVERIFY2(r.reader, r.open_error.c_str());
    QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
    QCOMPARE(r.reader->sections(), 3u);
    QCOMPARE(r.reader->section_comments(), (std::vector<std::string>{"first", "second, big-endian"}));

    const auto& itfs = r.reader->interfaces();
    QCOMPARE(itfs.size(), size_t(4));
    QCOMPARE(itfs[0].section, 0u);
    QCOMPARE(itfs[0].name, std::string("eth0"));
    QCOMPARE(itfs[1].section, 1u);
    QCOMPARE(itfs[1].local_id, 0u);
    QCOMPARE(itfs[1].link_type, 101u);
    QCOMPARE(itfs[1].snaplen, 1500u);
    QCOMPARE(itfs[1].name, std::string("tun0"));
    QCOMPARE(itfs[1].description, std::string("a tunnel"));
    QCOMPARE(itfs[2].section, 1u);
    QCOMPARE(itfs[2].local_id, 1u);
    QCOMPARE(itfs[2].units_per_sec, 1000000000ull);
    QCOMPARE(itfs[3].section, 2u);
    QCOMPARE(itfs[3].local_id, 0u);

    QCOMPARE(r.packets.size(), size_t(5));
    const uint32_t want_itf[] = {0, 2, 1, 1, 3};
    const uint32_t want_lt[] = {1, 0, 101, 101, 113};
    const int64_t want_ts[] = {1000, 2, 3000, 0, 4000};
    for (size_t i = 0; i < 5; ++i) {
        QCOMPARE(r.packets[i].interface_id, want_itf[i]);
        QCOMPARE(r.packets[i].link_type, want_lt[i]);
        QCOMPARE(r.packets[i].ts_ns, want_ts[i]);
        QCOMPARE(r.packets[i].caplen, uint32_t(10 + i));
        QVERIFY(r.packets[i].data == payload(10 + i, uint8_t(i + 1)));
    }
}

void TestPcapPcapngReader::pcapngStatistics()
{
    for (bool big : {false, true}) {
        Pcapng ng;
        ng.section(big);
        ng.interface(1, 0, {{9, {9}}});
        ng.interface(1, 0);
        ng.isb(1, 5000000, {{2, ts_blob(1000000, big)}, {3, ts_blob(5000000, big)}, {4, u64_blob(100, big)},
                            {5, u64_blob(3, big)}, {6, u64_blob(97, big)}, {7, u64_blob(2, big)},
                            {8, u64_blob(95, big)}, {1, text("a comment")}});
        ng.epb(0, 7, payload(10, 0), 10);
        ng.isb(0, 8, {});
        ng.section(big);
        ng.interface(1, 0);
        ng.isb(0, 9, {{8, u64_blob(1, big)}});

        ReadResult r = read_file(files_.write(QStringLiteral("isb.pcapng"), ng.data()));
        QVERIFY2(r.reader, r.open_error.c_str());
        QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
        QCOMPARE(r.packets.size(), size_t(1));
        const auto& st = r.reader->statistics();
        QCOMPARE(st.size(), size_t(3));
        QCOMPARE(st[0].interface_id, 1u);
        QCOMPARE(st[0].ts_ns, 5000000000ll);
        QCOMPARE(st[0].start_ns, std::optional<int64_t>(1000000000));
        QCOMPARE(st[0].end_ns, std::optional<int64_t>(5000000000));
        QCOMPARE(st[0].ifrecv, std::optional<uint64_t>(100));
        QCOMPARE(st[0].ifdrop, std::optional<uint64_t>(3));
        QCOMPARE(st[0].filteraccept, std::optional<uint64_t>(97));
        QCOMPARE(st[0].osdrop, std::optional<uint64_t>(2));
        QCOMPARE(st[0].usrdeliv, std::optional<uint64_t>(95));
        QCOMPARE(st[1].interface_id, 0u);
        QCOMPARE(st[1].ts_ns, 8ll);
        QVERIFY(!st[1].ifrecv && !st[1].usrdeliv && !st[1].start_ns);
        QCOMPARE(st[2].interface_id, 2u); // the second section's interface 0
        QCOMPARE(st[2].usrdeliv, std::optional<uint64_t>(1));
    }
}

void TestPcapPcapngReader::pcapngUnknownBlocksSkipped()
{
    Pcapng ng;
    ng.section(false);
    Writer nrb{false, {}};
    nrb.u16(1); // IPv4 record
    nrb.u16(9);
    nrb.bytes({10, 0, 0, 1, 'h', 'o', 's', 't', 0});
    nrb.pad4();
    nrb.u32(0);
    ng.block(4, nrb.out);             // name resolution
    ng.interface(1, 0);
    ng.block(0x0000000A, text("secrets")); // decryption secrets
    const auto custom = [](const std::string& s) {
        Blob b{0x00, 0x00, 0x7e, 0xd9}; // private enterprise number 32473
        b.insert(b.end(), s.begin(), s.end());
        return b;
    };
    ng.block(0x00000BAD, custom("custom"));
    ng.block(0x40000BAD, custom("custom, do not copy"));
    ng.epb(0, 1, payload(10, 1), 10);
    ng.block(0x12345678, {});                // nobody's block
    ng.block(0x80000001, text("local use")); // reserved for local use
    ng.epb(0, 2, payload(10, 2), 10);

    ReadResult r = read_file(files_.write(QStringLiteral("unknown.pcapng"), ng.data()));
    QVERIFY2(r.reader, r.open_error.c_str());
    QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
    QVERIFY(!r.reader->truncated());
    QCOMPARE(r.packets.size(), size_t(2));
    QCOMPARE(r.packets[0].number, 1ull);
    QCOMPARE(r.packets[1].number, 2ull);
    QCOMPARE(r.packets[1].ts_ns, 2000ll);
    QVERIFY(r.packets[1].data == payload(10, 2));
}

void TestPcapPcapngReader::pcapngComments()
{
    Pcapng ng;
    ng.section(true, {{1, text("section")}, {2, text("hardware")}});
    ng.interface(1, 0);
    ng.epb(0, 1, payload(5, 1), 5, {{1, text("first")}, {1, text("second")}});
    ng.epb(0, 2, payload(6, 2), 6, {{2, Blob{0, 0, 0, 1}}, {1, text("after flags")}}); // epb_flags first
    ng.epb(0, 3, payload(7, 3), 7);
    ng.opb(0, 4, payload(8, 4), 8, {{1, text("línea 1\nlínea 2")}});
    ng.epb(0, 5, payload(9, 5), 9, {{1, {}}});

    ReadResult r = read_file(files_.write(QStringLiteral("comments.pcapng"), ng.data()));
    QVERIFY2(r.reader, r.open_error.c_str());
    QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
    QCOMPARE(r.reader->section_comments(), std::vector<std::string>{"section"});
    QCOMPARE(r.packets.size(), size_t(5));
    QCOMPARE(r.packets[0].comment, std::string("first"));
    QCOMPARE(r.packets[1].comment, std::string("after flags"));
    QCOMPARE(r.packets[2].comment, std::string());
    QCOMPARE(r.packets[3].comment, std::string("línea 1\nlínea 2"));
    QCOMPARE(r.packets[4].comment, std::string());
    QVERIFY(r.packets[3].data == payload(8, 4));
}

void TestPcapPcapngReader::pcapngTruncated()
{
    Pcapng ng;
    ng.section(false);
    ng.interface(1, 0);
    ng.epb(0, 1, payload(50, 1), 50);
    const size_t second = ng.size();
    ng.epb(0, 2, payload(50, 2), 50);
    for (size_t keep : {second + 3, second + 8, second + 40, ng.size() - 1}) {
        Blob cut(ng.data().begin(), ng.data().begin() + long(keep));
        for (bool pipe : {false, true}) {
            ReadResult r = pipe ? read_through_pipe(cut) : read_file(files_.write(QStringLiteral("cut.pcapng"), cut));
            QVERIFY2(r.reader, r.open_error.c_str());
            QCOMPARE(r.last, CaptureReader::Status::End);
            QCOMPARE(r.packets.size(), size_t(1));
            QVERIFY(r.reader->truncated());
            QVERIFY2(any_warning_contains(*r.reader, "truncated") &&
                         any_warning_contains(*r.reader, "offset " + std::to_string(second)),
                     qPrintable(warnings_text(*r.reader)));
        }
    }
}

void TestPcapPcapngReader::pcapngMalformedBlocks()
{
    // A packet on an undescribed interface, a caplen beyond its block, an SPB
    // shorter than its lengths, an IDB too short to hold a link type: each
    // warned about, and reading goes on.
    Pcapng ng;
    ng.section(false);
    ng.interface(1, 0);
    ng.epb(7, 1, payload(10, 1), 10);
    const size_t lying = ng.size();
    {
        Writer body{false, {}};
        body.u32(0);
        body.u32(0);
        body.u32(2);
        body.u32(500); // claims 500 captured bytes
        body.u32(500);
        body.bytes(payload(12, 0));
        ng.block(6, body.out);
    }
    ng.spb(payload(20, 2), 80);
    ng.block(1, {0x01, 0x00}); // IDB without its snaplen
    ng.epb(1, 4, payload(10, 4), 10);
    ng.isb(9, 0, {});
    ng.epb(0, 5, payload(10, 5), 10);

    ReadResult r = read_file(files_.write(QStringLiteral("malformed.pcapng"), ng.data()));
    QVERIFY2(r.reader, r.open_error.c_str());
    QCOMPARE(r.packets.size(), size_t(2));
    QCOMPARE(r.packets[0].caplen, 20u); // the SPB, with what it holds
    QCOMPARE(r.packets[0].origlen, 80u);
    QCOMPARE(r.packets[1].ts_ns, 5000ll);
    QVERIFY(!r.reader->truncated());
    QCOMPARE(r.reader->warnings().size(), size_t(6));
    QVERIFY2(any_warning_contains(*r.reader, "names interface 7"), qPrintable(warnings_text(*r.reader)));
    QVERIFY2(any_warning_contains(*r.reader, "offset " + std::to_string(lying) + " claims 500"),
             qPrintable(warnings_text(*r.reader)));
    QVERIFY2(any_warning_contains(*r.reader, "holds 20 of the 80"), qPrintable(warnings_text(*r.reader)));
    QVERIFY2(any_warning_contains(*r.reader, "interface description"), qPrintable(warnings_text(*r.reader)));
    QVERIFY2(any_warning_contains(*r.reader, "unreadable"), qPrintable(warnings_text(*r.reader)));
    QVERIFY2(any_warning_contains(*r.reader, "statistics"), qPrintable(warnings_text(*r.reader)));

    // Leading and trailing block lengths that disagree end the reading.
    Pcapng bad;
    bad.section(true);
    bad.interface(1, 0);
    bad.epb(0, 1, payload(10, 1), 10);
    Blob data = bad.data();
    const size_t at = data.size();
    bad.epb(0, 2, payload(10, 2), 10);
    bad.epb(0, 3, payload(10, 3), 10);
    data = bad.data();
    data[at + 4 + 4 + 20 + 12 + 3] ^= 0x04; // the second EPB's trailing length
    ReadResult b = read_file(files_.write(QStringLiteral("mismatch.pcapng"), data));
    QVERIFY2(b.reader, b.open_error.c_str());
    QCOMPARE(b.packets.size(), size_t(1));
    QVERIFY(b.reader->truncated());
    QVERIFY2(any_warning_contains(*b.reader, "offset " + std::to_string(at)), qPrintable(warnings_text(*b.reader)));
}

// underhood-capture marks its last ISB for each interface with the comment
// "final statistics"; a helper section that ends (end of input, or a new
// section) without one for every interface it declared gets a warning, as
// from a file or through a pipe. Sections of other writers never do.
void TestPcapPcapngReader::helperFinalStatistics_data()
{
    QTest::addColumn<QString>("userappl"); // empty: no shb_userappl option
    QTest::addColumn<QStringList>("finals"); // per ISB: "0", "1" (final for that interface) or "0 plain"
    QTest::addColumn<bool>("warns");
    const QString helper = "underhood-capture 0.1.0 (Linux 6.1)";
    QTest::newRow("helper, both final") << helper << QStringList{"0 plain", "1 plain", "0", "1"} << false;
    QTest::newRow("helper, one final") << helper << QStringList{"0 plain", "1 plain", "0"} << true;
    QTest::newRow("helper, none final") << helper << QStringList{"0 plain", "1 plain"} << true;
    QTest::newRow("helper, no statistics") << helper << QStringList{} << true;
    QTest::newRow("helper, final twice for one") << helper << QStringList{"1", "1"} << true;
    QTest::newRow("helper name alone") << "underhood-capture" << QStringList{"0", "1"} << false;
    QTest::newRow("dumpcap, no statistics") << "Dumpcap (Wireshark) 4.0.6" << QStringList{} << false;
    QTest::newRow("no userappl") << QString() << QStringList{"0 plain"} << false;
    QTest::newRow("helper name later in userappl") << "not underhood-capture" << QStringList{} << false;
}

void TestPcapPcapngReader::helperFinalStatistics()
{
    QFETCH(QString, userappl);
    QFETCH(QStringList, finals);
    QFETCH(bool, warns);
    Pcapng ng;
    std::vector<Option> shb;
    if (!userappl.isEmpty())
        shb.push_back({4, text(userappl.toStdString())});
    ng.section(false, shb);
    ng.interface(1, 0, {{9, {9}}});
    ng.interface(1, 0, {{9, {9}}});
    for (uint32_t i = 0; i < 6; ++i)
        ng.epb(i % 2, 1'700'000'000'000'000'000ull + i, payload(60, uint8_t(i)), 60);
    for (const QString& f : finals) {
        const uint32_t itf = f.left(1).toUInt();
        std::vector<Option> o{{4, u64_blob(3, false)}, {8, u64_blob(3, false)}};
        if (!f.endsWith("plain"))
            o.insert(o.begin(), Option{1, text("final statistics")});
        ng.isb(itf, 1'700'000'000'000'000'010ull, o);
    }
    for (bool piped : {false, true}) {
        ReadResult r = piped ? read_through_pipe(ng.data()) : read_file(files_.write("helper.pcapng", ng.data()));
        QVERIFY2(r.reader, r.open_error.c_str());
        QCOMPARE(r.packets.size(), size_t(6));
        const auto& w = r.reader->warnings();
        QCOMPARE(int(std::count(w.begin(), w.end(), "final statistics missing: counts may be incomplete")), warns ? 1 : 0);
        QCOMPARE(w.size(), size_t(warns ? 1 : 0));
    }
    // A comment that is not exactly the marker does not count.
    if (!warns && userappl.startsWith("underhood-capture")) {
        Blob data = ng.data();
        const std::string marker = "final statistics";
        auto it = std::search(data.begin(), data.end(), marker.begin(), marker.end());
        QVERIFY(it != data.end());
        *it = 'F';
        ReadResult r = read_file(files_.write("helper-other-comment.pcapng", data));
        QVERIFY(any_warning_contains(*r.reader, "final statistics missing"));
    }
}

// A helper section cut short and followed by another section: the warning
// comes when the next section starts, before its packets, and only once.
void TestPcapPcapngReader::helperSectionEndedByNextSection()
{
    Pcapng ng;
    ng.section(false, {{4, text("underhood-capture 0.1.0")}});
    ng.interface(1, 0);
    ng.epb(0, 1, payload(60, 1), 60);
    ng.section(true, {{4, text("underhood-capture 0.1.0")}});
    ng.interface(1, 0);
    ng.epb(0, 2, payload(60, 2), 60);
    ng.section(false, {{4, text("underhood-capture 0.1.0")}});
    ng.interface(1, 0);
    ng.epb(0, 3, payload(60, 3), 60);
    ng.isb(0, 4, {{1, text("final statistics")}});
    std::string error;
    auto reader = CaptureReader::open_path(files_.write("rotated.pcapng", ng.data()).toStdString(), error);
    QVERIFY2(reader, error.c_str());
    PacketRecord rec;
    QCOMPARE(reader->next(rec), CaptureReader::Status::Packet);
    QVERIFY(reader->warnings().empty());
    QCOMPARE(reader->next(rec), CaptureReader::Status::Packet); // the second section's
    QCOMPARE(reader->warnings(), std::vector<std::string>{"final statistics missing: counts may be incomplete"});
    QCOMPARE(reader->next(rec), CaptureReader::Status::Packet);
    QCOMPARE(reader->next(rec), CaptureReader::Status::End);
    QCOMPARE(reader->warnings().size(), size_t(1));

    // The last section complete, an earlier one without statistics from
    // another writer: no warning.
    Pcapng other;
    other.section(false, {{4, text("tcpdump")}});
    other.interface(1, 0);
    other.epb(0, 1, payload(60, 1), 60);
    other.section(false, {{4, text("underhood-capture 0.1.0")}});
    other.interface(1, 0);
    other.epb(0, 2, payload(60, 2), 60);
    other.isb(0, 3, {{1, text("final statistics")}});
    ReadResult r = read_file(files_.write("mixed.pcapng", other.data()));
    QCOMPARE(r.packets.size(), size_t(2));
    QVERIFY2(r.reader->warnings().empty(), qPrintable(warnings_text(*r.reader)));
}

QTEST_APPLESS_MAIN(TestPcapPcapngReader)
#include "test_pcap_pcapng_reader.moc"
