// The host graph's timeline for a capture: a slider over the capture's time,
// play/pause with a speed from 0.1x to 100x, one packet forwards or back, and
// a button that goes back to following the newest packet.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace underhood {

class GraphTimeline : public QWidget {
    Q_OBJECT
public:
    explicit GraphTimeline(QWidget* parent = nullptr);

    // Capture time in nanoseconds since the epoch.
    void setRange(qint64 first_ns, qint64 last_ns);
    void setPosition(qint64 t_ns);
    void setPlaying(bool playing);
    void setFollowing(bool following);
    bool isPlaying() const { return playing_; }
    double speed() const { return speed_; }
    void setSpeed(double speed);
    qint64 position() const { return position_; }
    // The user holds the slider.
    bool isDragging() const;

signals:
    void seekRequested(qint64 t_ns);
    void stepRequested(int direction);
    void playToggled(bool playing);
    void speedChanged(double speed);
    void followRequested();

private:
    void updateLabel();

    QToolButton *back_, *play_, *forward_, *follow_;
    QSlider* slider_;
    QLabel* label_;
    QComboBox* speed_box_;
    qint64 first_ = 0, last_ = 0, position_ = 0;
    double speed_ = 1;
    bool playing_ = false;
    bool following_ = true;
};

} // namespace underhood
