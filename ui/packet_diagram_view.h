// A packet drawn as RFCs and textbooks draw headers: 32-bit rows under a bit
// ruler, one box per field with its short name and value, the layers stacked
// top to bottom to show what carries what. Built from the engine's field tree
// (packet_details.h), so every box is a field the details tree also shows:
// clicking one selects it there and its bytes in the hex view.
//
// Layers the diagram knows (Ethernet, 802.1Q, ARP, IPv4, IPv6, ICMP, ICMPv6,
// TCP, UDP, the DNS header) get a box per field at its bit position; what a
// header holds beyond its fixed part (options, DNS questions) is one box, and
// so is a layer it does not draw field by field and the payload no layer took.
#pragma once

#include "packet_details.h"

#include <QAbstractScrollArea>
#include <QByteArray>
#include <QString>

#include <vector>

class PacketDiagramView : public QAbstractScrollArea {
    Q_OBJECT
public:
    struct Layer {
        QString title;   // "Internet Protocol Version 4"
        int field = -1;  // the layer's row in the dissection, -1 for the payload
        uint32_t offset = 0; // where it starts in the packet
        uint32_t length = 0; // bytes
        int rows = 0;        // 32-bit rows drawn
    };
    struct Box {
        int field = -1; // index into the dissection's fields, -1 when none
        int layer = 0;
        int bit = 0;    // first bit, counted from the layer's first byte
        int bits = 0;   // how many
        QString name;   // "Src Port"
        QString value;  // "49070"
        bool summary = false; // options, payload: one box for many bytes
    };

    explicit PacketDiagramView(QWidget* parent = nullptr);

    void setPacket(const underhood::Dissection& d, const QByteArray& bytes);
    void clear();

    const std::vector<Layer>& layers() const { return layers_; }
    const std::vector<Box>& boxes() const { return boxes_; }
    // Where a box's label is drawn (viewport coordinates, empty when scrolled
    // out of view), and the box under a viewport point (-1: none).
    QRect boxRect(int box) const;
    int boxAt(const QPoint& point) const;

    // Highlights the box drawing `field` (or the box holding it: a flag bit
    // lights its flags box); -1 for none. Emits nothing.
    void selectField(int field);
    int selectedBox() const { return selected_box_; }
    // Scrolls so the box's label shows below the ruler.
    void scrollToBox(int box);

    // Text size over the automatic one (1.0 = as the width gives), for a
    // projector; Ctrl+wheel, Ctrl++ and Ctrl+- change it, Ctrl+0 resets it.
    void setScale(double scale);
    double scale() const { return scale_; }

    void setPlaceholderText(const QString& text);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // The user picked a box (click, or arrow keys): its field, for the tree and the hex view.
    void fieldActivated(int field);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void changeEvent(QEvent* event) override;
    bool viewportEvent(QEvent* event) override;

private:
    struct Piece {
        int box = 0;
        QRect rect;       // content coordinates (y from the top of the first layer)
        bool labelled = false;
    };
    void build();
    // Where the network layer's packet ends by its own length field (the
    // frame may be longer: Ethernet pads short frames).
    uint32_t network_end() const;
    void add_rest(uint32_t from, uint32_t to, const QString& name, const QString& title);
    void relayout();
    void activate(int box);
    QRect toViewport(const QRect& content) const;
    int fontPixels() const;

    underhood::Dissection dissection_;
    QByteArray bytes_;
    std::vector<Layer> layers_;
    std::vector<Box> boxes_;
    std::vector<Piece> pieces_;
    std::vector<int> layer_top_; // content y of each layer's title
    int selected_box_ = -1;
    int hover_box_ = -1;
    double scale_ = 1.0;
    QString placeholder_;
    // Geometry of the last layout.
    int bit_width_ = 10;
    int row_height_ = 30;
    int title_height_ = 20;
    int ruler_height_ = 30;
    int content_height_ = 0;
    int left_ = 8;
};
