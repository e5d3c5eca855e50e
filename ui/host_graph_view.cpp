#include "host_graph_view.h"

#include "display_anonymizer.h"
#include "graph_export.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QLoggingCategory>
#include <QLocale>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace underhood {

// QT_LOGGING_RULES="underhood.graph.frames.debug=true" logs when the
// animation starts and stops: how to see (and test) that an idle window
// draws nothing.
Q_LOGGING_CATEGORY(lcFrames, "underhood.graph.frames", QtWarningMsg)

namespace {

constexpr int kFrameMs = 16;       // ~60 frames per second
constexpr double kLayoutBudgetMs = 6; // layout work per frame

double frac(double x) { return x - std::floor(x); }

} // namespace

HostGraphView::HostGraphView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 150);
    setAttribute(Qt::WA_OpaquePaintEvent);
    renderer_.setStyle(GraphStyle::fromPalette(palette()));
    base_font_px_ = std::max(10, QFontInfo(font()).pixelSize() - 1);
    QFont f = font();
    f.setPixelSize(base_font_px_);
    renderer_.setFont(f);
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(kFrameMs);
    connect(&timer_, &QTimer::timeout, this, &HostGraphView::tick);
    // Once the wheel stops, the picture is drawn again in full.
    zoom_settle_.setSingleShot(true);
    zoom_settle_.setInterval(160);
    connect(&zoom_settle_, &QTimer::timeout, this, [this] {
        view_.quick = false;
        update();
    });
    clock_.start();
}

void HostGraphView::setScene(GraphScene scene)
{
    // Particles keep their phase on links that stay.
    std::unordered_map<uint64_t, std::pair<float, float>> old;
    old.reserve(scene_.links.size());
    for (size_t i = 0; i < scene_.links.size() && 2 * i + 1 < phases_.size(); ++i)
        old.emplace(scene_.links[i].id, std::pair(phases_[2 * i], phases_[2 * i + 1]));
    scene_ = std::move(scene);
    phases_.assign(2 * scene_.links.size(), 0);
    for (size_t i = 0; i < scene_.links.size(); ++i) {
        auto it = old.find(scene_.links[i].id);
        if (it != old.end()) {
            phases_[2 * i] = it->second.first;
            phases_[2 * i + 1] = it->second.second;
        } else {
            // Spread new links' particles so they do not all start together.
            const uint64_t h = scene_.links[i].id;
            phases_[2 * i] = float(double(h & 0xFFFF) / 65536.0);
            phases_[2 * i + 1] = float(double((h >> 16) & 0xFFFF) / 65536.0);
        }
    }
    layout_.sync(scene_);
    syncIndices();
    markRetransmissions();
    if (anon_)
        anonymiseScene();
    wake();
    update();
}

void HostGraphView::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    anon_ = std::move(anonymizer);
    // Tokens in flight carry their packet's summary as it was worded when they left.
    view_.pulses.clear();
    if (anon_)
        anonymiseScene();
    else
        shown_ = GraphScene{};
    setCaption(caption_);
}

void HostGraphView::anonymiseScene()
{
    DisplayAnonymizer& a = *anon_;
    shown_ = scene_;
    // Another generation, so the renderer lays out the new labels.
    shown_.generation = scene_.generation ^ (uint64_t(1) << 63);
    for (SceneNode& n : shown_.nodes) {
        const std::string key = n.key;
        n.key = a.text(n.key); // an address, "10.1.2.0/24" (its prefix mapped) or "Internet"
        for (std::string& name : n.names)
            name = a.name(name);
        n.vendor = a.vendor(n.vendor);
        if (n.cluster) {
            n.label = n.key + " · " + std::to_string(n.members);
        } else if (n.label == "broadcast") {
        } else if (!n.names.empty()) {
            n.label = n.endpoint.kind == Endpoint::Kind::IpPort ? n.names.front() + ":" + std::to_string(n.endpoint.port)
                                                                 : n.names.front();
        } else if (n.label != key && n.endpoint.kind == Endpoint::Kind::Mac && !n.vendor.empty() && n.label.size() > 8 &&
                   n.key.size() == 17) {
            // "Vendor_12:34:56": the vendor stays, the rest is the image's.
            n.label = n.label.substr(0, n.label.size() - 8) + n.key.substr(9);
        } else {
            n.label = n.key;
        }
    }
    for (IpPrefix& p : shown_.local_prefixes)
        p = IpPrefix::of(a.ip(p.base), p.length);
}

void HostGraphView::setTcpHealth(std::shared_ptr<const TcpHealthTable> ip, std::shared_ptr<const TcpHealthTable> port)
{
    health_ip_ = std::move(ip);
    health_port_ = std::move(port);
    const std::unordered_set<uint64_t> before = view_.retransmitting;
    markRetransmissions();
    if (view_.retransmitting != before) // an idle graph stays idle when nothing changed
        update();
}

void HostGraphView::markRetransmissions()
{
    view_.retransmitting.clear();
    const TcpHealthTable* t = scene_.layer == Layer::Ip ? health_ip_.get() : scene_.layer == Layer::Port ? health_port_.get() : nullptr;
    if (!t || t->size() == 0)
        return;
    for (const SceneLink& l : scene_.links) {
        if (l.a >= scene_.nodes.size() || l.b >= scene_.nodes.size())
            continue;
        const SceneNode& a = scene_.nodes[l.a];
        const SceneNode& b = scene_.nodes[l.b];
        if (a.cluster || b.cluster)
            continue;
        bool forward;
        auto it = t->find(ConversationKey::of(a.endpoint, b.endpoint, forward));
        if (it != t->end() && it->second.retransmissions > 0)
            view_.retransmitting.insert(l.id);
    }
}

void HostGraphView::syncIndices()
{
    view_.selected = indexOf(selected_id_);
    if (selected_id_ && view_.selected < 0) {
        // The selection went out of the window (or into a cluster).
        auto it = scene_.shown_as.find(selected_id_);
        view_.selected = it != scene_.shown_as.end() ? indexOf(it->second) : -1;
    }
    view_.hovered = indexOf(hovered_id_);
    if (drag_node_ >= 0 && size_t(drag_node_) >= scene_.nodes.size())
        drag_node_ = -1;
}

void HostGraphView::setLayoutKind(LayoutKind k)
{
    layout_.set_kind(k);
    layout_.sync(scene_);
    auto_fit_ = true;
    wake();
}

void HostGraphView::relayout()
{
    for (size_t i = 0; i < layout_.size(); ++i)
        layout_.set_pinned(i, false);
    layout_.reheat(1.0);
    auto_fit_ = true;
    wake();
}

void HostGraphView::fitToView()
{
    auto_fit_ = true;
    const GraphViewState fit = fitView(layout_, QSizeF(size()));
    view_.zoom = fit.zoom;
    view_.centre = fit.centre;
    view_.quick = false;
    if (wantsFrames())
        wake();
    update();
}

void HostGraphView::zoomBy(double factor, QPointF anchor)
{
    const QRectF target(rect());
    const QPointF before = GraphRenderer::toScene(target, view_, anchor);
    view_.zoom = std::clamp(view_.zoom * factor, 0.01, 20.0);
    const QPointF after = GraphRenderer::toScene(target, view_, anchor);
    view_.centre += before - after;
    auto_fit_ = false;
    view_.quick = true;
    zoom_settle_.start();
    update();
}

void HostGraphView::setPaused(bool paused)
{
    if (paused_ == paused)
        return;
    paused_ = paused;
    emit pausedChanged(paused);
    wake();
    update();
}

void HostGraphView::setFlowing(bool on)
{
    if (flowing_ == on)
        return;
    flowing_ = on;
    if (on)
        wake();
}

void HostGraphView::hideEvent(QHideEvent* e)
{
    if (timer_.isActive())
        qCDebug(lcFrames) << "frames stopped";
    timer_.stop();
    QWidget::hideEvent(e);
}

void HostGraphView::setAnimating(bool on)
{
    animating_ = on;
    if (on)
        wake();
}

void HostGraphView::pulseLink(int link, bool forward, double seconds, const QString& label)
{
    if (link < 0 || size_t(link) >= scene_.links.size())
        return;
    const QString shown = anon_ ? QString::fromStdString(anon_->text(label.toStdString())) : label;
    view_.pulses.push_back({scene_.links[size_t(link)].id, forward, view_.clock, seconds, shown});
    wake();
}

void HostGraphView::refreshColors()
{
    renderer_.setStyle(GraphStyle::fromPalette(palette()));
    update();
}

void HostGraphView::setColourBySensor(bool on, const QStringList& sensor_names)
{
    if (on == view_.by_sensor && sensor_names == view_.sensor_names)
        return;
    view_.by_sensor = on;
    view_.sensor_names = sensor_names;
    update();
}

void HostGraphView::setScale(double scale)
{
    scale = std::clamp(scale, 1.0, 3.0);
    if (scale == view_.scale)
        return;
    view_.scale = scale;
    // Labels grow with the scale; the token's own label is drawn a little larger still.
    QFont f = font();
    f.setPixelSize(int(std::lround(base_font_px_ * scale)));
    renderer_.setFont(f);
    update();
}

void HostGraphView::selectNode(int index)
{
    const NodeId id = index >= 0 && size_t(index) < scene_.nodes.size() ? scene_.nodes[size_t(index)].id : 0;
    if (id == selected_id_)
        return;
    selected_id_ = id;
    view_.selected = index >= 0 && id ? index : -1;
    emit nodeSelected(selectedAddress());
    update();
}

QString HostGraphView::selectedAddress() const
{
    const int i = view_.selected;
    return i >= 0 && size_t(i) < scene_.nodes.size() ? QString::fromStdString(scene_.nodes[size_t(i)].key) : QString();
}

void HostGraphView::setHidden(const std::bitset<256>& hidden)
{
    view_.hidden = hidden;
    update();
}

void HostGraphView::setLegendShown(bool on)
{
    view_.legend = on;
    update();
}

void HostGraphView::setCaption(const QString& caption)
{
    caption_ = caption;
    view_.caption = anon_ ? QString::fromStdString(anon_->text(caption.toStdString())) : caption;
    update();
}

void HostGraphView::setEmptyText(const QString& text)
{
    view_.empty_text = text;
    update();
}

bool HostGraphView::exportImage(const QString& path, const QSize& size, QString* error) const
{
    GraphExportOptions o;
    o.size = size;
    o.style = renderer_.style();
    o.caption = view_.caption;
    o.hidden = view_.hidden;
    o.selected = view_.selected;
    o.phases = &phases_;
    return exportGraph(path, shownScene(), layout_, o, error);
}

bool HostGraphView::hasParticles() const
{
    if (!flowing_)
        return false;
    for (const SceneLink& l : scene_.links)
        if (l.recent && (l.a_to_b_pps > 0 || l.b_to_a_pps > 0))
            return true;
    return false;
}

bool HostGraphView::wantsFrames() const
{
    return animating_ || !view_.pulses.empty() || drag_node_ >= 0 ||
           (!paused_ && (!layout_.settled() || hasParticles()));
}

bool HostGraphView::onScreen() const { return isVisible() && !window()->isMinimized(); }

void HostGraphView::wake()
{
    // Hidden or minimised, nothing is drawn: the next paint (when it shows
    // again) wakes the animation if it still has something to do.
    if (!onScreen())
        return;
    if (!timer_.isActive()) {
        last_tick_ = double(clock_.nsecsElapsed()) / 1e9;
        timer_.start();
        qCDebug(lcFrames) << "frames started";
    }
}

void HostGraphView::advance(double dt)
{
    view_.clock += dt;
    if (!paused_) {
        // The layout gets a slice of each frame; big graphs settle over more frames.
        QElapsedTimer budget;
        budget.start();
        int steps = 0;
        while (layout_.step()) {
            ++steps;
            if (double(budget.nsecsElapsed()) / 1e6 > kLayoutBudgetMs || steps >= 8)
                break;
        }
        // Particles: each direction of a link advances at its particle rate.
        const auto& xs = layout_.xs();
        const auto& ys = layout_.ys();
        for (size_t i = 0; flowing_ && i < scene_.links.size(); ++i) {
            const SceneLink& l = scene_.links[i];
            if (!l.recent || l.a >= xs.size() || l.b >= xs.size())
                continue;
            const double dx = xs[l.b] - xs[l.a], dy = ys[l.b] - ys[l.a];
            const double tau = GraphRenderer::travelTime(std::sqrt(dx * dx + dy * dy));
            for (int dir = 0; dir < 2; ++dir) {
                const double pps = dir ? l.b_to_a_pps : l.a_to_b_pps;
                if (pps <= 0)
                    continue;
                const double k = std::min(GraphRenderer::particleRate(pps) * tau, 12.0);
                float& ph = phases_[2 * i + size_t(dir)];
                ph = float(frac(double(ph) + k / tau * dt));
            }
        }
    }
    std::erase_if(view_.pulses,
                  [&](const GraphPulse& p) { return view_.clock - p.started > p.seconds; });
    if (auto_fit_ && drag_node_ < 0) {
        // Follow the growing graph smoothly.
        const GraphViewState fit = fitView(layout_, QSizeF(size()));
        const double k = std::min(1.0, dt * 6);
        view_.zoom += (fit.zoom - view_.zoom) * k;
        view_.centre += (fit.centre - view_.centre) * k;
    }
}

void HostGraphView::tick()
{
    const double now = double(clock_.nsecsElapsed()) / 1e9;
    const double dt = std::clamp(now - last_tick_, 0.0, 0.1);
    last_tick_ = now;
    emit frame(dt);
    advance(dt);
    update();
    if (!wantsFrames() || !onScreen()) {
        timer_.stop();
        qCDebug(lcFrames) << "frames stopped";
        if (auto_fit_)
            fitToView();
    }
}

void HostGraphView::paintEvent(QPaintEvent*)
{
    // Drawn into an image of our own (the renderer's fast path), then shown.
    const qreal dpr = devicePixelRatioF();
    const QSize px = (QSizeF(size()) * dpr).toSize();
    if (frame_.size() != px || frame_.devicePixelRatio() != dpr) {
        frame_ = QImage(px, QImage::Format_ARGB32_Premultiplied);
        frame_.setDevicePixelRatio(dpr);
    }
    view_.phases = &phases_;
    renderer_.render(frame_, shownScene(), layout_, view_);
    QPainter p(this);
    p.drawImage(0, 0, frame_);
    if (!timer_.isActive() && wantsFrames())
        wake(); // shown again after being hidden or minimised with work left
    if (paused_) {
        p.setPen(renderer_.style().muted);
        p.drawText(rect().adjusted(0, 8, -10, 0), Qt::AlignTop | Qt::AlignRight, tr("⏸ paused"));
    }
}

void HostGraphView::resizeEvent(QResizeEvent*)
{
    // Local hosts spread into an ellipse of the pane's shape.
    if (height() > 0)
        layout_.set_aspect(double(width()) / double(height()));
    if (auto_fit_)
        fitToView();
}

void HostGraphView::mousePressEvent(QMouseEvent* e)
{
    press_pos_ = e->position().toPoint();
    moved_ = false;
    if (e->button() != Qt::LeftButton)
        return;
    drag_node_ = GraphRenderer::nodeAt(QRectF(rect()), scene_, layout_, view_, e->position());
    panning_ = drag_node_ < 0;
    press_centre_ = view_.centre;
}

void HostGraphView::mouseMoveEvent(QMouseEvent* e)
{
    const QPointF pos = e->position();
    if (e->buttons() & Qt::LeftButton) {
        if (!moved_ && (pos.toPoint() - press_pos_).manhattanLength() < 4)
            return;
        moved_ = true;
        if (drag_node_ >= 0) {
            const QPointF s = GraphRenderer::toScene(QRectF(rect()), view_, pos);
            layout_.drag(size_t(drag_node_), {s.x(), s.y()});
            auto_fit_ = false;
            wake();
        } else if (panning_) {
            view_.centre = press_centre_ - (pos - QPointF(press_pos_)) / view_.zoom;
            auto_fit_ = false;
        }
        update();
        return;
    }
    setHovered(GraphRenderer::nodeAt(QRectF(rect()), scene_, layout_, view_, pos), e->globalPosition().toPoint());
}

void HostGraphView::mouseReleaseEvent(QMouseEvent* e)
{
    if (e->button() == Qt::LeftButton && !moved_) {
        for (const GraphRenderer::LegendItem& li : renderer_.legendItems())
            if (li.rect.contains(e->position())) {
                if (li.sensor < 0)
                    emit protocolToggled(int(li.proto));
                drag_node_ = -1;
                return;
            }
        selectNode(GraphRenderer::nodeAt(QRectF(rect()), scene_, layout_, view_, e->position()));
    }
    drag_node_ = -1;
    panning_ = false;
}

void HostGraphView::mouseDoubleClickEvent(QMouseEvent* e)
{
    const int i = GraphRenderer::nodeAt(QRectF(rect()), scene_, layout_, view_, e->position());
    if (i < 0) {
        fitToView();
        return;
    }
    const SceneNode& n = scene_.nodes[size_t(i)];
    if (n.cluster)
        emit expandRequested(n.id);
    else if (layout_.pinned(size_t(i)))
        layout_.set_pinned(size_t(i), false);
    else if (n.parent)
        emit collapseRequested(n.parent);
    wake();
}

void HostGraphView::wheelEvent(QWheelEvent* e)
{
    zoomBy(std::pow(1.0015, e->angleDelta().y()), e->position());
    e->accept();
}

void HostGraphView::keyPressEvent(QKeyEvent* e)
{
    const QPointF mid = QRectF(rect()).center();
    const double step = 60 / view_.zoom;
    switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(1.25, mid); break;
    case Qt::Key_Minus: zoomBy(0.8, mid); break;
    // Ctrl+arrows pan; plain Left/Right step through the packets (Shift: by
    // kind), Home and End go to the start and the end, Space plays and pauses.
    case Qt::Key_Left:
    case Qt::Key_Right:
        if (e->modifiers() & Qt::ControlModifier) {
            view_.centre.rx() += e->key() == Qt::Key_Left ? -step : step;
            auto_fit_ = false;
        } else {
            emit transportKey(e->key(), e->modifiers() & Qt::ShiftModifier);
        }
        break;
    case Qt::Key_Up: view_.centre.ry() -= step; auto_fit_ = false; break;
    case Qt::Key_Down: view_.centre.ry() += step; auto_fit_ = false; break;
    case Qt::Key_0:
    case Qt::Key_F: fitToView(); break;
    case Qt::Key_Home:
    case Qt::Key_End:
    case Qt::Key_Space: emit transportKey(e->key(), false); break;
    case Qt::Key_P: setPaused(!paused_); break;
    case Qt::Key_Escape: selectNode(-1); break;
    default: QWidget::keyPressEvent(e); return;
    }
    update();
}

void HostGraphView::leaveEvent(QEvent*)
{
    hovered_id_ = 0;
    view_.hovered = -1;
    update();
}

void HostGraphView::setHovered(int node, QPoint global)
{
    const NodeId id = node >= 0 ? scene_.nodes[size_t(node)].id : 0;
    if (id == hovered_id_)
        return;
    hovered_id_ = id;
    view_.hovered = node;
    if (node >= 0)
        QToolTip::showText(global, tooltipText(node), this);
    else
        QToolTip::hideText();
    update();
}

QString HostGraphView::tooltipText(int node) const
{
    if (node < 0 || size_t(node) >= shownScene().nodes.size())
        return {};
    const SceneNode& n = shownScene().nodes[size_t(node)];
    const QLocale loc;
    QStringList lines;
    lines << "<b>" + QString::fromStdString(n.label).toHtmlEscaped() + "</b>";
    if (n.label != n.key)
        lines << QString::fromStdString(n.key).toHtmlEscaped();
    if (n.cluster)
        lines << tr("%n remote hosts (double-click to open)", nullptr, int(n.members));
    if (n.names.size() > 1 || (n.names.size() == 1 && n.names.front() != n.label)) {
        QStringList names;
        for (const std::string& s : n.names)
            names << QString::fromStdString(s).toHtmlEscaped();
        lines << tr("Names: %1").arg(names.join(", "));
    }
    if (!n.vendor.empty())
        lines << tr("Vendor: %1").arg(QString::fromStdString(n.vendor).toHtmlEscaped());
    lines << (n.local ? tr("Local network") : tr("Remote"));
    lines << tr("Packets: %1 · Bytes: %2 (sent %3, received %4)")
                 .arg(loc.toString(qulonglong(n.packets)))
                 .arg(loc.formattedDataSize(qint64(n.bytes)))
                 .arg(loc.formattedDataSize(qint64(n.tx_bytes)))
                 .arg(loc.formattedDataSize(qint64(n.rx_bytes)));
    lines << tr("Rate: %1/s · %2 packets/s")
                 .arg(loc.formattedDataSize(qint64(n.rate_bps)))
                 .arg(loc.toString(n.rate_pps, 'f', n.rate_pps < 10 ? 1 : 0));
    uint64_t total = 0;
    for (const auto& m : n.mix)
        total += m.second;
    QStringList protos;
    for (size_t i = 0; i < n.mix.size() && i < 6; ++i)
        protos << QString("%1 %2%").arg(GraphRenderer::protocolName(n.mix[i].first))
                      .arg(100.0 * double(n.mix[i].second) / double(std::max<uint64_t>(total, 1)), 0, 'f', 0);
    if (!protos.isEmpty())
        lines << tr("Protocols: %1").arg(protos.join(", "));
    if (layout_.pinned(size_t(node)))
        lines << tr("<i>Pinned (double-click to release)</i>");
    return lines.join("<br>");
}

void HostGraphView::contextMenuEvent(QContextMenuEvent* e)
{
    QMenu menu(this);
    fillMenu(menu, QPointF(e->pos()));
    menu.exec(e->globalPos());
}

void HostGraphView::fillMenu(QMenu& menu, QPointF at)
{
    const int i = GraphRenderer::nodeAt(QRectF(rect()), scene_, layout_, view_, at);
    if (i >= 0) {
        const SceneNode& n = scene_.nodes[size_t(i)];
        const NodeId id = n.id, parent = n.parent;
        const QString key = QString::fromStdString(n.key);
        const bool pinned = layout_.pinned(size_t(i));
        menu.addAction(tr("Filter Packets of %1").arg(QString::fromStdString(shownScene().nodes[size_t(i)].label)), this, [this, id] {
            const int j = indexOf(id);
            if (j >= 0)
                selectNode(j); // the window filters on the selection
        })->setObjectName("filterNode");
        menu.addAction(tr("Show Only Its Neighbours"), this, [this, id] { emit neighboursRequested(id); })
            ->setObjectName("neighbours");
        menu.addAction(tr("Hide"), this, [this, id] { emit hideRequested(id); })->setObjectName("hideNode");
        menu.addAction(pinned ? tr("Release") : tr("Pin Here"), this, [this, id, pinned] {
            const int j = indexOf(id);
            if (j >= 0)
                layout_.set_pinned(size_t(j), !pinned);
            wake();
        });
        if (n.cluster)
            menu.addAction(tr("Open Cluster"), this, [this, id] { emit expandRequested(id); });
        if (parent)
            menu.addAction(tr("Close Cluster"), this, [this, parent] { emit collapseRequested(parent); });
        menu.addAction(tr("Copy Address"), this, [key] { QApplication::clipboard()->setText(key); });
        menu.addSeparator();
    }
    if (scene_.hidden_by_user)
        menu.addAction(tr("Show All Hosts (%1 hidden)").arg(scene_.hidden_by_user), this, &HostGraphView::showAllRequested)
            ->setObjectName("showAll");
    menu.addAction(tr("Fit to View"), this, &HostGraphView::fitToView);
    menu.addAction(tr("Release All and Lay Out Again"), this, &HostGraphView::relayout);
    menu.addAction(paused_ ? tr("Resume") : tr("Pause"), this, [this] { setPaused(!paused_); });
}

void HostGraphView::changeEvent(QEvent* e)
{
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::StyleChange) {
        renderer_.setStyle(GraphStyle::fromPalette(palette()));
        update();
    }
    QWidget::changeEvent(e);
}

} // namespace underhood
