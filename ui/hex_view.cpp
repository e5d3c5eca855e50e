#include "hex_view.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

namespace {

char hex_digit(int v)
{
    return "0123456789abcdef"[v & 15];
}

bool printable(uint8_t c)
{
    return c >= 0x20 && c < 0x7F;
}

} // namespace

HexView::HexView(QWidget* parent) : QAbstractScrollArea(parent), placeholder_(tr("The packet's bytes appear here"))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setCursor(Qt::IBeamCursor);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    updateMetrics();
}

void HexView::setData(const QByteArray& bytes)
{
    data_ = bytes;
    cursor_ = anchor_ = data_.isEmpty() ? -1 : 0;
    selection_ = {};
    chooseBytesPerRow(); // the offset column widens past 64 KiB
    updateScrollBars();
    verticalScrollBar()->setValue(0);
    viewport()->update();
    emit selectionChanged(selection_);
}

void HexView::clear()
{
    setData({});
}

void HexView::setSelection(int offset, int length)
{
    offset = std::clamp(offset, 0, int(data_.size()));
    length = std::clamp(length, 0, int(data_.size()) - offset);
    if (length > 0) {
        // A click inside the range keeps its place; anything else starts at the range.
        if (cursor_ < offset || cursor_ >= offset + length)
            cursor_ = anchor_ = offset;
        // Show the end too when it fits, else the start.
        ensureVisible(offset + length - 1);
        ensureVisible(offset);
    }
    select({offset, length});
}

void HexView::select(Range r)
{
    if (r.length == 0)
        r.offset = 0;
    if (r == selection_) {
        viewport()->update();
        return;
    }
    selection_ = r;
    viewport()->update();
    emit selectionChanged(selection_);
}

QRect HexView::byteRect(int offset, bool ascii) const
{
    if (offset < 0 || offset >= data_.size())
        return {};
    const int row = offset / bytesPerRow_ - verticalScrollBar()->value();
    const int col = offset % bytesPerRow_;
    const int x0 = margin_ - horizontalScrollBar()->value();
    const int y = margin_ + row * lineHeight_;
    if (ascii)
        return QRect(x0 + (asciiColumn() + col) * charWidth_, y, charWidth_, lineHeight_);
    // A wider gap splits each row into two groups of eight, as in tcpdump -X and Wireshark.
    const int chars = hexColumn() + col * 3 + (bytesPerRow_ > 8 && col >= 8 ? 1 : 0);
    return QRect(x0 + chars * charWidth_, y, 2 * charWidth_, lineHeight_);
}

int HexView::byteAt(const QPoint& point) const
{
    if (data_.isEmpty() || point.y() < margin_)
        return -1;
    const int row = (point.y() - margin_) / lineHeight_ + verticalScrollBar()->value();
    const int x = point.x() - margin_ + horizontalScrollBar()->value();
    if (x < 0)
        return -1;
    const int ch = x / charWidth_;
    int col = -1;
    if (ch >= asciiColumn() && ch < asciiColumn() + bytesPerRow_) {
        col = ch - asciiColumn();
    } else if (ch >= hexColumn() - 1 && ch < asciiColumn() - 1) {
        // Each byte owns its two digits and the space after them.
        int rel = ch - hexColumn();
        if (bytesPerRow_ > 8 && rel >= 8 * 3)
            rel -= 1;
        col = std::clamp(rel < 0 ? 0 : rel / 3, 0, bytesPerRow_ - 1);
    }
    if (col < 0)
        return -1;
    const int offset = row * bytesPerRow_ + col;
    return offset < data_.size() ? offset : -1;
}

void HexView::setPlaceholderText(const QString& text)
{
    placeholder_ = text;
    viewport()->update();
}

int HexView::contentWidth() const
{
    return 2 * margin_ + (asciiColumn() + bytesPerRow_) * charWidth_;
}

int HexView::contentWidthFor(int bytes_per_row) const
{
    const int ascii = hexColumn() + bytes_per_row * 3 + (bytes_per_row > 8 ? 1 : 0);
    return 2 * margin_ + (ascii + bytes_per_row) * charWidth_;
}

void HexView::chooseBytesPerRow()
{
    // The vertical scroll bar may come and go with the row count: leave room for it.
    const int room = width() - 2 * frameWidth() - verticalScrollBar()->sizeHint().width();
    const int chosen = room >= contentWidthFor(16) ? 16 : 8;
    if (chosen == bytesPerRow_)
        return;
    const int keep = cursor_;
    bytesPerRow_ = chosen;
    updateScrollBars();
    ensureVisible(keep);
    viewport()->update();
}

QSize HexView::sizeHint() const
{
    const int frame = 2 * frameWidth();
    return QSize(contentWidthFor(16) + frame + verticalScrollBar()->sizeHint().width(),
                 2 * margin_ + 8 * lineHeight_ + frame);
}

QSize HexView::minimumSizeHint() const
{
    return QSize(contentWidthFor(8) / 2, 2 * margin_ + 2 * lineHeight_ + 2 * frameWidth());
}

int HexView::visibleRows() const
{
    return std::max(1, (viewport()->height() - 2 * margin_) / lineHeight_);
}

void HexView::updateMetrics()
{
    const QFontMetrics fm(font());
    charWidth_ = std::max(1, fm.horizontalAdvance(QLatin1Char('0')));
    lineHeight_ = std::max(1, fm.height());
    ascent_ = fm.ascent();
    margin_ = std::max(2, charWidth_ / 2);
    chooseBytesPerRow();
    updateScrollBars();
    updateGeometry();
}

void HexView::updateScrollBars()
{
    verticalScrollBar()->setRange(0, std::max(0, rowCount() - visibleRows()));
    verticalScrollBar()->setPageStep(visibleRows());
    verticalScrollBar()->setSingleStep(1);
    horizontalScrollBar()->setRange(0, std::max(0, contentWidth() - viewport()->width()));
    horizontalScrollBar()->setPageStep(viewport()->width());
    horizontalScrollBar()->setSingleStep(charWidth_);
}

void HexView::ensureVisible(int offset)
{
    if (offset < 0 || offset >= data_.size())
        return;
    const int row = offset / bytesPerRow_;
    QScrollBar* v = verticalScrollBar();
    if (row < v->value())
        v->setValue(row);
    else if (row >= v->value() + visibleRows())
        v->setValue(row - visibleRows() + 1);
}

void HexView::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    const QPalette& pal = palette();
    p.fillRect(viewport()->rect(), pal.brush(QPalette::Base));
    p.setFont(font());
    if (data_.isEmpty()) {
        if (!placeholder_.isEmpty()) {
            p.setFont(QApplication::font(this)); // a hint, not data: the ordinary font
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(viewport()->rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        }
        return;
    }
    const QColor text = pal.color(QPalette::Text);
    const QColor dim = pal.color(QPalette::PlaceholderText);
    // The highlight answers a click in the tree, where the focus then is: keep
    // it in the active colours, which some styles grey out when unfocused.
    const QColor highlight = pal.color(QPalette::Active, QPalette::Highlight);
    const QColor highlighted_text = pal.color(QPalette::Active, QPalette::HighlightedText);
    const int first = verticalScrollBar()->value();
    const int last = std::min(rowCount(), first + visibleRows() + 1);
    const int x0 = margin_ - horizontalScrollBar()->value();
    const auto* bytes = reinterpret_cast<const uint8_t*>(data_.constData());

    // A rule between the offsets and the bytes, in the colour of frames.
    const int rule_x = x0 + (offsetDigits() + 1) * charWidth_;
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(rule_x, 0, rule_x, viewport()->height());

    for (int row = first; row < last; ++row) {
        const int y = margin_ + (row - first) * lineHeight_;
        const int start = row * bytesPerRow_;
        const int end = std::min(int(data_.size()), start + bytesPerRow_);

        p.setPen(dim);
        p.drawText(x0, y + ascent_, QString::number(start, 16).rightJustified(offsetDigits(), QLatin1Char('0')));

        // Selected runs as one block, gaps between their bytes included.
        for (bool ascii : {false, true}) {
            int run = -1;
            for (int i = start; i <= end; ++i) {
                bool in = i < end && selection_.contains(i);
                if (in && run < 0)
                    run = i;
                if (!in && run >= 0) {
                    QRect r = byteRect(run, ascii).united(byteRect(i - 1, ascii));
                    p.fillRect(r, highlight);
                    run = -1;
                }
            }
        }
        for (int i = start; i < end; ++i) {
            const bool selected = selection_.contains(i);
            const uint8_t b = bytes[i];
            const QRect hex = byteRect(i, false);
            const QRect ascii = byteRect(i, true);
            p.setPen(selected ? highlighted_text : text);
            const char digits[2] = {hex_digit(b >> 4), hex_digit(b)};
            p.drawText(hex.left(), y + ascent_, QString::fromLatin1(digits, 2));
            if (!printable(b) && !selected)
                p.setPen(dim); // the dots stand for bytes that have no glyph
            p.drawText(ascii.left(), y + ascent_, QString(printable(b) ? QChar(b) : QChar('.')));
        }
    }
    // The cursor: a frame around its byte in both columns while the view has focus.
    if (hasFocus() && cursor_ >= 0 && cursor_ < data_.size()) {
        p.setPen(QPen(text, 1));
        p.setBrush(Qt::NoBrush);
        for (bool ascii : {false, true})
            p.drawRect(byteRect(cursor_, ascii).adjusted(0, 0, -1, -1));
    }
}

// The vertical scroll bar counts rows, not pixels: repaint rather than let
// the base class shift the pixels by the scroll bar's step.
void HexView::scrollContentsBy(int, int)
{
    viewport()->update();
}

void HexView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    chooseBytesPerRow();
    updateScrollBars();
}

void HexView::changeEvent(QEvent* event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateMetrics();
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        viewport()->update();
}

void HexView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return QAbstractScrollArea::mousePressEvent(event);
    const int byte = byteAt(event->position().toPoint());
    if (byte < 0)
        return;
    if (event->modifiers() & Qt::ShiftModifier) {
        moveCursor(byte, true);
        return;
    }
    cursor_ = anchor_ = byte;
    select({byte, 1});
    emit byteActivated(byte);
}

void HexView::mouseMoveEvent(QMouseEvent* event)
{
    if (!(event->buttons() & Qt::LeftButton) || anchor_ < 0)
        return QAbstractScrollArea::mouseMoveEvent(event);
    const int byte = byteAt(event->position().toPoint());
    if (byte >= 0 && byte != cursor_)
        moveCursor(byte, true);
}

// Moves the cursor; with `extend` the selection runs from the anchor to it,
// otherwise the byte it lands on is activated like a click.
void HexView::moveCursor(int to, bool extend)
{
    if (data_.isEmpty())
        return;
    to = std::clamp(to, 0, int(data_.size()) - 1);
    cursor_ = to;
    ensureVisible(to);
    if (extend) {
        if (anchor_ < 0)
            anchor_ = to;
        const int from = std::min(anchor_, to);
        select({from, std::abs(to - anchor_) + 1});
        return;
    }
    anchor_ = to;
    select({to, 1});
    emit byteActivated(to);
}

QString HexView::asHex(const QByteArray& bytes) { return QString::fromLatin1(bytes.toHex()); }

QString HexView::asText(const QByteArray& bytes)
{
    QString out;
    out.reserve(bytes.size());
    for (char c : bytes)
        out += c >= 0x20 && c < 0x7f ? QChar(c) : QChar('.');
    return out;
}

QString HexView::asCArray(const QByteArray& bytes)
{
    QString out = QStringLiteral("unsigned char bytes[%1] = {").arg(bytes.size());
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        if (i % 12 == 0)
            out += QStringLiteral("\n    ");
        out += QStringLiteral("0x%1").arg(uint8_t(bytes[i]), 2, 16, QChar('0'));
        if (i + 1 < bytes.size())
            out += i % 12 == 11 ? QStringLiteral(",") : QStringLiteral(", ");
    }
    return out + QStringLiteral("\n};\n");
}

QMenu* HexView::copyMenu()
{
    auto* menu = new QMenu(this);
    if (data_.isEmpty())
        return menu;
    const QByteArray bytes = selection_.length > 0 ? data_.mid(selection_.offset, selection_.length) : data_;
    const QString what = selection_.length > 0 ? tr("Selected Bytes") : tr("All Bytes");
    auto add = [&](const QString& label, const char* name, QString (*format)(const QByteArray&)) {
        menu->addAction(label.arg(what), this, [bytes, format] { QApplication::clipboard()->setText(format(bytes)); })
            ->setObjectName(QString::fromLatin1(name));
    };
    add(tr("Copy %1 as Hex"), "copyHex", &HexView::asHex);
    add(tr("Copy %1 as Text"), "copyText", &HexView::asText);
    add(tr("Copy %1 as C Array"), "copyCArray", &HexView::asCArray);
    return menu;
}

void HexView::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu* menu = copyMenu();
    menu->setAttribute(Qt::WA_DeleteOnClose);
    if (menu->isEmpty()) {
        delete menu;
        return;
    }
    menu->popup(event->globalPos());
}

void HexView::keyPressEvent(QKeyEvent* event)
{
    if (event == QKeySequence::Copy) {
        if (selection_.length > 0) {
            // The selected bytes as hex, the form people paste into other tools.
            QApplication::clipboard()->setText(
                QString::fromLatin1(data_.mid(selection_.offset, selection_.length).toHex()));
        }
        return;
    }
    if (event == QKeySequence::SelectAll) {
        if (!data_.isEmpty()) {
            anchor_ = 0;
            cursor_ = int(data_.size()) - 1;
            select({0, int(data_.size())});
        }
        return;
    }
    if (data_.isEmpty())
        return QAbstractScrollArea::keyPressEvent(event);
    const bool extend = event->modifiers() & Qt::ShiftModifier;
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    const int at = std::max(cursor_, 0);
    const int page = visibleRows() * bytesPerRow_;
    switch (event->key()) {
    case Qt::Key_Left: moveCursor(at - 1, extend); break;
    case Qt::Key_Right: moveCursor(at + 1, extend); break;
    case Qt::Key_Up:
        if (at >= bytesPerRow_)
            moveCursor(at - bytesPerRow_, extend);
        break;
    case Qt::Key_Down:
        if (at + bytesPerRow_ < data_.size())
            moveCursor(at + bytesPerRow_, extend);
        break;
    case Qt::Key_PageUp: moveCursor(at - page, extend); break;
    case Qt::Key_PageDown: moveCursor(at + page, extend); break;
    case Qt::Key_Home: moveCursor(ctrl ? 0 : at - at % bytesPerRow_, extend); break;
    case Qt::Key_End:
        moveCursor(ctrl ? int(data_.size()) - 1 : at - at % bytesPerRow_ + bytesPerRow_ - 1, extend);
        break;
    default: QAbstractScrollArea::keyPressEvent(event); break;
    }
}

void HexView::focusInEvent(QFocusEvent* event)
{
    QAbstractScrollArea::focusInEvent(event);
    viewport()->update();
}

void HexView::focusOutEvent(QFocusEvent* event)
{
    QAbstractScrollArea::focusOutEvent(event);
    viewport()->update();
}
