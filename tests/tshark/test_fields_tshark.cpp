// The engine's fields against tshark's: for every capture of the shared
// corpus with a link type we decode, each (packet, field) cell printed as
// `tshark -T fields -E occurrence=f` prints it. At least 99% of the cells
// where either side has a value agree, and every (file, field) pair that
// differs is listed, with its count and a reason, in
// fields_known_differences.txt; an entry whose count changes fails too, so
// the list stays true in both directions.
//
// Skips when the shared corpus or tshark is missing.
#include "test_corpus.h"
#include "tshark_runner.h"

#include "capture_reader.h"
#include "dissect/engine.h"
#include "packet_decoder.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace underhood;
using namespace tshark_compare;

namespace {

// The fields the engine promises with Wireshark's names and formatting.
const QStringList kFields = {
    "frame.number", "frame.len", "frame.time_epoch", "eth.src", "eth.dst", "eth.type", "vlan.id", "arp.opcode",
    "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.len", "ip.id",
    "ip.flags.mf", "ipv6.src", "ipv6.dst", "ipv6.nxt", "ipv6.hlim", "icmp.type", "icmp.code", "icmpv6.type",
    "tcp.srcport", "tcp.dstport", "tcp.port", "tcp.flags", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin",
    "tcp.flags.reset", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.window_size_value", "tcp.stream",
    "udp.srcport", "udp.dstport", "udp.port", "udp.length", "udp.stream", "dns.id", "dns.flags.response",
    "dns.flags.rcode", "dns.qry.name", "dns.qry.type", "dns.a", "dns.aaaa", "dns.cname", "dhcp.option.hostname",
    "http.request.method", "http.request.uri", "http.host", "http.response.code", "tls.handshake.type",
    "tls.handshake.extensions_server_name", "tls.record.version", "ip.addr", "eth.addr", "nhrp.hdr.op.type",
    "nhrp.reqid", "nhrp.hdr.chksum", "nhrp.src.nbma.addr", "nhrp.src.prot.addr", "nhrp.dst.prot.addr", "nhrp.code",
    "nhrp.client.nbma.addr", "nhrp.client.prot.addr", "nhrp.ext.type"};

struct Column {
    dissect::FieldId a = dissect::kNoField, b = dissect::kNoField;
};

struct Known {
    int count = 0;
    QString reason;
    bool seen = false;
};

// "relative/path<TAB>field<TAB>count<TAB>reason", # comments.
std::map<std::pair<QString, QString>, Known> read_known(const QString& path, QString& error)
{
    std::map<std::pair<QString, QString>, Known> known;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
        error = "cannot read " + path;
        return known;
    }
    int line_no = 0;
    while (!f.atEnd()) {
        ++line_no;
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QStringList parts = line.split('\t');
        if (parts.size() != 4 || parts[3].trimmed().isEmpty()) {
            error = QString("%1:%2: expected FILE, FIELD, COUNT and a reason, tab-separated").arg(path).arg(line_no);
            return known;
        }
        known[{parts[0], parts[1]}] = Known{parts[2].toInt(), parts[3], false};
    }
    return known;
}

} // namespace

class FieldsTsharkTest : public QObject {
    Q_OBJECT
private slots:
    void agreesWithTshark();
};

void FieldsTsharkTest::agreesWithTshark()
{
    const QDir corpus(corpusDir());
    if (!corpus.exists())
        QSKIP("the shared corpus is absent");
    const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    if (tshark.isEmpty())
        QSKIP("tshark is not installed");
    // UNDERHOOD_TSHARK_CACHE=DIR keeps tshark's outputs there and reuses
    // them on the next run (while working on a dissector).
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    const QString cache = qEnvironmentVariable("UNDERHOOD_TSHARK_CACHE");
    const QString work_dir = cache.isEmpty() ? temp.path() : cache;
    QDir().mkpath(work_dir);

    // A field the engine lacks is compared as always empty (and fails the test at the end).
    QStringList lacking;
    std::vector<Column> columns;
    for (const QString& name : kFields) {
        Column c;
        c.a = dissect::field_by_name(name.toStdString());
        if (c.a == dissect::kNoField) {
            lacking << name;
            columns.push_back(c);
            continue;
        }
        const dissect::FieldInfo& info = dissect::field_info(c.a);
        if (!info.alias_of_1.empty()) {
            c.a = dissect::field_by_name(info.alias_of_1);
            c.b = dissect::field_by_name(info.alias_of_2);
        }
        columns.push_back(c);
    }

    // Our side, in process; the files whose every interface we decode.
    QElapsedTimer timer;
    timer.start();
    std::vector<QString> paths, names;
    std::vector<std::vector<QStringList>> ours;
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
        std::vector<QStringList> rows;
        dissect::Streams streams;
        dissect::FieldTree tree;
        PacketRecord rec;
        while (reader->next(rec) == CaptureReader::Status::Packet) {
            DecodedPacket summary;
            tree.items.clear();
            dissect::Packet p(rec.data, rec.origlen, summary);
            p.tree = &tree;
            p.streams = &streams;
            p.frame_number = rec.number;
            p.ts_ns = rec.ts_ns;
            p.has_time = rec.has_timestamp;
            dissect::dissect(rec.link_type, p);
            QStringList row;
            for (const Column& c : columns) {
                QString v;
                for (const dissect::FieldItem& item : tree.items)
                    if (c.a == dissect::kNoField)
                        break;
                    else if (item.field == c.a || (c.b != dissect::kNoField && item.field == c.b)) {
                        v = QString::fromStdString(dissect::format_value(dissect::field_info(item.field), item.value));
                        break;
                    }
                row << v;
            }
            rows.push_back(row);
        }
        bool supported = !reader->interfaces().empty();
        for (const CaptureInterface& itf : reader->interfaces())
            supported = supported && link_type_supported(itf.link_type);
        if (!supported || !reader->error().empty())
            continue;
        paths.push_back(path);
        names.push_back(corpus.relativeFilePath(path));
        ours.push_back(std::move(rows));
    }
    qInfo("engine over %d files: %lld ms", int(paths.size()), qint64(timer.restart()));

    std::vector<TsharkJob> jobs(paths.size());
    for (size_t i = 0; i < paths.size(); ++i) {
        jobs[i].arguments = {"-n", "-r", paths[i], "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"};
        for (const QString& f : kFields)
            jobs[i].arguments << "-e" << f;
        // Not compared: empty for the pcapng custom blocks tshark lists as frames.
        jobs[i].arguments << "-e" << "frame.encap_type";
    }
    const QString stamp = QDir(work_dir).filePath("done");
    if (!cache.isEmpty() && QFile::exists(stamp)) {
        for (size_t i = 0; i < jobs.size(); ++i) {
            jobs[i].output_path = QDir(work_dir).filePath(QStringLiteral("%1.out").arg(i));
            jobs[i].exit_code = 0;
        }
    } else {
        run_tshark_jobs(tshark, work_dir, jobs);
        if (!cache.isEmpty()) {
            QFile done(stamp);
            QVERIFY(done.open(QIODevice::WriteOnly));
        }
    }
    qInfo("tshark over %d files: %lld ms", int(paths.size()), qint64(timer.elapsed()));

    QString error;
    auto known = read_known(QStringLiteral(UNDERHOOD_KNOWN_DIFFERENCES), error);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    qint64 cells = 0, agree = 0;
    QStringList unlisted;
    for (size_t i = 0; i < paths.size(); ++i) {
        QVERIFY2(jobs[i].error.isEmpty(), qPrintable(names[i] + ": " + jobs[i].error));
        QFile out(jobs[i].output_path);
        QVERIFY(out.open(QIODevice::ReadOnly));
        QList<QByteArray> lines;
        for (const QByteArray& l : out.readAll().split('\n'))
            if (!l.isEmpty() && !l.endsWith('\t')) // a frame with an encapsulation: a packet
                lines << l;
        if (jobs[i].exit_code != 0 && lines.isEmpty())
            continue; // tshark cannot read it: nothing to compare with
        const auto& rows = ours[i];
        std::map<QString, int> differ; // field -> cells
        const size_t n = std::min(size_t(lines.size()), rows.size());
        if (size_t(lines.size()) != rows.size())
            differ["(packets)"] = int(std::max(size_t(lines.size()), rows.size()) - n);
        QString first_example;
        for (size_t r = 0; r < n; ++r) {
            const QStringList theirs = QString::fromUtf8(lines[qsizetype(r)]).split('\t');
            for (int c = 0; c < kFields.size(); ++c) {
                const QString t = c < theirs.size() ? theirs[c] : QString();
                const QString& o = rows[r][c];
                if (t.isEmpty() && o.isEmpty())
                    continue;
                ++cells;
                if (t == o) {
                    ++agree;
                    continue;
                }
                ++differ[kFields[c]];
                if (first_example.isEmpty())
                    first_example = QString("packet %1 %2: tshark '%3', ours '%4'").arg(r + 1).arg(kFields[c], t, o);
            }
        }
        for (const auto& [field, count] : differ) {
            auto k = known.find({names[i], field});
            if (k == known.end() || k->second.count != count)
                unlisted << QString("%1\t%2\t%3\t(%4; listed: %5)")
                                .arg(names[i], field)
                                .arg(count)
                                .arg(first_example)
                                .arg(k == known.end() ? QString("no") : QString::number(k->second.count));
            if (k != known.end())
                k->second.seen = true;
        }
    }
    QStringList stale;
    for (const auto& [key, k] : known)
        if (!k.seen)
            stale << key.first + "\t" + key.second;
    const double pct = cells ? 100.0 * double(agree) / double(cells) : 0;
    qInfo("%lld of %lld cells agree (%.3f%%) over %d files", agree, cells, pct, int(paths.size()));
    for (const QString& u : unlisted)
        qInfo("differs: %s", qPrintable(u));
    QVERIFY2(lacking.isEmpty(), qPrintable("the engine lacks " + lacking.join(", ")));
    QVERIFY2(stale.isEmpty(), qPrintable("listed but agreeing now (remove them):\n" + stale.join('\n')));
    QVERIFY2(unlisted.isEmpty(), qPrintable("differences not listed, or with another count:\n" + unlisted.join('\n')));
    QVERIFY2(pct >= 99.0, qPrintable(QString("only %1% agree").arg(pct)));
}

QTEST_GUILESS_MAIN(FieldsTsharkTest)
#include "test_fields_tshark.moc"
