// Follow Stream on the demo capture: the dialog opened from the packet
// list's menu (and Analyze > Follow) shows the payload tshark's follow shows
// for the same stream, saves it, finds in it, and filters the list on or
// out of the stream as tshark -Y selects. With UNDERHOOD_SCREENSHOT_DIR set
// it saves pictures of the dialog in the light and the dark theme.
#include "capture_reader.h"
#include "follow_stream_dialog.h"
#include "main_window.h"
#include "packet_list_model.h"
#include "packet_list_view.h"

#include <QAction>
#include <QDir>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");

QByteArray tshark(const QStringList& args)
{
    QProcess ts;
    ts.start("tshark", QStringList{"-n", "-r", kDemo} + args);
    ts.waitForFinished(120000);
    return ts.readAllStandardOutput();
}

// tshark's follow payload lines, one per chunk: {direction, hex}.
std::vector<std::pair<int, QByteArray>> tshark_follow(const QString& proto, uint32_t stream)
{
    std::vector<std::pair<int, QByteArray>> out;
    bool in = false;
    for (const QByteArray& line : tshark({"-q", "-z", QString("follow,%1,raw,%2").arg(proto).arg(stream)}).split('\n')) {
        if (line.startsWith("Node 1:")) {
            in = true;
            continue;
        }
        if (line.startsWith("====="))
            in = false;
        if (in && !line.isEmpty())
            out.push_back({line.startsWith('\t') ? 1 : 0, line.trimmed()});
    }
    return out;
}

qsizetype tshark_count(const QString& expr) { return tshark({"-Y", expr}).count('\n'); }

// The stream `packet` belongs to, as tshark numbers it.
uint32_t tshark_stream(const QString& proto, quint64 packet)
{
    return tshark({"-Y", QString("frame.number == %1").arg(packet), "-T", "fields", "-e", proto + ".stream"})
        .trimmed()
        .toUInt();
}

} // namespace

class TestFollowStream : public QObject {
    Q_OBJECT

    MainWindow* w_ = nullptr;

    FollowStreamDialog* openFromMenu(quint64 packet, const char* action)
    {
        const int row = w_->packetModel()->rowOf(packet);
        if (row < 0)
            return nullptr;
        std::unique_ptr<QMenu> menu(w_->packetMenu(row));
        auto* a = menu->findChild<QAction*>(action);
        if (!a)
            return nullptr;
        a->trigger();
        FollowStreamDialog* d = w_->followDialog();
        if (!d || !QTest::qWaitFor([&] { return d->isComplete(); }, 60000))
            return nullptr;
        return d;
    }

    void screenshot(FollowStreamDialog* d, const QString& name)
    {
        const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        QDir().mkpath(dir);
        QTest::qWait(200);
        d->grab().save(QDir(dir).filePath(name));
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable("tshark").isEmpty())
            QSKIP("needs tshark as the reference");
        w_ = new MainWindow(QSize(1280, 720));
        w_->setQuiet(true);
        w_->applyTheme("light");
        w_->show();
        QVERIFY(w_->openFile(kDemo));
        QVERIFY(QTest::qWaitFor([&] { return w_->sessionShown(); }, 60000));
    }
    void cleanupTestCase() { delete w_; }

    void httpStreamAsTshark()
    {
        // Packet 472: an HTTP GET.
        const uint32_t stream = tshark_stream("tcp", 472);
        FollowStreamDialog* d = openFromMenu(472, "followTcpStream");
        QVERIFY(d);
        QCOMPARE(d->protocol(), FollowProtocol::Tcp);
        QCOMPARE(d->stream(), stream);
        QVERIFY(d->windowTitle().contains(QString("tcp.stream eq %1").arg(stream)));

        // Raw: one hex line per chunk, as tshark's (without its tab).
        const auto theirs = tshark_follow("tcp", stream);
        QVERIFY(!theirs.empty());
        d->setView(FollowStreamDialog::View::Raw);
        QStringList mine = d->text().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(mine.size(), qsizetype(theirs.size()));
        for (size_t i = 0; i < theirs.size(); ++i)
            QCOMPARE(mine[qsizetype(i)].toLatin1(), theirs[i].second);

        // One direction at a time: the lines tshark has for it.
        d->setDirection(FollowStreamDialog::Direction::ServerToClient);
        mine = d->text().split('\n', Qt::SkipEmptyParts);
        QStringList server;
        for (const auto& [dir, hex] : theirs)
            if (dir == 1)
                server << QString::fromLatin1(hex);
        QCOMPARE(mine, server);
        d->setDirection(FollowStreamDialog::Direction::Both);

        // ASCII reads as the HTTP exchange.
        d->setView(FollowStreamDialog::View::Ascii);
        QVERIFY(d->text().startsWith("GET "));
        QVERIFY(d->text().contains("HTTP/1.1 200"));
        QVERIFY(d->find("HTTP/1.1 200"));
        QCOMPARE(d->textView()->textCursor().selectedText(), QString("HTTP/1.1 200"));
        QVERIFY(!d->find("no such text in this stream"));

        // Save both directions: the bytes tshark shows, in order.
        QTemporaryDir tmp;
        const QString path = tmp.filePath("stream.bin");
        QVERIFY(d->saveTo(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray all;
        for (const auto& [dir, hex] : theirs)
            all += QByteArray::fromHex(hex);
        QCOMPARE(f.readAll(), all);

        QVERIFY(d->endpointsText().contains("Client"));
        screenshot(d, "follow-tcp-light.png");
        w_->applyTheme("dark");
        QTest::qWait(100);
        screenshot(d, "follow-tcp-dark.png");
        d->setView(FollowStreamDialog::View::HexDump);
        screenshot(d, "follow-tcp-hex-dark.png");
        w_->applyTheme("light");
        d->setView(FollowStreamDialog::View::CArray);
        QVERIFY(d->text().startsWith("char peer0_0[] = { /* Packet 472 */"));

        // Filter out and on this stream: the list shows what tshark -Y selects.
        const QString out = QString("!(tcp.stream eq %1)").arg(stream);
        d->findChild<QPushButton*>("followFilterOut")->click();
        QVERIFY(QTest::qWaitFor([&] {
            return w_->displayFilterText() == out && w_->packetModel()->filtered() &&
                   w_->packetModel()->rowCount() == tshark_count(out);
        }, 30000));
        const QString on = QString("tcp.stream eq %1").arg(stream);
        d->findChild<QPushButton*>("followFilterOn")->click();
        QVERIFY(QTest::qWaitFor([&] {
            return w_->displayFilterText() == on && w_->packetModel()->filtered() &&
                   w_->packetModel()->rowCount() == tshark_count(on);
        }, 30000));
        w_->applyDisplayFilter(QString());
        QVERIFY(QTest::qWaitFor([&] { return !w_->packetModel()->filtered(); }, 10000));
        d->close();
    }

    void pickerAndAnalyzeMenu()
    {
        // Analyze > Follow TCP Stream on the selected packet, then the picker.
        w_->packetView()->selectNumber(472);
        QAction* follow = w_->findChild<QAction*>("followTcp");
        QVERIFY(follow);
        QCOMPARE(follow->shortcut(), QKeySequence(Qt::CTRL | Qt::ALT | Qt::SHIFT | Qt::Key_T));
        follow->trigger();
        FollowStreamDialog* d = w_->followDialog();
        QVERIFY(d);
        QVERIFY(QTest::qWaitFor([&] { return d->isComplete(); }, 60000));
        // A TLS stream by its index.
        const uint32_t tls = tshark_stream("tcp", 3); // demo packet 3 is TLS
        d->followStream(FollowProtocol::Tcp, tls);
        QVERIFY(QTest::qWaitFor([&] { return d->isComplete(); }, 60000));
        d->setView(FollowStreamDialog::View::Raw);
        const auto theirs = tshark_follow("tcp", tls);
        QStringList mine = d->text().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(mine.size(), qsizetype(theirs.size()));
        for (size_t i = 0; i < theirs.size(); ++i)
            QCOMPARE(mine[qsizetype(i)].toLatin1(), theirs[i].second);
        d->setView(FollowStreamDialog::View::HexDump);
        screenshot(d, "follow-tls-hex-light.png");
        d->close();
    }

    void udpStreamAsTshark()
    {
        // Packet 1: a DNS query.
        const uint32_t stream = tshark_stream("udp", 1);
        FollowStreamDialog* d = openFromMenu(1, "followUdpStream");
        QVERIFY(d);
        QCOMPARE(d->stream(), stream);
        d->setView(FollowStreamDialog::View::Raw);
        const auto theirs = tshark_follow("udp", stream);
        QStringList mine = d->text().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(mine.size(), qsizetype(theirs.size()));
        for (size_t i = 0; i < theirs.size(); ++i)
            QCOMPARE(mine[qsizetype(i)].toLatin1(), theirs[i].second);
        d->close();
    }

    void liveStreamGrows()
    {
        // The demo arrives through a FIFO in two parts, cut inside HTTP
        // stream 13 (after packet 476): the dialog shows the stream so far,
        // then grows to tshark's whole stream once the rest has come.
        std::string err;
        auto reader = CaptureReader::open_path(kDemo.toStdString(), err);
        QVERIFY(reader);
        PacketRecord rec;
        uint64_t cut = 0;
        while (reader->next(rec) == CaptureReader::Status::Packet)
            if (rec.number == 477) {
                cut = rec.file_offset;
                break;
            }
        QVERIFY(cut > 0);
        QFile demo(kDemo);
        QVERIFY(demo.open(QIODevice::ReadOnly));
        const QByteArray bytes = demo.readAll();
        QTemporaryDir tmp;
        const QByteArray fifo = QFile::encodeName(tmp.filePath("live.pcapng"));
        QCOMPARE(::mkfifo(fifo.constData(), 0600), 0);
        std::atomic<bool> go{false}, stop{false};
        std::thread writer([&] {
            const int fd = ::open(fifo.constData(), O_WRONLY);
            if (fd < 0)
                return;
            auto put = [fd](const char* p, qsizetype n) {
                while (n > 0) {
                    const ssize_t w = ::write(fd, p, size_t(n));
                    if (w <= 0)
                        return;
                    p += w;
                    n -= w;
                }
            };
            put(bytes.constData(), qsizetype(cut));
            while (!go && !stop)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            put(bytes.constData() + cut, bytes.size() - qsizetype(cut));
            ::close(fd);
        });
        struct Join {
            std::thread& t;
            std::atomic<bool>& stop;
            ~Join()
            {
                stop = true;
                t.join();
            }
        } join{writer, stop};

        MainWindow w(QSize(1280, 720));
        w.setQuiet(true);
        w.setUnsavedAnswer([](const QString&) { return MainWindow::UnsavedAnswer{MainWindow::UnsavedChoice::Discard, {}}; });
        w.show();
        QVERIFY(w.openFile(QString::fromLocal8Bit(fifo)));
        QVERIFY(QTest::qWaitFor([&] { return w.packetModel()->rowCount() >= 476; }, 60000));
        FollowStreamDialog* d = w.followStream(true, 472);
        QVERIFY(d);
        d->setView(FollowStreamDialog::View::Raw);
        const auto theirs = tshark_follow("tcp", 13);
        QCOMPARE(theirs.size(), size_t(7)); // packets 472, 474, 475, 476 | 478, 479, 481
        auto lines = [&] { return d->text().split('\n', Qt::SkipEmptyParts); };
        QVERIFY(QTest::qWaitFor([&] { return lines().size() == 4; }, 60000));
        QVERIFY(!d->isComplete());
        for (int i = 0; i < 4; ++i)
            QCOMPARE(lines()[i].toLatin1(), theirs[size_t(i)].second);
        go = true;
        QVERIFY(QTest::qWaitFor([&] { return d->isComplete(); }, 60000));
        const QStringList all = lines();
        QCOMPARE(all.size(), qsizetype(theirs.size()));
        for (size_t i = 0; i < theirs.size(); ++i)
            QCOMPARE(all[qsizetype(i)].toLatin1(), theirs[i].second);
        d->close();
    }
};

QTEST_MAIN(TestFollowStream)
#include "test_follow_stream.moc"
