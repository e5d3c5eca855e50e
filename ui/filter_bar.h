// The display filter bar: Wireshark's display-filter syntax or BPF (what
// every tcpdump user knows), checked while you type (a green or red frame,
// the language it was read as, the error beside the field), a history and
// a few saved filters. Enter applies it.
#pragma once

#include <QWidget>

#include <functional>

class QComboBox;
class QMenu;
class QLabel;
class QLineEdit;
class QTimer;
class QToolButton;

namespace underhood {

class FilterBar : public QWidget {
    Q_OBJECT
public:
    // A saved filter computed when chosen (e.g. the selected packet's
    // conversation); an empty expression does nothing.
    void addPreset(const QString& label, std::function<QString()> expression);
    struct Check {
        QString error;    // empty when the expression compiles
        QString language; // what it was read as: "Wireshark", "BPF"
    };
    explicit FilterBar(std::function<Check(const QString&)> validate, QWidget* parent = nullptr);
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

    std::function<Check(const QString&)> validate_;
    QComboBox* combo_;
    QLineEdit* edit_;
    QLabel* error_;
    QLabel* language_;
    QLabel* status_;
    QMenu* saved_menu_ = nullptr;
    QToolButton* saved_;
    QTimer* timer_;
    bool valid_ = true;
};

} // namespace underhood
