// Follow TCP Stream against tshark: for every TCP stream (tshark's
// tcp.stream numbers) of the corpus files in follow_files.txt, the payload
// lines `underhood-cli follow tcp N FILE --format raw` prints (here: the
// same code in process) must be those of `tshark -q -z follow,tcp,raw,N`,
// Node lines included. One tshark run per file lists the streams, one more
// follows them all (tshark takes many -z at once). A difference with a
// reason is listed in follow_known_differences.txt as
// "FILE<TAB>STREAM<TAB>+N -M<TAB>reason": N lines only ours, M only tshark's.
// Other differences, or a listed one that stops differing, fail the test.
// The command itself is checked on a few streams against tshark's whole output.
//
// Skips when the shared corpus or tshark is missing.
#include "capture_reader.h"
#include "follow_stream.h"
#include "test_corpus.h"
#include "tshark_runner.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <set>

using namespace underhood;
using tshark_compare::run_tshark_jobs;
using tshark_compare::TsharkJob;

namespace {

QStringList read_lines(const QString& path)
{
    QStringList out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return out;
    for (const QByteArray& raw : f.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (!line.trimmed().isEmpty() && !line.startsWith('#'))
            out << line;
    }
    return out;
}

// tshark's follow blocks by stream: the lines from "Node 0" to the closing rule.
std::map<uint32_t, QStringList> follow_blocks(const QString& output)
{
    std::map<uint32_t, QStringList> out;
    QFile f(output);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    QStringList* block = nullptr;
    for (const QByteArray& raw : f.readAll().split('\n')) {
        const QString line = QString::fromLatin1(raw);
        if (line.startsWith(QLatin1String("Filter: tcp.stream eq "))) {
            block = &out[line.mid(22).toUInt()];
            continue;
        }
        if (line.startsWith(QLatin1String("====="))) {
            block = nullptr;
            continue;
        }
        if (block)
            *block << line;
    }
    return out;
}

QStringList ours(const QString& path, uint32_t stream, QString& error)
{
    std::string err;
    auto reader = CaptureReader::open_path(QFile::encodeName(path).toStdString(), err);
    if (!reader) {
        error = QString::fromStdString(err);
        return {};
    }
    StreamFollower f(FollowProtocol::Tcp, stream);
    if (!follow_capture(*reader, f, err))
        error = QString::fromStdString(err);
    const std::string header = format_follow_header(f, "raw");
    // Keep the Node lines of the header, as the blocks above do.
    QStringList lines;
    for (const QString& l : QString::fromLatin1(header).split('\n'))
        if (l.startsWith(QLatin1String("Node ")))
            lines << l;
    const QString body = QString::fromLatin1(format_follow(f.chunks(), "raw"));
    for (const QString& l : body.split('\n'))
        lines << l;
    if (!lines.isEmpty() && lines.back().isEmpty())
        lines.pop_back();
    return lines;
}

// "+N -M": lines only in `a`, lines only in `b` (as multisets).
QString line_difference(const QStringList& a, const QStringList& b)
{
    std::multiset<QString> sa(a.begin(), a.end()), sb(b.begin(), b.end());
    std::vector<QString> only_a, only_b;
    std::set_difference(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(only_a));
    std::set_difference(sb.begin(), sb.end(), sa.begin(), sa.end(), std::back_inserter(only_b));
    if (only_a.empty() && only_b.empty() && a != b)
        return QStringLiteral("order");
    return QStringLiteral("+%1 -%2").arg(only_a.size()).arg(only_b.size());
}

} // namespace

class FollowTsharkTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void streamsAgreeWithTshark();
    void commandPrintsWhatTsharkPrints();
    void dechunkedBodyAsTshark();

private:
    QString tshark_;
    QDir corpus_;
    QStringList files_;
    QTemporaryDir temp_;
};

void FollowTsharkTest::initTestCase()
{
    corpus_ = QDir(corpusDir());
    if (!corpus_.exists())
        QSKIP("the shared corpus is absent");
    tshark_ = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    if (tshark_.isEmpty())
        QSKIP("tshark (Debian: tshark) is not installed");
    QVERIFY(temp_.isValid());
    files_ = read_lines(QStringLiteral(UNDERHOOD_FOLLOW_FILES));
    QVERIFY2(files_.size() >= 20, "follow_files.txt lists fewer than 20 captures");
    // Gaps, holes and retransmissions the corpus rarely has (make_follow_gaps.py).
    files_ << QStringLiteral(UNDERHOOD_FOLLOW_GAPS);
}

void FollowTsharkTest::streamsAgreeWithTshark()
{
    // Phase 1: the stream numbers of each file, and which carry payload.
    std::vector<TsharkJob> lists;
    for (const QString& f : files_) {
        TsharkJob j;
        j.arguments = {"-n", "-r", corpus_.filePath(f), "-T", "fields", "-e", "tcp.stream", "-e", "tcp.len"};
        lists.push_back(j);
    }
    QDir(temp_.path()).mkpath("lists");
    run_tshark_jobs(tshark_, temp_.path() + "/lists", lists, 120 * 1000);
    std::vector<std::set<uint32_t>> streams(files_.size());
    std::vector<TsharkJob> follows;
    std::vector<size_t> follow_file;
    QStringList without_payload;
    for (qsizetype i = 0; i < files_.size(); ++i) {
        QVERIFY2(lists[size_t(i)].error.isEmpty(), qPrintable(files_[i] + ": " + lists[size_t(i)].error));
        QFile out(lists[size_t(i)].output_path);
        QVERIFY(out.open(QIODevice::ReadOnly));
        bool payload = false;
        for (const QByteArray& line : out.readAll().split('\n')) {
            const QList<QByteArray> cols = line.split('\t');
            if (cols.size() < 2 || cols[0].isEmpty())
                continue;
            // A packet in tunnels may carry several TCP layers: "0,1".
            for (const QByteArray& s : cols[0].split(','))
                streams[size_t(i)].insert(s.toUInt());
            for (const QByteArray& l : cols[1].split(','))
                payload = payload || l.toUInt() > 0;
        }
        if (!payload)
            without_payload << files_[i];
        TsharkJob j;
        j.arguments = {"-n", "-r", corpus_.filePath(files_[i]), "-q"};
        for (uint32_t s : streams[size_t(i)])
            j.arguments << "-z" << QStringLiteral("follow,tcp,raw,%1").arg(s);
        follows.push_back(j);
    }
    QVERIFY2(without_payload.isEmpty(),
             qPrintable("follow_files.txt lists captures without TCP payload: " + without_payload.join(' ')));
    // Phase 2: tshark follows every stream of a file in one run.
    QDir(temp_.path()).mkpath("follows");
    run_tshark_jobs(tshark_, temp_.path() + "/follows", follows, 300 * 1000);

    std::map<std::pair<QString, uint32_t>, QString> known;
    for (const QString& line : read_lines(QStringLiteral(UNDERHOOD_FOLLOW_KNOWN))) {
        const QStringList cols = line.split('\t');
        QVERIFY2(cols.size() >= 4, qPrintable("malformed known difference: " + line));
        known[{cols[0], cols[1].toUInt()}] = cols[2];
    }

    QStringList failures;
    size_t compared = 0, with_payload = 0, agreed = 0;
    std::set<std::pair<QString, uint32_t>> seen_known;
    for (qsizetype i = 0; i < files_.size(); ++i) {
        const QString& f = files_[i];
        QVERIFY2(follows[size_t(i)].error.isEmpty(), qPrintable(f + ": " + follows[size_t(i)].error));
        const std::map<uint32_t, QStringList> theirs = follow_blocks(follows[size_t(i)].output_path);
        for (uint32_t s : streams[size_t(i)]) {
            auto it = theirs.find(s);
            if (it == theirs.end()) {
                failures << QStringLiteral("%1 stream %2: no follow output from tshark").arg(f).arg(s);
                continue;
            }
            QString error;
            const QStringList mine = ours(corpus_.filePath(f), s, error);
            if (!error.isEmpty())
                failures << QStringLiteral("%1: %2").arg(f, error);
            ++compared;
            if (it->second.size() > 2)
                ++with_payload;
            const auto key = std::make_pair(f, s);
            const QString diff = mine == it->second ? QString() : line_difference(mine, it->second);
            auto k = known.find(key);
            if (k != known.end()) {
                seen_known.insert(key);
                if (diff.isEmpty())
                    failures << QStringLiteral("%1 stream %2 now agrees: remove it from the known differences").arg(f).arg(s);
                else if (diff != k->second)
                    failures << QStringLiteral("%1 stream %2 differs as %3, listed as %4").arg(f).arg(s).arg(diff, k->second);
                continue;
            }
            if (diff.isEmpty()) {
                ++agreed;
                continue;
            }
            QString detail;
            for (int l = 0; l < std::max(mine.size(), it->second.size()); ++l) {
                const QString a = l < mine.size() ? mine[l] : QStringLiteral("<none>");
                const QString b = l < it->second.size() ? it->second[l] : QStringLiteral("<none>");
                if (a != b) {
                    detail = QStringLiteral("line %1: ours '%2', tshark '%3'").arg(l).arg(a.left(80), b.left(80));
                    break;
                }
            }
            failures << QStringLiteral("%1 stream %2: %3 (%4)").arg(f).arg(s).arg(diff, detail);
        }
    }
    for (const auto& [key, form] : known)
        if (!seen_known.count(key))
            failures << QStringLiteral("known difference %1 stream %2 (%3) was not compared: stale entry")
                            .arg(key.first)
                            .arg(key.second)
                            .arg(form);
    qInfo("%zu files, %zu TCP streams compared (%zu with payload), %zu agree, %zu known differences",
          size_t(files_.size()), compared, with_payload, agreed, known.size());
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
}

void FollowTsharkTest::commandPrintsWhatTsharkPrints()
{
    const QString cli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
    if (!QFile::exists(cli))
        QSKIP("underhood-cli is not built");
    // One stream with segments both ways, one IPv6 stream, and each format.
    struct Case {
        QString file, format;
        uint32_t stream;
    };
    const std::vector<Case> cases = {
        {"tcpdump/bgp-4byte-asn.pcap", "raw", 0},   {"tcpdump/bgp-4byte-asn.pcap", "ascii", 0},
        {"tcpdump/bgp-4byte-asn.pcap", "hex", 0},   {"tcpdump/accecn_handshake.pcap", "ascii", 0},
        {"tcpdump/accecn_handshake.pcap", "hex", 0}, {"tcpdump/gso-ipv6.pcap", "raw", 0},
    };
    std::vector<TsharkJob> jobs;
    for (const Case& c : cases) {
        TsharkJob j;
        j.arguments = {"-n", "-r", corpus_.filePath(c.file), "-q", "-z",
                       QStringLiteral("follow,tcp,%1,%2").arg(c.format).arg(c.stream)};
        jobs.push_back(j);
    }
    QDir(temp_.path()).mkpath("cli");
    run_tshark_jobs(tshark_, temp_.path() + "/cli", jobs, 120 * 1000);
    for (size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        QFile t(jobs[i].output_path);
        QVERIFY(t.open(QIODevice::ReadOnly));
        QProcess p;
        p.start(cli, {"follow", "tcp", QString::number(c.stream), corpus_.filePath(c.file), "--format", c.format});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray mine = p.readAllStandardOutput();
        const QByteArray theirs = t.readAll();
        QVERIFY2(mine == theirs, qPrintable(QStringLiteral("%1 stream %2 --format %3 differs:\nours:\n%4\ntshark:\n%5")
                                                .arg(c.file)
                                                .arg(c.stream)
                                                .arg(c.format, QString::fromLatin1(mine.left(600)),
                                                     QString::fromLatin1(theirs.left(600)))));
    }
    // A stream the file does not have is an error, not empty output.
    QProcess p;
    p.start(cli, {"follow", "tcp", "9999", corpus_.filePath(cases[0].file)});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
}

// The option "De-chunk HTTP bodies": the body of a chunked response (cut
// across segments inside a chunk-size line and a CRLF, with a chunk
// extension) is tshark's http.file_data.
void FollowTsharkTest::dechunkedBodyAsTshark()
{
    const QString gaps = QStringLiteral(UNDERHOOD_FOLLOW_GAPS);
    std::vector<TsharkJob> jobs(1);
    jobs[0].arguments = {"-n", "-r", gaps, "-Y", "http.response && tcp.stream == 2", "-T", "fields", "-e",
                         "http.file_data"};
    QDir(temp_.path()).mkpath("chunked");
    run_tshark_jobs(tshark_, temp_.path() + "/chunked", jobs, 120 * 1000);
    QFile t(jobs[0].output_path);
    QVERIFY(t.open(QIODevice::ReadOnly));
    // tshark escapes the text of a string field: \n, \r, \t, \\.
    const QByteArray escaped = t.readAll().trimmed();
    QByteArray theirs;
    for (qsizetype i = 0; i < escaped.size(); ++i) {
        if (escaped[i] == '\\' && i + 1 < escaped.size()) {
            const char e = escaped[++i];
            theirs += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
        } else {
            theirs += escaped[i];
        }
    }
    QVERIFY(!theirs.isEmpty());

    std::string err;
    auto reader = CaptureReader::open_path(QFile::encodeName(gaps).toStdString(), err);
    QVERIFY(reader);
    StreamFollower f(FollowProtocol::Tcp, 2);
    QVERIFY(follow_capture(*reader, f, err));
    HttpDechunker dechunk;
    std::string server;
    for (const FollowChunk& c : f.chunks())
        if (c.direction == 1)
            server += dechunk.feed(c.data);
    const size_t body = server.find("\r\n\r\n");
    QVERIFY(body != std::string::npos);
    QCOMPARE(QByteArray::fromStdString(server.substr(body + 4)), theirs);
    // The headers stay as they were.
    QVERIFY(server.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
}

QTEST_GUILESS_MAIN(FollowTsharkTest)
#include "test_follow_tshark.moc"
