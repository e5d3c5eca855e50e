// The packet-details tree as a Qt item model: a thin adapter over a
// Dissection, whose fields are already in tree order with depths.
#pragma once

#include "packet_details.h"

#include <QAbstractItemModel>

#include <vector>

class PacketDetailsModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Role {
        FieldRole = Qt::UserRole + 1, // int: index into Dissection::fields
        OffsetRole,                   // int: first byte the field covers
        LengthRole,                   // int: how many bytes it covers (0 for a note)
        FlagsRole,                    // int: DissectedField::Flag bits
    };

    explicit PacketDetailsModel(QObject* parent = nullptr);

    void setDissection(underhood::Dissection d);
    const underhood::Dissection& dissection() const { return d_; }

    QModelIndex indexForField(int field) const;
    static int fieldOf(const QModelIndex& index);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    const std::vector<int>& childrenOf(const QModelIndex& parent) const;

    underhood::Dissection d_;
    std::vector<int> roots_;
    std::vector<std::vector<int>> children_; // per field
    std::vector<int> parent_;                // per field, -1 at the top
    std::vector<int> row_;                   // per field, its row under its parent
    std::vector<int> explanation_;           // per flagged field, the problem note that explains the flag
};
