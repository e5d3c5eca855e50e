#include "host_table_model.h"

#include "display_anonymizer.h"
#include "ingest_engine.h"
#include "oui_table.h"

namespace underhood {

namespace {
bool same_stats(const HostStats& x, const HostStats& y)
{
    return x.packets == y.packets && x.bytes == y.bytes && x.tx_packets == y.tx_packets &&
           x.tx_bytes == y.tx_bytes && x.rx_packets == y.rx_packets && x.rx_bytes == y.rx_bytes &&
           x.first_ns == y.first_ns && x.last_ns == y.last_ns && x.timed == y.timed;
}

QString join_names(const std::vector<std::string>& names)
{
    QStringList l;
    l.reserve(qsizetype(names.size()));
    for (const std::string& n : names)
        l.push_back(QString::fromStdString(n));
    return l.join(QStringLiteral(", "));
}

QString vendor_text(const std::optional<MacAddress>& mac)
{
    return mac ? QString::fromStdString(OuiTable::system().vendor(*mac)) : QString();
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

QVariant text_data(int role, const QString& text, const QString& sort_key = {})
{
    switch (role) {
    case Qt::DisplayRole:
    case ExportRole:
        return text;
    case SortRole:
        return sort_key.isNull() ? text : sort_key;
    }
    return {};
}
} // namespace

QString endpoint_sort_key(const Endpoint& e)
{
    // Kind, family, address bytes, port: fixed-width hex compares like the numbers.
    QByteArray raw;
    raw.reserve(21);
    raw.append(char(e.kind));
    raw.append(char(e.family));
    raw.append(reinterpret_cast<const char*>(e.bytes.data()), qsizetype(e.bytes.size()));
    raw.append(char(e.port >> 8));
    raw.append(char(e.port & 0xff));
    return QString::fromLatin1(raw.toHex());
}

HostTableModel::HostTableModel(QObject* parent) : LiveTableModel(parent) {}

HostTableModel::Snapshot HostTableModel::snapshot(const TrafficModel& model, Layer layer, const TrafficModel* all)
{
    // `all` (when the counts are a display filter's) gives the names and the time origin.
    if (!all)
        all = &model;
    Snapshot s;
    s.layer = layer;
    s.origin_ns = all->totals().any ? all->totals().first_ns : 0;
    if (!model.has_layer(layer))
        return s;
    const NameTable& names = all->names();
    const auto& hosts = model.layer(layer).hosts;
    s.items.reserve(hosts.size());
    for (const auto& [ep, st] : hosts) {
        Item item{ep, st, {}, {}};
        if (ep.kind == Endpoint::Kind::Mac) {
            item.names = names.names_for(ep.mac_address());
            item.mac = ep.mac_address();
        } else {
            item.names = names.names_for(ep.ip_address());
            item.mac = names.mac_for(ep.ip_address());
        }
        s.items.push_back(std::move(item));
    }
    return s;
}

void HostTableModel::refresh(const IngestEngine& engine)
{
    const Layer l = layer();
    apply(engine.with_state([l](const IngestEngine::State& s) { return snapshot(s.shown(), l, &s.model); }));
}

HostTableModel::Row HostTableModel::make_row(Item&& item)
{
    Row r;
    r.key = item.key;
    r.stats = item.stats;
    r.address = QString::fromStdString(item.key.to_string());
    r.address_key = endpoint_sort_key(item.key);
    r.names = join_names(item.names);
    r.names_raw = std::move(item.names);
    r.mac = item.mac;
    r.vendor = vendor_text(r.mac);
    return r;
}

bool HostTableModel::update_row(Row& row, Item&& item)
{
    bool changed = false;
    if (!same_stats(row.stats, item.stats)) {
        row.stats = item.stats;
        changed = true;
    }
    if (row.names_raw != item.names) {
        row.names = join_names(item.names);
        row.names_raw = std::move(item.names);
        changed = true;
    }
    if (row.mac != item.mac) {
        row.mac = item.mac;
        row.vendor = vendor_text(row.mac);
        changed = true;
    }
    return changed;
}

void HostTableModel::apply(Snapshot snapshot)
{
    if (snapshot.layer != layer())
        return;
    mergeRows(rows_, where_, snapshot.items, update_row, make_row, [](const Row& x, const Row& y) {
        if (x.stats.bytes != y.stats.bytes)
            return x.stats.bytes > y.stats.bytes;
        return x.address < y.address;
    });
    setOrigin(snapshot.origin_ns);
}

void HostTableModel::clearRows()
{
    rows_.clear();
    where_.clear();
}

int HostTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int HostTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

Endpoint HostTableModel::endpointAt(int row) const
{
    return row >= 0 && size_t(row) < rows_.size() ? rows_[size_t(row)].key : Endpoint{};
}

QVariant HostTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || size_t(index.row()) >= rows_.size())
        return {};
    const Row& r = rows_[size_t(index.row())];
    const HostStats& s = r.stats;
    const int column = index.column();
    if (role == Qt::TextAlignmentRole)
        return alignmentFor(column >= Packets);
    if (role == Qt::ToolTipRole && column == Names && !r.names.isEmpty())
        return namesText(r.names_raw, r.names);
    switch (column) {
    case Address: return text_data(role, endpointText(r.key, r.address), endpointKey(r.key, r.address_key));
    case Names: return text_data(role, namesText(r.names_raw, r.names));
    case Vendor: return text_data(role, anon_ ? QString::fromStdString(anon_->vendor(r.vendor.toStdString())) : r.vendor);
    case Packets: return count_data(role, s.packets, false);
    case Bytes: return count_data(role, s.bytes, true);
    case SentPackets: return count_data(role, s.tx_packets, false);
    case SentBytes: return count_data(role, s.tx_bytes, true);
    case ReceivedPackets: return count_data(role, s.rx_packets, false);
    case ReceivedBytes: return count_data(role, s.rx_bytes, true);
    case FirstSeen: return timeData(role, s.timed, s.first_ns);
    case LastSeen: return timeData(role, s.timed, s.last_ns);
    }
    return {};
}

QVariant HostTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Address: return tr("Address");
    case Names: return tr("Names");
    case Vendor: return tr("Vendor");
    case Packets: return tr("Packets");
    case Bytes: return tr("Bytes");
    case SentPackets: return tr("Sent packets");
    case SentBytes: return tr("Sent bytes");
    case ReceivedPackets: return tr("Received packets");
    case ReceivedBytes: return tr("Received bytes");
    case FirstSeen: return tr("First seen");
    case LastSeen: return tr("Last seen");
    }
    return {};
}

} // namespace underhood
