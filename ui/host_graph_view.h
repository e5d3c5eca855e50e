// The animated host graph widget: draws a GraphScene with GraphRenderer at a
// steady frame rate while the layout settles and particles travel along the
// links, and handles the interaction (zoom and pan with mouse and keys, fit,
// drag to pin, double-click to release or open a cluster, hover tooltips,
// selection, the legend, pause).
//
// It knows nothing of captures: HostGraphPane feeds it scenes.
#pragma once

#include "force_layout.h"
#include "expert_scan.h"
#include "graph_renderer.h"
#include "graph_scene.h"

#include <QElapsedTimer>
#include <QImage>
#include <QTimer>
#include <QWidget>

#include <memory>

class QMenu;

namespace underhood {

class DisplayAnonymizer;

class HostGraphView : public QWidget {
    Q_OBJECT
public:
    explicit HostGraphView(QWidget* parent = nullptr);

    // A new scene: nodes keep their places, new ones settle in.
    void setScene(GraphScene scene);
    const GraphScene& scene() const { return scene_; }
    // View > Anonymise (null: off): the scene is drawn, exported and
    // described with pseudonyms; scene() keeps the real addresses, which
    // selections and filters use.
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);
    // The scene as it is drawn.
    const GraphScene& shownScene() const { return anon_ ? shown_ : scene_; }
    const ForceLayout& layout() const { return layout_; }
    ForceLayout& layout() { return layout_; }
    const GraphViewState& viewState() const { return view_; }
    const GraphRenderer& renderer() const { return renderer_; }

    void setLayoutKind(LayoutKind k);
    void relayout();
    // Shows the whole graph, and keeps doing so as it grows until the user zooms or pans.
    void fitToView();
    void zoomBy(double factor, QPointF anchor);
    double zoom() const { return view_.zoom; }

    // Freezes the picture (layout and particles); the data may go on changing underneath.
    void setPaused(bool paused);
    bool isPaused() const { return paused_; }
    // Keeps frames coming even when nothing moves (the timeline is playing).
    void setAnimating(bool on);
    // Particles travel only while the window shows traffic as it happens (a
    // live capture followed at its end, or playback); a moment in the past
    // is a still picture, so an idle window costs nothing.
    void setFlowing(bool on);
    bool isFlowing() const { return flowing_; }
    // Whether frames are being drawn: false once nothing moves (tests wait for it).
    bool isTicking() const { return timer_.isActive(); }

    // Sends a token along a link (a packet picked in the list or stepped to),
    // taking `seconds`, with `label` beside it.
    void pulseLink(int link, bool forward, double seconds = 1.4, const QString& label = {});
    const std::vector<GraphPulse>& pulses() const { return view_.pulses; }
    // Presentation mode: tokens, labels and links drawn `scale` times larger.
    void setScale(double scale);
    // The protocol palette changed (View > Colour-Blind Safe Colours): draw with it.
    void refreshColors();
    // Colours nodes and links by the sensor (interface) that saw them, with
    // the sensors' names (by interface id) in the legend; off: by protocol.
    void setColourBySensor(bool on, const QStringList& sensor_names);
    bool colourBySensor() const { return view_.by_sensor; }
    void selectNode(int index);
    NodeId selectedId() const { return selected_id_; }
    QString selectedAddress() const;
    void setHidden(const std::bitset<256>& hidden);
    // The protocol legend drawn over the graph's corner (off when the pane shows it beside the graph).
    void setLegendShown(bool on);
    void setCaption(const QString& caption);
    QString caption() const { return view_.caption; }
    void setEmptyText(const QString& text);
    // TCP's health by conversation (the expert analysis): links between two
    // hosts whose conversation had retransmissions are marked. Null: none marked.
    void setTcpHealth(std::shared_ptr<const TcpHealthTable> ip, std::shared_ptr<const TcpHealthTable> port);
    // Links marked as retransmitting in the scene shown (ids).
    const std::unordered_set<uint64_t>& retransmittingLinks() const { return view_.retransmitting; }

    // Renders the whole graph into a PNG or SVG file.
    bool exportImage(const QString& path, const QSize& size, QString* error) const;
    // One frame's work (layout, particles) as the timer would do it.
    void advance(double dt);
    QString tooltipText(int node) const;

    // The context menu's items for a point in the view (a node's, or the background's).
    void fillMenu(QMenu& menu, QPointF at);

signals:
    // Left/Right (Shift: by kind), Home, End and Space: the timeline's keys while the graph has focus.
    void transportKey(int key, bool shift);
    void nodeSelected(const QString& address); // empty when the selection is cleared
    void expandRequested(quint64 cluster);
    void collapseRequested(quint64 cluster);
    void hideRequested(quint64 node);
    void neighboursRequested(quint64 node);
    void showAllRequested(); // undo hiding and "only its neighbours"
    void protocolToggled(int proto);
    void pausedChanged(bool paused);
    void frame(double dt); // before each animation frame (playback hooks in here)

protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    void leaveEvent(QEvent*) override;
    void contextMenuEvent(QContextMenuEvent* e) override;
    void changeEvent(QEvent* e) override;
    void hideEvent(QHideEvent* e) override;

private:
    void tick();
    void wake();
    bool hasParticles() const;
    // Something on screen would change from one frame to the next.
    bool wantsFrames() const;
    bool onScreen() const;
    void setHovered(int node, QPoint global);
    int indexOf(NodeId id) const { return id ? scene_.find(id) : -1; }
    void syncIndices();
    void markRetransmissions();
    std::shared_ptr<const TcpHealthTable> health_ip_, health_port_;
    int base_font_px_ = 11;

    GraphScene scene_;
    GraphScene shown_; // scene_ with pseudonyms, while anonymising
    std::shared_ptr<DisplayAnonymizer> anon_;
    QString caption_; // as given; view_.caption is what is drawn
    void anonymiseScene();
    ForceLayout layout_;
    GraphRenderer renderer_;
    GraphViewState view_;
    QImage frame_;
    std::vector<float> phases_;
    QTimer timer_;
    QTimer zoom_settle_;
    QElapsedTimer clock_;
    double last_tick_ = 0;
    bool paused_ = false;
    bool auto_fit_ = true;
    bool animating_ = false;
    bool flowing_ = true;
    NodeId selected_id_ = 0, hovered_id_ = 0;
    int drag_node_ = -1;
    bool panning_ = false, moved_ = false;
    QPoint press_pos_;
    QPointF press_centre_;
};

} // namespace underhood
