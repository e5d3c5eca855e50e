#include "legend_strip.h"

#include <QEvent>
#include <QMouseEvent>
#include <QPainter>

#include <cmath>

namespace underhood {

LegendStrip::LegendStrip(std::function<void(int)> toggled, QWidget* parent) : QWidget(parent), toggled_(std::move(toggled))
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click a protocol to hide or show its traffic in the graph"));
}

void LegendStrip::setEntries(std::vector<Entry> entries)
{
    const bool same = entries.size() == entries_.size() &&
                      std::equal(entries.begin(), entries.end(), entries_.begin(), [](const Entry& a, const Entry& b) {
                          return a.proto == b.proto && a.hidden == b.hidden && a.color == b.color;
                      });
    entries_ = std::move(entries);
    if (same)
        return;
    updateGeometry();
    update();
}

std::vector<QRectF> LegendStrip::place(int width, int* height) const
{
    const QFontMetricsF fm(font());
    const double line = std::ceil(fm.height() * 1.4), swatch = fm.height() * 0.8, gap = fm.height();
    const double margin = 6;
    std::vector<QRectF> out;
    double x = margin, y = margin;
    for (const Entry& e : entries_) {
        const double w = swatch + fm.height() * 0.35 + fm.horizontalAdvance(e.name);
        if (x > margin && x + w > width - margin) {
            x = margin;
            y += line;
        }
        out.emplace_back(x, y, w, line);
        x += w + gap;
    }
    if (height)
        *height = entries_.empty() ? 0 : int(std::ceil(y + line + margin));
    return out;
}

int LegendStrip::heightForWidth(int width) const
{
    int h = 0;
    place(width, &h);
    return h;
}

QSize LegendStrip::sizeHint() const { return {400, heightForWidth(width() > 0 ? width() : 400)}; }

void LegendStrip::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetricsF fm(font());
    const double swatch = fm.height() * 0.8;
    const std::vector<QRectF> rects = place(width());
    const QColor text = palette().color(QPalette::WindowText), muted = palette().color(QPalette::PlaceholderText);
    for (size_t i = 0; i < entries_.size(); ++i) {
        const Entry& e = entries_[i];
        const QRectF& r = rects[i];
        const QRectF sw(r.left(), r.center().y() - swatch / 2, swatch, swatch);
        if (e.hidden) {
            p.setPen(QPen(muted, 1.5));
            p.setBrush(Qt::NoBrush);
        } else {
            p.setPen(Qt::NoPen);
            p.setBrush(e.color);
        }
        p.drawRoundedRect(sw, swatch / 5, swatch / 5);
        QFont f = font();
        f.setStrikeOut(e.hidden);
        p.setFont(f);
        p.setPen(e.hidden ? muted : text);
        p.drawText(r.adjusted(swatch + fm.height() * 0.35, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, e.name);
    }
}

void LegendStrip::mouseReleaseEvent(QMouseEvent* e)
{
    if (e->button() != Qt::LeftButton)
        return;
    const std::vector<QRectF> rects = place(width());
    for (size_t i = 0; i < rects.size(); ++i)
        if (rects[i].contains(e->position())) {
            toggled_(entries_[i].proto);
            return;
        }
}

void LegendStrip::changeEvent(QEvent* e)
{
    if (e->type() == QEvent::FontChange) {
        updateGeometry();
        update();
    }
    QWidget::changeEvent(e);
}

} // namespace underhood
