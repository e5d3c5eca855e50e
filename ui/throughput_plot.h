// Throughput over time (QCustomPlot): bits/s or packets/s, the top protocols
// and "other" stacked or as lines, a moving average, log scale, drop events
// marked on the time axis, and on demand one host's or conversation's series.
//
// Live: the last minute scrolls by (pause, zoom and pan stop the scrolling;
// Follow resumes). File: the whole timeline. Either way the bins are re-summed
// from the models' 1 ms series for what is in view, so the plot holds a few
// thousand points however long the capture: nothing is copied per frame.
#pragma once

#include "capture_session.h"
#include "drop_statistics.h"
#include "endpoint_series.h"
#include "time_math.h"

#include <QPointer>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

class QCPGraph;
class QCPItemRect;
class QCPItemText;
class QCPRange;
class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTimer;
class QToolButton;

namespace underhood {

class DisplayAnonymizer;

class ThroughputPlot : public QWidget {
    Q_OBJECT
public:
    enum class Unit { Bits, Packets };
    enum class Style { Stacked, Lines };
    // The GUI's bin budget for the models' series: 2^22 bins of 1 ms keep an
    // hour (and ten minutes) at full resolution before bins widen.
    static constexpr size_t kModelMaxBins = size_t(1) << 22;
    static constexpr int kMovingAverageBins = 10;

    explicit ThroughputPlot(QWidget* parent = nullptr);
    ~ThroughputPlot() override;

    void setSession(CaptureSession* s);
    // Pull new data (call on CaptureSession::updated()).
    void refresh();
    void setDropEvents(const std::vector<DropEvent>& events);

    void setUnit(Unit u);
    Unit unit() const { return unit_; }
    void setStyle(Style s);
    void setTopN(int n);
    void setMovingAverage(bool on);
    void setLogScale(bool on);
    void setLiveWindow(int seconds);
    void setPaused(bool on);
    bool paused() const { return paused_; }
    // Live: keep the newest packets in view. File: show the whole timeline.
    void setFollowing(bool on);
    bool following() const { return following_; }
    void setViewRange(int64_t from_ns, int64_t to_ns);
    // One host or conversation drawn over the rest (computed from the packets
    // in view on a worker thread); nullopt removes it.
    void setEndpointFilter(std::optional<EndpointFilter> f);
    // View > Anonymise (null: off): the host or conversation plotted is
    // named with its pseudonyms in the legend and the field, and one typed
    // with them plots the host it stands for.
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);
    // The legend's entries, as drawn.
    QStringList legendNames() const;

    // What is drawn: bins of binWidthNs() from viewFromNs(). Series 0 is every
    // packet, then the top protocols, then "other" (if any).
    struct ShownSeries {
        QString name;
        Proto proto = Proto::None;
        bool total = false;
        bool other = false;
        std::vector<ThroughputBin> bins;
    };
    const std::vector<ShownSeries>& shownSeries() const { return shown_; }
    int64_t viewFromNs() const { return view_from_; }
    int64_t viewToNs() const { return view_to_; }
    int64_t binsFromNs() const { return bins_from_; }
    int64_t binWidthNs() const { return width_; }
    int64_t originNs() const { return origin_; }
    const std::vector<ThroughputBin>& endpointBins() const { return endpoint_.bins; }
    // Packets TCP analysis flagged (tcp.analysis.flags: (time, bytes on the
    // wire)), drawn as Wireshark's "TCP errors" series; more arrive as the
    // analysis goes on. clearTcpErrors() for a new capture.
    void addTcpErrors(const std::vector<std::pair<int64_t, uint32_t>>& events);
    void clearTcpErrors();
    // The series as drawn (bins of binWidthNs() from binsFromNs()); empty when none.
    const std::vector<ThroughputBin>& tcpErrorBins() const { return tcp_error_bins_; }
    QCustomPlot* plot() const { return plot_; }

    bool exportPng(const QString& path);
    bool exportPdf(const QString& path);
    // The shown bins: start time, width, then packets and bytes of each series.
    bool exportCsv(const QString& path, QString* error = nullptr) const;

signals:
    void rangeSelected(qint64 from_ns, qint64 to_ns);
    void rangeCleared();
    void endpointSeriesReady();

protected:
    void changeEvent(QEvent* e) override;
    void showEvent(QShowEvent* e) override;

private:
    void buildControls();
    void restyle();
    void rebuild();
    void scheduleRebuild();
    void applyData();
    void fitTicks();
    bool fit_pending_ = false;
    void onRangeChanged(const QCPRange& r);
    void onSelection(const QRect& rect);
    void clearSelection();
    void onMouseMove(QMouseEvent* e);
    void contextMenu(const QPoint& pos);
    void exportDialog(const QString& kind);
    void startEndpointSeries();
    void stopEndpointSeries();
    // Saturated: a capture's times may span the whole int64 range.
    double toKey(int64_t ns) const { return seconds_between(origin_, ns); }
    int64_t toNs(double key) const { return time_add(origin_, ns_from_seconds(key)); }
    double value(const ThroughputBin& b) const;
    QString shownFilter() const; // filter_ as the screen names it
    std::shared_ptr<DisplayAnonymizer> anon_;
    void updateControls();

    QPointer<CaptureSession> session_;
    QCustomPlot* plot_ = nullptr;
    QComboBox* unit_box_ = nullptr;
    QComboBox* style_box_ = nullptr;
    QSpinBox* top_box_ = nullptr;
    QCheckBox* avg_box_ = nullptr;
    QCheckBox* log_box_ = nullptr;
    QComboBox* window_box_ = nullptr;
    QToolButton* pause_btn_ = nullptr;
    QToolButton* follow_btn_ = nullptr;
    QLineEdit* focus_edit_ = nullptr;
    QToolButton* export_btn_ = nullptr;
    QLabel* bin_label_ = nullptr;
    QTimer* rebuild_timer_ = nullptr;
    QCPItemRect* selection_ = nullptr;
    QCPItemText* empty_text_ = nullptr;
    QCPGraph* drops_graph_ = nullptr;
    QCPGraph* average_graph_ = nullptr;
    QCPGraph* endpoint_graph_ = nullptr;
    QCPGraph* tcp_errors_graph_ = nullptr;
    std::vector<std::pair<int64_t, uint32_t>> tcp_errors_;
    std::vector<ThroughputBin> tcp_error_bins_;
    std::vector<QCPGraph*> series_graphs_;

    Unit unit_ = Unit::Bits;
    Style style_ = Style::Stacked;
    int top_n_ = 5;
    bool average_ = false;
    bool log_ = false;
    int live_window_s_ = 60;
    bool paused_ = false;
    bool following_ = true;
    bool live_ = false;
    bool setting_range_ = false;

    int64_t origin_ = 0;
    bool have_origin_ = false;
    int64_t first_ns_ = 0, last_ns_ = 0;
    int64_t view_from_ = 0, view_to_ = 0, width_ = 0;
    int64_t bins_from_ = 0; // start of the first shown bin
    std::vector<ShownSeries> shown_;
    std::vector<DropEvent> drop_events_;
    std::optional<std::pair<int64_t, int64_t>> selected_;

    // Host or conversation series.
    std::optional<EndpointFilter> filter_;
    EndpointSeriesResult endpoint_;
    int64_t endpoint_from_ = 0, endpoint_width_ = 0;
    std::thread endpoint_thread_;
    std::atomic<bool> endpoint_cancel_{false};
    std::atomic<bool> endpoint_busy_{false};
    uint64_t endpoint_generation_ = 0;
    qint64 endpoint_started_ms_ = 0;
};

// Picks a readable bin width of at least `base_ns` so that [from, to) holds
// at most about `max_bins` bins (1, 2, 5 steps through ms, s and minutes).
int64_t nice_bin_width(int64_t base_ns, int64_t span_ns, int max_bins);
// "1 ms", "200 ms", "5 s", "2 min".
QString bin_width_text(int64_t width_ns);

} // namespace underhood
