// The central area before the host graph takes it: how to start when nothing
// is open, and a compact overview of the open capture (top protocols and
// talkers as bars) once something is.
#pragma once

#include <QWidget>

namespace underhood {

class CaptureSession;

class OverviewPane : public QWidget {
    Q_OBJECT
public:
    explicit OverviewPane(QWidget* parent = nullptr);
    void setSession(CaptureSession* s);
    void refresh();

protected:
    void paintEvent(QPaintEvent*) override;

private:
    struct Bar {
        QString label;
        double value;
        QString text;
    };
    CaptureSession* session_ = nullptr;
    QVector<Bar> protocols_, talkers_;
    QString headline_;
};

} // namespace underhood
