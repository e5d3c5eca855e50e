// The drop-statistics panel: the path from the wire to this window as a
// diagram (NIC ring -> driver and backlog -> socket filter -> kernel ring ->
// capture helper -> socket -> app ingest) with what each stage received and dropped, rates and
// percentages, per interface when several are captured; a small plot of drops
// over time; and advice for the stage that drops, with one click to restart
// the capture with the suggested setting. Every stage explains itself on hover.
//
// The numbers come from DropStatistics (models/), which tests check directly.
#pragma once

#include "capture_session.h"
#include "drop_statistics.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class QBoxLayout;
class QCPItemText;
class QComboBox;
class QDoubleSpinBox;
class QCustomPlot;
class QFrame;
class QGridLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QVBoxLayout;

namespace underhood {

class DisplayAnonymizer;

class DropPanel : public QWidget {
    Q_OBJECT
public:
    explicit DropPanel(QWidget* parent = nullptr);

    void setSession(CaptureSession* s);
    // View > Anonymise (null: off): sensors and interfaces named as the
    // packet list's Sensor column names them; shown again at once.
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);
    // Reads new statistics blocks and the ingest counters (call on CaptureSession::updated()).
    void refresh();

    const DropStatistics& statistics() const { return stats_; }
    // One line: how much was lost and where ("" while nothing was).
    QString lossSummary() const;
    // The headline shown at the top of the panel.
    QString headline() const;
    // The advice offered now, in path order.
    std::vector<DropAdvice> currentAdvice() const { return advice_; }
    // The settings a piece of advice restarts with (the current capture's, changed).
    LiveCaptureOptions optionsFor(const DropAdvice& a) const;
    // Clicks the advice's button (as a user would).
    bool applyAdvice(DropAdviceKind kind);
    // What a stage says on hover.
    static QString stageExplanation(DropStage s);
    static QString stageTitle(DropStage s);

signals:
    // The user asked to restart the capture with these settings.
    void restartRequested(const underhood::LiveCaptureOptions& opts);
    // Anything lost (or no longer): for the window's "data incomplete" banner.
    void incompleteChanged(bool incomplete, const QString& summary);

protected:
    void resizeEvent(QResizeEvent* e) override;
    void changeEvent(QEvent* e) override;

private:
    struct StageBox {
        QFrame* frame = nullptr;
        QLabel* title = nullptr;
        QLabel* received = nullptr;
        QLabel* dropped = nullptr;
        QLabel* rate = nullptr;
        QLabel* detail = nullptr; // the kernel's counters behind the figure
    };
    void buildDiagram();
    void updateDiagram();
    void updateAdvice();
    void updatePlot();
    void restyle();
    QString adviceText(const DropAdvice& a) const;
    QString adviceButton(const DropAdvice& a) const;
    CaptureSettings settings() const;
    QString shownName(const std::string& name) const; // a sensor's or interface's
    QString shownText(const std::string& text) const; // an error, a URL
    std::shared_ptr<DisplayAnonymizer> anon_;

    QPointer<CaptureSession> session_;
    DropStatistics stats_;
    std::vector<DropAdvice> advice_;
    bool last_incomplete_ = false;
    QString last_summary_;
    int64_t origin_ns_ = 0;

    QLabel* headline_ = nullptr;
    QComboBox* interface_box_ = nullptr;
    QWidget* diagram_ = nullptr;
    QBoxLayout* diagram_layout_ = nullptr;
    std::array<StageBox, kDropStageCount> boxes_;
    std::array<QLabel*, kDropStageCount - 1> arrows_{};
public:
    // The sentences under the diagram (for tests).
    QString story() const;
    // Several sources: a row per sensor (its state or error, counts, clock
    // offset, Reconnect). The row's widgets are named sensorName_N,
    // sensorState_N, sensorReceived_N, sensorCaptured_N, sensorDropped_N,
    // sensorOffset_N, sensorCorrection_N (the clock correction, seconds) and
    // sensorReconnect_N for sensor N.
    int sensorRows() const { return int(sensor_rows_.size()); }

private:
    struct SensorRow {
        QLabel *name = nullptr, *state = nullptr, *received = nullptr, *captured = nullptr, *dropped = nullptr,
               *offset = nullptr;
        QDoubleSpinBox* correction = nullptr;
        QPushButton* reconnect = nullptr;
    };
    void updateSensors();
    QWidget* sensors_box_ = nullptr;
    QGridLayout* sensors_grid_ = nullptr;
    std::vector<SensorRow> sensor_rows_;
    QLabel* no_stats_ = nullptr;
    QLabel* note_ = nullptr;
    QLabel* story_ = nullptr; // a sentence per stage, in path order
    QBoxLayout* bottom_layout_ = nullptr;
    QWidget* advice_box_ = nullptr;
    QVBoxLayout* advice_layout_ = nullptr;
    QLineEdit* filter_edit_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPItemText* plot_empty_ = nullptr;
    bool advice_clean_ = false;
    QLabel* plot_title_ = nullptr;
};

// A strip above the views saying the data is incomplete because packets were
// lost, with a button that opens the drop panel.
class IncompleteBanner : public QWidget {
    Q_OBJECT
public:
    explicit IncompleteBanner(QWidget* parent = nullptr);
    // Shows the banner with this summary, or hides it when `incomplete` is false.
    void setIncomplete(bool incomplete, const QString& summary);
    QString text() const;

signals:
    void detailsRequested();

protected:
    void changeEvent(QEvent* e) override;

private:
    void restyle();
    QLabel* label_ = nullptr;
    QPushButton* details_ = nullptr;
};

} // namespace underhood
