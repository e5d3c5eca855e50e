// Display filters in Wireshark's language against tshark -Y: for each
// expression of dfilter_expressions.txt, the packets it passes over the
// corpus files whose every interface the engine decodes and the demo
// capture (merged with mergecap into one capture, so tshark starts once per
// expression) must be exactly tshark's. A difference that has a reason
// (nearly always a packet the engine decodes less or more deeply than
// tshark, not the language) is listed in dfilter_known_differences.txt as
// "expression<TAB>+N -M<TAB>reason": N packets only we select, M only
// tshark. Other counts, or an entry that stops differing, fail the test,
// so the list stays exact.
//
// Skips when the shared corpus, tshark or mergecap is missing.
#include "capture_reader.h"
#include "packet_decoder.h"
#include "record_filter.h"
#include "test_corpus.h"
#include "tshark_runner.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <set>

using namespace underhood;
using tshark_compare::read_lines;
using tshark_compare::run_tshark_jobs;
using tshark_compare::TsharkJob;

namespace {

// The packet numbers `expr` passes in `path`, as underhood-cli -Y sees them.
std::vector<uint64_t> ours(const QString& path, const QString& expr, QString& error)
{
    std::vector<uint64_t> out;
    std::string err;
    RecordFilter rf;
    if (!rf.compile(expr.toStdString(), err)) {
        error = QString::fromStdString(err);
        return out;
    }
    if (rf.language() != DisplayFilter::Language::Wireshark) {
        error = "read as BPF, not as a Wireshark display filter";
        return out;
    }
    auto reader = CaptureReader::open_path(QFile::encodeName(path).toStdString(), err);
    if (!reader) {
        error = QString::fromStdString(err);
        return out;
    }
    PacketRecord rec;
    while (reader->next(rec) == CaptureReader::Status::Packet) {
        DecodedPacket dp;
        if (rf.decode_and_match(rec, dp))
            out.push_back(rec.number);
    }
    return out;
}

// tshark's frame numbers as our packet numbers: tshark also lists blocks
// that are no packets (pcapng custom blocks, with no encapsulation type);
// `ours_of` maps its frame numbers to ours, 0 for those.
std::vector<uint64_t> numbers_in(const QString& output, const std::vector<uint64_t>& ours_of)
{
    std::vector<uint64_t> out;
    QFile f(output);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray& line : f.readAll().split('\n')) {
        const uint64_t n = line.trimmed().toULongLong();
        if (n && n < ours_of.size() && ours_of[n])
            out.push_back(ours_of[n]);
    }
    return out;
}

QString first_differences(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b)
{
    std::vector<uint64_t> only_a, only_b;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_a));
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_b));
    auto list = [](const std::vector<uint64_t>& v) {
        QStringList s;
        for (size_t i = 0; i < v.size() && i < 8; ++i)
            s << QString::number(v[i]);
        return s.join(' ') + (v.size() > 8 ? " ..." : "");
    };
    return QStringLiteral("only ours: %1 [%2]; only tshark's: %3 [%4]")
        .arg(only_a.size())
        .arg(list(only_a))
        .arg(only_b.size())
        .arg(list(only_b));
}

} // namespace

class DfilterTsharkTest : public QObject {
    Q_OBJECT
private slots:
    void agreesWithTshark();
};

void DfilterTsharkTest::agreesWithTshark()
{
    const QDir corpus(corpusDir());
    if (!corpus.exists())
        QSKIP("the shared corpus is absent");
    const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    const QString mergecap = QStandardPaths::findExecutable(QStringLiteral("mergecap"));
    if (tshark.isEmpty() || mergecap.isEmpty())
        QSKIP("tshark or mergecap (Debian: tshark, wireshark-common) is not installed");
    QTemporaryDir temp;
    QVERIFY(temp.isValid());

    // The corpus files read without a warning, every interface decoded.
    QStringList inputs;
    QDirIterator it(corpus.path(), QDir::Files, QDirIterator::Subdirectories);
    QStringList all;
    while (it.hasNext())
        all << it.next();
    all.sort();
    for (const QString& path : all) {
        std::string error;
        auto reader = CaptureReader::open_path(QFile::encodeName(path).toStdString(), error);
        if (!reader)
            continue;
        PacketRecord rec;
        while (reader->next(rec) == CaptureReader::Status::Packet) {
        }
        bool clean = !reader->interfaces().empty() && reader->error().empty() && reader->warnings().empty() &&
                     reader->packets_read() > 0;
        for (const CaptureInterface& itf : reader->interfaces())
            clean = clean && link_type_supported(itf.link_type);
        if (clean)
            inputs << path;
    }
    QVERIFY2(inputs.size() > 100, "the corpus looks incomplete");
    const int corpus_files = int(inputs.size());
    inputs << QStringLiteral(UNDERHOOD_DEMO_CAPTURE);
    const QString merged = temp.filePath("corpus.pcapng");
    QProcess merge;
    merge.start(mergecap, QStringList{"-a", "-F", "pcapng", "-w", merged} + inputs);
    QVERIFY(merge.waitForFinished(120000));
    QVERIFY2(merge.exitCode() == 0, merge.readAllStandardError().constData());
    qInfo("%d corpus files and the demo capture merged", corpus_files);
    // UNDERHOOD_DFILTER_KEEP=FILE keeps the merged capture, to look into a difference.
    if (const QString keep = qEnvironmentVariable("UNDERHOOD_DFILTER_KEEP"); !keep.isEmpty()) {
        QFile::remove(keep);
        QFile::copy(merged, keep);
    }

    const QStringList exprs = read_lines(QStringLiteral(UNDERHOOD_DFILTER_EXPRESSIONS));
    QVERIFY2(exprs.size() >= 30, "at least 30 expressions");
    std::map<QString, QString> known; // expression -> "+N -M"
    for (const QString& line : read_lines(QStringLiteral(UNDERHOOD_DFILTER_KNOWN))) {
        const QStringList parts = line.split('\t');
        QVERIFY2(parts.size() == 3 && !parts[2].trimmed().isEmpty(), qPrintable("expected expression, +N -M, reason: " + line));
        known[parts[0]] = parts[1];
    }

    // The first job lists every frame, to number tshark's frames as ours.
    std::vector<TsharkJob> jobs(1);
    jobs[0].arguments = {"-n", "-r", merged, "-T", "fields", "-e", "frame.number", "-e", "frame.encap_type"};
    for (const QString& e : exprs) {
        TsharkJob j;
        j.arguments = {"-n", "-r", merged, "-Y", e, "-T", "fields", "-e", "frame.number"};
        jobs.push_back(j);
    }
    run_tshark_jobs(tshark, temp.path(), jobs);
    QVERIFY2(jobs[0].exit_code == 0, qPrintable(jobs[0].error));
    std::vector<uint64_t> ours_of(1, 0);
    {
        QFile f(jobs[0].output_path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        uint64_t packets = 0;
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            const QList<QByteArray> cols = line.split('\t');
            ours_of.push_back(cols.size() > 1 && !cols[1].trimmed().isEmpty() ? ++packets : 0);
        }
    }

    QStringList failures;
    std::set<QString> differing;
    size_t job = 1;
    for (const QString& e : exprs) {
        const TsharkJob& j = jobs[job++];
        if (j.exit_code != 0) {
            failures << QStringLiteral("tshark rejects '%1': %2").arg(e, j.error);
            continue;
        }
        QString error;
        const std::vector<uint64_t> mine = ours(merged, e, error);
        if (!error.isEmpty()) {
            failures << QStringLiteral("'%1': %2").arg(e, error);
            continue;
        }
        const std::vector<uint64_t> theirs = numbers_in(j.output_path, ours_of);
        if (mine == theirs)
            continue;
        differing.insert(e);
        std::vector<uint64_t> only_mine, only_theirs;
        std::set_difference(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(only_mine));
        std::set_difference(theirs.begin(), theirs.end(), mine.begin(), mine.end(), std::back_inserter(only_theirs));
        const QString counts = QStringLiteral("+%1 -%2").arg(only_mine.size()).arg(only_theirs.size());
        if (!known.count(e) || known[e] != counts)
            failures << QStringLiteral("'%1' (%2, listed: %3): %4 packets, tshark %5; %6")
                            .arg(e, counts, known.count(e) ? known[e] : QStringLiteral("none"))
                            .arg(mine.size())
                            .arg(theirs.size())
                            .arg(first_differences(mine, theirs));
    }
    for (const auto& [e, reason] : known)
        if (!differing.count(e))
            failures << QStringLiteral("'%1' is listed as differing (%2) but agrees now: remove it").arg(e, reason);
    qInfo("%lld expressions, %lld with a known difference", qlonglong(exprs.size()), qlonglong(differing.size()));
    for (const QString& f : failures)
        qWarning("%s", qPrintable(f));
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
}

QTEST_GUILESS_MAIN(DfilterTsharkTest)
#include "test_dfilter_tshark.moc"
