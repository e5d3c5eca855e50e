// The Underhood main window: sources (files, pipes, live capture), the packet
// list and details, the tables, the status bar. The host graph takes the
// central area; until a capture is open it shows how to start.
#pragma once

#include "capture_session.h"
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

class PacketListView;
class FilterBar;
class TablePane;
class HostTableModel;
class ConversationTableModel;
class ProtocolTreeModel;
class ThroughputPlot;
class DropPanel;
class IncompleteBanner;
class HostGraphPane;

// Writes packets of a session to a pcapng file (app/ provides it: the writer
// lives with the capture code).
using CaptureSaver = std::function<bool(const IngestEngine&, const QVector<quint64>* numbers, const QString& path,
                                        QString* error, const std::function<bool(int)>& progress)>;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
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
    // Shown in dialogs; tests read it instead of clicking through a modal box.
    QString lastError() const { return last_error_; }
    // The warning shown above the views (truncated file, cancelled load), empty when none.
    QString warningText() const;
    QString statusText() const;
    // Shows only the packets matching a BPF expression (empty: all).
    Q_INVOKABLE void applyDisplayFilter(const QString& expr);
    // Modal message boxes are skipped (tests, screenshots); errors still go to lastError().
    void setQuiet(bool quiet) { quiet_ = quiet; }

protected:
    void closeEvent(QCloseEvent* e) override;
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
    void startCaptureDialog();
    void stopCapture();
    void restartCapture();
    void applyTheme(const QString& theme);
    void selectRelative(int delta);
    void showPacket(quint64 number);
    void continueLiveFilter();
    void refreshTables();
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
    HostTableModel* hosts_ = nullptr;
    ConversationTableModel* convs_ = nullptr;
    ProtocolTreeModel* protos_ = nullptr;
    TablePane* host_pane_ = nullptr;
    TablePane* conv_pane_ = nullptr;
    TablePane* proto_pane_ = nullptr;
    // The display filter's scan runs on a worker thread.
    std::shared_ptr<std::atomic<bool>> filter_cancel_;
    std::shared_ptr<class DisplayFilter> filter_program_;
    uint64_t filter_next_ = 0;
    bool filter_busy_ = false;
    std::thread filter_thread_;
    int tick_ = 0;
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
    CaptureSaver saver_;
    LiveCaptureOptions last_live_;
    QString last_error_;
    QString graph_filter_;   // the display filter the graph's selection applied
    QString applied_filter_; // the display filter in force
    struct RangeRestore {
        WindowSpans spans;
        bool following = true;
        qint64 time_ns = 0;
    };
    std::optional<RangeRestore> range_restore_; // the graph before a plot range took it over
    bool quiet_ = false;
    Layer layer_ = Layer::Ip;
    uint64_t last_packets_ = 0;
    qint64 last_rate_ms_ = 0;
    double rate_pps_ = 0;
    QElapsedTimer rate_clock_;
};

} // namespace underhood
