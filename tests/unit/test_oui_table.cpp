// OuiTable reads the IEEE's text listings; the same registries also come as
// CSV files (ieee-data ships both), which serve as the reference here: every
// assignment of every registry names its organisation for an address inside it.
#include "oui_table.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace underhood;

namespace {

const QString kIeeeData = QString::fromLatin1(OuiTable::kDefaultDir);

MacAddress mac_from_hex(const QString& twelve)
{
    MacAddress m;
    for (int i = 0; i < 6; ++i)
        m.bytes[size_t(i)] = uint8_t(twelve.mid(2 * i, 2).toUInt(nullptr, 16));
    return m;
}

struct Assignment {
    QString hex; // 6, 7 or 9 hex digits
    QString organisation;
};

// The records of an IEEE registry CSV (RFC 4180: quoted fields may hold
// commas, doubled quotes and line breaks), without its header.
QList<Assignment> read_csv(const QString& path)
{
    QList<Assignment> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QString text = QString::fromUtf8(f.readAll());
    QStringList record;
    QString cur;
    bool quoted = false;
    bool header = true;
    auto end_record = [&] {
        record << cur;
        cur.clear();
        if (!header && record.size() >= 3)
            out.push_back({record[1].trimmed(), record[2].trimmed()});
        header = false;
        record.clear();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
                cur += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                cur += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            record << cur;
            cur.clear();
        } else if (c == u'\n') {
            end_record();
        } else if (c != u'\r') {
            cur += c;
        }
    }
    if (!cur.isEmpty() || !record.isEmpty())
        end_record();
    return out;
}

// The text listings drop the quotation marks the CSV keeps (ООО "РОНЕКС").
QString comparable(QString name) { return name.remove(u'"').simplified(); }

} // namespace

class TestOuiTable : public QObject {
    Q_OBJECT

private slots:
    void longestPrefixWins();
    void everyRegistryAgreesWithItsCsv_data();
    void everyRegistryAgreesWithItsCsv();
    void systemTableHasAllRegistries();
};

void TestOuiTable::longestPrefixWins()
{
    // A block listed as a whole in MA-L and sold on in MA-M and MA-S pieces.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto write = [&](const char* name, const char* text) {
        QFile f(dir.filePath(QString::fromLatin1(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    };
    write("oui.txt", "70-B3-D5   (hex)\t\tIEEE Registration Authority\r\n"
                     "70B3D5     (base 16)\t\tIEEE Registration Authority\r\n"
                     "\t\t\t\t445 Hoes Lane\r\n\r\n"
                     "00-00-0C   (hex)\t\tCisco Systems, Inc\r\n"
                     "00000C     (base 16)\t\tCisco Systems, Inc\r\n");
    write("mam.txt", "70-B3-D5   (hex)\t\tMedium Block Ltd\n"
                     "A00000-AFFFFF     (base 16)\t\tMedium Block Ltd\n");
    write("oui36.txt", "70-B3-D5   (hex)\t\tSmall Block GmbH\n"
                       "A12000-A12FFF     (base 16)\t\tSmall Block GmbH\n");
    OuiTable t;
    QVERIFY(t.load_registries(dir.path().toStdString()));
    QCOMPARE(t.size(), size_t(4));
    QCOMPARE(t.vendor(mac_from_hex("00000C123456")), std::string("Cisco Systems, Inc"));
    QCOMPARE(t.vendor(mac_from_hex("70B3D5A12345")), std::string("Small Block GmbH"));
    QCOMPARE(t.vendor(mac_from_hex("70B3D5A13000")), std::string("Medium Block Ltd"));
    QCOMPARE(t.vendor(mac_from_hex("70B3D5B00000")), std::string("IEEE Registration Authority"));
    QCOMPARE(t.vendor(mac_from_hex("0A000C123456")), std::string()); // locally administered
    QCOMPARE(t.vendor(mac_from_hex("01000C123456")), std::string()); // group address
}

void TestOuiTable::everyRegistryAgreesWithItsCsv_data()
{
    QTest::addColumn<QString>("txt");
    QTest::addColumn<QString>("csv");
    QTest::newRow("MA-L") << "oui.txt" << "oui.csv";
    QTest::newRow("MA-M") << "mam.txt" << "mam.csv";
    QTest::newRow("MA-S") << "oui36.txt" << "oui36.csv";
    QTest::newRow("IAB") << "iab.txt" << "iab.csv";
}

void TestOuiTable::everyRegistryAgreesWithItsCsv()
{
    QFETCH(QString, txt);
    QFETCH(QString, csv);
    const QString csv_path = kIeeeData + u'/' + csv;
    if (!QFile::exists(csv_path))
        QSKIP("Debian's ieee-data is not installed");
    // All registries loaded together, as the app does: each CSV entry must
    // still win for addresses inside it (no shorter prefix shadows it).
    OuiTable t;
    QVERIFY(t.load_registries(kIeeeData.toStdString()));
    const QList<Assignment> rows = read_csv(csv_path);
    QVERIFY2(rows.size() > 1000, qPrintable(csv_path));
    // A few prefixes are listed more than once (080030: three owners); any of them will do.
    QHash<QString, QStringList> owners;
    for (const Assignment& a : rows)
        owners[a.hex] << comparable(a.organisation);
    int checked = 0;
    QStringList wrong;
    for (const Assignment& a : rows) {
        // The IEEE's own MA-L blocks are sold on as MA-M and MA-S pieces,
        // whose owners win (longestPrefixWins checks that).
        if (a.organisation == "IEEE Registration Authority")
            continue;
        QVERIFY2(a.hex.size() == 6 || a.hex.size() == 7 || a.hex.size() == 9, qPrintable(a.hex));
        // The first and the last address of the block.
        for (const char fill : {'0', 'F'}) {
            const QString mac = a.hex + QString(12 - a.hex.size(), QChar::fromLatin1(fill));
            const MacAddress m = mac_from_hex(mac);
            if (m.bytes[0] & 0x03)
                continue; // the IEEE lists a few blocks with these bits set; they name no vendor
            const QString got = QString::fromStdString(t.vendor(m));
            if (!owners[a.hex].contains(comparable(got)) && wrong.size() < 10)
                wrong << mac + ": " + got + " | " + a.organisation;
            ++checked;
        }
    }
    QVERIFY2(wrong.isEmpty(), qPrintable(txt + ": " + wrong.join("; ")));
    QVERIFY(checked > 1000);
}

void TestOuiTable::systemTableHasAllRegistries()
{
    if (!QFile::exists(kIeeeData + "/oui36.txt"))
        QSKIP("Debian's ieee-data is not installed");
    const OuiTable& t = OuiTable::system();
    size_t expected = 0;
    for (const char* csv : {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"})
        expected += size_t(read_csv(kIeeeData + u'/' + QLatin1String(csv)).size());
    // Assignments that repeat a prefix (the IEEE lists some twice) count once.
    QVERIFY2(t.size() <= expected && t.size() + 50 >= expected,
             qPrintable(QString("%1 loaded, %2 listed").arg(t.size()).arg(expected)));
}

QTEST_APPLESS_MAIN(TestOuiTable)
#include "test_oui_table.moc"
