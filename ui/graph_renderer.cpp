#include "graph_renderer.h"

#include "packet_list_view.h"

#include <QFontMetricsF>
#include <QHash>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <thread>

namespace underhood {

namespace {

QColor with_alpha(QColor c, double a)
{
    c.setAlphaF(float(std::clamp(a, 0.0, 1.0)));
    return c;
}

QColor blend(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t), float(a.alphaF() * (1 - t) + b.alphaF() * t));
}

double phase_hash(uint64_t id, int dir)
{
    uint64_t x = id * 0x9E3779B97F4A7C15ull + uint64_t(dir) * 0xD1B54A32D192ED03ull;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    return double(x & 0xFFFFFF) / double(0x1000000);
}

// A node's disc on screen: never thinner than a hairline, and in
// presentation mode (scale > 1) large enough to see from the back of a room.
double discRadius(const ForceLayout& layout, size_t i, const GraphViewState& v)
{
    return std::max(double(layout.radius(i)) * v.zoom, v.scale > 1 ? 3.0 * v.scale : 1.3);
}

} // namespace

GraphStyle GraphStyle::fromPalette(const QPalette& p)
{
    GraphStyle s;
    s.background = p.color(QPalette::Base);
    s.text = p.color(QPalette::Text);
    s.dark = s.background.lightnessF() < 0.5;
    s.muted = blend(s.text, s.background, 0.45);
    s.highlight = p.color(QPalette::Highlight);
    s.label_background = with_alpha(s.background, 0.82);
    s.link = blend(s.text, s.background, 0.7);
    return s;
}

GraphStyle GraphStyle::light()
{
    QPalette p;
    p.setColor(QPalette::Base, QColor(0xfb, 0xfb, 0xfc));
    p.setColor(QPalette::Text, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::Highlight, QColor(0x1f, 0x6f, 0xeb));
    return fromPalette(p);
}

GraphStyle GraphStyle::dark_theme()
{
    // The app's dark theme (MainWindow's palette).
    QPalette p;
    p.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
    p.setColor(QPalette::Text, QColor(0xdf, 0xe1, 0xe5));
    p.setColor(QPalette::Highlight, QColor(0x35, 0x74, 0xf0));
    return fromPalette(p);
}

GraphRenderer::GraphRenderer() : style_(GraphStyle::light())
{
    QFont f;
    f.setPixelSize(11);
    setFont(f);
}

void GraphRenderer::setFont(const QFont& f)
{
    font_ = f;
    small_font_ = f;
    if (f.pixelSize() > 0)
        small_font_.setPixelSize(std::max(8, f.pixelSize() - 1));
    else
        small_font_.setPointSizeF(std::max(6.0, f.pointSizeF() - 1));
    label_generation_ = 0;
}

QColor GraphRenderer::protocolColor(Proto p)
{
    QColor c = PacketColorProxy::protocolColor(int(p));
    if (c.isValid())
        return c;
    if (p == Proto::None || p == Proto::Data)
        return QColor(0x9a, 0x9e, 0xa6);
    // Protocols the packet list leaves untinted still get a colour of their own.
    const int hue = (int(p) * 67 + 20) % 360;
    return QColor::fromHsv(hue, 120, 200);
}

QString GraphRenderer::protocolName(Proto p)
{
    const std::string_view n = proto_name(p);
    return QString::fromLatin1(n.data(), qsizetype(n.size())).toUpper();
}

double GraphRenderer::particleRate(double pps)
{
    if (pps <= 0)
        return 0;
    if (pps <= 4)
        return pps;
    return std::min(4 + 4 * std::log2(pps / 4), 40.0);
}

double GraphRenderer::travelTime(double length) { return std::clamp(length / 110.0, 0.6, 2.5); }

int GraphRenderer::nodeAt(const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                          const GraphViewState& v, QPointF s)
{
    int best = -1;
    double best_d = 1e300;
    for (size_t i = 0; i < scene.nodes.size() && i < layout.size(); ++i) {
        const QPointF c = toScreen(target, v, layout.xs()[i], layout.ys()[i]);
        const double r = std::max(discRadius(layout, i, v), 2.0) + 3;
        const double d = std::hypot(c.x() - s.x(), c.y() - s.y());
        if (d <= r && d - r < best_d) {
            best_d = d - r;
            best = int(i);
        }
    }
    return best;
}

const QPixmap& GraphRenderer::sprite(QRgb key)
{
    auto it = sprites_.find(key);
    if (it != sprites_.end())
        return *it;
    const int d = int(key >> 24);
    QPixmap pm(d + 2, d + 2);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(style_.background, 1));
    p.setBrush(QColor(QRgb(key | 0xFF000000u)));
    p.drawEllipse(QRectF(1, 1, d, d));
    p.end();
    return *sprites_.insert(key, pm);
}

void GraphRenderer::countDegrees(const GraphScene& scene)
{
    if (degree_generation_ == scene.generation && degree_.size() == scene.nodes.size())
        return;
    degree_generation_ = scene.generation;
    degree_.assign(scene.nodes.size(), 0);
    for (const SceneLink& l : scene.links)
        if (l.a < degree_.size() && l.b < degree_.size()) {
            ++degree_[l.a];
            ++degree_[l.b];
        }
}

std::vector<char> GraphRenderer::adjacency(const GraphScene& scene, size_t n, const GraphViewState& v) const
{
    std::vector<char> adjacent;
    if (v.selected >= 0 && size_t(v.selected) < n) {
        adjacent.assign(n, 0);
        adjacent[size_t(v.selected)] = 1;
        for (const SceneLink& l : scene.links) {
            if (int(l.a) == v.selected && l.b < n)
                adjacent[l.b] = 1;
            if (int(l.b) == v.selected && l.a < n)
                adjacent[l.a] = 1;
        }
    }
    return adjacent;
}

QColor GraphRenderer::colorOf(Proto pr)
{
    auto c = colors_.find(int(pr));
    if (c == colors_.end())
        c = colors_.insert(int(pr), protocolColor(pr));
    return *c;
}

namespace {
// Every packet of the node's ring, hidden protocols too (they leave no gap).
uint64_t ring_total(const SceneNode& n, bool by_sensor)
{
    uint64_t total = 0;
    if (by_sensor)
        for (const auto& m : n.sensors)
            total += m.second;
    else
        for (const auto& m : n.mix)
            total += m.second;
    return total;
}
} // namespace

QColor GraphRenderer::sensorColor(int sensor)
{
    static const QColor kOkabeIto[] = {{0x00, 0x72, 0xb2}, {0xe6, 0x9f, 0x00}, {0x00, 0x9e, 0x73},
                                       {0xcc, 0x79, 0xa7}, {0x56, 0xb4, 0xe9}, {0xd5, 0x5e, 0x00},
                                       {0xf0, 0xe4, 0x42}, {0x99, 0x99, 0x99}};
    if (sensor < 0)
        return QColor(0x90, 0x90, 0x90);
    const QColor c = kOkabeIto[sensor % 8];
    const int round = sensor / 8;
    return round == 0 ? c : round % 2 ? c.darker(100 + 35 * ((round + 1) / 2)) : c.lighter(100 + 30 * (round / 2));
}

QColor GraphRenderer::nodeColor(const SceneNode& n, const GraphViewState& v)
{
    return v.by_sensor ? sensorColor(n.sensor) : colorOf(n.dominant);
}

QColor GraphRenderer::linkColor(const SceneLink& l, const GraphViewState& v)
{
    return v.by_sensor ? sensorColor(l.sensor) : colorOf(l.dominant);
}

std::vector<std::pair<QColor, uint64_t>> GraphRenderer::ringOf(const SceneNode& n, const GraphViewState& v)
{
    std::vector<std::pair<QColor, uint64_t>> out;
    if (v.by_sensor) {
        for (const auto& [s, cnt] : n.sensors)
            out.emplace_back(sensorColor(s), cnt);
    } else {
        for (const auto& [pr, cnt] : n.mix)
            if (!v.hidden.test(size_t(pr)))
                out.emplace_back(colorOf(pr), cnt);
    }
    return out;
}

GraphRenderer::LinkLook GraphRenderer::linkLook(const SceneLink& l, const GraphViewState& v,
                                                const std::vector<char>& adjacent)
{
    const double wscale = std::clamp(std::sqrt(v.zoom), 0.6, 1.8);
    double alpha = l.recent ? 0.85 : 0.32;
    double width = std::max(0.6, double(l.width) * wscale) * std::max(1.0, v.scale);
    int layer = l.recent ? 1 : 0;
    if (!adjacent.empty()) {
        if (int(l.a) == v.selected || int(l.b) == v.selected) {
            alpha = 1;
            width += 1.2;
            layer = 2;
        } else {
            alpha *= 0.18;
            layer = 0;
        }
    }
    // Hundreds of links into one node (the Internet cluster, a gateway) make a
    // solid wedge: each of them is drawn fainter, so the fan stays see-through.
    if (l.a < degree_.size() && l.b < degree_.size() && layer < 2) {
        const double deg = std::max(degree_[l.a], degree_[l.b]);
        if (deg > 40)
            alpha *= std::max(0.3, std::sqrt(40 / deg));
    }
    QColor c = linkColor(l, v);
    if (!style_.dark)
        c = c.darker(118);
    c.setAlphaF(float(alpha));
    return {c, width, layer};
}

GraphRenderer::NodeLook GraphRenderer::nodeLook(const SceneNode& node, size_t i, const std::vector<char>& adjacent,
                                                const GraphViewState& v)
{
    QColor fill = nodeColor(node, v);
    if (!node.recent)
        fill = blend(fill, style_.background, 0.3);
    const bool dim = !adjacent.empty() && !adjacent[i];
    if (dim)
        fill = blend(fill, style_.background, 0.75);
    QColor outline = style_.dark ? fill.lighter(140) : fill.darker(150);
    if (dim)
        outline = blend(outline, style_.background, 0.6);
    return {fill, outline, dim};
}

std::vector<uint32_t> GraphRenderer::nodeOrder(const GraphScene& scene, size_t n) const
{
    // Big nodes first, so small ones are never hidden under them.
    std::vector<uint32_t> order(n);
    for (uint32_t i = 0; i < n; ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return scene.nodes[a].radius > scene.nodes[b].radius; });
    return order;
}

void GraphRenderer::paint(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                          const GraphViewState& v)
{
    p.save();
    p.setClipRect(target);
    p.fillRect(target, style_.background);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    particles_drawn_ = 0;
    countDegrees(scene);
    const size_t n = std::min(scene.nodes.size(), layout.size());
    const std::vector<char> adjacent = adjacency(scene, n, v);
    if (n) {
        paintLinks(p, target, scene, layout, v, adjacent);
        if (v.particles)
            paintParticles(p, target, scene, layout, v, adjacent);
        paintNodes(p, target, scene, layout, v, adjacent);
    }
    paintOverlay(p, target, scene, layout, v, adjacent);
    p.restore();
}

void GraphRenderer::render(QImage& image, const GraphScene& scene, const ForceLayout& layout,
                           const GraphViewState& v)
{
    const double dpr = image.devicePixelRatio();
    const QRectF target(0, 0, image.width() / dpr, image.height() / dpr);
    particles_drawn_ = 0;
    countDegrees(scene);
    const size_t n = std::min(scene.nodes.size(), layout.size());
    const std::vector<char> adjacent = adjacency(scene, n, v);
    const StaticKey key{scene.generation, layout.version(), v.zoom, v.centre.x(), v.centre.y(), dpr,
                        image.width(), image.height(), v.selected, std::hash<std::bitset<256>>{}(v.hidden),
                        style_.background.rgba(), v.scale, v.by_sensor};
    if (static_.size() != image.size() || static_.format() != image.format()) {
        static_ = QImage(image.size(), image.format());
        static_key_ = {};
    }
    static_pixels_ = 0;
    last_quick_ = false;
    StaticKey rescaled = static_key_;
    rescaled.zoom = key.zoom;
    rescaled.cx = key.cx;
    rescaled.cy = key.cy;
    if (v.quick && !(key == static_key_) && rescaled == key && static_key_.zoom > 0) {
        // Zooming: the picture drawn before, scaled about the new view. A
        // screen point s shows what the old picture had at
        // mid + (c_new - c_old) * z_old + (s - mid) * z_old / z_new.
        const double k = key.zoom / static_key_.zoom;
        const QPointF mid = target.center();
        const QPointF shift = QPointF(key.cx - static_key_.cx, key.cy - static_key_.cy) * static_key_.zoom;
        QPainter p(&image);
        p.setCompositionMode(QPainter::CompositionMode_Source);
        p.fillRect(target, style_.background);
        p.setCompositionMode(QPainter::CompositionMode_SourceOver);
        p.translate(mid);
        p.scale(k, k);
        p.translate(-mid - shift);
        p.drawImage(QPointF(0, 0), static_);
        p.end();
        last_quick_ = true;
    } else if (!(key == static_key_)) {
        static_.setDevicePixelRatio(dpr);
        // Panning moves the picture by whole pixels: the old one is moved and
        // only the strips it uncovers are drawn.
        StaticKey moved = static_key_;
        moved.cx = key.cx;
        moved.cy = key.cy;
        const double fx = (static_key_.cx - key.cx) * v.zoom * dpr, fy = (static_key_.cy - key.cy) * v.zoom * dpr;
        const long sx = std::lround(fx), sy = std::lround(fy);
        const int w = image.width(), h = image.height();
        if (moved == key && std::abs(fx - double(sx)) < 1e-3 && std::abs(fy - double(sy)) < 1e-3 &&
            std::abs(sx) < w / 2 && std::abs(sy) < h / 2) {
            RasterCanvas(static_).scroll(int(sx), int(sy));
            std::vector<QRect> strips;
            if (sx > 0)
                strips.emplace_back(0, 0, int(sx), h);
            else if (sx < 0)
                strips.emplace_back(w + int(sx), 0, int(-sx), h);
            if (sy > 0)
                strips.emplace_back(0, 0, w, int(sy));
            else if (sy < 0)
                strips.emplace_back(0, h + int(sy), w, int(-sy));
            rasterise(static_, target, scene, layout, v, adjacent, strips);
        } else {
            rasterise(static_, target, scene, layout, v, adjacent, {QRect(0, 0, w, h)});
        }
        static_key_ = key;
    }
    if (!last_quick_)
        RasterCanvas(image).copy(static_);
    if (v.particles && n)
        rasteriseParticles(image, target, scene, layout, v, adjacent);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    paintOverlay(p, target, scene, layout, v, adjacent);
}

void GraphRenderer::rasteriseParticles(QImage& image, const QRectF& target, const GraphScene& scene,
                                       const ForceLayout& layout, const GraphViewState& v,
                                       const std::vector<char>& adjacent)
{
    // Over the discs: a particle passing under an unrelated node stays visible.
    const double dpr = image.devicePixelRatio();
    std::vector<Particle> ps;
    particles(target, scene, layout, v, adjacent, ps);
    const double r = std::clamp(2.5 * std::sqrt(v.zoom), 1.5, 4.5) * dpr;
    const uint32_t rim = RasterCanvas::premultiplied(style_.background, 0.9);
    const RasterCanvas::DotStamp stamp = RasterCanvas::make_stamp(r, 0.9 * dpr);
    inBands(image, ps.size() > 3000, [&](RasterCanvas& canvas) {
        for (const Particle& pt : ps)
            canvas.stamp(stamp, pt.at.x() * dpr, pt.at.y() * dpr, pt.color | 0xFF000000u, rim);
    });
}

void GraphRenderer::inBands(QImage& image, bool parallel, const std::function<void(RasterCanvas&)>& draw,
                            const QRect& clip)
{
    // Each thread draws everything, but only into its own band of rows.
    const QRect r = clip.isNull() ? image.rect() : clip & image.rect();
    if (r.isEmpty())
        return;
    const unsigned threads = parallel ? std::clamp(std::thread::hardware_concurrency(), 1u, 4u) : 1u;
    std::vector<RasterCanvas> canvases(threads, RasterCanvas(image));
    const int h = r.height();
    for (unsigned t = 0; t < threads; ++t)
        canvases[t].set_clip(r.left(), r.top() + int(h * t / threads), r.right() + 1,
                             r.top() + int(h * (t + 1) / threads));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back([&draw, &canvases, t] { draw(canvases[t]); });
    draw(canvases[0]);
    for (std::thread& th : pool)
        th.join();
}

namespace {

// Whether a node's disc, its ring and outline can show inside the target.

bool discVisible(const QRectF& target, QPointF c, double rs)
{
    return c.x() + rs + 8 >= target.left() && c.x() - rs - 8 <= target.right() && c.y() + rs + 8 >= target.top() &&
           c.y() - rs - 8 <= target.bottom();
}

// What the raster pass draws, worked out once and then drawn by one or more
// threads, each into its own band of rows.
struct RasterCommand {
    enum Kind : uint8_t { Line, Band, Ring } kind;
    float a, b, c, d, e; // line: x0 y0 x1 y1 width; band and ring: x y r_in r_out
    uint32_t color;
    uint32_t stops_begin = 0, stops_end = 0; // ring colours in RasterList::stops
};

struct RasterList {
    uint32_t background = 0;
    std::vector<RasterCommand> commands;
    std::vector<std::pair<double, uint32_t>> stops;
    size_t lines = 0;

    void draw(RasterCanvas& canvas) const
    {
        canvas.fill(background);
        std::vector<std::pair<double, uint32_t>> ring;
        for (const RasterCommand& c : commands) {
            switch (c.kind) {
            case RasterCommand::Line: canvas.line(c.a, c.b, c.c, c.d, c.e, c.color); break;
            case RasterCommand::Band: canvas.band(c.a, c.b, c.c, c.d, c.color); break;
            case RasterCommand::Ring:
                ring.assign(stops.begin() + c.stops_begin, stops.begin() + c.stops_end);
                canvas.ring(c.a, c.b, c.c, c.d, ring);
                break;
            }
        }
    }
};

} // namespace

void GraphRenderer::rasterise(QImage& image, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                              const GraphViewState& v, const std::vector<char>& adjacent,
                              const std::vector<QRect>& clips)
{
    RasterList list;
    list.background = RasterCanvas::premultiplied(style_.background);
    const double dpr = image.devicePixelRatio();
    const size_t n = std::min(scene.nodes.size(), layout.size());
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    auto dev = [&](double x, double y) {
        const QPointF s = toScreen(target, v, x, y);
        return QPointF(s.x() * dpr, s.y() * dpr);
    };
    // Links, faint ones first so busy ones lie on top.
    std::vector<std::pair<uint32_t, LinkLook>> looks;
    looks.reserve(scene.links.size());
    const QRectF vis(-8, -8, image.width() + 16, image.height() + 16);
    for (uint32_t i = 0; i < scene.links.size(); ++i) {
        const SceneLink& l = scene.links[i];
        if (l.a >= n || l.b >= n)
            continue;
        const QPointF a = dev(xs[l.a], ys[l.a]), b = dev(xs[l.b], ys[l.b]);
        if (std::max(a.x(), b.x()) < vis.left() || std::min(a.x(), b.x()) > vis.right() ||
            std::max(a.y(), b.y()) < vis.top() || std::min(a.y(), b.y()) > vis.bottom())
            continue;
        looks.emplace_back(i, linkLook(l, v, adjacent));
    }
    QHash<QRgb, uint32_t> premul;
    list.commands.reserve(looks.size() + 3 * n);
    for (int layer = 0; layer < 3; ++layer)
        for (const auto& [i, look] : looks) {
            if (look.layer != layer)
                continue;
            const SceneLink& l = scene.links[i];
            const QPointF a = dev(xs[l.a], ys[l.a]), b = dev(xs[l.b], ys[l.b]);
            auto c = premul.find(look.color.rgba());
            if (c == premul.end())
                c = premul.insert(look.color.rgba(), RasterCanvas::premultiplied(look.color));
            list.commands.push_back({RasterCommand::Line, float(a.x()), float(a.y()), float(b.x()), float(b.y()),
                                     float(look.width * dpr), *c});
        }
    list.lines = list.commands.size();
    // Discs, their outline and the ring of the protocol mix.
    for (uint32_t i : nodeOrder(scene, n)) {
        const SceneNode& node = scene.nodes[i];
        const QPointF c = toScreen(target, v, xs[i], ys[i]);
        const double rs = discRadius(layout, i, v);
        if (!discVisible(target, c, rs))
            continue;
        const NodeLook look = nodeLook(node, i, adjacent, v);
        const float x = float(c.x() * dpr), y = float(c.y() * dpr), r = float(rs * dpr);
        if (rs < 2.6) {
            list.commands.push_back({RasterCommand::Band, x, y, 0, r, 0, RasterCanvas::premultiplied(look.fill)});
            continue;
        }
        if (hasRing(node, v) && rs >= 4.5) {
            const double ring = std::clamp(rs * 0.22, 1.6, 4.5);
            const uint64_t total = ring_total(node, v.by_sensor);
            const uint32_t begin = uint32_t(list.stops.size());
            double at = 0;
            size_t shown = 0;
            for (const auto& [segment, cnt] : ringOf(node, v)) {
                QColor rc = ++shown > 5 ? style_.muted : segment;
                if (look.dim)
                    rc = blend(rc, style_.background, 0.75);
                at = shown > 5 ? 1.0 : at + double(cnt) / double(std::max<uint64_t>(total, 1));
                list.stops.emplace_back(at, RasterCanvas::premultiplied(rc));
                if (shown > 5)
                    break;
            }
            if (list.stops.size() > begin) {
                list.stops.back().first = std::max(list.stops.back().first, 1.0); // hidden protocols leave no gap
                list.commands.push_back({RasterCommand::Ring, x, y, float((rs + 1) * dpr),
                                         float((rs + 1 + ring) * dpr), 0, 0, begin, uint32_t(list.stops.size())});
            }
        }
        list.commands.push_back({RasterCommand::Band, x, y, 0, r, 0, RasterCanvas::premultiplied(look.fill)});
        const float ow = float((rs > 6 ? 1.2 : 0.8) * dpr);
        list.commands.push_back(
            {RasterCommand::Band, x, y, r - ow, r, 0, RasterCanvas::premultiplied(look.outline)});
    }

    // Big pictures are drawn in bands of rows, one thread each.
    for (const QRect& clip : clips) {
        static_pixels_ += size_t((clip & image.rect()).width()) * size_t((clip & image.rect()).height());
        inBands(image, list.lines > 2000 && clip.height() > 64, [&list](RasterCanvas& canvas) { list.draw(canvas); },
                clip);
    }
}

void GraphRenderer::paintOverlay(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                                 const GraphViewState& v, const std::vector<char>& adjacent)
{
    legend_.clear();
    const size_t n = std::min(scene.nodes.size(), layout.size());
    if (n == 0) {
        p.setPen(style_.muted);
        p.setFont(font_);
        p.drawText(target.adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap,
                   v.empty_text.isEmpty() ? QObject::tr("No traffic in this time window") : v.empty_text);
        labels_.clear();
        label_key_ = {};
    } else {
        if (!v.retransmitting.empty())
            paintRetransmissions(p, target, scene, layout, v);
        paintPulses(p, target, scene, layout, v);
        paintDecorations(p, target, scene, layout, v, adjacent);
    }
    if (v.legend)
        paintLegend(p, target, scene, v);
    if (n)
        paintLabels(p, target, scene, layout, v, adjacent);
    if (!v.caption.isEmpty()) {
        p.setFont(small_font_);
        const QFontMetricsF fm(small_font_);
        const QRectF r(target.left() + 8, target.bottom() - fm.height() - 10, fm.horizontalAdvance(v.caption) + 12,
                       fm.height() + 6);
        p.setPen(Qt::NoPen);
        p.setBrush(style_.label_background);
        p.drawRoundedRect(r, 4, 4);
        p.setPen(style_.muted);
        p.drawText(r, Qt::AlignCenter, v.caption);
    }
}

void GraphRenderer::paintLinks(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                               const GraphViewState& v, const std::vector<char>& adjacent)
{
    struct Bucket {
        QColor color;
        double width;
        int layer;
        std::vector<QLineF> lines;
    };
    std::vector<Bucket> buckets;
    QHash<quint64, int> which;
    const QRectF vis = target.adjusted(-4, -4, 4, 4);
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    for (const SceneLink& l : scene.links) {
        if (l.a >= xs.size() || l.b >= xs.size())
            continue;
        const QPointF a = toScreen(target, v, xs[l.a], ys[l.a]);
        const QPointF b = toScreen(target, v, xs[l.b], ys[l.b]);
        if (std::max(a.x(), b.x()) < vis.left() || std::min(a.x(), b.x()) > vis.right() ||
            std::max(a.y(), b.y()) < vis.top() || std::min(a.y(), b.y()) > vis.bottom())
            continue;
        const LinkLook look = linkLook(l, v, adjacent);
        const quint64 key = quint64(look.color.rgba()) | quint64(std::lround(look.width * 4)) << 32 |
                            quint64(look.layer) << 48;
        auto it = which.find(key);
        if (it == which.end()) {
            it = which.insert(key, int(buckets.size()));
            buckets.push_back({look.color, look.width, look.layer, {}});
        }
        buckets[size_t(*it)].lines.emplace_back(a, b);
    }
    std::stable_sort(buckets.begin(), buckets.end(), [](const Bucket& x, const Bucket& y) { return x.layer < y.layer; });
    p.setBrush(Qt::NoBrush);
    for (const Bucket& b : buckets) {
        // Flat caps: round caps on translucent lines cost QPainter dearly.
        p.setPen(QPen(b.color, b.width, Qt::SolidLine, Qt::FlatCap));
        p.drawLines(b.lines.data(), int(b.lines.size()));
    }
}

void GraphRenderer::paintRetransmissions(QPainter& p, const QRectF& target, const GraphScene& scene,
                                         const ForceLayout& layout, const GraphViewState& v)
{
    // Red, dashed, with a small mark half way: the colour Wireshark gives bad TCP.
    const QColor red(0xe0, 0x3a, 0x3a);
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    p.save();
    for (const SceneLink& l : scene.links) {
        if (!v.retransmitting.count(l.id) || l.a >= xs.size() || l.b >= xs.size())
            continue;
        const QPointF a = toScreen(target, v, xs[l.a], ys[l.a]);
        const QPointF b = toScreen(target, v, xs[l.b], ys[l.b]);
        if (!target.intersects(QRectF(a, b).normalized().adjusted(-6, -6, 6, 6)))
            continue;
        p.setPen(QPen(red, std::max(1.5, double(l.width) * 0.6), Qt::DashLine, Qt::FlatCap));
        p.drawLine(a, b);
        const QPointF mid = (a + b) / 2;
        p.setPen(QPen(style_.background, 1.2));
        p.setBrush(red);
        const QPointF diamond[4] = {mid + QPointF(0, -6), mid + QPointF(6, 0), mid + QPointF(0, 6), mid + QPointF(-6, 0)};
        p.drawPolygon(diamond, 4);
    }
    p.restore();
}

void GraphRenderer::paintPulses(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                                const GraphViewState& v)
{
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    const double k = std::max(1.0, v.scale);
    // A packet picked in the list, or stepped to, travels its link as a token.
    for (const GraphPulse& pulse : v.pulses) {
        const double age = (v.clock - pulse.started) / std::max(0.1, pulse.seconds);
        if (age < 0 || age >= 1)
            continue;
        for (const SceneLink& l : scene.links) {
            if (l.id != pulse.link || l.a >= xs.size() || l.b >= xs.size())
                continue;
            QPointF a = toScreen(target, v, xs[l.a], ys[l.a]);
            QPointF b = toScreen(target, v, xs[l.b], ys[l.b]);
            if (!pulse.forward)
                std::swap(a, b);
            // The link lights up at once and fades over the last third of the trip.
            const double fade = age < 0.66 ? 1.0 : (1 - age) / 0.34;
            p.setPen(QPen(with_alpha(style_.highlight, 0.30 * fade), (8 * fade + 3) * k, Qt::SolidLine, Qt::FlatCap));
            p.drawLine(a, b);
            p.setPen(QPen(with_alpha(style_.highlight, fade), 2.5 * k, Qt::SolidLine, Qt::FlatCap));
            p.drawLine(a, b);
            // The token eases out of the sender and into the receiver.
            const double f = std::min(1.0, age / 0.8);
            const double eased = f * f * (3 - 2 * f);
            const QPointF dot = a + (b - a) * eased;
            const double r = 6.5 * k;
            p.setPen(QPen(style_.background, 1.5 * k));
            p.setBrush(with_alpha(style_.highlight, fade));
            p.drawEllipse(dot, r, r);
            p.setBrush(Qt::NoBrush);
            if (!pulse.label.isEmpty()) {
                QFont f2 = font_;
                if (font_.pixelSize() > 0)
                    f2.setPixelSize(int(std::lround(font_.pixelSize() * 1.15)));
                else
                    f2.setPointSizeF(font_.pointSizeF() * 1.15);
                f2.setBold(true);
                p.setFont(f2);
                const QFontMetricsF fm(f2);
                const QString text = fm.elidedText(pulse.label, Qt::ElideRight, std::max(120.0, target.width() * 0.6));
                const double w = fm.horizontalAdvance(text) + 12 * k, h = fm.height() + 6 * k;
                // Above the token, clear of the host labels beside it, on a
                // short leader; kept inside the picture.
                const double lift = h * 1.6 + r;
                QRectF box(dot.x() - w / 2, dot.y() - lift - h, w, h);
                if (box.top() < target.top() + 4)
                    box.moveTop(dot.y() + lift);
                if (box.left() < target.left() + 4)
                    box.moveLeft(target.left() + 4);
                if (box.right() > target.right() - 4)
                    box.moveRight(target.right() - 4);
                p.setPen(QPen(with_alpha(style_.highlight, fade), 1.5 * k));
                p.drawLine(dot, QPointF(std::clamp(dot.x(), box.left() + 6, box.right() - 6),
                                        box.top() > dot.y() ? box.top() : box.bottom()));
                p.setPen(QPen(with_alpha(style_.highlight, fade), 1.2 * k));
                p.setBrush(with_alpha(style_.label_background, 0.95 * fade));
                p.drawRoundedRect(box, 4 * k, 4 * k);
                p.setPen(with_alpha(style_.text, fade));
                p.drawText(box, Qt::AlignCenter, text);
                p.setBrush(Qt::NoBrush);
            }
        }
    }
}

void GraphRenderer::particles(const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                              const GraphViewState& v, const std::vector<char>& adjacent, std::vector<Particle>& out)
{
    // Enough to fill the busiest picture; past this the links are a blur
    // anyway, and the busiest links keep theirs.
    constexpr double kBudget = 12000;
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    const QRectF vis = target.adjusted(-8, -8, 8, 8);
    struct Moving {
        uint32_t link;
        double tau, k[2], busy;
    };
    std::vector<Moving> moving;
    double total = 0;
    for (uint32_t li = 0; li < scene.links.size(); ++li) {
        const SceneLink& l = scene.links[li];
        if (!l.recent || (l.a_to_b_pps <= 0 && l.b_to_a_pps <= 0) || l.a >= xs.size() || l.b >= xs.size())
            continue;
        if (!adjacent.empty() && !(int(l.a) == v.selected || int(l.b) == v.selected))
            continue;
        const double ax = xs[l.a], ay = ys[l.a], bx = xs[l.b], by = ys[l.b];
        const QPointF sa = toScreen(target, v, ax, ay), sb = toScreen(target, v, bx, by);
        if (std::max(sa.x(), sb.x()) < vis.left() || std::min(sa.x(), sb.x()) > vis.right() ||
            std::max(sa.y(), sb.y()) < vis.top() || std::min(sa.y(), sb.y()) > vis.bottom())
            continue;
        const double len = std::sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
        const double sdx = sb.x() - sa.x(), sdy = sb.y() - sa.y();
        if (len <= double(layout.radius(l.a)) + layout.radius(l.b) + 1 || sdx * sdx + sdy * sdy < 144)
            continue; // too short on screen to show motion
        Moving m{li, travelTime(len), {0, 0}, l.a_to_b_pps + l.b_to_a_pps};
        for (int dir = 0; dir < 2; ++dir) // particles on the link at once
            m.k[dir] = std::min(particleRate(dir ? l.b_to_a_pps : l.a_to_b_pps) * m.tau, 12.0);
        total += std::ceil(m.k[0]) + std::ceil(m.k[1]);
        moving.push_back(m);
    }
    if (total > kBudget) {
        const size_t keep = std::max<size_t>(1, size_t(double(moving.size()) * kBudget / total));
        std::nth_element(moving.begin(), moving.begin() + long(keep - 1), moving.end(),
                         [](const Moving& a, const Moving& b) {
                             return a.busy != b.busy ? a.busy > b.busy : a.link < b.link;
                         });
        moving.resize(keep);
    }
    out.reserve(size_t(std::min(total, kBudget)) + 16);
    for (const Moving& m : moving) {
        const SceneLink& l = scene.links[m.link];
        const double ax = xs[l.a], ay = ys[l.a], bx = xs[l.b], by = ys[l.b];
        const double len = std::sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
        const double ra = layout.radius(l.a), rb = layout.radius(l.b);
        QColor c = linkColor(l, v);
        c = style_.dark ? c.lighter(135) : c.darker(135);
        const QRgb rgb = c.rgb() & 0xFFFFFF;
        for (int dir = 0; dir < 2; ++dir) {
            const double k = m.k[dir];
            if (k <= 0)
                continue;
            const size_t pi = 2 * size_t(m.link) + size_t(dir);
            const double phase = v.phases && v.phases->size() > pi ? (*v.phases)[pi] : phase_hash(l.id, dir);
            // From rim to rim, in the direction of the traffic.
            const double ux = (bx - ax) / len, uy = (by - ay) / len;
            double sx = ax + ux * ra, sy = ay + uy * ra, ex = bx - ux * rb, ey = by - uy * rb;
            if (dir == 1) {
                std::swap(sx, ex);
                std::swap(sy, ey);
            }
            // A thin offset to the right of travel keeps the two directions apart.
            const double off = 2.2 / std::max(v.zoom, 0.2);
            const double ox = (dir == 0 ? -uy : uy) * off, oy = (dir == 0 ? ux : -ux) * off;
            for (int j = 0;; ++j) {
                const double f = (phase + j) / k;
                if (f >= 1)
                    break;
                const QPointF s = toScreen(target, v, sx + (ex - sx) * f + ox, sy + (ey - sy) * f + oy);
                if (vis.contains(s))
                    out.push_back({s, rgb});
            }
        }
    }
    particles_drawn_ = out.size();
}

void GraphRenderer::paintParticles(QPainter& p, const QRectF& target, const GraphScene& scene,
                                   const ForceLayout& layout, const GraphViewState& v,
                                   const std::vector<char>& adjacent)
{
    std::vector<Particle> ps;
    particles(target, scene, layout, v, adjacent, ps);
    const double r = std::clamp(2.5 * std::sqrt(v.zoom), 1.5, 4.5);
    if (vector_) {
        p.setPen(QPen(style_.background, 0.9));
        for (const Particle& pt : ps) {
            p.setBrush(QColor(QRgb(pt.color | 0xFF000000u)));
            p.drawEllipse(pt.at, r, r);
        }
        p.setBrush(Qt::NoBrush);
        return;
    }
    const int diameter = int(std::lround(2 * r));
    QHash<QRgb, std::vector<QPainter::PixmapFragment>> batches;
    for (const Particle& pt : ps)
        batches[pt.color].push_back(
            QPainter::PixmapFragment::create(pt.at, QRectF(0, 0, diameter + 2, diameter + 2)));
    for (auto it = batches.begin(); it != batches.end(); ++it) {
        const QPixmap& pm = sprite(it.key() | QRgb(diameter) << 24);
        p.drawPixmapFragments(it->data(), int(it->size()), pm);
    }
}

void GraphRenderer::paintNodes(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                               const GraphViewState& v, const std::vector<char>& adjacent)
{
    const size_t n = std::min(scene.nodes.size(), layout.size());
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    for (uint32_t i : nodeOrder(scene, n)) {
        const SceneNode& node = scene.nodes[i];
        const QPointF c = toScreen(target, v, xs[i], ys[i]);
        const double rs = discRadius(layout, i, v);
        if (!discVisible(target, c, rs))
            continue;
        const NodeLook look = nodeLook(node, i, adjacent, v);
        if (rs < 2.6) {
            p.setPen(Qt::NoPen);
            p.setBrush(look.fill);
            p.drawEllipse(c, rs, rs);
            continue;
        }
        p.setPen(QPen(look.outline, rs > 6 ? 1.2 : 0.8));
        p.setBrush(look.fill);
        p.drawEllipse(c, rs - 0.5, rs - 0.5);
        // The protocol mix as a thin ring.
        if (hasRing(node, v) && rs >= 4.5) {
            const double ring = std::clamp(rs * 0.22, 1.6, 4.5);
            const double rr = rs + 1 + ring / 2;
            const QRectF box(c.x() - rr, c.y() - rr, 2 * rr, 2 * rr);
            const uint64_t total = ring_total(node, v.by_sensor);
            double start = 90 * 16;
            size_t shown = 0;
            for (const auto& [segment, cnt] : ringOf(node, v)) {
                double span = 360.0 * 16 * double(cnt) / double(std::max<uint64_t>(total, 1));
                if (++shown > 5) // the rest as one grey arc
                    span = 360.0 * 16 - (90 * 16 - start);
                if (span < 8)
                    continue;
                QColor rc = shown > 5 ? style_.muted : segment;
                if (look.dim)
                    rc = blend(rc, style_.background, 0.75);
                p.setPen(QPen(rc, ring, Qt::SolidLine, Qt::FlatCap));
                p.setBrush(Qt::NoBrush);
                p.drawArc(box, int(start), -int(std::ceil(span)));
                start -= span;
                if (shown > 5)
                    break;
            }
        }
    }
}

void GraphRenderer::paintDecorations(QPainter& p, const QRectF& target, const GraphScene& scene,
                                     const ForceLayout& layout, const GraphViewState& v,
                                     const std::vector<char>& adjacent)
{
    const size_t n = std::min(scene.nodes.size(), layout.size());
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    p.setBrush(Qt::NoBrush);
    for (size_t i = 0; i < n; ++i) {
        const SceneNode& node = scene.nodes[i];
        const bool marked = int(i) == v.selected || int(i) == v.hovered;
        if (!node.cluster && !marked && !layout.pinned(i))
            continue;
        const QPointF c = toScreen(target, v, xs[i], ys[i]);
        const double rs = discRadius(layout, i, v);
        if (!target.adjusted(-rs - 12, -rs - 12, rs + 12, rs + 12).contains(c))
            continue;
        const double ring = hasRing(node, v) && rs >= 4.5 ? std::clamp(rs * 0.22, 1.6, 4.5) + 1 : 0;
        const bool dim = !adjacent.empty() && !adjacent[i];
        if (node.cluster) {
            p.setPen(QPen(with_alpha(style_.text, dim ? 0.2 : 0.55), 1.2, Qt::DashLine));
            p.drawEllipse(c, rs + ring + 4, rs + ring + 4);
        }
        if (layout.pinned(i)) {
            p.setPen(Qt::NoPen);
            p.setBrush(style_.text);
            p.drawEllipse(c + QPointF(rs * 0.72, -rs * 0.72), 2.4, 2.4);
            p.setBrush(Qt::NoBrush);
        }
        if (marked) {
            const double rr = rs + ring + (node.cluster ? 8 : 4);
            p.setPen(QPen(style_.highlight, int(i) == v.selected ? 3 : 1.5));
            p.drawEllipse(c, rr, rr);
        }
    }
}

void GraphRenderer::paintLabels(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                                const GraphViewState& v, const std::vector<char>& adjacent)
{
    const size_t n = std::min(scene.nodes.size(), layout.size());
    const bool two = v.zoom >= 1.6;
    if (label_generation_ != scene.generation || label_two_lines_ != two || label_text_.size() != n) {
        label_generation_ = scene.generation;
        label_two_lines_ = two;
        label_text_.assign(n, QString());
        label_w_.assign(n, -1);
    }
    const QFontMetricsF fm(font_);
    const double line_h = fm.height();
    // While only particles move, the labels stay where they are.
    const LabelKey key{scene.generation, layout.version(), v.zoom, v.centre.x(), v.centre.y(), target.width(),
                       target.height(), v.selected, v.hovered, legend_.size(), v.by_sensor};
    if (!(key == label_key_)) {
        label_key_ = key;
        std::vector<LabelCandidate> cand;
        cand.reserve(n);
        for (uint32_t i = 0; i < n; ++i) {
            const QPointF c = toScreen(target, v, layout.xs()[i], layout.ys()[i]);
            const SceneNode& node = scene.nodes[i];
            double rs = std::max(double(node.radius) * v.zoom, v.scale > 1 ? 3.0 * v.scale : 0.0);
            if (hasRing(node, v) && rs >= 4.5)
                rs += std::clamp(rs * 0.22, 1.6, 4.5) + 1;
            if (node.cluster)
                rs += 4;
            LabelCandidate lc;
            lc.node = i;
            lc.x = c.x();
            lc.y = c.y();
            lc.r = rs;
            lc.priority = node.radius + (node.cluster ? 3 : 0) + (adjacent.empty() || adjacent[i] ? 0 : -100);
            lc.always = int(i) == v.selected || int(i) == v.hovered;
            cand.push_back(lc);
        }
        LabelOptions opts;
        opts.viewport = {target.left() + 2, target.top() + 2, target.width() - 4, target.height() - 4};
        opts.min_radius = 1.5;
        opts.landmarks = 12; // a crowded picture still names its busiest hosts
        opts.max_labels = size_t(std::clamp(target.width() * target.height() / 5500.0, 20.0, 600.0));
        for (const LegendItem& li : legend_) {
            const QRectF r = li.rect.adjusted(-8, -8, 8, 8);
            opts.blocked.push_back({r.x(), r.y(), r.width(), r.height()});
        }
        labels_ = place_labels(std::move(cand), opts, [&](uint32_t i, double& w, double& h) {
            if (label_w_[i] < 0) {
                const SceneNode& node = scene.nodes[i];
                QString text = QString::fromStdString(node.label);
                if (two) {
                    if (node.label != node.key)
                        text += '\n' + QString::fromStdString(node.key);
                    else if (!node.vendor.empty())
                        text += '\n' + QString::fromStdString(node.vendor);
                }
                label_text_[i] = text;
                double wmax = 0;
                for (const QString& line : text.split('\n'))
                    wmax = std::max(wmax, fm.horizontalAdvance(line));
                label_w_[i] = float(wmax + 8);
            }
            w = label_w_[i];
            h = line_h * double(label_text_[i].count('\n') + 1) + 2;
        });
    }
    p.setFont(font_);
    for (const PlacedLabel& pl : labels_) {
        const QRectF r(pl.rect.x, pl.rect.y, pl.rect.w, pl.rect.h);
        const bool dim = !adjacent.empty() && !adjacent[pl.node];
        p.setPen(Qt::NoPen);
        p.setBrush(style_.label_background);
        p.drawRoundedRect(r, 3, 3);
        p.setPen(dim ? style_.muted : style_.text);
        p.drawText(r, Qt::AlignCenter, label_text_[pl.node]);
    }
}

void GraphRenderer::paintLegend(QPainter& p, const QRectF& target, const GraphScene& scene, const GraphViewState& v)
{
    if (v.by_sensor) {
        paintSensorLegend(p, target, scene, v);
        return;
    }
    if (scene.protocols.empty())
        return;
    constexpr size_t kMax = 12;
    const QFontMetricsF fm(small_font_);
    const double row = std::max(fm.height(), 12.0) + 3;
    double w = 0;
    const size_t rows = std::min(kMax, scene.protocols.size());
    for (size_t i = 0; i < rows; ++i)
        w = std::max(w, fm.horizontalAdvance(protocolName(scene.protocols[i].first)));
    const QRectF box(target.left() + 8, target.top() + 8, w + 34, row * double(rows) + 10);
    p.setPen(QPen(with_alpha(style_.muted, 0.5), 1));
    p.setBrush(style_.label_background);
    p.drawRoundedRect(box, 5, 5);
    p.setFont(small_font_);
    for (size_t i = 0; i < rows; ++i) {
        const Proto pr = scene.protocols[i].first;
        const bool hidden = v.hidden.test(size_t(pr));
        const QRectF r(box.left() + 6, box.top() + 5 + row * double(i), box.width() - 12, row);
        const QRectF sw(r.left(), r.center().y() - 5, 10, 10);
        p.setPen(Qt::NoPen);
        p.setBrush(hidden ? QColor(Qt::transparent) : protocolColor(pr));
        if (hidden)
            p.setPen(QPen(style_.muted, 1));
        p.drawRoundedRect(sw, 2, 2);
        QFont f = small_font_;
        f.setStrikeOut(hidden);
        p.setFont(f);
        p.setPen(hidden ? style_.muted : style_.text);
        p.drawText(r.adjusted(16, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, protocolName(pr));
        legend_.push_back({r, pr});
    }
}

void GraphRenderer::paintSensorLegend(QPainter& p, const QRectF& target, const GraphScene& scene,
                                      const GraphViewState& v)
{
    // Every sensor the capture has, busiest first; one that saw nothing in
    // the window says so (a quiet or failed sensor is worth seeing too).
    std::vector<std::pair<int, uint64_t>> rows;
    for (const auto& [s, n] : scene.sensors)
        rows.emplace_back(int(s), n);
    for (int s = 0; s < int(v.sensor_names.size()); ++s)
        if (std::none_of(rows.begin(), rows.end(), [s](const auto& r) { return r.first == s; }))
            rows.emplace_back(s, 0);
    if (rows.empty())
        return;
    rows.resize(std::min<size_t>(rows.size(), 12));
    auto name = [&](int s) {
        const QString n = s < int(v.sensor_names.size()) && !v.sensor_names[s].isEmpty()
                              ? v.sensor_names[s]
                              : QObject::tr("interface %1").arg(s);
        return n;
    };
    const QFontMetricsF fm(small_font_);
    const double row = std::max(fm.height(), 12.0) + 3;
    double w = fm.horizontalAdvance(QObject::tr("Sensors"));
    for (const auto& r : rows)
        w = std::max(w, fm.horizontalAdvance(name(r.first) + (r.second ? QString() : QObject::tr(" (none)"))));
    const QRectF box(target.left() + 8, target.top() + 8, w + 34, row * double(rows.size() + 1) + 10);
    p.setPen(QPen(with_alpha(style_.muted, 0.5), 1));
    p.setBrush(style_.label_background);
    p.drawRoundedRect(box, 5, 5);
    QFont bold = small_font_;
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(style_.text);
    p.drawText(QRectF(box.left() + 6, box.top() + 5, box.width() - 12, row), Qt::AlignVCenter | Qt::AlignLeft,
               QObject::tr("Sensors"));
    p.setFont(small_font_);
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto [s, n] = rows[i];
        const QRectF r(box.left() + 6, box.top() + 5 + row * double(i + 1), box.width() - 12, row);
        const QRectF sw(r.left(), r.center().y() - 5, 10, 10);
        p.setPen(n ? Qt::NoPen : QPen(sensorColor(s), 1.2));
        p.setBrush(n ? sensorColor(s) : QColor(Qt::transparent));
        p.drawRoundedRect(sw, 2, 2);
        p.setPen(n ? style_.text : style_.muted);
        p.drawText(r.adjusted(16, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft,
                   name(s) + (n ? QString() : QObject::tr(" (none)")));
        legend_.push_back({r, Proto::None, s});
    }
}

} // namespace underhood
