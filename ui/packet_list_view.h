// The packet list: a QTableView over PacketListModel with protocol colours
// from the palette, and auto-scroll during a live capture that stops as soon
// as the user scrolls away from the bottom.
#pragma once

#include <QIdentityProxyModel>
#include <QTableView>

class QMenu;

namespace underhood {

class PacketListModel;

// Adds row colours (a tint of each protocol's colour over the palette's base).
class PacketColorProxy : public QIdentityProxyModel {
    Q_OBJECT
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    QVariant data(const QModelIndex& index, int role) const override;
    static QColor protocolColor(int proto);
    // Okabe and Ito's colour-blind-safe palette for protocols, everywhere
    // they are coloured (list, graph, plot); off: the usual colours.
    static void setColorBlindSafe(bool on);
    static bool colorBlindSafe();
};

class PacketListView : public QTableView {
    Q_OBJECT
public:
    explicit PacketListView(QWidget* parent = nullptr);
    void setPacketModel(PacketListModel* model);
    PacketListModel* packetModel() const { return model_; }
    // Call after the model grew: keeps the newest row in view while following.
    void followIfWanted();
    void setFollowing(bool on) { following_ = on; }
    bool following() const { return following_; }
    quint64 currentNumber() const;
    void selectNumber(quint64 number);
    // The header's right-click menu: a checkable entry per column.
    QMenu* columnMenu();
    // Shows or hides a column as the user would from that menu (it then
    // stays as chosen; the Sensor column otherwise shows itself once the
    // capture has more than one interface).
    void setColumnShown(int column, bool shown);

signals:
    void packetSelected(quint64 number);

private:
    PacketListModel* model_ = nullptr;
    PacketColorProxy* proxy_ = nullptr;
    bool following_ = true;
    bool programmatic_scroll_ = false;
    bool sensor_chosen_ = false; // the user showed or hid the Sensor column
    QMetaObject::Connection interfaces_connection_;
};

} // namespace underhood
