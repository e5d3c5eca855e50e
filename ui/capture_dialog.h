// Capture > Start…: choose interfaces (with state, addresses and a live
// packet-rate sparkline), a capture filter checked while typing, snaplen,
// buffer, backend and promiscuous mode.
#pragma once

#include "capture_session.h"

#include <QDialog>
#include <QMap>
#include <QVector>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProcess;
class QSpinBox;
class QTimer;
class QTreeWidget;

namespace underhood {

class CaptureDialog : public QDialog {
    Q_OBJECT
public:
    explicit CaptureDialog(const LiveCaptureOptions& initial, QWidget* parent = nullptr);
    LiveCaptureOptions options() const;
    // The last filter check's verdict (empty: valid).
    QString filterError() const { return filter_error_; }
    // Why the capture helper cannot be used (empty when it can), as shown.
    QString helperProblem() const { return helper_problem_; }

private:
    void refreshInterfaces();
    void onInterfaces(const QByteArray& json);
    void checkFilterSoon();
    void checkFilter();
    void updateOk();

    QTreeWidget* list_;
    QLineEdit* filter_;
    QLabel* filter_status_;
    QSpinBox* snaplen_;
    QSpinBox* buffer_;
    QComboBox* backend_;
    QCheckBox* promisc_;
    QDialogButtonBox* buttons_;
    QLabel* hint_;
    QTimer* poll_;
    QTimer* filter_timer_;
    QProcess* check_ = nullptr;
    QString filter_error_;
    QString helper_problem_;
    bool helper_can_run_ = true;
    QStringList initial_selection_;
    QMap<QString, QVector<double>> rates_;
    QMap<QString, quint64> last_rx_;
};

} // namespace underhood
