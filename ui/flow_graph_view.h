// The flow (ladder) graph drawn: host columns with their lifelines across
// the top, one row per packet with an arrow between its hosts, the label
// above the arrow, time on the left and ports on the right. Sized for a
// projector (the font follows the widget's, rows grow with it), in the
// palette's colours, arrows tinted by protocol as in the packet list.
#pragma once

#include "flow_graph.h"

#include <QAbstractScrollArea>

class QPainter;

namespace underhood {

class FlowGraphView : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit FlowGraphView(QWidget* parent = nullptr);

    void setGraph(FlowGraph g);
    const FlowGraph& graph() const { return graph_; }
    // Highlights the row of packet `number` and scrolls to it (0: none).
    void setCurrentPacket(quint64 number);
    quint64 currentPacket() const { return current_; }
    // Time as seconds since this instant (the capture's first packet).
    void setTimeOrigin(qint64 ns) { origin_ns_ = ns; viewport()->update(); }

    // The whole graph, not only what is in view: PNG (or any image format
    // QImage writes) or SVG by the file's suffix. False with `error` set.
    bool exportTo(const QString& path, QString& error) const;
    QSize fullSize() const;

signals:
    void packetClicked(quint64 number);

protected:
    void paintEvent(QPaintEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    struct Metrics {
        int row = 28, header = 48, time = 90, column = 180, comment = 140, margin = 12;
    };
    Metrics metrics() const;
    int columnX(int node, const Metrics& m) const;
    // Paints rows [first, last) with the header at y = 0 of `p`'s frame,
    // scrolled by `dy`; `full` draws for an export (no selection, no viewport).
    void paint(QPainter& p, int first, int last, int dy, int dx, bool full) const;
    void updateScrollBars();
    int rowAt(int y) const;

    FlowGraph graph_;
    quint64 current_ = 0;
    qint64 origin_ns_ = 0;
};

} // namespace underhood
