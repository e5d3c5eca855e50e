// A hex dump of one packet: offset | hex | ASCII, sixteen bytes a row, with a
// highlighted range (the field selected in the details tree) and a cursor.
// Painted directly rather than built from widgets, so a jumbo frame costs
// nothing more than the rows on screen.
#pragma once

#include <QAbstractScrollArea>
#include <QByteArray>

class QMenu;

class HexView : public QAbstractScrollArea {
    Q_OBJECT
public:
    struct Range {
        int offset = 0;
        int length = 0; // 0: nothing selected
        bool operator==(const Range&) const = default;
        bool contains(int byte) const { return byte >= offset && byte - offset < length; }
    };
    // 16 bytes a row as in tcpdump -X and Wireshark; 8 when 16 would hide the
    // text column behind a scroll bar (a narrow details dock).
    int bytesPerRow() const { return bytesPerRow_; }

    explicit HexView(QWidget* parent = nullptr);

    void setData(const QByteArray& bytes);
    QByteArray data() const { return data_; }
    void clear();

    Range selection() const { return selection_; }
    // Highlights bytes [offset, offset + length), scrolled into view; a
    // cursor outside it moves to its start. A length of 0 clears the highlight.
    void setSelection(int offset, int length);
    int cursorPosition() const { return cursor_; }

    // Where a byte is drawn (viewport coordinates), in the hex or the ASCII column.
    QRect byteRect(int offset, bool ascii = false) const;
    // The byte under a viewport point, or -1.
    int byteAt(const QPoint& point) const;

    // The right-click menu (the caller owns it): the selected bytes, or all
    // of them when none are selected, copied as hex, as text or as a C array.
    // Actions are named "copyHex", "copyText" and "copyCArray"; no actions
    // without bytes.
    QMenu* copyMenu();
    static QString asHex(const QByteArray& bytes);    // "deadbeef"
    static QString asText(const QByteArray& bytes);   // printable ASCII, '.' for the rest
    static QString asCArray(const QByteArray& bytes); // "unsigned char bytes[N] = { 0x.., ... };"

    void setPlaceholderText(const QString& text);
    QString placeholderText() const { return placeholder_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // The user picked a byte: clicked it, or moved the cursor onto it with the keyboard.
    void byteActivated(int offset);
    void selectionChanged(HexView::Range selection);

protected:
    void paintEvent(QPaintEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;

private:
    int rowCount() const { return int((data_.size() + bytesPerRow_ - 1) / bytesPerRow_); }
    int visibleRows() const;
    int offsetDigits() const { return data_.size() > 0x10000 ? 8 : 4; }
    // Columns in characters from the left margin.
    int hexColumn() const { return offsetDigits() + 2; }
    int asciiColumn() const { return hexColumn() + bytesPerRow_ * 3 + (bytesPerRow_ > 8 ? 1 : 0); }
    int contentWidthFor(int bytes_per_row) const;
    void chooseBytesPerRow();
    int contentWidth() const;
    void updateMetrics();
    void updateScrollBars();
    void ensureVisible(int offset);
    void select(Range r);
    void moveCursor(int to, bool extend);

    QByteArray data_;
    Range selection_;
    int cursor_ = -1;
    int anchor_ = -1;
    int bytesPerRow_ = 16;
    int charWidth_ = 8;
    int lineHeight_ = 16;
    int ascent_ = 12;
    int margin_ = 4;
    QString placeholder_;
};
