#include "packet_details_view.h"

#include "packet_details_model.h"

#include <QHeaderView>
#include <QPainter>
#include <QScrollBar>

PacketDetailsView::PacketDetailsView(QWidget* parent)
    : QTreeView(parent), model_(new PacketDetailsModel(this)), placeholder_(tr("Select a packet to see its fields"))
{
    setModel(model_);
    setHeaderHidden(true);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // One column as wide as its longest visible label (or the view): long
    // labels scroll rather than being cut, and selections span the row.
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(0, QHeaderView::Interactive);

    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { emit fieldSelected(selectedField()); });
    connect(this, &QTreeView::expanded, this, [this](const QModelIndex& index) {
        if (!restoring_)
            expanded_.insert(expansionKey(index));
    });
    connect(this, &QTreeView::collapsed, this,
            [this](const QModelIndex& index) { expanded_.remove(expansionKey(index)); });
    // Refit once the view has laid out the rows that opened or closed; doing
    // it from inside the signal upsets the view's pending layout.
    for (auto signal : {&QTreeView::expanded, &QTreeView::collapsed})
        connect(this, signal, this, &PacketDetailsView::fitColumn, Qt::QueuedConnection);
}

void PacketDetailsView::setDissection(underhood::Dissection d)
{
    model_->setDissection(std::move(d));
    restoring_ = true;
    restoreExpansion({});
    restoring_ = false;
    fitColumn();
    viewport()->update();
}

void PacketDetailsView::clear()
{
    setDissection({});
}

const underhood::Dissection& PacketDetailsView::dissection() const
{
    return model_->dissection();
}

void PacketDetailsView::selectField(int field)
{
    QModelIndex index = model_->indexForField(field);
    if (!index.isValid()) {
        selectionModel()->clearSelection();
        return;
    }
    for (QModelIndex up = index.parent(); up.isValid(); up = up.parent())
        expand(up);
    setCurrentIndex(index);
    scrollTo(index);
}

int PacketDetailsView::selectedField() const
{
    const QModelIndexList rows = selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : PacketDetailsModel::fieldOf(rows.first());
}

void PacketDetailsView::setPlaceholderText(const QString& text)
{
    placeholder_ = text;
    viewport()->update();
}

void PacketDetailsView::paintEvent(QPaintEvent* event)
{
    QTreeView::paintEvent(event);
    if (model_->rowCount() > 0 || placeholder_.isEmpty())
        return;
    QPainter p(viewport());
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(viewport()->rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
}

void PacketDetailsView::resizeEvent(QResizeEvent* event)
{
    QTreeView::resizeEvent(event);
    fitColumn();
}

// "Internet Protocol Version 4/Flags": each label up to its first detail.
QString PacketDetailsView::expansionKey(const QModelIndex& index) const
{
    QString key;
    for (QModelIndex i = index; i.isValid(); i = i.parent()) {
        QString label = i.data().toString();
        qsizetype cut = label.size();
        for (QChar c : {QChar(','), QChar('('), QChar(':')})
            if (qsizetype at = label.indexOf(c); at >= 0)
                cut = std::min(cut, at);
        key.prepend(label.left(cut).trimmed() + '/');
    }
    return key;
}

void PacketDetailsView::restoreExpansion(const QModelIndex& parent)
{
    const int rows = model_->rowCount(parent);
    for (int r = 0; r < rows; ++r) {
        QModelIndex child = model_->index(r, 0, parent);
        if (model_->rowCount(child) == 0 || !expanded_.contains(expansionKey(child)))
            continue;
        expand(child);
        restoreExpansion(child);
    }
}

void PacketDetailsView::fitColumn()
{
    setColumnWidth(0, std::max(sizeHintForColumn(0), viewport()->width()));
}
