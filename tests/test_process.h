// Small helpers the tests that drive outside programs (ip, ethtool, the
// capture helper) and save screenshots share.
#pragma once

#include <QApplication>
#include <QByteArray>
#include <QDir>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QWidget>

namespace underhood::test {

// Runs `program` to its end (at most `timeout_ms`); its exit code, -1 when it
// did not end in time, -2 when it crashed. `out` gets its standard output.
inline int run_process(const QString& program, const QStringList& args, QByteArray* out = nullptr,
                       int timeout_ms = 60000)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

// Saves `w` as NAME.png in UNDERHOOD_SCREENSHOT_DIR when that is set.
inline void save_shot(QWidget& w, const QString& name)
{
    const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QApplication::processEvents();
    w.grab().save(QDir(dir).filePath(name + ".png"));
}

} // namespace underhood::test
