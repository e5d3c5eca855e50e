#include "table_pane.h"

#include "table_export.h"
#include "table_proxy_model.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace underhood {

TablePane::TablePane(QAbstractItemModel* model, bool with_layers, bool tree, QWidget* parent)
    : QWidget(parent), model_(model)
{
    proxy_ = new TableProxyModel(this);
    proxy_->setSourceModel(model);

    search_ = new QLineEdit;
    search_->setPlaceholderText(tr("Search (address, name, vendor, protocol…)"));
    search_->setClearButtonEnabled(true);
    connect(search_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 0);
    bar->addWidget(search_, 1);
    if (with_layers) {
        layer_ = new QComboBox;
        layer_->addItem(tr("IP"), int(Layer::Ip));
        layer_->addItem(tr("Ethernet"), int(Layer::Ether));
        layer_->addItem(tr("Port"), int(Layer::Port));
        layer_->setToolTip(tr("Key hosts by IP address, MAC address, or address:port"));
        connect(layer_, &QComboBox::activated, this,
                [this](int i) { emit layerChosen(Layer(layer_->itemData(i).toInt())); });
        bar->addWidget(layer_);
    }
    auto* more = new QToolButton;
    more->setText(tr("Export"));
    more->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(more);
    menu->addAction(tr("Copy Selected Rows"), this, &TablePane::copySelection);
    menu->addAction(tr("Export CSV…"), this, [this] { exportTo(false); });
    menu->addAction(tr("Export JSON…"), this, [this] { exportTo(true); });
    more->setMenu(menu);
    bar->addWidget(more);

    if (tree) {
        auto* t = new QTreeView;
        t->setUniformRowHeights(true);
        t->setAlternatingRowColors(true);
        view_ = t;
        t->setModel(proxy_);
        t->setSortingEnabled(true);
        t->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
        connect(model, &QAbstractItemModel::rowsInserted, t, [t] { t->expandToDepth(3); });
    } else {
        auto* t = new QTableView;
        t->verticalHeader()->hide();
        t->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 4);
        t->setShowGrid(false);
        t->setAlternatingRowColors(true);
        t->setWordWrap(false);
        t->horizontalHeader()->setStretchLastSection(true);
        view_ = t;
        t->setModel(proxy_);
        t->setSortingEnabled(true);
        t->sortByColumn(4, Qt::DescendingOrder); // bytes: the busiest first
        // Fit the columns to the first rows a capture brings.
        connect(model, &QAbstractItemModel::rowsInserted, t, [t](const QModelIndex&, int first) {
            if (first == 0)
                QTimer::singleShot(0, t, [t] {
                    t->resizeColumnsToContents();
                    for (int c = 0; c < t->model()->columnCount(); ++c)
                        t->setColumnWidth(c, std::min(t->columnWidth(c), 320));
                });
        });
    }
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view_->setContextMenuPolicy(Qt::ActionsContextMenu);
    view_->addActions(menu->actions());
    auto* copy = new QAction(this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &TablePane::copySelection);
    view_->addAction(copy);
    connect(view_, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex& idx) {
        int r = sourceRow(idx);
        if (r >= 0)
            emit rowActivated(r);
    });
    view_->setToolTip(tr("Double-click a row to show only its packets"));

    // The graph's selection narrows the table; this bar says so and clears it.
    scope_bar_ = new QWidget;
    auto* sb = new QHBoxLayout(scope_bar_);
    sb->setContentsMargins(6, 2, 4, 2);
    scope_label_ = new QLabel;
    scope_label_->setTextFormat(Qt::PlainText);
    auto* clear = new QToolButton;
    clear->setText(tr("Show All"));
    clear->setToolTip(tr("Clear the graph selection and show every row"));
    connect(clear, &QToolButton::clicked, this, [this] {
        setScope({}, {});
        emit scopeCleared();
    });
    sb->addWidget(scope_label_, 1);
    sb->addWidget(clear);
    scope_bar_->setAutoFillBackground(true);
    scope_bar_->setBackgroundRole(QPalette::AlternateBase);
    scope_bar_->hide();

    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(2);
    lay->addLayout(bar);
    lay->addWidget(scope_bar_);
    lay->addWidget(view_, 1);
}

void TablePane::setScope(const QString& label, std::function<bool(int)> accept)
{
    static_cast<TableProxyModel*>(proxy_)->setRowFilter(std::move(accept));
    scope_label_->setText(label.isEmpty() ? QString() : tr("Graph selection: %1").arg(label));
    scope_bar_->setVisible(!label.isEmpty());
}

QString TablePane::scope() const { return scope_label_->text(); }

void TablePane::setLayer(Layer l)
{
    if (!layer_)
        return;
    for (int i = 0; i < layer_->count(); ++i)
        if (layer_->itemData(i).toInt() == int(l))
            layer_->setCurrentIndex(i);
}

void TablePane::focusSearch()
{
    search_->setFocus();
    search_->selectAll();
}

int TablePane::sourceRow(const QModelIndex& view_index) const
{
    QModelIndex src = proxy_->mapToSource(view_index);
    return src.isValid() ? src.row() : -1;
}

void TablePane::copySelection()
{
    QStringList lines;
    QStringList header;
    for (int c = 0; c < proxy_->columnCount(); ++c)
        header << proxy_->headerData(c, Qt::Horizontal).toString();
    lines << header.join('\t');
    QModelIndexList rows = view_->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const QModelIndex& r : rows) {
        QStringList cells;
        for (int c = 0; c < proxy_->columnCount(); ++c)
            cells << proxy_->index(r.row(), c, r.parent()).data().toString();
        lines << cells.join('\t');
    }
    QApplication::clipboard()->setText(lines.join('\n'));
}

void TablePane::exportTo(bool json)
{
    const QString path = QFileDialog::getSaveFileName(this, json ? tr("Export JSON") : tr("Export CSV"), QString(),
                                                      json ? tr("JSON (*.json)") : tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QFile f(path);
    bool ok = f.open(QIODevice::WriteOnly) && (json ? export_json(*proxy_, f) : export_csv(*proxy_, f));
    if (!ok)
        QMessageBox::critical(this, tr("Export failed"), tr("Cannot write %1: %2").arg(path, f.errorString()));
}

} // namespace underhood
