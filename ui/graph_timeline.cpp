#include "graph_timeline.h"

#include "glyph_icon.h"
#include "time_math.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

#include <algorithm>

namespace underhood {

namespace {
constexpr double kSpeeds[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100};
constexpr qint64 kTick = 1'000'000; // slider steps of 1 ms
} // namespace

GraphTimeline::GraphTimeline(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(6, 2, 6, 2);
    lay->setSpacing(4);
    auto button = [&](Glyph icon, const QString& tip) {
        auto* b = new QToolButton;
        b->setIcon(glyphIcon(icon));
        b->setToolTip(tip);
        b->setAutoRaise(true);
        lay->addWidget(b);
        return b;
    };
    back_ = button(Glyph::StepBack, tr("One packet back"));
    play_ = button(Glyph::Play, tr("Play the capture from here"));
    forward_ = button(Glyph::StepForward, tr("One packet forward"));
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setToolTip(tr("The graph shows the traffic of the time window ending here"));
    lay->addWidget(slider_, 1);
    label_ = new QLabel;
    label_->setMinimumWidth(label_->fontMetrics().horizontalAdvance("00000.000 s / 00000.000 s"));
    label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    lay->addWidget(label_);
    speed_box_ = new QComboBox;
    speed_box_->setToolTip(tr("Playback speed"));
    for (double s : kSpeeds)
        speed_box_->addItem(QString::number(s) + QStringLiteral("×"), s);
    speed_box_->setCurrentIndex(3);
    lay->addWidget(speed_box_);
    follow_ = button(Glyph::Follow, tr("Go to the newest packet and follow it"));
    follow_->setCheckable(true);
    follow_->setChecked(true);

    connect(back_, &QToolButton::clicked, this, [this] { emit stepRequested(-1); });
    connect(forward_, &QToolButton::clicked, this, [this] { emit stepRequested(1); });
    connect(play_, &QToolButton::clicked, this, [this] {
        setPlaying(!playing_);
        emit playToggled(playing_);
    });
    connect(follow_, &QToolButton::clicked, this, [this] {
        follow_->setChecked(true);
        emit followRequested();
    });
    connect(slider_, &QSlider::valueChanged, this, [this](int v) {
        if (slider_->signalsBlocked())
            return;
        position_ = time_add(first_, qint64(v) * kTick);
        updateLabel();
        emit seekRequested(position_);
    });
    connect(speed_box_, &QComboBox::currentIndexChanged, this, [this](int i) {
        speed_ = speed_box_->itemData(i).toDouble();
        emit speedChanged(speed_);
    });
    updateLabel();
}

void GraphTimeline::setRange(qint64 first_ns, qint64 last_ns)
{
    first_ = first_ns;
    last_ = std::max(first_ns, last_ns);
    // 128-bit: a capture's first and last times may lie 2^64 ns apart.
    const qint64 steps = qint64(std::min<TimeWide>((TimeWide(last_) - first_) / kTick + 1, INT_MAX));
    slider_->blockSignals(true);
    slider_->setRange(0, int(steps));
    slider_->setPageStep(std::max(1, int(steps / 20)));
    slider_->setValue(int(std::clamp<TimeWide>((TimeWide(position_) - first_) / kTick, 0, steps)));
    slider_->blockSignals(false);
    updateLabel();
}

void GraphTimeline::setPosition(qint64 t_ns)
{
    position_ = t_ns;
    slider_->blockSignals(true);
    slider_->setValue(int(std::clamp<TimeWide>(ceil_div(TimeWide(t_ns) - first_, kTick), 0, slider_->maximum())));
    slider_->blockSignals(false);
    updateLabel();
}

bool GraphTimeline::isDragging() const { return slider_->isSliderDown(); }

void GraphTimeline::setPlaying(bool playing)
{
    playing_ = playing;
    play_->setIcon(glyphIcon(playing ? Glyph::Pause : Glyph::Play));
    play_->setToolTip(playing ? tr("Pause the playback") : tr("Play the capture from here"));
}

void GraphTimeline::setFollowing(bool following)
{
    following_ = following;
    follow_->setChecked(following);
}

void GraphTimeline::setSpeed(double speed)
{
    int best = 0;
    for (int i = 0; i < speed_box_->count(); ++i)
        if (std::abs(speed_box_->itemData(i).toDouble() - speed) <
            std::abs(speed_box_->itemData(best).toDouble() - speed))
            best = i;
    speed_box_->setCurrentIndex(best);
}

void GraphTimeline::updateLabel()
{
    const double at = seconds_between(first_, position_), end = seconds_between(first_, last_);
    label_->setText(tr("%1 s / %2 s").arg(std::max(at, 0.0), 0, 'f', 3).arg(end, 0, 'f', 3));
}

} // namespace underhood
