// The packet-details tree: the decoded layers of one packet and their fields.
#pragma once

#include "packet_details.h"

#include <QSet>
#include <QString>
#include <QTreeView>

class PacketDetailsModel;

class PacketDetailsView : public QTreeView {
    Q_OBJECT
public:
    explicit PacketDetailsView(QWidget* parent = nullptr);

    void setDissection(underhood::Dissection d);
    void clear();
    const underhood::Dissection& dissection() const;
    PacketDetailsModel* detailsModel() const { return model_; }

    // Selects a field (expanding what hides it), -1 for none.
    void selectField(int field);
    int selectedField() const;

    // Shown while there is nothing to show.
    void setPlaceholderText(const QString& text);
    QString placeholderText() const { return placeholder_; }

signals:
    void fieldSelected(int field); // -1 when the selection was cleared

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    QString expansionKey(const QModelIndex& index) const;
    void restoreExpansion(const QModelIndex& parent);
    void fitColumn();

    PacketDetailsModel* model_;
    QString placeholder_;
    // Which subtrees the user keeps open ("Internet Protocol Version 4/Flags"),
    // so the next packet opens the same way, as in Wireshark.
    QSet<QString> expanded_;
    bool restoring_ = false;
};
