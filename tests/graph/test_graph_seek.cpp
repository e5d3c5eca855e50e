// The host graph pane moves its window and builds its scenes off the GUI
// thread: on a capture large enough that a far jump takes a while, a drag of
// the timeline (many seeks in a row) keeps the GUI thread ticking, coalesces
// the seeks, and ends on the scene a synchronous build gives at the final
// position. Steps pulse their packet's link once their scene is shown, and a
// session switch drops whatever was on its way for the previous capture.
#include "capture_session.h"
#include "graph_scene.h"
#include "graph_test_support.h"
#include "graph_timeline.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "traffic_window.h"
#include "window_cursor.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <map>
#include <vector>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kSynth = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-synth");

// Big enough that a far jump takes a good part of a second; a sanitizer
// build decodes several times slower, so a smaller capture does there.
#if defined(__SANITIZE_ADDRESS__)
#define UNDERHOOD_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDERHOOD_TEST_SANITIZED 1
#endif
#endif
#ifdef UNDERHOOD_TEST_SANITIZED
constexpr const char* kPackets = "150000";
#else
constexpr const char* kPackets = "500000";
#endif

// Node id -> packets, and link id -> packets: what two scenes must agree on.
std::map<NodeId, uint64_t> node_packets(const GraphScene& s)
{
    std::map<NodeId, uint64_t> m;
    for (const SceneNode& n : s.nodes)
        m[n.id] = n.packets;
    return m;
}

std::map<uint64_t, uint64_t> link_packets(const GraphScene& s)
{
    std::map<uint64_t, uint64_t> m;
    for (const SceneLink& l : s.links)
        m[l.id] = l.packets;
    return m;
}

// Runs a 10 ms timer on the GUI thread and records the longest gap between its ticks.
class TickWatch {
public:
    TickWatch()
    {
        timer_.setInterval(10);
        QObject::connect(&timer_, &QTimer::timeout, [this] { tick(); });
        clock_.start();
        last_ = 0;
        timer_.start();
    }
    void tick()
    {
        const qint64 now = clock_.elapsed();
        worst_ = std::max(worst_, now - last_);
        last_ = now;
    }
    qint64 worst()
    {
        tick();
        return worst_;
    }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = 0, worst_ = 0;
};

} // namespace

class TestGraphSeek : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString big_;
    CaptureSession* session_ = nullptr;
    int64_t first_ = 0, last_ = 0;
    WindowSpans spans_; // the pane's: the whole capture up to the position, so far jumps decode a lot

    void openBig(CaptureSession& session)
    {
        QString err;
        QVERIFY2(session.openFile(big_, &err), qPrintable(err));
        QVERIFY(QTest::qWaitFor([&] { return !session.isRunning(); }, 30000));
    }

    // The scene a synchronous build at `t` gives, as the pane was configured.
    GraphScene reference(const HostGraphPane& pane, int64_t t, qint64* ms)
    {
        QElapsedTimer clock;
        clock.start();
        TrafficWindow w;
        WindowCursor c(session_->engine(), w);
        c.set_spans(pane.spans());
        c.seek(t);
        GraphBuilder b;
        GraphOptions opts = pane.options();
        opts.keep = 0;
        GraphScene s = build_scene(b, session_->engine(), w, c, opts);
        *ms = clock.elapsed();
        return s;
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("underhood-tests");
        QCoreApplication::setApplicationName("test_graph_seek");
        QVERIFY(dir_.isValid());
        big_ = dir_.filePath("big.pcapng");
        QProcess synth;
        // Starts long after the bundled demo capture, so that their times never overlap.
        synth.start(kSynth, {"-n", kPackets, "--hosts", "200", "--duration", "300", "--start", "1750000000", "-q",
                             "-o", big_});
        QVERIFY(synth.waitForFinished(60000));
        QCOMPARE(synth.exitCode(), 0);
        session_ = new CaptureSession;
        openBig(*session_);
        TrafficWindow w;
        WindowCursor c(session_->engine(), w);
        QVERIFY(c.capture_bounds(first_, last_));
        QVERIFY(last_ - first_ > 200'000'000'000);
        spans_.window_ns = 0;
    }

    void cleanupTestCase() { delete session_; }

    void dragStaysResponsiveAndEndsOnTheLastSeek()
    {
        HostGraphPane pane(session_);
        pane.setSpans(spans_);
        pane.resize(900, 600);
        QVERIFY(pane.waitForScene());
        QCOMPARE(pane.time(), last_);

        // How long one far jump takes when made synchronously (for the log:
        // what the GUI thread would have been held for at each seek).
        qint64 sync_ms = 0;
        reference(pane, first_ + (last_ - first_) / 2, &sync_ms);
        qInfo("a far seek and build made synchronously: %lld ms", static_cast<long long>(sync_ms));

        // A wild drag: every 20 ms a few seeks, alternately near the start and
        // near the end of the capture, so that most of them are far jumps.
        QSignalSpy shown(&pane, &HostGraphPane::sceneShown);
        const int64_t span = last_ - first_;
        const int ticks = 40, per_tick = 3;
        int issued = 0, tick = 0;
        int64_t final_t = 0;
        QTimer drag;
        drag.setInterval(20);
        connect(&drag, &QTimer::timeout, this, [&] {
            for (int k = 0; k < per_tick; ++k, ++issued) {
                const int64_t frac = (tick % 2 == 0) ? 5 + issued % 7 : 85 + issued % 9;
                final_t = first_ + span * frac / 100 + issued * 1'000'000;
                pane.seek(final_t);
            }
            if (++tick == ticks)
                drag.stop();
        });
        TickWatch watch;
        drag.start();
        QVERIFY(QTest::qWaitFor([&] { return tick == ticks; }, 20000));
        QVERIFY(pane.isBusy() || pane.time() == final_t);
        QVERIFY(pane.waitForScene(20000));
        const qint64 worst = watch.worst();
        qInfo("%d seeks, %lld scenes shown, longest GUI-thread gap %lld ms", issued,
              static_cast<long long>(shown.count()), static_cast<long long>(worst));
        QVERIFY2(worst < 100, qPrintable(QString("the GUI thread stalled for %1 ms").arg(worst)));
        // Coalesced: far fewer scenes than seeks.
        QVERIFY(shown.count() >= 1);
        QVERIFY(shown.count() < issued / 2);

        // Only the final position is shown, everywhere.
        QVERIFY(!pane.isBusy());
        QCOMPARE(pane.time(), final_t);
        QCOMPARE(pane.view()->scene().time_ns, final_t);
        QCOMPARE(pane.timeline()->position(), final_t);
        QVERIFY(!pane.view()->viewState().caption.contains("moving"));
        // Nothing else arrives later.
        const qsizetype count = shown.count();
        QTest::qWait(100);
        QCOMPARE(shown.count(), count);

        // The scene equals a fresh synchronous build at that time.
        qint64 ms = 0;
        const GraphScene ref = reference(pane, final_t, &ms);
        const GraphScene& got = pane.view()->scene();
        QVERIFY(!ref.nodes.empty());
        QCOMPARE(got.hosts, ref.hosts);
        QCOMPARE(got.nodes.size(), ref.nodes.size());
        QCOMPARE(got.links.size(), ref.links.size());
        QVERIFY(node_packets(got) == node_packets(ref));
        QVERIFY(link_packets(got) == link_packets(ref));
    }

    void farSeekSaysItIsMoving()
    {
        HostGraphPane pane(session_);
        pane.setSpans(spans_);
        QVERIFY(pane.waitForScene());
        // From near the start to near the end: with the whole capture as the
        // window, that decodes almost every packet again.
        pane.seek(first_ + (last_ - first_) / 20);
        QVERIFY(pane.waitForScene());
        const int64_t start = pane.time();
        QVERIFY(!pane.view()->viewState().caption.contains("moving"));
        const int64_t t = first_ + (last_ - first_) * 19 / 20;
        QElapsedTimer clock;
        clock.start();
        pane.seek(t);
        QVERIFY(pane.isBusy());
        // Until the scene arrives, the pane shows where it was.
        QCOMPARE(pane.time(), start);
        bool said = false;
        while (pane.isBusy() && clock.elapsed() < 20000) {
            QTest::qWait(5);
            // Past the busy delay (with a margin for a loaded machine), a move still on its way says so.
            if (pane.isBusy() && clock.elapsed() > 400)
                QVERIFY(pane.view()->viewState().caption.contains(
                    QString("moving to %1 s").arg(double(t - first_) / 1e9, 0, 'f', 1)));
            said = said || pane.view()->viewState().caption.contains("moving to");
        }
        QVERIFY(!pane.isBusy());
        qInfo("far seek shown after %lld ms%s", static_cast<long long>(clock.elapsed()),
              said ? ", the caption said it was moving" : "");
        QCOMPARE(pane.time(), t);
        QVERIFY(!pane.view()->viewState().caption.contains("moving"));
    }

    void stepPulsesWhenItsSceneIsShown()
    {
        HostGraphPane pane(session_);
        pane.setSpans(spans_);
        QVERIFY(pane.waitForScene());
        pane.seek(first_ + (last_ - first_) / 3);
        QVERIFY(pane.waitForScene());
        bool pulsed = false;
        for (int k = 0; k < 10 && !pulsed; ++k) {
            const size_t pulses = pane.view()->viewState().pulses.size();
            const qint64 before = pane.time();
            QVERIFY(pane.step(+1));
            // Not before the scene of the step is shown.
            QCOMPARE(pane.view()->viewState().pulses.size(), pulses);
            QCOMPARE(pane.time(), before);
            QVERIFY(pane.waitForScene());
            QVERIFY(pane.time() >= before);
            pulsed = pane.view()->viewState().pulses.size() > pulses;
        }
        QVERIFY(pulsed);

        // Steps posted faster than scenes arrive still count one by one.
        const int64_t at = first_ + (last_ - first_) * 2 / 3;
        pane.seek(at);
        QVERIFY(pane.waitForScene());
        uint64_t numbered = 0;
        {
            TrafficWindow w;
            WindowCursor c(session_->engine(), w);
            c.set_spans(pane.spans());
            c.seek(at);
            for (int k = 0; k < 5; ++k)
                QVERIFY(c.step(+1));
            numbered = c.last_number();
            QVERIFY(c.step(-1));
            QVERIFY(c.step(-1));
            QCOMPARE(c.last_number(), numbered - 2);
            const int64_t expected = c.time();
            for (int k = 0; k < 5; ++k)
                QVERIFY(pane.step(+1));
            QVERIFY(pane.step(-1));
            QVERIFY(pane.step(-1));
            QVERIFY(pane.waitForScene());
            QCOMPARE(pane.time(), expected);
        }
        // At the end of the capture there is no step forwards.
        pane.follow();
        QVERIFY(pane.waitForScene());
        QCOMPARE(pane.time(), last_);
        QVERIFY(!pane.step(+1));
    }

    void sessionSwitchDropsStaleScenes()
    {
        HostGraphPane pane(session_);
        pane.setSpans(spans_);
        QVERIFY(pane.waitForScene());
        CaptureSession demo;
        QString err;
        QVERIFY2(demo.openFile(kDemo, &err), qPrintable(err));
        QVERIFY(QTest::qWaitFor([&] { return !demo.isRunning(); }, 30000));
        int64_t demo_first = 0, demo_last = 0;
        {
            TrafficWindow w;
            WindowCursor c(demo.engine(), w);
            QVERIFY(c.capture_bounds(demo_first, demo_last));
        }
        QVERIFY(demo_last < first_ || demo_first > last_);

        // A far jump on the big capture, and straight away another capture.
        std::vector<int64_t> times;
        connect(&pane, &HostGraphPane::sceneShown, this, [&] { times.push_back(pane.time()); });
        pane.seek(first_ + (last_ - first_) / 2);
        QVERIFY(pane.isBusy());
        pane.setSession(&demo);
        QVERIFY(pane.waitForScene());
        QCOMPARE(pane.time(), demo_last);
        QTest::qWait(300); // time for a stale scene to turn up, were it delivered
        QVERIFY(!times.empty());
        for (int64_t t : times)
            QVERIFY2(t >= demo_first && t <= demo_last, "a scene of the previous capture was shown");

        // Closing the session while a far jump is on its way shows nothing of it.
        pane.setSession(session_);
        QVERIFY(pane.waitForScene());
        pane.seek(first_ + (last_ - first_) / 4);
        pane.setSession(nullptr);
        QVERIFY(!pane.isBusy());
        times.clear();
        QTest::qWait(300);
        QVERIFY(times.empty());
        QVERIFY(pane.view()->scene().nodes.empty());
        QCOMPARE(pane.time(), qint64(0));
    }
};

QTEST_MAIN(TestGraphSeek)
#include "test_graph_seek.moc"
