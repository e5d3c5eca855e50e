// The Conversations table: one row per pair of addresses at the chosen layer.
// A and B are in text order (A sorts before B), as `underhood-cli stats`
// prints them, and the directional counts follow that order.
#pragma once

#include "expert_scan.h"
#include "live_table_model.h"

#include <memory>

#include <unordered_map>
#include <vector>

namespace underhood {

class IngestEngine;

class ConversationTableModel : public LiveTableModel {
    Q_OBJECT
public:
    enum Column {
        A,
        B,
        Packets,
        Bytes,
        AToBPackets,
        AToBBytes,
        BToAPackets,
        BToABytes,
        Protocols,
        First,
        Last,
        Duration,
        Retransmissions, // TCP: packets tcp.analysis flags as retransmitted
        HandshakeRtt,    // TCP: the handshake's round trip (median over the conversation's connections)
        ColumnCount
    };

    struct Item {
        ConversationKey key;
        ConversationStats stats;
    };
    struct Snapshot {
        Layer layer = Layer::Ip;
        int64_t origin_ns = 0;
        std::vector<Item> items;
    };

    explicit ConversationTableModel(QObject* parent = nullptr);

    static Snapshot snapshot(const TrafficModel& model, Layer layer, const TrafficModel* all = nullptr);
    void apply(Snapshot snapshot);
    void refresh(const TrafficModel& model) { apply(snapshot(model, layer())); }
    void refresh(const IngestEngine& engine);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // TCP's health by conversation at the ip and port layers (the expert
    // analysis); null until it has run. The columns stay empty without it.
    void setTcpHealth(std::shared_ptr<const TcpHealthTable> ip, std::shared_ptr<const TcpHealthTable> port);

    // The two endpoints of a row in display order (A, B).
    std::pair<Endpoint, Endpoint> endpointsAt(int row) const;

protected:
    void clearRows() override;
    std::vector<int> timeColumns() const override { return {First, Last}; }

private:
    struct Row {
        ConversationKey key;
        ConversationStats stats;
        bool swapped = false; // A is the key's b
        QString a, b, a_key, b_key, protocols, protocol_counts;
    };
    static Row make_row(Item&& item);
    static bool update_row(Row& row, Item&& item);
    static void describe_protocols(Row& row);

    const TcpHealth* health(const Row& r) const;

    std::vector<Row> rows_;
    std::shared_ptr<const TcpHealthTable> health_ip_, health_port_;
    std::unordered_map<ConversationKey, int, ConversationKeyHash> where_;
};

} // namespace underhood
