// The IP-layer conversations of every corpus capture with a link type we
// decode must equal tshark's, keyed by each frame's outermost IP header.
//
// tshark runs at test time (several at once); the library runs in-process.
// Skips when the shared corpus or tshark is missing.
#include "test_corpus.h"
#include "conversation_table.h"
#include "tshark_runner.h"

#include "capture_reader.h"
#include "packet_decoder.h"
#include "traffic_model.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <functional>
#include <map>
#include <memory>
#include <vector>

using namespace underhood;
using namespace tshark_compare;

namespace {

// Captures where we knowingly differ from tshark, each with the reason.
// Keep this short: fix the decoder instead whenever tshark is right.
const std::map<QString, const char*> kKnownDifferences = {
    // (none: every supported capture of the corpus agrees)
};

constexpr int kTsharkTimeoutMs = 5 * 60 * 1000;

struct CorpusFile {
    QString name;
    QString path;
    tshark_compare::ConversationTable ours;
    QString our_error; // set when the reader failed part-way
    // tshark
    QString output_path;
    int exit_code = -1;
    bool finished = false;
    QString tshark_error;
};

} // namespace

class TsharkCorpusTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void agrees_with_tshark_data();
    void agrees_with_tshark();
    void cleanupTestCase();

private:
    void run_tshark_all();

    QString tshark_;
    QTemporaryDir work_;
    std::vector<CorpusFile> files_;
    int skipped_link_type_ = 0;
    int not_a_capture_ = 0;
    int agreed_ = 0;
    int compared_ = 0;
};

void TsharkCorpusTest::initTestCase()
{
    const QDir corpus(corpusDir() + QStringLiteral("/tcpdump"));
    if (!corpus.exists())
        QSKIP("the shared corpus (corpus/tcpdump) is absent");
    tshark_ = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    if (tshark_.isEmpty())
        QSKIP("tshark is not installed");
    QVERIFY(work_.isValid());

    QElapsedTimer timer;
    timer.start();
    const QStringList names = corpus.entryList(QDir::Files, QDir::Name);
    for (const QString& name : names) {
        if (name == QLatin1String("LICENSE") || name.startsWith(QLatin1Char('.')))
            continue;
        CorpusFile f;
        f.name = name;
        f.path = corpus.filePath(name);
        std::string error;
        auto reader = CaptureReader::open_path(QFile::encodeName(f.path).toStdString(), error);
        if (!reader) {
            ++not_a_capture_;
            continue;
        }
        TrafficModelOptions opts;
        opts.layers = {false, true, false};
        opts.throughput = false;
        opts.names = false;
        TrafficModel model(opts);
        PacketRecord rec;
        DecodedPacket dp;
        CaptureReader::Status st;
        while ((st = reader->next(rec)) == CaptureReader::Status::Packet) {
            decode_packet(rec.link_type, rec.data, rec.origlen, dp);
            model.add(rec, dp);
        }
        if (st == CaptureReader::Status::Error)
            f.our_error = QString::fromStdString(reader->error());
        // A file counts when every interface has a link type we decode.
        bool supported = !reader->interfaces().empty();
        for (const CaptureInterface& itf : reader->interfaces())
            supported = supported && link_type_supported(itf.link_type);
        if (!supported) {
            ++skipped_link_type_;
            continue;
        }
        f.ours = table_from_model(model);
        files_.push_back(std::move(f));
    }
    qInfo("library pass over %d files: %lld ms", int(files_.size()), qint64(timer.restart()));
    run_tshark_all();
    qInfo("tshark over %d files: %lld ms", int(files_.size()), qint64(timer.elapsed()));
}

void TsharkCorpusTest::run_tshark_all()
{
    std::vector<TsharkJob> jobs(files_.size());
    for (size_t i = 0; i < files_.size(); ++i)
        jobs[i].arguments = tshark_arguments(files_[i].path);
    run_tshark_jobs(tshark_, work_.path(), jobs, kTsharkTimeoutMs);
    for (size_t i = 0; i < files_.size(); ++i) {
        files_[i].output_path = jobs[i].output_path;
        files_[i].exit_code = jobs[i].exit_code;
        files_[i].tshark_error = jobs[i].error;
        files_[i].finished = true;
    }
}

void TsharkCorpusTest::agrees_with_tshark_data()
{
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < files_.size(); ++i)
        QTest::newRow(qPrintable(files_[i].name)) << int(i);
}

void TsharkCorpusTest::agrees_with_tshark()
{
    QFETCH(int, index);
    const CorpusFile& f = files_[size_t(index)];
    ++compared_;
    QVERIFY2(f.finished && f.tshark_error.isEmpty(), qPrintable(f.tshark_error));
    QVERIFY2(f.our_error.isEmpty(), qPrintable(QStringLiteral("reader error: ") + f.our_error));
    QFile out(f.output_path);
    QVERIFY(out.open(QIODevice::ReadOnly));
    const TsharkParse theirs = parse_tshark_fields(out.readAll());
    QCOMPARE(theirs.bad_lines, uint64_t(0));
    if (theirs.partial_header_frames)
        qInfo("%s: %llu frames end inside the first IP header (not IP for either side)", qPrintable(f.name),
              static_cast<unsigned long long>(theirs.partial_header_frames));

    const QStringList diff = differences(theirs.table, f.ours);
    auto known = kKnownDifferences.find(f.name);
    if (known != kKnownDifferences.end())
        QEXPECT_FAIL("", known->second, Abort);
    if (diff.isEmpty())
        ++agreed_;
    // tshark (exit code 2 on a capture cut short) prints what it read, like us.
    QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("tshark exit %1; differences:\n    ").arg(f.exit_code) +
                                        diff.join(QStringLiteral("\n    "))));
}

void TsharkCorpusTest::cleanupTestCase()
{
    if (compared_ > 0)
        qInfo("%d of %d supported-link-type captures agree with tshark exactly (%d skipped for their link type, "
              "%d not captures)",
              agreed_, compared_, skipped_link_type_, not_a_capture_);
}

QTEST_GUILESS_MAIN(TsharkCorpusTest)
#include "test_tshark_corpus.moc"
