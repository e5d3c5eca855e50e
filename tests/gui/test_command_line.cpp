// The programs answer --help and --version anywhere: no display, no Qt
// platform plugin chosen (over ssh, in scripts, in a package build).
#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest>

namespace {

const QString kGui = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood");
const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");

struct Result {
    int code = -1;
    QString out, err;
};

Result run(const QString& program, const QStringList& args)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* var : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
        env.remove(var);
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    Result r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    return r;
}

} // namespace

class TestCommandLine : public QObject {
    Q_OBJECT
private slots:
    void guiHelpWithoutDisplay()
    {
        const Result r = run(kGui, {"--help"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("--interface"), qPrintable(r.out));
        QVERIFY(r.out.contains("--screenshot"));
        QVERIFY(r.out.contains("Usage:"));
    }
    void guiVersionWithoutDisplay()
    {
        const Result r = run(kGui, {"--version"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith("underhood "), qPrintable(r.out));
        QVERIFY(r.out.contains(QRegularExpression("\\d+\\.\\d+")));
    }
    void guiHelpAmongOtherOptions()
    {
        const Result r = run(kGui, {"-m", "ether", "-h"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("--interface"));
    }
    void cliHelp()
    {
        const Result r = run(kCli, {"--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("stats"));
    }
    void cliStatsHelp()
    {
        for (const char* flag : {"--help", "-h"}) {
            const Result r = run(kCli, {"stats", flag});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(r.out.startsWith("usage: underhood-cli stats"), qPrintable(r.out));
            QVERIFY(r.out.contains("--layer"));
            QVERIFY(r.err.isEmpty());
        }
    }
    void cliStatsUnknownOptionIsUsageError()
    {
        const Result r = run(kCli, {"stats", "--no-such-option"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown option"));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "test_command_line.moc"
