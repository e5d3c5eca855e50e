// Nothing moving costs nothing: the app on the demo capture, read, laid out
// and not playing, uses under 1% of a core (utime + stime from
// /proc/PID/stat over 10 s), and a hidden graph draws no frames.
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "main_window.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kGui = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood");

// utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat).
double cpu_seconds(qint64 pid)
{
    QFile f(QString("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = f.readAll();
    // The command name in parentheses may hold spaces: count from after it.
    const QList<QByteArray> rest = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (rest.size() < 13)
        return -1;
    return double(rest[11].toLongLong() + rest[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

} // namespace

class TestIdleCost : public QObject {
    Q_OBJECT
private slots:
    void idleAppUsesUnderOnePercent();
    void hiddenGraphDrawsNothing();
};

void TestIdleCost::idleAppUsesUnderOnePercent()
{
    QTemporaryDir config; // default window size and settings, whatever the user's are
    QVERIFY(config.isValid());
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    // The app says when the file is shown and when its graph stops drawing.
    env.insert("QT_LOGGING_RULES", "underhood.session.debug=true\nunderhood.graph.frames.debug=true");
    env.insert("XDG_CONFIG_HOME", config.path());
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::SeparateChannels);
    app.start(kGui, {kDemo});
    QVERIFY(app.waitForStarted());
    auto stop = qScopeGuard([&] {
        app.terminate();
        if (!app.waitForFinished(5000))
            app.kill();
        app.waitForFinished();
    });
    QByteArray log;
    // Settled: the file is shown, its expert analysis (a worker's job after
    // reading) is done, and the graph's frames stopped after that.
    auto settled = [&] {
        log += app.readAllStandardError();
        const qsizetype shown = log.indexOf("session shown");
        if (shown < 0 || !log.contains("expert analysis done"))
            return false;
        const qsizetype stopped = log.lastIndexOf("frames stopped");
        const qsizetype started = log.lastIndexOf("frames started");
        return stopped > shown && stopped > started;
    };
    QVERIFY2(QTest::qWaitFor(settled, 90000), log.right(2000).constData());
    const qsizetype mark = log.size();
    const double before = cpu_seconds(app.processId());
    QElapsedTimer clock;
    clock.start();
    QTest::qWait(10000);
    const double after = cpu_seconds(app.processId());
    const double wall = double(clock.elapsed()) / 1000.0;
    log += app.readAllStandardError();
    QVERIFY(before >= 0 && after >= 0);
    const double share = (after - before) / wall;
    qInfo("idle: %.2f s of CPU over %.1f s = %.2f%% of a core", after - before, wall, 100 * share);
    QVERIFY2(!log.mid(mark).contains("frames started"), log.mid(mark).constData());
    QVERIFY2(share < 0.01, qPrintable(QString("%1% of a core").arg(100 * share, 0, 'f', 2)));
}

void TestIdleCost::hiddenGraphDrawsNothing()
{
    MainWindow w;
    w.setQuiet(true);
    w.show();
    QVERIFY(w.openFile(kDemo));
    QVERIFY(QTest::qWaitFor([&] { return w.sessionShown() && !w.graphPane()->isBusy(); }, 60000));
    HostGraphView* graph = w.graphPane()->view();
    QVERIFY(QTest::qWaitFor([&] { return !graph->isTicking(); }, 60000));
    // A file not playing shows a past moment: its particles stand still.
    QVERIFY(!graph->isFlowing());

    // Frames while something moves (as when playing) ...
    graph->setAnimating(true);
    QVERIFY(graph->isTicking());
    // ... none while the window is hidden ...
    w.hide();
    QVERIFY(!graph->isTicking());
    graph->update();
    QTest::qWait(100);
    QVERIFY(!graph->isTicking());
    // ... and again once it shows.
    w.show();
    QVERIFY(QTest::qWaitFor([&] { return graph->isTicking(); }, 5000));
    graph->setAnimating(false);
    QVERIFY(QTest::qWaitFor([&] { return !graph->isTicking(); }, 5000));
}

QTEST_MAIN(TestIdleCost)
#include "test_idle_cost.moc"
