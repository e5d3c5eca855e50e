#include "live_table_model.h"

#include "display_anonymizer.h"
#include "host_table_model.h"

#include <QStringList>

namespace underhood {

namespace {
// Rows this close together share one dataChanged range; past this many
// ranges a single range covers them all.
constexpr int kMergeGap = 16;
constexpr size_t kMaxRanges = 16;
} // namespace

void LiveTableModel::setLayer(Layer layer)
{
    if (layer == layer_)
        return;
    beginResetModel();
    layer_ = layer;
    clearRows();
    endResetModel();
}

void LiveTableModel::clear()
{
    beginResetModel();
    clearRows();
    origin_ns_ = 0;
    endResetModel();
}

void LiveTableModel::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    // A new sort key per row: the proxies sort again, as after a layer switch.
    beginResetModel();
    anon_ = std::move(anonymizer);
    endResetModel();
}

QString LiveTableModel::endpointText(const Endpoint& e, const QString& plain) const
{
    return anon_ ? QString::fromStdString(anon_->endpoint(e).to_string()) : plain;
}

QString LiveTableModel::endpointKey(const Endpoint& e, const QString& plain) const
{
    // Sorted by the pseudonyms, so the order says nothing about the real addresses.
    return anon_ ? endpoint_sort_key(anon_->endpoint(e)) : plain;
}

QString LiveTableModel::namesText(const std::vector<std::string>& names, const QString& plain) const
{
    if (!anon_)
        return plain;
    QStringList l;
    for (const std::string& n : names)
        l.push_back(QString::fromStdString(anon_->name(n)));
    return l.join(QStringLiteral(", "));
}

void LiveTableModel::setTimeFormat(TimeFormat format)
{
    if (format == time_format_)
        return;
    time_format_ = format;
    const int rows = rowCount();
    if (rows == 0)
        return;
    for (int c : timeColumns())
        emit dataChanged(index(0, c), index(rows - 1, c), {Qt::DisplayRole});
}

void LiveTableModel::setOrigin(int64_t origin_ns)
{
    if (origin_ns == origin_ns_)
        return;
    origin_ns_ = origin_ns;
    const int rows = rowCount();
    if (time_format_ != TimeFormat::Relative || rows == 0)
        return;
    for (int c : timeColumns())
        emit dataChanged(index(0, c), index(rows - 1, c), {Qt::DisplayRole});
}

QVariant LiveTableModel::timeData(int role, bool known, int64_t ts_ns) const
{
    switch (role) {
    case Qt::DisplayRole:
        return known ? format_time(ts_ns, time_format_, origin_ns_) : QString();
    case SortRole:
        return known ? QVariant(qlonglong(ts_ns)) : QVariant(std::numeric_limits<qlonglong>::min());
    case ExportRole:
        return known ? QVariant(epoch_seconds(ts_ns)) : null_value();
    case Qt::TextAlignmentRole:
        return alignmentFor(true);
    }
    return {};
}

QVariant LiveTableModel::alignmentFor(bool numeric)
{
    return QVariant::fromValue(Qt::Alignment(numeric ? Qt::AlignRight | Qt::AlignVCenter
                                                     : Qt::AlignLeft | Qt::AlignVCenter));
}

void LiveTableModel::emitRowsChanged(std::vector<int>& rows)
{
    if (rows.empty())
        return;
    std::sort(rows.begin(), rows.end());
    std::vector<std::pair<int, int>> ranges;
    for (int r : rows) {
        if (!ranges.empty() && r - ranges.back().second <= kMergeGap)
            ranges.back().second = r;
        else
            ranges.emplace_back(r, r);
    }
    if (ranges.size() > kMaxRanges)
        ranges = {{ranges.front().first, ranges.back().second}};
    const int last_column = columnCount() - 1;
    for (auto [first, last] : ranges)
        emit dataChanged(index(first, 0), index(last, last_column));
}

} // namespace underhood
