// The Underhood main window: sources (files, pipes, live capture), the packet
// list and details, the tables, the status bar. The host graph takes the
// central area; until a capture is open it shows how to start.
#pragma once

#include "capture_session.h"
#include "graph_timeline.h"
#include "packet_list_model.h"
#include "traffic_window.h"

#include <QMainWindow>
#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QSplitter;
class QToolButton;
class PacketDetailsPane;

namespace underhood {
namespace dissect {
class Streams;
class TcpAnalysis;
}
class ExpertPane;
class ExpertScanner;
class PacketContext;
class FlowGraphDialog;

class PacketListView;
class FilterBar;
class FindBar;
class FollowStreamDialog;
class TablePane;
class HostTableModel;
class ConversationTableModel;
class ProtocolTreeModel;
class ThroughputPlot;
class DropPanel;
class IncompleteBanner;
class HostGraphPane;
class AnonymiseMode;

// Writes packets of a session to a pcapng file (app/ provides it: the writer
// lives with the capture code).
using CaptureSaver = std::function<bool(const IngestEngine&, const QVector<quint64>* numbers, const QString& path,
                                        QString* error, const std::function<bool(int)>& progress)>;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // A valid `size` starts the window at that size with the first-start
    // layout, ignoring the saved geometry (projectors, screenshots).
    explicit MainWindow(QSize size = {}, QWidget* parent = nullptr);
    // "system" (follow the desktop), "light" or "dark"; not saved.
    void applyTheme(const QString& theme);
    ~MainWindow() override;

    void setSaver(CaptureSaver saver) { saver_ = std::move(saver); }
    bool openFile(const QString& path);
    bool startCapture(const LiveCaptureOptions& opts);
    void setLayer(Layer layer);
    CaptureSession* session() const { return session_; }
    PacketListModel* packetModel() const { return packets_; }
    PacketListView* packetView() const { return list_; }
    ThroughputPlot* throughputPlot() const { return plot_; }
    DropPanel* dropPanel() const { return drops_; }
    // The "data incomplete" banner's text, empty while it is hidden.
    QString incompleteText() const;
    void showDropPanel();
    HostGraphPane* graphPane() const { return graph_; }
    TablePane* hostPane() const { return host_pane_; }
    TablePane* conversationPane() const { return conv_pane_; }
    QString displayFilterText() const;
    // View > Anonymise: the filter bar names hosts as the views do, and a
    // filter typed with those pseudonyms selects the packets they stand for.
    QString shownFilter(const QString& real) const;
    QString realFilter(const QString& shown) const;
    ExpertPane* expertPane() const { return expert_; }
    ::PacketDetailsPane* detailsPane() const { return details_; }
    // True once the expert analysis has looked at every packet read so far.
    bool expertDone() const;
    // Presentation mode (View > Presentation, F5): large type for a projector,
    // only the graph with its caption and timeline and a compact packet list.
    void setPresentation(bool on);
    bool presenting() const { return presenting_; }
    // 100 to 300 percent; `remember` keeps it as the setting.
    void setPresentationScale(int percent, bool remember = true);
    int presentationScale() const { return scale_percent_; }
    // The panes presentation mode shows besides the graph (View >
    // Presentation Panes, remembered): "list", "caption", "timeline",
    // "controls" and the docks' object names ("detailsDock", "hostsDock"…).
    void setPresentationPanes(const QStringList& panes);
    QStringList presentationPanes() const { return presentation_panes_; }
    // Sets (empty: removes) packet `number`'s comment; it shows as the
    // caption while the packet is current and Save As keeps it.
    bool setPacketComment(quint64 number, const QString& text);
    QString packetComment(quint64 number) const;
    // The graph, tables and plot count only the display filter's packets.
    bool viewsLimited() const { return display_id_ != 0; }
    // Shown in dialogs; tests read it instead of clicking through a modal box.
    QString lastError() const { return last_error_; }
    // The warning shown above the views (truncated file, cancelled load), empty when none.
    QString warningText() const;
    QString statusText() const;
    // True once the window has shown everything of a session that ended
    // (tables, plots, drop panel, warnings): what tests wait for.
    bool sessionShown() const { return session_shown_; }
    // Shows only the packets matching a BPF expression (empty: all).
    Q_INVOKABLE void applyDisplayFilter(const QString& expr);
    // Modal message boxes are skipped (tests, screenshots); errors still go to lastError().
    void setQuiet(bool quiet) { quiet_ = quiet; }

    // A live capture not yet saved is kept until the user says otherwise:
    // quitting, closing, opening a file or starting another capture first
    // asks Save / Discard / Cancel, as Wireshark does.
    enum class UnsavedChoice { Save, Discard, Cancel };
    struct UnsavedAnswer {
        UnsavedChoice choice = UnsavedChoice::Cancel;
        QString path; // with Save: where to write (empty: ask with a file dialog)
    };
    // Tests answer the question here instead of in a modal box; the
    // question's text is passed in. Unset: a message box asks.
    void setUnsavedAnswer(std::function<UnsavedAnswer(const QString& question)> answer)
    {
        unsaved_answer_ = std::move(answer);
    }
    bool hasUnsavedCapture() const;
    // Edit > Find: the bar over the packet list, and a search with what it holds.
    FindBar* findBar() const { return find_bar_; }
    void findPacket(bool forward);
    void showFlowGraph();
    FlowGraphDialog* flowGraph() const { return flow_; }
    // The packet list's right-click menu for `row` (the caller owns it):
    // apply or prepare a filter for the source, destination or conversation,
    // copy the summary or the bytes. Actions are named for tests
    // ("applySource", "prepareConversation", "copySummary", "copyHex", ...).
    QMenu* packetMenu(int row);
    // The packet Packet Details shows (0: none). A display filter that drops
    // it clears the pane; if the packet passes, it is selected again.
    quint64 detailsPacket() const { return details_number_; }
    // Asks about an unsaved live capture, saves it if told to; false: stay as we are.
    bool confirmDiscardCapture();
    // Analyze > Follow TCP/UDP Stream: a dialog with the stream packet
    // `number` belongs to (0: the selected packet); null without a capture.
    // `tcp` false follows UDP. The last one opened stays reachable for tests.
    FollowStreamDialog* followStream(bool tcp, quint64 number = 0);
    FollowStreamDialog* followDialog() const;
    // View > Anonymise and File > Export Anonymised.
    AnonymiseMode* anonymiseMode() const { return anonymise_; }

signals:
    // A capture or file was opened, or closed (session() tells which).
    void sessionChanged();

protected:
    void closeEvent(QCloseEvent* e) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void buildActions();
    void buildMenus();
    void buildToolBar();
    void buildDocks();
    void buildStatusBar();
    void setSession(CaptureSession* session);
    void onUpdated();
    void onFinished();
    void updateWarnings();
    void updateStatus();
    void updateActions();
    void updateTitle();
    void showError(const QString& title, const QString& text);
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void openDialog();
    void saveAs();
    // Writes the session (or only `numbers`) to path; true when written.
    bool saveTo(const QString& path, const QVector<quint64>* numbers);
    void startCaptureDialog();
    void stopCapture();
    void restartCapture();
    void selectRelative(int delta);
    void showPacket(quint64 number);
    void continueLiveFilter();
    // After the list was filtered anew: select the packet the details pane
    // showed if it is listed, else clear the pane (`complete`: no more
    // matches will come).
    void reselectAfterFilter(bool complete);
    void refreshTables();
    // A packet filter for a host, conversation or graph selection's BPF.
    QString packetFilterFor(const std::string& bpf) const;
    // The graph's selected node narrows the tables and the packet list (cleared with it).
    void graphSelectionChanged();
    // A range picked on the throughput plot: the graph shows that stretch of time.
    void showTimeRange(qint64 from_ns, qint64 to_ns);
    void clearTimeRange();
    void filterToRow(TablePane* pane, int row);

    QPointer<CaptureSession> session_;
    PacketListModel* packets_ = nullptr;
    PacketListView* list_ = nullptr;
    ThroughputPlot* plot_ = nullptr;
    DropPanel* drops_ = nullptr;
    IncompleteBanner* banner_ = nullptr;
    QDockWidget* plot_dock_ = nullptr;
    QDockWidget* drops_dock_ = nullptr;
    HostGraphPane* graph_ = nullptr;
    QSplitter* splitter_ = nullptr;
    ::PacketDetailsPane* details_ = nullptr;
    FilterBar* filter_ = nullptr;
    FindBar* find_bar_ = nullptr;
    HostTableModel* hosts_ = nullptr;
    ConversationTableModel* convs_ = nullptr;
    ProtocolTreeModel* protos_ = nullptr;
    TablePane* host_pane_ = nullptr;
    TablePane* conv_pane_ = nullptr;
    TablePane* proto_pane_ = nullptr;
    // The display filter's scan runs on a worker thread.
    std::shared_ptr<std::atomic<bool>> filter_cancel_;
    std::shared_ptr<class DisplayFilter> filter_program_;
    std::shared_ptr<dissect::Streams> filter_streams_; // tcp.stream numbering across a live filter's scans
    std::shared_ptr<dissect::TcpAnalysis> filter_tcp_;  // tcp.analysis.* across them, likewise
    FlowGraphDialog* flow_ = nullptr; // Statistics > Flow Graph, for the session shown
    uint64_t filter_next_ = 0;
    bool filter_busy_ = false;
    // "Limit to display filter": the graph, tables and plot count only the
    // filter's packets (the engine's display view `display_id_`, 0: none).
    QAction* act_limit_ = nullptr;
    // Expert information: one scan at a time on a worker thread, going on
    // from where the last stopped (a live capture grows).
    ExpertPane* expert_ = nullptr;
    QDockWidget* expert_dock_ = nullptr;
    QAction* act_expert_ = nullptr;
    std::shared_ptr<ExpertScanner> expert_scan_;
    std::shared_ptr<std::atomic<bool>> expert_cancel_;
    std::thread expert_thread_;
    bool expert_busy_ = false;
    bool expert_again_ = false; // more packets arrived while a scan ran
    void continueExpertScan();
    // Stream numbers and TCP analysis for Packet Details, replayed up to the packet shown.
    std::unique_ptr<PacketContext> details_context_;
    // The first packet of a conversation (endpoints at the tables' layer)
    // carried over `transport` (Tcp or Udp); 0 when none is listed.
    quint64 firstPacketOf(const Endpoint& a, const Endpoint& b, Proto transport) const;
    void followConversation(int source_row);
public:
    // The next (direction 1) or previous (-1) packet of `kind` after `from`
    // (0: from the start or the end), among the packets listed; 0 when none.
    quint64 findPacketOfKind(int direction, StepKind kind, quint64 from) const;
private:
    void stepToKind(int direction, StepKind kind, quint64 from);
    void stopExpertScan();
    QToolButton* limit_button_ = nullptr;
    uint64_t display_id_ = 0;
    uint64_t display_seq_ = 0;
    std::thread filter_thread_;
    int tick_ = 0;
    bool layer_wait_ = false; // refreshTables() looks again while a layer is being counted
    QLabel* warning_bar_ = nullptr;
    QLabel* st_packets_ = nullptr;
    QLabel* st_bytes_ = nullptr;
    QLabel* st_duration_ = nullptr;
    QLabel* st_rate_ = nullptr;
    QLabel* st_drops_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QToolButton* cancel_ = nullptr;
    QMenu* recent_menu_ = nullptr;
    QAction *act_open_, *act_save_, *act_close_, *act_quit_, *act_start_, *act_stop_, *act_restart_, *act_next_,
        *act_prev_, *act_first_, *act_last_, *act_fullscreen_, *act_filter_, *act_find_;
    QAction *act_follow_tcp_ = nullptr, *act_follow_udp_ = nullptr;
    QPointer<FollowStreamDialog> follow_dialog_;
    QAction* act_comment_ = nullptr;
    QAction* act_present_ = nullptr;
    AnonymiseMode* anonymise_ = nullptr;
    bool presenting_ = false;
    int scale_percent_ = 200;
    QByteArray pre_state_, pre_splitter_; // the layout before presentation mode
    QFont pre_list_font_;
    QStringList presentation_panes_;
    QWidget* list_box_ = nullptr; // the filter bar, find bar and packet list
    void applyPresentationLook();
    void applyPresentationPanes();
    bool comments_changed_ = false; // comments edited since the file was opened or saved
    bool loading_marks_ = false;    // marks set from comments: no comment to write back
    void editComment(quint64 number);
    void updateCaption();
    QAction *act_mark_ = nullptr, *act_unmark_all_ = nullptr, *act_next_mark_ = nullptr, *act_prev_mark_ = nullptr;
    CaptureSaver saver_;
    LiveCaptureOptions last_live_;
    QString last_error_;
    void updateDisplayLimit(); // after a filter is applied or the limit turned on or off
    void showDisplayLimit();   // the marks that say the views are filtered
    QString graph_filter_;   // the display filter the graph's selection applied
    QString applied_filter_; // the display filter in force
    struct RangeRestore {
        WindowSpans spans;
        bool following = true;
        qint64 time_ns = 0;
    };
    std::optional<RangeRestore> range_restore_; // the graph before a plot range took it over
    bool quiet_ = false;
    bool unsaved_live_ = false; // a live capture whose packets are in no file yet
    QString saved_as_;          // the file the shown capture was last saved to
    quint64 details_number_ = 0;  // the packet in Packet Details
    QDockWidget* details_dock_ = nullptr;
    bool details_follow_ = true;  // open Packet Details when a packet is chosen
    quint64 reselect_number_ = 0; // selected before a filter: selected again if it passes
    std::function<UnsavedAnswer(const QString&)> unsaved_answer_;
    bool session_shown_ = false;
    Layer layer_ = Layer::Ip;
    uint64_t last_packets_ = 0;
    qint64 last_rate_ms_ = 0;
    double rate_pps_ = 0;
    QElapsedTimer rate_clock_;
};

} // namespace underhood
