// The host graph's timeline for a capture, built for narrating it one packet
// at a time: go to the start or the end, one packet back or forward, back or
// forward to the previous or next event of a kind (a DNS query, a TCP
// handshake, the selected conversation, an expert finding, a comment, a
// marked packet), play at 0.01x to 100x and pause. A click on the slider
// goes to that time. The label says which packet is current, its time to the
// microsecond and the time since the packet before it.
#pragma once

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace underhood {

// What "step by kind" steps to.
enum class StepKind { DnsQuery, TcpHandshake, Conversation, Expert, Comment, Mark };

class GraphTimeline : public QWidget {
    Q_OBJECT
public:
    explicit GraphTimeline(QWidget* parent = nullptr);

    // Capture time in nanoseconds since the epoch.
    void setRange(qint64 first_ns, qint64 last_ns);
    void setPosition(qint64 t_ns);
    // The packet the window ends at (0: none), its time and the previous packet's (for "+2.318 ms").
    void setCurrentPacket(quint64 number, qint64 t_ns, std::optional<qint64> previous_ns);
    void setPlaying(bool playing);
    void setFollowing(bool following);
    bool isPlaying() const { return playing_; }
    double speed() const { return speed_; }
    void setSpeed(double speed);
    qint64 position() const { return position_; }
    StepKind stepKind() const;
    void setStepKind(StepKind kind);
    static QString kindName(StepKind kind);
    QString labelText() const;
    // The user holds the slider.
    bool isDragging() const;

signals:
    void seekRequested(qint64 t_ns);
    void stepRequested(int direction);
    void kindStepRequested(int direction, StepKind kind);
    void startRequested();
    void playToggled(bool playing);
    void speedChanged(double speed);
    void followRequested();

private:
    void updateLabel();

    QToolButton *start_, *prev_kind_, *back_, *play_, *forward_, *next_kind_, *follow_;
    QSlider* slider_;
    QLabel* label_;
    QComboBox* speed_box_;
    QComboBox* kind_box_;
    qint64 first_ = 0, last_ = 0, position_ = 0;
    quint64 packet_ = 0;
    qint64 packet_ns_ = 0;
    std::optional<qint64> previous_ns_;
    double speed_ = 1;
    bool playing_ = false;
    bool following_ = true;
};

} // namespace underhood
