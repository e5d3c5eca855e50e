#include "graph_raster.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace underhood {

namespace {
// floor() without a libm call (the default x86-64 target has no SSE4.1 round).
inline int ffloor(float v)
{
    const int i = int(v);
    return i - (v < float(i));
}
} // namespace

RasterCanvas::RasterCanvas(QImage& image)
    : bits_(reinterpret_cast<uint32_t*>(image.bits())), w_(image.width()), h_(image.height()),
      stride_(int(image.bytesPerLine() / 4)), row1_(image.height()), col1_(image.width())
{
}

void RasterCanvas::set_rows(int y0, int y1)
{
    row0_ = std::clamp(y0, 0, h_);
    row1_ = std::clamp(y1, row0_, h_);
}

void RasterCanvas::set_clip(int x0, int y0, int x1, int y1)
{
    set_rows(y0, y1);
    col0_ = std::clamp(x0, 0, w_);
    col1_ = std::clamp(x1, col0_, w_);
}

uint32_t RasterCanvas::premultiplied(const QColor& c, double opacity)
{
    const double a = std::clamp(c.alphaF() * opacity, 0.0, 1.0);
    auto ch = [&](double v) { return uint32_t(std::lround(std::clamp(v, 0.0, 1.0) * a * 255)); };
    return uint32_t(std::lround(a * 255)) << 24 | ch(c.redF()) << 16 | ch(c.greenF()) << 8 | ch(c.blueF());
}

void RasterCanvas::fill(uint32_t color)
{
    for (int y = row0_; y < row1_; ++y)
        std::fill_n(bits_ + size_t(y) * size_t(stride_) + col0_, col1_ - col0_, color);
}


// Walks the major axis a (x, or y when transposed) one pixel column at a
// time; in each column the line covers [b - half, b + half] on the minor
// axis, and each pixel gets the length of its overlap as coverage (times the
// part of the column inside the segment, at the ends). Float and integer
// arithmetic only: this loop draws every link of every frame.
template <bool Transposed>
void RasterCanvas::line_major(double a0d, double b0d, double a1d, double b1d, double width, uint32_t color)
{
    if (a0d > a1d) {
        std::swap(a0d, a1d);
        std::swap(b0d, b1d);
    }
    const float a0 = float(a0d), a1 = float(a1d), b0 = float(b0d);
    const int amin = Transposed ? row0_ : col0_, amax = Transposed ? row1_ : col1_;
    const int bmin = Transposed ? col0_ : row0_, bmax = Transposed ? col1_ : row1_;
    const float slope = a1d > a0d ? float((b1d - b0d) / (a1d - a0d)) : 0.f;
    const float half = std::max(0.5f * float(width) * std::sqrt(1 + slope * slope), 0.5f);
    const float thin = std::min(1.f, float(width)); // a hairline is fainter, not wider
    int c0 = std::max(amin, ffloor(a0)), c1 = std::min(amax - 1, ffloor(a1));
    if (slope != 0.f) {
        // Only the columns whose span can reach the clip's band [bmin, bmax):
        // canvases drawing bands of one image skip the rest of the line.
        const float lo = float(bmin) - half - 1.f, hi = float(bmax) + half + 1.f;
        float t0 = a0 + (lo - b0) / slope, t1 = a0 + (hi - b0) / slope;
        if (t0 > t1)
            std::swap(t0, t1);
        const float f0 = float(c0), f1 = float(c1 + 1);
        c0 = std::max(c0, ffloor(std::clamp(t0, f0, f1)) - 1);
        c1 = std::min(c1, ffloor(std::clamp(t1, f0, f1)) + 1);
    } else if (b0 + half < float(bmin) - 1.f || b0 - half > float(bmax) + 1.f) {
        return;
    }
    if (c0 > c1)
        return;
    auto plot = [&](int p, int c, int k) {
        if (p < bmin || p >= bmax || k <= 0)
            return;
        if constexpr (Transposed)
            blend(p, c, color, k);
        else
            blend(c, p, color, k);
    };
    const float full = thin * 255.f;
    const uint32_t full_color = byte_mul(color, uint32_t(std::min(255, int(full + 0.5f))));
    float bc = b0 + (float(c0) + 0.5f - a0) * slope;
    for (int c = c0; c <= c1; ++c, bc += slope) {
        float scale = full;
        if (c <= ffloor(a0) || c >= ffloor(a1)) {
            // The segment's ends cover part of their column, centred on what is inside.
            const float lo_a = std::max(float(c), a0), hi_a = std::min(float(c + 1), a1);
            if (hi_a <= lo_a)
                continue;
            scale *= std::min(hi_a - lo_a, 1.f);
        }
        const float lo = bc - half, hi = bc + half;
        const int p0 = ffloor(lo), p1 = ffloor(hi);
        if (p0 == p1) {
            plot(p0, c, int((hi - lo) * scale + 0.5f));
            continue;
        }
        plot(p0, c, int((float(p0 + 1) - lo) * scale + 0.5f));
        const uint32_t inner = scale == full ? full_color : byte_mul(color, uint32_t(std::min(255, int(scale + 0.5f))));
        const uint32_t keep = 255 - (inner >> 24);
        const int q0 = std::max(p0 + 1, bmin), q1 = std::min(p1 - 1, bmax - 1);
        for (int p = q0; p <= q1; ++p) {
            uint32_t& d = Transposed ? bits_[size_t(c) * size_t(stride_) + size_t(p)]
                                     : bits_[size_t(p) * size_t(stride_) + size_t(c)];
            d = inner + byte_mul(d, keep);
        }
        plot(p1, c, int((hi - float(p1)) * scale + 0.5f));
    }
}

void RasterCanvas::line(double x0, double y0, double x1, double y1, double width, uint32_t color)
{
    if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1) || width <= 0)
        return;
    // Clip to the image (plus the line's width) so far ends cost nothing.
    const double m = width + 2;
    double t0 = 0, t1 = 1;
    const double dx = x1 - x0, dy = y1 - y0;
    auto clip = [&](double p, double q) {
        if (p == 0)
            return q >= 0;
        const double r = q / p;
        if (p < 0) {
            if (r > t1)
                return false;
            t0 = std::max(t0, r);
        } else {
            if (r < t0)
                return false;
            t1 = std::min(t1, r);
        }
        return true;
    };
    if (!clip(-dx, x0 + m) || !clip(dx, w_ + m - x0) || !clip(-dy, y0 + m) || !clip(dy, h_ + m - y0))
        return;
    const double ax = x0 + dx * t0, ay = y0 + dy * t0, bx = x0 + dx * t1, by = y0 + dy * t1;
    if (std::abs(bx - ax) >= std::abs(by - ay))
        line_major<false>(ax, ay, bx, by, width, color);
    else
        line_major<true>(ay, ax, by, bx, width, color);
}

void RasterCanvas::band(double cx, double cy, double r_in, double r_out, uint32_t color)
{
    if (r_out <= 0 || !std::isfinite(cx) || !std::isfinite(cy))
        return;
    const double outer = r_out + 0.5;
    const int y0 = std::max(row0_, int(std::floor(cy - outer))), y1 = std::min(row1_ - 1, int(std::floor(cy + outer)));
    const double full_out = std::max(0.0, r_out - 0.5), full_in = r_in > 0 ? r_in + 0.5 : -1;
    // Discs thinner than a pixel are drawn fainter instead.
    const double thin = std::min(1.0, r_out - std::max(r_in, 0.0));
    for (int y = y0; y <= y1; ++y) {
        const double dy = y + 0.5 - cy;
        const double span = outer * outer - dy * dy;
        if (span <= 0)
            continue;
        const double sx = std::sqrt(span);
        const int x0 = std::max(col0_, int(std::floor(cx - sx))), x1 = std::min(col1_ - 1, int(std::floor(cx + sx)));
        for (int x = x0; x <= x1; ++x) {
            const double dx = x + 0.5 - cx;
            const double d2 = dx * dx + dy * dy;
            double cov;
            if (d2 <= full_out * full_out && (full_in < 0 || d2 >= full_in * full_in)) {
                cov = 1;
            } else {
                const double d = std::sqrt(d2);
                cov = std::clamp(r_out - d + 0.5, 0.0, 1.0);
                if (r_in > 0)
                    cov *= std::clamp(d - r_in + 0.5, 0.0, 1.0);
            }
            const int k = int(cov * thin * 255 + 0.5);
            if (k > 0)
                blend(x, y, color, k);
        }
    }
}

void RasterCanvas::dot(double cx, double cy, double r, double rim, uint32_t fill, uint32_t rim_color)
{
    const float outer = float(r + rim), inner = float(r);
    const float fx = float(cx), fy = float(cy);
    const int y0 = std::max(row0_, ffloor(fy - outer - 0.5f)), y1 = std::min(row1_ - 1, ffloor(fy + outer + 0.5f));
    const int x0 = std::max(col0_, ffloor(fx - outer - 0.5f)), x1 = std::min(col1_ - 1, ffloor(fx + outer + 0.5f));
    for (int y = y0; y <= y1; ++y) {
        const float dy = float(y) + 0.5f - fy;
        for (int x = x0; x <= x1; ++x) {
            const float dx = float(x) + 0.5f - fx;
            const float d = std::sqrt(dx * dx + dy * dy);
            const float out = std::clamp(outer - d + 0.5f, 0.f, 1.f);
            if (out <= 0)
                continue;
            const float in = std::clamp(inner - d + 0.5f, 0.f, 1.f);
            if (in < 1)
                blend(x, y, rim_color, int(out * 255 + 0.5f));
            if (in > 0)
                blend(x, y, fill, int(in * 255 + 0.5f));
        }
    }
}

RasterCanvas::DotStamp RasterCanvas::make_stamp(double r, double rim)
{
    DotStamp s;
    const double outer = r + rim;
    s.size = int(std::ceil(2 * outer + 2));
    s.reach = s.size / 2.0;
    const int n = s.size * s.size;
    s.fill.assign(size_t(n) * DotStamp::kSub * DotStamp::kSub, 0);
    s.rim.assign(s.fill.size(), 0);
    for (int sy = 0; sy < DotStamp::kSub; ++sy)
        for (int sx = 0; sx < DotStamp::kSub; ++sx) {
            // The centre sits at (reach + sx/kSub, reach + sy/kSub) from the stamp's corner.
            const double cx = s.reach + double(sx) / DotStamp::kSub, cy = s.reach + double(sy) / DotStamp::kSub;
            const size_t base = size_t(sy * DotStamp::kSub + sx) * size_t(n);
            for (int y = 0; y < s.size; ++y)
                for (int x = 0; x < s.size; ++x) {
                    const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
                    const double out = std::clamp(outer - d + 0.5, 0.0, 1.0);
                    const double in = std::clamp(r - d + 0.5, 0.0, 1.0);
                    s.fill[base + size_t(y * s.size + x)] = uint8_t(std::lround(in * 255));
                    s.rim[base + size_t(y * s.size + x)] = in < 1 ? uint8_t(std::lround(out * 255)) : 0;
                }
        }
    return s;
}

void RasterCanvas::stamp(const DotStamp& s, double cx, double cy, uint32_t fill, uint32_t rim_color)
{
    const double left = cx - s.reach, top = cy - s.reach;
    const int ix = ffloor(float(left)), iy = ffloor(float(top));
    const int sx = std::clamp(int((left - ix) * DotStamp::kSub), 0, DotStamp::kSub - 1);
    const int sy = std::clamp(int((top - iy) * DotStamp::kSub), 0, DotStamp::kSub - 1);
    // The mask for the centre's sub-pixel position (the corner moves the other way).
    const size_t base = size_t((DotStamp::kSub - 1 - sy) * DotStamp::kSub + (DotStamp::kSub - 1 - sx)) *
                        size_t(s.size * s.size);
    const int y0 = std::max(0, row0_ - iy), y1 = std::min(s.size, row1_ - iy);
    const int x0 = std::max(0, col0_ - ix), x1 = std::min(s.size, col1_ - ix);
    for (int y = y0; y < y1; ++y) {
        uint32_t* row = bits_ + size_t(iy + y) * size_t(stride_) + ix;
        const uint8_t* f = s.fill.data() + base + size_t(y * s.size);
        const uint8_t* r = s.rim.data() + base + size_t(y * s.size);
        for (int x = x0; x < x1; ++x) {
            if (!(f[x] | r[x]))
                continue;
            uint32_t& d = row[x];
            if (r[x]) {
                const uint32_t c = byte_mul(rim_color, r[x]);
                d = c + byte_mul(d, 255 - (c >> 24));
            }
            if (f[x]) {
                const uint32_t c = f[x] == 255 ? fill : byte_mul(fill, f[x]);
                d = c + byte_mul(d, 255 - (c >> 24));
            }
        }
    }
}

void RasterCanvas::copy(const QImage& from)
{
    const int bpl = int(from.bytesPerLine() / 4);
    const int x1 = std::min(col1_, from.width());
    if (x1 <= col0_)
        return;
    for (int y = row0_; y < std::min(row1_, from.height()); ++y)
        std::memcpy(bits_ + size_t(y) * size_t(stride_) + col0_,
                    reinterpret_cast<const uint32_t*>(from.constBits()) + size_t(y) * size_t(bpl) + col0_,
                    size_t(x1 - col0_) * 4);
}

void RasterCanvas::scroll(int dx, int dy)
{
    // Rows move whole (memmove handles the overlap); the uncovered strips keep old pixels.
    const int w = w_ - std::abs(dx);
    if (w <= 0 || std::abs(dy) >= h_)
        return;
    const int src_x = dx >= 0 ? 0 : -dx, dst_x = dx >= 0 ? dx : 0;
    auto move_row = [&](int y) {
        uint32_t* dst = bits_ + size_t(y) * size_t(stride_);
        const uint32_t* src = bits_ + size_t(y - dy) * size_t(stride_);
        std::memmove(dst + dst_x, src + src_x, size_t(w) * 4);
    };
    if (dy > 0)
        for (int y = h_ - 1; y >= dy; --y)
            move_row(y);
    else
        for (int y = 0; y < h_ + dy; ++y)
            move_row(y);
}

void RasterCanvas::ring(double cx, double cy, double r_in, double r_out,
                        const std::vector<std::pair<double, uint32_t>>& stops)
{
    if (stops.empty() || r_out <= r_in || !std::isfinite(cx) || !std::isfinite(cy))
        return;
    const double outer = r_out + 0.5;
    const int y0 = std::max(row0_, int(std::floor(cy - outer))), y1 = std::min(row1_ - 1, int(std::floor(cy + outer)));
    constexpr double kTurn = 2 * std::numbers::pi;
    for (int y = y0; y <= y1; ++y) {
        const double dy = y + 0.5 - cy;
        const double span = outer * outer - dy * dy;
        if (span <= 0)
            continue;
        const double sx = std::sqrt(span);
        const int x0 = std::max(col0_, int(std::floor(cx - sx))), x1 = std::min(col1_ - 1, int(std::floor(cx + sx)));
        for (int x = x0; x <= x1; ++x) {
            const double dx = x + 0.5 - cx;
            const double d = std::sqrt(dx * dx + dy * dy);
            if (d < r_in - 0.5)
                continue;
            const double cov = std::clamp(r_out - d + 0.5, 0.0, 1.0) * std::clamp(d - r_in + 0.5, 0.0, 1.0);
            const int k = int(cov * 255 + 0.5);
            if (k <= 0)
                continue;
            double f = std::atan2(dx, -dy) / kTurn; // clockwise from twelve o'clock
            if (f < 0)
                f += 1;
            uint32_t c = stops.back().second;
            for (const auto& [end, color] : stops)
                if (f < end) {
                    c = color;
                    break;
                }
            if (c >> 24)
                blend(x, y, c, k);
        }
    }
}

} // namespace underhood
