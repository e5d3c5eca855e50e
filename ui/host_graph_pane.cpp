#include "host_graph_pane.h"

#include "display_anonymizer.h"

#include "packet_summary.h"

#include "glyph_icon.h"
#include "capture_session.h"
#include "graph_timeline.h"
#include "host_graph_view.h"
#include "legend_strip.h"
#include "time_math.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace underhood {

namespace {

constexpr qint64 kLoadingRebuildMs = 700; // while a file loads, rebuild at most this often
constexpr qint64 kPlaybackRebuildMs = 40; // while playing, 25 scenes a second
constexpr int kBusyMs = 150;              // a move not shown after this long says so in the caption

const char* cluster_key(ClusterMode m)
{
    switch (m) {
    case ClusterMode::Auto: return "auto";
    case ClusterMode::Prefix24: return "24";
    case ClusterMode::Prefix16: return "16";
    case ClusterMode::Internet: return "internet";
    case ClusterMode::Off: return "off";
    }
    return "auto";
}

} // namespace

HostGraphPane::HostGraphPane(CaptureSession* session, QWidget* parent) : QWidget(parent)
{
    // Scenes come back on the worker's thread; the pane takes them on its own.
    worker_ = std::make_unique<GraphSceneWorker>([this](SceneResult&& r) {
        auto result = std::make_shared<SceneResult>(std::move(r));
        QMetaObject::invokeMethod(this, [this, result] { onScene(std::move(*result)); }, Qt::QueuedConnection);
    });
    busy_timer_ = new QTimer(this);
    busy_timer_->setSingleShot(true);
    busy_timer_->setInterval(kBusyMs);
    connect(busy_timer_, &QTimer::timeout, this, [this] {
        if (!isBusy() || busy_quiet_)
            return;
        busy_shown_ = true;
        updateCaption();
    });
    view_ = new HostGraphView;
    timeline_ = new GraphTimeline;
    loadSettings();
    buildControls();
    auto* lay = qobject_cast<QVBoxLayout*>(layout());
    // Presentation mode: the protocol legend in its own row above the graph,
    // where it covers nothing.
    legend_strip_ = new LegendStrip([this](int proto) { emit view_->protocolToggled(proto); });
    legend_strip_->setObjectName("legendStrip");
    legend_strip_->hide();
    lay->addWidget(legend_strip_);
    lay->addWidget(view_, 1);
    caption_bar_ = new QLabel;
    caption_bar_->setObjectName("captionBar");
    caption_bar_->setWordWrap(true);
    caption_bar_->setTextFormat(Qt::PlainText);
    caption_bar_->setAlignment(Qt::AlignCenter);
    caption_bar_->setAutoFillBackground(true);
    caption_bar_->setBackgroundRole(QPalette::ToolTipBase);
    caption_bar_->setForegroundRole(QPalette::ToolTipText);
    caption_bar_->setMargin(8);
    caption_bar_->hide();
    lay->addWidget(caption_bar_);
    setScale(scale_);
    lay->addWidget(timeline_);
    timeline_->setEnabled(false);

    connect(view_, &HostGraphView::nodeSelected, this, &HostGraphPane::nodeSelected);
    connect(view_, &HostGraphView::frame, this, &HostGraphPane::onFrame);
    connect(view_, &HostGraphView::expandRequested, this, [this](quint64 id) {
        opts_.expanded.insert(id);
        rebuild();
    });
    connect(view_, &HostGraphView::collapseRequested, this, [this](quint64 id) {
        opts_.expanded.erase(id);
        rebuild();
    });
    connect(view_, &HostGraphView::hideRequested, this, [this](quint64 id) {
        opts_.hidden_nodes.insert(id);
        if (opts_.neighbours_of == id)
            opts_.neighbours_of = 0;
        if (opts_.keep == id) // a hidden node is not kept as the selection
            view_->selectNode(-1);
        rebuild();
    });
    connect(view_, &HostGraphView::neighboursRequested, this, [this](quint64 id) {
        opts_.neighbours_of = id;
        opts_.hidden_nodes.erase(id);
        rebuild();
    });
    connect(view_, &HostGraphView::showAllRequested, this, &HostGraphPane::showAllHosts);
    connect(view_, &HostGraphView::protocolToggled, this, [this](int proto) {
        opts_.hidden.flip(size_t(proto));
        view_->setHidden(opts_.hidden);
        updateLegendStrip();
        rebuild();
    });
    connect(view_, &HostGraphView::pausedChanged, this, [this](bool paused) {
        pause_->setChecked(paused);
        if (!paused && dirty_)
            refresh();
    });
    connect(timeline_, &GraphTimeline::seekRequested, this, &HostGraphPane::seek);
    connect(timeline_, &GraphTimeline::stepRequested, this, &HostGraphPane::step);
    connect(timeline_, &GraphTimeline::followRequested, this, &HostGraphPane::follow);
    connect(timeline_, &GraphTimeline::startRequested, this, &HostGraphPane::goToStart);
    connect(timeline_, &GraphTimeline::kindStepRequested, this, [this](int direction, StepKind kind) {
        emit kindStepRequested(direction, kind, expected_end_ && *expected_end_ > 0 ? *expected_end_ - 1 : 0);
    });
    // The transport's keys, with the graph in focus.
    connect(view_, &HostGraphView::transportKey, this, [this](int key, bool shift) {
        if (!session_)
            return;
        switch (key) {
        case Qt::Key_Left:
        case Qt::Key_Right: {
            const int direction = key == Qt::Key_Left ? -1 : 1;
            if (shift)
                emit kindStepRequested(direction, timeline_->stepKind(),
                                       expected_end_ && *expected_end_ > 0 ? *expected_end_ - 1 : 0);
            else
                step(direction);
            break;
        }
        case Qt::Key_Home: goToStart(); break;
        case Qt::Key_End: follow(); break;
        case Qt::Key_Space:
            timeline_->setPlaying(!timeline_->isPlaying());
            emit timeline_->playToggled(timeline_->isPlaying());
            break;
        }
    });
    connect(timeline_, &GraphTimeline::speedChanged, this, [this](double s) { speed_ = s; });
    connect(timeline_, &GraphTimeline::playToggled, this, [this](bool on) {
        if (!session_)
            return;
        playing_ = on;
        played_end_ = 0;
        if (on) {
            int64_t first = 0, last = 0;
            captureBounds(first, last);
            play_ns_ = double(shown_time_);
            if (follow_ || shown_time_ >= last)
                play_ns_ = double(first); // from the start when at the end
            follow_ = false;
            timeline_->setFollowing(false);
        }
        view_->setAnimating(on);
        updateFlow();
    });
    setSession(session);
}

HostGraphPane::~HostGraphPane()
{
    worker_.reset(); // joins the thread: no scene is delivered after this
}

void HostGraphPane::buildControls()
{
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(0);
    auto* bar = new QWidget;
    bar->setObjectName("graphControls");
    controls_ = bar;
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(6, 3, 6, 3);
    row->setSpacing(6);
    auto combo = [&](const QString& label, const QString& tip, std::initializer_list<std::pair<QString, QString>> items,
                     const QString& current) {
        auto* l = new QLabel(label);
        row->addWidget(l);
        auto* c = new QComboBox;
        c->setToolTip(tip);
        for (const auto& [text, key] : items)
            c->addItem(text, key);
        c->setCurrentIndex(std::max(0, c->findData(current)));
        l->setBuddy(c);
        row->addWidget(c);
        return c;
    };
    layer_box_ = combo(tr("&Nodes:"), tr("What a node is: an IP address, a MAC address, or an address and port"),
                       {{tr("IP hosts"), "ip"}, {tr("Ethernet"), "ether"}, {tr("Ports"), "port"}},
                       layer_name(opts_.layer));
    size_box_ = combo(tr("Si&ze:"), tr("Node size and link width from all traffic in the window, or from the recent rate"),
                      {{tr("Total"), "total"}, {tr("Recent rate"), "rate"}},
                      opts_.size_by == SizeMetric::Rate ? "rate" : "total");
    colour_box_ = combo(tr("Colo&ur:"),
                        tr("Colour nodes and links by their main protocol, or by the sensor (capture interface) "
                           "that saw them"),
                        {{tr("Protocol"), "protocol"}, {tr("Sensor"), "sensor"}},
                        QSettings().value("graph/colourBy", "protocol").toString());
    colour_box_->setObjectName("graphColourBy");
    cluster_box_ = combo(tr("&Clusters:"), tr("How remote hosts collapse when there are many"),
                         {{tr("Automatic"), "auto"}, {tr("/24 networks"), "24"}, {tr("/16 networks"), "16"},
                          {tr("One Internet node"), "internet"}, {tr("Off"), "off"}},
                         cluster_key(opts_.cluster));
    auto* top_label = new QLabel(tr("&Top:"));
    row->addWidget(top_label);
    top_box_ = new QSpinBox;
    top_box_->setRange(0, 100000);
    top_box_->setSpecialValueText(tr("all"));
    top_box_->setValue(int(opts_.top_n));
    top_box_->setToolTip(tr("Show only this many of the busiest nodes"));
    top_label->setBuddy(top_box_);
    row->addWidget(top_box_);
    layout_box_ = combo(tr("&Layout:"), tr("Force-directed (local hosts in the middle, remote around) or circles"),
                        {{tr("Force"), "force"}, {tr("Circle"), "circle"}},
                        QSettings().value("graph/layout", "force").toString());
    row->addStretch(1);
    auto button = [&](const QIcon& icon, const QString& text, const QString& tip) {
        auto* b = new QToolButton;
        if (!icon.isNull())
            b->setIcon(icon);
        else
            b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        row->addWidget(b);
        return b;
    };
    pause_ = button(glyphIcon(Glyph::Pause), {}, tr("Freeze the picture; the capture goes on (Space)"));
    pause_->setCheckable(true);
    auto* fit = button({}, tr("Fit"), tr("Show the whole graph (F)"));
    auto* settings = button({}, tr("Settings…"), tr("Timeouts, rate window, clusters, local subnets"));
    lay->addWidget(bar);

    connect(layer_box_, &QComboBox::currentIndexChanged, this, [this] {
        Layer l;
        if (parse_layer(layer_box_->currentData().toString().toStdString(), l) && l != opts_.layer) {
            setLayer(l);
            emit layerChosen(l); // the tables follow
        }
    });
    connect(size_box_, &QComboBox::currentIndexChanged, this, [this] {
        opts_.size_by = size_box_->currentData().toString() == "rate" ? SizeMetric::Rate : SizeMetric::Total;
        saveSettings();
        rebuild();
    });
    connect(cluster_box_, &QComboBox::currentIndexChanged, this, [this] {
        const QString k = cluster_box_->currentData().toString();
        opts_.cluster = k == "24"         ? ClusterMode::Prefix24
                        : k == "16"       ? ClusterMode::Prefix16
                        : k == "internet" ? ClusterMode::Internet
                        : k == "off"      ? ClusterMode::Off
                                          : ClusterMode::Auto;
        opts_.expanded.clear();
        saveSettings();
        rebuild();
    });
    connect(colour_box_, &QComboBox::currentIndexChanged, this, [this] {
        QSettings().setValue("graph/colourBy", colour_box_->currentData().toString());
        updateSensorNames();
    });
    connect(top_box_, &QSpinBox::valueChanged, this, [this](int v) {
        opts_.top_n = size_t(v);
        saveSettings();
        rebuild();
    });
    connect(layout_box_, &QComboBox::currentIndexChanged, this, [this] {
        const bool circle = layout_box_->currentData().toString() == "circle";
        view_->setLayoutKind(circle ? LayoutKind::Circle : LayoutKind::Force);
        saveSettings();
    });
    connect(pause_, &QToolButton::toggled, view_, &HostGraphView::setPaused);
    connect(fit, &QToolButton::clicked, view_, &HostGraphView::fitToView);
    connect(settings, &QToolButton::clicked, this, &HostGraphPane::settingsDialog);
    view_->setLayoutKind(layout_box_->currentData().toString() == "circle" ? LayoutKind::Circle : LayoutKind::Force);
}

void HostGraphPane::loadSettings()
{
    QSettings s;
    spans_.window_ns = int64_t(s.value("graph/nodeTimeout", 60.0).toDouble() * 1e9);
    spans_.recent_ns = int64_t(s.value("graph/linkTimeout", 3.0).toDouble() * 1e9);
    spans_.rate_ns = int64_t(s.value("graph/rateWindow", 2.0).toDouble() * 1e9);
    opts_.cluster_threshold = size_t(std::max(2, s.value("graph/clusterThreshold", 40).toInt()));
    opts_.keep_busiest_remote = size_t(std::max(0, s.value("graph/keepBusiest", 8).toInt()));
    opts_.size_by = s.value("graph/sizeBy", "total").toString() == "rate" ? SizeMetric::Rate : SizeMetric::Total;
    const QString c = s.value("graph/cluster", "auto").toString();
    opts_.cluster = c == "24"         ? ClusterMode::Prefix24
                    : c == "16"       ? ClusterMode::Prefix16
                    : c == "internet" ? ClusterMode::Internet
                    : c == "off"      ? ClusterMode::Off
                                      : ClusterMode::Auto;
    opts_.top_n = size_t(std::max(0, s.value("graph/topN", 0).toInt()));
    std::vector<IpPrefix> subnets;
    for (const QString& t : s.value("graph/localSubnets").toStringList()) {
        IpPrefix p;
        if (IpPrefix::parse(t.trimmed().toStdString(), p))
            subnets.push_back(p);
    }
    local_subnets_ = std::move(subnets);
    detect_local_ = s.value("graph/detectLocal", true).toBool();
}

void HostGraphPane::saveSettings() const
{
    QSettings s;
    s.setValue("graph/nodeTimeout", double(spans_.window_ns) / 1e9);
    s.setValue("graph/linkTimeout", double(spans_.recent_ns) / 1e9);
    s.setValue("graph/rateWindow", double(spans_.rate_ns) / 1e9);
    s.setValue("graph/clusterThreshold", int(opts_.cluster_threshold));
    s.setValue("graph/keepBusiest", int(opts_.keep_busiest_remote));
    s.setValue("graph/sizeBy", opts_.size_by == SizeMetric::Rate ? "rate" : "total");
    s.setValue("graph/cluster", cluster_key(opts_.cluster));
    s.setValue("graph/topN", int(opts_.top_n));
    if (layout_box_)
        s.setValue("graph/layout", layout_box_->currentData().toString());
}

void HostGraphPane::settingsDialog()
{
    QDialog dlg(this);
    dlg.setWindowTitle(tr("Host Graph Settings"));
    auto* form = new QFormLayout(&dlg);
    auto seconds = [&](double v, double min, const QString& tip) {
        auto* b = new QDoubleSpinBox;
        b->setRange(min, 86400);
        b->setDecimals(1);
        b->setSuffix(tr(" s"));
        b->setValue(v);
        b->setToolTip(tip);
        return b;
    };
    auto* node_to = seconds(double(spans_.window_ns) / 1e9, 0,
                            tr("Nodes without traffic this long leave the graph; the graph shows this much history "
                               "(0: everything from the start)"));
    node_to->setSpecialValueText(tr("never"));
    auto* link_to = seconds(double(spans_.recent_ns) / 1e9, 0.1, tr("Links without traffic this long fade"));
    auto* rate = seconds(double(spans_.rate_ns) / 1e9, 0.1, tr("Moving average of throughput and packets per second"));
    auto* threshold = new QSpinBox;
    threshold->setRange(2, 100000);
    threshold->setValue(int(opts_.cluster_threshold));
    threshold->setToolTip(tr("Remote nodes shown before they collapse into clusters"));
    auto* keep = new QSpinBox;
    keep->setRange(0, 1000);
    keep->setValue(int(opts_.keep_busiest_remote));
    keep->setToolTip(tr("The busiest remote hosts stay single when the rest collapse"));
    QStringList subnets;
    for (const IpPrefix& p : local_subnets_)
        subnets << QString::fromStdString(p.to_string());
    auto* local = new QLineEdit(subnets.join(", "));
    local->setPlaceholderText(tr("e.g. 192.0.2.0/24, 2001:db8:1::/64"));
    local->setToolTip(tr("Subnets drawn in the middle as the local network"));
    auto* detect = new QCheckBox(tr("Also detect the local network from the capture"));
    detect->setChecked(QSettings().value("graph/detectLocal", true).toBool());
    form->addRow(tr("Node timeout:"), node_to);
    form->addRow(tr("Link timeout:"), link_to);
    form->addRow(tr("Rate window:"), rate);
    form->addRow(tr("Cluster past:"), threshold);
    form->addRow(tr("Busiest remote kept single:"), keep);
    form->addRow(tr("Local subnets:"), local);
    form->addRow(QString(), detect);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dlg, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dlg, &QDialog::reject);
    if (dlg.exec() != QDialog::Accepted)
        return;
    QStringList good;
    std::vector<IpPrefix> prefixes;
    for (const QString& t : local->text().split(',', Qt::SkipEmptyParts)) {
        IpPrefix p;
        if (IpPrefix::parse(t.trimmed().toStdString(), p)) {
            prefixes.push_back(p);
            good << QString::fromStdString(p.to_string());
        }
    }
    QSettings s;
    s.setValue("graph/localSubnets", good);
    s.setValue("graph/detectLocal", detect->isChecked());
    local_subnets_ = std::move(prefixes);
    detect_local_ = detect->isChecked();
    opts_.cluster_threshold = size_t(threshold->value());
    opts_.keep_busiest_remote = size_t(keep->value());
    WindowSpans sp;
    sp.window_ns = int64_t(node_to->value() * 1e9);
    sp.recent_ns = int64_t(link_to->value() * 1e9);
    sp.rate_ns = int64_t(rate->value() * 1e9);
    setSpans(sp);
    saveSettings();
}

void HostGraphPane::setSession(CaptureSession* session)
{
    if (session_)
        session_->disconnect(this);
    session_ = session;
    sensor_names_.clear();
    playing_ = false;
    follow_ = true;
    view_->setAnimating(false);
    timeline_->setPlaying(false);
    timeline_->setFollowing(true);
    opts_.expanded.clear();
    opts_.hidden_nodes.clear();
    opts_.neighbours_of = 0;
    // Work for the previous capture is cancelled; what it still delivers is dropped.
    generation_ = worker_->set_engine(session_ ? session_->sharedEngine() : nullptr);
    shown_serial_ = posted_serial_;
    expected_end_.reset();
    shown_positioned_ = false;
    shown_time_ = 0;
    busy_timer_->stop();
    busy_shown_ = false;
    view_->layout().clear();
    view_->setScene(GraphScene{});
    since_build_.invalidate();
    if (session_) {
        connect(session_, &CaptureSession::updated, this, &HostGraphPane::refresh);
        connect(session_, &CaptureSession::finished, this, [this] {
            since_build_.invalidate();
            updateFlow();
            refresh();
        });
        view_->setEmptyText(tr("No traffic yet"));
    } else {
        view_->setEmptyText(tr("Open a capture (File ▸ Open, or drop a file here) or start a live capture "
                               "(Capture ▸ Start): hosts appear here as they talk."));
    }
    timeline_->setEnabled(session_ != nullptr);
    updateFlow();
    updateCaption();
    rebuild();
    view_->fitToView();
    refresh();
}

void HostGraphPane::setLayer(Layer layer)
{
    if (layer == opts_.layer)
        return;
    opts_.layer = layer;
    opts_.expanded.clear();
    opts_.hidden_nodes.clear(); // node ids belong to a layer
    opts_.neighbours_of = 0;
    const int i = layer_box_->findData(QString::fromLatin1(layer_name(layer)));
    if (i >= 0 && i != layer_box_->currentIndex())
        layer_box_->setCurrentIndex(i);
    rebuild();
    view_->fitToView();
}

void HostGraphPane::setOptions(const GraphOptions& opts)
{
    opts_ = opts;
    rebuild();
}

void HostGraphPane::setSpans(const WindowSpans& spans)
{
    spans_ = spans;
    rebuild();
}

void HostGraphPane::updateSensorNames()
{
    const size_t known = size_t(sensor_names_.size());
    if (session_)
        session_->engine().with_state([&](const IngestEngine::State& s) {
            if (s.interfaces.size() < known)
                sensor_names_.clear();
            for (size_t i = size_t(sensor_names_.size()); i < s.interfaces.size(); ++i)
                sensor_names_ << QString::fromStdString(s.interfaces[i].name);
        });
    else
        sensor_names_.clear();
    QStringList shown = sensor_names_;
    if (anon_) // the legend names the sensors as View > Anonymise shows them
        for (QString& n : shown)
            n = QString::fromStdString(anon_->sensor(n.toStdString()));
    view_->setColourBySensor(colour_box_->currentData().toString() == "sensor", shown);
}

void HostGraphPane::refresh()
{
    if (!session_)
        return;
    updateSensorNames();
    updateTimeline();
    if (view_->isPaused()) {
        dirty_ = true;
        return;
    }
    if (!follow_)
        return;
    // A file loads in a second or two: a few pictures on the way are enough.
    const bool loading = session_->isRunning() && !session_->isLive();
    if (loading && since_build_.isValid() && since_build_.elapsed() < kLoadingRebuildMs) {
        dirty_ = true;
        return;
    }
    uint64_t first = 0, end = 0;
    if (packetRange(first, end))
        expected_end_ = end;
    request(SceneRequest::Move::End, 0, 0, false, true);
}

void HostGraphPane::updateTimeline()
{
    int64_t first = 0, last = 0;
    if (session_ && captureBounds(first, last))
        timeline_->setRange(first, last);
}

bool HostGraphPane::captureBounds(int64_t& first_ns, int64_t& last_ns) const
{
    return session_ && session_->engine().time_bounds(first_ns, last_ns);
}

bool HostGraphPane::packetRange(uint64_t& first, uint64_t& end) const
{
    if (!session_)
        return false;
    session_->engine().with_state([&](const IngestEngine::State& st) {
        first = st.first_number;
        end = st.first_number + st.index.size();
    });
    return true;
}

uint64_t HostGraphPane::endAt(int64_t t_ns) const { return session_->engine().end_at(t_ns); }

void HostGraphPane::seek(qint64 t_ns)
{
    current_wanted_ = 0;
    if (!session_)
        return;
    follow_ = false;
    timeline_->setFollowing(false);
    updateFlow();
    play_ns_ = double(t_ns);
    expected_end_ = endAt(t_ns);
    request(SceneRequest::Move::Time, t_ns);
}

bool HostGraphPane::step(int direction)
{
    if (!session_)
        return false;
    follow_ = false;
    playing_ = false;
    timeline_->setPlaying(false);
    timeline_->setFollowing(false);
    view_->setAnimating(false);
    updateFlow();
    // From where the last move posted leaves the window, as the cursor would
    // step: the new end (one past the last packet) and its time.
    using Target = std::optional<std::pair<uint64_t, int64_t>>;
    const Target to = session_->engine().with_state([&](const IngestEngine::State& st) -> Target {
        const uint64_t first = st.first_number, end = first + st.index.size();
        uint64_t at = std::clamp(expected_end_.value_or(first), first, end);
        if (direction > 0 ? at >= end : at <= first)
            return std::nullopt;
        if (st.display) {
            // Limited to a display filter: the step goes to the next (previous) packet it shows.
            if (direction > 0) {
                uint64_t c = at;
                while (c < end && !st.display->shown(c))
                    ++c;
                if (c >= end)
                    return std::nullopt;
                at = c + 1;
            } else {
                if (at < first + 2)
                    return std::nullopt;
                uint64_t c = at - 2;
                while (c > first && !st.display->shown(c))
                    --c;
                if (!st.display->shown(c))
                    return std::nullopt;
                at = c + 1;
            }
        } else {
            at = direction > 0 ? at + 1 : at - 1;
        }
        const int64_t t = at > first ? st.index[size_t(at - 1 - first)].ts_ns : time_sub(st.index.front().ts_ns, 1);
        return std::make_pair(at, t);
    });
    if (!to)
        return false;
    expected_end_ = to->first;
    play_ns_ = double(to->second);
    current_wanted_ = to->first - 1;
    request(SceneRequest::Move::Packet, to->second, to->first, true);
    return true;
}

void HostGraphPane::follow()
{
    current_wanted_ = 0;
    if (!session_)
        return;
    follow_ = true;
    playing_ = false;
    timeline_->setPlaying(false);
    timeline_->setFollowing(true);
    view_->setAnimating(false);
    updateFlow();
    uint64_t first = 0, end = 0;
    if (packetRange(first, end))
        expected_end_ = end;
    request(SceneRequest::Move::End);
}

void HostGraphPane::onFrame(double dt)
{
    if (!playing_ || !session_ || view_->isPaused())
        return;
    int64_t first = 0, last = 0;
    if (!captureBounds(first, last))
        return;
    play_ns_ += dt * speed_ * 1e9;
    const bool end = play_ns_ >= double(last);
    if (end) {
        play_ns_ = double(last);
        playing_ = false;
        timeline_->setPlaying(false);
        view_->setAnimating(false);
        updateFlow();
    }
    if (end || !since_build_.isValid() || since_build_.elapsed() >= kPlaybackRebuildMs) {
        // Saturated: the clock may stand at double(INT64_MAX), which is 2^63.
        const int64_t t = time_from_double(play_ns_);
        expected_end_ = endAt(t);
        request(SceneRequest::Move::Time, t, 0, false, true);
    }
}

void HostGraphPane::updateFlow()
{
    const bool live_now = session_ && session_->isLive() && session_->isRunning() && follow_;
    view_->setFlowing(playing_ || live_now);
}

void HostGraphPane::rebuild()
{
    if (!session_) {
        view_->setScene(GraphScene{});
        view_->setCaption({});
        return;
    }
    request(SceneRequest::Move::None);
}

void HostGraphPane::request(SceneRequest::Move move, int64_t t_ns, uint64_t end, bool pulse, bool quiet)
{
    dirty_ = false;
    since_build_.restart();
    opts_.keep = view_->selectedId();
    SceneRequest r;
    r.move = move;
    r.time_ns = t_ns;
    r.end = end;
    r.pulse = pulse;
    r.options = opts_;
    r.spans = spans_;
    r.local_subnets = local_subnets_;
    r.detect_local = detect_local_;
    // What the caption says if this takes long: the move asked for (an
    // option change keeps the move still on its way).
    if (move != SceneRequest::Move::None || !isBusy()) {
        busy_move_ = move;
        busy_time_ = t_ns;
        busy_end_ = end;
        busy_quiet_ = quiet;
    }
    posted_serial_ = worker_->post(std::move(r));
    if (busy_shown_)
        updateCaption();
    else if (!busy_timer_->isActive())
        busy_timer_->start();
}

void HostGraphPane::onScene(SceneResult&& result)
{
    if (result.generation != generation_ || result.serial <= shown_serial_)
        return; // for another capture, or older than what is shown
    shown_serial_ = result.serial;
    shown_positioned_ = result.positioned;
    shown_time_ = result.time_ns;
    if (!isBusy())
        expected_end_ = result.positioned ? std::optional<uint64_t>(result.end) : std::nullopt;
    view_->setScene(std::move(result.scene));
    updateLegendStrip();
    // Under a slider the user is dragging, the position is the user's.
    if (shown_positioned_ && !timeline_->isDragging())
        timeline_->setPosition(shown_time_);
    // A step: once a scene ends at the packet stepped to, it is the current
    // one (a later request may have answered in place of the step's own).
    if (current_wanted_ && result.positioned && result.end == current_wanted_ + 1) {
        const quint64 n = current_wanted_;
        current_wanted_ = 0;
        showCurrentPacket(n);
    }
    // Playing: each packet that entered the window travels as a token, while few enough to follow.
    if (playing_ && result.positioned) {
        const bool moved = result.end != played_end_;
        if (result.end > played_end_ && played_end_ && result.end - played_end_ <= 6)
            for (uint64_t n = played_end_; n < result.end; ++n)
                pulsePacket(n);
        played_end_ = result.end;
        if (result.end > 1 && moved) {
            const quint64 n = result.end - 1;
            timeline_->setCurrentPacket(n, shown_time_, std::nullopt);
            // The newest packet played is the current one: the list selects
            // it and its comment is the caption. Its token (if any) has left.
            last_pulse_ = n;
            last_pulse_clock_.restart();
            emit packetStepped(n);
        }
    }
    if (!isBusy()) {
        busy_timer_->stop();
        busy_shown_ = false;
    } else if (!busy_shown_) {
        busy_timer_->start(); // the next scene asked for has this long before the caption says so
    }
    updateCaption();
    emit sceneShown();
}

bool HostGraphPane::waitForScene(int timeout_ms)
{
    QElapsedTimer clock;
    clock.start();
    // Events handled on the way may post more requests (the session's
    // updates): wait until none is outstanding.
    while (isBusy()) {
        const qint64 left = timeout_ms - clock.elapsed();
        if (left <= 0)
            return false;
        QEventLoop loop;
        QTimer timeout;
        timeout.setSingleShot(true);
        connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
        connect(this, &HostGraphPane::sceneShown, &loop, [&] {
            if (!isBusy())
                loop.quit();
        });
        timeout.start(int(left));
        loop.exec();
    }
    return true;
}

void HostGraphPane::updateCaption()
{
    QString c = caption();
    if (busy_shown_ && isBusy() && !busy_quiet_) {
        int64_t first = 0, last = 0;
        captureBounds(first, last);
        switch (busy_move_) {
        case SceneRequest::Move::Time:
            c += tr(" · moving to %1 s…").arg(std::max(0.0, double(busy_time_ - first) / 1e9), 0, 'f', 1);
            break;
        case SceneRequest::Move::Packet:
            c += tr(" · moving to packet %1…").arg(QLocale().toString(qulonglong(busy_end_ - 1)));
            break;
        case SceneRequest::Move::End: c += tr(" · moving to the newest packet…"); break;
        case SceneRequest::Move::None: c += tr(" · updating…"); break;
        }
    }
    view_->setCaption(c);
}

void HostGraphPane::showAllHosts()
{
    if (opts_.hidden_nodes.empty() && !opts_.neighbours_of)
        return;
    opts_.hidden_nodes.clear();
    opts_.neighbours_of = 0;
    rebuild();
}

QString HostGraphPane::caption() const
{
    const GraphScene& s = view_->scene();
    const QLocale loc;
    QString c = tr("%1 · %n hosts", nullptr, int(s.hosts)).arg(QString::fromLatin1(layer_name(s.layer)));
    if (s.clustered)
        c += tr(" (%1 in clusters)").arg(loc.toString(qulonglong(s.clustered)));
    if (s.filtered_out > s.hidden_by_user)
        c += tr(" · %1 nodes filtered out").arg(loc.toString(qulonglong(s.filtered_out - s.hidden_by_user)));
    if (opts_.neighbours_of)
        c += tr(" · only a host's neighbours");
    if (s.hidden_by_user)
        c += tr(" · %1 hidden (right-click: Show All Hosts)").arg(loc.toString(qulonglong(s.hidden_by_user)));
    if (!display_limit_.isEmpty())
        c += tr(" · filtered: %1").arg(display_limit_);
    int64_t first = 0, last = 0;
    if (shown_positioned_ && captureBounds(first, last)) {
        const double at = seconds_between(first, shown_time_);
        c += spans_.window_ns > 0 ? tr(" · %1 s to %2 s").arg(std::max(0.0, at - double(spans_.window_ns) / 1e9), 0, 'f', 1).arg(at, 0, 'f', 1)
                                  : tr(" · start to %1 s").arg(at, 0, 'f', 1);
    }
    return c;
}

void HostGraphPane::setDisplayLimit(const QString& expr)
{
    if (expr == display_limit_)
        return;
    display_limit_ = expr;
    updateCaption();
    displayChanged();
}

void HostGraphPane::displayChanged()
{
    if (!session_)
        return;
    if (follow_)
        refresh();
    else
        rebuild();
}

NodeSelection HostGraphPane::selection() const { return selection_of(view_->scene(), view_->viewState().selected); }

void HostGraphPane::setCaptionText(const QString& text)
{
    caption_bar_->setText(text);
    caption_bar_->setVisible(!text.isEmpty() && captions_shown_);
}

QString HostGraphPane::captionText() const { return caption_bar_->text(); }

void HostGraphPane::setCaptionsShown(bool on)
{
    captions_shown_ = on;
    caption_bar_->setVisible(on && !caption_bar_->text().isEmpty());
}

void HostGraphPane::setLegendOutside(bool on)
{
    legend_strip_->setVisible(on);
    view_->setLegendShown(!on);
    updateLegendStrip();
}

QWidget* HostGraphPane::legendStrip() const { return legend_strip_; }

void HostGraphPane::updateLegendStrip()
{
    if (legend_strip_->isHidden())
        return;
    std::vector<LegendStrip::Entry> entries;
    for (const auto& [proto, packets] : view_->scene().protocols)
        entries.push_back({GraphRenderer::protocolName(proto), GraphRenderer::protocolColor(proto), int(proto),
                           opts_.hidden.test(size_t(proto))});
    legend_strip_->setEntries(std::move(entries));
}

void HostGraphPane::setScale(double scale)
{
    scale_ = std::clamp(scale, 1.0, 3.0);
    // The caption reads from the back of a room: half as large again as the text around it, times the scale.
    QFont f = font();
    f.setPointSizeF(QFontInfo(font()).pointSizeF() * 1.5 * scale_);
    caption_bar_->setFont(f);
    QFont lf = font();
    lf.setPointSizeF(QFontInfo(font()).pointSizeF() * scale_);
    legend_strip_->setFont(lf);
    // The transport's time and speed read from the back too.
    QFont tf = font();
    tf.setPointSizeF(QFontInfo(font()).pointSizeF() * std::min(scale_, 1.6));
    timeline_->setFont(scale_ > 1 ? tf : font());
    view_->setScale(scale_);
}

void HostGraphPane::goToPacket(quint64 number)
{
    if (!session_ || number == 0)
        return;
    follow_ = false;
    playing_ = false;
    timeline_->setPlaying(false);
    timeline_->setFollowing(false);
    view_->setAnimating(false);
    updateFlow();
    const std::optional<int64_t> t = session_->engine().with_state([&](const IngestEngine::State& st) -> std::optional<int64_t> {
        if (number < st.first_number || number - st.first_number >= st.index.size())
            return std::nullopt;
        return st.index[size_t(number - st.first_number)].ts_ns;
    });
    if (!t)
        return;
    expected_end_ = number + 1;
    play_ns_ = double(*t);
    current_wanted_ = number;
    request(SceneRequest::Move::Packet, *t, number + 1, true);
}

void HostGraphPane::goToStart()
{
    uint64_t first = 0, end = 0;
    if (packetRange(first, end) && end > first)
        goToPacket(first);
}

QString HostGraphPane::packetLabel(quint64 number) const
{
    if (!session_)
        return {};
    const IngestEngine& engine = session_->engine();
    const auto e = engine.with_state([&](const IngestEngine::State& st) -> std::optional<PacketIndexEntry> {
        if (number < st.first_number || number - st.first_number >= st.index.size())
            return std::nullopt;
        return st.index[size_t(number - st.first_number)];
    });
    if (!e)
        return {};
    const std::vector<uint8_t> bytes = engine.packet_bytes(number);
    if (bytes.size() != e->caplen)
        return {};
    const uint32_t lt = engine.link_type_of(e->interface_id);
    if (anon_) { // the summary of the packet the anonymised file holds
        const std::vector<uint8_t> out = anon_->rewrite(lt, Bytes(bytes.data(), bytes.size()), e->origlen);
        const PacketSummary s = summarize_packet(lt, Bytes(out.data(), out.size()), e->origlen);
        return QString::fromStdString(anon_->text(s.protocol + "  " + s.info));
    }
    const PacketSummary s = summarize_packet(lt, Bytes(bytes.data(), bytes.size()), e->origlen);
    return QString::fromStdString(s.protocol + "  " + s.info);
}

void HostGraphPane::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    anon_ = anonymizer;
    view_->setAnonymizer(std::move(anonymizer));
    updateSensorNames(); // the sensor legend's names too
}

double HostGraphPane::tokenSeconds() const
{
    // Slow enough to follow when narrating slowly; brisk when playing fast.
    return std::clamp(1.8 / std::sqrt(std::max(0.01, speed_)), 1.0, 5.0);
}

void HostGraphPane::showCurrentPacket(quint64 number)
{
    if (!session_ || number == 0)
        return;
    const auto times = session_->engine().with_state([&](const IngestEngine::State& st) {
        std::pair<std::optional<int64_t>, std::optional<int64_t>> r;
        if (number >= st.first_number && number - st.first_number < st.index.size()) {
            const size_t i = size_t(number - st.first_number);
            r.first = st.index[i].ts_ns;
            if (i > 0)
                r.second = st.index[i - 1].ts_ns;
        }
        return r;
    });
    if (times.first)
        timeline_->setCurrentPacket(number, *times.first, times.second);
    pulsePacket(number); // the packet travels its link now that the scene shows it
    emit packetStepped(number);
}

void HostGraphPane::pulsePacket(quint64 number)
{
    if (!session_ || number == 0)
        return;
    // The list selects a packet a step made current, and asks again: one token is enough.
    if (number == last_pulse_ && last_pulse_clock_.isValid() && last_pulse_clock_.elapsed() < 300)
        return;
    last_pulse_ = number;
    last_pulse_clock_.restart();
    const IngestEngine& engine = session_->engine();
    auto entry = engine.with_state([&](const IngestEngine::State& st) -> std::optional<PacketIndexEntry> {
        if (number < st.first_number || number - st.first_number >= st.index.size())
            return std::nullopt;
        return st.index[size_t(number - st.first_number)];
    });
    if (!entry)
        return;
    DecodedPacket dp;
    if (!engine.decode(number, *entry, dp))
        return;
    Endpoint src, dst;
    if (!TrafficModel::endpoints(opts_.layer, dp, src, dst))
        return;
    const GraphScene& s = view_->scene();
    const int link = s.link_between(node_id(src), node_id(dst));
    if (link < 0)
        return;
    auto shown = s.shown_as.find(node_id(src));
    const bool forward = shown != s.shown_as.end() && s.nodes[s.links[size_t(link)].a].id == shown->second;
    view_->pulseLink(link, forward, tokenSeconds(), packetLabel(number));
}

bool HostGraphPane::exportGraph(const QString& path, QString* error)
{
    QSize size = view_->size();
    if (size.width() < 1600)
        size = size.scaled(1600, 100000, Qt::KeepAspectRatio);
    return view_->exportImage(path, size, error);
}

void HostGraphPane::exportDialog()
{
    QSettings s;
    const QString dir = s.value("files/lastExportDir", s.value("files/lastDir").toString()).toString();
    QString selected;
    QString path = QFileDialog::getSaveFileName(this, tr("Export Graph"), dir,
                                                tr("PNG image (*.png);;SVG drawing (*.svg)"), &selected);
    if (path.isEmpty())
        return;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != "png" && suffix != "svg")
        path += selected.contains("svg") ? ".svg" : ".png";
    s.setValue("files/lastExportDir", QFileInfo(path).absolutePath());
    QString err;
    if (!exportGraph(path, &err))
        QMessageBox::warning(this, tr("Cannot export the graph"), err);
}

} // namespace underhood
