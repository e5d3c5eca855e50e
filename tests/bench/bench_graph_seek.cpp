// bench_graph_seek: what a far jump on the host graph's timeline costs, and
// how long the GUI thread stalls while the graph pane makes the jump.
//
// 1. The model alone: WindowCursor::seek from the end of the capture to a
//    time far back (and back again), then GraphBuilder::build, timed apart.
// 2. The pane: HostGraphPane on the capture (offscreen), a timer ticking
//    every 10 ms on the GUI thread. Far seeks, then a drag (many seeks
//    20 ms apart across the timeline, then as many alternating between 10%
//    and 90% of it); prints the longest gap between ticks and the time until
//    the scene at the requested position is on screen.
//
//   bench_graph_seek FILE [--drag N] [--window SEC]
//   (--window: the node timeout, the graph's history; default 60, 0 = from the start)
//   (make FILE with e.g. underhood-synth -n 2000000 --hosts 1000 -o big.pcapng)
//
// Not run by ctest: it needs a large capture and a quiet machine.
#include "capture_session.h"
#include "graph_scene.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "traffic_window.h"
#include "window_cursor.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

using namespace underhood;

namespace {

double ms_since(const QElapsedTimer& t) { return double(t.nsecsElapsed()) / 1e6; }

// Runs the event loop until `done` holds, with a 10 ms timer on the GUI
// thread; returns the longest gap between its ticks (ms) and sets `took`.
double longest_gap(const std::function<void()>& start, const std::function<bool()>& done, double& took,
                   int timeout_ms = 60000)
{
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 worst = 0;
    QTimer tick;
    tick.setInterval(10);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        worst = std::max(worst, now - last);
        last = now;
    });
    tick.start();
    QTimer::singleShot(0, [&] {
        last = clock.nsecsElapsed();
        start();
    });
    QCoreApplication::processEvents();
    while (!done() && clock.elapsed() < timeout_ms)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    took = ms_since(clock);
    worst = std::max(worst, clock.nsecsElapsed() - last);
    return double(worst) / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName("underhood-bench"); // the app's own settings stay untouched
    QCoreApplication::setApplicationName("bench_graph_seek");
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_graph_seek FILE [--drag N] [--window SEC]\n");
        return 2;
    }
    int drag = 100;
    WindowSpans spans;
    for (int i = 2; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--drag") == 0)
            drag = std::max(1, std::atoi(argv[++i]));
        else if (std::strcmp(argv[i], "--window") == 0)
            spans.window_ns = int64_t(std::atof(argv[++i]) * 1e9);
    }

    CaptureSession session;
    QString err;
    QElapsedTimer clock;
    clock.start();
    if (!session.openFile(QString::fromLocal8Bit(argv[1]), &err)) {
        std::fprintf(stderr, "%s\n", qPrintable(err));
        return 1;
    }
    while (session.isRunning())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    const size_t packets = session.engine().with_state([](const IngestEngine::State& st) { return st.index.size(); });
    std::printf("opened %zu packets in %.0f ms\n", packets, ms_since(clock));

    // 1. The model alone.
    TrafficWindow window;
    WindowCursor cursor(session.engine(), window);
    cursor.set_spans(spans);
    int64_t first = 0, last = 0;
    if (!cursor.capture_bounds(first, last))
        return 1;
    GraphBuilder builder;
    GraphOptions opts;
    auto build = [&] {
        return session.engine().with_state([&](const IngestEngine::State& st) {
            return builder.build(window, cursor.spans(), opts, &st.model.names(), cursor.time());
        });
    };
    clock.restart();
    cursor.seek_end();
    std::printf("model: seek_end (first fill)   %8.1f ms, %llu packets decoded\n", ms_since(clock),
                static_cast<unsigned long long>(cursor.decoded_last_move()));
    const int64_t targets[] = {first + (last - first) / 10, last, first + (last - first) / 2,
                               first + (last - first) / 2 + 1'000'000'000};
    const char* names[] = {"far back (10%)", "far forward (end)", "far back (50%)", "near (+1 s)"};
    for (size_t k = 0; k < 4; ++k) {
        clock.restart();
        cursor.seek(targets[k]);
        const double seek_ms = ms_since(clock);
        clock.restart();
        const GraphScene scene = build();
        std::printf("model: seek %-18s %8.1f ms, %7llu packets decoded; build %6.1f ms (%zu nodes, %zu links)\n",
                    names[k], seek_ms, static_cast<unsigned long long>(cursor.decoded_last_move()), ms_since(clock),
                    scene.nodes.size(), scene.links.size());
    }

    // 2. The pane, on the GUI thread.
    HostGraphPane pane;
    pane.setSpans(spans); // before the session: the first scene is made with these spans
    pane.setSession(&session);
    pane.resize(1000, 700);
    pane.show();
    double took = 0;
    auto at = [&](int64_t t) { return [&pane, t] { return pane.view()->scene().time_ns == t && pane.time() == t; }; };
    auto at_end = [&] { return pane.view()->scene().time_ns == last; };
    longest_gap([] {}, at_end, took);
    {
        // What the view's own frames cost the GUI thread when nothing moves.
        QElapsedTimer idle;
        idle.start();
        const double gap = longest_gap([] {}, [&] { return idle.elapsed() >= 1000; }, took);
        std::printf("pane: idle for 1 s                longest GUI stall %7.1f ms\n", gap);
    }
    for (size_t k = 0; k < 3; ++k) {
        const int64_t t = targets[k] == last ? last - 1 : targets[k];
        const double gap = longest_gap([&pane, t] { pane.seek(t); }, at(t), took);
        std::printf("pane: seek %-18s longest GUI stall %7.1f ms; scene shown after %7.1f ms\n", names[k], gap, took);
    }
    // A drag: seeks 20 ms apart from 5% to 95% of the capture.
    int issued = 0;
    QTimer dragger;
    dragger.setInterval(20);
    const int64_t span = last - first;
    const int64_t final_t = first + span / 20 + (span * 9 / 10) / drag * drag;
    QObject::connect(&dragger, &QTimer::timeout, [&] {
        if (issued >= drag) {
            dragger.stop();
            pane.seek(final_t);
            return;
        }
        pane.seek(first + span / 20 + (span * 9 / 10) / drag * issued);
        ++issued;
    });
    double gap = longest_gap([&] { dragger.start(); }, [&] { return issued >= drag && at(final_t)(); }, took);
    std::printf("pane: drag of %d seeks 20 ms apart: longest GUI stall %7.1f ms; final scene after %7.1f ms\n", drag,
                gap, took);
    // A wild drag: the same number of seeks, alternately near the start and near the end.
    issued = 0;
    int64_t wild_t = 0;
    QTimer wild;
    wild.setInterval(20);
    QObject::connect(&wild, &QTimer::timeout, [&] {
        wild_t = first + span * (issued % 2 ? 90 : 10) / 100 + issued * 1'000'000;
        pane.seek(wild_t);
        if (++issued >= drag)
            wild.stop();
    });
    gap = longest_gap([&] { wild.start(); }, [&] { return issued >= drag && at(wild_t)(); }, took);
    std::printf("pane: zigzag of %d seeks 20 ms apart: longest GUI stall %7.1f ms; final scene after %7.1f ms\n",
                drag, gap, took);
    return 0;
}
