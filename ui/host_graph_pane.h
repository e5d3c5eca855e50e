// The host graph as the main window's central area: the graph view, a row of
// controls (layer, size, clusters, top-N, layout, pause, fit, settings) and,
// for files, the timeline. A GraphSceneWorker moves the traffic window over
// the session's capture and builds the scenes on its own thread; the pane
// posts a request whenever the capture grows, the timeline moves or an
// option changes, and shows each finished scene as it arrives.
#pragma once

#include "graph_scene.h"
#include "graph_scene_worker.h"
#include "graph_timeline.h"
#include "traffic_window.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QSpinBox;
class QTimer;
class QToolButton;

namespace underhood {

class CaptureSession;
class DisplayAnonymizer;
class GraphTimeline;
class HostGraphView;
class LegendStrip;

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
    // One packet forwards (+1) or back (-1); false at either end. The link of
    // the packet stepped to lights up when its scene is shown.
    bool step(int direction);
    void follow();
    bool isFollowing() const { return follow_; }
    // The end of the window of the scene shown (capture time, ns).
    qint64 time() const { return shown_time_; }

    // Moves and scenes are made off the GUI thread: busy while a scene asked
    // for is not shown yet. waitForScene runs the event loop until no
    // request is outstanding (false when `timeout_ms` passes first).
    bool isBusy() const { return posted_serial_ > shown_serial_; }
    bool waitForScene(int timeout_ms = 30000);

    // What the selected node stands for (empty when none is selected).
    NodeSelection selection() const;
    // Lights up the link the packet travelled (the packet list's selection).
    void pulsePacket(quint64 number);
    // PNG or SVG by suffix.
    bool exportGraph(const QString& path, QString* error);
    void exportDialog();
    // Brings back hosts hidden from the menu and leaves "only its neighbours".
    void showAllHosts();
    // The graph counts only the packets of display filter `expr` (the engine's
    // display view); empty: every packet. The caption says so.
    void setDisplayLimit(const QString& expr);
    QString displayLimit() const { return display_limit_; }
    // The engine's display view grew or changed: build the scene again where it is.
    void displayChanged();
    // The row of node, size, cluster and layout choices; a window may move
    // it into its tool bar (it stays wired to this pane).
    QWidget* controls() const { return controls_; }

    // Ends the window at packet `number` (it is the current packet: the
    // timeline names it and a token carries it along its link).
    void goToPacket(quint64 number);
    // The first packet current (Home).
    void goToStart();
    // The summary a token carries ("DNS  Standard query 0x1a2b A example.com").
    QString packetLabel(quint64 number) const;
    // How long a token takes along its link at the current speed (slower when playing slowly).
    double tokenSeconds() const;
    GraphTimeline* transport() const { return timeline_; }
    // The caption bar under the graph: the current packet's comment (a
    // teacher's narration), large and readable; hidden when empty.
    void setCaptionText(const QString& text);
    QString captionText() const;
    // Presentation mode: the caption, labels and tokens `scale` times larger.
    void setScale(double scale);
    // Whether the caption bar shows (presentation mode may leave it out).
    void setCaptionsShown(bool on);
    // The protocol legend in a row of its own above the graph instead of
    // over the graph's corner (presentation mode).
    void setLegendOutside(bool on);
    QWidget* legendStrip() const;
    // View > Anonymise (null: off): pseudonyms in labels, tooltips, the caption and tokens.
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);

signals:
    void nodeSelected(const QString& address);
    // A step (one packet, by kind, to the start) made `number` the current packet.
    void packetStepped(quint64 number);
    // Back or forward to the previous or next packet of a kind, from packet `from` (0: none current).
    void kindStepRequested(int direction, StepKind kind, quint64 from);
    // A scene the worker made is on screen (time() and the timeline moved to it).
    void sceneShown();
    void layerChosen(Layer layer); // the user picked another kind of node

private:
    void buildControls();
    void updateSensorNames(); // the capture's interfaces, for colouring by sensor
    void rebuild();
    // Posts a request to the worker. A quiet one (following the capture as it
    // grows, playback) never says in the caption that it is on its way.
    void request(SceneRequest::Move move, int64_t t_ns = 0, uint64_t end = 0, bool pulse = false, bool quiet = false);
    void onScene(SceneResult&& result);
    void updateTimeline();
    void updateCaption();
    void onFrame(double dt);
    // Particles move while the graph shows traffic as it happens: playback,
    // or a running live capture followed at its end.
    void updateFlow();
    void loadSettings();
    void saveSettings() const;
    void settingsDialog();
    QString caption() const;
    bool captureBounds(int64_t& first_ns, int64_t& last_ns) const;
    // Packet numbers the engine lists: first .. end - 1.
    bool packetRange(uint64_t& first, uint64_t& end) const;
    // One past the last packet with a timestamp <= t_ns.
    uint64_t endAt(int64_t t_ns) const;

    QPointer<CaptureSession> session_;
    HostGraphView* view_ = nullptr;
    GraphTimeline* timeline_ = nullptr;
    QWidget* controls_ = nullptr;
    QComboBox *layer_box_ = nullptr, *size_box_ = nullptr, *cluster_box_ = nullptr, *layout_box_ = nullptr;
    QComboBox* colour_box_ = nullptr; // by protocol or by sensor
    QStringList sensor_names_;
    QSpinBox* top_box_ = nullptr;
    QToolButton* pause_ = nullptr;

    GraphOptions opts_;
    WindowSpans spans_;
    std::vector<IpPrefix> local_subnets_;
    bool detect_local_ = true;

    std::unique_ptr<GraphSceneWorker> worker_;
    uint64_t generation_ = 0; // of the worker's engine: scenes of another are stale
    uint64_t posted_serial_ = 0, shown_serial_ = 0;
    // Where the window will be once every posted move is made (steps go from
    // there); unknown before the first move.
    std::optional<uint64_t> expected_end_;
    // The scene shown.
    bool shown_positioned_ = false;
    int64_t shown_time_ = 0;
    // A move that takes long says so in the caption.
    QTimer* busy_timer_ = nullptr;
    bool busy_shown_ = false;
    bool busy_quiet_ = false;
    SceneRequest::Move busy_move_ = SceneRequest::Move::None;
    int64_t busy_time_ = 0;
    uint64_t busy_end_ = 0;
    bool follow_ = true;
    bool playing_ = false;
    double speed_ = 1;
    double play_ns_ = 0;
    bool dirty_ = false;
    QElapsedTimer since_build_;
    QString display_limit_;
    QLabel* caption_bar_ = nullptr;
    bool captions_shown_ = true;
    LegendStrip* legend_strip_ = nullptr;
    void updateLegendStrip();
    std::shared_ptr<DisplayAnonymizer> anon_;
    double scale_ = 1;
    uint64_t played_end_ = 0;
    quint64 current_wanted_ = 0;
    quint64 last_pulse_ = 0;
    QElapsedTimer last_pulse_clock_; // a step's packet, current once a scene ends at it // playback: packets before this have had their token
    void showCurrentPacket(quint64 number);
};

} // namespace underhood
