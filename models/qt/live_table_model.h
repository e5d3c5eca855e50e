// A table whose rows are hosts or conversations of a live TrafficModel,
// refreshed in place: rows that changed are reported with dataChanged, new
// ones inserted at the end, aged-out ones removed. Views and sort proxies
// keep their selection and scroll position across refreshes; only a switch
// of layer resets the table.
#pragma once

#include "table_format.h"
#include "traffic_model.h"

#include <QAbstractTableModel>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace underhood {

class DisplayAnonymizer;

class LiveTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    Layer layer() const { return layer_; }
    // Empties the table (a reset: its rows become different things); the next
    // refresh fills it with the new layer's rows.
    void setLayer(Layer layer);
    TimeFormat timeFormat() const { return time_format_; }
    void setTimeFormat(TimeFormat format);
    // The capture's first packet time, the origin of relative times.
    int64_t originNs() const { return origin_ns_; }
    void clear();
    // View > Anonymise: addresses, names and vendors shown as their
    // pseudonyms (null: as captured). The rows keep the real ones.
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);
    DisplayAnonymizer* anonymizer() const { return anon_.get(); }

protected:
    std::shared_ptr<DisplayAnonymizer> anon_;
    // An endpoint's text and sort key as shown (anonymised when on).
    QString endpointText(const Endpoint& e, const QString& plain) const;
    QString endpointKey(const Endpoint& e, const QString& plain) const;
    QString namesText(const std::vector<std::string>& names, const QString& plain) const;
    virtual void clearRows() = 0;
    virtual std::vector<int> timeColumns() const = 0;
    void setOrigin(int64_t origin_ns);
    QVariant timeData(int role, bool known, int64_t ts_ns) const;
    static QVariant alignmentFor(bool numeric);

    // Reports changed rows as few dataChanged ranges: proxies re-sort once per
    // signal, so nearby rows share one range.
    void emitRowsChanged(std::vector<int>& rows);

    // Merges a snapshot into the rows. Row and Item both have a `key`;
    // where maps a key to its row. `update(row, item)` copies the item into
    // the row and says whether anything shown changed; `make(item)` builds a
    // new row; new rows are appended in `less` order.
    template <typename Row, typename Map, typename Item, typename Update, typename Make, typename Less>
    void mergeRows(std::vector<Row>& rows, Map& where, std::vector<Item>& items, Update update, Make make, Less less)
    {
        std::vector<uint8_t> seen(rows.size(), 0);
        std::vector<int> changed;
        std::vector<Row> fresh;
        for (Item& item : items) {
            auto it = where.find(item.key);
            if (it == where.end()) {
                fresh.push_back(make(std::move(item)));
                continue;
            }
            const int r = it->second;
            seen[size_t(r)] = 1;
            if (update(rows[size_t(r)], std::move(item)))
                changed.push_back(r);
        }
        emitRowsChanged(changed);

        // Aged out: remove each run of rows no longer in the snapshot, last run first.
        bool removed = false;
        for (int end = int(rows.size()); end > 0;) {
            if (seen[size_t(end - 1)]) {
                --end;
                continue;
            }
            int first = end - 1;
            while (first > 0 && !seen[size_t(first - 1)])
                --first;
            beginRemoveRows({}, first, end - 1);
            rows.erase(rows.begin() + first, rows.begin() + end);
            endRemoveRows();
            removed = true;
            end = first;
        }
        if (removed) {
            where.clear();
            for (size_t i = 0; i < rows.size(); ++i)
                where.emplace(rows[i].key, int(i));
        }

        if (!fresh.empty()) {
            std::sort(fresh.begin(), fresh.end(), less);
            const int first = int(rows.size());
            beginInsertRows({}, first, first + int(fresh.size()) - 1);
            for (Row& row : fresh) {
                where.emplace(row.key, int(rows.size()));
                rows.push_back(std::move(row));
            }
            endInsertRows();
        }
    }

private:
    Layer layer_ = Layer::Ip;
    TimeFormat time_format_ = TimeFormat::Absolute;
    int64_t origin_ns_ = 0;
};

} // namespace underhood
