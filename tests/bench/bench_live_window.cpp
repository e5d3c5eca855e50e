// The whole window, open and rendering, under load; run by
// bench_live_window.sh (live) or by hand (file).
//
//   bench_live_window --live IFACE [--seconds N] [--buffer MIB]
//       Captures on IFACE through the real helper for N seconds with the
//       throughput plot in view, then stops and prints what every stage
//       received and dropped (the drop panel's model) and the event loop's
//       latency.
//   bench_live_window --file FILE
//       Opens FILE, then zooms the throughput plot from the whole capture
//       down to 1 ms bins and back and pans across it, timing each re-bin and
//       redraw, with the event loop's latency meanwhile.
//
// Latency: a 5 ms precise timer records how late each tick fires; a frozen
// window shows as large lateness. Output is one "key value" per line.
#include "drop_panel.h"
#include "main_window.h"
#include "throughput_plot.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <fstream>

using namespace underhood;

namespace {

class LatencyProbe : public QObject {
public:
    explicit LatencyProbe(int interval_ms) : interval_(interval_ms)
    {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(interval_ms);
        QObject::connect(&timer_, &QTimer::timeout, this, [this] {
            const qint64 now = clock_.nsecsElapsed();
            if (last_ >= 0)
                late_ms_.push_back(std::max(0.0, double(now - last_) / 1e6 - interval_));
            last_ = now;
        });
    }
    void start()
    {
        late_ms_.clear();
        last_ = -1;
        clock_.start();
        timer_.start();
    }
    void stop() { timer_.stop(); }
    double percentile(double p) const
    {
        if (late_ms_.empty())
            return 0;
        std::vector<double> v = late_ms_;
        std::sort(v.begin(), v.end());
        return v[std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())))];
    }
    size_t samples() const { return late_ms_.size(); }

private:
    int interval_;
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = -1;
    std::vector<double> late_ms_;
};

void wait_ms(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QApplication::processEvents(QEventLoop::AllEvents, 5);
}

uint64_t rss_kib()
{
    std::ifstream f("/proc/self/status");
    std::string k;
    while (f >> k) {
        if (k == "VmRSS:") {
            uint64_t v;
            f >> v;
            return v;
        }
        f.ignore(1 << 12, '\n');
    }
    return 0;
}

void print_latency(const char* what, const LatencyProbe& p)
{
    std::printf("%s_latency_samples %zu\n", what, p.samples());
    std::printf("%s_latency_p50_ms %.2f\n%s_latency_p99_ms %.2f\n%s_latency_max_ms %.2f\n", what, p.percentile(50),
                what, p.percentile(99), what, p.percentile(100));
}

int run_live(MainWindow& w, const QString& itf, int seconds, int buffer)
{
    LiveCaptureOptions o;
    o.interfaces = {itf};
    o.buffer_mib = buffer;
    if (!w.startCapture(o)) {
        std::fprintf(stderr, "bench_live_window: %s\n", qPrintable(w.lastError()));
        return 1;
    }
    std::printf("ready 1\n");
    std::fflush(stdout);
    LatencyProbe probe(5);
    probe.start();
    wait_ms(seconds * 1000);
    probe.stop();
    w.session()->stop();
    QElapsedTimer t;
    t.start();
    while (w.session()->isRunning() && t.elapsed() < 60000)
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    wait_ms(300);
    w.dropPanel()->refresh();
    const DropStatistics& d = w.dropPanel()->statistics();
    const StageArray& s = d.totals();
    auto stage = [&](DropStage st, const char* name) {
        const StageFigures& f = s[size_t(st)];
        std::printf("%s_received %llu\n%s_dropped %llu\n", name, (unsigned long long)f.received.value_or(0), name,
                    (unsigned long long)f.dropped);
    };
    stage(DropStage::Interface, "interface");
    stage(DropStage::Kernel, "kernel");
    stage(DropStage::Helper, "helper");
    stage(DropStage::Socket, "socket");
    stage(DropStage::Ingest, "ingest");
    const uint64_t decoded = w.session()->engine().with_state(
        [](const IngestEngine::State& st) { return st.model.totals().packets; });
    std::printf("decoded %llu\n", (unsigned long long)decoded);
    std::printf("total_dropped %llu\n", (unsigned long long)d.total_dropped());
    print_latency("live", probe);
    std::printf("rss_kib %llu\n", (unsigned long long)rss_kib());
    return 0;
}

int run_file(MainWindow& w, const QString& file)
{
    QElapsedTimer t;
    t.start();
    if (!w.openFile(file))
        return 1;
    while (w.session()->isRunning())
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    wait_ms(300);
    std::printf("open_s %.2f\n", double(t.elapsed()) / 1000);
    ThroughputPlot* p = w.throughputPlot();
    auto [first, last, bins, base, held] = w.session()->engine().with_state([](const IngestEngine::State& st) {
        const ThroughputSeries& ts = st.model.throughput();
        return std::tuple(st.model.totals().first_ns, st.model.totals().last_ns, ts.bin_count(), ts.base_ns(),
                          ts.memory_bytes());
    });
    std::printf("span_s %.1f\nmodel_bins %zu\nbase_bin_ms %.3f\nthroughput_kib %zu\nrss_kib %llu\n",
                double(last - first) / 1e9, bins, double(base) / 1e6, held / 1024, (unsigned long long)rss_kib());

    // Zoom in around the middle by halves down to 50 ms, then back out.
    std::vector<double> step_ms;
    const int64_t mid = first + (last - first) / 2;
    std::vector<int64_t> spans;
    for (int64_t s = last - first; s >= 50'000'000; s /= 2)
        spans.push_back(s);
    std::vector<int64_t> back(spans.rbegin(), spans.rend());
    spans.insert(spans.end(), back.begin(), back.end());
    int64_t min_width = INT64_MAX;
    for (int64_t s : spans) {
        QElapsedTimer st;
        st.start();
        p->setViewRange(mid - s / 2, mid + s / 2);
        p->plot()->replot(QCustomPlot::rpImmediateRefresh);
        step_ms.push_back(double(st.nsecsElapsed()) / 1e6);
        min_width = std::min(min_width, p->binWidthNs());
    }
    std::sort(step_ms.begin(), step_ms.end());
    std::printf("zoom_steps %zu\nzoom_median_ms %.1f\nzoom_max_ms %.1f\nfinest_bin_ms %.3f\n", step_ms.size(),
                step_ms[step_ms.size() / 2], step_ms.back(), double(min_width) / 1e6);

    // Pan a one-minute window across the whole capture at 60 steps a second,
    // through the event loop as dragging does, and watch the latency.
    LatencyProbe probe(5);
    probe.start();
    const int64_t win = 60'000'000'000;
    const int steps = 300;
    QElapsedTimer pan;
    pan.start();
    for (int i = 0; i < steps; ++i) {
        const int64_t a = first + (last - first - win) * i / steps;
        p->plot()->xAxis->setRange(double(a - p->originNs()) / 1e9, double(a + win - p->originNs()) / 1e9);
        p->plot()->replot(QCustomPlot::rpQueuedReplot);
        wait_ms(16);
    }
    probe.stop();
    std::printf("pan_frames %d\npan_s %.2f\n", steps, double(pan.elapsed()) / 1000);
    print_latency("pan", probe);
    // The whole capture again, with the moving average and the log scale.
    QElapsedTimer all;
    all.start();
    p->setMovingAverage(true);
    p->setLogScale(true);
    p->setFollowing(true);
    p->plot()->replot(QCustomPlot::rpImmediateRefresh);
    std::printf("whole_view_ms %.1f\nwhole_view_bin_ms %.1f\n", double(all.nsecsElapsed()) / 1e6,
                double(p->binWidthNs()) / 1e6);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("underhood-bench");
    QApplication::setApplicationName("bench_live_window");
    QCommandLineParser cli;
    QCommandLineOption live("live", "Capture live on IFACE.", "IFACE");
    QCommandLineOption file("file", "Open FILE.", "FILE");
    QCommandLineOption seconds("seconds", "Seconds to capture.", "N", "10");
    QCommandLineOption buffer("buffer", "Kernel buffer, MiB.", "MIB", "64");
    cli.addOptions({live, file, seconds, buffer});
    cli.addHelpOption();
    cli.process(app);

    MainWindow w;
    w.setQuiet(true);
    w.resize(1400, 950);
    w.show();
    if (auto* d = w.findChild<QDockWidget*>("throughputDock")) {
        d->show();
        d->raise();
    }
    wait_ms(200);
    int rc = 2;
    if (cli.isSet(live))
        rc = run_live(w, cli.value(live), cli.value(seconds).toInt(), cli.value(buffer).toInt());
    else if (cli.isSet(file))
        rc = run_file(w, cli.value(file));
    else
        cli.showHelp(2);
    std::fflush(stdout);
    return rc;
}
