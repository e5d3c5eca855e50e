#include "packet_list_model.h"

#include <climits>

#include "display_anonymizer.h"
#include "packet_decoder.h"
#include "packet_summary.h"
#include "time_math.h"

#include <QDateTime>

#include <algorithm>

namespace underhood {

PacketListModel::PacketListModel(QObject* parent) : QAbstractTableModel(parent) {}

void PacketListModel::setSession(CaptureSession* session)
{
    beginResetModel();
    if (session != session_) {
        marks_.clear();
        expert_.clear();
    }
    session_ = session;
    filter_.reset();
    first_ = 1;
    count_ = 0;
    first_ts_ = 0;
    cache_.clear();
    const bool had_interfaces = !interface_names_.isEmpty();
    interface_names_.clear();
    endResetModel();
    if (had_interfaces)
        emit interfacesChanged(0);
    refresh();
}

void PacketListModel::setFilter(std::optional<QVector<quint64>> numbers)
{
    beginResetModel();
    filter_ = std::move(numbers);
    endResetModel();
}

void PacketListModel::appendFiltered(const QVector<quint64>& numbers)
{
    if (!filter_ || numbers.isEmpty())
        return;
    beginInsertRows({}, int(filter_->size()), int(filter_->size() + numbers.size()) - 1);
    *filter_ += numbers;
    endInsertRows();
}

void PacketListModel::setTimeFormat(TimeFormat f)
{
    time_format_ = f;
    if (rowCount() > 0)
        emit dataChanged(index(0, Time), index(rowCount() - 1, Time));
}

void PacketListModel::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    anon_ = std::move(anonymizer);
    cache_.clear();
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void PacketListModel::refresh()
{
    if (!session_)
        return;
    const int known = int(interface_names_.size());
    auto [first, count, first_ts, added] = session_->engine().with_state([known](const IngestEngine::State& s) {
        QStringList added;
        for (size_t i = size_t(known); i < s.interfaces.size(); ++i)
            added << QString::fromStdString(s.interfaces[i].name);
        return std::tuple<quint64, quint64, int64_t, QStringList>(s.first_number, s.index.size(),
                                                                  s.model.totals().first_ns, added);
    });
    first_ts_ = first_ts;
    if (!added.isEmpty()) {
        interface_names_ += added;
        emit interfacesChanged(int(interface_names_.size()));
    }
    if (filter_) {
        // A filtered list stays as it was computed; rows whose bytes the live
        // history let go simply show as gone.
        first_ = first;
        count_ = count;
        return;
    }
    // Rows at the top that the live history dropped.
    if (first > first_ && count_ > 0) {
        quint64 gone = std::min<quint64>(first - first_, count_);
        beginRemoveRows({}, 0, int(gone) - 1);
        first_ += gone;
        count_ -= gone;
        endRemoveRows();
    }
    first_ = first;
    quint64 end_old = first_ + count_;
    quint64 end_new = first + count;
    if (end_new > end_old) {
        beginInsertRows({}, int(count_), int(count_ + (end_new - end_old)) - 1);
        count_ = count;
        endInsertRows();
    } else {
        count_ = count;
    }
}

int PacketListModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return filter_ ? int(filter_->size()) : int(std::min<quint64>(count_, INT32_MAX));
}

int PacketListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

quint64 PacketListModel::numberAt(int row) const
{
    if (row < 0)
        return 0;
    if (filter_)
        return row < filter_->size() ? (*filter_)[row] : 0;
    return first_ + quint64(row);
}

int PacketListModel::rowOf(quint64 number) const
{
    if (filter_) {
        auto it = std::lower_bound(filter_->begin(), filter_->end(), number);
        return it != filter_->end() && *it == number ? int(it - filter_->begin()) : -1;
    }
    if (number < first_ || number >= first_ + count_)
        return -1;
    return int(number - first_);
}

std::optional<PacketIndexEntry> PacketListModel::entry(quint64 number) const
{
    if (!session_)
        return std::nullopt;
    return session_->engine().with_state([number](const IngestEngine::State& s) -> std::optional<PacketIndexEntry> {
        if (number < s.first_number || number - s.first_number >= s.index.size())
            return std::nullopt;
        return s.index[size_t(number - s.first_number)];
    });
}

const PacketListModel::RowText* PacketListModel::rowText(quint64 number, const PacketIndexEntry& e) const
{
    if (RowText* t = cache_.object(number))
        return t;
    auto* t = new RowText;
    std::vector<uint8_t> bytes = session_->engine().packet_bytes(number);
    uint32_t lt = session_->engine().link_type_of(e.interface_id);
    if (anon_) // what the exported file's packet says, and names in payloads replaced too
        bytes = anon_->rewrite(lt, Bytes(bytes.data(), bytes.size()), e.origlen);
    PacketSummary s = summarize_packet(lt, Bytes(bytes.data(), bytes.size()), e.origlen);
    if (anon_) {
        s.source = anon_->text(s.source);
        s.destination = anon_->text(s.destination);
        s.info = anon_->text(s.info);
    }
    t->source = QString::fromStdString(s.source);
    t->destination = QString::fromStdString(s.destination);
    t->protocol = QString::fromStdString(s.protocol);
    t->info = QString::fromStdString(s.info);
    t->top = Proto(e.top);
    t->problem = e.flags & (PacketIndexEntry::Truncated | PacketIndexEntry::Malformed);
    if (bytes.empty() && e.caplen > 0)
        t->info = session_->engine().mapped() ? tr("(packet bytes gone: the file shrank after it was read)")
                                              : tr("(packet bytes no longer kept: live history limit)");
    cache_.insert(number, t);
    return t;
}

QString PacketListModel::timeText(const PacketIndexEntry& e, quint64 number) const
{
    if (!(e.flags & PacketIndexEntry::Timed))
        return QStringLiteral("—");
    switch (time_format_) {
    case TimeFormat::Relative:
        return QString::number(seconds_between(first_ts_, e.ts_ns), 'f', 6);
    case TimeFormat::Absolute:
        return QDateTime::fromMSecsSinceEpoch(e.ts_ns / 1000000).toString("yyyy-MM-dd HH:mm:ss.zzz") +
               QString::number((e.ts_ns / 1000) % 1000).rightJustified(3, '0');
    case TimeFormat::Epoch:
    {
        // Floor division, so a time before 1970 reads -1.500000000 and not -0.-500000000.
        int64_t sec = e.ts_ns / 1000000000, ns = e.ts_ns % 1000000000;
        if (ns < 0) {
            sec -= 1;
            ns += 1000000000;
        }
        return QString::number(sec) + "." + QString::number(ns).rightJustified(9, '0');
    }
    case TimeFormat::Delta: {
        auto prev = number > 1 ? entry(number - 1) : std::nullopt;
        return QString::number(prev ? seconds_between(prev->ts_ns, e.ts_ns) : 0.0, 'f', 6);
    }
    }
    return {};
}

QVariant PacketListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !session_)
        return {};
    const quint64 number = numberAt(index.row());
    if (role == NumberRole)
        return number;
    auto e = entry(number);
    if (!e) {
        if (role == Qt::DisplayRole && index.column() == Number)
            return number;
        if (role == Qt::DisplayRole && index.column() == Info)
            return tr("(no longer kept)");
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (index.column()) {
        case Number: return number;
        case Time: return role == SortRole ? QVariant(qlonglong(e->ts_ns)) : QVariant(timeText(*e, number));
        case Length: return e->origlen;
        case Sensor: {
            const QString name = e->interface_id < interface_names_.size() ? interface_names_[e->interface_id] : QString();
            return anon_ && !name.isEmpty() ? QString::fromStdString(anon_->sensor(name.toStdString())) : name;
        }
        default: break;
        }
        {
            const RowText* t = rowText(number, *e);
            switch (index.column()) {
            case Source: return t->source;
            case Destination: return t->destination;
            case Protocol: return t->protocol;
            case Info: return t->info;
            default: return {};
            }
        }
    case ProtocolRole: return int(e->top);
    case MarkedRole: return marks_.contains(number);
    case ExpertRole: return int(expert_.value(number, 0));
    case ProblemRole: return bool(e->flags & (PacketIndexEntry::Truncated | PacketIndexEntry::Malformed));
    case Qt::ToolTipRole:
        if (e->flags & PacketIndexEntry::Malformed)
            return tr("Malformed: a length field claims more than the packet holds");
        if (e->flags & PacketIndexEntry::Truncated)
            return tr("Truncated: the capture kept only %1 of %2 bytes").arg(e->caplen).arg(e->origlen);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Number || index.column() == Length || index.column() == Time)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default: return {};
    }
}

void PacketListModel::setMarked(quint64 number, bool marked)
{
    if (marked == marks_.contains(number))
        return;
    if (marked)
        marks_.insert(number);
    else
        marks_.remove(number);
    const int row = rowOf(number);
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    emit markChanged(number, marked);
}

void PacketListModel::addExpertMarks(const QVector<QPair<quint64, quint8>>& marks)
{
    if (marks.isEmpty())
        return;
    int lo = INT_MAX, hi = -1;
    for (const auto& [number, bits] : marks) {
        expert_.insert(number, bits);
        const int row = rowOf(number);
        if (row >= 0) {
            lo = std::min(lo, row);
            hi = std::max(hi, row);
        }
    }
    if (hi >= 0)
        emit dataChanged(index(lo, 0), index(hi, ColumnCount - 1));
}

void PacketListModel::clearMarks()
{
    if (marks_.isEmpty())
        return;
    const QList<quint64> was = marked();
    marks_.clear();
    for (quint64 n : was)
        emit markChanged(n, false);
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QList<quint64> PacketListModel::marked() const
{
    QList<quint64> v(marks_.begin(), marks_.end());
    std::sort(v.begin(), v.end());
    return v;
}

quint64 PacketListModel::nextMarked(quint64 from, bool forward) const
{
    // Marks are few: walk them in order rather than the rows.
    const QList<quint64> v = marked();
    if (forward) {
        for (quint64 n : v)
            if ((from == 0 || n > from) && rowOf(n) >= 0)
                return n;
    } else {
        for (auto it = v.rbegin(); it != v.rend(); ++it)
            if ((from == 0 || *it < from) && rowOf(*it) >= 0)
                return *it;
    }
    return 0;
}

QVariant PacketListModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Number: return tr("No.");
    case Time: return tr("Time");
    case Sensor: return tr("Sensor");
    case Source: return tr("Source");
    case Destination: return tr("Destination");
    case Protocol: return tr("Protocol");
    case Length: return tr("Length");
    case Info: return tr("Info");
    default: return {};
    }
}

} // namespace underhood
