// Label placement with collision culling, in screen coordinates: labels are
// tried in priority order (the selection, then bigger nodes), each at a few
// spots around its node; a label is kept only where it overlaps no label kept
// before it (and, if possible, no node disc). A uniform grid keeps each test
// to the labels nearby, so placing n labels costs about O(n log n) for the sort.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace underhood {

struct LabelRect {
    double x = 0, y = 0, w = 0, h = 0;
    bool intersects(const LabelRect& o) const
    {
        return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h;
    }
};

struct LabelCandidate {
    uint32_t node = 0;
    double x = 0, y = 0, r = 0; // the node's disc on screen
    double priority = 0;        // larger first
    bool always = false;        // selected or hovered: placed before the rest, whatever its size
};

struct PlacedLabel {
    uint32_t node = 0;
    LabelRect rect;
};

struct LabelOptions {
    double min_radius = 3;   // level of detail: smaller discs get no label…
    size_t landmarks = 0;    // …but the first this many in priority order get one whatever their size…
    size_t max_labels = 400; // …and no more than this many labels
    double gap = 2;          // kept between labels
    LabelRect viewport;      // labels stay wholly inside
    std::vector<LabelRect> blocked; // taken already (a legend drawn over the graph)
};

// `measure(node, w, h)` gives the label's size; it is called only for the
// candidates that get that far, in priority order.
std::vector<PlacedLabel> place_labels(std::vector<LabelCandidate> candidates, const LabelOptions& opts,
                                      const std::function<void(uint32_t, double&, double&)>& measure);

} // namespace underhood
