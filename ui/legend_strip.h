// The graph's protocol legend as a row of its own (presentation mode puts it
// above the graph, where it covers no node): a swatch and a name for each
// protocol in the scene, wrapped onto more lines when the row is full. A
// click on an entry hides or shows that protocol, as the legend drawn over
// the graph does.
#pragma once

#include <QColor>
#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

namespace underhood {

class LegendStrip : public QWidget {
public:
    struct Entry {
        QString name;
        QColor color;
        int proto = 0;
        bool hidden = false;
    };
    explicit LegendStrip(std::function<void(int proto)> toggled, QWidget* parent = nullptr);
    void setEntries(std::vector<Entry> entries);
    const std::vector<Entry>& entries() const { return entries_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return {0, sizeHint().height()}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

protected:
    void paintEvent(QPaintEvent*) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    // Where each entry goes in a row `width` wide; the height used.
    std::vector<QRectF> place(int width, int* height = nullptr) const;

    std::function<void(int)> toggled_;
    std::vector<Entry> entries_;
};

} // namespace underhood
