// Analyze > Expert Information: the findings of the expert analysis by
// severity and kind, as Wireshark's dialog lists them, each expandable to
// its packets; choosing a packet selects it in the packet list.
#pragma once

#include "expert_info.h"

#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace underhood {

class DisplayAnonymizer;

class ExpertPane : public QWidget {
    Q_OBJECT
public:
    explicit ExpertPane(QWidget* parent = nullptr);
    // The packet number a packet row stands for (column 0).
    static constexpr int PacketRole = Qt::UserRole + 2;

    // Shows these findings (gravest first), keeping what was expanded.
    void setEntries(std::vector<ExpertInfo::Entry> entries);
    // "Analysing… 40%" while a scan runs; empty when done.
    void setProgress(const QString& text);
    void clear();
    // Says what a packet is ("192.168.1.1 → 192.168.1.108 DNS Standard query…"),
    // shown beside its number when a kind is opened.
    void setDescriber(std::function<QString(quint64)> describe) { describe_ = std::move(describe); }
    // View > Anonymise (null: off): summaries with pseudonyms, shown again
    // at once (the describer is asked again for the packets of open kinds).
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);
    QTreeWidget* tree() const { return tree_; }
    QString countsText() const;
    // A severity's colour, as Wireshark shows it (light enough for dark text in either theme).
    static QColor severityColor(Severity s);

signals:
    void packetActivated(quint64 number);

private:
    void fillPackets(QTreeWidgetItem* item);
    void applySearch();

    QLabel* counts_ = nullptr;
    QLabel* progress_ = nullptr;
    QLineEdit* search_ = nullptr;
    QTreeWidget* tree_ = nullptr;
    std::vector<ExpertInfo::Entry> entries_;
    std::function<QString(quint64)> describe_;
    std::shared_ptr<DisplayAnonymizer> anon_;
};

} // namespace underhood
