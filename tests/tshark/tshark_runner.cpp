#include "tshark_runner.h"

#include <QDir>
#include <QFile>
#include <QEventLoop>
#include <QProcess>
#include <QThread>
#include <QTimer>

namespace tshark_compare {

QStringList read_lines(const QString& path)
{
    QStringList out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return out;
    for (const QByteArray& raw : f.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (!line.isEmpty() && !line.startsWith('#'))
            out << line;
    }
    return out;
}


void run_tshark_jobs(const QString& tshark, const QString& work_dir, std::vector<TsharkJob>& jobs, int timeout_ms)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), work_dir);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), work_dir);
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));

    const int parallel = std::max(2, QThread::idealThreadCount());
    std::vector<bool> finished(jobs.size(), false);
    size_t next = 0;
    int running = 0;
    QEventLoop loop;
    std::function<void()> launch = [&] {
        while (running < parallel && next < jobs.size()) {
            const size_t i = next++;
            TsharkJob& job = jobs[i];
            job.output_path = QDir(work_dir).filePath(QStringLiteral("%1.out").arg(i));
            auto* p = new QProcess(&loop);
            p->setProcessEnvironment(env);
            p->setStandardOutputFile(job.output_path);
            p->setStandardErrorFile(QProcess::nullDevice());
            p->setStandardInputFile(QProcess::nullDevice());
            auto done = [&, p, i](const QString& error) {
                if (finished[i])
                    return;
                finished[i] = true;
                jobs[i].error = error;
                jobs[i].exit_code = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
                p->deleteLater();
                --running;
                launch();
                if (running == 0 && next == jobs.size())
                    loop.quit();
            };
            QObject::connect(p, &QProcess::finished, p, [done](int, QProcess::ExitStatus st) {
                done(st == QProcess::NormalExit ? QString() : QStringLiteral("tshark crashed or was killed"));
            });
            QObject::connect(p, &QProcess::errorOccurred, p, [done, p](QProcess::ProcessError e) {
                if (e == QProcess::FailedToStart)
                    done(QStringLiteral("tshark failed to start: ") + p->errorString());
            });
            QTimer::singleShot(timeout_ms, p, [p] { p->kill(); });
            ++running;
            p->start(tshark, job.arguments);
        }
    };
    launch();
    if (running > 0)
        loop.exec();
}

} // namespace tshark_compare
