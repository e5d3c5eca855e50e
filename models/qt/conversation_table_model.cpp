#include "conversation_table_model.h"

#include "host_table_model.h"
#include "ingest_engine.h"
#include "time_math.h"

#include <algorithm>

namespace underhood {

namespace {
bool same_stats(const ConversationStats& x, const ConversationStats& y)
{
    return x.packets == y.packets && x.bytes == y.bytes && x.a_to_b_packets == y.a_to_b_packets &&
           x.a_to_b_bytes == y.a_to_b_bytes && x.b_to_a_packets == y.b_to_a_packets &&
           x.b_to_a_bytes == y.b_to_a_bytes && x.first_ns == y.first_ns && x.last_ns == y.last_ns &&
           x.timed == y.timed && x.protocols.counts == y.protocols.counts;
}

QVariant count_data(int role, uint64_t n, bool bytes)
{
    switch (role) {
    case Qt::DisplayRole:
        return bytes ? format_bytes(n) : QString::number(n);
    case SortRole:
    case ExportRole:
        return QVariant(qulonglong(n));
    }
    return {};
}

QVariant text_data(int role, const QString& text, const QString& sort_key)
{
    switch (role) {
    case Qt::DisplayRole:
    case ExportRole:
        return text;
    case SortRole:
        return sort_key;
    }
    return {};
}
} // namespace

ConversationTableModel::ConversationTableModel(QObject* parent) : LiveTableModel(parent) {}

ConversationTableModel::Snapshot ConversationTableModel::snapshot(const TrafficModel& model, Layer layer, const TrafficModel* all)
{
    // `all` (when the counts are a display filter's) gives the names and the time origin.
    if (!all)
        all = &model;
    Snapshot s;
    s.layer = layer;
    s.origin_ns = all->totals().any ? all->totals().first_ns : 0;
    if (!model.has_layer(layer))
        return s;
    const auto& convs = model.layer(layer).conversations;
    s.items.reserve(convs.size());
    for (const auto& [key, st] : convs)
        s.items.push_back({key, st});
    return s;
}

void ConversationTableModel::refresh(const IngestEngine& engine)
{
    const Layer l = layer();
    apply(engine.with_state([l](const IngestEngine::State& s) { return snapshot(s.shown(), l, &s.model); }));
}

void ConversationTableModel::describe_protocols(Row& row)
{
    auto counts = row.stats.protocols.counts;
    std::sort(counts.begin(), counts.end(),
              [](const auto& x, const auto& y) { return proto_name(x.first) < proto_name(y.first); });
    QStringList names, detailed;
    for (const auto& [p, n] : counts) {
        const QString name = QString::fromLatin1(proto_name(p).data(), qsizetype(proto_name(p).size()));
        names.push_back(name);
        detailed.push_back(QStringLiteral("%1: %2").arg(name).arg(n));
    }
    row.protocols = names.join(QStringLiteral(", "));
    row.protocol_counts = detailed.join(QStringLiteral(", "));
}

ConversationTableModel::Row ConversationTableModel::make_row(Item&& item)
{
    Row r;
    r.key = item.key;
    r.stats = std::move(item.stats);
    // Text order, as the CLI decides it: the key's order is byte order.
    std::string a = r.key.a.to_string(), b = r.key.b.to_string();
    r.swapped = b < a;
    if (r.swapped)
        std::swap(a, b);
    r.a = QString::fromStdString(a);
    r.b = QString::fromStdString(b);
    r.a_key = endpoint_sort_key(r.swapped ? r.key.b : r.key.a);
    r.b_key = endpoint_sort_key(r.swapped ? r.key.a : r.key.b);
    describe_protocols(r);
    return r;
}

bool ConversationTableModel::update_row(Row& row, Item&& item)
{
    if (same_stats(row.stats, item.stats))
        return false;
    const bool protocols_changed = row.stats.protocols.counts != item.stats.protocols.counts;
    row.stats = std::move(item.stats);
    if (protocols_changed)
        describe_protocols(row);
    return true;
}

void ConversationTableModel::apply(Snapshot snapshot)
{
    if (snapshot.layer != layer())
        return;
    mergeRows(rows_, where_, snapshot.items, update_row, make_row, [](const Row& x, const Row& y) {
        if (x.stats.bytes != y.stats.bytes)
            return x.stats.bytes > y.stats.bytes;
        if (x.a != y.a)
            return x.a < y.a;
        return x.b < y.b;
    });
    setOrigin(snapshot.origin_ns);
}

void ConversationTableModel::clearRows()
{
    rows_.clear();
    where_.clear();
}

int ConversationTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int ConversationTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void ConversationTableModel::setTcpHealth(std::shared_ptr<const TcpHealthTable> ip,
                                          std::shared_ptr<const TcpHealthTable> port)
{
    health_ip_ = std::move(ip);
    health_port_ = std::move(port);
    if (!rows_.empty())
        emit dataChanged(index(0, Retransmissions), index(int(rows_.size()) - 1, HandshakeRtt));
}

const TcpHealth* ConversationTableModel::health(const Row& r) const
{
    const TcpHealthTable* t = layer() == Layer::Port ? health_port_.get() : layer() == Layer::Ip ? health_ip_.get() : nullptr;
    if (!t)
        return nullptr;
    auto it = t->find(r.key);
    return it == t->end() ? nullptr : &it->second;
}

std::pair<Endpoint, Endpoint> ConversationTableModel::endpointsAt(int row) const
{
    if (row < 0 || size_t(row) >= rows_.size())
        return {};
    const Row& r = rows_[size_t(row)];
    return r.swapped ? std::pair{r.key.b, r.key.a} : std::pair{r.key.a, r.key.b};
}

QVariant ConversationTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || size_t(index.row()) >= rows_.size())
        return {};
    const Row& r = rows_[size_t(index.row())];
    const ConversationStats& s = r.stats;
    const int column = index.column();
    if (role == Qt::TextAlignmentRole)
        return alignmentFor(column != A && column != B && column != Protocols);
    if (role == Qt::ToolTipRole && column != Protocols && column != HandshakeRtt)
        return {};
    if (role == Qt::ToolTipRole && column == Protocols)
        return r.protocol_counts;
    switch (column) {
    case A: {
        const Endpoint& e = r.swapped ? r.key.b : r.key.a;
        return text_data(role, endpointText(e, r.a), endpointKey(e, r.a_key));
    }
    case B: {
        const Endpoint& e = r.swapped ? r.key.a : r.key.b;
        return text_data(role, endpointText(e, r.b), endpointKey(e, r.b_key));
    }
    case Packets: return count_data(role, s.packets, false);
    case Bytes: return count_data(role, s.bytes, true);
    case AToBPackets: return count_data(role, r.swapped ? s.b_to_a_packets : s.a_to_b_packets, false);
    case AToBBytes: return count_data(role, r.swapped ? s.b_to_a_bytes : s.a_to_b_bytes, true);
    case BToAPackets: return count_data(role, r.swapped ? s.a_to_b_packets : s.b_to_a_packets, false);
    case BToABytes: return count_data(role, r.swapped ? s.a_to_b_bytes : s.b_to_a_bytes, true);
    case Protocols: return text_data(role, r.protocols, r.protocols);
    case First: return timeData(role, s.timed, s.first_ns);
    case Last: return timeData(role, s.timed, s.last_ns);
    case Retransmissions: {
        // Empty for a conversation TCP analysis has nothing on (no handshake seen, nothing resent).
        const TcpHealth* h = health(r);
        if (!h)
            return role == SortRole ? QVariant(qulonglong(0)) : role == ExportRole ? null_value() : QVariant();
        return count_data(role, h->retransmissions, false);
    }
    case HandshakeRtt: {
        const TcpHealth* h = health(r);
        const int64_t ns = h ? h->median_rtt_ns() : -1;
        switch (role) {
        case Qt::DisplayRole: return ns >= 0 ? format_duration(ns) : QString();
        case SortRole: return QVariant(qlonglong(ns));
        case ExportRole: return ns >= 0 ? QVariant(double(ns) / 1e9) : null_value();
        case Qt::ToolTipRole:
            return h && h->handshake_rtt_ns.size() > 1
                       ? tr("Median over %1 TCP handshakes").arg(h->handshake_rtt_ns.size())
                       : QVariant();
        }
        return {};
    }
    case Duration: {
        const int64_t ns = s.timed ? time_sub(s.last_ns, s.first_ns) : 0;
        switch (role) {
        case Qt::DisplayRole: return s.timed ? format_duration(ns) : QString();
        case SortRole: return QVariant(qlonglong(s.timed ? ns : -1));
        case ExportRole: return s.timed ? QVariant(double(ns) / 1e9) : null_value();
        }
        return {};
    }
    }
    return {};
}

QVariant ConversationTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case A: return tr("A");
    case B: return tr("B");
    case Packets: return tr("Packets");
    case Bytes: return tr("Bytes");
    case AToBPackets: return tr("A→B packets");
    case AToBBytes: return tr("A→B bytes");
    case BToAPackets: return tr("B→A packets");
    case BToABytes: return tr("B→A bytes");
    case Protocols: return tr("Protocols");
    case First: return tr("First");
    case Last: return tr("Last");
    case Duration: return tr("Duration");
    case Retransmissions: return tr("Retrans.");
    case HandshakeRtt: return tr("Handshake RTT");
    }
    return {};
}

} // namespace underhood
