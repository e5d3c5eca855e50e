#include "throughput_plot.h"

#include "display_anonymizer.h"

#include "glyph_icon.h"
#include "packet_list_view.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSpinBox>
#include <QTextStream>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

namespace underhood {

namespace {

// Views show about one bin per two pixels, never more than this.
constexpr int kMaxShownBins = 4000;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;

// The start of bin i of `width` from `from`, saturated (bins near either end
// of the int64 range).
int64_t bin_start(int64_t from, size_t i, int64_t width) { return clamp_time(TimeWide(from) + TimeWide(i) * width); }

QString si(double v, const QString& unit)
{
    static const char* prefixes[] = {"", "k", "M", "G", "T", "P"};
    int i = 0;
    double a = std::fabs(v);
    while (a >= 1000 && i < 5) {
        a /= 1000;
        v /= 1000;
        ++i;
    }
    const int decimals = a == 0 ? 0 : a < 10 ? 2 : a < 100 ? 1 : 0;
    QString n = QString::number(v, 'f', decimals);
    if (n.contains('.')) {
        while (n.endsWith('0'))
            n.chop(1);
        if (n.endsWith('.'))
            n.chop(1);
    }
    return QStringLiteral("%1 %2%3").arg(n, QLatin1String(prefixes[i]), unit);
}

// Rate labels with SI prefixes ("1.5 Mb/s") on a linear or log axis.
template <class Base>
class RateTicker : public Base {
public:
    QString unit;

protected:
    QString getTickLabel(double tick, const QLocale&, QChar, int) override { return si(tick, unit); }
};

// Seconds since the first packet: "12.5 s", "4:05", "1:02:03".
class ElapsedTicker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange& range) override
    {
        step_ = QCPAxisTicker::getTickStep(range);
        return step_;
    }
    QString getTickLabel(double tick, const QLocale& locale, QChar format, int precision) override
    {
        const double a = std::fabs(tick);
        if (a < 60 || step_ >= 3600 * 24)
            return QCPAxisTicker::getTickLabel(tick, locale, format, precision) + " s";
        const QString sign = tick < 0 ? "-" : "";
        const qint64 whole = qint64(std::floor(a));
        const double frac = a - double(whole);
        QString secs = QString("%1").arg(whole % 60, 2, 10, QChar('0'));
        if (step_ < 1) {
            const int decimals = std::clamp(int(std::ceil(-std::log10(step_))), 1, 3);
            secs += QString::number(frac, 'f', decimals).mid(1);
        }
        if (whole >= 3600)
            return QString("%1%2:%3:%4").arg(sign).arg(whole / 3600).arg((whole / 60) % 60, 2, 10, QChar('0')).arg(secs);
        return QString("%1%2:%3").arg(sign).arg(whole / 60).arg(secs);
    }

private:
    double step_ = 1;
};

const QColor kFallback[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59),
                            QColor(0x76, 0xb7, 0xb2), QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48),
                            QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f),
                            QColor(0x86, 0xbc, 0xb6), QColor(0xd3, 0x72, 0x95), QColor(0x49, 0x98, 0x94)};

bool is_dark(const QPalette& p) { return p.color(QPalette::Window).lightnessF() < 0.5; }

} // namespace

int64_t nice_bin_width(int64_t base_ns, int64_t span_ns, int max_bins)
{
    static const int64_t steps[] = {kMs,       2 * kMs,    5 * kMs,    10 * kMs,   20 * kMs,   50 * kMs,
                                    100 * kMs, 200 * kMs,  500 * kMs,  kSec,       2 * kSec,   5 * kSec,
                                    10 * kSec, 15 * kSec,  30 * kSec,  60 * kSec,  120 * kSec, 300 * kSec,
                                    600 * kSec, 900 * kSec, 1800 * kSec, 3600 * kSec};
    base_ns = std::max<int64_t>(base_ns, 1);
    const int64_t want = std::max<int64_t>(base_ns, std::max<int64_t>(span_ns, 0) / std::max(1, max_bins) + 1);
    int64_t w = 0;
    for (int64_t s : steps)
        if (s >= want) {
            w = s;
            break;
        }
    if (!w)
        w = clamp_time(ceil_div(want, 3600 * kSec) * (3600 * kSec));
    // Bins are sums of whole base bins.
    return clamp_time(ceil_div(w, base_ns) * base_ns);
}

QString bin_width_text(int64_t w)
{
    if (w < kMs)
        return QString("%1 µs").arg(double(w) / 1e3, 0, 'g', 3);
    if (w < kSec)
        return QString("%1 ms").arg(double(w) / 1e6, 0, 'g', 4);
    if (w < 60 * kSec || w % (60 * kSec) != 0)
        return QString("%1 s").arg(double(w) / 1e9, 0, 'g', 4);
    return QString("%1 min").arg(w / (60 * kSec));
}

ThroughputPlot::ThroughputPlot(QWidget* parent) : QWidget(parent)
{
    setObjectName("throughputPlot");
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->setSpacing(4);
    buildControls();

    plot_ = new QCustomPlot;
    plot_->setObjectName("throughputCanvas");
    plot_->setMinimumHeight(100);
    plot_->setContextMenuPolicy(Qt::CustomContextMenu);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->setNoAntialiasingOnDrag(true);
    // Step areas have straight edges: antialiasing them costs time and shows nothing.
    plot_->setNotAntialiasedElements(QCP::aeFills);
    plot_->setPlottingHints(QCP::phCacheLabels);
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new ElapsedTicker));
    // Fewer ticks on a short or narrow plot, so tick labels never touch. The
    // layout tells the axis lengths; a change shows from the next frame.
    // Never inside the layout pass itself: changing axes while QCustomPlot
    // lays out and paints (an export, a replot) would pull its label cache
    // from under it. The fit runs after it, once per burst of layouts.
    connect(plot_, &QCustomPlot::afterLayout, this, [this] {
        if (fit_pending_)
            return;
        fit_pending_ = true;
        QMetaObject::invokeMethod(this, [this] {
            fit_pending_ = false;
            fitTicks();
        }, Qt::QueuedConnection);
    });
    plot_->xAxis->setLabel(tr("time since the first packet"));
    plot_->yAxis2->setRange(0, 1); // drop marks sit at the bottom whatever the scale
    plot_->yAxis2->setVisible(false);
    plot_->legend->setVisible(true);
    // The legend is a row above the plot, never over the data.
    auto* legend_row = new QCPLayoutGrid;
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, legend_row);
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    legend_row->addElement(0, 0, plot_->legend);
    legend_row->addElement(0, 1, new QCPLayoutElement(plot_)); // keeps the entries together on the left
    legend_row->setColumnStretchFactors({0.001, 1});
    legend_row->setMargins(QMargins(0, 0, 0, 0));
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    plot_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    plot_->legend->setWrap(12);
    plot_->legend->setColumnSpacing(10);
    plot_->legend->setMargins(QMargins(4, 2, 4, 2));
    QFont lf = font();
    lf.setPointSizeF(lf.pointSizeF() * 0.85);
    plot_->legend->setFont(lf);
    plot_->legend->setIconSize(14, 8);

    drops_graph_ = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    drops_graph_->setName(tr("drops"));
    drops_graph_->setLineStyle(QCPGraph::lsImpulse);
    drops_graph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, 8));
    drops_graph_->setAdaptiveSampling(false);

    empty_text_ = new QCPItemText(plot_);
    empty_text_->position->setType(QCPItemPosition::ptAxisRectRatio);
    empty_text_->position->setCoords(0.5, 0.45);
    empty_text_->setClipToAxisRect(false);

    selection_ = new QCPItemRect(plot_);
    selection_->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
    selection_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    selection_->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
    selection_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    selection_->setVisible(false);
    selection_->setSelectable(false);

    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &ThroughputPlot::onRangeChanged);
    // A plain drag pans; Shift+drag selects a time range.
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        plot_->setSelectionRectMode(e->modifiers() & Qt::ShiftModifier ? QCP::srmCustom : QCP::srmNone);
    });
    connect(plot_->selectionRect(), &QCPSelectionRect::accepted, this,
            [this](const QRect& r, QMouseEvent*) { onSelection(r); });
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { setFollowing(true); });
    connect(plot_, &QCustomPlot::mouseMove, this, &ThroughputPlot::onMouseMove);
    connect(plot_, &QWidget::customContextMenuRequested, this, &ThroughputPlot::contextMenu);
    lay->addWidget(plot_, 1);

    rebuild_timer_ = new QTimer(this);
    rebuild_timer_->setSingleShot(true);
    rebuild_timer_->setInterval(15);
    connect(rebuild_timer_, &QTimer::timeout, this, &ThroughputPlot::rebuild);

    restyle();
    updateControls();
    applyData();
}

ThroughputPlot::~ThroughputPlot() { stopEndpointSeries(); }

void ThroughputPlot::buildControls()
{
    auto* row = new QHBoxLayout;
    row->setSpacing(6);
    unit_box_ = new QComboBox;
    unit_box_->addItems({tr("Bits/s"), tr("Packets/s")});
    unit_box_->setToolTip(tr("Plot bits per second or packets per second"));
    connect(unit_box_, &QComboBox::currentIndexChanged, this, [this](int i) { setUnit(i ? Unit::Packets : Unit::Bits); });
    style_box_ = new QComboBox;
    style_box_->addItems({tr("Stacked"), tr("Lines")});
    style_box_->setToolTip(tr("Protocols stacked on each other, or each as its own line beside the total"));
    connect(style_box_, &QComboBox::currentIndexChanged, this,
            [this](int i) { setStyle(i ? Style::Lines : Style::Stacked); });
    top_box_ = new QSpinBox;
    top_box_->setRange(1, 12);
    top_box_->setValue(top_n_);
    top_box_->setPrefix(tr("top "));
    top_box_->setToolTip(tr("How many protocols get their own series (by bytes); the rest is \"other\""));
    connect(top_box_, &QSpinBox::valueChanged, this, &ThroughputPlot::setTopN);
    avg_box_ = new QCheckBox(tr("Average"));
    avg_box_->setToolTip(tr("Moving average of the total over %1 bins").arg(kMovingAverageBins));
    connect(avg_box_, &QCheckBox::toggled, this, &ThroughputPlot::setMovingAverage);
    log_box_ = new QCheckBox(tr("Log"));
    log_box_->setToolTip(tr("Logarithmic rate axis: quiet protocols stay visible beside busy ones"));
    connect(log_box_, &QCheckBox::toggled, this, &ThroughputPlot::setLogScale);
    window_box_ = new QComboBox;
    for (int s : {10, 30, 60, 300, 900, 3600})
        window_box_->addItem(s < 60 ? tr("last %1 s").arg(s) : tr("last %1 min").arg(s / 60), s);
    window_box_->setCurrentIndex(2);
    window_box_->setToolTip(tr("How much of the live capture stays in view"));
    connect(window_box_, &QComboBox::currentIndexChanged, this,
            [this](int i) { setLiveWindow(window_box_->itemData(i).toInt()); });
    pause_btn_ = new QToolButton;
    pause_btn_->setCheckable(true);
    pause_btn_->setIcon(glyphIcon(Glyph::Pause));
    pause_btn_->setToolTip(tr("Pause the plot (the capture goes on)"));
    connect(pause_btn_, &QToolButton::toggled, this, &ThroughputPlot::setPaused);
    follow_btn_ = new QToolButton;
    follow_btn_->setCheckable(true);
    follow_btn_->setChecked(true);
    connect(follow_btn_, &QToolButton::toggled, this, &ThroughputPlot::setFollowing);
    focus_edit_ = new QLineEdit;
    focus_edit_->setPlaceholderText(tr("host or a <-> b"));
    focus_edit_->setClearButtonEnabled(true);
    focus_edit_->setToolTip(tr("Plot one host (10.0.0.1, aa:bb:cc:dd:ee:ff, 10.0.0.1:53) or one conversation "
                               "(10.0.0.1 <-> 10.0.0.2) over the rest; Enter to apply"));
    focus_edit_->setFixedWidth(fontMetrics().horizontalAdvance(QStringLiteral("192.168.100.100 <-> 10.0.0.1")));
    connect(focus_edit_, &QLineEdit::returnPressed, this, [this] {
        const QString t = focus_edit_->text().trimmed();
        if (t.isEmpty()) {
            setEndpointFilter(std::nullopt);
            return;
        }
        // Typed with the pseudonyms on screen: the host they stand for.
        auto f = EndpointFilter::parse(anon_ ? anon_->original(t.toStdString()) : t.toStdString());
        focus_edit_->setStyleSheet(f ? QString() : QString("QLineEdit { color: #d04040; }"));
        if (f)
            setEndpointFilter(f);
    });
    connect(focus_edit_, &QLineEdit::textChanged, this, [this](const QString& t) {
        focus_edit_->setStyleSheet(QString());
        if (t.isEmpty())
            setEndpointFilter(std::nullopt);
    });
    export_btn_ = new QToolButton;
    export_btn_->setText(tr("Export"));
    export_btn_->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(export_btn_);
    menu->addAction(tr("PNG image…"), this, [this] { exportDialog("png"); });
    menu->addAction(tr("PDF…"), this, [this] { exportDialog("pdf"); });
    menu->addAction(tr("CSV of the bins in view…"), this, [this] { exportDialog("csv"); });
    export_btn_->setMenu(menu);
    bin_label_ = new QLabel;
    bin_label_->setToolTip(tr("Width of one bin: it follows the zoom, down to 1 ms"));

    row->addWidget(unit_box_);
    row->addWidget(style_box_);
    row->addWidget(top_box_);
    row->addWidget(avg_box_);
    row->addWidget(log_box_);
    row->addSpacing(6);
    row->addWidget(window_box_);
    row->addWidget(pause_btn_);
    row->addWidget(follow_btn_);
    row->addSpacing(6);
    row->addWidget(focus_edit_);
    row->addStretch(1);
    row->addWidget(export_btn_);
    row->addWidget(bin_label_);
    static_cast<QVBoxLayout*>(layout())->addLayout(row);
}

void ThroughputPlot::updateControls()
{
    window_box_->setVisible(live_);
    pause_btn_->setVisible(live_);
    follow_btn_->setText(live_ ? tr("Follow") : tr("All"));
    follow_btn_->setToolTip(live_ ? tr("Keep the newest packets in view (double-click the plot)")
                                  : tr("Show the whole capture (double-click the plot)"));
    {
        QSignalBlocker b(follow_btn_);
        follow_btn_->setChecked(following_);
    }
    {
        QSignalBlocker b(pause_btn_);
        pause_btn_->setChecked(paused_);
    }
    bin_label_->setText(width_ ? tr("bin %1").arg(bin_width_text(width_)) : QString());
}

void ThroughputPlot::restyle()
{
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::Text), base = pal.color(QPalette::Base);
    QColor grid = pal.color(QPalette::Mid);
    grid.setAlpha(is_dark(pal) ? 90 : 110);
    plot_->setBackground(base);
    for (QCPAxis* ax : {plot_->xAxis, plot_->yAxis}) {
        ax->setBasePen(QPen(text));
        ax->setTickPen(QPen(text));
        ax->setSubTickPen(QPen(text));
        ax->setTickLabelColor(text);
        ax->setLabelColor(text);
        ax->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        ax->grid()->setZeroLinePen(Qt::NoPen);
    }
    plot_->legend->setBrush(Qt::NoBrush);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setTextColor(text);
    empty_text_->setColor(pal.color(QPalette::PlaceholderText));
    QColor sel = pal.color(QPalette::Highlight);
    selection_->setPen(QPen(sel));
    sel.setAlpha(50);
    selection_->setBrush(sel);
    const QColor drop = is_dark(pal) ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
    drops_graph_->setPen(QPen(drop, 1.5));
    QCPScatterStyle ss(QCPScatterStyle::ssTriangle, drop, drop, 8);
    drops_graph_->setScatterStyle(ss);
    plot_->selectionRect()->setPen(QPen(pal.color(QPalette::Highlight)));
    QColor sb = pal.color(QPalette::Highlight);
    sb.setAlpha(40);
    plot_->selectionRect()->setBrush(sb);
}

void ThroughputPlot::changeEvent(QEvent* e)
{
    if (e->type() == QEvent::PaletteChange) {
        restyle();
        applyData();
    }
    QWidget::changeEvent(e);
}

void ThroughputPlot::showEvent(QShowEvent* e)
{
    QWidget::showEvent(e);
    refresh();
}

void ThroughputPlot::setSession(CaptureSession* s)
{
    stopEndpointSeries();
    session_ = s;
    live_ = s && s->isLive();
    have_origin_ = false;
    origin_ = first_ns_ = last_ns_ = 0;
    view_from_ = view_to_ = width_ = 0;
    following_ = true;
    paused_ = false;
    shown_.clear();
    drop_events_.clear();
    endpoint_ = {};
    selected_.reset();
    selection_->setVisible(false);
    updateControls();
    refresh();
}

void ThroughputPlot::refresh()
{
    if (session_ && (!isVisible() || visibleRegion().isEmpty()))
        return; // hidden, or behind another tab: catch up when shown
    if (paused_ && live_)
        return;
    // A file the user zoomed into keeps its bins; a live view re-sums the
    // newest bins (they are still filling) whatever its range.
    if (following_ || live_ || !session_)
        rebuild();
}

void ThroughputPlot::scheduleRebuild()
{
    if (!rebuild_timer_->isActive())
        rebuild_timer_->start();
}

void ThroughputPlot::setUnit(Unit u)
{
    unit_ = u;
    QSignalBlocker b(unit_box_);
    unit_box_->setCurrentIndex(u == Unit::Packets ? 1 : 0);
    applyData();
}

void ThroughputPlot::setStyle(Style s)
{
    style_ = s;
    QSignalBlocker b(style_box_);
    style_box_->setCurrentIndex(s == Style::Lines ? 1 : 0);
    applyData();
}

void ThroughputPlot::setTopN(int n)
{
    top_n_ = std::clamp(n, 1, 12);
    QSignalBlocker b(top_box_);
    top_box_->setValue(top_n_);
    rebuild();
}

void ThroughputPlot::setMovingAverage(bool on)
{
    average_ = on;
    QSignalBlocker b(avg_box_);
    avg_box_->setChecked(on);
    applyData();
}

void ThroughputPlot::setLogScale(bool on)
{
    log_ = on;
    QSignalBlocker b(log_box_);
    log_box_->setChecked(on);
    applyData();
}

void ThroughputPlot::setLiveWindow(int seconds)
{
    live_window_s_ = std::max(1, seconds);
    const int i = window_box_->findData(live_window_s_);
    if (i >= 0) {
        QSignalBlocker b(window_box_);
        window_box_->setCurrentIndex(i);
    }
    if (live_) {
        following_ = true;
        updateControls();
        rebuild();
    }
}

void ThroughputPlot::setPaused(bool on)
{
    paused_ = on;
    updateControls();
    if (!on)
        refresh();
}

void ThroughputPlot::setFollowing(bool on)
{
    following_ = on;
    if (on)
        paused_ = false;
    updateControls();
    rebuild();
}

void ThroughputPlot::setViewRange(int64_t from_ns, int64_t to_ns)
{
    if (to_ns <= from_ns)
        return;
    following_ = false;
    view_from_ = from_ns;
    view_to_ = to_ns;
    updateControls();
    setting_range_ = true;
    plot_->xAxis->setRange(toKey(from_ns), toKey(to_ns));
    setting_range_ = false;
    rebuild();
}

void ThroughputPlot::onRangeChanged(const QCPRange& r)
{
    if (setting_range_)
        return;
    // The user zoomed or panned: stop following, re-bin for the new range.
    const bool was = following_;
    following_ = false;
    view_from_ = toNs(r.lower);
    view_to_ = toNs(r.upper);
    if (was)
        updateControls();
    scheduleRebuild();
}

void ThroughputPlot::setDropEvents(const std::vector<DropEvent>& events)
{
    if (events.size() == drop_events_.size() &&
        std::equal(events.begin(), events.end(), drop_events_.begin(),
                   [](const DropEvent& a, const DropEvent& b) { return a.ts_ns == b.ts_ns && a.dropped == b.dropped; }))
        return;
    drop_events_ = events;
    applyData();
}

void ThroughputPlot::rebuild()
{
    if (!session_) {
        shown_.clear();
        width_ = 0;
        applyData();
        return;
    }
    const int px = std::max(200, plot_->axisRect()->width());
    const int max_bins = std::min(kMaxShownBins, px / 2);
    const bool following = following_;
    const bool live = live_;
    const int64_t window = int64_t(live_window_s_) * kSec;
    int64_t from = view_from_, to = view_to_;
    const int top_n = top_n_;
    struct Result {
        bool any = false;
        int64_t first = 0, last = 0, width = 0, from = 0, to = 0;
        std::vector<ShownSeries> series;
    };
    Result res = session_->engine().with_state([&](const IngestEngine::State& st) {
        Result r;
        // The time axis spans the whole capture; the series count what the
        // views show (the display filter's packets while limited to it).
        const CaptureTotals& t = st.model.totals();
        const ThroughputSeries& all = st.model.throughput();
        const ThroughputSeries& ts = st.shown().throughput();
        if (!t.any || all.bin_count() == 0)
            return r;
        r.any = true;
        r.first = t.first_ns;
        r.last = t.last_ns;
        const int64_t base = all.base_ns();
        if (following) {
            if (live) {
                // A capture younger than the window fills it from the left.
                to = t.last_ns;
                from = std::max(t.first_ns, time_sub(to, window));
            } else {
                from = t.first_ns;
                to = time_add(t.last_ns, base);
            }
        }
        if (to <= from) {
            to = time_add(from, base);
            from = time_sub(to, base); // when `from` is INT64_MAX
        }
        // Following live, the bins suit the whole window, so they keep their
        // width while a young capture fills it.
        r.width = nice_bin_width(base, following && live ? window : time_sub(to, from), max_bins);
        // Bins line up with the series' origin so they stay put while panning
        // (128-bit: times and origin may lie 2^64 ns apart).
        auto align = [&](int64_t v) {
            const TimeWide origin = all.origin_ns();
            return clamp_time(origin + floor_div(TimeWide(v) - origin, r.width) * r.width);
        };
        r.from = align(from);
        r.to = time_add(align(time_sub(to, 1)), r.width);
        if (following && live)
            r.to = std::max(time_add(r.from, r.width), align(t.last_ns)); // the newest bin is still filling
        // The top protocols over the whole capture keep their colours stable.
        std::map<Proto, uint64_t> by_top;
        for (const auto& [path, ps] : st.shown().protocol_leaves())
            if (path.depth)
                by_top[path.path[size_t(path.depth - 1)]] += ps.bytes;
        std::vector<std::pair<uint64_t, Proto>> tops;
        for (auto [p, b] : by_top)
            if (p != Proto::None)
                tops.emplace_back(b, p);
        std::sort(tops.begin(), tops.end(), [](auto& a, auto& b) { return a.first > b.first; });
        ShownSeries total;
        total.name = tr("all");
        total.total = true;
        total.bins = ts.rebin(r.width, r.from, r.to);
        r.series.push_back(std::move(total));
        const bool any_other = int(tops.size()) > top_n;
        for (size_t i = 0; i < tops.size() && int(i) < top_n; ++i) {
            ShownSeries s;
            s.proto = tops[i].second;
            s.name = QString::fromLatin1(proto_name(s.proto).data()).toUpper();
            s.bins = ts.rebin(r.width, r.from, r.to, s.proto);
            r.series.push_back(std::move(s));
        }
        // "other": everything not in a top series (also undecoded packets).
        ShownSeries other;
        other.name = tr("other");
        other.other = true;
        other.bins = r.series[0].bins;
        for (size_t k = 1; k < r.series.size(); ++k)
            for (size_t i = 0; i < other.bins.size(); ++i) {
                other.bins[i].packets -= std::min(other.bins[i].packets, r.series[k].bins[i].packets);
                other.bins[i].bytes -= std::min(other.bins[i].bytes, r.series[k].bins[i].bytes);
            }
        bool nonzero = any_other;
        for (const ThroughputBin& b : other.bins)
            nonzero = nonzero || b.packets;
        if (nonzero)
            r.series.push_back(std::move(other));
        return r;
    });
    if (!res.any) {
        shown_.clear();
        width_ = 0;
        updateControls();
        applyData();
        return;
    }
    if (!have_origin_) {
        origin_ = res.first;
        have_origin_ = true;
    }
    first_ns_ = res.first;
    last_ns_ = res.last;
    width_ = res.width;
    shown_ = std::move(res.series);
    bins_from_ = res.from;
    if (following) {
        view_from_ = live ? std::max(res.first, time_sub(res.to, window)) : res.from;
        view_to_ = live ? time_add(view_from_, window) : res.to;
    } else {
        view_from_ = from;
        view_to_ = to;
    }
    updateControls();
    // Host series: recomputed when the bins changed, at most once a second while live.
    if (filter_ && !endpoint_busy_) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const bool moved = endpoint_width_ != width_ || endpoint_from_ != res.from || endpoint_.bins.size() != shown_[0].bins.size();
        if (moved && (!live_ || now - endpoint_started_ms_ >= 1000)) {
            endpoint_from_ = res.from;
            endpoint_width_ = width_;
            startEndpointSeries();
        }
    }
    applyData();
}

void ThroughputPlot::addTcpErrors(const std::vector<std::pair<int64_t, uint32_t>>& events)
{
    if (events.empty())
        return;
    tcp_errors_.insert(tcp_errors_.end(), events.begin(), events.end());
    applyData();
}

void ThroughputPlot::clearTcpErrors()
{
    if (tcp_errors_.empty())
        return;
    tcp_errors_.clear();
    applyData();
}

double ThroughputPlot::value(const ThroughputBin& b) const
{
    const double secs = double(width_) / 1e9;
    return unit_ == Unit::Bits ? double(b.bytes) * 8.0 / secs : double(b.packets) / secs;
}

void ThroughputPlot::applyData()
{
    const QPalette pal = palette();
    const bool dark = is_dark(pal);
    const QString unit = unit_ == Unit::Bits ? tr("b/s") : tr("pkt/s");
    if (log_) {
        auto t = QSharedPointer<RateTicker<QCPAxisTickerLog>>::create();
        t->unit = unit;
        t->setTickCount(plot_->yAxis->ticker()->tickCount()); // as fitted to the plot's height
        plot_->yAxis->setTicker(t);
        plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    } else {
        auto t = QSharedPointer<RateTicker<QCPAxisTicker>>::create();
        t->unit = unit;
        t->setTickCount(plot_->yAxis->ticker()->tickCount()); // as fitted to the plot's height
        plot_->yAxis->setTicker(t);
        plot_->yAxis->setScaleType(QCPAxis::stLinear);
    }

    // Series to draw: in stacked mode the protocols (bottom up) without the
    // total; as lines, the total first and then each protocol.
    std::vector<const ShownSeries*> draw;
    for (const ShownSeries& s : shown_)
        if (style_ == Style::Lines ? true : !s.total)
            draw.push_back(&s);
    while (series_graphs_.size() < draw.size())
        series_graphs_.push_back(plot_->addGraph());
    while (series_graphs_.size() > draw.size()) {
        plot_->removeGraph(series_graphs_.back());
        series_graphs_.pop_back();
    }
    std::vector<QColor> used;
    auto colour_for = [&](const ShownSeries& s) {
        if (s.total)
            return pal.color(QPalette::Text);
        if (s.other)
            return dark ? QColor(0x80, 0x84, 0x8a) : QColor(0xa8, 0xac, 0xb2);
        QColor c = PacketColorProxy::protocolColor(int(s.proto));
        if (!c.isValid() || std::find(used.begin(), used.end(), c) != used.end()) {
            c = kFallback[0];
            for (const QColor& f : kFallback)
                if (std::find(used.begin(), used.end(), f) == used.end()) {
                    c = f;
                    break;
                }
        }
        used.push_back(c);
        return c;
    };

    const size_t nbins = shown_.empty() ? 0 : shown_[0].bins.size();
    std::vector<double> cumulative(nbins, 0.0);
    double ymax = 0, ymin_pos = std::numeric_limits<double>::max();
    auto note = [&](double v) {
        ymax = std::max(ymax, v);
        if (v > 0)
            ymin_pos = std::min(ymin_pos, v);
    };
    QCPGraph* below = nullptr;
    for (size_t g = 0; g < draw.size(); ++g) {
        const ShownSeries& s = *draw[g];
        QCPGraph* graph = series_graphs_[g];
        const QColor c = colour_for(s);
        QVector<QCPGraphData> pts;
        pts.reserve(int(nbins) + 1);
        for (size_t i = 0; i < nbins; ++i) {
            double v = value(s.bins[i]);
            if (style_ == Style::Stacked) {
                cumulative[i] += v;
                v = cumulative[i];
            }
            note(v);
            // Log axes have no zero: leave a gap.
            pts.append(QCPGraphData(toKey(bin_start(bins_from_, i, width_)), log_ && v <= 0 ? qQNaN() : v));
        }
        // Close the last step at the end of its bin.
        if (!pts.isEmpty())
            pts.append(QCPGraphData(toKey(bin_start(bins_from_, nbins, width_)), pts.back().value));
        graph->setName(s.name);
        graph->setLineStyle(QCPGraph::lsStepLeft);
        graph->setAdaptiveSampling(true);
        if (style_ == Style::Stacked) {
            // The stacked areas never overlap: an opaque colour (blended with
            // the background here once) fills much faster than a translucent one.
            const QColor bg = pal.color(QPalette::Base);
            const double a = dark ? 0.67 : 0.75;
            const QColor fill = QColor::fromRgbF(bg.redF() * (1 - a) + c.redF() * a, bg.greenF() * (1 - a) + c.greenF() * a,
                                                 bg.blueF() * (1 - a) + c.blueF() * a);
            // No outline: a series adding nothing would trace the top of the stack below it.
            graph->setPen(Qt::NoPen);
            graph->setBrush(fill);
            graph->setChannelFillGraph(below);
            below = graph;
        } else {
            graph->setPen(QPen(c, s.total ? 2.0 : 1.4));
            graph->setBrush(Qt::NoBrush);
            graph->setChannelFillGraph(nullptr);
        }
        graph->data()->set(pts, true);
    }

    // Moving average of the total.
    if (average_ && nbins) {
        if (!average_graph_)
            average_graph_ = plot_->addGraph();
        QColor c = dark ? QColor(0xff, 0xd1, 0x66) : QColor(0x20, 0x20, 0x20);
        average_graph_->setPen(QPen(c, 1.6, Qt::DashLine));
        average_graph_->setName(tr("average (%1)").arg(bin_width_text(clamp_time(TimeWide(width_) * kMovingAverageBins))));
        QVector<double> keys, vals;
        keys.reserve(int(nbins));
        vals.reserve(int(nbins));
        const double k0 = toKey(bins_from_);
        double sum = 0;
        for (size_t i = 0; i < nbins; ++i) {
            sum += value(shown_[0].bins[i]);
            if (i >= size_t(kMovingAverageBins))
                sum -= value(shown_[0].bins[i - kMovingAverageBins]);
            const double n = double(std::min<size_t>(i + 1, kMovingAverageBins));
            const double v = sum / n;
            keys.append(k0 + (double(i) + 0.5) * double(width_) / 1e9);
            vals.append(log_ && v <= 0 ? qQNaN() : v);
        }
        average_graph_->setData(keys, vals, true);
    } else if (average_graph_) {
        plot_->removeGraph(average_graph_);
        average_graph_ = nullptr;
    }

    // One host or conversation, in the same unit.
    if (filter_ && !endpoint_.bins.empty() && endpoint_width_ > 0) {
        if (!endpoint_graph_)
            endpoint_graph_ = plot_->addGraph();
        QColor c = dark ? QColor(0xff, 0x7a, 0xe0) : QColor(0xc0, 0x1f, 0x9a);
        endpoint_graph_->setPen(QPen(c, 2.2));
        endpoint_graph_->setLineStyle(QCPGraph::lsStepLeft);
        endpoint_graph_->setName(shownFilter());
        QVector<QCPGraphData> pts;
        pts.reserve(int(endpoint_.bins.size()) + 1);
        const double secs = double(endpoint_width_) / 1e9;
        for (size_t i = 0; i < endpoint_.bins.size(); ++i) {
            const ThroughputBin& b = endpoint_.bins[i];
            double v = unit_ == Unit::Bits ? double(b.bytes) * 8 / secs : double(b.packets) / secs;
            note(v);
            pts.append(QCPGraphData(toKey(bin_start(endpoint_from_, i, endpoint_width_)), log_ && v <= 0 ? qQNaN() : v));
        }
        if (!pts.isEmpty())
            pts.append(QCPGraphData(pts.back().key + secs, pts.back().value));
        endpoint_graph_->data()->set(pts, true);
    } else if (endpoint_graph_) {
        plot_->removeGraph(endpoint_graph_);
        endpoint_graph_ = nullptr;
    }

    // TCP errors (tcp.analysis.flags), binned as the series are.
    tcp_error_bins_.clear();
    if (!tcp_errors_.empty() && width_ > 0 && nbins > 0) {
        tcp_error_bins_.assign(nbins, ThroughputBin{});
        for (const auto& [ts, bytes] : tcp_errors_) {
            if (ts < bins_from_)
                continue;
            const TimeWide i = (TimeWide(ts) - bins_from_) / width_;
            if (i >= TimeWide(nbins))
                continue;
            ++tcp_error_bins_[size_t(i)].packets;
            tcp_error_bins_[size_t(i)].bytes += bytes;
        }
        if (!tcp_errors_graph_)
            tcp_errors_graph_ = plot_->addGraph();
        const QColor c = dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xd0, 0x10, 0x10);
        tcp_errors_graph_->setPen(QPen(c, 1.8, Qt::DashLine));
        tcp_errors_graph_->setBrush(Qt::NoBrush);
        tcp_errors_graph_->setLineStyle(QCPGraph::lsStepLeft);
        tcp_errors_graph_->setName(tr("TCP errors"));
        QVector<QCPGraphData> pts;
        pts.reserve(int(nbins) + 1);
        for (size_t i = 0; i < nbins; ++i) {
            const double v = value(tcp_error_bins_[i]);
            note(v);
            pts.append(QCPGraphData(toKey(bin_start(bins_from_, i, width_)), log_ && v <= 0 ? qQNaN() : v));
        }
        pts.append(QCPGraphData(toKey(bin_start(bins_from_, nbins, width_)), pts.back().value));
        tcp_errors_graph_->data()->set(pts, true);
    } else if (tcp_errors_graph_) {
        plot_->removeGraph(tcp_errors_graph_);
        tcp_errors_graph_ = nullptr;
    }

    // Drop events: marks at the foot of the plot, on their own 0..1 axis.
    {
        QVector<double> keys, vals;
        for (const DropEvent& e : drop_events_) {
            keys.append(toKey(e.ts_ns));
            vals.append(0.05);
        }
        drops_graph_->setData(keys, vals, true);
        drops_graph_->setName(drop_events_.empty() ? tr("drops") : tr("packets lost"));
        if (QCPPlottableLegendItem* li = plot_->legend->itemWithPlottable(drops_graph_))
            li->setVisible(!drop_events_.empty());
        if (drop_events_.empty() && plot_->legend->hasItemWithPlottable(drops_graph_))
            drops_graph_->removeFromLegend();
        else if (!drop_events_.empty() && !plot_->legend->hasItemWithPlottable(drops_graph_))
            drops_graph_->addToLegend();
    }

    // Axis ranges.
    if (!session_ || shown_.empty()) {
        empty_text_->setText(!session_ ? tr("Open a capture or start a live capture to see its throughput.")
                                       : live_ ? tr("Waiting for packets…") : tr("No timed packets in this capture."));
        empty_text_->setVisible(true);
        setting_range_ = true;
        plot_->xAxis->setRange(0, live_ ? live_window_s_ : 10);
        setting_range_ = false;
        plot_->yAxis->setRange(log_ ? 1 : 0, log_ ? 1000 : 1);
        plot_->legend->setVisible(false);
        plot_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    empty_text_->setVisible(false);
    plot_->legend->setVisible(true);
    setting_range_ = true;
    plot_->xAxis->setRange(toKey(view_from_), toKey(view_to_));
    setting_range_ = false;
    if (log_) {
        if (ymax <= 0)
            plot_->yAxis->setRange(1, 10);
        else
            plot_->yAxis->setRange(std::max(ymin_pos / 2, ymax / 1e7), ymax * 3);
    } else {
        plot_->yAxis->setRange(0, ymax > 0 ? ymax * 1.12 : 1);
    }
    if (selected_) {
        selection_->topLeft->setCoords(toKey(selected_->first), 0);
        selection_->bottomRight->setCoords(toKey(selected_->second), 1);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ThroughputPlot::fitTicks()
{
    const QFontMetrics fm(plot_->yAxis->tickLabelFont());
    const QRect r = plot_->axisRect()->rect();
    // A label needs its own height and as much again between neighbours; the
    // ticker may round the step down to a "nice" one, up to a quarter more ticks.
    const int y_ticks = std::clamp(int(r.height() / (2.5 * fm.height())), 2, 5);
    const int x_ticks = std::clamp(int(r.width() / (1.25 * (fm.horizontalAdvance(QStringLiteral("00:00.000 s")) + fm.height()))), 1, 8);
    bool changed = false;
    // A short plot gives the time axis's title line to the data; its ticks say "s" anyway.
    const QString x_label = plot_->height() < 9 * fm.height() ? QString() : tr("time since the first packet");
    if (plot_->xAxis->label() != x_label) {
        plot_->xAxis->setLabel(x_label);
        changed = true;
    }
    // Labels that cannot stand apart are not drawn at all.
    const bool y_labels = r.height() >= 2 * fm.height() + 4;
    if (plot_->yAxis->tickLabels() != y_labels) {
        plot_->yAxis->setTickLabels(y_labels);
        changed = true;
    }
    for (auto [axis, n] : {std::pair{plot_->yAxis, y_ticks}, std::pair{plot_->xAxis, x_ticks}}) {
        if (axis->ticker()->tickCount() != n) {
            axis->ticker()->setTickCount(n);
            changed = true;
        }
    }
    if (changed)
        plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ThroughputPlot::onSelection(const QRect& rect)
{
    if (!have_origin_)
        return;
    double a = plot_->xAxis->pixelToCoord(rect.left()), b = plot_->xAxis->pixelToCoord(rect.right());
    if (a > b)
        std::swap(a, b);
    if (b - a <= 0) {
        clearSelection();
        return;
    }
    selected_ = {toNs(a), toNs(b)};
    selection_->topLeft->setCoords(a, 0);
    selection_->bottomRight->setCoords(b, 1);
    selection_->setVisible(true);
    plot_->replot(QCustomPlot::rpQueuedReplot);
    emit rangeSelected(selected_->first, selected_->second);
}

void ThroughputPlot::clearSelection()
{
    if (!selected_)
        return;
    selected_.reset();
    selection_->setVisible(false);
    plot_->replot(QCustomPlot::rpQueuedReplot);
    emit rangeCleared();
}

void ThroughputPlot::onMouseMove(QMouseEvent* e)
{
    if (shown_.empty() || !width_ || e->buttons() != Qt::NoButton)
        return;
    const double key = plot_->xAxis->pixelToCoord(e->position().x());
    const int64_t ns = toNs(key);
    const int64_t start = bins_from_;
    if (ns < start)
        return;
    const auto i = size_t((TimeWide(ns) - start) / width_);
    if (i >= shown_[0].bins.size())
        return;
    const QString unit = unit_ == Unit::Bits ? tr("b/s") : tr("pkt/s");
    QStringList lines;
    lines << tr("%1 s – %2 s").arg(toKey(bin_start(start, i, width_)), 0, 'f', 3).arg(toKey(bin_start(start, i + 1, width_)), 0, 'f', 3);
    for (const ShownSeries& s : shown_)
        if (s.bins[i].packets)
            lines << QString("%1: %2").arg(s.name, si(value(s.bins[i]), unit));
    for (const DropEvent& d : drop_events_)
        if (std::fabs(plot_->xAxis->coordToPixel(toKey(d.ts_ns)) - e->position().x()) < 4)
            lines << tr("%1 packets lost").arg(QLocale().toString(qulonglong(d.dropped)));
    QToolTip::showText(e->globalPosition().toPoint(), lines.join('\n'), plot_);
}

void ThroughputPlot::contextMenu(const QPoint& pos)
{
    QMenu m(this);
    if (selected_) {
        const auto sel = *selected_;
        m.addAction(tr("Zoom to Selection"), this, [this, sel] { setViewRange(sel.first, sel.second); });
        m.addAction(tr("Clear Selection"), this, &ThroughputPlot::clearSelection);
        m.addSeparator();
    }
    m.addAction(live_ ? tr("Follow the Newest Packets") : tr("Show the Whole Capture"), this,
                [this] { setFollowing(true); });
    m.addSeparator();
    m.addAction(tr("Export PNG…"), this, [this] { exportDialog("png"); });
    m.addAction(tr("Export PDF…"), this, [this] { exportDialog("pdf"); });
    m.addAction(tr("Export CSV…"), this, [this] { exportDialog("csv"); });
    m.exec(plot_->mapToGlobal(pos));
}

void ThroughputPlot::exportDialog(const QString& kind)
{
    const QString dir = QSettings().value("files/lastExportDir").toString();
    const QString filter = kind == "png" ? tr("PNG image (*.png)") : kind == "pdf" ? tr("PDF (*.pdf)") : tr("CSV (*.csv)");
    QString path = QFileDialog::getSaveFileName(this, tr("Export Throughput"), dir, filter);
    if (path.isEmpty())
        return;
    if (!path.endsWith("." + kind, Qt::CaseInsensitive))
        path += "." + kind;
    QSettings().setValue("files/lastExportDir", QFileInfo(path).absolutePath());
    QString err;
    const bool ok = kind == "png" ? exportPng(path) : kind == "pdf" ? exportPdf(path) : exportCsv(path, &err);
    if (!ok)
        QToolTip::showText(mapToGlobal(QPoint(10, 10)), tr("Cannot write %1 %2").arg(path, err), this);
}

bool ThroughputPlot::exportPng(const QString& path) { return plot_->savePng(path, 0, 0, 2.0); }

bool ThroughputPlot::exportPdf(const QString& path)
{
    return plot_->savePdf(path, 0, 0, QCP::epNoCosmetic, "Underhood", tr("Throughput"));
}

bool ThroughputPlot::exportCsv(const QString& path, QString* error) const
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    QTextStream out(&f);
    out << "start_ns,start_s,width_ns";
    auto col = [](const ShownSeries& s) { return s.total ? QString("all") : s.other ? QString("other") : s.name.toLower(); };
    for (const ShownSeries& s : shown_)
        out << ',' << col(s) << "_packets," << col(s) << "_bytes";
    if (filter_ && !endpoint_.bins.empty() && endpoint_width_ == width_)
        out << ",selected_packets,selected_bytes";
    out << '\n';
    const size_t n = shown_.empty() ? 0 : shown_[0].bins.size();
    const int64_t start = bins_from_;
    for (size_t i = 0; i < n; ++i) {
        const int64_t t = bin_start(start, i, width_);
        out << t << ',' << QString::number(toKey(t), 'f', 6) << ',' << width_;
        for (const ShownSeries& s : shown_)
            out << ',' << s.bins[i].packets << ',' << s.bins[i].bytes;
        if (filter_ && !endpoint_.bins.empty() && endpoint_width_ == width_) {
            const auto j = int64_t((TimeWide(t) - endpoint_from_) / width_);
            const ThroughputBin b = j >= 0 && size_t(j) < endpoint_.bins.size() ? endpoint_.bins[size_t(j)] : ThroughputBin{};
            out << ',' << b.packets << ',' << b.bytes;
        }
        out << '\n';
    }
    out.flush();
    if (f.error() != QFile::NoError) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

void ThroughputPlot::setEndpointFilter(std::optional<EndpointFilter> f)
{
    stopEndpointSeries();
    filter_ = std::move(f);
    endpoint_ = {};
    endpoint_width_ = 0;
    if (filter_ && session_ && width_) {
        endpoint_from_ = bins_from_;
        endpoint_width_ = width_;
        startEndpointSeries();
    }
    // The field shows what is plotted, however it was chosen.
    if (focus_edit_) {
        QSignalBlocker b(focus_edit_);
        focus_edit_->setText(shownFilter());
    }
    applyData();
}

QString ThroughputPlot::shownFilter() const
{
    if (!filter_)
        return {};
    const std::string text = filter_->to_string();
    return QString::fromStdString(anon_ ? anon_->text(text) : text);
}

void ThroughputPlot::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    anon_ = std::move(anonymizer);
    if (focus_edit_ && filter_) {
        QSignalBlocker b(focus_edit_);
        focus_edit_->setText(shownFilter());
    }
    applyData();
}

QStringList ThroughputPlot::legendNames() const
{
    QStringList out;
    for (int i = 0; i < plot_->legend->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot_->legend->item(i)))
            out << item->plottable()->name();
    return out;
}

void ThroughputPlot::startEndpointSeries()
{
    stopEndpointSeries();
    if (!filter_ || !session_ || !width_ || shown_.empty())
        return;
    const uint64_t gen = ++endpoint_generation_;
    const IngestEngine* engine = &session_->engine();
    const EndpointFilter f = *filter_;
    const int64_t from = endpoint_from_, width = endpoint_width_;
    const int64_t to = bin_start(from, shown_[0].bins.size(), width);
    endpoint_busy_ = true;
    endpoint_started_ms_ = QDateTime::currentMSecsSinceEpoch();
    endpoint_thread_ = std::thread([this, engine, f, from, to, width, gen] {
        EndpointSeriesResult r = endpoint_series(*engine, f, from, to, width, &endpoint_cancel_);
        QMetaObject::invokeMethod(
            this,
            [this, gen, r = std::move(r)]() mutable {
                if (gen != endpoint_generation_ || r.cancelled)
                    return;
                endpoint_ = std::move(r);
                applyData();
                emit endpointSeriesReady();
            },
            Qt::QueuedConnection);
        endpoint_busy_ = false;
    });
}

void ThroughputPlot::stopEndpointSeries()
{
    endpoint_cancel_ = true;
    if (endpoint_thread_.joinable())
        endpoint_thread_.join();
    endpoint_cancel_ = false;
    endpoint_busy_ = false;
}

} // namespace underhood
