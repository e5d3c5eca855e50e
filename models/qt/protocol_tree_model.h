// The Protocol hierarchy: eth > ipv4 > tcp > tls, each node counting the
// packets of its whole subtree, with shares of the capture's totals.
// Refreshed in place like the tables: nodes are added as protocols appear.
#pragma once

#include "traffic_model.h"

#include <QAbstractItemModel>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace underhood {

class IngestEngine;

class ProtocolTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Protocol, Packets, PacketShare, Bytes, ByteShare, ColumnCount };

    struct Snapshot {
        std::vector<std::pair<std::string, ProtocolStats>> nodes; // path order: parents first
        uint64_t packets = 0, bytes = 0;                           // capture totals
    };

    explicit ProtocolTreeModel(QObject* parent = nullptr);
    ~ProtocolTreeModel() override;

    static Snapshot snapshot(const TrafficModel& model);
    void apply(Snapshot snapshot);
    void refresh(const TrafficModel& model) { apply(snapshot(model)); }
    void refresh(const IngestEngine& engine);
    void clear();

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& index) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "eth:ipv4:tcp" for a node, e.g. to filter the packet list to it.
    QString pathAt(const QModelIndex& index) const;

private:
    struct Node {
        std::string path;
        QString name;
        ProtocolStats stats;
        Node* parent = nullptr;
        int row = 0;
        std::vector<std::unique_ptr<Node>> children;
    };
    Node* node(const QModelIndex& index) const;
    QModelIndex indexOf(const Node* n, int column = 0) const;
    void emitSubtreeChanged(const Node* parent);

    Node root_;
    std::unordered_map<std::string, Node*> by_path_;
    uint64_t packets_ = 0, bytes_ = 0;
};

} // namespace underhood
