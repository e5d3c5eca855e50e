// Draws a host graph scene with QPainter into any paint device: the widget,
// a QImage (PNG export, the benchmark, underhood-cli graph) or a
// QSvgGenerator. It owns no model and no layout: it is given the scene, the
// positions and the view (zoom, centre, selection, animation clock).
#pragma once

#include "force_layout.h"
#include "graph_scene.h"
#include "graph_raster.h"
#include "label_placer.h"

#include <QColor>
#include <QFont>
#include <QHash>
#include <QPalette>
#include <QPixmap>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <bitset>
#include <functional>
#include <unordered_set>
#include <vector>

class QPainter;

namespace underhood {

// The colours of one theme; from the widget's palette, or fixed for exports.
struct GraphStyle {
    QColor background, text, muted, highlight, label_background, link;
    bool dark = false;
    static GraphStyle fromPalette(const QPalette& p);
    static GraphStyle light();
    static GraphStyle dark_theme();
};

// A packet travelling its link as a token, from sender to receiver.
struct GraphPulse {
    uint64_t link = 0; // SceneLink::id
    bool forward = true;
    double started = 0; // GraphViewState::clock
    double seconds = 1.4; // how long the trip takes on screen
    QString label;        // the packet's summary beside the token ("DNS query A example.com"); may be empty
};

struct GraphViewState {
    double zoom = 1;
    QPointF centre;          // scene point drawn at the middle of the target
    int selected = -1, hovered = -1;
    double clock = 0;        // seconds, for pulses
    const std::vector<float>* phases = nullptr; // two per link (a to b, b to a) in [0, 1)
    std::vector<GraphPulse> pulses;
    std::bitset<256> hidden; // protocols hidden from the legend
    bool legend = true;
    bool particles = true;
    double scale = 1; // presentation mode: tokens, labels and links drawn larger
    // While the user zooms: the last picture of links and discs, scaled,
    // stands in for a new one (drawn in full once the zooming stops).
    bool quick = false;
    QString caption;
    QString empty_text; // shown when there are no nodes
    // Links whose TCP conversations had retransmissions (ids): drawn dashed red with a mark.
    std::unordered_set<uint64_t> retransmitting;
    // Colour by sensor instead of protocol: a node or link takes the colour
    // of the interface that saw most of its packets, the ring the sensor mix,
    // the legend the sensors' names (by interface id).
    bool by_sensor = false;
    QStringList sensor_names;
};

class GraphRenderer {
public:
    static constexpr double kPulseSeconds = 1.4;

    GraphRenderer();
    void setStyle(const GraphStyle& s)
    {
        style_ = s;
        colors_.clear(); // the protocol palette may have changed too
        static_key_ = {};
    }
    const GraphStyle& style() const { return style_; }
    void setFont(const QFont& f);
    // True for vector output (SVG): particles drawn as shapes, not blitted sprites.
    void setVectorOutput(bool on) { vector_ = on; }

    // Draws with QPainter alone: any paint device (SVG, printers).
    void paint(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
               const GraphViewState& view);
    // The fast path for screens and PNG: links, particles and discs rasterised
    // straight into the image, then text and decorations with QPainter. The
    // image must be ARGB32 premultiplied; its device pixel ratio is honoured.
    void render(QImage& image, const GraphScene& scene, const ForceLayout& layout, const GraphViewState& view);

    // Where things ended up in the last paint (hit tests, tests).
    struct LegendItem {
        QRectF rect;
        Proto proto;
        int sensor = -1; // a sensor's row (colouring by sensor): nothing to toggle
    };
    const std::vector<LegendItem>& legendItems() const { return legend_; }
    const std::vector<PlacedLabel>& labels() const { return labels_; }
    size_t particlesDrawn() const { return particles_drawn_; }
    // Pixels of links and discs drawn again by the last render() (panning reuses the rest).
    size_t staticPixelsDrawn() const { return static_pixels_; }
    // True when the last render() showed the scaled stand-in (GraphViewState::quick).
    bool lastWasQuick() const { return last_quick_; }

    // The protocol colours of the packet list, with a stable colour for the rest.
    static QColor protocolColor(Proto p);
    static QString protocolName(Proto p);
    // A sensor's colour by interface id: Okabe and Ito's eight, which stay
    // apart for every colour vision, then shades of them.
    static QColor sensorColor(int sensor);
    // Particles per second for a direction of a link: the packet rate while
    // it is low, then growing with its logarithm so busy links stay readable.
    static double particleRate(double pps);
    // Seconds a particle takes along a link of this scene length.
    static double travelTime(double length);

    static QPointF toScreen(const QRectF& target, const GraphViewState& v, double x, double y)
    {
        return {target.center().x() + (x - v.centre.x()) * v.zoom, target.center().y() + (y - v.centre.y()) * v.zoom};
    }
    static QPointF toScene(const QRectF& target, const GraphViewState& v, QPointF s)
    {
        return {v.centre.x() + (s.x() - target.center().x()) / v.zoom,
                v.centre.y() + (s.y() - target.center().y()) / v.zoom};
    }
    // The node under a screen point (-1: none).
    static int nodeAt(const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                      const GraphViewState& v, QPointF screen);

private:
    struct LinkLook {
        QColor color;
        double width;
        int layer; // drawing order: faint, normal, highlighted
    };
    struct NodeLook {
        QColor fill, outline;
        bool dim;
    };
    struct Particle {
        QPointF at;
        QRgb color;
    };
    std::vector<char> adjacency(const GraphScene& scene, size_t n, const GraphViewState& v) const;
    LinkLook linkLook(const SceneLink& l, const GraphViewState& v, const std::vector<char>& adjacent);
    NodeLook nodeLook(const SceneNode& node, size_t i, const std::vector<char>& adjacent, const GraphViewState& v);
    QColor colorOf(Proto p);
    QColor nodeColor(const SceneNode& n, const GraphViewState& v);
    QColor linkColor(const SceneLink& l, const GraphViewState& v);
    // The ring around a node: protocols (none hidden) or sensors, most first.
    std::vector<std::pair<QColor, uint64_t>> ringOf(const SceneNode& n, const GraphViewState& v);
    static bool hasRing(const SceneNode& n, const GraphViewState& v)
    {
        return (v.by_sensor ? n.sensors.size() : n.mix.size()) > 1;
    }
    void particles(const QRectF& target, const GraphScene& scene, const ForceLayout& layout, const GraphViewState& v,
                   const std::vector<char>& adjacent, std::vector<Particle>& out);
    std::vector<uint32_t> nodeOrder(const GraphScene& scene, size_t n) const;
    void paintLinks(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                    const GraphViewState& v, const std::vector<char>& adjacent);
    void paintParticles(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                        const GraphViewState& v, const std::vector<char>& adjacent);
    void paintNodes(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                    const GraphViewState& v, const std::vector<char>& adjacent);
    // Draws links and discs inside the clips (device pixels) only.
    void rasterise(QImage& image, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                   const GraphViewState& v, const std::vector<char>& adjacent, const std::vector<QRect>& clips);
    void rasteriseParticles(QImage& image, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                            const GraphViewState& v, const std::vector<char>& adjacent);
    static void inBands(QImage& image, bool parallel, const std::function<void(RasterCanvas&)>& draw,
                        const QRect& clip = QRect());
    void paintOverlay(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                      const GraphViewState& v, const std::vector<char>& adjacent);
    void paintRetransmissions(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                              const GraphViewState& v);
    void paintPulses(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                     const GraphViewState& v);
    void paintDecorations(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                          const GraphViewState& v, const std::vector<char>& adjacent);
    void paintLabels(QPainter& p, const QRectF& target, const GraphScene& scene, const ForceLayout& layout,
                     const GraphViewState& v, const std::vector<char>& adjacent);
    void paintLegend(QPainter& p, const QRectF& target, const GraphScene& scene, const GraphViewState& v);
    void paintSensorLegend(QPainter& p, const QRectF& target, const GraphScene& scene, const GraphViewState& v);
    const QPixmap& sprite(QRgb color);

    GraphStyle style_;
    QFont font_, small_font_;
    bool vector_ = false;
    std::vector<LegendItem> legend_;
    std::vector<PlacedLabel> labels_;
    size_t particles_drawn_ = 0;
    size_t static_pixels_ = 0;
    bool last_quick_ = false;
    QHash<QRgb, QPixmap> sprites_;
    QHash<int, QColor> colors_;
    // Links per node, for the scene generation they were counted for.
    uint64_t degree_generation_ = 0;
    std::vector<uint32_t> degree_;
    void countDegrees(const GraphScene& scene);
    // Labels are placed again only when something they depend on changed.
    struct LabelKey {
        uint64_t generation = 0, layout = 0;
        double zoom = 0, cx = 0, cy = 0, w = 0, h = 0;
        int selected = -2, hovered = -2;
        size_t legend = 0;
        bool by_sensor = false;
        bool operator==(const LabelKey&) const = default;
    } label_key_;
    // Links and discs only change when the layout, the view or the scene
    // does: between those frames only the particles move over a copy.
    struct StaticKey {
        uint64_t generation = 0, layout = 0;
        double zoom = 0, cx = 0, cy = 0, dpr = 0;
        int w = 0, h = 0, selected = -2;
        size_t hidden = 0;
        QRgb background = 0;
        double scale = 1;
        bool by_sensor = false;
        bool operator==(const StaticKey&) const = default;
    } static_key_;
    QImage static_;
    // Label text per node, for the scene generation it was made for.
    uint64_t label_generation_ = 0;
    bool label_two_lines_ = false;
    std::vector<QString> label_text_;
    std::vector<float> label_w_;
};

} // namespace underhood
