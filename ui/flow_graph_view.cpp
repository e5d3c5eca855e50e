#include "flow_graph_view.h"

#include "graph_renderer.h"

#include <QFileInfo>
#include <QImage>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

namespace underhood {

FlowGraphView::FlowGraphView(QWidget* parent) : QAbstractScrollArea(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setAutoFillBackground(true);
    viewport()->setBackgroundRole(QPalette::Base);
}

void FlowGraphView::setGraph(FlowGraph g)
{
    graph_ = std::move(g);
    if (!graph_.arrows.empty() && origin_ns_ == 0)
        origin_ns_ = graph_.arrows.front().ts_ns;
    updateScrollBars();
    viewport()->update();
}

FlowGraphView::Metrics FlowGraphView::metrics() const
{
    // Everything scales with the font, so a larger font (a projector) keeps
    // the labels apart.
    const QFontMetrics fm(font());
    Metrics m;
    m.row = fm.height() * 2 + 6;
    m.header = fm.height() * 2 + 14;
    m.time = fm.horizontalAdvance(QStringLiteral("0000.000000")) + 12;
    m.column = std::max(fm.horizontalAdvance(QStringLiteral("Standard query 0x0000 AAAA")), 160);
    m.comment = fm.horizontalAdvance(QStringLiteral("65535 \u2192 65535")) + 16;
    m.margin = fm.height() / 2 + 4;
    return m;
}

int FlowGraphView::columnX(int node, const Metrics& m) const
{
    return m.time + m.column / 2 + node * m.column;
}

QSize FlowGraphView::fullSize() const
{
    const Metrics m = metrics();
    const int nodes = std::max<int>(int(graph_.nodes.size()), 1);
    return {m.time + nodes * m.column + m.comment, m.header + int(graph_.arrows.size()) * m.row + m.margin};
}

void FlowGraphView::updateScrollBars()
{
    const QSize full = fullSize();
    const Metrics m = metrics();
    verticalScrollBar()->setRange(0, std::max(0, full.height() - viewport()->height()));
    verticalScrollBar()->setPageStep(viewport()->height() - m.header);
    verticalScrollBar()->setSingleStep(m.row);
    horizontalScrollBar()->setRange(0, std::max(0, full.width() - viewport()->width()));
    horizontalScrollBar()->setPageStep(viewport()->width());
    horizontalScrollBar()->setSingleStep(m.column / 4);
}

void FlowGraphView::resizeEvent(QResizeEvent* e)
{
    QAbstractScrollArea::resizeEvent(e);
    updateScrollBars();
}

void FlowGraphView::changeEvent(QEvent* e)
{
    QAbstractScrollArea::changeEvent(e);
    if (e->type() == QEvent::FontChange || e->type() == QEvent::PaletteChange) {
        updateScrollBars();
        viewport()->update();
    }
}

void FlowGraphView::paint(QPainter& p, int first, int last, int dy, int dx, bool full) const
{
    const Metrics m = metrics();
    const QPalette& pal = palette();
    const QColor text = pal.color(QPalette::Text);
    const QColor dim = pal.color(QPalette::PlaceholderText);
    const QColor line = QColor::fromRgbF(text.redF(), text.greenF(), text.blueF(), 0.25f);
    const QFontMetrics fm(font());
    const int height = full ? fullSize().height() : viewport()->height();
    p.setRenderHint(QPainter::Antialiasing);

    // Lifelines, under everything.
    p.setPen(QPen(line, 1, Qt::DashLine));
    for (int n = 0; n < int(graph_.nodes.size()); ++n) {
        const int x = columnX(n, m) - dx;
        p.drawLine(x, m.header, x, height);
    }
    // Rows.
    for (int i = first; i < last; ++i) {
        const FlowArrow& a = graph_.arrows[size_t(i)];
        const int y = m.header + i * m.row - dy;
        if (!full && a.number == current_)
            p.fillRect(QRect(0, y, viewport()->width(), m.row), pal.color(QPalette::Highlight).lighter(pal.color(QPalette::Base).lightness() > 128 ? 160 : 60));
        const int mid = y + m.row - fm.descent() - 8;
        // Time since the first packet.
        p.setPen(dim);
        p.drawText(QRect(4 - dx, y, m.time - 8, m.row), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(double(a.ts_ns - origin_ns_) / 1e9, 'f', 6));
        const int x1 = columnX(a.from, m) - dx, x2 = columnX(a.to, m) - dx;
        QColor c = GraphRenderer::protocolColor(Proto(a.top));
        if (pal.color(QPalette::Base).lightness() > 128)
            c = c.darker(150); // the packet list's pastel tints are for backgrounds: darker on white
        p.setPen(QPen(c, 2));
        if (x1 == x2) {
            // A packet to itself: a small loop.
            p.setBrush(Qt::NoBrush);
            p.drawArc(QRect(x1, mid - 10, 24, 12), 90 * 16, -180 * 16);
        } else {
            p.drawLine(x1, mid, x2, mid);
            const int dir = x2 > x1 ? -1 : 1;
            QPainterPath head;
            head.moveTo(x2, mid);
            head.lineTo(x2 + dir * 10, mid - 5);
            head.lineTo(x2 + dir * 10, mid + 5);
            head.closeSubpath();
            p.fillPath(head, c);
        }
        // The label above the arrow, elided to the span it sits over.
        const int left = std::min(x1, x2), span = std::max(std::abs(x2 - x1), m.column) - 8;
        const QString label = fm.elidedText(QString::fromStdString(a.label), Qt::ElideRight, span);
        p.setPen(text);
        p.drawText(QRect(left + (std::abs(x2 - x1) - span) / 2, mid - fm.height() - 3, span, fm.height()),
                   Qt::AlignCenter, label);
        // Ports on the right.
        p.setPen(dim);
        p.drawText(QRect(m.time + int(graph_.nodes.size()) * m.column - dx + 8, y, m.comment - 8, m.row),
                   Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(a.comment));
    }
    // The header over the rows: host names and addresses.
    p.fillRect(QRect(0, 0, full ? fullSize().width() : viewport()->width(), m.header), pal.color(QPalette::Base));
    p.setPen(QPen(line, 1));
    p.drawLine(0, m.header - 1, full ? fullSize().width() : viewport()->width(), m.header - 1);
    p.setPen(dim);
    p.drawText(QRect(4 - dx, 0, m.time - 8, m.header), Qt::AlignRight | Qt::AlignVCenter, tr("Time (s)"));
    for (int n = 0; n < int(graph_.nodes.size()); ++n) {
        const FlowNode& node = graph_.nodes[size_t(n)];
        const int x = columnX(n, m) - dx;
        const QRect box(x - m.column / 2 + 4, 4, m.column - 8, m.header - 8);
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(text);
        const QString first = QString::fromStdString(node.name.empty() ? node.address : node.name);
        p.drawText(box.adjusted(0, 0, 0, -box.height() / 2), Qt::AlignHCenter | Qt::AlignBottom,
                   QFontMetrics(bold).elidedText(first, Qt::ElideMiddle, box.width()));
        p.setFont(font());
        if (!node.name.empty()) {
            p.setPen(dim);
            p.drawText(box.adjusted(0, box.height() / 2, 0, 0), Qt::AlignHCenter | Qt::AlignTop,
                       fm.elidedText(QString::fromStdString(node.address), Qt::ElideMiddle, box.width()));
        }
    }
}

void FlowGraphView::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    const Metrics m = metrics();
    const int dy = verticalScrollBar()->value(), dx = horizontalScrollBar()->value();
    if (graph_.arrows.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(viewport()->rect(), Qt::AlignCenter, tr("No packets to draw: nothing between two addresses matched."));
        return;
    }
    const int first = std::max(0, dy / m.row - 1);
    const int last = std::min<int>(int(graph_.arrows.size()), (dy + viewport()->height()) / m.row + 1);
    paint(p, first, last, dy, dx, false);
}

int FlowGraphView::rowAt(int y) const
{
    const Metrics m = metrics();
    if (y < m.header)
        return -1;
    const int row = (y - m.header + verticalScrollBar()->value()) / m.row;
    return row >= 0 && row < int(graph_.arrows.size()) ? row : -1;
}

void FlowGraphView::mousePressEvent(QMouseEvent* e)
{
    const int row = rowAt(int(e->position().y()));
    if (row < 0)
        return;
    current_ = graph_.arrows[size_t(row)].number;
    viewport()->update();
    emit packetClicked(current_);
}

void FlowGraphView::keyPressEvent(QKeyEvent* e)
{
    if (graph_.arrows.empty() || (e->key() != Qt::Key_Up && e->key() != Qt::Key_Down)) {
        QAbstractScrollArea::keyPressEvent(e);
        return;
    }
    auto it = std::find_if(graph_.arrows.begin(), graph_.arrows.end(), [&](const FlowArrow& a) { return a.number == current_; });
    long row = it == graph_.arrows.end() ? -1 : long(it - graph_.arrows.begin());
    row = std::clamp<long>(row + (e->key() == Qt::Key_Down ? 1 : -1), 0, long(graph_.arrows.size()) - 1);
    setCurrentPacket(graph_.arrows[size_t(row)].number);
    emit packetClicked(current_);
}

void FlowGraphView::setCurrentPacket(quint64 number)
{
    current_ = number;
    const auto it =
        std::find_if(graph_.arrows.begin(), graph_.arrows.end(), [&](const FlowArrow& a) { return a.number == number; });
    if (it != graph_.arrows.end()) {
        const Metrics m = metrics();
        const int y = int(it - graph_.arrows.begin()) * m.row;
        const int top = verticalScrollBar()->value(), visible = viewport()->height() - m.header - m.row;
        if (y < top || y > top + visible)
            verticalScrollBar()->setValue(std::max(0, y - visible / 2));
    }
    viewport()->update();
}

bool FlowGraphView::exportTo(const QString& path, QString& error) const
{
    const QSize size = fullSize();
    if (QFileInfo(path).suffix().compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0) {
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(size);
        gen.setViewBox(QRect(QPoint(), size));
        gen.setTitle(tr("Flow graph"));
        QPainter p;
        if (!p.begin(&gen)) {
            error = tr("Cannot write %1").arg(path);
            return false;
        }
        p.setFont(font());
        p.fillRect(QRect(QPoint(), size), palette().color(QPalette::Base));
        paint(p, 0, int(graph_.arrows.size()), 0, 0, true);
        p.end();
        return true;
    }
    // An image that large would not open anywhere: the first rows only.
    constexpr int kMaxHeight = 30000;
    QImage img(size.width(), std::min(size.height(), kMaxHeight), QImage::Format_ARGB32_Premultiplied);
    img.fill(palette().color(QPalette::Base));
    {
        QPainter p(&img);
        p.setFont(font());
        const Metrics m = metrics();
        paint(p, 0, std::min<int>(int(graph_.arrows.size()), (kMaxHeight - m.header) / m.row), 0, 0, true);
    }
    if (!img.save(path)) {
        error = tr("Cannot write %1").arg(path);
        return false;
    }
    return true;
}

} // namespace underhood
