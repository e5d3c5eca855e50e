// Renders a whole host graph scene into a PNG or SVG file: File > Export
// Graph in the app and `underhood-cli graph` share it, so both draw exactly
// what the view draws.
#pragma once

#include "graph_renderer.h"

#include <QSize>
#include <QString>

namespace underhood {

struct GraphExportOptions {
    QSize size{1600, 1000};
    GraphStyle style = GraphStyle::light();
    bool legend = true;
    QString caption;
    std::bitset<256> hidden;
    int selected = -1;
    const std::vector<float>* phases = nullptr;
};

// A view that shows every node (and room for labels) in a target of `size`.
GraphViewState fitView(const ForceLayout& layout, const QSizeF& size, double margin = 40);

// Writes PNG or SVG by the file's suffix; false with a message otherwise.
bool exportGraph(const QString& path, const GraphScene& scene, const ForceLayout& layout,
                 const GraphExportOptions& opts, QString* error);

} // namespace underhood
