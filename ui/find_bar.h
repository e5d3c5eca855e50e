// The find bar over the packet list (Ctrl+F): finds the next or previous
// packet by display filter, by text (in the Info column or in the bytes,
// ASCII or UTF-8) or by hex bytes. Enter finds the next, Shift+Enter the
// previous, Esc closes it.
#pragma once

#include "packet_search.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;

namespace underhood {

class FindBar : public QWidget {
    Q_OBJECT
public:
    explicit FindBar(QWidget* parent = nullptr);
    void open(); // shows the bar and puts the cursor in its field
    PacketSearch::Kind kind() const;
    void setKind(PacketSearch::Kind kind);
    QString text() const;
    void setText(const QString& text);
    void setStatus(const QString& text, bool problem = false);
    QString status() const;

signals:
    void findRequested(bool forward);

protected:
    bool eventFilter(QObject* watched, QEvent* e) override;

private:
    QComboBox* kind_;
    QLineEdit* edit_;
    QLabel* status_;
};

} // namespace underhood
