#include "flow_graph_dialog.h"

#include "flow_graph_view.h"

#include "display_anonymizer.h"
#include "packet_summary.h"

#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace underhood {

FlowGraphDialog::FlowGraphDialog(const IngestEngine& engine,
                                 std::function<std::optional<std::vector<uint64_t>>()> displayed, QWidget* parent)
    : QDialog(parent), engine_(engine), displayed_(std::move(displayed))
{
    setWindowTitle(tr("Flow Graph"));
    resize(1000, 700);
    scope_ = new QComboBox;
    scope_->addItem(tr("Displayed packets"), int(Scope::Displayed));
    scope_->addItem(tr("All packets"), int(Scope::All));
    scope_->addItem(tr("This conversation"), int(Scope::Conversation));
    scope_->setToolTip(tr("Which packets to draw: those the display filter shows, all of them, or one conversation's"));
    status_ = new QLabel;
    auto* smaller = new QPushButton(tr("A\u2212"));
    smaller->setToolTip(tr("Smaller text (Ctrl+-)"));
    auto* larger = new QPushButton(tr("A+"));
    larger->setToolTip(tr("Larger text, for a projector (Ctrl++)"));
    auto* save = new QPushButton(tr("Export\u2026"));
    save->setToolTip(tr("Save the whole graph as PNG or SVG (Ctrl+S)"));
    auto* close = new QPushButton(tr("Close"));
    view_ = new FlowGraphView;

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Show:")));
    top->addWidget(scope_);
    top->addWidget(status_, 1);
    top->addWidget(smaller);
    top->addWidget(larger);
    top->addWidget(save);
    top->addWidget(close);
    auto* lay = new QVBoxLayout(this);
    lay->addLayout(top);
    lay->addWidget(view_, 1);

    connect(scope_, &QComboBox::activated, this, [this] { rebuild(); });
    connect(save, &QPushButton::clicked, this, &FlowGraphDialog::exportGraph);
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(smaller, &QPushButton::clicked, this, [this] { zoom(-1); });
    connect(larger, &QPushButton::clicked, this, [this] { zoom(+1); });
    new QShortcut(QKeySequence::ZoomIn, this, [this] { zoom(+1); });
    new QShortcut(QKeySequence::ZoomOut, this, [this] { zoom(-1); });
    new QShortcut(QKeySequence::Save, this, [this] { exportGraph(); });
    connect(view_, &FlowGraphView::packetClicked, this, &FlowGraphDialog::packetClicked);
}

void FlowGraphDialog::zoom(int steps)
{
    QFont f = view_->font();
    f.setPointSizeF(std::clamp(f.pointSizeF() + steps * 2.0, 7.0, 40.0));
    view_->setFont(f);
}

void FlowGraphDialog::setScope(Scope s)
{
    scope_->setCurrentIndex(scope_->findData(int(s)));
}

void FlowGraphDialog::showConversation(const std::string& a, const std::string& b)
{
    hosts_ = {a, b};
    updateScopeText();
    setScope(Scope::Conversation);
    rebuild();
}

void FlowGraphDialog::updateScopeText()
{
    if (hosts_.size() != 2)
        return;
    auto shown = [this](const std::string& h) { return QString::fromStdString(anon_ ? anon_->text(h) : h); };
    scope_->setItemText(scope_->findData(int(Scope::Conversation)),
                        tr("Conversation %1 \u2194 %2").arg(shown(hosts_[0]), shown(hosts_[1])));
}

void FlowGraphDialog::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    anon_ = std::move(anonymizer);
    updateScopeText();
    if (isVisible() || !view_->graph().arrows.empty())
        rebuild();
}

void FlowGraphDialog::anonymise(FlowGraph& g) const
{
    // Each arrow's label from the packet the anonymised file holds, so names
    // read as in the packet list; then text() over everything drawn.
    DisplayAnonymizer& a = *anon_;
    for (FlowNode& n : g.nodes) {
        n.address = a.text(n.address);
        if (!n.name.empty())
            n.name = a.name(n.name);
    }
    for (FlowArrow& arrow : g.arrows) {
        const auto e = engine_.with_state([&](const IngestEngine::State& st) -> std::optional<PacketIndexEntry> {
            if (arrow.number < st.first_number || arrow.number - st.first_number >= st.index.size())
                return std::nullopt;
            return st.index[size_t(arrow.number - st.first_number)];
        });
        const std::vector<uint8_t> bytes = engine_.packet_bytes(arrow.number);
        if (e && bytes.size() == e->caplen) {
            const uint32_t lt = engine_.link_type_of(e->interface_id);
            const std::vector<uint8_t> out = a.rewrite(lt, Bytes(bytes.data(), bytes.size()), e->origlen);
            const PacketSummary s = summarize_packet(lt, Bytes(out.data(), out.size()), e->origlen);
            arrow.label = flow_label(s.protocol, s.info);
        }
        arrow.label = a.text(arrow.label);
        arrow.comment = a.text(arrow.comment);
    }
}

void FlowGraphDialog::rebuild()
{
    const auto scope = Scope(scope_->currentData().toInt());
    FlowGraphOptions o;
    std::optional<std::vector<uint64_t>> shown;
    if (scope == Scope::Displayed) {
        shown = displayed_();
        if (shown)
            o.numbers = &*shown;
    }
    if (scope == Scope::Conversation) {
        if (hosts_.empty()) {
            status_->setText(tr("Choose a packet's conversation: right-click a packet, Flow Graph of This Conversation."));
            view_->setGraph({});
            return;
        }
        o.hosts = hosts_;
        o.both_ends = true;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    FlowGraph g = build_flow_graph(engine_, o);
    if (anon_)
        anonymise(g);
    QApplication::restoreOverrideCursor();
    QString text = tr("%n packet(s)", nullptr, int(g.arrows.size())) + tr(" between %n host(s)", nullptr, int(g.nodes.size()));
    if (g.truncated)
        text += tr(" — only the first %1 are drawn: narrow the display filter to see the rest").arg(g.arrows.size());
    if (scope == Scope::Displayed && !shown)
        text += tr(" (no display filter: all packets)");
    status_->setText(text);
    const quint64 keep = view_->currentPacket();
    view_->setGraph(std::move(g));
    if (keep)
        view_->setCurrentPacket(keep);
}

void FlowGraphDialog::setCurrentPacket(quint64 number)
{
    view_->setCurrentPacket(number);
}

void FlowGraphDialog::exportGraph()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Flow Graph"), tr("flow-graph.png"),
                                                      tr("PNG image (*.png);;SVG drawing (*.svg)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!view_->exportTo(path, error))
        QMessageBox::warning(this, tr("Export Flow Graph"), error);
}

} // namespace underhood
