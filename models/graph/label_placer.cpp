#include "label_placer.h"

#include <algorithm>
#include <cmath>

namespace underhood {

namespace {

// Rectangles bucketed by the grid cells they cover.
class RectGrid {
public:
    RectGrid(const LabelRect& area, double cell) : x0_(area.x), y0_(area.y), cell_(cell)
    {
        cols_ = std::max(1, int(std::ceil(area.w / cell)));
        rows_ = std::max(1, int(std::ceil(area.h / cell)));
        cells_.resize(size_t(cols_) * size_t(rows_));
    }
    bool hits(const LabelRect& r, double gap) const
    {
        const LabelRect g{r.x - gap, r.y - gap, r.w + 2 * gap, r.h + 2 * gap};
        int c0, c1, r0, r1;
        span(g, c0, c1, r0, r1);
        for (int y = r0; y <= r1; ++y)
            for (int x = c0; x <= c1; ++x)
                for (uint32_t k : cells_[size_t(y) * size_t(cols_) + size_t(x)])
                    if (rects_[k].intersects(g))
                        return true;
        return false;
    }
    bool hits_other(const LabelRect& r, uint32_t self) const
    {
        int c0, c1, r0, r1;
        span(r, c0, c1, r0, r1);
        for (int y = r0; y <= r1; ++y)
            for (int x = c0; x <= c1; ++x)
                for (uint32_t k : cells_[size_t(y) * size_t(cols_) + size_t(x)])
                    if (owner_[k] != self && rects_[k].intersects(r))
                        return true;
        return false;
    }
    void add(const LabelRect& r, uint32_t owner)
    {
        const uint32_t k = uint32_t(rects_.size());
        rects_.push_back(r);
        owner_.push_back(owner);
        int c0, c1, r0, r1;
        span(r, c0, c1, r0, r1);
        for (int y = r0; y <= r1; ++y)
            for (int x = c0; x <= c1; ++x)
                cells_[size_t(y) * size_t(cols_) + size_t(x)].push_back(k);
    }

private:
    void span(const LabelRect& r, int& c0, int& c1, int& r0, int& r1) const
    {
        c0 = std::clamp(int(std::floor((r.x - x0_) / cell_)), 0, cols_ - 1);
        c1 = std::clamp(int(std::floor((r.x + r.w - x0_) / cell_)), 0, cols_ - 1);
        r0 = std::clamp(int(std::floor((r.y - y0_) / cell_)), 0, rows_ - 1);
        r1 = std::clamp(int(std::floor((r.y + r.h - y0_) / cell_)), 0, rows_ - 1);
    }
    double x0_, y0_, cell_;
    int cols_ = 1, rows_ = 1;
    std::vector<std::vector<uint32_t>> cells_;
    std::vector<LabelRect> rects_;
    std::vector<uint32_t> owner_;
};

bool inside(const LabelRect& r, const LabelRect& v)
{
    return r.x >= v.x && r.y >= v.y && r.x + r.w <= v.x + v.w && r.y + r.h <= v.y + v.h;
}

} // namespace

std::vector<PlacedLabel> place_labels(std::vector<LabelCandidate> candidates, const LabelOptions& opts,
                                      const std::function<void(uint32_t, double&, double&)>& measure)
{
    std::vector<PlacedLabel> out;
    const LabelRect& view = opts.viewport;
    if (view.w <= 0 || view.h <= 0)
        return out;
    // Discs on screen, so labels avoid covering other nodes when they can.
    RectGrid discs(view, 48);
    for (const LabelCandidate& c : candidates)
        if (c.x + c.r >= view.x && c.x - c.r <= view.x + view.w && c.y + c.r >= view.y && c.y - c.r <= view.y + view.h &&
            c.r >= 1.5)
            discs.add({c.x - c.r * 0.8, c.y - c.r * 0.8, c.r * 1.6, c.r * 1.6}, c.node);

    std::erase_if(candidates, [&](const LabelCandidate& c) {
        return !c.always && (c.x < view.x || c.y < view.y || c.x > view.x + view.w || c.y > view.y + view.h);
    });
    std::stable_sort(candidates.begin(), candidates.end(), [](const LabelCandidate& a, const LabelCandidate& b) {
        if (a.always != b.always)
            return a.always;
        if (a.priority != b.priority)
            return a.priority > b.priority;
        return a.node < b.node;
    });
    // Level of detail: small discs get no label, except the few landmarks first in line.
    size_t landmarks = 0;
    std::erase_if(candidates, [&](const LabelCandidate& c) {
        if (c.always || c.r >= opts.min_radius)
            return false;
        return landmarks++ >= opts.landmarks;
    });

    RectGrid labels(view, 64);
    for (const LabelRect& b : opts.blocked)
        labels.add(b, UINT32_MAX);
    out.reserve(std::min(candidates.size(), opts.max_labels));
    for (const LabelCandidate& c : candidates) {
        if (out.size() >= opts.max_labels)
            break;
        double w = 0, h = 0;
        measure(c.node, w, h);
        if (w <= 0 || h <= 0)
            continue;
        const double g = 2;
        const LabelRect spots[] = {
            {c.x - w / 2, c.y + c.r + g, w, h},       // below
            {c.x - w / 2, c.y - c.r - g - h, w, h},   // above
            {c.x + c.r + g + 1, c.y - h / 2, w, h},   // right
            {c.x - c.r - g - 1 - w, c.y - h / 2, w, h}, // left
            {c.x + c.r * 0.7, c.y + c.r * 0.7, w, h}, // below right
            {c.x - c.r * 0.7 - w, c.y - c.r * 0.7 - h, w, h}, // above left
        };
        const LabelRect* chosen = nullptr;
        // First choice: clear of labels and of other discs; then clear of labels only.
        for (int pass = 0; pass < 2 && !chosen; ++pass)
            for (const LabelRect& s : spots) {
                if (!inside(s, view) || labels.hits(s, opts.gap))
                    continue;
                if (pass == 0 && discs.hits_other(s, c.node))
                    continue;
                chosen = &s;
                break;
            }
        if (!chosen)
            continue;
        labels.add(*chosen, c.node);
        out.push_back({c.node, *chosen});
    }
    return out;
}

} // namespace underhood
