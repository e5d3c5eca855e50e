#include "drop_panel.h"

#include "display_anonymizer.h"

#include "time_math.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QBoxLayout>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>

#include <cmath>

namespace underhood {

namespace {

bool is_dark(const QPalette& p) { return p.color(QPalette::Window).lightnessF() < 0.5; }

QString count(uint64_t n) { return QLocale().toString(qulonglong(n)); }

// "Interface (NIC, driver)" inside a sentence: "interface (NIC, driver)".
QString in_sentence(QString title)
{
    if (!title.isEmpty())
        title[0] = title[0].toLower();
    return title;
}

QString rate(double per_s)
{
    if (per_s < 1)
        return per_s > 0 ? QStringLiteral("<1/s") : QStringLiteral("0/s");
    static const char* prefixes[] = {"", "k", "M", "G"};
    int i = 0;
    while (per_s >= 1000 && i < 3) {
        per_s /= 1000;
        ++i;
    }
    return QString("%1 %2/s").arg(per_s, 0, 'f', per_s < 10 && i ? 1 : 0).arg(QLatin1String(prefixes[i]));
}

QString percent(double p)
{
    if (p == 0)
        return QStringLiteral("0%");
    if (p < 0.01)
        return QStringLiteral("<0.01%");
    return QString("%1%").arg(p, 0, 'f', p < 1 ? 2 : 1);
}

QColor stage_colour(DropStage s, bool dark)
{
    switch (s) {
    case DropStage::Interface: return dark ? QColor(0xc9, 0x9c, 0xff) : QColor(0x7b, 0x3f, 0xc4);
    case DropStage::Backlog: return dark ? QColor(0xf4, 0x8f, 0xb1) : QColor(0xad, 0x14, 0x57);
    case DropStage::Filter: return dark ? QColor(0xb0, 0xbe, 0xc5) : QColor(0x54, 0x6e, 0x7a);
    case DropStage::Kernel: return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xc6, 0x28, 0x28);
    case DropStage::Helper: return dark ? QColor(0xff, 0xc1, 0x07) : QColor(0xd9, 0x7b, 0x00);
    case DropStage::Socket: return dark ? QColor(0x80, 0xd8, 0xff) : QColor(0x02, 0x77, 0xbd);
    case DropStage::Ingest: return dark ? QColor(0x69, 0xf0, 0xae) : QColor(0x2e, 0x7d, 0x32);
    }
    return Qt::gray;
}

} // namespace

QString DropPanel::stageTitle(DropStage s)
{
    switch (s) {
    case DropStage::Interface: return tr("NIC ring");
    case DropStage::Backlog: return tr("Driver and backlog");
    case DropStage::Filter: return tr("Socket filter");
    case DropStage::Kernel: return tr("Kernel ring");
    case DropStage::Helper: return tr("Capture helper");
    case DropStage::Socket: return tr("Socket");
    case DropStage::Ingest: return tr("App ingest");
    }
    return {};
}

QString DropPanel::stageExplanation(DropStage s)
{
    switch (s) {
    case DropStage::Interface:
        return tr("<b>NIC ring (the network card)</b><br>The card copies arriving frames into a ring of receive "
                  "descriptors in memory. When the CPU does not empty the ring in time, the card has nowhere to "
                  "put the next frame and drops it before any software sees it (rx_missed_errors, rx_fifo_errors, "
                  "rx_over_errors; drivers add their own counters, <tt>ethtool -S</tt>). No capture setting "
                  "changes this: a larger ring (<tt>ethtool -G IFACE rx N</tt>, up to the maximum "
                  "<tt>ethtool -g</tt> shows) or less load on the machine does.<br><i>Without the capture "
                  "helper's NIC record (files from other programs), every drop of the interface is counted "
                  "here.</i>");
    case DropStage::Backlog:
        return tr("<b>Driver and backlog</b><br>The driver takes frames from the ring (NAPI, a budget of packets per "
                  "interrupt); the kernel may merge a flow's segments into one large packet here (GRO) and queues "
                  "packets per CPU (the backlog, <tt>net.core.netdev_max_backlog</tt>). A full backlog drops "
                  "(<tt>/proc/net/softnet_stat</tt>, dropped); running out of budget is a time squeeze. "
                  "rx_dropped also counts frames longer than the MTU and frames no protocol wanted.");
    case DropStage::Filter:
        return tr("<b>Socket filter</b><br>The kernel runs the capture filter (BPF) on every frame before it "
                  "copies anything into the capture ring. Frames it rejects cost almost nothing and are not lost, "
                  "just not wanted. The figure is what passed the filter.");
    case DropStage::Kernel:
        return tr("<b>Kernel ring</b><br>Frames that passed the filter are copied into a ring shared with the "
                  "capture helper (AF_PACKET TPACKET_V3, or libpcap's). When the helper does not empty the ring "
                  "fast enough, the kernel drops new frames (tp_drops): a larger buffer (<tt>-B</tt>) rides out "
                  "bursts, a shorter snaplen fits more packets in it, more capture threads empty it faster, a "
                  "capture filter sends fewer.");
    case DropStage::Helper:
        return tr("<b>Capture helper (underhood-capture)</b><br>A small privileged program takes packets from the "
                  "kernel ring and queues them for this window. It never makes the ring wait: when the window "
                  "reads too slowly and its bounded queue is full, it drops packets and counts them. Capturing "
                  "less (a filter) or fewer bytes per packet (a shorter snaplen) helps.");
    case DropStage::Socket:
        return tr("<b>Socket</b><br>The helper streams the packets as pcapng over a socket pair to this window. A "
                  "stream socket never loses data: when the window reads slowly the socket fills up and the "
                  "helper's queue takes the strain (and drops, counted at the helper).");
    case DropStage::Ingest:
        return tr("<b>App ingest</b><br>This window reads the stream on one thread and decodes and counts the "
                  "packets on another. If decoding falls behind, a bounded backlog drops (and counts) new packets "
                  "so memory cannot grow without end. Keeping fewer packets in the list or capturing less helps.");
    }
    return {};
}

DropPanel::DropPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName("dropPanel");
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll);
    auto* inner = new QWidget;
    scroll->setWidget(inner);
    auto* lay = new QVBoxLayout(inner);
    lay->setContentsMargins(8, 6, 8, 6);
    lay->setSpacing(6);

    auto* top = new QHBoxLayout;
    headline_ = new QLabel;
    headline_->setObjectName("dropHeadline");
    headline_->setWordWrap(true);
    headline_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont hf = headline_->font();
    hf.setBold(true);
    headline_->setFont(hf);
    top->addWidget(headline_, 1);
    interface_box_ = new QComboBox;
    interface_box_->setToolTip(tr("Every interface together, or one of them"));
    interface_box_->hide();
    connect(interface_box_, &QComboBox::currentIndexChanged, this, [this] { updateDiagram(); });
    top->addWidget(interface_box_);
    lay->addLayout(top);

    // One row per sensor when several sources are merged.
    sensors_box_ = new QFrame;
    sensors_box_->setObjectName("sensorRows");
    static_cast<QFrame*>(sensors_box_)->setFrameShape(QFrame::StyledPanel);
    sensors_grid_ = new QGridLayout(sensors_box_);
    sensors_grid_->setContentsMargins(8, 6, 8, 6);
    sensors_grid_->setHorizontalSpacing(14);
    sensors_grid_->setVerticalSpacing(3);
    {
        const QStringList heads = {tr("Sensor"), tr("State"), tr("Received"), tr("Captured"), tr("Dropped"),
                                   tr("First packet"), tr("Clock correction")};
        const QStringList tips = {
            tr("The source, named as its interface is in the capture (HOST/IFACE, HOST:PORT)"),
            tr("Capturing, or why it stopped; Reconnect starts it again and keeps what it sent"),
            tr("Packets that reached the sensor's capture socket (its helper's isb_ifrecv, or tcpdump's "
               "\"received by filter\")"),
            tr("Packets that arrived here from it"),
            tr("Packets the sensor lost: its kernel ring, its interface and its capture helper"),
            tr("Its first packet's time stamp minus the earliest sensor's: a large offset between sensors that "
               "watch the same traffic means their clocks disagree"),
            tr("Seconds added to this sensor's time stamps from now on (the ?offset= of its URL), to line its "
               "packets up with the others' when its clock is off")};
        for (int i = 0; i < int(heads.size()); ++i) {
            auto* l = new QLabel("<b>" + heads[i] + "</b>");
            l->setToolTip(tips[i]);
            sensors_grid_->addWidget(l, 0, i, i >= 2 && i <= 4 ? Qt::AlignRight : Qt::AlignLeft);
        }
        sensors_grid_->setColumnStretch(1, 1);
    }
    sensors_box_->hide();
    lay->addWidget(sensors_box_);

    no_stats_ = new QLabel;
    no_stats_->setWordWrap(true);
    no_stats_->hide();
    lay->addWidget(no_stats_);

    buildDiagram();
    lay->addWidget(diagram_);
    note_ = new QLabel;
    note_->setObjectName("dropNote");
    note_->setWordWrap(true);
    lay->addWidget(note_);
    story_ = new QLabel;
    story_->setObjectName("dropStory");
    story_->setWordWrap(true);
    story_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(story_);

    // Advice beside the plot of drops over time; one above the other when narrow.
    auto* bottom = new QWidget;
    bottom_layout_ = new QBoxLayout(QBoxLayout::LeftToRight, bottom);
    bottom_layout_->setContentsMargins(0, 0, 0, 0);
    bottom_layout_->setSpacing(12);
    advice_box_ = new QWidget;
    advice_layout_ = new QVBoxLayout(advice_box_);
    advice_layout_->setContentsMargins(0, 0, 0, 0);
    advice_layout_->setSpacing(4);
    bottom_layout_->addWidget(advice_box_, 3);
    auto* plot_box = new QWidget;
    auto* pv = new QVBoxLayout(plot_box);
    pv->setContentsMargins(0, 0, 0, 0);
    pv->setSpacing(2);
    plot_title_ = new QLabel(tr("Drops over time (packets per second, by stage)"));
    pv->addWidget(plot_title_);
    plot_ = new QCustomPlot;
    plot_->setObjectName("dropPlot");
    plot_->setMinimumHeight(60);
    plot_->setMaximumHeight(200);
    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    QFont lf = font();
    lf.setPointSizeF(lf.pointSizeF() * 0.85);
    plot_->legend->setFont(lf);
    plot_->xAxis->setLabel(tr("seconds since the first packet"));
    plot_empty_ = new QCPItemText(plot_);
    plot_empty_->position->setType(QCPItemPosition::ptAxisRectRatio);
    plot_empty_->position->setCoords(0.5, 0.5);
    plot_empty_->setText(tr("no drops"));
    for (size_t i = 0; i < kDropStageCount; ++i) {
        QCPGraph* g = plot_->addGraph();
        g->setName(stageTitle(DropStage(i)));
        g->setLineStyle(QCPGraph::lsStepLeft);
    }
    pv->addWidget(plot_);
    pv->addStretch(1);
    bottom_layout_->addWidget(plot_box, 2);
    lay->addWidget(bottom, 1);

    restyle();
    refresh();
}

void DropPanel::buildDiagram()
{
    diagram_ = new QWidget;
    diagram_->setObjectName("dropPath");
    diagram_layout_ = new QBoxLayout(QBoxLayout::LeftToRight, diagram_);
    diagram_layout_->setContentsMargins(0, 0, 0, 0);
    diagram_layout_->setSpacing(4);
    for (size_t i = 0; i < kDropStageCount; ++i) {
        StageBox& b = boxes_[i];
        b.frame = new QFrame;
        b.frame->setObjectName(QString("stage_%1").arg(drop_stage_key(DropStage(i))));
        b.frame->setFrameShape(QFrame::StyledPanel);
        b.frame->setToolTip(stageExplanation(DropStage(i)));
        b.frame->setMinimumWidth(118);
        auto* v = new QVBoxLayout(b.frame);
        v->setContentsMargins(8, 6, 8, 6);
        v->setSpacing(1);
        b.title = new QLabel(stageTitle(DropStage(i)));
        QFont f = b.title->font();
        f.setBold(true);
        b.title->setFont(f);
        b.received = new QLabel;
        b.dropped = new QLabel;
        b.rate = new QLabel;
        b.detail = new QLabel;
        b.detail->setWordWrap(true);
        b.dropped->setWordWrap(true); // in a narrow stage box the share goes on a second line, not out of sight
        QFont df = b.detail->font();
        df.setPointSizeF(df.pointSizeF() * 0.85);
        b.detail->setFont(df);
        for (QLabel* l : {b.title, b.received, b.dropped, b.rate, b.detail}) {
            l->setObjectName(l == b.title      ? "title"
                             : l == b.received ? "received"
                             : l == b.dropped  ? "dropped"
                             : l == b.rate     ? "rate"
                                               : "detail");
            v->addWidget(l);
        }
        v->addStretch(1);
        if (i > 0) {
            auto* arrow = new QLabel(QStringLiteral("→"));
            arrow->setAlignment(Qt::AlignCenter);
            QFont af = arrow->font();
            af.setPointSizeF(af.pointSizeF() * 1.5);
            arrow->setFont(af);
            arrows_[i - 1] = arrow;
            diagram_layout_->addWidget(arrow);
        }
        diagram_layout_->addWidget(b.frame, 1);
    }
}

void DropPanel::resizeEvent(QResizeEvent* e)
{
    QWidget::resizeEvent(e);
    // Side by side when there is room, one under the other in a narrow dock.
    const bool narrow = width() < int(kDropStageCount) * 124 + int(kDropStageCount - 1) * 22;
    diagram_layout_->setDirection(narrow ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight);
    bottom_layout_->setDirection(width() < 900 ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight);
    for (QLabel* a : arrows_)
        a->setText(narrow ? QStringLiteral("↓") : QStringLiteral("→"));
}

void DropPanel::changeEvent(QEvent* e)
{
    if (e->type() == QEvent::PaletteChange) {
        restyle();
        updateDiagram();
        updatePlot();
    }
    QWidget::changeEvent(e);
}

void DropPanel::restyle()
{
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::Text), base = pal.color(QPalette::Base);
    QColor grid = pal.color(QPalette::Mid);
    grid.setAlpha(100);
    plot_->setBackground(base);
    for (QCPAxis* ax : {plot_->xAxis, plot_->yAxis}) {
        ax->setBasePen(QPen(text));
        ax->setTickPen(QPen(text));
        ax->setSubTickPen(QPen(text));
        ax->setTickLabelColor(text);
        ax->setLabelColor(text);
        ax->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    }
    QColor lb = base;
    lb.setAlpha(200);
    plot_->legend->setBrush(lb);
    plot_->legend->setBorderPen(QPen(grid));
    plot_->legend->setTextColor(text);
    const bool dark = is_dark(pal);
    for (size_t i = 0; i < kDropStageCount; ++i)
        plot_->graph(int(i))->setPen(QPen(stage_colour(DropStage(i), dark), 1.6));
}

void DropPanel::setSession(CaptureSession* s)
{
    session_ = s;
    stats_.reset();
    advice_.clear();
    origin_ns_ = 0;
    interface_box_->clear();
    interface_box_->hide();
    refresh();
}

void DropPanel::refresh()
{
    if (session_) {
        update_drop_statistics(stats_, session_->engine(), QDateTime::currentMSecsSinceEpoch() * 1'000'000);
        struct Snap {
            int64_t first_ns = 0;
            bool any = false;
        };
        const Snap s = session_->engine().with_state(
            [](const IngestEngine::State& st) { return Snap{st.model.totals().first_ns, st.model.totals().any}; });
        if (s.any)
            origin_ns_ = s.first_ns;
        else if (!stats_.history().empty() && !origin_ns_)
            origin_ns_ = stats_.history().front().ts_ns;
        // The interface list follows the statistics.
        if (stats_.interfaces().size() > 1 && (interface_box_->count() != int(stats_.interfaces().size()) + 1 ||
                                                 interface_box_->itemText(1) != shownName(stats_.interfaces()[0].name))) {
            QSignalBlocker b(interface_box_);
            const int keep = interface_box_->currentIndex();
            interface_box_->clear();
            interface_box_->addItem(tr("All interfaces"));
            for (const InterfaceDrops& d : stats_.interfaces())
                interface_box_->addItem(shownName(d.name));
            interface_box_->setCurrentIndex(std::max(0, keep));
            interface_box_->show();
        }
    }
    headline_->setText(headline());
    updateSensors();
    updateDiagram();
    updateAdvice();
    updatePlot();
    const bool incomplete = session_ && stats_.incomplete();
    const QString summary = lossSummary();
    if (incomplete != last_incomplete_ || summary != last_summary_) {
        last_incomplete_ = incomplete;
        last_summary_ = summary;
        emit incompleteChanged(incomplete, summary);
    }
}

void DropPanel::updateSensors()
{
    const std::vector<SensorStatus> sensors = session_ ? session_->sensors() : std::vector<SensorStatus>{};
    sensors_box_->setVisible(!sensors.empty());
    if (sensors.size() != sensor_rows_.size()) {
        for (SensorRow& r : sensor_rows_)
            for (QWidget* w : std::initializer_list<QWidget*>{r.name, r.state, r.received, r.captured, r.dropped,
                                                               r.offset, r.correction, r.reconnect})
                delete w;
        sensor_rows_.clear();
        for (size_t i = 0; i < sensors.size(); ++i) {
            SensorRow r;
            const int row = int(i) + 1;
            auto label = [&](const char* key, int col, bool right = false) {
                auto* l = new QLabel;
                l->setObjectName(QString("%1_%2").arg(QLatin1String(key)).arg(i));
                l->setTextInteractionFlags(Qt::TextSelectableByMouse);
                sensors_grid_->addWidget(l, row, col, right ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignVCenter);
                return l;
            };
            r.name = label("sensorName", 0);
            r.state = label("sensorState", 1);
            r.state->setWordWrap(true);
            r.received = label("sensorReceived", 2, true);
            r.captured = label("sensorCaptured", 3, true);
            r.dropped = label("sensorDropped", 4, true);
            r.offset = label("sensorOffset", 5, true);
            r.correction = new QDoubleSpinBox;
            r.correction->setObjectName(QString("sensorCorrection_%1").arg(i));
            r.correction->setRange(-86400, 86400); // as ?offset= takes it: up to a day
            r.correction->setDecimals(3);
            r.correction->setSingleStep(0.1);
            r.correction->setSuffix(tr(" s"));
            r.correction->setKeyboardTracking(false);
            r.correction->setToolTip(tr("Seconds added to this sensor's time stamps for the packets it sends from "
                                        "now on"));
            r.correction->setValue(double(sensors[i].offset_ns) / 1e9);
            connect(r.correction, &QDoubleSpinBox::valueChanged, this, [this, i](double s) {
                if (session_)
                    session_->setSensorOffset(int(i), qint64(std::llround(s * 1e9)));
            });
            sensors_grid_->addWidget(r.correction, row, 6);
            r.reconnect = new QPushButton(tr("Reconnect"));
            r.reconnect->setObjectName(QString("sensorReconnect_%1").arg(i));
            r.reconnect->setToolTip(tr("Start this sensor again; the others go on and what it sent stays"));
            connect(r.reconnect, &QPushButton::clicked, this, [this, i] {
                if (session_ && session_->reconnectSensor(int(i)))
                    refresh();
            });
            sensors_grid_->addWidget(r.reconnect, row, 7);
            sensor_rows_.push_back(r);
        }
    }
    std::optional<int64_t> earliest;
    for (const SensorStatus& s : sensors)
        if (s.counts.first_ns && (!earliest || *s.counts.first_ns < *earliest))
            earliest = s.counts.first_ns;
    const QColor bad = is_dark(palette()) ? QColor(0xff, 0x8a, 0x80) : QColor(0xc6, 0x28, 0x28);
    const bool live = session_ && session_->isRunning();
    for (size_t i = 0; i < sensors.size(); ++i) {
        const SensorStatus& s = sensors[i];
        SensorRow& r = sensor_rows_[i];
        r.name->setText(shownName(s.name));
        // The URL may hold a user name as well: anonymised, the name is all there is.
        r.name->setToolTip(anon_ ? shownName(s.name) : QString::fromStdString(s.spec.text));
        QString state;
        bool failed = false;
        switch (s.state) {
        case SensorStatus::State::Starting: state = s.reconnecting ? tr("reconnecting…") : tr("connecting…"); break;
        case SensorStatus::State::Running: state = tr("capturing"); break;
        case SensorStatus::State::Ended: state = tr("ended"); break;
        case SensorStatus::State::Failed:
            state = "⚠ " + shownText(s.error);
            failed = true;
            break;
        }
        r.state->setText(state);
        r.state->setToolTip(failed ? shownText(s.error) : QString());
        QPalette pal = r.state->palette();
        pal.setColor(QPalette::WindowText, failed ? bad : palette().color(QPalette::WindowText));
        r.state->setPalette(pal);
        // tcpdump's figures come once, at its end, from libpcap's counters.
        const QString approx = s.tcpdump ? QStringLiteral("≈") : QString();
        const QString less_exact =
            s.tcpdump ? tr("No underhood-capture on the sensor: tcpdump captured, and its final report gives "
                           "these counts (less exact)")
                      : QString();
        r.received->setText(s.counts.ifrecv ? approx + count(*s.counts.ifrecv) : QStringLiteral("—"));
        r.received->setToolTip(less_exact);
        r.captured->setText(count(s.counts.packets));
        std::optional<uint64_t> dropped;
        for (const auto& v : {s.counts.osdrop, s.counts.ifdrop, s.counts.helper_drops})
            if (v)
                dropped = dropped.value_or(0) + *v;
        r.dropped->setText(dropped ? approx + count(*dropped) : QStringLiteral("—"));
        r.dropped->setToolTip(less_exact);
        QPalette dp = r.dropped->palette();
        dp.setColor(QPalette::WindowText, dropped.value_or(0) ? bad : palette().color(QPalette::WindowText));
        r.dropped->setPalette(dp);
        r.offset->setText(s.counts.first_ns && earliest
                              ? QString("%1%2 s").arg(*s.counts.first_ns >= *earliest ? "+" : "")
                                    .arg(double(*s.counts.first_ns - *earliest) / 1e9, 0, 'f', 3)
                              : QStringLiteral("—"));
        const bool can_reconnect = live && !s.reconnecting &&
                                   (s.state == SensorStatus::State::Failed || s.state == SensorStatus::State::Ended);
        r.reconnect->setVisible(can_reconnect);
        r.correction->setEnabled(live);
        if (!r.correction->hasFocus() && std::llround(r.correction->value() * 1e9) != s.offset_ns) {
            QSignalBlocker b(r.correction);
            r.correction->setValue(double(s.offset_ns) / 1e9);
        }
    }
}

void DropPanel::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    anon_ = std::move(anonymizer);
    refresh();
}

QString DropPanel::shownName(const std::string& name) const
{
    return QString::fromStdString(anon_ ? anon_->sensor(name) : name);
}

QString DropPanel::shownText(const std::string& text) const
{
    return QString::fromStdString(anon_ ? anon_->text(text) : text);
}

QString DropPanel::lossSummary() const
{
    if (!session_ || !stats_.incomplete())
        return {};
    QStringList parts;
    for (size_t i = 0; i < kDropStageCount; ++i) {
        const uint64_t d = stats_.totals()[i].dropped;
        if (d)
            parts << tr("%1 at the %2").arg(count(d), in_sentence(stageTitle(DropStage(i))));
    }
    const uint64_t arrived = stats_.total_arrived();
    const QString share = arrived ? QString(" (%1)").arg(percent(100.0 * double(stats_.total_dropped()) / double(arrived)))
                                  : QString();
    return tr("%1 packets were lost%2: %3.").arg(count(stats_.total_dropped()), share, parts.join(", "));
}

QString DropPanel::headline() const
{
    if (!session_)
        return tr("Open a capture or start a live capture: this panel shows where packets are lost on the way from "
                  "the wire to this window.");
    const bool stream = stats_.is_stream();
    if (!stats_.has_statistics() && !stream)
        return tr("This file records no drop statistics.");
    if (stats_.incomplete()) {
        const uint64_t arrived = stats_.total_arrived();
        const uint64_t lost = stats_.total_dropped();
        const QString where = in_sentence(stageTitle(stats_.worst_stage()));
        const QString head = arrived ? tr("⚠ %1 of %2 packets lost (%3), most at the %4.")
                                           .arg(count(lost), count(arrived),
                                                percent(100.0 * double(lost) / double(arrived)), where)
                                     : tr("⚠ %1 packets lost, most at the %2.").arg(count(lost), where);
        return stream ? head : tr("Recorded in the file: %1").arg(head);
    }
    if (!stats_.has_statistics() && session_->isLive())
        return tr("No packets lost by this window so far; waiting for the capture helper's first statistics.");
    const uint64_t arrived = stats_.total_arrived();
    return stream ? tr("✓ No packets lost: all %1 reached this window.").arg(count(arrived))
                  : tr("Recorded in the file: ✓ no packets lost (%1 packets reached the capture).").arg(count(arrived));
}

void DropPanel::updateDiagram()
{
    const bool stream = stats_.is_stream();
    const bool no_file_stats = session_ && !stream && !stats_.has_statistics();
    no_stats_->setVisible(no_file_stats);
    if (no_file_stats)
        no_stats_->setText(tr("Captures saved by dumpcap (Wireshark) or by Underhood keep the counters of the "
                              "interface, the kernel and the capture program in Interface Statistics Blocks. "
                              "This one has none (a pcap file, or a pcapng written without them), so what was "
                              "lost while it was captured is unknown."));
    diagram_->setVisible(session_ && !no_file_stats);
    story_->setVisible(session_ && !no_file_stats);
    if (!session_) {
        note_->hide();
        return;
    }
    const int sel = interface_box_->isVisible() ? interface_box_->currentIndex() : 0;
    StageArray fig = stats_.totals();
    if (sel > 0 && size_t(sel) <= stats_.interfaces().size()) {
        const StageArray& one = stats_.interfaces()[size_t(sel - 1)].stages;
        for (size_t i = 0; i < size_t(DropStage::Socket); ++i)
            fig[i] = one[i];
    }
    // The helper reports every second, and only along with packets: its
    // figures may be older than the app's own.
    double isb_age_s = 1e9;
    for (const InterfaceDrops& d : stats_.interfaces())
        isb_age_s = std::min(isb_age_s, seconds_between(d.latest.ts_ns, QDateTime::currentMSecsSinceEpoch() * 1'000'000));
    if (session_->isLive() && stats_.has_statistics() && !session_->isRunning())
        note_->setText(tr("NIC to helper: the helper's final report."));
    else if (session_->isLive() && stats_.has_statistics())
        note_->setText(tr("NIC to helper: the helper's last report, %1 s ago. Socket and app ingest: now.")
                           .arg(std::max(0.0, isb_age_s), 0, 'f', 0));
    else if (stats_.has_statistics() && !stream)
        note_->setText(tr("As the capture program recorded them when the file was written."));
    else
        note_->clear();
    note_->setVisible(!note_->text().isEmpty());
    const QPalette pal = palette();
    const bool dark = is_dark(pal);
    const QColor bad = dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xc6, 0x28, 0x28);
    const QColor good = dark ? QColor(0x81, 0xc7, 0x84) : QColor(0x2e, 0x7d, 0x32);
    const QColor muted = pal.color(QPalette::PlaceholderText);
    for (size_t i = 0; i < kDropStageCount; ++i) {
        const DropStage stage = DropStage(i);
        const StageFigures& f = fig[i];
        StageBox& b = boxes_[i];
        const bool applies = stream || i < size_t(DropStage::Socket);
        b.frame->setVisible(applies);
        if (i > 0)
            arrows_[i - 1]->setVisible(applies);
        if (!applies)
            continue;
        QColor accent = muted;
        b.detail->clear();
        if (!f.reported) {
            b.received->setText(stage < DropStage::Socket && !stats_.has_statistics() ? tr("waiting for statistics…")
                                                                                     : tr("not recorded"));
            b.dropped->clear();
            b.rate->clear();
        } else {
            accent = f.dropped ? bad : good;
            if (stage == DropStage::Interface || stage == DropStage::Backlog)
                b.received->setText(tr("received —"));
            else if (stage == DropStage::Filter)
                b.received->setText(tr("passed %1").arg(f.received ? count(*f.received) : QStringLiteral("—")));
            else
                b.received->setText(tr("received %1").arg(f.received ? count(*f.received) : QStringLiteral("—")));
            QStringList parts;
            for (const StageFigures::Part& p : f.parts)
                if (p.value > 0 || p.counted)
                    parts << QString("%1 %2").arg(QString::fromStdString(p.name).replace('+', " + "), count(p.value));
            b.detail->setText(parts.join('\n'));
            if (stage == DropStage::Filter) {
                const QString expr = session_->isLive() ? session_->liveOptions().filter : QString();
                b.dropped->setText(expr.isEmpty() ? tr("no filter") : tr("filter: %1").arg(expr));
                accent = muted;
            } else if (stage == DropStage::Socket) {
                b.dropped->setText(tr("dropped 0 (never)"));
            } else {
                const auto pct = f.drop_percent();
                b.dropped->setText(pct ? tr("dropped %1 (%2)").arg(count(f.dropped), percent(*pct))
                                       : tr("dropped %1").arg(count(f.dropped)));
            }
            const bool fresh_isb = stage >= DropStage::Socket || isb_age_s < 3.5;
            if (session_->isLive() && session_->isRunning() && fresh_isb)
                b.rate->setText(stage <= DropStage::Backlog  ? tr("drops %1").arg(rate(f.dropped_per_s))
                                : stage == DropStage::Filter ? rate(f.received_per_s)
                                                             : tr("%1 · drops %2").arg(rate(f.received_per_s),
                                                                                       rate(f.dropped_per_s)));
            else
                b.rate->clear();
        }
        // A stage that lost packets says how many, and what share, white on
        // red: the figure a student looks for first.
        b.dropped->setStyleSheet(f.dropped ? QString("QLabel { background: %1; color: white; font-weight: bold; "
                                                     "border-radius: 3px; padding: 1px 5px; }")
                                                 .arg(QColor(0xc6, 0x28, 0x28).name()) // white on it in both themes
                                           : QString());
        b.detail->setStyleSheet(QString("color: %1;").arg(muted.name()));
        b.detail->setVisible(!b.detail->text().isEmpty());
        QColor bg = pal.color(QPalette::Base);
        b.frame->setStyleSheet(QString("QFrame#%1 { background: %2; border: 1px solid %3; border-left: 4px solid %4; "
                                       "border-radius: 4px; }")
                                   .arg(b.frame->objectName(), bg.name(), pal.color(QPalette::Mid).name(), accent.name()));
    }
    // What happened, stage by stage, in words: the stages that lost packets
    // stand out in the same colour as their figures.
    QStringList lines;
    for (size_t i = 0; i < kDropStageCount; ++i) {
        const DropStage stage = DropStage(i);
        if (!fig[i].reported || (!stream && i >= size_t(DropStage::Socket)))
            continue;
        const QString title = fig[i].dropped ? QString("<b style=\"color:%1\">%2:</b>").arg(bad.name(), stageTitle(stage))
                                             : QString("<b>%1:</b>").arg(stageTitle(stage));
        lines << title + " " + QString::fromStdString(stats_.stage_sentence(stage, sel - 1)).toHtmlEscaped();
    }
    story_->setText(lines.join("<br>"));
    story_->setVisible(!lines.isEmpty());
}

QString DropPanel::story() const { return story_->text(); }

CaptureSettings DropPanel::settings() const
{
    CaptureSettings s;
    if (!session_ || !session_->isLive())
        return s;
    const LiveCaptureOptions& o = session_->liveOptions();
    s.live = true;
    s.buffer_mib = uint32_t(o.buffer_mib);
    s.snaplen = uint32_t(o.snaplen);
    s.backend = o.backend.toStdString();
    s.filter = o.filter.toStdString();
    s.history_packets = session_->ingestOptions().max_stored_packets;
    s.threads = uint32_t(std::max(1, o.threads));
    return s;
}

LiveCaptureOptions DropPanel::optionsFor(const DropAdvice& a) const
{
    LiveCaptureOptions o = session_ ? session_->liveOptions() : LiveCaptureOptions{};
    switch (a.kind) {
    case DropAdviceKind::LargerBuffer: o.buffer_mib = int(a.value); break;
    case DropAdviceKind::ShorterSnaplen: o.snaplen = int(a.value); break;
    case DropAdviceKind::AfPacketBackend: o.backend = "afpacket"; break;
    case DropAdviceKind::ShorterHistory: o.history_packets = a.value; break;
    case DropAdviceKind::CaptureFilter:
        if (filter_edit_)
            o.filter = filter_edit_->text().trimmed();
        break;
    case DropAdviceKind::MoreThreads:
        o.threads = int(a.value);
        o.backend = "afpacket";
        break;
    case DropAdviceKind::InterfaceRing:
    case DropAdviceKind::Backlog:
    case DropAdviceKind::GroOff: break;
    }
    return o;
}

QString DropPanel::adviceText(const DropAdvice& a) const
{
    const CaptureSettings s = settings();
    const QString itf = (a.interface.empty() ? QStringLiteral("IFACE") : shownName(a.interface)).toHtmlEscaped();
    const QString cmd = shownText(advice_command(a)).toHtmlEscaped();
    switch (a.kind) {
    case DropAdviceKind::LargerBuffer:
        return tr("<b>Kernel ring:</b> a larger capture buffer rides out bursts: %1 MiB instead of %2 MiB "
                  "(<tt>%3</tt>).")
            .arg(a.value)
            .arg(s.buffer_mib)
            .arg(cmd);
    case DropAdviceKind::ShorterSnaplen:
        return a.stage == DropStage::Kernel
                   ? tr("<b>Kernel ring:</b> keep only the first %1 bytes of each packet (headers, <tt>%2</tt>): more "
                        "packets fit the ring, and less goes through every later stage.")
                         .arg(a.value)
                         .arg(cmd)
                   : tr("<b>Helper:</b> this window reads too slowly; keep only the first %1 bytes of each packet "
                        "(headers, <tt>%2</tt>) so there is less to pass on.")
                         .arg(a.value)
                         .arg(cmd);
    case DropAdviceKind::CaptureFilter:
        return tr("<b>%1:</b> capture only what you need with a capture filter (libpcap syntax), e.g. "
                  "<tt>not port 22</tt> or <tt>host 10.0.0.1</tt>: the kernel discards the rest before it "
                  "costs anything.")
            .arg(a.stage == DropStage::Filter ? tr("Socket filter") : a.stage == DropStage::Helper ? tr("Helper") : tr("App"));
    case DropAdviceKind::AfPacketBackend:
        return tr("<b>Kernel ring:</b> libpcap's ring is small and slow to hand over; the helper's own AF_PACKET "
                  "(TPACKET_V3) backend keeps up better.");
    case DropAdviceKind::MoreThreads:
        return tr("<b>Kernel ring:</b> one thread empties the ring; %1 capture threads (<tt>%2</tt>, one socket each, "
                  "flows spread by hash) empty it in parallel on this %3-CPU machine. On 2 CPUs the gain is small.")
            .arg(a.value)
            .arg(cmd)
            .arg([&] {
                size_t cpus = 0;
                for (const InterfaceDrops& d : stats_.interfaces())
                    if (d.health)
                        cpus = std::max(cpus, d.health->softnet.size());
                return qulonglong(cpus);
            }());
    case DropAdviceKind::ShorterHistory:
        return tr("<b>App:</b> keep fewer packets in the packet list (%1 instead of %2): less memory and less "
                  "work per packet. The tables and plots still count every packet.")
            .arg(count(uint64_t(a.value)), count(s.history_packets));
    case DropAdviceKind::InterfaceRing:
        if (a.value > 0 && a.current < a.value)
            return tr("<b>NIC ring:</b> the card's receive ring on %1 has %2 slots of at most %3. Make it the "
                      "largest it can be: <tt>%4</tt> (as root; no capture setting changes this).")
                .arg(itf)
                .arg(a.current)
                .arg(a.value)
                .arg(cmd);
        if (a.value > 0)
            return tr("<b>NIC ring:</b> the card's receive ring on %1 is already at its maximum (%2 slots): "
                      "spread the work over more receive queues and CPUs (<tt>ethtool -L</tt>, RPS) or lower "
                      "the load.")
                .arg(itf)
                .arg(a.value);
        return tr("<b>NIC ring:</b> the network card dropped frames before the kernel saw them. No capture "
                  "setting fixes this; a larger NIC receive ring can (<tt>ethtool -g %1</tt> shows it, "
                  "<tt>ethtool -G %1 rx N</tt> sets it), or less load on the machine.")
            .arg(itf);
    case DropAdviceKind::Backlog:
        return tr("<b>Driver and backlog:</b> the per-CPU backlog overflowed %1 times. Let it hold more: "
                  "<tt>%2</tt> (the default is 1000; <tt>sysctl net.core.netdev_max_backlog</tt> shows yours), "
                  "or spread the work with RPS.")
            .arg(count(a.count))
            .arg(cmd);
    case DropAdviceKind::GroOff:
        return tr("<b>Driver and backlog:</b> %1 frames on %2 were longer than its MTU (%3): the card or the "
                  "kernel merged segments (GRO/LRO) before the capture, so they are not the frames on the wire. "
                  "For wire-exact frames: <tt>%4</tt>.")
            .arg(count(a.count))
            .arg(itf)
            .arg(a.value)
            .arg(cmd);
    }
    return {};
}

QString DropPanel::adviceButton(const DropAdvice& a) const
{
    switch (a.kind) {
    case DropAdviceKind::LargerBuffer: return tr("Restart with %1 MiB").arg(a.value);
    case DropAdviceKind::ShorterSnaplen: return tr("Restart with snaplen %1").arg(a.value);
    case DropAdviceKind::CaptureFilter: return tr("Restart with this filter");
    case DropAdviceKind::AfPacketBackend: return tr("Restart with AF_PACKET");
    case DropAdviceKind::ShorterHistory: return tr("Restart keeping %1").arg(count(uint64_t(a.value)));
    case DropAdviceKind::MoreThreads: return tr("Restart with %1 threads").arg(a.value);
    case DropAdviceKind::InterfaceRing:
    case DropAdviceKind::Backlog:
    case DropAdviceKind::GroOff: return {};
    }
    return {};
}

void DropPanel::updateAdvice()
{
    std::vector<DropAdvice> now = stats_.advice(settings());
    auto same = [](const std::vector<DropAdvice>& a, const std::vector<DropAdvice>& b) {
        if (a.size() != b.size())
            return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (a[i].kind != b[i].kind || a[i].value != b[i].value || a[i].stage != b[i].stage)
                return false;
        return true;
    };
    const bool clean_now = session_ && (stats_.has_statistics() || stats_.is_stream()) && !stats_.incomplete();
    if (same(now, advice_) && clean_now == advice_clean_ && advice_layout_->count() > 0)
        return;
    advice_clean_ = clean_now;
    advice_ = std::move(now);
    // Rebuilt only when the advice changes, so a filter being typed survives refreshes.
    const QString typed = filter_edit_ ? filter_edit_->text() : QString();
    while (QLayoutItem* it = advice_layout_->takeAt(0)) {
        if (QWidget* w = it->widget())
            w->deleteLater();
        delete it;
    }
    filter_edit_ = nullptr;
    const bool clean = session_ && (stats_.has_statistics() || stats_.is_stream()) && !stats_.incomplete();
    advice_box_->setVisible(!advice_.empty() || clean);
    if (advice_.empty()) {
        if (clean) {
            auto* ok = new QLabel(tr("Nothing to change: no stage lost packets. Hover over a stage to see what it "
                                     "does and why it could."));
            ok->setWordWrap(true);
            advice_layout_->addWidget(ok);
            advice_layout_->addStretch(1);
        }
        return;
    }
    auto* title = new QLabel(tr("What to change"));
    QFont f = title->font();
    f.setBold(true);
    title->setFont(f);
    advice_layout_->addWidget(title);
    const bool can_restart = session_ && session_->isLive();
    for (const DropAdvice& a : advice_) {
        auto* row = new QWidget;
        row->setObjectName(QString("advice_%1").arg(int(a.kind)));
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        auto* text = new QLabel(adviceText(a));
        text->setWordWrap(true);
        text->setToolTip(stageExplanation(a.stage));
        h->addWidget(text, 1);
        if (a.kind == DropAdviceKind::CaptureFilter) {
            filter_edit_ = new QLineEdit;
            filter_edit_->setObjectName("adviceFilter");
            filter_edit_->setPlaceholderText(tr("capture filter"));
            filter_edit_->setText(typed.isEmpty() && session_ ? session_->liveOptions().filter : typed);
            filter_edit_->setMinimumWidth(160);
            h->addWidget(filter_edit_);
        }
        const QString label = adviceButton(a);
        if (!label.isEmpty() && can_restart) {
            auto* btn = new QPushButton(label);
            btn->setObjectName(QString("adviceButton_%1").arg(int(a.kind)));
            const DropAdvice copy = a;
            connect(btn, &QPushButton::clicked, this, [this, copy] { emit restartRequested(optionsFor(copy)); });
            h->addWidget(btn);
        }
        advice_layout_->addWidget(row);
    }
    advice_layout_->addStretch(1);
}

bool DropPanel::applyAdvice(DropAdviceKind kind)
{
    for (const DropAdvice& a : advice_)
        if (a.kind == kind && session_ && session_->isLive() && !adviceButton(a).isEmpty()) {
            emit restartRequested(optionsFor(a));
            return true;
        }
    return false;
}

void DropPanel::updatePlot()
{
    const auto& h = stats_.history();
    const bool show = session_ && (stats_.has_statistics() || stats_.is_stream());
    plot_->setVisible(show);
    plot_title_->setVisible(show);
    if (!show)
        return;
    double ymax = 0;
    const double origin = double(origin_ns_);
    double xmin = 0, xmax = 1;
    if (!h.empty()) {
        xmin = (double(h.front().ts_ns) - origin) / 1e9;
        xmax = (double(h.back().ts_ns) - origin) / 1e9;
    }
    for (size_t s = 0; s < kDropStageCount; ++s) {
        QVector<double> keys, vals;
        bool any = false;
        for (size_t i = 1; i < h.size(); ++i) {
            const double dt = seconds_between(h[i - 1].ts_ns, h[i].ts_ns);
            const uint64_t d = h[i].dropped[s] - std::min(h[i].dropped[s], h[i - 1].dropped[s]);
            const double v = dt > 0 ? double(d) / dt : double(d);
            any = any || d;
            keys.append((double(h[i - 1].ts_ns) - origin) / 1e9);
            vals.append(v);
            ymax = std::max(ymax, v);
        }
        if (!keys.isEmpty()) {
            keys.append((double(h.back().ts_ns) - origin) / 1e9);
            vals.append(vals.back());
        }
        QCPGraph* g = plot_->graph(int(s));
        g->setData(keys, vals, true);
        // Only the stages that dropped get a legend entry.
        if (any && !plot_->legend->hasItemWithPlottable(g))
            g->addToLegend();
        else if (!any && plot_->legend->hasItemWithPlottable(g))
            g->removeFromLegend();
        g->setVisible(any);
    }
    plot_->legend->setVisible(plot_->legend->itemCount() > 0);
    plot_empty_->setVisible(plot_->legend->itemCount() == 0);
    plot_empty_->setColor(palette().color(QPalette::PlaceholderText));
    plot_->xAxis->setRange(std::min(0.0, xmin), std::max(xmax, xmin + 1));
    plot_->yAxis->setRange(0, ymax > 0 ? ymax * 1.15 : 1);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

IncompleteBanner::IncompleteBanner(QWidget* parent) : QWidget(parent)
{
    setObjectName("incompleteBanner");
    setAttribute(Qt::WA_StyledBackground, true);
    auto* h = new QHBoxLayout(this);
    h->setContentsMargins(8, 4, 8, 4);
    label_ = new QLabel;
    label_->setWordWrap(true);
    h->addWidget(label_, 1);
    details_ = new QPushButton(tr("Where and why…"));
    details_->setToolTip(tr("Open the drop statistics: every stage from the wire to this window"));
    connect(details_, &QPushButton::clicked, this, &IncompleteBanner::detailsRequested);
    h->addWidget(details_);
    restyle();
    hide();
}

void IncompleteBanner::setIncomplete(bool incomplete, const QString& summary)
{
    label_->setText(tr("<b>Data incomplete.</b> %1 Counts, plots and the packet list miss them.").arg(summary.toHtmlEscaped()));
    setVisible(incomplete);
}

QString IncompleteBanner::text() const { return isVisible() ? label_->text() : QString(); }

void IncompleteBanner::changeEvent(QEvent* e)
{
    if (e->type() == QEvent::PaletteChange)
        restyle();
    QWidget::changeEvent(e);
}

void IncompleteBanner::restyle()
{
    // The application's palette: a style sheet changes this widget's own.
    const bool dark = is_dark(QApplication::palette());
    const QString sheet =
        dark ? "QWidget#incompleteBanner { background: #5a1f1f; } QWidget#incompleteBanner QLabel { color: #ffd7d2; }"
             : "QWidget#incompleteBanner { background: #fde7e4; border-bottom: 1px solid #e8a29a; } "
               "QWidget#incompleteBanner QLabel { color: #7a1c12; }";
    if (styleSheet() != sheet) // setting it sends another palette change
        setStyleSheet(sheet);
}

} // namespace underhood
