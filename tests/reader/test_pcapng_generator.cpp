// CaptureReader against tshark on the pcapng-test-generator corpus: every
// capture in output_le and output_be must give the packets tshark gives, as
// recorded in tests/reader/golden by make_golden.sh. The block counts in each
// capture's .txt description are checked as a second, independent oracle.
#include "test_corpus.h"
#include "capture_reader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTest>

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

using namespace underhood;

namespace {

const QString kCorpus = corpusDir() + QStringLiteral("/pcapng-test-generator");
const QString kGolden = QStringLiteral(UNDERHOOD_SOURCE_DIR "/tests/reader/golden");

struct GoldenPacket {
    uint64_t number = 0; // tshark's frame number (custom blocks take numbers too)
    uint32_t section = 0; // 1-based
    uint32_t interface = 0; // inside the section
    uint32_t link_type = 0;
    std::optional<int64_t> ts_ns; // empty: no time stamp
    uint32_t caplen = 0;
    uint32_t origlen = 0;
    QString comment;
};

struct Golden {
    QString source;
    std::vector<GoldenPacket> packets;
    int custom_blocks = 0;
    QString result; // ok, truncated, corrupt, unsupported, unreadable
    QString message;
};

struct ReadPacket {
    uint64_t number = 0;
    uint32_t section = 0;
    uint32_t interface = 0;
    uint32_t link_type = 0;
    uint32_t interface_link_type = 0;
    bool has_timestamp = false;
    int64_t ts_ns = 0;
    uint32_t caplen = 0;
    uint32_t origlen = 0;
    size_t data_size = 0;
    QString comment;
};

template <typename T>
bool parse_number(const QString& text, T& out)
{
    const QByteArray b = text.toLatin1();
    auto [end, ec] = std::from_chars(b.constData(), b.constData() + b.size(), out);
    return ec == std::errc() && end == b.constData() + b.size();
}

// tshark prints frame.time_epoch as seconds with exactly nine decimals; read
// it as an integer count of nanoseconds, never through a double.
std::optional<int64_t> parse_epoch_ns(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("^(-?)([0-9]{1,11})\\.([0-9]{9})$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    int64_t sec = 0, frac = 0;
    if (!parse_number(m.captured(2), sec) || !parse_number(m.captured(3), frac))
        return std::nullopt;
    const int64_t ns = sec * 1000000000 + frac;
    return m.captured(1).isEmpty() ? ns : -ns;
}

// Reads a golden file; returns an error text, empty on success.
QString read_golden(const QString& path, Golden& g)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return path + QStringLiteral(": ") + f.errorString();
    int line_no = 0;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).chopped(1);
        ++line_no;
        const QString where = QStringLiteral("%1:%2: ").arg(QFileInfo(path).fileName()).arg(line_no);
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList parts = line.split(QLatin1Char(','));
        const QString kind = parts.value(0);
        if (kind == QLatin1String("source") && parts.size() == 2) {
            g.source = parts[1];
        } else if (kind == QLatin1String("packet") && parts.size() >= 9) {
            GoldenPacket p;
            bool ok = parse_number(parts[1], p.number) && parse_number(parts[2], p.section) &&
                      parse_number(parts[3], p.interface) && parse_number(parts[4], p.link_type) &&
                      parse_number(parts[6], p.caplen) && parse_number(parts[7], p.origlen);
            if (!parts[5].isEmpty()) {
                p.ts_ns = parse_epoch_ns(parts[5]);
                ok = ok && p.ts_ns.has_value();
            }
            if (!ok)
                return where + QStringLiteral("bad packet line: ") + line;
            // The comment is the rest of the line; it may hold commas.
            p.comment = parts.mid(8).join(QLatin1Char(','));
            g.packets.push_back(p);
        } else if (kind == QLatin1String("custom") && parts.size() == 5) {
            ++g.custom_blocks;
        } else if (kind == QLatin1String("result") && parts.size() >= 2) {
            g.result = parts[1];
            g.message = parts.mid(2).join(QLatin1Char(','));
        } else {
            return where + QStringLiteral("unknown line: ") + line;
        }
    }
    if (g.source.isEmpty() || g.result.isEmpty())
        return path + QStringLiteral(": no source or result line");
    return {};
}

// The generator's description: "Block counts:" then "<tab>EPB: 4" lines.
std::map<QString, int> read_block_counts(const QString& path)
{
    std::map<QString, int> counts;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return counts;
    static const QRegularExpression re(QStringLiteral("^\\s+([A-Z]+):\\s+([0-9]+)\\s*$"));
    while (!f.atEnd()) {
        const auto m = re.match(QString::fromUtf8(f.readLine()));
        if (m.hasMatch())
            counts[m.captured(1)] = m.captured(2).toInt();
    }
    return counts;
}

// tshark's fields output escapes these in strings.
QString escape_like_tshark(std::string_view s)
{
    QString out = QString::fromUtf8(s.data(), qsizetype(s.size()));
    out.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    out.replace(QLatin1Char('\r'), QStringLiteral("\\r"));
    out.replace(QLatin1Char('\t'), QStringLiteral("\\t"));
    return out;
}

template <typename T>
QString text(const T& v)
{
    if constexpr (std::is_same_v<T, QString>)
        return QLatin1Char('"') + v + QLatin1Char('"');
    else if constexpr (std::is_same_v<T, bool>)
        return v ? QStringLiteral("yes") : QStringLiteral("no");
    else if constexpr (std::is_signed_v<T>)
        return QString::number(qlonglong(v));
    else
        return QString::number(qulonglong(v));
}

// One packet field against tshark's, naming the packet when they differ.
#define EXPECT_FIELD(ours, theirs, number, field)                                                              \
    do {                                                                                                        \
        const auto ours_ = (ours);                                                                              \
        const auto theirs_ = std::remove_cv_t<decltype(ours_)>(theirs);                                                     \
        QVERIFY2(ours_ == theirs_, qPrintable(QStringLiteral("frame %1: %2 is %3, tshark says %4")              \
                                                  .arg(number)                                                  \
                                                  .arg(QLatin1String(field), text(ours_), text(theirs_))));      \
    } while (0)

} // namespace

class TestPcapngGenerator : public QObject {
    Q_OBJECT

private slots:
    void matchesTshark_data();
    void matchesTshark();
    void everyGoldenFileHasACapture();
    void epochParsing();
};

static bool corpus_present()
{
    return QFileInfo(kCorpus + QStringLiteral("/output_le")).isDir();
}

#define SKIP_WITHOUT_CORPUS()                                                                                  \
    do {                                                                                                        \
        if (!corpus_present())                                                                                  \
            QSKIP(qPrintable(QStringLiteral("the pcapng-test-generator corpus is not at %1 (set "              \
                                            "UNDERHOOD_CORPUS_DIR to the corpus folder to run this test)")     \
                                 .arg(kCorpus)));                                                               \
    } while (0)

void TestPcapngGenerator::matchesTshark_data()
{
    QTest::addColumn<QString>("capture");
    QTest::addColumn<QString>("golden");
    if (!corpus_present()) {
        QTest::newRow("corpus-missing") << QString() << QString();
        return;
    }
    int rows = 0;
    for (const char* order : {"le", "be"}) {
        const QDir out(kCorpus + QStringLiteral("/output_") + QLatin1String(order));
        for (const QString& category : out.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            const QDir dir(out.filePath(category));
            for (const QString& file : dir.entryList({QStringLiteral("*.pcapng")}, QDir::Files, QDir::Name)) {
                const QString name = QFileInfo(file).completeBaseName();
                const QString row = QLatin1String(order) + QLatin1Char('/') + category + QLatin1Char('/') + name;
                QTest::newRow(qPrintable(row))
                    << dir.filePath(file)
                    << kGolden + QLatin1Char('/') + QLatin1String(order) + QLatin1Char('/') + name + QStringLiteral(".txt");
                ++rows;
            }
        }
    }
    QVERIFY2(rows > 0, "the corpus holds no .pcapng files");
}

void TestPcapngGenerator::matchesTshark()
{
    QFETCH(QString, capture);
    QFETCH(QString, golden);
    SKIP_WITHOUT_CORPUS();

    QVERIFY2(QFileInfo::exists(golden),
             qPrintable(QStringLiteral("no golden file %1: run tests/reader/make_golden.sh and review it").arg(golden)));
    Golden g;
    const QString golden_error = read_golden(golden, g);
    QVERIFY2(golden_error.isEmpty(), qPrintable(golden_error));
    QVERIFY2(capture.endsWith(QLatin1Char('/') + g.source),
             qPrintable(QStringLiteral("golden file is for %1, not %2").arg(g.source, capture)));

    std::string error;
    auto reader = CaptureReader::open_path(capture.toStdString(), error);
    if (g.result == QLatin1String("unreadable")) {
        QVERIFY2(!reader, "tshark cannot read this file, but CaptureReader opened it");
        QVERIFY(!error.empty());
        QVERIFY2(error.find('\n') == std::string::npos, error.c_str());
        return;
    }
    if (!reader && g.result == QLatin1String("truncated") && g.packets.empty())
        return; // cut short before the first packet: refusing to open is the same verdict
    QVERIFY2(reader, error.c_str());
    QCOMPARE(reader->format(), CaptureFormat::Pcapng);

    std::vector<ReadPacket> ours;
    PacketRecord rec;
    CaptureReader::Status st;
    while ((st = reader->next(rec)) == CaptureReader::Status::Packet) {
        QVERIFY(rec.interface_id < reader->interfaces().size());
        const CaptureInterface& itf = reader->interfaces()[rec.interface_id];
        ReadPacket p;
        p.number = rec.number;
        p.section = itf.section + 1;
        p.interface = itf.local_id;
        p.link_type = rec.link_type;
        p.interface_link_type = itf.link_type;
        p.has_timestamp = rec.has_timestamp;
        p.ts_ns = rec.ts_ns;
        p.caplen = rec.caplen;
        p.origlen = rec.origlen;
        p.data_size = rec.data.size();
        p.comment = escape_like_tshark(rec.comment);
        ours.push_back(p);
    }
    QVERIFY2(st == CaptureReader::Status::End, reader->error().c_str());

    const std::vector<std::string>& warnings = reader->warnings();
    const QString first_warning = warnings.empty() ? QString() : QString::fromStdString(warnings.front());
    if (g.result == QLatin1String("ok")) {
        QVERIFY2(warnings.empty(), qPrintable(QStringLiteral("tshark reads this file cleanly; we warn: ") + first_warning));
        QVERIFY(!reader->truncated());
        QCOMPARE(ours.size(), g.packets.size());
    } else if (g.result == QLatin1String("truncated")) {
        QVERIFY2(reader->truncated(), qPrintable(QStringLiteral("tshark: ") + g.message));
        QVERIFY2(!warnings.empty() && first_warning.contains(QLatin1String("truncated")),
                 qPrintable(QStringLiteral("no truncation warning; tshark: ") + g.message));
        QCOMPARE(ours.size(), g.packets.size());
    } else {
        // tshark gives up at a corrupt block; we may skip it and read on, but
        // must say something is wrong and agree up to that point.
        QVERIFY2(!warnings.empty(), qPrintable(QStringLiteral("no warning; tshark: ") + g.message));
        QVERIFY(ours.size() >= g.packets.size());
    }

    for (size_t i = 0; i < g.packets.size(); ++i) {
        const GoldenPacket& want = g.packets[i];
        const ReadPacket& got = ours[i];
        const uint64_t n = want.number;
        EXPECT_FIELD(got.number, uint64_t(i + 1), n, "our number");
        EXPECT_FIELD(got.section, want.section, n, "section");
        EXPECT_FIELD(got.interface, want.interface, n, "interface id in its section");
        EXPECT_FIELD(got.link_type, want.link_type, n, "link type");
        EXPECT_FIELD(got.interface_link_type, want.link_type, n, "its interface's link type");
        EXPECT_FIELD(got.caplen, want.caplen, n, "captured length");
        EXPECT_FIELD(got.data_size, want.caplen, n, "data size");
        EXPECT_FIELD(got.origlen, want.origlen, n, "original length");
        EXPECT_FIELD(got.has_timestamp, want.ts_ns.has_value(), n, "has a time stamp");
        EXPECT_FIELD(got.ts_ns, want.ts_ns.value_or(0), n, "time stamp (ns)");
        EXPECT_FIELD(got.comment, want.comment, n, "comment");
    }

    // The generator's own account of the blocks it wrote.
    const QString txt = capture.chopped(int(strlen(".pcapng"))) + QStringLiteral(".txt");
    if (g.result == QLatin1String("ok") && QFileInfo::exists(txt)) {
        auto counts = read_block_counts(txt);
        QVERIFY2(counts.count(QStringLiteral("SHB")), qPrintable(txt + QStringLiteral(" lists no blocks")));
        QCOMPARE(int(reader->sections()), counts[QStringLiteral("SHB")]);
        QCOMPARE(int(reader->interfaces().size()), counts[QStringLiteral("IDB")]);
        QCOMPARE(int(reader->statistics().size()), counts[QStringLiteral("ISB")]);
        QCOMPARE(int(ours.size()),
                 counts[QStringLiteral("EPB")] + counts[QStringLiteral("SPB")] + counts[QStringLiteral("PB")]);
        QCOMPARE(g.custom_blocks, counts[QStringLiteral("CB")] + counts[QStringLiteral("DCB")]);
    }
}

void TestPcapngGenerator::everyGoldenFileHasACapture()
{
    SKIP_WITHOUT_CORPUS();
    for (const char* order : {"le", "be"}) {
        const QDir dir(kGolden + QLatin1Char('/') + QLatin1String(order));
        const QStringList files = dir.entryList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name);
        QVERIFY2(!files.isEmpty(), qPrintable(dir.path() + QStringLiteral(" holds no golden files")));
        for (const QString& file : files) {
            Golden g;
            const QString golden_error = read_golden(dir.filePath(file), g);
            QVERIFY2(golden_error.isEmpty(), qPrintable(golden_error));
            QVERIFY2(g.source.startsWith(QStringLiteral("output_") + QLatin1String(order) + QLatin1Char('/')),
                     qPrintable(file + QStringLiteral(" names ") + g.source));
            QVERIFY2(QFileInfo::exists(kCorpus + QLatin1Char('/') + g.source),
                     qPrintable(QStringLiteral("stale golden file %1: %2 is not in the corpus").arg(file, g.source)));
        }
    }
}

void TestPcapngGenerator::epochParsing()
{
    QCOMPARE(parse_epoch_ns(QStringLiteral("1340954905.298858000")), std::optional<int64_t>(1340954905298858000));
    QCOMPARE(parse_epoch_ns(QStringLiteral("1340954.905298858")), std::optional<int64_t>(1340954905298858));
    QCOMPARE(parse_epoch_ns(QStringLiteral("0.000000001")), std::optional<int64_t>(1));
    QCOMPARE(parse_epoch_ns(QStringLiteral("-1.500000000")), std::optional<int64_t>(-1500000000));
    // 9007199254.740993 s is not a double: integers only.
    QCOMPARE(parse_epoch_ns(QStringLiteral("9007199254.740993001")), std::optional<int64_t>(9007199254740993001));
    QVERIFY(!parse_epoch_ns(QStringLiteral("1.5")));
    QVERIFY(!parse_epoch_ns(QStringLiteral("1e9")));
    QVERIFY(!parse_epoch_ns(QString()));
}

QTEST_APPLESS_MAIN(TestPcapngGenerator)
#include "test_pcapng_generator.moc"
