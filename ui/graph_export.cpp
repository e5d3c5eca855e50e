#include "graph_export.h"

#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

#include <algorithm>

namespace underhood {

GraphViewState fitView(const ForceLayout& layout, const QSizeF& size, double margin)
{
    GraphViewState v;
    Vec2 lo, hi;
    if (!layout.bounds(lo, hi))
        return v;
    const double w = std::max(hi.x - lo.x, 1.0), h = std::max(hi.y - lo.y, 1.0);
    // Labels hang below and beside the discs: keep room for them.
    // Small panes keep proportionally smaller margins.
    const double m = std::min(margin, 0.06 * std::min(size.width(), size.height()));
    const double mx = std::max(size.width() - 2 * m - std::min(60.0, 0.08 * size.width()), 40.0);
    const double my = std::max(size.height() - 2 * m - std::min(30.0, 0.1 * size.height()), 40.0);
    v.zoom = std::clamp(std::min(mx / w, my / h), 0.02, 2.5);
    v.centre = QPointF((lo.x + hi.x) / 2, (lo.y + hi.y) / 2);
    return v;
}

bool exportGraph(const QString& path, const GraphScene& scene, const ForceLayout& layout,
                 const GraphExportOptions& opts, QString* error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != "png" && suffix != "svg") {
        if (error)
            *error = QObject::tr("%1: the file name must end in .png or .svg").arg(path);
        return false;
    }
    if (opts.size.width() < 16 || opts.size.height() < 16 || opts.size.width() > 16384 || opts.size.height() > 16384) {
        if (error)
            *error = QObject::tr("image size %1x%2 is out of range (16 to 16384)")
                         .arg(opts.size.width())
                         .arg(opts.size.height());
        return false;
    }
    GraphRenderer renderer;
    renderer.setStyle(opts.style);
    GraphViewState v = fitView(layout, QSizeF(opts.size));
    v.legend = opts.legend;
    v.caption = opts.caption;
    v.hidden = opts.hidden;
    v.selected = opts.selected;
    v.phases = opts.phases;
    const QRectF target(QPointF(0, 0), QSizeF(opts.size));
    if (suffix == "svg") {
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(opts.size);
        gen.setViewBox(target);
        gen.setTitle(QObject::tr("Underhood host graph"));
        renderer.setVectorOutput(true);
        QPainter p;
        if (!p.begin(&gen)) {
            if (error)
                *error = QObject::tr("%1: cannot write").arg(path);
            return false;
        }
        renderer.paint(p, target, scene, layout, v);
        p.end();
        if (!QFileInfo(path).exists() || QFileInfo(path).size() == 0) {
            if (error)
                *error = QObject::tr("%1: cannot write").arg(path);
            return false;
        }
        return true;
    }
    QImage img(opts.size, QImage::Format_ARGB32_Premultiplied);
    renderer.render(img, scene, layout, v);
    if (!img.save(path, "PNG")) {
        if (error)
            *error = QObject::tr("%1: cannot write").arg(path);
        return false;
    }
    return true;
}

} // namespace underhood
