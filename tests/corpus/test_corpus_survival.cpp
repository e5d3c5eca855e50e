// Runs underhood-cli over every capture in the shared corpus (hundreds of
// real and deliberately broken files). Each run must end with exit status 0
// or 1, never a signal, never a sanitizer report, and valid JSON on success.
#include "test_corpus.h"
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QThread>
#include <algorithm>
#include <vector>
#include <QtTest>

class TestCorpusSurvival : public QObject {
    Q_OBJECT
private slots:
    void everyCorpusFile();
};

void TestCorpusSurvival::everyCorpusFile()
{
    const QString corpus = corpusDir();
    if (!QFileInfo(corpus).isDir())
        QSKIP("the shared capture corpus (../shared/corpus beside the checkout) is absent");
    const QString cli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
    QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli + " is not built"));

    QStringList files;
    QDirIterator it(corpus, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QString f = it.next();
        if (!f.endsWith(".txt") && !f.endsWith("LICENSE"))
            files << f;
    }
    files.sort();
    QVERIFY2(files.size() > 100, "the corpus looks incomplete");

    // One job per file and layer, run as many at a time as there are cores: under the
    // sanitizers a serial pass takes longer than a test function may.
    struct Job {
        QString file;
        QString layer;
        QProcess* proc = nullptr;
    };
    std::vector<Job> jobs;
    for (const QString& f : files)
        for (const char* layer : {"ip", "ether", "port"})
            jobs.push_back({f, QString::fromLatin1(layer)});

    QStringList failures;
    int ok = 0, rejected = 0;
    auto judge = [&](Job& j) {
        QProcess& p = *j.proc;
        const QString& f = j.file;
        const QString& layer = j.layer;
        if (!p.waitForFinished(120000)) {
            failures << f + ": timed out (" + layer + ")";
            p.kill();
            p.waitForFinished();
            return;
        }
        const QByteArray err = p.readAllStandardError();
        const QByteArray out = p.readAllStandardOutput();
        if (p.exitStatus() != QProcess::NormalExit) {
            failures << f + ": crashed (" + layer + ")";
            return;
        }
        if (err.contains("Sanitizer") || err.contains("runtime error:")) {
            failures << f + ": sanitizer report (" + layer + ")\n" + QString::fromUtf8(err.left(2000));
            return;
        }
        if (p.exitCode() == 0) {
            QJsonParseError pe;
            QJsonDocument doc = QJsonDocument::fromJson(out, &pe);
            if (pe.error != QJsonParseError::NoError || !doc.isObject() || !doc.object().contains("packets"))
                failures << f + ": exit 0 without a valid JSON object";
            else if (layer == "ip")
                ++ok;
        } else if (p.exitCode() == 1) {
            // An error is one line that names the file.
            const QByteArray line = err.trimmed();
            if (line.isEmpty() || line.contains('\n') || !line.contains(QFileInfo(f).fileName().toUtf8()))
                failures << f + ": exit 1 without a one-line error naming the file: " + QString::fromUtf8(err);
            else if (layer == "ip")
                ++rejected;
        } else {
            failures << f + ": exit status " + QString::number(p.exitCode());
        }
    };
    const size_t width = size_t(std::max(2, QThread::idealThreadCount()));
    size_t next = 0, done = 0;
    while (done < jobs.size()) {
        while (next < jobs.size() && next - done < width) {
            Job& j = jobs[next++];
            j.proc = new QProcess;
            j.proc->start(cli, {"stats", "--json", "--layer", j.layer, j.file});
        }
        Job& j = jobs[done++];
        judge(j);
        delete j.proc;
        j.proc = nullptr;
    }
    qInfo("%d files read, %d rejected with an error, %lld failures", ok, rejected, qlonglong(failures.size()));
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
}

QTEST_APPLESS_MAIN(TestCorpusSurvival)
#include "test_corpus_survival.moc"
