// A table dock's contents: a search field, the layer switch (hosts and
// conversations), a sortable view, and Copy / Export CSV / Export JSON.
#pragma once

#include "traffic_model.h"

#include <QWidget>

#include <functional>

class QAbstractItemModel;
class QAbstractItemView;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;

namespace underhood {

class TablePane : public QWidget {
    Q_OBJECT
public:
    // `with_layers`: show the ip/ether/port switch. `tree`: a tree view (the protocol hierarchy).
    TablePane(QAbstractItemModel* model, bool with_layers, bool tree, QWidget* parent = nullptr);
    QAbstractItemView* view() const { return view_; }
    QSortFilterProxyModel* proxy() const { return proxy_; }
    void setLayer(Layer l);
    void focusSearch();
    // Narrows the table to the rows `accept` takes and says so above it
    // ("Graph selection: <label>" with a button that clears it); an empty
    // label and function show every row again.
    void setScope(const QString& label, std::function<bool(int source_row)> accept);
    QString scope() const;
    // Row of the source model for a view index.
    int sourceRow(const QModelIndex& view_index) const;

signals:
    void layerChosen(Layer layer);
    void rowActivated(int source_row); // double-click: filter the packet list to it
    void scopeCleared();               // the user cleared the scope

private:
    void copySelection();
    void exportTo(bool json);

    QAbstractItemModel* model_;
    QSortFilterProxyModel* proxy_;
    QAbstractItemView* view_;
    QLineEdit* search_;
    QComboBox* layer_ = nullptr;
    QWidget* scope_bar_ = nullptr;
    QLabel* scope_label_ = nullptr;
};

} // namespace underhood
