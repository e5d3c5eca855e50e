#include "graph_timeline.h"

#include "glyph_icon.h"
#include "time_math.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSlider>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QToolButton>

#include <algorithm>

namespace underhood {

namespace {
constexpr double kSpeeds[] = {0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100};
constexpr int kOneX = 6; // index of 1x
constexpr qint64 kTick = 1'000'000; // slider steps of 1 ms

// A click on the groove goes to that time (QSlider's own would move a page).
class JumpSlider : public QSlider {
public:
    using QSlider::QSlider;

protected:
    void mousePressEvent(QMouseEvent* e) override
    {
        if (e->button() == Qt::LeftButton) {
            QStyleOptionSlider opt;
            initStyleOption(&opt);
            const QRect handle = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, this);
            if (!handle.contains(e->position().toPoint())) {
                const QRect groove = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderGroove, this);
                const int span = std::max(1, groove.width() - handle.width());
                const int x = int(e->position().x()) - groove.x() - handle.width() / 2;
                setValue(QStyle::sliderValueFromPosition(minimum(), maximum(), std::clamp(x, 0, span), span));
            }
        }
        QSlider::mousePressEvent(e);
    }
};

QString duration_text(qint64 ns)
{
    const double s = double(ns) / 1e9;
    if (ns < 1'000'000)
        return QObject::tr("%1 µs").arg(double(ns) / 1e3, 0, 'f', 1);
    if (ns < 1'000'000'000)
        return QObject::tr("%1 ms").arg(double(ns) / 1e6, 0, 'f', 3);
    return QObject::tr("%1 s").arg(s, 0, 'f', 3);
}
} // namespace

QString GraphTimeline::kindName(StepKind kind)
{
    switch (kind) {
    case StepKind::DnsQuery: return tr("DNS query");
    case StepKind::TcpHandshake: return tr("TCP handshake");
    case StepKind::Conversation: return tr("Selected conversation");
    case StepKind::Expert: return tr("Expert finding");
    case StepKind::Comment: return tr("Comment");
    case StepKind::Mark: return tr("Marked packet");
    }
    return {};
}

GraphTimeline::GraphTimeline(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(6, 2, 6, 2);
    lay->setSpacing(2);
    auto button = [&](Glyph icon, const QString& tip, const char* name) {
        auto* b = new QToolButton;
        b->setIcon(glyphIcon(icon));
        b->setToolTip(tip);
        b->setAutoRaise(true);
        b->setObjectName(name);
        lay->addWidget(b);
        return b;
    };
    start_ = button(Glyph::ToStart, tr("Go to the start (Home)"), "timelineStart");
    prev_kind_ = button(Glyph::PrevEvent, tr("Back to the previous event of the chosen kind (Shift+Left)"), "timelinePrevKind");
    back_ = button(Glyph::StepBack, tr("One packet back (Left)"), "timelineBack");
    play_ = button(Glyph::Play, tr("Play the capture from here (Space)"), "timelinePlay");
    forward_ = button(Glyph::StepForward, tr("One packet forward (Right)"), "timelineForward");
    next_kind_ = button(Glyph::NextEvent, tr("Forward to the next event of the chosen kind (Shift+Right)"), "timelineNextKind");
    kind_box_ = new QComboBox;
    kind_box_->setObjectName("timelineKind");
    kind_box_->setToolTip(tr("What the ◆ buttons and Shift+Left/Right step to"));
    for (StepKind k : {StepKind::DnsQuery, StepKind::TcpHandshake, StepKind::Conversation, StepKind::Expert,
                       StepKind::Comment, StepKind::Mark})
        kind_box_->addItem(kindName(k), int(k));
    lay->addWidget(kind_box_);
    slider_ = new JumpSlider(Qt::Horizontal);
    slider_->setToolTip(tr("The graph shows the traffic of the time window ending here; click to go there"));
    lay->addWidget(slider_, 1);
    label_ = new QLabel;
    label_->setObjectName("timelineLabel");
    label_->setMinimumWidth(label_->fontMetrics().horizontalAdvance("#000000 · 00000.000000 s · +000.000 ms"));
    label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    lay->addWidget(label_);
    speed_box_ = new QComboBox;
    speed_box_->setObjectName("timelineSpeed");
    speed_box_->setToolTip(tr("Playback speed"));
    for (double s : kSpeeds)
        speed_box_->addItem(QString::number(s) + QStringLiteral("×"), s);
    speed_box_->setCurrentIndex(kOneX);
    lay->addWidget(speed_box_);
    follow_ = button(Glyph::Follow, tr("Go to the end: the newest packet, followed while a capture runs (End)"),
                     "timelineEnd");
    follow_->setCheckable(true);
    follow_->setChecked(true);

    connect(start_, &QToolButton::clicked, this, [this] { emit startRequested(); });
    connect(back_, &QToolButton::clicked, this, [this] { emit stepRequested(-1); });
    connect(forward_, &QToolButton::clicked, this, [this] { emit stepRequested(1); });
    connect(prev_kind_, &QToolButton::clicked, this, [this] { emit kindStepRequested(-1, stepKind()); });
    connect(next_kind_, &QToolButton::clicked, this, [this] { emit kindStepRequested(1, stepKind()); });
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
        packet_ = 0;
        updateLabel();
        emit seekRequested(position_);
    });
    connect(speed_box_, &QComboBox::currentIndexChanged, this, [this](int i) {
        speed_ = speed_box_->itemData(i).toDouble();
        emit speedChanged(speed_);
    });
    updateLabel();
}

StepKind GraphTimeline::stepKind() const { return StepKind(kind_box_->currentData().toInt()); }

void GraphTimeline::setStepKind(StepKind kind)
{
    const int i = kind_box_->findData(int(kind));
    if (i >= 0)
        kind_box_->setCurrentIndex(i);
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

void GraphTimeline::setCurrentPacket(quint64 number, qint64 t_ns, std::optional<qint64> previous_ns)
{
    packet_ = number;
    packet_ns_ = t_ns;
    previous_ns_ = previous_ns;
    updateLabel();
}

bool GraphTimeline::isDragging() const { return slider_->isSliderDown(); }

void GraphTimeline::setPlaying(bool playing)
{
    playing_ = playing;
    play_->setIcon(glyphIcon(playing ? Glyph::Pause : Glyph::Play));
    play_->setToolTip(playing ? tr("Pause the playback (Space)") : tr("Play the capture from here (Space)"));
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

QString GraphTimeline::labelText() const { return label_->text(); }

void GraphTimeline::updateLabel()
{
    // Microseconds: steps through a DNS exchange are a few hundred of them apart.
    if (packet_) {
        QString text = tr("#%1 · %2 s").arg(packet_).arg(std::max(0.0, seconds_between(first_, packet_ns_)), 0, 'f', 6);
        if (previous_ns_)
            text += tr(" · +%1").arg(duration_text(std::max<qint64>(0, time_sub(packet_ns_, *previous_ns_))));
        label_->setText(text);
        label_->setToolTip(tr("Packet %1, %2 s after the first packet of %3 s").arg(packet_)
                               .arg(seconds_between(first_, packet_ns_), 0, 'f', 6)
                               .arg(seconds_between(first_, last_), 0, 'f', 6));
        return;
    }
    const double at = seconds_between(first_, position_), end = seconds_between(first_, last_);
    label_->setText(tr("%1 s / %2 s").arg(std::max(at, 0.0), 0, 'f', 6).arg(end, 0, 'f', 3));
    label_->setToolTip({});
}

} // namespace underhood
