// The display filter bar: BPF syntax (what every tcpdump user knows),
// compiled by libpcap while you type, the error shown beside the field, a
// history and a few saved filters. Enter applies it.
#pragma once

#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QTimer;
class QToolButton;

namespace underhood {

class FilterBar : public QWidget {
    Q_OBJECT
public:
    // `validate` returns an error message, or empty when the expression compiles.
    explicit FilterBar(std::function<QString(const QString&)> validate, QWidget* parent = nullptr);
    QString text() const;
    void setText(const QString& expr);
    void focusField();
    void setStatus(const QString& text); // "123 of 4567 packets", "filtering…"

signals:
    void applyRequested(QString expr); // empty: show every packet

private:
    void check();
    void apply();
    void remember(const QString& expr);

    std::function<QString(const QString&)> validate_;
    QComboBox* combo_;
    QLineEdit* edit_;
    QLabel* error_;
    QLabel* status_;
    QToolButton* saved_;
    QTimer* timer_;
    bool valid_ = true;
};

} // namespace underhood
