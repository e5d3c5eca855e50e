// The sort and search proxy the views put between a table and its view:
// sorts by SortRole (numbers as numbers, addresses numerically) and searches
// the text of every column, keeping a tree node when a descendant matches;
// a row filter narrows it further (the graph's selection).
#pragma once

#include <QSortFilterProxyModel>

#include <functional>

namespace underhood {

class TableProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TableProxyModel(QObject* parent = nullptr);

    // Keeps only the top-level source rows `accept` takes (with the search);
    // an empty function keeps all.
    void setRowFilter(std::function<bool(int source_row)> accept);
    bool hasRowFilter() const { return bool(accept_); }

protected:
    bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

private:
    std::function<bool(int)> accept_;
};

} // namespace underhood
