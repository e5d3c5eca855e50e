// The sort and search proxy the views put between a table and its view:
// sorts by SortRole (numbers as numbers, addresses numerically) and searches
// the text of every column, keeping a tree node when a descendant matches.
#pragma once

#include <QSortFilterProxyModel>

namespace underhood {

class TableProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TableProxyModel(QObject* parent = nullptr);
};

} // namespace underhood
