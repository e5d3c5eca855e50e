// The Hosts table: one row per address at the chosen layer (ip, ether, port).
// Vendors come from OuiTable::system(), which reads the OUI list on first use
// (some ten milliseconds): the app may call it once on a worker thread first.
#pragma once

#include "live_table_model.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace underhood {

class IngestEngine;

class HostTableModel : public LiveTableModel {
    Q_OBJECT
public:
    enum Column {
        Address,
        Names,
        Vendor,
        Packets,
        Bytes,
        SentPackets,
        SentBytes,
        ReceivedPackets,
        ReceivedBytes,
        FirstSeen,
        LastSeen,
        ColumnCount
    };

    // What a refresh copies from the TrafficModel while the engine is locked.
    struct Item {
        Endpoint key;
        HostStats stats;
        std::vector<std::string> names;
        std::optional<MacAddress> mac; // for the vendor: the host's own, or the one ARP/DHCP bound to its IP
    };
    struct Snapshot {
        Layer layer = Layer::Ip;
        int64_t origin_ns = 0;
        std::vector<Item> items;
    };

    explicit HostTableModel(QObject* parent = nullptr);

    // Copies the hosts of one layer; call with the model locked (cheap: no text is built).
    static Snapshot snapshot(const TrafficModel& model, Layer layer, const TrafficModel* all = nullptr);
    // Merges a snapshot into the rows (outside the lock). A snapshot of
    // another layer than the table's is ignored.
    void apply(Snapshot snapshot);
    void refresh(const TrafficModel& model) { apply(snapshot(model, layer())); }
    void refresh(const IngestEngine& engine);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The endpoint shown in a row, e.g. to filter the packet list to it.
    Endpoint endpointAt(int row) const;

protected:
    void clearRows() override;
    std::vector<int> timeColumns() const override { return {FirstSeen, LastSeen}; }

private:
    struct Row {
        Endpoint key;
        HostStats stats;
        std::vector<std::string> names_raw;
        std::optional<MacAddress> mac;
        QString address, address_key, names, vendor;
    };
    static Row make_row(Item&& item);
    static bool update_row(Row& row, Item&& item);

    std::vector<Row> rows_;
    std::unordered_map<Endpoint, int, EndpointHash> where_;
};

// A key that sorts endpoints numerically (10.0.0.9 before 10.0.0.10) as text.
QString endpoint_sort_key(const Endpoint& e);

} // namespace underhood
