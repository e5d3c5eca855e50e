// underhood-cli anonymize against tshark: each capture of anonymize_files.txt
// (in the shared corpus) and the bundled demo is rewritten, and tshark reads
// input and output. It must find in the output:
//  - no read error (its exit status), and the same packets malformed;
//  - none of the input's addresses and DNS names in ip.*, ipv6.*, arp.*,
//    eth.*, dns.qry.name, dns.a and dns.aaaa (every occurrence, so the
//    inner headers of GRE, ERSPAN, VXLAN and Geneve tunnels too), none of
//    its NetBIOS addresses (nbns.addr, nbdgm.src.ip) and names (nbns.name,
//    nbdgm.source_name and destination_name, the browser's server and
//    response names), none of its NHRP addresses (nhrp.src.nbma.addr,
//    src.prot.addr, dst.prot.addr, client.nbma.addr, client.prot.addr;
//    the packet a Traffic Indication carries shows in ip.*), save the few
//    that name nobody and are kept on purpose (0.0.0.0, 255.255.255.255, ::, ::1,
//    broadcast and all-zero MACs, IEEE reserved multicast, names made only
//    of protocol labels such as _tcp and local);
//  - the same number of IP conversations (tshark -z conv,ip and conv,ipv6);
//  - addresses mapped one to one and prefix-preservingly: for every pair of
//    distinct addresses, the common-prefix length of the images (computed
//    here) equals that of the originals;
//  - the same packets with bad IPv4/TCP/UDP/NHRP checksums as in the input,
//    also with payloads zeroed or dropped;
//  - the packet comments unchanged.
// The same key twice gives byte-identical files, another key another file.
//
// Skips when the shared corpus, tshark or underhood-cli is missing.
#include "test_corpus.h"
#include "tshark/tshark_runner.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>

#include <array>
#include <map>
#include <set>

using tshark_compare::run_tshark_jobs;
using tshark_compare::TsharkJob;

namespace {

const QString kKeyA = QStringLiteral("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
const QString kKeyB = QStringLiteral("a classroom passphrase");

// The columns of the fields job, in order.
enum Column { IpSrc, IpDst, Ipv6Src, Ipv6Dst, ArpSrcHw, ArpDstHw, ArpSrcIp, ArpDstIp, EthSrc, EthDst, DnsQry, DnsA,
              DnsAaaa, NbnsAddr, NbdgmSrcIp, NhrpSrcNbma, NhrpSrcProto, NhrpDstProto, NhrpCliNbma, NhrpCliProto,
              NbnsName, NbdgmSource, NbdgmDestination, BrowserServer, BrowserResponse, Comment, Malformed,
              ColumnCount };
const char* const kColumns[] = {"ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "arp.src.hw_mac", "arp.dst.hw_mac",
                                "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "eth.src", "eth.dst", "dns.qry.name",
                                "dns.a", "dns.aaaa", "nbns.addr", "nbdgm.src.ip", "nhrp.src.nbma.addr",
                                "nhrp.src.prot.addr", "nhrp.dst.prot.addr", "nhrp.client.nbma.addr",
                                "nhrp.client.prot.addr", "nbns.name", "nbdgm.source_name",
                                "nbdgm.destination_name", "browser.server", "browser.response_computer_name",
                                "frame.comment", "_ws.malformed"};

bool netbios_column(int col) { return col >= NbnsName && col <= BrowserResponse; }

using Row = std::array<QStringList, ColumnCount>;

std::vector<Row> read_fields(const QString& path)
{
    std::vector<Row> rows;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return rows;
    for (const QByteArray& raw : f.readAll().split('\n')) {
        if (raw.isEmpty())
            continue;
        const QList<QByteArray> cols = raw.split('\t');
        Row row;
        for (int c = 0; c < ColumnCount && c < cols.size(); ++c)
            if (!cols[c].isEmpty())
                row[c] = QString::fromUtf8(cols[c]).split(QLatin1Char('\x1f'));
        rows.push_back(row);
    }
    return rows;
}

int count_lines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return int(f.readAll().count('\n'));
}

struct Addr {
    int family = 0; // 4 or 6
    std::array<uint8_t, 16> b{};
    bool operator<(const Addr& o) const { return std::tie(family, b) < std::tie(o.family, o.b); }
    bool operator==(const Addr& o) const { return family == o.family && b == o.b; }
};

bool parse_addr(const QString& s, Addr& out)
{
    const QByteArray t = s.toLatin1();
    if (inet_pton(AF_INET, t.constData(), out.b.data()) == 1) {
        out.family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, t.constData(), out.b.data()) == 1) {
        out.family = 6;
        return true;
    }
    return false;
}

int common_prefix(const Addr& a, const Addr& b)
{
    const int bytes = a.family == 4 ? 4 : 16;
    for (int i = 0; i < bytes; ++i)
        if (const uint8_t x = a.b[size_t(i)] ^ b.b[size_t(i)])
            return i * 8 + __builtin_clz(x) - 24;
    return bytes * 8;
}

// Addresses and names that identify nobody and are kept on purpose.
bool kept_address(const QString& s)
{
    static const QStringList kKept = {"0.0.0.0", "255.255.255.255", "::", "::1", "ff:ff:ff:ff:ff:ff",
                                      "00:00:00:00:00:00"};
    return kKept.contains(s) || s.startsWith(QLatin1String("01:80:c2:00:00:0"));
}

// A NetBIOS name as tshark shows it ("PC01<20> (Server service)"): the
// name alone, or empty for one that names no one (the wildcard, the
// browsers' __MSBROWSE__) or one tshark could not read.
QString netbios_name(const QString& shown)
{
    QString name = shown.left(shown.indexOf(QLatin1Char('<'))).trimmed();
    if (name.startsWith(QLatin1Char('*')) || shown.contains(QLatin1String("__MSBROWSE__")) ||
        shown.startsWith(QLatin1String("Illegal NetBIOS name")))
        return {};
    return name;
}

bool kept_name(const QString& name)
{
    static const QStringList kProtocolLabels = {"local", "arpa", "in-addr", "ip6", "com", "net", "org", "edu",
                                                "gov", "int", "mil", "lan", "home", "internal", "example",
                                                "localhost", "invalid", "test"};
    if (name.isEmpty() || name == QLatin1String("<Root>"))
        return true;
    for (const QString& label : name.split(QLatin1Char('.')))
        if (!label.startsWith(QLatin1Char('_')) && !kProtocolLabels.contains(label.toLower()))
            return false;
    return true;
}

QByteArray file_bytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class AnonymizeTsharkTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void tsharkReadsEveryOutput();
    void sameKeySameBytes();
    void noOriginalAddressOrName();
    void conversationsUnchanged();
    void prefixPreserved();
    void checksumsAsBefore();
    void commentsSurvive();

private:
    struct Case {
        QString name, input;
        QString out_a, out_a2, out_b, out_zero, out_drop; // key A, A again, key B, --payload zero / drop
        size_t fields_in = 0, fields_out = 0, conv_in = 0, conv_out = 0;
        size_t ck_in = 0, ck_out = 0, ck_zero = 0, ck_drop = 0;
    };
    QString cli_, tshark_;
    QTemporaryDir temp_;
    std::vector<Case> cases_;
    std::vector<TsharkJob> jobs_;
};

void AnonymizeTsharkTest::initTestCase()
{
    const QDir corpus(corpusDir());
    if (!corpus.exists())
        QSKIP("the shared corpus is absent");
    tshark_ = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    if (tshark_.isEmpty())
        QSKIP("tshark (Debian: tshark) is not installed");
    cli_ = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");
    if (!QFile::exists(cli_))
        QSKIP("underhood-cli is not built");
    QVERIFY(temp_.isValid());

    QStringList inputs;
    for (const QString& f : tshark_compare::read_lines(QStringLiteral(UNDERHOOD_ANONYMIZE_FILES))) {
        QVERIFY2(corpus.exists(f), qPrintable(f + " is not in the corpus"));
        inputs << corpus.filePath(f);
    }
    QVERIFY2(inputs.size() >= 10, "anonymize_files.txt lists fewer than 10 captures");
    inputs << QStringLiteral(UNDERHOOD_DEMO_CAPTURE);

    const QDir work(temp_.path());
    for (const QString& input : inputs) {
        Case c;
        c.input = input;
        c.name = QFileInfo(input).fileName();
        const QString base = work.filePath(QString::number(cases_.size()) + QLatin1Char('-'));
        c.out_a = base + QStringLiteral("a.pcapng");
        c.out_a2 = base + QStringLiteral("a2.pcapng");
        c.out_b = base + QStringLiteral("b.pcapng");
        c.out_zero = base + QStringLiteral("zero.pcapng");
        c.out_drop = base + QStringLiteral("drop.pcapng");
        const std::vector<std::pair<QString, QStringList>> runs = {
            {c.out_a, {"--key", kKeyA}},
            {c.out_a2, {"--key", kKeyA}},
            {c.out_b, {"--key", kKeyB}},
            {c.out_zero, {"--key", kKeyA, "--payload", "zero"}},
            {c.out_drop, {"--key", kKeyA, "--payload", "drop", "--keep-vendor"}},
        };
        for (const auto& [out, extra] : runs) {
            QProcess p;
            p.start(cli_, QStringList{"anonymize", input, out} + extra);
            QVERIFY(p.waitForFinished(120000));
            QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                     qPrintable(c.name + ": " + QString::fromUtf8(p.readAllStandardError())));
        }
        cases_.push_back(c);
    }

    QStringList fields{"-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=\x1f"};
    for (const char* col : kColumns)
        fields << "-e" << col;
    const QStringList conv{"-q", "-z", "conv,ip", "-z", "conv,ipv6"};
    const QStringList checksums{"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o",
                                "udp.check_checksum:TRUE", "-Y",
                                "ip.checksum.status==\"Bad\" || tcp.checksum.status==\"Bad\" || "
                                "udp.checksum.status==\"Bad\" || nhrp.hdr.chksum.status==\"Bad\"",
                                "-T", "fields", "-e", "frame.number"};
    auto add = [&](const QString& file, const QStringList& args) {
        TsharkJob j;
        j.arguments = QStringList{"-n", "-r", file} + args;
        jobs_.push_back(j);
        return jobs_.size() - 1;
    };
    for (Case& c : cases_) {
        c.fields_in = add(c.input, fields);
        c.fields_out = add(c.out_a, fields);
        c.conv_in = add(c.input, conv);
        c.conv_out = add(c.out_a, conv);
        c.ck_in = add(c.input, checksums);
        c.ck_out = add(c.out_a, checksums);
        c.ck_zero = add(c.out_zero, checksums);
        c.ck_drop = add(c.out_drop, checksums);
    }
    run_tshark_jobs(tshark_, temp_.path(), jobs_);
}

void AnonymizeTsharkTest::tsharkReadsEveryOutput()
{
    for (const Case& c : cases_)
        for (size_t j : {c.fields_out, c.conv_out, c.ck_out, c.ck_zero, c.ck_drop}) {
            const TsharkJob& job = jobs_[j];
            QVERIFY2(job.error.isEmpty() && job.exit_code == 0,
                     qPrintable(c.name + ": tshark " + job.arguments.join(' ') + ": exit " +
                                QString::number(job.exit_code) + " " + job.error));
        }
    // Every packet is there, and malformed exactly where it was before.
    for (const Case& c : cases_) {
        const auto in = read_fields(jobs_[c.fields_in].output_path);
        const auto out = read_fields(jobs_[c.fields_out].output_path);
        QVERIFY2(in.size() == out.size(), qPrintable(c.name + ": packet count differs"));
        for (size_t i = 0; i < in.size(); ++i)
            QVERIFY2(in[i][Malformed].isEmpty() == out[i][Malformed].isEmpty(),
                     qPrintable(QStringLiteral("%1: packet %2 malformed %3 -> %4")
                                    .arg(c.name)
                                    .arg(i + 1)
                                    .arg(in[i][Malformed].join(' '), out[i][Malformed].join(' '))));
    }
}

void AnonymizeTsharkTest::sameKeySameBytes()
{
    for (const Case& c : cases_) {
        const QByteArray a = file_bytes(c.out_a), a2 = file_bytes(c.out_a2), b = file_bytes(c.out_b);
        QVERIFY2(!a.isEmpty() && a == a2, qPrintable(c.name + ": the same key gave different files"));
        QVERIFY2(a != b, qPrintable(c.name + ": another key gave the same file"));
    }
}

void AnonymizeTsharkTest::noOriginalAddressOrName()
{
    int checked = 0, netbios = 0, nhrp = 0;
    for (const Case& c : cases_) {
        const auto in = read_fields(jobs_[c.fields_in].output_path);
        const auto out = read_fields(jobs_[c.fields_out].output_path);
        for (const Row& row : in)
            for (int col = NhrpSrcNbma; col <= NhrpCliProto; ++col)
                nhrp += int(row[col].size());
        std::set<QString> before, after;
        for (const auto& rows : {std::pair(&in, &before), std::pair(&out, &after)})
            for (const Row& row : *rows.first)
                for (int col = 0; col < ColumnCount; ++col)
                    if (col != Comment && col != Malformed)
                        for (const QString& v : row[col]) {
                            if (netbios_column(col)) {
                                const QString name = netbios_name(v);
                                if (!name.isEmpty())
                                    rows.second->insert(QStringLiteral("netbios:") + name);
                            } else {
                                rows.second->insert((col == DnsQry ? QStringLiteral("name:") : QString()) + v);
                            }
                        }
        for (const QString& v : before) {
            if (v.startsWith(QLatin1String("netbios:")) ? false
                : v.startsWith(QLatin1String("name:"))  ? kept_name(v.mid(5))
                                                         : kept_address(v))
                continue;
            ++checked;
            netbios += v.startsWith(QLatin1String("netbios:"));
            QVERIFY2(!after.count(v), qPrintable(c.name + ": " + v + " is still in the output"));
        }
    }
    QVERIFY2(checked > 100, "too few addresses and names to check");
    QVERIFY2(netbios > 0, "no NetBIOS names to check");
    QVERIFY2(nhrp > 0, "no NHRP addresses to check");
    qInfo("%d original addresses and names checked, %d of them NetBIOS names; %d NHRP address fields", checked,
          netbios, nhrp);
}

void AnonymizeTsharkTest::conversationsUnchanged()
{
    for (const Case& c : cases_) {
        const int in = count_lines(jobs_[c.conv_in].output_path), out = count_lines(jobs_[c.conv_out].output_path);
        QVERIFY2(in > 0 && in == out,
                 qPrintable(QStringLiteral("%1: conv,ip/ipv6 %2 lines before, %3 after").arg(c.name).arg(in).arg(out)));
    }
}

void AnonymizeTsharkTest::prefixPreserved()
{
    size_t pairs = 0, addresses = 0;
    for (const Case& c : cases_) {
        const auto in = read_fields(jobs_[c.fields_in].output_path);
        const auto out = read_fields(jobs_[c.fields_out].output_path);
        QCOMPARE(in.size(), out.size());
        std::map<Addr, Addr> image;
        std::map<Addr, Addr> preimage;
        for (size_t i = 0; i < in.size(); ++i)
            for (int col : {IpSrc, IpDst, Ipv6Src, Ipv6Dst, ArpSrcIp, ArpDstIp, DnsA, DnsAaaa, NbnsAddr, NbdgmSrcIp,
                            NhrpSrcNbma, NhrpSrcProto, NhrpDstProto, NhrpCliNbma, NhrpCliProto}) {
                const QStringList& a = in[i][col];
                const QStringList& b = out[i][col];
                QVERIFY2(a.size() == b.size(), qPrintable(QStringLiteral("%1: packet %2 %3: %4 -> %5")
                                                              .arg(c.name)
                                                              .arg(i + 1)
                                                              .arg(kColumns[col], a.join(' '), b.join(' '))));
                for (qsizetype k = 0; k < a.size(); ++k) {
                    Addr x, y;
                    QVERIFY(parse_addr(a[k], x) && parse_addr(b[k], y));
                    QCOMPARE(x.family, y.family);
                    auto [it, added] = image.emplace(x, y);
                    QVERIFY2(it->second == y, qPrintable(c.name + ": " + a[k] + " has two images"));
                    auto [jt, added2] = preimage.emplace(y, x);
                    QVERIFY2(jt->second == x, qPrintable(c.name + ": " + b[k] + " is the image of two addresses"));
                }
            }
        addresses += image.size();
        for (auto i = image.begin(); i != image.end(); ++i)
            for (auto j = std::next(i); j != image.end(); ++j) {
                if (i->first.family != j->first.family)
                    continue;
                ++pairs;
                const int before = common_prefix(i->first, j->first), after = common_prefix(i->second, j->second);
                if (before != after) {
                    char a[64], b[64];
                    inet_ntop(i->first.family == 4 ? AF_INET : AF_INET6, i->first.b.data(), a, sizeof a);
                    inet_ntop(j->first.family == 4 ? AF_INET : AF_INET6, j->first.b.data(), b, sizeof b);
                    QFAIL(qPrintable(QStringLiteral("%1: %2 and %3 share %4 bits, their images %5")
                                         .arg(c.name, a, b)
                                         .arg(before)
                                         .arg(after)));
                }
            }
    }
    QVERIFY(pairs > 1000);
    qInfo("%zu addresses, %zu pairs: common prefixes preserved", addresses, pairs);
}

void AnonymizeTsharkTest::checksumsAsBefore()
{
    for (const Case& c : cases_) {
        const int in = count_lines(jobs_[c.ck_in].output_path);
        const int out = count_lines(jobs_[c.ck_out].output_path);
        const int zero = count_lines(jobs_[c.ck_zero].output_path);
        const int drop = count_lines(jobs_[c.ck_drop].output_path);
        QVERIFY2(in >= 0 && in == out && in == zero && drop <= in,
                 qPrintable(QStringLiteral("%1: bad checksums in %2, out %3, zeroed %4, dropped %5")
                                .arg(c.name)
                                .arg(in)
                                .arg(out)
                                .arg(zero)
                                .arg(drop)));
    }
}

void AnonymizeTsharkTest::commentsSurvive()
{
    int comments = 0;
    for (const Case& c : cases_) {
        const auto in = read_fields(jobs_[c.fields_in].output_path);
        const auto out = read_fields(jobs_[c.fields_out].output_path);
        QCOMPARE(in.size(), out.size());
        for (size_t i = 0; i < in.size(); ++i) {
            QCOMPARE(out[i][Comment], in[i][Comment]);
            comments += int(in[i][Comment].size());
        }
    }
    QVERIFY2(comments > 0, "no packet comments to check");
}

QTEST_GUILESS_MAIN(AnonymizeTsharkTest)
#include "test_anonymize_tshark.moc"
