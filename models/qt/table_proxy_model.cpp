#include "table_proxy_model.h"

#include "table_format.h"

namespace underhood {

TableProxyModel::TableProxyModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
    setFilterRole(Qt::DisplayRole);
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setRecursiveFilteringEnabled(true);
    setDynamicSortFilter(true);
}

void TableProxyModel::setRowFilter(std::function<bool(int)> accept)
{
    accept_ = std::move(accept);
    invalidateRowsFilter();
}

bool TableProxyModel::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const
{
    if (accept_ && !source_parent.isValid() && !accept_(source_row))
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(source_row, source_parent);
}

} // namespace underhood
