#include "expert_pane.h"

#include "display_anonymizer.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace underhood {

namespace {
// Children are made when an entry is opened: a kind may hold a million packets.
constexpr int kMaxChildren = 5000;
constexpr int kEntryRole = Qt::UserRole + 1;  // index into entries_
constexpr int kPacketRole = ExpertPane::PacketRole;

QString entryKey(const ExpertInfo::Entry& e)
{
    return QString::number(int(e.severity)) + '\x1f' + QString::fromStdString(e.group) + '\x1f' +
           QString::fromStdString(e.protocol) + '\x1f' + QString::fromStdString(e.summary);
}
} // namespace

QColor ExpertPane::severityColor(Severity s)
{
    switch (s) {
    case Severity::Error: return QColor(0xff, 0x5c, 0x5c);
    case Severity::Warning: return QColor(0xf7, 0xf7, 0x79);
    case Severity::Note: return QColor(0xa0, 0xff, 0xff);
    case Severity::Chat: return QColor(0x80, 0xb7, 0xf7);
    }
    return {};
}

ExpertPane::ExpertPane(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    auto* top = new QHBoxLayout;
    counts_ = new QLabel;
    counts_->setObjectName("expertCounts");
    counts_->setTextFormat(Qt::RichText);
    progress_ = new QLabel;
    search_ = new QLineEdit;
    search_->setPlaceholderText(tr("Search the findings…"));
    search_->setClearButtonEnabled(true);
    search_->setMaximumWidth(260);
    connect(search_, &QLineEdit::textChanged, this, [this] { applySearch(); });
    top->addWidget(counts_);
    top->addWidget(progress_);
    top->addStretch(1);
    top->addWidget(search_);
    lay->addLayout(top);
    tree_ = new QTreeWidget;
    tree_->setObjectName("expertTree");
    tree_->setColumnCount(5);
    tree_->setHeaderLabels({tr("Severity"), tr("Summary"), tr("Group"), tr("Protocol"), tr("Count")});
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(false);
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    tree_->setToolTip(tr("Open a kind to see its packets; choose one to select it in the packet list"));
    lay->addWidget(tree_, 1);
    connect(tree_, &QTreeWidget::itemExpanded, this, [this](QTreeWidgetItem* item) { fillPackets(item); });
    auto activate = [this](QTreeWidgetItem* item) {
        if (item && item->data(0, kPacketRole).isValid())
            emit packetActivated(item->data(0, kPacketRole).toULongLong());
    };
    connect(tree_, &QTreeWidget::currentItemChanged, this, [activate](QTreeWidgetItem* item) { activate(item); });
    connect(tree_, &QTreeWidget::itemActivated, this, [activate](QTreeWidgetItem* item) { activate(item); });
    clear();
}

void ExpertPane::clear()
{
    entries_.clear();
    tree_->clear();
    progress_->clear();
    counts_->setText(tr("No capture"));
}

void ExpertPane::setProgress(const QString& text) { progress_->setText(text); }

QString ExpertPane::countsText() const { return counts_->text(); }

void ExpertPane::setEntries(std::vector<ExpertInfo::Entry> entries)
{
    QSet<QString> open;
    for (int i = 0; i < tree_->topLevelItemCount(); ++i)
        if (QTreeWidgetItem* it = tree_->topLevelItem(i); it->isExpanded())
            open.insert(it->data(1, kEntryRole).toString());
    entries_ = std::move(entries);
    tree_->setUpdatesEnabled(false);
    tree_->clear();
    uint64_t per[4] = {};
    const QLocale loc;
    for (size_t i = 0; i < entries_.size(); ++i) {
        const ExpertInfo::Entry& e = entries_[i];
        per[size_t(e.severity)] += e.packets.size();
        auto* item = new QTreeWidgetItem(tree_);
        item->setText(0, QString::fromLatin1(dissect::severity_name(e.severity)));
        item->setBackground(0, severityColor(e.severity));
        item->setForeground(0, QColor(0x10, 0x10, 0x10));
        item->setText(1, QString::fromStdString(anon_ ? anon_->text(e.summary) : e.summary));
        item->setText(2, QString::fromStdString(e.group));
        item->setText(3, QString::fromStdString(e.protocol));
        item->setText(4, loc.toString(qulonglong(e.packets.size())));
        item->setTextAlignment(4, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(0, kEntryRole, qulonglong(i));
        item->setData(1, kEntryRole, entryKey(e));
        item->setChildIndicatorPolicy(QTreeWidgetItem::ShowIndicator);
        if (open.contains(entryKey(e)))
            item->setExpanded(true); // fills it through itemExpanded
    }
    for (int c : {0, 2, 3, 4})
        tree_->resizeColumnToContents(c);
    tree_->setUpdatesEnabled(true);
    QStringList parts;
    for (Severity s : {Severity::Error, Severity::Warning, Severity::Note, Severity::Chat})
        parts << QString("<span style='background:%1;color:#101010'>&nbsp;%2 %3&nbsp;</span>")
                     .arg(severityColor(s).name())
                     .arg(loc.toString(qulonglong(per[size_t(s)])))
                     .arg(QString::fromLatin1(dissect::severity_name(s)).toLower() + (per[size_t(s)] == 1 ? "" : "s"));
    counts_->setText(entries_.empty() ? tr("No findings") : parts.join("&nbsp;"));
    applySearch();
}

void ExpertPane::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    anon_ = std::move(anonymizer);
    // The packets of open kinds are described again: their rows go first.
    for (int i = 0; i < tree_->topLevelItemCount(); ++i)
        qDeleteAll(tree_->topLevelItem(i)->takeChildren());
    setEntries(std::move(entries_));
}

void ExpertPane::fillPackets(QTreeWidgetItem* item)
{
    if (!item || item->parent() || item->childCount() > 0)
        return;
    const size_t i = size_t(item->data(0, kEntryRole).toULongLong());
    if (i >= entries_.size())
        return;
    const std::vector<uint64_t>& packets = entries_[i].packets;
    const QLocale loc;
    const size_t n = std::min(packets.size(), size_t(kMaxChildren));
    for (size_t k = 0; k < n; ++k) {
        auto* child = new QTreeWidgetItem(item);
        child->setText(0, tr("Packet %1").arg(loc.toString(qulonglong(packets[k]))));
        if (describe_)
            child->setText(1, describe_(packets[k]));
        child->setData(0, kPacketRole, qulonglong(packets[k]));
    }
    if (packets.size() > n) {
        auto* more = new QTreeWidgetItem(item);
        more->setText(1, tr("… and %1 more (a display filter narrows the list)").arg(loc.toString(qulonglong(packets.size() - n))));
        more->setDisabled(true);
    }
}

void ExpertPane::applySearch()
{
    const QString needle = search_->text().trimmed();
    for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
        QTreeWidgetItem* it = tree_->topLevelItem(i);
        bool show = needle.isEmpty();
        for (int c = 0; c < 4 && !show; ++c)
            show = it->text(c).contains(needle, Qt::CaseInsensitive);
        it->setHidden(!show);
    }
}

} // namespace underhood
