// underhood-cli stats --json --layer ip against committed golden files made
// with tshark (tests/tshark/make_golden.sh), and the CLI's exit codes.
//
// No tshark needed here. The captures come from the shared corpus; a case
// whose capture is absent is skipped.
#include "test_corpus.h"
#include "conversation_table.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace tshark_compare;

namespace {

struct CliRun {
    int exit_code = -1;
    bool crashed = false;
    QByteArray out, err;
};

CliRun run_cli(const QStringList& args)
{
    CliRun r;
    QProcess p;
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli"), args);
    if (!p.waitForStarted(30000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    p.waitForFinished(120000);
    r.crashed = p.exitStatus() != QProcess::NormalExit;
    r.exit_code = r.crashed ? -1 : p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray sha256_of(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

// One line of text, ending in a newline, with nothing after it.
bool is_one_line(const QByteArray& s)
{
    return !s.isEmpty() && s.endsWith('\n') && s.count('\n') == 1;
}

} // namespace

class CliGoldenTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void matches_golden_data();
    void matches_golden();
    void exit_codes_for_bad_input_data();
    void exit_codes_for_bad_input();
    void exit_codes_for_usage_errors_data();
    void exit_codes_for_usage_errors();

private:
    QTemporaryDir work_;
};

void CliGoldenTest::initTestCase()
{
    QVERIFY(work_.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli")), "build underhood-cli first");
}

void CliGoldenTest::matches_golden_data()
{
    QTest::addColumn<QString>("golden");
    const QDir dir(QStringLiteral(UNDERHOOD_GOLDEN_DIR));
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    QVERIFY2(!files.isEmpty(), "no golden files");
    for (const QString& f : files)
        QTest::newRow(qPrintable(f)) << dir.filePath(f);
}

void CliGoldenTest::matches_golden()
{
    QFETCH(QString, golden);
    QFile gf(golden);
    QVERIFY(gf.open(QIODevice::ReadOnly));
    QJsonParseError perr;
    const QJsonDocument gdoc = QJsonDocument::fromJson(gf.readAll(), &perr);
    QVERIFY2(gdoc.isObject(), qPrintable(perr.errorString()));
    const QJsonObject g = gdoc.object();
    ConversationTable expected;
    QString error;
    QVERIFY2(table_from_json(g, expected, error), qPrintable(error));

    const QString capture = corpusDir() + QStringLiteral("/") + g.value(QLatin1String("capture")).toString();
    if (!QFile::exists(capture))
        QSKIP(qPrintable(QStringLiteral("capture absent: ") + capture));
    QCOMPARE(sha256_of(capture), g.value(QLatin1String("sha256")).toString().toLatin1());

    // A capture cut short inside a record: the CLI prints what it read and warns.
    QString input = capture;
    const int cut_at = g.value(QLatin1String("cut_at")).toInt(-1);
    if (cut_at >= 0) {
        QFile src(capture);
        QVERIFY(src.open(QIODevice::ReadOnly));
        input = work_.filePath(QFileInfo(golden).completeBaseName() + QStringLiteral(".cut"));
        QFile dst(input);
        QVERIFY(dst.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(dst.write(src.read(cut_at)), qint64(cut_at));
    }

    const CliRun r = run_cli({QStringLiteral("stats"), QStringLiteral("--json"), QStringLiteral("--layer"),
                              QStringLiteral("ip"), input});
    QVERIFY2(!r.crashed, r.err.constData());
    QCOMPARE(r.exit_code, 0);
    const QJsonDocument odoc = QJsonDocument::fromJson(r.out, &perr);
    QVERIFY2(odoc.isObject(), qPrintable(perr.errorString()));
    const QJsonObject o = odoc.object();
    QCOMPARE(o.value(QLatin1String("layer")).toString(), QStringLiteral("ip"));
    ConversationTable actual;
    QVERIFY2(table_from_json(o, actual, error), qPrintable(error));
    const QStringList diff = differences(expected, actual);
    QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("differences:\n    ") + diff.join(QStringLiteral("\n    "))));

    // Every conversation's text order and sums hold, whatever its counts.
    for (const QJsonValue& v : o.value(QLatin1String("conversations")).toArray()) {
        const QJsonObject c = v.toObject();
        QVERIFY(c.value(QLatin1String("a")).toString().toUtf8() <= c.value(QLatin1String("b")).toString().toUtf8());
        auto n = [&](const char* k) { return c.value(QLatin1String(k)).toInteger(-1); };
        QCOMPARE(n("packets"), n("a_to_b_packets") + n("b_to_a_packets"));
        QCOMPARE(n("bytes"), n("a_to_b_bytes") + n("b_to_a_bytes"));
    }
    if (cut_at >= 0) {
        QVERIFY2(!o.value(QLatin1String("warnings")).toArray().isEmpty(), "a capture cut short must warn");
        QVERIFY2(r.err.contains("warning"), "the warning also goes to stderr");
    }
}

void CliGoldenTest::exit_codes_for_bad_input_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content"); // empty: the file is not created

    QTest::newRow("text file") << QStringLiteral("notes.txt")
                               << QByteArray("This is a text file, not a capture.\nSecond line.\n");
    QTest::newRow("empty file") << QStringLiteral("empty.pcap") << QByteArray();
    QTest::newRow("missing file") << QStringLiteral("no-such-file.pcap") << QByteArray();
}

void CliGoldenTest::exit_codes_for_bad_input()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    const QString path = work_.filePath(file);
    if (file != QLatin1String("no-such-file.pcap")) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(f.write(content), qint64(content.size()));
    }
    const CliRun r = run_cli({QStringLiteral("stats"), QStringLiteral("--json"), path});
    QVERIFY(!r.crashed);
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(is_one_line(r.err), r.err.constData());
    QVERIFY2(r.out.isEmpty(), r.out.constData());
}

void CliGoldenTest::exit_codes_for_usage_errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no command") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("stats without file") << QStringList{QStringLiteral("stats"), QStringLiteral("--json")};
    QTest::newRow("unknown layer") << QStringList{QStringLiteral("stats"), QStringLiteral("--layer"),
                                                  QStringLiteral("bogus"), QStringLiteral("x.pcap")};
    QTest::newRow("layer without value") << QStringList{QStringLiteral("stats"), QStringLiteral("--layer")};
    QTest::newRow("unknown option") << QStringList{QStringLiteral("stats"), QStringLiteral("--frobnicate"),
                                                   QStringLiteral("x.pcap")};
    QTest::newRow("two files") << QStringList{QStringLiteral("stats"), QStringLiteral("a.pcap"),
                                              QStringLiteral("b.pcap")};
}

void CliGoldenTest::exit_codes_for_usage_errors()
{
    QFETCH(QStringList, args);
    const CliRun r = run_cli(args);
    QVERIFY(!r.crashed);
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(!r.err.isEmpty(), "a usage error explains itself on stderr");
    QVERIFY2(r.out.isEmpty(), r.out.constData());
}

QTEST_GUILESS_MAIN(CliGoldenTest)
#include "test_cli_golden.moc"
