// TCP sequence analysis against tshark's: for every corpus file with TCP and
// the demo capture and a crafted capture that trips every flag
// (tests/corpus/crafted/make_tcp_analysis.py), the packets carrying each
// tcp.analysis.* field (and the
// relative tcp.seq, tcp.ack and tcp.nxtseq) must be tshark's, with the same
// value where the field has one. tshark runs once per file, printing every
// field. A difference with a reason is listed in
// tcp_analysis_known_differences.txt as
// "file<TAB>field<TAB>+N -M<TAB>reason": N packets only we flag (or flag
// with another value), M only tshark. Other counts, or an entry that stops
// differing, fail the test, so the list stays exact.
//
// Skips when the shared corpus or tshark is missing.
#include "capture_reader.h"
#include "dissect/field.h"
#include "dissect/outputs.h"
#include "packet_decoder.h"
#include "record_filter.h"
#include "test_corpus.h"
#include "tshark_runner.h"

#include <QDirIterator>
#include <QFile>
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

// Flags: compared by presence. Values: compared by what tshark prints.
const char* const kFlagFields[] = {
    "tcp.analysis.retransmission",   "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",     "tcp.analysis.lost_segment",       "tcp.analysis.ack_lost_segment",
    "tcp.analysis.duplicate_ack",    "tcp.analysis.zero_window",        "tcp.analysis.zero_window_probe",
    "tcp.analysis.zero_window_probe_ack", "tcp.analysis.window_full",   "tcp.analysis.window_update",
    "tcp.analysis.keep_alive",       "tcp.analysis.keep_alive_ack",     "tcp.analysis.reused_ports",
    "tcp.analysis.flags",
};
const char* const kValueFields[] = {
    "tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame", "tcp.analysis.ack_rtt",
    "tcp.analysis.initial_rtt", "tcp.seq", "tcp.ack", "tcp.nxtseq",
};

struct Field {
    QString name;
    bool flag = false;
    dissect::FieldId id = dissect::kNoField;
};

std::vector<Field> all_fields()
{
    std::vector<Field> out;
    for (const char* f : kFlagFields)
        out.push_back({QString::fromLatin1(f), true, dissect::field_by_name(f)});
    for (const char* f : kValueFields)
        out.push_back({QString::fromLatin1(f), false, dissect::field_by_name(f)});
    return out;
}

// Per field, per packet number: the value ("1" for a flag), absent when not there.
using Table = std::vector<std::map<uint64_t, QString>>;

// Our fields for `path`, as underhood-cli fields sees them; false when no
// packet has a TCP layer.
bool ours(const QString& path, const std::vector<Field>& fields, Table& table)
{
    table.assign(fields.size(), {});
    std::string err;
    RecordFilter rf;
    if (!rf.compile("", err))
        return false;
    auto reader = CaptureReader::open_path(QFile::encodeName(path).toStdString(), err);
    if (!reader)
        return false;
    const dissect::FieldId tcp = dissect::field_by_name("tcp");
    bool any = false;
    PacketRecord rec;
    uint64_t n = 0;
    while (reader->next(rec) == CaptureReader::Status::Packet) {
        DecodedPacket dp;
        rf.decode_and_match(rec, dp, true);
        ++n;
        const dissect::FieldTree& tree = rf.tree();
        any = any || tree.first(tcp);
        for (size_t i = 0; i < fields.size(); ++i)
            if (const dissect::FieldItem* it = tree.first(fields[i].id))
                table[i][n] = fields[i].flag
                                  ? QStringLiteral("1")
                                  : QString::fromStdString(dissect::format_value(dissect::field_info(it->field), it->value));
    }
    return any;
}

// tshark's, numbering packets as we do (tshark also lists pcapng blocks that
// are no packets, with no encapsulation type).
void theirs(const QString& output, const std::vector<Field>& fields, Table& table)
{
    table.assign(fields.size(), {});
    QFile f(output);
    if (!f.open(QIODevice::ReadOnly))
        return;
    uint64_t n = 0;
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        const QList<QByteArray> cols = line.split('\t');
        if (cols.size() < 1 || cols[0].trimmed().isEmpty())
            continue;
        ++n;
        for (size_t i = 0; i < fields.size() && int(i) + 1 < cols.size(); ++i) {
            const QString v = QString::fromUtf8(cols[int(i) + 1]).trimmed();
            if (!v.isEmpty())
                table[i][n] = fields[i].flag ? QStringLiteral("1") : v;
        }
    }
}

} // namespace

class TcpAnalysisTsharkTest : public QObject {
    Q_OBJECT
private slots:
    void agreesWithTshark();
};

void TcpAnalysisTsharkTest::agreesWithTshark()
{
    const QDir corpus(corpusDir());
    if (!corpus.exists())
        QSKIP("the shared corpus is absent");
    const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    if (tshark.isEmpty())
        QSKIP("tshark (Debian: tshark) is not installed");
    QTemporaryDir temp;
    QVERIFY(temp.isValid());

    const std::vector<Field> fields = all_fields();
    for (const Field& f : fields)
        QVERIFY2(f.id != dissect::kNoField, qPrintable("the engine has no field " + f.name));

    QStringList all;
    QDirIterator it(corpus.path(), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        all << it.next();
    all.sort();
    all << QStringLiteral(UNDERHOOD_DEMO_CAPTURE) << QStringLiteral(UNDERHOOD_TCP_CRAFTED);

    // Our side first: only the files with TCP go to tshark.
    QStringList inputs;
    std::vector<Table> mine;
    for (const QString& path : all) {
        Table t;
        if (ours(path, fields, t)) {
            inputs << path;
            mine.push_back(std::move(t));
        }
    }
    QVERIFY2(inputs.size() > 50, "the corpus looks incomplete");

    std::vector<TsharkJob> jobs;
    for (const QString& path : inputs) {
        TsharkJob j;
        j.arguments = {"-n", "-r", path, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
                       "-e", "frame.encap_type"};
        for (const Field& f : fields)
            j.arguments << "-e" << f.name;
        jobs.push_back(j);
    }
    run_tshark_jobs(tshark, temp.path(), jobs);

    std::map<std::pair<QString, QString>, QString> known; // (file, field) -> "+N -M"
    for (const QString& line : read_lines(QStringLiteral(UNDERHOOD_TCP_ANALYSIS_KNOWN))) {
        const QStringList parts = line.split('\t');
        QVERIFY2(parts.size() == 4 && !parts[3].trimmed().isEmpty(),
                 qPrintable("expected file, field, +N -M, reason: " + line));
        known[{parts[0], parts[1]}] = parts[2];
    }

    QStringList failures;
    std::set<std::pair<QString, QString>> differing;
    std::vector<uint64_t> total_ours(fields.size()), total_theirs(fields.size()), total_same(fields.size());
    for (size_t k = 0; k < size_t(inputs.size()); ++k) {
        const TsharkJob& j = jobs[k];
        // Named relative to the corpus however its directory was spelt (a
        // relative default, "..", or absolute); files outside it by their name.
        QString name = QDir(corpus.canonicalPath()).relativeFilePath(QFileInfo(inputs[int(k)]).canonicalFilePath());
        if (name.startsWith(QLatin1String("..")))
            name = QFileInfo(inputs[int(k)]).fileName();
        if (j.exit_code != 0 && j.exit_code != 2) { // 2: tshark read a cut-off file to its end
            failures << QStringLiteral("%1: tshark failed (%2): %3").arg(name).arg(j.exit_code).arg(j.error);
            continue;
        }
        Table t;
        theirs(j.output_path, fields, t);
        for (size_t i = 0; i < fields.size(); ++i) {
            const auto& a = mine[k][i];
            const auto& b = t[i];
            uint64_t only_a = 0, only_b = 0;
            for (const auto& [n, v] : a) {
                auto f = b.find(n);
                if (f == b.end() || f->second != v)
                    ++only_a;
                else
                    ++total_same[i];
            }
            for (const auto& [n, v] : b) {
                auto f = a.find(n);
                if (f == a.end() || f->second != v)
                    ++only_b;
            }
            total_ours[i] += a.size();
            total_theirs[i] += b.size();
            if (!only_a && !only_b)
                continue;
            const std::pair<QString, QString> key{name, fields[i].name};
            differing.insert(key);
            const QString counts = QStringLiteral("+%1 -%2").arg(only_a).arg(only_b);
            if (!known.count(key) || known[key] != counts) {
                QStringList examples;
                for (const auto& [n, v] : a)
                    if (examples.size() < 4 && (!b.count(n) || b.at(n) != v))
                        examples << QStringLiteral("%1 ours=%2 tshark=%3").arg(n).arg(v, b.count(n) ? b.at(n) : "-");
                for (const auto& [n, v] : b)
                    if (examples.size() < 8 && !a.count(n))
                        examples << QStringLiteral("%1 ours=- tshark=%2").arg(n).arg(v);
                failures << QStringLiteral("%1\t%2\t%3 (listed: %4): %5")
                                .arg(name, fields[i].name, counts, known.count(key) ? known[key] : QStringLiteral("none"),
                                     examples.join("; "));
            }
        }
    }
    for (const auto& [key, counts] : known)
        if (!differing.count(key))
            failures << QStringLiteral("%1\t%2 is listed as differing (%3) but agrees now: remove it")
                            .arg(key.first, key.second, counts);

    qInfo("%lld files with TCP; per field: packets ours / tshark's / the same", qlonglong(inputs.size()));
    for (size_t i = 0; i < fields.size(); ++i)
        qInfo("  %-40s %8llu %8llu %8llu", qPrintable(fields[i].name), static_cast<unsigned long long>(total_ours[i]),
              static_cast<unsigned long long>(total_theirs[i]), static_cast<unsigned long long>(total_same[i]));
    for (const QString& f : failures)
        qWarning("%s", qPrintable(f));
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
}

QTEST_GUILESS_MAIN(TcpAnalysisTsharkTest)
#include "test_tcp_analysis_tshark.moc"
