#include "glyph_icon.h"

#include <QApplication>
#include <QIconEngine>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>

namespace underhood {
namespace {

// The glyph's outline in a 16×16 box.
QPainterPath outline(Glyph g)
{
    QPainterPath p;
    auto triangle = [&p](qreal x0, qreal x1, bool right) {
        QPolygonF t;
        if (right)
            t << QPointF(x0, 2.5) << QPointF(x1, 8) << QPointF(x0, 13.5);
        else
            t << QPointF(x1, 2.5) << QPointF(x0, 8) << QPointF(x1, 13.5);
        p.addPolygon(t);
        p.closeSubpath();
    };
    switch (g) {
    case Glyph::Play: triangle(4, 13, true); break;
    case Glyph::Pause:
        p.addRect(QRectF(3.5, 2.5, 3, 11));
        p.addRect(QRectF(9.5, 2.5, 3, 11));
        break;
    case Glyph::Stop: p.addRect(QRectF(3, 3, 10, 10)); break;
    case Glyph::StepBack:
        p.addRect(QRectF(2.5, 2.5, 2, 11));
        triangle(5.5, 13.5, false);
        break;
    case Glyph::StepForward:
        triangle(2.5, 10.5, true);
        p.addRect(QRectF(11.5, 2.5, 2, 11));
        break;
    case Glyph::ToStart:
        p.addRect(QRectF(1.5, 2.5, 2, 11));
        triangle(3.5, 9, false);
        triangle(9, 14.5, false);
        break;
    case Glyph::ToEnd:
        triangle(1.5, 7, true);
        triangle(7, 12.5, true);
        p.addRect(QRectF(12.5, 2.5, 2, 11));
        break;
    case Glyph::Follow:
        triangle(1.5, 8, true);
        triangle(8, 14.5, true);
        break;
    case Glyph::PrevEvent:
    case Glyph::NextEvent: {
        const bool next = g == Glyph::NextEvent;
        const qreal cx = next ? 4.5 : 11.5;
        QPolygonF d;
        d << QPointF(cx, 4.5) << QPointF(cx + 3.5, 8) << QPointF(cx, 11.5) << QPointF(cx - 3.5, 8);
        p.addPolygon(d);
        p.closeSubpath();
        if (next)
            triangle(9, 15, true);
        else
            triangle(1, 7, false);
        break;
    }
    case Glyph::Up: {
        QPolygonF a;
        a << QPointF(8, 2) << QPointF(14, 8.5) << QPointF(10, 8.5) << QPointF(10, 14) << QPointF(6, 14)
          << QPointF(6, 8.5) << QPointF(2, 8.5);
        p.addPolygon(a);
        p.closeSubpath();
        break;
    }
    case Glyph::Down: {
        QPolygonF a;
        a << QPointF(8, 14) << QPointF(14, 7.5) << QPointF(10, 7.5) << QPointF(10, 2) << QPointF(6, 2)
          << QPointF(6, 7.5) << QPointF(2, 7.5);
        p.addPolygon(a);
        p.closeSubpath();
        break;
    }
    case Glyph::Restart: {
        // An open ring with an arrow head at its end.
        QPainterPath ring;
        ring.arcMoveTo(QRectF(2.5, 2.5, 11, 11), 60);
        ring.arcTo(QRectF(2.5, 2.5, 11, 11), 60, 300);
        QPainterPathStroker s;
        s.setWidth(2.2);
        p = s.createStroke(ring);
        QPolygonF head;
        head << QPointF(8.2, 0.6) << QPointF(13.6, 2.6) << QPointF(9.4, 6.6);
        p.addPolygon(head);
        p.closeSubpath();
        p.setFillRule(Qt::WindingFill);
        break;
    }
    }
    return p;
}

class GlyphEngine final : public QIconEngine {
public:
    GlyphEngine(Glyph g, QColor accent) : glyph_(g), accent_(accent) {}

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State) override
    {
        const QPalette pal = QApplication::palette();
        const bool dark = pal.color(QPalette::Window).lightnessF() < 0.5;
        QColor c = pal.color(QPalette::Active, QPalette::ButtonText);
        if (accent_.isValid())
            c = dark ? accent_.lighter(140) : accent_;
        if (mode == QIcon::Disabled) {
            // Half-way to the window: visibly off, still visible.
            const QColor w = pal.color(QPalette::Window);
            const QColor t = pal.color(QPalette::Active, QPalette::ButtonText);
            c = QColor((t.red() + 2 * w.red()) / 3, (t.green() + 2 * w.green()) / 3, (t.blue() + 2 * w.blue()) / 3);
        }
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        const qreal side = std::min(rect.width(), rect.height());
        painter->translate(rect.x() + (rect.width() - side) / 2.0, rect.y() + (rect.height() - side) / 2.0);
        painter->scale(side / 16.0, side / 16.0);
        painter->setPen(Qt::NoPen);
        painter->setBrush(c);
        painter->drawPath(outline(glyph_));
        painter->restore();
    }

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override
    {
        QPixmap pm(size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        paint(&p, QRect(QPoint(0, 0), size), mode, state);
        return pm;
    }

    QIconEngine* clone() const override { return new GlyphEngine(glyph_, accent_); }
    QString key() const override { return QStringLiteral("underhood-glyph"); }

private:
    Glyph glyph_;
    QColor accent_;
};

} // namespace

QIcon glyphIcon(Glyph glyph, QColor accent)
{
    return QIcon(new GlyphEngine(glyph, accent));
}

} // namespace underhood
