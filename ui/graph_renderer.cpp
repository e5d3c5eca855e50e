#include "graph_renderer.h"

#include "packet_list_view.h"

#include <QFontMetricsF>
#include <QHash>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

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
        const double r = std::max(double(layout.radius(i)) * v.zoom, 2.0) + 3;
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

void GraphRenderer::paint(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                          const GraphViewState& v)
{
    p.save();
    p.setClipRect(target);
    p.fillRect(target, style_.background);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    legend_.clear();
    labels_.clear();
    particles_drawn_ = 0;

    const size_t n = std::min(scene.nodes.size(), layout.size());
    std::vector<char> adjacent;
    if (v.selected >= 0 && size_t(v.selected) < n) {
        adjacent.assign(n, 0);
        adjacent[size_t(v.selected)] = 1;
        for (const SceneLink& l : scene.links) {
            if (int(l.a) == v.selected)
                adjacent[l.b] = 1;
            if (int(l.b) == v.selected)
                adjacent[l.a] = 1;
        }
    }
    if (n == 0) {
        p.setPen(style_.muted);
        p.setFont(font_);
        p.drawText(target.adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap,
                   v.empty_text.isEmpty() ? QObject::tr("No traffic in this time window") : v.empty_text);
    } else {
        paintLinks(p, target, scene, layout, v, adjacent);
        if (v.particles)
            paintParticles(p, target, scene, layout, v, adjacent);
        paintNodes(p, target, scene, layout, v, adjacent);
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
    p.restore();
}

void GraphRenderer::paintLinks(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                               const GraphViewState& v, const std::vector<char>& adjacent)
{
    const double wscale = std::clamp(std::sqrt(v.zoom), 0.6, 1.8);
    struct Bucket {
        QColor color;
        double width;
        std::vector<QLineF> lines;
    };
    std::vector<Bucket> buckets;
    QHash<quint64, int> which;
    const QRectF vis = target.adjusted(-4, -4, 4, 4);
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    QHash<int, QColor> colors;
    for (const SceneLink& l : scene.links) {
        if (l.a >= xs.size() || l.b >= xs.size())
            continue;
        const QPointF a = toScreen(target, v, xs[l.a], ys[l.a]);
        const QPointF b = toScreen(target, v, xs[l.b], ys[l.b]);
        if (std::max(a.x(), b.x()) < vis.left() || std::min(a.x(), b.x()) > vis.right() ||
            std::max(a.y(), b.y()) < vis.top() || std::min(a.y(), b.y()) > vis.bottom())
            continue;
        double alpha = l.recent ? 0.85 : 0.32;
        double width = std::max(0.6, double(l.width) * wscale);
        int tone = 0;
        if (!adjacent.empty()) {
            if (adjacent[l.a] && adjacent[l.b] && (int(l.a) == v.selected || int(l.b) == v.selected)) {
                alpha = 1;
                width += 1.2;
                tone = 1;
            } else {
                alpha *= 0.18;
            }
        }
        const int proto = int(l.dominant);
        auto c = colors.find(proto);
        if (c == colors.end()) {
            QColor base = protocolColor(l.dominant);
            c = colors.insert(proto, style_.dark ? base : base.darker(118));
        }
        const int wq = int(std::lround(width * 4)), aq = int(std::lround(alpha * 20));
        const quint64 key = quint64(c->rgb() & 0xFFFFFF) | quint64(wq) << 24 | quint64(aq) << 40 | quint64(tone) << 50;
        auto it = which.find(key);
        if (it == which.end()) {
            it = which.insert(key, int(buckets.size()));
            buckets.push_back({with_alpha(*c, alpha), wq / 4.0, {}});
        }
        buckets[size_t(*it)].lines.emplace_back(a, b);
    }
    // Faint first, so the busy links lie on top.
    std::sort(buckets.begin(), buckets.end(), [](const Bucket& x, const Bucket& y) {
        return x.color.alphaF() != y.color.alphaF() ? x.color.alphaF() < y.color.alphaF() : x.width < y.width;
    });
    p.setBrush(Qt::NoBrush);
    for (const Bucket& b : buckets) {
        p.setPen(QPen(b.color, b.width, Qt::SolidLine, Qt::RoundCap));
        p.drawLines(b.lines.data(), int(b.lines.size()));
    }
    // Pulses: a packet picked in the list lights up its link.
    for (const GraphPulse& pulse : v.pulses) {
        const double age = (v.clock - pulse.started) / kPulseSeconds;
        if (age < 0 || age >= 1)
            continue;
        for (const SceneLink& l : scene.links) {
            if (l.id != pulse.link || l.a >= xs.size() || l.b >= xs.size())
                continue;
            QPointF a = toScreen(target, v, xs[l.a], ys[l.a]);
            QPointF b = toScreen(target, v, xs[l.b], ys[l.b]);
            if (!pulse.forward)
                std::swap(a, b);
            const double fade = 1 - age;
            p.setPen(QPen(with_alpha(style_.highlight, 0.35 * fade), 10 * fade + 3, Qt::SolidLine, Qt::RoundCap));
            p.drawLine(a, b);
            p.setPen(QPen(with_alpha(style_.highlight, fade), 2.5, Qt::SolidLine, Qt::RoundCap));
            p.drawLine(a, b);
            const double f = std::min(1.0, age * 1.6);
            const QPointF dot = a + (b - a) * f;
            p.setPen(Qt::NoPen);
            p.setBrush(with_alpha(style_.highlight, fade));
            p.drawEllipse(dot, 6, 6);
            p.setBrush(Qt::NoBrush);
        }
    }
}

void GraphRenderer::paintParticles(QPainter& p, const QRectF& target, const GraphScene& scene,
                                   const ForceLayout& layout, const GraphViewState& v,
                                   const std::vector<char>& adjacent)
{
    constexpr size_t kBudget = 60000;
    const auto& xs = layout.xs();
    const auto& ys = layout.ys();
    const int diameter = int(std::clamp(std::lround(5 * std::sqrt(v.zoom)), 3L, 9L));
    QHash<QRgb, std::vector<QPainter::PixmapFragment>> batches;
    std::vector<std::pair<QRgb, QPointF>> shapes;
    const QRectF vis = target.adjusted(-8, -8, 8, 8);
    for (size_t li = 0; li < scene.links.size() && particles_drawn_ < kBudget; ++li) {
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
        const double len = std::hypot(bx - ax, by - ay);
        const double ra = layout.radius(l.a), rb = layout.radius(l.b);
        if (len <= ra + rb + 1)
            continue;
        const double tau = travelTime(len);
        QColor c = protocolColor(l.dominant);
        c = style_.dark ? c.lighter(135) : c.darker(135);
        const QRgb rgb = c.rgb() & 0xFFFFFF;
        for (int dir = 0; dir < 2; ++dir) {
            const double pps = dir == 0 ? l.a_to_b_pps : l.b_to_a_pps;
            if (pps <= 0)
                continue;
            const double k = std::min(particleRate(pps) * tau, 12.0); // particles on the link at once
            if (k <= 0)
                continue;
            double phase = v.phases && v.phases->size() > 2 * li + size_t(dir) ? (*v.phases)[2 * li + size_t(dir)]
                                                                              : phase_hash(l.id, dir);
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
                if (!vis.contains(s))
                    continue;
                ++particles_drawn_;
                if (vector_)
                    shapes.emplace_back(rgb, s);
                else
                    batches[rgb].push_back(QPainter::PixmapFragment::create(s, QRectF(0, 0, diameter + 2, diameter + 2)));
            }
        }
    }
    if (vector_) {
        p.setPen(QPen(style_.background, 0.8));
        for (const auto& [rgb, s] : shapes) {
            p.setBrush(QColor(QRgb(rgb | 0xFF000000u)));
            p.drawEllipse(s, diameter / 2.0, diameter / 2.0);
        }
        p.setBrush(Qt::NoBrush);
        return;
    }
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
    // Big nodes first, so small ones are never hidden under them.
    std::vector<uint32_t> order(n);
    for (uint32_t i = 0; i < n; ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return scene.nodes[a].radius > scene.nodes[b].radius; });
    struct Dots {
        QColor color;
        double size;
        std::vector<QPointF> at;
    };
    std::vector<Dots> dots;
    QHash<quint64, int> dot_index;
    QHash<int, QColor> colors;
    auto color_of = [&](Proto pr) {
        auto c = colors.find(int(pr));
        if (c == colors.end())
            c = colors.insert(int(pr), protocolColor(pr));
        return *c;
    };
    for (uint32_t i : order) {
        const SceneNode& node = scene.nodes[i];
        const QPointF c = toScreen(target, v, xs[i], ys[i]);
        const double rs = std::max(double(layout.radius(i)) * v.zoom, 1.3);
        if (c.x() + rs + 8 < target.left() || c.x() - rs - 8 > target.right() || c.y() + rs + 8 < target.top() ||
            c.y() - rs - 8 > target.bottom())
            continue;
        QColor fill = color_of(node.dominant);
        if (!node.recent)
            fill = blend(fill, style_.background, 0.3);
        const bool dim = !adjacent.empty() && !adjacent[i];
        if (dim)
            fill = blend(fill, style_.background, 0.75);
        if (rs < 2.6 && int(i) != v.selected && int(i) != v.hovered) {
            // Far out: a batch of round points per colour.
            const quint64 key = quint64(fill.rgba()) | quint64(std::lround(rs * 4)) << 32;
            auto it = dot_index.find(key);
            if (it == dot_index.end()) {
                it = dot_index.insert(key, int(dots.size()));
                dots.push_back({fill, std::lround(rs * 4) / 2.0, {}});
            }
            dots[size_t(*it)].at.push_back(c);
            continue;
        }
        if (!dots.empty()) {
            // Keep the drawing order: flush the small ones collected so far.
            for (const Dots& d : dots) {
                p.setPen(QPen(d.color, d.size, Qt::SolidLine, Qt::RoundCap));
                p.drawPoints(d.at.data(), int(d.at.size()));
            }
            dots.clear();
            dot_index.clear();
        }
        const QColor outline = style_.dark ? fill.lighter(140) : fill.darker(150);
        p.setPen(QPen(dim ? blend(outline, style_.background, 0.6) : outline, rs > 6 ? 1.2 : 0.8));
        p.setBrush(fill);
        p.drawEllipse(c, rs, rs);
        // The protocol mix as a thin ring.
        double ring = 0;
        if (node.mix.size() > 1 && rs >= 4.5) {
            ring = std::clamp(rs * 0.22, 1.6, 4.5);
            const double rr = rs + ring / 2 + 1;
            const QRectF box(c.x() - rr, c.y() - rr, 2 * rr, 2 * rr);
            uint64_t total = 0;
            for (const auto& m : node.mix)
                total += m.second;
            double start = 90 * 16;
            size_t shown = 0;
            for (const auto& [pr, cnt] : node.mix) {
                if (v.hidden.test(size_t(pr)))
                    continue;
                double span = 360.0 * 16 * double(cnt) / double(std::max<uint64_t>(total, 1));
                if (++shown > 5) // the rest as one grey arc
                    span = 360.0 * 16 - (start - 90 * 16);
                if (span < 8)
                    continue;
                QColor rc = shown > 5 ? style_.muted : color_of(pr);
                if (dim)
                    rc = blend(rc, style_.background, 0.75);
                p.setPen(QPen(rc, ring, Qt::SolidLine, Qt::FlatCap));
                p.setBrush(Qt::NoBrush);
                p.drawArc(box, int(start), -int(std::ceil(span)));
                start += span;
                if (shown > 5)
                    break;
            }
        }
        if (node.cluster) {
            const double rr = rs + ring + 4;
            p.setPen(QPen(with_alpha(style_.text, dim ? 0.2 : 0.55), 1.2, Qt::DashLine));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(c, rr, rr);
        }
        if (layout.pinned(i)) {
            p.setPen(Qt::NoPen);
            p.setBrush(style_.text);
            p.drawEllipse(c + QPointF(rs * 0.72, -rs * 0.72), 2.4, 2.4);
        }
        if (int(i) == v.selected || int(i) == v.hovered) {
            const double rr = rs + ring + (node.cluster ? 8 : 4);
            p.setPen(QPen(style_.highlight, int(i) == v.selected ? 3 : 1.5));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(c, rr, rr);
        }
    }
    for (const Dots& d : dots) {
        p.setPen(QPen(d.color, d.size, Qt::SolidLine, Qt::RoundCap));
        p.drawPoints(d.at.data(), int(d.at.size()));
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
    std::vector<LabelCandidate> cand;
    cand.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
        const QPointF c = toScreen(target, v, layout.xs()[i], layout.ys()[i]);
        const SceneNode& node = scene.nodes[i];
        double rs = double(node.radius) * v.zoom;
        if (node.mix.size() > 1 && rs >= 4.5)
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

} // namespace underhood
