#include "packet_list_view.h"

#include "packet_list_model.h"

#include <QApplication>
#include <QHeaderView>
#include <QMenu>
#include <QPalette>
#include <QScrollBar>

namespace underhood {

namespace {
bool g_color_blind_safe = false;

// Okabe, M. and Ito, K., "Color Universal Design": eight colours told apart
// with any colour vision.
QColor okabe_ito(Proto p)
{
    switch (p) {
    case Proto::Tls:
    case Proto::Quic: return QColor(0x00, 0x72, 0xb2); // blue
    case Proto::Http: return QColor(0x00, 0x9e, 0x73); // bluish green
    case Proto::Dns:
    case Proto::Mdns:
    case Proto::Llmnr:
    case Proto::Nbns: return QColor(0x56, 0xb4, 0xe9); // sky blue
    case Proto::Dhcp:
    case Proto::Dhcpv6: return QColor(0xe6, 0x9f, 0x00); // orange
    case Proto::Arp: return QColor(0xf0, 0xe4, 0x42);    // yellow
    case Proto::Icmp:
    case Proto::Icmpv6: return QColor(0xcc, 0x79, 0xa7); // reddish purple
    case Proto::Ssh: return QColor(0xd5, 0x5e, 0x00);    // vermillion
    case Proto::Ntp: return QColor(0x99, 0x99, 0x99);
    case Proto::Tcp: return QColor(0x80, 0x80, 0x80);
    case Proto::Udp: return QColor(0xb0, 0xb0, 0xb0);
    default: return QColor();
    }
}
} // namespace

void PacketColorProxy::setColorBlindSafe(bool on) { g_color_blind_safe = on; }
bool PacketColorProxy::colorBlindSafe() { return g_color_blind_safe; }

QColor PacketColorProxy::protocolColor(int proto)
{
    if (g_color_blind_safe)
        return okabe_ito(Proto(proto));
    switch (Proto(proto)) {
    case Proto::Tls:
    case Proto::Quic: return QColor(0x8e, 0x7c, 0xc3);
    case Proto::Http: return QColor(0x5b, 0xa8, 0x4f);
    case Proto::Dns:
    case Proto::Mdns:
    case Proto::Llmnr:
    case Proto::Nbns: return QColor(0x4a, 0x90, 0xd9);
    case Proto::Dhcp:
    case Proto::Dhcpv6: return QColor(0xd9, 0x9a, 0x3a);
    case Proto::Arp: return QColor(0xe0, 0xc8, 0x3c);
    case Proto::Icmp:
    case Proto::Icmpv6: return QColor(0xd9, 0x5b, 0x8a);
    case Proto::Ssh: return QColor(0x3a, 0xb5, 0xb0);
    case Proto::Ntp: return QColor(0x9a, 0x9a, 0x5a);
    case Proto::Tcp: return QColor(0x88, 0x99, 0xaa);
    case Proto::Udp: return QColor(0x77, 0xaa, 0xcc);
    default: return QColor();
    }
}

QVariant PacketColorProxy::data(const QModelIndex& index, int role) const
{
    const bool marked = (role == Qt::BackgroundRole || role == Qt::ForegroundRole) &&
                        QIdentityProxyModel::data(index, PacketListModel::MarkedRole).toBool();
    if (marked) // Wireshark's marked rows: inverted, whatever the protocol
        return role == Qt::BackgroundRole ? QColor(0x16, 0x16, 0x16) : QColor(0xff, 0xff, 0xff);
    // Wireshark's "Bad TCP" rule (tcp.analysis.flags but for window updates
    // and keep-alives): dark rows with red text, which its users know on sight.
    if ((role == Qt::BackgroundRole || role == Qt::ForegroundRole) &&
        (QIdentityProxyModel::data(index, PacketListModel::ExpertRole).toInt() & PacketListModel::ExpertBadTcp))
        return role == Qt::BackgroundRole ? QColor(0x12, 0x27, 0x2e) : QColor(0xf7, 0x87, 0x87);
    if (role == Qt::BackgroundRole) {
        QColor c = protocolColor(QIdentityProxyModel::data(index, PacketListModel::ProtocolRole).toInt());
        if (!c.isValid())
            return {};
        QColor base = QApplication::palette().color(QPalette::Base);
        const double a = base.lightnessF() < 0.5 ? 0.28 : 0.20;
        return QColor::fromRgbF(base.redF() * (1 - a) + c.redF() * a, base.greenF() * (1 - a) + c.greenF() * a,
                                base.blueF() * (1 - a) + c.blueF() * a);
    }
    if (role == Qt::ForegroundRole && QIdentityProxyModel::data(index, PacketListModel::ProblemRole).toBool())
        return QColor(0xe0, 0x40, 0x40);
    return QIdentityProxyModel::data(index, role);
}

PacketListView::PacketListView(QWidget* parent) : QTableView(parent)
{
    setSelectionBehavior(SelectRows);
    setSelectionMode(SingleSelection);
    setShowGrid(false);
    setWordWrap(false);
    setAlternatingRowColors(false);
    verticalHeader()->hide();
    // Fixed row heights keep millions of rows cheap to lay out.
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(horizontalHeader(), &QHeaderView::customContextMenuRequested, this, [this](const QPoint& at) {
        QMenu* m = columnMenu();
        m->setAttribute(Qt::WA_DeleteOnClose);
        m->popup(horizontalHeader()->mapToGlobal(at));
    });
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int v) {
        if (programmatic_scroll_)
            return;
        // Scrolling up stops following; back at the bottom resumes it.
        following_ = v >= verticalScrollBar()->maximum() - 1;
    });
}

void PacketListView::setPacketModel(PacketListModel* model)
{
    model_ = model;
    if (!proxy_)
        proxy_ = new PacketColorProxy(this);
    proxy_->setSourceModel(model);
    setModel(proxy_);
    const int ch = fontMetrics().horizontalAdvance('0');
    setColumnWidth(PacketListModel::Number, ch * 8);
    setColumnWidth(PacketListModel::Time, ch * 14);
    setColumnWidth(PacketListModel::Source, ch * 24);
    setColumnWidth(PacketListModel::Destination, ch * 24);
    setColumnWidth(PacketListModel::Protocol, ch * 9);
    setColumnWidth(PacketListModel::Length, ch * 7);
    setColumnWidth(PacketListModel::Sensor, ch * 18);
    // One interface says nothing a column would: the Sensor column waits for a second one.
    sensor_chosen_ = false;
    setColumnHidden(PacketListModel::Sensor, model->interfaceNames().size() < 2);
    disconnect(interfaces_connection_);
    interfaces_connection_ = connect(model, &PacketListModel::interfacesChanged, this, [this](int count) {
        if (!sensor_chosen_)
            setColumnHidden(PacketListModel::Sensor, count < 2);
    });
    connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& cur) { emit packetSelected(cur.isValid() ? model_->numberAt(cur.row()) : 0); });
}

QMenu* PacketListView::columnMenu()
{
    auto* m = new QMenu(this);
    m->setObjectName("columnMenu");
    if (!model_)
        return m;
    for (int c = 0; c < PacketListModel::ColumnCount; ++c) {
        QAction* a = m->addAction(model_->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
        a->setObjectName(QString("column_%1").arg(c));
        a->setCheckable(true);
        a->setChecked(!isColumnHidden(c));
        // No. stays: a list without columns would have no header to bring them back from.
        if (c == PacketListModel::Number)
            a->setEnabled(false);
        connect(a, &QAction::toggled, this, [this, c](bool on) { setColumnShown(c, on); });
    }
    return m;
}

void PacketListView::setColumnShown(int column, bool shown)
{
    if (column == PacketListModel::Sensor)
        sensor_chosen_ = true;
    setColumnHidden(column, !shown);
}

void PacketListView::followIfWanted()
{
    if (!following_)
        return;
    programmatic_scroll_ = true;
    scrollToBottom();
    programmatic_scroll_ = false;
}

quint64 PacketListView::currentNumber() const
{
    QModelIndex cur = currentIndex();
    return cur.isValid() && model_ ? model_->numberAt(cur.row()) : 0;
}

void PacketListView::selectNumber(quint64 number)
{
    if (!model_)
        return;
    int row = model_->rowOf(number);
    if (row < 0)
        return;
    QModelIndex idx = proxy_->index(row, 0);
    setCurrentIndex(idx);
    scrollTo(idx, PositionAtCenter);
}

} // namespace underhood
