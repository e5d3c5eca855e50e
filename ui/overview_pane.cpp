#include "overview_pane.h"

#include "capture_session.h"
#include "packet_list_view.h"

#include <QLocale>
#include <QPainter>

namespace underhood {

OverviewPane::OverviewPane(QWidget* parent) : QWidget(parent)
{
    setMinimumHeight(140);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void OverviewPane::setSession(CaptureSession* s)
{
    session_ = s;
    refresh();
}

void OverviewPane::refresh()
{
    protocols_.clear();
    talkers_.clear();
    headline_.clear();
    if (!session_) {
        update();
        return;
    }
    const QLocale loc;
    session_->engine().with_state([&](const IngestEngine::State& st) {
        const CaptureTotals& t = st.model.totals();
        const auto& hosts = st.model.layer(Layer::Ip).hosts;
        headline_ = tr("%1 packets · %2 · %3 IP hosts · %4 conversations")
                        .arg(loc.toString(qulonglong(t.packets)), loc.formattedDataSize(qint64(t.bytes)),
                             loc.toString(qulonglong(hosts.size())),
                             loc.toString(qulonglong(st.model.layer(Layer::Ip).conversations.size())));
        // Top protocols by bytes (the highest layer of each packet).
        std::map<Proto, uint64_t> by_top;
        for (const auto& [path, ps] : st.model.protocol_leaves())
            by_top[path.depth ? path.path[size_t(path.depth - 1)] : Proto::None] += ps.bytes;
        std::vector<std::pair<uint64_t, Proto>> tops;
        for (auto [p, b] : by_top)
            tops.emplace_back(b, p);
        std::sort(tops.rbegin(), tops.rend());
        for (size_t i = 0; i < tops.size() && i < 6; ++i)
            protocols_.push_back({QString::fromLatin1(proto_name(tops[i].second).data()).toUpper(),
                                  double(tops[i].first), loc.formattedDataSize(qint64(tops[i].first))});
        std::vector<std::pair<uint64_t, const Endpoint*>> top_hosts;
        for (const auto& [ep, hs] : hosts)
            top_hosts.emplace_back(hs.bytes, &ep);
        std::partial_sort(top_hosts.begin(), top_hosts.begin() + std::min<size_t>(6, top_hosts.size()),
                          top_hosts.end(), [](auto& a, auto& b) { return a.first > b.first; });
        for (size_t i = 0; i < top_hosts.size() && i < 6; ++i) {
            QString label = QString::fromStdString(top_hosts[i].second->to_string());
            const auto& names = st.model.names().names_for(top_hosts[i].second->ip_address());
            if (!names.empty())
                label = QString::fromStdString(names.front());
            talkers_.push_back({label, double(top_hosts[i].first), loc.formattedDataSize(qint64(top_hosts[i].first))});
        }
        return 0;
    });
    update();
}

void OverviewPane::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QRect r = rect().adjusted(16, 12, -16, -12);
    if (!session_) {
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 1.4);
        p.setFont(f);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(r, Qt::AlignCenter | Qt::TextWordWrap,
                   tr("Open a capture file (Ctrl+O) or drop one here,\nor start a live capture (Ctrl+E)."));
        return;
    }
    p.setPen(pal.color(QPalette::Text));
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    const int lh = fontMetrics().height();
    p.drawText(QRect(r.left(), r.top(), r.width(), lh + 4), Qt::AlignLeft | Qt::AlignVCenter, headline_);
    p.setFont(font());
    auto draw_bars = [&](const QString& title, const QVector<Bar>& bars, QRect area, bool colored) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(area.left(), area.top(), area.width(), lh), Qt::AlignLeft, title);
        double max = 1;
        for (const Bar& b : bars)
            max = std::max(max, b.value);
        const int label_w = std::min(area.width() / 3, fontMetrics().horizontalAdvance('M') * 14);
        int y = area.top() + lh + 4;
        for (const Bar& b : bars) {
            if (y + lh > area.bottom())
                break;
            p.setPen(pal.color(QPalette::Text));
            p.drawText(QRect(area.left(), y, label_w - 6, lh), Qt::AlignRight | Qt::AlignVCenter,
                       fontMetrics().elidedText(b.label, Qt::ElideMiddle, label_w - 6));
            const int bar_w = int((area.width() - label_w - 90) * b.value / max);
            QColor c = colored ? PacketColorProxy::protocolColor(int(Proto::None)) : QColor();
            if (colored) {
                for (int i = 0; i < int(Proto::Count); ++i)
                    if (QString::fromLatin1(proto_name(Proto(i)).data()).toUpper() == b.label)
                        c = PacketColorProxy::protocolColor(i);
            }
            if (!c.isValid())
                c = pal.color(QPalette::Highlight);
            p.fillRect(QRect(area.left() + label_w, y + 2, std::max(2, bar_w), lh - 4), c);
            p.setPen(pal.color(QPalette::Text));
            p.drawText(QRect(area.left() + label_w + bar_w + 6, y, 90, lh), Qt::AlignLeft | Qt::AlignVCenter, b.text);
            y += lh + 3;
        }
    };
    const int top = r.top() + lh + 12;
    const int half = r.width() / 2;
    draw_bars(tr("Top protocols (bytes)"), protocols_, QRect(r.left(), top, half - 12, r.bottom() - top), true);
    draw_bars(tr("Top talkers (bytes)"), talkers_, QRect(r.left() + half, top, half, r.bottom() - top), false);
}

} // namespace underhood
