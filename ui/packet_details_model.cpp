#include "packet_details_model.h"

#include <QApplication>
#include <QFont>
#include <QIcon>
#include <QPalette>
#include <QStyle>

using underhood::DissectedField;
using underhood::Dissection;

PacketDetailsModel::PacketDetailsModel(QObject* parent) : QAbstractItemModel(parent)
{
}

void PacketDetailsModel::setDissection(Dissection d)
{
    beginResetModel();
    d_ = std::move(d);
    const size_t n = d_.fields.size();
    roots_.clear();
    children_.assign(n, {});
    parent_.assign(n, -1);
    row_.assign(n, 0);
    explanation_.assign(n, -1);
    std::vector<int> chain; // the open ancestors
    for (size_t i = 0; i < n; ++i) {
        const DissectedField& f = d_.fields[i];
        while (!chain.empty() && d_.fields[size_t(chain.back())].depth >= f.depth)
            chain.pop_back();
        int up = chain.empty() ? -1 : chain.back();
        auto& siblings = up < 0 ? roots_ : children_[size_t(up)];
        parent_[i] = up;
        row_[i] = int(siblings.size());
        siblings.push_back(int(i));
        chain.push_back(int(i));
    }
    // Flags go up from the note that states the problem: the first such note
    // under a flagged field explains it.
    for (size_t i = 0; i < n; ++i) {
        if (!d_.fields[i].flags || !children_[i].empty())
            continue;
        for (int a = int(i); a >= 0 && d_.fields[size_t(a)].flags && explanation_[size_t(a)] < 0;
             a = parent_[size_t(a)])
            explanation_[size_t(a)] = int(i);
    }
    endResetModel();
}

QModelIndex PacketDetailsModel::indexForField(int field) const
{
    if (field < 0 || size_t(field) >= d_.fields.size())
        return {};
    return createIndex(row_[size_t(field)], 0, quintptr(field));
}

int PacketDetailsModel::fieldOf(const QModelIndex& index)
{
    return index.isValid() ? int(index.internalId()) : -1;
}

const std::vector<int>& PacketDetailsModel::childrenOf(const QModelIndex& parent) const
{
    return parent.isValid() ? children_[size_t(parent.internalId())] : roots_;
}

QModelIndex PacketDetailsModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column != 0 || row < 0 || (parent.isValid() && parent.model() != this))
        return {};
    const auto& kids = childrenOf(parent);
    if (size_t(row) >= kids.size())
        return {};
    return createIndex(row, 0, quintptr(kids[size_t(row)]));
}

QModelIndex PacketDetailsModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexForField(parent_[size_t(child.internalId())]);
}

int PacketDetailsModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    return int(childrenOf(parent).size());
}

int PacketDetailsModel::columnCount(const QModelIndex&) const
{
    return 1;
}

QVariant PacketDetailsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const size_t i = size_t(index.internalId());
    const DissectedField& f = d_.fields[i];
    // Generated lines ("[Protocols in frame: ...]") are shown like Wireshark's, bracketed and subdued.
    const bool note = f.length == 0 && !f.label.empty() && f.label.front() == '[';
    switch (role) {
    case Qt::DisplayRole: return QString::fromStdString(f.label);
    case Qt::DecorationRole:
        // On the note that states the problem; the rows above it are tinted
        // instead, so their text stays in line with their siblings'.
        if (!f.flags || !children_[i].empty())
            return {};
        return QApplication::style()->standardIcon(f.has(DissectedField::Malformed) ? QStyle::SP_MessageBoxCritical
                                                                                    : QStyle::SP_MessageBoxWarning);
    case Qt::BackgroundRole: {
        if (!f.flags)
            return {};
        // The base colour warmed towards amber (truncated) or red (malformed):
        // the palette's text stays readable on it, light or dark.
        const QColor base = QApplication::palette().color(QPalette::Base);
        const QColor mark = f.has(DissectedField::Malformed) ? QColor(0xe0, 0x40, 0x40) : QColor(0xf0, 0xb0, 0x00);
        const double k = 0.3;
        return QColor::fromRgbF(float(base.redF() * (1 - k) + mark.redF() * k),
                                float(base.greenF() * (1 - k) + mark.greenF() * k),
                                float(base.blueF() * (1 - k) + mark.blueF() * k));
    }
    case Qt::ToolTipRole: {
        QString tip = QString::fromStdString(f.label).toHtmlEscaped();
        if (f.length)
            tip += QStringLiteral("<br>Bytes %1\u2013%2 (%3 byte%4)")
                       .arg(f.offset)
                       .arg(f.offset + f.length - 1)
                       .arg(f.length)
                       .arg(f.length == 1 ? "" : "s");
        if (f.flags) {
            QString kind = f.has(DissectedField::Malformed) ? tr("Malformed") : tr("Truncated");
            int why = explanation_[i];
            QString reason = why >= 0 ? QString::fromStdString(d_.fields[size_t(why)].label) : QString();
            if (reason.startsWith('[') && reason.endsWith(']'))
                reason = reason.mid(1, reason.size() - 2);
            tip += QStringLiteral("<br><b>%1</b>%2")
                       .arg(kind, reason.isEmpty() ? QString() : ": " + reason.toHtmlEscaped());
        }
        return tip;
    }
    case Qt::FontRole:
        if (note && !f.flags) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (note && !f.flags)
            return QApplication::palette().brush(QPalette::PlaceholderText);
        return {};
    case FieldRole: return int(i);
    case OffsetRole: return int(f.offset);
    case LengthRole: return int(f.length);
    case FlagsRole: return int(f.flags);
    default: return {};
    }
}
