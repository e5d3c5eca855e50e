// A small software rasteriser for the host graph's many simple shapes:
// anti-aliased lines of any width, discs, rings, and rings coloured by angle,
// blended straight into a QImage (ARGB32 premultiplied).
//
// Why not QPainter: its raster engine strokes wide or translucent lines as
// paths (a batch of translucent lines even as one path, so overlaps do not
// blend twice), which costs tens of microseconds per link; 20,000 links would
// take most of a second per frame. Spans computed here cost a few
// nanoseconds per pixel. Text and the few decorations still go through
// QPainter, after this pass.
#pragma once

#include <QColor>
#include <QImage>

#include <cstdint>
#include <utility>
#include <vector>

namespace underhood {

class RasterCanvas {
public:
    // The image must be Format_ARGB32_Premultiplied (or RGB32) and not be
    // painted on by a QPainter while this draws.
    explicit RasterCanvas(QImage& image);

    // Premultiplied ARGB of a colour with an extra opacity.
    static uint32_t premultiplied(const QColor& c, double opacity = 1.0);

    void fill(uint32_t color);
    // A segment with flat ends, `width` pixels wide.
    void line(double x0, double y0, double x1, double y1, double width, uint32_t color);
    // The annulus r_in..r_out (a disc when r_in <= 0).
    void band(double cx, double cy, double r_in, double r_out, uint32_t color);
    // A small disc with a rim (particles), in one pass.
    void dot(double cx, double cy, double r, double rim, uint32_t fill, uint32_t rim_color);
    // The same from a precomputed coverage stamp: thousands of particles a frame.
    struct DotStamp {
        static constexpr int kSub = 4; // sub-pixel positions per axis
        int size = 0;                  // pixels per side
        double reach = 0;              // from the centre to the stamp's edge
        std::vector<uint8_t> fill, rim; // kSub*kSub masks of size*size
    };
    static DotStamp make_stamp(double r, double rim);
    void stamp(const DotStamp& s, double cx, double cy, uint32_t fill, uint32_t rim_color);
    // Copies another image of the same size and format.
    void copy(const QImage& from);
    // An annulus coloured by angle: stops are (end of the arc as a fraction of
    // the turn, clockwise from twelve o'clock; colour), in order.
    void ring(double cx, double cy, double r_in, double r_out, const std::vector<std::pair<double, uint32_t>>& stops);

    // Draws only rows [y0, y1): several canvases on one image can work in parallel.
    void set_rows(int y0, int y1);
    // Draws only inside [x0, x1) x [y0, y1).
    void set_clip(int x0, int y0, int x1, int y1);
    // Moves the whole image by (dx, dy) pixels; what is uncovered keeps stale pixels.
    void scroll(int dx, int dy);

    int width() const { return w_; }
    int height() const { return h_; }

private:
    void blend(int x, int y, uint32_t color, int coverage) // coverage 0..255
    {
        uint32_t& d = bits_[size_t(y) * size_t(stride_) + size_t(x)];
        const uint32_t s = coverage >= 255 ? color : byte_mul(color, uint32_t(coverage));
        d = s + byte_mul(d, 255 - (s >> 24));
    }
    static uint32_t byte_mul(uint32_t x, uint32_t a)
    {
        uint32_t t = (x & 0xff00ff) * a;
        t = (t + ((t >> 8) & 0xff00ff) + 0x800080) >> 8;
        t &= 0xff00ff;
        x = ((x >> 8) & 0xff00ff) * a;
        x = x + ((x >> 8) & 0xff00ff) + 0x800080;
        x &= 0xff00ff00;
        return x | t;
    }
    template <bool Transposed>
    void line_major(double a0, double b0, double a1, double b1, double width, uint32_t color);

    uint32_t* bits_;
    int w_, h_, stride_;
    int row0_ = 0, row1_; // the rows this canvas may touch
    int col0_ = 0, col1_; // and the columns
};

} // namespace underhood
