// Capture > Start…: choose interfaces (with state, NIC health from
// `underhood-capture --describe`, addresses and a live packet-rate
// sparkline), a capture filter checked while typing, snaplen, buffer,
// backend, capture threads and promiscuous mode; remote sensors over SSH or
// pcap-over-IP, merged with the interfaces into one capture; a warning when the user
// wants wire-exact frames and the card or kernel merges them (GRO/LRO).
#pragma once

#include "capture_session.h"

#include <QDialog>
#include <QJsonObject>
#include <QMap>
#include <QVector>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProcess;
class QSpinBox;
class QTimer;
class QTreeWidget;

namespace underhood {

class CaptureDialog : public QDialog {
    Q_OBJECT
public:
    explicit CaptureDialog(const LiveCaptureOptions& initial, QWidget* parent = nullptr);
    ~CaptureDialog() override;
    LiveCaptureOptions options() const;
    // The last filter check's verdict (empty: valid).
    QString filterError() const { return filter_error_; }
    // Why the capture helper cannot be used (empty when it can), as shown.
    QString helperProblem() const { return helper_problem_; }
    // The NIC-health line shown for an interface ("" until --describe answered).
    QString healthText(const QString& itf) const;
    // The GRO/LRO warning shown now ("" when none).
    QString offloadWarning() const;
    void setWireExact(bool on);
    // Adds a remote sensor (ssh://..., pcap-over-ip://...); false with the
    // reason shown under the field when it is not one.
    bool addRemoteSource(const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void refreshInterfaces();
    void onInterfaces(const QByteArray& json);
    void checkFilterSoon();
    void checkFilter();
    void updateOk();
    void describe(const QString& itf);
    void onDescribed(const QString& itf, const QByteArray& json);
    void updateOffloadWarning();

    QTreeWidget* list_;
    QLineEdit* remote_;
    QListWidget* remotes_;
    QLabel* remote_status_;
    QLineEdit* filter_;
    QLabel* filter_status_;
    QSpinBox* snaplen_;
    QSpinBox* buffer_;
    QComboBox* backend_;
    QCheckBox* promisc_;
    QSpinBox* threads_;
    QCheckBox* wire_exact_;
    QLabel* offload_warning_;
    QMap<QString, QJsonObject> health_;
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
