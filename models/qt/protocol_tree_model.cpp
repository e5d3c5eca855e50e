#include "protocol_tree_model.h"

#include "ingest_engine.h"
#include "table_format.h"

#include <unordered_set>

namespace underhood {

namespace {
double share(uint64_t part, uint64_t whole) { return whole ? 100.0 * double(part) / double(whole) : 0.0; }

QVariant count_data(int role, uint64_t n, bool bytes)
{
    switch (role) {
    case Qt::DisplayRole: return bytes ? format_bytes(n) : QString::number(n);
    case SortRole:
    case ExportRole: return QVariant(qulonglong(n));
    }
    return {};
}

QVariant share_data(int role, double percent)
{
    switch (role) {
    case Qt::DisplayRole: return QStringLiteral("%1%").arg(percent, 0, 'f', 1);
    case SortRole:
    case ExportRole: return percent;
    }
    return {};
}
} // namespace

ProtocolTreeModel::ProtocolTreeModel(QObject* parent) : QAbstractItemModel(parent) {}
ProtocolTreeModel::~ProtocolTreeModel() = default;

ProtocolTreeModel::Snapshot ProtocolTreeModel::snapshot(const TrafficModel& model)
{
    Snapshot s;
    s.nodes = model.protocol_hierarchy();
    s.packets = model.totals().packets;
    s.bytes = model.totals().bytes;
    return s;
}

void ProtocolTreeModel::refresh(const IngestEngine& engine)
{
    apply(engine.with_state([](const IngestEngine::State& s) { return snapshot(s.shown()); }));
}

void ProtocolTreeModel::clear()
{
    beginResetModel();
    root_.children.clear();
    by_path_.clear();
    packets_ = bytes_ = 0;
    endResetModel();
}

void ProtocolTreeModel::apply(Snapshot snapshot)
{
    // The hierarchy only grows while a capture is read; a node that vanished
    // means another capture, and that is a reset.
    {
        std::unordered_set<std::string> present;
        for (const auto& [path, st] : snapshot.nodes)
            present.insert(path);
        for (const auto& [path, n] : by_path_)
            if (!present.count(path)) {
                clear();
                break;
            }
    }

    std::unordered_set<const Node*> changed_parents;
    for (auto& [path, st] : snapshot.nodes) {
        auto it = by_path_.find(path);
        if (it != by_path_.end()) {
            Node* n = it->second;
            if (n->stats.packets != st.packets || n->stats.bytes != st.bytes) {
                n->stats = st;
                changed_parents.insert(n->parent);
            }
            continue;
        }
        const size_t colon = path.rfind(':');
        Node* parent = &root_;
        if (colon != std::string::npos) {
            auto p = by_path_.find(path.substr(0, colon));
            if (p == by_path_.end())
                continue; // protocol_hierarchy() lists every prefix first; never expected
            parent = p->second;
        }
        auto n = std::make_unique<Node>();
        n->path = path;
        n->name = QString::fromStdString(colon == std::string::npos ? path : path.substr(colon + 1));
        n->stats = st;
        n->parent = parent;
        n->row = int(parent->children.size());
        const QModelIndex parent_index = indexOf(parent);
        beginInsertRows(parent_index, n->row, n->row);
        by_path_.emplace(path, n.get());
        parent->children.push_back(std::move(n));
        endInsertRows();
    }

    if (snapshot.packets != packets_ || snapshot.bytes != bytes_) {
        // Every share changed.
        packets_ = snapshot.packets;
        bytes_ = snapshot.bytes;
        emitSubtreeChanged(&root_);
    } else {
        for (const Node* p : changed_parents)
            emit dataChanged(indexOf(p->children.front().get(), 0),
                             indexOf(p->children.back().get(), ColumnCount - 1));
    }
}

void ProtocolTreeModel::emitSubtreeChanged(const Node* parent)
{
    if (parent->children.empty())
        return;
    emit dataChanged(indexOf(parent->children.front().get(), 0), indexOf(parent->children.back().get(), ColumnCount - 1));
    for (const auto& c : parent->children)
        emitSubtreeChanged(c.get());
}

ProtocolTreeModel::Node* ProtocolTreeModel::node(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : const_cast<Node*>(&root_);
}

QModelIndex ProtocolTreeModel::indexOf(const Node* n, int column) const
{
    if (!n || n == &root_)
        return {};
    return createIndex(n->row, column, const_cast<Node*>(n));
}

QModelIndex ProtocolTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || (parent.isValid() && parent.column() != 0))
        return {};
    const Node* p = node(parent);
    if (row < 0 || size_t(row) >= p->children.size())
        return {};
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex ProtocolTreeModel::parent(const QModelIndex& index) const
{
    if (!index.isValid())
        return {};
    return indexOf(node(index)->parent);
}

int ProtocolTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(node(parent)->children.size());
}

int ProtocolTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QString ProtocolTreeModel::pathAt(const QModelIndex& index) const
{
    return index.isValid() ? QString::fromStdString(node(index)->path) : QString();
}

QVariant ProtocolTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* n = node(index);
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(Qt::Alignment((index.column() == Protocol ? Qt::AlignLeft : Qt::AlignRight) |
                                                 Qt::AlignVCenter));
    switch (index.column()) {
    case Protocol:
        switch (role) {
        case Qt::DisplayRole:
        case SortRole: return n->name;
        case ExportRole:
        case Qt::ToolTipRole: return QString::fromStdString(n->path);
        }
        return {};
    case Packets: return count_data(role, n->stats.packets, false);
    case PacketShare: return share_data(role, share(n->stats.packets, packets_));
    case Bytes: return count_data(role, n->stats.bytes, true);
    case ByteShare: return share_data(role, share(n->stats.bytes, bytes_));
    }
    return {};
}

QVariant ProtocolTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case Protocol: return tr("Protocol");
    case Packets: return tr("Packets");
    case PacketShare: return tr("% Packets");
    case Bytes: return tr("Bytes");
    case ByteShare: return tr("% Bytes");
    }
    return {};
}

} // namespace underhood
