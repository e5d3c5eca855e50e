// bench_graph: how fast the host graph draws and lays out.
//
// Frames per second drawn by HostGraphView (the app's own paint path) into
// an offscreen QImage with Qt's default software rasteriser, with particles
// moving on every busy link, and the time of one layout step with every node
// awake (the worst case: a new graph). Synthetic scenes shaped like networks
// (a few hubs, many leaves, a third of the nodes remote).
//
//   bench_graph [--seconds S] [--size WxH] [NODES:LINKS ...]
//   (default: 500:2000 5000:20000)
//
// Not run by ctest: it needs a quiet machine and a few seconds per size.
#include "force_layout.h"
#include "graph_scene.h"
#include "host_graph_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace underhood;

namespace {

GraphScene make_scene(size_t n, size_t m, uint32_t seed)
{
    std::mt19937 rng(seed);
    const Proto protos[] = {Proto::Tls, Proto::Dns, Proto::Http, Proto::Quic, Proto::Ssh, Proto::Tcp, Proto::Udp,
                            Proto::Icmp, Proto::Ntp, Proto::Dhcp};
    GraphScene s;
    s.generation = seed;
    for (size_t i = 0; i < n; ++i) {
        SceneNode node;
        node.id = 0x1000 + i;
        node.local = rng() % 3 != 0;
        node.bytes = uint64_t(std::exp2(6 + double(rng() % 2000) / 100.0));
        node.packets = node.bytes / 400 + 1;
        node.radius = node_radius(double(node.bytes), SizeMetric::Total, false);
        node.key = "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
        node.label = rng() % 2 ? "host-" + std::to_string(i) + ".example.net" : node.key;
        node.dominant = protos[rng() % 4];
        node.mix.emplace_back(node.dominant, 100);
        for (int k = int(rng() % 3); k > 0; --k)
            node.mix.emplace_back(protos[rng() % 10], 10 + rng() % 50);
        node.recent = true;
        s.index.emplace(node.id, uint32_t(i));
        s.nodes.push_back(std::move(node));
    }
    std::vector<uint32_t> ends;
    for (size_t k = 0; k < m; ++k) {
        const uint32_t a = uint32_t(rng() % n);
        uint32_t b = ends.empty() || rng() % 2 ? uint32_t(rng() % n) : ends[rng() % ends.size()];
        if (a == b)
            b = (b + 1) % uint32_t(n);
        SceneLink l;
        l.a = a;
        l.b = b;
        l.id = GraphScene::link_id(s.nodes[a].id, s.nodes[b].id) + k;
        l.bytes = uint64_t(std::exp2(8 + double(rng() % 1600) / 100.0));
        l.packets = l.bytes / 500 + 1;
        l.width = link_width(double(l.bytes), SizeMetric::Total);
        l.dominant = protos[rng() % 10];
        // Half the links are busy just now, at rates from 0.5 to 500 packets/s.
        l.recent = rng() % 2;
        if (l.recent) {
            l.a_to_b_pps = 0.5 * std::exp2(double(rng() % 1000) / 100.0);
            l.b_to_a_pps = rng() % 2 ? 0.5 * std::exp2(double(rng() % 1000) / 100.0) : 0;
        }
        s.links.push_back(l);
        ends.push_back(a);
        ends.push_back(b);
    }
    return s;
}

struct Result {
    double step_ms = 0;    // one layout step, every node awake
    int settle_steps = 0;
    double fit_fps = 0;    // whole graph in view, particles moving
    double moving_fps = 0; // the same while the view pans every frame
    double zooming_fps = 0; // the same while the view zooms every frame (the wheel turning)
    double settling_fps = 0; // the same while the layout moves (all drawn again every frame)
    double zoom_fps = 0;   // zoomed in 4x on the middle
    size_t particles = 0;
    size_t labels = 0;
};

// Frames drawn in `seconds`: particles move every frame. Panning moves the
// view by whole pixels (the keys, or a drag); zooming changes the scale every
// frame (the last full picture, scaled, stands in until the wheel stops);
// settling keeps the layout moving, so everything is drawn again every frame.
enum class Motion { None, Pan, Zoom, Settle };

double frames_per_second(HostGraphView& view, QImage& img, double seconds, Motion motion, size_t* particles,
                         size_t* labels)
{
    QElapsedTimer t;
    t.start();
    int frames = 0;
    while (double(t.nsecsElapsed()) / 1e9 < seconds || frames < 10) {
        view.advance(1.0 / 60);
        const QPointF mid(img.width() / 2.0, img.height() / 2.0);
        if (motion == Motion::Pan)
            QTest::keyClick(&view, frames % 2 ? Qt::Key_Left : Qt::Key_Right);
        else if (motion == Motion::Zoom)
            view.zoomBy(frames % 2 ? 1 / 1.02 : 1.02, mid);
        else if (motion == Motion::Settle)
            view.layout().reheat(0.05);
        QPainter p(&img);
        view.render(&p);
        p.end();
        ++frames;
    }
    if (particles)
        *particles = view.renderer().particlesDrawn();
    if (labels)
        *labels = view.renderer().labels().size();
    return frames / (double(t.nsecsElapsed()) / 1e9);
}

Result run(size_t n, size_t m, QSize size, double seconds)
{
    Result r;
    const GraphScene scene = make_scene(n, m, 42);
    {
        ForceLayout l;
        l.sync(scene);
        QElapsedTimer t;
        t.start();
        const int k = 20;
        for (int i = 0; i < k; ++i)
            l.step();
        r.step_ms = double(t.nsecsElapsed()) / 1e6 / k;
        r.settle_steps = k + l.run(5000);
    }
    HostGraphView view;
    view.resize(size);
    view.setScene(scene);
    view.layout().run(5000);
    view.fitToView();
    QImage img(size, QImage::Format_ARGB32_Premultiplied);
    r.fit_fps = frames_per_second(view, img, seconds, Motion::None, &r.particles, &r.labels);
    r.moving_fps = frames_per_second(view, img, seconds, Motion::Pan, nullptr, nullptr);
    view.fitToView();
    r.zooming_fps = frames_per_second(view, img, seconds, Motion::Zoom, nullptr, nullptr);
    view.fitToView();
    r.settling_fps = frames_per_second(view, img, seconds, Motion::Settle, nullptr, nullptr);
    view.layout().run(5000);
    view.fitToView();
    view.zoomBy(4, QPointF(size.width() / 2.0, size.height() / 2.0));
    QTest::qWait(300); // the wheel has stopped: drawn in full from here
    r.zoom_fps = frames_per_second(view, img, seconds, Motion::None, nullptr, nullptr);
    return r;
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    double seconds = 3;
    QSize size(1280, 800);
    std::vector<std::pair<size_t, size_t>> sizes;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        int w = 0, h = 0;
        size_t n = 0, m = 0;
        if (a == "--seconds" && i + 1 < argc)
            seconds = std::atof(argv[++i]);
        else if (a == "--size" && i + 1 < argc && std::sscanf(argv[++i], "%dx%d", &w, &h) == 2)
            size = QSize(w, h);
        else if (std::sscanf(a.c_str(), "%zu:%zu", &n, &m) == 2 && n > 1)
            sizes.emplace_back(n, m);
        else {
            std::fprintf(stderr, "usage: bench_graph [--seconds S] [--size WxH] [NODES:LINKS ...]\n");
            return 2;
        }
    }
    if (sizes.empty())
        sizes = {{500, 2000}, {5000, 20000}};
    std::printf("host graph, %dx%d image, software rasteriser (QImage ARGB32 premultiplied)\n", size.width(),
                size.height());
    std::printf("%7s %7s | %13s %12s | %9s %9s %9s %9s %9s | %9s %7s\n", "nodes", "links", "layout step",
                "settles in", "fps (fit)", "(panning)", "(zooming)", "(settling)", "(4x)", "particles", "labels");
    for (auto [n, m] : sizes) {
        const Result r = run(n, m, size, seconds);
        std::printf("%7zu %7zu | %10.2f ms %6d steps | %9.1f %9.1f %9.1f %10.1f %9.1f | %9zu %7zu\n", n, m,
                    r.step_ms, r.settle_steps, r.fit_fps, r.moving_fps, r.zooming_fps, r.settling_fps, r.zoom_fps,
                    r.particles, r.labels);
        std::fflush(stdout);
    }
    return 0;
}
