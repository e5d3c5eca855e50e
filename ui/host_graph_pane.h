// The host graph as the main window's central area: the graph view, a row of
// controls (layer, size, clusters, top-N, layout, pause, fit, settings) and,
// for files, the timeline. It moves a TrafficWindow over the session's
// capture and feeds the view a new scene as the capture grows or the
// timeline moves.
#pragma once

#include "graph_scene.h"
#include "traffic_window.h"
#include "window_cursor.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>

#include <memory>

class QComboBox;
class QSpinBox;
class QToolButton;

namespace underhood {

class CaptureSession;
class GraphTimeline;
class HostGraphView;

class HostGraphPane : public QWidget {
    Q_OBJECT
public:
    explicit HostGraphPane(CaptureSession* session = nullptr, QWidget* parent = nullptr);
    ~HostGraphPane() override;

    void setSession(CaptureSession* session);
    void setLayer(Layer layer);
    Layer layer() const { return opts_.layer; }
    // Pulls what the session read since the last call (the session's updated()).
    void refresh();

    QSize sizeHint() const override { return {900, 560}; }
    HostGraphView* view() const { return view_; }
    GraphTimeline* timeline() const { return timeline_; }
    const GraphOptions& options() const { return opts_; }
    void setOptions(const GraphOptions& opts);
    const WindowSpans& spans() const { return spans_; }
    void setSpans(const WindowSpans& spans);

    // Shows the graph at capture time t (ns since the epoch) instead of following the newest packet.
    void seek(qint64 t_ns);
    bool step(int direction);
    void follow();
    bool isFollowing() const { return follow_; }
    qint64 time() const;

    // What the selected node stands for (empty when none is selected).
    NodeSelection selection() const;
    // Lights up the link the packet travelled (the packet list's selection).
    void pulsePacket(quint64 number);
    // PNG or SVG by suffix.
    bool exportGraph(const QString& path, QString* error);
    void exportDialog();

signals:
    void nodeSelected(const QString& address);
    void layerChosen(Layer layer); // the user picked another kind of node

private:
    void buildControls();
    void rebuild();
    void updateTimeline();
    void onFrame(double dt);
    void loadSettings();
    void saveSettings() const;
    void settingsDialog();
    QString caption() const;

    QPointer<CaptureSession> session_;
    HostGraphView* view_ = nullptr;
    GraphTimeline* timeline_ = nullptr;
    QComboBox *layer_box_ = nullptr, *size_box_ = nullptr, *cluster_box_ = nullptr, *layout_box_ = nullptr;
    QSpinBox* top_box_ = nullptr;
    QToolButton* pause_ = nullptr;

    std::unique_ptr<TrafficWindow> window_;
    std::unique_ptr<WindowCursor> cursor_;
    GraphBuilder builder_;
    GraphOptions opts_;
    WindowSpans spans_;
    bool follow_ = true;
    bool playing_ = false;
    double speed_ = 1;
    double play_ns_ = 0;
    bool dirty_ = false;
    QElapsedTimer since_build_;
};

} // namespace underhood
