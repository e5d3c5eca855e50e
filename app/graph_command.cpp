// underhood-cli-graph: `underhood-cli graph`, the host graph of a capture
// rendered offscreen to PNG or SVG (the same scene the app draws).
#include "force_layout.h"
#include "graph_export.h"
#include "graph_scene.h"
#include "ingest_engine.h"
#include "time_math.h"
#include "window_cursor.h"

#include <QGuiApplication>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace underhood {

namespace {

const char* const kGraphHelp =
    "  graph FILE        draw the host graph of FILE into an image (no display needed)\n"
    "  -o OUT            PNG or SVG, by its suffix\n"
    "  --layer L         nodes are ip hosts (default), ether (MAC) or port (address:port)\n"
    "  --at SECONDS      the graph at this time, in seconds from the first packet\n"
    "                    (default: the end of the capture)\n"
    "  --window SECONDS  traffic shown: the window ending at --at (default 0: from the start)\n"
    "  --size WxH        image size in pixels (default 1600x1000)\n"
    "  --theme T         light (default) or dark\n"
    "  --cluster C       remote hosts collapse: auto (default), 24, 16, internet or off\n"
    "  --top N           only the N busiest nodes\n"
    "  --layout L        force (default) or circle\n"
    "  --size-by S       node size from total bytes (default) or rate\n"
    "  --list            also print the graph's nodes (address, packets, bytes, local/remote, label)\n";

int graph_usage_error(const std::string& msg)
{
    std::cerr << "underhood-cli: " << msg << '\n'
              << "usage: underhood-cli graph FILE -o OUT.svg|OUT.png [--layer ip|ether|port] [--at SECONDS]\n"
                 "                           [--size WxH] [options]   (underhood-cli --help for all)\n";
    return 2;
}

bool parse_seconds(const std::string& s, double& out)
{
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return !s.empty() && end && *end == 0 && std::isfinite(out) && out >= 0;
}

int run_graph_command(int argc, char** argv, const std::vector<std::string>& args)
{
    std::string file, out;
    Layer layer = Layer::Ip;
    double at = -1, window = 0;
    int width = 1600, height = 1000;
    bool dark = false, list = false;
    GraphOptions gopts;
    LayoutKind kind = LayoutKind::Force;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& v) {
            if (i + 1 >= args.size())
                return false;
            v = args[++i];
            return true;
        };
        std::string v;
        if (a == "-o" || a == "--output") {
            if (!value(out))
                return graph_usage_error("-o needs a file name ending in .png or .svg");
        } else if (a == "--layer") {
            if (!value(v) || !parse_layer(v, layer))
                return graph_usage_error("--layer needs ip, ether or port");
        } else if (a == "--at") {
            if (!value(v) || !parse_seconds(v, at))
                return graph_usage_error("--at needs seconds from the first packet");
        } else if (a == "--window") {
            if (!value(v) || !parse_seconds(v, window))
                return graph_usage_error("--window needs seconds (0: from the start)");
        } else if (a == "--size") {
            if (!value(v) || std::sscanf(v.c_str(), "%dx%d", &width, &height) != 2 || width < 16 || height < 16 ||
                width > 16384 || height > 16384)
                return graph_usage_error("--size needs WxH, 16 to 16384 pixels each");
        } else if (a == "--theme") {
            if (!value(v) || (v != "light" && v != "dark"))
                return graph_usage_error("--theme needs light or dark");
            dark = v == "dark";
        } else if (a == "--cluster") {
            if (!value(v))
                return graph_usage_error("--cluster needs auto, 24, 16, internet or off");
            if (v == "auto")
                gopts.cluster = ClusterMode::Auto;
            else if (v == "24")
                gopts.cluster = ClusterMode::Prefix24;
            else if (v == "16")
                gopts.cluster = ClusterMode::Prefix16;
            else if (v == "internet")
                gopts.cluster = ClusterMode::Internet;
            else if (v == "off")
                gopts.cluster = ClusterMode::Off;
            else
                return graph_usage_error("--cluster needs auto, 24, 16, internet or off");
        } else if (a == "--top") {
            if (!value(v) || v.find_first_not_of("0123456789") != std::string::npos || v.empty())
                return graph_usage_error("--top needs a number");
            gopts.top_n = std::stoul(v);
        } else if (a == "--layout") {
            if (!value(v) || (v != "force" && v != "circle"))
                return graph_usage_error("--layout needs force or circle");
            kind = v == "circle" ? LayoutKind::Circle : LayoutKind::Force;
        } else if (a == "--size-by") {
            if (!value(v) || (v != "total" && v != "rate"))
                return graph_usage_error("--size-by needs total or rate");
            gopts.size_by = v == "rate" ? SizeMetric::Rate : SizeMetric::Total;
        } else if (a == "--list") {
            list = true;
        } else if (a.size() > 1 && a[0] == '-') {
            return graph_usage_error("unknown option '" + a + "'");
        } else if (!file.empty()) {
            return graph_usage_error("only one capture file at a time");
        } else {
            file = a;
        }
    }
    if (file.empty())
        return graph_usage_error("graph needs a capture file");
    if (out.empty() && !list)
        return graph_usage_error("graph needs -o OUT.png or OUT.svg (or --list)");
    if (!out.empty()) {
        const std::string suffix = out.size() > 4 ? out.substr(out.size() - 4) : "";
        if (suffix != ".png" && suffix != ".svg" && suffix != ".PNG" && suffix != ".SVG")
            return graph_usage_error("-o needs a file name ending in .png or .svg");
    }
    gopts.layer = layer;

    // Qt only for this command: the offscreen platform, no display needed.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Qt's own chatter (no XDG runtime directory and the like) is not the user's concern here.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& msg) {
        if (type == QtCriticalMsg || type == QtFatalMsg)
            std::cerr << "underhood-cli: " << msg.toStdString() << '\n';
    });
    QGuiApplication app(argc, argv);

    IngestOptions io;
    io.model.throughput = false;
    IngestEngine engine(io);
    std::string error;
    if (!engine.open_path(file, error)) {
        std::cerr << "underhood-cli: " << error << '\n';
        return 1;
    }
    engine.wait();
    const auto [read_error, warnings] = engine.with_state(
        [](const IngestEngine::State& st) { return std::pair(st.error, st.warnings); });
    for (const std::string& w : warnings)
        std::cerr << "underhood-cli: warning: " << file << ": " << w << '\n';
    if (!read_error.empty())
        std::cerr << "underhood-cli: warning: " << file << ": " << read_error << '\n';

    TrafficWindow tw;
    WindowCursor cursor(engine, tw);
    WindowSpans spans;
    // Times saturate: --at and --window accept any number of seconds, and a
    // capture's times may lie anywhere in the int64 range.
    spans.window_ns = ns_from_seconds(window);
    cursor.set_spans(spans);
    int64_t first_ns = 0, last_ns = 0;
    const bool any = cursor.capture_bounds(first_ns, last_ns);
    if (at >= 0 && any)
        cursor.seek(time_add(first_ns, ns_from_seconds(at)));
    else
        cursor.seek_end();
    GraphBuilder builder;
    GraphScene scene = engine.with_state([&](const IngestEngine::State& st) {
        return builder.build(tw, cursor.spans(), gopts, &st.model.names(), cursor.time());
    });

    if (list) {
        std::vector<const SceneNode*> rows;
        for (const SceneNode& n : scene.nodes)
            rows.push_back(&n);
        std::sort(rows.begin(), rows.end(), [](const SceneNode* a, const SceneNode* b) {
            return a->packets != b->packets ? a->packets > b->packets : a->key < b->key;
        });
        for (const SceneNode* n : rows)
            std::cout << n->key << '\t' << n->packets << '\t' << n->bytes << '\t' << (n->local ? "local" : "remote")
                      << '\t' << n->label << '\n';
        std::cout.flush();
    }
    if (out.empty())
        return 0;

    ForceLayout layout;
    layout.set_kind(kind);
    layout.set_aspect(double(width) / double(height));
    layout.sync(scene);
    layout.run(3000);

    GraphExportOptions eo;
    eo.size = QSize(width, height);
    eo.style = dark ? GraphStyle::dark_theme() : GraphStyle::light();
    const double t_rel = any ? seconds_between(first_ns, cursor.time()) : 0;
    QString caption = QString("%1 · %2 · %3 hosts")
                          .arg(QString::fromStdString(file).section('/', -1))
                          .arg(QString::fromLatin1(layer_name(layer)))
                          .arg(scene.hosts);
    if (scene.clustered)
        caption += QString(" (%1 in clusters)").arg(scene.clustered);
    caption += QString(" · %1 s").arg(t_rel, 0, 'f', 1);
    caption += window > 0 ? QString(" · last %1 s").arg(window) : QString(" · from the start");
    eo.caption = caption;
    QString err;
    if (!exportGraph(QString::fromStdString(out), scene, layout, eo, &err)) {
        std::cerr << "underhood-cli: " << err.toStdString() << '\n';
        return 1;
    }
    return 0;
}

} // namespace

} // namespace underhood

int main(int argc, char** argv)
{
    std::ios::sync_with_stdio(false);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << "usage: underhood-cli graph FILE -o OUT.svg|OUT.png [options]\n\n" << underhood::kGraphHelp;
        return 0;
    }
    return underhood::run_graph_command(argc, argv, args);
}
